"""The one declared schema of a tariff scenario file.

A scenario is what a municipal economist writes: who provides the service, what it
costs (line by line, as annual amounts or quantity x price), which assets it uses,
who pays and how much they consume.  Every amount is a :class:`Quantity` carrying its
unit; every figure points to an entry of ``sources``.  Validation here is structural
(types, signs, units, required fields); cross-field checks that need the whole file
(sources, categories per service) live in :mod:`okmo_models.scenario.checks`.

Errors are raised as ``PydanticCustomError`` whose type is a message key of
``okmo_models/locales/messages.yaml`` so that the loader can explain them in Russian,
Kyrgyz or English.
"""

from __future__ import annotations

import datetime
import math
import re
from typing import Annotated, Literal

from pydantic import (
    AfterValidator,
    BeforeValidator,
    ConfigDict,
    Field,
    PrivateAttr,
    field_validator,
    model_validator,
)

from okmo_models.errors import CONTROL, shorten
from okmo_models.i18n import t
from okmo_models.strict_schema import StrictModel, invalid
from okmo_models.units import Unit, UnitError, parse_number, parse_unit, split_quantity, without_unit

SERVICES = ("waste", "water", "dipping_bath")
OPERATOR_TYPES = ("municipal_enterprise", "aiyl_okmotu", "lessee")
COST_LINES = (
    "labour", "social_fund", "fuel", "electricity", "materials", "repairs", "depreciation",
    "disposal", "property_tax", "overhead", "rent", "other",
)
CATEGORY_KINDS = ("population", "budget", "other", "neighbour")
TARIFF_POLICIES = ("balancing", "cost", "fixed")


# No municipal amount comes near a quadrillion; beyond it a number is a typo or an overflow.
_LARGEST = 1e15


class Quantity(StrictModel):
    """A number with its unit: ``"17 000 som/staff/month"`` or ``{value: 17000, unit: ...}``."""

    value: float
    unit: str

    @classmethod
    def __get_pydantic_json_schema__(cls, core_schema, handler):
        # editors validate the file as written: the text form is the usual one
        return {"anyOf": [{"type": "string", "description": "a number and its unit, e.g. 17 000 som/staff/month"},
                          handler(core_schema)]}

    @model_validator(mode="before")
    @classmethod
    def _from_text(cls, data):
        if isinstance(data, str):
            try:
                value, unit = split_quantity(data)
            except UnitError as exc:
                if exc.key in ("ambiguous_number", "number_other_mark", "quantity_without_unit", "number_not_plausible"):
                    raise invalid(exc.key, **{**exc.context, "value": data}) from exc
                raise invalid("quantity_unreadable", value=data) from exc
            return {"value": value, "unit": unit}
        if isinstance(data, bool):  # YAML's yes/no
            raise invalid("quantity_unreadable", value=data)
        if isinstance(data, (int, float)):
            if not math.isfinite(data):
                raise invalid("not_a_number" if math.isnan(data) else "number_not_plausible", value=data)
            raise invalid("quantity_without_unit", **without_unit(data, f"{data:g}"))
        if isinstance(data, (datetime.date, datetime.time)):  # YAML reads 2024-01-01 as a date
            raise invalid("quantity_unreadable", value=data)
        return data

    @field_validator("value", mode="before")
    @classmethod
    def _number(cls, v):
        if isinstance(v, bool):
            raise invalid("not_a_number", value=v)
        if isinstance(v, str):
            try:
                return parse_number(v)
            except UnitError as exc:
                raise invalid(exc.key, **{**exc.context, "value": v}) from exc
        return v

    @field_validator("value")
    @classmethod
    def _finite(cls, v):
        if not math.isfinite(v) or abs(v) > _LARGEST:
            raise invalid("number_not_plausible", value=v)
        return v

    _unit = field_validator("unit")(lambda v: known_unit(v))

    @property
    def parsed_unit(self) -> Unit:
        return parse_unit(self.unit)

    def to(self, unit: str) -> float:
        """The value in ``unit`` (same dimension), e.g. ``q.to("som/year")``."""
        target = parse_unit(unit)
        own = self.parsed_unit
        if not own.same_dimension(target):
            raise invalid("unit_mismatch", unit=self.unit, expected=unit)
        return self.value * own.factor / target.factor

    def __str__(self) -> str:
        return f"{self.value:g} {self.unit}"


def _plain_number(v):
    if isinstance(v, bool):
        raise invalid("not_a_number", value=v)
    return v


def _bare_number(v):
    """A number without a unit: text is read as every number of the file ("1,57", "3 500";
    "1,500" refused unless the file declares its decimal mark); nan is not a number, and
    is said so before any bound ("must be at least 0") is checked."""
    v = _plain_number(v)
    if isinstance(v, str):
        try:
            v = parse_number(v)
        except UnitError as exc:
            raise invalid(exc.key, **{**exc.context, "value": v}) from exc
    if isinstance(v, float) and math.isnan(v):
        raise invalid("not_a_number", value=v)
    if isinstance(v, float) and math.isinf(v):
        raise invalid("number_not_plausible", value=v)
    return v


def _finite_number(v: float) -> float:
    if not math.isfinite(v) or abs(v) > _LARGEST:
        raise invalid("number_not_plausible", value=v)
    return v


# A bare number (multiplier, coefficient): YAML's yes/true is not 1, nan/inf are refused.
Number = Annotated[float, BeforeValidator(_bare_number), AfterValidator(_finite_number)]
Year = Annotated[int, BeforeValidator(_plain_number)]


def _expect(*units: str, positive: bool = False, nonnegative: bool = True):
    """Validator factory: the quantity's unit must have the dimension of one of ``units``."""
    targets = [parse_unit(u) for u in units]

    def check(q: Quantity) -> Quantity:
        own = q.parsed_unit
        if not any(own.same_dimension(t) for t in targets):
            raise invalid("unit_mismatch", unit=q.unit, expected=" | ".join(units))
        if positive and not q.value > 0:
            raise invalid("must_be_positive", value=q.value)
        if nonnegative and q.value < 0:
            raise invalid("must_not_be_negative", value=q.value)
        return q

    return check


def _quantity(*units: str, positive: bool = False):
    return Annotated[Quantity, AfterValidator(_expect(*units, positive=positive))]


def _nonnegative(q: Quantity) -> Quantity:
    if q.value < 0:
        raise invalid("must_not_be_negative", value=q.value)
    return q


def _annotated(check):
    return Annotated[Quantity, AfterValidator(check)]


NonNegative = _annotated(_nonnegative)
MoneyPerYear = _quantity("som/year")
Money = _quantity("som")
Years = _quantity("year", positive=True)
Share = _quantity("%")
PositiveShare = _quantity("%", positive=True)
SignedShare = Annotated[Quantity, AfterValidator(_expect("%", nonnegative=False))]


class LocalText(StrictModel):
    """A text in Russian, Kyrgyz and English, or in some of them: ``{ru: …, ky: …}``, or one
    plain string, shown to readers of every language.

    A language the author left out falls back to Russian, then Kyrgyz, then English; ``ru``
    is always set (a Kyrgyz-only text fills it), so code that needs one text has one.
    :meth:`missing` tells which languages the author did not write (for the note that says so).
    """

    ru: str
    ky: str | None = None
    en: str | None = None
    # the languages written in a mapping; None for a plain string (meant for every reader)
    _given: tuple[str, ...] | None = PrivateAttr(default=None)

    @classmethod
    def __get_pydantic_json_schema__(cls, core_schema, handler):
        # a plain string, or a mapping with at least one of the three languages
        mapping = handler(core_schema)
        mapping = handler.resolve_ref_schema(mapping) if "$ref" in mapping else mapping
        mapping = {**mapping, "required": []}
        mapping["minProperties"] = 1
        return {"anyOf": [{"type": "string"}, mapping]}

    @model_validator(mode="wrap")
    @classmethod
    def _from_text(cls, data, handler):
        if isinstance(data, str):
            return handler({"ru": data})
        if not isinstance(data, dict):
            return handler(data)
        given = tuple(lang for lang in ("ru", "ky", "en") if isinstance(data.get(lang), str) and data[lang].strip())
        if given and "ru" not in given:  # a Kyrgyz-only (or English-only) text
            data = {**data, "ru": data[given[0]]}
        text = handler(data)
        text._given = given
        return text

    def get(self, lang: str) -> str:
        return getattr(self, lang, None) or self.ru

    def __str__(self) -> str:  # where no reader's language is known, the first text
        return self.ru

    def missing(self, lang: str) -> bool:
        """Whether the author wrote this text in other languages but not in ``lang``."""
        return self._given is not None and lang not in self._given


def missing_languages(model, lang: str) -> set[str]:
    """The languages ``lang``'s readers see instead of their own: those of every text in
    ``model`` (a scenario or any part of it) its author did not write in ``lang``."""
    found: set[str] = set()

    def walk(value):
        if isinstance(value, LocalText):
            if value.missing(lang):
                found.add(next(g for g in ("ru", "ky", "en") if g in value._given))
        elif isinstance(value, StrictModel):
            for name in type(value).model_fields:
                walk(getattr(value, name))
        elif isinstance(value, (list, tuple)):
            for v in value:
                walk(v)
        elif isinstance(value, dict):
            for v in value.values():
                walk(v)

    walk(model)
    return found


def language_note(model, lang: str) -> str | None:
    """The note a reader gets when some of ``model``'s texts are not in their language (a
    Kyrgyz-only file read in Russian): they are shown as written; None when all are."""
    found = missing_languages(model, lang)
    if not found:
        return None
    languages = ", ".join(t("tt_language_" + g, lang) for g in sorted(found))
    return t("tt_language_fallback", lang, languages=languages)


SourceRef = Annotated[str, Field(min_length=1)]


def known_unit(text: str) -> str:
    """``text`` if it is a unit okmo understands (``som/m3``), else the unit's own error."""
    try:
        parse_unit(text)
    except UnitError as exc:
        raise invalid(exc.key, **exc.context) from exc
    return text


class Municipality(StrictModel):
    name: LocalText
    region: LocalText | None = None
    # the council that adopts its decisions (айылный кенеш), named in the draft decision's header
    kenesh: LocalText | None = None
    country: str = "KG"


class PlanFile(StrictModel):
    """How a budget or programme file opens (a tariff scenario has no ``kind`` line); each
    kind narrows ``kind`` to its own name."""

    schema_version: Literal[1]
    kind: str
    municipality: Municipality
    description: LocalText | None = None
    # how "180,500" reads; without it a comma or point before three digits is refused
    decimal_mark: Literal[",", "."] | None = None
    unit: Literal["som", "thousand_som", "million_som"]


class Operator(StrictModel):
    type: Literal[OPERATOR_TYPES]  # type: ignore[valid-type]
    name: LocalText
    vat_payer: bool
    sales_tax_payer: bool
    source: SourceRef


class Uncertainty(StrictModel):
    """How far a cost line may turn out from its estimate, e.g. low -10 %, high +25 %."""

    low: SignedShare
    high: SignedShare
    distribution: Literal["triangular", "uniform"] = "triangular"

    @model_validator(mode="after")
    def _ordered(self):
        low, high = self.low.to("%"), self.high.to("%")
        if not (-100 < low <= 0 <= high):
            raise invalid("uncertainty_range", value=f"{self.low} … {self.high}")
        return self


class CostLine(StrictModel):
    """One line of the калькуляция: an annual amount, or quantity x price.

    That quantity x price comes out in som per period is checked in
    :mod:`okmo_models.scenario.checks`, where the error can point at the price.
    """

    line: Literal[COST_LINES]  # type: ignore[valid-type]
    name: LocalText
    amount: MoneyPerYear | None = None
    quantity: NonNegative | None = None
    price: NonNegative | None = None
    source: SourceRef
    note: str | None = None
    uncertainty: Uncertainty | None = None
    component: str | None = None  # the tariff component it belongs to (see Scenario.components)

    @model_validator(mode="after")
    def _amount_or_product(self):
        if self.amount is not None and (self.quantity is not None or self.price is not None):
            raise invalid("amount_and_product")
        if self.amount is None and (self.quantity is None or self.price is None):
            raise invalid("amount_or_product_missing")
        return self

    def product_unit(self) -> Unit:
        return self.quantity.parsed_unit * self.price.parsed_unit

    def annual_som(self) -> float:
        """The line's annual cost [som/year]."""
        if self.amount is not None:
            return self.amount.to("som/year")
        return self.quantity.value * self.price.value * self.product_unit().factor


class Asset(StrictModel):
    """An item of the asset register; straight-line depreciation is computed from it."""

    name: LocalText
    value: Money
    year: Year = Field(ge=1950, le=2100)
    useful_life: Years
    owner: Literal["operator", "municipality"] = "operator"
    source: SourceRef
    component: str | None = None


class DebtService(StrictModel):
    name: LocalText
    amount: MoneyPerYear
    source: SourceRef
    component: str | None = None


_SLUG = re.compile(r"^[a-z][a-z0-9_-]*$")


def _slug(v: str) -> str:
    if not _SLUG.match(v):
        raise invalid("bad_id", value=v)
    return v


# An id other entries refer to: lowercase Latin letters, digits, "_" and "-".
Slug = Annotated[str, AfterValidator(_slug)]


class Component(StrictModel):
    """A part of the tariff with its own cost lines, printed apart and in sum (collection,
    transport, burial, sorting: the Kazakh practice)."""

    id: Slug
    name: LocalText


class ParameterOverride(StrictModel):
    """A scenario's own value of a package parameter: a rate with its unit (``value``) or,
    for a list such as ``vat_exempt_services``, its ``items`` (``[]`` for none)."""

    value: Quantity | None = None
    items: list[str] | None = None
    source: SourceRef

    @model_validator(mode="after")
    def _one(self):
        if (self.value is None) == (self.items is None):
            raise invalid("override_value_or_items")
        return self


ROUNDING_MODES = ("half_up", "up", "down")


class Rounding(StrictModel):
    """How every printed tariff is rounded: the rule of the decision the scenario follows."""

    mode: Literal[ROUNDING_MODES] = "half_up"  # type: ignore[valid-type]
    step: _quantity("som", positive=True) | None = None
    source: SourceRef

    @field_validator("step")
    @classmethod
    def _whole_tyiyn(cls, q):
        # every output prints money to the tyiyn: a finer step would be rounded again
        tyiyn = q.to("som") * 100 if q is not None else 1
        if tyiyn < 1 - 1e-9 or abs(tyiyn - round(tyiyn)) > 1e-6:
            raise invalid("rounding_step_tyiyn", value=str(q))
        return q




def _heads_from_in_schema(schema: dict) -> None:
    """The JSON Schema of a category as written: its heads may come from the economic base
    (``heads_from``, merged in before validation, see :mod:`okmo_models.scenario.base_heads`)."""
    schema["properties"]["heads_from"] = {
        "description": "the economic base whose latest count gives the heads of these species",
        "type": "object", "additionalProperties": False, "required": ["economic_base", "species"],
        "properties": {"economic_base": {"type": "string"},
                       "species": {"type": "array", "minItems": 1, "items": {"type": "string"}}}}


class Category(StrictModel):
    """A consumer category and how much of the service it takes in a year."""

    model_config = ConfigDict(**StrictModel.model_config, json_schema_extra=_heads_from_in_schema)

    id: Slug
    kind: Literal[CATEGORY_KINDS]  # type: ignore[valid-type]
    name: LocalText
    billing_unit: str
    persons: _quantity("person", positive=True) | None = None
    households: _quantity("household", positive=True) | None = None
    area: _quantity("m2", positive=True) | None = None  # floor area billed per m2
    household_size: _quantity("person/household", positive=True) | None = None
    norm: _quantity("m3/person/year", "t/person/year", "m3/m2/year", "t/m2/year",
                    positive=True) | None = None
    volume: _quantity("m3/year", "t/year", positive=True) | None = None
    heads: dict[str, _quantity("head", positive=True)] | None = None
    multiplier: Number = Field(default=1.0, gt=0)
    policy: Literal[TARIFF_POLICIES] | None = None  # type: ignore[valid-type]
    fixed_tariff: NonNegative | None = None
    # Whether the fixed tariff includes VAT and sales tax; required when the operator pays them.
    fixed_tariff_taxes: Literal["included", "excluded"] | None = None
    collection_rate: Share | None = None
    current_tariff: NonNegative | None = None
    source: SourceRef

    _billing_unit = field_validator("billing_unit")(lambda v: known_unit(v))

    @field_validator("collection_rate")
    @classmethod
    def _rate(cls, v):
        return _check_collection_rate(v)

    @model_validator(mode="after")
    def _policy(self):
        if self.policy == "fixed" and self.fixed_tariff is None:
            raise invalid("fixed_without_tariff")
        if self.fixed_tariff is not None and self.policy not in (None, "fixed"):
            raise invalid("tariff_with_other_policy", policy=self.policy)
        if self.fixed_tariff is not None and self.multiplier != 1:
            raise invalid("multiplier_with_fixed", value=self.multiplier)
        if self.fixed_tariff_taxes is not None and self.fixed_tariff is None:
            raise invalid("taxes_without_fixed_tariff")
        return self

    @property
    def effective_policy(self) -> str:
        if self.policy:
            return self.policy
        return "fixed" if self.fixed_tariff is not None else "balancing"


def _check_collection_rate(q: Quantity | None):
    if q is None:
        return q
    _expect("%")(q)
    fraction = q.value * q.parsed_unit.factor
    if not (0 < fraction <= 1):
        raise invalid("collection_rate_range", value=str(q))
    return q


class WasteSection(StrictModel):
    basis: Literal["m3", "t"] = "m3"
    density: _quantity("t/m3", positive=True) | None = None
    landfill_fee: _quantity("som/m3", "som/t") | None = None
    landfill_fee_source: SourceRef | None = None
    landfill_fee_component: str | None = None

    @model_validator(mode="after")
    def _needs(self):
        if self.basis == "t" and self.density is None:
            raise invalid("tonnes_need_density")
        if self.landfill_fee is not None and not self.landfill_fee_source:
            raise invalid("landfill_fee_source_missing")
        return self


class WaterSection(StrictModel):
    produced: _quantity("m3/year", positive=True)
    losses: Share
    source: SourceRef

    @field_validator("losses")
    @classmethod
    def _losses(cls, q):
        if not 0 <= q.to("%") < 100:
            raise invalid("losses_range", value=str(q))
        return q


# Species the outputs and workbooks name in the reader's language (``species_*``); the same
# keys as the livestock register's vocabulary. Another species is shown as written.
SPECIES = ("sheep", "goats", "cattle", "horses", "yaks", "camels", "pigs")


class DippingBathSection(StrictModel):
    dippings_per_year: Number = Field(gt=0)
    species_coefficients: dict[str, Number]
    source: SourceRef

    @field_validator("species_coefficients")
    @classmethod
    def _coefficients(cls, v):
        for species, c in v.items():
            if not c > 0:
                raise invalid("must_be_positive", value=f"{species}: {c}")
        return v


# --- tariff policy (issue 3): affordability, vulnerable households, path, investments ----


class IncomeGroup(StrictModel):
    name: LocalText
    income_per_capita: _quantity("som/person/month", positive=True)
    share: PositiveShare
    household_size: _quantity("person/household", positive=True) | None = None
    source: SourceRef


class ThresholdValue(StrictModel):
    value: Share
    source: SourceRef


class Affordability(StrictModel):
    """Bill as a share of household income, by income group, against a threshold."""

    threshold: ThresholdValue | None = None
    threshold_parameter: str | None = None
    category: str | None = None
    income_groups: list[IncomeGroup] | None = None
    income_groups_parameter: str | None = None
    target_share_above: Share = Quantity(value=20, unit="%")

    @model_validator(mode="after")
    def _one_threshold(self):
        if (self.threshold is None) == (self.threshold_parameter is None):
            raise invalid("threshold_one_of")
        if self.income_groups is not None and self.income_groups_parameter is not None:
            raise invalid("income_groups_one_of")
        return self


class VulnerableGroup(StrictModel):
    name: LocalText
    households: _quantity("household", positive=True)
    discount: _quantity("%", "som/household/month", positive=True)
    category: str
    source: SourceRef

    @field_validator("discount")
    @classmethod
    def _at_most_the_bill(cls, q):
        if not q.parsed_unit.dims and q.value * q.parsed_unit.factor > 1:
            raise invalid("discount_above_100", value=str(q))
        return q


class Vulnerable(StrictModel):
    """Social Passport categories with a discount, paid by the budget or by other payers."""

    financing: Literal["budget", "cross_subsidy"]
    groups: list[VulnerableGroup] = Field(min_length=1)


class TariffPath(StrictModel):
    """From today's tariff to cost recovery over several years."""

    years: int = Field(ge=1, le=40)
    cpi: SignedShare | None = None  # default: the package's cpi_forecast_kg parameter
    cpi_by_year: dict[int, SignedShare] = {}
    cpi_source: SourceRef | None = None
    max_increase: PositiveShare | None = None

    @model_validator(mode="after")
    def _cpi_source(self):
        if (self.cpi is not None or self.cpi_by_year) and not self.cpi_source:
            raise invalid("cpi_needs_source")
        return self

    @field_validator("cpi")
    @classmethod
    def _cpi(cls, q):
        if q is not None and q.value * q.parsed_unit.factor <= -1:
            raise invalid("cpi_range", value=str(q))
        return q

    @field_validator("cpi_by_year")
    @classmethod
    def _cpi_by_year(cls, v):
        for q in v.values():
            cls._cpi(q)
        return v

    affordability_cap: bool = False
    categories: list[str] | None = None


class Financing(StrictModel):
    type: Literal["own", "grant", "loan"]
    share: PositiveShare
    rate: Share | None = None
    term: Years | None = None

    @model_validator(mode="after")
    def _loan_terms(self):
        if self.type == "loan" and (self.rate is None or self.term is None):
            raise invalid("loan_needs_rate_and_term")
        if self.type != "loan" and (self.rate is not None or self.term is not None):
            raise invalid("rate_only_for_loans")
        return self


class Investment(StrictModel):
    name: LocalText
    year: Year = Field(ge=2000, le=2100)
    value: Money
    useful_life: Years
    financing: list[Financing] = Field(min_length=1)
    source: SourceRef


class InvestmentPlan(StrictModel):
    grant_assets_depreciated: bool
    depreciation_fund_opening: Money = Quantity(value=0, unit="som")
    items: list[Investment] = Field(min_length=1)


# --- the production programme and the staffing table (issue 22): the калькуляция derived ---


class Fuel(StrictModel):
    """A fuel the machines use and its price: the cost line the vehicles' litres add up to."""

    name: LocalText
    price: _quantity("som/l", positive=True)
    source: SourceRef
    uncertainty: Uncertainty | None = None
    component: str | None = None


class FuelAllowance(StrictModel):
    """A percentage added to a fuel norm (winter, mountain roads, frequent stops, as the
    Russian Ministry of Transport's recommendations AM-23-r list them), for the months of the
    year it applies (all twelve unless ``months`` says fewer)."""

    name: LocalText
    value: PositiveShare
    months: Number = Field(default=12, gt=0, le=12)
    source: SourceRef


class Route(StrictModel):
    """A route a vehicle drives: trips a day, days a week, weeks a year, km a trip, and how
    much it carries a trip (m3 or t of waste), which is checked against the volume."""

    name: LocalText | None = None
    trips_per_day: Number = Field(gt=0, le=100)
    days_per_week: Number = Field(gt=0, le=7)
    weeks: Number = Field(gt=0, le=53)
    km_per_trip: _quantity("km", positive=True)
    load_per_trip: _quantity("m3", "t", positive=True) | None = None

    @model_validator(mode="after")
    def _calendar(self):
        if self.days_per_week * self.weeks > 366:
            raise invalid("route_days_in_year", value=f"{self.days_per_week:g} × {self.weeks:g}")
        return self


class Tyres(StrictModel):
    """Tyres worn by mileage: a set of ``count`` tyres at ``price`` lasts ``mileage`` km."""

    count: Number = Field(gt=0, le=100)
    price: _quantity("som/piece", positive=True)
    mileage: _quantity("km", positive=True)
    source: SourceRef


class Vehicle(StrictModel):
    """A vehicle or machine of the programme: fuel from its routes' kilometres by a norm in
    l/100 km with allowances, and from its working hours by a norm in l/hour; tyres and
    repairs from its kilometres where their norms are given."""

    name: LocalText
    fuel: str
    routes: list[Route] = []
    fuel_norm: _quantity("l/100km", positive=True) | None = None
    allowances: list[str] = []
    hours: _quantity("hour/year", positive=True) | None = None
    fuel_per_hour: _quantity("l/hour", positive=True) | None = None
    tyres: Tyres | None = None
    repairs: _quantity("som/km", positive=True) | None = None
    source: SourceRef
    component: str | None = None  # of its tyres and repairs lines

    @field_validator("hours")
    @classmethod
    def _hours_in_a_year(cls, q):
        # "2 hour/day" would be taken for 365 days: the economist means working days
        if q is not None and "day" in q.unit.split("/")[1:]:
            raise invalid("hours_per_day_ambiguous", value=str(q))
        return q

    @model_validator(mode="after")
    def _norms(self):
        if not self.routes and self.hours is None:
            raise invalid("vehicle_without_work")
        if self.routes and self.fuel_norm is None:
            raise invalid("vehicle_needs_fuel_norm")
        if self.hours is not None and self.fuel_per_hour is None:
            raise invalid("vehicle_needs_hour_norm")
        if (self.tyres is not None or self.repairs is not None) and not self.routes:
            raise invalid("vehicle_mileage_needs_routes")
        # a figure that would enter nothing is refused, never dropped
        if self.fuel_norm is not None and not self.routes:
            raise invalid("vehicle_norm_without_routes", value=str(self.fuel_norm))
        if self.fuel_per_hour is not None and self.hours is None:
            raise invalid("vehicle_hour_norm_without_hours", value=str(self.fuel_per_hour))
        if self.allowances and not self.routes:
            raise invalid("vehicle_allowances_without_routes", value=", ".join(self.allowances))
        if len(set(self.allowances)) != len(self.allowances):
            raise invalid("vehicle_allowance_twice", value=", ".join(self.allowances))
        return self


class Pumping(StrictModel):
    """Electricity to lift and deliver the water: the volume pumped (``water.produced``) times
    the specific consumption in kWh/m3, at the electricity price."""

    name: LocalText | None = None  # the line's name; "Электроэнергия на подъём и подачу воды" if left out
    energy: _quantity("kWh/m3", positive=True)
    price: _quantity("som/kWh", positive=True)
    source: SourceRef
    uncertainty: Uncertainty | None = None
    component: str | None = None


class Chemical(StrictModel):
    """A reagent for treating water (chlorine, coagulant): the volume produced times the dose."""

    name: LocalText
    dose: _quantity("g/m3", positive=True)
    price: _quantity("som/kg", positive=True)
    source: SourceRef
    uncertainty: Uncertainty | None = None
    component: str | None = None


class ProductionProgramme(StrictModel):
    """What the operator does in a year and what it takes: volumes served by year (as a
    percentage of the tariff year's), and optionally the vehicles and machines with their
    routes and hours, the fuels, and for water the pumping and the reagents."""

    volume_by_year: dict[int, PositiveShare] = {}
    source: SourceRef
    fuels: dict[str, Fuel] = {}
    allowances: dict[str, FuelAllowance] = {}
    vehicles: list[Vehicle] = []
    pumping: Pumping | None = None
    chemicals: list[Chemical] = []


class PayAddition(StrictModel):
    """A monthly allowance on a salary (надбавка): a percentage of it or som a month."""

    name: LocalText
    value: _quantity("%", "som/month")


class Bonus(StrictModel):
    """A bonus or vacation payment as the economist writes it: a percentage of the year's pay,
    or a number of monthly pays a year."""

    name: LocalText
    share: Share | None = None
    months: Number | None = Field(default=None, gt=0, le=12)

    @model_validator(mode="after")
    def _one(self):
        if (self.share is None) == (self.months is None):
            raise invalid("bonus_share_or_months")
        return self


class Position(StrictModel):
    """A line of the staffing table (штатное расписание): how many, the monthly salary of
    each, allowances and bonuses."""

    name: LocalText
    count: _quantity("staff", positive=True)
    salary: _quantity("som/month", "som/staff/month", positive=True)
    allowances: list[PayAddition] = []
    bonuses: list[Bonus] = []
    source: SourceRef
    uncertainty: Uncertainty | None = None
    component: str | None = None


class Staffing(StrictModel):
    """The staffing table: wages follow from it, and the Social Fund from the wages."""

    positions: list[Position] = Field(min_length=1)


class SharedMember(StrictModel):
    name: LocalText
    volume: _quantity("m3/year", "t/year", positive=True) | None = None
    heads: _quantity("head", positive=True) | None = None
    distance: _quantity("km", positive=True) | None = None
    share: PositiveShare | None = None
    households: _quantity("household", positive=True) | None = None
    source: SourceRef


class Sharing(StrictModel):
    """One service shared by several municipalities, costs split by a documented key."""

    key: Literal["volume", "heads", "distance", "fixed_share"]
    key_source: SourceRef
    members: list[SharedMember] = Field(min_length=2)


class Sensitivity(StrictModel):
    swing: PositiveShare = Quantity(value=10, unit="%")
    draws: int = Field(default=10_000, ge=100, le=1_000_000)
    seed: int = Field(default=2027, ge=0)


def _assets_from_in_schema(schema: dict) -> None:
    """The JSON Schema of the file as written: the assets may also come from the settlement
    passport (``assets_from``, merged in before validation, see
    :mod:`okmo_models.scenario.passport_assets`)."""
    schema["properties"]["assets_from"] = {"description": "the settlement passport whose objects of this service "
                                           "are depreciated (a file), or {passport: file, objects: [ids]}",
                                           "oneOf": [{"type": "string"}, {
                                               "type": "object", "additionalProperties": False,
                                               "required": ["passport", "objects"],
                                               "properties": {"passport": {"type": "string"},
                                                              "objects": {"type": "array", "minItems": 1,
                                                                          "items": {"type": "string"}}}}]}


class Scenario(StrictModel):
    """A tariff scenario: one municipality, one service, one tariff year."""

    model_config = ConfigDict(**StrictModel.model_config, json_schema_extra=_assets_from_in_schema)

    schema_version: Literal[1]
    municipality: Municipality
    service: Literal[SERVICES]  # type: ignore[valid-type]
    tariff_year: Year = Field(ge=2000, le=2100)
    description: LocalText | None = None
    # how "180,500" reads; without it a comma or point before three digits is refused
    decimal_mark: Literal[",", "."] | None = None
    operator: Operator
    # read as LocalText (its errors name the languages); one written as a plain string is then
    # kept as that str, one text for every reader (_plain_sources)
    sources: dict[str, LocalText] = Field(min_length=1)
    parameters: dict[str, ParameterOverride] = {}
    rounding: Rounding | None = None
    components: list[Component] = []
    # at least one line, here or derived from the staffing table or the production programme
    cost_lines: list[CostLine] = []
    assets: list[Asset] = []
    profitability: Share = Quantity(value=0, unit="%")
    debt_service: list[DebtService] = []
    categories: list[Category] = Field(min_length=1)
    collection_rate: Share
    waste: WasteSection | None = None
    water: WaterSection | None = None
    dipping_bath: DippingBathSection | None = None
    affordability: Affordability | None = None
    vulnerable: Vulnerable | None = None
    path: TariffPath | None = None
    investments: InvestmentPlan | None = None
    production_programme: ProductionProgramme | None = None
    staffing: Staffing | None = None
    sharing: Sharing | None = None
    sensitivity: Sensitivity | None = None

    @field_validator("collection_rate")
    @classmethod
    def _rate(cls, v):
        return _check_collection_rate(v)

    @field_validator("sources", mode="before")
    @classmethod
    def _no_control_in_plain_sources(cls, v):
        # a plain source is refused as the field it stands in, as before sources had languages
        if isinstance(v, dict):
            plain = [text for text in v.values() if isinstance(text, str)]
            found = next((text for text in plain if CONTROL.search(text)), None)
            if found is not None:
                raise invalid("control_character", text=shorten(found))
        return v

    @field_validator("sources")
    @classmethod
    def _plain_sources(cls, v):
        return {key: text.ru if text._given is None else text for key, text in v.items()}

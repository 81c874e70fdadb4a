"""The declared schema of a budget history file (``kind: budget``).

Amounts are in the file's ``unit`` (som or thousand_som); each budget line lists one value
per year of ``years``; rates (CPI) carry their unit. Checks that need the whole file (years
consecutive, lengths, non-negative revenue, lines adding up to reported totals) are the
rules of :mod:`okmo_models.budget.checks`, which the loader runs.
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import AfterValidator, ConfigDict, Field, PrivateAttr

from okmo_models.strict_schema import StrictModel, invalid
from okmo_models.scenario.schema import LocalText, Number, PlanFile, SignedShare, SourceRef, Year

REVENUE_LINES = ("land_tax", "property_tax", "vehicle_tax", "income_tax_share", "sales_tax_share",
                 "patents", "single_tax", "non_tax_revenue", "equalisation_grant", "targeted_transfers",
                 "other_revenue")
EXPENDITURE_LINES = ("wages", "social_fund", "utilities", "goods_and_services", "capital_works",
                     "transfers", "subsidies_to_enterprises", "reserve", "other_expenditure")
TAX_LINES = REVENUE_LINES[:7]
# Refunds may make "other revenue" negative; every other line is an amount of money, at least 0.
MAY_BE_NEGATIVE = ("other_revenue",)


def _above_minus_100(key: str, strict: bool):
    """A rate that keeps the amount it applies to above zero (strict: residents never
    vanish) or at least at zero (a change of -100 % removes a line)."""
    def check(q):
        fraction = q.value * q.parsed_unit.factor
        if fraction < -1 or (strict and fraction == -1):
            raise invalid(key, value=str(q))
        return q

    return check


Growth = Annotated[SignedShare, AfterValidator(_above_minus_100("growth_range", strict=True))]
Change = Annotated[SignedShare, AfterValidator(_above_minus_100("change_range", strict=False))]


class Series(StrictModel):
    values: list[Number] = Field(min_length=3)
    source: SourceRef
    name: LocalText | None = None


class FixedLine(StrictModel):
    """A line set by policy (e.g. a transfer fixed by the ministry) for the forecast years."""

    values: dict[int, Number]
    source: SourceRef


class PlanLink(StrictModel):
    """An expenditure line that pays for other plans of the municipality, by reference: from
    the year every tariff named is in force, the line is their subsidies and the discounts
    the budget pays (:mod:`okmo_models.plan_links`), not a forecast from its history."""

    tariffs: list[str] = Field(min_length=1)  # tariff files, relative to the budget file
    source: SourceRef


class Totals(StrictModel):
    revenue: list[Number] | None = None
    expenditure: list[Number] | None = None
    source: SourceRef


class Population(StrictModel):
    """Residents by history year, the baseline growth for the forecast years, and the
    lines that follow the number of residents (elasticity 1: one per cent more residents,
    one per cent more revenue)."""

    # in the JSON Schema of the file as written, residents by year may stand in the history table
    model_config = ConfigDict(json_schema_extra=lambda schema: schema["required"].remove("values"))

    values: list[Number] = Field(min_length=3)
    growth: Growth
    source: SourceRef
    elasticity: dict[str, Number] = {}


class LineChange(StrictModel):
    """A change to one line from a year on: a rate change (``change``), a new taxpayer or
    a new obligation (``add``, a yearly amount in the file's unit, indexed with prices
    unless ``indexed: false``), or values set by a new rule (``set``, by year)."""

    model_config = ConfigDict(**StrictModel.model_config, populate_by_name=True)
    line: str
    from_year: Year = Field(alias="from")
    change: Change | None = None
    add: Number | None = None
    indexed: bool = True
    set: dict[int, Number] | None = None
    source: SourceRef
    name: LocalText | None = None


class BudgetVariant(StrictModel):
    """A scenario as a difference from the baseline forecast: another CPI path, another
    population growth, and changes to lines."""

    name: LocalText
    description: LocalText | None = None
    cpi: dict[int, SignedShare] = {}  # each above -100 % (see checks.cpi_above_minus_100)
    population_growth: Growth | None = None
    changes: list[LineChange] = []


def _history_table_in_schema(schema: dict) -> None:
    """The JSON Schema of the file as written: the history may stand in a CSV table named by
    ``history`` (merged in before validation) instead of ``years``, ``revenue``, ``expenditure``."""
    schema["properties"]["history"] = {"type": "string", "description": "a CSV table of the history, "
                                       "next to the budget file (section;line;source;year...)"}
    in_table = ("years", "revenue", "expenditure")
    schema["required"] = [k for k in schema["required"] if k not in in_table]
    schema["oneOf"] = [{"required": ["history"]}, {"required": list(in_table)}]


class BudgetScenario(PlanFile):
    model_config = ConfigDict(json_schema_extra=_history_table_in_schema)

    kind: Literal["budget"]
    # each a plain text or {ru, ky, en}: the report and the JSON cite it in the reader's language
    sources: dict[str, LocalText] = Field(min_length=1)
    years: list[Year] = Field(min_length=4)
    revenue: dict[str, Series] = Field(min_length=1)
    expenditure: dict[str, Series] = Field(min_length=1)
    totals: Totals | None = None
    cpi: dict[int, SignedShare]  # each above -100 % (see checks.cpi_above_minus_100)
    cpi_source: SourceRef
    horizon: int = Field(default=3, ge=1, le=3)
    long_horizon: int = Field(default=8, ge=3, le=15)
    fixed: dict[str, FixedLine] = {}
    plans: dict[str, PlanLink] = {}  # expenditure line -> the tariffs it finances
    methods: dict[str, Literal["naive", "average_growth", "cpi_real", "ses", "damped_trend"]] = {}
    population: Population | None = None
    cpi_elasticity: dict[str, Number] = {}
    scenarios: dict[str, BudgetVariant] = {}
    draws: int = Field(default=20_000, ge=1_000, le=200_000)
    seed: int = Field(default=2027, ge=0)
    # an economic-base file (relative to this one): the revenue lines its revenue_bases
    # lists are forecast from their base (okmo_models.budget.bases)
    bases: str | None = Field(default=None, min_length=1)
    # that file as read and its lines forecast (okmo_models.budget.bases.BudgetBases), set by
    # load_budget: every forecast of this budget, however it is called, uses them
    _bases: object = PrivateAttr(default=None)


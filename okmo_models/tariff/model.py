"""From a scenario to numbers: the compiled tariff model and its evaluation.

:class:`TariffModel` turns a validated scenario into arrays once (cost lines, category
volumes, conversion factors, resolved parameters); :meth:`TariffModel.evaluate` then
runs the formulas for one scenario or for many cost variants at once, and
:meth:`TariffModel.result` wraps a single evaluation into an immutable
:class:`~okmo_models.tariff.result.TariffResult`.
"""

from __future__ import annotations

from dataclasses import dataclass
from types import MappingProxyType

import numpy as np

from okmo_models.errors import Problem, ScenarioError
from okmo_models.formatting import NO_BASIS, STRAIGHT_LINE, Basis, format_number
from okmo_models.i18n import LANGUAGES, t
from okmo_models.parameters import (
    ParameterNotDefined,
    ParameterOfAnotherCountry,
    ParameterValue,
    known_parameters,
    resolve,
)
from okmo_models.scenario.checks import base_unit
from okmo_models.scenario.loader import ScenarioFile
from okmo_models.scenario.schema import Category, LocalText, ParameterOverride, Quantity, Scenario
from okmo_models.tariff import formulas as f
from okmo_models.tariff.derivations import Derivation, capacity_problems, derive
from okmo_models.units import parse_unit

# Sales tax on a service that carries VAT, and on one that does not (exempt, or no VAT payer).
SALES_TAX = ("sales_tax_rate", "sales_tax_rate_not_vat_taxable")


def _local(key: str, **context) -> LocalText:
    return LocalText(**{lang: t(key, lang, **context) for lang in LANGUAGES})


def _num(x: float) -> dict[str, str]:
    """``x`` as a note's reader writes it, in each language (a note is read in one of them)."""
    decimals = 0 if float(x).is_integer() else 2
    return {lang: format_number(x, decimals, lang) for lang in LANGUAGES}


def _as_written(value: ParameterValue) -> float:
    """A parameter's value in its declared unit (17.25 for 17.25 %), not in base units."""
    return round(value.value / parse_unit(value.unit).factor, 10)


@dataclass(frozen=True)
class CostLineSpec:
    """A line of the калькуляция as the model uses it."""

    line: str
    name: LocalText
    amount_som: float  # som/year before any variant factor
    basis: Basis  # how the amount was obtained: the quantities multiplied, or the method
    source: object  # LocalText or str: the reader's language is chosen in the output
    derived: bool  # computed by the model (Social Fund, depreciation, landfill fee)
    # how the quantity and price follow from the staffing table or the production programme
    derivation: Derivation | None = None


@dataclass(frozen=True)
class CategorySpec:
    """A consumer category with its volumes and conversion factors."""

    category: Category
    volume: float  # base units per year (m3, t or sheep-equivalent head-dippings)
    base_per_billing_unit: float  # base units in one billing unit
    billing_units_per_year: float
    persons: float | None
    households: float | None
    area: float | None
    collection_rate: float
    fixed_tariff_som: float | None  # as given, in the unit and tax status below
    fixed_per_base: bool  # the fixed tariff is given per base unit (som/m3), not per billing unit
    fixed_taxes_included: bool  # the fixed tariff includes VAT and sales tax
    current_tariff_som: float | None  # per billing unit
    species_coefficients: dict | None = None

    def fixed_gross_per_base(self, tax_factor: float) -> float:
        """The fixed tariff as the allocation uses it: with taxes, per base unit."""
        value = self.fixed_tariff_som * (1.0 if self.fixed_taxes_included else tax_factor)
        return value if self.fixed_per_base else value / self.base_per_billing_unit


def _tariff_lines(c: CategorySpec):
    """(coefficient, share of the category's billed units) of each billed tariff line."""
    if not c.species_coefficients:
        return [(1.0, None)]
    heads = {sp: q.to("head") for sp, q in c.category.heads.items()}
    weighted = sum(heads[sp] * k for sp, k in c.species_coefficients.items())
    # count of heads of a species = share of the sheep-equivalent volume / coefficient
    return [(k, heads[sp] / weighted) for sp, k in c.species_coefficients.items()]


class TariffModel:
    """A compiled tariff scenario, ready to evaluate."""

    def __init__(self, scenario: Scenario | ScenarioFile):
        if isinstance(scenario, ScenarioFile):
            self.origin: ScenarioFile | None = scenario
            scenario = scenario.scenario
        else:
            self.origin = None
        self.scenario = s = scenario
        self.base_unit = base_unit(s)
        self.parameters = self._resolve_parameters()
        p = {v.name: v.value for v in self.parameters}
        self.social_fund_rate = p.get("social_fund_employer_rate", 0.0)
        self.vat_rate = self._vat_rate(p)
        self.sales_tax_rate = next((p[n] for n in SALES_TAX if n in p), 0.0)
        self.tax_factor = 1.0 + self.vat_rate + self.sales_tax_rate
        self.rounding_step = p["tariff_rounding_step"]
        self.rounding_mode = p["tariff_rounding_mode"]
        self.profitability = s.profitability.value * s.profitability.parsed_unit.factor
        self.debt_service_som = float(sum(d.amount.to("som/year") for d in s.debt_service))
        self.notes: list[tuple[str, dict]] = []

        self.categories = tuple(self._category(c) for c in s.categories)
        self._check_fixed_taxes()
        self.total_volume = sum(c.volume for c in self.categories)
        self._check_capacity()
        derived = derive(s)
        # every line of the калькуляция as a scenario line: those the staffing table and the
        # production programme give, then those the file writes (one index for all that follows)
        self.cost_line_inputs = tuple(d.cost_line for d in derived) + tuple(s.cost_lines)
        derivations = tuple(d.derivation for d in derived) + (None,) * len(s.cost_lines)
        self.input_lines = tuple(self._input_line(c, d) for c, d in zip(self.cost_line_inputs, derivations))
        self.asset_rows = self._assets()
        self.depreciation_som = sum(r["charge_som"] for r in self.asset_rows if r["in_tariff"])
        self.landfill_fee_som = self._landfill_fee()
        self._arrays()
        self._service_notes()

    # --- compile ------------------------------------------------------------------

    def _resolve_parameters(self) -> tuple[ParameterValue, ...]:
        """The parameters this scenario uses, in force on 1 January of the tariff year."""
        s = self.scenario
        names = ["tariff_rounding_step", "tariff_rounding_mode"]
        if self.social_fund_computed:
            names.append("social_fund_employer_rate")
        if s.operator.vat_payer:
            names.append("vat_rate")
            if "vat_rate" not in s.parameters:  # an own VAT rate applies regardless (see _vat_rate)
                names.append("vat_exempt_services")
        overrides = {**s.parameters, **self._rounding_overrides()}
        out, problems = [], []

        def resolve_all(names):
            for name in names:
                try:
                    out.append(resolve(name, s.tariff_year, overrides, s.sources, s.municipality.country))
                except ParameterNotDefined as exc:
                    problems.append(Problem(
                        path=("tariff_year",), key="parameter_not_in_force", value=s.tariff_year,
                        context={"name": name, "first": exc.first.isoformat()}))
                except ParameterOfAnotherCountry as exc:
                    problems.append(Problem(
                        path=("municipality", "country"), key="parameter_other_country",
                        value=exc.country, context={"name": name, "law_country": exc.law_country,
                                                    "country": exc.country}))

        resolve_all(names)
        if s.operator.sales_tax_payer and not problems:
            # The sales tax rate depends on whether the service carries VAT.
            vat = self._vat_rate({v.name: v.value for v in out})
            name, other = SALES_TAX if vat else SALES_TAX[::-1]
            if other in s.parameters and name not in s.parameters:
                problems.append(Problem(path=("parameters", other), key="sales_tax_other_rate",
                                        value=other, context={"name": name}))
            resolve_all([name])
        if problems:
            raise ScenarioError(self.file_name(), problems)
        return tuple(out)

    def _rounding_overrides(self) -> dict:
        """The scenario's ``rounding`` section as overrides of the two rounding parameters."""
        r = self.scenario.rounding
        if r is None:
            return {}
        out = {"tariff_rounding_mode": ParameterOverride(items=[r.mode], source=r.source)}
        if r.step is not None:
            out["tariff_rounding_step"] = ParameterOverride(value=r.step, source=r.source)
        return out

    @property
    def social_fund_computed(self) -> bool:
        """The Social Fund line is computed from wages unless the scenario gives it as an amount."""
        s = self.scenario
        lines = s.cost_lines
        wages = s.staffing is not None or any(c.line == "labour" for c in lines)
        return wages and not any(c.line == "social_fund" for c in lines)

    def _check_capacity(self):
        s = self.scenario
        density = s.waste.density.to("t/m3") if (s.waste and s.waste.density) else None
        problems = capacity_problems(s, self.total_volume, self.base_unit, density)
        if problems:
            raise ScenarioError(self.file_name(), problems)

    def _vat_rate(self, p: dict) -> float:
        """VAT applies to a VAT payer unless the service is exempt; an explicit override
        of vat_rate in the scenario records a tax office's ruling and applies regardless."""
        s = self.scenario
        if not s.operator.vat_payer:
            return 0.0
        if "vat_rate" not in s.parameters and s.service in p["vat_exempt_services"]:
            return 0.0
        return p["vat_rate"]

    def file_name(self) -> str:
        return str(self.origin.path) if self.origin else "<scenario>"

    def _input_line(self, c, derivation: Derivation | None = None) -> CostLineSpec:
        factors = [c.amount] if c.amount is not None else [c.quantity, c.price]
        basis = Basis.product(*((q.value, q.unit) for q in factors))
        return CostLineSpec(c.line, c.name, c.annual_som(), basis, self.scenario.sources[c.source],
                            derived=False, derivation=derivation)

    def _assets(self) -> list[dict]:
        s = self.scenario
        rows = []
        for a in s.assets:
            in_tariff = a.owner == "operator" or s.operator.type != "lessee"
            life = a.useful_life.to("year")
            rows.append(MappingProxyType({
                "name": a.name, "value_som": a.value.to("som"), "year": a.year,
                "useful_life_years": life, "in_tariff": in_tariff,
                "charge_som": float(f.straight_line_depreciation(a.value.to("som"), a.year, life,
                                                                 s.tariff_year)),
                "source": s.sources[a.source], "component": a.component,
            }))
        return rows

    def _landfill_fee(self) -> float:
        w = self.scenario.waste
        if w is None or w.landfill_fee is None:
            return 0.0
        fee_unit = "m3" if "volume" in w.landfill_fee.parsed_unit.dims else "t"
        fee = w.landfill_fee.to("som/" + fee_unit)
        volume = self.total_volume
        if fee_unit != self.base_unit:
            density = w.density.to("t/m3") if w.density else None
            if density is None:
                raise ScenarioError(self.file_name(), [Problem(path=("waste", "density"),
                                                           key="tonnes_need_density")])
            volume = volume * density if fee_unit == "t" else volume / density
        self._landfill_volume = (volume, fee_unit, fee)
        return fee * volume

    def _category(self, c: Category) -> CategorySpec:
        s = self.scenario
        rate = c.collection_rate or s.collection_rate
        collection = rate.value * rate.parsed_unit.factor
        current = c.current_tariff.to("som/" + c.billing_unit) if c.current_tariff else None
        fixed = dict(fixed_tariff_som=None, fixed_per_base=False,
                     fixed_taxes_included=c.fixed_tariff_taxes != "excluded")
        if c.fixed_tariff is not None:
            # per billing unit when it reads as one (som/m3 billed per m3); per base unit only
            # when the decision quotes m3 for a population billed per person or per m2
            per_billing = c.fixed_tariff.parsed_unit.same_dimension(
                Quantity(value=1, unit="som/" + c.billing_unit).parsed_unit)
            per_base = not per_billing
            unit = "som/" + (self.base_unit if per_base else c.billing_unit)
            fixed.update(fixed_tariff_som=c.fixed_tariff.to(unit), fixed_per_base=per_base)
        if s.service == "dipping_bath":
            coef = s.dipping_bath.species_coefficients
            volume = sum(q.to("head") * coef[sp] for sp, q in c.heads.items()) * \
                s.dipping_bath.dippings_per_year
            return CategorySpec(c, volume, 1.0, volume, None, None, None, collection,
                                current_tariff_som=current, **fixed,
                                species_coefficients={sp: coef[sp] for sp in c.heads})
        size = c.household_size.to("person/household") if c.household_size else None
        persons = c.persons.to("person") if c.persons else None
        households = c.households.to("household") if c.households else None
        area = c.area.to("m2") if c.area else None
        if persons is None and households is not None and size:
            persons = households * size
        if households is None and persons is not None and size:
            households = persons / size
        density = s.waste.density.to("t/m3") if (s.waste and s.waste.density) else None
        # factor converts m3/year, l/day, m3/person/month, m3/m2/month... to m3 (or t) per year
        q = c.volume if c.volume is not None else c.norm
        if c.volume is not None:
            base_count = 1.0
        else:
            base_count = area if "area" in q.parsed_unit.dims else persons
        amount = q.value * q.parsed_unit.factor * base_count
        is_mass = "mass" in q.parsed_unit.dims
        volume = self.to_base_unit(amount, is_mass, density)
        unit = c.billing_unit
        if unit in ("m3", "t"):
            k = self.to_base_unit(1.0, unit == "t", density)
        else:
            who, period = unit.split("/")
            count = {"person": persons, "household": households, "m2": area}[who]
            k = volume / count / (12.0 if period == "month" else 1.0)
        return CategorySpec(c, volume, k, volume / k, persons, households, area, collection,
                            current_tariff_som=current, **fixed)

    def _check_fixed_taxes(self):
        """A fixed tariff of an operator that pays turnover taxes must say whether it includes
        them: the same 42,40 is a different tariff with or without 18 % VAT."""
        if self.tax_factor == 1.0:
            return
        taxes = ", ".join(v.shown for v in self.parameters if v.name in ("vat_rate",) + SALES_TAX)
        problems = [Problem(path=("categories", i, "fixed_tariff_taxes"), key="fixed_tariff_taxes_missing",
                            value=str(c.category.fixed_tariff), context={"taxes": taxes})
                    for i, c in enumerate(self.categories)
                    if c.fixed_tariff_som is not None and c.category.fixed_tariff_taxes is None]
        if problems:
            raise ScenarioError(self.file_name(), problems)

    def to_base_unit(self, amount: float, is_mass: bool, density: float | None) -> float:
        """Convert an amount in m3 (or t) into the service's base unit."""
        if self.base_unit == "t" and not is_mass:
            return amount * density
        if self.base_unit != "t" and is_mass:
            return amount / density
        return amount

    def _arrays(self):
        lines = list(self.input_lines)
        labour = np.array([ln.line == "labour" for ln in lines])
        self._labour_mask = labour
        self._component_arrays()
        self._input_amounts = np.array([ln.amount_som for ln in lines], dtype=float)
        cats = self.categories
        self._volume = np.array([c.volume for c in cats])
        self._k = np.array([c.base_per_billing_unit for c in cats])
        self._n = np.array([c.billing_units_per_year for c in cats])
        self._weight = np.array([c.category.multiplier for c in cats])
        policies = [c.category.effective_policy for c in cats]
        self.fixed_policy = np.array([p == "fixed" for p in policies])  # categories whose tariff is fixed
        self._cost = np.array([p == "cost" for p in policies])
        self._fixed_gross_base = np.array([c.fixed_gross_per_base(self.tax_factor)
                                           if c.fixed_tariff_som is not None else 0.0 for c in cats])
        self._collection = np.array([c.collection_rate for c in cats])
        # Billed tariff lines: one per category, or one per species in a dipping bath, each
        # with its coefficient to the category tariff and its count billed per year.
        lines_of = [(i, k, c.volume / c.base_per_billing_unit * (share or 1.0))
                    for i, c in enumerate(cats)
                    for k, share in _tariff_lines(c)]
        self.line_category = np.array([i for i, _, _ in lines_of])
        self._line_coefficient = np.array([k for _, k, _ in lines_of])
        self._line_count = np.array([n for _, _, n in lines_of])
        self._line_indicator = (self.line_category[:, None] == np.arange(len(cats))[None, :]).astype(float)

    @property
    def allocation_inputs(self) -> tuple:
        """``(weight, volume, fixed_mask, cost_mask, fixed tariff per base unit)``, the
        categories' arrays :func:`~okmo_models.tariff.formulas.allocate_requirement` splits the
        requirement by (the workbook writes the same split as formulas)."""
        return self._weight, self._volume, self.fixed_policy, self._cost, self._fixed_gross_base

    def _component_arrays(self):
        """Which component each cost belongs to, as 0/1 matrices (empty without components)."""
        s = self.scenario
        self.components = tuple(s.components)
        ids = [c.id for c in self.components]

        def onehot(refs):
            return np.array([[ref == cid for cid in ids] for ref in refs], dtype=float).reshape(len(refs), len(ids))

        self._line_components = onehot([c.component for c in self.cost_line_inputs])
        in_tariff = [r for r in self.asset_rows if r["in_tariff"]]
        charges = np.array([r["charge_som"] for r in in_tariff])
        by_asset = onehot([r["component"] for r in in_tariff])
        total = charges.sum()
        self._depreciation_split = (charges @ by_asset / total) if total else np.zeros(len(ids))
        debts = np.array([d.amount.to("som/year") for d in s.debt_service])
        by_debt = onehot([d.component for d in s.debt_service])
        self._debt_split = (debts @ by_debt / debts.sum()) if debts.sum() else None
        fee = s.waste.landfill_fee_component if s.waste is not None else None
        self._landfill_split = onehot([fee])[0] if fee else np.zeros(len(ids))

    def component_shares(self, amounts, labour_som, depreciation, landfill, debt) -> np.ndarray:
        """Each component's share of the revenue requirement, (n, K).

        A component's requirement is its own costs (its lines, the Social Fund on its wages,
        its assets' depreciation, the landfill fee where it is) with the margin, its debt
        service, and the turnover taxes: the same formula as the whole tariff's.
        """
        costs = (amounts @ self._line_components
                 + labour_som @ self._line_components * self.social_fund_rate
                 + depreciation[:, None] * self._depreciation_split
                 + landfill[:, None] * self._landfill_split)
        # debt service of the scenario's own loans goes to their components; loans that a
        # multi-year plan adds are spread like the costs
        costs_share = costs / np.where(costs.sum(axis=1, keepdims=True) > 0, costs.sum(axis=1, keepdims=True), 1)
        debt_split = costs_share if self._debt_split is None else self._debt_split[None, :]
        requirement = costs * (1.0 + self.profitability) + debt[:, None] * debt_split
        total = requirement.sum(axis=1, keepdims=True)
        return requirement / np.where(total > 0, total, 1.0)

    def _service_notes(self):
        s = self.scenario
        if s.operator.type == "lessee" and not any(ln.line == "rent" for ln in self.input_lines):
            self.notes.append(("note_lessee_without_rent", {}))
        if s.water is not None:
            expected = s.water.produced.to("m3/year") * (1 - s.water.losses.value *
                                                         s.water.losses.parsed_unit.factor)
            if abs(self.total_volume - expected) > 0.05 * expected:
                self.notes.append(("note_water_balance", {
                    "billed": _num(self.total_volume), "expected": _num(expected)}))
        try:  # the 1-3 rule exists from 2025 on, in Kyrgyzstan; elsewhere nothing to flag
            low, high = resolve("water_commercial_multiplier_range", s.tariff_year,
                                country=s.municipality.country).value
        except (ParameterNotDefined, ParameterOfAnotherCountry):
            low, high = 0, float("inf")
        if s.service == "water":
            for c in s.categories:
                if c.kind != "population" and c.effective_policy != "fixed" and not (
                        low <= c.multiplier <= high):
                    self.notes.append(("note_multiplier_range", {
                        "category": c.id, "value": f"{c.multiplier:g}", "low": f"{low:g}",
                        "high": f"{high:g}"}))
        municipal = sum(r["charge_som"] for r in self.asset_rows if not r["in_tariff"])
        rent = sum(ln.amount_som for ln in self.input_lines if ln.line == "rent")
        if municipal > 0:
            self.notes.append(("note_rent_vs_depreciation", {
                "rent": _num(rent), "depreciation": _num(municipal),
                "share": f"{100 * rent / municipal:.0f}"}))
        for v in self.parameters:  # the rounding rule has a sentence of its own under the tariffs
            if v.overridden and not v.name.startswith("tariff_rounding"):
                # in the reader's words: the parameter's description and value in each language
                spec = known_parameters()[v.name]
                self.notes.append(("note_parameter_overridden", {
                    "name": {lang: spec.description.get(lang) or spec.description["ru"] for lang in LANGUAGES},
                    "value": {lang: v.text(lang) for lang in LANGUAGES}}))

    # --- evaluate -----------------------------------------------------------------

    def evaluate(self, cost_factors=None, *, depreciation_som=None, debt_service_som=None,
                 volume_factor=None, extra_revenue_som=None, price_index=None,
                 unrounded_only: bool = False) -> dict:
        """Run the calculation for n variants at once.

        Parameters
        ----------
        cost_factors : array (n, input lines), optional
            Scales the scenario's own cost lines (Monte Carlo draws, CPI indexation).
        depreciation_som, debt_service_som : array (n,), optional
            Replace the scenario's depreciation and debt service (multi-year plans).
        volume_factor : array (n,), optional
            Scales every category's volume (a production programme that grows).
        price_index : array (n,), optional
            Price level of the model-computed landfill fee (CPI in multi-year paths; the
            scenario's own lines are indexed through ``cost_factors``).
        extra_revenue_som : array (n,), optional
            Revenue the tariffs must raise on top of the requirement (discounts for
            vulnerable households financed by the other payers).
        unrounded_only : bool
            Return only ``requirement`` and ``tariff_unrounded`` (the same figures), without
            printing any tariff: a Monte Carlo of 10 000 draws needs no more.

        Returns a dict of arrays with a leading variant axis of length n (1 without any
        of these): line amounts, requirement and its parts, tariffs per category.
        """
        amounts = self._input_amounts[None, :]
        if cost_factors is not None:
            amounts = amounts * np.atleast_2d(cost_factors)
        n = max([amounts.shape[0]] + [np.size(x) for x in (depreciation_som, debt_service_som,
                                                           volume_factor) if x is not None])
        amounts = np.broadcast_to(amounts, (n, amounts.shape[1]))
        scale = np.ones(n) if volume_factor is None else np.broadcast_to(
            np.asarray(volume_factor, dtype=float), (n,))
        depreciation = np.broadcast_to(self.depreciation_som if depreciation_som is None
                                       else np.asarray(depreciation_som, dtype=float), (n,))
        debt = np.broadcast_to(self.debt_service_som if debt_service_som is None
                               else np.asarray(debt_service_som, dtype=float), (n,))
        labour = amounts[:, self._labour_mask].sum(axis=1)
        social_fund = f.social_fund_contribution(labour, self.social_fund_rate)
        prices = 1.0 if price_index is None else np.asarray(price_index, dtype=float)
        derived = np.column_stack([social_fund, depreciation, self.landfill_fee_som * scale * prices])
        costs = amounts.sum(axis=1) + derived.sum(axis=1)
        requirement, profit, vat, sales_tax = f.revenue_requirement(
            costs, self.profitability, debt, self.vat_rate, self.sales_tax_rate)
        to_bill = requirement if extra_revenue_som is None else requirement + extra_revenue_som
        per_base, unit_cost = f.allocate_requirement(
            to_bill, self._weight, self._volume * scale[:, None], self.fixed_policy, self._cost,
            self._fixed_gross_base)
        component_printed = None
        if self.components:  # each component printed by the rule; the tariff is their sum
            shares = self.component_shares(amounts, amounts * self._labour_mask, depreciation,
                                           derived[:, 2], debt)
            if unrounded_only:  # summed as printed_tariffs' figures are below
                return {"requirement": requirement, "tariff_unrounded": sum(
                    self._gross_unrounded(self._net_tariffs(per_base * shares[:, k][:, None])[1])
                    for k in range(len(self.components)))}
            component_printed = [self.printed_tariffs(per_base * shares[:, k][:, None])
                                 for k in range(len(self.components))]
            printed = {key: sum(cp[key] for cp in component_printed) for key in component_printed[0]}
        elif unrounded_only:
            return {"requirement": requirement, "tariff_unrounded": self._gross_unrounded(self._net_tariffs(per_base)[1])}
        else:
            printed = self.printed_tariffs(per_base)
        tariff = printed["gross_billing"]
        line = self.line_category
        line_unrounded = printed["gross_billing_unrounded"][:, line] * self._line_coefficient
        # a species' tariff is the category's tariff per head x its coefficient, by the same rule
        line_tariff = np.where(self._line_coefficient == 1.0, tariff[:, line], self.publish(line_unrounded))
        cash = self.round(f.cash_tariff(tariff, self._collection))
        count = self._line_count * scale[:, None]
        revenue = (line_tariff * count) @ self._line_indicator
        revenue_unrounded = ((line_unrounded * count) @ self._line_indicator).sum(axis=1)
        total_revenue = revenue.sum(axis=1)
        collected = (revenue * self._collection).sum(axis=1)
        gap = requirement - revenue_unrounded
        gap = np.where(np.abs(gap) <= 1e-9 * np.abs(requirement), 0.0, gap)  # float noise, not som
        return {
            "input_amounts": amounts, "derived_amounts": derived, "costs": costs,
            "profit": profit, "vat": vat, "sales_tax": sales_tax, "debt_service": debt,
            "requirement": requirement, "unit_cost": unit_cost,
            "tariff_unrounded": printed["gross_billing_unrounded"], "tariff": tariff,
            "tariff_net": printed["net_billing"], "tariff_base": printed["gross_base"],
            "tariff_net_base": printed["net_base"], "cash_tariff": cash, "revenue": revenue,
            "line_tariff": line_tariff, "total_revenue": total_revenue, "collected": collected,
            "volume_factor": scale,
            # The budget's subsidy is the gap the tariff policy leaves; rounding the tariffs
            # is the operator's gain or loss of a few som, shown apart, so that
            # requirement = revenue - rounding_difference + subsidy_need - surplus.
            "subsidy_need": np.maximum(gap, 0.0), "surplus": np.maximum(-gap, 0.0),
            "rounding_difference": total_revenue - revenue_unrounded,
            "components": component_printed,  # per component: the printed tariffs, or None
        }

    def round(self, value, mode=None):
        """``value`` rounded by the scenario's declared rule (or by ``mode``)."""
        return f.round_tariff(value, self.rounding_step, mode or self.rounding_mode)

    def publish(self, gross_unrounded, mode=None):
        """The printed tariff with taxes for an unrounded one: the tariff without taxes
        rounded, then the taxes on it rounded (see :meth:`printed_tariffs`)."""
        return self.round(self.round(np.asarray(gross_unrounded) / self.tax_factor, mode) * self.tax_factor,
                          mode)

    def printed_tariffs(self, gross_per_base) -> dict:
        """Every printed tariff of each category from its unrounded tariff per base unit.

        Tariffs without turnover taxes, per base unit and per billing unit, are each the
        unrounded value rounded once by the declared rule (as published calculations do:
        the per-person charge comes from the unrounded per-m3 tariff, not from the printed
        one).  Tariffs with taxes are the printed tariff without taxes times (1 + VAT +
        sales tax), rounded: the tax is charged on the approved tariff.  A fixed tariff is
        printed exactly as given in its own unit and tax status; its other figures follow
        from it by the same rule.
        """
        net_base, net_billing = self._net_tariffs(gross_per_base)
        out = {"net_base": self.round(net_base), "net_billing": self.round(net_billing)}
        out["gross_base"] = self.publish(net_base * self.tax_factor)
        out["gross_billing"] = self.publish(net_billing * self.tax_factor)
        for i, c in enumerate(self.categories):
            if c.fixed_tariff_som is None:
                continue
            given = self._fixed_given(c)
            out[given][:, i] = c.fixed_tariff_som
            if self.tax_factor == 1.0:  # net and gross are one figure
                out["net" + given[5:]][:, i] = c.fixed_tariff_som
            if c.base_per_billing_unit == 1.0:  # billed per m3 (or head): one figure per m3
                for tax in ("net_", "gross_"):
                    out[tax + "base"][:, i] = out[tax + "billing"][:, i]
        out["gross_billing_unrounded"] = self._gross_unrounded(net_billing)
        return out

    def _net_tariffs(self, gross_per_base):
        """``(net per base unit, net per billing unit)``, unrounded, fixed tariffs as given."""
        net_base = np.atleast_2d(gross_per_base) / self.tax_factor
        net_billing = net_base * self._k
        for i, c in enumerate(self.categories):  # the net tariff the given fixed tariff implies
            if c.fixed_tariff_som is not None:
                net = c.fixed_gross_per_base(self.tax_factor) / self.tax_factor
                net_base[:, i], net_billing[:, i] = net, net * c.base_per_billing_unit
        return net_base, net_billing

    def _fixed_given(self, c) -> str:
        """Which printed figure a fixed tariff is given as (``gross_billing``, ``net_base``...)."""
        return ("gross_" if c.fixed_taxes_included or self.tax_factor == 1.0 else "net_") + \
            ("base" if c.fixed_per_base else "billing")

    def _gross_unrounded(self, net_billing):
        """The unrounded tariff with taxes per billing unit; a fixed one as given."""
        gross_unrounded = net_billing * self.tax_factor
        for i, c in enumerate(self.categories):
            if c.fixed_tariff_som is not None and self._fixed_given(c) == "gross_billing":
                gross_unrounded[:, i] = c.fixed_tariff_som
        return gross_unrounded

    # --- labels for derived lines ---------------------------------------------------

    def derived_lines(self) -> tuple[CostLineSpec, ...]:
        labour = float(self._input_amounts[self._labour_mask].sum())
        sf = next((v for v in self.parameters if v.name == "social_fund_employer_rate"), None)
        rows = [CostLineSpec("social_fund", _local("line_social_fund_auto"), labour * self.social_fund_rate,
                             Basis.product((_as_written(sf), sf.unit), (labour, "som/year")) if sf else NO_BASIS,
                             sf.source if sf else "—", True),
                CostLineSpec("depreciation", _local("line_depreciation_auto",
                                                    count=sum(r["in_tariff"] for r in self.asset_rows)),
                             self.depreciation_som, STRAIGHT_LINE,
                             _local("source_asset_register"), True)]
        if self.landfill_fee_som:
            volume, unit, fee = self._landfill_volume
            w = self.scenario.waste
            rows.append(CostLineSpec("disposal", _local("line_landfill_fee_auto"), self.landfill_fee_som,
                                     Basis.product((volume, f"{unit}/year"), (fee, f"som/{unit}")),
                                     self.scenario.sources[w.landfill_fee_source], True))
        else:
            rows.append(CostLineSpec("disposal", _local("line_landfill_fee_auto"), 0.0, NO_BASIS, "—", True))
        return tuple(rows)

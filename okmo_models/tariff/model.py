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
from okmo_models.i18n import LANGUAGES, t
from okmo_models.parameters import ParameterNotDefined, ParameterValue, resolve
from okmo_models.scenario.loader import ScenarioFile
from okmo_models.scenario.schema import Category, LocalText, Scenario
from okmo_models.tariff import formulas as f

BASE_UNITS = {"water": "m3", "dipping_bath": "head"}


def _local(key: str, **context) -> LocalText:
    return LocalText(**{lang: t(key, lang, **context) for lang in LANGUAGES})


def _num(x: float) -> str:
    return f"{x:,.2f}".replace(",", " ").rstrip("0").rstrip(".")


@dataclass(frozen=True)
class CostLineSpec:
    """A line of the калькуляция as the model uses it."""

    line: str
    name: LocalText
    amount_som: float  # som/year before any variant factor
    basis: str  # how the amount was obtained, for the reader
    source: str
    derived: bool  # computed by the model (Social Fund, depreciation, landfill fee)


@dataclass(frozen=True)
class CategorySpec:
    """A consumer category with its volumes and conversion factors."""

    category: Category
    volume: float  # base units per year (m3, t or sheep-equivalent head-dippings)
    base_per_billing_unit: float  # base units in one billing unit
    billing_units_per_year: float
    persons: float | None
    households: float | None
    collection_rate: float
    fixed_tariff_som: float | None  # per billing unit
    current_tariff_som: float | None  # per billing unit
    species_coefficients: dict | None = None


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
        self.base_unit = BASE_UNITS.get(s.service) or (s.waste.basis if s.waste else "m3")
        self.parameters = self._resolve_parameters()
        p = {v.name: v.value for v in self.parameters}
        self.social_fund_rate = p.get("social_fund_employer_rate", 0.0)
        self.vat_rate = self._vat_rate(p)
        self.sales_tax_rate = p.get("sales_tax_rate", 0.0)
        self.rounding_step = p["tariff_rounding_step"]
        self.profitability = s.profitability.value * s.profitability.parsed_unit.factor
        self.debt_service_som = float(sum(d.amount.to("som/year") for d in s.debt_service))
        self.notes: list[tuple[str, dict]] = []

        self.categories = tuple(self._category(c) for c in s.categories)
        self.total_volume = sum(c.volume for c in self.categories)
        self.input_lines = tuple(self._input_line(c) for c in s.cost_lines)
        self.asset_rows = self._assets()
        self.depreciation_som = sum(r["charge_som"] for r in self.asset_rows if r["in_tariff"])
        self.landfill_fee_som = self._landfill_fee()
        self._arrays()
        self._service_notes()

    # --- compile ------------------------------------------------------------------

    def _resolve_parameters(self) -> tuple[ParameterValue, ...]:
        """The parameters this scenario uses, in force on 1 January of the tariff year."""
        s = self.scenario
        names = ["tariff_rounding_step"]
        if any(c.line == "labour" for c in s.cost_lines):
            names.append("social_fund_employer_rate")
        if s.operator.vat_payer:
            names += ["vat_rate", "vat_exempt_services"]
        if s.operator.sales_tax_payer:
            names.append("sales_tax_rate")
        out, problems = [], []
        for name in names:
            try:
                out.append(resolve(name, s.tariff_year, s.parameters, s.sources))
            except ParameterNotDefined as exc:
                problems.append(Problem(
                    path=("tariff_year",), key="parameter_not_in_force", value=s.tariff_year,
                    context={"name": name, "first": exc.first.isoformat()}))
        if problems:
            raise ScenarioError(self._file(), problems)
        return tuple(out)

    def _vat_rate(self, p: dict) -> float:
        """VAT applies to a VAT payer unless the service is exempt; an explicit override
        of vat_rate in the scenario records a tax office's ruling and applies regardless."""
        s = self.scenario
        if not s.operator.vat_payer:
            return 0.0
        if s.service in p["vat_exempt_services"] and "vat_rate" not in s.parameters:
            return 0.0
        return p["vat_rate"]

    def _file(self) -> str:
        return str(self.origin.path) if self.origin else "<scenario>"

    def _input_line(self, c) -> CostLineSpec:
        if c.amount is not None:
            basis = f"{_num(c.amount.value)} {c.amount.unit}"
        else:
            basis = f"{_num(c.quantity.value)} {c.quantity.unit} × {_num(c.price.value)} {c.price.unit}"
        return CostLineSpec(c.line, c.name, c.annual_som(), basis, self.scenario.sources[c.source],
                            derived=False)

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
                "source": s.sources[a.source],
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
                raise ScenarioError(self._file(), [Problem(path=("waste", "density"),
                                                           key="tonnes_need_density")])
            volume = volume * density if fee_unit == "t" else volume / density
        self._landfill_volume = (volume, fee_unit, fee)
        return fee * volume

    def _category(self, c: Category) -> CategorySpec:
        s = self.scenario
        rate = c.collection_rate or s.collection_rate
        collection = rate.value * rate.parsed_unit.factor
        fixed = c.fixed_tariff.to("som/" + c.billing_unit) if c.fixed_tariff else None
        current = c.current_tariff.to("som/" + c.billing_unit) if c.current_tariff else None
        if s.service == "dipping_bath":
            coef = s.dipping_bath.species_coefficients
            volume = sum(q.to("head") * coef[sp] for sp, q in c.heads.items()) * \
                s.dipping_bath.dippings_per_year
            return CategorySpec(c, volume, 1.0, volume, None, None, collection, fixed, current,
                                species_coefficients={sp: coef[sp] for sp in c.heads})
        size = c.household_size.to("person/household") if c.household_size else None
        persons = c.persons.to("person") if c.persons else None
        households = c.households.to("household") if c.households else None
        if persons is None and households is not None and size:
            persons = households * size
        if households is None and persons is not None and size:
            households = persons / size
        density = s.waste.density.to("t/m3") if (s.waste and s.waste.density) else None
        # factor converts m3/year, l/day, m3/person/month... to m3 (or t) per year
        q = c.volume if c.volume is not None else c.norm
        amount = q.value * q.parsed_unit.factor * (1.0 if c.volume is not None else persons)
        is_mass = "mass" in q.parsed_unit.dims
        volume = self._to_base(amount, is_mass, density)
        unit = c.billing_unit
        if unit in ("m3", "t"):
            k = self._to_base(1.0, unit == "t", density)
        else:
            who, period = unit.split("/")
            count = persons if who == "person" else households
            k = volume / count / (12.0 if period == "month" else 1.0)
        return CategorySpec(c, volume, k, volume / k, persons, households, collection, fixed, current)

    def _to_base(self, amount: float, is_mass: bool, density: float | None) -> float:
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
        self._input_amounts = np.array([ln.amount_som for ln in lines], dtype=float)
        cats = self.categories
        self._volume = np.array([c.volume for c in cats])
        self._k = np.array([c.base_per_billing_unit for c in cats])
        self._n = np.array([c.billing_units_per_year for c in cats])
        self._weight = np.array([c.category.multiplier for c in cats])
        policies = [c.category.effective_policy for c in cats]
        self._fixed = np.array([p == "fixed" for p in policies])
        self._cost = np.array([p == "cost" for p in policies])
        self._fixed_bill = np.array([c.fixed_tariff_som if c.fixed_tariff_som is not None else 0.0
                                     for c in cats])
        self._collection = np.array([c.collection_rate for c in cats])
        # Billed tariff lines: one per category, or one per species in a dipping bath, each
        # with its coefficient to the category tariff and its count billed per year.
        lines_of = [(i, k, c.volume / c.base_per_billing_unit * (share or 1.0))
                    for i, c in enumerate(cats)
                    for k, share in _tariff_lines(c)]
        self._line_category = np.array([i for i, _, _ in lines_of])
        self._line_coefficient = np.array([k for _, k, _ in lines_of])
        self._line_count = np.array([n for _, _, n in lines_of])
        self._line_indicator = (self._line_category[:, None] == np.arange(len(cats))[None, :]).astype(float)

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
        try:  # the 1-3 rule exists from 2025 on; earlier years have nothing to flag
            low, high = resolve("water_commercial_multiplier_range", s.tariff_year).value
        except ParameterNotDefined:
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
        for v in self.parameters:
            if v.overridden:
                self.notes.append(("note_parameter_overridden", {"name": v.name, "value": v.shown}))

    # --- evaluate -----------------------------------------------------------------

    def evaluate(self, cost_factors=None, *, depreciation_som=None, debt_service_som=None,
                 volume_factor=None, extra_revenue_som=None, price_index=None) -> dict:
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
            to_bill, self._weight, self._volume * scale[:, None], self._fixed, self._cost,
            np.where(self._fixed, self._fixed_bill / self._k, 0.0))
        unrounded = per_base * self._k
        line_unrounded = unrounded[:, self._line_category] * self._line_coefficient
        line_tariff = np.where(self._fixed[self._line_category], line_unrounded,
                               f.round_up(line_unrounded, self.rounding_step))
        tariff = np.where(self._fixed, self._fixed_bill, f.round_up(unrounded, self.rounding_step))
        cash = f.round_up(f.cash_tariff(tariff, self._collection), self.rounding_step)
        revenue = (line_tariff * self._line_count * scale[:, None]) @ self._line_indicator
        total_revenue = revenue.sum(axis=1)
        collected = (revenue * self._collection).sum(axis=1)
        return {
            "input_amounts": amounts, "derived_amounts": derived, "costs": costs,
            "profit": profit, "vat": vat, "sales_tax": sales_tax, "debt_service": debt,
            "requirement": requirement, "unit_cost": unit_cost, "tariff_unrounded": unrounded,
            "tariff": tariff, "cash_tariff": cash, "revenue": revenue, "line_tariff": line_tariff,
            "total_revenue": total_revenue, "collected": collected, "volume_factor": scale,
            "subsidy_need": np.maximum(requirement - total_revenue, 0.0),
            "surplus": np.maximum(total_revenue - requirement, 0.0),
        }

    def result(self):
        """Evaluate the scenario as written and return its :class:`TariffResult`."""
        from okmo_models.tariff.result import build_result

        return build_result(self, self.evaluate())

    # --- labels for derived lines ---------------------------------------------------

    def derived_lines(self) -> tuple[CostLineSpec, ...]:
        labour = float(self._input_amounts[self._labour_mask].sum())
        sf = next((v for v in self.parameters if v.name == "social_fund_employer_rate"), None)
        rows = [CostLineSpec("social_fund", _local("line_social_fund_auto"), labour * self.social_fund_rate,
                             f"{sf.shown} × {_num(labour)} som/year" if sf else "—",
                             sf.source if sf else "—", True),
                CostLineSpec("depreciation", _local("line_depreciation_auto",
                                                    count=sum(r["in_tariff"] for r in self.asset_rows)),
                             self.depreciation_som, "straight-line",
                             t("source_asset_register"), True)]
        if self.landfill_fee_som:
            volume, unit, fee = self._landfill_volume
            w = self.scenario.waste
            rows.append(CostLineSpec("disposal", _local("line_landfill_fee_auto"), self.landfill_fee_som,
                                     f"{_num(volume)} {unit}/year × {_num(fee)} som/{unit}",
                                     self.scenario.sources[w.landfill_fee_source], True))
        else:
            rows.append(CostLineSpec("disposal", _local("line_landfill_fee_auto"), 0.0, "—", "—", True))
        return tuple(rows)

"""The immutable result of a tariff calculation, its tables and its JSON contract.

:class:`TariffResult` holds plain numbers and tuples; tables are built on request as
new pandas DataFrames, so a notebook can sort or style them without touching the
result.  :meth:`TariffResult.to_dict` is the documented JSON contract
(docs/json-contract.md); keep it backward compatible and bump ``schema`` if not.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from okmo_models.formatting import Basis, basis, format_number
from okmo_models.i18n import LANGUAGES, t
from okmo_models.parameters import ParameterValue
from okmo_models.provenance import InputFile, Provenance, source_text
from okmo_models.scenario.loader import ScenarioFile
from okmo_models.scenario.schema import LocalText, Scenario, language_note
from okmo_models.tariff.derivations import Derivation, explain_line
from okmo_models.tariff.formulas import round_tariff

if TYPE_CHECKING:  # pandas is imported by the tables that need it: a hearing kernel never does
    import pandas as pd

JSON_SCHEMA = "okmo-tariff-result/3"

# Lines below production cost in the калькуляция: general and administrative overhead.
OVERHEAD_LINES = ("overhead",)


@dataclass(frozen=True)
class CostLineResult:
    line: str
    name: LocalText
    amount_som: float
    share: float  # of the revenue requirement
    basis: Basis  # how the amount was obtained; rendered by okmo_models.formatting.basis
    source: object  # a text in the reader's languages (provenance.source_text)
    derived: bool
    # the steps from the staffing table or the production programme (tariff.derivations)
    derivation: Derivation | None = None


@dataclass(frozen=True)
class CategoryTariff:
    id: str
    kind: str
    name: LocalText
    billing_unit: str
    policy: str
    multiplier: float
    volume: float  # base units per year
    billing_units_per_year: float
    tariff_som: float  # accrual tariff per billing unit as charged (with any turnover taxes)
    tariff_unrounded_som: float
    tariff_net_som: float  # per billing unit, without VAT and sales tax (= tariff_som without taxes)
    cash_tariff_som: float  # tariff that collects the same cash at the collection rate
    tariff_per_base_unit_som: float  # per m3 / t / head, with taxes, rounded from the unrounded tariff
    tariff_net_per_base_unit_som: float
    revenue_som: float  # accrued per year at tariff_som
    collection_rate: float
    current_tariff_som: float | None
    change_pct: float | None
    household_bill_som: float | None  # per household per month
    species_tariffs_som: tuple = ()  # (species, coefficient, tariff per head) for dipping baths
    components: tuple = ()  # ComponentTariff of each tariff component, whose sum is the tariff

    @property
    def unit(self) -> str:
        return "som/" + self.billing_unit


@dataclass(frozen=True)
class ComponentTariff:
    """One component of a category's tariff (collection, transport, burial, sorting)."""

    id: str
    name: LocalText
    tariff_som: float  # per billing unit, with taxes
    tariff_net_som: float
    tariff_per_base_unit_som: float
    tariff_net_per_base_unit_som: float


@dataclass(frozen=True)
class UnitCost:
    """What one unit of service costs (себестоимость: costs only) and what it must bring
    in (необходимая выручка: costs, profit, debt service and turnover taxes)."""

    unit: str
    cost_som: float
    requirement_som: float
    key: str  # message key describing what it is per


@dataclass(frozen=True)
class TariffResult:
    """Everything a kenesh needs from one tariff calculation. Amounts in som per year."""

    scenario: Scenario
    origin: ScenarioFile | None
    base_unit: str
    parameters: tuple[ParameterValue, ...]
    cost_lines: tuple[CostLineResult, ...]
    costs_som: float
    profit_som: float
    debt_service_som: float
    vat_som: float
    sales_tax_som: float
    revenue_requirement_som: float
    total_volume: float
    unit_costs: tuple[UnitCost, ...]
    tariffs: tuple[CategoryTariff, ...]
    revenue_at_tariffs_som: float
    subsidy_need_som: float
    surplus_som: float
    rounding_difference_som: float  # revenue at the rounded tariffs minus at the unrounded
    cash_collected_som: float
    current_revenue_som: float | None
    current_cash_som: float | None
    typical_household_bill_som: float | None
    assets: tuple[dict, ...]
    notes: tuple[tuple[str, dict], ...]
    policy: object = None  # okmo_models.tariff.policy.analysis.PolicyResult, when the scenario asks

    @property
    def provenance(self) -> Provenance:
        """The metadata block every kind of result carries: the scenario file as read, the
        parameters in force."""
        inputs = ((InputFile("scenario", self.origin.path, self.origin.sha256), *self.origin.baselines)
                  if self.origin else ())
        return Provenance(JSON_SCHEMA, inputs, self.parameters)

    # --- derived figures ------------------------------------------------------------

    @property
    def cash_shortfall_som(self) -> float:
        """Requirement not collected in cash at the accrual tariffs and collection rates."""
        return max(self.revenue_requirement_som - self.cash_collected_som, 0.0)

    @property
    def cost_recovery_current(self) -> float | None:
        """Accrued revenue at the current tariffs as a share of the requirement."""
        if self.current_revenue_som is None:
            return None
        return self.current_revenue_som / self.revenue_requirement_som

    @property
    def cash_recovery_current(self) -> float | None:
        if self.current_cash_som is None:
            return None
        return self.current_cash_som / self.revenue_requirement_som

    @property
    def rounding_mode(self) -> str:
        return next(p.value for p in self.parameters if p.name == "tariff_rounding_mode")

    @property
    def rounding_step(self) -> float:
        return next(p.value for p in self.parameters if p.name == "tariff_rounding_step")

    @property
    def taxes_included(self) -> bool:
        """Whether the tariffs carry VAT or sales tax (then net tariffs are printed too)."""
        return bool(self.vat_som or self.sales_tax_som)

    def tariff(self, category_id: str) -> CategoryTariff:
        for c in self.tariffs:
            if c.id == category_id:
                return c
        raise KeyError(category_id)

    # --- tables -------------------------------------------------------------------

    def cost_table(self, lang: str | None = None) -> pd.DataFrame:
        """The калькуляция as it is printed: cost lines (``no`` is the line's number) and the
        customary subtotals (``no`` empty): production cost where overhead is set apart,
        full cost, the margin and the total with it, debt service, taxes, the requirement."""
        import pandas as pd

        lang = lang or _lang()
        r = self.revenue_requirement_som

        def share(amount):
            return amount / r if r else np.nan

        numbered = list(enumerate(self.cost_lines, 1))  # overhead lines come last (build_result)
        direct = [(i, c) for i, c in numbered if c.line not in OVERHEAD_LINES]
        overhead = [(i, c) for i, c in numbered if c.line in OVERHEAD_LINES]
        rows = []

        def line(i, c):
            rows.append((i, c.line, c.name.get(lang), c.amount_som, share(c.amount_som), basis(c.basis, lang),
                         source_text(c.source, lang)))

        def total(key, amount):
            rows.append(("", key, t(key, lang), amount, share(amount), "", ""))

        for i, c in direct:
            line(i, c)
        if overhead:
            total("production_cost", self.production_cost_som)
            for i, c in overhead:
                line(i, c)
        total("total_costs", self.costs_som)
        if self.profit_som:
            total("profit", self.profit_som)
            total("costs_with_profit", self.costs_som + self.profit_som)
        for key, amount in (("debt_service", self.debt_service_som),
                            ("vat", self.vat_som), ("sales_tax", self.sales_tax_som)):
            if amount:
                total(key, amount)
        total("revenue_requirement", r)
        return pd.DataFrame(rows, columns=["no", "line", "name", "amount_som", "share", "basis", "source"])

    @property
    def production_cost_som(self) -> float:
        """Производственная себестоимость: every cost line but general overhead."""
        return sum(c.amount_som for c in self.cost_lines if c.line not in OVERHEAD_LINES)

    def tariff_table(self, lang: str | None = None) -> pd.DataFrame:
        """Tariffs by consumer category with the cash tariff and the change against today."""
        import pandas as pd

        lang = lang or _lang()
        return pd.DataFrame([{
            "category": c.id, "name": c.name.get(lang), "kind": c.kind, "unit": c.unit,
            "policy": c.policy, "multiplier": c.multiplier,
            "billing_units_per_year": c.billing_units_per_year,
            "tariff_som": c.tariff_som, "tariff_net_som": c.tariff_net_som,
            "cash_tariff_som": c.cash_tariff_som,
            "current_tariff_som": c.current_tariff_som, "change_pct": c.change_pct,
            "revenue_som": c.revenue_som, "collection_rate": c.collection_rate,
            "household_bill_som": c.household_bill_som,
        } for c in self.tariffs])

    def asset_table(self, lang: str | None = None) -> pd.DataFrame:
        import pandas as pd

        lang = lang or _lang()
        return pd.DataFrame([{**a, "name": a["name"].get(lang)} for a in self.assets],
                            columns=["name", "value_som", "year", "useful_life_years", "in_tariff",
                                     "charge_som", "source"])

    def parameter_table(self) -> pd.DataFrame:
        import pandas as pd

        return pd.DataFrame([{"name": p.name, "value": p.shown, "effective": p.effective,
                              "overridden": p.overridden, "source": source_text(p.source, _lang())}
                             for p in self.parameters])

    def notes_text(self, lang: str | None = None) -> list[str]:
        return [_note(key, ctx, lang) for key, ctx in self.notes] + [text for _, text in self._language_notes(lang)]

    def _language_notes(self, lang: str | None) -> list[tuple[str, str]]:
        """A note when some of the file's texts are not written in the reader's language
        (a Kyrgyz-only file read in Russian): they are shown as written."""
        note = language_note(self.scenario, lang or _lang())
        return [("tt_language_fallback", note)] if note else []

    # --- the JSON contract ----------------------------------------------------------

    def to_dict(self, lang: str | None = None) -> dict:
        """The result as plain data: the stable contract of ``okmo tariff --format json``."""
        lang = lang or _lang()
        s = self.scenario
        money = _money
        return {
            **self.provenance.to_dict(lang),
            "scenario": {
                "file": str(self.origin.path) if self.origin else None,
                "sha256": self.origin.sha256 if self.origin else None,
                "municipality": s.municipality.name.get(lang),
                "service": s.service,
                "tariff_year": s.tariff_year,
                "operator": {"type": s.operator.type, "name": s.operator.name.get(lang)},
            },
            "base_unit": self.base_unit,
            "total_volume": _round(self.total_volume, 3),
            "revenue_requirement_som": money(self.revenue_requirement_som),
            "costs_som": money(self.costs_som),
            "production_cost_som": money(self.production_cost_som),
            "profit_som": money(self.profit_som),
            "debt_service_som": money(self.debt_service_som),
            "vat_som": money(self.vat_som),
            "sales_tax_som": money(self.sales_tax_som),
            "cost_lines": [{
                "line": c.line, "name": c.name.get(lang), "amount_som": money(c.amount_som),
                "share": _round(c.share, 6), "basis": basis(c.basis, lang), "basis_factors": c.basis.to_list(),
                "source": source_text(c.source, lang),
                "derived": c.derived,
                **({"derivation": {
                    "steps": [{"label": label, "text": text} for label, text in explain_line(c.derivation, lang)],
                    "sources": [source_text(self.scenario.sources[k], lang) for k in c.derivation.sources]}}
                   if c.derivation is not None else {})} for c in self.cost_lines],
            "unit_costs": [{"unit": u.unit, "cost_som": money(u.cost_som),
                            "revenue_requirement_som": money(u.requirement_som), "label": t(u.key, lang)}
                           for u in self.unit_costs],
            "rounding": {"mode": self.rounding_mode, "step_som": self.rounding_step,
                         "source": source_text(s.sources[s.rounding.source], lang) if s.rounding else None},
            "tariffs": [{
                "category": c.id, "kind": c.kind, "name": c.name.get(lang), "unit": c.unit,
                "policy": c.policy, "multiplier": c.multiplier,
                "tariff_som": money(c.tariff_som), "tariff_net_som": money(c.tariff_net_som),
                "cash_tariff_som": money(c.cash_tariff_som),
                "tariff_unrounded_som": _round(c.tariff_unrounded_som, 6),
                "tariff_per_base_unit_som": money(c.tariff_per_base_unit_som),
                "tariff_net_per_base_unit_som": money(c.tariff_net_per_base_unit_som),
                # unrounded: tariff_som x billing_units_per_year is revenue_som to the tyiyn
                "billing_units_per_year": float(c.billing_units_per_year) + 0.0,
                "revenue_som": money(c.revenue_som), "collection_rate": c.collection_rate,
                "current_tariff_som": money(c.current_tariff_som),
                "change_pct": _round(c.change_pct, 2),
                "household_bill_som": money(c.household_bill_som),
                "species_tariffs": [{"species": sp, "coefficient": k, "tariff_som": money(v)}
                                    for sp, k, v in c.species_tariffs_som],
                "components": [{"component": k.id, "name": k.name.get(lang),
                                "tariff_som": money(k.tariff_som), "tariff_net_som": money(k.tariff_net_som),
                                "tariff_per_base_unit_som": money(k.tariff_per_base_unit_som),
                                "tariff_net_per_base_unit_som": money(k.tariff_net_per_base_unit_som)}
                               for k in c.components],
            } for c in self.tariffs],
            "revenue_at_tariffs_som": money(self.revenue_at_tariffs_som),
            "cost_recovery_at_tariffs": _round(self.revenue_at_tariffs_som / self.revenue_requirement_som
                                               if self.revenue_requirement_som else None, 6),
            "subsidy_need_som": money(self.subsidy_need_som),
            "surplus_som": money(self.surplus_som),
            "rounding_difference_som": money(self.rounding_difference_som),
            "cash_collected_som": money(self.cash_collected_som),
            "cash_shortfall_som": money(self.cash_shortfall_som),
            "typical_household_bill_som": money(self.typical_household_bill_som),
            "current": {
                "revenue_som": money(self.current_revenue_som),
                "cash_som": money(self.current_cash_som),
                "cost_recovery": _round(self.cost_recovery_current, 6),
                "cash_cost_recovery": _round(self.cash_recovery_current, 6),
            },
            "assets": [{"name": a["name"].get(lang), "value_som": money(a["value_som"]),
                        "year": a["year"], "useful_life_years": a["useful_life_years"],
                        "in_tariff": a["in_tariff"], "depreciation_som": money(a["charge_som"]),
                        "source": source_text(a["source"], lang)} for a in self.assets],
            "notes": [{"key": key, "text": _note(key, ctx, lang)} for key, ctx in self.notes]
            + [{"key": key, "text": text} for key, text in self._language_notes(lang)],
            **(self.policy.to_dict(lang) if self.policy is not None else
               {k: None for k in ("affordability", "vulnerable", "path", "sharing", "sensitivity")}),
        }


def _note(key: str, context: dict, lang: str | None) -> str:
    """A note in ``lang``; a context value given in every language ({ru, ky, en}) is taken
    in the reader's."""
    lang = lang or _lang()
    return t(key, lang, **{k: v.get(lang) or v["ru"] if isinstance(v, dict) and "ru" in v else v
                           for k, v in context.items()})


def _lang():
    from okmo_models.i18n import default_language

    return default_language()


def _round(x, digits):
    # + 0.0: round(-0.001, 2) is -0.0, which JSON and CSV would print as "-0.0"
    return None if x is None else round(float(x), digits) + 0.0


def _money(x):
    """Money to the tyiyn, half-up like every printed figure (Python's round gives 481,73
    for 481,735, which is stored as 481,73499...)."""
    return None if x is None else round_tariff(float(x), 0.01) + 0.0


def build_result(model, ev: dict) -> TariffResult:
    """Wrap a single-variant evaluation of ``model`` into a :class:`TariffResult`."""
    s = model.scenario
    r = float(ev["requirement"][0])
    derived = model.derived_lines()
    amounts = list(ev["input_amounts"][0]) + list(ev["derived_amounts"][0])
    specs = list(model.input_lines) + list(derived)
    lines = [CostLineResult(sp.line, sp.name, float(a), float(a) / r if r else float("nan"), sp.basis,
                            sp.source, sp.derived, sp.derivation)
             for sp, a in zip(specs, amounts) if not (sp.derived and a == 0)]
    # the калькуляция's order: production lines, then general overhead below their subtotal
    lines = tuple(sorted(lines, key=lambda c: c.line in OVERHEAD_LINES))

    tariffs = []
    for i, c in enumerate(model.categories):
        tariff = float(ev["tariff"][0, i])
        bill = None
        if c.households:
            bill = tariff * c.billing_units_per_year / c.households / 12.0
        change = None
        if c.current_tariff_som:
            change = (tariff / c.current_tariff_som - 1.0) * 100.0
        line_idx = np.flatnonzero(model.line_category == i)
        species = tuple((sp, k, float(ev["line_tariff"][0, j]))
                        for j, (sp, k) in zip(line_idx, (c.species_coefficients or {}).items()))
        components = tuple(
            ComponentTariff(k.id, k.name, float(cp["gross_billing"][0, i]), float(cp["net_billing"][0, i]),
                            float(cp["gross_base"][0, i]), float(cp["net_base"][0, i]))
            for k, cp in zip(model.components, ev["components"] or ()))
        tariffs.append(CategoryTariff(
            id=c.category.id, kind=c.category.kind, name=c.category.name,
            billing_unit=c.category.billing_unit, policy=c.category.effective_policy,
            multiplier=c.category.multiplier, volume=c.volume,
            billing_units_per_year=c.billing_units_per_year, tariff_som=tariff,
            tariff_unrounded_som=float(ev["tariff_unrounded"][0, i]),
            tariff_net_som=float(ev["tariff_net"][0, i]),
            cash_tariff_som=float(ev["cash_tariff"][0, i]),
            tariff_per_base_unit_som=float(ev["tariff_base"][0, i]),
            tariff_net_per_base_unit_som=float(ev["tariff_net_base"][0, i]),
            revenue_som=float(ev["revenue"][0, i]), collection_rate=c.collection_rate,
            current_tariff_som=c.current_tariff_som, change_pct=change, household_bill_som=bill,
            species_tariffs_som=species, components=components))

    notes = list(model.notes)
    balancing = [i for i, c in enumerate(model.categories) if c.category.effective_policy == "balancing"]
    clamped = balancing and any(model.fixed_policy) and all(ev["tariff"][0, i] == 0 for i in balancing)
    tolerance = 0.005  # half a tyiyn: below it, float noise of the allocation
    if clamped:
        notes.append(("note_fixed_exceed_requirement", {}))
    elif float(ev["surplus"][0]) > tolerance:
        surplus = float(ev["surplus"][0])
        notes.append(("note_surplus", {"amount": {lang: format_number(surplus, 2, lang) for lang in LANGUAGES}}))
    if float(ev["subsidy_need"][0]) > tolerance:
        notes.append(("note_subsidy_needed", {}))

    with_current = [c for c in model.categories if c.current_tariff_som is not None]
    current_revenue = current_cash = None
    if with_current and len(with_current) == len(model.categories):
        current_revenue = sum(c.current_tariff_som * c.billing_units_per_year for c in with_current)
        current_cash = sum(c.current_tariff_som * c.billing_units_per_year * c.collection_rate
                           for c in with_current)
    elif with_current:
        notes.append(("note_current_incomplete", {}))

    from okmo_models.tariff.policy.analysis import has_policy

    policy = _policy(model, r) if has_policy(s) else None
    if policy is not None and policy.path is not None and not policy.path.feasible:
        notes.append(("note_path_not_reached", {"years": s.path.years}))
    typical = next((tc.household_bill_som for tc in tariffs
                    if tc.kind == "population" and tc.household_bill_som is not None), None)
    return TariffResult(
        scenario=s, origin=model.origin, base_unit=model.base_unit, parameters=model.parameters,
        cost_lines=lines, costs_som=float(ev["costs"][0]), profit_som=float(ev["profit"][0]),
        debt_service_som=model.debt_service_som, vat_som=float(ev["vat"][0]),
        sales_tax_som=float(ev["sales_tax"][0]), revenue_requirement_som=r,
        total_volume=model.total_volume,
        unit_costs=_unit_costs(model, r, float(ev["costs"][0])),
        tariffs=tuple(tariffs), revenue_at_tariffs_som=float(ev["total_revenue"][0]),
        subsidy_need_som=float(ev["subsidy_need"][0]), surplus_som=float(ev["surplus"][0]),
        rounding_difference_som=float(ev["rounding_difference"][0]),
        cash_collected_som=float(ev["collected"][0]), current_revenue_som=current_revenue,
        current_cash_som=current_cash, typical_household_bill_som=typical,
        assets=tuple(model.asset_rows), notes=tuple(notes), policy=policy)


def _policy(model, requirement: float):
    """Run the policy analysis, turning impossible requests into a user's error."""
    from okmo_models.errors import Problem, ScenarioError
    from okmo_models.parameters import ParameterNotDefined, ParameterOfAnotherCountry
    from okmo_models.tariff.policy.analysis import DiscountsNotCoverable, analyse

    try:
        return analyse(model, requirement)
    except ParameterNotDefined as exc:
        problem = Problem(path=("tariff_year",), key="parameter_not_in_force",
                          value=model.scenario.tariff_year,
                          context={"name": exc.name, "first": exc.first.isoformat()})
    except ParameterOfAnotherCountry as exc:  # e.g. Kyrgyz income groups for a Russian town
        problem = Problem(path=("municipality", "country"), key="parameter_other_country",
                          value=exc.country, context={"name": exc.name, "law_country": exc.law_country,
                                                      "country": exc.country})
    except DiscountsNotCoverable:
        problem = Problem(path=("vulnerable", "groups"), key="discounts_not_coverable")
    raise ScenarioError(model.file_name(), [problem])


def _unit_costs(model, requirement: float, costs: float) -> tuple[UnitCost, ...]:
    """Cost and revenue requirement per unit of service, in every unit a reader may ask for."""
    s = model.scenario
    base = model.total_volume

    def per(volume, unit, key):
        return UnitCost(unit, costs / volume, requirement / volume, key)

    out = [per(base, "som/" + model.base_unit, "unit_cost_" + model.base_unit)]
    if s.waste is not None and s.waste.density is not None:
        density = s.waste.density.to("t/m3")
        if model.base_unit == "m3":
            out.append(per(base * density, "som/t", "unit_cost_t"))
        else:
            out.append(per(base / density, "som/m3", "unit_cost_m3"))
    if s.water is not None:
        out.append(per(s.water.produced.to("m3/year"), "som/m3", "unit_cost_produced_m3"))
    population = [c for c in model.categories if c.category.kind == "population" and c.persons]
    if population:
        # the population's share of the volume, per person (or household) and month
        volume = sum(c.volume for c in population)
        persons = sum(c.persons for c in population)
        out.append(per(base * persons * 12 / volume, "som/person/month", "unit_cost_person_month"))
        with_households = [c for c in population if c.households]
        if with_households:
            volume = sum(c.volume for c in with_households)
            households = sum(c.households for c in with_households)
            out.append(per(base * households * 12 / volume, "som/household/month",
                           "unit_cost_household_month"))
    return tuple(out)

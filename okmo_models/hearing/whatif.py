"""What-if answers for a public hearing: controls -> a variant of the file -> the tariff engine.

:class:`WhatIf` states a set of controls as the changes a variant file records
(:meth:`WhatIf.changes`, in the format of :mod:`okmo_models.scenario.variants`), merges them
into the file's data exactly as the loader merges a saved variant, and computes the result
with the tariff engine (:meth:`TariffModel.result`, tariff policy included). So the
dashboard at rest shows the figures `okmo tariff FILE` prints, and after a change the
figures `okmo tariff` prints for the variant saved from it. The sensitivity analysis (a
Monte Carlo the dashboard does not show) is left out of the recomputed scenario; no other
figure depends on it. Results are cached by their changes: moving a control back costs
nothing.

The controls (:class:`Controls`):

- ``tariffs``: tariffs the room fixes, by category (som per billing unit). Other categories
  keep the file's policy and the engine computes their tariffs (balancing categories take
  up what a fixed one leaves). A tariff fixed at the value the engine gives it anyway is no
  fix (:meth:`WhatIf.fix`).
- ``collection_rate``: the main population category's collection rate; every population
  category's rate moves by the same number of points.
- ``fuel_price_change``, ``wage_change``: fractions by which the fuel and labour lines change.
- ``discount_scale``: a factor on every Social Passport group's own discount, in per cent or
  in som a month (1 = the file's discounts, 0 = none).
- ``years_to_recovery``: years of the path to cost recovery (files with a path).
- ``extra_investment_som``: an own-funded investment in the tariff year, added to the
  investment plan (files with a path: the plan enters the multi-year path).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field, replace

from okmo_models.i18n import LANGUAGES, t
from okmo_models.parameters import resolve
from okmo_models.scenario.loader import ScenarioFile, read_data, validate_scenario
from okmo_models.scenario.variants import apply_changes
from okmo_models.tariff import TariffModel, calculate_tariff
from okmo_models.tariff.proposal import proposal
from okmo_models.units import number_text

HEARING_SOURCE = "hearing_variant"
_CACHE_SIZE = 64


@dataclass(frozen=True)
class Controls:
    """What a kenesh debates. Percentages as fractions (0.8 = 80 %)."""

    tariffs: dict = field(default_factory=dict)  # category id -> fixed tariff, som per billing unit
    collection_rate: float = 1.0  # of the main population category
    fuel_price_change: float = 0.0
    wage_change: float = 0.0
    discount_scale: float = 1.0  # factor on the file's Social Passport discounts
    years_to_recovery: int = 3
    extra_investment_som: float = 0.0


@dataclass(frozen=True)
class Outputs:
    """The dashboard's figures, all read from the engine's :class:`TariffResult`."""

    result: object  # okmo_models.tariff.result.TariffResult
    tariffs: dict  # category id -> tariff, som per billing unit
    household_bill_som: float | None
    requirement_som: float
    revenue_som: float
    collected_som: float
    cost_recovery: float  # collected cash / requirement
    budget_subsidy_som: float  # tariff gap + Social Passport discounts paid by the budget, a year
    discounts_som: float
    share_above_threshold: float | None
    path_category: str | None  # the category whose path is drawn
    path_years: tuple
    path_cost_recovery_som: tuple
    path_tariff_som: tuple
    path_subsidy_som: tuple
    proposal: object  # okmo_models.tariff.proposal.Proposal: what the kenesh would approve, with its family bills


def _local(key: str) -> dict:
    return {lang: t(key, lang) for lang in LANGUAGES}


class WhatIf:
    """A tariff scenario file answering the hearing's what-ifs through the engine."""

    def __init__(self, loaded: ScenarioFile):
        self.loaded = loaded
        self.scenario = s = loaded.scenario
        # The file's full data (a variant's merged with its baseline): what a variant saved
        # next to it ("variant_of: this file") is merged into.
        self.data = read_data(loaded.path)[0]
        self.model = TariffModel(loaded)
        self.categories = self.model.categories
        pop = [i for i, c in enumerate(self.categories) if c.category.kind == "population"]
        self.population = pop
        self.main = next((i for i in pop if self.categories[i].households), pop[0] if pop else 0)
        self.investment_life = resolve("hearing_extra_investment_life", s.tariff_year).value
        self.max_years = self._max_years()
        self.max_discount_scale = self._max_discount_scale()
        self._cache: dict = {}
        self.baseline = Controls(collection_rate=self.categories[self.main].collection_rate,
                                 years_to_recovery=s.path.years if s.path else 3)
        self.baseline_outputs = self.outputs(self.baseline)


    def _text(self, x: float) -> str:
        """``x`` (to 6 decimals) as the variant file writes it: read back exactly under the
        baseline's ``decimal_mark`` (with "," a point would multiply by 1000)."""
        return number_text(round(float(x), 6), self.data.get("decimal_mark"))
    def _max_years(self) -> int | None:
        """Longest path the file allows (its production programme must cover every year)."""
        s = self.scenario
        if s.path is None:
            return None
        prog = s.production_programme
        if prog is None or not prog.volume_by_year:
            return max(10, s.path.years)
        n = 0
        while s.tariff_year + n in prog.volume_by_year:
            n += 1
        return max(n, s.path.years)

    def _derived_changes(self, c: Controls) -> dict:
        """The fuel and wage sliders on what the staffing table and the production programme
        derive: each fuel's price, each salary and each allowance in som (a % allowance
        follows its salary), so the derived lines change as the given ones do."""
        s, out = self.scenario, {}
        if s.production_programme is not None and abs(c.fuel_price_change) > 1e-12:
            fuels = {k: {"price": self._scaled(f.price, c.fuel_price_change)}
                     for k, f in s.production_programme.fuels.items()}
            if fuels:
                out["production_programme"] = {"fuels": fuels}
        if s.staffing is not None and abs(c.wage_change) > 1e-12:
            positions = {}
            for i, p in enumerate(s.staffing.positions, 1):
                change = {"salary": self._scaled(p.salary, c.wage_change)}
                som = {j: {"value": self._scaled(a.value, c.wage_change)}
                       for j, a in enumerate(p.allowances, 1) if "money" in a.value.parsed_unit.dims}
                if som:
                    change["allowances"] = som
                positions[i] = change
            out["staffing"] = {"positions": positions}
        return out

    def _scaled(self, q, change: float) -> str:
        return f"{self._text(q.value * (1 + change))} {q.unit}"

    def _max_discount_scale(self) -> float:
        """Largest factor that keeps every discount in per cent at most 100 %."""
        v = self.scenario.vulnerable
        shares = [g.discount.value * g.discount.parsed_unit.factor for g in (v.groups if v else ())
                  if not g.discount.parsed_unit.dims]
        return min(2.0, 1.0 / max(shares)) if shares else 2.0

    # --- the calculation ------------------------------------------------------------------

    def outputs(self, c: Controls) -> Outputs:
        """The figures for these controls: the engine's result for the variant they make."""
        changes = self.changes(c)
        key = json.dumps(changes, sort_keys=True, ensure_ascii=False, default=str)
        out = self._cache.get(key)
        if out is None:
            out = self._outputs(self.result(changes))
            if len(self._cache) >= _CACHE_SIZE:
                self._cache.pop(next(iter(self._cache)))
            self._cache[key] = out
        return out

    def result(self, changes: dict):
        """The engine's result for the file with ``changes``, merged as the loader merges a
        saved variant (the sensitivity analysis left out)."""
        data = apply_changes(self.data, changes)
        data.pop("sensitivity", None)
        path = self.loaded.path
        scenario = validate_scenario(data, path)
        return calculate_tariff(ScenarioFile(path, self.loaded.sha256, scenario, self.loaded.baselines))

    def _outputs(self, r) -> Outputs:
        p = r.policy
        vulnerable = p.vulnerable if p is not None else None
        discounts = vulnerable.budget_cost_som if vulnerable is not None else 0.0
        path = p.path if p is not None else None
        rows = {row["category"]: row for row in path.categories} if path is not None else {}
        main = self.categories[self.main].category.id
        shown = main if main in rows else next(iter(rows), None)
        row = rows.get(shown)
        requirement = r.revenue_requirement_som
        return Outputs(
            result=r, tariffs={c.id: c.tariff_som for c in r.tariffs},
            household_bill_som=r.typical_household_bill_som, requirement_som=requirement,
            revenue_som=r.revenue_at_tariffs_som, collected_som=r.cash_collected_som,
            cost_recovery=r.cash_collected_som / requirement if requirement else 0.0,
            budget_subsidy_som=r.subsidy_need_som + discounts, discounts_som=discounts,
            share_above_threshold=p.affordability.share_above if p is not None and p.affordability else None,
            path_category=shown, path_years=tuple(path.years) if path is not None else (),
            path_cost_recovery_som=tuple(row["cost_recovery_tariff_som"]) if row else (),
            path_tariff_som=tuple(row["path_tariff_som"]) if row else (),
            path_subsidy_som=tuple(path.subsidy_som) if path is not None else (),
            proposal=proposal(r))

    def fix(self, c: Controls, category_id: str, tariff_som: float) -> Controls:
        """The controls with a category's tariff fixed at ``tariff_som``; without a fix of
        that category when the engine gives it that tariff anyway, so that a tariff moved
        and moved back leaves the category as the file has it."""
        free = replace(c, tariffs={k: v for k, v in c.tariffs.items() if k != category_id})
        if abs(self.outputs(free).tariffs[category_id] - round(tariff_som, 2)) < 1e-9:
            return free
        return replace(c, tariffs={**free.tariffs, category_id: tariff_som})

    # --- variants ------------------------------------------------------------------------

    def changes(self, c: Controls) -> dict:
        """The controls as changes to the file (see scenario.variants): what a saved variant
        records, and exactly what :meth:`outputs` computes."""
        s = self.scenario
        b = self.baseline
        out: dict = {}
        cats: dict = {}
        for k in self.categories:
            cid = k.category.id
            if cid in c.tariffs:
                # the tariff on the slider is what payers are billed: taxes included
                cats[cid] = {"fixed_tariff": f"{self._text(round(c.tariffs[cid], 2))} som/{k.category.billing_unit}",
                             "fixed_tariff_taxes": "included", "multiplier": 1, "policy": "fixed"}
        shift = c.collection_rate - b.collection_rate
        if abs(shift) > 1e-9:
            for i in self.population:
                k = self.categories[i]
                rate = min(max(k.collection_rate + shift, 0.01), 1.0)
                cats.setdefault(k.category.id, {})["collection_rate"] = f"{self._text(rate * 100)} %"
        if cats:
            out["categories"] = cats
        lines = {}
        for j, cl in enumerate(s.cost_lines, 1):
            change = {"fuel": c.fuel_price_change, "labour": c.wage_change}.get(cl.line, 0.0)
            if abs(change) > 1e-12:
                key, q = ("amount", cl.amount) if cl.amount is not None else ("price", cl.price)
                lines[j] = {key: f"{self._text(q.value * (1 + change))} {q.unit}"}
        if lines:
            out["cost_lines"] = lines
        out.update(self._derived_changes(c))
        v = s.vulnerable
        if v is not None and abs(c.discount_scale - 1.0) > 1e-9:
            # every group keeps its own discount, scaled by the same factor
            out["vulnerable"] = None if c.discount_scale <= 1e-9 else {"groups": {
                i: {"discount": f"{self._text(g.discount.value * c.discount_scale)} {g.discount.unit}"}
                for i, g in enumerate(v.groups, 1)}}
        if s.path is not None:
            path: dict = {}
            if c.years_to_recovery != s.path.years:
                path["years"] = int(c.years_to_recovery)
            # A tariff fixed at the hearing takes its category off the path; with no category
            # left on a path, the variant drops the path.
            on_path = s.path.categories or [k.category.id for k in self.categories
                                            if k.category.kind == "population" and k.current_tariff_som is not None]
            left = [cid for cid in on_path if cid not in c.tariffs]
            if not left:
                out["path"] = None
            else:
                if left != on_path:
                    path["categories"] = left
                if path:
                    out["path"] = path
        if c.extra_investment_som > 0:
            item = {"name": _local("hr_extra_investment_name"), "year": s.tariff_year,
                    "value": f"{self._text(c.extra_investment_som)} som",
                    "useful_life": f"{self._text(self.investment_life)} year",
                    "financing": [{"type": "own", "share": "100 %"}], "source": HEARING_SOURCE}
            out["investments"] = ({"items": {"+": [item]}} if s.investments is not None else
                                  {"grant_assets_depreciated": True, "items": [item]})
            if HEARING_SOURCE not in s.sources:
                out["sources"] = {HEARING_SOURCE: t("hr_variant_source", "ru")}
        return out

    def with_controls(self, **changes) -> Controls:
        return replace(self.baseline, **changes)

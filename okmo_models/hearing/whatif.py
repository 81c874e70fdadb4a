"""What-if answers for a public hearing, recomputed on every control change.

:class:`WhatIf` compiles the baseline scenario once; :meth:`WhatIf.outputs` turns control
values (tariffs, collection rate, fuel and wage changes, the Social Passport discount, years
to cost recovery, an extra investment) into the figures the room asks about, through the
same vectorised model as the калькуляция: no file is read and nothing is validated again, so
one change costs well under a millisecond. :meth:`WhatIf.changes` states a set of controls as
the differences from the baseline that a variant file records.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

import numpy as np

from okmo_models.parameters import resolve
from okmo_models.policy import analysis as pa
from okmo_models.policy import formulas as pf
from okmo_models.scenario.loader import ScenarioFile
from okmo_models.tariff import TariffModel
from okmo_models.tariff import formulas as f


@dataclass(frozen=True)
class Controls:
    """What a kenesh debates. Percentages as fractions (0.8 = 80 %)."""

    tariffs: dict = field(default_factory=dict)  # category id -> som per billing unit
    collection_rate: float = 1.0  # population categories
    fuel_price_change: float = 0.0
    wage_change: float = 0.0
    vulnerable_discount: float = 0.0
    years_to_recovery: int = 3
    extra_investment_som: float = 0.0


@dataclass(frozen=True)
class Outputs:
    household_bill_som: float | None
    requirement_som: float
    revenue_som: float
    collected_som: float
    cost_recovery: float  # collected cash / requirement
    budget_subsidy_som: float  # tariff gap + Social Passport discounts, a year
    discounts_som: float
    share_above_threshold: float | None
    path_years: tuple
    path_cost_recovery_som: tuple
    path_tariff_som: tuple
    path_subsidy_som: tuple


class WhatIf:
    """The baseline scenario compiled once, answering what-if questions fast."""

    def __init__(self, loaded: ScenarioFile):
        self.loaded = loaded
        self.scenario = s = loaded.scenario
        self.model = TariffModel(loaded)
        self.baseline_result = self.model.result()
        self.categories = self.model.categories
        pop = [i for i, c in enumerate(self.categories) if c.category.kind == "population"]
        self.population = pop
        self.main = next((i for i in pop if self.categories[i].households), pop[0] if pop else 0)
        self._fuel = np.array([ln.line == "fuel" for ln in self.model.input_lines])
        self._labour = np.array([ln.line == "labour" for ln in self.model.input_lines])
        self.investment_life = resolve("hearing_extra_investment_life", s.tariff_year).value
        path = s.path
        years = path.years if path else 3
        self.baseline = Controls(
            tariffs={c.id: c.tariff_som for c in self.baseline_result.tariffs},
            collection_rate=self.categories[self.main].collection_rate,
            vulnerable_discount=self._baseline_discount(),
            years_to_recovery=years,
        )

    def _baseline_discount(self) -> float:
        v = self.scenario.vulnerable
        if v is None:
            return 0.0
        shares = [g.discount.value * g.discount.parsed_unit.factor for g in v.groups
                  if not g.discount.parsed_unit.dims]
        return shares[0] if shares else 0.0

    # --- the calculation ------------------------------------------------------------------

    def _factors(self, c: Controls) -> np.ndarray:
        return 1.0 + self._fuel * c.fuel_price_change + self._labour * c.wage_change

    def _extra_depreciation(self, c: Controls, years) -> np.ndarray:
        life = self.investment_life
        return f.straight_line_depreciation(c.extra_investment_som, self.scenario.tariff_year, life,
                                            np.asarray(years))

    def outputs(self, c: Controls) -> Outputs:
        s = self.scenario
        m = self.model
        year = np.array([s.tariff_year])
        depreciation, debt, _ = pa.plan_schedules(m, year, with_investments=False)
        ev = m.evaluate(self._factors(c)[None, :],
                        depreciation_som=depreciation + self._extra_depreciation(c, year),
                        debt_service_som=debt)
        requirement = float(ev["requirement"][0])
        tariffs = np.array([c.tariffs.get(k.category.id, 0.0) for k in self.categories])
        collection = np.array([c.collection_rate if i in self.population else k.collection_rate
                               for i, k in enumerate(self.categories)])
        revenue_by = tariffs * m._n
        revenue = float(revenue_by.sum())
        collected = float((revenue_by * collection).sum())
        main = self.categories[self.main]
        bill = None
        if main.households:
            bill = float(tariffs[self.main]) * pa.household_units_per_month(main, None)
        discounts = self._discounts(c, tariffs)
        share_above = None
        if s.affordability is not None and main.households:
            share_above = pa.affordability(m, float(tariffs[self.main]), main.category.id).share_above
        years, target, path, subsidy = self._path(c, float(tariffs[self.main]))
        return Outputs(
            household_bill_som=bill, requirement_som=requirement, revenue_som=revenue,
            collected_som=collected, cost_recovery=collected / requirement if requirement else 0.0,
            budget_subsidy_som=max(requirement - revenue, 0.0) + discounts, discounts_som=discounts,
            share_above_threshold=share_above, path_years=tuple(years),
            path_cost_recovery_som=tuple(target), path_tariff_som=tuple(path),
            path_subsidy_som=tuple(subsidy))

    def _discounts(self, c: Controls, tariffs) -> float:
        v = self.scenario.vulnerable
        if v is None or v.financing != "budget":
            return 0.0
        total = 0.0
        for g in v.groups:
            i = next(k for k, cat in enumerate(self.categories) if cat.category.id == g.category)
            bill = float(tariffs[i]) * pa.household_units_per_month(self.categories[i], None)
            total += round(bill * c.vulnerable_discount + 1e-9, 2) * g.households.to("household") * 12
        return total

    def _path(self, c: Controls, tariff_now: float):
        """From today's tariff of the main category to cost recovery in the chosen years."""
        s = self.scenario
        m = self.model
        main = self.categories[self.main]
        n = max(int(c.years_to_recovery), 1)
        years = np.arange(s.tariff_year, s.tariff_year + n)
        cpi = (s.path.cpi.value * s.path.cpi.parsed_unit.factor if s.path and s.path.cpi is not None
               else resolve("cpi_forecast_kg", s.tariff_year, s.parameters, s.sources).value)
        index = pf.cpi_index([cpi] * n)
        depreciation, debt, _ = pa.plan_schedules(m, years)  # with the scenario's investment plan
        factors = self._factors(c)[None, :] * index[:, None]
        ev = m.evaluate(factors, depreciation_som=depreciation + self._extra_depreciation(c, years),
                        debt_service_som=debt, price_index=index)
        target = ev["tariff_unrounded"][:, self.main]
        start = main.current_tariff_som or tariff_now
        growth = pf.increase_needed(start, target)
        path, _ = pf.tariff_path(start, target, growth if growth > 0 else None)
        subsidy = np.maximum(target - path, 0.0) * main.billing_units_per_year
        return years, target, path, subsidy

    # --- variants ------------------------------------------------------------------------

    def changes(self, c: Controls) -> dict:
        """The controls as changes to the baseline scenario file (see scenario.variants)."""
        s = self.scenario
        b = self.baseline
        out: dict = {}
        cats = {}
        for k in self.categories:
            cid = k.category.id
            if abs(c.tariffs.get(cid, 0.0) - b.tariffs.get(cid, 0.0)) > 1e-9:
                cats[cid] = {"fixed_tariff": f"{c.tariffs[cid]:.2f} som/{k.category.billing_unit}",
                             "multiplier": 1, "policy": "fixed"}
        if abs(c.collection_rate - b.collection_rate) > 1e-9:
            for i in self.population:
                cid = self.categories[i].category.id
                cats.setdefault(cid, {})["collection_rate"] = f"{c.collection_rate * 100:.1f} %"
        if cats:
            out["categories"] = cats
        lines = {}
        for j, cl in enumerate(s.cost_lines, 1):
            change = c.fuel_price_change if cl.line == "fuel" else c.wage_change if cl.line == "labour" else 0.0
            if change:
                if cl.amount is not None:
                    lines[j] = {"amount": f"{cl.amount.value * (1 + change):.2f} {cl.amount.unit}"}
                else:
                    lines[j] = {"price": f"{cl.price.value * (1 + change):.2f} {cl.price.unit}"}
        if lines:
            out["cost_lines"] = lines
        if s.vulnerable is not None and abs(c.vulnerable_discount - b.vulnerable_discount) > 1e-9:
            out["vulnerable"] = {"groups": {i: {"discount": f"{c.vulnerable_discount * 100:.1f} %"}
                                            for i in range(1, len(s.vulnerable.groups) + 1)}}
        if c.years_to_recovery != b.years_to_recovery:
            out["path"] = {"years": int(c.years_to_recovery)}
        if s.path is not None:
            # A tariff fixed at the hearing replaces the path for that category; with no
            # category left on a path, the variant drops the path.
            on_path = s.path.categories or [k.category.id for k in self.categories
                                             if k.category.kind == "population" and k.current_tariff_som]
            left = [cid for cid in on_path if "fixed_tariff" not in cats.get(cid, {})]
            if not left:
                out["path"] = None
            elif left != on_path:
                out.setdefault("path", {})["categories"] = left
        if c.extra_investment_som > 0:
            item = {"name": {"ru": "Дополнительные инвестиции (публичные слушания)",
                             "ky": "Кошумча инвестициялар (коомдук угуулар)",
                             "en": "Extra investment (public hearing)"},
                    "year": s.tariff_year, "value": f"{c.extra_investment_som:.2f} som",
                    "useful_life": f"{self.investment_life:g} year",
                    "financing": [{"type": "own", "share": "100 %"}], "source": "hearing_variant"}
            out["investments"] = ({"items": {"+": [item]}} if s.investments is not None else
                                  {"grant_assets_depreciated": True, "items": [item]})
            out["sources"] = {"hearing_variant": "Вариант, предложенный на публичных слушаниях."}
        return out

    def with_controls(self, **changes) -> Controls:
        return replace(self.baseline, **changes)

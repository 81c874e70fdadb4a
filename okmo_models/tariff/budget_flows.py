"""What a tariff asks of the local budget, year by year: the subsidy that covers the part of
the requirement the tariffs do not, and the Social Passport discounts when the budget pays
them. A budget that finances the tariff (``plans:`` in the budget file) takes these figures
by reference instead of having them typed in.

The tariff year's figures are the proposal's, the ones the draft decision approves. On a
path to cost recovery the later years are the path's subsidies, and the discounts at that
year's path tariffs (categories off the path keep the proposed tariff). Without a path the
proposal's figures are the tariff year's only; :meth:`BudgetFlows.at` holds the last year's
figures for every later year (the tariff in force stays in force until another is adopted).
"""

from __future__ import annotations

from dataclasses import dataclass

from okmo_models.tariff.model import TariffModel
from okmo_models.tariff.policy.analysis import discounts_at
from okmo_models.tariff.proposal import proposal
from okmo_models.tariff.result import TariffResult


@dataclass(frozen=True)
class BudgetFlows:
    years: tuple[int, ...]
    subsidy_som: tuple[float, ...]
    discounts_som: tuple[float, ...]  # paid by the budget (0 when the tariffs carry them)

    def at(self, year: int) -> tuple[float, float] | None:
        """``(subsidy, discounts)`` in ``year``: None before the tariff takes effect (the
        tariff knows nothing of the years before it), the last year's after the path."""
        if year < self.years[0]:
            return None
        i = min(self.years.index(year) if year in self.years else len(self.years) - 1, len(self.years) - 1)
        return self.subsidy_som[i], self.discounts_som[i]


def budget_flows(result: TariffResult) -> BudgetFlows:
    """The tariff's subsidy and budget-paid discounts by year (see the module's rule)."""
    p = proposal(result)
    pays = p.discounts_financing == "budget"
    first = (round(p.subsidy_som, 2), round(sum(d.yearly_som for d in p.discounts), 2) if pays else 0.0)
    path = result.policy.path if result.policy is not None else None
    if path is None or not p.on_path:
        return BudgetFlows((p.year,), (first[0],), (first[1],))
    model = TariffModel(result.scenario)
    steps = {c["category"]: c["path_tariff_som"] for c in path.categories}
    proposed = {t.id: t.tariff_som for t in p.tariffs}
    subsidy, discounts = [first[0]], [first[1]]
    for k in range(1, len(path.years)):
        subsidy.append(round(max(path.subsidy_som[k], 0.0), 2))
        tariffs = [steps[c.category.id][k] if c.category.id in steps else proposed[c.category.id]
                   for c in model.categories]
        discounts.append(round(discounts_at(model, tariffs)[1], 2) if pays else 0.0)
    return BudgetFlows(tuple(path.years), tuple(subsidy), tuple(discounts))

"""What a kenesh is asked to approve: one tariff per category, and what it costs whom.

A calculation shows several tariffs: the economically justified one (with taxes, as billed),
the one that collects the same money at today's collection rate, and, when the scenario plans
a path to cost recovery, each year's step on that path. The proposal picks one per category,
by a single rule the justification states in its first section:

- a category on the path (a scenario with ``path:``) is proposed its first-year path tariff:
  the kenesh approves a step, and the local budget pays the gap to cost recovery that year
  (revenue requirement minus the accruals at the proposed tariffs, so that the two add up to
  the tyiyn);
- every other category is proposed its economically justified tariff; the budget pays what
  that tariff policy leaves uncovered (``subsidy_need_som``). When the Social Passport
  discounts are carried by the other consumers (``financing: cross_subsidy``), the justified
  tariff is the one that carries them; on a path the carrying tariffs of the other categories
  cover only part of them, and the budget's subsidy covers the rest.

Social Passport discounts are recomputed at the proposed tariffs (a discount given as a share
of the bill follows the bill). Every figure here is also in ``okmo tariff --format json``
(its ``proposal`` object), so the draft decision, the summary and the JSON agree exactly.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from okmo_models.scenario.schema import LocalText
from okmo_models.tariff.model import TariffModel
from okmo_models.tariff.policy.analysis import discounts_at, household_units_per_month, income_groups
from okmo_models.tariff.result import TariffResult


@dataclass(frozen=True)
class ProposedTariff:
    id: str
    name: LocalText
    billing_unit: str  # e.g. "household/month": the tariff is in som per this unit
    tariff_som: float  # proposed for approval, with taxes, as billed
    justified_som: float  # the economically justified tariff (with taxes)
    current_som: float | None
    on_path: bool  # proposed as the first step of the path to cost recovery
    billing_units_per_year: float
    revenue_som: float  # accrued in a year at the proposed tariff
    collection_rate: float
    species: tuple = ()  # (species, coefficient, tariff per head) of a dipping bath

    @property
    def change_pct(self) -> float | None:
        """Change against today's tariff, in per cent (None without a tariff today)."""
        if not self.current_som:
            return None
        return (self.tariff_som / self.current_som - 1.0) * 100.0



@dataclass(frozen=True)
class Discount:
    name: LocalText
    households: float
    discount_som_month: float
    yearly_som: float


@dataclass(frozen=True)
class IncomeGroupBill:
    """A family of one income group: its monthly bill today and at the proposed tariff."""

    name: LocalText
    income_per_capita_som: float
    household_size: float
    bill_now_som: float | None
    bill_som: float

    @property
    def share_of_income(self) -> float:
        return self.bill_som / (self.income_per_capita_som * self.household_size)


@dataclass(frozen=True)
class Proposal:
    year: int
    effective: dt.date
    on_path: bool  # the scenario plans a path: path categories get its first step
    tariffs: tuple[ProposedTariff, ...]
    requirement_som: float  # the revenue the enterprise needs this year
    subsidy_som: float  # paid by the local budget this year
    discounts: tuple[Discount, ...]
    discounts_financing: str | None  # "budget" or "cross_subsidy" (None: no Social Passport section)
    discounts_carried_som: float  # the part of the discounts the other categories' tariffs carry
    income_groups: tuple[IncomeGroupBill, ...]
    income_category: str | None  # the category whose bills the income groups show
    reached_year: int | None  # the year the path reaches cost recovery

    @property
    def revenue_som(self) -> float:
        """Accrued in a year at the proposed tariffs."""
        return sum(t.revenue_som for t in self.tariffs)

    @property
    def cost_recovery(self) -> float:
        """The share of the enterprise's requirement the proposed tariffs accrue (the budget's
        subsidy pays the rest)."""
        return self.revenue_som / self.requirement_som

    @property
    def cash_som(self) -> float:
        """Collected in a year at the proposed tariffs and each category's collection rate."""
        return sum(t.revenue_som * t.collection_rate for t in self.tariffs)

    @property
    def collection_rate(self) -> float:
        """The collection rate of all accruals together (weighted by the proposed accruals)."""
        return self.cash_som / self.revenue_som if self.revenue_som else 0.0

    @property
    def discounts_yearly_som(self) -> float:
        return sum(d.yearly_som for d in self.discounts)

    def to_dict(self, lang: str) -> dict:
        return {
            "year": self.year, "effective": self.effective.isoformat(), "on_path": self.on_path,
            "tariffs": [{"category": p.id, "name": p.name.get(lang), "unit": "som/" + p.billing_unit,
                         "tariff_som": p.tariff_som, "justified_tariff_som": p.justified_som,
                         "current_tariff_som": p.current_som, "on_path": p.on_path,
                         "change_pct": None if p.change_pct is None else round(p.change_pct, 4),
                         "billing_units_per_year": p.billing_units_per_year,
                         "revenue_som": round(p.revenue_som, 2),
                         "species": [{"species": sp, "coefficient": k, "tariff_som": v} for sp, k, v in p.species]}
                        for p in self.tariffs],
            "requirement_som": round(self.requirement_som, 2),
            "revenue_som": round(self.revenue_som, 2),
            "subsidy_som": round(self.subsidy_som, 2),
            "cost_recovery": round(self.cost_recovery, 6),
            "cash_som": round(self.cash_som, 2),
            "collection_rate": round(self.collection_rate, 6),
            "discounts_financing": self.discounts_financing,
            "discounts": [{"name": d.name.get(lang), "households": d.households,
                           "discount_som_month": d.discount_som_month, "yearly_som": d.yearly_som}
                          for d in self.discounts],
            "discounts_yearly_som": round(self.discounts_yearly_som, 2),
            "discounts_carried_som": round(self.discounts_carried_som, 2),
            "income_category": self.income_category,
            "income_groups": [{"name": g.name.get(lang), "income_per_capita_som": g.income_per_capita_som,
                               "household_size": g.household_size, "bill_now_som": g.bill_now_som,
                               "bill_som": g.bill_som, "share_of_income": round(g.share_of_income, 6)}
                              for g in self.income_groups],
            "reached_year": self.reached_year,
        }


def proposal(result: TariffResult) -> Proposal:
    """The tariffs proposed for approval in ``result``'s tariff year (see the module's rule)."""
    model = TariffModel(result.scenario)
    path = result.policy.path if result.policy is not None else None
    first_step = {c["category"]: c["path_tariff_som"][0] for c in path.categories} if path else {}
    vulnerable = result.policy.vulnerable if result.policy is not None else None
    carrying = {c["category"]: c["tariff_som"] for c in vulnerable.cross_subsidy_tariffs} if vulnerable else {}
    tariffs = tuple(_proposed(t, first_step.get(t.id), carrying.get(t.id)) for t in result.tariffs)
    by_id = {t.id: t.tariff_som for t in tariffs}
    proposed = [by_id[c.category.id] for c in model.categories]
    discounts, financing = (), None
    if vulnerable is not None:
        financing = vulnerable.financing
        # a step on the path changes the bills, and a discount given as a share follows them
        rows = discounts_at(model, proposed)[0] if first_step else vulnerable.groups
        discounts = tuple(Discount(r["name"], r["households"], r["discount_som_month"], r["yearly_som"])
                          for r in rows)
    given = sum(d.yearly_som for d in discounts)
    carried = sum((p.tariff_som - t.tariff_som) * t.billing_units_per_year
                  for p, t in zip(tariffs, result.tariffs) if p.id in carrying and not p.on_path)
    carried = given if (financing == "cross_subsidy" and not first_step) else min(max(carried, 0.0), given)
    if first_step:
        # the path's first-year subsidy (the requirement less the accruals at the path and
        # cost-recovery tariffs: the path reckons it so), and the part of cross-subsidised
        # discounts the other consumers' tariffs do not carry
        subsidy = path.subsidy_som[0] + (given - carried if financing == "cross_subsidy" else 0.0)
        subsidy = round(max(subsidy, 0.0), 2)
    else:
        subsidy = result.subsidy_need_som
    return Proposal(
        year=result.scenario.tariff_year, effective=dt.date(result.scenario.tariff_year, 1, 1),
        on_path=bool(first_step), tariffs=tariffs, requirement_som=result.revenue_requirement_som,
        subsidy_som=subsidy, discounts=discounts, discounts_financing=financing,
        discounts_carried_som=carried if financing == "cross_subsidy" else 0.0,
        income_groups=_income_groups(model, result, by_id), income_category=_income_category(model, result),
        reached_year=path.reached_year if path else None)


def _proposed(t, step: float | None, carrying: float | None) -> ProposedTariff:
    """One category's proposal: the path's step, else the justified tariff (the one carrying
    the discounts when the others pay for them). Its revenue is the result's own when the
    tariff is the result's, so that the two never differ by a rounding."""
    tariff = step if step is not None else (carrying if carrying is not None else t.tariff_som)
    same = tariff == t.tariff_som
    return ProposedTariff(
        id=t.id, name=t.name, billing_unit=t.billing_unit, tariff_som=tariff, justified_som=t.tariff_som,
        current_som=t.current_tariff_som, on_path=step is not None,
        billing_units_per_year=t.billing_units_per_year,
        revenue_som=t.revenue_som if same else tariff * t.billing_units_per_year, collection_rate=t.collection_rate,
        species=t.species_tariffs_som if same else ())


def _income_category(model: TariffModel, result: TariffResult) -> str | None:
    if result.policy is None or result.policy.affordability is None:
        return None
    return result.policy.affordability.category


def _income_groups(model: TariffModel, result: TariffResult, by_id: dict) -> tuple[IncomeGroupBill, ...]:
    """Each income group's monthly bill today and at the proposed tariff (the affordability
    section's category and groups; none without that section)."""
    category = _income_category(model, result)
    if category is None:
        return ()
    c = next(c for c in model.categories if c.category.id == category)
    groups, _ = income_groups(model, c)
    rows = []
    for name, income, size, _share in groups:
        units = household_units_per_month(c, size if c.persons else None)
        now = c.current_tariff_som
        rows.append(IncomeGroupBill(name, income, size, None if now is None else round(now * units, 2),
                                    round(by_id[category] * units, 2)))
    return tuple(rows)

"""Tariff policy on top of a compiled tariff model.

Each function answers one question a kenesh asks and returns an immutable result:
can families pay (:func:`affordability`), what do discounts for vulnerable households
cost (:func:`vulnerable_households`), how fast can we reach cost recovery
(:func:`cost_recovery_path`, with the investment plan and production programme), how is a
shared service split (:func:`shared_service`), and how sure are we (:func:`sensitivity`).
:func:`analyse` runs every part the scenario declares.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property
from types import MappingProxyType

import numpy as np

from okmo_models.i18n import LANGUAGES
from okmo_models.parameters import known_parameters, resolve
from okmo_models.provenance import source_text
from okmo_models.scenario.schema import LocalText
from okmo_models.tariff.policy import formulas as pf
from okmo_models.tariff import formulas as f
from okmo_models.tariff.model import CategorySpec, TariffModel


def _frozen(rows):
    return tuple(MappingProxyType(r) for r in rows)


# --- helpers -------------------------------------------------------------------------------


def household_units_per_month(c: CategorySpec, household_size: float | None) -> float:
    """Billing units a household of ``household_size`` persons is charged in a month.

    Without a household size (or without persons in the category) the category's
    average household is used.
    """
    who, _, period = c.category.billing_unit.partition("/")
    per_month = 1.0 / 12.0 if period == "year" else 1.0
    if household_size is None or not c.persons:
        return c.billing_units_per_year / c.households / 12.0
    if who == "household":
        return per_month
    if who == "person":
        return household_size * per_month
    # per m3 or t: the category's consumption per person-month times the household size
    return c.billing_units_per_year / c.persons / 12.0 * household_size


def _household_size(c: CategorySpec) -> float | None:
    return c.persons / c.households if (c.persons and c.households) else None


def _category(model: TariffModel, category_id: str | None) -> tuple[int, CategorySpec]:
    for i, c in enumerate(model.categories):
        if category_id is None and c.category.kind == "population" and c.households:
            return i, c
        if c.category.id == category_id:
            return i, c
    raise KeyError(category_id)


# --- affordability --------------------------------------------------------------------------


@dataclass(frozen=True)
class AffordabilityResult:
    category: str
    threshold: float
    threshold_source: object  # a source in the reader's languages (provenance.source_text)
    groups: tuple  # name, income_per_capita_som, household_size, share, bill_som, burden, above
    share_above: float
    target_share: float
    tariff_at_target_som: float | None  # category tariff at which target_share would be above
    tariff_som: float

    def to_dict(self, lang):
        return {
            "category": self.category, "threshold": self.threshold,
            "threshold_source": source_text(self.threshold_source, lang), "tariff_som": _money(self.tariff_som),
            "share_above": _round(self.share_above, 6), "target_share": self.target_share,
            "tariff_at_target_share_som": None if self.tariff_at_target_som is None
            else _money(self.tariff_at_target_som),
            "groups": [{**g, "name": g["name"].get(lang)} for g in self.groups],
        }


def income_groups(model: TariffModel, c: CategorySpec):
    """(names, incomes per person-month, household sizes, shares) of the income groups."""
    a = model.scenario.affordability
    size = _household_size(c) or 1.0
    if a.income_groups is not None:
        groups = [(g.name, g.income_per_capita.to("som/person/month"),
                   g.household_size.to("person/household") if g.household_size else size,
                   g.share.value * g.share.parsed_unit.factor) for g in a.income_groups]
        return groups, "scenario"
    name = a.income_groups_parameter or "income_groups_kg"
    p = resolve(name, model.scenario.tariff_year, country=model.scenario.municipality.country)
    from okmo_models.scenario.schema import LocalText

    groups = [(LocalText(**g["name"]), float(g["income_per_capita_som_month"]), size,
               float(g["share"])) for g in p.value]
    return groups, p.source


def affordability(model: TariffModel, tariff_som: float | None = None,
                  category_id: str | None = None) -> AffordabilityResult:
    """Bills by income group for ``tariff_som`` (default: the computed tariff) of the
    affordability category, or of ``category_id``."""
    s = model.scenario
    a = s.affordability
    i, c = _category(model, category_id or a.category)
    if a.threshold is not None:
        threshold = a.threshold.value.value * a.threshold.value.parsed_unit.factor
        source = s.sources[a.threshold.source]
    else:
        p = resolve(a.threshold_parameter, s.tariff_year, s.parameters, s.sources, s.municipality.country)
        threshold, source = p.value, p.source
    if tariff_som is None:
        tariff_som = float(model.evaluate()["tariff"][0, i])
    groups, _ = income_groups(model, c)
    names, incomes, sizes, shares = zip(*groups)
    units = np.array([household_units_per_month(c, sz if c.persons else None) for sz in sizes])
    sizes = tuple(sz if c.persons else _household_size(c) or sz for sz in sizes)
    bills = tariff_som * units
    burden = pf.bill_share_of_income(bills, np.array(incomes), np.array(sizes))
    target = a.target_share_above.value * a.target_share_above.parsed_unit.factor
    rows = [{"name": n, "income_per_capita_som": inc, "household_size": sz, "share": sh,
             "bill_som": _money(float(b)), "burden": _round(float(bu), 6),
             "above": bool(bu > threshold)}
            for n, inc, sz, sh, b, bu in zip(names, incomes, sizes, shares, bills, burden)]
    return AffordabilityResult(
        category=c.category.id, threshold=threshold, threshold_source=source, groups=_frozen(rows),
        share_above=pf.share_of_households_above(bills, incomes, sizes, shares, threshold),
        target_share=target,
        tariff_at_target_som=pf.bill_at_which_share_is_above(incomes, sizes, shares, threshold,
                                                             target, units),
        tariff_som=tariff_som)


# --- vulnerable households --------------------------------------------------------------------


@dataclass(frozen=True)
class VulnerableResult:
    financing: str
    groups: tuple  # name, category, households, discount_som_month, yearly_som
    budget_cost_som: float  # per year, when the budget pays
    cross_subsidy_tariffs: tuple  # category, tariff_som, increase_pct (cross-financing only)

    def to_dict(self, lang):
        return {"financing": self.financing, "budget_cost_som": _money(self.budget_cost_som),
                "groups": [{**g, "name": g["name"].get(lang)} for g in self.groups],
                "cross_subsidy_tariffs": [dict(t) for t in self.cross_subsidy_tariffs]}


def discounts_at(model: TariffModel, tariffs) -> tuple[list[dict], float]:
    """Monthly discount per household and yearly total of each Social Passport group."""
    rows, total = [], 0.0
    for g in model.scenario.vulnerable.groups:
        i, c = _category(model, g.category)
        bill = float(tariffs[i]) * household_units_per_month(c, _household_size(c))
        if "money" in g.discount.parsed_unit.dims:
            discount = min(g.discount.to("som/household/month"), bill)
        else:
            discount = bill * g.discount.value * g.discount.parsed_unit.factor
        # Households see the discount on their bill in tyiyn; the year is twelve such bills.
        discount = f.round_tariff(discount, 0.01)
        households = g.households.to("household")
        yearly = discount * households * 12.0
        total += yearly
        rows.append({"name": g.name, "category": g.category, "households": households,
                     "bill_som": _money(bill), "discount_som_month": _money(discount),
                     "yearly_som": _money(yearly)})
    return rows, total


class DiscountsNotCoverable(ValueError):
    """The discounts take so much of the bills that no tariff of the others can carry them."""


def vulnerable_households(model: TariffModel) -> VulnerableResult:
    """Cost of Social Passport discounts to the budget, or the tariffs that carry them."""
    v = model.scenario.vulnerable
    base = model.evaluate()
    rows, total = discounts_at(model, base["tariff"][0])
    cross = ()
    if v.financing == "cross_subsidy":
        # Find the extra revenue x the tariffs must raise so that x equals the discounts
        # at the tariffs that x itself produces (a fixed point; brentq on x - D(x)).
        def gap(x):
            ev = model.evaluate(extra_revenue_som=np.array([x]))
            return x - discounts_at(model, ev["tariff"][0])[1]

        upper = max(total * 2.0, 1.0)
        requirement = float(base["requirement"][0])
        while gap(upper) <= 0:  # discounts grow with the tariff; widen until they are covered
            upper *= 2.0
            if upper > 1_000.0 * requirement:
                raise DiscountsNotCoverable()
        from scipy.optimize import brentq  # only for cross-financed discounts: spares a hearing kernel the import

        x = brentq(gap, 0.0, upper, xtol=0.005)
        ev = model.evaluate(extra_revenue_som=np.array([x]))
        rows, total = discounts_at(model, ev["tariff"][0])
        cross = _frozen({"category": c.category.id, "tariff_som": float(ev["tariff"][0, i]),
                         "increase_pct": _round((float(ev["tariff"][0, i]) / float(base["tariff"][0, i]) - 1) * 100, 4)
                         if base["tariff"][0, i] else None}
                        for i, c in enumerate(model.categories))
    return VulnerableResult(v.financing, _frozen(rows),
                            total if v.financing == "budget" else 0.0, cross)


# --- investments and the multi-year path --------------------------------------------------------


@dataclass(frozen=True)
class PathResult:
    years: tuple
    cpi_index: tuple
    cpi_source: object  # the scenario's forecast source, or the package parameter's, in languages
    requirement_som: tuple
    volume_factor: tuple
    depreciation_som: tuple
    debt_service_som: tuple
    categories: tuple  # per path category: id, unit, start, cost_recovery[], path[], increase_needed
    subsidy_som: tuple
    reached_year: int | None
    feasible: bool
    depreciation_fund_som: tuple
    investment_effect_som: tuple  # revenue requirement added by the investment plan, by year

    def to_dict(self, lang):
        return {
            "years": list(self.years), "cpi_index": _r(self.cpi_index, 6), "cpi_source": source_text(self.cpi_source, lang),
            "requirement_som": _r(self.requirement_som), "volume_factor": _r(self.volume_factor, 6),
            "depreciation_som": _r(self.depreciation_som), "debt_service_som": _r(self.debt_service_som),
            "categories": [dict(c) for c in self.categories],
            "subsidy_som": _r(self.subsidy_som), "reached_year": self.reached_year,
            "feasible": self.feasible, "depreciation_fund_som": _r(self.depreciation_fund_som),
            "investment_effect_som": _r(self.investment_effect_som),
        }


def _r(values, digits=2):
    """Money by year, half-up like every printed figure (Python's round gives 100 000,12 for
    100 000,125)."""
    return [None if v is None else f.round_tariff(float(v), 10.0 ** -digits) for v in values]


def _money(x):
    return None if x is None else f.round_tariff(float(x), 0.01)


def _round(x, digits):
    """``round`` for the JSON: never -0.0 (printed "-0.0"), e.g. an increase of -0.00001 %."""
    return round(float(x), digits) + 0.0


def plan_schedules(model: TariffModel, years: np.ndarray, with_investments: bool = True):
    """Depreciation, debt service and own-funds outlays by year [som/year]."""
    s = model.scenario
    depreciation = np.zeros(len(years))
    for a in s.assets:
        if a.owner == "operator" or s.operator.type != "lessee":
            depreciation += f.straight_line_depreciation(a.value.to("som"), a.year,
                                                         a.useful_life.to("year"), years)
    debt = np.full(len(years), float(model.debt_service_som))
    own = np.zeros(len(years))
    plan = s.investments
    if plan is not None and with_investments:
        for item in plan.items:
            value = item.value.to("som")
            shares = {fin.type: 0.0 for fin in item.financing}
            for fin in item.financing:
                shares[fin.type] += fin.share.value * fin.share.parsed_unit.factor
                if fin.type == "loan":
                    principal = value * fin.share.value * fin.share.parsed_unit.factor
                    debt += pf.loan_schedule(principal, fin.rate.value * fin.rate.parsed_unit.factor,
                                             fin.term.to("year"), item.year, years)
            depreciable = value if plan.grant_assets_depreciated else value * (1 - shares.get("grant", 0.0))
            depreciation += f.straight_line_depreciation(depreciable, item.year,
                                                         item.useful_life.to("year"), years)
            own += np.where(years == item.year, value * shares.get("own", 0.0), 0.0)
    return depreciation, debt, own


def _publish(path, target, printed, at_cost, start, growth, caps, model):
    """Tariffs rounded by the scenario's rule that keep every limit against the published
    previous year.

    Where the path reaches cost recovery the tariff is the cost-recovery tariff, rounded
    as in the калькуляция, provided that stays within the yearly limit and the cap;
    elsewhere the path value is rounded by the rule, and down where the rule would cross
    a limit.
    """
    out, previous = [], start
    for y, value in enumerate(path):
        limit = min(np.inf if growth is None else previous * (1 + growth),
                    np.inf if caps is None else caps[y])
        at_target = printed[y]  # the калькуляция's tariff of that year, as printed
        if at_cost[y] and at_target <= limit + 1e-9:
            tariff = at_target
        else:
            tariff = model.publish(min(value, limit))
            if tariff > limit + 1e-9:  # the tariff without taxes one step down, within the limit
                net = model.round(min(value, limit) / model.tax_factor, "down")
                tariff = model.round(net * model.tax_factor)
                if tariff > limit + 1e-9:
                    tariff = model.round(net * model.tax_factor, "down")
        out.append(tariff)
        previous = tariff
    return np.array(out)


def cost_recovery_path(model: TariffModel) -> PathResult:
    """Cost-recovery tariffs by year and the path towards them under the caps."""
    s = model.scenario
    p = s.path
    years = np.arange(s.tariff_year, s.tariff_year + p.years)
    if p.cpi is not None:
        default, cpi_source = p.cpi.value * p.cpi.parsed_unit.factor, s.sources[p.cpi_source]
    else:
        forecast = resolve("cpi_forecast_kg", s.tariff_year, s.parameters, s.sources,
                           s.municipality.country)
        default = forecast.value
        # the parameter by its name in words, its value and its source, in each language
        described = known_parameters()["cpi_forecast_kg"].description
        cpi_source = LocalText(**{lang: f"{described.get(lang) or described['ru']}: {forecast.text(lang)} "
                                        f"({source_text(forecast.source, lang)})" for lang in LANGUAGES})
        if p.cpi_by_year:
            cpi_source = LocalText(**{lang: f"{source_text(s.sources[p.cpi_source], lang)}; {cpi_source.get(lang)}"
                                      for lang in LANGUAGES})
    rates = [p.cpi_by_year[int(y)].value * p.cpi_by_year[int(y)].parsed_unit.factor
             if int(y) in p.cpi_by_year else default for y in years]
    index = pf.cpi_index(rates)
    volume = np.ones(len(years))
    if s.production_programme is not None and s.production_programme.volume_by_year:
        prog = s.production_programme.volume_by_year
        volume = np.array([prog[int(y)].value * prog[int(y)].parsed_unit.factor for y in years])
    depreciation, debt, own = plan_schedules(model, years)
    factors = np.repeat(index[:, None], len(model.input_lines), axis=1)
    ev = model.evaluate(factors, depreciation_som=depreciation, debt_service_som=debt,
                        volume_factor=volume, price_index=index)
    dep0, debt0, _ = plan_schedules(model, years, with_investments=False)
    ev0 = model.evaluate(factors, depreciation_som=dep0, debt_service_som=debt0, volume_factor=volume,
                         price_index=index)

    # Path categories: by default, population categories that have today's tariff.
    ids = p.categories or [c.category.id for c in model.categories
                           if c.category.kind == "population" and c.current_tariff_som is not None]
    path_of = {}
    rows = []
    feasible = True
    for cid in ids:
        i, c = _category(model, cid)
        target = ev["tariff_unrounded"][:, i]
        caps = None
        if p.affordability_cap:
            cap_now = affordability(model, float(target[0]), cid).tariff_at_target_som
            caps = None if cap_now is None else cap_now * index  # incomes kept in real terms
        growth = None if p.max_increase is None else p.max_increase.value * p.max_increase.parsed_unit.factor
        path, ok = pf.tariff_path(c.current_tariff_som, target, growth, caps)
        at_cost = path >= target * (1 - 1e-9)
        path = _publish(path, target, ev["tariff"][:, i], at_cost, c.current_tariff_som, growth, caps, model)
        feasible &= ok
        reached_c = next((int(y) for y, hit in zip(years, at_cost) if hit), None)
        path_of[i] = path
        rows.append({"category": cid, "unit": "som/" + c.category.billing_unit,
                     "start_tariff_som": c.current_tariff_som,
                     "cost_recovery_tariff_som": _r(ev["tariff"][:, i]),
                     "path_tariff_som": _r(path),
                     "caps_som": None if caps is None else _r(caps),
                     "increase_needed": _round(pf.increase_needed(c.current_tariff_som, target), 6),
                     "investment_tariff_effect_som": _r(target - ev0["tariff_unrounded"][:, i]),
                     "reached_year": reached_c})
    # Each year the budget pays what the accruals leave of the requirement: the path
    # categories billed at the path, the others at their cost-recovery tariffs, as the
    # decision's subsidy is reckoned (tariff.proposal), so that the two agree to the tyiyn.
    # A year whose path tariffs all reached cost recovery needs none (a rounding is no subsidy).
    revenue = np.array(ev["revenue"], dtype=float)
    below = np.zeros(len(years), dtype=bool)
    for i, path in path_of.items():
        revenue[:, i] = path * model.categories[i].billing_units_per_year * volume
        below |= path < ev["tariff"][:, i] - 1e-9
    subsidy = np.where(below, np.maximum(ev["requirement"] - revenue.sum(axis=1), 0.0), 0.0)
    reached_each = [r["reached_year"] for r in rows]
    reached = None if (not rows or None in reached_each) else max(reached_each)
    plan = s.investments
    opening = plan.depreciation_fund_opening.to("som") if plan else 0.0
    fund = opening + np.cumsum(depreciation - own)
    return PathResult(
        years=tuple(int(y) for y in years), cpi_index=tuple(index), cpi_source=cpi_source, requirement_som=tuple(ev["requirement"]),
        volume_factor=tuple(volume), depreciation_som=tuple(depreciation), debt_service_som=tuple(debt),
        categories=_frozen(rows), subsidy_som=tuple(subsidy), reached_year=reached,
        feasible=bool(feasible and reached is not None), depreciation_fund_som=tuple(fund),
        investment_effect_som=tuple(ev["requirement"] - ev0["requirement"]))


# --- shared services --------------------------------------------------------------------------


@dataclass(frozen=True)
class SharingResult:
    key: str
    key_source: object  # in the reader's languages (provenance.source_text)
    members: tuple  # name, key_value, share, payment_som, tariff_per_unit_som, per_household_month_som

    def to_dict(self, lang):
        return {"key": self.key, "key_source": source_text(self.key_source, lang),
                "members": [{**m, "name": m["name"].get(lang), "source": source_text(m["source"], lang)}
                            for m in self.members]}


def shared_service(model: TariffModel, requirement_som: float) -> SharingResult:
    """Split the revenue requirement between municipalities by the declared key."""
    sh = model.scenario.sharing
    base = model.base_unit
    weights, volumes = [], []
    for m in sh.members:
        volume = None
        if m.volume is not None:
            volume = m.volume.value * m.volume.parsed_unit.factor
            is_mass = "mass" in m.volume.parsed_unit.dims
            density = model.scenario.waste.density.to("t/m3") if (
                model.scenario.waste and model.scenario.waste.density) else None
            volume = model.to_base_unit(volume, is_mass, density)
        if m.heads is not None:  # dipping bath: heads dipped a year
            volume = m.heads.to("head") * model.scenario.dipping_bath.dippings_per_year
        volumes.append(volume)
        weights.append({"volume": volume, "heads": volume,
                        "distance": None if volume is None or m.distance is None
                        else volume * m.distance.to("km"),
                        "fixed_share": None if m.share is None
                        else m.share.value * m.share.parsed_unit.factor}[sh.key])
    shares = pf.allocation_shares(weights)
    payments = pf.split_to_tyiyn(requirement_som, shares)
    rows = []
    for m, w, sh_, vol, payment in zip(sh.members, weights, shares, volumes, payments):
        rows.append({"name": m.name, "key_value": _round(float(w), 6), "share": _round(float(sh_), 6),
                     "payment_som": _money(payment),
                     "tariff_per_unit_som": None if not vol else _money(payment / vol),
                     "unit": "som/" + base,
                     "per_household_month_som": None if m.households is None
                     else _money(payment / m.households.to("household") / 12.0),
                     "source": model.scenario.sources[m.source]})
    return SharingResult(sh.key, model.scenario.sources[sh.key_source], _frozen(rows))


# --- sensitivity ---------------------------------------------------------------------------


@dataclass(frozen=True)
class SensitivityResult:
    category: str
    swing: float
    base_tariff_som: float
    tornado: tuple  # line, name, low_som, high_som, range_som (sorted by range)
    draws: int
    seed: int
    percentiles: MappingProxyType | None  # "p5".."p95", "mean" of the cost-recovery tariff
    requirement_percentiles: MappingProxyType | None
    sample: tuple = ()  # the drawn tariffs, for the histogram

    def to_dict(self, lang):
        return {"category": self.category, "swing": self.swing,
                "base_tariff_som": _round(self.base_tariff_som, 4),
                "tornado": [{**t, "name": t["name"].get(lang)} for t in self.tornado],
                "draws": self.draws, "seed": self.seed,
                "percentiles": None if self.percentiles is None else dict(self.percentiles),
                "requirement_percentiles": None if self.requirement_percentiles is None
                else dict(self.requirement_percentiles)}


PERCENTILES = (5, 25, 50, 75, 95)


def sensitivity(model: TariffModel) -> SensitivityResult:
    """Tornado (each cost line +/- swing) and Monte Carlo of the cost-recovery tariff."""
    s = model.scenario
    cfg = s.sensitivity
    swing = cfg.swing.value * cfg.swing.parsed_unit.factor
    i, c = _category(model, None) if any(
        k.category.kind == "population" and k.persons for k in model.categories) else (0, model.categories[0])
    n_lines = len(model.input_lines)
    factors = np.ones((2 * n_lines + 1, n_lines))
    for j in range(n_lines):
        factors[2 * j, j] = 1 - swing
        factors[2 * j + 1, j] = 1 + swing
    ev = model.evaluate(factors)
    t = ev["tariff"][:, i]  # as printed: the base is the калькуляция's tariff to the tyiyn
    base = float(t[-1])
    rows = sorted(({"line": ln.line, "name": ln.name, "low_som": _round(float(t[2 * j]), 4),
                    "high_som": _round(float(t[2 * j + 1]), 4),
                    "range_som": _round(float(t[2 * j + 1] - t[2 * j]), 4)}
                   for j, ln in enumerate(model.input_lines)), key=lambda r: -r["range_som"])
    low = np.zeros(n_lines)
    high = np.zeros(n_lines)
    dist = np.array(["triangular"] * n_lines, dtype=object)
    for j, cl in enumerate(model.cost_line_inputs):
        if cl.uncertainty is not None:
            low[j] = cl.uncertainty.low.to("%") / 100
            high[j] = cl.uncertainty.high.to("%") / 100
            dist[j] = cl.uncertainty.distribution
    pct = req_pct = None
    sample = ()
    if np.any(high > low):
        tariffs, requirement = monte_carlo(model, low, high, dist, cfg.draws, cfg.seed, i)
        pct = _percentiles(tariffs)
        req_pct = _percentiles(requirement)
        sample = tuple(np.round(tariffs, 4))
    return SensitivityResult(c.category.id, swing, base, _frozen(rows), cfg.draws, cfg.seed,
                             pct, req_pct, sample)


# Cost factors drawn and evaluated at a time: each array of the calculation then holds at most
# this many numbers (4 MB), whatever the draws and the cost lines (a million draws of 500 lines
# in one block needed 12 GB).
CHUNK_VALUES = 500_000


def monte_carlo(model: TariffModel, low, high, distribution, draws: int, seed: int, category: int):
    """The unrounded tariff of ``category`` and the revenue requirement in each of ``draws``
    variants, reproducible from ``seed``: ``(tariffs, requirement)``.

    The variants are drawn and evaluated in chunks from one generator, which hands out its
    numbers in the same order either way: the same numbers as one block of draws, in bounded
    memory.
    """
    rng = np.random.default_rng(seed)
    rows = max(1, CHUNK_VALUES // max(len(low), 1))
    tariffs, requirement = np.empty(draws), np.empty(draws)
    for start in range(0, draws, rows):
        n = min(rows, draws - start)
        ev = model.evaluate(pf.draw_factors(rng, low, high, distribution, n), unrounded_only=True)
        tariffs[start:start + n] = ev["tariff_unrounded"][:, category]
        requirement[start:start + n] = ev["requirement"]
    return tariffs, requirement


def _percentiles(x):
    values = np.percentile(x, PERCENTILES)
    out = {f"p{p}": _round(float(v), 4) for p, v in zip(PERCENTILES, values)}
    out["mean"] = _round(float(np.mean(x)), 4)
    return MappingProxyType(out)


# --- everything the scenario declares -----------------------------------------------------------


@dataclass(frozen=True)
class PolicyResult:
    affordability: AffordabilityResult | None
    vulnerable: VulnerableResult | None
    path: PathResult | None
    sharing: SharingResult | None
    # the sensitivity's model, analysed when first asked for (see ``sensitivity``)
    sensitivity_of: TariffModel | None = field(default=None, repr=False, compare=False)

    @cached_property
    def sensitivity(self) -> SensitivityResult | None:
        """The tornado and the Monte Carlo, computed on first use: they are half the cost of a
        tariff, and a batch that reads other figures (``okmo compare`` of a country's
        tariffs) never needs them. The same figures whenever they are computed: the model
        is fixed and the Monte Carlo's seed is the scenario's."""
        return None if self.sensitivity_of is None else sensitivity(self.sensitivity_of)

    def to_dict(self, lang):
        return {name: None if part is None else part.to_dict(lang)
                for name, part in (("affordability", self.affordability),
                                   ("vulnerable", self.vulnerable), ("path", self.path),
                                   ("sharing", self.sharing), ("sensitivity", self.sensitivity))}


POLICY_SECTIONS = ("affordability", "vulnerable", "path", "sharing", "sensitivity")


def has_policy(scenario) -> bool:
    return any(getattr(scenario, name) is not None for name in POLICY_SECTIONS)


def analyse(model: TariffModel, requirement_som: float) -> PolicyResult:
    s = model.scenario
    return PolicyResult(
        affordability=affordability(model) if s.affordability else None,
        vulnerable=vulnerable_households(model) if s.vulnerable else None,
        path=cost_recovery_path(model) if s.path else None,
        sharing=shared_service(model, requirement_som) if s.sharing else None,
        sensitivity_of=model if s.sensitivity else None,
    )

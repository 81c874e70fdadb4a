"""Choosing the portfolio: which measures, from which year, within the money each year.

:func:`optimal` solves a mixed-integer programme with ``scipy.optimize.milp`` (HiGHS).
Variable x[m, s] is 1 when measure m starts in year s. It maximises the total priority (the
weighted hearing scores), preferring earlier starts only to break ties, subject to:

* each measure at most once; committed measures always, at their start;
* local money each year within the fiscal space (cumulatively, with ``carry_over``);
* money of each funding kind within the yearly ``source_limits``;
* B requires A: B starts only after A is finished, written on cumulative starts (B started
  by year s at most as often as A started early enough to be finished before s): the same
  integer solutions as a row per start of B alone, but a tighter LP relaxation (on the
  200-measure benchmark its bound falls from 49.29 to 49.02, near the 49.01 HiGHS reached
  before with its cuts);
* A excludes B: not both;
* vulnerable beneficiaries at least ``min_vulnerable_share`` of all beneficiaries.

:func:`ranking` is the plain alternative to compare with: measures by priority, each at its
earliest start that still fits. :func:`brute_force` enumerates every choice of a small
programme by the rules themselves (for tests). Every measure left out gets a reason.

Large programmes are not always proven optimal: 200 random measures over 5 years are a
five-dimensional knapsack with start-year choices, and HiGHS leaves a gap of about 0.2 % after
minutes (docs/benchmarks.md). The best portfolio found within the time limit is then used and
its proven gap reported.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass

import numpy as np
from scipy.optimize import Bounds, LinearConstraint, milp

from okmo_models.errors import OkmoError
from okmo_models.i18n import t
from okmo_models.programme.model import FiscalSpace, Portfolio, allowed_starts, money, priority
from okmo_models.programme.schema import Programme, fraction

EARLY = 1e-4  # value of starting one year earlier, far below any difference in priority
INCLUDE = 1e-3  # a measure with the lowest scores is still worth doing if the money is there


class InfeasibleRules(OkmoError):
    """No portfolio meets every rule; names the rule that cannot be met."""

    def __init__(self, key: str, **context):
        super().__init__(key)
        self.key, self.context = key, context

    def render(self, lang=None) -> str:
        context = dict(self.context)
        if "kind" in context:
            context["kind"] = t("funding_" + context["kind"], lang)
        return t("programme_infeasible", lang, rule=t(self.key, lang, **context))


@dataclass
class _Problem:
    """The MILP in matrix form, with each constraint row tagged by the rule it enforces."""

    columns: list  # (measure index, start year)
    value: np.ndarray
    rows: list  # (tag, coefficients, lower, upper)


def _value(m, start: int, programme: Programme) -> float:
    first = allowed_starts(m, programme)[0] if allowed_starts(m, programme) else start
    return priority(m, programme) + INCLUDE - EARLY * (start - first)


def _build(programme: Programme, space: FiscalSpace) -> _Problem:
    years = list(space.years)
    measures = programme.measures
    columns, value, flows = [], [], []
    starts_of = []  # per measure: [(column, start year)]
    for i, m in enumerate(measures):
        starts_of.append([])
        for s in allowed_starts(m, programme):
            starts_of[i].append((len(columns), s))
            columns.append((i, s))
            value.append(_value(m, s, programme))
            flows.append(money(m, s, years))
    n = len(columns)
    owner = np.array([i for i, _ in columns], dtype=int)
    rows = []
    index = {m.id: i for i, m in enumerate(measures)}
    for i, m in enumerate(measures):
        rows.append((("once", m.id), (owner == i).astype(float), 1.0 if m.committed else 0.0, 1.0))
    local = np.array([f["local_budget"] for f in flows]).reshape(n, len(years))
    if programme.rules.carry_over:
        local, limit = np.cumsum(local, axis=1), np.cumsum(space.amounts)
    else:
        limit = space.amounts
    for k, year in enumerate(years):
        rows.append((("budget", year), local[:, k], -np.inf, float(limit[k])))
    for kind, limits in programme.rules.source_limits.items():
        for k, year in enumerate(years):
            if year in limits:
                a = np.array([f[kind][k] for f in flows])
                rows.append((("source", kind, year), a, -np.inf, float(limits[year])))
    for i, m in enumerate(measures):
        for other in m.requires:
            j = index[other]
            length = len(measures[j].cost)
            # B started by year s (any start up to s) <= A started early enough to be finished
            # before s; one row per start of B
            for _, s in starts_of[i]:
                a = np.zeros(n)
                a[[c for c, s2 in starts_of[i] if s2 <= s]] = 1.0
                a[[c for c, s2 in starts_of[j] if s2 + length - 1 < s]] = -1.0
                rows.append((("requires", m.id, other), a, -np.inf, 0.0))
        for other in m.excludes:
            a = ((owner == i) | (owner == index[other])).astype(float)
            rows.append((("excludes", m.id, other), a, -np.inf, 1.0))
    if programme.rules.min_vulnerable_share is not None:
        share = fraction(programme.rules.min_vulnerable_share)
        a = np.array([measures[i].beneficiaries.vulnerable - share * measures[i].beneficiaries.total
                      for i, _ in columns])
        rows.append((("vulnerable",), a, 0.0, np.inf))
    return _Problem(columns, np.array(value), rows)


TIME_LIMIT = 10.0  # seconds; a large programme gets the best portfolio found, with its proven gap


def _solve(problem: _Problem, skip=lambda tag: False, time_limit: float = TIME_LIMIT):
    """``(x, gap)``: the chosen columns and how far (relative) the optimum may still be
    above them — 0 when proven optimal; ``None`` when no portfolio meets the rules."""
    n = len(problem.columns)
    if n == 0:
        return np.zeros(0), 0.0
    rows = [r for r in problem.rows if not skip(r[0])]
    constraints = [LinearConstraint(np.array([r[1] for r in rows]), [r[2] for r in rows], [r[3] for r in rows])] \
        if rows else []
    # an exact optimum: the default relative gap (1e-4) would ignore the earlier-start tie-break
    res = milp(-problem.value, integrality=np.ones(n), bounds=Bounds(0, 1), constraints=constraints,
               options={"mip_rel_gap": 1e-9, "time_limit": time_limit})
    if res.x is None or res.status not in (0, 1):
        return None
    gap = 0.0 if res.status == 0 else float(getattr(res, "mip_gap", np.nan))
    return np.round(res.x), gap


def optimal(programme: Programme, space: FiscalSpace, time_limit: float = TIME_LIMIT) -> Portfolio:
    """The portfolio of the highest total priority that meets every rule. If the solver
    cannot prove optimality within ``time_limit`` seconds, the best portfolio found is
    returned with ``gap``: the most the optimum may exceed it, relative."""
    problem = _build(programme, space)
    solved = _solve(problem, time_limit=time_limit)
    if solved is None:
        raise _diagnose(programme, problem)
    x, gap = solved
    starts = {programme.measures[i].id: s for (i, s), chosen in zip(problem.columns, x) if chosen}
    portfolio = Portfolio(programme, space, starts, method="optimal")
    return Portfolio(programme, space, starts, explain(portfolio), "optimal", gap)


def _diagnose(programme: Programme, problem: _Problem) -> InfeasibleRules:
    """The rule that cannot be met: the first group of constraints without which a
    portfolio exists (committed measures against the money of a year, the vulnerable
    share, a funding limit, a dependency of a committed measure)."""
    tags = [r[0] for r in problem.rows]
    groups = [("vulnerable",)] + sorted({tag for tag in tags if tag[0] == "budget"}) \
        + sorted({tag for tag in tags if tag[0] == "source"}) + sorted({tag for tag in tags if tag[0] == "requires"})
    for group in groups:
        if _solve(problem, skip=lambda tag, g=group: tag == g, time_limit=2.0) is not None:
            if group[0] == "vulnerable":
                return InfeasibleRules("rule_vulnerable", share=str(programme.rules.min_vulnerable_share))
            if group[0] == "budget":
                return InfeasibleRules("rule_budget", year=group[1])
            if group[0] == "source":
                return InfeasibleRules("rule_source", kind=group[1], year=group[2])
            return InfeasibleRules("rule_requires", measure=group[1], other=group[2])
    return InfeasibleRules("rule_combined")


def brute_force(programme: Programme, space: FiscalSpace) -> tuple[float, dict] | None:
    """Every choice of start (or none) for every measure, for small programmes, checked by the
    rules themselves (:func:`broken_rules`, not the MILP's rows): the best total value and its
    starts, or None when no choice meets the rules."""
    options = [[(m.id, s) for s in allowed_starts(m, programme)] + ([] if m.committed else [None])
               for m in programme.measures]
    best = None
    for choice in itertools.product(*options):
        starts = dict(c for c in choice if c is not None)
        if _meets(programme, space, starts):
            v = objective(programme, starts)
            if best is None or v > best[0] + 1e-12:
                best = (v, starts)
    return best


def objective(programme: Programme, starts: dict) -> float:
    by_id = {m.id: m for m in programme.measures}
    return sum(_value(by_id[mid], s, programme) for mid, s in starts.items())


def ranking(programme: Programme, space: FiscalSpace) -> Portfolio:
    """Measures by priority (committed first), each at the earliest start that fits with
    those already taken; the vulnerable-share rule is not enforced (see the comparison)."""
    order = sorted(programme.measures, key=lambda m: (not m.committed, -priority(m, programme)))
    taken = _Additions(programme, space, {}, vulnerable=False)
    for m in order:
        for s in allowed_starts(m, programme):
            if taken.first_broken(m, s) is None:
                taken.add(m, s)
                break
    portfolio = Portfolio(programme, space, dict(taken.starts), method="ranking")
    return Portfolio(programme, space, portfolio.starts, explain(portfolio), "ranking")


def _meets(programme: Programme, space: FiscalSpace, starts: dict, vulnerable: bool = True) -> bool:
    return not _broken(programme, space, starts, vulnerable)


def _broken(programme: Programme, space: FiscalSpace, starts: dict, vulnerable: bool = True):
    """The first rule ``starts`` breaks, as (message key, context), or None."""
    rules = broken_rules(programme, space, starts, vulnerable)
    return rules[0] if rules else None


def _measure_rules(by_id: dict, starts: dict) -> list:
    """The measures' own rules ``starts`` breaks (dependencies and exclusions), in the order
    of ``starts``; see :func:`broken_rules`."""
    out, pairs = [], set()
    for mid, s in starts.items():
        m = by_id[mid]
        for other in m.requires:
            if other not in starts:
                out.append(("why_requires", {"measure": mid, "other": other}))
                continue
            finish = starts[other] + len(by_id[other].cost) - 1
            if finish >= s:
                out.append(("why_requires_order", {"measure": mid, "other": other, "year": finish}))
        for other in starts:  # "A excludes B" rules out both together, whoever names whom
            if (other in m.excludes or mid in by_id[other].excludes) and frozenset((mid, other)) not in pairs:
                pairs.add(frozenset((mid, other)))
                out.append(("why_excludes", {"measure": mid, "other": other}))
    return out


def broken_rules(programme: Programme, space: FiscalSpace, starts: dict, vulnerable: bool = True) -> list:
    """Every rule ``starts`` breaks, as (message key, context), first the measures' own
    rules in the order of ``starts``: a measure needing one not chosen (``why_requires``) or
    not finished before it starts (``why_requires_order``), two measures that exclude each
    other (``why_excludes``); then each year short of money (``why_budget``), each source over
    its yearly limit (``why_source``), and too few vulnerable beneficiaries (``why_vulnerable``,
    with the share reached and the share required)."""
    out = _measure_rules({m.id: m for m in programme.measures}, starts)
    portfolio = Portfolio(programme, space, starts)
    out += [("why_budget", {"year": year, "short": short}) for year, short, _ in portfolio.gaps()]
    flows = portfolio.by_source()
    for kind, limits in programme.rules.source_limits.items():
        for k, year in enumerate(space.years):
            if year in limits and flows[kind][k] > limits[year] + 1e-6:
                out.append(("why_source", {"kind": kind, "year": year, "short": flows[kind][k] - limits[year]}))
    if vulnerable and programme.rules.min_vulnerable_share is not None and starts:
        total, _, vul = portfolio.beneficiaries()
        required = fraction(programme.rules.min_vulnerable_share)
        if vul < required * total - 1e-9:
            out.append(("why_vulnerable", {"share": vul / total if total else 0.0, "required": required}))
    return out


class _Additions:
    """A portfolio's totals (local money and limited sources by year, beneficiaries), kept so
    that adding one measure at one start is checked from them instead of rebuilding the whole
    portfolio: the reasons try every measure left out at every start. ``first_broken(m, s)``
    is ``_broken(programme, space, {m.id: s, **starts}, vulnerable)``, the measure itself first."""

    def __init__(self, programme: Programme, space: FiscalSpace, starts: dict, vulnerable: bool = True):
        self.programme, self.space, self.vulnerable = programme, space, vulnerable
        self.by_id = {m.id: m for m in programme.measures}
        self.kinds = ["local_budget", *programme.rules.source_limits]
        self.flows = {k: np.zeros(len(space.years)) for k in self.kinds}
        self.total = self.vulnerable_total = 0.0
        self.starts: dict = {}
        for mid, s in starts.items():
            self._count(self.by_id[mid], s)
        self.own = _measure_rules(self.by_id, self.starts)

    def _count(self, m, s):
        f = money(m, s, self.space.years)
        for k in self.kinds:
            self.flows[k] = self.flows[k] + f[k]
        self.total += m.beneficiaries.total
        self.vulnerable_total += m.beneficiaries.vulnerable
        self.starts[m.id] = s

    def add(self, m, s):
        self._count(m, s)
        self.own = _measure_rules(self.by_id, self.starts)

    def first_broken(self, m, s):
        """The first rule broken with ``m`` added at ``s``, or None."""
        starts, by_id = self.starts, self.by_id
        for other in m.requires:  # the measure's own rules first
            if other not in starts:
                return "why_requires", {"measure": m.id, "other": other}
            finish = starts[other] + len(by_id[other].cost) - 1
            if finish >= s:
                return "why_requires_order", {"measure": m.id, "other": other, "year": finish}
        for other in starts:
            if other in m.excludes or m.id in by_id[other].excludes:
                return "why_excludes", {"measure": m.id, "other": other}
        for key, context in self.own:  # the others' own rules: only one needing m changes
            if key == "why_requires" and context["other"] == m.id:
                finish = s + len(m.cost) - 1
                if finish >= starts[context["measure"]]:
                    return "why_requires_order", {**context, "year": finish}
                continue
            return key, context
        f = money(m, s, self.space.years)
        left = self.space.amounts - (self.flows["local_budget"] + f["local_budget"])
        if self.programme.rules.carry_over:
            left = np.cumsum(left)
        for year, money_left in zip(self.space.years, left):
            if money_left < -1e-6:
                return "why_budget", {"year": year, "short": float(-money_left)}
        for kind, limits in self.programme.rules.source_limits.items():
            flow = self.flows[kind] + f[kind]
            for k, year in enumerate(self.space.years):
                if year in limits and flow[k] > limits[year] + 1e-6:
                    return "why_source", {"kind": kind, "year": year, "short": flow[k] - limits[year]}
        if self.vulnerable and self.programme.rules.min_vulnerable_share is not None:
            total = self.total + m.beneficiaries.total
            vul = self.vulnerable_total + m.beneficiaries.vulnerable
            required = fraction(self.programme.rules.min_vulnerable_share)
            if vul < required * total - 1e-9:
                return "why_vulnerable", {"share": vul / total if total else 0.0, "required": required}
        return None


_REASON_ORDER = ("why_excludes", "why_requires", "why_budget", "why_source", "why_vulnerable",
                 "why_requires_order")


def explain(portfolio: Portfolio) -> dict:
    """Why each measure left out is out: (message key, context) by measure id."""
    programme = portfolio.programme
    trial = _Additions(programme, portfolio.space, portfolio.starts, vulnerable=portfolio.method != "ranking")
    reasons = {}
    for m in programme.measures:
        if m.id in portfolio.starts:
            continue
        possible = allowed_starts(m, programme)
        if not possible:
            reasons[m.id] = ("why_no_start", {})
            continue
        broken = [trial.first_broken(m, s) for s in possible]
        if not all(broken):  # it would fit at some start: other measures were worth more
            reasons[m.id] = ("why_displaced", {})
        else:  # the most telling reason over its possible starts ("too early" last)
            reasons[m.id] = min(broken, key=lambda r: _REASON_ORDER.index(r[0]))
    return reasons

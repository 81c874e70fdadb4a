"""Choosing the portfolio: which measures, from which year, within the money each year.

:func:`optimal` solves a mixed-integer programme with ``scipy.optimize.milp`` (HiGHS).
Variable x[m, s] is 1 when measure m starts in year s. The choice is lexicographic: first the
highest total priority (the weighted hearing scores); among portfolios of that priority, the
most measures; among those, the earliest starts. It is solved in two stages: the priority
first, then the tie-break with the priority held. Priorities built from whole scores and
weights are whole numbers of hearing points once scaled (1/12 for two criteria weighted 2 and
1 on a 1-5 scale), and the solver then rounds its bound down to a whole point, which proves
many more programmes optimal than a fractional objective would (other priorities are counted
in millionths). Subject to:

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
five-dimensional knapsack with start-year choices, and neither HiGHS nor OR-Tools CP-SAT closes
the last point of priority within minutes (docs/benchmarks.md). The best portfolio found
within the time limit is then used, with the bound: the most the optimum may exceed it.
"""

from __future__ import annotations

import itertools
import time
from dataclasses import dataclass

import numpy as np

from okmo_models.errors import OkmoError
from okmo_models.i18n import t
from okmo_models.programme.model import FiscalSpace, Portfolio, allowed_starts, money, priority
from okmo_models.programme.schema import Programme, fraction

POINTS_UP_TO = 10_000  # a priority is counted in whole points when some scale up to this makes it whole
MILLIONTHS = 1_000_000  # otherwise in millionths, rounded: closer priorities are not told apart


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


class NoPortfolioInTime(OkmoError):
    """The time limit ran out before any portfolio meeting the rules was found."""

    def __init__(self, seconds: float):
        super().__init__(seconds)
        self.seconds = seconds

    def render(self, lang=None) -> str:
        return t("programme_no_portfolio_in_time", lang, seconds=f"{self.seconds:g}")


@dataclass
class _Problem:
    """The MILP in matrix form, with each constraint row tagged by the rule it enforces."""

    columns: list  # (measure index, start year)
    priority: np.ndarray  # per column: the measure's priority
    scale: int  # priorities times scale, rounded, are the whole points the first stage counts
    tiebreak: np.ndarray  # per column, whole: the most measures first, then the earliest starts
    rows: list  # (tag, coefficients, lower, upper)

    @property
    def points(self) -> np.ndarray:
        """The stage-1 objective: priorities in whole points."""
        return np.round(self.priority * self.scale)


def points_scale(values) -> int | None:
    """The smallest whole number that makes every priority a whole number of points, or None."""
    values = np.asarray(values, dtype=float)
    for scale in range(1, POINTS_UP_TO + 1):
        scaled = values * scale
        if np.all(np.abs(scaled - np.round(scaled)) < 1e-7):
            return scale
    return None


def _delays(programme: Programme) -> tuple[dict, int]:
    """Each measure's first allowed start, and the sum of the longest possible delays (so that
    one more measure always outweighs every delay together)."""
    starts = {m.id: allowed_starts(m, programme) for m in programme.measures}
    first = {mid: s[0] for mid, s in starts.items() if s}
    return first, sum(s[-1] - s[0] for s in starts.values() if s)


def _build(programme: Programme, space: FiscalSpace) -> _Problem:
    years = list(space.years)
    measures = programme.measures
    first, longest = _delays(programme)
    columns, prio, tiebreak, flows = [], [], [], []
    starts_of = []  # per measure: [(column, start year)]
    for i, m in enumerate(measures):
        starts_of.append([])
        for s in allowed_starts(m, programme):
            starts_of[i].append((len(columns), s))
            columns.append((i, s))
            prio.append(priority(m, programme))
            tiebreak.append(longest + 1 - (s - first[m.id]))
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
    return _Problem(columns, np.array(prio), points_scale(prio) or MILLIONTHS, np.array(tiebreak, dtype=float),
                    rows)


TIME_LIMIT = 10.0  # seconds; a large programme gets the best portfolio found, with its bound
TIES_AT_LEAST = 0.1  # of the time limit, for the tie-break when the priority took nearly all of it


@dataclass
class _Solution:
    x: np.ndarray  # 0/1 per column
    gap: float  # how far (relative) the highest priority may still be above this one; 0 when proven
    bound: float  # the highest priority possible (the solver's bound), in priority units
    ties_proven: bool  # no portfolio of this priority has more measures or earlier starts


def _milp(objective, rows, time_limit: float, exact_gap: float):
    from scipy.optimize import Bounds, LinearConstraint, milp  # here: a hearing kernel solves only on request

    constraints = [LinearConstraint(np.array([r[1] for r in rows]), [r[2] for r in rows], [r[3] for r in rows])] \
        if rows else []
    n = len(objective)
    return milp(-objective, integrality=np.ones(n), bounds=Bounds(0, 1), constraints=constraints,
                options={"mip_rel_gap": exact_gap, "time_limit": max(time_limit, 0.01)})


def _gap(bound: float, found: float) -> float:
    """How far (relative) the highest priority may be above ``found``: 0 when ``found``
    reaches the bound, 1 (all of it) when nothing was found below a positive bound."""
    if bound - found <= 1e-9 * max(1.0, abs(bound)):
        return 0.0
    return (bound - found) / found if found > 0 else 1.0


def _solve(problem: _Problem, skip=lambda tag: False, time_limit: float = TIME_LIMIT) -> _Solution | None:
    """The chosen columns in two stages: the highest total priority within ``time_limit``
    seconds; once it is proven, with that priority held, the most measures and the earliest
    starts, in the time left (at least a tenth of the limit). An unproven priority is not
    worth spending the tie-break's time on: :func:`_polish` improves its ties instead.
    None when no portfolio meets the rules."""
    n = len(problem.columns)
    if n == 0:
        return _Solution(np.zeros(0), 0.0, 0.0, True)
    started = time.perf_counter()
    rows = [r for r in problem.rows if not skip(r[0])]
    points = problem.points
    # whole points: a relative gap of 0 is reachable, HiGHS rounding its bound down to a point
    first = _milp(points, rows, time_limit, 0.0)
    if first.x is None and first.status == 1:  # out of time before a first portfolio: unknown
        raise NoPortfolioInTime(time_limit)
    if first.x is None or first.status not in (0, 1):
        return None
    x = np.round(first.x)
    found = float(points @ x)
    bound = found if first.status == 0 else -float(first.mip_dual_bound)
    if not np.isfinite(bound):  # no bound yet: every measure at its best
        bound = float(np.maximum(points, 0).sum())
    bound = max(np.floor(bound + 1e-6), found)
    if bound > found:  # not proven: the tie-break is left to _polish
        return _Solution(x, _gap(bound, found), bound / problem.scale, False)
    # the tie-break, holding the priority found (in whole points)
    left = max(time_limit - (time.perf_counter() - started), TIES_AT_LEAST * time_limit)
    second = _milp(problem.tiebreak, rows + [(("priority",), points, found - 0.5, np.inf)], left, 0.0)
    if second.x is not None and second.status in (0, 1):
        better = np.round(second.x)
        if points @ better >= found and problem.tiebreak @ better >= problem.tiebreak @ x:
            x = better
    return _Solution(x, 0.0, bound / problem.scale, second.status == 0)


def optimal(programme: Programme, space: FiscalSpace, time_limit: float = TIME_LIMIT) -> Portfolio:
    """The portfolio of the highest total priority that meets every rule; of those, the one
    with the most measures, then the earliest starts. If the solver cannot prove this within
    ``time_limit`` seconds, the best portfolio found is returned with ``gap``: the most the
    highest priority may exceed its priority, relative, and ``bound``, that priority."""
    problem = _build(programme, space)
    solved = _solve(problem, time_limit=time_limit)
    if solved is None:
        raise _diagnose(programme, problem)
    starts = {programme.measures[i].id: s for (i, s), chosen in zip(problem.columns, solved.x) if chosen}
    gap = solved.gap
    if not solved.ties_proven:
        starts = _polish(programme, space, starts)
        gap = _gap(solved.bound, sum(priority(m, programme) for m in programme.measures if m.id in starts))
    portfolio = Portfolio(programme, space, starts, method="optimal")
    return Portfolio(programme, space, starts, explain(portfolio), "optimal", gap, solved.bound,
                     solved.ties_proven)


def _polish(programme: Programme, space: FiscalSpace, starts: dict) -> dict:
    """A time-limited portfolio improved where it plainly can be, in the optimum's order:
    measures left out added while they fit (highest priority first), then measures moved to
    an earlier start, again until nothing changes; every rule holds throughout. Each change
    only raises the priority or the tie-break, so a proven optimum is unchanged."""
    trial = _Additions(programme, space, starts)
    order = sorted(programme.measures, key=lambda m: -priority(m, programme))
    changed = True
    while changed:
        changed = False
        for m in order:  # additions first: moving earlier must not take their money
            if m.id not in trial.starts:
                fits = next((s for s in allowed_starts(m, programme) if trial.first_broken(m, s) is None), None)
                if fits is not None:
                    trial.add(m, fits, meets_rules=True)
                    changed = True
        if changed:
            continue
        for m in order:
            current = trial.starts.get(m.id)
            if current is None:
                continue
            trial.remove(m)
            earlier = next((s for s in allowed_starts(m, programme) if s < current and
                            trial.first_broken(m, s) is None), None)
            trial.add(m, earlier or current, meets_rules=True)
            changed = changed or earlier is not None
    return dict(trial.starts)


def _feasible(problem: _Problem, skip, time_limit: float) -> bool:
    """Whether some portfolio meets the rules not skipped (no objective: the first found will do)."""
    rows = [r for r in problem.rows if not skip(r[0])]
    res = _milp(np.zeros(len(problem.columns)), rows, time_limit, 0.0)
    return res.x is not None and res.status in (0, 1)


def _diagnose(programme: Programme, problem: _Problem) -> InfeasibleRules:
    """The rule that cannot be met: the first group of constraints without which a
    portfolio exists (committed measures against the money of a year, the vulnerable
    share, a funding limit, a dependency of a committed measure)."""
    tags = [r[0] for r in problem.rows]
    groups = [("vulnerable",)] + sorted({tag for tag in tags if tag[0] == "budget"}) \
        + sorted({tag for tag in tags if tag[0] == "source"}) + sorted({tag for tag in tags if tag[0] == "requires"})
    for group in groups:
        if _feasible(problem, skip=lambda tag, g=group: tag == g, time_limit=2.0):
            if group[0] == "vulnerable":
                return InfeasibleRules("rule_vulnerable", share=str(programme.rules.min_vulnerable_share))
            if group[0] == "budget":
                return InfeasibleRules("rule_budget", year=group[1])
            if group[0] == "source":
                return InfeasibleRules("rule_source", kind=group[1], year=group[2])
            return InfeasibleRules("rule_requires", measure=group[1], other=group[2])
    return InfeasibleRules("rule_combined")


def brute_force(programme: Programme, space: FiscalSpace) -> tuple[tuple, dict] | None:
    """Every choice of start (or none) for every measure, for small programmes, checked by the
    rules themselves (:func:`broken_rules`, not the MILP's rows): the best :func:`objective`
    and its starts, or None when no choice meets the rules."""
    options = [[(m.id, s) for s in allowed_starts(m, programme)] + ([] if m.committed else [None])
               for m in programme.measures]
    best = None
    for choice in itertools.product(*options):
        starts = dict(c for c in choice if c is not None)
        if _meets(programme, space, starts):
            v = objective(programme, starts)
            if best is None or v[0] > best[0][0] + 1e-9 or (v[0] > best[0][0] - 1e-9 and v[1:] > best[0][1:]):
                best = (v, starts)
    return best


def objective(programme: Programme, starts: dict) -> tuple[float, int, int]:
    """What the optimum maximises, in order: total priority, number of measures, and minus
    the years of delay past each measure's first possible start."""
    by_id = {m.id: m for m in programme.measures}
    first, _ = _delays(programme)
    return (sum(priority(by_id[mid], programme) for mid in starts), len(starts),
            -sum(s - first[mid] for mid, s in starts.items()))


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

    def add(self, m, s, meets_rules: bool = False):
        """Add ``m`` at ``s``; ``meets_rules`` when the whole portfolio is then known to meet
        the measures' own rules (no need to look for broken ones)."""
        self._count(m, s)
        self.own = [] if meets_rules else _measure_rules(self.by_id, self.starts)

    def remove(self, m):
        """Take ``m`` out of a portfolio that meets the measures' own rules: the only rules
        then broken are those of measures that need ``m``."""
        f = money(m, self.starts.pop(m.id), self.space.years)
        for k in self.kinds:
            self.flows[k] = self.flows[k] - f[k]
        self.total -= m.beneficiaries.total
        self.vulnerable_total -= m.beneficiaries.vulnerable
        self.own = [("why_requires", {"measure": b, "other": m.id}) for b in self.starts
                    if m.id in self.by_id[b].requires]

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

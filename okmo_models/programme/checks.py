"""The rules of a development programme file (``kind: programme``) that need the whole file,
one small function per rule.

Each rule takes the validated :class:`~okmo_models.programme.schema.Programme` and yields
:class:`~okmo_models.errors.Problem` objects; :data:`RULES` lists them in the order their
problems are reported, and :func:`check`, which the loader runs, chains them. The rules of
one measure (:data:`MEASURE_RULES`, each given the programme and the measure's index) are
applied measure by measure, so that the problems of one measure are reported together.
"""

from __future__ import annotations

from collections.abc import Iterator

from okmo_models.errors import Key, Problem
from okmo_models.formatting import format_number, format_percent
from okmo_models.i18n import LANGUAGES
from okmo_models.programme.schema import FUNDING_KINDS, Programme, fraction


def period_at_most_15_years(p: Programme) -> Iterator[Problem]:
    """The programme ends no earlier than it starts and lasts at most 15 years."""
    if p.last_year < p.first_year or len(_years(p)) > 15:
        yield Problem(path=("last_year",), key="programme_period", value=p.last_year,
                      context={"first": p.first_year})


def measure_id_once(p: Programme, i: int) -> Iterator[Problem]:
    """No two measures share an id (dependencies and variants name measures by it)."""
    m = p.measures[i]
    if sum(other.id == m.id for other in p.measures) > 1:
        yield Problem(path=("measures", i, "id"), key="measure_id_twice", value=m.id)


def starts_in_period(p: Programme, i: int) -> Iterator[Problem]:
    """A measure's planned, earliest and latest starts are years of the programme."""
    m = p.measures[i]
    for field_name in ("start", "earliest_start", "latest_start"):
        year = getattr(m, field_name)
        if year is not None and year not in _years(p):
            yield Problem(path=("measures", i, field_name), key="variant_year_outside", value=year,
                          context={"first": p.first_year, "last": p.last_year})


def works_end_in_period(p: Programme, i: int) -> Iterator[Problem]:
    """Started at its earliest, a measure's works end by the programme's last year."""
    m = p.measures[i]
    earliest = m.earliest_start or p.first_year
    if earliest + len(m.cost) - 1 > p.last_year:
        yield Problem(path=("measures", i, "cost"), key="measure_too_long", value=len(m.cost),
                      context={"first": earliest, "last": p.last_year})


def committed_has_start(p: Programme, i: int) -> Iterator[Problem]:
    """A committed measure (under way or contracted) says the year it starts."""
    m = p.measures[i]
    if m.committed and m.start is None:
        yield Problem(path=("measures", i, "start"), key="committed_needs_start", value=m.id)


def links_known(p: Programme, i: int) -> Iterator[Problem]:
    """A measure requires or excludes only other measures of the programme."""
    m = p.measures[i]
    ids = [other.id for other in p.measures]
    for field_name in ("requires", "excludes"):
        for k, other in enumerate(getattr(m, field_name)):
            if other not in ids or other == m.id:
                yield Problem(path=("measures", i, field_name, k), key="measure_unknown", value=other,
                              context={"known": ", ".join(ids)})


def funding_sound(p: Programme, i: int) -> Iterator[Problem]:
    """Each source of a measure's money gives a share or an amount (not both), a budget loan
    its repayment years, and names a source of the file."""
    for k, f in enumerate(p.measures[i].funding):
        where = ("measures", i, "funding", k)
        if (f.share is None) == (f.amount is None):
            yield Problem(path=where, key="funding_share_or_amount", value=f.kind)
        if f.kind == "budget_loan" and f.repay_years is None:
            yield Problem(path=where + ("repay_years",), key="loan_needs_repayment", value=f.kind)
        yield from _source_named(p, where + ("source",), f.source)


def funding_within_cost(p: Programme, i: int) -> Iterator[Problem]:
    """The sources from outside the local budget cover at most the whole cost."""
    external = _external_share(p.measures[i])
    if external > 1 + 1e-9:
        yield Problem(path=("measures", i, "funding"), key="funding_over_cost",
                      value=format_percent(external, 1))


def cofinancing_met(p: Programme, i: int) -> Iterator[Problem]:
    """A grant given against local co-financing leaves at least that share to the local
    budget."""
    m = p.measures[i]
    local = max(0.0, 1 - _external_share(m))
    for k, f in enumerate(m.funding):
        if f.min_local_share is not None and local + 1e-9 < fraction(f.min_local_share):
            yield Problem(path=("measures", i, "funding", k, "min_local_share"), key="cofinancing_short",
                          value=str(f.min_local_share),
                          context={"local": {lang: format_number(local * 100, 1, lang) for lang in LANGUAGES}})


def scores_on_criteria(p: Programme, i: int) -> Iterator[Problem]:
    """A measure is scored on each criterion of the programme, on no other, within the scale."""
    m = p.measures[i]
    lo, hi = p.scale
    for name, score in m.scores.items():
        if name not in p.criteria:
            yield Problem(path=("measures", i, "scores", name), key="criterion_unknown", value=name,
                          context={"known": ", ".join(p.criteria)})
        elif not lo <= score <= hi:
            yield Problem(path=("measures", i, "scores", name), key="score_outside", value=score,
                          context={"low": f"{lo:g}", "high": f"{hi:g}"})
    for name in p.criteria:
        if name not in m.scores:
            yield Problem(path=("measures", i, "scores"), key="score_missing", value=name)


def beneficiaries_within_total(p: Programme, i: int) -> Iterator[Problem]:
    """Women and vulnerable beneficiaries are each at most all the beneficiaries."""
    b = p.measures[i].beneficiaries
    if b.women > b.total or b.vulnerable > b.total:
        yield Problem(path=("measures", i, "beneficiaries"), key="beneficiaries_over_total",
                      value=max(b.women, b.vulnerable),
                      context={"total": {lang: format_number(b.total, 0 if float(b.total).is_integer() else 2, lang)
                                         for lang in LANGUAGES}})


def indicator_plans_in_period(p: Programme, i: int) -> Iterator[Problem]:
    """An indicator's plan by year names years of the programme only."""
    for k, ind in enumerate(p.measures[i].indicators):
        for year in ind.plan:
            if not p.first_year <= year <= p.last_year:
                yield Problem(path=("measures", i, "indicators", k, "plan", Key(year)), key="indicator_plan_outside",
                              value=year, context={"first": str(p.first_year), "last": str(p.last_year)})


def measure_source_named(p: Programme, i: int) -> Iterator[Problem]:
    """A measure names a source of the file."""
    yield from _source_named(p, ("measures", i, "source"), p.measures[i].source)


# The rules of one measure, in the order their problems are reported.
MEASURE_RULES = (measure_id_once, starts_in_period, works_end_in_period, committed_has_start, links_known,
                 funding_sound, funding_within_cost, cofinancing_met, scores_on_criteria,
                 beneficiaries_within_total, indicator_plans_in_period, measure_source_named)


def measures_sound(p: Programme) -> Iterator[Problem]:
    """Each measure, in the file's order, keeps every rule of :data:`MEASURE_RULES`."""
    for i in range(len(p.measures)):
        for rule in MEASURE_RULES:
            yield from rule(p, i)


def no_requires_cycles(p: Programme) -> Iterator[Problem]:
    """No measures require each other in a circle (none of them could ever start); each
    circle is named with its measures' names in every language."""
    ids = [m.id for m in p.measures]
    for cycle in requires_cycles(p):
        ring = cycle + cycle[:1]
        named = {lang: " → ".join(f"{mid} ({p.measures[ids.index(mid)].name.get(lang)})" for mid in ring)
                 for lang in LANGUAGES}
        yield Problem(path=("measures", ids.index(cycle[0]), "requires"), key="requires_cycle",
                      value=" → ".join(ring), context={"cycle": named})


def fiscal_space_given(p: Programme) -> Iterator[Problem]:
    """The money for the programme comes from a budget file or from yearly limits."""
    if p.budget is None and not p.limits:
        yield Problem(path=("limits",), key="programme_needs_budget")


def limits_in_period(p: Programme) -> Iterator[Problem]:
    """Yearly limits are given for years of the programme only."""
    for year in p.limits:
        if year not in _years(p):
            yield Problem(path=("limits", Key(year)), key="variant_year_outside", value=year,
                          context={"first": p.first_year, "last": p.last_year})


def limits_source_named(p: Programme) -> Iterator[Problem]:
    """Yearly limits name a source of the file."""
    if p.limits:
        yield from _source_named(p, ("limits_source",), p.limits_source)


def source_limits_known(p: Programme) -> Iterator[Problem]:
    """Limits by source of funding are given for known kinds of funding."""
    for kind in p.rules.source_limits:
        if kind not in FUNDING_KINDS:
            yield Problem(path=("rules", "source_limits", kind), key="value_not_allowed", value=kind,
                          context={"expected": ", ".join(FUNDING_KINDS)})


# The order in which their problems are reported.
RULES = (period_at_most_15_years, measures_sound, no_requires_cycles, fiscal_space_given, limits_in_period,
         limits_source_named, source_limits_known)


def check(p: Programme) -> Iterator[Problem]:
    """Every problem of a programme file that is well formed field by field: the problems of
    each rule of :data:`RULES`, in turn."""
    for rule in RULES:
        yield from rule(p)


def requires_cycles(p: Programme) -> list[list[str]]:
    """Circles of ``requires`` (a needs c, c needs b, b needs a): each as its measure ids in
    order, starting from the one first in the file. A measure needing itself is reported as
    an unknown measure by :func:`links_known`."""
    needs = {m.id: [r for r in m.requires if r != m.id] for m in p.measures}
    order = {mid: i for i, mid in reversed(list(enumerate(m.id for m in p.measures)))}
    cycles, state = [], {}  # state: "open" while on the path being followed, then "done"
    for root, first in needs.items():
        if root in state:
            continue
        path, stack = [root], [iter(first)]
        state[root] = "open"
        while stack:  # depth first, without recursion: a long chain of measures is no limit
            other = next(stack[-1], None)
            if other is None:
                stack.pop()
                state[path.pop()] = "done"
            elif state.get(other) == "open":
                cycle = path[path.index(other):]
                start = min(range(len(cycle)), key=lambda k: order[cycle[k]])
                cycle = cycle[start:] + cycle[:start]
                if cycle not in cycles:
                    cycles.append(cycle)
            elif other in needs and other not in state:
                state[other] = "open"
                path.append(other)
                stack.append(iter(needs[other]))
    return cycles


def _years(p: Programme) -> range:
    return range(p.first_year, p.last_year + 1)


def _external_share(m) -> float:
    """The share of a measure's cost paid from outside the local budget (an amount counts as
    its share of the total cost)."""
    return sum(fraction(f.share) if f.share is not None else (f.amount or 0) / max(sum(m.cost), 1e-9)
               for f in m.funding)


def _source_named(p: Programme, path: tuple, name: str | None) -> Iterator[Problem]:
    if name not in p.sources:
        yield Problem(path=path, key="source_unknown", value=name, context={"known": ", ".join(p.sources)})

"""The declared schema of a development programme file (``kind: programme``, ПСЭР).

Amounts are in the file's ``unit`` (som, thousand_som or million_som), the same unit as the
budget forecast the programme must fit. Whole-file checks (ids, years, dependencies,
co-financing rules) are in :func:`check`, which the loader runs.
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import AfterValidator, Field

from okmo_models.errors import Key, Problem
from okmo_models.formatting import format_number, format_percent
from okmo_models.strict_schema import StrictModel, invalid
from okmo_models.scenario.schema import LocalText, Number, PlanFile, Share, SourceRef, Year

# Funding from outside the local budget, and the local budget itself (the rest).
FUNDING_KINDS = ("stimulating_grant", "targeted_transfer", "donor_grant", "community", "budget_loan")


def _not_negative(v: float) -> float:
    if v < 0:  # a negative cost would make the measure pay for others
        raise invalid("must_not_be_negative", value=v)
    return v


Cost = Annotated[Number, AfterValidator(_not_negative)]


class Funding(StrictModel):
    """One source of a measure's money: a share of each year's cost or a total amount
    (spread over the years like the cost). Whatever is not covered is the local budget's."""

    kind: Literal["stimulating_grant", "targeted_transfer", "donor_grant", "community", "budget_loan"]
    share: Share | None = None
    amount: Number | None = Field(default=None, ge=0)
    # stimulating grants are given only against local co-financing of at least this share
    min_local_share: Share | None = None
    # budget loans are repaid from the local budget after completion, in equal parts
    repay_years: int | None = Field(default=None, ge=1, le=30)
    interest: Share | None = None
    source: SourceRef


class Indicator(StrictModel):
    id: str = Field(min_length=1)
    name: LocalText
    unit: str = Field(min_length=1)
    baseline: Number
    target: Number


class Beneficiaries(StrictModel):
    total: Number = Field(ge=0)
    women: Number = Field(default=0, ge=0)
    vulnerable: Number = Field(default=0, ge=0)


class Measure(StrictModel):
    id: str = Field(min_length=1, pattern=r"^[A-Za-z0-9_\-]+$")
    name: LocalText
    sector: str = Field(min_length=1)
    settlement: LocalText | None = None
    cost: list[Cost] = Field(min_length=1)  # by year of works, from the start year
    running_cost: Number = Field(default=0, ge=0)  # a year, after completion
    start: Year | None = None  # the start planned in the draft programme
    earliest_start: Year | None = None
    latest_start: Year | None = None
    committed: bool = False  # under way or contracted: always in, at its planned start
    funding: list[Funding] = []
    indicators: list[Indicator] = []
    beneficiaries: Beneficiaries
    scores: dict[str, Number] = {}
    requires: list[str] = []
    excludes: list[str] = []
    source: SourceRef


class Criterion(StrictModel):
    name: LocalText
    weight: Number = Field(gt=0)


class Rules(StrictModel):
    min_vulnerable_share: Share | None = None  # of all beneficiaries of the chosen measures
    carry_over: bool = False  # money left in a year may be spent in the next ones
    source_limits: dict[str, dict[int, Number]] = {}  # funding kind -> year -> most available


class Programme(PlanFile):
    kind: Literal["programme"]
    first_year: Year
    last_year: Year
    sources: dict[str, str] = Field(min_length=1)
    budget: str | None = None  # budget file whose forecast balance is the fiscal space
    budget_scenario: str | None = None
    capital_works_available: bool = False  # the forecast capital-works line may fund measures
    limits: dict[int, Number] = {}  # fiscal space by year, when no budget file is given
    limits_source: SourceRef | None = None
    criteria: dict[str, Criterion] = Field(min_length=1)
    scale: tuple[Number, Number] = (1, 5)  # the range of the hearing scores
    rules: Rules = Rules()
    measures: list[Measure] = Field(min_length=1)


def fraction(q) -> float:
    """A share quantity as a fraction: ``20 %`` -> 0.2."""
    return q.value * q.parsed_unit.factor


def check(p: Programme):
    """Whole-file checks; yields :class:`Problem` objects."""
    years = range(p.first_year, p.last_year + 1)
    if p.last_year < p.first_year or len(years) > 15:
        yield Problem(path=("last_year",), key="programme_period", value=p.last_year,
                      context={"first": p.first_year})
    ids = [m.id for m in p.measures]
    known = set(ids)
    lo, hi = p.scale
    for i, m in enumerate(p.measures):
        where = ("measures", i)
        if ids.count(m.id) > 1:
            yield Problem(path=where + ("id",), key="measure_id_twice", value=m.id)
        for field_name in ("start", "earliest_start", "latest_start"):
            year = getattr(m, field_name)
            if year is not None and year not in years:
                yield Problem(path=where + (field_name,), key="variant_year_outside", value=year,
                              context={"first": p.first_year, "last": p.last_year})
        earliest = m.earliest_start or p.first_year
        if earliest + len(m.cost) - 1 > p.last_year:
            yield Problem(path=where + ("cost",), key="measure_too_long", value=len(m.cost),
                          context={"first": earliest, "last": p.last_year})
        if m.committed and m.start is None:
            yield Problem(path=where + ("start",), key="committed_needs_start", value=m.id)
        for k, other in enumerate(m.requires):
            if other not in known or other == m.id:
                yield Problem(path=where + ("requires", k), key="measure_unknown", value=other,
                              context={"known": ", ".join(ids)})
        for k, other in enumerate(m.excludes):
            if other not in known or other == m.id:
                yield Problem(path=where + ("excludes", k), key="measure_unknown", value=other,
                              context={"known": ", ".join(ids)})
        external = 0.0
        for k, f in enumerate(m.funding):
            fw = where + ("funding", k)
            if (f.share is None) == (f.amount is None):
                yield Problem(path=fw, key="funding_share_or_amount", value=f.kind)
            share = fraction(f.share) if f.share is not None else (f.amount or 0) / max(sum(m.cost), 1e-9)
            external += share
            if f.kind == "budget_loan" and f.repay_years is None:
                yield Problem(path=fw + ("repay_years",), key="loan_needs_repayment", value=f.kind)
            if f.source not in p.sources:
                yield Problem(path=fw + ("source",), key="source_unknown", value=f.source,
                              context={"known": ", ".join(p.sources)})
        if external > 1 + 1e-9:
            yield Problem(path=where + ("funding",), key="funding_over_cost",
                          value=format_percent(external, 1))
        local = max(0.0, 1 - external)
        for k, f in enumerate(m.funding):
            if f.min_local_share is not None and local + 1e-9 < fraction(f.min_local_share):
                yield Problem(path=where + ("funding", k, "min_local_share"), key="cofinancing_short",
                              value=str(f.min_local_share), context={"local": format_number(local * 100, 1)})
        for name, score in m.scores.items():
            if name not in p.criteria:
                yield Problem(path=where + ("scores", name), key="criterion_unknown", value=name,
                              context={"known": ", ".join(p.criteria)})
            elif not lo <= score <= hi:
                yield Problem(path=where + ("scores", name), key="score_outside", value=score,
                              context={"low": f"{lo:g}", "high": f"{hi:g}"})
        for name in p.criteria:
            if name not in m.scores:
                yield Problem(path=where + ("scores",), key="score_missing", value=name)
        b = m.beneficiaries
        if b.women > b.total or b.vulnerable > b.total:
            yield Problem(path=where + ("beneficiaries",), key="beneficiaries_over_total",
                          value=max(b.women, b.vulnerable), context={"total": f"{b.total:g}"})
        if m.source not in p.sources:
            yield Problem(path=where + ("source",), key="source_unknown", value=m.source,
                          context={"known": ", ".join(p.sources)})
    for cycle in requires_cycles(p):
        named = {lang: " → ".join(f"{mid} ({p.measures[ids.index(mid)].name.get(lang)})" for mid in cycle + cycle[:1])
                 for lang in ("ru", "ky", "en")}
        yield Problem(path=("measures", ids.index(cycle[0]), "requires"), key="requires_cycle",
                      value=" → ".join(cycle + cycle[:1]), context={"cycle": named})
    if p.budget is None and not p.limits:
        yield Problem(path=("limits",), key="programme_needs_budget")
    for year in p.limits:
        if year not in years:
            yield Problem(path=("limits", Key(year)), key="variant_year_outside", value=year,
                          context={"first": p.first_year, "last": p.last_year})
    if p.limits and p.limits_source not in p.sources:
        yield Problem(path=("limits_source",), key="source_unknown", value=p.limits_source,
                      context={"known": ", ".join(p.sources)})
    for kind in p.rules.source_limits:
        if kind not in FUNDING_KINDS:
            yield Problem(path=("rules", "source_limits", kind), key="value_not_allowed", value=kind,
                          context={"expected": ", ".join(FUNDING_KINDS)})


def requires_cycles(p: Programme) -> list[list[str]]:
    """Circles of ``requires`` (a needs c, c needs b, b needs a): each as its measure ids in
    order, starting from the one first in the file. A measure needing itself is reported as
    an unknown measure by :func:`check`."""
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

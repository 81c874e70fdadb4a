"""The rules of a budget history file (``kind: budget``) that need the whole file, one small
function per rule.

Each rule takes the validated :class:`~okmo_models.budget.schema.BudgetScenario` and yields
:class:`~okmo_models.errors.Problem` objects; :data:`RULES` lists them in the order their
problems are reported, and :func:`check`, which the loader runs, chains them. A rule about
the entries of one part of the file (each line, each fixed line, each scenario) walks that
part once, so that the problems of one entry are reported together.
"""

from __future__ import annotations

from collections.abc import Iterator

from okmo_models.budget.schema import (EXPENDITURE_LINES, MAY_BE_NEGATIVE, REVENUE_LINES, BudgetScenario,
                                        LineChange)
from okmo_models.errors import Key, Problem
from okmo_models.formatting import format_number
from okmo_models.i18n import LANGUAGES


def history_years_in_order(s: BudgetScenario) -> Iterator[Problem]:
    """The history years follow each other: none twice, none missing, none going back."""
    years = s.years
    for i, y in enumerate(years):
        if years.count(y) > 1:
            yield Problem(path=("years", i), key="history_year_twice", value=y)
        elif i and y != years[i - 1] + 1 and years[i - 1] < y:
            yield Problem(path=("years", i), key="history_years_gap", value=y,
                          context={"previous": years[i - 1]})
        elif i and y < years[i - 1]:
            yield Problem(path=("years", i), key="history_years_order", value=y)


def history_lines_sound(s: BudgetScenario) -> Iterator[Problem]:
    """Each revenue and expenditure line is a known budget line of its section, with one
    value per history year, none negative (but refunds' "other revenue"), from a named source."""
    for section, allowed in (("revenue", REVENUE_LINES), ("expenditure", EXPENDITURE_LINES)):
        for line, series in getattr(s, section).items():
            if line not in allowed:
                yield Problem(path=(section, line), key="budget_line_unknown", value=line,
                              context={"known": ", ".join(allowed)})
            yield from _one_value_per_year(s, (section, line, "values"), series.values)
            for k, v in enumerate(series.values):
                if v < 0 and line not in MAY_BE_NEGATIVE:
                    yield Problem(path=(section, line, "values", k), key="history_negative", value=v,
                                  context={"year": _year(s, k)})
            yield from _source_named(s, (section, line, "source"), series.source)


def totals_add_up(s: BudgetScenario) -> Iterator[Problem]:
    """Reported revenue and expenditure totals are the sums of their lines, each year
    (within half a per cent, or half a unit for small totals)."""
    if s.totals is None:
        return
    for section in ("revenue", "expenditure"):
        reported = getattr(s.totals, section)
        if reported is None:
            continue
        lines = getattr(s, section).values()
        for k, total in enumerate(reported):
            parts = sum(series.values[k] for series in lines if k < len(series.values))
            if abs(parts - total) > max(0.005 * abs(total), 0.5):
                yield Problem(path=("totals", section, k), key="history_total_mismatch", value=total,
                              context={"year": _year(s, k),
                                       "sum": {lang: format_number(parts, 1, lang) for lang in LANGUAGES}})


def cpi_above_minus_100(s: BudgetScenario) -> Iterator[Problem]:
    """Prices never fall to nothing: each year's CPI, of the file and of every scenario, is
    above -100 % (checked here, where the year is known, rather than in the schema)."""
    paths = [(("cpi",), s.cpi)] + [(("scenarios", vid, "cpi"), v.cpi) for vid, v in s.scenarios.items()]
    for where, cpi in paths:
        for year, q in cpi.items():
            if q.value * q.parsed_unit.factor <= -1:
                yield Problem(path=where + (Key(year),), key="cpi_range", value=str(q))


def cpi_for_every_year(s: BudgetScenario) -> Iterator[Problem]:
    """A CPI for every year after the first history year, up to the end of the long horizon
    (history amounts are deflated, forecast ones indexed, with it)."""
    wanted = [*s.years[1:], *_forecast_years(s)]
    missing = [y for y in wanted if y not in s.cpi]
    if missing:
        yield Problem(path=("cpi",), key="cpi_years_missing", value=", ".join(map(str, missing)))


def plans_on_expenditure_lines(s: BudgetScenario) -> Iterator[Problem]:
    """A line that finances other plans is an expenditure line of the file, not also fixed
    by policy (one line, one origin), and cites a named source."""
    for line, link in s.plans.items():
        if line not in s.expenditure:
            yield Problem(path=("plans", line), key="budget_line_unknown", value=line,
                          context={"known": ", ".join(s.expenditure)})
        elif line in s.fixed:
            yield Problem(path=("plans", line), key="plan_link_and_fixed", value=line)
        yield from _source_named(s, ("plans", line, "source"), link.source)


def fixed_values_in_forecast_years(s: BudgetScenario) -> Iterator[Problem]:
    """Each line fixed by policy is a line of the file, fixed only in forecast years (the
    forecast would ignore any other), never below zero (but "other revenue"), from a named
    source."""
    forecast_years = _forecast_years(s)
    for line, fixed in s.fixed.items():
        if line not in s.revenue and line not in s.expenditure:
            yield Problem(path=("fixed", line), key="budget_line_unknown", value=line,
                          context={"known": ", ".join([*s.revenue, *s.expenditure])})
        for year, v in fixed.values.items():
            where = ("fixed", line, "values", Key(year))
            if year not in forecast_years:
                yield _outside(where, year, forecast_years[0], forecast_years[-1])
            elif v < 0 and line not in MAY_BE_NEGATIVE:
                yield Problem(path=where, key="history_negative", value=v, context={"year": year})
        yield from _source_named(s, ("fixed", line, "source"), fixed.source)


def cpi_and_totals_sources_named(s: BudgetScenario) -> Iterator[Problem]:
    """The CPI's source, and the reported totals' if any, are among the file's sources."""
    yield from _source_named(s, ("cpi_source",), s.cpi_source)
    if s.totals is not None:
        yield from _source_named(s, ("totals", "source"), s.totals.source)


def population_per_history_year(s: BudgetScenario) -> Iterator[Problem]:
    """Residents are given for each history year, always more than none, from a named source."""
    if s.population is None:
        return
    yield from _one_value_per_year(s, ("population", "values"), s.population.values)
    for k, v in enumerate(s.population.values):
        if v <= 0:
            yield Problem(path=("population", "values", k), key="history_negative", value=v,
                          context={"year": _year(s, k)})
    yield from _source_named(s, ("population", "source"), s.population.source)


def scenarios_within_forecast(s: BudgetScenario) -> Iterator[Problem]:
    """Each scenario changes what the file can change: population growth only with a
    population, the CPI and line changes only in forecast years, each change of one kind."""
    forecast_years = _forecast_years(s)
    for vid, variant in s.scenarios.items():
        if variant.population_growth is not None and s.population is None:
            yield Problem(path=("scenarios", vid, "population_growth"), key="variant_needs_population",
                          value=variant.population_growth)
        for year in variant.cpi:
            if year not in forecast_years:
                yield _outside(("scenarios", vid, "cpi", Key(year)), year, forecast_years[0], forecast_years[-1])
        for k, change in enumerate(variant.changes):
            yield from _change_sound(s, ("scenarios", vid, "changes", k), change, forecast_years)


def named_lines_known(s: BudgetScenario) -> Iterator[Problem]:
    """Every line named elsewhere (a method, a CPI or population elasticity, a scenario's
    change) is a revenue or expenditure line of the file."""
    known = [*s.revenue, *s.expenditure]
    named = [(("methods", line), line) for line in s.methods]
    named += [(("cpi_elasticity", line), line) for line in s.cpi_elasticity]
    if s.population is not None:
        named += [(("population", "elasticity", line), line) for line in s.population.elasticity]
    named += [(("scenarios", vid, "changes", k, "line"), change.line)
              for vid, variant in s.scenarios.items() for k, change in enumerate(variant.changes)]
    for path, line in named:
        if line not in known:
            yield Problem(path=path, key="budget_line_unknown", value=line, context={"known": ", ".join(known)})


# The order in which their problems are reported.
RULES = (history_years_in_order, history_lines_sound, totals_add_up, cpi_above_minus_100, cpi_for_every_year,
         fixed_values_in_forecast_years, plans_on_expenditure_lines, cpi_and_totals_sources_named, population_per_history_year,
         scenarios_within_forecast, named_lines_known)


def check(s: BudgetScenario) -> Iterator[Problem]:
    """Every problem of a budget file that is well formed field by field: the problems of
    each rule of :data:`RULES`, in turn."""
    for rule in RULES:
        yield from rule(s)


def _change_sound(s: BudgetScenario, where: tuple, change: LineChange, forecast_years: range) -> Iterator[Problem]:
    """One line change of a scenario: one kind (change, add or set), from a forecast year,
    set values in forecast years from that year on and not negative, a named source."""
    given = [f for f in ("change", "add", "set") if getattr(change, f) is not None]
    if len(given) != 1:
        yield Problem(path=where, key="variant_change_kind", value=", ".join(given) or "—")
    if change.from_year not in forecast_years:
        yield _outside(where + ("from",), change.from_year, forecast_years[0], forecast_years[-1])
    for year, v in (change.set or {}).items():
        if year not in forecast_years or year < change.from_year:
            yield _outside(where + ("set", Key(year)), year, change.from_year, forecast_years[-1])
        if v < 0 and change.line not in MAY_BE_NEGATIVE:
            yield Problem(path=where + ("set", Key(year)), key="history_negative", value=v,
                          context={"year": year})
    yield from _source_named(s, where + ("source",), change.source)


def _forecast_years(s: BudgetScenario) -> range:
    """The years after the history, to the end of the long horizon."""
    return range(s.years[-1] + 1, s.years[-1] + s.long_horizon + 1)


def _year(s: BudgetScenario, k: int) -> int | str:
    """The history year of the ``k``-th value ("?" past the last year)."""
    return s.years[k] if k < len(s.years) else "?"


def _one_value_per_year(s: BudgetScenario, path: tuple, values: list) -> Iterator[Problem]:
    if len(values) != len(s.years):
        yield Problem(path=path, key="history_length", value=len(values), context={"years": len(s.years)})


def _source_named(s: BudgetScenario, path: tuple, name: str) -> Iterator[Problem]:
    if name not in s.sources:
        yield Problem(path=path, key="source_unknown", value=name, context={"known": ", ".join(s.sources)})


def _outside(path: tuple, year: int, first: int, last: int) -> Problem:
    return Problem(path=path, key="variant_year_outside", value=year, context={"first": first, "last": last})

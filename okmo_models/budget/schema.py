"""The declared schema of a budget history file (``kind: budget``).

Amounts are in the file's ``unit`` (som or thousand_som); each budget line lists one value
per year of ``years``; rates (CPI) carry their unit. Checks that need the whole file (years
consecutive, lengths, non-negative revenue, lines adding up to reported totals) are in
:func:`check`, which the loader runs.
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import AfterValidator, ConfigDict, Field

from okmo_models.errors import Key, Problem
from okmo_models.strict_schema import StrictModel, invalid
from okmo_models.scenario.schema import LocalText, Number, PlanFile, SignedShare, SourceRef, Year

REVENUE_LINES = ("land_tax", "property_tax", "vehicle_tax", "income_tax_share", "sales_tax_share",
                 "patents", "single_tax", "non_tax_revenue", "equalisation_grant", "targeted_transfers",
                 "other_revenue")
EXPENDITURE_LINES = ("wages", "social_fund", "utilities", "goods_and_services", "capital_works",
                     "transfers", "subsidies_to_enterprises", "reserve", "other_expenditure")
TAX_LINES = REVENUE_LINES[:7]
# Refunds may make "other revenue" negative; every other line is an amount of money, at least 0.
MAY_BE_NEGATIVE = ("other_revenue",)


def _above_minus_100(key: str, strict: bool):
    """A rate that keeps the amount it applies to above zero (strict: residents never
    vanish) or at least at zero (a change of -100 % removes a line)."""
    def check(q):
        fraction = q.value * q.parsed_unit.factor
        if fraction < -1 or (strict and fraction == -1):
            raise invalid(key, value=str(q))
        return q

    return check


Growth = Annotated[SignedShare, AfterValidator(_above_minus_100("growth_range", strict=True))]
Change = Annotated[SignedShare, AfterValidator(_above_minus_100("change_range", strict=False))]


class Series(StrictModel):
    values: list[Number] = Field(min_length=3)
    source: SourceRef
    name: LocalText | None = None


class FixedLine(StrictModel):
    """A line set by policy (e.g. a transfer fixed by the ministry) for the forecast years."""

    values: dict[int, Number]
    source: SourceRef


class Totals(StrictModel):
    revenue: list[Number] | None = None
    expenditure: list[Number] | None = None
    source: SourceRef


class Population(StrictModel):
    """Residents by history year, the baseline growth for the forecast years, and the
    lines that follow the number of residents (elasticity 1: one per cent more residents,
    one per cent more revenue)."""

    values: list[Number] = Field(min_length=3)
    growth: Growth
    source: SourceRef
    elasticity: dict[str, Number] = {}


class LineChange(StrictModel):
    """A change to one line from a year on: a rate change (``change``), a new taxpayer or
    a new obligation (``add``, a yearly amount in the file's unit, indexed with prices
    unless ``indexed: false``), or values set by a new rule (``set``, by year)."""

    model_config = ConfigDict(**StrictModel.model_config, populate_by_name=True)
    line: str
    from_year: Year = Field(alias="from")
    change: Change | None = None
    add: Number | None = None
    indexed: bool = True
    set: dict[int, Number] | None = None
    source: SourceRef
    name: LocalText | None = None


class BudgetVariant(StrictModel):
    """A scenario as a difference from the baseline forecast: another CPI path, another
    population growth, and changes to lines."""

    name: LocalText
    description: LocalText | None = None
    cpi: dict[int, SignedShare] = {}  # each above -100 % (see check)
    population_growth: Growth | None = None
    changes: list[LineChange] = []


class BudgetScenario(PlanFile):
    kind: Literal["budget"]
    sources: dict[str, str] = Field(min_length=1)
    years: list[Year] = Field(min_length=4)
    revenue: dict[str, Series] = Field(min_length=1)
    expenditure: dict[str, Series] = Field(min_length=1)
    totals: Totals | None = None
    cpi: dict[int, SignedShare]  # each above -100 % (see check)
    cpi_source: SourceRef
    horizon: int = Field(default=3, ge=1, le=3)
    long_horizon: int = Field(default=8, ge=3, le=15)
    fixed: dict[str, FixedLine] = {}
    methods: dict[str, Literal["naive", "average_growth", "cpi_real", "ses", "damped_trend"]] = {}
    population: Population | None = None
    cpi_elasticity: dict[str, Number] = {}
    scenarios: dict[str, BudgetVariant] = {}
    draws: int = Field(default=20_000, ge=1_000, le=200_000)
    seed: int = Field(default=2027, ge=0)


def check(s: BudgetScenario):
    """Whole-file checks; yields :class:`Problem` objects."""
    years = s.years
    for i, y in enumerate(years):
        if years.count(y) > 1:
            yield Problem(path=("years", i), key="history_year_twice", value=y)
        elif i and y != years[i - 1] + 1 and years[i - 1] < y:
            yield Problem(path=("years", i), key="history_years_gap", value=y,
                          context={"previous": years[i - 1]})
        elif i and y < years[i - 1]:
            yield Problem(path=("years", i), key="history_years_order", value=y)
    for section, allowed in (("revenue", REVENUE_LINES), ("expenditure", EXPENDITURE_LINES)):
        for line, series in getattr(s, section).items():
            if line not in allowed:
                yield Problem(path=(section, line), key="budget_line_unknown", value=line,
                              context={"known": ", ".join(allowed)})
            if len(series.values) != len(years):
                yield Problem(path=(section, line, "values"), key="history_length",
                              value=len(series.values), context={"years": len(years)})
            for k, v in enumerate(series.values):
                if v < 0 and line not in MAY_BE_NEGATIVE:
                    yield Problem(path=(section, line, "values", k), key="history_negative", value=v,
                                  context={"year": years[k] if k < len(years) else "?"})
            if series.source not in s.sources:
                yield Problem(path=(section, line, "source"), key="source_unknown", value=series.source,
                              context={"known": ", ".join(s.sources)})
    if s.totals is not None:
        for section in ("revenue", "expenditure"):
            reported = getattr(s.totals, section)
            if reported is None:
                continue
            lines = getattr(s, section).values()
            for k, total in enumerate(reported):
                parts = sum(series.values[k] for series in lines if k < len(series.values))
                if abs(parts - total) > max(0.005 * abs(total), 0.5):
                    yield Problem(path=("totals", section, k), key="history_total_mismatch", value=total,
                                  context={"year": years[k] if k < len(years) else "?",
                                           "sum": f"{parts:,.1f}".replace(",", " ")})
    for where, cpi in [(("cpi",), s.cpi)] + [(("scenarios", vid, "cpi"), v.cpi) for vid, v in s.scenarios.items()]:
        for year, q in cpi.items():  # prices cannot fall to nothing; checked here for the year's path
            if q.value * q.parsed_unit.factor <= -1:
                yield Problem(path=where + (Key(year),), key="cpi_range", value=str(q))
    missing_cpi = [y for y in years[1:] if y not in s.cpi]
    last = years[-1]
    missing_cpi += [y for y in range(last + 1, last + s.long_horizon + 1) if y not in s.cpi]
    if missing_cpi:
        yield Problem(path=("cpi",), key="cpi_years_missing", value=", ".join(map(str, missing_cpi)))
    forecast_years = range(years[-1] + 1, years[-1] + s.long_horizon + 1)
    for line, fixed in s.fixed.items():
        if line not in s.revenue and line not in s.expenditure:
            yield Problem(path=("fixed", line), key="budget_line_unknown", value=line,
                          context={"known": ", ".join([*s.revenue, *s.expenditure])})
        for year, v in fixed.values.items():  # a value the forecast would ignore, or cut to 0
            if year not in forecast_years:
                yield Problem(path=("fixed", line, "values", Key(year)), key="variant_year_outside", value=year,
                              context={"first": forecast_years[0], "last": forecast_years[-1]})
            elif v < 0 and line not in MAY_BE_NEGATIVE:
                yield Problem(path=("fixed", line, "values", Key(year)), key="history_negative", value=v,
                              context={"year": year})
        if fixed.source not in s.sources:
            yield Problem(path=("fixed", line, "source"), key="source_unknown", value=fixed.source,
                          context={"known": ", ".join(s.sources)})
    for name in ([s.cpi_source] + ([s.totals.source] if s.totals else [])):
        if name not in s.sources:
            yield Problem(path=("cpi_source",) if name == s.cpi_source else ("totals", "source"),
                          key="source_unknown", value=name, context={"known": ", ".join(s.sources)})
    known = [*s.revenue, *s.expenditure]
    named_lines = [(("methods", line), line) for line in s.methods]
    named_lines += [(("cpi_elasticity", line), line) for line in s.cpi_elasticity]
    if s.population is not None:
        named_lines += [(("population", "elasticity", line), line) for line in s.population.elasticity]
        if len(s.population.values) != len(years):
            yield Problem(path=("population", "values"), key="history_length",
                          value=len(s.population.values), context={"years": len(years)})
        for k, v in enumerate(s.population.values):
            if v <= 0:
                yield Problem(path=("population", "values", k), key="history_negative", value=v,
                              context={"year": years[k] if k < len(years) else "?"})
        if s.population.source not in s.sources:
            yield Problem(path=("population", "source"), key="source_unknown", value=s.population.source,
                          context={"known": ", ".join(s.sources)})
    for vid, variant in s.scenarios.items():
        if variant.population_growth is not None and s.population is None:
            yield Problem(path=("scenarios", vid, "population_growth"), key="variant_needs_population",
                          value=variant.population_growth)
        for year in variant.cpi:
            if year not in forecast_years:
                yield Problem(path=("scenarios", vid, "cpi", Key(year)), key="variant_year_outside", value=year,
                              context={"first": forecast_years[0], "last": forecast_years[-1]})
        for k, change in enumerate(variant.changes):
            where = ("scenarios", vid, "changes", k)
            named_lines.append((where + ("line",), change.line))
            given = [f for f in ("change", "add", "set") if getattr(change, f) is not None]
            if len(given) != 1:
                yield Problem(path=where, key="variant_change_kind", value=", ".join(given) or "—")
            if change.from_year not in forecast_years:
                yield Problem(path=where + ("from",), key="variant_year_outside", value=change.from_year,
                              context={"first": forecast_years[0], "last": forecast_years[-1]})
            for year, v in (change.set or {}).items():
                if year not in forecast_years or year < change.from_year:
                    yield Problem(path=where + ("set", Key(year)), key="variant_year_outside", value=year,
                                  context={"first": change.from_year, "last": forecast_years[-1]})
                if v < 0 and change.line not in MAY_BE_NEGATIVE:
                    yield Problem(path=where + ("set", Key(year)), key="history_negative", value=v,
                                  context={"year": year})
            if change.source not in s.sources:
                yield Problem(path=where + ("source",), key="source_unknown", value=change.source,
                              context={"known": ", ".join(s.sources)})
    for path, line in named_lines:
        if line not in known:
            yield Problem(path=path, key="budget_line_unknown", value=line, context={"known": ", ".join(known)})

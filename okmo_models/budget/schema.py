"""The declared schema of a budget history file (``kind: budget``).

Amounts are in the file's ``unit`` (som or thousand_som); each budget line lists one value
per year of ``years``; rates (CPI) carry their unit. Checks that need the whole file (years
consecutive, lengths, non-negative revenue, lines adding up to reported totals) are in
:func:`check`, which the loader runs.
"""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from okmo_models.errors import Problem
from okmo_models.scenario.schema import LocalText, Municipality, Number, SignedShare, SourceRef, Year, _Model

REVENUE_LINES = ("land_tax", "property_tax", "vehicle_tax", "income_tax_share", "sales_tax_share",
                 "patents", "single_tax", "non_tax_revenue", "equalisation_grant", "targeted_transfers",
                 "other_revenue")
EXPENDITURE_LINES = ("wages", "social_fund", "utilities", "goods_and_services", "capital_works",
                     "transfers", "subsidies_to_enterprises", "reserve", "other_expenditure")
TAX_LINES = REVENUE_LINES[:7]


class Series(_Model):
    values: list[Number] = Field(min_length=3)
    source: SourceRef
    name: LocalText | None = None


class FixedLine(_Model):
    """A line set by policy (e.g. a transfer fixed by the ministry) for the forecast years."""

    values: dict[int, Number]
    source: SourceRef


class Totals(_Model):
    revenue: list[Number] | None = None
    expenditure: list[Number] | None = None
    source: SourceRef


class BudgetScenario(_Model):
    schema_version: Literal[1]
    kind: Literal["budget"]
    municipality: Municipality
    description: LocalText | None = None
    unit: Literal["som", "thousand_som", "million_som"]
    sources: dict[str, str] = Field(min_length=1)
    years: list[Year] = Field(min_length=4)
    revenue: dict[str, Series] = Field(min_length=1)
    expenditure: dict[str, Series] = Field(min_length=1)
    totals: Totals | None = None
    cpi: dict[int, SignedShare]
    cpi_source: SourceRef
    horizon: int = Field(default=3, ge=1, le=3)
    long_horizon: int = Field(default=8, ge=3, le=15)
    fixed: dict[str, FixedLine] = {}
    methods: dict[str, Literal["naive", "average_growth", "cpi_real", "ses", "damped_trend"]] = {}
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
                if v < 0 and line != "other_revenue":  # refunds may make "other" negative
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
    missing_cpi = [y for y in years[1:] if y not in s.cpi]
    last = years[-1]
    missing_cpi += [y for y in range(last + 1, last + s.long_horizon + 1) if y not in s.cpi]
    if missing_cpi:
        yield Problem(path=("cpi",), key="cpi_years_missing", value=", ".join(map(str, missing_cpi)))
    for line, fixed in s.fixed.items():
        if line not in s.revenue and line not in s.expenditure:
            yield Problem(path=("fixed", line), key="budget_line_unknown", value=line,
                          context={"known": ", ".join([*s.revenue, *s.expenditure])})
        if fixed.source not in s.sources:
            yield Problem(path=("fixed", line, "source"), key="source_unknown", value=fixed.source,
                          context={"known": ", ".join(s.sources)})
    for name in ([s.cpi_source] + ([s.totals.source] if s.totals else [])):
        if name not in s.sources:
            yield Problem(path=("cpi_source",) if name == s.cpi_source else ("totals", "source"),
                          key="source_unknown", value=name, context={"known": ", ".join(s.sources)})
    for line in s.methods:
        if line not in s.revenue and line not in s.expenditure:
            yield Problem(path=("methods", line), key="budget_line_unknown", value=line,
                          context={"known": ", ".join([*s.revenue, *s.expenditure])})

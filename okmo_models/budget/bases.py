"""Budget revenue lines forecast from their base (the budget file's ``bases:``).

A budget file may name an economic-base file (``bases: economic_base.yaml``, relative to
the budget file, inside its folder tree as every reference is). Each revenue line the base's
``revenue_bases`` lists is then forecast from it instead of from its history alone::

    forecast_y = accrued_y x collection
    accrued_y  = Σ base_y x rate_y          (the base's file unit, converted to the budget's)
    collection = mean over the last (up to) 3 history years where both are known of
                 executed_y / accrued_y

The base of a year after its last count is forecast at the count's growth
(:mod:`okmo_models.economic_base.model`); a rate from a year on (``rate_from``) moves the
accrual from that year. The rules that need both files (a listed line is a revenue line of
this budget, forecast by no method nor fixed, with a year to measure its collection) are
:data:`RULES` here; each problem names the budget's ``bases`` field and the base file's
``revenue_bases`` entry. docs/budget-forecast.md ("Lines forecast from the economic base").
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from okmo_models.budget.schema import REVENUE_LINES, BudgetScenario
from okmo_models.economic_base.model import (EconomicBaseFile, base_values, counted_years,
                                             load_economic_base)
from okmo_models.economic_base.schema import EconomicBase
from okmo_models.errors import Problem, ScenarioError
from okmo_models.provenance import InputFile
from okmo_models.units import MONEY_UNITS

COLLECTION_YEARS = 3  # the collection ratio is the mean of at most this many latest years


@dataclass(frozen=True)
class BaseLine:
    """One budget line forecast from its base, in the budget's unit."""

    line: str
    collection: float  # mean of ``ratios``
    collection_years: tuple  # the history years the ratio is measured on
    ratios: tuple  # executed / accrued of each of those years
    accrued_history: np.ndarray  # by history year of the budget (NaN: the base not counted then)
    accrued: np.ndarray  # by forecast year of the budget
    point: np.ndarray  # accrued x collection, by forecast year


@dataclass(frozen=True)
class BudgetBases:
    """The economic base a budget names and the lines it forecasts."""

    file: str  # as the budget file names it
    path: Path  # as read (relative to the budget file's folder)
    sha256: str
    base: EconomicBase
    lines: dict  # budget line -> BaseLine, in the base file's order
    baselines: tuple = ()  # a variant base's baseline files as read

    def input_files(self) -> tuple:
        """The base file (and a variant's baselines) as inputs of the budget's result."""
        return (InputFile("economic_base", self.path, self.sha256), *self.baselines)


# --- rules that need the budget and its base --------------------------------------------------


def lines_are_budget_revenue(s: BudgetScenario, base: EconomicBase, name: str) -> Iterator[Problem]:
    """Each line the base reckons is a revenue line of a budget, and of this budget (whose
    history gives its collection)."""
    for line in base.revenue_bases:
        if line not in REVENUE_LINES:
            yield Problem(path=("bases",), key="eb_line_unknown", value=line,
                          context={"base": name, "line": line, "known": ", ".join(REVENUE_LINES)})
        elif line not in s.revenue:
            yield Problem(path=("bases",), key="eb_line_not_in_budget", value=line,
                          context={"base": name, "line": line})


def lines_not_forecast_otherwise(s: BudgetScenario, base: EconomicBase, name: str) -> Iterator[Problem]:
    """A line forecast from its base is given no method (``methods``) and is not fixed
    (``fixed``): either would silently overrule the other."""
    for line in base.revenue_bases:
        if line in s.methods:
            yield Problem(path=("methods", line), key="eb_line_also_method", value=line,
                          context={"base": name, "line": line})
        if line in s.fixed:
            yield Problem(path=("fixed", line), key="eb_line_also_fixed", value=line,
                          context={"base": name, "line": line})


def collection_measurable(s: BudgetScenario, base: EconomicBase, name: str) -> Iterator[Problem]:
    """Each line has a history year where both the executed amount and a positive accrual
    on the base are known (the base counted that year)."""
    accrued = base_values(base, s.years).accrued
    counted = _counted_span(base)
    for line in base.revenue_bases:
        if line in s.revenue and not _collection_years(s, base, accrued[line]):
            yield Problem(path=("bases",), key="eb_no_collection_years", value=line,
                          context={"base": name, "counted": counted})


# The order in which their problems are reported.
RULES = (lines_are_budget_revenue, lines_not_forecast_otherwise, collection_measurable)


def check(s: BudgetScenario, base: EconomicBase, name: str) -> Iterator[Problem]:
    """Every problem of a budget with the economic base it names (``name``, as written)."""
    for rule in RULES:
        yield from rule(s, base, name)


# --- the forecast ------------------------------------------------------------------------------


def forecast_years(s: BudgetScenario) -> tuple:
    return tuple(range(s.years[-1] + 1, s.years[-1] + 1 + s.long_horizon))


def base_lines(s: BudgetScenario, base: EconomicBase) -> dict:
    """Every line the base reckons, forecast from it (see the module's docstring); the
    rules (:func:`check`) hold."""
    future = forecast_years(s)
    values = base_values(base, (*s.years, *future))
    factor = MONEY_UNITS[base.unit] / MONEY_UNITS[s.unit]
    n = len(s.years)
    out = {}
    for line in base.revenue_bases:
        accrued = values.accrued[line] * factor
        years = _collection_years(s, base, accrued[:n])[-COLLECTION_YEARS:]
        actual = s.revenue[line].values
        ratios = tuple(float(actual[s.years.index(y)]) / float(accrued[s.years.index(y)]) for y in years)
        collection = float(np.mean(ratios))
        out[line] = BaseLine(line, collection, tuple(years), ratios, accrued[:n], accrued[n:],
                             accrued[n:] * collection)
    return out


def load_bases(budget_path: Path, s: BudgetScenario, lines=None) -> BudgetBases:
    """The economic base the budget file at ``budget_path`` names in ``bases``, read,
    checked against the budget and forecast; a problem of the base file names that file,
    one between the two names the budget's field and the base's entry."""
    from okmo_models.references import SCENARIO_SUFFIXES, resolve_reference

    name = s.bases
    line = lines.line_of(("bases",)) if lines is not None else None
    resolve_reference(budget_path, name, ("bases",), SCENARIO_SUFFIXES, line=line)  # inside the budget's folder
    shown = Path(os.path.normpath(Path(budget_path).parent / name.strip()))  # as the budget names it
    loaded: EconomicBaseFile = load_economic_base(shown)
    problems = [Problem(path=p.path, key=p.key, value=p.value, context=p.context,
                        line=lines.line_of(p.path) if lines is not None else None)
                for p in check(s, loaded.base, name)]
    if problems:
        raise ScenarioError(budget_path, problems)
    return BudgetBases(name, shown, loaded.sha256, loaded.base, base_lines(s, loaded.base), loaded.baselines)


def _collection_years(s: BudgetScenario, base: EconomicBase, accrued) -> list:
    """History years where the accrual on the base is known (the base counted, not forecast:
    at most its ``year``) and positive."""
    return [y for y, a in zip(s.years, accrued) if y <= base.year and np.isfinite(a) and a > 0]


def _counted_span(base: EconomicBase) -> str:
    years = counted_years(base)
    return f"{years[0]}–{years[-1]}"

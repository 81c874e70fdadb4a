"""Plans that reach the budget by reference: a tariff's subsidy and discounts.

A budget file may say which expenditure line pays for which tariffs (``plans:``, see
:class:`~okmo_models.budget.schema.PlanLink`). This module, above the tariff and the budget
and below everything that forecasts a budget (the programme, the CLI, reports, the hearing),
computes those tariffs and sets the line to what they ask of the budget year by year
(:func:`~okmo_models.tariff.budget_flows.budget_flows`, in the budget's unit) from the first
year every one of them is in force; before it the line keeps its forecast from history. The
values enter the forecast as a line fixed by policy, so the forecast, its scenarios and
every output treat them alike, and the tariff files are listed among the budget's inputs.
"""

from __future__ import annotations

import dataclasses
import os
from pathlib import Path

from okmo_models.budget.forecast import BudgetFile, BudgetModel, BudgetResult, forecast_budget, load_budget
from okmo_models.budget.schema import FixedLine
from okmo_models.errors import Problem, ScenarioError
from okmo_models.provenance import InputFile
from okmo_models.units import MONEY_UNITS



@dataclasses.dataclass(frozen=True)
class LinkedTariff:
    """One tariff a budget line pays for, with what it asks by year (in som)."""

    line: str
    path: Path  # the file read (resolved)
    named: Path  # the file as the budget names it, for the inputs listed
    result: object  # okmo_models.tariff.TariffResult
    flows: object  # okmo_models.tariff.budget_flows.BudgetFlows


def linked_tariffs(budget: BudgetFile) -> list[LinkedTariff]:
    """The tariffs the budget's lines pay for, computed. A name that is not a tariff file is
    refused, naming the budget file and the field."""
    from okmo_models.references import SCENARIO_SUFFIXES, resolve_reference
    from okmo_models.scenario.loader import file_kind
    from okmo_models.tariff import calculate_tariff
    from okmo_models.tariff.budget_flows import budget_flows

    out = []
    for line, link in budget.scenario.plans.items():
        for i, name in enumerate(link.tariffs):
            field = ("plans", line, "tariffs", i)
            path = resolve_reference(budget.path, name, field, SCENARIO_SUFFIXES)
            if file_kind(path) != "tariff":
                raise ScenarioError(budget.path, [Problem(path=field, key="plan_link_not_tariff", value=name)])
            result = calculate_tariff(path)
            named = Path(os.path.normpath(Path(budget.path).parent / str(name).strip()))
            out.append(LinkedTariff(line, path, named, result, budget_flows(result)))
    return out


def linked_budget(source) -> tuple[BudgetFile, list[LinkedTariff]]:
    """The budget file (a path or a loaded file) with each line that pays for tariffs fixed
    to their figures, and the tariffs it links."""
    budget = source if isinstance(source, BudgetFile) else load_budget(source)
    s = budget.scenario
    if not s.plans:
        return budget, []
    tariffs = linked_tariffs(budget)
    factor = MONEY_UNITS[s.unit]
    fixed = dict(s.fixed)
    forecast_years = range(s.years[-1] + 1, s.years[-1] + 1 + s.long_horizon)
    for line, link in s.plans.items():
        mine = [lt for lt in tariffs if lt.line == line]
        firsts = sorted({lt.flows.years[0] for lt in mine})
        if len(firsts) > 1:  # between them one tariff's subsidy would be dropped, or guessed
            raise ScenarioError(budget.path, [Problem(path=("plans", line, "tariffs"), key="plan_link_years_differ",
                                                      value=", ".join(str(lt.path.name) for lt in mine),
                                                      context={"years": ", ".join(map(str, firsts))})])
        values = {}
        for year in forecast_years:
            asked = [lt.flows.at(year) for lt in mine]
            if all(a is not None for a in asked):  # every tariff in force
                values[year] = sum(sub + disc for sub, disc in asked) / factor
        if values:
            fixed[line] = FixedLine(values=values, source=link.source)
    # each tariff as the budget names it, and the files it was read from (its passport...)
    inputs = (*budget.inputs, *(f for lt in tariffs for f in (
        InputFile("plan", lt.named, lt.result.provenance.inputs[0].sha256), *lt.result.provenance.inputs[1:])))
    return dataclasses.replace(budget, scenario=s.model_copy(update={"fixed": fixed}), inputs=inputs), tariffs


def forecast_linked_budget(source, scenario: str | None = None) -> BudgetResult:
    """:func:`~okmo_models.budget.forecast.forecast_budget` of the budget with its plans linked."""
    return forecast_budget(linked_budget(source)[0], scenario)


def baseline_linked_budget(source) -> BudgetResult:
    """The baseline forecast alone of the budget with its plans linked (the same figures as
    :func:`forecast_linked_budget`'s baseline): what a plan is followed against or compared
    by; the file's scenarios are what-ifs, and forecasting them cost most of the time."""
    linked = linked_budget(source)[0]
    return BudgetModel(linked.scenario, linked.inputs).fit()

"""The plan for the year of every indicator followed, taken from the plan files a
monitoring file names (the table in ``docs/monitoring.md``):

- a programme measure's indicator: the value its ``plan`` gives for the year, starting from
  the value planned for the year before (the ``baseline`` before the first year planned);
- a tariff: what its calculation expects in the tariff year (billed, collected, the revenue
  requirement, households served) and the two ratios between them;
- a budget: each line's forecast for the year, the plan it approves.

Money is converted to the monitoring file's unit. Nothing here reads actuals: the plans are
known before any month is reported.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from okmo_models.errors import Problem, ScenarioError
from okmo_models.units import MONEY_UNITS

FLOW, LEVEL, RATIO = "flow", "level", "ratio"
HIGHER, LOWER, NEAR = "higher", "lower", "near"  # which way an indicator is better


@dataclass(frozen=True)
class Label:
    """An indicator's name, kept structured until it is shown (:meth:`render`): a message
    key with its context, or a text of the file (a budget line's own name)."""

    key: str
    context: dict = field(default_factory=dict)  # values: a LocalText, a Label or plain text
    text: object = None  # a LocalText that replaces the message

    def render(self, lang: str) -> str:
        from okmo_models.i18n import t

        if self.text is not None:
            return self.text.get(lang)
        return t(self.key, lang, **{k: _shown(v, lang) for k, v in self.context.items()})


def _shown(value, lang: str) -> str:
    if isinstance(value, Label):
        return value.render(lang)
    return value.get(lang) if hasattr(value, "get") else str(value)


@dataclass(frozen=True)
class IndicatorPlan:
    id: str
    source: str  # "programme", "tariff", "budget"
    label: Label
    unit: str  # the monitoring file's money unit for money, else the plan's own unit
    kind: str  # FLOW, LEVEL or RATIO
    plan: float  # for the year: the year's total (flow), the value at its end (level), the ratio
    direction: str  # HIGHER, LOWER or NEAR
    start: float | None = None  # a level's planned value at the start of the year
    parts: tuple[str, str] | None = None  # a ratio's numerator and denominator indicators
    file: str = ""  # the plan file, relative to the monitoring file
    group: str = ""  # what the review groups it under: the tariff's stem, the budget section, the measure


def is_money(unit: str) -> bool:
    return unit in MONEY_UNITS


def _refuse(monitoring_path: Path, path: tuple, key: str, value, **context):
    raise ScenarioError(monitoring_path, [Problem(path=path, key=key, value=value, context=context)])


def programme_plans(path: Path, year: int) -> tuple[list[IndicatorPlan], list[dict], tuple]:
    """The plans of the programme's indicators for ``year``, the indicators of measures
    under way in ``year`` that give no plan for it (listed as not assessed, never dropped),
    and the files read."""
    from okmo_models.programme.model import load_programme
    from okmo_models.provenance import InputFile

    read = load_programme(path)
    programme = read.programme
    plans, unplanned = [], []
    for m in programme.measures:
        for ind in m.indicators:
            ident = f"programme.{m.id}.{ind.id}"
            label = Label("mo_programme_indicator", {"name": ind.name, "measure": m.name})
            if year in ind.plan:
                earlier = [y for y in ind.plan if y < year]
                start = ind.plan[max(earlier)] if earlier else ind.baseline
                target = ind.plan[year]
                direction = LOWER if ind.target < ind.baseline else HIGHER
                plans.append(IndicatorPlan(ident, "programme", label, ind.unit, LEVEL, float(target), direction,
                                           start=float(start), file=path.name, group=m.id))
            elif m.start is not None and m.start <= year < m.start + len(m.cost):
                unplanned.append({"id": ident, "label": label, "file": path.name})
    return plans, unplanned, (InputFile("programme", path, read.sha256), *read.baselines)


def tariff_plans(path: Path, year: int, unit: str, monitoring_path: Path, index: int
                 ) -> tuple[list[IndicatorPlan], tuple]:
    """What a tariff's calculation expects in its year, in the monitoring's money unit, and
    the files read."""
    from okmo_models.tariff import calculate_tariff

    result = calculate_tariff(path)
    scenario = result.scenario
    if scenario.tariff_year != year:
        _refuse(monitoring_path, ("plans", "tariffs", index), "mo_tariff_other_year", path.name,
                tariff_year=scenario.tariff_year, year=year)
    stem = path.stem
    factor = MONEY_UNITS[unit]
    service = {"service": Label(f"service_{scenario.service}")}

    def money(name: str, value: float, direction: str) -> IndicatorPlan:
        return IndicatorPlan(f"tariff.{stem}.{name}", "tariff", Label(f"mo_tariff_{name}", service), unit, FLOW,
                             value / factor, direction, file=path.name, group=stem)

    billed = money("billed", result.revenue_at_tariffs_som, HIGHER)
    collected = money("collected", result.cash_collected_som, HIGHER)
    costs = money("costs", result.revenue_requirement_som, NEAR)
    plans = [billed, collected, costs]
    households = [c.households.value for c in scenario.categories if c.households is not None]
    if households:
        served = float(sum(households))
        plans.append(IndicatorPlan(f"tariff.{stem}.households_served", "tariff",
                                   Label("mo_tariff_households_served", service), "household", LEVEL, served,
                                   HIGHER, file=path.name, group=stem))
    for name, num, den in (("collection_rate", collected, billed), ("cost_recovery", collected, costs)):
        if den.plan > 0:
            plans.append(IndicatorPlan(f"tariff.{stem}.{name}", "tariff", Label(f"mo_tariff_{name}", service),
                                       "share", RATIO, num.plan / den.plan, HIGHER, parts=(num.id, den.id),
                                       file=path.name, group=stem))
    return plans, result.provenance.inputs


def budget_plans(path: Path, year: int, unit: str, monitoring_path: Path) -> tuple[list[IndicatorPlan], tuple]:
    """Each budget line's forecast for ``year`` (with the tariffs it pays for linked), in the
    monitoring's money unit, and the files read."""
    from okmo_models.plan_links import baseline_linked_budget

    result = baseline_linked_budget(path)  # the plan is the baseline; the scenarios are what-ifs
    if year not in result.forecast_years:
        _refuse(monitoring_path, ("plans", "budget"), "mo_budget_other_year", path.name, year=year,
                first=result.forecast_years[0], last=result.forecast_years[-1])
    k = result.forecast_years.index(year)
    factor = MONEY_UNITS[result.scenario.unit] / MONEY_UNITS[unit]
    plans = []
    s = result.scenario
    for i, (section, line) in enumerate(result.lines):
        series = s.revenue.get(line) or s.expenditure.get(line)
        own = series.name if series is not None and series.name is not None else None
        plans.append(IndicatorPlan(f"budget.{line}", "budget", Label("line_b_" + line, text=own),
                                   unit, FLOW, float(result.point[i, k]) * factor,
                                   HIGHER if section == "revenue" else NEAR, file=path.name, group=section))
    return plans, result.provenance.inputs

"""A monitoring file read with everything it names: the plans' figures for the year, the
actuals matched to them (every row used or refused), the instructions and the surveys.

The review of a month uses the actuals of that month and before; later months in the table
are counted and said, not used. The meeting that reviews another month than the file's is
held on the same day of the month after it.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from dataclasses import dataclass
from pathlib import Path

from okmo_models.errors import Problem, ScenarioError
from okmo_models.formatting import format_unit
from okmo_models.i18n import LANGUAGES, t
from okmo_models.monitoring.checks import check, share
from okmo_models.monitoring.periods import month_end
from okmo_models.monitoring.indicators import Assessment, Rule, assess
from okmo_models.monitoring.plans import (
    FLOW,
    RATIO,
    IndicatorPlan,
    budget_plans,
    is_money,
    programme_plans,
    tariff_plans,
)
from okmo_models.monitoring.schema import Monitoring
from okmo_models.provenance import InputFile
from okmo_models.references import SCENARIO_SUFFIXES, resolve_reference
from okmo_models.scenario.loader import read_data, validate_with
from okmo_models.units import MONEY_UNITS

TABLES = (".csv", ".xlsx")  # the tables an economist fills in, as CSV or as a workbook
# Known ids listed in an error about an unknown one; more would drown the message.
KNOWN_SHOWN = 12


@dataclass(frozen=True)
class MonitoringFile:
    path: Path
    sha256: str
    monitoring: Monitoring
    baselines: tuple = ()

    @property
    def model(self):
        """The validated file, whatever its kind (see :mod:`okmo_models.kinds`)."""
        return self.monitoring


def load_monitoring(path: str | Path) -> MonitoringFile:
    """Read and validate a monitoring file (or a variant of one)."""
    path = Path(path)
    data, sha, lines, baselines = read_data(path)
    return MonitoringFile(path, sha, validate_with(Monitoring, check, data, path, lines), baselines)


@dataclass(frozen=True)
class IndicatorsReview:
    assessments: tuple[Assessment, ...]  # in the order of the plans: programme, tariffs, budget
    unplanned: tuple[dict, ...]  # indicators of measures under way that give no plan for the year
    periods: tuple[str, ...]  # the periods reviewed
    later_values: int  # values in the table after the period reviewed, not used
    inputs: tuple[InputFile, ...]


def indicator_plans(f: MonitoringFile) -> tuple[list[IndicatorPlan], list[dict], tuple]:
    """Every indicator's plan for the year from the plan files, in the file's money unit."""
    m = f.monitoring
    plans, unplanned, inputs = [], [], []
    if m.plans.programme is not None:
        p, u, read = programme_plans(file_beside(f, ("plans", "programme"), m.plans.programme), m.year)
        plans += p
        unplanned += u
        inputs += read
    for i, name in enumerate(m.plans.tariffs):
        p, read = tariff_plans(file_beside(f, ("plans", "tariffs", i), name), m.year, m.unit, f.path, i)
        plans += p
        inputs += read
    if m.plans.budget is not None:
        p, read = budget_plans(file_beside(f, ("plans", "budget"), m.plans.budget), m.year, m.unit, f.path)
        plans += p
        inputs += read
    seen: set = set()
    for p in plans:  # two tariffs named waste.yaml in two folders would share one row of actuals
        if p.id in seen:
            field, files = (("plans", "tariffs"), ", ".join(m.plans.tariffs)) if p.source == "tariff" \
                else (("plans", p.source), p.file)
            raise ScenarioError(f.path, [Problem(path=field, key="mo_indicator_twice", value=p.id,
                                                 context={"files": files})])
        seen.add(p.id)
    return plans, unplanned, tuple(inputs)


def file_beside(f: MonitoringFile, path: tuple, name: str, suffixes: tuple = SCENARIO_SUFFIXES) -> Path:
    """A file the monitoring file names in its field ``path``, relative to it and inside the
    folders the user opened (:func:`okmo_models.references.resolve_reference`)."""
    return resolve_reference(f.path, name, path, suffixes)


def reviewed_periods(all_periods: tuple[str, ...], month: str) -> tuple[str, ...]:
    """The table's periods up to ``month``: its months, or its quarters ended by then.

    >>> reviewed_periods(("2027-Q1", "2027-Q2", "2027-Q3", "2027-Q4"), "2027-08")
    ('2027-Q1', '2027-Q2')
    """
    m = int(month[5:7])
    if all_periods and "-Q" in all_periods[0]:
        return tuple(p for p in all_periods if int(p[-1]) * 3 <= m)
    return tuple(p for p in all_periods if int(p[5:7]) <= m)


def meeting_for(f: MonitoringFile, month: str) -> dt.date:
    """The meeting reviewing ``month``: the file's, or the same day of the month after."""
    if month == f.monitoring.review.month:
        return f.monitoring.review.meeting
    nxt = month_end(month) + dt.timedelta(days=1)
    last = month_end(nxt.strftime("%Y-%m"))
    return nxt.replace(day=min(f.monitoring.review.meeting.day, last.day))


def review_indicators(f: MonitoringFile, month: str) -> IndicatorsReview:
    """The plans' indicators assessed with the actuals of ``month`` and before."""
    from okmo_models.monitoring.tables_in import read_actuals

    m = f.monitoring
    plans, unplanned, inputs = indicator_plans(f)
    by_id = {p.id: p for p in plans}
    unplanned_ids = {u["id"] for u in unplanned}
    table_path = file_beside(f, ("actuals",), m.actuals, TABLES)
    table = read_actuals(table_path, m.year, m.decimal_mark)
    periods = reviewed_periods(table.periods, month)
    settings = {s.id: s for s in m.indicators}
    _check_settings(f, by_id, table.period_kind)
    rows, later, problems = {}, 0, []
    for row in table.rows:  # every row's problem, then one error: a fix need not wait for the next run
        p = by_id.get(row.indicator)
        if p is None:
            problems.append(_unknown_row(row, unplanned_ids, by_id, m.year))
        elif p.kind == RATIO:
            problems.append(row.problem("indicator", "mo_ratio_typed", row.indicator, parts=" ÷ ".join(p.parts)))
        else:
            factor = _unit_factor(row, p)
            if factor is None:
                problems.append(row.problem("unit", "mo_unit_mismatch", row.unit,
                                            expected={lang: format_unit(p.unit, lang) for lang in LANGUAGES}))
                continue
            rows[p.id] = (row, {k: v * factor for k, v in row.values.items()})
            later += sum(1 for k in row.values if k not in periods)
    if problems:
        raise table.error(problems)
    rule = Rule(share(m.traffic_light.green), share(m.traffic_light.amber),
                share(m.traffic_light.deviation.green), share(m.traffic_light.deviation.amber))
    done: dict[str, Assessment] = {}
    for p in sorted(plans, key=lambda p: p.kind == RATIO):  # a ratio after its parts
        row, values = rows.get(p.id, (None, {}))
        series = tuple(values.get(k) for k in periods)
        setting = settings.get(p.id)
        profile = tuple(setting.profile) if setting else None
        parts = (done[p.parts[0]], done[p.parts[1]]) if p.kind == RATIO else None
        reason = row.reason if row else None
        if parts:  # a ratio is behind because its sums are: their reasons are its reasons
            said = dict.fromkeys(a.reason.strip() for a in parts if a.reason)
            reason = " ".join(r if r.endswith((".", "!", "?")) else r + "." for r in said) or None
        done[p.id] = assess(p, periods, series, rule, profile, reason, parts)
        if row is not None and row.reason and row.values and periods and list(row.values)[-1] > periods[-1]:
            # the table's one reason was written for its latest month, not for this review's
            done[p.id] = dataclasses.replace(done[p.id], reason_as_of=list(row.values)[-1])
    assessments = tuple(done[p.id] for p in plans)
    return IndicatorsReview(assessments, tuple(unplanned), periods, later, (*inputs, table.input))


def _check_settings(f: MonitoringFile, by_id: dict, period_kind: str) -> None:
    """Each indicator setting names a flow of the plans, with a share for each period of the
    year the table is kept by (12 months or 4 quarters, however many are filled in yet)."""
    problems = []
    per_year = 12 if period_kind == "month" else 4
    for i, s in enumerate(f.monitoring.indicators):
        p = by_id.get(s.id)
        if p is None:
            problems.append(Problem(path=("indicators", i, "id"), key="mo_setting_unknown", value=s.id,
                                    context={"known": _known(by_id)}))
        elif p.kind != FLOW:
            problems.append(Problem(path=("indicators", i, "profile"), key="mo_profile_not_flow", value=s.id))
        elif len(s.profile) != per_year:
            problems.append(Problem(path=("indicators", i, "profile"), key="mo_profile_periods",
                                    value=len(s.profile),
                                    context={"periods": {lang: t(f"mo_by_{period_kind}", lang) for lang in LANGUAGES}}))
    if problems:
        raise ScenarioError(f.path, problems)


def _known(by_id: dict) -> str:
    ids = [k for k, p in by_id.items() if p.kind != RATIO]
    shown = ", ".join(ids[:KNOWN_SHOWN])
    return shown + (f" … (+{len(ids) - KNOWN_SHOWN})" if len(ids) > KNOWN_SHOWN else "")


def _unknown_row(row, unplanned_ids: set, by_id: dict, year: int) -> Problem:
    if row.indicator in unplanned_ids:
        return row.problem("indicator", "mo_indicator_without_plan", row.indicator, year=year)
    return row.problem("indicator", "mo_indicator_unknown", row.indicator, known=_known(by_id))


def unit_code(written: str, candidates) -> str | None:
    """The unit code among ``candidates`` that ``written`` names: the code itself or its
    words in any language («тыс. сом», «миң сом» for ``thousand_som``), so a table filled in
    from a Russian template reads as one filled with codes."""
    text = " ".join(written.split()).lower()
    for code in candidates:
        if text == code.lower() or text in {format_unit(code, lang).lower() for lang in LANGUAGES}:
            return code
    return None


def _unit_factor(row, p: IndicatorPlan) -> float | None:
    """What the row's numbers are multiplied by to be in the plan's unit; None for a row in
    another unit than the plan's, unless both are money."""
    if unit_code(row.unit, (p.unit,)) is not None:
        return 1.0
    money = unit_code(row.unit, MONEY_UNITS)
    if is_money(p.unit) and money is not None:
        return MONEY_UNITS[money] / MONEY_UNITS[p.unit]
    return None

"""The monthly review (:func:`evaluate_monitoring`, the one call): the indicators against
plan with the reasons for what is behind, the instructions as the meeting sees them, budget
execution, tariff collection and the residents' satisfaction over the surveys; as tables in
the reader's language and as plain data (``to_dict``). :mod:`okmo_models.monitoring.export`
writes it as text, CSV and JSON."""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from okmo_models.formatting import format_number, format_percent, format_unit, no_negative_zero, round_to_step
from okmo_models.i18n import t
from okmo_models.monitoring.checks import share
from okmo_models.monitoring.indicators import AMBER, RED, Assessment
from okmo_models.monitoring.instructions import InstructionsReview, review_instructions
from okmo_models.monitoring.model import (
    IndicatorsReview,
    TABLES,
    MonitoringFile,
    file_beside,
    load_monitoring,
    meeting_for,
    review_indicators,
)
from okmo_models.monitoring.periods import format_date, period_label
from okmo_models.monitoring.plans import LEVEL, NEAR, RATIO
from okmo_models.monitoring.schema import Monitoring
from okmo_models.provenance import InputFile, Provenance, source_text

if TYPE_CHECKING:  # the tables import pandas when they are asked for
    import pandas as pd

JSON_SCHEMA = "okmo-monitoring/1"
SECTIONS = ("programme", "tariff", "budget")


def _number(x, digits: int = 6):
    return None if x is None or not math.isfinite(x) else no_negative_zero(round(float(x), digits))


@dataclass(frozen=True)
class MonitoringResult:
    file: MonitoringFile
    month: str  # the month reviewed
    meeting: dt.date
    indicators: IndicatorsReview
    instructions: InstructionsReview | None
    surveys: object | None  # okmo_models.monitoring.surveys.SurveyReview, when the file names surveys
    inputs: tuple[InputFile, ...]
    later_surveys: int = 0  # surveys taken after the month reviewed, not shown

    @property
    def monitoring(self) -> Monitoring:
        return self.file.monitoring

    @property
    def path(self) -> Path:
        return self.file.path

    @property
    def provenance(self) -> Provenance:
        """The metadata block every kind of result carries."""
        return Provenance(JSON_SCHEMA, self.inputs)

    # --- selections ------------------------------------------------------------------------

    def section(self, source: str) -> tuple[Assessment, ...]:
        return tuple(a for a in self.indicators.assessments if a.plan.source == source)

    def behind(self) -> tuple[Assessment, ...]:
        """Indicators in amber or red, red first, for the meeting."""
        out = [a for a in self.indicators.assessments if a.behind]
        return tuple(sorted(out, key=lambda a: a.light != RED))

    def without_actuals(self) -> tuple[Assessment, ...]:
        return tuple(a for a in self.indicators.assessments if a.reported == 0 and a.plan.kind != RATIO)

    def late(self) -> tuple[Assessment, ...]:
        """Indicators reported, but not up to the period reviewed (a rate: either of its sums)."""
        return tuple(a for a in self.indicators.assessments if 0 < a.reported < len(self.indicators.periods))

    def counts(self) -> dict:
        lights = [a.light for a in self.indicators.assessments]
        return {"green": lights.count("green"), "amber": lights.count(AMBER), "red": lights.count(RED),
                "none": lights.count(None)}

    # --- words -------------------------------------------------------------------------------

    def title(self, lang: str) -> str:
        return t("mo_title", lang, month=period_label(self.month, lang))

    def rule_text(self, lang: str) -> str:
        """The traffic light's rule, as the review states it."""
        light = self.monitoring.traffic_light

        def pct(q) -> str:  # 97,5 % stays 97,5 %: a threshold is printed as the file sets it
            x = share(q)
            return format_percent(x, 0 if round(x * 100, 6).is_integer() else 1, lang)

        return t("mo_rule", lang, green=pct(light.green), amber=pct(light.amber),
                 dev_green=pct(light.deviation.green), dev_amber=pct(light.deviation.amber),
                 source=source_text(self.monitoring.sources[light.source], lang))

    def unit_text(self, a: Assessment, lang: str) -> str:
        if a.plan.unit == "share":
            return "%"
        return format_unit(a.plan.unit, lang)

    def value_text(self, a: Assessment, x: float | None, lang: str) -> str:
        """A value in the indicator's unit: a share as a percentage, money to 0.1 of the unit
        shown (thousand som: to 100 som), counts and levels as they are."""
        if x is None or not math.isfinite(x):
            return "—"
        if a.plan.unit == "share":
            return format_percent(x, 1, lang)
        if a.plan.unit == "som":
            return format_number(x, 0, lang)
        if a.plan.unit in ("thousand_som", "million_som"):
            return format_number(x, 1, lang)
        return format_number(x, 0 if float(x).is_integer() else 2, lang)

    @staticmethod
    def deviation(a: Assessment) -> float | None:
        """How far a cost's or a spending line's forecast is from its plan, with its sign
        (+0.031: 3.1 % over); the light judges its size (``a.score``)."""
        if a.score is None or a.plan.direction != NEAR:
            return None
        # to 0.1 % as printed, so |deviation| is the score the light was judged on
        return round_to_step(a.forecast / a.plan.plan - 1, 0.001)  # a zero plan has no score

    def score_text(self, a: Assessment, lang: str) -> str:
        """What the light compares, in words: "96,3 % of the plan" or "+4,1 % from the plan"."""
        if a.score is None:
            return t(f"mo_why_{a.why_no_light}", lang) if a.why_no_light else t("mo_score_as_planned", lang)
        if a.plan.direction == NEAR:
            forecast_vs = self.deviation(a)
            sign = "" if a.score == 0 else "+" if forecast_vs > 0 else "−"  # "−0,0 %" has no sign
            return t("mo_score_near", lang, deviation=sign + format_percent(abs(forecast_vs), 1, lang))
        if math.isinf(a.score):
            return t("mo_score_reached", lang)
        if a.plan.kind == LEVEL and a.plan.start is not None:
            return t("mo_score_change", lang, share=format_percent(a.score, 1, lang))
        return t("mo_score_share", lang, share=format_percent(a.score, 1, lang))

    def reason_text(self, a: Assessment, lang: str) -> str:
        if a.reason and a.reason_as_of:
            return t("mo_reason_as_of", lang, reason=a.reason, period=period_label(a.reason_as_of, lang))
        if a.reason:
            return a.reason
        return t("mo_reason_missing", lang) if a.behind else ""

    def light_text(self, a: Assessment, lang: str) -> str:
        return t(f"mo_light_{a.light}", lang) if a.light else t(f"mo_why_{a.why_no_light}", lang)

    # --- tables ------------------------------------------------------------------------------

    def indicators_table(self, lang: str = "ru", source: str | None = None, only_behind: bool = False
                         ) -> pd.DataFrame:
        """One row per indicator: plan for the year, plan and actual so far, the year-end
        forecast, what the light compares, the light and the reason."""
        import pandas as pd

        chosen = self.behind() if only_behind else (
            self.section(source) if source else self.indicators.assessments)
        rows = []
        for a in chosen:
            rows.append({
                t("mo_col_indicator", lang): a.plan.label.render(lang),
                t("mo_col_unit", lang): self.unit_text(a, lang),
                t("mo_col_plan_year", lang, year=self.monitoring.year): self.value_text(a, a.plan.plan, lang),
                t("mo_col_plan_so_far", lang): self.value_text(a, a.plan_so_far, lang),
                t("mo_col_actual_so_far", lang): self.value_text(a, a.so_far, lang),
                t("mo_col_forecast", lang): self.value_text(a, a.forecast, lang),
                t("mo_col_score", lang): self.score_text(a, lang),
                t("mo_col_light", lang): self.light_text(a, lang),
                t("mo_col_reason", lang): self.reason_text(a, lang),
            })
        return pd.DataFrame(rows)

    def monthly_table(self, source: str, lang: str = "ru") -> pd.DataFrame:
        """The actuals of each period reviewed, one row per indicator of ``source``."""
        import pandas as pd

        rows = []
        for a in self.section(source):
            row = {t("mo_col_indicator", lang): a.plan.label.render(lang), t("mo_col_unit", lang): self.unit_text(a, lang)}
            for period, v in zip(a.periods, a.values):
                row[period_label(period, lang)] = self.value_text(a, v, lang)
            rows.append(row)
        return pd.DataFrame(rows)

    def instructions_table(self, which: str, lang: str = "ru") -> pd.DataFrame:
        """``overdue``, ``done_late`` or ``due_soon``: the instructions the meeting hears."""
        import pandas as pd

        r = self.instructions
        rows = []
        for i in getattr(r, which):
            row = {t("mo_col_id", lang): i.id, t("mo_col_task", lang): i.task,
                   t("mo_col_responsible", lang): i.responsible, t("mo_col_due", lang): format_date(i.due, lang)}
            if which == "overdue":
                row[t("mo_col_days_overdue", lang)] = str(r.days_overdue(i))
                row[t("mo_col_reason", lang)] = i.reason or t("mo_reason_missing", lang)
                row[t("mo_col_decision", lang)] = i.decision or ""
            elif which == "done_late":
                row[t("mo_col_done_on", lang)] = format_date(i.done_on, lang)
                row[t("mo_col_days_late", lang)] = str((i.done_on - i.due).days)
            else:
                row[t("mo_col_days_left", lang)] = str((i.due - r.meeting).days)
            rows.append(row)
        return pd.DataFrame(rows)

    # --- plain data ------------------------------------------------------------------------

    def to_dict(self, lang: str = "ru") -> dict:
        m = self.monitoring

        def assessment(a: Assessment) -> dict:
            return {"id": a.plan.id, "name": a.plan.label.render(lang), "plan_kind": a.plan.source,
                    "group": a.plan.group, "file": a.plan.file, "kind": a.plan.kind, "unit": a.plan.unit,
                    "direction": a.plan.direction, "plan": _number(a.plan.plan),
                    "start": _number(a.plan.start) if a.plan.kind == LEVEL else None,
                    "periods": list(a.periods), "values": [_number(v) for v in a.values],
                    "reported": a.reported, "so_far": _number(a.so_far), "plan_so_far": _number(a.plan_so_far),
                    "forecast": _number(a.forecast), "score": _number(a.score) if a.score is not None
                    and math.isfinite(a.score) else None, "deviation": _number(self.deviation(a)),
                    "light": a.light, "why_no_light": a.why_no_light,
                    "reason": a.reason, "reason_as_of": a.reason_as_of}

        out = {**self.provenance.to_dict(lang), "municipality": m.municipality.name.get(lang), "year": m.year,
               "month": self.month, "meeting": self.meeting.isoformat(), "unit": m.unit,
               "rule": {"green": share(m.traffic_light.green), "amber": share(m.traffic_light.amber),
                        "deviation_green": share(m.traffic_light.deviation.green),
                        "deviation_amber": share(m.traffic_light.deviation.amber),
                        "text": self.rule_text(lang)},
               "counts": self.counts(), "indicators": [assessment(a) for a in self.indicators.assessments],
               "not_assessed": [{"id": u["id"], "name": u["label"].render(lang), "file": u["file"]}
                                for u in self.indicators.unplanned],
               "later_values_not_used": self.indicators.later_values, "later_surveys_not_used": self.later_surveys}
        if self.instructions is not None:
            r = self.instructions

            def instruction(i) -> dict:
                return {"id": i.id, "task": i.task, "responsible": i.responsible, "issued": i.issued.isoformat(),
                        "due": i.due.isoformat(), "status": i.status,
                        "done_on": i.done_on.isoformat() if i.done_on else None, "reason": i.reason,
                        "decision": i.decision}

            out["instructions"] = {"since": r.since.isoformat(), "due_soon_until": r.due_soon_until.isoformat(),
                                   "counts": r.counts, "overdue": [instruction(i) for i in r.overdue],
                                   "done_late": [instruction(i) for i in r.done_late],
                                   "due_soon": [instruction(i) for i in r.due_soon]}
        if self.surveys is not None:
            out["surveys"] = self.surveys.to_dict(lang)
        return out


def evaluate_monitoring(path: str | Path, month: str | None = None) -> MonitoringResult:
    """The review of ``month`` (``YYYY-MM``; the file's ``review.month`` by default)."""
    f = load_monitoring(path)
    m = f.monitoring
    month = month or m.review.month
    _check_month(f, month)
    meeting = meeting_for(f, month)
    indicators = review_indicators(f, month)
    inputs = [InputFile("scenario", f.path, f.sha256), *f.baselines, *indicators.inputs]
    instructions = None
    if m.instructions is not None:
        from okmo_models.monitoring.tables_in import read_instructions

        table = read_instructions(file_beside(f, ("instructions",), m.instructions, TABLES), m.decimal_mark)
        instructions = review_instructions(table.instructions, meeting, m.review.due_soon_days)
        inputs.append(table.input)
    surveys = None
    taken = [s for s in m.surveys if s.date <= month]  # a survey after the month was not known at its meeting
    if taken:
        from okmo_models.monitoring.surveys import review

        surveys = review(taken, m.reference, f.path.parent, f.path, sources=m.sources)
        inputs += surveys.inputs
    return MonitoringResult(f, month, meeting, indicators, instructions, surveys, _once(inputs),
                            len(m.surveys) - len(taken))


def _once(inputs) -> tuple[InputFile, ...]:
    """Each file read once in the provenance (a passport read by two tariffs is one input)."""
    seen, out = set(), []
    for f in inputs:
        key = (Path(f.path).resolve(), f.sha256)
        if key not in seen:
            seen.add(key)
            out.append(f)
    return tuple(out)


def _check_month(f: MonitoringFile, month: str) -> None:
    """A month asked for on the command line is a month of the file's year."""
    import re

    from okmo_models.errors import Problem, ScenarioError

    if not re.fullmatch(r"\d{4}-(0[1-9]|1[0-2])", month) or int(month[:4]) != f.monitoring.year:
        raise ScenarioError(f.path, [Problem(path=(), key="mo_month_asked_outside", value=month,
                                             context={"year": f.monitoring.year})])


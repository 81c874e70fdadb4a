"""The monthly review as text (the terminal), CSV or JSON, in the user's language: the same
figures as the PDF, the workbook and the dashboard, all from
:class:`~okmo_models.monitoring.result.MonitoringResult`."""

from __future__ import annotations

import json

from okmo_models.i18n import t
from okmo_models.monitoring.periods import format_date, period_label
from okmo_models.monitoring.result import MonitoringResult


def header(result: MonitoringResult, lang: str) -> list[str]:
    """The review's title, meeting, counts, and what was not assessed or not used."""
    m = result.monitoring
    periods = result.indicators.periods
    last = period_label(periods[-1], lang) if periods else period_label(result.month, lang)
    out = [f"{m.municipality.name.get(lang)} — {result.title(lang)}",
           t("mo_meeting", lang, date=format_date(result.meeting, lang), period=last),
           t("mo_counts", lang, **result.counts())]
    out += notes(result, lang)
    return out


def notes(result: MonitoringResult, lang: str) -> list[str]:
    """Every indicator not assessed and every value not used, said (nothing dropped)."""
    out = []
    periods = result.indicators.periods
    if result.indicators.unplanned:
        out.append(t("mo_not_assessed", lang, year=result.monitoring.year,
                     items="; ".join(u["label"].render(lang) for u in result.indicators.unplanned)))
    if result.without_actuals():
        out.append(t("mo_no_actuals_list", lang,
                     items="; ".join(a.plan.label.render(lang) for a in result.without_actuals())))
    if result.late() and periods:
        out.append(t("mo_late_list", lang, period=period_label(periods[-1], lang),
                     items="; ".join(a.plan.label.render(lang) for a in result.late())))
    if result.indicators.later_values:
        out.append(t("mo_later_values", lang, count=result.indicators.later_values,
                     period=period_label(result.month, lang)))
    if result.later_surveys:
        out.append(t("mo_later_surveys", lang, count=result.later_surveys))
    return out


def to_text(result: MonitoringResult, lang: str = "ru") -> str:
    """The review in the order the meeting takes it: what is behind and why, the
    instructions, then each plan's indicators, and the surveys."""
    from okmo_models.tables import frame_table  # pandas: loaded when a table is written

    out = [*header(result, lang), ""]

    def table(title: str, df) -> None:
        out.append(f"== {title} ==")
        out.extend(frame_table(df) if len(df) else [t("mo_none", lang)])
        out.append("")

    table(t("mo_section_behind", lang), result.indicators_table(lang, only_behind=True))
    if result.instructions is not None:
        r = result.instructions
        out.append(f"== {t('mo_section_instructions', lang)} ==")
        out.append(t("mo_instruction_counts", lang, **r.counts))
        out.append("")
        table(t("mo_overdue", lang), result.instructions_table("overdue", lang))
        table(t("mo_done_late", lang), result.instructions_table("done_late", lang))
        table(t("mo_due_soon", lang, date=format_date(r.due_soon_until, lang)),
              result.instructions_table("due_soon", lang))
    for source in ("programme", "tariff", "budget"):
        if result.section(source):
            table(t(f"mo_section_{source}", lang), result.indicators_table(lang, source=source))
    if result.surveys is not None:
        out.append(f"== {t('mo_section_surveys', lang)} ==")
        out.extend(result.surveys.text_lines(lang))
        out.append("")
    out.append(result.rule_text(lang))
    return "\n".join(out) + "\n"


def to_json(result: MonitoringResult, lang: str = "ru") -> str:
    return json.dumps(result.to_dict(lang), ensure_ascii=False, indent=2) + "\n"


def to_csv(result: MonitoringResult, lang: str = "ru") -> str:
    """One row per indicator and period reviewed: its id, name, unit, the period, the actual,
    then the indicator's plan, forecast and light (repeated on its rows, as a spreadsheet
    filter wants them)."""
    import pandas as pd

    from okmo_models.csv_cells import safe_frame

    rows = []
    for a in result.indicators.assessments:
        common = {"indicator": a.plan.id, "name": a.plan.label.render(lang), "unit": a.plan.unit,
                  "plan_year": a.plan.plan, "forecast": a.forecast, "light": a.light or ""}
        for period, v in zip(a.periods, a.values):
            rows.append({**common, "period": period, "actual": "" if v is None else round(v, 6)})
        if not a.periods:
            rows.append({**common, "period": "", "actual": ""})
    return safe_frame(pd.DataFrame(rows)).to_csv(index=False)

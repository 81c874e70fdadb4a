"""The sections of the monthly review (ежемесячный обзор исполнения) as HTML.

In the order the meeting takes it (seed 002: the indicators and instructions not carried out
are analysed, with the reasons): the indicators behind plan with their reasons, the
instructions (overdue, done late, due soon), the programme's indicators, the services
(billing, collection, costs and their ratios, households served), budget execution, the
residents' satisfaction, the rule of the traffic light with what was not assessed, and the
sources.

Every figure and word about it comes from
:func:`okmo_models.monitoring.evaluate_monitoring`, formatted by the result's own tables and
``*_text`` methods, the same as ``okmo monitoring`` (text, JSON, CSV) prints: nothing is
computed here. The notebook (monitoring_report) only displays what these functions return.
"""

from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path

from okmo_models.i18n import t
from okmo_models.monitoring.periods import period_label
from okmo_models.provenance import source_text
from okmo_models.report import blocks
from okmo_models.report.blocks import e
from okmo_models.report.budget_sections import hyphenate

# the light's colour in a table cell; the word is always printed too (never colour alone),
# pale enough for black text and a grey-scale printer
LIGHT_COLOURS = {"green": "#bfe5bf", "amber": "#ffe08a", "red": "#f5b7b1"}
# periods per table of actuals by month across A4 (the label columns take the rest)
PERIODS_PER_TABLE = 6
SOURCES = ("programme", "tariff", "budget")


def read(path: str | Path) -> blocks.Document:
    """The review of a monitoring file for its own month: the evaluation and the file."""
    from okmo_models.monitoring import evaluate_monitoring

    result = evaluate_monitoring(path)
    return blocks.Document(sys.modules[__name__], result, result.monitoring)


def outline(scenario) -> list[str]:
    """Message keys of the numbered sections, in the meeting's order: only the parts the file has."""
    keys = ["mo_section_behind"]
    if scenario.instructions is not None:
        keys.append("mo_section_instructions")
    if scenario.plans.programme is not None:
        keys.append("mo_section_programme")
    if scenario.plans.tariffs:
        keys.append("mo_section_tariff")
    if scenario.plans.budget is not None:
        keys.append("mo_section_budget")
    if scenario.surveys:
        keys.append("mo_section_surveys")
    return keys + ["mnr_rule", "mnr_sources"]


def contents(scenario, lang: str, pages: dict | None = None) -> str:
    """The table of contents; ``pages`` maps section numbers to page numbers when known."""
    return blocks.contents(outline(scenario), lang, pages)


# --- small helpers -----------------------------------------------------------------------------


def refs(monitoring) -> dict[str, str]:
    """``[n]`` for every source of the file, numbered in the file's order (last section)."""
    return {key: f"[{n}]" for n, key in enumerate(monitoring.sources, 1)}


def cited(monitoring, keys, lang: str) -> str:
    """A note naming the sources of a section: ``Источники: [1], [2].``"""
    numbers = refs(monitoring)
    found = sorted({numbers[k] for k in keys if k in numbers}, key=lambda r: int(r.strip("[]")))
    return f"<p class=note>{e(t('mnr_sources_of', lang, refs=', '.join(found)))}</p>" if found else ""


def light_cell(light: str | None, text: str) -> str:
    """The light's word in a cell coloured as the light (no colour without a light)."""
    if light in LIGHT_COLOURS:
        return (f'<td class="light light-{light}" style="background: {LIGHT_COLOURS[light]}; '
                f'font-weight: 700; -webkit-print-color-adjust: exact; print-color-adjust: exact">{e(text)}</td>')
    return f"<td>{e(text)}</td>"


def indicators(assessments, frame, lang: str, groups: dict | None = None) -> str:
    """The rows of :meth:`MonitoringResult.indicators_table` (``frame``, one per assessment of
    ``assessments``, in that order) with the light's cell coloured; each reason on a full-width
    line under its indicator, kept on the same page. ``groups`` maps an assessment's group to a
    heading printed before its first row."""
    if not len(frame):
        return f"<p>{e(t('mnr_none_here', lang))}</p>"
    columns = list(frame.columns)
    reason_at, light_at = columns.index(t("mo_col_reason", lang)), columns.index(t("mo_col_light", lang))
    shown = [c for i, c in enumerate(columns) if i != reason_at]
    numeric = range(2, 6)  # after the name and unit: plan, plan so far, actual so far, forecast
    head = "".join(f"<th{' class=num' if i in numeric else ''} style=\"white-space: normal\">{e(hyphenate(str(h)))}</th>"
                   for i, h in enumerate(shown))
    # indicator, unit, four figures, the light's comparison, the light
    cols = ('<colgroup><col style="width: 22%"><col style="width: 9%">' + '<col style="width: 10.5%">' * 4
            + '<col style="width: 14%"><col></colgroup>')
    bodies, group = [], None
    for a, row in zip(assessments, frame.itertuples(index=False)):
        cells = list(row)
        rows = ""
        if groups and a.plan.group != group:
            group = a.plan.group
            if group in groups:
                rows += f'<tr><th colspan="{len(shown)}">{e(groups[group])}</th></tr>'
        tds = "".join(light_cell(a.light, v) if i == light_at else
                      f"<td{' class=num' if i in numeric else ' class=nowrap' if i == 1 else ''}>{e(v)}</td>"
                      for i, v in enumerate(cells) if i != reason_at)
        rows += f"<tr>{tds}</tr>"
        reason = cells[reason_at]
        if reason:
            rows += (f'<tr class=reason><td colspan="{len(shown)}"><i>{e(columns[reason_at])}:</i> '
                     f"{e(reason)}</td></tr>")
        bodies.append(f'<tbody style="break-inside: avoid; page-break-inside: avoid">{rows}</tbody>')
    return f'<table class="small">{cols}<thead><tr>{head}</tr></thead>{"".join(bodies)}</table>'


def plain_table(frame, numeric=(), widths=None, keep=()) -> str:
    """One of the result's tables (a DataFrame of words) as it is, every cell escaped; the
    cells of columns in ``keep`` (an instruction's number, a date) never wrap."""
    widths = widths or {}

    def cls(i):
        return " class=num" if i in numeric else " class=nowrap" if i in keep else ""

    cols = ("<colgroup>" + "".join(f'<col style="width: {widths[i]}">' if i in widths else "<col>"
                                   for i in range(len(frame.columns))) + "</colgroup>") if widths else ""
    head = "".join(f"<th{' class=num' if i in numeric else ''} style=\"white-space: normal\">{e(hyphenate(str(h)))}</th>"
                   for i, h in enumerate(frame.columns))
    body = "".join("<tr>" + "".join(f"<td{cls(i)}>{e(v)}</td>" for i, v in enumerate(row)) + "</tr>"
                   for row in frame.itertuples(index=False))
    return f'<table class="small">{cols}<thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>'


def monthly(result, source: str, lang: str) -> str:
    """:meth:`MonitoringResult.monthly_table`: the actuals of each period reviewed, in tables of
    at most :data:`PERIODS_PER_TABLE` periods across A4, only indicators with an actual."""
    frame = result.monthly_table(source, lang)
    if not len(frame):
        return ""
    reported = [a.reported > 0 for a in result.section(source)]
    frame = frame[reported]
    if not len(frame) or len(frame.columns) <= 2:
        return ""
    periods = list(frame.columns[2:])
    tables = -(-len(periods) // PERIODS_PER_TABLE)
    size = -(-len(periods) // tables)
    out = [f"<h3>{e(t('mnr_monthly', lang))}</h3>"]
    for start in range(0, len(periods), size):
        part = frame[[*frame.columns[:2], *periods[start:start + size]]]
        out.append(plain_table(part, numeric=range(2, 2 + size), widths={0: "28%", 1: "9%"}, keep=(1,)))
    return "".join(out)


# --- title page ------------------------------------------------------------------------------


def title_page(result, lang: str) -> str:
    from okmo_models.monitoring.export import header

    m = result.monitoring
    region = m.municipality.region.get(lang) if m.municipality.region else ""
    _, meeting, counts, *_ = header(result, lang)  # the title, the meeting, the lights' counts, notes
    return f"""<div class="title-page">
<p class="title-org">{e(m.municipality.name.get(lang))}</p>
<p class="title-region">{e(region)}</p>
<h1>{e(t('mon_report_title', lang))}</h1>
<p class="title-service">{e(result.title(lang))}</p>
<p class="title-operator">{e(meeting)}</p>
<p class="title-operator">{e(counts)}</p>
<p class="title-date">{e(dt.date.today().strftime('%d.%m.%Y'))}</p>
</div>"""


# --- 1. behind plan ----------------------------------------------------------------------------


def behind(result, lang: str) -> str:
    """The indicators in amber and red, red first, each with its reason (or "reason not given")."""
    from okmo_models.monitoring.export import header

    _, meeting, counts, *_ = header(result, lang)
    out = f"<p>{e(meeting)} {e(counts)}</p><p>{e(t('mnr_behind_intro', lang))}</p>"
    chosen = result.behind()
    return out + indicators(chosen, result.indicators_table(lang, only_behind=True), lang) + (
        cited(result.monitoring, [result.monitoring.traffic_light.source, "actuals"], lang))


# --- 2. instructions ---------------------------------------------------------------------------


def instructions(result, lang: str) -> str:
    from okmo_models.monitoring.periods import format_date

    r = result.instructions
    out = f"<p>{e(t('mo_instruction_counts', lang, **r.counts))}</p><p>{e(t('mnr_instructions_intro', lang))}</p>"
    # columns: number, task, responsible, due, then overdue: days, reason, decision; done late:
    # done on, days late; due soon: days left
    parts = (("overdue", t("mo_overdue", lang), {0: "6%", 1: "24%", 2: "14%", 3: "10%", 4: "8%", 5: "19%"}, (4,)),
             ("done_late", t("mo_done_late", lang), {0: "6%", 1: "42%", 3: "10%", 4: "10%"}, (5,)),
             ("due_soon", t("mo_due_soon", lang, date=format_date(r.due_soon_until, lang)), {0: "6%", 1: "50%", 3: "10%"}, (4,)))
    for which, title, widths, numeric in parts:
        frame = result.instructions_table(which, lang)
        out += f"<h3>{e(title)}</h3>"
        out += (plain_table(frame, numeric=numeric, widths=widths, keep=(0, 3, 4) if which == "done_late" else (0, 3))
                if len(frame) else f"<p>{e(t('mnr_none_here', lang))}</p>")
    return out + cited(result.monitoring, ["instructions"], lang)


# --- 3-5. the plans' indicators ------------------------------------------------------------------


def plan_section(result, source: str, lang: str, groups: dict | None = None, intro: str = "") -> str:
    """The indicators of one plan: reported ones in the table, those with no actual yet named
    under it (as ``okmo monitoring`` names them), then the actuals by month."""
    chosen = result.section(source)
    frame = result.indicators_table(lang, source=source)
    silent = {a.plan.id for a in result.without_actuals()}
    keep = [a.plan.id not in silent for a in chosen]
    out = f"<p>{e(t(intro, lang))}</p>" if intro else ""
    out += indicators([a for a, k in zip(chosen, keep) if k], frame[keep] if len(frame) else frame, lang, groups)
    if not all(keep):
        names = "; ".join(a.plan.label.render(lang) for a, k in zip(chosen, keep) if not k)
        out += f"<p>{e(t('mnr_no_actuals', lang, items=names))}</p>"
    out += monthly(result, source, lang)
    keys = ["actuals"] + [s.source for s in result.monitoring.indicators
                          if any(a.plan.id == s.id for a in chosen)]
    return out + cited(result.monitoring, keys, lang)


def programme(result, lang: str) -> str:
    return plan_section(result, "programme", lang, intro="mnr_programme_intro")


def tariff(result, lang: str) -> str:
    return plan_section(result, "tariff", lang, intro="mnr_tariff_intro")


def budget(result, lang: str) -> str:
    groups = {"revenue": t("mnr_group_revenue", lang), "expenditure": t("mnr_group_expenditure", lang)}
    return plan_section(result, "budget", lang, groups, intro="mnr_budget_intro")


# --- 6. satisfaction ---------------------------------------------------------------------------


def surveys(result, lang: str) -> str:
    """By question: each survey's share satisfied with its margin, for all residents and each
    group, and the change between surveys in a word (more than noise or within it); under the
    table the change for all residents in a sentence, with its probability."""
    from okmo_models.formatting import format_percent
    from okmo_models.monitoring.surveys import change_text

    s = result.surveys
    m = result.monitoring
    out = f"<p>{e(t('mnr_surveys_intro', lang))}</p>"
    dates = {x.spec.id: x.spec.date for x in s.surveys}
    for q in s.questions():
        asked = [x for x in s.surveys if q in x.spec.questions]
        changes = [c for c in s.changes if c.question == q]
        pairs = list(dict.fromkeys((c.survey_a, c.survey_b) for c in changes))
        headers = [t("mnr_col_group", lang), *(period_label(x.spec.date, lang) for x in asked),
                   *(t("mnr_col_change", lang, a=period_label(dates[a], lang), b=period_label(dates[b], lang))
                     for a, b in pairs)]
        groups = list(dict.fromkeys(est.group for est in s.estimates if est.question == q))
        rows = []
        for g in groups:
            row = [t(f"sv_group_{g}", lang)]
            for x in asked:
                est = s.estimate(x.spec.id, q, g)
                row.append(estimate_cell(est, lang) if est is not None else "—")
            for a, b in pairs:
                c = next((c for c in changes if (c.survey_a, c.survey_b, c.group) == (a, b, g)), None)
                row.append(change_cell(c, lang) if c is not None else "—")
            rows.append(row)
        out += f"<h3>{e(s.name(q, lang))}</h3>" + blocks.table(headers, rows, css="small")
        for c in changes:
            if c.group == "all":
                out += f"<p>{e(t('mnr_change_all', lang, a=period_label(dates[c.survey_a], lang), b=period_label(dates[c.survey_b], lang)))} {e(change_text(c, lang, headed=False))}</p>"
    weighting = "; ".join(f"{period_label(x.spec.date, lang)}: {t('sv_weighting_' + (x.spec.weight_by or 'unweighted'), lang)}"
                          for x in s.surveys)
    out += f"<p class=note>{e(t('mnr_surveys_note', lang, weighting=weighting))}</p>"
    if s.reference:
        numbers = refs(m)
        items = "".join(
            f"<li>{e(t('mnr_reference', lang, year=r.year, share=format_percent(r.fraction, 0, lang), label=r.label.get(lang) if r.label else t(f'sv_group_{r.group}', lang), ref=numbers.get(r.source, '')))}</li>"
            for r in s.reference)
        out += f"<h3>{e(t('mnr_reference_title', lang))}</h3><ul>{items}</ul>"
    keys = [x.spec.source for x in s.surveys] + [r.source for r in s.reference]
    return out + cited(m, keys, lang)


def estimate_cell(est, lang: str) -> str:
    """An estimate in a table cell: "54 % ±5,1 п.п. (49–59 %), ответов 369", with the figures
    as :func:`okmo_models.monitoring.surveys.estimate_text` writes them."""
    from okmo_models.formatting import format_number

    if not est.estimated:
        return t("mnr_estimate_too_few", lang, n=est.n, min=est.min_answers)
    return t("mnr_estimate", lang, share=format_number(est.share * 100, 0, lang),
             margin=format_number(est.margin * 100, 1, lang), low=format_number(est.low * 100, 0, lang),
             high=format_number(est.high * 100, 0, lang), n=est.n)


def change_cell(c, lang: str) -> str:
    """The change in a table cell: "+9,3 п.п.: больше шума", as change_text signs it."""
    from okmo_models.formatting import signed_number

    if c.significant is None:
        return t("mnr_change_not_tested", lang)
    return t("mnr_change_more" if c.significant else "mnr_change_within", lang,
             diff=signed_number(c.difference_pp, 1, lang))


# --- 7. the rule and what was not assessed ----------------------------------------------------------


def rule(result, lang: str) -> str:
    from okmo_models.monitoring.export import notes

    m = result.monitoring
    numbers = refs(m)
    out = f"<p>{e(result.rule_text(lang))} {e(numbers.get(m.traffic_light.source, ''))}</p>"
    out += f"<p>{e(t('mnr_legend', lang))} " + " ".join(
        f'<span style="background: {colour}; padding: 1pt 4pt; font-weight: 700; -webkit-print-color-adjust: exact; '
        f'print-color-adjust: exact">{e(t(f"mo_light_{light}", lang))}</span>' for light, colour in LIGHT_COLOURS.items()
    ) + "</p>"
    settings = [(s, next((a for a in result.indicators.assessments if a.plan.id == s.id), None)) for s in m.indicators]
    profiled = [f"{a.plan.label.render(lang)} {numbers.get(s.source, '')}".strip() for s, a in settings if a is not None]
    if profiled:
        out += f"<p>{e(t('mnr_profiles', lang, items='; '.join(profiled)))}</p>"
    out += f"<h3>{e(t('mnr_not_assessed_title', lang))}</h3>"
    said = notes(result, lang)
    out += ("<ul>" + "".join(f"<li>{e(x)}</li>" for x in said) + "</ul>") if said else f"<p>{e(t('mnr_all_assessed', lang))}</p>"
    return out


# --- 8. sources ------------------------------------------------------------------------------


def sources(result, lang: str) -> str:
    m = result.monitoring
    numbers = refs(m)
    items = "".join(f"<li>{e(numbers[k])} {blocks.linked(source_text(v, lang))}</li>" for k, v in m.sources.items())
    return (f"<p>{e(t('mnr_sources_intro', lang))}</p><ol class=sources>{items}</ol>"
            + f"<p class=note>{e(t('mnr_same_as_command', lang))}</p>")


BUILDERS = {"mo_section_behind": behind, "mo_section_instructions": instructions,
            "mo_section_programme": programme, "mo_section_tariff": tariff, "mo_section_budget": budget,
            "mo_section_surveys": surveys, "mnr_rule": rule, "mnr_sources": sources}


def body(result, lang: str, charts: dict | None = None) -> str:
    """Every numbered section, in the order of :func:`outline`."""
    return blocks.numbered(outline(result.monitoring), BUILDERS, result, lang, charts)


def charts(result, lang: str) -> dict[str, str]:
    """No charts: the review is read as tables at the meeting (and is quicker to build)."""
    return {}


def stamp_and_signatures(result, lang: str) -> str:
    """File name and SHA-256 of the monitoring file and of every file it read, each once."""
    seen, files = set(), []
    for f in result.provenance.inputs:
        if (Path(f.path), f.sha256) not in seen:
            seen.add((Path(f.path), f.sha256))
            files.append(f)
    return blocks.stamp_and_signatures(files, lang, "mnr_stamp")

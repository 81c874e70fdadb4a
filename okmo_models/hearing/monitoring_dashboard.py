"""The monthly review on screen: ``okmo hearing monitoring.yaml`` (docs/monitoring.md).

A read-only page in ru / ky / en for the monthly meeting and the hall: a tab per part of the
review (the indicators behind plan with their reasons, the instructions, the programme's
indicators, the services and their collection, budget execution, the residents'
satisfaction) and a month selector, the months of the plan year up to the file's review
month, that shows the review of the month chosen (``evaluate_monitoring(path, month)``, as
``okmo monitoring FILE --month``). Every figure and word is the result's own, through its
tables and ``*_text`` methods, so the page, the terminal, JSON, PDF and Excel agree; each
figure sits in an element of its own named by ``data-okmo`` for a test to read back. The
traffic light is a word and a colour, never a colour alone.

Nothing is saved: the month and the language are the only controls.
"""

from __future__ import annotations

from html import escape
from pathlib import Path

import ipywidgets as w

from okmo_models.formatting import format_percent
from okmo_models.hearing.base import CSS as HEARING_CSS
from okmo_models.hearing.base import (
    Block,
    HearingDashboardBase,
    control_layout,
    figures_html,
)
from okmo_models.i18n import t
from okmo_models.monitoring import MonitoringResult, evaluate_monitoring
from okmo_models.monitoring.export import notes
from okmo_models.monitoring.periods import format_date, period_label
from okmo_models.monitoring.surveys import GROUPS, change_text, estimate_text

# the parts of the review, each a tab when the file has it, in the order the meeting takes them
PARTS = ("behind", "instructions", "programme", "tariff", "budget", "surveys")
SOURCES = ("programme", "tariff", "budget")

CSS = HEARING_CSS + """<style>
.okmo-monitoring h2 { font-size: 1.2em; margin: 0.8em 0 0.25em 0; line-height: 1.25; }
.okmo-monitoring h3 { font-size: 1.05em; margin: 0.6em 0 0.2em 0; line-height: 1.25; }
.okmo-mon-table { border-collapse: collapse; font-size: 0.9em; margin: 0.2em 0 0.5em 0; width: 100%; }
.okmo-mon-table th, .okmo-mon-table td { padding: 0.2em 0.5em; text-align: right; vertical-align: top; }
.okmo-mon-table thead th { border-bottom: 2px solid #555; font-size: 0.85em; font-weight: 700; }
.okmo-mon-table tbody tr.okmo-row td { border-top: 1px solid #ddd; }
.okmo-hearing .okmo-mon-table td.okmo-words, .okmo-hearing .okmo-mon-table th.okmo-words {
  text-align: left; white-space: normal; }  /* names and reasons wrap, figures never */
.okmo-mon-table td small { display: block; font-size: 0.8em; color: #555; }
.okmo-mon-table tr.okmo-reason td { border-top: none; padding-top: 0; font-size: 0.9em; color: #333; }
.okmo-mon-table tr.okmo-idle td { color: #666; }
.okmo-monitoring span.okmo-text[data-okmo] {
  white-space: normal; }  /* a reason is words: it wraps */
.okmo-monitoring .okmo-late { color: #a11b1b; font-weight: 700; }  /* days overdue */
.okmo-light { font-weight: 700; white-space: nowrap; }
.okmo-light::before { content: ""; display: inline-block; width: 0.8em; height: 0.8em; border-radius: 50%;
  margin-right: 0.3em; vertical-align: -0.05em; background: #bbb; border: 1px solid #777; }
.okmo-light-green { color: #1c6b2a; } .okmo-light-green::before { background: #2e9e44; }
.okmo-light-amber { color: #8a5300; } .okmo-light-amber::before { background: #f0b400; }
.okmo-light-red { color: #a11b1b; } .okmo-light-red::before { background: #d32f2f; }
.okmo-light-none { color: #555; font-weight: 400; white-space: normal; }
.okmo-monitoring details summary { cursor: pointer; font-weight: 700; margin: 0.4em 0; }
.okmo-mon-table.okmo-survey { table-layout: fixed; }  /* the same columns for every service */
.okmo-mon-table.okmo-survey td { font-size: 0.9em; }
.okmo-mon-table.okmo-survey th:first-child { width: 9em; }
.okmo-monitoring .okmo-more { font-weight: 700; }
.okmo-monitoring .okmo-more.okmo-up { color: #1c6b2a; } .okmo-monitoring .okmo-more.okmo-down { color: #a11b1b; }
/* tabs as tall as the type (ipywidgets' own variable: 24 px cut the letters on a projector), each
   as wide as its name */
.okmo-monitoring { --jp-widgets-horizontal-tab-height: 1.9em; }
.okmo-monitoring .widget-tab > .lm-TabBar .lm-TabBar-tab { flex: 0 0 auto; max-width: none; padding: 0 0.8em; }
.okmo-monitoring .widget-tab > .lm-TabBar .lm-TabBar-content { flex-wrap: wrap; }  /* six names on a laptop */
.okmo-monitoring .widget-dropdown { height: auto; }  /* the select's own 1.9em, not cut at the box's 1.75em */
.okmo-monitoring .widget-tab > .widget-tab-contents { padding: 0.4em 0.8em; overflow-x: hidden; }
</style>"""


def _class(name: str) -> str:
    return f' class="{name}"' if name else ""


class MonitoringDashboard(HearingDashboardBase):
    """The monthly review of one monitoring file; ``.view`` is what the notebook displays,
    ``.tabs`` its parts (``.parts``: part -> the HTML widget of its tab)."""

    css = CSS

    def __init__(self, path: str | Path, lang: str = "ru", result: MonitoringResult | None = None):
        super().__init__(path, lang)
        first = result if result is not None else evaluate_monitoring(self.path)
        self.results = {first.month: first}  # month -> its review: going back shows the same figures
        self.file_month = first.month
        m = first.monitoring
        self.months = [f"{m.year}-{k:02d}" for k in range(1, int(self.file_month[5:]) + 1)]
        self.month = w.Dropdown(options=self._month_options(), value=self.file_month, layout=control_layout())
        # the parts this file has: a plan followed, the instructions, the surveys
        self.part_names = [p for p in PARTS if p == "behind" or (p in SOURCES and first.section(p))
                           or (p == "instructions" and first.instructions is not None)
                           or (p == "surveys" and first.surveys is not None)]
        self.parts = {p: w.HTML(layout=w.Layout(width="100%")) for p in self.part_names}
        self.tabs = w.Tab(children=[self.parts[p] for p in self.part_names], layout=w.Layout(width="100%"))
        self.summary = Block()
        self.blocks = [self.summary]  # the base draws them into .board
        self.board = w.HTML(layout=w.Layout(width="100%"))
        self.month_label = w.HTML(layout=w.Layout(width="100%"))
        self.language_label = w.HTML(layout=w.Layout(width="100%"))
        self.control_labels.update({self.month: self.month_label, self.language: self.language_label})
        month = w.VBox([self.month_label, self.month], layout=w.Layout(flex="0 0 auto", width="14em"))
        language = w.VBox([self.language_label, self.language], layout=w.Layout(flex="0 0 auto", width="13em"))
        self.view = w.VBox([w.HTML(self.css),
                            w.HBox([self.title, month, language],
                                   layout=w.Layout(width="100%", align_items="flex-start", grid_gap="0 1em")),
                            self.board, self.message, self.tabs], layout=w.Layout(width="100%"))
        self.view.add_class("okmo-hearing")
        self.view.add_class("okmo-monitoring")
        self.month.observe(self._month_chosen, names="value")
        self.language.observe(self._language, names="value")
        self._labels()
        self.update()

    # --- the controls: the month and the language --------------------------------------------

    def _month_options(self) -> list:
        return [(period_label(month, self.lang), month) for month in self.months]

    def _month_chosen(self, change):
        self.clear_message()
        self.update()

    def _set_controls_to(self, preset: str):
        """Back to the file's own month (the base's "back to the baseline")."""
        self.month.unobserve(self._month_chosen, names="value")
        try:
            self.month.value = self.file_month
        finally:
            self.month.observe(self._month_chosen, names="value")

    def _variant(self):
        return None  # read-only: nothing to save

    def title_text(self) -> str:
        r = self.results[self.file_month]
        return t("mh_title", self.lang, municipality=r.monitoring.municipality.name.get(self.lang))

    def _labels(self):
        lang = self.lang
        self.title.value = f'<div class="okmo-title">{escape(self.title_text())}</div>'
        self.set_label(self.language, t("hr_language", lang))
        self.set_label(self.month, t("mh_month", lang))
        chosen = self.month.value
        self.month.unobserve(self._month_chosen, names="value")
        try:  # the months' names in the new language, the same month chosen
            self.month.options = self._month_options()
            self.month.value = chosen
        finally:
            self.month.observe(self._month_chosen, names="value")
        self.tabs.titles = tuple(t(f"mh_tab_{p}", lang) for p in self.part_names)

    # --- outputs -----------------------------------------------------------------------------

    @property
    def result(self) -> MonitoringResult:
        """The review shown: of the month chosen."""
        return self.outputs

    def compute(self) -> MonitoringResult:
        month = self.month.value
        if month not in self.results:  # a second or two: the plans and tables are read again
            self.message.value = f'<div class="okmo-note">{escape(t("progress_monitoring", self.lang))}</div>'
            self.results[month] = evaluate_monitoring(self.path, month)
            self.clear_message()
        return self.results[month]

    def update(self, **options):
        out = super().update(**options)
        if out is None:  # no figures of another month left under this month's name
            self.board.value = ""
            for html in self.parts.values():
                html.value = ""
        return out

    def draw(self, r: MonitoringResult):
        self.summary.value = self._summary_html(r)
        for part, html in self.parts.items():
            html.value = getattr(self, f"_{part}_html")(r)

    # --- the parts ---------------------------------------------------------------------------

    def _summary_html(self, r: MonitoringResult) -> str:
        lang = self.lang
        periods = r.indicators.periods
        last = period_label(periods[-1] if periods else r.month, lang)
        meeting = figures_html("mo_meeting", lang, {"date": ("meeting", format_date(r.meeting, lang))}, period=last)
        counts = r.counts()
        html = figures_html("mo_counts", lang, {k: (f"count-{k}", str(v)) for k, v in counts.items()})
        return (f'<div class="okmo-verdict">{escape(r.title(lang))}</div>'
                f'<div class="okmo-note">{meeting} {escape(t("mh_read_only", lang))}</div>'
                f'<div class="okmo-caption">{html}</div>')

    def _light_html(self, r: MonitoringResult, a, okmo: str) -> str:
        return (f'<span class="okmo-light okmo-light-{a.light or "none"}" data-okmo="{escape(okmo)}-light">'
                f"{escape(r.light_text(a, self.lang))}</span>")

    def _indicators_html(self, r: MonitoringResult, chosen, df, prefix: str) -> str:
        """The result's indicators table (``df``, one row per assessment of ``chosen``):
        the words and figures as the terminal prints them, each figure in its own element,
        the light as a word on its colour, the reason in a row of its own under the figures."""
        cols = list(df.columns)  # indicator, unit, plan year, plan so far, actual so far, forecast, score, light, reason
        head = "".join(f"<th{_class('okmo-words' if i in (0, 5, 6) else '')}>{escape(c)}</th>"
                       for i, c in enumerate(cols[:1] + cols[2:8]))
        figures = ("plan", "plan-so-far", "so-far", "forecast")
        rows = []
        for a, (_, row) in zip(chosen, df.iterrows()):
            okmo = f"{prefix}{a.plan.id}"
            cells = [f'<td class="okmo-words">{escape(row.iloc[0])}<small>{escape(row.iloc[1])}</small></td>']
            cells += [f'<td><span data-okmo="{escape(okmo)}-{name}">{escape(row.iloc[2 + k])}</span></td>'
                      for k, name in enumerate(figures)]
            cells.append(f'<td class="okmo-words"><span data-okmo="{escape(okmo)}-score">{escape(row.iloc[6])}</span></td>')
            cells.append(f"<td{_class('okmo-words')}>{self._light_html(r, a, okmo)}</td>")
            idle = a.light is None
            rows.append(f'<tr class="okmo-row{" okmo-idle" if idle else ""}">{"".join(cells)}</tr>')
            if row.iloc[8]:
                rows.append(f'<tr class="okmo-reason"><td class="okmo-words" colspan="7">'
                            f'{escape(cols[8])}: <span class="okmo-text" data-okmo="{escape(okmo)}-reason">{escape(row.iloc[8])}</span>'
                            f"</td></tr>")
        return (f'<table class="okmo-mon-table"><thead><tr>{head}</tr></thead>'
                f'<tbody>{"".join(rows)}</tbody></table>')

    def _behind_html(self, r: MonitoringResult) -> str:
        lang = self.lang
        chosen = r.behind()
        parts = [f'<h2>{escape(t("mo_section_behind", lang))}</h2>']
        if chosen:
            parts.append(self._indicators_html(r, chosen, r.indicators_table(lang, only_behind=True), "behind/"))
        else:
            parts.append(f'<div class="okmo-ok">{escape(t("mh_none_behind", lang))}</div>')
        parts += [f'<div class="okmo-note">{escape(x)}</div>' for x in notes(r, lang)]
        parts.append(f'<div class="okmo-note">{escape(r.rule_text(lang))}</div>')
        return "".join(parts)

    def _section_html(self, r: MonitoringResult, source: str) -> str:
        """A plan's indicators: those with actuals in the table, the rest named in one line,
        then the actuals month by month (folded)."""
        lang = self.lang
        none = {a.plan.id for a in r.without_actuals()}
        shown = [a for a in r.section(source) if a.plan.id not in none]
        idle = [a for a in r.section(source) if a.plan.id in none]
        df = r.indicators_table(lang, source=source)
        table = df.iloc[[i for i, a in enumerate(r.section(source)) if a.plan.id not in none]]
        parts = [f'<h2>{escape(t(f"mo_section_{source}", lang))}</h2>']
        if shown:
            parts.append(self._indicators_html(r, shown, table, ""))
        if idle:
            parts.append(f'<div class="okmo-note">{escape(t("mo_no_actuals_list", lang, items="; ".join(a.plan.label.render(lang) for a in idle)))}</div>')
        parts.append(self._monthly_html(r, source, shown))
        return "".join(parts)

    def _monthly_html(self, r: MonitoringResult, source: str, shown) -> str:
        """The result's table of actuals by period, folded under "by month"."""
        lang = self.lang
        df = r.monthly_table(source, lang)
        ids = {a.plan.id for a in shown}
        keep = [i for i, a in enumerate(r.section(source)) if a.plan.id in ids]
        if not keep or len(df.columns) <= 2:
            return ""
        df = df.iloc[keep]
        periods = shown[0].periods
        head = "".join(f"<th{_class('okmo-words' if i == 0 else '')}>{escape(c)}</th>"
                       for i, c in enumerate([df.columns[0], *df.columns[2:]]))
        rows = []
        for a, (_, row) in zip(shown, df.iterrows()):
            cells = [f'<td class="okmo-words">{escape(row.iloc[0])}<small>{escape(row.iloc[1])}</small></td>']
            cells += [f'<td><span data-okmo="{escape(a.plan.id)}-{p}">{escape(row.iloc[2 + k])}</span></td>'
                      for k, p in enumerate(periods)]
            rows.append(f'<tr class="okmo-row">{"".join(cells)}</tr>')
        return (f'<details><summary>{escape(t("mo_section_monthly", lang))}</summary>'
                f'<table class="okmo-mon-table" style="font-size:0.8em"><thead><tr>{head}</tr></thead>'
                f'<tbody>{"".join(rows)}</tbody></table></details>')

    def _programme_html(self, r):
        return self._section_html(r, "programme")

    def _tariff_html(self, r):
        return self._section_html(r, "tariff")

    def _budget_html(self, r):
        return self._section_html(r, "budget")

    def _instructions_html(self, r: MonitoringResult) -> str:
        lang = self.lang
        ins = r.instructions
        parts = [f'<h2>{escape(t("mo_section_instructions", lang))}</h2>',
                 '<div class="okmo-caption">' + figures_html(
                     "mo_instruction_counts", lang, {k: (f"instructions-{k}", str(v)) for k, v in ins.counts.items()})
                 + "</div>"]
        for which, title in (("overdue", t("mo_overdue", lang)), ("done_late", t("mo_done_late", lang)),
                             ("due_soon", t("mo_due_soon", lang, date=format_date(ins.due_soon_until, lang)))):
            parts.append(f"<h3>{escape(title)}</h3>")
            df = r.instructions_table(which, lang)
            if not len(df):
                parts.append(f'<div class="okmo-note">{escape(t("mo_none", lang))}</div>')
                continue
            words = {1, 2} | ({5, 6} if which == "overdue" else set())  # task, responsible, reason, decision
            head = "".join(f"<th{_class('okmo-words' if i in words or i == 0 else '')}>{escape(c)}</th>"
                           for i, c in enumerate(df.columns))
            rows = []
            for item, (_, row) in zip(getattr(ins, which), df.iterrows()):
                cells = []
                for i, c in enumerate(row):
                    text = escape(str(c))
                    if i not in words:
                        late = ' class="okmo-late"' if which == "overdue" and i == 4 else ""
                        text = f'<span data-okmo="{which}/{escape(item.id)}/{i}"{late}>{text}</span>'
                    cells.append(f"<td{_class('okmo-words' if i in words or i == 0 else '')}>{text}</td>")
                rows.append(f'<tr class="okmo-row">{"".join(cells)}</tr>')
            parts.append(f'<table class="okmo-mon-table"><thead><tr>{head}</tr></thead>'
                         f'<tbody>{"".join(rows)}</tbody></table>')
        return "".join(parts)

    @staticmethod
    def _change_class(c) -> str:
        """A change more than noise stands out, green up and red down; within the noise it is plain."""
        if not c.significant:
            return ""
        return "okmo-more okmo-up" if c.difference_pp > 0 else "okmo-more okmo-down"

    def _surveys_html(self, r: MonitoringResult) -> str:
        """By service, a table: a row for all residents, women, men and the vulnerable; a
        column per survey (the share satisfied with its margin and sample) and the change
        between them (more than noise or within it), all in the review's own sentences; the
        national figures for comparison last."""
        lang = self.lang
        s = r.surveys
        parts = [f'<h2>{escape(t("mo_section_surveys", lang))}</h2>']
        for q in s.questions():
            asked = [x for x in s.surveys if q in x.spec.questions]
            changes = [c for c in s.changes if c.question == q]
            head = "".join(f'<th class="okmo-words">{escape(period_label(x.spec.date, lang))}</th>' for x in asked)
            if changes:
                head += f'<th class="okmo-words">{escape(t("mh_change", lang))}</th>'
            rows = []
            for group in GROUPS:
                cells = [f'<td class="okmo-words"><b>{escape(t(f"sv_group_{group}", lang))}</b></td>']
                for x in asked:
                    e = s.estimate(x.spec.id, q, group)
                    cells.append(f'<td class="okmo-words" data-okmo="survey/{escape(x.spec.id)}/{escape(q)}/{group}">'
                                 f"{escape(self._estimate_words(estimate_text(e, lang, headed=False), group))}</td>"
                                 if e is not None else "<td></td>")
                said = [c for c in changes if c.group == group]
                if changes:
                    cells.append('<td class="okmo-words">' + "".join(
                        f'<div data-okmo="change/{escape(c.survey_b)}/{escape(q)}/{group}"{_class(self._change_class(c))}>'
                        f"{escape(change_text(c, lang, headed=False))}</div>" for c in said) + "</td>")
                rows.append(f'<tr class="okmo-row">{"".join(cells)}</tr>')
            parts.append(f"<h3>{escape(s.name(q, lang))}</h3>"
                         f'<table class="okmo-mon-table okmo-survey"><thead><tr><th></th>{head}</tr></thead>'
                         f'<tbody>{"".join(rows)}</tbody></table>')
        for k, ref in enumerate(s.reference):
            label = ref.label.get(lang) if ref.label else t(f"sv_group_{ref.group}", lang)
            parts.append('<div class="okmo-note">' + figures_html(
                "mh_reference", lang, {"share": (f"reference-{k}", format_percent(ref.fraction, 0, lang))},
                year=ref.year, label=label) + "</div>")
        return "".join(parts)

    def _estimate_words(self, text: str, group: str) -> str:
        """An estimate's sentence without its group, which heads the table's row."""
        prefix = t(f"sv_group_{group}", self.lang) + ": "
        return text.removeprefix(prefix)

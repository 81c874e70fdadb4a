"""The municipality overview at a hearing: ``okmo hearing FOLDER`` for a municipality folder.

A read-only page in ru / ky / en, for a projector: the services and their cost recovery,
the budget by year with what the tariffs and the programme take from it and what is left,
the passport's needs from the most urgent with the measure answering each (or "not
funded"), and what the files disagree on, in words. Every figure is the one of ``okmo
overview FOLDER --format json`` (:meth:`~okmo_models.municipality.overview.Overview.to_dict`),
formatted for the reader; the page names no file, path or id: a hall reads words, the
economist finds the files with ``okmo check FOLDER``.

Nothing here is a control but the language: the overview is computed once, and a language
change redraws it from the same figures.
"""

from __future__ import annotations

from html import escape
from pathlib import Path

import ipywidgets as w

from okmo_models.formatting import format_percent
from okmo_models.hearing import svg
from okmo_models.hearing.base import CSS as HEARING_CSS
from okmo_models.hearing.base import (
    Block,
    LanguageChooser,
    control_layout,
    figures_html,
    panels,
    plain,
)
from okmo_models.i18n import t
from okmo_models.municipality.overview import Overview, overview

# the budget table's rows, in the order of the terminal's overview (a None row is left out)
BUDGET_ROWS = ("revenue", "expenditure", "tariffs", "balance", "space", "programme_local", "left")
# a file that could not be computed is said by its kind (the Folder's field), never by its
# name; a file that is none of these is one of the tariffs
FOLDER_FILES = ("passport", "economic_base", "budget", "programme")

CSS = HEARING_CSS + """<style>
.okmo-overview h2 { font-size: 1.25em; margin: 0.9em 0 0.25em 0; line-height: 1.25; }
.okmo-overview-table { border-collapse: collapse; font-size: 1em; margin: 0.2em 0 0.4em 0; }
.okmo-overview-table th, .okmo-overview-table td { padding: 0.2em 0.6em; text-align: right; vertical-align: top; }
.okmo-overview-table thead th { border-bottom: 2px solid #555; font-size: 0.85em; font-weight: 700; }
.okmo-overview-table tbody tr { border-bottom: 1px solid #e4e4e4; }
.okmo-overview-table td small { display: block; font-size: 0.78em; color: #555; font-weight: 400; }
.okmo-hearing .okmo-overview-table td.okmo-words, .okmo-hearing .okmo-overview-table th.okmo-words {
  text-align: left; white-space: normal; }  /* names wrap, figures never */
.okmo-overview-table tr.okmo-strong td { font-weight: 700; border-top: 1px solid #999; }
.okmo-overview-table .okmo-neg { color: #c0392b; font-weight: 700; }
.okmo-overview-table .okmo-unfunded { color: #8a1c1c; font-weight: 700; }
.okmo-overview ul.okmo-disagree { margin: 0.2em 0 0 1.2em; padding: 0; }
.okmo-overview ul.okmo-disagree li { margin: 0 0 0.35em 0; }
</style>"""


class OverviewDashboard:
    """The overview of one municipality folder; ``.view`` is what the notebook displays,
    ``.board`` the one widget every readout is drawn into."""

    css = CSS

    def __init__(self, folder: str | Path, lang: str = "ru", result: Overview | None = None):
        self.path = Path(folder)
        self.lang = lang
        self.overview = result if result is not None else overview(self.path)
        self.language = LanguageChooser(lang, layout=control_layout())
        self.language_label = w.HTML(layout=w.Layout(width="100%"))
        self.title = w.HTML(layout=w.Layout(flex="1 1 auto", min_width="0"))
        self.board = w.HTML(layout=w.Layout(width="100%"))
        self.summary, self.services, self.budget_table, self.chart, self.needs, self.disagree = (
            Block() for _ in range(6))
        self.blocks = [self.summary, self.services, panels((self.budget_table, "fit"), self.chart, always=True),
                       self.needs, self.disagree]
        language = w.VBox([self.language_label, self.language], layout=w.Layout(flex="0 0 auto", width="13em"))
        self.view = w.VBox([w.HTML(self.css),
                            w.HBox([self.title, language], layout=w.Layout(width="100%", align_items="flex-start")),
                            self.board], layout=w.Layout(width="100%"))
        self.view.add_class("okmo-hearing")
        self.view.add_class("okmo-overview")
        self.language.observe(self._language, names="value")
        self.update()

    # --- drawing ----------------------------------------------------------------------------

    def update(self):
        """Draw every readout in the language now chosen, into the board at once."""
        lang = self.lang
        self.data = d = self.overview.to_dict(lang)
        self.title.value = f'<div class="okmo-title">{escape(t("oh_title", lang, municipality=d["municipality"]))}</div>'
        self.language_label.value = f'<div class="okmo-label">{escape(t("hr_language", lang))}</div>'
        self.summary.value = self._summary_html(d)
        self.services.value = self._services_html(d)
        self.budget_table.value, self.chart.value = self._budget_html(d)
        self.needs.value = self._needs_html(d)
        self.disagree.value = self._disagree_html()
        self.board.value = "".join(f"<div>{block.value}</div>" for block in self.blocks)

    def _language(self, change):
        self.lang = self.language.code
        self.update()

    def _number(self, okmo: str, x, decimals: int) -> str:
        return f'<span data-okmo="{okmo}">{escape(plain(x, decimals, self.lang))}</span>'

    def _summary_html(self, d) -> str:
        lang = self.lang
        parts = [f'<div class="okmo-note">{escape(t("oh_read_only", lang))}</div>']
        needs = d["needs"]
        if needs:
            unfunded = sum(not n["funded"] for n in needs)
            html = figures_html("oh_summary_needs", lang, {"total": ("needs-total", str(len(needs))),
                                                           "unfunded": ("needs-unfunded", str(unfunded))})
            parts.append(f'<div class="okmo-verdict{" okmo-gap" if unfunded else " okmo-space"}">{html}</div>')
        count = len(self.overview.inconsistencies) + len(self.overview.model.failed)
        if count:
            html = figures_html("oh_summary_disagree", lang, {"count": ("disagree-count", str(count))})
            parts.append(f'<div class="okmo-verdict okmo-risk">{html}</div>')
        else:
            parts.append(f'<div class="okmo-verdict okmo-space">{escape(t("mu_consistent", lang))}</div>')
        return "".join(parts)

    def _services_html(self, d) -> str:
        lang = self.lang
        head = f'<h2>{escape(t("mu_services", lang))}</h2>'
        if not d["services"]:
            return head + f'<div class="okmo-note">{escape(t("oh_no_services", lang))}</div>'
        cols = "".join(f"<th>{escape(t(k, lang))}</th>" for k in
                       ("mu_col_service", "mu_col_proposed", "mu_col_justified", "mu_col_recovery", "mu_col_asks"))
        rows = []
        for i, s in enumerate(d["services"], 1):
            recovery = format_percent(s["cost_recovery"], 1, lang)
            short = _class("okmo-neg" if round(s["cost_recovery"] * 100, 1) < 100 else "")
            reached = ""
            if s["reached_year"]:
                reached = "<small>" + figures_html("oh_reached", lang, {"year": (f"service-{i}-reached",
                                                                                 str(s["reached_year"]))}) + "</small>"
            rows.append(
                f'<tr><td class="okmo-words">{escape(s["service_name"])}'
                f'<small>{escape(s["category"])}, <span data-okmo="service-{i}-year">{s["year"]}</span></small></td>'
                f'<td>{self._number(f"service-{i}-tariff", s["tariff_som"], 2)}<small>{escape(t("oh_per", lang, unit=s["unit_name"]))}</small></td>'
                f'<td>{self._number(f"service-{i}-justified", s["justified_som"], 2)}</td>'
                f'<td{short}><span data-okmo="service-{i}-recovery">{escape(recovery)}</span>{reached}</td>'
                f'<td>{self._number(f"service-{i}-budget", s["subsidy_som"] + s["discounts_som"], 2)}</td></tr>')
        return (head + f'<table class="okmo-overview-table"><thead><tr>{cols}</tr></thead>'
                f'<tbody>{"".join(rows)}</tbody></table>')

    def _budget_html(self, d) -> tuple[str, str]:
        lang = self.lang
        b = d["budget"]
        if b is None:
            return (f'<h2>{escape(t("oh_budget", lang))}</h2>'
                    f'<div class="okmo-note">{escape(t("oh_no_budget", lang))}</div>'), ""
        unit = t("b_unit_" + b["unit"], lang)
        head = "".join(f"<th>{y}</th>" for y in b["years"])
        rows = []
        for key in BUDGET_ROWS:
            if b[key] is None:
                continue
            cells = "".join(
                f'<td{_class("okmo-neg" if v is not None and key in ("balance", "left") and v < -1e-6 else "")}>'
                f'{self._number(f"budget-{key}-{y}", v, 1)}</td>' for y, v in zip(b["years"], b[key]))
            strong = _class("okmo-strong" if key in ("balance", "left") else "")
            rows.append(f'<tr{strong}><td class="okmo-words">{escape(t("mu_row_" + key, lang))}</td>'
                        f"{cells}</tr>")
        table = (f'<h2>{escape(t("mu_budget", lang, unit=unit))}</h2>'
                 f'<table class="okmo-overview-table"><thead><tr><th></th>{head}</tr></thead>'
                 f'<tbody>{"".join(rows)}</tbody></table>')
        # the chart: what is left after the programme, or the budget's balance without one
        key = "left" if b["left"] is not None else "balance"
        shown = [(y, v) for y, v in zip(b["years"], b[key]) if v is not None]
        chart = ""
        if shown:
            chart = svg.money_left([y for y, _ in shown], [v for _, v in shown], lang,
                                   t("oh_chart_" + key, lang, unit=unit), labels={"this": t("oh_chart_legend", lang)})
        return table, chart

    def _needs_html(self, d) -> str:
        lang = self.lang
        if d["needs_unit"] is None:
            return (f'<h2>{escape(t("oh_needs", lang))}</h2>'
                    f'<div class="okmo-note">{escape(t("oh_no_passport", lang))}</div>')
        unit = t("b_unit_" + d["needs_unit"], lang)
        cols = "".join(f"<th{_class(c)}>{escape(x)}</th>" for x, c in
                       (("№", ""), (t("pp_col_object", lang), "okmo-words"), (t("mu_col_cost", lang), ""),
                        (t("mu_col_answer", lang), "okmo-words")))
        rows = []
        for n in d["needs"]:
            r = n["rank"]
            condition = t("pp_condition_" + n["condition"], lang) if n["condition"] else t("pp_not_built", lang)
            answers = []
            for k, m in enumerate(n["measures"], 1):
                start = (f'<span data-okmo="need-{r}-start-{k}">{m["plan"]}</span>' if m["plan"] is not None
                         else escape(t("mu_not_in_plan", lang)))
                answers.append(f"<div>{escape(m['name'])} ({start})</div>")
            if not n["funded"]:
                answers.append(f'<div class="okmo-unfunded" data-okmo="need-{r}-unfunded">'
                               f'{escape(t("mu_unfunded", lang))}</div>')
            rows.append(f'<tr><td data-okmo="need-{r}-rank">{r}</td>'
                        f'<td class="okmo-words">{escape(n["name"])}<small>{escape(condition)}</small></td>'
                        f'<td>{self._number(f"need-{r}-cost", n["cost"], 0)}</td>'
                        f'<td class="okmo-words">{"".join(answers)}</td></tr>')
        return (f'<h2>{escape(t("mu_needs", lang, unit=unit))}</h2>'
                f'<div class="okmo-note">{escape(t("oh_needs_note", lang))}</div>'
                f'<table class="okmo-overview-table"><thead><tr>{cols}</tr></thead>'
                f'<tbody>{"".join(rows)}</tbody></table>')

    def disagreements(self) -> list[str]:
        """What the files disagree on, in words: each inconsistency as the overview says it,
        then each file that could not be computed, by its kind."""
        lang = self.lang
        out = [i.describe(lang) for i in self.overview.inconsistencies]
        folder = self.overview.model.folder
        for path in self.overview.model.failed:
            kind = next((f for f in FOLDER_FILES if getattr(folder, f) == path), "tariffs")
            out.append(t("oh_failed", lang, what=t("oh_what_" + kind, lang)))
        return out

    def _disagree_html(self) -> str:
        lang = self.lang
        texts = self.disagreements()
        head = f'<h2>{escape(t("mu_consistency", lang))}</h2>'
        if not texts:
            return head + f'<div class="okmo-ok" data-okmo="consistent">{escape(t("mu_consistent", lang))}</div>'
        items = "".join(f'<li data-okmo="disagree-{k}">{escape(x)}</li>' for k, x in enumerate(texts, 1))
        return head + f'<ul class="okmo-disagree">{items}</ul>'


def _class(name: str) -> str:
    return f' class="{name}"' if name else ""

"""The development-programme hearing dashboard: switch measures on and off, move their
start years, and watch the money left each year, the rules and the indicators, in ru / ky / en.

A preset (the draft as written, the optimal choice, the plain ranking) sets the switches;
every change is evaluated by :class:`~okmo_models.hearing.programme_whatif.ProgrammeWhatIf`
over the fiscal space computed once. "Save this variant" writes a new file next to the
programme whose draft is the choice on the screen (``okmo programme FILE`` prints it);
nothing is ever overwritten and nothing leaves the machine.
"""

from __future__ import annotations

import datetime as dt
from html import escape
from pathlib import Path

import ipywidgets as w

from okmo_models.formatting import format_number, format_percent, format_unit
from okmo_models.hearing import svg
from okmo_models.hearing.base import CSS as HEARING_CSS
from okmo_models.hearing.base import (
    CUSTOM,
    MIN_CONTROL,
    Block,
    HearingDashboardBase,
    control_layout,
    figures_html,
    panels,
    set_quietly,
)
from okmo_models.hearing.programme_whatif import PRESETS, ProgrammeWhatIf
from okmo_models.i18n import LANGUAGES, t
from okmo_models.programme import evaluate_programme
from okmo_models.programme.schema import fraction

CAUSES_SHOWN = 3  # measures named as the cause of a gap

CSS = HEARING_CSS + """<style>
.okmo-measure { align-items: center; border-bottom: 1px solid #e4e4e4; padding: 0.15em 0; gap: 0.5em; }
.okmo-measure-text { font-size: 0.95em; line-height: 1.25; }
.okmo-measure-text small { color: #555; font-size: 0.78em; }
.okmo-measure-off .okmo-measure-text { color: #888; }
.okmo-locked { color: #1c4f6b; font-size: 0.78em; }
.okmo-rules { font-size: 0.92em; margin: 0.2em 0 0.5em 0; }
.okmo-rules ul { margin: 0.2em 0 0 1.2em; padding: 0; }
.okmo-rules.okmo-broken { color: #8a1c1c; } .okmo-rules.okmo-kept { color: #1c6b2a; }
.okmo-programme-table { border-collapse: collapse; font-size: 0.95em; margin: 0.2em 0 0.3em 0; }
.okmo-programme-table th, .okmo-programme-table td { padding: 0.1em 0.5em; text-align: right; }
.okmo-programme-table th:first-child, .okmo-programme-table td:first-child { text-align: left; }
.okmo-programme-table thead th { border-bottom: 2px solid #555; }
.okmo-programme-table td.okmo-neg { color: #c0392b; font-weight: 700; }
.okmo-programme-table tr.okmo-left td { font-weight: 700; border-top: 1px solid #999; }
.okmo-programme-table td.okmo-changed { color: #1c4f6b; font-weight: 700; }
</style>"""


class ProgrammeHearingDashboard(HearingDashboardBase):
    """Widgets for one programme file; ``.view`` is what the notebook displays."""

    css = CSS
    variant_header = ("# Вариант программы развития, сохранённый на публичных слушаниях (okmo hearing).\n"
                      "# Меняет только годы начала мероприятий (start: null — мероприятие исключено); посмотреть:\n"
                      "#   okmo programme {file}\n")
    reset_key = "ph_reset"
    no_changes_key = "ph_no_changes"
    preset_key = "ph_preset"
    baseline_preset = "plan"

    def __init__(self, programme_path: str | Path, lang: str = "ru"):
        super().__init__(programme_path, lang)
        self.whatif = wi = ProgrammeWhatIf(evaluate_programme(self.path))
        self.draft_outputs = wi.outputs(wi.draft)
        self._add_presets("plan")
        self.switches, self.starts, self.texts, self.rows = {}, {}, {}, {}
        for mid in wi.order:
            m = wi.by_id[mid]
            options = wi.options(mid)
            on = mid in wi.draft
            # the switch says what it does ("in the programme"), the start year under it; both
            # as wide as a hall's mouse or finger needs, the measure's name and money beside them
            self.switches[mid] = w.Checkbox(value=on, indent=False, layout=control_layout(),
                                            disabled=m.committed or not options)
            start = wi.draft.get(mid, wi.default_start(mid))
            self.starts[mid] = w.Dropdown(options=options, value=start if options else None,
                                          disabled=m.committed or not on or not options, layout=control_layout())
            self.texts[mid] = w.HTML(layout=w.Layout(flex="1 1 0%", min_width="0"))
            switches = w.VBox([self.switches[mid], self.starts[mid]],
                              layout=w.Layout(flex="0 0 auto", width=MIN_CONTROL))
            row = w.HBox([self.texts[mid], switches], layout=w.Layout(width="100%", align_items="center"))
            row.add_class("okmo-measure")
            row.add_class(f"okmo-measure-{mid}")
            self.rows[mid] = row
        self.measures_note = w.HTML(layout=w.Layout(width="100%"))
        self.verdict = Block()
        self.rules = Block()
        self.chart = Block()
        self.table = Block()
        self.indicators = Block()
        self.people = Block()
        for control in (*self.switches.values(), *self.starts.values()):
            control.observe(self._changed, names="value")
        # the money left each year (table and chart) right under the verdict: on a projector
        # the answer, its figures and the rules are on screen without scrolling
        self._lay_out([self._row(self.preset), self.measures_note, *self.rows.values()],
                      [self.verdict, self.table, self.rules, panels(self.chart, self.people), self.indicators],
                      left="40%")

    # --- the switches -------------------------------------------------------------------------------

    def choice(self) -> dict:
        """The switches as ``{measure id: start year}`` of the measures switched on."""
        return {mid: int(self.starts[mid].value) for mid, box in self.switches.items()
                if box.value and self.starts[mid].value is not None}

    def set_choice(self, starts: dict):
        """Set the switches to ``starts`` (measures not named are switched off)."""
        values = {}
        for mid, box in self.switches.items():
            if mid in starts:
                values[box] = True
                values[self.starts[mid]] = starts[mid]
            elif not box.disabled:
                values[box] = False
        set_quietly(self.view, values, self._changed)
        self._sync_disabled()

    def _set_controls_to(self, preset: str):
        """The switches at the draft (``plan``), the optimal choice or the ranking."""
        self.set_choice(self.whatif.preset(preset))

    def _sync_disabled(self):
        for mid, box in self.switches.items():
            m = self.whatif.by_id[mid]
            self.starts[mid].disabled = m.committed or not box.value or not self.whatif.options(mid)
            if box.value:
                self.rows[mid].remove_class("okmo-measure-off")
            else:
                self.rows[mid].add_class("okmo-measure-off")

    def _changed(self, change=None):
        self._sync_disabled()
        super()._changed(change)

    def _preset_options(self):
        lang = self.lang
        return [*((t("pr_" + k, lang), k) for k in PRESETS), (t("ph_custom", lang), CUSTOM)]

    # --- outputs ------------------------------------------------------------------------------------

    def compute(self):
        return self.whatif.outputs(self.choice())

    def draw(self, out):
        lang = self.lang
        self._measure_texts(out)
        self.verdict.value = self._verdict_html(out)
        self.rules.value = self._rules_html(out)
        self.chart.value = svg.money_left(
            list(self.whatif.years), list(out.left), lang, t("ph_chart_title", lang, unit=self.unit),
            reference=list(self.draft_outputs.left),
            labels={"this": t("ph_chart_this", lang), "reference": t("ph_chart_draft", lang)})
        self.table.value = self._table_html(out)
        self.people.value = self._people_html(out)
        self.indicators.value = self._indicators_html(out)

    @property
    def unit(self) -> str:
        return t("b_unit_" + self.whatif.programme.unit, self.lang)

    def _money(self, x: float, decimals: int = 1) -> str:
        return format_number(x, decimals, self.lang).replace(" ", "\u00a0")  # one line per number

    def _name(self, mid: str) -> str:
        name = self.whatif.by_id[mid].name
        return name.get(self.lang) or name.ru

    def _measure_texts(self, out):
        lang = self.lang
        wi = self.whatif
        for mid in wi.order:
            m = wi.by_id[mid]
            start = out.portfolio.starts.get(mid, self.starts[mid].value)
            notes = [t("ph_priority", lang, value=format_number(wi.priority[mid] * 100, 0, lang)),
                     t("ph_measure_money", lang, cost=self._money(sum(m.cost)),
                       local=self._money(wi.local_money(mid, start)), unit=self.unit)]
            locked = ""
            if m.committed:
                locked = f'<br><span class="okmo-locked">{escape(t("ph_committed", lang))}</span>'
            elif not wi.options(mid):
                locked = f'<br><span class="okmo-locked">{escape(t("ph_no_start", lang))}</span>'
            self.texts[mid].value = (f'<div class="okmo-measure-text" data-okmo="measure-{mid}">{escape(self._name(mid))}'
                                     f'<br><small>{escape(" · ".join(notes))}</small>{locked}</div>')

    def _verdict_html(self, out) -> str:
        lang = self.lang
        v = out.verdict
        unit = self.unit
        if v.kind == "short":
            html = figures_html("ph_verdict_short", lang, {"amount": ("verdict-amount", self._money(v.amount))},
                                year=v.year, unit=unit)
            if len(v.years) > 1:
                html += " " + figures_html("ph_verdict_short_total", lang,
                                           {"total": ("verdict-total", self._money(v.total))},
                                           years=", ".join(map(str, v.years)), unit=unit)
            causes = "; ".join(f"{self._name(mid)} ({self._money(x)})" for mid, x in v.causes[:CAUSES_SHOWN])
            detail = t("ph_verdict_causes", lang, year=v.year, measures=causes)
            return (f'<div class="okmo-verdict okmo-gap" data-okmo="verdict">{html}</div>'
                    f'<div class="okmo-note" data-okmo="causes">{escape(detail)}</div>')
        html = figures_html("ph_verdict_fits", lang, {"amount": ("verdict-amount", self._money(v.amount))},
                            year=v.year, unit=unit)
        return f'<div class="okmo-verdict okmo-space" data-okmo="verdict">{html}</div>'

    def rule_texts(self, out) -> list[str]:
        """The rules the choice breaks, in words, with the measures' names."""
        lang = self.lang
        texts = []
        for key, context in out.broken:
            c = dict(context)
            for k in ("measure", "other"):
                if k in c:
                    c[k] = self._name(c[k])
            if key == "why_source":
                c = {"kind": t("funding_" + c["kind"], lang), "year": c["year"], "short": self._money(c["short"]),
                     "unit": self.unit}
            elif key == "why_vulnerable":
                c = {"share": format_percent(c["share"], 1, lang), "required": format_percent(c["required"], 1, lang)}
            texts.append(t("ph_broken_" + key[len("why_"):], lang, **c))
        return texts

    def _rules_html(self, out) -> str:
        lang = self.lang
        texts = self.rule_texts(out)
        if not texts:
            return f'<div class="okmo-rules okmo-kept" data-okmo="rules">✓ {escape(t("ph_rules_ok", lang))}</div>'
        items = "".join(f"<li>{escape(x)}</li>" for x in texts)
        return (f'<div class="okmo-rules okmo-broken" data-okmo="rules">⚠ {escape(t("ph_rules_title", lang))}'
                f'<ul>{items}</ul></div>')

    def _table_html(self, out) -> str:
        lang = self.lang
        years = self.whatif.years
        rows = [(t("pr_fiscal_space", lang), self.whatif.space.amounts, "space", ""),
                (t("ph_row_need", lang), out.local_need, "need", ""),
                (t("pr_left", lang), out.left, "left", "okmo-left")]
        head = "".join(f"<th>{y}</th>" for y in years)
        body = []
        for label, values, key, cls in rows:
            cells = "".join(f'<td class="{"okmo-neg" if key == "left" and v < -1e-6 else ""}" '
                            f'data-okmo="{key}-{y}">{format_number(float(v), 1, lang)}</td>'
                            for y, v in zip(years, values))
            body.append(f'<tr class="{cls}"><td>{escape(label)}</td>{cells}</tr>')
        origin = self.whatif.space.origin  # the budget file, or the programme's own amounts ("limits")
        origin = t("wt_space_limits", lang) if origin == "limits" else t("wt_space_file", lang, file=origin)
        note = " ".join([t("ph_units", lang, unit=self.unit), t("pr_space_from", lang, origin=origin)])
        return (f'<table class="okmo-programme-table"><thead><tr><th></th>{head}</tr></thead>'
                f'<tbody>{"".join(body)}</tbody></table><div class="okmo-note">{escape(note)}</div>')

    def _people_html(self, out) -> str:
        lang = self.lang
        total, women, vulnerable = out.beneficiaries
        share = lambda x: format_percent(x / total if total else 0.0, 1, lang)
        html = figures_html("ph_beneficiaries", lang, {
            "total": ("beneficiaries-total", self._money(total, 0)),
            "women": ("beneficiaries-women", self._money(women, 0)),
            "women_share": ("beneficiaries-women-share", share(women)),
            "vulnerable": ("beneficiaries-vulnerable", self._money(vulnerable, 0)),
            "vulnerable_share": ("beneficiaries-vulnerable-share", share(vulnerable))})
        rule = self.whatif.programme.rules.min_vulnerable_share
        if rule is not None:
            html += " " + escape(t("ph_vulnerable_required", lang, required=format_percent(fraction(rule), 1, lang)))
        after = figures_html("ph_after", lang, {"amount": ("after-amount", self._money(out.after))},
                             last=self.whatif.years[-1], unit=self.unit)
        return (f'<div class="okmo-note" data-okmo="beneficiaries">{html}</div>'
                f'<div class="okmo-note" data-okmo="after">{after}</div>')

    def _indicators_html(self, out) -> str:
        lang = self.lang
        draft = self.draft_outputs.indicators
        head = "".join(f"<th>{escape(t(k, lang))}</th>"
                       for k in ("ph_col_indicator", "ph_col_unit", "ph_col_now", "ph_col_reached", "ph_col_draft"))
        body = []
        for ind_id, (name, unit, baseline, reached) in out.indicators.items():
            before = draft[ind_id][3]
            changed = " okmo-changed" if abs(reached - before) > 1e-9 else ""
            body.append(f"<tr><td>{escape(name.get(lang) or name.ru)}</td><td>{escape(format_unit(unit, lang))}</td>"
                        f"<td>{format_number(baseline, 0, lang)}</td>"
                        f'<td class="{changed}" data-okmo="indicator-{ind_id}">{format_number(reached, 0, lang)}</td>'
                        f"<td>{format_number(before, 0, lang)}</td></tr>")
        return (f'<div class="okmo-caption">{escape(t("ph_indicators", lang))}</div>'
                f'<table class="okmo-programme-table"><thead><tr>{head}</tr></thead><tbody>{"".join(body)}</tbody></table>')

    # --- saving and language ------------------------------------------------------------------------

    def _variant(self) -> tuple[dict, dict] | None:
        """The choice as a variant of the programme file: its draft is the choice."""
        now = dt.datetime.now()
        preset = self.preset.value
        date = now.strftime("%d.%m.%Y %H:%M")
        description = {code: t("ph_variant_description", code, date=date,
                               preset=t("ph_custom" if preset == CUSTOM else "pr_" + preset, code))
                       for code in LANGUAGES}
        doc = self.whatif.variant_document(self.choice(), self.path.name, now, description)
        return None if doc is None else (doc, {})

    def title_text(self) -> str:
        p = self.whatif.programme
        municipality = p.municipality.name.get(self.lang) or p.municipality.name.ru
        return t("ph_title", self.lang, first=p.first_year, last=p.last_year, municipality=municipality)

    def _labels(self):
        super()._labels()
        self.measures_note.value = f'<div class="okmo-note">{escape(t("ph_measures", self.lang))}</div>'
        for box in self.switches.values():
            box.description = t("ph_in_programme", self.lang)

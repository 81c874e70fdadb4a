"""The budget hearing dashboard: sliders for the what-ifs a kenesh asks about the local
budget, and the forecast that follows them, in ru / ky / en.

A preset (the baseline or one of the file's scenarios) sets the sliders; every slider
change becomes a budget scenario (:mod:`okmo_models.hearing.budget_whatif`) fitted with the
file's own Monte Carlo, and the table in budget layout, the verdict, the chance of a deficit
and the balance chart are redrawn. "Save this variant" writes a new file next to the budget
file that adds the sliders as a scenario (``okmo budget FILE --scenario ID`` prints it);
nothing is ever overwritten and nothing leaves the machine.
"""

from __future__ import annotations

import datetime as dt
import math
from html import escape
from pathlib import Path

import ipywidgets as w

from okmo_models.plan_links import linked_budget
from okmo_models.budget.schema import EXPENDITURE_LINES
from okmo_models.charts import budget_fan
from okmo_models.formatting import format_number, format_percent
from okmo_models.hearing import svg
from okmo_models.hearing.base import CSS as HEARING_CSS
from okmo_models.hearing.base import (
    CUSTOM,
    Block,
    HearingDashboardBase,
    figures_html,
    nice_step,
    panels,
    plain,
    set_quietly,
    signed,
)
from okmo_models.hearing.budget_whatif import BudgetControls, BudgetWhatIf
from okmo_models.i18n import LANGUAGES, t

BASELINE = ""  # preset value of the baseline
HISTORY_SHOWN = 6  # executed years drawn before the forecast
# A chance of a deficit above this in a budget year is said beside "no deficit": the verdict
# never reads as safe when one Monte Carlo path in twenty or more ends in a deficit.
RISK = 0.05

CSS = HEARING_CSS + """<style>
.okmo-budget-table { border-collapse: collapse; font-size: 0.85em; margin: 0.2em 0 0.4em 0; }
.okmo-budget-table th, .okmo-budget-table td { padding: 0.1em 0.5em; text-align: right; vertical-align: top; }
.okmo-budget-table th:first-child, .okmo-budget-table td:first-child { text-align: left; width: 11em; }
.okmo-budget-table thead th { border-bottom: 2px solid #555; }
.okmo-budget-table th small { font-weight: normal; color: #666; }
.okmo-budget-table tr.okmo-total td { font-weight: 700; border-top: 1px solid #999; }
.okmo-budget-table tr.okmo-balance td { font-weight: 700; font-size: 1.1em; border-top: 2px solid #555; }
.okmo-budget-table td.okmo-past { color: #555; background: #f4f4f4; }
.okmo-delta { display: block; font-size: 0.75em; font-weight: 400; }
.okmo-up { color: #1c6b2a; } .okmo-down { color: #8a1c1c; }
.okmo-chance { border-collapse: collapse; font-size: 0.85em; margin: 0.2em 0 0.5em 0; }
.okmo-chance td { padding: 0.1em 0.35em; text-align: center; white-space: nowrap; }
.okmo-chance td.okmo-budget-year { background: #fbf1d6; font-weight: 700; }
</style>"""


class BudgetHearingDashboard(HearingDashboardBase):
    """Widgets for one budget file; ``.view`` is what the notebook displays."""

    css = CSS
    variant_header = ("# Вариант бюджета, сохранённый на публичных слушаниях (okmo hearing).\n"
                      "# Добавляет к базовому файлу (variant_of) один сценарий; посмотреть:\n"
                      "#   okmo budget {file} --scenario {scenario}\n")
    preset_key = "bh_preset"
    baseline_preset = BASELINE

    def __init__(self, budget_path: str | Path, lang: str = "ru"):
        super().__init__(budget_path, lang)
        loaded = linked_budget(self.path)[0]  # with the tariffs its lines pay for
        today = dt.date.today().strftime("%d.%m.%Y")
        self.whatif = wi = BudgetWhatIf(loaded.scenario, loaded.sha256, t("bh_source", lang, date=today), loaded.inputs)
        b = wi.baseline
        years = list(wi.forecast_years)
        self._add_presets(BASELINE)
        # percentage points added to every forecast year's CPI: at 0, the file's own path
        self.inflation = w.FloatSlider(value=0, min=-5, max=15, step=0.5)
        self.cpi_note = w.HTML(layout=w.Layout(width="100%"))
        self.population = None
        if wi.population_growth is not None:
            self.population = w.FloatSlider(value=wi.population_growth, min=min(-3, wi.population_growth),
                                            max=max(6, wi.population_growth), step=0.1)
        self.rates = {}
        for line in wi.rate_lines:
            low, high = (-50, 50) if line == "equalisation_grant" else (-50, 150)
            self.rates[line] = w.FloatSlider(value=0, min=low, max=high, step=1)
        self.rates_from = w.Dropdown(options=years, value=b.rates_from)
        self.taxpayer = self.taxpayer_from = None
        if wi.taxpayer_line is not None:
            top = max(wi.taxpayer_max, *(self._preset_taxpayers()))
            step = nice_step(top / 200)  # a round step: a preset's round amount sits on it
            self.taxpayer = w.FloatSlider(value=0, min=0, max=step * math.ceil(top / step - 1e-9), step=step)
            self.taxpayer_from = w.Dropdown(options=years, value=b.taxpayer_from)
        self.kept_note = w.HTML(layout=w.Layout(width="100%"))
        self.verdict = Block()
        self.table = Block()
        self.chance = Block()
        self.chart = Block()
        self.sliders = [self.inflation, *([self.population] if self.population else []), *self.rates.values(),
                        *([self.taxpayer] if self.taxpayer else [])]
        self.controls = [*self.sliders, self.rates_from, *([self.taxpayer_from] if self.taxpayer_from else [])]
        self._kept = b  # the preset the sliders started from
        for control in self.controls:
            control.observe(self._changed, names="value")
        # names above the controls, values beside the sliders in the reader's format
        rows = [self._row(self.preset), self._row(self.inflation, "inflation", lambda v, lang: signed(v, 1, lang)),
                self.cpi_note]
        if self.population:
            rows.append(self._row(self.population, "population", lambda v, lang: plain(v, 1, lang)))
        rows += [self._row(slider, f"rate-{line}", lambda v, lang: signed(v, 0, lang))
                 for line, slider in self.rates.items()]
        if self.rates:
            rows.append(self._row(self.rates_from))
        if self.taxpayer:
            rows += [self._row(self.taxpayer, "taxpayer", lambda v, lang: plain(v, 0, lang)),
                     self._row(self.taxpayer_from)]
        rows.append(self.kept_note)
        # on a projector the table and the chart stand side by side, both on screen
        self._lay_out(rows, [self.verdict, panels((self.table, "fit"), [self.chance, self.chart])], left="26%")

    def _preset_options(self):
        lang = self.lang
        s = self.whatif.original
        return ([(t("b_baseline", lang), BASELINE)]
                + [(v.name.get(lang) or v.name.ru, vid) for vid, v in s.scenarios.items()]
                + [(t("bh_custom", lang), CUSTOM)])

    def _preset_taxpayers(self):
        return [self.whatif.preset(vid).taxpayer * 1.5 for vid in self.whatif.presets()] or [0.0]

    # --- reading the controls ---------------------------------------------------------------

    def controls_now(self) -> BudgetControls:
        """The sliders as controls: the preset's kept changes with the slider values."""
        base = self._kept
        # rounded: the browser may send back 0.8999999999999999 for 0.9
        return BudgetControls(
            preset=base.preset, kept=base.kept, cpi_path=base.cpi_path,
            cpi_shift=round(self.inflation.value, 6),
            population_growth=round(self.population.value, 6) if self.population else None,
            rates={line: round(slider.value, 6) for line, slider in self.rates.items()},
            rates_from=self.rates_from.value,
            taxpayer=round(self.taxpayer.value, 6) if self.taxpayer else 0.0,
            taxpayer_from=self.taxpayer_from.value if self.taxpayer_from else base.taxpayer_from)

    def _set_controls_to(self, preset: str):
        """The sliders at the baseline (``""``) or at one of the file's scenarios."""
        c = self.whatif.preset(preset or None)
        self._kept = c
        values = {self.inflation: c.cpi_shift, self.rates_from: c.rates_from,
                  **{slider: c.rates[line] for line, slider in self.rates.items()}}
        if self.population:
            values[self.population] = c.population_growth
        if self.taxpayer:
            values[self.taxpayer] = c.taxpayer
            values[self.taxpayer_from] = c.taxpayer_from
        set_quietly(self.view, values, self._changed)

    # --- outputs ----------------------------------------------------------------------------------

    def compute(self):
        return self.whatif.outputs(self.controls_now())

    def draw(self, out):
        lang = self.lang
        c = self.controls_now()
        unit = t("b_unit_" + self.whatif.scenario.unit, lang)
        self.cpi_note.value = f'<div class="okmo-note">{escape(t("bh_cpi_path", lang, path=self._cpi_text(c)))}</div>'
        kept = [self._change_text(data) for slot, data in c.kept if slot is None]
        self.kept_note.value = (f'<div class="okmo-note">{escape(t("bh_kept", lang, items="; ".join(kept)))}</div>'
                                if kept else "")
        self.verdict.value = self._verdict_html(out.verdict, out.result, unit)
        self.table.value = self._table_html(out, unit)
        self.chance.value = self._chance_html(out.result)
        self.chart.value = self._chart_svg(out, unit)

    def _verdict_html(self, v, result, unit) -> str:
        """The plain answer, which always agrees with the chance of a deficit beside it: a
        gap with that year's chance; no deficit in the central forecast said as safe only
        when no budget year's chance exceeds :data:`RISK`, else with the highest chance."""
        lang = self.lang
        money = lambda x: format_number(x, 1, lang)
        chances = dict(zip(result.forecast_years, result.deficit_chance))  # as deficit_probability(), no pandas
        if v.kind == "gap":
            kind = "gap"
            html = figures_html("bh_verdict_gap", lang, {"amount": ("verdict-amount", money(v.amount))},
                                year=v.year, unit=unit)
            if len(v.years) > 1:
                html += " " + figures_html("bh_verdict_gap_total", lang, {"total": ("verdict-total", money(v.total))},
                                           years=", ".join(map(str, v.years)), unit=unit)
            html += " " + figures_html("hh_chance_gap", lang,
                                       {"chance": ("verdict-chance", format_percent(float(chances[v.year]), 0, lang))},
                                       year=v.year)
        else:
            year = max(v.years, key=lambda y: float(chances[y]))  # the riskiest budget year
            chance = float(chances[year])
            figures = {"amount": ("verdict-amount", money(v.amount)),
                       "chance": ("verdict-chance", format_percent(chance, 0, lang))}
            context = {"first": v.years[0], "last": v.years[-1], "unit": unit, "year": year}
            if chance > RISK:
                kind = "risk"
                html = figures_html("hh_verdict_risk", lang, figures, **context)
            else:
                kind = "space"
                html = (figures_html("bh_verdict_space", lang, figures, **context) + " "
                        + figures_html("hh_chance_low", lang, figures, **context))
        return f'<div class="okmo-verdict okmo-{kind}" data-okmo="verdict">{html}</div>'

    def _table_html(self, out, unit) -> str:
        """The budget layout (last executed year, next year plus two) with the difference
        from the baseline under every forecast amount."""
        lang = self.lang
        years, rows = out.result.summary_rows(lang)
        _, base = out.baseline.summary_rows(lang)
        totals = {t("b_revenue_total", lang): "revenue", t("b_expenditure_total", lang): "expenditure",
                  t("b_balance", lang): "balance"}
        spending = {t("line_b_" + n, lang) for n in EXPENDITURE_LINES} | {t("b_expenditure_total", lang)}
        head = "".join(f'<th>{y}<br><small>{escape(t("b_history" if i == 0 else "b_point", lang))}</small></th>'
                       for i, y in enumerate(years))
        body = []
        for (label, row), (_, brow) in zip(rows, base):
            key = totals.get(label)
            cls = {"revenue": "okmo-total", "expenditure": "okmo-total", "balance": "okmo-balance"}.get(key, "")
            cells = [f"<td>{escape(label)}</td>"]
            for i, year in enumerate(years):
                value = float(row[i])
                number = format_number(value, 1, lang)
                if key:
                    number = f'<span data-okmo="{key}-{year}">{number}</span>'
                delta = "" if i == 0 else self._delta_html(value - float(brow[i]), label in spending,
                                                           f"delta-{key}-{year}" if key else None)
                cells.append(f'<td class="{"okmo-past" if i == 0 else ""}">{number}{delta}</td>')
            body.append(f'<tr class="{cls}">{"".join(cells)}</tr>')
        note = f'<div class="okmo-note">{escape(t("bh_units", lang, unit=unit))}</div>'
        return (f'<table class="okmo-budget-table"><thead><tr><th></th>{head}</tr></thead>'
                f'<tbody>{"".join(body)}</tbody></table>{note}')

    def _delta_html(self, delta: float, spending: bool, okmo: str | None = None) -> str:
        if abs(delta) < 0.05:
            return ""
        good = (delta > 0) != spending
        number = signed(delta, 1, self.lang)
        if okmo:
            number = f'<span data-okmo="{okmo}">{number}</span>'
        return f'<span class="okmo-delta {"okmo-up" if good else "okmo-down"}">Δ\u00a0{number}</span>'

    def _chance_html(self, result) -> str:
        lang = self.lang
        budget = set(result.forecast_years[: result.horizon])
        cells = "".join(f'<td class="{"okmo-budget-year" if y in budget else ""}">'
                        f'{y}<br><span data-okmo="deficit-{y}">{format_percent(p, 0, lang)}</span></td>'
                        for y, p in zip(result.forecast_years, result.deficit_chance))
        return (f'<div class="okmo-caption">{escape(t("b_deficit_probability", lang))}</div>'
                f'<table class="okmo-chance"><tr>{cells}</tr></table>')

    def _chart_svg(self, out, unit) -> str:
        lang = self.lang
        labels = {"point": t("bh_this_variant", lang) if out.variant else t("b_baseline", lang),
                  "outer": t("bh_band_90", lang), "inner": t("bh_band_50", lang)}
        return svg.fan_chart(budget_fan(out.result, lang, "balance", history_shown=HISTORY_SHOWN,
                                        baseline=None if out.variant is None else out.baseline,
                                        title=t("bh_chart_title", lang, unit=unit), labels=labels),
                             max_width=760, k=1.5)

    def _cpi_text(self, c: BudgetControls) -> str:
        """``2026 — 12 %, 2027 — 10 %, 2028–2033 — 6 %`` (a no-break space before each %)."""
        lang = self.lang
        runs = []
        for year, pct in self.whatif.cpi_rates(c):
            if runs and runs[-1][2] == pct:
                runs[-1][1] = year
            else:
                runs.append([year, year, pct])
        # a no-break space before "%": a rate never breaks from its sign
        return ", ".join(f"{a}{'–' + str(b) if b != a else ''} — {format_number(p, 1, lang).rstrip('0').rstrip(',.')}\u00a0%"
                         for a, b, p in runs)

    def _change_text(self, data: dict) -> str:
        lang = self.lang
        name = data.get("name") or {}
        line = name.get(lang) or name.get("ru") or t("line_b_" + data["line"], lang)
        unit = t("b_unit_" + self.whatif.scenario.unit, lang)
        if "change" in data:
            pct = self.whatif.quantity(data["change"]).value
            value = ("+" if pct > 0 else "") + format_number(pct, 1, lang).rstrip("0").rstrip(",.") + " %"
            return t("bh_change_rate", lang, line=line, value=value, year=data["from"])
        if "add" in data:
            return t("bh_change_add", lang, line=line, value=format_number(float(data["add"]), 1, lang), unit=unit,
                     year=data["from"])
        return t("bh_change_set", lang, line=line, years=", ".join(map(str, data.get("set", {}))))

    # --- saving and language ---------------------------------------------------------------------

    @property
    def saved_scenario(self) -> str | None:
        """The scenario id of the last saved variant (``okmo budget FILE --scenario ID``)."""
        return self.saved.get("scenario")

    def _variant(self) -> tuple[dict, dict] | None:
        """The sliders as a new scenario in a variant of the budget file."""
        lang = self.lang
        now = dt.datetime.now()
        c = self.controls_now()
        date = now.strftime("%d.%m.%Y %H:%M")
        name = {code: t("bh_variant_name", code, date=date) for code in LANGUAGES}
        preset = self.whatif.original.scenarios.get(c.preset) if c.preset else None
        description = ({code: t("bh_variant_based_on", code, name=preset.name.get(code) or preset.name.ru)
                        for code in LANGUAGES} if preset is not None else None)
        made = self.whatif.variant_file(c, self.path.name, name, now, description,
                                        t("bh_source", lang, date=now.strftime("%d.%m.%Y")))
        if made is None:
            return None
        scenario_id, doc = made
        return doc, {"scenario": scenario_id}

    def title_text(self) -> str:
        municipality = self.whatif.scenario.municipality.name
        return t("bh_title", self.lang, municipality=municipality.get(self.lang) or municipality.ru)

    def _labels(self):
        super()._labels()
        lang = self.lang
        unit = t("b_unit_" + self.whatif.scenario.unit, lang)
        names = {self.inflation: t("bh_inflation", lang), self.population: t("bh_population", lang),
                 self.taxpayer: t("bh_taxpayer", lang, unit=unit), self.rates_from: t("bh_rates_from", lang),
                 self.taxpayer_from: t("bh_taxpayer_from", lang),
                 **{slider: t("bh_rate_" + line, lang) for line, slider in self.rates.items()}}
        for control, label in names.items():
            if control in self.control_labels:
                self.set_label(control, label)

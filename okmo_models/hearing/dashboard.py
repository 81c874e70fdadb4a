"""The hearing dashboard: ipywidgets controls and live outputs, in ru / ky / en.

Every control change is stated as a variant of the file and computed by the tariff engine
(:class:`~okmo_models.hearing.whatif.WhatIf`), and two small SVG charts are redrawn; nothing
leaves the machine. At rest the dashboard shows the figures of `okmo tariff FILE`. A tariff
slider moved by hand fixes that category's tariff; the other tariff sliders show the tariffs
the engine computes. "Save this variant" writes a new scenario file that names its baseline
and records only the changes, through the atomic, never-overwriting writer: `okmo tariff`
on it prints what the dashboard showed.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import replace
from html import escape
from pathlib import Path

import ipywidgets as w

from okmo_models.formatting import format_number, format_percent, unit_label
from okmo_models.hearing import svg
from okmo_models.hearing.base import CSS as HEARING_CSS
from okmo_models.hearing.base import (
    Block,
    HearingDashboardBase,
    browser_echo,
    figure_html,
    figures_html,
    on_grid,
    panels,
    plain,
    same_value,
    set_quietly,
    signed,
)
from okmo_models.hearing.whatif import Controls, WhatIf
from okmo_models.i18n import t
from okmo_models.scenario.loader import load_scenario

CSS = HEARING_CSS + """<style>
.okmo-family { margin: 0.2em 0 0.8em 0; }
.okmo-family-title { font-size: 1.15em; font-weight: 700; }
.okmo-family-table { border-collapse: collapse; font-size: 0.95em; }
.okmo-family-table th, .okmo-family-table td { padding: 0.15em 0.6em; text-align: right; vertical-align: top; }
.okmo-family-table th:first-child, .okmo-family-table td:first-child { text-align: left; }
.okmo-family-table thead th { border-bottom: 2px solid #555; font-weight: 400; color: #444; font-size: 0.9em; }
.okmo-family-table td small { color: #555; font-size: 0.8em; }
.okmo-family-table td.okmo-family-then { font-weight: 700; }
.okmo-family-table tbody tr { border-bottom: 1px solid #e4e4e4; }
</style>"""


def tariff_step(tariff: float, billing_unit: str, rounding_step: float) -> float:
    """A tariff slider's step: 1 som for a household's or a person's tariff and for any
    tariff from 20 som, 0.1 som from 2 som, else a tyiyn; never finer than the tariffs are
    rounded to. One press of an arrow key is a change a kenesh would debate."""
    who = billing_unit.partition("/")[0]
    step = 1.0 if who in ("household", "person") or tariff >= 20 else 0.1 if tariff >= 2 else 0.01
    return max(step, rounding_step)


class HearingDashboard(HearingDashboardBase):
    """Widgets for one scenario; ``.view`` is what the notebook displays."""

    variant_stem = "variant"
    variant_header = ("# Вариант сценария, сохранённый на публичных слушаниях (okmo hearing).\n"
                      "# Содержит только изменения относительно базового сценария (variant_of).\n")

    def __init__(self, scenario_path: str | Path, lang: str = "ru"):
        super().__init__(scenario_path, lang)
        self.whatif = wi = WhatIf(load_scenario(self.path))
        b = wi.baseline
        s = wi.scenario
        self.fixed: dict = {}  # tariffs fixed by hand: category id -> som per billing unit
        self.tariffs = {}
        rows = []
        for cat in wi.categories:
            cid = cat.category.id
            base = wi.baseline_outputs.tariffs[cid]
            step = tariff_step(base, cat.category.billing_unit, wi.model.rounding_step)
            # a tariff split into components follows its components' costs: it cannot be fixed
            self.tariffs[cid] = w.FloatSlider(value=base, min=0.0, max=step * math.ceil(max(base, 1.0) * 3 / step),
                                              step=step, continuous_update=True, disabled=bool(s.components))
            rows.append(self._row(self.tariffs[cid], f"tariff-{cid}"))  # the tariff computed: draw writes it
        self._category_of = {slider: cid for cid, slider in self.tariffs.items()}
        self.collection = w.FloatSlider(value=b.collection_rate * 100, min=10, max=100, step=1,
                                        disabled=not wi.population)
        self.fuel = w.FloatSlider(value=0, min=-50, max=100, step=1)
        self.wage = w.FloatSlider(value=0, min=-30, max=60, step=1)
        # per cent of the file's own discounts: at 100 every group keeps its discount
        self.discount = w.FloatSlider(value=b.discount_scale * 100, min=0,
                                      max=5 * int(wi.max_discount_scale * 20 + 1e-9), step=5,
                                      disabled=s.vulnerable is None)
        # the years and the investment plan are the multi-year path's: files with a path
        self.years = w.IntSlider(value=b.years_to_recovery, min=1, max=wi.max_years or b.years_to_recovery,
                                 disabled=s.path is None)
        self.investment = w.FloatSlider(value=0, min=0, max=10_000_000, step=100_000, disabled=s.path is None)
        rows += [self._row(self.collection, "collection", lambda v, lang: plain(v, 0, lang)),
                 self._row(self.fuel, "fuel", lambda v, lang: signed(v, 0, lang)),
                 self._row(self.wage, "wage", lambda v, lang: signed(v, 0, lang)),
                 self._row(self.discount, "discount", lambda v, lang: plain(v, 0, lang)),
                 self._row(self.years, "years", lambda v, lang: str(v)),
                 self._row(self.investment, "investment", lambda v, lang: plain(v, 0, lang))]
        self.figures = Block()
        self.family = Block()
        self.chart_money = Block()
        self.chart_path = Block()
        self.controls = [*self.tariffs.values(), self.collection, self.fuel, self.wage, self.discount,
                         self.years, self.investment]
        for control in self.controls:
            control.observe(self._changed, names="value")
        self._lay_out(rows, [self.figures, self.family, panels(self.chart_money, self.chart_path, always=True)])

    # --- reading the controls ---------------------------------------------------------------

    def controls_now(self) -> Controls:
        # rounded: the browser may send back 0.8999999999999999 for 0.9
        return Controls(
            tariffs=dict(self.fixed),
            collection_rate=round(self.collection.value / 100, 9),
            fuel_price_change=round(self.fuel.value / 100, 9),
            wage_change=round(self.wage.value / 100, 9),
            discount_scale=round(self.discount.value / 100, 9),
            years_to_recovery=self.years.value,
            extra_investment_som=self.investment.value,
        )

    def _changed(self, change=None):
        if change is not None and browser_echo(change["owner"], change["old"], change["new"]):
            return
        cid = self._category_of.get(change["owner"]) if change is not None else None
        self.clear_message()
        # a tariff moved by hand is fixed at its value
        self.update(fix=None if cid is None else (cid, change["new"]))

    def compute(self, fix: tuple | None = None):
        """The outputs of the controls, with ``fix`` = (category id, tariff) fixed by hand. A
        tariff moved back to the step where the computed tariff stands (100,72 shows at 101 on
        a 1-som slider) is the computed one again: one step and back leaves the file as it is."""
        controls = self.controls_now()
        if fix is not None:
            cid, value = fix
            free = self.whatif.outputs(replace(controls, tariffs={k: v for k, v in controls.tariffs.items()
                                                                  if k != cid})).tariffs[cid]
            slider = self.tariffs[cid]
            if abs(value - free) > 1e-9 and abs(value - on_grid(slider, free)) < 1e-6 * slider.step:
                value = free
            controls = self.whatif.fix(controls, cid, value)
        out = self.whatif.outputs(controls)
        self.fixed = dict(controls.tariffs)
        return out

    def draw(self, out):
        lang = self.lang
        # the tariffs not fixed by hand are the engine's, each handle put on its slider's step
        # as the page would put it (the page would send the snapped value back: two more
        # messages each way for every change); the readout beside it shows the tariff itself
        engine = {slider: on_grid(slider, out.tariffs[cid]) if slider.min <= out.tariffs[cid] <= slider.max
                  else out.tariffs[cid] for cid, slider in self.tariffs.items() if cid not in self.fixed}
        set_quietly(self.view, {slider: value for slider, value in engine.items() if not same_value(slider.value, value)},
                    self._changed)
        for cid, slider in self.tariffs.items():  # the tariff itself, wherever the handle snapped
            self.set_readout(slider, plain(out.tariffs[cid], 2, lang))
        som = " " + unit_label("som", lang)
        rows = []
        if out.household_bill_som is not None:
            rows.append((t("hr_bill", lang), figure_html("bill", plain(out.household_bill_som, 2, lang), som)))
        rows.append((t("hr_recovery", lang), figure_html("recovery", format_percent(out.cost_recovery, 1, lang))))
        rows.append((t("hr_subsidy", lang), figure_html("subsidy", plain(out.budget_subsidy_som, 0, lang), som)))
        if out.share_above_threshold is not None:
            rows.append((t("hr_above", lang), figure_html("above", format_percent(out.share_above_threshold, 0, lang))))
        self.figures.value = '<div class="okmo-figures">' + "".join(
            f'<div><div class="okmo-caption">{escape(caption)}</div><div class="okmo-figure">{value}</div></div>'
            for caption, value in rows) + "</div>"
        self.family.value = self._family_html(out)
        self.chart_money.value = svg.bars(
            [t("hr_costs", lang), t("hr_billed", lang), t("hr_collected", lang)],
            [out.requirement_som, out.revenue_som, out.collected_som],
            ["#c0504d", "#4f81bd", "#9bbb59"], lang, t("hr_cost_vs_revenue", lang),
            keys=["chart-costs", "chart-billed", "chart-collected"])
        path_chart = ""
        if out.path_category is not None:  # the file's path (or the variant's) to cost recovery
            shown = next(k.category for k in self.whatif.categories if k.category.id == out.path_category)
            path_chart = svg.lines(
                list(out.path_years),
                [(t("c_cost_recovery", lang), list(out.path_cost_recovery_som), "#c0504d", True),
                 (t("c_path", lang), list(out.path_tariff_som), "#2f6f9f", False)],
                lang, t("hr_path_title", lang, category=shown.name.get(lang))
                + f", {unit_label('som/' + shown.billing_unit, lang)}", keys=["chart-recovery", "chart-path"])
        self.chart_path.value = path_chart

    def _family_html(self, out) -> str:
        """What changes for a family of each income group: its monthly bill today and at the
        tariff proposed for the variant on the screen (the proposal's own figures: a path's
        first step, or the tariff fixed at the hearing), and its share of the family's income."""
        p = out.proposal
        if not p.income_groups:
            return ""
        lang = self.lang
        cat = next(x for x in p.tariffs if x.id == p.income_category)
        unit = unit_label("som/" + cat.billing_unit, lang)
        basis = figures_html("hh_family_path" if cat.on_path else "hh_family_tariff", lang,
                             {"tariff": ("family-tariff", plain(cat.tariff_som, 2, lang))},
                             category=cat.name.get(lang), unit=unit, year=p.year)
        head = "".join(f"<th>{escape(t(k, lang))}</th>" for k in
                       ("hh_family_group", "hh_family_now", "hh_family_then", "hh_family_change", "hh_family_share"))
        som = unit_label("som", lang)
        body = []
        for i, g in enumerate(p.income_groups, 1):
            income = t("hh_family_income", lang, income=format_number(g.income_per_capita_som, 0, lang), unit=som)
            now = "—" if g.bill_now_som is None else plain(g.bill_now_som, 2, lang)
            change, pct = "—", ""
            if g.bill_now_som is not None:
                change = signed(g.bill_som - g.bill_now_som, 2, lang)
                if g.bill_now_som:
                    pct = f' <small>({figure_html(f"family-change-pct-{i}", signed((g.bill_som / g.bill_now_som - 1) * 100, 0, lang), " %")})</small>'
            body.append(f"<tr><td>{escape(g.name.get(lang))}<br><small>{escape(income)}</small></td>"
                        f'<td>{figure_html(f"family-now-{i}", now)}</td>'
                        f'<td class="okmo-family-then">{figure_html(f"family-bill-{i}", plain(g.bill_som, 2, lang))}</td>'
                        f'<td>{figure_html(f"family-change-{i}", change)}{pct}</td>'
                        f'<td>{figure_html(f"family-share-{i}", format_percent(g.share_of_income, 1, lang))}</td></tr>')
        return (f'<div class="okmo-family"><div class="okmo-family-title">{escape(t("hh_family_title", lang))}</div>'
                f'<div class="okmo-note">{basis}</div>'
                f'<table class="okmo-family-table"><thead><tr>{head}</tr></thead><tbody>{"".join(body)}</tbody></table>'
                f"</div>")

    # --- buttons and language ----------------------------------------------------------------

    def _set_controls_to(self, preset: str):
        """The controls at the baseline, the one preset of a tariff file."""
        wi = self.whatif
        b = wi.baseline
        self.fixed = {}
        values = {**{s: wi.baseline_outputs.tariffs[cid] for cid, s in self.tariffs.items()},
                  self.collection: b.collection_rate * 100, self.fuel: 0, self.wage: 0,
                  self.discount: b.discount_scale * 100, self.years: b.years_to_recovery,
                  self.investment: 0}
        set_quietly(self.view, values, self._changed)

    def _variant(self) -> tuple[dict, dict] | None:
        """The current controls as a variant: only the changes from the baseline."""
        changes = self.whatif.changes(self.controls_now())
        if not changes:
            return None
        return {"variant_of": self.path.name, "baseline_sha256": self.whatif.loaded.sha256,
                "saved": dt.datetime.now().isoformat(timespec="minutes"), "changes": changes}, {}

    def title_text(self) -> str:
        lang = self.lang
        s = self.whatif.scenario
        return (f'{t("hr_title", lang, service=t("service_" + s.service, lang))}'
                f' — {s.municipality.name.get(lang)}, {s.tariff_year}')

    def _labels(self):
        super()._labels()
        lang = self.lang
        for cat in self.whatif.categories:
            self.set_label(self.tariffs[cat.category.id],
                           t("hr_tariff", lang, category=cat.category.name.get(lang))
                           + f", {unit_label('som/' + cat.category.billing_unit, lang)}")
        self.set_label(self.collection, t("hr_collection", lang) + ", %")
        self.set_label(self.fuel, t("hr_fuel", lang) + ", %")
        self.set_label(self.wage, t("hr_wage", lang) + ", %")
        self.set_label(self.discount, t("hr_discount_scale", lang))
        self.set_label(self.years, t("hr_years", lang))
        self.set_label(self.investment, t("hr_investment", lang))

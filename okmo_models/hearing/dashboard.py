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
from pathlib import Path

import ipywidgets as w

from okmo_models.formatting import format_number, format_percent, unit_label
from okmo_models.hearing import svg
from okmo_models.hearing.base import HearingDashboardBase, same_value, set_quietly
from okmo_models.hearing.whatif import Controls, WhatIf
from okmo_models.i18n import t
from okmo_models.scenario.loader import load_scenario


class HearingDashboard(HearingDashboardBase):
    """Widgets for one scenario; ``.view`` is what the notebook displays."""

    variant_stem = "variant"
    variant_default = "variant.yaml"
    variant_header = ("# Вариант сценария, сохранённый на публичных слушаниях (okmo hearing).\n"
                      "# Содержит только изменения относительно базового сценария (variant_of).\n")

    def __init__(self, scenario_path: str | Path, lang: str = "ru"):
        super().__init__(scenario_path, lang)
        self.whatif = wi = WhatIf(load_scenario(self.path))
        b = wi.baseline
        s = wi.scenario
        self.fixed: dict = {}  # tariffs fixed by hand: category id -> som per billing unit
        style = {"description_width": "initial"}
        layout = w.Layout(width="95%")
        self.tariffs = {}
        for cat in wi.categories:
            cid = cat.category.id
            base = wi.baseline_outputs.tariffs[cid]
            # a tariff split into components follows its components' costs: it cannot be fixed
            self.tariffs[cid] = w.FloatSlider(value=base, min=0.0, max=round(max(base, 1.0) * 3, 2),
                                              step=wi.model.rounding_step, readout_format=".2f",
                                              continuous_update=True, style=style, layout=layout,
                                              disabled=bool(s.components))
        self._category_of = {slider: cid for cid, slider in self.tariffs.items()}
        self.collection = w.FloatSlider(value=b.collection_rate * 100, min=10, max=100, step=1,
                                        readout_format=".0f", style=style, layout=layout,
                                        disabled=not wi.population)
        self.fuel = w.FloatSlider(value=0, min=-50, max=100, step=1, readout_format="+.0f",
                                  style=style, layout=layout)
        self.wage = w.FloatSlider(value=0, min=-30, max=60, step=1, readout_format="+.0f",
                                  style=style, layout=layout)
        # per cent of the file's own discounts: at 100 every group keeps its discount
        self.discount = w.FloatSlider(value=b.discount_scale * 100, min=0,
                                      max=5 * int(wi.max_discount_scale * 20 + 1e-9), step=5,
                                      readout_format=".0f", style=style, layout=layout,
                                      disabled=s.vulnerable is None)
        # the years and the investment plan are the multi-year path's: files with a path
        self.years = w.IntSlider(value=b.years_to_recovery, min=1, max=wi.max_years or b.years_to_recovery,
                                 style=style, layout=layout, disabled=s.path is None)
        self.investment = w.FloatSlider(value=0, min=0, max=10_000_000, step=100_000,
                                        readout_format=",.0f", style=style, layout=layout,
                                        disabled=s.path is None)
        self.figures = w.HTML()
        self.chart_money = w.HTML()
        self.chart_path = w.HTML()
        self.controls = [*self.tariffs.values(), self.collection, self.fuel, self.wage, self.discount,
                         self.years, self.investment]
        for control in self.controls:
            control.observe(self._changed, names="value")
        self._lay_out(self.controls, [self.figures, self.chart_money, self.chart_path])

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
        if change is not None and same_value(change["old"], change["new"]):
            return
        cid = self._category_of.get(change["owner"]) if change is not None else None
        self.clear_message()
        # a tariff moved by hand is fixed at its value
        self.update(fix=None if cid is None else (cid, change["new"]))

    def compute(self, fix: tuple | None = None):
        """The outputs of the controls, with ``fix`` = (category id, tariff) fixed by hand."""
        controls = self.controls_now()
        if fix is not None:
            controls = self.whatif.fix(controls, *fix)
        out = self.whatif.outputs(controls)
        self.fixed = dict(controls.tariffs)
        return out

    def draw(self, out):
        lang = self.lang
        # the tariffs not fixed by hand are the engine's
        set_quietly(self.view, {slider: out.tariffs[cid] for cid, slider in self.tariffs.items()
                                if cid not in self.fixed and slider.value != out.tariffs[cid]}, self._changed)
        som = unit_label("som", lang)
        rows = []
        if out.household_bill_som is not None:
            rows.append((t("hr_bill", lang), f"{format_number(out.household_bill_som, 2, lang)} {som}", "bill"))
        rows.append((t("hr_recovery", lang), format_percent(out.cost_recovery, 1, lang), "recovery"))
        rows.append((t("hr_subsidy", lang), f"{format_number(out.budget_subsidy_som, 0, lang)} {som}", "subsidy"))
        if out.share_above_threshold is not None:
            rows.append((t("hr_above", lang), format_percent(out.share_above_threshold, 0, lang), "above"))
        self.figures.value = "".join(
            f'<div class="okmo-caption">{caption}</div><div class="okmo-figure" data-okmo="{key}">{value}</div>'
            for caption, value, key in rows)
        self.chart_money.value = svg.bars(
            [t("hr_costs", lang), t("hr_billed", lang), t("hr_collected", lang)],
            [out.requirement_som, out.revenue_som, out.collected_som],
            ["#c0504d", "#4f81bd", "#9bbb59"], lang, t("hr_cost_vs_revenue", lang))
        self.chart_path.value = ""
        if out.path_category is not None:  # the file's path (or the variant's) to cost recovery
            shown = next(k.category for k in self.whatif.categories if k.category.id == out.path_category)
            self.chart_path.value = svg.lines(
                list(out.path_years),
                [(t("c_cost_recovery", lang), list(out.path_cost_recovery_som), "#c0504d", True),
                 (t("c_path", lang), list(out.path_tariff_som), "#2f6f9f", False)],
                lang, t("hr_path_title", lang, category=shown.name.get(lang))
                + f", {unit_label('som/' + shown.billing_unit, lang)}")

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
            slider = self.tariffs[cat.category.id]
            slider.description = (t("hr_tariff", lang, category=cat.category.name.get(lang))
                                  + f", {unit_label('som/' + cat.category.billing_unit, lang)}")
        self.collection.description = t("hr_collection", lang) + ", %"
        self.fuel.description = t("hr_fuel", lang) + ", %"
        self.wage.description = t("hr_wage", lang) + ", %"
        self.discount.description = t("hr_discount_scale", lang)
        self.years.description = t("hr_years", lang)
        self.investment.description = t("hr_investment", lang)


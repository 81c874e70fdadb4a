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
import yaml

from okmo_models.errors import OkmoError
from okmo_models.formatting import format_number, format_percent, unit_label
from okmo_models.hearing import svg
from okmo_models.hearing.whatif import Controls, WhatIf
from okmo_models.i18n import LANGUAGES, t
from okmo_models.safe_write import write_new_file
from okmo_models.scenario.loader import load_scenario

# Large type for a projector, and no scrollbars in the control column.
CSS = """<style>
.okmo-hearing { font-family: 'Noto Sans', 'DejaVu Sans', sans-serif; font-size: 18px; }
.okmo-hearing .widget-label, .okmo-hearing .widget-readout, .okmo-hearing button,
.okmo-hearing input, .okmo-hearing select { font-size: 17px !important; }
.okmo-hearing .widget-label { min-width: 22ex !important; }
.okmo-figure { font-size: 30px; font-weight: 700; }
.okmo-caption { font-size: 16px; color: #444; }
.okmo-message { font-size: 17px; color: #8a1c1c; }
.okmo-ok { font-size: 17px; color: #1c6b2a; }
</style>"""



def variant_target(folder: Path, typed: str, default: str) -> Path:
    """Where "save this variant" writes: the typed file name (never a path elsewhere), as
    YAML, next to the baseline."""
    name = Path(typed.strip() or default).name
    return folder / (name if name.endswith((".yaml", ".yml")) else name + ".yaml")


def write_variant_file(target: Path, header: str, doc: dict) -> Path:
    """Write a variant document with its comment header; atomic, never over an existing file."""
    return write_new_file(target, header + yaml.safe_dump(doc, allow_unicode=True, sort_keys=False))


def same_value(a, b) -> bool:
    """The browser snaps a value it was sent to the slider's steps and sends it back
    (0.9 -> 0.8999999999999999): not a move."""
    return isinstance(a, float) and isinstance(b, float) and abs(a - b) < 1e-6


def set_quietly(view, values: dict, handler):
    """Set widget values without running ``handler`` for each of them; a slider's range
    widens to take a value outside it."""
    with view.hold_sync():
        for widget in values:
            widget.unobserve(handler, names="value")
        try:
            for widget, value in values.items():
                if isinstance(widget, w.FloatSlider) and value > widget.max:
                    widget.max = value
                if isinstance(widget, w.FloatSlider) and value < widget.min:
                    widget.min = value
                widget.value = value
        finally:
            for widget in values:
                widget.observe(handler, names="value")


class HearingDashboard:
    """Widgets for one scenario; ``.view`` is what the notebook displays."""

    def __init__(self, scenario_path: str | Path, lang: str = "ru"):
        self.path = Path(scenario_path)
        self.whatif = wi = WhatIf(load_scenario(self.path))
        self.lang = lang
        b = wi.baseline
        s = wi.scenario
        self.fixed: dict = {}  # tariffs fixed by hand: category id -> som per billing unit
        style = {"description_width": "initial"}
        layout = w.Layout(width="95%")
        self.language = w.Dropdown(options=list(LANGUAGES), value=lang, layout=w.Layout(width="14em"))
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
        self.reset = w.Button(button_style="warning", layout=w.Layout(width="auto"))
        self.save = w.Button(button_style="success", layout=w.Layout(width="auto"))
        stamp = dt.datetime.now().strftime("%Y%m%d-%H%M")
        self.file_name = w.Text(value=f"{self.path.stem}_variant_{stamp}.yaml", layout=w.Layout(width="60%"))
        self.title = w.HTML()
        self.figures = w.HTML()
        self.chart_money = w.HTML()
        self.chart_path = w.HTML()
        self.message = w.HTML()
        self.controls = [*self.tariffs.values(), self.collection, self.fuel, self.wage, self.discount,
                         self.years, self.investment]
        for control in self.controls:
            control.observe(self._changed, names="value")
        self.language.observe(self._language, names="value")
        self.reset.on_click(lambda _: self.back_to_baseline())
        self.save.on_click(lambda _: self.save_variant())
        left = w.VBox([*self.controls, w.HBox([self.reset]), w.HBox([self.file_name, self.save]), self.message],
                      layout=w.Layout(width="48%"))
        right = w.VBox([self.figures, self.chart_money, self.chart_path], layout=w.Layout(width="52%"))
        self.view = w.VBox([w.HTML(CSS), w.HBox([self.title, self.language]), w.HBox([left, right])])
        self.view.add_class("okmo-hearing")
        self._labels()
        self.update()

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
        self.message.value = ""
        # a tariff moved by hand is fixed at its value
        self.update(fix=None if cid is None else (cid, change["new"]))

    def update(self, fix: tuple | None = None):
        """Recompute and redraw, with ``fix`` = (category id, tariff) fixed by hand; an
        impossible combination shows a message, not a traceback."""
        lang = self.lang
        try:
            controls = self.controls_now()
            if fix is not None:
                controls = self.whatif.fix(controls, *fix)
            out = self.whatif.outputs(controls)
        except (OkmoError, ValueError, ZeroDivisionError) as exc:
            detail = exc.render(lang) if isinstance(exc, OkmoError) else str(exc)
            self.message.value = f'<div class="okmo-message">{t("hr_invalid", lang, detail=detail)}</div>'
            return None
        self.fixed = dict(controls.tariffs)
        # the tariffs not fixed by hand are the engine's
        set_quietly(self.view, {slider: out.tariffs[cid] for cid, slider in self.tariffs.items()
                                if cid not in self.fixed and slider.value != out.tariffs[cid]}, self._changed)
        self.outputs = out
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
        return out

    # --- buttons and language ----------------------------------------------------------------

    def back_to_baseline(self):
        wi = self.whatif
        b = wi.baseline
        self.fixed = {}
        values = {**{s: wi.baseline_outputs.tariffs[cid] for cid, s in self.tariffs.items()},
                  self.collection: b.collection_rate * 100, self.fuel: 0, self.wage: 0,
                  self.discount: b.discount_scale * 100, self.years: b.years_to_recovery,
                  self.investment: 0}
        set_quietly(self.view, values, self._changed)
        self.message.value = ""
        self.update()

    def save_variant(self) -> Path | None:
        """Write the current controls as a variant of the baseline; never overwrite."""
        lang = self.lang
        changes = self.whatif.changes(self.controls_now())
        if not changes:
            self.message.value = f'<div class="okmo-message">{t("hr_no_changes", lang)}</div>'
            return None
        target = variant_target(self.path.parent, self.file_name.value, "variant.yaml")
        doc = {"variant_of": self.path.name, "baseline_sha256": self.whatif.loaded.sha256,
               "saved": dt.datetime.now().isoformat(timespec="minutes"), "changes": changes}
        header = ("# Вариант сценария, сохранённый на публичных слушаниях (okmo hearing).\n"
                  "# Содержит только изменения относительно базового сценария (variant_of).\n")
        try:
            path = write_variant_file(target, header, doc)
        except OkmoError as exc:
            self.message.value = f'<div class="okmo-message">{exc.render(lang)}</div>'
            return None
        self.message.value = f'<div class="okmo-ok">{t("hr_saved", lang, path=path)}</div>'
        return path

    def _language(self, change):
        self.lang = change["new"]
        self._labels()
        self.update()

    def _labels(self):
        lang = self.lang
        s = self.whatif.scenario
        self.title.value = (f'<h2 style="margin:0 1em 0 0">{t("hr_title", lang, service=t("service_" + s.service, lang))}'
                            f' — {s.municipality.name.get(lang)}, {s.tariff_year}</h2>')
        self.language.description = t("hr_language", lang)
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
        self.reset.description = t("hr_reset", lang)
        self.save.description = t("hr_save", lang)
        self.file_name.description = t("hr_file", lang)


def dashboard_from_environment() -> HearingDashboard:
    """The dashboard for the scenario `okmo hearing` passed in OKMO_HEARING_SCENARIO."""
    import os

    from okmo_models.i18n import default_language

    scenario = os.environ.get("OKMO_HEARING_SCENARIO")
    if not scenario:
        root = Path(__file__).resolve().parents[2]
        scenario = root / "scenarios" / "teploklyuchenka" / "waste.yaml"
    return HearingDashboard(scenario, default_language())

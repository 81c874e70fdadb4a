"""The tariff workbook's калькуляция as live formulas (issue 22), recomputed by a formula engine.

Each exported workbook is recomputed with the ``formulas`` library (a dev dependency: without
it this module fails to import, it is never skipped), and every formula cell is compared with
the figure the package computes for it. The expected figures are taken from the result and
the compiled model, and placed by the rows' labels, never read from the workbook's values.
Money to 0,01 som; quantities, shares and rates to a millionth (relative).
"""

from __future__ import annotations

import io
import re

import formulas  # noqa: F401 - the engine; a missing one is a failure, not a skip
import numpy as np
import openpyxl
import pytest

from conftest import SCENARIOS
from okmo_models.excel.results import tariff_workbook
from okmo_models.excel.tariff_formulas import Rounding, straight_line
from okmo_models.formatting import round_to_step
from okmo_models.i18n import LANGUAGES, t
from okmo_models.kinds import KINDS
from okmo_models.scenario.loader import load_scenario
from okmo_models.scenario.schema import LocalText, Quantity, Rounding as RoundingSpec, WasteSection
from okmo_models.tariff import TariffModel, calculate_tariff
from okmo_models.tariff import formulas as tf

TARIFFS = KINDS["tariff"].examples  # every bundled tariff example
MONEY = 0.01
FINE = 1e-6  # relative, for quantities, shares and rates


# --- the engine --------------------------------------------------------------------------------


def engine(data: bytes, tmp_path, name="book.xlsx", inputs=None):
    """Every formula cell's value as the engine computes it: {(sheet, "C5"): value}."""
    path = tmp_path / name
    path.write_bytes(data)
    model = formulas.ExcelModel().loads(str(path)).finish()
    solution = model.calculate(inputs=inputs or {})
    wb = openpyxl.load_workbook(io.BytesIO(data))
    upper = {ws.title.upper(): ws.title for ws in wb}
    out = {}
    for key, value in solution.items():
        m = re.fullmatch(r"'\[(.+?)\](.+)'!([A-Z]+[0-9]+)", key)
        if m and m.group(2) in upper:
            out[(upper[m.group(2)], m.group(3))] = np.asarray(value.value).ravel()[0]
    return out


def engine_key(ws_title, coordinate, name="book.xlsx"):
    return f"'[{name}]{ws_title.upper()}'!{coordinate}"


def formula_cells(wb):
    return {(ws.title, c.coordinate): c.value for ws in wb for row in ws.iter_rows() for c in row
            if c.data_type == "f"}


# --- where the package's figures stand -----------------------------------------------------------


def rows(ws, col=1):
    return {r: ws.cell(r, col).value for r in range(1, ws.max_row + 1)}


def row_of(ws, label, col=1, start=1):
    for r in range(start, ws.max_row + 1):
        if ws.cell(r, col).value == label:
            return r
    raise AssertionError(f"{label!r} not in column {col} of {ws.title}")


def table_rows(ws, heading, start=1):
    """The rows of the table under the header row whose first cell is ``heading`` (after
    ``start``), up to the first empty row."""
    head = row_of(ws, heading, 1, start)
    out = []
    r = head + 1
    while r <= ws.max_row and any(ws.cell(r, c).value is not None for c in range(1, 6)):
        out.append(r)
        r += 1
    return out


class Expected:
    """(sheet, cell) -> (figure, tolerance), filled from the package's figures."""

    def __init__(self):
        self.cells = {}

    def money(self, ws, r, col, value):
        self.cells[(ws.title, f"{openpyxl.utils.get_column_letter(col)}{r}")] = (value, MONEY, "abs")

    def fine(self, ws, r, col, value):
        self.cells[(ws.title, f"{openpyxl.utils.get_column_letter(col)}{r}")] = (value, FINE, "rel")

    def one_of(self, ws, r, col, values):
        self.cells[(ws.title, f"{openpyxl.utils.get_column_letter(col)}{r}")] = (tuple(values), FINE, "rel")


def package_figures(result, lang: str, wb) -> Expected:
    """Every figure the workbook's formulas compute, from the result and the compiled model."""
    model = TariffModel(result.scenario)
    s = result.scenario
    e = Expected()
    n_cat = len(model.categories)

    # --- inputs --------------------------------------------------------------------------------
    ws = wb[t("xr_sheet_inputs", lang)]
    e.fine(ws, row_of(ws, t("xr_in_tax_factor", lang)), 2, 1 + model.vat_rate + model.sales_tax_rate)
    e.fine(ws, row_of(ws, t("xr_in_per_som", lang)), 2, 1 / result.rounding_step)
    totals = [r for r, v in rows(ws).items() if v == t("xr_total", lang)]
    debt_total = [r for r in totals if ws.cell(r, 2).data_type == "f"]
    volume_total = [r for r in totals if ws.cell(r, 3).data_type == "f"]
    assert len(volume_total) == 1 and len(debt_total) == (1 if s.debt_service else 0)
    for r in debt_total:
        e.money(ws, r, 2, sum(d.amount.to("som/year") for d in s.debt_service))
    e.fine(ws, volume_total[0], 3, result.total_volume)

    lines = table_rows(ws, t("c_no", lang))
    numbered = {ws.cell(r, 1).value: r for r in lines}
    specs = list(model.input_lines)
    by_number = _numbers(model, result)
    derivation_labels = {}
    for i, spec in enumerate(specs):
        r = numbered[by_number[i]]
        assert ws.cell(r, 2).value == spec.name.get(lang)
        d = spec.derivation
        if d is not None:
            e.fine(ws, r, 3, d.quantity.value)
            e.fine(ws, r, 5, d.price.value)
            steps = {}
            for expr in (d.quantity, d.price):
                for step in _steps(expr):
                    steps.setdefault(step.label.get(lang) if step.label else "", []).append(step.value)
            derivation_labels[f"{by_number[i]}. {spec.name.get(lang)}"] = steps
    if derivation_labels:  # each step of each derived line, by its line and its words
        first = row_of(ws, t("xr_in_derivations", lang)) + 2
        line = None
        for r in range(first, row_of(ws, t("xr_in_cost_lines", lang))):
            label = ws.cell(r, 1).value
            if label in derivation_labels:
                line = derivation_labels[label]
            elif ws.cell(r, 2).data_type == "f":
                e.one_of(ws, r, 2, line[label or ""])

    if model.asset_rows:
        for j, r in enumerate(table_rows(ws, t("r_asset", lang))):
            a = model.asset_rows[j]
            assert ws.cell(r, 1).value == a["name"].get(lang)
            e.money(ws, r, 6, tf.straight_line_depreciation(a["value_som"], a["year"], a["useful_life_years"],
                                                               s.tariff_year))
    if model.landfill_fee_som:
        e.fine(ws, row_of(ws, t("xr_in_landfill_volume", lang)), 2, model.landfill_fee_som /
               s.waste.landfill_fee.to("som/" + ("m3" if "volume" in s.waste.landfill_fee.parsed_unit.dims else "t")))
    for i, r in enumerate(table_rows(ws, t("c_category", lang))[:n_cat]):
        c = model.categories[i]
        assert ws.cell(r, 1).value == c.category.name.get(lang)
        e.fine(ws, r, 3, c.volume)
        e.fine(ws, r, 5, c.base_per_billing_unit)
        e.fine(ws, r, 6, c.billing_units_per_year)

    # --- the калькуляция ---------------------------------------------------------------------
    ws = wb[t("xr_sheet_calculation", lang)]
    req, costs = result.revenue_requirement_som, result.costs_som
    for k, c in enumerate(result.cost_lines):
        r = row_of(ws, k + 1)
        assert ws.cell(r, 2).value == c.name.get(lang)
        e.money(ws, r, 3, c.amount_som)
        e.fine(ws, r, 4, c.amount_som / costs)
        e.fine(ws, r, 5, c.amount_som / req)
    subtotals = {"production_cost": result.production_cost_som, "total_costs": costs, "profit": result.profit_som,
                 "costs_with_profit": costs + result.profit_som, "debt_service": result.debt_service_som,
                 "vat": result.vat_som, "sales_tax": result.sales_tax_som, "revenue_requirement": req}
    head = row_of(ws, t("c_no", lang))
    for key, amount in subtotals.items():
        found = [r for r in range(head, ws.max_row + 1) if ws.cell(r, 2).value == t(key, lang)
                 and ws.cell(r, 1).value in ("", None)]
        for r in found:
            e.money(ws, r, 3, amount)
            e.fine(ws, r, 5, amount / req)
            if key == "total_costs":
                e.fine(ws, r, 4, 1.0)

    # --- the tariffs -----------------------------------------------------------------------------
    ws = wb[t("xr_sheet_tariffs", lang)]
    cats = model.categories
    policy = np.array([c.category.effective_policy for c in cats])
    volume = np.array([c.volume for c in cats])
    weight = np.array([c.category.multiplier for c in cats])
    fixed, cost = policy == "fixed", policy == "cost"
    fixed_base = np.array([c.fixed_gross_per_base(model.tax_factor) if c.fixed_tariff_som is not None else 0.0
                           for c in cats])
    per_base, unit_cost = tf.allocate_requirement(req, weight, volume, fixed, cost, fixed_base)
    net_base_u = per_base / model.tax_factor
    net_billing_u = net_base_u * np.array([c.base_per_billing_unit for c in cats])
    unrounded_revenue = []
    for i, c in enumerate(result.tariffs):
        spec = model.categories[i]
        r = row_of(ws, c.name.get(lang))
        e.fine(ws, r, 3, c.billing_units_per_year)
        e.money(ws, r, 4, c.tariff_som)
        e.money(ws, r, 5, c.cash_tariff_som)
        e.fine(ws, r, 6, c.collection_rate)
        if c.current_tariff_som is not None:
            e.money(ws, r, 7, c.current_tariff_som)
        if c.change_pct is not None:
            e.fine(ws, r, 8, c.change_pct / 100)
        e.money(ws, r, 9, c.revenue_som)
        if c.household_bill_som is not None:
            e.money(ws, r, 10, c.household_bill_som)
        revenue_u = c.tariff_unrounded_som * c.billing_units_per_year
        if c.species_tariffs_som:
            revenue_u = 0.0
            for j, (sp, k, v) in enumerate(c.species_tariffs_som, 1):
                count = spec.category.heads[sp].to("head") * s.dipping_bath.dippings_per_year
                e.fine(ws, r + j, 3, count)
                e.money(ws, r + j, 4, v)
                revenue_u += c.tariff_unrounded_som * k * count
        unrounded_revenue.append(revenue_u)
    e.money(ws, row_of(ws, t("xr_total", lang)), 9, result.revenue_at_tariffs_som)
    if result.taxes_included:
        start = row_of(ws, t("c_tariff_net", lang))
        for c in result.tariffs:
            r = row_of(ws, c.name.get(lang), 1, start)
            e.money(ws, r, 3, c.tariff_net_som)
            e.money(ws, r, 4, c.tariff_som)

    e.money(ws, row_of(ws, t("xr_unit_cost", lang)), 2, float(unit_cost[0]))
    balancing = ~(fixed | cost)
    fixed_revenue = float((fixed_base * volume * fixed).sum())
    cost_revenue = float(unit_cost[0] * (weight * volume * cost).sum())
    if fixed.any():
        e.money(ws, row_of(ws, t("xr_fixed_revenue", lang)), 2, fixed_revenue)
    if cost.any():
        e.money(ws, row_of(ws, t("xr_cost_revenue", lang)), 2, cost_revenue)
    if balancing.any():
        bw = float((weight * volume * balancing).sum())
        e.fine(ws, row_of(ws, t("xr_balancing_weight", lang)), 2, bw)
        e.money(ws, row_of(ws, t("xr_base_tariff", lang)), 2, max(req - fixed_revenue - cost_revenue, 0) / bw)
    start = row_of(ws, t("xr_printed_tariffs", lang))
    for i, c in enumerate(result.tariffs):
        r = row_of(ws, c.name.get(lang), 1, start)
        e.money(ws, r, 4, float(per_base[0, i]))
        e.money(ws, r, 5, float(net_base_u[0, i]))
        e.money(ws, r, 6, float(net_billing_u[0, i]))
        for col, value in zip(range(7, 13), (c.tariff_net_per_base_unit_som, c.tariff_net_som,
                                             c.tariff_per_base_unit_som, c.tariff_som, c.tariff_unrounded_som,
                                             unrounded_revenue[i])):
            e.money(ws, r, col, value)
    e.money(ws, row_of(ws, t("xr_total", lang), 1, start), 12, result.revenue_at_tariffs_som -
            result.rounding_difference_som)
    for u in result.unit_costs:
        r = row_of(ws, t(u.key, lang))
        e.money(ws, r, 2, u.cost_som)
        e.money(ws, r, 3, u.requirement_som)
    summary = {"s_requirement": req, "s_household_bill": result.typical_household_bill_som,
               "s_revenue": result.revenue_at_tariffs_som, "s_collected": result.cash_collected_som,
               "s_cash_gap": result.cash_shortfall_som, "s_subsidy": result.subsidy_need_som,
               "s_rounding_difference": result.rounding_difference_som}
    start = row_of(ws, t("h_summary", lang))
    for key, value in summary.items():
        if value is not None:
            e.money(ws, row_of(ws, t(key, lang), 1, start), 2, value)
    e.fine(ws, row_of(ws, t("s_volume", lang), 1, start), 2, result.total_volume)
    if result.cost_recovery_current is not None:
        e.fine(ws, row_of(ws, t("xr_recovery_billed", lang), 1, start), 2, result.cost_recovery_current)
        e.fine(ws, row_of(ws, t("xr_recovery_cash", lang), 1, start), 2, result.cash_recovery_current)

    # --- a shared service: the requirement split to the tyiyn ---------------------------------------
    if result.policy is not None and result.policy.sharing is not None:
        ws = wb[t("xr_sheet_sharing", lang)]
        members = result.policy.sharing.members
        keys = np.array([m["key_value"] for m in members])
        cents = round(req * 100)
        raw = keys / keys.sum() * cents
        rests = raw - np.floor(raw)
        order = list(np.argsort(-rests, kind="stable"))
        for j, m in enumerate(members):
            r = row_of(ws, m["name"].get(lang))
            e.fine(ws, r, 2, m["key_value"])
            e.fine(ws, r, 3, keys[j] / keys.sum())
            e.money(ws, r, 4, m["payment_som"])
            for col, value in ((5, m["tariff_per_unit_som"]), (7, m["per_household_month_som"])):
                if value is not None:
                    e.money(ws, r, col, value)
            e.fine(ws, r, 9, raw[j])
            e.fine(ws, r, 10, np.floor(raw[j]))
            e.money(ws, r, 11, rests[j])
            e.fine(ws, r, 12, order.index(j))
        r = row_of(ws, t("xr_total", lang))
        e.fine(ws, r, 2, keys.sum())
        e.fine(ws, r, 3, 1.0)
        e.money(ws, r, 4, req)  # to the tyiyn, the members pay the requirement

    # --- the asset register beside the parameters -------------------------------------------------
    if result.assets:
        ws = wb[t("xr_sheet_parameters", lang)]
        asset_rows = table_rows(ws, t("r_asset", lang))
        for a, r in zip(result.assets, asset_rows):
            e.money(ws, r, 5, a["charge_som"])
        e.money(ws, asset_rows[len(result.assets)], 5, sum(a["charge_som"] for a in result.assets if a["in_tariff"]))
    return e


def _numbers(model, result) -> dict[int, int]:
    """Input line index -> its number in the калькуляция (overhead lines are printed last)."""
    names = [(c.line, c.name.get("ru"), round(c.amount_som, 6)) for c in result.cost_lines]
    out = {}
    for i, spec in enumerate(model.input_lines):
        out[i] = names.index((spec.line, spec.name.get("ru"), round(spec.amount_som, 6))) + 1
    return out


def _steps(expr):
    if getattr(expr, "op", None) is None:
        return []
    return [x for term in expr.terms for x in _steps(term)] + [expr]


def check(data: bytes, result, lang: str, tmp_path) -> int:
    """Recompute ``data`` with the engine and compare every formula with the package's figure;
    the number of formulas checked."""
    wb = openpyxl.load_workbook(io.BytesIO(data))
    expected = package_figures(result, lang, wb).cells
    computed = engine(data, tmp_path)
    cached = openpyxl.load_workbook(io.BytesIO(data), data_only=True)
    cells = formula_cells(wb)
    missing = sorted(set(cells) - set(expected))
    assert not missing, [(k, cells[k]) for k in missing[:10]]
    for key in cells:
        want, tol, kind = expected[key]
        got = float(computed[key])
        options = want if isinstance(want, tuple) else (want,)
        ok = any(abs(got - w) <= (tol if kind == "abs" else tol * max(abs(w), 1e-9)) for w in options)
        assert ok, (key, cells[key], got, want)
        stored = cached[key[0]][key[1]].value  # what a viewer that does not compute shows
        assert stored == pytest.approx(got, abs=MONEY if kind == "abs" else 1e-9 + FINE * abs(got)), key
    return len(cells)


# --- the examples ----------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def results():
    return {name: calculate_tariff(SCENARIOS / name) for name in TARIFFS}


@pytest.mark.parametrize("name, lang", [(name, lang) for name in TARIFFS for lang in ("ru",)] +
                         [("teploklyuchenka/waste.yaml", "ky"), ("teploklyuchenka/waste.yaml", "en"),
                          ("teploklyuchenka/dipping_bath.yaml", "en"), ("ak-bulak/water.yaml", "ky")])
def test_every_formula_recomputes_the_package_figure(results, name, lang, tmp_path):
    result = results[name]
    n = check(tariff_workbook(result, lang), result, lang, tmp_path)
    assert n > 50  # the калькуляция, the tariffs and their derivation are formulas


def test_the_examples_are_every_bundled_tariff():
    assert len(TARIFFS) >= 4 and "teploklyuchenka/waste.yaml" in TARIFFS


def test_derived_wages_and_fuel_are_formulas_over_their_figures(results, tmp_path):
    result = results["teploklyuchenka/waste.yaml"]
    model = TariffModel(result.scenario)
    derived = [spec for spec in model.input_lines if spec.derivation is not None]
    assert {spec.line for spec in derived} >= {"labour", "fuel"}
    wb = openpyxl.load_workbook(io.BytesIO(tariff_workbook(result, "ru")))
    ws = wb[t("xr_sheet_inputs", "ru")]
    lines = {ws.cell(r, 2).value: r for r in table_rows(ws, t("c_no", "ru"))}
    for spec in derived:
        r = lines[spec.name.get("ru")]
        # the quantity and the price are the derivation's cells, not typed-in numbers
        assert ws.cell(r, 3).data_type == "f" and ws.cell(r, 5).data_type == "f", spec.name.get("ru")


# --- inputs move the figures -----------------------------------------------------------------------


def _input_cell(ws, label_col_value, col):
    r = row_of(ws, label_col_value, 2)
    return r, f"{openpyxl.utils.get_column_letter(col)}{r}"


def test_changing_an_input_moves_the_requirement_by_the_hand_computed_amount(results, tmp_path):
    result = results["teploklyuchenka/waste.yaml"]
    lang = "ru"
    data = tariff_workbook(result, lang)
    wb = openpyxl.load_workbook(io.BytesIO(data))
    inputs, calc, tariffs = (wb[t(k, lang)] for k in ("xr_sheet_inputs", "xr_sheet_calculation",
                                                      "xr_sheet_tariffs"))
    electricity = next(c for c in result.scenario.cost_lines if c.line == "electricity")
    _, price = _input_cell(inputs, electricity.name.get(lang), 5)
    assert inputs[price].value == pytest.approx(2.87)
    requirement = f"C{row_of(calc, t('revenue_requirement', lang), 2)}"

    path = tmp_path / "book.xlsx"
    path.write_bytes(data)
    xl = formulas.ExcelModel().loads(str(path)).finish()
    before = xl.calculate()[engine_key(calc.title, requirement)].value[0, 0]
    after = xl.calculate(inputs={engine_key(inputs.title, price): 3.87})
    moved = after[engine_key(calc.title, requirement)].value[0, 0] - before
    # 4 000 kWh x 1 som more, with the 5 % margin and the 3 % sales tax (no wages: no Social Fund)
    assert moved == pytest.approx(4000 * 1.0 * 1.05 * 1.03, abs=MONEY)

    # ... and the tariffs are those the package computes for the file with that price
    lines = [c.model_copy(update={"price": Quantity(value=3.87, unit="som/kWh")}) if c is electricity else c
             for c in result.scenario.cost_lines]
    again = calculate_tariff(result.scenario.model_copy(update={"cost_lines": lines}))
    assert again.revenue_requirement_som - result.revenue_requirement_som == pytest.approx(moved, abs=MONEY)
    for c in again.tariffs:
        r = row_of(tariffs, c.name.get(lang))
        assert after[engine_key(tariffs.title, f"D{r}")].value[0, 0] == pytest.approx(c.tariff_som, abs=MONEY)
        assert after[engine_key(tariffs.title, f"I{r}")].value[0, 0] == pytest.approx(c.revenue_som, abs=MONEY)
    assert tariffs[f"D{row_of(tariffs, again.tariffs[0].name.get(lang))}"].value.startswith("=")


def test_a_wage_change_carries_the_social_fund(results, tmp_path):
    result = results["teploklyuchenka/waste.yaml"]
    lang = "en"
    data = tariff_workbook(result, lang)
    wb = openpyxl.load_workbook(io.BytesIO(data))
    inputs, calc = wb[t("xr_sheet_inputs", lang)], wb[t("xr_sheet_calculation", lang)]
    model = TariffModel(result.scenario)
    spec = next(s for s in model.input_lines if s.derivation is not None and s.line == "labour"
                and getattr(s.derivation.price, "op", None) is None)  # a salary without allowances
    r = row_of(inputs, spec.name.get(lang), 2)
    salary = inputs[f"E{r}"].value.lstrip("=")  # the price cell refers to the salary's input cell
    assert re.fullmatch(r"[A-Z]+[0-9]+", salary)
    path = tmp_path / "book.xlsx"
    path.write_bytes(data)
    xl = formulas.ExcelModel().loads(str(path)).finish()
    requirement = engine_key(calc.title, f"C{row_of(calc, t('revenue_requirement', lang), 2)}")
    before = xl.calculate()[requirement].value[0, 0]
    after = xl.calculate(inputs={engine_key(inputs.title, salary): inputs[salary].value + 1000})[requirement]
    staff = spec.derivation.quantity.value
    # staff x 1 000 som a month x 12, with the employer's 17,25 %, the margin and the sales tax
    assert after.value[0, 0] - before == pytest.approx(staff * 1000 * 12 * 1.1725 * 1.05 * 1.03, abs=MONEY)


# --- formula paths the examples do not take --------------------------------------------------------


def _variant(rounding, policies):
    """The waste example with another rounding rule, a landfill fee in tonnes, and each
    category's policy (a fixed tariff: its value, unit and taxes)."""
    s = load_scenario(SCENARIOS / "teploklyuchenka/waste.yaml").scenario
    categories = []
    for c, policy in zip(s.categories, policies):
        if isinstance(policy, tuple):
            value, unit, taxes = policy
            c = c.model_copy(update={"policy": "fixed", "fixed_tariff": Quantity(value=value, unit=unit),
                                     "fixed_tariff_taxes": taxes, "multiplier": 1.0})
        else:
            c = c.model_copy(update={"policy": policy})
        categories.append(c)
    waste = WasteSection(density=Quantity(value=0.25, unit="t/m3"), landfill_fee=Quantity(value=120, unit="som/t"),
                         landfill_fee_source="assumption")
    return s.model_copy(update={"categories": categories, "waste": waste, "rounding": rounding})


@pytest.mark.parametrize("rounding, policies", [
    (RoundingSpec(mode="up", step=Quantity(value=1, unit="som"), source="assumption"),
     ["balancing", "cost", (250.37, "som/m3", "excluded")]),
    (RoundingSpec(mode="down", source="assumption"),
     [(160.0, "som/m3", "included"), "balancing", "cost"]),
    (RoundingSpec(mode="half_up", step=Quantity(value=0.05, unit="som"), source="assumption"),
     [(55.0, "som/household/month", "included"), (130.0, "som/m3", "excluded"), "balancing"]),
])
def test_fixed_cost_policies_rounding_rules_and_the_landfill_fee(rounding, policies, tmp_path):
    result = calculate_tariff(_variant(rounding, policies))
    assert result.assets and any(c.line == "disposal" and c.derived for c in result.cost_lines)
    check(tariff_workbook(result, "ru"), result, "ru", tmp_path)


@pytest.mark.parametrize("mode", ["half_up", "up", "down"])
@pytest.mark.parametrize("step", [0.01, 1.0, 0.05, 0.3])
def test_the_rounding_formula_is_round_to_step(mode, step, tmp_path):
    """The Excel rounding against :func:`round_to_step` on the halves and the binary noise."""
    values = [481.735, 48.5001, 7.455, 84.5, 12.0000000001, 0.004, 1234.565, 2.675, 0.145, 99.995, 13.0]
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "R"
    ws["A1"], ws["A2"] = step, "=1/A1"
    rnd = Rounding(mode, step, "s", "p")
    for k, v in enumerate(values, 3):
        ws[f"B{k}"] = v
        ws[f"C{k}"] = "=" + rnd(f"B{k}").replace("{s}", "$A$1").replace("{p}", "$A$2")
    buffer = io.BytesIO()
    wb.save(buffer)
    computed = engine(buffer.getvalue(), tmp_path)
    for k, v in enumerate(values, 3):
        assert computed[("R", f"C{k}")] == pytest.approx(round_to_step(v, step, mode), abs=1e-9), (v, step, mode)


def test_straight_line_formula_is_the_package_depreciation(tmp_path):
    cases = [(3_500_000, 2024, 7, 2027), (1_000, 2020, 2.5, 2022), (1_000, 2020, 2.5, 2023), (500, 2030, 5, 2027),
             (800_000, 2018, 20, 2027), (90, 2000, 3, 2027)]
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "D"
    for k, (value, year, life, tariff_year) in enumerate(cases, 1):
        ws[f"A{k}"], ws[f"B{k}"], ws[f"C{k}"], ws[f"D{k}"] = value, year, life, tariff_year
        ws[f"E{k}"] = "=" + straight_line(f"A{k}", f"B{k}", f"C{k}", f"D{k}")
    buffer = io.BytesIO()
    wb.save(buffer)
    computed = engine(buffer.getvalue(), tmp_path)
    for k, case in enumerate(cases, 1):
        assert computed[("D", f"E{k}")] == pytest.approx(float(tf.straight_line_depreciation(*case)), abs=1e-9)


# --- text from the data stays text --------------------------------------------------------------------

HOSTILE = ["=SUM(A1)", "+1", "@x", "-1+2", '=HYPERLINK("http://x","y")']


def test_names_that_look_like_formulas_stay_text_and_no_formula_holds_data(tmp_path):
    s = load_scenario(SCENARIOS / "teploklyuchenka/waste.yaml").scenario
    local = [LocalText.model_construct(ru=x, ky=x, en=x) for x in HOSTILE]
    lines = [c.model_copy(update={"name": local[k % len(local)]}) for k, c in enumerate(s.cost_lines)]
    categories = [c.model_copy(update={"name": local[k]}) for k, c in enumerate(s.categories)]
    result = calculate_tariff(s.model_copy(update={"cost_lines": lines, "categories": categories}))
    data = tariff_workbook(result, "ru")
    wb = openpyxl.load_workbook(io.BytesIO(data))
    found = {x: [] for x in HOSTILE}
    for ws in wb:
        for row in ws.iter_rows():
            for c in row:
                if c.value in found:
                    found[c.value].append((ws.title, c))
    for k, (text, cells) in enumerate(found.items()):
        sheets = {title for title, _ in cells}
        # a cost line's name on the inputs and the калькуляция, a category's on the tariffs too
        assert {t("xr_sheet_inputs", "ru"), t("xr_sheet_calculation", "ru")} <= sheets, text
        assert k >= len(categories) or t("xr_sheet_tariffs", "ru") in sheets, text
        assert all(c.data_type == "s" and c.quotePrefix for _, c in cells), text
    titles = "|".join(re.escape("'" + ws.title.replace("'", "''") + "'") for ws in wb)
    for (sheet, coordinate), text in formula_cells(wb).items():
        # a formula is cells, numbers, operators and the functions of the калькуляция: nothing else
        body = re.sub(titles, "", text)
        assert re.fullmatch(r"=(?:[A-Z]+[0-9]+|[0-9.E+-]+|SUM|ROUND|INT|IF|MAX|MIN|ABS|[()*/+,<>=!-])+", body), \
            (sheet, coordinate, text)
    check(data, result, "ru", tmp_path)  # and the figures are those of the package


def test_the_command_line_writes_the_formula_workbook_without_libreoffice(tmp_path):
    import subprocess
    import sys

    out = tmp_path / "x.xlsx"
    empty = tmp_path / "no-office"  # the only folder on PATH: no soffice, nothing to convert with
    empty.mkdir()
    done = subprocess.run([sys.executable, "-m", "okmo_models.cli", "tariff",
                           str(SCENARIOS / "teploklyuchenka/waste.yaml"), "--format", "xlsx", "-o", str(out),
                           "--lang", "ru"], capture_output=True, env={"PATH": str(empty), "HOME": str(tmp_path)},
                          check=False)
    assert done.returncode == 0, done.stderr.decode()
    wb = openpyxl.load_workbook(out)
    assert formula_cells(wb) and t("xr_sheet_inputs", "ru") in wb.sheetnames
    calc = openpyxl.load_workbook(out, data_only=True)[t("xr_sheet_calculation", "ru")]
    r = row_of(calc, t("revenue_requirement", "ru"), 2)
    result = calculate_tariff(SCENARIOS / "teploklyuchenka/waste.yaml")
    assert calc.cell(r, 3).value == pytest.approx(result.revenue_requirement_som, abs=MONEY)


@pytest.mark.parametrize("lang", LANGUAGES)
def test_program_values_are_marked(results, lang):
    """The policy sheets (path, sharing, Monte Carlo) hold the program's values and say so."""
    data = tariff_workbook(results["teploklyuchenka/waste.yaml"], lang)
    wb = openpyxl.load_workbook(io.BytesIO(data))
    note = t("xr_program_values_sheet", lang)
    for key in ("xr_sheet_path", "xr_sheet_sensitivity", "xr_sheet_affordability"):
        ws = wb[t(key, lang)]
        assert any(ws.cell(r, 1).value == note for r in range(1, 12)), key
        assert not any(c.data_type == "f" for row in ws.iter_rows() for c in row), key


@pytest.mark.parametrize("key, volumes, distances", [("volume", [12000, 12000, 12000], None),
                                                     ("distance", [23800, 7900, 4300], [3, 14, 9.5])])
def test_a_shared_service_splits_to_the_tyiyn_by_formulas(key, volumes, distances, tmp_path):
    """Equal keys tie on their remainders (the earlier member takes the tyiyn), a distance key
    weighs volume by kilometres."""
    s = load_scenario(SCENARIOS / "teploklyuchenka/shared_landfill.yaml").scenario
    members = [m.model_copy(update={"volume": Quantity(value=v, unit="m3/year"),
                                    "distance": None if distances is None else Quantity(value=d, unit="km")})
               for m, v, d in zip(s.sharing.members, volumes, distances or [None] * len(volumes))]
    sharing = s.sharing.model_copy(update={"key": key, "members": members})
    result = calculate_tariff(s.model_copy(update={"sharing": sharing}))
    payments = [m["payment_som"] for m in result.policy.sharing.members]
    assert sum(payments) == pytest.approx(result.revenue_requirement_som, abs=0.005)
    if distances is None:
        assert len(set(payments)) > 1  # a tyiyn left over went to the first
    check(tariff_workbook(result, "en"), result, "en", tmp_path)


def test_component_tariffs_are_the_programs_values_and_say_so(tmp_path):
    """Each component is rounded on its own and the tariff is their sum: the sheet keeps those
    printed figures as values, marked, and computes the rest from them."""
    from conftest import compute, waste_scenario

    data = waste_scenario()
    data["components"] = [{"id": "collection", "name": "Сбор и вывоз"}, {"id": "burial", "name": "Захоронение"}]
    data["cost_lines"][0]["component"] = "collection"
    data["cost_lines"][1]["component"] = "burial"
    for a in data["assets"]:
        a["component"] = "collection"
    result = compute(data)
    book = tariff_workbook(result, "ky")
    wb = openpyxl.load_workbook(io.BytesIO(book))
    ws = wb[t("xr_sheet_tariffs", "ky")]
    start = row_of(ws, t("xr_printed_tariffs", "ky"))
    for c in result.tariffs:
        r = row_of(ws, c.name.get("ky"), 1, start)
        printed = ws.cell(r, 10)  # the tariff with taxes per billing unit
        assert printed.data_type == "n" and printed.value == pytest.approx(c.tariff_som)
        assert printed.comment is not None and printed.comment.text == t("xr_program_value", "ky")
    assert any(ws.cell(r, 1).value == t("xr_program_values_note", "ky") for r in range(1, ws.max_row + 1))
    check(book, result, "ky", tmp_path)  # cash tariffs, revenue and totals still recompute


def test_the_water_produced_is_one_input_cell(results, tmp_path):
    """Pumping, chlorine and the cost per m3 delivered all follow the one cell of the water
    produced: changing it in Excel gives what the package gives for the file with that volume
    (two cells, one for the derivation and one for the rest, recomputed to neither)."""
    result = results["ak-bulak/water.yaml"]
    lang = "ru"
    data = tariff_workbook(result, lang)
    wb = openpyxl.load_workbook(io.BytesIO(data))
    inputs, calc = wb[t("xr_sheet_inputs", lang)], wb[t("xr_sheet_calculation", lang)]
    label = t("xr_in_produced", lang)
    cells = [c for row in inputs.iter_rows() for c in row if isinstance(c.value, str) and c.value.startswith(label[:12])]
    assert len(cells) == 1, [c.coordinate for c in cells]
    produced = f"B{cells[0].row}"
    assert inputs[produced].value == pytest.approx(215_000)
    requirement = f"C{row_of(calc, t('revenue_requirement', lang), 2)}"
    path = tmp_path / "book.xlsx"
    path.write_bytes(data)
    after = formulas.ExcelModel().loads(str(path)).finish().calculate(inputs={engine_key(inputs.title, produced): 225_000})
    water = result.scenario.water.model_copy(update={"produced": Quantity(value=225_000, unit="m3/year")})
    again = calculate_tariff(result.scenario.model_copy(update={"water": water}))
    assert after[engine_key(calc.title, requirement)].value[0, 0] == pytest.approx(again.revenue_requirement_som, abs=MONEY)

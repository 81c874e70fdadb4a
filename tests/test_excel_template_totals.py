"""The tariff template carries the калькуляция itself, live (issue 22): each cost line's som a
year, each asset's depreciation, and a summary sheet that adds the template's own cells up to
the revenue requirement as the package does. Recomputed by the `formulas` engine, each total
is the package's; the import skips the summary and the computed columns."""

from __future__ import annotations

import copy
import io
import json

import openpyxl
import pytest

from okmo_models.examples import example_path
from okmo_models.excel.choices import choice_label
from okmo_models.excel.layout import layout
from okmo_models.excel.sheets import TABLE_FIRST_ROW, TABLE_KEY_ROW
from okmo_models.excel.template import scenario_data, scenario_workbook, sheet_title, template_workbook
from okmo_models.excel.workbook_import import _validate, read_workbook
from okmo_models.i18n import t
from okmo_models.kinds import KINDS
from okmo_models.scenario.schema import COST_LINES
from okmo_models.tariff import TariffModel, calculate_tariff
from okmo_models.tariff.export import to_json
from own_formulas import is_own_formula
from reader_language import foreign_words
from test_excel_derivations import computed_values, value_at

SECTIONS = {s.id: s for s in layout("tariff")}
EXAMPLES = KINDS["tariff"].examples
WASTE = "teploklyuchenka/waste.yaml"


def book(tmp_path, data: dict, lang: str = "ru", name: str = "book.xlsx"):
    path = tmp_path / name
    path.write_bytes(scenario_workbook("tariff", data, lang, name))
    return path


def totals_title(lang: str = "ru") -> str:
    return t("xs_totals", lang)


def rows_by_label(ws) -> dict:
    return {ws.cell(r, 1).value: r for r in range(4, ws.max_row + 1) if ws.cell(r, 1).value}


class Totals:
    """The summary sheet of a workbook file as the engine recomputes it, found by its labels."""

    def __init__(self, path, lang: str = "ru"):
        self.wb = openpyxl.load_workbook(path)
        self.lang = lang
        self.ws = self.wb[totals_title(lang)]
        self.rows = rows_by_label(self.ws)
        self.values = computed_values(path)

    def __call__(self, key: str):
        label = t(key, self.lang) if not key.startswith("line:") else choice_label(
            "cost_lines", "line", key[5:], self.lang)
        return value_at(self.values, self.ws.title, f"B{self.rows[label]}")

    def column(self, section: str, key: str, row: int):
        ws = self.wb[sheet_title(SECTIONS[section], self.lang)]
        col = {c.value: c.column for c in ws[TABLE_KEY_ROW] if c.value}[key]
        return value_at(self.values, ws.title, f"{openpyxl.utils.get_column_letter(col)}{row}")


def package(path_or_scenario):
    model = TariffModel(path_or_scenario)
    return model, calculate_tariff(model)


# --- the package's figures, recomputed from the template's own cells ---------------------------


@pytest.mark.parametrize("example", EXAMPLES)
def test_the_summary_recomputes_the_package_s_calculation(tmp_path, example):
    _, data = scenario_data(example_path(example))
    totals = Totals(book(tmp_path, data))
    model, result = package(_validate("tariff", data, example_path(example)))
    by_kind = {kind: sum(ln.amount_som for ln in model.input_lines if ln.line == kind) for kind in COST_LINES}
    assert any(by_kind.values())
    for kind, amount in by_kind.items():  # the lines given and those derived, by kind
        assert totals(f"line:{kind}") == pytest.approx(amount, abs=0.01), kind
    social_fund, depreciation, landfill = (ln.amount_som for ln in model.derived_lines())
    assert totals("line_social_fund_auto") == pytest.approx(social_fund, abs=0.01)
    assert totals("xt_depreciation") == pytest.approx(depreciation, abs=0.01)
    assert totals("line_landfill_fee_auto") == pytest.approx(landfill, abs=0.01)
    assert totals("production_cost") == pytest.approx(result.production_cost_som, abs=0.01)
    assert totals("total_costs") == pytest.approx(result.costs_som, abs=0.01)
    assert totals("profit") == pytest.approx(result.profit_som, abs=0.01)
    assert totals("debt_service") == pytest.approx(result.debt_service_som, abs=0.01)
    assert totals("vat") == pytest.approx(result.vat_som, abs=0.01)
    assert totals("sales_tax") == pytest.approx(result.sales_tax_som, abs=0.01)
    # what `okmo tariff FILE --format json` prints
    printed = json.loads(to_json(calculate_tariff(example_path(example)), "en"))["revenue_requirement_som"]
    assert totals("revenue_requirement") == pytest.approx(printed, abs=0.01)
    # each given line's som a year, in its row of the cost lines sheet
    given = [c.annual_som() for c in model.scenario.cost_lines]
    assert [totals.column("cost_lines", "@annual_som", TABLE_FIRST_ROW + i) for i in range(len(given))] == \
        pytest.approx(given, abs=0.01)
    assert totals.column("cost_lines", "@annual_som", TABLE_FIRST_ROW + len(given)) == ""  # an empty row


def test_each_asset_s_depreciation_is_the_package_s(tmp_path):
    _, data = scenario_data(example_path(WASTE))  # the passport's assets, written inline
    totals = Totals(book(tmp_path, data))
    model, _ = package(_validate("tariff", data, example_path(WASTE)))
    charges = [r["charge_som"] if r["in_tariff"] else 0.0 for r in model.asset_rows]
    assert len(charges) == 8 and sum(charges) > 0
    assert [totals.column("assets", "@depreciation", TABLE_FIRST_ROW + i) for i in range(8)] == pytest.approx(
        charges, abs=0.01)


def test_a_last_partial_year_a_lessee_and_other_units_are_the_package_s(tmp_path):
    _, data = scenario_data(example_path(WASTE))
    data = copy.deepcopy(data)
    year = data["tariff_year"]
    data["assets"] = [
        # 2,5 years from two years before: the last half year's charge, 200 of 1 000 thousand som... a year
        {"name": {"ru": "Пресс", "ky": "Пресс"}, "value": {"value": 1_000, "unit": "thousand_som"},
         "year": year - 2, "useful_life": {"value": 2.5, "unit": "year"}, "source": "assumption"},
        {"name": {"ru": "Склад", "ky": "Кампа"}, "value": {"value": 900_000, "unit": "som"},
         "year": year + 1, "useful_life": {"value": 10, "unit": "year"}, "source": "assumption"},  # not yet
        {"name": {"ru": "Полигон", "ky": "Полигон"}, "value": {"value": 600_000, "unit": "som"},
         "year": year - 1, "useful_life": {"value": 6, "unit": "year"}, "owner": "municipality",
         "source": "assumption"},
    ]
    data["debt_service"] = [{"name": {"ru": "Кредит", "ky": "Кредит"}, "amount": {"value": 10, "unit": "thousand_som/year"},
                             "source": "assumption"}]
    data["cost_lines"].append({"line": "rent", "name": {"ru": "Аренда", "ky": "Ижара"},
                               "quantity": {"value": 12, "unit": "month/year"},
                               "price": {"value": 2_000, "unit": "som/month"}, "source": "assumption"})
    for operator_type in ("municipal_enterprise", "lessee"):
        data["operator"]["type"] = operator_type
        totals = Totals(book(tmp_path, data, name=f"{operator_type}.xlsx"))
        model, result = package(_validate("tariff", data, example_path(WASTE)))
        # 1 000 000 / 2,5 = 400 000 a year, 800 000 written off: 200 000 left; the landfill 100 000 a year
        municipal = 0 if operator_type == "lessee" else 100_000
        assert totals("xt_depreciation") == pytest.approx(200_000 + municipal)
        assert totals("xt_depreciation") == pytest.approx(model.depreciation_som)
        assert totals("line:rent") == pytest.approx(24_000)
        assert totals("debt_service") == pytest.approx(10_000)
        assert totals("revenue_requirement") == pytest.approx(result.revenue_requirement_som, abs=0.01)


# --- a changed input moves the requirement as the package would ---------------------------------


def _edit_and_recompute(path, section: str, key: str, row: int, value, lang: str = "ru"):
    wb = openpyxl.load_workbook(path)
    ws = wb[sheet_title(SECTIONS[section], lang)]
    col = {c.value: c.column for c in ws[TABLE_KEY_ROW] if c.value}[key]
    ws.cell(row, col).value = value
    wb.save(path)
    return Totals(path, lang)


def test_changing_a_price_or_a_salary_moves_the_requirement_by_the_hand_computed_amount(tmp_path):
    _, data = scenario_data(example_path(WASTE))
    path = book(tmp_path, data)
    before = Totals(path)("revenue_requirement")
    # the waste operator: 5 % profitability, no VAT, 3 % sales tax on a service without VAT
    margin, taxes = 1.05, 1.03
    i = next(i for i, c in enumerate(data["cost_lines"]) if c["line"] == "electricity")
    assert data["cost_lines"][i]["quantity"] == {"value": 4_000, "unit": "kWh/year"}
    # 2,87 -> 3,87 som/kWh: 4 000 kWh x 1 som more
    after = _edit_and_recompute(path, "cost_lines", "price", TABLE_FIRST_ROW + i, 3.87)("revenue_requirement")
    assert after - before == pytest.approx(4_000 * 1 * margin * taxes, abs=0.01)
    # the drivers' salary 16 000 -> 17 000 som a month: 2 x 1 000 x 1,25 x 12 = 30 000 som of wages,
    # and 17,25 % of it to the Social Fund
    later = _edit_and_recompute(path, "staffing.positions", "salary", TABLE_FIRST_ROW, 17_000)("revenue_requirement")
    assert later - after == pytest.approx(30_000 * 1.1725 * margin * taxes, abs=0.01)


def test_a_unit_outside_the_list_gives_no_requirement_rather_than_a_wrong_one(tmp_path):
    _, data = scenario_data(example_path(WASTE))
    path = book(tmp_path, data)
    i = next(i for i, c in enumerate(data["cost_lines"]) if "amount" in c)
    totals = _edit_and_recompute(path, "cost_lines", "amount.unit", TABLE_FIRST_ROW + i, "сом/квартал")
    assert totals("xt_units_outside") == 1
    requirement = totals.values[totals.ws.title.upper(), f"B{totals.rows[t('revenue_requirement', 'ru')]}"]
    assert "N/A" in str(requirement)
    _, back, _ = read_workbook(path, "ru")  # the import reads the unit itself: four quarters a year
    amount = data["cost_lines"][i]["amount"]["value"]
    assert _validate("tariff", back, path).cost_lines[i].annual_som() == pytest.approx(4 * amount)


def test_a_blank_template_computes_to_zero_without_errors(tmp_path):
    path = tmp_path / "blank.xlsx"
    path.write_bytes(template_workbook("tariff", "ru"))
    totals = Totals(path)
    cells = {cell: v for (title, cell), v in totals.values.items() if title == totals.ws.title.upper()
             and cell.startswith("B") and int(cell[1:]) > 3}
    numbers = {cell: v for cell, v in cells.items() if not isinstance(v, str) or v != ""}
    assert numbers and all(isinstance(float(v), float) for v in numbers.values()), numbers
    rates = {totals.rows[t(k, "ru")] for k in ("xt_social_fund_rate", "xt_vat_rate", "xt_sales_tax_rate",
                                                 "xt_sales_tax_rate_not_vat")}
    assert all(float(v) == 0 for cell, v in numbers.items() if int(cell[1:]) not in rates)
    assert totals("revenue_requirement") == 0


# --- the import, the words, the formulas ------------------------------------------------------------


@pytest.mark.parametrize("lang", ("ru", "ky"))
def test_the_import_gives_the_same_scenario_and_skips_the_summary_and_the_new_columns(tmp_path, lang):
    for example in EXAMPLES:
        _, data = scenario_data(example_path(example))
        path = book(tmp_path, data, lang, name=example.replace("/", "_") + ".xlsx")
        wb = openpyxl.load_workbook(path)
        assert totals_title(lang) in wb.sheetnames
        assert ["computed", "@totals", totals_title(lang)] in [[c.value for c in r if c.value is not None]
                                                                for r in wb["_okmo"].iter_rows()]
        _, back, warnings = read_workbook(path, lang)
        assert warnings == []  # no note of a sheet the template does not know
        assert _validate("tariff", back, path) == _validate("tariff", data, example_path(example))


def test_the_summary_and_the_columns_speak_the_reader_s_language(tmp_path):
    _, data = scenario_data(example_path(WASTE))
    for lang in ("ru", "ky"):
        for content in (scenario_workbook("tariff", data, lang, "waste.yaml"), template_workbook("tariff", lang)):
            wb = openpyxl.load_workbook(io.BytesIO(content))
            ws = wb[totals_title(lang)]
            # labels, headings and how each figure is computed; a rate's cited source is its own text
            text = "\n".join(str(c.value).split(t("xt_how_rate", lang).split("{source}")[0][-12:])[0]
                             for row in ws.iter_rows(max_col=3) for c in row
                             if isinstance(c.value, str) and c.data_type != "f")
            assert not foreign_words(text), foreign_words(text)
            for section, key in (("cost_lines", "@annual_som"), ("assets", "@depreciation")):
                sheet = wb[sheet_title(SECTIONS[section], lang)]
                col = {c.value: c.column for c in sheet[TABLE_KEY_ROW] if c.value}[key]
                heading = sheet.cell(3, col).value
                assert heading == t("xc_" + key[1:], lang) and not foreign_words(heading)


def test_every_formula_is_the_package_s_own_and_no_text_of_the_data_enters_one(tmp_path):
    _, data = scenario_data(example_path(WASTE))
    data = copy.deepcopy(data)
    hostile = '=HYPERLINK("http://x","click")'
    data["cost_lines"][0]["name"] = {"ru": hostile, "ky": hostile}
    data["assets"][0]["name"] = {"ru": "+1+2", "ky": "+1+2"}
    for lang in ("ru", "ky", "en"):
        for content in (scenario_workbook("tariff", data, lang, "waste.yaml"), template_workbook("tariff", lang)):
            wb = openpyxl.load_workbook(io.BytesIO(content))
            formulas = [c.value for ws in wb for row in ws.iter_rows() for c in row if c.data_type == "f"]
            summary = [c.value for row in wb[totals_title(lang)].iter_rows() for c in row if c.data_type == "f"]
            assert summary and set(summary) <= set(formulas)
            assert all(is_own_formula(f) for f in formulas), [f for f in formulas if not is_own_formula(f)][:3]
            assert not any("HYPERLINK" in f or "+1+2" in f for f in formulas)

"""Cells whose Excel number format shows another number than the one stored (issue 13, "no
silent misreads"): a value is read as the economist saw it, or refused with both readings.

Each workbook is one the package wrote (``okmo template --from``) with cells then set as a
person would type them in Excel: a value and its number format.
"""

from __future__ import annotations

import io
import json
from datetime import datetime

import openpyxl
import pytest
import yaml

from okmo_models.errors import ScenarioError
from okmo_models.i18n import t
from okmo_models.excel.layout import layout
from okmo_models.excel.template import scenario_data, scenario_workbook, template_workbook
from okmo_models.excel.workbook_import import read_workbook
from test_excel import ROOT, column, okmo, record_row, sheet

WASTE = ROOT / "scenarios/teploklyuchenka/waste.yaml"


def waste_book():
    """The waste example written into its workbook, opened for editing."""
    kind, data = scenario_data(WASTE)
    return openpyxl.load_workbook(io.BytesIO(scenario_workbook(kind, data, "en")))


def general_cell(wb, key: str):
    """The value cell (column E) of ``key`` on the general sheet."""
    ws = sheet(wb, "tariff", "general", "en")
    return ws.cell(row=record_row(ws, key), column=5)


def table_cell(wb, section: str, key: str, row: int = 6):
    ws = sheet(wb, "tariff", section, "en")
    return ws.cell(row=row, column=column(ws, key))


def amount_row(wb) -> int:
    """The first cost line given by an amount (not quantity times price)."""
    ws = sheet(wb, "tariff", "cost_lines", "en")
    return next(r for r in range(6, ws.max_row + 1) if ws.cell(r, column(ws, "amount")).value)


def uncertain_row(wb) -> int:
    """The first cost line with an uncertainty (its low and high both given)."""
    ws = sheet(wb, "tariff", "cost_lines", "en")
    return next(r for r in range(6, ws.max_row + 1) if ws.cell(r, column(ws, "uncertainty.low")).value is not None)


def put(cell, value, number_format="General"):
    cell.value = value
    cell.number_format = number_format


def read(tmp_path, wb):
    book = tmp_path / "book.xlsx"
    wb.save(book)
    return read_workbook(book, "en")[1]


def refused(tmp_path, wb) -> ScenarioError:
    book = tmp_path / "book.xlsx"
    wb.save(book)
    with pytest.raises(ScenarioError) as info:
        read_workbook(book, "en")
    return info.value


def problem_at(error: ScenarioError, cell) -> tuple:
    """``(key, value, context)`` of the one problem at ``cell``."""
    where = f"{cell.parent.title}!{cell.coordinate}"
    found = [p for p in error.problems if p.path == (where,)]
    assert len(found) == 1, (where, error.render("en"))
    return found[0].key, found[0].value, found[0].context


# --- percentages ---------------------------------------------------------------------------


def test_seventy_percent_typed_in_a_template_is_imported_as_seventy_percent(tmp_path):
    # the measured bug: Excel stores 70% as 0.7 with a percent format; it was read as 0.7 %
    wb = waste_book()
    put(general_cell(wb, "collection_rate"), 0.7, "0%")
    book = tmp_path / "waste.xlsx"
    wb.save(book)
    proc = okmo("import", str(book), "--lang", "en")
    assert proc.returncode == 0, proc.stderr
    imported = yaml.safe_load((tmp_path / "waste.yaml").read_text(encoding="utf-8"))
    assert imported["collection_rate"] == {"value": 70, "unit": "%"}


def test_a_percent_formatted_cell_is_read_as_the_percentage_it_shows(tmp_path):
    wb = waste_book()
    put(general_cell(wb, "collection_rate"), 1, "0%")  # 100 %
    put(general_cell(wb, "profitability"), 0.125, "0.0%")  # 12.5 %
    row = uncertain_row(wb)
    put(table_cell(wb, "cost_lines", "uncertainty.low", row), -0.07, "0.00%")  # -7 %, no float noise
    put(table_cell(wb, "categories", "collection_rate", 7), 0.005, "0.0%")  # 0.5 %
    data = read(tmp_path, wb)
    assert data["collection_rate"] == {"value": 100, "unit": "%"}
    assert data["profitability"] == {"value": 12.5, "unit": "%"}
    assert data["cost_lines"][row - 6]["uncertainty"]["low"] == {"value": -7, "unit": "%"}
    assert data["categories"][1]["collection_rate"] == {"value": 0.5, "unit": "%"}


def test_templates_format_every_percent_input_as_a_percentage():
    blank = openpyxl.load_workbook(io.BytesIO(template_workbook("tariff", "en")))
    assert "%" in general_cell(blank, "collection_rate").number_format
    assert "%" in table_cell(blank, "categories", "collection_rate").number_format
    assert "%" not in table_cell(blank, "cost_lines", "price").number_format
    # a scenario written out: its % values as the percentages Excel shows, other values as they are
    wb = waste_book()
    rate = general_cell(wb, "collection_rate")
    assert (rate.value, "%" in rate.number_format) == (0.65, True)
    row = uncertain_row(wb)
    low = table_cell(wb, "cost_lines", "uncertainty.low", row)
    given = scenario_data(WASTE)[1]["cost_lines"][row - 6]["uncertainty"]["low"]
    assert (low.value, "%" in low.number_format) == (given["value"] / 100, True)
    amount = table_cell(wb, "cost_lines", "amount", amount_row(wb))
    assert (amount.value, amount.number_format) == (45000, "General")


def test_every_percent_only_input_of_every_template_is_formatted_as_a_percentage():
    checked = 0
    for kind in ("tariff", "budget", "programme"):
        wb = openpyxl.load_workbook(io.BytesIO(template_workbook(kind, "en")))
        for s in layout(kind):
            ws = sheet(wb, kind, s.id, "en")
            for inp in s.inputs:
                if inp.kind != "quantity" or inp.units != ("%",):
                    continue
                cell = (ws.cell(row=record_row(ws, inp.key), column=5) if s.shape == "record"
                        else ws.cell(row=6, column=column(ws, inp.key or "@value")))
                assert "%" in cell.number_format, (kind, s.id, inp.key, cell.number_format)
                checked += 1
    assert checked >= 20  # collection rates, losses, shares, CPI, interest rates...


def test_a_share_between_0_and_1_in_a_plain_cell_with_the_unit_percent_is_refused(tmp_path):
    wb = waste_book()
    rate = general_cell(wb, "collection_rate")
    put(rate, 0.7)  # 0.7 % or 70 %?
    row = uncertain_row(wb)
    low = table_cell(wb, "cost_lines", "uncertainty.low", row)
    put(low, -0.1, "0.00")  # a Number format is no percentage either: -0.1 % or -10 %?
    error = refused(tmp_path, wb)
    assert problem_at(error, rate) == ("xl_share_ambiguous", 0.7, {
        "field": "collection_rate", "first": "0.7 %", "second": "70 %"})
    assert problem_at(error, low) == ("xl_share_ambiguous", -0.1, {
        "field": f"cost_lines[{row - 5}].uncertainty.low", "first": "-0.1 %", "second": "-10 %"})
    text = error.render("en")
    assert f"sheet '{rate.parent.title}', cell {rate.coordinate} (collection_rate)" in text
    assert "0.7 % or 70 %" in text


def test_whole_and_zero_shares_in_a_plain_cell_are_read_as_written(tmp_path):
    wb = waste_book()
    put(general_cell(wb, "collection_rate"), 70)
    put(general_cell(wb, "profitability"), 0)
    row = uncertain_row(wb)
    put(table_cell(wb, "cost_lines", "uncertainty.high", row), 1)
    data = read(tmp_path, wb)
    assert data["collection_rate"] == {"value": 70, "unit": "%"}
    assert data["profitability"] == {"value": 0, "unit": "%"}
    assert data["cost_lines"][row - 6]["uncertainty"]["high"] == {"value": 1, "unit": "%"}


def test_a_percentage_next_to_another_unit_or_in_a_plain_number_is_refused(tmp_path):
    wb = waste_book()
    amount = table_cell(wb, "cost_lines", "amount", amount_row(wb))
    put(amount, 0.7, "0%")  # shows 70% beside som/year
    multiplier = table_cell(wb, "categories", "multiplier", 8)
    put(multiplier, 1.5, "0%")  # shows 150% where a plain number is asked
    error = refused(tmp_path, wb)
    key, value, context = problem_at(error, amount)
    assert (key, value, context["first"], context["second"]) == (
        "xl_percent_other_unit", "70%", "0.7 som/year", "70 som/year")
    key, value, context = problem_at(error, multiplier)
    assert (key, value, context["first"], context["second"]) == ("xl_percent_plain_number", "150%", "1.5", "150")


def test_a_literal_percent_sign_in_the_format_does_not_scale(tmp_path):
    wb = waste_book()
    put(general_cell(wb, "collection_rate"), 70, '0.0"%"')  # shows 70.0%, holds 70
    assert read(tmp_path, wb)["collection_rate"] == {"value": 70, "unit": "%"}


# --- thousands, text numbers, dates ---------------------------------------------------------


@pytest.mark.parametrize("number_format, shown", [("#,##0,", "20500"), ('0.0,,"M"', "20.5")])
def test_a_format_that_divides_by_a_thousand_is_refused_with_both_readings(tmp_path, number_format, shown):
    wb = waste_book()
    amount = table_cell(wb, "cost_lines", "amount", amount_row(wb))
    put(amount, 20_500_000, number_format)
    error = refused(tmp_path, wb)
    key, value, context = problem_at(error, amount)
    assert (key, value, context["shown"], context["format"]) == ("xl_scaled_number", 20_500_000, shown, number_format)
    assert f"shows it as {shown}" in error.render("en")


@pytest.mark.parametrize("text, first, second", [("20,500", "20.5", "20500"), ("1.500", "1.5", "1500")])
def test_a_number_stored_as_text_with_one_separator_before_three_digits_is_refused(tmp_path, text, first, second):
    wb = waste_book()
    amount = table_cell(wb, "cost_lines", "amount", amount_row(wb))
    put(amount, text, "@")
    error = refused(tmp_path, wb)
    assert problem_at(error, amount) == ("xl_text_number_ambiguous", text, {
        "field": f"cost_lines[{amount.row - 5}].amount", "first": first, "second": second})
    assert f"{first} or {second}" in error.render("en")


def test_percentages_and_numbers_stored_as_text(tmp_path):
    wb = waste_book()
    put(general_cell(wb, "collection_rate"), "70%", "@")
    put(general_cell(wb, "profitability"), "2,5 %", "@")
    put(table_cell(wb, "cost_lines", "amount", amount_row(wb)), "1 234,5", "@")
    data = read(tmp_path, wb)
    assert data["collection_rate"] == {"value": 70, "unit": "%"}
    assert data["profitability"] == {"value": 2.5, "unit": "%"}
    assert data["cost_lines"][amount_row(wb) - 6]["amount"] == {"value": 1234.5, "unit": "som/year"}
    wb = waste_book()
    amount = table_cell(wb, "cost_lines", "amount", amount_row(wb))
    put(amount, "70%", "@")
    key, value, context = problem_at(refused(tmp_path, wb), amount)
    assert (key, value, context["first"], context["second"]) == (
        "xl_percent_other_unit", "70%", "0.7 som/year", "70 som/year")


def test_dates_and_times_in_number_cells_are_refused(tmp_path):
    wb = waste_book()
    amount = table_cell(wb, "cost_lines", "amount", amount_row(wb))
    put(amount, datetime(2026, 5, 1), "dd.mm.yyyy")  # "1.5" typed in a Russian Excel
    price = table_cell(wb, "cost_lines", "price")
    put(price, 0.5, "[h]:mm")  # a duration: 12:00
    error = refused(tmp_path, wb)
    assert problem_at(error, amount)[0] == "xl_date_not_number"
    assert problem_at(error, price)[:2] == ("xl_date_not_number", "12:00:00")


def test_the_fields_issue_13_added_round_trip_through_excel_with_labels(tmp_path):
    """Rounding, components, floor area and an empty list override (no VAT-exempt service):
    the review found the list written as an empty cell, which read back as "not given", and
    the new sheets and columns headed by their code names."""
    source = ROOT / "tests" / "data" / "issue13_fields.yaml"
    book, back = tmp_path / "fields.xlsx", tmp_path / "fields.yaml"
    assert okmo("template", "--from", str(source), "-o", str(book)).returncode == 0
    proc = okmo("import", str(book), "-o", str(back))
    assert proc.returncode == 0, proc.stderr
    first, second = (okmo("tariff", str(p), "--format", "json").stdout for p in (source, back))
    strip = lambda text: {k: v for k, v in json.loads(text).items() if k not in ("scenario", "computed_on", "inputs")}  # noqa: E731
    assert strip(first) == strip(second)
    wb = openpyxl.load_workbook(book)
    texts = {str(c.value) for ws in wb.worksheets for row in ws.iter_rows(max_row=12) for c in row if c.value}
    assert {"Округление", "Составляющие тарифа"} <= {ws.title for ws in wb.worksheets}
    # every new input is labelled in Russian beside its key (the key row keeps the code)
    for field in ("area", "fixed_tariff_taxes", "component", "items", "mode", "step"):
        assert any(text.startswith(t(f"xf_{field}", "ru")) for text in texts), field

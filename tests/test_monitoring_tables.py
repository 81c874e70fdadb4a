"""The monthly tables of monitoring read from CSV and Excel (okmo_models/monitoring/tables_in.py)
and the templates that write them (template.py): every refusal names the cell and the value."""

from __future__ import annotations

import datetime as dt
import hashlib
import io
from pathlib import Path

import pytest

from okmo_models.i18n import t
from okmo_models.monitoring.model import unit_code
from openpyxl import Workbook, load_workbook

from okmo_models.errors import ScenarioError
from okmo_models.monitoring.tables_in import (
    STATUS_WORDS,
    read_actuals,
    read_instructions,
    status_code,
    status_words,
)
from okmo_models.excel.monitoring_template import actuals_workbook, instructions_workbook

DATA = Path(__file__).parent / "data" / "monitoring"
HEAD = "indicator;unit;2027-01;2027-02;2027-03;reason"


def _csv(tmp_path, text: str, name: str = "actuals.csv", encoding: str = "utf-8") -> Path:
    path = tmp_path / name
    path.write_bytes(text.encode(encoding))
    return path


def _xlsx(tmp_path, rows: list[list], sheet: str = "actuals", name: str = "actuals.xlsx", formats=None) -> Path:
    wb = Workbook()
    ws = wb.active
    ws.title = sheet
    for r, row in enumerate(rows, start=1):
        for c, value in enumerate(row, start=1):
            if value is not None:
                ws.cell(row=r, column=c, value=value)
    for ref, number_format in (formats or {}).items():
        ws[ref].number_format = number_format
    path = tmp_path / name
    wb.save(path)
    return path


def _refused(read, *args, **kwargs) -> ScenarioError:
    with pytest.raises(ScenarioError) as info:
        read(*args, **kwargs)
    return info.value


def _only(exc: ScenarioError):
    assert len(exc.problems) == 1, exc.render("en")
    return exc.problems[0]


# --- actuals: good tables ---------------------------------------------------------------------

def test_actuals_csv_cp1251_semicolons_decimal_comma():
    path = DATA / "actuals_cp1251.csv"
    table = read_actuals(path, 2027)
    assert table.period_kind == "month"
    assert table.periods == ("2027-01", "2027-02", "2027-03", "2027-04")
    assert [r.indicator for r in table.rows] == ["tariff.waste.billed", "tariff.waste.collected", "budget.land_tax",
                                                 "programme.green_zone.green_area", "programme.roads.repaired_km"]
    billed, collected, land, green, roads = table.rows
    assert dict(billed.values) == {"2027-01": 398517.0, "2027-02": 398517.5, "2027-03": 401000.0}
    assert collected.values["2027-03"] == 270100.25
    assert collected.reason == "Долги частного сектора: 412 домов не платят с весны"  # read as Windows-1251
    assert billed.reason is None and billed.name == "Начислено за вывоз мусора"
    assert land.unit == "thousand_som" and dict(land.values) == {"2027-01": 120.0, "2027-02": 95.5}
    assert green.values["2027-04"] == 4.5 and green.line == 6  # the empty line 5 is skipped
    assert roads.values == {} and roads.unit == "km"  # nothing reported yet: kept
    assert table.input.role == "actuals" and table.input.sha256 == hashlib.sha256(path.read_bytes()).hexdigest()
    assert table.sheet is None and table.year == 2027


def test_actuals_row_locates_its_cells_for_the_model():
    table = read_actuals(DATA / "actuals_cp1251.csv", 2027)
    green = table.row("programme.green_zone.green_area")
    assert green.where("unit") == ("B6",) and green.where("2027-02") == ("E6",)
    assert green.where("no such column") == ("A6",)
    text = table.error([green.problem("indicator", "mtab_indicator_missing", green.indicator)]).render("en")
    assert "actuals_cp1251.csv" in text and "cell A6" in text and "'programme.green_zone.green_area'" in text


def test_actuals_quarters_with_a_declared_decimal_mark(tmp_path):
    text = "indicator,unit,2027-Q1,2027-Q2,reason\nbudget.land_tax,thousand_som,\"5,575\",12,\n"
    path = _csv(tmp_path, text)
    refused = _refused(read_actuals, path, 2027)
    problem = _only(refused)
    assert problem.path == ("C2",) and problem.key == "mtab_ambiguous_number"
    for lang in ("ru", "en"):  # both readings named
        words = "5,575 (" if lang == "en" else "5\u00a0575 ("
        assert words in refused.render(lang)
    table = read_actuals(path, 2027, decimal_mark=",")
    assert table.period_kind == "quarter" and table.periods == ("2027-Q1", "2027-Q2")
    assert dict(table.rows[0].values) == {"2027-Q1": 5.575, "2027-Q2": 12.0}
    assert read_actuals(path, 2027, decimal_mark=".").rows[0].values["2027-Q1"] == 5575.0


def test_actuals_xlsx_sheet_fact_with_dates_as_headings_and_numbers(tmp_path):
    rows = [["Indicator", "Unit", "name", dt.datetime(2027, 1, 1), "2027-02", "2027-03", "reason"],
            ["tariff.waste.billed", "som", "Начислено", 398517, 398517.5, "401 000", None],
            [None, None, None, None, None, None, None],
            ["programme.x.share", "%", None, 0.7, None, None, "Причина"]]
    path = _xlsx(tmp_path, rows, sheet="Факт", formats={"D4": "0%"})
    table = read_actuals(path, 2027)
    assert table.sheet == "Факт" and table.periods == ("2027-01", "2027-02", "2027-03")
    billed, share = table.rows
    assert dict(billed.values) == {"2027-01": 398517.0, "2027-02": 398517.5, "2027-03": 401000.0}
    assert share.values == {"2027-01": 70.0} and share.reason == "Причина"  # 70 % read as shown
    assert share.where("unit") == ("Факт!B4",)
    text = table.error([share.problem("unit", "mtab_unit_missing")]).render("ru")
    assert "лист «Факт», ячейка B4" in text
    assert table.input.sha256 == hashlib.sha256(path.read_bytes()).hexdigest()


# --- actuals: refusals, each at its cell with its value --------------------------------------

@pytest.mark.parametrize("body, cell, key, value, ru, en", [
    ("a.b;som;1;2;3;\na.b;som;4;;;\n", "A3", "mtab_indicator_twice", "a.b", "строке 2", "row 2"),
    ("a.b;som;1;;3;\n", "E2", "mtab_gap", "3", "2027-02 пуст", "Month (period) 2027-02 is empty"),
    ("a.b;;1;;;\n", "B2", "mtab_unit_missing", None, "единица измерения", "unit of the row's numbers"),
    ("a.b;som;1;много;;\n", "D2", "mtab_not_a_number", "много", "за 2027-02 должно быть числом",
     "for 2027-02 must be a number"),
    (";som;1;;;\n", "A2", "mtab_indicator_missing", None, "код показателя", "no indicator id"),
    ("a.b;som;1;;;;7\n", "G2", "mtab_no_heading", "7", "нет заголовка", "no heading"),
    ("a.b;som;1e999;;;\n", "C2", "mtab_not_a_number", "1e999", "числом", "a number"),
    ("a.b;som;99 999 999 999 999 999;;;\n", "C2", "number_not_plausible", "99 999 999 999 999 999", "", ""),
])
def test_actuals_row_refused(tmp_path, body, cell, key, value, ru, en):
    path = _csv(tmp_path, HEAD + "\n" + body)
    exc = _refused(read_actuals, path, 2027)
    problem = _only(exc)
    assert (problem.path, problem.key, problem.value) == ((cell,), key, value)
    for lang, words in (("ru", ru), ("en", en)):
        text = exc.render(lang)
        assert "actuals.csv" in text and cell in text and words in text
        assert value is None or f"'{value}'" in text
    assert problem.line == int(cell[1:])


@pytest.mark.parametrize("head, cell, key, value, en", [
    ("indicator;unit;2026-01;reason", "C1", "mtab_period_year", "2026-01", "not in 2027"),
    ("indicator;unit;2027-01;2027-Q2;reason", "D1", "mtab_period_mixed", "2027-Q2", "mixes months and quarters"),
    ("indicator;unit;2027-01;2027-13;reason", "D1", "mtab_period_bad", "2027-13", "YYYY-MM"),
    ("indicator;unit;2027-01;2027-03;reason", "D1", "mtab_period_order", "2027-03", "2027-02 was expected"),
    ("indicator;unit;2027-01;2027-01;reason", "D1", "mtab_period_twice", "2027-01", "already in the table"),
    ("indicator;unit;2027-02;2027-03;reason", "C1", "mtab_period_order", "2027-02", "2027-01 was expected"),
    ("indicator;unit;2027-01;comment", "D1", "mtab_header_unknown", "comment", "«indicator»"),
    ("indicator;2027-01;reason", "D1", "mtab_column_missing", "unit", "the unit of the row's numbers"),
    ("indicator;unit;unit;2027-01", "C1", "mtab_header_twice", "unit", "already in cell B1"),
    ("indicator;unit;reason", "D1", "mtab_no_periods", None, "no period column"),
])
def test_actuals_header_refused(tmp_path, head, cell, key, value, en):
    path = _csv(tmp_path, head + "\na.b;som;1\n")
    exc = _refused(read_actuals, path, 2027)
    problem = _only(exc)
    assert (problem.path, problem.key, problem.value) == ((cell,), key, value)
    assert en in exc.render("en") and f"cell {cell}" in exc.render("en")
    assert f"ячейка {cell}" in exc.render("ru")


def test_actuals_header_messages_name_the_column_in_words(tmp_path):
    exc = _refused(read_actuals, _csv(tmp_path, "indicator;2027-01\na;1\n"), 2027)
    assert "«единица» (единица измерения чисел строки)" in exc.render("ru")  # the heading the template writes
    assert "(саптагы сандардын өлчөө бирдиги)" in exc.render("ky")
    exc = _refused(read_actuals, _csv(tmp_path, "indicator;unit;2027-01;комментарий\na;som;1\n"), 2027)
    assert "«indicator» (the indicator's id), «unit» (the unit of the row's numbers)" in exc.render("en")
    assert "ГГГГ-ММ" in exc.render("ru")


def test_month_headings_excel_saved_as_dates_are_months(tmp_path):
    table = read_actuals(_csv(tmp_path, "indicator;unit;01.01.2027;2027-02-01;2027-3\na;som;1;2;3\n"), 2027)
    assert table.periods == ("2027-01", "2027-02", "2027-03")
    assert dict(table.rows[0].values) == {"2027-01": 1.0, "2027-02": 2.0, "2027-03": 3.0}
    assert table.rows[0].where("2027-03") == ("E2",)
    exc = _refused(read_actuals, _csv(tmp_path, "indicator;unit;15.01.2027\na;som;1\n"), 2027)
    assert _only(exc).key == "mtab_period_bad" and "'2027-01" in exc.render("en")


def test_control_character_refused_before_it_is_echoed(tmp_path):
    exc = _refused(read_actuals, _csv(tmp_path, HEAD + "\na.b\x1b[31m;som;1;;;\n"), 2027)
    problem = _only(exc)
    assert (problem.path, problem.key) == (("A2",), "csv_control_char")
    assert "\x1b" not in exc.render("en") and "0x1B" in exc.render("en")


def test_empty_table_refused(tmp_path):
    exc = _refused(read_actuals, _csv(tmp_path, ""), 2027)
    assert _only(exc).key == "mtab_header_empty" and "first row is empty" in exc.render("en")


def test_actuals_xlsx_cells_refused_by_sheet_and_cell(tmp_path):
    rows = [["indicator", "unit", "2027-01", "2027-02", "2027-03", "reason"],
            ["a.b", "som", "=1/0", None, None, None],
            ["c.d", "som", dt.datetime(2027, 3, 1), None, None, None],
            ["e.f", "som", 0.5, None, None, None],
            ["g.h", "som", 1, "два", None, None],
            ["i.j", "som", "#N/A", None, None, None]]  # openpyxl writes "#N/A" as an error value
    path = _xlsx(tmp_path, rows, formats={"C4": "0%"})
    # a formula openpyxl wrote has no computed value: it is named as such
    exc = _refused(read_actuals, path, 2027)
    found = {p.path[0]: (p.key, p.value) for p in exc.problems}
    assert found == {"actuals!C2": ("xl_formula_without_value", "=1/0"),
                     "actuals!C3": ("xl_date_not_number", "2027-03-01"),
                     "actuals!C4": ("mtab_percent_cell", "50%"),
                     "actuals!D5": ("mtab_not_a_number", "два"),
                     "actuals!C6": ("xl_error_value", "#N/A")}
    text = exc.render("ru")
    assert "лист «actuals», ячейка D5" in text and "'два'" in text
    assert "Excel хранит 0.5, а показывает 50 %" in text
    assert "sheet 'actuals', cell C3" in exc.render("en")


def test_actuals_gap_refused_in_a_workbook(tmp_path):
    rows = [["indicator", "unit", "2027-01", "2027-02", "2027-03"], ["a.b", "som", 1, None, 3]]
    exc = _refused(read_actuals, _xlsx(tmp_path, rows), 2027)
    problem = _only(exc)
    assert problem.path == ("actuals!E2",) and problem.key == "mtab_gap"
    assert "2027-02 is empty" in exc.render("en")


@pytest.mark.parametrize("name", ["actuals.xls", "actuals.txt", "actuals"])
def test_other_extensions_refused_in_words(tmp_path, name):
    path = tmp_path / name
    path.write_text(HEAD + "\n", encoding="utf-8")
    exc = _refused(read_actuals, path, 2027)
    assert _only(exc).key == "mtab_extension"
    assert ".csv or .xlsx" in exc.render("en") and "«Книга Excel (*.xlsx)»" in exc.render("ru")
    assert ".xlsx" in exc.render("ky")


def test_workbook_without_the_sheet_names_its_sheets(tmp_path):
    path = _xlsx(tmp_path, [["indicator", "unit", "2027-01"]], sheet="Лист1")
    exc = _refused(read_actuals, path, 2027)
    assert _only(exc).key == "mtab_no_sheet"
    assert "«Лист1»" in exc.render("en") and "«actuals», «факт», «факты», «fact»" in exc.render("en")
    exc = _refused(read_instructions, path)
    assert "«Лист1»" in exc.render("ru") and "«instructions», «поручения», «тапшырмалар»" in exc.render("ru")


def test_a_csv_named_xlsx_is_named_for_what_it_is(tmp_path):
    path = _csv(tmp_path, HEAD + "\n", name="actuals.xlsx")
    assert _only(_refused(read_actuals, path, 2027)).key == "xl_is_text"


def test_missing_file_named(tmp_path):
    assert _only(_refused(read_actuals, tmp_path / "none.csv", 2027)).key == "file_not_found"


# --- instructions ---------------------------------------------------------------------------

def test_instructions_csv_dates_and_status_words():
    path = DATA / "instructions.csv"
    table = read_instructions(path)
    p1, p2, p3, p4 = table.instructions
    assert (p1.id, p1.status, p1.issued, p1.due, p1.done_on) == (
        "P-01", "done", dt.date(2027, 7, 12), dt.date(2027, 8, 31), dt.date(2027, 8, 25))
    assert p1.responsible == "Директор МП «Таза Айыл»" and p1.reason is None and p1.decision is None
    assert (p2.status, p2.issued, p2.due) == ("in_progress", dt.date(2027, 7, 12), dt.date(2027, 9, 15))
    assert p2.reason == "Нет согласия села Ак-Добо" and p2.decision == "Продлить срок до 01.11.2027"
    assert p3.status == "not_done" and p4.status == "cancelled" and p4.done_on is None
    assert p2.where("reason") == ("H3",) and p2.line == 3
    assert table.input.role == "instructions" and table.input.sha256 == hashlib.sha256(path.read_bytes()).hexdigest()


def test_instructions_xlsx_with_date_cells(tmp_path):
    rows = [["id", "task", "responsible", "issued", "due", "status", "done_on", "reason", "decision"],
            [1, "Задача", "Глава", dt.datetime(2027, 7, 12), dt.datetime(2027, 8, 31), "DONE",
             dt.datetime(2027, 9, 2), "Поздно", "Учесть"],
            [2, "Другая", "Бухгалтер", "12.07.2027", "2027-09-30", "Не выполнено", None, None, None]]
    table = read_instructions(_xlsx(tmp_path, rows, sheet="Поручения", name="i.xlsx"))
    first, second = table.instructions
    assert (first.id, first.status, first.done_on) == ("1", "done", dt.date(2027, 9, 2))
    assert (second.status, second.issued) == ("not_done", dt.date(2027, 7, 12))
    assert first.where("status") == ("Поручения!F2",)


ROW = "P-1,Задача,Глава,{issued},{due},{status},{done_on},,"
INSTRUCTIONS_HEAD = "id,task,responsible,issued,due,status,done_on,reason,decision"


@pytest.mark.parametrize("fields, cell, key, value, ru, en", [
    ({"status": "done", "done_on": ""}, "G2", "mtab_done_on_missing", None, "не указана дата выполнения",
     "the date it was done is missing"),
    ({"status": "в работе", "done_on": "2027-08-01"}, "G2", "mtab_done_on_not_done", dt.date(2027, 8, 1),
     "«в работе», не «выполнено»", "status is 'в работе'"),
    ({"issued": "2027-09-01", "due": "2027-08-31"}, "E2", "mtab_due_before_issued", dt.date(2027, 8, 31),
     "Срок исполнения раньше даты поручения (2027-09-01)", "deadline is before"),
    ({"status": "сделано"}, "F2", "mtab_status_bad", "сделано", "«выполнено», «в работе»", "«done», «in progress»"),
    ({"due": "31/08/2027"}, "E2", "mtab_date_bad", "31/08/2027", "«срок» (срок исполнения)", "needs a date"),
    ({"due": "31.02.2027"}, "E2", "mtab_date_impossible", "31.02.2027", "Такой даты не бывает", "no such date"),
    ({"status": ""}, "F2", "mtab_cell_missing", None, "«статус» (состояние исполнения)", "is empty"),
    ({"status": "done", "done_on": "2027-07-01"}, "G2", "mtab_done_before_issued", dt.date(2027, 7, 1),
     "раньше даты поручения", "before the date"),
])
def test_instruction_refused(tmp_path, fields, cell, key, value, ru, en):
    values = {"issued": "2027-07-12", "due": "2027-08-31", "status": "in_progress", "done_on": "", **fields}
    path = _csv(tmp_path, INSTRUCTIONS_HEAD + "\n" + ROW.format(**values) + "\n", name="instructions.csv")
    exc = _refused(read_instructions, path)
    problem = _only(exc)
    assert (problem.path, problem.key, problem.value) == ((cell,), key, value)
    assert ru in exc.render("ru") and f"ячейка {cell}" in exc.render("ru")
    assert en in exc.render("en") and "instructions.csv" in exc.render("en")


def test_instruction_id_twice_and_responsible_missing(tmp_path):
    text = (INSTRUCTIONS_HEAD + "\nP-1,A,Глава,2027-07-12,2027-08-31,done,2027-08-01,,\n"
            "P-1,B,,2027-07-12,2027-08-31,not_done,,,\n")
    exc = _refused(read_instructions, _csv(tmp_path, text, name="instructions.csv"))
    found = {(p.path[0], p.key, p.value) for p in exc.problems}
    assert found == {("A3", "mtab_id_twice", "P-1"), ("C3", "mtab_cell_missing", None)}
    assert "строке 2" in exc.render("ru") and "«ответственный» (ответственный)" in exc.render("ru")


def test_status_words_every_language():
    for lang, words in STATUS_WORDS.items():
        for code, spellings in words.items():
            for word in spellings:
                assert status_code(word.upper()) == code, (lang, word)
    assert status_code("Жокко  чыгарылды") == "cancelled" and status_code("сделано") is None


# --- templates ------------------------------------------------------------------------------

def test_actuals_template_round_trip(tmp_path):
    rows = [("tariff.waste.billed", "som", {"ru": "Начислено", "ky": "Эсептелди", "en": "Billed"}),
            ("budget.land_tax", "thousand_som", "=HYPERLINK(\"x\")"),
            ("programme.green_zone.green_area", "ha", None)]
    for periods, count in (("month", 12), ("quarter", 4)):
        path = tmp_path / f"{periods}.xlsx"
        path.write_bytes(actuals_workbook(rows, 2027, periods=periods, lang="ky"))
        table = read_actuals(path, 2027)
        # units go out in the reader's words («сом», «миң сом», «га») and read back as the same units
        assert [(r.indicator, unit_code(r.unit, [u])) for r, (_, u, _) in zip(table.rows, rows)] == \
            [(i, u) for i, u, _ in rows]
        assert table.period_kind == periods and len(table.periods) == count
        assert all(r.values == {} for r in table.rows)
        assert table.rows[0].name == "Эсептелди" and table.rows[1].name == "=HYPERLINK(\"x\")"
    wb = load_workbook(io.BytesIO(actuals_workbook(rows, 2027)))
    ws = wb["факт"]  # a Russian template speaks Russian, headings included; the reader knows the words
    assert [c.value for c in ws[1]] == ["показатель", "единица", "наименование",
                                        *[f"2027-{m:02d}" for m in range(1, 13)], "причина"]
    assert ws.freeze_panes == "A2" and ws.column_dimensions["C"].width > ws.column_dimensions["D"].width
    assert "единица измерения" in ws["B1"].comment.text


@pytest.mark.parametrize("lang", ["ru", "ky", "en"])
def test_instructions_template_drop_down_words_are_read(tmp_path, lang):
    wb = load_workbook(io.BytesIO(instructions_workbook(lang)))
    ws = wb.active
    assert ws.title == {"ru": "поручения", "ky": "тапшырмалар", "en": "instructions"}[lang]
    assert [c.value for c in ws[1]] == [t(f"mtab_head_{code}", lang) for code in
                                        ("id", "task", "responsible", "issued", "due", "status", "done_on",
                                         "reason", "decision")]
    (validation,) = ws.data_validations.dataValidation
    words = validation.formula1.strip('"').split(",")
    assert words == status_words(lang) and "F2" in validation.sqref
    for r, word in enumerate(words, start=2):  # the economist picks each word of the list
        ws.cell(row=r, column=1, value=f"P-{r}")
        ws.cell(row=r, column=2, value="Задача")
        ws.cell(row=r, column=3, value="Глава")
        ws.cell(row=r, column=4, value=dt.datetime(2027, 7, 1))
        ws.cell(row=r, column=5, value=dt.datetime(2027, 8, 1))
        ws.cell(row=r, column=6, value=word)
        if status_code(word) == "done":
            ws.cell(row=r, column=7, value=dt.datetime(2027, 7, 20))
    path = tmp_path / "instructions.xlsx"
    wb.save(path)
    table = read_instructions(path)
    assert [i.status for i in table.instructions] == ["done", "in_progress", "not_done", "cancelled"]

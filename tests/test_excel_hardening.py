"""Workbooks and CSV outputs against hostile or odd data (issue 14, items 6, 8, 11 and 13).

6  Text from the data is never a formula: in result workbooks, templates and CSV exports a
   name such as ``=HYPERLINK("http://x","click")`` stays the text it is. The only formulas
   okmo-models writes on purpose are the year headings of a budget template's yearly rows
   (``=IF('General'!E18="","",'General'!E18)``, so that they follow the years typed on the
   general sheet), the computed columns of a tariff template's staffing table and production
   programme, and the tariff workbook's калькуляция (issue 22: cells, numbers and a few
   functions, never text of the data); the other result workbooks hold no formula at all.
8  Reading a workbook takes time in proportion to the cells it holds: a value at XFD1048576
   or 20 000 formatted empty rows do not hang it; stated limits (file size, unpacked size,
   rows and columns of a sheet) are refused by name.
11 Text a workbook cannot store (control characters) is shown as its symbol, never a crash.
13 A file that is not a workbook Excel saved (a DTD inside, a damaged zip, a CSV or a web page
   renamed .xlsx, a password-protected or an old .xls book) gets its own message naming the file.
"""

from __future__ import annotations

import csv
import io
import json
import re
import shutil
import subprocess
import sys
import zipfile
from itertools import cycle
from pathlib import Path
from xml.etree import ElementTree

import openpyxl
import pytest
from openpyxl.styles import PatternFill

from conftest import SCENARIOS
from okmo_models.budget.export import to_csv as budget_csv
from okmo_models.budget.forecast import BudgetModel, load_budget
from okmo_models.errors import ScenarioError
from okmo_models.excel.layout import layout
from okmo_models.excel.results import budget_workbook, programme_workbook, tariff_workbook
from okmo_models.excel.template import scenario_data, scenario_workbook, sheet_title, template_workbook
from okmo_models.excel.workbook_import import read_workbook
from okmo_models.i18n import LANGUAGES
from okmo_models.programme import evaluate_programme
from okmo_models.programme.export import to_csv as programme_csv
from okmo_models.registers.report import to_csv as register_csv
from okmo_models.scenario.loader import load_scenario
from okmo_models.scenario.schema import LocalText
from okmo_models.tariff import calculate_tariff
from okmo_models.tariff.export import to_csv as tariff_csv
from own_formulas import is_own_formula

ROOT = Path(__file__).resolve().parents[1]
MAIN = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
# Text a spreadsheet would run or reinterpret if it were not kept as text.
HOSTILE = ['=HYPERLINK("http://x","click")', "+1+2", "@SUM(1)", "-2+3", "#N/A"]


def sheet_xml_cells(data: bytes):
    """``(part, cell element)`` of every cell of every worksheet, read from the XML itself."""
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        for name in z.namelist():
            if name.startswith("xl/worksheets/") and name.endswith(".xml"):
                for c in ElementTree.fromstring(z.read(name)).iter(MAIN + "c"):
                    yield name, c


def formulas_in(data: bytes) -> list[str]:
    """The text of every formula (``<f>``) in the workbook's sheets."""
    return [c.find(MAIN + "f").text or "" for _, c in sheet_xml_cells(data) if c.find(MAIN + "f") is not None]


def error_cells(data: bytes) -> list[str]:
    return [c.get("r") for _, c in sheet_xml_cells(data) if c.get("t") == "e"]


def cells_holding(data: bytes, texts) -> dict[str, list]:
    """Every cell (opened with openpyxl) whose value is one of ``texts``."""
    wb = openpyxl.load_workbook(io.BytesIO(data))
    found: dict[str, list] = {text: [] for text in texts}
    for ws in wb:
        for row in ws.iter_rows():
            for cell in row:
                if cell.value in found:
                    found[cell.value].append(cell)
    return found


def local(text: str) -> LocalText:
    """A name not checked by the schema (which may refuse some of them)."""
    return LocalText.model_construct(ru=text, ky=text, en=text)


def renamed_tariff(names, name="teploklyuchenka/waste.yaml"):
    """The tariff of a bundled scenario whose municipality, categories and cost lines carry ``names``
    (each name at least once)."""
    s = load_scenario(SCENARIOS / name).scenario
    categories = [c.model_copy(update={"name": local(n)}) for c, n in zip(s.categories, cycle(names))]
    rest = names[len(categories):] or names
    lines = [c.model_copy(update={"name": local(n)}) for c, n in zip(s.cost_lines, cycle(rest))]
    municipality = s.municipality.model_copy(update={"name": local(names[0])})
    return calculate_tariff(s.model_copy(update={"categories": categories, "cost_lines": lines,
                                                 "municipality": municipality}))


# --- 6: formulas from data -----------------------------------------------------------------------


def test_names_that_look_like_formulas_are_text_in_the_tariff_workbook():
    data = tariff_workbook(renamed_tariff(HOSTILE), "ru")
    assert error_cells(data) == []
    # the калькуляция's own formulas: cell references (sheet names are the package's words),
    # numbers, operators and the functions of the calculation; no text from the data
    for formula in formulas_in(data):
        assert is_own_formula(formula), formula
    found = cells_holding(data, HOSTILE)
    for text in HOSTILE:
        assert found[text], text  # written as it is, on the tariffs sheet at least
        assert all(c.data_type == "s" for c in found[text])
    # Excel keeps a cell with the quote prefix as text even when it is edited
    assert all(c.quotePrefix for text in HOSTILE[:4] for c in found[text])


def test_names_that_look_like_formulas_are_text_in_budget_and_programme_workbooks(tmp_path):
    scenario = load_budget(SCENARIOS / "alamudun/budget.yaml").scenario
    first_source = next(iter(scenario.sources))
    scenario = scenario.model_copy(update={
        "municipality": scenario.municipality.model_copy(update={"name": local(HOSTILE[0])}),
        "sources": {**scenario.sources, first_source: "=1+1"}})
    data = budget_workbook(BudgetModel(scenario).fit(), "en")
    assert formulas_in(data) == []
    assert cells_holding(data, ["=1+1"])["=1+1"]

    folder = tmp_path / "alamudun"
    shutil.copytree(SCENARIOS / "alamudun", folder)
    text = (folder / "programme.yaml").read_text("utf-8")
    text = text.replace("ru: Благоустройство центрального парка", "ru: '=HYPERLINK(\"http://x\",\"park\")'")
    (folder / "programme.yaml").write_text(text, "utf-8")
    data = programme_workbook(evaluate_programme(folder / "programme.yaml", time_limit=2), "ru")
    assert formulas_in(data) == []
    assert cells_holding(data, ['=HYPERLINK("http://x","park")'])['=HYPERLINK("http://x","park")']


def test_templates_keep_text_as_text_and_hold_only_the_year_headings_as_formulas(tmp_path):
    kind, data = scenario_data(SCENARIOS / "teploklyuchenka/waste.yaml")
    data["municipality"]["name"] = {"ru": HOSTILE[0]}
    names = [HOSTILE[4], HOSTILE[1], HOSTILE[3]]
    for category, text in zip(data["categories"], names):
        category["name"] = {"ru": text, "ky": text}
    book = scenario_workbook(kind, data, "ru", source='=HYPERLINK("http://x","from")')
    assert error_cells(book) == []
    # the computed columns of the staffing table and the production programme (issue 22):
    # cells, numbers, functions and the package's unit words; no text of the data
    formulas = formulas_in(book)
    assert formulas
    for formula in formulas:
        assert is_own_formula(formula), formula
    assert not any(text in f for text in HOSTILE for f in formulas)
    assert all(c.data_type == "s" for cells in cells_holding(book, HOSTILE).values() for c in cells)
    # and they come back as they were written
    path = tmp_path / "tariff.xlsx"
    path.write_bytes(book)
    back = read_workbook(path, "ru")[1]
    assert [c["name"]["ru"] for c in back["categories"]] == names
    assert back["municipality"]["name"]["ru"] == HOSTILE[0]

    kind, data = scenario_data(SCENARIOS / "alamudun/budget.yaml")
    data["municipality"]["name"] = {"ru": "=2+2"}
    book = scenario_workbook(kind, data, "ru", source="=3+3")
    formulas = formulas_in(book)
    general = sheet_title(layout("budget")[0], "ru")
    heading = re.compile(rf"^IF\('{general}'!([A-Z]+)(\d+)=\"\",\"\",'{general}'!\1\2\)$")
    assert formulas and all(heading.match(f) for f in formulas), formulas  # the year headings only


def test_csv_text_cells_are_neutralised_and_numbers_stay_numbers():
    rows = list(csv.reader(io.StringIO(tariff_csv(renamed_tariff(HOSTILE), "en"))))
    names = {r[2] for r in rows[1:]}
    for text in HOSTILE[:4]:
        assert "'" + text in names and text not in names
    assert "#N/A" in names  # not a formula in a CSV: kept as it is
    values = [r[4] for r in rows[1:] if r[4] != ""]
    assert all(float(v) == float(v) for v in values)  # every value reads as a number: none prefixed
    rounding = next(r[4] for r in rows if r[1] == "rounding_difference_som")
    assert float(rounding) < 0 and rounding.startswith("-")  # a negative number is left alone


def test_budget_and_programme_csv_neutralise_text_cells_only(tmp_path):
    scenario = load_budget(SCENARIOS / "alamudun/budget.yaml").scenario
    text = budget_csv(BudgetModel(scenario).fit())
    assert not re.search(r"(^|,)'", text)  # only our line keys and numbers: nothing to neutralise

    folder = tmp_path / "alamudun"
    shutil.copytree(SCENARIOS / "alamudun", folder)
    programme = (folder / "programme.yaml").read_text("utf-8")
    (folder / "programme.yaml").write_text(re.sub(r"\bpark\b", "-park", programme), "utf-8")
    rows = list(csv.DictReader(io.StringIO(programme_csv(evaluate_programme(folder / "programme.yaml", time_limit=2)))))
    assert {r["measure"] for r in rows} >= {"'-park"} and "-park" not in {r["measure"] for r in rows}
    assert all(float(r["priority"]) >= 0 for r in rows)


def test_register_csv_neutralises_names_and_values_from_the_register(tmp_path):
    from okmo_models.registers import read_households

    path = tmp_path / "reg.csv"
    path.write_text("Код хозяйства;Населённый пункт;Кол-во членов;Категория соц. паспорта\n"
                    "А-1;=HYPERLINK(\"http://x\");4;\nА-2;Центр;-3;\n", encoding="utf-8")
    rows = list(csv.reader(io.StringIO(register_csv(read_households(path), "en"))))
    assert ["settlement_households", "'=HYPERLINK(\"http://x\")", "'=HYPERLINK(\"http://x\")", "household", "1"] \
        in rows
    assert any(r[0] == "unusable" and r[4] == "'-3" for r in rows)


@pytest.mark.parametrize("value, shown", [
    ("=1+1", "'=1+1"), ("+7 700", "'+7 700"), ("-x", "'-x"), ("@A1", "'@A1"), ("\tx", "'\tx"), ("\rx", "'\rx"),
    ("Манас", "Манас"), ("", ""), (-5, -5), (-5.5, -5.5), (None, None)])
def test_csv_cell(value, shown):
    from okmo_models.csv_cells import csv_cell

    assert csv_cell(value) == shown


# --- 11: text a workbook cannot store ------------------------------------------------------------


def test_control_characters_in_names_are_shown_as_symbols_not_a_crash():
    names = ["Нас\x1b[31mеление\x07", "Бюджет\x00\x0b"]
    data = tariff_workbook(renamed_tariff(names), "ru")
    found = cells_holding(data, ["Нас␛[31mеление␇", "Бюджет␀␋"])
    assert all(found.values()), found
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        assert b"\x1b" not in z.read("docProps/core.xml")  # the title of the workbook too

    kind, d = scenario_data(SCENARIOS / "teploklyuchenka/waste.yaml")
    d["categories"][0]["name"] = {"ru": names[0]}
    book = scenario_workbook(kind, d, "ru", source="a\x1bb.yaml")
    assert cells_holding(book, ["Нас␛[31mеление␇"])["Нас␛[31mеление␇"]


def test_text_a_cell_cannot_hold_is_marked_not_silently_cut():
    from okmo_models.excel.cells import MAX_TEXT, excel_text

    assert excel_text("a\ud800b\uffff") == "a\ufffdb\ufffd"
    long = excel_text("я" * 40000)
    assert len(long) == MAX_TEXT == 32767 and long.endswith("…")


# --- 8: size and time ---------------------------------------------------------------------------

CHILD = r"""
import json, resource, sys, time
resource.setrlimit(resource.RLIMIT_AS, (2 << 30, 2 << 30))
from okmo_models.errors import ScenarioError
from okmo_models.excel.workbook_import import read_workbook
start = time.perf_counter()
try:
    read_workbook(sys.argv[1], "ru")
    out = {"keys": []}
except ScenarioError as exc:
    out = {"keys": [p.key for p in exc.problems], "text": exc.render("ru")}
out["seconds"] = time.perf_counter() - start
print(json.dumps(out, ensure_ascii=False))
"""


def read_in_child(path: Path, timeout: float) -> dict:
    """``read_workbook`` in its own process, its memory capped at 2 GB: a hang fails the test."""
    try:
        proc = subprocess.run([sys.executable, "-c", CHILD, str(path)], capture_output=True, text=True,
                              timeout=timeout, cwd=ROOT)
    except subprocess.TimeoutExpired:
        pytest.fail(f"reading {path.name} took more than {timeout} s")
    assert proc.returncode == 0, proc.stderr[-2000:]
    return json.loads(proc.stdout)


def cost_lines_book(folder: Path, name: str, edit) -> tuple[Path, str]:
    """The blank tariff template (as ``okmo template tariff`` writes it), edited on its cost lines sheet."""
    wb = openpyxl.load_workbook(io.BytesIO(template_workbook("tariff", "ru")))
    title = sheet_title(next(s for s in layout("tariff") if s.id == "cost_lines"), "ru")
    edit(wb[title])
    path = folder / name
    wb.save(path)
    return path, title


def test_a_value_at_the_last_cell_of_a_sheet_is_refused_at_once_by_its_cell(tmp_path):
    path, title = cost_lines_book(tmp_path, "far.xlsx", lambda ws: ws.cell(1048576, 16384, "x"))
    out = read_in_child(path, timeout=60)
    assert out["keys"] == ["xl_sheet_too_large"]
    assert f"лист «{title}», ячейка XFD1048576" in out["text"]
    assert "10\u00a0000 строк и 200 столбцов" in out["text"]
    assert out["seconds"] < 10


def test_formatted_empty_rows_and_thousands_of_lines_read_in_seconds(tmp_path):
    fill = PatternFill("solid", fgColor="FFF9DB")

    def empty_rows(ws):
        for r in range(6, 20006):
            for c in (1, 2, 5):
                ws.cell(r, c).fill = fill

    path, _ = cost_lines_book(tmp_path, "empty.xlsx", empty_rows)
    out = read_in_child(path, timeout=60)
    assert "xl_sheet_too_large" not in out["keys"] and out["seconds"] < 15

    def lines(ws):
        keys = {ws.cell(5, c).value: c for c in range(1, ws.max_column + 1)}
        for k in range(4000):
            for key, value in (("line", "materials"), ("name.ru", f"Строка {k + 1}"), ("amount", 1000 + k),
                               ("amount.unit", "som/year"), ("source", "assumption")):
                ws.cell(6 + k, keys[key], value)

    path, _ = cost_lines_book(tmp_path, "lines.xlsx", lines)
    out = read_in_child(path, timeout=90)
    assert "xl_sheet_too_large" not in out["keys"] and out["seconds"] < 20  # was 41 s


@pytest.mark.parametrize("row, col, cell", [(10001, 1, "A10001"), (6, 201, "GS6")])
def test_the_row_and_column_limits_are_stated_and_refused_by_cell(tmp_path, row, col, cell):
    path, title = cost_lines_book(tmp_path, "book.xlsx", lambda ws: ws.cell(row, col, 5))
    with pytest.raises(ScenarioError) as info:
        read_workbook(path, "ky")
    (problem,) = [p for p in info.value.problems if p.key == "xl_sheet_too_large"]
    assert problem.path == (f"{title}!{cell}",) and problem.value == 5
    assert "10\u00a0000" in info.value.render("ky") and "GR" in info.value.render("ky")


def test_a_value_just_inside_the_limits_is_read(tmp_path):
    path, title = cost_lines_book(tmp_path, "book.xlsx", lambda ws: ws.cell(10000, 200, "x"))
    with pytest.raises(ScenarioError) as info:
        read_workbook(path, "ru")
    keys = {p.key for p in info.value.problems}
    assert "xl_sheet_too_large" not in keys
    assert any(p.path == (f"{title}!GR10000",) and p.key == "xl_unknown_column" for p in info.value.problems)


def test_a_file_over_the_size_limit_is_refused_without_reading_it(tmp_path):
    big = tmp_path / "big.xlsx"
    with open(big, "wb") as f:
        f.truncate(20 * 2**20 + 1)  # the stated limit: 20 MB
    with pytest.raises(ScenarioError) as info:
        read_workbook(big, "ru")
    assert [p.key for p in info.value.problems] == ["xl_file_too_big"]
    assert "20 МБ" in info.value.render("ru")
    if Path("/dev/zero").exists():  # endless: refused before it is opened
        out = read_in_child(Path("/dev/zero"), timeout=60)
        assert out["keys"] == ["file_not_regular"]


def test_a_zip_bomb_is_refused_by_its_unpacked_size(tmp_path):
    blank = template_workbook("tariff", "ru")
    bomb = tmp_path / "bomb.xlsx"
    with zipfile.ZipFile(io.BytesIO(blank)) as src, zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as out:
        for item in src.infolist():
            data = src.read(item.filename)
            if item.filename == "xl/worksheets/sheet1.xml":
                data += b" " * (100 * 2**20 + 1)  # 100 MB unpacked, the limit; spaces after the root: valid XML
            out.writestr(item, data)
    assert bomb.stat().st_size < 1_000_000
    with pytest.raises(ScenarioError) as info:
        read_workbook(bomb, "ru")
    assert [p.key for p in info.value.problems] == ["xl_unpacked_too_big"]
    assert "100 МБ" in info.value.render("ru")


# --- 13: files that are not workbooks Excel saved ------------------------------------------------

DTD = b'<?xml version="1.0" encoding="UTF-8"?>\n<!DOCTYPE x [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;">]>\n'


def _rewritten(part: str, change) -> bytes:
    """The blank template with ``part`` changed (added if the template has none)."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(template_workbook("tariff", "ru"))) as src, \
            zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for item in src.infolist():
            data = src.read(item.filename)
            dst.writestr(item, change(data) if item.filename == part else data)
        if part not in src.namelist():  # openpyxl writes no shared strings; Excel does
            dst.writestr(part, change(f'<sst xmlns="{MAIN[1:-1]}"><si><t>x</t></si></sst>'.encode()))
    return out.getvalue()


def _with_dtd(data: bytes) -> bytes:
    if data.startswith(b"<?xml"):
        data = data[data.index(b"?>") + 2:].lstrip()
    return DTD + data


def _zip(members: dict) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as z:
        for name, data in members.items():
            z.writestr(name, data)
    return out.getvalue()


OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 504
BAD_FILES = {
    "dtd_workbook": ("book.xlsx", lambda: _rewritten("xl/workbook.xml", _with_dtd), "xl_unsafe_xml"),
    "dtd_strings": ("book.xlsx", lambda: _rewritten("xl/sharedStrings.xml", _with_dtd), "xl_unsafe_xml"),
    "dtd_sheet": ("book.xlsx", lambda: _rewritten("xl/worksheets/sheet1.xml", _with_dtd), "xl_unsafe_xml"),
    "broken_sheet": ("book.xlsx", lambda: _rewritten("xl/worksheets/sheet3.xml", lambda d: d[:len(d) // 2]),
                     "xl_sheet_unreadable"),
    "truncated": ("book.xlsx", lambda: template_workbook("tariff", "ru")[:30000], "xl_zip_damaged"),
    "csv": ("book.xlsx", lambda: "Код;Наименование;Сумма\n1;Вода;100\n".encode("cp1251"), "xl_is_text"),
    "html": ("book.xlsx", lambda: b"\xef\xbb\xbf<html><body><table><tr><td>1</td></tr></table></body></html>",
             "xl_is_markup"),
    "encrypted": ("book.xlsx", lambda: OLE + "EncryptionInfo".encode("utf-16-le").ljust(1024, b"\0"),
                  "xl_encrypted"),
    "xls": ("book.xls", lambda: OLE + "Workbook".encode("utf-16-le").ljust(1024, b"\0"), "xl_old_format"),
    "empty": ("book.xlsx", lambda: b"", "xl_empty_file"),
    "other_zip": ("book.xlsx", lambda: _zip({"mimetype": "application/vnd.oasis.opendocument.spreadsheet",
                                               "content.xml": "<x/>"}), "xl_not_excel_zip"),
    "xlsb": ("book.xlsb", lambda: _zip({"[Content_Types].xml": "<Types/>", "xl/workbook.bin": b"\0" * 64}),
             "xl_binary_workbook"),
}
# Words a Russian or Kyrgyz economist reads as names, not as English.
NAMES = {"Excel", "xlsx", "xls", "xlsb", "CSV"}


@pytest.mark.parametrize("case", sorted(BAD_FILES))
def test_a_file_that_is_not_a_workbook_excel_saved_is_named_as_such(tmp_path, case):
    name, make, key = BAD_FILES[case]
    path = tmp_path / name
    path.write_bytes(make())
    with pytest.raises(ScenarioError) as info:
        read_workbook(path, "ru")
    assert [p.key for p in info.value.problems] == [key]
    for lang in LANGUAGES:
        text = info.value.render(lang)
        assert name in text.splitlines()[0]  # the file is named
        assert not re.search(r"\w+(Error|Exception|File)\b", text.replace(name, ""))  # no exception names
        if lang != "en":
            words = set(re.findall(r"[A-Za-z]+", text.replace(str(path), "")))
            assert words <= NAMES, (lang, words)


def test_cli_names_the_unsafe_file_and_exits_2(tmp_path):
    path = tmp_path / "book.xlsx"
    path.write_bytes(_rewritten("xl/workbook.xml", _with_dtd))
    proc = subprocess.run([sys.executable, "-m", "okmo_models.cli", "import", str(path), "--lang", "en"],
                          capture_output=True, text=True, cwd=tmp_path)
    assert proc.returncode == 2, proc.stderr
    assert "book.xlsx" in proc.stderr and "not saved by Excel" in proc.stderr
    assert not (tmp_path / "book.yaml").exists()

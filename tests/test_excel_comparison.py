"""The comparison workbook (okmo_models/excel/comparison.py): a sheet per table, numbers as
numbers with formats, headings in the reader's language, outliers filled with their reason."""

from __future__ import annotations

import io

import openpyxl
import pytest

from okmo_models.compare import compare
from okmo_models.compare.labels import heading
from okmo_models.examples import example_path
from okmo_models.excel.comparison import OUTLIER_FILL, comparison_workbook, save_comparison_workbook
from okmo_models.excel.results import MONEY, PERCENT1
from okmo_models.i18n import t
from okmo_models.safe_write import FileExistsRefused

WATER = example_path("ak-bulak/water.yaml").read_text("utf-8")


@pytest.fixture(scope="module")
def comparison(tmp_path_factory):
    root = tmp_path_factory.mktemp("cmpxl")
    dear = WATER.replace("salary: 22 000 som/month", "salary: 300 000 som/month")
    texts = {"a": WATER, "b": WATER, "c": dear,
             "d": "schema_version: 1\nservice: water\n"}
    for name, text in texts.items():
        (root / name).mkdir()
        (root / name / "water.yaml").write_text(text, "utf-8")
    return compare([root, example_path("kok-jar/budget.yaml")])


def _table(ws, first_heading: str):
    """(heading row number, {heading: column}) of the table on a sheet."""
    for row in ws.iter_rows():
        if row[0].value == first_heading:
            return row[0].row, {c.value: c.column for c in row if c.value is not None}
    raise AssertionError(f"no table on {ws.title}")


@pytest.mark.parametrize("lang", ["ru", "ky", "en"])
def test_a_sheet_per_table_in_the_readers_language(comparison, lang):
    wb = openpyxl.load_workbook(io.BytesIO(comparison_workbook(comparison, lang)))
    names = [t(k, lang) for k in ("cmp_sheet_about", "cmp_sheet_tariffs", "cmp_sheet_budgets", "cmp_sheet_programmes",
                                  "cmp_sheet_stats", "cmp_sheet_positions", "cmp_sheet_outliers", "cmp_sheet_failures")]
    assert wb.sheetnames == names  # nothing of a kind not compared: no "not compared" sheet
    _, columns = _table(wb[t("cmp_sheet_tariffs", lang)], heading("file", lang))
    assert heading("cost_per_base_unit_som", lang) in columns and heading("collection_rate", lang) in columns


def test_numbers_are_numbers_with_formats_and_outliers_are_filled(comparison):
    lang = "ru"
    wb = openpyxl.load_workbook(io.BytesIO(comparison_workbook(comparison, lang)))
    ws = wb[t("cmp_sheet_tariffs", lang)]
    top, columns = _table(ws, heading("file", lang))
    cost, collection = columns[heading("cost_per_base_unit_som", lang)], columns[heading("collection_rate", lang)]
    reasons = columns[heading("outliers", lang)]
    rows = {ws.cell(r, 1).value: r for r in range(top + 1, ws.max_row + 1) if ws.cell(r, 1).value}
    dear = next(r for f, r in rows.items() if f.endswith("c/water.yaml"))
    plain = next(r for f, r in rows.items() if f.endswith("a/water.yaml"))
    expected = next(x for x in comparison.tariff_rows if x["file"].endswith("c/water.yaml"))["cost_per_base_unit_som"]
    cell = ws.cell(dear, cost)
    assert cell.value == pytest.approx(expected, rel=1e-14) and cell.number_format == MONEY  # XML keeps 15 digits
    assert ws.cell(dear, collection).number_format == PERCENT1 and isinstance(ws.cell(dear, collection).value, float)
    assert cell.fill.fgColor.rgb.endswith(OUTLIER_FILL.fgColor.rgb[-6:])
    assert t("cmp_rule_cost_above_twice_median", lang) in ws.cell(dear, reasons).value
    assert not ws.cell(plain, cost).fill.fgColor.rgb.endswith(OUTLIER_FILL.fgColor.rgb[-6:])
    assert not ws.cell(plain, reasons).value


def test_the_failure_sheet_names_the_broken_file(comparison):
    wb = openpyxl.load_workbook(io.BytesIO(comparison_workbook(comparison, "en")))
    ws = wb[t("cmp_sheet_failures", "en")]
    top, columns = _table(ws, heading("file", "en"))
    assert ws.cell(top + 1, 1).value.endswith("d/water.yaml")
    assert ws.cell(top + 1, columns[heading("message", "en")]).value == comparison.failures[0].message("en")


def test_saved_atomically_and_never_over_a_file_unless_asked(comparison, tmp_path):
    target = tmp_path / "compare.xlsx"
    save_comparison_workbook(comparison, target, "ru")
    first = target.read_bytes()
    with pytest.raises(FileExistsRefused):
        save_comparison_workbook(comparison, target, "en")
    assert target.read_bytes() == first
    save_comparison_workbook(comparison, target, "en", overwrite=True)
    assert openpyxl.load_workbook(target).sheetnames[0] == t("cmp_sheet_about", "en")

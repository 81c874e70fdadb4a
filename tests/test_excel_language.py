"""Templates speak the reader's language and read it back (issue 16): choices, budget lines
and units are shown in Russian or Kyrgyz, in the cells and in the drop-downs; the keys and
the English names are kept on hidden columns and rows; whatever language the economist
chose them in, the import reads the same codes."""

from __future__ import annotations

import io

import openpyxl
import pytest

from okmo_models.examples import example_path
from okmo_models.excel.layout import layout
from okmo_models.excel.sheets import TABLE_FIRST_ROW, TABLE_KEY_ROW
from okmo_models.excel.template import scenario_data, scenario_workbook, sheet_title
from okmo_models.excel.workbook_import import read_workbook
from okmo_models.formatting import unit_label
from okmo_models.i18n import t

EXAMPLES = ("teploklyuchenka/waste.yaml", "ak-bulak/water.yaml", "alamudun/budget.yaml", "alamudun/programme.yaml")


def _book(example: str, lang: str):
    kind, data = scenario_data(example_path(example))
    return kind, data, openpyxl.load_workbook(io.BytesIO(scenario_workbook(kind, data, lang)))


def _columns(ws) -> dict:
    return {c.value: c.column for c in ws[TABLE_KEY_ROW] if c.value}


def _save(wb, tmp_path, name):
    path = tmp_path / name
    wb.save(path)
    return path


@pytest.mark.parametrize("example", EXAMPLES)
def test_a_russian_and_a_kyrgyz_workbook_import_to_the_same_scenario(example, tmp_path):
    read = {}
    for lang in ("ru", "ky"):
        kind, data, wb = _book(example, lang)
        read[lang] = read_workbook(_save(wb, tmp_path, f"{lang}.xlsx"), lang)[1]
    assert read["ru"] == read["ky"]
    assert read["ru"] == scenario_data(example_path(example))[1]


def test_cost_lines_categories_and_units_are_shown_in_words_and_read_back(tmp_path):
    kind, data, wb = _book("teploklyuchenka/waste.yaml", "ru")
    sections = {s.id: s for s in layout(kind)}
    lines = wb[sheet_title(sections["cost_lines"], "ru")]
    cols = _columns(lines)
    first = data["cost_lines"][0]
    assert lines.cell(TABLE_FIRST_ROW, cols["line"]).value == t("line_" + first["line"], "ru")
    # the first line given as quantity x price
    i, priced = next((i, line) for i, line in enumerate(data["cost_lines"]) if "price" in line)
    assert lines.cell(TABLE_FIRST_ROW + i, cols["price.unit"]).value == unit_label(priced["price"]["unit"], "ru")
    categories = wb[sheet_title(sections["categories"], "ru")]
    kinds = [categories.cell(TABLE_FIRST_ROW + i, _columns(categories)["kind"]).value
             for i in range(len(data["categories"]))]
    assert kinds == [t("kind_" + c["kind"], "ru") for c in data["categories"]]
    # the keys and the English names are there for the import, out of the reader's sight
    assert lines.row_dimensions[TABLE_KEY_ROW].hidden
    assert lines.column_dimensions[openpyxl.utils.get_column_letter(cols["name.en"])].hidden
    general = wb[sheet_title(sections["general"], "ru")]
    assert general.column_dimensions["A"].hidden

    # the economist picks the Kyrgyz words (or types a code): the same scenario comes back
    for i, line in enumerate(data["cost_lines"]):
        lines.cell(TABLE_FIRST_ROW + i, cols["line"]).value = t("line_" + line["line"], "ky")
        for field in ("amount", "quantity", "price"):
            if field in line:
                lines.cell(TABLE_FIRST_ROW + i, cols[f"{field}.unit"]).value = unit_label(line[field]["unit"], "ky")
    categories.cell(TABLE_FIRST_ROW, _columns(categories)["kind"]).value = data["categories"][0]["kind"]
    assert read_workbook(_save(wb, tmp_path, "mixed.xlsx"), "ru")[1] == data


def test_budget_lines_are_named_and_read_back(tmp_path):
    kind, data, wb = _book("kok-jar/budget.yaml", "ky")
    revenue = next(s for s in layout(kind) if s.id == "revenue")
    ws = wb[sheet_title(revenue, "ky")]
    key = _columns(ws)["@key"]
    names = [ws.cell(TABLE_FIRST_ROW + i, key).value for i in range(len(data["revenue"]))]
    assert names == [t("line_b_" + line, "ky") for line in data["revenue"]]
    ws.cell(TABLE_FIRST_ROW, key).value = t("line_b_" + next(iter(data["revenue"])), "ru")  # Russian in a Kyrgyz book
    assert read_workbook(_save(wb, tmp_path, "budget.xlsx"), "ky")[1]["revenue"].keys() == data["revenue"].keys()


@pytest.mark.parametrize("lang", ("ru", "ky"))
def test_every_visible_sheet_and_list_is_named_in_the_reader_s_language(lang):
    import re

    _, _, wb = _book("teploklyuchenka/waste.yaml", lang)
    assert not [ws.title for ws in wb if ws.sheet_state == "visible" and re.search("[A-Za-z]", ws.title)]
    lists = [ws for ws in wb if ws.title == t("wt_sheet_lists", lang)]
    assert lists and lists[0].sheet_state == "hidden"

"""A workbook names a scenario's own entries by their names, never by ids (issue 16).

A template made from a scenario shows its sources as «Источник 3» (the number the
justification cites) and its categories, measures, criteria and scenarios by their names in
the reader's language, where they are defined and wherever they are referred to; the import
gives every id back exactly, and makes an id of a name the economist adds.
"""

from __future__ import annotations

import io
from pathlib import Path

import openpyxl
import pytest
import yaml

from okmo_models.errors import ScenarioError
from okmo_models.excel.handles import Handles, slug
from okmo_models.excel.layout import layout
from okmo_models.excel.template import scenario_data, scenario_workbook, sheet_title
from okmo_models.excel.workbook_import import _validate, read_workbook
from okmo_models.i18n import LANGUAGES, t

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = ["teploklyuchenka/waste.yaml", "teploklyuchenka/dipping_bath.yaml",
            "teploklyuchenka/shared_landfill.yaml", "ak-bulak/water.yaml", "alamudun/budget.yaml",
            "kok-jar/budget.yaml", "alamudun/programme.yaml"]


def workbook(name: str, lang: str):
    kind, data = scenario_data(ROOT / "scenarios" / name)
    return kind, data, openpyxl.load_workbook(io.BytesIO(scenario_workbook(kind, data, lang, name)))


def sheet(wb, kind: str, section: str, lang: str):
    return wb[sheet_title(next(s for s in layout(kind) if s.id == section), lang)]


def rows(ws, key: str) -> list:
    """The values of the table column whose key (row 5) is ``key``, from row 6 down."""
    col = next(c.column for c in ws[5] if c.value == key)
    return [ws.cell(row=r, column=col).value for r in range(6, ws.max_row + 1)
            if ws.cell(row=r, column=col).value is not None]


@pytest.mark.parametrize("lang", LANGUAGES)
@pytest.mark.parametrize("name", EXAMPLES)
def test_every_example_comes_back_identical_in_every_language(tmp_path, name, lang):
    # the names shown (Kyrgyz units such as «орун» included) read back to the very ids and codes
    kind, data, _ = workbook(name, lang)
    book = tmp_path / "book.xlsx"
    book.write_bytes(scenario_workbook(kind, data, lang, name))
    kind2, data2, warnings = read_workbook(book)
    assert (kind2, warnings) == (kind, [])
    assert _validate(kind2, data2, book) == _validate(kind, data, name)


def test_sources_are_numbered_as_the_justification_cites_them_and_categories_named():
    kind, data, wb = workbook("teploklyuchenka/waste.yaml", "ru")
    keys = list(data["sources"])
    sources = sheet(wb, kind, "sources", "ru")
    assert rows(sources, "@key") == [f"Источник {n}" for n in range(1, len(keys) + 1)]
    lines = sheet(wb, kind, "cost_lines", "ru")
    expected = [f"Источник {keys.index(line['source']) + 1}" for line in data["cost_lines"]]
    assert rows(lines, "source") == expected
    categories = sheet(wb, kind, "categories", "ru")
    assert rows(categories, "id") == [c["name"]["ru"] for c in data["categories"]]
    groups = sheet(wb, kind, "vulnerable.groups", "ru")
    names = {c["id"]: c["name"]["ru"] for c in data["categories"]}
    assert rows(groups, "category") == [names[g["category"]] for g in data["vulnerable"]["groups"]]


def test_kyrgyz_workbook_names_measures_criteria_sectors_and_units_in_kyrgyz():
    kind, data, wb = workbook("alamudun/programme.yaml", "ky")
    measures = sheet(wb, kind, "measures", "ky")
    assert rows(measures, "id")[:2] == [m["name"]["ky"] for m in data["measures"][:2]]
    assert rows(measures, "sector")[0] == t("prr_sector_public_spaces", "ky")
    criteria = sheet(wb, kind, "criteria", "ky")
    assert rows(criteria, "@key") == [c["name"]["ky"] for c in data["criteria"].values()]
    indicators = sheet(wb, kind, "measures.indicators", "ky")
    assert "орун" in rows(indicators, "unit")  # "places"


def test_species_are_named_and_read_back():
    kind, data, wb = workbook("teploklyuchenka/dipping_bath.yaml", "ru")
    coefficients = sheet(wb, kind, "dipping_bath.species_coefficients", "ru")
    assert rows(coefficients, "@key")[:2] == ["овцы", "козы"]


def test_a_new_source_and_category_named_in_russian_become_ids(tmp_path):
    kind, data, wb = workbook("teploklyuchenka/waste.yaml", "ru")
    sources = sheet(wb, kind, "sources", "ru")
    row = 6 + len(data["sources"])
    sources.cell(row=row, column=1, value="Смета МП «Тазалык» на 2027 год")
    sources.cell(row=row, column=2, value="Смета расходов муниципального предприятия на 2027 год.")
    lines = sheet(wb, kind, "cost_lines", "ru")
    source_col = next(c.column for c in lines[5] if c.value == "source")
    lines.cell(row=6, column=source_col, value="Смета МП «Тазалык» на 2027 год")
    book = tmp_path / "book.xlsx"
    wb.save(book)
    _, read, _ = read_workbook(book)
    new = read["cost_lines"][0]["source"]
    assert new == slug("Смета МП «Тазалык» на 2027 год") == "smeta_mp_tazalyk_na_2027_god"
    assert read["sources"][new]["ru"] == "Смета расходов муниципального предприятия на 2027 год."
    # every other entry keeps its own id
    assert [k for k in read["sources"] if k != new] == list(data["sources"])
    assert [c["id"] for c in read["categories"]] == [c["id"] for c in data["categories"]]


def test_a_name_defined_nowhere_is_refused_in_the_readers_words(tmp_path):
    kind, data, wb = workbook("alamudun/programme.yaml", "ru")
    measures = sheet(wb, kind, "measures", "ru")
    requires = next(c.column for c in measures[5] if c.value == "requires")
    measures.cell(row=6, column=requires, value="Водопровод на Луне")
    book = tmp_path / "book.xlsx"
    wb.save(book)
    with pytest.raises(ScenarioError) as info:
        read_workbook(book, "ru")
    text = info.value.render("ru")
    assert "'Водопровод на Луне'" in text
    # the measures that exist, listed by the names the workbook shows, not by ids
    assert data["measures"][1]["name"]["ru"] in text
    assert data["measures"][1]["id"] not in text


def test_slugs_of_russian_and_kyrgyz_names():
    assert slug("Население без счётчиков") == "naselenie_bez_schetchikov"
    assert slug("Үй чарбалар, көп балалуу") == "ui_charbalar_kop_balaluu"
    assert slug("2027 смета") == "n2027_smeta"
    assert slug("«»") == "id"


def test_two_entries_of_one_name_are_told_apart():
    data = {"sources": {"a": "x"},
            "categories": [{"id": "one", "name": {"ru": "Население, частный сектор"}},
                           {"id": "two", "name": {"ru": "Население, частный сектор"}}]}
    handles = Handles.of(data, "ru")
    assert handles.shown["categories"] == {"one": "Население, частный сектор",
                                           "two": "Население, частный сектор (2)"}
    shown = handles.show(data)
    restored, _ = Handles.from_meta(handles.meta_rows()).restore(shown)
    assert restored == data


def test_a_workbook_written_before_names_still_reads_its_ids(tmp_path):
    # an older workbook holds the ids themselves and no names on its _okmo sheet
    kind, data, wb = workbook("teploklyuchenka/waste.yaml", "ru")
    meta = wb["_okmo"]
    for row in list(meta.iter_rows()):
        if row[0].value == "handle":
            for cell in row:
                cell.value = None
    ids = {handle: entry_id for names in Handles.of(data, "ru").shown.values() for entry_id, handle in names.items()}
    for ws in wb.worksheets[:-2]:  # not the _okmo and drop-down sheets
        names = {c.column for c in ws[5] if str(c.value).endswith((".ru", ".ky", ".en"))}  # a name stays a name
        for row in ws.iter_rows(min_row=4):
            if str(row[0].value).endswith((".ru", ".ky", ".en")):
                continue
            for cell in row:
                if isinstance(cell.value, str) and cell.value in ids and cell.column not in names:
                    cell.value = ids[cell.value]
                elif isinstance(cell.value, str) and cell.column not in names and all(
                        part in ids for part in cell.value.split("; ")):  # a list of them (a vehicle's allowances)
                    cell.value = "; ".join(ids[part] for part in cell.value.split("; "))
    book = tmp_path / "book.xlsx"
    wb.save(book)
    _, read, _ = read_workbook(book)
    assert _validate(kind, read, book) == _validate(kind, data, "waste.yaml")
    assert yaml.safe_dump(read["sources"], allow_unicode=True) == yaml.safe_dump(data["sources"], allow_unicode=True)


def test_a_parameter_overridden_by_its_description_is_read_as_the_parameter(tmp_path):
    from okmo_models.parameters import known_parameters

    kind, data, wb = workbook("teploklyuchenka/waste.yaml", "ru")
    overrides = sheet(wb, kind, "parameters", "ru")
    col = {c.value: c.column for c in overrides[5] if c.value}
    described = " ".join(known_parameters()["social_fund_employer_rate"].description["ru"].split())
    overrides.cell(row=6, column=col["@key"], value=described)
    overrides.cell(row=6, column=col["value"], value=17.25)
    overrides.cell(row=6, column=col["value.unit"], value="%")
    overrides.cell(row=6, column=col["source"], value="Источник 1")
    book = tmp_path / "book.xlsx"
    wb.save(book)
    _, read, _ = read_workbook(book)
    assert read["parameters"] == {"social_fund_employer_rate": {"value": {"value": 17.25, "unit": "%"},
                                                                "source": list(data["sources"])[0]}}

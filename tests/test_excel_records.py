"""Excel templates, import and result workbooks of the settlement passport and the economic
base (issue 19): the same rules as the other kinds — every field labelled and every choice a
drop-down of words in the reader's language, figures by year as year columns, the round
trip giving back the file and its result, bad cells named by sheet, cell and value."""

from __future__ import annotations

import io
import json
import re
from pathlib import Path

import openpyxl
import pytest

from okmo_models.errors import ScenarioError
from okmo_models.examples import example_path
from okmo_models.excel.choices import choice_label, choice_labels, key_codes
from okmo_models.excel.layout import layout
from okmo_models.excel.sheets import KEY, TABLE_FIRST_ROW, TABLE_KEY_ROW, TABLE_LABEL_ROW
from okmo_models.excel.template import scenario_data, scenario_workbook, sheet_title, template_workbook
from okmo_models.excel.workbook_import import import_workbook, read_workbook
from okmo_models.i18n import t
from okmo_models.kinds import KINDS
from reader_language import foreign_words

NEW_KINDS = ("passport", "economic_base")
EXAMPLES = [e for kind in NEW_KINDS for e in KINDS[kind].examples]
PASSPORT, BASE = KINDS["passport"].examples[0], KINDS["economic_base"].examples[0]


def _book(example: str, lang: str):
    kind, data = scenario_data(example_path(example))
    return kind, data, openpyxl.load_workbook(io.BytesIO(scenario_workbook(kind, data, lang, example)))


def _sheet(wb, kind: str, section: str, lang: str):
    return wb[sheet_title(next(s for s in layout(kind) if s.id == section), lang)]


def _columns(ws) -> dict:
    return {c.value: c.column for c in ws[TABLE_KEY_ROW] if c.value}


def _save(wb, tmp_path: Path, name: str = "book.xlsx") -> Path:
    path = tmp_path / name
    wb.save(path)
    return path


def _problems(path: Path, lang: str) -> str:
    with pytest.raises(ScenarioError) as info:
        read_workbook(path, lang)
    return info.value.render(lang)


def _messages(text: str) -> str:
    """A rendered error without its first line (the file's path) and without the field of the
    file each cell stands for, "(objects[2].capacity)", given for those who know the format."""
    return re.sub(r"\([a-z_]+[^)\s]*\)", "", text.split("\n", 1)[1])


def _result_json(kind: str, path: Path, lang: str) -> dict:
    """The JSON export of a file, without its metadata block (file name, checksum, date)."""
    plan = KINDS[kind]
    result = plan.compute(path)
    data = json.loads(plan.export(result, "json", lang))
    return {k: v for k, v in data.items() if k not in result.provenance.to_dict(lang)}


# --- round trip ------------------------------------------------------------------------------


@pytest.mark.parametrize("lang", ("ru", "ky"))
@pytest.mark.parametrize("example", EXAMPLES)
def test_a_file_comes_back_from_its_workbook_with_the_same_result(example, lang, tmp_path):
    kind, data, wb = _book(example, lang)
    written, kind2, warnings = import_workbook(_save(wb, tmp_path), tmp_path / "imported.yaml", lang=lang)
    assert (kind2, warnings) == (kind, [])
    assert scenario_data(written)[1] == data  # the same file (ids, codes, years and all)
    assert _result_json(kind, written, lang) == _result_json(kind, example_path(example), lang)


@pytest.mark.parametrize("example", EXAMPLES)
def test_a_russian_and_a_kyrgyz_workbook_read_to_the_same_file(example, tmp_path):
    read = [read_workbook(_save(_book(example, lang)[2], tmp_path, f"{lang}.xlsx"), lang)[1] for lang in ("ru", "ky")]
    assert read[0] == read[1] == scenario_data(example_path(example))[1]


# --- the template in the reader's language ----------------------------------------------------


def _visible_text(wb) -> str:
    """What a reader sees: visible cells of visible sheets, and every drop-down list."""
    texts = []
    for ws in wb.worksheets:
        if ws.sheet_state != "visible":
            continue
        texts.append(ws.title)
        hidden_rows = {i for i, d in ws.row_dimensions.items() if d.hidden}
        hidden_columns = {c for c, d in ws.column_dimensions.items() if d.hidden}
        for row in ws.iter_rows():
            for cell in row:
                if (isinstance(cell.value, str) and not cell.value.startswith("=") and cell.row not in hidden_rows
                        and cell.column_letter not in hidden_columns):
                    texts.append(cell.value)
        for dv in ws.data_validations.dataValidation:  # the drop-downs' lists
            texts += [str(v) for v in _list_values(wb, dv.formula1) if isinstance(v, str)]
    return "\n".join(texts)


def _list_values(wb, formula: str) -> list:
    name, ref = formula.lstrip("=").split("!")
    return [c.value for row in wb[name.strip("'")][ref.replace("$", "")] for c in row]


@pytest.mark.parametrize("lang", ("ru", "ky"))
@pytest.mark.parametrize("kind", NEW_KINDS)
def test_templates_show_no_english_word_code_or_id(kind, lang):
    blank = openpyxl.load_workbook(io.BytesIO(template_workbook(kind, lang)))
    assert not foreign_words(_visible_text(blank)), f"blank {kind}"
    for example in KINDS[kind].examples:
        wb = _book(example, lang)[2]
        # the examples' own file names (a source citing waste.yaml) are the reader's own words
        own = [p.name for p in example_path(example).parent.iterdir()]
        assert not foreign_words(_visible_text(wb), own), example


@pytest.mark.parametrize("kind", NEW_KINDS)
def test_every_choice_is_a_drop_down_of_words_in_its_column(kind):
    lang = "ky"
    wb = openpyxl.load_workbook(io.BytesIO(template_workbook(kind, lang)))
    checked = 0
    for s in layout(kind):
        if s.shape == "record":
            continue
        ws = wb[sheet_title(s, lang)]
        cols = _columns(ws)
        lists = {str(rng).split(":")[0]: dv.formula1 for dv in ws.data_validations.dataValidation
                 for rng in dv.sqref.ranges}
        wanted = [(inp.key, choice_labels(s.id, inp.key, inp.choices, lang), inp.choices)
                  for inp in s.inputs if inp.kind == "choice"]
        if s.key_choices or key_codes(kind, s):
            codes = s.key_choices or key_codes(kind, s)
            wanted.append((KEY, choice_labels(s.id, KEY, codes, lang), codes))
        for key, words, codes in wanted:
            letter = openpyxl.utils.get_column_letter(cols[key])
            assert _list_values(wb, lists[f"{letter}{TABLE_FIRST_ROW}"]) == list(words), (s.id, key)
            # a word, not the code, for every choice (a kind with no words would show its code)
            assert not set(words) & set(codes), (s.id, key, words)
            checked += 1
    assert checked >= 4


def test_kyrgyz_words_typed_into_a_russian_workbook_read_back_to_the_codes(tmp_path):
    kind, data, wb = _book(PASSPORT, "ru")
    objects = _sheet(wb, kind, "objects", "ru")
    cols = _columns(objects)
    for i, o in enumerate(data["objects"]):
        objects.cell(TABLE_FIRST_ROW + i, cols["type"]).value = t("pp_type_" + o["type"], "ky")
        if "condition" in o:
            objects.cell(TABLE_FIRST_ROW + i, cols["condition"]).value = t("pp_condition_" + o["condition"], "ky")
    assert read_workbook(_save(wb, tmp_path), "ru")[1] == data


def test_options_of_two_objects_sharing_an_id_are_each_shown_by_their_own_name(tmp_path):
    kind, data, wb = _book(PASSPORT, "ru")
    options = [(o, x) for o in data["objects"] for x in o.get("options", ())]
    ids = [x["id"] for _, x in options]
    assert len(set(ids)) < len(ids)  # the example has two objects with an option of one id
    ws = _sheet(wb, kind, "objects.options", "ru")
    cols = _columns(ws)
    shown = [ws.cell(TABLE_FIRST_ROW + i, cols["id"]).value for i in range(len(options))]
    assert shown == [x["name"]["ru"] for _, x in options]
    # renamed in the workbook, an option keeps its id; a new one is given an id of its name
    ws.cell(TABLE_FIRST_ROW, cols["name.ru"]).value = "Пристройка на 350 мест"
    row = TABLE_FIRST_ROW + len(options)
    for key, value in {"@parent": ws.cell(TABLE_FIRST_ROW, cols["@parent"]).value, "id": "Новая котельная",
                       "name.ru": "Новая котельная", "cost": 2500000,
                       "source": ws.cell(TABLE_FIRST_ROW, cols["source"]).value}.items():
        ws.cell(row, cols[key]).value = value
    back = read_workbook(_save(wb, tmp_path), "ru")[1]
    first = next(o for o in back["objects"] if o["id"] == options[0][0]["id"])
    assert [x["id"] for x in first["options"]] == [options[0][1]["id"], "novaia_kotelnaia"]
    assert first["options"][0]["name"]["ru"] == "Пристройка на 350 мест"


def test_figures_by_year_are_year_columns_and_a_year_typed_in_a_heading_is_read(tmp_path):
    kind, data, wb = _book(BASE, "ru")
    land = _sheet(wb, kind, "land", "ru")
    cols = _columns(land)
    first = data["land"][0]["area"]
    years = sorted(first)
    # the columns are headed by the years, each row's areas under them
    headings = {land.cell(TABLE_LABEL_ROW, c).value: c for k, c in cols.items() if k.startswith("area@")}
    assert set(years) < set(headings)
    assert [land.cell(TABLE_FIRST_ROW, headings[y]).value for y in years] == [first[y] for y in years]
    # the next year: typed under the spare column headed by it (every count ends at the file's year)
    spare = headings[years[-1] + 1]
    general = _sheet(wb, kind, "general", "ru")
    year_row = next(c.row for c in general["A"] if c.value == "year")
    for i in range(len(data["land"])):
        land.cell(TABLE_FIRST_ROW + i, spare).value = 1234.5 + i
    for ws_id, field in (("livestock", "heads"), ("businesses", "count")):
        ws = _sheet(wb, kind, ws_id, "ru")
        c = _columns(ws)
        heading = next(col for k, col in c.items() if k.startswith(field + "@")
                       and ws.cell(TABLE_LABEL_ROW, col).value == years[-1] + 1)
        for i in range(len(data[ws_id])):
            ws.cell(TABLE_FIRST_ROW + i, heading).value = 7 + i
    general.cell(year_row, 5).value = years[-1] + 1
    back = read_workbook(_save(wb, tmp_path), "ru")[1]
    assert back["land"][0]["area"] == {**first, years[-1] + 1: 1234.5}
    assert back["year"] == years[-1] + 1

    # a heading that is no year, over figures: named at the heading, nothing said of the gap it leaves
    land.cell(TABLE_LABEL_ROW, headings[years[1]]).value = "два года"
    text = _problems(_save(wb, tmp_path, "bad.xlsx"), "ru")
    cell = f"{openpyxl.utils.get_column_letter(headings[years[1]])}{TABLE_LABEL_ROW}"
    assert f"лист «{land.title}», ячейка {cell}" in text and "'два года'" in text
    assert "В заголовке столбца должен стоять год" in text and "«Площадь, га»" in text
    assert text.count("ячейка") == 1


def test_a_revenue_term_added_under_a_line_is_one_more_term(tmp_path):
    kind, data, wb = _book(BASE, "ru")
    ws = _sheet(wb, kind, "revenue_bases", "ru")
    cols = _columns(ws)
    line = next(iter(data["revenue_bases"]))
    terms = data["revenue_bases"][line]
    # "of" in the words of the term's base
    of = ws.cell(TABLE_FIRST_ROW, cols["of"]).value
    assert of == choice_label("land", "category", terms[0]["of"], "ru") != terms[0]["of"]
    row = TABLE_FIRST_ROW + sum(len(v) for v in data["revenue_bases"].values())
    values = {KEY: t("line_b_" + line, "ru"), "base": t("eb_base_land", "ru"),
              "of": t("eb_land_pastures", "ru"), "rate": 12.5, "source": ws.cell(TABLE_FIRST_ROW, cols["source"]).value}
    for key, value in values.items():
        ws.cell(row, cols[key]).value = value
    back = read_workbook(_save(wb, tmp_path), "ru")[1]
    assert back["revenue_bases"][line][-1] == {"base": "land", "of": "pastures", "rate": 12.5,
                                               "source": terms[0]["source"]}
    assert back["revenue_bases"][line][:-1] == terms


# --- a workbook filled by hand with mistakes ---------------------------------------------------


def test_bad_cells_are_named_by_sheet_cell_and_value_in_the_readers_language(tmp_path):
    kind, data, wb = _book(PASSPORT, "ru")
    letter = openpyxl.utils.get_column_letter
    objects = _sheet(wb, kind, "objects", "ru")
    cols = _columns(objects)
    condition = f"{letter(cols['condition'])}{TABLE_FIRST_ROW}"
    objects[condition] = "плохое"  # not one of the conditions
    capacity = f"{letter(cols['capacity'])}{TABLE_FIRST_ROW + 1}"
    objects[capacity] = "много мест"  # text in a number cell
    repairs = _sheet(wb, kind, "objects.repairs", "ru")
    parent = f"A{TABLE_FIRST_ROW}"
    repairs[parent] = "Школа № 2"  # a repair of an object the passport does not have
    points = _sheet(wb, kind, "priority.condition", "ru")
    key = f"A{TABLE_FIRST_ROW + 1}"
    points[key] = "ужасное"  # no such condition
    book = _save(wb, tmp_path)
    for lang in ("ru", "ky"):
        text = _problems(book, lang)
        where = t("error_sheet_cell", lang, sheet="{}", cell="{}")
        for ws, cell, value in ((objects, condition, "плохое"), (objects, capacity, "много мест"),
                                (repairs, parent, "Школа № 2"), (points, key, "ужасное")):
            assert where.format(ws.title, cell) in text, (lang, ws.title, cell, text)
            block = text.split(where.format(ws.title, cell), 1)[1].split("\n")[1]
            assert value in block, (value, block)
        # the allowed conditions and the objects there are, in the reader's words
        words = ", ".join(f"'{t('pp_condition_' + c, lang)}'" for c in ("emergency", "unsatisfactory",
                                                                         "satisfactory", "good"))
        assert text.count(words) == 2, text
        assert "'emergency'" not in text
        assert data["objects"][1]["name"]["ru"] in text.split(repairs.title, 1)[1]
        assert not foreign_words(_messages(text)), text
    assert not (tmp_path / "book.yaml").exists()
    with pytest.raises(ScenarioError):
        import_workbook(book)
    assert not (tmp_path / "book.yaml").exists()  # nothing written


def test_an_economic_base_naming_a_base_it_does_not_count_is_told_in_words(tmp_path):
    kind, data, wb = _book(BASE, "ky")
    ws = _sheet(wb, kind, "revenue_bases", "ky")
    cols = _columns(ws)
    row = next(r for r in range(TABLE_FIRST_ROW, ws.max_row + 1)
               if ws.cell(r, cols["base"]).value == t("eb_base_land", "ky"))
    counted = {e["category"] for e in data["land"]}
    missing = next(c for c in ("nurseries", "orchards", "rainfed") if c not in counted)
    ws.cell(row, cols["of"]).value = t("eb_land_" + missing, "ky")
    text = _problems(_save(wb, tmp_path), "ky")
    cell = f"{openpyxl.utils.get_column_letter(cols['of'])}{row}"
    assert t("error_sheet_cell", "ky", sheet=ws.title, cell=cell) in text
    assert t("eb_land_" + missing, "ky") in text and t("eb_land_" + min(counted), "ky") in text
    assert not foreign_words(_messages(text)), text


# --- result workbooks (--format xlsx) ----------------------------------------------------------


def _header_row(ws, label) -> int:
    return next(r for r in range(1, ws.max_row + 1) if ws.cell(r, 1).value == label)


def _row_of(ws, label, col: int, start: int = 1) -> int:
    return next(r for r in range(start, ws.max_row + 1) if ws.cell(r, col).value == label)


@pytest.mark.parametrize("lang", ("ru", "ky", "en"))
@pytest.mark.parametrize("example", KINDS["passport"].examples)
def test_passport_workbook_holds_the_objects_and_the_needs_of_the_json_export(example, lang):
    from okmo_models.excel.results import passport_workbook

    plan = KINDS["passport"]
    result = plan.compute(example_path(example))
    data = json.loads(plan.export(result, "json", lang))
    wb = openpyxl.load_workbook(io.BytesIO(passport_workbook(result, lang)))
    objects, needs = wb.worksheets[0], wb.worksheets[1]
    assert objects.title == t("pp_objects", lang) and wb.worksheets[-1].title == t("xr_sheet_sources", lang)
    head = _header_row(objects, t("c_no", lang))
    cols = {c.value: c.column for c in objects[head]}
    value_col = cols[t("pp_col_value", lang, unit=t("b_unit_" + data["unit"], lang))]
    for i, o in enumerate(data["objects"]):
        r = head + 1 + i
        assert objects.cell(r, cols[t("pp_col_object", lang)]).value == o["name"]
        assert objects.cell(r, value_col).value == o["balance_value"]  # numbers, not text
        assert objects.cell(r, cols[t("pp_col_points", lang)]).value == pytest.approx(o["points"], abs=1e-6)
        assert objects.cell(r, cols[t("xr_col_need_rank", lang)]).value == o["need_rank"]
    head = _header_row(needs, t("c_no", lang))
    cols = {c.value: c.column for c in needs[head]}
    cost = cols[t("pp_col_cost", lang, unit=t("b_unit_" + data["unit"], lang))]
    for need in data["needs"]:  # ranked as the JSON ranks them, with the same points and cost
        r = head + need["rank"]
        name = next(o["name"] for o in data["objects"] if o["id"] == need["object"])
        assert [needs.cell(r, 1).value, needs.cell(r, cols[t("pp_col_object", lang)]).value] == [need["rank"], name]
        assert needs.cell(r, cols[t("pp_col_points", lang)]).value == pytest.approx(need["points"], abs=1e-6)
        assert needs.cell(r, cost).value == need["cost"]
    total = _row_of(needs, t("xr_total", lang), 2, head)
    assert needs.cell(total, cost).value == pytest.approx(data["needs_cost"])


@pytest.mark.parametrize("lang", ("ru", "ky", "en"))
@pytest.mark.parametrize("example", KINDS["economic_base"].examples)
def test_economic_base_workbook_holds_the_bases_and_the_accrued_revenue_of_the_json_export(example, lang):
    from okmo_models.excel.results import economic_base_workbook

    plan = KINDS["economic_base"]
    result = plan.compute(example_path(example))
    data = json.loads(plan.export(result, "json", lang))
    wb = openpyxl.load_workbook(io.BytesIO(economic_base_workbook(result, lang)))
    bases, accrued = wb.worksheets[0], wb.worksheets[1]
    years = data["years"]

    def series(ws, r, first):
        return [ws.cell(r, first + k).value for k in range(len(years))]

    head = _header_row(bases, t("c_indicator", lang))
    first = [c.value for c in bases[head]].index(years[0]) + 1
    assert series(bases, head, first) == years  # the years head the columns, forecast ones too
    land = data["land"][0]
    r = next(r for r in range(head + 1, bases.max_row + 1)
             if [bases.cell(r, 1).value, bases.cell(r, 2).value] == [land["category_label"], land["user_label"]])
    assert series(bases, r, first) == pytest.approx(land["area_ha"])
    herd = data["livestock"][0]
    r = _row_of(bases, herd["label"], 1, head)
    assert series(bases, r, first) == pytest.approx(herd["heads"])

    head = _header_row(accrued, t("eb_col_line", lang))
    first = [c.value for c in accrued[head]].index(years[0]) + 1
    for line in data["revenue"]:  # each line's total accrued, year by year, as the JSON has it
        r = next(r for r in range(head + 1, accrued.max_row + 1) if accrued.cell(r, 1).value == line["label"]
                 and accrued.cell(r, 2).value == t("eb_total_accrued", lang))
        assert series(accrued, r, first) == pytest.approx(line["accrued"])
        term = line["terms"][0]
        r = _row_of(accrued, term["label"], 2, head)
        assert series(accrued, r, first) == pytest.approx(term["accrued"])


@pytest.mark.parametrize("lang", ("ru", "ky"))
@pytest.mark.parametrize("example", EXAMPLES)
def test_result_workbooks_from_the_command_are_in_the_readers_language(example, lang, tmp_path):
    from okmo_models.cli import main

    kind = KINDS[scenario_data(example_path(example))[0]]
    out = tmp_path / "result.xlsx"
    assert main(["--lang", lang, "--quiet", kind.name, str(example_path(example)), "--format", "xlsx",
                 "-o", str(out)]) in (0, None)
    wb = openpyxl.load_workbook(out)
    own = [str(example_path(example)), *(p.name for p in example_path(example).parent.iterdir())]
    assert not foreign_words(_visible_text(wb), own)
    assert all(ws.cell(1, 1).value for ws in wb.worksheets)  # every sheet opens with its title


def test_a_blank_template_names_each_missing_input_on_its_own_sheet(tmp_path):
    book = tmp_path / "blank.xlsx"
    book.write_bytes(template_workbook("passport", "ru"))
    text = _problems(book, "ru")
    general = sheet_title(layout("passport")[0], "ru")
    name_row = next(r for r, s in enumerate(layout("passport")[0].inputs, 4) if s.key == "municipality.name.ru")
    # the municipality at its name's row, not on the last child sheet read (it was)
    assert f"лист «{general}», ячейка E{name_row} (municipality)" in text, text
    for section in ("objects.repairs", "objects.options"):
        assert sheet_title(next(s for s in layout("passport") if s.id == section), "ru") not in text


@pytest.mark.parametrize("kind", NEW_KINDS)
def test_labels_say_what_the_field_is_on_its_sheet(kind):
    """A field's label on its sheet: a source's text is its reference (not "value (cost)"),
    a repair's year is the repair's (not the year in service)."""
    wb = openpyxl.load_workbook(io.BytesIO(template_workbook(kind, "ru")))
    labels = {ws.title: [c.value for c in ws[TABLE_LABEL_ROW]] for ws in wb.worksheets}
    assert labels[sheet_title(layout(kind)[1], "ru")][1] == "Полная ссылка на документ (по-русски) *"
    if kind == "passport":
        repairs = labels[sheet_title(next(s for s in layout(kind) if s.id == "objects.repairs"), "ru")]
        assert "Год ремонта *" in repairs and t("xf_year", "ru") + " *" not in repairs

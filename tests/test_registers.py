"""Household and livestock registers: reading, every unusable row named, aggregation worked by
hand, the same register as CSV and as Excel, variants that load and change the tariff, the
command line."""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import importlib.util
import json
import re
import shutil
from collections import Counter

import openpyxl
import pytest
import yaml
from conftest import ROOT, SCENARIOS, with_records

from okmo_models.cli import main
from okmo_models.errors import ScenarioError
from okmo_models.registers import (
    RegisterError,
    household_volumes,
    households_variant,
    livestock_variant,
    livestock_volumes,
    read_households,
    read_livestock,
    save_variant,
)
from okmo_models.registers.report import problem_text, to_csv, to_dict
from okmo_models.safe_write import FileExistsRefused
from okmo_models.scenario.loader import load_scenario
from okmo_models.scenario.schema import Scenario
from okmo_models.tariff import TariffModel, calculate_tariff

# A small register worked by hand (Russian headings, cp1251, ";" and a decimal comma):
#   А-1  1 person   lone pensioner
#   А-2  4,0 -> 4   none
#   А-3  6          Үй-бүлөгө көмөк (written "Малообеспеченная семья": cp1251 has no ү, ө)
#   А-4  5          disability and УБК ("Лицо с инвалидностью, УБК": two categories)
#   А-5  3          none
#   А-6  2          "нет" = none
# persons 1+4+6+5+3+2 = 21, households 6, mean size 3.5;
# lone_pensioner 1 household (1 person); uy_bulogo_komok 2 (А-3, А-4: 6+5 = 11 persons);
# disability 1 (5 persons); none 3 (А-2, А-5, А-6: 4+3+2 = 9); in several categories: 1 (А-4);
# by settlement: Центр А-1..А-3 = 3 households, 11 persons; Верхнее А-4..А-6 = 3, 10.
HEADING = ["Код хозяйства", "Населённый пункт", "Кол-во членов", "Категория соц. паспорта"]
ROWS = [
    ["А-1", "Центр", "1", "Одинокий пенсионер"],
    ["А-2", "Центр", "4,0", ""],
    ["А-3", "Центр", "6", "Малообеспеченная семья"],
    ["А-4", "Верхнее", "5", "Лицо с инвалидностью, УБК"],
    ["А-5", "Верхнее", "3", ""],
    ["А-6", "Верхнее", "2", "нет"],
]


def csv_text(heading, rows, delimiter=";"):
    return "\r\n".join(delimiter.join(r) for r in [heading, *rows]) + "\r\n"


def write_csv(path, heading=HEADING, rows=ROWS, encoding="cp1251", delimiter=";"):
    path.write_bytes(csv_text(heading, rows, delimiter).encode(encoding))
    return path


def write_xlsx(path, heading=HEADING, rows=ROWS, sheet="Реестр", title=None, numbers=True, extra_sheet=True):
    wb = openpyxl.Workbook()
    if extra_sheet:
        wb.active.title = "Пояснения"
        wb.active.append(["Пример"])
        ws = wb.create_sheet(sheet)
    else:
        ws = wb.active
        ws.title = sheet
    if title:
        ws.append([title])
    ws.append(heading)
    for r in rows:
        # as an economist's workbook holds them: counts as numbers, 4,0 as 4.0
        ws.append([float(c.replace(",", ".")) if numbers and j == 2 and c else c for j, c in enumerate(r)])
    wb.save(path)
    return path


def by_cell(register):
    return {p.cell: (p.key, p.value, u.row) for u in register.unusable for p in u.problems}


# --- aggregation --------------------------------------------------------------------------


def test_hand_worked_register_gives_the_totals_worked_above(tmp_path):
    register = read_households(write_csv(tmp_path / "reg.csv"))
    v = household_volumes(register)
    assert (v.persons, v.households) == (21, 6)
    assert v.household_size == pytest.approx(3.5)
    assert v.by_category == {"lone_pensioner": (1, 1), "uy_bulogo_komok": (2, 11), "disability": (1, 5)}
    assert v.without_category == (3, 9)
    assert v.in_several_categories == 1
    assert v.by_settlement == {"Центр": (3, 11), "Верхнее": (3, 10)}
    f = register.file
    assert (f.rows_read, f.rows_used, f.rows_unusable, f.empty_rows) == (6, 6, 0, 0)
    assert (f.encoding, f.delimiter, f.heading_row) == ("cp1251", ";", 1)
    assert register.households_in({"uy_bulogo_komok", "disability"}) == 2  # А-4 once


def test_the_same_register_as_excel_gives_identical_results(tmp_path):
    from_csv = read_households(write_csv(tmp_path / "reg.csv"))
    book = write_xlsx(tmp_path / "reg.xlsx", title="Реестр домохозяйств на 01.01.2026")
    from_xlsx = read_households(book, sheet="Реестр")
    assert household_volumes(from_xlsx) == household_volumes(from_csv)
    assert [(h.id, h.members, h.categories) for h in from_xlsx.households] == \
        [(h.id, h.members, h.categories) for h in from_csv.households]
    assert from_xlsx.file.heading_row == 2 and from_xlsx.file.sheet == "Реестр"
    # the same broken rows, named by the same cells (one row lower for the title row)
    bad = ROWS + [["А-7", "Центр", "2,5", ""], ["А-1", "Центр", "3", ""]]
    c = read_households(write_csv(tmp_path / "bad.csv", rows=bad))
    x = read_households(write_xlsx(tmp_path / "bad.xlsx", rows=bad, extra_sheet=False, numbers=False))
    assert by_cell(c) == by_cell(x) == {"C8": ("rg_members_fractional", "2,5", 8), "A9": ("rg_id_twice", "А-1", 9)}


def test_first_sheet_by_default_and_an_unknown_sheet_lists_the_sheets(tmp_path):
    book = write_xlsx(tmp_path / "reg.xlsx", extra_sheet=False)
    assert household_volumes(read_households(book)).persons == 21
    with pytest.raises(RegisterError) as info:
        read_households(book, sheet="Лист9")
    assert info.value.key == "rg_sheet_unknown" and "Реестр" in info.value.render("ru")


def test_kyrgyz_headings_in_any_case_and_spacing(tmp_path):
    heading = ["  ҮЙ ЧАРБАСЫНЫН   КОДУ ", "Айыл", "Үй-бүлө мүчөлөрүнүн саны (адам)",
               "Социалдык паспорттун категориясы"]
    rows = [r[:3] + [{"Малообеспеченная семья": "Үй-бүлөгө көмөк",
                      "Одинокий пенсионер": "жалгыз бой пенсионер",
                      "Лицо с инвалидностью, УБК": "Майып, ҮБК"}.get(r[3], r[3])] for r in ROWS]
    register = read_households(write_csv(tmp_path / "ky.csv", heading, rows, encoding="utf-8-sig"))
    assert household_volumes(register) == household_volumes(read_households(write_csv(tmp_path / "ru.csv")))
    # exports made without Kyrgyz fonts write у, о, н for ү, ө, ң
    plain = [h.replace("ү", "у").replace("Ү", "У").replace("ө", "о") for h in heading]
    register = read_households(write_csv(tmp_path / "plain.csv", plain, rows, encoding="utf-8"))
    assert household_volumes(register).persons == 21


def test_comma_and_tab_separated_utf8_files(tmp_path):
    for delimiter, name in ((",", "c.csv"), ("\t", "t.txt")):
        rows = [[c.replace(",", ";") if j == 3 else c.replace("4,0", "4") for j, c in enumerate(r)] for r in ROWS]
        register = read_households(write_csv(tmp_path / name, rows=rows, encoding="utf-8", delimiter=delimiter))
        assert household_volumes(register).persons == 21 and register.file.delimiter == delimiter


def test_a_missing_column_names_the_file_the_accepted_headings_and_those_found(tmp_path):
    path = write_csv(tmp_path / "reg.csv", ["Код хозяйства", "Адрес", "Категория"], [["А-1", "ул. Мира", ""]])
    with pytest.raises(RegisterError) as info:
        read_households(path)
    text = info.value.render("ru")
    assert str(path) in text and "число членов семьи" in text and "«Кол-во членов»" in text
    assert "Код хозяйства | Адрес | Категория" in text
    assert "household members" in info.value.render("en")


def test_a_column_given_twice_is_refused(tmp_path):
    path = write_csv(tmp_path / "reg.csv", ["Код хозяйства", "Кол-во членов", "Число членов", "Категория"],
                     [["А-1", "2", "2", ""]])
    with pytest.raises(RegisterError) as info:
        read_households(path)
    assert info.value.key == "rg_column_twice" and "B1" in info.value.render("ru") and "C1" in info.value.render("ru")


# --- every unusable row, with its cell and value -------------------------------------------


BAD = [
    ["А-1", "Центр", "3", ""],                       # 2 used
    ["А-2", "Центр", "четыре", ""],                  # 3 not a number
    ["А-3", "Центр", "0", ""],                       # 4 zero
    ["А-4", "Центр", "-2", ""],                      # 5 negative
    ["А-5", "Центр", "2,5", ""],                     # 6 fractional
    ["", "Центр", "3", ""],                          # 7 no household code
    ["А-1", "Центр", "5", ""],                       # 8 repeat of row 2
    ["А-8", "Центр", "3", "Пенсионер"],              # 9 unknown category
    ["", "", "", ""],                                # 10 empty: skipped, counted
    ["А-9", "Центр", "45", ""],                      # 11 implausible
    ["А-10", "Центр", "", "Одинокий пенсионер"],     # 12 members missing
    ["А-11", "Центр", "1,000", ""],                  # 13 ambiguous
    ["А-12", "Центр", "x", "Страус"],                # 14 two problems
    ["Итого", "", "21", ""],                         # 15 totals row
    ["А-13", "Центр", "3", "", "ул. Мира"],          # 16 a cell right of the headings
]


def test_every_kind_of_bad_row_is_listed_with_its_cell_and_value(tmp_path):
    register = read_households(write_csv(tmp_path / "bad.csv", rows=BAD))
    cells = by_cell(register)
    assert cells == {
        "C3": ("rg_members_not_number", "четыре", 3),
        "C4": ("rg_members_not_positive", "0", 4),
        "C5": ("rg_members_not_positive", "-2", 5),
        "C6": ("rg_members_fractional", "2,5", 6),
        "A7": ("rg_id_missing", None, 7),
        "A8": ("rg_id_twice", "А-1", 8),
        "D9": ("rg_category_unknown", "Пенсионер", 9),
        "C11": ("rg_members_implausible", "45", 11),
        "C12": ("rg_members_missing", None, 12),
        "C13": ("rg_number_ambiguous", "1,000", 13),  # shown with both readings (issue 14)
        "C14": ("rg_members_not_number", "x", 14),
        "D14": ("rg_category_unknown", "Страус", 14),
        "A15": ("rg_totals_row", "Итого", 15),
        "E16": ("rg_extra_cell", "ул. Мира", 16),
    }
    f = register.file
    # nothing dropped silently: every non-empty row is used or listed
    assert (f.rows_read, f.rows_used, f.rows_unusable, f.empty_rows) == (14, 1, 13, 1)
    assert f.rows_used + len(register.unusable) == f.rows_read
    assert household_volumes(register).persons == 3
    texts = {p.cell: problem_text(p, "ru") for u in register.unusable for p in u.problems}
    assert texts["C6"].startswith("ячейка C6 («Кол-во членов»): '2,5' — дробное")
    assert "учтена первая строка, эта повторная не учтена" in texts["A8"]
    en = {p.cell: problem_text(p, "en") for u in register.unusable for p in u.problems}
    assert "already appeared in row 2; the first row is used" in en["A8"]
    assert "Пенсионер" in en["D9"] and "Одинокий пенсионер" in en["D9"]


def test_the_report_lists_the_rows_in_all_three_formats(tmp_path, capsys):
    path = write_csv(tmp_path / "bad.csv", rows=BAD)
    assert main(["register", "households", str(path), "--lang", "ru"]) == 0
    out, err = capsys.readouterr()
    assert "строка 6, ячейка C6 («Кол-во членов»): '2,5'" in out
    assert "Строк прочитано" in out and "Пустых строк пропущено" in out
    assert "Внимание: 13 из 14 строк" in err
    assert main(["register", "households", str(path), "--format", "json", "--lang", "en"]) == 0
    d = json.loads(capsys.readouterr().out)
    assert d["rows"] == {"read": 14, "other_settlements": 0, "used": 1, "unusable": 13, "empty_skipped": 1}
    assert d["settlements"] is None
    assert {"row": 6, "cell": "C6", "heading": "Кол-во членов", "value": "2,5", "problem": "rg_members_fractional",
            "message": "a fractional number of members: a whole number of persons is needed"} in d["unusable"]
    assert main(["register", "households", str(path), "--format", "csv", "--lang", "en"]) == 0
    rows = capsys.readouterr().out.splitlines()
    assert rows[0] == "section,key,name,unit,value" and "rows,unusable,  unusable,row,13" in rows
    assert any(r.startswith("unusable,C6,") and r.endswith(",\"2,5\"") for r in rows)


# --- livestock ----------------------------------------------------------------------------

# By hand: sheep 10 + 5 = 15 (2 owners), goats 3 + 1 = 4 (2), cattle 2 (1), horses 4 (1); 3 owners.
LONG = [["Асанов", "Овцы", "10"], ["Асанов", "козы", "3"], ["Бекова", "КРС", "2"], ["Бекова", "кой", "5"],
        ["Осмонов", "Жылкы", "4"], ["Осмонов", "эчки", "1"]]


def test_long_livestock_register_by_hand(tmp_path):
    path = write_csv(tmp_path / "l.csv", ["Владелец", "Вид животных", "Кол-во голов"], LONG)
    register = read_livestock(path)
    v = livestock_volumes(register)
    assert register.layout == "long"
    assert v.heads == {"sheep": 15, "goats": 4, "cattle": 2, "horses": 4}
    assert v.owners_by_species == {"sheep": 2, "goats": 2, "cattle": 1, "horses": 1}
    assert v.owners == 3 and v.total_heads == 25


def test_wide_livestock_register_gives_the_same_volumes(tmp_path):
    heading = ["ФИО владельца", "Овцы, гол.", "Козы", "КРС", "Лошади", "Примечание"]
    rows = [["Асанов", "10", "3", "", "", ""], ["Бекова", "5", "0", "2", "", "с 2025"],
            ["Осмонов", "", "1", "", "4", ""]]
    register = read_livestock(write_csv(tmp_path / "w.csv", heading, rows))
    assert register.layout == "wide"
    long = read_livestock(write_csv(tmp_path / "l.csv", ["Владелец", "Вид животных", "Кол-во голов"], LONG))
    assert livestock_volumes(register) == livestock_volumes(long)
    assert register.file.ignored_columns == ("F «Примечание»",)


def test_bad_livestock_rows_are_listed(tmp_path):
    rows = LONG + [["Асанов", "овцы", "7"], ["", "Овцы", "3"], ["Жусупов", "страусы", "2"], ["Жусупов", "МРС", "30"],
                   ["Жусупов", "Яки", "2,5"], ["Жусупов", "Яки", "0"], ["Жусупов", "Коровы", ""]]
    register = read_livestock(write_csv(tmp_path / "l.csv", ["Владелец", "Вид животных", "Кол-во голов"], rows))
    assert by_cell(register) == {
        "A8": ("rg_owner_species_twice", "Асанов", 8), "A9": ("rg_owner_missing", None, 9),
        "B10": ("rg_species_unknown", "страусы", 10), "B11": ("rg_species_mixed", "МРС", 11),
        "C12": ("rg_heads_fractional", "2,5", 12), "C13": ("rg_heads_not_positive", "0", 13),
        "C14": ("rg_heads_missing", None, 14)}
    assert livestock_volumes(register).heads["sheep"] == 15


# --- variants -----------------------------------------------------------------------------


@pytest.fixture
def waste(tmp_path):
    shutil.copy(SCENARIOS / "teploklyuchenka/waste.yaml", with_records(tmp_path / "waste.yaml"))
    return tmp_path / "waste.yaml"


def test_a_variant_saved_outside_its_baselines_folder_is_refused_before_writing(tmp_path, waste):
    register = read_households(write_csv(tmp_path / "reg.csv"))
    with pytest.raises(RegisterError, match="data-root") as exc:
        households_variant(register, waste, target=tmp_path / "out" / "variant.yaml", lang="ky")
    assert "--data-root" in exc.value.render("ky") and str(waste) in exc.value.render("ky")
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize("mark", [",", "."])
def test_a_variant_is_written_in_the_baselines_decimal_mark(tmp_path, mark):
    # 21 persons in 6 households: 3,50 per household, written so the baseline's mark reads it
    data = yaml.safe_load((SCENARIOS / "teploklyuchenka/waste.yaml").read_text(encoding="utf-8"))
    data["decimal_mark"] = mark
    if mark == ".":  # the baseline's own decimals written with a point
        data = json.loads(re.sub(r'(\d),(\d)', r"\1.\2", json.dumps(data, ensure_ascii=False)))
    baseline = with_records(tmp_path / "waste.yaml")
    baseline.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    register = read_households(write_csv(tmp_path / "reg.csv"))
    path = save_variant(households_variant(register, baseline, target=tmp_path / "v.yaml", lang="ru"))
    doc = yaml.safe_load(path.read_text(encoding="utf-8"))
    assert doc["changes"]["categories"]["households"]["household_size"] == f"3{mark}50 person/household"
    assert load_scenario(path).scenario.categories[0].household_size.value == 3.5


def test_household_variant_loads_and_the_volume_follows_the_persons(tmp_path, waste, monkeypatch):
    monkeypatch.setenv("OKMO_DATA_ROOT", str(tmp_path))  # the variant goes into a subfolder
    register = read_households(write_csv(tmp_path / "reg.csv"))
    plan = households_variant(register, waste, target=tmp_path / "out" / "variant.yaml", lang="ru")
    path = save_variant(plan)
    doc = yaml.safe_load(path.read_text(encoding="utf-8"))
    assert doc["variant_of"] == "../waste.yaml"
    assert doc["changes"]["categories"]["households"] == {
        "persons": "21 person", "households": "6 household", "household_size": "3,50 person/household",
        "source": "register_households_households"}
    # groups by their names: lone pensioners, "Үй-бүлөгө көмөк", disability
    assert {k: g["households"] for k, g in doc["changes"]["vulnerable"]["groups"].items()} == \
        {1: "1 household", 2: "2 household", 3: "1 household"}
    source = doc["changes"]["sources"]["register_households"]
    assert "reg.csv" in source and "прочитано 6" in source and "не использовано 0" in source
    assert register.file.sha256[:16] in source
    loaded = load_scenario(path)
    cat = loaded.scenario.categories[0]
    assert (cat.persons.value, cat.households.value) == (21, 6)
    # waste volume = persons x norm: 21 x 1.57 m3 (the baseline: 3 450 x 4.4 x 1.57)
    spec = TariffModel(loaded).categories[0]
    assert spec.volume == pytest.approx(21 * 1.57)
    assert TariffModel(load_scenario(waste)).categories[0].volume == pytest.approx(3450 * 4.4 * 1.57)
    tariff = calculate_tariff(path).tariff("households").tariff_som
    assert tariff > calculate_tariff(waste).tariff("households").tariff_som
    # the category's source, printed among the justification's sources, is in the reader's
    # words (it began "persons, households, household_size — из источника register_households")
    cited = str(loaded.scenario.sources["register_households_households"])
    assert cited.startswith("Число жителей, число домохозяйств, размер домохозяйства — из файла «reg.csv»")
    from reader_language import foreign_words
    assert not foreign_words(cited, {"reg.csv"}), cited
    # a later import into this variant: a variant of the variant, with the new register cited
    again = households_variant(read_households(write_csv(tmp_path / "reg2.csv", rows=ROWS[:4])), path,
                               target=tmp_path / "out" / "again.yaml", today=dt.date(2027, 1, 15))
    again_doc = yaml.safe_load(save_variant(again).read_text(encoding="utf-8"))
    assert again_doc["variant_of"] == "variant.yaml" and again_doc["saved"] == "2027-01-15"
    assert set(again_doc["changes"]["sources"]) == {"register_households"}
    assert "reg2.csv" in again_doc["changes"]["sources"]["register_households"]
    assert load_scenario(again.target).scenario.categories[0].persons.value == 16


def test_bundled_example_registers_fit_the_teploklyuchenka_scenarios(tmp_path, waste):
    registers = SCENARIOS / "teploklyuchenka/registers"
    households = read_households(registers / "households.csv")
    v = household_volumes(households)
    assert households.file.rows_unusable == 0 and v.households == 3480
    assert abs(v.persons / (3450 * 4.4) - 1) < 0.03
    plan = households_variant(households, waste, lang="en")
    effect = calculate_tariff(plan.scenario).tariff("households").tariff_som
    assert effect == pytest.approx(calculate_tariff(waste).tariff("households").tariff_som, rel=0.03)
    livestock = read_livestock(registers / "livestock.xlsx")
    heads = livestock_volumes(livestock).heads
    assert livestock.file.rows_unusable == 0 and livestock.file.heading_row == 2
    assert abs(heads["sheep"] / 16_000 - 1) < 0.05 and abs(heads["goats"] / 2_000 - 1) < 0.05
    assert abs(heads["cattle"] / 6_000 - 1) < 0.1 and abs(heads["horses"] / 2_500 - 1) < 0.1


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def test_bundled_examples_are_what_the_script_writes():
    spec = importlib.util.spec_from_file_location("make_register_examples", ROOT / "scripts/make_register_examples.py")
    script = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(script)
    households = script.household_rows()
    registers = SCENARIOS / "teploklyuchenka/registers"
    # compared by digest: pytest's diff of two differing workbooks' bytes runs for hours
    assert sha256((registers / "households.csv").read_bytes()) == sha256(script.csv_bytes(households))
    assert sha256((registers / "livestock.xlsx").read_bytes()) == \
        sha256(script.xlsx_bytes(script.livestock_rows(households), "Мал", script.LIVESTOCK_TITLE)), \
        "run scripts/make_register_examples.py"
    assert "ВЫМЫШЛЕН" in (registers / "README.md").read_text(encoding="utf-8")


def test_group_names_that_speak_of_no_category_need_a_map(tmp_path, waste):
    data = yaml.safe_load(waste.read_text(encoding="utf-8"))
    data["vulnerable"]["groups"][0]["name"] = {"ru": "Льготники", "en": "Beneficiaries"}
    other = tmp_path / "other.yaml"
    other.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    register = read_households(write_csv(tmp_path / "reg.csv"))
    with pytest.raises(RegisterError) as info:
        households_variant(register, other)
    assert info.value.key == "rg_group_unmapped" and "--map 1=" in info.value.render("ru")
    # one group standing for two categories counts А-1 and А-4 once each
    plan = households_variant(register, other, mapping=["1=lone_pensioner+disability"])
    assert plan.document["changes"]["vulnerable"]["groups"][1]["households"] == "2 household"
    # keeping the baseline's 60 households is refused here: the whole variant is checked before
    # it is written, and 60 + 2 + 1 vulnerable households exceed the register's 6
    with pytest.raises(ScenarioError) as info:
        households_variant(register, other, mapping=["Льготники=keep"])
    assert {p.key for p in info.value.problems} == {"more_vulnerable_than_households"}
    big = read_households(SCENARIOS / "teploklyuchenka/registers/households.csv")
    plan = households_variant(big, other, mapping=["Льготники=keep"])
    assert 1 not in plan.document["changes"]["vulnerable"]["groups"]
    assert any(n.key == "rg_note_group_kept" for n in plan.notes)
    for bad, key in (("1", "rg_map_bad"), ("7=lone_pensioner", "rg_map_group_unknown"),
                     ("1=страусы", "rg_map_category_unknown")):
        with pytest.raises(RegisterError) as info:
            households_variant(register, other, mapping=[bad])
        assert info.value.key == key


def test_a_group_without_households_in_the_register_is_an_error(tmp_path, waste):
    rows = [r for r in ROWS if "пенсионер" not in r[3]]
    register = read_households(write_csv(tmp_path / "reg.csv", rows=rows))
    with pytest.raises(RegisterError) as info:
        households_variant(register, waste)
    assert info.value.key == "rg_group_empty" and "--map 1=keep" in info.value.render("ru")


def test_which_category_must_be_said_when_there_are_two(tmp_path):
    shutil.copy(SCENARIOS / "ak-bulak/water.yaml", tmp_path / "water.yaml")
    register = read_households(write_csv(tmp_path / "reg.csv"))
    with pytest.raises(RegisterError) as info:
        households_variant(register, tmp_path / "water.yaml")
    assert info.value.key == "rg_category_choose" and "unmetered" in info.value.render("en")
    plan = households_variant(register, tmp_path / "water.yaml", category="unmetered")
    assert plan.document["changes"]["vulnerable"]["groups"] == {1: {"households": "2 household",
                                                                    "source": "register_households"}}
    assert isinstance(plan.scenario, Scenario)
    for category, key in (("nope", "rg_category_not_in_scenario"), ("budget", "rg_category_not_population")):
        with pytest.raises(RegisterError) as info:
            households_variant(register, tmp_path / "water.yaml", category=category)
        assert info.value.key == key


def test_livestock_variant_sets_heads_of_the_known_species(tmp_path):
    shutil.copy(SCENARIOS / "teploklyuchenka/dipping_bath.yaml", with_records(tmp_path / "dip.yaml"))
    register = read_livestock(write_csv(tmp_path / "l.csv", ["Владелец", "Вид животных", "Кол-во голов"], LONG))
    plan = livestock_variant(register, tmp_path / "dip.yaml", target=tmp_path / "v.yaml", lang="en")
    path = save_variant(plan)
    local = load_scenario(path).scenario.categories[0]
    assert {sp: q.value for sp, q in local.heads.items()} == {"sheep": 15, "goats": 4}
    # sheep-equivalent volume 15 x 1.0 + 4 x 0.9
    assert TariffModel(load_scenario(path)).categories[0].volume == pytest.approx(15 + 4 * 0.9)
    notes = [n.render("en") for n in plan.notes]
    assert any("cattle: 2; horses: 4" in n for n in notes)
    no_goats = read_livestock(write_csv(tmp_path / "s.csv", ["Владелец", "Вид", "Голов"], [["А", "Овцы", "5"]]))
    with pytest.raises(RegisterError) as info:
        livestock_variant(no_goats, tmp_path / "dip.yaml")
    assert info.value.key == "rg_species_absent"


def test_wrong_service_is_refused(tmp_path, waste):
    register = read_livestock(write_csv(tmp_path / "l.csv", ["Владелец", "Вид животных", "Кол-во голов"], LONG))
    with pytest.raises(RegisterError) as info:
        livestock_variant(register, waste)
    assert info.value.key == "rg_wrong_service"


# --- command line -------------------------------------------------------------------------


def test_cli_writes_a_variant_that_okmo_tariff_calculates_and_never_overwrites(tmp_path, waste, capsys):
    reg = write_csv(tmp_path / "reg.csv")
    out = tmp_path / "waste_register.yaml"
    args = ["register", "households", str(reg), "--scenario", str(waste), "--output", str(out), "--lang", "ru"]
    assert main(args) == 0
    stdout, err = capsys.readouterr()
    assert "категория households, persons: — → 21 person" in stdout and "Тарифы" in stdout
    assert f"сохранён: {out}" in err
    assert main(["tariff", str(out), "--lang", "ru"]) == 0
    capsys.readouterr()
    before = out.read_bytes()
    assert main(args) == 2
    assert "уже существует" in capsys.readouterr().err and out.read_bytes() == before
    assert main(args + ["--force"]) == 0
    with pytest.raises(FileExistsRefused):
        save_variant(households_variant(read_households(reg), waste, target=out))


def test_cli_exit_codes(tmp_path, waste, capsys):
    reg = write_csv(tmp_path / "reg.csv")
    bad = write_csv(tmp_path / "bad.csv", rows=ROWS + [["А-7", "Центр", "x", ""]])
    out = tmp_path / "v.yaml"
    cases = [
        (["register", "households", str(tmp_path / "none.csv")], 2, "не найден"),
        (["register", "households", str(reg), "--output", str(out)], 2, "--scenario"),
        (["register", "households", str(reg), "--scenario", str(waste), "--output", str(tmp_path / "v.txt")],
         2, ".yaml"),
        (["register", "livestock", str(reg)], 2, "вид животных"),
        (["register", "households", str(reg), "--sheet", "Лист1"], 2, "--sheet"),
        (["register", "livestock", str(write_csv(tmp_path / "l.csv", ["Владелец", "Вид", "Голов"], LONG)),
          "--scenario", str(waste)], 2, "купка"),
        # 1 of 7 rows unusable (14 %) is above the default 5 %: report shown, variant refused
        (["register", "households", str(bad), "--scenario", str(waste), "--output", str(out)], 2, "--max-unusable"),
    ]
    for args, code, words in cases:
        assert main(args + ["--lang", "ru"]) == code, args
        assert words in capsys.readouterr().err, args
    assert not out.exists()
    args = ["register", "households", str(bad), "--scenario", str(waste), "--output", str(out),
            "--max-unusable", "20", "--lang", "en"]
    assert main(args) == 0
    err = capsys.readouterr().err
    assert "Warning: 1 of 7 register rows" in err and out.exists()
    assert "unusable 1" in load_scenario(out).scenario.sources["register_households"]


def test_cli_preview_and_json_variant(tmp_path, waste, capsys):
    reg = write_csv(tmp_path / "reg.csv")
    assert main(["register", "households", str(reg), "--scenario", str(waste), "--format", "json",
                 "--lang", "en"]) == 0
    out, err = capsys.readouterr()
    d = json.loads(out)
    assert d["volumes"]["persons"] == 21 and d["variant"]["file"] is None
    assert {"field": "categories.households.households", "before": "3 450 household",
            "after": "6 household"}.items() <= next(c for c in d["variant"]["changes"]
                                                    if c["field"].endswith(".households")).items()
    assert "preview" in err and sorted(p.name for p in tmp_path.glob("*.yaml")) == ["economic_base.yaml", "passport.yaml", "waste.yaml"]


def test_help_is_in_three_languages(capsys):
    for lang, word in (("ru", "реестр"), ("ky", "реестр"), ("en", "register")):
        with pytest.raises(SystemExit):
            main(["register", "households", "--help", "--lang", lang])
        assert word in capsys.readouterr().out.lower()


def test_report_text_in_kyrgyz_and_csv_volumes(tmp_path):
    register = read_households(write_csv(tmp_path / "reg.csv"))
    d = to_dict(register, "ky")
    assert d["volumes"]["households_by_category"]["lone_pensioner"]["name"] == "Жалгыз бой пенсионерлер"
    lines = to_csv(register, "en").splitlines()
    assert "volume,persons,Persons,person,21" in lines and "category_households,none,no category,household,3" in lines


@pytest.mark.parametrize("text, keys", [
    ("Одинокие пенсионеры", {"lone_pensioner"}), ("Pensioners living alone", {"lone_pensioner"}),
    ("Одинокая мать", set()),  # a single mother is not a lone pensioner
    ("Семьи с пособием «Үй-бүлөгө көмөк»", {"uy_bulogo_komok"}), ("УБК", {"uy_bulogo_komok"}),
    ("материалдык көмөк", set()),  # any material aid is not the "Үй-бүлөгө көмөк" allowance
    ("Инвалид 2 группы", {"disability"}), ("Ден соолугунун мүмкүнчүлүгү чектелген адам", {"disability"}),
    ("Ветеран войны в Афганистане", {"afghan_veteran"}),
])
def test_category_names(text, keys):
    from okmo_models.registers.vocabulary import category_keys

    assert category_keys(text) == keys


# --- --settlement: a service covering some villages ----------------------------------------

EXAMPLE = SCENARIOS / "teploklyuchenka/registers"
# the five category cells the example register uses, named by hand
EXAMPLE_CATEGORIES = {"Одинокий пенсионер": "lone_pensioner", "Үй-бүлөгө көмөк": "uy_bulogo_komok",
                      "Лицо с инвалидностью": "disability", "Ликвидатор ЧАЭС": "chernobyl",
                      "Ветеран войны в Афганистане": "afghan_veteran"}


def example_households(*settlements):
    """The example CSV counted with the csv module alone: (households, persons, {category:
    (households, persons)}, (households, persons) in no category) of ``settlements``, and
    the rows of every settlement."""
    with open(EXAMPLE / "households.csv", encoding="utf-8-sig", newline="") as f:
        rows = list(csv.DictReader(f, delimiter=";"))
    mine = [r for r in rows if r["Населённый пункт"] in settlements]
    categories: dict = {}
    none = [0, 0]
    for r in mine:
        members = int(r["Кол-во членов"])
        parts = [x.strip() for x in r["Категория соц. паспорта"].split(";") if x.strip()]
        for part in parts:
            h, n = categories.get(EXAMPLE_CATEGORIES[part], (0, 0))
            categories[EXAMPLE_CATEGORIES[part]] = (h + 1, n + members)
        if not parts:
            none = [none[0] + 1, none[1] + members]
    return (len(mine), sum(int(r["Кол-во членов"]) for r in mine), categories, tuple(none),
            Counter(r["Населённый пункт"] for r in rows))


def test_one_settlement_of_the_example_register_counted_alone():
    households, persons, categories, none, rows = example_households("Теплоключенка")
    # as listed by hand from the file: 2 617 of its 3 480 rows; 45 lone pensioners; 140 + 3
    # "Үй-бүлөгө көмөк" and 48 + 3 with disability (3 households are in both)
    assert (households, rows["Ак-Булун"], rows["Кереге-Таш"]) == (2617, 497, 366)
    assert categories["lone_pensioner"][0] == 45
    assert (categories["uy_bulogo_komok"][0], categories["disability"][0]) == (143, 51)
    # "теплоключенка": names are compared ignoring case
    register = read_households(EXAMPLE / "households.csv", settlements=["теплоключенка"])
    v = household_volumes(register)
    assert (v.households, v.persons) == (households, persons)
    assert v.by_category == categories and v.without_category == none
    assert v.in_several_categories == 3
    assert v.by_settlement == {"Теплоключенка": (households, persons)}
    f = register.file
    assert (f.rows_read, f.rows_left_out, f.rows_in_scope, f.rows_used, f.rows_unusable) == \
        (3480, 497 + 366, 2617, 2617, 0)
    assert f.settlements.counted == {"Теплоключенка": 2617}
    assert f.settlements.left_out == {"Ак-Булун": 497, "Кереге-Таш": 366}
    everything = household_volumes(read_households(EXAMPLE / "households.csv"))
    assert everything.households == 3480 and everything.persons > v.persons


def test_two_settlements_together_hyphens_and_spaces_do_not_matter():
    households, persons, categories, none, _ = example_households("Ак-Булун", "Кереге-Таш")
    assert households == 497 + 366
    register = read_households(EXAMPLE / "households.csv", settlements=["  ак булун", "КЕРЕГЕ ТАШ"])
    v = household_volumes(register)
    assert (v.households, v.persons, v.by_category, v.without_category) == (households, persons, categories, none)
    assert set(v.by_settlement) == {"Ак-Булун", "Кереге-Таш"}
    assert register.file.settlements.left_out == {"Теплоключенка": 2617}
    # a name given twice counts once
    again = read_households(EXAMPLE / "households.csv", settlements=["Ак-Булун", "ак-булун", "Кереге-Таш"])
    assert household_volumes(again) == v


def test_livestock_of_settlements_from_the_example_workbook(tmp_path):
    species = {"Кой": "sheep", "Эчки": "goats", "Бодо мал": "cattle", "Жылкы": "horses"}
    book = openpyxl.load_workbook(EXAMPLE / "livestock.xlsx", read_only=True)
    rows = list(book.worksheets[0].iter_rows(min_row=3, values_only=True))  # title, headings above
    book.close()
    heads: Counter = Counter()
    for _, settlement, kind, n in rows:
        if settlement == "Теплоключенка":
            heads[species[kind]] += n
    other = Counter(r[1] for r in rows if r[1] != "Теплоключенка")
    register = read_livestock(EXAMPLE / "livestock.xlsx", settlements=["ТЕПЛОКЛЮЧЕНКА"])
    assert livestock_volumes(register).heads == dict(heads)
    assert register.file.settlements.left_out == dict(other)
    assert register.file.rows_used == len(rows) - sum(other.values())
    shutil.copy(SCENARIOS / "teploklyuchenka/dipping_bath.yaml", with_records(tmp_path / "dip.yaml"))
    plan = livestock_variant(register, tmp_path / "dip.yaml", lang="ru", today=dt.date(2026, 12, 1))
    assert plan.document["changes"]["categories"]["local"]["heads"] == {
        "sheep": f"{heads['sheep']:,} head".replace(",", " "), "goats": f"{heads['goats']:,} head".replace(",", " ")}
    source = plan.document["changes"]["sources"]["register_livestock"]
    assert "только населённые пункты Теплоключенка" in source and "Ак-Булун: 616" in source


# A register of two settlements with broken rows in each (cp1251, like HEADING/ROWS above):
#   2 А-1 Центр 3            used
#   3 А-2 "центр " 2 pens.   used (case, trailing space)
#   4 А-3 Центр "x"          unusable (C4)
#   5 Б-1 Верхнее 4          used
#   6 Б-2 Верхнее "2,5"      unusable (C6)
#   7 А-1 Верхнее 5          repeat of А-1 (row 2)
#   8 В-1 (no settlement) 3  used without --settlement; listed with it (B8)
#   9 А-4 Верхнее 2 + a cell right of the headings: shifted, its settlement cannot be trusted
#  10 Итого                  totals row, listed
SPLIT = [
    ["А-1", "Центр", "3", ""], ["А-2", "центр ", "2", "Одинокий пенсионер"], ["А-3", "Центр", "x", ""],
    ["Б-1", "Верхнее", "4", ""], ["Б-2", "Верхнее", "2,5", ""], ["А-1", "Верхнее", "5", ""],
    ["В-1", "", "3", ""], ["А-4", "Верхнее", "2", "", "ул. Мира"], ["Итого", "", "21", ""],
]


def test_unusable_rows_of_other_settlements_are_not_this_services_problem(tmp_path):
    path = write_csv(tmp_path / "split.csv", rows=SPLIT)
    whole = read_households(path)
    assert set(by_cell(whole)) == {"C4", "C6", "A7", "E9", "A10"}
    assert (whole.file.rows_read, whole.file.rows_used, whole.file.rows_unusable) == (9, 4, 5)

    centre = read_households(path, settlements=["Центр"])
    # rows 5-7 (Верхнее) left out; row 9 names Верхнее but is shifted, so it stays listed
    assert by_cell(centre) == {"C4": ("rg_members_not_number", "x", 4), "B8": ("rg_settlement_missing", None, 8),
                               "E9": ("rg_extra_cell", "ул. Мира", 9), "A10": ("rg_totals_row", "Итого", 10)}
    f = centre.file
    assert (f.rows_read, f.rows_left_out, f.rows_in_scope, f.rows_used, f.rows_unusable) == (9, 3, 6, 2, 4)
    assert f.unusable_share == pytest.approx(4 / 6)
    assert f.settlements.counted == {"Центр": 3} and f.settlements.left_out == {"Верхнее": 3}
    v = household_volumes(centre)
    assert (v.households, v.persons, v.by_category) == (2, 5, {"lone_pensioner": (1, 2)})
    assert v.by_settlement == {"Центр": (2, 5)}  # "центр " of row 3 is the same settlement

    upper = read_households(path, settlements=["верхнее"])
    # Центр's А-1 is not counted, so Верхнее's А-1 (row 7) is no repeat here
    assert set(by_cell(upper)) == {"C6", "B8", "E9", "A10"}
    assert (household_volumes(upper).households, household_volumes(upper).persons) == (2, 9)
    texts = [problem_text(p, "ru") for u in upper.unusable for p in u.problems]
    assert "ячейка B8 («Населённый пункт»): не указан населённый пункт" in texts[1]


def test_kyrgyz_letters_and_yo_in_settlement_names(tmp_path):
    # cp1251 has no ң, ү: the export writes Жаны-Жер, Кок-Жар; the economist types them right
    rows = [["А-1", "Жаны-Жер", "3", ""], ["А-2", "Кок-Жар", "4", ""], ["А-3", "Берёзовка", "2", ""]]
    path = write_csv(tmp_path / "ky.csv", rows=rows)
    v = household_volumes(read_households(path, settlements=["жаңы жер", "Көк-Жар", "Березовка"]))
    assert (v.households, v.persons) == (3, 9)
    v = household_volumes(read_households(path, settlements=["Көк-Жар"]))
    assert v.by_settlement == {"Кок-Жар": (1, 4)}


def test_settlement_errors_name_the_file_the_value_and_what_was_found(tmp_path):
    path = write_csv(tmp_path / "split.csv", rows=SPLIT)
    with pytest.raises(RegisterError) as info:
        read_households(path, settlements=["Нижнее"])
    assert info.value.key == "rg_settlement_unknown"
    ru = info.value.render("ru")
    # rows naming each settlement as written first: Центр 2-4, Верхнее 5-7 and 9, blank 8 (the
    # totals row 10 is no settlement's)
    assert str(path) in ru and "«Нижнее»" in ru and "B «Населённый пункт»" in ru
    assert "Центр: 3; Верхнее: 4; (не указан): 1." in ru and "домохозяйств" in ru
    assert "Верхнее: 4" in info.value.render("ky") and "not found" in info.value.render("en")
    with pytest.raises(RegisterError) as info:  # one name known, one not
        read_households(path, settlements=["Центр", "Центральное"])
    assert "settlement «Центральное» not found" in info.value.render("en")

    plain = write_csv(tmp_path / "plain.csv", ["Код хозяйства", "Кол-во членов", "Категория"], [["А-1", "2", ""]])
    livestock = write_csv(tmp_path / "l.csv", ["Владелец", "Вид животных", "Кол-во голов"], LONG)
    for read, file in ((read_households, plain), (read_livestock, livestock)):
        with pytest.raises(RegisterError) as info:
            read(file, settlements=["Центр"])
        assert info.value.key == "rg_settlement_no_column"
        text = info.value.render("ru")
        assert str(file) in text and "«Центр»" in text and "«Населённый пункт»" in text and "--settlement" in text
        assert "settlement column" in info.value.render("en") and "айыл мамычасы" in info.value.render("ky")
    # without --settlement the same files read as before
    assert household_volumes(read_households(plain)).persons == 2


def test_cli_settlement_report_and_variant_source(tmp_path, waste, capsys):
    # one unusable row out of 7 (14 %) is in Нижнее: a variant of Центр and Верхнее is not refused
    path = write_csv(tmp_path / "reg.csv", rows=ROWS + [["А-7", "Нижнее", "x", ""]])
    out = tmp_path / "v.yaml"
    base = ["register", "households", str(path), "--scenario", str(waste), "--output", str(out)]
    assert main(base + ["--lang", "ru"]) == 2
    assert "--max-unusable" in capsys.readouterr().err and not out.exists()
    args = base + ["--settlement", "центр", "--settlement", "ВЕРХНЕЕ", "--lang", "ru"]
    assert main(args) == 0
    stdout, err = capsys.readouterr()
    assert "учтены только населённые пункты (--settlement), строк: Центр: 3; Верхнее: 3" in stdout
    assert "не входят ни в объёмы, ни в список неиспользованных: 1 (Нижнее: 1)" in stdout
    assert "Все строки использованы." in stdout and "Внимание" not in err
    doc = yaml.safe_load(out.read_text(encoding="utf-8"))
    source = doc["changes"]["sources"]["register_households"]
    assert "прочитано 7, использовано 6, не использовано 0; только населённые пункты Центр, Верхнее" in source
    assert "строки других пунктов не учтены: 1 (Нижнее: 1)" in source
    assert "населённые пункты: Центр, Верхнее" in doc["description"]
    assert load_scenario(out).scenario.categories[0].persons.value == 21

    assert main(["register", "households", str(path), "--settlement", "Центр", "--format", "json",
                 "--lang", "en"]) == 0
    d = json.loads(capsys.readouterr().out)
    assert d["rows"] == {"read": 7, "other_settlements": 4, "used": 3, "unusable": 0, "empty_skipped": 0}
    assert d["settlements"] == {"counted": {"Центр": 3}, "left_out": {"Верхнее": 3, "Нижнее": 1}}
    assert d["volumes"]["persons"] == 1 + 4 + 6
    assert main(["register", "households", str(path), "--settlement", "Центр", "--format", "csv",
                 "--lang", "en"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert "settlement_counted,Центр,Центр,row,3" in lines and "settlement_left_out,Нижнее,Нижнее,row,1" in lines
    assert "rows,other_settlements,\"  other settlements, left out\",row,4" in lines

    # the errors exit with 2 and the message
    assert main(["register", "households", str(path), "--settlement", "Нижний", "--lang", "ru"]) == 2
    assert "«Нижний» в файле не найден" in capsys.readouterr().err
    plain = write_csv(tmp_path / "plain.csv", ["Код хозяйства", "Кол-во членов", "Категория"], [["А-1", "2", ""]])
    assert main(["register", "households", str(plain), "--settlement", "Центр", "--lang", "en"]) == 2
    assert "no settlement column" in capsys.readouterr().err


def test_the_register_knows_the_species_the_scenarios_and_workbooks_name():
    # one list of species: the workbook offers these words, the register reads them
    from okmo_models.registers.vocabulary import SPECIES as REGISTER_SPECIES
    from okmo_models.scenario.schema import SPECIES
    from okmo_models.i18n import has

    assert tuple(REGISTER_SPECIES) == SPECIES
    assert all(has(f"species_{s}") for s in SPECIES)

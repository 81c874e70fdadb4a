"""The staffing table and the production programme in the Excel template and its import
(issue 22): their sheets in the reader's language, the round trip to the same derived
калькуляция, errors named by sheet and cell, and the computed columns (live formulas the
`formulas` library recomputes to the package's figures, never read back by the import)."""

from __future__ import annotations

import copy
import io
import json
import re
from pathlib import Path

import openpyxl
import pytest

from okmo_models.errors import ScenarioError
from okmo_models.excel.choices import unit_text
from okmo_models.excel.layout import UNIT_SUGGESTIONS, layout
from okmo_models.excel.sheets import COMPUTED, TABLE_FIRST_ROW, TABLE_HINT_ROW, TABLE_KEY_ROW, TABLE_LABEL_ROW
from okmo_models.excel.template import scenario_data, scenario_workbook, sheet_title, template_workbook
from okmo_models.excel.workbook_import import _validate, read_workbook
from okmo_models.i18n import t
from okmo_models.tariff import calculate_tariff
from okmo_models.tariff.derivations import derive
from okmo_models.tariff.export import to_json
from reader_language import foreign_words

ROOT = Path(__file__).resolve().parents[1]
WASTE = ROOT / "scenarios/teploklyuchenka/waste.yaml"
WATER = ROOT / "scenarios/ak-bulak/water.yaml"
SECTIONS = {s.id: s for s in layout("tariff")}
POSITIONS, ALLOWANCES, BONUSES = "staffing.positions", "staffing.positions.allowances", "staffing.positions.bonuses"
FUELS, NORMS = "production_programme.fuels", "production_programme.allowances"
VEHICLES, ROUTES = "production_programme.vehicles", "production_programme.vehicles.routes"
CHEMICALS = "production_programme.chemicals"
NEW_SHEETS = (POSITIONS, ALLOWANCES, BONUSES, FUELS, NORMS, VEHICLES, ROUTES, CHEMICALS)


def water_data() -> dict:
    """The Ak-Bulak water example with every kind of pay addition: allowances in % and in
    money (som and thousand som a month), bonuses as a share and as months of pay."""
    _, data = scenario_data(WATER)
    data = copy.deepcopy(data)
    positions = data["staffing"]["positions"]
    positions[0]["allowances"] = [{"name": {"ru": "За выслугу лет", "ky": "Иштеген жылдары үчүн"},
                                   "value": {"value": 10, "unit": "%"}},
                                  {"name": {"ru": "За вредность", "ky": "Зыяндуулук үчүн"},
                                   "value": {"value": 1500, "unit": "som/month"}}]
    positions[0]["bonuses"] = [{"name": {"ru": "Премия", "ky": "Сыйлык"}, "share": {"value": 25, "unit": "%"}},
                               {"name": {"ru": "Отпускные", "ky": "Эс алуу акысы"}, "months": 1}]
    positions[2]["allowances"] = [{"name": {"ru": "Разъездная", "ky": "Жол акы"},
                                   "value": {"value": 2, "unit": "thousand_som/month"}}]
    positions[2]["bonuses"] = [{"name": {"ru": "Тринадцатая зарплата", "ky": "13-айлык"}, "months": 1}]
    positions[1]["salary"] = {"value": 204_000, "unit": "som/year"}  # 17 000 som a month, given a year
    data["production_programme"]["chemicals"].append(
        {"name": {"ru": "Коагулянт", "ky": "Коагулянт"}, "dose": {"value": 15, "unit": "g/m3"},
         "price": {"value": 40, "unit": "som/kg"}, "source": "assumption"})
    return data


def book(tmp_path: Path, data: dict, lang: str = "ru", name: str = "book.xlsx") -> Path:
    path = tmp_path / name
    path.write_bytes(scenario_workbook("tariff", data, lang, name))
    return path


def columns(ws) -> dict:
    return {c.value: c.column for c in ws[TABLE_KEY_ROW] if c.value}


def sheet(wb, section: str, lang: str = "ru"):
    return wb[sheet_title(SECTIONS[section], lang)]


def scenario_of(data: dict, path):
    return _validate("tariff", data, path)


def derived(s) -> list[dict]:
    return [(d.origin, d.cost_line.model_dump()) for d in derive(s)]


def tariff_of(s) -> dict:
    out = json.loads(to_json(calculate_tariff(s), "en"))
    out.pop("inputs", None)
    out["scenario"].pop("file", None), out["scenario"].pop("sha256", None)
    return out


def computed_values(path: Path) -> dict:
    """Every formula cell of the workbook as the `formulas` library computes it:
    (sheet title, "K6") -> value."""
    import formulas

    solution = formulas.ExcelModel().loads(str(path)).finish().calculate()
    out = {}
    for ref, value in solution.items():
        m = re.fullmatch(r"'\[[^\]]+\](.+)'!([A-Z]+\d+)", ref)
        if m:
            v = value.value[0][0] if hasattr(value, "value") else value
            out[m.group(1), m.group(2)] = v
    return out


def value_at(values: dict, title: str, cell: str):
    v = values[title.upper(), cell]
    return v if v == "" else float(v)


# --- round trip ------------------------------------------------------------------------------


@pytest.mark.parametrize("lang", ("ru", "ky"))
def test_the_waste_example_comes_back_with_the_same_derived_lines_and_tariff(tmp_path, lang):
    kind, data = scenario_data(WASTE)
    path = book(tmp_path, data, lang)
    kind2, data2, warnings = read_workbook(path, lang)
    assert (kind2, warnings) == (kind, [])
    original, imported = scenario_of(data, WASTE), scenario_of(data2, path)
    assert imported == original
    assert derived(imported) == derived(original) and len(derived(original)) == 7  # 5 positions, 2 fuels
    assert tariff_of(imported) == tariff_of(original)


def test_a_water_scenario_with_pumping_chemicals_and_every_pay_addition_comes_back(tmp_path):
    data = water_data()
    path = book(tmp_path, data, "ru")
    _, data2, warnings = read_workbook(path, "ru")
    assert warnings == []
    original, imported = scenario_of(data, WATER), scenario_of(data2, path)
    assert imported == original
    lines = derived(original)
    assert {origin[:2] for origin, _ in lines} >= {("staffing", "positions"), ("production_programme", "pumping"),
                                                   ("production_programme", "chemicals")}
    assert derived(imported) == lines
    assert tariff_of(imported) == tariff_of(original)


def test_the_cli_template_from_the_waste_example_imports_to_the_same_tariff(tmp_path):
    import subprocess
    import sys

    def okmo(*args):
        return subprocess.run([sys.executable, "-m", "okmo_models.cli", *args], capture_output=True, text=True)

    workbook = tmp_path / "waste.xlsx"
    assert okmo("template", "--from", str(WASTE), "-o", str(workbook)).returncode == 0
    proc = okmo("import", str(workbook))
    assert proc.returncode == 0, proc.stderr
    from okmo_models.scenario.loader import load_scenario

    assert derived(load_scenario(tmp_path / "waste.yaml").scenario) == derived(load_scenario(WASTE).scenario)


# --- the sheets in the reader's language ----------------------------------------------------------


def visible_text(ws) -> str:
    """What a reader sees on a sheet: every cell of a visible row and column, not formulas."""
    hidden_cols = {k for k, d in ws.column_dimensions.items() if d.hidden}
    parts = []
    for row in ws.iter_rows():
        for cell in row:
            if ws.row_dimensions[cell.row].hidden or cell.column_letter in hidden_cols:
                continue
            if isinstance(cell.value, str) and cell.data_type != "f":
                parts.append(cell.value)
            if cell.comment is not None:
                parts.append(cell.comment.text)
    return "\n".join(parts)


@pytest.mark.parametrize("lang", ("ru", "ky"))
def test_the_new_sheets_are_there_and_speak_the_reader_s_language(lang):
    _, data = scenario_data(WASTE)
    filled = openpyxl.load_workbook(io.BytesIO(scenario_workbook("tariff", data, lang, "waste.yaml")))
    for wb in (filled, openpyxl.load_workbook(io.BytesIO(template_workbook("tariff", lang)))):
        for section in NEW_SHEETS:
            ws = sheet(wb, section, lang)
            assert not re.search("[A-Za-z]", ws.title), ws.title
            text = visible_text(ws)
            assert not foreign_words(text), (ws.title, foreign_words(text))
        # the staffing table is one sheet: no empty record sheet for its section
        assert "staffing" not in SECTIONS and not any(ws.title == "staffing" for ws in wb)
    # the fuels and allowances are named by their names, not by the file's ids
    vehicles = sheet(filled, VEHICLES, lang)
    cols = columns(vehicles)
    fuel = vehicles.cell(TABLE_FIRST_ROW, cols["fuel"]).value
    assert fuel == data["production_programme"]["fuels"]["diesel"]["name"][lang]
    norms = data["production_programme"]["allowances"]
    assert vehicles.cell(TABLE_FIRST_ROW, cols["allowances"]).value == "; ".join(
        norms[k]["name"][lang] for k in ("winter", "mountain", "stops"))


# --- errors by sheet and cell ------------------------------------------------------------------------


@pytest.mark.parametrize("lang", ("ru", "ky"))
def test_a_route_s_km_in_words_is_named_by_sheet_and_cell(tmp_path, lang):
    _, data = scenario_data(WASTE)
    path = book(tmp_path, data, lang)
    wb = openpyxl.load_workbook(path)
    ws = sheet(wb, ROUTES, lang)
    col = columns(ws)["km_per_trip"]
    ws.cell(TABLE_FIRST_ROW, col).value = "двадцать"
    wb.save(path)
    with pytest.raises(ScenarioError) as exc:
        read_workbook(path, lang)
    where = f"{ws.title}!{openpyxl.utils.get_column_letter(col)}{TABLE_FIRST_ROW}"
    assert [p.path[0] for p in exc.value.problems] == [where]
    text = exc.value.render(lang)
    assert ws.title in text and f"{openpyxl.utils.get_column_letter(col)}{TABLE_FIRST_ROW}" in text


def test_a_vehicle_s_unknown_fuel_is_named_at_its_cell(tmp_path):
    _, data = scenario_data(WASTE)
    path = book(tmp_path, data)
    wb = openpyxl.load_workbook(path)
    ws = sheet(wb, VEHICLES)
    col = columns(ws)["fuel"]
    ws.cell(TABLE_FIRST_ROW + 1, col).value = "Керосин"
    wb.save(path)
    with pytest.raises(ScenarioError) as exc:
        read_workbook(path, "ru")
    cells = [p.path[0] for p in exc.value.problems]
    assert f"{ws.title}!{openpyxl.utils.get_column_letter(col)}{TABLE_FIRST_ROW + 1}" in cells, cells


# --- computed columns ----------------------------------------------------------------------------------


def test_computed_columns_hold_formulas_marked_as_computed():
    wb = openpyxl.load_workbook(io.BytesIO(template_workbook("tariff", "ru")))
    for section, keys in COMPUTED.items():
        ws = sheet(wb, section)
        cols = columns(ws)
        input_fill = ws.cell(TABLE_FIRST_ROW, 1).fill.fgColor.rgb
        for key in keys:
            c = cols[key]
            head = ws.cell(TABLE_LABEL_ROW, c)
            assert head.comment is not None and "формул" in head.comment.text
            assert "не заполняйте" in ws.cell(TABLE_HINT_ROW, c).value
            cell = ws.cell(TABLE_FIRST_ROW, c)
            assert cell.data_type == "f" and cell.value.startswith("="), (section, key)
            assert cell.fill.fgColor.rgb != input_fill


def _computed_cells(path):
    """``at(section, column key, row)``: a computed column's value as the engine recomputes it."""
    wb = openpyxl.load_workbook(path)
    values = computed_values(path)

    def at(section, key, row):
        ws = sheet(wb, section)
        return value_at(values, ws.title, f"{openpyxl.utils.get_column_letter(columns(ws)[key])}{row}")

    return at


def test_the_formulas_compute_the_package_s_figures_for_the_waste_example(tmp_path):
    _, data = scenario_data(WASTE)
    s, at = scenario_of(data, WASTE), _computed_cells(book(tmp_path, data))

    # the drivers: 16 000 som + 25 % = 20 000 som a month; 2 x 20 000 x 12 = 480 000 som a year
    assert at(POSITIONS, "@monthly_pay", TABLE_FIRST_ROW) == pytest.approx(20_000)
    assert at(POSITIONS, "@annual_pay", TABLE_FIRST_ROW) == pytest.approx(480_000)
    wages = [d.cost_line.annual_som() for d in derive(s) if d.origin[0] == "staffing"]
    assert [at(POSITIONS, "@annual_pay", TABLE_FIRST_ROW + i) for i in range(len(wages))] == pytest.approx(wages)
    # the garbage truck: 2 x 5 x 50 x 24 km = 12 000 km; x 25 l/100 km x 1,25 = 3 750 l
    assert at(ROUTES, "@km_year", TABLE_FIRST_ROW) == pytest.approx(12_000)
    assert at(ROUTES, "@litres_year", TABLE_FIRST_ROW) == pytest.approx(3_750)
    assert at(VEHICLES, "@allowance_factor", TABLE_FIRST_ROW) == pytest.approx(1.25)
    assert at(VEHICLES, "@litres_year", TABLE_FIRST_ROW) == pytest.approx(3_750)
    assert at(VEHICLES, "@litres_year", TABLE_FIRST_ROW + 1) == pytest.approx(2_500)  # 500 h x 5 l/h
    # each fuel's litres and cost are the derived fuel lines'
    fuels = [d.cost_line for d in derive(s) if d.origin[:2] == ("production_programme", "fuels")]
    assert [at(FUELS, "@litres_year", TABLE_FIRST_ROW + i) for i in range(len(fuels))] == pytest.approx(
        [line.quantity.value for line in fuels])
    assert [at(FUELS, "@cost_year", TABLE_FIRST_ROW + i) for i in range(len(fuels))] == pytest.approx(
        [line.annual_som() for line in fuels])
    assert at(ROUTES, "@km_year", TABLE_FIRST_ROW + 10) == ""  # an empty row stays empty


def test_the_formulas_compute_money_allowances_bonuses_and_reagents(tmp_path):
    data = water_data()
    s, at = scenario_of(data, WATER), _computed_cells(book(tmp_path, data))

    # the director: 22 000 + 10 % + 1 500 = 25 700 som a month; x (12 x 1,25 + 1) = 411 200 som
    assert at(POSITIONS, "@monthly_pay", TABLE_FIRST_ROW) == pytest.approx(25_700)
    assert at(POSITIONS, "@annual_pay", TABLE_FIRST_ROW) == pytest.approx(411_200)
    # a salary given a year, taken a month; the plumbers' 2 thousand som a month
    assert at(POSITIONS, "@monthly_pay", TABLE_FIRST_ROW + 1) == pytest.approx(17_000)
    assert at(POSITIONS, "@monthly_pay", TABLE_FIRST_ROW + 2) == pytest.approx(18_000)
    wages = [d.cost_line.annual_som() for d in derive(s) if d.origin[0] == "staffing"]
    assert [at(POSITIONS, "@annual_pay", TABLE_FIRST_ROW + i) for i in range(len(wages))] == pytest.approx(wages)
    reagents = [d.cost_line for d in derive(s) if d.origin[:2] == ("production_programme", "chemicals")]
    assert len(reagents) == 2
    assert [at(CHEMICALS, "@kg_year", TABLE_FIRST_ROW + i) for i in range(2)] == pytest.approx(
        [line.quantity.value for line in reagents])
    assert [at(CHEMICALS, "@cost_year", TABLE_FIRST_ROW + i) for i in range(2)] == pytest.approx(
        [line.annual_som() for line in reagents])
    assert at(CHEMICALS, "@kg_year", TABLE_FIRST_ROW) == pytest.approx(215_000 * 2 / 1000)


def test_a_number_typed_over_a_formula_is_not_read_and_is_named_in_a_note(tmp_path):
    _, data = scenario_data(WASTE)
    path = book(tmp_path, data)
    wb = openpyxl.load_workbook(path)
    ws = sheet(wb, POSITIONS)
    col = openpyxl.utils.get_column_letter(columns(ws)["@annual_pay"])
    ws[f"{col}{TABLE_FIRST_ROW}"] = 999_999  # the economist's own figure for the drivers' wages
    ws[f"{col}{TABLE_FIRST_ROW + 1}"] = "много"
    routes = sheet(wb, ROUTES)
    routes.cell(TABLE_FIRST_ROW + 30, columns(routes)["@litres_year"]).value = 5  # on an empty row
    wb.save(path)
    _, back, warnings = read_workbook(path, "ru")
    assert scenario_of(back, path) == scenario_of(data, WASTE)  # the inputs decide, not the typed figure
    keys = sorted((key, ctx["sheet"]) for key, ctx in warnings)
    assert keys == sorted([("xl_computed_typed", ws.title), ("xl_computed_typed", routes.title)])
    note = next(ctx for key, ctx in warnings if ctx["sheet"] == ws.title)
    assert note["cells"] == f"{col}{TABLE_FIRST_ROW}, {col}{TABLE_FIRST_ROW + 1}"
    text = t("xl_computed_typed", "ru", **note)
    assert ws.title in text and f"{col}{TABLE_FIRST_ROW}" in text and t("xc_annual_pay", "ru") in text
    assert not foreign_words(t("xl_computed_typed", "ky", **note), (ws.title,))


def test_no_text_of_the_data_enters_a_formula(tmp_path):
    _, data = scenario_data(WASTE)
    data = copy.deepcopy(data)
    hostile = '=HYPERLINK("http://x","click")'
    data["production_programme"]["fuels"]["diesel"]["name"] = {"ru": hostile, "ky": hostile}
    data["production_programme"]["allowances"]["winter"]["name"] = {"ru": "+1+2", "ky": "+1+2"}
    path = book(tmp_path, data)
    wb = openpyxl.load_workbook(path)
    formulas = [c.value for ws in wb for row in ws.iter_rows() for c in row if c.data_type == "f"]
    assert formulas
    quoted = {q for f in formulas for q in re.findall(r'"([^"]*)"', f)}
    # only empty text, the list separators and the package's own unit words
    units = {unit_text(u, "ru") for u in UNIT_SUGGESTIONS}
    assert quoted <= {"", ";", "; "} | units, quoted - units
    assert not any("HYPERLINK" in f or "+1+2" in f for f in formulas)
    fuels = sheet(wb, FUELS)
    key = fuels.cell(TABLE_FIRST_ROW, columns(fuels)["@key"])
    assert key.value == hostile and key.data_type == "s"
    _, back, _ = read_workbook(path, "ru")
    assert scenario_of(back, path) == scenario_of(data, WASTE)


def test_a_fuel_added_by_its_name_becomes_an_id_its_vehicles_refer_to(tmp_path):
    _, data = scenario_data(WASTE)
    path = book(tmp_path, data, "ky")
    wb = openpyxl.load_workbook(path)
    fuels, vehicles = sheet(wb, FUELS, "ky"), sheet(wb, VEHICLES, "ky")
    row = TABLE_FIRST_ROW + len(data["production_programme"]["fuels"])
    cols = columns(fuels)
    for key, value in (("@key", "Газ"), ("name.ru", "Газ"), ("price", 30), ("price.unit", "сом/л"),
                       ("source", fuels.cell(TABLE_FIRST_ROW, cols["source"]).value)):
        fuels.cell(row, cols[key]).value = value
    vehicles.cell(TABLE_FIRST_ROW + 1, columns(vehicles)["fuel"]).value = "Газ"  # the tractor loader
    wb.save(path)
    _, back, warnings = read_workbook(path, "ky")
    assert warnings == [] and back["production_programme"]["vehicles"][1]["fuel"] == "gaz"
    lines = {d.origin[2]: d.cost_line for d in derive(scenario_of(back, path)) if d.origin[:2] == (
        "production_programme", "fuels")}
    assert lines["gaz"].quantity.value == pytest.approx(500 * 5)  # 500 hours x 5 l an hour
    assert lines["gaz"].annual_som() == pytest.approx(2_500 * 30)


def test_tyres_and_repairs_by_mileage_come_back_and_are_computed_as_the_package_does(tmp_path):
    _, data = scenario_data(WASTE)
    data = copy.deepcopy(data)
    truck = data["production_programme"]["vehicles"][0]
    truck["tyres"] = {"count": 6, "price": {"value": 12_000, "unit": "som/piece"},
                      "mileage": {"value": 60_000, "unit": "km"}, "source": "assumption"}
    truck["repairs"] = {"value": 5, "unit": "som/km"}
    path = book(tmp_path, data)
    _, back, warnings = read_workbook(path, "ru")
    assert warnings == []
    s = scenario_of(data, WASTE)
    assert scenario_of(back, path) == s and derived(scenario_of(back, path)) == derived(s)
    by_origin = {d.origin: d.cost_line.annual_som() for d in derive(s)}
    tyres, repairs = by_origin[("production_programme", "vehicles", 0, "tyres")], by_origin[
        ("production_programme", "vehicles", 0, "repairs")]
    assert (tyres, repairs) == pytest.approx((12_000 * 6 / 60_000 * 12_000, 12_000 * 5))
    wb = openpyxl.load_workbook(path)
    values = computed_values(path)
    ws = sheet(wb, VEHICLES)
    cols = columns(ws)

    def at(key, row=TABLE_FIRST_ROW):
        return value_at(values, ws.title, f"{openpyxl.utils.get_column_letter(cols[key])}{row}")

    assert (at("@tyres_cost"), at("@repairs_cost")) == pytest.approx((tyres, repairs))
    assert at("@tyres_cost", TABLE_FIRST_ROW + 1) == ""  # the tractor has no tyres norm

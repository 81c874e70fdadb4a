"""Excel templates and their import (issue 8): layout from the schema, round trip, and a
workbook filled by hand with every kind of mistake, each named by sheet, cell and value."""

from __future__ import annotations

import io
import subprocess
import sys
from pathlib import Path

import openpyxl
import json

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from okmo_models.errors import ScenarioError
from okmo_models.excel.layout import WORKBOOK_KINDS, layout
from okmo_models.excel.template import (
    META_SHEET,
    scenario_data,
    scenario_workbook,
    sheet_title,
    template_workbook,
)
from okmo_models.excel.workbook_import import _validate, read_workbook
from okmo_models.i18n import LANGUAGES, t

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = ["teploklyuchenka/waste.yaml", "teploklyuchenka/dipping_bath.yaml",
            "teploklyuchenka/shared_landfill.yaml", "ak-bulak/water.yaml", "alamudun/budget.yaml",
            "kok-jar/budget.yaml", "alamudun/programme.yaml"]


def okmo(*args, cwd=None):
    return subprocess.run([sys.executable, "-m", "okmo_models.cli", *args], capture_output=True,
                          text=True, cwd=cwd)


def save(tmp_path: Path, content: bytes, name="book.xlsx") -> Path:
    path = tmp_path / name
    path.write_bytes(content)
    return path


def column(ws, key: str) -> int:
    """The column of a table sheet whose key (row 5) is ``key``."""
    for cell in ws[5]:
        if cell.value == key:
            return cell.column
    raise AssertionError(f"no column {key} on {ws.title}")


def record_row(ws, key: str) -> int:
    for cell in ws["A"]:
        if cell.value == key:
            return cell.row
    raise AssertionError(f"no row {key} on {ws.title}")


def sheet(wb, kind: str, section: str, lang: str = "ru"):
    s = next(s for s in layout(kind) if s.id == section)
    return wb[sheet_title(s, lang)]


# --- round trip ---------------------------------------------------------------------------


@pytest.mark.parametrize("name", EXAMPLES)
def test_every_example_comes_back_identical_from_its_workbook(tmp_path, name):
    kind, data = scenario_data(ROOT / "scenarios" / name)
    book = save(tmp_path, scenario_workbook(kind, data, "ru", name))
    kind2, data2, warnings = read_workbook(book)
    assert (kind2, warnings) == (kind, [])
    assert _validate(kind2, data2, book) == _validate(kind, data, name)


def test_imported_file_is_read_by_the_commands_as_the_original(tmp_path):
    source = ROOT / "scenarios/teploklyuchenka/waste.yaml"
    book = tmp_path / "waste.xlsx"
    assert okmo("template", "--from", str(source), "-o", str(book)).returncode == 0
    proc = okmo("import", str(book))
    assert proc.returncode == 0, proc.stderr
    assert (tmp_path / "waste.yaml").is_file()
    original = okmo("tariff", str(source), "--format", "json").stdout
    imported = okmo("tariff", str(tmp_path / "waste.yaml"), "--format", "json").stdout
    # the same tariffs to the last digit; only the stamp differs: the files and hashes, and the
    # passport the original reads its assets from (the workbook holds those assets as rows)
    def strip(text):
        data = json.loads(text)
        data.pop("inputs")
        data["scenario"].pop("file"), data["scenario"].pop("sha256")
        return data

    assert strip(original) == strip(imported)


def test_a_programme_imported_away_from_its_budget_file_is_warned_about(tmp_path):
    # the Alamudun programme takes its fiscal space from budget.yaml beside it
    book = tmp_path / "programme.xlsx"
    assert okmo("template", "--from", str(ROOT / "scenarios/alamudun/programme.yaml"), "-o", str(book)).returncode == 0
    proc = okmo("import", str(book))
    assert proc.returncode == 0, proc.stderr
    assert "«budget.yaml»" in proc.stderr and str(tmp_path) in proc.stderr
    # beside its budget file: no warning
    (tmp_path / "budget.yaml").write_bytes((ROOT / "scenarios/alamudun/budget.yaml").read_bytes())
    proc = okmo("import", str(book), "-o", str(tmp_path / "again.yaml"))
    assert proc.returncode == 0 and "budget.yaml" not in proc.stderr, proc.stderr
    assert okmo("programme", str(tmp_path / "again.yaml"), "--format", "csv").returncode == 0


_text = st.text(alphabet="абвгдеёжзийклмнопрстуфхцчшщыэюяөүңABCdef -", min_size=1, max_size=20).map(str.strip).filter(bool)
_money = st.floats(min_value=0.01, max_value=5e7, allow_nan=False).map(lambda x: round(x, 2))


@st.composite
def tariff_scenarios(draw):
    """The waste example with generated cost lines, categories and names."""
    _, data = scenario_data(ROOT / "scenarios/teploklyuchenka/waste.yaml")
    lines = []
    for _ in range(draw(st.integers(1, 8))):
        line = {"line": draw(st.sampled_from(["labour", "fuel", "materials", "repairs", "overhead", "other"])),
                "name": {"ru": draw(_text)}, "source": "assumption"}
        if draw(st.booleans()):
            line["amount"] = {"value": draw(_money), "unit": draw(st.sampled_from(["som/year", "som/month"]))}
        else:
            line["quantity"] = {"value": draw(st.integers(1, 20)), "unit": "staff"}
            line["price"] = {"value": draw(_money), "unit": "som/staff/month"}
        if draw(st.booleans()):
            line["name"]["ky"] = draw(_text)
        if draw(st.booleans()):
            line["note"] = draw(_text)
        if draw(st.booleans()):
            line["uncertainty"] = {"low": {"value": -draw(st.integers(0, 50)), "unit": "%"},
                                   "high": {"value": draw(st.integers(0, 80)), "unit": "%"}}
        lines.append(line)
    data["cost_lines"] = lines
    data["collection_rate"] = {"value": draw(st.integers(30, 100)), "unit": "%"}
    data["municipality"]["name"] = {"ru": draw(_text), "en": draw(_text)}
    for category in data["categories"]:
        if "households" in category:
            category["households"] = {"value": draw(st.integers(1000, 20000)), "unit": "household"}
        category["multiplier"] = draw(st.sampled_from([1.0, 1.5, 2.25]))
    return data


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow,
                                                                   HealthCheck.function_scoped_fixture])
@given(tariff_scenarios())
def test_round_trip_over_generated_tariff_scenarios(tmp_path_factory, data):
    model = _validate("tariff", data, "generated")
    book = save(tmp_path_factory.mktemp("rt"), scenario_workbook("tariff", data, "ky"))
    _, back, _ = read_workbook(book)
    assert _validate("tariff", back, book) == model


@st.composite
def budget_scenarios(draw):
    _, data = scenario_data(ROOT / "scenarios/kok-jar/budget.yaml")
    n = len(data["years"])
    for section in ("revenue", "expenditure"):
        for series in data[section].values():
            series["values"] = [draw(st.floats(0, 1e6, allow_nan=False).map(lambda x: round(x, 1))) for _ in range(n)]
    data.pop("totals", None)
    return data


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow,
                                                                   HealthCheck.function_scoped_fixture])
@given(budget_scenarios())
def test_round_trip_over_generated_budget_histories(tmp_path_factory, data):
    model = _validate("budget", data, "generated")
    book = save(tmp_path_factory.mktemp("rt"), scenario_workbook("budget", data, "en"))
    _, back, _ = read_workbook(book)
    assert _validate("budget", back, book) == model


@st.composite
def programmes(draw):
    _, data = scenario_data(ROOT / "scenarios/alamudun/programme.yaml")
    for m in data["measures"]:
        # dearer (never cheaper, so that the funding amounts stay within the cost)
        m["cost"] = [round(c * draw(st.floats(1, 3, allow_nan=False)), 1) for c in m["cost"]]
        m["scores"] = {k: draw(st.integers(1, 5)) for k in data["criteria"]}
        m["running_cost"] = draw(st.sampled_from([0, 12.5, 300]))
    return data


@settings(max_examples=10, deadline=None, suppress_health_check=[HealthCheck.too_slow,
                                                                   HealthCheck.function_scoped_fixture])
@given(programmes())
def test_round_trip_over_generated_programmes(tmp_path_factory, data):
    model = _validate("programme", data, "generated")
    book = save(tmp_path_factory.mktemp("rt"), scenario_workbook("programme", data, "ru"))
    _, back, _ = read_workbook(book)
    assert _validate("programme", back, book) == model


# --- the template -------------------------------------------------------------------------


@pytest.mark.parametrize("kind", WORKBOOK_KINDS)
@pytest.mark.parametrize("lang", LANGUAGES)
def test_template_has_a_sheet_per_section_with_labels_hints_and_examples(kind, lang):
    wb = openpyxl.load_workbook(io.BytesIO(template_workbook(kind, lang)))
    sections = layout(kind)
    titles = [sheet_title(s, lang) for s in sections]
    # the drop-downs' hidden sheet is named in the workbook's language too
    # a tariff template adds the калькуляция's computed totals (issue 22)
    extra = [t("xs_totals", lang)] if kind == "tariff" else []
    assert wb.sheetnames == titles + extra + [META_SHEET, t("wt_sheet_lists", lang)]
    assert len(set(titles)) == len(titles)
    assert wb[META_SHEET].sheet_state == "hidden"
    texts = [str(v) for ws in wb.worksheets if ws.sheet_state == "visible"
             for row in ws.iter_rows(max_row=5, values_only=True) for v in row if v is not None]
    # every label and hint is translated: no message key shows through
    assert not [x for x in texts if x.startswith(("xl_", "xf_", "xs_", "xd_", "xk_", "xt_", "xc_"))]
    general = wb[titles[0]]
    examples = [general.cell(row=r, column=4).value for r in range(4, general.max_row + 1)]
    assert sum(v is not None for v in examples) >= 5  # example values from the bundled files


def _validations(ws):
    return {str(rng): dv.formula1 for dv in ws.data_validations.dataValidation for rng in dv.sqref.ranges}


def _list_values(wb, formula: str) -> list:
    name, ref = formula.lstrip("=").split("!")
    return [c.value for row in wb[name.strip("'")][ref.replace("$", "")] for c in row]


def test_template_offers_drop_downs_for_categories_units_and_references():
    wb = openpyxl.load_workbook(io.BytesIO(template_workbook("tariff", "ru")))
    lines = sheet(wb, "tariff", "cost_lines")
    found = _validations(lines)
    letter = openpyxl.utils.get_column_letter
    line_list = next(f for r, f in found.items() if r.startswith(letter(column(lines, "line")) + "6"))
    # the choices and units in the reader's words (issue 16), read back to their codes
    assert _list_values(wb, line_list)[:3] == [t(f"line_{k}", "ru") for k in ("labour", "social_fund", "fuel")]
    amount_units = next(f for r, f in found.items() if r.startswith(letter(column(lines, "amount.unit")) + "6"))
    assert "сом/год" in _list_values(wb, amount_units) and "м³/год" not in _list_values(wb, amount_units)
    source = next(f for r, f in found.items() if r.startswith(letter(column(lines, "source")) + "6"))
    assert sheet_title(next(s for s in layout("tariff") if s.id == "sources"), "ru") in source
    groups = sheet(wb, "tariff", "vulnerable.groups")
    category = next(f for r, f in _validations(groups).items()
                    if r.startswith(letter(column(groups, "category")) + "6"))
    assert sheet_title(next(s for s in layout("tariff") if s.id == "categories"), "ru") in category


def test_budget_years_head_the_columns_of_every_budget_line():
    wb = openpyxl.load_workbook(io.BytesIO(scenario_workbook("budget", scenario_data(
        ROOT / "scenarios/alamudun/budget.yaml")[1], "ru")))
    revenue = sheet(wb, "budget", "revenue")
    head = revenue.cell(row=3, column=column(revenue, "values#1")).value
    assert head.startswith("=IF(") and "E" in head  # follows the general sheet's years row


# --- a workbook filled by hand with every kind of mistake --------------------------------


def test_every_mistake_is_named_by_sheet_cell_and_value_and_nothing_is_written(tmp_path):
    kind, data = scenario_data(ROOT / "scenarios/teploklyuchenka/waste.yaml")
    wb = openpyxl.load_workbook(io.BytesIO(scenario_workbook(kind, data, "ru")))
    letter = openpyxl.utils.get_column_letter
    lines = sheet(wb, kind, "cost_lines")
    price = f"{letter(column(lines, 'price'))}6"
    lines[price] = "двадцать тысяч"  # text in a number cell
    kind_cell = f"{letter(column(lines, 'line'))}7"
    lines[kind_cell] = "зарплата"  # not one of the cost lines
    amount_row = next(r for r in range(8, lines.max_row + 1) if lines.cell(r, column(lines, "amount")).value)
    unit_cell = f"{letter(column(lines, 'amount.unit'))}{amount_row}"
    lines[unit_cell] = None  # a number without its unit
    stray = f"{letter(lines.max_column + 2)}9"
    lines[stray] = 12345  # in a column the template does not have
    categories = sheet(wb, kind, "categories")
    source_cell = f"{letter(column(categories, 'source'))}6"
    categories[source_cell] = None  # a required input left empty
    general = sheet(wb, kind, "general")
    extra_row = general.max_row + 2
    general.cell(row=extra_row, column=5, value="НДС 12 %")  # a row the schema does not know
    assets = sheet(wb, kind, "assets")
    assets.merge_cells("A6:B6")  # merged cells in the input area
    book = tmp_path / "filled by hand.xlsx"
    wb.save(book)

    proc = okmo("import", str(book), "-o", str(tmp_path / "out.yaml"))
    assert proc.returncode == 2
    assert not (tmp_path / "out.yaml").exists()  # no partial scenario
    err = proc.stderr
    expected = [
        (lines.title, price, "двадцать тысяч"),
        (lines.title, kind_cell, "зарплата"),
        (lines.title, unit_cell, None),
        (lines.title, stray, "12345"),
        (categories.title, source_cell, None),
        (general.title, f"E{extra_row}", "НДС 12 %"),
        (assets.title, "A6", "A6:B6"),
    ]
    for title, cell, value in expected:
        where = f"лист «{title}», ячейка {cell}"
        assert where in err, (where, err)
        if value is not None:
            block = err.split(where, 1)[1].split("\n")[1]
            assert value in block, (value, block)
    assert "Допустимые значения: 'labour'" in err
    assert "Не указана сумма" not in err  # not again for the rows whose cells are explained  # the unknown category says what is allowed
    assert "Обязательное поле не заполнено" in err


def test_a_reference_to_a_category_that_does_not_exist_is_named_by_its_cell(tmp_path):
    # checks that need the whole scenario (a discount for a category the file does not
    # have) run once every cell reads; their problems are traced back to cells too
    kind, data = scenario_data(ROOT / "scenarios/teploklyuchenka/waste.yaml")
    wb = openpyxl.load_workbook(io.BytesIO(scenario_workbook(kind, data, "en")))
    groups = sheet(wb, kind, "vulnerable.groups", "en")
    cell = f"{openpyxl.utils.get_column_letter(column(groups, 'category'))}7"
    groups[cell] = "pensioners"
    book = tmp_path / "book.xlsx"
    wb.save(book)
    with pytest.raises(ScenarioError) as info:
        read_workbook(book, "en")
    text = info.value.render("en")
    assert f"sheet '{groups.title}', cell {cell} (vulnerable.groups[2].category)" in text
    assert "'pensioners'" in text


def test_wrong_files_give_clear_errors(tmp_path):
    text = tmp_path / "scenario.xlsx"
    text.write_text("not a workbook", encoding="utf-8")
    proc = okmo("import", str(text), "--lang", "en")
    assert proc.returncode == 2 and "does not open as an Excel workbook" in proc.stderr
    plain = tmp_path / "plain.xlsx"
    openpyxl.Workbook().save(plain)
    proc = okmo("import", str(plain), "--lang", "en")
    assert proc.returncode == 2 and "not an okmo-models template" in proc.stderr
    proc = okmo("import", str(tmp_path / "missing.xlsx"))
    assert proc.returncode == 2 and "Файл не найден" in proc.stderr


def test_blank_template_lists_the_required_inputs_by_cell(tmp_path):
    book = save(tmp_path, template_workbook("programme", "en"))
    with pytest.raises(ScenarioError) as info:
        read_workbook(book, "en")
    text = info.value.render("en")
    general = sheet_title(layout("programme")[0], "en")
    assert f"sheet '{general}', cell E" in text and "A required field is missing" in text


def test_formula_without_computed_value_and_gap_in_a_row_of_years(tmp_path):
    kind, data = scenario_data(ROOT / "scenarios/alamudun/budget.yaml")
    wb = openpyxl.load_workbook(io.BytesIO(scenario_workbook(kind, data, "ru")))
    revenue = sheet(wb, kind, "revenue")
    letter = openpyxl.utils.get_column_letter
    gap = f"{letter(column(revenue, 'values#3'))}6"
    revenue[gap] = None
    formula = f"{letter(column(revenue, 'values#4'))}7"
    revenue[formula] = "=1+1"  # written by a program: Excel never computed it
    book = tmp_path / "budget.xlsx"
    wb.save(book)
    with pytest.raises(ScenarioError) as info:
        read_workbook(book, "ru")
    text = info.value.render("ru")
    assert f"лист «{revenue.title}», ячейка {gap}" in text and "Пустая ячейка внутри ряда чисел" in text
    assert f"лист «{revenue.title}», ячейка {formula}" in text and "формула без вычисленного значения" in text


def test_template_command_refuses_to_overwrite_and_needs_a_kind(tmp_path):
    assert okmo("template", "budget", "--lang", "ky", cwd=tmp_path).returncode == 0
    made = tmp_path / "okmo_budget_ky.xlsx"
    before = made.read_bytes()
    proc = okmo("template", "budget", "--lang", "ky", cwd=tmp_path)
    assert proc.returncode == 2 and made.read_bytes() == before
    assert okmo("template", cwd=tmp_path).returncode == 2

"""Result workbooks (``--format xlsx``): the bytes are opened with openpyxl and every number
is checked against the result object and the text/CSV/JSON exports of the same result.

Money is compared to the tyiyn (0.01 som); shares to 0.0001 (0.01 of a percentage point);
budget and programme amounts, written unrounded, to 1e-6 in the file's unit.
"""

from __future__ import annotations

import csv
import io
import json
import re
import subprocess
import sys

import openpyxl
import pytest

from conftest import SCENARIOS
from okmo_models import __version__
from okmo_models.budget.export import to_csv as budget_csv
from okmo_models.budget.forecast import compare, forecast_budget
from okmo_models.excel.results import (MONEY, PERCENT1, OutputFileRequired, budget_workbook,
                                       programme_workbook, sheet_name, tariff_workbook)
from okmo_models.i18n import LANGUAGES, t
from okmo_models.programme import evaluate_programme
from okmo_models.tariff import calculate_tariff
from okmo_models.tariff.export import to_csv as tariff_csv
from okmo_models.tariff.export import to_json as tariff_json

TARIFFS = ("teploklyuchenka/waste.yaml", "teploklyuchenka/dipping_bath.yaml",
           "teploklyuchenka/shared_landfill.yaml", "ak-bulak/water.yaml")
BUDGETS = ("alamudun/budget.yaml", "kok-jar/budget.yaml")
TYIYN = 0.01
SHARE = 1e-4


def book(data: bytes):
    # the tariff workbook's figures are formulas: read the values stored with them (the package's)
    return openpyxl.load_workbook(io.BytesIO(data), data_only=True)


def row_of(ws, label, col=1, start=1):
    """The first row at or after ``start`` whose cell in ``col`` is ``label``."""
    for r in range(start, ws.max_row + 1):
        if ws.cell(r, col).value == label:
            return r
    raise AssertionError(f"{label!r} not in column {col} of {ws.title}")


def values(ws, r, first_col, count):
    return [ws.cell(r, c).value for c in range(first_col, first_col + count)]


def text_cells(wb, skip=()):
    for ws in wb:
        for row in ws.iter_rows():
            for cell in row:
                if isinstance(cell.value, str) and (ws.title, cell.column) not in skip:
                    yield ws.title, cell.coordinate, cell.value


def numbers(wb) -> dict:
    return {(i, c.coordinate): c.value for i, ws in enumerate(wb) for row in ws.iter_rows() for c in row
            if isinstance(c.value, (int, float)) and not isinstance(c.value, bool)}


@pytest.fixture(scope="module")
def tariffs():
    return {name: calculate_tariff(SCENARIOS / name) for name in TARIFFS}


@pytest.fixture(scope="module")
def budgets():
    out = {}
    for name in BUDGETS:
        result = forecast_budget(SCENARIOS / name)
        out[name] = (result, result.others, result.provenance.inputs[0].sha256)
    return out


@pytest.fixture(scope="module")
def programme():
    return evaluate_programme(SCENARIOS / "alamudun/programme.yaml")


# --- tariff -------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", TARIFFS)
def test_calculation_sheet_is_the_kalkulyatsiya_of_the_result(tariffs, name):
    result = tariffs[name]
    lang = "ru"
    ws = book(tariff_workbook(result, lang))[t("xr_sheet_calculation", lang)]
    head = row_of(ws, t("c_no", lang))
    n = len(result.cost_lines)
    csv_rows = [r for r in csv.DictReader(io.StringIO(tariff_csv(result, lang))) if r["section"] == "cost_line"]
    # cost lines are numbered in print order; subtotals (production cost) stand between them
    line_row = {ws.cell(r, 1).value: r for r in range(head + 1, ws.max_row + 1)
                if isinstance(ws.cell(r, 1).value, int)}
    assert sorted(line_row) == list(range(1, n + 1))
    for k, (c, exported) in enumerate(zip(result.cost_lines, csv_rows)):
        r = line_row[k + 1]
        assert ws.cell(r, 2).value == c.name.get(lang)
        amount = ws.cell(r, 3)
        assert amount.value == pytest.approx(c.amount_som, abs=TYIYN)
        assert amount.value == pytest.approx(float(exported["value"]), abs=TYIYN)  # the CSV export
        assert amount.number_format == MONEY
        assert ws.cell(r, 4).number_format == ws.cell(r, 5).number_format == PERCENT1
        assert ws.cell(r, 5).value == pytest.approx(c.share, abs=SHARE)
    # the cost lines make 100 % of the total cost ...
    assert sum(ws.cell(line_row[k + 1], 4).value for k in range(n)) == pytest.approx(1.0, abs=SHARE)
    # ... and with profit, debt service and taxes 100 % of the revenue requirement
    totals = {ws.cell(r, 2).value: r for r in range(head + 1, ws.max_row + 1)
              if ws.cell(r, 1).value in ("", None) and ws.cell(r, 3).value is not None}
    parts = [t(k, lang) for k in ("profit", "debt_service", "vat", "sales_tax") if t(k, lang) in totals]
    shares = [ws.cell(line_row[k + 1], 5).value for k in range(n)] + [ws.cell(totals[p], 5).value for p in parts]
    assert sum(shares) == pytest.approx(1.0, abs=SHARE)
    summary = json.loads(tariff_json(result, lang))
    total_costs = ws.cell(totals[t("total_costs", lang)], 3)
    requirement = ws.cell(totals[t("revenue_requirement", lang)], 3)
    assert total_costs.value == pytest.approx(result.costs_som, abs=TYIYN)
    assert total_costs.value == pytest.approx(summary["costs_som"], abs=TYIYN)
    assert requirement.value == pytest.approx(result.revenue_requirement_som, abs=TYIYN)
    assert requirement.value == pytest.approx(summary["revenue_requirement_som"], abs=TYIYN)
    assert requirement.font.bold and requirement.number_format == MONEY
    assert ws.cell(totals[t("revenue_requirement", lang)], 5).value == pytest.approx(1.0)


@pytest.mark.parametrize("name", TARIFFS)
def test_tariff_sheet_has_the_tariffs_revenue_and_summary(tariffs, name):
    result = tariffs[name]
    lang = "en"
    ws = book(tariff_workbook(result, lang))[t("xr_sheet_tariffs", lang)]
    exported = {(r["section"], r["key"]): float(r["value"])
                for r in csv.DictReader(io.StringIO(tariff_csv(result, lang))) if r["value"] not in ("", "None")}
    for c in result.tariffs:
        r = row_of(ws, c.name.get(lang))
        assert ws.cell(r, 4).value == pytest.approx(c.tariff_som, abs=TYIYN)
        assert ws.cell(r, 4).value == pytest.approx(exported[("tariff", c.id)], abs=TYIYN)
        assert ws.cell(r, 5).value == pytest.approx(c.cash_tariff_som, abs=TYIYN)
        assert ws.cell(r, 6).value == pytest.approx(c.collection_rate)
        assert ws.cell(r, 9).value == pytest.approx(c.revenue_som, abs=TYIYN)
        assert ws.cell(r, 4).number_format == MONEY and ws.cell(r, 6).number_format == PERCENT1
        if c.change_pct is not None:
            assert ws.cell(r, 8).value == pytest.approx(c.change_pct / 100)
    total = row_of(ws, t("xr_total", lang))
    assert ws.cell(total, 9).value == pytest.approx(result.revenue_at_tariffs_som, abs=TYIYN)
    assert ws.cell(total, 9).value == pytest.approx(sum(c.revenue_som for c in result.tariffs), abs=TYIYN)
    r = row_of(ws, t("s_subsidy", lang))
    assert ws.cell(r, 2).value == pytest.approx(result.subsidy_need_som, abs=TYIYN)
    r = row_of(ws, t("s_cash_gap", lang))
    assert ws.cell(r, 2).value == pytest.approx(result.cash_shortfall_som, abs=TYIYN)


def test_policy_sheets_follow_the_scenario(tariffs):
    lang = "ru"
    waste = tariffs["teploklyuchenka/waste.yaml"]
    wb = book(tariff_workbook(waste, lang))
    for key in ("xr_sheet_affordability", "xr_sheet_vulnerable", "xr_sheet_path", "xr_sheet_sensitivity"):
        assert t(key, lang) in wb.sheetnames
    assert t("xr_sheet_sharing", lang) not in wb.sheetnames

    pa = waste.policy.path
    ws = wb[t("xr_sheet_path", lang)]
    for k, year in enumerate(pa.years):
        r = row_of(ws, year)
        c = pa.categories[0]
        assert ws.cell(r, 3).value == pytest.approx(c["cost_recovery_tariff_som"][k], abs=TYIYN)
        assert ws.cell(r, 4).value == pytest.approx(c["path_tariff_som"][k], abs=TYIYN)
        assert ws.cell(r, 5 + 2 * (len(pa.categories) - 1)).value == pytest.approx(pa.requirement_som[k], abs=TYIYN)
        assert ws.cell(r, 6 + 2 * (len(pa.categories) - 1)).value == pytest.approx(pa.subsidy_som[k], abs=TYIYN)

    ws = wb[t("xr_sheet_affordability", lang)]
    a = waste.policy.affordability
    for g in a.groups:
        r = row_of(ws, g["name"].get(lang))
        assert ws.cell(r, 5).value == pytest.approx(g["bill_som"], abs=TYIYN)
        assert ws.cell(r, 6).value == pytest.approx(g["burden"])
    assert ws.cell(row_of(ws, t("xr_threshold", lang)), 2).value == pytest.approx(a.threshold)

    ws = wb[t("xr_sheet_vulnerable", lang)]
    r = row_of(ws, t("xr_total", lang))
    assert ws.cell(r, 5).value == pytest.approx(waste.policy.vulnerable.budget_cost_som, abs=TYIYN)

    shared = tariffs["teploklyuchenka/shared_landfill.yaml"]
    ws = book(tariff_workbook(shared, lang))[t("xr_sheet_sharing", lang)]
    r = row_of(ws, t("xr_total", lang))
    members = shared.policy.sharing.members
    assert ws.cell(r, 3).value == pytest.approx(1.0, abs=SHARE)
    assert ws.cell(r, 4).value == pytest.approx(sum(m["payment_som"] for m in members), abs=TYIYN)

    bath = book(tariff_workbook(tariffs["teploklyuchenka/dipping_bath.yaml"], lang))
    assert bath.sheetnames == [t(k, lang) for k in ("xr_sheet_calculation", "xr_sheet_tariffs", "xr_sheet_inputs",
                                                   "xr_sheet_parameters", "xr_sheet_sources")]


@pytest.mark.parametrize("name", TARIFFS)
def test_every_source_number_is_listed_with_its_text(tariffs, name):
    result = tariffs[name]
    lang = "ky"
    wb = book(tariff_workbook(result, lang))
    ws = wb[t("xr_sheet_sources", lang)]
    head = row_of(ws, t("c_no", lang))
    listed = {ws.cell(r, 1).value: ws.cell(r, 2).value for r in range(head + 1, ws.max_row + 1)}
    assert len(listed) >= len(result.scenario.sources)
    # the file's sources keep their order, numbered as in the reports; their keys are ids for
    # the files, not shown to the reader (issue 16)
    for n, (key, text) in enumerate(result.scenario.sources.items(), 1):
        text = text.get(lang) if hasattr(text, "get") else text
        assert listed[f"[{n}]"] == " ".join(text.split())
        assert key not in [c.value for c in ws[head + n]]
    for sheet, coordinate, value in text_cells(wb):
        for ref in re.findall(r"\[\d+\]", value):
            assert ref in listed, (sheet, coordinate, value)
    calc = wb[t("xr_sheet_calculation", lang)]
    line_row = {calc.cell(r, 1).value: r for r in range(row_of(calc, t("c_no", lang)) + 1, calc.max_row + 1)
                if isinstance(calc.cell(r, 1).value, int)}
    for k, c in enumerate(result.cost_lines):
        cell = calc.cell(line_row[k + 1], 7)
        source = c.source
        if isinstance(source, dict):  # a package parameter's source, in languages
            source = source.get(lang) or source["ru"]
        elif hasattr(source, "get"):
            source = source.get(lang)
        assert listed[cell.value] == " ".join(source.split())
        assert cell.hyperlink is not None and cell.hyperlink.location.startswith(f"'{ws.title}'!A")


# --- budget -------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", BUDGETS)
def test_forecast_sheet_holds_history_and_forecast_by_line(budgets, name):
    result, others, sha = budgets[name]
    lang = "ru"
    wb = book(budget_workbook(result, lang))
    ws = wb[t("xr_sheet_forecast", lang)]
    head = row_of(ws, t("br_line", lang))
    years = [*result.years, *result.forecast_years]
    labels = values(ws, head, 3, len(years))
    assert labels == [t("br_executed_year", lang, year=y) for y in result.years] + \
        [t("br_forecast_year", lang, year=y) for y in result.forecast_years]
    forecast = result.forecast()
    exported = {row["line"]: row for row in csv.DictReader(io.StringIO(budget_csv(result, lang)))}
    first_forecast = 3 + len(result.years)
    for i, (section, line) in enumerate(result.lines):
        r = head + 1 + i + (1 if section == "expenditure" else 0)  # the revenue total stands between
        assert values(ws, r, 3, len(result.years)) == pytest.approx(list(result.history[i]))
        for k, year in enumerate(result.forecast_years):
            cell = ws.cell(r, first_forecast + k)
            assert cell.value == pytest.approx(forecast.loc[(section, line), year], rel=1e-9)
            assert cell.value == pytest.approx(float(exported[line][str(year)]), rel=1e-9)  # the CSV export
            assert cell.number_format == "#,##0.0"
    totals = result.totals()
    for key, label in (("revenue", "b_revenue_total"), ("expenditure", "b_expenditure_total"),
                       ("balance", "b_balance")):
        r = row_of(ws, t(label, lang))
        assert ws.cell(r, 1).font.bold
        assert values(ws, r, first_forecast, len(result.forecast_years)) == pytest.approx(list(totals.loc[key]))
        assert values(ws, r, 3, len(result.years)) == pytest.approx(list(result.history_totals().loc[key]))


@pytest.mark.parametrize("name", BUDGETS)
def test_budget_intervals_methods_and_scenarios(budgets, name):
    result, others, sha = budgets[name]
    lang = "en"
    wb = book(budget_workbook(result, lang))
    n_years = len(result.forecast_years)

    ws = wb[t("xr_sheet_intervals", lang)]
    head = row_of(ws, t("c_indicator", lang))
    for k, ((total, p), band) in enumerate(result.intervals().iterrows()):
        assert ws.cell(head + 1 + k, 2).value == f"P{p}"
        assert values(ws, head + 1 + k, 3, n_years) == pytest.approx(list(band))
    r = row_of(ws, t("b_deficit_probability", lang))
    assert values(ws, r, 3, n_years) == pytest.approx(list(result.deficit_probability()))
    assert ws.cell(r, 3).number_format == PERCENT1

    ws = wb[t("xr_sheet_methods", lang)]
    head = row_of(ws, t("br_line", lang))
    for i in range(len(result.lines)):
        # a combination with the methods it averages (issue 18)
        assert ws.cell(head + 1 + i, 2).value == result.method_label(i, lang)
        assert values(ws, head + 1 + i, 3, result.mape.shape[0]) == pytest.approx(list(result.mape[:, i]))

    ws = wb[t("xr_sheet_budget", lang)]
    summary = result.summary(lang)
    for row in summary.itertuples(index=False):
        label, *numbers_ = row
        assert values(ws, row_of(ws, label), 2, len(numbers_)) == pytest.approx(numbers_)

    ws = wb[t("xr_sheet_scenarios", lang)]
    table = compare([result, *others], lang)
    head = row_of(ws, t("b_col_scenario", lang))
    assert len(others) > 0
    for k, row in enumerate(table.itertuples(index=False)):
        name_, label, *numbers_ = row
        assert [ws.cell(head + 1 + k, 1).value, ws.cell(head + 1 + k, 2).value] == [name_, label]
        assert values(ws, head + 1 + k, 3, n_years) == pytest.approx(numbers_, abs=1e-9)


def test_a_single_scenario_has_no_comparison_sheet(budgets):
    _, others, _ = budgets["kok-jar/budget.yaml"]
    wb = book(budget_workbook(others[0], "ru"))
    assert t("xr_sheet_scenarios", "ru") not in wb.sheetnames
    ws = wb[t("xr_sheet_forecast", "ru")]
    assert others[0].name("ru") in ws["A2"].value


# --- programme ----------------------------------------------------------------------------------


def test_programme_financing_measures_comparison_and_money_left(programme):
    lang = "ru"
    wb = book(programme_workbook(programme, lang))
    years = list(programme.space.years)

    ws = wb[t("xr_sheet_financing", lang)]
    start = 1
    for which in ("plan", "optimal", "ranking"):
        block = row_of(ws, t("pr_" + which, lang), start=start)
        head = block + 1
        assert values(ws, head, 2, len(years)) == years
        table = programme.financing_table(which, lang)
        for k, row in enumerate(table.itertuples(index=False)):
            label, *numbers_ = row
            assert ws.cell(head + 1 + k, 1).value == label
            assert values(ws, head + 1 + k, 2, len(years)) == pytest.approx(numbers_)
        total_cost = row_of(ws, t("pr_total_cost", lang), start=head)
        assert ws.cell(total_cost, 1).font.bold
        flows = programme.portfolios()[which].by_source()
        assert ws.cell(total_cost, 2 + len(years)).value == pytest.approx(sum(float(f.sum()) for f in flows.values()))
        start = head + 1

    ws = wb[t("xr_sheet_measures", lang)]
    head = row_of(ws, t("c_no", lang))
    starts = {which: programme.portfolios()[which].starts for which in ("plan", "optimal", "ranking")}
    by_name = {m.name.get(lang): m for m in programme.programme.measures}
    for r in range(head + 1, head + 1 + len(by_name)):
        m = by_name[ws.cell(r, 2).value]
        assert ws.cell(r, 5).value == pytest.approx(sum(m.cost))
        for k, which in enumerate(("plan", "optimal", "ranking")):
            assert ws.cell(r, 8 + 2 * k).value == starts[which].get(m.id, "—")
            assert ws.cell(r, 9 + 2 * k).value  # the reason, in words

    ws = wb[t("xr_sheet_compare", lang)]
    r = row_of(ws, t("funding_local_budget", lang))
    assert values(ws, r, 2, 3) == pytest.approx(
        [float(programme.portfolios()[w].local_need().sum()) for w in ("plan", "optimal", "ranking")])
    r = row_of(ws, t("pr_row_measures", lang))
    assert values(ws, r, 2, 3) == [len(s) for s in starts.values()]

    ws = wb[t("xr_sheet_left", lang)]
    for which in ("plan", "optimal", "ranking"):
        r = row_of(ws, t("xr_row_left_of", lang, variant=t("pr_" + which, lang)))
        assert values(ws, r, 2, len(years)) == pytest.approx(list(programme.portfolios()[which].left()))
    r = row_of(ws, t("pr_fiscal_space", lang))
    assert values(ws, r, 2, len(years)) == pytest.approx(list(programme.space.amounts))


# --- every workbook: languages, title block, layout --------------------------------------------


def _all_books(tariffs, budgets, programme, lang):
    out = {name: tariff_workbook(r, lang) for name, r in tariffs.items()}
    for name, (result, others, sha) in budgets.items():
        out[name] = budget_workbook(result, lang)
    out["alamudun/programme.yaml"] = programme_workbook(programme, lang)
    return out


def test_every_language_has_the_same_numbers_and_its_own_words(tariffs, budgets, programme):
    books = {lang: {k: book(v) for k, v in _all_books(tariffs, budgets, programme, lang).items()}
             for lang in LANGUAGES}
    key_like = re.compile(r"^[a-z]+(_[a-z0-9]+)+$")
    for name in books["ru"]:
        ru, ky, en = (books[lang][name] for lang in LANGUAGES)
        assert numbers(ru) == numbers(ky) == numbers(en), name
        assert len({tuple(wb.sheetnames) for wb in (ru, ky, en)}) == 3, name
        for lang, wb in zip(LANGUAGES, (ru, ky, en)):
            # the keys of the file's sources are the file's own words, the same in every language
            skip = {(t("xr_sheet_sources", lang), 2)}
            for sheet, coordinate, value in text_cells(wb, skip):
                assert "xr_" not in value and not key_like.match(value), (name, lang, sheet, coordinate, value)
        # the heading row of every sheet is translated
        for k in range(len(ru.sheetnames)):
            heads = {tuple(c.value for c in wb.worksheets[k][_header_row(wb.worksheets[k])]) for wb in (ru, ky, en)}
            assert len(heads) == 3, (name, heads)


def _header_row(ws) -> int:
    """The heading row of the first table: the panes are frozen below it."""
    return int(re.sub(r"\D", "", ws.freeze_panes)) - 1


def test_sheets_have_title_block_frozen_bold_headers_and_fitted_columns(tariffs, budgets, programme):
    for name, data in _all_books(tariffs, budgets, programme, "ru").items():
        wb = book(data)
        for ws in wb:
            assert len(ws.title) <= 31 and not re.search(r"[\[\]:*?/\\]", ws.title)
            title = [ws.cell(r, 1).value for r in range(1, 7)]
            assert ws["A1"].font.bold
            # the program by its command's name and version (issue 16: no "okmo-models" in ru/ky)
            assert any("okmo" in (v or "") and __version__ in (v or "") for v in title), (name, ws.title)
            assert any(name in (v or "") for v in title), (name, ws.title)  # the file
            assert ws.freeze_panes, (name, ws.title)
            labels = [c for c in ws[_header_row(ws)] if c.value is not None]
            assert labels and all(c.font.bold for c in labels), (name, ws.title)
            for c in labels:
                assert ws.column_dimensions[c.column_letter].width > 3
        assert len(set(wb.sheetnames)) == len(wb.sheetnames)


def test_sheet_names_are_valid_whatever_the_words():
    assert sheet_name("Доходы/расходы: [план]?") == "Доходы-расходы- -план--"
    assert len(sheet_name("x" * 40)) == 31
    assert sheet_name("Итоги", ["итоги"]) == "Итоги (2)"
    assert len(sheet_name("y" * 40, ["y" * 31])) == 31


# --- the command line ---------------------------------------------------------------------------


def run(*args):
    return subprocess.run([sys.executable, "-m", "okmo_models.cli", *map(str, args)], capture_output=True,
                          check=False)


def test_cli_writes_the_workbook_and_never_overwrites_without_force(tmp_path):
    out = tmp_path / "tmp" / "x.xlsx"
    scenario = SCENARIOS / "teploklyuchenka/waste.yaml"
    done = run("tariff", scenario, "--format", "xlsx", "-o", out)
    assert done.returncode == 0, done.stderr.decode()
    assert done.stdout == b""
    data = out.read_bytes()
    assert t("xr_sheet_calculation", "ru") in book(data).sheetnames

    again = run("tariff", scenario, "--format", "xlsx", "-o", out, "--lang", "en")
    assert again.returncode == 2
    assert "--force" in again.stderr.decode()
    assert out.read_bytes() == data

    forced = run("tariff", scenario, "--format", "xlsx", "-o", out, "--force", "--lang", "en")
    assert forced.returncode == 0
    assert t("xr_sheet_calculation", "en") in book(out.read_bytes()).sheetnames


@pytest.mark.parametrize("command, path", [("tariff", "teploklyuchenka/waste.yaml"),
                                           ("budget", "kok-jar/budget.yaml"),
                                           ("programme", "alamudun/programme.yaml")])
def test_cli_refuses_to_print_a_workbook_to_the_terminal(command, path):
    done = run(command, SCENARIOS / path, "--format", "xlsx", "--lang", "en")
    assert done.returncode == 2
    assert done.stdout == b""
    message = done.stderr.decode()
    assert message.strip() == OutputFileRequired(path.split("/")[-1].replace(".yaml", ".xlsx")).render("en")
    assert "-o " in message and "Traceback" not in message


def test_cli_budget_and_programme_workbooks(tmp_path):
    budget = tmp_path / "budget.xlsx"
    done = run("budget", SCENARIOS / "alamudun/budget.yaml", "--format", "xlsx", "-o", budget, "--lang", "ky")
    assert done.returncode == 0, done.stderr.decode()
    assert t("xr_sheet_scenarios", "ky") in book(budget.read_bytes()).sheetnames
    one = tmp_path / "one.xlsx"
    done = run("budget", SCENARIOS / "kok-jar/budget.yaml", "--format", "xlsx", "-o", one, "--scenario", "grant_cut")
    assert done.returncode == 0, done.stderr.decode()
    assert t("xr_sheet_scenarios", "ru") not in book(one.read_bytes()).sheetnames
    plan = tmp_path / "programme.xlsx"
    done = run("programme", SCENARIOS / "alamudun/programme.yaml", "--format", "xlsx", "-o", plan)
    assert done.returncode == 0, done.stderr.decode()
    assert t("xr_sheet_measures", "ru") in book(plan.read_bytes()).sheetnames


def test_output_required_message_in_every_language():
    for lang in LANGUAGES:
        text = OutputFileRequired("waste.xlsx").render(lang)
        assert "-o waste.xlsx" in text and "xr_" not in text
    assert len({OutputFileRequired().render(lang) for lang in LANGUAGES}) == 3

"""One number formatter, one text-table layout, a cost line's basis kept as data.

Issue 15: numbers were formatted by hand in several places (a plain space between thousands),
the basis of a cost line was an English string parsed back by the outputs, and the formatter
and the tables imported the tariff package (a cycle between layers)."""

import json
from pathlib import Path

import numpy as np
import pytest

from conftest import SCENARIOS, compute, dipping_scenario, waste_scenario
from okmo_models.formatting import NO_BASIS, STRAIGHT_LINE, Basis, basis, format_money, format_number, round_to_step
from okmo_models.tables import frame_table, text_table

NBSP = "\u00a0"
PRODUCTS = ("okmo_models.tariff", "okmo_models.budget", "okmo_models.programme")


def test_thousands_are_separated_by_a_no_break_space_in_ru_and_ky():
    assert format_money(1234567.891, "ru") == f"1{NBSP}234{NBSP}567,89{NBSP}сом"
    assert format_number(1234567.891, 1, "ky") == f"1{NBSP}234{NBSP}567,9"
    assert format_number(1234567.891, 2, "en") == "1,234,567.89"
    assert format_number(-0.004) == "0,00" and format_number(None) == "—"


def test_the_formatter_and_the_tables_import_no_product_package():
    """formatting imported tariff.formulas (for the rounding) and tables the tariff result:
    the base layer pointed up. Failed before the rounding moved down."""
    import ast

    import okmo_models

    for module in ("formatting", "tables"):
        tree = ast.parse((Path(okmo_models.__file__).parent / f"{module}.py").read_text(encoding="utf-8"))
        imported = {n.module for n in ast.walk(tree) if isinstance(n, ast.ImportFrom)}
        imported |= {a.name for n in ast.walk(tree) if isinstance(n, ast.Import) for a in n.names}
        assert not [m for m in imported if m and m.startswith(PRODUCTS)], module


@pytest.mark.parametrize("mode", ["half_up", "up", "down"])
def test_the_tariff_rounding_is_the_formatter_s(mode):
    from okmo_models.tariff.formulas import round_tariff

    values = np.array([481.735, 48.5001, 7.455, -0.004, 84.5, 1e15])
    for step in (0.01, 1.0, 0.5):
        assert np.array_equal(round_tariff(values, step, mode), round_to_step(values, step, mode))
    assert round_tariff(481.735, 0.01) == 481.74 and format_number(481.735) == "481,74"


def test_a_basis_is_data_rendered_in_the_reader_s_language():
    labour = Basis.product((3, "staff"), (16000, "som/staff/month"))
    assert basis(labour, "ru") == f"3 шт. ед. × 16{NBSP}000 сом/шт. ед./мес."
    assert basis(labour, "ky") == f"3 штат. бирд. × 16{NBSP}000 сом/штат. бирд./ай"
    assert basis(labour, "en") == "3 staff × 16,000 som/staff/month"
    assert [basis(STRAIGHT_LINE, lang) for lang in ("ru", "ky", "en")] == ["линейный метод", "сызыктуу ыкма",
                                                                            "straight line"]
    assert basis(NO_BASIS, "ru") == "—"
    assert labour.to_list() == [{"value": 3.0, "unit": "staff"}, {"value": 16000.0, "unit": "som/staff/month"}]


def test_the_model_keeps_each_line_s_basis_as_quantities():
    # waste_scenario: 2 drivers x 10 000 som/staff/month, 1 000 l of fuel x 80 som/l, a truck
    result = compute(waste_scenario())
    lines = {(c.line, c.derived): c.basis for c in result.cost_lines}
    assert lines[("labour", False)] == Basis(((2.0, "staff"), (10000.0, "som/staff/month")))
    assert lines[("social_fund", True)] == Basis(((17.25, "%"), (240000.0, "som/year")))
    assert lines[("depreciation", True)] == STRAIGHT_LINE
    d = result.to_dict("ky")
    social = next(c for c in d["cost_lines"] if c["line"] == "social_fund")
    assert social["basis"] == f"17,25 % × 240{NBSP}000 сом/жыл"
    assert social["basis_factors"] == [{"value": 17.25, "unit": "%"}, {"value": 240000.0, "unit": "som/year"}]
    assert result.cost_table("en")["basis"].tolist()[:2] == ["2 staff × 10,000 som/staff/month",
                                                             "1,000 l/year × 80 som/l"]


def test_numbers_in_notes_are_in_the_reader_s_format():
    # dipping_scenario: a rent of 6 000 som/year against 10 000 of municipal depreciation
    result = compute(dipping_scenario())
    note = next(text for text, (key, _) in zip(result.notes_text("ru"), result.notes)
                if key == "note_rent_vs_depreciation")
    assert f"6{NBSP}000 сом/год" in note and f"10{NBSP}000 сом/год" in note
    assert "6,000 som/year" in result.notes_text("en")[[k for k, _ in result.notes].index("note_rent_vs_depreciation")]


def test_text_tables_align_names_left_and_figures_right():
    import pandas as pd

    lines = text_table(["Line", "Amount"], [["Fuel", "1 200,00"], ["Repairs", "90,50"]], right=(1,))
    assert lines == ["Line       Amount", "-------  --------", "Fuel     1 200,00", "Repairs     90,50"]
    df = pd.DataFrame({"Measure": ["Roads", "Park"], "Start": ["2027", "—"], "Why": ["in", "not planned"]})
    assert frame_table(df) == ["Measure  Start  Why", "-------  -----  -----------",
                               "Roads     2027  in", "Park         —  not planned"]


def test_every_text_output_uses_the_one_table_layout():
    """The budget and programme text printed pandas' own layout (no rule under the headings)."""
    from okmo_models.budget.export import to_text as budget_text
    from okmo_models.budget.forecast import forecast_budget
    from okmo_models.programme.export import to_text as programme_text
    from okmo_models.programme import evaluate_programme

    budget = budget_text(forecast_budget(SCENARIOS / "alamudun/budget.yaml"), "ru").splitlines()
    assert budget[2].startswith("-" * 10) and f"124{NBSP}913,7" in budget[6]
    programme = programme_text(evaluate_programme(SCENARIOS / "alamudun/programme.yaml"), "ru")
    assert "\n----------------------------  " in programme


def test_programme_exports_live_in_their_own_module():
    from okmo_models.programme import result

    assert not hasattr(result, "to_text") and not hasattr(result, "to_json")
    from okmo_models.programme.export import to_csv, to_json  # noqa: F401

    data = json.loads(to_json(result.evaluate_programme(SCENARIOS / "alamudun/programme.yaml"), "en"))
    assert data["optimal"]["fits"] is True

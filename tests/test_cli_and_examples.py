"""The command line and the bundled example scenarios, as a user runs them."""

import csv
import io
import json
import subprocess
import sys

import pytest

from conftest import SCENARIOS
from okmo_models import calculate_tariff
from okmo_models.cli import main

EXAMPLES = sorted(SCENARIOS.rglob("*.yaml"))


def run(*args):
    return subprocess.run([sys.executable, "-m", "okmo_models.cli", *map(str, args)],
                          capture_output=True, text=True)


def test_examples_exist():
    names = {p.relative_to(SCENARIOS).as_posix() for p in EXAMPLES}
    assert {"teploklyuchenka/waste.yaml", "teploklyuchenka/dipping_bath.yaml",
            "ak-bulak/water.yaml"} <= names


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.relative_to(SCENARIOS).as_posix())
def test_every_example_validates_and_says_it_is_invented(path):
    assert main(["check", str(path)]) == 0
    head = path.read_text(encoding="utf-8")[:1500]
    assert "ВЫМЫШЛЕННЫЙ" in head and "Invented" in head


def test_teploklyuchenka_waste_facts_from_the_source():
    """seed 001: 50 som per household per month today, 65 % pay, a 3.5 million som truck."""
    r = calculate_tariff(SCENARIOS / "teploklyuchenka/waste.yaml")
    households = r.tariff("households")
    assert households.current_tariff_som == 50
    assert households.collection_rate == pytest.approx(0.65)
    assert any(a["value_som"] == 3_500_000 for a in r.assets)
    # the justified tariff is above today's 50 som, so the change is a rise
    assert households.change_pct > 0


def test_teploklyuchenka_dipping_bath_lands_on_13_som():
    """seed 001: the dipping-bath tariff was calculated at 13 som per head."""
    r = calculate_tariff(SCENARIOS / "teploklyuchenka/dipping_bath.yaml")
    assert r.tariff("local").tariff_som == 13
    assert r.tariff("oktyabr").tariff_som == 13
    assert 12.5 < r.tariff("local").tariff_unrounded_som <= 13


@pytest.mark.parametrize("lang, words", [("ru", ["КАЛЬКУЛЯЦИЯ", "сом"]),
                                         ("ky", ["КАЛЬКУЛЯЦИЯСЫ", "өздүк нарк"]),
                                         ("en", ["COST ESTIMATE", "Revenue requirement"])])
def test_table_output(lang, words):
    proc = run("tariff", SCENARIOS / "teploklyuchenka/waste.yaml", "--lang", lang)
    assert proc.returncode == 0, proc.stderr
    for w in words:
        assert w in proc.stdout


def test_table_money_in_russian_format():
    proc = run("tariff", SCENARIOS / "teploklyuchenka/waste.yaml")
    r = calculate_tariff(SCENARIOS / "teploklyuchenka/waste.yaml")
    whole, cents = f"{r.revenue_requirement_som:.2f}".split(".")
    expected = f"{int(whole):,}".replace(",", "\u00a0") + "," + cents + "\u00a0сом"
    assert expected in proc.stdout  # e.g. "4 736 003,82 сом", no-break spaces between thousands and before "сом"


def test_json_contract():
    proc = run("tariff", SCENARIOS / "ak-bulak/water.yaml", "--format", "json")
    d = json.loads(proc.stdout)
    assert d["schema"] == "okmo-tariff-result/3"
    for key in ("revenue_requirement_som", "cost_lines", "unit_costs", "tariffs",
                "subsidy_need_som", "typical_household_bill_som"):
        assert key in d
    assert {"line", "amount_som", "share"} <= set(d["cost_lines"][0])
    assert {"category", "unit", "tariff_som", "cash_tariff_som"} <= set(d["tariffs"][0])
    r = calculate_tariff(SCENARIOS / "ak-bulak/water.yaml")
    assert d["revenue_requirement_som"] == round(r.revenue_requirement_som, 2)
    assert [t["tariff_som"] for t in d["tariffs"]] == [round(c.tariff_som, 2) for c in r.tariffs]
    assert sum(c["share"] for c in d["cost_lines"]) == pytest.approx(r.costs_som / r.revenue_requirement_som, abs=1e-5)
    assert len(d["scenario"]["sha256"]) == 64


def test_csv_output():
    proc = run("tariff", SCENARIOS / "teploklyuchenka/dipping_bath.yaml", "--format", "csv")
    rows = list(csv.DictReader(io.StringIO(proc.stdout)))
    tariffs = {r["key"]: float(r["value"]) for r in rows if r["section"] == "tariff"}
    assert tariffs == {"local": 13.0, "oktyabr": 13.0}
    species = {r["key"]: float(r["value"]) for r in rows if r["section"] == "species_tariff"}
    # 288 553,13 som over 22 835 sheep-equivalent heads (the economic base's 2026 count) =
    # 12,64 a sheep; a goat × 0,9 = 11,37, rounded to the som
    assert species["local:goats"] == 11.0


def test_output_file_is_never_overwritten(tmp_path):
    out = tmp_path / "result.json"
    first = run("tariff", SCENARIOS / "ak-bulak/water.yaml", "--format", "json", "--output", out)
    assert first.returncode == 0 and out.exists()
    before = out.read_text(encoding="utf-8")
    second = run("tariff", SCENARIOS / "teploklyuchenka/waste.yaml", "--format", "json", "--output", out)
    assert second.returncode == 2 and "--force" in second.stderr
    assert out.read_text(encoding="utf-8") == before
    third = run("tariff", SCENARIOS / "teploklyuchenka/waste.yaml", "--format", "json",
                "--output", out, "--force")
    assert third.returncode == 0 and out.read_text(encoding="utf-8") != before
    assert [p.name for p in tmp_path.iterdir()] == ["result.json"]  # no temporary files left


def test_help_and_other_commands():
    assert run("--help").returncode == 0
    help_ky = run("tariff", "--help", "--lang", "ky")
    assert "сценарий" in help_ky.stdout
    schema = json.loads(run("schema").stdout)
    assert "cost_lines" in schema["properties"]
    params = run("parameters")
    assert "17,25 %" in params.stdout and "Ставка страховых взносов работодателя в Социальный фонд" in params.stdout


def test_policy_in_json_and_csv():
    d = json.loads(run("tariff", SCENARIOS / "teploklyuchenka/waste.yaml", "--format", "json").stdout)
    assert d["path"]["years"][0] == 2027 and len(d["path"]["years"]) == 5
    assert d["vulnerable"]["budget_cost_som"] > 0
    assert set(d["sensitivity"]["percentiles"]) == {"p5", "p25", "p50", "p75", "p95", "mean"}
    rows = list(csv.DictReader(io.StringIO(
        run("tariff", SCENARIOS / "teploklyuchenka/waste.yaml", "--format", "csv").stdout)))
    path = [r for r in rows if r["section"] == "path_tariff"]
    assert [float(r["value"]) for r in path] == d["path"]["categories"][0]["path_tariff_som"]
    shared = json.loads(run("tariff", SCENARIOS / "teploklyuchenka/shared_landfill.yaml",
                            "--format", "json").stdout)
    payments = sum(m["payment_som"] for m in shared["sharing"]["members"])
    assert payments == pytest.approx(shared["revenue_requirement_som"], abs=0.02)


def test_saved_files_get_the_usual_permissions(tmp_path):
    import os

    from okmo_models.safe_write import write_new_file

    path = write_new_file(tmp_path / "a.txt", "x")
    umask = os.umask(0)
    os.umask(umask)
    assert path.stat().st_mode & 0o777 == 0o666 & ~umask


@pytest.mark.parametrize("lang", ["ru", "ky"])
def test_the_kalkulyatsiya_basis_is_in_the_reader_s_words(lang):
    """The text output printed each line's basis as the engine keeps it ("2 staff × 20 000
    som/staff/month", "straight-line") while the PDF translated it: one `basis` for both."""
    import re

    for name in ("teploklyuchenka/waste.yaml", "teploklyuchenka/dipping_bath.yaml", "ak-bulak/water.yaml"):
        out = run("tariff", SCENARIOS / name, "--lang", lang).stdout
        section = out.split("\n\n")[1]  # the калькуляция, after the heading block
        assert not re.search(r"[A-Za-z]", section), (name, re.findall(r"[A-Za-z][\w/.-]*", section)[:5])

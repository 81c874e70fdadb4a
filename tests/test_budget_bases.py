"""A budget line forecast from its economic base (the budget file's ``bases:``): accrued on
the base x collection, worked by hand on the bundled Alamudun variant
(alamudun/budget_with_bases.yaml -> budget.yaml + economic_base.yaml); the spread, the
what-ifs on top (a scenario's change, a rate from a year on), the provenance, the exports,
and the problems between the two files, each named with both."""

from __future__ import annotations

import hashlib
import json
import shutil

import numpy as np
import pytest
import yaml

from conftest import SCENARIOS
from okmo_models.budget.export import to_csv, to_json, to_text
from okmo_models.budget.forecast import FROM_BASE, forecast_budget, load_budget
from okmo_models.errors import ScenarioError

FOLDER = SCENARIOS / "alamudun"
WITH_BASES = FOLDER / "budget_with_bases.yaml"
HISTORY = FOLDER / "budget.yaml"
MONEY = 1e-6  # thousand som: the same arithmetic, to rounding

# executed land tax and patents, thousand som (budget.yaml)
LAND_TAX = {2023: 15132.6, 2024: 17025.1, 2025: 20478.8}
PATENTS = {2023: 3052.1, 2024: 3521.4, 2025: 4644.1}


def land_tax_accrued_som(year: int) -> float:
    """Land tax accrued on the Alamudun base, som, worked out from economic_base.yaml."""
    irrigated = {2023: 6000 + 4700, 2024: 5900 + 4650, 2025: 5800 + 4600,
                 2026: 5800 * 0.98 + 4600 * 0.99,  # the growth the file gives: -2 % and -1 %
                 2027: 5800 * 0.98 ** 2 + 4600 * 0.99 ** 2}[year]
    settlement = {2023: 2850 + 380, 2024: 3100 + 420, 2025: 3350 + 460,
                  2026: 3350 * 1.04 + 460 * 1.06,  # +4 % and +6 %
                  2027: 3350 * 1.04 ** 2 + 460 * 1.06 ** 2}[year]
    settlement_rate = 3600 if year < 2025 else 4300  # rate_from 2023: 3600, 2025: 4300
    return irrigated * 500 + 1500 * 120 + 900 * 80 + 8500 * 30 + settlement * settlement_rate


def patents_accrued_som(year: int) -> float:
    """Patents accrued, som: each kind's count as counted (2023-2025), later grown at its mean
    growth 2021-2025; x its rate (raised by a quarter from 2025). Construction pays none."""
    kinds = {"retail": ((150, 180, 195, 215), 9000, 11250), "catering": ((35, 44, 48, 55), 14000, 17500),
             "household_services": ((80, 95, 103, 112), 6000, 7500), "transport": ((60, 72, 78, 86), 8000, 10000),
             "crafts": ((30, 34, 36, 38), 4000, 5000)}
    total = 0.0
    for (first, *counted), rate, rate_2025 in kinds.values():  # 2021, then 2023, 2024, 2025
        last = counted[-1]
        count = counted[year - 2023] if year <= 2025 else last * (last / first) ** ((year - 2025) / 4)
        total += count * (rate_2025 if year >= 2025 else rate)
    return total


@pytest.fixture(scope="module")
def result():
    return forecast_budget(WITH_BASES)


@pytest.fixture(scope="module")
def history_result():
    return forecast_budget(HISTORY)


def row(result, line):
    return [ln for _, ln in result.lines].index(line)


def test_hand_worked_accruals_match_the_base():
    assert land_tax_accrued_som(2023) == pytest.approx(17_485_000)
    assert land_tax_accrued_som(2025) == pytest.approx(5_200_000 + 507_000 + 16_383_000)
    assert patents_accrued_som(2024) == pytest.approx(195 * 9000 + 48 * 14000 + 103 * 6000 + 78 * 8000 + 36 * 4000)


def test_land_tax_is_accrued_times_collection_by_hand(result):
    # collection: the mean of executed / accrued over the last three history years
    ratios = [LAND_TAX[y] / (land_tax_accrued_som(y) / 1000) for y in (2023, 2024, 2025)]
    collection = sum(ratios) / 3
    base = result.from_base("land_tax")
    assert base.collection_years == (2023, 2024, 2025)
    assert base.ratios == pytest.approx(ratios, rel=1e-12)
    assert base.collection == pytest.approx(collection, rel=1e-12)
    i = row(result, "land_tax")
    assert result.chosen[i] == FROM_BASE
    for k, year in enumerate((2026, 2027)):
        # som -> thousand som
        assert result.point[i, k] == pytest.approx(land_tax_accrued_som(year) / 1000 * collection, abs=MONEY)


def test_patents_are_accrued_times_collection_by_hand(result):
    collection = np.mean([PATENTS[y] / (patents_accrued_som(y) / 1000) for y in (2023, 2024, 2025)])
    i = row(result, "patents")
    assert result.chosen[i] == FROM_BASE
    for k, year in enumerate((2026, 2027, 2028)):
        assert result.point[i, k] == pytest.approx(patents_accrued_som(year) / 1000 * collection, abs=MONEY)


def test_other_lines_and_the_spread_are_those_of_the_history(result, history_result):
    for i, (section, line) in enumerate(result.lines):
        # the spread of a line from its base is the one its history backtest measured
        assert result.sigma_by_year[i] == pytest.approx(history_result.sigma_by_year[i], abs=0)
        if line not in ("land_tax", "patents"):
            assert result.point[i] == pytest.approx(history_result.point[i], abs=0)
            assert result.chosen[i] == history_result.chosen[i]
    assert history_result.from_base("land_tax") is None and history_result.bases is None


def test_a_scenario_change_applies_on_top_of_the_base(result):
    """land_tax_rate: land tax +20 % from 2027; new_taxpayer: +1 200 a year (not indexed)."""
    i = row(result, "land_tax")
    rate = forecast_budget(WITH_BASES, "land_tax_rate")
    assert rate.point[i, 0] == pytest.approx(result.point[i, 0], abs=MONEY)  # 2026 untouched
    assert rate.point[i, 1:] == pytest.approx(result.point[i, 1:] * 1.2, abs=MONEY)
    taxpayer = forecast_budget(WITH_BASES, "new_taxpayer")
    assert taxpayer.point[i, 1:] == pytest.approx(result.point[i, 1:] + 1200, abs=MONEY)


def test_a_line_from_its_base_follows_residents_but_not_prices(result):
    """slow_growth: residents grow 0.5 % a year instead of 2.5 % and prices faster; patents
    (population elasticity 1 in the file) follow the residents only: their rates are in som."""
    slow = forecast_budget(WITH_BASES, "slow_growth")
    i = row(result, "patents")
    years = np.arange(1, len(result.forecast_years) + 1)
    residents = (1.005 / 1.025) ** years
    assert slow.point[i] == pytest.approx(result.point[i] * residents, rel=1e-9)
    # a line forecast from its history follows the prices (CPI elasticity 1 unless given)
    j = row(result, "property_tax")
    assert not np.allclose(slow.point[j], result.point[j])


def copy_folder(tmp_path):
    for name in ("budget.yaml", "economic_base.yaml", "budget_with_bases.yaml"):
        shutil.copy(FOLDER / name, tmp_path / name)
    return tmp_path


def edit_base(folder, change):
    path = folder / "economic_base.yaml"
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    change(data)
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")


def test_a_rate_from_a_year_moves_the_forecast_from_that_year(tmp_path, result):
    """The settlement land rate raised to 5 000 som a hectare from 2027: the land tax moves
    by the settlement area x 700 som x the same collection (history years untouched)."""
    folder = copy_folder(tmp_path)
    edit_base(folder, lambda d: d["revenue_bases"]["land_tax"][4]["rate_from"].update({2027: 5000}))
    moved = forecast_budget(folder / "budget_with_bases.yaml")
    i = row(result, "land_tax")
    collection = result.from_base("land_tax").collection
    assert moved.from_base("land_tax").collection == pytest.approx(collection, rel=1e-12)
    assert moved.point[i, 0] == pytest.approx(result.point[i, 0], abs=MONEY)
    settlement_2027 = 3350 * 1.04 ** 2 + 460 * 1.06 ** 2
    assert moved.point[i, 1] - result.point[i, 1] == pytest.approx(settlement_2027 * 700 / 1000 * collection,
                                                                   abs=MONEY)


def test_collection_is_measured_on_counted_years_only(tmp_path):
    """A base counted to 2024 beside a budget executed to 2025: 2025's accrual is a forecast of
    the base, not a count, so the collection is measured on 2022-2024 (before the fix, 2025's
    forecast accrual was taken as known: collection years 2023-2025)."""
    folder = copy_folder(tmp_path)

    def to_2024(d):
        d["year"] = 2024
        for field, counts in (("land", "area"), ("livestock", "heads"), ("businesses", "count")):
            for entry in d[field]:
                entry[counts].pop(2025)

    edit_base(folder, to_2024)
    moved = forecast_budget(folder / "budget_with_bases.yaml")
    land = moved.from_base("land_tax")
    assert land.collection_years == (2022, 2023, 2024)
    # 2022: irrigated 6 100 + 4 750 ha x 400, settlement 2 600 + 340 ha x 2 800, the rest as in 2023
    accrued_2022 = 10_850 * 400 + 1500 * 120 + 900 * 80 + 8500 * 30 + 2_940 * 2_800
    assert accrued_2022 == 13_079_000
    assert land.ratios == pytest.approx([11906.5 / 13_079.0, LAND_TAX[2023] / 17_485.0, LAND_TAX[2024] / 18_454.0],
                                        rel=1e-12)


def test_the_provenance_lists_the_economic_base(result):
    inputs = [(f.role, f.path.name, f.sha256) for f in result.provenance.inputs]
    assert inputs == [("scenario", "budget_with_bases.yaml", sha(WITH_BASES)),
                      ("baseline", "budget.yaml", sha(HISTORY)),
                      ("economic_base", "economic_base.yaml", sha(FOLDER / "economic_base.yaml"))]


def sha(path):
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_the_exports_say_the_line_came_from_the_base(result):
    data = json.loads(to_json(result, "en"))
    assert data["economic_base"] == "economic_base.yaml"
    lines = {ln["line"]: ln for ln in data["lines"]}
    land = lines["land_tax"]
    assert land["method"] == FROM_BASE and land["method_label"] == "from the economic base"
    assert land["from_base"]["collection"] == pytest.approx(result.from_base("land_tax").collection, abs=1e-6)
    assert land["from_base"]["collection_years"] == [2023, 2024, 2025]
    assert "collection" in land["from_base"]["text"] and lines["property_tax"]["from_base"] is None
    for lang, words in (("ru", "собираемость"), ("ky", "чогултулушу"), ("en", "collection")):
        text = to_text(result, lang)
        assert words in text and "economic_base.yaml" in text
    ky = to_text(result, "ky")
    assert "Жер салыгы: economic_base.yaml экономикалык базасы боюнча болжол" in ky
    import csv
    import io

    rows = {r["line"]: r for r in csv.DictReader(io.StringIO(to_csv(result, "ru")))}
    assert rows["land_tax"]["method"] == FROM_BASE and rows["property_tax"]["collection"] == ""
    assert float(rows["land_tax"]["collection"]) == pytest.approx(result.from_base("land_tax").collection, abs=1e-6)


# --- problems between the budget and its base ----------------------------------------------------


def problems(folder, name="budget_with_bases.yaml"):
    with pytest.raises(ScenarioError) as info:
        load_budget(folder / name)
    return info.value


def test_a_line_that_is_no_budget_revenue_line_is_named_with_both_files(tmp_path):
    folder = copy_folder(tmp_path)
    edit_base(folder, lambda d: d["revenue_bases"].update({"land_taks": d["revenue_bases"]["land_tax"]}))
    err = problems(folder)
    assert err.file.endswith("budget_with_bases.yaml")
    assert [(p.path, p.key, p.value) for p in err.problems] == [(("bases",), "eb_line_unknown", "land_taks")]
    text = err.render("ru")
    assert "поле bases" in text and "economic_base.yaml" in text and "revenue_bases.land_taks" in text


def test_a_line_missing_from_the_budget_or_forecast_twice_is_named(tmp_path):
    folder = copy_folder(tmp_path)
    edit_base(folder, lambda d: d["revenue_bases"].update({"vehicle_tax": d["revenue_bases"]["patents"]}))
    (folder / "v.yaml").write_text("variant_of: budget_with_bases.yaml\nchanges:\n  methods: {land_tax: naive}\n"
                                   "  fixed: {patents: {values: {2026: 5000}, source: budget_reports}}\n",
                                   encoding="utf-8")
    err = problems(folder, "v.yaml")
    assert [(p.path, p.key, p.value) for p in err.problems] == [
        (("bases",), "eb_line_not_in_budget", "vehicle_tax"),
        (("methods", "land_tax"), "eb_line_also_method", "land_tax"),
        (("fixed", "patents"), "eb_line_also_fixed", "patents")]
    assert "revenue_bases.vehicle_tax" in err.render("en")


def test_a_base_counted_only_after_the_history_has_no_collection(tmp_path):
    folder = copy_folder(tmp_path)

    def later(d):
        d["year"] = 2027
        for field, counts in (("land", "area"), ("livestock", "heads"), ("businesses", "count")):
            for entry in d[field]:
                entry[counts] = {2026: entry[counts][2025], 2027: entry[counts][2025]}

    edit_base(folder, later)
    err = problems(folder)
    assert [(p.key, p.value) for p in err.problems] == [("eb_no_collection_years", "land_tax"),
                                                         ("eb_no_collection_years", "patents")]
    assert "2026–2027" in err.render("en")


def test_a_missing_base_file_and_a_base_file_with_its_own_problem_are_named(tmp_path):
    folder = copy_folder(tmp_path)
    (folder / "economic_base.yaml").unlink()
    err = problems(folder)
    assert [(p.path, p.key, p.value) for p in err.problems] == [
        (("bases",), "reference_missing", "economic_base.yaml")]
    shutil.copy(FOLDER / "economic_base.yaml", folder / "economic_base.yaml")
    edit_base(folder, lambda d: d["revenue_bases"]["land_tax"][0].update({"of": "orchards"}))
    err = problems(folder)
    assert err.file.endswith("economic_base.yaml")  # the base file's own problem names that file
    assert [(p.path, p.key) for p in err.problems] == [(("revenue_bases", "land_tax", 0, "of"), "eb_base_unknown_land")]


def test_a_base_outside_the_budgets_folder_is_refused(tmp_path):
    inner = tmp_path / "budget"
    inner.mkdir()
    copy_folder(inner)
    shutil.move(inner / "economic_base.yaml", tmp_path / "economic_base.yaml")
    (inner / "budget_with_bases.yaml").write_text(
        "variant_of: budget.yaml\nchanges:\n  bases: ../economic_base.yaml\n", encoding="utf-8")
    err = problems(inner)
    assert [(p.path, p.key) for p in err.problems] == [(("bases",), "reference_outside")]


def test_a_variant_in_another_folder_finds_the_base(tmp_path):
    folder = copy_folder(tmp_path)
    (folder / "variants").mkdir()
    (folder / "variants/v.yaml").write_text("variant_of: ../budget_with_bases.yaml\nchanges: {}\n", encoding="utf-8")
    from okmo_models.references import wider_root

    with wider_root(folder):  # the baseline lies above the variant's folder
        assert forecast_budget(folder / "variants/v.yaml").from_base("land_tax") is not None

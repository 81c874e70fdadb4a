"""The comparison of many municipalities (okmo_models.compare): figures checked by hand on
the bundled examples and on a folder of variants of Ak-Bulak's water tariff."""

from __future__ import annotations

import csv
import io
import json
import re

import pytest
import yaml

from okmo_models.compare import compare
from okmo_models.compare.export import to_csv, to_json, to_text
from okmo_models.compare.rules import default_rules, parse_rules
from okmo_models.examples import example_path
from okmo_models.i18n import LANGUAGES, t
from okmo_models.kinds import plan_files

EXAMPLES = example_path("ak-bulak/water.yaml").parent.parent


@pytest.fixture(scope="module")
def examples():
    return compare([EXAMPLES])


def _row(c, name: str):
    return next(r for r in c.rows if r["file"].endswith(name))


WATER = (EXAMPLES / "ak-bulak" / "water.yaml").read_text("utf-8")
REGION = ('  region: {ru: "Тестовый район, Чуйская область", ky: "Чүй облусу, Тест району", '
          'en: "Test district, Chui region"}\n')


def _variant(director_price: str | None = None, region: bool = False) -> str:
    text = WATER
    if director_price:
        text = text.replace("salary: 22 000 som/month", f"salary: {director_price} som/month", 1)
        assert text != WATER
    if region:
        head, sep, rest = text.partition("\nservice: water")
        text = head + "\n" + REGION.rstrip("\n") + sep + rest
    return text


@pytest.fixture(scope="module")
def folder(tmp_path_factory):
    """Four water tariffs (Ak-Bulak as it is, in a stated region, with a dearer director, and
    with a director paid so much that its cost per m³ stands out) and one broken file."""
    root = tmp_path_factory.mktemp("compare")
    files = {"plain/water.yaml": _variant(), "region/water.yaml": _variant(region=True),
             "mid/water.yaml": _variant("40 000"), "dear/water.yaml": _variant("300 000"),
             "broken/water.yaml": "schema_version: 1\nservice: water\ntariff_year: 2027\n",
             "notes/readme.yaml": "title: not a plan file\n"}
    for name, text in files.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(text, "utf-8")
    return root


@pytest.fixture(scope="module")
def variants(folder):
    return compare([folder])


# --- the bundled examples ------------------------------------------------------------------------


def test_nothing_found_is_lost(examples):
    found = plan_files(EXAMPLES)
    assert examples.found == len(found) == 16
    assert len(examples.rows) + len(examples.failures) + len(examples.skipped) == len(found)
    assert (len(examples.tariff_rows), len(examples.budget_rows), len(examples.programme_rows)) == (4, 4, 2)
    assert not examples.failures
    assert sorted(s.kind for s in examples.skipped) == ["economic_base"] * 2 + ["monitoring"] * 2 + ["passport"] * 2


def test_tariff_rows_are_the_tariffs_own_figures_worked_by_hand(examples):
    from okmo_models.tariff import calculate_tariff

    waste = _row(examples, "teploklyuchenka/waste.yaml")
    r = calculate_tariff(EXAMPLES / "teploklyuchenka" / "waste.yaml")
    assert waste["service"] == "waste" and waste["base_unit"] == "m3" and waste["category"] == "households"
    assert waste["cost_per_base_unit_som"] == pytest.approx(r.costs_som / r.total_volume, abs=0.005)
    assert waste["requirement_per_base_unit_som"] == pytest.approx(r.revenue_requirement_som / r.total_volume, abs=0.005)
    assert waste["tariff_per_base_unit_som"] == 174.98 and waste["household_bill_som"] == pytest.approx(100.72, abs=0.005)
    # the path's first step is proposed: 62,50 som a household a month (from 50 today)
    assert (waste["proposed_tariff_som"], waste["current_tariff_som"]) == (62.5, 50.0)
    # collection: cash over accruals at the proposed tariffs, 65 %, 95 % and 80 % by category
    units = {c.id: c.billing_units_per_year for c in r.tariffs}
    proposed = {"households": 62.5, "budget": 174.98, "business": 262.45}
    rates = {"households": 0.65, "budget": 0.95, "business": 0.80}
    accrued = sum(proposed[k] * units[k] for k in proposed)
    assert waste["collection_rate"] == pytest.approx(sum(proposed[k] * units[k] * rates[k] for k in proposed)
                                                     / accrued)
    assert waste["cost_recovery_proposed"] == pytest.approx(accrued / r.revenue_requirement_som)
    today = 50 * units["households"] + 120 * units["budget"] + 200 * units["business"]
    assert waste["cost_recovery_current"] == pytest.approx(today / r.revenue_requirement_som)
    # the budget pays the path's subsidy and the Social Passport discounts: 15 180 residents
    assert (waste["subsidy_som"], waste["budget_discounts_som"], waste["residents"]) == \
        pytest.approx((1_582_537.23, 89_250.0, 15_180))
    assert waste["subsidy_per_resident_som"] == pytest.approx((1_582_537.23 + 89_250.0) / 15_180, abs=0.005)
    assert (waste["affordability_share_above"], waste["affordability_threshold"]) == (0.0, 0.015)
    assert not waste["variant"] and not waste["missing"]

    water = _row(examples, "ak-bulak/water.yaml")
    assert water["residents"] == 4650 + 1550.5  # unmetered and metered households' persons
    assert water["subsidy_per_resident_som"] == pytest.approx(615_803.8 / 6200.5, abs=0.005)
    assert water["region"] is None


def test_a_figure_a_tariff_cannot_give_is_none_with_its_reason(examples):
    bath = _row(examples, "dipping_bath.yaml")
    assert bath["base_unit"] == "head" and bath["tariff_per_base_unit_som"] == 13.0
    assert bath["household_bill_som"] is None and bath["subsidy_per_resident_som"] is None
    assert bath["affordability_share_above"] is None
    assert bath["missing"] == {"household_bill_som": "cmp_missing_no_household_bill",
                               "affordability_share_above": "cmp_missing_no_affordability",
                               "affordability_threshold": "cmp_missing_no_affordability",
                               "residents": "cmp_missing_no_residents",
                               "subsidy_per_resident_som": "cmp_missing_no_residents"}
    landfill = _row(examples, "shared_landfill.yaml")
    assert landfill["cost_recovery_current"] is None
    assert landfill["missing"]["cost_recovery_current"] == "cmp_missing_no_current_tariff"
    d = examples.to_dict("ru")
    shown = next(r for r in d["tariffs"] if r["file"].endswith("dipping_bath.yaml"))
    assert shown["missing"]["household_bill_som"]["text"] == t("cmp_missing_no_household_bill", "ru")


def test_budget_and_programme_rows(examples):
    from okmo_models.kinds import KINDS

    kok = _row(examples, "kok-jar/budget.yaml")
    b = KINDS["budget"].compute(EXAMPLES / "kok-jar" / "budget.yaml")
    first = {ln: v * 1000 for (sec, ln), v in zip(b.lines, b.point[:, 0]) if sec == "revenue"}  # thousand som
    revenue = sum(first.values())
    residents = b.population[len(b.years)]  # the first forecast year, 2026
    assert kok["year"] == 2026 and kok["residents"] == pytest.approx(residents) and kok["residents_from"] == "budget"
    assert kok["revenue_per_resident_som"] == pytest.approx(revenue / residents, abs=0.005)
    assert kok["own_revenue_share"] == pytest.approx(1 - first["equalisation_grant"] / revenue)
    wages = next(v for (sec, ln), v in zip(b.lines, b.point[:, 0]) if ln == "wages") * 1000
    assert kok["spending_per_resident_som"]["wages"] == pytest.approx(wages / residents, abs=0.005)

    programme = _row(examples, "teploklyuchenka/programme.yaml")
    # the draft's four measures: 9 500 + (18 000 + 24 000 + 20 000) + 4 200 + 420 thousand som
    assert programme["measures"] == 4
    assert programme["cost_som"] == pytest.approx(76_120_000, abs=0.005)
    assert programme["beneficiaries"] == 15_180 + 15_180 + 8_000 + 3_000
    assert programme["cost_per_beneficiary_som"] == pytest.approx(76_120_000 / 41_360, abs=0.005)


def test_a_variant_is_shown_but_not_among_the_peers(examples):
    variant = _row(examples, "budget_with_bases.yaml")
    assert variant["variant"]
    stat = next(s for s in examples.stats if s.table == "budgets" and s.figure == "revenue_per_resident_som"
                and s.peers == "all")
    assert stat.n == 3  # Alamudun, Kok-Jar, Teploklyuchenka: not Alamudun's what-if
    assert examples.position(variant, "revenue_per_resident_som") is None


def test_peer_groups_by_service_and_region(examples):
    waste = [s for s in examples.stats if s.table == "tariffs" and s.figure == "cost_per_base_unit_som"
             and s.peers == "service" and s.key == ("waste", "m3")]
    assert len(waste) == 1 and waste[0].n == 2  # waste.yaml and the shared landfill
    values = sorted(_row(examples, n)["cost_per_base_unit_som"] for n in ("/waste.yaml", "shared_landfill.yaml"))
    lo, hi = values
    assert waste[0].median == pytest.approx((lo + hi) / 2)
    assert waste[0].q1 == pytest.approx(lo + 0.25 * (hi - lo)) and waste[0].q3 == pytest.approx(lo + 0.75 * (hi - lo))
    # Ak-Bulak states no region: its own group, named so
    water = next(s for s in examples.stats if s.table == "tariffs" and s.figure == "cost_per_base_unit_som"
                 and s.peers == "service_region" and s.key[0] == "water")
    assert water.key == ("water", "m3", None) and water.region is None
    d = examples.to_dict("en")
    assert next(r for r in d["tariffs"] if r["service"] == "water")["region"] == "region not stated"


# --- a folder of variants ---------------------------------------------------------------------------


def test_broken_file_is_reported_with_its_path_and_nothing_is_lost(variants, folder):
    assert variants.found == len(plan_files(folder)) == 5  # readme.yaml is not a plan file
    assert len(variants.rows) == 4 and len(variants.failures) == 1 and not variants.skipped
    failure = variants.failures[0]
    assert failure.file == folder / "broken" / "water.yaml" and failure.kind == "tariff"
    for lang in LANGUAGES:
        assert failure.message(lang)
    d = variants.to_dict("ky")
    assert d["failures"][0]["message"] == failure.message("ky")
    assert d["counts"] == {"found": 5, "rows": 4, "failures": 1, "skipped": 0}


def test_median_and_quartiles_against_a_hand_computation(variants):
    rows = variants.tariff_rows
    values = sorted(r["cost_per_base_unit_som"] for r in rows)
    assert len(values) == 4 and values[0] == values[1]  # Ak-Bulak as it is, twice
    v0, v1, v2, v3 = values
    # linear interpolation (type 7): the quantile q at position q x (n - 1) of the sorted values
    q1, median, q3 = v0 + 0.75 * (v1 - v0), v1 + 0.5 * (v2 - v1), v2 + 0.25 * (v3 - v2)
    stat = next(s for s in variants.stats if s.figure == "cost_per_base_unit_som" and s.peers == "service")
    assert (stat.n, stat.q1, stat.median, stat.q3) == (4, pytest.approx(q1), pytest.approx(median), pytest.approx(q3))
    assert (stat.min, stat.max) == (v0, v3)
    # the region group: one member
    regional = [s for s in variants.stats if s.figure == "cost_per_base_unit_som" and s.peers == "service_region"]
    assert sorted(s.n for s in regional) == [1, 3]


def test_the_dear_tariff_stands_out_with_its_reason_and_position(variants):
    dear = _row(variants, "dear/water.yaml")
    median = next(s for s in variants.stats if s.figure == "cost_per_base_unit_som" and s.peers == "service").median
    assert dear["cost_per_base_unit_som"] > 2 * median
    flagged = [o for o in variants.outliers if o.rule.id == "cost_above_twice_median"]
    assert [o.row["file"] for o in flagged] == [dear["file"]]
    o = flagged[0]
    assert o.median == median and o.threshold == 2 * median
    assert o.ratio == pytest.approx(dear["cost_per_base_unit_som"] / median)
    p = variants.position(dear, "cost_per_base_unit_som")
    assert (p.rank, p.n, p.quartile) == (4, 4, 4)
    plain = variants.position(_row(variants, "plain/water.yaml"), "cost_per_base_unit_som")
    assert (plain.rank, plain.quartile) == (1, 1)  # ties share the lowest rank
    d = variants.to_dict("ru")
    row = next(r for r in d["tariffs"] if r["file"].endswith("dear/water.yaml"))
    assert "cost_above_twice_median" in row["outliers"]
    assert row["positions"]["cost_per_base_unit_som"]["service"] == {"rank": 4, "n": 4, "quartile": 4}
    text = next(x for x in d["outliers"] if x["rule"] == "cost_above_twice_median")["text"]
    assert "медианы" in text and t("cmp_rule_cost_above_twice_median", "ru") in text


def test_the_same_comparison_through_a_process_pool(variants, folder):
    pooled = compare([folder], executor="process", workers=2)
    a, b = variants.to_dict("en"), pooled.to_dict("en")
    assert a == b


def test_progress_is_reported_for_every_file_computed(folder):
    seen = []
    c = compare([folder / "plain", folder / "broken" / "water.yaml"],
                progress=lambda done, total, outcome: seen.append((done, total)))
    assert seen == [(1, 2), (2, 2)] and len(c.rows) == 1 and len(c.failures) == 1


def test_a_file_named_twice_is_compared_once(folder):
    c = compare([folder / "plain", folder / "plain" / "water.yaml"])
    assert c.found == 1 and len(c.rows) == 1


# --- outputs ---------------------------------------------------------------------------------------


def test_json_contract(variants):
    d = json.loads(to_json(variants, "en"))
    assert d["schema"] == "okmo-compare/1" and d["quantile_method"] == "linear" and d["language"] == "en"
    assert {i["role"] for i in d["inputs"]} == {"plan"} and len(d["inputs"]) == 4
    assert [r["id"] for r in d["rules"]] == [r.id for r in default_rules()]
    row = d["tariffs"][0]
    for key in ("municipality", "region", "region_key", "service", "year", "base_unit", "household_bill_som",
                "tariff_per_base_unit_som", "cost_per_base_unit_som", "requirement_per_base_unit_som",
                "collection_rate", "cost_recovery_current", "cost_recovery_proposed", "affordability_share_above",
                "subsidy_per_resident_som", "missing", "positions", "outliers", "variant", "sha256"):
        assert key in row
    assert d["budgets"] == [] and d["programmes"] == []


def test_csv_has_a_line_per_figure_and_the_failure(variants):
    lines = list(csv.DictReader(io.StringIO(to_csv(variants, "en"))))
    dear = [x for x in lines if x["file"].endswith("dear/water.yaml") and x["figure"] == "cost_per_base_unit_som"]
    assert len(dear) == 1 and dear[0]["rank"] == "4" and dear[0]["peers_n"] == "4" and dear[0]["unit"] == "som/m3"
    assert "median" in dear[0]["outlier"]
    assert float(dear[0]["value"]) == _row(variants, "dear/water.yaml")["cost_per_base_unit_som"]
    failures = [x for x in lines if x["table"] == "failure"]
    assert len(failures) == 1 and failures[0]["file"].endswith("broken/water.yaml") and failures[0]["missing"]


@pytest.mark.parametrize("lang", LANGUAGES)
def test_text_in_each_language(variants, lang):
    text = to_text(variants, lang)
    assert t("cmp_title", lang) in text and t("cmp_failures_title", lang) in text
    assert t("cmp_rule_cost_above_twice_median", lang) in text
    assert "broken/water.yaml" in text
    assert t("cmp_counts", lang, found=5, rows=4, failures=1, skipped=0) in text


def test_tables_name_their_columns_and_hold_numbers(variants):
    tables = variants.tables("ky")
    assert set(tables) == {"tariffs", "budgets", "programmes", "stats", "positions", "outliers", "failures", "skipped"}
    tariffs = tables["tariffs"]
    assert len(tariffs) == 4 and tariffs["cost_per_base_unit_som"].dtype.kind == "f"
    assert tariffs.loc[tariffs["file"].str.endswith("region/water.yaml"), "region"].item() == "Чүй облусу, Тест району"
    assert len(tables["failures"]) == 1


# --- rules and messages ----------------------------------------------------------------------------


def test_every_rule_is_valid_data_with_its_message():
    rules = default_rules()
    assert {r.id for r in rules} >= {"cost_above_twice_median", "collection_below"}
    for r in rules:
        assert set(r.source) == {"ru", "ky", "en"} and all(r.source.values())
        for lang in LANGUAGES:
            assert t("cmp_rule_" + r.id, lang) != "cmp_rule_" + r.id
    bad = {"rules": [{"id": "x", "table": "tariffs", "figure": "no_such_figure", "test": "above", "value": 1,
                      "unit": "share", "peers": "service", "min_peers": 1,
                      "source": {"ru": "a", "ky": "b", "en": "c"}}]}
    with pytest.raises(ValueError):
        parse_rules(bad)


def test_messages_in_three_languages_without_latin_in_ru_and_ky():
    from importlib import resources

    data = yaml.safe_load(resources.files("okmo_models").joinpath("locales/compare.yaml").read_text("utf-8"))
    products = {"Excel", "JSON", "CSV", "PDF", "Dask"}  # names of things, written as their makers do
    typed = {"output", "peers", "tcp", "local"}  # what a user types on the command line, in its help only
    for key, entry in data.items():
        assert set(entry) == {"ru", "ky", "en"}, key
        for lang in ("ru", "ky"):
            words = re.findall(r"[A-Za-z]+", re.sub(r"\{[a-z_]+\}", "", entry[lang]))
            assert set(words) <= products | (typed if key.startswith("cli_") else set()), (key, lang, words)


def test_the_same_comparison_on_a_dask_local_cluster(variants, folder):
    pytest.importorskip("distributed")
    on_dask = compare([folder], scheduler="local", workers=2)
    assert on_dask.to_dict("en") == variants.to_dict("en")


def test_a_file_may_name_another_anywhere_in_the_folder_named(tmp_path):
    """A tariff in a subfolder depreciates the passport one level up: allowed within the
    folder the user named, as okmo batch allows it (the worker widens the readable root)."""
    teplo = EXAMPLES / "teploklyuchenka"
    (tmp_path / "tariffs").mkdir()
    (tmp_path / "passport.yaml").write_bytes((teplo / "passport.yaml").read_bytes())
    waste = (teplo / "waste.yaml").read_text("utf-8").replace("assets_from: passport.yaml",
                                                             "assets_from: ../passport.yaml")
    (tmp_path / "tariffs" / "waste.yaml").write_text(waste, "utf-8")
    c = compare([tmp_path])
    assert not c.failures and len(c.tariff_rows) == 1 and len(c.skipped) == 1
    expected = _row(compare([teplo / "waste.yaml"]), "waste.yaml")
    assert c.tariff_rows[0]["cost_per_base_unit_som"] == expected["cost_per_base_unit_som"]


def test_export_in_every_format(variants):
    from okmo_models.compare.export import FORMATS, export

    out = {fmt: export(variants, fmt, "en") for fmt in FORMATS}
    assert out["xlsx"][:2] == b"PK" and json.loads(out["json"])["schema"] == "okmo-compare/1"
    assert out["text"] == to_text(variants, "en") and out["csv"] == to_csv(variants, "en")


def _budget_without_population() -> str:
    text = (EXAMPLES / "alamudun" / "budget.yaml").read_text("utf-8")
    start, end = text.index("\npopulation:\n"), text.index("\n# Земельный налог")
    return re.sub(r"(?m)^\s*population_growth: .*\n", "", text[:start] + "\n" + text[end:])


def test_residents_of_a_budget_come_from_the_passport_beside_it_or_are_said_unknown(tmp_path):
    (tmp_path / "with").mkdir()
    (tmp_path / "without").mkdir()
    for folder in ("with", "without"):
        (tmp_path / folder / "budget.yaml").write_text(_budget_without_population(), "utf-8")
    (tmp_path / "with" / "passport.yaml").write_bytes((EXAMPLES / "alamudun" / "passport.yaml").read_bytes())
    c = compare([tmp_path])
    assert not c.failures and len(c.budget_rows) == 2
    with_passport, alone = _row(c, "with/budget.yaml"), _row(c, "without/budget.yaml")
    assert with_passport["residents"] == 30_500 + 8_800 + 14_000  # the passport's three settlements
    assert with_passport["residents_from"] == "passport"
    assert with_passport["revenue_per_resident_som"] == pytest.approx(with_passport["revenue_som"] / 53_300, abs=0.005)
    assert alone["residents"] is None and alone["revenue_per_resident_som"] is None
    assert alone["missing"]["revenue_per_resident_som"] == "cmp_missing_no_residents"
    assert alone["own_revenue_share"] == with_passport["own_revenue_share"]


def test_find_files_lists_the_paths_compared(folder):
    from okmo_models.compare import find_files

    found = find_files([folder, folder / "plain" / "water.yaml"])
    assert found == plan_files(folder) and all(isinstance(p, type(folder)) for p in found)


@pytest.mark.parametrize("name", ["alamudun", "kok-jar", "teploklyuchenka"])
def test_a_budget_is_compared_by_the_baseline_okmo_budget_shows(name):
    """The comparison forecasts the baseline alone (its scenarios are what-ifs, and cost most
    of the time); its figures must be the baseline of the full forecast, every line and year."""
    import numpy as np

    from okmo_models.plan_links import baseline_linked_budget, forecast_linked_budget

    path = EXAMPLES / name / "budget.yaml"
    alone, full = baseline_linked_budget(path), forecast_linked_budget(path)
    assert alone.lines == full.lines and alone.forecast_years == full.forecast_years
    assert np.array_equal(alone.point, full.point)
    assert (alone.population is None) == (full.population is None)
    if alone.population is not None:
        assert np.array_equal(alone.population, full.population)


@pytest.mark.parametrize("name", ["ak-bulak/water.yaml", "teploklyuchenka/waste.yaml",
                                  "teploklyuchenka/dipping_bath.yaml", "teploklyuchenka/shared_landfill.yaml"])
def test_a_tariffs_figures_read_as_okmo_tariff_publishes_them(name):
    """The same number everywhere: the comparison's figures are the tariff's JSON figures
    (money to the tyiyn), not its unrounded arithmetic (review of issue 21: 161.8279 against
    161.83, and statistics taken on decimals nobody sees)."""
    from okmo_models import calculate_tariff

    published = calculate_tariff(EXAMPLES / name).to_dict("en")
    [row] = compare([EXAMPLES / name]).tariff_rows
    assert row["household_bill_som"] == published["typical_household_bill_som"]
    assert row["cost_per_base_unit_som"] == published["unit_costs"][0]["cost_som"]
    assert row["requirement_per_base_unit_som"] == published["unit_costs"][0]["revenue_requirement_som"]
    assert row["requirement_som"] == published["revenue_requirement_som"]

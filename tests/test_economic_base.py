"""The economic base (kind: economic_base): counts by year, conventional heads, the pasture
load, base growth and the revenue accrued on it, worked by hand on the bundled Teploklyuchenka
example; the file's rules, each naming the field and the value; the exports."""

from __future__ import annotations

import copy
import csv
import io
import json

import numpy as np
import pytest
import yaml

from conftest import SCENARIOS
from okmo_models.economic_base import evaluate_economic_base
from okmo_models.economic_base.model import base_values, count_path, mean_growth
from okmo_models.errors import Key, ScenarioError
from okmo_models.kinds import KINDS, kind_of
from okmo_models.provenance import shown

TEPLO = SCENARIOS / "teploklyuchenka/economic_base.yaml"
ALAMUDUN = SCENARIOS / "alamudun/economic_base.yaml"


@pytest.fixture(scope="module")
def teplo():
    return evaluate_economic_base(TEPLO)


def at(result, year):
    return result.all_years.index(year)


def test_the_kind_is_registered_and_its_examples_compute():
    assert kind_of(TEPLO) is KINDS["economic_base"]
    for path in (TEPLO, ALAMUDUN):
        result = KINDS["economic_base"].compute(path)
        assert result.years[-1] == result.base.year and len(result.forecast_years) == result.base.horizon


def test_land_tax_is_area_times_rate_by_hand(teplo):
    # 2024, som: irrigated (2 100 households + 3 500 farms) x 800 (rate_from 2024), rainfed
    # 1 800 x 200, hayfields 1 200 x 120, settlement 660 x 3 000 (rate_from 2024)
    by_hand_2024 = 5_600 * 800 + 1_800 * 200 + 1_200 * 120 + 660 * 3_000
    assert by_hand_2024 == 6_964_000
    assert teplo.accrued("land_tax")[2024] == pytest.approx(by_hand_2024, abs=1e-6)
    # 2020: irrigated 2 100 + 3 400 at the first rates (650 and 2 400), settlement 620
    assert teplo.accrued("land_tax")[2020] == pytest.approx(5_500 * 650 + 360_000 + 144_000 + 620 * 2_400, abs=1e-6)
    # 2026, the last count: irrigated 2 100 + 3 540 x 920, settlement 680 x 3 500
    by_hand_2026 = 5_640 * 920 + 360_000 + 144_000 + 680 * 3_500
    assert teplo.accrued("land_tax")[2026] == pytest.approx(by_hand_2026, abs=1e-6)
    # forecast years: the areas held as in 2026 (no growth given), the 2026 rates
    assert teplo.accrued("land_tax")[2028] == pytest.approx(by_hand_2026, abs=1e-6)


def test_patents_and_the_pasture_fee_by_hand(teplo):
    # patents 2024: 45 shops x 14 000, 8 cafes x 18 000, 20 services x 7 000, 25 transport x
    # 12 000, 6 tourism x 24 000
    assert teplo.accrued("patents")[2024] == pytest.approx(
        45 * 14_000 + 8 * 18_000 + 20 * 7_000 + 25 * 12_000 + 6 * 24_000, abs=1e-6) == 1_358_000
    # non-tax revenue 2024: 63 000 conventional heads x 50 som + 900 ha of reserve land x 1 200 som
    assert teplo.accrued("non_tax_revenue")[2024] == pytest.approx(63_000 * 50 + 900 * 1_200, abs=1e-6)
    # 2026: 65 330 conventional heads (16 500 + 2 150 + 6 180 x 5 + 2 630 x 6) x 60 + 900 x 1 400
    assert teplo.accrued("non_tax_revenue")[2026] == pytest.approx(65_330 * 60 + 900 * 1_400, abs=1e-6)


def test_conventional_heads_and_the_pasture_load(teplo):
    v = teplo.values
    k = at(teplo, 2024)
    # 16 000 sheep x 1 + 2 000 goats x 1 + 6 000 cattle x 5 + 2 500 horses x 6 (seed_001 figures)
    assert v.conventional["cattle"][k] == 30_000 and v.conventional["horses"][k] == 15_000
    assert v.conventional_total[k] == 16_000 + 2_000 + 30_000 + 15_000 == 63_000
    # 63 000 conventional heads on 33 000 ha of pastures
    assert teplo.pasture_load()[2024] == pytest.approx(63_000 / 33_000, rel=1e-12)
    assert teplo.values.capacity == 2 and not v.overloaded()[k]
    assert teplo.base_by_year("livestock", "conventional")[2024] == 63_000
    assert teplo.base_by_year("livestock", "horses")[2024] == 2_500
    assert teplo.base_by_year("land", "pastures")[2024] == 33_000 and teplo.base_by_year("businesses", "retail")[2024] == 45
    assert v.conventional_total[at(teplo, 2026)] == 16_500 + 2_150 + 6_180 * 5 + 2_630 * 6 == 65_330
    assert 65_330 / 33_000 < 2  # the last count is within the carrying capacity
    # 2027, one year of each herd's mean growth (first 2020, last 2026, six steps)
    herds = {"sheep": (14_600, 16_500, 1), "goats": (1_700, 2_150, 1), "cattle": (5_500, 6_180, 5),
             "horses": (2_200, 2_630, 6)}
    total_2027 = sum(c * last * (last / first) ** (1 / 6) for first, last, c in herds.values())
    assert v.conventional_total[at(teplo, 2027)] == pytest.approx(total_2027, rel=1e-12)
    assert total_2027 / 33_000 > 2  # above the carrying capacity: flagged
    assert teplo.overloaded_years() == [2027, 2028, 2029]


def test_base_growth_is_the_mean_geometric_growth_and_land_is_held():
    assert mean_growth({2020: 2_200, 2021: 2_280, 2022: 2_350, 2023: 2_430, 2024: 2_500}) == pytest.approx(
        (2_500 / 2_200) ** 0.25 - 1, rel=1e-12)
    assert mean_growth({2023: 0, 2024: 5}) == 0.0  # no growth rate leads from nothing
    assert count_path({2023: 10, 2024: 20}, 0.1, [2022, 2024, 2026]).tolist()[1:] == pytest.approx([20, 24.2])
    result = evaluate_economic_base(TEPLO)
    assert result.values.growth[("livestock", "horses")] == pytest.approx((2_630 / 2_200) ** (1 / 6) - 1)
    assert result.values.growth[("land", "irrigated/farms")] == 0.0  # 3 400 -> 3 540, but land is held
    assert result.values.land[("irrigated", "farms")][at(result, 2029)] == 3_540


def test_a_given_growth_replaces_the_measured_one():
    result = evaluate_economic_base(ALAMUDUN)
    # settlement land of households: 3 350 ha in 2025, +4 % a year as the file gives
    assert result.values.land[("settlement", "households")][at(result, 2027)] == pytest.approx(3_350 * 1.04 ** 2)
    assert ("land", "settlement/households") in result.values.growth_given
    assert ("livestock", "sheep") not in result.values.growth_given
    # Alamudun's suburban pastures are overloaded already: 23 800 conventional heads on 8 500 ha
    assert result.pasture_load()[2025] == pytest.approx((6_000 + 1_200 + 2_600 * 5 + 600 * 6) / 8_500)
    assert 2025 in result.overloaded_years()


def test_a_year_before_a_count_is_unknown_and_so_is_its_sum(tmp_path):
    data = yaml.safe_load(TEPLO.read_text(encoding="utf-8"))
    data["land"][0]["area"] = {2023: 2_100, 2024: 2_100, 2025: 2_100, 2026: 2_100}  # counted from 2023 only
    path = write(tmp_path, data)
    result = evaluate_economic_base(path)
    assert result.years[0] == 2020
    # 2023: irrigated 2 100 + 3 480 x 720, settlement 650 x 2 700
    assert np.isnan(result.accrued("land_tax")[2022]) and result.accrued("land_tax")[2023] == pytest.approx(
        5_580 * 720 + 360_000 + 144_000 + 650 * 2_700, abs=1e-6)
    assert result.to_dict("en")["revenue"][0]["accrued"][at(result, 2022)] is None


def test_rate_from_applies_from_its_year():
    data = yaml.safe_load(TEPLO.read_text(encoding="utf-8"))
    data["revenue_bases"]["patents"][0]["rate_from"] = {2025: 15_000, 2027: 16_000}
    from okmo_models.economic_base.schema import EconomicBase

    values = base_values(EconomicBase.model_validate(data), [2024, 2025, 2026, 2027])
    assert values.rates["patents"][0].tolist() == [14_000, 15_000, 15_000, 16_000]
    # 2027: 49 shops grown one year at their mean growth 2020-2026 (38 -> 49), x 16 000
    assert values.accrued_terms["patents"][0][3] == pytest.approx(49 * (49 / 38) ** (1 / 6) * 16_000)


# --- the file's rules ----------------------------------------------------------------------------


def write(tmp_path, data, name="economic_base.yaml"):
    path = tmp_path / name
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path


def problems_of(tmp_path, change) -> list:
    data = copy.deepcopy(yaml.safe_load(TEPLO.read_text(encoding="utf-8")))
    change(data)
    with pytest.raises(ScenarioError) as info:
        KINDS["economic_base"].load(write(tmp_path, data))
    return info.value


def test_a_count_with_a_missing_year_is_named(tmp_path):
    err = problems_of(tmp_path, lambda d: d["livestock"][1]["heads"].pop(2022))
    assert [(p.path, p.key, p.value) for p in err.problems] == [
        (("livestock", 1, "heads", Key(2023)), "eb_years_gap", 2023)]
    text = err.render("ru")
    assert "livestock[2].heads.2023" in text and "предыдущий — 2021" in text


def test_a_count_not_ending_at_the_year_is_named(tmp_path):
    err = problems_of(tmp_path, lambda d: d["businesses"][0]["count"].pop(2026))
    assert [(p.path, p.key, p.value) for p in err.problems] == [(("businesses", 0, "count"), "eb_years_end", 2025)]
    assert "year: 2026" in err.render("en")


def test_a_term_on_a_base_the_file_does_not_count_is_named(tmp_path):
    def change(d):
        d["revenue_bases"]["land_tax"][1]["of"] = "orchards"
        d["revenue_bases"]["patents"][0]["of"] = "bakery"
        d["revenue_bases"]["non_tax_revenue"][0]["of"] = "yaks"

    err = problems_of(tmp_path, change)
    assert [(p.path, p.key, p.value) for p in err.problems] == [
        (("revenue_bases", "land_tax", 1, "of"), "eb_base_unknown_land", "orchards"),
        (("revenue_bases", "patents", 0, "of"), "eb_base_unknown_businesses", "bakery"),
        (("revenue_bases", "non_tax_revenue", 0, "of"), "eb_base_unknown_livestock", "yaks")]
    text = err.render("ky")
    assert "revenue_bases.land_tax[2].of" in text and "'orchards'" in text
    assert "sheep, goats, cattle, horses, conventional" in text


def test_livestock_needs_its_pastures(tmp_path):
    def change(d):
        del d["pastures"]
        d["land"] = [e for e in d["land"] if e["category"] != "pastures"]

    err = problems_of(tmp_path, change)
    assert [(p.path, p.key) for p in err.problems] == [(("pastures",), "eb_pastures_missing"),
                                                         (("land",), "eb_pasture_land_missing")]


def test_an_entry_twice_a_falling_growth_and_an_unknown_source_are_named(tmp_path):
    def change(d):
        d["livestock"].append(copy.deepcopy(d["livestock"][0]))
        d["businesses"][0]["growth"] = "-100 %"
        d["land"][0]["source"] = "nowhere"

    err = problems_of(tmp_path, change)
    assert [(p.path, p.key, p.value) for p in err.problems] == [
        (("businesses", 0, "growth"), "eb_growth_range", "-100 %"),
        (("livestock", 4), "eb_entry_twice", "sheep"),
        (("land", 0, "source"), "source_unknown", "nowhere")]


def test_negative_counts_and_rates_are_refused_by_the_schema(tmp_path):
    def change(d):
        d["land"][0]["area"][2024] = -5
        d["revenue_bases"]["land_tax"][0]["rate"] = -1

    err = problems_of(tmp_path, change)
    assert {p.path for p in err.problems} == {("land", 0, "area", 2024), ("revenue_bases", "land_tax", 0, "rate")}


# --- exports -------------------------------------------------------------------------------------


def test_text_in_kyrgyz_names_the_overload_and_marks_the_forecast(teplo):
    text = KINDS["economic_base"].export(teplo, "table", "ky")
    assert "Жайыттарга жүктөм" in text and "2027, 2028, 2029-жылдары" in text
    assert "2027*" in text and "2026*" not in text and "* — болжол" in text
    assert "6\u00a0964\u00a0000" in text  # land tax 2024, som
    assert "Жер салыгы" in text and "шарттуу баш" in text
    for lang in ("ru", "en"):
        assert KINDS["economic_base"].export(teplo, "table", lang)


def test_json_opens_with_the_provenance_and_carries_the_figures(teplo):
    import hashlib

    data = json.loads(KINDS["economic_base"].export(teplo, "json", "en"))
    assert list(data)[:5] == ["schema", "package_version", "computed_on", "inputs", "parameters"]
    assert data["schema"] == "okmo-economic-base/1"
    assert data["inputs"] == [{"role": "scenario", "file": shown(TEPLO),
                               "sha256": hashlib.sha256(TEPLO.read_bytes()).hexdigest()}]
    k = data["years"].index(2024)
    assert data["conventional_heads"][k] == 63_000
    assert data["pastures"]["overloaded"] == [False] * 7 + [True] * 3
    assert data["pastures"]["ha_per_conventional_head"][k] == round(33_000 / 63_000, 4)
    land_tax = next(r for r in data["revenue"] if r["line"] == "land_tax")
    assert land_tax["accrued"][k] == 6_964_000 and land_tax["label"] == "Land tax"
    assert land_tax["terms"][0]["rate_from"] == {"2022": 720.0, "2024": 800.0, "2025": 850.0, "2026": 920.0}


def test_csv_has_one_row_per_item_and_year(teplo):
    rows = list(csv.DictReader(io.StringIO(KINDS["economic_base"].export(teplo, "csv", "ru"))))
    years = len(teplo.all_years)
    b = teplo.base
    items = (len(b.land) + 2 * len(b.livestock) + 1 + 2 + len(b.businesses)
             + sum(len(terms) + 1 for terms in b.revenue_bases.values()))
    assert len(rows) == items * years
    row = next(r for r in rows if r["section"] == "revenue" and r["item"] == "land_tax"
               and r["detail"] == "accrued" and r["year"] == "2024")
    assert float(row["value"]) == 6_964_000 and row["forecast"] == "False" and row["unit"] == "som"


def test_the_schema_accepts_the_examples_as_written_and_refuses_a_wrong_one():
    """An editor validating with the printed JSON Schema (``okmo schema economic_base``)
    accepts the bundled examples ("-2 %" growth, year keys) and refuses a broken file."""
    import jsonschema

    kind = KINDS["economic_base"]
    validator = jsonschema.Draft202012Validator(kind.output(kind.schema).model_json_schema())
    for path in (TEPLO, ALAMUDUN):
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        assert [e.message for e in validator.iter_errors(data)] == [], path.name
    assert list(validator.iter_errors({**data, "livestock": [{"species": "dragons"}]}))
    assert kind.validate(data, ALAMUDUN).year == 2025  # as the Excel import validates it

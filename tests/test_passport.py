"""The settlement passport (issue 19): its needs ranked by points worked out by hand, its
rules naming file, field and value, a next year's passport as a difference from last
year's, and a tariff's assets read from it instead of typed twice."""

from __future__ import annotations

import shutil

import pytest
import yaml

from conftest import SCENARIOS
from okmo_models.errors import ScenarioError
from okmo_models.kinds import KINDS
from okmo_models.passport import evaluate_passport
from okmo_models.tariff import calculate_tariff

TEPLO = SCENARIOS / "teploklyuchenka"


def test_needs_are_ranked_by_the_points_worked_out_by_hand():
    """Points of the Teploklyuchenka passport (priority: emergency 60, unsatisfactory 35,
    satisfactory 10, good 0; a full shortfall 30; failing the requirements 10)."""
    r = evaluate_passport(TEPLO / "passport.yaml")
    points = {n.object.id: n.points for n in r.needs}
    assert points["health_post"] == pytest.approx(60 + 30 * (60 - 40) / 60 + 10)  # 80.0
    assert points["water_network"] == pytest.approx(60 + 30 * (31 - 18) / 31)  # 72.58
    assert points["school"] == pytest.approx(35 + 30 * (1150 - 900) / 1150 + 10)  # 51.52
    assert points["street_lighting"] == pytest.approx(10 + 30 * 14 / 20)  # 31.0
    assert [n.object.id for n in r.needs][:4] == ["health_post", "water_network", "school", "roads"]
    # objects in good or satisfactory condition with capacity enough are not needs
    assert "garbage_truck" not in points and "dipping_bath" not in points
    # the works proposed first, summed: 9.5 + 62 + 38 + 11.2 + 6 + 4.2 + 14 + 0.42 million
    assert r.needs_cost() == pytest.approx(145_320_000)


def test_the_json_carries_the_figures_of_the_table():
    r = evaluate_passport(TEPLO / "passport.yaml")
    data = r.to_dict("ky")
    assert data["schema"] == "okmo-passport/1" and data["inputs"][0]["role"] == "scenario"
    first = data["needs"][0]
    assert (first["object"], first["points"], first["cost"]) == ("health_post", 80.0, 9_500_000)
    table = r.needs_table("ky")
    assert table.iloc[0].tolist()[0] == "1" and "80,0" in table.iloc[0].tolist()
    assert KINDS["passport"].export(r, "table", "ky").count("\n") > 20


def _copy(tmp_path):
    for f in TEPLO.iterdir():
        if f.is_file():
            shutil.copy(f, tmp_path / f.name)
    return tmp_path


def _edit(path, change):
    data = yaml.safe_load(path.read_text("utf-8"))
    change(data)
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), "utf-8")


def test_a_next_years_passport_is_a_difference_from_last_years(tmp_path):
    """The 2027 passport names only what changed (objects by id); the health post rebuilt in
    good condition leaves the needs, the school falling to emergency climbs."""
    folder = _copy(tmp_path)
    (folder / "passport_2027.yaml").write_text(
        "variant_of: passport.yaml\nchanges:\n  year: 2027\n  objects:\n"
        "    health_post: {condition: good, capacity: 60, meets_requirements: true, built: 2026}\n"
        "    school: {condition: emergency}\n", "utf-8")
    r = evaluate_passport(folder / "passport_2027.yaml")
    ids = [n.object.id for n in r.needs]
    assert "health_post" not in ids and ids[0] == "school"
    assert r.needs[0].points == pytest.approx(60 + 30 * 250 / 1150 + 10)
    assert [f.role for f in r.provenance.inputs] == ["scenario", "baseline"]


@pytest.mark.parametrize("change, field, key", [
    (lambda d: d["objects"][0].update(settlement="nowhere"), "objects[1].settlement", "pp_settlement_unknown"),
    (lambda d: d["objects"][0]["repairs"][0].update(year=1950), "objects[1].repairs[1].year", "pp_repair_year"),
    (lambda d: d["objects"][1].update(id="school"), "objects[2].id", "pp_object_twice"),
    (lambda d: d["objects"][0].pop("condition"), "objects[1].condition", "pp_condition_missing"),
    (lambda d: d["objects"][7].pop("useful_life"), "objects[8].useful_life", "pp_service_asset_field"),
    (lambda d: d["priority"]["condition"].pop("good"), "priority.condition.good", "pp_points_missing"),
])
def test_a_passport_problem_names_the_file_the_field_and_the_value(tmp_path, change, field, key):
    folder = _copy(tmp_path)
    _edit(folder / "passport.yaml", change)
    with pytest.raises(ScenarioError) as err:
        evaluate_passport(folder / "passport.yaml")
    problems = err.value.problems
    assert [p.key for p in problems] == [key]
    assert problems[0].field_path() == field
    text = err.value.render("ru")
    assert "passport.yaml" in text and field in text


def test_the_waste_tariff_depreciates_the_passports_objects_as_typed_before():
    """The eight objects of the waste service moved from waste.yaml to the passport; the
    2027 depreciation is still their straight-line charges, by hand: 3.5M/10 + 1.5M/15 +
    2M/15 + 1.2M/15 + 0 (ZIL 1 of 2015, 8 years: written off) + 0.6M/8 + 1.2M/15 + 0.38M/7."""
    r = calculate_tariff(TEPLO / "waste.yaml")
    by_hand = 350_000 + 100_000 + 2_000_000 / 15 + 80_000 + 0 + 75_000 + 80_000 + 380_000 / 7
    assert r.to_dict("ru")["path"]["depreciation_som"][0] == pytest.approx(by_hand, abs=0.01)
    assert [f.role for f in r.provenance.inputs] == ["scenario", "passport"]
    assert len(r.to_dict("ru")["assets"]) == 8


def test_a_tariff_reads_only_the_objects_it_names(tmp_path):
    folder = _copy(tmp_path)
    assets = calculate_tariff(folder / "shared_landfill.yaml").to_dict("en")["assets"]
    assert [a["name"] for a in assets] == ["New landfill (fence, access road)"]
    _edit(folder / "shared_landfill.yaml", lambda d: d.update(assets_from={"passport": "passport.yaml",
                                                                            "objects": ["no_such"]}))
    with pytest.raises(ScenarioError) as err:
        calculate_tariff(folder / "shared_landfill.yaml")
    assert err.value.problems[0].key == "assets_from_object_unknown"
    assert err.value.problems[0].field_path() == "assets_from.objects[1]"


def test_a_service_object_without_its_value_is_refused_in_the_passport(tmp_path):
    """The tariff does not invent a balance value: the passport and its object are named."""
    folder = _copy(tmp_path)
    _edit(folder / "passport.yaml", lambda d: d["objects"][7].pop("balance_value"))
    with pytest.raises(ScenarioError) as err:
        calculate_tariff(folder / "waste.yaml")
    assert err.value.file.endswith("passport.yaml")
    assert err.value.problems[0].field_path() == "objects[8].balance_value"


def test_a_needed_object_not_built_earns_the_points_for_not_built():
    """Alamudun's sewerage, the main need by seed 000, is not built: not built 60, a full
    shortfall 30, failing the sanitary rules 15 = 105, first of the needs."""
    r = evaluate_passport(SCENARIOS / "alamudun" / "passport.yaml")
    first = r.needs[0]
    assert first.object.id == "sewerage" and first.object.built is None
    assert first.points == pytest.approx(60 + 30 * 1.0 + 15)
    assert r.condition_counts()["not_built"] == 3


def test_a_passport_figure_is_read_with_the_passports_own_decimal_mark(tmp_path):
    """The tariff does not re-read a passport's figure its own way: "1 500 000,5" in a
    passport that writes decimal commas is 1 500 000,5 som (a comma read as a thousands
    separator would make it 15 million); a figure no one can read is refused in the passport."""
    folder = _copy(tmp_path)

    def comma(d):
        d["decimal_mark"] = ","
        d["objects"][7]["balance_value"] = "3 500 000,5"

    _edit(folder / "passport.yaml", comma)
    truck = calculate_tariff(folder / "waste.yaml").to_dict("ru")["assets"][0]
    assert truck["value_som"] == pytest.approx(3_500_000.5)
    _edit(folder / "passport.yaml", lambda d: d["objects"][7].update(balance_value="нет данных"))
    with pytest.raises(ScenarioError) as err:
        calculate_tariff(folder / "waste.yaml")
    assert err.value.file.endswith("passport.yaml")
    assert err.value.problems[0].field_path() == "objects[8].balance_value"


def test_a_tariff_reads_this_years_passport_a_variant_of_last_years(tmp_path):
    """Next year's passport names only what changed; a tariff that reads it gets last year's
    objects with this year's changes (before, it was refused as "not a passport")."""
    folder = _copy(tmp_path)
    (folder / "passport_2027.yaml").write_text(
        "variant_of: passport.yaml\nchanges:\n  year: 2027\n  objects:\n"
        "    garbage_truck: {balance_value: 3600000}\n", "utf-8")
    _edit(folder / "waste.yaml", lambda d: d.update(assets_from="passport_2027.yaml"))
    r = calculate_tariff(folder / "waste.yaml")
    assert r.to_dict("ru")["assets"][0]["value_som"] == pytest.approx(3_600_000)
    assert ("passport", "passport_2027.yaml") in {(f.role, f.path.name) for f in r.provenance.inputs}

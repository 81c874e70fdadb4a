"""A municipality folder as one model (issue 19): what a tariff asks of the budget reaches
the budget's line by reference, the programme is checked against the budget and the
passport, the passport's needs show whether a measure answers them, and a change in one
file shows up in the others through ``okmo check FOLDER`` and ``okmo overview``.

Figures: the waste tariff's subsidy and discounts are those of its draft decision
(tests/test_papers.py checks them against the calculation); the discounts are worked by
hand from the Social Passport groups of okmo_models/examples/teploklyuchenka/waste.yaml.
"""

from __future__ import annotations

import json
import re
import shutil

import pytest
import yaml

from conftest import SCENARIOS
from okmo_models.cli import main
from okmo_models.municipality.checks import check
from okmo_models.municipality.model import FolderError, evaluate_folder, read_folder
from okmo_models.municipality.overview import overview
from okmo_models.plan_links import forecast_linked_budget
from okmo_models.tariff import calculate_tariff
from okmo_models.tariff.budget_flows import budget_flows

TEPLO = SCENARIOS / "teploklyuchenka"


def copied(tmp_path, source=TEPLO, leave_out=()):
    for f in source.iterdir():
        if f.name in leave_out:
            continue
        if f.is_file():
            shutil.copy(f, tmp_path / f.name)
        else:  # the survey answers the monitoring file names, the registers
            shutil.copytree(f, tmp_path / f.name)
    return tmp_path


def edit(path, change):
    data = yaml.safe_load(path.read_text("utf-8"))
    change(data)
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), "utf-8")


def line(result, name):
    i = result.lines.index(("expenditure", name))
    return dict(zip(result.forecast_years, result.point[i]))


def test_the_waste_tariff_asks_the_budget_its_subsidy_and_the_discounts_worked_by_hand():
    flows = budget_flows(calculate_tariff(TEPLO / "waste.yaml"))
    # 2027: 60 lone pensioners and 70 families with disabled members at 50 % of 62,50, 180
    # families on "Үй-бүлөгө көмөк" at 30 %: 31,25 and 18,75 som a month, twelve months
    assert flows.discounts_som[0] == pytest.approx(60 * 31.25 * 12 + 180 * 18.75 * 12 + 70 * 31.25 * 12)
    # 2028 at the path's 78,12: 39,06 and 23,44 (rounded to the tyiyn as the bill shows them)
    assert flows.discounts_som[1] == pytest.approx(60 * 39.06 * 12 + 180 * 23.44 * 12 + 70 * 39.06 * 12)
    assert flows.subsidy_som[0] == pytest.approx(1_582_537.23, abs=0.005)  # the draft decision's
    assert flows.at(2026) is None and flows.at(2040) == (flows.subsidy_som[-1], flows.discounts_som[-1])


def test_the_budget_line_that_pays_for_the_tariff_is_the_tariffs_figures():
    budget = forecast_linked_budget(TEPLO / "budget.yaml")
    flows = budget_flows(calculate_tariff(TEPLO / "waste.yaml"))
    subsidies = line(budget, "subsidies_to_enterprises")
    for k, year in enumerate(flows.years):
        if year in subsidies:  # thousand som
            assert subsidies[year] == pytest.approx((flows.subsidy_som[k] + flows.discounts_som[k]) / 1000, abs=1e-9)
    assert "plan" in {f.role for f in budget.inputs}


def test_a_change_of_the_tariff_moves_the_budget_by_the_same_amount(tmp_path):
    folder = copied(tmp_path)
    before = overview(folder).to_dict("ru")
    flows_before = budget_flows(calculate_tariff(folder / "waste.yaml"))
    edit(folder / "waste.yaml", lambda d: d.update(profitability="0 %"))
    flows_after = budget_flows(calculate_tariff(folder / "waste.yaml"))
    after = overview(folder).to_dict("ru")
    k = before["budget"]["years"].index(2027)
    asked = (flows_after.subsidy_som[0] + flows_after.discounts_som[0]
             - flows_before.subsidy_som[0] - flows_before.discounts_som[0]) / 1000
    assert asked < 0  # no profit: a smaller subsidy
    assert after["budget"]["tariffs"][k] - before["budget"]["tariffs"][k] == pytest.approx(asked, abs=1e-9)
    assert after["budget"]["balance"][k] - before["budget"]["balance"][k] == pytest.approx(-asked, abs=1e-6)


def test_the_overview_adds_up():
    data = overview(TEPLO).to_dict("ru")
    b = data["budget"]
    for k in range(len(b["years"])):
        assert b["balance"][k] == pytest.approx(b["revenue"][k] - b["expenditure"][k])
        if b["left"] is not None and b["left"][k] is not None:
            assert b["left"][k] == pytest.approx(b["space"][k] - b["programme_local"][k])


def test_an_unlinked_subsidy_is_named_with_both_files(tmp_path):
    folder = copied(tmp_path)
    edit(folder / "budget.yaml", lambda d: d.pop("plans"))
    found = [i for i in overview(folder).inconsistencies if i.key == "mu_subsidy_not_in_budget"]
    assert len(found) == 1
    assert [p.render() for p in found[0].places] == ["waste.yaml", "budget.yaml: plans"]
    assert "1\u00a0671\u00a0787,23\u00a0сом" in found[0].describe("ru")


def test_a_building_condition_moves_the_needs_and_the_overview(tmp_path):
    folder = copied(tmp_path)
    before = [n["object"] for n in overview(folder).needs()]
    edit(folder / "passport.yaml", lambda d: next(o for o in d["objects"] if o["id"] == "club").update(
        condition="emergency"))
    after = overview(folder).needs()
    club = next(n for n in after if n["object"] == "club")
    assert club["points"] == pytest.approx(60.0)  # emergency 60, no shortfall, meets the rules
    assert [n["object"] for n in after].index("club") < before.index("club")


def test_a_measures_cost_that_differs_from_the_passport_is_named_in_both_files(tmp_path):
    folder = copied(tmp_path)
    programme = yaml.safe_load((folder / "programme.yaml").read_text("utf-8"))
    i = next(k for k, x in enumerate(programme["measures"]) if x.get("passport"))
    link = programme["measures"][i]["passport"]

    def costlier(d):
        o = next(o for o in d["objects"] if o["id"] == link["object"])
        x = next(x for x in o["options"] if x["id"] == link["option"])
        x["cost"] = x["cost"] + 1000

    edit(folder / "passport.yaml", costlier)
    found = [x for x in overview(folder).inconsistencies if x.key == "mu_measure_cost"]
    assert len(found) == 1
    places = [p.render() for p in found[0].places]
    assert places[0] == f"programme.yaml: measures[{i + 1}].cost"
    assert re.fullmatch(r"passport\.yaml: objects\[\d+\]\.options\[\d+\]\.cost", places[1])


def test_a_measures_start_year_shows_in_the_check(tmp_path):
    """Starting every measure of the draft in the first year asks more of that year's budget."""
    folder = copied(tmp_path)
    before = {i.context["year"] for i in overview(folder).inconsistencies if i.key == "mu_programme_gap"}
    programme = yaml.safe_load((folder / "programme.yaml").read_text("utf-8"))
    first = programme["first_year"]
    edit(folder / "programme.yaml", lambda d: [x.update(start=first) for x in d["measures"] if "start" in x])
    after = {i.context["year"] for i in overview(folder).inconsistencies if i.key == "mu_programme_gap"}
    assert first in after and after != before


def test_a_generated_measure_matches_its_passport_option(tmp_path):
    """``okmo measures`` drafts measures the folder check accepts as they are."""
    from okmo_models.passport import evaluate_passport
    from okmo_models.passport.measures import candidate_measures

    folder = copied(tmp_path)
    drafted = candidate_measures(evaluate_passport(folder / "passport.yaml"), "thousand_som")
    assert drafted[0]["passport"] == {"object": "health_post", "option": "new_building"}
    assert sum(drafted[1]["cost"]) == pytest.approx(62_000)  # the water network's 62 000 000 som
    edit(folder / "programme.yaml", lambda d: (d["sources"].update(passport="Паспорт"),
                                               d.update(measures=[{**x, "start": d["first_year"]}
                                                                  for x in drafted[:2]])))
    m = evaluate_folder(folder)
    assert not [i for i in check(m) if i.key.startswith("mu_measure_") or i.key.endswith("_unknown")]


def test_an_object_depreciated_by_two_tariffs_is_named():
    """The bundled example keeps the published waste and shared-landfill calculations, and
    both depreciate the landfill: the check says so."""
    found = [i for i in overview(TEPLO).inconsistencies if i.key == "mu_depreciated_twice"]
    assert len(found) == 1
    assert {p.render() for p in found[0].places} == {"waste.yaml: assets_from", "shared_landfill.yaml: assets_from",
                                                     "passport.yaml: objects[14]"}


def test_the_dipping_bath_counts_the_livestock_of_the_economic_base(tmp_path):
    """The bundled tariff reads its own owners' heads from the base (``heads_from``); typed
    by hand and different, they are named."""
    folder = copied(tmp_path)
    assert not [i for i in overview(folder).inconsistencies if i.key == "mu_heads_differ"]
    local = calculate_tariff(folder / "dipping_bath.yaml").scenario.categories[0]
    assert {k: q.to("head") for k, q in local.heads.items()} == {"sheep": 16_500, "goats": 2_150}  # the 2026 count

    def typed(d):
        d["categories"][0].pop("heads_from")
        d["categories"][0]["heads"] = {"sheep": "17 000 head", "goats": "2 150 head"}

    edit(folder / "dipping_bath.yaml", typed)
    found = [i for i in overview(folder).inconsistencies if i.key == "mu_heads_differ"]
    assert len(found) == 1 and "17\u00a0000" in found[0].describe("ru") and "16\u00a0500" in found[0].describe("ru")


def test_two_budgets_in_one_folder_are_refused_by_name(tmp_path):
    folder = copied(tmp_path)
    shutil.copy(folder / "budget.yaml", folder / "budget_copy.yaml")
    with pytest.raises(FolderError) as err:
        read_folder(folder)
    assert "budget.yaml, budget_copy.yaml" in err.value.render("ru")


def test_okmo_check_folder_exits_2_naming_each_inconsistency(tmp_path, capsys):
    folder = copied(tmp_path)
    assert main(["check", str(folder), "--lang", "ky"]) == 2
    err = capsys.readouterr().err
    assert "shared_landfill.yaml: assets_from" in err and "эки тарифте" in err


def test_okmo_check_folder_passes_when_the_files_agree(tmp_path, capsys):
    folder = copied(tmp_path, leave_out=("shared_landfill.yaml", "programme.yaml"))
    assert main(["check", str(folder)]) == 0
    assert "согласованы" in capsys.readouterr().out


@pytest.mark.parametrize("lang", ["ru", "ky"])
def test_the_overview_speaks_the_readers_language(lang, capsys):
    assert main(["overview", str(TEPLO), "--lang", lang]) == 0
    text = capsys.readouterr().out
    assert not re.findall(r"[A-Za-z]{2,}", text), re.findall(r"[A-Za-z]{2,}", text)[:5]


def test_the_overview_json_is_the_overviews_data(capsys):
    assert main(["overview", str(TEPLO), "--format", "json", "--lang", "en"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data == json.loads(json.dumps(overview(TEPLO).to_dict("en"), ensure_ascii=False))
    assert data["schema"] == "okmo-municipality/1"


@pytest.mark.parametrize("change, where, key", [
    (lambda d: d["categories"][0]["heads_from"].update(species=["sheep", "yaks"]),
     "categories[1].heads_from.species[2]", "heads_from_species"),
    (lambda d: d["categories"][0].update(heads={"sheep": "1 head"}), "categories[1].heads", "heads_given_twice"),
    (lambda d: d["categories"][0]["heads_from"].update(economic_base="passport.yaml"),
     "categories[1].heads_from.economic_base", "heads_from_not_base"),
])
def test_a_wrong_heads_link_names_the_tariff_field(tmp_path, change, where, key):
    from okmo_models.errors import ScenarioError

    folder = copied(tmp_path)
    edit(folder / "dipping_bath.yaml", change)
    with pytest.raises(ScenarioError) as err:
        calculate_tariff(folder / "dipping_bath.yaml")
    assert err.value.file.endswith("dipping_bath.yaml")
    assert [(p.field_path(), p.key) for p in err.value.problems] == [(where, key)]


def test_a_budget_line_may_pay_only_for_tariffs(tmp_path):
    from okmo_models.errors import ScenarioError

    folder = copied(tmp_path)
    edit(folder / "budget.yaml", lambda d: d["plans"]["subsidies_to_enterprises"].update(tariffs=["programme.yaml"]))
    with pytest.raises(ScenarioError) as err:
        forecast_linked_budget(folder / "budget.yaml")
    assert [(p.field_path(), p.key) for p in err.value.problems] == [
        ("plans.subsidies_to_enterprises.tariffs[1]", "plan_link_not_tariff")]
    edit(folder / "budget.yaml", lambda d: d.update(fixed={"subsidies_to_enterprises": {
        "values": {2027: 1}, "source": "waste_plan"}}))
    with pytest.raises(ScenarioError) as err:
        forecast_linked_budget(folder / "budget.yaml")
    assert "plan_link_and_fixed" in [p.key for p in err.value.problems]


def test_a_passport_has_no_hearing_of_its_own(capsys):
    assert main(["hearing", str(TEPLO / "passport.yaml"), "--no-browser", "--lang", "ky"]) == 2
    assert "okmo hearing" in capsys.readouterr().err


def test_okmo_measures_writes_a_new_file_and_never_overwrites(tmp_path, capsys):
    out = tmp_path / "measures.yaml"
    assert main(["measures", str(TEPLO / "passport.yaml"), "-o", str(out)]) == 0
    data = yaml.safe_load(out.read_text("utf-8"))
    assert [m["passport"]["object"] for m in data["measures"]][:3] == ["health_post", "water_network", "school"]
    assert out.read_text("utf-8").startswith("# Проект мероприятий программы")
    assert main(["measures", str(TEPLO / "passport.yaml"), "-o", str(out)]) == 2  # exists: asked for --force


def test_the_alamudun_needs_show_which_measure_answers_them():
    needs = {n["object"]: n for n in overview(SCENARIOS / "alamudun").needs()}
    assert needs["sewerage"]["funded"] and [a["measure"] for a in needs["sewerage"]["measures"]] == [
        "sewer_plant", "sewer_network"]
    assert not needs["school_baitik"]["funded"] and not needs["school_baitik"]["measures"]


def test_a_passport_has_no_kenesh_package(tmp_path, capsys):
    assert main(["package", str(TEPLO / "passport.yaml"), "-o", str(tmp_path)]) == 2
    assert "okmo report" in capsys.readouterr().err and not list(tmp_path.iterdir())


def test_two_passports_of_one_year_are_refused_by_name(tmp_path):
    folder = copied(tmp_path)
    (folder / "passport_copy.yaml").write_text("variant_of: passport.yaml\nchanges: {}\n", "utf-8")
    with pytest.raises(FolderError) as err:
        read_folder(folder)
    assert "passport.yaml, passport_copy.yaml" in err.value.render("ru")
    (folder / "passport_copy.yaml").write_text("variant_of: passport.yaml\nchanges: {year: 2027}\n", "utf-8")
    assert read_folder(folder).passport.name == "passport_copy.yaml"  # this year's


def test_tariffs_in_force_from_different_years_on_one_line_are_refused(tmp_path):
    """Between the two first years one tariff's subsidy would be dropped or guessed."""
    from okmo_models.errors import ScenarioError

    folder = copied(tmp_path)
    edit(folder / "dipping_bath.yaml", lambda d: d.update(tariff_year=2028))
    edit(folder / "budget.yaml", lambda d: d["plans"]["subsidies_to_enterprises"].update(
        tariffs=["waste.yaml", "dipping_bath.yaml"]))
    with pytest.raises(ScenarioError) as err:
        forecast_linked_budget(folder / "budget.yaml")
    assert [(p.field_path(), p.key) for p in err.value.problems] == [
        ("plans.subsidies_to_enterprises.tariffs", "plan_link_years_differ")]
    assert "2027, 2028" in err.value.render("ru")


def test_measures_drafted_in_million_som_pass_the_folder_check(tmp_path):
    """Split to the som and kept to nine decimals: no rounding the check would call a
    different cost (before, 0,1 of the programme's unit)."""
    from okmo_models.passport import evaluate_passport
    from okmo_models.passport.measures import candidate_measures

    folder = copied(tmp_path)
    drafted = candidate_measures(evaluate_passport(folder / "passport.yaml"), "million_som")
    assert drafted[1]["cost"] == [20.666666, 20.666666, 20.666668]  # 62 000 000 som in three years
    edit(folder / "programme.yaml", lambda d: (d["sources"].update(passport="Паспорт"), d.update(
        unit="million_som", measures=[{**x, "start": d["first_year"]} for x in drafted[:3]])))
    assert not [i for i in check(evaluate_folder(folder)) if i.key.startswith("mu_measure_")]


def test_a_dipping_bath_variant_in_a_subfolder_finds_the_economic_base(tmp_path, monkeypatch):
    folder = copied(tmp_path)
    monkeypatch.setenv("OKMO_DATA_ROOT", str(folder))  # the variant's baseline lies one folder up
    (folder / "variants").mkdir()
    (folder / "variants" / "cheaper.yaml").write_text("variant_of: ../dipping_bath.yaml\nchanges: {}\n", "utf-8")
    heads = calculate_tariff(folder / "variants" / "cheaper.yaml").scenario.categories[0].heads
    assert heads["sheep"].to("head") == 16_500

"""The hearing dashboard: widgets driven from Python, then the served page in a real browser."""

import re
import shutil

import pytest
import yaml
from conftest import ARTIFACTS, ROOT, SCENARIOS, browser, served_page, with_records

from okmo_models.formatting import format_number
from okmo_models.hearing.base import on_grid
from okmo_models.hearing.dashboard import HearingDashboard
from okmo_models.scenario.loader import load_scenario
from okmo_models.tariff import calculate_tariff


@pytest.fixture
def dashboard(tmp_path):
    """A dashboard on a copy of the waste example, so saved variants land in tmp_path."""
    scenario = tmp_path / "waste.yaml"
    shutil.copy(SCENARIOS / "teploklyuchenka/waste.yaml", with_records(scenario))
    return HearingDashboard(scenario, "ru")


def figure(d, key, html=None):
    """The number a figure's own element holds (its unit stands beside it)."""
    return re.search(rf'data-okmo="{key}">([^<]*)<', d.figures.value if html is None else html).group(1)


def bill_text(som: float) -> str:
    return format_number(som, 2, "ru")


WASTE_BILL = bill_text(calculate_tariff(SCENARIOS / "teploklyuchenka/waste.yaml").typical_household_bill_som)


def test_baseline_matches_the_calculation(dashboard):
    r = calculate_tariff(SCENARIOS / "teploklyuchenka/waste.yaml")
    assert figure(dashboard, "bill") == bill_text(r.typical_household_bill_som)  # the justified tariff
    assert dashboard.outputs.requirement_som == r.revenue_requirement_som
    assert dashboard.outputs.cost_recovery == r.cash_collected_som / r.revenue_requirement_som
    # each handle on its slider's step, where the page puts it (100,72 at 101 on a 1-som
    # slider: the kernel puts it there itself, so the page sends nothing back); the readout
    # beside it gives the tariff itself
    assert {cid: s.value for cid, s in dashboard.tariffs.items()} == {
        c.id: on_grid(dashboard.tariffs[c.id], c.tariff_som) for c in r.tariffs} == {
        "households": 101.0, "budget": 175.0, "business": 262.0}
    assert {cid: readout(dashboard, s) for cid, s in dashboard.tariffs.items()} == {
        c.id: format_number(c.tariff_som, 2, "ru") for c in r.tariffs}


def test_controls_change_the_outputs(dashboard):
    # households fixed at 80 som: the other categories balance (the file's policy), so their
    # tariffs rise and the requirement is still billed; the discounts (a share of the bill) fall
    before = dashboard.outputs
    business = before.tariffs["business"]
    dashboard.tariffs["households"].value = 80.0
    after = dashboard.outputs
    assert figure(dashboard, "bill") == "80,00" and dashboard.fixed == {"households": 80.0}
    assert after.tariffs["business"] > business
    slider = dashboard.tariffs["business"]  # its handle follows, on the slider's step
    assert slider.value == on_grid(slider, after.tariffs["business"]) > on_grid(slider, business)
    # the requirement is still billed, but for the rounding of the printed tariffs
    assert after.requirement_som == before.requirement_som
    assert after.revenue_som - after.result.rounding_difference_som == pytest.approx(after.requirement_som)
    assert after.discounts_som < before.discounts_som
    # a fixed category leaves the path; with none left, the path chart is gone
    assert after.path_years == () and dashboard.chart_path.value == ""
    # better collection raises the cash recovered; dearer fuel raises the costs and the
    # tariffs the engine computes, not the one fixed at the hearing
    dashboard.collection.value = 90
    assert dashboard.outputs.collected_som > after.collected_som
    costs = dashboard.outputs.requirement_som
    business = dashboard.outputs.tariffs["business"]
    dashboard.fuel.value = 20
    assert dashboard.outputs.requirement_som > costs
    assert dashboard.outputs.tariffs["business"] > business and dashboard.tariffs["households"].value == 80.0
    assert readout(dashboard, slider) == format_number(dashboard.outputs.tariffs["business"], 2, "ru")
    # households back at the tariff the engine gives them: no longer fixed, back on the path;
    # fewer years to cost recovery means a shorter path
    dashboard.tariffs["households"].value = dashboard.whatif.outputs(
        dashboard.whatif.with_controls(collection_rate=0.9, fuel_price_change=0.2)).tariffs["households"]
    assert dashboard.fixed == {} and len(dashboard.outputs.path_years) == 5
    dashboard.years.value = 2
    assert len(dashboard.outputs.path_years) == 2
    assert "<svg" in dashboard.chart_money.value and "<polyline" in dashboard.chart_path.value


def test_back_to_baseline(dashboard):
    at_rest = dashboard.outputs
    dashboard.tariffs["households"].value = 70
    dashboard.investment.value = 2_000_000
    dashboard.discount.value = 150
    dashboard.back_to_baseline()
    assert figure(dashboard, "bill") == WASTE_BILL and dashboard.investment.value == 0
    assert dashboard.fixed == {} and dashboard.outputs == at_rest


def test_language_switch(dashboard):
    dashboard.language.value = "ky"
    assert "Үй-бүлөнүн айлык төлөмү" in dashboard.figures.value
    assert dashboard.reset.description == "Баштапкы вариантка кайтуу"
    dashboard.language.value = "en"
    assert "Monthly bill of a household" in dashboard.figures.value


def test_saved_variant_records_only_the_changes_and_reloads(dashboard, tmp_path):
    dashboard.tariffs["households"].value = 80.0
    dashboard.collection.value = 80
    dashboard.investment.value = 1_000_000
    dashboard.file_name.value = "hearing_variant.yaml"
    path = dashboard.save_variant()
    doc = yaml.safe_load(path.read_text(encoding="utf-8"))
    assert doc["variant_of"] == "waste.yaml" and len(doc["baseline_sha256"]) == 64
    # the fixed household tariff replaces the baseline's path for that category
    assert set(doc["changes"]) == {"categories", "investments", "sources", "path"}
    assert doc["changes"]["path"] is None
    assert doc["changes"]["categories"]["households"]["fixed_tariff"] == "80 som/household/month"  # read back exactly under any decimal mark
    # the variant loads as a full scenario and gives the tariff that was on the slider
    r = calculate_tariff(path)
    assert r.tariff("households").tariff_som == 80.0
    assert r.tariff("households").collection_rate == pytest.approx(0.80)
    # saving again under the same name never overwrites
    before = path.read_text(encoding="utf-8")
    dashboard.file_name.value = "hearing_variant.yaml"
    assert dashboard.save_variant() is None
    assert "уже есть файл «hearing_variant.yaml»" in dashboard.message.value
    assert path.read_text(encoding="utf-8") == before


def test_nothing_to_save_without_changes(dashboard, tmp_path):
    assert dashboard.save_variant() is None
    assert list(tmp_path.glob("*variant*")) == []


def test_invalid_combination_shows_a_message(dashboard, monkeypatch):
    def broken(controls):
        raise ValueError("division by zero volume")

    monkeypatch.setattr(dashboard.whatif, "outputs", broken)
    dashboard.fuel.value = 10
    assert "нельзя рассчитать" in dashboard.message.value and "Traceback" not in dashboard.message.value


def test_variant_with_unknown_item_is_explained(tmp_path):
    shutil.copy(SCENARIOS / "teploklyuchenka/waste.yaml", with_records(tmp_path / "waste.yaml"))
    (tmp_path / "v.yaml").write_text("variant_of: waste.yaml\nchanges:\n  categories:\n    nobody: {multiplier: 2}\n",
                                     encoding="utf-8")
    from okmo_models.errors import ScenarioError

    with pytest.raises(ScenarioError) as info:
        load_scenario(tmp_path / "v.yaml")
    assert info.value.problems[0].key == "variant_item_unknown"
    assert info.value.problems[0].field_path() == "changes.categories.nobody"

    # a position is shown as the variant counts it, from 1 (it was shown one too high)
    (tmp_path / "v.yaml").write_text("variant_of: waste.yaml\nchanges:\n  cost_lines:\n    30: {amount: 1 som/year}\n",
                                     encoding="utf-8")
    with pytest.raises(ScenarioError) as info:
        load_scenario(tmp_path / "v.yaml")
    assert info.value.problems[0].field_path() == "changes.cost_lines.30"


# --- the hall's layout (issue 17) ---------------------------------------------------------------


def test_household_tariffs_move_by_a_som(dashboard):
    # failed before: every tariff slider moved by a tyiyn (0.01 som), a hundred key presses a som
    from okmo_models.hearing.dashboard import tariff_step

    assert tariff_step(100.72, "household/month", 0.01) == 1.0
    assert tariff_step(4.5, "person/month", 0.01) == 1.0
    assert tariff_step(262.45, "m3", 0.01) == 1.0
    assert tariff_step(12.3, "m3", 0.01) == 0.1 and tariff_step(1.2, "m3", 0.01) == 0.01
    assert tariff_step(12.3, "m3", 1.0) == 1.0  # never finer than the tariffs are rounded to
    assert {cid: s.step for cid, s in dashboard.tariffs.items()} == {"households": 1.0, "budget": 1.0, "business": 1.0}


def test_the_browser_putting_a_tariff_on_a_step_is_no_move(dashboard):
    """The browser puts the computed 100,72 on the 1-som slider at 101 and sends 101 back;
    failed before: that fixed the household tariff at 101 som."""
    at_rest = dashboard.outputs
    slider = dashboard.tariffs["households"]
    slider.value = 101.0  # the browser's echo
    assert dashboard.fixed == {} and dashboard.outputs == at_rest
    assert figure(dashboard, "tariff-households", dashboard.readouts[slider][0].value) == "100,72"
    # a person's step from there fixes the tariff at the step; the step back is the file again
    slider.value = 102.0
    assert dashboard.fixed == {"households": 102.0} and figure(dashboard, "bill") == "102,00"
    slider.value = 101.0
    assert dashboard.fixed == {} and dashboard.outputs == at_rest and figure(dashboard, "bill") == WASTE_BILL


def readout(d, control) -> str:
    return figure(d, d.readouts[control][1], d.readouts[control][0].value)


def test_slider_values_in_the_reader_s_format(dashboard):
    # failed before: the sliders' own readouts printed 1,000,000, 99.75 and −0
    dashboard.investment.value = 1_000_000
    assert readout(dashboard, dashboard.investment) == "1\u00a0000\u00a0000"
    assert readout(dashboard, dashboard.tariffs["households"]) == "100,72"
    dashboard.fuel.value = -0.0
    assert readout(dashboard, dashboard.fuel) == "0"
    dashboard.fuel.value = -10
    assert readout(dashboard, dashboard.fuel) == "\u221210"
    dashboard.wage.value = 5
    assert readout(dashboard, dashboard.wage) == "+5"
    dashboard.language.value = "en"
    assert readout(dashboard, dashboard.investment) == "1,000,000"
    assert all(s.readout is False for s in dashboard.controls)


def family_rows(d) -> list[tuple[str, str, str]]:
    html = d.family.value
    return [(figure(d, f"family-now-{i}", html), figure(d, f"family-bill-{i}", html),
             figure(d, f"family-change-{i}", html)) for i in range(1, html.count("family-bill-") + 1)]


def proposal_rows(result) -> list[tuple[str, str, str]]:
    from okmo_models.formatting import signed_number
    from okmo_models.tariff.proposal import proposal

    return [(format_number(g.bill_now_som, 2, "ru"), format_number(g.bill_som, 2, "ru"),
             signed_number(g.bill_som - g.bill_now_som, 2, "ru")) for g in proposal(result).income_groups]


def test_what_changes_for_a_family_is_the_proposal_s_bill_by_income_group(dashboard, tmp_path):
    # failed before: the dashboard showed no family's bill by income group
    r = calculate_tariff(SCENARIOS / "teploklyuchenka/waste.yaml")
    assert family_rows(dashboard) == proposal_rows(r) and len(family_rows(dashboard)) == 5
    assert family_rows(dashboard)[0] == ("50,00", "62,50", "+12,50")  # the path's first step
    assert "первом шаге плана" in dashboard.family.value
    assert figure(dashboard, "family-tariff", dashboard.family.value) == "62,50"
    # the household tariff fixed at the hearing: every family's bill follows, live
    dashboard.tariffs["households"].value = 80.0
    dashboard.file_name.value = "fixed.yaml"
    assert family_rows(dashboard) == proposal_rows(calculate_tariff(dashboard.save_variant()))
    assert {row[1] for row in family_rows(dashboard)} == {"80,00"}
    assert "тарифе этого варианта" in dashboard.family.value
    dashboard.language.value = "ky"
    assert "Үй-бүлө үчүн эмне өзгөрөт" in dashboard.family.value
    dashboard.language.value = "en"
    assert "What changes for a family" in dashboard.family.value and "80.00" in dashboard.family.value


def test_the_year_chart_has_axes_and_values():
    """Failed before: one axis label ("142") drawn over the title, no values."""
    import xml.etree.ElementTree as ET

    from okmo_models.hearing import svg

    years = [2027, 2028, 2029]
    series = [("Безубыточный", [100.72, 110.0, 118.53], "#c0504d", True),
              ("План", [62.5, 90.0, 118.53], "#2f6f9f", False)]
    chart = svg.lines(years, series, "ru", "Тариф по годам")
    texts = [(el.text, float(el.get("y")), float(el.get("font-size"))) for el in ET.fromstring(chart).iter()
             if el.tag.endswith("text")]
    title_y = next(y for text, y, _ in texts if text == "Тариф по годам")
    assert all(y - size > title_y for text, y, size in texts if text != "Тариф по годам")  # none over the title
    ticks = [text for text, *_ in texts if text in {"0", "20", "40", "50", "60", "80", "100", "120", "140", "150"}]
    assert len(ticks) >= 3 and "0" in ticks
    assert {str(y) for y in years} <= {text for text, *_ in texts}
    assert {"100,72", "62,50", "118,53", "90,00"} <= {text for text, *_ in texts}
    # each value named for a test in the browser; a long title in two lines, nothing cut
    chart = svg.lines(years, series, "ru", "Тариф по годам: Население (частный сектор), сом/домохоз./мес.",
                      keys=["recovery", "path"])
    assert 'data-okmo="path-2028">90,00<' in chart and ">Тариф по годам: Население (частный сектор),<" in chart


# --- the served page in a real browser ------------------------------------------------------------



@browser
def test_served_dashboard_is_offline_and_live(tmp_path):
    scenario = tmp_path / "waste.yaml"
    shutil.copy(SCENARIOS / "teploklyuchenka/waste.yaml", with_records(scenario))
    with served_page(scenario, "ru", height=1000) as page:
        bill = page.locator('[data-okmo="bill"]')
        bill.wait_for(timeout=90_000)
        assert bill.inner_text() == WASTE_BILL
        assert page.locator('[data-okmo="tariff-households"]').inner_text() == WASTE_BILL
        text = page.locator("body").inner_text()
        assert "dashboard_from_environment" not in text and "import" not in text  # no code shown
        handle = page.locator(".noUi-handle").first
        handle.focus()
        page.keyboard.press("ArrowLeft")
        page.wait_for_function(
            f"() => document.querySelector('[data-okmo=\"bill\"]').innerText !== '{WASTE_BILL}'", timeout=20_000)
        assert bill.inner_text() != WASTE_BILL
        ARTIFACTS.mkdir(exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / "hearing_dashboard.png"), full_page=True)


def test_variant_of_an_unreadable_baseline_names_the_baseline(tmp_path):
    (tmp_path / "waste.yaml").write_bytes("name: Тест\n".encode("cp1251"))
    (tmp_path / "v.yaml").write_text("variant_of: waste.yaml\nchanges: {}\n", encoding="utf-8")
    from okmo_models.errors import ScenarioError

    with pytest.raises(ScenarioError) as info:
        load_scenario(tmp_path / "v.yaml")
    assert info.value.problems[0].key == "file_not_utf8"
    assert info.value.file.endswith("waste.yaml")


def test_component_tariffs_cannot_be_fixed_by_hand(tmp_path):
    """A tariff split into components follows their costs; the review found its slider
    fixing a tariff the engine then refused ("cannot be fixed")."""
    scenario = tmp_path / "components.yaml"
    shutil.copy(ROOT / "tests" / "data" / "issue13_fields.yaml", scenario)
    d = HearingDashboard(scenario, "ru")
    assert all(slider.disabled for slider in d.tariffs.values())
    assert d.outputs.tariffs == {c.id: c.tariff_som for c in calculate_tariff(scenario).tariffs}
    d.collection.value = 80  # the other controls still work
    assert d.message.value == "" and d.outputs.collected_som < d.whatif.baseline_outputs.collected_som

"""The budget hearing dashboard: sliders give the same forecast as the file's scenarios, presets
set the sliders, saved variants load and reproduce the screen, and the served page in a browser."""

import re
import shutil
from dataclasses import replace

import numpy as np
import pytest
import yaml
from conftest import ARTIFACTS, SCENARIOS, browser, served_page

from okmo_models.budget.forecast import BudgetModel, load_budget
from okmo_models.budget.schema import BudgetVariant
from okmo_models.formatting import format_number
from okmo_models.hearing.budget_dashboard import BudgetHearingDashboard
from okmo_models.hearing.budget_whatif import BudgetWhatIf
from okmo_models.kinds import kind_of

KOK_JAR = SCENARIOS / "kok-jar/budget.yaml"
ALAMUDUN = SCENARIOS / "alamudun/budget.yaml"


@pytest.fixture(scope="module")
def kok_jar():
    loaded = load_budget(KOK_JAR)
    return BudgetWhatIf(loaded.scenario, loaded.sha256), BudgetModel(loaded.scenario)


@pytest.fixture
def dashboard(tmp_path):
    """A dashboard on a copy of the Kok-Jar example (with its history table), so saved
    variants land in tmp_path."""
    for name in ("budget.yaml", "history.csv"):
        shutil.copy(SCENARIOS / "kok-jar" / name, tmp_path / name)
    return BudgetHearingDashboard(tmp_path / "budget.yaml", "ru")


def same_forecast(a, b, tol=0.01):
    """Two BudgetResults with the same point forecast, bands and chance of a deficit."""
    assert a.forecast_years == b.forecast_years
    np.testing.assert_allclose(a.point, b.point, atol=tol, rtol=0)
    for key in ("revenue", "expenditure", "balance"):
        np.testing.assert_allclose(a.bands[key], b.bands[key], atol=tol, rtol=0)
    np.testing.assert_allclose(a.deficit_chance, b.deficit_chance, atol=1e-12)


def cell(d, key):
    return re.search(rf'data-okmo="{key}">([^<]*)<', d.table.value).group(1)


def text(html: str) -> str:
    """What a reader sees of ``html``: its text without the tags."""
    return re.sub(r"<[^>]+>", "", html)


def shown_totals(d):
    years = d.outputs.result.forecast_years[:3]
    return {(k, y): cell(d, f"{k}-{y}") for k in ("revenue", "expenditure", "balance") for y in years}


def formatted_totals(result):
    totals = result.totals()
    return {(k, y): format_number(totals.loc[k, y], 1, "ru")
            for k in ("revenue", "expenditure", "balance") for y in result.forecast_years[:3]}


# --- sliders -> scenario -> forecast --------------------------------------------------------------

def test_land_tax_slider_equals_the_file_scenario(kok_jar):
    wi, model = kok_jar
    c = replace(wi.baseline, rates={**wi.baseline.rates, "land_tax": 20.0}, rates_from=2027)
    out = wi.outputs(c)
    same_forecast(out.result, model.fit("land_tax_rate"))
    # +20 % of the land tax is +147,1 thousand som in 2027 (20 % of its 735,7 forecast), as `okmo budget` shows
    delta = out.result.totals().loc["balance", 2027] - out.baseline.totals().loc["balance", 2027]
    assert delta == pytest.approx(147.1, abs=0.05)
    assert wi.variant_data(c)["changes"] == [{"line": "land_tax", "from": 2027, "change": "20 %", "source": "hearing"}]


def test_grant_and_inflation_sliders_equal_the_same_scenarios_written_by_hand(kok_jar):
    wi, model = kok_jar
    c = replace(wi.baseline, rates={**wi.baseline.rates, "equalisation_grant": -15.0}, rates_from=2027)
    same_forecast(wi.outputs(c).result, model.fit("grant_cut"))
    # the file's CPI (8 % in 2026, then 6 %) two points higher in every year
    c = replace(wi.baseline, cpi_shift=2.0, population_growth=0.5)
    by_hand = BudgetVariant.model_validate({"name": {"ru": "x"}, "population_growth": "0.5 %",
                                            "cpi": {y: "10 %" if y == 2026 else "8 %" for y in range(2026, 2034)}})
    same_forecast(wi.outputs(c).result, model.fit(by_hand))


def test_new_taxpayer_slider(kok_jar):
    wi, model = kok_jar
    c = replace(wi.baseline, taxpayer=300.0, taxpayer_from=2028)
    data = wi.variant_data(c)["changes"][0]
    assert data["line"] == "property_tax" and data["add"] == 300.0 and data["from"] == 2028
    by_hand = BudgetVariant.model_validate(
        {"name": {"ru": "x"}, "changes": [{"line": "property_tax", "from": 2028, "add": 300, "source": "hearing"}]})
    result = wi.outputs(c).result
    same_forecast(result, model.fit(by_hand))
    # indexed with prices from its first year: 300 in 2028, 300 x 1.06 in 2029
    base = wi.baseline_result.totals().loc["revenue"]
    assert result.totals().loc["revenue", 2027] == pytest.approx(base[2027])
    assert result.totals().loc["revenue", 2028] - base[2028] == pytest.approx(300.0)
    assert result.totals().loc["revenue", 2029] - base[2029] == pytest.approx(318.0)


def test_untouched_sliders_are_the_baseline(kok_jar):
    wi, _ = kok_jar
    assert wi.variant_data(wi.baseline) is None
    assert wi.outputs(wi.baseline).result is wi.baseline_result


def test_sliders_only_for_what_the_file_has(dashboard):
    assert set(dashboard.rates) == {"land_tax", "property_tax", "equalisation_grant"}
    assert dashboard.population is not None and dashboard.population.value == pytest.approx(0.9)
    d = BudgetHearingDashboard(ALAMUDUN, "en")
    assert set(d.rates) == {"land_tax", "property_tax"}  # self-sufficient: no grant slider
    assert d.population.value == pytest.approx(2.5)


# --- the dashboard ---------------------------------------------------------------------------------

def test_baseline_table_is_the_budget_forecast(dashboard):
    result = BudgetModel(load_budget(KOK_JAR).scenario).fit()
    assert shown_totals(dashboard) == formatted_totals(result)
    assert cell(dashboard, "balance-2025") == "232,7"  # the last executed year
    assert "Δ" not in dashboard.table.value
    assert "дефицита нет" in text(dashboard.verdict.value) and "288,9 тыс. сом" in text(dashboard.verdict.value)
    assert re.search(r'2026<br><span data-okmo="deficit-2026">33 %<', dashboard.chance.value)
    assert dashboard.chart.value.startswith("<svg") and "<polygon" in dashboard.chart.value
    assert "http" not in dashboard.chart.value.replace("http://www.w3.org/2000/svg", "")


def verdict_kind(d) -> str:
    return re.search(r'class="okmo-verdict okmo-(\w+)"', d.verdict.value).group(1)


def test_the_verdict_agrees_with_the_chance_of_a_deficit(dashboard):
    """Failed before: "по прогнозу дефицита нет" beside a 40 % chance of a deficit in 2026."""
    from okmo_models.formatting import format_percent
    from okmo_models.hearing.budget_dashboard import RISK

    def check():
        result = dashboard.outputs.result
        budget = result.forecast_years[: result.horizon]
        chances = result.deficit_probability()
        balance = result.totals().loc["balance"]
        said = text(dashboard.verdict.value)
        if any(balance[y] < -0.05 for y in budget):
            first = next(y for y in budget if balance[y] < -0.05)
            assert verdict_kind(dashboard) == "gap"
            assert f"вероятность дефицита в {first} году — {format_percent(chances[first], 0, 'ru')}" in said.lower()
            return "gap"
        worst = max(budget, key=lambda y: chances[y])
        chance = format_percent(chances[worst], 0, "ru")
        if chances[worst] > RISK:
            assert verdict_kind(dashboard) == "risk" and not said.startswith("По прогнозу дефицита нет")
            assert f"вероятность дефицита в {worst} году — {chance}" in said.lower(), said
            return "risk"
        assert verdict_kind(dashboard) == "space" and f"не выше {chance}" in said, said
        return "space"

    assert check() == "risk"  # about 37 % in 2028, no deficit in the central forecast
    chance = format_percent(dashboard.outputs.result.deficit_probability()[2028], 0, "ru")
    assert f'data-okmo="verdict-chance">{chance}<' in dashboard.verdict.value
    dashboard.taxpayer_from.value = dashboard.outputs.result.forecast_years[0]
    dashboard.taxpayer.value = dashboard.taxpayer.max  # a large new taxpayer from next year: hardly any chance left
    assert check() == "space"
    dashboard.reset.click()
    dashboard.rates["equalisation_grant"].value = -15  # the grant cut: short in 2027
    assert check() == "gap"
    dashboard.language.value = "ky"
    assert "дефициттин ыктымалдыгы" in text(dashboard.verdict.value)
    dashboard.reset.click()
    dashboard.language.value = "en"
    assert "The central forecast shows no deficit" in text(dashboard.verdict.value)
    assert f"the chance of a deficit in 2028 is {chance}" in text(dashboard.verdict.value)


def test_budget_slider_values_in_the_reader_s_format(dashboard):
    # failed before: "+0.0" and "+0" at rest, "1,234" in Russian, names beside the sliders
    values = {okmo: re.search(r">([^<]*)<", html.value).group(1) for html, okmo, _ in dashboard.readouts.values()}
    assert values == {"inflation": "0", "population": "0,9", "rate-land_tax": "0", "rate-property_tax": "0",
                      "rate-equalisation_grant": "0", "taxpayer": "0"}
    dashboard.inflation.value = 1.5
    dashboard.rates["land_tax"].value = -10
    dashboard.taxpayer.value = 1250
    values = {okmo: re.search(r">([^<]*)<", html.value).group(1) for html, okmo, _ in dashboard.readouts.values()}
    assert values["inflation"] == "+1,5" and values["rate-land_tax"] == "\u221210"
    assert values["taxpayer"] == "1\u00a0250"
    # a preset's round amount sits on the taxpayer slider's steps (the browser would move it otherwise)
    d = BudgetHearingDashboard(ALAMUDUN, "ru")
    assert (4500 / d.taxpayer.step).is_integer() and d.taxpayer.max >= 4500 * 1.5


def test_moving_a_slider_changes_the_table_and_marks_an_own_variant(dashboard):
    dashboard.rates["land_tax"].value = 20
    assert dashboard.preset.value == "*"
    assert shown_totals(dashboard) == formatted_totals(BudgetModel(load_budget(KOK_JAR).scenario).fit("land_tax_rate"))
    assert "Δ\u00a0+147,1" in text(dashboard.table.value)
    assert 'data-okmo="delta-balance-2027">+147,1<' in dashboard.table.value
    assert "Этот вариант" in dashboard.chart.value and "stroke-dasharray" in dashboard.chart.value
    dashboard.rates["equalisation_grant"].value = -15
    assert "В 2027 году не хватит" in text(dashboard.verdict.value)
    dashboard.reset.click()
    assert dashboard.preset.value == "" and dashboard.rates["land_tax"].value == 0
    assert "Δ" not in dashboard.table.value


@pytest.mark.parametrize("path", [KOK_JAR, ALAMUDUN], ids=lambda p: p.parent.name)
def test_presets_set_the_sliders_and_reproduce_the_file_scenarios(path):
    d = BudgetHearingDashboard(path, "ru")
    model = BudgetModel(load_budget(path).scenario)
    for vid in d.whatif.presets():
        d.preset.value = vid
        same_forecast(d.outputs.result, model.fit(vid), tol=1e-9)
        assert shown_totals(d) == formatted_totals(model.fit(vid))
        d.preset.value = ""
        same_forecast(d.outputs.result, model.fit(), tol=1e-9)


def test_presets_show_their_values_on_the_sliders():
    d = BudgetHearingDashboard(KOK_JAR, "ru")
    d.preset.value = "grant_cut"
    assert d.rates["equalisation_grant"].value == -15 and d.rates_from.value == 2027
    d.preset.value = "high_inflation"
    # the preset's own CPI path, no shift on top of it
    assert d.inflation.value == 0 and d.rates["equalisation_grant"].value == 0
    assert "2026 — 12\u00a0%, 2027 — 10\u00a0%, 2028–2033 — 6\u00a0%" in d.cpi_note.value
    d = BudgetHearingDashboard(ALAMUDUN, "ru")
    d.preset.value = "new_taxpayer"
    # the indexed property tax of the new taxpayer is on the slider; its land tax (not
    # indexed) has no slider and is listed instead
    assert d.taxpayer.value == 4500 and d.taxpayer_from.value == 2027
    assert "Земельный налог +1\u00a0200,0 тыс. сом в год с 2027 г." in d.kept_note.value
    d.preset.value = "slow_growth"
    assert d.population.value == pytest.approx(0.5) and d.inflation.value == 0
    assert "2026 — 12\u00a0%, 2027 — 10\u00a0%, 2028–2033 — 6\u00a0%" in d.cpi_note.value
    assert d.kept_note.value == ""


def test_a_preset_changed_by_hand_keeps_its_other_changes():
    d = BudgetHearingDashboard(ALAMUDUN, "ru")
    d.preset.value = "new_taxpayer"
    d.taxpayer.value = 3000
    changes = d.outputs.variant["changes"]
    assert [(ch["line"], ch.get("add"), ch["source"]) for ch in changes] == [
        ("property_tax", 3000.0, "hearing"), ("land_tax", 1200, "assumption")]
    assert changes[0]["name"]["ru"] == "Налог на имущество логистического центра"


def test_the_inflation_slider_shifts_the_file_s_cpi_path(dashboard):
    assert "2026 — 8\u00a0%, 2027–2033 — 6\u00a0%" in dashboard.cpi_note.value and dashboard.inflation.value == 0
    dashboard.inflation.value = 1  # one point more in every year
    assert "2026 — 9\u00a0%, 2027–2033 — 7\u00a0%" in dashboard.cpi_note.value
    assert dashboard.outputs.variant["cpi"] == {y: "9 %" if y == 2026 else "7 %" for y in range(2026, 2034)}
    dashboard.inflation.value = 0  # and back: the file's path, the baseline forecast
    assert "2026 — 8\u00a0%, 2027–2033 — 6\u00a0%" in dashboard.cpi_note.value
    assert dashboard.outputs.variant is None and dashboard.outputs.result is dashboard.whatif.baseline_result
    # on a preset with its own CPI path, the shift moves that path
    dashboard.preset.value = "high_inflation"
    dashboard.inflation.value = -0.5
    assert "2026 — 11,5\u00a0%, 2027 — 9,5\u00a0%, 2028–2033 — 5,5\u00a0%" in dashboard.cpi_note.value


def test_language_switch(dashboard):
    dashboard.preset.value = "grant_cut"
    dashboard.language.value = "ky"
    assert "2027-жылы 704,8 миң сом жетишпейт" in text(dashboard.verdict.value)
    assert dashboard.preset.value == "grant_cut"
    assert dashboard.preset.label == "Теңдөөчү грантты 15 %га кыскартуу"
    dashboard.language.value = "en"
    assert "In 2027 the budget will be 704.8 thousand som short" in text(dashboard.verdict.value)
    assert "TOTAL REVENUE" in dashboard.table.value and dashboard.reset.description == "Back to baseline"


# --- saving -------------------------------------------------------------------------------------

def test_saved_variant_loads_and_reproduces_the_screen(dashboard, tmp_path):
    baseline_bytes = (tmp_path / "budget.yaml").read_bytes()
    dashboard.preset.value = "grant_cut"
    dashboard.rates["land_tax"].value = 20
    dashboard.population.value = 0.5
    dashboard.taxpayer.value = 300
    dashboard.taxpayer_from.value = 2028
    dashboard.file_name.value = "hearing_variant.yaml"
    shown = shown_totals(dashboard)
    shown_table = dashboard.table.value
    path = dashboard.save_variant()
    assert path == tmp_path / "hearing_variant.yaml"
    doc = yaml.safe_load(path.read_text(encoding="utf-8"))
    assert doc["variant_of"] == "budget.yaml" and len(doc["baseline_sha256"]) == 64 and doc["saved"]
    sid = dashboard.saved_scenario
    assert set(doc["changes"]) == {"sources", "scenarios"} and list(doc["changes"]["scenarios"]) == [sid]
    assert "публичных слушаниях" in doc["changes"]["sources"]["hearing"]
    saved = doc["changes"]["scenarios"][sid]
    assert saved["population_growth"] == "0.5 %"
    assert [(ch["line"], ch.get("change"), ch.get("add"), ch["source"]) for ch in saved["changes"]] == [
        ("equalisation_grant", "-15 %", None, "assumption"), ("land_tax", "20 %", None, "hearing"),
        ("property_tax", None, 300.0, "hearing")]
    assert "grant_cut" not in str(saved["description"]) and "выравнивающего гранта" in saved["description"]["ru"]
    # the variant loads as a budget file with one more scenario and gives the numbers shown
    scenario = load_budget(path).scenario
    assert sid in scenario.scenarios and "hearing" in scenario.sources
    assert set(scenario.scenarios) == {"grant_cut", "high_inflation", "land_tax_rate", sid}
    result = BudgetModel(scenario).fit(sid)
    same_forecast(result, dashboard.outputs.result, tol=1e-9)
    assert formatted_totals(result) == shown
    assert kind_of(path).name == "budget"
    # a dashboard opened on the saved file, with the saved scenario chosen, shows the same table
    again = BudgetHearingDashboard(path, "ru")
    again.preset.value = sid
    assert again.table.value == shown_table
    # ... and saves a variant of the variant, citing a new hearing source beside the first
    again.rates["land_tax"].value = 25
    again.file_name.value = "second.yaml"
    second = again.save_variant()
    nested = load_budget(second).scenario
    assert {sid, again.saved_scenario} <= set(nested.scenarios)
    assert len([k for k in nested.sources if k.startswith("hearing")]) == 2
    same_forecast(BudgetModel(nested).fit(again.saved_scenario), again.outputs.result, tol=1e-9)
    # never overwrites; the baseline is untouched
    before = path.read_text(encoding="utf-8")
    dashboard.file_name.value = "hearing_variant.yaml"
    assert dashboard.save_variant() is None
    assert "уже есть файл «hearing_variant.yaml»" in dashboard.message.value
    assert path.read_text(encoding="utf-8") == before
    assert (tmp_path / "budget.yaml").read_bytes() == baseline_bytes
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []  # no temporary files left


def test_saved_variant_prints_with_okmo_budget(dashboard, tmp_path, capsys):
    from okmo_models.cli import main

    dashboard.rates["property_tax"].value = 10
    dashboard.file_name.value = "v"
    path = dashboard.save_variant()
    assert path.name == "v.yaml"
    assert main(["budget", str(path), "--scenario", dashboard.saved_scenario]) == 0
    out = capsys.readouterr().out
    assert "Вариант публичных слушаний" in out
    assert format_number(dashboard.outputs.result.totals().loc["balance", 2027], 1, "ru") in out


def test_nothing_to_save_without_changes(dashboard, tmp_path):
    assert dashboard.save_variant() is None
    assert "сохранять нечего" in dashboard.message.value
    assert sorted(p.name for p in tmp_path.iterdir()) == ["budget.yaml", "history.csv"]


# --- okmo hearing -----------------------------------------------------------------------------------

def test_okmo_hearing_explains_a_broken_budget_file_in_the_terminal(tmp_path, monkeypatch, capsys):
    from okmo_models.cli import main
    from okmo_models.hearing import serve

    text = KOK_JAR.read_text(encoding="utf-8").replace("  2033: 6 %\n", "")
    (tmp_path / "budget.yaml").write_text(text, encoding="utf-8")
    shutil.copy(SCENARIOS / "kok-jar/history.csv", tmp_path / "history.csv")
    def never(*_, check=None, **__):  # `okmo hearing` checks the file before or while the server starts
        if check is not None:
            check()
        pytest.fail("the dashboard must not start")

    monkeypatch.setattr(serve, "serve", never)
    assert main(["hearing", str(tmp_path / "budget.yaml"), "--no-browser"]) == 2
    err = capsys.readouterr().err
    assert "2033" in err and "cpi" in err


def test_okmo_hearing_serves_a_budget_file(monkeypatch):
    from okmo_models.cli import main
    from okmo_models.hearing import serve

    calls = []
    monkeypatch.setattr(serve, "serve",
                        lambda path, lang, port, open_browser, check=None: calls.append((path, lang)) or 0)
    assert main(["hearing", str(ALAMUDUN), "--no-browser", "--lang", "ky"]) == 0
    assert calls == [(ALAMUDUN, "ky")]


def test_dispatch_by_file_kind(monkeypatch):
    from okmo_models.hearing.choose import hearing_dashboard_from_environment
    from okmo_models.hearing.dashboard import HearingDashboard

    monkeypatch.setenv("OKMO_HEARING_SCENARIO", str(KOK_JAR))
    assert isinstance(hearing_dashboard_from_environment(), BudgetHearingDashboard)
    monkeypatch.setenv("OKMO_HEARING_SCENARIO", str(SCENARIOS / "teploklyuchenka/waste.yaml"))
    assert isinstance(hearing_dashboard_from_environment(), HearingDashboard)
    assert kind_of(SCENARIOS / "teploklyuchenka/waste.yaml").name != "budget"


# --- the served page in a real browser ------------------------------------------------------------



@browser
def test_served_budget_dashboard_is_offline_and_live(tmp_path):
    for name in ("budget.yaml", "history.csv"):
        shutil.copy(SCENARIOS / "kok-jar" / name, tmp_path / name)
    with served_page(tmp_path / "budget.yaml", "ru", height=1100) as page:
        balance = page.locator('[data-okmo="balance-2027"]')
        balance.wait_for(timeout=90_000)
        assert balance.inner_text() == "382,7"
        text = page.locator("body").inner_text()
        assert "hearing_dashboard_from_environment" not in text and "import" not in text  # no code shown
        assert "По центральному прогнозу дефицита нет" in text and "вероятность дефицита в 2028 году —" in text
        # the land tax slider (the third: inflation, population, land tax), two steps right
        handle = page.locator(".noUi-handle").nth(2)
        handle.focus()
        page.keyboard.press("ArrowRight")
        page.keyboard.press("ArrowRight")
        # +2 % land tax is +14,7 thousand som in 2027 (+20 % is +147,1)
        page.wait_for_function(
            "() => document.querySelector('[data-okmo=\"balance-2027\"]').innerText.startsWith('397,4')",
            timeout=20_000)
        assert page.locator('[data-okmo="delta-balance-2027"]').inner_text() == "+14,7"
        ARTIFACTS.mkdir(exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / "budget_hearing_dashboard.png"), full_page=True)


def test_a_variant_the_rules_refuse_is_said_in_words_not_codes(dashboard, monkeypatch):
    """Before, the save's own check joined field paths and message keys into the page
    ("scenarios.x.changes[1].from: variant_year_outside 2040")."""
    import okmo_models.hearing.budget_whatif as bw
    from okmo_models.errors import Problem

    monkeypatch.setattr(bw, "check", lambda s: [Problem(path=("scenarios", "x", "changes", 0, "from"),
                                                        key="variant_year_outside", value=2040,
                                                        context={"first": 2026, "last": 2033})])
    dashboard.inflation.value += dashboard.inflation.step
    dashboard.file_name.value = "v.yaml"
    assert dashboard.save_variant() is None
    shown = text(dashboard.message.value)
    # the rule in words, with the field it concerns, as okmo check says it of a file
    assert "variant_year_outside" not in shown and "Год 2040 вне прогнозного периода 2026–2033" in shown

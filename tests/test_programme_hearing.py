"""The programme hearing dashboard: switches give the same portfolio as `okmo programme`,
presets reproduce the file's draft and the optimum, broken rules are named, saved variants
load as the choice on the screen, and the served page in a browser."""

import re
import shutil

import numpy as np
import pytest
import yaml
from conftest import ARTIFACTS, SCENARIOS, browser, served_page

from okmo_models.formatting import format_number
from okmo_models.hearing.programme_dashboard import ProgrammeHearingDashboard
from okmo_models.hearing.programme_whatif import ProgrammeWhatIf
from okmo_models.programme import evaluate_programme
from okmo_models.programme.model import money
from okmo_models.programme.optimize import _broken, broken_rules

PROGRAMME = SCENARIOS / "alamudun/programme.yaml"


@pytest.fixture(scope="module")
def result():
    return evaluate_programme(PROGRAMME)


@pytest.fixture(scope="module")
def wi(result):
    return ProgrammeWhatIf(result)


@pytest.fixture
def copied(tmp_path):
    for name in ("programme.yaml", "budget.yaml"):
        shutil.copy(SCENARIOS / "alamudun" / name, tmp_path / name)
    return tmp_path / "programme.yaml"


@pytest.fixture
def dashboard(copied):
    return ProgrammeHearingDashboard(copied, "ru")


def local(wi, mid, start):
    return money(wi.by_id[mid], start, wi.years)["local_budget"]


def text(html):
    """What a reader sees: a line break a space, a figure's own element part of its sentence."""
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", re.sub(r"<br>|</(div|li|td|th)>", " ", html))).strip()


def cell(d, key):
    return re.search(rf'data-okmo="{key}">([^<]*)<', d.table.value).group(1)


# --- choice -> portfolio ----------------------------------------------------------------------------

def test_the_draft_choice_is_the_draft_plan(wi, result):
    out = wi.outputs(wi.preset("plan"))
    assert out.portfolio.starts == result.plan.starts
    np.testing.assert_array_equal(out.left, result.plan.left())
    assert out.gaps == result.plan.gaps()
    assert out.indicators == result.plan.indicators()
    assert out.beneficiaries == result.plan.beneficiaries()
    assert out.after == result.plan.later_obligations()
    assert out.verdict.kind == "short" and out.verdict.year == 2026 and out.verdict.years == (2026, 2027, 2028)
    assert out.verdict.causes[0][0] == "sewer_plant"


def test_switching_and_moving_a_measure_changes_the_money_left_by_its_local_money(wi):
    draft = wi.preset("plan")
    base = wi.outputs(draft).left
    off = wi.outputs({k: v for k, v in draft.items() if k != "roads"}).left
    np.testing.assert_allclose(off - base, local(wi, "roads", 2027), atol=1e-9)
    on = wi.outputs({**draft, "septic_outskirts": 2026}).left
    np.testing.assert_allclose(base - on, local(wi, "septic_outskirts", 2026), atol=1e-9)
    moved = wi.outputs({**draft, "sewer_network": 2029}).left
    np.testing.assert_allclose(moved - base, local(wi, "sewer_network", 2028) - local(wi, "sewer_network", 2029),
                               atol=1e-9)
    assert wi.outputs({**draft, "sewer_network": 2029}).indicators == wi.outputs(draft).indicators


@pytest.mark.parametrize("which", ["optimal", "ranking"])
def test_presets_reproduce_the_optimum_and_the_ranking(wi, result, which):
    expected = result.portfolios()[which]
    out = wi.outputs(wi.preset(which))
    assert out.portfolio.starts == expected.starts
    np.testing.assert_array_equal(out.left, expected.left())
    assert out.indicators == expected.indicators() and out.gaps == []
    if which == "optimal":
        assert out.broken == [] and out.verdict.kind == "fits"


def test_rules_listed_start_with_the_rule_the_optimiser_names(wi):
    draft = wi.preset("plan")
    choices = [draft, wi.preset("optimal"), {**draft, "septic_outskirts": 2026},
               {k: v for k, v in draft.items() if k != "sewer_plant"},
               {**wi.preset("optimal"), "kindergarten_annex": 2026}]
    for starts in choices:
        rules = broken_rules(wi.programme, wi.space, starts)
        first = _broken(wi.programme, wi.space, starts)
        assert (rules[0] if rules else None) == first


def test_committed_measures_stay_in(wi):
    with pytest.raises(ValueError, match="committed"):
        wi.outputs({k: v for k, v in wi.preset("plan").items() if k != "park"})
    with pytest.raises(ValueError):
        wi.outputs({**wi.preset("plan"), "sewer_network": 2030})  # two years of works from 2030


def test_changes_are_the_starts_that_differ_from_the_draft(wi):
    draft = wi.preset("plan")
    assert wi.changes(draft) == {}
    choice = {**{k: v for k, v in draft.items() if k != "roads"}, "septic_outskirts": 2027, "sewer_network": 2029}
    assert wi.changes(choice) == {"measures": {"sewer_network": {"start": 2029},
                                               "septic_outskirts": {"start": 2027},
                                               "roads": {"start": None}}}


# --- the dashboard -------------------------------------------------------------------------------------

def test_dashboard_shows_the_draft(dashboard, result):
    d = dashboard
    assert d.preset.value == "plan" and d.choice() == result.plan.starts
    for k, y in enumerate(result.space.years):
        assert cell(d, f"left-{y}") == format_number(result.plan.left()[k], 1, "ru")
    assert "В 2026 году не хватит 13 672,8 тыс. сом" in text(d.verdict.value)
    assert "Очистные сооружения канализации (13 173,9)" in text(d.verdict.value)
    # the draft starts the network in the year the plant is finished
    assert ("«Канализационные сети, 1-я очередь» можно начать только после окончания "
            "«Очистные сооружения канализации» (2028 г.)") in text(d.rules.value)
    assert "Стимулирующий грант" in d.rules.value
    svg = d.chart.value
    assert svg.startswith("<svg") and svg.count('class="okmo-negative"') == 3  # 2026, 2027 and 2028 in red
    assert 'data-okmo="bar-2026" class="okmo-negative"' in svg and "#c0392b" in svg
    assert "http" not in svg.replace("http://www.w3.org/2000/svg", "")
    assert "Места в детских садах" in d.indicators.value and 'data-okmo="indicator-kindergarten_places">660<' \
        in d.indicators.value
    assert "уязвимые группы — 11 890 (6,6 %)" in text(d.people.value)
    assert "21 500,0 тыс. сом" in text(d.people.value)
    # committed: locked in, shown as such
    assert d.switches["park"].disabled and d.switches["park"].value and d.starts["park"].disabled
    assert "законтрактовано" in d.texts["park"].value
    # sorted by priority, shown
    assert next(iter(d.switches)) == "sewer_plant" and "приоритет 90" in d.texts["sewer_plant"].value


def test_toggling_a_measure_updates_everything(dashboard, wi):
    d = dashboard
    before = d.outputs.left.copy()
    d.switches["roads"].value = False
    assert d.preset.value == "*" and d.starts["roads"].disabled
    np.testing.assert_allclose(d.outputs.left - before, local(wi, "roads", 2027), atol=1e-9)
    assert cell(d, "left-2027") == format_number(before[1] + 20000, 1, "ru") == "-4\u00a0717,2"
    assert 'data-okmo="indicator-roads_good">35<' in d.indicators.value
    d.starts["sewer_network"].value = 2029
    assert "можно начать только после" not in d.rules.value
    d.switches["sewer_plant"].value = False
    assert ("«Канализационные сети, 1-я очередь» требует «Очистные сооружения канализации», "
            "а его нет в выборе") in text(d.rules.value)
    d.switches["kindergarten_annex"].value = True
    assert "«Новый детский сад на 120 мест» и «Пристройка к детскому саду на 60 мест» несовместимы" in \
        text(d.rules.value) or "«Пристройка к детскому саду на 60 мест» и «Новый детский сад на 120 мест»" in \
        text(d.rules.value)
    d.reset.click()
    assert d.preset.value == "plan" and d.choice() == wi.draft
    np.testing.assert_array_equal(d.outputs.left, before)


def test_optimal_preset_sets_the_switches(dashboard, result):
    d = dashboard
    d.preset.value = "optimal"
    assert d.choice() == result.optimal.starts
    assert d.starts["kindergarten_annex"].value == 2030 and not d.switches["septic_outskirts"].value
    assert "Всё помещается в бюджет" in d.verdict.value and "соблюдены" in d.rules.value
    assert 'class="okmo-negative"' not in d.chart.value


def test_language_switch(dashboard):
    d = dashboard
    d.language.value = "ky"
    assert "2026-жылы 13 672,8 миң сом жетишпейт" in text(d.verdict.value)
    d.language.value = "en"
    assert "In 2026 the budget will be 13,672.8 thousand som short" in text(d.verdict.value)
    assert d.reset.description == "Back to the draft" and "priority 90" in d.texts["sewer_plant"].value


# --- saving ------------------------------------------------------------------------------------------

def test_saved_variant_loads_as_the_choice_shown(dashboard, copied):
    d = dashboard
    baseline_bytes = copied.read_bytes()
    d.preset.value = "optimal"
    d.switches["roads"].value = False
    d.switches["lighting"].value = False
    d.switches["septic_outskirts"].value = True  # excluded by the network: a rule broken, still saved
    d.starts["septic_outskirts"].value = 2027
    shown = d.outputs
    d.file_name.value = "hearing_variant"
    path = d.save_variant()
    assert path == copied.parent / "hearing_variant.yaml"
    assert "«hearing_variant.yaml»" in d.message.value and "okmo " not in d.message.value  # the page's words
    doc = yaml.safe_load(path.read_text(encoding="utf-8"))
    assert doc["variant_of"] == "programme.yaml" and len(doc["baseline_sha256"]) == 64 and doc["saved"]
    assert set(doc["description"]) == {"ru", "ky", "en"}
    assert doc["changes"]["measures"]["roads"] == {"start": None}
    assert doc["changes"]["measures"]["septic_outskirts"] == {"start": 2027}
    assert doc["changes"]["measures"]["kindergarten"] == {"start": None}
    assert "park" not in doc["changes"]["measures"]  # unchanged measures are not written
    again = evaluate_programme(path)
    assert again.plan.starts == shown.portfolio.starts
    np.testing.assert_array_equal(again.plan.left(), shown.left)
    assert again.plan.gaps() == shown.gaps and again.plan.indicators() == shown.indicators
    # a dashboard opened on the saved file starts from the choice saved
    reopened = ProgrammeHearingDashboard(path, "ru")
    assert reopened.choice() == shown.portfolio.starts and reopened.table.value == d.table.value
    # never overwrites; the baseline is untouched; no temporary files left
    before = path.read_text(encoding="utf-8")
    d.file_name.value = "hearing_variant"
    assert d.save_variant() is None
    assert "уже есть файл «hearing_variant.yaml»" in d.message.value
    assert path.read_text(encoding="utf-8") == before
    assert copied.read_bytes() == baseline_bytes
    assert [p.name for p in copied.parent.iterdir() if p.name.startswith(".")] == []


def test_nothing_to_save_as_drafted(dashboard, copied):
    assert dashboard.save_variant() is None
    assert "сохранять нечего" in dashboard.message.value
    assert sorted(p.name for p in copied.parent.iterdir()) == ["budget.yaml", "programme.yaml"]


# --- okmo hearing ----------------------------------------------------------------------------------------

def test_okmo_hearing_explains_a_broken_programme_in_the_terminal(copied, monkeypatch, capsys):
    from okmo_models.cli import main
    from okmo_models.hearing import serve

    text_ = copied.read_text(encoding="utf-8").replace("requires: [sewer_plant]", "requires: [sewer_plants]")
    copied.write_text(text_, encoding="utf-8")
    def never(*_, check=None, **__):  # `okmo hearing` checks the file before or while the server starts
        if check is not None:
            check()
        pytest.fail("the dashboard must not start")

    monkeypatch.setattr(serve, "serve", never)
    assert main(["hearing", str(copied), "--no-browser"]) == 2
    assert "sewer_plants" in capsys.readouterr().err


def test_okmo_hearing_serves_a_programme(monkeypatch):
    from okmo_models.cli import main
    from okmo_models.hearing import serve

    calls = []
    monkeypatch.setattr(serve, "serve",
                        lambda path, lang, port, open_browser, check=None: calls.append((path, lang)) or 0)
    assert main(["hearing", str(PROGRAMME), "--no-browser", "--lang", "en"]) == 0
    assert calls == [(PROGRAMME, "en")]


def test_dispatch_by_file_kind(monkeypatch, dashboard, copied):
    from okmo_models.hearing.choose import hearing_dashboard_from_environment

    monkeypatch.setenv("OKMO_HEARING_SCENARIO", str(PROGRAMME))
    assert isinstance(hearing_dashboard_from_environment(), ProgrammeHearingDashboard)
    dashboard.switches["roads"].value = False
    dashboard.file_name.value = "v.yaml"
    monkeypatch.setenv("OKMO_HEARING_SCENARIO", str(dashboard.save_variant()))  # a variant file
    assert isinstance(hearing_dashboard_from_environment(), ProgrammeHearingDashboard)


# --- the served page in a real browser ---------------------------------------------------------------



@browser
def test_served_programme_dashboard_is_offline_and_live(copied):
    with served_page(copied, "ru", height=1200) as page:
        left = page.locator('td[data-okmo="left-2027"]')
        left.wait_for(timeout=90_000)
        assert left.inner_text() == "-24\u00a0717,2"
        body = page.locator("body").inner_text().replace("\xa0", " ")
        assert "hearing_dashboard_from_environment" not in body and "import" not in body  # no code shown
        assert "В 2026 году не хватит 13 672,8 тыс. сом" in body
        # switch the road repair off: 20 000 thousand som of 2027 come back
        page.locator(".okmo-measure-roads input[type=checkbox]").click()
        page.wait_for_function(
            "() => document.querySelector('td[data-okmo=\"left-2027\"]').innerText === '-4\u00a0717,2'",
            timeout=20_000)
        assert page.locator('svg [data-okmo="left-2027"]').text_content() == "\u22124\u00a0717,2"  # the chart's label has a real minus
        ARTIFACTS.mkdir(exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / "programme_hearing_dashboard.png"), full_page=True)

"""The skeleton the three hearing dashboards share: the dashboard of a file's kind, the
language switch, saving, and messages shown as text (a user's or a file's words never run
as HTML in the hearing's browser)."""

import shutil

import pytest

from okmo_models.examples import example_path
from okmo_models.hearing.base import HearingDashboardBase
from okmo_models.kinds import KINDS
from okmo_models.hearing.budget_dashboard import BudgetHearingDashboard
from okmo_models.hearing.choose import dashboard_for, hearing_dashboard_from_environment
from okmo_models.hearing.dashboard import HearingDashboard
from okmo_models.hearing.programme_dashboard import ProgrammeHearingDashboard

FILES = {  # kind -> the example shown, its folder's files copied with it
    "tariff": ("teploklyuchenka/waste.yaml", HearingDashboard),
    "budget": ("kok-jar/budget.yaml", BudgetHearingDashboard),
    "programme": ("alamudun/programme.yaml", ProgrammeHearingDashboard),
}
SCRIPT = "<script>alert(1)</script>"


def copied(kind: str, tmp_path):
    """The example of ``kind`` copied with its neighbours (a history table, the budget file a
    programme reads), so that saved variants land in tmp_path."""
    source = example_path(FILES[kind][0])
    for f in source.parent.iterdir():
        if f.is_file() and f.suffix in (".yaml", ".csv"):
            shutil.copy(f, tmp_path / f.name)
    return tmp_path / source.name


@pytest.fixture(params=list(FILES))
def dashboard(request, tmp_path):
    return dashboard_for(copied(request.param, tmp_path), "ru")


def some_control(d):
    """A control whose move recomputes the dashboard."""
    if isinstance(d, HearingDashboard):
        return d.fuel, 10.0
    if isinstance(d, BudgetHearingDashboard):
        return d.inflation, 1.0
    mid = next(m for m, box in d.switches.items() if not box.disabled and box.value)
    return d.switches[mid], False


def test_a_file_gets_the_dashboard_of_its_kind(tmp_path):
    assert set(KINDS) == set(FILES)
    for kind, (_, cls) in FILES.items():
        (tmp_path / kind).mkdir()
        d = dashboard_for(copied(kind, tmp_path / kind), "en")
        assert type(d) is cls and isinstance(d, HearingDashboardBase) and d.lang == "en"


def test_without_a_file_the_bundled_example_is_shown(monkeypatch):
    monkeypatch.delenv("OKMO_HEARING_SCENARIO", raising=False)
    d = hearing_dashboard_from_environment()
    assert isinstance(d, HearingDashboard) and d.path == example_path("teploklyuchenka/waste.yaml")


def test_the_language_switch_relabels_the_shared_widgets(dashboard):
    title, presets = dashboard.title.value, dashboard.preset and dashboard.preset.options
    dashboard.language.value = "en"
    assert dashboard.lang == "en" and dashboard.title.value != title
    assert dashboard.save.description == "Save this variant" and dashboard.language.description == "Language"
    if dashboard.preset is not None:  # the preset names follow, the choice stays
        assert dashboard.preset.options != presets and dashboard.preset.value == dashboard.baseline_preset
    dashboard.language.value = "ru"
    assert dashboard.title.value == title and (dashboard.preset is None or dashboard.preset.options == presets)


def test_an_error_quoting_a_value_is_shown_as_text(dashboard, monkeypatch):
    # failed before the tariff dashboard escaped its messages: the raw tag reached the page
    def broken(*_):
        raise ValueError(f"no such category: {SCRIPT}")

    monkeypatch.setattr(dashboard.whatif, "outputs", broken)
    control, value = some_control(dashboard)
    control.value = value
    assert "&lt;script&gt;" in dashboard.message.value and "<script>" not in dashboard.message.value


def test_a_typed_file_name_is_shown_as_text(dashboard):
    control, value = some_control(dashboard)
    control.value = value
    assert dashboard.message.value == ""
    dashboard.file_name.value = "<b>variant.yaml"
    path = dashboard.save_variant()
    assert path is not None and path.name == "<b>variant.yaml", dashboard.message.value
    assert "okmo-ok" in dashboard.message.value
    assert "&lt;b&gt;variant.yaml" in dashboard.message.value and "<b>" not in dashboard.message.value


def test_a_municipality_name_is_shown_as_text(tmp_path):
    # failed before: the tariff dashboard's title put the file's name into the page as HTML
    path = copied("tariff", tmp_path)
    d = HearingDashboard(path, "ru")
    name = d.whatif.scenario.municipality.name.ru
    path.write_text(path.read_text(encoding="utf-8").replace(name, name + " <b>"), encoding="utf-8")
    d = HearingDashboard(path, "ru")
    assert f"{name} &lt;b&gt;" in d.title.value and "<b>" not in d.title.value

"""The skeleton the three hearing dashboards share: the dashboard of a file's kind, the
language switch, saving, and messages shown as text (a user's or a file's words never run
as HTML in the hearing's browser)."""

import re
import shutil

import ipywidgets as w
import pytest

from okmo_models.examples import example_path
from okmo_models.hearing.base import HearingDashboardBase
from okmo_models.hearing.budget_dashboard import BudgetHearingDashboard
from okmo_models.hearing.choose import dashboard_for, hearing_dashboard_from_environment
from okmo_models.hearing.dashboard import HearingDashboard
from okmo_models.hearing.programme_dashboard import ProgrammeHearingDashboard
from okmo_models.kinds import KINDS

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
    # the monthly review's read-only dashboard is tested in test_monitoring_dashboard.py
    assert {name for name, kind in KINDS.items() if kind.dashboard} == set(FILES) | {"monitoring"}
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
    assert dashboard.save.description == "Save this variant" and "Language" in dashboard.language_label.value
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


# --- the hall's layout and saving (issue 17) ----------------------------------------------------

CONTROLS = (w.FloatSlider, w.IntSlider, w.Dropdown, w.Text, w.Button, w.Checkbox)


def widgets(view):
    yield view
    for child in getattr(view, "children", ()):
        yield from widgets(child)


def px(size) -> float:
    return float(size[:-2]) if isinstance(size, str) and size.endswith("px") else 0.0


@pytest.mark.parametrize("lang", ["ru", "ky"])
@pytest.mark.parametrize("kind", list(FILES))
def test_every_control_is_named_above_it_and_wide_enough(kind, lang, tmp_path):
    """Failed before: names beside the controls squeezed the sliders (33, 0 and 1 px at
    1366×768 in Russian), drop-downs and the file name were 6.5-9 em wide."""
    d = dashboard_for(copied(kind, tmp_path), lang)
    controls = [x for x in widgets(d.view) if isinstance(x, CONTROLS)]
    assert len(controls) >= 5
    for control in controls:
        # a button or a check box says what it does; every other control is named above it
        if not isinstance(control, (w.Button, w.Checkbox)):
            assert control.description == "", control.description
            # a programme's start year stands under its measure's switch, beside its name
            label = d.control_labels.get(control) or next(d.texts[m] for m, x in d.starts.items() if x is control)
            assert re.sub("<[^>]+>", "", label.value).strip()
        assert max(px(control.layout.min_width), px(control.layout.width)) >= 200, (control, control.layout)
    for slider in (x for x in controls if isinstance(x, (w.FloatSlider, w.IntSlider))):
        assert slider.readout is False and slider in d.readouts  # our own readout, in the reader's format
        assert slider.layout.flex and "1 1" in slider.layout.flex  # takes the column's width


@pytest.mark.parametrize("kind", ["tariff", "budget"])  # the programme has switches, no sliders
def test_no_minus_zero_and_no_english_numbers_at_rest(kind, tmp_path):
    # failed before: the sliders printed "−0" and "+0" at rest, "1,000,000" in Russian
    dashboard = dashboard_for(copied(kind, tmp_path), "ru")
    assert len(dashboard.readouts) >= 5
    for value, okmo, _ in dashboard.readouts.values():
        number = re.search(r'data-okmo="[^"]+">([^<]*)<', value.value).group(1)
        assert not re.fullmatch(r"[−+-]0([,.]0+)?", number) and not re.search(r"\d[.,]\d{3}[.,]", number), number
        assert "." not in number, (okmo, number)


def moved(d):
    control, value = some_control(d)
    control.value = value
    assert d.message.value == "", d.message.value


def test_a_second_save_gets_a_new_name(dashboard, tmp_path):
    # failed before: the second save from the same page was refused until the name was retyped
    moved(dashboard)
    first_name = dashboard.file_name.value
    first = dashboard.save_variant()
    assert first is not None and first.name == first_name and "okmo-ok" in dashboard.message.value
    assert dashboard.file_name.value != first_name and not (tmp_path / dashboard.file_name.value).exists()
    second = dashboard.save_variant()
    assert second is not None and second != first and first.exists() and second.exists()
    assert "--force" not in dashboard.message.value and "okmo " not in dashboard.message.value


def test_a_taken_name_is_refused_in_the_page_s_words(dashboard, tmp_path):
    # failed before: the refusal advised "--force", a command-line flag a browser does not have
    moved(dashboard)
    (tmp_path / "taken.yaml").write_text("# someone's file\n", encoding="utf-8")
    dashboard.file_name.value = "taken.yaml"
    assert dashboard.save_variant() is None
    message = dashboard.message.value
    assert "--force" not in message and "okmo-message" in message
    assert "«taken.yaml»" in message and "Введите другое имя файла" in message
    assert (tmp_path / "taken.yaml").read_text(encoding="utf-8") == "# someone's file\n"
    dashboard.language.value = "ky"
    assert dashboard.save_variant() is None and "башка атын жазып" in dashboard.message.value


IMG = "<img src=x onerror=alert(1)>"


def test_an_html_file_name_is_shown_as_text_saved_or_refused(dashboard):
    moved(dashboard)
    dashboard.file_name.value = IMG
    path = dashboard.save_variant()
    assert path is not None and path.name == IMG + ".yaml", dashboard.message.value
    assert "&lt;img src=x onerror=alert(1)&gt;" in dashboard.message.value and "<img" not in dashboard.message.value
    dashboard.file_name.value = IMG  # taken now: refused, still as text
    assert dashboard.save_variant() is None
    assert "&lt;img" in dashboard.message.value and "<img" not in dashboard.message.value


def test_a_folder_one_may_not_write_to_is_said_in_the_page(dashboard, monkeypatch):
    """Failed before: an OSError (no permission, a full disk) left the page without a word."""
    import errno

    from okmo_models.hearing import base

    def refused(*_):
        raise PermissionError(errno.EACCES, "Permission denied")

    monkeypatch.setattr(base, "write_variant_file", refused)
    moved(dashboard)
    assert dashboard.save_variant() is None
    assert "нельзя записывать" in dashboard.message.value and "Permission" not in dashboard.message.value

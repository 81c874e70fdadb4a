"""The municipality overview at a hearing (`okmo hearing FOLDER`, issue 19).

Every figure on the page is read back from its HTML and compared with `okmo overview FOLDER
--format json` of the same folder; the Russian and Kyrgyz pages hold no English word, code,
id or file name; what the files disagree on is said in words; a file that cannot be computed
is named by its kind, never by its file name. One browser test serves a folder through Voilà.
"""

from __future__ import annotations

import html as html_module
import json
import re
import shutil
from html.parser import HTMLParser

import pytest
from conftest import ARTIFACTS, SCENARIOS, browser, served_page
from reader_language import foreign_words

from okmo_models.cli import main
from okmo_models.hearing.choose import dashboard_for, hearing_dashboard_from_environment
from okmo_models.hearing.overview_dashboard import OverviewDashboard
from okmo_models.municipality.overview import overview

FOLDERS = ("alamudun", "teploklyuchenka")
BUDGET_ROWS = ("revenue", "expenditure", "tariffs", "balance", "space", "programme_local", "left")


def copy_folder(name: str, target):
    """A snapshot of a bundled municipality folder: the page and the command read the same files."""
    shutil.copytree(SCENARIOS / name, target / name)
    return target / name


@pytest.fixture(scope="module", params=FOLDERS)
def folder(request, tmp_path_factory):
    return copy_folder(request.param, tmp_path_factory.mktemp("overview"))


@pytest.fixture(scope="module")
def dashboard(folder):
    return OverviewDashboard(folder, "ru")


def command_json(folder, lang: str, capsys) -> dict:
    """What `okmo overview FOLDER --format json --lang LANG` prints."""
    capsys.readouterr()
    assert main(["overview", str(folder), "--format", "json", "--lang", lang]) == 0
    return json.loads(capsys.readouterr().out)


def figures(html: str) -> dict[str, str]:
    """Every figure of the page: its data-okmo name and its text (each holds text only)."""
    found = re.findall(r'data-okmo="([^"]+)"[^>]*>([^<]*)<', html)
    names = [name for name, _ in found]
    assert len(names) == len(set(names)), "a figure named twice"
    return {name: html_module.unescape(text) for name, text in found}


def number(text: str, lang: str) -> float:
    """A figure as the reader reads it: ``−1 234,5`` (ru, ky), ``-1,234.5`` (en), ``66,9 %``."""
    text = text.replace("\u00a0", "").replace(" ", "").replace("\u2212", "-").rstrip("%")
    text = text.replace(",", "") if lang == "en" else text.replace(",", ".")
    return float(text)


class PageText(HTMLParser):
    """The text a reader sees: every text node (SVG labels too), styles left out."""

    def __init__(self):
        super().__init__()
        self.parts, self.skip = [], False

    def handle_starttag(self, tag, attrs):
        self.skip = tag == "style"

    def handle_endtag(self, tag):
        self.skip = False

    def handle_data(self, data):
        if not self.skip:
            self.parts.append(data)


def page_text(d: OverviewDashboard) -> str:
    parser = PageText()
    parser.feed(d.title.value + d.language_label.value + d.board.value)
    return " ".join(parser.parts + list(d.language.options))


def expected_figures(data: dict) -> dict[str, tuple[float | None, int]]:
    """The figures the page must show, from the command's JSON: name -> (value, decimals)."""
    out = {}
    needs = data["needs"]
    if needs:
        out["needs-total"] = (len(needs), 0)
        out["needs-unfunded"] = (sum(not n["funded"] for n in needs), 0)
    count = len(data["inconsistencies"]) + len(data["failed"])
    if count:
        out["disagree-count"] = (count, 0)
    for i, s in enumerate(data["services"], 1):
        out[f"service-{i}-year"] = (s["year"], 0)
        out[f"service-{i}-tariff"] = (s["tariff_som"], 2)
        out[f"service-{i}-justified"] = (s["justified_som"], 2)
        out[f"service-{i}-recovery"] = (s["cost_recovery"] * 100, 1)
        out[f"service-{i}-budget"] = (s["subsidy_som"] + s["discounts_som"], 2)
        if s["reached_year"]:
            out[f"service-{i}-reached"] = (s["reached_year"], 0)
    b = data["budget"]
    if b is not None:
        for key in BUDGET_ROWS:
            for y, v in zip(b["years"], b[key] or []):
                out[f"budget-{key}-{y}"] = (v, 1)
        chart = b["left"] if b["left"] is not None else b["balance"]
        for y, v in zip(b["years"], chart):
            if v is not None:
                out[f"left-{y}"] = (v, 1)
    for n in needs:
        r = n["rank"]
        out[f"need-{r}-rank"] = (r, 0)
        out[f"need-{r}-cost"] = (n["cost"], 0)
        for k, m in enumerate(n["measures"], 1):
            if m["plan"] is not None:
                out[f"need-{r}-start-{k}"] = (m["plan"], 0)
    return out


@pytest.mark.parametrize("lang", ["ru", "ky", "en"])
def test_every_figure_is_the_commands(dashboard, folder, lang, capsys):
    data = command_json(folder, lang, capsys)
    dashboard.language.value = lang
    shown = figures(dashboard.board.value)
    expected = expected_figures(data)
    words = {k for k in shown if re.fullmatch(r"need-\d+-unfunded|disagree-\d+|consistent", k)}
    bars = {k for k in shown if k.startswith("bar-")}  # the chart's bars: no text
    assert set(shown) - set(words) - bars == set(expected)
    for name, (value, decimals) in expected.items():
        text = shown[name]
        if value is None:
            assert text == "—", name
            continue
        assert abs(number(text, lang) - value) <= 0.5 * 10 ** -decimals + 1e-9, (name, text, value)
        if lang != "en" and abs(value) >= 1000 and not name.endswith(("year", "rank", "reached")) \
                and not re.search(r"-start-\d+$", name):
            assert "\u00a0" in text, (name, text)  # thousands never split across lines
    # the needs not funded are marked, and only those
    assert {k for k in words if k.startswith("need-")} == {
        f"need-{n['rank']}-unfunded" for n in data["needs"] if not n["funded"]}
    assert all(shown[k] == "не финансируется" for k in words if k.startswith("need-")) or lang != "ru"
    # what disagrees, in the overview's words (a message naming a file's field in the hall's)
    said = [shown[f"disagree-{k}"] for k in range(1, len(dashboard.disagreements()) + 1)]
    assert said == dashboard.disagreements()
    for text, found, item in zip(said, dashboard.overview.inconsistencies, data["inconsistencies"]):
        if not found.key.startswith(("mu_subsidy_not_in_budget", "mu_assets_twice")):
            assert text == item["text"]
    if not said:
        assert "consistent" in shown


@pytest.mark.parametrize("lang", ["ru", "ky"])
def test_the_page_is_wholly_in_the_readers_language(dashboard, lang):
    dashboard.language.value = lang
    text = page_text(dashboard)
    assert foreign_words(text) == {}, foreign_words(text)


@pytest.mark.parametrize("lang", ["ru", "ky", "en"])
def test_no_file_name_path_or_id_on_the_page(dashboard, folder, lang):
    dashboard.language.value = lang
    text = page_text(dashboard)
    data = dashboard.overview.to_dict(lang)
    ids = {f["file"] for f in data["inputs"]} | {s["file"] for s in data["services"]}
    ids |= {n["object"] for n in data["needs"]} | {n["settlement"] for n in data["needs"]}
    ids |= {m["measure"] for n in data["needs"] for m in n["measures"]}
    ids |= {p for i in data["inconsistencies"] for p in i["places"]}
    for name in ids:
        # an id that is an English word ("roads") may be said in English, never as the id
        if lang != "en" or not re.fullmatch(r"[a-z]+", name):
            assert not re.search(rf"(?<![\w.]){re.escape(name)}(?![\w])", text), name
    assert ".yaml" not in text and str(folder) not in text and folder.name not in text


def test_the_language_switch_redraws_in_that_language(dashboard, folder):
    dashboard.language.value = "ky"
    fresh = OverviewDashboard(folder, "ky", result=dashboard.overview)
    assert dashboard.board.value == fresh.board.value
    assert dashboard.title.value == fresh.title.value
    assert "Коомдук угуулар" in dashboard.title.value


def test_a_folder_gets_the_overview(monkeypatch, tmp_path):
    folder = copy_folder("teploklyuchenka", tmp_path)
    assert isinstance(dashboard_for(folder, "ky"), OverviewDashboard)
    monkeypatch.setenv("OKMO_HEARING_SCENARIO", str(folder))  # as `okmo hearing FOLDER` starts Voilà
    monkeypatch.setenv("OKMO_LANG", "en")
    d = hearing_dashboard_from_environment()
    assert isinstance(d, OverviewDashboard) and d.lang == "en"


def test_disagreements_in_words_a_broken_file_by_its_kind_names_escaped(tmp_path):
    """The budget does not finance the waste subsidy and the dipping bath types its assets
    again: both said in words (no field named); a broken programme
    is named as "the development programme", not by its file; a name with markup is text."""
    folder = copy_folder("teploklyuchenka", tmp_path)
    budget = (folder / "budget.yaml").read_text("utf-8")
    (folder / "budget.yaml").write_text(re.sub(r"(?m)^plans:\n(?:  .*\n)+", "", budget), "utf-8")
    bath = (folder / "dipping_bath.yaml").read_text("utf-8")
    (folder / "dipping_bath.yaml").write_text(bath.replace("assets_from: passport.yaml\n", ""), "utf-8")
    passport = (folder / "passport.yaml").read_text("utf-8")
    (folder / "passport.yaml").write_text(
        passport.replace("name: {ru: Дом культуры,", 'name: {ru: "Дом <b>культуры</b> & клуб",'), "utf-8")
    (folder / "programme.yaml").write_text((folder / "programme.yaml").read_text("utf-8") + "\nno_such_field: 1\n",
                                           "utf-8")
    result = overview(folder)
    keys = {i.key for i in result.inconsistencies}
    assert {"mu_subsidy_not_in_budget", "mu_assets_twice"} <= keys
    assert list(result.model.failed) == [folder / "programme.yaml"]
    d = OverviewDashboard(folder, "ru", result=result)
    said = d.disagreements()
    assert any("ни одна статья бюджета его не финансирует" in x for x in said)
    assert any("чтобы не вводить их дважды" in x for x in said)
    assert not [x for x in said if re.search(r"plans|assets_from", x)]
    assert said[-1].startswith("Программа развития: расчёт не удался")
    assert "Дом &lt;b&gt;культуры&lt;/b&gt; &amp; клуб" in d.board.value and "<b>культуры" not in d.board.value
    # without a programme the budget shows its balance, and no programme rows
    shown = figures(d.board.value)
    b = result.to_dict("ru")["budget"]
    assert {f"left-{y}" for y in b["years"]} <= set(shown) and not any(k.startswith("budget-left") for k in shown)
    for lang in ("ru", "ky"):
        d.language.value = lang
        text = page_text(d)
        assert foreign_words(text) == {}, foreign_words(text)
        assert "programme.yaml" not in text and "budget.yaml" not in text and "plans" not in text
    d.language.value = "ky"
    assert any("бюджеттин бир да беренеси аны каржылабайт" in x for x in d.disagreements())


def test_a_folder_with_one_tariff_says_what_is_not_there(tmp_path):
    """No budget, no passport, no programme: the tariff is shown, the rest said missing in words."""
    folder = copy_folder("ak-bulak", tmp_path)
    d = OverviewDashboard(folder, "ky")
    data = d.overview.to_dict("ky")
    assert len(data["services"]) == 1 and data["budget"] is None and data["needs_unit"] is None
    shown = figures(d.board.value)
    assert set(shown) - {"disagree-1"} == set(expected_figures(data))
    # the water tariff asks for a subsidy no budget gives: said as the overview says it
    assert [i["text"] for i in data["inconsistencies"]] == [shown["disagree-1"]]
    text = page_text(d)
    assert "Муниципалитеттин бюджети бул жерде жок." in text and "Калктуу конуштун паспорту бул жерде жок." in text
    assert foreign_words(text) == {}, foreign_words(text)


@browser
def test_served_overview_is_the_commands_and_offline(tmp_path, capsys):
    folder = copy_folder("alamudun", tmp_path)
    data = command_json(folder, "ky", capsys)
    expected = expected_figures(data)
    with served_page(folder, "ky", height=1080) as page:
        page.locator('[data-okmo="needs-total"]').wait_for(timeout=120_000)
        shown = dict(page.evaluate("""() => Array.from(document.querySelectorAll('[data-okmo]')).map(
            e => [e.getAttribute('data-okmo'), (e.innerText ?? e.textContent).trim()])"""))
        for name, (value, decimals) in expected.items():
            text = shown[name]
            assert (text == "—") if value is None else abs(number(text, "ky") - value) <= 0.5 * 10 ** -decimals + 1e-9
        body = page.locator("body").inner_text()
        assert "import" not in body and "hearing_dashboard_from_environment" not in body  # no code shown
        assert foreign_words(body) == {}, foreign_words(body)
        ARTIFACTS.mkdir(exist_ok=True)
        for width, height in ((1920, 1080), (1366, 768)):
            page.set_viewport_size({"width": width, "height": height})
            page.wait_for_timeout(500)
            page.screenshot(path=str(ARTIFACTS / f"overview_hearing_{width}.png"))

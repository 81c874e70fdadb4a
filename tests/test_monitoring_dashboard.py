"""The monthly review on screen (`okmo hearing monitoring.yaml`, issue 20), without a browser.

Every figure of every tab is read back from its HTML and compared with `okmo monitoring FILE
--format json` of the same file and month; the light is a word and a colour; the Russian and
Kyrgyz pages hold no English word, code or id; choosing another month shows that month's
review (the command's with --month) and choosing the file's month again restores every
figure. The browser test is tests/test_monitoring_browser.py.
"""

from __future__ import annotations

import csv
import datetime as dt
import html as html_module
import io
import json
import re
import shutil
from html.parser import HTMLParser

import pytest
from conftest import SCENARIOS
from reader_language import foreign_words

from okmo_models.cli import main
from okmo_models.hearing.choose import dashboard_for
from okmo_models.hearing.monitoring_dashboard import MonitoringDashboard
from okmo_models.i18n import t
from okmo_models.monitoring.periods import period_label

EXAMPLES = ("teploklyuchenka", "alamudun")
# what follows an indicator's id in the name of one of its figures
SUFFIX = re.compile(r"-(plan|plan-so-far|so-far|forecast|score|light|reason|\d{4}-(?:\d\d|Q\d))$")
LIGHT_WORDS = {lang: {t(f"mo_light_{x}", lang): x for x in ("green", "amber", "red")} for lang in ("ru", "ky", "en")}


def copy_example(name: str, target):
    """A snapshot of a bundled municipality folder: the page and the command read the same files."""
    shutil.copytree(SCENARIOS / name, target / name)
    return target / name / "monitoring.yaml"


@pytest.fixture(scope="module", params=EXAMPLES)
def path(request, tmp_path_factory):
    return copy_example(request.param, tmp_path_factory.mktemp("monitoring"))


@pytest.fixture(scope="module")
def dashboard(path):
    return MonitoringDashboard(path, "ru")


def command_json(path, lang: str, capsys, month: str | None = None) -> dict:
    """What `okmo monitoring FILE --format json --lang LANG [--month M]` prints."""
    capsys.readouterr()
    assert main(["monitoring", str(path), "--format", "json", "--lang", lang,
                 *(["--month", month] if month else [])]) == 0
    return json.loads(capsys.readouterr().out)


def page_html(d: MonitoringDashboard) -> str:
    return d.board.value + "".join(html.value for html in d.parts.values())


def figures(html: str) -> dict[str, str]:
    """Every figure of the page: its data-okmo name and its text (each holds text only)."""
    found = re.findall(r'data-okmo="([^"]+)"[^>]*>([^<]*)<', html)
    names = [html_module.unescape(name) for name, _ in found]
    assert len(names) == len(set(names)), "a figure named twice"
    return {html_module.unescape(name): html_module.unescape(text) for name, text in found}


def number(text: str, lang: str) -> float:
    """A figure as the reader reads it: ``−1 234,5`` (ru, ky), ``-1,234.5`` (en), ``66,9 %``."""
    text = re.sub(r"[^\d,.\-\u2212+]", "", text).replace("\u2212", "-")
    text = text.replace(",", "") if lang == "en" else text.replace(",", ".")
    return float(text)


def decimals(text: str, lang: str) -> int:
    mark = "." if lang == "en" else ","
    m = re.search(rf"\{mark}(\d+)", text)
    return len(m.group(1)) if m else 0


def close(text: str, value: float, lang: str) -> bool:
    """``text`` shows ``value`` to the decimals it is written with."""
    return abs(number(text, lang) - value) <= 0.5 * 10 ** -decimals(text, lang) + 1e-9


class PageText(HTMLParser):
    """The text a reader sees: every text node, styles left out."""

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


def page_text(d: MonitoringDashboard) -> str:
    parser = PageText()
    parser.feed(d.title.value + d.month_label.value + d.language_label.value + page_html(d))
    return " ".join(parser.parts + [label for label, _ in d.month.options] + list(d.language.options)
                    + list(d.tabs.titles))


def shown_indicators(data: dict) -> list[dict]:
    """The indicators a section tab shows in its table: all but those without any actual."""
    return [a for a in data["indicators"] if not (a["reported"] == 0 and a["kind"] != "ratio")]


def check_indicator(shown: dict, prefix: str, a: dict, lang: str) -> None:
    """The figures of one indicator's row against the command's JSON."""
    okmo = prefix + a["id"]
    percent = a["unit"] == "share"
    for name, key in (("plan", "plan"), ("plan-so-far", "plan_so_far"), ("so-far", "so_far"),
                      ("forecast", "forecast")):
        text, value = shown[f"{okmo}-{name}"], a[key]
        if value is None:
            assert text == "—", (okmo, name, text)
            continue
        assert close(text, value * 100 if percent else value, lang), (okmo, name, text, value)
        # to the unit's precision: a share to 0.1 %, som whole, thousand som to 100 som
        want = {"share": 1, "som": 0, "thousand_som": 1, "million_som": 1}.get(a["unit"])
        if want is not None:
            assert decimals(text, lang) == want, (okmo, name, text)
        if lang != "en" and abs(value) >= 1000 and not percent:
            assert "\u00a0" in text or " " not in text, (okmo, text)  # thousands never split across lines
    light = shown[f"{okmo}-light"]
    if a["light"] is None:
        assert light == t(f"mo_why_{a['why_no_light']}", lang)
    else:
        assert LIGHT_WORDS[lang][light] == a["light"]
    score = shown[f"{okmo}-score"]
    if a["light"] is not None and a["score"] is not None:
        if a["direction"] == "near":
            assert close(score, (a["forecast"] / a["plan"] - 1) * 100, lang), (okmo, score)
        else:
            assert close(score, a["score"] * 100, lang), (okmo, score)
    if a["reason"]:  # a reason written for an earlier month says so
        as_of = a.get("reason_as_of")
        assert shown[f"{okmo}-reason"] == (t("mo_reason_as_of", lang, reason=a["reason"],
                                             period=period_label(as_of, lang)) if as_of else a["reason"])


def check_page(d: MonitoringDashboard, data: dict, lang: str) -> dict:
    """Every figure of every tab is the command's (``data``); returns the figures."""
    return check_figures(figures(page_html(d)), data, lang)


def check_figures(shown: dict, data: dict, lang: str) -> dict:
    """``shown`` (data-okmo name -> text) are the figures of the command's ``data``, all of them."""
    meeting = data["meeting"]
    if lang != "en":
        assert shown["meeting"] == f"{meeting[8:]}.{meeting[5:7]}.{meeting[:4]}"
    for k, v in data["counts"].items():
        assert shown[f"count-{k}"] == str(v)
    behind = [a for a in data["indicators"] if a["light"] in ("amber", "red")]
    assert {SUFFIX.sub("", k[len("behind/"):]) for k in shown if k.startswith("behind/")} == {a["id"] for a in behind}
    for a in behind:
        check_indicator(shown, "behind/", a, lang)
    in_tabs = shown_indicators(data)
    for a in in_tabs:
        check_indicator(shown, "", a, lang)
        for period, v in zip(a["periods"], a["values"]):
            text = shown[f"{a['id']}-{period}"]
            assert text == "—" if v is None else close(text, v * 100 if a["unit"] == "share" else v, lang)
    # every indicator with an actual is shown, and nothing the command does not have
    assert {SUFFIX.sub("", k) for k in shown if re.match(r"(programme|tariff|budget)\.", k)} == {
        a["id"] for a in in_tabs}
    if "instructions" in data:
        ins = data["instructions"]
        for k, v in ins["counts"].items():
            assert shown[f"instructions-{k}"] == str(v)
        for which in ("overdue", "done_late", "due_soon"):
            assert {k.split("/")[1] for k in shown if k.startswith(which + "/")} == {i["id"] for i in ins[which]}
            for i in ins[which]:
                due = shown[f"{which}/{i['id']}/3"]
                assert due == f"{i['due'][8:]}.{i['due'][5:7]}.{i['due'][:4]}" or lang == "en"
                days = int(shown[f"{which}/{i['id']}/4" if which != "done_late" else f"{which}/{i['id']}/5"])
                day = dt.date.fromisoformat
                expected = {"overdue": (day(meeting) - day(i["due"])).days,
                            "done_late": (day(i["done_on"] or meeting) - day(i["due"])).days,
                            "due_soon": (day(i["due"]) - day(meeting)).days}[which]
                assert days == expected, (which, i["id"], days, expected)
    if "surveys" in data:
        s = data["surveys"]
        for e in s["estimates"]:
            said = shown[f"survey/{e['survey']}/{e['question']}/{e['group']}"]
            assert e["text"].endswith(": " + said), (said, e["text"])  # the command's line, without its heading
            if e["share"] is not None:  # the share said is the command's, in whole percent
                assert re.search(rf"(?<![\d,]){round(e['share'] * 100)}\s?%", said), said
        for c in s["changes"]:
            said = shown[f"change/{c['to']}/{c['question']}/{c['group']}"]
            assert c["text"].endswith(": " + said), (said, c["text"])
        for k, r in enumerate(s["reference"]):
            assert close(shown[f"reference-{k}"], r["share"] * 100, lang)
    return shown


@pytest.mark.parametrize("lang", ["ru", "ky", "en"])
def test_every_figure_is_the_commands(dashboard, path, lang, capsys):
    data = command_json(path, lang, capsys)
    dashboard.language.value = lang
    check_page(dashboard, data, lang)


def test_the_tabs_are_the_parts_the_file_has(dashboard, path):
    r = dashboard.result
    expected = ["behind", "instructions"] + [s for s in ("programme", "tariff", "budget") if r.section(s)]
    if r.surveys is not None:
        expected.append("surveys")
    assert dashboard.part_names == expected
    assert len(dashboard.tabs.children) == len(expected) and all(dashboard.tabs.titles)
    assert isinstance(dashboard_for(path, "ky"), MonitoringDashboard)


@pytest.mark.parametrize("lang", ["ru", "ky"])
def test_the_page_is_wholly_in_the_readers_language(dashboard, lang):
    dashboard.language.value = lang
    for month in (dashboard.months[0], dashboard.file_month):
        dashboard.month.value = month
        text = page_text(dashboard)
        assert foreign_words(text) == {}, (month, foreign_words(text))
    assert ".yaml" not in text and ".csv" not in text and ".xlsx" not in text


def test_the_light_is_a_word_and_a_colour(dashboard):
    dashboard.language.value = "ru"
    dashboard.month.value = dashboard.file_month
    lights = re.findall(r'<span class="okmo-light okmo-light-(\w+)" data-okmo="[^"]+">([^<]*)<', page_html(dashboard))
    assert {c for c, _ in lights} >= {"green", "amber", "red"}
    for colour, word in lights:
        if colour == "none":
            assert word not in LIGHT_WORDS["ru"]
        else:
            assert LIGHT_WORDS["ru"][word] == colour
    # each colour is drawn (not only the word's colour): a dot of its own before the word
    for colour in ("green", "amber", "red"):
        assert re.search(rf"\.okmo-light-{colour}::before \{{ background: #[0-9a-f]{{6}}", dashboard.css)


def test_another_month_is_that_months_review_and_back_restores_every_figure(dashboard, path, capsys):
    dashboard.language.value = "ru"
    dashboard.month.value = dashboard.file_month
    at_rest = page_html(dashboard)
    assert [m for _, m in dashboard.month.options] == dashboard.months
    assert dashboard.months[-1] == dashboard.file_month and dashboard.months[0].endswith("-01")
    other = dashboard.months[-4]
    dashboard.month.value = other
    assert dashboard.result.month == other and page_html(dashboard) != at_rest
    check_page(dashboard, command_json(path, "ru", capsys, other), "ru")
    dashboard.language.value = "ky"  # a language change keeps the month
    assert dashboard.month.value == other and dashboard.result.month == other
    dashboard.language.value = "ru"
    dashboard.month.value = dashboard.file_month
    assert page_html(dashboard) == at_rest
    # and a fresh page of the file's month shows the same
    assert page_html(MonitoringDashboard(path, "ru")) == at_rest


def test_words_from_the_tables_are_shown_as_text(tmp_path):
    """A reason or a task typed with markup is shown as typed, never read as HTML."""
    path = copy_example("teploklyuchenka", tmp_path)
    table = path.parent / "instructions.csv"
    rows = list(csv.reader(io.StringIO(table.read_text("utf-8"))))
    for row in rows[1:]:
        row[1] = f"Проверить <b>{row[0]}</b> & <script>x</script>"
        row[7] = row[7] and "Нет <i>актов</i>"
    out = io.StringIO()
    csv.writer(out).writerows(rows)
    table.write_text(out.getvalue(), "utf-8")
    d = MonitoringDashboard(path, "ru")
    html = d.parts["instructions"].value
    overdue = d.result.instructions.overdue
    assert overdue and any(i.reason for i in overdue)
    for i in overdue:
        assert f"Проверить &lt;b&gt;{i.id}&lt;/b&gt; &amp; &lt;script&gt;x&lt;/script&gt;" in html
    assert "Нет &lt;i&gt;актов&lt;/i&gt;" in html
    assert "<b>" not in html and "<script>" not in html and "<i>" not in html


def test_without_surveys_or_instructions_their_tabs_are_not_there(tmp_path):
    path = copy_example("teploklyuchenka", tmp_path)
    text = path.read_text("utf-8")
    text = re.sub(r"(?m)^(surveys|reference):\n(?:  .*\n)+", "", text)
    text = re.sub(r"(?m)^instructions: .*\n", "", text)
    path.write_text(text, "utf-8")
    d = MonitoringDashboard(path, "ky")
    assert d.result.surveys is None and d.result.instructions is None
    assert d.part_names == ["behind", "tariff", "budget"]
    assert "survey/" not in page_html(d) and "overdue/" not in page_html(d)


def test_a_month_that_cannot_be_reviewed_says_why_and_shows_no_other_months_figures(tmp_path, monkeypatch):
    """A table broken since the page opened: the month's review fails in words, no traceback,
    and the figures of the month shown before do not stay under the new month's name."""
    from okmo_models.errors import Problem, ScenarioError
    from okmo_models.hearing import monitoring_dashboard

    path = copy_example("alamudun", tmp_path)
    d = MonitoringDashboard(path, "ru")
    assert figures(page_html(d))

    def broken(p, month=None):
        raise ScenarioError(p, [Problem(path=(), key="mo_month_asked_outside", value=month, context={"year": 2027})])

    monkeypatch.setattr(monitoring_dashboard, "evaluate_monitoring", broken)
    d.month.value = d.months[0]
    assert "okmo-message" in d.message.value and "2027" in d.message.value
    assert figures(page_html(d)) == {}
    d.month.value = d.file_month  # computed before: shown again, the message gone
    assert figures(page_html(d)) and d.message.value == ""


def test_actuals_by_quarter_are_shown_by_quarter(tmp_path, capsys):
    """A table of quarters (the Alamudun example's months added up, a level at the quarter's
    end): the page shows the quarters, every figure the command's, for the file's month and
    for a month inside a quarter."""
    path = copy_example("alamudun", tmp_path)
    kinds = {a.plan.id: a.plan.kind for a in MonitoringDashboard(path, "ru").result.indicators.assessments}
    table = path.parent / "actuals.csv"
    rows = list(csv.reader(io.StringIO(table.read_text("utf-8"))))
    out = [["indicator", "unit", "2027-Q1", "2027-Q2", "2027-Q3", "2027-Q4", "reason"]]
    for row in rows[1:]:
        months = [float(v.replace(" ", "")) if v else None for v in row[2:14]]
        quarters = []
        for q in range(4):
            three = months[3 * q:3 * q + 3]
            if None in three:
                quarters.append("")
            elif kinds[row[0]] == "level":
                quarters.append(repr(three[-1]))
            else:
                quarters.append(repr(round(sum(three), 6)))
        out.append([row[0], row[1], *quarters, row[14]])
    buffer = io.StringIO()
    csv.writer(buffer).writerows(out)
    table.write_text(buffer.getvalue(), "utf-8")
    text = path.read_text("utf-8")  # the monthly profiles do not fit quarters
    path.write_text(re.sub(r"(?m)^indicators:\n(?:  .*\n)+", "", text), "utf-8")
    d = MonitoringDashboard(path, "ru")
    check_page(d, command_json(path, "ru", capsys), "ru")
    assert "<th>3 квартал 2027</th>" in d.parts["budget"].value and "сентябрь 2027" not in d.parts["budget"].value
    d.month.value = "2027-08"  # inside the third quarter: the first two reviewed
    check_page(d, command_json(path, "ru", capsys, "2027-08"), "ru")
    assert "<th>2 квартал 2027</th>" in d.parts["budget"].value and "<th>3 квартал 2027</th>" not in d.parts["budget"].value

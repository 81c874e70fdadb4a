"""The monthly review as a PDF (``okmo report monitoring.yaml``), as the meeting gets it: the
indicators behind plan with their reasons, the instructions (overdue, done late, due soon),
each plan's indicators with the light in colour and in words, the residents' satisfaction
with its margins and whether a change is more than noise, the rule and what was not assessed.
Every figure is the one ``okmo monitoring FILE --format json`` prints, in Russian, Kyrgyz and
English, with no English word or code in the first two."""

import dataclasses
import datetime as dt
import html
import re
from concurrent.futures import ThreadPoolExecutor

import pytest
from conftest import SCENARIOS, flat, needs_pdf_tools, text_of
from reader_language import foreign_words

from okmo_models import formatting
from okmo_models.i18n import t
from okmo_models.report import monitoring_sections
from okmo_models.report.build import render_report

TEPLO = SCENARIOS / "teploklyuchenka/monitoring.yaml"
ALAMUDUN = SCENARIOS / "alamudun/monitoring.yaml"
EXAMPLES = {"teploklyuchenka": TEPLO, "alamudun": ALAMUDUN}
LANGS = ("ru", "ky", "en")


def okmo_json(*args) -> dict:
    """What ``okmo ARGS`` prints, run in this process, read as JSON."""
    import contextlib
    import io
    import json

    from okmo_models.cli import main

    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        assert main([str(a) for a in args]) == 0
    return json.loads(out.getvalue())


@pytest.fixture(scope="module")
def as_json():
    """``okmo monitoring FILE --format json`` for each example and language."""
    return {(name, lang): okmo_json("--quiet", "--lang", lang, "monitoring", path, "--format", "json")
            for name, path in EXAMPLES.items() for lang in LANGS}


@pytest.fixture(scope="module")
def documents():
    return {name: monitoring_sections.read(path) for name, path in EXAMPLES.items()}


@pytest.fixture(scope="module")
def pages(documents):
    """The report's HTML, as the notebook shows it, for each example and language."""
    return {(name, lang): d.html(lang) for name, d in documents.items() for lang in LANGS}


@pytest.fixture(scope="module")
def reports(tmp_path_factory):
    """The Teploklyuchenka review printed in the three languages at the same time."""
    out = tmp_path_factory.mktemp("monitoring-reports")
    with ThreadPoolExecutor(max_workers=3) as pool:
        done = {lang: pool.submit(render_report, TEPLO, lang, out) for lang in LANGS}
        return {lang: f.result() for lang, f in done.items()}


# --- reading the HTML back ------------------------------------------------------------------------


def cell_text(raw: str) -> str:
    """The words of an HTML fragment: inline tags dropped, the others a space, spaces plain."""
    raw = re.sub(r"</?(?:span|b|i)\b[^>]*>", "", raw)
    return flat(html.unescape(re.sub(r"<[^>]+>", " ", raw)).replace("\u00a0", " ").replace("\u00ad", ""))


def rows_of(fragment: str) -> list[list[tuple[str, str]]]:
    """Every table row of an HTML fragment: its cells as (text, the cell's opening tag)."""
    out = []
    for row in re.findall(r"<tr[^>]*>(.*?)</tr>", fragment, flags=re.DOTALL):
        out.append([(cell_text(body), tag) for tag, body in re.findall(r"(<t[dh][^>]*>)(.*?)</t[dh]>", row,
                                                                         flags=re.DOTALL)])
    return out


def texts(rows) -> list[list[str]]:
    return [[c for c, _ in row] for row in rows]


def sections(page: str, document) -> dict[str, str]:
    """The HTML of each numbered section by its outline key."""
    keys = monitoring_sections.outline(document.scenario)
    found = re.findall(r'<section id="s(\d+)">(.*?)</section>', page, flags=re.DOTALL)
    assert [int(n) for n, _ in found] == list(range(1, len(keys) + 1))
    return {key: body for key, (_, body) in zip(keys, found)}


def shown(x, unit: str, lang: str) -> str:
    """A figure of the JSON as a reader of the review sees it, in the indicator's unit."""
    if x is None:
        return "—"
    if unit == "share":
        text = formatting.format_percent(x, 1, lang)
    elif unit == "som":
        text = formatting.format_number(x, 0, lang)
    elif unit in ("thousand_som", "million_som"):
        text = formatting.format_number(x, 1, lang)
    else:
        text = formatting.format_number(x, 0 if float(x).is_integer() else 2, lang)
    return text.replace("\u00a0", " ")


def plain(text: str) -> str:
    return flat(text.replace("\u00a0", " "))


def day(iso: str, lang: str) -> str:
    """A date of the JSON as the review writes dates (08.10.2027)."""
    from okmo_models.monitoring.periods import format_date

    return format_date(dt.date.fromisoformat(iso), lang)


def score(ind: dict, lang: str) -> str:
    """What the light compares, as a percentage: the forecast's share of the plan (or of the
    planned change), or its deviation from the plan either way."""
    return plain(formatting.format_percent(ind["score"], 1, lang))


# --- the indicators ------------------------------------------------------------------------------


@pytest.mark.parametrize("name", EXAMPLES)
@pytest.mark.parametrize("lang", LANGS)
def test_indicator_rows_are_those_of_the_json(name, lang, as_json, pages, documents):
    """Each indicator of the JSON is a row of its plan's section: its plan for the year, plan
    and actual so far, forecast, what the light compares and the light, in its colour; one
    with no actual yet is named under the table; the counts head the review."""
    data = as_json[name, lang]
    parts = sections(pages[name, lang], documents[name])
    key = {"programme": "mo_section_programme", "tariff": "mo_section_tariff", "budget": "mo_section_budget"}
    checked = 0
    for ind in data["indicators"]:
        part = parts[key[ind["plan_kind"]]]
        if ind["light"] is None and ind["reported"] == 0 and ind["kind"] != "ratio":
            assert plain(t("mnr_no_actuals", lang, items="")).split(":")[0] in cell_text(part), ind["id"]
            assert ind["name"] in cell_text(part), ind["id"]
            continue
        figures = [shown(ind[k], ind["unit"], lang) for k in ("plan", "plan_so_far", "so_far", "forecast")]
        light = t(f"mo_light_{ind['light']}", lang) if ind["light"] else t(f"mo_why_{ind['why_no_light']}", lang)
        matches = [row for row in rows_of(part) if row and row[0][0] == plain(ind["name"])
                   and texts([row])[0][2:6] == figures]
        assert len(matches) == 1, (ind["id"], figures, texts(rows_of(part))[:3])
        row = matches[0]
        assert row[-1][0] == plain(light), ind["id"]
        if ind["light"]:
            assert ind["score"] is None or score(ind, lang) in row[6][0], ind["id"]
            colour = monitoring_sections.LIGHT_COLOURS[ind["light"]]
            assert f"light-{ind['light']}" in row[-1][1] and colour in row[-1][1], ind["id"]
        else:
            assert "background" not in row[-1][1]
        checked += 1
    assert checked >= 6
    title = cell_text(parts["mo_section_behind"])
    assert plain(t("mo_counts", lang, **data["counts"])) in title


@pytest.mark.parametrize("name", EXAMPLES)
@pytest.mark.parametrize("lang", LANGS)
def test_behind_plan_red_first_each_with_its_reason(name, lang, as_json, pages, documents):
    data = as_json[name, lang]
    part = sections(pages[name, lang], documents[name])["mo_section_behind"]
    behind = [i for i in data["indicators"] if i["light"] in ("amber", "red")]
    assert behind, "the example has indicators behind plan"
    rows = texts(rows_of(part))
    listed = [r[0] for r in rows if len(r) > 1 and r[0] != plain(t("mo_col_indicator", lang))]
    expected = [plain(i["name"]) for i in sorted(behind, key=lambda i: i["light"] != "red")]
    assert listed == expected
    label = plain(t("mo_col_reason", lang))
    reasons = [r[0] for r in rows if len(r) == 1 and r[0].startswith(label + ":")]
    assert reasons == [plain(f"{label}: {i['reason'] or t('mo_reason_missing', lang)}")
                       for i in sorted(behind, key=lambda i: i["light"] != "red")]


def test_red_without_a_reason_says_so(documents):
    """A red indicator whose row in the table of actuals gives no reason is printed with
    "reason not given", never with an empty line."""
    result = documents["teploklyuchenka"].result
    bare = tuple(dataclasses.replace(a, reason=None) if a.light == "red" else a for a in result.indicators.assessments)
    result = dataclasses.replace(result, indicators=dataclasses.replace(result.indicators, assessments=bare))
    reds = [a for a in bare if a.light == "red"]
    assert reds
    text = cell_text(monitoring_sections.behind(result, "ru"))
    assert text.count("Причина: причина не указана") == len(reds)


# --- the instructions ----------------------------------------------------------------------------


@pytest.mark.parametrize("name", EXAMPLES)
@pytest.mark.parametrize("lang", LANGS)
def test_instructions_are_those_of_the_json(name, lang, as_json, pages, documents):
    """Overdue (days worked from the dates), done late and due soon: each row as the JSON
    gives it, nothing more; the counts above them."""
    data = as_json[name, lang]
    r = data["instructions"]
    meeting = dt.date.fromisoformat(data["meeting"])
    part = sections(pages[name, lang], documents[name])["mo_section_instructions"]
    tables = re.findall(r"<table.*?</table>", part, flags=re.DOTALL)
    listed = {which: r[which] for which in ("overdue", "done_late", "due_soon")}
    assert len(tables) == sum(1 for v in listed.values() if v)
    tables = iter(tables)
    missing = cell_text(t("mo_reason_missing", lang))
    for which, items in listed.items():
        if not items:
            continue
        rows = texts(rows_of(next(tables)))[1:]
        expected = []
        for i in items:
            row = [i["id"], plain(i["task"]), plain(i["responsible"]), day(i["due"], lang)]
            due = dt.date.fromisoformat(i["due"])
            if which == "overdue":
                row += [str((meeting - due).days), plain(i["reason"]) if i["reason"] else missing,
                        plain(i["decision"] or "")]
            elif which == "done_late":
                row += [day(i["done_on"], lang), str((dt.date.fromisoformat(i["done_on"]) - due).days)]
            else:
                row += [str((due - meeting).days)]
            expected.append(row)
        assert rows == expected, which
    assert plain(t("mo_instruction_counts", lang, **r["counts"])) in cell_text(part)


# --- satisfaction --------------------------------------------------------------------------------


def number(text: str) -> float:
    return float(text.replace(" ", "").replace("\u00a0", "").replace(",", ".").replace("−", "-"))


@pytest.mark.parametrize("lang", LANGS)
def test_satisfaction_shares_margins_and_changes_are_those_of_the_json(lang, as_json, pages, documents):
    data = as_json["teploklyuchenka", lang]["surveys"]
    part = sections(pages["teploklyuchenka", lang], documents["teploklyuchenka"])["mo_section_surveys"]
    surveys = [s["id"] for s in data["surveys"]]
    blocks = dict(re.findall(r"<h3>(.*?)</h3>(<table.*?</table>)", part, flags=re.DOTALL))
    tables = {cell_text(k): texts(rows_of(v)) for k, v in blocks.items()}
    assert set(tables) == {plain(q["name"]) for q in data["questions"]}
    names = {q["id"]: plain(q["name"]) for q in data["questions"]}
    estimate = re.compile(r"^(\d+) % ±(\d+[.,]\d) \S+ \((\d+)–(\d+) %\)")
    checked = 0
    for est in data["estimates"]:
        rows = {r[0]: r for r in tables[names[est["question"]]]}
        cell = rows[plain(t(f"sv_group_{est['group']}", lang))][1 + surveys.index(est["survey"])]
        if est["share"] is None:
            assert cell == plain(t("mnr_estimate_too_few", lang, n=est["n"], min=data["rules"]["min_answers"]))
            continue
        m = estimate.match(cell)
        assert m, cell
        share, margin, low, high = (number(x) for x in m.groups())
        # the JSON's figures are rounded to 4 decimals: within half the printed digit
        assert abs(share - est["share"] * 100) <= 0.51 and abs(margin - est["margin"] * 100) <= 0.051
        assert abs(low - est["low"] * 100) <= 0.51 and abs(high - est["high"] * 100) <= 0.51
        assert re.findall(r"\d+", cell[m.end():]) == [str(est["n"])], cell  # the answers counted
        checked += 1
    assert checked >= 8
    for c in data["changes"]:
        rows = {r[0]: r for r in tables[names[c["question"]]]}
        cell = rows[plain(t(f"sv_group_{c['group']}", lang))][-1]
        if c["verdict"] == "not_tested":
            assert cell == plain(t("mnr_change_not_tested", lang))
            continue
        before, after = t("mnr_change_more" if c["significant"] else "mnr_change_within", lang, diff="§").split("§")
        assert cell.startswith(before) and cell.endswith(plain(after)), cell
        assert abs(number(cell[len(before):len(cell) - len(plain(after))]) - c["difference_pp"]) <= 0.051
    assert any(c["verdict"] == "more_than_noise" for c in data["changes"])
    text = cell_text(part)
    for ref in data["reference"]:
        assert f"{ref['year']}" in text and formatting.format_percent(ref["share"], 0, lang).replace("\u00a0", " ") in text


def test_a_file_without_surveys_or_programme_has_no_such_section(documents):
    alamudun = monitoring_sections.outline(documents["alamudun"].scenario)
    teplo = monitoring_sections.outline(documents["teploklyuchenka"].scenario)
    assert "mo_section_surveys" not in alamudun and "mo_section_programme" in alamudun
    assert "mo_section_surveys" in teplo and "mo_section_programme" not in teplo
    assert alamudun[0] == teplo[0] == "mo_section_behind" and teplo[-2:] == ["mnr_rule", "mnr_sources"]


@pytest.mark.parametrize("name", EXAMPLES)
@pytest.mark.parametrize("lang", LANGS)
def test_rule_and_what_was_not_assessed(name, lang, as_json, pages, documents):
    data = as_json[name, lang]
    part = cell_text(sections(pages[name, lang], documents[name])["mnr_rule"])
    assert plain(data["rule"]["text"]) in part
    for light in ("green", "amber", "red"):
        assert t(f"mo_light_{light}", lang) in part
    for item in data["not_assessed"]:
        assert plain(item["name"]) in part


@pytest.mark.parametrize("name", EXAMPLES)
@pytest.mark.parametrize("lang", ("ru", "ky"))
def test_no_english_word_or_code_in_the_html(name, lang, pages, documents):
    text = cell_text(pages[name, lang])
    foreign = foreign_words(text, own(documents[name], lang))
    assert not foreign, dict(foreign)
    for bad in ("None", "nan", "mnr_", "mo_", "sv_", "Traceback"):
        assert bad not in text, bad


def own(document, lang: str) -> set[str]:
    """What the file's author wrote, quoted as written: the names of the files beside it and
    the texts of its sources (a proper name such as WhatsApp may stay in them)."""
    from okmo_models.provenance import source_text

    m = document.scenario
    return ({p.name for p in document.result.path.parent.rglob("*")}
            | {plain(source_text(v, lang)) for v in m.sources.values()})


# --- the PDF -----------------------------------------------------------------------------------


@needs_pdf_tools
def test_pdfs_are_named_after_the_year(reports):
    assert {lang: pdf.name for lang, pdf in reports.items()} == {
        lang: f"teploklyuchenka_monitoring_2027_{lang}.pdf" for lang in LANGS}


@needs_pdf_tools
@pytest.mark.parametrize("lang", LANGS)
def test_pdf_title_and_figures_are_those_of_the_json(reports, as_json, lang):
    data = as_json["teploklyuchenka", lang]
    text = text_of(reports[lang])
    title = flat(text.split("\f")[0])
    assert data["municipality"] in title and t("mon_report_title", lang) in title
    assert flat(t("mo_counts", lang, **data["counts"])) in title
    assert day(data["meeting"], lang) in title
    body = flat(text)
    for ind in data["indicators"]:
        if ind["light"] in ("amber", "red"):
            line = [shown(ind[k], ind["unit"], lang) for k in ("plan", "plan_so_far", "so_far", "forecast")]
            assert re.search(" +".join(re.escape(x) for x in line), text), ind["id"]
    for i in data["instructions"]["overdue"]:
        assert i["id"] in body and day(i["due"], lang) in body
    assert flat(t("mo_instruction_counts", lang, **data["instructions"]["counts"])) in body


@needs_pdf_tools
def test_pdf_contents_point_to_the_pages_of_the_sections(reports, documents):
    pdf_pages = text_of(reports["ru"]).split("\f")
    keys = monitoring_sections.outline(documents["teploklyuchenka"].scenario)
    for n, key in enumerate(keys, 1):
        heading = t(key, "ru")
        entry = re.search(rf"(?m)^\s*{n}\. {re.escape(heading)}\s+(\d+)\s*$", pdf_pages[1])
        assert entry, heading
        assert f"{n}. {heading}" in flat(pdf_pages[int(entry.group(1)) - 1]), heading


@needs_pdf_tools
@pytest.mark.parametrize("lang", ("ru", "ky"))
def test_no_english_word_code_or_path_in_the_pdf(reports, documents, lang):
    text = text_of(reports[lang])
    foreign = foreign_words(flat(text), own(documents["teploklyuchenka"], lang))
    assert not foreign, dict(foreign)
    for bad in ("Traceback", "None", "nan", "mnr_", "mo_", "sv_", "In ["):
        assert bad not in text, bad
    if lang == "ky":
        assert all(letter in text for letter in "өүң")


@needs_pdf_tools
def test_the_light_is_printed_in_colour(reports, tmp_path):
    """The cells of the lights keep their colour in the PDF (printed backgrounds are not dropped)."""
    import subprocess

    from PIL import Image

    subprocess.run(["pdftoppm", "-png", "-r", "40", "-f", "3", "-l", "3", str(reports["ru"]), str(tmp_path / "p")],
                   check=True)
    image = Image.open(next(tmp_path.glob("p*.png"))).convert("RGB")
    colours = {c for _, c in image.getcolors(1 << 20)}

    def near(hex_colour):
        r, g, b = (int(hex_colour[i:i + 2], 16) for i in (1, 3, 5))
        return any(abs(r - x) + abs(g - y) + abs(b - z) < 12 for x, y, z in colours)

    assert near(monitoring_sections.LIGHT_COLOURS["red"]) and near(monitoring_sections.LIGHT_COLOURS["amber"])

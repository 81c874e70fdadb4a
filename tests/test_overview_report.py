"""The municipality overview as a PDF (issue 19): a folder's report, named
``<folder>_overview_<lang>.pdf``, whose every figure is one of ``okmo overview FOLDER --format
json`` (formatted as the reader writes numbers), whose disagreements are in words only, and
whose Russian and Kyrgyz pages carry no English word, code, id or file path.

The figures are compared in the PDF's text layer in content order (``pdftotext -raw``): a
table row's cells come one after the other, so a row's figures must appear together.
"""

from __future__ import annotations

import contextlib
import io
import json
import re
import shutil
import subprocess
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from conftest import flat, needs_pdf_tools, text_of
from reader_language import foreign_words

from okmo_models.errors import OkmoError
from okmo_models.examples import example_path
from okmo_models.formatting import format_number, format_percent
from okmo_models.i18n import t

FOLDERS = ("teploklyuchenka", "alamudun")
RENDERED = [("teploklyuchenka", "ru"), ("teploklyuchenka", "ky"), ("teploklyuchenka", "en"),
            ("alamudun", "ru"), ("alamudun", "ky")]


def folder(name: str) -> Path:
    return example_path(name)


def overview_json(path: Path, lang: str) -> dict:
    """What ``okmo overview FOLDER --format json`` prints, run in this process."""
    from okmo_models.cli import main

    out = io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(io.StringIO()):
        assert main(["--lang", lang, "overview", str(path), "--format", "json"]) == 0
    return json.loads(out.getvalue())


def minus(text: str) -> str:
    """A printed deficit has a real minus sign."""
    return "\u2212" + text[1:] if text.startswith("-") else text


def expected_runs(data: dict, lang: str) -> list[str]:
    """Runs of text the overview's PDF must hold, each built from the JSON's figures alone: a
    table row's figures in order, each disagreement in words, the sums the summary gives."""
    money = lambda x: format_number(x, 2, lang)
    runs = []
    for s in data["services"]:
        runs.append(" ".join([money(s["current_som"]), money(s["tariff_som"]), money(s["justified_som"]),
                              format_percent(s["cost_recovery"], 1, lang),
                              str(s["reached_year"]) if s["reached_year"] else "—"]))
        runs.append(" ".join([money(s["subsidy_som"]), money(s["discounts_som"]),
                              money(s["subsidy_som"] + s["discounts_som"])]))
    if data["services"]:
        asked = sum(s["subsidy_som"] + s["discounts_som"] for s in data["services"])
        runs.append(" ".join([t("mor_total", lang), money(sum(s["subsidy_som"] for s in data["services"])),
                              money(sum(s["discounts_som"] for s in data["services"])), money(asked)]))
        runs.append(f"{money(asked)} {t('b_unit_som', lang)}")  # in the summary
    b = data["budget"]
    for key in ("revenue", "expenditure", "tariffs", "balance", "space", "programme_local", "left"):
        if b[key] is not None:
            runs.append(" ".join([t("mu_row_" + key, lang), *(minus(format_number(v, 1, lang)) for v in b[key])]))
    short = [v for v in b["left"] or () if v < 0]
    if short:
        runs.append(f"{format_number(-min(short), 1, lang)} {t('b_unit_' + b['unit'], lang)}")
    digits = 0 if data["needs_unit"] == "som" else 1
    for n in data["needs"]:
        head = f"{format_number(n['points'], 1, lang)} {format_number(n['cost'], digits, lang)}"
        if not n["measures"]:
            runs.append(f"{head} {t('mu_unfunded', lang)} — —")
        for k, a in enumerate(n["measures"]):
            years = (f"{a['plan'] if a['plan'] else t('mor_not_in_draft', lang)} "
                     f"{a['optimal'] if a['optimal'] else t('mor_not_chosen', lang)}")
            runs.append(f"{head} {a['name']} {years}" if k == 0 else f"{a['name']} {years}")
    unfunded = sum(n["cost"] or 0 for n in data["needs"] if not n["funded"])
    runs.append(f"{format_number(unfunded, digits, lang)} {t('b_unit_' + data['needs_unit'], lang)}")
    runs += [i["text"] for i in data["inconsistencies"]]
    return [flat(r) for r in runs]


def raw_text(pdf: Path) -> str:
    """The PDF's text in content order (a table cell by cell, row by row), whitespace collapsed;
    a word a line broke after its hyphen ("1-" / "кезек") joined again."""
    text = subprocess.run(["pdftotext", "-raw", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    return flat(re.sub(r"(?<=\w-)\n", "", text))


# --- without a browser: the HTML the notebook shows -----------------------------------------------


@pytest.fixture(scope="module")
def documents():
    from okmo_models.report import municipality_sections

    return {name: municipality_sections.read(folder(name)) for name in FOLDERS}


def html_text(html: str) -> str:
    import html as h

    return flat(h.unescape(re.sub(r"<style.*?</style>|<[^>]+>", " ", html, flags=re.DOTALL)))


@pytest.mark.parametrize("lang", ("ru", "ky", "en"))
@pytest.mark.parametrize("name", FOLDERS)
def test_every_figure_of_the_json_is_in_the_html(documents, name, lang):
    data = overview_json(folder(name), lang)
    text = html_text(documents[name].html(lang))
    missing = [r for r in expected_runs(data, lang) if r not in text]
    assert not missing, missing
    assert data["municipality"] in text


@pytest.mark.parametrize("name", FOLDERS)
def test_disagreements_in_words_only(documents, name):
    """The disagreements name no file or field (``okmo check FOLDER`` does that)."""
    data = overview_json(folder(name), "en")
    assert data["inconsistencies"], "the examples have something to show"
    text = html_text(documents[name].html("en"))
    body = text[text.index(t("mor_consistency_intro", "en")):text.index(t("mor_stamp", "en"))]
    places = {p for i in data["inconsistencies"] for p in i["places"]}
    assert not [p for p in places if p in body]
    assert not re.search(r"\w+\.(yaml|toml|csv)\b", body)


def test_report_names():
    from okmo_models.report.build import report_name

    assert report_name(folder("alamudun"), None, "ky") == "alamudun_overview_ky.pdf"
    # a file's report is named as before
    assert report_name(folder("teploklyuchenka") / "waste.yaml", 2027, "ru") == "teploklyuchenka_waste_2027_ru.pdf"


def test_a_change_in_one_file_shows_in_the_report(tmp_path):
    """A measure moved out of the draft programme leaves its need unfunded in the overview."""
    from okmo_models.report import municipality_sections

    copy = tmp_path / "teploklyuchenka"
    shutil.copytree(folder("teploklyuchenka"), copy)
    before = overview_json(copy, "en")
    funded = next(n for n in before["needs"] if n["funded"] and len(n["measures"]) == 1)
    measure = funded["measures"][0]["measure"]
    programme = copy / "programme.yaml"
    text = programme.read_text("utf-8")
    # without its start year the measure is a candidate, not in the draft
    at = text.index(f"- id: {measure}\n")
    start = re.compile(r"\n\s+start: \d{4}(?=\n)").search(text, at)
    assert start and "- id:" not in text[at + 1:start.start()], f"{measure} has a start year in the draft"
    programme.write_text(text[:start.start()] + text[start.end():], "utf-8")
    after = overview_json(copy, "en")
    need = next(n for n in after["needs"] if n["object"] == funded["object"])
    assert not need["funded"]
    html = html_text(municipality_sections.read(copy).html("en"))
    assert flat(f"{funded['measures'][0]['name']} {t('mor_not_in_draft', 'en')}") in html


@pytest.mark.parametrize("lang", ("ru", "ky"))
def test_a_file_that_fails_is_named_in_words(tmp_path, lang):
    """A programme with a negative cost cannot be computed: the overview names the file and
    its kind, and sends the reader to ``okmo check`` (its fields and lines are English codes
    and paths, which the report's reader does not meet)."""
    from okmo_models.report import municipality_sections

    copy = tmp_path / "teploklyuchenka"
    shutil.copytree(folder("teploklyuchenka"), copy)
    programme = copy / "programme.yaml"
    text, found = re.subn(r"(\n\s+cost: \[)(\d)", r"\1-\2", programme.read_text("utf-8"), count=1)
    assert found
    programme.write_text(text, "utf-8")
    document = municipality_sections.read(copy)
    assert list(document.result.model.failed) == [programme]
    shown = html_text(document.html(lang))
    assert flat(t("mor_file_failed", lang, kind=t("mor_kind_programme", lang).lower(), file="programme.yaml")) in shown
    assert flat(t("mor_programme_failed", lang, section=5)) in shown
    foreign = foreign_words(shown, {p.name for p in copy.iterdir()})
    assert not foreign, dict(foreign)


def test_a_folder_without_plans_writes_nothing(tmp_path):
    from okmo_models.report.build import find_chromium, render_report

    if find_chromium() is None:
        pytest.skip("no browser")
    empty = tmp_path / "empty"
    empty.mkdir()
    with pytest.raises(OkmoError) as found:
        render_report(empty, "ru", tmp_path / "out")
    assert found.value.key == "mu_no_plans"
    assert not list(tmp_path.rglob("*.pdf"))


# --- the PDF -----------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def reports(tmp_path_factory):
    from okmo_models.report.build import render_report

    out = tmp_path_factory.mktemp("overview")
    with ThreadPoolExecutor(max_workers=2) as pool:  # each report waits on its kernel and browser
        futures = {(name, lang): pool.submit(render_report, folder(name), lang, out) for name, lang in RENDERED}
        return {key: f.result() for key, f in futures.items()}


@needs_pdf_tools
@pytest.mark.parametrize(("name", "lang"), RENDERED)
def test_pdf_figures_are_those_of_the_json(reports, name, lang):
    pdf = reports[name, lang]
    assert pdf.name == f"{name}_overview_{lang}.pdf"
    data = overview_json(folder(name), lang)
    text = raw_text(pdf)
    missing = [r for r in expected_runs(data, lang) if r not in text]
    assert not missing, missing
    layout = flat(text_of(pdf))
    for n, key in enumerate(("mor_plans", "mor_services", "mor_budget", "mor_needs", "mor_consistency"), 1):
        assert f"{n}. {t(key, lang)}" in layout


@needs_pdf_tools
@pytest.mark.parametrize(("name", "lang"), [r for r in RENDERED if r[1] != "en"])
def test_pdf_in_the_readers_language(reports, name, lang):
    """No English word, code, id or file path; the folder's own file names may stay (quoted
    in the stamp, with their SHA-256)."""
    own = {p.name for p in folder(name).iterdir()}
    foreign = foreign_words(text_of(reports[name, lang]), own)
    assert not foreign, dict(foreign)


def test_the_folder_report_has_every_part_of_a_report():
    """The build treats the folder's report as a kind's: the same parts, its own notebook."""
    import inspect

    from okmo_models.report import blocks, municipality_sections
    from okmo_models.report.build import HERE, report_kind

    parts = [name for name, _ in inspect.getmembers(blocks.Sections, inspect.isfunction) if not name.startswith("_")]
    assert parts
    assert all(callable(getattr(municipality_sections, part, None)) for part in parts)
    assert report_kind(folder("alamudun")) is municipality_sections.FOLDER
    assert report_kind(folder("alamudun") / "budget.yaml").name == "budget"  # a file keeps its kind
    assert HERE.joinpath(f"{municipality_sections.FOLDER.name}_report.ipynb").is_file()


def _report_help() -> str:
    from okmo_models.cli import main

    out = io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(io.StringIO()), \
            contextlib.suppress(SystemExit):
        main(["--lang", "en", "report", "--help"])
    return out.getvalue()


@needs_pdf_tools
def test_okmo_report_folder_overview(tmp_path):
    """``okmo report FOLDER --overview`` writes the one overview; a file is refused."""
    from okmo_models.cli import main

    if "--overview" not in _report_help():
        pytest.skip("okmo report has no --overview option yet (cli.py, the lead's file)")
    quiet = contextlib.redirect_stderr(io.StringIO())
    with quiet:
        assert main(["--lang", "ky", "report", str(folder("alamudun")), "--overview", "-o", str(tmp_path)]) == 0
        assert main(["--lang", "ky", "report", str(folder("alamudun") / "budget.yaml"), "--overview",
                     "-o", str(tmp_path)]) == 2
    assert sorted(p.name for p in tmp_path.iterdir()) == ["alamudun_overview_ky.ipynb", "alamudun_overview_ky.pdf"]

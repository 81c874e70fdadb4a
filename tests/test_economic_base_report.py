"""The PDF report of an economic base as a kenesh deputy and a consultant get it: land,
livestock and the pasture load, businesses, and the revenue each budget line accrues on its
base, with the figures of ``okmo economic_base`` (its JSON), forecast years marked, sources
cited, in Russian, Kyrgyz and English with no code or English word in the first two."""

import json
import re
import shutil
import subprocess
import sys

import pytest
import yaml
from conftest import (
    SCENARIOS,
    flat,
    needs_pdf_tools,
    render_two_ways,
    text_of,
    write_yaml,
)
from reader_language import foreign_words

from okmo_models import formatting
from okmo_models.errors import ScenarioError
from okmo_models.i18n import t
from okmo_models.kinds import plan_files
from okmo_models.report.build import render_report

TEPLO = SCENARIOS / "teploklyuchenka/economic_base.yaml"
ALAMUDUN = SCENARIOS / "alamudun/economic_base.yaml"
LANGS = ("ru", "ky", "en")


def shown(x, decimals=0, lang="ru"):
    """A figure as the PDF's text layer holds it (a plain space for the no-break space)."""
    return formatting.format_number(x, decimals, lang).replace("\u00a0", " ")


def plain(html: str) -> str:
    """The text of report HTML, spaces plain, soft hyphens gone, whitespace collapsed."""
    return flat(re.sub(r"<[^>]+>", " ", html).replace("\u00a0", " ").replace("\u00ad", ""))


def example() -> dict:
    return yaml.safe_load(TEPLO.read_text(encoding="utf-8"))


YEAR = example()["year"]  # the last year counted: the report is named by it


def okmo_json(*args) -> dict:
    """What ``okmo ARGS`` prints, run in this process, read as JSON."""
    import contextlib
    import io

    from okmo_models.cli import main

    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        assert main([str(a) for a in args]) == 0
    return json.loads(out.getvalue())


@pytest.fixture(scope="module")
def as_json():
    """What ``okmo economic_base FILE --format json`` prints, per language."""
    return {lang: okmo_json("--quiet", "--lang", lang, "economic_base", TEPLO, "--format", "json") for lang in LANGS}


@pytest.fixture(scope="module")
def reports(tmp_path_factory):
    """The example rendered in Russian by a folder run (`okmo report FOLDER` picks economic
    base files up), in Kyrgyz and English by render_report."""
    root = tmp_path_factory.mktemp("economic-base-reports")
    folder = root / "scenarios" / "teploklyuchenka"
    folder.mkdir(parents=True)
    shutil.copy(TEPLO, folder / "economic_base.yaml")
    out = render_two_ways(root, TEPLO, f"teploklyuchenka_economic_base_{YEAR}_ru.pdf")
    out["en"] = render_report(TEPLO, "en", root / "single")
    return out


def row_pattern(label: str, values) -> str:
    """A table row as pdftotext lays it out: the label (of which only the first word is sure
    to stand on the figures' line: a long one wraps), then each figure, spaces between."""
    first, *rest = label.split(" ")
    return (r"(?m)^ *" + re.escape(first) + (r" .*?" if rest else "")
            + "".join(r" +" + re.escape(v) for v in values))


def first_table(years, values):
    """The figures of the first table by year (a long series is split into several)."""
    from okmo_models.report.economic_base_sections import year_chunks

    return list(values)[: len(year_chunks(years)[0])]


@needs_pdf_tools
def test_files_are_named_after_the_last_year_counted(reports):
    assert {lang: pdf.name for lang, pdf in reports.items()} == {
        lang: f"teploklyuchenka_economic_base_{YEAR}_{lang}.pdf" for lang in LANGS}


def test_land_tax_worked_by_hand(as_json):
    """The land tax of the last year counted, area × rate from the file itself."""
    data = example()
    area = {}
    for entry in data["land"]:
        area[entry["category"]] = area.get(entry["category"], 0) + entry["area"][YEAR]
    total = 0
    for term in data["revenue_bases"]["land_tax"]:
        rate = term["rate"]
        for year, later in sorted(term.get("rate_from", {}).items()):
            if year <= YEAR:
                rate = later
        total += area[term["of"]] * rate
    json_line = next(r for r in as_json["ru"]["revenue"] if r["line"] == "land_tax")
    assert json_line["accrued"][as_json["ru"]["years"].index(YEAR)] == total


@needs_pdf_tools
@pytest.mark.parametrize("lang", LANGS)
def test_figures_are_those_of_okmo_economic_base_json(reports, as_json, lang):
    data = as_json[lang]
    text = text_of(reports[lang])
    body = flat(text).replace("- ", "-")  # a line may break after the hyphen of "2027-жылдары"
    years = data["years"]
    assert data["counted_years"][-1] == YEAR and data["forecast_years"] == [YEAR + 1, YEAR + 2, YEAR + 3]
    # each budget line's accrual, every year, and each term's
    for line in data["revenue"]:
        for value in line["accrued"]:
            assert shown(value, 0, lang) in text, (line["line"], value)
        for term in line["terms"]:
            assert re.search(row_pattern(term["label"], [shown(v, 0, lang) for v in first_table(years, term["accrued"])]),
                             text), term["label"]
    # all livestock in conventional heads and the pasture load against the capacity
    total = t("eb_total_conventional", lang)
    assert re.search(row_pattern(total, [shown(x, 0, lang) for x in first_table(years, data["conventional_heads"])]),
                     text)
    load = t("eb_pasture_load", lang)
    assert re.search(row_pattern(load, [shown(x, 2, lang) for x in first_table(years, data["pastures"]["load"])]), text)
    over = [y for y, o in zip(years, data["pastures"]["overloaded"]) if o]
    capacity = data["pastures"]["capacity"]
    assert over and flat(t("eb_overload_note", lang, years=", ".join(map(str, over)),
                           capacity=shown(capacity, 0 if float(capacity).is_integer() else 2, lang))) in body


@needs_pdf_tools
def test_tables_forecast_marks_rates_and_sources(reports, as_json):
    text = text_of(reports["ru"])
    body = flat(text)
    data = as_json["ru"]
    years = data["years"]
    # forecast years are marked in the tables by year, and the mark is explained
    assert re.search(" +".join(f"{y}\\*" for y in data["forecast_years"]), text) and "* — прогноз" in body
    irrigated = data["land_by_category"]["irrigated"]["area_ha"]
    assert re.search(r"(?m)^ *орошаемая(?: пашня)? +всего" + "".join(
        r" +" + re.escape(shown(x)) for x in first_table(years, irrigated)), text)
    businesses = [sum(b["count"][i] for b in data["businesses"]) for i in range(len(years))]
    assert re.search(row_pattern("Итого", [shown(x) for x in first_table(years, businesses)]), text)
    # each rate and its changes, cited
    numbers = {key: n for n, key in enumerate(example()["sources"], 1)}
    for line, terms in example()["revenue_bases"].items():
        labels = next(r for r in data["revenue"] if r["line"] == line)["terms"]
        for term, label in zip(terms, labels):
            assert flat(f"{label['label']} {label['rate_label']} [{numbers[term['source']]}]") in flat(
                reading_order(reports["ru"])), label["label"]
    # the sources listed in the file's order
    for n, (key, source) in enumerate(example()["sources"].items(), 1):
        assert f"[{n}] {flat(source['ru'])[:60]}" in body, key
    assert "Допустимая нагрузка, усл. гол. на 1 га" in body and "учёт прогноз" in body  # the chart's legend


def reading_order(pdf) -> str:
    """The text in reading order (no layout): a table cell that wraps stays in one piece."""
    return flat(subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True).stdout)


@needs_pdf_tools
def test_contents_point_to_the_pages_of_the_sections(reports):
    pages = text_of(reports["ru"]).split("\f")
    headings = ["Сводка", "Земли", "Скот и пастбища", "Малый и средний бизнес", "Доходы бюджета от базы",
                "Как построен прогноз", "Источники"]
    for n, heading in enumerate(headings, 1):
        entry = re.search(rf"(?m)^\s*{n}\. {heading}\s+(\d+)\s*$", pages[1])
        assert entry, heading
        assert f"{n}. {heading}" in flat(pages[int(entry.group(1)) - 1]), heading


@needs_pdf_tools
def test_title_page_kyrgyz_letters_and_english(reports):
    for lang in LANGS:
        title = flat(text_of(reports[lang]).split("\f")[0])
        assert t("ebr_title", lang) in title
        assert t("ebr_period", lang, first=2020, year=YEAR, last=YEAR + 3) in title
    ky = text_of(reports["ky"])
    assert all(letter in ky for letter in "өү") and "Мазмуну" in ky
    english = flat(text_of(reports["en"]))
    assert not re.findall(r"[А-Яа-яЁёӨөҮүҢң]+", english)
    assert "Budget revenue from the base" in english


@needs_pdf_tools
@pytest.mark.parametrize("lang", ("ru", "ky"))
def test_no_english_word_code_or_path_in_russian_and_kyrgyz(reports, lang):
    text = text_of(reports[lang])
    foreign = foreign_words(text, {p.name for p in TEPLO.parent.iterdir()})
    assert not foreign, dict(foreign)
    for bad in ("Traceback", "None", "nan", "ebr_", "eb_", "line_b_", "In ["):
        assert bad not in text, bad


def test_alamudun_rates_changing_twice_and_a_falling_base():
    """Alamudun's settlement land is taxed at a rate raised twice; its irrigated land and its
    herds shrink: a fall is printed with a real minus, amounts with no-break spaces."""
    from okmo_models.report import economic_base_sections

    html = economic_base_sections.read(ALAMUDUN).html("ru")
    text = plain(html)
    assert "2 800 сом за 1 га в год; с 2023 г. — 3 600; с 2025 г. — 4 300" in text
    assert "−2,0 % задан в файле" in text and "-2,0 %" not in text
    words = re.sub(r"<svg.*?</svg>", "", html, flags=re.DOTALL)  # the chart's coordinates are not amounts
    assert "22\u00a0090\u00a0000" in words and not re.search(r"\d \d{3}(?!\d)", words)
    assert t("eb_overload_note", "ru", years="2021, 2022, 2023, 2024, 2025, 2026, 2027, 2028",
             capacity="2,50") in text


def test_a_base_without_livestock_has_no_pasture_section_or_chart(tmp_path):
    from okmo_models.report import economic_base_sections

    data = yaml.safe_load(TEPLO.read_text(encoding="utf-8"))
    data.pop("livestock"), data.pop("pastures")
    data["revenue_bases"]["non_tax_revenue"] = [r for r in data["revenue_bases"]["non_tax_revenue"]
                                                if r["base"] != "livestock"]
    path = write_yaml(tmp_path, data, "economic_base.yaml")
    document = economic_base_sections.read(path)
    assert economic_base_sections.outline(document.scenario) == [
        "ebr_summary", "ebr_land", "ebr_businesses", "ebr_revenue", "ebr_forecast", "ebr_sources"]
    assert economic_base_sections.charts(document.result, "ru") == {}
    text = plain(document.html("ru"))
    assert "4. Доходы бюджета от базы" in text and "Скот и пастбища" not in text and "<svg" not in text


def test_broken_economic_base_gives_a_clear_error_and_no_file(tmp_path):
    data = yaml.safe_load(TEPLO.read_text(encoding="utf-8"))
    data["land"][0]["source"] = "letter"
    broken = write_yaml(tmp_path, data, "economic_base.yaml")
    out = tmp_path / "out"
    with pytest.raises(ScenarioError) as info:
        render_report(broken, "ru", out)
    assert "letter" in info.value.render("ru")
    proc = subprocess.run([sys.executable, "-m", "okmo_models.cli", "report", str(broken), "-o", str(out)],
                          capture_output=True, text=True, check=False)
    assert proc.returncode == 2 and "Traceback" not in proc.stderr and "letter" in proc.stderr
    assert not out.exists() or not any(out.iterdir())


def test_folder_run_includes_economic_base_files(tmp_path):
    shutil.copy(TEPLO, tmp_path / "economic_base.yaml")
    assert [p.name for p in plan_files(tmp_path)] == ["economic_base.yaml"]

"""The papers a kenesh adopts (`okmo package`, issue 16): made for every bundled example in
Russian and Kyrgyz, wholly in the reader's language, their DOCX saying what their PDF says,
the draft decision's figures those of `okmo tariff --format json`, the protocol filled from
the variants saved at the hearing."""

from __future__ import annotations

import datetime as dt
import json
import re
import shutil
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest

from conftest import needs_pdf_tools
from okmo_models.examples import example_path
from okmo_models.formatting import format_number
from okmo_models.kinds import KINDS, kind_of
from okmo_models.papers import Hearing, make_package, papers_for
from okmo_models.papers.common import signed_percent
from okmo_models.papers.paper import docx_text
from reader_language import foreign_words

EXAMPLES = sorted({example for kind in KINDS.values() if kind.papers for example in kind.examples})
HEARING = Hearing(dt.date(2026, 12, 20), "15:00", "Дом культуры, ул. Ленина, 1")


def pdf_text(pdf: Path) -> str:
    """A PDF's text layer without the footer's page label."""
    text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    return re.sub(r"(Стр\. \d+ из \d+|\d+/\d+-бет|Page \d+ of \d+)", " ", text)


def pdf_words(pdf: Path) -> Counter:
    return words(pdf_text(pdf))


def words(text: str) -> Counter:
    """Words, hyphens dropped (pdftotext joins a word hyphenated at a line's end)."""
    return Counter(re.findall(r"[^\W_]+", text.replace("\u00ad", "").replace("-", "")))


def docx_words(docx: Path) -> Counter:
    return words(" ".join(docx_text(docx.read_bytes())))


def heading_words(docx: Path) -> Counter:
    """Words of the tables' heading rows, which the PDF repeats on every page a table spans."""
    from docx import Document

    out = Counter()
    for table in Document(str(docx)).tables:
        out |= words(" ".join(cell.text for cell in table.rows[0].cells))
    return out


@pytest.fixture(scope="module")
def packages(tmp_path_factory):
    """Every example's package in ru and ky (the justification is the report, checked in
    test_reader_language.py; here one example carries it)."""
    from concurrent.futures import ThreadPoolExecutor

    root = tmp_path_factory.mktemp("papers")
    cases = [(example, lang) for example in EXAMPLES for lang in ("ru", "ky")]

    def make(case):
        example, lang = case
        return make_package(example_path(example), lang, root, HEARING,
                            with_justification=case == ("teploklyuchenka/waste.yaml", "ky"))

    with ThreadPoolExecutor(max_workers=2) as pool:  # Chromium prints; two at a time
        return dict(zip(cases, pool.map(make, cases)))


@needs_pdf_tools
@pytest.mark.parametrize("lang", ("ru", "ky"))
@pytest.mark.parametrize("example", EXAMPLES)
def test_every_example_has_its_papers_in_the_readers_language(packages, example, lang):
    written = packages[(example, lang)]
    kind = kind_of(example_path(example)).name
    expected = {"tariff": 6 if (example == "teploklyuchenka/waste.yaml" and lang == "ky") else 5,
                "programme": 3, "budget": 2}[kind]
    assert len(written) == expected
    for paper in written:
        assert paper.pdf.exists() and paper.pages >= 1
        foreign = foreign_words(pdf_text(paper.pdf), {example_path(example).name})
        assert not foreign, (paper.pdf.name, dict(foreign))
        if paper.docx is not None:
            # the DOCX says word for word what the PDF says (the footer's page label aside, and a
            # table's heading row, which the PDF repeats on each page the table spans)
            in_pdf, in_docx = pdf_words(paper.pdf), docx_words(paper.docx)
            assert in_docx - in_pdf == Counter(), paper.docx.name
            repeated = in_pdf - in_docx
            assert all(word in heading_words(paper.docx) for word in repeated), (paper.pdf.name, dict(repeated))


def json_of(path: Path, lang: str = "ru") -> dict:
    done = subprocess.run([sys.executable, "-m", "okmo_models.cli", "--lang", lang, "tariff", str(path),
                           "--format", "json"], capture_output=True, text=True, check=True)
    return json.loads(done.stdout)


@pytest.mark.parametrize("example", [e for e in EXAMPLES if kind_of(example_path(e)).name == "tariff"])
def test_the_draft_decision_approves_the_figures_of_the_json(example):
    """Each category's tariff to approve is the JSON's tariff (the one carrying the Social
    Passport discounts when the others pay for them), or the path's first-year tariff for a
    category on the path; the subsidy is the path's first year plus what the tariff policy
    leaves to the budget; the amounts are printed as the formatter prints them."""
    path = example_path(example)
    data = json_of(path)
    on_path = {c["category"]: c["path_tariff_som"][0] for c in (data.get("path") or {}).get("categories", [])}
    carrying = {c["category"]: c["tariff_som"] for c in (data.get("vulnerable") or {}).get("cross_subsidy_tariffs", [])}
    _, papers, _ = papers_for(path, "ru", HEARING)
    decision = papers["pp_doc_decision"]
    table = next(b for b in decision.blocks if hasattr(b, "rows"))
    rows = [row for row in table.rows if not row[0].startswith("—")]  # a species' row is under its category
    for row, tariff in zip(rows, data["tariffs"]):
        expected = on_path.get(tariff["category"], carrying.get(tariff["category"], tariff["tariff_som"]))
        assert row[3] == format_number(expected, 2, "ru"), (tariff["category"], row)
        assert data["proposal"]["tariffs"][[t["category"] for t in data["proposal"]["tariffs"]].index(
            tariff["category"])]["tariff_som"] == expected
    # the budget pays what the accruals at the approved tariffs leave of the requirement (and,
    # on a path, the cross-subsidised discounts the other tariffs do not carry)
    proposal = data["proposal"]
    revenue = sum(t["tariff_som"] * t["billing_units_per_year"] if t["tariff_som"] != j["tariff_som"] else j["revenue_som"]
                  for t, j in zip(proposal["tariffs"], data["tariffs"]))
    assert proposal["revenue_som"] == pytest.approx(revenue, abs=0.01)
    if on_path:
        cross = proposal["discounts_yearly_som"] if proposal["discounts_financing"] == "cross_subsidy" else 0.0
        assert proposal["subsidy_som"] == pytest.approx(data["revenue_requirement_som"] - revenue + cross, abs=0.01)
        # the path table's first year is the same figure (it was 3 som apart: the gap to the
        # unrounded tariff against the requirement less the accruals)
        uncarried = cross - proposal["discounts_carried_som"]
        assert data["path"]["subsidy_som"][0] + uncarried == pytest.approx(proposal["subsidy_som"], abs=0.005)
    else:
        assert proposal["subsidy_som"] == pytest.approx(data["subsidy_need_som"], abs=0.005)
    text = " ".join(decision.text())
    if proposal["subsidy_som"] > 0.005:
        assert format_number(proposal["subsidy_som"], 2, "ru") + "\u00a0сом" in text


def test_the_protocol_lists_each_variant_saved_at_the_hearing(tmp_path):
    """A variant saved beside the scenario appears in the protocol with its own tariff."""
    folder = tmp_path / "teploklyuchenka"
    shutil.copytree(example_path("teploklyuchenka/waste.yaml").parent, folder)
    (folder / "waste_hearing_20261220-1530.yaml").write_text(
        "variant_of: waste.yaml\nchanges:\n  collection_rate: 80 %\n  path:\n    max_increase: 40 %\n", "utf-8")
    _, papers, _ = papers_for(folder / "waste.yaml", "ru", HEARING)
    table = next(b for b in papers["pp_doc_protocol"].blocks if hasattr(b, "rows"))
    assert [row[0] for row in table.rows] == ["Проект (обоснование)", "Вариант 1 «waste_hearing_20261220-1530»"]
    variant = json_of(folder / "waste_hearing_20261220-1530.yaml")
    first_step = variant["path"]["categories"][0]["path_tariff_som"][0]
    assert table.rows[1][1] == format_number(first_step, 2, "ru")
    assert table.rows[0][1] != table.rows[1][1]  # a 40 % step instead of 25 %


def test_the_notice_names_the_hearing_and_leaves_blanks_without_one():
    path = example_path("teploklyuchenka/waste.yaml")
    _, papers, _ = papers_for(path, "ky", HEARING)
    text = " ".join(papers["pp_doc_notice"].text())
    assert "20.12.2026, 15:00" in text and "Дом культуры, ул. Ленина, 1" in text
    _, papers, _ = papers_for(path, "ru", Hearing())
    assert "«___» ____________ 20__ г." in " ".join(papers["pp_doc_notice"].text())


@needs_pdf_tools
def test_an_existing_package_is_not_overwritten(tmp_path):
    from okmo_models.safe_write import FileExistsRefused

    path = example_path("kok-jar/budget.yaml")
    first = make_package(path, "ru", tmp_path, with_justification=False)
    before = first[1].pdf.read_bytes()
    with pytest.raises(FileExistsRefused):
        make_package(path, "ru", tmp_path, with_justification=False)
    assert first[1].pdf.read_bytes() == before


def test_signed_changes_use_a_real_minus_and_plus():
    assert signed_percent(101.44, "ru") == "+101,4\u00a0%"
    assert signed_percent(-0.04, "ru") == "0,0\u00a0%"  # no "−0,0"
    assert signed_percent(-12.5, "ky") == "\u221212,5\u00a0%"


def test_a_hearing_time_is_kept_when_the_date_is_left_blank():
    assert Hearing(time="15:00").when("ru") == "«___» ____________ 20__ г., 15:00"


def test_the_decision_is_headed_by_the_kenesh_named_in_the_file(tmp_path):
    _, papers, _ = papers_for(example_path("teploklyuchenka/waste.yaml"), "ky", HEARING)
    assert papers["pp_doc_decision"].header[-1] == "Теплоключенка айылдык кеңеши"
    # a file that names no kenesh: the municipality, then "local kenesh"
    folder = tmp_path / "teploklyuchenka"
    shutil.copytree(example_path("teploklyuchenka/waste.yaml").parent, folder)
    text = (folder / "waste.yaml").read_text("utf-8")
    (folder / "waste.yaml").write_text(re.sub(r"\n  kenesh: .*\n", "\n", text), "utf-8")
    _, papers, _ = papers_for(folder / "waste.yaml", "ru", HEARING)
    assert papers["pp_doc_decision"].header[-1] == "Местный кенеш"


def test_a_dipping_bath_decision_approves_each_species_tariff():
    path = example_path("teploklyuchenka/dipping_bath.yaml")
    data = json_of(path)
    _, papers, _ = papers_for(path, "ru", HEARING)
    table = next(b for b in papers["pp_doc_decision"].blocks if hasattr(b, "rows"))
    species = [(row[0], row[3]) for row in table.rows if row[0].startswith("—")]
    expected = [(f"— {'овцы' if s['species'] == 'sheep' else 'козы'} (× {format_number(s['coefficient'], 2, 'ru')})",
                 format_number(s["tariff_som"], 2, "ru")) for c in data["tariffs"] for s in c["species_tariffs"]]
    # 288 553,13 som a year over 22 835 sheep-equivalent heads = 12,636 som; a goat × 0,9 =
    # 11,37, rounded to the whole som: 11 (12 before the heads came from the economic base:
    # 22 200 sheep-equivalent heads then)
    assert species == expected and ("— козы (× 0,90)", "11,00") in species


def test_an_output_that_is_a_file_is_refused(tmp_path):
    from okmo_models.report.build import ReportError

    target = tmp_path / "afile"
    target.write_text("x")
    with pytest.raises(ReportError):
        make_package(example_path("kok-jar/budget.yaml"), "ru", target)


@needs_pdf_tools
def test_a_failure_midway_leaves_no_half_package(tmp_path, monkeypatch):
    import okmo_models.report.build as build

    def broken(*args, **kwargs):
        raise build.ReportError("no_browser")

    monkeypatch.setattr(build, "render_report", broken)
    with pytest.raises(build.ReportError):
        make_package(example_path("kok-jar/budget.yaml"), "ru", tmp_path)
    assert list(tmp_path.rglob("*.pdf")) == [] and list(tmp_path.rglob("*.docx")) == []


@needs_pdf_tools
def test_the_justification_in_a_package_keeps_its_notebook_beside_it(packages):
    """Every report PDF has its executed notebook beside it, to open and re-run; the package's
    justification too (review of issue 21: it stayed in a temporary folder)."""
    written = packages[("teploklyuchenka/waste.yaml", "ky")]
    justification = written[-1].pdf
    notebook = justification.with_suffix(".ipynb")
    assert notebook.exists()
    import nbformat

    nb = nbformat.read(notebook, as_version=4)
    assert any(cell.get("outputs") for cell in nb.cells if cell.cell_type == "code")

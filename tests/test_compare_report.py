"""The comparison of many municipalities as a PDF (issue 21), and the section "tariffs of
comparable municipalities" of a tariff justification.

Every figure the report prints is one of ``Comparison.to_dict()`` formatted as the reader
writes numbers (no-break spaces, decimal comma): the figures are compared in the text layer in
content order (``pdftotext -raw``), a table row's cells one after another. The Russian and
Kyrgyz pages carry no English word, code, id or file path; the justification has its peers'
section only when it is given peers.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from conftest import flat, needs_pdf_tools, text_of
from reader_language import foreign_words

from okmo_models.examples import example_path
from okmo_models.formatting import format_number, format_percent
from okmo_models.i18n import t
from okmo_models.report import compare_sections as cs

EXAMPLES = example_path("teploklyuchenka").parent
WASTE = EXAMPLES / "teploklyuchenka" / "waste.yaml"


def money(x, lang):
    return format_number(x, 2, lang)


def shown(figure, x, lang):
    return format_percent(x, 1, lang) if figure in cs.SHARE_FIGURES or figure.endswith("_share") else money(x, lang)


def expected_runs(data: dict, lang: str) -> list[str]:
    """Runs of text the comparison's report must hold, each built from ``to_dict`` alone: each
    tariff row's figures in table order, the peers' median and quartiles under them, each
    municipality's places, each outlier's reason, each failed file."""
    runs = []
    index = cs.stats_index(data)
    for service, base in cs.tariff_groups(data):
        rows = [r for r in data["tariffs"] if (r["service"], r["base_unit"]) == (service, base)]
        for figures, year in ((cs.MONEY_FIGURES, True), (cs.SHARE_FIGURES, False)):
            for r in rows:
                runs.append(" ".join([*([str(r["year"])] if year else []), *(shown(f, r[f], lang) if r[f] is not None
                                                                           else "—" for f in figures)]))
            for key, k in (("cmr_median", "median"), ("cmr_q1", "q1"), ("cmr_q3", "q3")):
                stats = [index.get(("tariffs", f, "service", service, base, None)) for f in figures]
                runs.append(" ".join([t(key, lang), *(shown(f, s[k], lang) if s and s[k] is not None else "—"
                                                      for f, s in zip(figures, stats))]))
        for r in rows:
            if not r["variant"]:
                runs.append(" ".join(t("cmr_rank", lang, **r["positions"][f]["service"]) if f in r["positions"]
                                     else "—" for f in cs.POSITION_FIGURES))
    for o in data["outliers"]:
        runs.append(o["text"])
    for f in data["failures"]:
        runs.append(f"«{cs.file_label(f['file'])}»")
    for r in data["budgets"]:
        runs.append(" ".join([str(r["year"]), *(shown(f, r[f], lang) if r[f] is not None else "—"
                                                 for f in cs.BUDGET_COLUMNS)]))
    for r in data["programmes"]:
        runs.append(" ".join([str(r["measures"]), money(r["cost_som"], lang), format_number(r["beneficiaries"], 0, lang),
                              money(r["cost_per_beneficiary_som"], lang)]))
    return [flat(r) for r in runs]


def html_text(html: str) -> str:
    import html as h

    return flat(h.unescape(re.sub(r"<style.*?</style>|<svg.*?</svg>|<[^>]+>", " ", html, flags=re.DOTALL)))


def raw_text(pdf: Path) -> str:
    """The PDF's text in content order, whitespace collapsed, soft hyphens dropped."""
    text = subprocess.run(["pdftotext", "-raw", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    return flat(re.sub(r"(?<=\w-)\n", "", text))


@pytest.fixture(scope="module")
def folder(tmp_path_factory) -> Path:
    """The bundled examples and one tariff file that cannot be computed."""
    root = tmp_path_factory.mktemp("compared") / "examples"
    shutil.copytree(EXAMPLES, root, ignore=shutil.ignore_patterns("__*"))
    (root / "broken").mkdir()
    text = (root / "ak-bulak" / "water.yaml").read_text("utf-8")
    assert "\ncollection_rate: 80 %\n" in text
    # a collection rate above 100 %: the file is read but not computed
    (root / "broken" / "water.yaml").write_text(text.replace("\ncollection_rate: 80 %\n", "\ncollection_rate: 180 %\n"),
                                                "utf-8")
    return root


@pytest.fixture(scope="module")
def document(folder):
    return cs.read(folder)


# --- without a browser: the HTML the notebook shows ------------------------------------------------


@pytest.mark.parametrize("lang", ("ru", "ky", "en"))
def test_every_figure_of_the_comparison_is_in_the_html(document, lang):
    data = document.result.data(lang)
    assert data["tariffs"] and data["failures"], "the folder has tariffs to compare and a file that fails"
    text = html_text(document.html(lang))
    missing = [r for r in expected_runs(data, lang) if r not in text]
    assert not missing, missing


def test_the_outline_follows_what_is_compared(document, folder, tmp_path):
    assert cs.outline(document.scenario) == ["cmr_method", "cmr_tariffs", "cmr_position", "cmr_outliers",
                                             "cmr_failed", "cmr_budgets"]
    # the build reads the files' kinds only (the notebook computes them): the same outline
    assert cs.outline(cs.comparison_kind([folder]).load(folder).model) == cs.outline(document.scenario)
    only = tmp_path / "only"
    only.mkdir()
    shutil.copy(WASTE, only / "waste.yaml")
    shutil.copy(WASTE.parent / "passport.yaml", only / "passport.yaml")
    assert cs.outline(cs.read(only).scenario)[-1] == "cmr_failed"  # no budget or programme: no section
    assert cs.outline(cs.comparison_kind([only]).load(only).model) == cs.outline(cs.read(only).scenario)
    # a budget that cannot be computed still has its section (saying so), in both outlines
    shutil.copy(EXAMPLES / "kok-jar" / "budget.yaml", only / "budget.yaml")  # without its history table
    with_budget = cs.read(only)
    assert with_budget.result.data("en")["failures"] and not with_budget.result.data("en")["budgets"]
    assert cs.outline(with_budget.scenario)[-1] == "cmr_budgets"
    assert cs.outline(cs.comparison_kind([only]).load(only).model) == cs.outline(with_budget.scenario)


@pytest.mark.parametrize("lang", ("ru", "ky"))
def test_the_html_is_in_the_readers_language(document, folder, lang):
    own = {p.name for p in folder.rglob("*")} | {f"{p.parent.name}/{p.name}" for p in folder.rglob("*")}
    foreign = foreign_words(html_text(document.html(lang)), own)
    assert not foreign, dict(foreign)


def test_the_peers_section_only_when_asked():
    from okmo_models.report import sections

    plain = sections.read(WASTE)
    assert "cmr_peers" not in sections.outline(plain.scenario)
    assert t("cmr_peers", "ru") not in html_text(plain.html("ru"))
    among = sections.read(WASTE, peers=[EXAMPLES])
    keys = sections.outline(among.scenario)
    assert keys[keys.index("cmr_peers") + 1] == "r_assumptions"
    assert [k for k in keys if k != "cmr_peers"] == sections.outline(plain.scenario)
    text = html_text(among.html("ru"))
    number = keys.index("cmr_peers") + 1
    assert f"{number}. {t('cmr_peers', 'ru')}" in text  # in the contents and as the section's heading
    assert text.count(f"{number}. {t('cmr_peers', 'ru')}") == 2
    # the same figures as the comparison's: this tariff's own, its group's median
    data = among.sections.compared.data("ru")
    own = among.sections.own_row("ru")
    assert own is not None and Path(own["file"]).resolve() == WASTE.resolve()
    median = next(s for s in data["stats"] if s["figure"] == "tariff_per_base_unit_som" and s["peers"] == "service"
                  and s["service"] == own["service"] and s["base_unit"] == own["base_unit"])["median"]
    row = flat(f"{money(own['tariff_per_base_unit_som'], 'ru')} {money(median, 'ru')}")
    assert row in text
    # every other section is the justification's own, numbered after it as before
    assert html_text(plain.html("ru")).count(t("r_methodology", "ru")) == text.count(t("r_methodology", "ru"))


def test_a_tariff_outside_the_peers_folders_is_compared_with_them(tmp_path):
    from okmo_models.report import sections

    peers = tmp_path / "peers"
    shutil.copytree(EXAMPLES / "ak-bulak", peers / "ak-bulak")
    among = sections.read(WASTE, peers=[peers])
    assert among.sections.own_row("en") is not None  # this tariff is added to the comparison
    assert t("cmr_peers_alone", "en") in html_text(among.html("en"))  # no other waste tariff among them


# --- the PDFs ------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def pdfs(folder, tmp_path_factory):
    out = tmp_path_factory.mktemp("comparison")
    with ThreadPoolExecutor(max_workers=2) as pool:  # each report waits on its kernel and browser
        futures = {lang: pool.submit(cs.render_comparison, [folder], lang, out, True) for lang in ("ru", "ky")}
        futures["peers"] = pool.submit(cs.render_with_peers, WASTE, [EXAMPLES], "ru", out, True, "waste_peers")
        return {key: f.result() for key, f in futures.items()}


def test_only_a_tariff_is_placed_among_peers(tmp_path):
    from okmo_models.errors import Refusal

    with pytest.raises(Refusal) as refused:
        cs.render_with_peers(EXAMPLES / "kok-jar" / "budget.yaml", [EXAMPLES], "ru", tmp_path)
    assert refused.value.key == "cmr_peers_tariff_only"
    assert not list(tmp_path.iterdir())


@needs_pdf_tools
@pytest.mark.parametrize("lang", ("ru", "ky"))
def test_pdf_figures_are_those_of_the_comparison(pdfs, document, lang):
    pdf = pdfs[lang]
    assert pdf.name == f"comparison_{lang}.pdf"
    text = raw_text(pdf)
    missing = [r for r in expected_runs(document.result.data(lang), lang) if r not in text]
    assert not missing, missing
    # the contents page has each section's page
    first = t("cmr_method", lang)
    assert re.search(rf"1\. {re.escape(first)} \d+", flat(text_of(pdf))), "the contents give page numbers"


@needs_pdf_tools
@pytest.mark.parametrize("lang", ("ru", "ky"))
def test_pdf_pages_are_in_the_readers_language(pdfs, folder, lang):
    own = {p.name for p in folder.rglob("*")} | {f"{p.parent.name}/{p.name}" for p in folder.rglob("*")}
    foreign = foreign_words(text_of(pdfs[lang]), own)
    assert not foreign, dict(foreign)


@needs_pdf_tools
def test_pdf_of_a_justification_with_peers(pdfs):
    text = flat(text_of(pdfs["peers"]))
    from okmo_models.report import sections

    keys = sections.outline(sections.read(WASTE, peers=[EXAMPLES]).scenario)
    number = keys.index("cmr_peers") + 1
    heading = f"{number}. {t('cmr_peers', 'ru')}"
    assert re.search(rf"{re.escape(heading)} \d+", text), "listed in the contents with its page"
    assert text.count(heading) == 2
    foreign = foreign_words(text_of(pdfs["peers"]), {p.name for p in WASTE.parent.iterdir()})
    assert not foreign, dict(foreign)


def test_the_deputies_summary_places_the_tariff_among_its_peers_only_when_asked():
    from okmo_models.papers.paper import Heading, Table
    from okmo_models.papers.tariff import Papers
    from okmo_models.report.compare_sections import PeerComparison

    plain = Papers(WASTE, "ru").summary().blocks
    assert Heading(t("cmr_peers", "ru"), 2) not in plain
    papers = Papers(WASTE, "ru", peers=[EXAMPLES])
    among = papers.summary().blocks
    assert among[:len(plain)] == plain  # the one-page summary as it was, the comparison after it
    at = among.index(Heading(t("cmr_peers", "ru"), 2))
    table = next(b for b in among[at:] if isinstance(b, Table))
    peers = PeerComparison(papers.result, [EXAMPLES])
    own = peers.own_row("ru")
    row = next(r for r in table.rows if r[0].startswith(t("cmr_fig_tariff_per_base_unit_som", "ru")))
    assert row[1:] == (money(own["tariff_per_base_unit_som"], "ru"),
                       money(peers.stat("tariff_per_base_unit_som", "ru")["median"], "ru"),
                       t("cmr_rank", "ru", **own["positions"]["tariff_per_base_unit_som"]["service"]))


def test_a_variant_is_shown_beside_its_peers_without_a_place(tmp_path):
    """A what-if variant is not counted among its peers (its municipality is, once), so the
    deputies' summary shows its figures and the peers' median with no place (review of
    issue 21: the summary of a variant with peers stopped with an internal error)."""
    import shutil

    from okmo_models.papers.paper import Table
    from okmo_models.papers.tariff import Papers
    from okmo_models.references import wider_root

    shutil.copytree(WASTE.parent, tmp_path / "teploklyuchenka")
    variant = tmp_path / "teploklyuchenka" / "waste_cheaper.yaml"
    variant.write_text("variant_of: waste.yaml\nchanges: {}\n", "utf-8")
    with wider_root(tmp_path):
        blocks = Papers(variant, "ru", peers=[tmp_path, EXAMPLES]).summary().blocks
    table = next(b for b in blocks if isinstance(b, Table) and b.headers[0] == t("cmr_col_figure", "ru"))
    assert table.rows and all(row[3] == "—" for row in table.rows)

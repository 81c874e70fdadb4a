"""The papers a kenesh adopts, made from one plan file (``okmo package FILE``).

For a tariff: the draft decision, the public notice of the hearing, the hearing protocol
(filled from the variants saved at the hearing), a one-page summary for deputies, and the
justification as the decision's annex. For a development programme: the draft decision
approving it and the summary. For a budget forecast: the summary for the budget hearing.
Each paper is written as PDF (printed by Chromium, as the reports are) and DOCX (for the
secretary who edits the draft), with a contents page listing them.

Layers: :mod:`~okmo_models.papers.paper` (blocks and their two renderings) <-
:mod:`~okmo_models.papers.common` <- one module per kind (``tariff``, ``programme``,
``budget``), named in the kind's registry entry (:attr:`okmo_models.kinds.PlanKind.papers`).
"""

from __future__ import annotations

import datetime as dt
import importlib
import re
import tempfile
from dataclasses import dataclass
from pathlib import Path

from okmo_models.i18n import t
from okmo_models.kinds import kind_of
from okmo_models.papers.common import Hearing, variants_of
from okmo_models.papers.paper import Heading, Para, Paper, Table, to_docx, to_html
from okmo_models.safe_write import FileExistsRefused, write_new_file

__all__ = ["Hearing", "WrittenPaper", "make_package"]


@dataclass(frozen=True)
class WrittenPaper:
    title: str
    pdf: Path
    docx: Path | None
    pages: int


def papers_for(path: Path, lang: str, hearing: Hearing, peers=None):
    """The papers of ``path``'s kind: ``(subject, {title key: Paper}, title key of the report)``;
    a tariff's with ``peers`` (folders) places it among comparable municipalities."""
    kind = kind_of(path)
    module = importlib.import_module(kind.papers)
    builder = module.Papers(path, lang, peers=peers) if peers else module.Papers(path, lang)
    return builder.subject(), builder.papers(hearing, variants_of(path)), builder.report_key


def make_package(path: str | Path, lang: str = "ru", output_dir: str | Path = "reports",
                 hearing: Hearing = Hearing(), overwrite: bool = False,
                 with_justification: bool = True, peers=None) -> list[WrittenPaper]:
    """Write the package of ``path`` into ``output_dir/<file>_<year>_<lang>_<folder>/``;
    returns what was written, the contents page first. Nothing is overwritten without
    ``overwrite``: an existing file stops the run before anything is printed. ``peers``
    (folders of other municipalities' plans, a tariff only) adds the section "tariffs of
    comparable municipalities" to the justification and the deputies' summary."""
    from okmo_models.report.build import ReportError, find_chromium, print_pdf, render_report, report_name

    path = Path(path).resolve()
    kind = kind_of(path)
    if kind.papers is None:  # a passport or an economic base: the kenesh adopts no decision on it
        from okmo_models.errors import Refusal

        raise Refusal("package_none_for_kind", kind=t("mu_kind_" + kind.name, lang))
    if peers and kind.name != "tariff":  # only a tariff has peers to be placed among
        from okmo_models.errors import Refusal

        raise Refusal("cmr_peers_tariff_only", file=path.name, kind=t("mu_kind_" + kind.name, lang))
    output_dir = Path(output_dir)
    if output_dir.exists() and not output_dir.is_dir():
        raise ReportError("output_not_folder", path=output_dir)
    chromium = find_chromium()
    if chromium is None:
        raise ReportError("no_browser")
    subject, papers, report_key = papers_for(path, lang, hearing, peers)
    year = kind.plan_year(kind.load(path).model)
    folder = Path(output_dir) / (report_name(path, year, lang).removesuffix(".pdf") + "_" + t("pp_folder", lang))
    names = {key: f"{n}_{_file_name(t(key, lang))}" for n, key in enumerate(papers, 1)}
    contents_name = f"0_{_file_name(t('pp_contents_title', lang))}"
    if not overwrite:
        for stem in (contents_name, *names.values()):
            for suffix in (".pdf", ".docx"):
                if (folder / (stem + suffix)).exists():
                    raise FileExistsRefused(folder / (stem + suffix))
    justification = f"{len(papers) + 1}_{_file_name(t(report_key, lang))}"
    # everything is printed into a temporary folder first and moved into place only when all
    # of it is there: a failure midway leaves nothing half-written behind
    with tempfile.TemporaryDirectory(prefix="okmo-papers-") as tmp:
        tmp = Path(tmp)
        made = []  # (title, pdf, docx bytes or None, stem)
        for key, paper in papers.items():
            made.append((t(key, lang), print_pdf(chromium, to_html(paper), tmp, names[key]), to_docx(paper), names[key]))
        if with_justification:  # numbered after the papers, like them
            if peers:
                from okmo_models.report.compare_sections import render_with_peers

                report = render_with_peers(path, peers, lang, tmp / "report", True, name=justification)
            else:
                report = render_report(path, lang, tmp / "report", overwrite=True, name=justification)
            made.append((t(report_key, lang), report, None, report.stem))
        done = [WrittenPaper(title, pdf, None, pdf_pages(pdf)) for title, pdf, _, _ in made]
        contents = contents_paper(subject, done, lang)
        made.insert(0, (t("pp_contents_title", lang), print_pdf(chromium, to_html(contents), tmp, contents_name),
                        to_docx(contents), contents_name))
        # the justification's executed notebook goes beside its PDF, to open and re-run
        notebooks = [pdf.with_suffix(".ipynb") for _, pdf, _, _ in made if pdf.with_suffix(".ipynb").exists()]
        if not overwrite:  # the report's own name is known only now
            for _, _, docx, stem in made:
                for suffix in (".pdf", ".docx") if docx else (".pdf",):
                    if (folder / (stem + suffix)).exists():
                        raise FileExistsRefused(folder / (stem + suffix))
            for notebook in notebooks:
                if (folder / notebook.name).exists():
                    raise FileExistsRefused(folder / notebook.name)
        written = [WrittenPaper(title, write_new_file(folder / f"{stem}.pdf", pdf.read_bytes(), overwrite),
                                write_new_file(folder / f"{stem}.docx", docx, overwrite) if docx else None,
                                pdf_pages(pdf)) for title, pdf, docx, stem in made]
        for notebook in notebooks:
            write_new_file(folder / notebook.name, notebook.read_bytes(), overwrite)
    return written


def contents_paper(subject: str, written: list[WrittenPaper], lang: str) -> Paper:
    """The package's first page: what is in it and how many pages each has (the files are
    numbered in this order)."""
    rows = tuple((str(n), w.title, str(w.pages)) for n, w in enumerate(written, 1))
    return Paper((), (
        Heading(t("pp_contents_title", lang)),
        Para(t("pp_contents_intro", lang, subject=subject, date=dt.date.today().strftime("%d.%m.%Y")), "center"),
        Table(("№", t("pp_contents_document", lang), t("pp_contents_pages", lang)), rows, (0, 2))),
        t("pp_page", lang))


def pdf_pages(pdf: Path) -> int:
    """Pages of a PDF Chromium printed (its page objects; no PDF library needed)."""
    return len(re.findall(rb"/Type\s*/Page(?![s\w])", pdf.read_bytes()))


def _file_name(title: str) -> str:
    """A title as a file name: words joined by "_", nothing a file system refuses."""
    return re.sub(r"[^\w-]+", "_", title).strip("_")

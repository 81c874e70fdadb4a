"""From a scenario file to a PDF justification (a budget file to a budget forecast report, a
development programme to its financing annex).

1. The scenario is loaded and computed first: a broken file stops here with the usual
   clear error, before anything is written.
2. The report notebook of the file's kind (tariff_report.ipynb, budget_report.ipynb for a
   budget file, programme_report.ipynb for a programme; see :mod:`okmo_models.kinds`) is executed with nbclient, its parameters cell replaced by
   the scenario and the language (as papermill does).
3. nbconvert renders it with our own template (template/index.html.j2): outputs only,
   CSS inline, no scripts or external assets.
4. Chromium (the system's: OKMO_CHROMIUM, or chromium / google-chrome on PATH, else one a
   Playwright install already downloaded on a machine with internet) prints
   it to PDF; page numbers come from CSS margin boxes. A first print tells on which page
   each section starts; the table of contents is filled in and printed again.
5. The PDF is moved into place atomically; an existing report is replaced only with
   ``overwrite=True``.
"""

from __future__ import annotations

import importlib
import os
import re
import shutil
import subprocess
import sys
import tempfile
from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor, as_completed
from importlib import resources
from pathlib import Path

# jsonschema (imported by nbformat) loads rfc3987_syntax, when installed, for a URI format
# checker nbformat never uses; building its grammar costs about 1.4 s per report process.
sys.modules.setdefault("rfc3987_syntax", None)

import nbformat  # noqa: E402

from okmo_models.errors import OkmoError  # noqa: E402
from okmo_models.kinds import kind_of  # noqa: E402
from okmo_models.i18n import t  # noqa: E402
from okmo_models.safe_write import write_new_file  # noqa: E402

HERE = resources.files("okmo_models").joinpath("report")
CHROMIUM_NAMES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")
# Flags for a headless print on a machine without network or display (see docs/benchmarks.md).
CHROMIUM_FLAGS = ("--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                  "--disable-component-update", "--disable-sync", "--disable-default-apps",
                  "--no-first-run", "--disable-extensions", "--mute-audio", "--no-pdf-header-footer",
                  "--generate-pdf-document-outline")


def sections(kind):
    """The module of a kind's report sections (outline, contents, charts, stamp)."""
    return importlib.import_module(kind.report)


class ReportError(OkmoError):
    def __init__(self, key: str, **context):
        super().__init__(key)
        self.key, self.context = key, context

    def render(self, lang=None) -> str:
        return t(self.key, lang, **self.context)


def find_chromium() -> str | None:
    """The browser to print with: $OKMO_CHROMIUM, else the first Chromium/Chrome on PATH."""
    explicit = os.environ.get("OKMO_CHROMIUM")
    if explicit:
        return explicit if Path(explicit).exists() else shutil.which(explicit)
    for name in CHROMIUM_NAMES:
        found = shutil.which(name)
        if found:
            return found
    return _playwright_chromium()


def _playwright_chromium() -> str | None:
    """A browser Playwright already installed (machines with internet only); never downloads."""
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        return None
    try:
        with sync_playwright() as p:
            path = p.chromium.executable_path
    except Exception:  # noqa: BLE001 - no driver or no browser: simply not available
        return None
    return path if path and Path(path).exists() else None


def report_kind(path: Path):
    """The kind of a plan file (:func:`okmo_models.kinds.kind_of`); for a municipality folder,
    which is no kind of file, its overview (:data:`municipality_sections.FOLDER`)."""
    if Path(path).is_dir():
        from okmo_models.report.municipality_sections import FOLDER

        return FOLDER
    return kind_of(path)


def report_name(scenario_path: Path, year: int | None, lang: str) -> str:
    """``teploklyuchenka_waste_2027_ru.pdf`` from ``scenarios/teploklyuchenka/waste.yaml``;
    ``teploklyuchenka_overview_ru.pdf`` for the folder ``scenarios/teploklyuchenka``."""
    parts = ([scenario_path.name, "overview", lang] if scenario_path.is_dir()
             else [scenario_path.parent.name, scenario_path.stem, str(year), lang])
    return "_".join(re.sub(r"[^\w-]+", "-", p).strip("-") for p in parts if p) + ".pdf"


def render_report(scenario: str | Path, lang: str = "ru", output_dir: str | Path = "reports",
                  overwrite: bool = False, name: str | None = None) -> Path:
    """Render the report of one file (a tariff justification, or a budget forecast for a
    budget file), or the overview of a municipality folder; returns the PDF's path.

    ``name`` replaces the default file stem (folder runs make names unique with it).
    """
    scenario = Path(scenario).resolve()
    kind = report_kind(scenario)
    output_dir = Path(output_dir)
    if output_dir.exists() and not output_dir.is_dir() or output_dir.suffix.lower() == ".pdf":
        raise ReportError("output_not_folder", path=output_dir)
    chromium = find_chromium()
    if chromium is None:
        raise ReportError("no_browser")
    # The kernel starts and runs the notebook while this process validates the scenario
    # (for the file name and the contents); a broken scenario stops here with its clear
    # error and nothing is written. Errors found only while computing come from the kernel.
    with ThreadPoolExecutor(max_workers=1) as pool:
        executed = pool.submit(execute_notebook, scenario, lang, kind)
        kind.check(scenario)  # computed as the command would: a plan the budget cannot carry stops here
        scenario_data = kind.load(scenario).model
        year = kind.plan_year(scenario_data)
        stem = ("_".join(str(p) for p in (name, year, lang) if p is not None) if name
                else report_name(scenario, year, lang).removesuffix(".pdf"))
        target = output_dir / f"{stem}.pdf"
        if target.exists() and not overwrite:
            from okmo_models.safe_write import FileExistsRefused

            raise FileExistsRefused(target)
        exporter = _exporter()  # loads nbconvert and the template while the kernel works
        html = convert(executed.result(), lang, scenario_data, exporter, kind)
    with tempfile.TemporaryDirectory(prefix="okmo-report-") as tmp:
        tmp = Path(tmp)
        first = print_pdf(chromium, html, tmp, "draft")
        pages = section_pages(first, scenario_data, lang, kind)
        final = print_pdf(chromium, with_contents(html, scenario_data, lang, pages, kind), tmp, "final")
        return write_new_file(target, final.read_bytes(), overwrite=overwrite)


def notebook_html(scenario: Path, lang: str, validated, kind=None) -> str:
    """Execute the report notebook for ``scenario`` and convert it with our template."""
    kind = kind or report_kind(scenario)
    return convert(execute_notebook(Path(scenario), lang, kind), lang, validated, None, kind)


def execute_notebook(scenario: Path, lang: str, kind=None):
    """The report notebook of the file's kind executed with nbclient for ``scenario`` and ``lang``."""
    from nbclient import NotebookClient
    from nbclient.exceptions import CellExecutionError

    kind = kind or report_kind(scenario)
    nb = nbformat.reads(HERE.joinpath(f"{kind.name}_report.ipynb").read_text("utf-8"), as_version=4)
    for cell in nb.cells:
        if "parameters" in cell.get("metadata", {}).get("tags", []):
            cell.source = f"scenario = {str(scenario)!r}\nlang = {lang!r}\n"
    try:
        with tempfile.TemporaryDirectory(prefix="okmo-kernel-") as sockets:
            # The kernel's own log lines (e.g. its TCP-transport warning) are not for the user.
            # OKMO_LANG makes errors raised in the kernel speak the report's language.
            NotebookClient(nb, timeout=300, kernel_name="python3", config=_kernel_config(sockets),
                           resources={"metadata": {"path": str(scenario.parent)}}).execute(
                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                env={**os.environ, "OKMO_LANG": lang})
    except CellExecutionError as exc:
        if exc.ename == "ScenarioError":  # found while computing (e.g. uncoverable discounts)
            raise ReportError("report_scenario_failed", detail=exc.evalue) from None
        raise ReportError("report_engine_failed", detail=f"{exc.ename}: {exc.evalue}") from None
    return nb


def _kernel_config(sockets: str):
    """Kernel connection settings: Unix sockets in a folder of this run where possible.

    With TCP, kernels started at the same moment (a folder of reports, several workers)
    can be given the same free port, and one of them dies before it answers; sockets in
    a private folder cannot collide.
    """
    from traitlets.config import Config

    if os.name != "posix":
        return Config()
    return Config({"KernelManager": {"transport": "ipc", "ip": os.path.join(sockets, "kernel")}})


def _exporter():
    from nbconvert.exporters import TemplateExporter

    # The plain TemplateExporter: HTMLExporter would fall back to its lab template, which
    # links require.js and MathJax from a CDN.
    return TemplateExporter(template_file=str(HERE.joinpath("template", "index.html.j2")))


def convert(nb, lang: str, scenario, exporter, kind) -> str:
    """The executed notebook as one self-contained HTML page (our template, inline CSS)."""
    exporter = exporter or _exporter()
    css = HERE.joinpath("report.css").read_text("utf-8").replace("var(--page-label)", _page_label(lang))
    title = f"{t(kind.report_title, lang)} — {scenario.municipality.name.get(lang)}"
    body, _ = exporter.from_notebook_node(nb, resources={"okmo": {"lang": lang, "css": css, "title": title}})
    return body


def _page_label(lang: str) -> str:
    """CSS ``content`` for the page footer: "Стр. " counter(page) " из " counter(pages)."""
    template = t("r_page", lang)
    out = []
    for piece in re.split(r"(\{page\}|\{pages\})", template):
        if piece == "{page}":
            out.append("counter(page)")
        elif piece == "{pages}":
            out.append("counter(pages)")
        elif piece:
            out.append('"' + piece.replace('"', '\\"') + '"')
    return " ".join(out)


def print_pdf(chromium: str, html: str, folder: Path, name: str) -> Path:
    source = folder / f"{name}.html"
    source.write_text(html, encoding="utf-8")
    pdf = folder / f"{name}.pdf"
    profile = folder / f"profile-{name}"
    cmd = [chromium, *CHROMIUM_FLAGS, f"--user-data-dir={profile}", f"--print-to-pdf={pdf}",
           source.as_uri()]
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=120)
    if proc.returncode != 0 or not pdf.exists() or pdf.stat().st_size == 0:
        raise ReportError("report_engine_failed",
                          detail=f"{Path(chromium).name} exit {proc.returncode}: {proc.stderr.strip()[-300:]}")
    return pdf


def section_pages(pdf: Path, scenario, lang: str, kind) -> dict[int, int]:
    """Page on which each numbered section starts, read from the printed draft."""
    outline = sections(kind).outline
    text = pdf_text(pdf)
    if text is None:
        return {}
    # Compare with whitespace collapsed: a long heading may wrap onto two lines.
    pages = [" ".join(page.split()) for page in text.split("\f")]
    found = {}
    for n, key in enumerate(outline(scenario), 1):
        heading = " ".join(f"{n}. {t(key, lang)}".split())
        for number, page in enumerate(pages[2:], start=3):  # after the title page and contents
            if heading in page:
                found[n] = number
                break
    return found


def pdf_text(pdf: Path) -> str | None:
    """The PDF's text, pages separated by form feeds (poppler's pdftotext)."""
    tool = shutil.which("pdftotext")
    if tool is None:
        return None
    proc = subprocess.run([tool, "-layout", str(pdf), "-"], capture_output=True, text=True)
    return proc.stdout if proc.returncode == 0 else None


def with_contents(html: str, scenario, lang: str, pages: dict, kind) -> str:
    contents = sections(kind).contents
    start = html.index('<div class="toc">')
    end = html.index("</ol></div>", start) + len("</ol></div>")
    return html[:start] + contents(scenario, lang, pages) + html[end:]


# --- many scenarios ----------------------------------------------------------------------------


def batch_names(paths, folder: Path) -> dict:
    """Unique report names from the files' paths under the folder: 2026_ak-bulak_water."""
    out = {}
    for p in paths:
        rel = Path(p).resolve().relative_to(Path(folder).resolve()).with_suffix("")
        parts = rel.parts if len(rel.parts) > 1 else (Path(p).resolve().parent.name, rel.name)
        out[p] = "_".join(re.sub(r"[^\w-]+", "-", part).strip("-") for part in parts)
    return out


def _one(args):
    path, lang, output_dir, overwrite, name = args
    try:
        return path, render_report(path, lang, output_dir, overwrite, name=name), None
    except OkmoError as exc:
        return path, None, exc.render(lang)
    except Exception as exc:  # noqa: BLE001 - one bad scenario must not stop the batch
        return path, None, t("report_engine_failed", lang, detail=f"{type(exc).__name__}: {exc}")


def render_many(paths, lang: str = "ru", output_dir="reports", overwrite: bool = False,
                workers: int | None = None, progress=sys.stderr, names: dict | None = None):
    """Render several scenarios in parallel; returns ``[(path, pdf or None, error or None)]``."""
    paths = list(paths)
    names = names or {}
    workers = max(1, workers or min(len(paths), os.cpu_count() or 1))
    results = []
    with ProcessPoolExecutor(max_workers=workers) as pool:
        futures = [pool.submit(_one, (p, lang, output_dir, overwrite, names.get(p))) for p in paths]
        for done, future in enumerate(as_completed(futures), 1):
            results.append(future.result())
            if progress is not None:
                _progress(progress, done, len(paths), results[-1])
    order = {p: i for i, p in enumerate(paths)}
    return sorted(results, key=lambda r: order[r[0]])


def _progress(stream, done: int, total: int, item) -> None:
    width = 30
    filled = int(width * done / total)
    mark = "✓" if item[2] is None else "✗"
    stream.write(f"[{'#' * filled}{'.' * (width - filled)}] {done}/{total} {mark} {item[0]}\n")
    stream.flush()

"""The report build of issue 21: the executed notebook saved beside the PDF, parameters and a
kind given by the caller, and the warm kernel and browser a process keeps between reports
(which must change nothing in the PDF)."""

import ast
import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path
from types import SimpleNamespace

import nbformat
import pytest

from conftest import SCENARIOS
from okmo_models.batch import report_tree
from okmo_models.report.build import (find_chromium, parameters_source, print_pdf, print_pdf_cold,
                                      render_report, report_kind, run_notebook)
from okmo_models.safe_write import FileExistsRefused

needs_browser = pytest.mark.skipif(
    (find_chromium() is None or shutil.which("pdftotext") is None) and not os.environ.get("CI"),
    reason="needs Debian's chromium and poppler-utils (scripts/test.sh installs them)")

WASTE = SCENARIOS / "teploklyuchenka/waste.yaml"


def text_of(pdf: Path) -> str:
    return subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True,
                          check=True).stdout


def page_count(pdf: Path) -> int:
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True).stdout
    return int(next(line.split()[-1] for line in info.splitlines() if line.startswith("Pages:")))


# --- parameters ----------------------------------------------------------------------------------


def test_parameters_are_python_literals_after_scenario_and_lang():
    source = parameters_source(Path("/x/waste.yaml"), "ky", {
        "peers": ["a/water.yaml", "b/water.yaml"], "threshold": 2.5, "show": True, "note": None,
        "by_region": {"Чүй": [1, 2]}, "pair": (1, 2)})
    lines = source.splitlines()
    assert lines[:2] == ["scenario = '/x/waste.yaml'", "lang = 'ky'"]
    values = {}
    for line in lines:
        name, _, literal = line.partition(" = ")
        values[name] = ast.literal_eval(literal)  # plain literals an economist can edit
    assert values == {"scenario": "/x/waste.yaml", "lang": "ky", "peers": ["a/water.yaml", "b/water.yaml"],
                      "threshold": 2.5, "show": True, "note": None, "by_region": {"Чүй": [1, 2]},
                      "pair": [1, 2]}


@pytest.mark.parametrize("parameters", [{"lang": "en"}, {"scenario": "x"}, {"not a name": 1}, {"class": 1},
                                        {"x": float("nan")}, {"x": object()}, {"x": {1, 2}}])
def test_parameters_that_are_no_json_value_or_no_name_are_refused(parameters):
    with pytest.raises((ValueError, TypeError)):
        parameters_source(Path("/x/waste.yaml"), "ru", parameters)


# --- the warm kernel -----------------------------------------------------------------------------


def test_a_kernel_kept_between_notebooks_starts_each_from_an_empty_namespace(tmp_path):
    """Two notebooks in a row in the process's warm kernel: nothing of the first is left in
    the second, which runs in its own folder, in its language, numbered from 1."""
    first = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("leak = 1\nleak")])
    run_notebook(first, "ru", tmp_path)
    assert first.cells[0].outputs[0]["data"]["text/plain"] == "1"
    (tmp_path / "second").mkdir()
    second = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(
        "import os\n'leak' in dir(), os.getcwd(), os.environ['OKMO_LANG']")])
    run_notebook(second, "ky", tmp_path / "second")
    out = second.cells[0].outputs[0]
    assert ast.literal_eval(out["data"]["text/plain"]) == (False, str(tmp_path / "second"), "ky")
    assert second.cells[0].execution_count == 1 and out["execution_count"] == 1


def test_a_kept_kernel_reads_the_folders_of_each_report_not_of_the_first(tmp_path):
    """A batch opens each file's folder for reading (okmo_models.references.wider_root sets
    OKMO_DATA_ROOT); the warm kernel must see the folder of the report it runs now, and
    nothing of an earlier one (review of issue 21: it kept the first report's)."""
    from okmo_models.references import wider_root

    seen = []
    for name in ("a", "b"):
        (tmp_path / name).mkdir()
        nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("import os\nstr(os.environ.get('OKMO_DATA_ROOT'))")])
        with wider_root(tmp_path / name):
            run_notebook(nb, "ru", tmp_path / name)
        seen.append(ast.literal_eval(nb.cells[0].outputs[0]["data"]["text/plain"]))
    assert str(tmp_path / "a") in seen[0] and str(tmp_path / "b") not in seen[0]
    assert str(tmp_path / "b") in seen[1] and str(tmp_path / "a") not in seen[1]
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("import os\nstr(os.environ.get('OKMO_DATA_ROOT'))")])
    run_notebook(nb, "ru", tmp_path)  # outside any wider root: none is left behind
    assert str(tmp_path / "b") not in ast.literal_eval(nb.cells[0].outputs[0]["data"]["text/plain"])


# --- reports -------------------------------------------------------------------------------------


@needs_browser
def test_warm_and_cold_reports_and_the_stock_print_are_the_same(tmp_path):
    """The same scenario several ways: by `okmo report` in a fresh process (cold kernel and
    browser), twice in this process (the second with the kernel and browser the first left
    warm), in a batch worker forked from this process, and once more here; the same text and
    pages. The page the DevTools route prints is the page `chromium --print-to-pdf` prints."""
    cold_dir = tmp_path / "cold"
    subprocess.run([sys.executable, "-m", "okmo_models.cli", "report", str(WASTE), "-o", str(cold_dir)],
                   check=True, capture_output=True)
    cold = next(cold_dir.glob("*.pdf"))
    first = render_report(WASTE, "ru", tmp_path / "first")
    warm = render_report(WASTE, "ru", tmp_path / "warm")
    # a batch after this process has warm state: its forked workers must not use it
    [done] = report_tree([WASTE], "ru", tmp_path / "batch", executor="process", workers=1, progress=None)
    assert done.ok, done.error.render("ru")
    batch = Path(done.value)
    again = render_report(WASTE, "ru", tmp_path / "again")  # the warm state survived the fork
    reference = text_of(cold)
    assert "Содержание" in reference
    for pdf in (first, warm, batch, again):
        assert text_of(pdf) == reference, pdf
        assert page_count(pdf) == page_count(cold)

    html = tmp_path / "first" / "page.html"
    from okmo_models.report.build import notebook_html
    from okmo_models.scenario.loader import load_scenario

    html.write_text(notebook_html(WASTE.resolve(), "ru", load_scenario(WASTE).scenario), encoding="utf-8")
    stock = print_pdf_cold(find_chromium(), html.read_text("utf-8"), tmp_path, "stock")
    devtools = print_pdf(find_chromium(), html.read_text("utf-8"), tmp_path, "devtools")
    assert text_of(devtools) == text_of(stock) and page_count(devtools) == page_count(stock)
    # the contents filled into the loaded page give the PDF the old route gave: the contents
    # put into the HTML and the page printed again by a fresh `chromium --print-to-pdf`
    from okmo_models.report.build import section_pages, with_contents

    scenario, kind = load_scenario(WASTE).scenario, report_kind(WASTE)
    pages = section_pages(stock, scenario, "ru", kind)
    assert pages and min(pages.values()) >= 3
    old_route = print_pdf_cold(find_chromium(), with_contents(html.read_text("utf-8"), scenario, "ru", pages, kind),
                               tmp_path, "old-route")
    assert text_of(old_route) == reference and page_count(old_route) == page_count(cold)


@needs_browser
def test_the_executed_notebook_is_saved_beside_the_pdf_with_its_parameters(tmp_path):
    """An economist opens the notebook beside the PDF and sees what the report was made of:
    the parameters cell as given and the outputs; a given kind changes the report's title."""
    tariff = report_kind(WASTE)

    # what the compare helper passes: a kind-like object
    kind = SimpleNamespace(name=tariff.name, report=tariff.report, check=tariff.check, load=tariff.load,
                           plan_year=tariff.plan_year, report_title="r_contents")
    pdf = render_report(WASTE, "en", tmp_path, kind=kind, parameters={"peers": ["a.yaml"], "limit": 2})
    notebook = pdf.with_suffix(".ipynb")
    nb = nbformat.read(notebook, as_version=4)
    nbformat.validate(nb)
    [parameters] = [c for c in nb.cells if "parameters" in c.metadata.get("tags", [])]
    assert parameters.source == (f"scenario = {str(WASTE.resolve())!r}\nlang = 'en'\n"
                                 "peers = ['a.yaml']\nlimit = 2\n")
    shown = [o for c in nb.cells if c.cell_type == "code" for o in c.outputs if "text/html" in o.get("data", {})]
    assert shown and "Teploklyuchenka" in shown[-1]["data"]["text/html"]
    counts = [c.execution_count for c in nb.cells if c.cell_type == "code"]
    assert counts == list(range(1, len(counts) + 1))  # as one run from a fresh kernel numbers them
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True).stdout
    title = next(line.split(":", 1)[1].strip() for line in info.splitlines() if line.startswith("Title:"))
    assert title == "Contents — Teploklyuchenka aiyl okmotu"  # the given kind's title, not the tariff's


@needs_browser
def test_an_existing_notebook_is_not_overwritten_and_no_pdf_is_written(tmp_path):
    stem = "teploklyuchenka_waste_2027_ru"
    (tmp_path / f"{stem}.ipynb").write_text("mine", encoding="utf-8")
    with pytest.raises(FileExistsRefused):
        render_report(WASTE, "ru", tmp_path)
    assert (tmp_path / f"{stem}.ipynb").read_text("utf-8") == "mine"
    assert not (tmp_path / f"{stem}.pdf").exists()
    pdf = render_report(WASTE, "ru", tmp_path, overwrite=True)
    assert json.loads(pdf.with_suffix(".ipynb").read_text("utf-8"))["nbformat"] == 4


@needs_browser
@pytest.mark.parametrize("workers", [0, 2])
def test_nothing_is_left_running_or_on_disk_after_the_process(tmp_path, workers, request):
    """The kernels and browsers kept warm are stopped, and their folders removed, when the
    process ends: `okmo report FILE` (workers 0) and the workers of a batch (2)."""
    # short: Chromium's singleton socket lives under TMPDIR, and a socket path has at most 107 bytes
    temp = Path(tempfile.mkdtemp(prefix="okmo-t-", dir="/tmp"))
    request.addfinalizer(lambda: shutil.rmtree(temp, ignore_errors=True))
    if workers:
        folder = tmp_path / "in"
        for name in ("a", "b", "c"):
            (folder / name).mkdir(parents=True)
            shutil.copy(SCENARIOS / "ak-bulak/water.yaml", folder / name / "water.yaml")
        args = [str(folder), "--workers", str(workers)]
    else:
        args = [str(WASTE)]
    proc = subprocess.run([sys.executable, "-m", "okmo_models.cli", "report", *args, "-o", str(tmp_path / "out")],
                          capture_output=True, text=True, env={**os.environ, "TMPDIR": str(temp)}, timeout=600)
    assert proc.returncode == 0, proc.stderr
    assert len(list((tmp_path / "out").glob("*.pdf"))) == (3 if workers else 1)
    assert not list(temp.iterdir())  # profiles, kernel sockets and connection files removed
    running = []
    for proc in Path("/proc").iterdir():
        try:
            if str(temp).encode() in (proc / "cmdline").read_bytes():
                running.append(proc.name)
        except OSError:
            continue
    assert not running


def _render_in_worker(path: str, out: str) -> str:
    return str(render_report(path, "ru", out))


@needs_browser
def test_reports_in_a_dask_worker_with_two_threads_and_nothing_left_after(tmp_path, monkeypatch):
    """A Dask worker runs reports in several threads of one process: each report gets its own
    kernel and browser from the process's warm state; closing the cluster stops them all."""
    distributed = pytest.importorskip("distributed")
    temp = Path(tempfile.mkdtemp(prefix="okmo-t-", dir="/tmp"))  # short: see above
    try:
        monkeypatch.setenv("TMPDIR", str(temp))  # read by the worker processes the cluster starts
        files = [str(SCENARIOS / p) for p in ("teploklyuchenka/waste.yaml", "ak-bulak/water.yaml",
                                              "teploklyuchenka/dipping_bath.yaml", "ak-bulak/water.yaml")]
        with distributed.LocalCluster(n_workers=1, threads_per_worker=2, processes=True,
                                      dashboard_address=None) as cluster, distributed.Client(cluster) as client:
            pdfs = client.gather(client.map(_render_in_worker, files, [str(tmp_path / str(i)) for i in range(4)]))
        assert [Path(p).parent.name for p in pdfs] == ["0", "1", "2", "3"]
        assert text_of(Path(pdfs[1])) == text_of(Path(pdfs[3]))  # a warm report is the cold one
        assert not [p.name for p in temp.iterdir() if p.name.startswith("okmo-")]
        assert not [proc for proc in Path("/proc").glob("[0-9]*") if _cmdline_mentions(proc, temp)]
    finally:
        shutil.rmtree(temp, ignore_errors=True)


def _cmdline_mentions(proc: Path, folder: Path) -> bool:
    try:
        return str(folder).encode() in (proc / "cmdline").read_bytes()
    except OSError:
        return False

"""From a scenario file to a PDF justification (a budget file to a budget forecast report, a
development programme to its financing annex).

1. The scenario is loaded and computed first: a broken file stops here with the usual
   clear error, before anything is written.
2. The report notebook of the file's kind (tariff_report.ipynb, budget_report.ipynb for a
   budget file, programme_report.ipynb for a programme; see :mod:`okmo_models.kinds`) is
   executed with nbclient, its parameters cell replaced by the scenario, the language and
   the caller's parameters (as papermill does).
3. nbconvert renders it with our own template (template/index.html.j2): outputs only,
   CSS inline, no scripts or external assets.
4. Chromium (the system's: OKMO_CHROMIUM, or chromium / google-chrome on PATH, else one a
   Playwright install already downloaded on a machine with internet) prints
   it to PDF; page numbers come from CSS margin boxes. A first print tells on which page
   each section starts; the table of contents is filled in and printed again.
5. The PDF and the executed notebook beside it (same stem, ``.ipynb``: the economist's
   to open and re-run) are moved into place atomically; existing ones are replaced only
   with ``overwrite=True``.

Speed (issue 21): a process keeps its kernel and its browser warm between reports
(:class:`_WarmState`): a batch worker pays the kernel start, the first imports and the
browser start once, not per report; the first report of a process starts the kernel and the
browser at the same time, while the scenario is validated. Both are stopped when the process
ends. Measured figures: /work/h/bench_report.md, benchmarks/bench_report.py.
"""

from __future__ import annotations

import base64
import importlib
import json
import keyword
import os
import queue
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from concurrent.futures import Future, ThreadPoolExecutor, wait
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
                  overwrite: bool = False, name: str | None = None, *, kind=None,
                  parameters: dict | None = None) -> Path:
    """Render the report of one file (a tariff justification, or a budget forecast for a
    budget file), or the overview of a municipality folder; returns the PDF's path.

    The executed notebook is saved beside the PDF with the same stem (``.ipynb``), so an
    economist can open it and re-run it; like the PDF it is written atomically and never
    over an existing file without ``overwrite``.

    ``name`` replaces the default file stem (folder runs make names unique with it).
    ``kind`` replaces :func:`report_kind` (an object with ``name`` — the notebook is
    ``<name>_report.ipynb`` —, ``report``, ``report_title``, ``check``, ``load`` and
    ``plan_year``, as :data:`municipality_sections.FOLDER`). ``parameters`` are more
    notebook parameters, JSON values written into the parameters cell as Python literals
    after ``scenario`` and ``lang``.

    The kernel and the browser come from the warm state of this process (:class:`_WarmState`): the first
    report of a process starts both at once (while the scenario is validated); later reports
    of the same process (a batch worker) find them running.
    """
    scenario = Path(scenario).resolve()
    kind = kind or report_kind(scenario)
    source = parameters_source(scenario, lang, parameters)  # a bad parameter fails before any work
    output_dir = Path(output_dir)
    if output_dir.exists() and not output_dir.is_dir() or output_dir.suffix.lower() == ".pdf":
        raise ReportError("output_not_folder", path=output_dir)
    chromium = find_chromium()
    if chromium is None:
        raise ReportError("no_browser")
    # The kernel runs the notebook and the browser starts while this process validates the
    # scenario (for the file name and the contents); a broken scenario stops here with its
    # clear error and nothing is written. Errors found only while computing come from the kernel.
    with ThreadPoolExecutor(max_workers=1) as starter:
        browser = starter.submit(_take_browser, chromium)
        try:
            executed = _run_notebook(scenario, lang, kind, source)
            try:
                kind.check(scenario)  # computed as the command would: a plan the budget cannot carry stops here
                scenario_data = kind.load(scenario).model
                year = kind.plan_year(scenario_data)
                stem = ("_".join(str(p) for p in (name, year, lang) if p is not None) if name
                        else report_name(scenario, year, lang).removesuffix(".pdf"))
                target = output_dir / f"{stem}.pdf"
                notebook_target = target.with_suffix(".ipynb")
                for existing in (target, notebook_target):
                    if existing.exists() and not overwrite:
                        from okmo_models.safe_write import FileExistsRefused

                        raise FileExistsRefused(existing)
                exporter = _exporter()  # loads nbconvert and the template while the kernel works
            finally:
                wait([executed])  # the kernel is back in the pool whatever happened here
            nb = executed.result()
            html = convert(nb, lang, scenario_data, exporter, kind)
            with tempfile.TemporaryDirectory(prefix="okmo-report-") as tmp:
                final = print_report(browser.result(), html, Path(tmp), scenario_data, lang, kind)
            notebook = write_new_file(notebook_target, nbformat.writes(nb), overwrite=overwrite)
            try:
                return write_new_file(target, final, overwrite=overwrite)
            except BaseException:
                notebook.unlink(missing_ok=True)  # no notebook without its PDF
                raise
        finally:
            _give_back_browser(browser)


def parameters_source(scenario: Path, lang: str, parameters: dict | None = None) -> str:
    """The source of the notebook's parameters cell: ``scenario`` and ``lang``, then each of
    ``parameters`` (JSON values: the cell must stay plain literals an economist can edit)."""
    lines = [f"scenario = {str(scenario)!r}", f"lang = {lang!r}"]
    for key, value in (parameters or {}).items():
        if not isinstance(key, str) or not key.isidentifier() or keyword.iskeyword(key) \
                or key in ("scenario", "lang"):
            raise ValueError(f"not a notebook parameter name: {key!r}")
        # through JSON: only JSON values pass, and tuples become lists as a reader expects
        plain = json.loads(json.dumps(value, allow_nan=False, ensure_ascii=False))
        lines.append(f"{key} = {plain!r}")
    return "\n".join(lines) + "\n"


def print_report(browser, html: str, folder: Path, scenario, lang: str, kind) -> bytes:
    """The PDF of the report page: a first print tells on which page each section starts,
    the table of contents is filled in and the page printed again (both in one browser)."""
    first = browser.print_pdf(html, folder, "draft", draft=True)
    pages = section_pages(first, scenario, lang, kind)
    if hasattr(browser, "print_with_contents"):
        final = browser.print_with_contents(sections(kind).contents(scenario, lang, pages), folder, "final")
    else:
        final = browser.print_pdf(with_contents(html, scenario, lang, pages, kind), folder, "final")
    return final.read_bytes()


def notebook_html(scenario: Path, lang: str, validated, kind=None) -> str:
    """Execute the report notebook for ``scenario`` and convert it with our template."""
    kind = kind or report_kind(scenario)
    return convert(execute_notebook(Path(scenario), lang, kind), lang, validated, None, kind)


def execute_notebook(scenario: Path, lang: str, kind=None, parameters: dict | None = None):
    """The report notebook of the file's kind executed with nbclient for ``scenario`` and ``lang``."""
    scenario = Path(scenario)
    kind = kind or report_kind(scenario)
    return _run_notebook(scenario, lang, kind, parameters_source(scenario, lang, parameters)).result()


def run_notebook(nb, lang: str, folder: Path):
    """``nb`` executed in a kernel of this process's warm state, in ``folder`` and with
    ``OKMO_LANG=lang``, starting from an empty namespace; returns it."""
    return _WARM.kernel().run(nb, lang, Path(folder)).result()


def _run_notebook(scenario: Path, lang: str, kind, source: str):
    """Start executing the report notebook in a warm kernel; a future of the executed notebook
    (its errors as :class:`ReportError`)."""
    nb = nbformat.reads(HERE.joinpath(f"{kind.name}_report.ipynb").read_text("utf-8"), as_version=4)
    for cell in nb.cells:
        if "parameters" in cell.get("metadata", {}).get("tags", []):
            cell.source = source
    return _WARM.kernel().run(nb, lang, scenario.parent)


# --- warm state of a process: one kernel and one browser per concurrent report ------------------


class _Kernel:
    """An ipykernel kept alive between the reports of a process (a batch worker).

    Measured (issue 21, load ~2): a fresh kernel costs 0,9 s to start, 0,7 s to shut down
    gracefully and about 2 s more for the notebook's first run (imports, fonts); in a warm
    kernel the notebook runs in about 1 s. Between reports the namespace is reset (``%reset
    -f``), the working folder and ``OKMO_LANG`` are set for the next file; the parameters cell
    is still injected into each notebook. All calls run on the kernel's own thread: the
    asyncio client of jupyter_client belongs to the event loop of the thread that made it.
    """

    MAX_USES = 200  # a fresh kernel now and then bounds what a long batch can accumulate

    def __init__(self):
        self.thread = _Thread("okmo-kernel")
        self.sockets = tempfile.mkdtemp(prefix="okmo-kernel-")
        self.km = self.kc = None
        self.uses = 0
        self.broken = False
        self.started = self.thread.submit(self._start)

    def _start(self):
        from jupyter_client.manager import AsyncKernelManager
        from jupyter_core.utils import run_sync

        self.km = AsyncKernelManager(kernel_name="python3", config=_kernel_config(self.sockets))
        # The kernel's own log lines (e.g. its TCP-transport warning) are not for the user.
        run_sync(self.km.start_kernel)(stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                                       env=dict(os.environ))
        self.kc = self.km.client()
        self.kc.start_channels()
        run_sync(self.kc.wait_for_ready)(timeout=120)
        self.kc.allow_stdin = False

    def run(self, nb, lang: str, folder: Path):
        """A future of ``nb`` executed; the kernel goes back to the pool when it is done."""
        self.uses += 1
        # the caller's okmo settings as they are now (wider_root's OKMO_DATA_ROOT for this
        # file's folder), not as they were when the kernel started for an earlier report
        settings = {k: v for k, v in os.environ.items() if k.startswith("OKMO_")}
        settings["OKMO_LANG"] = lang  # errors raised in the kernel speak the report's language
        future = self.thread.submit(self._run, nb, settings, folder)
        future.add_done_callback(lambda _: _WARM.give_back_kernel(self))
        return future

    def _run(self, nb, settings: dict, folder: Path):
        from jupyter_core.utils import run_sync
        from nbclient import NotebookClient
        from nbclient.exceptions import CellExecutionError

        try:
            self.started.result()
            reply = run_sync(self.kc.execute_interactive)(
                "get_ipython().run_line_magic('reset', '-f')\n"
                "import os as _o\n"
                "[_o.environ.pop(_k) for _k in [k for k in _o.environ if k.startswith('OKMO_')]]\n"
                f"_o.environ.update({settings!r}); _o.chdir({str(folder)!r}); del _o\n",
                silent=True, store_history=False, timeout=60, output_hook=lambda msg: None)
            if reply["content"]["status"] != "ok":
                raise RuntimeError(f"kernel reset failed: {reply['content'].get('evalue')}")
            client = NotebookClient(nb, km=self.km, timeout=300, kernel_name="python3")
            client.kc = self.kc
            client.execute()
        except CellExecutionError as exc:
            if exc.ename == "ScenarioError":  # found while computing (e.g. uncoverable discounts)
                raise ReportError("report_scenario_failed", detail=exc.evalue) from None
            raise ReportError("report_engine_failed", detail=f"{exc.ename}: {exc.evalue}") from None
        except BaseException:
            self.broken = True  # dead, timed out or half-started: never used again
            raise
        # A warm kernel counts on from the previous report: number the cells as one run would.
        count = 0
        for cell in nb.cells:
            if cell.cell_type == "code" and cell.get("execution_count") is not None:
                count += 1
                cell.execution_count = count
                for output in cell.outputs:
                    if output.output_type == "execute_result":
                        output.execution_count = count
        return nb

    def close(self) -> None:
        """Kill the kernel (nothing of it is kept) and remove its sockets."""
        def stop():
            from jupyter_core.utils import run_sync

            try:
                if self.kc is not None:
                    self.kc.stop_channels()
                if self.km is not None and self.km.has_kernel:
                    run_sync(self.km.shutdown_kernel)(now=True)  # also removes its connection file
            except Exception:  # noqa: BLE001 - already gone
                pass

        try:
            self.thread.submit(stop).result(timeout=30)
        except Exception:  # noqa: BLE001 - a stuck kernel thread: the kernel dies with this process
            pass
        self.thread.stop()
        shutil.rmtree(self.sockets, ignore_errors=True)


class _Thread:
    """One daemon thread running what is submitted to it, in order. Not a ThreadPoolExecutor:
    its threads are joined and refuse work before the exit handlers run, and the kernel is
    shut down from one of those (in its own thread, see :class:`_Kernel`)."""

    def __init__(self, name: str):
        self.queue: queue.SimpleQueue = queue.SimpleQueue()
        threading.Thread(target=self._serve, name=name, daemon=True).start()

    def _serve(self) -> None:
        while (job := self.queue.get()) is not None:
            future, fn, args = job
            if future.set_running_or_notify_cancel():
                try:
                    future.set_result(fn(*args))
                except BaseException as exc:  # noqa: BLE001 - handed to the caller
                    future.set_exception(exc)

    def submit(self, fn, *args) -> Future:
        future = Future()
        self.queue.put((future, fn, args))
        return future

    def stop(self) -> None:
        self.queue.put(None)


class _Browser:
    """Chromium kept running and driven over the DevTools protocol on a pipe
    (``--remote-debugging-pipe``: no port, nothing another process can reach).

    Measured (issue 21, load ~2): a cold ``chromium --print-to-pdf`` costs 1,7 s, and a report
    needs two prints (the contents' page numbers come from the first); in a running browser a
    print costs a few tenths of a second. One tab is kept and navigated to each report's own
    file, so nothing of one report's page reaches the next.
    """

    def __init__(self, chromium: str):
        import fcntl

        self.chromium = chromium
        self.profile = tempfile.mkdtemp(prefix="okmo-chromium-")
        self.log = os.path.join(self.profile, "stderr.log")  # for the error message when it fails
        to_browser_r, self.to_browser = os.pipe()
        self.from_browser, from_browser_w = os.pipe()
        # posix_spawn, not fork: safe while other threads run (the kernel starts meanwhile);
        # the browser reads commands on fd 3 and answers on fd 4.
        high = [fcntl.fcntl(fd, fcntl.F_DUPFD_CLOEXEC, 10) for fd in (to_browser_r, from_browser_w)]
        os.close(to_browser_r)
        os.close(from_browser_w)
        argv = [chromium, *CHROMIUM_FLAGS, "--remote-debugging-pipe", "--no-startup-window",
                f"--user-data-dir={self.profile}"]
        actions = [(os.POSIX_SPAWN_OPEN, 0, os.devnull, os.O_RDONLY, 0),
                   (os.POSIX_SPAWN_OPEN, 1, os.devnull, os.O_WRONLY, 0),
                   (os.POSIX_SPAWN_OPEN, 2, self.log, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600),
                   (os.POSIX_SPAWN_DUP2, high[0], 3), (os.POSIX_SPAWN_DUP2, high[1], 4)]
        try:
            self.pid = os.posix_spawn(argv[0], argv, os.environ, file_actions=actions)
        finally:
            for fd in high:
                os.close(fd)
        self.lock = threading.Lock()
        self.next_id = 0
        self.waiting: dict[int, list] = {}
        self.events: list[dict] = []
        self.event_arrived = threading.Condition(self.lock)
        self.alive = True
        self.broken = False
        self.session = None
        self.reader = threading.Thread(target=self._read, name="okmo-chromium", daemon=True)
        self.reader.start()
        try:
            self.call("Browser.getVersion", timeout=60)  # the browser is up and answers
        except BaseException:
            self.close()
            raise

    def _read(self) -> None:
        buffer = b""
        while True:
            try:
                chunk = os.read(self.from_browser, 1 << 16)
            except OSError:
                chunk = b""
            if not chunk:
                break
            buffer += chunk
            *messages, buffer = buffer.split(b"\0")
            with self.lock:
                for raw in messages:
                    msg = json.loads(raw)
                    if "id" in msg and msg["id"] in self.waiting:
                        self.waiting[msg["id"]].append(msg)
                    elif "method" in msg:
                        self.events.append(msg)
                self.event_arrived.notify_all()
        with self.lock:
            self.alive = False
            self.event_arrived.notify_all()

    def call(self, method: str, params: dict | None = None, session: str | None = None,
             timeout: float = 120) -> dict:
        with self.lock:
            self.next_id += 1
            ident = self.next_id
            self.waiting[ident] = slot = []
        msg = {"id": ident, "method": method, "params": params or {}}
        if session:
            msg["sessionId"] = session
        os.write(self.to_browser, json.dumps(msg).encode() + b"\0")
        with self.lock:
            if not self.event_arrived.wait_for(lambda: slot or not self.alive, timeout):
                self.broken = True
                raise ReportError("report_engine_failed", detail=f"Chromium: no answer to {method}")
            del self.waiting[ident]
            if not slot:
                self.broken = True
                raise ReportError("report_engine_failed", detail=f"{Path(self.chromium).name} stopped: {self._log_tail()}")
        answer = slot[0]
        if "error" in answer:
            raise ReportError("report_engine_failed", detail=f"Chromium: {answer['error'].get('message')}")
        return answer["result"]

    def wait_event(self, method: str, session: str, timeout: float = 120) -> dict:
        got = []

        def arrived():
            for n, event in enumerate(self.events):
                if event["method"] == method and event.get("sessionId") == session:
                    got.append(self.events.pop(n))
                    return True
                if event["method"] == "Inspector.detached" and event.get("sessionId") == session:
                    return True  # the tab's renderer is gone: no event will come
            return not self.alive

        with self.lock:
            if not self.event_arrived.wait_for(arrived, timeout) or not got:
                self.broken = True
                raise ReportError("report_engine_failed", detail=f"Chromium: no {method}")
            return got[0]

    def _tab(self) -> str:
        """The session of the browser's one tab, opened on first use and kept: a new tab
        costs a renderer process start (0,3-0,6 s measured)."""
        if self.session is None:
            target = self.call("Target.createTarget", {"url": "about:blank"})["targetId"]
            self.session = self.call("Target.attachToTarget", {"targetId": target, "flatten": True})["sessionId"]
            self.call("Page.enable", session=self.session)
        return self.session

    def print_pdf(self, html: str, folder: Path, name: str, draft: bool = False) -> Path:
        """Print ``html`` (written to ``folder/name.html``) to ``folder/name.pdf`` as
        ``chromium --headless --print-to-pdf`` with :data:`CHROMIUM_FLAGS` does (the same
        options; the same text and pages, checked by tests/test_report_warm.py). A ``draft``,
        read for its page numbers only, is printed without tags and outline: the same pages
        for half the browser's work (0,18 s of CPU instead of 0,35 s measured)."""
        source = folder / f"{name}.html"
        source.write_text(html, encoding="utf-8")
        session = self._tab()
        with self.lock:  # what the previous page said is of no use any more
            self.events = [e for e in self.events if e.get("sessionId") != session]
        url = source.as_uri()
        navigated = self.call("Page.navigate", {"url": url}, session=session)
        if navigated.get("errorText"):
            self.broken = True
            raise ReportError("report_engine_failed", detail=f"Chromium: {navigated['errorText']}")
        while True:  # a load event of the page before is not this page's
            self.wait_event("Page.loadEventFired", session)
            if self.call("Runtime.evaluate", {"expression": "document.readyState == 'complete' && location.href",
                                              "returnByValue": True}, session=session)["result"].get("value") == url:
                break
        return self._print(session, folder / f"{name}.pdf", draft)

    def print_with_contents(self, contents: str, folder: Path, name: str) -> Path:
        """Print the page loaded last again with its table of contents replaced by
        ``contents`` (what :func:`with_contents` does to the HTML), without loading and
        laying out the page anew (0,3 s measured)."""
        session = self._tab()
        replaced = self.call("Runtime.evaluate", {"expression": (
            "(() => { const old = document.querySelector('div.toc'); if (!old) return false;"
            " const t = document.createElement('template'); t.innerHTML = " + json.dumps(contents) + ";"
            " old.replaceWith(t.content); return true; })()"), "returnByValue": True}, session=session)
        if replaced["result"].get("value") is not True:
            raise ReportError("report_engine_failed", detail="Chromium: no table of contents in the page")
        return self._print(session, folder / f"{name}.pdf")

    def _print(self, session: str, pdf: Path, draft: bool = False) -> Path:
        # the options of headless Chromium's --print-to-pdf with CHROMIUM_FLAGS
        data = self.call("Page.printToPDF", {
            "printBackground": True, "preferCSSPageSize": True, "displayHeaderFooter": False,
            "generateDocumentOutline": not draft, "generateTaggedPDF": not draft}, session=session)["data"]
        pdf.write_bytes(base64.b64decode(data))
        return pdf

    def _log_tail(self) -> str:
        try:
            lines = Path(self.log).read_text("utf-8", "replace").splitlines()
        except OSError:
            return ""
        fatal = [line.split("] ", 1)[-1] for line in lines if ":FATAL:" in line]
        return (fatal[-1] if fatal else "\n".join(lines))[-300:].strip()

    def close(self) -> None:
        """Ask the browser to quit, kill it if it does not, remove its profile."""
        try:
            if self.alive:
                os.write(self.to_browser, json.dumps({"id": 0, "method": "Browser.close"}).encode() + b"\0")
        except OSError:
            pass
        for _ in range(50):
            if os.waitpid(self.pid, os.WNOHANG)[0]:
                break
            time.sleep(0.02)
        else:
            try:
                os.kill(self.pid, signal.SIGKILL)
                os.waitpid(self.pid, 0)
            except (ProcessLookupError, ChildProcessError):
                pass
        for fd in (self.to_browser, self.from_browser):
            try:
                os.close(fd)
            except OSError:
                pass
        for _ in range(20):  # its helper processes may still write there for a moment
            shutil.rmtree(self.profile, ignore_errors=True)
            if not os.path.exists(self.profile):
                break
            time.sleep(0.05)


class _ColdBrowser:
    """Where there is no posix_spawn (Windows): one ``chromium --print-to-pdf`` per print."""

    broken, alive = False, True

    def __init__(self, chromium: str):
        self.chromium = chromium

    def print_pdf(self, html: str, folder: Path, name: str, draft: bool = False) -> Path:
        return print_pdf_cold(self.chromium, html, folder, name)

    def close(self) -> None:
        pass


class _WarmState:
    """The idle kernels and browsers of this process, ready for the next report.

    One of each per report being made at the same time (one in a process-pool worker, one
    per thread in a Dask worker). Closed at the exit of the process that made them
    (multiprocessing's finalizers also run in pool workers, where atexit does not); a forked
    child forgets its parent's (they are not its to use or to stop).
    """

    def __init__(self):
        self.lock = threading.Lock()
        self.kernels: list[_Kernel] = []
        self.browsers: list[_Browser] = []
        self.owner = None

    def _register_exit(self) -> None:
        if self.owner != os.getpid():
            from multiprocessing import util

            self.owner = os.getpid()
            util.Finalize(None, self.close, exitpriority=10)

    def kernel(self) -> _Kernel:
        with self.lock:
            self._register_exit()
            if self.kernels:
                return self.kernels.pop()
        return _Kernel()

    def give_back_kernel(self, kernel: _Kernel) -> None:
        if kernel.broken or kernel.uses >= kernel.MAX_USES or self.owner != os.getpid():
            threading.Thread(target=kernel.close, daemon=True).start()
            return
        with self.lock:
            self.kernels.append(kernel)

    def browser(self, chromium: str) -> _Browser:
        with self.lock:
            self._register_exit()
            while self.browsers:
                browser = self.browsers.pop()
                if browser.alive and browser.chromium == chromium:
                    return browser
                browser.close()
        return _Browser(chromium) if hasattr(os, "posix_spawn") else _ColdBrowser(chromium)

    def give_back_browser(self, browser: _Browser) -> None:
        if browser.broken or not browser.alive or self.owner != os.getpid():
            browser.close()
            return
        with self.lock:
            self.browsers.append(browser)

    def close(self) -> None:
        with self.lock:
            kernels, self.kernels = self.kernels, []
            browsers, self.browsers = self.browsers, []
        for item in [*browsers, *kernels]:
            item.close()

    def forget(self) -> None:
        """In a forked child: drop the parent's kernels and browsers without stopping them."""
        self.lock = threading.Lock()
        for browser in self.browsers:
            for fd in (browser.to_browser, browser.from_browser):
                try:
                    os.close(fd)
                except OSError:
                    pass
        self.kernels, self.browsers, self.owner = [], [], None


_WARM = _WarmState()
if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_WARM.forget)


def _take_browser(chromium: str) -> _Browser:
    return _WARM.browser(chromium)


def _give_back_browser(future) -> None:
    """Back to the pool once started (it may still be starting when validation failed)."""
    def done(f):
        if f.exception() is None:
            _WARM.give_back_browser(f.result())

    future.add_done_callback(done)


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


_EXPORTERS = threading.local()


def _exporter():
    """Our template's exporter, made once per thread (0,3 s to load nbconvert and the
    template; an exporter is not meant to be shared between threads)."""
    exporter = getattr(_EXPORTERS, "exporter", None)
    if exporter is None:
        from nbconvert.exporters import TemplateExporter

        # The plain TemplateExporter: HTMLExporter would fall back to its lab template, which
        # links require.js and MathJax from a CDN.
        exporter = _EXPORTERS.exporter = TemplateExporter(
            template_file=str(HERE.joinpath("template", "index.html.j2")))
    return exporter


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
    """``html`` printed to ``folder/name.pdf`` by this process's warm browser (started on
    first use, kept for the next print: the decision package prints several papers)."""
    browser = _take_browser(chromium)
    try:
        return browser.print_pdf(html, folder, name)
    finally:
        _WARM.give_back_browser(browser)


def print_pdf_cold(chromium: str, html: str, folder: Path, name: str) -> Path:
    """``chromium --headless --print-to-pdf``: one browser started for one print (1,7 s)."""
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


"""Shared test helpers: small scenarios whose numbers are worked by hand in the tests."""

from __future__ import annotations

import contextlib
import copy
import os
import re
from pathlib import Path

import pytest
import yaml

from okmo_models.published import check, load_case
from okmo_models.scenario.loader import load_scenario, validate_scenario
from okmo_models.tariff import TariffModel, calculate_tariff

ROOT = Path(__file__).resolve().parent.parent
SCENARIOS = ROOT / "scenarios"
PUBLISHED = ROOT / "tests" / "published"

SOURCES = {"hand": "Hand-worked test case", "moscow": "moscow-gov.ru/doc/98647, row 'Сбор и вывоз ТБО'"}


def with_records(dest) -> Path:
    """``dest`` (a path a Teploklyuchenka tariff is copied to), with the records the tariffs
    read copied beside it: the settlement passport (``assets_from``) and the economic base
    (``heads_from``)."""
    import shutil

    dest = Path(dest)
    for name in ("passport.yaml", "economic_base.yaml"):
        shutil.copy(SCENARIOS / "teploklyuchenka" / name, dest.parent / name)
    return dest


def waste_scenario() -> dict:
    """A small waste scenario; the tests work its figures out by hand."""
    return copy.deepcopy({
        "schema_version": 1,
        "municipality": {"name": "Тестовый АО"},
        "service": "waste",
        "tariff_year": 2027,
        "operator": {"type": "municipal_enterprise", "name": "МП «Тест»", "vat_payer": False,
                     "sales_tax_payer": True, "source": "hand"},
        "sources": dict(SOURCES),
        # worked by hand at 2 %, whatever the package's rate for the year
        "parameters": {"sales_tax_rate_not_vat_taxable": {"value": "2 %", "source": "hand"}},
        "cost_lines": [
            {"line": "labour", "name": "Рабочие", "quantity": "2 staff",
             "price": "10 000 som/staff/month", "source": "hand"},
            {"line": "fuel", "name": "Дизель", "quantity": "1 000 l/year", "price": "80 som/l",
             "source": "hand"},
        ],
        "assets": [{"name": "Мусоровоз", "value": "1 000 000 som", "year": 2020,
                    "useful_life": "10 year", "source": "hand"}],
        "profitability": "10 %",
        "collection_rate": "65 %",
        "categories": [
            {"id": "households", "kind": "population", "name": "Население",
             "households": "1 000 household", "household_size": "4 person/household",
             "norm": "1,5 m3/person/year", "billing_unit": "household/month",
             "current_tariff": "30 som/household/month", "source": "hand"},
            {"id": "business", "kind": "other", "name": "Бизнес", "volume": "500 m3/year",
             "billing_unit": "m3", "multiplier": 2, "current_tariff": "100 som/m3", "source": "hand"},
        ],
    })


def water_scenario() -> dict:
    return copy.deepcopy({
        "schema_version": 1,
        "municipality": {"name": "Тестовый АО"},
        "service": "water",
        "tariff_year": 2027,
        "operator": {"type": "aiyl_okmotu", "name": "АО", "vat_payer": False,
                     "sales_tax_payer": False, "source": "hand"},
        "sources": dict(SOURCES),
        "cost_lines": [
            {"line": "electricity", "name": "Насосы", "quantity": "10 000 kWh/year",
             "price": "2 som/kWh", "source": "hand"},
            {"line": "other", "name": "Прочее", "amount": "30 000 som/year", "source": "hand"},
        ],
        "debt_service": [{"name": "Кредит", "amount": "10 000 som/year", "source": "hand"}],
        "collection_rate": "90 %",
        "water": {"produced": "5 000 m3/year", "losses": "20 %", "source": "hand"},
        "categories": [
            {"id": "unmetered", "kind": "population", "name": "Без счётчиков",
             "persons": "100 person", "norm": "50 l/person/day", "billing_unit": "person/month",
             "source": "hand"},
            {"id": "metered", "kind": "population", "name": "Со счётчиками",
             "volume": "2 175 m3/year", "billing_unit": "m3", "source": "hand"},
        ],
    })


def dipping_scenario() -> dict:
    return copy.deepcopy({
        "schema_version": 1,
        "municipality": {"name": "Тестовый АО"},
        "service": "dipping_bath",
        "tariff_year": 2027,
        "operator": {"type": "lessee", "name": "Ветврач", "vat_payer": False,
                     "sales_tax_payer": False, "source": "hand"},
        "sources": dict(SOURCES),
        "cost_lines": [
            {"line": "materials", "name": "Препарат", "quantity": "1 000 head/year",
             "price": "5 som/head", "source": "hand"},
            {"line": "rent", "name": "Аренда", "quantity": "12 month/year",
             "price": "500 som/month", "source": "hand"},
            {"line": "other", "name": "Прочее", "amount": "1 500 som/year", "source": "hand"},
        ],
        "assets": [{"name": "Купка", "value": "100 000 som", "year": 2020, "useful_life": "10 year",
                    "owner": "municipality", "source": "hand"}],
        "collection_rate": "100 %",
        "dipping_bath": {"dippings_per_year": 1, "species_coefficients": {"sheep": 1.0, "goats": 0.5},
                         "source": "hand"},
        "categories": [
            {"id": "local", "kind": "population", "name": "Местные",
             "heads": {"sheep": "800 head", "goats": "200 head"}, "billing_unit": "head",
             "source": "hand"},
            {"id": "neighbour", "kind": "neighbour", "name": "Соседи",
             "heads": {"sheep": "100 head"}, "billing_unit": "head", "source": "hand"},
        ],
    })


def compute(data: dict):
    """Validate scenario data and return its TariffResult."""
    return calculate_tariff(TariffModel(validate_scenario(data)))


def write_yaml(tmp_path: Path, data, name: str = "scenario.yaml") -> Path:
    path = tmp_path / name
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path


@pytest.fixture
def example_paths():
    return sorted(SCENARIOS.rglob("*.yaml"))


__all__ = ["compute", "dipping_scenario", "load_scenario", "water_scenario", "waste_scenario",
           "write_yaml", "ROOT", "SCENARIOS"]


# --- a served hearing dashboard in a real browser -------------------------------------------------

ARTIFACTS = ROOT / "test-artifacts"

# Debian's chromium as the hall laptop runs it, headless, nothing fetched in the background.
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync"]


def chromium_path():
    from okmo_models.report.build import find_chromium

    return find_chromium()


# In CI a missing browser is a failure, not a skip: scripts/test.sh installs Debian's chromium.
browser = pytest.mark.skipif(chromium_path() is None and not os.environ.get("CI"),
                             reason="needs Debian's chromium (scripts/test.sh installs it)")


def local_only(outside: list):
    """A Playwright route handler that lets through only this computer (127.0.0.1,
    localhost, data: and blob: URLs) and aborts, and records in ``outside``, the rest."""

    def guard(route):
        url = route.request.url
        host = re.match(r"^[a-z]+://([^/:]+)", url)
        if url.startswith(("data:", "blob:")) or (host and host.group(1) in ("127.0.0.1", "localhost")):
            route.continue_()
        else:
            outside.append(url)
            route.abort()

    return guard


def descendants(pid: int) -> list[int]:
    """The process ids of every descendant of ``pid`` (children, their children, ...):
    through psutil when it is installed, else from /proc."""
    try:
        import psutil
    except ImportError:
        psutil = None
    if psutil is not None:
        try:
            return [c.pid for c in psutil.Process(pid).children(recursive=True)]
        except psutil.NoSuchProcess:
            return []
    parent = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            with contextlib.suppress(OSError):
                # the command may contain spaces and parentheses: fields after the last ')'
                fields = (entry / "stat").read_text().rpartition(")")[2].split()
                parent[int(entry.name)] = int(fields[1])
    found, todo = [], [pid]
    while todo:
        p = todo.pop()
        kids = [c for c, pp in parent.items() if pp == p]
        found += kids
        todo += kids
    return found


def running(pid: int) -> bool:
    """Running (a zombie, dead but not yet reaped by its parent, is not)."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()[0]
    except OSError:
        return False
    return state not in ("Z", "X")


def stop_server(proc, timeout: float = 20) -> list[int]:
    """Stop a server started by ``okmo_models.hearing.serve.start`` and every process under
    it (Voilà's kernels): SIGTERM to the server, then to what is left of its family, then
    SIGKILL. Returns the ids of the family still alive when the server had stopped (kernels
    a SIGTERM to the server left running); at return, none is alive."""
    import signal
    import subprocess
    import time

    family = descendants(proc.pid)
    proc.terminate()
    try:
        proc.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait(timeout=timeout)
    left = [pid for pid in family if running(pid)]
    for sig in (signal.SIGTERM, signal.SIGKILL):
        for pid in left:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, sig)
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline and any(running(pid) for pid in left):
            time.sleep(0.1)
    return left


@contextlib.contextmanager
def served_page(path, lang: str = "ru", height: int = 1000):
    """The dashboard for ``path`` served by ``okmo hearing``'s Voilà and opened in Chromium,
    with every request outside this computer blocked and, at the end, asserted absent."""
    from playwright.sync_api import sync_playwright

    from okmo_models.hearing.serve import start

    proc, url = start(path, lang)
    outside = []
    try:
        with sync_playwright() as p:
            b = p.chromium.launch(executable_path=chromium_path(), args=CHROMIUM_ARGS)
            page = b.new_page(viewport={"width": 1600, "height": height})
            page.route("**/*", local_only(outside))
            page.goto(url, timeout=90_000)
            yield page
            b.close()
    finally:
        stop_server(proc)
    assert outside == [], f"requests outside localhost: {outside}"


# --- printed reports -----------------------------------------------------------------------------


def _pdf_tools_missing() -> bool:
    import shutil

    from okmo_models.report.build import find_chromium

    return find_chromium() is None or shutil.which("pdftotext") is None


# In CI missing tools are a failure, not a skip: scripts/test.sh installs them.
needs_pdf_tools = pytest.mark.skipif(_pdf_tools_missing() and not os.environ.get("CI"),
                                     reason="needs Debian's chromium and poppler-utils (scripts/test.sh installs them)")


def text_of(pdf) -> str:
    """The PDF's text laid out as on the page, pages separated by form feeds."""
    import subprocess

    return subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True,
                          check=True).stdout


def flat(text: str) -> str:
    """Whitespace collapsed (and soft hyphens dropped): wrapped sentences compare as written."""
    return " ".join(text.replace("\u00ad", "").split())


def render_two_ways(root: Path, original: Path, ru_name: str) -> dict:
    """The reports of one file rendered at the same time: in Russian by a folder run over
    ``root/scenarios`` (`okmo report FOLDER`), in Kyrgyz by render_report of ``original``."""
    import subprocess
    import sys

    from okmo_models.report.build import render_report

    folder_run = subprocess.Popen([sys.executable, "-m", "okmo_models.cli", "report", str(root / "scenarios"),
                                   "-o", str(root / "folder")], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                  text=True)
    ky = render_report(original, "ky", root / "single")
    _, stderr = folder_run.communicate(timeout=300)
    assert folder_run.returncode == 0, stderr
    return {"ru": root / "folder" / ru_name, "ky": ky}


# --- published calculations ---------------------------------------------------------------


def pytest_collect_file(parent, file_path):
    """Published calculations (tests/published/*.yaml): one test per printed figure, computed
    by okmo_models.published; a case marked ``blocked`` is skipped with its reason, so the
    run counts it. Format: docs/published-cases.md."""
    if file_path.suffix == ".yaml" and file_path.parent == PUBLISHED:
        return CaseFile.from_parent(parent, path=file_path)
    return None


class CaseFile(pytest.File):
    def collect(self):
        case = load_case(self.path)
        if case.blocked:
            yield BlockedCase.from_parent(self, name="blocked", reason=case.blocked)
            return
        for k, f in enumerate(case.data["figures"]):
            name = f"{k + 1}: " + f["figure"] + (f" [{f['variant']}]" if f.get("variant") else "")
            yield FigureItem.from_parent(self, name=name, case=case, index=k)


class FigureItem(pytest.Item):
    _checked: dict = {}  # case id -> its figures, computed once per case

    def __init__(self, *, case, index, **kwargs):
        super().__init__(**kwargs)
        self.case, self.index = case, index

    def runtest(self):
        figures = self._checked.get(self.case.id)
        if figures is None:
            figures = self._checked[self.case.id] = check(self.case)
        f = figures[self.index]  # by position: a figure listed twice is checked twice
        if not f.passed:
            raise FigureMismatch(f)

    def repr_failure(self, excinfo):
        if isinstance(excinfo.value, FigureMismatch):
            f = excinfo.value.figure
            return (f"{self.case.path.name}: {f.label or f.figure}\n"
                    f"  printed {f.printed}"
                    + (f", the case says the engine gives {f.stated}" if f.stated is not None else "")
                    + f"; the engine gives {f.engine}"
                    + (f"\n  (deviation: {f.deviation})" if f.deviation else ""))
        return super().repr_failure(excinfo)

    def reportinfo(self):
        return self.path, 0, f"{self.case.id}: {self.name}"


class BlockedCase(pytest.Item):
    def __init__(self, *, reason, **kwargs):
        super().__init__(**kwargs)
        self.reason = reason

    def runtest(self):
        pytest.skip(f"{self.path.name}: {self.reason}")


class FigureMismatch(AssertionError):
    def __init__(self, figure):
        super().__init__(figure.figure)
        self.figure = figure


@pytest.fixture(scope="module")
def cluster():
    """A 2-worker Dask LocalCluster of processes (a scheduler and 2 workers, as a user starts
    them), started by the test as CI does; tests/test_batch.py and test_executors.py run on it."""
    import logging

    distributed = pytest.importorskip("distributed")
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None,
                                  scheduler_kwargs={"dashboard_address": "127.0.0.1:0"},
                                  silence_logs=logging.ERROR, host="127.0.0.1") as c:
        yield c

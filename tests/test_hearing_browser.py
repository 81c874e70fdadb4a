"""The three hearing dashboards in a real browser, as a hall would use them (issue 17).

Each bundled dashboard (tariff, budget, programme) is served by ``okmo hearing``'s Voilà and
opened in Debian's Chromium with every request outside this computer blocked, and checked for
what a public hearing needs: nothing leaves 127.0.0.1; at rest every figure equals
``okmo KIND FILE --format json``; one step and back restores every figure; five tabs keep
their own state; kernels of closed pages are released; every control is at least 200 px wide
at 1366×768; the page reads wholly in Russian or Kyrgyz, numbers in the reader's format.
Screenshots at 1366×768 and 1920×1080 are kept in test-artifacts/ to be looked at.

One server per dashboard and language, as the hall runs it, is shared by the module's tests
(pytest groups the tests by it); pages that move a control open their own tab, the others read
one tab left at rest. The memory test starts a server of its own with short culling.
"""

from __future__ import annotations

import contextlib
import inspect
import json
import re
import subprocess
import sys
import time
import warnings
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from conftest import (
    ARTIFACTS,
    CHROMIUM_ARGS,
    ROOT,
    SCENARIOS,
    browser,
    chromium_path,
    descendants,
    local_only,
    running,
    stop_server,
)
from reader_language import foreign_words

from okmo_models.formatting import format_number, format_percent

pytestmark = browser

DASHBOARDS = {"tariff": SCENARIOS / "teploklyuchenka" / "waste.yaml",
              "budget": SCENARIOS / "alamudun" / "budget.yaml",
              "programme": SCENARIOS / "alamudun" / "programme.yaml"}
READY = {"tariff": "bill", "budget": "verdict", "programme": "verdict"}  # drawn once the page is usable
RU = [(kind, "ru") for kind in DASHBOARDS]
RU_KY = RU + [(kind, "ky") for kind in DASHBOARDS]
SMALL = {"width": 1366, "height": 768}  # a hall laptop
LARGE = {"width": 1920, "height": 1080}  # a projector
LOAD_MS = 120_000  # a page on a loaded 2-core machine, its kernel starting
REDRAW_MS = 30_000
MIN_CONTROL_PX = 200
PAGES = 5
KERNELS_LEFT = 2  # the page in use or a preheated spare, and one being culled at most
KERNEL_WAIT_S = 120

# Every figure: its data-okmo name and text (SVG text has no innerText).
SNAPSHOT = """() => Array.from(document.querySelectorAll('[data-okmo]')).map(
    e => [e.getAttribute('data-okmo'), (e.innerText ?? e.textContent).trim()])"""

# The controls a person uses: sliders (ipywidgets' noUiSlider, or a range input), drop-downs,
# text and number fields, buttons; with their visible width (cut at the window's edges).
CONTROLS = """() => {
  const scope = '.okmo-hearing, .jp-OutputArea-output';
  const kinds = ['.noUi-target', 'input[type=range]', 'select', 'input[type=text]', 'input[type=number]',
                 'input:not([type])', 'textarea', 'button'];
  const found = document.querySelectorAll(scope.split(', ').flatMap(s => kinds.map(k => s + ' ' + k)).join(', '));
  return Array.from(found).filter(e => e.getClientRects().length > 0 && getComputedStyle(e).visibility !== 'hidden')
    .map(e => {
      const r = e.getBoundingClientRect();
      const box = e.closest('.widget-inline-hbox, .widget-box, .lm-Widget');
      const label = box && box.querySelector('.widget-label');
      const name = e.tagName === 'BUTTON' ? e.innerText : e.tagName === 'SELECT' ? (e.options[e.selectedIndex] || {}).text
                   : e.value || '';
      return {tag: e.tagName.toLowerCase() + (e.classList.contains('noUi-target') ? '.slider' : ''),
              label: ((label && label.innerText) || name || '').trim().slice(0, 60),
              width: Math.round(Math.min(r.right, window.innerWidth) - Math.max(r.left, 0))};
    });
}"""

# The programme's measure rows: switched on or off, and the start year chosen.
MEASURES = """() => Array.from(document.querySelectorAll('.okmo-measure')).map(row => {
  const id = Array.from(row.classList).find(c => c.startsWith('okmo-measure-') && c !== 'okmo-measure-off'
                                                 && c !== 'okmo-measure-text');
  const box = row.querySelector('input[type=checkbox]');
  const select = row.querySelector('select');
  return [id ? id.slice('okmo-measure-'.length) : null, box ? box.checked : null,
          select && select.selectedIndex >= 0 ? select.options[select.selectedIndex].text.trim() : null];
})"""


# --- servers, browser and pages ----------------------------------------------------------------


@dataclass
class Server:
    kind: str
    lang: str
    path: Path
    proc: subprocess.Popen
    url: str

    def kernels(self) -> list[int]:
        """The live kernels of this server: ipykernel processes under it."""
        found = []
        for pid in descendants(self.proc.pid):
            try:
                command = Path(f"/proc/{pid}/cmdline").read_bytes()
            except OSError:
                continue
            if b"ipykernel" in command and running(pid):
                found.append(pid)
        return found


CULL_IDLE_S = 20  # shorter than the hall's, longer than a page on a loaded machine takes to connect
CULL_INTERVAL_S = 2


def start_options() -> dict:
    """Kernels culled soon after their page closed or vanished, through the options of
    ``serve.start`` meant for tests (named ``cull...``: its own parameters, or those of
    ``voila_command`` it passes on): a switch on, or :data:`CULL_INTERVAL_S` and
    :data:`CULL_IDLE_S` seconds."""
    from okmo_models.hearing import serve

    params = dict(inspect.signature(serve.start).parameters)
    if any(p.kind is p.VAR_KEYWORD for p in params.values()) and hasattr(serve, "voila_command"):
        params.update(inspect.signature(serve.voila_command).parameters)
    options = {}
    for name, p in params.items():
        if "cull" in name.lower() and p.kind in (p.KEYWORD_ONLY, p.POSITIONAL_OR_KEYWORD):
            options[name] = (True if isinstance(p.default, bool) else CULL_INTERVAL_S if "interval" in name
                             else CULL_IDLE_S)
    return options


@pytest.fixture(scope="module")
def chromium():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=chromium_path(), args=CHROMIUM_ARGS)
        yield b
        b.close()


@contextlib.contextmanager
def serving(kind: str, lang: str, **options):
    """``okmo hearing FILE --lang LANG``'s server for a dashboard; at the end stopped with its
    whole family (Voilà and every kernel), none of which may be left running."""
    from okmo_models.hearing.serve import start

    path = DASHBOARDS[kind]
    proc, url = start(path, lang, **options)
    try:
        yield Server(kind, lang, path, proc, url)
    finally:
        family = descendants(proc.pid)
        stop_server(proc)
    left = [pid for pid in family if running(pid)]
    assert left == [], f"processes of the {kind} server left running: {left}"


@pytest.fixture(scope="module")
def served(request):
    """The server of one (dashboard, language) as the hall runs it, shared by the module's
    tests of it."""
    with serving(*request.param) as server:
        yield server


@dataclass
class Tabs:
    """Browser tabs on one server; every request outside this computer is blocked and
    recorded in ``outside`` (web sockets too, which routing does not see)."""

    browser: object
    server: Server
    outside: list = field(default_factory=list)
    contexts: list = field(default_factory=list)

    def context(self, viewport=SMALL):
        ctx = self.browser.new_context(viewport=viewport, locale={"ru": "ru-RU", "ky": "ky-KG"}.get(self.server.lang))
        ctx.route("**/*", local_only(self.outside))
        self.contexts.append(ctx)
        return ctx

    def open(self, count: int = 1, viewport=SMALL, ctx=None) -> list:
        """``count`` tabs, one after the other as people open them, each waited for until its
        dashboard is drawn (all at once, their kernels starting together, can take minutes on
        two loaded cores)."""
        ctx = ctx or self.context(viewport)
        pages = []
        for _ in range(count):
            page = ctx.new_page()
            page.on("websocket", lambda ws: None if re.match(r"^wss?://(127\.0\.0\.1|localhost)[:/]", ws.url)
                    else self.outside.append(ws.url))
            page.goto(self.server.url, wait_until="commit", timeout=LOAD_MS)
            pages.append(page)
            try:
                wait_ready(page, self.server.kind)
            except Exception as exc:
                log = getattr(self.server.proc, "log_tail", lambda: "")()
                text = page.evaluate("() => document.body ? document.body.innerText : ''")
                raise AssertionError(f"tab {len(pages)}: the dashboard did not come ({type(exc).__name__}); the "
                                     f"page says {text[:300]!r}; the server's log ends:\n{log[-1500:]}") from exc
        return pages

    def close(self):
        for ctx in self.contexts:
            ctx.close()
        self.contexts.clear()


def wait_ready(page, kind: str):
    page.locator(f'[data-okmo="{READY[kind]}"]').first.wait_for(timeout=LOAD_MS)
    page.locator(first_control_selector(kind)).first.wait_for(timeout=LOAD_MS)


@pytest.fixture
def tabs(chromium, served):
    t = Tabs(chromium, served)
    yield t
    t.close()


@pytest.fixture(scope="module")
def rest(chromium, served):
    """One tab at 1366×768 left at rest, read by the tests that move nothing."""
    t = Tabs(chromium, served)
    page = t.open()[0]
    page.wait_for_load_state("networkidle", timeout=LOAD_MS)
    yield page, t
    t.close()


# --- reading the page --------------------------------------------------------------------------


def first_control_selector(kind: str) -> str:
    """The first control a person would move: a slider's handle; the programme has
    switches (check boxes) instead."""
    if kind == "programme":
        return ".okmo-hearing .okmo-measure input[type=checkbox]:enabled"
    return ".okmo-hearing .noUi-target:not([disabled]) .noUi-handle, .okmo-hearing input[type=range]:enabled"


STEP_KEYS = {"tariff": ("ArrowRight", "ArrowLeft"), "budget": ("ArrowRight", "ArrowLeft"),
             "programme": ("Space", "Space")}


def step(page, kind: str, back: bool = False):
    """One step of the first control with the keyboard (back: the opposite step)."""
    control = page.locator(first_control_selector(kind)).first
    control.focus()
    page.keyboard.press(STEP_KEYS[kind][1 if back else 0])


def snapshot(page) -> list:
    return [tuple(x) for x in page.evaluate(SNAPSHOT)]


def wait_snapshot(page, before: list, equal: bool):
    """Wait until the figures are ``before`` again (``equal``) or differ from it; returns
    them then (or when the wait ran out, for the assertion to show)."""
    target = json.dumps([list(x) for x in before], ensure_ascii=False, separators=(",", ":"))  # as JS writes it
    with _quiet_timeout():
        page.wait_for_function(
            f"""(target) => {{
                const now = JSON.stringify(({SNAPSHOT})());
                return {'now === target' if equal else 'now !== target'};
            }}""", arg=target, timeout=REDRAW_MS)
    return snapshot(page)


class _quiet_timeout:
    """A wait that ran out is not the failure: the assertion after it says what differs."""

    def __enter__(self):
        return self

    def __exit__(self, kind, value, tb):
        from playwright.sync_api import TimeoutError as PlaywrightTimeout

        return kind is not None and issubclass(kind, PlaywrightTimeout)


def normal(text: str) -> str:
    """Page text with a typeset minus as a hyphen and a narrow or thin no-break space as the
    no-break space format_number puts between thousands."""
    return re.sub(r"[\u202f\u2009\u2007]", "\u00a0", text.replace("\u2212", "-"))


def shows(text: str, number: str) -> bool:
    """``number`` (as format_number writes it) stands in ``text`` as a whole number, not as a
    piece of a longer one."""
    text = normal(text)
    for m in re.finditer(re.escape(number), text):
        before, after = text[: m.start()], text[m.end():]
        if re.search(r"\d\u00a0?\Z|\d,\Z", before) or re.match(r"\u00a0?\d|,\d", after):
            continue  # a piece of a longer number
        if before.endswith("-") and not number.startswith("-"):
            continue  # "-5" is not "5"
        return True
    return False


NUMBER = re.compile(r"-?\d+(?:\u00a0\d{3})*(?:,\d+)?")


def numbers_in(text: str) -> list[str]:
    return NUMBER.findall(normal(text))


# --- the CLI's figures, as the page writes them ------------------------------------------------


_CLI: dict = {}


def cli_json(kind: str) -> dict:
    if kind not in _CLI:
        run = subprocess.run([sys.executable, "-m", "okmo_models.cli", kind, str(DASHBOARDS[kind]), "--format", "json",
                              "--lang", "ru"], check=False, capture_output=True, text=True, cwd=ROOT,
                             timeout=600)
        assert run.returncode == 0, run.stderr
        _CLI[kind] = json.loads(run.stdout)
    return _CLI[kind]


def written(x: float, decimals: int, spread: float = 0.0) -> set[str]:
    """``x`` as format_number writes it; ``spread``: the rounding of the figures the JSON
    gives it from (either side of a last digit's boundary is the same figure)."""
    return {format_number(x + d, decimals, "ru") for d in (-spread, 0.0, spread)}


@dataclass
class Expected:
    """What the page must show at rest: for a data-okmo name, every one of its alternatives
    (sets of equally right writings) in that figure's text; ``required``: names the page
    must have; ``numbers_only``: names whose every number must be one of a set."""

    figures: dict = field(default_factory=dict)  # name -> [set of writings, ...]
    required: set = field(default_factory=set)
    numbers_only: dict = field(default_factory=dict)  # name -> set of allowed numbers
    texts: dict = field(default_factory=dict)  # name -> words the figure must contain


def expected_tariff(d: dict) -> Expected:
    e = Expected()
    e.figures["bill"] = [written(d["typical_household_bill_som"], 2)]
    e.figures["recovery"] = [{format_percent(d["cash_collected_som"] / d["revenue_requirement_som"], 1, "ru")}]
    discounts = (d.get("vulnerable") or {}).get("budget_cost_som") or 0.0
    e.figures["subsidy"] = [written(d["subsidy_need_som"] + discounts, 0, 0.005)]
    if d.get("affordability"):
        e.figures["above"] = [{format_percent(d["affordability"]["share_above"], 0, "ru")}]
    for c in d["tariffs"]:
        e.figures[f"tariff-{c['category']}"] = [written(c["tariff_som"], 2)]
    e.figures["chart-costs"] = [written(d["revenue_requirement_som"], 0, 0.005)]
    e.figures["chart-billed"] = [written(d["revenue_at_tariffs_som"], 0, 0.005)]
    e.figures["chart-collected"] = [written(d["cash_collected_som"], 0, 0.005)]
    # at rest no what-if is applied: the changes read zero, the file's discounts in full
    for name in ("fuel", "wage", "investment"):
        e.figures[name] = [{"0"}]
    e.figures["discount"] = [{"100"}]
    tariffs = {c["category"]: c for c in d["tariffs"]}
    afford = d.get("affordability") or {}
    main = tariffs.get(afford.get("category")) or next(iter(tariffs.values()))
    e.figures["collection"] = [written(main["collection_rate"] * 100, 0)]
    rows = {row["category"]: row for row in (d.get("path") or {}).get("categories", [])}
    row = rows.get(main["category"]) or next(iter(rows.values()), None)
    if row is not None:  # the year chart of the path to cost recovery
        for y, recovery, path in zip(d["path"]["years"], row["cost_recovery_tariff_som"], row["path_tariff_som"]):
            e.figures[f"chart-recovery-{y}"] = [written(recovery, 2)]
            e.figures[f"chart-path-{y}"] = [written(path, 2)]
    # what changes for a family: the bill today and at the next tariff (the path's first step)
    proposed = row["path_tariff_som"][0] if row is not None else main["tariff_som"]
    e.figures["family-tariff"] = [written(proposed, 2)]
    if main["unit"].endswith("/household/month") and main.get("current_tariff_som"):
        now = main["current_tariff_som"]
        for k, group in enumerate(afford.get("groups", []), 1):
            e.figures[f"family-now-{k}"] = [written(now, 2)]
            e.figures[f"family-bill-{k}"] = [written(proposed, 2)]
            e.figures[f"family-change-{k}"] = [written(abs(proposed - now), 2)]
            e.figures[f"family-change-pct-{k}"] = [written(abs(proposed / now - 1) * 100, 0)]
            income = group["income_per_capita_som"] * group["household_size"]
            e.figures[f"family-share-{k}"] = [{format_percent(proposed / income, 1, "ru")}]
    e.required = {"bill"}
    return e


def expected_budget(d: dict) -> Expected:
    e = Expected()
    years = d["forecast_years"]
    totals = {}
    for section in ("revenue", "expenditure"):
        lines = [ln["forecast"] for ln in d["lines"] if ln["section"] == section]
        totals[section] = [sum(v[i] for v in lines) for i in range(len(years))]
    totals["balance"] = [r - x for r, x in zip(totals["revenue"], totals["expenditure"])]
    spread = 0.0005 * len(d["lines"])  # the JSON gives every line to 3 decimals
    for key, values in totals.items():
        for y, v in zip(years, values):
            e.figures[f"{key}-{y}"] = [written(v, 1, spread)]
    allowed = {str(y) for y in years} | {format_number(p * 100, 0, "ru") for p in d["deficit_probability"]}
    for y, p in zip(years, d["deficit_probability"]):
        e.figures[f"deficit-{y}"] = [{format_percent(p, 0, "ru")}]
    for i in range(len(years)):
        for j in range(i, len(years)):  # a gap's total over the first years, the tightest year's balance
            allowed |= written(sum(-b for b in totals["balance"][i: j + 1] if b < 0), 1, spread)
        allowed |= written(abs(totals["balance"][i]), 1, spread)
    for band in d["intervals"]["balance"].values():
        allowed |= {x for v in band for x in written(abs(v), 1, 0.0005)}
    for name in ("verdict", "verdict-amount", "verdict-chance", "verdict-total"):
        e.numbers_only[name] = allowed
    # at rest no what-if is applied: the sliders read zero, population growth the file's
    for name in ("inflation", "taxpayer", *(f"rate-{ln['line']}" for ln in d["lines"])):
        e.figures[name] = [{"0"}]
    people = d.get("population") or []
    history = len(d["history_years"])
    if len(people) > history:
        e.figures["population"] = [written((people[history] / people[history - 1] - 1) * 100, 1)]
    e.required = {"verdict", f"balance-{years[0]}", f"deficit-{years[0]}"}
    return e


def expected_programme(d: dict) -> Expected:
    e = Expected()
    plan = d["plan"]
    years = d["years"]
    for y, left, space, need in zip(years, plan["left"], d["fiscal_space"], plan["by_source"]["local_budget"]):
        e.figures[f"left-{y}"] = [written(left, 1, 0.0005)]
        e.figures[f"space-{y}"] = [written(space, 1, 0.0005)]
        e.figures[f"need-{y}"] = [written(need, 1, 0.0005)]
    for ind_id, ind in plan["indicators"].items():
        e.figures[f"indicator-{ind_id}"] = [written(ind["reached"], 0)]
    b = plan["beneficiaries"]
    e.figures["beneficiaries"] = [written(b[k], 0) for k in ("total", "women", "vulnerable")]
    e.figures["after"] = [written(plan["after_period_per_year"], 1, 0.0005)]
    e.figures["after-amount"] = e.figures["after"]
    for k in ("total", "women", "vulnerable"):
        e.figures[f"beneficiaries-{k}"] = [written(b[k], 0)]
    for k in ("women", "vulnerable"):
        e.figures[f"beneficiaries-{k}-share"] = [{format_percent(b[k] / b["total"] if b["total"] else 0.0, 1, "ru")}]
    if plan["gaps"]:
        first = plan["gaps"][0]
        e.figures["verdict"] = [{str(first["year"])}, written(first["short"], 1, 0.0005)]
    allowed = {str(y) for y in years}
    for i, left in enumerate(plan["left"]):
        allowed |= written(abs(left), 1, 0.0005)
    shorts = [g["short"] for g in plan["gaps"]]
    allowed |= written(sum(shorts), 1, 0.0005 * len(shorts))
    for name in ("verdict", "verdict-amount", "verdict-total"):
        e.numbers_only[name] = allowed
    if plan["gaps"]:
        e.figures["verdict-amount"] = [written(plan["gaps"][0]["short"], 1, 0.0005)]
        e.figures["verdict-total"] = [written(sum(shorts), 1, 0.0005 * len(shorts))]
    for m in d["measures"]:
        e.texts[f"measure-{m['id']}"] = m["label"]
    e.required = {"verdict", *(f"left-{y}" for y in years), *(f"measure-{m['id']}" for m in d["measures"])}
    return e


EXPECTED = {"tariff": expected_tariff, "budget": expected_budget, "programme": expected_programme}


# --- 1. nothing leaves this computer -----------------------------------------------------------


@pytest.mark.parametrize("served", RU, indirect=True, ids=lambda p: "-".join(p))
def test_no_request_leaves_this_computer(tabs):
    page = tabs.open()[0]
    page.wait_for_load_state("networkidle", timeout=LOAD_MS)
    before = snapshot(page)
    step(page, tabs.server.kind)  # a redraw may fetch what loading did not
    wait_snapshot(page, before, equal=False)
    page.wait_for_load_state("networkidle", timeout=LOAD_MS)
    assert tabs.outside == [], f"requests outside 127.0.0.1: {tabs.outside}"


# --- 2. at rest every figure is the CLI's ------------------------------------------------------


@pytest.mark.parametrize("served", RU, indirect=True, ids=lambda p: "-".join(p))
def test_figures_at_rest_equal_the_cli_json(rest, served):
    page, _ = rest
    kind = served.kind
    d = cli_json(kind)
    e = EXPECTED[kind](d)
    shown = snapshot(page)
    names = {name for name, _ in shown}
    problems = [f"no figure data-okmo={name!r} on the page" for name in sorted(e.required - names)]
    unknown = set()
    for name, text in shown:
        if name in e.figures:
            for writings in e.figures[name]:
                if not any(shows(text, w) for w in writings):
                    problems.append(f"{name}: shows {text!r}, the CLI gives {' or '.join(sorted(writings))}")
        if name in e.numbers_only:
            stray = [n for n in numbers_in(text) if n.lstrip("-") not in e.numbers_only[name]]
            if stray:
                problems.append(f"{name}: {stray} in {text!r} are no figures of the CLI's")
        if name in e.texts and e.texts[name] not in text:
            problems.append(f"{name}: {text!r} does not name {e.texts[name]!r}")
        if not (name in e.figures or name in e.numbers_only or name in e.texts) and numbers_in(text):
            unknown.add(name)
    if kind == "tariff":
        # every tariff is on the screen in the reader's format: its figure, or its slider's readout
        readouts = page.locator(".okmo-hearing .widget-readout").all_inner_texts()
        readouts += page.eval_on_selector_all(".okmo-hearing input[type=number]", "es => es.map(e => e.value)")
        for c in d["tariffs"]:
            writings = e.figures[f"tariff-{c['category']}"][0]
            if f"tariff-{c['category']}" not in names and not any(shows(r, w) for r in readouts for w in writings):
                problems.append(f"tariff of {c['category']} ({' or '.join(sorted(writings))}) neither a figure "
                                f"data-okmo='tariff-{c['category']}' nor a slider's readout; readouts: {readouts}")
    if kind == "programme":
        rows = {mid: (on, start) for mid, on, start in page.evaluate(MEASURES)}
        starts = d["plan"]["starts"]
        for m in d["measures"]:
            mid = m["id"]
            if mid not in rows:
                problems.append(f"no switch for measure {mid}")
                continue
            on, start = rows[mid]
            if on != (mid in starts):
                problems.append(f"measure {mid}: switched {'on' if on else 'off'}, the draft "
                                f"{'starts it in ' + str(starts[mid]) if mid in starts else 'leaves it out'}")
            elif on and start != str(starts[mid]):
                problems.append(f"measure {mid}: starts in {start}, the draft in {starts[mid]}")
    if unknown:
        warnings.warn(f"{kind}: figures not compared with the CLI (no JSON counterpart known): {sorted(unknown)}")
    assert problems == [], "\n".join(problems)


# --- 3. one step and back restores every figure ------------------------------------------------


@pytest.mark.parametrize("served", RU, indirect=True, ids=lambda p: "-".join(p))
def test_one_step_and_back_restores_exactly(tabs):
    kind = tabs.server.kind
    page = tabs.open()[0]
    before = snapshot(page)
    step(page, kind)
    moved = wait_snapshot(page, before, equal=False)
    assert moved != before, "one step of the first control changed no figure"
    step(page, kind, back=True)
    after = wait_snapshot(page, before, equal=True)
    differ = [(b, a) for b, a in zip(before, after) if b != a] + ([("count", len(before), len(after))]
                                                                   if len(before) != len(after) else [])
    assert after == before, f"figures after a step and back differ (before, after): {differ}"


# --- 4. five tabs keep their own state ---------------------------------------------------------


@pytest.mark.parametrize("served", RU, indirect=True, ids=lambda p: "-".join(p))
def test_five_tabs_keep_their_own_state(tabs):
    kind = tabs.server.kind
    pages = tabs.open(PAGES)
    baseline = snapshot(pages[0])
    differ = {k + 2: [(b, a) for b, a in zip(baseline, s) if b != a] or ("count", len(baseline), len(s))
              for k, s in enumerate(snapshot(p) for p in pages[1:]) if s != baseline}
    assert differ == {}, f"the tabs differ at rest from the first (tab: [(first, this)]): {differ}"
    step(pages[0], kind)
    changed = wait_snapshot(pages[0], baseline, equal=False)
    assert changed != baseline, "a step on the first tab changed none of its figures"
    pages[0].wait_for_timeout(3000)  # time for a shared state to reach the other tabs
    others = [snapshot(p) for p in pages[1:]]
    moved = [k + 2 for k, s in enumerate(others) if s != baseline]
    assert moved == [], f"tabs {moved} changed with the first tab"
    assert snapshot(pages[0]) != baseline, "the first tab went back by itself"


# --- 5. kernels of closed pages are released ---------------------------------------------------


@pytest.mark.parametrize("kind", ["tariff"])
def test_memory_is_given_back_after_pages_close(chromium, kind):
    """On a server of its own, with the short culling ``serve.start`` offers tests. Culling
    is the server's, the same for every dashboard: the tariff's, the lightest kernel, keeps
    the test's 15 page loads within the suite's time (all three took 6 minutes)."""
    with serving(kind, "ru", **start_options()) as server:
        tabs = Tabs(chromium, server)
        try:
            peak = 0
            for round_ in range(3):
                ctx = tabs.context()
                try:
                    pages = tabs.open(PAGES, ctx=ctx)
                except AssertionError as exc:
                    raise AssertionError(f"opening {PAGES} tabs, round {round_ + 1} of 3: {exc}") from None
                peak = max(peak, len(server.kernels()))
                for page in pages:
                    page.close(run_before_unload=True)  # as a person closes a tab
                ctx.close()
                tabs.contexts.remove(ctx)
        finally:
            tabs.close()
        # the count can fail: it saw every open tab's kernel
        assert peak >= PAGES, f"{peak} kernels seen under the server with {PAGES} tabs open"
        deadline = time.monotonic() + KERNEL_WAIT_S
        live = server.kernels()
        while len(live) > KERNELS_LEFT and time.monotonic() < deadline:
            time.sleep(2)
            live = server.kernels()
        rss = sum(_rss_mib(pid) for pid in live)
        assert len(live) <= KERNELS_LEFT, (f"{len(live)} kernels ({rss:.0f} MiB) alive {KERNEL_WAIT_S} s after 3 × "
                                           f"{PAGES} tabs closed (peak {peak}); start options {start_options()}")


def _rss_mib(pid: int) -> float:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return 0.0


# --- 6. every control is wide enough to use ----------------------------------------------------


@pytest.mark.parametrize("served", RU_KY, indirect=True, ids=lambda p: "-".join(p))
def test_every_control_is_wide_enough(rest):
    page, _ = rest
    assert page.viewport_size == SMALL
    controls = page.evaluate(CONTROLS)
    assert controls, "no controls found"
    narrow = [f"{c['tag']} {c['label']!r}: {c['width']} px" for c in controls if c["width"] < MIN_CONTROL_PX]
    assert narrow == [], f"controls under {MIN_CONTROL_PX} px at 1366×768:\n" + "\n".join(narrow)


# --- 7. the page reads in the reader's language ------------------------------------------------


@pytest.mark.parametrize("served", RU_KY, indirect=True, ids=lambda p: "-".join(p))
def test_no_latin_word_on_the_page(rest, served):
    page, _ = rest
    own = [p.name for p in served.path.parent.iterdir()]  # the reader's own file names
    text = page.locator("body").inner_text()
    assert foreign_words(text, own) == {}


@pytest.mark.parametrize("served", RU_KY, indirect=True, ids=lambda p: "-".join(p))
def test_numbers_in_the_readers_format(rest):
    """No English-format number (99.75, 1,000,000) and no minus zero, in the text, the
    sliders' readouts and the charts."""
    page, _ = rest
    text = page.locator("body").inner_text() + "\n" + "\n".join(
        page.eval_on_selector_all("svg text", "es => es.map(e => e.textContent)"))
    text = re.sub(r"\b\d{1,2}\.\d{1,2}\.\d{2,4}\b", " ", text)  # a date
    english = re.findall(r"\d+\.\d+|\d{1,3}(?:,\d{3}){2,}", text)
    minus_zero = re.findall(r"(?<![\d,.\u00a0])[-\u2212]0(?:[,.]0+)?(?![\d,.])", text)
    assert english == [] and minus_zero == [], f"English-format numbers {english}, minus zeros {minus_zero}"


# --- 8. screenshots to look at -----------------------------------------------------------------


# Voilà's page scrolls inside an element, not the window: how much taller the content is than
# the window, and what a reader would see sticking out at the right of a box that scrolls or
# cuts (not the boxes themselves: ipywidgets' boxes overflow by their margins, hiding nothing).
SCROLLING = """() => {
  let taller = 0; const wider = [];
  const name = e => (e.tagName.toLowerCase() + '.' + String(e.className).split(' ')[0] + ' '
                     + (e.innerText || e.textContent || '').trim().slice(0, 40)).trim();
  for (const e of [document.scrollingElement, ...document.querySelectorAll('body *')]) {
    const s = getComputedStyle(e), own = e === document.scrollingElement;
    if ((own || /auto|scroll/.test(s.overflowY)) && e.scrollHeight > e.clientHeight)
      taller = Math.max(taller, e.scrollHeight - e.clientHeight);
    if ((own || s.overflowX !== 'visible') && e.clientWidth > 0 && e.scrollWidth > e.clientWidth + 1) {
      const edge = own ? window.innerWidth : e.getBoundingClientRect().left + e.clientLeft + e.clientWidth;
      // what a reader sees: text, a control, a chart, a table (not the boxes holding them)
      const seen = c => ['svg', 'table', 'select', 'input', 'button', 'img', 'canvas'].includes(c.tagName.toLowerCase())
                        || (c.children.length === 0 && !c.closest('svg'));
      const out = Array.from(e.querySelectorAll('*')).filter(
        c => seen(c) && c.getClientRects().length > 0 && c.getBoundingClientRect().width > 0
             && c.getBoundingClientRect().right > edge + 1);
      out.sort((x, y) => y.getBoundingClientRect().right - x.getBoundingClientRect().right);
      for (const c of out.slice(0, 3))
        wider.push(`${name(c)} (${Math.round(c.getBoundingClientRect().right - edge)} px past the edge of ${name(e).slice(0, 30)})`);
    }
  }
  return {taller, wider};
}"""


@pytest.mark.parametrize("served", RU_KY, indirect=True, ids=lambda p: "-".join(p))
def test_screenshots(rest, served):
    """Kept in test-artifacts/: at 1366×768 (and 1920×1080 in Russian), the whole page; and
    nothing needs scrolling sideways (a box cut at the right, a table wider than its place)."""
    page, _ = rest
    ARTIFACTS.mkdir(exist_ok=True)
    viewports = [SMALL, LARGE] if served.lang == "ru" else [SMALL]
    sideways = []
    try:
        for viewport in viewports:
            page.set_viewport_size(viewport)
            settle(page)
            scrolling = page.evaluate(SCROLLING)
            sideways += [f"{viewport['width']}: {w}" for w in scrolling["wider"]]
            # the whole page: a window as tall as the content (widths unchanged)
            page.set_viewport_size({"width": viewport["width"], "height": viewport["height"] + scrolling["taller"]})
            settle(page)
            shot = ARTIFACTS / f"hearing_{served.kind}_{served.lang}_{viewport['width']}.png"
            page.screenshot(path=str(shot), full_page=True)
            assert shot.stat().st_size > 10_000
    finally:
        page.set_viewport_size(SMALL)
        settle(page)
    assert sideways == [], "scrolls sideways:\n" + "\n".join(sideways)


def settle(page):
    """Two frames drawn: the layout follows a new window size."""
    page.evaluate("() => new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r)))")

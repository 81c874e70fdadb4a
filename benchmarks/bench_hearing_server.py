"""`okmo hearing` against a stock Voilà page holding one ipywidgets slider, side by side (issue 17).

Run:  .venv/bin/python benchmarks/bench_hearing_server.py [--repeat N] [--all]
Targets: first usable page <= 4 s from the command, a later page <= 1.5 s, <= 80 MiB of
kernel memory added per page; key press to redraw p95 <= 60 ms (tariff, programme) and
<= 100 ms (budget).

Both servers are started the same way, from the command line, with one Chromium already
running (Playwright, every request outside 127.0.0.1 refused):
- first page: from starting the command to the first control shown (a widget view exists
  only once the page's kernel is connected), the page opened as soon as the server can be
  opened (`okmo hearing` prints its URL; stock Voilà opens its port);
- later page: a new tab once the server is at rest (kernels idle), to the first control;
- memory: the resident memory of the server's kernel processes, at rest after the first
  page and after three more pages, per page added; the kernel kept heated for the next page
  (ours) is counted at rest, not per page;
- key press to redraw: on the first page at rest, :data:`PRESSES` key presses on the first
  control (a slider's arrow keys, right then left; a check box's space bar), each timed in
  the page from the key event to the last change of the page outside the control itself
  (a MutationObserver; the change is over when nothing changes for 300 ms). The stock page's
  slider writes its value into a label through its kernel, the same round trip.
Figures taken on a shared machine are noisy: the load average is printed with them.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import psutil

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.bench_tariff import machine
from okmo_models.report.build import find_chromium

SCENARIOS = {"tariff": ROOT / "scenarios/teploklyuchenka/waste.yaml",
             "budget": ROOT / "scenarios/alamudun/budget.yaml",
             "programme": ROOT / "scenarios/alamudun/programme.yaml"}
# the first control a person can use: a slider's handle (ipywidgets' noUiSlider: the stock
# page's, the tariff and budget dashboards'), a checkbox or a drop-down (the programme's); a
# widget view exists only once the page's kernel is connected
CONTROL = ".noUi-handle, .widget-checkbox input, .widget-dropdown select"
LATER_PAGES = 3
# the control pressed: the first slider, or the programme's first measure switch
KEYED = ".noUi-handle, .okmo-measure input[type=checkbox]"
PRESSES = 40  # the first WARM_UP are dropped: the kernel's first what-ifs fill its caches
WARM_UP = 5

# From a key press on the focused control to the last change of the page outside that
# control's own widget (a slider's readout changes in the browser alone); null when nothing
# else changed within 5 s.
REDRAW = """async (key) => {
  const control = document.activeElement;
  const own = control.closest('.widget-slider, .widget-checkbox, .widget-dropdown, .okmo-measure') || control;
  return await new Promise(resolve => {
    let last = null, quiet = null;
    const start = performance.now();
    const done = () => { obs.disconnect(); resolve(last === null ? null : last - start); };
    const obs = new MutationObserver(records => {
      if (records.every(r => own.contains(r.target))) return;
      last = performance.now();
      clearTimeout(quiet);
      quiet = setTimeout(done, 300);
    });
    obs.observe(document.body, {childList: true, subtree: true, characterData: true, attributes: true});
    setTimeout(() => { if (last === null) done(); }, 5000);
    control.dispatchEvent(new KeyboardEvent('keydown', {key, code: key === ' ' ? 'Space' : key, bubbles: true}));
    if (key === ' ') control.click();  // a check box toggles on the key's click
  });
}"""


def stock_notebook(folder: Path) -> Path:
    cell = {"cell_type": "code", "execution_count": None, "metadata": {}, "outputs": [],
            "source": ["import ipywidgets\n",
                       "slider, label = ipywidgets.IntSlider(description='x'), ipywidgets.Label('0')\n",
                       "slider.observe(lambda change: setattr(label, 'value', str(change.new)), 'value')\n",
                       "ipywidgets.VBox([slider, label])"]}
    notebook = {"cells": [cell], "nbformat": 4, "nbformat_minor": 5,
                "metadata": {"kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"}}}
    path = folder / "slider.ipynb"
    path.write_text(json.dumps(notebook), encoding="utf-8")
    return path


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def port_open(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=0.2):
            return True
    except OSError:
        return False


class Server:
    """A hearing server started from its command; ``url()`` waits until a browser may open it."""

    def __init__(self, name: str, command: list[str], port: int, prints_url: bool):
        self.name, self.port, self.prints_url = name, port, prints_url
        self.started = time.perf_counter()
        self.proc = subprocess.Popen(command, stdout=subprocess.PIPE if prints_url else subprocess.DEVNULL,
                                     stderr=subprocess.DEVNULL, text=True, cwd=tempfile.gettempdir())

    def url(self) -> str:
        if self.prints_url:
            return self.proc.stdout.readline().strip()
        while not port_open(self.port):
            if self.proc.poll() is not None:
                raise RuntimeError(f"{self.name} stopped")
            time.sleep(0.02)
        return f"http://127.0.0.1:{self.port}/"

    def kernels(self) -> list:
        found = []
        for p in psutil.Process(self.proc.pid).children(recursive=True):
            try:
                if "ipykernel_launcher" in " ".join(p.cmdline()):
                    found.append(p)
            except psutil.Error:
                pass
        return found

    def kernel_rss(self) -> float:
        total = 0
        for p in self.kernels():
            try:
                total += p.memory_info().rss
            except psutil.Error:
                pass
        return total / 2**20

    def at_rest(self, timeout: float = 180) -> None:
        """Wait until no kernel uses the processor (pages rendered, the pool heated)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            procs = self.kernels()
            try:
                before = sum(sum(p.cpu_times()[:2]) for p in procs)
                time.sleep(1)
                after = sum(sum(p.cpu_times()[:2]) for p in procs)
            except psutil.Error:
                continue
            if after - before < 0.05 and procs == self.kernels():
                return

    def stop(self) -> None:
        left = psutil.Process(self.proc.pid).children(recursive=True)
        self.proc.terminate()
        self.proc.wait(60)
        psutil.wait_procs(left, timeout=30)
        for p in left:
            try:
                p.kill()
            except psutil.Error:
                pass


def offline_context(browser):
    context = browser.new_context(viewport={"width": 1366, "height": 768})

    def guard(route):
        host = re.match(r"^[a-z]+://([^/:]+)", route.request.url)
        if route.request.url.startswith(("data:", "blob:")) or (host and host.group(1) == "127.0.0.1"):
            route.continue_()
        else:
            route.abort()

    context.route("**/*", guard)
    return context


def open_page(context, url: str) -> float:
    start = time.perf_counter()
    page = context.new_page()
    page.goto(url, timeout=180_000)
    page.locator(CONTROL).first.wait_for(timeout=180_000)
    return time.perf_counter() - start


def measure(server: Server, browser) -> dict:
    context = offline_context(browser)
    try:
        url = server.url()
        page = context.new_page()
        page.goto(url, timeout=180_000)
        page.locator(CONTROL).first.wait_for(timeout=180_000)
        first = time.perf_counter() - server.started
        server.at_rest()
        rest = server.kernel_rss()
        rest_kernels = len(server.kernels())
        redraw = key_to_redraw(page)
        server.at_rest()
        later = []
        for _ in range(LATER_PAGES):
            later.append(open_page(context, url))
            server.at_rest()
        per_page = (server.kernel_rss() - rest) / LATER_PAGES
        return {"first": first, "later": statistics.median(later), "per_page": per_page,
                "rest_kernels": rest_kernels, "rest_rss": rest, "redraw": redraw}
    finally:
        context.close()
        server.stop()


def key_to_redraw(page) -> list:
    """Milliseconds from each key press to the page redrawn (None: nothing redrawn)."""
    control = page.locator(KEYED).first
    control.focus()
    slider = control.evaluate("e => e.classList.contains('noUi-handle')")
    times = []
    for k in range(PRESSES):
        key = ("ArrowRight" if k % 2 == 0 else "ArrowLeft") if slider else " "
        times.append(page.evaluate(REDRAW, key))
        page.wait_for_timeout(100)
    return times[WARM_UP:]


def okmo_server(path: Path) -> Server:
    port = free_port()
    return Server("okmo hearing", [sys.executable, "-m", "okmo_models.cli", "hearing", str(path), "--no-browser",
                                   "--port", str(port), "--lang", "ru"], port, prints_url=True)


def stock_server(notebook: Path) -> Server:
    port = free_port()
    return Server("stock Voilà", [sys.executable, "-m", "voila", str(notebook), f"--port={port}", "--no-browser",
                                  "--Voila.ip=127.0.0.1"], port, prints_url=False)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=2, help="runs of each, interleaved (median shown)")
    parser.add_argument("--all", action="store_true", help="the budget and programme dashboards too")
    args = parser.parse_args()

    from playwright.sync_api import sync_playwright

    kinds = list(SCENARIOS) if args.all else ["tariff"]
    runs: dict[str, list[dict]] = {k: [] for k in ["stock", *kinds]}
    loads = [os.getloadavg()[0]]
    with tempfile.TemporaryDirectory() as tmp, sync_playwright() as p:
        notebook = stock_notebook(Path(tmp))
        browser = p.chromium.launch(executable_path=find_chromium(),
                                    args=["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                                          "--disable-component-update", "--disable-sync"])
        for _ in range(args.repeat):
            runs["stock"].append(measure(stock_server(notebook), browser))
            loads.append(os.getloadavg()[0])
            for kind in kinds:
                runs[kind].append(measure(okmo_server(SCENARIOS[kind]), browser))
                loads.append(os.getloadavg()[0])
        browser.close()

    def med(name, key):
        return statistics.median(r[key] for r in runs[name])

    print(f"Machine: {machine()}")
    print(f"Load average (1 min) during the runs: {min(loads):.1f}-{max(loads):.1f}; "
          f"{args.repeat} interleaved run(s) of each, medians\n")
    print("| measure | " + " | ".join(f"okmo hearing ({k})" for k in kinds) + " | stock Voilà, one slider | "
          + " | ".join(f"ratio ({k})" for k in kinds) + " | target |")
    print("|---" * (2 * len(kinds) + 3) + "|")
    rows = [("first usable page from the command", "first", "s", "<= 4 s"),
            ("a later page", "later", "s", "<= 1.5 s"),
            ("kernel memory added per page (RSS)", "per_page", "MiB", "<= 80 MiB")]
    for label, key, unit, target in rows:
        ours = [med(k, key) for k in kinds]
        stock = med("stock", key)

        def fmt(v, unit=unit):
            return f"{v:.1f} {unit}" if unit == "s" else f"{v:.0f} {unit}"

        print(f"| {label} | " + " | ".join(fmt(v) for v in ours) + f" | {fmt(stock)} | "
              + " | ".join(f"{v / stock:.2f}" for v in ours) + f" | {target} |")
    def pct(name, q):
        times = [x for r in runs[name] for x in r["redraw"] if x is not None]
        return statistics.quantiles(times, n=100)[q - 1] if len(times) > 1 else float("nan")

    for q, target in ((50, ""), (95, "<= 60 ms (budget <= 100 ms)")):
        ours = [pct(k, q) for k in kinds]
        stock = pct("stock", q)
        print(f"| key press to redraw, p{q} | " + " | ".join(f"{v:.0f} ms" for v in ours) + f" | {stock:.0f} ms | "
              + " | ".join(f"{v / stock:.2f}" for v in ours) + f" | {target} |")
    missed = {k: sum(x is None for r in runs[k] for x in r["redraw"]) for k in runs}
    if any(missed.values()):
        print("| key presses with no redraw within 5 s | " + " | ".join(str(missed[k]) for k in kinds)
              + f" | {missed['stock']} | | |")
    print("| kernels at rest after the first page (RSS) | "
          + " | ".join(f"{med(k, 'rest_kernels'):.0f} ({med(k, 'rest_rss'):.0f} MiB)" for k in kinds)
          + f" | {med('stock', 'rest_kernels'):.0f} ({med('stock', 'rest_rss'):.0f} MiB) | "
          + " | ".join("" for _ in kinds) + " | page's + one heated |")
    print("\nEach run (first page / later page, s):")
    for name, results in runs.items():
        print(f"  {name}: " + ", ".join(f"{r['first']:.1f} / {r['later']:.1f}" for r in results))


if __name__ == "__main__":
    main()

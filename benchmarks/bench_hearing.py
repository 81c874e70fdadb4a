"""Hearing-dashboard benchmarks (issue 5).

Run:  .venv/bin/python benchmarks/bench_hearing.py
Targets: model recompute per control change under 5 ms; control change to updated chart
in the browser p95 <= 150 ms over at least 30 changes.
"""

from __future__ import annotations

import statistics
import sys
import timeit
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.bench_tariff import machine  # noqa: E402
from okmo_models.hearing.serve import start  # noqa: E402
from okmo_models.hearing.whatif import WhatIf  # noqa: E402
from okmo_models.report.build import find_chromium  # noqa: E402
from okmo_models.scenario.loader import load_scenario  # noqa: E402

SCENARIO = ROOT / "scenarios/teploklyuchenka/waste.yaml"

# Time from a key press on the first slider to the moment the cost/revenue chart's SVG
# changes in the page, measured inside the browser with a MutationObserver.
MEASURE = """async () => {
  const chart = [...document.querySelectorAll('svg')].find(s => s.textContent.includes('4 7'));
  const target = chart.parentElement;
  return await new Promise(resolve => {
    const start = performance.now();
    const obs = new MutationObserver(() => { obs.disconnect(); resolve(performance.now() - start); });
    obs.observe(target, {childList: true, subtree: true, characterData: true});
    document.querySelector('.noUi-handle').dispatchEvent(
      new KeyboardEvent('keydown', {key: 'ArrowLeft', keyCode: 37, bubbles: true}));
  });
}"""


def main() -> None:
    w = WhatIf(load_scenario(SCENARIO))
    controls = [w.with_controls(fuel_price_change=x / 100) for x in range(-20, 20)]
    runs = [t / len(controls) for t in timeit.repeat(lambda: [w.outputs(c) for c in controls],
                                                      number=5, repeat=7)]
    recompute = [r / 5 for r in runs]

    from playwright.sync_api import sync_playwright

    proc, url = start(SCENARIO, "ru")
    latencies = []
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=find_chromium(), args=["--no-sandbox", "--disable-gpu"])
            page = browser.new_page(viewport={"width": 1600, "height": 1000})
            page.goto(url, timeout=90_000)
            page.locator('[data-okmo="bill"]').wait_for(timeout=90_000)
            page.locator(".noUi-handle").first.focus()
            for _ in range(35):
                latencies.append(page.evaluate(MEASURE))
                page.wait_for_timeout(50)
            browser.close()
    finally:
        proc.terminate()
    latencies = latencies[5:]  # the first changes warm the kernel up
    q = statistics.quantiles(latencies, n=20)
    print(f"Machine: {machine()}\n")
    print("| case | result | target |")
    print("|---|---|---|")
    print(f"| model recompute per control change (`WhatIf.outputs`) | best {min(recompute) * 1e3:.2f} ms, "
          f"median {statistics.median(recompute) * 1e3:.2f} ms | < 5 ms |")
    print(f"| key press on a slider to updated chart in Chromium, {len(latencies)} changes | "
          f"p50 {statistics.median(latencies):.0f} ms, p95 {q[18]:.0f} ms, max {max(latencies):.0f} ms | p95 <= 150 ms |")


if __name__ == "__main__":
    main()

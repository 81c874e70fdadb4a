"""Tariff-engine benchmarks (issue 2): one scenario, and 10 000 cost variants at once.

Run:  .venv/bin/python benchmarks/bench_tariff.py
Prints a Markdown table to paste into docs/benchmarks.md, with the machine it ran on.
Targets: one scenario computed in under 1 ms; 10 000 variants in under 100 ms.
"""

from __future__ import annotations

import os
import platform
import statistics
import sys
import timeit
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from okmo_models.scenario.loader import load_scenario  # noqa: E402
from okmo_models.tariff import TariffModel, calculate_tariff  # noqa: E402

SCENARIO = ROOT / "scenarios/teploklyuchenka/waste.yaml"


def best_and_median(stmt, number: int, repeat: int = 7) -> tuple[float, float]:
    """Seconds per call: the best and the median of ``repeat`` runs of ``number`` calls."""
    runs = [t / number for t in timeit.repeat(stmt, number=number, repeat=repeat)]
    return min(runs), statistics.median(runs)


def machine() -> str:
    cpu = "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return (f"{cpu}, {os.cpu_count()} cores, Python {platform.python_version()}, "
            f"numpy {np.__version__}")


def main() -> None:
    loaded = load_scenario(SCENARIO)
    model = TariffModel(loaded)
    rng = np.random.default_rng(2027)
    factors = rng.uniform(0.8, 1.2, size=(10_000, len(model.input_lines)))

    cases = [
        ("evaluate one scenario (`model.evaluate()`)", lambda: model.evaluate(), 2_000, 1e-3),
        ("compile + evaluate + result object (`calculate_tariff(TariffModel(s))`)",
         lambda: calculate_tariff(TariffModel(loaded)), 200, None),
        ("load file + validate + compute (`calculate_tariff(path)`)",
         lambda: calculate_tariff(TariffModel(load_scenario(SCENARIO))), 50, None),
        ("10 000 cost variants, vectorised (`model.evaluate(factors)`)",
         lambda: model.evaluate(factors), 20, 100e-3),
    ]
    print(f"Machine: {machine()}\n")
    print("| case | best | median | target |")
    print("|---|---|---|---|")
    for name, fn, number, target in cases:
        fn()  # warm-up
        best, median = best_and_median(fn, number)
        verdict = "—" if target is None else (
            f"< {target * 1e3:g} ms: {'met' if median < target else 'NOT met'}")
        print(f"| {name} | {best * 1e3:.3f} ms | {median * 1e3:.3f} ms | {verdict} |")


if __name__ == "__main__":
    main()

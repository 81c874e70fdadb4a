"""Tariff-policy benchmarks (issue 3): Monte Carlo and the multi-year path.

Run:  .venv/bin/python benchmarks/bench_policy.py
Targets: a 10 000-draw Monte Carlo for one scenario in under 200 ms; a 20-year path
solved in under 50 ms.
"""

from __future__ import annotations

import statistics
import sys
import timeit
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.bench_tariff import machine  # noqa: E402
from okmo_models.tariff.policy import analysis  # noqa: E402
from okmo_models.tariff.policy import formulas as pf  # noqa: E402
from okmo_models.scenario.loader import load_scenario  # noqa: E402
from okmo_models.tariff import TariffModel  # noqa: E402

SCENARIO = ROOT / "scenarios/teploklyuchenka/waste.yaml"


def timed(fn, number, repeat=7):
    fn()
    runs = [t / number for t in timeit.repeat(fn, number=number, repeat=repeat)]
    return min(runs), statistics.median(runs)


def main() -> None:
    scenario = load_scenario(SCENARIO).scenario
    model = TariffModel(scenario)
    twenty = TariffModel(scenario.model_copy(update={"path": scenario.path.model_copy(update={"years": 20}),
                                                     "production_programme": None}))
    targets = np.linspace(100, 180, 20)
    cases = [
        ("Monte Carlo, 10 000 draws: draw + evaluate + percentiles (`analysis.sensitivity`, incl. tornado)",
         lambda: analysis.sensitivity(model), 10, 200e-3),
        ("20-year path of one scenario: CPI, assets, investments, LP (`analysis.cost_recovery_path`)",
         lambda: analysis.cost_recovery_path(twenty), 20, 50e-3),
        ("20-year LP alone (`formulas.tariff_path`, caps and +25 %/year)",
         lambda: pf.tariff_path(50.0, targets, 0.25, targets * 0.9), 50, None),
    ]
    print(f"Machine: {machine()}\n")
    print("| case | best | median | target |")
    print("|---|---|---|---|")
    for name, fn, number, target in cases:
        best, median = timed(fn, number)
        verdict = "—" if target is None else f"< {target * 1e3:g} ms: {'met' if median < target else 'NOT met'}"
        print(f"| {name} | {best * 1e3:.2f} ms | {median * 1e3:.2f} ms | {verdict} |")


if __name__ == "__main__":
    main()

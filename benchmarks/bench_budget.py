"""Budget-forecast benchmarks (issue 6).

Run:  .venv/bin/python benchmarks/bench_budget.py
Targets: 100 000 Monte Carlo paths x 10 years x 30 lines in under 1 s; the full
backtest-and-choose step for 30 lines in under 2 s.
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
from okmo_models.budget import methods as bm  # noqa: E402
from okmo_models.budget.forecast import BudgetModel, load_budget  # noqa: E402


def main() -> None:
    scenario = load_budget(ROOT / "scenarios/alamudun/budget.yaml").scenario
    scenario = scenario.model_copy(update={"long_horizon": 8})
    model = BudgetModel(scenario)
    rng = np.random.default_rng(1)
    history = np.vstack([model.history, model.history * rng.uniform(0.8, 1.2, model.history.shape)])[:30]
    lines = 30
    point = np.tile(model.history[:, -1:], (2, 10))[:lines] * 1.05
    sigma = np.full(lines, 0.08)
    model.lines = tuple(model.lines * 2)[:lines]
    model.is_revenue = np.array([sec == "revenue" for sec, _ in model.lines])

    mc = timeit.repeat(lambda: model.monte_carlo(point, sigma, draws=100_000, seed=1), number=1, repeat=5)
    bt = timeit.repeat(lambda: (bm.backtest(history, model.cpi_history),
                                [bm.FUNCTIONS[m](history, 10, cpi_history=model.cpi_history,
                                                 cpi_future=np.linspace(1.1, 1.8, 10)) for m in bm.METHODS]),
                       number=1, repeat=5)
    example = BudgetModel(load_budget(ROOT / "scenarios/kok-jar/budget.yaml").scenario)
    first = timeit.repeat(lambda: BudgetModel(example.scenario).fit(), number=1, repeat=5)
    example.fit()
    again = timeit.repeat(lambda: example.fit("grant_cut"), number=1, repeat=5)
    print(f"Machine: {machine()}\n")
    print("| case | best | median | target |")
    print("|---|---|---|---|")
    print(f"| Monte Carlo: 100 000 paths x 10 years x 30 lines, percentiles of 3 totals | {min(mc):.3f} s | "
          f"{statistics.median(mc):.3f} s | < 1 s |")
    print(f"| backtest (6 origins x 5 methods) and forecasts, 30 lines x 10 years | {min(bt):.3f} s | "
          f"{statistics.median(bt):.3f} s | < 2 s |")
    print(f"| kok-jar example: whole fit (backtest, 12 lines, 20 000 draws x 8 years) | {min(first):.3f} s | "
          f"{statistics.median(first):.3f} s | — |")
    print(f"| kok-jar example: one scenario after the baseline (backtest reused) | {min(again):.3f} s | "
          f"{statistics.median(again):.3f} s | — |")


if __name__ == "__main__":
    main()

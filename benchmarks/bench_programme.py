"""Development-programme benchmark (issue 7).

Run:  .venv/bin/python benchmarks/bench_programme.py [--long]
Target: 200 candidate measures over 5 years with dependencies, chosen with their start years
by the MILP, in under 1 s. ``--long`` also runs the 200-measure MILP for 300 s, to show how far
the proof gets with time.
"""

from __future__ import annotations

import statistics
import sys
import time
import timeit
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.bench_tariff import machine  # noqa: E402
from okmo_models.programme.model import FiscalSpace, Portfolio  # noqa: E402
from okmo_models.programme.optimize import _build, _solve, explain, optimal, ranking  # noqa: E402
from okmo_models.programme.checks import check  # noqa: E402
from okmo_models.programme.schema import Programme  # noqa: E402
from okmo_models.scenario.loader import validate_with  # noqa: E402

YEARS = tuple(range(2026, 2031))


def candidates(n: int = 200, seed: int = 1) -> Programme:
    """``n`` measures of 1-3 years of works; one in four requires an earlier measure, one in
    ten excludes another; a fifth have a donor grant, a tenth a stimulating grant with
    co-financing; budget loans; a vulnerable-share rule and a yearly grant limit.
    With 200 measures the candidates would need about 4.8 times the fiscal space of the
    period (:func:`space`), and the dependencies form chains up to 4 measures long."""
    rng = np.random.default_rng(seed)
    measures = []
    for i in range(n):
        total = float(rng.integers(400, 5000))
        m = {"id": f"m{i}", "name": f"Measure {i}", "sector": "x",
             "cost": [float(c) for c in rng.integers(500, 8000, rng.integers(1, 4))],
             "running_cost": float(rng.integers(0, 300)), "source": "s",
             "beneficiaries": {"total": total, "vulnerable": float(rng.integers(0, 400))},
             "scores": {"need": int(rng.integers(1, 6)), "reach": int(rng.integers(1, 6))}}
        if i and rng.random() < 0.25:
            m["requires"] = [f"m{rng.integers(0, i)}"]
        elif i and rng.random() < 0.1:
            m["excludes"] = [f"m{rng.integers(0, i)}"]
        r = rng.random()
        if r < 0.2:
            m["funding"] = [{"kind": "donor_grant", "share": "50 %", "source": "s"}]
        elif r < 0.3:
            m["funding"] = [{"kind": "stimulating_grant", "share": "40 %", "min_local_share": "20 %", "source": "s"}]
        elif r < 0.35:
            m["funding"] = [{"kind": "budget_loan", "share": "30 %", "repay_years": 3, "source": "s"}]
        measures.append(m)
    data = {"schema_version": 1, "kind": "programme", "municipality": {"name": "Benchmark"}, "unit": "thousand_som",
            "first_year": 2026, "last_year": 2030, "sources": {"s": "benchmark"},
            "limits": {y: 60_000.0 * n / 200 for y in YEARS}, "limits_source": "s",
            "criteria": {"need": {"name": "need", "weight": 2}, "reach": {"name": "reach", "weight": 1}},
            "rules": {"min_vulnerable_share": "8 %",
                      "source_limits": {"stimulating_grant": {y: 10_000.0 * n / 200 for y in YEARS}}},
            "measures": measures}
    return validate_with(Programme, check, data)


def space(n: int = 200) -> FiscalSpace:
    """60 000 a year for 200 measures; the same money per measure for smaller programmes."""
    return FiscalSpace(YEARS, np.full(5, 60_000.0 * n / 200), "limits")


def row(case, times, gap, target="—"):
    print(f"| {case} | {min(times):.3f} s | {statistics.median(times):.3f} s | {gap} | {target} |")


def main() -> None:
    programme, room = candidates(), space()
    print(f"Machine: {machine()}\n")
    print("| case | best | median | proven gap | target |")
    print("|---|---|---|---|---|")
    for limit, repeat in ((0.8, 7), (10.0, 3)):
        chosen = optimal(programme, room, time_limit=limit)
        times = timeit.repeat(lambda limit=limit: optimal(programme, room, time_limit=limit), number=1, repeat=repeat)
        row(f"200 measures x 5 years, dependencies, exclusions, grant limit, vulnerable share; "
            f"solver limit {limit:g} s; {len(chosen.starts)} chosen, with reasons", times,
            f"{chosen.gap * 100:.2f} %", "< 1 s, proven optimal")
    # where the time of one optimal() goes
    parts = {"build the MILP": [], "solve: priority, then ties (limit 0.8 s)": [],
             "reasons of the measures left out": []}
    for _ in range(5):
        t0 = time.perf_counter()
        problem = _build(programme, room)
        t1 = time.perf_counter()
        x = _solve(problem, time_limit=0.8).x
        t2 = time.perf_counter()
        starts = {programme.measures[i].id: s for (i, s), c in zip(problem.columns, x) if c}
        explain(Portfolio(programme, room, starts, method="optimal"))
        t3 = time.perf_counter()
        for part, dt in zip(parts, (t1 - t0, t2 - t1, t3 - t2)):
            parts[part].append(dt)
    for part, times in parts.items():
        row(f"… of which: {part}", times, "")
    times = timeit.repeat(lambda: ranking(programme, room), number=1, repeat=5)
    row("200 measures: plain ranking by priority, with reasons", times, "—")
    for n in (20, 40, 60):
        proven, ties, gaps, times = 0, 0, [], []
        for seed in range(1, 6):
            p, t0 = candidates(n, seed), time.perf_counter()
            chosen = optimal(p, space(n), time_limit=5.0)
            times.append(time.perf_counter() - t0)
            proven += chosen.gap == 0
            ties += chosen.gap == 0 and chosen.ties_proven
            gaps.append(chosen.gap)
        row(f"{n} measures x 5 years (same money per measure), 5 seeds, solver limit 5 s: priority proven "
            f"for {proven} of 5, ties too for {ties}", times, f"≤ {max(gaps) * 100:.2f} %")
    from okmo_models.programme import evaluate_programme

    example = timeit.repeat(lambda: evaluate_programme(ROOT / "scenarios/alamudun/programme.yaml"), number=1, repeat=5)
    row("Alamudun example (11 measures): budget forecast, draft, optimum (proven), ranking", example, "0")
    if "--long" in sys.argv:
        t0 = time.perf_counter()
        chosen = optimal(programme, room, time_limit=300.0)
        row(f"200 measures, solver limit 300 s; {len(chosen.starts)} chosen, priority "
            f"{chosen.priority_total():.4f}", [time.perf_counter() - t0], f"{chosen.gap * 100:.3f} %")


if __name__ == "__main__":
    main()

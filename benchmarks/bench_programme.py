"""Development-programme benchmark (issue 7).

Run:  .venv/bin/python benchmarks/bench_programme.py
Target: 200 candidate measures over 5 years with dependencies, chosen with their start years
by the MILP, in under 1 s.
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
from okmo_models.programme.model import FiscalSpace  # noqa: E402
from okmo_models.programme.optimize import optimal  # noqa: E402
from okmo_models.programme.schema import Programme, check  # noqa: E402
from okmo_models.scenario.loader import validate_with  # noqa: E402


def candidates(n: int = 200, seed: int = 1) -> Programme:
    """``n`` measures of 1-3 years of works; one in four requires an earlier measure, one in
    ten excludes another; a fifth have a donor grant, a tenth a stimulating grant with
    co-financing; budget loans; a vulnerable-share rule and a yearly grant limit."""
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
            "limits": {y: 60_000.0 for y in range(2026, 2031)}, "limits_source": "s",
            "criteria": {"need": {"name": "need", "weight": 2}, "reach": {"name": "reach", "weight": 1}},
            "rules": {"min_vulnerable_share": "8 %",
                      "source_limits": {"stimulating_grant": {y: 10_000.0 for y in range(2026, 2031)}}},
            "measures": measures}
    return validate_with(Programme, check, data)


def main() -> None:
    programme = candidates()
    space = FiscalSpace(tuple(range(2026, 2031)), np.full(5, 60_000.0), "limits")
    print(f"Machine: {machine()}\n")
    print("| case | best | median | proven gap | target |")
    print("|---|---|---|---|---|")
    for limit in (0.8, 10.0):
        chosen = optimal(programme, space, time_limit=limit)
        times = timeit.repeat(lambda limit=limit: optimal(programme, space, time_limit=limit), number=1, repeat=3)
        print(f"| 200 measures x 5 years, dependencies, exclusions, grant limit, vulnerable share; "
              f"solver limit {limit:g} s; {len(chosen.starts)} chosen, with reasons | {min(times):.3f} s | "
              f"{statistics.median(times):.3f} s | {chosen.gap * 100:.2f} % | < 1 s |")
    from okmo_models.programme.result import evaluate

    example = timeit.repeat(lambda: evaluate(ROOT / "scenarios/alamudun/programme.yaml"), number=1, repeat=5)
    print(f"| Alamudun example (11 measures): budget forecast, draft, optimum (proven), ranking | "
          f"{min(example):.3f} s | {statistics.median(example):.3f} s | 0 | — |")


if __name__ == "__main__":
    main()

"""``okmo tariff`` as a whole process against the floor of its imports (issue 21).

Run:  .venv/bin/python benchmarks/bench_startup.py --before DIR [--runs 9]
where DIR is an older checkout (e.g. ``git archive <commit> | tar -x -C DIR``). Three
commands run in fresh processes, interleaved, ``runs`` times each after one warm-up (which
writes the bytecode a user's install has; PYTHONDONTWRITEBYTECODE is dropped for them):

* the floor: ``python -c "import numpy, pandas, pydantic, yaml"``;
* ``okmo tariff scenarios/teploklyuchenka/waste.yaml`` from DIR (before) and from here (after).

The table gives the medians of wall and CPU time, each command's ratio to the floor and its
time above it. The
issue's target: the whole command <= 0,6 s where the floor is 0,4 s (ratio 1,5).
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.bench_tariff import machine  # noqa: E402

FLOOR = "import numpy, pandas, pydantic, yaml"
ARGS = ["tariff", "scenarios/teploklyuchenka/waste.yaml"]


def command(tree: Path | None) -> list[str]:
    if tree is None:
        return [sys.executable, "-c", FLOOR]
    code = f"import sys; sys.path.insert(0, {str(tree)!r}); import okmo_models.cli as c; sys.exit(c.main({ARGS!r}))"
    return [sys.executable, "-c", code]


def run(cmd: list[str], cwd: Path) -> tuple[float, float]:
    """``(wall, CPU)`` seconds of one run; CPU time (user + system) suffers less from
    other work on a shared machine than the wall time does."""
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    used = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    subprocess.run(cmd, cwd=cwd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=True)
    wall = time.perf_counter() - start
    now = resource.getrusage(resource.RUSAGE_CHILDREN)
    return wall, (now.ru_utime - used.ru_utime) + (now.ru_stime - used.ru_stime)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--before", type=Path, required=True, help="an older checkout")
    parser.add_argument("--runs", type=int, default=9)
    options = parser.parse_args()
    before = options.before.resolve()
    cases = {"floor (`import numpy, pandas, pydantic, yaml`)": (None, ROOT),
             "`okmo tariff` waste, before": (before, before),
             "`okmo tariff` waste, after": (ROOT, ROOT)}
    times: dict[str, list[tuple[float, float]]] = {name: [] for name in cases}
    for tree, cwd in cases.values():
        run(command(tree), cwd)  # warm-up: bytecode written, files in the page cache
    for _ in range(options.runs):
        for name, (tree, cwd) in cases.items():
            times[name].append(run(command(tree), cwd))
    print(machine())
    with open("/proc/loadavg") as f:
        print("load (1, 5, 15 min):", " ".join(f.read().split()[:3]))
    print("| command | wall, median | / floor | above floor | CPU, median | / floor | above floor |\n"
          "|---|---|---|---|---|---|---|")
    floor = [statistics.median(t[k] for t in next(iter(times.values()))) for k in (0, 1)]
    for name, values in times.items():
        cells = []
        for k in (0, 1):
            m = statistics.median(t[k] for t in values)
            cells.append(f"{m:.2f} s | {m / floor[k]:.2f} | {m - floor[k]:+.2f} s")
        print(f"| {name} | " + " | ".join(cells) + " |")

if __name__ == "__main__":
    main()

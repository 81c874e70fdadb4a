"""The tariff workbook with live formulas (issue 22) against the values-only one before it.

Run:  .venv/bin/python benchmarks/bench_workbook.py --before DIR [--rounds 5]
where DIR is an older checkout (``git archive 74b936c | tar -x -C DIR``). Each tree, in its
own process, writes the result workbook (`okmo tariff ... --format xlsx`'s function,
``excel.results.tariff_workbook``) of the four bundled tariff examples in Russian, ``rounds``
times; the trees take turns. The table gives the median seconds per workbook and the ratio
after / before, and the size of the files. Also the time `formulas` (the engine the tests
recompute with) takes to recompute the waste example's workbook, the check a user of
the engine would run.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ("teploklyuchenka/waste.yaml", "teploklyuchenka/dipping_bath.yaml",
            "teploklyuchenka/shared_landfill.yaml", "ak-bulak/water.yaml")

_CHILD = r"""
import json, sys, time
sys.path.insert(0, sys.argv[1])
from okmo_models.examples import example_path
from okmo_models.tariff import calculate_tariff
from okmo_models.excel.results import tariff_workbook
results = [calculate_tariff(example_path(e)) for e in json.loads(sys.argv[2])]
tariff_workbook(results[0], "ru")  # imports and first calls outside the time
out = []
for r in results:
    start = time.perf_counter()
    data = tariff_workbook(r, "ru")
    out.append((time.perf_counter() - start, len(data)))
print(json.dumps(out))
"""

_ENGINE = r"""
import sys, time, tempfile, os
sys.path.insert(0, sys.argv[1])
import formulas
from okmo_models.examples import example_path
from okmo_models.tariff import calculate_tariff
from okmo_models.excel.results import tariff_workbook
path = os.path.join(tempfile.mkdtemp(), "w.xlsx")
open(path, "wb").write(tariff_workbook(calculate_tariff(example_path("teploklyuchenka/waste.yaml")), "ru"))
start = time.perf_counter()
formulas.ExcelModel().loads(path).finish().calculate()
print(time.perf_counter() - start)
"""


def run(tree: Path) -> list[tuple[float, int]]:
    text = subprocess.run([sys.executable, "-c", _CHILD, str(tree), json.dumps(EXAMPLES)], check=True,
                          capture_output=True, text=True).stdout
    return json.loads(text)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--before", type=Path, required=True)
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    times = {"before": [[] for _ in EXAMPLES], "after": [[] for _ in EXAMPLES]}
    sizes = {}
    for _ in range(args.rounds):
        for name, tree in (("before", args.before.resolve()), ("after", ROOT)):
            for i, (seconds, size) in enumerate(run(tree)):
                times[name][i].append(seconds)
                sizes[(name, i)] = size
    print("| workbook | before, s | after, s | after / before | size before → after |")
    print("|---|---|---|---|---|")
    for i, example in enumerate(EXAMPLES):
        b, a = statistics.median(times["before"][i]), statistics.median(times["after"][i])
        print(f"| {example} | {b:.3f} | {a:.3f} | {a / b:.2f} | "
              f"{sizes[('before', i)] // 1024} KiB → {sizes[('after', i)] // 1024} KiB |")
    engine = float(subprocess.run([sys.executable, "-c", _ENGINE, str(ROOT)], check=True, capture_output=True,
                                  text=True).stdout)
    print(f"\nRecomputing the waste workbook with `formulas`: {engine:.2f} s")


if __name__ == "__main__":
    main()

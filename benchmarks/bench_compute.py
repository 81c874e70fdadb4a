"""Many tariffs through the API in one process (issue 21): this checkout against an older one.

Run:  .venv/bin/python benchmarks/bench_compute.py --before DIR [--count 1350]
where DIR is an older checkout (e.g. ``git archive <commit> | tar -x -C DIR``). Each tree
computes ``count`` tariffs with ``calculate_tariff``, in two ways:

* ``repeated``: the four bundled tariff examples (Teploklyuchenka's waste, dipping bath and
  shared landfill, Ak-Bulak's water) in turn, as the issue measured (30,8 s for 1 350);
* ``distinct``: every tariff a file of its own bytes (a municipality's copy of the examples,
  with its passport and economic base), as a folder of 450 municipalities is: no file is
  parsed twice except the passport and base its three services share.

The trees take turns, each computing its ``count`` in ``slices`` processes one after the
other (so that both see the same load on a shared machine; a process of a slice computes
its tariffs one after another, as one process would); each process first computes the four
bundled examples once, outside the time (imports such as scipy's root finder, first calls). The table gives, per tree, the wall
and CPU seconds for all and per tariff, and the ratio after / before.
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.bench_tariff import machine  # noqa: E402

EXAMPLES = ("teploklyuchenka/waste.yaml", "teploklyuchenka/dipping_bath.yaml",
            "teploklyuchenka/shared_landfill.yaml", "ak-bulak/water.yaml")
LINKED = ("teploklyuchenka/passport.yaml", "teploklyuchenka/economic_base.yaml")

# run inside the tree measured: argv = tree, count, files as JSON, warm-up files as JSON
_CHILD = """
import json, sys, time
sys.path.insert(0, sys.argv[1])
from okmo_models.tariff import calculate_tariff
files = json.loads(sys.argv[3])
for warm in json.loads(sys.argv[4]):  # imports (scipy's brentq...) and first calls: not measured
    calculate_tariff(warm)
start, cpu = time.perf_counter(), time.process_time()
for i in range(int(sys.argv[2])):
    calculate_tariff(files[i % len(files)])
print(time.perf_counter() - start, time.process_time() - cpu)
"""


def distinct_files(folder: Path, count: int, root: Path = ROOT) -> list[str]:
    """``count`` tariff files of distinct bytes: one folder per municipality holding its
    passport, economic base and a copy of each example (of the tree at ``root``) marked with
    its number."""
    folder.mkdir(parents=True, exist_ok=True)
    files = []
    for i in range(count):
        example = EXAMPLES[i % len(EXAMPLES)]
        town = folder / f"m{i // len(EXAMPLES):04d}"
        if not town.exists():
            town.mkdir()
            for linked in LINKED:
                shutil.copy(root / "okmo_models/examples" / linked, town)
        target = town / Path(example).name
        target.write_bytes((root / "okmo_models/examples" / example).read_bytes() + f"# copy {i}\n".encode())
        files.append(str(target))
    return files


def run(tree: Path, count: int, files: list[str]) -> tuple[float, float]:
    """``(wall, CPU)`` seconds for ``count`` tariffs; CPU time suffers less from other work
    on a shared machine than the wall time does."""
    warm = [str(tree / "okmo_models/examples" / e) for e in EXAMPLES]
    out = subprocess.run([sys.executable, "-c", _CHILD, str(tree), str(count), json.dumps(files), json.dumps(warm)],
                         cwd=tree, capture_output=True, text=True, check=True)
    wall, cpu = out.stdout.strip().splitlines()[-1].split()
    return float(wall), float(cpu)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--before", type=Path, required=True, help="an older checkout")
    parser.add_argument("--count", type=int, default=1350)
    parser.add_argument("--slices", type=int, default=9, help="runs per tree, taking turns")
    options = parser.parse_args()
    print(machine())
    with open("/proc/loadavg") as f:
        print("load (1, 5, 15 min) at the start:", " ".join(f.read().split()[:3]))
    print(f"| {options.count} tariffs, one process | time | before | after | after / before |\n|---|---|---|---|---|")
    per = 1000 / options.count
    trees = {"before": options.before.resolve(), "after": ROOT}
    with tempfile.TemporaryDirectory() as tmp:
        # each tree computes its own bundled examples: a file of one version may not be read
        # by another (issue 22 derives the examples' wages and fuel; the figures are the same)
        cases = {"repeated (the 4 bundled examples in turn)":
                 {k: [str(tree / "okmo_models/examples" / e) for e in EXAMPLES] for k, tree in trees.items()},
                 "distinct (one file per tariff)":
                 {k: distinct_files(Path(tmp) / k, options.count, tree) for k, tree in trees.items()}}
        for name, by_tree in cases.items():
            # in slices, the trees taking turns: both see the same load on a shared machine
            before, after = [0.0, 0.0], [0.0, 0.0]
            step = -(-options.count // options.slices)
            for start in range(0, options.count, step):
                part = min(step, options.count - start)
                # each slice starts where the last one ended: every file as often as in one run
                for total, key in ((before, "before"), (after, "after")):
                    files = by_tree[key]
                    chunk = [files[(start + i) % len(files)] for i in range(min(part, len(files)))]
                    wall, cpu = run(trees[key], part, chunk)
                    total[0] += wall
                    total[1] += cpu
            for k, what in enumerate(("wall", "CPU")):
                print(f"| {name} | {what} | {before[k]:.1f} s ({before[k] * per:.1f} ms each) "
                      f"| {after[k]:.1f} s ({after[k] * per:.1f} ms each) | {after[k] / before[k]:.2f} |")
    with open("/proc/loadavg") as f:
        print("load (1, 5, 15 min) at the end:", " ".join(f.read().split()[:3]))

if __name__ == "__main__":
    main()

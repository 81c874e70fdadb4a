"""The ``okmo`` command end to end, this checkout against an older one (issue 15).

Run:  .venv/bin/python benchmarks/bench_cli.py --before DIR
where DIR is an older checkout (``git worktree add DIR <commit>``). Each case runs in a fresh
process, both trees interleaved, seven times; the table gives the medians and their ratio. The
peer a user would pick here is the previous release: a refactor must not make them wait longer.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.bench_tariff import machine  # noqa: E402

CASES = {
    "`okmo tariff` waste, JSON": ["tariff", "scenarios/teploklyuchenka/waste.yaml", "--format", "json"],
    "`okmo budget` Kok-Jar, JSON": ["budget", "scenarios/kok-jar/budget.yaml", "--format", "json"],
    "`okmo budget` Kok-Jar, table": ["budget", "scenarios/kok-jar/budget.yaml"],
    "`okmo programme` Alamudun, JSON": ["programme", "scenarios/alamudun/programme.yaml", "--format", "json"],
    "`import okmo_models.cli` (start-up)": None,
}


def run(tree: Path, args) -> float:
    code = (f"import sys; sys.path.insert(0, {str(tree)!r}); import okmo_models.cli as c; "
            + (f"sys.exit(c.main({args!r}))" if args else "pass"))
    start = time.perf_counter()
    subprocess.run([sys.executable, "-c", code], cwd=tree, stdout=subprocess.DEVNULL,
                   stderr=subprocess.DEVNULL, check=True)
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--before", type=Path, required=True, help="an older checkout")
    parser.add_argument("--runs", type=int, default=7)
    options = parser.parse_args()
    print(machine())
    print("| case | before | after | after / before |\n|---|---|---|---|")
    for name, args in CASES.items():
        before, after = [], []
        for _ in range(options.runs):
            before.append(run(options.before.resolve(), args))
            after.append(run(ROOT, args))
        b, a = statistics.median(before), statistics.median(after)
        print(f"| {name} | {b:.2f} s | {a:.2f} s | {a / b:.2f} |")


if __name__ == "__main__":
    main()

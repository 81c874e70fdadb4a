"""Report benchmarks (issue 4): one PDF as a whole process, the stock route, a batch of 20.

Run:  .venv/bin/python benchmarks/bench_report.py
Target: one report in at most 8 s as a whole process on the 2-core machine.
The stock route is nbconvert's own: `jupyter nbconvert --execute --to html` on the same
notebook (lab template) and the same Chromium printing it; `--to webpdf` would download a
browser through Playwright, which this offline machine cannot do.
"""

from __future__ import annotations

import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import nbformat

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.bench_tariff import machine  # noqa: E402
from okmo_models.report.build import CHROMIUM_FLAGS, find_chromium  # noqa: E402

BIN = Path(sys.executable).parent
SCENARIO = ROOT / "scenarios/teploklyuchenka/waste.yaml"


def seconds(cmd, runs=3, **kw) -> list[float]:
    out = []
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run(cmd, check=True, capture_output=True, **kw)
        out.append(time.perf_counter() - start)
    return out


def main() -> None:
    tmp = Path(tempfile.mkdtemp(prefix="okmo-bench-"))
    ours = seconds([str(BIN / "okmo"), "report", str(SCENARIO), "-o", str(tmp / "ours"), "--force"])

    # The stock route on the same notebook with the same parameters.
    nb = nbformat.read(ROOT / "okmo_models/report/tariff_report.ipynb", as_version=4)
    for cell in nb.cells:
        if "parameters" in cell.metadata.get("tags", []):
            cell.source = f"scenario = {str(SCENARIO)!r}\nlang = 'ru'\n"
    stock_nb = tmp / "stock.ipynb"
    nbformat.write(nb, stock_nb)
    chromium = find_chromium()
    stock_script = (f"{BIN / 'jupyter'} nbconvert --execute --to html --output stock.html {stock_nb} && "
                    f"{chromium} {' '.join(CHROMIUM_FLAGS)} --user-data-dir={tmp / 'profile'} "
                    f"--print-to-pdf={tmp / 'stock.pdf'} {(tmp / 'stock.html').as_uri()}")
    stock = seconds(["bash", "-c", stock_script], cwd=tmp)

    batch_dir = tmp / "batch"
    for i in range(5):
        for src in sorted((ROOT / "scenarios").rglob("*.yaml")):
            dst = batch_dir / f"{src.parent.name}-{i}" / src.name
            dst.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy(src, dst)
    n = len(list(batch_dir.rglob("*.yaml")))
    batch = seconds([str(BIN / "okmo"), "report", str(batch_dir), "-o", str(tmp / "batch-out"),
                     "--force", "--workers", "2"], runs=1)[0]

    print(f"Machine: {machine()}\n")
    print("| case | runs (s) | median |")
    print("|---|---|---|")
    print(f"| `okmo report` one scenario, whole process | {', '.join(f'{x:.2f}' for x in ours)} | "
          f"{statistics.median(ours):.2f} s (target <= 8 s) |")
    print(f"| stock route: `jupyter nbconvert --execute --to html` + Chromium print | "
          f"{', '.join(f'{x:.2f}' for x in stock)} | {statistics.median(stock):.2f} s |")
    print(f"| ratio stock / ours | | {statistics.median(stock) / statistics.median(ours):.2f} |")
    print(f"| batch of {n} reports, 2 workers | {batch:.1f} | {batch / n:.2f} s per report |")
    shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()

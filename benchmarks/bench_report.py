"""Report benchmarks (issues 4 and 21): one PDF as a whole process, the stock route, reports
one after another in one process (the warm kernel and browser), a batch of 12 folders.

Run:  env -u PYTHONDONTWRITEBYTECODE .venv/bin/python benchmarks/bench_report.py
Targets (issue 21, the 2-core machine): one report <= 3 s as a whole process; <= 1,5 s per
report in a batch with 2 workers. Give the load (printed) with every figure.
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


IN_PROCESS = """
import sys, time
from okmo_models.report.build import render_report
for i in range(5):
    start = time.perf_counter()
    render_report(sys.argv[1], "ru", f"{sys.argv[2]}/{i}", overwrite=True)
    print(f"{time.perf_counter() - start:.3f}")
"""


def load_average() -> str:
    try:
        return Path("/proc/loadavg").read_text().split()[0]
    except OSError:
        return "?"


def seconds(cmd, runs=3, **kw) -> list[float]:
    out = []
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run(cmd, check=True, capture_output=True, **kw)
        out.append(time.perf_counter() - start)
    return out


def main() -> None:
    start_load = load_average()
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

    # Reports one after another in one process: the first starts the kernel and the browser,
    # the others find them warm (what a batch worker does).
    in_process = subprocess.run([sys.executable, "-c", IN_PROCESS, str(SCENARIO), str(tmp / "warm")],
                                check=True, capture_output=True, text=True).stdout.split()
    first, *warm = (float(x) for x in in_process)

    batch_dir = tmp / "batch"
    tariffs = ["teploklyuchenka/waste.yaml", "ak-bulak/water.yaml", "teploklyuchenka/dipping_bath.yaml"]
    for i in range(12):
        src = ROOT / "scenarios" / tariffs[i % len(tariffs)]
        dst = batch_dir / f"m{i:02d}" / src.name
        dst.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(src, dst)
        for record in ("passport.yaml", "economic_base.yaml"):  # what the tariff reads beside it
            if (src.parent / record).exists():
                shutil.copy(src.parent / record, dst.parent / record)
    n = len(list(batch_dir.rglob("*.yaml"))) - len(list(batch_dir.rglob("passport.yaml"))) \
        - len(list(batch_dir.rglob("economic_base.yaml")))
    load = load_average()
    batch = seconds([str(BIN / "okmo"), "report", str(batch_dir), "-o", str(tmp / "batch-out"),
                     "--force", "--workers", "2"], runs=1)[0]
    reports = len(list((tmp / "batch-out").glob("*.pdf")))

    print(f"Machine: {machine()}; load average at the start: {start_load}\n")
    print("| case | runs (s) | median |")
    print("|---|---|---|")
    print(f"| `okmo report` one scenario, whole process | {', '.join(f'{x:.2f}' for x in ours)} | "
          f"{statistics.median(ours):.2f} s (target <= 3 s) |")
    print(f"| stock route: `jupyter nbconvert --execute --to html` + Chromium print | "
          f"{', '.join(f'{x:.2f}' for x in stock)} | {statistics.median(stock):.2f} s |")
    print(f"| ratio stock / ours | | {statistics.median(stock) / statistics.median(ours):.2f} |")
    print(f"| one process: first report, then {len(warm)} more (warm) | {first:.2f}; "
          f"{', '.join(f'{x:.2f}' for x in warm)} | {statistics.median(warm):.2f} s per warm report |")
    print(f"| `okmo report FOLDER` ({n} files, {reports} reports; every file of the folder, records "
          f"included), 2 workers (load {load}) | {batch:.1f} | {batch / reports:.2f} s per report "
          f"(target <= 1,5 s) |")
    print(f"\nLoad average at the end: {load_average()}")
    shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()

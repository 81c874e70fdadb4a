"""Time and peak memory of reading a workbook back (issue 14, item 8).

Builds the workbooks from `okmo template tariff` and adds rows with openpyxl:
N filled cost lines (500, 1 000, 2 000, 4 000), 20 000 styled empty rows, and one
value at XFD1048576. Each case is read by `read_workbook` in a fresh process
(address space capped at 3 GB, 120 s timeout); prints seconds, peak RSS and outcome.

    python benchmarks/bench_excel_import.py
"""
import resource
import subprocess
import sys
import tempfile
from pathlib import Path

import openpyxl
from openpyxl.styles import PatternFill

ROOT = Path(__file__).resolve().parents[1]
OKMO = [sys.executable, "-m", "okmo_models.cli"]
CHILD = r"""
import resource, sys, time
from okmo_models.errors import OkmoError
from okmo_models.excel.workbook_import import read_workbook
t0 = time.perf_counter()
try:
    read_workbook(sys.argv[1], "en")
    outcome = "read"
except OkmoError as exc:
    text = exc.render("en")
    outcome = "refused: " + text.splitlines()[0][-60:] + " | " + (text.splitlines()[-1].strip()[:110])
print(f"{time.perf_counter() - t0:.2f}\t{resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f}\t{outcome}")
"""


def template(folder: Path) -> Path:
    path = folder / "blank.xlsx"
    subprocess.run(OKMO + ["template", "tariff", "-o", str(path), "--force", "--lang", "en"], check=True,
                   capture_output=True)
    return path


def cost_sheet(wb):
    return next(ws for ws in wb.worksheets if ws.max_row >= 5 and ws.cell(5, 1).value == "line")


def with_rows(blank: Path, n: int, out: Path) -> Path:
    wb = openpyxl.load_workbook(blank)
    ws = cost_sheet(wb)
    keys = {ws.cell(5, c).value: c for c in range(1, ws.max_column + 1)}
    for k in range(n):
        r = 6 + k
        ws.cell(r, keys["line"], "materials")
        ws.cell(r, keys["name.ru"], f"Строка {k + 1}")
        ws.cell(r, keys["amount"], 1000 + k)
        ws.cell(r, keys["amount.unit"], "som/year")
        ws.cell(r, keys["source"], "assumption")
    wb.save(out)
    return out


def with_empty_rows(blank: Path, n: int, out: Path) -> Path:
    wb = openpyxl.load_workbook(blank)
    ws = cost_sheet(wb)
    fill = PatternFill("solid", fgColor="FFF9DB")
    for r in range(6, 6 + n):
        for c in range(1, 13):
            ws.cell(r, c).fill = fill
    wb.save(out)
    return out


def with_far_cell(blank: Path, out: Path) -> Path:
    wb = openpyxl.load_workbook(blank)
    cost_sheet(wb)["XFD1048576"] = "x"
    wb.save(out)
    return out


def run(path: Path) -> str:
    def cap():
        resource.setrlimit(resource.RLIMIT_AS, (3 << 30, 3 << 30))

    try:
        proc = subprocess.run([sys.executable, "-c", CHILD, str(path)], capture_output=True,
                              text=True, timeout=120, preexec_fn=cap, cwd=ROOT)
    except subprocess.TimeoutExpired:
        return "> 120 s (killed)"
    if proc.returncode:
        return f"exit {proc.returncode}: {proc.stderr.strip().splitlines()[-1][:120] if proc.stderr.strip() else ''}"
    return proc.stdout.strip()


def main():
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        blank = template(folder)
        cases = [(f"{n} cost lines", with_rows(blank, n, folder / f"rows{n}.xlsx")) for n in (500, 1000, 2000, 4000)]
        cases.append(("20 000 styled empty rows", with_empty_rows(blank, 20000, folder / "empty.xlsx")))
        cases.append(("one value at XFD1048576", with_far_cell(blank, folder / "far.xlsx")))
        print("case\tfile KB\tseconds\tpeak MB\toutcome")
        for name, path in cases:
            print(f"{name}\t{path.stat().st_size // 1024}\t{run(path)}", flush=True)


if __name__ == "__main__":
    sys.exit(main())

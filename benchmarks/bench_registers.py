"""Register import benchmarks (issue 8).

Run:  .venv/bin/python benchmarks/bench_registers.py
Target: a 10 000-row household register imported and aggregated in under 2 s, as CSV and as
.xlsx. The registers are generated like the bundled examples (scripts/make_register_examples.py):
10 000 households, 6 columns, about 3 % with a Social Passport category; the livestock
register is one row per owner and species drawn from the same households, cut to 10 000 rows.
"""

from __future__ import annotations

import statistics
import sys
import tempfile
import timeit
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "scripts"))

from benchmarks.bench_tariff import machine  # noqa: E402
from make_register_examples import csv_bytes, household_rows, livestock_rows, xlsx_bytes  # noqa: E402
from okmo_models.registers import (  # noqa: E402
    household_volumes,
    livestock_volumes,
    read_households,
    read_livestock,
)

ROWS = 10_000


def main() -> None:
    households = household_rows(ROWS, seed=1)
    livestock = livestock_rows(household_rows(2 * ROWS, seed=2), seed=3)[: ROWS + 1]
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        (folder / "households.csv").write_bytes(csv_bytes(households))
        (folder / "households_cp1251.csv").write_bytes(
            csv_bytes([[str(c).replace("Үй-бүлөгө көмөк", "УБК") for c in r] for r in households], "cp1251"))
        (folder / "households.xlsx").write_bytes(xlsx_bytes(households))
        (folder / "livestock.xlsx").write_bytes(xlsx_bytes(livestock))
        cases = [
            ("households, CSV (UTF-8, `;`)", "households.csv", read_households, household_volumes),
            ("households, CSV (Windows-1251, `;`)", "households_cp1251.csv", read_households, household_volumes),
            ("households, .xlsx (openpyxl read-only)", "households.xlsx", read_households, household_volumes),
            ("livestock, .xlsx, one row per owner and species", "livestock.xlsx", read_livestock, livestock_volumes),
        ]
        print(f"Machine: {machine()}\n")
        print("| case (10 000 rows: read, check every row, aggregate) | best | median | target |")
        print("|---|---|---|---|")
        for name, file, read, aggregate in cases:
            path = folder / file
            register = read(path)
            assert register.file.rows_read == ROWS and register.file.rows_unusable == 0, register.file
            times = timeit.repeat(lambda r=read, a=aggregate, p=path: a(r(p)), number=1, repeat=7)
            target = "< 2 s" if file.startswith("households") else "—"
            print(f"| {name} | {min(times):.3f} s | {statistics.median(times):.3f} s | {target} |")


if __name__ == "__main__":
    main()

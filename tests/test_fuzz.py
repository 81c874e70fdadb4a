"""The fuzz layer (issue 14): generated files, valid and broken, for every command a user runs.

Each property runs ``okmo`` on a generated case in a forked process (tests/fuzz/run.py) and
asserts what the user sees: a result (exit 0) or a clear error (exit 2) that names the file
and the place (field, line, sheet and cell) in the user's language; never exit 70, a Python
traceback or repr, a control character, the content of a file outside the folder; within
20 s and 2 GB. Some properties add what a kind of file must never do (lose a register row,
guess a number's reading, write a formula, trust a changed baseline).

A short, derandomized run here (profile ``ci``); ``scripts/fuzz.py --minutes N`` runs the
same properties for longer and summarises what it finds.
"""

from __future__ import annotations

import csv
import io
import json

import openpyxl
from fuzz import PROFILE, fuzz_settings
from fuzz import strategies as s
from fuzz.run import Case, report, run_case
from hypothesis import given
from hypothesis import strategies as st
from own_formulas import is_own_formula


@fuzz_settings()
@given(s.tariff_cases())
def test_tariff_scenarios(case):
    """Tariff scenarios, checked and calculated in every output format."""
    run_case(case)


@fuzz_settings(0.6)
@given(st.one_of(s.budget_cases(), s.history_cases()))
def test_budget_files_and_history_tables(case):
    """Budget files and the history tables they read, checked and forecast."""
    run_case(case)


@fuzz_settings(0.5)
@given(s.programme_cases())
def test_programmes(case):
    """Development programmes and their budgets, checked and evaluated."""
    run_case(case)


@fuzz_settings()
@given(s.variant_cases())
def test_variants(case):
    """A variant is computed only from its own, unchanged baseline in its folder."""
    outcome = run_case(case)[-1]
    facts = case.facts
    if outcome.code == 0 and facts["hash"] in ("wrong", "zeros", "not text"):
        report(f"a variant with a {facts['hash']} baseline_sha256 is accepted", outcome, case)
    if outcome.code == 0 and facts["baseline"] != facts["own baseline"]:
        report(f"a variant of {facts['baseline']!r} is accepted", outcome, case)


@fuzz_settings()
@given(s.register_cases())
def test_registers(case):
    """Every row of a register is accounted for: read, or the file refused."""
    outcome = run_case(case)[0]
    table = case.facts["table"]
    if outcome.code == 0 and table is not None:
        result = json.loads(outcome.out)
        written, read = table.records(result["heading_row"]), result["rows"]["read"]
        if read != written:
            report(f"{written} rows written, {read} read, exit 0", outcome, case)


@fuzz_settings(0.3)
@given(s.workbook_cases())
def test_workbooks(case):
    """An import that succeeds writes a file that `okmo check` accepts (run_case chains them)."""
    run_case(case)


def _no_formulas(outcome, folder, case):
    """The workbook or CSV file a command wrote holds no formula from data: a workbook only its
    own (the калькуляция's, the template's computed columns: own_formulas.is_own_formula), a
    CSV none (a negative number may start with "-")."""
    if outcome.code != 0 or "-o" not in outcome.argv:
        return
    out = folder / outcome.argv[outcome.argv.index("-o") + 1]
    if out.suffix == ".xlsx":
        wb = openpyxl.load_workbook(out)
        formulas = [f"{ws.title}!{c.coordinate}" for ws in wb for row in ws.iter_rows() for c in row
                    if c.data_type == "f" and ws.sheet_state != "hidden" and not is_own_formula(str(c.value))]
        if formulas:
            report(f"formulas written from data: {' '.join(formulas[:3])}", outcome, case)
    else:
        cells = [c for row in csv.reader(io.StringIO(out.read_text("utf-8-sig"))) for c in row]
        live = [c for c in cells if c[:1] in ("=", "+", "@") or (c[:1] == "-" and c[1:2] not in ("", *"0123456789"))]
        if live:
            report(f"CSV cells a spreadsheet would run: {live[:3]}", outcome, case)


@fuzz_settings(0.3)
@given(s.output_cases())
def test_outputs_hold_no_formulas(case):
    """Names that start like a formula are written as text into workbooks and CSV files."""
    run_case(case, inspect=lambda outcome, folder: _no_formulas(outcome, folder, case))


@fuzz_settings(0.6)
@given(s.ambiguous_number_cases())
def test_ambiguous_numbers_are_refused(case: Case):
    """ "180,500" is never read as 180,5 or 180 500 without asking: the file is refused
    showing the number (a register row with it is listed as not used)."""
    outcome = run_case(case)[0]
    number, where = case.facts["number"], case.facts["where"]
    if where == "register":
        unusable = {u["row"] for u in json.loads(outcome.out)["unusable"]} if outcome.code == 0 else set()
        if outcome.code == 0 and case.facts["row"] not in unusable:
            report(f"register members {number!r} used as a number", outcome, case)
    elif outcome.code == 0 or number not in outcome.err:
        report(f"ambiguous {number!r} in the {where}: exit {outcome.code}, number not shown", outcome, case)


@fuzz_settings(0.15)
@given(s.large_cases("long" if PROFILE == "long" else "ci"))
def test_large_files(case):
    """Large valid files are read within the time and memory bounds."""
    run_case(case)

"""A budget history kept as a CSV table beside the budget file (``history: history.csv``).

One row per budget line, one column per year, as an economist exports it from Excel::

    section;line;source;2016;2017;2018;...
    revenue;land_tax;budget_reports;3 800,2;4 649,8;...
    expenditure;wages;budget_reports;...
    population;residents;nsc;51 200;52 100;...
    total;revenue;budget_reports;...

The separator is ``;`` (Excel in Russian), ``,`` or a tab; numbers may have spaces
between thousands and a decimal comma. Files saved by Excel in Windows-1251 are read as
such. A number that reads two ways ("5,575": five and a bit, or five thousand) is refused
with both readings unless the budget file declares ``decimal_mark``. Every problem names the
CSV file, its line and column, and the value; the rows become the ``years``, ``revenue``,
``expenditure``, ``totals`` and ``population.values`` of the budget file, which is then
checked as a whole.
"""

from __future__ import annotations

import dataclasses
import math
import os
from pathlib import Path

from okmo_models.budget.schema import EXPENDITURE_LINES, REVENUE_LINES
from okmo_models.csv_text import (
    control_character,
    read_csv_file,
)
from okmo_models.csv_text import column_letter as _column
from okmo_models.errors import Problem, ScenarioError
from okmo_models.provenance import InputFile, sha256_of
from okmo_models.units import DECIMAL_MARKS, UnitError, parse_number

SECTIONS = {"revenue": REVENUE_LINES, "expenditure": EXPENDITURE_LINES, "total": ("revenue", "expenditure"),
            "population": ("residents",)}
HEAD = ("section", "line", "source")
LARGEST = 1e15  # as the budget file's numbers: beyond it a typo or an overflow


def merge_history(budget_path: Path, data: dict, cells: dict | None = None,
                  inputs: list | None = None) -> dict:
    """``data`` with the history read from the CSV file it names (relative to the budget file).

    ``cells``, if given, receives where each merged value came from: ``{field path: (CSV
    file, cell)}``, for :func:`locate_in_history`; ``inputs``, if given, the table as an
    :class:`~okmo_models.provenance.InputFile`."""
    data = dict(data)
    name = data.pop("history")
    if not isinstance(name, str) or not name.strip():
        raise ScenarioError(budget_path, [Problem(path=("history",), key="text_expected", value=name)])
    from okmo_models.references import TABLE_SUFFIXES, resolve_reference

    path = resolve_reference(budget_path, name, ("history",), TABLE_SUFFIXES)  # inside the budget's folder
    mark = data.get("decimal_mark")  # an invalid one is named when the budget file is checked
    table = read_history(path, mark if mark in DECIMAL_MARKS else None)
    if cells is not None:
        cells.update({field: (path, cell) for field, cell in table["cells"].items()})
    if inputs is not None:
        # named as the budget file names it (the path checked and read is the resolved one)
        inputs.append(InputFile("history", Path(os.path.normpath(Path(budget_path).parent / name)), table["sha256"]))
    problems = []
    if "years" in data:
        problems.append(Problem(path=("years",), key="history_given_twice", value=name))
    data["years"] = table["years"]
    for field in ("revenue", "expenditure", "population"):  # merged into below: must be mappings
        if not isinstance(data.get(field) or {}, dict):
            raise ScenarioError(budget_path, [Problem(path=(field,), key="mapping_expected", value=data[field])])
    for section in ("revenue", "expenditure"):
        lines = dict(data.get(section) or {})
        for line, series in table[section].items():
            if line in lines:
                problems.append(Problem(path=(section, line), key="history_given_twice", value=name))
            lines[line] = series
        data[section] = lines
    if table["totals"]:
        if "totals" in data:
            problems.append(Problem(path=("totals",), key="history_given_twice", value=name))
        data["totals"] = table["totals"]
    if table["population"] is not None:
        population = dict(data.get("population") or {})
        if "values" in population:
            problems.append(Problem(path=("population", "values"), key="history_given_twice", value=name))
        population["values"] = table["population"][0]
        population.setdefault("source", table["population"][1])
        data["population"] = population
    if problems:
        raise ScenarioError(budget_path, problems)
    return data


def locate_in_history(exc: ScenarioError, cells: dict) -> ScenarioError:
    """``exc``, the budget file's problems found once the history was merged (a total that
    does not match its lines, an unknown source), as an error of the history table naming
    each value's CSV cell, when every problem lies in a value read from the table; else
    ``exc`` unchanged (a problem of the budget file itself is named at its own line).

    ``cells`` is what :func:`merge_history` filled in."""
    found = [(cells.get(tuple(p.path)), p) for p in exc.problems]
    files = {where[0] for where, _ in found if where is not None}
    if not found or any(where is None for where, _ in found) or len(files) != 1:
        return exc
    return ScenarioError(files.pop(), [dataclasses.replace(p, path=(cell,), line=None) for (_, cell), p in found])


def read_history(path: Path, decimal_mark: str | None = None) -> dict:
    """Parse the CSV table; raise :class:`ScenarioError` listing every bad cell.

    ``decimal_mark`` ("," or ".") is the budget file's: how "5,575" reads; without it such a
    number is refused with both readings."""
    rows, raw = read_csv_file(path)
    sha256 = sha256_of(raw)  # of the bytes read, for the result's provenance
    problems: list[Problem] = []
    # ids and numbers never hold control characters: named before anything echoes the cell
    for n, row in enumerate(rows, start=1):
        for k, cell in enumerate(row):
            code = control_character(cell)
            if code:
                problems.append(Problem(path=(f"{_column(k)}{n}",), key="csv_control_char", value=cell, line=n,
                                        context={"code": code}))
    if problems:
        raise ScenarioError(path, problems)
    if not rows or [c.strip().lower() for c in rows[0][:3]] != list(HEAD):
        raise ScenarioError(path, [Problem(path=("A1",), key="csv_header", value=";".join(rows[0][:3]) if rows else "",
                                           line=1)])
    years = []
    for k, cell in enumerate(rows[0][3:]):
        column = _column(k + 3)
        try:
            year = parse_number(cell, decimal_mark)
        except UnitError:
            year = None
        if year is None or not year.is_integer():  # "2016,5" is no year, 400 nines neither (infinite)
            problems.append(Problem(path=(f"{column}1",), key="csv_year", value=cell, line=1))
            continue
        year = int(year)
        if year in years:
            problems.append(Problem(path=(f"{column}1",), key="history_year_twice", value=year, line=1))
        years.append(year)
    if problems:  # without every year the columns below cannot be matched to years
        raise ScenarioError(path, problems)
    # field of the budget file -> CSV cell, to name the cell of a problem found later
    where_from: dict[tuple, str] = {("years", k): f"{_column(k + 3)}1" for k in range(len(years))}
    out = {"years": years, "revenue": {}, "expenditure": {}, "totals": {}, "population": None, "cells": where_from}
    seen = set()
    for n, row in enumerate(rows[1:], start=2):
        if not any(c.strip() for c in row):
            continue
        section, line, source = (c.strip() for c in (row + ["", "", ""])[:3])
        if section not in SECTIONS:
            problems.append(Problem(path=(f"A{n}",), key="csv_section", value=section, line=n,
                                    context={"known": ", ".join(SECTIONS)}))
            continue
        if line not in SECTIONS[section]:
            problems.append(Problem(path=(f"B{n}",), key="budget_line_unknown", value=line, line=n,
                                    context={"known": ", ".join(SECTIONS[section])}))
            continue
        if (section, line) in seen:
            problems.append(Problem(path=(f"B{n}",), key="csv_row_twice", value=line, line=n))
            continue
        seen.add((section, line))
        if not source:
            problems.append(Problem(path=(f"C{n}",), key="field_missing", line=n))
        values = []
        cells = row[3:]
        if len(cells) > len(years) and any(c.strip() for c in cells[len(years):]):
            problems.append(Problem(path=(f"{_column(3 + len(years))}{n}",), key="csv_extra_cell",
                                    value=cells[len(years)], line=n))
        for k, year in enumerate(years):
            cell = cells[k].strip() if k < len(cells) else ""
            where = (f"{_column(k + 3)}{n}",)
            if not cell:
                problems.append(Problem(path=where, key="csv_missing_value", line=n, context={"year": year}))
                continue
            try:
                value = parse_number(cell, decimal_mark)
            except UnitError as exc:
                # the decimal mark is declared in the budget file, not in this table
                key = "csv_ambiguous_number" if exc.key == "ambiguous_number" else exc.key
                problems.append(Problem(path=where, key=key, value=cell, line=n,
                                        context={k: v for k, v in exc.context.items() if k != "value"}))
                continue
            if not math.isfinite(value) or abs(value) > LARGEST:  # 400 nines: infinite as a float
                problems.append(Problem(path=where, key="number_not_plausible", value=cell, line=n))
                continue
            if value < 0 and line != "other_revenue":
                problems.append(Problem(path=where, key="history_negative", value=value, line=n,
                                        context={"year": year}))
            values.append(value)
        series = {"total": ("totals", line), "population": ("population", "values")}.get(section,
                                                                                         (section, line, "values"))
        where_from[series] = f"B{n}"
        where_from.update({(*series, k): f"{_column(k + 3)}{n}" for k in range(len(years))})
        if section in ("revenue", "expenditure"):
            where_from[(section, line, "source")] = f"C{n}"
        elif section == "total":
            where_from.setdefault(("totals", "source"), f"C{n}")
        if section in ("revenue", "expenditure"):
            out[section][line] = {"values": values, "source": source}
        elif section == "total":
            out["totals"][line] = values
            out["totals"].setdefault("source", source)
        else:
            out["population"] = (values, source)
    if problems:
        raise ScenarioError(path, problems)
    out["sha256"] = sha256
    return out

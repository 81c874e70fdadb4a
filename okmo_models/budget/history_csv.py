"""A budget history kept as a CSV table beside the budget file (``history: history.csv``).

One row per budget line, one column per year, as an economist exports it from Excel::

    section;line;source;2016;2017;2018;...
    revenue;land_tax;budget_reports;3 800,2;4 649,8;...
    expenditure;wages;budget_reports;...
    population;residents;nsc;51 200;52 100;...
    total;revenue;budget_reports;...

The separator is ``;`` (Excel in Russian), ``,`` or a tab; numbers may have spaces
between thousands and a decimal comma. Files saved by Excel in Windows-1251 are read as
such. Every problem names the CSV file, its line and column, and the value; the rows
become the ``years``, ``revenue``, ``expenditure``, ``totals`` and ``population.values``
of the budget file, which is then checked as a whole.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

from okmo_models.budget.schema import EXPENDITURE_LINES, REVENUE_LINES
from okmo_models.csv_text import column_letter as _column
from okmo_models.csv_text import decode_table, sniff_delimiter
from okmo_models.errors import Problem, ScenarioError
from okmo_models.units import UnitError, parse_number

SECTIONS = {"revenue": REVENUE_LINES, "expenditure": EXPENDITURE_LINES, "total": ("revenue", "expenditure"),
            "population": ("residents",)}
HEAD = ("section", "line", "source")


def merge_history(budget_path: Path, data: dict) -> dict:
    """``data`` with the history read from the CSV file it names (relative to the budget file)."""
    data = dict(data)
    name = data.pop("history")
    if not isinstance(name, str) or not name.strip():
        raise ScenarioError(budget_path, [Problem(path=("history",), key="text_expected", value=name)])
    path = (Path(budget_path).parent / name).resolve()
    table = read_history(path)
    problems = []
    if "years" in data:
        problems.append(Problem(path=("years",), key="history_given_twice", value=name))
    data["years"] = table["years"]
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


def read_history(path: Path) -> dict:
    """Parse the CSV table; raise :class:`ScenarioError` listing every bad cell."""
    try:
        raw = Path(path).read_bytes()
    except FileNotFoundError:
        raise ScenarioError(path, [Problem(key="file_not_found", value=str(path))]) from None
    except OSError as exc:
        raise ScenarioError(path, [Problem(key="file_unreadable", context={"detail": exc.strerror or exc})]) from None
    text, _ = decode_table(raw)  # Excel's "CSV" in Russian Windows is cp1251; line ids are Latin anyway
    first = text.splitlines()[0] if text.strip() else ""
    delimiter = sniff_delimiter(first)
    rows = list(csv.reader(io.StringIO(text), delimiter=delimiter))
    problems: list[Problem] = []
    if not rows or [c.strip().lower() for c in rows[0][:3]] != list(HEAD):
        raise ScenarioError(path, [Problem(path=("A1",), key="csv_header", value=";".join(rows[0][:3]) if rows else "",
                                           line=1)])
    years = []
    for k, cell in enumerate(rows[0][3:]):
        column = _column(k + 3)
        try:
            year = int(parse_number(cell))
        except UnitError:
            problems.append(Problem(path=(f"{column}1",), key="csv_year", value=cell, line=1))
            continue
        if year in years:
            problems.append(Problem(path=(f"{column}1",), key="history_year_twice", value=year, line=1))
        years.append(year)
    out = {"years": years, "revenue": {}, "expenditure": {}, "totals": {}, "population": None}
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
                value = parse_number(cell)
            except UnitError as exc:
                problems.append(Problem(path=where, key=exc.key, value=cell, line=n))
                continue
            if value < 0 and line != "other_revenue":
                problems.append(Problem(path=where, key="history_negative", value=value, line=n,
                                        context={"year": year}))
            values.append(value)
        if section in ("revenue", "expenditure"):
            out[section][line] = {"values": values, "source": source}
        elif section == "total":
            out["totals"][line] = values
            out["totals"].setdefault("source", source)
        else:
            out["population"] = (values, source)
    if problems:
        raise ScenarioError(path, problems)
    return out

"""The two tables the economist fills in each month: actuals and instructions (docs/monitoring.md).

Each is read from a CSV file (``;``, ``,`` or tab; UTF-8 or Windows-1251; numbers as
``1 234 567,8``) or from a workbook (.xlsx, sheet ``actuals``/``факт``/``факты``/``fact`` or
``instructions``/``поручения``/``тапшырмалар``; the header in row 1). This module reads
syntax only: it knows no indicator ids and no units; the monitoring model checks those and
names the cell of each problem through :meth:`ActualRow.where` / :meth:`ActualRow.problem`.

Every problem names the file and the cell (``B7`` of a CSV table is its line 7, column B;
``actuals!B7`` in a workbook) and the value, in words: a column is named with what it holds,
never by its English header alone. Nothing is returned unless the whole table reads cleanly.

Public API::

    read_actuals(path, year, decimal_mark=None) -> ActualsTable
    read_instructions(path, decimal_mark=None) -> InstructionsTable
    ActualsTable(file, sheet, input, year, period_kind, periods, rows)  .row(indicator)
    ActualRow(indicator, unit, values, reason, name, line, cells)  .where(column) .problem(column, key, ...)
    InstructionsTable(file, sheet, input, instructions)
    Instruction(id, task, responsible, issued, due, status, done_on, reason, decision, line, cells)
    table.error(problems) -> ScenarioError of the table's file
    status_code(word) -> "done" | "in_progress" | "not_done" | "cancelled" | None;  status_words(lang)
"""

from __future__ import annotations

import datetime as dt
import io
import math
import re
import warnings
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType

from okmo_models.csv_text import (
    control_character,
    read_csv_file,
)
from okmo_models.csv_text import column_letter as _letter
from okmo_models.errors import CONTROL, Problem, ScenarioError
from okmo_models.i18n import LANGUAGES, t
from okmo_models.workbook_reading import Book, read_package
from okmo_models.provenance import InputFile, sha256_of
from okmo_models.units import DECIMAL_MARKS, UnitError, parse_number

SUFFIXES = (".csv", ".xlsx")
ACTUALS_SHEETS = ("actuals", "факт", "факты", "fact")
INSTRUCTIONS_SHEETS = ("instructions", "поручения", "тапшырмалар")
ACTUALS_HEAD = ("indicator", "unit", "name", "reason")  # and the period columns
ACTUALS_REQUIRED = ("indicator", "unit")
INSTRUCTIONS_HEAD = ("id", "task", "responsible", "issued", "due", "status", "done_on", "reason", "decision")
INSTRUCTIONS_REQUIRED = ("id", "task", "responsible", "issued", "due", "status")
STATUSES = ("done", "in_progress", "not_done", "cancelled")
# The headings a column may be written with besides its code: its words in ru, ky and en
# (locales/monitoring_tables.yaml, ``mtab_head_<code>``), so a template in Russian says
# «показатель», not «indicator». Compared in lower case, "ё" as "е".
HEADINGS = MappingProxyType({
    t(f"mtab_head_{code}", lang).lower().replace("ё", "е"): code
    for code in dict.fromkeys(ACTUALS_HEAD + INSTRUCTIONS_HEAD) for lang in LANGUAGES
})
# The words a status may be written in (docs/monitoring.md), compared in lower case with
# single spaces; the first of each language is what the template's drop-down offers.
STATUS_WORDS = MappingProxyType({
    "ru": {"done": ("выполнено", "выполнено.", "исполнено"), "in_progress": ("в работе", "на исполнении"),
           "not_done": ("не выполнено", "не исполнено"),
           "cancelled": ("отменено",)},
    "ky": {"done": ("аткарылды",), "in_progress": ("аткарылууда",), "not_done": ("аткарылган жок",),
           "cancelled": ("жокко чыгарылды",)},
    "en": {"done": ("done",), "in_progress": ("in progress", "in_progress", "in-progress"),
           "not_done": ("not done", "not_done", "not-done"), "cancelled": ("cancelled", "canceled")},
})
LARGEST = 1e15  # as the plan files' numbers: beyond it a typo or an overflow
_MONTH = re.compile(r"^(\d{4})-(\d{1,2})$")
_QUARTER = re.compile(r"^(\d{4})[-\s]*[QqКк]([1-4])$")  # 2027-Q1, and 2027-К1 as typed in Russian
_ISO_DATE = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})$")
_DOT_DATE = re.compile(r"^(\d{1,2})\.(\d{1,2})\.(\d{4})$")
_LITERAL = re.compile(r'"[^"]*"|\\.|_.|\*.|\[[^\]]*\]')  # parts of a number format shown as written


# --- where a row's cells are --------------------------------------------------------------

@dataclass(frozen=True)
class _Located:
    """A row of a table and the cells of its columns."""

    line: int  # the CSV file's line, or the sheet's row
    cells: dict  # column name ("indicator", "2027-03") -> "B7" or "actuals!B7"

    def where(self, column: str | None = None) -> tuple:
        """The :class:`~okmo_models.errors.Problem` path naming this row's cell of ``column``
        (a header name such as ``"unit"``, or a period such as ``"2027-03"``): ``("B7",)``
        in a CSV table (its line 7, column B), ``("actuals!B7",)`` in a workbook. A column the
        table does not have (or None) names the row's id cell (``indicator`` or ``id``)."""
        cell = self.cells.get(column) if column is not None else None
        cell = cell or self.cells.get("indicator") or self.cells.get("id") or next(iter(self.cells.values()))
        return (cell,)

    def problem(self, column: str | None, key: str, value=None, **context) -> Problem:
        """A problem about this row's cell of ``column``, rendered like this module's own
        (``table.error([row.problem("indicator", "my_key", row.indicator)])``)."""
        return Problem(path=self.where(column), key=key, value=value, context=context, line=self.line)


@dataclass(frozen=True)
class ActualRow(_Located):
    """One indicator's row: its id and unit as written, the values of the periods filled
    (``{"2027-01": 398517.0, ...}``, in period order), the reason if given and the name
    column's label (ignored by the model)."""

    indicator: str = ""
    unit: str = ""
    values: dict = field(default_factory=dict)
    reason: str | None = None
    name: str | None = None


@dataclass(frozen=True)
class Instruction(_Located):
    """One instruction (поручение); ``status`` is one of :data:`STATUSES` whatever words the
    table used."""

    id: str = ""
    task: str = ""
    responsible: str = ""
    issued: dt.date | None = None
    due: dt.date | None = None
    status: str = ""
    done_on: dt.date | None = None
    reason: str | None = None
    decision: str | None = None


@dataclass(frozen=True)
class _Table:
    file: Path
    sheet: str | None  # the sheet read, or None for a CSV table
    input: InputFile  # the file with the SHA-256 of the bytes read, for the result's provenance

    def error(self, problems: list[Problem]) -> ScenarioError:
        """The problems (from the rows' :meth:`~_Located.problem`) as an error of this file."""
        return ScenarioError(self.file, problems)


@dataclass(frozen=True)
class ActualsTable(_Table):
    """The actuals table: ``period_kind`` is ``"month"`` or ``"quarter"``; ``periods`` the
    period columns in order (``("2027-01", ..., "2027-09")``, normalised); ``rows`` in the
    file's order (empty rows skipped)."""

    year: int = 0
    period_kind: str = "month"
    periods: tuple[str, ...] = ()
    rows: tuple[ActualRow, ...] = ()

    def row(self, indicator: str) -> ActualRow | None:
        return next((r for r in self.rows if r.indicator == indicator), None)


@dataclass(frozen=True)
class InstructionsTable(_Table):
    instructions: tuple[Instruction, ...] = ()


# --- reading cells from either kind of file -----------------------------------------------

class _Bad(Exception):
    def __init__(self, key: str, value=None, **context):
        super().__init__(key)
        self.key, self.value, self.context = key, value, context


@dataclass
class _Sheet:
    """The cells of a CSV table or a worksheet that hold something: ``rows[r][c]`` (both
    from 1), text stripped; ``bad`` the cells that cannot be read at all (an Excel error, a
    formula never computed), ``formats`` the number format of a workbook's number cells."""

    file: Path
    sheet: str | None
    rows: dict
    raw: bytes
    bad: dict = field(default_factory=dict)
    formats: dict = field(default_factory=dict)

    def ref(self, row: int, col: int) -> str:
        cell = f"{_letter(col - 1)}{row}"
        return f"{self.sheet}!{cell}" if self.sheet is not None else cell

    def problem(self, row: int, col: int, key: str, value=None, **context) -> Problem:
        return Problem(path=(self.ref(row, col),), key=key, value=value, context=context,
                       line=row if self.sheet is None else None)

    def value(self, row: int, col: int):
        if (row, col) in self.bad:
            key, value = self.bad[row, col]
            raise _Bad(key, value)
        return self.rows.get(row, {}).get(col)


def _column_order(problem: Problem) -> tuple[int, str]:
    """A row's problems from left to right: by the column letters of their cell."""
    letters = re.match(r"[A-Z]+", str(problem.path[0]).rpartition("!")[2]).group()
    return len(letters), letters


def _refuse(path, key: str, value=None, **context):
    raise ScenarioError(path, [Problem(key=key, value=value, context=context)])


def _open(path: Path, sheets: tuple[str, ...], what: str) -> _Sheet:
    suffix = path.suffix.lower()
    if suffix not in SUFFIXES:
        _refuse(path, "mtab_extension", path.name, what=_what(what))
    if suffix == ".csv":
        return _csv(path)
    raw = read_package(path)  # a workbook Excel could have saved, within limits; else named
    from openpyxl import load_workbook

    try:
        with warnings.catch_warnings():  # openpyxl warns in English about parts it skips
            warnings.simplefilter("ignore")
            book = Book(path, load_workbook(io.BytesIO(raw), read_only=True, data_only=True))
    except Exception:  # noqa: BLE001 - openpyxl raises many kinds for a broken part
        _refuse(path, "xl_unreadable")
    try:
        found = [s for s in book.sheetnames if s.strip().lower() in sheets]
        if not found:
            _refuse(path, "mtab_no_sheet", what=_what(what), expected=", ".join(f"«{s}»" for s in sheets),
                    sheets=", ".join(f"«{s}»" for s in book.sheetnames))
        if len(found) > 1:
            _refuse(path, "mtab_two_sheets", what=_what(what), sheets=", ".join(f"«{s}»" for s in found))
        return _grid(path, book, found[0], raw)
    finally:
        book.close()


def _what(what: str) -> dict:

    return {lang: t(f"mtab_table_{what}", lang) for lang in LANGUAGES}


def _csv(path: Path) -> _Sheet:
    rows, raw = read_csv_file(path)
    sheet = _Sheet(path, None, {}, raw)
    for n, row in enumerate(rows, start=1):
        cells = {k: cell.strip() for k, cell in enumerate(row, start=1) if cell.strip()}
        if cells:
            sheet.rows[n] = cells
    return sheet


def _grid(path: Path, book: Book, title: str, raw: bytes) -> _Sheet:
    grid = book.sheet(title)  # refuses a value beyond the sheet's limits by its cell
    sheet = _Sheet(path, title, {}, raw)
    for r in grid.rows_from(1):
        cells = {}
        for c in grid.columns_in(r):
            cell = grid.cell(r, c)
            value = cell.value
            if cell.data_type == "e":
                sheet.bad[r, c] = ("xl_error_value", value)
                cells[c] = value
                continue
            if value is None:
                formula = grid.formula(r, c)
                if formula and formula.startswith("="):
                    sheet.bad[r, c] = ("xl_formula_without_value", formula)
                    cells[c] = formula
                continue
            if isinstance(value, str):
                value = value.strip()
                if not value:
                    continue
            elif isinstance(value, (int, float)) and not isinstance(value, bool):
                sheet.formats[r, c] = cell.number_format
            cells[c] = value
        if cells:
            sheet.rows[r] = cells
    return sheet


def _text(value) -> str:
    """A cell as text: 12.0 as "12", a date as 2027-08-31."""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, dt.datetime) and value.time() == dt.time():
        return value.date().isoformat()
    if isinstance(value, (dt.date, dt.time)):
        return value.isoformat()
    return str(value)


def _control(sheet: _Sheet) -> list[Problem]:
    """Cells holding a control character: named before anything echoes them."""
    problems = []
    for r, cells in sheet.rows.items():
        for c, value in cells.items():
            if isinstance(value, str):
                code = control_character(value) if sheet.sheet is None else _excel_control(value)
                if code:
                    problems.append(sheet.problem(r, c, "csv_control_char", value, code=code))
    return problems


def _excel_control(text: str) -> str | None:
    found = CONTROL.search(text)  # a line break typed with Alt+Enter is allowed in a workbook's text
    return None if found is None else f"0x{ord(found.group()):02X}"


def _header(sheet: _Sheet, known: tuple[str, ...], required: tuple[str, ...], periods: bool,
            problems: list[Problem]) -> dict:
    """``{column name: column}`` from row 1 (a period column under its own heading text)."""
    head = sheet.rows.get(1)
    if not head:
        raise ScenarioError(sheet.file, [sheet.problem(1, 1, "mtab_header_empty",
                                                       expected=", ".join(known[:2] if periods else required))])
    columns: dict = {}
    for c, value in sorted(head.items()):
        if (1, c) in sheet.bad:
            key, bad = sheet.bad[1, c]
            problems.append(sheet.problem(1, c, key, bad))
            continue
        name = _text(value).strip().lower()
        name = HEADINGS.get(name.replace("ё", "е"), name)  # a heading in the reader's words
        if periods and (isinstance(value, (dt.date, dt.datetime)) or name[:1].isdigit()):
            columns.setdefault(("period", c), value)
            continue
        if name not in known:
            problems.append(sheet.problem(1, c, "mtab_header_unknown", _text(value),
                                          expected=_in_words(known, periods)))
            continue
        if name in columns:
            problems.append(sheet.problem(1, c, "mtab_header_twice", _text(value),
                                          first=sheet.ref(1, columns[name]), **_column(name)))
            continue
        columns[name] = c
    last = max(head)
    for name in required:
        if name not in columns:
            problems.append(sheet.problem(1, last + 1, "mtab_column_missing", name,
                                          expected=_in_words(required), **_column(name)))
    # a value in a column without a heading would be lost without a word
    for r, cells in sheet.rows.items():
        if r == 1:
            continue
        for c in cells:
            if c not in head:
                problems.append(sheet.problem(r, c, "mtab_no_heading", _text(cells[c])))
                break
    return columns


def _column(name: str) -> dict:
    """The context naming a column by its heading in the reader's language, as the template
    writes it: ``{"column": {"ru": "«единица»", ...}, "meaning": {ru, ky, en}}``."""

    return {"column": {lang: f"«{t(f'mtab_head_{name}', lang)}»" for lang in LANGUAGES},
            "meaning": {lang: t(f"mtab_column_{name}", lang) for lang in LANGUAGES}}


def _in_words(names: tuple[str, ...], periods: bool = False) -> dict:
    """Column headings each with what it holds, in every language: «unit» (единица измерения…)."""

    return {lang: ", ".join(f"«{t(f'mtab_head_{k}', lang)}» ({t(f'mtab_column_{k}', lang)})" for k in names)
            + (", " + t("mtab_column_periods", lang) if periods else "") for lang in LANGUAGES}


def _period(value, year: int) -> tuple[str, str]:
    """``(kind, period)`` of a period heading; raises _Bad."""
    if isinstance(value, (dt.date, dt.datetime)):
        # Excel makes a date of "2027-01" typed into a cell: the first of the month
        if value.day == 1 and (not isinstance(value, dt.datetime) or value.time() == dt.time()):
            found = ("month", value.year, value.month)
        else:
            raise _Bad("mtab_period_bad", _text(value))
    else:
        text = _text(value).strip()
        m, q = _MONTH.match(text), _QUARTER.match(text)
        # a month Excel turned into a date and saved so in a CSV: 01.01.2027, 2027-01-01
        d = _DOT_DATE.match(text) or _ISO_DATE.match(text)
        if m and 1 <= int(m.group(2)) <= 12:
            found = ("month", int(m.group(1)), int(m.group(2)))
        elif d and d.re is _DOT_DATE and int(d.group(1)) == 1 and 1 <= int(d.group(2)) <= 12:
            found = ("month", int(d.group(3)), int(d.group(2)))
        elif d and d.re is _ISO_DATE and int(d.group(3)) == 1 and 1 <= int(d.group(2)) <= 12:
            found = ("month", int(d.group(1)), int(d.group(2)))
        elif q:
            found = ("quarter", int(q.group(1)), int(q.group(2)))
        else:
            raise _Bad("mtab_period_bad", text)
    kind, y, n = found
    text = f"{y}-{n:02d}" if kind == "month" else f"{y}-Q{n}"
    if y != year:
        raise _Bad("mtab_period_year", text, year=year)
    return kind, text


def _periods(sheet: _Sheet, columns: dict, year: int, problems: list[Problem]) -> tuple[str, list]:
    """The period kind and ``[(period, column)]`` in order, checked: one kind, of ``year``,
    from the first period of the year with none left out or repeated."""
    found = []
    for key, value in columns.items():
        if isinstance(key, tuple):
            try:
                found.append((*_period(value, year), key[1]))
            except _Bad as bad:
                problems.append(sheet.problem(1, key[1], bad.key, bad.value, **bad.context))
    if not found:
        if not problems:
            problems.append(sheet.problem(1, max(sheet.rows[1]) + 1, "mtab_no_periods", year=year))
        return "month", []
    kind = found[0][0]
    out = []
    in_order = True  # the first column out of place is named; the ones after it follow from it
    for k, period, c in found:
        if k != kind:
            problems.append(sheet.problem(1, c, "mtab_period_mixed", period, first=found[0][1]))
            continue
        expected = _nth(kind, year, len(out))
        if period in [p for p, _ in out]:
            problems.append(sheet.problem(1, c, "mtab_period_twice", period))
            continue
        if period != expected and in_order:
            problems.append(sheet.problem(1, c, "mtab_period_order", period, expected=expected))
            in_order = False
        out.append((period, c))
    return kind, out


def _nth(kind: str, year: int, n: int) -> str:
    return f"{year}-{n + 1:02d}" if kind == "month" else f"{year}-Q{n + 1}"


def _number(sheet: _Sheet, r: int, c: int, value, decimal_mark: str | None, unit: str) -> float:
    """A period's value; raises _Bad."""
    if isinstance(value, bool):
        raise _Bad("mtab_not_a_number", _text(value))
    if isinstance(value, (dt.date, dt.datetime, dt.time, dt.timedelta)):
        raise _Bad("xl_date_not_number", _text(value))
    if isinstance(value, (int, float)):
        number = float(value)
        form = _LITERAL.sub("", sheet.formats.get((r, c)) or "General").split(";")[0]
        if "%" in form:  # 0.7 shown as 70 %: only a row in per cent reads it as shown
            if unit.strip().lower() in ("%", "percent"):
                number = number * 100
            else:
                raise _Bad("mtab_percent_cell", f"{_plain(number * 100)}%", first=_plain(number),
                           second=_plain(number * 100), unit=unit)
        elif re.search(r"[0#?],(?![0#?,])", form):  # "#,##0," shows a thousandth of the number
            raise _Bad("mtab_scaled_cell", _plain(number), format=sheet.formats.get((r, c)))
    else:
        text = _text(value)
        try:
            number = parse_number(text, decimal_mark)
        except UnitError as exc:
            key = {"ambiguous_number": "mtab_ambiguous_number"}.get(exc.key, exc.key)
            key = "mtab_not_a_number" if key == "not_a_number" else key
            raise _Bad(key, text, **{k: v for k, v in exc.context.items() if k != "value"}) from None
    if not math.isfinite(number) or abs(number) > LARGEST:
        raise _Bad("number_not_plausible", _text(value))
    return number


def _plain(x: float) -> str:
    return f"{x:.15g}"


def _start(path, decimal_mark) -> Path:
    path = Path(path)
    if decimal_mark is not None and decimal_mark not in DECIMAL_MARKS:
        raise ValueError(f"decimal_mark must be one of {DECIMAL_MARKS}")
    return path


# --- the actuals table --------------------------------------------------------------------

def read_actuals(path: str | Path, year: int, decimal_mark: str | None = None) -> ActualsTable:
    """The actuals table at ``path`` (.csv or .xlsx) for the plan year ``year``.

    ``decimal_mark`` ("," or ".") is the monitoring file's: how "5,575" reads; without it
    such a number is refused with both readings. Raises :class:`ScenarioError` listing every
    problem, each at its cell."""
    path = _start(path, decimal_mark)
    sheet = _open(path, ACTUALS_SHEETS, "actuals")
    problems = _control(sheet)
    if problems:
        raise ScenarioError(path, problems)
    columns = _header(sheet, ACTUALS_HEAD, ACTUALS_REQUIRED, True, problems)
    kind, periods = _periods(sheet, columns, year, problems)
    if problems:  # without every column the cells below cannot be read as what they are
        raise ScenarioError(path, problems)
    named = {name: c for name, c in columns.items() if isinstance(name, str)}
    rows: list[ActualRow] = []
    first_line: dict[str, int] = {}
    for r in sorted(sheet.rows):
        if r == 1:
            continue
        cells = {name: sheet.ref(r, c) for name, c in named.items()}
        cells.update({p: sheet.ref(r, c) for p, c in periods})
        row_problems: list[Problem] = []

        def text(name, r=r, row_problems=row_problems):
            if name not in named:
                return None
            try:
                value = sheet.value(r, named[name])
            except _Bad as bad:
                row_problems.append(sheet.problem(r, named[name], bad.key, bad.value, **bad.context))
                return None
            return None if value is None else _text(value).strip() or None

        indicator, unit = text("indicator"), text("unit")
        reason, name = text("reason"), text("name")
        if indicator is None:
            if not any((r, named["indicator"]) == k for k in sheet.bad):
                row_problems.append(sheet.problem(r, named["indicator"], "mtab_indicator_missing"))
        elif indicator in first_line:
            row_problems.append(sheet.problem(r, named["indicator"], "mtab_indicator_twice", indicator,
                                              first=first_line[indicator]))
        else:
            first_line[indicator] = r
        values: dict[str, float] = {}
        empty = None  # the first period left empty
        for period, c in periods:
            try:
                value = sheet.value(r, c)
                if value is None:
                    empty = empty or period
                    continue
                number = _number(sheet, r, c, value, decimal_mark, unit or "")
            except _Bad as bad:
                row_problems.append(sheet.problem(r, c, bad.key, bad.value, period=period, **bad.context))
                continue
            if empty is not None:
                row_problems.append(sheet.problem(r, c, "mtab_gap", _text(value), period=period, empty=empty))
                continue
            values[period] = number
        if unit is None and "unit" in named and (r, named["unit"]) not in sheet.bad:
            row_problems.append(sheet.problem(r, named["unit"], "mtab_unit_missing", None,
                                              indicator=indicator or ""))
        problems.extend(sorted(row_problems, key=_column_order))
        if not row_problems:
            rows.append(ActualRow(line=r, cells=cells, indicator=indicator, unit=unit, values=values,
                                  reason=reason, name=name))
    if problems:
        raise ScenarioError(path, problems)
    return ActualsTable(file=path, sheet=sheet.sheet, input=InputFile("actuals", path, sha256_of(sheet.raw)),
                        year=year, period_kind=kind, periods=tuple(p for p, _ in periods), rows=tuple(rows))


# --- the instructions table ---------------------------------------------------------------

def status_code(word) -> str | None:
    """The status (one of :data:`STATUSES`) a word stands for in any language, or None.

    >>> status_code("В работе"), status_code("аткарылган  жок"), status_code("not_done")
    ('in_progress', 'not_done', 'not_done')
    """
    text = " ".join(str(word).lower().replace("ё", "е").split())
    for words in STATUS_WORDS.values():
        for code, spellings in words.items():
            if text in spellings:
                return code
    return None


def status_words(lang: str) -> list[str]:
    """The statuses as the template's drop-down offers them to a reader of ``lang``."""
    words = STATUS_WORDS.get(lang, STATUS_WORDS["ru"])
    return [words[code][0] for code in STATUSES]


def _date(value) -> dt.date:
    """A date from a cell: an Excel date, 2027-08-31 or 31.08.2027; raises _Bad."""
    if isinstance(value, dt.datetime):
        if value.time() != dt.time():
            raise _Bad("mtab_date_bad", _text(value))
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        raise _Bad("mtab_date_number", _text(value))  # a date cell formatted as a number
    text = _text(value).strip()
    m = _ISO_DATE.match(text)
    d = _DOT_DATE.match(text)
    try:
        if m:
            return dt.date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
        if d:
            return dt.date(int(d.group(3)), int(d.group(2)), int(d.group(1)))
    except ValueError:
        raise _Bad("mtab_date_impossible", text) from None
    raise _Bad("mtab_date_bad", text)


def read_instructions(path: str | Path, decimal_mark: str | None = None) -> InstructionsTable:
    """The instructions table at ``path`` (.csv or .xlsx). ``decimal_mark`` is accepted for
    symmetry with :func:`read_actuals` (the table holds no numbers to read). Raises
    :class:`ScenarioError` listing every problem, each at its cell."""
    path = _start(path, decimal_mark)
    sheet = _open(path, INSTRUCTIONS_SHEETS, "instructions")
    problems = _control(sheet)
    if problems:
        raise ScenarioError(path, problems)
    named = _header(sheet, INSTRUCTIONS_HEAD, INSTRUCTIONS_REQUIRED, False, problems)
    if problems:
        raise ScenarioError(path, problems)
    out: list[Instruction] = []
    first_line: dict[str, int] = {}
    for r in sorted(sheet.rows):
        if r == 1:
            continue
        cells = {name: sheet.ref(r, c) for name, c in named.items()}
        row_problems: list[Problem] = []

        def bad(name, key, value=None, r=r, row_problems=row_problems, **context):
            row_problems.append(sheet.problem(r, named.get(name, named["status"]), key, value, **context))

        def cell(name, r=r, row_problems=row_problems):
            if name not in named:
                return None
            try:
                return sheet.value(r, named[name])
            except _Bad as exc:
                row_problems.append(sheet.problem(r, named[name], exc.key, exc.value, **exc.context))
                return _BAD

        def text(name):
            value = cell(name)
            return value if value is _BAD else (None if value is None else _text(value).strip() or None)

        def date(name, required):
            value = cell(name)
            if value is _BAD:
                return _BAD
            if value is None:
                if required:
                    bad(name, "mtab_cell_missing", **_column(name))
                return None
            try:
                return _date(value)
            except _Bad as exc:
                bad(name, exc.key, exc.value, **_column(name), **exc.context)
                return _BAD

        ident, task, responsible = text("id"), text("task"), text("responsible")
        for name, value in (("id", ident), ("task", task), ("responsible", responsible)):
            if value is None:
                bad(name, "mtab_cell_missing", **_column(name))
        if isinstance(ident, str):
            if ident in first_line:
                bad("id", "mtab_id_twice", ident, first=first_line[ident])
            else:
                first_line[ident] = r
        issued, due, done_on = date("issued", True), date("due", True), date("done_on", False)
        word = text("status")
        status = None
        if word is None:
            bad("status", "mtab_cell_missing", **_column("status"))
        elif word is not _BAD:
            status = status_code(word)
            if status is None:
                bad("status", "mtab_status_bad", word, expected=_status_list())
        if isinstance(issued, dt.date) and isinstance(due, dt.date) and due < issued:
            bad("due", "mtab_due_before_issued", due, issued=issued)
        if status == "done" and done_on is None:
            bad("done_on", "mtab_done_on_missing", None, status=word)
        if status is not None and status != "done" and isinstance(done_on, dt.date):
            bad("done_on", "mtab_done_on_not_done", done_on, status=word)
        if status == "done" and isinstance(done_on, dt.date) and isinstance(issued, dt.date) and done_on < issued:
            bad("done_on", "mtab_done_before_issued", done_on, issued=issued)
        problems.extend(sorted(row_problems, key=_column_order))
        if not row_problems:
            out.append(Instruction(line=r, cells=cells, id=ident, task=task, responsible=responsible,
                                   issued=issued, due=due, status=status, done_on=done_on,
                                   reason=text("reason"), decision=text("decision")))
    if problems:
        raise ScenarioError(path, problems)
    return InstructionsTable(file=path, sheet=sheet.sheet, input=InputFile("instructions", path, sha256_of(sheet.raw)),
                             instructions=tuple(out))


_BAD = object()


def _status_list() -> dict:

    return {lang: ", ".join(f"«{w}»" for w in status_words(lang)) for lang in LANGUAGES}

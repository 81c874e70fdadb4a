"""Reading a filled Excel template back into a scenario file.

Every value is read from the place the layout gives it; every problem names the sheet,
the cell and the value. The scenario is then validated exactly as a YAML file would be,
and each problem found there is traced back to the cell it came from. Nothing is written
unless the whole workbook reads cleanly. The file is opened by
:mod:`okmo_models.workbook_reading`: only a workbook Excel could have saved, within stated
limits, and only the cells that hold something are looked at.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from pathlib import Path

import yaml

from okmo_models.version import __version__
from okmo_models.errors import Problem, ScenarioError
from okmo_models.excel.choices import choice_code, choice_label, choice_labels, key_codes, text_codes, unit_code, unit_codes
from okmo_models.excel.formats import is_percent, plain, scale, shift
from okmo_models.excel.handles import Handles
from okmo_models.excel.layout import Input, Section, layout
from okmo_models.workbook_reading import Book, Grid, open_book
from okmo_models.excel.sheets import (
    KEY,
    KEY2,
    NUMBER,
    PARENT,
    RECORD_FIRST_ROW,
    RECORD_VALUE_COLUMN,
    TABLE_FIRST_ROW,
    TABLE_KEY_ROW,
    TABLE_LABEL_ROW,
    Column,
    MISSING,
    VALUE,
    column_by_key,
    element_of,
    get,
    input_key,
    year_column_of,
)
from okmo_models.kinds import KINDS
from okmo_models.excel.template import (
    EMPTY_LIST,
    LISTS_SHEET,
    META_SHEET,
    computed_label,
    input_label,
    key_label,
    parent_label,
)
from okmo_models.units import UnitError, parse_number

_YES = {"да", "ооба", "yes", "true", "истина", "1", "y", "д"}
_NO = {"нет", "жок", "no", "false", "ложь", "0", "n", "н"}


# Kinds whose refused choices list the allowed values as the workbook's words (the older kinds
# still list the codes, as their tests expect).
ALLOWED_AS_WORDS = ("passport", "economic_base")


class _Bad(Exception):
    def __init__(self, key: str, value=None, **context):
        super().__init__(key)
        self.key, self.value, self.context = key, value, context


@dataclass(frozen=True)
class _Percent:
    """A value the economist saw as a percentage: a number in a cell formatted as a
    percentage (0.7 shown as 70%), or text such as '70%'. ``shown`` is 70."""

    shown: float

    def __str__(self) -> str:
        return f"{plain(self.shown)}%"


def read_workbook(path: str | Path, lang: str | None = None) -> tuple[str, dict, list[str]]:
    """``(kind, data, warnings)`` of a filled template, validated; raises
    :class:`ScenarioError` naming sheet and cell for every problem."""
    path = Path(path)
    book = open_book(path)
    try:
        reader = _Reader(path, book, lang)
        kind, data = reader.read()
    finally:
        book.close()
    problems = list(reader.problems)
    try:
        _validate(kind, data, path)
    except ScenarioError as exc:
        reported = {p.path for p in problems}
        for p in exc.problems:
            q = reader.locate(p)
            if q.key == "value_not_allowed" and tuple(p.path) in reader.choices and kind in ALLOWED_AS_WORDS:
                # the allowed values as the workbook offers them (words, not codes)
                section, key, codes = reader.choices[tuple(p.path)]
                words = choice_labels(section, key, tuple(codes), lang)
                q = Problem(path=q.path, key=q.key, context={**q.context, "expected": ", ".join(
                    f"'{w}'" for w in words)},
                            value=p.path[-2] if p.path and p.path[-1] == "[key]" else q.value)
            elif "known" in q.context and tuple(p.path) in reader.choices and kind in ALLOWED_AS_WORDS:
                # codes a whole-file check lists (the land categories counted), as words
                section, key, _ = reader.choices[tuple(p.path)]
                words = ", ".join(str(choice_label(section, key, c, lang)) for c in str(q.context["known"]).split(", "))
                context = {**q.context, "known": words}
                if "base" in context:  # what the term is reckoned on (land, livestock...)
                    context["base"] = choice_label(section, "base", context["base"], lang)
                q = Problem(path=q.path, key=q.key, value=choice_label(section, key, q.value, lang), context=context)
            if "known" in q.context:  # the ids a check lists, by the names the workbook shows
                q = Problem(path=q.path, key=q.key, value=q.value,
                            context={**q.context, "known": reader.handles.readable(q.context["known"])})
            # a cell already explained is not explained twice, nor is the record around it
            # ("no amount given" after "this amount is not a number")
            if q.path in reported or any(bad[:len(p.path)] == tuple(p.path) for bad in reader.bad_paths):
                continue
            if any(tuple(p.path)[:len(part)] == part for part in reader.unread):  # nor what was not read
                continue
            problems.append(q)
            reported.add(q.path)
    if problems:
        raise ScenarioError(path, problems)
    return kind, data, reader.warnings


def _validate(kind: str, data: dict, path: Path):
    return KINDS[kind].validate(data, path)


class _Reader:
    """Reads a :class:`Book` sheet by sheet; each sheet is a :class:`Grid` of the cells that
    hold a value (as Excel last computed it) or a formula, to tell an empty cell from a
    formula never computed (a workbook written by a program, not saved in Excel)."""

    def __init__(self, path: Path, book: Book, lang: str | None = None):
        self.path, self.wb, self.lang = path, book, lang
        self.problems: list[Problem] = []
        self.warnings: list[str] = []
        self.cells: dict[tuple, str] = {}  # data path -> "Sheet!E7"
        self.bad_paths: set[tuple] = set()  # data paths whose cells could not be read
        self.unread: set[tuple] = set()  # data paths read in part only (a year column refused)
        self.titles: dict[str, str] = {}  # section -> its sheet's title (from the _okmo sheet)
        self.refs: dict[str, dict] = {}  # section -> how child rows name an item -> its data path
        self.lists = LISTS_SHEET  # the drop-downs' sheet, named in the workbook's language
        self.handles = Handles()  # the names the workbook shows for ids (from the _okmo sheet)
        self.choices: dict[tuple, tuple] = {}  # data path -> (section, input key, codes) of a choice

    # --- the whole workbook -------------------------------------------------------------

    def read(self) -> tuple[str, dict]:
        if META_SHEET not in self.wb.sheetnames:
            raise ScenarioError(self.path, [Problem(key="xl_not_okmo_workbook")])
        kind, titles = None, self.titles
        computed: set = set()
        meta = list(self.wb.sheet(META_SHEET).row_values())
        self.handles = Handles.from_meta(meta)
        for row in meta:
            if row and row[0] == "okmo-models workbook":
                kind = row[1]
            elif row and row[0] == "sheet" and len(row) >= 3:
                titles[row[1]] = row[2]
            elif row and row[0] == "lists" and len(row) >= 2:
                self.lists = row[1]
            elif row and row[0] == "computed" and len(row) >= 3:  # formulas only (the summary): skipped
                computed.add(row[2])
        if kind not in KINDS:
            raise ScenarioError(self.path, [Problem(key="xl_not_okmo_workbook")])
        self.kind = kind
        data: dict = {}
        sections = layout(kind)
        for s in sections:
            title = titles.get(s.id)
            if title not in self.wb.sheetnames:
                self.problems.append(Problem(key="xl_sheet_missing", context={"sheet": title or s.id}))
                continue
            ws = self.wb.sheet(title)
            self._merged(ws, s)
            if s.shape == "record":
                self._record(ws, s, data)
            else:
                self._table(ws, s, data)
        known = set(titles.values()) | computed | {META_SHEET, LISTS_SHEET, self.lists}
        for name in self.wb.sheetnames:
            if name not in known and self.wb.has_values(name):
                self.warnings.append(("xl_extra_sheet", {"sheet": name}))
        # the names the workbook showed for ids, back to the ids (a new name becomes one)
        data, rename = self.handles.restore(data)
        self.cells = {rename(path): cell for path, cell in self.cells.items()}
        self.bad_paths = {rename(path) for path in self.bad_paths}
        self.unread = {rename(path) for path in self.unread}
        return kind, data

    def _problem(self, ws, cell: str, key: str, value=None, field: tuple = (), **context):
        if field:
            context["field"] = Problem(path=field).field_path()
            self.bad_paths.add(tuple(field))
        self.problems.append(Problem(path=(f"{ws.title}!{cell}",), key=key, value=value, context=context))

    def _merged(self, ws: Grid, s: Section) -> None:
        first_row = RECORD_FIRST_ROW if s.shape == "record" else TABLE_FIRST_ROW
        first_col = RECORD_VALUE_COLUMN if s.shape == "record" else 1
        for rng in ws.merged:
            if rng.max_row >= first_row and rng.max_col >= first_col:
                top = ws.shown(rng.min_row, rng.min_col)
                self._problem(ws, rng.coord.split(":")[0], "xl_merged_cells", value=rng.coord,
                              shown=top)

    # --- cells --------------------------------------------------------------------------

    def _raw(self, ws: Grid, row: int, col: int):
        """The cell's value, or raises _Bad for an Excel error or an uncomputed formula."""
        cell = ws.cell(row=row, column=col)
        value = cell.value
        if cell.data_type == "e":
            raise _Bad("xl_error_value", value)
        if value is None:
            formula = ws.formula(row, col)
            if isinstance(formula, str) and formula.startswith("="):
                raise _Bad("xl_formula_without_value", formula)
        if isinstance(value, str):
            value = value.strip()
            return value or None
        return value

    def _input(self, ws, row: int, col: int):
        """An input cell's value as the economist saw it: a number its format shows as a
        percentage is a :class:`_Percent`; one its format divides by a thousand is refused
        (which of the two numbers was meant?)."""
        value = self._raw(ws, row, col)
        if isinstance(value, bool) or not isinstance(value, (int, float)) or value == 0:
            return value
        number_format = ws.cell(row=row, column=col).number_format
        percent, thousands = scale(number_format, value)
        if thousands:
            shown = plain(shift(value, 2 * percent - 3 * thousands)) + "%" * percent
            raise _Bad("xl_scaled_number", value, shown=shown, format=number_format,
                       divisor=plain(1000 ** thousands))
        return _Percent(shift(value, 2)) if percent else value

    def _convert(self, inp: Input, value, section: str = ""):
        """A cell's value as the schema expects it (the schema then checks it); a quantity's
        number may be a :class:`_Percent`, resolved with its unit by :meth:`_read_input`."""
        kind = inp.kind
        if value is None:
            return None
        if isinstance(value, (datetime, date, time, timedelta)):
            if kind in ("number", "integer", "quantity", "numbers", "years"):
                raise _Bad("xl_date_not_number", str(value))
            return str(value) if isinstance(value, timedelta) else value.isoformat()
        if kind == "quantity":
            return _number_or_percent(value)
        if kind in ("number", "integer", "numbers", "years"):
            number = _number_or_percent(value)
            if isinstance(number, _Percent):  # no unit says whether 150% is 1.5 or 150
                raise _Bad("xl_percent_plain_number", str(number), first=plain(shift(number.shown, -2)),
                           second=plain(number.shown))
            if kind == "integer" and number != int(number):
                raise _Bad("not_an_integer", value)
            return int(number) if kind == "integer" else number
        if isinstance(value, _Percent):  # a text, a code: as shown
            value = str(value)
        if kind == "bool":
            if isinstance(value, bool):
                return value
            word = str(value).strip().lower()
            if word in _YES or word in _NO:
                return word in _YES
            raise _Bad("bool_expected", value)
        if kind == "choice":
            allowed = inp.choices
            if isinstance(value, (int, float)) and not isinstance(value, bool):
                value = int(value) if value == int(value) else value
                return value if value in allowed else str(value)
            value = choice_code(section, input_key(inp), value, allowed)  # the reader's word, any language
            return value if value in allowed or not all(isinstance(a, int) for a in allowed) else _int_text(value)
        if unit_codes(section, inp.key) is not None:  # a unit as the workbook shows it: "домохоз./мес."
            return unit_code(_text(value), unit_codes(section, inp.key))
        if kind == "text" and text_codes(self.kind, section, inp.key):  # a budget line by its name
            return choice_code(section, inp.key, _text(value).strip(), text_codes(self.kind, section, inp.key))
        if kind == "texts":
            if str(_text(value)).strip() in (EMPTY_LIST, "-"):
                return []
            text = str(_text(value)).strip()
            if ";" not in text and self.handles.knows(text):  # one name with its own commas
                return [text]
            separator = ";" if ";" in text else ","  # "a; b" as written, or "a, b" as typed
            return [part.strip() for part in text.split(separator) if part.strip()]
        return _text(value)

    def _read_input(self, ws, inp: Input, row: int, col: int, unit_col: int | None, item: dict,
                    abs_path: tuple, section: str = ""):
        """Read one input into ``item``; remember its cells."""
        where = f"{_letter(col)}{row}"
        target = abs_path + inp.path
        self.cells[target] = f"{ws.title}!{where}"
        if inp.kind == "choice":
            self.choices[target] = (section, input_key(inp), inp.choices)
        elif inp.kind == "text" and text_codes(self.kind, section, inp.key):
            self.choices[target] = (section, inp.key, text_codes(self.kind, section, inp.key))
        try:
            value = self._convert(inp, self._input(ws, row, col), section)
        except _Bad as bad:
            self._problem(ws, where, bad.key, bad.value, target, **bad.context)
            return
        if inp.kind == "quantity":
            # without its unit column (merged away) the unit is missing: named at the value's cell
            unit_where = f"{_letter(unit_col)}{row}" if unit_col else where
            self.cells[target + ("value",)] = f"{ws.title}!{where}"
            self.cells[target + ("unit",)] = f"{ws.title}!{unit_where}"
            try:
                unit = self._raw(ws, row, unit_col) if unit_col else None
            except _Bad as bad:
                self._problem(ws, unit_where, bad.key, bad.value, target)
                return
            if value is None and unit is None:
                return
            if value is None:
                self._problem(ws, where, "xl_value_missing", unit, target)
                return
            if unit is None:
                self._problem(ws, unit_where, "xl_unit_missing", str(value) if isinstance(value, _Percent) else value,
                              target)
                return
            unit = unit_code(str(unit), inp.units)  # "сом/мес." as the workbook offered it: som/month
            try:
                value = _in_unit(value, unit)
            except _Bad as bad:
                self._problem(ws, where, bad.key, bad.value, target, **bad.context)
                return
            value = {"value": value, "unit": unit}
        if value is None:
            return
        _put(item, inp.path or (VALUE,), value)

    def _read_numbers(self, ws, inp: Input, row: int, columns: list[tuple[int, int]], item: dict,
                      abs_path: tuple):
        """A row of numbers from ``columns`` [(position, column)]: trailing blanks end it."""
        target = abs_path + inp.path
        values: dict[int, object] = {}
        for position, col in sorted(columns):
            where = f"{_letter(col)}{row}"
            self.cells[target + (position - 1,)] = f"{ws.title}!{where}"
            if position == 1:
                self.cells[target] = f"{ws.title}!{where}"
            try:
                value = self._convert(inp, self._input(ws, row, col))
            except _Bad as bad:
                self._problem(ws, where, bad.key, bad.value, target + (position - 1,), **bad.context)
                values[position] = bad
                continue
            if value is not None:
                values[position] = value
        if not values:
            return
        last = max(values)
        for position, col in sorted(columns):
            if position < last and position not in values:
                self._problem(ws, f"{_letter(col)}{row}", "xl_gap_in_row", None, target + (position - 1,))
        if all(not isinstance(v, _Bad) for v in values.values()):
            _put(item, inp.path, [values.get(p) for p in range(1, last + 1)])

    def _read_years(self, ws, inp: Input, row: int, columns: list[tuple[int, int]], item: dict,
                    abs_path: tuple):
        """Figures by year from ``columns`` [(year, column)]: an empty cell is a year not given."""
        target = abs_path + inp.path
        values: dict[int, object] = {}
        bad = False
        for year, col in columns:
            where = f"{_letter(col)}{row}"
            self.cells[target + (year,)] = f"{ws.title}!{where}"
            self.cells.setdefault(target, f"{ws.title}!{where}")
            try:
                value = self._convert(inp, self._input(ws, row, col))
            except _Bad as exc:
                self._problem(ws, where, exc.key, exc.value, target + (year,), **exc.context)
                bad = True
                continue
            if value is not None:
                values[year] = value
        if values and not bad:
            _put(item, inp.path, values)

    def _year_heading(self, ws, s: Section, col: int, column: Column, seen: dict) -> Column | None:
        """A year column with the year its heading gives, or None (named at the heading)
        when the heading is no year, or a year given twice, while the column holds figures."""
        heading = ws.value(TABLE_LABEL_ROW, col)
        year = _key(heading, "integer")  # a whole number, else the heading as text
        holds = any(_filled(ws.value(r, col)) for r in ws.rows_from(TABLE_FIRST_ROW))
        where = f"{_letter(col)}{TABLE_LABEL_ROW}"
        label = input_label(column.input, self.lang, (self.kind, s.id)).removesuffix(" *")
        if not isinstance(year, int) or isinstance(year, bool):
            if holds:
                self._problem(ws, where, "xl_year_heading", heading, label=label)
            return None
        if (column.input.key, year) in seen:
            if holds:
                self._problem(ws, where, "xl_year_twice", year, label=label)
            return None
        seen[(column.input.key, year)] = col
        return Column(column.key, "year", column.input, column.position, year)

    # --- a record sheet -----------------------------------------------------------------

    def _record(self, ws, s: Section, data: dict) -> None:
        inputs = {inp.key: inp for inp in s.inputs}
        seen: dict[str, int] = {}
        record: dict = {}
        self.cells[s.path] = f"{ws.title}!{_letter(RECORD_VALUE_COLUMN)}{RECORD_FIRST_ROW}"
        for row in ws.rows_from(RECORD_FIRST_ROW):
            key = ws.value(row, 1)
            key = str(key).strip() if key not in (None, "") else None
            filled = [c for c in ws.columns_in(row) if c >= RECORD_VALUE_COLUMN and _filled(ws.value(row, c))]
            if key is None or key not in inputs:
                if filled:
                    col = filled[0]
                    self._problem(ws, f"{_letter(col)}{row}" if key is None else f"A{row}",
                                  "xl_unknown_row" if key is None else "xl_unknown_key",
                                  ws.value(row, col) if key is None else key)
                continue
            if key in seen:
                self._problem(ws, f"A{row}", "xl_key_twice", key, s.path + inputs[key].path)
                continue
            seen[key] = row
            inp = inputs[key]
            for k in range(1, len(inp.path)):  # a nested record (municipality) is found at its first row
                self.cells.setdefault(s.path + inp.path[:k], f"{ws.title}!{_letter(RECORD_VALUE_COLUMN)}{row}")
            if inp.kind == "numbers":
                last = max(filled) if filled else RECORD_VALUE_COLUMN
                columns = [(c - RECORD_VALUE_COLUMN + 1, c) for c in range(RECORD_VALUE_COLUMN, last + 1)]
                self._read_numbers(ws, inp, row, columns, record, s.path)
                continue
            self._read_input(ws, inp, row, RECORD_VALUE_COLUMN, RECORD_VALUE_COLUMN + 1, record, s.path, s.id)
            if inp.kind != "quantity" and any(c > RECORD_VALUE_COLUMN for c in filled):
                col = next(c for c in filled if c > RECORD_VALUE_COLUMN)
                self._problem(ws, f"{_letter(col)}{row}", "xl_unknown_column", ws.value(row, col),
                              s.path + inp.path)
        if record:
            _put(data, s.path, record, merge=True)

    # --- a table sheet ------------------------------------------------------------------

    def _table(self, ws, s: Section, data: dict) -> None:
        known = column_by_key(s)
        columns: dict[int, Column] = {}
        by_key: dict[str, int] = {}
        years: dict[tuple, int] = {}
        skipped: dict[int, Column] = {}  # year columns whose heading is no year
        computed: dict[int, Column] = {}  # columns of formulas: never read
        for col in ws.columns_in(TABLE_KEY_ROW):
            key = ws.value(TABLE_KEY_ROW, col)
            if key in (None, ""):
                continue
            key = str(key).strip()
            column = known.get(key) or element_of(s, key) or year_column_of(s, key, None)
            if column is None:
                self._problem(ws, f"{_letter(col)}{TABLE_KEY_ROW}", "xl_unknown_key", key)
                continue
            if key in by_key:
                self._problem(ws, f"{_letter(col)}{TABLE_KEY_ROW}", "xl_key_twice", key)
                continue
            by_key[key] = col
            if column.role == "computed":
                computed[col] = column
                continue
            if column.role == "year":  # its year is its heading, as the reader sees it
                known_column = column
                column = self._year_heading(ws, s, col, column, years)
                if column is None:  # explained at its heading (if it holds figures)
                    skipped[col] = known_column
                    continue
            columns[col] = column
        for key, column in known.items():
            required = column.role in ("parent", "key", "key2") or (
                column.role == "input" and column.input.required)
            if required and key not in by_key:
                label = self._label(s, column)
                self._problem(ws, f"A{TABLE_KEY_ROW}", "xl_column_missing", key, label=label)
        if s.parent is None:  # a child sheet's path is inside its parent's items: not the file's root
            self.cells[s.path] = f"{ws.title}!A{TABLE_FIRST_ROW}"
        refs = self.refs.setdefault(s.id, {})
        position = 0
        typed: dict[int, list[str]] = {}  # computed column -> cells where a number replaced the formula
        for row in ws.rows_from(TABLE_FIRST_ROW):
            cells = {col: ws.value(row, col) for col in ws.columns_in(row)}
            for col in computed:
                if ws.formula(row, col) is None and _filled(cells.get(col)):
                    typed.setdefault(col, []).append(f"{_letter(col)}{row}")
            if not any(_filled(v) for c, v in cells.items() if c not in computed):
                continue
            position += 1
            for col, value in cells.items():
                if col not in columns and col not in skipped and col not in computed and _filled(value):
                    self._problem(ws, f"{_letter(col)}{row}", "xl_unknown_column", value)
            self._row(ws, s, row, position, columns, by_key, data, refs,
                      [skipped[c].input for c, v in cells.items() if c in skipped and _filled(v)])
        for col, where in typed.items():
            # a figure typed over a formula is not read: the package computes it from the inputs
            self.warnings.append(("xl_computed_typed", {"sheet": ws.title, "cells": ", ".join(where),
                                                        "column": computed_label(computed[col].key, self.lang)}))

    def _label(self, s: Section, column: Column) -> str:
        lang = self.lang
        if column.role == "parent":
            return parent_label(s, lang)
        if column.role in ("key", "key2"):
            return key_label(s, column.role == "key2", lang)
        return input_label(column.input, lang, (self.kind, s.id))

    def _row(self, ws, s: Section, row: int, position: int, columns, by_key, data: dict, refs: dict,
             unread: list = ()) -> None:
        def cell(key):
            col = by_key.get(key)
            if col is None:
                return None, None
            try:
                return self._raw(ws, row, col), f"{_letter(col)}{row}"
            except _Bad as bad:
                self._problem(ws, f"{_letter(col)}{row}", bad.key, bad.value)
                return _BAD, f"{_letter(col)}{row}"

        # where the item goes: under its parent's item (child sheets) or the section's place
        if s.parent is not None:
            ref, where = cell(PARENT)
            if ref is _BAD:
                return
            parents = self.refs.get(s.parent.id, {})
            ref = _ref(ref)
            if key_codes(self.kind, s.parent):  # the parent's key in the reader's words
                ref = choice_code(s.parent.id, KEY, ref, key_codes(self.kind, s.parent))
            if ref is None:
                self._problem(ws, where or f"A{row}", "xl_parent_missing", None,
                              sheet=self.titles.get(s.parent.id, s.parent.id))
                return
            if ref not in parents:
                self._problem(ws, where, "xl_parent_unknown", ref, sheet=self.titles.get(s.parent.id, s.parent.id),
                              known=", ".join(map(str, parents)) or "—")
                return
            base = parents[ref] + s.path
        else:
            base = s.path
        if s.shape == "list":
            container = _ensure(data, base, list)
            item_path = base + (len(container),)
        else:
            item_path = base
            for column, kind in zip((KEY, KEY2), s.key_kinds):  # a mapping's key, and a nested one's
                key, key_where = cell(column)
                if key is _BAD:
                    return
                key = _key(key, kind)
                if column == KEY and key_codes(self.kind, s):  # a budget line named in the reader's words
                    key = choice_code(s.id, KEY, key, key_codes(self.kind, s))
                if key is None:
                    self._problem(ws, key_where or f"A{row}", "field_missing", None, item_path)
                    return
                item_path += (key,)
                if column == KEY and key_where:  # a key the schema refuses is named at its own cell
                    self.cells[item_path + ("[key]",)] = f"{ws.title}!{key_where}"
                    if s.key_choices:
                        self.choices[item_path + ("[key]",)] = (s.id, KEY, s.key_choices)
            if s.listed:  # one more record under its key (a budget line's next term)
                self.cells.setdefault(item_path, f"{ws.title}!{key_where}")
                container = _ensure(data, item_path, list)
                item_path += (len(container),)
            elif get(data, item_path) is not MISSING:
                self._problem(ws, key_where, "xl_key_twice", item_path[-1], item_path)
                return
            self.cells[item_path] = f"{ws.title}!{key_where}"
        first = min(by_key.values()) if by_key else 1
        self.cells.setdefault(item_path, f"{ws.title}!{_letter(first)}{row}")
        item: dict = {}
        elements: dict[str, list] = {}
        by_year: dict[str, list] = {}
        for col, column in columns.items():
            if column.role == "input":
                self._read_input(ws, column.input, row, col, by_key.get(f"{column.key}.unit"), item, item_path,
                                 s.id)
            elif column.role == "element":
                elements.setdefault(input_key(column.input), []).append((column.position, col))
            elif column.role == "year":
                by_year.setdefault(input_key(column.input), []).append((column.year, col))
        for inp in unread:  # figures under a heading that is no year: nothing more is said of them
            self.unread.add(item_path + inp.path)
        for inp in s.inputs:
            if inp.kind == "numbers" and input_key(inp) in elements:
                self._read_numbers(ws, inp, row, elements[input_key(inp)], item, item_path)
            elif inp.kind == "years" and input_key(inp) in by_year:
                self._read_years(ws, inp, row, sorted(by_year[input_key(inp)]), item, item_path)
        if s.shape == "list" or s.listed:
            container.append(item)
        else:  # a mapping of plain values holds the value itself (None if left empty)
            _put(data, item_path, item.get(VALUE) if s.value_only else item)
        if s.shape == "list":
            number, _ = cell(NUMBER)
            ref = _ref(number) if number is not _BAD and number is not None else position
            if s.has_id and s.parent is None:
                ref = item.get("id", ref)
        else:
            ref = item_path[-1]
        refs.setdefault(ref, item_path)

    def locate(self, p: Problem) -> Problem:
        """The validation problem ``p`` (a field path) as a problem at its cell."""
        path = tuple(p.path)
        for n in range(len(path), -1, -1):
            cell = self.cells.get(path[:n])
            if cell is not None:
                context = {**p.context, "field": Problem(path=path).field_path()} if path else dict(p.context)
                return Problem(path=(cell,), key=p.key, value=p.value, context=context)
        return p


_BAD = object()


def _filled(value) -> bool:
    return value is not None and not (isinstance(value, str) and not value.strip())


def _letter(col: int) -> str:
    from openpyxl.utils import get_column_letter

    return get_column_letter(col)


# Text with one separator before three digits: "20,500" is 20.5 or 20500, "1.500" 1.5 or 1500.
_TWO_READINGS = re.compile(r"^[+-]?[1-9]\d{0,2}[.,]\d{3}$")


def _number(value):
    """A number from a cell: as Excel keeps it, or read from text ('1 234,5'); text that
    reads two ways is refused with both."""
    if isinstance(value, bool):
        raise _Bad("not_a_number", value)
    if isinstance(value, (int, float)):
        return value
    text = str(value).strip()
    if _TWO_READINGS.match(text):
        raise _Bad("xl_text_number_ambiguous", value, first=plain(float(text.replace(",", "."))),
                   second=plain(float(text.replace(",", "").replace(".", ""))))
    try:
        number = parse_number(str(value))
    except UnitError as exc:
        raise _Bad(exc.key, value) from None
    return int(number) if number.is_integer() and "," not in str(value) and "." not in str(value) else number


def _number_or_percent(value):
    """A number, or a :class:`_Percent` for a percentage: a percent-formatted cell, or text
    ending in % ('70%', '2,5 %')."""
    if isinstance(value, _Percent):
        return value
    if isinstance(value, str) and value.endswith("%"):
        try:
            return _Percent(_number(value[:-1].strip()))
        except _Bad as bad:
            raise _Bad(bad.key, value, **bad.context) from None
    return _number(value)


def _in_unit(value, unit: str):
    """A quantity's number given its unit: a percentage shown beside the unit % is read as
    shown (70% -> 70); beside another unit it is refused, as is a share between 0 and 1 in
    a cell that is not a percentage, beside the unit % (0.7 % or 70 %?)."""
    if isinstance(value, _Percent):
        if is_percent(unit):
            return value.shown
        raise _Bad("xl_percent_other_unit", str(value), unit=unit,
                   first=f"{plain(shift(value.shown, -2))} {unit}", second=f"{plain(value.shown)} {unit}")
    if is_percent(unit) and 0 < abs(value) < 1:
        raise _Bad("xl_share_ambiguous", value, first=f"{plain(value)} %", second=f"{plain(shift(value, 2))} %")
    return value


def _text(value) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _int_text(value):
    try:
        return int(str(value).strip())
    except ValueError:
        return value


def _ref(value):
    if value is None:
        return None
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, str):
        text = value.strip()
        return int(text) if text.isdigit() else text
    return value


def _key(value, kind: str):
    if value is None:
        return None
    if kind == "integer":
        try:
            number = _number(value)
        except _Bad:
            return _text(value)
        return int(number) if float(number).is_integer() else number
    return _text(value).strip()


def _ensure(data: dict, path: tuple, kind):
    node = data
    for i, part in enumerate(path):
        last = i == len(path) - 1
        if isinstance(node, list):
            node = node[part]
            continue
        if part not in node or node[part] is None:
            node[part] = kind() if last else {}
        node = node[part]
    return node


def _put(data: dict, path: tuple, value, merge: bool = False) -> None:
    if not path:
        if isinstance(value, dict):
            data.update(value)
        return
    parent = _ensure(data, path[:-1], dict) if len(path) > 1 else data
    if merge and isinstance(parent.get(path[-1]), dict) and isinstance(value, dict):
        parent[path[-1]].update(value)
    else:
        parent[path[-1]] = value


# --- writing the scenario file -----------------------------------------------------------


class _Flow(dict):
    """A small mapping written on one line: {value: 17000, unit: som/month}."""


class _Dumper(yaml.SafeDumper):
    pass


class _FlowList(list):
    """A row of numbers or codes written on one line: [2016, 2017, 2018]."""


_Dumper.add_representer(_Flow, lambda d, v: d.represent_mapping("tag:yaml.org,2002:map", v, flow_style=True))
_Dumper.add_representer(_FlowList, lambda d, v: d.represent_sequence("tag:yaml.org,2002:seq", v, flow_style=True))


def _flow(node):
    if isinstance(node, dict):
        out = {k: _flow(v) for k, v in node.items()}
        if set(out) <= {"value", "unit"} and "unit" in out or set(out) <= {"ru", "ky", "en"} and out:
            return _Flow(out)
        return out
    if isinstance(node, list):
        items = [_flow(v) for v in node]
        return _FlowList(items) if all(not isinstance(v, (dict, list)) for v in items) else items
    return node


def scenario_yaml(kind: str, data: dict, source: str) -> str:
    """The YAML text of imported ``data``, headed by where it came from."""
    head = (f"# Imported from {source} by okmo-models {__version__} on {date.today().isoformat()}.\n"
            f"# Kind: {kind}. Edit here or in the workbook (okmo template --from this file).\n")
    body = yaml.dump(_flow(data), Dumper=_Dumper, allow_unicode=True, sort_keys=False, width=100)
    return head + body


def placement_warnings(kind: str, data: dict, target: Path) -> list:
    """Files the scenario names relative to itself that are not beside ``target``: a programme
    imported into another folder than its budget file would otherwise fail only later."""
    budget = data.get("budget") if kind == "programme" else None
    if budget and not (Path(target).parent / budget).is_file():
        return [("xl_budget_not_beside", {"budget": budget, "folder": str(Path(target).parent)})]
    return []


def import_workbook(path: str | Path, output: str | Path | None = None, overwrite: bool = False,
                    lang: str | None = None) -> tuple[Path, str, list]:
    """Read a filled template and write its scenario file (nothing is written on error);
    returns ``(written file, kind, warnings)``."""
    from okmo_models.safe_write import write_new_file

    path = Path(path)
    kind, data, warnings = read_workbook(path, lang)
    target = Path(output) if output else path.with_suffix(".yaml")
    written = write_new_file(target, scenario_yaml(kind, data, path.name), overwrite=overwrite)
    return written, kind, warnings + placement_warnings(kind, data, target)

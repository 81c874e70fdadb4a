"""Where each input sits on its sheet: shared by the template writer and the import.

Record sheets (one record):     row 3 headers, one input per row from row 4;
    A key | B label | C what to enter | D example | E value | F unit (or more values)
Table sheets (one item per row): row 1 title, row 2 what the sheet holds,
    row 3 labels, row 4 what to enter, row 5 keys, items from row 6.
The keys (column A of a record sheet, row 5 of a table) are the field names of the
scenario file: the import finds inputs by them, so rows and columns may be moved. A column
of figures by year (``area@1``, ``area@2``...) is headed by its year in row 3, where the
reader sees and may change it: the import takes the year from there.
"""

from __future__ import annotations

from dataclasses import dataclass

from okmo_models.excel.layout import Input, Section

RECORD_FIRST_ROW = 4
RECORD_VALUE_COLUMN = 5  # E
TABLE_LABEL_ROW = 3
TABLE_HINT_ROW = 4
TABLE_KEY_ROW = 5
TABLE_FIRST_ROW = 6

PARENT = "@parent"  # the item of the parent sheet a child row belongs to
NUMBER = "@n"  # the number of an item other sheets refer to
KEY = "@key"  # a mapping's key (two-key mappings: @key and @key2)
KEY2 = "@key2"
VALUE = "@value"  # the value of a mapping of plain values

# Columns a table sheet computes with live formulas while the economist fills it in (a
# position's pay, a route's kilometres and litres): by sheet, their keys after the inputs.
# They are never read as input: the import works from the inputs, as the package does.
COMPUTED = {
    "cost_lines": ("@annual_som",),
    "assets": ("@depreciation",),
    "staffing.positions": ("@monthly_pay", "@annual_pay"),
    "production_programme.fuels": ("@litres_year", "@cost_year"),
    "production_programme.vehicles": ("@allowance_factor", "@km_year", "@litres_year", "@tyres_cost",
                                      "@repairs_cost"),
    "production_programme.vehicles.routes": ("@km_year", "@litres_year"),
    "production_programme.chemicals": ("@kg_year", "@cost_year"),
}

# The template's summary sheet of the калькуляция (issue 22): formulas only, named on the
# ``_okmo`` sheet by this id so that the import knows it and skips it.
TOTALS = "@totals"


@dataclass(frozen=True)
class Column:
    """One column of a table sheet."""

    key: str  # as written in the key row
    role: str  # parent | number | key | key2 | input | unit | element | year | computed
    input: Input | None = None
    position: int = 0  # the element of a row of numbers, or the year column (from 1)
    year: int | None = None  # a year column's year (its heading)


def input_key(inp: Input) -> str:
    """An input's key; the value of a mapping of plain values has none of its own."""
    return inp.key or VALUE


def table_columns(section: Section, widths: dict[str, object]) -> list[Column]:
    """The columns of a table sheet; ``widths`` gives the number of columns of each row of
    numbers and the years of each input by year (by input key)."""
    cols: list[Column] = []
    if section.parent is not None:
        cols.append(Column(PARENT, "parent"))
    if section.numbered:
        cols.append(Column(NUMBER, "number"))
    if section.shape == "dict":
        cols.append(Column(KEY, "key"))
        if len(section.key_kinds) > 1:
            cols.append(Column(KEY2, "key2"))
    for inp in section.inputs:
        key = input_key(inp)
        if inp.kind == "numbers":
            for k in range(1, widths.get(key, 1) + 1):
                cols.append(Column(f"{key}#{k}", "element", inp, k))
        elif inp.kind == "years":
            for k, year in enumerate(widths.get(key, ()), 1):
                cols.append(Column(f"{key}@{k}", "year", inp, k, year))
        else:
            cols.append(Column(key, "input", inp))
            if inp.kind == "quantity":
                cols.append(Column(f"{key}.unit", "unit", inp))
    cols.extend(Column(key, "computed") for key in COMPUTED.get(section.id, ()))
    return cols


def column_by_key(section: Section) -> dict[str, Column]:
    """Every key a table sheet may carry, for reading (rows of numbers: any width)."""
    return {c.key: c for c in table_columns(section, {})}


def element_of(section: Section, key: str) -> Column | None:
    """``cost#4`` -> the 4th element of the ``cost`` row of numbers."""
    name, sep, k = key.rpartition("#")
    if not sep or not k.isdigit() or int(k) < 1:
        return None
    for inp in section.inputs:
        if inp.kind == "numbers" and input_key(inp) == name:
            return Column(key, "element", inp, int(k))
    return None


def year_column_of(section: Section, key: str, year) -> Column | None:
    """``area@3`` headed ``year`` -> the third year column of the ``area`` figures."""
    name, sep, k = key.rpartition("@")
    if not sep or not k.isdigit() or int(k) < 1:
        return None
    for inp in section.inputs:
        if inp.kind == "years" and input_key(inp) == name:
            return Column(key, "year", inp, int(k), year)
    return None


@dataclass(frozen=True)
class Row:
    """One item of a table sheet, found in the scenario data."""

    path: tuple  # where the item is in the data, e.g. ("measures", 3, "funding", 0)
    parent: object  # how the item's parent is named in the first column (child sheets)
    number: int  # its position on the sheet, from 1
    key: object = None
    key2: object = None
    item: object = None

    def ref(self, section: Section):
        """How the rows of child sheets name this item."""
        if section.shape == "dict":
            return self.key
        if section.has_id and section.parent is None and isinstance(self.item, dict):
            return self.item.get("id")
        return self.number


MISSING = object()


def get(data, path: tuple, default=MISSING):
    for part in path:
        if isinstance(data, dict) and part in data:
            data = data[part]
        elif isinstance(data, str) and part == "ru":  # a text in one string: its first language column
            return data
        elif isinstance(data, list) and isinstance(part, int) and 0 <= part < len(data):
            data = data[part]
        else:
            return default
    return data


def rows_of(section: Section, data) -> list[Row]:
    """The items of ``section`` in ``data``, in sheet order (child items parent by parent)."""
    if section.parent is None:
        containers = [(section.path, None, get(data, section.path, None))]
    else:
        containers = [(prow.path + section.path, prow.ref(section.parent), get(prow.item, section.path, None))
                      for prow in rows_of(section.parent, data)]
    rows: list[Row] = []
    for base, parent, container in containers:
        if section.shape == "list":
            for i, item in enumerate(container or []):
                rows.append(Row(base + (i,), parent, len(rows) + 1, item=item))
        elif section.listed:
            for k, items in (container or {}).items():
                for i, item in enumerate(items or []):
                    rows.append(Row(base + (k, i), parent, len(rows) + 1, k, item=item))
        elif len(section.key_kinds) > 1:
            for k1, inner in (container or {}).items():
                for k2, value in (inner or {}).items():
                    rows.append(Row(base + (k1, k2), parent, len(rows) + 1, k1, k2, value))
        else:
            for k, value in (container or {}).items():
                rows.append(Row(base + (k,), parent, len(rows) + 1, k, item=value))
    return rows

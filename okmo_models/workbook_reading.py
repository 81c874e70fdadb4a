"""Opening a workbook to read it back: what kind of file it is, within stated limits.

A file is read as a workbook only if it is what Excel saves: a zip package of XML parts
with no document type declaration (Excel never writes one; it is how an XML file makes a
parser expand entities or fetch other files), at most 20 MB on disk and 100 MB of XML
unpacked. Any other file is named for what it is: an old .xls book, a password-protected
(encrypted) book, a CSV table or a web page saved under the name .xlsx, a damaged copy.

Sheets are streamed (openpyxl's read-only mode) and only the cells that hold something
are kept, so reading takes time in proportion to the cells the file holds and not to the
sheet's dimensions: one value at XFD1048576 is one cell, not a billion. A value outside
the first 10 000 rows and 200 columns (A to GR) of a sheet is refused by its cell: no
template needs more, and a stray value far away would otherwise make every later step
walk an enormous empty sheet.
"""

from __future__ import annotations

import io
import re
import warnings
import zipfile
from pathlib import Path
from typing import NoReturn

from okmo_models.errors import Problem, ScenarioError
from okmo_models.formatting import format_number
from okmo_models.safe_read import NotAFile, TooLarge, read_bounded

MAX_FILE_BYTES = 20 * 2**20  # on disk
MAX_UNPACKED_BYTES = 100 * 2**20  # the XML parts, unpacked
MAX_ROWS = 10_000  # of a sheet, for a cell holding a value
MAX_COLUMNS = 200  # A to GR

_OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # Office 97-2003 files, and encrypted Office files
_ENCRYPTED = "EncryptionInfo".encode("utf-16-le")  # the stream an encrypted .xlsx keeps its keys in
_XML_PARTS = (".xml", ".rels", ".vml")
_PROLOG_BYTES = 65536  # Excel's parts start their root element within a few hundred bytes
_ROOT = re.compile(r"<(?![?!])")  # the first tag that is neither <?...?> nor <!...>


def _refuse(path, key: str, **context) -> NoReturn:
    raise ScenarioError(path, [Problem(key=key, context=context)])


def _mb(n: int) -> str:
    return f"{n // 2**20}"


def read_package(path: Path) -> bytes:
    """The bytes of a workbook file, after checking that it is one Excel could have saved;
    raises :class:`ScenarioError` naming what the file is otherwise."""
    try:
        raw = read_bounded(path, MAX_FILE_BYTES)  # /dev/zero is endless, a pipe waits for ever
    except FileNotFoundError:
        _refuse(path, "file_not_found")
    except IsADirectoryError:
        _refuse(path, "xl_is_folder")
    except NotAFile:
        _refuse(path, "file_not_regular")
    except TooLarge:
        _refuse(path, "xl_file_too_big", limit=_mb(MAX_FILE_BYTES))
    except OSError:
        _refuse(path, "xl_file_unreadable")
    if not raw:
        _refuse(path, "xl_empty_file")
    if raw.startswith(_OLE):
        _refuse(path, "xl_encrypted" if _ENCRYPTED in raw else "xl_old_format")
    if not raw.startswith(b"PK"):
        text = _text_head(raw)
        if text is None:
            _refuse(path, "xl_unknown_format")
        _refuse(path, "xl_is_markup" if text.lstrip("\ufeff \t\r\n").startswith("<") else "xl_is_text")
    try:
        archive = zipfile.ZipFile(io.BytesIO(raw))
        infos = archive.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, EOFError, OSError):
        _refuse(path, "xl_zip_damaged")
    names = {i.filename for i in infos}
    if "[Content_Types].xml" not in names or not any(n.startswith("xl/") for n in names):
        _refuse(path, "xl_not_excel_zip")
    if "xl/workbook.bin" in names:
        _refuse(path, "xl_binary_workbook")
    parts = [i for i in infos if i.filename.lower().endswith(_XML_PARTS)]
    # the sizes come from the zip's directory; reading stops at them (and checks the CRC)
    if sum(i.file_size for i in parts) > MAX_UNPACKED_BYTES:
        _refuse(path, "xl_unpacked_too_big", limit=_mb(MAX_UNPACKED_BYTES))
    for info in parts:
        try:
            with archive.open(info) as part:
                head = part.read(_PROLOG_BYTES)
        except Exception:  # noqa: BLE001 - zlib, CRC, encrypted member: the copy is damaged
            _refuse(path, "xl_zip_damaged")
        if _declares_a_dtd(head):
            _refuse(path, "xl_unsafe_xml")
    return raw


def _text_head(raw: bytes) -> str | None:
    """The start of a file as text, or None if it looks binary."""
    head = raw[:4096]
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        return head.decode("utf-16", errors="ignore")
    if re.search(rb"[\x00-\x08\x0e-\x1f]", head):
        return None
    return head.decode("utf-8", errors="ignore")


def _declares_a_dtd(head: bytes) -> bool:
    """Does an XML part declare a document type before its root element (or hide its root
    beyond the first 64 KB, behind declarations)?"""
    if head.startswith((b"\xff\xfe", b"\xfe\xff")) or head[:2] in (b"<\x00", b"\x00<"):
        text = head.decode("utf-16-le" if head[:1] in (b"<", b"\xff") else "utf-16-be", errors="ignore")
    else:
        text = head.decode("utf-8", errors="ignore")
    root = _ROOT.search(text)
    prolog = text[: root.start()] if root else text
    return "<!DOCTYPE" in prolog.upper() or "<!ENTITY" in prolog.upper() or (root is None and "<!" in text)


class Book:
    """A workbook opened for reading: its sheet names, and each sheet as a :class:`Grid`."""

    def __init__(self, path: Path, workbook):
        self.path = path
        self._wb = workbook
        self.sheetnames = list(workbook.sheetnames)
        self._grids: dict[str, Grid] = {}

    def sheet(self, title: str) -> Grid:
        """Every cell of sheet ``title`` that holds a value or a formula, within the limits."""
        if title not in self._grids:
            self._grids[title] = Grid(self.path, self._wb[title])
        return self._grids[title]

    def has_values(self, title: str) -> bool:
        """Does sheet ``title`` hold anything (read until its first value; no limits)?"""
        ws = self._wb[title]
        return any(_filled(c["value"]) for c in _Scan(self.path, ws, data_only=True))

    def close(self) -> None:
        self._wb.close()


def open_book(path: str | Path) -> Book:
    """A workbook file opened for reading, or :class:`ScenarioError` saying what it is."""
    from openpyxl import load_workbook

    path = Path(path)
    raw = read_package(path)
    try:
        with warnings.catch_warnings():  # openpyxl warns in English about parts it skips
            warnings.simplefilter("ignore")
            workbook = load_workbook(io.BytesIO(raw), read_only=True, data_only=True)
    except Exception as exc:  # noqa: BLE001 - openpyxl raises many kinds for a broken part
        _refuse(path, "xl_unsafe_xml" if _defused(exc) else "xl_unreadable")
    return Book(path, workbook)


def _defused(exc: Exception) -> bool:
    try:
        from defusedxml import DefusedXmlException
    except ImportError:  # pragma: no cover - a dependency
        return False
    return isinstance(exc, DefusedXmlException)


def _filled(value) -> bool:
    return value is not None and not (isinstance(value, str) and not value.strip())


class _Scan:
    """The cells a sheet's XML holds, as openpyxl's parser gives them ({row, column, value,
    data_type, style_id}); after a full pass, ``merged`` holds its merged ranges.

    openpyxl's read-only rows are padded with empty cells up to the last cell of each row
    (16 384 of them for one value at column XFD); its parser yields only the cells the file
    holds, so it is used directly."""

    def __init__(self, path: Path, ws, data_only: bool):
        self.path, self.ws, self.data_only = path, ws, data_only
        self.merged: list = []

    def __iter__(self):
        from openpyxl.worksheet._read_only import ReadOnlyWorksheet
        from openpyxl.worksheet._reader import WorkSheetParser
        from openpyxl.worksheet.cell_range import CellRange

        ws = self.ws
        if not isinstance(ws, ReadOnlyWorksheet):  # a chart sheet holds no cells
            return
        wb = ws.parent
        try:
            with warnings.catch_warnings():  # e.g. a date beyond 9999: read as an error value
                warnings.simplefilter("ignore")
                with ws._get_source() as source:
                    parser = WorkSheetParser(source, ws._shared_strings, data_only=self.data_only,
                                             epoch=wb.epoch, date_formats=wb._date_formats,
                                             timedelta_formats=wb._timedelta_formats)
                    for _, row in parser.parse():
                        yield from row
        except ScenarioError:
            raise
        except Exception as exc:  # noqa: BLE001 - a damaged part: XML, zip, a string index
            _refuse(self.path, "xl_unsafe_xml" if _defused(exc) else "xl_sheet_unreadable", sheet=ws.title)
        if parser.merged_cells is not None:
            self.merged = [CellRange(m.ref) for m in parser.merged_cells.mergeCell]


class Grid:
    """One sheet: the cells holding a value (as Excel last computed it) and the formulas.

    A value outside the first :data:`MAX_ROWS` rows and :data:`MAX_COLUMNS` columns is
    refused with its cell; empty cells (formatted, or never used) cost nothing."""

    def __init__(self, path: Path, ws):
        from openpyxl.cell.read_only import ReadOnlyCell

        self.title = ws.title
        self._cells: dict[tuple[int, int], object] = {}
        self._formulas: dict[tuple[int, int], str] = {}
        rows: dict[int, set[int]] = {}
        # the formulas and every other value in one pass; the values Excel computed for the
        # formulas, if there are any, in a second one
        typed = _Scan(path, ws, data_only=False)
        for c in typed:
            value = c["value"]
            if c["data_type"] == "f":
                value = str(getattr(value, "text", value))  # an array formula keeps its text
                self._formulas[c["row"], c["column"]] = value
            elif not _filled(value):
                continue
            else:
                self._cells[c["row"], c["column"]] = ReadOnlyCell(ws, **c)
            self._check(path, c["row"], c["column"], value)
            rows.setdefault(c["row"], set()).add(c["column"])
        if self._formulas:
            for c in _Scan(path, ws, data_only=True):
                if (c["row"], c["column"]) in self._formulas and _filled(c["value"]):
                    self._cells[c["row"], c["column"]] = ReadOnlyCell(ws, **c)
        self.merged = typed.merged
        self._rows = {r: sorted(cols) for r, cols in sorted(rows.items())}

    def _check(self, path: Path, row: int, column: int, value) -> None:
        if row > MAX_ROWS or column > MAX_COLUMNS:
            from openpyxl.utils import get_column_letter

            raise ScenarioError(path, [Problem(
                path=(f"{self.title}!{get_column_letter(column)}{row}",), key="xl_sheet_too_large", value=value,
                context={"rows": format_number(MAX_ROWS, 0), "columns": MAX_COLUMNS,
                         "last": get_column_letter(MAX_COLUMNS)})])

    def cell(self, row: int, column: int):
        """The cell (value, data_type, number_format), or an empty one."""
        from openpyxl.cell.read_only import EMPTY_CELL

        return self._cells.get((row, column), EMPTY_CELL)

    def value(self, row: int, column: int):
        cell = self._cells.get((row, column))
        return None if cell is None else cell.value

    def formula(self, row: int, column: int) -> str | None:
        return self._formulas.get((row, column))

    def shown(self, row: int, column: int):
        """What the cell holds as typed: its formula, else its value."""
        return self.formula(row, column) or self.value(row, column)

    def rows_from(self, first: int) -> list[int]:
        """The rows from ``first`` on that hold something, in order."""
        return [r for r in self._rows if r >= first]

    def columns_in(self, row: int) -> list[int]:
        """The columns of ``row`` that hold something, in order."""
        return self._rows.get(row, [])

    def row_values(self):
        """Each row that holds something as a tuple of values from column A."""
        for r, cols in self._rows.items():
            yield tuple(self.value(r, c) for c in range(1, cols[-1] + 1))

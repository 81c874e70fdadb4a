"""Reading CSV tables the way municipal offices save them.

Excel in a Russian or Kyrgyz Windows saves "CSV" in Windows-1251 with ``;`` between cells,
newer versions in UTF-8 with a byte-order mark, "Unicode text" in UTF-16 with tabs; files
from other tools use ``,``. These helpers decode the bytes, pick the separator and split
the text into rows of cells, and name spreadsheet columns by letter so that every error can
point at a cell ("ячейка F3"). Used by the budget history table and the household and
livestock registers.

Nothing is lost or glued silently: a cell that opens a quote and does not close it on its
line would make any CSV reader swallow the lines below into that cell (339 households
vanished that way), so such a table is refused with the line and the cell; bytes that are
not text, a cell longer than Excel allows and a file that is not a file are refused too.
"""

from __future__ import annotations

import codecs
import csv
import io
import re
from dataclasses import dataclass
from pathlib import Path

from okmo_models.errors import CONTROL, Problem, ScenarioError, printable, shorten
from okmo_models.safe_read import NotAFile, TooLarge, read_bounded
from okmo_models.units import grouped

DELIMITERS = (";", "\t", ",")
# Excel holds at most 32 767 characters in a cell: a longer one did not come from a spreadsheet.
MAX_CELL_CHARS = 32_767
# About 900 000 households in a register, far above any aiyl okmotu; reading one takes ~20x
# its size in memory, so this keeps a run within 2 GB.
MAX_TABLE_BYTES = 64 * 1024 * 1024
# What a name or a number must not hold: control characters, and line breaks as well.
_UNSAFE = re.compile("[\n\r]|" + CONTROL.pattern)


class TableTextError(ValueError):
    """A table whose bytes cannot be read as rows of cells without guessing.

    ``key`` names the message (``locales/input_csv.yaml``); ``line`` is the file's line
    (as a text editor counts), ``cell`` the spreadsheet cell (``D3002``) when one is known,
    ``value`` the cell's text made printable and shortened; ``context`` fills the message.
    """

    def __init__(self, key: str, line: int | None = None, cell: str | None = None,
                 value: str | None = None, **context):
        super().__init__(key)
        self.key, self.line, self.cell, self.value = key, line, cell, value
        self.context = {"line": line, "cell": cell, **context}


def read_table_bytes(path: str | Path) -> bytes:
    """The bytes of the table file at ``path``.

    Raises :class:`TableTextError` for a device, a pipe or a socket (``/dev/zero`` never
    ends, a pipe waits for ever) and for a file above :data:`MAX_TABLE_BYTES`; a missing
    file, a folder and an unreadable file raise the usual ``OSError``.
    """
    try:
        return read_bounded(path, MAX_TABLE_BYTES)
    except NotAFile:
        raise TableTextError("csv_not_a_file") from None
    except TooLarge:
        raise TableTextError("csv_too_large", limit=grouped(MAX_TABLE_BYTES // (1024 * 1024))) from None


def decode_table(raw: bytes) -> tuple[str, str]:
    """``(text, encoding)`` of a saved table: UTF-16 if it starts with its byte-order mark,
    else UTF-8 (with or without the mark), else Windows-1251.

    Windows-1251 comes last: a file that is valid UTF-8 is read as UTF-8 (Cyrillic in
    Windows-1251 is almost never valid UTF-8). Five bytes are no letter in Windows-1251
    (0x98 among them): a file holding one that is not UTF-8 either is refused with
    :class:`TableTextError` naming the line, the byte and the text before it.

    >>> decode_table("Код;Айыл".encode("cp1251"))
    ('Код;Айыл', 'cp1251')
    """
    if raw.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        try:
            return raw.decode("utf-16"), "utf-16"
        except UnicodeDecodeError as exc:
            raise _not_text(raw, exc.start, "utf-16", "UTF-16") from None
    bom = len(codecs.BOM_UTF8) if raw.startswith(codecs.BOM_UTF8) else 0
    try:
        return raw[bom:].decode("utf-8"), "utf-8"
    except UnicodeDecodeError as utf8:
        try:
            return raw.decode("cp1251"), "cp1251"
        except UnicodeDecodeError as cp1251:
            # show where the likelier reading broke: the one that got further
            if cp1251.start > bom + utf8.start:
                raise _not_text(raw, cp1251.start, "cp1251", "UTF-8, Windows-1251") from None
            raise _not_text(raw, bom + utf8.start, "utf-8", "UTF-8, Windows-1251") from None


def _not_text(raw: bytes, position: int, encoding: str, tried: str) -> TableTextError:
    before = raw[:position].decode(encoding, errors="replace").lstrip("\ufeff")
    lines = io.StringIO(before, newline="").readlines() or [""]
    line, last = len(lines), lines[-1]
    if last.endswith(("\r", "\n")):  # the byte opens the next line
        line, last = line + 1, ""
    return TableTextError("csv_not_text" if last else "csv_not_text_start", line=line,
                          before=printable(last[-30:]), byte=f"0x{raw[position]:02X}", encodings=tried)


def sniff_delimiter(line: str) -> str:
    """The separator of a table whose (header) line is ``line``: ``;`` (Excel in Russian)
    if the line has one, else a tab, else a comma.

    >>> sniff_delimiter("section;line;source;2016")
    ';'
    """
    for delimiter in DELIMITERS[:-1]:
        if delimiter in line:
            return delimiter
    return ","


@dataclass(frozen=True)
class Table:
    """The rows of a CSV table (``rows[0]`` is spreadsheet row 1) and the cells read across
    several lines of the file: ``(cell, first line, last line)``."""

    rows: list[list[str]]
    line_breaks: tuple[tuple[str, int, int], ...] = ()


def read_table(text: str, delimiter: str, line_breaks_in_cells: bool = False) -> Table:
    """Split decoded ``text`` into rows of cells; every line of the file is one row.

    A cell never takes in the lines below it: a quote opened at the start of a cell and not
    closed on its line, text after a closing quote (``"1"5``), a cell longer than
    :data:`MAX_CELL_CHARS` are refused with :class:`TableTextError` naming the line, the cell
    and its value. A cell may hold a line break only with ``line_breaks_in_cells`` and only
    as Excel writes one typed with Alt+Enter: a bare line feed in a file whose lines end
    with CR LF. Any other break in a cell cannot be told from a missing quote and is refused.

    >>> read_table('a;"b\\nc"\\r\\nd;e\\r\\n', ";", line_breaks_in_cells=True)
    Table(rows=[['a', 'b\\nc'], ['d', 'e']], line_breaks=(('B1', 1, 2),))
    """
    if max(map(len, text.split("\n"))) <= MAX_CELL_CHARS:  # no line may hold a cell too long
        # the usual table: as many rows as lines, none longer than a cell may be; read at C speed
        try:
            rows = list(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True))
        except csv.Error:
            rows = None  # found again below, with its line
        if rows is not None and len(rows) == _line_count(text):
            return Table(rows)
    return _read_by_line(text, delimiter, line_breaks_in_cells)


def _line_count(text: str) -> int:
    """Lines of ``text`` as the CSV reader counts them (CR LF, LF and CR each end one)."""
    breaks = text.count("\n") + text.count("\r") - text.count("\r\n")
    return breaks + (not text.endswith(("\n", "\r")) and text != "")


def _read_by_line(text: str, delimiter: str, line_breaks_in_cells: bool) -> Table:
    """:func:`read_table` following each row's lines, to name what breaks the one-row-per-line rule."""
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    crlf = text.count("\r\n") * 2 > text.count("\n")  # the file's lines end with CR LF
    rows: list[list[str]] = []
    breaks: list[tuple[str, int, int]] = []
    end = 0  # the line the last row read ends on
    try:
        for row in reader:
            start, end = end + 1, reader.line_num
            if end > start:
                for col, cell in enumerate(row):
                    if "\n" not in cell and "\r" not in cell:
                        continue
                    where = f"{column_letter(col)}{len(rows) + 1}"
                    if not (line_breaks_in_cells and crlf and "\r" not in cell):
                        raise TableTextError("csv_cell_line_break", line=start, cell=where,
                                             value=shorten((cell.splitlines() or [""])[0]), last=end)
                    breaks.append((where, start, end))
            if max(map(len, row), default=0) > MAX_CELL_CHARS:
                col = next(k for k, cell in enumerate(row) if len(cell) > MAX_CELL_CHARS)
                raise _too_long(row[col], start, f"{column_letter(col)}{len(rows) + 1}")
            rows.append(row)
    except csv.Error:
        raise _diagnose(text, end + 1, reader.line_num, delimiter, len(rows) + 1) from None
    return Table(rows, tuple(breaks))


def _diagnose(text: str, start: int, failed: int, delimiter: str, row: int) -> TableTextError:
    """Why the record starting on line ``start`` could not be read: the first cell of that
    line that opens a quote and leaves it open, has text after its closing quote, or is
    longer than a spreadsheet allows."""
    lines = io.StringIO(text, newline="").readlines()
    line = lines[start - 1].rstrip("\r\n") if start <= len(lines) else ""
    i, col, n = 0, 0, len(line)
    while True:
        where = f"{column_letter(col)}{row}"
        if line.startswith('"', i):
            k = i + 1
            while True:
                k = line.find('"', k)
                if k < 0 or not line.startswith('"', k + 1):
                    break
                k += 2  # "" is a quote inside a quoted cell
            if k < 0:
                return TableTextError("csv_quote_not_closed", line=start, cell=where, value=shorten(line[i:]))
            stop = k + 1
            if stop < n and line[stop] != delimiter:
                after = line.find(delimiter, stop)
                return TableTextError("csv_text_after_quote", line=start, cell=where,
                                      value=shorten(line[i:after if after >= 0 else n]))
        else:
            stop = line.find(delimiter, i)
            stop = n if stop < 0 else stop
        if stop - i > MAX_CELL_CHARS:
            return _too_long(line[i:stop], start, where)
        if stop >= n:
            return TableTextError("csv_line_unreadable", line=failed)
        i, col = stop + 1, col + 1


def _too_long(cell: str, line: int, where: str) -> TableTextError:
    return TableTextError("csv_cell_too_long", line=line, cell=where, value=shorten(cell, 40),
                          length=grouped(len(cell)), limit=grouped(MAX_CELL_CHARS))


def control_character(text: str) -> str | None:
    """The code (``"0x1B"``) of the first character in ``text`` that would act on a
    terminal or spoil a file instead of showing (see :data:`okmo_models.errors.CONTROL`);
    line breaks count too, as a name or a number never holds one. None if there is none.

    >>> control_character("Центр"), control_character("Цен\\x1b[31mтр")
    (None, '0x1B')
    """
    found = _UNSAFE.search(text)
    return None if found is None else f"0x{ord(found.group()):02X}"


def column_letter(index: int) -> str:
    """Spreadsheet column letters for a 0-based index.

    >>> column_letter(0), column_letter(25), column_letter(26)
    ('A', 'Z', 'AA')
    """
    name = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        name = chr(65 + rest) + name
    return name


def read_csv_file(path: Path) -> tuple[list[list[str]], bytes]:
    """The rows of the CSV table at ``path`` (decoded, its separator found) and the bytes read
    (for the result's provenance); any problem is a :class:`ScenarioError` naming the file,
    and the cell when the problem is in one. One way of opening a table for every reader (a
    budget's history, monitoring's actuals and instructions, a survey)."""
    try:
        raw = read_table_bytes(path)
        text, _ = decode_table(raw)  # Excel's "CSV" in Russian Windows is cp1251
        first = text.splitlines()[0] if text.strip() else ""
        rows = read_table(text, sniff_delimiter(first)).rows
    except FileNotFoundError:
        raise ScenarioError(path, [Problem(key="file_not_found", value=str(path))]) from None
    except OSError as exc:
        raise ScenarioError(path, [Problem(key="file_unreadable", context={"detail": exc.strerror or exc})]) from None
    except TableTextError as exc:
        # a cell names itself; the line is in the message (a whole-file problem has neither)
        where = (exc.cell,) if exc.cell else ()
        raise ScenarioError(path, [Problem(path=where, key=exc.key, value=exc.value, context=exc.context)]) from None
    return rows, raw

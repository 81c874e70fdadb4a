"""A register file as rows of cells: CSV (any of the encodings and separators offices use) or
an Excel workbook (.xlsx, the first sheet or a named one), with its heading row found.

Rows are numbered as a spreadsheet shows them (the first row is 1), so that every problem
can name its cell, e.g. ``C17``, whether the economist opens the CSV or the workbook.
Every line of a CSV file is one row (:func:`okmo_models.csv_text.read_table`): a stray quote
never glues the rows below into a cell. A cell used by the import that holds a control
character (ESC...) or a line break makes its row unusable, listed with the cell, so that it
reaches neither the screen nor a variant file.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import math
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from okmo_models.csv_text import (
    TableTextError,
    column_letter,
    control_character,
    decode_table,
    read_table,
    read_table_bytes,
    sniff_delimiter,
)
from okmo_models.errors import OkmoError, printable, shorten
from okmo_models.formatting import format_number
from okmo_models.i18n import t
from okmo_models.registers.vocabulary import (
    FOLDED_LETTERS,
    HEADING_UNIT_WORDS,
    MAX_TITLE_ROWS,
    SEPARATORS,
    SETTLEMENT,
    fold,
)
from okmo_models.units import UnitError, parse_number

EXCEL_SUFFIXES = (".xlsx", ".xlsm")
UNREADABLE_SUFFIXES = (".xls", ".ods")  # old binary Excel, OpenDocument: save as .xlsx or CSV


@dataclass(frozen=True)
class Msg:
    """A message to be put in the reader's language later: a key and its context, whose
    values may be messages too (a field's name inside an error), or lists of them."""

    key: str
    context: dict = field(default_factory=dict)

    def render(self, lang: str | None = None) -> str:
        return t(self.key, lang, **{k: resolve(v, lang) for k, v in self.context.items()})


def species_msg(species: str) -> Msg:
    """The name of a species key ("sheep") as a message."""
    from okmo_models.i18n import has

    return Msg("species_" + species if has("species_" + species) else "rg_species_" + species)


def resolve(value, lang: str | None):
    """A context value as text: messages rendered, lists joined with "; ", text from a file
    with its control characters written out (``\\x1b``), so that it cannot act on a screen."""
    if isinstance(value, Msg):
        return value.render(lang)
    if isinstance(value, (list, tuple)):
        return "; ".join(str(resolve(v, lang)) for v in value)
    if isinstance(value, str):
        return printable(value)
    return value


class RegisterError(OkmoError):
    """A register that cannot be used as a whole (or not with the scenario it is applied to)."""

    prefix = "rg_error"  # "Реестр {file}: {message}"

    def __init__(self, file: str | Path, key: str, **context):
        self.file, self.key, self.context = str(file), key, context
        super().__init__(self.render("en"))

    def render(self, lang: str | None = None) -> str:
        return t(self.prefix, lang, file=printable(self.file), message=Msg(self.key, self.context).render(lang))

    def __str__(self) -> str:
        return self.render()


class TableError(RegisterError):
    """A register file whose text cannot be split into rows and cells without guessing: a
    quote left open, bytes that are not text, a cell larger than Excel allows."""

    prefix = "rg_error_table"  # "Реестр {file}. {message}": the messages are whole sentences

    @classmethod
    def of(cls, path: Path, exc: TableTextError) -> TableError:
        if exc.cell is None:
            return cls(path, exc.key, **exc.context)
        return cls(path, "csv_at_cell", cell=exc.cell, line=exc.line, value=exc.value,
                   problem=Msg(exc.key, exc.context))


class MappingError(RegisterError):
    """A scenario that cannot receive the register's volumes as asked (which category, which group)."""

    prefix = "rg_error_scenario"


class OutputError(RegisterError):
    """A variant file name that cannot be used."""

    prefix = "rg_error_output"


@dataclass(frozen=True)
class Sheet:
    """The cells of one register file, row by row (``rows[0]`` is spreadsheet row 1)."""

    path: Path
    sha256: str
    rows: list[tuple]
    sheet: str | None = None  # the worksheet's name for a workbook
    encoding: str | None = None  # for CSV
    delimiter: str | None = None  # for CSV
    line_breaks: tuple[tuple[str, int, int], ...] = ()  # CSV cells read across lines: (cell, first, last line)


def read_sheet(path: str | Path, sheet: str | None = None, progress: bool = False,
               lang: str | None = None) -> Sheet:
    """Read a CSV or .xlsx register into rows of cell values; with ``progress``, a workbook's
    rows are counted on the terminal (labelled in ``lang``) while they are read."""
    path = Path(path)
    try:
        raw = read_table_bytes(path)
    except FileNotFoundError:
        raise RegisterError(path, "rg_file_not_found") from None
    except IsADirectoryError:
        raise RegisterError(path, "rg_file_not_found") from None
    except OSError as exc:
        raise RegisterError(path, "rg_file_unreadable", detail=exc.strerror or exc) from None
    except TableTextError as exc:
        raise TableError.of(path, exc) from None
    sha256 = hashlib.sha256(raw).hexdigest()
    suffix = path.suffix.lower()
    if suffix in UNREADABLE_SUFFIXES or raw[:8] == b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1":
        raise RegisterError(path, "rg_format_unknown", suffix=suffix or "—")
    if suffix in EXCEL_SUFFIXES or raw[:4] == b"PK\x03\x04":  # a zip: .xlsx under another name
        return _read_workbook(path, raw, sha256, sheet, progress, lang)
    if sheet is not None:
        raise RegisterError(path, "rg_sheet_for_csv", sheet=sheet)
    try:
        text, encoding = decode_table(raw)
        # a title line above the heading may have no separator: sniff on the first that has one
        head = text[:64 * 1024].splitlines()[:MAX_TITLE_ROWS]
        first = next((ln for ln in head if any(d in ln for d in ";\t,")), "")
        delimiter = sniff_delimiter(first)
        # a line break typed in a cell (Alt+Enter in an address) is read as Excel shows it
        table = read_table(text, delimiter, line_breaks_in_cells=True)
    except TableTextError as exc:
        raise TableError.of(path, exc) from None
    rows = [tuple(r) for r in table.rows]
    return Sheet(path, sha256, rows, None, encoding, delimiter, table.line_breaks)


def _read_workbook(path: Path, raw: bytes, sha256: str, sheet: str | None, progress: bool = False,
                   lang: str | None = None) -> Sheet:
    from zipfile import BadZipFile

    import openpyxl

    try:
        # streaming, values only: the full model would build a styled cell object per cell
        wb = openpyxl.load_workbook(io.BytesIO(raw), read_only=True, data_only=True)
    except (BadZipFile, KeyError, ValueError, OSError):
        raise RegisterError(path, "rg_xlsx_unreadable") from None  # openpyxl's words are English
    try:
        names = wb.sheetnames
        if sheet is None:
            ws = wb.worksheets[0]
        else:
            match = next((n for n in names if n == sheet), None) or \
                next((n for n in names if fold(n) == fold(sheet)), None)
            if match is None:
                raise RegisterError(path, "rg_sheet_unknown", sheet=sheet, sheets=", ".join(names))
            ws = wb[match]
        rows = list(counted(ws.iter_rows(values_only=True), ws.max_row, progress, lang))
        title = ws.title
    finally:
        wb.close()
    return Sheet(path, sha256, rows, title)


# --- cells --------------------------------------------------------------------------------


def cell_text(value) -> str:
    """A cell as text: ``1023.0`` from a workbook reads ``"1023"``, spaces are trimmed."""
    if type(value) is str:  # every CSV cell: answered first
        return value.strip()
    if value is None:
        return ""
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, (dt.datetime, dt.date)):
        return value.isoformat()
    return str(value).strip()


def shown(value) -> object:
    """A cell value as a report shows it: text as written (trimmed), numbers as numbers."""
    return value.strip() if isinstance(value, str) else value


def is_empty(row: tuple) -> bool:
    """No cell holds anything but spaces (what :func:`cell_text` reads as "")."""
    try:
        return not "".join(row).strip()  # a CSV row: all text
    except TypeError:  # a workbook's row: numbers, dates, None
        return all(v is None or (type(v) is str and not v.strip()) for v in row)


def count_in(value, limit: int, decimal_mark: str | None = None) -> tuple[int | None, str | None, dict]:
    """A cell holding a count (persons, heads): ``(count, None, {})`` or ``(None, problem,
    context)``; for ``"ambiguous"`` the context holds both readings (``decimal``, ``thousands``).

    Text is read as an economist types it: ``"4"``, ``"1 200"``, ``"4,0"``; "1.500" only with
    the file's ``decimal_mark`` (else it is ambiguous: one and a half, or fifteen hundred).
    """
    if type(value) is str and value.isdigit() and value.isascii():  # "4": most cells, answered first
        if len(value) > 15:  # beyond any count; int() refuses more than 4 300 digits
            return None, "implausible", {}
        number = int(value)
        if number == 0:
            return None, "not_positive", {}
        return (number, None, {}) if number <= limit else (None, "implausible", {})
    if value is None or (isinstance(value, str) and not value.strip()):
        return None, "missing", {}
    if isinstance(value, bool):
        return None, "not_number", {}
    if isinstance(value, (int, float)):
        number = float(value)
    else:
        try:
            number = parse_number(str(value), decimal_mark)
        except UnitError as exc:
            if exc.key == "ambiguous_number":
                return None, "ambiguous", {"decimal": exc.context["decimal"], "thousands": exc.context["thousands"]}
            return None, "not_number", {}
    if math.isnan(number):
        return None, "not_number", {}
    if number <= 0:
        return None, "not_positive", {}
    if not number.is_integer():
        return None, "fractional", {}
    if number > limit:
        return None, "implausible", {}
    return int(number), None, {}


def count_problem(kind: str, why: str, where: dict, raw, context: dict, limit: int) -> CellProblem:
    """The problem of a count cell (``kind`` "members" or "heads") that :func:`count_in` refused."""
    key = "rg_number_ambiguous" if why == "ambiguous" else f"rg_{kind}_{why}"
    return CellProblem(key, **where, value=None if why == "missing" else shown(raw),
                       context={"limit": limit, **context})


# --- the heading row ----------------------------------------------------------------------


@dataclass(frozen=True)
class Heading:
    """Where the heading row is and which column holds which field."""

    row: int  # 1-based
    columns: dict[str, int]  # field -> 0-based column index
    texts: tuple[str, ...]  # the heading row's cells as written
    extra: dict[int, str] = field(default_factory=dict)  # column -> e.g. species key (wide form)

    def header(self, name: str) -> str:
        return self.texts[self.columns[name]]

    def cell(self, name: str, row: int) -> str:
        return f"{column_letter(self.columns[name])}{row}"

    def where(self, name: str, row: int) -> dict:
        """The cell and its column's heading, for a :class:`CellProblem`."""
        return {"cell": self.cell(name, row), "heading": self.header(name)}

    @property
    def width(self) -> int:
        """Columns up to the last heading."""
        return max((i + 1 for i, text in enumerate(self.texts) if text), default=0)

    def extra_cell(self, row: tuple, r: int, width: int | None = None) -> CellProblem | None:
        """A filled cell right of the last heading: the row is probably shifted by a separator
        typed inside a cell (``ул. Мира; 5``), so none of its cells can be trusted."""
        width = self.width if width is None else width
        for i in range(width, len(row)):
            if cell_text(row[i]):
                return CellProblem("rg_extra_cell", f"{column_letter(i)}{r}", None, shown(row[i]))
        return None

    def ignored(self) -> list[str]:
        used = set(self.columns.values()) | set(self.extra)
        return [f"{column_letter(i)} «{text}»" for i, text in enumerate(self.texts)
                if i not in used and text]


def heading_matcher(fields: dict[str, tuple[str, ...]]) -> Callable[[str], str | None]:
    """A function naming the field a heading text is a synonym of (None if none)."""
    lookup = {fold(s): name for name, synonyms in fields.items() for s in (name, *synonyms)}

    def match(text: str) -> str | None:
        folded = fold(text)
        if folded in lookup:
            return lookup[folded]
        words = folded.split()
        while len(words) > 1 and words[-1] in HEADING_UNIT_WORDS:
            words.pop()
            if " ".join(words) in lookup:
                return lookup[" ".join(words)]
        return None

    return match


def find_heading(sheet: Sheet, match: Callable[[str], str | None],
                 extra: Callable[[str], str | None] | None = None) -> Heading | None:
    """The heading row: among the first rows, the one naming the most fields (the first such).

    ``extra`` recognises further columns (a wide register's species) that are not fields.
    A field named by two columns of the row is an error: which one holds the data is a guess.
    """
    best, best_score = None, 0
    for r, row in enumerate(sheet.rows[:MAX_TITLE_ROWS], start=1):
        texts = tuple(cell_text(v) for v in row)
        columns: dict[str, int] = {}
        extras: dict[int, str] = {}
        twice = None
        for i, text in enumerate(texts):
            if not text:
                continue
            name = match(text)
            if name is not None:
                if name in columns and twice is None:
                    twice = (name, columns[name], i)
                columns.setdefault(name, i)
            elif extra is not None and (key := extra(text)) is not None:
                extras[i] = key
        score = len(columns) + len(set(extras.values()))
        if score > best_score:
            best, best_score = (r, columns, texts, extras, twice), score
    if best is None:
        return None
    r, columns, texts, extras, twice = best
    for i, text in enumerate(texts):  # headings are shown in every report and error
        code = control_character(text)
        if code:
            raise RegisterError(sheet.path, "rg_heading_control_char", cell=f"{column_letter(i)}{r}",
                                value=shorten(text, 60), code=code)
    if twice is not None:
        name, first, second = twice
        raise RegisterError(sheet.path, "rg_column_twice", column=Msg("rg_field_" + name), row=r,
                            first=f"{column_letter(first)}{r} «{texts[first]}»",
                            second=f"{column_letter(second)}{r} «{texts[second]}»")
    return Heading(r, columns, texts, extras)


def require_columns(sheet: Sheet, heading: Heading | None, required: tuple[tuple[str, ...], ...],
                    fields: dict[str, tuple[str, ...]]) -> Heading:
    """``heading`` if it names, for each group of ``required``, one of its fields; else an error
    naming the file, the missing columns with the headings accepted for them, and the headings
    found (in the best row, or the first non-empty row if no heading was recognised)."""
    missing = [group for group in required if heading is None or not set(group) & set(heading.columns)]
    if not missing:
        return heading
    if heading is not None:
        found = f"{heading.row}: " + " | ".join(x for x in heading.texts if x)
    else:
        found = next((f"{r}: " + " | ".join(shorten(x, 60) for x in texts if x)
                      for r, texts in ((r, [cell_text(v) for v in row])
                                       for r, row in enumerate(sheet.rows[:MAX_TITLE_ROWS], start=1))
                      if any(texts)), "—")
    names = [Msg("rg_field_" + group[0]) for group in missing]
    synonyms = [Msg("rg_synonyms", {"field": Msg("rg_field_" + f),
                                    "names": ", ".join(f"«{s}»" for s in fields[f])})
                for group in missing for f in group]
    raise RegisterError(sheet.path, "rg_column_missing", columns=names, synonyms=synonyms, found=found)


# --- what was read ------------------------------------------------------------------------


@dataclass(frozen=True)
class CellProblem:
    """Why a row cannot be used: a message key (``rg_*``), the cell, its heading, the value."""

    key: str
    cell: str | None = None
    heading: str | None = None
    value: object = None
    context: dict = field(default_factory=dict)


@dataclass(frozen=True)
class UnusableRow:
    """A row left out of every total, with each of its problems."""

    row: int
    problems: tuple[CellProblem, ...]


@dataclass(frozen=True)
class RegisterFile:
    """Where the data came from and how it was read: cited in the variant's source entry."""

    path: Path
    sha256: str
    sheet: str | None
    encoding: str | None
    delimiter: str | None
    heading_row: int
    columns: dict  # field -> "C «Кол-во членов»"
    ignored_columns: tuple[str, ...]
    rows_read: int  # non-empty rows below the heading
    rows_used: int
    empty_rows: int  # entirely empty rows below the heading, skipped
    settlements: SettlementSelection | None  # None: every settlement counted (no --settlement)
    line_breaks: tuple = ()  # CSV cells holding a line break, read as one cell: (cell, first, last line)

    @property
    def rows_left_out(self) -> int:
        """Rows of settlements not asked for: neither used nor listed."""
        return self.settlements.rows_left_out if self.settlements else 0

    @property
    def rows_in_scope(self) -> int:
        """Rows read that belong to the settlements counted (all rows read without --settlement)."""
        return self.rows_read - self.rows_left_out

    @property
    def rows_unusable(self) -> int:
        return self.rows_in_scope - self.rows_used

    @property
    def unusable_share(self) -> float:
        return self.rows_unusable / self.rows_in_scope if self.rows_in_scope else 0.0


def register_file(sheet: Sheet, heading: Heading, rows_read: int, rows_used: int,
                  empty_rows: int, settlements: SettlementSelection | None) -> RegisterFile:
    columns = {name: f"{column_letter(i)} «{heading.texts[i]}»" for name, i in heading.columns.items()}
    return RegisterFile(sheet.path, sheet.sha256, sheet.sheet, sheet.encoding, sheet.delimiter,
                        heading.row, columns, tuple(heading.ignored()), rows_read, rows_used, empty_rows,
                        settlements, sheet.line_breaks)


# --- settlements (--settlement) -----------------------------------------------------------


@dataclass(frozen=True)
class SettlementSelection:
    """The settlements a service covers and the rows of the others, left out of everything."""

    counted: dict  # settlement as first written in the file -> rows naming it (used or listed)
    left_out: dict  # other settlement -> rows neither used nor listed

    @property
    def rows_left_out(self) -> int:
        return sum(self.left_out.values())


class SettlementFilter:
    """Which rows belong to the settlements asked for (``--settlement``, repeatable).

    Names are compared as headings are (:func:`fold`: case, ``ё``/``е``, ``ү ө ң`` as
    ``у о н``, spaces and hyphens). A row whose settlement cell names another settlement is
    left out: neither used nor listed, only counted. A row whose settlement cannot be read
    stays in scope, to be used or listed: an empty cell (the reader lists it), or a row
    shifted by a separator typed in a cell (its settlement cell cannot be trusted).
    Without names every row is kept.
    """

    def __init__(self, sheet: Sheet, heading: Heading, names, kind: str):
        self.path, self.kind = sheet.path, kind
        self.wanted: dict[str, str] = {}  # folded -> as given
        for name in names or ():
            self.wanted.setdefault(fold(name), name.strip())
        column = heading.columns.get("settlement")
        if self.wanted and column is None:
            raise RegisterError(sheet.path, "rg_settlement_no_column", value=_quoted(self.wanted.values()),
                                names=", ".join(f"«{s}»" for s in SETTLEMENT),
                                found=f"{heading.row}: " + " | ".join(x for x in heading.texts if x))
        self.column = None if column is None else f"{column_letter(column)} «{heading.texts[column]}»"
        self.found: dict[str, list] = {}  # folded -> [as first written, rows naming it]
        self.left_out: dict[str, int] = {}  # folded -> rows left out

    @property
    def active(self) -> bool:
        return bool(self.wanted)

    def keeps(self, settlement: str, shifted: bool) -> bool:
        """False for a row of another settlement (counted as left out)."""
        if not self.wanted:
            return True
        key = fold(settlement)
        self.found.setdefault(key, [settlement, 0])[1] += 1
        if not key or shifted or key in self.wanted:
            return True
        self.left_out[key] = self.left_out.get(key, 0) + 1
        return False

    def selection(self) -> SettlementSelection | None:
        """What was counted and left out; an error if a name matches no settlement in the file."""
        if not self.wanted:
            return None
        unknown = [name for key, name in self.wanted.items() if not key or key not in self.found]
        if unknown:
            found = [Msg("rg_count_of", {"name": name or Msg("rg_settlement_blank"), "count": format_number(n, 0)})
                     for name, n in self.found.values()]
            raise RegisterError(self.path, "rg_settlement_unknown", value=_quoted(unknown), column=self.column,
                                rows=Msg("rg_settlement_rows_" + self.kind), found=found or "—")
        return SettlementSelection({self.found[k][0]: self.found[k][1] for k in self.wanted},
                                   {self.found[k][0]: n for k, n in self.left_out.items()})


def _quoted(names) -> str:
    return ", ".join(f"«{n}»" for n in names)


def is_totals_row(row: tuple, words: tuple[str, ...]) -> bool:
    """The "Итого" row at the bottom of an export: its first filled cell starts with such a word."""
    first = next((text for text in map(cell_text, row) if text), "")
    # most first cells (a number, a code) fail these cheap tests; fold() only for the rest
    if not first or first[0].isdigit() or \
            not _LEADING.sub("", first, count=1).casefold().translate(FOLDED_LETTERS).startswith(words):
        return False
    folded = fold(first)
    return any(folded == w or folded.startswith(w + " ") for w in words)


_LEADING = re.compile("^" + SEPARATORS.pattern)  # what fold() drops before the first word


def counted(rows, total: int | None, progress: bool, lang: str | None):
    """``rows`` again, counted on a progress line while consumed (``progress``: drawn only after
    two seconds, on a terminal, and not with ``--quiet``; labelled in ``lang``)."""
    if not progress:
        yield from rows
        return
    from okmo_models.progress import progress as progress_line

    with progress_line("progress_register", lang, total=total or None) as bar:
        step = 0
        for step, row in enumerate(rows, 1):
            yield row
            if step % 500 == 0:  # tqdm's own bookkeeping per row would cost more than the row
                bar.update(500)
        bar.update(step % 500)


class DataRows:
    """The rows under the heading as ``(row number, cells)``: empty rows are counted and
    skipped; a totals row ("Итого") is counted as read and listed in ``unusable``; so is a row
    whose used cells (``heading.columns`` and ``heading.extra``) hold a control character or a
    line break: such text must reach neither the screen nor a variant file."""

    def __init__(self, sheet: Sheet, heading: Heading, totals_words: tuple[str, ...], progress: bool = False,
                 lang: str | None = None):
        self.sheet, self.heading, self.totals_words = sheet, heading, totals_words
        self.progress, self.lang = progress, lang
        self.read = self.empty = 0
        self.unusable: list[UnusableRow] = []

    def __iter__(self):
        used = sorted(set(self.heading.columns.values()) | set(self.heading.extra))
        names = {i: name for name, i in self.heading.columns.items()}
        rows = self.sheet.rows
        first = self.heading.row + 1
        for r in counted(range(first, len(rows) + 1), len(rows) - first + 1, self.progress, self.lang):
            row = rows[r - 1]
            if is_empty(row):
                self.empty += 1
                continue
            self.read += 1
            if is_totals_row(row, self.totals_words):
                text = cell_text(row[0]) if row else None
                self.unusable.append(UnusableRow(r, (CellProblem("rg_totals_row", f"A{r}", None, text),)))
                continue
            try:  # one search per row (all text in a CSV); the used cells only if something is found
                suspect = control_character("".join(row)) is not None
            except TypeError:  # a workbook's numbers and dates
                suspect = True
            texts = [row[i] if i < len(row) and type(row[i]) is str else "" for i in used] if suspect else ()
            unsafe = [(i, code) for i, text in zip(used, texts) if (code := control_character(text))]
            if unsafe:
                self.unusable.append(UnusableRow(r, tuple(
                    CellProblem("rg_cell_line_break" if code in ("0x0A", "0x0D") else "rg_control_char",
                                **(self.heading.where(names[i], r) if i in names else
                                   {"cell": f"{column_letter(i)}{r}", "heading": self.heading.texts[i]}),
                                value=shorten(row[i], 60), context={"code": code})
                    for i, code in unsafe)))
                continue
            yield r, row

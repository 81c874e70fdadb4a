"""The comparison of many municipalities as a workbook (``okmo compare --format xlsx``).

One sheet per table of :meth:`okmo_models.compare.Comparison.tables`: tariffs, budgets,
programmes (a row per file), medians and quartiles, each municipality's position among its
peers, what stands out, and the files that could not be computed or are not compared; an
"about" sheet first with the counts, the quantile method and the outlier rules with their
sources. Numbers are numbers with an Excel format (money to the tyiyn, shares as per cent),
headings are in the reader's language, and a flagged figure is filled in red with the reason
in the row's "stands out" column. Cells are written by :func:`okmo_models.excel.cells.put`
(text from files is never a formula); the bytes are saved atomically, never over an existing
file unless asked (:func:`save_comparison_workbook`).
"""

from __future__ import annotations

import datetime as dt
import io
from pathlib import Path

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.cell import WriteOnlyCell
from openpyxl.utils import get_column_letter

from okmo_models.compare.labels import heading, is_share, unit_text
from okmo_models.excel.cells import excel_text, put
from okmo_models.excel.results import MONEY, PERCENT1, WHOLE, YEAR, sheet_name
from okmo_models.i18n import t
from okmo_models.provenance import source_text
from okmo_models.version import __version__

RATIO = "0.00"
OUTLIER_FILL = PatternFill("solid", fgColor="F8CBAD")  # a flagged figure (light red)
HEAD_FILL = PatternFill("solid", fgColor="DDE4EE")
_BOLD = Font(bold=True)
_TITLE = Font(bold=True, size=13)
_NOTE = Font(italic=True, color="555555")
_MAX_WIDTH = 60
# shared style objects: one made per cell cost most of the time of a national workbook
_TOP = Alignment(vertical="top")
_TOP_WRAP = Alignment(vertical="top", wrap_text=True)
_HEADER_WIDTH = 22

# the sheets, in order: (table of Comparison.tables, sheet name key, columns left out: ids
# a reader of the sheet does not need beside their words)
SHEETS = (
    ("tariffs", "cmp_sheet_tariffs", ("service", "category")),
    ("budgets", "cmp_sheet_budgets", ()),
    ("programmes", "cmp_sheet_programmes", ()),
    ("stats", "cmp_sheet_stats", ("figure_id", "peers_id")),
    ("positions", "cmp_sheet_positions", ("figure_id",)),
    ("outliers", "cmp_sheet_outliers", ("figure_id", "rule")),  # a rule is named by its words (reason)
    ("failures", "cmp_sheet_failures", ()),
    ("skipped", "cmp_sheet_skipped", ()),
)
COUNTS = ("residents", "beneficiaries", "measures", "n", "rank", "quartile", "n_region", "rank_region",
          "quartile_region")
YEARS = ("year", "first_year", "last_year")
# in these tables a row's figure is named in the row (figure_id), so its format is the row's
PER_ROW = ("stats", "positions", "outliers")
PER_ROW_VALUES = ("value", "median", "q1", "q3", "min", "max", "threshold", "median_region")
WIDE = ("service", "all")  # the widest peer group of each table; the other is the region's


def _positions_wide(df):
    """The positions a row per file and figure: the place among all peers and, beside it, the
    place in the region (half the rows of the tidy table: a national comparison stays a
    workbook Excel opens quickly)."""
    keys = ["table", "file", "figure_id"]
    wide = df[df["peers_id"].isin(WIDE)]
    region = df[~df["peers_id"].isin(WIDE)][keys + ["rank", "n", "quartile", "median"]]
    region = region.rename(columns={k: k + "_region" for k in ("rank", "n", "quartile", "median")})
    out = wide.merge(region, on=keys, how="left")
    return out[["table", "file", "municipality", "region", "service_label", "figure_id", "figure", "value", "unit",
                "rank", "n", "quartile", "median", "rank_region", "n_region", "quartile_region", "median_region"]]


def _format(column: str, figure: str | None = None) -> str | None:
    """The Excel number format of a column (``figure``: the row's figure, in the tables
    where each row is one)."""
    if column in YEARS:
        return YEAR
    if column in COUNTS:
        return WHOLE
    if column == "ratio":
        return RATIO
    name = figure if figure is not None and column in PER_ROW_VALUES else column
    if is_share(name):
        return PERCENT1
    if name.endswith("_som") or name.startswith("spending_per_resident_som.") or column in PER_ROW_VALUES:
        return MONEY
    return None


class _Writer:
    """One sheet, its cells kept until :meth:`finish` streams them (openpyxl's write-only
    mode: a national comparison has some 20 000 rows of positions, which a normal workbook
    took most of a minute to style and save). Widths are known by then, as write-only needs."""

    def __init__(self, ws):
        self.ws, self.rows, self.widths = ws, [], {}
        self.freeze = None

    def text(self, value, font=None):
        self.rows.append([(value, None, font, None, None)])

    def blank(self):
        self.rows.append([])

    def header(self, labels):
        self.rows.append([(label, None, _BOLD, HEAD_FILL, _TOP_WRAP) for label in labels])
        for col, label in enumerate(labels, 1):
            self._fit(col, min(len(label), _HEADER_WIDTH))
        self.freeze = len(self.rows)

    def line(self, values, formats, fills=()):
        cells = []
        for col, (value, fmt) in enumerate(zip(values, formats), 1):
            if hasattr(value, "item"):  # numpy scalars
                value = value.item()
            if isinstance(value, float) and value != value:  # NaN: pandas' empty cell
                value = None
            number = isinstance(value, (int, float)) and not isinstance(value, bool)
            wrap = _TOP_WRAP if isinstance(value, str) and len(value) > _MAX_WIDTH else None
            cells.append((value, fmt if number else None, None, OUTLIER_FILL if col - 1 in fills else None, wrap))
            self._fit(col, len(str(value)) if value is not None else 0)
        self.rows.append(cells)

    def _fit(self, col, width):
        self.widths[col] = max(self.widths.get(col, 0), width)

    def finish(self):
        ws = self.ws
        for col, width in self.widths.items():
            ws.column_dimensions[get_column_letter(col)].width = min(max(width, 4), _MAX_WIDTH) + 2
        if self.freeze is not None:
            ws.freeze_panes = f"B{self.freeze + 1}"
            ws.print_title_rows = f"{self.freeze}:{self.freeze}"
        ws.page_setup.orientation = "landscape"
        ws.page_setup.fitToWidth, ws.page_setup.fitToHeight = 1, 0
        ws.sheet_properties.pageSetUpPr.fitToPage = True
        for row in self.rows:
            out = []
            for value, fmt, font, fill, alignment in row:
                cell = put(WriteOnlyCell(ws), value)
                if fmt is not None:
                    cell.number_format = fmt
                if font is not None:
                    cell.font = font
                if fill is not None:
                    cell.fill = fill
                if alignment is not None:
                    cell.alignment = alignment
                out.append(cell)
            ws.append(out)


def _title(w: _Writer, heading_text: str, lang: str, date: str):
    w.text(heading_text, _TITLE)
    w.text(t("xr_computed", lang, version=__version__, date=date), _NOTE)
    w.blank()


def _flagged_cells(comparison, table: str) -> list[set]:
    """For each row of a table of rows, the figures a rule flags."""
    return [{o.rule.figure for o in comparison.row_outliers(r)} for r in comparison.table_rows(table)]


def comparison_workbook(comparison, lang: str) -> bytes:
    """The comparison as the bytes of an .xlsx workbook in ``lang``."""
    c = comparison
    frames = c.tables(lang)
    frames["positions"] = _positions_wide(frames["positions"])
    wb = Workbook(write_only=True)
    today = dt.date.today()
    date = today.isoformat() if lang == "en" else today.strftime("%d.%m.%Y")
    writers: list[_Writer] = []

    def new_sheet(key: str) -> _Writer:
        name = sheet_name(t(key, lang), [w.ws.title for w in writers])
        writers.append(_Writer(wb.create_sheet(name)))
        return writers[-1]

    about = new_sheet("cmp_sheet_about")
    _title(about, t("cmp_title", lang), lang, date)
    about.text(t("cmp_counts", lang, found=c.found, rows=len(c.rows), failures=len(c.failures),
                 skipped=len(c.skipped)))
    about.text(t("cmp_quantile_note", lang), _NOTE)
    about.blank()
    about.header([heading("rule", lang), heading("table", lang), heading("figure", lang), heading("threshold", lang),
                  heading("unit", lang), heading("peers", lang), heading("source", lang)])
    for r in c.rules:
        about.line([t("cmp_rule_" + r.id, lang), t("cmp_table_" + r.table, lang), heading(r.figure, lang), r.value,
                    unit_text(r.unit, lang), t("cmp_peers_" + r.peers, lang), source_text(r.source, lang)],
                   [None, None, None, PERCENT1 if r.unit == "share" else None, None, None, None])

    for table, key, left_out in SHEETS:
        df = frames[table]
        if df.empty and table in ("failures", "skipped"):
            continue
        w = new_sheet(key)
        _title(w, t(key, lang), lang, date)
        if table == "positions":
            w.text(t("cmp_positions_note", lang), _NOTE)
            w.blank()
        columns = [col for col in df.columns if col not in left_out]
        w.header([heading(col, lang) for col in columns])
        figure_ids = list(df["figure_id"]) if table in PER_ROW else None
        flagged = _flagged_cells(c, table) if table in ("tariffs", "budgets", "programmes") else None
        for i, record in enumerate(df[columns].itertuples(index=False)):
            # pandas holds an empty cell of a column of text as NaN
            values = [None if isinstance(v, float) and v != v else v for v in record]
            figure = figure_ids[i] if figure_ids is not None else None
            formats = [_format(col, figure) for col in columns]
            fills = set()
            if flagged is not None and flagged[i]:
                fills = {j for j, col in enumerate(columns) if col in flagged[i] or col == "outliers"}
            if table == "outliers":
                fills = {columns.index("value")}
            for j, col in enumerate(columns):  # ids in the reader's words
                if col == "variant":
                    values[j] = t("cmp_yes", lang) if values[j] else ""
                elif col in ("unit", "base_unit", "proposed_unit") and values[j] is not None:
                    values[j] = unit_text(values[j], lang)
                elif col == "table" and values[j] is not None:
                    values[j] = t("cmp_table_" + values[j], lang)
            w.line(values, formats, fills)

    for w in writers:
        w.finish()
    props = wb.properties
    props.creator = f"okmo-models {__version__}"
    props.title = excel_text(t("cmp_title", lang))
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def save_comparison_workbook(comparison, path: str | Path, lang: str, overwrite: bool = False) -> Path:
    """Write the workbook to ``path`` atomically; an existing file is refused
    (:class:`okmo_models.safe_write.FileExistsRefused`) unless ``overwrite``."""
    from okmo_models.safe_write import write_new_file

    return write_new_file(path, comparison_workbook(comparison, lang), overwrite=overwrite)

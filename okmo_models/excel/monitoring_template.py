"""Empty workbooks of the two monthly tables, ready for the economist to fill in.

The header is exactly what :mod:`okmo_models.monitoring.tables_in` reads; each header cell
carries a note saying in the reader's language what the column holds. Every value from the
caller goes through :func:`okmo_models.excel.cells.put` (a name starting with ``=`` stays text).
"""

from __future__ import annotations

import io
from collections.abc import Iterable

from okmo_models.excel.cells import put
from okmo_models.formatting import format_unit
from okmo_models.i18n import t
from okmo_models.monitoring.tables_in import (
    INSTRUCTIONS_HEAD,
    STATUS_WORDS,
    status_words,
)
from okmo_models.provenance import source_text

_ROWS_OFFERED = 500  # rows of the instructions template given the status drop-down and date format
_DATE_FORMAT = "DD.MM.YYYY"
_WIDTHS = {"indicator": 34, "unit": 14, "name": 48, "reason": 48, "id": 8, "task": 60, "responsible": 32,
           "issued": 13, "due": 13, "status": 18, "done_on": 13, "decision": 48}


def periods_of(year: int, periods: str = "month") -> list[str]:
    """The period headings of a year: ``2027-01`` … ``2027-12`` or ``2027-Q1`` … ``2027-Q4``."""
    if periods == "month":
        return [f"{year}-{m:02d}" for m in range(1, 13)]
    if periods == "quarter":
        return [f"{year}-Q{q}" for q in range(1, 5)]
    raise ValueError(f"periods must be 'month' or 'quarter', not {periods!r}")


def _header(ws, names: list[str], lang: str, note: str | None = None, note_column: int = 1) -> None:
    from openpyxl.comments import Comment
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter

    bold, fill = Font(bold=True), PatternFill("solid", fgColor="DDEBF7")
    for c, name in enumerate(names, start=1):
        heading = name if name[:1].isdigit() else t(f"mtab_head_{name}", lang)  # a period stays 2027-01
        cell = put(ws.cell(row=1, column=c), heading)
        cell.font, cell.fill = bold, fill
        cell.alignment = Alignment(horizontal="center")
        cell.number_format = "@"  # "2027-01" stays text, never becomes a date
        meaning = t(f"mtab_column_{name}", lang)
        text = f"{heading}: {meaning}" if meaning != f"mtab_column_{name}" else ""
        if c == note_column and note:  # on a column the economist sees
            text += "\n\n" + note
        if text:
            cell.comment = Comment(text, "okmo", width=320, height=160)
        ws.column_dimensions[get_column_letter(c)].width = _WIDTHS.get(name, 12)
    ws.freeze_panes = "A2"


def _bytes(wb) -> bytes:
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


SHEET_TITLES = {"actuals": {"ru": "факт", "ky": "факт", "en": "actuals"},
                "instructions": {"ru": "поручения", "ky": "тапшырмалар", "en": "instructions"}}


def _sheet_title(which: str, lang: str) -> str:
    return SHEET_TITLES[which].get(lang, SHEET_TITLES[which]["en"])


def _actuals_sheet(ws, rows: Iterable, year: int, periods: str, lang: str, hide_ids: bool = False) -> None:
    headings = periods_of(year, periods)
    names = ["indicator", "unit", "name", *headings, "reason"]
    ws.title = _sheet_title("actuals", lang)
    _header(ws, names, lang, t("mtab_template_note_actuals", lang), note_column=2 if hide_ids else 1)
    first, last = 4, 3 + len(headings)  # the period columns: General format, what is seen is what is read
    for r, (indicator, unit, name) in enumerate(rows, start=2):
        put(ws.cell(row=r, column=1), str(indicator))
        put(ws.cell(row=r, column=2), format_unit(str(unit), lang))  # the reader takes the words back
        label = source_text(name, lang) if isinstance(name, dict) else name
        if label:
            put(ws.cell(row=r, column=3), str(label))
    for c in range(first, last + 1):
        ws.column_dimensions[ws.cell(row=1, column=c).column_letter].width = 12
    if hide_ids:  # the indicator's code is for the reader of the table, the name for the economist
        ws.column_dimensions["A"].hidden = True


def _instructions_sheet(ws, lang: str) -> None:
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.datavalidation import DataValidation

    ws.title = _sheet_title("instructions", lang)
    names = list(INSTRUCTIONS_HEAD)
    _header(ws, names, lang)
    status = get_column_letter(names.index("status") + 1)
    words = status_words(lang if lang in STATUS_WORDS else "ru")
    # the list's words hold no comma or quote: a drop-down list is written between quotes, split at commas
    validation = DataValidation(type="list", formula1='"' + ",".join(words) + '"', allow_blank=True,
                                showDropDown=False, promptTitle=t("mtab_template_status_title", lang),
                                prompt=t("mtab_template_status_prompt", lang), showInputMessage=True,
                                showErrorMessage=True, errorTitle=t("mtab_template_status_title", lang),
                                error=t("mtab_template_status_prompt", lang))
    validation.add(f"{status}2:{status}{_ROWS_OFFERED + 1}")
    ws.add_data_validation(validation)
    for name in ("issued", "due", "done_on"):
        c = names.index(name) + 1
        for r in range(2, _ROWS_OFFERED + 2):
            ws.cell(row=r, column=c).number_format = _DATE_FORMAT


def actuals_workbook(rows: Iterable, year: int, periods: str = "month", lang: str = "ru") -> bytes:
    """A workbook with the actuals sheet: one row per ``(indicator id, unit, name)`` of
    ``rows`` (``name`` a text, a ``{ru, ky, en}`` mapping shown in ``lang``, or None), the
    period columns of ``year`` empty, and the reason column."""
    from openpyxl import Workbook

    wb = Workbook()
    _actuals_sheet(wb.active, rows, year, periods, lang)
    return _bytes(wb)


def instructions_workbook(lang: str = "ru") -> bytes:
    """A workbook with the instructions sheet: the headings, a drop-down of the statuses in
    ``lang`` (words the reader accepts) and date formats on the date columns."""
    from openpyxl import Workbook

    wb = Workbook()
    _instructions_sheet(wb.active, lang)
    return _bytes(wb)


def monitoring_workbook_template(rows: Iterable, year: int, periods: str = "month", lang: str = "ru") -> bytes:
    """Both monthly tables in one workbook (``okmo template --from monitoring.yaml``): the
    actuals sheet with a row per indicator of the plans, and the instructions sheet. A
    monitoring file may name this one workbook as its ``actuals`` and its ``instructions``."""
    from openpyxl import Workbook

    wb = Workbook()
    _actuals_sheet(wb.active, rows, year, periods, lang, hide_ids=True)
    _instructions_sheet(wb.create_sheet(), lang)
    return _bytes(wb)


def monitoring_template(path, lang: str = "ru") -> bytes:
    """The workbook of both tables for the monitoring file at ``path``: a row for every
    indicator its plans give (a ratio is computed, so it has no row), by month."""
    from okmo_models.monitoring.model import indicator_plans, load_monitoring
    from okmo_models.monitoring.plans import RATIO

    f = load_monitoring(path)
    plans, _, _ = indicator_plans(f)
    rows = [(p.id, p.unit, p.label.render(lang)) for p in plans if p.kind != RATIO]
    return monitoring_workbook_template(rows, f.monitoring.year, "month", lang)

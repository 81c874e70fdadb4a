"""Excel workbooks for scenario files: a template to fill in, or a scenario written out.

``okmo template tariff|budget|programme`` writes an empty workbook with an example value
beside every input; ``okmo template --from SCENARIO`` writes an existing scenario into the
same layout (what a consultant hands to an economist). Both come from
:mod:`okmo_models.excel.layout`, i.e. from the declared schema, and are read back by
:mod:`okmo_models.excel.workbook_import`. Every cell is written by
:func:`okmo_models.excel.cells.put` (text stays text); the only formulas are the year
headings of a budget's yearly rows, which follow the years typed on the general sheet, and
the computed columns of the cost lines, the assets, the staffing table and the production
programme (:data:`~okmo_models.excel.sheets.COMPUTED`: a line's som a year, an asset's
depreciation, a position's pay, a route's kilometres and litres) and a tariff's summary
sheet, the калькуляция up to the revenue requirement, all of which the import never reads.
A formula holds cell references, numbers and the package's own unit words, never text from
the data (a word of a list is compared by a reference to its cell on the lists sheet).
"""

from __future__ import annotations

import io
from datetime import date
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from openpyxl import Workbook
from openpyxl.comments import Comment
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

from okmo_models.version import __version__
from okmo_models.excel.cells import put
from okmo_models.excel.tariff_formulas import number, quote_sheet, straight_line
from okmo_models.excel.choices import (
    choice_label,
    choice_labels,
    key_codes,
    quoted_code,
    row_choice_label,
    text_codes,
    unit_codes,
    unit_text,
)
from okmo_models.excel.formats import PERCENT_FORMAT, is_percent, shift
from okmo_models.excel.handles import Handles
from okmo_models.excel.layout import BY_YEAR, Input, Section, layout
from okmo_models.excel.sheets import (
    MISSING,
    TOTALS,
    RECORD_FIRST_ROW,
    RECORD_VALUE_COLUMN,
    TABLE_FIRST_ROW,
    TABLE_HINT_ROW,
    TABLE_KEY_ROW,
    TABLE_LABEL_ROW,
    Column,
    get,
    KEY,
    input_key,
    rows_of,
    table_columns,
)
from okmo_models.units import parse_unit
from okmo_models.formatting import format_quantity
from okmo_models.i18n import has, t
from okmo_models.examples import example_path
from okmo_models.kinds import KINDS

META_SHEET = "_okmo"
LISTS_SHEET = "_lists"
INPUT_ROWS = 300  # table rows given drop-downs and the input colour
SPARE = 2  # empty columns after a row of numbers, for another year

_TITLE = Font(bold=True, size=14)
_BOLD = Font(bold=True)
_KEY = Font(size=8, color="808080")
_HINT = Font(italic=True, size=9, color="595959")
_HEAD = PatternFill("solid", fgColor="DDEBF7")
_INPUT = PatternFill("solid", fgColor="FFF9DB")
_COMPUTED = PatternFill("solid", fgColor="E2EFDA")  # a column of formulas: not an input
_WRAP = Alignment(wrap_text=True, vertical="top")


# How an empty list (e.g. no VAT-exempt service) is written and read: an empty cell means "not given".
EMPTY_LIST = "—"

def template_workbook(kind: str, lang: str = "ru") -> bytes:
    """An empty workbook for a ``kind`` scenario, with examples from the bundled files."""
    examples = _examples(kind, lang)
    return _workbook(kind, None, lang, examples, rates=_template_rates(kind, examples))


def scenario_workbook(kind: str, data: dict, lang: str = "ru", source: str = "") -> bytes:
    """The workbook of a validated scenario's ``data`` (see :func:`scenario_data`), its ids
    shown by names in the reader's language (:mod:`okmo_models.excel.handles`)."""
    handles = Handles.of(data, lang)
    return _workbook(kind, handles.show(data), lang, _examples(kind, lang), source, handles,
                     _scenario_rates(kind, data, source))


def scenario_data(path: str | Path) -> tuple[str, dict]:
    """``(kind, data)`` of a scenario file, validated as its command would, with the
    values as the schema reads them (a variant merged into its baseline, a budget's
    history table read in)."""
    from okmo_models.kinds import kind_of

    kind = kind_of(path)
    return kind.name, dump(kind.load(path).model)


def dump(model) -> dict:
    """The data a validated model was made of (what was given, not the defaults)."""
    return model.model_dump(mode="python", exclude_unset=True, by_alias=True)


@lru_cache(maxsize=None)
def _examples(kind: str, lang: str) -> tuple[dict, ...]:
    """The bundled example files of ``kind``, read once (they are only read from), their
    ids shown by names in ``lang`` as a workbook made from them would show them.

    They ship inside the package: a missing or broken one is a packaging fault, raised here
    rather than giving a template without its example column."""
    examples = (scenario_data(example_path(name))[1] for name in KINDS[kind].examples)
    return tuple(Handles.of(data, lang).show(data) for data in examples)


# --- labels ---------------------------------------------------------------------------


def sheet_title(section: Section, lang: str) -> str:
    key = "xs_" + section.id.replace(".", "_")
    title = t(key, lang) if has(key) else section.id
    for ch in "[]:*?/\\":
        title = title.replace(ch, " ")
    return title[:31]


def input_label(inp: Input, lang: str, where: tuple = ()) -> str:
    """The label of ``inp``; ``where`` = ``(kind, sheet)`` finds a field's own label on
    that sheet (``xfs_objects_repairs_year``: the year of a repair, not of service) or in
    that kind (``xfs_passport_general_year``) before its usual one."""
    parts = [p for p in inp.path if p not in ("ru", "ky", "en")]
    field = str(parts[-1]) if parts else "value"
    kind, sheet = (*where, "", "")[:2]
    sheet = sheet.replace(".", "_")
    own = [f"xfs_{kind}_{sheet}_{field}", f"xfs_{sheet}_{field}"] if sheet and len(parts) <= 1 else []
    label = next((t(key, lang) for key in (*own, f"xf_{field}") if has(key)), field)
    if len(parts) > 1 and has(f"xf_{parts[-2]}_{field}"):  # a nested field's own label ("tyres: count")
        label = t(f"xf_{parts[-2]}_{field}", lang)
    elif len(parts) > 1:  # a field of a nested record: "uncertainty: low"
        outer = str(parts[-2])
        prefix = (t(f"xf_{outer}", lang) if has(f"xf_{outer}") else outer) + ": "
        label = label if label.startswith(prefix) else prefix + label  # not "Uncertainty: Uncertainty: low"
    if inp.path and inp.path[-1] in ("ru", "ky", "en"):
        label += f" ({t('wt_in_' + inp.path[-1], lang)})"
    return label + (" *" if inp.required else "")


def input_hint(inp: Input, lang: str) -> str:
    if inp.kind == "quantity":
        hint = t("xl_hint_quantity", lang)
    elif inp.kind == "choice":
        hint = t("xl_hint_choice", lang)
    else:
        hint = t(f"xl_hint_{inp.kind}", lang)
    return hint + ("; " + t("xl_hint_required", lang) if inp.required else "")


def key_label(section: Section, second: bool, lang: str) -> str:
    key = ("xk2_" if second else "xk_") + section.id.replace(".", "_")
    return (t(key, lang) if has(key) else ("key2" if second else "key")) + " *"


def parent_label(section: Section, lang: str) -> str:
    return t("xl_parent", lang, sheet=sheet_title(section.parent, lang)) + " *"


def hidden_for(inp: Input | None, lang: str) -> bool:
    """Is ``inp`` a text in English, kept out of sight in a Russian or Kyrgyz workbook? It is
    still written and read back: the file keeps its English names."""
    return inp is not None and lang != "en" and bool(inp.path) and inp.path[-1] == "en"


def _cell_value(inp: Input, value, lang: str, section: str = ""):
    """What goes in the cell for a value of the data (a choice in the reader's words)."""
    if value is MISSING or value is None:
        return None
    if inp.kind in ("choice", "text"):  # a text input may name a code too (a budget line)
        value = choice_label(section, input_key(inp), value, lang)
        if inp.kind == "choice":
            return value
    if unit_codes(section, inp.key) is not None:
        return unit_text(value, lang)
    if inp.kind == "bool":
        return t("xl_yes" if value else "xl_no", lang)
    if inp.kind == "texts":  # an empty list is "—", an empty cell would read as "not given"
        return "; ".join(map(str, value)) or EMPTY_LIST
    if isinstance(value, dict) and "value" in value:  # a quantity; 70 % is kept as 0.7, as Excel does
        return shift(value["value"], -2) if is_percent(value.get("unit")) else value["value"]
    return value


def _shows_percent(inp: Input | None, value) -> bool:
    """Is the cell of ``inp`` formatted as a percentage: a value given in %, or any value
    of a field that takes % only (collection rate, losses, shares...)."""
    if inp is None or inp.kind != "quantity":
        return False
    if isinstance(value, dict) and "unit" in value:
        return is_percent(value["unit"])
    return inp.units == ("%",)


# --- the workbook -----------------------------------------------------------------------


def _workbook(kind: str, data: dict | None, lang: str, examples: tuple[dict, ...], source: str = "",
              handles: Handles | None = None, rates: "_Rates | None" = None) -> bytes:
    sections = layout(kind)
    wb = Workbook()
    wb.remove(wb.active)
    titles = {s.id: sheet_title(s, lang) for s in sections}
    meta = wb.create_sheet(META_SHEET)
    lists = wb.create_sheet(t("wt_sheet_lists", lang))
    ctx = _Context(wb, lists, titles, lang, handles or Handles.of({}, lang))
    ctx.sections = {s.id: s for s in sections}
    ctx.data = data
    general_rows: dict[str, int] = {}
    for s in sections:
        ws = wb.create_sheet(titles[s.id])
        if s.shape == "record":
            rows = _write_record(ctx, ws, s, data, examples, kind)
            if s.id == "general":
                general_rows = rows
        else:
            _write_table(ctx, ws, s, data, examples, kind, general_rows)
    extra = []  # sheets of formulas the import skips: ("computed", id, title)
    if rates is not None:
        totals = wb.create_sheet(t("xs_totals", lang)[:31])
        _write_totals(ctx, totals, rates)
        extra.append(["computed", TOTALS, totals.title])
    ctx.add_references()
    # the machine's sheets last and hidden: what kind of workbook this is, which sheet is which
    wb.move_sheet(meta, offset=len(wb.sheetnames))
    wb.move_sheet(lists, offset=len(wb.sheetnames))
    meta.sheet_state = lists.sheet_state = "hidden"
    meta_rows = [["okmo-models workbook", kind], ["generator", f"okmo-models {__version__}"],
                 ["created", date.today().isoformat()], ["from", source], ["lists", lists.title],
                 *(["sheet", s.id, titles[s.id]] for s in sections), *extra,
                 *ctx.handles.meta_rows()]
    for r, values in enumerate(meta_rows, 1):
        for c, value in enumerate(values, 1):
            put(meta.cell(row=r, column=c), value)
    wb.active = 0
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


class _Context:
    """Drop-down lists (kept on a hidden sheet) and cross-sheet references."""

    def __init__(self, wb, lists, titles, lang, handles: Handles):
        self.wb, self.lists, self.titles, self.lang, self.handles = wb, lists, titles, lang, handles
        self.list_ranges: dict[tuple, str] = {}
        self.key_columns: dict[str, tuple[str, str]] = {}  # section -> (sheet, column letter)
        self.pending: list[tuple] = []  # (worksheet, cell range, target section)
        self.sections: dict[str, Section] = {}
        self.data: dict | None = None
        self._last_rows: dict[str, int] = {}

    def last_row(self, section_id: str) -> int:
        """The last row a formula's range over a table sheet reaches: its input rows."""
        if section_id not in self._last_rows:
            rows = rows_of(self.sections[section_id], self.data) if self.data is not None else []
            self._last_rows[section_id] = TABLE_FIRST_ROW + max(INPUT_ROWS, len(rows) + 50)
        return self._last_rows[section_id]

    def choice_range(self, values: tuple) -> str:
        if values not in self.list_ranges:
            col = get_column_letter(len(self.list_ranges) + 1)
            for i, v in enumerate(values, 1):
                put(self.lists[f"{col}{i}"], v)
            self.list_ranges[values] = f"{quote_sheet(self.lists.title)}!${col}$1:${col}${max(len(values), 1)}"
        return self.list_ranges[values]

    def choice_cell(self, values: tuple, value) -> str:
        """The cell of the lists sheet holding ``value`` of the drop-down ``values``: a formula
        compares a cell with it, never with the word itself (no text in a formula)."""
        col = self.choice_range(values).rpartition("!$")[2].partition("$")[0]
        return f"{quote_sheet(self.lists.title)}!${col}${values.index(value) + 1}"

    def dropdown(self, ws, cells: str, values: tuple, strict: bool = True) -> None:
        if not values:
            return
        dv = DataValidation(type="list", formula1="=" + self.choice_range(values), allow_blank=True,
                            errorStyle="stop" if strict else "warning")
        dv.error = t("xl_dropdown_error", self.lang)
        dv.add(cells)
        ws.add_data_validation(dv)

    def add_references(self) -> None:
        for ws, cells, target in self.pending:
            if target not in self.key_columns:
                continue
            sheet, col = self.key_columns[target]
            rng = f"{quote_sheet(sheet)}!${col}${TABLE_FIRST_ROW}:${col}${TABLE_FIRST_ROW + INPUT_ROWS}"
            dv = DataValidation(type="list", formula1="=" + rng, allow_blank=True, errorStyle="warning")
            dv.error = t("xl_dropdown_error", self.lang)
            dv.add(cells)
            ws.add_data_validation(dv)


def _reference_target(kind: str, section: Section, inp: Input) -> str | None:
    """The sheet whose keys an input names: a source, a consumer category, a component, a
    vehicle's fuel."""
    name = str(inp.path[-1]) if inp.path else ""
    if section.id == "production_programme.vehicles" and inp.key == "fuel":
        return "production_programme.fuels"
    if name.endswith("source") and name != "budget_scenario":
        return "sources"
    if kind == "tariff" and name == "category":
        return "categories"
    if kind == "tariff" and (name == "component" or name.endswith("_component")):
        return "components"
    return None


# Inputs and key columns that name a package parameter: a drop-down of their descriptions.
_PARAMETER_INPUTS = ("threshold_parameter", "income_groups_parameter")
# Key columns that name an entry of another sheet (a measure's score for a criterion).
_KEY_TARGETS = {"measures.scores": "criteria"}


def _write_record(ctx: _Context, ws, s: Section, data, examples, kind) -> dict[str, int]:
    lang = ctx.lang
    put(ws["A1"], ctx.titles[s.id]).font = _TITLE
    put(ws["A2"], _description(s, lang)).font = _HINT
    heads = [t("xl_col_key", lang), t("xl_col_label", lang), t("xl_col_hint", lang),
             t("xl_col_example", lang), t("xl_col_value", lang), t("xl_col_unit", lang)]
    for col, text in enumerate(heads, 1):
        cell = put(ws.cell(row=3, column=col), text)
        cell.font, cell.fill = _BOLD, _HEAD
    rows = {}
    example = next((e for e in examples if get(e, s.path, None)), {})
    for r, inp in enumerate(s.inputs, RECORD_FIRST_ROW):
        rows[inp.key] = r
        put(ws.cell(row=r, column=1), inp.key).font = _KEY
        put(ws.cell(row=r, column=2), input_label(inp, lang, (kind, s.id)))
        put(ws.cell(row=r, column=3), input_hint(inp, lang)).font = _HINT
        ex = get(example, s.path + inp.path)
        put(ws.cell(row=r, column=4), _example_text(inp, ex, lang, s.id)).font = _HINT
        if hidden_for(inp, lang):
            ws.row_dimensions[r].hidden = True
        value = get(data, s.path + inp.path) if data is not None else MISSING
        col = RECORD_VALUE_COLUMN
        if inp.kind == "numbers":
            values = list(value) if value not in (MISSING, None) else []
            for k in range(max(len(values), 1)):
                cell = put(ws.cell(row=r, column=col + k), values[k] if k < len(values) else None)
                cell.fill = _INPUT
            continue
        cell = ws.cell(row=r, column=col)
        put(cell, _cell_value(inp, value, lang, s.id))
        cell.fill = _INPUT
        if _shows_percent(inp, value):
            cell.number_format = PERCENT_FORMAT
        where = f"{get_column_letter(col)}{r}"
        if inp.kind == "quantity":
            unit = put(ws.cell(row=r, column=col + 1),
                       unit_text(value.get("unit"), lang) if isinstance(value, dict) else None)
            unit.fill = _INPUT
            ctx.dropdown(ws, f"{get_column_letter(col + 1)}{r}", _unit_choices(inp, lang), strict=False)
        elif inp.kind == "choice":
            ctx.dropdown(ws, where, choice_labels(s.id, input_key(inp), inp.choices, lang))
        elif inp.kind == "bool":
            ctx.dropdown(ws, where, (t("xl_yes", lang), t("xl_no", lang)))
        target = _reference_target(kind, s, inp)
        if target:
            ctx.pending.append((ws, where, target))
        elif inp.path and inp.path[-1] in _PARAMETER_INPUTS:
            ctx.dropdown(ws, where, ctx.handles.names("parameters"), strict=False)
    for col, width in zip("ABCDEF", (22, 40, 34, 24, 22, 20)):
        ws.column_dimensions[col].width = width
    ws.column_dimensions["A"].hidden = True  # the keys: for the import, not for the reader
    ws.freeze_panes = "E4"
    return rows


def _write_table(ctx: _Context, ws, s: Section, data, examples, kind, general_rows) -> None:
    lang = ctx.lang
    rows = rows_of(s, data) if data is not None else []
    example_rows = next((r for r in (rows_of(s, e) for e in examples) if r), [])
    widths = {}
    for inp in s.inputs:
        if inp.kind == "numbers":
            key = input_key(inp)
            longest = max([len(_as_list(r.item, inp)) for r in rows + example_rows[:1]] or [1])
            widths[key] = max(longest, 1) + SPARE
        elif inp.kind == "years":
            widths[input_key(inp)] = _year_headings(inp, rows if data is not None else example_rows)
    cols = table_columns(s, widths)
    put(ws["A1"], ctx.titles[s.id]).font = _TITLE
    put(ws["A2"], _description(s, lang)).font = _HINT
    example_rows = example_rows[:20]
    by_year = BY_YEAR.get(kind, set())
    last = ctx.last_row(s.id)  # the rows given drop-downs; the computed columns' ranges reach as far
    for c, col in enumerate(cols, 1):
        letter = get_column_letter(c)
        # the example of a column: its first value among the bundled examples' rows
        label, hint, ex = _column_texts(s, col, lang, example_rows[0] if example_rows else None, kind)
        if col.role == "key" and (key_codes(kind, s) or s.id == "parameters"):  # chosen from a list
            hint = t("xl_hint_choice", lang)
        for example in example_rows[1:]:
            if ex not in (None, ""):
                break
            ex = _column_texts(s, col, lang, example, kind)[2]
        head = put(ws.cell(row=TABLE_LABEL_ROW, column=c), label)
        if col.role == "year":  # the year itself heads its column: the reader may change it
            head.value, head.number_format = col.year, "0"
        if col.role == "element" and f"{s.id}.{input_key(col.input)}" in by_year and "years" in general_rows:
            # headed by the year of the general sheet's "years" row, so that it follows edits:
            # the one formula a template holds on purpose
            year = f"{quote_sheet(ctx.titles['general'])}!{get_column_letter(RECORD_VALUE_COLUMN + col.position - 1)}{general_rows['years']}"
            head.value = f'=IF({year}="","",{year})'
        head.font, head.fill, head.alignment = _BOLD, _HEAD, _WRAP
        if col.role == "computed":  # marked as computed: its own fill and a note on its heading
            head.fill = _COMPUTED
            head.comment = Comment(t("xl_computed_note", lang), "okmo")
        text = hint + (f"; {t('xl_col_example', lang).lower()}: {ex}" if ex not in (None, "") else "")
        put(ws.cell(row=TABLE_HINT_ROW, column=c), text).font = _HINT
        ws.cell(row=TABLE_HINT_ROW, column=c).alignment = _WRAP
        put(ws.cell(row=TABLE_KEY_ROW, column=c), col.key).font = _KEY
        ws.column_dimensions[letter].width = 12 if col.role in ("element", "year", "unit", "number") else (
            16 if col.role == "computed" else 22)
        ws.column_dimensions[letter].hidden = hidden_for(col.input, lang)
        cells = f"{letter}{TABLE_FIRST_ROW}:{letter}{last}"
        inp = col.input
        if col.role == "unit":
            ctx.dropdown(ws, cells, _unit_choices(inp, lang), strict=False)
        elif col.role == "input" and inp.kind == "choice":
            ctx.dropdown(ws, cells, choice_labels(s.id, input_key(inp), inp.choices, lang))
        elif col.role == "input" and inp.kind == "bool":
            ctx.dropdown(ws, cells, (t("xl_yes", lang), t("xl_no", lang)))
        elif col.role == "input" and text_codes(kind, s.id, inp.key):
            ctx.dropdown(ws, cells, choice_labels(s.id, inp.key, text_codes(kind, s.id, inp.key), lang), strict=False)
        elif col.role == "key" and key_codes(kind, s):
            # a fixed list refuses other names; the budget's lines elsewhere only warn (the
            # whole-file checks name the known lines)
            ctx.dropdown(ws, cells, choice_labels(s.id, KEY, key_codes(kind, s), lang), strict=bool(s.key_choices))
        elif col.role == "key" and s.id == "parameters":
            ctx.dropdown(ws, cells, ctx.handles.names("parameters"), strict=False)
        elif col.role == "key" and s.id in _KEY_TARGETS:
            ctx.pending.append((ws, cells, _KEY_TARGETS[s.id]))
        elif col.role == "parent":
            ctx.pending.append((ws, cells, s.parent.id))
        elif col.role == "input" and _reference_target(kind, s, inp):
            ctx.pending.append((ws, cells, _reference_target(kind, s, inp)))
        if col.role in ("key", "number") or (col.role == "input" and inp and inp.path == ("id",)):
            ctx.key_columns.setdefault(s.id, (ctx.titles[s.id], letter))
    ws.row_dimensions[TABLE_HINT_ROW].height = 48
    ws.row_dimensions[TABLE_KEY_ROW].hidden = True  # the keys: for the import, not for the reader
    for r in range(TABLE_FIRST_ROW, TABLE_FIRST_ROW + max(len(rows), 1) + 20):
        row = rows[r - TABLE_FIRST_ROW] if r - TABLE_FIRST_ROW < len(rows) else None
        for c, col in enumerate(cols, 1):
            cell = ws.cell(row=r, column=c)
            if col.role == "computed":  # a formula on every input row, so that a row added computes too
                cell.value = "=" + _computed_formula(ctx, s, col.key, r)
                cell.fill = _COMPUTED
                cell.number_format = "0.000" if col.key == "@allowance_factor" else "#,##0.00"
                continue
            if row is not None:
                put(cell, _row_value(s, col, row, lang))
            cell.fill = _INPUT
            if col.role == "input" and _shows_percent(col.input, _item_value(col.input, row)):
                cell.number_format = PERCENT_FORMAT
    first_input = next((i for i, c in enumerate(cols, 1) if c.role not in ("parent", "number", "key", "key2")), 1)
    ws.freeze_panes = f"{get_column_letter(first_input)}{TABLE_FIRST_ROW}"


def _year_headings(inp: Input, rows) -> tuple:
    """The years heading the columns of ``inp``'s figures by year: those the rows give, then
    :data:`SPARE` columns for the years after (for next year's figures), or headed blank for
    the reader to type a year in when no row gives one."""
    given = [_item_value(inp, r) for r in rows]
    years = sorted({int(y) for by_year in given if isinstance(by_year, dict) for y in by_year})
    spare = [years[-1] + k for k in range(1, SPARE + 1)] if years else [None] * SPARE
    return tuple(years + spare)


def _as_list(item, inp: Input) -> list:
    value = get(item, inp.path) if inp.path else item
    return list(value) if isinstance(value, (list, tuple)) else []


def _item_value(inp: Input, row):
    """The value of ``inp`` in a table row's item (MISSING for an empty row)."""
    if row is None:
        return MISSING
    return get(row.item, inp.path) if inp.path else row.item


def _row_value(s: Section, col: Column, row, lang: str):
    if col.role == "parent":  # the parent's key as its own sheet shows it
        return choice_label(s.parent.id, KEY, row.parent, lang)
    if col.role == "number":
        return row.number
    if col.role == "key":
        return choice_label(s.id, KEY, row.key, lang)
    if col.role == "key2":
        return row.key2
    value = _item_value(col.input, row)
    if col.role == "unit":
        return unit_text(value.get("unit"), lang) if isinstance(value, dict) else None
    if col.role == "element":
        values = value if isinstance(value, (list, tuple)) else []
        return values[col.position - 1] if col.position <= len(values) else None
    if col.role == "year":
        return value.get(col.year) if isinstance(value, dict) and col.year is not None else None
    if col.input.kind == "text" and value is not MISSING:  # a code in the words its row calls for
        value = row_choice_label(s.id, col.input.key, value, row.item, lang)
    return _cell_value(col.input, value, lang, s.id)


def _unit_choices(inp: Input, lang: str) -> tuple:
    """The units a value-with-unit input offers, in the reader's words."""
    return tuple(dict.fromkeys(unit_text(u, lang) for u in inp.units))


def _column_texts(s: Section, col: Column, lang: str, example, kind: str = ""):
    """(label, what to enter, example) of a table column."""
    if col.role == "computed":
        return computed_label(col.key, lang), t("xl_hint_computed", lang), None
    if col.role == "parent":
        return parent_label(s, lang), t("xl_hint_parent", lang), (
            quoted_code(choice_label(s.parent.id, KEY, example.parent, lang)) if example else None)
    if col.role == "number":
        return t("xl_col_number", lang) + " *", t("xl_hint_item_number", lang), 1
    if col.role in ("key", "key2"):
        second = col.role == "key2"
        hint = t("xl_hint_choice", lang) if s.key_choices and not second else t(
            "xl_hint_integer" if s.key_kinds[1 if second else 0] == "integer" else "xl_hint_key", lang)
        ex = (example.key2 if second else example.key) if example else None
        return key_label(s, second, lang), hint, (quoted_code(ex) if second else
                                                  quoted_code(choice_label(s.id, KEY, ex, lang)))
    inp = col.input
    own_value = f"xfs_{s.id.replace('.', '_')}_value"  # what a mapping's plain values are (points)
    label = (input_label(inp, lang, (kind, s.id)) if inp.path
             else (t(own_value, lang) if has(own_value) else t("xl_col_value", lang)) + " *")
    if col.role == "unit":
        ex = get(example.item, inp.path) if example and inp.path else (example.item if example else None)
        unit = ex.get("unit") if isinstance(ex, dict) else None
        return t("xl_col_unit", lang), t("xl_hint_unit", lang), unit_text(unit, lang)
    if col.role == "element":
        values = _as_list(example.item, inp) if example else []
        ex = values[col.position - 1] if col.position <= len(values) else None
        return f"{label.removesuffix(' *')} {col.position}", t("xl_hint_element", lang), ex
    if col.role == "year":
        by_year = _item_value(inp, example) if example else None
        ex = by_year.get(col.year) if isinstance(by_year, dict) else None
        if isinstance(ex, float) and ex.is_integer():
            ex = int(ex)
        return col.year, t("xl_hint_year", lang, field=label.removesuffix(" *")), ex
    ex = (get(example.item, inp.path) if inp.path else example.item) if example else None
    return label, input_hint(inp, lang), _example_text(inp, ex, lang, s.id)


def _example_text(inp: Input, value, lang: str, section: str = ""):
    if value is MISSING or value is None:
        return None
    if inp.kind == "quantity" and isinstance(value, dict):
        return format_quantity(value["value"], value["unit"], lang)
    if inp.kind == "numbers":
        return "; ".join(f"{v:g}" for v in list(value)[:4]) + ("; …" if len(value) > 4 else "")
    if inp.kind == "texts" and isinstance(value, (list, tuple)):
        value = [quoted_code(v) for v in value]
    shown = _cell_value(inp, value, lang, section)
    if isinstance(shown, float) and shown.is_integer():
        shown = int(shown)
    if inp.kind in ("text", "texts"):
        shown = quoted_code(shown)
    return shown if not isinstance(shown, str) or len(shown) <= 60 else shown[:59] + "…"


def _description(s: Section, lang: str) -> str:
    key = "xd_" + s.id.replace(".", "_")
    own = t(key, lang) if has(key) else ""
    general = t("xl_how_record" if s.shape == "record" else "xl_how_table", lang)
    return (own + " " + general).strip()


# --- computed columns ---------------------------------------------------------------------


def computed_label(key: str, lang: str) -> str:
    """The heading of a computed column (``@annual_pay``: «Фонд оплаты труда в год, сом»)."""
    return t("xc_" + key.lstrip("@"), lang)


def _factor(unit_cell: str, inp: Input, target: str | None, lang: str) -> str:
    """An Excel expression of the number that turns a value in the unit ``unit_cell`` shows
    (one of the units ``inp`` offers, in the reader's words) into ``target``: ``1`` when
    every offered unit is ``target``'s; a unit typed that the list does not hold counts as
    ``target`` (the figure is a help while filling in; the import reads the unit itself).
    ``target`` None: into base units (:func:`okmo_models.units.parse_unit`'s factor: som,
    year, m3...), so that a quantity's and a price's factors multiply into som a year; a
    percentage counts 1 there, Excel keeping 70 % as 0.7."""
    goal = parse_unit(target) if target else None
    expr = "1"
    for unit in reversed(inp.units):
        own = parse_unit(unit)
        if goal is None:
            factor = 1.0 if is_percent(unit) else own.factor
        else:
            factor = own.factor / goal.factor if own.same_dimension(goal) else None
        if factor is not None and abs(factor - 1) > 1e-12:
            expr = f'IF({unit_cell}="{unit_text(unit, lang)}",{_number(factor)},{expr})'
    return expr


def _times(expr: str) -> str:
    return "" if expr == "1" else f"*{expr}"


def _computed_formula(ctx: _Context, s: Section, key: str, r: int) -> str:
    """The formula (without its ``=``) of computed column ``key`` in row ``r`` of sheet ``s``:
    the derivation of :mod:`okmo_models.tariff.derivations` over the cells its figures are
    typed in. Empty while the row's first needed input is empty."""
    lang = ctx.lang
    letters: dict[str, dict[str, str]] = {}

    def letter(sid: str, k: str) -> str:
        if sid not in letters:  # these sheets hold no rows of numbers: their columns are fixed
            letters[sid] = {c.key: get_column_letter(i) for i, c in enumerate(table_columns(ctx.sections[sid], {}), 1)}
        return letters[sid][k]

    def here(k: str) -> str:
        return f"{letter(s.id, k)}{r}"

    def rng(sid: str, k: str) -> str:
        col = letter(sid, k)
        return f"{quote_sheet(ctx.titles[sid])}!${col}${TABLE_FIRST_ROW}:${col}${ctx.last_row(sid)}"

    def inp(sid: str, k: str) -> Input:
        return next(i for i in ctx.sections[sid].inputs if i.key == k)

    def unit_factor(sid: str, k: str, target: str | None, cell: str | None = None) -> str:
        return _times(_factor(cell or here(k + ".unit"), inp(sid, k), target, lang))

    sid = s.id
    if sid == "staffing.positions":
        allow, bonus, n = sid + ".allowances", sid + ".bonuses", here("@n")
        if key == "@monthly_pay":
            # salary x (1 + the allowances in %) + the allowances in money, som a month
            of = f'{rng(allow, "value")},{rng(allow, "@parent")},{n},{rng(allow, "value.unit")}'
            money = "".join(f'+SUMIFS({of},"{unit_text(u, lang)}"){_times(_constant(u, "som/month"))}'
                            for u in inp(allow, "value").units if u != "%")
            salary = here("salary")
            return (f'IF({salary}="","",{salary}{unit_factor(sid, "salary", "som/month")}'
                    f'*(1+SUMIFS({of},"%")){money})')
        # count x monthly pay x (12 months x (1 + bonuses in %) + bonuses in months' pay)
        monthly = here("@monthly_pay")
        share = f'SUMIFS({rng(bonus, "share")},{rng(bonus, "@parent")},{n})'
        months = f'SUMIFS({rng(bonus, "months")},{rng(bonus, "@parent")},{n})'
        return (f'IF({monthly}="","",{here("count")}{unit_factor(sid, "count", "staff")}*{monthly}'
                f'*(12*(1+{share})+{months}))')
    if sid == "production_programme.vehicles.routes":
        vehicles = "production_programme.vehicles"
        if key == "@km_year":  # trips a day x days a week x weeks x km a trip
            trips = here("trips_per_day")
            return (f'IF({trips}="","",{trips}*{here("days_per_week")}*{here("weeks")}*{here("km_per_trip")}'
                    f'{unit_factor(sid, "km_per_trip", "km")})')
        # km x the vehicle's norm per 100 km x its allowances
        km, match = here("@km_year"), f'MATCH({here("@parent")},{rng(vehicles, "@n")},0)'
        norm_unit = f'INDEX({rng(vehicles, "fuel_norm.unit")},{match})'
        return (f'IFERROR(IF({km}="","",{km}*INDEX({rng(vehicles, "fuel_norm")},{match})'
                f'{unit_factor(vehicles, "fuel_norm", "l/100km", norm_unit)}/100'
                f'*INDEX({rng(vehicles, "@allowance_factor")},{match})),"")')
    if sid == "production_programme.vehicles":
        routes, allowances = sid + ".routes", "production_programme.allowances"
        fuel, n = here("fuel"), here("@n")
        if key == "@allowance_factor":
            # 1 + each allowance named in the row's list ("a; b") x its months of the year / 12
            names, months = rng(allowances, "@key"), rng(allowances, "months")
            named = f'ISNUMBER(FIND(";"&{names}&";",";"&SUBSTITUTE({here("allowances")},"; ",";")&";"))'
            return (f'IF({fuel}="","",1+SUMPRODUCT({named}*({names}<>"")*{rng(allowances, "value")}'
                    f'*({months}+12*({months}=""))/12))')
        if key == "@km_year":
            return f'IF({fuel}="","",SUMIFS({rng(routes, "@km_year")},{rng(routes, "@parent")},{n}))'
        km = here("@km_year")
        if key == "@tyres_cost":  # km a year x tyres on the vehicle / km a tyre lasts x its price
            count, mileage = here("tyres.count"), here("tyres.mileage")
            return (f'IF(OR({fuel}="",{count}="",{mileage}=""),"",{km}*{count}/({mileage}'
                    f'{unit_factor(sid, "tyres.mileage", "km")})*{here("tyres.price")}'
                    f'{unit_factor(sid, "tyres.price", "som/piece")})')
        if key == "@repairs_cost":  # km a year x som a km
            repairs = here("repairs")
            return f'IF(OR({fuel}="",{repairs}=""),"",{km}*{repairs}{unit_factor(sid, "repairs", "som/km")})'
        # the routes' litres + machine hours x litres an hour
        hours = here("hours")
        return (f'IF({fuel}="","",SUMIFS({rng(routes, "@litres_year")},{rng(routes, "@parent")},{n})'
                f'+IF({hours}="",0,{hours}{unit_factor(sid, "hours", "hour/year")}'
                f'*{here("fuel_per_hour")}{unit_factor(sid, "fuel_per_hour", "l/hour")}))')
    if sid == "production_programme.fuels":
        name = here("@key")
        if key == "@litres_year":
            vehicles = "production_programme.vehicles"
            # SUMPRODUCT, not SUMIFS: a fuel's name is compared as it is, never read as a criterion
            return (f'IF({name}="","",SUMPRODUCT(({rng(vehicles, "fuel")}={name})*1,'
                    f'{rng(vehicles, "@litres_year")}))')
        litres = here("@litres_year")
        return f'IF({litres}="","",{litres}*{here("price")}{unit_factor(sid, "price", "som/l")})'
    if sid == "production_programme.chemicals":
        if key == "@kg_year":  # m3 produced x g/m3 / 1000
            produced = _record_quantity(ctx, "water", "produced", "m3/year")
            dose = here("dose")
            return f'IF({dose}="","",{produced}*{dose}{unit_factor(sid, "dose", "g/m3")}/1000)'
        kg = here("@kg_year")
        return f'IF({kg}="","",{kg}*{here("price")}{unit_factor(sid, "price", "som/kg")})'
    if sid == "cost_lines":  # an amount in som a year, or quantity x price, each in base units
        amount, quantity, price = here("amount"), here("quantity"), here("price")
        return (f'IF({amount}<>"",{amount}{unit_factor(sid, "amount", "som/year")},'
                f'IF(OR({quantity}="",{price}=""),"",{quantity}{unit_factor(sid, "quantity", None)}'
                f'*{price}{unit_factor(sid, "price", None)}))')
    if sid == "assets":
        # straight line in the tariff year, as the package's; an asset of the municipality
        # leased to the operator is not in its tariff
        value, life, year = here("value"), here("useful_life"), here("year")
        charge = straight_line(f"({value}{unit_factor(sid, 'value', 'som')})", year,
                               f"({life}{unit_factor(sid, 'useful_life', 'year')})",
                               _record_cell(ctx, "general", "tariff_year"))
        owner = inp(sid, "owner")
        municipal = ctx.choice_cell(choice_labels(sid, "owner", owner.choices, lang),
                                    choice_label(sid, "owner", "municipality", lang))
        kinds = next(i for i in ctx.sections["operator"].inputs if i.key == "type").choices
        lessee = ctx.choice_cell(choice_labels("operator", "type", kinds, lang),
                                 choice_label("operator", "type", "lessee", lang))
        in_tariff = f'OR({here("owner")}<>{municipal},{_record_cell(ctx, "operator", "type")}<>{lessee})'
        return f'IF(OR({value}="",{life}="",{year}=""),"",IF({in_tariff},{charge},0))'
    raise KeyError(f"no formula for {sid} {key}")


def _record_cell(ctx: _Context, sid: str, key: str, unit: bool = False) -> str:
    """The absolute address of input ``key``'s value (or its unit) on record sheet ``sid``."""
    section = ctx.sections[sid]
    row = RECORD_FIRST_ROW + next(i for i, inp in enumerate(section.inputs) if inp.key == key)
    col = get_column_letter(RECORD_VALUE_COLUMN + (1 if unit else 0))
    return f"{quote_sheet(ctx.titles[sid])}!${col}${row}"


def _record_quantity(ctx: _Context, sid: str, key: str, target: str | None) -> str:
    """Input ``key`` of record sheet ``sid`` times the factor of the unit beside it."""
    inp = next(i for i in ctx.sections[sid].inputs if i.key == key)
    return _record_cell(ctx, sid, key) + _times(_factor(_record_cell(ctx, sid, key, True), inp, target, ctx.lang))


def _constant(unit: str, target: str) -> str:
    """The factor from ``unit`` to ``target`` as a number, ``1`` for none."""
    factor = parse_unit(unit).factor / parse_unit(target).factor
    return "1" if abs(factor - 1) <= 1e-12 else _number(factor)


def _number(x: float) -> str:
    """A factor as a formula writes it: 15 significant digits, an exponent in capitals (1E-06)."""
    return number(float(f"{x:.15g}"))


# --- the summary of the калькуляция ---------------------------------------------------------


@dataclass(frozen=True)
class _Rates:
    """What the summary sheet takes from the package, not from the template's cells: the
    parameters in force in the tariff year (or the file's own values of them) and a landfill
    fee the program reckons on the categories' volumes."""

    year: int | None
    values: dict  # parameter name -> ParameterValue, or None when not in force
    exempt: tuple  # the services VAT is not charged on (none when the file sets its own rate)
    landfill_fee_som: float | None = None  # the package's fee, when the file gives one


_RATES = ("social_fund_employer_rate", "vat_rate", "sales_tax_rate", "sales_tax_rate_not_vat_taxable")


def _rates(scenario=None, year: int | None = None) -> _Rates:
    """The rates of ``scenario`` (validated), or those in force in ``year`` for a blank template."""
    from okmo_models.parameters import ParameterNotDefined, ParameterOfAnotherCountry, resolve

    s = scenario
    year = s.tariff_year if s is not None else year
    where = (s.parameters, s.sources, s.municipality.country) if s is not None else ()
    values = {}
    for name in (*_RATES, "vat_exempt_services"):
        try:
            values[name] = resolve(name, year, *where) if year else None
        except (ParameterNotDefined, ParameterOfAnotherCountry):
            values[name] = None
    own_vat = s is not None and "vat_rate" in s.parameters  # a tax office's ruling applies regardless
    exempt = values.pop("vat_exempt_services")
    fee = None
    if s is not None and s.waste is not None and s.waste.landfill_fee is not None:
        from okmo_models.errors import ScenarioError
        from okmo_models.tariff import TariffModel

        try:
            fee = TariffModel(s).landfill_fee_som
        except ScenarioError:
            fee = None
    return _Rates(year, values, () if own_vat or exempt is None else tuple(exempt.value), fee)


def _scenario_rates(kind: str, data: dict, source: str) -> _Rates | None:
    if kind != "tariff":
        return None
    from okmo_models.errors import ScenarioError

    try:
        scenario = KINDS[kind].validate(data, Path(source or "scenario.yaml"))
    except ScenarioError:  # written as it is; the summary takes the rates of its year
        return _rates(None, data.get("tariff_year"))
    return _rates(scenario)


def _template_rates(kind: str, examples: tuple[dict, ...]) -> _Rates | None:
    """A blank template's rates: those in force in its example's tariff year."""
    if kind != "tariff":
        return None
    return _rates(None, next((e["tariff_year"] for e in examples if e.get("tariff_year")), date.today().year))


def _write_totals(ctx: _Context, ws, rates: _Rates) -> None:
    """The summary of the калькуляция as live formulas over the template's own cells: each
    cost line kind (the lines given and those the staffing table and the production
    programme give), the Social Fund, depreciation, the costs, profit, debt service, the
    turnover taxes and the revenue requirement, as :class:`okmo_models.tariff.model.TariffModel`
    computes them. The import never reads it."""
    from okmo_models.parameters import known_parameters
    from okmo_models.provenance import source_text

    lang, titles = ctx.lang, ctx.titles
    put(ws["A1"], t("xs_totals", lang)).font = _TITLE
    put(ws["A2"], t("xd_totals", lang)).font = _HINT
    for col, text in enumerate((t("xt_col_item", lang), t("xt_col_amount", lang), t("xt_col_how", lang)), 1):
        cell = put(ws.cell(row=3, column=col), text)
        cell.font, cell.fill, cell.alignment = _BOLD, _HEAD, _WRAP
    for col, width in zip("ABC", (52, 22, 90)):
        ws.column_dimensions[col].width = width
    ws.freeze_panes = "B4"
    at: dict[str, str] = {}
    row = 4

    def heading(key: str) -> None:
        nonlocal row
        put(ws.cell(row=row, column=1), t(key, lang)).font = _BOLD
        row += 1

    def line(name: str, label: str, formula: str | float | None, how: str = "", percent: bool = False,
             bold: bool = False) -> None:
        nonlocal row
        put(ws.cell(row=row, column=1), label).font = _BOLD if bold else Font()
        cell = ws.cell(row=row, column=2)
        if isinstance(formula, str):
            cell.value, cell.fill = "=" + formula, _COMPUTED
        else:  # a rate of the package, written as a value: its source is beside it
            cell.value = formula
        cell.number_format = PERCENT_FORMAT if percent else "#,##0.00"
        if bold:
            cell.font = _BOLD
        put(ws.cell(row=row, column=3), how).alignment = _WRAP
        at[name] = f"B{row}"
        row += 1

    def rng(sid: str, key: str) -> str:
        col = next(get_column_letter(i) for i, c in enumerate(table_columns(ctx.sections[sid], {}), 1)
                   if c.key == key)
        return f"{quote_sheet(titles[sid])}!${col}${TABLE_FIRST_ROW}:${col}${ctx.last_row(sid)}"

    def sheets(*sids: str) -> str:
        return ", ".join(f"«{titles[sid]}»" for sid in sids)

    lines = ctx.sections["cost_lines"]
    kinds = next(i for i in lines.inputs if i.key == "line").choices
    words = choice_labels("cost_lines", "line", kinds, lang)
    programme = "production_programme"
    pumping = (f'IF(OR({_record_cell(ctx, "water", "produced")}="",{_record_cell(ctx, programme, "pumping.energy")}="",'
               f'{_record_cell(ctx, programme, "pumping.price")}=""),0,{_record_quantity(ctx, "water", "produced", None)}'
               f'*{_record_quantity(ctx, programme, "pumping.energy", None)}'
               f'*{_record_quantity(ctx, programme, "pumping.price", None)})')
    derived = {  # the lines the staffing table and the production programme give, by kind
        "labour": ([f'SUM({rng("staffing.positions", "@annual_pay")})'], ("staffing.positions",)),
        "fuel": ([f'SUM({rng(programme + ".fuels", "@cost_year")})'], (programme + ".fuels",)),
        "electricity": ([pumping], (programme,)),
        "materials": ([f'SUM({rng(programme + ".chemicals", "@cost_year")})',
                       f'SUM({rng(programme + ".vehicles", "@tyres_cost")})'],
                      (programme + ".chemicals", programme + ".vehicles")),
        "repairs": ([f'SUM({rng(programme + ".vehicles", "@repairs_cost")})'], (programme + ".vehicles",)),
    }
    given = {}
    heading("xt_section_lines")
    for kind, word in zip(kinds, words):
        # SUMPRODUCT, not SUMIFS: the kind's word is compared as it is, never read as a criterion
        given[kind] = (f'SUMPRODUCT(({rng("cost_lines", "line")}={ctx.choice_cell(words, word)})*1,'
                       f'{rng("cost_lines", "@annual_som")})')
        parts, where = derived.get(kind, ([], ()))
        line(f"line:{kind}", word, "+".join([given[kind], *parts]),
             t("xt_how_kind", lang, sheets=sheets("cost_lines", *where)))

    heading("xt_section_computed")

    def rate(name: str, label: str, extra: str = "") -> None:
        value = rates.values.get(name)
        spec = known_parameters()[name]
        if value is None:
            how = t("xt_rate_missing", lang, name=spec.description.get(lang) or spec.description["ru"],
                    year=rates.year or "—")
        else:
            how = t("xt_how_rate", lang, year=rates.year, source=str(source_text(value.source, lang)).rstrip(". "),
                    sheet=titles["parameters"])
        line(f"p:{name}", label, None if value is None else float(value.value), (how + " " + extra).strip(),
             percent=True)

    rate("social_fund_employer_rate", t("xt_social_fund_rate", lang))
    labour = at["line:labour"]
    line("social_fund", t("line_social_fund_auto", lang),
         f'IF(SUMPRODUCT(({rng("cost_lines", "line")}={ctx.choice_cell(words, words[kinds.index("social_fund")])})*1)>0,'
         f'0,{labour}*{at["p:social_fund_employer_rate"]})',
         t("xt_how_social_fund", lang, line=words[kinds.index("social_fund")], sheet=titles["cost_lines"]))
    line("depreciation", t("xt_depreciation", lang), f'SUM({rng("assets", "@depreciation")})',
         t("xt_how_depreciation", lang, sheet=titles["assets"], column=computed_label("@depreciation", lang)))
    fee = _record_cell(ctx, "waste", "landfill_fee")
    if rates.landfill_fee_som is not None:  # the program's figure: this sheet holds no volumes
        line("landfill", t("line_landfill_fee_auto", lang), f'IF({fee}="",0,{_number(rates.landfill_fee_som)})',
             t("xt_how_landfill_program", lang, sheet=titles["waste"]))
    else:
        line("landfill", t("line_landfill_fee_auto", lang), f'IF({fee}="",0,NA())',
             t("xt_how_landfill", lang, sheet=titles["waste"]))

    heading("xt_section_totals")
    computed = f'{at["social_fund"]}+{at["depreciation"]}+{at["landfill"]}'
    direct = "+".join(at[f"line:{k}"] for k in kinds if k != "overhead")
    line("production_cost", t("production_cost", lang), f"{direct}+{computed}", bold=True)
    line("total_costs", t("total_costs", lang), f'{at["production_cost"]}+{at["line:overhead"]}', bold=True)
    line("profitability", t("xt_profitability", lang), _record_cell(ctx, "general", "profitability"),
         t("xt_how_from", lang, sheet=titles["general"]), percent=True)
    line("profit", t("profit", lang), f'{at["total_costs"]}*{at["profitability"]}')
    debt = f'SUM({rng("debt_service", "amount")})' + "".join(
        f'+SUMIFS({rng("debt_service", "amount")},{rng("debt_service", "amount.unit")},"{unit_text(u, lang)}")'
        f'*{_number(factor - 1)}'
        for u in next(i for i in ctx.sections["debt_service"].inputs if i.key == "amount").units
        if abs((factor := parse_unit(u).factor / parse_unit("som/year").factor) - 1) > 1e-12)
    line("debt_service", t("debt_service", lang), debt, t("xt_how_kind", lang, sheets=sheets("debt_service")))
    line("net", t("xt_net", lang), f'{at["total_costs"]}+{at["profit"]}+{at["debt_service"]}', bold=True)

    yes = ctx.choice_cell((t("xl_yes", lang), t("xl_no", lang)), t("xl_yes", lang))
    services = next(i for i in ctx.sections["general"].inputs if i.key == "service").choices
    service_words = choice_labels("general", "service", services, lang)
    exempt = [ctx.choice_cell(service_words, choice_label("general", "service", c, lang))
              for c in rates.exempt if c in services]
    rate("vat_rate", t("xt_vat_rate", lang), t("xt_how_exempt", lang, services=", ".join(
        choice_label("general", "service", c, lang) for c in rates.exempt) or "—") if rates.exempt else "")
    service = _record_cell(ctx, "general", "service")
    vat = at["p:vat_rate"]
    if exempt:
        vat = f'IF(OR({",".join(f"{service}={c}" for c in exempt)}),0,{vat})'
    line("vat_applied", t("xt_vat_applied", lang), f'IF({_record_cell(ctx, "operator", "vat_payer")}={yes},{vat},0)',
         t("xt_how_vat", lang, sheet=titles["operator"]), percent=True)
    rate("sales_tax_rate", t("xt_sales_tax_rate", lang))
    rate("sales_tax_rate_not_vat_taxable", t("xt_sales_tax_rate_not_vat", lang))
    line("sales_tax_applied", t("xt_sales_tax_applied", lang),
         f'IF({_record_cell(ctx, "operator", "sales_tax_payer")}={yes},IF({at["vat_applied"]}>0,'
         f'{at["p:sales_tax_rate"]},{at["p:sales_tax_rate_not_vat_taxable"]}),0)',
         t("xt_how_sales_tax", lang, sheet=titles["operator"]), percent=True)
    line("vat", t("vat", lang), f'{at["net"]}*{at["vat_applied"]}')
    line("sales_tax", t("sales_tax", lang), f'{at["net"]}*{at["sales_tax_applied"]}')
    # a unit typed outside a column's list is read by the import but not converted here: the
    # requirement then shows #N/A rather than a wrong sum
    checked = [(sid, key) for sid, keys in (("cost_lines", ("amount", "quantity", "price")),
                                           ("assets", ("value", "useful_life")), ("debt_service", ("amount",)))
               for key in keys]
    outside = "+".join(
        f'SUMPRODUCT(({rng(sid, key + ".unit")}<>"")*(1-ISNUMBER(MATCH({rng(sid, key + ".unit")},'
        f'{ctx.choice_range(_unit_choices(next(i for i in ctx.sections[sid].inputs if i.key == key), lang))},0))))'
        for sid, key in checked)
    line("outside", t("xt_units_outside", lang), outside,
         t("xt_how_units_outside", lang, sheets=sheets("cost_lines", "assets", "debt_service")))
    ws[at["outside"]].number_format = "0"
    line("requirement", t("revenue_requirement", lang),
         f'IF({at["outside"]}>0,NA(),{at["net"]}+{at["vat"]}+{at["sales_tax"]})', bold=True)

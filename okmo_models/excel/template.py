"""Excel workbooks for scenario files: a template to fill in, or a scenario written out.

``okmo template tariff|budget|programme`` writes an empty workbook with an example value
beside every input; ``okmo template --from SCENARIO`` writes an existing scenario into the
same layout (what a consultant hands to an economist). Both come from
:mod:`okmo_models.excel.layout`, i.e. from the declared schema, and are read back by
:mod:`okmo_models.excel.workbook_import`. Every cell is written by
:func:`okmo_models.excel.cells.put` (text stays text); the only formulas are the year
headings of a budget's yearly rows, which follow the years typed on the general sheet, and
the computed columns of the staffing table and the production programme
(:data:`~okmo_models.excel.sheets.COMPUTED`: a position's pay, a route's kilometres and
litres), which the import never reads. A formula holds cell references, numbers and the
package's own unit words, never text from the data.
"""

from __future__ import annotations

import io
from datetime import date
from functools import lru_cache
from pathlib import Path

from openpyxl import Workbook
from openpyxl.comments import Comment
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter, quote_sheetname
from openpyxl.worksheet.datavalidation import DataValidation

from okmo_models.version import __version__
from okmo_models.excel.cells import put
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
    return _workbook(kind, None, lang, _examples(kind, lang))


def scenario_workbook(kind: str, data: dict, lang: str = "ru", source: str = "") -> bytes:
    """The workbook of a validated scenario's ``data`` (see :func:`scenario_data`), its ids
    shown by names in the reader's language (:mod:`okmo_models.excel.handles`)."""
    handles = Handles.of(data, lang)
    return _workbook(kind, handles.show(data), lang, _examples(kind, lang), source, handles)


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
              handles: Handles | None = None) -> bytes:
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
    ctx.add_references()
    # the machine's sheets last and hidden: what kind of workbook this is, which sheet is which
    wb.move_sheet(meta, offset=len(wb.sheetnames))
    wb.move_sheet(lists, offset=len(wb.sheetnames))
    meta.sheet_state = lists.sheet_state = "hidden"
    meta_rows = [["okmo-models workbook", kind], ["generator", f"okmo-models {__version__}"],
                 ["created", date.today().isoformat()], ["from", source], ["lists", lists.title],
                 *(["sheet", s.id, titles[s.id]] for s in sections),
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
            self.list_ranges[values] = f"{quote_sheetname(self.lists.title)}!${col}$1:${col}${max(len(values), 1)}"
        return self.list_ranges[values]

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
            rng = f"{quote_sheetname(sheet)}!${col}${TABLE_FIRST_ROW}:${col}${TABLE_FIRST_ROW + INPUT_ROWS}"
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
            year = f"{quote_sheetname(ctx.titles['general'])}!{get_column_letter(RECORD_VALUE_COLUMN + col.position - 1)}{general_rows['years']}"
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


def _factor(unit_cell: str, inp: Input, target: str, lang: str) -> str:
    """An Excel expression of the number that turns a value in the unit ``unit_cell`` shows
    (one of the units ``inp`` offers, in the reader's words) into ``target``: ``1`` when
    every offered unit is ``target``'s; a unit typed that the list does not hold counts as
    ``target`` (the figure is a help while filling in; the import reads the unit itself)."""
    goal = parse_unit(target)
    expr = "1"
    for unit in reversed(inp.units):
        own = parse_unit(unit)
        factor = own.factor / goal.factor if own.same_dimension(goal) else None
        if factor is not None and abs(factor - 1) > 1e-12:
            expr = f'IF({unit_cell}="{unit_text(unit, lang)}",{factor:.15g},{expr})'
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
        return f"{quote_sheetname(ctx.titles[sid])}!${col}${TABLE_FIRST_ROW}:${col}${ctx.last_row(sid)}"

    def inp(sid: str, k: str) -> Input:
        return next(i for i in ctx.sections[sid].inputs if i.key == k)

    def unit_factor(sid: str, k: str, target: str, cell: str | None = None) -> str:
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
            water = ctx.sections["water"]
            produced_input = next(i for i in water.inputs if i.key == "produced")
            row = RECORD_FIRST_ROW + water.inputs.index(produced_input)
            sheet = quote_sheetname(ctx.titles["water"])
            value = f"{sheet}!${get_column_letter(RECORD_VALUE_COLUMN)}${row}"
            unit = f"{sheet}!${get_column_letter(RECORD_VALUE_COLUMN + 1)}${row}"
            produced = value + _times(_factor(unit, produced_input, "m3/year", lang))
            dose = here("dose")
            return f'IF({dose}="","",{produced}*{dose}{unit_factor(sid, "dose", "g/m3")}/1000)'
        kg = here("@kg_year")
        return f'IF({kg}="","",{kg}*{here("price")}{unit_factor(sid, "price", "som/kg")})'
    raise KeyError(f"no formula for {sid} {key}")


def _constant(unit: str, target: str) -> str:
    """The factor from ``unit`` to ``target`` as a number, ``1`` for none."""
    factor = parse_unit(unit).factor / parse_unit(target).factor
    return "1" if abs(factor - 1) <= 1e-12 else f"{factor:.15g}"

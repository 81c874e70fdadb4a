"""How a scenario file maps onto an Excel workbook, derived from the declared schema.

The same pydantic models that validate a YAML scenario decide the workbook: every field
becomes an input (a cell, a value with its unit, or a row of numbers), every list or
mapping of records becomes a table sheet, every section a sheet of its own. Nothing is
declared twice, so a field added to the schema appears in the template and is read back
by the import without further code.

Shapes:

* a *record* sheet holds one record (the general data, the operator, the water section):
  one row per input, identified by its key in column A;
* a *table* sheet holds a list or a mapping of records (cost lines, categories, budget
  lines): one row per item, columns identified by their keys in the key row;
* a table inside an item of another table (the financing of an investment, the funding of
  a measure) is a *child* table: its first column names the item it belongs to (its id,
  key or number).
"""

from __future__ import annotations

import types
import typing
from dataclasses import dataclass, field
from functools import lru_cache

from pydantic import BaseModel, TypeAdapter, ValidationError

from okmo_models.kinds import KINDS
from okmo_models.scenario.schema import LocalText, Quantity

# Units offered in the drop-down of a value-with-unit input; each input offers those its
# field accepts (found by asking the schema), and other units may still be typed.
UNIT_SUGGESTIONS = (
    "%", "som", "thousand_som", "million_som", "som/year", "som/month", "thousand_som/year",
    "som/m3", "som/t", "som/l", "som/kWh", "som/km", "som/head", "som/dipping",
    "som/staff/month", "som/household/month", "som/person/month", "som/head/year",
    "m3/year", "t/year", "l/year", "kWh/year", "km/year", "trip/year", "hour/year", "piece/year",
    "m3/person/year", "t/person/year", "l/person/day", "m3/m2/month", "m3/m2/year", "t/m2/year",
    "t/m3", "m2", "som/m2/month", "person", "household", "head",
    "staff", "piece", "person/household", "km", "year", "dipping/year",
    # the staffing table and the production programme (issue 22)
    "thousand_som/month", "l/100km", "l/hour", "kWh/m3", "g/m3", "som/kg", "som/piece", "m3", "t",
    # a rent's months a year, a seasonal pay a year, heads treated a year: units of the bundled
    # examples, which the summary sheet converts only when offered (issue 22)
    "month/year", "som/staff/year", "head/year",
)

# Units offered only to a field that takes any unit (a cost line's quantity): months a year
# is a ratio, which a share would otherwise offer beside %.
_COUNTS_ONLY = ("month/year",)

# Mapping keys that must be one of known names (budget lines, funding kinds): offered as
# drop-downs; the whole-file checks refuse anything else with the list of known names.
KEY_CHOICES_MODULES = {
    "budget": ("okmo_models.budget.schema", {"revenue": "REVENUE_LINES", "expenditure": "EXPENDITURE_LINES",
                                             "plans": "EXPENDITURE_LINES"}),
    "programme": ("okmo_models.programme.schema", {"rules.source_limits": "FUNDING_KINDS"}),
}

# Rows of numbers that run along the budget years: their columns are headed by the years.
BY_YEAR = {"budget": {"revenue.values", "expenditure.values", "population.values",
                      "totals.revenue", "totals.expenditure"}}

# Kinds whose figures by year inside a table row (``dict[int, Number]``: a land's area, a
# herd's heads, a rate from a year on) are year columns, each headed by its year as Excel
# users lay out a time series; elsewhere such a mapping is a table of year/value rows.
YEAR_COLUMN_KINDS = ("passport", "economic_base")
# The kinds a file is laid out as a workbook for. A monitoring file is a few settings; what is
# filled in each month are its two tables, whose workbook is excel/monitoring_template.py.
WORKBOOK_KINDS = tuple(k for k in KINDS if k != "monitoring")


@dataclass(frozen=True)
class Input:
    """One input of a record or of a table row.

    ``kind`` is text, number, integer, bool, choice, quantity (value and unit), numbers
    (a row of numbers over several columns), years (numbers by year, one column a year,
    headed by its year) or texts (several names in one cell).
    """

    path: tuple
    kind: str
    required: bool = False
    choices: tuple = ()
    units: tuple = ()
    annotation: object = None

    @property
    def key(self) -> str:
        return ".".join(map(str, self.path))


@dataclass
class Section:
    """A sheet: a record, or a table of list items or mapping entries."""

    id: str  # "general", "cost_lines", "measures.funding"
    shape: str  # record | list | dict
    path: tuple  # where the section lives: from the root, or inside its parent's item
    inputs: list[Input] = field(default_factory=list)
    parent: "Section | None" = None
    key_kinds: tuple = ("text",)  # dict keys (two for a mapping of mappings): text or integer
    key_choices: tuple = ()
    value_only: bool = False  # dict of plain values: the item is the value itself
    listed: bool = False  # dict of lists of records: one row per record, its key repeated
    has_id: bool = False
    children: list["Section"] = field(default_factory=list)
    required: bool = False

    @property
    def numbered(self) -> bool:
        """List items referred to by number from a child table (they have no id)."""
        return self.shape == "list" and bool(self.children) and not (self.has_id and self.parent is None)


def _unwrap(tp):
    """``(type, optional?)`` of a field annotation: ``X | None`` -> ``(X, True)``."""
    optional = False
    while True:
        origin = typing.get_origin(tp)
        if origin in (typing.Union, types.UnionType):
            args = [a for a in typing.get_args(tp) if a is not type(None)]
            optional = optional or len(args) < len(typing.get_args(tp))
            tp = args[0] if len(args) == 1 else tp
            if len(args) != 1:
                return tp, optional
            continue
        return tp, optional


def _field_type(info) -> tuple:
    """``(type, optional?)`` of a model field. Pydantic moves the validators of a field
    annotated ``Share`` (``Annotated[Quantity, ...]``) into ``info.metadata``; they are put
    back, so that the units a quantity accepts can be asked of its type."""
    tp, optional = _unwrap(info.annotation)
    if info.metadata and _scalar_kind(tp) == "quantity":
        tp = typing.Annotated[(tp, *info.metadata)]
    return tp, optional


def _core(tp):
    """The type under ``Annotated[...]``."""
    while typing.get_origin(tp) is typing.Annotated:
        tp = typing.get_args(tp)[0]
    return tp


def _is_model(tp) -> bool:
    return isinstance(tp, type) and issubclass(tp, BaseModel)


def _scalar_kind(tp) -> str | None:
    core = _core(tp)
    if core is Quantity:
        return "quantity"
    if core is LocalText or (typing.get_origin(core) in (typing.Union, types.UnionType)
                             and LocalText in typing.get_args(core)):  # "text" or {ru: ..., ky: ...}
        return "local"
    if typing.get_origin(core) is typing.Literal:
        return "choice"
    if core is bool:
        return "bool"
    if core is int:
        return "integer"
    if core is float:
        return "number"
    if core is str:
        return "text"
    origin = typing.get_origin(core)
    if origin in (list, tuple):
        args = [a for a in typing.get_args(core) if a is not Ellipsis]
        inner = _scalar_kind(args[0]) if args else None
        if inner in ("number", "integer"):
            return "numbers"
        if inner == "text":
            return "texts"
    return None


@lru_cache(maxsize=None)
def _accepted_units(annotation) -> tuple:
    adapter = TypeAdapter(annotation)
    accepted = []
    for unit in UNIT_SUGGESTIONS:
        try:
            adapter.validate_python({"value": 1, "unit": unit})
        except ValidationError:
            continue
        accepted.append(unit)
    if "km" not in accepted:  # months a year, a ratio too, only where any unit is taken (not a share's list)
        accepted = [u for u in accepted if u not in _COUNTS_ONLY]
    return tuple(accepted)


def _leaf(path: tuple, tp, required: bool) -> list[Input]:
    kind = _scalar_kind(tp)
    if kind == "local":
        return [Input(path + ("ru",), "text", required), Input(path + ("ky",), "text"),
                Input(path + ("en",), "text")]
    if kind == "quantity":
        return [Input(path, "quantity", required, units=_accepted_units(tp), annotation=tp)]
    if kind == "choice":
        return [Input(path, "choice", required, choices=tuple(typing.get_args(_core(tp))))]
    return [Input(path, kind, required)]


def _fill(section: Section, model: type[BaseModel], prefix: tuple, kind: str, item_level: bool,
          required: bool = True) -> None:
    """Put ``model``'s fields into ``section`` (flattening nested records) and make child
    sections for its lists and mappings of records."""
    for name, info in model.model_fields.items():
        key = info.alias or name
        tp, optional = _field_type(info)
        needed = required and info.is_required() and not optional
        here = prefix + (key,)
        if _scalar_kind(tp) is not None:
            section.inputs.extend(_leaf(here, tp, needed))
        elif item_level and kind in YEAR_COLUMN_KINDS and _by_year(tp):
            section.inputs.append(Input(here, "years", needed))
        elif _is_model(tp):
            _fill(section, tp, here, kind, item_level, needed)
        else:
            child = _collection(kind, section, here, tp, item_level)
            child.required = needed
            section.children.append(child)


def _collection(kind: str, owner: Section, path: tuple, tp, item_level: bool) -> Section:
    """The table of a list or mapping field: inside ``owner``'s items when ``item_level``,
    else at ``owner.path + path`` (``owner`` being a record sheet or the general sheet)."""
    origin = typing.get_origin(tp)
    args = typing.get_args(tp)
    where = path if item_level else owner.path + path
    section_id = ".".join(p for p in (*([owner.id] if owner.id != "general" else []), *map(str, path)))
    parent = owner if item_level else None
    if origin is list and _is_model(args[0]):
        s = Section(section_id, "list", where, parent=parent, has_id="id" in args[0].model_fields)
        _fill(s, args[0], (), kind, item_level=True)
        return s
    if origin is dict:
        key_tp, value_tp = args
        key_kinds = ["integer" if _core(key_tp) is int else "text"]
        value_tp, _ = _unwrap(value_tp)
        if typing.get_origin(value_tp) is dict:  # a mapping of mappings: two key columns
            inner_key, value_tp = typing.get_args(value_tp)
            key_kinds.append("integer" if _core(inner_key) is int else "text")
            value_tp, _ = _unwrap(value_tp)
        # keys from a closed list (a condition's points): a drop-down of the list's words
        literal_keys = typing.get_args(_core(key_tp)) if typing.get_origin(_core(key_tp)) is typing.Literal else ()
        s = Section(section_id, "dict", where, parent=parent, key_kinds=tuple(key_kinds),
                    key_choices=_key_choices(kind, section_id) or tuple(literal_keys))
        if typing.get_origin(_core(value_tp)) is list and _is_model(typing.get_args(_core(value_tp))[0]):
            # a mapping of lists of records (a budget line's revenue terms): a row per record
            s.listed = True
            _fill(s, typing.get_args(_core(value_tp))[0], (), kind, item_level=True)
        elif _is_model(value_tp):
            _fill(s, value_tp, (), kind, item_level=True)
        elif _scalar_kind(value_tp) is not None:
            s.value_only = _scalar_kind(value_tp) != "local"  # a text in languages is a record of them
            s.inputs.extend(_leaf((), value_tp, True))
        else:
            raise TypeError(f"no workbook layout for {section_id}: {tp!r}")
        return s
    raise TypeError(f"no workbook layout for {section_id}: {tp!r}")


def _by_year(tp) -> bool:
    """Is ``tp`` a mapping of years to plain numbers (``dict[int, Number]``)?"""
    tp = _core(tp)
    if typing.get_origin(tp) is not dict:
        return False
    key_tp, value_tp = typing.get_args(tp)
    return _core(key_tp) is int and _scalar_kind(_unwrap(value_tp)[0]) in ("number", "integer")


def _key_choices(kind: str, section_id: str) -> tuple:
    import importlib

    module, names = KEY_CHOICES_MODULES.get(kind, ("", {}))
    if section_id not in names:
        return ()
    return tuple(getattr(importlib.import_module(module), names[section_id]))


@lru_cache(maxsize=None)
def layout(kind: str) -> tuple[Section, ...]:
    """Every sheet of a ``tariff``, ``budget`` or ``programme`` workbook, in order."""
    if kind not in WORKBOOK_KINDS:
        raise ValueError(f"a {kind} file has no workbook layout")
    schema = KINDS[kind].output(KINDS[kind].schema)
    general = Section("general", "record", ())
    sections = [general]
    later = []
    for name, info in schema.model_fields.items():
        key = info.alias or name
        tp, optional = _field_type(info)
        needed = info.is_required() and not optional
        if _scalar_kind(tp) is not None:
            general.inputs.extend(_leaf((key,), tp, needed))
        elif _is_model(tp) and key == "municipality":
            _fill(general, tp, (key,), kind, item_level=False, required=needed)
        elif _is_model(tp):
            record = Section(key, "record", (key,), required=needed)
            _fill(record, tp, (), kind, item_level=False, required=True)
            later.append(record)
        else:
            s = _collection(kind, general, (key,), tp, item_level=False)
            s.required = needed
            later.append(s)
    for s in later:
        # a section that is only a list (the staffing table's positions) has no record sheet
        # of its own: its table is the sheet, and the import makes the section from it
        walked = list(_walk(s))
        sections.extend(w for w in walked if not (w.shape == "record" and not w.inputs and w.children))
    sections[1:1] = [c for c in general.children]
    general.children = []
    return tuple(sections)


def _walk(section: Section):
    yield section
    for child in section.children:
        yield from _walk(child)

"""The калькуляция as live Excel formulas: the pieces the tariff workbook is written with.

A formula is written with its cells *named* (``{line:3:qty}*{line:3:price}``) and the names
are resolved to cell addresses when the workbook is saved, so a sheet may refer to a row
written after it. Every formula carries the package's own figure, which is stored as the
formula's cached value: a viewer that does not compute (an e-mail preview, openpyxl with
``data_only``) shows the number the PDF and the CLI print, and Excel, which recomputes on
opening, shows the same number. A figure the sheet cannot follow (components, cost
sharing, the path, Monte Carlo) is a :class:`ProgramValue`: a plain value marked as
computed by the program.

Rounding is written exactly as :func:`okmo_models.formatting.round_to_step` does it: the
value times the steps in one som (100 for 0.01 som: ``x*100`` and ``/100``, because 0.01 is
inexact in binary), cleaned to a millionth of a step, then rounded half away from zero
(``ROUND``), up (``-INT(-x)``, the ceiling) or down (``INT``, the floor). The package skips
the cleaning beyond 1e9 steps (ten million som per unit at 0.01 som); the sheet cleans always,
which no tariff reaches.

Text from the user's data never enters a formula: formulas are built from names made of
indices and from numbers only.
"""

from __future__ import annotations

import io
import math
import re
import zipfile
from dataclasses import dataclass
from xml.sax.saxutils import escape

_NAME = re.compile(r"\{([^{}]+)\}")


@dataclass(frozen=True)
class Formula:
    """An Excel formula without its ``=``, cells referred to as ``{name}``, and the package's
    figure for it (the cached value; None when the package has none to show)."""

    text: str
    value: float | None


@dataclass(frozen=True)
class ProgramValue:
    """A figure computed by the program in a way the sheet does not follow: written as a
    value and marked so."""

    value: float | None


def quote_sheet(title: str) -> str:
    """A sheet's name as a formula writes it: ``'Исходные данные'``."""
    return "'" + title.replace("'", "''") + "'"


def resolve(text: str, names: dict, sheet: str) -> str:
    """``text`` with every ``{name}`` replaced by its cell: bare on its own sheet,
    ``'Sheet'!C5`` on another."""
    def one(m):
        title, coordinate = names[m.group(1)]
        return coordinate if title == sheet else f"{quote_sheet(title)}!{coordinate}"

    return _NAME.sub(one, text)


def sum_of(names, empty: str = "0") -> str:
    """``SUM({a},{b})`` of named cells (Excel takes up to 255 arguments), ``empty`` for none."""
    names = list(names)
    if not names:
        return empty
    if len(names) > 255:
        return "+".join(sum_of(names[i:i + 255]) for i in range(0, len(names), 255))
    return "SUM(" + ",".join("{" + n + "}" for n in names) + ")"


def products(pairs, empty: str = "0") -> str:
    """``{a}*{b}+{c}*{d}`` of pairs of named cells (each pair's factors may be more than two)."""
    parts = ["*".join("{" + n + "}" for n in pair) for pair in pairs]
    return "+".join(parts) if parts else empty


def number(x: float) -> str:
    """A constant as a formula writes it: ``12``, ``0.01``, ``1E-09``."""
    x = float(x)
    if x.is_integer() and abs(x) < 1e15:
        return str(int(x))
    return repr(x).upper()


class Rounding:
    """:func:`~okmo_models.formatting.round_to_step` as an Excel formula over the cells of
    the step (``step``) and of the steps in one som (``per_som``, ``=1/step``)."""

    def __init__(self, mode: str, step: float, step_name: str = "p:step", per_som_name: str = "p:per_som"):
        if mode not in ("half_up", "up", "down"):
            raise ValueError(mode)
        self.mode = mode
        self.exact = (1.0 / step).is_integer()
        self.step, self.per_som = "{" + step_name + "}", "{" + per_som_name + "}"

    def __call__(self, x: str) -> str:
        steps = f"ROUND(({x})*{self.per_som},6)" if self.exact else f"ROUND(({x})/{self.step},6)"
        whole = {"half_up": f"ROUND({steps},0)", "up": f"-INT(-{steps})", "down": f"INT({steps})"}[self.mode]
        return f"{whole}/{self.per_som}" if self.exact else f"{whole}*{self.step}"

    def publish(self, x: str, tax: str) -> str:
        """:meth:`TariffModel.publish`: the tariff without taxes rounded, the taxes on it rounded."""
        return self(f"{self(f'({x})/{tax}')}*{tax}")


def straight_line(value: str, year: str, life: str, tariff_year: str) -> str:
    """:func:`okmo_models.tariff.formulas.straight_line_depreciation` in Excel: ``value/life`` a
    year from the year in service until written off, a smaller last charge, nothing before."""
    annual = f"{value}/{life}"
    elapsed = f"({tariff_year}-{year})"
    return (f"IF({elapsed}>=0,MAX(0,MIN({annual},{value}-{annual}*MAX(0,MIN({life},{elapsed})))),0)")


# --- derivations: a derived cost line's quantity and price as cells ----------------------------


@dataclass(frozen=True)
class Node:
    """One cell of a derivation: a figure of the file (``formula`` None) or a step."""

    name: str
    expr: object
    formula: str | None


def derivation_nodes(expr, prefix: str, seen: dict) -> list[Node]:
    """The cells of ``expr`` (a ``derivations.Figure`` or ``Step``), parts before the steps that
    use them. ``seen`` maps what is already written (a figure by its place in the file, any
    expression by identity) to its name, so a figure used twice is one cell."""
    out: list[Node] = []
    _walk(expr, prefix, seen, out)
    return out


def _key(expr):
    path = getattr(expr, "path", None)
    return ("path", tuple(path)) if getattr(expr, "op", None) is None and path is not None else ("id", id(expr))


def _walk(expr, prefix, seen, out) -> str | None:
    """The name of ``expr``'s cell (None: a constant written into the formula)."""
    if getattr(expr, "op", None) is None:  # a Figure
        if expr.path is None:
            return None
        key = _key(expr)
        if key not in seen:
            seen[key] = f"{prefix}:{len(seen)}"
            out.append(Node(seen[key], expr, None))
        return seen[key]
    key = _key(expr)
    if key in seen:
        return seen[key]
    parts = []
    for term in expr.terms:
        name = _walk(term, prefix, seen, out)
        ref = number(term.value) if name is None else "{" + name + "}"
        parts.append((ref, getattr(term, "divide", False)))
    if expr.op == "product":
        text = ""
        for ref, divide in parts:  # left to right, as Step computes it
            if not text:
                text = f"1/{ref}" if divide else ref
            else:
                text += ("/" if divide else "*") + ref
    elif expr.op == "sum":
        text = "SUM(" + ",".join(ref for ref, _ in parts) + ")"
    else:
        raise ValueError(expr.op)
    if expr.scale != 1.0:
        text = f"{text}*{number(expr.scale)}"
    same = ("formula", text)  # the same step of the same cells (an allowance of two vehicles): one cell
    if same in seen:
        seen[key] = seen[same]
        return seen[key]
    seen[key] = seen[same] = f"{prefix}:{len(seen)}"
    out.append(Node(seen[key], expr, text))
    return seen[key]


# --- cached values -----------------------------------------------------------------------------------

_REL = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}id"
_CELL = re.compile(r'<c r="([A-Z]+[0-9]+)"([^>]*)><f>([^<]*)</f><v\s*/?>(?:</v>)?</c>')


def _sheet_parts(z: zipfile.ZipFile) -> dict[str, str]:
    """Sheet title -> the part (``xl/worksheets/sheet2.xml``) holding it."""
    from xml.etree import ElementTree

    rels = ElementTree.fromstring(z.read("xl/_rels/workbook.xml.rels"))
    target = {r.get("Id"): r.get("Target") for r in rels}
    book = ElementTree.fromstring(z.read("xl/workbook.xml"))
    out = {}
    for sheet in book.iter("{http://schemas.openxmlformats.org/spreadsheetml/2006/main}sheet"):
        part = target[sheet.get(_REL)].lstrip("/")
        out[sheet.get("name")] = part if part.startswith("xl/") else "xl/" + part
    return out


def with_cached_values(data: bytes, cached: dict) -> bytes:
    """The workbook ``data`` with ``cached[(sheet title, "C5")]`` stored as the cached value of
    each formula cell (openpyxl writes formulas with an empty one). Excel recomputes on
    opening (``fullCalcOnLoad``); other viewers show these."""
    by_sheet: dict[str, dict[str, float]] = {}
    for (title, coordinate), value in cached.items():
        if isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value):
            by_sheet.setdefault(title, {})[coordinate] = float(value)
    source = zipfile.ZipFile(io.BytesIO(data))
    parts = {part: by_sheet[title] for title, part in _sheet_parts(source).items() if title in by_sheet}
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for item in source.infolist():
            content = source.read(item.filename)
            if item.filename in parts:
                values = parts[item.filename]

                def cell(m, values=values):
                    value = values.get(m.group(1))
                    shown = "" if value is None else escape(repr(value + 0.0))
                    return f'<c r="{m.group(1)}"{m.group(2)}><f>{m.group(3)}</f><v>{shown}</v></c>'

                content = _CELL.sub(cell, content.decode("utf-8")).encode("utf-8")
            target.writestr(item, content)
    return out.getvalue()

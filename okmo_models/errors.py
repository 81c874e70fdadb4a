"""Errors a user can act on: which file, which field, which value, what to do.

Anything raised as :class:`OkmoError` is shown to the user as text in their language;
the command line never shows a traceback for it.
"""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass, field

from okmo_models.i18n import default_language, t

_CELL = re.compile(r"^[A-Z]{1,3}[1-9][0-9]*$")

# Characters that must not reach a terminal, a workbook or a report: C0 controls but tab and
# line breaks, DEL, C1 controls (ESC sequences start here), lone surrogates (unwritable) and
# the bidirectional overrides that make text read other than it is stored.
CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff\u202a-\u202e\u2066-\u2069]")


class OkmoError(Exception):
    """Base for errors that carry a message for the user."""

    def render(self, lang: str | None = None) -> str:  # pragma: no cover - overridden
        return str(self)


class Key(int):
    """A whole-number key of a mapping (a year: ``cpi.2027``) in a problem's path, where a
    plain int is a position in a list (``cost_lines[3]``). Equal to the int, so that a path
    still finds its cell."""


class Refusal(OkmoError):
    """A request okmo will not carry out (not a problem inside a file): the message ``key``
    with its ``context``, e.g. a re-base the user did not confirm."""

    def __init__(self, key: str, **context):
        super().__init__(key)
        self.key, self.context = key, context

    def render(self, lang: str | None = None) -> str:
        return t(self.key, lang, **self.context)


@dataclass(frozen=True)
class Problem:
    """One thing wrong in an input file."""

    path: tuple = ()
    key: str = ""
    value: object = None
    context: dict = field(default_factory=dict)
    line: int | None = None

    def field_path(self) -> str:
        """``cost_lines[3].price`` with list positions counted from 1, as people count;
        ``cpi.2027`` for a mapping's key (:class:`Key`)."""
        out = ""
        for part in self.path:
            if isinstance(part, int) and not isinstance(part, Key):
                out += f"[{part + 1}]"
            else:  # a key from the file (an unknown field's name) is shown safely, and short
                out += ("." if out else "") + shorten(str(part), 60)
        return out or "—"


class ScenarioError(OkmoError):
    """A scenario or parameter file that cannot be used, with every problem found in it."""

    def __init__(self, file: str, problems: list[Problem]):
        self.file = str(file)
        self.problems = list(problems)
        super().__init__(self.render("en"))

    def render(self, lang: str | None = None) -> str:
        lines = [t("error_in_file", lang, file=printable(self.file), count=len(self.problems))]
        for i, p in enumerate(self.problems, 1):
            sheet, cell = sheet_cell(p)
            is_cell = cell is not None  # a cell of a CSV table or of a workbook's sheet
            if sheet:
                where = t("error_sheet_cell", lang, sheet=sheet, cell=cell)
                if p.context.get("field"):  # the scenario file's field, for those who know it
                    where += f" ({p.context['field']})"
            elif not p.path:
                where = ""  # about the whole file (or a line of it): the message says it
            else:
                where = t("error_cell" if is_cell else "error_field", lang, path=p.field_path())
            if p.line is not None and not is_cell:
                where += (", " if where else "") + t("error_line", lang, line=p.line)
            context = {**_safe_context(p.context, lang), "value": as_written(p.value)}
            if where:
                lines.append(f"{i}. {where}")
            else:
                lines.append(f"{i}. " + t(p.key, lang, **context))
                continue
            if p.value is not None:
                lines.append("   " + t("error_value", lang, value=as_written(p.value)))
            lines.append("   " + t(p.key, lang, **context))
        return "\n".join(lines)

    def __str__(self) -> str:
        return self.render()


def sheet_cell(p: Problem) -> tuple[str | None, str | None]:
    """``("Калькуляция", "F7")`` for a problem at ``Калькуляция!F7``, ``(None, "F3")`` for a
    CSV cell, ``(None, None)`` for a field of a scenario file."""
    if len(p.path) != 1:
        return None, None
    sheet, bang, cell = str(p.path[0]).rpartition("!")
    if _CELL.match(cell) is None:
        return None, None
    return (sheet if bang else None), cell


def printable(text: str) -> str:
    r"""``text`` with every control character written as its escape (``\x1b``), so that it
    shows what the file holds without acting on the screen.

    >>> print(printable("AO\x1b[31m"))
    AO\x1b[31m
    """
    return CONTROL.sub(lambda m: m.group().encode("unicode_escape", "backslashreplace").decode("ascii"), text)


def shorten(text: str, limit: int = 80) -> str:
    """``text`` made safe to print (see :func:`printable`) and cut to ``limit`` characters."""
    text = printable(text)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def as_written(value: object, limit: int = 80) -> str:
    """A value as the user wrote it: text quoted, a date as 2024-01-01 (not a Python repr),
    -5000 (not -5000.0); never longer than ``limit`` characters, never a control character."""
    if isinstance(value, str):
        return shorten(f"'{value}'", limit)
    if isinstance(value, bool):  # as YAML writes it, not Python's True
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return shorten(str(int(value)), limit)
    if isinstance(value, (datetime.date, datetime.time)):  # a YAML date, not a Python repr
        return shorten(str(value), limit)
    return shorten(repr(value), limit)


# Context entries the program writes itself (lists of known values, parser details) may be
# longer than a value from the file, but not without end.
_LONG_CONTEXT = ("known", "expected", "detail", "cycle")


def _safe_context(context: dict, lang: str | None) -> dict:
    """Context values ready for a message: a text given in every language ({ru, ky, en})
    in the reader's, text escaped and shortened (a 100 KB unit is not echoed), a limit of
    0.0 shown as 0, a date as written."""
    out = {}
    for key, value in context.items():
        if isinstance(value, dict) and "ru" in value:
            value = value.get(lang or default_language()) or value["ru"]
        if isinstance(value, float) and value.is_integer():
            value = str(int(value))
        elif isinstance(value, (datetime.date, datetime.time)):
            value = str(value)
        if isinstance(value, str):
            value = shorten(value, 400 if key in _LONG_CONTEXT else 80)
        out[key] = value
    return out

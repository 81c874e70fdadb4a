"""Errors a user can act on: which file, which field, which value, what to do.

Anything raised as :class:`OkmoError` is shown to the user as text in their language;
the command line never shows a traceback for it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from okmo_models.i18n import t

_CELL = re.compile(r"^[A-Z]{1,3}[1-9][0-9]*$")


class OkmoError(Exception):
    """Base for errors that carry a message for the user."""

    def render(self, lang: str | None = None) -> str:  # pragma: no cover - overridden
        return str(self)


@dataclass(frozen=True)
class Problem:
    """One thing wrong in an input file."""

    path: tuple = ()
    key: str = ""
    value: object = None
    context: dict = field(default_factory=dict)
    line: int | None = None

    def field_path(self) -> str:
        """``cost_lines[3].price`` with list positions counted from 1, as people count."""
        out = ""
        for part in self.path:
            if isinstance(part, int):
                out += f"[{part + 1}]"
            else:
                out += ("." if out else "") + str(part)
        return out or "—"


class ScenarioError(OkmoError):
    """A scenario or parameter file that cannot be used, with every problem found in it."""

    def __init__(self, file: str, problems: list[Problem]):
        self.file = str(file)
        self.problems = list(problems)
        super().__init__(self.render("en"))

    def render(self, lang: str | None = None) -> str:
        lines = [t("error_in_file", lang, file=self.file, count=len(self.problems))]
        for i, p in enumerate(self.problems, 1):
            sheet, cell = sheet_cell(p)
            is_cell = cell is not None  # a cell of a CSV table or of a workbook's sheet
            if sheet:
                where = t("error_sheet_cell", lang, sheet=sheet, cell=cell)
                if p.context.get("field"):  # the scenario file's field, for those who know it
                    where += f" ({p.context['field']})"
            elif not p.path and p.line is None:
                where = ""  # about the whole file: the message says it
            else:
                where = t("error_cell" if is_cell else "error_field", lang, path=p.field_path())
            if p.line is not None and not is_cell:
                where += (", " if where else "") + t("error_line", lang, line=p.line)
            if where:
                lines.append(f"{i}. {where}")
            else:
                lines.append(f"{i}. " + t(p.key, lang, **{**p.context, "value": _short(p.value)}))
                continue
            if p.value is not None:
                lines.append("   " + t("error_value", lang, value=_short(p.value)))
            lines.append("   " + t(p.key, lang, **{**p.context, "value": _short(p.value)}))
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


def _short(value: object, limit: int = 80) -> str:
    text = repr(value) if not isinstance(value, str) else f"'{value}'"
    return text if len(text) <= limit else text[: limit - 1] + "…"

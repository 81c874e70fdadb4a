"""What an Excel number format does to the number a cell shows.

Excel keeps one number and may show another: a percentage format shows 0.7 as 70%, and a
comma after the last digit placeholder ('#,##0,' or '0.0,,"M"') divides the number shown
by a thousand for each comma. The template writes percentages the way Excel keeps them
(70 % as 0.7 in a cell formatted as a percentage); the import reads a value as the
economist saw it, or refuses it with both readings (docs/excel.md, "Number formats").
"""

from __future__ import annotations

import re
from decimal import Decimal

from okmo_models.units import UnitError, parse_unit

# The format of the template's percentage cells: 0.7 shows as 70.0%, 0.125 as 12.5%, and
# up to three decimals of a percent are shown, so that what is seen is what is read.
PERCENT_FORMAT = "0.0##%"

# Parts of a format that are shown as written and scale nothing: "quoted text", \x, the
# spacing _x and fill *x characters, and [brackets] (colours, conditions, locales).
_LITERAL = re.compile(r'"[^"]*"|\\.|_.|\*.|\[[^\]]*\]')
# Commas right after a digit placeholder and not followed by another: each divides by 1000.
_SCALING_COMMAS = re.compile(r"[0#?](,+)(?![0#?,])")


def scale(number_format: str | None, value: float) -> tuple[bool, int]:
    """``(percent, thousands)``: does ``number_format`` show ``value`` as a percentage
    (times 100), and how many times does it divide it by 1000?

    >>> scale("0%", 0.7), scale("#,##0,", 20500), scale('0.0"%"', 70), scale("#,##0", 20500)
    ((True, 0), (False, 1), (False, 0), (False, 0))
    """
    sections = _LITERAL.sub("", number_format or "General").split(";")
    # positive;negative;zero;text: a negative number takes the second section if there is one
    section = sections[1] if value < 0 and len(sections) > 1 else sections[0]
    return "%" in section, sum(len(m.group(1)) for m in _SCALING_COMMAS.finditer(section))


def shift(value: float, places: int) -> float | int:
    """``value`` times ``10 ** places``, exact in decimals (0.07 -> 7, not 7.000000000000001);
    a whole result is an int."""
    number = float(Decimal(repr(value)).scaleb(places))
    return int(number) if number.is_integer() else number


def plain(value: float) -> str:
    """A number as written in a message: ``70``, ``0.7``, ``20500000``."""
    return f"{value:.15g}"


def is_percent(unit) -> bool:
    """Is ``unit`` the percent ('%', 'percent')?"""
    try:
        parsed = parse_unit(str(unit))
    except UnitError:
        return False
    return not parsed.dims and parsed.factor == 0.01

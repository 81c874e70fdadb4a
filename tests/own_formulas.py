"""Which formulas a workbook of okmo's may hold: its own (issue 22), never text of the data.

The tariff workbook's калькуляция and the template's computed columns are formulas made of
cell references, numbers, operators and a few functions; their only string literals are the
package's unit words (the template converts by the unit chosen beside a figure), an empty
string and the separator of a list of names. A formula holding anything else (a name from the
file, ``HYPERLINK``) was written from data.
"""

from __future__ import annotations

import re

_FUNCTIONS = ("SUMIFS", "SUMPRODUCT", "SUM", "ROUND", "INT", "IFERROR", "IF", "MAX", "MIN", "ABS", "INDEX",
              "MATCH", "ISNUMBER", "FIND", "SUBSTITUTE", "OR", "NA")
# one token at a time (a pattern repeating alternatives that overlap backtracks without end on a
# long formula it refuses): a reference, a number, a function's name, an operator
_TOKEN = re.compile(r"\$?[A-Z]+\$?[0-9]+|[0-9.E+-]+|(?:" + "|".join(_FUNCTIONS) + r")(?=\()|[()*/+,:<>=&!-]")


def _unit_words() -> set[str]:
    from okmo_models.excel.choices import unit_text
    from okmo_models.excel.layout import UNIT_SUGGESTIONS

    return {unit_text(u, lang) for u in UNIT_SUGGESTIONS for lang in ("ru", "ky", "en")} | {"", ";", "; "}


def is_own_formula(formula: str, units: set[str] | None = None) -> bool:
    """``formula`` (with or without its ``=``) is one okmo writes: references, numbers,
    operators, the calculation's functions and unit words only."""
    units = _unit_words() if units is None else units
    text = formula[1:] if formula.startswith("=") else formula
    if not set(re.findall(r'"([^"]*)"', text)) <= units:
        return False
    body = re.sub(r'"[^"]*"', "", re.sub(r"'[^']*'!", "", text))
    at = 0
    while at < len(body):
        token = _TOKEN.match(body, at)
        if token is None:
            return False
        at = token.end()
    return True

"""Fixed-width text tables: the one layout of every text output (``okmo tariff``, ``okmo budget``,
``okmo programme``).

Columns are two spaces apart, a rule of dashes runs under the headings, text is left-aligned
and figures right-aligned. Cells arrive formatted (:mod:`okmo_models.formatting`); the tables of
each product are built in its package (``okmo_models.tariff.tables``, ``okmo_models.budget.tables``).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence

import pandas as pd


def text_table(headers: Sequence, rows: Iterable[Sequence], right: Iterable[int] = (),
               header: bool = True) -> list[str]:
    """Lines of an aligned table; columns whose index is in ``right`` are right-aligned.

    >>> print("\\n".join(text_table(["Line", "Amount"], [["Fuel", "1 200,00"], ["Repairs", "90,50"]],
    ...                             right=(1,))))
    Line       Amount
    -------  --------
    Fuel     1 200,00
    Repairs     90,50
    """
    rows = [[str(v) for v in row] for row in rows]
    headers = [str(h) for h in headers]
    right = set(right)
    widths = [max([len(h) if header else 0] + [len(r[i]) for r in rows]) for i, h in enumerate(headers)]

    def line(row):
        cells = [v.rjust(w) if i in right else v.ljust(w) for i, (v, w) in enumerate(zip(row, widths))]
        return "  ".join(cells).rstrip()

    out = [line(headers), "  ".join("-" * w for w in widths)] if header else []
    return out + [line(r) for r in rows]


def frame_table(df: pd.DataFrame, right: Iterable[int] | None = None, index: bool = False) -> list[str]:
    """A display table (cells already formatted) as :func:`text_table` lines; with ``index``
    the row labels come first, under an empty heading. Without ``right``, the columns whose
    every cell is a figure (``1 234,5``, ``12 %``, ``—``) are right-aligned, the others left.

    >>> print("\\n".join(frame_table(pd.DataFrame({"": ["Total", "Share"], "2026": ["12,5", "3 %"]}))))
           2026
    -----  ----
    Total  12,5
    Share   3 %
    """
    if index:
        df = df.reset_index()
        df.columns = ["", *df.columns[1:]]
    cells = df.astype(str).values.tolist()
    if right is None:
        right = [i for i in range(df.shape[1]) if all(_FIGURE.fullmatch(row[i]) for row in cells)]
    return text_table(list(df.columns), cells, right=right)


# a formatted figure: a signed number with thousands and decimal separators, a per cent, or a dash
_FIGURE = re.compile(r"[-+\u2212]?[\d\u00a0 ,.]*\d[\d\u00a0 ,.]*( ?%)?|—|")

"""Peer statistics: median and quartiles of each figure among comparable municipalities, and
each municipality's place among them.

Peers of a tariff are the tariffs of the same service in the same base unit (``service``),
and of those, the ones in the same region (``service_region``); peers of a budget or a
programme are all of them (``all``) and those of the same region (``region``). A file without
a region is in its own group, "region not stated" (region key None). Variants (what-ifs) are
left out: they are not a municipality's plan.

Quantiles are ``numpy.quantile(..., method="linear")`` (Hyndman and Fan's type 7, the default
of numpy and pandas and Excel's QUARTILE.INC), over the peers whose figure is known.
"""

from __future__ import annotations

from bisect import bisect_left
from dataclasses import dataclass

import numpy as np

from okmo_models.budget.schema import EXPENDITURE_LINES
from okmo_models.compare.rows import FIGURES, OTHER_FIGURES, TARIFF_TABLE

QUANTILE_METHOD = "linear"
# the peer groups of each table, widest first
PEER_GROUPS = {TARIFF_TABLE: ("service", "service_region")}
OTHER_PEER_GROUPS = ("all", "region")


def peer_groups(table: str) -> tuple[str, ...]:
    return PEER_GROUPS.get(table, OTHER_PEER_GROUPS)


def region_key(row) -> str | None:
    """The key a row's region is grouped by: its Russian text (``ru`` is always set), None
    when the file does not state it."""
    return row["region"]["ru"] if row.get("region") else None


def group_key(row, peers: str) -> tuple:
    """The key of ``row``'s group of ``peers``."""
    if peers == "service":
        return (row["service"], row["base_unit"])
    if peers == "service_region":
        return (row["service"], row["base_unit"], region_key(row))
    if peers == "region":
        return (region_key(row),)
    return ()


def figures(table: str, rows) -> list[str]:
    """The figures of ``table`` with statistics: the table's own, and for budgets spending per
    resident of each expenditure line found (``spending_per_resident_som.<line>``)."""
    names = list(FIGURES[table])
    order = {ln: i for i, ln in enumerate(EXPENDITURE_LINES)}  # the budget's own order of lines
    lines = sorted({ln for r in rows for ln in (r.get("spending_per_resident_som") or {})},
                   key=lambda ln: (order.get(ln, len(order)), ln))
    return names + ["spending_per_resident_som." + ln for ln in lines]


def value(row, figure: str) -> float | None:
    """A row's figure (a line of spending per resident as ``spending_per_resident_som.wages``)."""
    if figure.startswith("spending_per_resident_som."):
        return (row.get("spending_per_resident_som") or {}).get(figure.partition(".")[2])
    return row.get(figure)


def unit(table: str, figure: str, row=None) -> str:
    """The figure's unit; a tariff figure per base unit in its group's unit (som/m3, som/head)."""
    if figure.startswith("spending_per_resident_som."):
        return "som/person/year"
    u = FIGURES[table].get(figure) or OTHER_FIGURES[table][figure]
    if row is None or "{" not in u:
        return u
    return u.format(base=row.get("base_unit"), billing=row.get("billing_unit"))


@dataclass(frozen=True)
class Stat:
    table: str
    figure: str
    unit: str
    peers: str  # service, service_region, all, region
    key: tuple  # the group's key (group_key)
    region: dict | None  # the region's text in every language; None: all regions, or not stated
    n: int
    median: float
    q1: float
    q3: float
    min: float
    max: float

    @property
    def service(self) -> str | None:
        return self.key[0] if self.peers.startswith("service") else None

    @property
    def base_unit(self) -> str | None:
        return self.key[1] if self.peers.startswith("service") else None

    @property
    def region_key(self) -> str | None:
        return self.key[-1] if self.peers in ("service_region", "region") else None


@dataclass(frozen=True)
class Position:
    """A municipality's place among ``n`` peers: ``rank`` 1 is the lowest value (ties share
    the lowest rank), ``quartile`` 1 when the value is at most q1, 2 at most the median, 3 at
    most q3, else 4."""

    rank: int
    n: int
    quartile: int


def quartiles(values) -> tuple[float, float, float]:
    q1, median, q3 = np.quantile(np.asarray(values, dtype=float), [0.25, 0.5, 0.75], method=QUANTILE_METHOD)
    return float(q1), float(median), float(q3)


def peer_stats(table: str, rows) -> tuple[Stat, ...]:
    """Statistics of every figure of ``table`` in every peer group of ``rows`` (variants and
    unknown figures left out)."""
    rows = [r for r in rows if r["table"] == table and not r["variant"]]
    out = []
    for figure in figures(table, rows):
        for peers in peer_groups(table):
            groups: dict[tuple, list] = {}
            for r in rows:
                if value(r, figure) is not None:
                    groups.setdefault(group_key(r, peers), []).append(r)
            for key in sorted(groups, key=lambda k: tuple("" if v is None else str(v) for v in k)):
                members = groups[key]
                values = [value(r, figure) for r in members]
                q1, median, q3 = quartiles(values)
                region = members[0]["region"] if peers in ("service_region", "region") else None
                out.append(Stat(table, figure, unit(table, figure, members[0]), peers, key, region, len(values),
                                median, q1, q3, float(min(values)), float(max(values))))
    return tuple(out)


def position(x: float, sorted_values, stat: Stat) -> Position:
    """``x``'s place among the peers' values (sorted ascending)."""
    rank = 1 + bisect_left(sorted_values, x)
    quartile = 1 if x <= stat.q1 else 2 if x <= stat.median else 3 if x <= stat.q3 else 4
    return Position(rank, stat.n, quartile)

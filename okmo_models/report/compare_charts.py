"""Charts a deputy reads at a glance: "our tariff against the region's".

Drawn with matplotlib, as every report chart (:mod:`okmo_models.display`), and put into the
PDF as inline SVG by :func:`okmo_models.report.blocks.svg` inside
:func:`okmo_models.report.blocks.report_fonts`. The functions take figures already computed
(a comparison's ``to_dict()``: each value, the median and the quartiles of its peers) and the
words already in the reader's language; they compute nothing that is printed as a number
except the axis ticks, and every number they print goes through :mod:`okmo_models.formatting`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import matplotlib.pyplot as plt
from matplotlib.lines import Line2D
from matplotlib.patches import Patch
from matplotlib.ticker import MaxNLocator

from okmo_models.formatting import format_number, tick_number
from okmo_models.i18n import t

OWN = "#c0504d"  # the municipality the chart is about
BAND = "#bcd3e6"  # the middle half of its peers
LINE = "#2f6f9f"  # the median and the other bars
PEER = "#7f7f7f"
MANY = 40  # a ranked chart names each bar only up to this many municipalities


@dataclass(frozen=True)
class Band:
    """One indicator of one municipality against its peers.

    ``label`` names the indicator and ``unit`` its unit (both in the reader's words);
    ``peers`` are the peers' values (the municipality's own included or not: the chart only
    places dots), ``median``, ``q1`` and ``q3`` as the comparison computed them; ``own`` is the
    municipality's value (None: not computed), ``decimals`` how its label is printed.
    """

    label: str
    unit: str
    peers: tuple[float, ...]
    median: float | None
    q1: float | None
    q3: float | None
    own: float | None
    decimals: int = 2


def peer_bands_chart(bands: Sequence[Band], own_name: str, lang: str, title: str = ""):
    """One row per indicator: the peers' range (thin line), the middle half (box), the median
    (dark line), each peer (grey dot), and the municipality itself (red diamond, its value
    written above). Each row has its own axis in its own unit. Returns the figure."""
    bands = [b for b in bands if b.peers or b.own is not None]
    fig, axes = plt.subplots(len(bands) or 1, 1, figsize=(9, 1.25 * max(len(bands), 1) + 0.9), squeeze=False)
    for ax, b in zip(axes[:, 0], bands):
        _band(ax, b, lang)
    handles = [Line2D([], [], color=PEER, lw=1), Patch(facecolor=BAND, edgecolor=LINE),
               Line2D([], [], color=LINE, lw=2.5), Line2D([], [], color=PEER, marker="o", lw=0, ms=4),
               Line2D([], [], color=OWN, marker="D", lw=0, ms=8)]
    names = [t("cmr_chart_range", lang), t("cmr_chart_middle", lang), t("cmr_chart_median", lang),
             t("cmr_chart_peers", lang), own_name]
    fig.legend(handles, names, loc="lower center", ncol=3, fontsize=8, frameon=False)
    if title:
        fig.suptitle(title, fontsize=10)
    fig.tight_layout(rect=(0, 0.12 if len(bands) > 1 else 0.2, 1, 1))
    return fig


def _band(ax, b: Band, lang: str) -> None:
    values = [v for v in b.peers if v is not None]
    everything = values + [v for v in (b.own, b.median, b.q1, b.q3) if v is not None]
    low, high = min(everything), max(everything)
    if values:
        ax.plot([min(values), max(values)], [0, 0], color=PEER, lw=1, zorder=1)
        ax.scatter(values, [0] * len(values), s=14, color=PEER, zorder=3)
    if b.q1 is not None and b.q3 is not None:
        ax.add_patch(plt.Rectangle((b.q1, -0.22), b.q3 - b.q1, 0.44, facecolor=BAND, edgecolor=LINE, zorder=2))
    if b.median is not None:
        ax.plot([b.median, b.median], [-0.3, 0.3], color=LINE, lw=2.5, zorder=4)
    if b.own is not None:
        ax.scatter([b.own], [0], marker="D", s=70, color=OWN, zorder=5)
        ax.annotate(format_number(b.own, b.decimals, lang), (b.own, 0.3), ha="center", va="bottom",
                    fontsize=9, color=OWN, fontweight="bold")
    margin = (high - low) * 0.08 or abs(high) * 0.1 or 1.0
    ax.set_xlim(low - margin, high + margin)
    ax.set_ylim(-0.6, 0.9)
    ax.set_yticks([])
    ax.set_title(b.label, fontsize=9, loc="left")
    ax.set_xlabel(b.unit, fontsize=8)
    decimals = _tick_decimals(low, high)
    # ticks only where their printed value is exact (12,5 is never shown as "13")
    ax.xaxis.set_major_locator(MaxNLocator(6, integer=decimals == 0, steps=[1, 2, 5, 10]))
    ax.xaxis.set_major_formatter(lambda x, _: tick_number(x, decimals, lang))
    ax.tick_params(axis="x", labelsize=8)
    ax.spines[["top", "right", "left"]].set_visible(False)


def _tick_decimals(low: float, high: float) -> int:
    """Whole numbers on an axis that spans more than a few units, else one or two decimals."""
    span = abs(high - low)
    return 0 if span >= 5 else 1 if span >= 0.5 else 2


def ranked_chart(items: Sequence[tuple[str, float]], median: float | None, unit: str, lang: str,
                 own: str | None = None, title: str = "", decimals: int = 2):
    """Horizontal bars of one indicator, highest on top, each labelled with its value; the
    median of them as a dashed line; the bar ``own`` (a name in ``items``) in red. With more
    than :data:`MANY` bars the names are left out (the median and the red bar still tell the
    story). Returns the figure."""
    items = sorted(((name, value) for name, value in items if value is not None), key=lambda x: x[1])
    named = len(items) <= MANY
    fig, ax = plt.subplots(figsize=(9, (0.3 if named else 0.09) * len(items) + 1.4))
    positions = range(len(items))
    values = [v for _, v in items]
    colors = [OWN if name == own else LINE for name, _ in items]
    ax.barh(list(positions), values, color=colors, height=0.7 if named else 0.9)
    if named:
        ax.set_yticks(list(positions), [_shorten(name) for name, _ in items], fontsize=8)
        for y, value in zip(positions, values):
            ax.text(value, y, f" {format_number(value, decimals, lang)}", va="center", fontsize=7)
    else:
        ax.set_yticks([])
    handles, names = [], []
    if median is not None:
        ax.axvline(median, color="#333333", lw=1.2, ls="--", zorder=3)
        handles.append(Line2D([], [], color="#333333", lw=1.2, ls="--"))
        names.append(t("cmr_chart_median_value", lang, value=format_number(median, decimals, lang)))
    if own is not None and own in {name for name, _ in items}:
        handles.append(Patch(color=OWN))
        names.append(own)
    if handles:
        ax.legend(handles, names, fontsize=8, loc="lower right", frameon=True)
    top = max(values, default=1.0)
    ax.set_xlim(min(0.0, min(values, default=0.0)), top * 1.18 if top > 0 else 1.0)
    ax.set_xlabel(unit, fontsize=8)
    decimals = _tick_decimals(0, top)
    ax.xaxis.set_major_locator(MaxNLocator(5, integer=decimals == 0, steps=[1, 2, 5, 10]))
    ax.xaxis.set_major_formatter(lambda x, _: tick_number(x, decimals, lang))
    ax.tick_params(axis="x", labelsize=8)
    ax.spines[["top", "right"]].set_visible(False)
    if title:
        ax.set_title(title, fontsize=10, loc="left")
    fig.tight_layout()
    return fig


def _shorten(text: str, limit: int = 60) -> str:
    return text if len(text) <= limit else text[:limit - 1] + "…"

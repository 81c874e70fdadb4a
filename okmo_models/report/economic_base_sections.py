"""The sections of the economic base report (экономическая база) as HTML.

Every figure comes from :func:`okmo_models.economic_base.evaluate_economic_base`, the same
result as ``okmo economic_base`` (its tables and ``to_dict``): land by category and user,
livestock in heads and conventional heads, the pasture load against the carrying capacity,
businesses by kind, and the revenue each budget line accrues on its base, for the years
counted and the years forecast (marked ``*``). Every source is the file's own, cited as
``[n]`` and listed in the last section. The notebook (economic_base_report) only displays
what these functions return.
"""

from __future__ import annotations

import datetime as dt
import math
import sys
from pathlib import Path

from okmo_models.economic_base.result import term_label
from okmo_models.formatting import format_number, tick_number
from okmo_models.i18n import t
from okmo_models.provenance import source_text
from okmo_models.report import blocks
from okmo_models.report.blocks import e
from okmo_models.report.budget_sections import grid, minus

# years per table across A4 (the label columns take the rest)
YEARS_PER_TABLE = 8


def read(path: str | Path) -> blocks.Document:
    """The report of an economic-base file: its evaluation and the file."""
    from okmo_models.economic_base import evaluate_economic_base

    result = evaluate_economic_base(path)
    return blocks.Document(sys.modules[__name__], result, result.base)


def outline(scenario) -> list[str]:
    """Message keys of the numbered sections, in document order: only the parts the file has."""
    keys = ["ebr_summary"]
    if scenario.land:
        keys.append("ebr_land")
    if scenario.livestock:
        keys.append("ebr_livestock")
    if scenario.businesses:
        keys.append("ebr_businesses")
    if scenario.revenue_bases:
        keys.append("ebr_revenue")
    return keys + ["ebr_forecast", "ebr_sources"]


def contents(scenario, lang: str, pages: dict | None = None) -> str:
    """The table of contents; ``pages`` maps section numbers to page numbers when known."""
    return blocks.contents(outline(scenario), lang, pages)


# --- small helpers -----------------------------------------------------------------------------


def refs(base) -> dict[str, str]:
    """``[n]`` for every source of the file, numbered in the file's order (last section)."""
    return {key: f"[{n}]" for n, key in enumerate(base.sources, 1)}


def cited(base, keys, lang: str) -> str:
    """A note naming the sources of a section's figures: ``Источники: [1], [2].``"""
    numbers = refs(base)
    found = sorted({numbers[k] for k in keys}, key=lambda r: int(r.strip("[]")))
    return f"<p class=note>{e(t('ebr_sources_of', lang, refs=', '.join(found)))}</p>" if found else ""


def year_label(result, year: int) -> str:
    return f"{year}*" if year in result.forecast_years else str(year)


def money(x, result, lang: str) -> str:
    if x is None or not math.isfinite(x):
        return "—"
    return format_number(x, 0 if result.base.unit == "som" else 1, lang)


def count(x, lang: str, decimals: int = 0) -> str:
    return "—" if x is None or not math.isfinite(x) else format_number(x, decimals, lang)


def year_chunks(years) -> list[list[int]]:
    """The years split into as few tables as fit across A4 (:data:`YEARS_PER_TABLE` at most
    each), of even length: ten years are two tables of five, not eight and two."""
    years = list(years)
    tables = -(-len(years) // YEARS_PER_TABLE)
    size = -(-len(years) // tables)
    return [years[i:i + size] for i in range(0, len(years), size)]


def yearly(result, labels: list[str], rows: list[list], lang: str, strong=(), widths=None) -> str:
    """Rows of ``[*labels, *values by year]`` as tables of the years of :func:`year_chunks`,
    forecast years marked ``*``; a row given as a string is a group heading."""
    n = len(labels)
    out, start = [], 0
    for shown in year_chunks(result.all_years):
        chunk = slice(n + start, n + start + len(shown))
        start += len(shown)
        part = [row if isinstance(row, str) else [*row[:n], *row[chunk]] for row in rows]
        out.append(grid([*labels, *(year_label(result, y) for y in shown)], part,
                        numeric=range(n, n + len(shown)), strong=strong,
                        widths=widths if len(shown) > 6 else None))  # few years: the words take the room
    return "".join(out) + f"<p class=note>{e(t('eb_forecast_mark', lang))}</p>"


def frame_rows(frame) -> list[list[str]]:
    return [[str(v) for v in row] for row in frame.itertuples(index=False)]


# --- title page ------------------------------------------------------------------------------


def title_page(result, lang: str) -> str:
    b = result.base
    region = b.municipality.region.get(lang) if b.municipality.region else ""
    return f"""<div class="title-page">
<p class="title-org">{e(b.municipality.name.get(lang))}</p>
<p class="title-region">{e(region)}</p>
<h1>{e(t('ebr_title', lang))}</h1>
<p class="title-service">{e(t('ebr_period', lang, first=result.years[0], year=b.year, last=result.all_years[-1]))}</p>
<p class="title-operator">{e(t('ebr_unit_note', lang, unit=t('b_unit_' + b.unit, lang)))}</p>
<p class="title-date">{e(dt.date.today().strftime('%d.%m.%Y'))}</p>
</div>"""


# --- 1. summary ------------------------------------------------------------------------------


def summary(result, lang: str) -> str:
    """Key figures in the last year counted and the last year forecast."""
    b, v = result.base, result.values
    last, end = len(result.years) - 1, len(result.all_years) - 1
    unit = t("b_unit_" + b.unit, lang)
    rows = []

    def add(label, series, fmt):
        rows.append([label, fmt(series[last]), fmt(series[end])])

    if b.land:
        total = sum(area for area in v.land_by_category.values())
        add(t("ebr_land_total", lang), total, lambda x: count(x, lang))
    if b.livestock:
        add(t("eb_total_conventional", lang), v.conventional_total, lambda x: count(x, lang))
        if b.pastures is not None:
            add(t("eb_pasture_load", lang), v.pasture_load, lambda x: count(x, lang, 2))
    if b.businesses:
        total = sum(c for c in v.businesses.values())
        add(t("ebr_businesses_total", lang), total, lambda x: count(x, lang))
    for line in b.revenue_bases:
        add(t("ebr_accrued_line", lang, line=t("line_b_" + line, lang), unit=unit), v.accrued[line],
            lambda x: money(x, result, lang))
    out = f"<p>{e(t('ebr_summary_intro', lang, first=result.years[0], year=b.year, last=result.all_years[-1]))}</p>"
    out += grid([t("ebr_col_figure", lang), str(b.year), year_label(result, result.all_years[-1])], rows,
                numeric=(1, 2), widths={0: "60%"})
    out += f"<p class=note>{e(t('eb_forecast_mark', lang))}</p>"
    if b.livestock and b.pastures is not None:
        over = result.overloaded_years()
        capacity = format_number(v.capacity, 0 if float(v.capacity).is_integer() else 2, lang)
        text = (t("eb_overload_note", lang, years=", ".join(map(str, over)), capacity=capacity) if over
                else t("ebr_within_capacity", lang, capacity=capacity))
        out += f"<p><b>{e(text)}</b></p>"
    return out


# --- 2. land ---------------------------------------------------------------------------------


def land(result, lang: str) -> str:
    b = result.base
    frame = result.land_table(lang)
    rows = frame_rows(frame)
    strong = tuple(i for i, row in enumerate(rows) if row[1] == t("eb_total", lang))
    return (f"<h3>{e(t('eb_land_title', lang))}</h3>"
            + yearly(result, [t("eb_col_category", lang), t("eb_col_user", lang)], rows, lang, strong=strong,
                     widths={0: "19%", 1: "22%"})
            + cited(b, [x.source for x in b.land], lang))


# --- 3. livestock and pastures -----------------------------------------------------------------


def livestock(result, lang: str, charts: dict) -> str:
    b, v = result.base, result.values
    rows = frame_rows(result.livestock_table(lang))
    out = (f"<h3>{e(t('eb_livestock_title', lang))}</h3>"
           + yearly(result, [t("eb_col_species", lang), t("ebr_col_measure", lang)], rows, lang,
                    strong=(len(rows) - 1,), widths={0: "14%", 1: "22%"}))
    keys = [h.source for h in b.livestock]
    if b.pastures is not None:
        out += (f"<h3>{e(t('eb_pastures_title', lang))}</h3>"
                + yearly(result, [t("ebr_col_figure", lang)], frame_rows(result.pastures_table(lang)), lang,
                         widths={0: "30%"}))
        capacity = format_number(v.capacity, 0 if float(v.capacity).is_integer() else 2, lang)
        out += f"<p>{e(t('ebr_pasture_explained', lang, capacity=capacity))}</p>"
        over = result.overloaded_years()
        if over:
            out += f"<p><b>{e(t('eb_overload_note', lang, years=', '.join(map(str, over)), capacity=capacity))}</b></p>"
        if "pastures" in charts:
            out += blocks.figure(charts["pastures"])
        keys.append(b.pastures.source)
    return out + cited(b, keys, lang)


# --- 4. businesses ---------------------------------------------------------------------------


def businesses(result, lang: str) -> str:
    b, v = result.base, result.values
    rows = frame_rows(result.businesses_table(lang))
    total = sum(c for c in v.businesses.values())
    rows.append([t("ebr_total", lang), *(count(x, lang) for x in total)])
    return (f"<h3>{e(t('eb_businesses_title', lang))}</h3>"
            + yearly(result, [t("eb_col_kind", lang)], rows, lang, strong=(len(rows) - 1,), widths={0: "28%"})
            + cited(b, [c.source for c in b.businesses], lang))


# --- 5. revenue on the base ------------------------------------------------------------------


def revenue(result, lang: str) -> str:
    """Each budget line's terms (base × rate, cited), then the accrued revenue by year."""
    b, v = result.base, result.values
    unit = t("b_unit_" + b.unit, lang)
    numbers = refs(b)
    terms = []
    for line, items in b.revenue_bases.items():
        terms.append(t("line_b_" + line, lang))
        for term in items:
            terms.append([term_label(term, lang), result.rate_text(term, lang), numbers[term.source]])
    out = (f"<p>{e(t('ebr_revenue_intro', lang))}</p>"
           + f"<h3>{e(t('ebr_terms_title', lang))}</h3>"
           + grid([t("eb_col_term", lang), t("eb_col_rate", lang), t("ebr_col_source", lang)], terms,
                  numeric=(), widths={0: "40%", 2: "9%"}))
    rows, strong = [], []
    for line, items in b.revenue_bases.items():
        rows.append(t("line_b_" + line, lang))
        for term, part in zip(items, v.accrued_terms[line]):
            rows.append([term_label(term, lang), *(money(x, result, lang) for x in part)])
        strong.append(len(rows))
        rows.append([t("eb_total_accrued", lang), *(money(x, result, lang) for x in v.accrued[line])])
    return (out + f"<h3>{e(t('eb_revenue_title', lang, unit=unit))}</h3>"
            + yearly(result, [t("eb_col_term", lang)], rows, lang, strong=tuple(strong), widths={0: "26%"})
            + f"<p class=note>{e(t('ebr_revenue_note', lang))}</p>")


# --- 6. how the forecast is made --------------------------------------------------------------


FORMULAS = (
    ("ebr_m_growth", "X(t) = X(y) · (1 + g)^(t − y)"),
    ("ebr_m_conventional", "U = Σ h_s · k_s"),
    ("ebr_m_load", "L = U / A"),
    ("ebr_m_accrued", "D(t) = Σ B_i(t) · r_i(t)"),
)


def forecast(result, lang: str) -> str:
    b = result.base
    frame = result.growth_table(lang)
    rows = [[a, b_, minus(g), origin] for a, b_, g, origin in frame_rows(frame)]  # a fall with a real minus
    out = (f"<p>{e(t('eb_forecast_note', lang, year=b.year))}</p>"
           + f"<h3>{e(t('eb_growth_title', lang))}</h3>"
           + grid(list(frame.columns), rows, numeric=(2,), widths={0: "12%", 1: "46%"}))
    items = [(formula, t(key, lang)) for key, formula in FORMULAS]
    return out + f"<h3>{e(t('ebr_method_title', lang))}</h3>" + blocks.methodology("ebr_m_intro", items, lang)


# --- 7. sources ------------------------------------------------------------------------------


def sources(result, lang: str) -> str:
    b = result.base
    numbers = refs(b)
    items = "".join(f"<li>{e(numbers[k])} {blocks.linked(source_text(v, lang))}</li>" for k, v in b.sources.items())
    return (f"<p>{e(t('ebr_sources_intro', lang))}</p><ol class=sources>{items}</ol>"
            + f"<p class=note>{e(t('ebr_same_as_command', lang))}</p>")


BUILDERS = {"ebr_summary": summary, "ebr_land": land, "ebr_livestock": livestock, "ebr_businesses": businesses,
            "ebr_revenue": revenue, "ebr_forecast": forecast, "ebr_sources": sources}


def body(result, lang: str, charts: dict | None = None) -> str:
    """Every numbered section, in the order of :func:`outline`."""
    return blocks.numbered(outline(result.base), BUILDERS, result, lang, charts)


# --- chart ------------------------------------------------------------------------------------


def pasture_chart(result, lang: str):
    """The pasture load by year against the carrying capacity; forecast years dashed."""
    import matplotlib.pyplot as plt

    v = result.values
    years = list(result.all_years)
    load = list(v.pasture_load)
    counted = len(result.years)
    fig, ax = plt.subplots(figsize=(7.6, 2.8))
    ax.plot(years[:counted], load[:counted], color="#2f6f9f", marker="o", label=t("ebr_chart_counted", lang))
    ax.plot(years[counted - 1:], load[counted - 1:], color="#2f6f9f", marker="o", linestyle="--",
            markerfacecolor="white", label=t("ebr_chart_forecast", lang))
    ax.axhline(v.capacity, color="#a33", linewidth=1.2, label=t("eb_capacity", lang))
    ax.set_xticks(years)
    ax.set_ylim(0, max([*[x for x in load if math.isfinite(x)], v.capacity]) * 1.2)
    ax.yaxis.set_major_formatter(lambda x, _: tick_number(x, 1, lang))
    ax.set_ylabel(t("ebr_chart_load_axis", lang), fontsize=8)
    ax.grid(axis="y", color="#ddd", linewidth=0.6)
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)
    ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.12), ncol=3, fontsize=8, frameon=False)
    fig.tight_layout()
    return fig


def charts(result, lang: str) -> dict[str, str]:
    """The pasture load chart as inline SVG, when the file has livestock and pastures."""
    b = result.base
    if not b.livestock or b.pastures is None or not any(math.isfinite(x) for x in result.values.pasture_load):
        return {}
    with blocks.report_fonts():
        return {"pastures": blocks.svg(pasture_chart(result, lang))}


def stamp_and_signatures(result, lang: str) -> str:
    """File name and SHA-256 of the economic-base file (and of a variant's baseline)."""
    return blocks.stamp_and_signatures(result.provenance.inputs, lang, "ebr_stamp")


"""What notebooks show: the result tables (okmo_models.tariff.tables, okmo_models.budget.tables)
and charts.

Notebooks only call these; anything they display is computed and formatted in the
package, so the same figures appear in the notebook, the command line and the PDF.
"""

from __future__ import annotations

import matplotlib.pyplot as plt
from matplotlib.ticker import MaxNLocator

from okmo_models.charts import FanChart, budget_fan
from okmo_models.formatting import format_number, format_percent, tick_number, unit_label
from okmo_models.i18n import t
from okmo_models.tariff.result import TariffResult
from okmo_models.tariff.tables import (  # noqa: F401  (re-exported for notebooks)
    affordability_table,
    cost_table,
    path_table,
    summary_table,
    tariff_table,
    vulnerable_table,
)

# The budget's tables are re-exported on first use: importing them loads the budget model
# (scipy), which a tariff report's kernel would otherwise pay for at every start.
BUDGET_TABLES = ("budget_compare_table", "budget_intervals_table", "budget_methods_table", "budget_summary_table")


def __getattr__(name: str):
    if name in BUDGET_TABLES:
        from okmo_models.budget import tables

        return getattr(tables, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def cost_structure_chart(result: TariffResult, lang: str = "ru", ax=None):
    """Horizontal bars: each part of the revenue requirement and its share, largest first."""
    parts = [(c.name.get(lang), c.amount_som) for c in result.cost_lines]
    parts += [(t(key, lang), amount) for key, amount in (
        ("profit", result.profit_som), ("debt_service", result.debt_service_som),
        ("vat", result.vat_som), ("sales_tax", result.sales_tax_som)) if amount]
    parts.sort(key=lambda p: p[1])
    if ax is None:
        _, ax = plt.subplots(figsize=(9, 0.38 * len(parts) + 1.2))
    total = result.revenue_requirement_som
    labels = [_shorten(name) for name, _ in parts]
    values = [amount for _, amount in parts]
    bars = ax.barh(labels, values, color="#2f6f9f")
    for bar, value in zip(bars, values):
        ax.text(bar.get_width(), bar.get_y() + bar.get_height() / 2,
                f"  {format_number(value, 0, lang)} ({format_percent(value / total, 1, lang)})",
                va="center", fontsize=8)
    ax.set_xlabel(t("c_amount", lang))
    ax.figure.suptitle(f"{result.scenario.municipality.name.get(lang)}\n{t('h_calculation', lang)}",
                       fontsize=10)
    ax.spines[["top", "right"]].set_visible(False)
    ax.xaxis.set_major_locator(MaxNLocator(4))
    ax.xaxis.set_major_formatter(lambda x, _: tick_number(x, 0, lang))
    ax.set_xlim(0, max(values) * 1.35)
    ax.figure.tight_layout()
    return ax


def path_chart(result: TariffResult, lang: str = "ru"):
    """Cost-recovery against planned tariff by year, one panel per category (each in its
    own unit), and the subsidy the budget pays below."""
    pa = result.policy.path
    names = {c.id: c.name.get(lang) for c in result.tariffs}
    n = len(pa.categories)
    fig, axes = plt.subplots(n + 1, 1, figsize=(9, 2.6 * n + 2), sharex=True,
                             gridspec_kw={"height_ratios": [3] * n + [1.3]})
    for ax, c in zip(axes, pa.categories):
        ax.plot(pa.years, c["cost_recovery_tariff_som"], linestyle="--", color="#c0504d",
                label=t("c_cost_recovery", lang))
        ax.plot(pa.years, c["path_tariff_som"], marker="o", color="#2f6f9f", label=t("c_path", lang))
        ax.set_title(names[c["category"]], fontsize=9, loc="left")
        ax.set_ylabel(unit_label(c["unit"], lang), fontsize=8)
        ax.yaxis.set_major_formatter(lambda x, _: tick_number(x, 0, lang))
        ax.legend(fontsize=8, loc="lower right")
        ax.spines[["top", "right"]].set_visible(False)
    bars = axes[-1]
    bars.bar(pa.years, pa.subsidy_som, color="#c0504d")
    bars.set_ylabel(t("c_subsidy", lang), fontsize=8)
    bars.yaxis.set_major_formatter(lambda x, _: tick_number(x, 0, lang))
    bars.spines[["top", "right"]].set_visible(False)
    bars.set_xticks(list(pa.years))
    fig.suptitle(t("h_path", lang), fontsize=10)
    fig.tight_layout()
    return axes[0]


def tornado_chart(result: TariffResult, lang: str = "ru", ax=None, lines: int = 10):
    """Each cost line +/- the swing: how far it moves the cost-recovery tariff."""
    se = result.policy.sensitivity
    rows = list(se.tornado[:lines])[::-1]
    if ax is None:
        _, ax = plt.subplots(figsize=(9, 0.4 * len(rows) + 1.5))
    labels = [_shorten(r["name"].get(lang)) for r in rows]
    base = se.base_tariff_som
    ax.barh(labels, [r["low_som"] - base for r in rows], left=base, color="#4f81bd",
            label=f"−{format_percent(se.swing, 0, lang)}")
    ax.barh(labels, [r["high_som"] - base for r in rows], left=base, color="#c0504d",
            label=f"+{format_percent(se.swing, 0, lang)}")
    ax.axvline(base, color="black", linewidth=0.8)
    ax.xaxis.set_major_formatter(lambda x, _: tick_number(x, 1, lang))
    ax.set_xlabel(t("c_tariff", lang))
    ax.legend(fontsize=8)
    ax.set_title(t("h_sensitivity", lang), fontsize=10)
    ax.spines[["top", "right"]].set_visible(False)
    ax.figure.tight_layout()
    return ax


def monte_carlo_chart(result: TariffResult, lang: str = "ru", ax=None):
    """Distribution of the cost-recovery tariff over the Monte Carlo draws, with percentiles."""
    se = result.policy.sensitivity
    if ax is None:
        _, ax = plt.subplots(figsize=(9, 3.5))
    ax.hist(se.sample, bins=60, color="#9bbb59")
    for key, style in (("p5", ":"), ("p50", "-"), ("p95", ":")):
        ax.axvline(se.percentiles[key], color="black", linestyle=style, linewidth=1)
        # the percentile by its share ("5 %"), not its code ("p5"): the same in every language
        ax.text(se.percentiles[key], ax.get_ylim()[1] * 0.95, f" {key[1:]} %", fontsize=8, va="top")
    ax.xaxis.set_major_formatter(lambda x, _: tick_number(x, 1, lang))
    ax.set_xlabel(t("c_cost_recovery", lang))
    ax.set_title(t("h_sensitivity", lang) + " — " + t("h_monte_carlo", lang), fontsize=10)
    ax.spines[["top", "right"]].set_visible(False)
    ax.figure.tight_layout()
    return ax


def _shorten(text: str, limit: int = 48) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


# --- budget forecast ------------------------------------------------------------------------------


def budget_fan_chart(result, lang: str = "ru", total: str = "revenue", ax=None):
    """History of a total (revenue, expenditure or balance), then the point forecast with the
    Monte Carlo 25-75 % and 5-95 % bands fanning out."""
    return fan_chart(budget_fan(result, lang, total), ax)


def fan_chart(spec: FanChart, ax=None):
    """A :class:`~okmo_models.charts.FanChart` drawn with matplotlib (notebooks, the PDF); the
    hearing dashboard draws the same specification as SVG (:func:`okmo_models.hearing.svg.fan_chart`)."""
    if ax is None:
        _, ax = plt.subplots(figsize=(9, 3.8))
    anchor = spec.anchor_years
    for (low, high), alpha, key in ((spec.outer, 0.18, "outer"), (spec.inner, 0.35, "inner")):
        ax.fill_between(anchor, spec.anchored(low), spec.anchored(high), color="#2f6f9f", alpha=alpha,
                        linewidth=0, label=spec.labels.get(key))
    ax.plot(spec.history_years, spec.history, color="black", marker="o", markersize=3,
            label=spec.labels.get("history"))
    if spec.baseline is not None:
        ax.plot(anchor, spec.anchored(spec.baseline), color="#888", linestyle="--", label=spec.labels.get("baseline"))
    ax.plot(anchor, spec.anchored(spec.point), color="#2f6f9f", marker="o", markersize=3,
            label=spec.labels.get("point"))
    if spec.shade is not None:
        ax.axvspan(spec.shade[0] - 0.5, spec.shade[1] + 0.5, color="#f2c14e", alpha=0.12,
                   label=spec.labels.get("shade"))
    _finish(ax, spec.title, spec.lang, zero_line=spec.zero_line, loc="upper left")
    return ax


def budget_scenarios_chart(results, lang: str = "ru", ax=None):
    """The balance (fiscal space or gap) of several forecasts, year by year."""
    if ax is None:
        _, ax = plt.subplots(figsize=(9, 3.5))
    for result in results:
        ax.plot(result.forecast_years, result.totals().loc["balance"], marker="o", markersize=3,
                label=_shorten(result.name(lang), 60))
    _finish(ax, f"{t('b_balance', lang)}, {t('b_unit_' + results[0].scenario.unit, lang)}", lang, zero_line=True)
    return ax


def _finish(ax, title: str, lang: str, zero_line: bool = False, integer_years: bool = True, **legend):
    """The common frame of the budget and programme charts: the zero line (a balance, money
    left), the title, amounts formatted for the reader, whole years, a plain legend."""
    if zero_line:
        ax.axhline(0, color="#c0392b", linewidth=0.8)
    ax.set_title(title, fontsize=10)
    ax.yaxis.set_major_formatter(lambda x, _: tick_number(x, 0, lang))
    if integer_years:
        ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    ax.legend(fontsize=8, frameon=False, **legend)
    ax.spines[["top", "right"]].set_visible(False)
    ax.figure.tight_layout()


# --- development programme ------------------------------------------------------------------------


def programme_money_left_chart(result, lang: str = "ru", ax=None):
    """Money left each year (negative: a gap) for the draft, the optimal choice and the ranking."""
    import numpy as np

    if ax is None:
        _, ax = plt.subplots(figsize=(9, 3.5))
    years = np.array(result.space.years)
    width = 0.27
    colours = {"plan": "#9b9b9b", "optimal": "#2f6f9f", "ranking": "#9bbb59"}
    for k, (which, portfolio) in enumerate(result.portfolios().items()):
        ax.bar(years + (k - 1) * width, portfolio.left(), width, color=colours[which], label=t("pr_" + which, lang))
    ax.set_xticks(years)
    _finish(ax, f"{t('pr_left', lang)}, {t('b_unit_' + result.programme.unit, lang)}", lang, zero_line=True,
            integer_years=False)
    return ax

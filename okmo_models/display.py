"""What notebooks show: formatted tables and charts of a tariff result.

Notebooks only call these; anything they display is computed and formatted here, so the
same figures appear in the notebook, the command line and (later) the PDF.
"""

from __future__ import annotations

import matplotlib.pyplot as plt
from matplotlib.ticker import MaxNLocator
import pandas as pd

from okmo_models.formatting import format_number, format_percent, unit_label
from okmo_models.i18n import t
from okmo_models.tariff.result import TariffResult


def cost_table(result: TariffResult, lang: str = "ru") -> pd.DataFrame:
    """The калькуляция with headings in ``lang`` and money in the reader's format."""
    df = result.cost_table(lang)
    return pd.DataFrame({
        t("c_line", lang): df["name"],
        t("c_amount", lang): [format_number(x, 2, lang) for x in df["amount_som"]],
        t("c_share", lang): [format_percent(x, 1, lang) for x in df["share"]],
        t("c_basis", lang): df["basis"],
    })


def tariff_table(result: TariffResult, lang: str = "ru") -> pd.DataFrame:
    """Tariffs by category: accrual and cash tariff, current tariff and the change."""
    rows = []
    for c in result.tariffs:
        rows.append({
            t("c_category", lang): c.name.get(lang),
            t("c_unit", lang): unit_label(c.unit, lang),
            t("c_tariff", lang): format_number(c.tariff_som, 2, lang),
            t("c_cash_tariff", lang): format_number(c.cash_tariff_som, 2, lang),
            t("c_collection", lang): format_percent(c.collection_rate, 0, lang),
            t("c_current", lang): format_number(c.current_tariff_som, 2, lang),
            t("c_change", lang): "—" if c.change_pct is None else format_percent(c.change_pct / 100, 1, lang),
        })
    return pd.DataFrame(rows)


def summary_table(result: TariffResult, lang: str = "ru") -> pd.DataFrame:
    """Key figures for a hearing: requirement, household bill, cash, subsidy."""
    def money(x):
        return format_number(x, 2, lang) + " " + unit_label("som", lang)

    rows = [(t("s_requirement", lang), money(result.revenue_requirement_som))]
    rows += [(t(u.key, lang), f"{format_number(u.value_som, 2, lang)} {unit_label(u.unit, lang)}")
             for u in result.unit_costs]
    if result.typical_household_bill_som is not None:
        rows.append((t("s_household_bill", lang), money(result.typical_household_bill_som)))
    rows += [(t("s_collected", lang), money(result.cash_collected_som)),
             (t("s_cash_gap", lang), money(result.cash_shortfall_som)),
             (t("s_subsidy", lang), money(result.subsidy_need_som))]
    if result.cost_recovery_current is not None:
        rows.append((t("s_current_recovery", lang),
                     f"{format_percent(result.cost_recovery_current, 1, lang)} / "
                     f"{format_percent(result.cash_recovery_current, 1, lang)}"))
    return pd.DataFrame(rows, columns=[t("c_indicator", lang), t("c_value", lang)])


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
    ax.xaxis.set_major_formatter(lambda x, _: format_number(x, 0, lang))
    ax.set_xlim(0, max(values) * 1.35)
    ax.figure.tight_layout()
    return ax


def _shorten(text: str, limit: int = 48) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


# --- tariff policy ------------------------------------------------------------------------------


def affordability_table(result: TariffResult, lang: str = "ru") -> pd.DataFrame:
    """Bill and its share of income for each income group."""
    a = result.policy.affordability
    return pd.DataFrame([{
        t("c_group", lang): g["name"].get(lang),
        t("c_income", lang): format_number(g["income_per_capita_som"], 0, lang),
        t("c_bill", lang): format_number(g["bill_som"], 2, lang),
        t("c_burden", lang): format_percent(g["burden"], 2, lang),
    } for g in a.groups])


def vulnerable_table(result: TariffResult, lang: str = "ru") -> pd.DataFrame:
    v = result.policy.vulnerable
    return pd.DataFrame([{
        t("c_group", lang): g["name"].get(lang),
        t("c_households", lang): format_number(g["households"], 0, lang),
        t("c_discount", lang): format_number(g["discount_som_month"], 2, lang),
        t("c_per_year", lang): format_number(g["yearly_som"], 2, lang),
    } for g in v.groups])


def path_table(result: TariffResult, lang: str = "ru") -> pd.DataFrame:
    """Cost-recovery and planned tariffs by year, with the subsidy the budget pays."""
    pa = result.policy.path
    names = {c.id: c.name.get(lang) for c in result.tariffs}
    table = {t("c_year", lang): list(pa.years)}
    for c in pa.categories:
        label = f"{names[c['category']]}, {unit_label(c['unit'], lang)}"
        table[f"{label}: {t('c_cost_recovery', lang)}"] = [format_number(x, 2, lang) for x in c["cost_recovery_tariff_som"]]
        table[f"{label}: {t('c_path', lang)}"] = [format_number(x, 2, lang) for x in c["path_tariff_som"]]
    table[t("c_subsidy", lang)] = [format_number(x, 0, lang) for x in pa.subsidy_som]
    return pd.DataFrame(table)


def path_chart(result: TariffResult, lang: str = "ru", ax=None):
    """Cost-recovery tariff against the planned tariff by year, and the subsidy below."""
    pa = result.policy.path
    names = {c.id: c.name.get(lang) for c in result.tariffs}
    if ax is None:
        _, (ax, ax2) = plt.subplots(2, 1, figsize=(9, 6), sharex=True,
                                    gridspec_kw={"height_ratios": [3, 1.3]})
    else:
        ax2 = None
    for c in pa.categories:
        line, = ax.plot(pa.years, c["cost_recovery_tariff_som"], linestyle="--",
                        label=f"{names[c['category']]}: {t('c_cost_recovery', lang)}")
        ax.plot(pa.years, c["path_tariff_som"], marker="o", color=line.get_color(),
                label=f"{names[c['category']]}: {t('c_path', lang)}")
    ax.set_ylabel(unit_label(pa.categories[0]["unit"], lang))
    ax.legend(fontsize=8, loc="lower right")
    ax.set_title(t("h_path", lang), fontsize=10)
    ax.spines[["top", "right"]].set_visible(False)
    if ax2 is not None:
        ax2.bar(pa.years, pa.subsidy_som, color="#c0504d")
        ax2.set_ylabel(t("c_subsidy", lang), fontsize=8)
        ax2.yaxis.set_major_formatter(lambda x, _: format_number(x, 0, lang))
        ax2.spines[["top", "right"]].set_visible(False)
        ax2.set_xticks(list(pa.years))
    ax.figure.tight_layout()
    return ax


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
    ax.xaxis.set_major_formatter(lambda x, _: format_number(x, 1, lang))
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
        ax.text(se.percentiles[key], ax.get_ylim()[1] * 0.95, f" {key}", fontsize=8, va="top")
    ax.xaxis.set_major_formatter(lambda x, _: format_number(x, 1, lang))
    ax.set_xlabel(t("c_cost_recovery", lang))
    ax.set_title(t("h_sensitivity", lang) + " — Monte Carlo", fontsize=10)
    ax.spines[["top", "right"]].set_visible(False)
    ax.figure.tight_layout()
    return ax

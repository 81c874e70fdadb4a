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

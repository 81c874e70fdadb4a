"""Result tables for display: headings in the reader's language, numbers in their format.

The notebooks, the text report and (later) the PDF show the same tables, built here.
"""

from __future__ import annotations

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
        net = {t("c_tariff_net", lang): format_number(c.tariff_net_som, 2, lang)} if result.taxes_included else {}
        rows.append({
            t("c_category", lang): c.name.get(lang),
            t("c_unit", lang): unit_label(c.unit, lang),
            **net,
            t("c_tariff_gross" if net else "c_tariff", lang): format_number(c.tariff_som, 2, lang),
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
    rows += [(f"{t('c_unit_cost', lang)}, {t(u.key, lang)}",
              f"{format_number(u.cost_som, 2, lang)} {unit_label(u.unit, lang)}") for u in result.unit_costs]
    rows += [(f"{t('c_unit_requirement', lang)}, {t(u.key, lang)}",
              f"{format_number(u.requirement_som, 2, lang)} {unit_label(u.unit, lang)}")
             for u in result.unit_costs]
    if result.typical_household_bill_som is not None:
        rows.append((t("s_household_bill", lang), money(result.typical_household_bill_som)))
    rows += [(t("s_collected", lang), money(result.cash_collected_som)),
             (t("s_cash_gap", lang), money(result.cash_shortfall_som)),
             (t("s_subsidy", lang), money(result.subsidy_need_som)),
             (t("s_rounding_difference", lang), money(result.rounding_difference_som))]
    if result.cost_recovery_current is not None:
        rows.append((t("s_current_recovery", lang),
                     f"{format_percent(result.cost_recovery_current, 1, lang)} / "
                     f"{format_percent(result.cash_recovery_current, 1, lang)}"))
    return pd.DataFrame(rows, columns=[t("c_indicator", lang), t("c_value", lang)])


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


# --- budget forecast ------------------------------------------------------------------------------


def _formatted(df: pd.DataFrame, columns, decimals: int, lang: str) -> pd.DataFrame:
    out = df.copy()
    for c in columns:
        out[c] = [format_number(v, decimals, lang) for v in out[c]]
    return out


def budget_summary_table(result, lang: str = "ru") -> pd.DataFrame:
    """Next year plus two in the budget layout, after the last executed year."""
    df = result.summary(lang)
    return _formatted(df, df.columns[1:], 1, lang)


def budget_methods_table(result, lang: str = "ru") -> pd.DataFrame:
    """Per line: the method used and the backtest error (MAPE) of every method."""
    df = result.methods_table(lang)
    out = pd.DataFrame({t("b_col_line", lang): df.index, t("b_col_method", lang): df["chosen"].to_numpy()})
    for name in df.columns[1:]:
        out[t("b_method_" + name, lang)] = [format_percent(v, 1, lang) for v in df[name]]
    return out


def budget_intervals_table(result, lang: str = "ru") -> pd.DataFrame:
    """Monte Carlo percentiles of the totals by forecast year, and the chance of a deficit."""
    keys = {"revenue": "b_revenue_total", "expenditure": "b_expenditure_total", "balance": "b_balance"}
    rows = [[t(keys[total], lang), f"P{p}", *(format_number(v, 0, lang) for v in values)]
            for (total, p), values in result.intervals().iterrows()]
    rows.append([t("b_deficit_probability", lang), "", *(format_percent(v, 0, lang)
                                                        for v in result.deficit_probability())])
    return pd.DataFrame(rows, columns=["", "", *result.forecast_years])


def budget_compare_table(results, lang: str = "ru") -> pd.DataFrame:
    """Totals of several forecasts and each one's balance difference from the first."""
    from okmo_models.budget.forecast import compare

    df = compare(results, lang).rename(columns={"scenario": t("b_col_scenario", lang)})
    return _formatted(df, df.columns[2:], 1, lang)

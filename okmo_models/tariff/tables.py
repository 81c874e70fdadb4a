"""The tariff result's tables for display: headings in the reader's language, numbers in
their format. The notebooks and the text output (``okmo tariff``) show the same tables."""

from __future__ import annotations

import pandas as pd

from okmo_models.formatting import format_money, format_number, format_percent, unit_label
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
        return format_money(x, lang)

    def per_unit(key, x, u):
        return f"{t(key, lang)}, {t(u.key, lang)}", f"{format_number(x, 2, lang)} {unit_label(u.unit, lang)}"

    rows = [(t("s_requirement", lang), money(result.revenue_requirement_som))]
    rows += [per_unit("c_unit_cost", u.cost_som, u) for u in result.unit_costs]
    rows += [per_unit("c_unit_requirement", u.requirement_som, u) for u in result.unit_costs]
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


def _groups_table(groups, lang: str, columns) -> pd.DataFrame:
    """One row per group of households: its name, then ``(heading key, field, decimals)``
    columns, a share when ``decimals`` is ``"%"`` (to the hundredth of a per cent)."""
    def cell(value, decimals):
        return format_percent(value, 2, lang) if decimals == "%" else format_number(value, decimals, lang)

    return pd.DataFrame([{t("c_group", lang): g["name"].get(lang),
                          **{t(key, lang): cell(g[field], decimals) for key, field, decimals in columns}}
                         for g in groups])


def affordability_table(result: TariffResult, lang: str = "ru") -> pd.DataFrame:
    """Bill and its share of income for each income group."""
    return _groups_table(result.policy.affordability.groups, lang, [
        ("c_income", "income_per_capita_som", 0), ("c_bill", "bill_som", 2), ("c_burden", "burden", "%")])


def vulnerable_table(result: TariffResult, lang: str = "ru") -> pd.DataFrame:
    """Households of each vulnerable group, their monthly discount and its cost a year."""
    return _groups_table(result.policy.vulnerable.groups, lang, [
        ("c_households", "households", 0), ("c_discount", "discount_som_month", 2),
        ("c_per_year", "yearly_som", 2)])


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

"""Tariff-policy sections of the text report (`okmo tariff`, table format)."""

from __future__ import annotations

from okmo_models.formatting import format_money, format_number, format_percent, unit_label
from okmo_models.i18n import t
from okmo_models.tables import affordability_table, vulnerable_table


def _frame(table, df) -> list[str]:
    """A display table rendered as text: first column left, the others right-aligned."""
    return table(list(df.columns), df.astype(str).values.tolist(), right=tuple(range(1, df.shape[1])))


def policy_text(result, lang: str, table) -> list[str]:
    """Lines for every policy part the result has; ``table`` renders aligned columns."""
    p = result.policy
    if p is None:
        return []
    out: list[str] = []
    category_name = {c.id: c.name.get(lang) for c in result.tariffs}
    category_unit = {c.id: c.unit for c in result.tariffs}

    if p.affordability is not None:
        a = p.affordability
        unit = unit_label(category_unit[a.category], lang)
        out += ["", t("h_affordability", lang)]
        out += _frame(table, affordability_table(result, lang))
        tariff = "—" if a.tariff_at_target_som is None else \
            f"{format_number(a.tariff_at_target_som, 2, lang)} {unit}"
        out.append(t("a_summary", lang, threshold=format_percent(a.threshold, 1, lang),
                     share=format_percent(a.share_above, 0, lang),
                     target=format_percent(a.target_share, 0, lang), tariff=tariff))
        out.append(f"{t('c_source', lang)}: {a.threshold_source}")

    if p.vulnerable is not None:
        v = p.vulnerable
        out += ["", t("h_vulnerable", lang)]
        out += _frame(table, vulnerable_table(result, lang))
        if v.financing == "budget":
            out.append(t("v_budget", lang, amount=format_money(v.budget_cost_som, lang)))
        else:
            out.append(t("v_cross", lang))
            out += [f"  {category_name[c['category']]}: {format_number(c['tariff_som'], 2, lang)} "
                    f"{unit_label(category_unit[c['category']], lang)} "
                    f"(+{format_percent(c['increase_pct'] / 100, 2, lang)})"
                    for c in v.cross_subsidy_tariffs if c["increase_pct"] is not None]

    if p.path is not None:
        pa = p.path
        out += ["", t("h_path", lang)]
        for c in pa.categories:
            unit = unit_label(c["unit"], lang)
            out.append(f"{category_name[c['category']]} ({unit})")
            out += table([t("c_year", lang), t("c_cost_recovery", lang), t("c_path", lang)],
                         [[str(y), format_number(tc, 2, lang), format_number(tp, 2, lang)]
                          for y, tc, tp in zip(pa.years, c["cost_recovery_tariff_som"],
                                               c["path_tariff_som"])], right=(1, 2))
            increase = format_percent(c["increase_needed"], 1, lang)
            out.append(t("p_reached", lang, year=c["reached_year"], increase=increase)
                       if c["reached_year"] is not None and c["path_tariff_som"][-1] >= c["cost_recovery_tariff_som"][-1]
                       else t("p_not_reached", lang, increase=increase))
            out.append("")
        headers = [t("c_year", lang), t("s_requirement", lang), t("c_subsidy", lang)]
        columns = [pa.years, pa.requirement_som, pa.subsidy_som]
        if result.scenario.investments is not None:
            headers += [t("c_investment_effect", lang), t("c_fund", lang)]
            columns += [pa.investment_effect_som, pa.depreciation_fund_som]
        out += table(headers, [[str(row[0])] + [format_number(v, 0, lang) for v in row[1:]]
                               for row in zip(*columns)], right=tuple(range(1, len(headers))))

    if p.sharing is not None:
        sh = p.sharing
        out += ["", t("h_sharing", lang), t("sh_key", lang, key=t("key_" + sh.key, lang)),
                f"{t('c_source', lang)}: {sh.key_source}"]
        out += table([t("c_member", lang), t("c_key", lang), t("c_share", lang), t("c_payment", lang),
                       t("c_tariff", lang), t("s_household_bill", lang)],
                      [[m["name"].get(lang), format_number(m["key_value"], 1, lang),
                        format_percent(m["share"], 1, lang), format_number(m["payment_som"], 2, lang),
                        "—" if m["tariff_per_unit_som"] is None else
                        f"{format_number(m['tariff_per_unit_som'], 2, lang)} {unit_label(m['unit'], lang)}",
                        format_number(m["per_household_month_som"], 2, lang)]
                       for m in sh.members], right=(1, 2, 3, 4, 5))

    if p.sensitivity is not None:
        se = p.sensitivity
        out += ["", t("h_sensitivity", lang)]
        swing = format_percent(se.swing, 0, lang)
        out.append(t("s_tornado", lang, category=category_name[se.category], swing=swing,
                     base=format_number(se.base_tariff_som, 2, lang)))
        out += table([t("c_line", lang), t("c_low", lang, swing=swing), t("c_high", lang, swing=swing)],
                     [[r["name"].get(lang), format_number(r["low_som"], 2, lang), format_number(r["high_som"], 2, lang)]
                      for r in se.tornado[:8]], right=(1, 2))
        if se.percentiles is None:
            out.append(t("s_no_ranges", lang))
        else:
            q = {k: format_number(v, 2, lang) for k, v in se.percentiles.items()}
            out.append(t("s_monte_carlo", lang, draws=format_number(se.draws, 0, lang), seed=se.seed, **q))
    return out

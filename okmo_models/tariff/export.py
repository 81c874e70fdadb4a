"""A tariff result as text for the terminal, as CSV and as JSON."""

from __future__ import annotations

import csv
import io
import json

from okmo_models.formatting import basis, format_money, format_number, format_percent, unit_label
from okmo_models.i18n import has, t
from okmo_models.tariff.policy.export import policy_text
from okmo_models.tariff.result import TariffResult


def to_json(result: TariffResult, lang: str) -> str:
    return json.dumps(result.to_dict(lang), ensure_ascii=False, indent=2) + "\n"


# JSON summary keys and the message that names them
_SUMMARY_LABELS = {
    "costs_som": "total_costs", "production_cost_som": "production_cost", "profit_som": "profit", "debt_service_som": "debt_service",
    "vat_som": "vat", "sales_tax_som": "sales_tax", "revenue_requirement_som": "revenue_requirement",
    "revenue_at_tariffs_som": "s_revenue", "subsidy_need_som": "s_subsidy",
    "rounding_difference_som": "s_rounding_difference",
    "cash_collected_som": "s_collected", "cash_shortfall_som": "s_cash_gap",
    "typical_household_bill_som": "s_household_bill",
}


def to_csv(result: TariffResult, lang: str) -> str:
    """One tidy table: section, key, name, unit, value (dot decimals, for scripts)."""
    from okmo_models import csv_cells

    d = result.to_dict(lang)
    out = io.StringIO()
    w = csv_cells.safe_writer(csv.writer(out, lineterminator="\n"))  # names from the file are text, never formulas
    w.writerow(["section", "key", "name", "unit", "value"])
    for c in d["cost_lines"]:
        w.writerow(["cost_line", c["line"], c["name"], "som/year", c["amount_som"]])
        w.writerow(["cost_share", c["line"], c["name"], "share", c["share"]])
    for key, label in _SUMMARY_LABELS.items():
        w.writerow(["summary", key, t(label, lang), "som", d[key]])
    for u in d["unit_costs"]:
        w.writerow(["unit_cost", u["unit"], u["label"], u["unit"], u["cost_som"]])
        w.writerow(["unit_requirement", u["unit"], u["label"], u["unit"], u["revenue_requirement_som"]])
    for c in d["tariffs"]:
        for key in ("tariff_som", "tariff_net_som", "cash_tariff_som", "current_tariff_som", "change_pct",
                    "household_bill_som", "revenue_som"):
            unit = {"change_pct": "%", "revenue_som": "som/year",
                    "household_bill_som": "som/household/month"}.get(key, c["unit"])
            w.writerow([key.removesuffix("_som"), c["category"], c["name"], unit, c[key]])
        for sp in c["species_tariffs"]:
            w.writerow(["species_tariff", f'{c["category"]}:{sp["species"]}', c["name"], "som/head",
                        sp["tariff_som"]])
        for k in c["components"]:
            for key in ("tariff_som", "tariff_net_som"):
                w.writerow(["component_" + key.removesuffix("_som"), f'{c["category"]}:{k["component"]}',
                            k["name"], c["unit"], k[key]])
    if d["affordability"]:
        a = d["affordability"]
        w.writerow(["affordability", "share_above", a["category"], "share", a["share_above"]])
        w.writerow(["affordability", "tariff_at_target_share", a["category"], "som", a["tariff_at_target_share_som"]])
    if d["vulnerable"]:
        w.writerow(["vulnerable", "budget_cost", d["vulnerable"]["financing"], "som/year",
                    d["vulnerable"]["budget_cost_som"]])
    if d["path"]:
        p = d["path"]
        for c in p["categories"]:
            for y, cr, pt in zip(p["years"], c["cost_recovery_tariff_som"], c["path_tariff_som"]):
                w.writerow(["path_cost_recovery", f"{y}:{c['category']}", c["category"], c["unit"], cr])
                w.writerow(["path_tariff", f"{y}:{c['category']}", c["category"], c["unit"], pt])
        for y, sub in zip(p["years"], p["subsidy_som"]):
            w.writerow(["path_subsidy", str(y), "", "som/year", sub])
    if d["sharing"]:
        for m in d["sharing"]["members"]:
            w.writerow(["sharing_payment", m["name"], m["name"], "som/year", m["payment_som"]])
    if d["sensitivity"] and d["sensitivity"]["percentiles"]:
        for k, v in d["sensitivity"]["percentiles"].items():
            w.writerow(["monte_carlo", k, d["sensitivity"]["category"], "som", v])
    return out.getvalue()


def tariff_table(result: TariffResult, lang: str) -> tuple[list, list]:
    """``(header, rows)`` of the tariffs by category as the text and the PDF print them: the
    tariff without taxes beside the one billed when taxes apply, then each species' and
    each component's tariff under its category."""
    taxes = result.taxes_included
    rows = []
    for c in result.tariffs:
        rows.append([c.name.get(lang), unit_label(c.unit, lang)]
                    + ([format_number(c.tariff_net_som, 2, lang)] if taxes else [])
                    + [format_number(c.tariff_som, 2, lang),
                       format_number(c.cash_tariff_som, 2, lang), format_percent(c.collection_rate, 0, lang),
                       format_number(c.current_tariff_som, 2, lang),
                       "—" if c.change_pct is None else format_percent(c.change_pct / 100, 1, lang)])
        for sp, k, v in c.species_tariffs_som:
            name = t("species_" + sp, lang) if has("species_" + sp) else sp
            rows.append([f"  {name} (×{format_number(k, 2, lang)})", unit_label("som/head", lang)]
                        + [""] * taxes + [format_number(v, 2, lang), "", "", "", ""])
        for k in c.components:  # the tariff is the sum of its components, each as printed
            rows.append([f"  {k.name.get(lang)}", unit_label(c.unit, lang)]
                        + ([format_number(k.tariff_net_som, 2, lang)] if taxes else [])
                        + [format_number(k.tariff_som, 2, lang), "", "", "", ""])
    head = [t("c_category", lang), t("c_unit", lang)] + ([t("c_tariff_net", lang)] if taxes else []) + [
        t("c_tariff_gross" if taxes else "c_tariff", lang), t("c_cash_tariff", lang),
        t("c_collection", lang), t("c_current", lang), t("c_change", lang)]
    return head, rows


def tariff_rules(result: TariffResult, lang: str) -> str:
    """The taxes in the tariffs and the declared rounding rule in words, printed under the
    tariff table of every output."""
    rule = t("rounding_rule_" + result.rounding_mode, lang,
             step=format_number(result.rounding_step, 0 if float(result.rounding_step).is_integer() else 2, lang),
             unit=unit_label("som", lang))
    if any(c.components for c in result.tariffs):
        rule += " " + t("r_components_sum", lang)
    if not result.taxes_included:
        return rule
    model_rates = {p.name: p.value for p in result.parameters}
    def rate(share):  # 12 %, 2,5 %
        return format_percent(share, 0 if float(round(share * 100, 6)).is_integer() else 1, lang)

    taxes = [f"{t('vat', lang)} {rate(model_rates['vat_rate'])}"] if result.vat_som else []
    taxes += [f"{t('sales_tax', lang)} {rate(v)}" for k, v in model_rates.items()
              if k.startswith("sales_tax_rate") and result.sales_tax_som]
    taxes = [x if x[1:2].isupper() else x[0].lower() + x[1:] for x in taxes]  # НДС stays НДС
    return t("r_taxes_in_tariff", lang, taxes=", ".join(taxes)) + " " + rule


def to_text(result: TariffResult, lang: str) -> str:
    """The калькуляция, unit costs, tariffs and a summary as aligned text tables."""
    s = result.scenario
    lines: list[str] = []
    add = lines.append
    add(f"{s.municipality.name.get(lang)} — {t('service_' + s.service, lang)}, "
        f"{t('s_tariff_year', lang)} {s.tariff_year}")
    add(f"{t('s_operator', lang)}: {s.operator.name.get(lang)} ({t('operator_' + s.operator.type, lang)})")
    if result.origin:
        add(f"{t('s_scenario', lang)}: {result.origin.path} (SHA-256 {result.origin.sha256[:12]}…)")
    add("")

    add(t("h_calculation", lang))
    rows = [[str(row.no), row.name, format_number(row.amount_som, 2, lang),
             format_percent(row.share, 1, lang), basis(row.basis, lang)]
            for row in result.cost_table(lang).itertuples()]
    lines += _table([t("c_no", lang), t("c_line", lang), t("c_amount", lang), t("c_share", lang),
                     t("c_basis", lang)], rows, right=(0, 2, 3))
    add("")

    add(t("h_unit_costs", lang))
    lines += _table([t("c_per_unit", lang), t("c_unit_cost", lang), t("c_unit_requirement", lang)],
                    [[t(u.key, lang), f"{format_number(u.cost_som, 2, lang)} {unit_label(u.unit, lang)}",
                      f"{format_number(u.requirement_som, 2, lang)} {unit_label(u.unit, lang)}"]
                     for u in result.unit_costs], right=(1, 2))
    add("")

    add(t("h_tariffs", lang))
    head, rows = tariff_table(result, lang)
    lines += _table(head, rows, right=tuple(range(2, len(head))))
    add(tariff_rules(result, lang))
    add("")

    add(t("h_summary", lang))
    summary = [(t("s_requirement", lang), format_money(result.revenue_requirement_som, lang)),
               (t("s_volume", lang), f"{format_number(result.total_volume, 1, lang)} "
                                     f"{unit_label(result.base_unit, lang)}")]
    if result.typical_household_bill_som is not None:
        summary.append((t("s_household_bill", lang), format_money(result.typical_household_bill_som, lang)))
    summary += [(t("s_revenue", lang), format_money(result.revenue_at_tariffs_som, lang)),
                (t("s_collected", lang), format_money(result.cash_collected_som, lang)),
                (t("s_cash_gap", lang), format_money(result.cash_shortfall_som, lang)),
                (t("s_subsidy", lang), format_money(result.subsidy_need_som, lang)),
                (t("s_rounding_difference", lang), format_money(result.rounding_difference_som, lang))]
    if result.cost_recovery_current is not None:
        summary.append((t("s_current_recovery", lang),
                        f"{format_percent(result.cost_recovery_current, 1, lang)} / "
                        f"{format_percent(result.cash_recovery_current, 1, lang)}"))
    lines += _table(["", ""], [list(x) for x in summary], right=(1,), header=False)
    lines += policy_text(result, lang, _table)
    notes = result.notes_text(lang)
    if notes:
        add("")
        add(t("h_notes", lang))
        lines += [f"- {n}" for n in notes]
    return "\n".join(lines) + "\n"


def _table(headers, rows, right=(), header=True) -> list[str]:
    widths = [max([len(str(h)) if header else 0] + [len(str(r[i])) for r in rows])
              for i, h in enumerate(headers)]

    def fmt(row):
        cells = [str(v).rjust(w) if i in right else str(v).ljust(w)
                 for i, (v, w) in enumerate(zip(row, widths))]
        return "  ".join(cells).rstrip()

    out = []
    if header:
        out.append(fmt(headers))
        out.append("  ".join("-" * w for w in widths))
    out += [fmt(r) for r in rows]
    return out

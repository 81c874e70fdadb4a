"""A tariff result as text for the terminal (the калькуляция, tariffs, summary and every
tariff-policy part the scenario asks for), as CSV and as JSON."""

from __future__ import annotations

import csv
import io
import json
from dataclasses import dataclass

from okmo_models.formatting import format_money, format_number, format_percent, signed_number, unit_label
from okmo_models.i18n import has, t
from okmo_models.provenance import source_text
from okmo_models.tables import frame_table, text_table
from okmo_models.tariff.derivations import explain_line
from okmo_models.tariff.proposal import proposal
from okmo_models.tariff.result import TariffResult
from okmo_models.tariff.tables import affordability_table, vulnerable_table


def signed_percent(share: float | None, decimals: int, lang: str) -> str:
    """A change in percent as printed: ``+46,1 %``, ``−5,0 %``."""
    return "—" if share is None else f"{signed_number(share * 100, decimals, lang)} %"


def to_json(result: TariffResult, lang: str) -> str:
    """The result and, as ``proposal``, what a kenesh is asked to approve (the draft
    decision's figures, see :mod:`okmo_models.tariff.proposal`)."""
    return json.dumps({**result.to_dict(lang), "proposal": proposal(result).to_dict(lang)},
                      ensure_ascii=False, indent=2) + "\n"


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
    """One tidy table: section, key, name, unit, value (dot decimals, for scripts). A line
    derived from the staffing table or the production programme adds its quantity and its
    price (``derived_quantity``, ``derived_price``, in their units); the steps in words stay
    in the text, the PDF and the JSON, since every value here is a number."""
    from okmo_models import csv_cells

    d = result.to_dict(lang)
    out = io.StringIO()
    w = csv_cells.safe_writer(csv.writer(out, lineterminator="\n"))  # names from the file are text, never formulas
    w.writerow(["section", "key", "name", "unit", "value"])
    for c, line in zip(d["cost_lines"], result.cost_lines):
        w.writerow(["cost_line", c["line"], c["name"], "som/year", c["amount_som"]])
        w.writerow(["cost_share", c["line"], c["name"], "share", c["share"]])
        if line.derivation is not None:  # the figures the steps end in; their words are in the JSON
            for key, expr in (("derived_quantity", line.derivation.quantity),
                              ("derived_price", line.derivation.price)):
                w.writerow([key, c["line"], c["name"], expr.unit, round(expr.value, 6) + 0.0])
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
                       "—" if c.change_pct is None else signed_percent(c.change_pct / 100, 1, lang)])
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


@dataclass(frozen=True)
class DerivedLineText:
    """A derived cost line as the text and the PDF show it: its number in the калькуляция,
    its name, its steps ``(label, "factors = result")`` and the sources they rest on."""

    no: int
    name: str
    steps: list[tuple[str, str]]
    sources: list[str]


def derived_lines(result: TariffResult, lang: str) -> list[DerivedLineText]:
    """Every cost line derived from the staffing table or the production programme that has
    steps to show (a position without allowances is already whole in the калькуляция's basis).
    Its sources: the line's own (a position's wages, a fuel's price), then those its steps cite
    (a vehicle's norms, the allowances' act), each once."""
    out = []
    for no, c in enumerate(result.cost_lines, 1):  # numbered as cost_table numbers them
        if c.derivation is None:
            continue
        steps = explain_line(c.derivation, lang)
        if not steps:
            continue
        cited = [source_text(c.source, lang)] + [source_text(result.scenario.sources[k], lang)
                                                 for k in c.derivation.sources]
        out.append(DerivedLineText(no, c.name.get(lang), steps,
                                   list(dict.fromkeys(x for x in cited if x and x != "—"))))
    return out


def derivation_text(result: TariffResult, lang: str) -> list[str]:
    """The section under the калькуляция: each derived line by its number, its steps
    indented, the numbers of its sources; then the sources, each once (an act of norms cited
    by every fuel is printed in full once); nothing when no line is derived."""
    items = derived_lines(result, lang)
    if not items:
        return []
    numbers: dict[str, int] = {}
    out = [t("h_derivations", lang), t("r_derivations_intro", lang)]
    for item in items:
        out.append(f"{item.no:>2}. {item.name}")
        out += [f"    {label}: {text}" if label else f"    {text}" for label, text in item.steps]
        cited = [f"[{numbers.setdefault(text, len(numbers) + 1)}]" for text in item.sources]
        if cited:
            out.append(f"    {t('c_source' if len(cited) == 1 else 'c_sources', lang)}: {', '.join(cited)}")
    if numbers:
        out.append(f"{t('c_sources', lang)}:")
        out += [f"[{n}] {text}" for text, n in numbers.items()]
    return out + [""]


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
             format_percent(row.share, 1, lang), row.basis]
            for row in result.cost_table(lang).itertuples()]
    lines += text_table([t("c_no", lang), t("c_line", lang), t("c_amount", lang), t("c_share", lang),
                         t("c_basis", lang)], rows, right=(0, 2, 3))
    add("")
    lines += derivation_text(result, lang)

    add(t("h_unit_costs", lang))
    lines += text_table([t("c_per_unit", lang), t("c_unit_cost", lang), t("c_unit_requirement", lang)],
                        [[t(u.key, lang), f"{format_number(u.cost_som, 2, lang)} {unit_label(u.unit, lang)}",
                          f"{format_number(u.requirement_som, 2, lang)} {unit_label(u.unit, lang)}"]
                         for u in result.unit_costs], right=(1, 2))
    add("")

    add(t("h_tariffs", lang))
    head, rows = tariff_table(result, lang)
    lines += text_table(head, rows, right=tuple(range(2, len(head))))
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
                (t("s_rounding_difference", lang),
                 f"{signed_number(result.rounding_difference_som, 2, lang)} {unit_label('som', lang)}")]
    if result.cost_recovery_current is not None:
        summary.append((t("s_current_recovery", lang),
                        f"{format_percent(result.cost_recovery_current, 1, lang)} / "
                        f"{format_percent(result.cash_recovery_current, 1, lang)}"))
    lines += text_table(["", ""], [list(x) for x in summary], right=(1,), header=False)
    lines += policy_text(result, lang)
    notes = result.notes_text(lang)
    if notes:
        add("")
        add(t("h_notes", lang))
        lines += [f"- {n}" for n in notes]
    return "\n".join(lines) + "\n"


def policy_text(result, lang: str) -> list[str]:
    """Lines for every policy part the result has, as aligned text tables."""
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
        out += frame_table(affordability_table(result, lang))
        tariff = "—" if a.tariff_at_target_som is None else \
            f"{format_number(a.tariff_at_target_som, 2, lang)} {unit}"
        out.append(t("a_summary", lang, threshold=format_percent(a.threshold, 1, lang),
                     share=format_percent(a.share_above, 0, lang),
                     target=format_percent(a.target_share, 0, lang), tariff=tariff))
        out.append(f"{t('c_source', lang)}: {source_text(a.threshold_source, lang)}")

    if p.vulnerable is not None:
        v = p.vulnerable
        out += ["", t("h_vulnerable", lang)]
        out += frame_table(vulnerable_table(result, lang))
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
            out += text_table([t("c_year", lang), t("c_cost_recovery", lang), t("c_path", lang)],
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
        out += text_table(headers, [[str(row[0])] + [format_number(v, 0, lang) for v in row[1:]]
                                    for row in zip(*columns)], right=tuple(range(1, len(headers))))

    if p.sharing is not None:
        sh = p.sharing
        out += ["", t("h_sharing", lang), t("sh_key", lang, key=t("key_" + sh.key, lang)),
                f"{t('c_source', lang)}: {source_text(sh.key_source, lang)}"]
        out += text_table([t("c_member", lang), t("c_key", lang), t("c_share", lang), t("c_payment", lang),
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
        out += text_table([t("c_line", lang), t("c_low", lang, swing=swing), t("c_high", lang, swing=swing)],
                          [[r["name"].get(lang), format_number(r["low_som"], 2, lang), format_number(r["high_som"], 2, lang)]
                           for r in se.tornado[:8]], right=(1, 2))
        if se.percentiles is None:
            out.append(t("s_no_ranges", lang))
        else:
            q = {k: format_number(v, 2, lang) for k, v in se.percentiles.items()}
            out.append(t("tt_monte_carlo", lang, draws=format_number(se.draws, 0, lang), seed=se.seed, **q))
    return out

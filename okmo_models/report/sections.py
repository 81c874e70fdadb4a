"""The sections of the tariff justification (обоснование тарифа) as HTML.

Every figure is taken from ``TariffResult.to_dict(lang)``, the same data as
``okmo tariff --format json``, so the document and the JSON never disagree. The report
notebook (notebooks/report_tariff) only displays what these functions return; the
nbconvert template and the CSS in this folder lay it out on A4.
"""

from __future__ import annotations

import datetime as dt
import sys
from functools import lru_cache
from importlib import resources
from pathlib import Path

import yaml

from okmo_models.formatting import format_money, format_number, format_percent, signed_number, unit_label
from okmo_models.i18n import t
from okmo_models.parameters import resolve
from okmo_models.provenance import source_text
from okmo_models.report import blocks
from okmo_models.report.blocks import e, figure, linked, table
from okmo_models.tariff.result import TariffResult


def money(x, lang: str) -> str:
    return format_number(x, 2, lang)


def references(result: TariffResult, lang: str) -> dict[str, int]:
    """Every source the justification cites, numbered as the tables cite it ("[3]"): the
    scenario's sources in the file's order, then the others (package parameters, the asset
    register) as the result first names them; the texts in the reader's language."""
    numbers: dict[str, int] = {}

    def add(text):
        text = " ".join(str(text or "").split())
        if text and text != "—" and text not in numbers:
            numbers[text] = len(numbers) + 1

    def walk(value, key=""):
        if isinstance(value, dict):
            for k, v in value.items():
                walk(v, k)
        elif isinstance(value, list):
            for v in value:
                walk(v, key)
        elif isinstance(value, str) and (key == "source" or key.endswith("_source")):
            add(value)

    for text in result.scenario.sources.values():
        add(source_text(text, lang))
    walk(result.to_dict(lang))
    return numbers


def cite(numbers: dict[str, int], text) -> str:
    """``[n]``, the number of a source in :func:`references`; a dash for none."""
    n = numbers.get(" ".join(str(text or "").split()))
    return f"[{n}]" if n else "—"


def read(path: str | Path, peers=None) -> blocks.Document:
    """The tariff justification of a scenario file: its result and the scenario; with
    ``peers`` (folders or files of comparable municipalities' plans), the section placing this
    tariff among theirs (:mod:`okmo_models.report.compare_sections`)."""
    from okmo_models.tariff import calculate_tariff

    result = calculate_tariff(path)
    if peers:
        from okmo_models.report.compare_sections import AmongPeers, WithPeers

        among = AmongPeers(sys.modules[__name__], result, peers)
        return blocks.Document(among, result, WithPeers(result.scenario, among.peers))
    return blocks.Document(sys.modules[__name__], result, result.scenario)


def outline(scenario) -> list[str]:
    """Message keys of the numbered sections, in document order, for this scenario."""
    optional = [("affordability", "r_affordability"), ("vulnerable", "r_vulnerable"),
                ("path", "r_path"), ("sharing", "r_sharing")]
    # compared with its peers (a scenario given with them, compare_sections.WithPeers): one more
    peers = ["cmr_peers"] if getattr(scenario, "peers", None) else []
    return (["r_proposal", "r_legal", "r_inputs", "r_calculation", "r_tariffs"]
            + [key for section_name, key in optional if getattr(scenario, section_name) is not None]
            + peers + ["r_assumptions", "r_methodology"])


# --- title page and contents ------------------------------------------------------------------


def title_page(result: TariffResult, lang: str) -> str:
    d = result.to_dict(lang)
    s = result.scenario
    region = s.municipality.region.get(lang) if s.municipality.region else ""
    return f"""<div class="title-page">
<p class="title-org">{e(d['scenario']['municipality'])}</p>
<p class="title-region">{e(region)}</p>
<h1>{e(t('r_title', lang))}</h1>
<p class="title-service">{e(t('service_' + s.service, lang))}</p>
<p class="title-period">{e(t('r_period', lang, year=s.tariff_year))}</p>
<p class="title-operator">{e(t('s_operator', lang))}: {e(d['scenario']['operator']['name'])}
({e(t('operator_' + s.operator.type, lang))})</p>
<p class="title-date">{e(dt.date.today().strftime('%d.%m.%Y'))}</p>
</div>"""


def contents(scenario, lang: str, pages: dict | None = None) -> str:
    """The table of contents; ``pages`` maps section numbers to page numbers when known."""
    return blocks.contents(outline(scenario), lang, pages)


# --- sections ---------------------------------------------------------------------------------


def proposed(result: TariffResult, lang: str) -> str:
    """What the kenesh is asked to approve (the draft decision's tariffs, by the one rule of
    :mod:`okmo_models.tariff.proposal`), beside the other tariffs this justification shows
    and why they are shown."""
    from okmo_models.tariff.proposal import proposal

    p = proposal(result)
    headers = [t("pp_category", lang), t("pp_unit", lang), t("pp_current", lang), t("pp_proposed", lang),
               t("pp_justified", lang), t("r_proposal_cash_col", lang)]
    rows = []
    for tp, c in zip(p.tariffs, result.tariffs):
        rows.append([tp.name.get(lang), unit_label("som/" + tp.billing_unit, lang),
                     money(tp.current_som, lang) if tp.current_som else "—", money(tp.tariff_som, lang),
                     money(tp.justified_som, lang), money(c.cash_tariff_som, lang)])
    out = f"<p>{e(proposal_rule(p, lang))}</p>" + table(headers, rows, numeric=(2, 3, 4, 5), css="small")
    if p.discounts and p.on_path:  # a step on the path changes the bills the discounts follow
        out += f"<p>{e(t('r_proposal_discounts', lang, amount=format_money(p.discounts_yearly_som, lang)))}</p>"
    return out + f"<p>{e(t('r_proposal_why_others', lang))}</p>"


def proposal_rule(p, lang: str) -> str:
    """Which tariffs are proposed and who pays what they leave (the path's step, the full
    cost, or fixed tariffs the budget tops up), and what the carrying tariffs include."""
    key = ("r_proposal_rule_path" if p.on_path
           else "r_proposal_rule_full" if p.subsidy_som < 0.005 else "r_proposal_rule_partial")
    text = t(key, lang, year=p.year, subsidy=format_money(p.subsidy_som, lang),
             share=format_percent(p.cost_recovery, 1, lang))
    if p.discounts_carried_som > 0.005:
        text += " " + t("r_proposal_carrying", lang, carried=format_money(p.discounts_carried_som, lang))
    return text


def legal_basis(result: TariffResult, lang: str) -> str:
    """The acts the calculation rests on; none of Kyrgyzstan's for another country's scenario,
    nor the 2022 Tax Code for a year before it."""
    from okmo_models.parameters import ParameterNotDefined, ParameterOfAnotherCountry

    s = result.scenario
    try:
        refs = resolve("legal_basis", s.tariff_year, country=s.municipality.country).value
    except (ParameterNotDefined, ParameterOfAnotherCountry):
        return f"<p>{e(t('r_legal_not_listed', lang))}</p>"
    items = "".join(f"<li>{linked(r.get(lang) or r['ru'])}</li>" for r in refs
                    if s.service in r.get("services", [s.service]))
    return f"<p>{e(t('r_legal_intro', lang))}</p><ol>{items}</ol>"


def _date(iso: str) -> str:
    return dt.date.fromisoformat(iso).strftime("%d.%m.%Y")


def inputs(result: TariffResult, lang: str) -> str:
    d = result.to_dict(lang)
    s = result.scenario
    refs = references(result, lang)
    volumes = table(
        [t("c_category", lang), t("c_unit", lang), t("r_billed_units", lang), t("c_source", lang)],
        [[c["name"], unit_label(c["unit"].removeprefix("som/"), lang),
          format_number(c["billing_units_per_year"], 1, lang),
          cite(refs, source_text(s.sources[next(k.source for k in s.categories if k.id == c["category"])], lang))]
         for c in d["tariffs"]], numeric=(2,), keep=(1,))
    lines = table(
        [t("c_no", lang), t("c_line", lang), t("c_basis", lang), t("c_source", lang)],
        [[i, c["name"], c["basis"], cite(refs, c["source"])] for i, c in enumerate(d["cost_lines"], 1)],
        css="small")
    assets = ""
    if d["assets"]:
        assets = f"<h3>{e(t('r_assets', lang))}</h3>" + table(
            [t("r_asset", lang), t("r_value", lang), t("c_year", lang), t("r_life", lang),
             t("r_depreciation", lang), t("r_in_tariff", lang)],
            [[a["name"], money(a["value_som"], lang), a["year"], format_number(a["useful_life_years"], 0, lang),
              money(a["depreciation_som"], lang), t("r_yes" if a["in_tariff"] else "r_no", lang)]
             for a in d["assets"]], numeric=(1, 2, 3, 4), css="small")
    from okmo_models.parameters import known_parameters

    specs = known_parameters()
    params = table([t("r_parameter", lang), t("c_value", lang), t("c_effective", lang), t("c_source", lang)],
                   [[specs[p["name"]].description.get(lang, p["name"]), p["value"],
                     _date(p["effective"]) if p["effective"] else t("r_scenario_value", lang), cite(refs, p["source"])]
                    for p in d["parameters"]], css="small")
    return (f"<h3>{e(t('r_volumes', lang))}</h3>{volumes}"
            f"<p>{e(t('s_volume', lang))}: {format_number(d['total_volume'], 1, lang)} "
            f"{e(unit_label(d['base_unit'], lang))}; {e(t('c_collection', lang))}: "
            f"{e(format_percent(s.collection_rate.value * s.collection_rate.parsed_unit.factor, 0, lang))}</p>"
            f"<h3>{e(t('r_cost_inputs', lang))}</h3>{lines}{assets}"
            f"<h3>{e(t('h_parameters', lang))}</h3>{params}")


def calculation(result: TariffResult, lang: str, charts: dict | None = None) -> str:
    d = result.to_dict(lang)
    rows = [[row.no, row.name, money(row.amount_som, lang), format_percent(row.share, 1, lang)]
            for row in result.cost_table(lang).itertuples()]
    units = table([t("c_per_unit", lang), t("c_unit_cost", lang), t("c_unit_requirement", lang)],
                  [[u["label"], f"{money(u['cost_som'], lang)} {unit_label(u['unit'], lang)}",
                    f"{money(u['revenue_requirement_som'], lang)} {unit_label(u['unit'], lang)}"]
                   for u in d["unit_costs"]], numeric=(1, 2))
    return (table([t("c_no", lang), t("c_line", lang), t("c_amount", lang), t("c_share", lang)], rows,
                  numeric=(2, 3), css="calc")
            + derivations(result, lang)
            + f"<h3>{e(t('h_unit_costs', lang))}</h3>{units}"
            + figure((charts or {}).get("cost_structure", "")))


def derivations(result: TariffResult, lang: str) -> str:
    """The quantities and prices of the lines derived from the staffing table and the
    production programme, step by step in words and numbers (the terminal's section, see
    :func:`okmo_models.tariff.export.derived_lines`), each line's sources cited by number;
    nothing when no line is derived."""
    from okmo_models.tariff.export import derived_lines

    items = derived_lines(result, lang)
    if not items:
        return ""
    refs = references(result, lang)
    rows = []
    for item in items:
        numbers = sorted({refs[n] for n in (" ".join(text.split()) for text in item.sources) if n in refs})
        cited = ", ".join(f"[{n}]" for n in numbers) or "—"
        for k, (label, text) in enumerate(item.steps):
            text = blocks.nobreak_units(text)
            rows.append([item.no, item.name, label, text, cited] if k == 0 else ["", "", label, text, ""])
    return (f"<h3>{e(t('r_derivations', lang))}</h3><p>{e(t('r_derivations_intro', lang))}</p>"
            + table([t("c_no", lang), t("c_line", lang), t("c_step", lang), t("c_basis", lang),
                     t("c_source", lang)], rows, css="small"))


def tariffs(result: TariffResult, lang: str) -> str:
    from okmo_models.tariff.export import tariff_rules, tariff_table

    d = result.to_dict(lang)
    head, rows = tariff_table(result, lang)
    summary = [(t("s_requirement", lang), money(d["revenue_requirement_som"], lang)),
               (t("s_revenue", lang), money(d["revenue_at_tariffs_som"], lang)),
               (t("s_collected", lang), money(d["cash_collected_som"], lang)),
               (t("s_cash_gap", lang), money(d["cash_shortfall_som"], lang)),
               (t("s_subsidy", lang), money(d["subsidy_need_som"], lang)),
               (t("s_rounding_difference", lang), signed_number(d["rounding_difference_som"], 2, lang))]
    if d["typical_household_bill_som"] is not None:
        summary.insert(1, (t("s_household_bill", lang), money(d["typical_household_bill_som"], lang)))
    if d["current"]["cost_recovery"] is not None:
        summary.append((t("s_current_recovery", lang),
                        f"{format_percent(d['current']['cost_recovery'], 1, lang)} / "
                        f"{format_percent(d['current']['cash_cost_recovery'], 1, lang)}"))
    return (table(head, rows, numeric=tuple(range(2, len(head))), keep=(1,))
            + f"<p class=note>{e(t('r_money_unit', lang))} {e(tariff_rules(result, lang))}</p>"
            + table([t("c_indicator", lang), t("c_value", lang) + ", " + unit_label("som", lang)],
                    summary, numeric=(1,)))


def affordability(result: TariffResult, lang: str) -> str:
    """The bills of each income group at the economically justified tariff; when the tariff
    proposed for approval is another (a path's first step), its bills beside them, as the
    draft decision and the deputies' summary give them."""
    from okmo_models.tariff.proposal import proposal

    a = result.to_dict(lang)["affordability"]
    unit = unit_label(next(c.unit for c in result.tariffs if c.id == a["category"]), lang)
    p = proposal(result)
    tp = next(x for x in p.tariffs if x.id == a["category"])
    at_proposed = abs(tp.tariff_som - tp.justified_som) > 0.005 and len(p.income_groups) == len(a["groups"])
    headers = [t("c_group", lang), t("c_income", lang), t("c_bill", lang), t("c_burden", lang), t("r_above", lang)]
    rows = [[g["name"], format_number(g["income_per_capita_som"], 0, lang), money(g["bill_som"], lang),
             format_percent(g["burden"], 2, lang), t("r_yes" if g["above"] else "r_no", lang)]
            for g in a["groups"]]
    lead = ""
    if at_proposed:
        headers += [t("r_afford_bill_proposed", lang), t("r_afford_share_proposed", lang)]
        for row, g in zip(rows, p.income_groups):
            row += [money(g.bill_som, lang), format_percent(g.share_of_income, 2, lang)]
        lead = f"<p>{e(t('r_afford_two_tariffs', lang, justified=money(tp.justified_som, lang), proposed=money(tp.tariff_som, lang), unit=unit))}</p>"
    target = "—" if a["tariff_at_target_share_som"] is None else \
        f"{money(a['tariff_at_target_share_som'], lang)} {unit}"
    return (lead + table(headers, rows, numeric=(1, 2, 3, *((5, 6) if at_proposed else ())))
            + f"<p>{e(t('a_summary', lang, threshold=format_percent(a['threshold'], 1, lang), share=format_percent(a['share_above'], 0, lang), target=format_percent(a['target_share'], 0, lang), tariff=target))}</p>"
            + f"<p class=note>{e(t('c_source', lang))}: {e(cite(references(result, lang), a['threshold_source']))}</p>")


def vulnerable(result: TariffResult, lang: str) -> str:
    v = result.to_dict(lang)["vulnerable"]
    rows = [[g["name"], format_number(g["households"], 0, lang), money(g["discount_som_month"], lang),
             money(g["yearly_som"], lang)] for g in v["groups"]]
    out = table([t("c_group", lang), t("c_households", lang), t("c_discount", lang), t("c_per_year", lang)],
                rows, numeric=(1, 2, 3))
    from okmo_models.tariff.proposal import proposal

    p = proposal(result)
    if p.on_path and p.discounts:  # the draft decision gives them at the path's first step
        out += f"<p>{e(t('r_discounts_at_proposed', lang, amount=format_money(p.discounts_yearly_som, lang)))}</p>"
    if v["financing"] == "budget":
        out += f"<p>{e(t('v_budget', lang, amount=money(v['budget_cost_som'], lang) + ' ' + unit_label('som', lang)))}</p>"
    else:
        names = {c.id: c.name.get(lang) for c in result.tariffs}
        units = {c.id: c.unit for c in result.tariffs}
        out += f"<p>{e(t('v_cross', lang))}</p>" + table(
            [t("c_category", lang), t("c_tariff", lang), t("c_change", lang)],
            [[names[c["category"]], f"{money(c['tariff_som'], lang)} {unit_label(units[c['category']], lang)}",
              f"+{format_number(c['increase_pct'], 2, lang)} %"] for c in v["cross_subsidy_tariffs"]
             if c["increase_pct"] is not None], numeric=(1, 2))
    return out


def path(result: TariffResult, lang: str, charts: dict | None = None) -> str:
    p = result.to_dict(lang)["path"]
    names = {c.id: c.name.get(lang) for c in result.tariffs}
    out = (f"<p>{e(t('r_path_note', lang))}</p>"
           f"<p class=note>{e(t('r_cpi_source', lang))}: {e(cite(references(result, lang), p['cpi_source']))}</p>")
    for c in p["categories"]:
        out += f"<h3>{e(names[c['category']])} ({e(unit_label(c['unit'], lang))})</h3>"
        out += table([t("c_year", lang), t("c_cost_recovery", lang), t("c_path", lang)],
                     [[y, money(a, lang), money(b, lang)] for y, a, b in
                      zip(p["years"], c["cost_recovery_tariff_som"], c["path_tariff_som"])], numeric=(1, 2))
        increase = format_percent(c["increase_needed"], 1, lang)
        reached = c["reached_year"] is not None and c["path_tariff_som"][-1] >= c["cost_recovery_tariff_som"][-1]
        out += f"<p>{e(t('p_reached', lang, year=c['reached_year'], increase=increase) if reached else t('p_not_reached', lang, increase=increase))}</p>"
    headers = [t("c_year", lang), t("s_requirement", lang), t("c_subsidy", lang)]
    cols = [p["years"], p["requirement_som"], p["subsidy_som"]]
    if result.scenario.investments is not None:
        headers += [t("c_investment_effect", lang), t("c_fund", lang)]
        cols += [p["investment_effect_som"], p["depreciation_fund_som"]]
    out += table(headers, [[r[0]] + [money(v, lang) for v in r[1:]] for r in zip(*cols)],
                 numeric=tuple(range(1, len(headers))))
    return out + figure((charts or {}).get("path", ""))


def sharing(result: TariffResult, lang: str) -> str:
    sh = result.to_dict(lang)["sharing"]
    rows = [[m["name"], format_number(m["key_value"], 1, lang), format_percent(m["share"], 1, lang),
             money(m["payment_som"], lang),
             "—" if m["tariff_per_unit_som"] is None else f"{money(m['tariff_per_unit_som'], lang)} {unit_label(m['unit'], lang)}",
             "—" if m["per_household_month_som"] is None else money(m["per_household_month_som"], lang)]
            for m in sh["members"]]
    return (f"<p>{e(t('sh_key', lang, key=t('key_' + sh['key'], lang)))} {e(t('c_source', lang))}: {e(cite(references(result, lang), sh['key_source']))}</p>"
            + table([t("c_member", lang), t("c_key", lang), t("c_share", lang), t("c_payment", lang),
                     t("c_tariff", lang), t("s_household_bill", lang)], rows, numeric=(1, 2, 3, 4, 5)))


def assumptions(result: TariffResult, lang: str, charts: dict | None = None) -> str:
    d = result.to_dict(lang)
    out = ""
    notes = [n["text"] for n in d["notes"]]
    if notes:
        out += f"<h3>{e(t('h_notes', lang))}</h3><ul>" + "".join(f"<li>{e(n)}</li>" for n in notes) + "</ul>"
    out += f"<h3>{e(t('r_sources', lang))}</h3><ol class=sources>" + "".join(
        f"<li>[{n}] {linked(text)}</li>" for text, n in references(result, lang).items()) + "</ol>"
    se = d["sensitivity"]
    if se is not None:
        names = {c.id: c.name.get(lang) for c in result.tariffs}
        swing = format_percent(se["swing"], 0, lang)
        out += f"<h3>{e(t('h_sensitivity', lang))}</h3>"
        out += f"<p>{e(t('s_tornado', lang, category=names[se['category']], swing=swing, base=money(se['base_tariff_som'], lang)))}</p>"
        out += table([t("c_line", lang), t("c_low", lang, swing=swing), t("c_high", lang, swing=swing)],
                     [[r["name"], money(r["low_som"], lang), money(r["high_som"], lang)] for r in se["tornado"][:10]],
                     numeric=(1, 2))
        if se["percentiles"] is None:
            out += f"<p>{e(t('s_no_ranges', lang))}</p>"
        else:
            q = {k: money(v, lang) for k, v in se["percentiles"].items()}
            out += f"<p>{e(t('tt_monte_carlo', lang, draws=format_number(se['draws'], 0, lang), seed=se['seed'], **q))}</p>"
        out += figure((charts or {}).get("tornado", ""))
    return out


@lru_cache(maxsize=1)
def _methodology() -> list[dict]:
    text = resources.files("okmo_models").joinpath("tariff/methodology.yaml").read_text("utf-8")
    return yaml.safe_load(text)["formulas"]


def methodology(result: TariffResult, lang: str) -> str:
    s = result.scenario
    # a formula with words in it (мин, СФ) is written per language; the others are the same in all
    formulas = [(source_text(f["formula"], lang), f.get(lang) or f["ru"]) for f in _methodology()
                if s.service in f.get("services", [s.service]) and not (f.get("needs") and getattr(s, f["needs"]) is None)]
    return blocks.methodology("r_methodology_intro", formulas, lang)


BUILDERS = {"r_proposal": proposed, "r_legal": legal_basis, "r_inputs": inputs, "r_calculation": calculation, "r_tariffs": tariffs,
            "r_affordability": affordability, "r_vulnerable": vulnerable, "r_path": path, "r_sharing": sharing,
            "r_assumptions": assumptions, "r_methodology": methodology}


def body(result: TariffResult, lang: str, charts: dict | None = None) -> str:
    """Every numbered section, in the order of :func:`outline`."""
    return blocks.numbered(outline(result.scenario), BUILDERS, result, lang, charts)


def charts(result: TariffResult, lang: str) -> dict[str, str]:
    """The report's charts as inline SVG, drawn with the report's fonts."""
    from okmo_models import display

    out = {}
    with blocks.report_fonts():
        out["cost_structure"] = blocks.svg(display.cost_structure_chart(result, lang).figure)
        if result.policy is not None and result.policy.path is not None:
            out["path"] = blocks.svg(display.path_chart(result, lang).figure)
        if result.policy is not None and result.policy.sensitivity is not None:
            out["tornado"] = blocks.svg(display.tornado_chart(result, lang).figure)
    return out


def stamp_and_signatures(result: TariffResult, lang: str) -> str:
    """The scenario file and its SHA-256; the date line is of the year before the tariff year."""
    return blocks.stamp_and_signatures(result.provenance.inputs, lang, "r_stamp",
                                       year=result.scenario.tariff_year - 1)

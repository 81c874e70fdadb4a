"""The sections of the development programme annex (приложение к ПСЭР) as HTML.

Every figure comes from :func:`okmo_models.programme.evaluate_programme` (the same as
``okmo programme``): the draft as written, the optimal portfolio and the plain ranking
against the fiscal space, formatted with :mod:`okmo_models.formatting` in the file's unit.
Every source is the file's own, cited as ``[n]`` and listed in full in section 6. The report
notebook (programme_report) only displays what these functions return; the nbconvert
template and report.css are those of the tariff report.
"""

from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path

import numpy as np

from okmo_models.formatting import format_number, format_percent, format_unit
from okmo_models.i18n import has, t
from okmo_models.programme.model import money, priority
from okmo_models.programme.result import optimality_note
from okmo_models.programme.schema import fraction
from okmo_models.provenance import source_text
from okmo_models.report import blocks
from okmo_models.report.blocks import e
from okmo_models.report.budget_sections import Raw, by_year, grid, minus

# The short methodology of section 7: formulas in single-letter symbols (the same in every
# language), each explained by a prr_m_* message.
FORMULAS = (
    ("prr_m_money", "M(t) = C(t) · (1 − Σ d_k) + E(t) + R(t)"),
    ("prr_m_running", "R(k) = L / n + r · L · (1 − (k − 1) / n),   k = 1 … n"),
    ("prr_m_priority", "P(m) = 100 · Σ w_c · (b_c(m) − a) / (z − a) / Σ w_c"),
    ("prr_m_space", "O(t) = S(t) − Σ M_m(t) ≥ 0"),
    ("prr_m_milp", "F = Σ P(m) · x(m, s),   Σ_s x(m, s) ≤ 1,   x ∈ {0, 1}"),
)


def read(path: str | Path) -> blocks.Document:
    """The annex of a programme file: its evaluation (draft, optimum, ranking) and the file."""
    from okmo_models.programme import evaluate_programme

    result = evaluate_programme(path)
    return blocks.Document(sys.modules[__name__], result, result.programme)


def outline(scenario) -> list[str]:
    """Message keys of the numbered sections, in document order."""
    return ["prr_measures", "prr_priorities", "prr_fit", "prr_optimal", "prr_compare", "prr_rules",
            "prr_methodology"]


def contents(scenario, lang: str, pages: dict | None = None) -> str:
    """The table of contents; ``pages`` maps section numbers to page numbers when known."""
    return blocks.contents(outline(scenario), lang, pages)


# --- small helpers -----------------------------------------------------------------------------


def num(x, lang: str, decimals: int = 1) -> str:
    """Amounts in the file's unit, one decimal as in ``okmo programme``, a shortfall with a
    real minus."""
    return minus(format_number(float(x), decimals, lang))


def unit(programme, lang: str) -> str:
    return t("b_unit_" + programme.unit, lang)


def refs(programme) -> dict[str, str]:
    """``[n]`` for every source of the file, numbered in the file's order (section 6)."""
    return {key: f"[{n}]" for n, key in enumerate(programme.sources, 1)}


def sector(name: str, lang: str) -> str:
    key = "prr_sector_" + name
    return t(key, lang) if has(key) else name.replace("_", " ")


def names(programme, lang: str) -> dict[str, str]:
    return {m.id: m.name.get(lang) for m in programme.measures}


def by_priority(programme) -> list:
    return sorted(programme.measures, key=lambda m: -priority(m, programme))


def _works_years(m) -> list:
    """Labels of the works years: calendar years from the planned start, else year 1, 2..."""
    return [m.start + j if m.start is not None else None for j in range(len(m.cost))]


def _cost_by_year(m, lang: str) -> str:
    parts = []
    for j, (year, c) in enumerate(zip(_works_years(m), m.cost), 1):
        label = str(year) if year is not None else t("prr_work_year", lang, n=j)
        parts.append(f"{label} — {num(c, lang)}")
    return "; ".join(parts)


def funding(m, programme, lang: str) -> str:
    """A measure's funding in words: each source, its share or amount, its terms, its ``[n]``."""
    numbers = refs(programme)
    parts = []
    for f in m.funding:
        size = (format_percent(fraction(f.share), 0, lang) if f.share is not None
                else f"{num(f.amount, lang)} {unit(programme, lang)}")
        terms = []
        if f.min_local_share is not None:
            terms.append(t("prr_min_local", lang, share=format_percent(fraction(f.min_local_share), 0, lang)))
        if f.kind == "budget_loan" and f.repay_years is not None:
            interest = fraction(f.interest) if f.interest is not None else 0.0
            terms.append(t("prr_loan_terms", lang, years=f.repay_years, interest=format_percent(interest, 1, lang)))
        extra = f" ({'; '.join(terms)})" if terms else ""
        parts.append(f"{t('funding_' + f.kind, lang)}: {size}{extra} {numbers[f.source]}")
    return "; ".join(parts) if parts else "—"


def local_share(m) -> float:
    """The share of the works the local budget pays (what the other sources leave)."""
    total = float(sum(m.cost)) or 1.0
    external = sum(fraction(f.share) if f.share is not None else (f.amount or 0.0) / total for f in m.funding)
    return max(0.0, 1.0 - external)


def _years_list(years) -> str:
    return ", ".join(map(str, years))


def _source_list(programme, lang: str) -> str:
    numbers = refs(programme)
    # the key is an id for the file's own references: the reader sees the number and the text
    items = "".join(f"<li>{e(numbers[k])} {e(source_text(v, lang))}</li>" for k, v in programme.sources.items())
    return f"<ul class=small>{items}</ul>"


# --- title page ------------------------------------------------------------------------------


def title_page(result, lang: str) -> str:
    p = result.programme
    region = p.municipality.region.get(lang) if p.municipality.region else ""
    description = f'<p class="title-region">{e(p.description.get(lang))}</p>' if p.description else ""
    return f"""<div class="title-page">
<p class="title-org">{e(p.municipality.name.get(lang))}</p>
<p class="title-region">{e(region)}</p>
<h1>{e(t('prr_title', lang))}</h1>
<p class="title-service">{e(t('prr_period', lang, first=p.first_year, last=p.last_year))}</p>
<p class="title-operator">{e(t('prr_unit_note', lang, unit=unit(p, lang)))}</p>
{description}
<p class="title-date">{e(dt.date.today().strftime('%d.%m.%Y'))}</p>
</div>"""


# --- 1. measures ---------------------------------------------------------------------------------


def measures(result, lang: str) -> str:
    p = result.programme
    numbers = refs(p)
    label = names(p, lang)
    register = []
    for n, m in enumerate(p.measures, 1):
        where = sector(m.sector, lang) + (f", {m.settlement.get(lang)}" if m.settlement else "")
        planned = (f"{m.start} ({t('prr_committed', lang)})" if m.committed else
                   str(m.start) if m.start is not None else t("prr_not_planned", lang))
        register.append([n, m.name.get(lang), where, _cost_by_year(m, lang), num(sum(m.cost), lang),
                         num(m.running_cost, lang), planned, numbers[m.source]])
    out = (f"<h3>{e(t('prr_register', lang))}, {e(unit(p, lang))}</h3>"
           + grid([t("prr_col_no", lang), t("pr_col_measure", lang), t("prr_col_sector", lang),
                   t("prr_col_cost_years", lang), t("prr_col_total", lang), t("prr_col_running", lang),
                   t("prr_col_planned", lang), t("prr_col_source", lang)],
                  register, numeric=(4, 5), widths={0: "4%", 1: "19%", 2: "15%", 3: "22%", 7: "6%"}))
    sources = [[n, m.name.get(lang), funding(m, p, lang), format_percent(local_share(m), 1, lang)]
               for n, m in enumerate(p.measures, 1)]
    out += (f"<h3>{e(t('prr_funding_title', lang))}</h3>"
            + grid([t("prr_col_no", lang), t("pr_col_measure", lang), t("prr_col_funding", lang),
                    t("prr_col_local", lang)], sources, numeric=(3,),
                   widths={0: "4%", 1: "26%", 3: "13%"}))
    results = []
    for n, m in enumerate(p.measures, 1):
        b = m.beneficiaries
        people = " / ".join(format_number(v, 0, lang) for v in (b.total, b.women, b.vulnerable))
        indicators = "; ".join(f"{i.name.get(lang)}, {format_unit(i.unit, lang)}: {format_number(i.baseline, 0, lang)} → "
                               f"{format_number(i.target, 0, lang)}" for i in m.indicators) or "—"
        links = []
        if m.requires:
            links.append(t("prr_requires", lang, names=", ".join(f"«{label[r]}»" for r in m.requires)))
        if m.excludes:
            links.append(t("prr_excludes", lang, names=", ".join(f"«{label[x]}»" for x in m.excludes)))
        results.append([n, m.name.get(lang), people, indicators, "; ".join(links) or "—"])
    out += (f"<h3>{e(t('prr_results_title', lang))}</h3>"
            + grid([t("prr_col_no", lang), t("pr_col_measure", lang), t("prr_col_people", lang),
                    t("prr_col_indicators", lang), t("prr_col_links", lang)], results, numeric=(2,),
                   widths={0: "4%", 1: "22%", 2: "16%"}))
    return out + f"<p class=note>{e(t('prr_registers_note', lang))}</p>"


# --- 2. priorities -------------------------------------------------------------------------------


def priorities(result, lang: str) -> str:
    p = result.programme
    total = sum(c.weight for c in p.criteria.values())
    criteria = [[c.name.get(lang), format_number(c.weight, 0, lang), format_percent(c.weight / total, 1, lang)]
                for c in p.criteria.values()]
    out = (f"<h3>{e(t('prr_criteria_title', lang))}</h3>"
           + grid([t("prr_col_criterion", lang), t("prr_col_weight", lang), t("prr_col_weight_share", lang)],
                  criteria, numeric=(1, 2), widths={0: "60%"}))
    lo, hi = p.scale
    rows = [[m.name.get(lang), *(format_number(m.scores.get(k, lo), 0, lang) for k in p.criteria),
             Raw(f"<b>{e(format_number(priority(m, p) * 100, 0, lang))}</b>")] for m in by_priority(p)]
    out += (f"<h3>{e(t('prr_scores_title', lang))}</h3>"
            + grid([t("pr_col_measure", lang), *(c.name.get(lang) for c in p.criteria.values()),
                    t("pr_col_priority", lang)], rows, numeric=range(1, len(p.criteria) + 2),
                   widths={0: "34%"})
            + f"<p class=note>{e(t('prr_scores_note', lang, low=f'{lo:g}', high=f'{hi:g}'))}</p>")
    return out


# --- 3. fit of the draft -------------------------------------------------------------------------


def space_note(result, lang: str) -> str:
    p = result.programme
    if result.space.origin == "limits":
        return t("prr_space_limits", lang, ref=refs(p).get(p.limits_source, ""))
    capital = t("prr_space_capital", lang) if p.capital_works_available else ""
    return t("prr_space_budget", lang, origin=result.space.describe(lang), capital=capital, unit=unit(p, lang))


def _local_parts(portfolio) -> dict[str, np.ndarray]:
    """The local budget's money split into works, running costs and loan repayments."""
    by_id = {m.id: m for m in portfolio.programme.measures}
    n = len(portfolio.years)
    parts = {k: np.zeros(n) for k in ("works", "running", "repayment")}
    for mid, start in portfolio.starts.items():
        flows = money(by_id[mid], start, portfolio.years)
        for k, values in parts.items():
            parts[k] = values + flows[k]
    return parts


def financing(result, which: str, lang: str) -> str:
    """The financing table of one portfolio by year, with the local budget's parts."""
    portfolio = result.portfolios()[which]
    table = result.financing_table(which, lang)
    local = t("funding_local_budget", lang)
    parts = _local_parts(portfolio)
    rows, strong = [], []
    for row in table.itertuples(index=False):
        label, values = row[0], row[1:]
        if label in (t("pr_total_cost", lang), t("pr_fiscal_space", lang), t("pr_left", lang)):
            strong.append(len(rows))
        rows.append([label, *(num(v, lang) for v in values)])
        if label == local:
            for key in ("works", "running", "repayment"):
                if parts[key].any():
                    rows.append([t("prr_of_" + key, lang), *(num(v, lang) for v in parts[key])])
    return (f"<h3>{e(t('prr_financing_title', lang))}, {e(unit(result.programme, lang))}</h3>"
            + by_year(t("prr_col_row", lang), result.space.years, rows, strong=strong))


def fit(result, lang: str) -> str:
    p = result.programme
    plan = result.plan
    out = (f"<p>{e(t('prr_plan_intro', lang))}</p><p>{e(space_note(result, lang))}</p>"
           + financing(result, "plan", lang))
    gaps = plan.gaps()
    if not gaps:
        return out + f"<p><b>{e(t('prr_fits', lang))}</b></p>"
    out += f"<p><b>{e(t('prr_not_fits', lang, years=_years_list(y for y, _, _ in gaps)))}</b></p>"
    label = names(p, lang)
    for year, short, causes in gaps:
        need = sum(v for _, v in causes) or 1.0
        rows = [[label[mid], num(v, lang), format_percent(v / need, 1, lang)] for mid, v in causes]
        out += (f"<h3>{e(t('prr_gap_title', lang, year=year, short=num(short, lang)))}</h3>"
                + grid([t("pr_col_measure", lang), t("prr_col_local_money", lang),
                        t("prr_col_share_of_need", lang)], rows, numeric=(1, 2), widths={0: "56%"}))
    return out


# --- 4. the recommended portfolio -------------------------------------------------------------------


def optimal(result, lang: str, charts: dict) -> str:
    portfolio = result.optimal
    out = f"<p>{e(t('prr_optimal_intro', lang))}</p>"
    note = optimality_note(result, lang)
    if note:  # the intro's "highest priority" is then a bound, not a proof
        out += f"<p><b>{e(note)}</b></p>"
    if "timeline" in charts:
        out += f"<h3>{e(t('prr_timeline_title', lang))}</h3>" + blocks.figure(charts["timeline"])
    out += financing(result, "optimal", lang)
    left = portfolio.left()
    k = int(np.argmin(left))
    out += f"<p>{e(t('prr_left_note', lang, left=num(left[k], lang), year=result.space.years[k]))}</p>"
    table = result.measures_table("optimal", lang)
    out += (f"<h3>{e(t('prr_why_title', lang))}</h3>"
            + grid(list(table.columns), [list(map(str, r)) for r in table.itertuples(index=False)],
                   numeric=(1, 2, 3, 4), widths={0: "27%", 5: "30%"}))
    out += after_period(result, lang)
    return out


def after_period(result, lang: str) -> str:
    """Running costs and loan repayments of the chosen measures in the first year after the period."""
    p = result.programme
    portfolio = result.optimal
    year = p.last_year + 1
    by_id = {m.id: m for m in p.measures}
    rows, totals = [], np.zeros(3)
    for m in by_priority(p):
        if m.id not in portfolio.starts:
            continue
        after = float(money(by_id[m.id], portfolio.starts[m.id], portfolio.years)["after"][0])
        values = np.array([m.running_cost, after - m.running_cost, after])
        if values[2] <= 0:
            continue
        totals += values
        rows.append([m.name.get(lang), *(num(v, lang) for v in values)])
    if not rows:
        return ""
    rows.append([t("prr_after_total", lang), *(num(v, lang) for v in totals)])
    return (f"<h3>{e(t('prr_after_title', lang, last=p.last_year))}, {e(unit(p, lang))}</h3>"
            + grid([t("pr_col_measure", lang), t("prr_col_running_after", lang),
                    t("prr_col_loan_after", lang, year=year), t("prr_col_after_total", lang, year=year)],
                   rows, numeric=(1, 2, 3), strong=(len(rows) - 1,), widths={0: "46%"})
            + f"<p class=note>{e(t('prr_after_note', lang))}</p>")


# --- 5. comparison -------------------------------------------------------------------------------


def comparison(result, lang: str) -> str:
    table = result.compare_table(lang)
    rows = [[str(label), *(minus(str(v)) for v in values)] for label, values in zip(table.index, table.to_numpy())]
    same = result.optimal.starts == result.ranking.starts
    totals = {k: format_number(v.priority_total() * 100, 0, lang) for k, v in result.portfolios().items()}
    sentence = t("prr_compare_same", lang) if same else t("prr_compare_differs", lang, **totals)
    starts = result.starts_table(lang)
    return (f"<p>{e(t('prr_compare_intro', lang))}</p><p>{e(sentence)}</p>"
            + grid([t("prr_col_row", lang), *table.columns], rows, numeric=(1, 2, 3), widths={0: "40%"})
            + f"<p class=note>{e(t('prr_money_over_period', lang, unit=unit(result.programme, lang)))}</p>"
            + f"<h3>{e(t('pr_row_timeline', lang))}</h3>"
            + grid(list(starts.columns), starts.to_numpy().tolist(), numeric=(1, 2, 3), widths={0: "40%"}))


# --- 6. rules, assumptions and sources ------------------------------------------------------------------


def rules(result, lang: str) -> str:
    p = result.programme
    numbers = refs(p)
    items = [t("prr_rule_unit", lang, unit=unit(p, lang)),
             t("prr_rule_period", lang, first=p.first_year, last=p.last_year),
             space_note(result, lang)]
    if p.rules.min_vulnerable_share is not None:
        total, _, vulnerable = result.optimal.beneficiaries()
        items.append(t("prr_rule_vulnerable", lang, share=format_percent(fraction(p.rules.min_vulnerable_share), 1, lang),
                       actual=format_percent(vulnerable / total if total else 0.0, 1, lang)))
    else:
        items.append(t("prr_rule_no_vulnerable", lang))
    items.append(t("prr_rule_carry_yes" if p.rules.carry_over else "prr_rule_carry_no", lang))
    committed = [m.name.get(lang) for m in p.measures if m.committed]
    if committed:
        items.append(t("prr_rule_committed", lang, names="; ".join(committed)))
    for m in p.measures:
        total = float(sum(m.cost))
        for f in m.funding:
            if f.min_local_share is not None:
                items.append(t("prr_rule_cofinancing", lang, measure=m.name.get(lang), kind=t("funding_" + f.kind, lang),
                               share=format_percent(fraction(f.min_local_share), 0, lang), ref=numbers[f.source]))
            if f.kind == "budget_loan" and f.repay_years is not None:
                amount = fraction(f.share) * total if f.share is not None else f.amount or 0.0
                interest = fraction(f.interest) if f.interest is not None else 0.0
                items.append(t("prr_rule_loan", lang, measure=m.name.get(lang),
                               amount=f"{num(amount, lang)} {unit(p, lang)}", years=f.repay_years,
                               interest=format_percent(interest, 1, lang), ref=numbers[f.source]))
    out = "<ul>" + "".join(f"<li>{e(i)}</li>" for i in items) + "</ul>"
    if p.rules.source_limits:
        years = result.space.years
        rows = [[t("funding_" + kind, lang), *(num(limits[y], lang) if y in limits else "—" for y in years)]
                for kind, limits in p.rules.source_limits.items()]
        out += (f"<h3>{e(t('prr_limits_title', lang))}, {e(unit(p, lang))}</h3>"
                + by_year(t("prr_col_source_kind", lang), years, rows))
    return out + f"<h3>{e(t('prr_all_sources', lang))}</h3>" + _source_list(p, lang)


# --- 7. methodology -------------------------------------------------------------------------------


def methodology(result, lang: str) -> str:
    items = [(formula, t(key, lang)) for key, formula in FORMULAS]
    # the rule that keeps a measure out has no formula: it closes the optimisation's words
    items[-1] = (items[-1][0], f"{items[-1][1]} {t('prr_m_reasons', lang)}")
    return blocks.methodology("prr_m_intro", items, lang)


BUILDERS = {"prr_measures": measures, "prr_priorities": priorities, "prr_fit": fit, "prr_optimal": optimal,
            "prr_compare": comparison, "prr_rules": rules, "prr_methodology": methodology}


def body(result, lang: str, charts: dict | None = None) -> str:
    """Every numbered section, in the order of :func:`outline`; ``result`` is ``evaluate_programme(path)``."""
    return blocks.numbered(outline(result.programme), BUILDERS, result, lang, charts)


# --- chart ----------------------------------------------------------------------------------------


def timeline_chart(result, lang: str):
    """Gantt-like bars: works years of each measure in the recommended portfolio, the draft's
    below them (hatched); measures left out are marked."""
    import matplotlib.pyplot as plt
    from matplotlib.patches import Patch

    p = result.programme
    ordered = by_priority(p)
    years = result.space.years
    fig, ax = plt.subplots(figsize=(8.2, 0.42 * len(ordered) + 1.4))
    for row, m in enumerate(ordered):
        y = len(ordered) - 1 - row
        if m.id in result.optimal.starts:
            ax.broken_barh([(result.optimal.starts[m.id] - 0.5, len(m.cost))], (y - 0.05, 0.4), color="#2f6f9f")
        else:
            ax.text(years[0] - 0.45, y + 0.15, t("prr_chart_out", lang), fontsize=7.5, color="#a33", va="center")
        if m.id in result.plan.starts:
            ax.broken_barh([(result.plan.starts[m.id] - 0.5, len(m.cost))], (y - 0.4, 0.3), facecolor="white",
                           edgecolor="#777", hatch="///", linewidth=0.6)
    ax.set_yticks(range(len(ordered)))
    ax.set_yticklabels([m.name.get(lang) for m in reversed(ordered)], fontsize=8)
    ax.set_xticks(list(years))
    ax.set_xlim(years[0] - 0.5, years[-1] + 0.5)
    ax.set_ylim(-0.6, len(ordered) - 0.4)
    ax.grid(axis="x", color="#ddd", linewidth=0.6)
    ax.set_axisbelow(True)
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)
    ax.legend(handles=[Patch(color="#2f6f9f", label=t("prr_chart_works_optimal", lang)),
                       Patch(facecolor="white", edgecolor="#777", hatch="///", label=t("prr_chart_works_plan", lang))],
              loc="upper center", bbox_to_anchor=(0.5, -0.06), ncol=2, fontsize=8, frameon=False)
    fig.tight_layout()
    return fig


def charts(result, lang: str) -> dict[str, str]:
    """The timeline of the recommended portfolio as inline SVG, drawn with the report's fonts."""
    with blocks.report_fonts():
        return {"timeline": blocks.svg(timeline_chart(result, lang))}


def stamp_and_signatures(result, lang: str) -> str:
    """File names and SHA-256 of the programme file, of the budget file whose forecast gives
    the fiscal space, and of the history table that budget file names."""
    return blocks.stamp_and_signatures(result.provenance.inputs, lang, "prr_stamp")

"""The sections of the budget forecast report (прогноз местного бюджета) as HTML.

Every figure comes from the :class:`~okmo_models.budget.forecast.BudgetResult` objects of
``BudgetModel(scenario).fit_all()`` (the same as ``okmo budget``), formatted with
:mod:`okmo_models.formatting`; every source is the file's own, cited as ``[n]`` and listed
in full in section 6. The report notebook (budget_report) only displays what these
functions return; the nbconvert template and report.css are those of the tariff report.
"""

from __future__ import annotations

import datetime as dt
import inspect
import sys
from pathlib import Path

import numpy as np

from okmo_models.budget import methods as bm
from okmo_models.budget.forecast import COMBINATION, MIN_SIGMA, PERCENTILES, compare
from okmo_models.formatting import format_number, format_percent
from okmo_models.i18n import t
from okmo_models.provenance import source_text
from okmo_models.report import blocks
from okmo_models.report.blocks import e, figure

# Formulas of section 7 in single-letter symbols (the same in every language); the words
# beside them, which name every symbol, are br_m_* messages.
FORMULAS = (
    ("br_m_naive", "ŷ(T+h) = y(T)"),
    ("br_m_average_growth", "ŷ(T+h) = y(T) · (1 + g)^h,   g = (y(T) / y(1))^(1/(T−1)) − 1"),
    ("br_m_cpi_real", "ŷ(T+h) = y(T)/P(T) · (1 + r)^h · P(T+h)"),
    ("br_m_ses", "ℓ(t) = α·y(t) + (1 − α)·ℓ(t−1),   ŷ(T+h) = ℓ(T)"),
    ("br_m_damped_trend", "ŷ(T+h) = ℓ(T) + (φ + φ² + … + φ^h)·b(T)"),
    ("br_m_backtest", "E = (1/K) · Σ |y(k) − ŷ(k)| / y(k) · 100 %"),
    ("br_m_sigma", "y(k+h) = ŷ(k+h) · e^d(k,h),   σ(h) = s · h^p,   s = √( (1/N) · Σ (d(k,h) / h^p)² ),   σ ≥ 2 %"),
    ("br_m_monte_carlo", "y(T+h) = ŷ(T+h) · e^(σ(h)·Z − σ(h)²/2),   Z ~ N(0, 1)"),
    ("br_m_scenarios", "ŷ′ = ŷ · (P′/P)^ε · (N′/N)^η"),
)
# First history year the backtest forecasts (bm.backtest trains on at least this many years).
_MIN_TRAIN = inspect.signature(bm.backtest).parameters["min_train"].default
_TOTALS = {"revenue": "b_revenue_total", "expenditure": "b_expenditure_total", "balance": "b_balance"}
_VOWELS = set("аеёиоуыэюяөүaeiouy")


def hyphenate(text: str, longer_than: int = 10) -> str:
    """Soft hyphens in long words (between a vowel and a consonant followed by a vowel, as
    Russian and Kyrgyz hyphenate), so that narrow column headings break inside them."""
    words = []
    for word in text.split(" "):
        if len(word) > longer_than:
            chars = list(word)
            for i in range(len(word) - 4, 1, -1):
                low = word[i:i + 3].lower()
                if low[0] in _VOWELS and low[1].isalpha() and low[1] not in _VOWELS and low[2] in _VOWELS:
                    chars.insert(i + 1, "\u00ad")
            word = "".join(chars)
        words.append(word)
    return " ".join(words)


class Raw(str):
    """A table cell already in HTML (a figure in bold); every other cell is escaped."""


def _cell(value) -> str:
    return value if isinstance(value, Raw) else e(value)


def grid(headers, rows, numeric=(), css="small", strong=(), group=None, widths=None) -> str:
    """Like :func:`sections.table`, with bold rows (totals) and group rows: a row given as a
    plain string spans the table as a heading (a scenario's name). ``group`` is
    ``(first column, number of columns, heading)``: a heading over several columns;
    ``widths`` maps columns to a CSS width (a column of words beside many figures)."""
    widths = widths or {}
    # headings of numeric columns may wrap (long method names); their figures never do
    cells = [f"<th{' class=num' if i in numeric else ''} style=\"white-space: normal\">{e(hyphenate(str(h)))}</th>"
             for i, h in enumerate(headers)]
    if group is None:
        head = f"<tr>{''.join(cells)}</tr>"
    else:
        first, span, text = group
        inside = range(first, first + span)
        top = [c.replace("<th", '<th rowspan="2"', 1) for i, c in enumerate(cells) if i < first]
        top.append(f'<th colspan="{span}" style="text-align: center">{e(text)}</th>')
        top += [c.replace("<th", '<th rowspan="2"', 1) for i, c in enumerate(cells) if i >= first + span]
        head = f"<tr>{''.join(top)}</tr><tr>{''.join(cells[i] for i in inside)}</tr>"
    body = []
    for n, row in enumerate(rows):
        if isinstance(row, str):
            body.append(f'<tr><th colspan="{len(headers)}">{e(row)}</th></tr>')
            continue
        cells = [_cell(v) for v in row]
        if n in strong:
            cells = [f"<b>{c}</b>" for c in cells]
        body.append("<tr>" + "".join(f"<td{' class=num' if i in numeric else ''}>{c}</td>"
                                     for i, c in enumerate(cells)) + "</tr>")
    cols = ("<colgroup>" + "".join(f'<col style="width: {widths[i]}">' if i in widths else "<col>"
                                   for i in range(len(headers))) + "</colgroup>") if widths else ""
    return f'<table class="{css}">{cols}<thead>{head}</thead><tbody>{"".join(body)}</tbody></table>'


def by_year(first, years, rows, size=8, tail=None, strong=()) -> str:
    """A table with one column per year (rows: ``[label, *values]``, plus a last cell under
    ``tail``), split into several tables when the years would not fit across A4."""
    years = list(years)
    out = []
    for start in range(0, len(years), size):
        part = slice(start + 1, start + 1 + size)
        chunk = [row if isinstance(row, str) else
                 [row[0], *row[part], *([row[-1]] if tail else [])] for row in rows]
        headers = [first, *years[start:start + size], *([tail] if tail else [])]
        out.append(grid(headers, chunk, numeric=range(1, len(years[start:start + size]) + 1), strong=strong))
    return "".join(out)


def read(path: str | Path) -> blocks.Document:
    """The forecast report of a budget file: the baseline and every scenario of the file
    (``BudgetModel(...).fit_all()``, the baseline under ``None``) and the file."""
    from okmo_models.budget.forecast import BudgetModel
    from okmo_models.plan_links import linked_budget

    loaded = linked_budget(path)[0]  # with the tariffs its lines pay for
    return blocks.Document(sys.modules[__name__], BudgetModel(loaded.scenario, loaded.inputs).fit_all(),
                           loaded.scenario)


def outline(scenario) -> list[str]:
    """Message keys of the numbered sections, in document order, for this budget file."""
    return (["r_inputs", "br_methods", "br_budget", "br_uncertainty"]
            + (["br_scenarios"] if scenario.scenarios else [])
            + ["br_assumptions", "br_methodology"])


def contents(scenario, lang: str, pages: dict | None = None) -> str:
    """The table of contents; ``pages`` maps section numbers to page numbers when known."""
    return blocks.contents(outline(scenario), lang, pages)


# --- small helpers ---------------------------------------------------------------------------


def minus(text: str) -> str:
    """A formatted figure with a real minus sign (U+2212) instead of the hyphen, as printed
    documents write a deficit or a fall: ``-1 087,5`` -> ``−1 087,5``."""
    return "\u2212" + text[1:] if text.startswith("-") else text


def num(x, lang: str, decimals: int = 1) -> str:
    """Amounts in the file's unit, one decimal as in ``okmo budget``, a deficit with a real minus."""
    return minus(format_number(float(x), decimals, lang))


def _rate(q) -> float:
    return q.value * q.parsed_unit.factor


def _signed(share: float, lang: str) -> str:
    return ("+" if share > 0 else "") + minus(format_percent(share, 1, lang))


def unit(scenario, lang: str) -> str:
    return t("b_unit_" + scenario.unit, lang)


def refs(scenario) -> dict[str, str]:
    """``[n]`` for every source of the file, numbered in the file's order (section 6)."""
    return {key: f"[{n}]" for n, key in enumerate(scenario.sources, 1)}


def line_name(scenario, line: str, lang: str) -> str:
    """A budget line in the reader's words: the file's own name if it gives one."""
    series = scenario.revenue.get(line) or scenario.expenditure.get(line)
    if series is not None and series.name is not None:
        return series.name.get(lang)
    return t("line_b_" + line, lang)


def _source_notes(scenario, keys, lang: str) -> str:
    """The sources a table cites, in full, under it."""
    numbers = refs(scenario)
    used = [k for k in scenario.sources if k in set(keys)]
    items = "".join(f"<li>{e(numbers[k])} {e(source_text(scenario.sources[k], lang))}</li>" for k in used)
    return f"<p class=note>{e(t('br_sources_used', lang))}:</p><ul class=small>{items}</ul>" if used else ""


def _years(values) -> str:
    """``2026 — 7 100,0; 2027 — 7 250,0``."""
    return "; ".join(f"{year} — {text}" for year, text in values)


def _span(years) -> str:
    """``2026–2028`` for consecutive years, else ``2026, 2028``."""
    years = list(years)
    if len(years) > 1 and years == list(range(years[0], years[-1] + 1)):
        return f"{years[0]}–{years[-1]}"
    return ", ".join(map(str, years))


def _best(result, i: int) -> str:
    """The method the model chooses for line ``i`` when the file names none: the backtest's
    combination (the one-year errors of the classic methods are shown, not used to choose)."""
    return COMBINATION


def _percent(v, lang) -> str:
    """A one-year error; a line with no year to measure (every actual 0) has none."""
    return "—" if np.isnan(v) else format_percent(v, 1, lang)


# --- title page ------------------------------------------------------------------------------


def title_page(result: dict, lang: str) -> str:
    r = result[None]
    s = r.scenario
    region = s.municipality.region.get(lang) if s.municipality.region else ""
    first, last = r.forecast_years[0], r.forecast_years[r.horizon - 1]
    description = f'<p class="title-region">{e(s.description.get(lang))}</p>' if s.description else ""
    return f"""<div class="title-page">
<p class="title-org">{e(s.municipality.name.get(lang))}</p>
<p class="title-region">{e(region)}</p>
<h1>{e(t('br_title', lang))}</h1>
<p class="title-service">{e(t('br_period', lang, first=first, last=last, end=r.forecast_years[-1]))}</p>
<p class="title-period">{e(t('br_history_period', lang, first=r.years[0], last=r.years[-1]))}</p>
<p class="title-operator">{e(t('br_unit_note', lang, unit=unit(s, lang)))}</p>
{description}
<p class="title-date">{e(dt.date.today().strftime('%d.%m.%Y'))}</p>
</div>"""


# --- 1. source data ----------------------------------------------------------------------------


def inputs(results: dict, lang: str) -> str:
    r = results[None]
    s = r.scenario
    numbers = refs(s)
    history = r.history_totals()
    rows, strong, cited = [], [], []
    for section_name in ("revenue", "expenditure"):
        lines = getattr(s, section_name)
        for i, (sec, line) in enumerate(r.lines):
            if sec == section_name:
                rows.append([line_name(s, line, lang), *(num(v, lang) for v in r.history[i]),
                             numbers[lines[line].source]])
                cited.append(lines[line].source)
        strong.append(len(rows))
        reported = s.totals.source if s.totals is not None and getattr(s.totals, section_name) else None
        rows.append([t(_TOTALS[section_name], lang), *(num(v, lang) for v in history.loc[section_name]),
                     numbers[reported] if reported else ""])
    strong.append(len(rows))
    rows.append([t("b_balance", lang), *(num(v, lang) for v in history.loc["balance"]), ""])
    out = (f"<h3>{e(t('br_history', lang))}, {e(unit(s, lang))}</h3>"
           + by_year(t("br_line", lang), r.years, rows, size=10, tail=t("br_ref", lang), strong=strong))
    if s.totals is not None:
        out += f"<p class=note>{e(t('br_totals_checked', lang, ref=numbers[s.totals.source]))}</p>"
        cited.append(s.totals.source)
    out += _source_notes(s, cited, lang)

    history_years = list(r.years[1:])
    cpi = [[f"{t('br_cpi_row', lang)} ({t('b_history', lang).lower()})",
            *(minus(format_percent(_rate(s.cpi[y]), 1, lang)) for y in history_years)]]
    future = [[f"{t('br_cpi_row', lang)} ({t('b_point', lang).lower()})",
               *(minus(format_percent(_rate(s.cpi[y]), 1, lang)) for y in r.forecast_years)]]
    out += (f"<h3>{e(t('br_cpi', lang))}</h3>" + by_year(t("c_year", lang), history_years, cpi, size=10)
            + by_year(t("c_year", lang), r.forecast_years, future, size=10)
            + f"<p class=note>{e(t('br_cpi_note', lang, ref=numbers[s.cpi_source]))}</p>"
            + _source_notes(s, [s.cpi_source], lang))

    if s.population is not None:
        p = s.population
        residents = [[t("br_residents", lang), *(num(v, lang, 0) for v in p.values)]]
        growth = minus(format_percent(_rate(p.growth), 1, lang))
        out += (f"<h3>{e(t('br_population', lang))}</h3>"
                + by_year(t("c_year", lang), r.years, residents, size=10)
                + f"<p class=note>{e(t('br_population_note', lang, growth=growth, ref=numbers[p.source]))}</p>")
        if p.elasticity:
            lines = ", ".join(f"{line_name(s, ln, lang)} — {format_number(v, 1, lang)}"
                              for ln, v in p.elasticity.items())
            out += f"<p class=note>{e(t('br_population_lines', lang, lines=lines))}</p>"
        out += _source_notes(s, [p.source], lang)
    return out


# --- 2. methods --------------------------------------------------------------------------------


def methods(results: dict, lang: str) -> str:
    r = results[None]
    s = r.scenario
    numbers = refs(s)
    rows = []
    for i, (_, line) in enumerate(r.lines):
        chosen = r.chosen[i]
        errors = [Raw(f"<b>{e(_percent(v, lang))}</b>") if name == chosen else _percent(v, lang)
                  for name, v in zip(bm.METHODS, r.mape[:, i])]
        best = _best(r, i)
        if chosen == "fixed":
            fixed = s.fixed[line]
            later = [y for y in r.forecast_years if y not in fixed.values]
            # years the policy does not cover are forecast by the method (the file's or the best)
            then = (t("b_method_" + s.methods[line], lang) if line in s.methods else
                    t("b_method_combination_of", lang, methods=r.members_label(i, lang)))
            basis = (t("br_basis_fixed_then", lang, years=_span(sorted(fixed.values)), ref=numbers[fixed.source],
                       method=then) if later else
                     t("br_basis_fixed", lang, ref=numbers[fixed.source]))
        elif r.from_base(line) is not None:  # area x rate and the like, not its history
            basis = r.base_note(line, lang)
        elif line in s.methods:
            basis = (t("br_basis_economist_best", lang) if best == chosen else
                     t("br_basis_economist", lang, method=t("b_method_" + best, lang)))
        else:
            basis = t("br_basis_backtest", lang)
        # the method and why in one column: the five errors need the width of the page
        # a combination is named with the methods it averages, in the reader's words
        rows.append([line_name(s, line, lang), *errors, format_percent(r.sigma[i], 1, lang),
                     Raw(f"{e(r.method_label(i, lang))}<br><i>{e(basis)}</i>")])
    tested = r.years[min(_MIN_TRAIN, len(r.years) - 1):]
    intro = t("br_methods_intro", lang, first=tested[0], last=tested[-1], count=len(tested))
    headers = [t("br_line", lang), *(t("b_method_" + m, lang) for m in bm.METHODS), t("br_sigma", lang),
               f"{t('b_col_method', lang)} ({t('br_basis', lang).lower()})"]
    return f"<p>{e(intro)}</p>" + grid(headers, rows, numeric=range(1, 2 + len(bm.METHODS)),
                                       group=(1, len(bm.METHODS), t("br_mape", lang)),
                                       widths={len(headers) - 1: "24%"})


# --- 3. the budget -----------------------------------------------------------------------------


def budget(results: dict, lang: str) -> str:
    r = results[None]
    s = r.scenario
    years = list(r.forecast_years[: r.horizon])
    summary = r.summary(lang)
    headers = [t("c_indicator", lang), t("br_executed_year", lang, year=r.years[-1]),
               *(t("br_forecast_year", lang, year=y) for y in years)]
    totals = {t(k, lang) for k in _TOTALS.values()}
    rows = [[row[0], *(num(v, lang) for v in row[1:])] for row in summary.itertuples(index=False)]
    strong = [n for n, row in enumerate(rows) if row[0] in totals]
    intro = t("br_budget_intro", lang, last=r.years[-1], first=years[0], end=years[-1], unit=unit(s, lang))
    out = (f"<p>{e(intro)}</p>"
           + grid(headers, rows, numeric=range(1, len(headers)), css="", strong=strong))
    balance = float(r.totals().loc["balance", years[0]])
    chance = format_percent(float(r.deficit_probability()[years[0]]), 0, lang)
    out += "<p>" + e(t("br_surplus" if balance >= 0 else "br_deficit", lang, year=years[0],
                       amount=num(abs(balance), lang), unit=unit(s, lang), chance=chance)) + "</p>"
    if r.population is not None:
        start = len(r.years) - 1
        counts = r.population[start:start + 1 + len(years)]
        residents = _years(zip([r.years[-1], *years], (num(v, lang, 0) for v in counts)))
        out += f"<p class=note>{e(t('br_per_resident_note', lang, residents=residents))}</p>"
    point = r.forecast()
    rows = [[line_name(s, line, lang), num(r.history[i, -1], lang), *(num(point.iloc[i][y], lang) for y in years),
             t("b_method_" + r.chosen[i], lang)] for i, (_, line) in enumerate(r.lines)]
    out += (f"<h3>{e(t('br_by_line', lang))}, {e(unit(s, lang))}</h3>"
            + grid([t("br_line", lang), t("br_executed_year", lang, year=r.years[-1]),
                    *(t("br_forecast_year", lang, year=y) for y in years), t("br_method", lang)],
                   rows, numeric=range(1, 2 + len(years))))
    return out


# --- 4. longer horizon and uncertainty ---------------------------------------------------------


def uncertainty(results: dict, lang: str, charts: dict) -> str:
    r = results[None]
    s = r.scenario
    totals = r.totals()
    deficit = r.deficit_probability()
    rows = [[t(key, lang), *(num(v, lang) for v in totals.loc[k])] for k, key in _TOTALS.items()]
    rows.append([t("b_deficit_probability", lang), *(format_percent(v, 0, lang) for v in deficit)])
    out = (f"<h3>{e(t('br_long_totals', lang, end=r.forecast_years[-1], unit=unit(s, lang)))}</h3>"
           + by_year(t("c_indicator", lang), r.forecast_years, rows, strong=(2,)))
    out += "".join(figure(charts.get(k, "")) for k in ("revenue", "balance"))
    out += f"<p class=note>{e(t('br_fan_note', lang))}</p>"
    bands = r.intervals()
    rows = []
    for k, key in _TOTALS.items():
        rows.append(t(key, lang))
        rows += [[f"P{p}", *(num(v, lang, 0) for v in bands.loc[(k, p)])] for p in PERCENTILES]
    rows.append([t("b_deficit_probability", lang), *(format_percent(v, 0, lang) for v in deficit)])
    out += (f"<h3>{e(t('br_percentiles', lang, unit=unit(s, lang)))}</h3>"
            + by_year(t("br_percentile", lang), r.forecast_years, rows,
                      strong=(len(rows) - 1,))
            + f"<p class=note>{e(t('br_percentile_note', lang))}</p>"
            + f"<p class=note>{e(t('br_mc_draws', lang, draws=format_number(s.draws, 0, lang), seed=s.seed))}</p>"
            + f"<p><b>{e(t('br_independent', lang))}</b></p>")
    return out


# --- 5. scenarios -------------------------------------------------------------------------------


def scenarios(results: dict, lang: str, charts: dict) -> str:
    r = results[None]
    s = r.scenario
    every = list(results.values())
    table = compare(every, lang)
    rows, current = [], None
    for row in table.itertuples(index=False):
        if row[0] != current:
            current = row[0]
            rows.append(current)
        rows.append([row[1], *(num(v, lang) for v in row[2:])])
    out = (f"<p>{e(t('br_scenarios_intro', lang, unit=unit(s, lang)))}</p>"
           + by_year(t("c_indicator", lang), r.forecast_years, rows))
    out += figure(charts.get("scenarios", ""))
    chances = [[x.name(lang), *(format_percent(v, 0, lang) for v in x.deficit_probability())] for x in every]
    out += (f"<h3>{e(t('br_scenario_deficit', lang))}</h3>"
            + by_year(t("b_col_scenario", lang), r.forecast_years, chances))
    out += f"<h3>{e(t('br_changes', lang))}</h3>"
    cited = []
    for vid, variant in s.scenarios.items():
        items = []
        if variant.cpi:
            prices = _years((y, minus(format_percent(_rate(q), 1, lang))) for y, q in sorted(variant.cpi.items()))
            items.append(e(t("br_change_cpi", lang, values=prices)))
        if variant.population_growth is not None:
            items.append(e(t("br_change_population", lang,
                             growth=minus(format_percent(_rate(variant.population_growth), 1, lang)),
                             baseline=minus(format_percent(_rate(s.population.growth), 1, lang)))))
        for change in variant.changes:
            items.append(e(describe_change(s, change, lang)) + " — "
                         + e(t("br_source_ref", lang, ref=refs(s)[change.source])))
            cited.append(change.source)
        description = f"<p class=note>{e(variant.description.get(lang))}</p>" if variant.description else ""
        out += (f"<p><b>{e(results[vid].name(lang))}</b></p>{description}<ul>"
                + "".join(f"<li>{item}</li>" for item in items) + "</ul>")
    return out + _source_notes(s, cited, lang)


def describe_change(scenario, change, lang: str) -> str:
    """One change of a scenario in words: "Land tax: +20,0 % from 2027"."""
    line = line_name(scenario, change.line, lang)
    if change.name is not None:
        line = f"{change.name.get(lang)} ({line})"
    u = unit(scenario, lang)
    if change.change is not None:
        return t("br_change_rate", lang, line=line, change=_signed(_rate(change.change), lang), year=change.from_year)
    if change.add is not None:
        key = "br_change_add_indexed" if change.indexed else "br_change_add_fixed"
        return t(key, lang, line=line, amount=num(change.add, lang), unit=u, year=change.from_year)
    values = _years((y, num(v, lang)) for y, v in sorted(change.set.items()))
    return t("br_change_set", lang, line=line, values=values, unit=u)


# --- 6. assumptions and sources -----------------------------------------------------------------


def assumptions(results: dict, lang: str) -> str:
    r = results[None]
    s = r.scenario
    numbers = refs(s)
    u = unit(s, lang)
    items = [t("br_horizon_item", lang, horizon=r.horizon, first=r.forecast_years[0],
               last=r.forecast_years[r.horizon - 1], end=r.forecast_years[-1])]
    for line, fixed in s.fixed.items():
        values = _years((y, num(v, lang)) for y, v in sorted(fixed.values.items()))
        items.append(t("br_fixed_item", lang, line=line_name(s, line, lang), values=values, unit=u,
                       ref=numbers[fixed.source]))
    index = {ln: i for i, (_, ln) in enumerate(r.lines)}
    for line, method in s.methods.items():
        best = _best(r, index[line])
        if best != method:
            items.append(t("br_override_item", lang, line=line_name(s, line, lang),
                           method=t("b_method_" + method, lang), best=t("b_method_" + best, lang)))
    for line, value in s.cpi_elasticity.items():
        items.append(t("br_elasticity_item", lang, line=line_name(s, line, lang), value=format_number(value, 1, lang)))
    if s.cpi_elasticity:
        items.append(t("br_prices_default", lang))
    items += [t("br_min_sigma", lang, sigma=format_percent(MIN_SIGMA, 0, lang)), t("br_independent", lang),
              t("br_mc_draws", lang, draws=format_number(s.draws, 0, lang), seed=s.seed)]
    # the key is an id for the file's own references: the reader sees the number and the text
    sources = "".join(f"<li>{e(numbers[k])} {e(source_text(v, lang))}</li>" for k, v in s.sources.items())
    return ("<ul>" + "".join(f"<li>{e(i)}</li>" for i in items) + "</ul>"
            + f"<h3>{e(t('br_all_sources', lang))}</h3><ul class=small>{sources}</ul>")


# --- 7. methodology -----------------------------------------------------------------------------


def methodology(results: dict, lang: str) -> str:
    return blocks.methodology("br_m_intro", [(formula, t(key, lang)) for key, formula in FORMULAS], lang)


BUILDERS = {"r_inputs": inputs, "br_methods": methods, "br_budget": budget, "br_uncertainty": uncertainty,
            "br_scenarios": scenarios, "br_assumptions": assumptions, "br_methodology": methodology}


def body(result: dict, lang: str, charts: dict | None = None) -> str:
    """Every numbered section, in the order of :func:`outline`; ``result`` is
    ``BudgetModel(...).fit_all()`` (the baseline under ``None``), as in every function here."""
    return blocks.numbered(outline(result[None].scenario), BUILDERS, result, lang, charts)


def charts(result: dict, lang: str) -> dict[str, str]:
    """The fan charts (revenue, balance) and the scenarios' balances as inline SVG."""
    from okmo_models import display
    from okmo_models.charts import budget_fan

    out = {}
    with blocks.report_fonts():
        for total in ("revenue", "balance"):
            out[total] = blocks.svg(display.fan_chart(budget_fan(result[None], lang, total)).figure)
        if len(result) > 1:
            out["scenarios"] = blocks.svg(display.budget_scenarios_chart(list(result.values()), lang).figure)
    return out


def stamp_and_signatures(result: dict, lang: str) -> str:
    """File names and SHA-256 of the budget file and of the history table it names."""
    return blocks.stamp_and_signatures(result[None].provenance.inputs, lang, "br_stamp")

"""The budget forecast's tables for display: headings in the reader's language, numbers in
their format. The notebooks and the text output (``okmo budget``) show the same tables."""

from __future__ import annotations

import pandas as pd

from okmo_models.budget.forecast import compare
from okmo_models.formatting import format_number, format_percent
from okmo_models.i18n import t


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
        # NaN: a line with no year to measure (every actual 0) has no error
        out[t("b_method_" + name, lang)] = ["—" if v != v else format_percent(v, 1, lang) for v in df[name]]
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
    df = compare(results, lang).rename(columns={"scenario": t("b_col_scenario", lang)})
    return _formatted(df, df.columns[2:], 1, lang)


def budget_bases_table(result, lang: str = "ru") -> pd.DataFrame:
    """Each line forecast from the economic base: its collection ratio and the years it was
    measured on, then for next year plus two what the base accrues and the forecast
    (accrued x collection); empty when no line is."""
    years = list(result.forecast_years[: result.horizon])
    rows = []
    bases = result.bases.lines if result.bases is not None else {}
    for line, b in bases.items():
        label, collection = result.line_label(line, lang), format_percent(b.collection, 1, lang)
        span = ", ".join(map(str, b.collection_years))
        rows.append([label, t("eb_budget_accrued", lang), collection, span,
                     *(format_number(v, 1, lang) for v in b.accrued[: len(years)])])
        rows.append([label, t("eb_budget_forecast", lang), "", "",
                     *(format_number(v, 1, lang) for v in result.forecast().loc[("revenue", line)].iloc[: len(years)])])
    return pd.DataFrame(rows, columns=[t("b_col_line", lang), "", t("eb_budget_col_collection", lang),
                                       t("eb_budget_col_years", lang), *years])

"""Chart specifications: what a chart shows (its numbers, labels, title, unit), built once from
a result and drawn by whichever backend the medium needs — matplotlib for notebooks and the
PDF reports (:mod:`okmo_models.display`), plain SVG for the hearing dashboards
(:mod:`okmo_models.hearing.svg`). Both drawings of one specification carry the same figures.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from okmo_models.i18n import t

_TOTAL_KEYS = {"revenue": "b_revenue_total", "expenditure": "b_expenditure_total", "balance": "b_balance"}


@dataclass(frozen=True)
class FanChart:
    """A budget total by year: the executed history, then the point forecast with its Monte
    Carlo bands fanning out from the last executed year, and optionally a baseline forecast
    (dashed) to compare a variant with.

    ``outer`` and ``inner`` are ``(low, high)`` rows by forecast year (5-95 % and 25-75 %);
    ``shade`` is ``(first, last)`` budget year; ``labels`` names the parts for the legend:
    "history", "point", "baseline", "outer", "inner", "shade". Amounts are in ``unit``
    (already in the reader's words), figures formatted for ``lang``.
    """

    title: str
    unit: str
    lang: str
    history_years: tuple[int, ...]
    history: tuple[float, ...]
    years: tuple[int, ...]
    point: tuple[float, ...]
    outer: tuple[tuple[float, ...], tuple[float, ...]]
    inner: tuple[tuple[float, ...], tuple[float, ...]]
    labels: dict = field(default_factory=dict)
    baseline: tuple[float, ...] | None = None
    shade: tuple[int, int] | None = None
    zero_line: bool = False  # a balance crosses zero: the line between surplus and deficit

    @property
    def anchor_years(self) -> list[int]:
        """The forecast's years from the last executed one, where the fan joins the history."""
        return [self.history_years[-1], *self.years]

    def anchored(self, row) -> list[float]:
        """A forecast row (point, a band's edge, the baseline) starting at the last executed value."""
        return [self.history[-1], *row]


def _row(values) -> tuple[float, ...]:
    return tuple(float(v) for v in values)


def budget_fan(result, lang: str = "ru", total: str = "revenue", *, history_shown: int | None = None,
               baseline=None, title: str | None = None, labels: dict | None = None) -> FanChart:
    """The fan chart of a budget total (revenue, expenditure or balance) of a
    :class:`~okmo_models.budget.forecast.BudgetResult`.

    ``history_shown`` keeps only the last executed years; ``baseline`` (another result) adds
    its forecast of the same total; ``title`` and ``labels`` replace the report's wording.
    """
    from okmo_models.budget.forecast import PERCENTILES

    unit = t("b_unit_" + result.scenario.unit, lang)
    bands = {q: _row(result.bands[total][i]) for i, q in enumerate(PERCENTILES)}
    past = result.total_by_year(total, history=True)
    shown = slice(-history_shown if history_shown else None, None)
    years = tuple(int(y) for y in result.forecast_years)
    words = {"history": t("b_history", lang), "point": t("b_point", lang), "baseline": t("b_baseline", lang),
             "outer": "5–95 %", "inner": "25–75 %", "shade": t("b_budget_period", lang), **(labels or {})}
    return FanChart(
        title=title or f"{t(_TOTAL_KEYS[total], lang)}, {unit} — {result.name(lang)}",
        unit=unit, lang=lang,
        history_years=tuple(int(y) for y in result.years[shown]), history=_row(past[shown]),
        years=years, point=_row(result.total_by_year(total)),
        outer=(bands[5], bands[95]), inner=(bands[25], bands[75]), labels=words,
        baseline=None if baseline is None else _row(baseline.total_by_year(total)),
        shade=(years[0], years[result.horizon - 1]), zero_line=total == "balance")

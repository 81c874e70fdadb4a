"""Local budget forecast: methods chosen per line by backtest, Monte Carlo bands.

:func:`load_budget` reads a budget history file; :class:`BudgetModel` (the specification)
``.fit()`` backtests every method on every line (rolling origin, one year ahead), keeps
the one with the smallest MAPE unless the economist fixed a method or the values, projects
next year plus two and a longer horizon, and draws Monte Carlo paths from each line's
backtest errors. The immutable :class:`BudgetResult` answers ``.forecast()``,
``.intervals()`` and ``.summary()``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from okmo_models.budget import methods as bm
from okmo_models.budget.schema import EXPENDITURE_LINES, REVENUE_LINES, TAX_LINES, BudgetScenario, check
from okmo_models.i18n import t
from okmo_models.scenario.loader import read_file, validate_with

PERCENTILES = (5, 25, 50, 75, 95)
MIN_SIGMA = 0.02  # a line never looks more certain than +/-2 % a year


def is_budget_file(path: str | Path) -> bool:
    """True for a budget history file (``kind: budget``), which tariff commands skip."""
    try:
        text = Path(path).read_text(encoding="utf-8", errors="replace")
    except OSError:
        return False
    return re.search(r"(?m)^kind\s*[:=]\s*[\"']?budget", text) is not None


def load_budget(path: str | Path) -> tuple[BudgetScenario, str]:
    data, sha, lines = read_file(path)
    return validate_with(BudgetScenario, check, data, path, lines), sha


@dataclass(frozen=True)
class BudgetResult:
    scenario: BudgetScenario
    lines: tuple  # (section, line)
    years: tuple  # history years
    forecast_years: tuple
    history: np.ndarray  # (lines, years)
    point: np.ndarray  # (lines, forecast years)
    chosen: tuple  # method per line ("fixed" for policy lines)
    mape: np.ndarray  # (methods, lines)
    sigma: np.ndarray  # (lines,) log error a year
    bands: dict  # "revenue" / "expenditure" / "balance" -> (percentiles, forecast years)
    horizon: int

    def forecast(self) -> pd.DataFrame:
        """Point forecast by line and year, in the file's unit."""
        index = pd.MultiIndex.from_tuples(self.lines, names=["section", "line"])
        return pd.DataFrame(self.point, index=index, columns=list(self.forecast_years))

    def intervals(self) -> pd.DataFrame:
        """Monte Carlo percentiles of total revenue, expenditure and balance by year."""
        rows = []
        for total, values in self.bands.items():
            for p, row in zip(PERCENTILES, values):
                rows.append({"total": total, "percentile": p, **dict(zip(self.forecast_years, row))})
        return pd.DataFrame(rows).set_index(["total", "percentile"])

    def methods_table(self, lang: str = "ru") -> pd.DataFrame:
        """Chosen method and backtest MAPE of every method, per line: what the economist overrules."""
        table = pd.DataFrame(self.mape.T, columns=list(bm.METHODS),
                             index=pd.Index([ln for _, ln in self.lines], name="line"))
        table.insert(0, "chosen", list(self.chosen))
        return table

    def summary(self, lang: str = "ru") -> pd.DataFrame:
        """Budget layout: tax revenue, non-tax, transfers, total; expenditure; balance;
        for the last history year, next year and the two forecast years."""
        years = [self.years[-1], *self.forecast_years[: self.horizon]]
        last = self.history[:, -1:]
        values = np.hstack([last, self.point[:, : self.horizon]])
        idx = {ln: i for i, (_, ln) in enumerate(self.lines)}

        def total(names):
            rows = [idx[n] for n in names if n in idx]
            return values[rows].sum(axis=0) if rows else np.zeros(len(years))

        revenue = total(REVENUE_LINES)
        expenditure = total(EXPENDITURE_LINES)
        groups = [("b_tax_revenue", total(TAX_LINES)), ("b_non_tax", total(("non_tax_revenue", "other_revenue"))),
                  ("b_transfers", total(("equalisation_grant", "targeted_transfers"))),
                  ("b_revenue_total", revenue)]
        groups += [("line_b_" + n, values[idx[n]]) for n in EXPENDITURE_LINES if n in idx]
        groups += [("b_expenditure_total", expenditure), ("b_balance", revenue - expenditure)]
        return pd.DataFrame([[t(k, lang), *v] for k, v in groups], columns=["", *years])

    def to_dict(self, lang: str = "ru") -> dict:
        return {
            "schema": "okmo-budget-forecast/1",
            "municipality": self.scenario.municipality.name.get(lang),
            "unit": self.scenario.unit,
            "history_years": list(self.years),
            "forecast_years": list(self.forecast_years),
            "lines": [{"section": s, "line": ln, "method": m, "sigma": round(float(sg), 6),
                       "mape": {name: round(float(v), 6) for name, v in zip(bm.METHODS, self.mape[:, i])},
                       "forecast": [round(float(x), 3) for x in self.point[i]]}
                      for i, ((s, ln), m, sg) in enumerate(zip(self.lines, self.chosen, self.sigma))],
            "intervals": {k: {f"p{p}": [round(float(x), 3) for x in row] for p, row in zip(PERCENTILES, v)}
                          for k, v in self.bands.items()},
        }


class BudgetModel:
    """Specification of a budget forecast; :meth:`fit` returns a :class:`BudgetResult`."""

    def __init__(self, scenario: BudgetScenario):
        self.scenario = s = scenario
        self.lines = tuple([("revenue", k) for k in s.revenue] + [("expenditure", k) for k in s.expenditure])
        self.history = np.array([(s.revenue if sec == "revenue" else s.expenditure)[ln].values
                                 for sec, ln in self.lines], dtype=float)
        years = list(s.years)
        self.years = tuple(years)
        self.forecast_years = tuple(range(years[-1] + 1, years[-1] + 1 + s.long_horizon))
        rates = [0.0] + [s.cpi[y].value * s.cpi[y].parsed_unit.factor for y in years[1:]]
        future = [s.cpi[y].value * s.cpi[y].parsed_unit.factor for y in self.forecast_years]
        self.cpi_history = np.cumprod(1.0 + np.array(rates))
        self.cpi_future = self.cpi_history[-1] * np.cumprod(1.0 + np.array(future))
        self.is_revenue = np.array([sec == "revenue" for sec, _ in self.lines])

    def fit(self) -> BudgetResult:
        s = self.scenario
        y = self.history
        mape, logs = bm.backtest(y, self.cpi_history)
        best = np.argmin(mape, axis=0)
        chosen = []
        point = np.zeros((len(self.lines), len(self.forecast_years)))
        sigma = np.zeros(len(self.lines))
        forecasts = {name: bm.FUNCTIONS[name](y, len(self.forecast_years), cpi_history=self.cpi_history,
                                              cpi_future=self.cpi_future) for name in bm.METHODS}
        for i, (_, line) in enumerate(self.lines):
            name = s.methods.get(line, bm.METHODS[best[i]])
            m = bm.METHODS.index(name)
            chosen.append(name)
            point[i] = forecasts[name][i]
            sigma[i] = max(float(np.sqrt(np.mean(logs[m, i] ** 2))), MIN_SIGMA)
            if line in s.fixed:
                chosen[-1] = "fixed"
                fixed = s.fixed[line].values
                point[i] = [fixed.get(yr, point[i][k]) for k, yr in enumerate(self.forecast_years)]
                sigma[i] = 0.0
        point = np.maximum(point, 0.0)
        bands = self.monte_carlo(point, sigma)
        return BudgetResult(s, self.lines, self.years, self.forecast_years, y, point, tuple(chosen), mape,
                            sigma, bands, s.horizon)

    def monte_carlo(self, point, sigma, draws: int | None = None, seed: int | None = None) -> dict:
        """Percentiles of the totals from lognormal errors growing with the horizon.

        Line i in forecast year h is ``point x exp(sigma_i sqrt(h) Z - sigma_i^2 h / 2)``,
        which keeps its mean at the point forecast; lines are drawn independently.
        """
        s = self.scenario
        draws = draws or s.draws
        rng = np.random.default_rng(s.seed if seed is None else seed)
        out = {"revenue": [], "expenditure": [], "balance": []}
        for h in range(1, point.shape[1] + 1):
            z = rng.standard_normal((draws, point.shape[0]), dtype=np.float32)
            sd = (sigma * np.sqrt(h)).astype(np.float32)
            values = point[:, h - 1].astype(np.float32) * np.exp(z * sd - 0.5 * sd * sd)
            revenue = values[:, self.is_revenue].sum(axis=1)
            expenditure = values[:, ~self.is_revenue].sum(axis=1)
            for key, v in (("revenue", revenue), ("expenditure", expenditure), ("balance", revenue - expenditure)):
                out[key].append(np.percentile(v, PERCENTILES))
        return {k: np.array(v).T for k, v in out.items()}  # (percentiles, years)

"""Local budget forecast: combinations of methods chosen per line by backtest, Monte Carlo bands.

:func:`forecast_budget` is the one call (a file in, a :class:`BudgetResult` out).
:func:`load_budget` reads a budget history file; :class:`BudgetModel` (the specification)
``.fit()`` forecasts every line with :func:`okmo_models.budget.series.forecast_lines`: the
mean of the two combinations of methods with the smallest backtest error over the whole
horizon (rolling origin, no information from a forecast year), unless the economist fixed a
method or the values; it projects next year plus two and a longer horizon, and draws Monte
Carlo paths from each line's spread by year ahead, measured on the same backtest. The
one-year-ahead error of each classic method (:func:`okmo_models.budget.methods.backtest`)
stays in the result as the table an economist reads. The immutable :class:`BudgetResult`
answers ``.forecast()``, ``.intervals()`` and ``.summary()``.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from okmo_models.budget import methods as bm
from okmo_models.budget.bases import BaseLine, BudgetBases, load_bases
from okmo_models.budget.checks import check
from okmo_models.budget.series import LineForecasts, forecast_lines
from okmo_models.budget.schema import (EXPENDITURE_LINES, MAY_BE_NEGATIVE, REVENUE_LINES, TAX_LINES,
                                       BudgetScenario, BudgetVariant)
from okmo_models.errors import OkmoError, ScenarioError
from okmo_models.formatting import format_number, format_percent, no_negative_zero
from okmo_models.i18n import t
from okmo_models.provenance import InputFile, Provenance, source_text
from okmo_models.scenario.loader import validate_with
from okmo_models.units import MONEY_UNITS

if TYPE_CHECKING:  # the tables import pandas when asked for: a hearing kernel never is
    import pandas as pd

JSON_SCHEMA = "okmo-budget-forecast/1"
PERCENTILES = (5, 25, 50, 75, 95)
MIN_SIGMA = 0.02  # a line never looks more certain than +/-2 % a year
COMBINATION = "combination"  # the method of a line forecast by the backtest's combination
FROM_BASE = "economic_base"  # the method of a line forecast from its base (okmo_models.budget.bases)


@dataclass(frozen=True)
class BudgetFile:
    """A validated budget file and every file it was read from (the file, a variant's
    history table), as :class:`~okmo_models.scenario.loader.ScenarioFile` is for a tariff."""

    path: Path
    sha256: str
    scenario: BudgetScenario
    inputs: tuple[InputFile, ...]

    @property
    def model(self):
        """The validated file, whatever its kind (see :mod:`okmo_models.kinds`)."""
        return self.scenario


def load_budget(path: str | Path) -> BudgetFile:
    """Read and validate a budget file (or a variant of one).

    The history may stand in a CSV table next to the file (``history: history.csv``),
    as the economist exports it from Excel. An economic base the file names (``bases:``) is
    read, checked against the budget and attached to the validated file, so that every
    forecast of it forecasts those lines from their base (:mod:`okmo_models.budget.bases`).
    """
    from okmo_models.budget.history_csv import locate_in_history, merge_history
    from okmo_models.scenario.loader import read_data

    path = Path(path)
    data, sha, lines, baselines = read_data(path)
    cells: dict = {}  # field path -> (CSV file, cell) of each value read from the history table
    inputs = [InputFile("scenario", path, sha), *baselines]
    if isinstance(data, dict) and "history" in data:
        data = merge_history(path, data, cells, inputs)
    try:
        scenario = validate_with(BudgetScenario, check, data, path, lines)
    except ScenarioError as exc:  # a total that does not add up is named at its CSV cell
        raise locate_in_history(exc, cells) from None
    if scenario.bases is not None:
        bases = load_bases(path, scenario, lines)
        scenario._bases = bases
        inputs.extend(bases.input_files())
    return BudgetFile(path, sha, scenario, tuple(inputs))


def forecast_budget(source, scenario: str | None = None) -> BudgetResult:
    """The forecast of a budget file (a path or a loaded :class:`BudgetFile`): the baseline,
    or the file's scenario ``scenario``. The baseline carries every scenario of the file
    beside it (``result.others``), as the table and the workbook show them."""
    loaded = source if isinstance(source, BudgetFile) else load_budget(source)
    model = BudgetModel(loaded.scenario, loaded.inputs)
    if scenario is not None:
        return model.fit(scenario)
    results = model.fit_all()
    return dataclasses.replace(results.pop(None), others=tuple(results.values()))


class VariantUnknown(OkmoError):
    def __init__(self, name, known):
        super().__init__(name)
        self.name, self.known = name, known

    def render(self, lang=None) -> str:
        return t("b_scenario_unknown", lang, value=self.name, known=", ".join(self.known) or "—")


class LineWouldBeNegative(OkmoError):
    """A scenario's change that takes a budget line below zero in some forecast year."""

    def __init__(self, scenario: str, change: int, line: str, year: int, value: float, unit: str):
        super().__init__(scenario, change, line, year, value)
        self.scenario, self.change, self.line, self.year, self.value, self.unit = \
            scenario, change, line, year, value, unit

    def render(self, lang=None) -> str:
        return t("budget_line_negative", lang, scenario=self.scenario,
                 path=f"scenarios.{self.scenario}.changes[{self.change + 1}]", name=t("line_b_" + self.line, lang),
                 line=self.line, year=self.year, value=format_number(self.value, 1, lang or "ru"),
                 unit=t("b_unit_" + self.unit, lang))


def _rate(q) -> float:
    return q.value * q.parsed_unit.factor


@dataclass(frozen=True)
class BudgetResult:
    scenario: BudgetScenario
    lines: tuple  # (section, line)
    years: tuple  # history years
    forecast_years: tuple
    history: np.ndarray  # (lines, years)
    point: np.ndarray  # (lines, forecast years)
    chosen: tuple  # method per line: "combination", the economist's method, "fixed" for policy lines
    mape: np.ndarray  # (methods, lines) one-year-ahead MAPE of each classic method (NaN: nothing to measure)
    sigma: np.ndarray  # (lines,) log spread of the first forecast year (sigma_by_year[:, 0])
    bands: dict  # "revenue" / "expenditure" / "balance" -> (percentiles, forecast years)
    horizon: int
    deficit_chance: np.ndarray  # (forecast years,) share of Monte Carlo paths in deficit
    population: np.ndarray | None = None  # residents, history then forecast years
    variant: str | None = None  # scenario id; None for the baseline
    price_index: np.ndarray | None = None  # CPI index of the forecast years (last history year = 1)
    inputs: tuple[InputFile, ...] = ()  # the files read (see okmo_models.provenance)
    others: tuple = ()  # beside the baseline: the forecast of each scenario of the file
    sigma_by_year: np.ndarray | None = None  # (lines, forecast years) log spread drawn in the Monte Carlo
    members: tuple = ()  # per line: the single methods its forecast averages (a fixed line: for its years not fixed)
    fitted: LineForecasts | None = None  # the series forecast behind the baseline (why, errors, bands)
    bases: BudgetBases | None = None  # the economic base the lines whose method is FROM_BASE come from

    @property
    def provenance(self) -> Provenance:
        """The metadata block every kind of result carries (a budget uses no parameter)."""
        return Provenance(JSON_SCHEMA, self.inputs)

    def name(self, lang: str = "ru") -> str:
        if self.variant is None:
            return t("b_baseline", lang)
        return self.scenario.scenarios[self.variant].name.get(lang) if self.variant in self.scenario.scenarios \
            else self.variant

    def totals(self) -> pd.DataFrame:
        """Revenue, expenditure and balance by forecast year (point forecast)."""
        return self._totals(self.point, self.forecast_years)

    def history_totals(self) -> pd.DataFrame:
        """Revenue, expenditure and balance by history year (executed)."""
        return self._totals(self.history, self.years)

    def _totals(self, values, years) -> pd.DataFrame:
        import pandas as pd

        sums = self._sums(values)
        return pd.DataFrame(sums, index=pd.Index(years, name="year")).T

    def total_by_year(self, total: str, history: bool = False) -> np.ndarray:
        """``"revenue"``, ``"expenditure"`` or ``"balance"`` by forecast year (``history``:
        by executed year), as :meth:`totals` tabulates it, without building a DataFrame."""
        return self._sums(self.history if history else self.point)[total]

    def _sums(self, values) -> dict:
        rows = self._revenue_rows()
        revenue, expenditure = values[rows].sum(axis=0), values[~rows].sum(axis=0)
        return {"revenue": revenue, "expenditure": expenditure, "balance": revenue - expenditure}

    def deficit_probability(self) -> pd.Series:
        """Share of Monte Carlo paths with expenditure above revenue, by forecast year."""
        import pandas as pd

        return pd.Series(self.deficit_chance, index=pd.Index(self.forecast_years, name="year"))

    def _revenue_rows(self) -> np.ndarray:
        return np.array([sec == "revenue" for sec, _ in self.lines])

    def forecast(self) -> pd.DataFrame:
        """Point forecast by line and year, in the file's unit."""
        import pandas as pd

        index = pd.MultiIndex.from_tuples(self.lines, names=["section", "line"])
        return pd.DataFrame(self.point, index=index, columns=list(self.forecast_years))

    def intervals(self) -> pd.DataFrame:
        """Monte Carlo percentiles of total revenue, expenditure and balance by year."""
        import pandas as pd

        rows = []
        for total, values in self.bands.items():
            for p, row in zip(PERCENTILES, values):
                rows.append({"total": total, "percentile": p, **dict(zip(self.forecast_years, row))})
        return pd.DataFrame(rows).set_index(["total", "percentile"])

    def methods_table(self, lang: str = "ru") -> pd.DataFrame:
        """Chosen method and one-year-ahead backtest MAPE of every classic method, per line:
        what the economist overrules. A combination is named with the methods it averages."""
        import pandas as pd

        table = pd.DataFrame(self.mape.T, columns=list(bm.METHODS),
                             index=pd.Index([t("line_b_" + ln, lang) for _, ln in self.lines], name="line"))
        table.insert(0, "chosen", [self.method_label(i, lang) for i in range(len(self.lines))])
        return table

    def method_label(self, i: int, lang: str = "ru") -> str:
        """Line ``i``'s method in the reader's words; a combination with the methods it averages."""
        name = t("b_method_" + self.chosen[i], lang)
        if self.chosen[i] == COMBINATION and self.members:
            return t("b_method_combination_of", lang, methods=self.members_label(i, lang))
        return name

    def members_label(self, i: int, lang: str = "ru") -> str:
        """The single methods line ``i``'s forecast averages, in the reader's words."""
        return ", ".join(t("b_method_" + m, lang) for m in self.members[i]) if self.members else ""

    def summary(self, lang: str = "ru") -> pd.DataFrame:
        """Budget layout: tax revenue, non-tax, transfers, total; expenditure; balance;
        for the last history year, next year and the two forecast years."""
        import pandas as pd

        years, rows = self.summary_rows(lang)
        return pd.DataFrame([[label, *values] for label, values in rows], columns=["", *years])

    def summary_rows(self, lang: str = "ru") -> tuple[list, list]:
        """:meth:`summary` as plain data, ``(years, [(label, values by year), ...])``: what a
        hearing page draws on every change, without building a DataFrame."""
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
        if self.population is not None:
            residents = self.population[len(self.years) - 1: len(self.years) + self.horizon]
            groups.append(("b_per_resident", revenue * _unit_factor(self.scenario.unit) / residents))
        return years, [(t(k, lang), v) for k, v in groups]

    def from_base(self, line: str) -> BaseLine | None:
        """How ``line`` was forecast from the economic base (accrued, collection), or None
        when it was not (its method is then not :data:`FROM_BASE`)."""
        return self.bases.lines.get(line) if self.bases is not None else None

    def base_note(self, line: str, lang: str = "ru") -> str | None:
        """That ``line`` was forecast from the economic base, in words, with the collection
        ratio and the years it was measured on; None when it was not."""
        b = self.from_base(line)
        if b is None:
            return None
        return t("eb_budget_note", lang, line=self.line_label(line, lang), file=self.bases.file,
                 collection=format_percent(b.collection, 1, lang), years=", ".join(map(str, b.collection_years)))

    def line_label(self, line: str, lang: str = "ru") -> str:
        """A budget line in the reader's words: the file's own name if it gives one."""
        s = self.scenario
        series = s.revenue.get(line) or s.expenditure.get(line)
        return series.name.get(lang) if series is not None and series.name is not None else t("line_b_" + line, lang)

    def line_source(self, line: str, lang: str = "ru") -> str:
        """The text of the source a line's history cites (its values set by policy cite theirs)."""
        s = self.scenario
        key = s.fixed[line].source if line in s.fixed else (s.revenue.get(line) or s.expenditure[line]).source
        return source_text(s.sources[key], lang)

    def to_dict(self, lang: str = "ru") -> dict:
        """Ids and numbers for programs; beside them (``label``, ``*_label``, ``source``) the
        same in the reader's words."""
        def _r(x, digits):  # never "-0.0" in the JSON
            return no_negative_zero(round(x, digits))

        s = self.scenario
        return {
            **self.provenance.to_dict(lang),
            "municipality": self.scenario.municipality.name.get(lang),
            "scenario": self.variant,
            "scenario_name": self.name(lang),
            "unit": self.scenario.unit,
            "unit_label": t("b_unit_" + s.unit, lang),
            "cpi_source": source_text(s.sources[s.cpi_source], lang),
            "history_years": list(self.years),
            "forecast_years": list(self.forecast_years),
            "lines": [{"section": sec, "line": ln, "label": self.line_label(ln, lang), "method": m,
                       "method_label": t("b_method_" + m, lang), "source": self.line_source(ln, lang),
                       "members": list(self.members[i]) if self.members else [],
                       "sigma": _r(float(sg), 6),
                       "sigma_by_year": [_r(float(x), 6) for x in (self.sigma_by_year[i] if self.sigma_by_year is not None
                                                                    else [sg])],
                       "mape": {name: None if np.isnan(v) else _r(float(v), 6)
                                for name, v in zip(bm.METHODS, self.mape[:, i])},
                       "forecast": [_r(float(x), 3) for x in self.point[i]],
                       "from_base": self._base_dict(ln, lang)}
                      for i, ((sec, ln), m, sg) in enumerate(zip(self.lines, self.chosen, self.sigma))],
            "economic_base": None if self.bases is None else self.bases.file,
            "intervals": {k: {f"p{p}": [_r(float(x), 3) for x in row] for p, row in zip(PERCENTILES, v)}
                          for k, v in self.bands.items()},
            "deficit_probability": [_r(float(x), 4) for x in self.deficit_chance],
            "population": None if self.population is None else [_r(float(x), 1) for x in self.population],
            # beside the baseline, as the table and the workbook show them: each scenario's totals
            "scenarios": [{"scenario": o.variant, "scenario_name": o.name(lang),
                           **{k: [_r(float(x), 3) for x in o.totals().loc[k]]
                              for k in ("revenue", "expenditure", "balance")}} for o in self.others],
        }

    def _base_dict(self, line: str, lang: str) -> dict | None:
        """A line's forecast from its base as plain data (None: forecast otherwise)."""
        b = self.from_base(line)
        if b is None:
            return None
        return {"file": self.bases.file, "collection": round(b.collection, 6),
                "collection_years": list(b.collection_years), "ratios": [round(r, 6) for r in b.ratios],
                "accrued": [no_negative_zero(round(float(x), 3)) for x in b.accrued],
                "text": self.base_note(line, lang)}


def _unit_factor(unit: str) -> float:
    return MONEY_UNITS[unit]


class BudgetModel:
    """Specification of a budget forecast; :meth:`fit` returns a :class:`BudgetResult`.

    The backtest and the baseline forecast are computed once; each scenario (a
    :class:`BudgetVariant`) is applied to the baseline as a difference: another price
    path (lines follow prices with their ``cpi_elasticity``, 1 unless the file says
    otherwise; values fixed by policy and lines forecast from their base do not, their rates
    being in som), another population growth (lines listed in ``population.elasticity``),
    then the file's line changes in order.

    ``bases``: the lines forecast from an economic base (:class:`BudgetBases`); by default
    those :func:`load_budget` attached to ``scenario`` (none for a scenario built in memory).
    """

    def __init__(self, scenario: BudgetScenario, inputs: tuple[InputFile, ...] = (),
                 bases: BudgetBases | None = None):
        self.scenario = s = scenario
        self.inputs = inputs  # handed on to every result, for its provenance
        self.bases = bases if bases is not None else scenario._bases
        self.lines = tuple([("revenue", k) for k in s.revenue] + [("expenditure", k) for k in s.expenditure])
        self.history = np.array([(s.revenue if sec == "revenue" else s.expenditure)[ln].values
                                 for sec, ln in self.lines], dtype=float)
        years = list(s.years)
        self.years = tuple(years)
        self.forecast_years = tuple(range(years[-1] + 1, years[-1] + 1 + s.long_horizon))
        rates = [0.0] + [_rate(s.cpi[y]) for y in years[1:]]
        self.cpi_history = np.cumprod(1.0 + np.array(rates))
        self.cpi_future = self.price_path({})
        self.is_revenue = np.array([sec == "revenue" for sec, _ in self.lines])
        self._baseline = None
        self._keep_draws = False
        self._kept_factors = None  # (key, factors) once keep_draws() was asked for

    def price_path(self, overrides: dict) -> np.ndarray:
        """Price index of the forecast years (history base), with some years' CPI replaced."""
        s = self.scenario
        future = [_rate(overrides[y]) if y in overrides else _rate(s.cpi[y]) for y in self.forecast_years]
        return self.cpi_history[-1] * np.cumprod(1.0 + np.array(future))

    def population_path(self, growth=None) -> np.ndarray | None:
        """Residents: the history, then the baseline growth (or ``growth``) each year."""
        pop = self.scenario.population
        if pop is None:
            return None
        g = _rate(growth if growth is not None else pop.growth)
        future = pop.values[-1] * (1.0 + g) ** np.arange(1, len(self.forecast_years) + 1)
        return np.concatenate([np.array(pop.values, dtype=float), future])

    def _fit_baseline(self):
        """Point forecast, method, one-year MAPE table, spread (lines, years), policy mask,
        members and the series forecast, computed once per model."""
        if self._baseline is not None:
            return self._baseline
        s = self.scenario
        y = self.history
        mape, _ = bm.backtest(y, self.cpi_history)  # the economist's table of classic methods
        # the economist's method where the file names one, else the backtest's combination
        forced = [s.methods.get(line) for _, line in self.lines]
        fitted = forecast_lines(y, len(self.forecast_years), years=self.years, cpi_history=self.cpi_history,
                                cpi_future=self.cpi_future, methods=forced)
        point = fitted.point.copy()
        sigma = np.maximum(fitted.sigma(), MIN_SIGMA)  # (lines, years): grows with the year ahead
        chosen = [f if f is not None else COMBINATION for f in forced]
        members = list(fitted.members)
        fixed_mask = np.zeros_like(point, dtype=bool)
        for i, (_, line) in enumerate(self.lines):
            if line in s.fixed:
                chosen[i] = "fixed"
                fixed = s.fixed[line].values
                fixed_mask[i] = [yr in fixed for yr in self.forecast_years]
                point[i] = [fixed.get(yr, point[i][k]) for k, yr in enumerate(self.forecast_years)]
                sigma[i] = 0.0
            elif self.bases is not None and line in self.bases.lines:
                # accrued on the base x collection; the spread stays the one the line's history
                # backtest measured (docs/budget-forecast.md)
                chosen[i], members[i] = FROM_BASE, ()
                point[i] = self.bases.lines[line].point
        # a method's extrapolation of a falling line stops at zero: a tax is never negative
        # (fixed values are checked when the file is read, and "other revenue" may be negative)
        floor = np.array([ln not in MAY_BE_NEGATIVE for _, ln in self.lines])[:, None] & ~fixed_mask
        point = np.where(floor, np.maximum(point, 0.0), point)
        self._baseline = (point, tuple(chosen), mape, sigma, fixed_mask, tuple(members), fitted)
        return self._baseline

    def fit(self, variant: str | BudgetVariant | None = None) -> BudgetResult:
        """The baseline forecast, or a scenario's: its id in the file, or a
        :class:`BudgetVariant` built elsewhere (the hearing dashboard's sliders)."""
        s = self.scenario
        point, chosen, mape, sigma, fixed_mask, members, fitted = self._fit_baseline()
        variant_id = None
        population = self.population_path()
        prices = self.cpi_future
        if isinstance(variant, str):
            if variant not in s.scenarios:
                raise VariantUnknown(variant, list(s.scenarios))
            variant_id, variant = variant, s.scenarios[variant]
        elif variant is not None:
            variant_id = "custom"
        if variant is not None:
            point, prices, population = self.apply(variant, point, fixed_mask, variant_id)
        bands, deficit = self.monte_carlo(point, sigma)
        return BudgetResult(s, self.lines, self.years, self.forecast_years, self.history, point, chosen, mape,
                            sigma[:, 0].copy(), bands, s.horizon, deficit, population, variant_id,
                            prices / self.cpi_history[-1], self.inputs, sigma_by_year=sigma, members=members,
                            fitted=fitted, bases=self.bases)

    def fit_all(self) -> dict:
        """The baseline (key ``None``) and every scenario of the file, by id."""
        return {None: self.fit(), **{vid: self.fit(vid) for vid in self.scenario.scenarios}}

    def apply(self, variant: BudgetVariant, point: np.ndarray, fixed_mask: np.ndarray, variant_id: str = "custom"):
        """A scenario's point forecast from the baseline's; returns (point, prices, population).

        Prices and residents scale lines by positive factors, ``change`` (at least -100 %)
        and ``set`` (at least 0) are checked when the file is read; an ``add`` that would take
        a line below zero raises :class:`LineWouldBeNegative` rather than being cut to zero.
        """
        s = self.scenario
        point = point.copy()
        years = np.array(self.forecast_years)
        names = [ln for _, ln in self.lines]
        prices = self.price_path(variant.cpi)
        ratio = prices / self.cpi_future
        # a line forecast from its base follows its rates in som, not prices, unless the file says
        from_base = self.bases.lines if self.bases is not None else {}
        elasticity = np.array([s.cpi_elasticity.get(ln, 0.0 if ln in from_base else 1.0) for ln in names])[:, None]
        point *= np.where(fixed_mask, 1.0, ratio[None, :] ** elasticity)
        population = self.population_path(variant.population_growth)
        if variant.population_growth is not None and s.population is not None:
            base = self.population_path()
            q = population[len(self.years):] / base[len(self.years):]
            pop_e = np.array([s.population.elasticity.get(ln, 0.0) for ln in names])[:, None]
            point *= np.where(fixed_mask, 1.0, q[None, :] ** pop_e)
        changed = {}  # line -> the last change to it
        for k, change in enumerate(variant.changes):
            i = names.index(change.line)
            changed[i] = k
            after = years >= change.from_year
            if change.change is not None:
                point[i, after] *= 1.0 + _rate(change.change)
            elif change.add is not None:
                start = int(np.argmax(after))
                growth = prices[after] / prices[start] if change.indexed else 1.0
                point[i, after] += change.add * growth
            elif change.set is not None:
                for year, value in change.set.items():
                    point[i, years == year] = value
        for i, k in changed.items():  # only an add can take a line below zero
            below = np.flatnonzero(point[i] < 0) if names[i] not in MAY_BE_NEGATIVE else []
            if len(below):
                raise LineWouldBeNegative(variant_id, k, names[i], int(years[below[0]]), float(point[i, below[0]]),
                                          s.unit)
        return point, prices, population

    def keep_draws(self) -> BudgetModel:
        """Keep the Monte Carlo's random factors for every later fit (common random numbers).

        The factors depend only on the seed, the number of draws and each line's error, never
        on a scenario, so a hearing's what-ifs reuse the baseline's draws: the same numbers as
        a fresh fit (to the bit), without drawing them again. Costs draws x lines x forecast
        years x 4 bytes (7.7 MB for 20 000 draws, 12 lines, 8 years).
        """
        self._keep_draws = True
        return self

    def _factors(self, sigma, years: int, draws: int, seed: int):
        # ``sigma``: (lines,) a year, or (lines, years) by year ahead (see _lognormal_factors)
        """Each forecast year's lognormal error factors as ``(revenue lines, expenditure lines)``,
        two (draws, lines) float32 arrays a year; kept when :meth:`keep_draws` was asked for,
        else drawn year by year as they are used."""
        rows = self.is_revenue
        key = (years, draws, seed, sigma.shape, sigma.tobytes(), rows.tobytes())
        if self._kept_factors is not None and self._kept_factors[0] == key:
            return self._kept_factors[1]
        factors = ((f[:, rows], f[:, ~rows]) for f in _lognormal_factors(sigma, years, draws, seed))
        if self._keep_draws:
            factors = list(factors)
            self._kept_factors = (key, factors)
        return factors

    def monte_carlo(self, point, sigma, draws: int | None = None, seed: int | None = None):
        """Percentiles of the totals, and the chance of a deficit, from lognormal errors
        growing with the horizon; returns ``(bands, deficit_chance)``.

        ``sigma`` is each line's spread by forecast year (lines, years), as :meth:`fit` draws
        it: line i in forecast year h is ``point x exp(sigma_ih Z - sigma_ih^2 / 2)``, which
        keeps its mean at the point forecast. A 1-D ``sigma`` (one spread a year, the model
        before issue 18) grows as sqrt(h): ``exp(sigma_i sqrt(h) Z - sigma_i^2 h / 2)``. Lines are drawn independently: budget
        lines that move together (a bad harvest year hits land tax and patents) would widen
        the bands, which this model does not capture (docs/methodology.md).
        """
        s = self.scenario
        draws = draws or s.draws
        years = point.shape[1]
        factors = self._factors(sigma, years, draws, s.seed if seed is None else seed)
        revenue_point = point[self.is_revenue].astype(np.float32)
        expenditure_point = point[~self.is_revenue].astype(np.float32)
        totals = np.empty((3 * years, draws), dtype=np.float32)  # revenue, expenditure, balance a year
        deficit = []
        for h, (revenue, expenditure) in enumerate(factors):
            np.sum(revenue_point[:, h] * revenue, axis=1, out=totals[3 * h])
            np.sum(expenditure_point[:, h] * expenditure, axis=1, out=totals[3 * h + 1])
            balance = np.subtract(totals[3 * h], totals[3 * h + 1], out=totals[3 * h + 2])
            deficit.append(float(np.mean(balance < 0)))
        totals.sort(axis=1)
        pct = _sorted_percentiles(totals)  # (percentiles, 3 x years)
        bands = {key: pct[:, k::3] for k, key in enumerate(("revenue", "expenditure", "balance"))}
        return bands, np.array(deficit)  # (percentiles, years)


def _lognormal_factors(sigma, years: int, draws: int, seed: int):
    """``exp(sd Z - sd^2 / 2)`` for h = 1 .. years, one (draws, lines) float32 array a year,
    drawn in the order and precision the forecast has always drawn them (so a seed gives the
    bands it gave). ``sigma`` is either (lines, years), the spread of each forecast year
    (``sd = sigma[:, h - 1]``), or (lines,), a yearly spread growing as sqrt(h)
    (``sd = sigma sqrt(h)``)."""
    sigma = np.asarray(sigma)
    if sigma.ndim == 2 and sigma.shape[1] < years:
        raise ValueError(f"sigma has {sigma.shape[1]} years, {years} asked for")
    rng = np.random.default_rng(seed)
    for h in range(1, years + 1):
        z = rng.standard_normal((draws, len(sigma)), dtype=np.float32)
        sd = (sigma * np.sqrt(h) if sigma.ndim == 1 else sigma[:, h - 1]).astype(np.float32)
        yield np.exp(z * sd - 0.5 * sd * sd)


def _sorted_percentiles(ordered: np.ndarray) -> np.ndarray:
    """:data:`PERCENTILES` of each sorted row, as ``np.percentile(row, PERCENTILES)`` gives
    them (its default "linear" method, the same operations to the bit), read off the sorted
    rows instead of selecting in them again; returns (percentiles, rows)."""
    n = ordered.shape[1]
    virtual = (n - 1) * np.true_divide(PERCENTILES, 100)
    below = np.floor(virtual)
    lower = below.astype(np.intp)
    a, b = ordered[:, lower], ordered[:, np.minimum(lower + 1, n - 1)]
    gamma = virtual - below
    diff = b - a
    out = a + diff * gamma
    upper = gamma >= 0.5  # numpy interpolates from the upper neighbour there
    out[:, upper] = (b - diff * (1 - gamma))[:, upper]
    return out.T


def compare(results, lang: str = "ru") -> pd.DataFrame:
    """Revenue, expenditure and balance of several forecasts side by side, with each
    scenario's balance difference from the first (the baseline)."""
    import pandas as pd

    rows = []
    first = None
    for result in results:
        totals = result.totals()
        if first is None:
            first = totals
        for key, label in (("revenue", "b_revenue_total"), ("expenditure", "b_expenditure_total"),
                           ("balance", "b_balance")):
            rows.append([result.name(lang), t(label, lang), *totals.loc[key]])
        if totals is not first:
            rows.append([result.name(lang), "Δ " + t("b_balance", lang), *(totals.loc["balance"] - first.loc["balance"])])
    years = list(results[0].forecast_years) if results else []
    return pd.DataFrame(rows, columns=["scenario", "", *years])

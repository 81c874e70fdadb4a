"""Forecasts of short yearly series: one series or a table of lines with the same years.

:func:`forecast_lines` (a table) and :func:`forecast_series` (one series) are the public
calls: values by year and a horizon in, a :class:`LineForecasts` out, with the point
forecast, an interval at any level (:meth:`LineForecasts.interval`), the log scale by
horizon for Monte Carlo draws (:meth:`LineForecasts.sigma`) and, per line, the method or
combination used and why (:meth:`LineForecasts.why`). docs/budget-forecast.md explains the
choices in words; benchmarks/bench_m3.py measures them on the M3 competition's yearly series.

How a line is forecast:

1. Every single method (:data:`SINGLES`) forecasts the whole horizon from every past origin
   (years ``[0, k)`` known, k = ``min_train`` .. T): a rolling-origin backtest over the whole
   horizon, not one year ahead. One pass over the series gives every origin, because the
   smoothing methods keep their state and their one-step error sums year by year.
2. The candidates are combinations (:data:`COMBINATIONS`, plain means of single methods):
   combinations, a damped trend among their members, are what wins on yearly data. The
   forecast is the mean of the two candidates with the smallest backtest error (symmetric
   percentage error, averaged over every origin and year ahead that can be checked).
3. The backtest of the whole procedure is replayed as if standing in each past year: the
   choice at origin k uses only errors known by year k. Its log errors, by year ahead, give
   the intervals: a scale per line growing as ``h ** p`` with the horizon (``p`` larger for
   shorter histories, whose trend is less certain), quantiles of a heavy-tailed
   distribution, widened when few years could be checked (Student's t).

No information from a forecast year enters a backtest: each method sees years ``[0, k)``,
the parameters chosen at origin k use errors known by k, and the price index of the years
forecast is replaced by the last known year's inflation carried forward
(:func:`known_price_path`). A year whose actual is 0 (or, for
log errors, a non-positive actual or forecast) has no relative error: it is left out of
every error measure, never counted as a perfect forecast.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass

import numpy as np
from scipy.special import ndtri, stdtrit  # not scipy.stats: 26 MiB and 0.4 s in a kernel, not 72 MiB and 1.4 s

LEVELS = (0.8, 0.95)
MIN_TRAIN = 4  # the first origin of the backtest: the methods see at least this many years

# single methods; "cpi_real" only when a price index is given
SINGLES = ("naive", "drift", "average_growth", "ses", "theta", "damped_trend", "smoothed_drift", "cpi_real")
# the candidates: plain means of single methods (documented in docs/budget-forecast.md)
COMBINATIONS = {
    "mean_all": ("naive", "drift", "average_growth", "ses", "theta", "damped_trend", "smoothed_drift"),
    "mean_classic": ("naive", "average_growth", "ses", "damped_trend"),
    "trend_three": ("drift", "damped_trend", "smoothed_drift"),
    "damped_naive_drift": ("damped_trend", "naive", "smoothed_drift"),
    "drift_damped": ("drift", "damped_trend"),
    "damped_smoothed": ("damped_trend", "smoothed_drift"),
    "growth_level_trend": ("average_growth", "ses", "damped_trend", "smoothed_drift"),
    "prices_trends": ("cpi_real", "damped_trend", "smoothed_drift"),  # only with a price index
}
DEFAULT = "mean_all"  # before any backtest error is known
TOP = 2  # the forecast is the mean of this many best candidates

_ALPHAS = np.array([0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1.0])
_DAMPED = [(a, b, p) for a in (0.2, 0.4, 0.6, 0.8, 1.0) for b in (0.05, 0.15, 0.3) for p in (0.8, 0.9, 0.95, 0.98)]
_SMOOTHED_DRIFT = [(a, w) for a in (0.2, 0.4, 0.6, 0.8, 1.0) for w in (0.0, 0.25, 0.5, 0.75, 1.0)]
_SMOOTHED_DRIFT_DEFAULT = _SMOOTHED_DRIFT.index((0.6, 0.5))

# intervals: log scale ~ h ** (P0 + P1 / T); quantiles of a t with TAIL_DOF degrees of freedom
# scaled to unit variance; one year's log half-width at most CAP_SIGMA x that quantile
P0, P1 = 0.5, 3.0
TAIL_DOF = 4
CAP_SIGMA = 0.75
MIN_SCALE = 0.02  # a line never looks more certain than +/-2 % a year


def known_price_path(cpi_index, origin: int, horizon: int):
    """The CPI of years ``origin .. origin + horizon - 1`` as it could be forecast standing at
    ``origin`` (years ``[0, origin)`` known): the last known year's inflation carried forward.

    A backtest must not see the price index of the year it forecasts: the real forecast uses
    the file's CPI forecast, which is made before the year, so the backtest stands in for it
    with the simplest forecast known then (no inflation before two years are known).

    >>> known_price_path(np.array([1.0, 1.1, 1.21, 1.5]), 3, 2).round(4).tolist()
    [1.331, 1.4641]
    """
    cpi_index = np.asarray(cpi_index, dtype=float)
    last = cpi_index[origin - 1]
    inflation = cpi_index[origin - 1] / cpi_index[origin - 2] - 1.0 if origin >= 2 else 0.0
    return last * (1.0 + inflation) ** np.arange(1, horizon + 1)



# --- single methods from every origin --------------------------------------------------------
# Each returns forecasts of shape (lines, origins, horizon) for the origins ``ks`` (years
# [0, k) known). Their smoothing parameters are chosen at each origin by the one-step error
# sum up to that origin, which a single pass over the years provides.


def _steps(horizon):
    return np.arange(1, horizon + 1, dtype=float)


def _naive(y, ks, horizon):
    return np.repeat(y[:, ks - 1][:, :, None], horizon, axis=2)


def _drift(y, ks, horizon):
    last = y[:, ks - 1]
    slope = (last - y[:, :1]) / np.maximum(ks - 1, 1)
    return last[:, :, None] + slope[:, :, None] * _steps(horizon)


def _average_growth(y, ks, horizon):
    first, last = y[:, :1], y[:, ks - 1]
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        g = np.where((first > 0) & (last > 0) & (ks > 1), (last / first) ** (1.0 / np.maximum(ks - 1, 1)), 1.0)
    return last[:, :, None] * g[:, :, None] ** _steps(horizon)


def _cpi_real(y, ks, horizon, cpi_history, cpi_future):
    """Average growth in real terms, re-inflated; the backtest's price path is the one known
    at each origin, the final forecast's the file's CPI forecast."""
    real = y / cpi_history[None, :]
    growth = _average_growth(real, ks, horizon)
    prices = np.array([known_price_path(cpi_history, k, horizon) if k < y.shape[1] else cpi_future[:horizon]
                       for k in ks])
    return growth * prices[None, :, :]


def _ses_states(y):
    """Level and one-step error sum after each year, for every smoothing weight."""
    n, T = y.shape
    levels = np.empty((len(_ALPHAS), n, T))
    sse = np.zeros((len(_ALPHAS), n, T))
    for i, alpha in enumerate(_ALPHAS):
        level, total = y[:, 0].copy(), np.zeros(n)
        levels[i, :, 0] = level
        for t in range(1, T):
            error = y[:, t] - level
            total = total + error * error
            level = level + alpha * error
            levels[i, :, t], sse[i, :, t] = level, total
    return levels, sse


def _ses_theta(y, ks, horizon):
    """Simple exponential smoothing, and the Theta method (Assimakopoulos & Nikolopoulos, in
    the form of Hyndman & Billah): the smoothed level plus half the straight-line slope."""
    levels, sse = _ses_states(y)
    best = np.argmin(sse[:, :, ks - 1], axis=0)  # (lines, origins)
    level = np.take_along_axis(levels[:, :, ks - 1], best[None], 0)[0]
    alpha = _ALPHAS[best]
    ses = np.repeat(level[:, :, None], horizon, axis=2)
    t = np.arange(y.shape[1], dtype=float)
    k = ks.astype(float)
    sum_t, sum_tt = k * (k - 1) / 2, (k - 1) * k * (2 * k - 1) / 6
    sum_y, sum_ty = np.cumsum(y, 1)[:, ks - 1], np.cumsum(y * t, 1)[:, ks - 1]
    with np.errstate(divide="ignore", invalid="ignore"):
        slope = np.nan_to_num((k * sum_ty - sum_t * sum_y) / (k * sum_tt - sum_t ** 2))
    a = alpha[:, :, None]
    weight = (_steps(horizon)[None, None, :] - 1) + 1 / a - (1 - a) ** k[None, :, None] / a
    return ses, level[:, :, None] + 0.5 * slope[:, :, None] * weight


def _damped(y, ks, horizon):
    """Holt's linear trend with damping (Gardner & McKenzie); forecasts l + (phi + ... + phi^h) b."""
    n, T = y.shape
    steps = _steps(horizon)
    best, best_sse = None, None
    for alpha, beta, phi in _DAMPED:
        level = y[:, 0].copy()
        trend = y[:, 1] - y[:, 0] if T > 1 else np.zeros(n)
        total = np.zeros(n)
        levels, trends, sse = np.empty((n, T)), np.empty((n, T)), np.zeros((n, T))
        levels[:, 0], trends[:, 0] = level, trend
        for t in range(1, T):
            predicted = level + phi * trend
            error = y[:, t] - predicted
            total = total + error * error
            new = predicted + alpha * error
            trend = beta * (new - level) + (1 - beta) * phi * trend
            level = new
            levels[:, t], trends[:, t], sse[:, t] = level, trend, total
        f = levels[:, ks - 1][:, :, None] + np.cumsum(phi ** steps)[None, None, :] * trends[:, ks - 1][:, :, None]
        s = sse[:, ks - 1]
        if best is None:
            best, best_sse = f, s
        else:
            better = s < best_sse
            best = np.where(better[:, :, None], f, best)
            best_sse = np.where(better, s, best_sse)
    return best


def _smoothed_drift_grid(y, ks, horizon):
    """A smoothed level plus a share w of the average yearly change: the Theta family with the
    share (and the smoothing) left open, one forecast per grid point."""
    n, T = y.shape
    slope = (y[:, ks - 1] - y[:, :1]) / np.maximum(ks - 1, 1)
    out = []
    for alpha, w in _SMOOTHED_DRIFT:
        level, levels = y[:, 0].copy(), np.empty((n, T))
        levels[:, 0] = level
        for t in range(1, T):
            level = level + alpha * (y[:, t] - level)
            levels[:, t] = level
        out.append(levels[:, ks - 1][:, :, None] + w * slope[:, :, None] * _steps(horizon))
    return np.stack(out)


def single_forecast(name: str, values, horizon: int, cpi_history=None, cpi_future=None) -> np.ndarray:
    """The forecast (lines, horizon) of one single method (:data:`SINGLES`) from the whole
    history, as :func:`forecast_lines` computes it for the last origin."""
    y = np.asarray(values, dtype=float)
    last = np.array([y.shape[1]])
    simple = {"naive": _naive, "drift": _drift, "average_growth": _average_growth, "damped_trend": _damped}
    if name in simple:
        return simple[name](y, last, horizon)[:, 0]
    if name in ("ses", "theta"):
        return _ses_theta(y, last, horizon)[name == "theta"][:, 0]
    if name == "cpi_real":
        return _cpi_real(y, last, horizon, np.asarray(cpi_history, float), np.asarray(cpi_future, float))[:, 0]
    if name == "smoothed_drift":
        return forecast_lines(y, horizon, methods=[name] * y.shape[0]).point
    raise ValueError(f"unknown method {name!r}")


# --- errors and choices known at each origin ---------------------------------------------------


def _actuals(y, ks, horizon):
    """The actual of each (origin, year ahead) checked in the backtest; NaN beyond the history."""
    n, T = y.shape
    out = np.full((n, len(ks) - 1, horizon), np.nan)
    for j, k in enumerate(ks[:-1]):
        last = min(horizon, T - k)
        out[:, j, :last] = y[:, k:k + last]
    return out


def _relative_errors(actual, forecast):
    """Symmetric absolute percentage error (as a share); NaN where the actual is 0 or unknown."""
    with np.errstate(divide="ignore", invalid="ignore"):
        e = 2 * np.abs(actual - forecast) / (np.abs(actual) + np.abs(forecast))
    return np.where(actual != 0, e, np.nan)


def _log_errors(actual, forecast):
    """log(actual / forecast); NaN unless both are positive."""
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where((actual > 0) & (forecast > 0), np.log(actual / forecast), np.nan)


def _known_scores(errors, ks, horizon):
    """Mean error of each candidate as known at each origin: errors (candidates, lines,
    origins-1, horizon) -> scores (candidates, lines, origins), NaN where nothing is known.

    The error of origin j, year ahead h is known once ``ks[j] + h`` years are."""
    m, n = errors.shape[:2]
    T = int(ks[-1])
    sums = np.zeros((m, n, T + 1))
    counts = np.zeros((m, n, T + 1))
    ok = ~np.isnan(errors)
    filled = np.where(ok, errors, 0.0)
    for j, k in enumerate(ks[:-1]):
        for h in range(horizon):
            when = int(k) + h + 1
            if when <= T:
                sums[:, :, when] += filled[:, :, j, h]
                counts[:, :, when] += ok[:, :, j, h]
    sums, counts = np.cumsum(sums, axis=2)[:, :, ks], np.cumsum(counts, axis=2)[:, :, ks]
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(counts > 0, sums / counts, np.nan)


def _ranked(scores, default: int):
    """Candidates by score, best first, at each origin: (candidates, lines, origins). Where
    nothing is known yet, ``default`` comes first."""
    key = np.where(np.isnan(scores), np.inf, scores)
    unknown = np.isinf(key).all(axis=0)
    key = np.where(unknown[None], 1.0, key)
    key[default] = np.where(unknown, 0.0, key[default])
    return np.argsort(key, axis=0, kind="stable")


def _pick(forecasts, order, top: int):
    """Mean of the ``top`` first candidates of ``order`` at each origin."""
    lines = np.arange(forecasts.shape[1])[:, None]
    origins = np.arange(forecasts.shape[2])[None, :]
    return np.mean([forecasts[order[i], lines, origins] for i in range(top)], axis=0)


# --- the result ----------------------------------------------------------------------------


@dataclass(frozen=True)
class LineForecasts:
    """Forecasts of a table of lines (one row per line): see :func:`forecast_lines`."""

    point: np.ndarray  # (lines, horizon)
    method: tuple  # per line: "a+b" (the two candidates combined) or the forced candidate
    members: tuple  # per line: the single methods in the forecast
    candidates: tuple  # names of the candidates scored
    scores: np.ndarray  # (candidates, lines): mean backtest error (symmetric, share) over all origins, years ahead
    single_scores: dict  # single method -> (lines,) the same error of each single method
    # (lines, origins, horizon): log errors of the whole procedure, replayed (in shares of the
    # line's mean size for a line never positive); NaN where nothing could be measured
    errors: np.ndarray
    scale: np.ndarray  # (lines,) log scale of a year-one error
    power: float  # the scale grows as h ** power
    dof: np.ndarray  # (lines,) degrees of freedom of the small-sample correction
    measured: np.ndarray  # (lines,) number of backtest errors the scale rests on
    size: np.ndarray  # (lines,) mean absolute value of the history, for lines not positive (0: always 0)
    forecast_years: tuple = ()
    levels: tuple = LEVELS  # the levels :meth:`bands` gives

    @property
    def horizon(self) -> int:
        return self.point.shape[1]

    def half_width(self, level: float) -> np.ndarray:
        """Log half-width of the central interval at ``level`` (e.g. 0.8), (lines, horizon)."""
        if not 0 < level < 1:
            raise ValueError(f"level {level} is not between 0 and 1")
        z = ndtri(0.5 + level / 2)
        tail = stdtrit(TAIL_DOF, 0.5 + level / 2) * np.sqrt((TAIL_DOF - 2) / TAIL_DOF)
        few = stdtrit(self.dof, 0.5 + level / 2) / z  # wider when few errors were measured
        grow = np.arange(1, self.horizon + 1) ** self.power
        sigma = np.minimum(self.scale[:, None] * grow[None, :] * few[:, None], CAP_SIGMA)
        return tail * sigma

    def interval(self, level: float = 0.95):
        """``(lower, upper)`` of the central interval at ``level``, each (lines, horizon):
        ``point x exp(-/+ half width)``; a line whose point is not positive gets the same
        half-width in shares of its mean size instead."""
        w = self.half_width(level)
        p = self.point
        lower = np.where(p > 0, p * np.exp(-w), p - w * self.size[:, None])
        upper = np.where(p > 0, p * np.exp(w), p + w * self.size[:, None])
        return lower, upper

    def bands(self) -> dict:
        """``{level: (lower, upper)}`` for the levels asked for."""
        return {level: self.interval(level) for level in self.levels}

    def sigma(self) -> np.ndarray:
        """Log standard deviation by line and year ahead (lines, horizon) for lognormal
        Monte Carlo draws: the sigma whose 5-95 % band is this line's 90 % interval."""
        return self.half_width(0.9) / ndtri(0.95)

    def why(self, i: int) -> dict:
        """Why line ``i`` is forecast as it is: the candidates used, their backtest error,
        the best single method's, and how many backtest errors the intervals rest on."""
        errors = {c: float(s) for c, s in zip(self.candidates, self.scores[:, i])}
        singles = {m: float(s[i]) for m, s in self.single_scores.items() if not np.isnan(s[i])}
        best_single = min(singles, key=singles.get) if singles else None
        return {"method": self.method[i], "members": self.members[i], "errors": errors,
                "best_single": best_single, "best_single_error": singles.get(best_single),
                "measured": int(self.measured[i])}


def forecast_series(values, horizon: int, years=None, levels=LEVELS, **kw) -> LineForecasts:
    """One series: :func:`forecast_lines` of a table with one line."""
    return forecast_lines(np.asarray(values, dtype=float)[None, :], horizon, years=years, levels=levels, **kw)


def forecast_lines(values, horizon: int, years=None, levels=LEVELS, cpi_history=None, cpi_future=None,
                   methods=None, min_train: int = MIN_TRAIN) -> LineForecasts:
    """Forecasts of a table of yearly lines with the same years.

    ``values``: (lines, years), at least 3 years; ``horizon``: years to forecast;
    ``years``: the history years (the result names the forecast years); ``levels``: the
    levels of :meth:`LineForecasts.bands` (:meth:`LineForecasts.interval` takes any level);
    ``cpi_history`` / ``cpi_future``: the price index of the history years and of the
    forecast years (same base), which adds real growth re-inflated (``cpi_real``) to the
    methods; ``methods``: per line, None (chosen by the backtest) or the name of a candidate
    or single method that the economist fixed.
    """
    y = np.asarray(values, dtype=float)
    if y.ndim != 2 or y.shape[1] < 3:
        raise ValueError("values must be (lines, years) with at least 3 years")
    if horizon < 1:
        raise ValueError("horizon must be at least 1")
    n, T = y.shape
    ks = np.arange(max(2, min(min_train, T - 1)), T + 1)
    singles = _singles(y, ks, horizon, cpi_history, cpi_future)
    actual = _actuals(y, ks, horizon)
    names = [c for c, members in COMBINATIONS.items() if all(m in singles for m in members)]
    forecasts = np.stack([np.mean([singles[m] for m in COMBINATIONS[c]], axis=0) for c in names])
    errors = np.stack([_relative_errors(actual, f[:, :-1]) for f in forecasts])
    known = _known_scores(errors, ks, horizon)
    order = _ranked(known, names.index(DEFAULT))
    procedure = _pick(forecasts, order, TOP)  # (lines, origins, horizon)
    final = order[:TOP, :, -1]
    method = ["+".join(names[c] for c in final[:, i]) for i in range(n)]
    members = [tuple(dict.fromkeys(m for c in final[:, i] for m in COMBINATIONS[names[c]])) for i in range(n)]
    if methods is not None:  # the economist's choice, with its own backtest errors
        for i, forced in enumerate(methods):
            if forced is None:
                continue
            if forced in names:
                procedure[i] = forecasts[names.index(forced), i]
                members[i] = COMBINATIONS[forced]
            elif forced in singles:
                procedure[i] = singles[forced][i]
                members[i] = (forced,)
            else:
                raise ValueError(f"unknown method {forced!r}")
            method[i] = forced
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # a line with nothing to measure: NaN
        scores = np.nanmean(errors, axis=(2, 3))
        single_scores = {m: np.nanmean(_relative_errors(actual, f[:, :-1]), axis=(1, 2)) for m, f in singles.items()}
    size = _mean_size(y)
    logs = _log_errors(actual, procedure[:, :-1])
    # a line never positive (refunds in "other revenue") is measured in shares of its size
    never = ~np.isfinite(logs).any(axis=(1, 2))
    with np.errstate(divide="ignore", invalid="ignore"):  # a line always 0 measures nothing
        shares = (actual - procedure[:, :-1]) / np.where(size > 0, size, np.nan)[:, None, None]
    logs[never] = shares[never]
    scale, power, dof, measured = _scale(logs, T)
    return LineForecasts(procedure[:, -1], tuple(method), tuple(members), tuple(names), scores, single_scores,
                         logs, scale, power, dof, measured, size,
                         tuple(range(int(years[-1]) + 1, int(years[-1]) + 1 + horizon)) if years is not None else (),
                         tuple(levels))


def _singles(y, ks, horizon, cpi_history, cpi_future) -> dict:
    ses, theta = _ses_theta(y, ks, horizon)
    out = {"naive": _naive(y, ks, horizon), "drift": _drift(y, ks, horizon),
           "average_growth": _average_growth(y, ks, horizon), "ses": ses, "theta": theta,
           "damped_trend": _damped(y, ks, horizon)}
    # the share of the drift and the smoothing chosen at each origin by the errors known then
    grid = _smoothed_drift_grid(y, ks, horizon)
    actual = _actuals(y, ks, horizon)
    errors = np.stack([_relative_errors(actual, f[:, :-1]) for f in grid])
    order = _ranked(_known_scores(errors, ks, horizon), _SMOOTHED_DRIFT_DEFAULT)
    out["smoothed_drift"] = _pick(grid, order, 1)
    if cpi_history is not None and cpi_future is not None:
        out["cpi_real"] = _cpi_real(y, ks, horizon, np.asarray(cpi_history, float), np.asarray(cpi_future, float))
    return out


def _mean_size(y):
    return np.mean(np.abs(y), axis=1)


def _scale(logs, T):
    """Per line: the log scale of a year-one error, the growth power, the degrees of freedom
    and the number of errors measured; a line with nothing measured gets the floor."""
    horizon = logs.shape[2]
    power = P0 + P1 / T
    grow = np.arange(1, horizon + 1) ** power
    ok = ~np.isnan(logs)
    measured = ok.sum(axis=(1, 2))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        scale = np.sqrt(np.nanmean((logs / grow[None, None, :]) ** 2, axis=(1, 2)))
    scale = np.where(measured > 0, scale, MIN_SCALE)
    dof = np.maximum(ok[:, :, 0].sum(axis=1) - 1, 1)
    return np.maximum(scale, MIN_SCALE), power, dof, measured

"""Forecasting methods for short annual budget series, vectorised over budget lines.

Each method takes ``y`` of shape (lines, years) and returns forecasts of shape
(lines, horizon). Short series (5-15 points) call for simple methods (DOMAIN notes 4;
GFOA forecasting guidance): the last value, the average growth, growth in real terms
(deflated by CPI), simple exponential smoothing, and Holt's damped trend.

:func:`backtest` measures each one year ahead, for the table an economist reads; the
forecast itself combines methods chosen by their errors over the whole horizon
(:mod:`okmo_models.budget.series`).
"""

from __future__ import annotations

import warnings

import numpy as np

from okmo_models.budget.series import known_price_path

METHODS = ("naive", "average_growth", "cpi_real", "ses", "damped_trend")


def naive(y, horizon, **_):
    """Next years equal the last year.

    >>> naive(np.array([[1.0, 2.0, 3.0]]), 2).tolist()
    [[3.0, 3.0]]
    """
    return np.repeat(y[:, -1:], horizon, axis=1)


def _geometric_growth(y):
    first, last = y[:, 0], y[:, -1]
    n = y.shape[1] - 1
    with np.errstate(divide="ignore", invalid="ignore"):
        g = np.where((first > 0) & (last > 0) & (n > 0), (last / first) ** (1.0 / max(n, 1)) - 1.0, 0.0)
    return g


def average_growth(y, horizon, **_):
    """The average yearly growth of the history, continued.

    >>> average_growth(np.array([[100.0, 110.0, 121.0]]), 2).round(2).tolist()
    [[133.1, 146.41]]
    """
    g = _geometric_growth(y)[:, None]
    steps = np.arange(1, horizon + 1)[None, :]
    return y[:, -1:] * (1.0 + g) ** steps


def cpi_real(y, horizon, cpi_history=None, cpi_future=None, **_):
    """Average growth in real terms, re-inflated with the CPI forecast.

    ``cpi_history`` is the price index of each history year, ``cpi_future`` of each
    forecast year (same base).
    """
    real = y / cpi_history[None, :]
    g = _geometric_growth(real)[:, None]
    steps = np.arange(1, horizon + 1)[None, :]
    return real[:, -1:] * (1.0 + g) ** steps * cpi_future[None, :]


_ALPHAS = np.array([0.2, 0.4, 0.6, 0.8, 1.0])


def ses(y, horizon, **_):
    """Simple exponential smoothing, the smoothing weight chosen per line by one-step error."""
    best_level = None
    best_sse = None
    for alpha in _ALPHAS:
        level = y[:, 0].copy()
        sse = np.zeros(y.shape[0])
        for t in range(1, y.shape[1]):
            sse += (y[:, t] - level) ** 2
            level = alpha * y[:, t] + (1 - alpha) * level
        if best_sse is None:
            best_sse, best_level = sse, level
        else:
            better = sse < best_sse
            best_sse = np.where(better, sse, best_sse)
            best_level = np.where(better, level, best_level)
    return np.repeat(best_level[:, None], horizon, axis=1)


_GRID = [(a, b, p) for a in (0.3, 0.6, 0.9) for b in (0.1, 0.3) for p in (0.8, 0.9, 0.98)]


def damped_trend(y, horizon, **_):
    """Holt's linear trend with damping (Gardner & McKenzie), parameters from a small grid
    chosen per line by one-step error; forecasts ``l + (phi + ... + phi^h) b``."""
    best = None
    steps = np.arange(1, horizon + 1)
    for alpha, beta, phi in _GRID:
        level = y[:, 0].copy()
        trend = (y[:, 1] - y[:, 0]) if y.shape[1] > 1 else np.zeros(y.shape[0])
        sse = np.zeros(y.shape[0])
        for t in range(1, y.shape[1]):
            predicted = level + phi * trend
            sse += (y[:, t] - predicted) ** 2
            new_level = alpha * y[:, t] + (1 - alpha) * predicted
            trend = beta * (new_level - level) + (1 - beta) * phi * trend
            level = new_level
        damp = np.cumsum(phi ** steps)
        forecast = level[:, None] + damp[None, :] * trend[:, None]
        if best is None:
            best, best_sse = forecast, sse
        else:
            better = (sse < best_sse)[:, None]
            best = np.where(better, forecast, best)
            best_sse = np.minimum(sse, best_sse)
    return best


FUNCTIONS = {"naive": naive, "average_growth": average_growth, "cpi_real": cpi_real, "ses": ses,
             "damped_trend": damped_trend}


def backtest(y, cpi_index, min_train: int = 4):
    """Rolling-origin one-year-ahead errors of every method.

    For each origin k = min_train .. T-1 the method sees years [0, k) and forecasts year k;
    ``cpi_real`` sees the CPI of years [0, k) only and forecasts year k's CPI from them
    (:func:`known_price_path`): nothing of the forecast year enters the backtest.
    Returns ``(mape, log_errors)``: MAPE of shape (methods, lines) and the log ratios
    actual / forecast of shape (methods, lines, origins), for the uncertainty bands.

    A year whose actual is 0 has no percentage error: it is left out of the MAPE (NaN when a
    line has no other year), never counted as a perfect forecast. Log ratios exist only for a
    positive actual and forecast; the others are masked (``log_errors`` is a masked array, so
    ``np.mean`` skips them). A line and method with no log ratio at all keeps zeros, as
    before, so that callers flooring sigma still get a number.
    """
    n_lines, n_years = y.shape
    origins = range(min(min_train, n_years - 1), n_years)
    ape = np.full((len(METHODS), n_lines, len(origins)), np.nan)
    logs = np.zeros_like(ape)
    valid = np.zeros(ape.shape, dtype=bool)
    for j, k in enumerate(origins):
        train = y[:, :k]
        prices = known_price_path(cpi_index, k, 1)
        for m, name in enumerate(METHODS):
            f = FUNCTIONS[name](train, 1, cpi_history=cpi_index[:k], cpi_future=prices)[:, 0]
            actual = y[:, k]
            with np.errstate(divide="ignore", invalid="ignore"):
                ape[m, :, j] = np.where(actual != 0, np.abs(actual - f) / np.abs(actual), np.nan)
                ok = (actual > 0) & (f > 0)
                logs[m, :, j] = np.where(ok, np.log(actual / f), 0.0)
            valid[m, :, j] = ok
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # a line with no non-zero year: NaN
        mape = np.nanmean(ape, axis=2)
    none = ~valid.any(axis=2, keepdims=True)  # nothing measurable: zeros, as callers expect
    return mape, np.ma.masked_array(logs, mask=~valid & ~none)

"""Budget forecasting methods (issue 18): no information from the forecast year in any
backtest, years with a zero actual left out of the errors, and the series API (method
choice on multi-year backtests, combinations, intervals by horizon)."""

import numpy as np
import pytest

from conftest import SCENARIOS
from okmo_models.budget import methods as bm
from okmo_models.budget import series
from okmo_models.budget.forecast import MIN_SIGMA, BudgetModel, _lognormal_factors, load_budget
from okmo_models.i18n import t

CPI = np.cumprod([1.0, 1.04, 1.15, 1.02, 1.10, 1.07, 1.12, 1.03])  # uneven inflation


class TestNoLeak:
    def test_a_line_following_prices_has_a_backtest_error(self):
        # the line is 500 x the price index every year: with the actual CPI of the forecast
        # year the backtest of "real growth x CPI" was exact (0 %) and sigma sat at its floor
        y = 500.0 * CPI[None, :]
        mape, logs = bm.backtest(y, CPI, min_train=4)
        m = bm.METHODS.index("cpi_real")
        assert mape[m, 0] > 0.01
        assert float(np.sqrt(np.mean(logs[m, 0] ** 2))) > 0.01


def test_the_backtest_price_path_uses_only_known_years():
    # the CPI forecast standing at year k depends on years [0, k) only
    changed = CPI.copy()
    changed[5:] *= 1.5
    assert series.known_price_path(CPI, 5, 3) == pytest.approx(series.known_price_path(changed, 5, 3))
    # last known inflation (1.10) carried forward
    assert series.known_price_path(CPI, 5, 2) == pytest.approx(CPI[4] * 1.10 ** np.array([1, 2]))


class TestZeroYears:
    # the actual of year 4 is 0; from year 5 on the line comes back
    Y = np.array([[100.0, 110.0, 121.0, 133.1, 0.0, 161.051, 177.1561]])

    def test_a_zero_year_is_not_a_perfect_forecast(self):
        mape, _ = bm.backtest(self.Y, np.ones(7), min_train=4)
        naive = bm.METHODS.index("naive")
        # origin 4 (actual 0) has no percentage error and is left out; origin 5 forecasts 0
        # for 161.051 (100 %), origin 6 forecasts 161.051 for 177.1561 (9.09 %)
        assert mape[naive, 0] == pytest.approx((1.0 + 16.1051 / 177.1561) / 2)

    def test_log_errors_of_non_positive_values_are_left_out(self):
        _, logs = bm.backtest(self.Y, np.ones(7), min_train=4)
        naive = bm.METHODS.index("naive")
        # only origin 6 has a positive actual and forecast
        assert float(np.sqrt(np.mean(logs[naive, 0] ** 2))) == pytest.approx(np.log(1.1))

    def test_a_line_that_is_always_zero_stays_usable(self):
        y = np.zeros((1, 6))
        mape, logs = bm.backtest(y, np.ones(6), min_train=4)
        assert np.isnan(mape).all()  # no year to measure: unknown, not perfect
        assert float(np.sqrt(np.mean(logs[0, 0] ** 2))) == 0.0  # callers floor it


# --- the series API ------------------------------------------------------------------------



def _lines(n=6, years=12, seed=3):
    rng = np.random.default_rng(seed)
    growth = rng.normal(0.07, 0.08, (n, years))
    return 1000 * np.cumprod(1 + growth, axis=1)


class TestSeriesNoLeak:
    def test_each_backtest_origin_is_the_forecast_made_then(self):
        # replayed standing in year k, the whole procedure (methods, their parameters, the
        # choice of combination) gives exactly what it gives on the years before k alone:
        # nothing of a later year leaks into the backtest
        y = _lines()
        horizon = 4
        full = series.forecast_lines(y, horizon)
        # (from the second origin on: the years before the first one backtest from an earlier origin)
        for j, k in enumerate(range(series.MIN_TRAIN, y.shape[1])):
            if j == 0:
                continue
            alone = series.forecast_lines(y[:, :k], horizon).point
            seen = min(horizon, y.shape[1] - k)
            replayed = y[:, k:k + seen] / np.exp(full.errors[:, j, :seen])
            assert replayed == pytest.approx(alone[:, :seen], rel=1e-9)

    def test_with_prices_the_backtest_uses_the_price_forecast_known_then(self):
        y = 500.0 * CPI[None, :] * np.array([[1.0], [1.3]])
        y[1] *= np.linspace(1, 1.4, len(CPI))
        future = CPI[-1] * 1.05 ** np.arange(1, 4)
        full = series.forecast_lines(y, 3, cpi_history=CPI, cpi_future=future)
        k = 5
        alone = series.forecast_lines(y[:, :k], 3, cpi_history=CPI[:k], cpi_future=series.known_price_path(CPI, k, 3))
        replayed = y[:, k:k + 3] / np.exp(full.errors[:, k - series.MIN_TRAIN, :3])
        assert replayed == pytest.approx(alone.point, rel=1e-9)
        # a line that follows prices exactly is not forecast exactly by its backtest
        assert full.single_scores["cpi_real"][0] > 0.01


class TestSeriesZeroYears:
    def test_a_zero_year_is_left_out_of_every_error(self):
        y = _lines(2, 10)
        y[0, 6] = 0.0  # e.g. no capital works that year
        r = series.forecast_lines(y, 3)
        origin = 6 - series.MIN_TRAIN  # the origin forecasting year 6 one year ahead
        assert np.isnan(r.errors[0, origin, 0])
        assert np.isfinite(r.scores[:, 0]).all() and (r.scores[:, 0] > 0).all()
        assert r.measured[0] < r.measured[1]

    def test_a_line_that_is_always_zero(self):
        y = np.vstack([_lines(1, 10), np.zeros((1, 10))])
        r = series.forecast_lines(y, 3)
        lower, upper = r.interval(0.95)
        assert r.point[1].tolist() == [0.0, 0.0, 0.0]
        assert lower[1].tolist() == [0.0, 0.0, 0.0] and upper[1].tolist() == [0.0, 0.0, 0.0]
        assert r.measured[1] == 0 and np.isnan(r.scores[:, 1]).all()


class TestSeriesChoice:
    def test_the_choice_is_a_combination_made_on_the_whole_horizon(self):
        y = _lines()
        r = series.forecast_lines(y, 5)
        for i in range(len(y)):
            first, second = r.method[i].split("+")
            assert {first, second} <= set(series.COMBINATIONS)
            # the two candidates with the smallest error over every origin and year ahead
            best = sorted(r.candidates, key=lambda c: r.scores[r.candidates.index(c), i])[:2]
            assert {first, second} == set(best)
            combined = np.mean([np.mean([series.single_forecast(m, y[i:i + 1], 5)[0]
                                         for m in series.COMBINATIONS[c]], axis=0) for c in (first, second)], axis=0)
            if "smoothed_drift" not in series.COMBINATIONS[first] + series.COMBINATIONS[second]:
                assert r.point[i] == pytest.approx(combined)

    def test_average_growth_alone_is_never_chosen(self):
        # a line growing exactly at a constant rate for years, then flat: one year ahead the
        # average growth was perfect for most of the history, yet over the horizon it is not
        y = np.concatenate([100 * 1.2 ** np.arange(8), np.full(5, 100 * 1.2 ** 7)])[None, :]
        r = series.forecast_lines(y, 5)
        assert "average_growth" not in r.method[0].split("+")
        assert r.point[0, -1] < 100 * 1.2 ** 7 * 1.2 ** 5 / 1.5

    def test_the_economists_method_is_kept(self):
        y = _lines(2)
        r = series.forecast_lines(y, 3, methods=[None, "naive"])
        assert r.method[1] == "naive" and r.point[1].tolist() == [y[1, -1]] * 3
        with pytest.raises(ValueError):
            series.forecast_lines(y, 3, methods=["guess", None])


class TestSeriesIntervals:
    def test_intervals_widen_with_the_level_and_the_horizon(self):
        r = series.forecast_lines(_lines(), 6)
        lo80, hi80 = r.interval(0.8)
        lo95, hi95 = r.interval(0.95)
        assert (lo95 < lo80).all() and (lo80 < r.point).all() and (r.point < hi80).all() and (hi80 < hi95).all()
        w = r.half_width(0.95)
        assert (np.diff(w, axis=1) >= 0).all()

    def test_sigma_reproduces_the_ninety_percent_interval(self):
        r = series.forecast_lines(_lines(), 4)
        lower, upper = r.interval(0.9)
        assert r.point * np.exp(1.6448536269514722 * r.sigma()) == pytest.approx(upper)
        assert r.point * np.exp(-1.6448536269514722 * r.sigma()) == pytest.approx(lower)

    def test_fewer_checked_years_give_wider_intervals(self):
        # the same line, the same error pattern: with a shorter history fewer errors are
        # measured and Student's t widens the band
        y = _lines(1, 16)
        long, short = series.forecast_lines(y, 3), series.forecast_lines(y[:, -7:], 3)
        assert short.dof[0] < long.dof[0]
        ratio = (short.half_width(0.95) / short.scale[:, None]) / (long.half_width(0.95) / long.scale[:, None])
        assert (ratio[:, 0] > 1).all()

    def test_one_series(self):
        r = series.forecast_series([100, 104, 109, 113, 120, 124, 131, 135], 3, years=range(2016, 2024))
        assert r.point.shape == (1, 3) and r.forecast_years == (2024, 2025, 2026)
        assert 130 < r.point[0, 0] < 150
        assert r.why(0)["method"] == r.method[0] and r.why(0)["measured"] > 0
        assert set(r.bands()) == {0.8, 0.95}
        assert r.bands()[0.8][1] == pytest.approx(r.interval(0.8)[1])


# --- the budget model on the series API ------------------------------------------------------



def _old_lognormal_factors(sigma, years, draws, seed):
    """The Monte Carlo factors as the model drew them before issue 18 (a yearly sigma x sqrt(h))."""
    rng = np.random.default_rng(seed)
    for h in range(1, years + 1):
        z = rng.standard_normal((draws, len(sigma)), dtype=np.float32)
        sd = (sigma * np.sqrt(h)).astype(np.float32)
        yield np.exp(z * sd - 0.5 * sd * sd)


@pytest.fixture(scope="module")
def kok():
    model = BudgetModel(load_budget(SCENARIOS / "kok-jar/budget.yaml").scenario)
    return model, model.fit()


class TestModelOnSeries:

    def test_a_yearly_sigma_draws_the_factors_it_always_drew(self):
        sigma = np.array([0.0, 0.02, 0.1372, 0.31])
        for new, old in zip(_lognormal_factors(sigma, 5, 1000, 11), _old_lognormal_factors(sigma, 5, 1000, 11)):
            assert new.dtype == np.float32 and new.tobytes() == old.tobytes()

    def test_a_spread_by_year_is_drawn_as_given(self):
        sigma = np.array([0.0, 0.02, 0.1372, 0.31])
        by_year = sigma[:, None] * np.sqrt(np.arange(1, 6))[None, :]
        # the same spread stated year by year gives the same draws to the bit
        for new, old in zip(_lognormal_factors(by_year, 5, 1000, 11), _lognormal_factors(sigma, 5, 1000, 11)):
            assert new.tobytes() == old.tobytes()
        flat = np.repeat(sigma[:, None], 5, axis=1)  # no growth: year 5 as wide as year 1
        last = list(_lognormal_factors(flat, 5, 20_000, 3))[-1]
        assert np.log(last).std(axis=0) == pytest.approx(sigma, abs=0.01)
        with pytest.raises(ValueError):
            list(_lognormal_factors(flat, 6, 10, 3))

    def test_the_forecast_is_the_series_forecast(self, kok):
        model, r = kok
        s = r.scenario
        fitted = series.forecast_lines(r.history, len(r.forecast_years), years=r.years,
                                       cpi_history=model.cpi_history, cpi_future=model.cpi_future,
                                       methods=[s.methods.get(ln) for _, ln in r.lines])
        for i, (_, line) in enumerate(r.lines):
            if line in s.fixed:
                assert r.chosen[i] == "fixed" and (r.sigma_by_year[i] == 0).all()
                continue
            assert r.point[i] == pytest.approx(np.maximum(fitted.point[i], 0.0), rel=1e-12)
            assert r.sigma_by_year[i] == pytest.approx(np.maximum(fitted.sigma()[i], MIN_SIGMA), rel=1e-12)
            if line in s.methods:  # the economist's method is kept (wages follow prices)
                assert r.chosen[i] == s.methods[line] and r.members[i] == (s.methods[line],)
            else:
                assert r.chosen[i] == "combination" and len(r.members[i]) > 1
                assert "+" in fitted.method[i]
        assert r.sigma.tolist() == r.sigma_by_year[:, 0].tolist()
        # the spread grows with the year ahead, as the backtest errors do
        forecast = ~np.array([ln in s.fixed for _, ln in r.lines])
        assert (np.diff(r.sigma_by_year[forecast], axis=1) >= 0).all()
        assert (r.sigma_by_year[forecast, -1] > r.sigma_by_year[forecast, 0]).all()

    def test_the_bands_are_drawn_from_the_spread_by_year(self, kok):
        model, r = kok
        again, _ = model.monte_carlo(r.point, r.sigma_by_year)
        assert all(np.array_equal(again[k], r.bands[k]) for k in r.bands)
        yearly, _ = model.monte_carlo(r.point, r.sigma)  # the old sqrt(h) bands differ
        assert not np.array_equal(yearly["balance"], r.bands["balance"])

    def test_the_methods_table_names_what_a_combination_averages(self, kok):
        _, r = kok
        table = r.methods_table("ru")
        i = r.chosen.index("combination")
        label = table["chosen"].iloc[i]
        assert label.startswith("комбинация методов: ")
        for m in r.members[i]:
            assert t("b_method_" + m, "ru") in label
        assert not any(m in label for m in r.members[i])  # no Latin ids

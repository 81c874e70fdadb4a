"""The budget hearing's what-ifs keep the Monte Carlo's draws (common random numbers, issue 17):
at rest the dashboard's figures are the CLI's to the bit, a slider moved and moved back shows
exactly the same bands, a moved slider gives what a fresh fit with the same seed gives, and
no slider change draws random numbers again."""

import json
import subprocess
import sys
from dataclasses import replace

import numpy as np
import pytest

from conftest import SCENARIOS
from okmo_models.budget import forecast as fc
from okmo_models.budget.forecast import PERCENTILES, BudgetModel, _sorted_percentiles, forecast_budget, load_budget
from okmo_models.hearing.budget_whatif import BudgetWhatIf, Verdict, verdict

EXAMPLES = [SCENARIOS / "kok-jar/budget.yaml", SCENARIOS / "alamudun/budget.yaml"]


def what_if(path):
    loaded = load_budget(path)
    return loaded, BudgetWhatIf(loaded.scenario, loaded.sha256, "", loaded.inputs)


def assert_same(a, b):
    """Two BudgetResults with the same point forecast, bands and chance of a deficit, to the bit."""
    assert a.forecast_years == b.forecast_years
    assert np.array_equal(a.point, b.point)
    assert a.bands.keys() == b.bands.keys()
    for key in a.bands:
        assert a.bands[key].dtype == b.bands[key].dtype
        assert np.array_equal(a.bands[key], b.bands[key]), key
    assert np.array_equal(a.deficit_chance, b.deficit_chance)


def moves(wi):
    """Slider positions away from the baseline: every rate, inflation, the new taxpayer."""
    b = wi.baseline
    out = [replace(b, rates={**b.rates, line: pct}) for line in wi.rate_lines for pct in (-20.0, 7.0, 35.0)]
    out += [replace(b, cpi_shift=shift) for shift in (-2.0, 3.5)]
    if wi.taxpayer_line is not None:
        out.append(replace(b, taxpayer=wi.taxpayer_max / 4))
    return out


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.parent.name)
def test_at_rest_the_figures_are_the_command_lines(path):
    loaded, wi = what_if(path)
    at_rest = wi.outputs(wi.baseline).result
    assert_same(at_rest, forecast_budget(path))
    # ... and the JSON `okmo budget FILE --format json` prints, to the digit
    run = [sys.executable, "-m", "okmo_models.cli", "budget", str(path), "--format", "json"]
    printed = json.loads(subprocess.run(run, capture_output=True, text=True, check=True).stdout)
    shown = at_rest.to_dict()
    assert shown["intervals"] == printed["intervals"]
    assert shown["deficit_probability"] == printed["deficit_probability"]
    # every preset (a scenario of the file) at rest is the file's scenario
    for vid in wi.presets():
        assert_same(wi.outputs(wi.preset(vid)).result, forecast_budget(loaded, vid))


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.parent.name)
def test_a_moved_slider_is_a_fresh_fit_with_the_same_seed(path):
    loaded, wi = what_if(path)
    fresh = BudgetModel(wi.scenario, loaded.inputs)  # draws anew for every fit
    for c in moves(wi):
        assert_same(wi.outputs(c).result, fresh.fit(wi.variant(c)))


def test_moved_and_moved_back_restores_exactly():
    _, wi = what_if(EXAMPLES[0])
    start = wi.preset(wi.presets()[0])
    before = wi.outputs(start).result
    for c in moves(wi):
        wi.outputs(replace(c, preset=start.preset, kept=start.kept, cpi_path=start.cpi_path))
    wi._cache.clear()  # computed again, not the cached result
    again = wi.outputs(start).result
    assert again is not before
    assert_same(again, before)


def test_a_slider_change_draws_no_random_numbers(monkeypatch):
    """New behaviour: the draws are made once, for the baseline (before issue 17 every change
    seeded a generator and drew 20 000 x lines x years normals again)."""
    _, wi = what_if(EXAMPLES[0])
    made = []
    real = np.random.default_rng
    monkeypatch.setattr(fc.np.random, "default_rng", lambda *a, **k: made.append(a) or real(*a, **k))
    for c in moves(wi):
        wi.outputs(c)
    assert made == []


def test_kept_draws_are_never_used_for_another_seed_draws_or_spread():
    """New behaviour (keep_draws): what a kept model returns for another seed, number of draws
    or line spread is what a model drawing anew returns."""
    scenario = load_budget(EXAMPLES[0]).scenario
    kept, fresh = BudgetModel(scenario).keep_draws(), BudgetModel(scenario)
    result = kept.fit()
    point, sigma = result.point, result.sigma
    for args in [(point, sigma), (point, sigma, 1_000), (point, sigma, None, 7), (point, sigma * 1.5),
                 (point * 1.1, sigma), (point[:, :3], sigma), (point, sigma)]:
        (bk, dk), (bf, df) = kept.monte_carlo(*args), fresh.monte_carlo(*args)
        for key in bf:
            assert np.array_equal(bk[key], bf[key])
        assert np.array_equal(dk, df)


def test_the_verdict_reads_the_balance_of_the_totals():
    """Regression guard: the verdict, now without a DataFrame, is the one from result.totals()."""
    _, wi = what_if(EXAMPLES[0])
    kinds = set()
    for c in [wi.baseline, *map(wi.preset, wi.presets()), *moves(wi)]:
        result = wi.outputs(c).result
        years = list(result.forecast_years[: result.horizon])
        balance = result.totals().loc["balance"].to_numpy()[: len(years)]
        short = [(y, -b) for y, b in zip(years, balance) if b < -0.05]
        if short:
            expected = Verdict("gap", short[0][0], float(short[0][1]), tuple(y for y, _ in short),
                               float(sum(a for _, a in short)))
        else:
            k = int(np.argmin(balance))
            expected = Verdict("space", years[k], float(max(balance[k], 0.0)), tuple(years),
                               float(max(balance[k], 0.0)))
        assert verdict(result) == expected
        kinds.add(expected.kind)
    assert kinds == {"gap", "space"}


def old_monte_carlo(model, point, sigma, draws=None, seed=None):
    """The Monte Carlo as it was before issue 17 (draws and percentiles year by year): the
    reference benchmarks/bench_budget.py times the kept draws against."""
    import importlib.util

    from conftest import ROOT

    spec = importlib.util.spec_from_file_location("bench_budget", ROOT / "benchmarks" / "bench_budget.py")
    bench = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(bench)
    return bench.old_monte_carlo(model, point, sigma, draws, seed)


@pytest.mark.parametrize("lines,draws", [(12, None), (24, 1_001), (5, 4_096), (9, 1_999), (3, 1_000)])
def test_percentiles_from_sorted_draws_are_the_old_ones_to_the_bit(lines, draws):
    """Regression guard: the faster percentiles (sorted rows) give the bands of before, also with
    8 or more lines a section (numpy's pairwise sums) and deficits in some paths."""
    model = BudgetModel(load_budget(EXAMPLES[1]).scenario)
    rng = np.random.default_rng(lines)
    model.is_revenue = np.arange(lines) < lines // 2 + 1
    point = rng.uniform(50, 150, (lines, 7))
    sigma = rng.uniform(0.0, 0.3, lines)
    for m in (model, BudgetModel(model.scenario).keep_draws()):
        m.is_revenue = model.is_revenue
        bands, deficit = m.monte_carlo(point, sigma, draws, 11)
        old_bands, old_deficit = old_monte_carlo(model, point, sigma, draws, 11)
        assert 0 < deficit.max() < 1  # the balance percentiles cross zero somewhere
        for key in old_bands:
            assert bands[key].shape == old_bands[key].shape and bands[key].dtype == old_bands[key].dtype
            assert np.array_equal(bands[key], old_bands[key]), key
        assert np.array_equal(deficit, old_deficit)


@pytest.mark.parametrize("n", [1, 2, 21, 1_000, 1_001, 1_999, 3_333, 20_000])
def test_percentiles_of_sorted_rows_are_numpys(n):
    """Regression guard: read off sorted rows, the percentiles are np.percentile's to the bit
    (negative values, ties and every interpolation weight the sizes give)."""
    rng = np.random.default_rng(n)
    rows = (rng.standard_normal((40, n)) * rng.uniform(1, 1e4, (40, 1)) + rng.uniform(-1e4, 1e5, (40, 1)))
    rows = rows.astype(np.float32)
    rows[:5] = np.round(rows[:5], -3)  # ties
    ordered = np.sort(rows, axis=1)
    expected = np.percentile(rows, PERCENTILES, axis=1)
    got = _sorted_percentiles(ordered)
    assert got.dtype == expected.dtype and got.shape == expected.shape
    assert np.array_equal(got, expected)

"""Budget forecast: methods on series with known answers, a hand-worked backtest, Monte Carlo
against the analytic percentiles, and bad histories."""

import json
import subprocess
import sys

import numpy as np
import pytest
from scipy.stats import norm

from conftest import SCENARIOS, write_yaml
from okmo_models.budget import methods as bm
from okmo_models.budget.forecast import BudgetModel, load_budget
from okmo_models.errors import ScenarioError


class TestMethods:
    def test_known_answers(self):
        y = np.array([[100.0, 110.0, 121.0, 133.1]])  # exactly +10 % a year
        assert bm.naive(y, 2).tolist() == [[133.1, 133.1]]
        assert bm.average_growth(y, 2)[0] == pytest.approx([146.41, 161.051])
        # with prices rising 10 % a year the series is flat in real terms: the forecast
        # follows the CPI path exactly
        cpi = np.array([1.0, 1.1, 1.21, 1.331])
        future = np.array([1.4641, 1.61051])
        assert bm.cpi_real(y, 2, cpi_history=cpi, cpi_future=future)[0] == pytest.approx([146.41, 161.051])

    def test_smoothing_on_a_constant_and_a_line(self):
        flat = np.full((1, 8), 50.0)
        assert bm.ses(flat, 3)[0] == pytest.approx([50.0, 50.0, 50.0])
        assert bm.damped_trend(flat, 3)[0] == pytest.approx([50.0, 50.0, 50.0])
        line = np.arange(10.0, 110.0, 10.0)[None, :]  # +10 a year, no noise
        f = bm.damped_trend(line, 3)[0]
        # a damped trend continues the slope with weights phi + phi^2 + ...: below the straight
        # line (110, 120, 130) but above the last value
        assert 100 < f[0] <= 110 and f[0] < f[1] < f[2] <= 130

    def test_backtest_by_hand(self):
        # series 100, 110, 121, 133.1, 146.41: from origin 4 the naive method forecasts 133.1
        # for 146.41, an error of 9.09 %; the average growth forecasts 146.41 exactly
        y = np.array([[100.0, 110.0, 121.0, 133.1, 146.41]])
        mape, logs = bm.backtest(y, np.ones(5), min_train=4)
        assert mape[bm.METHODS.index("naive"), 0] == pytest.approx(13.31 / 146.41)
        assert mape[bm.METHODS.index("average_growth"), 0] == pytest.approx(0.0, abs=1e-12)
        assert logs[bm.METHODS.index("naive"), 0, 0] == pytest.approx(np.log(146.41 / 133.1))


def test_monte_carlo_percentiles_converge_to_the_analytic_ones():
    """One revenue line with log error sigma: its percentile p in year h is
    point x exp(z_p sigma sqrt(h) - sigma^2 h / 2)."""
    scenario, _ = load_budget(SCENARIOS / "kok-jar/budget.yaml")
    model = BudgetModel(scenario)
    point = np.zeros((len(model.lines), 3))
    point[0] = [1000.0, 1000.0, 1000.0]  # only land tax, the rest zero
    sigma = np.zeros(len(model.lines))
    sigma[0] = 0.1
    bands = model.monte_carlo(point, sigma, draws=200_000, seed=1)["revenue"]
    for h in (1, 3):
        for k, p in enumerate((5, 25, 50, 75, 95)):
            expected = 1000 * np.exp(norm.ppf(p / 100) * 0.1 * np.sqrt(h) - 0.005 * h)
            assert bands[k, h - 1] == pytest.approx(expected, rel=0.004)


def test_examples():
    alamudun = BudgetModel(load_budget(SCENARIOS / "alamudun/budget.yaml")[0]).fit()
    summary = alamudun.summary("ru")
    total = summary[summary.iloc[:, 0] == "ВСЕГО ДОХОДОВ"]
    # seed 000: the budget grew from 19 to 125 million som; next year continues the growth
    assert total[2025].item() == pytest.approx(124_913.7)
    assert total[2026].item() > total[2025].item()
    assert "equalisation_grant" not in dict(alamudun.lines).values()
    kok = BudgetModel(load_budget(SCENARIOS / "kok-jar/budget.yaml")[0]).fit()
    forecast = kok.forecast()
    # the ministry's grant is taken as given, not forecast
    assert forecast.loc[("revenue", "equalisation_grant"), [2026, 2027, 2028]].tolist() == [7100, 7250, 7400]
    assert kok.chosen[[ln for _, ln in kok.lines].index("equalisation_grant")] == "fixed"
    grant_share = forecast.loc[("revenue", "equalisation_grant"), 2026] / kok.summary("en").iloc[3][2026]
    assert 0.55 < grant_share < 0.8
    # intervals are ordered and the median is near the point forecast
    bands = kok.intervals()
    assert (bands.loc["revenue"].diff().dropna() >= 0).all().all()


def test_command_line_formats():
    run = [sys.executable, "-m", "okmo_models.cli", "budget", str(SCENARIOS / "alamudun/budget.yaml")]
    table = subprocess.run(run, capture_output=True, text=True)
    assert table.returncode == 0 and "ВСЕГО ДОХОДОВ" in table.stdout and "124 913,7" in table.stdout
    d = json.loads(subprocess.run(run + ["--format", "json"], capture_output=True, text=True).stdout)
    assert d["forecast_years"][:3] == [2026, 2027, 2028]
    assert {ln["method"] for ln in d["lines"]} <= set(bm.METHODS) | {"fixed"}
    csv = subprocess.run(run + ["--format", "csv"], capture_output=True, text=True).stdout
    assert csv.splitlines()[0].startswith("section,line,2026")


def history(tmp_path, mutate):
    import yaml

    data = yaml.safe_load((SCENARIOS / "kok-jar/budget.yaml").read_text(encoding="utf-8"))
    mutate(data)
    return write_yaml(tmp_path, data, "budget.yaml")


BAD = [
    ("missing year", lambda d: d.update(years=[2016, 2017, 2018, 2020, 2021, 2022, 2023, 2024, 2025, 2026]),
     "history_years_gap", "years[4]"),
    ("duplicated year", lambda d: d.update(years=[2016, 2017, 2017, 2019, 2020, 2021, 2022, 2023, 2024, 2025]),
     "history_year_twice", "years[2]"),
    ("negative tax revenue", lambda d: d["revenue"]["land_tax"]["values"].__setitem__(3, -5),
     "history_negative", "revenue.land_tax.values[4]"),
    ("text in the history", lambda d: d["revenue"]["land_tax"]["values"].__setitem__(3, "n/a"),
     "not_a_number", "revenue.land_tax.values[4]"),
    ("lines not adding up", lambda d: d.update(totals={"revenue": [1.0] * 10, "source": "budget_reports"}),
     "history_total_mismatch", "totals.revenue[1]"),
    ("unknown line", lambda d: d["revenue"].update(tourism_tax={"values": [1] * 10, "source": "budget_reports"}),
     "budget_line_unknown", "revenue.tourism_tax"),
    ("too few values", lambda d: d["expenditure"]["wages"].update(values=[1.0, 2.0, 3.0]),
     "history_length", "expenditure.wages.values"),
]


@pytest.mark.parametrize("desc, mutate, key, path", BAD, ids=[b[0] for b in BAD])
def test_bad_history(tmp_path, desc, mutate, key, path):
    with pytest.raises(ScenarioError) as info:
        load_budget(history(tmp_path, mutate))
    found = [p for p in info.value.problems if p.key == key]
    assert found, [p.key for p in info.value.problems]
    assert found[0].field_path() == path

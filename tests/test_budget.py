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
from okmo_models.budget import series
from okmo_models.budget.forecast import BudgetModel, compare, load_budget
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
    scenario = load_budget(SCENARIOS / "kok-jar/budget.yaml").scenario
    model = BudgetModel(scenario)
    point = np.zeros((len(model.lines), 3))
    point[0] = [1000.0, 1000.0, 1000.0]  # only land tax, the rest zero
    sigma = np.zeros(len(model.lines))
    sigma[0] = 0.1
    bands = model.monte_carlo(point, sigma, draws=200_000, seed=1)[0]["revenue"]
    for h in (1, 3):
        for k, p in enumerate((5, 25, 50, 75, 95)):
            expected = 1000 * np.exp(norm.ppf(p / 100) * 0.1 * np.sqrt(h) - 0.005 * h)
            assert bands[k, h - 1] == pytest.approx(expected, rel=0.004)


def test_examples():
    alamudun = BudgetModel(load_budget(SCENARIOS / "alamudun/budget.yaml").scenario).fit()
    summary = alamudun.summary("ru")
    total = summary[summary.iloc[:, 0] == "ВСЕГО ДОХОДОВ"]
    # seed 000: the budget grew from 19 to 125 million som; next year continues the growth
    assert total[2025].item() == pytest.approx(124_913.7)
    assert total[2026].item() > total[2025].item()
    assert "equalisation_grant" not in dict(alamudun.lines).values()
    kok = BudgetModel(load_budget(SCENARIOS / "kok-jar/budget.yaml").scenario).fit()
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
    assert table.returncode == 0 and "ВСЕГО ДОХОДОВ" in table.stdout and "124\u00a0913,7" in table.stdout
    d = json.loads(subprocess.run(run + ["--format", "json"], capture_output=True, text=True).stdout)
    assert d["forecast_years"][:3] == [2026, 2027, 2028]
    # the backtest's combination unless the file names a method; the methods it averages beside it
    assert {ln["method"] for ln in d["lines"]} <= set(bm.METHODS) | {"fixed", "combination"}
    combined = [ln for ln in d["lines"] if ln["method"] == "combination"]
    assert combined and all(len(ln["members"]) > 1 and set(ln["members"]) <= set(series.SINGLES) for ln in combined)
    assert all(len(ln["sigma_by_year"]) == len(d["forecast_years"]) for ln in d["lines"])
    csv = subprocess.run(run + ["--format", "csv"], capture_output=True, text=True).stdout
    assert csv.splitlines()[0].startswith("section,line,method,2026")


def history(tmp_path, mutate):
    import yaml

    data = yaml.safe_load((SCENARIOS / "alamudun/budget.yaml").read_text(encoding="utf-8"))
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


# --- scenarios as differences from the baseline -------------------------------------------------


def alamudun_model(tmp_path=None, mutate=None):
    if mutate is None:
        return BudgetModel(load_budget(SCENARIOS / "alamudun/budget.yaml").scenario)
    return BudgetModel(load_budget(history(tmp_path, mutate)).scenario)


def test_rate_change_new_taxpayer_and_set_values_by_hand():
    model = alamudun_model()
    base = model.fit().forecast()
    # +20 % land tax rates from 2027: 2026 unchanged, every later year x 1.2 exactly
    rate = model.fit("land_tax_rate").forecast()
    land = ("revenue", "land_tax")
    assert rate.loc[land, 2026] == pytest.approx(base.loc[land, 2026], abs=1e-9)
    assert (rate.loc[land, 2027:] / base.loc[land, 2027:]).tolist() == pytest.approx([1.2] * 7)
    # the new taxpayer pays 4 500 thousand som of property tax in 2027 prices, indexed with the
    # CPI of the file (6 % a year from 2028): 4 500, 4 770, 5 056.2; land tax +1 200 not indexed
    new = model.fit("new_taxpayer").forecast()
    prop = ("revenue", "property_tax")
    assert (new.loc[prop, [2026, 2027, 2028, 2029]] - base.loc[prop, [2026, 2027, 2028, 2029]]).tolist() == \
        pytest.approx([0, 4500, 4770, 5056.2], abs=0.01)
    assert (new.loc[land, 2027:] - base.loc[land, 2027:]).tolist() == pytest.approx([1200] * 7, abs=0.01)


def test_cpi_path_and_population_growth_by_hand():
    model = alamudun_model()
    base = model.fit().forecast()
    slow = model.fit("slow_growth").forecast()
    # CPI 12 % in 2026 and 10 % in 2027 instead of 8 % and 6 %: nominal lines rise by
    # 1.12/1.08 in 2026 and 1.12 x 1.10 / (1.08 x 1.06) from 2027
    r26, r27 = 1.12 / 1.08, 1.12 * 1.10 / (1.08 * 1.06)
    wages = ("expenditure", "wages")
    assert slow.loc[wages, 2026] / base.loc[wages, 2026] == pytest.approx(r26)
    assert slow.loc[wages, 2030] / base.loc[wages, 2030] == pytest.approx(r27)
    # land tax has cpi_elasticity 0 and no population elasticity: unchanged
    assert slow.loc[("revenue", "land_tax")].tolist() == pytest.approx(base.loc[("revenue", "land_tax")].tolist())
    # income tax follows prices and residents: growth 0.5 % instead of 2.5 % a year, h years on
    income = ("revenue", "income_tax_share")
    for h, year in ((1, 2026), (3, 2028)):
        expected = (r26 if h == 1 else r27) * (1.005 / 1.025) ** h
        assert slow.loc[income, year] / base.loc[income, year] == pytest.approx(expected)
    # goods and services follow residents with elasticity 0.5
    goods = ("expenditure", "goods_and_services")
    assert slow.loc[goods, 2028] / base.loc[goods, 2028] == pytest.approx(r27 * (1.005 / 1.025) ** 1.5)


def test_fixed_values_do_not_follow_prices_and_compare_shows_the_difference():
    model = BudgetModel(load_budget(SCENARIOS / "kok-jar/budget.yaml").scenario)
    runs = model.fit_all()
    assert list(runs) == [None, "grant_cut", "high_inflation", "land_tax_rate"]
    grant = ("revenue", "equalisation_grant")
    # the ministry's figures stay as set under high inflation; a 15 % cut from 2027 applies to them
    assert runs["high_inflation"].forecast().loc[grant, [2026, 2027, 2028]].tolist() == [7100, 7250, 7400]
    assert runs["grant_cut"].forecast().loc[grant, [2026, 2027, 2028]].tolist() == \
        pytest.approx([7100, 7250 * 0.85, 7400 * 0.85])
    table = compare([runs[None], runs["grant_cut"]], "en")
    delta = table[(table["scenario"] == runs["grant_cut"].name("en")) & table[""].str.startswith("Δ")]
    assert delta[2027].item() == pytest.approx(-0.15 * 7250)
    # a cut makes a deficit more likely
    assert runs["grant_cut"].deficit_probability()[2027] > runs[None].deficit_probability()[2027]


def test_unknown_scenario_is_named():
    from okmo_models.budget.forecast import VariantUnknown

    with pytest.raises(VariantUnknown) as info:
        alamudun_model().fit("no_such")
    assert "land_tax_rate" in info.value.render("en")


BAD_SCENARIOS = [
    ("two kinds of change", lambda d: d["scenarios"]["land_tax_rate"]["changes"][0].update(add=5),
     "variant_change_kind", "scenarios.land_tax_rate.changes[1]"),
    ("change before the forecast", lambda d: d["scenarios"]["land_tax_rate"]["changes"][0].update({"from": 2020}),
     "variant_year_outside", "scenarios.land_tax_rate.changes[1].from"),
    ("unknown line", lambda d: d["scenarios"]["land_tax_rate"]["changes"][0].update(line="tourism_tax"),
     "budget_line_unknown", "scenarios.land_tax_rate.changes[1].line"),
    ("population growth without population", lambda d: d.pop("population"),
     "variant_needs_population", "scenarios.slow_growth.population_growth"),
    ("unknown source", lambda d: d["scenarios"]["land_tax_rate"]["changes"][0].update(source="rumour"),
     "source_unknown", "scenarios.land_tax_rate.changes[1].source"),
    ("population of the wrong length", lambda d: d["population"].update(values=[1, 2, 3]),
     "history_length", "population.values"),
]


@pytest.mark.parametrize("desc, mutate, key, path", BAD_SCENARIOS, ids=[b[0] for b in BAD_SCENARIOS])
def test_bad_scenarios(tmp_path, desc, mutate, key, path):
    with pytest.raises(ScenarioError) as info:
        load_budget(history(tmp_path, mutate))
    found = [p for p in info.value.problems if p.key == key]
    assert found, [p.key for p in info.value.problems]
    assert found[0].field_path() == path


# --- history from a CSV table ----------------------------------------------------------------------


def test_csv_history_reads_excel_style_numbers():
    scenario = load_budget(SCENARIOS / "kok-jar/budget.yaml").scenario
    assert scenario.years[0] == 2016 and scenario.years[-1] == 2025
    # history.csv row 2 (land tax), "1 074,9"-style numbers: spaces for thousands, decimal comma
    csv_text = (SCENARIOS / "kok-jar/history.csv").read_text(encoding="utf-8")
    first_land = csv_text.splitlines()[1].split(";")[3]
    assert scenario.revenue["land_tax"].values[0] == pytest.approx(float(first_land.replace(" ", "").replace(",", ".")))
    assert scenario.population.values[-1] == 5960


def csv_budget(tmp_path, csv_text, encoding="utf-8"):
    import yaml

    data = yaml.safe_load((SCENARIOS / "kok-jar/budget.yaml").read_text(encoding="utf-8"))
    (tmp_path / "history.csv").write_bytes(csv_text.encode(encoding))
    return write_yaml(tmp_path, data, "budget.yaml")


GOOD_CSV = (SCENARIOS / "kok-jar/history.csv").read_text(encoding="utf-8")


def _cell(text, row, col, value):
    lines = text.splitlines()
    cells = lines[row - 1].split(";")
    cells[col] = value
    lines[row - 1] = ";".join(cells)
    return "\n".join(lines) + "\n"


BAD_CSV = [
    ("text in a number cell", lambda s: _cell(s, 3, 5, "нет данных"), "not_a_number", "F3"),
    ("empty cell", lambda s: _cell(s, 4, 12, ""), "csv_missing_value", "M4"),
    ("negative tax", lambda s: _cell(s, 2, 4, "-12,5"), "history_negative", "E2"),
    ("year twice", lambda s: s.replace("2017", "2016", 1), "history_year_twice", "E1"),
    ("unknown section", lambda s: s.replace("expenditure;wages", "expenses;wages"), "csv_section", "A8"),
    ("row twice", lambda s: s + s.splitlines()[1] + "\n", "csv_row_twice", "B15"),
    ("value beyond the years", lambda s: _cell(s, 2, 12, "1 735,0;99"), "csv_extra_cell", "N2"),
    ("thousands with a comma", lambda s: _cell(s, 2, 4, "10,000"), "csv_ambiguous_number", "E2"),
    ("no header", lambda s: "\n".join(s.splitlines()[1:]), "csv_header", "A1"),
]


@pytest.mark.parametrize("desc, mutate, key, cell", BAD_CSV, ids=[b[0] for b in BAD_CSV])
def test_bad_csv_history_names_the_cell(tmp_path, desc, mutate, key, cell):
    with pytest.raises(ScenarioError) as info:
        load_budget(csv_budget(tmp_path, mutate(GOOD_CSV)))
    assert info.value.file.endswith("history.csv")
    found = [p for p in info.value.problems if p.key == key]
    assert found, [p.key for p in info.value.problems]
    assert found[0].path == (cell,)
    assert f"ячейка {cell}" in info.value.render("ru")


def test_csv_from_russian_excel_in_cp1251_and_with_commas(tmp_path):
    text = GOOD_CSV.replace("budget_reports", "отчёты", 1)  # a Cyrillic source id in cp1251
    with pytest.raises(ScenarioError) as info:  # readable, and then the unknown source is named
        load_budget(csv_budget(tmp_path, text, encoding="cp1251"))
    assert any(p.key == "source_unknown" and p.value == "отчёты" for p in info.value.problems)
    # a comma-separated export: numbers with a point
    comma = "\n".join(",".join(c.replace(" ", "").replace(",", ".") for c in line.split(";"))
                      for line in GOOD_CSV.splitlines())
    scenario = load_budget(csv_budget(tmp_path, comma)).scenario
    assert scenario.revenue["land_tax"].values == load_budget(SCENARIOS / "kok-jar/budget.yaml").scenario.revenue["land_tax"].values


def test_history_in_both_places_is_refused(tmp_path):
    import yaml

    data = yaml.safe_load((SCENARIOS / "kok-jar/budget.yaml").read_text(encoding="utf-8"))
    data["revenue"] = {"land_tax": {"values": [1] * 10, "source": "budget_reports"}}
    (tmp_path / "history.csv").write_text(GOOD_CSV, encoding="utf-8")
    with pytest.raises(ScenarioError) as info:
        load_budget(write_yaml(tmp_path, data, "budget.yaml"))
    assert [p.key for p in info.value.problems] == ["history_given_twice"]

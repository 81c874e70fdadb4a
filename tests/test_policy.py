"""Tariff policy checked by hand: annuities, affordability, discounts, paths, sharing, uncertainty."""

import numpy as np
import pytest

from okmo_models.provenance import source_text
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.stats import norm

from conftest import compute, waste_scenario, water_scenario, write_yaml
from okmo_models.errors import ScenarioError
from okmo_models.parameters import resolve
from okmo_models.tariff.policy import formulas as pf
from okmo_models.scenario.loader import load_scenario

MONEY = 0.01


class TestFormulas:
    def test_annuity_textbook(self):
        # 100 000 at 10 % over 5 years: annuity factor 3.790787 (standard PV tables),
        # payment 100 000 / 3.790787 = 26 379.75
        assert pf.annuity_payment(100_000, 0.10, 5) == pytest.approx(26_379.75, abs=MONEY)
        assert pf.annuity_payment(120_000, 0.0, 4) == pytest.approx(30_000)

    def test_loan_schedule_starts_the_year_after(self):
        years = np.arange(2027, 2033)
        pay = pf.loan_schedule(300_000, 0.0, 2.5, 2028, years)
        # 120 000 a year in 2029 and 2030, half of it in 2031, nothing else: 300 000 in all
        assert pay.tolist() == pytest.approx([0, 0, 120_000, 120_000, 60_000, 0])

    def test_affordability_by_hand(self):
        # two groups of 50 %: 2 000 and 10 000 som per person, 4 persons; bill 100 som;
        # burdens 100 / 8 000 = 1.25 % and 100 / 40 000 = 0.25 %; threshold 1 %
        incomes, sizes, shares = [2_000, 10_000], [4, 4], [0.5, 0.5]
        assert pf.share_of_households_above([100, 100], incomes, sizes, shares, 0.01) == 0.5
        # the poorer group crosses 1 % at a bill of 80 som, the richer at 400 som
        assert pf.bill_at_which_share_is_above(incomes, sizes, shares, 0.01, 0.2, [1, 1]) == 80
        assert pf.bill_at_which_share_is_above(incomes, sizes, shares, 0.01, 0.6, [1, 1]) == 400
        assert pf.bill_at_which_share_is_above(incomes, sizes, shares, 0.01, 1.2, [1, 1]) is None

    def test_path_with_a_known_answer(self):
        # from 50 to a constant 100 with at most +25 % a year: 62.5, 78.125, 97.65625, 100, 100
        path, ok = pf.tariff_path(50, [100] * 5, max_increase=0.25)
        assert path.tolist() == pytest.approx([62.5, 78.125, 97.65625, 100, 100])
        assert ok
        # an affordability cap of 80 makes it infeasible; the closest path stops at 80
        path, ok = pf.tariff_path(50, [100] * 5, max_increase=0.25, caps=[80] * 5)
        assert path.tolist() == pytest.approx([62.5, 78.125, 80, 80, 80]) and not ok
        # doubling in 5 years needs 2^(1/5) - 1 = 14.87 % a year
        assert pf.increase_needed(50, [100] * 5) == pytest.approx(2 ** 0.2 - 1, abs=1e-9)

    def test_cpi_index(self):
        assert pf.cpi_index([0.5, 0.1, 0.2]).tolist() == pytest.approx([1.0, 1.1, 1.32])

    def test_triangular_draws_converge_to_the_analytic_moments(self):
        # triangular on [-0.3, 0.6] with mode 0: mean (a + b + c) / 3 = 0.1; the median
        # solves F(m) = 0.5 above the mode: m = b - sqrt((1 - 0.5)(b - a) b)
        f = pf.draw_factors(np.random.default_rng(1), [-0.3], [0.6], ["triangular"], 400_000)[:, 0]
        assert f.mean() == pytest.approx(1.1, abs=0.002)
        assert np.median(f) == pytest.approx(1 + 0.6 - np.sqrt(0.5 * 0.9 * 0.6), abs=0.003)
        assert f.min() >= 0.7 and f.max() <= 1.6
        u = pf.draw_factors(np.random.default_rng(1), [-0.2], [0.2], ["uniform"], 400_000)[:, 0]
        assert u.mean() == pytest.approx(1.0, abs=0.002) and u.std() == pytest.approx(0.4 / np.sqrt(12), abs=0.002)


@settings(max_examples=80, deadline=None)
@given(st.floats(1, 500), st.lists(st.floats(1, 1000), min_size=1, max_size=25),
       st.floats(0.01, 1.0), st.floats(1, 1000))
def test_path_respects_every_cap(start, targets, growth, cap):
    path, ok = pf.tariff_path(start, targets, max_increase=growth, caps=[cap] * len(targets))
    previous = start
    for t, target in zip(path, targets):
        assert t <= target * (1 + 1e-9) and t <= cap * (1 + 1e-9)
        assert t <= previous * (1 + growth) * (1 + 1e-9) + 1e-9
        previous = t
    assert ok == bool(path[-1] >= targets[-1] * (1 - 1e-9))


def test_income_quintiles_rederived():
    """The package's quintiles follow from two NSC figures: mean 11 319 som per person per
    month (2024) and the richest 20 % holding 47 % of income (2025), through a log-normal."""
    sigma = 0.8416212335729143 - norm.ppf(0.53)  # 1 - Phi(z_0.8 - sigma) = 0.47
    edges = [-np.inf, *norm.ppf([0.2, 0.4, 0.6, 0.8]), np.inf]
    means = [11_319 * (norm.cdf(edges[k + 1] - sigma) - norm.cdf(edges[k] - sigma)) / 0.2 for k in range(5)]
    groups = resolve("income_groups_kg", 2027).value
    assert [g["income_per_capita_som_month"] for g in groups] == pytest.approx(means, abs=1.0)
    assert sum(g["share"] for g in groups) == pytest.approx(1.0)


def with_policy(**sections):
    data = waste_scenario()
    data["categories"] = data["categories"][:1]  # households only, billed per household-month
    data.update(sections)
    return data


class TestScenarios:
    # households only: requirement 517 690.80 over 12 000 household-months = 43.1409 with the
    # 2 % sales tax; without it 42.2950 -> 42.30, and with the tax on it 43.146 -> 43.15

    def test_affordability_through_the_engine(self):
        data = with_policy(affordability={
            "threshold": {"value": "1 %", "source": "hand"},
            "income_groups": [
                {"name": "poor", "income_per_capita": "1 000 som/person/month", "share": "30 %", "source": "hand"},
                {"name": "rich", "income_per_capita": "5 000 som/person/month", "share": "70 %", "source": "hand"}],
            "target_share_above": "50 %"})
        a = compute(data).policy.affordability
        assert a.tariff_som == pytest.approx(43.15, abs=1e-9)
        # household incomes 4 000 and 20 000: burdens 1.08 % (above 1 %) and 0.22 %
        assert [g["above"] for g in a.groups] == [True, False]
        assert a.share_above == pytest.approx(0.30)
        # half the households are above once the richer group's 200 som is passed
        assert a.tariff_at_target_som == pytest.approx(200.0)

    def test_package_threshold_and_groups(self):
        data = water_scenario()
        data["categories"][0]["household_size"] = "4 person/household"
        data["affordability"] = {"threshold_parameter": "affordability_threshold_water_oecd"}
        a = compute(data).policy.affordability
        assert a.threshold == pytest.approx(0.04) and "OECD" in source_text(a.threshold_source, "en")
        assert len(a.groups) == 5
        # 22.8125 -> 22.81 som per person-month x 4 persons = 91.24 som for every quintile
        assert {g["bill_som"] for g in a.groups} == {91.24}

    def test_cap_is_computed_for_each_path_category(self):
        data = water_scenario()
        data["categories"][0]["household_size"] = "4 person/household"
        data["categories"][0]["current_tariff"] = "10 som/person/month"
        data["categories"][1].update(households="100 household", household_size="4 person/household",
                                     current_tariff="5 som/m3")
        data["affordability"] = {"threshold": {"value": "1 %", "source": "hand"},
                                 "income_groups": [{"name": "all", "income_per_capita": "500 som/person/month",
                                                    "share": "100 %", "source": "hand"}],
                                 "target_share_above": "100 %"}
        data["path"] = {"years": 2, "cpi": "0 %", "cpi_source": "hand", "affordability_cap": True}
        caps = {c["category"]: c["caps_som"][0] for c in compute(data).policy.path.categories}
        # 1 % of 4 x 500 = 20 som a month: 20 / 4 persons = 5.00 per person-month; the metered
        # household uses 2 175 / 100 / 12 = 1.8125 m3 a month: 20 / 1.8125 = 11.03 per m3
        assert caps == pytest.approx({"unmetered": 5.00, "metered": 11.03}, abs=MONEY)

    def test_path_is_published_within_its_limits(self):
        data = with_policy(path={"years": 6, "cpi": "3 %", "cpi_source": "hand", "max_increase": "7 %"})
        c = compute(data).policy.path.categories[0]
        previous = c["start_tariff_som"]
        for tariff, cost in zip(c["path_tariff_som"], c["cost_recovery_tariff_som"]):
            assert tariff <= cost and tariff <= previous * 1.07 + 1e-9
            previous = tariff

    def test_cpi_indexes_the_landfill_fee(self):
        data = with_policy(path={"years": 2, "cpi": "10 %", "cpi_source": "hand"},
                           waste={"density": "0,2 t/m3", "landfill_fee": "50 som/t", "landfill_fee_source": "hand"})
        p = compute(data).policy.path
        base = with_policy(path={"years": 2, "cpi": "10 %", "cpi_source": "hand"})
        q = compute(base).policy.path
        # the fee 6 000 m3 x 0.2 t x 50 = 60 000 som grows 10 % with the other prices:
        # the difference in requirement is 60 000 x 1.1 x 1.10 margin x 1.02 tax = 74 052
        assert p.requirement_som[1] - q.requirement_som[1] == pytest.approx(74_052, abs=MONEY)

    def test_discounts_paid_by_the_budget(self):
        data = with_policy(vulnerable={"financing": "budget", "groups": [
            {"name": "pensioners", "households": "10 household", "discount": "50 %",
             "category": "households", "source": "hand"},
            {"name": "disabled", "households": "5 household", "discount": "20 som/household/month",
             "category": "households", "source": "hand"},
            {"name": "capped", "households": "1 household", "discount": "1 000 som/household/month",
             "category": "households", "source": "hand"}]})
        v = compute(data).policy.vulnerable
        # half of 43.15 is 21.575, on the bill 21.58: 10 x 21.58 x 12 = 2 589.60; 5 x 20 x 12 =
        # 1 200; a discount above the bill is capped at the bill: 43.15 x 12 = 517.80;
        # total 4 307.40 som a year
        assert [g["yearly_som"] for g in v.groups] == pytest.approx([2_589.60, 1_200.00, 517.80], abs=1e-6)
        assert v.budget_cost_som == pytest.approx(4_307.40, abs=1e-6)

    def test_discounts_carried_by_the_other_payers(self):
        data = with_policy(vulnerable={"financing": "cross_subsidy", "groups": [
            {"name": "pensioners", "households": "100 household", "discount": "50 %",
             "category": "households", "source": "hand"}]})
        v = compute(data).policy.vulnerable
        # t x 12 x (1 000 - 0.5 x 100) = 517 690.80 -> t = 45.4115; without the 2 % sales tax
        # 44.5211 -> 44.52, with it 45.4104 -> 45.41 som
        assert v.cross_subsidy_tariffs[0]["tariff_som"] == pytest.approx(45.41, abs=1e-9)
        assert v.budget_cost_som == 0

    def test_path_from_todays_tariff(self):
        data = with_policy(path={"years": 3, "cpi": "0 %", "cpi_source": "hand", "max_increase": "10 %"})
        p = compute(data).policy.path
        c = p.categories[0]
        # today 30; +10 % a year: 33.00, 36.30, then the cost-recovery 36.98 (43.1409 here)
        assert c["path_tariff_som"] == pytest.approx([33.00, 36.30, 39.93], abs=MONEY)
        assert not p.feasible and p.reached_year is None
        # subsidy in the first year: (43.140900 - 33) x 12 000 = 121 690.80
        assert p.subsidy_som[0] == pytest.approx(121_690.80, abs=MONEY)

    def test_path_reaches_cost_recovery(self):
        data = with_policy(path={"years": 4, "cpi": "0 %", "cpi_source": "hand", "max_increase": "15 %"})
        p = compute(data).policy.path
        # 34.50, then 34.50 x 1.15 = 39.675: printed by the rule (38.897 -> 38.90 without the
        # 2 % sales tax, 39.678 -> 39.68 with it) it would pass the 15 % limit, so the tariff
        # without tax goes down to 38.89 and with it 39.6678 -> 39.67; then cost recovery 43.15
        # (as in the калькуляция) in the third year; in 2030 the 2020 truck is written off:
        # (517 690.80 - 100 000 x 1.10 x 1.02) / 12 000 = 33.7909 -> 33.13 without tax -> 33.79
        assert p.categories[0]["path_tariff_som"] == pytest.approx([34.50, 39.67, 43.15, 33.79], abs=1e-9)
        assert p.reached_year == 2029 and p.feasible

    def test_investment_plan_by_hand(self):
        data = with_policy(
            path={"years": 4, "cpi": "0 %", "cpi_source": "hand"},
            investments={"grant_assets_depreciated": False, "depreciation_fund_opening": "0 som",
                         "items": [{"name": "truck", "year": 2028, "value": "1 000 000 som",
                                    "useful_life": "10 year", "source": "hand", "financing": [
                                        {"type": "grant", "share": "50 %"},
                                        {"type": "loan", "share": "50 %", "rate": "10 %", "term": "5 year"}]}]})
        p = compute(data).policy.path
        # existing truck (2020, 10 years) 100 000 a year until 2029; the new one's own half
        # 500 000 / 10 = 50 000 from 2028
        assert p.depreciation_som == pytest.approx([100_000, 150_000, 150_000, 50_000])
        # loan 500 000 at 10 % over 5 years: 131 898.74 a year from 2029
        assert p.debt_service_som == pytest.approx([0, 0, 131_898.74, 131_898.74], abs=MONEY)
        # the fund accumulates depreciation (no own-funded purchases)
        assert p.depreciation_fund_som == pytest.approx([100_000, 250_000, 400_000, 450_000])
        # effect on the requirement in 2028: 50 000 x 1.10 margin x 1.02 sales tax = 56 100
        assert p.investment_effect_som[1] == pytest.approx(56_100, abs=MONEY)

    def test_shared_landfill_by_key(self):
        members = [{"name": "A", "volume": "3 000 m3/year", "distance": "5 km", "share": "60 %",
                    "households": "500 household", "source": "hand"},
                   {"name": "B", "volume": "1 000 m3/year", "distance": "15 km", "share": "40 %",
                    "source": "hand"}]
        r = {}
        for key in ("volume", "distance", "fixed_share"):
            data = with_policy(sharing={"key": key, "key_source": "hand", "members": members})
            r[key] = compute(data).policy.sharing
        total = 517_690.80
        # volume 3:1; distance 3 000 x 5 = 15 000 against 1 000 x 15 = 15 000; fixed 60:40
        assert [m["share"] for m in r["volume"].members] == pytest.approx([0.75, 0.25])
        assert [m["share"] for m in r["distance"].members] == pytest.approx([0.5, 0.5])
        assert [m["payment_som"] for m in r["fixed_share"].members] == pytest.approx(
            [0.6 * total, 0.4 * total], abs=MONEY)
        a = r["volume"].members[0]
        # A pays 388 268.10 for 3 000 m3 = 129.42 som/m3, or 64.71 per household-month;
        # the payments add up to the requirement to the tyiyn
        assert sum(m["payment_som"] for m in r["volume"].members) == pytest.approx(total, abs=1e-6)
        assert a["tariff_per_unit_som"] == pytest.approx(129.42, abs=MONEY)
        assert a["per_household_month_som"] == pytest.approx(0.75 * total / 500 / 12, abs=MONEY)

    def test_sensitivity(self):
        data = with_policy(sensitivity={"swing": "10 %", "draws": 20_000, "seed": 1})
        data["cost_lines"][1]["uncertainty"] = {"low": "-20 %", "high": "40 %"}
        s = compute(data).policy.sensitivity
        # labour 240 000 (+17.25 % Social Fund) moves the tariff more than fuel 80 000
        assert [r["line"] for r in s.tornado] == ["labour", "fuel"]
        low, high = s.tornado[0]["low_som"], s.tornado[0]["high_som"]
        # linear, up to the rounding of the printed tariffs: each is rounded without the sales
        # tax and again with it, so it lies within 0.0101 of the unrounded one
        assert s.base_tariff_som == compute(data).tariff("households").tariff_som  # as printed
        assert s.base_tariff_som - low == pytest.approx(high - s.base_tariff_som, abs=0.0203)
        # fuel triangular on [-20 %, +40 %]: mean factor 1.0667, so the mean tariff rises by
        # 80 000 x 0.0667 x 1.10 x 1.02 / 12 000 = 0.4987 som
        # (the percentiles are statistics of unrounded tariffs; the base is printed, +-0.005)
        assert s.percentiles["mean"] == pytest.approx(s.base_tariff_som + 0.4987, abs=0.015)
        q = [s.percentiles[k] for k in ("p5", "p25", "p50", "p75", "p95")]
        assert q == sorted(q)

    def test_json_has_every_part(self):
        data = with_policy(affordability={"threshold": {"value": "2,5 %", "source": "hand"}},
                           sensitivity={})
        d = compute(data).to_dict("en")
        assert d["affordability"]["threshold"] == pytest.approx(0.025)
        assert d["sensitivity"]["percentiles"] is None  # no ranges declared
        assert d["path"] is None and d["vulnerable"] is None and d["sharing"] is None


BAD = [
    ("two thresholds", {"affordability": {"threshold": {"value": "1 %", "source": "hand"},
                                          "threshold_parameter": "affordability_threshold_water_epa"}},
     "threshold_one_of", "affordability"),
    ("unknown category", {"vulnerable": {"financing": "budget", "groups": [
        {"name": "x", "households": "1 household", "discount": "10 %", "category": "nobody", "source": "hand"}]}},
     "category_unknown", "vulnerable.groups[1].category"),
    ("income shares", {"affordability": {"threshold": {"value": "1 %", "source": "hand"}, "income_groups": [
        {"name": "x", "income_per_capita": "1 000 som/person/month", "share": "60 %", "source": "hand"}]}},
     "shares_not_100", "affordability.income_groups"),
    ("loan without a rate", {"investments": {"grant_assets_depreciated": True, "items": [
        {"name": "x", "year": 2028, "value": "1 som", "useful_life": "1 year", "source": "hand",
         "financing": [{"type": "loan", "share": "100 %"}]}]}},
     "loan_needs_rate_and_term", "investments.items[1].financing[1]"),
    ("programme years", {"path": {"years": 3, "cpi": "5 %", "cpi_source": "hand"},
                         "production_programme": {"volume_by_year": {"2027": "100 %"}, "source": "hand"}},
     "programme_years_missing", "production_programme.volume_by_year"),
    ("cap without affordability", {"path": {"years": 3, "cpi": "5 %", "cpi_source": "hand",
                                            "affordability_cap": True}},
     "cap_needs_affordability", "path.affordability_cap"),
    ("sharing key", {"sharing": {"key": "distance", "key_source": "hand", "members": [
        {"name": "A", "volume": "1 m3/year", "source": "hand"},
        {"name": "B", "volume": "1 m3/year", "distance": "1 km", "source": "hand"}]}},
     "member_key_missing", "sharing.members[1]"),
    ("water threshold for waste", {"affordability": {"threshold_parameter": "affordability_threshold_water_oecd"}},
     "threshold_parameter_unknown", "affordability.threshold_parameter"),
    ("discount above the bill", {"vulnerable": {"financing": "budget", "groups": [
        {"name": "x", "households": "1 household", "discount": "150 %", "category": "households", "source": "hand"}]}},
     "discount_above_100", "vulnerable.groups[1].discount"),
    ("more vulnerable than households", {"vulnerable": {"financing": "budget", "groups": [
        {"name": "x", "households": "5 000 household", "discount": "10 %", "category": "households", "source": "hand"}]}},
     "more_vulnerable_than_households", "vulnerable.groups[1].households"),
    ("deflation below -100 %", {"path": {"years": 2, "cpi": "-150 %", "cpi_source": "hand"}},
     "cpi_range", "path.cpi"),
    ("path from a zero tariff", {"path": {"years": 2, "cpi": "5 %", "cpi_source": "hand", "categories": ["households"]},
                                 "categories": [{**waste_scenario()["categories"][0], "current_tariff": "0 som/household/month"}]},
     "path_needs_current_tariff", "path.categories"),
    ("heads key for waste", {"sharing": {"key": "heads", "key_source": "hand", "members": [
        {"name": "A", "heads": "10 head", "source": "hand"}, {"name": "B", "heads": "5 head", "source": "hand"}]}},
     "sharing_key_not_for_service", "sharing.key"),
    ("negative seed", {"sensitivity": {"seed": -1}}, "number_too_small", "sensitivity.seed"),
    ("uncertainty without zero", {"cost_lines": [
        {"line": "other", "name": "x", "amount": "1 000 som/year", "source": "hand",
         "uncertainty": {"low": "5 %", "high": "10 %"}}]},
     "uncertainty_range", "cost_lines[1].uncertainty"),
]


@pytest.mark.parametrize("desc, sections, key, path", BAD, ids=[b[0] for b in BAD])
def test_bad_policy_input(tmp_path, desc, sections, key, path):
    data = with_policy(**sections)
    with pytest.raises(ScenarioError) as info:
        load_scenario(write_yaml(tmp_path, data))
    found = [p for p in info.value.problems if p.key == key]
    assert found, [p.key for p in info.value.problems]
    assert found[0].field_path() == path


def test_cross_subsidy_impossible_when_every_tariff_is_fixed(tmp_path):
    data = with_policy(vulnerable={"financing": "cross_subsidy", "groups": [
        {"name": "x", "households": "10 household", "discount": "50 %", "category": "households",
         "source": "hand"}]})
    data["categories"][0]["fixed_tariff"] = "40 som/household/month"
    with pytest.raises(ScenarioError) as info:
        load_scenario(write_yaml(tmp_path, data))
    assert info.value.problems[0].key == "cross_subsidy_needs_payers"


def test_discounts_no_one_can_carry(tmp_path):
    data = with_policy(vulnerable={"financing": "cross_subsidy", "groups": [
        {"name": "x", "households": "1 000 household", "discount": "100 %", "category": "households",
         "source": "hand"}]})
    with pytest.raises(ScenarioError) as info:
        compute(data)
    assert info.value.problems[0].key == "discounts_not_coverable"


def test_path_uses_the_package_cpi_forecast_when_none_is_given():
    p = compute(with_policy(path={"years": 3})).policy.path
    # cpi_forecast_kg: 6 % a year -> 1, 1.06, 1.1236
    assert p.cpi_index == pytest.approx((1.0, 1.06, 1.1236))
    # the parameter named in words with its value (no id), in each language
    assert p.cpi_source.get("ru").startswith("Прогноз инфляции (ИПЦ) в Кыргызстане") and "6 %" in p.cpi_source.get("ru")


def test_investment_effect_on_the_tariff():
    data = with_policy(path={"years": 2, "cpi": "0 %", "cpi_source": "hand"},
                       investments={"grant_assets_depreciated": True, "items": [
                           {"name": "containers", "year": 2028, "value": "120 000 som", "useful_life": "10 year",
                            "financing": [{"type": "own", "share": "100 %"}], "source": "hand"}]})
    c = compute(data).policy.path.categories[0]
    # 12 000 som of depreciation x 1.10 x 1.02 / 12 000 household-months = 1.122 som
    assert c["investment_tariff_effect_som"] == pytest.approx([0.0, 1.12], abs=MONEY)


@settings(max_examples=80, deadline=None)
@given(st.floats(1, 500), st.lists(st.floats(1, 1000), min_size=1, max_size=25),
       st.one_of(st.none(), st.floats(0.0, 1.0)), st.lists(st.floats(1, 1000), min_size=25, max_size=25))
def test_path_is_the_linear_programme_optimum(start, targets, growth, caps):
    """The closed form gives what the linear programme it states (maximise the sum of the
    tariffs under the bounds) gives when a solver (scipy's HiGHS) solves it."""
    from scipy.optimize import linprog

    n = len(targets)
    caps = caps[:n]
    path, _ = pf.tariff_path(start, targets, max_increase=growth, caps=caps)
    a_ub, b_ub = [], []
    if growth is not None:
        for y in range(n):
            row = np.zeros(n)
            row[y] = 1.0
            if y:
                row[y - 1] = -(1.0 + growth)
            a_ub.append(row)
            b_ub.append(0.0 if y else (1.0 + growth) * start)
    lp = linprog(-np.ones(n), A_ub=np.array(a_ub) if a_ub else None, b_ub=np.array(b_ub) if b_ub else None,
                 bounds=list(zip(np.zeros(n), np.minimum(targets, caps))), method="highs")
    assert lp.success
    assert path.tolist() == pytest.approx(lp.x.tolist(), rel=1e-7, abs=1e-7)


@pytest.mark.parametrize("start, targets, caps", [
    (10, [5, -3, 8], None),  # a negative cost-recovery tariff: the LP has no solution
    (10, [20, float("nan"), 30], None),
    (10, [20, 25, 30], [30, float("nan"), 30]),
    (10, [20, float("inf"), 30], None),
    (-1, [20, 25, 30], None),
])
def test_path_refuses_what_the_linear_programme_cannot_solve(start, targets, caps):
    """Found in review: the closed form bent these into a path (a NaN even skipped the next
    year's growth limit); the LP it replaces failed on them, and so does it now."""
    with pytest.raises(ValueError, match="finite and not negative"):
        pf.tariff_path(start, targets, max_increase=0.1, caps=caps)

"""Properties that must hold for any scenario, checked with generated scenarios."""

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import compute, waste_scenario
from okmo_models.scenario.loader import validate_scenario
from okmo_models.tariff import TariffModel

amounts = st.floats(min_value=1_000, max_value=50_000_000, allow_nan=False)
volumes = st.floats(min_value=10, max_value=500_000, allow_nan=False)
multipliers = st.floats(min_value=0.5, max_value=3.0, allow_nan=False)
steps = st.sampled_from(["0,01 som", "1 som"])


@st.composite
def scenarios(draw):
    data = waste_scenario()
    data["cost_lines"] = [{"line": "other", "name": f"line {i}", "amount": {"value": a, "unit": "som/year"},
                           "source": "hand"}
                          for i, a in enumerate(draw(st.lists(amounts, min_size=1, max_size=6)))]
    data["cost_lines"].append({"line": "labour", "name": "staff", "quantity": "3 staff",
                               "price": {"value": draw(st.floats(1_000, 60_000)), "unit": "som/staff/month"},
                               "source": "hand"})
    data["profitability"] = {"value": draw(st.floats(0, 20)), "unit": "%"}
    data["categories"][0]["households"] = f"{draw(st.integers(10, 50_000))} household"
    data["categories"][0]["norm"] = {"value": draw(st.floats(0.3, 3)), "unit": "m3/person/year"}
    data["categories"][1]["volume"] = {"value": draw(volumes), "unit": "m3/year"}
    data["categories"][1]["multiplier"] = draw(multipliers)
    data["rounding"] = {"mode": draw(st.sampled_from(["half_up", "up", "down"])), "step": draw(steps),
                        "source": "hand"}
    return data


def billed_units(result):
    return sum(c.billing_units_per_year for c in result.tariffs)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(scenarios())
def test_unrounded_tariffs_reproduce_the_requirement(data):
    result = compute(data)
    revenue = sum(c.tariff_unrounded_som * c.billing_units_per_year for c in result.tariffs)
    assert revenue == pytest.approx(result.revenue_requirement_som, rel=1e-9)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(scenarios())
def test_rounding_moves_revenue_by_less_than_a_step_per_unit_in_the_rule_s_direction(data):
    result = compute(data)
    step = float(data["rounding"]["step"].split()[0].replace(",", "."))
    mode = data["rounding"]["mode"]
    difference = result.revenue_at_tariffs_som - result.revenue_requirement_som
    assert difference == pytest.approx(result.rounding_difference_som, abs=1e-6)
    # the tariff without tax is rounded once, then the 2 % sales tax on it once more
    per_unit = (step if mode != "half_up" else step / 2) * (1 + 1.02)
    assert abs(difference) <= per_unit * billed_units(result) + 1e-6
    if mode == "up":
        assert difference >= -1e-6 * result.revenue_requirement_som
    if mode == "down":
        assert difference <= 1e-6 * result.revenue_requirement_som
    # what the kenesh sees reconciles: revenue - rounding + subsidy - surplus = requirement
    assert result.revenue_at_tariffs_som - result.rounding_difference_som + result.subsidy_need_som \
        - result.surplus_som == pytest.approx(result.revenue_requirement_som, rel=1e-9)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(scenarios(), st.integers(0, 6), st.floats(1.0, 3.0))
def test_tariff_never_decreases_when_a_cost_line_grows(data, which, factor):
    model = TariffModel(validate_scenario(data))
    n_lines = len(model.input_lines)
    factors = np.ones((2, n_lines))
    factors[1, which % n_lines] = factor
    ev = model.evaluate(factors)
    assert np.all(ev["requirement"][1] >= ev["requirement"][0])
    assert np.all(ev["tariff"][1] >= ev["tariff"][0])


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(scenarios(), st.floats(10, 60))
def test_fixed_population_tariff_is_balanced_by_the_others(data, fixed):
    data["categories"][0]["fixed_tariff"] = {"value": round(fixed, 2), "unit": "som/household/month"}
    data["categories"][0]["fixed_tariff_taxes"] = "included"
    result = compute(data)
    assert result.tariff("households").tariff_som == pytest.approx(round(fixed, 2))
    # a balancing category (business) exists, so the budget never pays and revenue covers
    # the requirement but for rounding (with business at zero if the fixed tariff alone
    # exceeds it)
    assert result.subsidy_need_som == 0
    assert result.revenue_at_tariffs_som - result.rounding_difference_som >= \
        result.revenue_requirement_som * (1 - 1e-9)


def test_vectorised_evaluation_equals_one_by_one():
    model = TariffModel(validate_scenario(waste_scenario()))
    rng = np.random.default_rng(7)
    factors = rng.uniform(0.8, 1.2, size=(50, len(model.input_lines)))
    together = model.evaluate(factors)
    for i in (0, 17, 49):
        alone = model.evaluate(factors[i:i + 1])
        assert together["tariff"][i] == pytest.approx(alone["tariff"][0])
        assert together["requirement"][i] == pytest.approx(alone["requirement"][0])

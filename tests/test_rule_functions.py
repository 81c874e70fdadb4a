"""The whole-file rules of each kind of plan, one small function per rule (issue 15): every
rule is a documented function listed in its module's ``RULES``, the kind's check is the chain
of them, and a fault is caught by its own rule alone."""

import inspect
from itertools import chain

import pytest

from conftest import SCENARIOS, waste_scenario
from okmo_models.budget import checks as budget_checks
from okmo_models.budget.schema import BudgetScenario
from okmo_models.errors import ScenarioError
from okmo_models.kinds import KINDS
from okmo_models.programme import checks as programme_checks
from okmo_models.programme.schema import Programme
from okmo_models.scenario import checks as tariff_checks
from okmo_models.scenario.loader import read_data, validate_with
from okmo_models.scenario.schema import Scenario

MODULES = {"tariff": tariff_checks, "budget": budget_checks, "programme": programme_checks}
SCHEMAS = {"tariff": Scenario, "budget": BudgetScenario, "programme": Programme}


def example(kind: str) -> dict:
    if kind == "tariff":
        return waste_scenario()
    return read_data(SCENARIOS / "alamudun" / f"{kind}.yaml")[0]


def model(kind: str, mutate=None):
    """The kind's example, changed by ``mutate``, validated field by field only."""
    data = example(kind)
    if mutate is not None:
        mutate(data)
    return SCHEMAS[kind].model_validate(data)


def rules_of(module) -> tuple:
    return module.RULES + getattr(module, "MEASURE_RULES", ())


def yielding(module, s) -> dict[str, list[str]]:
    """The problem keys each rule of ``module`` yields for ``s``, by rule name (rules that
    yield nothing left out); a measure's rule is asked about every measure."""
    out = {}
    for rule in module.RULES:
        keys = [p.key for p in rule(s)]
        if keys:
            out[rule.__name__] = keys
    for rule in getattr(module, "MEASURE_RULES", ()):
        keys = [p.key for i in range(len(s.measures)) for p in rule(s, i)]
        if keys:
            out[rule.__name__] = keys
    return out


@pytest.mark.parametrize("kind", MODULES)
def test_every_rule_is_a_documented_function_of_its_module(kind):
    module = MODULES[kind]
    rules = rules_of(module)
    assert len(set(rules)) == len(rules) >= 5
    for rule in rules:
        assert inspect.isfunction(rule) and rule.__module__ == module.__name__, rule
        assert not rule.__name__.startswith("_"), rule.__name__
        assert len(inspect.getdoc(rule) or "") > 20, f"{rule.__name__} says what it checks"


@pytest.mark.parametrize("kind", MODULES)
def test_no_rule_is_left_out_of_rules(kind):
    """A public function yielding problems that RULES does not list would never run."""
    module = MODULES[kind]
    entry = KINDS[kind].output(KINDS[kind].rules)
    for name, f in inspect.getmembers(module, inspect.isfunction):
        yields = "Iterator[Problem]" in str(inspect.signature(f).return_annotation)
        if yields and f.__module__ == module.__name__ and not name.startswith("_") and f is not entry:
            assert f in rules_of(module), f"{name} is not in RULES"


def _faulty_budget(d):
    d["years"][0] = 2015  # history_years_in_order
    d["revenue"]["land_tax"]["source"] = "nowhere"  # history_lines_sound
    d["totals"]["revenue"][0] += 1000  # totals_add_up
    d["methods"] = {"tourism_tax": "naive"}  # named_lines_known


def _faulty_programme(d):
    d["last_year"] = 2045  # period_at_most_15_years
    d["measures"][0]["source"] = "nowhere"  # measures_sound
    d["rules"]["source_limits"]["lottery"] = {2026: 5}  # source_limits_known


def _faulty_tariff(d):
    d["operator"]["source"] = "nowhere"  # sources_named
    d["parameters"]["no_such_rate"] = {"value": "1 %", "source": "hand"}  # parameters_known_and_in_range
    d["categories"][0]["billing_unit"] = "head"  # categories_fit_the_service


@pytest.mark.parametrize("kind, mutate", [("budget", _faulty_budget), ("programme", _faulty_programme),
                                          ("tariff", _faulty_tariff)])
def test_the_check_is_the_chain_of_the_rules(kind, mutate):
    module, s = MODULES[kind], model(kind, mutate)
    check = KINDS[kind].output(KINDS[kind].rules)  # what the loader runs
    expected = list(chain.from_iterable(rule(s) for rule in module.RULES))
    assert list(check(s)) == expected
    assert len({rule for rule in module.RULES if any(True for _ in rule(s))}) >= 3
    assert list(check(model(kind))) == []  # the example itself keeps every rule


def _set(path, value):
    """A change to the example: ``value`` at the ``path`` of keys and indices."""
    def mutate(d):
        *parents, last = path
        for key in parents:
            d = d[key]
        d[last] = value
    return mutate


def _add(path, key, value):
    return lambda d: _set((*path, key), value)(d) if path else d.__setitem__(key, value)


def _drop(path, key):
    def mutate(d):
        for k in path:
            d = d[k]
        del d[key]
    return mutate


BUDGET_FAULTS = [  # (change, the one rule that catches it, its problem key)
    (_set(("years", 0), 2015), "history_years_in_order", "history_years_gap"),
    (_set(("revenue", "land_tax", "source"), "nowhere"), "history_lines_sound", "source_unknown"),
    (lambda d: d.pop("totals") and d["revenue"]["land_tax"].update(values=[1.0] * 9), "history_lines_sound",
     "history_length"),
    (_set(("totals", "revenue", 0), 1.0), "totals_add_up", "history_total_mismatch"),
    (_set(("cpi", 2026), "-100 %"), "cpi_above_minus_100", "cpi_range"),
    (_drop(("cpi",), 2030), "cpi_for_every_year", "cpi_years_missing"),
    (_add((), "fixed", {"targeted_transfers": {"values": {2020: 100}, "source": "budget_reports"}}),
     "fixed_values_in_forecast_years", "variant_year_outside"),
    (_set(("cpi_source",), "nowhere"), "cpi_and_totals_sources_named", "source_unknown"),
    (_set(("population", "values", 0), 0), "population_per_history_year", "history_negative"),
    (_add(("scenarios", "slow_growth", "cpi"), 2020, "5 %"), "scenarios_within_forecast", "variant_year_outside"),
    (_add((), "methods", {"tourism_tax": "naive"}), "named_lines_known", "budget_line_unknown"),
]

PROGRAMME_FAULTS = [
    (_set(("last_year",), 2045), "period_at_most_15_years", "programme_period"),
    (_set(("measures", 10, "id"), "park"), "measure_id_once", "measure_id_twice"),
    (_set(("measures", 0, "start"), 2040), "starts_in_period", "variant_year_outside"),
    (_set(("measures", 0, "cost"), [1000] * 6), "works_end_in_period", "measure_too_long"),
    (_drop(("measures", 0), "start"), "committed_has_start", "committed_needs_start"),
    (_add(("measures", 0), "requires", ["nowhere"]), "links_known", "measure_unknown"),
    (_drop(("measures", 1, "funding", 2), "repay_years"), "funding_sound", "loan_needs_repayment"),
    (_add(("measures", 0), "funding", [{"kind": "donor_grant", "amount": 20000, "source": "donor"}]),
     "funding_within_cost", "funding_over_cost"),
    (_set(("measures", 1, "funding", 0, "share"), "70 %"), "cofinancing_met", "cofinancing_short"),
    (_set(("measures", 0, "scores", "need"), 9), "scores_on_criteria", "score_outside"),
    (_set(("measures", 0, "beneficiaries", "women"), 60000), "beneficiaries_within_total",
     "beneficiaries_over_total"),
    (_set(("measures", 0, "source"), "nowhere"), "measure_source_named", "source_unknown"),
    (_add(("measures", 1), "requires", ["sewer_network"]), "no_requires_cycles", "requires_cycle"),
    (_drop((), "budget"), "fiscal_space_given", "programme_needs_budget"),
    (lambda d: d.update(limits={2040: 100}, limits_source="estimates"), "limits_in_period", "variant_year_outside"),
    (lambda d: d.update(limits={2026: 100}, limits_source="nowhere"), "limits_source_named", "source_unknown"),
    (_add(("rules", "source_limits"), "lottery", {2026: 5}), "source_limits_known", "value_not_allowed"),
]

TARIFF_FAULTS = [
    (_set(("operator", "source"), "nowhere"), "sources_named", "source_unknown"),
    (_set(("categories", 0, "billing_unit"), "head"), "categories_fit_the_service", "billing_unit_not_for_service"),
    (_add(("parameters",), "no_such_rate", {"value": "1 %", "source": "hand"}), "parameters_known_and_in_range",
     "parameter_unknown"),
]

FAULTS = ([("budget", *f) for f in BUDGET_FAULTS] + [("programme", *f) for f in PROGRAMME_FAULTS]
          + [("tariff", *f) for f in TARIFF_FAULTS])


@pytest.mark.parametrize("kind, mutate, rule, key", FAULTS, ids=[f"{f[0]}-{f[2]}-{f[3]}" for f in FAULTS])
def test_a_fault_is_caught_by_its_rule_alone(kind, mutate, rule, key):
    found = {name: set(keys) for name, keys in yielding(MODULES[kind], model(kind, mutate)).items()}
    if rule in [r.__name__ for r in getattr(MODULES[kind], "MEASURE_RULES", ())]:
        assert found.pop("measures_sound") == {key}  # the rule of a measure, run for each
    assert found == {rule: {key}}


def test_the_measure_rules_run_measure_by_measure():
    """Problems of one measure are reported together, before the next measure's."""
    def two_faulty_measures(d):
        d["measures"][0].update(source="nowhere", requires=["nowhere"])
        d["measures"][1]["source"] = "nowhere"
    s = model("programme", two_faulty_measures)
    assert [(p.key, p.path[:2]) for p in programme_checks.check(s)] == [
        ("measure_unknown", ("measures", 0)), ("source_unknown", ("measures", 0)),
        ("source_unknown", ("measures", 1))]


def test_the_totals_source_is_reported_at_its_own_field():
    """Failed before: an unknown source named by both the CPI and the totals was reported
    twice at ``cpi_source``, never at ``totals.source``."""
    def both(d):
        d["cpi_source"] = d["totals"]["source"] = "nowhere"
    s = model("budget", both)
    assert [(p.key, p.path) for p in budget_checks.check(s)] == [
        ("source_unknown", ("cpi_source",)), ("source_unknown", ("totals", "source"))]


def test_numbers_in_the_rules_messages_are_the_readers():
    """The sum of the lines and the co-financing left are written as each reader writes
    numbers (a no-break space between thousands, a decimal comma in ru and ky)."""
    with pytest.raises(ScenarioError) as info:
        validate_with(BudgetScenario, budget_checks.check,
                      example("budget") | {"totals": {"revenue": [1.0] * 10, "source": "budget_reports"}})
    sums = info.value.problems[0].context["sum"]
    assert sums == {"ru": "18\u00a0815,0", "ky": "18\u00a0815,0", "en": "18,815.0"}
    assert "(18\u00a0815,0)" in info.value.render("ru") and "(18,815.0)" in info.value.render("en")
    s = model("programme", _set(("measures", 1, "funding", 0, "share"), "70 %"))
    local = next(programme_checks.cofinancing_met(s, 1)).context["local"]
    assert local["ru"] == "2,0" and local["en"] == "2.0"

"""The калькуляция derived from a staffing table and a production programme (issue 22).

Every figure is worked by hand in the test's docstring or comment; money to 0,01 som.
"""

from __future__ import annotations

import copy
import dataclasses
import json

import pytest

from okmo_models.errors import ScenarioError
from okmo_models.examples import example_path
from okmo_models.scenario.loader import load_scenario, read_data, validate_scenario
from okmo_models.tariff import calculate_tariff
from okmo_models.tariff.derivations import explain_line

WASTE = example_path("teploklyuchenka/waste.yaml")
WATER = example_path("ak-bulak/water.yaml")


@pytest.fixture(scope="module")
def waste_data() -> dict:
    return json.loads(json.dumps(read_data(WASTE).data, default=str))


def _computed(data: dict):
    return calculate_tariff(validate_scenario(data, WASTE))


def _line(result, name_ru: str):
    return next(c for c in result.cost_lines if c.name.get("ru") == name_ru)


def test_the_issue_s_route_is_worked_as_written(waste_data):
    """2 trips x 5 days x 52 weeks x 38 km x 32 l/100 km = 6 323,2 l (the issue's example)."""
    d = copy.deepcopy(waste_data)
    truck = d["production_programme"]["vehicles"][0]
    truck.update(fuel_norm="32 l/100km", allowances=[])
    truck["routes"][0].update(trips_per_day=2, days_per_week=5, weeks=52, km_per_trip="38 km")
    r = _computed(d)
    diesel = _line(r, "Дизельное топливо (мусоровоз, трактор, экскаватор, грейдер)")
    litres = 6323.2 + 2500 + 1800 + 950
    assert diesel.amount_som == pytest.approx(litres * 80, abs=0.01)
    steps = dict(explain_line(diesel.derivation, "ru"))
    assert steps["Мусоровоз с задней загрузкой, село — полигон"] == \
        "2 рейса × 5 дней × 52 недели × 38 км × 32 л/100 км = 6\xa0323,20 л"
    ky = dict(explain_line(diesel.derivation, "ky"))
    assert ky["Арттан жүктөөчү таштанды ташуучу унаа, айыл — полигон"] == \
        "2 каттам × 5 күн × 52 жума × 38 км × 32 л/100 км = 6\xa0323,20 л"


def test_the_example_reproduces_its_earlier_estimates():
    """The waste example's programme gives 9 000 l of diesel and 3 000 l of petrol, and its
    staffing table the same wages as the lines it replaced: the tariff is unchanged (100,72)."""
    r = calculate_tariff(load_scenario(WASTE))
    assert _line(r, "Дизельное топливо (мусоровоз, трактор, экскаватор, грейдер)").amount_som == \
        pytest.approx(9000 * 80, abs=0.01)
    assert _line(r, "Бензин (два ЗИЛа)").amount_som == pytest.approx(3000 * 70, abs=0.01)
    # drivers 2 x (16 000 + 25 %) x 12; director (20 000 + 20 %) x 12
    assert _line(r, "Водители").amount_som == pytest.approx(2 * 20_000 * 12, abs=0.01)
    assert _line(r, "Директор").amount_som == pytest.approx(24_000 * 12, abs=0.01)
    # Social Fund: 17,25 % of the wage bill 1 704 000 (2x20 000 + 3x16 000 + 24 000 + 18 000 + 12 000) x 12
    sf = next(c for c in r.cost_lines if c.line == "social_fund")
    assert sf.amount_som == pytest.approx(0.1725 * 1_704_000, abs=0.01)
    households = next(c for c in r.tariffs if c.id == "households")
    assert households.tariff_som == 100.72
    assert r.revenue_requirement_som == pytest.approx(4_782_435.23, abs=0.01)


def test_water_pumping_and_chlorine_from_the_volume_produced():
    """215 000 m3 x 0,6 kWh/m3 = 129 000 kWh x 2,96 = 381 840 som; 215 000 m3 x 2 g/m3 = 430 kg
    x 250 = 107 500 som."""
    r = calculate_tariff(load_scenario(WATER))
    pumping = _line(r, "Электроэнергия насосов")
    assert pumping.amount_som == pytest.approx(381_840, abs=0.01)
    assert dict(explain_line(pumping.derivation, "ru"))["Электроэнергия насосов"] == \
        "215\xa0000 м³ × 0,60 кВт·ч/м³ = 129\xa0000 кВт·ч"
    chlorine = _line(r, "Хлор для обеззараживания")
    assert chlorine.amount_som == pytest.approx(107_500, abs=0.01)
    assert "215\xa0000 м³ × 2 г/м³ = 430 кг" in dict(explain_line(chlorine.derivation, "ru")).values()


def test_allowances_bonuses_and_pay_in_som(waste_data):
    """Loaders: 3 x ((16 000 + 1 500 som) x 12 x (1 + 10 %) + (16 000 + 1 500) x 1 month)
    = 3 x (231 000 + 17 500) = 745 500 som a year."""
    d = copy.deepcopy(waste_data)
    loaders = d["staffing"]["positions"][1]
    loaders["allowances"] = [{"name": {"ru": "За вредность"}, "value": "1 500 som/month"}]
    loaders["bonuses"] = [{"name": {"ru": "Премия"}, "share": "10 %"},
                          {"name": {"ru": "Материальная помощь к отпуску"}, "months": 1}]
    r = _computed(d)
    line = _line(r, "Грузчики")
    assert line.amount_som == pytest.approx(745_500, abs=0.01)
    assert line.basis.factors == ((3.0, "staff"), (248_500.0, "som/staff/year"))
    steps = explain_line(line.derivation, "ru")
    assert ("Заработок за год с премиями", "210\xa0000 сом/шт. ед./год + 21\xa0000 сом/шт. ед./год + "
            "17\xa0500 сом/шт. ед./год = 248\xa0500 сом/шт. ед./год") in steps


def test_tyres_and_repairs_by_mileage(waste_data):
    """Garbage truck: 2 x 5 x 50 x 24 = 12 000 km a year; 6 tyres lasting 60 000 km: 1,2 tyres
    a year x 15 000 som = 18 000 som; repairs 4,5 som/km x 12 000 = 54 000 som."""
    d = copy.deepcopy(waste_data)
    truck = d["production_programme"]["vehicles"][0]
    truck["tyres"] = {"count": 6, "price": "15 000 som/piece", "mileage": "60 000 km", "source": "assumption"}
    truck["repairs"] = "4,5 som/km"
    r = _computed(d)
    tyres = _line(r, "Шины (по пробегу) — Мусоровоз с задней загрузкой")
    repairs = _line(r, "Техобслуживание и ремонт (по пробегу) — Мусоровоз с задней загрузкой")
    assert (tyres.amount_som, repairs.amount_som) == (pytest.approx(18_000, abs=0.01), pytest.approx(54_000, abs=0.01))
    assert (tyres.line, repairs.line) == ("materials", "repairs")
    assert dict(explain_line(tyres.derivation, "ru"))["Износ шин за год"] == \
        "2 рейса × 5 дней × 50 недель × 24 км × 6 шт. / 60\xa0000 км = 1,20 шт."


def test_a_fleet_that_cannot_carry_the_volume_is_refused(waste_data):
    d = copy.deepcopy(waste_data)
    d["production_programme"]["vehicles"][0]["routes"][0]["load_per_trip"] = "30 m3"
    with pytest.raises(ScenarioError) as info:
        _computed(d)
    [problem] = info.value.problems
    assert problem.key == "programme_capacity_short"
    text = info.value.render("ru")
    # 500 trips x 30 m3 + 2 x 200 trips x 10 m3 = 19 000 m3 against 26 532,6 m3
    assert "19\xa0000 м³" in text and "26\xa0532,60 м³" in text
    assert "production_programme.vehicles" in text


@pytest.mark.parametrize("change, key, where", [
    (lambda d: d["production_programme"]["vehicles"][1].update(fuel="gas"), "fuel_unknown",
     "production_programme.vehicles[2].fuel"),
    (lambda d: d["production_programme"]["fuels"].update(
        kerosene={"name": "Керосин", "price": "90 som/l", "source": "assumption"}), "fuel_unused",
     "production_programme.fuels.kerosene"),
    (lambda d: d["production_programme"]["vehicles"][0]["allowances"].append("desert"), "allowance_unknown",
     "production_programme.vehicles[1].allowances[4]"),
    (lambda d: d["production_programme"].update(
        pumping={"energy": "0,5 kWh/m3", "price": "3 som/kWh", "source": "assumption"}), "programme_water_only",
     "production_programme.pumping"),
])
def test_programme_mistakes_name_the_field(waste_data, change, key, where):
    d = copy.deepcopy(waste_data)
    change(d)
    with pytest.raises(ScenarioError) as info:
        _computed(d)
    assert [(p.key, p.field_path()) for p in info.value.problems] == [(key, where)]
    assert "Traceback" not in info.value.render("ky")


@pytest.mark.parametrize("vehicle, key", [
    ({"name": "Трактор", "fuel": "diesel", "source": "assumption"}, "vehicle_without_work"),
    ({"name": "Трактор", "fuel": "diesel", "hours": "100 hour/year", "source": "assumption"}, "vehicle_needs_hour_norm"),
    ({"name": "ЗИЛ", "fuel": "diesel", "routes": [{"trips_per_day": 1, "days_per_week": 5, "weeks": 50,
                                                   "km_per_trip": "10 km"}], "source": "assumption"},
     "vehicle_needs_fuel_norm"),
])
def test_a_vehicle_without_what_its_fuel_needs_is_refused(waste_data, vehicle, key):
    d = copy.deepcopy(waste_data)
    d["production_programme"]["vehicles"].append(vehicle)
    with pytest.raises(ScenarioError) as info:
        _computed(d)
    assert [p.key for p in info.value.problems] == [key]


def test_a_bonus_is_given_one_way(waste_data):
    d = copy.deepcopy(waste_data)
    d["staffing"]["positions"][0]["bonuses"] = [{"name": "Премия", "share": "10 %", "months": 1}]
    with pytest.raises(ScenarioError) as info:
        _computed(d)
    assert [p.key for p in info.value.problems] == ["bonus_share_or_months"]


def test_a_calculation_with_no_line_at_all_is_refused(waste_data):
    d = copy.deepcopy(waste_data)
    d.pop("staffing")
    d["production_programme"] = {"source": "assumption"}
    d["cost_lines"] = []
    with pytest.raises(ScenarioError) as info:
        _computed(d)
    assert "no_cost_lines" in [p.key for p in info.value.problems]


def test_staffing_alone_computes_the_social_fund(waste_data):
    """Only a staffing table and one given line: the Social Fund is 17,25 % of its wages."""
    d = copy.deepcopy(waste_data)
    d["production_programme"] = {"source": "assumption"}
    d["cost_lines"] = [{"line": "other", "name": "Прочее", "amount": "10 000 som/year", "source": "assumption"}]
    r = _computed(d)
    sf = next(c for c in r.cost_lines if c.line == "social_fund")
    assert sf.amount_som == pytest.approx(0.1725 * 1_704_000, abs=0.01)


def test_uncertainty_of_a_derived_line_reaches_the_sensitivity():
    """The drivers' wage (0 to +15 %) and the fuels' prices (-10 to +25 %) move the Monte Carlo
    as the given lines did: without them the spread is narrower."""
    r = calculate_tariff(load_scenario(WASTE))
    sens = r.policy.sensitivity
    rows = {row["name"].get("ru"): row for row in sens.tornado}
    assert rows["Водители"]["range_som"] > 0
    data = json.loads(json.dumps(read_data(WASTE).data, default=str))
    for fuel in data["production_programme"]["fuels"].values():
        fuel.pop("uncertainty")
    narrower = calculate_tariff(validate_scenario(data, WASTE)).policy.sensitivity
    assert narrower.percentiles["p95"] - narrower.percentiles["p5"] < sens.percentiles["p95"] - sens.percentiles["p5"]


def test_the_hearing_sliders_move_derived_prices():
    """Fuel +10 %: diesel 720 000 + petrol 210 000 + lubricants 45 000 (a given fuel line) = 975 000,
    +97 500 som of costs, x 1,05 profit x 1,03 sales tax = +105 446,25 som of requirement; wages
    +10 %: 170 400 x 1,1725 Social Fund x 1,05 x 1,03 = +216 077,21."""
    from okmo_models.hearing.whatif import WhatIf

    w = WhatIf(load_scenario(WASTE))
    base = w.outputs(w.baseline).requirement_som
    fuel = w.outputs(dataclasses.replace(w.baseline, fuel_price_change=0.10)).requirement_som
    wage = w.outputs(dataclasses.replace(w.baseline, wage_change=0.10)).requirement_som
    assert fuel - base == pytest.approx(105_446.25, abs=0.01)
    assert wage - base == pytest.approx(216_077.21, abs=0.01)


def test_each_figure_cites_its_own_source():
    """The allowances cite AM-23-r, the routes and norms the vehicle's source, the price the
    fuel's: the workbook shows each input cell with the source it comes from."""
    from okmo_models.tariff.derivations import Figure

    r = calculate_tariff(load_scenario(WASTE))
    diesel = _line(r, "Дизельное топливо (мусоровоз, трактор, экскаватор, грейдер)").derivation
    found = {}

    def walk(e):
        if isinstance(e, Figure):
            if e.path is not None:
                found[e.path] = e.source
        else:
            for term in e.terms:
                walk(term)

    walk(diesel.quantity)
    walk(diesel.price)
    programme = ("production_programme",)
    assert found[programme + ("allowances", "winter", "value")] == "am_23_r"
    assert found[programme + ("vehicles", 0, "routes", 0, "km_per_trip")] == "assumption"
    assert found[programme + ("vehicles", 1, "hours")] == "assumption"
    assert found[programme + ("fuels", "diesel", "price")] == "diesel_2023"


# --- the review of issue 22: each finding a test that failed before its fix -----------------------


def test_a_salary_per_staff_member_reads_as_per_month(waste_data):
    """``som/staff/month`` (the unit labour lines use) computed, not a crash: drivers 2 x
    (16 000 + 25 %) x 12 = 480 000."""
    d = copy.deepcopy(waste_data)
    d["staffing"]["positions"][0]["salary"] = "16 000 som/staff/month"
    assert _line(_computed(d), "Водители").amount_som == pytest.approx(480_000, abs=0.01)


def test_the_route_in_tonnes_is_the_one_named(waste_data):
    d = copy.deepcopy(waste_data)
    d["production_programme"]["vehicles"][4]["routes"][0]["load_per_trip"] = "3 t"
    with pytest.raises(ScenarioError) as info:
        _computed(d)
    assert [(p.key, p.field_path()) for p in info.value.problems] == [
        ("tonnes_need_density", "production_programme.vehicles[5].routes[1].load_per_trip")]


def test_a_load_in_other_units_than_the_service_is_refused():
    """A dipping bath counts heads; water is m3 with no density: a load is not compared with them."""
    for example, load in (("teploklyuchenka/dipping_bath.yaml", "2 m3"), ("ak-bulak/water.yaml", "3 t")):
        path = example_path(example)
        d = json.loads(json.dumps(read_data(path).data, default=str))
        prog = d.setdefault("production_programme", {"source": next(iter(d["sources"]))})
        prog["fuels"] = {"diesel": {"name": "Дизель", "price": "80 som/l", "source": next(iter(d["sources"]))}}
        prog["vehicles"] = [{"name": "Машина", "fuel": "diesel", "fuel_norm": "20 l/100km",
                             "routes": [{"trips_per_day": 1, "days_per_week": 5, "weeks": 50, "km_per_trip": "10 km",
                                         "load_per_trip": load}], "source": next(iter(d["sources"]))}]
        with pytest.raises(ScenarioError) as info:
            calculate_tariff(validate_scenario(d, path))
        assert [p.key for p in info.value.problems] == ["load_not_for_service"], example


@pytest.mark.parametrize("change, key", [
    (lambda v: v[1].update(allowances=["winter"]), "vehicle_allowances_without_routes"),
    (lambda v: v[1].update(fuel_norm="40 l/100km"), "vehicle_norm_without_routes"),
    (lambda v: v[0].update(fuel_per_hour="9 l/hour"), "vehicle_hour_norm_without_hours"),
    (lambda v: v[0].update(allowances=["winter", "winter", "mountain"]), "vehicle_allowance_twice"),
    (lambda v: v[0]["routes"][0].update(days_per_week=7, weeks=53), "route_days_in_year"),
    (lambda v: v[1].update(hours="2 hour/day"), "hours_per_day_ambiguous"),
])
def test_a_figure_that_would_enter_nothing_is_refused(waste_data, change, key):
    d = copy.deepcopy(waste_data)
    change(d["production_programme"]["vehicles"])
    with pytest.raises(ScenarioError) as info:
        _computed(d)
    assert [p.key for p in info.value.problems] == [key]


def test_the_printed_factors_multiply_back_to_the_amount(waste_data):
    """Tyres worn 2,1733 a year (12 000 km... here 1 trip x 4 x 50 x 20 km with 6 tyres lasting
    27 611 km) at 18 000 som: the printed basis multiplies back to the amount to the tyiyn."""
    from okmo_models.formatting import basis

    d = copy.deepcopy(waste_data)
    d["production_programme"]["vehicles"][4]["tyres"] = {"count": 6, "price": "18 000 som/piece",
                                                         "mileage": "11 043 km", "source": "assumption"}
    r = _computed(d)
    tyres = next(c for c in r.cost_lines if c.name.get("ru").startswith("Шины"))
    from okmo_models.units import parse_number

    quantity, price = (parse_number(factor.split(" ")[0]) for factor in basis(tyres.basis, "ru").split(" × "))
    assert quantity * price == pytest.approx(tyres.amount_som, abs=0.01 * price)  # a tyiyn of quantity at most
    assert quantity == pytest.approx(4000 * 6 / 11043, abs=5e-5)


def test_a_percent_is_taken_as_written(waste_data):
    """7 % is 7 in the workbook's input cell, not 7.000000000000001."""
    from okmo_models.tariff.derivations import Figure

    d = copy.deepcopy(waste_data)
    d["production_programme"]["allowances"]["mountain"]["value"] = "7 %"
    diesel = _line(_computed(d), "Дизельное топливо (мусоровоз, трактор, экскаватор, грейдер)").derivation
    figures = []

    def walk(e):
        if isinstance(e, Figure):
            figures.append(e)
        else:
            for term in e.terms:
                walk(term)

    walk(diesel.quantity)
    assert [f.value for f in figures if f.path == ("production_programme", "allowances", "mountain", "value")] == [7.0]


def test_the_service_is_named_in_the_reader_s_words(waste_data):
    d = copy.deepcopy(waste_data)
    d["production_programme"]["pumping"] = {"energy": "0,5 kWh/m3", "price": "3 som/kWh", "source": "assumption"}
    with pytest.raises(ScenarioError) as info:
        _computed(d)
    for lang, service in (("ru", "«Вывоз твёрдых бытовых отходов»"),
                          ("ky", "«Катуу тиричилик калдыктарын ташып чыгаруу»")):
        message = info.value.render(lang).splitlines()[-1]  # below the file's name and the field
        assert message.endswith(service + ".") and "waste" not in message

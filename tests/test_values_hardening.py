"""Issue 14: numbers never silently changed, checks that were missing, bounded Monte Carlo
memory, control characters refused, and messages that say what is wrong."""

import dataclasses
import json
import subprocess
import sys
import tracemalloc

import numpy as np
import pytest
import yaml

from conftest import SCENARIOS, waste_scenario, write_yaml
from okmo_models.budget.forecast import BudgetModel, load_budget
from okmo_models.units import UnitError, parse_number, split_quantity
from okmo_models.errors import OkmoError, ScenarioError
from okmo_models.formatting import format_number
from okmo_models.scenario.loader import load_scenario, validate_scenario, validate_with


def problems(exc_info):
    return [(p.key, p.field_path()) for p in exc_info.value.problems]


def refused(data, schema=None, checks=None):
    """The ScenarioError for ``data`` (a tariff scenario unless a schema is given)."""
    with pytest.raises(ScenarioError) as info:
        if schema is None:
            validate_scenario(data)
        else:
            validate_with(schema, checks, data)
    return info


# --- a comma or point before three digits (units.parse_number, the lead's change) ----------------


def _with_price(price: str, mark: str | None = None) -> str:
    """A scenario file's text with one more cost line whose price is written as ``price``."""
    data = waste_scenario()
    data["cost_lines"].append({"line": "other", "name": "Услуги", "quantity": "1 staff",
                               "price": "PRICE", "source": "hand"})
    if mark == ".":
        data["categories"][0]["norm"] = "1.5 m3/person/year"  # "1,5" is refused under a declared "."
    if mark is not None:
        data = {"decimal_mark": mark, **data}
    text = yaml.safe_dump(data, allow_unicode=True, sort_keys=False)
    return text.replace("price: PRICE", f"price: {price}")


def _load_text(tmp_path, text):
    path = tmp_path / "scenario.yaml"
    path.write_text(text, encoding="utf-8")
    return load_scenario(path).scenario


def test_price_180_500_is_refused_with_both_readings(tmp_path):
    with pytest.raises(ScenarioError) as info:
        _load_text(tmp_path, _with_price("180,500 som/staff/year"))
    assert problems(info) == [("ambiguous_number", "cost_lines[3].price")]
    text = info.value.render("en")
    assert "180,5 " in text and "180\u00a0500" in text
    assert "decimal_mark" in text


@pytest.mark.parametrize("mark, expected", [(",", 180.5), (".", 180_500.0)])
def test_a_declared_decimal_mark_reads_180_500_one_way(tmp_path, mark, expected):
    scenario = _load_text(tmp_path, _with_price("180,500 som/staff/year", mark))
    assert scenario.cost_lines[2].price.value == expected
    assert scenario.cost_lines[2].annual_som() == pytest.approx(expected)


def test_1_500_is_refused_and_1_57_is_still_read(tmp_path):
    with pytest.raises(ScenarioError) as info:
        _load_text(tmp_path, _with_price("1.500 som/staff/year"))
    assert problems(info) == [("ambiguous_number", "cost_lines[3].price")]
    assert "1,5 " in info.value.render("en") and "1\u00a0500" in info.value.render("en")
    assert _load_text(tmp_path, _with_price("1,57 som/staff/year")).cost_lines[2].price.value == 1.57
    assert _load_text(tmp_path, _with_price("1.500 som/staff/year", ",")).cost_lines[2].price.value == 1500
    assert _load_text(tmp_path, _with_price("1.500 som/staff/year", ".")).cost_lines[2].price.value == 1.5


def _alamudun() -> dict:
    return yaml.safe_load((SCENARIOS / "alamudun/budget.yaml").read_text(encoding="utf-8"))


def test_a_bare_number_written_as_text_is_read_like_a_quantity(tmp_path):
    """``add: "1,500"`` was read by pydantic as not a number (its hint even says "1,57", which
    it refused too); it now reads as every number in the file: refused when ambiguous,
    by the declared decimal mark otherwise."""
    from okmo_models.budget.checks import check
    from okmo_models.budget.schema import BudgetScenario

    data = _alamudun()
    data["scenarios"]["new_taxpayer"]["changes"][0]["add"] = "4,500"
    info = refused(data, BudgetScenario, check)
    assert problems(info) == [("ambiguous_number", "scenarios.new_taxpayer.changes[1].add")]
    data["decimal_mark"] = "."
    assert validate_with(BudgetScenario, check, data).scenarios["new_taxpayer"].changes[0].add == 4500
    data["scenarios"]["new_taxpayer"]["changes"][0]["add"] = "1,57"
    data.pop("decimal_mark")
    assert validate_with(BudgetScenario, check, data).scenarios["new_taxpayer"].changes[0].add == 1.57


# --- item 4: budget values silently changed -------------------------------------------------------


def _budget(tmp_path, mutate):
    data = _alamudun()
    mutate(data)
    return write_yaml(tmp_path, data, "budget.yaml")


def _budget_refused(tmp_path, mutate):
    with pytest.raises(ScenarioError) as info:
        load_budget(_budget(tmp_path, mutate))
    return info


def test_a_negative_fixed_value_is_refused(tmp_path):
    # was shown as 0 (the forecast clipped it) and the deficit probability jumped
    info = _budget_refused(tmp_path, lambda d: d.update(
        fixed={"land_tax": {"values": {2026: -5000, 2027: 6000}, "source": "assumption"}}))
    assert problems(info) == [("history_negative", "fixed.land_tax.values.2026")]
    assert "value: -5000\n" in info.value.render("en") and "for 2026" in info.value.render("en")  # not -5000.0


def test_a_fixed_value_outside_the_forecast_years_is_refused(tmp_path):
    # was ignored without a word
    info = _budget_refused(tmp_path, lambda d: d.update(
        fixed={"land_tax": {"values": {2026: 5000, 2040: 6000, 2020: 1}, "source": "assumption"}}))
    assert problems(info) == [("variant_year_outside", "fixed.land_tax.values.2040"),
                              ("variant_year_outside", "fixed.land_tax.values.2020")]
    assert "2026–2033" in info.value.render("en")


@pytest.mark.parametrize("rate", ["-100 %", "-150 %"])
def test_cpi_of_minus_100_per_cent_or_below_is_refused(tmp_path, rate):
    info = _budget_refused(tmp_path, lambda d: (d["cpi"].update({2027: rate}),
                                                d["scenarios"]["slow_growth"]["cpi"].update({2027: rate})))
    assert problems(info) == [("cpi_range", "cpi.2027"), ("cpi_range", "scenarios.slow_growth.cpi.2027")]
    assert rate in info.value.render("en")


def test_population_growth_of_minus_100_per_cent_is_refused(tmp_path):
    info = _budget_refused(tmp_path, lambda d: (d["population"].update(growth="-100 %"),
                                                d["scenarios"]["slow_growth"].update(population_growth="-120 %")))
    assert problems(info) == [("growth_range", "population.growth"),
                              ("growth_range", "scenarios.slow_growth.population_growth")]


def test_a_change_below_minus_100_per_cent_is_refused_and_minus_100_removes_the_line(tmp_path):
    # -200 % was clipped to 0 without a word
    info = _budget_refused(tmp_path, lambda d: d["scenarios"]["land_tax_rate"]["changes"][0].update(change="-200 %"))
    assert problems(info) == [("change_range", "scenarios.land_tax_rate.changes[1].change")]
    assert "-200 %" in info.value.render("en")
    scenario = load_budget(_budget(tmp_path, lambda d: d["scenarios"]["land_tax_rate"]["changes"][0].update(
        change="-100 %"))).scenario
    land = BudgetModel(scenario).fit("land_tax_rate").forecast().loc[("revenue", "land_tax")]
    assert land[2026] > 0 and land.loc[2027:].tolist() == [0.0] * 7


def test_an_amount_that_makes_a_line_negative_is_an_error_naming_the_change(tmp_path):
    # add: -99 999 made land tax negative from 2027; the forecast showed 0
    scenario = load_budget(_budget(tmp_path, lambda d: d["scenarios"]["new_taxpayer"]["changes"][1].update(
        add=-99999))).scenario
    model = BudgetModel(scenario)
    assert model.fit().forecast().loc[("revenue", "land_tax"), 2027] > 0  # the baseline is fine
    with pytest.raises(OkmoError) as info:
        model.fit("new_taxpayer")
    text = info.value.render("en")
    assert "new_taxpayer" in text and "land_tax" in text and "2027" in text
    assert "scenarios.new_taxpayer.changes[2]" in text
    would_be = model.fit().forecast().loc[("revenue", "land_tax"), 2027] - 99999
    assert format_number(would_be, 1, "ru") in info.value.render("ru")  # the value it would take
    # judged once every change is applied: taken back by a later change, the line is fine
    def taken_back(d):
        changes = d["scenarios"]["new_taxpayer"]["changes"]
        changes[1]["add"] = -99999
        changes.append({"line": "land_tax", "from": 2027, "add": 99999, "indexed": False, "source": "assumption"})

    scenario = load_budget(_budget(tmp_path, taken_back)).scenario
    land = BudgetModel(scenario).fit("new_taxpayer").forecast().loc[("revenue", "land_tax")]
    assert land.tolist() == pytest.approx(model.fit().forecast().loc[("revenue", "land_tax")].tolist())


def test_okmo_check_finds_what_okmo_budget_finds(tmp_path, capsys):
    # `okmo check` said "no errors" for a change that `okmo budget` refused
    from okmo_models.cli import main

    path = _budget(tmp_path, lambda d: d["scenarios"]["new_taxpayer"]["changes"][1].update(add=-99999))
    assert main(["check", str(path)]) == 2
    err = capsys.readouterr().err
    assert err.startswith(f"{path}: ") and "2027" in err  # the file is named


def test_other_revenue_may_stay_negative_in_the_forecast(tmp_path):
    """Refunds may make "other revenue" negative in the history (the file may say so); its
    forecast is not cut to 0 behind the economist's back."""
    def negative_other(d):
        d["revenue"]["other_revenue"] = {"values": [-50.0] * 10, "source": "budget_reports"}
        d.pop("totals")
    scenario = load_budget(_budget(tmp_path, negative_other)).scenario
    forecast = BudgetModel(scenario).fit().forecast()
    assert forecast.loc[("revenue", "other_revenue")].tolist() == [-50.0] * 8


# --- item 5: programme checks ------------------------------------------------------------------


def _programme(measures):
    return {"schema_version": 1, "kind": "programme", "municipality": {"name": "Test"}, "unit": "thousand_som",
            "first_year": 2026, "last_year": 2028, "sources": {"s": "test"},
            "limits": {2026: 100, 2027: 100, 2028: 100}, "limits_source": "s",
            "criteria": {"need": {"name": "need", "weight": 1}}, "measures": measures}


def _measure(mid, cost, **extra):
    return {"id": mid, "name": {"ru": f"Мера {mid}", "en": f"Measure {mid}"}, "sector": "x", "cost": cost,
            "beneficiaries": {"total": 100}, "scores": {"need": 3}, "source": "s", **extra}


def test_a_negative_cost_is_refused():
    from okmo_models.programme.checks import check
    from okmo_models.programme.schema import Programme

    info = refused(_programme([_measure("a", [10, -40])]), Programme, check)
    assert problems(info) == [("must_not_be_negative", "measures[1].cost[2]")]


def test_a_requires_cycle_is_reported_with_ids_and_names():
    from okmo_models.programme.checks import check
    from okmo_models.programme.schema import Programme

    data = _programme([_measure("a", [10], requires=["c"]), _measure("b", [10], requires=["a"]),
                       _measure("c", [10], requires=["b"]), _measure("d", [10], requires=["a"])])
    info = refused(data, Programme, check)
    assert problems(info) == [("requires_cycle", "measures[1].requires")]
    text = info.value.render("en")
    assert "a (Measure a) → c (Measure c) → b (Measure b) → a (Measure a)" in text
    assert "d (Measure d)" not in text  # d waits for the cycle but is not part of it
    # the names in the reader's language
    assert "a (Мера a) → c (Мера c) → b (Мера b) → a (Мера a)" in info.value.render("ru")


# --- item 10: Monte Carlo memory -------------------------------------------------------------------


def _uncertain(lines: int, draws: int, seed: int = 7) -> dict:
    data = waste_scenario()
    data["cost_lines"] = [
        {"line": "materials", "name": f"Line {i}", "amount": f"{1000 + 37 * i} som/year", "source": "hand",
         "uncertainty": {"low": f"-{5 + i % 7} %", "high": f"+{10 + i % 11} %",
                         "distribution": "uniform" if i % 3 == 0 else "triangular"}}
        for i in range(lines)]
    data["sensitivity"] = {"draws": draws, "seed": seed}
    return data


def test_chunked_monte_carlo_gives_the_same_numbers_as_one_block(monkeypatch):
    """Drawn chunk by chunk from one generator, the variants are the very numbers one
    block of draws gave (the generator's stream is consumed in the same order)."""
    from okmo_models.tariff.policy import analysis
    from okmo_models.tariff.policy import formulas as pf
    from okmo_models.tariff import TariffModel

    model = TariffModel(validate_scenario(_uncertain(lines=7, draws=1_000)))
    low = np.array([-(5 + i % 7) / 100 for i in range(7)])
    high = np.array([(10 + i % 11) / 100 for i in range(7)])
    dist = np.array(["uniform" if i % 3 == 0 else "triangular" for i in range(7)], dtype=object)
    block = model.evaluate(pf.draw_factors(np.random.default_rng(7), low, high, dist, 1_000))
    monkeypatch.setattr(analysis, "CHUNK_VALUES", 7 * 64 + 3)  # 64 draws a chunk, the last one short
    tariffs, requirement = analysis.monte_carlo(model, low, high, dist, 1_000, 7, category=0)
    assert np.array_equal(tariffs, block["tariff_unrounded"][:, 0])
    assert np.array_equal(requirement, block["requirement"])
    chunked = analysis.sensitivity(model)
    monkeypatch.setattr(analysis, "CHUNK_VALUES", 10 ** 9)
    whole = analysis.sensitivity(model)
    assert chunked.percentiles == whole.percentiles and chunked.sample == whole.sample


def test_monte_carlo_memory_does_not_grow_with_draws_times_lines():
    from okmo_models.tariff import TariffModel, calculate_tariff

    model = TariffModel(validate_scenario(_uncertain(lines=200, draws=60_000)))
    tracemalloc.start()
    try:
        calculate_tariff(model)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    # one block of 60 000 x 200 factors is 96 MB an array, and the calculation holds several;
    # chunks keep a few arrays of a million values (8 MB) plus the 60 000 results
    assert peak < 120e6, f"{peak / 1e6:.0f} MB"


# --- item 11: control characters -------------------------------------------------------------------


CONTROL = [
    ("ESC in the municipality's name", lambda d: d["municipality"].update(name="Тест\x1b[31mRED"),
     "municipality.name", "Тест\\x1b[31mRED"),
    ("NUL in a source", lambda d: d["sources"].update(hand="Расчёт\x00"), "sources", "Расчёт\\x00"),
    ("ESC in a key", lambda d: d["sources"].update({"h\x1b": "x"}), "sources", "h\\x1b"),
    ("C1 control in a cost line", lambda d: d["cost_lines"][0].update(name={"ru": "Рабочие", "en": "Staff\x9b"}),
     "cost_lines[1].name.en", "Staff\\x9b"),
    ("bidi override in a category", lambda d: d["categories"][0].update(name="Насе\u202eление"),
     "categories[1].name", "Насе\\u202eление"),
    ("bell in a unit", lambda d: d["cost_lines"][1].update(price="80 som/l\x07"),
     "cost_lines[2].price", "80 som/l\\x07"),
]


@pytest.mark.parametrize("desc, mutate, path, shown", CONTROL, ids=[c[0] for c in CONTROL])
def test_control_characters_are_refused_and_shown_escaped(desc, mutate, path, shown):
    data = waste_scenario()
    mutate(data)
    info = refused(data)
    assert ("control_character", path) in problems(info)
    for lang in ("ru", "ky", "en"):
        text = info.value.render(lang)
        assert shown in text
        assert not any(ord(ch) < 32 and ch != "\n" or 0x7F <= ord(ch) < 0xA0 or ch == "\u202e" for ch in text)


def test_tabs_and_line_breaks_in_texts_are_kept():
    data = waste_scenario()
    data["sources"]["hand"] = "Расчёт:\n\tстрока 1\r\n\tстрока 2"
    assert validate_scenario(data).sources["hand"].startswith("Расчёт:\n\t")


def test_control_characters_are_refused_in_budget_and_programme_files():
    from okmo_models.budget.checks import check as budget_check
    from okmo_models.budget.schema import BudgetScenario
    from okmo_models.programme.checks import check as programme_check
    from okmo_models.programme.schema import Programme

    data = _alamudun()
    data["scenarios"]["land_tax_rate"]["name"]["en"] = "Land\x1b]0;owned\x07"
    assert ("control_character", "scenarios.land_tax_rate.name.en") in problems(
        refused(data, BudgetScenario, budget_check))
    info = refused(_programme([_measure("a", [10], settlement="Село\x00")]), Programme, programme_check)
    assert problems(info) == [("control_character", "measures[1].settlement")]


def test_an_escape_in_a_file_never_reaches_the_terminal(tmp_path):
    data = waste_scenario()
    data["municipality"]["name"] = "\x1b[2J\x1b[31mAO"
    data["cost_lines"][0]["nam\x1be"] = "x"  # an unknown field's name is echoed too
    path = write_yaml(tmp_path, data)
    run = subprocess.run([sys.executable, "-m", "okmo_models.cli", "check", str(path), "--lang", "en"],
                         capture_output=True, text=True)
    assert run.returncode == 2
    assert "\x1b" not in run.stdout + run.stderr
    assert "\\x1b[2J\\x1b[31mAO" in run.stderr and "nam\\x1be" in run.stderr


# --- item 13: messages that say what is wrong ----------------------------------------------------


def test_a_short_history_says_how_many_years_are_needed_and_given(tmp_path):
    text = _budget_refused(tmp_path, lambda d: d.update(years=[2023, 2024, 2025])).value.render("en")
    assert "at least 4" in text and "3 given" in text and "empty" not in text
    ru = _budget_refused(tmp_path, lambda d: d.update(years=[2023, 2024, 2025])).value.render("ru")
    assert "не меньше 4" in ru and "указано 3" in ru


def test_nan_is_called_not_a_number():
    data = waste_scenario()
    data["categories"][1]["multiplier"] = float("nan")
    info = refused(data)
    assert problems(info) == [("not_a_number", "categories[2].multiplier")]
    assert "at least" not in info.value.render("en")
    data["categories"][1]["multiplier"] = "nan"
    assert problems(refused(data)) == [("not_a_number", "categories[2].multiplier")]
    data["categories"][1]["multiplier"] = 2
    data["cost_lines"][1]["price"] = float("nan")  # not "a number without a unit: nan som/year"
    assert problems(refused(data)) == [("not_a_number", "cost_lines[2].price")]


@pytest.mark.parametrize("field, path", [("tariff_year", "tariff_year"), ("price", "cost_lines[2].price")])
def test_a_date_is_shown_as_written(tmp_path, field, path):
    data = waste_scenario()
    (data if field == "tariff_year" else data["cost_lines"][1])[field] = "DATE"
    text = yaml.safe_dump(data, allow_unicode=True, sort_keys=False).replace("DATE", "2024-01-01")
    assert "2024-01-01" in text and "'2024-01-01'" not in text  # a YAML date, not text
    with pytest.raises(ScenarioError) as info:
        _load_text(tmp_path, text)
    assert [p for _, p in problems(info)] == [path]
    rendered = info.value.render("en")
    assert "value: 2024-01-01" in rendered and "datetime" not in rendered
    if field == "price":
        assert problems(info)[0][0] == "quantity_unreadable"


@pytest.mark.parametrize("value", ["0,65", 0.65])
def test_a_share_without_a_unit_suggests_per_cent(value):
    data = waste_scenario()
    data["collection_rate"] = value
    info = refused(data)
    assert problems(info) == [("quantity_without_unit", "collection_rate")]
    text = info.value.render("en")
    assert "unknown unit" not in text.lower() and "'65 %'" in text and "0,65 %" not in text
    assert "«65 %»" in info.value.render("ru")  # was "'0.65 %'": a share of 0,65 per cent


def test_a_huge_value_is_shortened_everywhere_in_the_message():
    data = waste_scenario()
    data["cost_lines"][1]["price"] = "80 " + "x" * 100_000
    info = refused(data)
    assert problems(info) == [("unit_unknown", "cost_lines[2].price.unit")]
    text = info.value.render("en")
    assert len(text) < 1_000 and text.count("x" * 60) <= 3


def test_no_negative_zero_in_any_output():
    from okmo_models.formatting import format_money, format_number, format_percent, no_negative_zero
    from okmo_models.tariff import TariffModel, calculate_tariff

    for x in (-0.0, -1e-12, -0.004, np.float32(-0.0), np.float64(-1e-9)):
        assert not format_number(x, 2, "en").startswith("-")
        assert not format_number(x, 0, "ru").startswith("-")
        assert not format_money(x, "ru").startswith("-")
        assert not format_percent(x / 1000, 1, "en").startswith("-")
    assert str(no_negative_zero(-0.0)) == "0.0" and no_negative_zero(None) is None
    result = calculate_tariff(TariffModel(validate_scenario(waste_scenario())))
    tiny = dataclasses.replace(result.tariffs[0], change_pct=-1e-9, tariff_unrounded_som=-0.0,
                               billing_units_per_year=-0.0)
    out = json.dumps(dataclasses.replace(result, tariffs=(tiny, *result.tariffs[1:])).to_dict("en"))
    assert "-0.0" not in out and '"change_pct": 0.0' in out
    from okmo_models.tariff.policy import analysis

    assert "-0.0" not in json.dumps(dict(analysis._percentiles(np.full(10, -1e-9))))


def test_budget_json_has_no_negative_zero():
    scenario = load_budget(SCENARIOS / "alamudun/budget.yaml").scenario
    result = BudgetModel(scenario).fit()
    point = result.point.copy()
    point[0, 0] = -0.0
    out = json.dumps(dataclasses.replace(result, point=point, deficit_chance=-0.0 * result.deficit_chance).to_dict())
    assert "-0.0" not in out


def test_json_billing_units_times_the_tariff_give_the_revenue():
    """``billing_units_per_year`` was rounded to 3 decimals: at 6 785 som/m3 the product
    missed the revenue by several tyiyn."""
    from okmo_models.tariff import TariffModel, calculate_tariff

    data = waste_scenario()
    data["categories"][1].update(volume="1 234,5678913 m3/year", multiplier=400)
    data["categories"][0].update(norm="1,4567891 m3/person/year")
    d = calculate_tariff(TariffModel(validate_scenario(data))).to_dict("en")
    for c in d["tariffs"]:
        assert abs(c["tariff_som"] * c["billing_units_per_year"] - c["revenue_som"]) <= 0.005 + 1e-9, c["category"]
    assert d["tariffs"][1]["billing_units_per_year"] == 1234.5678913


@pytest.mark.parametrize("text, mark", [("0,500", "."), ("0.500", ","), ("00,500", ".")])
def test_a_declared_mark_does_not_read_a_zero_led_group_as_thousands(text, mark):
    # "0,500" with a declared point was read as 500
    with pytest.raises(UnitError) as exc:
        parse_number(text, mark)
    assert exc.value.key == "number_other_mark"


def test_a_bare_number_too_large_to_be_finite_is_implausible_not_python_text():
    # collection_rate: "<400 nines>" leaked "invalid literal for int() with base 10: 'inf'"
    with pytest.raises(UnitError) as exc:
        split_quantity("9" * 400)
    assert exc.value.key == "number_not_plausible"


def test_number_text_reads_back_under_every_mark():
    from okmo_models.units import number_text

    for x in (73.225, 1500.0, 0.5, 100.72, 1e-7, 12345678.125, -1.25):
        assert parse_number(number_text(x)) == x
        for mark in (",", "."):
            assert parse_number(number_text(x, mark), mark) == x


@pytest.mark.parametrize("change, english", [
    (lambda d: d["categories"][0].update(kind="x"), " or "),                       # allowed values
    (lambda d: d["cost_lines"][0].update(source="\t"), "String should"),           # pydantic's text
    (lambda d: d.update(schema_version=600477232484131536896), "Unable to parse"),
    (lambda d: d["municipality"].update(region={"ru": False}), "False"),           # Python's bool
])
def test_no_english_from_the_parser_or_python_in_a_russian_message(tmp_path, change, english):
    data = waste_scenario()
    change(data)
    with pytest.raises(ScenarioError) as info:
        load_scenario(write_yaml(tmp_path, data))
    assert english not in info.value.render("ru") and english not in info.value.render("ky")


def test_a_budget_section_that_is_not_a_mapping_is_named_not_an_internal_error(tmp_path):
    # population: x beside a history table raised ValueError (exit 70)
    import shutil

    shutil.copytree(SCENARIOS / "kok-jar", tmp_path / "kok-jar")  # the budget with a history table
    path = tmp_path / "kok-jar" / "budget.yaml"
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    data["population"] = "x"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    with pytest.raises(ScenarioError) as info:
        load_budget(path)
    assert [(p.key, p.path) for p in info.value.problems] == [("mapping_expected", ("population",))]

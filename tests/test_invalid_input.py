"""Every kind of bad input stops with a message naming the file, the field and the value."""

import subprocess
import sys

import pytest

from conftest import dipping_scenario, waste_scenario, water_scenario, write_yaml
from okmo_models.errors import ScenarioError
from okmo_models.scenario.loader import load_scenario, validate_scenario


def problems(tmp_path, data, name="scenario.yaml"):
    path = write_yaml(tmp_path, data, name)
    with pytest.raises(ScenarioError) as info:
        load_scenario(path)
    err = info.value
    assert err.file == str(path)
    return err


def only(err, key):
    found = [p for p in err.problems if p.key == key]
    assert found, f"expected {key}, got {[p.key for p in err.problems]}"
    return found[0]


CASES = [
    # (description, mutate(data), expected key, expected field path, expected value)
    ("negative amount",
     lambda d: d["cost_lines"][1].update(price="-80 som/l"),
     "must_not_be_negative", "cost_lines[2].price", "-80 som/l"),
    ("zero volume",
     lambda d: d["categories"][1].update(volume="0 m3/year"),
     "must_be_positive", "categories[2].volume", "0 m3/year"),
    ("collection rate above 100 %",
     lambda d: d.update(collection_rate="120 %"),
     "collection_rate_range", "collection_rate", "120 %"),
    ("collection rate of zero",
     lambda d: d.update(collection_rate="0 %"),
     "collection_rate_range", "collection_rate", "0 %"),
    ("collection rate without a unit",
     lambda d: d.update(collection_rate=65),
     "quantity_without_unit", "collection_rate", 65),
    ("unknown category kind",
     lambda d: d["categories"][1].update(kind="industry"),
     "value_not_allowed", "categories[2].kind", "industry"),
    ("unknown unit",
     lambda d: d["cost_lines"][1].update(quantity="1 000 gallons/year"),
     "unit_unknown", "cost_lines[2].quantity.unit", "1 000 gallons/year"),
    ("units that do not multiply to som per year",
     lambda d: d["cost_lines"][1].update(price="80 som/kWh"),
     "product_unit_mismatch", "cost_lines[2].price", "80 som/kWh"),
    ("missing field",
     lambda d: d.pop("tariff_year"),
     "field_missing", "tariff_year", None),
    ("text where a number belongs",
     lambda d: d["cost_lines"][1].update(price={"value": "восемьдесят", "unit": "som/l"}),
     "not_a_number", "cost_lines[2].price.value", "восемьдесят"),
    ("text in a quantity",
     lambda d: d["cost_lines"][1].update(quantity="много l/year"),
     "quantity_unreadable", "cost_lines[2].quantity", "много l/year"),
    ("misspelt field",
     lambda d: d["cost_lines"][0].update(quantiti="2 staff"),
     "field_unknown", "cost_lines[1].quantiti", "quantiti"),
    ("unknown source",
     lambda d: d["cost_lines"][0].update(source="nowhere"),
     "source_unknown", "cost_lines[1].source", "nowhere"),
    ("a rate given as a list",
     lambda d: d.update(parameters={"vat_rate": {"items": ["12 %"], "source": "hand"}}),
     "parameter_needs_value", "parameters.vat_rate", "vat_rate"),
    ("a list given as a rate",
     lambda d: d.update(parameters={"vat_exempt_services": {"value": "0 %", "source": "hand"}}),
     "parameter_needs_items", "parameters.vat_exempt_services", "vat_exempt_services"),
    ("rounding under parameters",
     lambda d: d.update(parameters={"tariff_rounding_mode": {"items": ["up"], "source": "hand"}}),
     "parameter_in_rounding", "parameters.tariff_rounding_mode", "tariff_rounding_mode"),
    ("unknown rounding rule",
     lambda d: d.update(rounding={"mode": "bankers", "source": "hand"}),
     "value_not_allowed", "rounding.mode", "bankers"),
    ("depreciation twice",
     lambda d: d["cost_lines"].append({"line": "depreciation", "name": "Ам.",
                                       "amount": "1 som/year", "source": "hand"}),
     "depreciation_twice", "cost_lines[3].line", "depreciation"),
    ("billing per household without households",
     lambda d: d["categories"][1].update(billing_unit="household/month"),
     "billing_needs_households", "categories[2].billing_unit", "household/month"),
    ("tariff unit not matching the billing unit",
     lambda d: d["categories"][0].update(current_tariff="50 som/m3"),
     "tariff_unit_mismatch", "categories[1].current_tariff", "50 som/m3"),
    ("unknown parameter",
     lambda d: d.update(parameters={"vat": {"value": "12 %", "source": "hand"}}),
     "parameter_unknown", "parameters.vat", "vat"),
    ("duplicate category id",
     lambda d: d["categories"][1].update(id="households"),
     "category_id_twice", "categories[2].id", "households"),
    ("English thousands separator",
     lambda d: d["cost_lines"][0].update(price="10,000 som/staff/month"),
     "ambiguous_number", "cost_lines[1].price", "10,000 som/staff/month"),
    ("not a finite number",
     lambda d: d["cost_lines"][1].update(quantity={"value": float("nan"), "unit": "l/year"}),
     "number_not_plausible", "cost_lines[2].quantity.value", None),
    ("boolean as a multiplier",
     lambda d: d["categories"][1].update(multiplier=True),
     "not_a_number", "categories[2].multiplier", True),
    ("multiplier on a fixed tariff",
     lambda d: d["categories"][1].update(fixed_tariff="100 som/m3"),
     "multiplier_with_fixed", "categories[2]", None),
    ("negative current tariff",
     lambda d: d["categories"][1].update(current_tariff="-5 som/m3"),
     "must_not_be_negative", "categories[2].current_tariff", "-5 som/m3"),
    ("zero rounding step",
     lambda d: d.update(rounding={"step": "0 som", "source": "hand"}),
     "must_be_positive", "rounding.step", "0 som"),
    ("negative Social Fund rate",
     lambda d: d.update(parameters={"social_fund_employer_rate": {"value": "-50 %", "source": "hand"}}),
     "parameter_out_of_range", "parameters.social_fund_employer_rate.value", "-50 %"),
    ("year as text",
     lambda d: d.update(tariff_year="next year"),
     "not_an_integer", "tariff_year", "next year"),
]


@pytest.mark.parametrize("desc, mutate, key, path, value", CASES, ids=[c[0] for c in CASES])
def test_bad_field_is_named(tmp_path, desc, mutate, key, path, value):
    data = waste_scenario()
    mutate(data)
    err = problems(tmp_path, data)
    p = only(err, key)
    assert p.field_path() == path
    if value is not None:
        assert p.value == value
    text = err.render("ru")
    assert str(tmp_path / "scenario.yaml") in text and path in text
    assert p.line is not None  # YAML errors point at a line


def test_all_problems_reported_at_once(tmp_path):
    data = waste_scenario()
    data["collection_rate"] = "150 %"
    data["cost_lines"][0]["price"] = "abc"
    err = problems(tmp_path, data)
    assert {p.key for p in err.problems} >= {"collection_rate_range", "quantity_unreadable"}


def test_service_specific_rules(tmp_path):
    data = water_scenario()
    data["categories"][1]["volume"] = "2 175 t/year"
    p = only(problems(tmp_path, data), "tonnes_not_for_water")
    assert p.field_path() == "categories[2].volume"
    data = water_scenario()
    del data["water"]
    assert only(problems(tmp_path, data), "section_missing").field_path() == "water"
    data = dipping_scenario()
    data["categories"][0]["heads"]["camels"] = "5 head"
    p = only(problems(tmp_path, data), "species_unknown")
    assert p.field_path() == "categories[1].heads.camels" and p.value == "camels"


def test_invalid_yaml(tmp_path):
    path = tmp_path / "broken.yaml"
    path.write_text("schema_version: 1\ncost_lines:\n  - line: fuel\n\tname: x\n", encoding="utf-8")
    with pytest.raises(ScenarioError) as info:
        load_scenario(path)
    p = info.value.problems[0]
    assert p.key == "file_not_yaml" and p.line == 4
    assert "broken.yaml" in info.value.render("ky")


def test_invalid_toml(tmp_path):
    path = tmp_path / "broken.toml"
    path.write_text('schema_version = 1\nservice = "waste\n', encoding="utf-8")
    with pytest.raises(ScenarioError) as info:
        load_scenario(path)
    assert info.value.problems[0].key == "file_not_toml"


def test_valid_toml_is_accepted(tmp_path):
    import tomllib  # noqa: F401  (Python 3.11+; tomli on 3.10)

    data = waste_scenario()
    lines = _to_toml(data)
    path = tmp_path / "waste.toml"
    path.write_text(lines, encoding="utf-8")
    assert load_scenario(path).scenario.service == "waste"


def _to_toml(data) -> str:
    """A minimal TOML writer for the test scenario (strings, numbers, tables, arrays of tables)."""
    import json

    out, tables = [], []

    def scalar(v):
        return json.dumps(v, ensure_ascii=False)

    def inline(v):
        if isinstance(v, dict):
            return "{ " + ", ".join(f"{k} = {inline(x)}" for k, x in v.items()) + " }"
        if isinstance(v, list):
            return "[ " + ", ".join(inline(x) for x in v) + " ]"
        return scalar(v)

    for k, v in data.items():
        if isinstance(v, list) and v and isinstance(v[0], dict):
            tables += [(k, item) for item in v]
        else:
            out.append(f"{k} = {inline(v)}")
    for k, item in tables:
        out.append(f"\n[[{k}]]")
        out += [f"{kk} = {inline(vv)}" for kk, vv in item.items()]
    return "\n".join(out) + "\n"


def test_duplicate_key_is_refused(tmp_path):
    path = tmp_path / "dup.yaml"
    path.write_text("schema_version: 1\nservice: waste\nservice: water\n", encoding="utf-8")
    with pytest.raises(ScenarioError) as info:
        load_scenario(path)
    p = info.value.problems[0]
    assert (p.key, p.line, p.context["first_line"]) == ("duplicate_key", 3, 2)


def test_comma_in_flow_name_gets_a_hint(tmp_path):
    path = tmp_path / "comma.yaml"
    text = write_yaml(tmp_path, waste_scenario()).read_text(encoding="utf-8")
    text = text.replace("name: Рабочие", "name: {ru: Рабочие, грузчики}")
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ScenarioError) as info:
        load_scenario(path)
    assert only(info.value, "comma_in_flow_text").field_path() == "cost_lines[1].name.грузчики"


def test_not_utf8_and_missing_file(tmp_path):
    path = tmp_path / "cp1251.yaml"
    path.write_bytes("name: Тест\n".encode("cp1251"))
    with pytest.raises(ScenarioError) as info:
        load_scenario(path)
    assert info.value.problems[0].key == "file_not_utf8"
    with pytest.raises(ScenarioError) as info:
        load_scenario(tmp_path / "nope.yaml")
    assert info.value.problems[0].key == "file_not_found"


def test_parameter_not_in_force_and_the_fix_it_suggests_works(tmp_path):
    """Issue 13: the error told a 2015 VAT payer to set the exempt services under
    parameters, which then refused a list. The suggested fix must work."""
    from okmo_models.tariff import TariffModel, calculate_tariff

    data = water_scenario()
    data["tariff_year"] = 2015  # VAT is recorded from 2009, the exemption list from 2022
    data["operator"]["vat_payer"] = True
    with pytest.raises(ScenarioError) as info:
        TariffModel(load_scenario(write_yaml(tmp_path, data)))
    p = info.value.problems[0]
    assert p.key == "parameter_not_in_force" and p.field_path() == "tariff_year"
    assert p.context["name"] == "vat_exempt_services" and "under parameters" in info.value.render("en")
    data["parameters"] = {"vat_exempt_services": {"items": ["water", "waste"], "source": "hand"}}
    result = calculate_tariff(TariffModel(load_scenario(write_yaml(tmp_path, data))))
    assert result.vat_som == 0
    assert [v.text("ru") for v in result.parameters if v.name == "vat_exempt_services"] == \
        ["Питьевое водоснабжение, Вывоз твёрдых бытовых отходов"]


def test_sales_tax_follows_vat_and_refuses_the_rate_that_does_not_apply(tmp_path):
    from okmo_models.tariff import TariffModel

    data = waste_scenario()  # no VAT on the service: the rate for supplies without VAT
    assert TariffModel(validate_scenario(data)).sales_tax_rate == pytest.approx(0.02)  # hand's 2 %
    del data["parameters"]
    assert TariffModel(validate_scenario(data)).sales_tax_rate == pytest.approx(0.03)  # package 3 %
    data["parameters"] = {"sales_tax_rate": {"value": "1 %", "source": "hand"}}  # the other rate
    with pytest.raises(ScenarioError) as info:
        TariffModel(load_scenario(write_yaml(tmp_path, data)))
    p = info.value.problems[0]
    assert p.key == "sales_tax_other_rate" and p.context["name"] == "sales_tax_rate_not_vat_taxable"
    data["parameters"] = {p.context["name"]: {"value": "1 %", "source": "hand"}}  # as it says
    assert TariffModel(load_scenario(write_yaml(tmp_path, data))).sales_tax_rate == pytest.approx(0.01)


def test_kyrgyz_rates_are_not_applied_to_a_russian_calculation(tmp_path):
    from okmo_models.tariff import TariffModel

    data = waste_scenario()
    data["municipality"]["country"] = "RU"
    data["operator"]["vat_payer"] = True
    with pytest.raises(ScenarioError) as info:
        TariffModel(load_scenario(write_yaml(tmp_path, data)))
    names = {p.context["name"] for p in info.value.problems}
    assert {"vat_rate", "social_fund_employer_rate"} <= names
    assert all(p.key == "parameter_other_country" for p in info.value.problems)


@pytest.mark.parametrize("lang", ["ru", "ky", "en"])
def test_command_line_shows_no_traceback(tmp_path, lang):
    data = waste_scenario()
    data["collection_rate"] = "120 %"
    path = write_yaml(tmp_path, data)
    proc = subprocess.run([sys.executable, "-m", "okmo_models.cli", "tariff", str(path), "--lang", lang],
                          capture_output=True, text=True)
    assert proc.returncode == 2
    assert "Traceback" not in proc.stderr and proc.stdout == ""
    assert "collection_rate" in proc.stderr and "120 %" in proc.stderr
    assert {"ru": "Ошибка", "ky": "ката", "en": "Error"}[lang] in proc.stderr


def test_unreadable_file_is_a_user_error(tmp_path, monkeypatch):
    path = write_yaml(tmp_path, waste_scenario())

    def denied(*args, **kwargs):
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr("okmo_models.safe_read.open", denied, raising=False)  # every input is read there
    with pytest.raises(ScenarioError) as info:
        load_scenario(path)
    assert info.value.problems[0].key == "file_unreadable"
    assert "Permission denied" in info.value.render("en")

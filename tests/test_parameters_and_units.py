"""Parameters resolve by date with their source; units convert and refuse nonsense."""

import datetime as dt
import os

import pytest

from okmo_models.formatting import format_quantity, format_unit
from okmo_models.parameters import ParameterNotDefined, known_parameters, resolve
from okmo_models.provenance import source_text
from okmo_models.units import (
    UnitError,
    convert,
    parse_number,
    parse_unit,
    split_quantity,
)


def test_every_parameter_file_is_complete():
    for spec in known_parameters().values():
        assert set(spec.description) == {"ru", "ky", "en"}, spec.name
        assert spec.unit and spec.values, spec.name
        for v in spec.values:
            assert isinstance(v["effective"], dt.date), spec.name
            assert v["source"] in spec.references, spec.name
        for key, source in spec.references.items():  # issue 16: every source in the three languages
            assert isinstance(source, dict) and set(source) == {"ru", "ky", "en"}, (spec.name, key)


def test_legal_basis_acts_have_names_dates_and_sources():
    """Issue 16: the draft kenesh decision cites each act with its name, date and source,
    the Law on local self-government first."""
    spec = known_parameters()["legal_basis"]
    acts = spec.values[-1]["value"]
    assert "123" in acts[0]["ru"] and "самоуправления" in acts[0]["name"]["ru"]
    for act in acts:
        assert set(act["name"]) == {"ru", "ky", "en"} and {"ru", "ky", "en"} <= set(act)
        assert act["source"] in spec.references
    dated = [act for act in acts if "date" in act]
    assert len(dated) == len(acts) - 1  # all but the kenesh decision being prepared
    assert all(dt.date.fromisoformat(act["date"]) for act in dated)


def test_social_fund_rate():
    """17.25 % = pension 15 + health 2 + workers' health fund 0.25 (DOMAIN.md section 1),
    since 2010; 19 % in 2008-2009 (Social Fund's table of rates 1997-2017)."""
    v = resolve("social_fund_employer_rate", 2027)
    assert v.value == pytest.approx(0.15 + 0.02 + 0.0025)
    assert "socfond" in source_text(v.source, "ru").lower() and v.effective == dt.date(2010, 1, 1)
    assert source_text(v.source, "ky").startswith("Кыргыз Республикасынын Социалдык фонду")
    assert resolve("social_fund_employer_rate", 2015).value == pytest.approx(0.1725)
    assert resolve("social_fund_employer_rate", 2009).value == pytest.approx(0.19)


def test_tax_history_from_2015():
    """Issue 13: a published calculation of 2015 must find the rates of 2015."""
    vat = resolve("vat_rate", 2015)
    assert vat.value == pytest.approx(0.12) and vat.effective == dt.date(2009, 1, 1)
    assert "230" in source_text(vat.source, "ru")  # the Tax Code of 2008, not the 2022 one
    assert resolve("vat_rate", 2023).effective == dt.date(2022, 1, 1)
    # the 2022 Code's sales tax: 2 % with VAT on the service, 3 % without (Bishkek waste)
    assert resolve("sales_tax_rate", 2027).value == pytest.approx(0.02)
    assert resolve("sales_tax_rate_not_vat_taxable", 2027).value == pytest.approx(0.03)


def test_before_first_value_is_an_error():
    with pytest.raises(ParameterNotDefined):
        resolve("vat_rate", 2008)
    with pytest.raises(ParameterNotDefined):  # not verified before the 2022 Code
        resolve("sales_tax_rate_not_vat_taxable", 2021)


def test_a_country_s_law_is_not_applied_to_another_country():
    from okmo_models.parameters import ParameterOfAnotherCountry

    with pytest.raises(ParameterOfAnotherCountry):
        resolve("vat_rate", 2011, country="RU")
    assert resolve("tariff_rounding_step", 2011, country="RU").value == 0.01  # a method, any country


def test_override_keeps_its_source():
    from okmo_models.scenario.schema import ParameterOverride

    o = {"sales_tax_rate": ParameterOverride(value="1 %", source="letter")}
    v = resolve("sales_tax_rate", 2027, o, {"letter": "Letter of the tax office No. 5"})
    assert v.value == pytest.approx(0.01) and v.overridden and v.source.startswith("Letter")


@pytest.mark.parametrize("text, value", [("3 500 000", 3_500_000), ("1,57", 1.57),
                                         ("17.25", 17.25), ("-3", -3), ("12\u00a0000", 12_000)])
def test_numbers_as_economists_type_them(text, value):
    assert parse_number(text) == value


@pytest.mark.parametrize("text", ["1.000.000", "abc", "1 00", "", "12,5,3"])
def test_numbers_refused(text):
    with pytest.raises(UnitError):
        parse_number(text)


def test_quantities_and_conversions():
    assert split_quantity("17 000 som/staff/month") == (17_000, "som/staff/month")
    assert split_quantity("65 %") == (65, "%") and split_quantity("65%") == (65, "%")
    # 50 l per person per day = 0.05 x 365 / 12 = 1.520833 m3 per person per month
    assert convert(50, "l/person/day", "m3/person/month") == pytest.approx(1.5208333)
    assert convert(1, "thousand_som/month", "som/year") == pytest.approx(12_000)
    with pytest.raises(UnitError):
        convert(1, "som/m3", "som/t")
    with pytest.raises(UnitError):
        parse_unit("som/furlong")


@pytest.mark.parametrize("typed, written", [
    ("сом", "som"), ("м3", "m3"), ("м³", "m3"), ("чел.", "person"), ("мес.", "month"), ("сом/м3", "som/m3"),
    ("сом/чел./мес.", "som/person/month"), ("сом/адам/ай", "som/person/month"), ("л/чел./сут.", "l/person/day"),
    ("сом/үй чарба/жыл", "som/household/year"), ("тыс. сом/год", "thousand_som/year"), ("Сом/М3", "som/m3"),
    ("сом/шт. ед./мес.", "som/staff/month"), ("кВт·ч/год", "kWh/year"), ("сом/гол.", "som/head")])
def test_units_typed_in_russian_or_kyrgyz_mean_the_same(typed, written):
    """Issue 16: a unit may be typed as the reports print it, in Russian or Kyrgyz."""
    unit, same = parse_unit(typed), parse_unit(written)
    assert dict(unit.dims) == dict(same.dims) and unit.factor == same.factor


def test_quantities_in_russian_and_kyrgyz():
    assert split_quantity("45 сом/чел./мес.") == (45, "сом/чел./мес.")
    assert split_quantity("1 800 сом/үй чарба/жыл")[0] == 1800
    assert split_quantity("16 000 сом/шт. ед./мес.")[0] == 16_000
    assert convert(45, "сом/чел./мес.", "som/person/year") == pytest.approx(540)
    # what a report prints reads back as the same quantity
    value, unit = split_quantity(format_quantity(16000, "som/staff/month", "ru").replace("\u00a0", " "))
    assert (value, dict(parse_unit(unit).dims)) == (16000, dict(parse_unit("som/staff/month").dims))


@pytest.mark.parametrize("unit, ru, ky", [
    ("ha", "га", "га"), ("households", "домохозяйств", "үй чарба"), ("places", "мест", "орун"),
    ("persons", "чел.", "адам"), ("sites", "объектов", "объект"), ("km", "км", "км"),
    ("m3/day", "м³/сут.", "м³/сутка"), ("staff", "шт. ед.", "штат. бирд."), ("thousand_som", "тыс. сом", "миң сом"),
    ("som/household/month", "сом/домохоз./мес.", "сом/үй чарба/ай")])
def test_every_unit_has_a_russian_and_kyrgyz_name(unit, ru, ky):
    assert (format_unit(unit, "ru"), format_unit(unit, "ky")) == (ru, ky)


def test_years_are_counted_in_russian():
    assert [format_quantity(n, "year") for n in (1, 3, 10, 11, 22)] == ["1 год", "3 года", "10 лет", "11 лет", "22 года"]


@pytest.mark.parametrize("before", [None, "/somewhere/else"])
def test_wider_root_puts_the_environment_back(monkeypatch, tmp_path, before):
    from okmo_models.references import DATA_ROOT_VARIABLE, data_roots, wider_root

    if before is None:
        monkeypatch.delenv(DATA_ROOT_VARIABLE, raising=False)
    else:
        monkeypatch.setenv(DATA_ROOT_VARIABLE, before)
    with pytest.raises(KeyError), wider_root(tmp_path):
        assert data_roots()[0] == tmp_path.resolve()
        assert len(data_roots()) == (1 if before is None else 2)
        raise KeyError  # the block failed: still put back
    assert os.environ.get(DATA_ROOT_VARIABLE) == before

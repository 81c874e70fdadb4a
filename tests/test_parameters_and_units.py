"""Parameters resolve by date with their source; units convert and refuse nonsense."""

import datetime as dt

import pytest

from okmo_models.parameters import ParameterNotDefined, known_parameters, resolve
from okmo_models.units import UnitError, convert, parse_number, parse_unit, split_quantity


def test_every_parameter_file_is_complete():
    for spec in known_parameters().values():
        assert set(spec.description) == {"ru", "ky", "en"}, spec.name
        assert spec.unit and spec.values, spec.name
        for v in spec.values:
            assert isinstance(v["effective"], dt.date), spec.name
            assert v["source"] in spec.references, spec.name


def test_social_fund_rate():
    """17.25 % = pension 15 + health 2 + workers' health fund 0.25 (DOMAIN.md section 1),
    since 2010; 19 % in 2008-2009 (Social Fund's table of rates 1997-2017)."""
    v = resolve("social_fund_employer_rate", 2027)
    assert v.value == pytest.approx(0.15 + 0.02 + 0.0025)
    assert "socfond" in v.source.lower() and v.effective == dt.date(2010, 1, 1)
    assert resolve("social_fund_employer_rate", 2015).value == pytest.approx(0.1725)
    assert resolve("social_fund_employer_rate", 2009).value == pytest.approx(0.19)


def test_tax_history_from_2015():
    """Issue 13: a published calculation of 2015 must find the rates of 2015."""
    vat = resolve("vat_rate", 2015)
    assert vat.value == pytest.approx(0.12) and vat.effective == dt.date(2009, 1, 1)
    assert "230" in vat.source  # the Tax Code of 2008, not the 2022 one
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

"""The formulas against published arithmetic and hand-worked numbers."""

import numpy as np
import pytest

from okmo_models.tariff import formulas as f

MONEY = 0.01  # som: money is compared to the tyiyn unless the source rounds


class TestMoscowPublishedWasteTariff:
    """Moscow solid-waste tariff table (moscow-gov.ru/doc/98647, row "Сбор и вывоз ТБО",
    cited in DOMAIN.md section 1): economically justified 408.25 rub/m3 x norm
    0.1188 m3/person/month = 48.50 rub/person; with 18 % VAT 481.73 rub/m3 and 57.23
    rub/person; regulated population tariff 356.87 rub/m3 = 42.40 rub/person.

    The source rounds every published figure to 0.01 and computes each from the unrounded
    tariff: 408.25 x 1.18 = 481.735 prints as 481.73 only from an unrounded tariff in
    [408.2458, 408.25); the tolerance is therefore one published step, 0.01.  The same case
    runs through the whole engine as tests/published/moscow_2011_waste.yaml."""

    def test_per_person_from_per_m3(self):
        assert f.convert_unit_tariff(408.25, 0.1188) == pytest.approx(48.50, abs=MONEY)

    def test_vat_18_per_m3(self):
        assert f.add_turnover_taxes(408.25, vat_rate=0.18) == pytest.approx(481.73, abs=MONEY)

    def test_vat_18_per_person(self):
        with_vat = f.add_turnover_taxes(408.25, vat_rate=0.18)
        assert f.convert_unit_tariff(with_vat, 0.1188) == pytest.approx(57.23, abs=MONEY)

    def test_regulated_per_person(self):
        assert f.convert_unit_tariff(356.87, 0.1188) == pytest.approx(42.40, abs=MONEY)

    def test_subsidy_gap_per_person(self):
        # 48.50 - 42.40 = 6.10 rub per person per month, the gap the budget covers
        gap = f.convert_unit_tariff(408.25 - 356.87, 0.1188)
        assert gap == pytest.approx(48.50 - 42.40, abs=MONEY)

    def test_unrounded_tariff_reproduces_every_published_figure(self):
        # Any tariff in [408.245, 408.25) rounds to 408.25 and gives all four published
        # figures exactly to the kopeck: evidence that our formulas are the source's.
        x = 408.2475
        assert round(x, 2) == 408.25
        assert round(f.convert_unit_tariff(x, 0.1188), 2) == 48.50
        assert round(f.add_turnover_taxes(x, vat_rate=0.18), 2) == 481.73
        assert round(f.convert_unit_tariff(f.add_turnover_taxes(x, vat_rate=0.18), 0.1188), 2) == 57.23


class TestDepreciation:
    def test_straight_line(self):
        # 3 500 000 som over 10 years: 350 000 som a year while in service
        assert f.straight_line_depreciation(3_500_000, 2020, 10, 2027) == pytest.approx(350_000)

    def test_before_service_and_after_written_off(self):
        assert f.straight_line_depreciation(1_000, 2028, 5, 2027) == 0
        assert f.straight_line_depreciation(1_000, 2015, 8, 2023) == 0  # 2015..2022 charged
        assert f.straight_line_depreciation(1_000, 2015, 8, 2022) == pytest.approx(125)

    def test_fractional_life_never_exceeds_value(self):
        # 1 000 over 2.5 years: 400, 400, then 200
        charges = [float(f.straight_line_depreciation(1_000, 2020, 2.5, y)) for y in range(2019, 2025)]
        assert charges == pytest.approx([0, 400, 400, 200, 0, 0])

    def test_vectorised(self):
        out = f.straight_line_depreciation(np.array([100.0, 200.0]), np.array([2020, 2026]), 4, 2027)
        assert out == pytest.approx([0.0, 50.0])


class TestRequirementAndRounding:
    def test_requirement_parts(self):
        # costs 1 000, 10 % margin, debt 50, VAT 12 % + sales tax 2 % on the net 1 150
        r, profit, vat, st = f.revenue_requirement(1_000, 0.10, 50, 0.12, 0.02)
        assert (float(r), float(profit), float(vat), float(st)) == pytest.approx((1311.0, 100.0, 138.0, 23.0))

    def test_round_up(self):
        assert f.round_tariff(36.97791, 0.01, "up") == 36.98
        assert f.round_tariff(36.98, 0.01, "up") == 36.98
        assert f.round_tariff(12.0000000001, 1.0, "up") == 12.0  # float noise is not a step
        assert f.round_tariff(12.01, 1.0, "up") == 13.0

    def test_half_up_is_the_default_and_sees_through_binary_noise(self):
        # Issue 13: the engine rounded 48.5001 up to 48.51 and 7.4501 to 7.46; decisions
        # round half-up. 481.735 is stored as 481.73499999999996 yet is half a kopek.
        assert f.round_tariff(48.5001, 0.01) == 48.50
        assert f.round_tariff(7.4501, 0.01) == 7.45
        assert f.round_tariff(481.735, 0.01) == 481.74
        assert f.round_tariff(42.396156, 0.01) == 42.40
        assert f.round_tariff(2.5, 1.0) == 3.0 and f.round_tariff(-2.5, 1.0) == -3.0

    def test_down_truncates(self):
        assert f.round_tariff(481.735, 0.01, "down") == 481.73
        assert f.round_tariff(0.1416666, 0.0001, "down") == 0.1416  # a norm as some acts print it

    def test_vectorised_and_unknown_mode(self):
        assert list(f.round_tariff(np.array([1.005, 2.004]), 0.01)) == [1.01, 2.0]
        with pytest.raises(ValueError):
            f.round_tariff(1.0, 0.01, "bankers")

    def test_cash_tariff(self):
        # 50 som billed, 65 % paid: 76.92 som billed brings in the same cash
        assert f.cash_tariff(50.0, 0.65) == pytest.approx(76.923, abs=0.001)

    def test_social_fund(self):
        assert f.social_fund_contribution(240_000, 0.1725) == pytest.approx(41_400)

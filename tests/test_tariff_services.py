"""Whole calculations for each service, checked against numbers worked out by hand.

Every expected figure below is derived in the comment above it from the test scenarios
in conftest.py; money is compared to 0.01 som.
"""

import pytest

from conftest import compute, dipping_scenario, water_scenario, waste_scenario

MONEY = 0.01


class TestWaste:
    # labour 2 x 10 000 x 12 = 240 000; fuel 1 000 l x 80 = 80 000;
    # Social Fund 17.25 % x 240 000 = 41 400; truck 1 000 000 / 10 years = 100 000;
    # costs 461 400; margin 10 % = 46 140; sales tax 2 % x 507 540 = 10 150.80;
    # requirement 517 690.80 som/year.
    # Volumes: 1 000 households x 4 persons x 1.5 m3 = 6 000 m3; business 500 m3 (x2).
    # Base tariff 517 690.80 / (6 000 + 2 x 500) = 73.955829 som/m3.

    @pytest.fixture(scope="class")
    @classmethod
    def result(cls):
        return compute(waste_scenario())

    def test_requirement_line_by_line(self, result):
        amounts = {(c.line, c.derived): c.amount_som for c in result.cost_lines}
        assert amounts[("labour", False)] == pytest.approx(240_000, abs=MONEY)
        assert amounts[("fuel", False)] == pytest.approx(80_000, abs=MONEY)
        assert amounts[("social_fund", True)] == pytest.approx(41_400, abs=MONEY)
        assert amounts[("depreciation", True)] == pytest.approx(100_000, abs=MONEY)
        assert result.costs_som == pytest.approx(461_400, abs=MONEY)
        assert result.profit_som == pytest.approx(46_140, abs=MONEY)
        assert result.sales_tax_som == pytest.approx(10_150.80, abs=MONEY)
        assert result.revenue_requirement_som == pytest.approx(517_690.80, abs=MONEY)

    def test_shares_add_up(self, result):
        # the lines are 461 400 / 517 690.80 = 89.13 % of the requirement
        assert sum(c.share for c in result.cost_lines) == pytest.approx(461_400 / 517_690.80)
        table = result.cost_table("ru")
        assert table.iloc[-1]["share"] == pytest.approx(1.0)

    def test_unit_costs(self, result):
        # Issue 13: "себестоимость" is costs only; the revenue requirement per unit is apart.
        # costs 461 400 / 6 500 m3 = 70.984615 som/m3
        assert {u.unit: u.cost_som for u in result.unit_costs}["som/m3"] == pytest.approx(70.98, abs=MONEY)
        units = {u.unit: u.requirement_som for u in result.unit_costs}
        # 517 690.80 / 6 500 m3 = 79.6447 som/m3; per person-month x 1.5 / 12
        assert units["som/m3"] == pytest.approx(79.64, abs=MONEY)
        assert units["som/person/month"] == pytest.approx(79.644738 * 1.5 / 12, abs=MONEY)
        assert units["som/household/month"] == pytest.approx(79.644738 * 6 / 12, abs=MONEY)

    def test_tariffs_by_category(self, result):
        households = result.tariff("households")
        # 73.955829 som/m3 x 0.5 m3 per household-month = 36.977914 -> half-up 36.98
        assert households.tariff_unrounded_som == pytest.approx(36.977914, abs=1e-6)
        assert households.tariff_som == pytest.approx(36.98, abs=MONEY)
        # commercial multiplier 2: 147.911657 -> 147.91 som/m3 (half-up; "always up" gave 147.92)
        assert result.tariff("business").tariff_som == pytest.approx(147.91, abs=MONEY)
        # the tariff per m3 is the unrounded 73.955829 rounded once, never a back-conversion
        assert households.tariff_per_base_unit_som == pytest.approx(73.96, abs=1e-9)

    def test_cash_tariff_and_household_bill(self, result):
        households = result.tariff("households")
        # 36.98 / 0.65 = 56.8923 -> 56.90
        assert households.cash_tariff_som == pytest.approx(56.90, abs=MONEY)
        assert result.typical_household_bill_som == pytest.approx(36.98, abs=MONEY)

    def test_change_against_current(self, result):
        # 36.98 / 30 - 1 = +23.27 %; 147.91 / 100 - 1 = +47.91 %
        assert result.tariff("households").change_pct == pytest.approx(23.2667, abs=0.001)
        assert result.tariff("business").change_pct == pytest.approx(47.91, abs=0.001)

    def test_revenue_and_collection(self, result):
        # 36.98 x 12 000 household-months + 147.91 x 500 m3 = 443 760 + 73 955 = 517 715
        assert result.revenue_at_tariffs_som == pytest.approx(517_715, abs=MONEY)
        assert result.subsidy_need_som == 0
        # all of the 24.20 above the requirement is rounding: 517 715 - 517 690.80
        assert result.rounding_difference_som == pytest.approx(24.20, abs=MONEY)
        assert result.surplus_som == pytest.approx(0, abs=1e-6)
        assert "note_surplus" not in [k for k, _ in result.notes]
        # 65 % of everything is collected
        assert result.cash_collected_som == pytest.approx(0.65 * 517_715, abs=MONEY)
        # current tariffs: 30 x 12 000 + 100 x 500 = 410 000 som -> 79.20 % of the requirement
        assert result.current_revenue_som == pytest.approx(410_000, abs=MONEY)
        assert result.cost_recovery_current == pytest.approx(410_000 / 517_690.80)

    def test_tonnes_and_landfill_fee(self):
        data = waste_scenario()
        data["waste"] = {"density": "0,2 t/m3", "landfill_fee": "50 som/t",
                         "landfill_fee_source": "hand"}
        result = compute(data)
        # 6 500 m3 x 0.2 t/m3 = 1 300 t x 50 som/t = 65 000 som of landfill fees
        fee = [c for c in result.cost_lines if c.line == "disposal"]
        assert fee[0].amount_som == pytest.approx(65_000, abs=MONEY)
        units = {u.unit: u.requirement_som for u in result.unit_costs}
        assert units["som/t"] == pytest.approx(units["som/m3"] / 0.2, abs=MONEY)

    def test_tonnes_basis(self):
        data = waste_scenario()
        data["waste"] = {"basis": "t", "density": "0,25 t/m3"}
        data["categories"][1]["volume"] = "125 t/year"  # = 500 m3
        data["categories"][1]["billing_unit"] = "t"
        data["categories"][1]["current_tariff"] = "400 som/t"
        result = compute(data)
        # same volumes as in m3 (6 000 m3 = 1 500 t; 125 t), so the household tariff is unchanged
        assert result.base_unit == "t"
        assert result.tariff("households").tariff_som == pytest.approx(36.98, abs=MONEY)
        # per tonne = per m3 / density: 147.911657 / 0.25 = 591.6466 -> 591.65
        assert result.tariff("business").tariff_som == pytest.approx(591.65, abs=MONEY)


class TestPolicies:
    def test_regulated_population_tariff_with_cross_subsidy(self):
        data = waste_scenario()
        data["categories"][0]["fixed_tariff"] = "30 som/household/month"
        data["categories"][0]["fixed_tariff_taxes"] = "included"
        result = compute(data)
        # households pay 30 x 12 000 = 360 000; business covers 517 690.80 - 360 000
        # = 157 690.80 over 500 m3 = 315.3816 -> 315.38 som/m3
        assert result.tariff("households").tariff_som == 30
        assert result.tariff("business").tariff_som == pytest.approx(315.38, abs=MONEY)
        assert result.subsidy_need_som == 0

    def test_budget_subsidy_when_no_category_can_absorb(self):
        data = waste_scenario()
        data["categories"][0]["fixed_tariff"] = "30 som/household/month"
        data["categories"][1]["fixed_tariff"] = "100 som/m3"
        for c in data["categories"][:2]:
            c["fixed_tariff_taxes"] = "included"
        data["categories"][1]["multiplier"] = 1  # a fixed tariff already includes any multiplier
        result = compute(data)
        # 517 690.80 - (360 000 + 50 000) = 107 690.80 som from the local budget
        assert result.subsidy_need_som == pytest.approx(107_690.80, abs=MONEY)
        assert "note_subsidy_needed" in [k for k, _ in result.notes]

    def test_cost_policy_leaves_gap_to_budget(self):
        data = waste_scenario()
        data["categories"][0]["fixed_tariff"] = "30 som/household/month"
        data["categories"][0]["fixed_tariff_taxes"] = "included"
        data["categories"][1]["policy"] = "cost"
        data["categories"][1]["multiplier"] = 1
        result = compute(data)
        # business pays the unit cost 79.644738 x 500 = 39 822.37 a year before rounding;
        # budget: 517 690.80 - 360 000 - 39 822.37 = 117 868.43. At the printed 79.64 the
        # business brings 39 820: the operator's rounding difference is -2.37, shown apart,
        # and requirement = revenue - rounding difference + subsidy to the tyiyn.
        assert result.tariff("business").tariff_som == pytest.approx(79.64, abs=MONEY)
        assert result.subsidy_need_som == pytest.approx(117_868.43, abs=MONEY)
        assert result.rounding_difference_som == pytest.approx(-2.37, abs=MONEY)
        assert result.revenue_at_tariffs_som - result.rounding_difference_som + result.subsidy_need_som \
            == pytest.approx(result.revenue_requirement_som, abs=1e-6)

    def test_moscow_regulated_gap_through_the_engine(self):
        """Moscow 2011 (moscow-gov.ru/doc/98647): justified 408.25, regulated 356.87 rub/m3,
        norm 0.1188 m3/person/month; the budget pays the difference. 1 000 persons give
        1 425.6 m3 a year; gap (408.25 - 356.87) x 1 425.6 = 73 247.33."""
        data = waste_scenario()
        data["operator"]["sales_tax_payer"] = False
        data["profitability"] = "0 %"
        data["assets"] = []
        data["cost_lines"] = [{"line": "other", "name": "Всё", "amount": "582 001,20 som/year",
                               "source": "moscow"}]  # 408.25 x 1 425.6
        data["categories"] = [{"id": "population", "kind": "population", "name": "Население",
                               "persons": "1 000 person", "norm": "0,1188 m3/person/month",
                               "billing_unit": "m3", "fixed_tariff": "356,87 som/m3",
                               "source": "moscow"}]
        result = compute(data)
        assert result.unit_costs[0].requirement_som == pytest.approx(408.25, abs=MONEY)
        person = [u for u in result.unit_costs if u.unit == "som/person/month"][0]
        assert person.requirement_som == pytest.approx(48.50, abs=MONEY)  # 48.5001
        assert result.subsidy_need_som == pytest.approx(73_247.33, abs=MONEY)
        # per person and month: 73 247.33 / 12 000 = 6.10 = 48.50 - 42.40 as published
        assert result.subsidy_need_som / 12_000 == pytest.approx(48.50 - 42.40, abs=MONEY)


class TestWater:
    # costs 20 000 + 30 000 = 50 000; debt 10 000; no taxes -> requirement 60 000 som.
    # unmetered 100 persons x 50 l/day x 365 = 1 825 m3; metered 2 175 m3; total 4 000 m3.
    @pytest.fixture(scope="class")
    @classmethod
    def result(cls):
        return compute(water_scenario())

    def test_requirement_and_unit_costs(self, result):
        assert result.revenue_requirement_som == pytest.approx(60_000, abs=MONEY)
        units = {(u.unit, u.key): u.requirement_som for u in result.unit_costs}
        assert units[("som/m3", "unit_cost_m3")] == pytest.approx(15.00, abs=MONEY)
        # per m3 produced: 60 000 / 5 000 = 12
        assert units[("som/m3", "unit_cost_produced_m3")] == pytest.approx(12.00, abs=MONEY)

    def test_unmetered_norm_in_litres_per_day(self, result):
        # 15 som/m3 x 0.05 m3/day x 365 / 12 = 22.8125 -> 22.81 som/person/month (half-up)
        assert result.tariff("unmetered").tariff_som == pytest.approx(22.81, abs=MONEY)
        assert result.tariff("metered").tariff_som == pytest.approx(15.00, abs=MONEY)

    def test_balance_with_losses_is_consistent(self, result):
        # 5 000 m3 produced less 20 % losses = 4 000 m3 billed: no warning
        assert "note_water_balance" not in [k for k, _ in result.notes]

    def test_balance_warning(self):
        data = water_scenario()
        data["water"]["losses"] = "40 %"  # 3 000 m3 expected against 4 000 billed
        assert "note_water_balance" in [k for k, _ in compute(data).notes]


class TestDippingBath:
    # lessee's costs 5 000 + 6 000 + 1 500 = 12 500; the municipal bath's depreciation
    # (10 000) is not in the tariff. Sheep-equivalents: 800 + 0.5 x 200 + 100 = 1 000.
    @pytest.fixture(scope="class")
    @classmethod
    def result(cls):
        return compute(dipping_scenario())

    def test_tariff_per_head(self, result):
        assert result.revenue_requirement_som == pytest.approx(12_500, abs=MONEY)
        assert result.tariff("local").tariff_som == pytest.approx(12.50, abs=MONEY)
        species = {sp: v for sp, _, v in result.tariff("local").species_tariffs_som}
        assert species == pytest.approx({"sheep": 12.50, "goats": 6.25})

    def test_leased_municipal_asset_not_in_tariff(self, result):
        assert not [c for c in result.cost_lines if c.line == "depreciation"]
        notes = dict(result.notes)
        # rent 6 000 against 10 000 of depreciation: 60 %
        assert notes["note_rent_vs_depreciation"]["share"] == "60"

    def test_neighbour_at_a_different_tariff(self):
        data = dipping_scenario()
        data["categories"][1]["multiplier"] = 1.2
        result = compute(data)
        # weights 900 + 1.2 x 100 = 1 020; base 12 500 / 1 020 = 12.254902 -> 12.25
        assert result.tariff("local").tariff_som == pytest.approx(12.25, abs=MONEY)
        assert result.tariff("neighbour").tariff_som == pytest.approx(14.71, abs=MONEY)
        goats = dict((sp, v) for sp, _, v in result.tariff("local").species_tariffs_som)["goats"]
        assert goats == pytest.approx(6.13, abs=MONEY)  # 6.127451, rounded once

    def test_whole_som_rounding_and_vat(self):
        data = dipping_scenario()
        data["operator"]["vat_payer"] = True  # veterinary services are not VAT-exempt
        data["rounding"] = {"step": "1 som", "source": "hand"}
        result = compute(data)
        # 12 500 x 1.12 = 14 000 a year; the approved tariff without VAT is 12.50 -> 13 som
        # (whole som, half-up) and VAT is charged on it: 13 x 1.12 = 14.56 -> 15 som per sheep;
        # goats 6.25 -> 6 som, with VAT 6.72 -> 7 som
        assert result.vat_som == pytest.approx(1_500, abs=MONEY)
        local = result.tariff("local")
        assert (local.tariff_net_som, local.tariff_som) == (13, 15)
        assert dict((sp, v) for sp, _, v in local.species_tariffs_som)["goats"] == 7

    def test_operator_own_assets_are_depreciated(self):
        data = dipping_scenario()
        data["operator"]["type"] = "aiyl_okmotu"
        result = compute(data)
        # the aiyl okmotu runs its own bath: 12 500 + 10 000 = 22 500 over 1 000 heads
        assert result.tariff("local").tariff_som == pytest.approx(22.50, abs=MONEY)


class TestTaxesAndNotes:
    def test_vat_override_applies_to_an_exempt_service(self):
        """Water and waste are VAT-exempt; a scenario that overrides vat_rate records a
        tax office's ruling, and the rate then applies to a VAT payer."""
        data = water_scenario()
        data["operator"]["vat_payer"] = True
        assert compute(data).vat_som == 0  # exempt by default
        data["parameters"] = {"vat_rate": {"value": "12 %", "source": "hand"}}
        # 60 000 x 12 % = 7 200 som
        assert compute(data).vat_som == pytest.approx(7_200, abs=MONEY)

    def test_water_multiplier_outside_the_allowed_range_is_flagged(self):
        data = water_scenario()
        data["categories"].append({"id": "business", "kind": "other", "name": "Бизнес",
                                   "volume": "100 m3/year", "billing_unit": "m3",
                                   "multiplier": 4, "source": "hand"})
        assert "note_multiplier_range" in [k for k, _ in compute(data).notes]

    def test_surplus_from_an_at_cost_multiplier_is_not_called_a_fixed_tariff(self):
        data = waste_scenario()
        data["categories"] = data["categories"][1:]
        data["categories"][0]["policy"] = "cost"  # multiplier 2 at cost: bills twice the cost
        keys = [k for k, _ in compute(data).notes]
        assert "note_surplus" in keys and "note_fixed_exceed_requirement" not in keys

    def test_parameters_not_used_are_not_required(self):
        data = water_scenario()  # no labour, no VAT, no sales tax: only the rounding step
        data["tariff_year"] = 2015
        assert compute(data).revenue_requirement_som == pytest.approx(60_000, abs=MONEY)


class TestComponentsAndFloorArea:
    """Issue 13: component tariffs (Kazakh practice: collection, burial, sorting printed apart
    and in sum) and tariffs per m2 of floor area, worked by hand."""

    @staticmethod
    def components_scenario():
        data = waste_scenario()
        data["components"] = [{"id": "collection", "name": "Сбор и вывоз"},
                              {"id": "burial", "name": "Захоронение"}]
        data["cost_lines"][0]["component"] = "collection"  # labour 240 000 (+ 41 400 Social Fund)
        data["cost_lines"][1]["component"] = "burial"      # fuel 80 000
        data["assets"][0]["component"] = "collection"      # depreciation 100 000
        return data

    def test_each_component_from_its_own_costs_and_the_tariff_is_their_sum(self):
        result = compute(self.components_scenario())
        # collection 381 400, burial 80 000 of the 461 400 costs: shares 0.826615 and 0.173385
        # of the households' unrounded 36.977914 (sales tax 2 %): without tax 36.252857 x
        # 0.826615 = 29.967 -> 29.97 and x 0.173385 = 6.2857 -> 6.29; with tax 29.97 x 1.02 =
        # 30.5694 -> 30.57 and 6.29 x 1.02 = 6.4158 -> 6.42; the tariff is 30.57 + 6.42 = 36.99
        households = result.tariff("households")
        parts = {k.id: (k.tariff_net_som, k.tariff_som) for k in households.components}
        assert parts == {"collection": (29.97, 30.57), "burial": (6.29, 6.42)}
        assert households.tariff_som == pytest.approx(36.99, abs=1e-9)
        assert households.tariff_net_som == pytest.approx(36.26, abs=1e-9)
        # the same printed sum is what is billed
        assert result.revenue_at_tariffs_som == pytest.approx(
            sum(c.tariff_som * c.billing_units_per_year for c in result.tariffs), abs=1e-6)

    def test_every_cost_names_an_existing_component_and_none_is_fixed(self):
        from okmo_models.errors import ScenarioError

        data = self.components_scenario()
        data["cost_lines"][1]["component"] = "sorting"
        data["assets"][0].pop("component")
        data["categories"][0]["fixed_tariff"] = "30 som/household/month"
        data["categories"][0]["fixed_tariff_taxes"] = "included"
        with pytest.raises(ScenarioError) as info:
            compute(data)
        keys = {(p.key, p.field_path()) for p in info.value.problems}
        assert keys == {("component_unknown", "cost_lines[2].component"),
                        ("component_missing", "assets[1].component"),
                        ("components_with_fixed", "categories[1].fixed_tariff")}

    def test_tariff_per_m2_of_floor_area(self):
        data = waste_scenario()
        # an apartment block of 2 000 m2 with a norm of 0,005 m3 per m2 a month: 120 m3 a year
        data["categories"].append({"id": "flats", "kind": "population", "name": "МКД",
                                   "area": "2 000 m2", "norm": "0,005 m3/m2/month",
                                   "billing_unit": "m2/month", "source": "hand"})
        result = compute(data)
        # base tariff 517 690.80 / (6 000 + 2 x 500 + 120) = 72.709382 som/m3 with the tax;
        # without it 71.283708; per m2 x 0.005 = 0.356419 -> 0.36, with the tax 0.3672 -> 0.37
        flats = result.tariff("flats")
        assert flats.unit == "som/m2/month"
        assert (flats.tariff_net_som, flats.tariff_som) == (0.36, 0.37)
        assert flats.billing_units_per_year == pytest.approx(24_000)  # 2 000 m2 x 12 months


class TestOneFigureEverywhere:
    """Defects a review of issue 13's change found; each test failed before its fix."""

    def test_fixed_tariff_per_m3_with_vat_included_is_billed_as_given(self):
        data = waste_scenario()
        data["operator"]["vat_payer"] = True
        data["parameters"] = {"vat_exempt_services": {"items": [], "source": "hand"},  # VAT on waste
                              "sales_tax_rate": {"value": "2 %", "source": "hand"}}
        data["categories"][1].update(fixed_tariff="10,06 som/m3", fixed_tariff_taxes="included",
                                     multiplier=1)
        business = compute(data).tariff("business")
        # 10.06 with 12 % VAT and 2 % sales tax: re-derived from the net it printed 10.05
        assert (business.tariff_som, business.tariff_per_base_unit_som) == (10.06, 10.06)
        assert business.revenue_som == pytest.approx(10.06 * 500)

    def test_component_tariffs_and_the_path_agree_with_the_kalkulyatsiya(self):
        data = TestComponentsAndFloorArea.components_scenario()
        data["categories"][0]["current_tariff"] = "30 som/household/month"
        data["path"] = {"years": 2, "cpi": "0 %", "cpi_source": "hand"}
        result = compute(data)
        households = result.tariff("households")
        assert households.tariff_som == pytest.approx(sum(k.tariff_som for k in households.components))
        row = result.policy.path.categories[0]
        assert row["cost_recovery_tariff_som"][0] == households.tariff_som

    def test_a_path_at_the_printed_cost_recovery_tariff_needs_no_subsidy(self):
        data = waste_scenario()
        data["categories"] = data["categories"][:1]
        data["cost_lines"][1]["price"] = "83 som/l"  # 43.4214 a household-month, printed 43.42
        data["path"] = {"years": 2, "cpi": "0 %", "cpi_source": "hand"}
        result = compute(data)
        assert result.tariff("households").tariff_som < result.tariff("households").tariff_unrounded_som
        p = result.policy.path
        assert p.categories[0]["path_tariff_som"] == p.categories[0]["cost_recovery_tariff_som"] == [43.42, 43.42]
        # the 0.0014 x 12 000 = 16.80 a year below the requirement is rounding, the operator's
        assert list(p.subsidy_som) == [0, 0]

    def test_path_money_is_rounded_like_the_kalkulyatsiya(self):
        data = waste_scenario()
        data["categories"] = data["categories"][:1]
        data["cost_lines"] = [{"line": "other", "name": "x", "amount": "100 000,125 som/year", "source": "hand"}]
        data["assets"], data["profitability"] = [], "0 %"
        data["parameters"] = {"sales_tax_rate_not_vat_taxable": {"value": "0 %", "source": "hand"}}
        data["path"] = {"years": 1, "cpi": "0 %", "cpi_source": "hand"}
        d = compute(data).to_dict("ru")
        assert d["revenue_requirement_som"] == d["path"]["requirement_som"][0] == 100_000.13

    def test_a_step_finer_than_a_tyiyn_and_rounding_under_parameters_are_refused(self):
        from okmo_models.errors import ScenarioError

        data = waste_scenario()
        data["rounding"] = {"step": "0,001 som", "source": "hand"}
        with pytest.raises(ScenarioError) as info:
            compute(data)
        assert info.value.problems[0].key == "rounding_step_tyiyn"
        data = waste_scenario()
        data["parameters"]["tariff_rounding_step"] = {"value": "1 som", "source": "hand"}
        with pytest.raises(ScenarioError) as info:
            compute(data)
        assert info.value.problems[0].key == "parameter_in_rounding"

    def test_kyrgyz_income_groups_are_a_clear_error_for_a_russian_town(self):
        from okmo_models.errors import ScenarioError

        data = waste_scenario()
        data["municipality"]["country"] = "RU"
        data["cost_lines"] = data["cost_lines"][1:]  # no wages: no Social Fund rate needed
        data["affordability"] = {"threshold": {"value": "1 %", "source": "hand"}}
        with pytest.raises(ScenarioError) as info:  # was an internal error
            compute(data)
        assert info.value.problems[0].key == "parameter_other_country"

    def test_overridden_parameters_and_floor_area_are_named_in_the_reader_s_words(self):
        from okmo_models.formatting import unit_label

        data = water_scenario()
        data["operator"]["vat_payer"] = True
        data["parameters"] = {"vat_exempt_services": {"items": ["water"], "source": "hand"}}
        notes = " ".join(compute(data).notes_text("ru"))
        assert "vat_exempt_services" not in notes and "water" not in notes
        assert "Питьевое водоснабжение" in notes
        assert unit_label("som/m2/month", "ru") == "сом/м²/мес." and unit_label("m2", "ky") == "м²"

    def test_persons_households_and_size_must_agree(self):
        from okmo_models.errors import ScenarioError

        data = waste_scenario()
        data["categories"][0].update(persons="1 000 person", households="100 household")
        with pytest.raises(ScenarioError) as info:  # 10 persons a household, not 4
            compute(data)
        assert info.value.problems[0].key == "household_size_inconsistent"

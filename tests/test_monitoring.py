"""Monitoring: the indicator rules, the instructions at the meeting, the review of the
bundled examples, and refusals of what cannot be read one way (docs/monitoring.md)."""

from __future__ import annotations

import datetime as dt
from types import SimpleNamespace

import pytest

from okmo_models.monitoring.indicators import Rule, assess, flow_so_far, level_so_far, score_and_light
from okmo_models.monitoring.instructions import month_before, review_instructions
from okmo_models.monitoring.plans import IndicatorPlan, Label

RULE = Rule(green=1.0, amber=0.9, deviation_green=0.05, deviation_amber=0.10)
MONTHS = tuple(f"2027-{m:02d}" for m in range(1, 10))


def plan(kind="flow", value=1200.0, direction="higher", start=None, parts=None):
    return IndicatorPlan("x", "budget", Label("x"), "som", kind, value, direction, start=start, parts=parts)


# --- flows: pace of the months so far --------------------------------------------------------


def test_a_flow_behind_its_plan_by_a_tenth_is_forecast_a_tenth_short():
    # plan 1 200 a year in equal months; Jan-Mar bring 90 each: 270 against 300 planned,
    # so the year is forecast at 1 200 x 270 / 300 = 1 080, 90 % of the plan: amber
    a = assess(plan(), MONTHS[:3], (90.0, 90.0, 90.0), RULE)
    assert (a.so_far, a.plan_so_far, a.forecast) == pytest.approx((270.0, 300.0, 1080.0))
    assert a.score == pytest.approx(0.9) and a.light == "amber"


def test_a_seasonal_profile_moves_the_plan_so_far_not_the_year():
    # land tax paid mostly in autumn: 10 % of the plan due by June. 120 paid of 1 200 is on plan.
    profile = (0.01,) * 6 + (0.1, 0.1, 0.2, 0.2, 0.2, 0.14)
    actual, planned, forecast, reported = flow_so_far(1200.0, profile, [20, 20, 20, 20, 20, 20])
    assert (actual, planned, reported) == (120.0, pytest.approx(72.0), 6)
    assert forecast == pytest.approx(2000.0)  # 120 / 72 of the plan: far ahead
    a = assess(plan(), MONTHS[:6], (20.0,) * 6, RULE, profile=profile)
    assert a.light == "green"


def test_a_month_not_reported_stops_the_sum_and_is_said():
    a = assess(plan(), MONTHS[:4], (100.0, 100.0, None, None), RULE)
    assert a.reported == 2 < len(a.periods) and a.so_far == 200.0


def test_nothing_reported_has_no_light_and_says_why():
    a = assess(plan(), MONTHS[:3], (None, None, None), RULE)
    assert a.light is None and a.why_no_light == "no_actuals" and a.forecast is None


# --- levels: from the start of the year at the same pace -------------------------------------


def test_a_level_continues_its_pace_since_the_start_of_the_year():
    # 4 ha at the start, plan 7 ha; 5 ha at the end of September: +1 ha in 9 months,
    # so +1/3 ha in the last 3 months: 5.333 ha, 76.2 % of the plan: red
    last, planned, forecast, reported = level_so_far(7.0, 4.0, 1, [4, 4, 4, 4, 4.5, 4.5, 4.5, 5, 5])
    assert (last, reported) == (5.0, 9)
    assert planned == pytest.approx(4 + 3 * 9 / 12)  # 6.25 on a straight line to the plan
    assert forecast == pytest.approx(5 + 1 / 9 * 3)
    assert score_and_light(plan("level", 7.0, start=4.0), forecast, RULE)[1] == "red"


def test_a_level_measured_by_quarters_counts_three_months_a_quarter():
    # 0 at the start, plan 1 200 households; 300 at the end of Q1 and 600 at Q2: 100 a month -> 1 200
    _, planned, forecast, _ = level_so_far(1200.0, 0.0, 3, [300, 600])
    assert planned == pytest.approx(600.0) and forecast == pytest.approx(1200.0)


def test_a_level_planned_to_change_is_judged_by_the_change_either_way():
    # residents with water round the clock: 38 000 at the start, plan 42 500, forecast 40 800:
    # 2 800 of the 4 500 planned = 62.2 %, red (the level alone, 96 %, would hide it)
    up = plan("level", 42500.0, start=38000.0)
    assert score_and_light(up, 40800.0, RULE)[0] == 0.622  # 0.6222, judged as printed
    assert score_and_light(up, 40800.0, RULE)[1] == "red"
    # complaints from 60 to a plan of 40, forecast 50: half the planned fall, red
    assert score_and_light(plan("level", 40.0, "lower", start=60.0), 50.0, RULE)[:2] == (0.5, "red")
    # no change planned (540 places kept): judged on the level itself, 400 of 540 is red
    assert score_and_light(plan("level", 540.0, start=540.0), 400.0, RULE)[:2] == (0.741, "red")


def test_a_falling_target_without_a_start_compares_plan_to_forecast():
    # complaints: plan 40 a year-end, forecast 50 -> 40 / 50 = 80 %: red
    assert score_and_light(plan("flow", 40.0, "lower"), 50.0, RULE)[:2] == (0.8, "red")


# --- costs and spending: near the plan either way ---------------------------------------------


@pytest.mark.parametrize("forecast, light", [(1050.0, "green"), (950.0, "green"), (1090.0, "amber"),
                                             (880.0, "red"), (1101.0, "red"), (1100.4, "amber")])
def test_spending_is_judged_by_its_deviation_either_way(forecast, light):
    # 1 100,4 is +10,04 %, printed +10,0 %: judged as printed, amber
    assert score_and_light(plan(value=1000.0, direction="near"), forecast, RULE)[1] == light


def test_spending_nothing_was_planned_for_is_red_and_said():
    assert score_and_light(plan(value=0.0, direction="near"), 1400.0, RULE) == (None, "red", "unplanned")
    assert score_and_light(plan(value=0.0, direction="near"), 0.0, RULE) == (None, "green", None)


def test_a_forecast_printed_as_the_plan_is_never_amber():
    # 269,1 a month against 3 229,2 a year: 0.99999999999 of the plan, printed 100,0 %: green
    a = assess(plan(value=3229.2), MONTHS[:9], (269.1,) * 9, RULE)
    assert a.score == 1.0 and a.light == "green"


def test_a_rate_divides_the_same_months_of_both_sums():
    # collected reported to September, billed to August: the rate so far is of 8 months each
    billed = assess(plan(value=1200.0), MONTHS, (100.0,) * 8 + (None,), RULE)
    collected = assess(plan(value=1080.0), MONTHS, (60.0,) * 8 + (600.0,), RULE)
    rate = assess(plan("ratio", 0.9, parts=("c", "b")), MONTHS, (), RULE, parts=(collected, billed))
    assert rate.reported == 8 and rate.so_far == pytest.approx(0.6)


# --- ratios: never typed, computed from their two sums ---------------------------------------


def test_a_collection_rate_is_the_sums_divided_not_the_months_averaged():
    # billed 100 then 300, collected 90 then 150: the rate so far is 240 / 400 = 60 %,
    # not the mean of 90 % and 50 % (70 %)
    billed = assess(plan(value=2400.0), MONTHS[:2], (100.0, 300.0), RULE)
    collected = assess(plan(value=2160.0), MONTHS[:2], (90.0, 150.0), RULE)
    rate = assess(plan("ratio", 0.9, parts=("c", "b")), MONTHS[:2], (), RULE, parts=(collected, billed))
    assert rate.so_far == pytest.approx(0.6)
    assert rate.forecast == pytest.approx(collected.forecast / billed.forecast)
    assert rate.light == "red"  # 60 / 90 = 67 % of the planned rate


# --- instructions at the meeting --------------------------------------------------------------


def _i(id, due, status, done_on=None, issued="2027-01-10", reason=None):
    d = dt.date.fromisoformat
    return SimpleNamespace(id=id, task=id, responsible="", issued=d(issued), due=d(due), status=status,
                           done_on=d(done_on) if done_on else None, reason=reason, decision=None)


def test_the_meeting_hears_overdue_done_late_and_due_soon_by_hand():
    meeting = dt.date(2027, 10, 8)
    rows = [
        _i("A", "2027-09-30", "in_progress"),                    # overdue 8 days
        _i("B", "2027-08-31", "not_done", reason="no funds"),    # overdue 38 days, first
        _i("C", "2027-10-08", "in_progress"),                    # due on the meeting's day: due soon
        _i("D", "2027-11-07", "in_progress"),                    # 30 days after: due soon
        _i("E", "2027-11-08", "in_progress"),                    # 31 days: neither
        _i("F", "2027-09-01", "done", "2027-09-20"),             # done late since 8 Sep: listed
        _i("G", "2027-08-01", "done", "2027-09-05"),             # done late before 8 Sep: counted only
        _i("H", "2027-09-15", "done", "2027-09-10"),             # done on time
        _i("I", "2027-09-15", "done", "2027-10-20"),             # done after the meeting: overdue at it
        _i("J", "2027-09-01", "cancelled"),
        _i("K", "2027-12-01", "in_progress", issued="2027-10-15"),  # given after the meeting
    ]
    r = review_instructions(rows, meeting, 30)
    assert [i.id for i in r.overdue] == ["B", "I", "A"]
    assert [i.id for i in r.done_late] == ["F"]
    assert [i.id for i in r.due_soon] == ["C", "D"]
    assert r.counts == {"done": 1, "done_late": 2, "in_progress": 5, "not_done": 1, "cancelled": 1, "later": 1}
    assert r.days_overdue(r.overdue[0]) == 38


def test_the_previous_meeting_is_a_month_before_even_at_a_months_end():
    assert month_before(dt.date(2027, 3, 31)) == dt.date(2027, 2, 28)
    assert month_before(dt.date(2027, 1, 8)) == dt.date(2026, 12, 8)


# --- the bundled examples, hand-worked (okmo_models/examples/*/monitoring.yaml) -------------

import shutil  # noqa: E402

from okmo_models.errors import ScenarioError  # noqa: E402
from okmo_models.examples import example_path  # noqa: E402
from okmo_models.monitoring import evaluate_monitoring  # noqa: E402

TEPLO = example_path("teploklyuchenka/monitoring.yaml")
ALAMUDUN = example_path("alamudun/monitoring.yaml")


@pytest.fixture(scope="module")
def teplo():
    return evaluate_monitoring(TEPLO)


@pytest.fixture(scope="module")
def alamudun():
    return evaluate_monitoring(ALAMUDUN)


def _one(result, ident):
    return next(a for a in result.indicators.assessments if a.plan.id == ident)


def test_teploklyuchenka_patents_are_red_by_hand(teplo):
    # actuals.xlsx row 11, C..K: 121 + 118.5 + 110 + 96 + 92.5 + 88 + 90.5 + 93 + 95.5 = 905.0
    # thousand som; the budget forecasts 1 546.31 for 2027 (okmo budget ... --format json);
    # 9 equal twelfths of it: 1 159.73; the year at that pace: 1 546.31 x 905 / 1 159.73 = 1 206.67,
    # 78.0 % of the plan: red, with the table's reason
    a = _one(teplo, "budget.patents")
    assert a.so_far == pytest.approx(905.0)
    assert a.plan.plan == pytest.approx(1546.31, abs=0.005)
    assert a.plan_so_far == pytest.approx(1546.31 * 0.75, abs=0.005)
    assert a.forecast == pytest.approx(1206.67, abs=0.01)
    assert a.light == "red" and "патент" in a.reason


def test_teploklyuchenka_collection_is_amber_and_its_rate_follows(teplo):
    # collected Jan-Sep (row 3): 2 203 982 som = 2 203.982 thousand against 3/4 of the
    # 3 229 165.30 som the tariff expects (waste.yaml at 65 % / 95 % / 80 % collection): 91.0 %
    collected = _one(teplo, "tariff.waste.collected")
    assert collected.so_far == pytest.approx(2203.982)
    assert collected.plan.plan == pytest.approx(3229.1653, abs=1e-4)
    # judged on the figure printed, to 0.1 %: 2 203.982 / 2 421.874 = 0.91003 -> 91.0 %
    assert collected.score == 0.91 and 2203.982 / (3229.1653 * 0.75) == pytest.approx(0.91003, abs=1e-5)
    assert collected.light == "amber"
    rate = _one(teplo, "tariff.waste.collection_rate")
    billed = _one(teplo, "tariff.waste.billed")
    assert rate.so_far == pytest.approx(collected.so_far / billed.so_far)
    assert rate.reason == collected.reason  # the rate is behind for the collection's reason


def test_teploklyuchenka_meeting_hears_the_right_instructions(teplo):
    r = teplo.instructions
    assert [i.id for i in r.overdue] == ["P-02", "P-08", "P-07"]  # by due date: 30.06, 31.07, 15.09
    assert [i.id for i in r.done_late] == ["P-06", "P-10"]  # done 12.09 and 16.09, after 08.09
    assert [i.id for i in r.due_soon] == ["P-13", "P-12"]  # due 08.10 (the meeting's day), 20.10
    assert teplo.counts() == {"green": 22, "amber": 2, "red": 2, "none": 0}


def test_alamudun_water_is_judged_by_the_change_it_brings(alamudun):
    # 38 000 residents at the start, plan 42 500; 40 100 in September: +2 100 in 9 months,
    # +700 more by December = 40 800, i.e. 2 800 of the 4 500 planned: 62.2 %, red
    a = _one(alamudun, "programme.water_pipes.water_24h")
    assert (a.so_far, a.forecast) == (40100.0, pytest.approx(40800.0))
    assert a.score == 0.622 and a.light == "red"  # 2 800 / 4 500 = 0.6222, printed 62,2 %
    r = alamudun.instructions
    assert [i.id for i in r.overdue] == ["P-01", "P-02", "P-06"]
    assert [i.id for i in r.done_late] == ["P-07", "P-10"]  # P-10 done 04.10: after September, before the meeting
    assert [i.id for i in r.due_soon] == ["P-11", "P-12"]  # P-12 due in exactly 30 days; P-13 in 31
    # the sewage plant's indicator has no plan for 2027: said, not dropped
    assert [u["id"] for u in alamudun.indicators.unplanned] == ["programme.sewer_plant.wastewater_treated"]


def test_another_month_uses_only_its_months_and_its_meeting(teplo):
    june = evaluate_monitoring(TEPLO, "2027-06")
    assert june.meeting == dt.date(2027, 7, 8)
    assert june.indicators.periods == tuple(f"2027-{m:02d}" for m in range(1, 7))
    patents = _one(june, "budget.patents")
    assert patents.so_far == pytest.approx(121 + 118.5 + 110 + 96 + 92.5 + 88)
    # the months after June in the table are counted, not used
    assert june.indicators.later_values > 0 and teplo.indicators.later_values == 0


def _copy(tmp_path, folder="teploklyuchenka"):
    dest = tmp_path / folder
    shutil.copytree(example_path(folder), dest)
    return dest


def test_a_wrong_unit_in_the_workbook_is_refused_by_sheet_and_cell(tmp_path):
    import openpyxl

    dest = _copy(tmp_path)
    book = openpyxl.load_workbook(dest / "actuals.xlsx")
    book["actuals"]["B11"] = "ha"  # patents, said to be in hectares
    book.save(dest / "actuals.xlsx")
    with pytest.raises(ScenarioError) as e:
        evaluate_monitoring(dest / "monitoring.yaml")
    text = e.value.render("ru")
    assert "«actuals», ячейка B11" in text and "'ha'" in text and "тыс. сом" in text


def test_money_in_som_is_converted_and_the_unit_words_are_read(tmp_path):
    import openpyxl

    dest = _copy(tmp_path)
    book = openpyxl.load_workbook(dest / "actuals.xlsx")
    sheet = book["actuals"]
    sheet["B11"] = "сом"  # the patents typed in som, named in Russian
    for col in "CDEFGHIJK":
        sheet[f"{col}11"] = sheet[f"{col}11"].value * 1000
    book.save(dest / "actuals.xlsx")
    a = _one(evaluate_monitoring(dest / "monitoring.yaml"), "budget.patents")
    assert a.so_far == pytest.approx(905.0) and a.light == "red"


def test_an_unknown_indicator_in_a_csv_table_is_refused_by_its_cell(tmp_path):
    dest = _copy(tmp_path, "alamudun")
    table = dest / "actuals.csv"
    table.write_text(table.read_text("utf-8").replace("budget.land_tax,", "budget.land_taxes,", 1), "utf-8")
    with pytest.raises(ScenarioError) as e:
        evaluate_monitoring(dest / "monitoring.yaml")
    text = e.value.render("en")
    assert "budget.land_taxes" in text and "budget.land_tax" in text and "A" in text


def test_a_ratio_typed_in_is_refused_with_the_sums_to_enter(tmp_path):
    import openpyxl

    dest = _copy(tmp_path)
    book = openpyxl.load_workbook(dest / "actuals.xlsx")
    book["actuals"]["A2"] = "tariff.waste.collection_rate"
    book.save(dest / "actuals.xlsx")
    with pytest.raises(ScenarioError) as e:
        evaluate_monitoring(dest / "monitoring.yaml")
    assert "«actuals», ячейка A2" in e.value.render("ru") and "tariff.waste.collected" in e.value.render("ru")


def test_a_tariff_of_another_year_is_refused(tmp_path):
    dest = _copy(tmp_path)
    m = dest / "monitoring.yaml"
    m.write_text(m.read_text("utf-8").replace("year: 2027", "year: 2026", 1)
                 .replace("month: 2027-09", "month: 2026-09").replace("meeting: 2027-10-08", "meeting: 2026-10-08"),
                 "utf-8")
    with pytest.raises(ScenarioError) as e:
        evaluate_monitoring(m)
    assert "2027" in e.value.render("ru") and "2026" in e.value.render("ru")


def test_the_folders_overview_carries_the_review_in_brief(teplo):
    from okmo_models.municipality.overview import overview

    o = overview(TEPLO.parent)
    (brief,) = o.monitoring()
    assert brief["month"] == "2027-09" and brief["counts"] == teplo.counts()
    assert brief["overdue"] == 3 and brief["behind"][0] in ("budget.patents", "tariff.waste.cost_recovery")
    text = o.to_text("ru")
    assert "Мониторинг за сентябрь 2027" in text and "Просроченных поручений на дату совещания: 3." in text


def test_a_review_of_march_does_not_show_the_june_survey():
    march = evaluate_monitoring(TEPLO, "2027-03")
    assert [s.spec.id for s in march.surveys.surveys] == ["s2023"] and march.later_surveys == 1
    assert "Опросов, проведённых после месяца обзора, — 1" in __import__(
        "okmo_models.monitoring.export", fromlist=["to_text"]).to_text(march, "ru")


def test_each_input_file_is_listed_once(teplo):
    files = [(str(f.path.resolve()), f.sha256) for f in teplo.inputs]
    assert len(files) == len(set(files))


def test_every_bad_row_of_the_table_is_reported_at_once(tmp_path):
    import openpyxl

    dest = _copy(tmp_path)
    book = openpyxl.load_workbook(dest / "actuals.xlsx")
    book["actuals"]["B11"] = "ha"
    book["actuals"]["A12"] = "budget.no_such_line"
    book.save(dest / "actuals.xlsx")
    with pytest.raises(ScenarioError) as e:
        evaluate_monitoring(dest / "monitoring.yaml")
    assert [p.path for p in e.value.problems] == [("actuals!B11",), ("actuals!A12",)]


def test_a_month_typed_without_its_zero_is_refused_in_words(tmp_path):
    dest = _copy(tmp_path)
    m = dest / "monitoring.yaml"
    m.write_text(m.read_text("utf-8").replace("month: 2027-09", "month: 2027-9"), "utf-8")
    with pytest.raises(ScenarioError) as e:
        evaluate_monitoring(m)
    assert "ГГГГ-ММ" in e.value.render("ru") and "review.month" in e.value.render("ru")


def test_two_tariffs_of_one_file_name_are_refused_not_merged(tmp_path):
    dest = _copy(tmp_path)
    (dest / "other").mkdir()
    for name in ("waste.yaml", "passport.yaml"):  # the tariff reads its assets from the passport
        shutil.copy(dest / name, dest / "other" / name)
    m = dest / "monitoring.yaml"
    m.write_text(m.read_text("utf-8").replace("tariffs: [waste.yaml]", "tariffs: [waste.yaml, other/waste.yaml]"),
                 "utf-8")
    with pytest.raises(ScenarioError) as e:
        evaluate_monitoring(m)
    assert e.value.problems[0].key == "mo_indicator_twice" and "other/waste.yaml" in e.value.render("ru")


def test_a_reason_written_for_a_later_month_says_so_in_an_earlier_review():
    june = evaluate_monitoring(ALAMUDUN, "2027-06")
    water = _one(june, "programme.water_pipes.water_24h")
    assert water.reason_as_of == "2027-09"  # the table's reason speaks of September
    assert june.reason_text(water, "ru").endswith("(причина записана на сентябрь 2027)")
    september = _one(evaluate_monitoring(ALAMUDUN), "programme.water_pipes.water_24h")
    assert september.reason_as_of is None and september.reason in evaluate_monitoring(ALAMUDUN).reason_text(
        september, "ru")

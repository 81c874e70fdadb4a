"""Satisfaction surveys (okmo_models/monitoring/surveys.py): reading, weighting, the Wilson
interval and the two-proportion z-test, each checked against published or hand-worked numbers."""

from __future__ import annotations

import csv
import math
import re
from pathlib import Path

import pytest
from pydantic import ValidationError

from okmo_models.errors import ScenarioError
from okmo_models.i18n import _messages
from okmo_models.monitoring.surveys import (
    ALPHA,
    MIN_ANSWERS,
    Estimate,
    ReferencePoint,
    SurveySpec,
    change_text,
    compare,
    estimate_text,
    kish,
    read_survey,
    review,
    satisfaction,
    survey_results,
    weights,
    wilson,
)

EXAMPLE = Path(__file__).resolve().parents[1] / "okmo_models" / "examples" / "teploklyuchenka"
HEAD = ["respondent", "settlement", "sex", "vulnerable", "waste"]


def spec(file="s.csv", **over) -> SurveySpec:
    data = dict(id="s", date="2023-10", file=file, scale=[1, 5], satisfied=[4, 5],
                questions={"waste": {"ru": "Вывоз мусора", "ky": "Таштанды чыгаруу", "en": "Waste collection"}},
                source="survey")
    data.update(over)
    return SurveySpec.model_validate(data)


def write(path: Path, rows, head=HEAD, delimiter=",", encoding="utf-8") -> Path:
    with path.open("w", newline="", encoding=encoding) as f:
        w = csv.writer(f, delimiter=delimiter, lineterminator="\n")
        w.writerow(head)
        w.writerows(rows)
    return path


def people(n, satisfied, sex="female", vulnerable="no", start=0, answer_no=2):
    """``n`` respondents of one sex, the first ``satisfied`` answering 5, the rest ``answer_no``."""
    return [[f"R{start + i}", "Теплоключенка", sex, vulnerable, 5 if i < satisfied else answer_no] for i in range(n)]


# --- the z-test against a textbook ----------------------------------------------------------

def test_z_test_matches_the_textbook_example(tmp_path):
    """Illowsky & Dean, "Comparing Two Independent Population Proportions" (Connexions m17043,
    the text of OpenStax *Introductory Statistics*, §10.3): 20 of 200 adults given medication A
    and 12 of 200 given medication B still had hives; pooled proportion
    p_c = (20 + 12) / (200 + 200) = 0.08; two-sided p-value = 0.1404, not significant (the book
    tests at 1 %; it is not significant at 5 % either). z = 0.04 / √(0.08·0.92·(1/200 + 1/200))
    = 1.4744. Here through the whole path: two unweighted surveys read from CSV."""
    write(tmp_path / "a.csv", people(200, 20))
    write(tmp_path / "b.csv", people(200, 12))
    a = satisfaction(read_survey(spec("a.csv"), tmp_path), "waste")
    b = satisfaction(read_survey(spec("b.csv", id="b"), tmp_path), "waste")
    assert (a.share, a.n, a.n_eff) == (0.10, 200, 200)
    assert (b.share, b.n, b.n_eff) == (0.06, 200, 200)
    change = compare(a, b)
    assert change.difference_pp == pytest.approx(-4.0)
    assert change.z == pytest.approx(-0.04 / math.sqrt(0.08 * 0.92 * (1 / 200 + 1 / 200)))
    assert change.z == pytest.approx(-1.4744, abs=5e-5)
    assert round(change.p_value, 4) == 0.1404
    assert change.significant is False and change.alpha == ALPHA == 0.05
    assert "within the noise" in change_text(change, "en")
    assert "в пределах шума" in change_text(change, "ru")


def test_z_test_uses_the_effective_sample_sizes():
    """The same shares on 4 times the answers: z doubles (√4) — 2.9488, p = 0.0032 < 5 %."""
    a = Estimate("a", "2023-10", "waste", "all", 800, 80, "unweighted", 0.10, 800.0, 0, 0, 0)
    b = Estimate("b", "2027-06", "waste", "all", 800, 48, "unweighted", 0.06, 800.0, 0, 0, 0)
    change = compare(a, b)
    assert change.z == pytest.approx(-2 * 1.47442, abs=1e-4)
    assert change.p_value == pytest.approx(0.00319, abs=1e-5)
    assert change.significant is True
    assert "больше шума" in change_text(change, "ru")


@pytest.mark.parametrize("pa, na, pb, nb", [(0.10, 200, 0.06, 200), (0.5372, 341.57, 0.6306, 387.2),
                                            (0.46, 157.3, 0.475, 179.9), (0.9, 31, 0.2, 45.5)])
def test_z_test_and_interval_agree_with_statsmodels(pa, na, pb, nb):
    """Our written-out formulas against statsmodels' proportions_ztest (pooled) and
    proportion_confint(method="wilson"), fractional (effective) counts included."""
    from statsmodels.stats import proportion  # a dev dependency: the check never skips
    a = Estimate("a", "2023-10", "q", "all", int(na), 0, "sex", pa, na, 0, 0, 0)
    b = Estimate("b", "2027-06", "q", "all", int(nb), 0, "sex", pb, nb, 0, 0, 0)
    z, p = proportion.proportions_ztest([pb * nb, pa * na], [nb, na])
    change = compare(a, b)
    assert (change.z, change.p_value) == (pytest.approx(z, rel=1e-9), pytest.approx(p, rel=1e-9))
    low, high = proportion.proportion_confint(pa * na, na, alpha=0.05, method="wilson")
    assert wilson(pa, na) == (pytest.approx(low, rel=1e-9), pytest.approx(high, rel=1e-9))


# --- the Wilson interval against a published table --------------------------------------------

@pytest.mark.parametrize("x, n, low, high", [(81, 263, 0.2553, 0.3662), (15, 148, 0.0624, 0.1605),
                                            (0, 20, 0.0, 0.1611)])
def test_wilson_interval_matches_newcombe(x, n, low, high):
    """Newcombe (1998), "Two-sided confidence intervals for the single proportion: comparison of
    seven methods", Statistics in Medicine 17:857-872, Table I, method 3 (Wilson score, no
    continuity correction): 81/263 → 0.2553–0.3662, 15/148 → 0.0624–0.1605, 0/20 → 0–0.1611."""
    lo, hi = wilson(x / n, n)
    assert (round(lo, 4), round(hi, 4)) == (low, high)


def test_wilson_interval_of_a_read_survey(tmp_path):
    write(tmp_path / "s.csv", people(263, 81))
    e = satisfaction(read_survey(spec(), tmp_path), "waste")
    assert (e.n, e.satisfied) == (263, 81)
    assert (round(e.low, 4), round(e.high, 4)) == (0.2553, 0.3662)
    assert e.margin == pytest.approx((0.3662 - 0.2553) / 2, abs=1e-4)
    assert e.weighting == "unweighted"


# --- post-stratification and Kish's effective n, by hand --------------------------------------

def tiny(k=1):
    """k copies of: 2 women answering (1 satisfied), 1 woman not answering, 8 men (6 satisfied)."""
    rows = []
    for c in range(k):
        rows += people(2, 1, "female", start=100 * c)
        rows += [[f"R{100 * c + 2}", "Теплоключенка", "female", "no", ""]]
        rows += people(8, 6, "male", start=100 * c + 10)
    return rows


def test_post_stratified_weights_and_kish_by_hand(tmp_path):
    """Population 50 % women, 50 % men. Of the 10 who answered, 2 are women (20 %), 8 men (80 %):
    a woman weighs 0.5 / 0.2 = 2.5, a man 0.5 / 0.8 = 0.625; the woman who did not answer has no
    weight. Σw = 2·2.5 + 8·0.625 = 10; Σw² = 2·6.25 + 8·0.390625 = 15.625;
    Kish n_eff = 10² / 15.625 = 6.4. Satisfied: 1 woman, 6 men → weighted share
    (2.5 + 6·0.625) / 10 = 0.625 = 0.5·(1/2) + 0.5·(6/8); unweighted it would be 7/10 = 0.7.
    Three copies (30 answers, the least estimated): Σw = 30, Σw² = 46.875, n_eff = 900/46.875
    = 19.2, share 0.625."""
    s = spec(weight_by="sex", population={"female": 0.5, "male": "50 %"})
    write(tmp_path / "s.csv", tiny())
    survey = read_survey(s, tmp_path)
    w = weights(survey, "waste")
    assert sorted(w.values()) == [0.625] * 8 + [2.5] * 2
    assert "R2" not in w  # no answer, no weight
    assert kish(list(w.values())) == pytest.approx(6.4)
    small = satisfaction(survey, "waste")
    assert (small.n, small.share, small.reason) == (10, None, "too_few_answers")

    write(tmp_path / "s.csv", tiny(3))
    e = satisfaction(read_survey(s, tmp_path), "waste")
    assert (e.n, e.satisfied, e.weighting) == (30, 21, "sex")
    assert e.share == pytest.approx(0.625)
    assert e.n_eff == pytest.approx(19.2)
    low, high = wilson(0.625, 19.2)
    assert (e.low, e.high) == (pytest.approx(low), pytest.approx(high))
    unweighted = satisfaction(read_survey(spec(), tmp_path), "waste")
    assert (unweighted.share, unweighted.n_eff) == (pytest.approx(0.7), 30)


def test_a_weighting_cell_without_answers_is_refused(tmp_path):
    s = spec(weight_by="sex", population={"female": 0.51, "male": 0.49})
    write(tmp_path / "s.csv", people(40, 20, "male"))
    survey = read_survey(s, tmp_path)
    with pytest.raises(ScenarioError) as err:
        satisfaction(survey, "waste")
    assert err.value.problems[0].key == "sv_weight_cell_empty"
    assert "'female'" in err.value.render("en") and "«female»" in err.value.render("ru")


def test_weighting_by_settlement(tmp_path):
    """Two villages, 70 % / 30 % of the people, 20 / 20 answers: all satisfied in A, none in B →
    0.7 (unweighted 0.5); weights 1.4 and 0.6 → n_eff = 40² / (20·1.96 + 20·0.36) = 34.48."""
    rows = [[f"A{i}", "A", "ж", "нет", 5] for i in range(20)] + [[f"B{i}", "B", "м", "нет", 1] for i in range(20)]
    write(tmp_path / "s.csv", rows)
    e = satisfaction(read_survey(spec(weight_by="settlement", population={"A": 0.7, "B": 0.3}), tmp_path), "waste")
    assert e.share == pytest.approx(0.7)
    assert e.n_eff == pytest.approx(1600 / 46.4)


# --- groups -----------------------------------------------------------------------------------

def test_group_under_thirty_answers_is_not_estimated(tmp_path):
    rows = (people(29, 10, "female", "yes") + people(30, 10, "male", "да", start=100)
            + people(40, 30, "male", "no", start=200))
    write(tmp_path / "s.csv", rows)
    survey = read_survey(spec(), tmp_path)
    women, men, vulnerable = (satisfaction(survey, "waste", g) for g in ("women", "men", "vulnerable"))
    assert MIN_ANSWERS == 30
    assert (women.n, women.estimated, women.reason, women.share, women.margin) == (29, False, "too_few_answers",
                                                                                  None, None)
    assert (men.n, men.estimated) == (70, True) and men.share == pytest.approx(40 / 70)
    assert (vulnerable.n, vulnerable.estimated) == (59, True) and vulnerable.share == pytest.approx(20 / 59)
    assert "29" in estimate_text(women, "ru") and "не оценивается" in estimate_text(women, "ru")
    change = compare(women, men)
    assert (change.significant, change.reason, change.z) == (None, "too_few_answers", None)
    assert len(survey_results(survey)) == 4


# --- bad cells ----------------------------------------------------------------------------------

def test_bad_cells_are_refused_with_line_column_and_value(tmp_path):
    rows = [["R1", "Теплоключенка", "ж", "нет", 4],
            ["R2", "Теплоключенка", "x", "нет", 7],       # line 3: sex C3, answer E3
            ["R3", "Теплоключенка", "м", "может", "4,5"],  # line 4: vulnerable D4, answer E4
            ["R1", "Теплоключенка", "м", "да", ""],        # line 5: respondent twice A5
            ["R5", "", "аял", "ооба", "3"]]                # line 6: settlement missing B6
    write(tmp_path / "s.csv", rows)
    with pytest.raises(ScenarioError) as err:
        read_survey(spec(), tmp_path)
    found = {(p.path, p.key, p.value, p.line) for p in err.value.problems}
    assert found == {(("C3",), "sv_bad_sex", "x", 3), (("E3",), "sv_bad_answer", "7", 3),
                     (("D4",), "sv_bad_yes_no", "может", 4), (("E4",), "sv_bad_answer", "4,5", 4),
                     (("A5",), "sv_respondent_twice", "R1", 5), (("B6",), "sv_value_missing", None, 6)}
    en, ru = err.value.render("en"), err.value.render("ru")
    assert "s.csv" in en and "cell E3" in en and "value: '7'" in en and "from 1 to 5" in en
    assert "ячейка E4" in ru and "значение: '4,5'" in ru and "от 1 до 5" in ru
    assert "cell A5" in en and "already on line 2" in en
    assert "ячейка C3" in ru and "ж/м" in ru


def test_columns_unknown_or_missing_are_refused(tmp_path):
    write(tmp_path / "s.csv", [["R1", "Т", "ж", "нет", 4, 3]], head=["respondent", "settlement", "sex",
                                                                       "vulnerable", "wastes", "roads"])
    with pytest.raises(ScenarioError) as err:
        read_survey(spec(), tmp_path)
    keys = [(p.key, p.path, p.value) for p in err.value.problems]
    assert ("sv_column_unknown", ("E1",), "wastes") in keys and ("sv_column_unknown", ("F1",), "roads") in keys
    assert any(k == "sv_question_column_missing" for k, _, _ in keys)
    en = err.value.render("en")
    assert "Known columns: respondent, settlement, sex, vulnerable, waste" in en
    assert "'waste' is declared in survey s" in en


def test_a_windows_1251_table_with_semicolons_is_read(tmp_path):
    write(tmp_path / "s.csv", people(30, 15, "ж", "нет"), delimiter=";", encoding="cp1251")
    survey = read_survey(spec(), tmp_path)
    assert len(survey.respondents) == 30 and survey.respondents[0].sex == "female"
    assert survey.respondents[0].settlement == "Теплоключенка"
    assert satisfaction(survey, "waste").share == 0.5
    assert survey.input_file.role == "survey" and len(survey.input_file.sha256) == 64


def test_an_xlsx_survey_is_read_and_its_cells_named(tmp_path):
    openpyxl = pytest.importorskip("openpyxl")
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "опрос"
    ws.append(HEAD)
    for row in people(30, 12, "мужчина", 0):
        ws.append(row)
    wb.save(tmp_path / "s.xlsx")
    e = satisfaction(read_survey(spec("s.xlsx"), tmp_path), "waste")
    assert (e.n, e.share) == (30, pytest.approx(0.4))
    ws.append(["R99", "Т", "м", 0, 9])
    wb.save(tmp_path / "s.xlsx")
    with pytest.raises(ScenarioError) as err:
        read_survey(spec("s.xlsx"), tmp_path)
    assert [(p.path, p.value) for p in err.value.problems] == [(("опрос!E32",), "9")]
    assert "«опрос»" in err.value.render("ru") and "E32" in err.value.render("ru")


# --- the monitoring file's entries ----------------------------------------------------------------

def test_survey_spec_checks():
    def error(**over):
        with pytest.raises(ValidationError) as err:
            spec(**over)
        return err.value.errors()[0]["type"]

    assert error(weight_by="sex", population={"female": 0.6, "male": 0.49}) == "sv_population_sum"
    assert spec(weight_by="sex", population={"female": 0.5105, "male": 0.49}).population["female"] == 0.5105
    assert error(weight_by="sex", population={"women": 0.5, "men": 0.5}) == "sv_population_sexes"
    assert error(weight_by="sex") == "sv_weight_by_without_population"
    assert error(population={"female": 0.5, "male": 0.5}) == "sv_population_without_weight_by"
    assert error(date="2023-13") == "sv_bad_month"
    assert error(satisfied=[4, 6]) == "sv_satisfied_off_scale"
    assert error(scale=[5, 1]) == "sv_bad_scale"
    assert error(questions={"sex": "Пол"}) == "sv_bad_question_column"
    assert error(weight_by="age", population={"a": 1}) == "literal_error"
    point = ReferencePoint.model_validate({"year": 2023, "share": "56 %", "source": "seed_004"})
    assert point.fraction == pytest.approx(0.56) and point.group == "all"


def test_every_survey_message_is_in_three_languages_with_the_same_placeholders():
    keys = [k for k in _messages() if k.startswith("sv_")]
    assert len(keys) > 30
    for key in keys:
        entry = _messages()[key]
        assert all(entry.get(lang) for lang in ("ru", "ky", "en")), key
        fields = {lang: set(re.findall(r"(?<!\{)\{(\w+)\}", entry[lang])) for lang in ("ru", "ky", "en")}
        assert fields["ru"] == fields["ky"] == fields["en"], key


# --- the example surveys ------------------------------------------------------------------------

def example_spec(year: int) -> SurveySpec:
    return SurveySpec.model_validate(dict(
        id=f"s{year}", date="2023-10" if year == 2023 else "2027-06", file=f"surveys/{year}.csv",
        scale=[1, 5], satisfied=[4, 5], weight_by="sex", population={"female": 0.514, "male": 0.486},
        questions={"waste": "Вывоз мусора", "dipping_bath": "Ванна для купания овец",
                   "roads": "Внутренние дороги", "water": "Питьевая вода"}, source="survey"))


def test_the_example_surveys():
    """Teploklyuchenka's two example surveys (invented): October 2023, 380 respondents, women
    38 % of them (51.4 % of the people, as in monitoring.yaml), and June 2027, 400 respondents, women 49 %; ~17-18 %
    vulnerable. Made by a seeded script (random.Random(2023) / (2027)) giving each cell (sex ×
    vulnerable) exactly round(p × answers) satisfied answers (4 or 5; else 1-3), p by question:
    waste women 0.49 / men 0.61 in 2023, 0.62 / 0.66 in 2027; dipping bath (asked of livestock
    keepers only, ~40 % answer) 0.44 / 0.50 → 0.46 / 0.52; roads 0.35 / 0.41 → 0.38 / 0.44; water
    0.57 / 0.62 → 0.60 / 0.66; vulnerable residents 6 points lower. 2023 is written ж/м, да/нет,
    2027 аял/эркек, ооба/жок. Villages as in registers/households.csv (Теплоключенка 75 %,
    Ак-Булун 14 %, Кереге-Таш 11 % of households), drawn with random.Random(year + 1) at 80/12/8 %
    in 2023 and 77/13/10 % in 2027."""
    a, b = read_survey(example_spec(2023), EXAMPLE), read_survey(example_spec(2027), EXAMPLE)
    assert (len(a.respondents), len(b.respondents)) == (380, 400)
    assert sum(r.sex == "female" for r in a.respondents) == 144  # 38 %: under-represented
    assert 0.15 <= sum(r.vulnerable for r in a.respondents) / 380 <= 0.20

    # the weighted share is the population's mix of the two sexes' shares, counted here apart
    with (EXAMPLE / "surveys" / "2023.csv").open(encoding="utf-8") as f:
        rows = [r for r in csv.DictReader(f) if r["waste"]]
    share = {sex: sum(r["waste"] in "45" for r in rows if r["sex"] == sex) / sum(r["sex"] == sex for r in rows)
             for sex in ("ж", "м")}
    waste_a = satisfaction(a, "waste")
    assert waste_a.share == pytest.approx(0.514 * share["ж"] + 0.486 * share["м"])
    assert (waste_a.n, waste_a.satisfied) == (369, 204)
    assert waste_a.share == pytest.approx(0.5372, abs=1e-4)  # unweighted: 204/369 = 0.5528
    assert waste_a.n_eff == pytest.approx(341.57, abs=0.01)

    waste_b = satisfaction(b, "waste")
    assert waste_b.share == pytest.approx(0.6306, abs=1e-4)
    change = compare(waste_a, waste_b)
    assert change.difference_pp == pytest.approx(9.34, abs=0.01)
    assert change.z == pytest.approx(2.5547, abs=1e-4) and change.p_value == pytest.approx(0.0106, abs=1e-4)
    assert change.significant is True

    roads = compare(satisfaction(a, "roads"), satisfaction(b, "roads"))
    assert roads.difference_pp == pytest.approx(2.66, abs=0.01) and roads.significant is False
    assert roads.p_value == pytest.approx(0.4644, abs=1e-4)

    # weighted by village instead: the outlying villages were under-sampled (20 % of answers, 25 % of households)
    by_village = example_spec(2023).model_dump()
    by_village.update(weight_by="settlement",
                      population={"Теплоключенка": 0.752, "Ак-Булун": 0.143, "Кереге-Таш": 0.105})
    village = satisfaction(read_survey(SurveySpec.model_validate(by_village), EXAMPLE), "waste")
    assert (village.n, village.weighting) == (369, "settlement")
    assert village.n_eff == pytest.approx(359.23, abs=0.01) and village.share == pytest.approx(0.5616, abs=1e-4)

    # too few vulnerable livestock keepers answered in 2023: not estimated, the change not tested
    bath = satisfaction(a, "dipping_bath", "vulnerable")
    assert (bath.n, bath.estimated) == (29, False)
    assert compare(bath, satisfaction(b, "dipping_bath", "vulnerable")).significant is None


def test_the_review_of_a_monitoring_files_surveys():
    """Given in any order, the surveys are compared in date order; the seed's national figure
    (seed 004: 48 % in 2019) is carried beside them."""
    reference = [ReferencePoint.model_validate({"year": 2019, "share": "48 %", "source": "seed_004",
                                                "label": {"ru": "по стране", "ky": "өлкө боюнча", "en": "nationally"}})]
    r = review([example_spec(2027), example_spec(2023)], reference, EXAMPLE)
    assert [s.spec.id for s in r.surveys] == ["s2023", "s2027"]
    assert [f.role for f in r.inputs] == ["survey", "survey"]
    assert len(r.estimates) == 2 * 4 * 4 and len(r.changes) == 4 * 4
    d = r.to_dict("en")
    waste = next(c for c in d["changes"] if (c["question"], c["group"]) == ("waste", "all"))
    assert (waste["difference_pp"], waste["p_value"], waste["verdict"]) == (9.34, 0.0106, "more_than_noise")
    roads = next(c for c in d["changes"] if (c["question"], c["group"]) == ("roads", "all"))
    assert roads["verdict"] == "within_noise"
    bath = next(c for c in d["changes"] if (c["question"], c["group"]) == ("dipping_bath", "vulnerable"))
    assert (bath["verdict"], bath["not_tested"]) == ("not_tested", "too_few_answers")
    assert d["reference"] == [{"year": 2019, "share": 0.48, "group": "all", "label": "nationally",
                               "source": "seed_004", "source_text": "seed_004"}]
    women = ReferencePoint.model_validate({"year": 2023, "share": "63 %", "group": "women", "source": "seed_004"})
    sources = {"seed_004": {"en": "UUMU results 2024"}}
    lines = review([example_spec(2023)], [women], EXAMPLE, sources=sources).text_lines("en")
    assert lines[-1] == "For comparison: 2023, nationally, women — 63 % satisfied (source: UUMU results 2024)."
    ky = r.text_lines("ky")
    assert "кокус термелүүдөн чоң" in "\n".join(ky)
    assert ky[-1].startswith("Салыштыруу үчүн: 2019-жыл, өлкө боюнча — 48 %")


def test_a_survey_typed_with_russian_headings_reads_as_one_with_codes(tmp_path):
    # the fixed columns by their Russian headings: «респондент», «населённый пункт», «пол», «уязвимый»
    table = tmp_path / "ru.csv"
    rows = ["респондент;населённый пункт;пол;уязвимый;waste"]
    rows += [f"R{i};Теплоключенка;{'ж' if i % 2 else 'м'};нет;{4 if i % 3 else 2}" for i in range(40)]
    table.write_text("\n".join(rows) + "\n", "utf-8")
    spec = SurveySpec.model_validate({"id": "s", "date": "2027-06", "file": "ru.csv", "satisfied": [4, 5],
                                      "questions": {"waste": {"ru": "Вывоз мусора"}}, "source": "x"})
    survey = read_survey(spec, tmp_path)
    assert len(survey.respondents) == 40 and {r.sex for r in survey.respondents} == {"female", "male"}
    assert satisfaction(survey, "waste").satisfied == sum(1 for i in range(40) if i % 3)

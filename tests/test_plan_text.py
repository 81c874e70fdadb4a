"""The budget forecast and the development programme in the reader's words (issue 16): JSON
labels beside the ids, sources in three languages, measures by name, the fiscal space named
without codes, deficits with a real minus, formulas in single-letter symbols."""

import json
import re
import shutil

import pytest
import yaml

from conftest import SCENARIOS, write_yaml
from okmo_models.budget.export import to_text as budget_text
from okmo_models.budget.forecast import BudgetModel, forecast_budget, load_budget
from okmo_models.programme import evaluate_programme
from okmo_models.programme.export import to_json as programme_json, to_text as programme_text
from okmo_models.report import budget_sections, programme_sections
from reader_language import foreign_words

ALAMUDUN = SCENARIOS / "alamudun"
KOK_JAR = SCENARIOS / "kok-jar/budget.yaml"


@pytest.fixture(scope="module")
def programme():
    return evaluate_programme(ALAMUDUN / "programme.yaml")


@pytest.fixture(scope="module")
def kok_jar():
    return forecast_budget(KOK_JAR)


def test_budget_json_names_lines_methods_and_sources_in_the_readers_language(kok_jar):
    ky = json.loads(json.dumps(kok_jar.to_dict("ky")))
    land = next(line for line in ky["lines"] if line["line"] == "land_tax")
    assert land["method"] == "combination"  # the id stays for programs
    assert land["label"] == "Жер салыгы" and land["method_label"] == "ыкмалардын айкалышы"
    assert land["source"].startswith("Ойдон чыгарылган, бирок ишенимдүү")
    grant = next(line for line in ky["lines"] if line["line"] == "equalisation_grant")
    assert grant["method"] == "fixed" and "Финансы министрлигинин" in grant["source"]  # the policy's source
    assert ky["unit_label"] == "миң сом" and ky["cpi_source"].startswith("Декабрдан декабрга")
    ru = kok_jar.to_dict("ru")
    assert ru["lines"][0]["label"] == "Земельный налог" and ru["cpi_source"].startswith("ИПЦ декабрь к декабрю")


def test_budget_table_says_the_error_in_words(kok_jar):
    for lang, words in (("ru", "средняя абсолютная ошибка в %"), ("ky", "пайыз менен орточо абсолюттук ката")):
        text = budget_text(kok_jar, lang)
        assert words in text and "MAPE" not in text


def test_programme_json_gives_reasons_names_and_units_in_words(programme):
    ky = json.loads(programme_json(programme, "ky"))
    out = ky["optimal"]["reasons"]["septic_outskirts"]
    assert out["rule"] == "why_excludes" and out["other"] == "sewer_network"  # ids for programs
    assert out["text"] == "тандалган «Канализация тармактары, 1-кезек» менен дал келбейт"
    assert ky["optimal"]["indicators"]["kindergarten_places"]["unit_label"] == "орун"
    assert ky["optimal"]["indicators"]["wastewater_treated"]["unit_label"] == "м³/сутка"
    assert ky["optimal"]["indicators"]["green_area"]["label"] == "Көрктөндүрүлгөн жашыл аймактар"
    plant = next(m for m in ky["measures"] if m["id"] == "sewer_plant")
    assert plant["label"] == "Канализациянын тазалоочу курулмалары" and plant["source"].startswith("«Азыр негизги")
    assert ky["plan"]["gaps"][0]["measures_label"][0] == "Канализациянын тазалоочу курулмалары"
    assert ky["fiscal_space_from"] == "budget.yaml"
    assert ky["fiscal_space_source"] == "«budget.yaml» файлы боюнча бюджеттин болжолу"


def test_programme_table_names_each_measures_start_and_units(programme):
    text = programme_text(programme, "ru")
    assert "Свободные средства бюджета: прогноз бюджета по файлу «budget.yaml»" in text
    assert "sewer_plant" not in text and "kindergarten 2026" not in text
    starts = text.split("== Год начала мероприятий по вариантам ==")[1]
    assert any(line.startswith("Новый детский сад на 120 мест") and line.split()[-3:] == ["2026", "—", "2029"]
               for line in starts.splitlines())
    assert "Места в детских садах, мест" in text and "Очищаемые стоки, м³/сут." in text


def test_fiscal_space_of_a_budget_scenario_is_named_by_the_scenario(tmp_path):
    folder = tmp_path / "alamudun"
    shutil.copytree(ALAMUDUN, folder)
    data = yaml.safe_load((folder / "programme.yaml").read_text(encoding="utf-8"))
    data["budget_scenario"] = "land_tax_rate"
    result = evaluate_programme(write_yaml(folder, data, "programme.yaml"))
    assert result.space.origin == "budget.yaml (land_tax_rate)"  # as before, for programs
    assert result.space.describe("ky") == ("«budget.yaml» файлы боюнча бюджеттин болжолу, "
                                           "«Жер салыгынын ченин 20 %га жогорулатуу» сценарийи")


def test_sources_may_be_plain_or_in_three_languages(tmp_path):
    data = yaml.safe_load(KOK_JAR.read_text(encoding="utf-8"))
    data["sources"]["assumption"] = "Один текст для всех читателей"  # a plain string stays valid
    shutil.copy(KOK_JAR.parent / "history.csv", tmp_path / "history.csv")
    scenario = load_budget(write_yaml(tmp_path, data, "budget.yaml")).scenario
    assert scenario.sources["assumption"].get("ky") == "Один текст для всех читателей"
    assert scenario.sources["cpi"].get("en").startswith("CPI December on December")


@pytest.mark.parametrize("lang", ("ru", "ky"))
def test_report_lists_sources_by_number_and_text_not_by_key(lang, programme):
    results = BudgetModel(load_budget(KOK_JAR).scenario).fit_all()
    html = budget_sections.assumptions(results, lang)
    sources = results[None].scenario.sources
    assert "[1] " + sources["domain_budgets"].get(lang)[:40] in html
    assert "domain_budgets" not in html and "DOMAIN" not in html
    html = programme_sections.rules(programme, lang)
    assert "[1] " + programme.programme.sources["seed_000"].get(lang)[:30] in html
    assert "seed_000" not in html and "shared/seeds" not in html


def test_report_prints_a_deficit_and_a_fall_with_a_real_minus(programme):
    assert budget_sections.minus("-1\u00a0087,5") == "\u22121\u00a0087,5" and budget_sections.minus("3,0") == "3,0"
    html = programme_sections.fit(programme, "ru")
    assert "\u221213\u00a0672,8" in html and "-13\u00a0672,8" not in html  # the draft is short in 2026
    results = BudgetModel(load_budget(KOK_JAR).scenario).fit_all()
    html = budget_sections.scenarios(results, "ru", charts={})
    assert "\u221215,0" in html and "\u22121\u00a0087,5" in html  # the grant cut and its effect in 2027


@pytest.mark.parametrize("lang", ("ru", "ky"))
def test_methodology_uses_symbols_not_words(lang, programme):
    results = BudgetModel(load_budget(KOK_JAR).scenario).fit_all()
    for html in (budget_sections.methodology(results, lang), programme_sections.methodology(programme, lang)):
        assert not foreign_words(re.sub(r"<[^>]+>", " ", html))  # no MAPE, mean, exp, ln, local(t), max

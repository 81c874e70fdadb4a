"""The PDF budget forecast as a kenesh gets it: the model's figures with their sources,
sections with page numbers, scenarios, Kyrgyz letters; refusals and clear errors."""

import re
import shutil
import subprocess
import sys

import pytest
import yaml

from conftest import SCENARIOS, flat, needs_pdf_tools, render_two_ways, text_of, write_yaml
from okmo_models.budget.forecast import PERCENTILES, BudgetModel, compare, load_budget
from okmo_models.errors import ScenarioError
from okmo_models import formatting
from okmo_models.formatting import format_percent
from okmo_models.i18n import t
from okmo_models.kinds import KINDS, kind_of, plan_files
from okmo_models.report.build import render_report
from okmo_models.safe_write import FileExistsRefused


def format_number(x, decimals=2, lang="ru"):
    """The formatter's number as the PDF's text layer holds it: pdftotext gives a plain space
    where the page shows the no-break space between thousands; a negative figure is printed
    with a real minus (issue 16)."""
    return formatting.format_number(x, decimals, lang).replace("\u00a0", " ").replace("-", "\u2212")


pytestmark = needs_pdf_tools

KOK_JAR = SCENARIOS / "kok-jar/budget.yaml"
LANGS = ("ru", "ky")


def copy_kok_jar(folder, mutate=None):
    """Kok-Jar's budget file and its history table in ``folder``, the file changed by ``mutate``."""
    folder.mkdir(parents=True, exist_ok=True)
    shutil.copy(KOK_JAR.parent / "history.csv", folder / "history.csv")
    if mutate is None:
        shutil.copy(KOK_JAR, folder / "budget.yaml")
        return folder / "budget.yaml"
    data = yaml.safe_load(KOK_JAR.read_text(encoding="utf-8"))
    mutate(data)
    return write_yaml(folder, data, "budget.yaml")


@pytest.fixture(scope="module")
def reports(tmp_path_factory):
    """Kok-Jar rendered once per language, at the same time: in Russian by a folder run
    (`okmo report FOLDER`, which includes budget files), in Kyrgyz by render_report."""
    root = tmp_path_factory.mktemp("budget-reports")
    copy_kok_jar(root / "scenarios" / "kok-jar")
    return render_two_ways(root, KOK_JAR, "kok-jar_budget_2026_ru.pdf")


@pytest.fixture(scope="module")
def model():
    return BudgetModel(load_budget(KOK_JAR).scenario)


def test_file_is_named_after_the_first_forecast_year(reports, model):
    first = model.fit().forecast_years[0]
    assert first == 2026
    assert {lang: pdf.name for lang, pdf in reports.items()} == {
        lang: f"kok-jar_budget_{first}_{lang}.pdf" for lang in LANGS}


@pytest.mark.parametrize("lang", LANGS)
def test_budget_layout_figures_are_those_of_the_model(reports, model, lang):
    text = text_of(reports[lang])
    result = model.fit()
    summary = result.summary(lang)
    revenue = summary[summary.iloc[:, 0] == t("b_revenue_total", lang)]
    assert format_number(revenue[2026].item(), 1, lang) in text  # "11 875,9", as `okmo budget` prints it
    for row in summary.itertuples(index=False):
        for value in row[1:]:
            assert format_number(value, 1, lang) in text, row[0]
    for (_, line), values in result.forecast().iterrows():
        assert format_number(values[2027], 1, lang) in text, line


def test_source_data_and_every_source(reports, model):
    text = text_of(reports["ru"])
    result = model.fit()
    scenario = result.scenario
    for row in result.history:
        for value in row:
            assert format_number(value, 1, "ru") in text
    for value in scenario.population.values:
        assert format_number(value, 0, "ru") in text
    assert "14,7 %" in text and "Инфляция (индекс потребительских цен)" in text  # CPI of 2022
    # each line cites its source by number; every source is printed in full
    numbers = {key: n for n, key in enumerate(scenario.sources, 1)}
    assert "Земельный налог" in text and f"[{numbers['budget_reports']}]" in text
    body = flat(text)
    for key, source in scenario.sources.items():  # by number and text: the key is the file's id
        assert f"[{numbers[key]}] {flat(source.get('ru'))[:60]}" in body, key
        assert key not in body


def test_methods_with_their_errors_and_overrides(reports, model):
    text = text_of(reports["ru"])
    result = model.fit()
    methods = result.methods_table("ru")
    for line, row in methods.iterrows():
        for value in row.iloc[1:]:
            assert format_percent(value, 1, "ru") in text, line
    body = flat(text)
    assert "задано (политика)" in body and "задано политикой на 2026–2028" in body  # the ministry's grant
    assert "задан экономистом" in body  # wages follow prices by the economist's choice
    # a combination is shown with the methods it averages, in the reader's words
    i = result.chosen.index("combination")
    assert flat(result.method_label(i, "ru")) in body and "комбинация методов: " in body
    assert not re.search(r"damped_trend|smoothed_drift|average_growth|combination", body)
    assert "2020 по 2025 год (6 проверок)" in body


def test_uncertainty_scenarios_and_methodology(reports, model):
    text = text_of(reports["ru"])
    body = flat(text)
    results = model.fit_all()
    baseline = results[None]
    bands = baseline.intervals()
    for p in PERCENTILES:
        for value in bands.loc[("revenue", p)]:
            assert format_number(value, 0, "ru") in text
    for chance in baseline.deficit_probability():
        assert format_percent(chance, 0, "ru") in text
    assert "Статьи моделируются независимо друг от друга" in body
    for result in results.values():
        assert result.name("ru") in body
    for row in compare(list(results.values()), "ru").itertuples(index=False):
        assert format_number(row[3], 1, "ru") in text, row[:2]  # 2027, the year the changes start
    assert "Выравнивающий грант: \u221215,0 % с 2027 года — источник [6]" in body
    assert "Инфляция: 2026 — 12,0 %; 2027 — 10,0 %" in body
    assert "e^(σ(h)·Z − σ(h)²/2)" in body  # the spread of each year ahead (issue 18)


def test_contents_point_to_the_pages_of_the_sections(reports):
    text = text_of(reports["ru"])
    pages = text.split("\f")
    assert "Содержание" in pages[1]
    headings = ["Исходные данные и их источники", "Методы прогноза и их ошибка на истории",
                "Бюджет на очередной год и плановый период", "Долгосрочный прогноз и неопределённость",
                "Сценарии", "Допущения и источники", "Методика прогноза"]
    for n, heading in enumerate(headings, 1):
        entry = re.search(rf"(?m)^\s*{n}\. {heading}\s+(\d+)\s*$", pages[1])
        assert entry, heading
        page = int(entry.group(1))
        assert f"{n}. {heading}" in flat(pages[page - 1]), (heading, page)
    total = len([p for p in pages if p.strip()])
    assert f"Стр. 2 из {total}" in pages[1]


def test_title_page_and_stamp(reports):
    text = text_of(reports["ru"])
    title = flat(text.split("\f")[0])
    assert "Кок-Жарский айыл окмоту (условный)" in title
    assert "ПРОГНОЗ МЕСТНОГО БЮДЖЕТА" in title
    assert "на 2026–2028 годы и на период до 2033 года" in title
    sha = load_budget(KOK_JAR).sha256
    body = flat(text).replace(" ", "")
    assert sha in body  # the hash may wrap; the history table's own hash follows it
    assert "history.csv" in text


def test_kyrgyz_letters_survive(reports):
    text = text_of(reports["ky"])
    for letter in "өүңӨҮ":
        assert letter in text
    assert "ЖЕРГИЛИКТҮҮ БЮДЖЕТТИН БОЛЖОЛУ" in text
    assert "Мазмуну" in text and "Теңдөөчү грантты 15 %га кыскартуу" in flat(text)
    assert "2/" in text.split("\f")[1]  # "2/11-бет": pages are numbered in Kyrgyz


@pytest.mark.parametrize("lang", LANGS)
def test_no_code_prompts_or_tracebacks(reports, lang):
    text = text_of(reports[lang])
    for bad in ("In [", "Out[", "Traceback", "okmo_models", "display(", "import ", "Warning",
                "WARNING", "result.", "def ", "None", "nan", "br_", "line_b_"):
        assert bad not in text, bad


def test_existing_report_is_not_overwritten(reports):
    pdf = reports["ru"]
    before = pdf.read_bytes()
    with pytest.raises(FileExistsRefused):
        render_report(KOK_JAR, "ru", pdf.parent)
    assert pdf.read_bytes() == before


def test_broken_budget_file_gives_a_clear_error_and_no_file(tmp_path):
    broken = copy_kok_jar(tmp_path / "ao", lambda d: d["fixed"]["equalisation_grant"].update(source="letter"))
    out = tmp_path / "out"
    with pytest.raises(ScenarioError) as info:
        render_report(broken, "ru", out)
    assert "fixed.equalisation_grant.source" in info.value.render("ru") and "letter" in info.value.render("ru")
    assert not out.exists() or not any(out.iterdir())
    proc = subprocess.run([sys.executable, "-m", "okmo_models.cli", "report", str(broken), "-o", str(out)],
                          capture_output=True, text=True)
    assert proc.returncode == 2 and "Traceback" not in proc.stderr
    assert "fixed.equalisation_grant.source" in proc.stderr
    assert not out.exists() or not any(out.iterdir())


def test_folder_run_includes_budget_files(reports, tmp_path):
    # the module's Russian report came from a folder run: it is the budget file's, and alone
    assert sorted(p.name for p in reports["ru"].parent.iterdir()) == ["kok-jar_budget_2026_ru.ipynb",
                                                                      "kok-jar_budget_2026_ru.pdf"]
    assert "ПРОГНОЗ МЕСТНОГО БЮДЖЕТА" in text_of(reports["ru"])
    folder = tmp_path / "scenarios"
    copy_kok_jar(folder / "kok-jar")
    (folder / "ak-bulak").mkdir()
    shutil.copy(SCENARIOS / "ak-bulak/water.yaml", folder / "ak-bulak/water.yaml")
    # a kind of file with no report is left out, not failed as a tariff scenario
    (folder / "kok-jar/notes.yaml").write_text("schema_version: 1\nkind: meeting_notes\n", encoding="utf-8")
    assert [p.relative_to(folder).as_posix() for p in plan_files(folder)] == [
        "ak-bulak/water.yaml", "kok-jar/budget.yaml"]


def test_kind_of_file_and_a_variant_of_a_budget(tmp_path):
    budget = copy_kok_jar(tmp_path)
    (tmp_path / "variant.yaml").write_text("variant_of: budget.yaml\nchanges: {}\n", encoding="utf-8")
    assert kind_of(budget) is KINDS["budget"]
    assert kind_of(tmp_path / "variant.yaml") is KINDS["budget"]
    assert kind_of(SCENARIOS / "teploklyuchenka/waste.yaml") is KINDS["tariff"]


def test_title_page_shows_the_files_description(model):
    from okmo_models.report import budget_sections
    from okmo_models.scenario.schema import LocalText

    scenario = model.scenario.model_copy(update={"description": LocalText(ru="Условный пример", ky="Шарттуу мисал")})
    html = budget_sections.title_page(BudgetModel(scenario).fit_all(), "ky")
    assert "Шарттуу мисал" in html and "ЖЕРГИЛИКТҮҮ БЮДЖЕТТИН БОЛЖОЛУ" in html


def test_a_budget_without_scenarios_or_residents_leaves_their_parts_out(model):
    from okmo_models.report import budget_sections

    scenario = model.scenario.model_copy(update={"scenarios": {}, "population": None})
    results = BudgetModel(scenario).fit_all()
    html = budget_sections.body(results, "en")
    assert budget_sections.outline(scenario) == ["r_inputs", "br_methods", "br_budget", "br_uncertainty",
                                                 "br_assumptions", "br_methodology"]
    assert "5. Assumptions and sources" in html and "Scenarios" not in html
    assert "Residents" not in html and "per resident" not in html
    for bad in ("None", "nan", "br_", "line_b_"):
        assert bad not in html, bad

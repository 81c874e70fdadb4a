"""The PDF report of a settlement passport as a kenesh deputy and a consultant get it: the
figures of ``okmo passport`` (its JSON), the needs ranked with the make-up of their points and
the file's own scale cited, every object by settlement, the repairs, sections with page
numbers, in Russian, Kyrgyz and English with no code or English word in the first two."""

import json
import re
import shutil
import subprocess
import sys

import pytest
import yaml
from conftest import (
    SCENARIOS,
    flat,
    needs_pdf_tools,
    render_two_ways,
    text_of,
    write_yaml,
)
from reader_language import foreign_words

from okmo_models import formatting
from okmo_models.errors import ScenarioError
from okmo_models.i18n import t
from okmo_models.kinds import KINDS, kind_of, plan_files
from okmo_models.passport import evaluate_passport
from okmo_models.report.build import render_report

TEPLO = SCENARIOS / "teploklyuchenka/passport.yaml"
LANGS = ("ru", "ky", "en")


def shown(x, decimals=0, lang="ru"):
    """A figure as the PDF's text layer holds it (a plain space for the no-break space)."""
    return formatting.format_number(x, decimals, lang).replace("\u00a0", " ")


def passport_data() -> dict:
    return yaml.safe_load(TEPLO.read_text(encoding="utf-8"))


def reading_order(pdf) -> str:
    """The text in reading order (no layout): a table cell that wraps stays in one piece."""
    return flat(subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True).stdout)


@pytest.fixture(scope="module")
def result():
    return evaluate_passport(TEPLO)


def okmo_json(*args) -> dict:
    """What ``okmo ARGS`` prints, run in this process, read as JSON."""
    import contextlib
    import io

    from okmo_models.cli import main

    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        assert main([str(a) for a in args]) == 0
    return json.loads(out.getvalue())


@pytest.fixture(scope="module")
def as_json():
    """What ``okmo passport FILE --format json`` prints, per language."""
    return {lang: okmo_json("--quiet", "--lang", lang, "passport", TEPLO, "--format", "json") for lang in LANGS}


@pytest.fixture(scope="module")
def reports(tmp_path_factory):
    """The example rendered in Russian by a folder run (`okmo report FOLDER` picks passport
    files up), in Kyrgyz and English by render_report."""
    root = tmp_path_factory.mktemp("passport-reports")
    folder = root / "scenarios" / "teploklyuchenka"
    folder.mkdir(parents=True)
    shutil.copy(TEPLO, folder / "passport.yaml")
    out = render_two_ways(root, TEPLO, "teploklyuchenka_passport_2026_ru.pdf")
    out["en"] = render_report(TEPLO, "en", root / "single")
    return out


@needs_pdf_tools
def test_files_are_named_after_the_passport_year(reports):
    assert {lang: pdf.name for lang, pdf in reports.items()} == {
        lang: f"teploklyuchenka_passport_2026_{lang}.pdf" for lang in LANGS}


@needs_pdf_tools
@pytest.mark.parametrize("lang", LANGS)
def test_figures_are_those_of_okmo_passport_json(reports, as_json, lang):
    data = as_json[lang]
    text = text_of(reports[lang])
    body = flat(text)
    assert data["needs_cost"] == 145_320_000
    assert flat(t("pp_needs_cost", lang, count=len(data["needs"]), cost=shown(data["needs_cost"], 0, lang),
                  unit=t("b_unit_som", lang))) in body
    # the first need: the health post, 60 for its condition + 10 for a third of the need unmet + 10
    first = data["needs"][0]
    assert first["object"] == "health_post" and first["points"] == 80
    row = re.search(r"(?m)^ *1 +(\S.*?) {2,}.*?60[,.]0 +10[,.]0 +10[,.]0 +80[,.]0 *$", text)
    assert row, text[:3000]
    # every need's total points, in the order of the JSON
    objects = {o["id"]: o for o in data["objects"]}
    ranking = text[text.index(t("ppr_ranking_title", lang)):]
    at = 0
    for need in data["needs"]:
        found = re.search(rf"(?m)^ *{need['rank']} +.*{re.escape(shown(need['points'], 1, lang))} *$", ranking[at:])
        assert found, need
        at += found.end()
    # a balance value and the total of all objects
    school = objects["school"]
    assert school["balance_value"] == 21_000_000
    assert re.search(rf"(?m)^ *{re.escape(school['name'][:8])}.*{shown(21_000_000, 0, lang)}", text)
    total = sum(o["balance_value"] or 0 for o in data["objects"])
    assert total == 59_330_000 and body.count(shown(total, 0, lang)) >= 2  # by condition, by settlement


@needs_pdf_tools
def test_works_method_and_sources(reports, result):
    text = text_of(reports["ru"])
    body = flat(text)
    # the works proposed first, with their cost, running cost and source
    assert re.search(r"(?m)^ *2 +Водопроводная сеть +Реконструкция и расширение сети, +3 +31 км +62 000 000 +400 000 +\[2\]",
                     text)
    assert re.search(r"(?m)^ *6 +ЗИЛ № 1 +работы не предложены", text)
    assert re.search(r"Итого первоочередные +145 320 000", text)
    # the scale of points is the file's own, cited to its source, and the sources are listed
    numbers = {key: n for n, key in enumerate(result.passport.sources, 1)}
    assert f"Баллы взяты из паспорта [{numbers['priority_rules']}]" in body
    assert re.search(r"Состояние: аварийное +60,0", text) and re.search(r"требованиям +10,0", text)
    for key, n in numbers.items():
        source = flat(result.passport.sources[key].get("ru"))
        assert f"[{n}] {source[:60]}" in body, key
    assert "P = C + S · (N − K) / N + R" in body


@needs_pdf_tools
def test_objects_by_settlement_and_repairs(reports):
    text = text_of(reports["ru"])
    body = flat(text)
    assert "с. Теплоключенка: население 15 180 чел. [3]" in body
    # built, age, condition, capacity against need, requirements
    assert re.search(r"(?m)^ *Средняя школа +школа +1968 +58 +неудовлетворительное +900 мест +1 150 мест +нет", text)
    # bought later than built; owner, value, useful life, the tariff that carries it, last capital repair
    assert "1975 (на балансе с 2018)" in reading_order(reports["ru"])
    assert re.search(r"(?m)^ *Мусоровоз с задней загрузкой +муниципальное +3 500 000 +10 +Вывоз твёрдых бытовых", text)
    assert re.search(r"(?m)^ *Купка \(ванна, загоны, навес\) — +айыл окмоту +800 000 +20 +Купание овец и коз +2018 +\[1\]",
                     text)
    # repairs, latest first, and their total
    history = text[text.index("4. История ремонтов"):]
    years = [int(y) for y in re.findall(r"(?m)^ *(20\d\d) +\S", history)]
    assert years == sorted(years, reverse=True) and years[0] == 2025 and len(years) == 7
    assert re.search(r"Итого +10 130 000", history)


@needs_pdf_tools
def test_contents_point_to_the_pages_of_the_sections(reports):
    pages = text_of(reports["ru"]).split("\f")
    assert "Содержание" in pages[1]
    headings = ["Сводка", "Потребности по приоритету", "Объекты по населённым пунктам", "История ремонтов",
                "Источники"]
    for n, heading in enumerate(headings, 1):
        entry = re.search(rf"(?m)^\s*{n}\. {heading}\s+(\d+)\s*$", pages[1])
        assert entry, heading
        assert f"{n}. {heading}" in flat(pages[int(entry.group(1)) - 1]), heading
    total = len([p for p in pages if p.strip()])
    assert f"Стр. 2 из {total}" in pages[1]


@needs_pdf_tools
def test_title_page_and_stamp(reports, result):
    for lang in LANGS:
        title = flat(text_of(reports[lang]).split("\f")[0])
        assert result.passport.municipality.name.get(lang) in title
        assert t("ppr_title", lang) in title and t("pp_as_of", lang, year=2026) in title
    assert result.sha256 in flat(text_of(reports["ru"])).replace(" ", "")


@needs_pdf_tools
def test_kyrgyz_letters_survive(reports):
    text = text_of(reports["ky"])
    for letter in "өүң":
        assert letter in text
    body = flat(text)
    assert "Калктуу конуштун паспорту" in body and "Мазмуну" in text and "2/" in text.split("\f")[1]
    assert "Артыкчылык кантип эсептелген" in body


@needs_pdf_tools
@pytest.mark.parametrize("lang", ("ru", "ky"))
def test_no_english_word_code_or_path_in_russian_and_kyrgyz(reports, lang):
    text = text_of(reports[lang])
    own = {p.name for p in TEPLO.parent.iterdir()}  # the file names the sources quote
    foreign = foreign_words(text, own)
    assert not foreign, dict(foreign)
    for bad in ("Traceback", "None", "nan", "ppr_", "pp_", "In ["):
        assert bad not in text, bad


@needs_pdf_tools
def test_english_report_has_no_russian_or_kyrgyz(reports):
    text = text_of(reports["en"])
    body = flat(text)
    cyrillic = re.findall(r"[А-Яа-яЁёӨөҮүҢң]+", body)
    assert not cyrillic, cyrillic[:20]
    assert "Settlement passport" in body and "145,320,000" in body and "How the priority is computed" in body


def test_money_keeps_its_digits_together():
    """Amounts are printed with no-break spaces (a figure never breaks across lines)."""
    from okmo_models.report import passport_sections

    html = passport_sections.read(TEPLO).html("ru")
    assert "145\u00a0320\u00a0000" in html and "21\u00a0000\u00a0000" in html
    assert not re.search(r"\d \d{3}(?!\d)", html)


def test_two_settlements_an_object_not_built_and_thousands(tmp_path):
    """A passport of two villages in thousand som, a kindergarten still to build: it is a
    need with no condition, its settlement gets its own tables, totals add both."""
    from okmo_models.report import passport_sections

    data = passport_data()
    data["unit"] = "thousand_som"
    data["settlements"].append({"id": "kok_say", "name": {"ru": "с. Кок-Сай", "ky": "Кок-Сай айылы", "en": "Kok-Sai"},
                                "population": 1200, "source": "assumption"})
    data["objects"].append({
        "id": "kok_say_kindergarten", "settlement": "kok_say", "type": "kindergarten",
        "name": {"ru": "Детский сад в Кок-Сае", "ky": "Кок-Сайдагы бала бакча", "en": "Kok-Sai kindergarten"},
        "need": 60, "served": 60,
        "options": [{"id": "build", "name": {"ru": "Строительство на 60 мест", "ky": "60 орундуу куруу",
                                              "en": "Build for 60 places"},
                     "cost": 24500.5, "years": 2, "capacity_after": 60, "source": "assumption"}],
        "source": "assumption"})
    result = evaluate_passport(write_yaml(tmp_path, data, "passport.yaml"))
    html = passport_sections.read(tmp_path / "passport.yaml").html("ru")
    text = flat(re.sub(r"<[^>]+>", " ", html).replace("\u00a0", " ").replace("\u00ad", ""))
    new = next(n for n in result.needs if n.object.id == "kok_say_kindergarten")
    # no condition: the points for an object not built, and the whole need unmet
    assert new.points == result.passport.priority.not_built + result.passport.priority.shortfall
    assert "с. Кок-Сай: население 1 200 чел." in text
    assert "Детский сад в Кок-Сае детский сад не построен — —" in text
    assert "Строительство на 60 мест 2 60 мест 24 500,5" in text
    assert f"Итого 16 380 {len(result.objects_table())} {len(result.needs)} {shown(result.needs_cost(), 1)}" in text
    urgent = "; ".join(n.object.name.get("ru") for n in result.needs
                       if n.object.condition == "emergency" or n.object.built is None)
    assert "Детский сад в Кок-Сае" in urgent and "Водопроводная сеть" in urgent
    assert f"В аварийном состоянии или ещё не построены: {urgent}." in text
    assert re.search(r"Объект нужен, но ещё не построен \(вместо баллов за состояние\) \d+,0", text)
    assert "Единица сумм: тыс. сом" in text


def test_a_changed_condition_moves_the_need(tmp_path):
    """Next year's passport written as a difference: the club is now in emergency condition,
    so it climbs the ranking, and the report names last year's file in its stamp."""
    from okmo_models.report import passport_sections

    shutil.copy(TEPLO, tmp_path / "passport.yaml")
    (tmp_path / "passport_2027.yaml").write_text(
        "variant_of: passport.yaml\nchanges:\n  year: 2027\n  objects:\n    club: {condition: emergency}\n",
        encoding="utf-8")
    document = passport_sections.read(tmp_path / "passport_2027.yaml")
    html = document.html("ru").replace("\u00a0", " ")
    ranking = re.sub(r"<[^>]+>", " ", html[html.index(t("ppr_ranking_title", "ru")):])
    assert re.search(r"3\s+Дом культуры\s+с\.\s+Теплоключенка\s+аварийное", ranking)
    assert "на 1 января 2027 года" in html and "passport.yaml" in html
    assert t("rb_file_baseline", "ru") in html


def test_broken_passport_gives_a_clear_error_and_no_file(tmp_path):
    data = passport_data()
    data["objects"][0]["settlement"] = "nowhere"
    broken = write_yaml(tmp_path, data, "passport.yaml")
    out = tmp_path / "out"
    with pytest.raises(ScenarioError) as info:
        render_report(broken, "ru", out)
    assert "nowhere" in info.value.render("ru")
    assert not out.exists() or not any(out.iterdir())
    proc = subprocess.run([sys.executable, "-m", "okmo_models.cli", "report", str(broken), "-o", str(out)],
                          capture_output=True, text=True, check=False)
    assert proc.returncode == 2 and "Traceback" not in proc.stderr and "nowhere" in proc.stderr
    assert not out.exists() or not any(out.iterdir())


def test_folder_run_includes_passport_files(tmp_path):
    shutil.copy(TEPLO, tmp_path / "passport.yaml")
    assert kind_of(tmp_path / "passport.yaml") is KINDS["passport"]
    assert [p.name for p in plan_files(tmp_path)] == ["passport.yaml"]


def test_a_tariff_that_reads_its_assets_from_the_passport_names_it_in_its_stamp():
    """The waste tariff takes its vehicles from the passport (assets_from): its justification's
    stamp lists the passport file as read, by its role (a KeyError before), and so does a
    budget forecast from the economic base; a role with no word of its own is an input file."""
    from pathlib import Path

    from okmo_models.provenance import InputFile
    from okmo_models.report import blocks, sections

    document = sections.read(SCENARIOS / "teploklyuchenka/waste.yaml")
    roles = {f.role: f for f in document.result.provenance.inputs}
    assert roles["passport"].path.name == "passport.yaml"
    html = document.sections.stamp_and_signatures(document.result, "ru").replace("\u00a0", " ")
    assert f"файл паспорта «passport.yaml»; SHA-256 <span class=\"hash\">{roles['passport'].sha256}</span>" in html
    files = [InputFile("scenario", Path("budget.yaml"), "aa"), InputFile("economic_base", Path("eb.yaml"), "bb"),
             InputFile("plan", Path("waste.yaml"), "cc"), InputFile("some_new_role", Path("x.yaml"), "dd")]
    html = blocks.stamp_and_signatures(files, "ky", "br_stamp")
    assert "экономикалык база файлы «eb.yaml»" in html and "баштапкы файл «x.yaml»" in html
    assert "бюджет менен байланышкан план «waste.yaml»" in html  # a tariff the budget pays for, said so

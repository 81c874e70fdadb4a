"""A tariff scenario's texts in the reader's language (issue 16): sources written in several
languages, a file written in Kyrgyz alone, the stamp without the package's internal names."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import yaml
from conftest import waste_scenario, with_records, write_yaml
from reader_language import foreign_words

from okmo_models.examples import example_path
from okmo_models.provenance import InputFile
from okmo_models.report.blocks import stamp_and_signatures
from okmo_models.scenario.schema import LocalText, Scenario


def okmo(*args) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "okmo_models.cli", *args], check=False, capture_output=True, text=True,
                          env={**os.environ, "COLUMNS": "100"}, timeout=300)


def only(data, lang: str):
    """``data`` with every text written in several languages kept in ``lang`` alone."""
    if isinstance(data, dict):
        if data and set(data) <= {"ru", "ky", "en"} and lang in data:
            return {lang: data[lang]}
        return {k: only(v, lang) for k, v in data.items()}
    if isinstance(data, list):
        return [only(v, lang) for v in data]
    return data


def test_a_source_in_languages_follows_lang(tmp_path):
    data = waste_scenario()
    data["sources"]["hand"] = {"ru": "Оценка составителя", "ky": "Түзүүчүнүн баасы", "en": "The author's estimate"}
    path = write_yaml(tmp_path, data)
    for lang, text in (("ru", "Оценка составителя"), ("ky", "Түзүүчүнүн баасы"), ("en", "The author's estimate")):
        result = json.loads(okmo("--lang", lang, "tariff", str(path), "--format", "json").stdout)
        assert {c["source"] for c in result["cost_lines"] if not c["derived"]} == {text}


def test_a_plain_source_is_shown_to_every_reader(tmp_path):
    data = waste_scenario()
    data["sources"]["hand"] = "Решение кенеша № 5"
    path = write_yaml(tmp_path, data)
    for lang in ("ru", "ky", "en"):
        result = json.loads(okmo("--lang", lang, "tariff", str(path), "--format", "json").stdout)
        assert {c["source"] for c in result["cost_lines"] if not c["derived"]} == {"Решение кенеша № 5"}
        assert not [n for n in result["notes"] if n["key"] == "tt_language_fallback"]


def test_a_source_needs_some_language():
    data = waste_scenario()
    data["sources"]["hand"] = {"de": "Schätzung"}
    problems = []
    try:
        Scenario.model_validate(data)
    except Exception as exc:  # noqa: BLE001 - pydantic's error, its first location is enough
        problems = [e["loc"] for e in exc.errors()]
    assert problems == [("sources", "hand", "ru"), ("sources", "hand", "de")]


def test_kyrgyz_only_text():
    text = LocalText.model_validate({"ky": "Айдоочулар"})
    assert [text.get(lang) for lang in ("ru", "ky", "en")] == ["Айдоочулар"] * 3
    assert text.missing("ru") and not text.missing("ky")
    assert not LocalText.model_validate("Водители").missing("ky")  # a plain string is for everyone


def test_a_kyrgyz_only_file_is_valid_and_says_so(tmp_path):
    """A file with names and sources written in Kyrgyz alone: before, every name was refused
    ("ru" missing); now it is read, and a Russian reader is told the texts are in Kyrgyz."""
    data = only(yaml.safe_load(example_path("teploklyuchenka/waste.yaml").read_text("utf-8")), "ky")
    assert "ru" not in json.dumps(data["municipality"]["name"])
    path = with_records(tmp_path / "таштанды.yaml")
    path.write_text(yaml.safe_dump(data, allow_unicode=True), "utf-8")
    done = okmo("--lang", "ru", "check", str(path))
    assert done.returncode == 0, done.stderr
    # okmo check says so too (it said only "the file is correct")
    assert "записана не на русском языке; они приведены так, как записаны (на кыргызском)" in done.stdout
    assert len(okmo("--lang", "ky", "check", str(path)).stdout.strip().splitlines()) == 1  # no note in Kyrgyz
    ru = okmo("--lang", "ru", "tariff", str(path))
    assert ru.returncode == 0, ru.stderr
    assert "Теплоключенка айыл өкмөтү" in ru.stdout  # the Kyrgyz name, as written
    assert "записана не на русском языке; они приведены так, как записаны (на кыргызском)" in ru.stdout
    ky = okmo("--lang", "ky", "tariff", str(path), "--format", "json")
    assert not [n for n in json.loads(ky.stdout)["notes"] if n["key"] == "tt_language_fallback"]
    en = json.loads(okmo("--lang", "en", "tariff", str(path), "--format", "json").stdout)
    assert [n["text"] for n in en["notes"] if n["key"] == "tt_language_fallback"] == [
        "Some names and sources in the file are not written in English; they are shown as written (in Kyrgyz)."]


def test_the_bundled_examples_need_no_language_note():
    for example in ("teploklyuchenka/waste.yaml", "teploklyuchenka/dipping_bath.yaml",
                    "teploklyuchenka/shared_landfill.yaml", "ak-bulak/water.yaml"):
        for lang in ("ru", "ky"):
            result = json.loads(okmo("--lang", lang, "tariff", str(example_path(example)), "--format", "json").stdout)
            assert not [n for n in result["notes"] if n["key"] == "tt_language_fallback"], (example, lang)


def test_the_stamp_names_no_internal_package():
    html = stamp_and_signatures([InputFile("scenario", Path("/tmp/x/мой_тариф.yaml"), "ab12cd34ef56")], "ky")
    assert "okmo-models" not in html and "/tmp/x" not in html
    assert "мой_тариф.yaml" in html and "SHA-256" in html and "ab12cd34ef56" in html
    visible = re.sub(r"<[^>]+>", " ", html)
    assert not foreign_words(visible, {"мой_тариф.yaml"})


def test_signed_changes_have_a_real_minus_and_plus():
    text = okmo("--lang", "ru", "tariff", str(example_path("ak-bulak/water.yaml"))).stdout
    assert "+46,1 %" in text  # the change against today's tariff
    assert "\u2212350,80 сом" in text  # revenue at the rounded tariffs minus at the exact ones
    assert "-350,80" not in text


def test_the_justification_cites_sources_by_number_and_keeps_them_whole():
    from okmo_models.report import sections
    from okmo_models.tariff import calculate_tariff

    result = calculate_tariff(example_path("teploklyuchenka/waste.yaml"))
    numbers = sections.references(result, "ky")
    assert list(numbers)[0].startswith("«Муниципалитет» журналы")  # the file's first source is [1]
    inputs = sections.inputs(result, "ky")
    assert "wage_issyk_kul" not in inputs and "[5]" in inputs  # cited by number, never by key
    html = sections.assumptions(result, "ky")
    assert '<span class="url">https://jae.kg/ky/abonentterge/tarifter/</span>' in html  # on one line
    assert "46\u00a0261\u00a0сом" in html  # a number is not split across lines
    assert "seed_001" not in html and "wage_issyk_kul" not in html
    stamp = sections.stamp_and_signatures(result, "ky")
    assert stamp.startswith('<div class="closing">')  # kept with the text before it (report.css)

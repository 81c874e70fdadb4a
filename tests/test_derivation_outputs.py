"""Derived cost lines shown to a reader (issue 22): the terminal and the PDF justification give
each line derived from the staffing table or the production programme with its steps in words
and numbers, in the reader's language, and the sources the steps rest on; the CSV gives the
quantity and the price they end in."""

from __future__ import annotations

import csv
import io
import re
import shutil
import subprocess

import pytest
from conftest import SCENARIOS, waste_scenario, write_yaml
from reader_language import foreign_words

from okmo_models import calculate_tariff
from okmo_models.formatting import format_number
from okmo_models.i18n import t
from okmo_models.report import sections
from okmo_models.report.build import find_chromium, render_report
from okmo_models.tariff.export import to_csv, to_text

WASTE = SCENARIOS / "teploklyuchenka" / "waste.yaml"
OWN = {p.name for p in WASTE.parent.iterdir()}

# the garbage truck's route, worked by hand: trips a day x days x weeks x km x litres per km
# x (1 + winter 10 % for 6 months of 12 + mountains 10 % + stops 10 %)
TRUCK_LITRES = 2 * 5 * 50 * 24 * 25 / 100 * (1 + 0.10 * 6 / 12 + 0.10 + 0.10)
TRUCK = {
    "ru": "2 рейса × 5 дней × 50 недель × 24 км × 25 л/100 км × (1 + 10 % × 6 месяцев / 12 + 10 % + 10 %) = 3 750 л",
    "ky": "2 каттам × 5 күн × 50 жума × 24 км × 25 л/100 км × (1 + 10 % × 6 ай / 12 + 10 % + 10 %) = 3 750 л",
}
# the tractor, the excavator and the grader: machine hours x litres an hour
DIESEL_LITRES = TRUCK_LITRES + 500 * 5 + 300 * 6 + 95 * 10
DIESEL_SUM = {"ru": "3 750 л + 2 500 л + 1 800 л + 950 л = 9 000 л", "ky": "3 750 л + 2 500 л + 1 800 л + 950 л = 9 000 л"}


def plain(text: str) -> str:
    """Spaces as a test writes them (the formatter's no-break spaces are plain ones here)."""
    return text.replace("\u00a0", " ").replace("\u202f", " ")


@pytest.fixture(scope="module")
def waste():
    return calculate_tariff(WASTE)


def section_of(text: str, lang: str) -> str:
    """The text output's section of derived lines, up to the next heading."""
    title = t("h_derivations", lang)
    assert title in text
    return text[text.index(title):text.index(t("h_unit_costs", lang))]


@pytest.mark.parametrize("lang", ["ru", "ky"])
def test_the_terminal_shows_the_truck_route_in_the_readers_language(waste, lang):
    text = plain(to_text(waste, lang))
    part = section_of(text, lang)
    assert TRUCK[lang].endswith(f"= {plain(format_number(TRUCK_LITRES, 0, lang))} л")  # as worked by hand
    assert TRUCK[lang] in part and DIESEL_SUM[lang] in part
    # the line's number is its number in the калькуляция above
    diesel = next(i for i, c in enumerate(waste.cost_lines, 1) if c.line == "fuel" and c.derivation is not None
                  and c.derivation.quantity.value == pytest.approx(DIESEL_LITRES))
    name = plain(waste.cost_lines[diesel - 1].name.get(lang))
    assert re.search(rf"^ *{diesel}\. {re.escape(name)}$", part, re.M)
    assert part.index(f"{diesel}. {name}") < part.index(TRUCK[lang])
    # the drivers' allowance, from the staffing table
    assert {"ru": "16 000 сом/мес. (оклад) + 16 000 сом/мес. × 25 % (За классность и ненормированный день) = 20 000 сом/",
            "ky": "16 000 сом/ай (кызматтык маяна) + 16 000 сом/ай × 25 % (Класстуулук жана нормаланбаган күн үчүн) "
                  "= 20 000 сом/"}[lang] in part
    # AM-23-r cited by number under the line and listed once in full
    listed = re.findall(r"^\[(\d+)\] (.*)$", part, re.M)
    am = [n for n, source in listed if "АМ-23-р" in source]
    assert len(am) == 1 and sum("АМ-23-р" in source for _, source in listed) == 1
    diesel_part = part[part.index(TRUCK[lang]):]
    assert f"[{am[0]}]" in diesel_part.split("\n[")[0]
    own = OWN | {str(waste.origin.path)}  # the file's path on the line that names it
    assert not foreign_words(text, own), foreign_words(text, own)


def test_the_english_terminal_has_the_section_too(waste):
    part = section_of(plain(to_text(waste, "en")), "en")
    assert "24 km × 25 l/100 km" in part and "= 3,750 l" in part and "AM-23-r" in part


def test_a_scenario_without_derived_lines_prints_no_such_section():
    for name in ("dipping_bath.yaml", "shared_landfill.yaml"):
        result = calculate_tariff(SCENARIOS / "teploklyuchenka" / name)
        assert all(c.derivation is None for c in result.cost_lines)
        for lang in ("ru", "ky", "en"):
            assert t("h_derivations", lang) not in to_text(result, lang)
        assert sections.derivations(result, "ru") == ""
        assert not any(r["section"].startswith("derived_")
                       for r in csv.DictReader(io.StringIO(to_csv(result, "ru"))))


def test_positions_with_nothing_to_work_out_print_no_section(tmp_path):
    """A position without allowances is whole in the калькуляция (count x salary): derived,
    but with no step to show, so no section."""
    data = waste_scenario()
    data["cost_lines"] = [c for c in data["cost_lines"] if c["line"] != "labour"]
    data["staffing"] = {"positions": [{"name": "Рабочие", "count": "2 staff", "salary": "10 000 som/month",
                                       "source": "hand"}]}
    result = calculate_tariff(write_yaml(tmp_path, data))
    assert [c.derivation is not None for c in result.cost_lines][0]
    assert t("h_derivations", "ru") not in to_text(result, "ru")
    assert sections.derivations(result, "ru") == ""


def test_the_water_example_shows_pumping_from_the_volume_produced():
    result = calculate_tariff(SCENARIOS / "ak-bulak" / "water.yaml")
    part = section_of(plain(to_text(result, "ru")), "ru")
    # 215 000 m3 x 0,6 kWh/m3; 215 000 m3 x 2 g/m3 / 1000
    assert f"= {215000 * 0.6:,.0f} кВт·ч".replace(",", " ") in part
    assert f"= {215000 * 2 / 1000:.0f} кг" in part


def test_the_csv_gives_the_quantity_and_price_the_steps_end_in(waste):
    rows = list(csv.DictReader(io.StringIO(to_csv(waste, "en"))))
    quantity = {r["name"]: (r["unit"], float(r["value"])) for r in rows if r["section"] == "derived_quantity"}
    price = {r["name"]: (r["unit"], float(r["value"])) for r in rows if r["section"] == "derived_price"}
    amount = {r["name"]: float(r["value"]) for r in rows if r["section"] == "cost_line"}
    derived = [c.name.get("en") for c in waste.cost_lines if c.derivation is not None]
    assert set(quantity) == set(price) == set(derived) and len(derived) == 7
    unit, litres = quantity["Diesel fuel"]
    assert unit == "l/year" and litres == pytest.approx(DIESEL_LITRES, abs=1e-6)
    assert price["Diesel fuel"] == ("som/l", pytest.approx(80))
    assert amount["Diesel fuel"] == pytest.approx(DIESEL_LITRES * 80, abs=0.005)
    assert quantity["Drivers"] == ("staff", pytest.approx(2))
    # 16 000 som a month plus 25 %, twelve months
    assert price["Drivers"] == ("som/staff/month", pytest.approx(16000 * 1.25))
    assert amount["Drivers"] == pytest.approx(2 * 16000 * 1.25 * 12, abs=0.005)


@pytest.mark.parametrize("lang", ["ru", "ky"])
def test_the_justification_has_the_steps_with_sources_by_number(waste, lang):
    html = sections.calculation(waste, lang)
    assert t("r_derivations", lang) in html
    # after the калькуляция, before the unit costs
    assert html.index('class="calc"') < html.index(t("r_derivations", lang)) < html.index(t("h_unit_costs", lang))
    part = plain(sections.derivations(waste, lang))
    assert TRUCK[lang] in part and DIESEL_SUM[lang] in part
    refs = sections.references(waste, lang)
    am = next(n for text, n in refs.items() if "АМ-23-р" in text)
    assert f"[{am}]" in part  # cited by the number the list of sources gives it
    assert "am_23_r" not in part and "assumption" not in part
    # a unit in abbreviations never breaks between them
    assert {"ru": "шт.\u00a0ед.", "ky": "штат.\u00a0бирд."}[lang] in sections.derivations(waste, lang)
    visible = re.sub(r"<[^>]+>", " ", html)
    assert not foreign_words(visible, OWN)


@pytest.fixture(scope="module")
def pdfs(tmp_path_factory):
    if (find_chromium() is None or shutil.which("pdftotext") is None):
        pytest.skip("needs Debian's chromium and poppler-utils (scripts/test.sh installs them)")
    out = tmp_path_factory.mktemp("derivation_pdfs")
    return {lang: render_report(WASTE, lang, out / lang) for lang in ("ru", "ky")}


@pytest.mark.parametrize("lang", ["ru", "ky"])
def test_the_pdf_has_the_derivation_lines(pdfs, lang):
    text = plain(subprocess.run(["pdftotext", "-layout", str(pdfs[lang]), "-"], capture_output=True, text=True,
                                check=True).stdout)
    assert t("r_derivations", lang) in text
    # short steps stay on one line; the long route wraps inside its column, its pieces in order
    assert DIESEL_SUM[lang] in text
    assert {"ru": "500 ч × 5 л/ч = 2 500 л", "ky": "500 саат × 5 л/саат = 2 500 л"}[lang] in text
    flat = " ".join(text.split())
    at = flat.index(t("r_derivations", lang))
    for word in TRUCK[lang].split():  # every word of the long route, in order, wrapped in its column
        at = flat.index(word, at) + len(word)
    assert not foreign_words(text, OWN), foreign_words(text, OWN)

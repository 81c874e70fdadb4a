"""The PDF justification as a reader gets it: text, numbers, letters, pages, failures."""

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from conftest import ROOT, SCENARIOS, waste_scenario, write_yaml
from okmo_models import calculate_tariff
from okmo_models.errors import ScenarioError
from okmo_models import formatting
from okmo_models.batch import report_tree
from okmo_models.report.build import find_chromium, notebook_html, render_report

# scripts/test.sh installs Debian's chromium and poppler-utils; only a developer's machine
# without them skips these tests, never CI.
pytestmark = pytest.mark.skipif(
    (find_chromium() is None or shutil.which("pdftotext") is None) and not os.environ.get("CI"),
    reason="needs Debian's chromium and poppler-utils (scripts/test.sh installs them)")


def format_number(x, decimals=2, lang="ru"):
    """The formatter's number as the PDF's text layer holds it: pdftotext gives a plain space
    where the page shows the no-break space between thousands."""
    return formatting.format_number(x, decimals, lang).replace("\u00a0", " ")


ARTIFACTS = ROOT / "test-artifacts"
CASES = [("teploklyuchenka/waste.yaml", "ru"), ("teploklyuchenka/waste.yaml", "ky"),
         ("teploklyuchenka/dipping_bath.yaml", "en")]


@pytest.fixture(scope="module")
def reports(tmp_path_factory):
    """Render the cases once, in parallel, as `okmo report` does."""
    out = tmp_path_factory.mktemp("reports")
    by_lang = {}
    for lang in {lang for _, lang in CASES}:
        paths = [SCENARIOS / s for s, case_lang in CASES if case_lang == lang]
        for o in report_tree(paths, lang, out / lang, executor="process", workers=2, progress=None):
            assert o.ok, o.error.render(lang)
            by_lang[(o.item.relative_to(SCENARIOS).as_posix(), lang)] = Path(o.value)
    return by_lang


def text_of(pdf: Path) -> str:
    return subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True,
                          check=True).stdout


@pytest.mark.parametrize("scenario, lang", CASES)
def test_document_carries_the_json_figures(reports, scenario, lang):
    text = text_of(reports[(scenario, lang)])
    d = calculate_tariff(SCENARIOS / scenario).to_dict(lang)
    assert d["scenario"]["municipality"] in text
    for c in d["tariffs"]:
        assert format_number(c["tariff_som"], 2, lang) in text, c["category"]
        assert format_number(c["cash_tariff_som"], 2, lang) in text, c["category"]
    assert format_number(d["revenue_requirement_som"], 2, lang) in text
    for c in d["cost_lines"]:
        assert format_number(c["amount_som"], 2, lang) in text, c["name"]


def test_money_in_russian_format(reports):
    text = text_of(reports[("teploklyuchenka/waste.yaml", "ru")])
    d = calculate_tariff(SCENARIOS / "teploklyuchenka/waste.yaml").to_dict("ru")
    whole, cents = f"{d['revenue_requirement_som']:.2f}".split(".")
    assert f"{int(whole):,}".replace(",", " ") + "," + cents in text  # e.g. 4 736 003,82


def test_kyrgyz_letters_survive(reports):
    text = text_of(reports[("teploklyuchenka/waste.yaml", "ky")])
    for letter in "өүңӨҮ":
        assert letter in text
    assert "ТАРИФТИН ЭКОНОМИКАЛЫК НЕГИЗДЕМЕСИ" in text
    assert "Мазмуну" in text and "Чыгашалардын калькуляциясы" in text


@pytest.mark.parametrize("scenario, lang", CASES)
def test_no_code_prompts_or_tracebacks(reports, scenario, lang):
    text = text_of(reports[(scenario, lang)])
    for bad in ("In [", "Out[", "Traceback", "okmo_models", "display(", "import ", "Warning",
                "WARNING", "result.", "def ", "None", "nan"):
        assert bad not in text, bad


def test_contents_has_page_numbers_and_pages_are_numbered(reports):
    text = text_of(reports[("teploklyuchenka/waste.yaml", "ru")])
    pages = text.split("\f")
    contents = pages[1]
    assert "Содержание" in contents
    lines = [ln for ln in contents.splitlines() if ln.strip().startswith("1. ")]
    assert lines and lines[0].split()[-1].isdigit()
    assert f"Стр. 2 из {len([p for p in pages if p.strip()])}" in contents


def test_pages_render_and_are_not_blank(reports):
    """Every page as PNG (kept in test-artifacts/ for a person to look at) has ink on it."""
    import matplotlib.image as mpimg

    ARTIFACTS.mkdir(exist_ok=True)
    pdf = reports[("teploklyuchenka/waste.yaml", "ky")]
    prefix = ARTIFACTS / "waste_ky"
    for old in ARTIFACTS.glob("waste_ky-*.png"):
        old.unlink()
    subprocess.run(["pdftoppm", "-r", "50", "-png", str(pdf), str(prefix)], check=True)
    pngs = sorted(ARTIFACTS.glob("waste_ky-*.png"))
    assert len(pngs) >= 8
    for png in pngs:
        pixels = mpimg.imread(png)[..., :3].mean(axis=2)
        assert (pixels < 0.85).mean() > 0.002, f"{png.name} looks blank"


def test_html_is_offline_and_code_free(tmp_path):
    path = (SCENARIOS / "ak-bulak/water.yaml").resolve()
    from okmo_models.scenario.loader import load_scenario

    html = notebook_html(path, "ru", load_scenario(path).scenario)
    assert "<script" not in html
    assert 'src="http' not in html and "href=\"http" not in html and "@import" not in html
    assert "font-family: \"Noto Sans\", \"DejaVu Sans\"" in html
    assert "calculate_tariff" not in html and "In&nbsp;[" not in html


def test_broken_scenario_gives_a_clear_error_and_no_file(tmp_path):
    data = waste_scenario()
    data["collection_rate"] = "150 %"
    broken = write_yaml(tmp_path, data, "broken.yaml")
    out = tmp_path / "out"
    with pytest.raises(ScenarioError) as info:
        render_report(broken, "ru", out)
    assert "collection_rate" in info.value.render("ru")
    assert not out.exists() or not any(out.iterdir())
    proc = subprocess.run([sys.executable, "-m", "okmo_models.cli", "report", str(broken), "-o", str(out)],
                          capture_output=True, text=True)
    assert proc.returncode == 2 and "Traceback" not in proc.stderr and "collection_rate" in proc.stderr
    assert not out.exists() or not any(out.iterdir())


def test_batch_reports_a_failure_and_finishes_the_rest(tmp_path):
    folder = tmp_path / "scenarios"
    (folder / "good").mkdir(parents=True)
    shutil.copy(SCENARIOS / "ak-bulak/water.yaml", folder / "good/water.yaml")
    data = waste_scenario()
    data["tariff_year"] = "next"
    write_yaml(folder, data, "bad.yaml")
    out = tmp_path / "reports"
    proc = subprocess.run([sys.executable, "-m", "okmo_models.cli", "report", str(folder), "-o", str(out),
                           "--workers", "2"], capture_output=True, text=True)
    assert proc.returncode == 2
    # the summary's wording is the batch module's (okmo_models/batch.py, issue 21)
    assert "bad.yaml" in proc.stderr and "tariff_year" in proc.stderr
    assert sorted(p.name for p in out.iterdir()) == ["good_water_2027_ru.ipynb", "good_water_2027_ru.pdf"]


def test_existing_report_is_not_overwritten(reports, tmp_path):
    pdf = reports[("teploklyuchenka/dipping_bath.yaml", "en")]
    before = pdf.read_bytes()
    from okmo_models.safe_write import FileExistsRefused

    with pytest.raises(FileExistsRefused):
        render_report(SCENARIOS / "teploklyuchenka/dipping_bath.yaml", "en", pdf.parent)
    assert pdf.read_bytes() == before


def test_json_and_document_agree_on_the_policy(reports):
    text = text_of(reports[("teploklyuchenka/waste.yaml", "ru")])
    d = json.loads(subprocess.run([sys.executable, "-m", "okmo_models.cli", "tariff",
                                   str(SCENARIOS / "teploklyuchenka/waste.yaml"), "--format", "json"],
                                  capture_output=True, text=True, check=True).stdout)
    for value in d["path"]["categories"][0]["path_tariff_som"]:
        assert format_number(value, 2, "ru") in text
    assert format_number(d["vulnerable"]["budget_cost_som"], 2, "ru") in text
    assert np.isfinite(d["sensitivity"]["percentiles"]["p50"])


def uncoverable_scenario(tmp_path):
    """Valid on its own, but every household has a 100 % discount the others must carry:
    the problem only shows while computing, in the report's kernel."""
    data = waste_scenario()
    data["categories"] = data["categories"][:1]
    data["vulnerable"] = {"financing": "cross_subsidy", "groups": [
        {"name": "x", "households": "1 000 household", "discount": "100 %", "category": "households",
         "source": "hand"}]}
    return write_yaml(tmp_path, data, "uncoverable.yaml")


def test_error_found_while_computing_is_shown_clearly(tmp_path):
    path = uncoverable_scenario(tmp_path)
    out = tmp_path / "out"
    proc = subprocess.run([sys.executable, "-m", "okmo_models.cli", "report", str(path), "-o", str(out)],
                          capture_output=True, text=True)
    assert proc.returncode == 2 and "Traceback" not in proc.stderr
    assert "vulnerable.groups" in proc.stderr
    assert not out.exists() or not any(out.iterdir())


def test_browser_from_the_environment_variable(monkeypatch, tmp_path):
    fake = tmp_path / "my-chrome"
    fake.write_text("#!/bin/sh\n")
    monkeypatch.setenv("OKMO_CHROMIUM", str(fake))
    assert find_chromium() == str(fake)
    monkeypatch.setenv("OKMO_CHROMIUM", "/nonexistent/chrome")
    assert find_chromium() is None


def test_report_names_are_unique_and_hidden_or_foreign_files_are_skipped(tmp_path):
    from okmo_models.batch import plan_files, report_names
    from okmo_models.kinds import plan_files_in

    for year in ("2026", "2027"):
        (tmp_path / year / "ak-bulak").mkdir(parents=True)
        shutil.copy(SCENARIOS / "ak-bulak/water.yaml", tmp_path / year / "ak-bulak/water.yaml")
    (tmp_path / ".ipynb_checkpoints").mkdir()
    shutil.copy(SCENARIOS / "ak-bulak/water.yaml", tmp_path / ".ipynb_checkpoints/water-checkpoint.yaml")
    (tmp_path / "ci.yml").write_text("on: push\njobs: {}\n", encoding="utf-8")
    files = plan_files([tmp_path])
    assert [f.relative_to(tmp_path).as_posix() for f in files] == ["2026/ak-bulak/water.yaml",
                                                                   "2027/ak-bulak/water.yaml"]
    names = report_names(plan_files_in([tmp_path]))
    assert sorted(names.values()) == ["2026_ak-bulak_water", "2027_ak-bulak_water"]


def test_output_must_be_a_folder(tmp_path):
    proc = subprocess.run([sys.executable, "-m", "okmo_models.cli", "report",
                           str(SCENARIOS / "teploklyuchenka/dipping_bath.yaml"), "-o", str(tmp_path / "x.pdf")],
                          capture_output=True, text=True)
    assert proc.returncode == 2 and "Traceback" not in proc.stderr and "x.pdf" in proc.stderr
    assert not (tmp_path / "x.pdf").exists()


def test_kernel_errors_speak_the_report_language(tmp_path):
    path = uncoverable_scenario(tmp_path)
    proc = subprocess.run([sys.executable, "-m", "okmo_models.cli", "report", str(path), "-o",
                           str(tmp_path / "out"), "--lang", "en"], capture_output=True, text=True)
    assert proc.returncode == 2 and "discounts absorb" in proc.stderr and "Ошибка" not in proc.stderr


@pytest.mark.parametrize("scenario", ["teploklyuchenka/waste.yaml", "ak-bulak/water.yaml"])
def test_affordability_and_discounts_also_at_the_tariff_proposed(scenario):
    """On a path the kenesh approves the first step, not the justified tariff: the sections
    on affordability and on discounts give the bills and the discounts at that tariff too,
    the figures of the draft decision (they showed the justified tariff alone)."""
    from okmo_models.report import sections
    from okmo_models.tariff.proposal import proposal

    result = calculate_tariff(SCENARIOS / scenario)
    p = proposal(result)
    assert p.on_path
    html = sections.affordability(result, "ru").replace(" class=num", "").replace("\xa0", " ")
    for group in p.income_groups:
        assert f"<td>{format_number(group.bill_som)}</td>" in html
        assert f"<td>{formatting.format_percent(group.share_of_income, 2, 'ru')}</td>" in html
    discounts = sections.vulnerable(result, "ru").replace("\xa0", " ")
    assert formatting.format_money(p.discounts_yearly_som, "ru").replace("\xa0", " ") in discounts

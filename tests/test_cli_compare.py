"""`okmo compare` and the batch options of `okmo report`, as a user types them (issue 21)."""

from __future__ import annotations

import json
import shutil

import openpyxl
import pytest

from conftest import SCENARIOS
from okmo_models.cli import main
from okmo_models.formatting import format_number


@pytest.fixture(scope="module")
def peers(tmp_path_factory):
    """Two municipalities' folders and a broken file among them."""
    root = tmp_path_factory.mktemp("peers")
    for name in ("ak-bulak", "teploklyuchenka"):
        shutil.copytree(SCENARIOS / name, root / name)
    (root / "broken").mkdir()
    text = (SCENARIOS / "ak-bulak" / "water.yaml").read_text("utf-8")
    (root / "broken" / "water.yaml").write_text(text.replace("tariff_year: 2027", "tariff_year: две тысячи"), "utf-8")
    return root


def test_compare_table_shows_the_same_figures_as_its_json(peers, tmp_path, capsys):
    """The terminal table and the JSON are one comparison: every tariff's cost per unit
    printed in the table is the JSON's figure formatted (2 decimals, no-break spaces)."""
    code = main(["compare", str(peers / "ak-bulak"), str(peers / "teploklyuchenka"), "--format", "json",
                 "-o", str(tmp_path / "c.json")])
    assert code == 0
    data = json.loads((tmp_path / "c.json").read_text("utf-8"))
    assert data["schema"] == "okmo-compare/1" and data["counts"]["failures"] == 0
    capsys.readouterr()
    assert main(["compare", str(peers / "ak-bulak"), str(peers / "teploklyuchenka"), "--lang", "ky"]) == 0
    table = capsys.readouterr().out
    costs = [row["cost_per_base_unit_som"] for row in data["tariffs"]]
    assert len(costs) == 4  # waste, landfill, dipping bath, water
    for cost in costs:
        assert format_number(cost, 2) in table


def test_a_broken_file_is_listed_and_the_rest_compared(peers, capsys):
    assert main(["compare", str(peers), "--format", "json"]) == 2  # some file failed: the status says so
    data = json.loads(capsys.readouterr().out)
    assert [f["file"].rsplit("broken", 1)[-1] for f in data["failures"]] == ["/water.yaml"]
    assert len(data["tariffs"]) == 4
    assert data["counts"]["found"] == data["counts"]["rows"] + data["counts"]["failures"] + data["counts"]["skipped"]


def test_a_mistyped_folder_is_refused_before_anything_is_computed(tmp_path, capsys):
    assert main(["compare", str(tmp_path / "nowhere"), "--lang", "ru"]) == 2
    assert "Нет такой папки или файла" in capsys.readouterr().err


def test_a_workbook_goes_to_a_file_with_the_json_figures(peers, tmp_path, capsys):
    assert main(["compare", str(peers / "ak-bulak"), "--format", "xlsx"]) == 2  # not to the terminal
    capsys.readouterr()
    target = tmp_path / "c.xlsx"
    assert main(["compare", str(peers / "ak-bulak"), "--format", "xlsx", "-o", str(target)]) == 0
    assert main(["compare", str(peers / "ak-bulak"), "--format", "json"]) == 0
    cost = json.loads(capsys.readouterr().out)["tariffs"][0]["cost_per_base_unit_som"]
    book = openpyxl.load_workbook(target)
    cells = [c.value for ws in book.worksheets for row in ws.iter_rows() for c in row if isinstance(c.value, float)]
    # the same figure, unrounded (a workbook cell keeps 15-16 significant digits, as Excel does)
    assert any(c == pytest.approx(cost, rel=1e-14) for c in cells)
    assert main(["compare", str(peers / "ak-bulak"), "--format", "xlsx", "-o", str(target)]) == 2  # never overwritten


def test_peers_belong_to_one_tariff_not_to_a_folder(peers, tmp_path, capsys):
    assert main(["report", str(peers / "ak-bulak"), "--peers", str(peers), "-o", str(tmp_path)]) == 2
    assert "--peers" in capsys.readouterr().err
    assert main(["report", str(peers / "teploklyuchenka" / "budget.yaml"), "--peers", str(peers),
                 "-o", str(tmp_path), "--lang", "en"]) == 2
    assert "tariff justification only" in capsys.readouterr().err
    assert not list(tmp_path.iterdir())


def test_an_unreachable_scheduler_is_said_in_words(peers, tmp_path, capsys):
    code = main(["compare", str(peers / "ak-bulak"), "--scheduler", "tcp://127.0.0.1:9", "--lang", "en"])
    assert code == 2
    err = capsys.readouterr().err
    assert "127.0.0.1:9" in err and "Traceback" not in err


@pytest.mark.parametrize("fmt", ["table", "pdf"])
def test_a_folder_without_plans_is_refused_in_every_format(tmp_path, capsys, fmt):
    """Review of issue 21: the PDF route printed an empty comparison where the others refused."""
    (tmp_path / "empty").mkdir()
    assert main(["compare", str(tmp_path / "empty"), "--format", fmt, "-o", str(tmp_path / "out"), "--lang", "en"]) == 2
    assert "no scenario files" in capsys.readouterr().err.lower()
    assert not (tmp_path / "out").exists()

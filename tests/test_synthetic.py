"""The generated country (issue 21): synthetic municipality folders made from the examples.

A small country (12 municipalities) is generated once; every file in it must validate and
compute through the registry of kinds, the same seed must give the same bytes, the
deliberate outliers must stand out (cost per unit over twice the service's median), and
the generator must never write into a folder that exists.
"""

from __future__ import annotations

import json
import statistics
from pathlib import Path

import pytest
import yaml

from okmo_models import kinds
from okmo_models.examples.synthetic import MANIFEST, OBLASTS, generate_country

N = 12


def tree(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


@pytest.fixture(scope="module")
def country(tmp_path_factory) -> tuple[Path, list[Path]]:
    root = tmp_path_factory.mktemp("country") / "kg"
    return root, generate_country(root, n=N, seed=7)


@pytest.fixture(scope="module")
def computed(country) -> dict[Path, tuple[str, object]]:
    root, _ = country
    out = {}
    for path in sorted(root.rglob("*.yaml")):
        kind = kinds.kind_of(path)
        kind.load(path)
        out[path] = (kind.name, kind.compute(path))
    return out


def test_folders_by_oblast_and_district_each_with_its_files(country):
    root, folders = country
    assert len(folders) == N and len(set(folders)) == N
    manifest = json.loads((root / MANIFEST).read_text("utf-8"))
    assert [root / m["folder"] for m in manifest["municipalities"]] == folders
    # every oblast has at least one municipality; a folder is oblast/district/ao-NNN
    assert {f.relative_to(root).parts[0] for f in folders} == {o[0] for o in OBLASTS}
    for m in manifest["municipalities"]:
        folder = root / m["folder"]
        oblast, district, _ = Path(m["folder"]).parts
        assert district in [d[0] for o in OBLASTS if o[0] == oblast for d in o[4]]
        expected = {"waste.yaml", "water.yaml", "dipping_bath.yaml"}
        if m["budget"]:
            expected |= {"budget.yaml", "history.csv"}
        assert {p.name for p in folder.iterdir()} == expected
    assert 0 < sum(m["budget"] for m in manifest["municipalities"]) < N


def test_every_file_validates_and_computes(computed, country):
    root, _ = country
    manifest = json.loads((root / MANIFEST).read_text("utf-8"))
    budgets = sum(m["budget"] for m in manifest["municipalities"])
    names = [kind for kind, _ in computed.values()]
    assert names.count("tariff") == 3 * N and names.count("budget") == budgets
    services = {path.stem: r.scenario.service for path, (kind, r) in computed.items() if kind == "tariff"}
    assert set(services.values()) == {"waste", "water", "dipping_bath"}
    for path, (kind, result) in computed.items():
        if kind == "tariff":
            assert result.scenario.service == path.stem
            assert result.revenue_requirement_som > 0 and result.total_volume > 0
        else:
            assert result.forecast_years


def test_names_say_synthetic_and_folders_stand_alone(country):
    root, _folders = country
    for path in sorted(root.rglob("*.yaml")):
        data = yaml.load(path.read_text("utf-8"), Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
        name = data["municipality"]["name"]
        assert name["ru"].startswith("Условный айыл окмоту №")
        assert "шарттуу" in name["ky"] and name["en"].startswith("Synthetic aiyl okmotu")
        assert "synthetic" in data["sources"]
        # nothing read from a neighbour that the generated folder lacks
        text = path.read_text("utf-8")
        assert "assets_from" not in text and "heads_from" not in text and "economic_base" not in text
        if data.get("history"):
            assert (path.parent / data["history"]).is_file()


def test_variation_is_plausible(computed):
    by_service: dict[str, list[float]] = {}
    for kind, r in computed.values():
        if kind == "tariff":
            by_service.setdefault(r.scenario.service, []).append(r.unit_costs[0].cost_som)
    for service, costs in by_service.items():
        assert len(set(costs)) == N, service  # no two municipalities alike
        assert all(c > 0 for c in costs)


def test_outliers_stand_out_from_the_median(computed, country):
    root, _ = country
    manifest = json.loads((root / MANIFEST).read_text("utf-8"))
    outliers = {(m["folder"], s) for m in manifest["municipalities"] for s in m["outliers"]}
    assert {s for _, s in outliers} == {"waste", "water", "dipping_bath"}
    costs: dict[str, dict[str, float]] = {}
    for path, (kind, r) in computed.items():
        if kind == "tariff":
            costs.setdefault(r.scenario.service, {})[str(path.parent.relative_to(root))] = r.unit_costs[0].cost_som
    for folder, service in outliers:
        median = statistics.median(costs[service].values())
        assert costs[service][folder] > 2 * median, (folder, service)


def test_same_seed_same_bytes_other_seed_differs(country, tmp_path):
    root, _ = country
    again = tmp_path / "again"
    generate_country(again, n=N, seed=7)
    assert tree(again) == tree(root)
    other = tmp_path / "other"
    generate_country(other, n=N, seed=8)
    first, second = tree(root), tree(other)
    assert set(first) != set(second) or any(first[k] != second[k] for k in first)
    assert first[next(k for k in first if k.endswith("waste.yaml"))] != second[next(k for k in second if k.endswith("waste.yaml"))]


def test_refuses_to_write_into_an_existing_folder(country, tmp_path):
    root, folders = country
    before = tree(root)
    with pytest.raises(FileExistsError, match="already exists"):
        generate_country(root, n=N, seed=7)
    assert tree(root) == before
    # one municipality's folder already there: nothing at all is written
    fresh = tmp_path / "fresh"
    (fresh / folders[3].relative_to(root)).mkdir(parents=True)
    (fresh / folders[3].relative_to(root) / "waste.yaml").write_text("mine", "utf-8")
    with pytest.raises(FileExistsError, match=str(folders[3].relative_to(root))):
        generate_country(fresh, n=N, seed=7)
    assert tree(fresh) == {str(folders[3].relative_to(root) / "waste.yaml"): b"mine"}


def test_unknown_service_is_refused(tmp_path):
    with pytest.raises(ValueError, match="sewage"):
        generate_country(tmp_path / "x", n=3, services=("sewage",))
    assert not (tmp_path / "x").exists()


def test_command_line_writes_then_refuses(tmp_path, capsys):
    from okmo_models.examples.synthetic import main

    assert main([str(tmp_path / "c"), "--n", "3", "--services", "water"]) == 0
    assert len(list((tmp_path / "c").rglob("water.yaml"))) == 3
    assert not list((tmp_path / "c").rglob("waste.yaml"))
    with pytest.raises(SystemExit) as stop:
        main([str(tmp_path / "c"), "--n", "3"])
    assert stop.value.code == 2 and "already exists" in capsys.readouterr().err


def test_a_folder_with_a_budget_is_consistent_across_its_files(country):
    """The budget's subsidies line pays what the folder's tariffs ask of it (``plans:``), so
    ``okmo check FOLDER`` finds no inconsistency between the files."""
    from okmo_models.municipality.checks import check
    from okmo_models.municipality.model import evaluate_folder

    root, _ = country
    manifest = json.loads((root / MANIFEST).read_text("utf-8"))
    folder = root / next(m["folder"] for m in manifest["municipalities"] if m["budget"])
    assert check(evaluate_folder(folder)) == []

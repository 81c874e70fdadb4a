"""The registry of plan-file kinds (okmo_models/kinds.py): every command, the report, the
workbook and the dashboard reach a kind through it, and every result carries the same
metadata block."""

from __future__ import annotations

import hashlib
import json

import pytest

from conftest import SCENARIOS, with_records
from okmo_models.cli import main
from okmo_models.errors import ScenarioError
from okmo_models.kinds import KINDS, kind_of, plan_files
from okmo_models.version import __version__

EXAMPLES = {"tariff": SCENARIOS / "teploklyuchenka/waste.yaml",
            "budget": SCENARIOS / "kok-jar/budget.yaml",
            "programme": SCENARIOS / "alamudun/programme.yaml"}


def sha256(path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.mark.parametrize("name", list(EXAMPLES))
def test_kind_of_an_example_is_its_kind(name):
    assert kind_of(EXAMPLES[name]) is KINDS[name]


def test_an_unknown_kind_is_refused_naming_the_known_ones(tmp_path, capsys):
    # before the registry, `kind: budjet` was read as a tariff scenario: nine "required
    # field" problems and "unknown field kind", never the word that was mistyped
    path = tmp_path / "plan.yaml"
    path.write_text("schema_version: 1\nkind: budjet\n", encoding="utf-8")
    with pytest.raises(ScenarioError) as info:
        kind_of(path)
    assert [(p.path, p.key, p.value) for p in info.value.problems] == [(("kind",), "kind_unknown", "budjet")]
    assert main(["check", str(path), "--lang", "ky"]) == 2
    err = capsys.readouterr().err
    assert "budget, programme" in err and "Мындай файл түрү белгисиз" in err
    assert err.count("\n1. ") == 1 and "\n2. " not in err


def test_plan_files_finds_every_bundled_example_of_a_known_kind():
    found = {p.relative_to(SCENARIOS).as_posix() for p in plan_files(SCENARIOS)}
    for kind in KINDS.values():
        assert set(kind.examples) <= found, kind.name


@pytest.mark.parametrize("name", list(EXAMPLES))
def test_every_result_carries_the_same_metadata_block(name, capsys, monkeypatch):
    """schema, package version, date, every input file with the SHA-256 of its bytes (named
    as the user named it), parameters: the same keys first in every kind's JSON."""
    monkeypatch.chdir(SCENARIOS.parent)
    path = EXAMPLES[name].relative_to(SCENARIOS.parent)
    args = [name, str(path), "--format", "json"]
    assert main(args) == 0
    data = json.loads(capsys.readouterr().out)
    assert list(data)[:5] == ["schema", "package_version", "computed_on", "inputs", "parameters"]
    assert data["package_version"] == __version__
    main_file = data["inputs"][0]
    assert main_file == {"role": "scenario", "file": str(path), "sha256": sha256(path)}
    assert KINDS[name].compute(path).provenance.to_dict("ru") == {k: data[k] for k in list(data)[:5]}


def test_a_budget_lists_its_history_table_and_a_programme_its_budget_files(capsys):
    assert main(["budget", str(EXAMPLES["budget"]), "--format", "json"]) == 0
    budget = json.loads(capsys.readouterr().out)["inputs"]
    history = SCENARIOS / "kok-jar/history.csv"
    assert [(f["role"], f["sha256"]) for f in budget] == [("scenario", sha256(EXAMPLES["budget"])),
                                                          ("history", sha256(history))]
    assert main(["programme", str(EXAMPLES["programme"]), "--format", "json"]) == 0
    programme = json.loads(capsys.readouterr().out)["inputs"]
    assert [(f["role"], f["sha256"]) for f in programme] == [
        ("scenario", sha256(EXAMPLES["programme"])), ("budget", sha256(SCENARIOS / "alamudun/budget.yaml"))]


@pytest.mark.parametrize("name, title", [("tariff", "Scenario"), ("budget", "BudgetScenario"),
                                         ("programme", "Programme")])
def test_the_schema_of_every_kind_is_printed(name, title, capsys):
    # before the registry only the tariff scenario's schema could be printed
    assert main(["schema", name]) == 0
    schema = json.loads(capsys.readouterr().out)
    assert schema["title"] == title and "municipality" in schema["properties"]
    # an editor validating with it accepts the bundled examples as written ("17 000 som",
    # a history table); before, every quantity was flagged (63 errors in waste.yaml)
    import jsonschema
    import yaml

    from okmo_models.examples import example_path

    validator = jsonschema.Draft202012Validator(schema)
    for example in KINDS[name].examples:
        data = yaml.safe_load(example_path(example).read_text(encoding="utf-8"))
        assert [e.message for e in validator.iter_errors(data)] == [], example
    assert list(validator.iter_errors({**data, "municipality": 5}))  # and it still refuses


def test_a_budget_json_carries_the_scenarios_the_table_compares(capsys):
    """The same numbers everywhere: the scenarios `okmo budget` prints beside the baseline are
    in its JSON too (before, only in the table and the workbook)."""
    from okmo_models.budget.forecast import forecast_budget

    assert main(["budget", str(EXAMPLES["budget"]), "--format", "json"]) == 0
    listed = {s["scenario"]: s for s in json.loads(capsys.readouterr().out)["scenarios"]}
    scenario = forecast_budget(EXAMPLES["budget"]).scenario
    assert set(listed) == set(scenario.scenarios) and listed
    for vid, entry in listed.items():
        totals = forecast_budget(EXAMPLES["budget"], vid).totals()
        for key in ("revenue", "expenditure", "balance"):
            assert entry[key] == pytest.approx(list(totals.loc[key]), abs=0.0005), (vid, key)


def test_a_variant_lists_every_baseline_it_was_read_from(tmp_path, monkeypatch, capsys):
    """A variant's figures come from its baselines too: each is an input, with the SHA-256 of
    what was read (before, only the variant file was named)."""
    import shutil

    shutil.copy(EXAMPLES["tariff"], with_records(tmp_path / "waste.yaml"))
    (tmp_path / "v.yaml").write_text('variant_of: waste.yaml\nchanges:\n  collection_rate: "90 %"\n',
                                     encoding="utf-8")
    (tmp_path / "v2.yaml").write_text("variant_of: v.yaml\nchanges: {}\n", encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    assert main(["tariff", "v2.yaml", "--format", "json"]) == 0
    inputs = json.loads(capsys.readouterr().out)["inputs"]
    assert [(f["role"], f["file"], f["sha256"]) for f in inputs] == [
        ("scenario", "v2.yaml", sha256(tmp_path / "v2.yaml")),
        ("baseline", "v.yaml", sha256(tmp_path / "v.yaml")),
        ("baseline", "waste.yaml", sha256(tmp_path / "waste.yaml")),
        ("passport", "passport.yaml", sha256(tmp_path / "passport.yaml"))]  # its assets stand there

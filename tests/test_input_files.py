"""How input files are found and read (issue 14, items 3, 7, 9, 11, 12): a variant checks
that its baseline is the one it was saved for; a file named inside another file stays in
the folder tree the user opened; YAML aliases cannot blow a file up; devices, pipes, huge
files and circles of variants get clear messages, never an internal error or a hang."""

import hashlib
import os
import re
import shutil
import subprocess
import sys
import time

import pytest
import yaml

from conftest import SCENARIOS, with_records

from okmo_models.cli import main
from okmo_models.errors import ScenarioError
from okmo_models.i18n import t
from okmo_models.scenario.loader import file_kind, load_scenario

OKMO = [sys.executable, "-m", "okmo_models.cli"]


def okmo(*args, env=None, stdin=None):
    return subprocess.run([*OKMO, *map(str, args)], capture_output=True, text=True, timeout=120,
                          env={**os.environ, **(env or {})}, stdin=stdin or subprocess.DEVNULL)


def sha(path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture
def waste(tmp_path):
    path = tmp_path / "waste.yaml"
    shutil.copy(SCENARIOS / "teploklyuchenka/waste.yaml", with_records(path))
    return path


def problem(info):
    """The only problem of a ScenarioError."""
    assert len(info.value.problems) == 1, info.value.render("en")
    return info.value.problems[0]


# --- item 3: a variant knows the baseline it was saved for ----------------------------------------


def variant(folder, baseline_hash, body="changes:\n  collection_rate: 80 %\n", name="v.yaml"):
    path = folder / name
    path.write_text("# saved at the hearing\nvariant_of: waste.yaml\n"
                    f"baseline_sha256: {baseline_hash}  # the baseline as it was\n{body}", encoding="utf-8")
    return path


def test_variant_of_the_same_baseline_loads(waste, tmp_path):
    v = variant(tmp_path, sha(waste))
    assert load_scenario(v).scenario.collection_rate.value == 80


def test_variant_of_a_changed_baseline_names_both_files_and_the_way_out(waste, tmp_path):
    v = variant(tmp_path, sha(waste))
    waste.write_text(waste.read_text(encoding="utf-8") + "\n# edited later\n", encoding="utf-8")
    with pytest.raises(ScenarioError) as info:
        load_scenario(v)
    p = problem(info)
    assert p.key == "variant_baseline_changed" and p.field_path() == "baseline_sha256" and p.line == 3
    text = info.value.render("en")
    assert str(v) in text and str(waste) in text and f"okmo rebase {v}" in text
    assert "changed since the variant was saved" in text


def test_an_all_zero_or_malformed_hash_is_not_a_pass(waste, tmp_path):
    with pytest.raises(ScenarioError) as info:
        load_scenario(variant(tmp_path, '"' + "0" * 64 + '"'))
    assert problem(info).key == "variant_baseline_changed"
    # unquoted, YAML reads 64 zeros as the number 0
    for bad in ("0" * 64, "abc", "'" + "g" * 64 + "'", "12345", "[1, 2]"):
        with pytest.raises(ScenarioError) as info:
            load_scenario(variant(tmp_path, bad))
        assert problem(info).key == "variant_hash_invalid", bad


def test_a_hand_written_variant_without_a_hash_has_nothing_to_check(waste, tmp_path):
    v = tmp_path / "hand.yaml"
    v.write_text("variant_of: waste.yaml\nchanges: {collection_rate: 70 %}\n", encoding="utf-8")
    assert load_scenario(v).scenario.collection_rate.value == 70


def test_the_hash_of_each_baseline_in_a_chain_is_checked(waste, tmp_path):
    middle = variant(tmp_path, sha(waste), name="middle.yaml")
    top = tmp_path / "top.yaml"
    top.write_text(f"variant_of: middle.yaml\nbaseline_sha256: {sha(middle)}\nchanges: {{}}\n", encoding="utf-8")
    assert load_scenario(top).scenario.collection_rate.value == 80
    waste.write_text(waste.read_text(encoding="utf-8") + "\n", encoding="utf-8")
    with pytest.raises(ScenarioError) as info:
        load_scenario(top)
    assert problem(info).key == "variant_baseline_changed" and info.value.file == str(middle)


def rebase(capsys, *args):
    """``okmo rebase ARGS`` in this process (stdin is not a terminal: nothing is asked)."""
    capsys.readouterr()
    status = main(["rebase", *map(str, args)])
    out = capsys.readouterr()
    return status, out.out, out.err


def test_rebase_shows_the_changes_and_writes_only_when_told(waste, tmp_path, capsys):
    v = variant(tmp_path, sha(waste), body="changes:\n  collection_rate: 80 %\n  categories:\n"
                                           "    households: {multiplier: 1.5}\n")
    waste.write_text(waste.read_text(encoding="utf-8").replace("collection_rate: 65 %", "collection_rate: 64 %"),
                     encoding="utf-8")
    before = v.read_bytes()
    status, out, err = rebase(capsys, v, "--lang", "en")  # no --force, nobody to say yes: nothing written
    assert status == 2, err
    assert "collection_rate: '64 %' → '80 %'" in out
    assert "categories.households.multiplier: (none) → 1.5" in out and "--force" in err
    assert v.read_bytes() == before
    status, out, err = rebase(capsys, v, "--force", "--lang", "en")
    assert status == 0, err
    text = v.read_text(encoding="utf-8")
    assert f'baseline_sha256: "{sha(waste)}"  # the baseline as it was' in text
    assert text.startswith("# saved at the hearing\nvariant_of: waste.yaml\n")  # comments kept
    assert load_scenario(v).scenario.collection_rate.value == 80
    assert not [p.name for p in tmp_path.iterdir() if p.name.startswith(".")]  # no temporary left
    status, out, err = rebase(capsys, v, "--lang", "en")
    assert status == 0 and "has not changed" in err


def test_rebase_adds_a_hash_to_a_hand_written_variant_and_to_toml(waste, tmp_path, capsys):
    v = tmp_path / "hand.toml"
    v.write_text('variant_of = "waste.yaml"\n\n[changes]\ncollection_rate = "70 %"\n', encoding="utf-8")
    assert rebase(capsys, v, "--force")[0] == 0
    assert v.read_text(encoding="utf-8") == (f'variant_of = "waste.yaml"\nbaseline_sha256 = "{sha(waste)}"\n\n'
                                             '[changes]\ncollection_rate = "70 %"\n')
    assert load_scenario(v).scenario.collection_rate.value == 70


def test_rebase_refuses_a_variant_that_no_longer_fits(waste, tmp_path, capsys):
    v = variant(tmp_path, "0" * 64, body="changes:\n  categories:\n    nobody: {multiplier: 2}\n")
    before = v.read_bytes()
    status, _, err = rebase(capsys, v, "--force", "--lang", "en")
    assert status == 2 and "changes.categories.nobody" in err
    assert v.read_bytes() == before


def test_rebase_of_a_file_that_is_no_variant(waste, capsys):
    status, _, err = rebase(capsys, waste, "--lang", "en")
    assert status == 2 and "is not a variant" in err


def test_rebase_from_the_command_line(waste, tmp_path):
    v = variant(tmp_path, "0" * 64)
    proc = okmo("rebase", v, "--force")
    assert proc.returncode == 0 and "Traceback" not in proc.stderr and sha(waste) in v.read_text(encoding="utf-8")


# --- item 7: referenced files stay in the folder the user opened ------------------------------------


SECRET = "root:$6$saltsalt$hash:19000:0:99999:7:::\n"


@pytest.fixture
def outside(tmp_path):
    """A foreign file next to the user's folder, which must never be read or echoed."""
    (tmp_path / "secret.yaml").write_text(SECRET, encoding="utf-8")
    (tmp_path / "secret.csv").write_text(SECRET, encoding="utf-8")
    folder = tmp_path / "work"
    folder.mkdir()
    shutil.copy(SCENARIOS / "teploklyuchenka/waste.yaml", with_records(folder / "waste.yaml"))
    return folder


@pytest.mark.parametrize("name", ["../secret.yaml", "/etc/passwd", "sub/../../secret.yaml"])
def test_variant_of_outside_the_folder_is_refused_unread(outside, name):
    (outside / "sub").mkdir()
    v = outside / "v.yaml"
    v.write_text(f"variant_of: {name}\nchanges: {{}}\n", encoding="utf-8")
    with pytest.raises(ScenarioError) as info:
        load_scenario(v)
    p = problem(info)
    assert (p.key, p.field_path(), p.value, p.line) == ("reference_outside", "variant_of", name, 1)
    for lang in ("ru", "ky", "en"):
        text = info.value.render(lang)
        assert "root:" not in text and "saltsalt" not in text and str(outside) in text and "--data-root" in text


def test_a_link_inside_the_folder_pointing_outside_is_refused(outside):
    (outside / "link.yaml").symlink_to(outside.parent / "secret.yaml")
    v = outside / "v.yaml"
    v.write_text("variant_of: link.yaml\n", encoding="utf-8")
    with pytest.raises(ScenarioError) as info:
        load_scenario(v)
    assert problem(info).key == "reference_outside"


def test_a_referenced_file_must_be_of_the_right_kind(outside):
    (outside / "data.csv").write_text("a;b\n", encoding="utf-8")
    v = outside / "v.yaml"
    v.write_text("variant_of: data.csv\n", encoding="utf-8")
    with pytest.raises(ScenarioError) as info:
        load_scenario(v)
    p = problem(info)
    assert p.key == "reference_wrong_kind" and ".yaml, .yml, .toml" in info.value.render("ru")


def test_programme_budget_and_budget_history_stay_inside(outside):
    from okmo_models.budget.forecast import load_budget
    from okmo_models.programme import evaluate_programme

    text = (SCENARIOS / "alamudun/programme.yaml").read_text(encoding="utf-8")
    programme = outside / "programme.yaml"
    programme.write_text(text.replace("budget: budget.yaml", "budget: ../secret.yaml"), encoding="utf-8")
    with pytest.raises(ScenarioError) as info:
        evaluate_programme(programme)
    p = problem(info)
    assert (p.key, p.field_path(), info.value.file) == ("reference_outside", "budget", str(programme))
    assert "root:" not in info.value.render("en")
    budget = outside / "budget.yaml"
    for name, key in (("../secret.csv", "reference_outside"), ("/proc/self/environ", "reference_outside"),
                      ("waste.yaml", "reference_wrong_kind")):
        budget.write_text((SCENARIOS / "kok-jar/budget.yaml").read_text(encoding="utf-8")
                          .replace("history: history.csv", f"history: {name}"), encoding="utf-8")
        with pytest.raises(ScenarioError) as info:
            load_budget(budget)
        p = problem(info)
        assert (p.key, p.field_path(), info.value.file) == (key, "history", str(budget)), name
        assert "root:" not in info.value.render("en") and "PATH=" not in info.value.render("en")


def test_a_wider_folder_named_by_the_user_lets_a_variant_reach_up(outside, tmp_path, monkeypatch, capsys):
    (outside / "variants").mkdir()
    v = outside / "variants" / "v.yaml"
    v.write_text("variant_of: ../waste.yaml\nchanges: {collection_rate: 70 %}\n", encoding="utf-8")
    with pytest.raises(ScenarioError) as info:
        load_scenario(v)
    assert problem(info).key == "reference_outside"
    assert main(["check", str(v)]) == 2
    assert main(["check", str(v), "--data-root", str(outside)]) == 0
    assert main(["--data-root", str(outside), "check", str(v)]) == 0
    assert "OKMO_DATA_ROOT" not in os.environ  # the option does not leak out of the command
    monkeypatch.setenv("OKMO_DATA_ROOT", str(outside))
    assert load_scenario(v).scenario.collection_rate.value == 70
    # still not the secret beside it
    (outside / "variants" / "s.yaml").write_text("variant_of: ../../secret.yaml\n", encoding="utf-8")
    with pytest.raises(ScenarioError) as info:
        load_scenario(outside / "variants" / "s.yaml")
    assert problem(info).key == "reference_outside"
    capsys.readouterr()
    assert main(["check", str(v), "--data-root", str(tmp_path / "nope")]) == 2
    assert "nope" in capsys.readouterr().err


def test_a_chain_of_variants_is_measured_from_the_file_the_user_named(outside):
    (outside / "sub").mkdir()
    (outside / "sub" / "middle.yaml").write_text("variant_of: ../waste.yaml\nchanges: {collection_rate: 75 %}\n",
                                                 encoding="utf-8")
    top = outside / "top.yaml"
    top.write_text("variant_of: sub/middle.yaml\n", encoding="utf-8")
    assert load_scenario(top).scenario.collection_rate.value == 75
    with pytest.raises(ScenarioError) as info:
        load_scenario(outside / "sub" / "middle.yaml")  # opened itself, its folder is the limit
    assert problem(info).key == "reference_outside"


def test_a_baseline_names_its_history_relative_to_itself_not_to_the_variant(tmp_path, monkeypatch):
    from okmo_models.budget.forecast import load_budget

    for name in ("budget.yaml", "history.csv"):
        shutil.copy(SCENARIOS / "kok-jar" / name, tmp_path / name)
    (tmp_path / "variants").mkdir()
    v = tmp_path / "variants" / "v.yaml"
    v.write_text("variant_of: ../budget.yaml\nchanges: {}\n", encoding="utf-8")
    monkeypatch.setenv("OKMO_DATA_ROOT", str(tmp_path))
    assert load_budget(v).scenario.years == load_budget(tmp_path / "budget.yaml").scenario.years


def test_file_kind_follows_variants_only_inside_the_folder(tmp_path):
    folder = tmp_path / "work"
    folder.mkdir()
    (tmp_path / "budget.yaml").write_text("kind: budget\n", encoding="utf-8")
    (folder / "budget.yaml").write_text("kind: budget\n", encoding="utf-8")
    (folder / "out.yaml").write_text("variant_of: ../budget.yaml\n", encoding="utf-8")
    (folder / "in.yaml").write_text("variant_of: budget.yaml\n", encoding="utf-8")
    (folder / "a.yaml").write_text("variant_of: b.yaml\n", encoding="utf-8")
    (folder / "b.yaml").write_text("variant_of: a.yaml\n", encoding="utf-8")
    assert file_kind(folder / "in.yaml") == "budget"
    assert file_kind(folder / "out.yaml") == "tariff"  # not followed: the loader explains why
    assert file_kind(folder / "a.yaml") == "tariff"
    assert file_kind("/dev/zero") == "tariff"


# --- item 9: YAML aliases cannot blow a file up ----------------------------------------------------


def test_billion_laughs_is_refused_at_once_naming_the_line(tmp_path):
    lines = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    for prev, name in zip("abcdefgh", "bcdefghi"):
        lines.append(f"{name}: &{name} [" + ",".join([f"*{prev}"] * 9) + "]")
    bomb = tmp_path / "bomb.yaml"
    bomb.write_text("\n".join(lines) + "\n", encoding="utf-8")
    assert len(bomb.read_bytes()) < 400
    t("file_empty")  # the messages are loaded once per process: not part of the time measured
    start = time.perf_counter()
    with pytest.raises(ScenarioError) as info:
        load_scenario(bomb)
    assert time.perf_counter() - start < 1  # was 33 s
    p = problem(info)
    assert p.key == "yaml_alias_too_large" and p.line == 6 and p.context["anchor"] == "e"
    assert "*e" in info.value.render("ru") and "100 000" in info.value.render("ru")


@pytest.mark.parametrize("text, line", [("a: &a [*a]\n", 1), ("x: 1\nb: &b\n  c: *b\n", 3)])
def test_an_alias_inside_its_own_anchor_is_refused(tmp_path, text, line):
    path = tmp_path / "loop.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ScenarioError) as info:
        load_scenario(path)
    p = problem(info)
    assert (p.key, p.line) == ("yaml_alias_recursive", line)


def test_ordinary_aliases_still_work(tmp_path):
    from conftest import waste_scenario

    text = yaml.safe_dump(waste_scenario(), allow_unicode=True, sort_keys=False)
    text = text.replace("hand: Hand-worked test case", "hand: &hand Hand-worked test case")
    text = text.replace("moscow: moscow-gov.ru/doc/98647, row 'Сбор и вывоз ТБО'", "moscow: *hand")
    assert "*hand" in text
    path = tmp_path / "aliased.yaml"
    path.write_text(text, encoding="utf-8")
    assert load_scenario(path).scenario.sources["moscow"] == "Hand-worked test case"


def test_a_huge_file_is_refused_before_parsing(tmp_path):
    path = tmp_path / "huge.yaml"
    path.write_bytes(b"# padding\n" * 600_000)  # 6 MB
    with pytest.raises(ScenarioError) as info:
        load_scenario(path)
    assert problem(info).key == "file_too_large" and "5 МБ" in info.value.render("ru")


# --- item 11: data problems, never internal errors ------------------------------------------------


def test_a_circle_of_variants_and_a_variant_of_itself(tmp_path):
    (tmp_path / "a.yaml").write_text("variant_of: b.yaml\n", encoding="utf-8")
    (tmp_path / "b.yaml").write_text("variant_of: a.yaml\n", encoding="utf-8")
    (tmp_path / "self.yaml").write_text("variant_of: ./self.yaml\n", encoding="utf-8")
    with pytest.raises(ScenarioError) as info:
        load_scenario(tmp_path / "a.yaml")
    p = problem(info)
    assert p.key == "variant_cycle" and p.field_path() == "variant_of"
    assert "a.yaml → b.yaml → a.yaml" in info.value.render("en")
    with pytest.raises(ScenarioError) as info:
        load_scenario(tmp_path / "self.yaml")
    assert problem(info).key == "variant_cycle" and "self.yaml → self.yaml" in info.value.render("ky")


@pytest.mark.parametrize("special", ["/dev/zero", "fifo"])
def test_a_device_or_a_pipe_is_refused_without_reading(tmp_path, special):
    if special == "fifo":
        special = tmp_path / "pipe.yaml"
        os.mkfifo(special)
    start = time.perf_counter()
    proc = okmo("check", special, "--lang", "en")
    assert time.perf_counter() - start < 30
    assert proc.returncode == 2 and "not an ordinary file" in proc.stderr, proc.stderr
    with pytest.raises(ScenarioError) as info:
        load_scenario(special)
    assert problem(info).key == "file_not_regular"


def test_check_goes_on_after_a_failing_file(waste, tmp_path, monkeypatch, capsys):
    (tmp_path / "a.yaml").write_text("variant_of: a.yaml\n", encoding="utf-8")
    (tmp_path / "boom.yaml").write_text("schema_version: 1\n", encoding="utf-8")
    from okmo_models.scenario import loader

    real = loader.load_scenario

    def flaky(path):
        if str(path).endswith("boom.yaml"):
            raise RuntimeError("unexpected")
        return real(path)

    monkeypatch.setattr(loader, "load_scenario", flaky)
    status = main(["check", str(tmp_path / "a.yaml"), str(tmp_path / "boom.yaml"), str(waste), "--lang", "en"])
    out = capsys.readouterr()
    assert status == 70
    assert "variant_of" in out.err and "RuntimeError: unexpected" in out.err and "boom.yaml" in out.err
    assert t("cli_check_ok", "en", file=str(waste)) in out.out
    assert main(["check", str(tmp_path / "a.yaml"), str(waste)]) == 2


def test_errors_in_kyrgyz_have_no_english_words():
    keys = ["reference_outside", "reference_wrong_kind", "reference_missing", "variant_baseline_changed",
            "variant_hash_invalid", "variant_cycle", "yaml_alias_too_large", "yaml_alias_recursive",
            "file_too_large", "file_not_regular", "data_root_not_folder", "rebase_refused",
            "rebase_up_to_date", "rebase_not_variant", "rebase_header", "rebase_ask", "rebase_done",
            "cli_rebase_help", "cli_rebase_arg", "cli_rebase_force_help"]
    allowed = {"okmo", "rebase", "data", "root", "force", "yaml", "yml", "toml", "csv", "OKMO", "DATA", "ROOT"}
    for key in keys:
        for lang in ("ru", "ky"):
            text = t(key, lang, file="F", baseline="B", variant="V", root="R", kinds=".yaml", chain="a → b",
                     anchor="x", limit="100 000", path="P")
            assert text != key
            words = set(re.findall(r"[A-Za-z]{3,}", text)) - allowed - {"F", "B", "V", "R", "P"}
            assert not words, (key, lang, words)


# --- item 12: a folder's reports include its variants ----------------------------------------------


def test_scenario_files_include_variants(waste, tmp_path):
    from okmo_models.kinds import plan_files

    (tmp_path / "variants").mkdir()
    (tmp_path / "variants" / "v.yaml").write_text("variant_of: ../waste.yaml\nchanges: {}\n", encoding="utf-8")
    (tmp_path / "notes.yaml").write_text("title: not a scenario\n", encoding="utf-8")
    os.mkfifo(tmp_path / "pipe.yaml")  # never opened: it would block
    assert [p.relative_to(tmp_path).as_posix() for p in plan_files(tmp_path)] == [
        "economic_base.yaml", "passport.yaml", "variants/v.yaml", "waste.yaml"]


@pytest.mark.skipif(shutil.which("chromium") is None or shutil.which("pdftotext") is None,
                    reason="needs Debian's chromium and poppler-utils (scripts/test.sh installs them)")
def test_report_of_a_folder_renders_its_variants(tmp_path):
    folder = tmp_path / "bath"
    (folder / "variants").mkdir(parents=True)
    shutil.copy(SCENARIOS / "ak-bulak/water.yaml", folder / "water.yaml")
    (folder / "variants" / "cheaper.yaml").write_text(
        f"variant_of: ../water.yaml\nbaseline_sha256: {sha(folder / 'water.yaml')}\nchanges: {{}}\n",
        encoding="utf-8")
    out = tmp_path / "reports"
    proc = okmo("report", folder, "-o", out, "--workers", "2", "--lang", "en")
    assert proc.returncode == 0, proc.stderr
    assert "Files: 2; done: 2; failed: 0." in proc.stderr
    # each PDF with its executed notebook beside it, to open and re-run
    assert sorted(p.name for p in out.iterdir()) == ["bath_water_2027_en.ipynb", "bath_water_2027_en.pdf",
                                                      "variants_cheaper_2027_en.ipynb", "variants_cheaper_2027_en.pdf"]


@pytest.mark.parametrize("text, key", [
    ("schema_version: 1\nmunicipality: !custom x\n", "yaml_tag_unknown"),
    ('schema_version: 1\nname: "abc\n', "yaml_unclosed_quote"),
    ("a: [1, 2\n", "file_not_yaml"),
])
def test_a_broken_yaml_file_is_explained_in_the_readers_words(tmp_path, text, key):
    # PyYAML's English ("could not determine a constructor for the tag") reached ru/ky text
    path = tmp_path / "broken.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ScenarioError) as info:
        load_scenario(path)
    assert [p.key for p in info.value.problems] == [key]
    for lang in ("ru", "ky"):
        message = info.value.render(lang).split("\n", 1)[1]  # after the heading with the file name
        latin = [w for w in re.findall(r"[A-Za-z]{3,}", message) if w not in ("YAML", "custom")]
        assert latin == [], (lang, message)

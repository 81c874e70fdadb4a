"""The speed work of issue 21 changes no figure: every bundled example's JSON export is
compared with a snapshot taken before any speed-up (tests/data/speed_snapshot.json), and
every kind's result survives a pickle round-trip (a process pool or Dask returns results
pickled) with the same export.

Refresh the snapshot only for a change that is meant to alter figures:
``python tests/test_speed_invariants.py --write``.
"""

from __future__ import annotations

import functools
import json
import pickle
import sys
from pathlib import Path

import pytest

from okmo_models.kinds import kind_of, plan_files

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = ROOT / "okmo_models" / "examples"
SNAPSHOT = ROOT / "tests" / "data" / "speed_snapshot.json"
LANGS = ("ru", "ky", "en")
# fields that legitimately differ between runs and releases
_VARYING = ("computed_on", "package_version")


def _snapshot() -> dict:
    # missing only while it is being written; test_snapshot_covers_every_example then fails
    return json.loads(SNAPSHOT.read_text(encoding="utf-8")) if SNAPSHOT.exists() else {}


def _plans() -> list[Path]:
    return [p.relative_to(ROOT) for p in plan_files(EXAMPLES)]


def _stripped(text: str):
    """An export without the provenance fields that vary by day and release."""
    data = json.loads(text)

    def walk(node):
        if isinstance(node, dict):
            return {k: walk(v) for k, v in node.items() if k not in _VARYING}
        if isinstance(node, list):
            return [walk(v) for v in node]
        return node

    return walk(data)


def _exports(result, kind) -> dict:
    return {lang: _stripped(kind.export(result, "json", lang)) for lang in LANGS}


@functools.cache  # computed once for the snapshot and the pickling tests
def _computed(rel: Path):
    kind = kind_of(rel)
    kind.load(rel)  # loading is part of what must not change (it raises on a broken file)
    return kind, kind.compute(rel)


def current() -> dict:
    """Every bundled plan's JSON export in every language, keyed by its path."""
    out = {}
    for rel in _plans():
        kind, result = _computed(rel)
        out[rel.as_posix()] = {"kind": kind.name, "json": _exports(result, kind)}
    return out


@pytest.fixture(scope="module")
def in_root():
    # exports name input files relative to the current folder
    mp = pytest.MonkeyPatch()
    mp.chdir(ROOT)
    yield
    mp.undo()


def test_examples_found(in_root):
    kinds = {kind_of(p).name for p in _plans()}
    assert kinds == {"tariff", "budget", "programme", "passport", "economic_base", "monitoring"}


@pytest.mark.parametrize("rel", sorted(_snapshot()))
def test_export_matches_snapshot(in_root, rel):
    expected = _snapshot()[rel]
    kind, result = _computed(Path(rel))
    assert kind.name == expected["kind"]
    got = _exports(result, kind)
    for lang in LANGS:
        assert got[lang] == expected["json"][lang], f"{rel} ({lang}) differs from the snapshot"


def test_snapshot_covers_every_example(in_root):
    assert sorted(p.as_posix() for p in _plans()) == sorted(_snapshot())


@pytest.mark.parametrize("rel", sorted(_snapshot()))
def test_result_pickles(in_root, rel):
    kind, result = _computed(Path(rel))
    back = pickle.loads(pickle.dumps(result))
    assert type(back) is type(result)
    for lang in LANGS:
        assert kind.export(back, "json", lang) == kind.export(result, "json", lang)


def test_result_pickles_into_a_fresh_process(in_root, tmp_path):
    """What a process pool does: the result is unpickled where nothing has run yet."""
    import subprocess

    rel = "okmo_models/examples/teploklyuchenka/waste.yaml"
    kind, result = _computed(Path(rel))
    (tmp_path / "r.pickle").write_bytes(pickle.dumps(result))
    code = ("import pickle, sys; from okmo_models.kinds import KINDS; "
            "r = pickle.loads(open(sys.argv[1], 'rb').read()); "
            "sys.stdout.write(KINDS['tariff'].export(r, 'json', 'ky'))")
    out = subprocess.run([sys.executable, "-c", code, str(tmp_path / "r.pickle")], cwd=ROOT,
                         capture_output=True, text=True, encoding="utf-8", check=True).stdout
    assert out == kind.export(result, "json", "ky")


def test_unpickled_mappings_stay_read_only(in_root):
    from types import MappingProxyType

    from okmo_models.units import parse_unit

    unit = pickle.loads(pickle.dumps(parse_unit("som/m3")))
    assert isinstance(unit.dims, MappingProxyType) and dict(unit.dims) == dict(parse_unit("som/m3").dims)
    with pytest.raises(TypeError):
        unit.dims["money"] = 2


def _array_round(value, step, mode):
    """round_to_step as it was before its one-number path (kept here as the reference)."""
    import numpy as np

    per_som = 1.0 / step
    exact = per_som.is_integer()
    steps = np.asarray(value, dtype=float)
    steps = steps * per_som if exact else steps / step
    steps = np.where(np.abs(steps) < 1e9, np.round(steps, 6), steps)
    whole = {"half_up": lambda: np.sign(steps) * np.floor(np.abs(steps) + 0.5),
             "up": lambda: np.ceil(steps), "down": lambda: np.floor(steps)}[mode]()
    out = (whole / per_som if exact else whole * step) + 0.0
    return float(out) if out.ndim == 0 else out


def test_round_to_step_of_a_number_is_the_array_rounding():
    import numpy as np

    from okmo_models.formatting import round_to_step

    rng = np.random.default_rng(21)
    halves = np.round(rng.uniform(-1000, 1000, 20_000), 2) + 0.005  # the ties a tyiyn turns on
    values = np.concatenate([halves, rng.normal(0, 1e4, 20_000), rng.normal(0, 1e12, 2_000),
                             [0.0, -0.0, 481.735, 48.505, 7.455, -0.004, 1e15, 2.5, -2.5, 5e-7]])
    for step in (0.01, 1.0, 0.1, 0.05, 5.0, 0.3):
        for mode in ("half_up", "up", "down"):
            expected = _array_round(values, step, mode)
            got = [round_to_step(x, step, mode) for x in values.tolist()]
            assert all(type(g) is float for g in got)
            assert np.array_equal(np.array(got), expected), (step, mode)


def _variants():
    """The bundled tariffs, and one with components and fixed tariffs in each tax status:
    every branch of the printed tariffs."""
    from okmo_models.scenario.loader import load_scenario, read_data, validate_scenario

    for rel in ("waste.yaml", "dipping_bath.yaml", "shared_landfill.yaml", "../ak-bulak/water.yaml"):
        yield rel, load_scenario(EXAMPLES / "teploklyuchenka" / rel)
    data = read_data(EXAMPLES / "teploklyuchenka" / "waste.yaml").data
    d = json.loads(json.dumps(data, default=str))
    d["components"] = [{"id": "collection", "name": "Сбор"}, {"id": "burial", "name": "Захоронение"}]
    derived_from = d["staffing"]["positions"] + list(d["production_programme"]["fuels"].values())
    for j, item in enumerate(derived_from + d["cost_lines"] + d["assets"]):
        item["component"] = ("collection", "burial")[j % 2]
    yield "components", validate_scenario(d)
    for taxes in ("included", "excluded"):
        d = json.loads(json.dumps(data, default=str))
        for section in ("affordability", "vulnerable", "path", "sensitivity"):
            d.pop(section, None)  # their rules about fixed tariffs are not what is tested here
        other = "excluded" if taxes == "included" else "included"
        d["categories"][0].update(fixed_tariff="40 som/household/month", fixed_tariff_taxes=taxes)
        d["categories"][1].update(fixed_tariff="100 som/m3", fixed_tariff_taxes=other)
        yield f"fixed+{taxes}", validate_scenario(d)


def test_monte_carlo_evaluation_gives_the_full_evaluations_figures():
    import numpy as np

    from okmo_models.tariff import TariffModel

    rng = np.random.default_rng(5)
    for name, scenario in _variants():
        model = TariffModel(scenario)
        factors = rng.uniform(0.8, 1.2, (300, len(model.input_lines)))
        full, light = model.evaluate(factors), model.evaluate(factors, unrounded_only=True)
        assert set(light) == {"requirement", "tariff_unrounded"}
        for key in light:
            assert np.array_equal(light[key], full[key]), (name, key)


def test_draw_factors_draw_what_every_formula_everywhere_drew():
    import numpy as np

    from okmo_models.tariff.policy.formulas import draw_factors

    def reference(rng, low, high, distribution, size):  # the formulas before issue 21
        low, high = np.asarray(low, dtype=float), np.asarray(high, dtype=float)
        u = rng.random((size, low.size))
        width = np.where(high > low, high - low, 1.0)
        left = np.where(high > low, -low / width, 0.0)
        with np.errstate(invalid="ignore"):
            tri = np.where(u < left, low + np.sqrt(u * width * (-low)), high - np.sqrt((1 - u) * width * high))
        dev = np.where(np.asarray(distribution) == "uniform", low + u * (high - low), tri)
        return 1.0 + np.where(high > low, dev, 0.0)

    g = np.random.default_rng(0)
    for trial in range(60):
        n = int(g.integers(1, 12))
        low = np.where(g.random(n) < 0.4, 0.0, -g.random(n) * 0.5)
        high = np.where(g.random(n) < 0.3, 0.0, g.random(n) * 0.5)
        dist = np.array(["uniform" if g.random() < 0.4 else "triangular" for _ in range(n)], dtype=object)
        seed, size = int(g.integers(0, 2**30)), int(g.integers(1, 500))
        a, b = np.random.default_rng(seed), np.random.default_rng(seed)
        with np.errstate(invalid="ignore"):
            assert np.array_equal(draw_factors(a, low, high, dist, size), reference(b, low, high, dist, size))
        assert a.random() == b.random()  # the stream goes on from the same place


def test_a_file_read_twice_is_not_shared(in_root, tmp_path):
    """The per-process cache of parsed files: keyed by the bytes, never handing out one
    caller's data to another, and a changed file read anew."""
    from okmo_models.scenario.loader import read_file

    path = tmp_path / "x.yaml"
    path.write_text("a:\n  b: [1, 2]\n", encoding="utf-8")
    first = read_file(path)[0]
    first["a"]["b"].append(3)
    assert read_file(path)[0] == {"a": {"b": [1, 2]}}
    path.write_text("a:\n  b: [1, 2, 5]\n", encoding="utf-8")
    assert read_file(path)[0] == {"a": {"b": [1, 2, 5]}}


_TRICKY_YAML = [
    "a: 1\nb: 0x1F\nc: 1_000\nd: 1:30\ne: .inf\nf: ~\ng: yes\nh: 2027-01-01\ni: 2027-01-01 10:00:00+06:00\n",
    "j: !!binary aGVsbG8=\nk: !!str 12\nl: '12'\nm: [1, '2', {n: o}]\n2027: x\n3.5: y\nnull: z\n",
    "base: &b {x: 1, y: [1, 2]}\nother: *b\nmerged:\n  <<: *b\n  z: 3\n",
    "s: !!set {a, b}\no: !!omap [{a: 1}, {b: 2}]\np: !!pairs [{a: 1}]\n",
    "= : v\nq: !unknown 1\nr: !other x\n",
    "t: !!int 'abc'\n",
    "- 1\n- [a, b]\n- {c: d}\n",
    "just text\n",
    "a: {? [1, 2] : x}\n",
]


def _built_both_ways(text: str):
    """``(ours, PyYAML's)``: each the pickled data (types and shared objects) or the error."""
    import yaml

    from okmo_models.scenario import loader

    def outcome(build):
        try:
            return pickle.dumps(build()), None
        except Exception as exc:  # noqa: BLE001 - a bad date is a ValueError in both
            return None, (type(exc), str(exc))

    def ours():
        parser = loader._Loader(text)
        try:
            root = parser.get_single_node()
            return loader._constructed(parser, root, text) if root is not None else None
        finally:
            parser.dispose()

    return outcome(ours), outcome(lambda: yaml.load(text, Loader=loader._Loader))


@pytest.mark.parametrize("text", _TRICKY_YAML)
def test_plan_yaml_is_built_as_pyyaml_builds_it(text):
    """The loader builds plain documents straight from the node tree: the same data (types,
    shared objects, first problem) as PyYAML's safe constructor, whatever the file holds."""
    ours, theirs = _built_both_ways(text)
    assert ours == theirs


def test_every_yaml_file_of_the_project_is_built_as_pyyaml_builds_it():
    files = sorted(p for p in ROOT.rglob("*.yaml") if ".venv" not in p.parts and ".git" not in p.parts)
    assert len(files) > 50
    for path in files:
        ours, theirs = _built_both_ways(path.read_text(encoding="utf-8", errors="replace"))
        assert ours == theirs, path


@pytest.mark.parametrize("text", _TRICKY_YAML + ["a: {ru: x, ky: 'y', en: \"z\"}\nb: {ru: x}\nb: {ru: w}\n", ""])
def test_locale_yaml_is_read_as_pyyaml_reads_it(text):
    import yaml

    from okmo_models import i18n

    def outcome(read):
        try:
            return pickle.dumps(read(text)), None
        except Exception as exc:  # noqa: BLE001
            return None, (type(exc), str(exc))

    assert outcome(i18n._load) == outcome(lambda t: yaml.load(t, Loader=i18n._LOADER))


def test_every_locale_file_is_read_as_pyyaml_reads_it():
    import yaml

    from okmo_models import i18n

    for path in sorted((ROOT / "okmo_models" / "locales").glob("*.yaml")):
        text = path.read_text(encoding="utf-8")
        assert pickle.dumps(i18n._load(text)) == pickle.dumps(yaml.load(text, Loader=i18n._LOADER)), path


def test_a_message_key_in_two_locale_files_is_still_refused(monkeypatch, tmp_path):
    from importlib import resources

    from okmo_models import i18n

    real = resources.files("okmo_models").joinpath("locales")
    for entry in real.iterdir():
        (tmp_path / entry.name).write_bytes(entry.read_bytes())
    (tmp_path / "zz_extra.yaml").write_text("r_title: {ru: x, ky: x, en: x}\n", encoding="utf-8")

    class Package:
        def joinpath(self, name):
            assert name == "locales"
            return tmp_path

    monkeypatch.setattr(i18n.resources, "files", lambda package: Package())
    i18n._messages.cache_clear()
    try:
        with pytest.raises(RuntimeError, match="zz_extra.yaml repeats message keys: r_title"):
            i18n._messages()
    finally:
        monkeypatch.undo()
        i18n._messages.cache_clear()


def test_lines_named_for_a_file_read_twice(in_root, tmp_path):
    """A problem names the same line whether the file was parsed now or earlier."""
    from okmo_models.errors import ScenarioError
    from okmo_models.scenario.loader import load_scenario

    text = (EXAMPLES / "ak-bulak" / "water.yaml").read_text(encoding="utf-8")
    bad = text.replace("\ntariff_year:", "\nold_tariff_year: 2020\ntariff_year:", 1) + "\nnoise: 1\n"
    path = tmp_path / "water.yaml"
    path.write_text(bad, encoding="utf-8")
    lines = []
    for _ in range(2):
        with pytest.raises(ScenarioError) as info:
            load_scenario(path)
        lines.append([(p.key, p.line) for p in info.value.problems])
    assert lines[0] == lines[1] and len(lines[0]) == 2 and all(line for _, line in lines[0])


if __name__ == "__main__":
    if sys.argv[1:] != ["--write"]:
        sys.exit("usage: python tests/test_speed_invariants.py --write  (refreshes the snapshot)")
    import os

    os.chdir(ROOT)
    SNAPSHOT.write_text(json.dumps(current(), ensure_ascii=False, indent=1, sort_keys=True) + "\n",
                        encoding="utf-8")
    print(f"wrote {SNAPSHOT}")

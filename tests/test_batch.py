"""okmo_models.batch: whole folder trees computed (and reported) serially, in the process
pool and on a real 2-worker Dask LocalCluster; the results must be identical."""

from __future__ import annotations

import json
import shutil
import socket
from pathlib import Path

import pytest

from okmo_models.batch import (
    Summary,
    compute_tree,
    open_batch,
    plan_files,
    report_names,
    report_tree,
    summary,
)
from okmo_models.errors import OkmoError
from okmo_models.examples import example_path
from okmo_models.kinds import KINDS, kind_of, plan_files_in
from okmo_models.references import wider_root

distributed = pytest.importorskip("distributed")

EXAMPLES = Path(example_path(KINDS["tariff"].examples[0])).parent.parent


@pytest.fixture(scope="module")
def tree(tmp_path_factory):
    """The bundled examples, plus one broken plan and what a batch must leave alone."""
    root = tmp_path_factory.mktemp("tree") / "municipalities"
    shutil.copytree(EXAMPLES, root, ignore=shutil.ignore_patterns("__pycache__", "__init__.py"))
    water = (root / "ak-bulak" / "water.yaml").read_text("utf-8")
    broken = water.replace("tariff_year: 2027", "tariff_year: next year")
    assert broken != water
    (root / "ak-bulak" / "broken.yaml").write_text(broken, "utf-8")
    (root / ".hidden").mkdir()
    (root / ".hidden" / "water.yaml").write_text(water, "utf-8")  # hidden folders are skipped
    (root / "ak-bulak" / "notes.yaml").write_text("title: notes, not a plan\n", "utf-8")
    (root / "ak-bulak" / "table.csv").write_text("a,b\n1,2\n", "utf-8")
    (root / "reports").mkdir()
    (root / "reports" / "old.pdf").write_bytes(b"%PDF-1.4\n")
    return root


def _direct(path: Path, root: Path) -> dict:
    """What `okmo <kind> FILE --format json` gives, computed here in the test."""
    with wider_root(root):
        kind = kind_of(path)
        return json.loads(kind.export(kind.compute(path), "json", "en"))


def test_plan_files_finds_every_plan_and_nothing_else(tree):
    found = plan_files([tree])
    rel = sorted(str(p.relative_to(tree)) for p in found)
    bundled = sorted(str(Path(e)) for k in KINDS.values() for e in k.examples)
    assert set(bundled) <= set(rel)
    assert "ak-bulak/broken.yaml" in rel
    assert not any(r.startswith((".hidden", "reports")) or r.endswith(("notes.yaml", ".csv")) for r in rel)
    assert plan_files([tree, tree / "ak-bulak"]) == found  # each file once


def test_plan_files_refuses_a_missing_or_empty_folder(tmp_path):
    with pytest.raises(OkmoError) as caught:
        plan_files([tmp_path / "nowhere"])
    assert "nowhere" in caught.value.render("ky")
    with pytest.raises(OkmoError) as caught:
        plan_files([tmp_path])
    assert str(tmp_path) in caught.value.render("en")


def _check_outcomes(outcomes, tree):
    by_name = {str(o.item.relative_to(tree)): o for o in outcomes}
    bad = by_name.pop("ak-bulak/broken.yaml")
    assert not bad.ok and "tariff_year" in bad.error.render("en")
    assert all(o.ok for o in by_name.values()), summary(outcomes, "en")
    for rel, o in by_name.items():
        assert isinstance(o.value, Summary) and o.value.kind == kind_of(tree / rel).name
        assert o.value.export == _direct(tree / rel, tree), rel
    return outcomes


def test_compute_tree_is_identical_serially_in_the_pool_and_on_dask(tree, cluster):
    serial = _check_outcomes(compute_tree([tree], executor="serial", progress=None), tree)
    pool = compute_tree([tree], executor="process", workers=2, progress=None)
    dask = compute_tree([tree], scheduler=cluster.scheduler_address, progress=None)
    assert [o.item for o in serial] == plan_files([tree])  # order kept
    for other in (pool, dask):
        assert [o.item for o in other] == [o.item for o in serial]
        assert [o.value for o in other] == [o.value for o in serial]  # to the tyiyn, every field
        assert [o.error.render(lang) for o in other if not o.ok for lang in ("ru", "ky", "en")] == \
               [o.error.render(lang) for o in serial if not o.ok for lang in ("ru", "ky", "en")]


def test_summary_names_each_failed_file_in_every_language(tree):
    outcomes = compute_tree([tree / "ak-bulak"], executor="serial")  # the default terminal progress
    assert len(outcomes) == 2
    for lang, words in (("ru", "Файлов: 2; готово: 1; с ошибками: 1."), ("ky", "Файлдар: 2; даяр: 1; каталар менен: 1."),
                        ("en", "Files: 2; done: 1; failed: 1.")):
        text = summary(outcomes, lang)
        assert text.splitlines()[0] == words
        assert str(tree / "ak-bulak" / "broken.yaml") in text and "tariff_year" in text


def test_an_unreachable_scheduler_stops_the_batch_with_a_clear_error(tree, monkeypatch):
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    address = f"tcp://127.0.0.1:{port}"
    from okmo_models import executors

    monkeypatch.setattr(executors, "CONNECT_TIMEOUT", 1.0)
    with pytest.raises(OkmoError) as caught:
        compute_tree([tree / "ak-bulak"], scheduler=address, progress=None)
    assert address in caught.value.render("ru") and "dask scheduler" in caught.value.render("ru")


def test_a_folder_the_workers_cannot_see_is_refused(cluster, tmp_path):
    unseen = tmp_path / "only-here"  # what a folder on this machine alone looks like to the workers
    with pytest.raises(OkmoError) as caught, open_batch([unseen], scheduler=cluster.scheduler_address):
        pass
    text = caught.value.render("en")
    assert str(unseen) in text and "shared" in text
    with open_batch([tmp_path], scheduler=cluster.scheduler_address) as ex:  # a folder they see
        assert ex.kind == "dask"


def test_report_names_are_unique_across_folders(tmp_path):
    for folder in ("a", "b"):
        (tmp_path / folder / "ak-bulak").mkdir(parents=True)
        shutil.copy(EXAMPLES / "ak-bulak" / "water.yaml", tmp_path / folder / "ak-bulak" / "water.yaml")
    names = report_names(plan_files_in([tmp_path / "a", tmp_path / "b"]))
    assert sorted(names.values()) == ["ak-bulak_water", "ak-bulak_water-2"]


def test_a_file_named_like_a_numbered_report_does_not_take_its_place(tmp_path):
    """``a/x.yaml``, ``b/x.yaml`` and ``b/x-2.yaml``: three reports, three names (review of
    issue 21: the second x and x-2 were both named x-2, one report written over the other)."""
    for folder, names in (("a", ("water",)), ("b", ("water", "water-2"))):
        (tmp_path / folder / "ak-bulak").mkdir(parents=True)
        for name in names:
            shutil.copy(EXAMPLES / "ak-bulak" / "water.yaml", tmp_path / folder / "ak-bulak" / f"{name}.yaml")
    folders = [tmp_path / "a", tmp_path / "b"]
    names = report_names(plan_files_in(folders))
    assert len(set(names.values())) == 3


@pytest.mark.skipif(shutil.which("chromium") is None and not Path("/usr/bin/chromium").exists(),
                    reason="needs Debian's chromium")
def test_report_tree_makes_each_pdf_and_reports_the_broken_file(tmp_path):
    folder = tmp_path / "two"
    (folder / "ak-bulak").mkdir(parents=True)
    water = (EXAMPLES / "ak-bulak" / "water.yaml").read_text("utf-8")
    (folder / "ak-bulak" / "water.yaml").write_text(water, "utf-8")
    (folder / "ak-bulak" / "broken.yaml").write_text(water.replace("tariff_year: 2027", "tariff_year: x"), "utf-8")
    outcomes = report_tree([folder], "ky", tmp_path / "out", executor="process", workers=2, progress=None)
    by_name = {o.item.name: o for o in outcomes}
    assert not by_name["broken.yaml"].ok and "tariff_year" in by_name["broken.yaml"].error.render("ky")
    pdf = Path(by_name["water.yaml"].value)
    assert by_name["water.yaml"].ok and pdf.parent == (tmp_path / "out").resolve()
    assert pdf.name.startswith("ak-bulak_water") and pdf.read_bytes().startswith(b"%PDF")


def test_threads_of_one_worker_read_each_with_its_own_folders(tmp_path):
    """A Dask worker may run several tasks in threads; the folders a task may read are in
    the process's environment, so two tasks must not see (or leave behind) each other's
    (review of issue 21: one saw none while the other finished, and one was left set)."""
    import os
    import threading
    import time

    from okmo_models.references import data_roots, wider_root

    seen = {}

    def task(name):
        (tmp_path / name).mkdir()
        with wider_root(tmp_path / name):
            time.sleep(0.2)  # the other thread enters and leaves meanwhile
            seen[name] = [str(r) for r in data_roots()]

    before = os.environ.get("OKMO_DATA_ROOT")
    threads = [threading.Thread(target=task, args=(n,)) for n in ("a", "b")]
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    assert str(tmp_path / "a") in seen["a"] and str(tmp_path / "b") not in seen["a"]
    assert str(tmp_path / "b") in seen["b"] and str(tmp_path / "a") not in seen["b"]
    assert os.environ.get("OKMO_DATA_ROOT") == before

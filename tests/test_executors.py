"""okmo_models.executors: one function over many items, serially, in a process pool or on a
real Dask LocalCluster started here (the ``dask`` extra), never mocked."""

from __future__ import annotations

import io
import logging
import os
import pickle
import socket
import sys

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from okmo_models.errors import OkmoError, Problem, Refusal, ScenarioError
from okmo_models.executors import (
    Failure,
    Outcome,
    Rendered,
    chunks,
    default_chunk_size,
    open_executor,
    portable,
    run,
    run_chunk,
)

distributed = pytest.importorskip("distributed")

ITEMS = ["1", "2", "x", "4", "-5", "", "7", "8", "nine", "10", "11"]  # int() fails on three


def _expected(items):
    out = []
    for item in items:
        try:
            out.append((int(item), None))
        except ValueError as exc:
            out.append((None, f"ValueError: {exc}"))
    return out


def _seen(outcomes):
    return [(o.value, None if o.ok else f"{o.error.kind}: {o.error.message}") for o in outcomes]


@pytest.mark.parametrize("executor", ["serial", "process"])
@pytest.mark.parametrize("chunk_size", [None, 1, 4, 100])
def test_local_executors_keep_order_and_failures(executor, chunk_size):
    outcomes = run(int, ITEMS, executor=executor, workers=2, chunk_size=chunk_size)
    assert [o.item for o in outcomes] == ITEMS
    assert _seen(outcomes) == _expected(ITEMS)
    assert [o.ok for o in outcomes].count(False) == 3


def test_dask_cluster_at_an_address_gives_the_same_outcomes(cluster):
    serial = run(int, ITEMS, executor="serial")
    for chunk_size in (None, 1, 3):
        on_dask = run(int, ITEMS, scheduler=cluster.scheduler_address, chunk_size=chunk_size)
        assert on_dask == serial  # items, values and errors (dataclasses) equal


def test_dask_local_cluster_is_started_and_closed():
    import dask

    before = {p for p in os.listdir("/proc") if p.isdigit()}
    with open_executor("dask", scheduler="local", workers=2) as ex:
        outcomes = ex.map(int, ITEMS * 3)
        # no dashboard, so no profiler sampling every task (it cost 6-10 % of the CPU)
        assert list(ex.everywhere(dask.config.get, "distributed.worker.profile.enabled").values()) == [False, False]
    assert _seen(outcomes) == _expected(ITEMS * 3)
    # the cluster's worker processes are gone afterwards (children of this process; the
    # multiprocessing resource tracker stays, as it does for any pool)
    children = [p for p in os.listdir("/proc") if p.isdigit() and p not in before and _parent(p) == os.getpid()
                and "resource_tracker" not in _cmdline(p)]
    assert children == []


def _parent(pid: str) -> int | None:
    try:
        with open(f"/proc/{pid}/stat") as f:
            return int(f.read().rsplit(")", 1)[1].split()[1])
    except (OSError, IndexError, ValueError):
        return None


def _cmdline(pid: str) -> str:
    try:
        with open(f"/proc/{pid}/cmdline", "rb") as f:
            return f.read().decode(errors="replace")
    except OSError:
        return ""


def _closed_port() -> int:
    with socket.socket() as s:  # a port nothing listens on once closed
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.mark.parametrize("lang, words", [("ru", "Не удалось подключиться"), ("ky", "туташуу мүмкүн болгон жок"),
                                         ("en", "Could not connect")])
def test_unreachable_scheduler_is_a_clear_error_naming_the_address(lang, words):
    address = f"tcp://127.0.0.1:{_closed_port()}"
    with pytest.raises(OkmoError) as caught:
        run(int, ITEMS, scheduler=address, connect_timeout=1)
    text = caught.value.render(lang)
    assert address in text and words in text and "Traceback" not in text


def test_a_malformed_scheduler_address_is_a_clear_error():
    with pytest.raises(OkmoError) as caught:
        run(int, ITEMS, scheduler="tcp://[nonsense", connect_timeout=1)
    assert "tcp://[nonsense" in caught.value.render("en")


def test_dask_not_installed_is_a_clear_error(monkeypatch):
    monkeypatch.setitem(sys.modules, "distributed", None)  # `import distributed` raises ImportError
    with pytest.raises(OkmoError) as caught:
        run(int, ITEMS, scheduler="local")
    assert "pip install 'okmo-models[dask]'" in caught.value.render("ky")
    assert "dask[distributed]" in caught.value.render("ru")


def test_unknown_executor_is_refused():
    with pytest.raises(OkmoError) as caught:
        run(int, ITEMS, executor="threads")
    assert "threads" in caught.value.render("en") and "dask" in caught.value.render("en")


def test_a_dead_worker_fails_its_items_and_the_batch_still_returns():
    outcomes = run(os._exit, [3], executor="process", workers=1)  # the worker process exits
    assert len(outcomes) == 1 and not outcomes[0].ok
    assert "stopped without returning" in outcomes[0].error.render("en")


@settings(max_examples=200, deadline=None)
@given(total=st.integers(0, 3000), size=st.integers(1, 500))
def test_chunks_cover_every_index_once_in_order(total, size):
    ranges = chunks(total, size)
    assert [i for r in ranges for i in r] == list(range(total))
    assert all(1 <= len(r) <= size for r in ranges)


@settings(max_examples=200, deadline=None)
@given(total=st.integers(1, 100_000), workers=st.integers(1, 64))
def test_default_chunks_give_each_worker_a_few_tasks(total, workers):
    size = default_chunk_size(total, workers)
    count = len(chunks(total, size))
    assert count <= workers * 4  # few enough tasks to pay for their scheduling
    assert count >= min(total, workers * 4) // 2  # and enough that no worker stays idle


@settings(max_examples=60, deadline=None)
@given(items=st.lists(st.integers(-50, 50), max_size=60), size=st.one_of(st.none(), st.integers(1, 20)))
def test_run_returns_each_item_once_in_order(items, size):
    outcomes = run(abs, items, executor="serial", chunk_size=size)
    assert [o.item for o in outcomes] == items and [o.value for o in outcomes] == [abs(i) for i in items]


def test_progress_callback_counts_every_item_and_sees_each_failure():
    calls = []
    run(int, ITEMS, executor="process", workers=2, chunk_size=2,
        progress=lambda done, total, outcome: calls.append((done, total, outcome)))
    assert [c[0] for c in calls] == list(range(1, len(ITEMS) + 1))
    assert {c[1] for c in calls} == {len(ITEMS)}
    assert sorted(c[2].item for c in calls if not c[2].ok) == sorted(["x", "", "nine"])


def test_progress_stream_names_each_failed_item():
    stream = io.StringIO()
    run(int, ITEMS, executor="serial", chunk_size=5, progress=stream, lang="en")
    text = stream.getvalue()
    assert "nine: Processing failed (ValueError" in text
    assert text.rstrip().endswith(f"Done {len(ITEMS)} of {len(ITEMS)}")


class Unpicklable(OkmoError):
    """An error whose __init__ does not take its ``args`` back: pickle cannot rebuild it."""

    def __init__(self, file, count):
        super().__init__(f"{file}: {count}")
        self.file, self.count = file, count

    def render(self, lang=None):
        return {"ru": "Файл", "ky": "Файл", "en": "File"}[lang] + f" {self.file}: {self.count}"


def test_okmo_errors_survive_pickling_and_render_in_every_language():
    broken = Unpicklable("water.yaml", 3)
    with pytest.raises(TypeError):
        pickle.loads(pickle.dumps(broken))
    kept = portable(broken)
    assert isinstance(kept, Rendered)
    back = pickle.loads(pickle.dumps(kept))
    for lang in ("ru", "ky", "en"):
        assert back.render(lang) == broken.render(lang)
    scenario = ScenarioError("water.yaml", [Problem(path=("price",), key="error_field", value=-1)])
    assert portable(scenario) is scenario  # it pickles whole: kept as it is
    refusal = Refusal("batch_no_such_folder", path="/x")
    assert pickle.loads(pickle.dumps(portable(refusal))).render("ky") == refusal.render("ky")
    failure = pickle.loads(pickle.dumps(portable(KeyError("k"))))
    assert failure == Failure("KeyError", "'k'") and "KeyError" in failure.render("ru")


def test_run_chunk_keeps_going_after_a_failure():
    assert run_chunk(int, ["1", "x", "3"])[::2] == [(1, None), (3, None)]


def test_outcome_ok():
    assert Outcome("a", 1).ok and not Outcome("a", error=Failure("E", "m")).ok


def test_open_executor_everywhere_reaches_each_dask_worker(cluster):
    with open_executor("dask", scheduler=cluster.scheduler_address) as ex:
        assert ex.workers == 2
        seen = ex.everywhere(os.path.isdir, "/")
    assert len(seen) == 2 and all(seen.values())


def test_a_scheduler_without_workers_is_a_clear_error():
    with distributed.LocalCluster(n_workers=0, processes=True, dashboard_address=None, host="127.0.0.1",
                                  scheduler_kwargs={"dashboard_address": "127.0.0.1:0"},
                                  silence_logs=logging.ERROR) as empty, pytest.raises(OkmoError) as caught:
        run(int, ITEMS, scheduler=empty.scheduler_address, connect_timeout=1)
    text = caught.value.render("ky")
    assert empty.scheduler_address in text and "dask worker" in text

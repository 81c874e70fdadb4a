"""Run one function over many items: serially, in a local process pool, or on Dask.

A batch of hundreds of municipalities is the same small function applied to each file.
:func:`run` applies it with the executor the user chose and returns one :class:`Outcome` per
item, in the items' order, whichever executor ran it:

- ``"serial"``: here, one after another (few items; debugging);
- ``"process"``: a local :class:`~concurrent.futures.ProcessPoolExecutor`;
- ``"dask"``: a ``dask.distributed`` cluster, either a scheduler the user names
  (``"tcp://host:8786"``) or ``"local"``, a :class:`~distributed.LocalCluster` started here
  and closed after. ``dask`` is an optional extra (``okmo-models[dask]``).

Items travel in chunks (:func:`chunks`): one task per item made a 2-worker Dask cluster as
slow as one process (1 350 tariffs: 29,3 s against 30,8 s), as scheduling cost the same as
the 22 ms of work. A failure of one item (an :class:`~okmo_models.errors.OkmoError` or any
other exception) becomes that item's ``Outcome.error`` and never stops the rest; errors are
made picklable in the worker so that they survive the trip back (:func:`portable`).

This module is in the base layer: it knows nothing of plans, reports or the CLI.
"""

from __future__ import annotations

import logging
import math
import os
import pickle
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait
from contextlib import contextmanager
from dataclasses import dataclass, field

from okmo_models.errors import OkmoError, Refusal, printable, shorten
from okmo_models.i18n import LANGUAGES, default_language, t

EXECUTORS = ("serial", "process", "dask")
AUTO = "auto"  # executor: serial for a handful of items, else the local process pool
SERIAL_UP_TO = 2  # items: a pool costs more to start than so few take
LOCAL = "local"  # scheduler="local": start a LocalCluster on this machine
TASKS_PER_WORKER = 4  # chunks per worker: big enough to pay for a task, enough to balance load
CONNECT_TIMEOUT = 10.0  # seconds to reach a named scheduler before saying it is unreachable


@dataclass(frozen=True)
class Failure:
    """An unexpected exception in one item, reduced to text so that it pickles: its type's
    name and message (a traceback is for developers; the user needs the file and the cause)."""

    kind: str
    message: str
    key: str = "batch_item_failed"

    @classmethod
    def of(cls, exc: BaseException) -> Failure:
        return cls(type(exc).__name__, str(exc))

    def render(self, lang: str | None = None) -> str:
        detail = self.kind + (": " + shorten(printable(self.message), 300) if self.message else "")
        return t(self.key, lang, detail=detail)

    def __str__(self) -> str:
        return self.render("en")


@dataclass(frozen=True)
class Rendered:
    """An :class:`OkmoError` that cannot be pickled (its ``__init__`` takes other arguments
    than ``args``), kept as its text in every language: it still renders in the reader's."""

    kind: str
    texts: dict = field(default_factory=dict)

    @classmethod
    def of(cls, exc: OkmoError) -> Rendered:
        return cls(type(exc).__name__, {lang: exc.render(lang) for lang in LANGUAGES})

    def render(self, lang: str | None = None) -> str:
        return self.texts.get(lang or default_language()) or self.texts.get("ru") or self.kind

    def __str__(self) -> str:
        return self.render("en")


def portable(exc: BaseException):
    """``exc`` as an error that renders itself and survives pickling: an OkmoError as it is
    when it pickles back whole, else its texts (:class:`Rendered`); anything else as a
    :class:`Failure`."""
    if isinstance(exc, OkmoError):
        return exc if _pickles_whole(exc) else Rendered.of(exc)
    return Failure.of(exc)


def _pickles_whole(exc: OkmoError) -> bool:
    try:
        back = pickle.loads(pickle.dumps(exc))
    except Exception:  # noqa: BLE001 - any failure means: keep it as text
        return False
    return type(back) is type(exc) and back.render("en") == exc.render("en")


@dataclass(frozen=True)
class Outcome:
    """What became of one item: ``value`` (what the function returned) or ``error``."""

    item: object
    value: object = None
    error: object = None  # None, or an object with .render(lang) -> str

    @property
    def ok(self) -> bool:
        return self.error is None


def chunks(total: int, chunk_size: int) -> list[range]:
    """Consecutive index ranges covering ``range(total)`` exactly once, each at most
    ``chunk_size`` long."""
    if chunk_size < 1:
        raise ValueError("chunk_size must be at least 1")
    return [range(start, min(start + chunk_size, total)) for start in range(0, total, chunk_size)]


def default_chunk_size(total: int, workers: int) -> int:
    """About :data:`TASKS_PER_WORKER` chunks per worker: each task carries enough work to
    pay for its scheduling, and a slow chunk does not leave the other workers idle."""
    return max(1, math.ceil(total / (max(1, workers) * TASKS_PER_WORKER)))


def run_chunk(func: Callable, items: Sequence) -> list[tuple[object, object]]:
    """``func`` over ``items`` in a worker: ``(value, None)`` or ``(None, error)`` each."""
    out = []
    for item in items:
        try:
            out.append((func(item), None))
        except Exception as exc:  # noqa: BLE001 - one item's failure must not stop the rest
            out.append((None, portable(exc)))
    return out


class Progress:
    """Calls ``callback(done, total, outcome)`` for every finished item, or writes to a
    ``stream`` a line per failure (with its item) and the count of items done."""

    def __init__(self, progress, total: int, lang: str | None = None):
        self.total, self.done, self.lang = total, 0, lang
        self.callback = progress if callable(progress) else None
        self.stream = progress if progress is not None and hasattr(progress, "write") else None

    def finished(self, outcomes: Iterable[Outcome]) -> None:
        for outcome in outcomes:
            self.done += 1
            if self.callback is not None:
                self.callback(self.done, self.total, outcome)
            elif self.stream is not None and not outcome.ok:
                self.stream.write(t("batch_progress_failed", self.lang, done=self.done, total=self.total,
                                    item=printable(str(outcome.item)), error=outcome.error.render(self.lang)) + "\n")
        if self.stream is not None:
            self.stream.write(t("batch_progress", self.lang, done=self.done, total=self.total) + "\n")
            self.stream.flush()


def _outcomes(items: Sequence, indices: range, results) -> list[Outcome]:
    return [Outcome(items[i], value, error) for i, (value, error) in zip(indices, results)]


def _lost(items: Sequence, indices: range, exc: BaseException) -> list[Outcome]:
    """Every item of a chunk whose worker died (or whose result did not come back)."""
    error = Failure(type(exc).__name__, str(exc), key="batch_worker_lost")
    return [Outcome(items[i], None, error) for i in indices]


class Executor:
    """An open executor: :meth:`map` a function over items, :meth:`everywhere` a check on
    each worker (a folder visible to remote workers). Made by :func:`open_executor`."""

    kind = "serial"
    workers = 1

    def map(self, func: Callable, items: Iterable, *, chunk_size: int | None = None, progress=None,
            lang: str | None = None) -> list[Outcome]:
        items = list(items)
        result: list[Outcome | None] = [None] * len(items)
        if not items:
            return []
        size = chunk_size or default_chunk_size(len(items), self.workers)
        report = Progress(progress, len(items), lang)
        for indices, outcomes in self._chunks(func, items, chunks(len(items), size)):
            for i, outcome in zip(indices, outcomes):
                result[i] = outcome
            report.finished(outcomes)
        return result  # type: ignore[return-value]

    def everywhere(self, func: Callable, *args) -> dict[str, object]:
        """``func(*args)`` on each worker's machine: ``{worker: result}``. Local executors
        share this machine's files, so it runs once here."""
        return {"local": func(*args)}

    def _chunks(self, func, items, ranges):
        for indices in ranges:
            yield indices, _outcomes(items, indices, run_chunk(func, [items[i] for i in indices]))


class _Process(Executor):
    kind = "process"

    def __init__(self, workers: int):
        self.workers = workers
        self.pool = ProcessPoolExecutor(max_workers=workers)

    def _chunks(self, func, items, ranges):
        pending = {self.pool.submit(run_chunk, func, [items[i] for i in r]): r for r in ranges}
        while pending:
            done, _ = wait(pending, return_when=FIRST_COMPLETED)
            for future in done:
                indices = pending.pop(future)
                try:
                    yield indices, _outcomes(items, indices, future.result())
                except Exception as exc:  # noqa: BLE001 - a worker that died (BrokenProcessPool)
                    yield indices, _lost(items, indices, exc)


class _Dask(Executor):
    kind = "dask"

    def __init__(self, client, workers: int):
        self.client, self.workers = client, workers

    def _chunks(self, func, items, ranges):
        from distributed import as_completed

        futures = {self.client.submit(run_chunk, func, [items[i] for i in r], pure=False): r for r in ranges}
        for future in as_completed(list(futures)):
            indices = futures[future]
            try:
                yield indices, _outcomes(items, indices, future.result())
            except Exception as exc:  # noqa: BLE001 - KilledWorker, a result that did not unpickle
                yield indices, _lost(items, indices, exc)
            finally:
                future.release()

    def everywhere(self, func: Callable, *args) -> dict[str, object]:
        return dict(self.client.run(func, *args))


def _import_distributed():
    try:
        import distributed
    except ImportError as exc:
        raise Refusal("batch_no_dask", detail=str(exc)) from None
    return distributed


def resolve(executor: str, scheduler: str | None, items: int) -> str:
    """The executor :data:`AUTO` stands for with ``items`` to run (a scheduler: Dask)."""
    if executor != AUTO:
        return executor
    if scheduler:
        return "dask"
    return "serial" if items <= SERIAL_UP_TO else "process"


@contextmanager
def open_executor(executor: str = "serial", *, scheduler: str | None = None, workers: int | None = None,
                  connect_timeout: float | None = None):
    """An open :class:`Executor`, closed (pool shut down, local cluster stopped) on exit.

    A ``scheduler`` means Dask whatever ``executor`` says: ``"local"`` starts a LocalCluster
    of ``workers`` processes (default: this machine's CPUs), an address connects to it
    (waiting ``connect_timeout`` seconds, default :data:`CONNECT_TIMEOUT`, for it and for a
    first worker)."""
    connect_timeout = connect_timeout or CONNECT_TIMEOUT
    if scheduler:
        executor = "dask"
    if executor not in EXECUTORS:
        raise Refusal("batch_unknown_executor", name=printable(str(executor)), known=", ".join(EXECUTORS))
    if executor == "serial":
        yield Executor()
        return
    if executor == "process":
        ex = _Process(workers or os.cpu_count() or 1)
        try:
            yield ex
        finally:
            ex.pool.shutdown(wait=True, cancel_futures=True)
        return
    distributed = _import_distributed()
    cluster = None
    address = scheduler or LOCAL
    if address == LOCAL:
        # this machine only; no dashboard (the scheduler's HTTP server still runs: any free port),
        # so no statistical profiler either: sampling every task's stack cost 6-10 % of the CPU
        # (benchmarks/bench_batch.py)
        import dask

        with dask.config.set({"distributed.worker.profile.enabled": False}):
            cluster = distributed.LocalCluster(n_workers=workers or os.cpu_count() or 1, threads_per_worker=1,
                                               processes=True, host="127.0.0.1", dashboard_address=None,
                                               scheduler_kwargs={"dashboard_address": "127.0.0.1:0"},
                                               silence_logs=logging.ERROR)
        client = distributed.Client(cluster)
    else:
        try:
            client = distributed.Client(address, timeout=connect_timeout)
        except (OSError, TimeoutError, ValueError) as exc:  # refused, no route, wrong address
            raise Refusal("batch_scheduler_unreachable", address=printable(address),
                          detail=shorten(printable(str(exc)), 200)) from None
    try:
        if cluster is None:
            try:  # workers may still be joining a scheduler just started
                client.wait_for_workers(1, timeout=connect_timeout)
            except TimeoutError:
                raise Refusal("batch_no_workers", address=printable(address)) from None
        # a remote worker may run several threads: each takes tasks
        count = (sum(w.get("nthreads", 1) for w in client.scheduler_info().get("workers", {}).values())
                 if cluster is None else (workers or os.cpu_count() or 1))
        yield _Dask(client, max(1, count))
    finally:
        client.close()
        if cluster is not None:
            cluster.close()


def run(func: Callable, items: Iterable, *, executor: str = "serial", scheduler: str | None = None,
        workers: int | None = None, chunk_size: int | None = None, progress=None,
        lang: str | None = None, connect_timeout: float | None = None) -> list[Outcome]:
    """``func`` (a top-level function of one item, so that it pickles) over ``items``:
    one :class:`Outcome` per item in the items' order. ``progress``: ``None``, a callable
    ``(done, total, outcome)`` or a text stream (failures with their item, and done/total)."""
    with open_executor(executor, scheduler=scheduler, workers=workers, connect_timeout=connect_timeout) as ex:
        return ex.map(func, items, chunk_size=chunk_size, progress=progress, lang=lang)


__all__ = ["AUTO", "EXECUTORS", "LOCAL", "SERIAL_UP_TO", "Executor", "Failure", "Outcome", "Rendered", "chunks",
           "default_chunk_size", "open_executor", "portable", "resolve", "run", "run_chunk"]

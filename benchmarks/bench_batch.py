"""Batch benchmark (issue 21): N tariffs through okmo_models.executors.run, side by side:
one process, the local process pool of 2, and a 2-worker Dask LocalCluster (chunked, and
one task per item as before chunking).

Run:  .venv/bin/python benchmarks/bench_batch.py [N] [--out FILE]
Each item is one bundled tariff example (they are repeated to N, default 1 350), computed
and exported as JSON (`okmo_models.batch.compute_file`, what `compute_tree` returns). The
time to start an executor (pool, cluster, the workers' imports) is given apart from the run itself. Every executor's
results are checked equal to the serial ones. Figures on a shared machine are noisy: the
load (/proc/loadavg) is printed beside each.
"""

from __future__ import annotations

import os
import sys
import time
from functools import partial
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.bench_tariff import machine
from okmo_models.batch import compute_file
from okmo_models.examples import example_path
from okmo_models.executors import default_chunk_size, open_executor
from okmo_models.kinds import KINDS


def cpu() -> float:
    """CPU seconds of this process, of its reaped children and of its live descendants (pool
    workers, a LocalCluster's worker processes), read from /proc."""
    t = os.times()
    total = t.user + t.system + t.children_user + t.children_system
    parent, stats = {}, {}
    for pid in filter(str.isdigit, os.listdir("/proc")):
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except (OSError, IndexError):
            continue
        parent[int(pid)], stats[int(pid)] = int(fields[1]), fields
    tick = os.sysconf("SC_CLK_TCK")
    for pid, fields in stats.items():
        up = parent.get(pid)
        while up and up != os.getpid():
            up = parent.get(up)
        if up == os.getpid():  # fields 14 and 15 of stat: utime, stime (ours start at index 11)
            total += (int(fields[11]) + int(fields[12])) / tick
    return total


def load() -> str:
    return " ".join(Path("/proc/loadavg").read_text().split()[:3])


def main() -> None:
    args = [a for a in sys.argv[1:] if not a.startswith("--")]
    out = sys.argv[sys.argv.index("--out") + 1] if "--out" in sys.argv else None
    if out in args:
        args.remove(out)
    n = int(args[0]) if args else 1350
    examples = [example_path(e) for e in KINDS["tariff"].examples]
    root = str(Path(examples[0]).parent.parent.resolve())
    items = [str(Path(examples[i % len(examples)]).resolve()) for i in range(n)]
    func = partial(compute_file, root=root, lang="en")
    compute_file(items[0], root)  # imports done once here, as in a warm CLI

    runs = [("serial (one process)", "serial", None, None),
            ("process pool of 2", "process", None, None),
            ("Dask LocalCluster, 2 workers", "dask", "local", None),
            ("Dask LocalCluster, 2 workers, 1 item per task", "dask", "local", 1)]
    rows, reference = [], None
    for label, executor, scheduler, chunk in runs:
        before = load()
        cpu0 = cpu()
        start = time.perf_counter()
        with open_executor(executor, scheduler=scheduler, workers=2) as ex:
            # a Dask worker is a fresh interpreter: its imports are paid once per batch, counted
            # in "start" (pool workers are forked from this warm process)
            ex.everywhere(compute_file, items[0], root)
            started, cpu_started = time.perf_counter(), cpu()
            outcomes = ex.map(func, items, chunk_size=chunk)
            ran, cpu_ran = time.perf_counter(), cpu()
        closed = time.perf_counter()
        spent = cpu() - cpu0  # start to close
        run_cpu = cpu_ran - cpu_started
        assert all(o.ok for o in outcomes), [o.error.render("en") for o in outcomes if not o.ok][:3]
        values = [o.value for o in outcomes]
        if reference is None:
            reference = values
        assert values == reference, f"{label}: results differ from the serial run"
        size = chunk or default_chunk_size(n, ex.workers)
        rows.append((label, started - start, ran - started, closed - ran, run_cpu, spent, size, before, load()))
        print(f"{label}: start {started - start:.2f} s, run {ran - started:.2f} s, close {closed - ran:.2f} s, "
              f"run CPU {run_cpu:.2f} s, CPU start to close {spent:.2f} s, chunk {size}, load {before} -> {load()}",
              flush=True)

    serial_run = rows[0][2]
    lines = [
        "# Batch benchmark (issue 21)", "",
        f"Command: `{' '.join(['.venv/bin/python', 'benchmarks/bench_batch.py', *sys.argv[1:]])}`  ",
        f"Machine: {machine()}  ",
        (f"Items: {n} tariffs (the {len(examples)} bundled tariff examples repeated), each computed and "
         "exported as JSON (`okmo_models.batch.compute_file`); results checked identical across executors."), "",
        ("| executor | start, s | run, s | close, s | per item, ms | run vs serial | run CPU, s | run CPU vs serial "
         "| CPU start to close, s | chunk | load before -> after |"),
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|",
    ]
    serial_cpu = rows[0][4]
    for label, s, r, c, run_cpu, spent, size, before, after in rows:
        lines.append(f"| {label} | {s:.2f} | {r:.2f} | {c:.2f} | {1000 * r / n:.1f} | {serial_run / r:.2f}x | "
                     f"{run_cpu:.1f} | {run_cpu / serial_cpu:.2f}x | {spent:.1f} | {size} | {before} -> {after} |")
    lines += ["", ("\"run vs serial\": the serial run time divided by each run time (start and close excluded). "
                   "\"CPU\": the CPU seconds of this process and of the workers it started (during the run; "
                   "and from start to close, the workers' start-up and imports included), which other people's load on the machine does not inflate as it does the wall "
                   "times. The machine has 2 cores shared with other work: see the load.")]
    text = "\n".join(lines) + "\n"
    print(text)
    if out:
        Path(out).write_text(text, "utf-8")


if __name__ == "__main__":
    main()

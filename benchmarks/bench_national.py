"""National benchmark (issue 21): a generated country of aiyl okmotu, computed, compared and reported.

Run:  .venv/bin/python benchmarks/bench_national.py                    # 450 x 3 tariffs, 100 reports
      .venv/bin/python benchmarks/bench_national.py --n 60 --reports 10  # a quick try
Options: --n N (municipalities, default 450), --reports R (default 100; 0 skips the reports),
--parts tariffs,compare,reports (default all three), --executors serial,process,dask
(default all three; --compare-executors for (b) alone), --workers W (default 2), --seed S, --lang ru|ky|en (reports, default ru),
--machines 1,2,4,... (the cluster model), --keep DIR (generate there and keep it),
--out FILE (Markdown; default /work/h/bench_national.md).

Steps, each side by side for one process, the local process pool of W and a W-worker Dask
LocalCluster (``okmo_models.executors.run`` / ``okmo_models.batch.report_tree``):

(a) every tariff of the country computed (``calculate_tariff``; target: under 5 s in one
    process for 1 350); results checked identical whichever executor ran them;
(b) the comparison (``okmo_models.compare.compare``) of the whole folder, tariffs and budgets;
    its outliers against the ones the generator planted (``country.json``);
(c) R reports (justification PDFs) of tariffs spread over the country;
(d) the cost of 1 000 reports on a cluster of N machines, from the measured figures (the model
    is printed with the table).

For each run: wall time of starting the executor (pool, cluster and the workers' imports)
apart from the run itself, CPU seconds of the whole process tree (this process, the pool or
cluster workers, the kernels and Chromium they start: psutil), and the load (/proc/loadavg)
before and after. The machine is shared: figures taken while others run are noisy.
"""

from __future__ import annotations

import argparse
import json
import math
import shutil
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from okmo_models.examples.synthetic import MANIFEST, SERVICES, generate_country

DEFAULT_OUT = Path("/work/h/bench_national.md")
MACHINE_NOTES = ROOT.parent / ".library/env/machines/python.md"


# --- measuring ---------------------------------------------------------------------------

def load() -> str:
    return " ".join(Path("/proc/loadavg").read_text().split()[:3])


def tree_cpu() -> float:
    """CPU seconds used so far by this process and every process under it (pool and Dask
    workers, notebook kernels, Chromium), those still running and those that ended."""
    import psutil

    me = psutil.Process()
    total = sum(me.cpu_times()[:4])  # user, system, and children waited for
    for child in me.children(recursive=True):
        try:
            total += sum(child.cpu_times()[:2])  # their own waited children are in our figure once they end
        except psutil.Error:
            pass
    return total


class Clock:
    """Wall and process-tree CPU time of a block, with the load before and after."""

    def __enter__(self):
        self.load_before, self.cpu0, self.t0 = load(), tree_cpu(), time.perf_counter()
        return self

    def __exit__(self, *exc):
        self.wall = time.perf_counter() - self.t0
        self.cpu = tree_cpu() - self.cpu0
        self.load_after = load()
        return False

    @property
    def loads(self) -> str:
        return f"{self.load_before} → {self.load_after}"


def machine() -> str:
    """The machine as the other benchmarks name it, with its memory and the workplace's notes."""
    from benchmarks.bench_tariff import machine as cpu_and_python

    memory = ""
    try:
        kb = int(next(x for x in Path("/proc/meminfo").read_text().splitlines() if x.startswith("MemTotal")).split()[1])
        memory = f", {kb / 2**20:.0f} GiB"
    except (OSError, StopIteration, ValueError):
        pass
    size = ""
    if MACHINE_NOTES.is_file():
        size = next((ln.strip() for ln in MACHINE_NOTES.read_text("utf-8").splitlines() if ln.startswith("Size:")), "")
        size = f" (machine notes: {size.split('.')[0]})" if size else ""
    return f"{cpu_and_python()}{memory}{size}"


# --- the work each executor runs (top-level, so that it pickles) --------------------------

def tariff_figures(path: str) -> tuple:
    """One tariff computed through the API; a few of its figures (picklable, and enough to
    see that every executor computed the same thing)."""
    from okmo_models.tariff import calculate_tariff

    r = calculate_tariff(path)
    return (r.revenue_requirement_som, r.costs_som, r.total_volume, r.typical_household_bill_som,
            tuple((t.id, t.tariff_som, t.tariff_unrounded_som) for t in r.tariffs))


def warm(_=None) -> bool:
    """Imports done in a worker before the clock runs for the work (a Dask worker is a fresh
    interpreter; a pool worker is forked from this warm process)."""
    import okmo_models.kinds
    import okmo_models.tariff  # noqa: F401

    return True


# --- the parts -----------------------------------------------------------------------------

def part_tariffs(files: list[Path], executors: list[str], workers: int) -> list[dict]:
    from okmo_models.executors import default_chunk_size, open_executor

    items = [str(p) for p in files]
    tariff_figures(items[0])  # imports paid once here, as a warm CLI or notebook has them
    rows, reference = [], None
    for executor in executors:
        scheduler = "local" if executor == "dask" else None
        with Clock() as whole, open_executor(executor, scheduler=scheduler, workers=workers) as ex:
            ex.everywhere(warm)
            started = time.perf_counter()
            with Clock() as work:
                outcomes = ex.map(tariff_figures, items)
            chunk = default_chunk_size(len(items), ex.workers)
        failed = [o for o in outcomes if not o.ok]
        values = [o.value for o in outcomes]
        same = None
        if reference is None:
            reference = values
        else:
            same = values == reference
        rows.append({"executor": executor, "items": len(items), "start": started - whole.t0,
                     "run": work.wall, "cpu": work.cpu, "total": whole.wall, "chunk": chunk,
                     "failed": len(failed), "same": same, "load": work.loads,
                     "errors": [f"{o.item}: {o.error}" for o in failed[:3]]})
        print(_line("tariffs", rows[-1]), flush=True)
    return rows


def part_compare(root: Path, executors: list[str], workers: int, manifest: dict) -> list[dict]:
    from okmo_models.compare import compare

    rows = []
    planted = {(m["folder"], s) for m in manifest["municipalities"] for s in m["outliers"]}
    for executor in executors:
        scheduler = "local" if executor == "dask" else None
        with Clock() as c:
            result = compare([root], executor=executor, scheduler=scheduler,
                             workers=None if executor == "serial" else workers)
        flagged = {}
        for o in result.outliers:
            if o.row["table"] == "tariffs":
                file = Path(o.row["file"]).resolve()
                flagged.setdefault((str(file.parent.relative_to(root.resolve())), file.stem), set()).add(o.rule.id)
        cost_flags = {k for k, v in flagged.items() if "cost_above_twice_median" in v}
        rows.append({"executor": executor, "files": len(result.rows) + len(result.failures) + len(result.skipped),
                     "rows": len(result.rows), "tariff_rows": len(result.tariff_rows),
                     "budget_rows": len(result.budget_rows), "failures": len(result.failures),
                     "outliers": len(result.outliers), "tariffs_flagged": len(flagged),
                     "planted": len(planted), "planted_flagged_for_cost": len(planted & cost_flags),
                     "other_flagged_for_cost": len(cost_flags - planted),
                     "rules": sorted({r for v in flagged.values() for r in v}),
                     "run": c.wall, "cpu": c.cpu, "load": c.loads,
                     "errors": [f"{f.file}: {f.message('en')}" for f in result.failures[:3]]})
        print(_line("compare", rows[-1]), flush=True)
    return rows


def warm_reports(_=None) -> bool:
    """The report's imports, paid once in a fresh worker."""
    import okmo_models.batch
    import okmo_models.report.build  # noqa: F401

    return True


def part_reports(files: list[Path], executors: list[str], workers: int, lang: str, out: Path) -> list[dict]:
    from okmo_models.batch import report_tree
    from okmo_models.executors import open_executor

    rows = []
    for executor in executors:
        folder = out / executor
        start = 0.0
        if executor == "dask":
            # the cluster's own cost (start, the workers' imports, stop), apart: report_tree
            # pays it again inside its run; the model below takes it out of the per-report figure
            with Clock() as c, open_executor("dask", scheduler="local", workers=workers) as ex:
                ex.everywhere(warm_reports)
            start = c.wall
            print(f"reports: a {workers}-worker LocalCluster started, warmed and stopped in {start:.2f} s "
                  f"(load {c.loads})", flush=True)
        kwargs = {"executor": executor} if executor != "dask" else {"scheduler": "local"}
        if executor != "serial":
            kwargs["workers"] = workers
        with Clock() as c:
            outcomes = report_tree(files, lang, folder, overwrite=False, progress=None, **kwargs)
        failed = [o for o in outcomes if not o.ok]
        pdfs = [Path(o.value) for o in outcomes if o.ok]
        rows.append({"executor": executor, "reports": len(files), "ok": len(pdfs), "failed": len(failed),
                     "run": c.wall, "cpu": c.cpu, "load": c.loads, "start": start,
                     "pdf_bytes": sum(p.stat().st_size for p in pdfs if p.is_file()),
                     "errors": [f"{o.item}: {o.error.render('en') if hasattr(o.error, 'render') else o.error}"
                                for o in failed[:3]]})
        print(_line("reports", rows[-1]), flush=True)
    return rows


def _line(part: str, row: dict) -> str:
    keys = ("executor", "run", "cpu", "start", "failed", "failures", "same", "load")
    return f"{part}: " + ", ".join(f"{k} {row[k]:.2f}" if isinstance(row.get(k), float) else f"{k} {row[k]}"
                                   for k in keys if k in row)


# --- the cluster model ---------------------------------------------------------------------

def cluster_model(reports: list[dict], workers: int, machines: list[int], per_machine: int) -> tuple[list, list]:
    """The wall time and machine-hours of 1 000 reports on N machines of ``per_machine``
    workers, from the measured runs (the notes returned state the model)."""
    by = {r["executor"]: r for r in reports if r["ok"] and not r["failed"]}
    serial, pool, dask = by.get("serial"), by.get("process"), by.get("dask")
    base = dask or pool
    if base is None:
        return [], ["No parallel report run succeeded: no model."]
    n = base["ok"]
    start = base.get("start", 0.0)
    # worker-seconds per report: each of the W workers busy for the run less the cluster's start
    worker_s = max(0.0, base["run"] - start) * workers / n
    cpu_ref = serial or base
    cpu_s = cpu_ref["cpu"] / cpu_ref["ok"]
    notes = [
        (f"Measured: {cpu_s:.2f} CPU s per report ({cpu_ref['executor']} run, the whole process tree: "
        f"Python, the notebook kernel, Chromium); {worker_s:.2f} worker-seconds per report on the "
        f"{'Dask LocalCluster' if dask else 'process pool'} of {workers} ((wall − the cluster's start) × "
        f"{workers} / {n}); the cluster's start (LocalCluster, the workers' imports) and stop: {start:.1f} s."),
    ]
    if dask is not None and pool is not None:
        pool_s = pool["run"] * workers / pool["ok"]
        notes.append(f"Scheduling overhead measured from the Dask run: {worker_s - pool_s:+.2f} worker-seconds "
                     f"per report against the process pool ({pool_s:.2f}), i.e. {100 * (worker_s / pool_s - 1):+.0f} %; "
                     f"{dask['cpu'] / dask['ok'] - pool['cpu'] / pool['ok']:+.2f} CPU s per report.")
    notes.append(
        f"Model: T(N) = S + 1 000 × t / (N × w) + c × t, with t = {worker_s:.2f} worker-seconds per report, "
        f"w = {per_machine} workers per machine (a worker per core, one thread each), S = {start:.1f} s (a "
        "cluster's start and its workers' imports, paid once per batch; on a standing cluster only the "
        "workers' first imports), and c × t the tail of the last chunk at worst (c = 1 000 / (N × w × 4) "
        "reports, the batch's default chunk); machine-hours = N × T(N) / 3 600; CPU-hours = 1 000 × the CPU "
        "per report / 3 600. Assumes independent CPU-bound reports, plan and report folders shared at the "
        "same path and fast enough, the scheduler's own cost (about a millisecond per task, one task per "
        "chunk) negligible, and machines like this one: t includes W workers contending for W cores of a "
        "machine shared with other work (see the load), so it is an upper bound for dedicated machines.")
    # on dedicated machines a worker is busy for the CPU a report takes on the cluster (its
    # share of the scheduler's and workers' own CPU included), not for the wall time it waited
    cpu_t = base["cpu"] / n
    notes.append(f"The last column puts t = {cpu_t:.2f} s, the CPU per report measured on the "
                 f"{'Dask' if dask else 'pool'} run (whole process tree, Dask's own CPU included): "
                 "what dedicated machines, not shared with other work, would take.")
    rows = []
    for m in machines:
        w = m * per_machine
        chunk = max(1, math.ceil(1000 / (w * 4)))
        wall = start + 1000 * worker_s / w + chunk * worker_s
        dedicated = start + 1000 * cpu_t / w + chunk * cpu_t
        rows.append((m, w, wall, m * wall / 3600, 1000 * cpu_s / 3600, dedicated))
    return rows, notes


# --- output --------------------------------------------------------------------------------

def markdown(args, info: dict, tariffs, comparison, reports, model_rows, model_notes, skipped) -> str:
    L = ["# National benchmark (issue 21)", "",
         f"Command: `{info['command']}`  ",
         f"Date: {info['date']} UTC  ",
         f"Machine: {info['machine']}  ",
         (f"Load at start / end: {info['load_start']} / {info['load_end']} (1, 5, 15 min; /proc/loadavg). "
         "The machine is shared with other sessions: figures are noisy.  "),
         (f"Country: {args.n} synthetic municipalities × {len(SERVICES)} services (seed {args.seed}), "
         f"{info['tariff_files']} tariff files, {info['budget_files']} budgets; generated in "
         f"{info['generate']:.2f} s ({info['generate_load']})."), ""]
    if tariffs:
        serial = next((r for r in tariffs if r["executor"] == "serial"), None)
        L += ["## (a) All tariffs computed (`calculate_tariff` through `okmo_models.executors.run`)", "",
              "| executor | tariffs | start, s | run, s | per tariff, ms | CPU, s | run vs serial | chunk | same as serial | load before → after |",
              "|---|---:|---:|---:|---:|---:|---:|---:|---|---|"]
        for r in tariffs:
            ratio = f"{serial['run'] / r['run']:.2f}×" if serial else "—"
            same = "reference" if r["same"] is None else ("yes" if r["same"] else "**NO**")
            L.append(f"| {r['executor']} | {r['items']} | {r['start']:.2f} | {r['run']:.2f} | "
                     f"{1000 * r['run'] / r['items']:.1f} | {r['cpu']:.1f} | {ratio} | {r['chunk']} | {same} | {r['load']} |")
        if serial:
            per = serial["run"] / serial["items"]
            L += ["", (f"Target (issue 21): 1 350 tariffs under 5 s in one process (3,7 ms each). Here "
                      f"{1000 * per:.1f} ms each wall ({1000 * serial['cpu'] / serial['items']:.1f} ms CPU), "
                      f"{1350 * per:.2f} s for 1 350: {'met' if 1350 * per < 5 else 'not met'}.")]
        for r in tariffs:
            if r["failed"]:
                L.append(f"- {r['executor']}: {r['failed']} failed, e.g. {r['errors']}")
        L.append("")
    if comparison:
        L += ["## (b) The comparison (`okmo_models.compare.compare` of the whole folder)", "",
              "| executor | files | rows (tariffs + budgets) | failures | run, s | CPU, s | outliers | planted outliers flagged for cost | others flagged for cost | load before → after |",
              "|---|---:|---:|---:|---:|---:|---:|---:|---:|---|"]
        for r in comparison:
            L.append(f"| {r['executor']} | {r['files']} | {r['rows']} ({r['tariff_rows']} + {r['budget_rows']}) | "
                     f"{r['failures']} | {r['run']:.2f} | {r['cpu']:.1f} | {r['outliers']} | "
                     f"{r['planted_flagged_for_cost']} of {r['planted']} | {r['other_flagged_for_cost']} | {r['load']} |")
        L += ["", f"Rules that flagged tariffs: {', '.join(comparison[0]['rules']) or 'none'}."]
        for r in comparison:
            if r["failures"]:
                L.append(f"- {r['executor']}: {r['failures']} failed, e.g. {r['errors']}")
        L.append("")
    if reports:
        serial = next((r for r in reports if r["executor"] == "serial" and r["ok"]), None)
        L += [f"## (c) {reports[0]['reports']} reports (`okmo_models.batch.report_tree`, lang {args.lang})", "",
              "| executor | reports | failed | wall, s | per report, s | CPU, s | CPU per report, s | wall vs serial | load before → after |",
              "|---|---:|---:|---:|---:|---:|---:|---:|---|"]
        for r in reports:
            per = r["run"] / max(1, r["ok"])
            ratio = f"{serial['run'] / r['run']:.2f}×" if serial else "—"
            L.append(f"| {r['executor']} | {r['reports']} | {r['failed']} | {r['run']:.1f} | {per:.2f} | "
                     f"{r['cpu']:.0f} | {r['cpu'] / max(1, r['ok']):.2f} | {ratio} | {r['load']} |")
        L += ["", ("Wall time includes starting the pool or the cluster; issue 21's target: ≤ 1,5 s per report "
                  "in a batch on this 2-core machine.")]
        for r in reports:
            if r["failed"]:
                L.append(f"- {r['executor']}: {r['failed']} failed, e.g. {r['errors']}")
        L.append("")
    if model_rows or model_notes:
        L += ["## (d) 1 000 reports on a cluster of N machines (extrapolated)", ""]
        L += [f"- {n}" for n in model_notes]
        if model_rows:
            L += ["", "| machines | workers | wall for 1 000 reports (as measured) | machine-hours | CPU-hours | wall on dedicated machines (CPU-bound) |",
                  "|---:|---:|---:|---:|---:|---:|"]
            for m, w, wall, mh, ch, dedicated in model_rows:
                L.append(f"| {m} | {w} | {wall / 60:.1f} min | {mh:.2f} | {ch:.2f} | {dedicated / 60:.1f} min |")
        L.append("")
    if skipped:
        L += ["## Not measured", ""] + [f"- {s}" for s in skipped] + [""]
    return "\n".join(L)


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--n", type=int, default=450)
    p.add_argument("--reports", type=int, default=100)
    p.add_argument("--parts", default="tariffs,compare,reports")
    p.add_argument("--executors", default="serial,process,dask")
    p.add_argument("--compare-executors", help="executors for the comparison (default: --executors)")
    p.add_argument("--workers", type=int, default=2)
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--lang", default="ru", choices=("ru", "ky", "en"))
    p.add_argument("--machines", default="1,2,4,8,16,32")
    p.add_argument("--per-machine", type=int, default=2, help="workers per machine in the cluster model")
    p.add_argument("--keep", type=Path, help="generate the country here (a new folder) and keep it")
    p.add_argument("--out", type=Path, default=DEFAULT_OUT)
    args = p.parse_args(argv)
    parts = [x for x in args.parts.split(",") if x]
    executors = [x for x in args.executors.split(",") if x]
    info = {"command": " ".join([".venv/bin/python", "benchmarks/bench_national.py", *(argv or sys.argv[1:])]),
            "date": time.strftime("%Y-%m-%d %H:%M", time.gmtime()), "machine": machine(), "load_start": load()}
    print(f"{info['date']} UTC, {info['machine']}, load {info['load_start']}", flush=True)
    work = Path(tempfile.mkdtemp(prefix="okmo-national-"))
    root = args.keep or work / "country"
    skipped = []
    try:
        with Clock() as g:
            generate_country(root, n=args.n, seed=args.seed)
        info["generate"], info["generate_load"] = g.wall, g.loads
        manifest = json.loads((root / MANIFEST).read_text("utf-8"))
        tariff_files = sorted(p for s in SERVICES for p in root.rglob(f"{s}.yaml"))
        info["tariff_files"] = len(tariff_files)
        info["budget_files"] = len(list(root.rglob("budget.yaml")))
        print(f"generated {args.n} municipalities in {g.wall:.2f} s into {root}", flush=True)
        done = {"tariffs": [], "compare": [], "reports": []}

        def save(final: bool) -> str:
            # written after each part, so that a long run interrupted still leaves its figures
            model_rows, model_notes = cluster_model(done["reports"], args.workers,
                                                    [int(x) for x in args.machines.split(",")],
                                                    args.per_machine) if done["reports"] else ([], [])
            info["load_end"] = load() + ("" if final else " (run still going)")
            text = markdown(args, info, done["tariffs"], done["compare"], done["reports"], model_rows,
                            model_notes, skipped)
            if args.out:
                args.out.write_text(text, "utf-8")
            return text

        if "tariffs" in parts:
            done["tariffs"] = _try(part_tariffs, skipped, "(a) tariffs", tariff_files, executors, args.workers) or []
            save(False)
        if "compare" in parts:
            done["compare"] = _try(part_compare, skipped, "(b) compare", root,
                                   [x for x in (args.compare_executors or args.executors).split(",") if x],
                                   args.workers, manifest) or []
            save(False)
        if "reports" in parts and args.reports > 0:
            # spread over the country and the services: every k-th tariff file in folder order
            step = max(1, len(tariff_files) // args.reports)
            chosen = tariff_files[::step][:args.reports]
            done["reports"] = _try(part_reports, skipped, "(c) reports", chosen, executors, args.workers,
                                   args.lang, work / "reports") or []
        print("\n" + save(True))
        if args.out:
            print(f"written to {args.out}")
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return 0


def _try(func, skipped: list, label: str, *args):
    """A part whose API is missing or broken is reported as not measured, with why; the
    other parts still run."""
    try:
        return func(*args)
    except ImportError as exc:
        skipped.append(f"{label}: API not available ({exc})")
    except Exception as exc:  # noqa: BLE001 - a benchmark reports what failed and goes on
        skipped.append(f"{label}: failed with {type(exc).__name__}: {str(exc)[:300]}")
    print(f"{label}: not measured — {skipped[-1]}", flush=True)
    return None


if __name__ == "__main__":
    sys.exit(main())

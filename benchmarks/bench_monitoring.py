"""Monitoring benchmarks (issue 20).

Run:  .venv/bin/python benchmarks/bench_monitoring.py [--samples 2000] [--part accuracy|speed|all]

1. Accuracy of the satisfaction margins (okmo_models.monitoring.surveys): a Monte Carlo of
   surveys drawn from a known population, women under-represented among the respondents and
   the answers post-stratified by sex, estimated by the package's own code (Survey objects
   through ``satisfaction`` and ``compare``: weights, Kish, Wilson, the pooled z-test). The
   peer is what a municipal economist would type into Excel instead: the raw share
   p ± 1.96·√(p(1−p)/n) on the raw count n, weights ignored, and the two-proportion z-test on
   the raw counts. Both are scored on the same samples in the same run.
2. Speed of ``evaluate_monitoring`` on the two bundled examples, with its parts timed
   separately through the package's functions, and the whole ``okmo monitoring`` process.
   No target is set by issue 20.
"""

from __future__ import annotations

import argparse
import math
import os
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.bench_tariff import machine
from okmo_models.errors import ScenarioError
from okmo_models.monitoring import surveys as sv
from okmo_models.provenance import InputFile

Z95 = 1.959963984540054  # what Excel's 1.96 stands for
QUESTION = "waste"
SIZES = (100, 400, 35)
# The population and the sample: (name, women's share of the population, women satisfied,
# men satisfied). The first is the brief's; the second widens the gap between the sexes,
# where ignoring the weights biases the raw share more.
POPULATIONS = (
    ("women 51.4 % of residents, 60 % satisfied; men 66 %", 0.514, 0.60, 0.66),
    ("wider gap: women 51.4 %, 50 % satisfied; men 70 %", 0.514, 0.50, 0.70),
)
WOMEN_IN_SAMPLE = 0.38  # each respondent is a woman with this chance (women under-represented)
WOMEN_IN_OTHER_SAMPLE = 0.55  # the second survey of the z-test's design B, by another team
EXAMPLES = ("teploklyuchenka", "alamudun")


def load() -> str:
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


# --- 1. accuracy ------------------------------------------------------------------------------


def spec(women: float) -> sv.SurveySpec:
    return sv.SurveySpec.model_validate({
        "id": "mc", "date": "2027-06", "file": "mc.csv", "scale": [1, 5], "satisfied": [4, 5],
        "questions": {QUESTION: {"ru": "Вывоз мусора", "ky": "Таштанды чыгаруу", "en": "Waste collection"}},
        "weight_by": "sex", "population": {"female": women, "male": round(1 - women, 6)}, "source": "mc"})


def draw(rng, n: int, women_in_sample: float, p_women: float, p_men: float):
    """One sample: each respondent's sex and whether satisfied (arrays of n booleans)."""
    female = rng.random(n) < women_in_sample
    happy = rng.random(n) < np.where(female, p_women, p_men)
    return female, happy


def survey_of(s: sv.SurveySpec, female, happy) -> sv.Survey:
    respondents = tuple(
        sv.Respondent(f"r{i}", i + 2, "village", "female" if f else "male", False, {QUESTION: 4 if h else 2})
        for i, (f, h) in enumerate(zip(female.tolist(), happy.tolist())))
    return sv.Survey(s, Path("mc.csv"), respondents, InputFile("survey", Path("mc.csv"), "0" * 64))


def excel_interval(p: float, n: int) -> tuple[float, float]:
    m = Z95 * math.sqrt(p * (1 - p) / n)
    return p - m, p + m


def raw_z_test(x1: int, n1: int, x2: int, n2: int) -> bool:
    """The two-proportion pooled z-test on the raw counts, two-sided at 5 %."""
    pooled = (x1 + x2) / (n1 + n2)
    se = math.sqrt(pooled * (1 - pooled) * (1 / n1 + 1 / n2))
    if se == 0:
        return False
    z = (x1 / n1 - x2 / n2) / se
    return math.erfc(abs(z) / math.sqrt(2)) < sv.ALPHA


def accuracy(samples: int, seed: int = 20) -> None:
    print(f"\nAccuracy: {samples} samples per case, numpy default_rng(seed={seed}); each respondent a woman "
          f"with chance {WOMEN_IN_SAMPLE:.0%} (design B's second survey {WOMEN_IN_OTHER_SAMPLE:.0%}); "
          f"post-stratified by sex with okmo_models.monitoring.surveys (satisfaction, compare)")
    rows_cov, rows_z = [], []
    for name, women, p_w, p_m in POPULATIONS:
        truth = women * p_w + (1 - women) * p_m
        s = spec(women)
        for n in SIZES:
            rng = np.random.default_rng([seed, n, int(p_w * 100)])
            t0 = time.perf_counter()
            ours, raw, failed = [], [], 0
            # 2 × samples surveys at 38 % women (the first `samples` score the intervals; the
            # pairs (i, samples + i) test design A) and `samples` at 55 % (design B).
            for k in range(3 * samples):
                female, happy = draw(rng, n, WOMEN_IN_SAMPLE if k < 2 * samples else WOMEN_IN_OTHER_SAMPLE, p_w, p_m)
                try:
                    e = sv.satisfaction(survey_of(s, female, happy), QUESTION)
                except ScenarioError:  # no woman or no man answered: cannot be weighted
                    e, failed = None, failed + 1
                ours.append(e)
                raw.append((int(happy.sum()), n))
            cover_ours = cover_excel = 0
            width_ours, width_excel, n_eff = [], [], []
            for e, (x, m) in zip(ours[:samples], raw[:samples]):
                lo, hi = excel_interval(x / m, m)
                cover_excel += lo <= truth <= hi
                width_excel.append((hi - lo) / 2)
                if e is not None and e.estimated:
                    cover_ours += e.low <= truth <= e.high
                    width_ours.append(e.margin)
                    n_eff.append(e.n_eff / e.n)
            c_ours, c_excel = cover_ours / samples, cover_excel / samples
            rows_cov.append((name, n, truth, c_ours, c_excel, statistics.mean(width_ours),
                             statistics.mean(width_excel), statistics.mean(n_eff), failed))
            for design, first, second in (("A: both 38 % women", 0, samples), ("B: 38 % then 55 % women", 0, 2 * samples)):
                fp_ours = fp_raw = tested = 0
                for i in range(samples):
                    a, b = ours[first + i], ours[second + i]
                    if a is not None and b is not None:
                        c = sv.compare(a, b)
                        if c.significant is not None:
                            tested += 1
                            fp_ours += c.significant
                    fp_raw += raw_z_test(*raw[first + i], *raw[second + i])
                rows_z.append((name, n, design, fp_ours / max(tested, 1), fp_raw / samples, tested))
            print(f"  {name}, n = {n}: {time.perf_counter() - t0:.1f} s, load {load()}", file=sys.stderr)

    se = math.sqrt(0.95 * 0.05 / samples) * 100
    print(f"\nCoverage of the nominal 95 % interval (Monte Carlo standard error ±{se:.1f} points at 95 %)\n")
    print("| population | n answers | true share | okmo: Wilson on Kish n_eff, post-stratified | "
          "Excel: raw p ± 1.96·√(p(1−p)/n) | okmo / Excel | mean margin okmo | mean margin Excel | "
          "mean n_eff / n | samples not weighted |")
    print("|---|---|---|---|---|---|---|---|---|---|")
    for name, n, truth, co, ce, wo, we, ne, failed in rows_cov:
        print(f"| {name} | {n} | {truth:.2%} | {co:.1%} | {ce:.1%} | {co / ce:.3f} | ±{wo * 100:.1f} pp | "
              f"±{we * 100:.1f} pp | {ne:.3f} | {failed} |")
    se_z = math.sqrt(0.05 * 0.95 / samples) * 100
    print(f"\nFalse positives of the change test, alpha 5 % (two surveys of an unchanged population; "
          f"Monte Carlo standard error ±{se_z:.1f} points at 5 %)\n")
    print("| population | n answers each | design | okmo: pooled z on Kish n_eff, weighted shares | "
          "peer: pooled z on raw counts | okmo / peer | pairs tested by okmo |")
    print("|---|---|---|---|---|---|---|")
    for name, n, design, fo, fr, tested in rows_z:
        ratio = f"{fo / fr:.2f}" if fr else "—"
        print(f"| {name} | {n} | {design} | {fo:.1%} | {fr:.1%} | {ratio} | {tested} |")


# --- 2. speed --------------------------------------------------------------------------------


def _interleaved(fns: dict, repeat: int = 5) -> tuple[dict[str, list[float]], dict[str, list[float]]]:
    """Each callable once as a warm-up (imports, the messages), then ``repeat`` rounds calling
    each in turn, so that the whole and its parts are timed under the same load. Returns the
    wall-clock times and the CPU times (this process's and its children's): on a machine
    shared with other work the CPU time is what this code costs, the wall time what a user waits."""
    for fn in fns.values():
        fn()
    wall, cpu = {k: [] for k in fns}, {k: [] for k in fns}
    for _ in range(repeat):
        for k, fn in fns.items():
            c0, t0 = _cpu(), time.perf_counter()
            fn()
            wall[k].append(time.perf_counter() - t0)
            cpu[k].append(_cpu() - c0)
    return wall, cpu


def _cpu() -> float:
    own, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def _s(xs) -> str:
    return f"{min(xs):.3f} s | {statistics.median(xs):.3f} s"


def budget_baseline_plans(path: Path, year: int, unit: str):
    """What ``budget_plans`` gives, from the baseline alone (one fit, one Monte Carlo) instead
    of the baseline and every scenario of the file: a measured proposal, not the package's
    code. Returns the plans' (id, plan) pairs, to be compared with the package's."""
    from okmo_models.budget.forecast import BudgetModel
    from okmo_models.plan_links import linked_budget
    from okmo_models.units import MONEY_UNITS

    b = linked_budget(path)[0]
    result = BudgetModel(b.scenario, b.inputs).fit()
    k = result.forecast_years.index(year)
    factor = MONEY_UNITS[result.scenario.unit] / MONEY_UNITS[unit]
    return [(f"budget.{line}", float(result.point[i, k]) * factor) for i, (_, line) in enumerate(result.lines)]


def speed(repeat: int = 5) -> None:
    from okmo_models.monitoring import evaluate_monitoring
    from okmo_models.monitoring.model import TABLES, file_beside, load_monitoring
    from okmo_models.monitoring.plans import budget_plans, programme_plans, tariff_plans
    from okmo_models.monitoring.tables_in import read_actuals, read_instructions

    print(f"\nSpeed: best | median of {repeat} after a warm-up, in one process, the whole and its parts "
          f"timed in turn in each round; load before {load()}\n")
    print("| example | part (package function) | best | median | CPU, median | share of the whole (CPU medians) |")
    print("|---|---|---|---|---|---|")
    proposals = []
    for example in EXAMPLES:
        path = ROOT / "okmo_models/examples" / example / "monitoring.yaml"
        f = load_monitoring(path)
        m = f.monitoring
        whole = "**evaluate_monitoring, whole**"
        parts = {whole: lambda path=path: evaluate_monitoring(path),
                 "read and check the monitoring file (load_monitoring)": lambda path=path: load_monitoring(path)}
        if m.plans.programme is not None:
            parts["plan: programme (programme_plans)"] = lambda f=f, m=m: programme_plans(
                file_beside(f, ("plans", "programme"), m.plans.programme), m.year)
        for i, name in enumerate(m.plans.tariffs):
            parts[f"plan: tariff {name} (tariff_plans)"] = lambda i=i, name=name, f=f, m=m: tariff_plans(
                file_beside(f, ("plans", "tariffs", i), name), m.year, m.unit, f.path, i)
        if m.plans.budget is not None:
            parts["plan: budget (budget_plans)"] = lambda f=f, m=m: budget_plans(
                file_beside(f, ("plans", "budget"), m.plans.budget), m.year, m.unit, f.path)
        parts[f"table: actuals {m.actuals} (read_actuals)"] = lambda f=f, m=m: read_actuals(
            file_beside(f, ("actuals",), m.actuals, TABLES), m.year, m.decimal_mark)
        if m.instructions is not None:
            parts[f"table: instructions {m.instructions} (read_instructions)"] = lambda f=f, m=m: read_instructions(
                file_beside(f, ("instructions",), m.instructions, TABLES), m.decimal_mark)
        if m.surveys:
            parts[f"surveys: {len(m.surveys)} read and estimated (surveys.review)"] = lambda f=f, m=m: sv.review(
                m.surveys, m.reference, f.path.parent, f.path)
        proposal = None
        if m.plans.budget is not None:
            budget = file_beside(f, ("plans", "budget"), m.plans.budget)
            proposal = "(not in the whole) budget plan from the baseline fit alone"
            parts[proposal] = lambda budget=budget, m=m: budget_baseline_plans(budget, m.year, m.unit)
            ours = [(p.id, p.plan) for p in budget_plans(budget, m.year, m.unit, f.path)[0]]
            proposals.append((example, ours == budget_baseline_plans(budget, m.year, m.unit)))
        timed, cpu = _interleaved(parts, repeat)
        total = statistics.median(cpu[whole])
        counted = 0.0
        for k, xs in timed.items():
            c = statistics.median(cpu[k])
            share = "" if k == proposal else f"{c / total:.0%}"
            print(f"| {example} | {k} | {_s(xs)} | {c:.3f} s | {share} |")
            if k not in (whole, proposal):
                counted += c
        rest = total - counted
        print(f"| {example} | the rest (assessment, instructions review; whole − parts) | | | {rest:.3f} s | "
              f"{rest / total:.0%} |")
    for example, same in proposals:
        print(f"\n{example}: budget plans from the baseline fit alone identical to budget_plans': "
              f"{'yes' if same else 'NO'}")
    print(f"\nload after: {load()}")

    python, okmo = ROOT / ".venv/bin/python", ROOT / ".venv/bin/okmo"
    print(f"\nWhole process (wall clock, best | median of {repeat} after one warm-up run, the commands in "
          f"turn in each round)\n")
    print("| command | best | median | CPU, median |")
    print("|---|---|---|---|")
    cmds = {f"`okmo monitoring okmo_models/examples/{e}/monitoring.yaml --lang ru`":
            [str(okmo), "monitoring", str(ROOT / "okmo_models/examples" / e / "monitoring.yaml"), "--lang", "ru"]
            for e in EXAMPLES}
    cmds["`python -c 'import okmo_models.cli'` (start-up alone)"] = [str(python), "-c", "import okmo_models.cli"]
    before = load()
    try:
        runs, cpu = _interleaved({k: lambda c=c: subprocess.run(c, check=True, stdout=subprocess.DEVNULL,
                                                           stderr=subprocess.PIPE, timeout=120)
                             for k, c in cmds.items()}, repeat)
    except subprocess.CalledProcessError as exc:  # another session's edit half done: say so
        print(f"(not measured: {exc}; {exc.stderr.decode(errors='replace').strip()[:300]})")
        return
    for k, xs in runs.items():
        print(f"| {k} | {_s(xs)} | {statistics.median(cpu[k]):.3f} s |")
    print(f"\nload before {before}, after {load()}")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--samples", type=int, default=2000)
    ap.add_argument("--part", choices=("accuracy", "speed", "all"), default="all")
    args = ap.parse_args()
    print(f"Machine: {machine()}; load average before: {load()}")
    if args.part in ("accuracy", "all"):
        accuracy(args.samples)
    if args.part in ("speed", "all"):
        speed()
    print(f"\nLoad average after: {load()}")


if __name__ == "__main__":
    main()

"""The fuzz properties of tests/test_fuzz.py, run for longer and summarised.

    .venv/bin/python scripts/fuzz.py --minutes 30              # every property, in turn
    .venv/bin/python scripts/fuzz.py --minutes 5 -k registers  # the properties named so
    .venv/bin/python scripts/fuzz.py --minutes 30 --save fuzz-findings   # and each finding's files

Runs the properties in rounds of random examples (hypothesis profile ``long``) until the time
is up. A kind of finding (the first line of its message, numbers aside) is shown once, with
the command and the changes that produced it, then only counted, so that the run goes on
looking for other kinds. Exit status 1 if anything was found.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
import traceback
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))
os.environ["OKMO_FUZZ_PROFILE"] = "long"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--minutes", type=float, default=10.0, help="how long to run (default 10)")
    parser.add_argument("-k", dest="only", default="", help="only the properties whose name contains this")
    parser.add_argument("--save", metavar="DIR", help="write the files of each kind of finding into DIR/N/")
    args = parser.parse_args()

    import test_fuzz
    from fuzz import run

    properties = [(name, test) for name, test in vars(test_fuzz).items()
                  if name.startswith("test_") and hasattr(test, "hypothesis") and args.only in name]
    if not properties:
        parser.error(f"no property matches {args.only!r}")
    run.SEEN = {}
    started = time.monotonic()
    run.DEADLINE = started + args.minutes * 60
    findings = []  # (property, Finding), the first of each kind
    runs = dict.fromkeys((name for name, _ in properties), 0)
    try:
        while time.monotonic() < run.DEADLINE:
            for name, test in properties:
                before = run.RUNS
                try:
                    test()
                except Exception as exc:  # noqa: BLE001 - a finding, the end of the time, or a harness bug
                    if _has(exc, run.TimeUp):
                        break
                    finding = _finding(exc)
                    if finding is None:
                        print(f"\n!!! {name}: the harness failed\n{traceback.format_exc()}", flush=True)
                        continue
                    run.SEEN[finding.signature] = 1
                    findings.append((name, finding))
                    print(f"\n[{len(findings)}] {name}: {finding}\n", flush=True)
                    if args.save:
                        _save(Path(args.save) / str(len(findings)), finding)
                finally:
                    runs[name] += run.RUNS - before
    except KeyboardInterrupt:
        print("\n(interrupted)")
    _summary(findings, runs, run.SEEN, time.monotonic() - started)
    return 1 if findings else 0


def _finding(exc):
    """The Finding in ``exc`` (hypothesis may wrap it in a group, e.g. when flaky), or None."""
    from fuzz.run import Finding

    if isinstance(exc, Finding):
        return exc
    for inner in getattr(exc, "exceptions", ()):
        found = _finding(inner)
        if found is not None:
            return found
    return None


def _has(exc, kind) -> bool:
    return isinstance(exc, kind) or any(_has(e, kind) for e in getattr(exc, "exceptions", ()))


def _summary(findings, runs, seen, seconds) -> None:
    print(f"\n=== {sum(runs.values())} cases in {seconds / 60:.1f} min")
    for name, count in runs.items():
        print(f"  {name}: {count} cases")
    print(f"=== {len(findings)} kinds of finding")
    for i, (name, finding) in enumerate(findings, 1):
        print(f"[{i}] ×{seen[finding.signature]} {name}: {finding.what.splitlines()[0][:150]}")
        print(f"      okmo {' '.join(finding.outcome.argv)}")
        for note in finding.case.notes:
            print(f"        {note[:200]}")


def _save(folder: Path, finding) -> None:
    """The case's files and a README with the command, to run it again by hand."""
    for name, content in finding.case.files.items():
        (folder / name).parent.mkdir(parents=True, exist_ok=True)
        (folder / name).write_bytes(content)
    (folder / "README.txt").write_text(f"cd {folder} && okmo {' '.join(finding.outcome.argv)}\n\n{finding}\n",
                                       encoding="utf-8")


if __name__ == "__main__":
    sys.exit(main())

"""Run ``okmo`` on a generated case in a forked process and check what the user would see.

The fork keeps the loaded package (a run takes milliseconds, not the two seconds of a fresh
interpreter), isolates the run (a crash, a hang or a memory blow-up cannot take the test
process with it) and lets the child set its own bounds: ``RLIMIT_AS`` at the loaded size plus
``memory`` bytes, and a time limit after which the parent kills it.
"""

from __future__ import annotations

import io
import os
import pickle
import re
import resource
import select
import signal
import sys
import tempfile
import time
import traceback
import warnings
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

# What the commands load, loaded once before the forks, so that each run takes milliseconds.
import okmo_models.budget.export
import okmo_models.budget.forecast
import okmo_models.excel.results
import okmo_models.excel.template
import okmo_models.excel.workbook_import
import okmo_models.tariff.policy.analysis
import okmo_models.programme.result
import okmo_models.registers.apply
import okmo_models.registers.cli
import okmo_models.registers.report
import okmo_models.report.budget_sections
import okmo_models.tariff.export  # noqa: F401
from okmo_models import cli
from okmo_models.errors import OkmoError, sheet_cell
from okmo_models.i18n import _messages

_messages()  # the locale files, parsed once (a second and a half) rather than in every run

TIME_LIMIT = 20.0  # seconds a single command may take
MEMORY_LIMIT = 2 << 30  # bytes it may allocate above the loaded package
CANARY = "OKMO-FUZZ-CANARY-7f3a"  # the content of a file outside the case's folder

# Problems about a file as a whole (what it is, not what is in it): they need no field,
# line or cell.
WHOLE_FILE_KEYS = {"file_not_mapping", "mapping_expected", "csv_not_a_file", "csv_too_large",
                   "xl_not_a_workbook", "xl_not_okmo_workbook", "xl_sheet_missing", "xl_sheet_unreadable"}
WHOLE_FILE_PREFIXES = ("file_", "xl_empty", "xl_encrypted", "xl_file", "xl_is_", "xl_not_", "xl_unknown",
                       "xl_unpacked", "xl_unsafe", "xl_zip")


@dataclass
class Case:
    """Files to write into a fresh folder and the commands to run there, in order; a command
    runs only if the one before it succeeded. ``notes`` say what was changed, for a reader."""

    files: dict[str, bytes]
    commands: list[list[str]]
    notes: list[str] = field(default_factory=list)
    lang: str = "ru"
    facts: dict = field(default_factory=dict)  # what a property needs to know of the case

    def __repr__(self) -> str:
        return f"Case(commands={self.commands!r}, lang={self.lang!r}, notes={self.notes!r})"

    def _repr_pretty_(self, printer, cycle) -> None:  # hypothesis prints the case this way
        printer.text(repr(self))


@dataclass
class Outcome:
    argv: list[str]
    code: object = None  # the exit status, "timeout", "killed by signal N" or "uncaught"
    out: str = ""
    err: str = ""
    raw: str = ""  # written to the terminal around Python's sys.stdout and sys.stderr
    errors: list[dict] = field(default_factory=list)  # the OkmoErrors the user was shown
    seconds: float = 0.0
    folder: Path | None = None


def run_case(case: Case, inspect=None) -> list[Outcome]:
    """Write the case's files into a temporary folder (beside a canary file outside it), run
    its commands and :func:`check` each outcome; ``inspect(outcome, folder)`` may look at the
    files a command wrote before the folder is removed."""
    global RUNS
    if DEADLINE is not None and time.monotonic() > DEADLINE:
        raise TimeUp
    RUNS += 1
    outcomes = []
    with tempfile.TemporaryDirectory(prefix="okmo-fuzz-") as tmp:
        root = Path(tmp) / "work"
        (Path(tmp) / "outside").mkdir()
        (Path(tmp) / "outside" / "secret.yaml").write_text(f"{CANARY}: 1\n{CANARY}-line-2\n")
        for name, content in case.files.items():
            (root / name).parent.mkdir(parents=True, exist_ok=True)
            (root / name).write_bytes(content)
        for argv in case.commands:
            outcome = run_cli([*argv, "--lang", case.lang], root)
            check(outcome, case)
            if inspect is not None:
                inspect(outcome, root)
            outcomes.append(outcome)
            if outcome.code != 0:
                break
    return outcomes


def run_cli(argv: list[str], cwd: Path, time_limit: float = TIME_LIMIT, memory: int = MEMORY_LIMIT) -> Outcome:
    """``okmo ARGV`` in a forked child running in ``cwd``."""
    read_end, write_end = os.pipe()
    started = time.monotonic()
    with warnings.catch_warnings():
        # Python 3.12+ warns of forking with threads running (numpy's BLAS pool): the child only
        # runs okmo and exits, and a deadlock there would show as a timeout
        warnings.filterwarnings("ignore", "This process .* is multi-threaded", DeprecationWarning)
        pid = os.fork()
    if pid == 0:  # the child: never returns into the test run
        try:
            os.close(read_end)
            _child(argv, cwd, memory, write_end)
        finally:
            os._exit(0)
    os.close(write_end)
    chunks, timed_out = [], False
    while True:
        left = started + time_limit - time.monotonic()
        if left <= 0:
            timed_out = True
            os.kill(pid, signal.SIGKILL)
            break
        if select.select([read_end], [], [], left)[0]:
            chunk = os.read(read_end, 1 << 16)
            if not chunk:
                break
            chunks.append(chunk)
    os.close(read_end)
    _, status = os.waitpid(pid, 0)
    outcome = Outcome(argv=argv, seconds=time.monotonic() - started, folder=cwd)
    if timed_out:
        outcome.code = f"timeout after {time_limit:g} s"
    elif os.WIFSIGNALED(status):
        outcome.code = f"killed by signal {os.WTERMSIG(status)}"
    else:
        try:
            result = pickle.loads(b"".join(chunks))
        except Exception:  # noqa: BLE001 - the child died half-way through its report
            outcome.code = "no report from the child (out of memory?)"
        else:
            outcome.code, outcome.out, outcome.err, outcome.raw, outcome.errors = result
    return outcome


def _child(argv, cwd, memory, write_end) -> None:
    """Run ``okmo`` under the memory bound, its input and output in memory, and send the
    parent its exit status, output and the errors it showed."""
    os.chdir(cwd)
    _, hard = resource.getrlimit(resource.RLIMIT_AS)
    resource.setrlimit(resource.RLIMIT_AS, (_address_space() + memory, hard))
    raw = tempfile.TemporaryFile()  # noqa: SIM115 - what a C library writes to the terminal directly
    os.dup2(raw.fileno(), 1)
    os.dup2(raw.fileno(), 2)
    out = io.TextIOWrapper(io.BytesIO(), encoding="utf-8", write_through=True)
    err = io.TextIOWrapper(io.BytesIO(), encoding="utf-8", write_through=True)
    sys.stdin, sys.stdout, sys.stderr = open(os.devnull), out, err  # noqa: SIM115 - as in a script
    shown = _record_rendered_errors(argv[argv.index("--lang") + 1])
    try:
        code = cli.main(argv)
    except SystemExit as exc:  # argparse
        code = exc.code
    except BaseException:  # noqa: BLE001 - escaped main(): the user would see a traceback
        code = "uncaught"
        err.write(traceback.format_exc())
    raw.seek(0)
    report = (code, out.buffer.getvalue().decode("utf-8", "replace"),
              err.buffer.getvalue().decode("utf-8", "replace"), raw.read().decode("utf-8", "replace"), shown)
    resource.setrlimit(resource.RLIMIT_AS, (hard, hard))  # room to send the report
    data = pickle.dumps(report)
    with os.fdopen(write_end, "wb") as pipe:
        pipe.write(data)


def _address_space() -> int:
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmSize:"):
                return int(line.split()[1]) * 1024
    return 0


def _record_rendered_errors(lang: str) -> list[dict]:
    """Make every OkmoError class note what it showed in ``lang`` (the user's language; an
    error renders itself in English too, for its ``str``): its type, file and problems."""
    shown: list[dict] = []

    def wrap(cls):
        original = cls.__dict__.get("render")
        if original is not None:
            def render(self, lang_=None, _original=original):
                if lang_ == lang and not any(e["id"] == id(self) for e in shown):
                    shown.append(_describe(self))
                return _original(self, lang_)
            cls.render = render
        for sub in cls.__subclasses__():
            wrap(sub)

    wrap(OkmoError)
    return shown


def _describe(exc: OkmoError) -> dict:
    problems = []
    for p in getattr(exc, "problems", []):
        problems.append({"key": p.key, "path": p.field_path() if p.path else "", "line": p.line,
                         "cell": sheet_cell(p)[1], "told": any(k in p.context for k in ("line", "row", "cell"))})
    return {"id": id(exc), "type": type(exc).__name__, "file": str(getattr(exc, "file", "") or ""),
            "key": getattr(exc, "key", None), "problems": problems}


# --- what the user sees ------------------------------------------------------------------

_PYTHON = re.compile(r"Traceback \(most recent call last\)|\b(?:datetime\.(?:date|datetime|time)|Decimal|"
                     r"OrderedDict|defaultdict)\(|<[\w.]+ object at 0x|\b\w*(?:Error|Exception|Warning)\b"
                     r"|\bNoneType\b")
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")
# Latin words a ru/ky message may contain: names of programs, formats and keys; "nan" and
# "inf" are how a YAML .nan and 1e400 print (what the user wrote).
_LATIN_ALLOWED = {"Excel", "CSV", "YAML", "TOML", "UTF", "PDF", "okmo", "OKMO", "xlsx", "yaml", "csv", "DEBUG", "Ctrl",
                  "nan", "inf"}


class Finding(AssertionError):
    """A property that does not hold; ``signature`` (its first line, without the folder's
    name or numbers) groups findings of the same kind in ``scripts/fuzz.py``'s summary."""

    def __init__(self, what: str, outcome: Outcome, case: Case):
        err = outcome.err.replace(str(outcome.folder), "<folder>")
        super().__init__(f"{what}\nokmo {' '.join(outcome.argv)}\n{case!r}\n--- stderr:\n{err[-3000:]}")
        self.what, self.outcome, self.case = what, outcome, case
        self.signature = re.sub(r"\d+", "N", what.splitlines()[0])[:200]


# scripts/fuzz.py sets these: findings of a kind already reported are counted instead of
# raised again, so that a long run goes on looking for other kinds; past the deadline no
# case runs (TimeUp), so that a round of examples cannot outlast the run.
SEEN: dict[str, int] | None = None
DEADLINE: float | None = None
RUNS = 0  # cases run by this process


class TimeUp(Exception):
    """The long run's time is over."""


def report(what: str, outcome: Outcome, case: Case) -> None:
    """Raise a :class:`Finding` (or count it, see ``SEEN``)."""
    finding = Finding(what, outcome, case)
    if SEEN is not None and finding.signature in SEEN:
        SEEN[finding.signature] += 1
        return
    raise finding


def check(outcome: Outcome, case: Case) -> None:
    """The generic property: a result (exit 0) or a clear error (exit 2) that names the file
    and the place, in the user's language, with nothing of Python's, nothing from a file
    outside the folder, no terminal control characters, no huge echo, in time."""
    def fail(what):
        report(what, outcome, case)

    err = outcome.err.replace(str(outcome.folder), "<folder>")
    if outcome.code not in (0, 2):
        fail(f"exit {outcome.code}: {(err.strip().splitlines() or [''])[-1][:160]}")
    python = _PYTHON.search(_unquoted(err)) or _PYTHON.search(outcome.out if outcome.code else "")
    if python:
        fail(f"Python in the message: {python.group(0)!r}")
    if outcome.raw:
        fail(f"written past Python's output streams: {outcome.raw[:100]!r}")
    if CANARY in outcome.out + err:
        fail("content of a file outside the folder is shown")
    if str(outcome.folder.parent / "outside") in err:  # named by its full path: it was opened
        fail("a file outside the folder is read")
    control = _CONTROL.search(outcome.out + err)
    if control:
        fail(f"control character {control.group(0)!r} reaches the terminal")
    longest = max(err.splitlines() or [""], key=len)
    if len(longest) > 2000:
        fail(f"a {len(longest)}-character line of error text")
    if outcome.code != 2 or err.startswith("usage:"):
        return  # a result, or argparse's message for a command line made wrong on purpose
    if not err.strip():
        fail("exit 2 without a word")
    names = {Path(a).name for a in outcome.argv} | {Path(n).name for n in case.files}
    if not any(n in err for n in names if "." in n):
        fail("the message names no file")
    for error in outcome.errors:
        for p in error["problems"]:
            whole_file = p["key"] in WHOLE_FILE_KEYS or p["key"].startswith(WHOLE_FILE_PREFIXES)
            if not (p["path"] or p["line"] is not None or p["cell"] or p["told"] or whole_file):
                fail(f"problem {p['key']!r} has no field, line or cell")
    foreign = _foreign_words(err, case)
    if foreign:
        fail(f"words not in {case.lang!r}: {' '.join(sorted(foreign))}")


def _unquoted(text: str) -> str:
    """The text without the values it quotes (the user's own, shortened with "…")."""
    return re.sub(r"'[^'\n]*(?:'|…)|«[^»\n]*»|\"[^\"\n]*\"", " ", text)


def _foreign_words(err: str, case: Case) -> set[str]:
    """Latin-script words of a ru/ky message that are neither the user's own (file names,
    field names, ids), nor a program's name, a command to type or a column letter; and
    message keys printed raw (a missing translation)."""
    if case.lang == "en":
        return set()
    own = _known_names() | {w for c in case.files.values() for w in _identifiers(c.decode("utf-8", "replace"))}
    words = set()
    text = re.sub(r"\bokmo-models\b|\bokmo [a-z]+", " ", _unquoted(err))  # the program, a command to type
    for token in text.split():
        token = token.strip(".,:;()")
        if not re.search(r"[/\\_.\[\]=;0-9]", token) and not token.startswith("-"):  # no path, field, option
            words |= set(re.findall(r"[A-Za-z]{2,}", token)) - set(re.findall(r"\b[A-Z]{1,3}\b", token))
    raw_keys = {w for w in re.findall(r"\b[a-z]+_[a-z_]+\b", err) if w in _messages() and w not in own}
    return (words - own - _LATIN_ALLOWED) | raw_keys


def _identifiers(text: str) -> set[str]:
    """Names a user writes in a file: YAML keys, ids given as values, CSV cells."""
    return (set(re.findall(r"(?m)^[\s-]*([A-Za-z_]\w*)\s*:", text))  # keys
            | set(re.findall(r"[{,]\s*([A-Za-z_]\w*)\s*:", text))  # keys in {flow: style}
            | set(re.findall(r"(?m):\s*([A-Za-z_]\w*)\s*(?:#.*)?$", text))  # ids as values
            | set(re.findall(r"(?m)(?:^|[;,\t])([A-Za-z_]\w*)(?=[;,\t\r\n]|$)", text)))  # CSV cells


@cache
def _known_names() -> frozenset:
    """Every field name and allowed value of the scenario, budget and programme schemas, and
    every name used in the bundled examples: a message may list them."""
    from okmo_models.budget.schema import EXPENDITURE_LINES, REVENUE_LINES, BudgetScenario
    from okmo_models.programme.schema import Programme
    from okmo_models.scenario.schema import Scenario
    from okmo_models.units import known_tokens

    names = set()

    def walk(node):
        if isinstance(node, dict):
            names.update(node.get("properties", {}))
            names.update(v for v in node.get("enum", []) if isinstance(v, str))
            if isinstance(node.get("const"), str):
                names.add(node["const"])
            for v in node.values():
                walk(v)
        elif isinstance(node, list):
            for v in node:
                walk(v)

    for model in (Scenario, BudgetScenario, Programme):
        walk(model.model_json_schema())
    names.update(REVENUE_LINES + EXPENDITURE_LINES)
    names.update(known_tokens())  # unit names: "som", "household", "kWh"
    examples = Path(__file__).resolve().parents[2] / "scenarios"
    for path in examples.rglob("*"):
        if path.suffix in (".yaml", ".csv"):
            names |= _identifiers(path.read_text("utf-8-sig"))
    return frozenset(names)


__all__ = ["CANARY", "Case", "Finding", "Outcome", "TimeUp", "check", "report", "run_case", "run_cli"]

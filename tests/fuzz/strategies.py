"""Hypothesis strategies for the files users give ``okmo``: the bundled examples, changed the
way people and programs change them (a field dropped, retyped or given an odd value, a
number written another way, a file saved in another encoding) and the way an attacker would
(YAML aliases and tags, paths outside the folder, huge or control characters).

Every strategy makes a :class:`~fuzz.run.Case`: the files, the commands to run and notes
saying what was changed, so that a failing example reads as a reproducer.
"""

from __future__ import annotations

import copy
import csv
import datetime as dt
import hashlib
import io
import re
import zipfile
from functools import cache
from pathlib import Path

import openpyxl
import yaml
from hypothesis import strategies as st

from fuzz.run import Case

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = ROOT / "scenarios"
TARIFF_FILES = ("teploklyuchenka/waste.yaml", "ak-bulak/water.yaml", "teploklyuchenka/dipping_bath.yaml",
                "teploklyuchenka/shared_landfill.yaml")
BUDGET_FILES = ("kok-jar/budget.yaml", "alamudun/budget.yaml")
PROGRAMME_FILE = "alamudun/programme.yaml"
OUTSIDE = "../../outside/secret.yaml"  # from a case's folder to the canary file (see fuzz.run)

langs = st.sampled_from(["ru", "ru", "ky"])


# --- values ------------------------------------------------------------------------------

# Numbers as people, spreadsheets and other countries write them; the first ones read two ways.
AMBIGUOUS_NUMBERS = ("180,500", "1.500", "5,575", "20,500", "1,000", "-2.250")
ODD_NUMBERS = AMBIGUOUS_NUMBERS + (
    "-0", "0", "-1", "1e400", "-1e400", "1e-400", "nan", "NaN", "inf", "-inf", "1 000 000,5", "1,5,5",
    "1.5.5", "0x1F", "1_000", "½", "١٢٣", "１２３", ",5", "5,", "--5", "+5", "99999999999999999999999",
    "1.234.567,89", "1 234.5", "0,000", "3 %", "−5",
)
ODD_TEXTS = (
    "", " ", "\t", "~", "null", "yes", "no", "0", "\x1b[31mКРАСНЫЙ\x1b[0m", "ab\x00cd", "a\u202eb",
    "строка\nещё строка", "=HYPERLINK(\"http://example.org\",\"нажми\")", "=1+1", "+7 700", "-5+3",
    "@SUM(A1)", "Ү ө ң — «кавычки» 🐑", "x" * 100_000, "ул. Манаса, 5", "\"ул. Манаса, 5",
    "2020-01-01", "12:30", "\ufeffстрока", "a" * 3000,
)
ODD_PATHS = (OUTSIDE, "/etc/passwd", "/proc/self/environ", "/dev/zero", "../", ".", "нет такого.yaml",
             "/", "budget.yaml/..", "a" * 300)
UNITS = ("som", "som/year", "som/l", "som/month", "%", "m3/year", "l/year", "household", "head", "staff",
         "som/staff/month", "kWh/year", "тыс. сом", "сом/год", "gallon", "", "%/year")


def number_texts() -> st.SearchStrategy[str]:
    """A number as it might be typed: odd ones, and ordinary ones in every grouping style."""
    plain = st.floats(min_value=-1e7, max_value=1e9, allow_nan=False).map(lambda x: f"{x:.2f}")
    grouped = st.builds(lambda n, sep, dec: f"{n:,}".replace(",", sep) + dec,
                        st.integers(0, 10**9), st.sampled_from([" ", "\u00a0", ",", ".", ""]),
                        st.sampled_from(["", ",5", ".25", ",750"]))
    return st.one_of(st.sampled_from(ODD_NUMBERS), plain, grouped)


def odd_values() -> st.SearchStrategy:
    """A value for any field: the wrong type, an odd number, an odd text, a date, a path."""
    return st.one_of(
        number_texts(),
        st.builds(lambda n, u: f"{n} {u}".strip(), number_texts(), st.sampled_from(UNITS)),
        st.sampled_from(ODD_TEXTS),
        st.sampled_from(ODD_PATHS),
        st.sampled_from([None, True, False, [], {}, 0, -1, 10**30, -0.0, 1e308, float("nan"), float("inf"),
                         dt.date(2020, 2, 29), dt.datetime(2027, 1, 1, 12, 0), [None], {"value": None}]),
        st.integers(), st.floats(), st.text(max_size=20),
    )


# --- YAML documents ----------------------------------------------------------------------


@cache
def _example(name: str) -> dict:
    return yaml.safe_load((EXAMPLES / name).read_text("utf-8"))


def example_data(name: str) -> dict:
    """The parsed example file ``name`` (relative to scenarios/), a fresh copy."""
    return copy.deepcopy(_example(name))


def _paths(node, prefix=()):
    """Every place in a parsed document, parents before children."""
    yield prefix
    if isinstance(node, dict):
        for k, v in node.items():
            yield from _paths(v, prefix + (k,))
    elif isinstance(node, list):
        for i, v in enumerate(node):
            yield from _paths(v, prefix + (i,))


def _get(node, path):
    for part in path:
        node = node[part]
    return node


def _show(path) -> str:
    """``cost_lines[3].price``, counting from 1 as the error messages do."""
    out = ""
    for part in path:
        out += f"[{part + 1}]" if isinstance(part, int) else ("." if out else "") + str(part)
    return out


def as_written(value) -> str:
    text = repr(value)
    return text if len(text) <= 60 else f"{text[:40]}… ({len(text)} characters)"


@st.composite
def mutated_data(draw, data, max_changes: int = 3):
    """``(data, notes)``: up to ``max_changes`` changes at places drawn from the document."""
    values = odd_values()
    notes = []
    for _ in range(draw(st.integers(0, max_changes))):
        paths = [p for p in _paths(data) if p]
        if not paths:
            break
        path = draw(st.sampled_from(paths))
        parent, key = _get(data, path[:-1]), path[-1]
        op = draw(st.sampled_from(["drop", "replace", "replace", "replace", "retype", "duplicate", "unknown",
                                   "nest", "renumber"]))
        old = parent[key]
        if op == "drop":
            del parent[key]
        elif op == "replace":
            parent[key] = draw(values)
        elif op == "retype":
            parent[key] = draw(st.sampled_from([[old], {"value": old}, str(old), {"ru": old}, None]))
        elif op == "duplicate" and isinstance(parent, list):
            parent.insert(key, copy.deepcopy(old))
        elif op == "unknown" and isinstance(old, dict):
            old[draw(st.sampled_from(["quantiti", "значение", "value ", "__class__", "x" * 500]))] = draw(values)
        elif op == "nest":
            parent[key] = _nested(old, draw(st.integers(5, 100)))
        elif op == "renumber" and isinstance(old, str) and re.match(NUMBER_THEN_UNIT, old):
            parent[key] = re.sub(NUMBER_THEN_UNIT, draw(number_texts()) + " ", old, count=1)
        else:
            continue
        notes.append(f"{op} {_show(path)}" + (f" := {as_written(parent[key])}" if op not in ("drop", "duplicate") else ""))
    return data, notes


NUMBER_THEN_UNIT = r"^-?\d+(?:[ \u00a0]\d{3})*(?:[.,]\d+)? "  # "20 000 som/staff/month"


def _nested(value, depth: int):
    for i in range(depth):
        value = [value] if i % 2 else {"a": value}
    return value


def dump(data) -> str:
    return yaml.safe_dump(data, allow_unicode=True, sort_keys=False, width=120)


# Whole-text changes: YAML features, encodings, damage.
BOMB = "".join(f"l{i}: &l{i} [" + ", ".join([f"*l{i - 1}"] * 9) + "]\n" for i in range(1, 10))


TEXT_CHANGES = {
    "alias bomb": lambda t: t + "l0: &l0 [lol]\n" + BOMB,
    "recursive alias": lambda t: t + "loop: &loop [*loop]\n",
    "anchor and alias": lambda t: re.sub(r"(?m)^(sources:)", r"\1 &src", t, count=1) + "extra_sources: *src\n",
    "merge key": lambda t: t + "base: &base {a: 1}\nderived: {<<: *base, b: 2}\n",
    "python tag": lambda t: t + "evil: !!python/object/apply:os.system ['echo hacked']\n",
    "custom tag": lambda t: re.sub(r"(?m)^(\w+): (\S)", r"\1: !custom \2", t, count=1),
    "binary tag": lambda t: t + "blob: !!binary aGVsbG8=\n",
    "set tag": lambda t: t + "set: !!set {a, b}\n",
    "timestamp": lambda t: re.sub(r"(?m)^(\w*year\w*): .*$", r"\1: 2027-01-01", t, count=1),
    "float tag": lambda t: re.sub(r"(?m)^(\w+): (\d+)$", r"\1: !!float '1e400'", t, count=1),
    "duplicate key": lambda t: t + t.splitlines()[0] + "\n",
    "two documents": lambda t: t + "---\n" + t,
    "tab indent": lambda t: t.replace("\n  ", "\n\t", 1),
    "deep flow nesting": lambda t: t + "deep: " + "[" * 5000 + "]" * 5000 + "\n",
    "long line": lambda t: t + "# " + "ж" * 1_000_000 + "\n",
    "control character": lambda t: t.replace(":", ":\x1b", 1),
    "NUL": lambda t: t[: len(t) // 2] + "\x00" + t[len(t) // 2:],
    "truncated": lambda t: t[: len(t) // 3],
    "empty": lambda t: "",
    "comments only": lambda t: "# ничего\n",
    "a list": lambda t: "- 1\n- 2\n",
    "a scalar": lambda t: "просто текст\n",
    "CRLF": lambda t: t.replace("\n", "\r\n"),
    "old Mac CR": lambda t: t.replace("\n", "\r"),
}
OTHER_ENCODINGS = ("utf-8-sig", "utf-16", "cp1251", "utf-32")


@st.composite
def yaml_bytes(draw, data, notes: list):
    """The document as file bytes, sometimes with a whole-text change or another encoding."""
    text = dump(data)
    if draw(st.integers(0, 3)) == 0:
        change = draw(st.sampled_from(sorted(TEXT_CHANGES)))
        text = TEXT_CHANGES[change](text)
        notes.append(change)
    encoding = "utf-8"
    if draw(st.integers(0, 7)) == 0:
        encoding = draw(st.sampled_from(OTHER_ENCODINGS))
        notes.append(f"saved as {encoding}")
    return text.encode(encoding, "replace")


def _records(folder: str) -> dict[str, bytes]:
    """The records Teploklyuchenka's tariffs read (their assets from the passport, the dipping
    bath's heads from the economic base), put in ``folder`` ("" or "name/") beside a tariff."""
    return {f"{folder}{n}": (EXAMPLES / "teploklyuchenka" / n).read_bytes() for n in ("passport.yaml", "economic_base.yaml")}


def _example_files(name: str) -> dict[str, bytes]:
    """The YAML and CSV files of the example's folder (a budget's history, a programme's budget)."""
    folder = (EXAMPLES / name).parent
    return {f"{folder.name}/{p.name}": p.read_bytes() for p in sorted(folder.iterdir()) if p.suffix in (".yaml", ".csv")}


@st.composite
def tariff_cases(draw):
    """A tariff scenario changed at up to three places, checked or calculated."""
    name = draw(st.sampled_from(TARIFF_FILES))
    data, notes = draw(mutated_data(example_data(name)))
    files = {**_records("teploklyuchenka/"), name: draw(yaml_bytes(data, notes))}
    fmt = draw(st.sampled_from(["check", "table", "json", "csv", "xlsx"]))
    if fmt == "check":
        command = ["check", name]
    else:
        command = ["tariff", name, "--format", fmt] + (["-o", "out.xlsx"] if fmt == "xlsx" else [])
    return Case(files, [command], [f"{name}: {n}" for n in notes], draw(langs))


@st.composite
def budget_cases(draw):
    """A budget file (kok-jar's reads its history from a CSV table) changed and forecast."""
    name = draw(st.sampled_from(BUDGET_FILES))
    files = _example_files(name)
    data, notes = draw(mutated_data(example_data(name)))
    files[name] = draw(yaml_bytes(data, notes))
    command = draw(st.sampled_from([["check", name], ["budget", name], ["budget", name, "--format", "json"],
                                    ["budget", name, "--format", "xlsx", "-o", "out.xlsx"]]))
    return Case(files, [command], [f"{name}: {n}" for n in notes], draw(langs))


@st.composite
def programme_cases(draw):
    """The development programme or the budget it is checked against, changed."""
    files = _example_files(PROGRAMME_FILE)
    name = draw(st.sampled_from([PROGRAMME_FILE, PROGRAMME_FILE, "alamudun/budget.yaml"]))
    data, notes = draw(mutated_data(example_data(name)))
    files[name] = draw(yaml_bytes(data, notes))
    command = draw(st.sampled_from([["check", PROGRAMME_FILE], ["programme", PROGRAMME_FILE],
                                    ["programme", PROGRAMME_FILE, "--format", "csv"]]))
    return Case(files, [command], [f"{name}: {n}" for n in notes], draw(langs))


@st.composite
def variant_cases(draw):
    """A variant file (``variant_of`` + ``changes``) whose baseline, hash or changes are odd."""
    name = draw(st.sampled_from(TARIFF_FILES[:2] + BUDGET_FILES[:1] + (PROGRAMME_FILE,)))
    files = _example_files(name)
    folder, base = name.split("/")
    sha = hashlib.sha256(files[name]).hexdigest()
    baseline = draw(st.sampled_from([base, base, base, "variant.yaml", "other.yaml", OUTSIDE, "/etc/passwd",
                                     "/dev/zero", "нет.yaml", ""]))
    variant = {"variant_of": baseline}
    hash_kind = draw(st.sampled_from(["right", "right", "wrong", "zeros", "absent", "not text"]))
    variant["baseline_sha256"] = {"right": sha, "wrong": sha[::-1], "zeros": "0" * 64, "absent": None,
                                  "not text": 12345}[hash_kind]
    if variant["baseline_sha256"] is None:
        del variant["baseline_sha256"]
    changes = {}
    if draw(st.booleans()):  # change a top-level field of the baseline
        data = example_data(name)
        key = draw(st.sampled_from(sorted(data)))
        changes[key] = draw(st.one_of(odd_values(), st.just(data[key])))
    variant["changes"] = changes
    notes = [f"variant_of: {baseline!r}", f"baseline_sha256: {hash_kind}", f"changes: {as_written(changes)}"]
    files[f"{folder}/variant.yaml"] = dump(variant).encode()
    if baseline == "other.yaml":  # a cycle: other.yaml is a variant of variant.yaml
        files[f"{folder}/other.yaml"] = dump({"variant_of": "variant.yaml", "changes": {}}).encode()
        notes.append("other.yaml is a variant of variant.yaml")
    command = draw(st.sampled_from([["check"], ["tariff"], ["budget"], ["programme"]]))
    return Case(files, [command + [f"{folder}/variant.yaml"]], notes, draw(langs),
                facts={"hash": hash_kind, "baseline": baseline, "own baseline": base})


# --- CSV tables ----------------------------------------------------------------------------


def _read_rows(raw: bytes) -> list[list[str]]:
    text = raw.decode("utf-8-sig")
    return [row for row in csv.reader(io.StringIO(text), delimiter=";")]


@cache
def _households() -> tuple:
    return tuple(map(tuple, _read_rows((EXAMPLES / "teploklyuchenka/registers/households.csv").read_bytes())))


@cache
def _livestock() -> tuple:
    wb = openpyxl.load_workbook(EXAMPLES / "teploklyuchenka/registers/livestock.xlsx", read_only=True)
    rows = [tuple("" if v is None else str(v) for v in r) for r in wb.worksheets[0].iter_rows(values_only=True)]
    wb.close()
    title = next(i for i, r in enumerate(rows) if "Баш саны" in r)
    return tuple(rows[title:])


class Table:
    """A CSV table being damaged: rows of cells, then how the file is written."""

    def __init__(self, rows):
        self.rows = [list(r) for r in rows]
        self.heading = 0  # the heading row's index, below any title lines
        self.notes: list[str] = []
        self.delimiter, self.encoding, self.quoting, self.newline = ";", "utf-8-sig", "raw", "\r\n"
        self.byte_change = None

    def data(self) -> bytes:
        if self.quoting == "raw":  # cells joined as they are: a quote in a cell stays a quote
            text = "".join(self.delimiter.join(r) + self.newline for r in self.rows)
        else:
            buffer = io.StringIO()
            csv.writer(buffer, delimiter=self.delimiter, lineterminator=self.newline,
                       quoting=csv.QUOTE_ALL).writerows(self.rows)
            text = buffer.getvalue()
        raw = text.encode(self.encoding, "replace")
        return BYTE_CHANGES[self.byte_change](raw) if self.byte_change else raw

    def records(self, heading_row: int) -> int:
        """Data records below the heading row (counted from 1, as the reader numbers rows),
        blank ones left out: a line each when the cells are written as they are, a row
        each when written by the csv module (every cell quoted, line breaks and all)."""
        if self.quoting == "raw":
            units = re.split(r"\r\n|\r|\n", "".join(self.delimiter.join(r) + "\n" for r in self.rows))[:-1]
        else:
            units = [self.delimiter.join(r) for r in self.rows]
        return sum(1 for u in units[heading_row:] if u.strip(self.delimiter + " \t"))


BYTE_CHANGES = {
    "byte 0x98 (not in cp1251)": lambda b: b[: len(b) // 2] + b"\x98" + b[len(b) // 2:],
    "invalid UTF-8 byte": lambda b: b[: len(b) // 2] + b"\xff\xfe\xfa" + b[len(b) // 2:],
    "NUL bytes": lambda b: b.replace(b";", b";\x00", 3),
    "truncated": lambda b: b[: len(b) // 2],
    "empty": lambda b: b"",
    "only a BOM": lambda b: b"\xef\xbb\xbf",
    "zip bytes": lambda b: b"PK\x03\x04" + b,
    "old Excel bytes": lambda b: b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b,
}


@st.composite
def damaged_table(draw, rows, cell_values, max_changes: int = 3):
    """A table with up to ``max_changes`` cell or row changes, written in a drawn way."""
    table = Table(rows)
    for _ in range(draw(st.integers(0, max_changes))):
        r = draw(st.integers(0, len(table.rows) - 1))
        row = table.rows[r]
        op = draw(st.sampled_from(["cell", "cell", "cell", "drop cell", "extra cell", "blank line", "duplicate row",
                                   "drop row", "title line"]))
        if op == "cell" and row:
            c = draw(st.integers(0, len(row) - 1))
            row[c] = draw(cell_values)
            table.notes.append(f"row {r + 1}, cell {c + 1} := {as_written(row[c])}")
        elif op == "drop cell" and row:
            row.pop()
            table.notes.append(f"row {r + 1}: last cell dropped")
        elif op == "extra cell":
            row.append(draw(cell_values))
            table.notes.append(f"row {r + 1}: extra cell {as_written(row[-1])}")
        elif op == "blank line" and r > table.heading:
            table.rows.insert(r, [])
            table.notes.append(f"blank line before row {r + 1}")
        elif op == "duplicate row":
            table.rows.insert(r, list(row))
            table.heading += r < table.heading
            table.notes.append(f"row {r + 1} twice")
        elif op == "drop row" and r > table.heading:
            del table.rows[r]
            table.notes.append(f"row {r + 1} dropped")
        elif op == "title line":
            table.rows.insert(0, [draw(st.sampled_from(["Реестр хозяйств", "Выгрузка 01.01.2026", ""]))])
            table.heading += 1
            table.notes.append("title line on top")
    table.delimiter = draw(st.sampled_from([";", ";", ",", "\t"]))
    table.encoding = draw(st.sampled_from(["utf-8-sig", "utf-8", "cp1251", "utf-16"]))
    table.quoting = draw(st.sampled_from(["raw", "raw", "csv"]))
    table.newline = draw(st.sampled_from(["\r\n", "\n", "\r"]))
    if draw(st.integers(0, 5)) == 0:
        table.byte_change = draw(st.sampled_from(sorted(BYTE_CHANGES)))
        table.notes.append(table.byte_change)
    table.notes.append(f"written with {table.delimiter!r}, {table.encoding}, {table.quoting}, "
                       f"newline {table.newline!r}")
    return table


def cell_texts() -> st.SearchStrategy[str]:
    """A cell of a CSV table: a number, an odd text, quotes and separators, a 128 KB text."""
    return st.one_of(number_texts(), st.sampled_from(ODD_TEXTS),
                     st.sampled_from(["\"ул. Манаса, 5", "ул. \"Манаса\", 5", "\"\"", "\"", "a;b", "a,b", "a\tb",
                                      "x" * 131_072]),
                     st.text(max_size=10))


@st.composite
def register_cases(draw):
    """A household or livestock register CSV, damaged, imported alone or into a variant."""
    kind = draw(st.sampled_from(["households", "livestock"]))
    source = _households() if kind == "households" else _livestock()
    rows = source[: 1 + draw(st.integers(1, 40))]
    table = draw(damaged_table(rows, cell_texts()))
    files = {"reg/register.csv": table.data()}
    command = ["register", kind, "reg/register.csv", "--format", "json"]
    if draw(st.booleans()):
        scenario = "waste.yaml" if kind == "households" else "dipping_bath.yaml"
        files.update(_records("reg/"))
        files[f"reg/{scenario}"] = (EXAMPLES / "teploklyuchenka" / scenario).read_bytes()
        command += ["--scenario", f"reg/{scenario}", "--output", "reg/variant.yaml", "--max-unusable", "100"]
    return Case(files, [command], [f"{kind} register: {n}" for n in table.notes], draw(langs),
                facts={"table": None if table.byte_change else table})


@st.composite
def history_cases(draw):
    """Kok-Jar's budget with its history table (history.csv) damaged."""
    files = _example_files(BUDGET_FILES[0])
    rows = _read_rows(files["kok-jar/history.csv"])
    table = draw(damaged_table(rows, cell_texts()))
    files["kok-jar/history.csv"] = table.data()
    command = draw(st.sampled_from([["budget", BUDGET_FILES[0]], ["check", BUDGET_FILES[0]]]))
    return Case(files, [command], [f"history.csv: {n}" for n in table.notes], draw(langs))


# --- workbooks -----------------------------------------------------------------------------


@cache
def _workbook(kind: str, source: str | None) -> bytes:
    from okmo_models.excel.template import scenario_data, scenario_workbook, template_workbook

    if source is None:
        return template_workbook(kind, "ru")
    _, data = scenario_data(EXAMPLES / source)
    return scenario_workbook(kind, data, "ru", Path(source).name)


# (kind, example) of the workbooks changed: one of each kind filled in, and an empty template.
WORKBOOKS = (("tariff", "teploklyuchenka/waste.yaml"), ("budget", "alamudun/budget.yaml"),
             ("programme", "alamudun/programme.yaml"), ("tariff", None))


def cell_values() -> st.SearchStrategy:
    return st.one_of(odd_values().filter(lambda v: not isinstance(v, (list, dict))),
                     st.sampled_from(["=1/0", "=A1", "=HYPERLINK(\"http://x\",\"y\")", "20,500", "1.500", "12 %"]))


def _safe_cell_value(value):
    """openpyxl refuses control characters and cells over 32 767 characters, as Excel does."""
    if isinstance(value, str):
        value = re.sub(r"[\x00-\x08\x0b\x0c\x0e-\x1f]", "?", value)[:32_767]
    return value


@st.composite
def workbook_cases(draw):
    """A workbook written by ``okmo template`` (empty, or with an example in it), its cells
    changed with openpyxl, imported; the imported file is then checked."""
    kind, source = draw(st.sampled_from(WORKBOOKS))
    wb = openpyxl.load_workbook(io.BytesIO(_workbook(kind, source)))
    notes = [f"okmo template {kind}" + (f" --from {source}" if source else "")]
    for _ in range(draw(st.integers(0, 4))):
        ws = wb[draw(st.sampled_from(wb.sheetnames))]
        op = draw(st.sampled_from(["cell", "cell", "cell", "clear", "far cell", "empty rows", "delete sheet",
                                   "rename sheet", "merge"]))
        row = draw(st.integers(1, min(ws.max_row + 2, 1_048_576)))  # Excel's last row and column
        col = draw(st.integers(1, min(ws.max_column + 1, 16_384)))
        at = f"{ws.title}!{ws.cell(row, col).coordinate}"
        if op == "cell":
            value = _safe_cell_value(draw(cell_values()))
            ws.cell(row, col).value = value
            notes.append(f"{at} := {as_written(value)}")
        elif op == "clear":
            ws.cell(row, col).value = None
            notes.append(f"{at} cleared")
        elif op == "far cell":
            ws["XFD1048576"] = 1
            notes.append(f"{ws.title}!XFD1048576 := 1")
        elif op == "empty rows":
            n = draw(st.integers(100, 5000))
            ws.cell(min(ws.max_row + n, 1_048_576), 1).value = " "
            notes.append(f"{ws.title}: a space {n} rows below the last row")
        elif op == "delete sheet" and len(wb.sheetnames) > 1:
            notes.append(f"sheet {ws.title!r} deleted")
            wb.remove(ws)
        elif op == "rename sheet":
            notes.append(f"sheet {ws.title!r} renamed")
            ws.title = draw(st.sampled_from(["Лист1", "Sheet", ws.title[:-1] or "X", ws.title.upper()]))
        elif op == "merge":
            ws.merge_cells(start_row=row, start_column=col, end_row=row + 1, end_column=col + 1)
            notes.append(f"{at} merged with its neighbours")
    buffer = io.BytesIO()
    wb.save(buffer)
    raw = buffer.getvalue()
    if draw(st.integers(0, 6)) == 0:
        change = draw(st.sampled_from(sorted(XLSX_CHANGES)))
        raw = XLSX_CHANGES[change](raw)
        notes.append(change)
    files = {"book/input.xlsx": raw}
    commands = [["import", "book/input.xlsx", "-o", "book/imported.yaml"], ["check", "book/imported.yaml"]]
    return Case(files, commands, notes, draw(langs))


def _rezip(raw: bytes, change) -> bytes:
    """The workbook with its first sheet's XML changed."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(raw)) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for item in src.infolist():
            data = src.read(item.filename)
            if item.filename.startswith("xl/worksheets/sheet1"):
                data = change(data)
            dst.writestr(item.filename, data)
    return out.getvalue()


XLSX_CHANGES = {
    "truncated zip": lambda b: b[: len(b) // 2],
    "DTD in sheet1.xml": lambda b: _rezip(b, lambda x: x.replace(
        b"?>", b"?><!DOCTYPE x [<!ENTITY e \"boom\">]>", 1)),
    "entity bomb in sheet1.xml": lambda b: _rezip(b, lambda x: x.replace(
        b"?>", b"?><!DOCTYPE x [<!ENTITY a \"aaaaaaaaaa\"><!ENTITY b \"&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;\">"
               b"<!ENTITY c \"&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;\">]>", 1)),
    "sheet1.xml not XML": lambda b: _rezip(b, lambda x: x[: len(x) // 2]),
    "not a zip": lambda b: b"\x00" * 100,
    "CSV named .xlsx": lambda b: b"a;b\n1;2\n",
}


# --- outputs -------------------------------------------------------------------------------

FORMULA_NAMES = ("=HYPERLINK(\"http://example.org\",\"Подробнее\")", "=1+2", "+1+2", "-1+2", "@SUM(1)",
                 "=cmd|' /C calc'!A0", "\t=1+1", "\r=1+1")


@st.composite
def output_cases(draw):
    """A valid scenario whose names start like a formula, written as a workbook or a CSV."""
    name = draw(st.sampled_from(TARIFF_FILES[:3]))
    data = example_data(name)
    notes = []
    for path in draw(st.lists(st.sampled_from([p for p in _paths(data) if p and p[-1] in ("ru", "name")
                                               and isinstance(_get(data, p), str)]), min_size=1, max_size=3)):
        value = draw(st.sampled_from(FORMULA_NAMES))
        _get(data, path[:-1])[path[-1]] = value
        notes.append(f"{_show(path)} := {value!r}")
    files = {**_records("teploklyuchenka/"), name: dump(data).encode()}
    fmt = draw(st.sampled_from(["xlsx", "csv", "template"]))
    if fmt == "template":
        command = ["template", "--from", name, "-o", "out.xlsx"]
    else:
        command = ["tariff", name, "--format", fmt, "-o", f"out.{fmt}"]
    return Case(files, [command], [f"{name}: {n}" for n in notes], draw(langs))


# --- numbers that read two ways ---------------------------------------------------------------

ambiguous_numbers = st.one_of(st.sampled_from(AMBIGUOUS_NUMBERS), st.from_regex(r"\A-?[1-9]\d{0,2}[.,]\d{3}\Z"))


@st.composite
def ambiguous_number_cases(draw):
    """A number such as "180,500" (180,5 or 180 500?) where a number belongs: a price in a
    scenario, a cell of a budget's history table, a cell of a workbook, a register's count
    of household members. ``facts`` say where, for the property."""
    number = draw(ambiguous_numbers)
    where = draw(st.sampled_from(["scenario", "history", "workbook", "register"]))
    if where == "scenario":
        name = draw(st.sampled_from(TARIFF_FILES[:3]))
        data = example_data(name)
        lines = [i for i, c in enumerate(data["cost_lines"]) if "price" in c]
        i = draw(st.sampled_from(lines))
        unit = data["cost_lines"][i]["price"].split(" ", 1)[1].lstrip("0123456789 ,.")
        data["cost_lines"][i]["price"] = f"{number} {unit}"
        files, command = {**_records("teploklyuchenka/"), name: dump(data).encode()}, ["tariff", name, "--format", "json"]
        note = f"{name}: cost_lines[{i + 1}].price := {number} {unit}"
    elif where == "history":
        files = _example_files(BUDGET_FILES[0])
        rows = _read_rows(files["kok-jar/history.csv"])
        r, c = draw(st.integers(1, len(rows) - 1)), draw(st.integers(3, len(rows[0]) - 1))
        rows[r][c] = number
        files["kok-jar/history.csv"] = "".join(";".join(row) + "\r\n" for row in rows).encode("utf-8-sig")
        command, note = ["budget", BUDGET_FILES[0]], f"history.csv row {r + 1}, cell {c + 1} := {number}"
    elif where == "workbook":
        wb = openpyxl.load_workbook(io.BytesIO(_workbook("tariff", "teploklyuchenka/waste.yaml")))
        sheet, column = draw(st.sampled_from([("Калькуляция", "G"), ("Калькуляция", "I"), ("Основные средства", "D")]))
        ws = wb[sheet]
        rows = [c.row for c in ws[column] if isinstance(c.value, (int, float)) and not isinstance(c.value, bool)]
        cell = f"{column}{draw(st.sampled_from(rows))}"
        ws[cell] = number  # text, as typed into a cell formatted as text
        buffer = io.BytesIO()
        wb.save(buffer)
        files, command = {"book/input.xlsx": buffer.getvalue()}, ["import", "book/input.xlsx", "-o", "book/out.yaml"]
        note = f"okmo template --from teploklyuchenka/waste.yaml; {sheet}!{cell} := text {number!r}"
    else:
        rows = [list(r) for r in _households()[:11]]
        r = draw(st.integers(1, 10))
        rows[r][4] = number
        files = {"reg/register.csv": "".join(";".join(row) + "\r\n" for row in rows).encode("utf-8-sig")}
        command = ["register", "households", "reg/register.csv", "--format", "json"]
        note = f"households register row {r + 1}, members (E{r + 1}) := {number}"
    return Case(files, [command], [note], draw(langs),
                facts={"number": number, "where": where, "row": r + 1 if where == "register" else None})


# --- large files -------------------------------------------------------------------------------


# Sizes that should take a few seconds (CI) and the sizes of the reports (long runs).
SIZES = {"ci": {"cost lines": [100], "draws": [10_000, 100_000], "register": [5_000, 20_000],
                "programme": [20], "workbook": [500]},
         "long": {"cost lines": [100, 500], "draws": [100_000, 1_000_000], "register": [50_000, 200_000],
                  "programme": [40, 150, 300], "workbook": [2000, 4000]}}


@st.composite
def large_cases(draw, sizes: str = "ci"):
    """Valid files at the size a large aiyl okmotu reaches: many cost lines and Monte Carlo
    draws, a long register, a programme of many measures, a workbook with many rows."""
    size = SIZES[sizes]
    kind = draw(st.sampled_from(["cost lines", "register", "programme", "workbook"]))
    n = draw(st.sampled_from(size[kind]))
    if kind == "cost lines":
        data = example_data(TARIFF_FILES[0])
        data["cost_lines"] = _repeated(data["cost_lines"], n)
        data["sensitivity"]["draws"] = draws = draw(st.sampled_from(size["draws"]))
        files, command = {**_records(""), "big.yaml": dump(data).encode()}, ["tariff", "big.yaml", "--format", "json"]
        note = f"waste.yaml with {n} cost lines, sensitivity.draws: {draws}"
    elif kind == "register":
        heading, *rows = _households()
        body = [[str(i + 1), f"ТК-{i + 1:06d}", *rows[i % len(rows)][2:]] for i in range(n)]
        files = {"big.csv": "".join(";".join(r) + "\r\n" for r in [list(heading), *body]).encode("utf-8-sig")}
        command, note = ["register", "households", "big.csv", "--format", "json"], f"households register of {n} rows"
    elif kind == "programme":
        files = _example_files(PROGRAMME_FILE)
        data = example_data(PROGRAMME_FILE)
        measures = data["measures"]
        data["measures"] = [dict(copy.deepcopy(measures[i % len(measures)]), id=f"m{i + 1}", committed=False,
                                 requires=[], excludes=[]) for i in range(n)]
        files[PROGRAMME_FILE] = dump(data).encode()
        command, note = ["programme", PROGRAMME_FILE, "--format", "json"], f"programme of {n} measures"
    else:
        data = example_data(TARIFF_FILES[0])
        data["cost_lines"] = _repeated(data["cost_lines"], n)
        files = {**_records("book/"), "book/big.yaml": dump(data).encode()}
        command = ["template", "--from", "book/big.yaml", "-o", "book/big.xlsx"]
        note = f"waste.yaml with {n} cost lines into a workbook and back"
        return Case(files, [command, ["import", "book/big.xlsx", "-o", "book/back.yaml"]], [note], draw(langs))
    return Case(files, [command], [note], draw(langs))


def _repeated(lines: list, n: int) -> list:
    """``n`` cost lines made of copies of ``lines``, each with its own name."""
    return [dict(copy.deepcopy(lines[i % len(lines)]), name=f"Статья {i + 1}") for i in range(n)]

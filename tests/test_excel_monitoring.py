"""The monthly review as an Excel workbook (issue 20): ``okmo monitoring FILE --format xlsx``.

Every figure of the workbook is the JSON export's (``okmo monitoring FILE --format json``, to
the same rounding), a number in a cell (never text) whose number format shows it as the text
review does, and every word is in the reader's language, sheet names too."""

from __future__ import annotations

import contextlib
import dataclasses
import datetime as dt
import io
import json
import re
from pathlib import Path

import openpyxl
import pytest
from reader_language import foreign_words

from okmo_models.examples import example_path
from okmo_models.excel.results import monitoring_workbook
from okmo_models.formatting import format_number, format_percent
from okmo_models.i18n import t
from okmo_models.monitoring import evaluate_monitoring
from okmo_models.monitoring.export import notes
from okmo_models.monitoring.periods import period_label

TEPLO = example_path("teploklyuchenka/monitoring.yaml")
LANGS = ("ru", "ky", "en")
SHEETS = ("xmo_sheet_review", "xmo_sheet_indicators", "xmo_sheet_monthly", "xmo_sheet_instructions",
          "xmo_sheet_surveys", "xmo_sheet_inputs", "xr_sheet_sources")
FILLS = {"green": "C6EFCE", "amber": "FFEB9C", "red": "FFC7CE"}
HEAD_FILL = "DDE4EE"  # the heading row of every table (excel/results.py)


def okmo(*args) -> str:
    """What ``okmo ARGS`` prints, run in this process."""
    from okmo_models.cli import main

    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        assert main([str(a) for a in args]) == 0
    return out.getvalue()


@pytest.fixture(scope="module")
def result():
    return evaluate_monitoring(TEPLO)


@pytest.fixture(scope="module")
def books(result):
    return {lang: openpyxl.load_workbook(io.BytesIO(monitoring_workbook(result, lang))) for lang in LANGS}


@pytest.fixture(scope="module")
def as_json():
    return {lang: json.loads(okmo("--quiet", "--lang", lang, "monitoring", TEPLO, "--format", "json"))
            for lang in ("ru", "ky")}


# --- reading the workbook back --------------------------------------------------------------------


def _tables(ws) -> list[dict]:
    """Every table of a sheet: the subheading above it, its heading row and its rows (cells),
    a table ending at an empty row, a note (italic) or the next subheading."""
    tables, title, current = [], None, None
    for row in ws.iter_rows():
        first = row[0]
        if first.fill is not None and (first.fill.fgColor.rgb or "").endswith(HEAD_FILL):
            current = {"title": title, "header": [c.value for c in row if c.value is not None], "rows": []}
            tables.append(current)
        elif current is not None and first.value is not None and not first.font.italic and any(
                c.value is not None for c in row[1:]):
            current["rows"].append(row[: len(current["header"])])
        else:
            current = None
            if first.value is not None and first.font.bold:
                title = first.value
    return tables


def _table(ws, title: str) -> dict:
    return next(tb for tb in _tables(ws) if tb["title"] == title)


def _figure(cell, digits: int = 6):
    """A figure to compare with the JSON's, which rounds to ``digits`` decimals: a workbook
    keeps 15 significant digits, so a figure that rounds on the half (3586.8264225) may round
    the other way when read back; it is compared as equal within half the JSON's last digit.
    An empty cell is JSON's null. Text is not a figure."""
    if cell.value is None:
        return None
    assert isinstance(cell.value, (int, float)) and not isinstance(cell.value, bool), (cell.coordinate, cell.value)
    assert cell.number_format != "General", cell.coordinate
    return Rounded(float(cell.value), digits)


class Rounded:
    """A cell's figure equal to a JSON figure rounded to ``digits`` decimals from it."""

    def __init__(self, value: float, digits: int):
        self.value, self.digits = value, digits

    def __eq__(self, other):
        if not isinstance(other, (int, float)) or isinstance(other, bool):
            return NotImplemented
        return abs(self.value - other) <= 0.5 * 10.0 ** -self.digits * (1 + 1e-9) + 1e-12 * abs(other)

    def __repr__(self):
        return f"{self.value!r}"


def _day(cell) -> str:
    assert isinstance(cell.value, dt.datetime), (cell.coordinate, cell.value)  # a date, not text
    return cell.value.date().isoformat()


def shown(cell, lang: str) -> str:
    """What a spreadsheet shows for a cell, for the number formats the review uses: sections
    ``positive;negative;zero``, quoted words, digits with grouping and a percent sign."""
    value, fmt = cell.value, cell.number_format
    if value is None:
        return "—"
    if isinstance(value, str):
        return value
    sections = fmt.split(";")
    section, sign = sections[0], ""
    if len(sections) > 1 and value < 0:
        section, value = sections[1], -value  # the negative section writes its own sign
    elif len(sections) > 2 and value == 0:
        section = sections[2]
    elif value < 0:  # one section: the minus goes first, before any words of the format
        sign, value = "-", -value
    out = []
    for part in re.split(r'("[^"]*")', section):
        if part.startswith('"'):
            out.append(part[1:-1])
        elif part:
            m = re.fullmatch(r"[#,]*0(?:\.(0+))?( ?%)?", part)
            assert m, (cell.coordinate, fmt)
            decimals = len(m.group(1) or "")
            out.append(format_percent(value, decimals, lang) if m.group(2) else format_number(value, decimals, lang))
    return sign + "".join(out)


def _check_indicator_row(row, d: dict, lang: str):
    """One row of an indicators table against the JSON's indicator."""
    name, _unit, plan, plan_so_far, so_far, forecast, score, light, reason = row[:9]
    assert name.value == d["name"]
    for cell, key in ((plan, "plan"), (plan_so_far, "plan_so_far"), (so_far, "so_far"), (forecast, "forecast")):
        assert _figure(cell) == d[key], (d["id"], key)
    if d["score"] is None:
        assert isinstance(score.value, str), d["id"]  # "no actuals yet", "target reached"
    elif d["direction"] == "near":  # the deviation, with its sign
        assert Rounded(abs(score.value), 6) == d["score"], d["id"]
        if d["score"]:  # a deviation printed as 0,0 % has no sign to agree with
            assert (score.value > 0) == (d["forecast"] > d["plan"]), d["id"]
    else:
        assert _figure(score) == d["score"], d["id"]
    if d["light"]:
        assert light.value == t(f"mo_light_{d['light']}", lang)
        assert light.fill.fgColor.rgb.endswith(FILLS[d["light"]]), d["id"]
    else:
        assert light.value == t(f"mo_why_{d['why_no_light']}", lang)
        assert light.fill.fgColor.rgb in (None, "00000000"), d["id"]
    if d["reason"]:
        assert reason.value == d["reason"]
    elif d["light"] in ("amber", "red"):
        assert reason.value == t("mo_reason_missing", lang)
    else:
        assert reason.value is None or reason.value == ""


# --- every figure is the JSON's ------------------------------------------------------------------


@pytest.mark.parametrize("lang", ("ru", "ky"))
def test_every_indicator_is_the_json_indicator(books, as_json, lang):
    ws = books[lang][t("xmo_sheet_indicators", lang)]
    tables = _tables(ws)
    assert [tb["title"] for tb in tables] == [t(f"mo_section_{s}", lang) for s in ("tariff", "budget")]
    rows = [row for tb in tables for row in tb["rows"]]
    data = as_json[lang]["indicators"]
    assert len(rows) == len(data) == 26
    for row, d in zip(rows, data):
        _check_indicator_row(row, d, lang)
    # the example's red and amber indicators, as the review worked them out
    lights = {d["name"]: d["light"] for d in data}
    assert [lights[row[0].value] for row in rows].count("red") == 2


@pytest.mark.parametrize("lang", ("ru", "ky"))
def test_the_review_sheet_counts_what_is_behind_and_the_instructions(books, as_json, result, lang):
    ws = books[lang][t("xmo_sheet_review", lang)]
    data = as_json[lang]
    counts = _table(ws, t("xmo_counts_title", lang))["rows"]
    assert [(r[0].value, _figure(r[1])) for r in counts] == [
        (t("mo_light_green", lang), data["counts"]["green"]), (t("mo_light_amber", lang), data["counts"]["amber"]),
        (t("mo_light_red", lang), data["counts"]["red"]), (t("xmo_light_none", lang), data["counts"]["none"])]
    assert counts[2][0].fill.fgColor.rgb.endswith(FILLS["red"])
    behind = _table(ws, t("mo_section_behind", lang))["rows"]
    wanted = sorted((d for d in data["indicators"] if d["light"] in ("amber", "red")), key=lambda d: d["light"] != "red")
    assert len(behind) == len(wanted) == data["counts"]["amber"] + data["counts"]["red"] > 0
    for row, d in zip(behind, wanted):
        _check_indicator_row(row, d, lang)
    statuses = _table(ws, t("xmo_instruction_counts_title", lang))["rows"]
    assert [(r[0].value, _figure(r[1])) for r in statuses] == [
        (t(f"xmo_status_{k}", lang), n) for k, n in data["instructions"]["counts"].items()]
    text = "\n".join(str(c.value) for row in ws.iter_rows() for c in row if isinstance(c.value, str))
    assert data["rule"]["text"] in text
    for line in notes(result, lang) or [t("xmo_no_notes", lang)]:  # what was not assessed or not used
        assert line in text


@pytest.mark.parametrize("lang", ("ru", "ky"))
def test_monthly_actuals_by_period(books, as_json, lang):
    ws = books[lang][t("xmo_sheet_monthly", lang)]
    tables = _tables(ws)
    data = as_json[lang]["indicators"]
    periods = data[0]["periods"]
    assert len(periods) == 9  # January to September 2027
    for tb in tables:
        assert tb["header"][2:] == [period_label(p, lang) for p in periods]
    rows = [row for tb in tables for row in tb["rows"]]
    assert len(rows) == len(data)
    for row, d in zip(rows, data):
        assert row[0].value == d["name"]
        values = dict(zip(d["periods"], d["values"]))
        assert [_figure(c) for c in row[2:]] == [values.get(p) for p in periods], d["id"]


@pytest.mark.parametrize("lang", ("ru", "ky"))
def test_instructions_with_dates_as_dates(books, as_json, lang):
    ws = books[lang][t("xmo_sheet_instructions", lang)]
    data = as_json[lang]["instructions"]
    meeting = dt.date.fromisoformat(as_json[lang]["meeting"])

    def days(a: str, b: str) -> int:
        return (dt.date.fromisoformat(a) - dt.date.fromisoformat(b)).days

    overdue = _table(ws, t("mo_overdue", lang))["rows"]
    assert [r[0].value for r in overdue] == [i["id"] for i in data["overdue"]] != []
    for r, i in zip(overdue, data["overdue"]):
        assert (r[1].value, r[2].value, _day(r[3])) == (i["task"], i["responsible"], i["due"])
        assert _figure(r[4]) == days(meeting.isoformat(), i["due"])
        assert r[5].value == (i["reason"] or t("mo_reason_missing", lang))
        assert (r[6].value or None) == i["decision"]
        assert r[3].number_format == "dd.mm.yyyy"
    late = _table(ws, t("mo_done_late", lang))["rows"]
    assert [r[0].value for r in late] == [i["id"] for i in data["done_late"]] != []
    for r, i in zip(late, data["done_late"]):
        assert (_day(r[3]), _day(r[4]), _figure(r[5])) == (i["due"], i["done_on"], days(i["done_on"], i["due"]))
    soon_title = t("mo_due_soon", lang, date=dt.date.fromisoformat(data["due_soon_until"]).strftime("%d.%m.%Y"))
    soon = _table(ws, soon_title)["rows"]
    assert [r[0].value for r in soon] == [i["id"] for i in data["due_soon"]] != []
    for r, i in zip(soon, data["due_soon"]):
        assert (_day(r[3]), _figure(r[4])) == (i["due"], days(i["due"], meeting.isoformat()))


@pytest.mark.parametrize("lang", ("ru", "ky"))
def test_satisfaction_is_the_json_surveys(books, as_json, lang):
    ws = books[lang][t("xmo_sheet_surveys", lang)]
    data = as_json[lang]["surveys"]
    names = {q["id"]: q["name"] for q in data["questions"]}
    estimates = _table(ws, t("xmo_surveys_estimates", lang))["rows"]
    assert len(estimates) == len(data["estimates"]) == 2 * 4 * 4  # surveys × questions × groups
    for r, e in zip(estimates, data["estimates"]):
        assert (r[0].value, r[1].value, r[2].value) == (names[e["question"]], period_label(e["date"], lang),
                                                        t(f"sv_group_{e['group']}", lang))
        assert (_figure(r[3]), _figure(r[4])) == (e["n"], e["satisfied"])
        assert (_figure(r[5], 4), _figure(r[7], 4), _figure(r[8], 4)) == (e["share"], e["low"], e["high"])
        assert _figure(r[9], 1) == e["n_eff"]
        margin = _figure(r[6], 2)  # shown in percentage points
        assert (margin is None and e["margin"] is None) or Rounded(margin.value / 100, 4) == e["margin"]
        assert r[10].value == t(f"sv_weighting_{e['weighting']}", lang)
    changes = _table(ws, t("xmo_surveys_changes", lang))["rows"]
    assert len(changes) == len(data["changes"]) == 4 * 4
    for r, c in zip(changes, data["changes"]):
        assert (r[0].value, r[1].value) == (names[c["question"]], t(f"sv_group_{c['group']}", lang))
        assert (_figure(r[6], 2), _figure(r[7], 4)) == (c["difference_pp"], c["p_value"])
        assert r[8].value == t(f"xmo_verdict_{c['verdict']}", lang)
        assert r[9].value in c["text"]  # the test stated in words, as the review states it
    reference = _table(ws, t("xmo_surveys_reference", lang))["rows"]
    assert [(_figure(r[0]), _figure(r[2], 4)) for r in reference] == [
        (p["year"], p["share"]) for p in data["reference"]] == [(2019, 0.48), (2023, 0.56)]


@pytest.mark.parametrize("lang", ("ru", "ky"))
def test_inputs_are_the_json_provenance(books, as_json, lang):
    rows = _tables(books[lang][t("xmo_sheet_inputs", lang)])[0]["rows"]
    # the same files, named as the monitoring file names them (relative to its folder)
    folder = Path(TEPLO).resolve().parent
    named = [Path(f["file"]).resolve().relative_to(folder).as_posix() for f in as_json[lang]["inputs"]]
    assert [(r[2].value, r[3].value) for r in rows] == list(zip(named, (f["sha256"] for f in as_json[lang]["inputs"])))
    assert rows[0][1].value == t("xmo_role_monitoring", lang)
    assert {r[1].value for r in rows} >= {t("xmo_role_actuals", lang), t("xmo_role_instructions", lang),
                                          t("xmo_role_survey", lang)}


# --- numbers as numbers, shown as the text review shows them --------------------------------------

_LOOKS_NUMERIC = re.compile(r"[−+-]?\d[\d \u00a0]*([.,]\d+)?\s?%?")


@pytest.mark.parametrize("lang", LANGS)
def test_numbers_are_numeric_cells_with_a_format(books, lang):
    numbers = 0
    for ws in books[lang].worksheets:
        for row in ws.iter_rows():
            for cell in row:
                if isinstance(cell.value, str):
                    assert not _LOOKS_NUMERIC.fullmatch(cell.value.strip()), (ws.title, cell.coordinate, cell.value)
                elif isinstance(cell.value, (int, float)):
                    numbers += 1
                    assert cell.number_format != "General", (ws.title, cell.coordinate)
    assert numbers > 500


_EVALUATED: dict = {}


def _example(name: str):
    """A monitoring example's result and its workbooks by language (computed once)."""
    if name not in _EVALUATED:
        r = evaluate_monitoring(example_path(f"{name}/monitoring.yaml"))
        _EVALUATED[name] = r, {lang: openpyxl.load_workbook(io.BytesIO(monitoring_workbook(r, lang)))
                               for lang in LANGS}
    return _EVALUATED[name]


@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize("example", ("teploklyuchenka", "alamudun"))  # services and budget; programme indicators
def test_the_formats_show_the_figures_as_the_text_review(example, lang):
    result, books = _example(example)
    sources = [s for s in ("programme", "tariff", "budget") if result.section(s)]
    rows = [row for tb in _tables(books[lang][t("xmo_sheet_indicators", lang)]) for row in tb["rows"]]
    text = [tuple(r) for s in sources for r in result.indicators_table(lang, source=s).itertuples(index=False)]
    assert len(rows) == len(text) == len(result.indicators.assessments)
    for row, words in zip(rows, text):
        assert tuple(shown(c, lang) if c.value is not None or i < 8 else "" for i, c in enumerate(row[:9])) == words
    monthly = [row for tb in _tables(books[lang][t("xmo_sheet_monthly", lang)]) for row in tb["rows"]]
    by_month = [tuple(r) for s in sources for r in result.monthly_table(s, lang).itertuples(index=False)]
    assert len(monthly) == len(by_month)
    for row, words in zip(monthly, by_month):
        assert tuple(shown(c, lang) for c in row) == words, words[0]


@pytest.mark.parametrize("lang", ("ky", "en"))
def test_scores_of_every_sign_show_as_the_words(lang):
    """A level going the wrong way (a negative share of the planned change), a flow at
    nothing, spending exactly on plan and below it: the cell shows what score_text says."""
    result, _ = _example("alamudun")
    by_kind = {}
    for a in result.indicators.assessments:
        key = (a.plan.kind, a.plan.direction, a.plan.start is not None)
        if a.score is not None:
            by_kind.setdefault(key, a)
    level, flow, near = by_kind[("level", "higher", True)], by_kind[("flow", "higher", False)], \
        by_kind[("flow", "near", False)]
    variants = [dataclasses.replace(level, score=-0.123), dataclasses.replace(flow, score=0.0),
                dataclasses.replace(near, forecast=near.plan.plan, score=0.0),
                dataclasses.replace(near, forecast=near.plan.plan * 0.877, score=0.123)]
    r = dataclasses.replace(result, indicators=dataclasses.replace(result.indicators, assessments=tuple(variants)))
    wb = openpyxl.load_workbook(io.BytesIO(monitoring_workbook(r, lang)))
    rows = [row for tb in _tables(wb[t("xmo_sheet_indicators", lang)]) for row in tb["rows"]]
    assert [shown(row[6], lang) for row in rows] == [r.score_text(a, lang) for a in variants]
    assert [isinstance(row[6].value, (int, float)) for row in rows] == [True] * 4  # numbers, not words
    assert rows[0][6].value < 0 and rows[3][6].value < 0


# --- words in the reader's language -----------------------------------------------------------------


def _visible_text(wb) -> str:
    return "\n".join([ws.title for ws in wb.worksheets] + [
        c.value for ws in wb.worksheets for row in ws.iter_rows() for c in row if isinstance(c.value, str)])


def _own_words(data: dict, result, lang: str) -> list[str]:
    """What the user wrote, quoted as written: file paths, the monitoring file's sources,
    the reasons, tasks, responsible persons and decisions of the tables."""
    m = result.monitoring
    own = [str(f.path) for f in result.provenance.inputs] + [f["file"] for f in data["inputs"]]
    own += [p.name for p in TEPLO.parent.iterdir()]
    own += [" ".join(s.get(lang).split()) for s in m.sources.values()] + [s.get(lang) for s in m.sources.values()]
    own += [d["reason"] for d in data["indicators"] if d["reason"]]
    own += [i[k] for part in ("overdue", "done_late", "due_soon") for i in data["instructions"][part]
            for k in ("task", "responsible", "reason", "decision") if i[k]]
    return own


@pytest.mark.parametrize("lang", ("ru", "ky"))
def test_no_english_word_on_russian_and_kyrgyz_sheets(books, as_json, result, lang):
    wb = books[lang]
    assert wb.sheetnames == [t(k, lang) for k in SHEETS]
    text = _visible_text(wb)
    own = _own_words(as_json[lang], result, lang)
    assert not foreign_words(text, own)
    for name in sorted(own, key=len, reverse=True):
        text = text.replace(name, " ")
    for bad in ("None", "nan", "xmo_", "mo_", "sv_", "green", "amber"):
        assert bad not in text, bad


def test_english_workbook_has_english_words(books, result):
    wb = books["en"]
    assert wb.sheetnames == ["Review", "Indicators", "Monthly actuals", "Instructions", "Satisfaction", "Input files",
                             "Sources"]
    data = json.loads(okmo("--quiet", "--lang", "en", "monitoring", TEPLO, "--format", "json"))
    text = _visible_text(wb)
    for own in sorted(_own_words(data, result, "en"), key=len, reverse=True):  # the example's Russian reasons
        text = text.replace(own, " ")
    assert not re.findall(r"[А-Яа-яЁёӨөҮүҢң]+", text)
    ws = wb["Indicators"]
    score = next(c for row in _tables(ws)[0]["rows"] for c in row[6:7] if isinstance(c.value, float))
    assert shown(score, "en").endswith(" % of the plan")


# --- a user's text stays text; parts that are absent ----------------------------------------------


def test_a_reason_or_task_that_looks_like_a_formula_stays_text(result):
    a = result.indicators.assessments[1]
    assert a.light == "amber"
    formula = '=HYPERLINK("http://example.com","нажмите")'
    changed = dataclasses.replace(a, reason=formula)
    task = dataclasses.replace(result.instructions.overdue[0], task="=1+2", responsible="@SUM(A1)")
    r = dataclasses.replace(
        result, indicators=dataclasses.replace(result.indicators, assessments=(
            result.indicators.assessments[0], changed, *result.indicators.assessments[2:])),
        instructions=dataclasses.replace(result.instructions, overdue=(task, *result.instructions.overdue[1:])))
    wb = openpyxl.load_workbook(io.BytesIO(monitoring_workbook(r, "ru")))
    cells = [c for ws in wb.worksheets for row in ws.iter_rows() for c in row
             if c.value in (formula, "=1+2", "@SUM(A1)")]
    assert len(cells) == 4  # the reason on the review and on the indicators sheet, the task, the person
    assert all(c.data_type == "s" for c in cells)


def test_without_surveys_or_instructions(result):
    r = dataclasses.replace(result, surveys=None, instructions=None)
    wb = openpyxl.load_workbook(io.BytesIO(monitoring_workbook(r, "ky")))
    assert t("xmo_sheet_surveys", "ky") not in wb.sheetnames
    ws = wb[t("xmo_sheet_instructions", "ky")]
    assert t("xmo_no_instructions", "ky") in [c.value for row in ws.iter_rows() for c in row]
    review = [tb["title"] for tb in _tables(wb[t("xmo_sheet_review", "ky")])]
    assert t("xmo_instruction_counts_title", "ky") not in review


def test_okmo_monitoring_writes_the_workbook(tmp_path):
    out = tmp_path / "review.xlsx"
    okmo("--quiet", "--lang", "ky", "monitoring", TEPLO, "--format", "xlsx", "-o", out)
    wb = openpyxl.load_workbook(out)
    assert wb.sheetnames[0] == t("xmo_sheet_review", "ky")
    assert wb.properties.title.startswith("Теплоключенка айыл өкмөтү — ")

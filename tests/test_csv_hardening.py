"""CSV tables read without losing or merging a row (issue 14, items 1, 2, 11, 13, 14): the
household and livestock registers and the budget history table.

A stray quote can make a CSV reader glue the following lines into one cell; a byte that is
not text, a cell larger than a spreadsheet allows or an invisible control character must be
named with the file and the cell, never end as an internal error; a number that reads two
ways is refused with both readings unless the file (or ``--decimal-mark``) says which."""

from __future__ import annotations

import io
import json
import re

import pytest
import yaml
from conftest import SCENARIOS, write_yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from okmo_models.budget.forecast import load_budget
from okmo_models.cli import main
from okmo_models.csv_text import TableTextError, _line_count, read_table
from okmo_models.errors import ScenarioError
from okmo_models.i18n import t
from okmo_models.registers import (
    RegisterError,
    household_volumes,
    read_households,
    read_livestock,
)
from okmo_models.registers.report import to_text

EXAMPLE = SCENARIOS / "teploklyuchenka/registers/households.csv"
HEADING = ["№ п/п", "Код хозяйства", "Населённый пункт", "Адрес", "Кол-во членов", "Категория соц. паспорта"]


def register_lines(n: int) -> list[str]:
    """A heading and ``n`` households of 3 persons each, codes Х-1..Х-n, all in Центр."""
    return [";".join(HEADING)] + [f"{i};Х-{i};Центр;ул. Мира, {i};3;" for i in range(1, n + 1)]


def write_lines(path, lines, encoding="utf-8-sig", newline="\r\n"):
    path.write_bytes((newline.join(lines) + newline).encode(encoding))
    return path


def english_words(text: str) -> set[str]:
    """Latin words in a Russian or Kyrgyz text, apart from names people see in Excel or type
    and the file's own values (quoted)."""
    allowed = {"Excel", "UTF", "CSV", "Windows", "Ctrl", "decimal", "mark", "okmo", "register"}
    text = re.sub(r"«[^»\n]*(»|$)|'[^'\n]*('|$)", "", text, flags=re.MULTILINE)
    return set(re.findall(r"[A-Za-z]{3,}", text)) - allowed


def assert_clear(error, *expected: str) -> None:
    """The error in ru names what is expected; ru and ky carry no English words."""
    ru, ky = error.render("ru"), error.render("ky")
    for part in expected:
        assert part in ru, (part, ru)
    for text in (ru, ky):
        assert not english_words(text.replace(str(error.file), "")), text
        assert "\x1b" not in text


# --- item 1: a quote opened in a cell never swallows the lines below ---------------------------


def test_unclosed_quote_in_the_example_register_refuses_the_file(tmp_path, capsys):
    # the issue's case: row 3 001 of the 3 480 households has an address "ул. Манаса, 5 with
    # an opening quote only; the reader glued 339 households into one cell and wrote a variant
    lines = EXAMPLE.read_text(encoding="utf-8-sig").splitlines()
    cells = lines[3001].split(";")
    cells[3] = '"ул. Манаса, 5'
    lines[3001] = ";".join(cells)
    path = write_lines(tmp_path / "households.csv", lines)
    with pytest.raises(RegisterError) as info:
        read_households(path)
    assert_clear(info.value, "households.csv", "D3002", "строка 3002", "ул. Манаса, 5")
    assert "D3002" in info.value.render("ky") and "3002" in info.value.render("ky")
    assert main(["register", "households", str(path)]) == 2
    out, err = capsys.readouterr()
    assert "D3002" in err and out == ""


def test_two_stray_quotes_cannot_merge_the_rows_between_them(tmp_path):
    # an opening quote in row 5 and a closing one in row 9 make a "valid" cell of five lines
    lines = register_lines(10)
    lines[4] = '4;Х-4;Центр;"ул. Мира, 4;3;'
    lines[8] = '8;Х-8;Центр;ул. Мира, 8";3;'
    with pytest.raises(RegisterError) as info:
        read_households(write_lines(tmp_path / "r.csv", lines))
    assert_clear(info.value, "r.csv", "D5", "5–9")


def test_a_line_break_typed_in_an_excel_cell_is_read_and_shown(tmp_path, capsys):
    # Excel writes Alt+Enter inside a cell as a bare line feed in a file of CRLF lines: a real
    # multi-line cell, read as one cell as Excel shows it, and listed in the report
    lines = register_lines(4)
    lines[2] = '2;Х-2;Центр;"ул. Мира,\nдом 2";3;'
    path = write_lines(tmp_path / "r.csv", lines)
    register = read_households(path)
    assert [h.id for h in register.households] == ["Х-1", "Х-2", "Х-3", "Х-4"]
    assert register.file.rows_read == 4
    assert register.file.line_breaks == (("D3", 3, 4),)
    text = to_text(register, "ru")
    assert "D3" in text and "3–4" in text
    assert main(["register", "households", str(path), "--format", "json"]) == 0
    assert json.loads(capsys.readouterr().out)["cells_with_line_breaks"] == [{"cell": "D3", "lines": [3, 4]}]


def test_a_line_break_in_a_file_of_bare_line_feeds_is_refused(tmp_path):
    # with LF line ends a line break in a cell cannot be told from a missing quote
    lines = register_lines(4)
    lines[2] = '2;Х-2;Центр;"ул. Мира,\nдом 2";3;'
    with pytest.raises(RegisterError) as info:
        read_households(write_lines(tmp_path / "r.csv", lines, newline="\n"))
    assert_clear(info.value, "D3", "3–4")


def test_text_after_a_closing_quote_is_refused_not_glued(tmp_path):
    # "1"5 was read as 15 members
    lines = register_lines(3)
    lines[2] = '2;Х-2;Центр;ул. Мира;"1"5;'
    with pytest.raises(RegisterError) as info:
        read_households(write_lines(tmp_path / "r.csv", lines))
    assert_clear(info.value, "E3", '"1"5')


def test_budget_history_with_an_unclosed_quote_names_the_csv_cell(tmp_path):
    text = GOOD_CSV.replace("revenue;property_tax", '"revenue;property_tax', 1)
    with pytest.raises(ScenarioError) as info:
        load_budget(csv_budget(tmp_path, text))
    assert info.value.file.endswith("history.csv")
    assert [(p.key, p.path) for p in info.value.problems] == [("csv_quote_not_closed", ("A3",))]
    assert_clear(info.value, "A3", "строка 3")


# --- item 2: "5,575" and "1.500" read two ways: refused with both readings, or as declared --------

GOOD_CSV = (SCENARIOS / "kok-jar/history.csv").read_text(encoding="utf-8")


def csv_budget(tmp_path, csv_text, encoding="utf-8", **fields):
    data = yaml.safe_load((SCENARIOS / "kok-jar/budget.yaml").read_text(encoding="utf-8"))
    if fields.get("decimal_mark") == ",":  # the budget file's own "3.7 %" then reads "3,7 %"
        data = json.loads(re.sub(r'"(-?\d+)\.(\d+ ?%)"', r'"\1,\2"', json.dumps(data, ensure_ascii=False)))
    data.update(fields)
    (tmp_path / "history.csv").write_bytes(csv_text.encode(encoding))
    return write_yaml(tmp_path, data, "budget.yaml")


def with_cell(text: str, row: int, col: int, value: str) -> str:
    lines = text.splitlines()
    cells = lines[row - 1].split(";")
    cells[col] = value
    lines[row - 1] = ";".join(cells)
    return "\n".join(lines) + "\n"


def test_budget_history_ambiguous_number_shows_both_readings(tmp_path):
    text = with_cell(GOOD_CSV, 2, 4, "5,575")
    with pytest.raises(ScenarioError) as info:
        load_budget(csv_budget(tmp_path, text))
    (p,) = info.value.problems
    assert (p.key, p.path, p.value) == ("csv_ambiguous_number", ("E2",), "5,575")
    assert_clear(info.value, "ячейка E2", "5,575", "5\u00a0575")


@pytest.mark.parametrize("mark, expected", [(",", 5.575), (".", 5575.0)])
def test_budget_history_reads_the_decimal_mark_the_budget_file_declares(tmp_path, mark, expected):
    text = with_cell(GOOD_CSV, 2, 4, "5,575")
    if mark == ".":  # the file's other numbers then use a point too
        text = "\n".join(";".join(c.replace(",", ".") if i > 2 else c for i, c in enumerate(line.split(";")))
                         for line in text.splitlines()).replace("5.575", "5,575") + "\n"
    scenario = load_budget(csv_budget(tmp_path, text, decimal_mark=mark)).scenario
    assert scenario.revenue["land_tax"].values[1] == pytest.approx(expected)


def test_register_ambiguous_heads_show_both_readings_and_read_as_declared(tmp_path, capsys):
    path = write_lines(tmp_path / "l.csv", ["Владелец;Вид животных;Кол-во голов", "Асанов;Овцы;1.500",
                                            "Бекова;Козы;12"], encoding="cp1251")
    register = read_livestock(path)
    (row,) = register.unusable
    (p,) = row.problems
    assert (p.cell, p.value, p.context["decimal"], p.context["thousands"]) == ("C2", "1.500", "1,5", "1\u00a0500")
    from okmo_models.registers.report import problem_text

    for lang in ("ru", "ky"):
        text = problem_text(p, lang)
        assert "1,5" in text and "1\u00a0500" in text and "--decimal-mark" in text
        assert not english_words(text.replace("--decimal-mark", "")), text
    assert read_livestock(path, decimal_mark=",").holdings[0].heads == 1500
    assert read_livestock(path, decimal_mark=".").unusable[0].problems[0].key == "rg_heads_fractional"
    assert main(["register", "livestock", str(path), "--decimal-mark", ",", "--format", "json"]) == 0
    assert json.loads(capsys.readouterr().out)["volumes"]["heads"] == {"sheep": 1500, "goats": 12}
    for lang in ("ru", "ky", "en"):
        with pytest.raises(SystemExit):
            main(["register", "livestock", "--help", "--lang", lang])
        help_text = capsys.readouterr().out
        assert "--decimal-mark" in help_text and "--quiet" in help_text
    assert t("rg_cli_decimal_mark_help", "ky") != t("rg_cli_decimal_mark_help", "ru")


# --- item 11: bytes that are not text, huge cells, control characters: named, never exit 70 ----


def test_a_byte_neither_utf8_nor_windows_1251_names_the_line(tmp_path, capsys):
    # 0x98 is no letter in Windows-1251; the rest of the file is Windows-1251
    lines = register_lines(6)
    raw = ("\r\n".join(lines) + "\r\n").encode("cp1251").replace("Х-5;".encode("cp1251"), b"\xd5-5\x98;")
    path = tmp_path / "r.csv"
    path.write_bytes(raw)
    with pytest.raises(RegisterError) as info:
        read_households(path)
    assert_clear(info.value, "r.csv", "0x98", "строка 6", "Х-5")
    assert main(["register", "households", str(path), "--lang", "ky"]) == 2
    assert "0x98" in capsys.readouterr().err


def test_budget_history_byte_that_is_not_text(tmp_path):
    raw = GOOD_CSV.encode("utf-8").replace(b"budget_reports;153", b"budget_reports\x98;153")
    (tmp_path / "x").mkdir()
    path = csv_budget(tmp_path / "x", GOOD_CSV)
    (tmp_path / "x" / "history.csv").write_bytes(raw)
    with pytest.raises(ScenarioError) as info:
        load_budget(path)
    assert info.value.file.endswith("history.csv")
    assert [p.key for p in info.value.problems] == ["csv_not_text"]
    assert_clear(info.value, "0x98", "строка 3")


@pytest.mark.parametrize("size", [40_000, 131_073])
def test_a_cell_larger_than_excel_allows_is_named(tmp_path, capsys, size):
    lines = register_lines(6)
    lines[5] = f"5;Х-5;Центр;{'ж' * size};3;"
    path = write_lines(tmp_path / "r.csv", lines)
    with pytest.raises(RegisterError) as info:
        read_households(path)
    assert_clear(info.value, "D6", "строка 6", f"{size:,}".replace(",", "\u00a0"))
    assert len(info.value.render("ru")) < 1000  # the cell is not echoed
    assert main(["register", "households", str(path)]) == 2
    capsys.readouterr()


def test_budget_history_huge_cell_and_huge_number_name_the_csv_cell(tmp_path):
    with pytest.raises(ScenarioError) as info:
        load_budget(csv_budget(tmp_path, with_cell(GOOD_CSV, 3, 5, "9" * 131_073)))
    assert info.value.file.endswith("history.csv")
    assert [(p.key, p.path) for p in info.value.problems] == [("csv_cell_too_long", ("F3",))]
    assert len(info.value.render("ru")) < 1000
    # a number of 400 digits is infinite as a float: the CSV cell is named, not the YAML line
    with pytest.raises(ScenarioError) as info:
        load_budget(csv_budget(tmp_path, with_cell(GOOD_CSV, 2, 4, "9" * 400)))
    assert info.value.file.endswith("history.csv")
    assert [(p.key, p.path) for p in info.value.problems] == [("number_not_plausible", ("E2",))]
    assert len(info.value.render("ru")) < 1000


@pytest.mark.parametrize("year", ["2016,5", "9" * 400])
def test_budget_history_year_that_is_not_a_whole_year(tmp_path, year):
    with pytest.raises(ScenarioError) as info:
        load_budget(csv_budget(tmp_path, GOOD_CSV.replace("2016", year, 1)))
    assert info.value.file.endswith("history.csv")
    assert ("csv_year", ("D1",)) in [(p.key, p.path) for p in info.value.problems]


def test_control_characters_in_a_register_never_reach_the_screen_or_files(tmp_path, capsys):
    lines = register_lines(4)
    lines[2] = "2;Х-2;Цен\x1b[31mтр;ул. Мира;3;"
    path = write_lines(tmp_path / "r.csv", lines)
    register = read_households(path)
    assert [h.id for h in register.households] == ["Х-1", "Х-3", "Х-4"]
    (row,) = register.unusable
    (p,) = row.problems
    assert (p.key, p.cell, p.context["code"]) == ("rg_control_char", "C3", "0x1B")
    for fmt in ("table", "json", "csv"):
        for lang in ("ru", "ky"):
            assert main(["register", "households", str(path), "--format", fmt, "--lang", lang]) == 0
            out, err = capsys.readouterr()
            assert "\x1b" not in out + err and "C3" in out
    assert main(["register", "households", str(path), "--settlement", "Центр"]) == 0
    out, err = capsys.readouterr()
    assert "\x1b" not in out + err


def test_a_control_character_in_a_heading_refuses_the_file(tmp_path):
    lines = register_lines(2)
    lines[0] = lines[0].replace("Адрес", "Ад\x07рес")
    with pytest.raises(RegisterError) as info:
        read_households(write_lines(tmp_path / "r.csv", lines))
    assert_clear(info.value, "D1", "0x07")


def test_budget_history_control_character_is_named(tmp_path):
    text = GOOD_CSV.replace("budget_reports", "budget\x1b[2Jreports", 1)
    with pytest.raises(ScenarioError) as info:
        load_budget(csv_budget(tmp_path, text))
    assert [(p.key, p.path) for p in info.value.problems] == [("csv_control_char", ("C2",))]
    assert_clear(info.value, "C2", "0x1B")


def test_a_register_that_is_not_a_regular_file_is_refused_at_once(tmp_path):
    import os
    import signal

    os.mkfifo(tmp_path / "pipe.csv")  # reading it would wait for ever

    def hung(*_):
        raise AssertionError("the reader waited on a pipe")

    signal.signal(signal.SIGALRM, hung)
    signal.alarm(5)
    try:
        with pytest.raises(RegisterError) as info:
            read_households(tmp_path / "pipe.csv")
    finally:
        signal.alarm(0)
    assert_clear(info.value, "pipe.csv")


# --- item 14: progress on a terminal, never in a pipe or with --quiet -------------------------


class _Terminal(io.StringIO):
    def isatty(self):
        return True


def test_register_progress_is_drawn_on_a_terminal_in_the_readers_language(tmp_path, monkeypatch):
    from okmo_models import progress

    path = write_lines(tmp_path / "r.csv", register_lines(3000))
    monkeypatch.setattr(progress, "SHOW_AFTER", 0.0)
    monkeypatch.setenv("OKMO_QUIET", "0")  # restored afterwards, whatever --quiet sets
    screen = _Terminal()
    monkeypatch.setattr("sys.stderr", screen)
    assert main(["register", "households", str(path), "--lang", "ky", "--format", "json"]) == 0
    assert t("progress_register", "ky") in screen.getvalue() and "3000" in screen.getvalue()
    screen = _Terminal()
    monkeypatch.setattr("sys.stderr", screen)
    assert main(["register", "households", str(path), "--quiet", "--format", "json"]) == 0
    assert t("progress_register", "ru") not in screen.getvalue()
    monkeypatch.setenv("OKMO_QUIET", "0")
    monkeypatch.setattr("sys.stderr", io.StringIO())  # a pipe: nothing drawn
    assert main(["register", "households", str(path), "--format", "json"]) == 0


def test_big_register_counts_every_row(tmp_path):
    register = read_households(write_lines(tmp_path / "r.csv", register_lines(20_000)))
    assert register.file.rows_read == register.file.rows_used == 20_000
    assert household_volumes(register).persons == 60_000


# --- every message in Russian and Kyrgyz, and the reader's promise under random input ----------


def test_new_messages_have_no_english_words():
    messages = yaml.safe_load((SCENARIOS.parent / "okmo_models/locales/input_csv.yaml").read_text(encoding="utf-8"))
    for key, entry in messages.items():
        assert set(entry) == {"ru", "ky", "en"}, key
        for lang in ("ru", "ky"):
            text = re.sub(r"\{\w+\}", "", entry[lang].replace("--decimal-mark", "").replace("decimal_mark", ""))
            assert not english_words(text), (key, lang, english_words(text))


_CELL = st.lists(st.sampled_from(["a", "б", "1", " ", ";", '"', "\n", "\r", "\r\n"]), max_size=6).map("".join)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.lists(_CELL, min_size=1, max_size=4), min_size=1, max_size=6), st.booleans())
def test_a_table_is_read_one_row_per_line_or_refused(rows, breaks_allowed):
    """Whatever the quotes and line breaks: every line is a row (or is reported as part of a
    multi-line cell), or the table is refused with its line, never merged in silence."""
    text = "\r\n".join(";".join(row) for row in rows) + "\r\n"
    try:
        table = read_table(text, ";", line_breaks_in_cells=breaks_allowed)
    except TableTextError as exc:
        assert exc.line is not None and 1 <= exc.line <= _line_count(text)
        return
    spanned = sum(last - first for _, first, last in table.line_breaks)
    assert len(table.rows) + spanned == _line_count(text)
    assert breaks_allowed or not table.line_breaks


def test_a_problem_found_in_history_values_after_merging_names_the_csv_cell(tmp_path):
    # a totals row that does not add up was blamed on a line of budget.yaml; load_budget
    # names the CSV cell (the totals row is row 15, 2016 is column D)
    from okmo_models.budget.forecast import load_budget

    text = GOOD_CSV + "total;revenue;budget_reports;" + ";".join(["1"] * 10) + "\n"
    path = csv_budget(tmp_path, text)
    with pytest.raises(ScenarioError) as info:
        load_budget(path)
    located = info.value
    assert located.file.endswith("history.csv")
    assert [(p.key, p.path) for p in located.problems][:2] == [("history_total_mismatch", ("D15",)),
                                                               ("history_total_mismatch", ("E15",))]
    assert "ячейка D15" in located.render("ru")
    # a problem of the budget file itself stays there
    path = csv_budget(tmp_path, text, cpi_source="nowhere")
    with pytest.raises(ScenarioError) as info:
        load_budget(path)
    assert info.value.file == str(path)
    assert "cpi_source" in [p.path[0] for p in info.value.problems]


def test_a_count_of_thousands_of_digits_is_implausible_not_an_internal_error():
    # the fast path for "4" took int() of 5 000 nines: Python refuses over 4 300 digits (exit 70)
    from okmo_models.registers.table import count_in

    assert count_in("9" * 5000, 30) == (None, "implausible", {})
    assert count_in("45", 30) == (None, "implausible", {})
    assert count_in("4", 30) == (4, None, {})

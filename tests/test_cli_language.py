"""The command line speaks the reader's language (issue 16): argparse's own words and errors,
the placeholders of arguments, and codes that may be typed as Russian or Kyrgyz words."""

from __future__ import annotations

import pytest

from okmo_models.cli import argparse_in, build_parser, main


def parsed(*argv, lang="ru"):
    with argparse_in(lang):
        return build_parser(lang).parse_args(list(argv))


def help_of(capsys, *argv) -> str:
    with pytest.raises(SystemExit):
        main([*argv, "--help"])
    return capsys.readouterr().out


def test_help_in_russian_and_kyrgyz(capsys):
    ru = help_of(capsys, "--lang", "ru", "tariff")
    assert ru.startswith("использование: okmo тариф") and "\nаргументы:" in ru and "\nключи:" in ru
    assert "показать эту справку и выйти" in ru and "СЦЕНАРИЙ" in ru and "--output ФАЙЛ" in ru
    assert "{таблица,json,csv,xlsx}" in ru
    ky = help_of(capsys, "--lang", "ky", "template")
    assert ky.startswith("колдонуу: okmo үлгү") and "ушул жардамды көрсөтүп, чыгуу" in ky and "[ТҮРҮ]" in ky
    en = help_of(capsys, "--lang", "en", "tariff")
    assert en.startswith("usage: okmo tariff") and "SCENARIO" in en and "{table,json,csv,xlsx}" in en


def test_commands_are_listed_in_the_reader_s_words(capsys):
    ru = help_of(capsys, "--lang", "ru")
    assert "    тариф " in ru and "    параметры " in ru and "КОМАНДА" in ru and "tariff" not in ru
    assert "    домохозяйства " in help_of(capsys, "--lang", "ru", "register")
    assert "    мал " in help_of(capsys, "--lang", "ky", "register")


def test_errors_in_the_reader_s_language(capsys):
    with pytest.raises(SystemExit) as exit_:
        main(["--lang", "ru", "tariff"])
    assert exit_.value.code == 2
    assert "okmo тариф: ошибка: не указаны обязательные аргументы: СЦЕНАРИЙ" in capsys.readouterr().err
    with pytest.raises(SystemExit):
        main(["--lang", "ky", "tariff", "x.yaml", "--format", "word"])
    err = capsys.readouterr().err
    assert "ката:" in err and "«word» — мындай маани жок; болот: таблица, json, csv, xlsx" in err
    with pytest.raises(SystemExit):
        main(["--lang", "ru", "tariff", "x.yaml", "--output"])
    assert "аргумент --output/-o: нужно указать одно значение" in capsys.readouterr().err
    with pytest.raises(SystemExit):
        main(["--lang", "ru", "тарифф"])
    assert "недопустимое значение «тарифф»" in capsys.readouterr().err


@pytest.mark.parametrize("argv, expected", [
    (("template", "тариф"), {"command": "template", "kind": "tariff"}),
    (("шаблон", "программа"), {"command": "template", "kind": "programme"}),
    (("үлгү", "бюджет"), {"command": "template", "kind": "budget"}),
    (("отчет", "x.yaml"), {"command": "report"}),
    (("тариф", "x.yaml", "--format", "таблица"), {"command": "tariff", "kind": "tariff", "format": "table"}),
    (("tariff", "x.yaml", "--format", "Таблица"), {"format": "table"}),
    (("tariff", "x.yaml", "--format", "json"), {"format": "json"}),
    (("схема",), {"command": "schema", "kind": "tariff"}),
    (("реестр", "мал", "f.csv"), {"command": "register", "register_kind": "livestock"}),
    (("register", "домохозяйства", "f.csv", "--format", "таблица"), {"register_kind": "households", "format": "table"}),
])
def test_codes_may_be_typed_as_words(argv, expected):
    """``okmo template тариф``, ``--format таблица``: the program still receives the codes."""
    args = vars(parsed(*argv))
    assert {k: args[k] for k in expected} == expected


def test_parameters_listing_is_readable(capsys):
    assert main(["--lang", "ru", "parameters"]) == 0
    out = capsys.readouterr().out
    assert "Ставка налога на добавленную стоимость (НДС)\n    Действует с 01.01.2009: 12 %" in out
    assert "3\u00a0052 сом на человека в месяц, доля населения 20 %" in out
    assert "– Питьевое водоснабжение" in out and "от 1 до 3" in out and "10 лет" in out
    assert "{'" not in out and "income_per_capita" not in out
    assert main(["--lang", "ky", "parameters"]) == 0
    out = capsys.readouterr().out
    assert "Булагы: Кыргыз Республикасынын Социалдык фонду" in out and "10 жыл" in out


def test_argparse_has_its_own_words_again_after_the_block():
    import argparse

    own = argparse._, argparse.ngettext
    with pytest.raises(KeyError), argparse_in("ru"):
        assert argparse._("usage: ") != "usage: "
        raise KeyError  # the block failed: argparse's own words all the same
    assert (argparse._, argparse.ngettext) == own


def test_quiet_is_set_only_while_the_command_runs(monkeypatch, tmp_path):
    import os

    monkeypatch.delenv("OKMO_QUIET", raising=False)
    main(["check", "scenarios/teploklyuchenka/waste.yaml", "--quiet"])
    assert "OKMO_QUIET" not in os.environ

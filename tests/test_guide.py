"""The user guides (docs/guide/ru.md, ky.md) speak the reader's language and show commands
that the program accepts as written (issue 16)."""

from __future__ import annotations

import re
import shlex
from pathlib import Path

import pytest

from okmo_models.cli import argparse_in, build_parser
from reader_language import foreign_words

GUIDE = Path(__file__).resolve().parents[1] / "docs" / "guide"


def code_and_prose(text: str) -> tuple[list[str], str]:
    """The command lines of the fenced blocks, and the prose without code and links' targets."""
    blocks = re.findall(r"```[^\n]*\n(.*?)```", text, flags=re.S)
    commands = [line.split("#")[0].strip() for block in blocks for line in block.splitlines()
                if line.strip().startswith("okmo ")]
    prose = re.sub(r"```.*?```", " ", text, flags=re.S)
    prose = re.sub(r"`[^`]*`", " ", prose)  # inline code: what to type
    prose = re.sub(r"\]\([^)]*\)", "]", prose)  # a link's target
    return commands, prose


@pytest.mark.parametrize("lang", ("ru", "ky"))
def test_the_guide_is_in_the_readers_language(lang):
    _, prose = code_and_prose((GUIDE / f"{lang}.md").read_text(encoding="utf-8"))
    foreign = foreign_words(prose)
    assert not foreign, dict(foreign)


@pytest.mark.parametrize("lang", ("ru", "ky"))
def test_every_command_in_the_guide_is_accepted(lang):
    commands, _ = code_and_prose((GUIDE / f"{lang}.md").read_text(encoding="utf-8"))
    assert len(commands) >= 20
    for command in commands:
        with argparse_in(lang):
            args = build_parser(lang).parse_args(shlex.split(command)[1:])
        assert callable(args.handler), command

"""Docstring examples are part of the documentation a consultant reads: they must be true.

Issue 13: `convert_unit_tariff`'s example said 408.25 x 0.1188 = 48.4901 (it is 48.5001)
and nothing ran it. Every module of the package with a ``>>>`` example is run here.
"""

import doctest
import importlib
from pathlib import Path

import pytest

import okmo_models

ROOT = Path(okmo_models.__file__).parent
MODULES = sorted(
    ".".join(("okmo_models",) + p.relative_to(ROOT).with_suffix("").parts).removesuffix(".__init__")
    for p in ROOT.rglob("*.py") if ">>>" in p.read_text("utf-8"))


def test_modules_with_examples_are_found():
    assert "okmo_models.tariff.formulas" in MODULES and "okmo_models.units" in MODULES


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples(name):
    result = doctest.testmod(importlib.import_module(name), optionflags=doctest.NORMALIZE_WHITESPACE)
    assert result.attempted > 0
    assert result.failed == 0

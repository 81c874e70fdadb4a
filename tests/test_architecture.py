"""The architecture holds: layers point down, no import cycles, no private names imported
across packages, every kind of plan file goes through the registry (docs/architecture.md)."""

from __future__ import annotations

import ast
import importlib
import subprocess
import sys
from pathlib import Path

import pytest

from okmo_models.kinds import FORMATS, KINDS, kind_of
from okmo_models.i18n import has

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "okmo_models"


def test_import_contracts_are_kept():
    """`lint-imports` (import-linter) checks the contracts in pyproject.toml: the layers, no
    cycle inside any package, the facade never imported inside the package."""
    run = subprocess.run([sys.executable, "-c", "from importlinter.cli import lint_imports_command; "
                          "lint_imports_command()"], cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert run.returncode == 0, run.stdout[-4000:] + run.stderr[-2000:]
    assert "0 broken" in run.stdout


def _package_of(module: str) -> str:
    return ".".join(module.split(".")[:2])


def private_imports(root: Path = PACKAGE) -> list[str]:
    """``from okmo_models.x import _name`` where x is another top-level package or module,
    and ``module._name`` read through an imported okmo_models module."""
    found = []
    for path in sorted(root.rglob("*.py")):
        module = ".".join(path.relative_to(root.parent).with_suffix("").parts).removesuffix(".__init__")
        tree = ast.parse(path.read_text("utf-8"))
        modules = {}  # local name -> okmo_models module it names
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("okmo_models"):
                for alias in node.names:
                    if (alias.name.startswith("_") and not alias.name.startswith("__")
                            and _package_of(node.module) != _package_of(module)):
                        found.append(f"{path.relative_to(root.parent)}:{node.lineno} imports {node.module}.{alias.name}")
                    modules[alias.asname or alias.name] = f"{node.module}.{alias.name}"
            elif isinstance(node, ast.Import):
                for alias in node.names:
                    if alias.name.startswith("okmo_models"):
                        modules[alias.asname or alias.name] = alias.name
        for node in ast.walk(tree):
            if (isinstance(node, ast.Attribute) and node.attr.startswith("_") and not node.attr.startswith("__")
                    and isinstance(node.value, ast.Name) and node.value.id in modules
                    and _package_of(modules[node.value.id]) != _package_of(module)):
                found.append(f"{path.relative_to(root.parent)}:{node.lineno} reads {node.value.id}.{node.attr}")
    return found


def test_no_private_name_is_imported_across_packages():
    assert private_imports() == []


def test_the_private_import_check_finds_one(tmp_path):
    """The check above can fail: another package's private name imported or read is found,
    a private name of the module's own package is not."""
    pkg = tmp_path / "okmo_models"
    (pkg / "a").mkdir(parents=True)
    (pkg / "a" / "x.py").write_text("from okmo_models.b.y import _hidden\n"
                                    "from okmo_models.a.w import _own\n"
                                    "import okmo_models.c as c\n"
                                    "c._z\n")
    assert private_imports(pkg) == ["okmo_models/a/x.py:1 imports okmo_models.b.y._hidden",
                                    "okmo_models/a/x.py:4 reads c._z"]


@pytest.mark.parametrize("name", list(KINDS))
def test_every_kind_names_what_serves_it(name):
    """Every output a kind names exists: its schema and rules, an export for every format,
    its report sections (with the one report interface), its dashboard, its papers, its examples."""
    kind = KINDS[name]
    assert kind.name == name
    kind.output(kind.schema), kind.output(kind.rules)
    assert set(kind.exports) == set(FORMATS)
    for fmt in FORMATS:
        assert callable(kind.output(kind.exports[fmt])), fmt
    sections = importlib.import_module(kind.report)
    for part in ("outline", "contents"):
        assert callable(getattr(sections, part)), (kind.report, part)
    assert (PACKAGE / "report" / f"{name}_report.ipynb").is_file()
    # a passport or an economic base has no dashboard: it is shown in its folder's overview;
    # the kenesh adopts no paper of those or of the monthly review
    assert (kind.dashboard is None) == (name in ("passport", "economic_base"))
    assert (kind.papers is None) == (name in ("passport", "economic_base", "monitoring"))
    if kind.dashboard is not None:
        assert isinstance(kind.output(kind.dashboard), type)
    if kind.papers is not None:
        papers = importlib.import_module(kind.papers).Papers
        assert callable(papers.subject) and callable(papers.papers) and has(papers.report_key)
    from okmo_models.examples import example_path

    assert kind.examples and all(kind_of(example_path(e)) is kind for e in kind.examples)


def test_the_architecture_page_lists_every_module_in_its_layer():
    """docs/architecture.md's layer table names the same modules, in the same order of
    layers, as the import-linter contract that CI checks."""
    import re

    try:
        import tomllib
    except ModuleNotFoundError:  # Python 3.10
        import tomli as tomllib

    layers = tomllib.loads((ROOT / "pyproject.toml").read_text("utf-8"))["tool"]["importlinter"]["contracts"][0]["layers"]
    contract = [sorted(re.split(r"\s*[:|]\s*", layer)) for layer in layers]
    page = (ROOT / "docs" / "architecture.md").read_text("utf-8")
    table = page[page.index("| layer | modules |"):page.index("Inside the tariff package")]
    documented = [sorted(re.findall(r"`(\w+)`", row.split("|")[2])) for row in table.splitlines()[2:] if row.strip()]
    assert sorted(m for layer in documented for m in layer) == sorted(m for layer in contract for m in layer)
    # each row of the page holds whole layers of the contract, top to bottom
    flat = [m for layer in contract for m in layer]
    rows = [[flat.index(m) for m in row] for row in documented]
    assert all(max(a) < min(b) for a, b in zip(rows, rows[1:])), documented

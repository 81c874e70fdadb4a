"""Notebooks are paired with py:percent files, only import and display, and run clean."""

import ast
from pathlib import Path

import jupytext
import nbformat
import pytest
from nbclient import NotebookClient

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.py"))
# Report and hearing notebooks live in the package (okmo report / okmo hearing run them; their
# own tests execute them); they are paired and logic-free like the others.
PACKAGED = sorted(p.with_suffix(".py") for p in (ROOT / "okmo_models").rglob("*.ipynb")
                  if ".ipynb_checkpoints" not in p.parts)
PAIRED = NOTEBOOKS + PACKAGED


# The economist's notebooks that end with the hearing dashboard's live controls (issue 17).
WHAT_IF = {"02_tariff_policy", "10_budget_forecast", "20_programme_scenarios"}


def code_cells(nb):
    return [c.source for c in nb.cells if c.cell_type == "code"]


def test_there_are_notebooks():
    assert NOTEBOOKS


@pytest.mark.parametrize("script", PAIRED, ids=lambda p: p.stem)
def test_pair_is_in_sync(script):
    ipynb = script.with_suffix(".ipynb")
    assert ipynb.exists(), f"run: jupytext --sync {script.name}"
    assert code_cells(jupytext.read(script)) == code_cells(nbformat.read(ipynb, as_version=4)), \
        f"{ipynb.name} and {script.name} differ: run jupytext --sync"


@pytest.mark.parametrize("script", PAIRED, ids=lambda p: p.stem)
def test_notebook_only_imports_and_displays(script):
    for source in code_cells(jupytext.read(script)):
        tree = ast.parse(source.replace("%matplotlib", "# %matplotlib"))
        for node in ast.walk(tree):
            assert not isinstance(node, (ast.FunctionDef, ast.ClassDef, ast.Lambda,
                                         ast.For, ast.While)), \
                f"{script.name}: logic belongs in okmo_models, not in a notebook"


@pytest.mark.parametrize("script", NOTEBOOKS, ids=lambda p: p.stem)
def test_notebook_executes_without_errors_or_warnings(script):
    nb = jupytext.read(script)
    NotebookClient(nb, timeout=300, kernel_name="python3",
                   resources={"metadata": {"path": str(script.parent)}}).execute()
    for cell in nb.cells:
        for out in cell.get("outputs", []):
            assert out.output_type != "error", out
            assert not (out.output_type == "stream" and out.name == "stderr"), out.text
    images = [o for c in nb.cells for o in c.get("outputs", []) if "image/png" in o.get("data", {})]
    assert images, "every notebook shows at least one chart"
    if script.stem in WHAT_IF:  # the hearing's live controls, shown for the notebook's own file
        widgets = [o for c in nb.cells for o in c.get("outputs", [])
                   if "application/vnd.jupyter.widget-view+json" in o.get("data", {})]
        assert widgets, f"{script.name} shows no live controls"

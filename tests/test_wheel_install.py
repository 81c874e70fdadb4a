"""The package as a user installs it: a wheel in a fresh environment, run away from the repository.

Examples read from the repository's folders work in a checkout and silently vanish from an
installed wheel (issue 15): the template must carry its example rows from the wheel alone.
"""

import os
import shutil
import subprocess
import sys
import sysconfig
from pathlib import Path

import openpyxl

from conftest import ROOT


def _site_packages(venv: Path) -> Path:
    purelib = subprocess.run([str(venv / "bin" / "python"), "-c", "import sysconfig; print(sysconfig.get_path('purelib'))"],
                             capture_output=True, text=True, check=True).stdout.strip()
    return Path(purelib)


def test_template_from_an_installed_wheel_has_the_examples(tmp_path):
    # Build from a copy of the sources, so that the build's own folders stay out of the work tree.
    source = tmp_path / "source"
    source.mkdir()
    for name in ("pyproject.toml", "README.md"):
        shutil.copy(ROOT / name, source / name)
    shutil.copytree(ROOT / "okmo_models", source / "okmo_models",
                    ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
    dist = tmp_path / "dist"
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--quiet", str(source), "-w", str(dist)],
                   check=True, capture_output=True, text=True)
    (wheel,) = dist.glob("okmo_models-*.whl")

    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True)
    subprocess.run([sys.executable, "-m", "pip", "--python", str(venv / "bin" / "python"), "install",
                    "--no-deps", "--no-index", "--quiet", str(wheel)], check=True, capture_output=True, text=True)
    # The dependencies (numpy, pandas, pydantic, openpyxl...) come from this environment's
    # packages, listed after the wheel's own: a path in a .pth file is searched, its own .pth
    # files (the repository's editable install) are not run.
    (_site_packages(venv) / "okmo_dependencies.pth").write_text(sysconfig.get_path("purelib") + "\n")

    away = tmp_path / "away"  # neither the repository nor its scenarios/ folder is near
    away.mkdir()
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "PYTHONHOME", "VIRTUAL_ENV")}
    imported = subprocess.run([str(venv / "bin" / "python"), "-c", "import okmo_models; print(okmo_models.__file__)"],
                              cwd=away, env=env, capture_output=True, text=True, check=True).stdout.strip()
    assert Path(imported).is_relative_to(venv), imported  # the wheel's package, not the checkout's

    run = subprocess.run([str(venv / "bin" / "okmo"), "template", "tariff", "-o", "tariff.xlsx", "--lang", "ru"],
                         cwd=away, env=env, capture_output=True, text=True)
    assert run.returncode == 0, run.stderr

    sheet = openpyxl.load_workbook(away / "tariff.xlsx").worksheets[0]
    examples = {row[0]: row[3] for row in sheet.iter_rows(values_only=True) if row and row[0]}
    # the example column is filled from the bundled scenarios/teploklyuchenka/waste.yaml
    assert examples.get("municipality.name.ru") == "Теплоключенский айыл окмоту"


def test_the_examples_live_in_the_package_and_scenarios_links_there():
    """One copy of each example: the package's; the README's scenarios/ is a link to it."""
    from okmo_models.examples import example_path
    from okmo_models.kinds import KINDS

    assert all(example_path(name).is_file() for kind in KINDS.values() for name in kind.examples)
    assert (ROOT / "scenarios").is_symlink()
    assert (ROOT / "scenarios").resolve() == example_path(".").resolve()

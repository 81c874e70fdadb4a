"""The example files shipped with the package: tariffs of three aiyl okmotu, two budgets, a programme
(which files are examples of which kind: :mod:`okmo_models.kinds`).

They live here, inside the package, so that an installed wheel has them (the Excel
template's example column, the dashboards' default file); the repository's ``scenarios/``
folder is a link to this one, so the README's commands read the same files.  A scenario
names its neighbours by relative path (``history: history.csv``), so the examples are
read where they are installed, as plain files.
"""

from __future__ import annotations

from importlib import resources
from pathlib import Path

def example_path(relative: str) -> Path:
    """The installed file of the example ``relative`` to this folder, e.g. ``"kok-jar/budget.yaml"``.

    >>> example_path("kok-jar/budget.yaml").is_file()
    True
    """
    # A regular package installed as files (a wheel is unpacked), so its folder is a real path.
    return Path(str(resources.files(__name__).joinpath(relative)))

"""Which hearing dashboard serves a file: the one of the file's kind.

The kind is read as every command reads it (:func:`okmo_models.kinds.kind_of`, a variant
follows its baseline); the registry names each dashboard class as ``"module:class"``,
imported only for the file shown, so the three dashboards never import each other. A
municipality folder is not a kind: it gets the overview (``overview_dashboard``).
"""

from __future__ import annotations

import os
from pathlib import Path

from okmo_models.i18n import default_language
from okmo_models.kinds import KINDS, kind_of


def dashboard_for(path: str | Path, lang: str = "ru"):
    """The hearing dashboard of ``path``'s kind (tariff, budget or programme), in ``lang``;
    a folder (a municipality's plans together) gets the municipality overview."""
    if Path(path).is_dir():
        from okmo_models.hearing.overview_dashboard import OverviewDashboard

        return OverviewDashboard(path, lang)
    kind = kind_of(path)
    return kind.output(kind.dashboard)(path, lang)


def hearing_dashboard_from_environment():
    """The dashboard for the file `okmo hearing` passed in OKMO_HEARING_SCENARIO (else a
    bundled example), in the language of OKMO_LANG."""
    path = os.environ.get("OKMO_HEARING_SCENARIO")
    if not path:
        from okmo_models.examples import example_path

        path = example_path(KINDS["tariff"].examples[0])  # `okmo hearing` named no file
    return dashboard_for(path, default_language())

"""The fuzz layer: generated inputs for every command a user runs, valid and broken.

``strategies`` makes the files (scenario, budget and programme YAML, history and register
CSV, workbooks), ``run`` runs ``okmo`` on them in a forked process under a time and a memory
bound and checks what the user would see. ``tests/test_fuzz.py`` holds the properties;
``scripts/fuzz.py`` runs them for longer.

Two hypothesis profiles, chosen by ``OKMO_FUZZ_PROFILE``: ``ci`` (the default: few examples,
derandomized, so a CI run is reproducible) and ``long`` (many random examples). Neither
writes an example database into the project.
"""

from __future__ import annotations

import os

from hypothesis import HealthCheck, Phase, Verbosity, settings

_COMMON = {"database": None, "deadline": None, "print_blob": False,
           "suppress_health_check": [HealthCheck.too_slow, HealthCheck.data_too_large,
                                     HealthCheck.filter_too_much, HealthCheck.large_base_example]}
# No shrinking: with a 20 s time limit, shrinking a hang takes many minutes, and a case's notes
# already say what was changed.
_COMMON["phases"] = [Phase.explicit, Phase.generate]
settings.register_profile("ci", max_examples=20, derandomize=True, **_COMMON)
# Rounds of 20 random examples; scripts/fuzz.py runs round after round and prints each finding.
settings.register_profile("long", max_examples=20, derandomize=False, verbosity=Verbosity.quiet, **_COMMON)


PROFILE = os.environ.get("OKMO_FUZZ_PROFILE", "ci")


def fuzz_settings(scale: float = 1.0) -> settings:
    """The settings of the active profile; ``scale`` gives a slow property fewer examples."""
    profile = settings.get_profile(PROFILE)
    return settings(profile, max_examples=max(1, round(profile.max_examples * scale)))

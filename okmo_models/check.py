"""Checking a file of any kind as ``okmo check`` does: read, validate and compute it."""

from __future__ import annotations

from pathlib import Path


def check_file(path: str | Path) -> None:
    """Read, validate and compute a tariff, budget or programme file (or a variant of one);
    raise the first :class:`~okmo_models.errors.OkmoError` found. Computing matters: a budget
    change that takes a line below zero, or programme rules no portfolio can meet, only show
    then."""
    from okmo_models.budget.forecast import BudgetModel, load_budget
    from okmo_models.programme.result import evaluate
    from okmo_models.scenario.loader import file_kind, load_scenario
    from okmo_models.tariff import TariffModel

    kind = file_kind(path)
    if kind == "budget":
        scenario, _ = load_budget(path)
        model = BudgetModel(scenario)
        for variant in (None, *scenario.scenarios):
            model.fit(variant)
    elif kind == "programme":
        evaluate(path)
    else:
        TariffModel(load_scenario(path))

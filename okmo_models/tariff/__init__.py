"""The tariff engine, in layers that only point down: ``formulas`` (pure functions) <-
``model`` (a scenario compiled to arrays) <- ``policy`` (affordability, discounts, the path
to cost recovery) <- ``result`` (the immutable result) <- ``export`` (text, csv, json)."""

from __future__ import annotations

from pathlib import Path

from okmo_models.tariff.model import TariffModel
from okmo_models.tariff.result import TariffResult, build_result


def calculate_tariff(scenario) -> TariffResult:
    """Calculate the tariffs of a scenario given as a path, a ScenarioFile, a Scenario or an
    already compiled :class:`TariffModel`."""
    from okmo_models.scenario.loader import load_scenario

    if isinstance(scenario, (str, Path)):
        scenario = load_scenario(scenario)
    model = scenario if isinstance(scenario, TariffModel) else TariffModel(scenario)
    return build_result(model, model.evaluate())


__all__ = ["TariffModel", "TariffResult", "calculate_tariff"]

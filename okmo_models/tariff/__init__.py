"""The tariff engine: formulas, the compiled model and its immutable result."""

from __future__ import annotations

from pathlib import Path

from okmo_models.tariff.model import TariffModel
from okmo_models.tariff.result import TariffResult


def calculate_tariff(scenario) -> TariffResult:
    """Calculate the tariffs of a scenario given as a path, a ScenarioFile or a Scenario."""
    from okmo_models.scenario.loader import load_scenario

    if isinstance(scenario, (str, Path)):
        scenario = load_scenario(scenario)
    return TariffModel(scenario).result()


__all__ = ["TariffModel", "TariffResult", "calculate_tariff"]

"""okmo-models: tariffs, budgets and development programmes for local self-government.

The Python API, one call per kind of plan file::

    from okmo_models import calculate_tariff, forecast_budget, evaluate_programme
    result = calculate_tariff("scenarios/teploklyuchenka/waste.yaml")
    result.cost_table(), result.tariff_table(), result.to_dict()

Each name is imported on first use (PEP 562), so that ``okmo`` and any submodule start
without loading every product line.
"""

import importlib

from okmo_models.version import __version__

# public name -> the module that defines it
_API = {
    "OkmoError": "okmo_models.errors", "ScenarioError": "okmo_models.errors",
    "ScenarioFile": "okmo_models.scenario.loader", "load_scenario": "okmo_models.scenario.loader",
    "TariffModel": "okmo_models.tariff", "TariffResult": "okmo_models.tariff",
    "calculate_tariff": "okmo_models.tariff",
    "forecast_budget": "okmo_models.budget.forecast", "evaluate_programme": "okmo_models.programme",
    "check_file": "okmo_models.kinds", "kind_of": "okmo_models.kinds",
    "dashboard_for": "okmo_models.hearing.choose",  # the hearing's live controls, in a notebook too
}

__all__ = [*_API, "__version__"]


def __getattr__(name: str):
    if name not in _API:
        raise AttributeError(f"module 'okmo_models' has no attribute {name!r}")
    return getattr(importlib.import_module(_API[name]), name)


def __dir__():
    return __all__

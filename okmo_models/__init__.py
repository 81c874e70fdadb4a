"""okmo-models: tariffs, budgets and development programmes for local self-government.

The Python API in three lines::

    from okmo_models import load_scenario, calculate_tariff
    result = calculate_tariff("scenarios/teploklyuchenka/waste.yaml")
    result.cost_table(), result.tariff_table(), result.to_dict()
"""

from okmo_models.version import __version__  # noqa: E402

from okmo_models.errors import OkmoError, ScenarioError  # noqa: E402
from okmo_models.scenario.loader import ScenarioFile, load_scenario  # noqa: E402
from okmo_models.tariff import TariffModel, TariffResult, calculate_tariff  # noqa: E402

__all__ = [
    "OkmoError", "ScenarioError", "ScenarioFile", "TariffModel", "TariffResult",
    "calculate_tariff", "load_scenario", "__version__",
]

"""The economic base of a municipality (экономическая база): ``schema`` (the file), ``checks``
(its whole-file rules), ``model`` (counts by year, forecast, pasture load, accrued revenue),
``result`` (the evaluation, with :func:`evaluate_economic_base`, the one call) and ``export``
(text, csv, json). A budget forecasts a revenue line from it (:mod:`okmo_models.budget.bases`)."""

from okmo_models.economic_base.result import EconomicBaseResult, evaluate_economic_base

__all__ = ["EconomicBaseResult", "evaluate_economic_base"]

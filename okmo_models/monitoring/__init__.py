"""Monitoring (``kind: monitoring``, docs/monitoring.md): ``schema`` (the file), ``checks``
(its whole-file rules), ``plans`` (each indicator's plan for the year from the plan files),
``tables_in`` (the actuals and instructions tables, CSV or Excel), ``indicators`` (progress,
year-end forecast, traffic light), ``instructions`` (what the meeting hears), ``surveys``
(satisfaction, its margin of error, whether a change is more than noise), ``model`` (the file
read with all it names), ``result`` (the review, with :func:`evaluate_monitoring`, the one
call) and ``export`` (text, csv, json)."""

from okmo_models.monitoring.result import MonitoringResult, evaluate_monitoring

__all__ = ["MonitoringResult", "evaluate_monitoring"]

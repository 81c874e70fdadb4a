"""Development programmes (ПСЭР): ``schema`` (the file), ``model`` (fiscal space, portfolios),
``optimize`` (the best set of measures under the budget), ``result`` (the evaluation, with
:func:`evaluate_programme`, the one call) and ``export`` (text, csv, json)."""

from okmo_models.programme.result import ProgrammeResult, evaluate_programme

__all__ = ["ProgrammeResult", "evaluate_programme"]

"""Settlement passports (паспорт населённого пункта): ``schema`` (the file), ``checks``,
``model`` (the needs ranked), ``result`` (with :func:`evaluate_passport`, the one call),
``export`` (text, csv, json) and ``measures`` (candidate programme measures from the needs)."""

from okmo_models.passport.result import PassportResult, evaluate_passport

__all__ = ["PassportResult", "evaluate_passport"]

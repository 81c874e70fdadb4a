"""A budget forecast as text (the terminal), CSV or JSON, in the user's language."""

from __future__ import annotations

import json

from okmo_models.budget.forecast import BudgetResult, compare
from okmo_models.formatting import format_number, format_percent
from okmo_models.i18n import t


def to_text(result: BudgetResult, lang: str = "ru", others: tuple = ()) -> str:
    """Summary in the budget layout, methods and their errors, Monte Carlo intervals, the
    chance of a deficit and, with ``others``, the scenarios compared with this forecast."""
    s = result.scenario
    unit = t("b_unit_" + s.unit, lang)
    number = {c: (lambda v: format_number(v, 1, lang)) for c in result.forecast_years}
    out = [f"{s.municipality.name.get(lang)} — {t('b_title', lang)}: {result.name(lang)} ({unit})"]
    summary = result.summary(lang)
    out.append(summary.to_string(index=False, formatters={c: (lambda v: format_number(v, 1, lang))
                                                            for c in summary.columns[1:]}))
    out += ["", t("b_methods", lang)]
    methods = result.methods_table(lang)
    out.append(methods.to_string(formatters={c: (lambda v: format_percent(v, 1, lang)) for c in methods.columns[1:]}))
    out += ["", f"{t('b_intervals', lang)} ({unit})"]
    bands = result.intervals()
    out.append(bands.to_string(formatters={c: (lambda v: format_number(v, 0, lang)) for c in bands.columns}))
    chance = result.deficit_probability()
    out += ["", t("b_deficit_probability", lang) + ": "
            + "; ".join(f"{y} — {format_percent(p, 0, lang)}" for y, p in chance.items())]
    if others:
        table = compare([result, *others], lang)
        out += ["", f"{t('b_compare', lang)} ({unit})",
                table.to_string(index=False, formatters=number)]
    return "\n".join(out) + "\n"


def to_csv(result: BudgetResult, lang: str = "ru") -> str:
    """The point forecast, one row per line, with the method used."""
    table = result.forecast().reset_index()
    table.insert(2, "method", list(result.chosen))
    return table.to_csv(index=False)


def to_json(result: BudgetResult, lang: str = "ru") -> str:
    return json.dumps(result.to_dict(lang), ensure_ascii=False, indent=2) + "\n"

"""A budget forecast as text (the terminal), CSV or JSON, in the user's language."""

from __future__ import annotations

import json

from okmo_models.budget.forecast import BudgetResult
from okmo_models.i18n import t
from okmo_models.tables import (budget_compare_table, budget_intervals_table, budget_methods_table,
                                budget_summary_table)


def to_text(result: BudgetResult, lang: str = "ru", others: tuple = ()) -> str:
    """Summary in the budget layout, methods and their errors, Monte Carlo intervals with the
    chance of a deficit and, with ``others``, the scenarios compared with this forecast."""
    s = result.scenario
    unit = t("b_unit_" + s.unit, lang)
    out = [f"{s.municipality.name.get(lang)} — {t('b_title', lang)}: {result.name(lang)} ({unit})",
           budget_summary_table(result, lang).to_string(index=False),
           "", t("b_methods", lang), budget_methods_table(result, lang).to_string(index=False),
           "", f"{t('b_intervals', lang)} ({unit})", budget_intervals_table(result, lang).to_string(index=False)]
    if others:
        out += ["", f"{t('b_compare', lang)} ({unit})",
                budget_compare_table([result, *others], lang).to_string(index=False)]
    return "\n".join(out) + "\n"


def to_csv(result: BudgetResult, lang: str = "ru") -> str:
    """The point forecast, one row per line, with the method used."""
    from okmo_models.csv_cells import safe_frame

    table = result.forecast().reset_index()
    table.insert(2, "method", list(result.chosen))
    return safe_frame(table).to_csv(index=False)


def to_json(result: BudgetResult, lang: str = "ru") -> str:
    return json.dumps(result.to_dict(lang), ensure_ascii=False, indent=2) + "\n"

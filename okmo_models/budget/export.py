"""A budget forecast as text (the terminal), CSV or JSON, in the user's language."""

from __future__ import annotations

import json

from okmo_models.budget.forecast import BudgetResult
from okmo_models.budget.tables import (budget_bases_table, budget_compare_table, budget_intervals_table,
                                       budget_methods_table, budget_summary_table)
from okmo_models.i18n import t
from okmo_models.tables import frame_table


def to_text(result: BudgetResult, lang: str = "ru") -> str:
    """Summary in the budget layout, the lines forecast from the economic base (accrued,
    collection, forecast), methods and their errors, Monte Carlo intervals with the chance of
    a deficit and, beside the baseline, the file's scenarios compared with it
    (``result.others``)."""
    s = result.scenario
    unit = t("b_unit_" + s.unit, lang)
    out = [f"{s.municipality.name.get(lang)} — {t('b_title', lang)}: {result.name(lang)} ({unit})",
           *frame_table(budget_summary_table(result, lang))]
    if result.bases is not None and result.bases.lines:
        out += ["", f"{t('eb_budget_from_base_title', lang, file=result.bases.file)} ({unit})",
                *frame_table(budget_bases_table(result, lang)),
                *(result.base_note(line, lang) for line in result.bases.lines)]
    out += ["", t("pt_methods", lang), *frame_table(budget_methods_table(result, lang)),
           "", f"{t('b_intervals', lang)} ({unit})", *frame_table(budget_intervals_table(result, lang))]
    if result.others:
        out += ["", f"{t('b_compare', lang)} ({unit})",
                *frame_table(budget_compare_table([result, *result.others], lang))]
    return "\n".join(out) + "\n"


def to_csv(result: BudgetResult, lang: str = "ru") -> str:
    """The point forecast, one row per line, with the method used; a budget with an economic
    base adds the collection ratio of each line forecast from it (the last column)."""
    from okmo_models.csv_cells import safe_frame

    table = result.forecast().reset_index()
    table.insert(2, "method", list(result.chosen))
    if result.bases is not None:
        table["collection"] = [round(b.collection, 6) if (b := result.from_base(line)) is not None else ""
                               for _, line in result.lines]
    return safe_frame(table).to_csv(index=False)


def to_json(result: BudgetResult, lang: str = "ru") -> str:
    return json.dumps(result.to_dict(lang), ensure_ascii=False, indent=2) + "\n"

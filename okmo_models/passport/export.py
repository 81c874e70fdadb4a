"""A passport as text (the terminal), CSV or JSON, in the reader's language."""

from __future__ import annotations

import json

from okmo_models.formatting import format_number
from okmo_models.i18n import t
from okmo_models.passport.result import PassportResult
from okmo_models.tables import frame_table


def to_text(result: PassportResult, lang: str = "ru") -> str:
    """The objects, then the needs ranked, then their cost."""
    p = result.passport
    counts = result.condition_counts()
    out = [f"{p.municipality.name.get(lang)} — {t('pp_title', lang)} ({t('pp_as_of', lang, year=p.year)})",
           t("pp_counts", lang, objects=len(p.objects),
             conditions="; ".join(f"{t('pp_condition_' + c, lang) if c != 'not_built' else t('pp_not_built', lang)}: {n}"
                                  for c, n in counts.items())), "",
           f"== {t('pp_objects', lang)} ==", *frame_table(result.objects_table(lang)), "",
           f"== {t('pp_needs', lang)} ==", *frame_table(result.needs_table(lang)),
           t("pp_needs_cost", lang, cost=format_number(result.needs_cost(), 0, lang), unit=result.unit(lang),
             count=len(result.needs))]
    return "\n".join(out) + "\n"


def to_csv(result: PassportResult, lang: str = "ru") -> str:
    """One row per object, with its need rank and points (empty when it is not a need)."""
    import pandas as pd

    from okmo_models.csv_cells import safe_frame

    rows = [{k: v for k, v in o.items() if k not in ("repairs", "options")} for o in result.to_dict(lang)["objects"]]
    return safe_frame(pd.DataFrame(rows)).to_csv(index=False)


def to_json(result: PassportResult, lang: str = "ru") -> str:
    return json.dumps(result.to_dict(lang), ensure_ascii=False, indent=2) + "\n"

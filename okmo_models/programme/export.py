"""A programme's evaluation as text (the terminal), CSV or JSON, in the user's language."""

from __future__ import annotations

import json

import pandas as pd

from okmo_models.formatting import format_number
from okmo_models.i18n import t
from okmo_models.programme.model import priority
from okmo_models.programme.result import ProgrammeResult, optimality_note
from okmo_models.tables import frame_table


def to_text(result: ProgrammeResult, lang: str = "ru") -> str:
    """For the draft, the optimal portfolio and the ranking: financing by year, the gaps and
    every measure with why it is in or out; then the three side by side, and each measure's
    start in each."""
    p = result.programme
    unit = t("b_unit_" + p.unit, lang)
    names = {m.id: m.name.get(lang) for m in p.measures}
    out = [f"{p.municipality.name.get(lang)} — {t('pr_title', lang)} {p.first_year}–{p.last_year} ({unit})",
           t("pr_space_from", lang, origin=result.space.describe(lang)), ""]
    for which in ("plan", "optimal", "ranking"):
        portfolio = result.portfolios()[which]
        financing = result.financing_table(which, lang)
        for year in result.space.years:
            financing[year] = [format_number(v, 1, lang) for v in financing[year]]
        out += [f"== {t('pr_' + which, lang)} ==", *frame_table(financing)]
        note = optimality_note(result, lang) if which == "optimal" else None
        if note:
            out += [note, t("pr_more_time", lang)]
        for year, short, causes in portfolio.gaps():
            out.append(t("pr_gap", lang, year=year, short=format_number(short, 1, lang),
                         measures="; ".join(f"{names[c]} ({format_number(v, 1, lang)})" for c, v in causes[:4])))
        out += ["", *frame_table(result.measures_table(which, lang)), ""]
    compared = result.compare_table(lang)
    out += [f"== {t('pr_compare', lang)} ==", *frame_table(compared, right=range(1, compared.shape[1] + 1), index=True)]
    starts = result.starts_table(lang)
    out += ["", f"== {t('pt_starts_title', lang)} ==", *frame_table(starts, right=range(1, starts.shape[1]))]
    return "\n".join(out) + "\n"


def to_csv(result: ProgrammeResult, lang: str = "ru") -> str:
    """One row per measure and portfolio: start year (empty when out) and the rule."""
    from okmo_models.csv_cells import safe_frame

    rows = []
    for which, p in result.portfolios().items():
        for m in result.programme.measures:
            key = p.reasons.get(m.id, ("", {}))[0]
            rows.append({"portfolio": which, "measure": m.id, "priority": round(priority(m, result.programme), 6),
                         "start": p.starts.get(m.id, ""), "rule": "" if m.id in p.starts else key})
    return safe_frame(pd.DataFrame(rows)).to_csv(index=False)  # a measure's id is text, never a formula


def to_json(result: ProgrammeResult, lang: str = "ru") -> str:
    return json.dumps(result.to_dict(lang), ensure_ascii=False, indent=2) + "\n"

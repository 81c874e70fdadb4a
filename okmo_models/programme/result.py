"""A development programme evaluated against the budget: the draft plan as written, the
optimal portfolio and the plain ranking, as tables in the reader's language and as JSON."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from okmo_models.formatting import format_number, format_percent
from okmo_models.i18n import t
from okmo_models.programme.model import KINDS, FiscalSpace, Portfolio, fiscal_space, load_programme, priority
from okmo_models.programme.optimize import TIME_LIMIT, optimal, ranking
from okmo_models.programme.schema import Programme


@dataclass(frozen=True)
class ProgrammeResult:
    programme: Programme
    path: Path
    sha256: str
    space: FiscalSpace
    plan: Portfolio  # the draft as written: measures with a planned start
    optimal: Portfolio
    ranking: Portfolio
    time_limit: float = TIME_LIMIT  # seconds the optimal portfolio was searched for

    def name(self, lang: str = "ru") -> str:
        return self.path.stem

    def portfolios(self) -> dict[str, Portfolio]:
        return {"plan": self.plan, "optimal": self.optimal, "ranking": self.ranking}

    def financing_table(self, which: str = "optimal", lang: str = "ru") -> pd.DataFrame:
        """Year by year: money by source, the local share against the fiscal space, money left."""
        p = self.portfolios()[which]
        flows = p.by_source()
        rows = [(t("funding_" + k, lang), flows[k]) for k in KINDS if flows[k].any()]
        rows += [(t("pr_total_cost", lang), sum(flows.values())),
                 (t("pr_fiscal_space", lang), self.space.amounts),
                 (t("pr_left", lang), p.left())]
        return pd.DataFrame([[label, *values] for label, values in rows], columns=["", *self.space.years])

    def measures_table(self, which: str = "optimal", lang: str = "ru") -> pd.DataFrame:
        """Every measure: priority, planned and chosen start, cost, and why it is in or out."""
        p = self.portfolios()[which]
        rows = []
        for m in sorted(self.programme.measures, key=lambda m: -priority(m, self.programme)):
            if m.id in p.starts:
                why = t("why_in_committed" if m.committed else "why_in", lang, year=p.starts[m.id])
            else:
                key, context = p.reasons.get(m.id, ("why_not_planned", {}))
                why = t(key, lang, **_readable(context, self.programme, lang))
            rows.append({t("pr_col_measure", lang): m.name.get(lang),
                         t("pr_col_priority", lang): format_number(priority(m, self.programme) * 100, 0, lang),
                         t("pr_col_cost", lang): format_number(sum(m.cost), 1, lang),
                         t("pr_col_planned", lang): m.start or "—",
                         t("pr_col_start", lang): p.starts.get(m.id, "—"),
                         t("pr_col_why", lang): why})
        return pd.DataFrame(rows)

    def compare_table(self, lang: str = "ru") -> pd.DataFrame:
        """The draft, the optimal portfolio and the ranking side by side."""
        return compare({t("pr_" + k, lang): p for k, p in self.portfolios().items()}, lang)

    def to_dict(self, lang: str = "ru") -> dict:
        def portfolio(p: Portfolio) -> dict:
            flows = p.by_source()
            return {
                "starts": p.starts,
                "fits": p.fits(),
                "priority": round(p.priority_total(), 6),
                "optimality_gap": round(p.gap, 6),
                **({"priority_bound": round(p.bound, 6), "ties_proven": p.ties_proven}
                   if p.bound is not None else {}),
                "by_source": {k: [round(float(v), 3) for v in flows[k]] for k in KINDS},
                "left": [round(float(v), 3) for v in p.left()],
                "gaps": [{"year": y, "short": round(s, 3), "measures": [c[0] for c in causes]}
                         for y, s, causes in p.gaps()],
                "reasons": {mid: {"rule": key, **{k: (round(v, 3) if isinstance(v, float) else v)
                                                  for k, v in ctx.items()}}
                            for mid, (key, ctx) in p.reasons.items()},
                "indicators": {k: {"unit": v[1], "baseline": v[2], "reached": v[3]}
                               for k, v in p.indicators().items()},
                "beneficiaries": dict(zip(("total", "women", "vulnerable"), p.beneficiaries())),
                "after_period_per_year": round(p.later_obligations(), 3),
            }

        return {"schema": "okmo-programme/1", "municipality": self.programme.municipality.name.get(lang),
                "unit": self.programme.unit, "years": list(self.space.years), "fiscal_space_from": self.space.origin,
                "fiscal_space": [round(float(v), 3) for v in self.space.amounts],
                "file_sha256": self.sha256,
                **{k: portfolio(p) for k, p in self.portfolios().items()}}


def _readable(context: dict, programme: Programme, lang: str) -> dict:
    names = {m.id: m.name.get(lang) for m in programme.measures}
    out = {}
    for k, v in context.items():
        if k in ("other", "measure"):
            out[k] = names.get(v, v)
        elif k == "kind":
            out[k] = t("funding_" + v, lang)
        elif isinstance(v, float):
            out[k] = format_number(v, 1, lang)
        else:
            out[k] = v
    return out


def compare(portfolios: dict, lang: str = "ru") -> pd.DataFrame:
    """Portfolios side by side: measures, money by source over the period, money left in
    the tightest year, beneficiaries, indicators reached, burden after the period."""
    cols = {}
    for label, p in portfolios.items():
        flows = p.by_source()
        total, women, vulnerable = p.beneficiaries()
        col = {t("pr_row_measures", lang): str(len(p.starts)),
               t("pr_row_fits", lang): t("pr_yes" if p.fits() else "pr_no", lang)}
        for k in KINDS:
            col[t("funding_" + k, lang)] = format_number(float(flows[k].sum()), 1, lang)
        col[t("pr_row_min_left", lang)] = format_number(float(np.min(p.left())), 1, lang)
        col[t("pr_row_after", lang)] = format_number(p.later_obligations(), 1, lang)
        col[t("pr_row_beneficiaries", lang)] = format_number(total, 0, lang)
        col[t("pr_row_women", lang)] = format_number(women, 0, lang)
        col[t("pr_row_vulnerable", lang)] = (f"{format_number(vulnerable, 0, lang)} "
                                             f"({format_percent(vulnerable / total if total else 0, 1, lang)})")
        for ind_id, (name, unit, baseline, reached) in p.indicators().items():
            col[f"{name.get(lang)}, {unit}"] = (f"{format_number(baseline, 0, lang)} → "
                                                f"{format_number(reached, 0, lang)}")
        col[t("pr_row_timeline", lang)] = ", ".join(f"{mid} {s}" for mid, s in sorted(p.starts.items(),
                                                                                    key=lambda i: (i[1], i[0])))
        cols[label] = col
    return pd.DataFrame(cols)


def optimality_note(result: ProgrammeResult, lang: str = "ru") -> str | None:
    """What is not proven about the optimal portfolio, in words, or None when all of it is."""
    p = result.optimal
    if p.gap > 0:
        seconds = format_number(result.time_limit, len(f"{result.time_limit:g}".partition(".")[2]), lang)
        return t("pr_not_proven", lang, seconds=seconds,
                 found=format_number(p.priority_total() * 100, 1, lang),
                 bound=format_number(p.bound * 100, 1, lang), gap=format_percent(p.gap, 2, lang))
    if not p.ties_proven:
        return t("pr_ties_not_proven", lang)
    return None


def evaluate(path: str | Path, budget: str | Path | None = None, time_limit: float = TIME_LIMIT) -> ProgrammeResult:
    """Load a programme file, its fiscal space, and evaluate the draft, the optimum (searched
    for at most ``time_limit`` seconds) and the ranking."""
    path = Path(path)
    programme, sha = load_programme(path)
    space = fiscal_space(programme, path, budget)
    plan_starts = {m.id: m.start for m in programme.measures if m.start is not None}
    plan = Portfolio(programme, space, plan_starts, {m.id: ("why_not_planned", {}) for m in programme.measures
                                                      if m.start is None}, "plan")
    return ProgrammeResult(programme, path, sha, space, plan, optimal(programme, space, time_limit),
                           ranking(programme, space), time_limit)


def to_text(result: ProgrammeResult, lang: str = "ru") -> str:
    p = result.programme
    unit = t("b_unit_" + p.unit, lang)
    out = [f"{p.municipality.name.get(lang)} — {t('pr_title', lang)} {p.first_year}–{p.last_year} ({unit})",
           t("pr_space_from", lang, origin=result.space.origin), ""]
    for which in ("plan", "optimal", "ranking"):
        portfolio = result.portfolios()[which]
        out += [f"== {t('pr_' + which, lang)} ==", result.financing_table(which, lang).to_string(
            index=False, formatters={y: (lambda v: format_number(v, 1, lang)) for y in result.space.years})]
        note = optimality_note(result, lang) if which == "optimal" else None
        if note:
            out += [note, t("pr_more_time", lang)]
        for year, short, causes in portfolio.gaps():
            names = {m.id: m.name.get(lang) for m in p.measures}
            out.append(t("pr_gap", lang, year=year, short=format_number(short, 1, lang),
                         measures="; ".join(f"{names[c]} ({format_number(v, 1, lang)})" for c, v in causes[:4])))
        out += ["", result.measures_table(which, lang).to_string(index=False), ""]
    out += [f"== {t('pr_compare', lang)} ==", result.compare_table(lang).to_string()]
    return "\n".join(out) + "\n"


def to_csv(result: ProgrammeResult, lang: str = "ru") -> str:
    """One row per measure and portfolio: start year (empty when out) and the rule."""
    rows = []
    for which, p in result.portfolios().items():
        for m in result.programme.measures:
            key = p.reasons.get(m.id, ("", {}))[0]
            rows.append({"portfolio": which, "measure": m.id, "priority": round(priority(m, result.programme), 6),
                         "start": p.starts.get(m.id, ""), "rule": "" if m.id in p.starts else key})
    from okmo_models.csv_cells import safe_frame

    return safe_frame(pd.DataFrame(rows)).to_csv(index=False)  # a measure's id is text, never a formula


def to_json(result: ProgrammeResult, lang: str = "ru") -> str:
    return json.dumps(result.to_dict(lang), ensure_ascii=False, indent=2) + "\n"

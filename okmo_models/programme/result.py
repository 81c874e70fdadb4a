"""A development programme evaluated against the budget: the draft plan as written, the
optimal portfolio and the plain ranking, as tables in the reader's language and as plain data
(``to_dict``); :mod:`okmo_models.programme.export` writes them as text, CSV and JSON."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from okmo_models.formatting import format_number, format_percent, format_unit
from okmo_models.i18n import t
from okmo_models.provenance import InputFile, Provenance, source_text
from okmo_models.programme.model import KINDS, FiscalSpace, Portfolio, fiscal_space, load_programme, priority
from okmo_models.programme.optimize import TIME_LIMIT, optimal, ranking
from okmo_models.programme.schema import Programme

if TYPE_CHECKING:  # the tables import pandas when they are asked for: a hearing kernel never is
    import pandas as pd


JSON_SCHEMA = "okmo-programme/1"


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
    baselines: tuple = ()  # a variant's baseline files as read

    @property
    def provenance(self) -> Provenance:
        """The metadata block every kind of result carries: the programme file and the budget
        files its fiscal space was forecast from, as read (a programme uses no parameter)."""
        return Provenance(JSON_SCHEMA, (InputFile("scenario", self.path, self.sha256), *self.baselines,
                                        *self.space.inputs))

    def name(self, lang: str = "ru") -> str:
        return self.path.stem

    def portfolios(self) -> dict[str, Portfolio]:
        return {"plan": self.plan, "optimal": self.optimal, "ranking": self.ranking}

    def financing_table(self, which: str = "optimal", lang: str = "ru") -> pd.DataFrame:
        """Year by year: money by source, the local share against the fiscal space, money left."""
        import pandas as pd

        p = self.portfolios()[which]
        flows = p.by_source()
        rows = [(t("funding_" + k, lang), flows[k]) for k in KINDS if flows[k].any()]
        rows += [(t("pr_total_cost", lang), sum(flows.values())),
                 (t("pr_fiscal_space", lang), self.space.amounts),
                 (t("pr_left", lang), p.left())]
        return pd.DataFrame([[label, *values] for label, values in rows], columns=["", *self.space.years])

    def measures_table(self, which: str = "optimal", lang: str = "ru") -> pd.DataFrame:
        """Every measure: priority, planned and chosen start, cost, and why it is in or out."""
        import pandas as pd

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

    def starts_table(self, lang: str = "ru") -> pd.DataFrame:
        """Each measure by name, highest priority first, with its start year in the draft,
        the optimal portfolio and the ranking (``—`` when left out)."""
        import pandas as pd

        portfolios = self.portfolios()
        rows = [[m.name.get(lang), *(str(p.starts.get(m.id, "—")) for p in portfolios.values())]
                for m in sorted(self.programme.measures, key=lambda m: -priority(m, self.programme))]
        return pd.DataFrame(rows, columns=[t("pr_col_measure", lang), *(t("pr_" + k, lang) for k in portfolios)])

    def to_dict(self, lang: str = "ru") -> dict:
        """Ids and numbers for programs; beside them (``label``, ``text``, ``source``,
        ``*_label``) the same in the reader's words."""
        names = {m.id: m.name.get(lang) for m in self.programme.measures}

        def reason(key: str, context: dict) -> dict:
            return {"rule": key, **{k: (round(v, 3) if isinstance(v, float) else v) for k, v in context.items()},
                    "text": t(key, lang, **_readable(context, self.programme, lang))}

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
                "gaps": [{"year": y, "short": round(s, 3), "measures": [c[0] for c in causes],
                          "measures_label": [names[c[0]] for c in causes]}
                         for y, s, causes in p.gaps()],
                "reasons": {mid: reason(key, ctx) for mid, (key, ctx) in p.reasons.items()},
                "indicators": {k: {"label": v[0].get(lang), "unit": v[1], "unit_label": format_unit(v[1], lang),
                                   "baseline": v[2], "reached": v[3]}
                               for k, v in p.indicators().items()},
                "beneficiaries": dict(zip(("total", "women", "vulnerable"), p.beneficiaries())),
                "after_period_per_year": round(p.later_obligations(), 3),
            }

        sources = self.programme.sources
        return {**self.provenance.to_dict(lang), "municipality": self.programme.municipality.name.get(lang),
                "unit": self.programme.unit, "unit_label": t("b_unit_" + self.programme.unit, lang),
                "years": list(self.space.years), "fiscal_space_from": self.space.origin,
                "fiscal_space_source": self.space.describe(lang),
                "fiscal_space": [round(float(v), 3) for v in self.space.amounts],
                "file_sha256": self.sha256,
                "measures": [{"id": m.id, "label": m.name.get(lang), "source_key": m.source,
                              "source": source_text(sources[m.source], lang)} for m in self.programme.measures],
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
    the tightest year, beneficiaries, indicators reached, burden after the period (the start
    of each measure is :meth:`ProgrammeResult.starts_table`)."""
    import pandas as pd

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
            col[f"{name.get(lang)}, {format_unit(unit, lang)}"] = (f"{format_number(baseline, 0, lang)} → "
                                                                      f"{format_number(reached, 0, lang)}")
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


def evaluate_programme(path: str | Path, budget: str | Path | None = None,
                       time_limit: float | None = None) -> ProgrammeResult:
    """The one call: a programme file (and the budget file whose forecast gives its fiscal
    space, if not the one the file names) in; the draft, the optimal portfolio (searched for
    at most ``time_limit`` seconds, :data:`~okmo_models.programme.optimize.TIME_LIMIT` unless
    given) and the ranking out."""
    time_limit = TIME_LIMIT if time_limit is None else time_limit
    path = Path(path)
    loaded = load_programme(path)
    programme, sha = loaded.programme, loaded.sha256
    space = fiscal_space(programme, path, budget)
    plan_starts = {m.id: m.start for m in programme.measures if m.start is not None}
    plan = Portfolio(programme, space, plan_starts, {m.id: ("why_not_planned", {}) for m in programme.measures
                                                      if m.start is None}, "plan")
    return ProgrammeResult(programme, path, sha, space, plan, optimal(programme, space, time_limit),
                           ranking(programme, space), time_limit, loaded.baselines)


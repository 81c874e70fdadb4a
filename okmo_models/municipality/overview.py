"""The municipality overview: its services and their cost recovery, the budget with what
the tariffs and the programme take from it, the needs of the passport funded or not, and
whatever does not fit. As plain data (``to_dict``) and text (``to_text``) in the reader's
language; the PDF and the hearing tab show the same figures.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from okmo_models.formatting import format_number, format_percent, format_unit
from okmo_models.i18n import t
from okmo_models.municipality.checks import Inconsistency, check
from okmo_models.monitoring.periods import period_label
from okmo_models.municipality.model import MunicipalityModel, evaluate_folder
from okmo_models.provenance import Provenance
from okmo_models.tables import text_table
from okmo_models.units import MONEY_UNITS

JSON_SCHEMA = "okmo-municipality/1"


@dataclass(frozen=True)
class Overview:
    model: MunicipalityModel
    inconsistencies: tuple[Inconsistency, ...]

    @property
    def provenance(self) -> Provenance:
        seen, inputs = set(), []
        for r in (self.model.passport, self.model.economic_base, *self.model.tariffs.values(), self.model.budget,
                  self.model.programme, *self.model.monitoring.values()):
            for f in (r.provenance.inputs if r is not None else ()):
                key = (Path(f.path).resolve(), f.sha256)  # a file read by several plans, listed once
                if key not in seen:
                    seen.add(key)
                    inputs.append(f)
        return Provenance(JSON_SCHEMA, tuple(inputs))

    # --- the parts ---------------------------------------------------------------------

    def services(self) -> list[dict]:
        """Each tariff: what is proposed, against the justified tariff, and what it asks of the budget."""
        from okmo_models.tariff.proposal import proposal

        out = []
        for path, r in self.model.tariffs.items():
            p, flows = proposal(r), self.model.flows[path]
            first = p.tariffs[0]
            out.append({"file": path.name, "service": r.scenario.service, "year": p.year,
                        "category": first.name, "unit": first.billing_unit, "tariff_som": first.tariff_som,
                        "justified_som": first.justified_som, "current_som": first.current_som,
                        "cost_recovery": p.cost_recovery, "subsidy_som": flows.subsidy_som[0],
                        "discounts_som": flows.discounts_som[0], "reached_year": p.reached_year})
        return out

    def budget_years(self) -> dict | None:
        """The budget's forecast years (its horizon), in the budget's unit: revenue, expenditure,
        what the tariffs take (their linked lines), the balance, the money the programme may
        use (the balance, with the capital-works line when the programme says so), its local
        share (the draft as written) and what is left after it."""
        b = self.model.budget
        if b is None:
            return None
        years = list(b.forecast_years[: b.horizon])
        totals = {k: b.total_by_year(k)[: len(years)] for k in ("revenue", "expenditure", "balance")}
        factor = MONEY_UNITS[b.scenario.unit]
        # what the lines that pay for tariffs hold: the tariffs' figures from the year they are in force
        s = b.scenario
        tariffs = np.array([sum(s.fixed[ln].values.get(y, 0.0) for ln in s.plans if ln in s.fixed) for y in years])
        out = {"unit": b.scenario.unit, "years": years, "revenue": totals["revenue"].tolist(),
               "expenditure": totals["expenditure"].tolist(), "tariffs": tariffs.tolist(),
               "balance": totals["balance"].tolist(), "space": None, "programme_local": None, "left": None}
        pr = self.model.programme
        if pr is not None:
            scale = MONEY_UNITS[pr.programme.unit] / factor
            space = dict(zip(pr.plan.years, pr.space.amounts * scale))
            local = dict(zip(pr.plan.years, pr.plan.local_need() * scale))
            left = dict(zip(pr.plan.years, pr.plan.left() * scale))
            out["space"] = [space.get(y) for y in years]
            out["programme_local"] = [local.get(y) for y in years]
            out["left"] = [left.get(y) for y in years]
        return out

    def needs(self) -> list[dict]:
        """The passport's needs by priority, each with the measure that answers it, if any."""
        if self.model.passport is None:
            return []
        measures = {}
        pr = self.model.programme
        if pr is not None:
            for x in pr.programme.measures:
                if x.passport is not None:
                    measures.setdefault(x.passport.object, []).append(x)
        out = []
        for rank, n in enumerate(self.model.passport.needs, 1):
            o = n.object
            answered = [{"measure": x.id, "name": x.name, "plan": pr.plan.starts.get(x.id),
                         "optimal": pr.optimal.starts.get(x.id)} for x in measures.get(o.id, [])]
            out.append({"rank": rank, "object": o.id, "name": o.name, "settlement": o.settlement,
                        "condition": o.condition, "points": n.points,
                        "cost": n.option.cost if n.option else None, "measures": answered,
                        "funded": any(a["plan"] is not None for a in answered)})
        return out

    def monitoring(self) -> list[dict]:
        """Each monitoring file's review in brief: the month, the lights, what is behind, the
        overdue instructions (the review itself: ``okmo monitoring FILE``)."""
        out = []
        for path, r in self.model.monitoring.items():
            out.append({"file": path.name, "month": r.month, "counts": r.counts(),
                        "behind": [a.plan.id for a in r.behind()],
                        "overdue": len(r.instructions.overdue) if r.instructions is not None else None})
        return out

    # --- outputs -------------------------------------------------------------------------

    def to_dict(self, lang: str = "ru") -> dict:
        budget = self.budget_years()
        passport = self.model.passport
        return {**self.provenance.to_dict(lang), "municipality": self.model.municipality_name(lang),
                "services": [{**s, "service_name": t("service_" + s["service"], lang),
                              "category": s["category"].get(lang), "unit_name": format_unit(s["unit"], lang)}
                             for s in self.services()],
                "budget": budget,
                "needs": [{**n, "name": n["name"].get(lang),
                           "measures": [{**a, "name": a["name"].get(lang)} for a in n["measures"]]}
                          for n in self.needs()],
                "needs_unit": passport.passport.unit if passport else None,
                "monitoring": self.monitoring(),
                "inconsistencies": [{"text": i.describe(lang), "places": [p.render() for p in i.places]}
                                    for i in self.inconsistencies],
                "failed": [{"file": p.name, "problem": e.render(lang)} for p, e in self.model.failed.items()]}

    def to_text(self, lang: str = "ru") -> str:
        out = [f"{self.model.municipality_name(lang)} — {t('mu_title', lang)}", ""]
        services = self.services()
        if services:
            rows = [[t("service_" + s["service"], lang), str(s["year"]),
                     f"{format_number(s['tariff_som'], 2, lang)} {format_unit(s['unit'], lang)}",
                     format_number(s["justified_som"], 2, lang), format_percent(s["cost_recovery"], 1, lang),
                     format_number(s["subsidy_som"] + s["discounts_som"], 2, lang),
                     str(s["reached_year"]) if s["reached_year"] else "—"] for s in services]
            out += [f"== {t('mu_services', lang)} ==",
                    *text_table([t(k, lang) for k in ("mu_col_service", "mu_col_year", "mu_col_proposed",
                                                       "mu_col_justified", "mu_col_recovery", "mu_col_asks",
                                                       "mu_col_reached")], rows, right=range(1, 7)), ""]
        b = self.budget_years()
        if b is not None:
            unit = t("b_unit_" + b["unit"], lang)
            rows = [[t("mu_row_" + k, lang)] + [format_number(v, 1, lang) for v in b[k]]
                    for k in ("revenue", "expenditure", "tariffs", "balance", "space", "programme_local", "left")
                    if b[k] is not None]
            out += [f"== {t('mu_budget', lang, unit=unit)} ==",
                    *text_table([""] + [str(y) for y in b["years"]], rows, right=range(1, len(b["years"]) + 1)), ""]
        needs = self.needs()
        if needs:
            unit = t("b_unit_" + self.model.passport.passport.unit, lang)
            rows = []
            for n in needs:
                answer = "; ".join(f"{a['name'].get(lang)} ({a['plan'] if a['plan'] else t('mu_not_in_plan', lang)})"
                                   for a in n["measures"]) or t("mu_unfunded", lang)
                rows.append([str(n["rank"]), n["name"].get(lang), self.model.passport.settlement_name(n["settlement"], lang),
                             t("pp_condition_" + n["condition"], lang) if n["condition"] else t("pp_not_built", lang),
                             format_number(n["points"], 1, lang), format_number(n["cost"], 0, lang), answer])
            out += [f"== {t('mu_needs', lang, unit=unit)} ==",
                    *text_table(["№", t("pp_col_object", lang), t("pp_col_settlement", lang), t("pp_col_condition", lang),
                                 t("pp_col_points", lang), t("mu_col_cost", lang), t("mu_col_answer", lang)], rows,
                                right=(0, 4, 5)), ""]
        for path, r in self.model.monitoring.items():
            overdue = len(r.instructions.overdue) if r.instructions is not None else 0
            out += [f"== {t('mu_monitoring', lang, month=period_label(r.month, lang))} ==",
                    t("mo_counts", lang, **r.counts()), t("mu_monitoring_overdue", lang, count=overdue),
                    *(f"- {a.plan.label.render(lang)}: {r.light_text(a, lang)}, {r.score_text(a, lang)}"
                      for a in r.behind()), ""]
        out.append(f"== {t('mu_consistency', lang)} ==")
        if not self.inconsistencies and not self.model.failed:
            out.append(t("mu_consistent", lang))
        out += [f"- {i.describe(lang)}" for i in self.inconsistencies]
        out += [f"- {t('mu_file_failed', lang, file=p.name)}" for p in self.model.failed]
        return "\n".join(out) + "\n"


def overview(folder: str | Path) -> Overview:
    """The one call: read the folder, compute each file, check the links."""
    m = evaluate_folder(folder)
    return Overview(m, tuple(check(m)))


def to_text(result: Overview, lang: str = "ru") -> str:
    return result.to_text(lang)


def to_json(result: Overview, lang: str = "ru") -> str:
    return json.dumps(result.to_dict(lang), ensure_ascii=False, indent=2) + "\n"

"""A settlement passport evaluated: its objects and its needs ranked, as tables in the
reader's language and as plain data (``to_dict``); :mod:`okmo_models.passport.export`
writes them as text, CSV and JSON."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from okmo_models.formatting import format_number, format_percent
from okmo_models.i18n import t
from okmo_models.passport.model import Need, assess, load_passport, needs
from okmo_models.passport.schema import CONDITIONS, Passport, PassportObject
from okmo_models.provenance import InputFile, Provenance, source_text

if TYPE_CHECKING:
    import pandas as pd

JSON_SCHEMA = "okmo-passport/1"


def capacity_text(o: PassportObject, value: float | None, lang: str) -> str:
    """``900 мест``: a capacity or need in the words of the object's type."""
    if value is None:
        return "—"
    return f"{format_number(value, 0 if float(value).is_integer() else 1, lang)}\u00a0{t('pp_unit_' + o.type, lang)}"


@dataclass(frozen=True)
class PassportResult:
    passport: Passport
    path: Path
    sha256: str
    needs: tuple[Need, ...]
    baselines: tuple = ()

    @property
    def provenance(self) -> Provenance:
        return Provenance(JSON_SCHEMA, (InputFile("scenario", self.path, self.sha256), *self.baselines))

    def name(self, lang: str = "ru") -> str:
        return self.path.stem

    def settlement_name(self, sid: str, lang: str) -> str:
        return next(s.name.get(lang) for s in self.passport.settlements if s.id == sid)

    def unit(self, lang: str) -> str:
        return t("b_unit_" + self.passport.unit, lang)

    def objects_table(self, lang: str = "ru") -> pd.DataFrame:
        """Every object: where, what, built, condition, capacity against need, repairs, value."""
        import pandas as pd

        p, rows = self.passport, []
        for o in p.objects:
            capital = [r.year for r in o.repairs if r.kind == "capital"]
            rows.append({
                t("pp_col_settlement", lang): self.settlement_name(o.settlement, lang),
                t("pp_col_object", lang): o.name.get(lang),
                t("pp_col_type", lang): t("pp_type_" + o.type, lang),
                t("pp_col_built", lang): str(o.built) if o.built is not None else t("pp_not_built", lang),
                t("pp_col_condition", lang): t("pp_condition_" + o.condition, lang) if o.condition else "—",
                t("pp_col_capacity", lang): capacity_text(o, o.capacity if o.built is not None else None, lang),
                t("pp_col_need", lang): capacity_text(o, o.need, lang),
                t("pp_col_requirements", lang): t("pp_yes" if o.meets_requirements else "pp_no", lang),
                t("pp_col_capital_repair", lang): str(max(capital)) if capital else "—",
                t("pp_col_value", lang, unit=self.unit(lang)): format_number(o.balance_value, 0, lang),
            })
        return pd.DataFrame(rows)

    def needs_table(self, lang: str = "ru") -> pd.DataFrame:
        """The needs, most urgent first, with the points they are ranked by and the works proposed."""
        import pandas as pd

        rows = []
        for rank, n in enumerate(self.needs, 1):
            o, option = n.object, n.option
            rows.append({
                "№": str(rank),
                t("pp_col_object", lang): f"{o.name.get(lang)} ({self.settlement_name(o.settlement, lang)})",
                t("pp_col_condition", lang): t("pp_condition_" + o.condition, lang) if o.condition
                else t("pp_not_built", lang),
                t("pp_col_shortfall", lang): (f"{capacity_text(o, n.shortfall, lang)} ({format_percent(n.shortfall_share, 0, lang)})"
                                             if n.shortfall else "—"),
                t("pp_col_requirements", lang): t("pp_yes" if o.meets_requirements else "pp_no", lang),
                t("pp_col_points", lang): format_number(n.points, 1, lang),
                t("pp_col_served", lang): format_number(o.served, 0, lang),
                t("pp_col_option", lang): option.name.get(lang) if option else "—",
                t("pp_col_cost", lang, unit=self.unit(lang)): format_number(option.cost if option else None, 0, lang),
            })
        return pd.DataFrame(rows)

    def condition_counts(self) -> dict[str, int]:
        """Objects by condition (worst first), then those not built yet."""
        counts = {c: sum(o.condition == c for o in self.passport.objects) for c in CONDITIONS}
        return {**counts, "not_built": sum(o.built is None for o in self.passport.objects)}

    def needs_cost(self) -> float:
        """The works proposed first for every need, in the file's unit."""
        return sum(n.option.cost for n in self.needs if n.option)

    def to_dict(self, lang: str = "ru") -> dict:
        p = self.passport
        ranked = {n.object.id: rank for rank, n in enumerate(self.needs, 1)}

        def obj(o: PassportObject) -> dict:
            a = assess(p, o)
            return {"id": o.id, "settlement": o.settlement, "type": o.type, "type_name": t("pp_type_" + o.type, lang),
                    "name": o.name.get(lang), "built": o.built, "acquired": o.acquired, "capacity": o.capacity,
                    "need": o.need, "capacity_unit": t("pp_unit_" + o.type, lang), "served": o.served,
                    "condition": o.condition,
                    "condition_name": t("pp_condition_" + o.condition, lang) if o.condition else None,
                    "meets_requirements": o.meets_requirements,
                    "requirements_note": o.requirements_note.get(lang) if o.requirements_note else None,
                    "repairs": [{"kind": r.kind, "kind_name": t("pp_repair_" + r.kind, lang), "year": r.year,
                                 "cost": r.cost, "source": source_text(p.sources.get(r.source, r.source), lang)}
                                for r in o.repairs],
                    "options": [{"id": x.id, "name": x.name.get(lang), "cost": x.cost, "years": x.years,
                                 "capacity_after": x.capacity_after, "running_cost": x.running_cost,
                                 "source": source_text(p.sources.get(x.source, x.source), lang)} for x in o.options],
                    "owner": o.owner, "owner_name": t("pp_owner_" + o.owner, lang),
                    "balance_value": o.balance_value, "useful_life": o.useful_life, "service": o.service,
                    "shortfall": a.shortfall, "shortfall_share": round(a.shortfall_share, 6),
                    "points": round(a.points, 6), "need_rank": ranked.get(o.id),
                    "source": source_text(p.sources.get(o.source, o.source), lang)}

        return {**self.provenance.to_dict(lang),
                "municipality": p.municipality.name.get(lang), "year": p.year, "unit": p.unit,
                "unit_name": self.unit(lang),
                "settlements": [{"id": s.id, "name": s.name.get(lang), "population": s.population,
                                 "source": source_text(p.sources.get(s.source, s.source), lang)} for s in p.settlements],
                "priority": {"condition": dict(p.priority.condition), "not_built": p.priority.not_built,
                             "shortfall": p.priority.shortfall,
                             "requirements": p.priority.requirements,
                             "source": source_text(p.sources.get(p.priority.source, p.priority.source), lang)},
                "objects": [obj(o) for o in p.objects],
                "needs": [{"rank": rank, "object": n.object.id, "points": round(n.points, 6),
                           "option": n.option.id if n.option else None,
                           "cost": n.option.cost if n.option else None} for rank, n in enumerate(self.needs, 1)],
                "needs_cost": self.needs_cost()}


def evaluate_passport(path: str | Path) -> PassportResult:
    """The one call: read the passport and rank its needs."""
    f = load_passport(path)
    return PassportResult(f.passport, f.path, f.sha256, needs(f.passport), f.baselines)

"""An economic base evaluated: its counts year by year (counted, then forecast for
``horizon`` years), the pasture load against the carrying capacity, each count's growth and
each budget line's accrued revenue, as tables in the reader's language and as plain data
(``to_dict``); :mod:`okmo_models.economic_base.export` writes them as text, CSV and JSON."""

from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from okmo_models.economic_base.model import BaseValues, base_values, counted_years, load_economic_base
from okmo_models.economic_base.schema import CONVENTIONAL, EconomicBase, RevenueTerm
from okmo_models.formatting import format_number, format_percent, no_negative_zero
from okmo_models.i18n import t
from okmo_models.provenance import InputFile, Provenance, source_text

if TYPE_CHECKING:  # the tables import pandas when they are asked for
    import pandas as pd

JSON_SCHEMA = "okmo-economic-base/1"


def _number(x: float, digits: int = 3):
    """A figure for JSON: None where unknown (NaN), never -0.0."""
    return None if x is None or not math.isfinite(x) else no_negative_zero(round(float(x), digits))


def term_label(term: RevenueTerm, lang: str) -> str:
    """A revenue term's base in the reader's words: ``земля: орошаемая пашня``."""
    if term.base == "land":
        of = t("eb_land_" + term.of, lang)
    elif term.base == "livestock":
        of = t("eb_conventional", lang) if term.of == CONVENTIONAL else t("species_" + term.of, lang)
    else:
        of = t("eb_business_" + term.of, lang)
    return t("eb_term", lang, base=t("eb_base_" + term.base, lang), of=of)


def rate_unit(term: RevenueTerm, lang: str) -> str:
    """What a term's rate is per: a hectare, a head, a conventional head, a business."""
    if term.base == "land":
        return t("eb_per_hectare", lang)
    if term.base == "livestock":
        return t("eb_per_conventional_head" if term.of == CONVENTIONAL else "eb_per_head", lang)
    return t("eb_per_business", lang)


@dataclass(frozen=True)
class EconomicBaseResult:
    """The evaluation of one economic-base file: ``values`` over :attr:`all_years` (the
    counted ``years``, then the ``forecast_years``)."""

    base: EconomicBase
    path: Path
    sha256: str
    years: tuple  # counted: from the earliest count to base.year
    forecast_years: tuple  # base.year + 1 .. base.year + base.horizon
    values: BaseValues
    baselines: tuple = ()  # a variant's baseline files as read

    @property
    def provenance(self) -> Provenance:
        """The metadata block every kind of result carries: the file (and a variant's
        baselines) as read; an economic base uses no parameter."""
        return Provenance(JSON_SCHEMA, (InputFile("scenario", self.path, self.sha256), *self.baselines))

    @property
    def all_years(self) -> tuple:
        return self.values.years

    def name(self, lang: str = "ru") -> str:
        return self.path.stem

    # --- the figures the overview and the budget read ---------------------------------------

    def accrued(self, line: str) -> dict[int, float]:
        """A budget line's accrued revenue (Σ base × rate) by year, in the file's unit; NaN
        where a base is unknown (a year before its count)."""
        return dict(zip(self.all_years, self.values.accrued[line].tolist()))

    def base_by_year(self, base: str, of: str) -> dict[int, float]:
        """A base by year as a revenue term names it: ``("land", category)`` hectares (every
        user), ``("livestock", species)`` heads or ``("livestock", "conventional")`` all
        conventional heads, ``("businesses", kind)`` businesses; KeyError for one not counted."""
        term = RevenueTerm(base=base, of=of, rate=0, source="-")
        return dict(zip(self.all_years, self.values.base_of(term).tolist()))

    def pasture_load(self) -> dict[int, float]:
        """Conventional heads per hectare of pastures, by year (NaN: no livestock)."""
        return dict(zip(self.all_years, self.values.pasture_load.tolist()))

    def overloaded_years(self) -> list[int]:
        """The years whose pasture load is above the carrying capacity."""
        return [y for y, over in zip(self.all_years, self.values.overloaded()) if over]

    # --- tables -------------------------------------------------------------------------------

    def _frame(self, rows: list, first: list) -> pd.DataFrame:
        import pandas as pd

        return pd.DataFrame(rows, columns=[*first, *self.all_years])

    def land_table(self, lang: str = "ru") -> pd.DataFrame:
        """Hectares by category and user, each category's total after its users."""
        v = self.values
        rows = []
        for category, total in v.land_by_category.items():
            users = [(u, a) for (c, u), a in v.land.items() if c == category]
            for user, area in users:
                rows.append([t("eb_land_" + category, lang), t("eb_user_" + user, lang),
                             *(_cell(x, self._area_digits(area), lang) for x in area)])
            if len(users) > 1:
                rows.append([t("eb_land_" + category, lang), t("eb_total", lang),
                             *(_cell(x, self._area_digits(total), lang) for x in total)])
        return self._frame(rows, [t("eb_col_category", lang), t("eb_col_user", lang)])

    def _area_digits(self, area) -> int:
        """Hectares as counted: whole, unless the file counts fractions of a hectare."""
        counted = [x for x in area[: len(self.years)] if math.isfinite(x)]
        return 0 if all(float(x).is_integer() for x in counted) else 1

    def livestock_table(self, lang: str = "ru") -> pd.DataFrame:
        """Heads and conventional heads of each species, and all of them in conventional heads."""
        v = self.values
        rows = []
        for h in self.base.livestock:
            name = t("species_" + h.species, lang)
            rows.append([name, t("eb_heads", lang), *(_cell(x, 0, lang) for x in v.heads[h.species])])
            rows.append([name, f"{t('eb_conventional_heads', lang)} (× {format_number(h.conventional, _digits(h.conventional), lang)})",
                         *(_cell(x, 0, lang) for x in v.conventional[h.species])])
        rows.append([t("eb_total_conventional", lang), "", *(_cell(x, 0, lang) for x in v.conventional_total)])
        return self._frame(rows, [t("eb_col_species", lang), ""])

    def pastures_table(self, lang: str = "ru") -> pd.DataFrame:
        """Pasture area, conventional heads, the load per hectare against the capacity."""
        v = self.values
        over = v.overloaded()
        rows = [[t("eb_pasture_area", lang), *(_cell(x, 0, lang) for x in v.pasture_area)],
                [t("eb_total_conventional", lang), *(_cell(x, 0, lang) for x in v.conventional_total)],
                [t("eb_pasture_load", lang), *(_cell(x, 2, lang) for x in v.pasture_load)],
                [t("eb_area_per_head", lang), *(_cell(1 / x if x > 0 else math.nan, 2, lang) for x in v.pasture_load)],
                [t("eb_capacity", lang), *(_cell(v.capacity, 2, lang) for _ in self.all_years)],
                [t("eb_overload_row", lang), *(t("eb_overloaded" if o else "eb_within", lang) if np.isfinite(x)
                                                else "—" for o, x in zip(over, v.pasture_load))]]
        return self._frame(rows, [""])

    def businesses_table(self, lang: str = "ru") -> pd.DataFrame:
        v = self.values
        rows = [[t("eb_business_" + kind, lang), *(_cell(x, 0, lang) for x in counts)]
                for kind, counts in v.businesses.items()]
        return self._frame(rows, [t("eb_col_kind", lang)])

    def revenue_table(self, lang: str = "ru") -> pd.DataFrame:
        """Each budget line's terms (base × rate) and its total accrued, by year."""
        v = self.values
        digits = 0 if self.base.unit == "som" else 1
        rows = []
        for line, terms in self.base.revenue_bases.items():
            label = t("line_b_" + line, lang)
            for term, part in zip(terms, v.accrued_terms[line]):
                rows.append([label, term_label(term, lang), self.rate_text(term, lang),
                             *(_cell(x, digits, lang) for x in part)])
            rows.append([label, t("eb_total_accrued", lang), "", *(_cell(x, digits, lang) for x in v.accrued[line])])
        return self._frame(rows, [t("eb_col_line", lang), t("eb_col_term", lang), t("eb_col_rate", lang)])

    def growth_table(self, lang: str = "ru") -> pd.DataFrame:
        """The yearly growth each count is forecast with, and where it comes from."""
        import pandas as pd

        v = self.values
        rows = []
        for (kind, item), g in v.growth.items():
            if kind == "land":
                category, user = item.split("/")
                name = f"{t('eb_land_' + category, lang)} ({t('eb_user_' + user, lang)})"
            elif kind == "livestock":
                name = t("species_" + item, lang)
            else:
                name = t("eb_business_" + item, lang)
            given = (kind, item) in v.growth_given
            origin = "eb_growth_given" if given else ("eb_growth_constant" if kind == "land" else "eb_growth_measured")
            rows.append([t("eb_base_" + kind, lang), name, format_percent(g, 1, lang), t(origin, lang)])
        return pd.DataFrame(rows, columns=[t("eb_col_term", lang), t("eb_col_item", lang), t("eb_col_growth", lang),
                                           t("eb_col_growth_from", lang)])

    def rate_text(self, term: RevenueTerm, lang: str) -> str:
        """A term's rate and its later rates in words: ``500 за 1 га в год; с 2027 г. — 600``."""
        unit = t("b_unit_" + self.base.unit, lang)
        text = f"{format_number(term.rate, _digits(term.rate), lang)} {unit} {rate_unit(term, lang)}"
        for year in sorted(term.rate_from):
            rate = term.rate_from[year]
            text += "; " + t("eb_rate_changes", lang, year=year, rate=format_number(rate, _digits(rate), lang))
        return text

    # --- plain data ---------------------------------------------------------------------------

    def to_dict(self, lang: str = "ru") -> dict:
        """Ids and numbers for programs; beside them (``label``, ``*_label``, ``source``) the
        same in the reader's words. Every series is by year of ``years`` (counted, then
        forecast); ``null`` where a count is unknown."""
        b, v = self.base, self.values
        sources = b.sources

        def series(values) -> list:
            return [_number(x) for x in values]

        def growth(kind, item) -> dict:
            return {"growth": _number(v.growth[(kind, item)], 6), "growth_given": (kind, item) in v.growth_given}

        return {
            **self.provenance.to_dict(lang),
            "municipality": b.municipality.name.get(lang),
            "unit": b.unit, "unit_label": t("b_unit_" + b.unit, lang),
            "year": b.year, "counted_years": list(self.years), "forecast_years": list(self.forecast_years),
            "years": list(self.all_years),
            "land": [{"category": e.category, "category_label": t("eb_land_" + e.category, lang),
                      "user": e.user, "user_label": t("eb_user_" + e.user, lang),
                      "area_ha": series(v.land[(e.category, e.user)]), **growth("land", f"{e.category}/{e.user}"),
                      "source": source_text(sources[e.source], lang)} for e in b.land],
            "land_by_category": {c: {"label": t("eb_land_" + c, lang), "area_ha": series(a)}
                                 for c, a in v.land_by_category.items()},
            "livestock": [{"species": h.species, "label": t("species_" + h.species, lang),
                           "coefficient": float(h.conventional), "heads": series(v.heads[h.species]),
                           "conventional_heads": series(v.conventional[h.species]), **growth("livestock", h.species),
                           "source": source_text(sources[h.source], lang)} for h in b.livestock],
            "conventional_heads": series(v.conventional_total),
            "pastures": None if b.pastures is None else {
                "area_ha": series(v.pasture_area), "capacity": float(b.pastures.capacity),
                "load": [_number(x, 4) for x in v.pasture_load],
                # the seed's "load per head": hectares of pastures a conventional head has
                "ha_per_conventional_head": [_number(1 / x if x > 0 else math.nan, 4) for x in v.pasture_load],
                "overloaded": [bool(o) for o in v.overloaded()],
                "source": source_text(sources[b.pastures.source], lang)},
            "businesses": [{"kind": c.kind, "label": t("eb_business_" + c.kind, lang), "count": series(v.businesses[c.kind]),
                            **growth("businesses", c.kind), "source": source_text(sources[c.source], lang)}
                           for c in b.businesses],
            "revenue": [{"line": line, "label": t("line_b_" + line, lang), "accrued": series(v.accrued[line]),
                         "terms": [{"base": term.base, "of": term.of, "label": term_label(term, lang),
                                    "rate": float(term.rate), "rate_from": {str(y): float(r) for y, r in
                                                                            sorted(term.rate_from.items())},
                                    "rate_label": self.rate_text(term, lang),
                                    "rates": series(rates), "accrued": series(part),
                                    "source": source_text(sources[term.source], lang)}
                                   for term, rates, part in zip(terms, v.rates[line], v.accrued_terms[line])]}
                        for line, terms in b.revenue_bases.items()],
        }


def _digits(x: float) -> int:
    """Decimals a rate or a coefficient is written with (0 for a whole number, up to 2)."""
    return 0 if float(x).is_integer() else min(2, len(f"{float(x):g}".partition(".")[2]))


def _cell(x, decimals: int, lang: str) -> str:
    return "—" if x is None or not math.isfinite(x) else format_number(x, decimals, lang)


def evaluate_economic_base(path: str | Path) -> EconomicBaseResult:
    """The one call: an economic-base file in; its counts, pasture load, growth and accrued
    revenue over the years counted and ``horizon`` years after, out."""
    path = Path(path)
    loaded = load_economic_base(path)
    base = loaded.base
    years = counted_years(base)
    forecast = tuple(range(base.year + 1, base.year + base.horizon + 1))
    return EconomicBaseResult(base, path, loaded.sha256, years, forecast, base_values(base, years + forecast),
                              loaded.baselines)

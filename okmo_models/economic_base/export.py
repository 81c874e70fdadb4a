"""An economic base as text (the terminal), CSV or JSON, in the user's language."""

from __future__ import annotations

import json
import math

from okmo_models.economic_base.result import EconomicBaseResult
from okmo_models.formatting import format_number
from okmo_models.i18n import t
from okmo_models.tables import frame_table


def to_text(result: EconomicBaseResult, lang: str = "ru") -> str:
    """Land, livestock, the pasture load, businesses, the revenue accrued on them by budget
    line, and the growth each count is forecast with."""
    b = result.base
    unit = t("b_unit_" + b.unit, lang)
    first, last = result.all_years[0], result.all_years[-1]
    out = [f"{b.municipality.name.get(lang)} — {t('eb_title', lang)} {first}–{last}",
           t("eb_forecast_note", lang, year=b.year), t("eb_forecast_mark", lang), ""]

    def table(df):  # a forecast year's heading marked with *
        return frame_table(df.rename(columns={y: f"{y}*" for y in result.forecast_years}))

    if b.land:
        out += [f"== {t('eb_land_title', lang)} ==", *table(result.land_table(lang)), ""]
    if b.livestock:
        out += [f"== {t('eb_livestock_title', lang)} ==", *table(result.livestock_table(lang)), "",
                f"== {t('eb_pastures_title', lang)} ==", *table(result.pastures_table(lang))]
        over = result.overloaded_years()
        if over:
            capacity = result.values.capacity
            out.append(t("eb_overload_note", lang, years=", ".join(map(str, over)),
                         capacity=format_number(capacity, 0 if float(capacity).is_integer() else 2, lang)))
        out.append("")
    if b.businesses:
        out += [f"== {t('eb_businesses_title', lang)} ==", *table(result.businesses_table(lang)), ""]
    if b.revenue_bases:
        out += [f"== {t('eb_revenue_title', lang, unit=unit)} ==", *table(result.revenue_table(lang)), ""]
    out += [f"== {t('eb_growth_title', lang)} ==", *frame_table(result.growth_table(lang))]
    return "\n".join(out) + "\n"


def to_csv(result: EconomicBaseResult, lang: str = "ru") -> str:
    """One row per item and year: ``section`` (land, livestock, conventional, pastures,
    businesses, revenue), the item's ids, the year, whether it is forecast, the value and its
    unit (ha, heads, conventional heads, per ha, businesses, the file's money unit)."""
    import pandas as pd

    from okmo_models.csv_cells import safe_frame

    v, b = result.values, result.base
    rows = []

    def add(section, item, detail, unit, values):
        for year, x in zip(result.all_years, values):
            rows.append({"section": section, "item": item, "detail": detail, "year": year,
                         "forecast": year > b.year, "value": round(float(x), 6) if math.isfinite(x) else "",
                         "unit": unit})

    for (category, user), area in v.land.items():
        add("land", category, user, "ha", area)
    for species, heads in v.heads.items():
        add("livestock", species, "heads", "head", heads)
        add("livestock", species, "conventional", "conventional_head", v.conventional[species])
    if b.livestock:
        add("livestock", "all", "conventional", "conventional_head", v.conventional_total)
        add("pastures", "pastures", "area", "ha", v.pasture_area)
        add("pastures", "pastures", "load", "conventional_head/ha", v.pasture_load)
    for kind, count in v.businesses.items():
        add("businesses", kind, "count", "business", count)
    for line, terms in b.revenue_bases.items():
        for term, part in zip(terms, v.accrued_terms[line]):
            add("revenue", line, f"{term.base}:{term.of}", b.unit, part)
        add("revenue", line, "accrued", b.unit, v.accrued[line])
    return safe_frame(pd.DataFrame(rows)).to_csv(index=False)


def to_json(result: EconomicBaseResult, lang: str = "ru") -> str:
    return json.dumps(result.to_dict(lang), ensure_ascii=False, indent=2) + "\n"

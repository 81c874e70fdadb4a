"""The comparison in the reader's words: headings, figures as printed, reasons.

Every word comes from ``locales/compare.yaml`` through :func:`okmo_models.i18n.t`, every
number through :mod:`okmo_models.formatting`.
"""

from __future__ import annotations

import re

from okmo_models.compare.rows import SHARES
from okmo_models.formatting import format_number, format_percent, format_unit
from okmo_models.i18n import t

SPENDING = "spending_per_resident_som."
COUNTS = ("residents", "beneficiaries", "measures", "n", "rank", "quartile", "year", "first_year", "last_year")


def text_in(texts: dict | None, lang: str) -> str | None:
    """A text kept in every language ({ru, ky, en}) in the reader's, else Russian."""
    if texts is None:
        return None
    return texts.get(lang) or texts.get("ru")


def region_text(row, lang: str) -> str:
    return text_in(row.get("region"), lang) or t("cmp_region_not_stated", lang)


def heading(column: str, lang: str) -> str:
    """A column's heading: a figure, or one of the tables' other columns."""
    if column.startswith(SPENDING):
        return t("cmp_spending_per_resident", lang, line=t("line_b_" + column[len(SPENDING):], lang))
    return t("cmp_col_" + column, lang)


figure_label = heading


def is_share(figure: str) -> bool:
    return figure in SHARES


def shown_value(figure: str, x, lang: str, unit: str | None = None) -> str:
    """A figure as printed: a share as a percentage, a count whole, an amount to the tyiyn
    (with its unit when given)."""
    if x is None:
        return "—"
    if is_share(figure) or unit == "share":
        return format_percent(x, 1, lang)
    if figure in COUNTS:
        return format_number(x, 0, lang)
    text = format_number(x, 2, lang)
    return f"{text}\u00a0{format_unit(unit, lang)}" if unit else text


_UNIT_KEYS = {"share": "cmp_unit_share", "x median": "cmp_unit_x_median", "count": "cmp_unit_count"}


def unit_text(unit: str | None, lang: str) -> str | None:
    """A unit of the comparison in the reader's words (``som/m3`` -> ``сом/м³``, ``share`` -> ``доля``)."""
    if unit is None:
        return None
    return t(_UNIT_KEYS[unit], lang) if unit in _UNIT_KEYS else format_unit(unit, lang)


def peers_label(peers: str, lang: str) -> str:
    return t("cmp_peers_" + peers, lang)


def kind_text(kind: str | None, lang: str) -> str:
    """A file's kind in words (``тариф``); a file whose kind could not be read: a dash."""
    return t("mu_kind_" + kind, lang) if kind else "—"


def service_label(service: str, lang: str) -> str:
    return t("service_" + service, lang)


def missing_text(key: str, lang: str) -> str:
    return t(key, lang)


def outlier_text(o, lang: str) -> str:
    """Why a figure is flagged: the figure, its value, the rule's level (and the peers'
    median it was measured by)."""
    figure = o.rule.figure
    unit = None if is_share(figure) else o.unit
    # the heading's ", сом" is said by the unit printed after the value
    name = re.sub(r",\s*\S+$", "", figure_label(figure, lang)) if unit else figure_label(figure, lang)
    return t("cmp_outlier_" + o.rule.test, lang, figure=name.lower(),
             value=shown_value(figure, o.value, lang, unit), median=shown_value(figure, o.median, lang, unit),
             factor=format_number(o.rule.value, 2 if o.rule.value % 1 else 0, lang),
             threshold=shown_value(figure, o.threshold, lang, unit),
             rule=t("cmp_rule_" + o.rule.id, lang))

"""Numbers and units the way readers expect them: ``1 234 567,89 сом`` in ru and ky."""

from __future__ import annotations

import math

from okmo_models.i18n import t
from okmo_models.tariff.formulas import round_tariff

# Unit tokens as printed in each language (units in scenario files stay in Latin).
_UNIT_WORDS = {
    "ru": {"som": "сом", "year": "год", "month": "мес.", "day": "сут.", "m3": "м³", "m2": "м²", "t": "т",
           "l": "л", "kg": "кг", "person": "чел.", "household": "домохоз.", "head": "гол.",
           "staff": "шт. ед.", "kWh": "кВт·ч", "piece": "шт.", "km": "км", "hour": "ч",
           "%": "%", "thousand_som": "тыс. сом"},
    "ky": {"som": "сом", "year": "жыл", "month": "ай", "day": "сутка", "m3": "м³", "m2": "м²", "t": "т",
           "l": "л", "kg": "кг", "person": "адам", "household": "үй чарба", "head": "баш",
           "staff": "штат. бирд.", "kWh": "кВт·саат", "piece": "даана", "km": "км", "hour": "саат",
           "%": "%", "thousand_som": "миң сом"},
    "en": {"som": "som", "m3": "m³", "m2": "m²", "person": "person", "household": "household", "head": "head"},
}


def no_negative_zero(x: float | None) -> float | None:
    """``x`` with -0.0 made 0.0 (``round(-0.001, 2)`` is -0.0, printed "-0.0"); None stays.

    >>> no_negative_zero(round(-0.001, 2))
    0.0
    """
    return None if x is None else x + 0.0


def format_number(x: float | None, decimals: int = 2, lang: str = "ru") -> str:
    """``1234567.891`` -> ``1 234 567,89`` (ru, ky) or ``1,234,567.89`` (en); None -> ``—``;
    never ``-0,00``."""
    if x is None or (isinstance(x, float) and math.isnan(x)):
        return "—"
    # half-up, as every printed tariff (481,735 -> 481,74, where Python's format gives 481,73)
    text = f"{no_negative_zero(round_tariff(x, 10.0 ** -decimals)):,.{decimals}f}"
    if lang == "en":
        return text
    return text.replace(",", " ").replace(".", ",")


def format_money(x: float | None, lang: str = "ru", with_unit: bool = True) -> str:
    """Money to the tyiyn: ``1 234 567,89 сом``."""
    text = format_number(x, 2, lang)
    return f"{text} {unit_label('som', lang)}" if with_unit and text != "—" else text


def format_percent(share: float | None, decimals: int = 1, lang: str = "ru") -> str:
    """A share (0.125) as ``12,5 %``."""
    if share is None:
        return "—"
    return f"{format_number(share * 100, decimals, lang)} %"


def unit_label(unit: str, lang: str = "ru") -> str:
    """``som/household/month`` -> ``сом/домохоз./мес.``."""
    words = _UNIT_WORDS.get(lang, {})
    return "/".join(words.get(part, part) for part in unit.split("/"))


def label(key: str, lang: str) -> str:
    return t(key, lang)


def basis(text: str, lang: str) -> str:
    """A cost line's basis ("3 staff × 16 000 som/staff/month") in the reader's words:
    numbers and units as the reader writes them, for every output that prints it."""
    from okmo_models.units import UnitError, split_quantity

    if text == "straight-line":
        return t("r_straight_line", lang)
    parts = []
    for part in text.split(" × "):
        try:
            value, unit = split_quantity(part.replace(" ", " "))
        except UnitError:
            return text
        decimals = 0 if float(value).is_integer() else 2
        parts.append(f"{format_number(value, decimals, lang)} {unit_label(unit, lang)}")
    return " × ".join(parts)

"""Numbers and units the way readers expect them: ``1 234 567,89 сом`` in ru and ky.

The one number formatter of every output (text, report, Excel, dashboards): a no-break space
(U+00A0) between thousands, so that a number is never split across two lines, and a decimal
comma in ru and ky; half-up rounding to a step, as printed tariffs are rounded. A cost line's
:class:`Basis` is kept as data and rendered here in the reader's language.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from okmo_models.i18n import t
from okmo_models.units import grouped

NBSP = "\u00a0"  # the thousands separator of ru and ky
ROUNDING_MODES = ("half_up", "up", "down")

# Units as printed in each language, by the word the file writes (units in scenario files stay
# in Latin; a plural written as a count, "households", reads as the count's noun: 120 домохозяйств).
_UNIT_WORDS = {
    "ru": {"som": "сом", "thousand_som": "тыс. сом", "million_som": "млн сом", "year": "год",
           "quarter": "кв.", "month": "мес.", "day": "сут.", "m3": "м³", "m2": "м²", "ha": "га", "t": "т",
           "l": "л", "kg": "кг", "g": "г", "kWh": "кВт·ч", "MWh": "МВт·ч", "km": "км", "100km": "100 км", "hour": "ч",
           "person": "чел.", "persons": "чел.", "household": "домохоз.", "households": "домохозяйств",
           "head": "гол.", "heads": "голов", "staff": "шт. ед.", "piece": "шт.", "pieces": "шт.",
           "place": "место", "places": "мест", "site": "объект", "sites": "объектов", "trip": "рейс",
           "trips": "рейсов", "days": "дней", "weeks": "недель", "months": "мес.", "dipping": "купка", "dippings": "купок", "%": "%"},
    "ky": {"som": "сом", "thousand_som": "миң сом", "million_som": "млн сом", "year": "жыл",
           "quarter": "чейрек", "month": "ай", "day": "сутка", "m3": "м³", "m2": "м²", "ha": "га", "t": "т",
           "l": "л", "kg": "кг", "g": "г", "kWh": "кВт·саат", "MWh": "МВт·саат", "km": "км", "100km": "100 км", "hour": "саат",
           "person": "адам", "persons": "адам", "household": "үй чарба", "households": "үй чарба",
           "head": "баш", "heads": "баш", "staff": "штат. бирд.", "piece": "даана", "pieces": "даана",
           "place": "орун", "places": "орун", "site": "объект", "sites": "объект", "trip": "каттам",
           "trips": "каттам", "days": "күн", "weeks": "жума", "months": "ай", "dipping": "чөмүлдүрүү", "dippings": "чөмүлдүрүү", "%": "%"},
    "en": {"som": "som", "thousand_som": "thousand som", "million_som": "million som", "m3": "m³",
           "m2": "m²", "person": "person", "household": "household", "head": "head", "hour": "h",
           "100km": "100 km"},
}
UNIT_WORDS = tuple(_UNIT_WORDS["ru"])  # the unit words every output names in the reader's language
# Russian after a whole number: 1 год, 2 года, 5 лет (Kyrgyz keeps the noun as it is).
# English counts of a derivation: "1 trip", "2 trips".
_EN_COUNTED = ("trips", "days", "weeks", "months")
_RU_COUNTED = {"year": ("год", "года", "лет"), "trips": ("рейс", "рейса", "рейсов"),
               "days": ("день", "дня", "дней"), "weeks": ("неделя", "недели", "недель"),
               "months": ("месяц", "месяца", "месяцев")}


def no_negative_zero(x: float | None) -> float | None:
    """``x`` with -0.0 made 0.0 (``round(-0.001, 2)`` is -0.0, printed "-0.0"); None stays.

    >>> no_negative_zero(round(-0.001, 2))
    0.0
    """
    return None if x is None else x + 0.0


def round_to_step(value, step, mode="half_up"):
    """Round to a multiple of ``step`` (0.01 som, 1 som) by a declared rule; numbers or arrays.

    ``half_up`` is the arithmetic rounding of municipal decisions (48.505 -> 48.51,
    48.5049 -> 48.50), ``up`` never goes below ``value`` (revenue never short of the
    requirement), ``down`` truncates as some sources print.  The value is first taken
    to a millionth of a step, so binary noise (481.735 stored as 481.73499999...) is not
    mistaken for a digit.

    >>> round_to_step(481.735, 0.01), round_to_step(48.5001, 0.01), round_to_step(7.455, 0.01)
    (481.74, 48.5, 7.46)
    >>> round_to_step(48.5001, 0.01, "up"), round_to_step(481.735, 0.01, "down")
    (48.51, 481.73)
    >>> round_to_step(84.5, 1.0), round_to_step(84.2, 1.0, "up"), round_to_step(12.0000000001, 1.0, "up")
    (85.0, 85.0, 12.0)
    >>> round_to_step(1e15, 0.01), round_to_step(-0.004, 0.01)
    (1000000000000000.0, 0.0)
    """
    per_som = 1.0 / step  # x 100 and / 100, not / 0.01 and x 0.01: 0.01 is inexact in binary
    exact = per_som.is_integer()
    if isinstance(value, (float, int)) and math.isfinite(value):
        return _round_number(float(value), step, per_som, exact, mode)
    steps = np.asarray(value, dtype=float)
    steps = steps * per_som if exact else steps / step
    # np.round(x, 6) multiplies by 1e6: beyond 1e9 steps that costs more precision than it cleans
    steps = np.where(np.abs(steps) < 1e9, np.round(steps, 6), steps)
    if mode == "half_up":  # half away from zero; tariffs and their differences may be negative
        whole = np.sign(steps) * np.floor(np.abs(steps) + 0.5)
    elif mode == "up":
        whole = np.ceil(steps)
    elif mode == "down":
        whole = np.floor(steps)
    else:
        raise ValueError(f"rounding mode {mode!r} is not one of {ROUNDING_MODES}")
    out = (whole / per_som if exact else whole * step) + 0.0  # + 0.0: no -0.0
    return float(out) if out.ndim == 0 else out


def _round_number(value: float, step, per_som, exact: bool, mode: str) -> float:
    """:func:`round_to_step` of one finite number in plain floats: the same IEEE operations
    in the same order as the array code (np.round(x, 6) is rint(x * 1e6) / 1e6; Python's
    round() is the same half-to-even rint), at a tenth of the cost of making arrays."""
    steps = value * per_som if exact else value / step
    if abs(steps) < 1e9:
        steps = round(steps * 1e6) / 1e6
    if mode == "half_up":
        whole = math.floor(abs(steps) + 0.5)
        whole = -whole if steps < 0 else (whole if steps > 0 else 0.0)
    elif mode == "up":
        whole = math.ceil(steps)
    elif mode == "down":
        whole = math.floor(steps)
    else:
        raise ValueError(f"rounding mode {mode!r} is not one of {ROUNDING_MODES}")
    whole = float(whole)
    return float((whole / per_som if exact else whole * step) + 0.0)  # + 0.0: no -0.0


def format_number(x: float | None, decimals: int = 2, lang: str = "ru") -> str:
    """``1234567.891`` -> ``1 234 567,89`` (ru, ky, a no-break space between thousands) or
    ``1,234,567.89`` (en); None -> ``—``; never ``-0,00``.

    >>> format_number(1234567.891), format_number(481.735, 2, "en"), format_number(-0.001)
    ('1\xa0234\xa0567,89', '481.74', '0,00')
    """
    if x is None or (isinstance(x, float) and math.isnan(x)):
        return "—"
    # half-up, as every printed tariff (481,735 -> 481,74, where Python's format gives 481,73)
    text = f"{no_negative_zero(round_to_step(x, 10.0 ** -decimals)):.{decimals}f}"
    sign = "-" if text.startswith("-") else ""
    whole, _, fraction = text.lstrip("-").partition(".")
    if lang == "en":
        return sign + f"{int(whole):,}" + (f".{fraction}" if fraction else "")
    return sign + grouped(whole) + (f",{fraction}" if fraction else "")


def tick_number(x: float | None, decimals: int = 0, lang: str = "ru") -> str:
    """A number on a chart's axis: as :func:`format_number`, a negative one with the minus
    sign typeset (``−1 000``, not the hyphen of ``-1 000``, which files and terminals keep so
    that a spreadsheet reads it as a number).

    >>> tick_number(-1500), tick_number(2.5, 1, "en")
    ('−1\xa0500', '2.5')
    """
    return format_number(x, decimals, lang).replace("-", "\u2212")


def format_money(x: float | None, lang: str = "ru", with_unit: bool = True) -> str:
    """Money to the tyiyn: ``1 234 567,89 сом``, a no-break space before the unit too (a
    line never ends between a number and its currency)."""
    text = format_number(x, 2, lang)
    return f"{text}\u00a0{format_unit('som', lang)}" if with_unit and text != "—" else text


def signed_number(x: float | None, decimals: int, lang: str) -> str:
    """A change as printed: ``+12,50`` or ``−3,04`` with a real minus sign, ``0,00`` unsigned.

    >>> signed_number(12.5, 2, "ru"), signed_number(-3.041, 2, "ky"), signed_number(-0.001, 2, "ru")
    ('+12,50', '−3,04', '0,00')
    """
    text = format_number(None if x is None else abs(x), decimals, lang)
    if x is None or text.strip("0,.") == "":
        return text
    return ("+" if x > 0 else "\u2212") + text


def format_percent(share: float | None, decimals: int = 1, lang: str = "ru") -> str:
    """A share (0.125) as ``12,5 %``."""
    if share is None:
        return "—"
    return f"{format_number(share * 100, decimals, lang)} %"


def format_unit(unit: str, lang: str = "ru") -> str:
    """A unit as a reader of ``lang`` writes it, for every output that prints one: the units
    of scenario files (``som/household/month`` -> ``сом/домохоз./мес.``) and the units of
    indicators (``m3/day`` -> ``м³/сут.``, ``places`` -> ``мест``, ``ha`` -> ``га``). A word it
    does not know is shown as written.

    >>> format_unit("som/household/month"), format_unit("m3/day", "ky"), format_unit("households")
    ('сом/домохоз./мес.', 'м³/сутка', 'домохозяйств')
    """
    words = _UNIT_WORDS.get(lang, {})
    return "/".join(words.get(part.strip(), part.strip()) for part in unit.split("/"))


unit_label = format_unit  # the earlier name, still called by outputs


def label(key: str, lang: str) -> str:
    return t(key, lang)


def format_quantity(value: float, unit: str, lang: str = "ru", decimals: int | None = None) -> str:
    """A value with its unit as the reader writes them: whole numbers without decimals,
    others to the hundredth.

    >>> format_quantity(16000, "som/staff/month"), format_quantity(17.25, "%", "en")
    ('16\xa0000 сом/шт. ед./мес.', '17.25 %')
    >>> format_quantity(10, "year"), format_quantity(2, "year"), format_quantity(21, "year"), format_quantity(10, "year", "ky")
    ('10 лет', '2 года', '21 год', '10 жыл')
    """
    if decimals is None:
        decimals = 0 if float(value).is_integer() else 2
    if lang == "en" and unit in _EN_COUNTED:  # "1 trip", "5 days"
        word = unit[:-1] if decimals == 0 and abs(value) == 1 else unit
        return f"{format_number(value, decimals, lang)} {word}"
    if lang == "ru" and unit in _RU_COUNTED:  # "10 лет", not "10 год"
        one, few, many = _RU_COUNTED[unit]
        n = abs(int(value)) if decimals == 0 else None
        word = few if n is None else (one if n % 10 == 1 and n % 100 != 11 else
                                      few if n % 10 in (2, 3, 4) and n % 100 not in (12, 13, 14) else many)
        return f"{format_number(value, decimals, lang)} {word}"
    return f"{format_number(value, decimals, lang)} {format_unit(unit, lang)}"


def format_figure(value: float, unit: str, lang: str = "ru") -> str:
    """A factor of a calculation (a basis, a derivation's step) to the decimals it has, at
    most four, so that the factors printed multiply back to the amount to the tyiyn: 2,1733
    tyres a year, not 2,17; whole numbers and two decimals as :func:`format_quantity`.

    >>> format_figure(2.173280, "piece/year"), format_figure(0.6, "kWh/m3"), format_figure(9000, "l/year")
    ('2,1733 шт./год', '0,60 кВт·ч/м³', '9\xa0000 л/год')
    """
    exact = next((d for d in range(5) if abs(round(value, d) - value) < 1e-9), 4)
    return format_quantity(value, unit, lang, decimals=0 if exact == 0 else max(2, exact))


@dataclass(frozen=True)
class Basis:
    """How a cost line's amount was obtained, as data: a product of quantities, each a
    ``(value, unit)`` as the scenario writes it (``3 staff × 16 000 som/staff/month``), or a
    method without factors (``kind="straight_line"``), or nothing to show (``kind="none"``).
    :func:`basis` renders it in the reader's language."""

    factors: tuple[tuple[float, str], ...] = ()
    kind: str = "product"  # "product", "straight_line" or "none"

    @classmethod
    def product(cls, *factors: tuple[float, str]) -> Basis:
        """``Basis.product((3, "staff"), (16000, "som/staff/month"))``."""
        return cls(tuple((float(value) + 0.0, unit) for value, unit in factors))

    def to_list(self) -> list[dict]:
        """The factors as plain data (``[{"value": 3.0, "unit": "staff"}, ...]``), for JSON."""
        return [{"value": value, "unit": unit} for value, unit in self.factors]


STRAIGHT_LINE = Basis(kind="straight_line")
NO_BASIS = Basis(kind="none")


def basis(value: Basis, lang: str) -> str:
    """A cost line's :class:`Basis` in the reader's words, for every output that prints it.

    >>> basis(Basis.product((3, "staff"), (16000, "som/staff/month")), "ru")
    '3 шт. ед. × 16\xa0000 сом/шт. ед./мес.'
    >>> basis(STRAIGHT_LINE, "en"), basis(NO_BASIS, "ky")
    ('straight line', '—')
    """
    if value.kind == "straight_line":
        return t("r_straight_line", lang)
    if value.kind == "none" or not value.factors:
        return "—"
    return " × ".join(format_figure(v, unit, lang) for v, unit in value.factors)

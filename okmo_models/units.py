"""Units of measure for scenario quantities.

Every amount in a scenario carries its unit, written the way an economist says it:
``som/year``, ``l/person/day``, ``som/staff/month``, ``m3/person/year``.  A unit is a
product of known tokens raised to +1 (before the first ``/``) or -1 (after it); each
token belongs to a dimension and has a factor to that dimension's base unit (m3, t,
kWh, som, year...).  This is deliberately small: it multiplies quantities by prices,
checks that the result is what the field needs, and converts to base units.  Counted
things (staff, persons, households, heads) are dimensions of their own, so a price
per staff member only cancels against a number of staff.
"""

from __future__ import annotations

import copyreg
import math
import re
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from decimal import Decimal
from functools import lru_cache
from types import MappingProxyType

# token -> (dimension, factor to the dimension's base unit)
_TOKENS: dict[str, tuple[str, float]] = {
    # money
    "som": ("money", 1.0),
    "thousand_som": ("money", 1_000.0),
    "million_som": ("money", 1_000_000.0),
    # time periods; a day is 1/365 of a year (tariff years are not leap-adjusted)
    "year": ("period", 1.0),
    "quarter": ("period", 1.0 / 4.0),
    "month": ("period", 1.0 / 12.0),
    "day": ("period", 1.0 / 365.0),
    # volume, mass, energy, distance
    "m3": ("volume", 1.0),
    "l": ("volume", 0.001),
    "t": ("mass", 1.0),
    "kg": ("mass", 0.001),
    "g": ("mass", 0.000001),  # chemical doses, g/m3
    "kWh": ("energy", 1.0),
    "MWh": ("energy", 1_000.0),
    "km": ("distance", 1.0),
    "100km": ("distance", 100.0),  # fuel norms are litres per 100 km
    "m2": ("area", 1.0),
    # counted things: each its own dimension
    "staff": ("staff", 1.0),
    "person": ("person", 1.0),
    "household": ("household", 1.0),
    "head": ("head", 1.0),
    "piece": ("piece", 1.0),
    "hour": ("hour", 1.0),
    "trip": ("trip", 1.0),
    "dipping": ("dipping", 1.0),
    # ratios
    "%": ("", 0.01),
}

# Plural and spelling variants people type, mapped to the canonical token.
_ALIASES = {
    "soms": "som", "years": "year", "months": "month", "days": "day", "quarters": "quarter",
    "m³": "m3", "m²": "m2", "litre": "l", "liter": "l", "litres": "l", "liters": "l",
    "tonne": "t", "tonnes": "t", "ton": "t", "tons": "t", "kwh": "kWh", "mwh": "MWh",
    "persons": "person", "people": "person", "households": "household", "heads": "head",
    "pieces": "piece", "pcs": "piece", "hours": "hour", "trips": "trip", "dippings": "dipping",
    "percent": "%",
    # Russian and Kyrgyz, as printed in reports and as economists type them (lower case;
    # written words are looked up in lower case too): "сом/м3", "сом/чел./мес.", "сом/адам/ай"
    "сом": "som", "сома": "som", "сомов": "som", "тыс.сом": "thousand_som", "миң-сом": "thousand_som",
    "млн-сом": "million_som",
    "год": "year", "г.": "year", "жыл": "year", "кв.": "quarter", "квартал": "quarter", "чейрек": "quarter",
    "мес.": "month", "мес": "month", "месяц": "month", "ай": "month",
    "сут.": "day", "сут": "day", "сутки": "day", "день": "day", "сутка": "day", "күн": "day",
    "м3": "m3", "м³": "m3", "м2": "m2", "м²": "m2", "л": "l", "литр": "l", "т": "t", "тонна": "t", "кг": "kg",
    "квт·ч": "kWh", "квтч": "kWh", "квт·саат": "kWh", "мвт·ч": "MWh", "мвт·саат": "MWh", "км": "km", "100км": "100km", "г": "g",
    "чел.": "person", "чел": "person", "человек": "person", "адам": "person",
    "домохоз.": "household", "домохозяйство": "household", "домохозяйств": "household",
    "домохозяйства": "household", "үй-чарба": "household",
    "гол.": "head", "голов": "head", "голова": "head", "баш": "head",
    "шт.ед.": "staff", "штат.бирд.": "staff", "шт.": "piece", "шт": "piece", "даана": "piece",
    "ч": "hour", "час": "hour", "саат": "hour", "рейс": "trip", "каттам": "trip",
}
# Units of two words, as printed ("шт. ед.", "үй чарба"), joined before a quantity is split
# into its number and its unit (the unit is the last word).
_PHRASES = (("/100 km", "/100km"), ("/100 км", "/100км"), ("шт. ед.", "шт.ед."), ("штат. бирд.", "штат.бирд."), ("үй чарба", "үй-чарба"),
            ("тыс. сом", "тыс.сом"), ("миң сом", "миң-сом"), ("млн сом", "млн-сом"))


class UnitError(ValueError):
    """A unit string that cannot be read, or units that do not fit together."""

    def __init__(self, key: str, **context):
        super().__init__(key)
        self.key = key
        self.context = context


@dataclass(frozen=True)
class Unit:
    """A parsed unit: its text, dimension exponents and factor to base units."""

    text: str
    dims: MappingProxyType  # dimension -> exponent, zeros dropped
    factor: float

    def __mul__(self, other: "Unit") -> "Unit":
        dims = dict(self.dims)
        for d, p in other.dims.items():
            dims[d] = dims.get(d, 0) + p
        return Unit(f"({self.text})·({other.text})", _clean(dims), self.factor * other.factor)

    def same_dimension(self, other: "Unit") -> bool:
        return dict(self.dims) == dict(other.dims)


def read_only(mapping: dict) -> MappingProxyType:
    """A read-only view of a fresh copy of ``mapping`` (what an unpickled result holds)."""
    return MappingProxyType(dict(mapping))


# Results hold read-only mappings (a unit's dimensions, a table's rows) and must cross
# process boundaries (a process pool, Dask), but a mappingproxy cannot be pickled: pickle
# its contents instead and rebuild a read-only view on loading.
copyreg.pickle(MappingProxyType, lambda proxy: (read_only, (dict(proxy),)))


def _clean(dims: dict) -> MappingProxyType:
    return MappingProxyType({d: p for d, p in sorted(dims.items()) if p != 0 and d != ""})


@lru_cache(maxsize=512)
def parse_unit(text: str) -> Unit:
    """Parse ``"som/staff/month"`` into a :class:`Unit`.

    >>> parse_unit("l/person/day").factor  # litres per day -> m3 per year
    0.365
    """
    if not isinstance(text, str) or not text.strip():
        raise UnitError("unit_empty", unit=text)
    parts = [p.strip() for p in _joined(text).strip().split("/")]
    dims: dict[str, int] = {}
    factor = 1.0
    for i, part in enumerate(parts):
        token = _ALIASES.get(part, _ALIASES.get(part.lower(), part))
        if token not in _TOKENS:
            raise UnitError("unit_unknown", unit=text, token=part, known=", ".join(known_tokens()))
        dim, f = _TOKENS[token]
        power = 1 if i == 0 else -1
        dims[dim] = dims.get(dim, 0) + power
        factor *= f if power == 1 else 1.0 / f
    return Unit(text.strip(), _clean(dims), factor)


def _joined(text: str) -> str:
    """``text`` with each unit of two words made one (``сом/шт. ед./мес.`` -> ``сом/шт.ед./мес.``)."""
    for pattern, word in _PHRASE_PATTERNS:
        text = pattern.sub(word, text)
    return text


# compiled once: every quantity of every file is read through _joined
_PHRASE_PATTERNS = tuple((re.compile(re.escape(phrase).replace(r"\ ", r"[ \u00a0]*"), re.IGNORECASE), word)
                         for phrase, word in _PHRASES)


def known_tokens() -> list[str]:
    return list(_TOKENS)


def convert(value: float, from_unit: str | Unit, to_unit: str | Unit) -> float:
    """Convert ``value`` between two units of the same dimension.

    >>> round(convert(50, "l/person/day", "m3/person/month"), 6)
    1.520833
    """
    f = from_unit if isinstance(from_unit, Unit) else parse_unit(from_unit)
    t = to_unit if isinstance(to_unit, Unit) else parse_unit(to_unit)
    if not f.same_dimension(t):
        raise UnitError("unit_mismatch", unit=f.text, expected=t.text)
    return value * f.factor / t.factor


# A number written the way economists type it: "3 500 000", "1,57", "17.25", "-3".
_NUMBER = re.compile(r"^[+-]?(\d{1,3}([ \u00a0\u202f]\d{3})+|\d+)([.,]\d+)?$")
# "180,500" / "1.500": a comma or point before exactly three digits, after one to three
# digits that do not start with 0, reads as decimals (180,5) or as thousands (180 500).
_AMBIGUOUS = re.compile(r"^[+-]?[1-9]\d{0,2}[.,]\d{3}$")
_SPACES = str.maketrans("", "", " \u00a0\u202f")
# Digits, separators and a sign, nothing else: a number written without its unit.
_BARE = re.compile(r"^[+-]?\d[\d \u00a0\u202f.,]*$")

# The decimal mark a file declares (``decimal_mark: ","``); None while it has declared none.
_DECLARED_MARK: ContextVar[str | None] = ContextVar("decimal_mark", default=None)
DECIMAL_MARKS = (",", ".")

# The units a budget, programme, passport or economic-base file writes its amounts in, as som.
MONEY_UNITS = {"som": 1.0, "thousand_som": 1e3, "million_som": 1e6}


@contextmanager
def declared_decimal_mark(mark: str | None):
    """Read numbers with ``mark`` as the decimal mark while the block runs (a file's
    ``decimal_mark`` setting); with ``None`` an ambiguous number is refused."""
    token = _DECLARED_MARK.set(mark)
    try:
        yield
    finally:
        _DECLARED_MARK.reset(token)


def parse_number(text: str, decimal_mark: str | None = None) -> float:
    """Read a number written with spaces between thousands and a decimal comma or point.

    A comma or point before exactly three digits ("180,500", "1.500") may be a decimal mark
    or a thousands separator; unless the file declares its ``decimal_mark`` (or the caller
    passes one) such a number is refused with both readings, never guessed.

    >>> parse_number("3 500 000")
    3500000.0
    >>> parse_number("1,57")
    1.57
    >>> parse_number("180,500", decimal_mark=",")
    180.5
    >>> parse_number("1.234.567,89", decimal_mark=",")
    1234567.89
    """
    mark = decimal_mark or _DECLARED_MARK.get()
    s = text.strip()
    if mark in DECIMAL_MARKS:
        other = "." if mark == "," else ","
        # with a declared mark the other one may only group thousands: 1.234.567,89
        grouped = re.match(r"^[+-]?[1-9]\d{0,2}(" + re.escape(other) + r"\d{3})+(" + re.escape(mark) + r"\d+)?$", s)
        if grouped:
            s = s.replace(other, "")
        if not grouped and other in s:
            raise UnitError("number_other_mark", value=text, mark=mark)
        if not _NUMBER.match(s):
            raise UnitError("not_a_number", value=text)
        return float(s.translate(_SPACES).replace(mark, "."))
    if not _NUMBER.match(s):
        raise UnitError("not_a_number", value=text)
    if _AMBIGUOUS.match(s):
        decimal = float(s.replace(",", "."))
        thousands = float(s.replace(",", "").replace(".", ""))
        raise UnitError("ambiguous_number", value=text, decimal=_plain(decimal),
                        thousands=_plain(thousands))
    return float(s.translate(_SPACES).replace(",", "."))


def grouped(digits: str | int) -> str:
    """A run of digits with a no-break space between thousands: the one grouping of every
    number shown in ru and ky (:func:`okmo_models.formatting.format_number` uses it too).

    >>> grouped("1234567"), grouped("-131073"), grouped("500")
    ('1\xa0234\xa0567', '-131\xa0073', '500')
    """
    digits = str(digits)
    sign, digits = ("-", digits[1:]) if digits.startswith("-") else ("", digits)
    head = len(digits) % 3 or 3
    return sign + "\u00a0".join([digits[:head]] + [digits[i:i + 3] for i in range(head, len(digits), 3)])


def _plain(x: float) -> str:
    """``180500.0`` -> ``"180 500"``, ``180.5`` -> ``"180,5"``: a reading shown to the user."""
    whole, _, frac = f"{x:.6f}".rstrip("0").rstrip(".").partition(".")
    return grouped(whole) + ("," + frac if frac else "")


def number_text(x: float, decimal_mark: str | None = None) -> str:
    """``x`` as a scenario file writes it, so that :func:`parse_number` reads back exactly
    ``x`` under the file's ``decimal_mark``: what variants saved by the hearing and by
    ``okmo register`` hold. Without a declared mark a point is used, and a number that would
    read two ways ("73.225") gets a trailing zero ("73.2250").

    >>> number_text(73.225), number_text(73.225, ","), number_text(0.5), number_text(-0.0)
    ('73.2250', '73,225', '0.5', '0')
    """
    text = format(Decimal(repr(float(x) + 0.0)), "f")  # the shortest exact text, no exponent
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    if decimal_mark is None and _AMBIGUOUS.match(text):
        text += "0"
    return text.replace(".", decimal_mark or ".")


def without_unit(value: float, text: str) -> dict:
    """The context of a "number without a unit" message: the number as written, and the
    per cent it is if it is a share (0,65 -> 65).

    >>> without_unit(0.65, "0,65")
    {'number': '0,65', 'percent': '65'}
    """
    share = 0 < abs(value) <= 1
    return {"number": text, "percent": _plain(value * 100 if share else value)}


def split_quantity(text: str) -> tuple[float, str]:
    """Split ``"17 000 som/staff/month"`` into ``(17000.0, "som/staff/month")``.

    The unit is the last space-free word that is not part of the number (a unit of two
    words, "шт. ед.", counts as one); ``"65 %"`` and ``"65%"`` both work, and so do units in
    Russian or Kyrgyz: ``"12,5 сом/м3"``, ``"45 сом/чел./мес."``.

    >>> split_quantity("16 000 сом/шт. ед./мес.")
    (16000.0, 'сом/шт.ед./мес.')
    """
    if isinstance(text, str):  # the same text under the same declared mark reads the same
        return _split_quantity(text, _DECLARED_MARK.get())
    return _split_quantity.__wrapped__(text, _DECLARED_MARK.get())


@lru_cache(maxsize=4096)
def _split_quantity(text: str, mark: str | None) -> tuple[float, str]:
    # ``mark`` keys the cache: parse_number reads it from the context, set to it here
    s = _joined(text.strip())
    if s.endswith("%"):
        return parse_number(s[:-1]), "%"
    if _BARE.match(s):  # "0,65" is a number without its unit, not 0 of a unit ",65"
        try:
            number = parse_number(s)
        except UnitError as exc:
            if exc.key == "not_a_number":
                raise UnitError("quantity_unreadable", value=text) from None
            context = {"number": s, "percent": s}  # it reads two ways: no per cent guessed
        else:
            if not math.isfinite(number):  # 400 digits: no per cent to suggest
                raise UnitError("number_not_plausible", value=text)
            context = without_unit(number, s)
        raise UnitError("quantity_without_unit", **context)
    m = re.match(r"^(.*?)[ \u00a0]*([^\s\d][^\s]*)$", s)
    if not m or not m.group(1).strip():
        raise UnitError("quantity_unreadable", value=text)
    return parse_number(m.group(1)), m.group(2)

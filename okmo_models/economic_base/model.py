"""The economic base year by year: counted, then forecast, and the revenue it yields.

:func:`load_economic_base` reads and validates a file; :func:`base_values` gives, for any
years, every count (land by category and user, livestock in heads and conventional heads,
businesses by kind), the pasture load, and each budget line's accrued revenue (Σ base ×
rate). A year counted gives the count; a later year the last count grown at the count's
yearly growth (the file's ``growth``, else the geometric mean growth of the years counted;
land areas stay as counted unless the file gives a growth); an earlier year, not counted, is
unknown (NaN), and so is every sum that needs it.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from okmo_models.economic_base.checks import check
from okmo_models.economic_base.schema import CONVENTIONAL, EconomicBase, RevenueTerm
from okmo_models.scenario.loader import read_data, validate_with



@dataclass(frozen=True)
class EconomicBaseFile:
    """A validated economic-base file and where it came from, as
    :class:`~okmo_models.programme.model.ProgrammeFile` is for a programme."""

    path: Path
    sha256: str
    base: EconomicBase
    baselines: tuple = ()  # a variant's baseline files as read (okmo_models.provenance.InputFile)

    @property
    def model(self):
        """The validated file, whatever its kind (see :mod:`okmo_models.kinds`)."""
        return self.base


def load_economic_base(path: str | Path) -> EconomicBaseFile:
    """Read and validate an economic-base file (or a variant of one)."""
    path = Path(path)
    data, sha, lines, baselines = read_data(path)
    return EconomicBaseFile(path, sha, validate_with(EconomicBase, check, data, path, lines), baselines)


def mean_growth(counts: dict) -> float:
    """The average yearly (geometric) growth of values by year: ``(last / first) ** (1 /
    (years - 1)) - 1``; 0 for one year, or when the first or the last is 0 (no growth rate
    leads from or to nothing).

    >>> round(mean_growth({2022: 100, 2023: 110, 2024: 121}), 6)
    0.1
    >>> mean_growth({2024: 5})
    0.0
    """
    years = sorted(counts)
    first, last = float(counts[years[0]]), float(counts[years[-1]])
    if len(years) < 2 or first <= 0 or last <= 0:
        return 0.0
    return (last / first) ** (1.0 / (years[-1] - years[0])) - 1.0


def count_path(counts: dict, growth: float, years: Iterable[int]) -> np.ndarray:
    """A count over ``years``: as counted, then the last count grown by ``growth`` a year
    after the last year counted; NaN before the first year counted.

    >>> count_path({2023: 10, 2024: 20}, 0.5, [2022, 2024, 2026]).tolist()
    [nan, 20.0, 45.0]
    """
    last = max(counts)
    out = []
    for y in years:
        if y in counts:
            out.append(float(counts[y]))
        elif y > last:
            out.append(float(counts[last]) * (1.0 + growth) ** (y - last))
        else:  # before the count (or a gap, which the rules refuse): unknown
            out.append(np.nan)
    return np.array(out, dtype=float)


def rate_in(term: RevenueTerm, year: int) -> float:
    """The term's rate in ``year``: the ``rate_from`` of the latest year at or before it,
    else ``rate``.

    >>> from okmo_models.economic_base.schema import RevenueTerm
    >>> term = RevenueTerm(base="land", of="irrigated", rate=500, rate_from={2026: 600}, source="s")
    >>> rate_in(term, 2025), rate_in(term, 2027)
    (500.0, 600.0)
    """
    since = [y for y in term.rate_from if y <= year]
    return float(term.rate_from[max(since)]) if since else float(term.rate)


def _growth(given, counts: dict, default_constant: bool) -> tuple[float, bool]:
    """(growth a year, given by the file?)"""
    if given is not None:
        return given.value * given.parsed_unit.factor, True
    return (0.0 if default_constant else mean_growth(counts)), False


@dataclass(frozen=True)
class BaseValues:
    """The economic base over ``years`` (each array is by year of ``years``), in the file's
    unit for money, hectares, heads and businesses otherwise. See :func:`base_values`."""

    years: tuple
    land: dict  # (category, user) -> hectares
    land_by_category: dict  # category -> hectares, its users summed
    heads: dict  # species -> heads
    conventional: dict  # species -> conventional heads (heads x coefficient)
    conventional_total: np.ndarray  # all species, conventional heads
    pasture_area: np.ndarray  # hectares of the category "pastures", every user (NaN: none)
    pasture_load: np.ndarray  # conventional heads per hectare of pastures (NaN: no livestock or pastures)
    capacity: float | None  # conventional heads a hectare of the pastures feeds (pastures.capacity)
    businesses: dict  # kind -> businesses
    growth: dict  # (base, item) -> growth a year used for the forecast; item: "category/user", species, kind
    growth_given: frozenset  # the (base, item) whose growth the file gives
    accrued: dict  # budget line -> accrued revenue (Σ base x rate), file's unit
    accrued_terms: dict  # budget line -> one array per term, in the file's order
    rates: dict  # budget line -> one array of rates per term

    def overloaded(self) -> np.ndarray:
        """Years whose pasture load is above the carrying capacity (False where unknown)."""
        if self.capacity is None:
            return np.zeros(len(self.years), dtype=bool)
        with np.errstate(invalid="ignore"):
            return np.nan_to_num(self.pasture_load, nan=-np.inf) > self.capacity

    def base_of(self, term: RevenueTerm) -> np.ndarray:
        """The base a revenue term is reckoned on, by year: hectares of a land category,
        heads of a species, conventional heads of all, or businesses of a kind."""
        if term.base == "land":
            return self.land_by_category[term.of]
        if term.base == "livestock":
            return self.conventional_total if term.of == CONVENTIONAL else self.heads[term.of]
        return self.businesses[term.of]


def _sum(arrays, n: int) -> np.ndarray:
    arrays = list(arrays)
    return np.sum(arrays, axis=0) if arrays else np.full(n, np.nan)


def base_values(base: EconomicBase, years: Iterable[int]) -> BaseValues:
    """Every count, the pasture load and the accrued revenue of ``base`` over ``years``
    (counted years as counted, later years forecast; see the module's docstring)."""
    years = tuple(int(y) for y in years)
    n = len(years)
    growth, given = {}, set()

    def path(kind: str, item: str, counts: dict, g, constant: bool = False) -> np.ndarray:
        growth[(kind, item)], from_file = _growth(g, counts, constant)
        if from_file:
            given.add((kind, item))
        return count_path(counts, growth[(kind, item)], years)

    land = {(e.category, e.user): path("land", f"{e.category}/{e.user}", e.area, e.growth, constant=True)
            for e in base.land}
    categories = list(dict.fromkeys(c for c, _ in land))
    by_category = {c: _sum((v for (cat, _), v in land.items() if cat == c), n) for c in categories}
    heads = {h.species: path("livestock", h.species, h.heads, h.growth) for h in base.livestock}
    conventional = {h.species: heads[h.species] * float(h.conventional) for h in base.livestock}
    total = _sum(conventional.values(), n) if conventional else np.zeros(n)
    pasture_area = by_category.get("pastures", np.full(n, np.nan))
    with np.errstate(divide="ignore", invalid="ignore"):
        load = np.where(pasture_area > 0, total / pasture_area, np.nan) if base.livestock else np.full(n, np.nan)
    businesses = {b.kind: path("businesses", b.kind, b.count, b.growth) for b in base.businesses}
    counts = BaseValues(years, land, by_category, heads, conventional, total, pasture_area, load,
                        float(base.pastures.capacity) if base.pastures is not None else None, businesses,
                        growth, frozenset(given), {}, {}, {})
    rates = {line: [np.array([rate_in(term, y) for y in years]) for term in terms]
             for line, terms in base.revenue_bases.items()}
    parts = {line: [counts.base_of(term) * r for term, r in zip(terms, rates[line])]
             for line, terms in base.revenue_bases.items()}
    return dataclasses.replace(counts, accrued={line: _sum(p, n) for line, p in parts.items()},
                               accrued_terms=parts, rates=rates)


def counted_years(base: EconomicBase) -> tuple:
    """The years of the counts: from the earliest year any count starts to ``year``."""
    firsts = [min(c) for c in _counts(base)]
    return tuple(range(min(firsts, default=base.year), base.year + 1))


def _counts(base: EconomicBase) -> list[dict]:
    return [e.area for e in base.land] + [h.heads for h in base.livestock] + [b.count for b in base.businesses]

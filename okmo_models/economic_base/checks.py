"""The rules of an economic-base file (``kind: economic_base``) that need the whole file,
one small function per rule.

Each rule takes the validated :class:`~okmo_models.economic_base.schema.EconomicBase` and
yields :class:`~okmo_models.errors.Problem` objects; :data:`RULES` lists them in the order
their problems are reported, and :func:`check`, which the loader runs, chains them. That the
lines of ``revenue_bases`` are budget revenue lines is checked where a budget names the file
(:mod:`okmo_models.budget.bases`): the budget's lines are not known down here.
"""

from __future__ import annotations

from collections.abc import Iterator

from okmo_models.economic_base.schema import CONVENTIONAL, EconomicBase
from okmo_models.errors import Key, Problem


def _entries(b: EconomicBase):
    """(list field, index, field of the counts, counts, growth) of every count of the file."""
    for i, e in enumerate(b.land):
        yield "land", i, "area", e.area, e.growth
    for i, h in enumerate(b.livestock):
        yield "livestock", i, "heads", h.heads, h.growth
    for i, c in enumerate(b.businesses):
        yield "businesses", i, "count", c.count, c.growth


def counts_consecutive_to_year(b: EconomicBase) -> Iterator[Problem]:
    """The years of each count follow each other (none missing) and end at ``year``: the
    growth of a count is measured over its years, and its forecast starts after ``year``."""
    for field, i, name, counts, _ in _entries(b):
        years = sorted(counts)
        for k in range(1, len(years)):
            if years[k] != years[k - 1] + 1:
                yield Problem(path=(field, i, name, Key(years[k])), key="eb_years_gap", value=years[k],
                              context={"previous": years[k - 1]})
        if years[-1] != b.year:
            yield Problem(path=(field, i, name), key="eb_years_end", value=years[-1], context={"year": b.year})


def growth_above_minus_100(b: EconomicBase) -> Iterator[Problem]:
    """A count's growth for the forecast keeps it above nothing (above -100 % a year)."""
    for field, i, _, _, growth in _entries(b):
        if growth is not None and growth.value * growth.parsed_unit.factor <= -1:
            yield Problem(path=(field, i, "growth"), key="eb_growth_range", value=str(growth))


def entries_once(b: EconomicBase) -> Iterator[Problem]:
    """A land category of one user, a species and a kind of business is counted once (two
    entries would be added up without anyone meaning it)."""
    seen: set = set()
    keyed = [("land", i, (e.category, e.user), f"{e.category}, {e.user}") for i, e in enumerate(b.land)]
    keyed += [("livestock", i, h.species, h.species) for i, h in enumerate(b.livestock)]
    keyed += [("businesses", i, c.kind, c.kind) for i, c in enumerate(b.businesses)]
    for field, i, key, shown in keyed:
        if (field, key) in seen:
            yield Problem(path=(field, i), key="eb_entry_twice", value=shown)
        seen.add((field, key))


def terms_name_a_base(b: EconomicBase) -> Iterator[Problem]:
    """Each revenue term reckons on a base the file counts: a land category given under
    ``land``, a species given under ``livestock`` (or ``conventional``, all of them in
    conventional heads), a kind of business given under ``businesses``."""
    known = {"land": list(dict.fromkeys(e.category for e in b.land)),
             "livestock": [h.species for h in b.livestock] + ([CONVENTIONAL] if b.livestock else []),
             "businesses": [c.kind for c in b.businesses]}
    for line, terms in b.revenue_bases.items():
        for k, term in enumerate(terms):
            if term.of not in known[term.base]:
                # the base in words by its own message: the reader never sees "land" in Russian
                yield Problem(path=("revenue_bases", line, k, "of"), key="eb_base_unknown_" + term.base,
                              value=term.of, context={"known": ", ".join(known[term.base]) or "—"})


def pastures_with_livestock(b: EconomicBase) -> Iterator[Problem]:
    """Livestock comes with its pastures: the carrying capacity (``pastures``) and the area
    of the land category ``pastures``, which the pasture load is reckoned on."""
    if not b.livestock:
        return
    if b.pastures is None:
        yield Problem(path=("pastures",), key="eb_pastures_missing")
    if not any(e.category == "pastures" for e in b.land):
        yield Problem(path=("land",), key="eb_pasture_land_missing")


def sources_named(b: EconomicBase) -> Iterator[Problem]:
    """Every count, the pastures' capacity and every revenue term cite a source of the file."""
    refs = [((field, i, "source"), entry.source)
            for field in ("land", "livestock", "businesses") for i, entry in enumerate(getattr(b, field))]
    if b.pastures is not None:
        refs.append((("pastures", "source"), b.pastures.source))
    refs += [(("revenue_bases", line, k, "source"), term.source)
             for line, terms in b.revenue_bases.items() for k, term in enumerate(terms)]
    for path, name in refs:
        if name not in b.sources:
            yield Problem(path=path, key="source_unknown", value=name, context={"known": ", ".join(b.sources)})


# The order in which their problems are reported.
RULES = (counts_consecutive_to_year, growth_above_minus_100, entries_once, terms_name_a_base,
         pastures_with_livestock, sources_named)


def check(b: EconomicBase) -> Iterator[Problem]:
    """Every problem of an economic-base file that is well formed field by field: the
    problems of each rule of :data:`RULES`, in turn."""
    for rule in RULES:
        yield from rule(b)

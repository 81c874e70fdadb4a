"""The rules of a settlement passport (``kind: passport``) that need the whole file, one
small function per rule.

Each rule takes the validated :class:`~okmo_models.passport.schema.Passport` and yields
:class:`~okmo_models.errors.Problem` objects; :data:`RULES` lists them in the order their
problems are reported, and :func:`check`, which the loader runs, chains them.
"""

from __future__ import annotations

from collections.abc import Iterator

from okmo_models.errors import Problem
from okmo_models.passport.schema import CONDITIONS, Passport


def settlement_ids_once(p: Passport) -> Iterator[Problem]:
    """No two settlements share an id (objects name their settlement by it)."""
    for i, s in enumerate(p.settlements):
        if any(other.id == s.id for other in p.settlements[:i]):  # the second is the one to rename
            yield Problem(path=("settlements", i, "id"), key="pp_settlement_twice", value=s.id)


def object_ids_once(p: Passport) -> Iterator[Problem]:
    """No two objects share an id (a next year's passport, tariffs and measures name them by it)."""
    for i, o in enumerate(p.objects):
        if any(other.id == o.id for other in p.objects[:i]):
            yield Problem(path=("objects", i, "id"), key="pp_object_twice", value=o.id)


def settlement_known(p: Passport) -> Iterator[Problem]:
    """Every object lies in a settlement the passport lists."""
    known = {s.id for s in p.settlements}
    for i, o in enumerate(p.objects):
        if o.settlement not in known:
            yield Problem(path=("objects", i, "settlement"), key="pp_settlement_unknown", value=o.settlement,
                          context={"known": ", ".join(sorted(known))})


def built_before_the_passport_year(p: Passport) -> Iterator[Problem]:
    """An object was built, and put on the balance, no later than the passport's year, and
    put on the balance no earlier than it was built."""
    for i, o in enumerate(p.objects):
        if o.built is not None and o.built > p.year:
            yield Problem(path=("objects", i, "built"), key="pp_year_after_passport", value=o.built,
                          context={"year": p.year})
        if o.acquired is not None and (o.acquired > p.year or o.built is None or o.acquired < o.built):
            yield Problem(path=("objects", i, "acquired"), key="pp_acquired_outside", value=o.acquired,
                          context={"built": o.built if o.built is not None else "—", "year": p.year})


def condition_of_what_stands(p: Passport) -> Iterator[Problem]:
    """An object that stands has a condition; one not built yet has none, no capacity, a
    need (what it is for) and a way to build it."""
    for i, o in enumerate(p.objects):
        if o.built is not None and o.condition is None:
            yield Problem(path=("objects", i, "condition"), key="pp_condition_missing", value=o.id)
        if o.built is None:
            if o.condition is not None:
                yield Problem(path=("objects", i, "condition"), key="pp_condition_of_missing", value=o.condition)
            if o.capacity:
                yield Problem(path=("objects", i, "capacity"), key="pp_capacity_of_missing", value=o.capacity)
            if not o.need:
                yield Problem(path=("objects", i, "need"), key="pp_need_of_missing", value=o.need)
            if not o.options:
                yield Problem(path=("objects", i, "options"), key="pp_option_of_missing", value=o.id)


def repairs_while_it_stood(p: Passport) -> Iterator[Problem]:
    """A repair falls between the year the object was built and the passport's year."""
    for i, o in enumerate(p.objects):
        for j, r in enumerate(o.repairs):
            if o.built is None or not o.built <= r.year <= p.year:
                yield Problem(path=("objects", i, "repairs", j, "year"), key="pp_repair_year", value=r.year,
                              context={"built": o.built if o.built is not None else "—", "year": p.year})


def option_ids_once(p: Passport) -> Iterator[Problem]:
    """No two options of one object share an id (a measure names its option by it)."""
    for i, o in enumerate(p.objects):
        for j, x in enumerate(o.options):
            if any(other.id == x.id for other in o.options[:j]):
                yield Problem(path=("objects", i, "options", j, "id"), key="pp_option_twice", value=x.id)


def service_assets_complete(p: Passport) -> Iterator[Problem]:
    """An object a tariff depreciates (it names a ``service``) has its balance value, its
    useful life and its year: the tariff's depreciation is computed from them."""
    for i, o in enumerate(p.objects):
        if o.service is None:
            continue
        for field_name in ("balance_value", "useful_life", "built"):
            if getattr(o, field_name) is None:
                yield Problem(path=("objects", i, field_name), key="pp_service_asset_field", value=o.id,
                              context={"service": o.service})


def points_for_every_condition(p: Passport) -> Iterator[Problem]:
    """The priority gives points for each of the four conditions (none is read as zero)."""
    for c in CONDITIONS:
        if c not in p.priority.condition:
            yield Problem(path=("priority", "condition", c), key="pp_points_missing", value=c)


RULES = (settlement_ids_once, object_ids_once, settlement_known, built_before_the_passport_year,
         condition_of_what_stands, repairs_while_it_stood, option_ids_once, service_assets_complete,
         points_for_every_condition)


def check(p: Passport) -> list[Problem]:
    """Every problem the rules find, in the order of :data:`RULES`."""
    return [problem for rule in RULES for problem in rule(p)]

"""A settlement passport read, and its needs ranked.

A *need* is an object in emergency or unsatisfactory condition, short of capacity against
what the residents need, failing the legal requirements, or not built yet. Its priority is
the sum of the points the passport's ``priority`` gives: for the condition (or for not being
built), for the shortfall
(in proportion: half the need unmet earns half the points) and for failing the
requirements. The ranking is by points, then by residents served.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from okmo_models.passport.checks import check
from okmo_models.passport.schema import Option, Passport, PassportObject
from okmo_models.scenario.loader import read_data, validate_with



@dataclass(frozen=True)
class PassportFile:
    """A validated passport file and where it came from, as
    :class:`~okmo_models.scenario.loader.ScenarioFile` is for a tariff."""

    path: Path
    sha256: str
    passport: Passport
    baselines: tuple = ()  # a variant's baseline files as read (last year's passport)

    @property
    def model(self):
        """The validated file, whatever its kind (see :mod:`okmo_models.kinds`)."""
        return self.passport


def load_passport(path: str | Path) -> PassportFile:
    """Read and validate a passport (or this year's difference from last year's)."""
    path = Path(path)
    data, sha, lines, baselines = read_data(path)
    return PassportFile(path, sha, validate_with(Passport, check, data, path, lines), baselines)


@dataclass(frozen=True)
class Need:
    """One object that needs works, with the figures its priority is made of."""

    object: PassportObject
    shortfall: float  # need less capacity, in the type's unit (0 when none)
    shortfall_share: float  # of the need
    points: float
    condition_points: float
    shortfall_points: float
    requirements_points: float

    @property
    def option(self) -> Option | None:
        """The works proposed first (the passport lists an object's options in its order of preference)."""
        return self.object.options[0] if self.object.options else None


def shortfall(o: PassportObject) -> tuple[float, float]:
    """What the object lacks against the need, and that as a share of the need."""
    if not o.need:
        return 0.0, 0.0
    short = max(0.0, o.need - o.capacity)
    return short, short / o.need


def assess(p: Passport, o: PassportObject) -> Need:
    """The object's priority points, whether or not it is a need."""
    short, share = shortfall(o)
    cond = p.priority.condition.get(o.condition, 0.0) if o.condition else p.priority.not_built
    return Need(o, short, share, cond + p.priority.shortfall * share
                + (0.0 if o.meets_requirements else p.priority.requirements),
                cond, p.priority.shortfall * share, 0.0 if o.meets_requirements else p.priority.requirements)


def is_need(o: PassportObject) -> bool:
    return (o.built is None or o.condition in ("emergency", "unsatisfactory") or not o.meets_requirements
            or shortfall(o)[0] > 0)


def needs(p: Passport) -> tuple[Need, ...]:
    """The needs, most urgent first: by points, then residents served, then as listed."""
    found = [assess(p, o) for o in p.objects if is_need(o)]
    order = sorted(range(len(found)), key=lambda i: (-found[i].points, -found[i].object.served, i))
    return tuple(found[i] for i in order)

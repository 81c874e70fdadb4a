"""Legislated rates and methodological constants, kept as data.

Each ``*.yaml`` file in this folder is one parameter: a description in three
languages, its unit, and its values keyed by the date they take effect, each with a
source (the layout follows OpenFisca's parameter files).  A scenario may override a
parameter for its own case, and must then cite its own source.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

import yaml

from okmo_models.units import parse_unit


@dataclass(frozen=True)
class ParameterSpec:
    """A parameter as declared in its file."""

    name: str
    description: dict
    unit: str
    values: tuple  # of dicts: effective (date), value, source, note
    references: dict
    valid: dict  # allowed range in the parameter's unit: min / above / max
    services: tuple = ()  # services the parameter is meant for (empty: any)

    def out_of_range(self, value_in_unit: float) -> bool:
        v = self.valid
        return (("min" in v and value_in_unit < v["min"]) or
                ("above" in v and value_in_unit <= v["above"]) or
                ("max" in v and value_in_unit > v["max"]))


@dataclass(frozen=True)
class ParameterValue:
    """The value of a parameter that a calculation used, with where it came from.

    ``value`` is in base units (a percentage as a fraction); ``shown`` is as written.
    """

    name: str
    value: object
    shown: str
    unit: str
    effective: dt.date | None
    source: str
    overridden: bool = False


class ParameterNotDefined(LookupError):
    def __init__(self, name: str, year: int, first: dt.date):
        super().__init__(f"{name} is not defined for {year} (first value from {first})")
        self.name, self.year, self.first = name, year, first


@lru_cache(maxsize=1)
def known_parameters() -> dict[str, ParameterSpec]:
    """Every parameter shipped with the package, by name."""
    folder = resources.files("okmo_models").joinpath("parameters")
    specs = {}
    for entry in sorted(folder.iterdir(), key=lambda e: e.name):
        if not entry.name.endswith(".yaml"):
            continue
        data = yaml.safe_load(entry.read_text("utf-8"))
        name = entry.name[: -len(".yaml")]
        values = tuple(sorted(data["values"], key=lambda v: v["effective"]))
        specs[name] = ParameterSpec(name, data["description"], str(data["unit"]), values,
                                    data.get("references", {}), data.get("valid", {}),
                                    tuple(data.get("services", ())))
    return specs


def resolve(name: str, year: int, overrides=None, sources=None) -> ParameterValue:
    """The value of ``name`` in force on 1 January of ``year``, or the scenario's override.

    ``overrides`` maps names to :class:`~okmo_models.scenario.schema.ParameterOverride`;
    ``sources`` is the scenario's source list, used to quote the override's citation.
    """
    spec = known_parameters()[name]
    if overrides and name in overrides:
        o = overrides[name]
        return ParameterValue(name, o.value.value * o.value.parsed_unit.factor, str(o.value), spec.unit, None,
                              (sources or {}).get(o.source, o.source), overridden=True)
    on = dt.date(year, 1, 1)
    in_force = [v for v in spec.values if v["effective"] <= on]
    if not in_force:
        raise ParameterNotDefined(name, year, spec.values[0]["effective"])
    v = in_force[-1]
    value = v["value"]
    shown = f"{value:g} {spec.unit}" if isinstance(value, (int, float)) else ", ".join(map(str, value))
    source = spec.references.get(v["source"], v["source"])
    return ParameterValue(name, _to_base(value, spec.unit), shown, spec.unit, v["effective"], source)


def _factor(unit: str) -> float:
    return 1.0 if unit == "list" else parse_unit(unit).factor


def _to_base(value, unit: str):
    if unit == "list":
        return tuple(value)
    return float(value) * _factor(unit)

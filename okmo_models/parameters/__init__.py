"""Legislated rates and methodological constants, kept as data.

Each ``*.yaml`` file in this folder is one parameter: a description in three
languages, its unit, and its values keyed by the date they take effect, each with a
source (the layout follows OpenFisca's parameter files).  A scenario may override a
parameter for its own case, and must then cite its own source.

A parameter that is one country's law (``country: KG``) is never applied silently to a
scenario of another country: such a scenario must give its own value with a source.
Units: a unit of measure (``%``, ``som``), ``list`` (e.g. exempt services) or ``text``
(one of ``options``, e.g. a rounding rule).
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
    country: str | None = None  # the jurisdiction whose law it is (None: a method, any country)
    options: tuple = ()  # the values a ``text`` parameter may take

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

    def text(self, lang: str) -> str:
        """The value in the reader's words: a rule or a list of services named, not coded."""
        from okmo_models.i18n import has, t

        if self.unit == "text":
            return t(f"{self.name}_{self.value}", lang)
        if self.unit == "list" and all(isinstance(v, str) for v in self.value):
            return ", ".join(t("service_" + v, lang) if has("service_" + v) else v for v in self.value) or "—"
        return self.shown


class ParameterNotDefined(LookupError):
    def __init__(self, name: str, year: int, first: dt.date):
        super().__init__(f"{name} is not defined for {year} (first value from {first})")
        self.name, self.year, self.first = name, year, first


class ParameterOfAnotherCountry(LookupError):
    """The package's value is one country's law and the scenario is of another country."""

    def __init__(self, name: str, law_country: str, country: str):
        super().__init__(f"{name} is {law_country} law; the scenario is of {country}")
        self.name, self.law_country, self.country = name, law_country, country


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
                                    tuple(data.get("services", ())), data.get("country"),
                                    tuple(data.get("options", ())))
    return specs


def resolve(name: str, year: int, overrides=None, sources=None, country: str = "KG") -> ParameterValue:
    """The value of ``name`` in force on 1 January of ``year``, or the scenario's override.

    ``overrides`` maps names to :class:`~okmo_models.scenario.schema.ParameterOverride`;
    ``sources`` is the scenario's source list, used to quote the override's citation.
    Raises :class:`ParameterOfAnotherCountry` when the package's value is the law of
    another country than ``country`` and the scenario gives none of its own.
    """
    spec = known_parameters()[name]
    if overrides and name in overrides:
        o = overrides[name]
        if o.items is not None:  # a list, or a text rule given as its one item
            value = o.items[0] if spec.unit == "text" else tuple(o.items)
            shown = ", ".join(o.items) or "—"
        else:
            value, shown = o.value.value * o.value.parsed_unit.factor, str(o.value)
        return ParameterValue(name, value, shown, spec.unit, None,
                              (sources or {}).get(o.source, o.source), overridden=True)
    if spec.country and spec.country != country:
        raise ParameterOfAnotherCountry(name, spec.country, country)
    on = dt.date(year, 1, 1)
    in_force = [v for v in spec.values if v["effective"] <= on]
    if not in_force:
        raise ParameterNotDefined(name, year, spec.values[0]["effective"])
    v = in_force[-1]
    value = v["value"]
    if spec.unit == "list":
        shown = ", ".join(map(str, value)) or "—"
    elif spec.unit == "text":
        shown = str(value)
    else:
        shown = f"{value:g} {spec.unit}"
    source = spec.references.get(v["source"], v["source"])
    return ParameterValue(name, _to_base(value, spec.unit), shown, spec.unit, v["effective"], source)


def _to_base(value, unit: str):
    if unit == "list":
        return tuple(value)
    if unit == "text":
        return str(value)
    return float(value) * parse_unit(unit).factor

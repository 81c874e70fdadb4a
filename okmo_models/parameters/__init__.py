"""Legislated rates and methodological constants, kept as data.

Each ``*.yaml`` file in this folder is one parameter: a description in three
languages, its unit, and its values keyed by the date they take effect, each with a
source, itself written in the three languages (the layout follows OpenFisca's parameter
files).  A scenario may override a
parameter for its own case, and must then cite its own source.

A parameter that is one country's law (``country: KG``) is never applied silently to a
scenario of another country: such a scenario must give its own value with a source.
Units: a unit of measure (``%``, ``som``), ``list`` (e.g. exempt services) or ``text``
(one of ``options``, e.g. a rounding rule).

The layout is declared in :mod:`okmo_models.parameters.schema` and checked as each file is
read: a malformed file is refused with :class:`ParameterFileError`, naming the file, the
field and the value, rather than giving a wrong rate later.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

import yaml
from pydantic import ValidationError

from okmo_models.errors import Problem, ScenarioError
from okmo_models.formatting import format_number, format_percent, format_quantity
from okmo_models.i18n import has, t
from okmo_models.parameters.checks import check
from okmo_models.parameters.schema import ParameterFile, is_number, outside
from okmo_models.provenance import source_text
from okmo_models.strict_schema import problem_of
from okmo_models.units import UnitError, parse_unit, split_quantity


@dataclass(frozen=True)
class ParameterSpec:
    """A parameter as declared in its file."""

    name: str
    description: dict
    unit: str
    values: tuple  # of dicts: effective (date), value, source, note
    references: dict  # key -> a text for every reader, or {ru, ky, en}
    valid: dict  # allowed range in the parameter's unit: min / above / max
    services: tuple = ()  # services the parameter is meant for (empty: any)
    country: str | None = None  # the jurisdiction whose law it is (None: a method, any country)
    options: tuple = ()  # the values a ``text`` parameter may take

    def out_of_range(self, value_in_unit: float) -> bool:
        return outside(self.valid, value_in_unit)


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
    source: str | dict  # as written: one text, or {ru, ky, en} (provenance.source_text picks one)
    overridden: bool = False

    def text(self, lang: str) -> str:
        """The value in the reader's words: a rule or a list of services named, not coded."""
        if self.unit == "text":
            return t(f"{self.name}_{self.value}", lang)
        if self.unit == "list" and all(isinstance(v, str) for v in self.value):
            return ", ".join(t("service_" + v, lang) if has("service_" + v) else v for v in self.value) or "—"
        if self.unit == "list":
            return "; ".join(value_lines(self.name, self.value, self.unit, lang)) or "—"
        try:  # a quantity as written in the parameter file ("0.01 som") in the reader's numbers and units
            return format_quantity(*split_quantity(self.shown), lang)
        except UnitError:
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


class ParameterFileError(ScenarioError):
    """A parameter file that does not follow its declared layout, with every problem in it."""


class _Loader(getattr(yaml, "CSafeLoader", yaml.SafeLoader)):
    """YAML as usual, but a date that does not exist (2024-13-01) is kept as written for the
    schema to name, instead of failing inside the parser."""


def _timestamp(loader, node):
    try:
        return yaml.SafeLoader.construct_yaml_timestamp(loader, node)
    except ValueError:
        return loader.construct_scalar(node)


_Loader.add_constructor("tag:yaml.org,2002:timestamp", _timestamp)


def read_parameter_file(path) -> ParameterSpec:
    """The parameter declared in the YAML file ``path`` (a path or a package resource),
    checked against :class:`~okmo_models.parameters.schema.ParameterFile`.

    Raises :class:`ParameterFileError` naming the file, each field at fault and its value.
    """
    def refused(*problems: Problem) -> ParameterFileError:
        return ParameterFileError(str(path), list(problems))

    try:
        data = yaml.load(path.read_text("utf-8"), Loader=_Loader)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        raise refused(Problem(key="file_not_yaml", line=mark.line + 1 if mark else None,
                              context={"column": mark.column + 1 if mark else "?", "detail": str(exc)})) from None
    if data is None:
        raise refused(Problem(key="file_empty"))
    if not isinstance(data, dict):
        raise refused(Problem(key="file_not_mapping", value=type(data).__name__))
    try:
        model = ParameterFile.model_validate(data)
    except ValidationError as exc:
        raise refused(*(problem_of(e, data) for e in exc.errors())) from None
    problems = list(check(model))
    if problems:
        raise refused(*problems)
    return ParameterSpec(
        path.name.removesuffix(".yaml"), model.description.model_dump(), model.unit,
        tuple(v.model_dump(exclude_none=True) for v in model.values),
        {key: text if isinstance(text, str) else text.model_dump() for key, text in model.references.items()},
        model.valid.model_dump(exclude_none=True) if model.valid else {},
        model.services, model.country, model.options)


@lru_cache(maxsize=1)
def known_parameters() -> dict[str, ParameterSpec]:
    """Every parameter shipped with the package, by name (each file checked as it is read)."""
    folder = resources.files("okmo_models").joinpath("parameters")
    entries = sorted((e for e in folder.iterdir() if e.name.endswith(".yaml")), key=lambda e: e.name)
    return {spec.name: spec for spec in map(read_parameter_file, entries)}


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


def value_lines(name: str, value, unit: str, lang: str) -> list[str]:
    """A parameter's value as written in its file, in the reader's words and units: one line,
    or a line per item of a list (an act of the legal basis, an income group, a service).

    >>> value_lines("vat_rate", 12, "%", "ru"), value_lines("x", [1, 3], "list", "ky")
    (['12 %'], ['1 – 3 аралыгында'])
    """
    if unit == "text":
        return [t(f"{name}_{value}", lang) if has(f"{name}_{value}") else str(value)]
    if unit != "list":
        return [format_quantity(value, unit, lang)]
    if len(value) == 2 and all(is_number(v) for v in value):  # a range: low and high
        low, high = (format_number(v, 0 if float(v).is_integer() else 2, lang) for v in value)
        return [t("parameter_value_range", lang, low=low, high=high)]
    lines = []
    for item in value:
        if isinstance(item, str):
            lines.append(t("service_" + item, lang) if has("service_" + item) else item)
        elif isinstance(item, dict) and "income_per_capita_som_month" in item:
            lines.append(t("parameter_income_group", lang, name=source_text(item["name"], lang),
                           income=format_quantity(item["income_per_capita_som_month"], "som", lang),
                           share=format_percent(item["share"], 0, lang)))
        elif isinstance(item, dict):  # a text in the three languages (an act of the legal basis)
            lines.append(source_text({k: item[k] for k in ("ru", "ky", "en") if k in item}, lang))
        else:
            lines.append(format_number(item, 0 if float(item).is_integer() else 2, lang))
    return lines


def _to_base(value, unit: str):
    if unit == "list":
        return tuple(value)
    if unit == "text":
        return str(value)
    return float(value) * parse_unit(unit).factor

"""The declared layout of a parameter file (``okmo_models/parameters/*.yaml``).

Structure only (keys, types, dates, unit); the rules that need the whole file (dates in
order, sources named, values that fit the unit) are in :mod:`okmo_models.parameters.checks`.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from typing import Annotated, Any

from pydantic import BeforeValidator, Field, field_validator

from okmo_models.strict_schema import StrictModel, invalid
from okmo_models.units import UnitError, parse_unit

# Units that are not units of measure: a list of items, or one of the file's ``options``.
PLAIN_UNITS = ("list", "text")

Text = Annotated[str, Field(min_length=1)]


def _date(v):
    # YAML reads 2024-01-01 as a date; a year alone, 01.01.2024 or 2024-13-01 stays as written.
    if isinstance(v, dt.date) and not isinstance(v, dt.datetime):
        return v
    raise invalid("parameter_date_invalid")


def is_number(v) -> bool:
    """A finite number as YAML reads it (``true`` is not one)."""
    return isinstance(v, (int, float)) and not isinstance(v, bool) and math.isfinite(v)


def _number(v):
    if not is_number(v):
        raise invalid("not_a_number")
    return v


Number = Annotated[int | float, BeforeValidator(_number)]  # an int stays one: shown as written


class Description(StrictModel):
    """What the parameter is, in each of the three languages (all are shown to readers)."""

    ru: Text
    ky: Text
    en: Text


class SourceText(StrictModel):
    """Where a value comes from, in each of the three languages (all are shown to readers);
    a publication's own title may stay as published inside «…», a web address as it is."""

    ru: Text
    ky: Text
    en: Text


class Valid(StrictModel):
    """The allowed range of a number parameter, in its unit: ``min`` and ``max`` included,
    ``above`` excluded."""

    min: Number | None = None
    above: Number | None = None
    max: Number | None = None


def outside(valid: dict, value: float) -> bool:
    """Whether ``value`` lies outside the range ``valid`` (see :class:`Valid`)."""
    return (("min" in valid and value < valid["min"]) or
            ("above" in valid and value <= valid["above"]) or
            ("max" in valid and value > valid["max"]))


class DatedValue(StrictModel):
    """A value in force from ``effective`` on, with the reference it comes from."""

    effective: Annotated[dt.date, BeforeValidator(_date)]
    value: Any  # its type follows the file's unit (see checks)
    source: Text
    note: Text | None = None


class ParameterFile(StrictModel):
    description: Description
    unit: Text
    values: Annotated[list[DatedValue], Field(min_length=1)]
    # a source: one text for every reader (a name or web address), or a text in each language
    references: dict[Text, Annotated[Text | SourceText, Field(union_mode="left_to_right")]]
    valid: Valid | None = None
    services: tuple[Text, ...] = ()  # services the parameter is meant for (empty: any)
    country: str | None = None  # the jurisdiction whose law it is (none: a method, any country)
    options: tuple[Text, ...] = ()  # the values a ``text`` parameter may take

    @field_validator("unit")
    @classmethod
    def _unit(cls, v: str) -> str:
        if v not in PLAIN_UNITS:
            try:
                parse_unit(v)
            except UnitError:
                raise invalid("parameter_unit_unknown") from None
        return v

    @field_validator("country")
    @classmethod
    def _country(cls, v: str | None) -> str | None:
        if v is not None and not re.fullmatch(r"[A-Z]{2}", v):
            raise invalid("parameter_country_code")
        return v

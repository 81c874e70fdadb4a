"""The declared schema of a monitoring file (``kind: monitoring``): which plans are followed
in which year, where the tables of actuals and instructions are, the surveys of residents,
and the rule of the traffic light. The design, with the tables' layout, is
``docs/monitoring.md``; whole-file rules are in :mod:`okmo_models.monitoring.checks`.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Annotated, Literal

from pydantic import BeforeValidator, Field

from okmo_models.monitoring.surveys import ReferencePoint, SurveySpec
from okmo_models.scenario.schema import LocalText, Number, PlanFile, Share, SourceRef, Year
from okmo_models.strict_schema import StrictModel, invalid

def _month(v):
    # "2027-9" or a date is refused in words (a pattern's own message speaks of identifiers)
    if isinstance(v, str) and re.fullmatch(r"\d{4}-(0[1-9]|1[0-2])", v):
        return v
    raise invalid("mo_month_invalid", value=v)


Month = Annotated[str, BeforeValidator(_month)]  # 2027-09
FileName = Annotated[str, Field(min_length=1)]


def _date(v):
    # YAML reads 2027-10-08 as a date; 08.10.2027 or 2027-13-01 stays text and is refused
    if isinstance(v, dt.date) and not isinstance(v, dt.datetime):
        return v
    raise invalid("mo_date_invalid", value=v)


Date = Annotated[dt.date, BeforeValidator(_date)]


class Review(StrictModel):
    month: Month  # the month reviewed by default
    meeting: Date  # the meeting that reviews it (by the 10th of the next month, seed 002)
    # instructions due within this many days after the meeting are listed as due soon
    due_soon_days: int = Field(default=30, ge=0, le=366)


class Plans(StrictModel):
    """The plan files followed, relative to the monitoring file."""

    programme: FileName | None = None
    tariffs: list[FileName] = []
    budget: FileName | None = None


class Deviation(StrictModel):
    """Bands around the plan for what should be neither above nor below it (costs, spending)."""

    green: Share
    amber: Share


class TrafficLight(StrictModel):
    green: Share  # the year-end forecast reaches this share of the plan
    amber: Share  # below green, at least this share; below: red
    deviation: Deviation  # costs and expenditure: |forecast / plan - 1| within green, amber
    source: SourceRef


class IndicatorSetting(StrictModel):
    """A setting of one indicator: how its year's plan falls over the months (or quarters)."""

    id: str = Field(min_length=1)
    profile: list[Annotated[Number, Field(ge=0)]] = Field(min_length=4, max_length=12)
    source: SourceRef


class Monitoring(PlanFile):
    kind: Literal["monitoring"]
    year: Year
    review: Review
    plans: Plans
    actuals: FileName
    instructions: FileName | None = None
    surveys: list[SurveySpec] = []
    reference: list[ReferencePoint] = []
    traffic_light: TrafficLight
    indicators: list[IndicatorSetting] = []
    sources: dict[str, LocalText]

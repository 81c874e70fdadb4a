"""The declared schema of a development programme file (``kind: programme``, ПСЭР).

Amounts are in the file's ``unit`` (som, thousand_som or million_som), the same unit as the
budget forecast the programme must fit. Whole-file checks (ids, years, dependencies,
co-financing rules) are the rules of :mod:`okmo_models.programme.checks`, which the loader runs.
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import AfterValidator, Field

from okmo_models.strict_schema import StrictModel, invalid
from okmo_models.scenario.schema import LocalText, Number, PlanFile, Share, SourceRef, Year

# Funding from outside the local budget, and the local budget itself (the rest).
FUNDING_KINDS = ("stimulating_grant", "targeted_transfer", "donor_grant", "community", "budget_loan")


def _not_negative(v: float) -> float:
    if v < 0:  # a negative cost would make the measure pay for others
        raise invalid("must_not_be_negative", value=v)
    return v


Cost = Annotated[Number, AfterValidator(_not_negative)]


# Sectors the reports and workbooks name in the reader's language (``prr_sector_*``); a
# measure may name another, shown as written.
SECTORS = ("water_sanitation", "education", "health", "roads", "public_spaces", "social", "waste", "energy",
           "culture_sport", "agriculture", "economy")


class Funding(StrictModel):
    """One source of a measure's money: a share of each year's cost or a total amount
    (spread over the years like the cost). Whatever is not covered is the local budget's."""

    kind: Literal["stimulating_grant", "targeted_transfer", "donor_grant", "community", "budget_loan"]
    share: Share | None = None
    amount: Number | None = Field(default=None, ge=0)
    # stimulating grants are given only against local co-financing of at least this share
    min_local_share: Share | None = None
    # budget loans are repaid from the local budget after completion, in equal parts
    repay_years: int | None = Field(default=None, ge=1, le=30)
    interest: Share | None = None
    source: SourceRef


class Indicator(StrictModel):
    id: str = Field(min_length=1)
    name: LocalText
    unit: str = Field(min_length=1)
    baseline: Number
    target: Number
    # the value planned at the end of each year, followed by monitoring (okmo monitoring)
    plan: dict[Year, Number] = {}


class Beneficiaries(StrictModel):
    total: Number = Field(ge=0)
    women: Number = Field(default=0, ge=0)
    vulnerable: Number = Field(default=0, ge=0)


class PassportLink(StrictModel):
    """The passport object a measure works on, and which of its options it carries out: the
    municipality's check compares the measure's cost, years and running cost with the option's."""

    object: str = Field(min_length=1)
    option: str = Field(min_length=1)


class Measure(StrictModel):
    id: str = Field(min_length=1, pattern=r"^[A-Za-z0-9_\-]+$")
    name: LocalText
    sector: str = Field(min_length=1)
    settlement: LocalText | None = None
    cost: list[Cost] = Field(min_length=1)  # by year of works, from the start year
    running_cost: Number = Field(default=0, ge=0)  # a year, after completion
    start: Year | None = None  # the start planned in the draft programme
    earliest_start: Year | None = None
    latest_start: Year | None = None
    committed: bool = False  # under way or contracted: always in, at its planned start
    funding: list[Funding] = []
    indicators: list[Indicator] = []
    beneficiaries: Beneficiaries
    scores: dict[str, Number] = {}
    requires: list[str] = []
    excludes: list[str] = []
    passport: PassportLink | None = None
    source: SourceRef


class Criterion(StrictModel):
    name: LocalText
    weight: Number = Field(gt=0)


class Rules(StrictModel):
    min_vulnerable_share: Share | None = None  # of all beneficiaries of the chosen measures
    carry_over: bool = False  # money left in a year may be spent in the next ones
    source_limits: dict[str, dict[int, Number]] = {}  # funding kind -> year -> most available


class Programme(PlanFile):
    kind: Literal["programme"]
    first_year: Year
    last_year: Year
    # each a plain text or {ru, ky, en}: the report and the JSON cite it in the reader's language
    sources: dict[str, LocalText] = Field(min_length=1)
    budget: str | None = None  # budget file whose forecast balance is the fiscal space
    budget_scenario: str | None = None
    capital_works_available: bool = False  # the forecast capital-works line may fund measures
    limits: dict[int, Number] = {}  # fiscal space by year, when no budget file is given
    limits_source: SourceRef | None = None
    criteria: dict[str, Criterion] = Field(min_length=1)
    scale: tuple[Number, Number] = (1, 5)  # the range of the hearing scores
    rules: Rules = Rules()
    measures: list[Measure] = Field(min_length=1)


def fraction(q) -> float:
    """A share quantity as a fraction: ``20 %`` -> 0.2."""
    return q.value * q.parsed_unit.factor


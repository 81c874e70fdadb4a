"""The declared schema of a municipality's economic base (``kind: economic_base``,
экономическая база): land by category and user, livestock by species with the pastures
that feed it, and small and medium businesses by kind (seed 002, section 4).

These are the bases of local revenue: land tax is area × rate, the pasture fee heads ×
fee, patents the number of businesses × patent. ``revenue_bases`` says which budget line is
reckoned from which base at which rate, so that a budget (``bases:`` in the budget file) can
forecast that line from its base instead of from its history. Counts are given for several
years (the base's dynamics), each up to ``year``; rates are in the file's ``unit`` a year per
unit of base (a hectare, a head, a business). A count's forecast follows its average yearly
growth over the years given, or the ``growth`` the file gives (land areas stay as counted
unless a growth is given). Whole-file rules are in :mod:`okmo_models.economic_base.checks`.
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field

from okmo_models.scenario.schema import SPECIES, LocalText, Number, PlanFile, SignedShare, SourceRef, Year
from okmo_models.strict_schema import StrictModel

LAND_CATEGORIES = ("irrigated", "rainfed", "orchards", "nurseries", "hayfields", "pastures", "reserve",
                   "settlement", "other")
LAND_USERS = ("households", "farms", "municipality", "state", "cooperatives", "enterprises", "other")
BUSINESS_KINDS = ("retail", "catering", "household_services", "transport", "processing", "crafts",
                  "construction", "tourism", "other")
# The bases a budget line may be reckoned from.
BASES = ("land", "livestock", "businesses")
# A livestock term of this name counts all the livestock in conventional heads.
CONVENTIONAL = "conventional"

Amount = Annotated[Number, Field(ge=0)]  # an area, a number of heads or businesses, a rate: never negative
# values by year (at least one year; rules in checks.py: consecutive, ending at ``year``)
Counts = Annotated[dict[int, Amount], Field(min_length=1)]


class Land(StrictModel):
    category: Literal[LAND_CATEGORIES]  # type: ignore[valid-type]
    user: Literal[LAND_USERS]  # type: ignore[valid-type]
    area: Counts  # hectares by year
    # a yearly growth of the area for the forecast (e.g. plots turned into building land);
    # none: the area stays as last counted
    growth: SignedShare | None = None
    source: SourceRef


class Herd(StrictModel):
    """Heads of one species by year, and its conventional-head coefficient (one head of
    this species grazes as many conventional heads)."""

    species: Literal[SPECIES]  # type: ignore[valid-type]
    heads: Counts
    conventional: Number = Field(gt=0)
    growth: SignedShare | None = None  # none: the average yearly growth of the heads counted
    source: SourceRef


class Pastures(StrictModel):
    """How many conventional heads a hectare of the pastures feeds in a season."""

    capacity: Number = Field(gt=0)  # conventional heads per hectare
    source: SourceRef


class Business(StrictModel):
    kind: Literal[BUSINESS_KINDS]  # type: ignore[valid-type]
    count: Counts  # businesses by year
    growth: SignedShare | None = None  # none: the average yearly growth of the count
    source: SourceRef


class RevenueTerm(StrictModel):
    """One term of a budget line: a base (a land category, all livestock in conventional
    heads or one species in heads, a kind of business) times a yearly rate."""

    base: Literal[BASES]  # type: ignore[valid-type]
    # land: a category; livestock: a species, or "conventional" for all in conventional heads;
    # businesses: a kind
    of: str = Field(min_length=1)
    rate: Amount  # in the file's unit a year, per hectare, head or business
    # a new rate from a year on (a what-if, or a decision already taken); the latest year
    # at or before a year gives that year's rate
    rate_from: dict[int, Amount] = {}
    source: SourceRef


class EconomicBase(PlanFile):
    kind: Literal["economic_base"]
    # each a plain text or {ru, ky, en}: the report and the JSON cite it in the reader's language
    sources: dict[str, LocalText] = Field(min_length=1)
    land: list[Land] = []
    livestock: list[Herd] = []
    pastures: Pastures | None = None
    businesses: list[Business] = []
    # budget line -> its terms (the line names are checked against the budget's where a
    # budget names this file: this package is below the budget's)
    revenue_bases: dict[str, Annotated[list[RevenueTerm], Field(min_length=1)]] = {}
    year: Year  # the last year counted
    horizon: int = Field(default=3, ge=1, le=15)  # years forecast after ``year`` in this file's result

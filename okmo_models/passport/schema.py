"""The declared schema of a settlement passport (``kind: passport``, паспорт населённого пункта).

Per settlement, every social and infrastructure object: what it is, when it was built and
repaired, its condition, its capacity against the need it serves, whether it meets the legal
requirements, the options to modernise it with their cost, its owner and balance value.
The Zhambyl algorithms (seed 002, section 3) ask for these facts, updated every year: a
new year's passport is a variant of last year's (``variant_of`` with only what changed,
objects addressed by id). Amounts are in the file's ``unit``, like the budget and programme.
Whole-file rules (ids, years, settlements named) are in :mod:`okmo_models.passport.checks`.
"""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from okmo_models.scenario.schema import SERVICES, LocalText, Number, PlanFile, SourceRef, Year
from okmo_models.strict_schema import StrictModel

# The kinds of object a passport lists; each has its capacity unit (``pp_unit_<type>``) and
# the programme sector its measures belong to (``SECTOR_OF``).
OBJECT_TYPES = ("school", "kindergarten", "health_post", "clinic", "club", "library", "sports_ground",
                "water_network", "water_pump", "water_reservoir", "sewerage", "road", "bridge",
                "street_lighting", "park", "social_centre", "landfill", "waste_container_sites", "dipping_bath", "waste_vehicle",
                "administration", "other")
SECTOR_OF = {"school": "education", "kindergarten": "education", "health_post": "health", "clinic": "health",
             "club": "culture_sport", "library": "culture_sport", "sports_ground": "culture_sport",
             "water_network": "water_sanitation", "water_pump": "water_sanitation",
             "water_reservoir": "water_sanitation", "sewerage": "water_sanitation", "road": "roads",
             "bridge": "roads", "street_lighting": "public_spaces", "park": "public_spaces", "social_centre": "social", "landfill": "waste", "waste_vehicle": "waste",
             "waste_container_sites": "waste",
             "dipping_bath": "agriculture", "administration": "public_spaces", "other": "public_spaces"}
# Worst first: the order the needs table ranks conditions in.
CONDITIONS = ("emergency", "unsatisfactory", "satisfactory", "good")
REPAIR_KINDS = ("capital", "medium", "current")
OWNERS = ("municipality", "municipal_enterprise", "state", "community", "private")


class Settlement(StrictModel):
    id: str = Field(min_length=1, pattern=r"^[a-z][a-z0-9_-]*$")
    name: LocalText
    population: Number = Field(ge=0)  # residents at the start of the passport year
    source: SourceRef


class Repair(StrictModel):
    """A capital, medium or current repair done: its year and cost (in the file's unit)."""

    kind: Literal[REPAIR_KINDS]  # type: ignore[valid-type]
    year: Year
    cost: Number = Field(ge=0)
    source: SourceRef


class Option(StrictModel):
    """A way to modernise the object, or to build it when it is still missing, with its
    cost estimate: the candidate measure the programme may take."""

    id: str = Field(min_length=1, pattern=r"^[a-z][a-z0-9_-]*$")
    name: LocalText
    cost: Number = Field(gt=0)  # the works' total, in the file's unit
    years: int = Field(default=1, ge=1, le=5)  # works last this many years
    capacity_after: Number | None = Field(default=None, ge=0)  # the capacity once done
    running_cost: Number = Field(default=0, ge=0)  # a year once done, in the file's unit
    source: SourceRef


class PassportObject(StrictModel):
    id: str = Field(min_length=1, pattern=r"^[a-z][a-z0-9_-]*$")
    settlement: str = Field(min_length=1)  # a settlement's id
    type: Literal[OBJECT_TYPES]  # type: ignore[valid-type]
    name: LocalText
    built: Year | None = None  # none: the object is needed but not built yet
    acquired: Year | None = None  # put on the balance (bought later than built); else built
    capacity: Number = Field(default=0, ge=0)  # in the type's unit (places, km, m³ a day...)
    need: Number | None = Field(default=None, ge=0)  # what the residents need, same unit
    served: Number = Field(default=0, ge=0)  # residents it serves (or would serve)
    condition: Literal[CONDITIONS] | None = None  # type: ignore[valid-type]
    meets_requirements: bool = True  # sanitary, fire and building rules
    requirements_note: LocalText | None = None
    repairs: list[Repair] = []
    options: list[Option] = []
    owner: Literal[OWNERS] = "municipality"  # type: ignore[valid-type]
    balance_value: Number | None = Field(default=None, ge=0)  # at acquisition, in the file's unit
    useful_life: int | None = Field(default=None, ge=1, le=100)  # years, for depreciation
    service: Literal[SERVICES] | None = None  # type: ignore[valid-type]  # the tariff whose assets it is
    source: SourceRef


class Priority(StrictModel):
    """Points that rank the needs: for the condition (an object not built yet earns
    ``not_built`` instead), for a full shortfall against the need (a half shortfall earns
    half), and for not meeting the legal requirements."""

    condition: dict[Literal[CONDITIONS], Number]  # type: ignore[valid-type]
    not_built: Number = Field(ge=0)
    shortfall: Number = Field(ge=0)
    requirements: Number = Field(ge=0)
    source: SourceRef


class Passport(PlanFile):
    kind: Literal["passport"]
    year: Year  # the state at the start of this year
    # each a plain text or {ru, ky, en}: the report and the JSON cite it in the reader's language
    sources: dict[str, LocalText] = Field(min_length=1)
    settlements: list[Settlement] = Field(min_length=1)
    objects: list[PassportObject] = Field(min_length=1)
    priority: Priority

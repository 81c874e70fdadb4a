"""Household and livestock registers: import, aggregate into scenario volumes, apply.

A household register export (one row per household: code, settlement, members, Social
Passport category) and a livestock register (heads by species and owner), as CSV or Excel,
become the volumes a tariff scenario needs: persons, households, households by Social
Passport category, heads by species. Every row is either used or listed with the cell and
the reason; the volumes go into a new scenario variant whose sources cite the register.
See docs/registers.md.
"""

from okmo_models.registers.apply import (
    households_variant,
    livestock_variant,
    save_variant,
)
from okmo_models.registers.households import (
    HouseholdRegister,
    HouseholdVolumes,
    household_volumes,
    read_households,
)
from okmo_models.registers.livestock import (
    LivestockRegister,
    LivestockVolumes,
    livestock_volumes,
    read_livestock,
)
from okmo_models.registers.table import RegisterError

__all__ = [
    "HouseholdRegister", "HouseholdVolumes", "LivestockRegister", "LivestockVolumes", "RegisterError",
    "household_volumes", "households_variant", "livestock_variant", "livestock_volumes",
    "read_households", "read_livestock", "save_variant",
]

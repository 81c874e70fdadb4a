"""The formulas of the tariff calculation, as small vectorised functions.

Each function takes numbers or numpy arrays and broadcasts, so one call serves one
scenario or ten thousand Monte Carlo variants.  Units are in the parameter names or
docstrings.  The methodology (docs/methodology.md) states the same formulas in words
and cites where they come from; tests check them against published calculations.
"""

from __future__ import annotations

import numpy as np

from okmo_models.formatting import round_to_step


def straight_line_depreciation(value_som, year_in_service, useful_life_years, year):
    """Annual straight-line depreciation of an asset in ``year`` [som/year].

    The charge is ``value / useful_life`` from the year the asset enters service until
    it is fully written off; a fractional life leaves a smaller last charge so that the
    total never exceeds the value.

    >>> float(straight_line_depreciation(3_500_000, 2024, 7, 2027))
    500000.0
    >>> float(straight_line_depreciation(1_000, 2020, 2.5, 2022))  # last, partial year
    200.0
    """
    value = np.asarray(value_som, dtype=float)
    life = np.asarray(useful_life_years, dtype=float)
    elapsed = np.asarray(year, dtype=float) - np.asarray(year_in_service, dtype=float)
    annual = value / life
    written_off_before = annual * np.clip(elapsed, 0.0, life)
    charge = np.clip(value - written_off_before, 0.0, annual)
    return np.where(elapsed >= 0, charge, 0.0)


def social_fund_contribution(wages_som, employer_rate):
    """Employer's Social Fund contribution [som/year] on the wage bill [som/year]."""
    return np.asarray(wages_som, dtype=float) * employer_rate


def add_turnover_taxes(net_som, vat_rate=0.0, sales_tax_rate=0.0):
    """Gross amount [som] when VAT and sales tax are added on top of the net amount.

    Both taxes are charged on the turnover net of taxes, so the gross is
    ``net x (1 + VAT + sales tax)``.

    >>> round(float(add_turnover_taxes(408.25, vat_rate=0.18)), 3)  # Moscow 2011, 18% VAT
    481.735
    """
    return np.asarray(net_som, dtype=float) * (1.0 + vat_rate + sales_tax_rate)


def revenue_requirement(costs_som, profitability_rate, debt_service_som, vat_rate, sales_tax_rate):
    """Revenue requirement [som/year] and its parts.

    ``costs x (1 + profitability) + debt service``, then turnover taxes on top.
    Returns ``(requirement, profit, vat, sales_tax)``.
    """
    costs = np.asarray(costs_som, dtype=float)
    profit = costs * profitability_rate
    net = costs + profit + debt_service_som
    return net * (1.0 + vat_rate + sales_tax_rate), profit, net * vat_rate, net * sales_tax_rate


def per_unit(amount_som, volume):
    """Amount per unit of volume, e.g. revenue requirement per m3 [som/unit]."""
    return np.asarray(amount_som, dtype=float) / volume


def convert_unit_tariff(tariff_per_m3, m3_per_unit):
    """A tariff per m3 expressed per another unit (per person-month, per household-month).

    >>> round(float(convert_unit_tariff(408.25, 0.1188)), 4)  # Moscow 2011: per person-month
    48.5001
    """
    return np.asarray(tariff_per_m3, dtype=float) * m3_per_unit


def cash_tariff(accrual_tariff_som, collection_rate):
    """Tariff that brings in the same cash when only ``collection_rate`` of bills is paid."""
    return np.asarray(accrual_tariff_som, dtype=float) / collection_rate


def round_tariff(value, step, mode="half_up"):
    """Round a tariff to a multiple of ``step`` (0.01 som, 1 som) by a declared rule
    (``half_up``, ``up`` or ``down``): :func:`okmo_models.formatting.round_to_step`, the
    rounding that the printed numbers use too.

    >>> round_tariff(481.735, 0.01), round_tariff(48.5001, 0.01, "up"), round_tariff(84.5, 1.0)
    (481.74, 48.51, 85.0)
    """
    return round_to_step(value, step, mode)


def allocate_requirement(requirement_som, weight, volume, fixed_mask, cost_mask,
                         fixed_tariff_per_unit):
    """Split the revenue requirement between consumer categories [som per volume unit].

    Parameters
    ----------
    requirement_som : array (n,)
        Revenue requirement of each variant [som/year].
    weight : array (C,)
        Commercial multiplier of each category (1 for the base tariff).
    volume : array (C,)
        Annual volume of each category in the service's base unit (m3, t, head).
    fixed_mask, cost_mask : bool arrays (C,)
        Categories whose tariff is fixed (regulated), and those that pay their cost
        (unit cost x multiplier) with any gap left to the budget.  The rest balance:
        they share whatever the fixed and cost categories leave uncovered (cross-subsidy).
    fixed_tariff_per_unit : array (C,)
        Fixed tariffs per base unit (ignored where not fixed).

    Returns
    -------
    tariff : array (n, C)
        Tariff per base unit of each category [som/unit], before rounding.
    unit_cost : array (n,)
        Requirement per base unit over all categories.
    """
    parts = allocation_parts(requirement_som, weight, volume, fixed_mask, cost_mask, fixed_tariff_per_unit)
    unit_cost, base = parts["unit_cost"], parts["base"]
    tariff = np.where(fixed_mask, fixed_tariff_per_unit,
                      np.where(cost_mask, weight * unit_cost, weight * base))
    return tariff, unit_cost[:, 0]


def allocation_parts(requirement_som, weight, volume, fixed_mask, cost_mask, fixed_tariff_per_unit) -> dict:
    """The steps of :func:`allocate_requirement`, each (n, 1): ``unit_cost`` (requirement per
    base unit), ``fixed_revenue`` and ``cost_revenue`` (what the fixed and the at-cost
    categories bring), ``balancing_weight`` (the balancing categories' volume times their
    multipliers) and ``base`` (the balancing tariff at multiplier 1). The workbook writes each
    as a formula and saves these as their values."""
    requirement = np.atleast_1d(np.asarray(requirement_som, dtype=float))[:, None]
    volume = np.atleast_2d(volume)  # (1, C) or (n, C) when volumes vary by variant
    balancing = ~(fixed_mask | cost_mask)
    unit_cost = requirement / volume.sum(axis=1, keepdims=True)
    fixed_revenue = (fixed_tariff_per_unit * volume * fixed_mask).sum(axis=1, keepdims=True)
    cost_revenue = unit_cost * (weight * volume * cost_mask).sum(axis=1, keepdims=True)
    balancing_weight = (weight * volume * balancing).sum(axis=1, keepdims=True)
    with np.errstate(divide="ignore", invalid="ignore"):
        base = np.where(balancing_weight > 0,
                        np.maximum(requirement - fixed_revenue - cost_revenue, 0.0) / balancing_weight,
                        0.0)
    return {"unit_cost": unit_cost, "fixed_revenue": fixed_revenue, "cost_revenue": cost_revenue,
            "balancing_weight": balancing_weight, "base": base}

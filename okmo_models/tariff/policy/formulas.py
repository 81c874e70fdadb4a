"""Formulas of tariff policy: affordability, loans, cost sharing, paths, uncertainty.

Small vectorised functions with units in their names; docs/methodology.md (section
"Tariff policy") states them in words and the tests check them by hand.
"""

from __future__ import annotations

import numpy as np


def annuity_payment(principal_som, annual_rate, years):
    """Equal yearly payment [som/year] repaying ``principal`` over ``years`` at ``annual_rate``.

    ``A = P r / (1 - (1 + r)^-n)``; with a zero rate, ``P / n``.

    >>> round(float(annuity_payment(100_000, 0.10, 5)), 2)  # textbook value
    26379.75
    """
    p = np.asarray(principal_som, dtype=float)
    r = np.asarray(annual_rate, dtype=float)
    n = np.asarray(years, dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        level = p * r / (1.0 - (1.0 + r) ** -n)
    return np.where(r == 0, p / n, level)


def loan_schedule(principal_som, annual_rate, years, first_year, horizon):
    """Payments by year for each year in ``horizon`` (an array of years) [som/year].

    Payments start the year after the loan is drawn (``first_year + 1``) and run for
    ``years`` years; a fractional term pays a final partial year.
    """
    horizon = np.asarray(horizon)
    payment = float(annuity_payment(principal_som, annual_rate, years))
    elapsed = horizon - first_year  # 1 in the first repayment year
    share = np.clip(years - (elapsed - 1), 0.0, 1.0) * (elapsed >= 1)
    return payment * share


def bill_share_of_income(bill_som_per_household_month, income_som_per_person_month, household_size):
    """The monthly bill as a share of the household's monthly income."""
    return np.asarray(bill_som_per_household_month, dtype=float) / (
        np.asarray(income_som_per_person_month, dtype=float) * household_size)


def share_of_households_above(bills, incomes_per_person, sizes, group_shares, threshold):
    """Share of households whose bill exceeds ``threshold`` of their income.

    Each income group is a share of households with one per-capita income and household
    size; ``bills`` is the group's monthly bill (it may depend on the household size).
    """
    burden = bill_share_of_income(bills, incomes_per_person, sizes)
    return float(np.sum(np.asarray(group_shares)[burden > threshold]))


def bill_at_which_share_is_above(incomes_per_person, sizes, group_shares, threshold, target_share,
                                 bill_per_unit_tariff):
    """Lowest tariff at which at least ``target_share`` of households are above the threshold.

    A group is above once ``tariff x bill_per_unit_tariff[g] > threshold x income[g]``,
    so each group has a critical tariff; sorted ascending, the answer is the critical
    tariff at which the cumulative share of households first reaches the target.
    Returns ``None`` when even all groups together are fewer than the target.
    """
    incomes = np.asarray(incomes_per_person, dtype=float) * np.asarray(sizes, dtype=float)
    critical = threshold * incomes / np.asarray(bill_per_unit_tariff, dtype=float)
    order = np.argsort(critical)
    cumulative = np.cumsum(np.asarray(group_shares, dtype=float)[order])
    reached = np.flatnonzero(cumulative >= target_share - 1e-12)
    if reached.size == 0:
        return None
    return float(critical[order][reached[0]])


def allocation_shares(weights):
    """Shares of a shared service's costs from the members' key values (volume, heads...)."""
    w = np.asarray(weights, dtype=float)
    return w / w.sum()


def split_to_tyiyn(total_som, shares):
    """Split an amount by shares into tyiyn that add up exactly (largest remainder).

    >>> split_to_tyiyn(100.00, [1/3, 1/3, 1/3])
    [33.34, 33.33, 33.33]
    """
    cents = int(round(float(total_som) * 100))
    raw = np.asarray(shares, dtype=float) * cents
    base = np.floor(raw).astype(int)
    for i in np.argsort(-(raw - base), kind="stable")[: cents - base.sum()]:
        base[i] += 1
    return [float(c) / 100 for c in base]


def cpi_index(rates_by_year):
    """Cumulative price index for each year of a path, 1 in the first year.

    ``rates_by_year[i]`` is inflation from year i-1 to year i; the first entry is ignored.

    >>> cpi_index([0.0, 0.10, 0.10]).round(4).tolist()
    [1.0, 1.1, 1.21]
    """
    r = np.asarray(rates_by_year, dtype=float).copy()
    r[0] = 0.0
    return np.cumprod(1.0 + r)


def tariff_path(start_tariff, cost_recovery_tariffs, max_increase=None, caps=None):
    """The highest tariff path from today's tariff towards cost recovery under the caps.

    The linear programme: maximise the sum of yearly tariffs t_1..t_N subject to
    ``t_y <= (1 + max_increase) t_{y-1}`` (t_0 is today's tariff), ``t_y <= caps_y``
    (affordability) and ``t_y <= T_y`` (no more than cost recovery). Maximising the tariffs
    minimises the budget subsidy ``(T_y - t_y) x volume`` in every year.

    It is solved in closed form, ``t_y = min(T_y, caps_y, (1 + g) t_{y-1})``: each bound
    only limits a tariff from above, and a higher t_{y-1} only loosens the bound on t_y, so
    taking every year as high as its bounds allow gives, year by year, the highest tariff
    any feasible path can have, hence the largest sum. The closed form is exact (no solver
    tolerance), an economist can redo it in a spreadsheet row, and it spares a hearing
    kernel the import of ``scipy.optimize`` (about 1 s and 25 MiB; the LP it replaces
    gave the same paths: tests/test_policy.py).

    Returns ``(path, feasible)``; ``feasible`` is False when the caps keep the final
    year below cost recovery (the path returned is then the closest one).
    """
    target = np.asarray(cost_recovery_tariffs, dtype=float)
    upper = target.copy()
    if caps is not None:
        upper = np.minimum(upper, np.asarray(caps, dtype=float))
    if not (np.isfinite(start_tariff) and np.all(np.isfinite(upper))) or start_tariff < 0 or np.any(upper < 0):
        # the linear programme has no solution (t_y >= 0) or no meaning: refused, not bent
        raise ValueError(f"tariff path of {start_tariff!r} towards {upper.tolist()!r}: tariffs and caps must be "
                         "finite and not negative")
    path = np.empty_like(upper)
    previous = float(start_tariff)
    for y, bound in enumerate(upper):
        if max_increase is not None:
            bound = min(bound, (1.0 + max_increase) * previous)
        path[y] = previous = bound
    feasible = bool(path[-1] >= target[-1] * (1 - 1e-9))
    return path, feasible


def increase_needed(start_tariff, cost_recovery_tariffs):
    """The constant yearly increase that reaches cost recovery in the final year.

    ``start (1 + g)^N = T_N``, so ``g = (T_N / start)^(1/N) - 1``; 0 when today's tariff
    already covers the final year's cost.

    >>> round(increase_needed(50, [100] * 5), 6)
    0.148698
    """
    target = float(np.asarray(cost_recovery_tariffs)[-1])
    n = len(cost_recovery_tariffs)
    if start_tariff >= target:
        return 0.0
    return float((target / start_tariff) ** (1.0 / n) - 1.0)


def draw_factors(rng, low, high, distribution, size):
    """Random cost factors (1 + deviation) for each line: triangular with mode 0, or uniform.

    ``low`` and ``high`` are arrays of fractional deviations (-0.1, +0.2); lines with
    no declared range have low = high = 0 and always draw 1.
    """
    low = np.asarray(low, dtype=float)
    high = np.asarray(high, dtype=float)
    u = rng.random((size, low.size))  # drawn for every line: the stream stays the same
    out = np.ones_like(u)
    # Each column by its own formula, only for the lines with a range (usually a few of
    # many): element by element the same operations as evaluating every formula everywhere.
    uniform = np.asarray(distribution) == "uniform"
    ranged = high > low
    cols = np.flatnonzero(ranged & uniform)
    if cols.size:
        lo, hi = low[cols], high[cols]
        out[:, cols] = 1.0 + (lo + u[:, cols] * (hi - lo))
    cols = np.flatnonzero(ranged & ~uniform)
    if cols.size:
        # Inverse CDF of the triangular distribution on [low, high] with mode 0.
        lo, hi, uc = low[cols], high[cols], u[:, cols]
        width = hi - lo
        left = -lo / width
        out[:, cols] = 1.0 + np.where(uc < left,
                                      lo + np.sqrt(uc * width * (-lo)),
                                      hi - np.sqrt((1 - uc) * width * hi))
    return out

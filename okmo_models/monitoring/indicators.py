"""An indicator's actuals against its plan: progress so far, the year-end forecast and the
traffic light, by the rules stated in ``docs/monitoring.md``.

- **flow** (an amount a month): so far = the sum of the months reported; the plan so far =
  the year's plan × the profile's shares of those months (equal shares unless the file gives
  a profile); year-end forecast = plan × so far ÷ plan so far ("at the pace of the months so
  far": a month behind the profile stays behind in proportion).
- **level** (a state at a month's end): so far = the last value reported; the plan so far
  moves in a straight line from the start of the year to the year's plan; the year-end
  forecast continues the change since the start of the year at the same monthly pace
  (without a start, it is the last value).
- **ratio**: its two flows' sums so far divided, and their forecasts divided.

The light compares the year-end forecast with the plan: ``higher`` is better → forecast ÷
plan against green and amber; ``lower`` is better → plan ÷ forecast; ``near`` (costs and
spending) → |forecast ÷ plan − 1| against the deviation bands. A level planned to move from
its start is judged by the move: (forecast − start) ÷ (plan − start), the share of the planned
change the year will bring (either way: a fall planned and forecast is a positive share). No light without an actual or
without a plan to divide by: the review says which.

These are pure functions of numbers, so each is checked by hand in
``tests/test_monitoring.py``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from okmo_models.formatting import round_to_step
from okmo_models.monitoring.plans import FLOW, HIGHER, LEVEL, LOWER, NEAR, RATIO, IndicatorPlan

GREEN, AMBER, RED = "green", "amber", "red"


@dataclass(frozen=True)
class Rule:
    """The traffic light's thresholds as fractions (0.9 for 90 %)."""

    green: float
    amber: float
    deviation_green: float
    deviation_amber: float


@dataclass(frozen=True)
class Assessment:
    plan: IndicatorPlan
    periods: tuple[str, ...]  # the periods of the year up to the one reviewed
    values: tuple[float | None, ...]  # the actual of each (None: not reported)
    so_far: float | None  # flow: the sum; level: the last value; ratio: the sums divided
    plan_so_far: float | None
    forecast: float | None  # at the end of the year
    score: float | None  # what the light compares: forecast ÷ plan, its inverse, or the deviation
    light: str | None  # GREEN, AMBER, RED; None: nothing reported or nothing to compare with
    reported: int  # periods reported (from the first on)
    reason: str | None = None  # the table's reason for being behind
    why_no_light: str | None = None  # "no_actuals", "no_plan"
    reason_as_of: str | None = None  # the later period the reason was written for (a review of an earlier month)

    @property
    def behind(self) -> bool:
        return self.light in (AMBER, RED)


def equal_profile(periods_in_year: int) -> tuple[float, ...]:
    return (1.0 / periods_in_year,) * periods_in_year


def flow_so_far(plan: float, profile, values) -> tuple[float | None, float | None, float | None, int]:
    """``(so far, plan so far, year-end forecast, periods reported)`` of a flow.

    >>> flow_so_far(1200.0, equal_profile(12), [100, 80, 90, None])
    (270.0, 300.0, 1080.0, 3)
    """
    reported = _reported(values)
    if reported == 0:
        return None, 0.0, None, 0
    actual = float(sum(values[:reported]))
    planned = plan * sum(profile[:reported])
    if planned > 0:
        forecast = plan * actual / planned
    else:  # nothing planned so far: what came in, and the rest as planned
        forecast = actual + plan * sum(profile[reported:])
    return actual, planned, forecast, reported


def level_so_far(plan: float, start: float | None, months_per_period: int, values
                 ) -> tuple[float | None, float | None, float | None, int]:
    """``(last value, plan so far, year-end forecast, periods reported)`` of a level.

    From 4 at the start of the year to a plan of 7, with 4.5 at the end of June:
    the plan so far is 5.5 and the pace (0.5 in 6 months) gives 5.0 at the year's end.

    >>> level_so_far(7.0, 4.0, 1, [4, 4, 4, 4.2, 4.4, 4.5])
    (4.5, 5.5, 5.0, 6)

    540 places at the start, a plan of 660, the new kindergarten open in September: 660 at
    the year's end, not 700 by the pace of one step.

    >>> level_so_far(660.0, 540.0, 1, [540] * 8 + [660])[2]
    660.0
    """
    reported = _reported(values)
    months = reported * months_per_period
    if start is None:
        planned = plan
    else:
        planned = start + (plan - start) * months / 12
    if reported == 0:
        return None, planned, None, 0
    last = float(values[reported - 1])
    if start is None or (plan - start) * (last - plan) >= 0 and plan != start:
        # without a start there is no pace; a level at or past its plan (a kindergarten opened)
        # stays where it is: one step is no pace to extrapolate
        forecast = last
    else:
        forecast = last + (last - start) / months * (12 - months)
    return last, planned, forecast, reported


def score_and_light(p: IndicatorPlan, forecast: float | None, rule: Rule) -> tuple[float | None, str | None, str | None]:
    """``(score, light, why no light)`` of a year-end forecast against the plan.

    >>> from okmo_models.monitoring.plans import IndicatorPlan, Label
    >>> rule = Rule(1.0, 0.9, 0.05, 0.10)
    >>> up = IndicatorPlan("x", "budget", Label("x"), "som", "flow", 1000.0, "higher")
    >>> score_and_light(up, 950.0, rule)
    (0.95, 'amber', None)
    >>> near = IndicatorPlan("y", "budget", Label("y"), "som", "flow", 1000.0, "near")
    >>> score_and_light(near, 1120.0, rule)[1]
    'red'
    """
    if forecast is None:
        return None, None, "no_actuals"
    if p.kind == LEVEL and p.start is not None and p.direction != NEAR and p.plan != p.start:
        # a level planned to change is judged by the change: 40 800 of a plan of 42 500 from
        # 38 000 is 62 % of the planned change, not 96 % of the level
        return _share_light((forecast - p.start) / (p.plan - p.start), rule)
    if p.direction == HIGHER:
        if p.plan <= 0:
            return None, None, "no_plan"
        return _share_light(forecast / p.plan, rule)
    if p.direction == LOWER:
        if forecast <= 0:  # nothing left of what should fall: the best there is
            return math.inf, GREEN, None
        return _share_light(p.plan / forecast, rule)
    assert p.direction == NEAR, p.direction
    if p.plan == 0:  # spending nothing was planned for: none is on plan, any is unplanned
        return (None, GREEN, None) if forecast == 0 else (None, RED, "unplanned")
    score = shown(abs(forecast / p.plan - 1))
    light = GREEN if score <= rule.deviation_green else AMBER if score <= rule.deviation_amber else RED
    return score, light, None


def shown(share: float) -> float:
    """A share as the review prints it, to 0.1 %: the light is judged on the figure the
    meeting reads, so "100,0 % плана" is never amber (0.99999999 is 100.0 %).

    >>> shown(0.9999999999999997), shown(0.89951)
    (1.0, 0.9)
    """
    return round_to_step(share, 0.001)


def _share_light(score: float, rule: Rule) -> tuple[float, str, None]:
    score = shown(score)
    return score, GREEN if score >= rule.green else AMBER if score >= rule.amber else RED, None


def assess(p: IndicatorPlan, periods: tuple[str, ...], values: tuple, rule: Rule, profile=None,
           reason: str | None = None, parts: tuple | None = None) -> Assessment:
    """One indicator assessed. ``values`` are the actuals of ``periods`` (None where not
    reported); a ratio is given the ``parts``: its numerator's and denominator's assessments."""
    per_year = 12 if len(periods) == 0 or "-Q" not in periods[0] else 4
    if p.kind == FLOW:
        so_far, planned, forecast, reported = flow_so_far(p.plan, profile or equal_profile(per_year), values)
    elif p.kind == LEVEL:
        so_far, planned, forecast, reported = level_so_far(p.plan, p.start, 12 // per_year, values)
    else:
        assert p.kind == RATIO and parts is not None
        num, den = parts
        reported = min(num.reported, den.reported)
        # the sums of the same months: 9 months of cash over 8 months of bills is no rate
        so_far = _divide(sum(num.values[:reported]), sum(den.values[:reported])) if reported else None
        planned = p.plan
        forecast = _divide(num.forecast, den.forecast) if reported else None
        values = tuple(_divide(a, b) for a, b in zip(num.values, den.values))
    score, light, why = score_and_light(p, forecast, rule)
    return Assessment(p, periods, tuple(values), so_far, planned, forecast, score, light, reported, reason, why)


def _divide(a, b):
    return None if a is None or b is None or b == 0 else a / b


def _reported(values) -> int:
    """The periods reported from the first on (a gap is refused when the table is read)."""
    n = 0
    for v in values:
        if v is None:
            break
        n += 1
    return n


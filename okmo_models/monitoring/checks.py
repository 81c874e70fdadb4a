"""The rules of a monitoring file that need the whole file, one small function per rule.

Each rule takes the validated :class:`~okmo_models.monitoring.schema.Monitoring` and yields
:class:`~okmo_models.errors.Problem` objects; :data:`RULES` lists them in the order their
problems are reported and :func:`check`, which the loader runs, chains them. What needs the
plans or the tables (an indicator id no plan has, a profile of the wrong length for the
table) is checked where they are read (:mod:`okmo_models.monitoring.model`).
"""

from __future__ import annotations

from collections.abc import Iterator

from okmo_models.errors import Problem
from okmo_models.monitoring.periods import month_end
from okmo_models.monitoring.schema import Monitoring

PROFILE_TOLERANCE = 0.001  # a profile's shares sum to 1 within this: typed shares are rounded


def share(q) -> float:
    """A quantity in % as a fraction: ``90 %`` -> 0.9."""
    return q.value * q.parsed_unit.factor


def plans_named(m: Monitoring) -> Iterator[Problem]:
    """At least one plan is followed: without a plan there is nothing to measure against."""
    if m.plans.programme is None and m.plans.budget is None and not m.plans.tariffs:
        yield Problem(path=("plans",), key="mo_no_plans", value="")


def review_in_year(m: Monitoring) -> Iterator[Problem]:
    """The month reviewed is a month of the year followed, and its meeting comes after it."""
    if int(m.review.month[:4]) != m.year:
        yield Problem(path=("review", "month"), key="mo_month_outside_year", value=m.review.month,
                      context={"year": m.year})
    elif m.review.meeting <= month_end(m.review.month):
        yield Problem(path=("review", "meeting"), key="mo_meeting_before_month_end",
                      value=m.review.meeting.isoformat(), context={"month": m.review.month})


def light_ordered(m: Monitoring) -> Iterator[Problem]:
    """Amber starts below green (a forecast between them is amber), and the deviation bands
    widen from green to amber."""
    light = m.traffic_light
    if share(light.amber) > share(light.green):
        yield Problem(path=("traffic_light", "amber"), key="mo_amber_above_green", value=str(light.amber),
                      context={"green": str(light.green)})
    if share(light.deviation.green) > share(light.deviation.amber):
        yield Problem(path=("traffic_light", "deviation", "green"), key="mo_deviation_order",
                      value=str(light.deviation.green), context={"amber": str(light.deviation.amber)})


def profiles_sound(m: Monitoring) -> Iterator[Problem]:
    """A profile has a share for each month (12) or quarter (4), summing to 1, and is given
    once per indicator."""
    seen: set = set()
    for i, s in enumerate(m.indicators):
        if s.id in seen:
            yield Problem(path=("indicators", i, "id"), key="mo_setting_twice", value=s.id)
        seen.add(s.id)
        if len(s.profile) not in (4, 12):
            yield Problem(path=("indicators", i, "profile"), key="mo_profile_length", value=len(s.profile))
        elif abs(sum(s.profile) - 1.0) > PROFILE_TOLERANCE:
            yield Problem(path=("indicators", i, "profile"), key="mo_profile_sum",
                          value=f"{sum(s.profile):.4g}")


def surveys_once(m: Monitoring) -> Iterator[Problem]:
    """Each survey has its own id and date (two surveys of one month would be one survey)."""
    ids: set = set()
    for i, s in enumerate(m.surveys):
        if s.id in ids:
            yield Problem(path=("surveys", i, "id"), key="mo_survey_twice", value=s.id)
        ids.add(s.id)


def sources_named(m: Monitoring) -> Iterator[Problem]:
    """Every source a figure names is a key of ``sources``."""
    named = [(("traffic_light", "source"), m.traffic_light.source)]
    named += [(("indicators", i, "source"), s.source) for i, s in enumerate(m.indicators)]
    named += [(("surveys", i, "source"), s.source) for i, s in enumerate(m.surveys)]
    named += [(("reference", i, "source"), r.source) for i, r in enumerate(m.reference)]
    for path, key in named:
        if key not in m.sources:
            yield Problem(path=path, key="mo_source_unknown", value=key, context={"known": ", ".join(m.sources)})


RULES = (plans_named, review_in_year, light_ordered, profiles_sound, surveys_once, sources_named)


def check(m: Monitoring) -> Iterator[Problem]:
    """Every problem of the file, rule by rule (:data:`RULES`)."""
    for rule in RULES:
        yield from rule(m)

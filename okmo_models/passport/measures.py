"""Candidate measures of a development programme, drafted from the passport's needs.

Each need with a proposed option becomes a measure the economist then edits: its name and
settlement, the programme sector of the object's type, its cost spread evenly over the
works' years (in the programme's unit), its running cost once done, the residents it serves
as beneficiaries, a score on the need criterion from the passport's priority points, and the
link back to the passport object and option (``passport:``), which ``okmo check FOLDER``
then keeps consistent. Nothing is chosen here: the programme's rules and budget choose.
"""

from __future__ import annotations

import math

from okmo_models.formatting import format_number
from okmo_models.i18n import LANGUAGES, t
from okmo_models.units import MONEY_UNITS
from okmo_models.passport.result import PassportResult
from okmo_models.passport.schema import SECTOR_OF


def _spread(total_som: float, years: int, unit_som: float) -> list[float]:
    """The option's cost over ``years`` in equal parts to the som, the last year taking the
    rest, in the programme's unit: the parts add up to the cost to the som in any unit."""
    part = math.floor(total_som / years)
    return [round(x / unit_som, 9) for x in [part] * (years - 1) + [total_som - part * (years - 1)]]


def max_points(result: PassportResult) -> float:
    """The most points a need can earn under the passport's priority."""
    p = result.passport.priority
    return max(*p.condition.values(), p.not_built) + p.shortfall + p.requirements


def candidate_measures(result: PassportResult, unit: str, scale: tuple[float, float] = (1, 5),
                       criterion: str = "need", source: str = "passport") -> list[dict]:
    """The needs with an option, most urgent first, as measures of a programme in ``unit``
    (the need score: the points mapped onto ``scale``, the most points possible at its top)."""
    factor = MONEY_UNITS[result.passport.unit] / MONEY_UNITS[unit]
    low, high = scale
    top = max_points(result) or 1.0
    out = []
    for n in result.needs:
        o, option = n.object, n.option
        if option is None:
            continue
        cost_som = option.cost * MONEY_UNITS[result.passport.unit]
        settlement = next(s for s in result.passport.settlements if s.id == o.settlement)
        out.append({
            "id": f"{o.id}_{option.id}".replace("-", "_"),
            "name": {lang: option.name.get(lang) for lang in LANGUAGES},
            "sector": SECTOR_OF[o.type],
            "settlement": {lang: settlement.name.get(lang) for lang in LANGUAGES},
            "cost": _spread(cost_som, option.years, MONEY_UNITS[unit]),
            "running_cost": round(option.running_cost * factor, 9),
            "beneficiaries": {"total": o.served},
            "scores": {criterion: round(low + (high - low) * min(n.points / top, 1.0), 2)},
            "passport": {"object": o.id, "option": option.id},
            "source": source,
        })
    return out


def measures_yaml(result: PassportResult, unit: str, lang: str = "ru") -> str:
    """The candidate measures as the ``measures:`` part of a programme file, headed by a
    comment in the reader's language that says what to check before adopting them."""
    import yaml

    head = "\n".join("# " + line for line in t("pm_header", lang, unit=t("b_unit_" + unit, lang),
                                                  points=format_number(max_points(result), 1, lang)).splitlines())
    body = yaml.safe_dump({"measures": candidate_measures(result, unit)}, allow_unicode=True, sort_keys=False,
                          width=100)
    return head + "\n" + body

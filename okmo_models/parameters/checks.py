"""The rules of a parameter file that need the whole file, one small function per rule."""

from __future__ import annotations

from typing import Iterator

from okmo_models.errors import Problem
from okmo_models.parameters.schema import PLAIN_UNITS, ParameterFile, is_number, outside


def check(p: ParameterFile) -> Iterator[Problem]:
    """Every problem of a parameter file that is well formed field by field."""
    for rule in (_dates_in_order, _sources_named, _values_fit_the_unit, _fields_fit_the_unit):
        yield from rule(p)


def _dates_in_order(p: ParameterFile) -> Iterator[Problem]:
    # A value takes over from the one before it: the order is the history, written once.
    for i in range(1, len(p.values)):
        before, date = p.values[i - 1].effective, p.values[i].effective
        if date <= before:
            yield Problem(path=("values", i, "effective"), value=date, context={"previous": before},
                          key="parameter_date_repeated" if date == before else "parameter_dates_out_of_order")


def _sources_named(p: ParameterFile) -> Iterator[Problem]:
    known = {"known": ", ".join(p.references) or "—"}
    for i, v in enumerate(p.values):
        if v.source not in p.references:
            yield Problem(path=("values", i, "source"), key="parameter_source_unknown", value=v.source, context=known)
        # an item of a list may cite its own source (an act of the legal basis): named as well
        for j, item in enumerate(v.value if isinstance(v.value, list) else ()):
            if isinstance(item, dict) and "source" in item and item["source"] not in p.references:
                yield Problem(path=("values", i, "value", j, "source"), key="parameter_source_unknown",
                              value=item["source"], context=known)


def _values_fit_the_unit(p: ParameterFile) -> Iterator[Problem]:
    valid = p.valid.model_dump(exclude_none=True) if p.valid else {}
    for i, v in enumerate(p.values):
        where, value = ("values", i, "value"), v.value
        if p.unit == "list":
            if not isinstance(value, list):
                yield Problem(path=where, key="parameter_value_not_a_list", value=value)
        elif p.unit == "text":
            if not isinstance(value, str) or (p.options and value not in p.options):  # no options: said once
                yield Problem(path=where, key="parameter_value_not_an_option", value=value,
                              context={"known": ", ".join(p.options)})
        elif not is_number(value):
            yield Problem(path=where, key="parameter_value_not_a_number", value=value, context={"unit": p.unit})
        elif outside(valid, value):
            yield Problem(path=where, key="parameter_value_out_of_range", value=value,
                          context={"range": _range_text(valid), "unit": p.unit})


def _fields_fit_the_unit(p: ParameterFile) -> Iterator[Problem]:
    if p.unit == "text" and not p.options:
        yield Problem(path=("options",), key="parameter_options_missing")
    if p.unit != "text" and p.options:
        yield Problem(path=("options",), key="parameter_field_not_for_unit", context={"unit": p.unit})
    if p.unit in PLAIN_UNITS and p.valid is not None:
        yield Problem(path=("valid",), key="parameter_field_not_for_unit", context={"unit": p.unit})


def _range_text(valid: dict) -> str:
    """``≥ 0, ≤ 100``: the same in every language."""
    signs = {"min": "≥", "above": ">", "max": "≤"}
    return ", ".join(f"{signs[k]} {valid[k]:g}" for k in ("min", "above", "max") if k in valid)

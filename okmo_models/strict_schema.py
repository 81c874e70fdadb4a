"""The base of every declared file schema (scenarios, budgets, programmes, parameters).

A schema is a pydantic model that refuses what it does not know: unknown keys, control
characters in any text.  Its errors are raised with :func:`invalid`, whose type is a
message key of ``okmo_models/locales``; :func:`problem_of` turns any of pydantic's errors,
its own included, into a :class:`~okmo_models.errors.Problem` that names the field and the
value as written, so that every kind of file explains itself in Russian, Kyrgyz or English.
It sits below the parameters, which are declared with it too.
"""

from __future__ import annotations

import re

from pydantic import BaseModel, ConfigDict, field_validator
from pydantic_core import PydanticCustomError

from okmo_models.errors import CONTROL, Key, Problem, shorten
from okmo_models.i18n import has

# pydantic's error types -> our message keys (see locales/messages.yaml)
PYDANTIC_KEYS = {
    "missing": "field_missing",
    "extra_forbidden": "field_unknown",
    "float_parsing": "not_a_number",
    "float_type": "not_a_number",
    "int_parsing": "not_an_integer",
    "int_type": "not_an_integer",
    "int_from_float": "not_an_integer",
    "literal_error": "value_not_allowed",
    "string_too_short": "text_expected",
    "string_pattern_mismatch": "bad_id",
    "int_parsing_size": "not_an_integer",
    "greater_than": "number_too_small",
    "greater_than_equal": "number_too_small",
    "less_than_equal": "number_too_large",
    "less_than": "number_too_large",
    "too_short": "list_empty",
    "string_type": "text_expected",
    "dict_type": "mapping_expected",
    "model_type": "mapping_expected",
    "model_attributes_type": "mapping_expected",
    "list_type": "list_expected",
    "bool_type": "bool_expected",
    "bool_parsing": "bool_expected",
    "finite_number": "not_a_number",
}


def invalid(key: str, **ctx) -> PydanticCustomError:
    # The template is only a fallback for tools that print pydantic errors directly.
    return PydanticCustomError(key, key, ctx)


class StrictModel(BaseModel):
    # Unknown keys are typos until proven otherwise: refuse them instead of ignoring them.
    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True)

    # ESC, NUL and their kind would act on the terminal or break the workbook: refused in every
    # text of every file. A text is caught before anything else reads it (a unit, an id); texts
    # inside a list or a mapping (sources, keys) once the field is read.
    @field_validator("*", mode="before")
    @classmethod
    def _no_control_in_text(cls, v):
        if isinstance(v, str) and CONTROL.search(v):
            raise invalid("control_character", text=shorten(v))
        return v

    @field_validator("*", mode="after")
    @classmethod
    def _no_control_in_texts(cls, v):
        text = _control_text(v)
        if text is not None:
            raise invalid("control_character", text=shorten(text))
        return v


def _control_text(v) -> str | None:
    """The first text in ``v`` (a text, or lists and mappings of them, keys too) holding a
    control character; a model inside has checked its own fields."""
    if isinstance(v, str):
        return v if CONTROL.search(v) else None
    if isinstance(v, dict):
        items = [*v.keys(), *v.values()]
    elif isinstance(v, (list, tuple)):
        items = v
    else:
        return None
    return next((found for x in items if (found := _control_text(x)) is not None), None)


def problem_of(error: dict, data) -> Problem:
    """The :class:`Problem` of one of pydantic's ``error`` dicts raised on ``data``: our
    message key (pydantic's own words are English), the field and the value written there;
    an unknown field is named by its key."""
    loc = keyed(tuple(error["loc"]), data)
    kind = error["type"]
    key = PYDANTIC_KEYS.get(kind, kind)
    context = dict(error.get("ctx") or {})
    for bound in ("gt", "ge", "lt", "le"):
        if bound in context:
            context["limit"] = context[bound]
    if not has(key):
        key, context = "invalid_value", {}
    if "expected" in context:  # pydantic lists allowed values as "'a', 'b' or 'c'"
        context["expected"] = re.sub(r" or (?=')", ", ", str(context["expected"]))
    value = None if kind == "missing" else value_at(data, loc)
    if kind == "extra_forbidden":
        value = loc[-1] if loc else None
    return Problem(path=loc, key=key, value=value, context=context)


def keyed(loc: tuple, data) -> tuple:
    """``loc`` with the whole-number keys of mappings (years) marked as :class:`Key`, so
    that ``cpi: {2027: abc}`` is shown as ``cpi.2027``, not as the 2028th item of a list."""
    out, node = [], data
    for part in loc:
        if isinstance(node, dict) and isinstance(part, int) and not isinstance(part, bool):
            out.append(Key(part))
        else:
            out.append(part)
        if isinstance(node, dict):
            node = node.get(part)
        elif isinstance(node, list) and isinstance(part, int) and 0 <= part < len(node):
            node = node[part]
        else:
            node = None
    return tuple(out)


def value_at(data, loc):
    """The scalar at ``loc``, or the last scalar on the way (a "17 000 som/month" string
    whose unit part failed is shown whole)."""
    node = data
    for part in loc:
        if isinstance(node, dict) and part in node:
            node = node[part]
        elif isinstance(node, list) and isinstance(part, int) and part < len(node):
            node = node[part]
        else:
            break
    if isinstance(node, (dict, list)):
        return None
    return node

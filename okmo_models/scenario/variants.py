"""Scenario variants: a baseline file plus only the values that changed.

A variant file names its baseline and lists its changes::

    variant_of: waste.yaml          # relative to the variant file
    baseline_sha256: 5f7c...        # the baseline as it was when the variant was saved
    changes:
      collection_rate: 80 %
      categories:                   # list items by id ...
        households: {fixed_tariff: 75 som/household/month, multiplier: 1}
      cost_lines:                   # ... or by position, counted from 1
        6: {price: 88 som/l}
      investments:
        items: {"+": [{...}]}       # "+" appends new items

Mappings merge key by key; every other value replaces the baseline's. This is what the
hearing dashboard's "save this variant" writes, and the loader reads it back.
"""

from __future__ import annotations

import copy
import re

from okmo_models.errors import Key

# List fields whose items are addressed by id instead of position.
KEYED_LISTS = {"categories": "id", "measures": "id", "objects": "id", "settlements": "id", "options": "id"}


class VariantError(ValueError):
    def __init__(self, path: tuple, key: str, value=None):
        super().__init__(key)
        self.path, self.key, self.value = path, key, value


def apply_changes(baseline: dict, changes: dict) -> dict:
    """The baseline data with ``changes`` merged in (the baseline is not modified)."""
    return _merge(copy.deepcopy(baseline), changes, ())


def _merge(base, patch, path):
    if isinstance(base, list) and isinstance(patch, dict):
        return _merge_list(base, patch, path)
    if isinstance(base, dict) and isinstance(patch, dict):
        for key, value in patch.items():
            if key in base and isinstance(value, dict) and isinstance(base[key], (dict, list)):
                base[key] = _merge(base[key], value, path + (key,))
            else:
                base[key] = copy.deepcopy(value)
        return base
    return copy.deepcopy(patch)


def _merge_list(items: list, patch: dict, path: tuple) -> list:
    id_field = KEYED_LISTS.get(path[-1] if path else "")
    for key, value in patch.items():
        if key == "+":
            items.extend(copy.deepcopy(value))
            continue
        if id_field:
            index = next((i for i, item in enumerate(items) if item.get(id_field) == key), None)
        else:
            index = int(key) - 1 if str(key).isdigit() and 1 <= int(key) <= len(items) else None
        # a position the variant counts from 1 is shown as written (cost_lines.12), not shifted
        here = path + (Key(key) if isinstance(key, int) and not isinstance(key, bool) else key,)
        if index is None:
            raise VariantError(here, "variant_item_unknown", key)
        items[index] = _merge(items[index], value, here)
    return items


_ABSENT = object()


def describe_changes(baseline: dict, changes: dict) -> list[tuple[tuple, object, object]]:
    """Every value a variant sets: ``(field path, value in the baseline or None, new value)``,
    the path as the variant writes it (list items by id or position from 1; ``+`` for
    appended items). What ``okmo rebase`` shows before it accepts a changed baseline."""
    out = []
    _describe(baseline, changes, (), out)
    return out


def _describe(base, patch, path, out):
    for key, value in patch.items():
        here = path + (key,)
        current = _item(base, key, path)
        if isinstance(value, dict) and isinstance(current, (dict, list)):
            _describe(current, value, here, out)
        else:
            out.append((here, None if current is _ABSENT else current, value))


def _item(base, key, path):
    """The baseline's value at ``key`` (a list item by id or by position), or ``_ABSENT``."""
    if isinstance(base, dict):
        return base.get(key, _ABSENT)
    if isinstance(base, list) and key != "+":
        id_field = KEYED_LISTS.get(path[-1] if path else "")
        if id_field:
            return next((i for i in base if isinstance(i, dict) and i.get(id_field) == key), _ABSENT)
        if str(key).isdigit() and 1 <= int(key) <= len(base):
            return base[int(key) - 1]
    return _ABSENT


def with_baseline_hash(text: str, sha256: str, toml: bool = False) -> str:
    """The variant file's ``text`` with ``baseline_sha256`` set to ``sha256``; every other
    line (comments included) stays as it was. The field is added after ``variant_of`` when
    missing. Raises ``ValueError`` when neither line stands on its own at the top level."""
    value = f'"{sha256}"'
    sep = " = " if toml else ": "
    hash_line = re.compile(r"(?m)^(baseline_sha256[ \t]*[:=][ \t]*)([^#\r\n]*?)([ \t]*(?:#[^\r\n]*)?)$")
    found = list(hash_line.finditer(text))
    if len(found) == 1:
        m = found[0]
        return text[: m.start(2)] + value + text[m.end(2):]
    variant_line = list(re.finditer(r"(?m)^variant_of[ \t]*[:=][^\r\n]*(\r?\n|$)", text))
    if found or len(variant_line) != 1:
        raise ValueError("baseline_sha256 or variant_of not found on a line of its own")
    m = variant_line[0]
    newline = m.group(1) or "\n"
    return text[: m.end()] + ("" if m.group(1) else newline) + f"baseline_sha256{sep}{value}{newline}" + text[m.end():]

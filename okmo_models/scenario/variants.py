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

# List fields whose items are addressed by id instead of position.
KEYED_LISTS = {"categories": "id", "measures": "id"}


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
        if index is None:
            raise VariantError(path + (key,), "variant_item_unknown", key)
        items[index] = _merge(items[index], value, path + (key,))
    return items

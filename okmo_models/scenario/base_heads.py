"""A dipping-bath tariff's heads read from the economic base instead of being typed twice.

A category that says ``heads_from: {economic_base: economic_base.yaml, species: [sheep,
goats]}`` counts, for each species named, the heads of the economic base's latest count
(its ``year``). As a passport's assets are (:mod:`okmo_models.scenario.passport_assets`),
the heads are merged into the file's data before validation, so every reader of the tariff
sees the same volumes, and the base is listed among the tariff's inputs. A variant that
counts the heads itself (a livestock register's import) sets ``heads_from`` to nothing.
"""

from __future__ import annotations

import os
from pathlib import Path

from okmo_models.errors import Problem, ScenarioError
from okmo_models.provenance import InputFile
from okmo_models.scenario.passport_assets import record_number


def merge_base_heads(path: Path, data: dict, read_data, inputs: list | None = None) -> dict:
    """``data`` with each category's ``heads_from`` replaced by the heads it names."""
    from okmo_models.references import SCENARIO_SUFFIXES, resolve_reference

    categories = data.get("categories")
    if not isinstance(categories, list) or not any(isinstance(c, dict) and "heads_from" in c for c in categories):
        return data
    data, categories, read = dict(data), list(categories), set()
    for i, c in enumerate(categories):
        if not isinstance(c, dict) or "heads_from" not in c:
            continue
        c = dict(c)
        link = c.pop("heads_from")
        if link is None:  # a variant that counts the heads itself (a register) unlinks the base
            categories[i] = c
            continue
        where = ("categories", i, "heads_from")
        if (not isinstance(link, dict) or set(link) != {"economic_base", "species"}
                or not isinstance(link["species"], list) or not link["species"]):
            raise ScenarioError(path, [Problem(path=where, key="heads_from_form", value=link)])
        if "heads" in c:
            raise ScenarioError(path, [Problem(path=("categories", i, "heads"), key="heads_given_twice")])
        name = link["economic_base"]
        base_path = resolve_reference(path, name, where + ("economic_base",), SCENARIO_SUFFIXES)
        base, sha256, _, _ = read_data(base_path)  # a variant of the base comes back merged
        if not isinstance(base, dict) or base.get("kind") != "economic_base":
            raise ScenarioError(path, [Problem(path=where + ("economic_base",), key="heads_from_not_base", value=name)])
        if inputs is not None and base_path not in read:
            read.add(base_path)
            inputs.append(InputFile("economic_base", Path(os.path.normpath(path.parent / name)), sha256))
        year = base.get("year")
        herds = {h.get("species"): (j, h) for j, h in enumerate(base.get("livestock") or []) if isinstance(h, dict)}
        heads = {}
        for k, species in enumerate(link["species"]):
            if species not in herds:
                raise ScenarioError(path, [Problem(path=where + ("species", k), key="heads_from_species", value=species,
                                                   context={"file": name})])
            j, herd = herds[species]
            counts = {int(y): v for y, v in (herd.get("heads") or {}).items() if str(y).strip().isdigit()}
            if year not in counts:
                raise ScenarioError(base_path, [Problem(path=("livestock", j, "heads"), key="heads_from_year",
                                                        value=species, context={"year": year})])
            n = record_number(base_path, base, ("livestock", j, "heads", year), counts[year])
            heads[species] = {"value": n, "unit": "head"}  # a number: no decimal mark re-reads it
        c["heads"] = heads
        categories[i] = c
    data["categories"] = categories
    return data

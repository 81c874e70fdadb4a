"""A tariff's assets read from the settlement passport instead of being typed twice.

A tariff scenario that says ``assets_from: passport.yaml`` depreciates, besides the assets
it lists itself, every object of that passport whose ``service`` is the tariff's service
(``assets_from: {passport: passport.yaml, objects: [landfill]}``: only the objects named):
its name, balance value (in the passport's unit), year put on the balance (else built),
useful life and owner become an item of the asset register. The merge happens on the
file's data, before validation, as a budget's history table is merged in
(:mod:`okmo_models.budget.history_csv`), so that every reader of a tariff file (the
calculation, a variant, the hearing, a register import) sees the same assets. The passport
itself is checked on its own (``okmo check``); here a service object that lacks a figure
the depreciation needs is refused, naming the passport and the object.
"""

from __future__ import annotations

import os
from pathlib import Path

from okmo_models.errors import Problem, ScenarioError
from okmo_models.provenance import InputFile
from okmo_models.units import MONEY_UNITS

# The passport's owners whose objects a tariff depreciates, as the tariff's asset owners.
OWNER = {"municipal_enterprise": "operator", "municipality": "municipality"}


def merge_passport_assets(path: Path, data: dict, read_data, inputs: list | None = None) -> dict:
    """``data`` with the service's objects of the passport it names added to ``assets``;
    ``read_data`` reads the passport as the loader reads any plan file (a next year's
    passport, a variant, comes back merged with last year's); ``inputs``, if given, receives
    the passport as an :class:`InputFile`."""
    from okmo_models.references import SCENARIO_SUFFIXES, resolve_reference

    data = dict(data)
    link = data.pop("assets_from")
    name, chosen, field = link, None, ("assets_from",)
    if isinstance(link, dict):
        unknown = set(link) - {"passport", "objects"}
        if unknown or not isinstance(link.get("objects"), list) or not link["objects"]:
            raise ScenarioError(path, [Problem(path=field, key="assets_from_form", value=link)])
        name, chosen, field = link.get("passport"), [str(x) for x in link["objects"]], ("assets_from", "passport")
    passport_path = resolve_reference(path, name, field, SCENARIO_SUFFIXES)
    passport, sha256, _, _ = read_data(passport_path)
    if not isinstance(passport, dict) or passport.get("kind") != "passport":
        raise ScenarioError(path, [Problem(path=field, key="assets_from_not_passport", value=name)])
    objects = passport.get("objects") or []
    ids = {o.get("id") for o in objects if isinstance(o, dict)}
    for k, wanted in enumerate(chosen or ()):
        if wanted not in ids:
            raise ScenarioError(path, [Problem(path=("assets_from", "objects", k), key="assets_from_object_unknown",
                                               value=wanted, context={"file": name})])
    if inputs is not None:
        inputs.append(InputFile("passport", Path(os.path.normpath(path.parent / name)), sha256))
    factor = MONEY_UNITS.get(passport.get("unit"))
    if factor is None:
        raise ScenarioError(passport_path, [Problem(path=("unit",), key="assets_from_unit", value=passport.get("unit"))])
    own_sources = dict(data.get("sources") or {})
    sources, assets = dict(own_sources), list(data.get("assets") or [])
    service = data.get("service")
    read = set(objects_read({"assets_from": link, "service": service}, passport))
    for j, o in enumerate(objects):
        if not isinstance(o, dict) or o.get("id") not in read:
            continue
        missing = [f for f in ("balance_value", "useful_life", "built") if o.get(f) is None]
        if missing or o.get("owner", "municipality") not in OWNER:
            field = missing[0] if missing else "owner"
            raise ScenarioError(passport_path, [Problem(
                path=("objects", j, field), key="pp_service_asset_field" if missing else "pp_service_asset_owner",
                value=o.get("id"), context={"service": service})])
        value = record_number(passport_path, passport, ("objects", j, "balance_value"), o["balance_value"])
        life = record_number(passport_path, passport, ("objects", j, "useful_life"), o["useful_life"])
        # as numbers with units, not text: the tariff's own decimal mark must not re-read them
        assets.append({"name": o.get("name"), "value": {"value": value * factor, "unit": "som"},
                       "year": o.get("acquired") or o["built"], "useful_life": {"value": life, "unit": "year"},
                       "owner": OWNER[o.get("owner", "municipality")],
                       "source": _source(o.get("source"), passport.get("sources") or {}, sources)})
    data["assets"], data["sources"] = assets, sources
    return data


def objects_read(tariff: dict, passport: dict) -> list[str]:
    """The ids of the passport objects a tariff's data (as written) depreciates."""
    link = tariff.get("assets_from")
    if link is None:
        return []
    if isinstance(link, dict):
        return [str(x) for x in link.get("objects") or []]
    return [o.get("id") for o in passport.get("objects") or []
            if isinstance(o, dict) and o.get("service") == tariff.get("service")]


def record_number(path: Path, record: dict, field: tuple, value) -> float:
    """A figure of a passport or an economic base, read as that file reads it (its own
    decimal mark); one it cannot read is refused naming that file, the field and the value,
    never reinterpreted by the tariff that uses it."""
    from okmo_models.units import UnitError, declared_decimal_mark, parse_number

    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return float(value)
    mark = record.get("decimal_mark")
    try:
        with declared_decimal_mark(mark if mark in (",", ".") else None):
            return parse_number(str(value))
    except UnitError as exc:
        raise ScenarioError(path, [Problem(path=field, key=exc.key, value=value, context=exc.context)]) from None


def _source(key, passport_sources: dict, sources: dict) -> str:
    """The tariff's key for a passport source: the same key when the tariff cites the same
    text under it, else the passport's text under a new key of its own."""
    text = passport_sources.get(key)
    if key in sources and (text is None or sources[key] == text):
        return key
    new = f"passport_{key}"
    sources[new] = text if text is not None else key
    return new

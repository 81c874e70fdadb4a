"""Register volumes put into a tariff scenario, as a new variant file.

The variant names its baseline (``variant_of``) and changes only what the register counts
(:mod:`okmo_models.scenario.variants`):

- household register -> one population category (``persons``, ``households`` and the
  ``household_size`` they imply) and the ``households`` of each vulnerable group, counted
  from the Social Passport categories the group stands for;
- livestock register -> one category's ``heads`` of each species the dipping bath's
  ``species_coefficients`` know.

Which category: ``category=`` (``--category``), or else the scenario's only population
category. Which Social Passport categories a vulnerable group stands for: ``mapping``
(``--map``), or else the one category its name speaks of ("Одинокие пенсионеры" ->
lone_pensioner); a name speaking of none or of several is an error asking for ``--map``.
Every changed figure cites a new entry of ``sources``: the register file, its sheet, the
rows read, used and unusable, the settlements counted when the register was read for some
of them (``--settlement``) and the rows of the others left out, its SHA-256 and the date of
the import. The variant is validated as a whole before it is written.
"""

from __future__ import annotations

import datetime as dt
import os
from dataclasses import dataclass
from pathlib import Path

import yaml

from okmo_models.registers.households import HouseholdRegister, household_volumes
from okmo_models.registers.livestock import LivestockRegister, livestock_volumes
from okmo_models.registers.table import (
    MappingError,
    Msg,
    OutputError,
    RegisterError,
    species_msg,
)
from okmo_models.registers.vocabulary import SOCIAL_PASSPORT, category_keys, fold
from okmo_models.safe_write import write_new_file
from okmo_models.formatting import format_number
from okmo_models.i18n import t
from okmo_models.provenance import source_text
from okmo_models.kinds import kind_of
from okmo_models.references import data_roots, inside
from okmo_models.scenario.loader import (
    ScenarioFile,
    load_scenario,
    read_data,
    read_file,
    validate_scenario,
    variant_baseline,
)
from okmo_models.scenario.schema import Scenario
from okmo_models.scenario.variants import apply_changes

KEEP = "keep"


@dataclass(frozen=True)
class Change:
    """One figure of the scenario the variant changes."""

    what: Msg
    before: str | None
    after: str


@dataclass(frozen=True)
class VariantPlan:
    """A variant ready to be written: its document, what it changes, and the validated result."""

    baseline: ScenarioFile
    scenario: Scenario  # the variant, validated
    target: Path | None
    document: dict
    header: str
    changes: tuple[Change, ...]
    notes: tuple[Msg, ...]

    def text(self) -> str:
        return self.header + yaml.safe_dump(self.document, allow_unicode=True, sort_keys=False, width=4096)


def households_variant(register: HouseholdRegister, scenario_path: str | Path, *,
                       category: str | None = None, mapping: list[str] | tuple = (),
                       target: str | Path | None = None, lang: str = "ru",
                       today: dt.date | None = None) -> VariantPlan:
    """Persons and households into a population category, Social Passport counts into the
    vulnerable groups (see the module docstring for which goes where)."""
    loaded, data = _baseline(scenario_path)
    s = loaded.scenario
    if s.service not in ("waste", "water"):
        raise MappingError(scenario_path, "rg_wrong_service", register=Msg("rg_kind_households"),
                           service=Msg("service_" + s.service),
                           expected=[Msg("service_waste"), Msg("service_water")])
    volumes = household_volumes(register)
    if volumes.households == 0:
        raise RegisterError(register.file.path, "rg_nothing_usable")
    c = _target_category(s, scenario_path, category, population_only=True)
    key = "register_households"
    cat_key = f"{key}_{c.id}"
    size = round(volumes.persons / volumes.households, 2)
    changes: dict = {"sources": {}, "categories": {c.id: {
        "persons": _quantity(volumes.persons, "person"),
        "households": _quantity(volumes.households, "household"),
        "household_size": _quantity(size, "person/household", 2, s.decimal_mark or ","),
        "source": cat_key}}}
    shown = [Change(Msg("rg_change_field", {"category": c.id, "field": f}), _before(getattr(c, f)),
                    changes["categories"][c.id][f]) for f in ("persons", "households", "household_size")]
    notes: list[Msg] = []
    groups = list(s.vulnerable.groups) if s.vulnerable else []
    chosen = _group_categories(groups, mapping, scenario_path)
    used: set[str] = set()
    for i, g in enumerate(groups):
        cats = chosen[i]
        if cats == KEEP:
            notes.append(Msg("rg_note_group_kept", {"group": i + 1, "name": g.name.get(lang)}))
            continue
        used |= cats
        n = register.households_in(cats)
        names = [Msg("rg_cat_" + k) for k in sorted(cats)]
        if n == 0:
            raise RegisterError(register.file.path, "rg_group_empty", group=i + 1, name=g.name.get(lang),
                                categories=names)
        after = _quantity(n, "household")
        changes.setdefault("vulnerable", {"groups": {}})["groups"][i + 1] = {"households": after, "source": key}
        shown.append(Change(Msg("rg_change_group", {"group": i + 1, "name": g.name.get(lang),
                                                    "categories": names}), _before(g.households), after))
    if not groups:
        notes.append(Msg("rg_note_no_groups"))
    unused = [Msg("rg_count_of", {"name": Msg("rg_cat_" + k), "count": _int(h)})
              for k, (h, _) in volumes.by_category.items() if k not in used]
    if groups and unused:
        notes.append(Msg("rg_note_categories_unused", {"list": unused}))
    group_sets = [chosen[i] for i in range(len(groups)) if chosen[i] != KEEP]
    twice = sum(1 for h in register.households if sum(bool(h.categories & g) for g in group_sets) > 1)
    if twice:
        notes.append(Msg("rg_note_in_several_groups", {"count": twice}))
    notes.append(Msg("rg_note_dependent"))
    register_source = _register_source(register.file, "rg_kind_households", lang, today)
    changes["sources"][key] = register_source
    if c.source != cat_key:  # else a variant of an earlier import: its text still holds
        changes["sources"][cat_key] = _category_source(("persons", "households", "household_size"),
                                                       "rg_kind_households", register.file, s.sources[c.source], lang)
    return _plan(loaded, data, changes, shown, notes, scenario_path, target, "rg_kind_households",
                 register.file, lang, today)


def livestock_variant(register: LivestockRegister, scenario_path: str | Path, *,
                      category: str | None = None, target: str | Path | None = None,
                      lang: str = "ru", today: dt.date | None = None) -> VariantPlan:
    """Heads by species into one category of a dipping-bath scenario."""
    loaded, data = _baseline(scenario_path)
    s = loaded.scenario
    if s.service != "dipping_bath":
        raise MappingError(scenario_path, "rg_wrong_service", register=Msg("rg_kind_livestock"),
                           service=Msg("service_" + s.service), expected=[Msg("service_dipping_bath")])
    volumes = livestock_volumes(register)
    c = _target_category(s, scenario_path, category, population_only=False)
    coefficients = s.dipping_bath.species_coefficients
    heads = {sp: n for sp, n in volumes.heads.items() if sp in coefficients}
    if not heads:
        raise RegisterError(register.file.path, "rg_no_species_for_scenario",
                            species=", ".join(coefficients),
                            found=[Msg("rg_count_of", {"name": species_msg(sp), "count": _int(n)})
                                   for sp, n in volumes.heads.items()] or "—")
    for sp in c.heads or {}:
        if sp not in heads:
            raise RegisterError(register.file.path, "rg_species_absent", species=species_msg(sp),
                                category=c.id, baseline=str(c.heads[sp]))
    key = "register_livestock"
    cat_key = f"{key}_{c.id}"
    after = {sp: _quantity(n, "head") for sp, n in heads.items()}
    changes = {"sources": {}, "categories": {c.id: {"heads": after, "source": cat_key}}}
    if _reads_heads_from_base(scenario_path, c.id):  # the register's count replaces the base's, said so
        changes["categories"][c.id]["heads_from"] = None
    shown = [Change(Msg("rg_change_field", {"category": c.id, "field": f"heads.{sp}"}),
                    _before((c.heads or {}).get(sp)), q) for sp, q in after.items()]
    notes: list[Msg] = []
    unused = [Msg("rg_count_of", {"name": species_msg(sp), "count": _int(n)})
              for sp, n in volumes.heads.items() if sp not in coefficients]
    if unused:
        notes.append(Msg("rg_note_species_unused", {"list": unused}))
    others = [x.id for x in s.categories if x.id != c.id]
    if others:
        notes.append(Msg("rg_note_other_categories", {"categories": ", ".join(others)}))
    notes.append(Msg("rg_note_dependent"))
    changes["sources"][key] = _register_source(register.file, "rg_kind_livestock", lang, today)
    if c.source != cat_key:
        changes["sources"][cat_key] = _category_source(("heads",), "rg_kind_livestock", register.file,
                                                       s.sources[c.source], lang)
    return _plan(loaded, data, changes, shown, notes, scenario_path, target, "rg_kind_livestock",
                 register.file, lang, today)


def save_variant(plan: VariantPlan, overwrite: bool = False) -> Path:
    """Write the planned variant atomically; an existing file only with ``overwrite``."""
    if plan.target is None:
        raise ValueError("the plan was made without a target file")
    return write_new_file(plan.target, plan.text(), overwrite=overwrite)


def tariff_effect(plan: VariantPlan) -> list[tuple]:
    """``(category id, name, unit, baseline tariff, variant tariff, baseline unrounded, variant
    unrounded)`` [som per billing unit]: a rounded tariff (whole som for a dipping bath) may not
    move while the unrounded one does."""
    from okmo_models.tariff import calculate_tariff

    before = {c.id: c for c in calculate_tariff(plan.baseline).tariffs}
    out = []
    for c in calculate_tariff(plan.scenario).tariffs:
        b = before.get(c.id)
        out.append((c.id, c.name, c.unit, b.tariff_som if b else None, c.tariff_som,
                    b.tariff_unrounded_som if b else None, c.tariff_unrounded_som))
    return out


# --- helpers ------------------------------------------------------------------------------


def _reads_heads_from_base(path: str | Path, category: str) -> bool:
    """Whether the category takes its heads from the economic base in the file as written
    (or in the baselines of a variant): a register's count then replaces that link."""
    path = Path(path)
    data = read_file(path)[0]
    while isinstance(data, dict) and "variant_of" in data:
        changed = ((data.get("changes") or {}).get("categories") or {}).get(category) or {}
        if "heads_from" in changed:
            return changed["heads_from"] is not None
        path, data = variant_baseline(path, data)
    return any(isinstance(c, dict) and c.get("id") == category and c.get("heads_from") is not None
               for c in (data.get("categories") or []))


def _baseline(path: str | Path) -> tuple[ScenarioFile, dict]:
    """The validated baseline and its full data (a variant's changes already applied)."""
    path = Path(path)
    kind = kind_of(path).name
    if kind != "tariff":
        raise MappingError(path, "rg_not_tariff", kind=kind)
    loaded = load_scenario(path)
    data = read_data(path).data
    return loaded, data


def _target_category(s: Scenario, path, requested: str | None, population_only: bool):
    if requested is not None:
        c = next((c for c in s.categories if c.id == requested), None)
        if c is None:
            raise MappingError(path, "rg_category_not_in_scenario", value=requested,
                               known=", ".join(c.id for c in s.categories))
        if population_only and c.kind != "population":
            raise MappingError(path, "rg_category_not_population", value=requested, kind=c.kind)
        return c
    candidates = [c for c in s.categories if c.kind == "population"]
    if len(candidates) != 1:
        raise MappingError(path, "rg_category_choose",
                           candidates=", ".join(f"{c.id} ({c.kind})" for c in s.categories))
    return candidates[0]


def _group_categories(groups, mapping, path) -> dict[int, object]:
    """Group position (0-based) -> set of category keys, or KEEP."""
    chosen: dict[int, object] = {}
    for item in mapping:
        if "=" not in item:
            raise MappingError(path, "rg_map_bad", value=item)
        left, right = (x.strip() for x in item.split("=", 1))
        index = _group_index(groups, left, path)
        if fold(right) == KEEP:
            chosen[index] = KEEP
            continue
        cats: set[str] = set()
        for part in right.split("+"):
            keys = category_keys(part)
            if len(keys) != 1:
                raise MappingError(path, "rg_map_category_unknown", value=part.strip(),
                                   known=", ".join(c.key for c in SOCIAL_PASSPORT) + ", " + KEEP)
            cats |= keys
        chosen[index] = cats
    for i, g in enumerate(groups):
        if i in chosen:
            continue
        found = set().union(*(category_keys(n) for n in (g.name.ru, g.name.ky, g.name.en) if n))
        if len(found) != 1:
            raise MappingError(path, "rg_group_ambiguous" if found else "rg_group_unmapped",
                               group=i + 1, name=g.name.ru,
                               categories=[Msg("rg_cat_" + k) for k in sorted(found)] or "—",
                               known=", ".join(c.key for c in SOCIAL_PASSPORT))
        chosen[i] = found
    return chosen


def _group_index(groups, text: str, path) -> int:
    if text.isdigit() and 1 <= int(text) <= len(groups):
        return int(text) - 1
    for i, g in enumerate(groups):
        if fold(text) in {fold(n) for n in (g.name.ru, g.name.ky, g.name.en) if n}:
            return i
    raise MappingError(path, "rg_map_group_unknown", value=text,
                       known="; ".join(f"{i + 1} = {g.name.ru}" for i, g in enumerate(groups)) or "—")


def _category_source(fields: tuple, kind_key: str, info, old, lang: str) -> str:
    """The source of a category whose figures came from a register: which figures, from which
    register file, and the baseline's source of the rest, all in the reader's words (it is
    printed among the justification's sources)."""
    names = [t(f"xf_{f}", lang) for f in fields]
    named = ", ".join([names[0], *(n[:1].lower() + n[1:] for n in names[1:])])
    return Msg("rg_source_category", {"fields": named, "kind": Msg(kind_key), "file": info.path.name,
                                      "old": source_text(old, lang)}).render(lang)


def _register_source(info, kind_key: str, lang: str, today: dt.date | None) -> str:
    sheet = Msg("rg_source_sheet", {"sheet": info.sheet}).render(lang) if info.sheet else ""
    return Msg("rg_source_register", {
        "kind": Msg(kind_key), "file": info.path.name, "sheet": sheet,
        "date": (today or dt.date.today()).isoformat(), "read": _int(info.rows_read),
        "used": _int(info.rows_used), "unusable": _int(info.rows_unusable),
        "settlements": _settlements_source(info), "sha256": info.sha256[:16],
    }).render(lang)


def _settlements_source(info) -> Msg | str:
    """The settlements counted and the rows of the others left out; "" when all were counted."""
    s = info.settlements
    if s is None:
        return ""
    return Msg("rg_source_settlements", {
        "names": ", ".join(s.counted), "rows": _int(s.rows_left_out),
        "other": [Msg("rg_count_of", {"name": k, "count": _int(n)}) for k, n in s.left_out.items()] or "—"})


def _plan(loaded, data, changes, shown, notes, scenario_path, target, kind_key, info,
          lang, today) -> VariantPlan:
    scenario_path = Path(scenario_path)
    target = Path(target) if target is not None else None
    if target is not None and target.suffix.lower() not in (".yaml", ".yml"):
        raise OutputError(target, "rg_output_not_yaml")
    # the baseline is named relative to the variant, as the loader resolves it
    folder = (target or scenario_path).resolve().parent
    if not inside(scenario_path.resolve(), [folder, *data_roots()]):
        # the loader would refuse a baseline outside the variant's folder tree
        raise OutputError(target, "rg_output_outside_baseline_tree", baseline=scenario_path)
    variant_of = Path(os.path.relpath(scenario_path.resolve(), folder)).as_posix()
    date = (today or dt.date.today()).isoformat()
    document = {
        "variant_of": variant_of,
        "baseline_sha256": loaded.sha256,
        "saved": dt.datetime.now().isoformat(timespec="minutes") if today is None else date,
        "description": Msg("rg_variant_description", {
            "kind": Msg(kind_key), "file": info.path.name, "date": date,
            "settlements": Msg("rg_variant_settlements", {"names": ", ".join(info.settlements.counted)})
            if info.settlements else ""}).render(lang),
        "changes": changes,
    }
    header = "".join(f"# {line}\n" for line in Msg("rg_variant_header", {"kind": Msg(kind_key)})
                     .render(lang).splitlines())
    # checked as a whole before anything is written; problems name the file not yet written
    name = Msg("rg_not_written", {"file": target or "variant"}).render(lang)
    merged = apply_changes(data, changes)
    # the baseline's data already holds the base's heads; the variant's "not from the base"
    # is said for the file, and has nothing left to unlink here
    merged["categories"] = [{k: v for k, v in c.items() if not (k == "heads_from" and v is None)}
                            if isinstance(c, dict) else c for c in merged.get("categories") or []]
    scenario = validate_scenario(merged, name)
    return VariantPlan(loaded, scenario, target, document, header, tuple(shown), tuple(notes))


def _quantity(value: float, unit: str, decimals: int = 0, decimal_mark: str = ",") -> str:
    """``15312`` -> ``"15 312 person"``: as an economist writes it in a scenario file, with
    the baseline's decimal mark (a variant is read with it)."""
    return f"{value:,.{decimals}f}".replace(",", " ").replace(".", decimal_mark) + f" {unit}"


def _before(q) -> str | None:
    return None if q is None else _quantity(q.value, q.unit, 0 if float(q.value).is_integer() else 2)


def _int(n: int) -> str:
    return format_number(n, 0)


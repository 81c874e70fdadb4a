"""The livestock register: heads by species and owner, in one of two layouts.

Long: one row per owner and species (owner, species, heads), as a veterinary register lists
them. Wide: one row per owner with a column per species ("Овцы", "Козы", "КРС", ...), as a
household book (похозяйственная книга) summary does; an empty or zero cell is no animals.
As for households, a row is used whole or listed with its reasons; an owner and species met
twice (long) or an owner met twice (wide) keeps the first usable row and lists the repeat.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from okmo_models.csv_text import column_letter
from okmo_models.registers.table import (
    CellProblem, DataRows, RegisterError, RegisterFile, SettlementFilter, UnusableRow, cell_text,
    count_in, count_problem, find_heading, heading_matcher, read_sheet, register_file, require_columns,
    shown, species_msg)
from okmo_models.registers.vocabulary import (
    LIVESTOCK_COLUMNS, MAX_HEADS, SPECIES, TOTALS_WORDS, fold, species_key)

KNOWN_SPECIES = ", ".join(names[0] for names in SPECIES.values())
_OWNER = ("owner_id", "owner_name")


@dataclass(frozen=True)
class Holding:
    row: int
    owner: str
    settlement: str
    species: str  # key of vocabulary.SPECIES
    heads: int  # [head]


@dataclass(frozen=True)
class LivestockRegister:
    file: RegisterFile
    layout: str  # "long" or "wide"
    holdings: tuple[Holding, ...]
    unusable: tuple[UnusableRow, ...]


@dataclass(frozen=True)
class LivestockVolumes:
    """Heads by species, and how many owners keep them."""

    heads: dict  # species -> heads [head], species with at least one head
    owners_by_species: dict  # species -> owners keeping it
    owners: int  # owners with at least one head
    by_settlement: dict  # settlement (as first written) -> {species: heads}; empty without the column

    @property
    def total_heads(self) -> int:
        return sum(self.heads.values())


def read_livestock(path: str | Path, sheet: str | None = None,
                   settlements: list[str] | tuple = (), decimal_mark: str | None = None,
                   progress: bool = False, lang: str | None = None) -> LivestockRegister:
    """Read a livestock register (CSV or .xlsx, long or wide layout); with ``settlements``
    only the rows of those settlements count, ``decimal_mark`` says how "1.500" heads read,
    ``progress`` draws the rows read (all as for :func:`read_households`)."""
    data = read_sheet(path, sheet, progress, lang)
    heading = find_heading(data, heading_matcher(LIVESTOCK_COLUMNS), extra=species_key)
    if heading is not None and "species" not in heading.columns and heading.extra:
        layout = "wide"
        heading = require_columns(data, heading, (_OWNER,), LIVESTOCK_COLUMNS)
        seen: dict[str, int] = {}
        for i, sp in sorted(heading.extra.items()):
            if sp in seen:
                r = heading.row
                raise RegisterError(data.path, "rg_column_twice", column=species_msg(sp), row=r,
                                    first=f"{column_letter(seen[sp])}{r} «{heading.texts[seen[sp]]}»",
                                    second=f"{column_letter(i)}{r} «{heading.texts[i]}»")
            seen[sp] = i
    else:
        layout = "long"
        heading = require_columns(data, heading, (_OWNER, ("species",), ("heads",)), LIVESTOCK_COLUMNS)
    owner_field = "owner_id" if "owner_id" in heading.columns else "owner_name"
    idx = heading.columns
    place = SettlementFilter(data, heading, settlements, "livestock")
    holdings: list[Holding] = []
    first_row: dict[tuple, int] = {}
    used = 0
    rows = DataRows(data, heading, TOTALS_WORDS, progress, lang)
    width = heading.width
    for r, row in rows:

        def value(i, row=row):
            return row[i] if i is not None and i < len(row) else None

        def where(name, r=r):
            return heading.where(name, r)

        problems = []
        extra = heading.extra_cell(row, r, width) if len(row) > width else None
        if extra is not None:
            problems.append(extra)
        settlement = cell_text(value(idx.get("settlement")))
        if not place.keeps(settlement, shifted=extra is not None):
            continue  # another settlement's row: not this service's, counted apart
        if place.active and not settlement:
            problems.append(CellProblem("rg_settlement_missing", **where("settlement")))
        owner = cell_text(value(idx[owner_field]))
        if not owner:
            problems.append(CellProblem("rg_owner_missing", **where(owner_field)))
        found: list[tuple[str, int]] = []
        if layout == "long":
            text = cell_text(value(idx["species"]))
            sp = species_key(text) if text else None
            if not text:
                problems.append(CellProblem("rg_species_missing", **where("species")))
            elif sp is None or sp == "mixed":
                problems.append(CellProblem("rg_species_mixed" if sp else "rg_species_unknown",
                                            **where("species"), value=text, context={"known": KNOWN_SPECIES}))
            raw = value(idx["heads"])
            heads, why, context = count_in(raw, MAX_HEADS, decimal_mark)
            if why:
                problems.append(count_problem("heads", why, where("heads"), raw, context, MAX_HEADS))
            elif sp and sp != "mixed":
                found.append((sp, heads))
            key = (fold(owner), sp)
        else:
            for i, sp in sorted(heading.extra.items()):
                raw = value(i)
                if fold(cell_text(raw)) in ("", "0"):
                    continue
                cell = {"cell": f"{column_letter(i)}{r}", "heading": heading.texts[i]}
                if sp == "mixed":
                    problems.append(CellProblem("rg_species_mixed", **cell, value=shown(raw),
                                                context={"known": KNOWN_SPECIES}))
                    continue
                heads, why, context = count_in(raw, MAX_HEADS, decimal_mark)
                if why:
                    problems.append(count_problem("heads", why, cell, raw, context, MAX_HEADS))
                else:
                    found.append((sp, heads))
            key = (fold(owner),)
        if not problems and key in first_row:
            twice = "rg_owner_species_twice" if layout == "long" else "rg_owner_twice"
            problems.append(CellProblem(twice, **where(owner_field), value=owner,
                                        context={"first_row": first_row[key]}))
        if problems:
            rows.unusable.append(UnusableRow(r, tuple(problems)))
            continue
        first_row[key] = r
        used += 1
        holdings.extend(Holding(r, owner, settlement, sp, heads) for sp, heads in found)
    info = register_file(data, heading, rows.read, used, rows.empty, place.selection())
    return LivestockRegister(info, layout, tuple(holdings), tuple(rows.unusable))


def livestock_volumes(register: LivestockRegister) -> LivestockVolumes:
    """Heads by species (in the vocabulary's order), owners by species, by settlement."""
    heads: Counter = Counter()
    owners: dict[str, set] = {}
    settlements: dict[str, Counter] = {}
    names: dict[str, str] = {}  # folded -> as first written: "Центр" and "центр " are one
    for h in register.holdings:
        heads[h.species] += h.heads
        owners.setdefault(h.species, set()).add(fold(h.owner))
        if "settlement" in register.file.columns:
            name = names.setdefault(fold(h.settlement), h.settlement)
            settlements.setdefault(name, Counter())[h.species] += h.heads
    order = [sp for sp in SPECIES if heads[sp]]
    everyone = set().union(*owners.values()) if owners else set()
    return LivestockVolumes({sp: heads[sp] for sp in order}, {sp: len(owners[sp]) for sp in order},
                            len(everyone),
                            {s: {sp: c[sp] for sp in SPECIES if c[sp]} for s, c in settlements.items()})


"""The household register: one row per household, with its members and Social Passport category.

A row is used whole or not at all: counting a row's members but not its category (or the
reverse) would make the total of persons and the counts by category come from different
sets of households. Every row below the heading is either used or listed with its reasons;
only entirely empty rows are skipped (and counted). A household code met twice keeps the
first usable row; the repeat is listed.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from okmo_models.registers.table import (
    CellProblem, DataRows, RegisterFile, SettlementFilter, Sheet, UnusableRow, cell_text, count_in,
    count_problem, find_heading, heading_matcher, read_sheet, register_file, require_columns)
from okmo_models.registers.vocabulary import (
    HOUSEHOLD_COLUMNS, HOUSEHOLD_REQUIRED, MAX_MEMBERS, SOCIAL_PASSPORT, TOTALS_WORDS, categories_in,
    fold)

KNOWN_CATEGORIES = ", ".join(c.names[0] for c in SOCIAL_PASSPORT)


@dataclass(frozen=True)
class Household:
    row: int
    id: str
    settlement: str
    members: int  # [person]
    categories: frozenset  # Social Passport category keys, empty for none


@dataclass(frozen=True)
class HouseholdRegister:
    """The usable households of a register file and the rows that could not be used."""

    file: RegisterFile
    households: tuple[Household, ...]
    unusable: tuple[UnusableRow, ...]

    def households_in(self, categories) -> int:
        """Households belonging to at least one of ``categories`` (each counted once)."""
        wanted = set(categories)
        return sum(1 for h in self.households if h.categories & wanted)


@dataclass(frozen=True)
class HouseholdVolumes:
    """What a tariff scenario takes from the register. Counts of households and persons."""

    persons: int  # [person]
    households: int  # [household]
    by_category: dict  # category key -> (households, persons), only categories present
    without_category: tuple[int, int]  # (households, persons) in no category
    in_several_categories: int  # households counted in more than one category
    by_settlement: dict  # settlement (as first written) -> (households, persons); empty without the column

    @property
    def household_size(self) -> float | None:
        """Mean persons per household [person/household]."""
        return self.persons / self.households if self.households else None


def read_households(path: str | Path, sheet: str | None = None,
                    settlements: list[str] | tuple = (), decimal_mark: str | None = None,
                    progress: bool = False, lang: str | None = None) -> HouseholdRegister:
    """Read a household register export (CSV or .xlsx); raise :class:`RegisterError` only if
    the file as a whole cannot be read (no file, a quote left open, no heading row, a
    required column missing), or if ``settlements`` are given and the file has no settlement
    column or none of a name.

    With ``settlements`` only the rows of those settlements count (see
    :class:`~okmo_models.registers.table.SettlementFilter`): the rows of others are left out
    of the volumes and of the rows not used, and counted apart. ``decimal_mark`` ("," or
    ".") says how "1,500" reads; without it such a count is listed with both readings.
    ``progress`` draws the rows read on the terminal, labelled in ``lang``."""
    data = read_sheet(path, sheet, progress, lang)
    heading = _heading(data)
    idx = heading.columns
    place = SettlementFilter(data, heading, settlements, "households")
    households: list[Household] = []
    first_row: dict[str, int] = {}
    rows = DataRows(data, heading, TOTALS_WORDS, progress, lang)
    width = heading.width
    # column positions, -1 for a column the file lacks (read as an empty cell)
    i_settlement, i_id, i_members, i_category = (idx.get(name, -1) for name in
                                                 ("settlement", "household_id", "members", "category"))
    for r, row in rows:
        n = len(row)
        problems = []
        extra = heading.extra_cell(row, r, width) if len(row) > width else None
        if extra is not None:
            problems.append(extra)
        settlement = cell_text(row[i_settlement]) if -1 < i_settlement < n else ""
        if not place.keeps(settlement, shifted=extra is not None):
            continue  # another settlement's row: not this service's, counted apart
        if place.active and not settlement:
            problems.append(CellProblem("rg_settlement_missing", **heading.where("settlement", r)))
        hid = cell_text(row[i_id]) if i_id < n else ""
        if not hid:
            problems.append(CellProblem("rg_id_missing", **heading.where("household_id", r)))
        raw_members = row[i_members] if i_members < n else None
        members, why, context = count_in(raw_members, MAX_MEMBERS, decimal_mark)
        if why:
            problems.append(count_problem("members", why, heading.where("members", r), raw_members, context,
                                          MAX_MEMBERS))
        raw_category = cell_text(row[i_category]) if -1 < i_category < n else ""
        categories, unknown = categories_in(raw_category)
        if unknown:
            problems.append(CellProblem("rg_category_unknown", **heading.where("category", r), value=raw_category,
                                        context={"part": "; ".join(unknown), "known": KNOWN_CATEGORIES}))
        key = fold(hid)
        if not problems and key in first_row:
            problems.append(CellProblem("rg_id_twice", **heading.where("household_id", r), value=hid,
                                        context={"first_row": first_row[key]}))
        if problems:
            rows.unusable.append(UnusableRow(r, tuple(problems)))
            continue
        first_row[key] = r
        households.append(Household(r, hid, settlement, members, categories))
    info = register_file(data, heading, rows.read, len(households), rows.empty, place.selection())
    return HouseholdRegister(info, tuple(households), tuple(rows.unusable))


def household_volumes(register: HouseholdRegister) -> HouseholdVolumes:
    """Persons, households, households by Social Passport category and by settlement."""
    persons = sum(h.members for h in register.households)
    cat_households: Counter = Counter()
    cat_persons: Counter = Counter()
    none = [0, 0]
    several = 0
    settlements: dict[str, list[int]] = {}
    names: dict[str, str] = {}  # folded -> as first written: "Центр" and "центр " are one
    folded: dict[str, str] = {}  # as written -> folded, computed once per spelling
    for h in register.households:
        for c in h.categories:
            cat_households[c] += 1
            cat_persons[c] += h.members
        if not h.categories:
            none[0] += 1
            none[1] += h.members
        several += len(h.categories) > 1
        if "settlement" in register.file.columns:
            key = folded.get(h.settlement)
            if key is None:
                key = folded[h.settlement] = fold(h.settlement)
            s = settlements.setdefault(names.setdefault(key, h.settlement), [0, 0])
            s[0] += 1
            s[1] += h.members
    order = [c.key for c in SOCIAL_PASSPORT]
    by_category = {k: (cat_households[k], cat_persons[k]) for k in order if cat_households[k]}
    return HouseholdVolumes(persons, len(register.households), by_category, tuple(none), several,
                            {k: tuple(v) for k, v in settlements.items()})


def _heading(data: Sheet):
    heading = find_heading(data, heading_matcher(HOUSEHOLD_COLUMNS))
    return require_columns(data, heading, tuple((f,) for f in HOUSEHOLD_REQUIRED), HOUSEHOLD_COLUMNS)


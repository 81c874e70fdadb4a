"""A municipality folder read as one model.

One aiyl okmotu's folder holds its passport, its economic base, its tariffs, its budget and
its programme. :func:`read_folder` finds them (a what-if variant is not the plan; of several
yearly passports the latest is), :func:`evaluate_folder` computes each, as the commands for
one file do, and keeps what a file's own problem prevents beside the rest, so that one
broken file does not hide the others. The links between the files are checked in
:mod:`okmo_models.municipality.checks`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from okmo_models.errors import OkmoError, Refusal
from okmo_models.i18n import t
from okmo_models.kinds import kind_of, plan_files


class FolderError(Refusal):
    """The folder cannot be read as one municipality (two budgets, no plan at all)."""


@dataclass(frozen=True)
class Folder:
    path: Path
    passport: Path | None
    economic_base: Path | None
    tariffs: tuple[Path, ...]
    budget: Path | None
    programme: Path | None
    variants: tuple[Path, ...]  # what-ifs, checked on their own, not part of the plan
    monitoring: tuple[Path, ...] = ()  # the follow-up of the plans, a file per year


def _is_variant(path: Path) -> bool:
    import re

    return bool(re.search(r"(?m)^variant_of\s*[:=]", path.read_text("utf-8", errors="replace")))


def read_folder(folder: str | Path) -> Folder:
    """The plan files of a municipality folder (its own files, not its subfolders'), by kind.
    Two files of a kind that has one per municipality are refused, naming both: the plan
    would be ambiguous."""
    folder = Path(folder)
    found = [p for p in plan_files(folder) if p.parent == folder]
    by_kind: dict[str, list[Path]] = {}
    variants = []
    for p in found:
        kind = kind_of(p).name
        if _is_variant(p) and kind != "passport":
            variants.append(p)
        else:
            by_kind.setdefault(kind, []).append(p)
    if not found:
        raise FolderError("mu_no_plans", folder=folder)
    for kind in ("economic_base", "budget", "programme"):
        if len(by_kind.get(kind, [])) > 1:
            raise FolderError("mu_two_of_a_kind", folder=folder, kind=t("mu_kind_" + kind),
                              files=", ".join(p.name for p in by_kind[kind]))
    passport = _latest_passport(folder, by_kind.get("passport", []))
    one = lambda kind: by_kind.get(kind, [None])[0]  # noqa: E731
    return Folder(folder, passport, one("economic_base"), tuple(by_kind.get("tariff", [])), one("budget"),
                  one("programme"), tuple(variants), tuple(by_kind.get("monitoring", [])))


def _latest_passport(folder: Path, passports: list[Path]) -> Path | None:
    """This year's passport: a variant of last year's, so the one of the latest year. Its
    year is read from the data as written (a broken passport is checked, and reported, with
    the others); two of the same year are refused by name, as two budgets are."""
    from okmo_models.scenario.loader import read_data

    if len(passports) < 2:
        return passports[0] if passports else None
    years = {}
    for p in passports:
        try:
            year = read_data(p)[0].get("year")
        except OkmoError:
            year = None
        years[p] = year if isinstance(year, int) else -1
    latest = max(years.values())
    newest = [p for p, y in years.items() if y == latest]
    if len(newest) > 1:
        raise FolderError("mu_two_of_a_kind", folder=folder, kind=t("mu_kind_passport"),
                          files=", ".join(p.name for p in newest))
    return newest[0]


@dataclass
class MunicipalityModel:
    """Each file of the folder computed (None when absent or when its own problem stops it;
    ``failed`` keeps that problem by file)."""

    folder: Folder
    passport: object = None  # PassportResult
    economic_base: object = None  # EconomicBaseResult
    tariffs: dict = field(default_factory=dict)  # path -> TariffResult
    flows: dict = field(default_factory=dict)  # path -> BudgetFlows
    budget: object = None  # BudgetResult, with its plans linked
    linked: list = field(default_factory=list)  # okmo_models.plan_links.LinkedTariff
    programme: object = None  # ProgrammeResult
    monitoring: dict = field(default_factory=dict)  # path -> MonitoringResult
    failed: dict = field(default_factory=dict)  # path -> OkmoError

    @property
    def municipality(self):
        """The municipality as its files name it (the first computed file, passport first),
        or None when every file failed."""
        files = [(self.passport, "passport"), (self.budget, "scenario"), (self.programme, "programme"),
                 (self.economic_base, "base"), *((r, "scenario") for r in self.tariffs.values())]
        return next((getattr(r, field).municipality for r, field in files if r is not None), None)

    def municipality_name(self, lang: str) -> str:
        m = self.municipality
        return m.name.get(lang) if m is not None else t("mor_unnamed", lang)


def evaluate_folder(folder: str | Path | Folder) -> MunicipalityModel:
    """Every file of the folder computed; a file's own problem is kept in ``failed``."""
    from okmo_models.kinds import KINDS
    from okmo_models.plan_links import forecast_linked_budget, linked_budget
    from okmo_models.tariff.budget_flows import budget_flows

    f = folder if isinstance(folder, Folder) else read_folder(folder)
    m = MunicipalityModel(f)

    def attempt(path, compute):
        try:
            return compute(path)
        except OkmoError as exc:
            m.failed[path] = exc
            return None

    if f.passport:
        m.passport = attempt(f.passport, KINDS["passport"].compute)
    if f.economic_base:
        m.economic_base = attempt(f.economic_base, KINDS["economic_base"].compute)
    for p in f.tariffs:
        r = attempt(p, KINDS["tariff"].compute)
        if r is not None:
            m.tariffs[p] = r
            m.flows[p] = budget_flows(r)
    if f.budget:
        linked = attempt(f.budget, linked_budget)
        if linked is not None:
            m.linked = linked[1]
            m.budget = attempt(f.budget, lambda p: forecast_linked_budget(linked[0]))
    if f.programme:
        m.programme = attempt(f.programme, KINDS["programme"].compute)
    for p in f.monitoring:
        r = attempt(p, KINDS["monitoring"].compute)
        if r is not None:
            m.monitoring[p] = r
    return m

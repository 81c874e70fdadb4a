"""The rules that tie a municipality's files together, one small function per rule.

Each rule takes the computed :class:`~okmo_models.municipality.model.MunicipalityModel` and
yields :class:`Inconsistency` objects: what disagrees, in words (for the overview a kenesh
reads), and the two files and fields that disagree (for ``okmo check FOLDER``, so the
economist knows where to look). :data:`RULES` lists them in the order they are reported.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from okmo_models.formatting import format_money, format_number
from okmo_models.i18n import t
from okmo_models.municipality.model import MunicipalityModel
from okmo_models.units import MONEY_UNITS



@dataclass(frozen=True)
class Place:
    """A field of a file: ``budget.yaml``, ``plans``."""

    file: Path
    field: str

    def render(self) -> str:
        return f"{self.file.name}: {self.field}" if self.field else self.file.name


@dataclass(frozen=True)
class Inconsistency:
    key: str  # the message, in the municipality locale
    places: tuple[Place, ...]
    context: dict = field(default_factory=dict)  # values already in words and formatted numbers, by language

    def describe(self, lang: str) -> str:
        """In words only, as the overview prints it."""
        return t(self.key, lang, **{k: (v(lang) if callable(v) else v) for k, v in self.context.items()})

    def render(self, lang: str) -> str:
        """In words, then where: each file and field, as ``okmo check`` prints it."""
        return "\n".join([self.describe(lang), *("    " + p.render() for p in self.places)])


def _tariff_name(m: MunicipalityModel, path: Path):
    """A tariff in words: its service and who provides it (two waste tariffs differ by operator)."""
    s = m.tariffs[path].scenario
    return lambda lang: f"{t('service_' + s.service, lang)}, {s.operator.name.get(lang)}, {s.tariff_year}"


def _som(value: float):
    return lambda lang: format_money(value, lang)


def subsidies_in_the_budget(m: MunicipalityModel) -> Iterator[Inconsistency]:
    """A tariff that asks the budget for a subsidy or for discounts is financed by a line of
    the budget (its ``plans``), so that the budget holds what the kenesh approves."""
    linked = {lt.path.resolve() for lt in m.linked}
    for path, flows in m.flows.items():
        asked = [(y, s + d) for y, s, d in zip(flows.years, flows.subsidy_som, flows.discounts_som) if s + d > 0]
        if not asked or path.resolve() in linked:
            continue
        year, amount = asked[0]
        if m.folder.budget is None:
            yield Inconsistency("mu_subsidy_no_budget", (Place(path, ""),),
                                {"tariff": _tariff_name(m, path), "year": year, "amount": _som(amount)})
        elif m.budget is not None:
            yield Inconsistency("mu_subsidy_not_in_budget", (Place(path, ""), Place(m.folder.budget, "plans")),
                                {"tariff": _tariff_name(m, path), "year": year, "amount": _som(amount)})


def programme_financed(m: MunicipalityModel) -> Iterator[Inconsistency]:
    """The programme as drafted is financed year by year: the local share of its measures
    fits the money the budget leaves."""
    if m.programme is None:
        return
    p = m.programme.programme
    names = {x.id: x.name for x in p.measures}
    unit = p.unit
    for year, short, causes in m.programme.plan.gaps():
        yield Inconsistency(
            "mu_programme_gap", (Place(m.folder.programme, "measures"),
                                 Place(m.folder.budget, "") if m.folder.budget else Place(m.folder.programme, "limits")),
            {"year": year, "short": lambda lang, v=short: format_number(v, 1, lang),
             "unit": lambda lang: t("b_unit_" + unit, lang),
             "measures": lambda lang, c=causes: "; ".join(names[i].get(lang) for i, _ in c[:3])})


def measures_match_the_passport(m: MunicipalityModel) -> Iterator[Inconsistency]:
    """A measure that carries out a passport option names an object and an option the
    passport has, and costs, lasts and runs what the option says."""
    if m.programme is None:
        return
    p = m.programme.programme
    linked = [(i, x) for i, x in enumerate(p.measures) if x.passport is not None]
    if not linked:
        return
    if m.passport is None:
        if m.folder.passport is None:
            i, x = linked[0]
            yield Inconsistency("mu_no_passport", (Place(m.folder.programme, f"measures[{i + 1}].passport"),),
                                {"measure": x.name.get})
        return
    passport = m.passport.passport
    objects = {o.id: o for o in passport.objects}
    scale = MONEY_UNITS[p.unit] / MONEY_UNITS[passport.unit]  # programme amounts in passport units
    for i, x in enumerate(p.measures):
        if x.passport is None:
            continue
        where = Place(m.folder.programme, f"measures[{i + 1}].passport")
        o = objects.get(x.passport.object)
        if o is None:
            yield Inconsistency("mu_object_unknown", (where, Place(m.folder.passport, "objects")),
                                {"measure": x.name.get, "object": x.passport.object})
            continue
        option = next((y for y in o.options if y.id == x.passport.option), None)
        j = passport.objects.index(o)
        if option is None:
            yield Inconsistency("mu_option_unknown", (where, Place(m.folder.passport, f"objects[{j + 1}].options")),
                                {"measure": x.name.get, "object": o.name.get, "option": x.passport.option})
            continue
        k = o.options.index(option)
        there = f"objects[{j + 1}].options[{k + 1}]"
        compared = (("cost", sum(x.cost) * scale, option.cost), ("years", len(x.cost), option.years),
                    ("running_cost", x.running_cost * scale, option.running_cost))
        for name, ours, theirs in compared:
            if abs(ours - theirs) > 1e-6 * max(1.0, abs(theirs)):
                decimals = 0 if name == "years" else 2
                yield Inconsistency(
                    "mu_measure_" + name, (Place(m.folder.programme, f"measures[{i + 1}].{name}"),
                                           Place(m.folder.passport, f"{there}.{name}")),
                    {"measure": x.name.get, "object": o.name.get,
                     "programme": lambda lang, v=ours: format_number(v, decimals, lang),
                     "passport": lambda lang, v=theirs: format_number(v, decimals, lang),
                     "unit": lambda lang: t("b_unit_" + passport.unit, lang)})


def service_assets_typed_once(m: MunicipalityModel) -> Iterator[Inconsistency]:
    """A tariff whose service has objects in the passport reads its assets from there
    (``assets_from``) instead of typing them a second time."""
    if m.passport is None:
        return
    passport = m.passport.passport
    for path, r in m.tariffs.items():
        roles = {f.role for f in r.provenance.inputs}
        objects = [j for j, o in enumerate(passport.objects) if o.service == r.scenario.service]
        if objects and "passport" not in roles:
            j = objects[0]
            yield Inconsistency("mu_assets_twice", (Place(path, "assets"),
                                                     Place(m.folder.passport, f"objects[{j + 1}].service")),
                                {"tariff": _tariff_name(m, path), "object": passport.objects[j].name.get})


def each_object_depreciated_once(m: MunicipalityModel) -> Iterator[Inconsistency]:
    """No passport object is depreciated by two tariffs: its cost would be charged twice."""
    if m.passport is None:
        return
    from okmo_models.scenario.loader import read_data, read_file
    from okmo_models.scenario.passport_assets import objects_read

    passport_data = read_data(m.folder.passport)[0]  # this year's passport may be a variant
    readers: dict[str, list[Path]] = {}
    for path, r in m.tariffs.items():
        if "passport" in {f.role for f in r.provenance.inputs}:
            for oid in objects_read(read_file(path)[0], passport_data):
                readers.setdefault(oid, []).append(path)
    objects = {o.id: (j, o) for j, o in enumerate(m.passport.passport.objects)}
    for oid, paths in readers.items():
        if len(paths) > 1 and oid in objects:
            j, o = objects[oid]
            yield Inconsistency("mu_depreciated_twice", (*(Place(p, "assets_from") for p in paths),
                                                          Place(m.folder.passport, f"objects[{j + 1}]")),
                                {"object": o.name.get,
                                 "tariffs": lambda lang, ps=paths: "; ".join(_tariff_name(m, p)(lang) for p in ps)})


def dipping_heads_from_the_base(m: MunicipalityModel) -> Iterator[Inconsistency]:
    """A dipping-bath tariff counts the municipality's own livestock (its population
    categories) as the economic base's latest count does, species by species."""
    if m.economic_base is None:
        return
    base = m.economic_base
    values, year = base.values, base.base.year
    column = list(values.years).index(year)
    for path, r in m.tariffs.items():
        s = r.scenario
        if s.service != "dipping_bath":
            continue
        heads: dict[str, float] = {}
        for c in s.categories:
            if c.kind == "population" and c.heads:
                for species, q in c.heads.items():
                    heads[species] = heads.get(species, 0.0) + q.to("head")
        for species, counted in heads.items():
            in_base = float(values.heads[species][column]) if species in values.heads else 0.0
            if abs(in_base - counted) > 0.5:
                yield Inconsistency(
                    "mu_heads_differ", (Place(path, "categories"), Place(m.folder.economic_base, "livestock")),
                    {"tariff": _tariff_name(m, path), "species": lambda lang, sp=species: t("species_" + sp, lang),
                     "tariff_heads": lambda lang, v=counted: format_number(v, 0, lang),
                     "base_heads": lambda lang, v=in_base: format_number(v, 0, lang), "year": year})


RULES = (subsidies_in_the_budget, programme_financed, measures_match_the_passport, service_assets_typed_once,
         each_object_depreciated_once, dipping_heads_from_the_base)


def check(m: MunicipalityModel) -> list[Inconsistency]:
    """Every inconsistency the rules find, in the order of :data:`RULES`."""
    return [found for rule in RULES for found in rule(m)]

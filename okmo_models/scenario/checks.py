"""Checks that need the whole scenario: references, service rules, unit consistency.

Each check yields :class:`~okmo_models.errors.Problem` objects; the loader adds line
numbers and raises them all together.
"""

from __future__ import annotations

from collections.abc import Iterator

from okmo_models.errors import Problem
from okmo_models.i18n import LANGUAGES, t
from okmo_models.parameters import known_parameters
from okmo_models.scenario.schema import Scenario
from okmo_models.units import UnitError, parse_unit

# Billing units each service understands; the tariff of a category is quoted per one of them.
BILLING_UNITS = {
    "waste": ("m3", "t", "person/month", "person/year", "household/month", "household/year",
              "m2/month", "m2/year"),
    "water": ("m3", "person/month", "person/year", "household/month", "household/year",
              "m2/month", "m2/year"),
    "dipping_bath": ("head",),
}


def sources_named(s: Scenario) -> Iterator[Problem]:
    """Every source a section or line names is among the file's ``sources``."""
    known = set(s.sources)
    known_list = ", ".join(sorted(known))

    def check(path, ref):
        if ref is not None and ref not in known:
            return Problem(path=path, key="source_unknown", value=ref, context={"known": known_list})
        return None

    refs = [(("operator", "source"), s.operator.source)]
    refs += [(("cost_lines", i, "source"), c.source) for i, c in enumerate(s.cost_lines)]
    refs += [(("assets", i, "source"), a.source) for i, a in enumerate(s.assets)]
    refs += [(("debt_service", i, "source"), d.source) for i, d in enumerate(s.debt_service)]
    refs += [(("categories", i, "source"), c.source) for i, c in enumerate(s.categories)]
    refs += [(("parameters", k, "source"), p.source) for k, p in s.parameters.items()]
    if s.rounding is not None:
        refs.append((("rounding", "source"), s.rounding.source))
    if s.waste is not None:
        refs.append((("waste", "landfill_fee_source"), s.waste.landfill_fee_source))
    if s.water is not None:
        refs.append((("water", "source"), s.water.source))
    if s.dipping_bath is not None:
        refs.append((("dipping_bath", "source"), s.dipping_bath.source))
    refs += _programme_sources(s)
    for path, ref in refs:
        problem = check(path, ref)
        if problem:
            yield problem


def _programme_sources(s: Scenario) -> list[tuple]:
    """The sources the staffing table and the production programme name."""
    refs = []
    if s.staffing is not None:
        refs += [(("staffing", "positions", i, "source"), p.source) for i, p in enumerate(s.staffing.positions)]
    prog = s.production_programme
    if prog is not None:
        where = ("production_programme",)
        refs += [(where + ("fuels", k, "source"), f.source) for k, f in prog.fuels.items()]
        refs += [(where + ("allowances", k, "source"), a.source) for k, a in prog.allowances.items()]
        for i, v in enumerate(prog.vehicles):
            refs.append((where + ("vehicles", i, "source"), v.source))
            if v.tyres is not None:
                refs.append((where + ("vehicles", i, "tyres", "source"), v.tyres.source))
        if prog.pumping is not None:
            refs.append((where + ("pumping", "source"), prog.pumping.source))
        refs += [(where + ("chemicals", i, "source"), c.source) for i, c in enumerate(prog.chemicals)]
    return refs


def _derived_components(s: Scenario) -> list[tuple]:
    """The components the derived lines belong to (wages, fuels, vehicles' tyres and repairs,
    pumping and reagents)."""
    places = []
    if s.staffing is not None:
        places += [(("staffing", "positions", i, "component"), p.component)
                   for i, p in enumerate(s.staffing.positions)]
    prog = s.production_programme
    if prog is not None:
        places += [(("production_programme", "fuels", k, "component"), f.component)
                   for k, f in prog.fuels.items() if any(v.fuel == k for v in prog.vehicles)]
        places += [(("production_programme", "vehicles", i, "component"), v.component)
                   for i, v in enumerate(prog.vehicles) if v.tyres is not None or v.repairs is not None]
        if prog.pumping is not None and s.water is not None:
            places.append((("production_programme", "pumping", "component"), prog.pumping.component))
        if s.water is not None:
            places += [(("production_programme", "chemicals", i, "component"), c.component)
                       for i, c in enumerate(prog.chemicals)]
    return places


def programme_and_staffing_sound(s: Scenario) -> Iterator[Problem]:
    """The calculation has lines to compute; each vehicle burns a fuel the programme prices and
    names allowances it lists; every fuel and allowance listed is used; pumping and reagents
    belong to water."""
    prog = s.production_programme
    derives = s.staffing is not None or (prog is not None and (prog.vehicles or prog.pumping or prog.chemicals))
    if not s.cost_lines and not derives:
        yield Problem(path=("cost_lines",), key="no_cost_lines")
    if prog is None:
        return
    where = ("production_programme",)
    for i, v in enumerate(prog.vehicles):
        if v.fuel not in prog.fuels:
            yield Problem(path=where + ("vehicles", i, "fuel"), key="fuel_unknown", value=v.fuel,
                          context={"known": ", ".join(prog.fuels) or "—"})
        for j, a in enumerate(v.allowances):
            if a not in prog.allowances:
                yield Problem(path=where + ("vehicles", i, "allowances", j), key="allowance_unknown", value=a,
                              context={"known": ", ".join(prog.allowances) or "—"})
    for k in prog.fuels:
        if not any(v.fuel == k for v in prog.vehicles):
            yield Problem(path=where + ("fuels", k), key="fuel_unused", value=k)
    for k in prog.allowances:
        if not any(k in v.allowances for v in prog.vehicles):
            yield Problem(path=where + ("allowances", k), key="allowance_unused", value=k)
    if s.service != "water":
        for name in ("pumping", "chemicals"):
            if getattr(prog, name):
                yield Problem(path=where + (name,), key="programme_water_only",
                              context={"service": {lang: t("service_" + s.service, lang) for lang in LANGUAGES}})


def components_named(s: Scenario) -> Iterator[Problem]:
    """With components, every cost names one that exists; without, none does."""
    known = [c.id for c in s.components]
    places = [(("cost_lines", i, "component"), c.component) for i, c in enumerate(s.cost_lines)]
    places += _derived_components(s)
    places += [(("assets", i, "component"), a.component) for i, a in enumerate(s.assets)]
    places += [(("debt_service", i, "component"), d.component) for i, d in enumerate(s.debt_service)]
    if s.waste is not None and s.waste.landfill_fee is not None:
        places.append((("waste", "landfill_fee_component"), s.waste.landfill_fee_component))
    for path, ref in places:
        if known and ref is None:
            yield Problem(path=path, key="component_missing", context={"known": ", ".join(known)})
        elif ref is not None and ref not in known:
            yield Problem(path=path, key="component_unknown", value=ref,
                          context={"known": ", ".join(known) or "—"})
    if len(set(known)) != len(known):
        yield Problem(path=("components",), key="component_twice", value=", ".join(known))
    if known:
        for i, c in enumerate(s.categories):
            if c.fixed_tariff is not None:  # a fixed total has no split into components
                yield Problem(path=("categories", i, "fixed_tariff"), key="components_with_fixed",
                              value=str(c.fixed_tariff))


def sections_fit_the_service(s: Scenario) -> Iterator[Problem]:
    """The file has the section of its service (water, dipping bath) and none of another's."""
    for name in ("waste", "water", "dipping_bath"):
        present = getattr(s, name) is not None
        if name != s.service and present:
            yield Problem(path=(name,), key="section_not_for_service", value=name,
                          context={"service": s.service})
    if s.service in ("water", "dipping_bath") and getattr(s, s.service) is None:
        yield Problem(path=(s.service,), key="section_missing", context={"service": s.service})


def cost_lines_in_som_per_year(s: Scenario) -> Iterator[Problem]:
    """A cost line's quantity times price is som a year; depreciation is not also a line when
    the assets give it."""
    som_per_year = parse_unit("som/year")
    for i, c in enumerate(s.cost_lines):
        if c.amount is None and not c.product_unit().same_dimension(som_per_year):
            yield Problem(path=("cost_lines", i, "price"), key="product_unit_mismatch",
                          value=str(c.price), context={"quantity": c.quantity.unit,
                                                       "price": c.price.unit})
        if c.line == "depreciation" and s.assets:
            yield Problem(path=("cost_lines", i, "line"), key="depreciation_twice", value=c.line)


def categories_fit_the_service(s: Scenario) -> Iterator[Problem]:
    """Each category has its own id, a billing unit of the service, the volume (or heads)
    the service counts, and tariffs quoted per its billing unit."""
    seen: dict[str, int] = {}
    allowed = BILLING_UNITS[s.service]
    species = set(s.dipping_bath.species_coefficients) if s.dipping_bath else set()
    for i, c in enumerate(s.categories):
        base = ("categories", i)
        if c.id in seen:
            yield Problem(path=base + ("id",), key="category_id_twice", value=c.id,
                          context={"first": seen[c.id] + 1})
        seen.setdefault(c.id, i)
        if c.billing_unit not in allowed:
            yield Problem(path=base + ("billing_unit",), key="billing_unit_not_for_service",
                          value=c.billing_unit, context={"allowed": ", ".join(allowed)})
            continue
        if s.service == "dipping_bath":
            if not c.heads:
                yield Problem(path=base + ("heads",), key="field_missing")
            for sp in c.heads or {}:
                if sp not in species:
                    yield Problem(path=base + ("heads", sp), key="species_unknown", value=sp,
                                  context={"known": ", ".join(sorted(species))})
            for f in ("persons", "households", "norm", "volume"):
                if getattr(c, f) is not None:
                    yield Problem(path=base + (f,), key="field_not_for_service", value=f,
                                  context={"service": s.service})
        else:
            yield from _volume_spec(s, c, base)
        for f in ("fixed_tariff", "current_tariff"):
            q = getattr(c, f)
            if q is None:
                continue
            # per billing unit, or (a regulated rate as decisions publish it) per base unit
            allowed_units = {"som/" + c.billing_unit}
            if f == "fixed_tariff":
                allowed_units.add("som/" + base_unit(s))
            try:
                ok = any(parse_unit(q.unit).same_dimension(parse_unit(u)) for u in allowed_units)
            except UnitError:  # pragma: no cover - the schema already parsed it
                ok = False
            if not ok:
                yield Problem(path=base + (f,), key="tariff_unit_mismatch", value=str(q),
                              context={"expected": " | ".join(sorted(allowed_units))})


def base_unit(s: Scenario) -> str:
    """The unit the service's volumes are counted in: m3, t or a (sheep-equivalent) head."""
    if s.service == "dipping_bath":
        return "head"
    if s.service == "waste" and s.waste is not None:
        return s.waste.basis
    return "m3"


def _volume_spec(s: Scenario, c, base) -> Iterator[Problem]:
    if c.heads:
        yield Problem(path=base + ("heads",), key="field_not_for_service", value="heads",
                      context={"service": s.service})
    per_area = c.norm is not None and "area" in c.norm.parsed_unit.dims
    has_base = c.area is not None if per_area else (c.persons is not None or c.households is not None)
    if c.volume is None and (c.norm is None or not has_base):
        yield Problem(path=base, key="area_missing" if per_area else "volume_missing", value=c.id)
    if c.volume is not None and c.norm is not None:
        yield Problem(path=base + ("norm",), key="volume_and_norm", value=c.id)
    if c.billing_unit.startswith("m2") and c.area is None:
        yield Problem(path=base + ("billing_unit",), key="area_missing", value=c.id)
    if c.persons is None and c.households is not None and c.household_size is None and \
            c.norm is not None and not per_area:
        yield Problem(path=base + ("household_size",), key="household_size_missing", value=c.id)
    if c.persons is not None and c.households is not None and c.household_size is not None:
        implied = c.persons.value / c.households.value
        if abs(implied - c.household_size.value) > 0.01 * c.household_size.value:
            yield Problem(path=base + ("household_size",), key="household_size_inconsistent",
                          value=c.household_size.value,
                          context={"implied": f"{implied:.2f}"})
    uses_tonnes = (c.volume is not None and "mass" in c.volume.parsed_unit.dims) or (
        c.norm is not None and "mass" in c.norm.parsed_unit.dims)
    if uses_tonnes and s.service == "water":
        field = "volume" if c.volume is not None else "norm"
        yield Problem(path=base + (field,), key="tonnes_not_for_water",
                      value=str(getattr(c, field)))
        return
    if (uses_tonnes or c.billing_unit == "t") and (s.waste is None or s.waste.density is None):
        yield Problem(path=base, key="tonnes_need_density", value=c.id)
    if c.billing_unit.startswith("person") and c.persons is None and (
            c.households is None or c.household_size is None):
        yield Problem(path=base + ("billing_unit",), key="billing_needs_persons", value=c.billing_unit)
    if c.billing_unit.startswith("household") and c.households is None and (
            c.persons is None or c.household_size is None):
        yield Problem(path=base + ("billing_unit",), key="billing_needs_households",
                      value=c.billing_unit)


def parameters_known_and_in_range(s: Scenario) -> Iterator[Problem]:
    """Each parameter set in the file is a known one, in its unit and valid range (the
    rounding rule has a section of its own)."""
    known = known_parameters()
    for name, override in s.parameters.items():
        if name not in known:
            yield Problem(path=("parameters", name), key="parameter_unknown", value=name,
                          context={"known": ", ".join(sorted(known))})
            continue
        expected = known[name].unit
        if name.startswith("tariff_rounding"):  # the rounding rule is a section of its own
            yield Problem(path=("parameters", name), key="parameter_in_rounding", value=name)
            continue
        if (expected == "list") != (override.items is not None):
            yield Problem(path=("parameters", name), key="parameter_needs_items" if expected == "list"
                          else "parameter_needs_value", value=name)
            continue
        if expected == "list":
            continue
        if not override.value.parsed_unit.same_dimension(parse_unit(expected)):
            yield Problem(path=("parameters", name, "value"), key="unit_mismatch",
                          value=str(override.value), context={"unit": override.value.unit,
                                                            "expected": expected})
            continue
        spec = known[name]
        if spec.out_of_range(override.value.to(expected)):
            low = spec.valid.get("min", spec.valid.get("above"))
            yield Problem(path=("parameters", name, "value"), key="parameter_out_of_range",
                          value=str(override.value),
                          context={"low": f"{low} {expected}",
                                   "high": f"{spec.valid.get('max', '∞')} {expected}"})


def policy_sections_sound(s: Scenario) -> Iterator[Problem]:
    """Tariff-policy sections: references to categories, shares adding up, service fit."""
    cats = {c.id: c for c in s.categories}

    def population_category(path, cid, need_households=True):
        c = cats.get(cid)
        if c is None:
            return Problem(path=path, key="category_unknown", value=cid,
                           context={"known": ", ".join(cats)})
        has_hh = c.households is not None or (c.persons is not None and c.household_size is not None)
        if c.kind != "population" or (need_households and not has_hh):
            return Problem(path=path, key="category_not_households", value=cid)
        return None

    def percent(q):
        return q.value * q.parsed_unit.factor

    a = s.affordability
    if a is not None:
        if s.service == "dipping_bath":
            yield Problem(path=("affordability",), key="section_not_for_service", value="affordability",
                          context={"service": s.service})
        elif a.category is not None:
            problem = population_category(("affordability", "category"), a.category)
            if problem:
                yield problem
        elif not any(c.kind == "population" and c.households is not None or
                     (c.kind == "population" and c.persons is not None and c.household_size is not None)
                     for c in s.categories):
            yield Problem(path=("affordability",), key="category_not_households", value=None)
        thresholds = {n: spec for n, spec in known_parameters().items()
                      if n.startswith("affordability_threshold")
                      and (not spec.services or s.service in spec.services)}
        if a.threshold_parameter is not None and a.threshold_parameter not in thresholds:
            yield Problem(path=("affordability", "threshold_parameter"), key="threshold_parameter_unknown",
                          value=a.threshold_parameter,
                          context={"known": ", ".join(thresholds) or "—", "service": s.service})
        groups = a.income_groups_parameter
        if groups is not None and (groups not in known_parameters() or not groups.startswith("income_groups")):
            yield Problem(path=("affordability", "income_groups_parameter"), key="parameter_unknown",
                          value=groups, context={"known": ", ".join(
                              n for n in known_parameters() if n.startswith("income_groups"))})
        if a.threshold is not None and a.threshold.source not in s.sources:
            yield Problem(path=("affordability", "threshold", "source"), key="source_unknown",
                          value=a.threshold.source, context={"known": ", ".join(s.sources)})
        if a.income_groups:
            total = sum(percent(g.share) for g in a.income_groups)
            if abs(total - 1) > 0.005:
                yield Problem(path=("affordability", "income_groups"), key="shares_not_100",
                              value=f"{total * 100:.1f} %")
            for i, g in enumerate(a.income_groups):
                if g.source not in s.sources:
                    yield Problem(path=("affordability", "income_groups", i, "source"),
                                  key="source_unknown", value=g.source,
                                  context={"known": ", ".join(s.sources)})
    v = s.vulnerable
    if v is not None:
        if v.financing == "cross_subsidy" and all(c.effective_policy == "fixed" for c in s.categories):
            yield Problem(path=("vulnerable", "financing"), key="cross_subsidy_needs_payers",
                          value=v.financing)
        discounted: dict[str, float] = {}
        for i, g in enumerate(v.groups):
            problem = population_category(("vulnerable", "groups", i, "category"), g.category)
            if problem:
                yield problem
                continue
            discounted[g.category] = discounted.get(g.category, 0.0) + g.households.to("household")
            c = cats[g.category]
            households = c.households.to("household") if c.households else \
                c.persons.to("person") / c.household_size.to("person/household")
            if discounted[g.category] > households * (1 + 1e-9):
                yield Problem(path=("vulnerable", "groups", i, "households"),
                              key="more_vulnerable_than_households", value=str(g.households),
                              context={"households": f"{households:.0f}", "category": g.category})
            if g.source not in s.sources:
                yield Problem(path=("vulnerable", "groups", i, "source"), key="source_unknown",
                              value=g.source, context={"known": ", ".join(s.sources)})
    p = s.path
    if p is not None:
        if p.cpi_source is not None and p.cpi_source not in s.sources:
            yield Problem(path=("path", "cpi_source"), key="source_unknown", value=p.cpi_source,
                          context={"known": ", ".join(s.sources)})
        if p.affordability_cap and a is None:
            yield Problem(path=("path", "affordability_cap"), key="cap_needs_affordability", value=True)
        ids = p.categories or [c.id for c in s.categories
                               if c.kind == "population" and c.current_tariff is not None]
        if not ids:
            yield Problem(path=("path",), key="path_needs_current_tariff", value=None)
        for cid in ids:
            c = cats.get(cid)
            if c is None:
                yield Problem(path=("path", "categories"), key="category_unknown", value=cid,
                              context={"known": ", ".join(cats)})
            elif c.current_tariff is None or c.current_tariff.value <= 0 or c.effective_policy == "fixed":
                yield Problem(path=("path", "categories"), key="path_needs_current_tariff", value=cid)
            elif p.affordability_cap and a is not None:
                problem = population_category(("path", "categories"), cid)
                if problem:
                    yield problem
        years = range(s.tariff_year, s.tariff_year + p.years)
        prog = s.production_programme
        if prog is not None and prog.volume_by_year:
            missing = [y for y in years if y not in prog.volume_by_year]
            if missing:
                yield Problem(path=("production_programme", "volume_by_year"), key="programme_years_missing",
                              value=", ".join(map(str, missing)))
    if s.production_programme is not None and s.production_programme.source not in s.sources:
        yield Problem(path=("production_programme", "source"), key="source_unknown",
                      value=s.production_programme.source, context={"known": ", ".join(s.sources)})
    inv = s.investments
    if inv is not None:
        for i, item in enumerate(inv.items):
            total = sum(percent(fin.share) for fin in item.financing)
            if abs(total - 1) > 1e-6:
                yield Problem(path=("investments", "items", i, "financing"), key="shares_not_100",
                              value=f"{total * 100:g} %")
            if item.source not in s.sources:
                yield Problem(path=("investments", "items", i, "source"), key="source_unknown",
                              value=item.source, context={"known": ", ".join(s.sources)})
    sh = s.sharing
    if sh is not None:
        if (sh.key == "heads") != (s.service == "dipping_bath") and sh.key != "fixed_share":
            yield Problem(path=("sharing", "key"), key="sharing_key_not_for_service", value=sh.key,
                          context={"service": s.service})
        for i, m in enumerate(sh.members):
            if m.volume is not None and "mass" in m.volume.parsed_unit.dims and (
                    s.waste is None or s.waste.density is None):
                yield Problem(path=("sharing", "members", i, "volume"), key="tonnes_need_density",
                              value=str(m.volume))
        field = {"volume": "volume", "heads": "heads", "distance": "distance",
                 "fixed_share": "share"}[sh.key]
        for i, m in enumerate(sh.members):
            if getattr(m, field) is None or (sh.key == "distance" and m.volume is None):
                yield Problem(path=("sharing", "members", i), key="member_key_missing",
                              value=None, context={"field": field if getattr(m, field) is None else "volume"})
            if m.source not in s.sources:
                yield Problem(path=("sharing", "members", i, "source"), key="source_unknown",
                              value=m.source, context={"known": ", ".join(s.sources)})
        if sh.key == "fixed_share" and all(m.share is not None for m in sh.members):
            total = sum(percent(m.share) for m in sh.members)
            if abs(total - 1) > 1e-6:
                yield Problem(path=("sharing", "members"), key="shares_not_100", value=f"{total * 100:g} %")
        if sh.key_source not in s.sources:
            yield Problem(path=("sharing", "key_source"), key="source_unknown", value=sh.key_source,
                          context={"known": ", ".join(s.sources)})


# The order in which their problems are reported.
RULES = (sources_named, components_named, sections_fit_the_service, cost_lines_in_som_per_year,
         programme_and_staffing_sound,
         categories_fit_the_service, parameters_known_and_in_range, policy_sections_sound)


def cross_check(s: Scenario) -> Iterator[Problem]:
    """Every problem of a tariff scenario that is well formed field by field: the problems of
    each rule of :data:`RULES`, in turn."""
    for rule in RULES:
        yield from rule(s)

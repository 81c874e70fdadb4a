"""Cost lines derived the way an economist derives them: fuel from the production programme
(routes, trips, kilometres and norms; machine hours), tyres and repairs from mileage, wages
from the staffing table, and for water the electricity and reagents from the volume pumped.

Each derived line is an ordinary :class:`~okmo_models.scenario.schema.CostLine` (quantity x
price, so the Social Fund, components, the sensitivity and every output treat it as any
other) plus its :class:`Derivation`: the quantity and the price as small expression trees of
the figures the scenario writes (:class:`Figure`, each with its place in the file) and the
steps that combine them (:class:`Step`). The trees are data: :func:`explain` words them for a
reader ("2 рейса × 5 дней × 52 недели × 38 км × 32 л/100 км = 6 323 л") and the workbook
writes them as Excel formulas over input cells; neither recomputes anything.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from functools import lru_cache

from okmo_models.errors import Problem
from okmo_models.formatting import format_figure, format_quantity
from okmo_models.i18n import LANGUAGES, t
from okmo_models.scenario.schema import CostLine, LocalText, Quantity, Scenario
from okmo_models.units import parse_unit


@dataclass(frozen=True, eq=False)
class Figure:
    """A figure as the scenario writes it (``38 km``), or a constant of the method (``12``
    months in a year) when ``path`` is None. ``divide`` makes it a divisor in a product."""

    value: float
    unit: str
    path: tuple | None = None
    label: LocalText | None = None
    divide: bool = False
    source: str | None = None  # the key of the source the file cites for it


@dataclass(frozen=True, eq=False)
class Step:
    """``scale x product(terms)`` or ``scale x sum(terms)``, with its value already computed;
    ``scale`` is the unit conversion the units imply (0.01 for a norm per 100 km or a %)."""

    op: str  # "product" or "sum"
    terms: tuple
    unit: str
    scale: float = 1.0
    label: LocalText | None = None
    value: float = field(init=False)

    def __post_init__(self):
        values = [term.value for term in self.terms]
        if self.op == "product":
            v = 1.0
            for term, x in zip(self.terms, values):
                v = v / x if isinstance(term, Figure) and term.divide else v * x
        else:
            v = math.fsum(values)
        object.__setattr__(self, "value", v * self.scale)


Expr = Figure | Step


@dataclass(frozen=True, eq=False)
class Derivation:
    """How a cost line's quantity and price were obtained; ``amount_som = quantity.value x
    price.value x factor`` (``factor`` converts the product of their units to som a year)."""

    quantity: Expr
    price: Expr
    factor: float
    # every source the figures of the steps cite (a vehicle's norms, the allowances' act...),
    # besides the cost line's own source
    sources: tuple[str, ...] = ()


@dataclass(frozen=True, eq=False)
class DerivedLine:
    cost_line: CostLine
    derivation: Derivation
    origin: tuple  # where in the file it comes from: ("staffing", "positions", 0)


def _local(key: str, **context) -> LocalText:
    return _local_text(key, tuple(sorted(context.items())))


@lru_cache(maxsize=256)  # a model is built for every file of a batch: its labels are the same
def _local_text(key: str, context: tuple) -> LocalText:
    return LocalText(**{lang: t(key, lang, **dict(context)) for lang in LANGUAGES})


def _joined(key: str, a: LocalText, b: LocalText) -> LocalText:
    """Two names joined by a message (``"{a}, {b}"``) in every language."""
    return _joined_text(key, tuple(a.get(lang) for lang in LANGUAGES), tuple(b.get(lang) for lang in LANGUAGES))


@lru_cache(maxsize=1024)
def _joined_text(key: str, a: tuple, b: tuple) -> LocalText:
    return LocalText(**{lang: t(key, lang, a=x, b=y) for lang, x, y in zip(LANGUAGES, a, b)})


def _figure(q: Quantity, path: tuple, unit: str, label: LocalText | None = None, source: str | None = None) -> Figure:
    """The figure in the unit the derivation works in (a salary in thousand som/month is
    taken in som/month), so that each step multiplies plain numbers."""
    value = q.value if q.unit == unit else float(f"{q.to(unit):.12g}")  # 7 %, not 7.000000000000001
    return Figure(value, unit, path, label, source=source)


def _derivation(quantity: Expr, price: Expr, *sources: str) -> Derivation:
    unique = tuple(dict.fromkeys(k for k in sources if k))
    return Derivation(quantity, price, (parse_unit(quantity.unit) * parse_unit(price.unit)).factor, unique)


def _line(kind: str, name: LocalText, quantity: Expr, price: Expr, source: str, **extra) -> CostLine:
    """The derived line as a scenario line. Built without validating again (every figure in it
    was validated where the file gives it, and the units are the derivation's own): a model is
    built for every file of a batch of hundreds."""
    extra = {"uncertainty": None, "component": None, **extra}
    return CostLine.model_construct(
        line=kind, name=name, amount=None, quantity=Quantity.model_construct(value=quantity.value, unit=quantity.unit),
        price=Quantity.model_construct(value=price.value, unit=price.unit), source=source, note=None, **extra)


# --- the staffing table ------------------------------------------------------------------------


def _monthly_pay(p, where: tuple) -> Expr:
    """Salary plus allowances, som per staff member a month."""
    # per staff member however written: "16 000 som/month" or "16 000 som/staff/month"
    per = "som/staff/month" if "staff" in p.salary.parsed_unit.dims else "som/month"
    salary = _figure(p.salary, where + ("salary",), per, _local("d_salary"), p.source)
    terms: list[Expr] = [salary]
    for j, a in enumerate(p.allowances):
        path = where + ("allowances", j, "value")
        if "money" in a.value.parsed_unit.dims:
            terms.append(_figure(a.value, path, "som/month", a.name, p.source))
        else:
            terms.append(Step("product", (salary, _figure(a.value, path, "%", source=p.source)), "som/month", 0.01,
                              a.name))
    if len(terms) == 1:
        return Figure(salary.value, "som/staff/month", salary.path, salary.label, source=p.source)
    return Step("sum", tuple(terms), "som/staff/month", label=_local("d_monthly_pay"))


def _position(p, i: int) -> DerivedLine:
    where = ("staffing", "positions", i)
    count = _figure(p.count, where + ("count",), "staff", source=p.source)
    price = _monthly_pay(p, where)
    if p.bonuses:
        year = Figure(12, "months")
        terms: list[Expr] = [Step("product", (price, year), "som/staff/year", label=_local("d_pay_year"))]
        for j, b in enumerate(p.bonuses):
            path = where + ("bonuses", j)
            if b.share is not None:
                terms.append(Step("product", (price, year, _figure(b.share, path + ("share",), "%", source=p.source)),
                                  "som/staff/year", 0.01, b.name))
            else:
                terms.append(Step("product", (price, Figure(b.months, "months", path + ("months",), source=p.source)),
                                  "som/staff/year", label=b.name))
        price = Step("sum", tuple(terms), "som/staff/year", label=_local("d_pay_with_bonuses"))
    line = _line("labour", p.name, count, price, p.source, uncertainty=p.uncertainty, component=p.component)
    return DerivedLine(line, _derivation(count, price), where)


# --- the production programme ------------------------------------------------------------------


def _allowance_factor(s: Scenario, v) -> Expr | None:
    """``1 + sum(allowance x months / 12)``: AM-23-r adds the percentages of the conditions
    that apply; a seasonal one counts for the share of the year it applies."""
    if not v.allowances:
        return None
    terms: list[Expr] = [Figure(1, "")]
    for key in v.allowances:
        a = s.production_programme.allowances[key]
        path = ("production_programme", "allowances", key)
        pct = _figure(a.value, path + ("value",), "%", a.name, a.source)
        if a.months == 12:
            terms.append(Step("product", (pct,), "", 0.01, a.name))
        else:
            terms.append(Step("product", (pct, Figure(a.months, "months", path + ("months",), source=a.source),
                                          Figure(12, "", divide=True)), "", 0.01, a.name))
    return Step("sum", tuple(terms), "", label=_local("d_allowances"))


def _route_factors(r, path: tuple, source: str) -> list[Figure]:
    """Trips a day x days a week x weeks x km a trip: the route's kilometres in a year."""
    return [Figure(r.trips_per_day, "trips", path + ("trips_per_day",), source=source),
            Figure(r.days_per_week, "days", path + ("days_per_week",), source=source),
            Figure(r.weeks, "weeks", path + ("weeks",), source=source),
            _figure(r.km_per_trip, path + ("km_per_trip",), "km", source=source)]


def _route_label(v, r, j: int) -> LocalText:
    if r.name is not None:
        return _joined("d_vehicle_route", v.name, r.name)
    if len(v.routes) == 1:
        return v.name
    return _joined("d_vehicle_route", v.name, _local("d_route_no", n=j + 1))


def _vehicle_litres(s: Scenario, v, i: int) -> Expr:
    where = ("production_programme", "vehicles", i)
    allowance = _allowance_factor(s, v)
    terms: list[Expr] = []
    for j, r in enumerate(v.routes):
        factors = _route_factors(r, where + ("routes", j), v.source) + \
            [_figure(v.fuel_norm, where + ("fuel_norm",), "l/100km", source=v.source)]
        if allowance is not None:
            factors.append(allowance)
        terms.append(Step("product", tuple(factors), "l", 0.01, _route_label(v, r, j)))
    if v.hours is not None:
        label = v.name if not v.routes else _joined("d_vehicle_route", v.name, _local("d_machine_hours"))
        terms.append(Step("product", (_figure(v.hours, where + ("hours",), "hour/year", source=v.source),
                                      _figure(v.fuel_per_hour, where + ("fuel_per_hour",), "l/hour", source=v.source)),
                          "l",
                          label=label))
    return terms[0] if len(terms) == 1 else Step("sum", tuple(terms), "l", label=v.name)


def _vehicle_km(v, i: int) -> Expr:
    where = ("production_programme", "vehicles", i)
    terms = [Step("product", tuple(_route_factors(r, where + ("routes", j), v.source)), "km/year",
                  label=_route_label(v, r, j))
             for j, r in enumerate(v.routes)]
    return terms[0] if len(terms) == 1 else Step("sum", tuple(terms), "km/year", label=_local("d_mileage"))


def _fuel_lines(s: Scenario) -> list[DerivedLine]:
    prog = s.production_programme
    out = []
    for key, fuel in prog.fuels.items():
        litres = [_vehicle_litres(s, v, i) for i, v in enumerate(prog.vehicles) if v.fuel == key]
        if not litres:
            continue  # an unused fuel is reported by the checks
        quantity = Step("sum", tuple(litres), "l/year", label=_local("d_total_year"))
        price = _figure(fuel.price, ("production_programme", "fuels", key, "price"), "som/l", source=fuel.source)
        line = _line("fuel", fuel.name, quantity, price, fuel.source, uncertainty=fuel.uncertainty,
                     component=fuel.component)
        users = [v for v in prog.vehicles if v.fuel == key]
        cited = [v.source for v in users] + [prog.allowances[a].source for v in users for a in v.allowances]
        out.append(DerivedLine(line, _derivation(quantity, price, *cited), ("production_programme", "fuels", key)))
    return out


def _mileage_lines(s: Scenario) -> list[DerivedLine]:
    out = []
    for i, v in enumerate(s.production_programme.vehicles):
        where = ("production_programme", "vehicles", i)
        if v.tyres is not None:
            ty = v.tyres
            # tyres worn a year = km a year x tyres on the vehicle / km a tyre lasts
            quantity = Step("product", (_vehicle_km(v, i),
                                        Figure(ty.count, "pieces", where + ("tyres", "count"), source=ty.source),
                                        Figure(ty.mileage.to("km"), "km", where + ("tyres", "mileage"), divide=True,
                                               source=ty.source)),
                            "piece/year", label=_local("d_tyres_worn"))
            price = _figure(ty.price, where + ("tyres", "price"), "som/piece", source=ty.source)
            line = _line("materials", _joined("d_line_of", _local("d_line_tyres"), v.name), quantity, price,
                         ty.source, component=v.component)
            out.append(DerivedLine(line, _derivation(quantity, price, v.source), where + ("tyres",)))
        if v.repairs is not None:
            km = _vehicle_km(v, i)
            price = _figure(v.repairs, where + ("repairs",), "som/km", source=v.source)
            line = _line("repairs", _joined("d_line_of", _local("d_line_repairs"), v.name), km, price, v.source,
                         component=v.component)
            out.append(DerivedLine(line, _derivation(km, price), where + ("repairs",)))
    return out


def _water_lines(s: Scenario) -> list[DerivedLine]:
    prog, out = s.production_programme, []
    if s.water is None:
        return out
    produced = _figure(s.water.produced, ("water", "produced"), "m3/year", source=s.water.source)
    if prog.pumping is not None:
        p = prog.pumping
        name = p.name or _local("d_line_pumping")
        quantity = Step("product", (produced, _figure(p.energy, ("production_programme", "pumping", "energy"),
                                                      "kWh/m3", source=p.source)), "kWh/year", label=name)
        price = _figure(p.price, ("production_programme", "pumping", "price"), "som/kWh", source=p.source)
        line = _line("electricity", name, quantity, price, p.source,
                     uncertainty=p.uncertainty, component=p.component)
        out.append(DerivedLine(line, _derivation(quantity, price, s.water.source),
                               ("production_programme", "pumping")))
    for j, c in enumerate(prog.chemicals):
        where = ("production_programme", "chemicals", j)
        # m3/year x g/m3 = g/year; / 1000 = kg/year
        quantity = Step("product", (produced, _figure(c.dose, where + ("dose",), "g/m3", source=c.source)), "kg/year",
                        0.001, c.name)
        price = _figure(c.price, where + ("price",), "som/kg", source=c.source)
        line = _line("materials", c.name, quantity, price, c.source, uncertainty=c.uncertainty,
                     component=c.component)
        out.append(DerivedLine(line, _derivation(quantity, price, s.water.source), where))
    return out


def derive(s: Scenario) -> tuple[DerivedLine, ...]:
    """The cost lines the scenario's staffing table and production programme give, in the
    order of a калькуляция: wages, fuel, electricity and reagents, tyres, repairs."""
    out: list[DerivedLine] = []
    if s.staffing is not None:
        out += [_position(p, i) for i, p in enumerate(s.staffing.positions)]
    if s.production_programme is not None:
        out += _fuel_lines(s) + _water_lines(s) + _mileage_lines(s)
    return tuple(out)


def cost_lines(s: Scenario) -> tuple[CostLine, ...]:
    """Every cost line of the калькуляция: the derived ones first, then those the file gives."""
    return tuple(d.cost_line for d in derive(s)) + tuple(s.cost_lines)


# --- the programme's capacity --------------------------------------------------------------------


def capacity_problems(s: Scenario, volume: float, base_unit: str, density: float | None) -> list[Problem]:
    """The routes that say how much a trip carries must carry the year's volume: a truck that
    cannot take the norm's m3 in its trips is an error that says so."""
    prog = s.production_programme
    if prog is None:
        return []
    loads = [(r, i, j) for i, v in enumerate(prog.vehicles) for j, r in enumerate(v.routes)
             if r.load_per_trip is not None]
    if not loads:
        return []
    if base_unit not in ("m3", "t"):  # a dipping bath counts heads: no load carried
        i, j = loads[0][1], loads[0][2]
        return [Problem(path=("production_programme", "vehicles", i, "routes", j, "load_per_trip"),
                        key="load_not_for_service", value=str(loads[0][0].load_per_trip))]
    capacity = 0.0
    for r, i, j in loads:
        trips = r.trips_per_day * r.days_per_week * r.weeks
        q = r.load_per_trip
        is_mass = "mass" in q.parsed_unit.dims
        amount = q.to("t") if is_mass else q.to("m3")
        if is_mass != (base_unit == "t"):
            where = ("production_programme", "vehicles", i, "routes", j, "load_per_trip")
            if s.service != "waste":
                return [Problem(path=where, key="load_not_for_service", value=str(q))]
            if density is None:
                return [Problem(path=where, key="tonnes_need_density", value=str(q))]
            amount = amount * density if not is_mass else amount / density
        capacity += trips * amount
    if capacity + 1e-9 >= volume:
        return []
    return [Problem(path=("production_programme", "vehicles"), key="programme_capacity_short",
                    context={"capacity": {lang: format_quantity(round(capacity, 1), base_unit + "/year", lang)
                                          for lang in LANGUAGES},
                             "volume": {lang: format_quantity(round(volume, 1), base_unit + "/year", lang)
                                        for lang in LANGUAGES}})]


# --- words ----------------------------------------------------------------------------------------


def _quantity_text(value: float, unit: str, lang: str) -> str:
    """A figure or a result in the reader's words; a year's total reads without "/год"."""
    unit = unit[:-len("/year")] if unit.endswith("/year") and unit.count("/") == 1 else unit
    return format_figure(round(value, 6) + 0.0, unit, lang).strip()


def _term_text(e: Expr, lang: str) -> str:
    if isinstance(e, Figure):
        return _quantity_text(e.value, e.unit, lang)
    if e.op == "sum":
        return "(" + " + ".join(_term_text(x, lang) for x in e.terms) + ")"
    return _product_text(e, lang)


def _product_text(e: Step, lang: str) -> str:
    text = ""
    for x in e.terms:
        part = _term_text(x, lang)
        if isinstance(x, Figure) and x.divide:
            text += f" / {part}"
        else:
            text += (" × " if text else "") + part
    return text


def explain(e: Expr, lang: str) -> list[tuple[str, str]]:
    """The derivation of a quantity or a price as ``(label, "factors = result")`` lines in the
    reader's language: a total of several steps gives each step's line, then its sum."""
    if isinstance(e, Figure):
        return []
    label = e.label.get(lang) if e.label is not None else ""
    result = _quantity_text(e.value, e.unit, lang)
    if e.op == "sum" and all(isinstance(x, Step) for x in e.terms):
        lines = [line for x in e.terms for line in explain(x, lang)]
        if len(e.terms) > 1:
            lines.append((label, " + ".join(_quantity_text(x.value, x.unit, lang) for x in e.terms) + f" = {result}"))
        return lines
    if e.op == "product":
        text = _product_text(e, lang)
    else:  # a pay and its allowances: each addition named (the salary, "за классность")
        text = " + ".join(_term_text(x, lang) + (f" ({x.label.get(lang)})" if x.label is not None else "")
                          for x in e.terms)
    return [(label, f"{text} = {result}")]


def explain_line(d: Derivation, lang: str) -> list[tuple[str, str]]:
    """Every step of a derived cost line, quantity then price."""
    return explain(d.quantity, lang) + explain(d.price, lang)


# --- naming an input figure (the workbook's input cells) ------------------------------------------

# the last field of a figure's path -> the message key naming it
_FIELD_KEYS = {
    "count": "d_f_count", "salary": "d_f_salary", "trips_per_day": "d_f_trips_per_day",
    "days_per_week": "d_f_days_per_week", "weeks": "d_f_weeks", "km_per_trip": "d_f_km_per_trip",
    "fuel_norm": "d_f_fuel_norm", "hours": "d_f_hours", "fuel_per_hour": "d_f_fuel_per_hour",
    "mileage": "d_f_tyre_mileage", "repairs": "d_f_repairs", "price": "d_f_price", "energy": "d_f_energy",
    "dose": "d_f_dose", "produced": "d_f_produced", "months": "d_f_months", "value": "d_f_value",
    "share": "d_f_share",
}


def figure_label(s: Scenario, figure: Figure, lang: str) -> str:
    """What an input figure is, in the reader's words: "Мусоровоз с задней загрузкой, село —
    полигон: км за рейс"; "" for a constant of the method (12 months)."""
    path = figure.path
    if path is None:
        return ""
    field = path[-1]
    what = t(_FIELD_KEYS[field], lang) if field in _FIELD_KEYS else str(field)
    owner = _owner(s, path[:-1], lang)
    if path[-2:] == ("tyres", "count"):
        what = t("d_f_tyre_count", lang)
    elif path[-2:] == ("tyres", "price"):
        what = t("d_f_tyre_price", lang)
    return f"{owner}: {what}" if owner else what[:1].upper() + what[1:]


def _owner(s: Scenario, path: tuple, lang: str) -> str:
    """The named thing a figure belongs to: a position, a vehicle and its route, a fuel, an
    allowance, a reagent, the pumping, the water section."""
    if path[:1] == ("water",):
        return ""
    if path[:1] == ("staffing",):
        p = s.staffing.positions[path[2]]
        if len(path) > 4 and path[3] in ("allowances", "bonuses"):
            return f"{p.name.get(lang)}, {getattr(p, path[3])[path[4]].name.get(lang)}"
        return p.name.get(lang)
    prog = s.production_programme
    section = path[1]
    if section == "vehicles":
        v = prog.vehicles[path[2]]
        if len(path) > 4 and path[3] == "routes":
            return _route_label(v, v.routes[path[4]], path[4]).get(lang)
        return v.name.get(lang)
    if section == "fuels":
        return prog.fuels[path[2]].name.get(lang)
    if section == "allowances":
        return prog.allowances[path[2]].name.get(lang)
    if section == "chemicals":
        return prog.chemicals[path[2]].name.get(lang)
    if section == "pumping":
        return (prog.pumping.name or _local("d_line_pumping")).get(lang)
    return ""

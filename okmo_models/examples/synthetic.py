"""A generated country: hundreds of synthetic aiyl okmotu folders made from the bundled examples.

``generate_country(out_dir, n=450, seed=0)`` writes ``n`` municipality folders grouped by
the seven oblasts and their districts (``out_dir/<oblast>/<district>/ao-017/``), each with a
tariff scenario per service (``waste.yaml``, ``water.yaml``, ``dipping_bath.yaml``) and, for
a share of them, a ``budget.yaml`` with its ``history.csv``. Each file is one of the bundled
examples (Teploklyuchenka's waste and dipping bath, Ak-Bulak's water, Kok-Jar's budget) with
plausible, seeded variation: population and households, volumes, staff and wages, fuel,
the current tariff, the collection rate, the region. A few municipalities per service are
deliberate outliers (their costs about three times what their size explains, so their cost
per unit is well over twice the median) so that a comparison has something to flag; which
ones is written in ``country.json`` at the top of the folder.

Every folder is self-contained: what an example reads from its neighbours (the passport's
assets through ``assets_from``, the economic base's herd through ``heads_from``) is written
into the generated file itself. A budget pays, through its ``plans:`` line of subsidies to
enterprises, what the folder's tariffs ask of it, so ``okmo check FOLDER`` finds the files
consistent; a folder without a budget is a tariff-only folder, where ``okmo check`` says
that no budget finances the subsidies its tariffs ask for. The names say the data are synthetic in every language
("Условный айыл окмоту № 17"), and every file cites a source that says how it was made.

The same ``seed`` gives the same bytes; a folder that exists already is never written
into (the call refuses before writing anything). Only the standard library and yaml are
used, so the generator sits in the base layer beside the examples it reads.
"""

from __future__ import annotations

import copy
import csv
import io
import json
import math
import random
from pathlib import Path

import yaml

EXAMPLES = Path(__file__).resolve().parent
SERVICES = ("waste", "water", "dipping_bath")
TEMPLATES = {"waste": "teploklyuchenka/waste.yaml", "water": "ak-bulak/water.yaml",
             "dipping_bath": "teploklyuchenka/dipping_bath.yaml"}
BUDGET_TEMPLATE = "kok-jar/budget.yaml"
MANIFEST = "country.json"
TARIFF_YEAR = 2027

# The seven oblasts with their districts (ru adjective, ky, en), the share of the country's
# aiyl okmotu in each (about 450 in all), and what differs between them: wages against the
# national level, fuel prices (dearer far from the refineries' routes), household size,
# sheep per resident and the weight of own revenue in the local budget.
OBLASTS = (
    ("batken", {"ru": "Баткенская", "ky": "Баткен", "en": "Batken"}, 32,
     {"wage": 0.85, "fuel": 1.06, "household": 5.0, "sheep": 0.9, "own": 0.7},
     (("batken", "Баткенский", "Баткен", "Batken"), ("kadamjay", "Кадамжайский", "Кадамжай", "Kadamjay"),
      ("leilek", "Лейлекский", "Лейлек", "Leilek"))),
    ("jalal-abad", {"ru": "Джалал-Абадская", "ky": "Жалал-Абад", "en": "Jalal-Abad"}, 68,
     {"wage": 0.9, "fuel": 1.02, "household": 4.9, "sheep": 1.0, "own": 0.85},
     (("aksy", "Аксыйский", "Аксы", "Aksy"), ("ala-buka", "Ала-Букинский", "Ала-Бука", "Ala-Buka"),
      ("bazar-korgon", "Базар-Коргонский", "Базар-Коргон", "Bazar-Korgon"),
      ("chatkal", "Чаткальский", "Чаткал", "Chatkal"), ("nooken", "Ноокенский", "Ноокен", "Nooken"),
      ("suzak", "Сузакский", "Сузак", "Suzak"), ("toguz-toro", "Тогуз-Тороуский", "Тогуз-Торо", "Toguz-Toro"),
      ("toktogul", "Токтогульский", "Токтогул", "Toktogul"))),
    ("issyk-kul", {"ru": "Иссык-Кульская", "ky": "Ысык-Көл", "en": "Issyk-Kul"}, 58,
     {"wage": 1.0, "fuel": 1.03, "household": 4.4, "sheep": 1.3, "own": 1.2},
     (("ak-suu", "Ак-Суйский", "Ак-Суу", "Ak-Suu"), ("jeti-oguz", "Джети-Огузский", "Жети-Өгүз", "Jeti-Oguz"),
      ("issyk-kul", "Иссык-Кульский", "Ысык-Көл", "Issyk-Kul"), ("ton", "Тонский", "Тоң", "Ton"),
      ("tup", "Тюпский", "Түп", "Tup"))),
    ("naryn", {"ru": "Нарынская", "ky": "Нарын", "en": "Naryn"}, 61,
     {"wage": 0.88, "fuel": 1.08, "household": 4.6, "sheep": 2.2, "own": 0.75},
     (("ak-talaa", "Ак-Талинский", "Ак-Талаа", "Ak-Talaa"), ("at-bashy", "Ат-Башинский", "Ат-Башы", "At-Bashy"),
      ("jumgal", "Джумгальский", "Жумгал", "Jumgal"), ("kochkor", "Кочкорский", "Кочкор", "Kochkor"),
      ("naryn", "Нарынский", "Нарын", "Naryn"))),
    ("osh", {"ru": "Ошская", "ky": "Ош", "en": "Osh"}, 88,
     {"wage": 0.88, "fuel": 1.02, "household": 5.1, "sheep": 0.8, "own": 0.8},
     (("alay", "Алайский", "Алай", "Alay"), ("aravan", "Араванский", "Араван", "Aravan"),
      ("chon-alay", "Чон-Алайский", "Чоң-Алай", "Chon-Alay"), ("kara-kulja", "Кара-Кульджинский", "Кара-Кулжа", "Kara-Kulja"),
      ("kara-suu", "Кара-Сууский", "Кара-Суу", "Kara-Suu"), ("nookat", "Ноокатский", "Ноокат", "Nookat"),
      ("uzgen", "Узгенский", "Өзгөн", "Uzgen"))),
    ("talas", {"ru": "Таласская", "ky": "Талас", "en": "Talas"}, 36,
     {"wage": 0.9, "fuel": 1.04, "household": 4.7, "sheep": 1.5, "own": 0.9},
     (("bakay-ata", "Бакай-Атинский", "Бакай-Ата", "Bakay-Ata"), ("kara-buura", "Кара-Бууринский", "Кара-Буура", "Kara-Buura"),
      ("manas", "Манасский", "Манас", "Manas"), ("talas", "Таласский", "Талас", "Talas"))),
    ("chui", {"ru": "Чуйская", "ky": "Чүй", "en": "Chui"}, 103,
     {"wage": 1.15, "fuel": 0.97, "household": 4.1, "sheep": 0.8, "own": 1.5},
     (("alamudun", "Аламудунский", "Аламүдүн", "Alamudun"), ("chui", "Чуйский", "Чүй", "Chui"),
      ("jayil", "Жайыльский", "Жайыл", "Jayil"), ("kemin", "Кеминский", "Кемин", "Kemin"),
      ("moskva", "Московский", "Москва", "Moskva"), ("panfilov", "Панфиловский", "Панфилов", "Panfilov"),
      ("sokuluk", "Сокулукский", "Сокулук", "Sokuluk"), ("ysyk-ata", "Ысык-Атинский", "Ысык-Ата", "Ysyk-Ata"))),
)

# Sources of the examples that speak of one real municipality: the generated files cite the
# generator instead. The others (fuel, electricity, inflation, norms) hold for any of them.
LOCAL_SOURCES = {"seed_001", "social_passport", "wage_issyk_kul", "sary_oi_2017", "assumption"}
OUTLIER_SHARE = 0.02  # of the municipalities, per service
OUTLIER_FACTOR = 3.5  # costs against what the municipality's size explains


def generate_country(out_dir, n: int = 450, seed: int = 0, services=SERVICES,
                     budget_share: float = 0.4) -> list[Path]:
    """Write ``n`` synthetic municipality folders under ``out_dir`` and return them, in order.

    ``services`` chooses the tariffs written in each folder (of ``waste``, ``water``,
    ``dipping_bath``); ``budget_share`` of the municipalities also get a budget. The result
    depends only on the arguments: the same call writes the same bytes (with the same
    PyYAML and libyaml).
    Refuses (:class:`FileExistsError`, before writing anything) when a folder it would
    write, or ``country.json``, exists already.
    """
    services = tuple(services)
    unknown = [s for s in services if s not in TEMPLATES]
    if unknown:
        raise ValueError(f"unknown service(s) {unknown}; known: {', '.join(SERVICES)}")
    if n < 1:
        raise ValueError("n must be at least 1")
    if not 0 <= budget_share <= 1:
        raise ValueError("budget_share must be between 0 and 1")
    out_dir = Path(out_dir)
    plan = _plan(n, seed, services, budget_share)
    taken = [out_dir / m["folder"] for m in plan["municipalities"] if (out_dir / m["folder"]).exists()]
    if (out_dir / MANIFEST).exists():
        taken.insert(0, out_dir / MANIFEST)
    if taken:
        raise FileExistsError(f"{taken[0]} already exists ({len(taken)} in all): generate_country never "
                              "writes into existing folders; choose a new or empty folder")
    templates = {s: _read(TEMPLATES[s]) for s in services}
    passport = _read("teploklyuchenka/passport.yaml")
    budget = _read(BUDGET_TEMPLATE)
    history = (EXAMPLES / "kok-jar/history.csv").read_text("utf-8")
    folders = []
    for m in plan["municipalities"]:
        folder = out_dir / m["folder"]
        folder.mkdir(parents=True, exist_ok=False)
        rng = random.Random(f"okmo-synthetic:{seed}:{m['number']}:files")
        for service in services:
            make = {"waste": _waste, "water": _water, "dipping_bath": _dipping_bath}[service]
            data = make(copy.deepcopy(templates[service]), m, rng, passport, seed)
            _write(folder / f"{service}.yaml", _header(TEMPLATES[service], seed), data)
        if m["budget"]:
            data, table = _budget(copy.deepcopy(budget), history, m, rng, seed, services)
            _write(folder / "budget.yaml", _header(BUDGET_TEMPLATE, seed), data)
            (folder / "history.csv").write_bytes(table.encode("utf-8"))
        folders.append(folder)
    (out_dir / MANIFEST).write_bytes(
        (json.dumps(plan, ensure_ascii=False, indent=1, sort_keys=True) + "\n").encode("utf-8"))
    return folders


# --- the country: who is where, how large, which ones are outliers -------------------------

def _plan(n: int, seed: int, services: tuple, budget_share: float) -> dict:
    country = random.Random(f"okmo-synthetic:{seed}:country")
    counts = _allocate(n, [o[2] for o in OBLASTS])
    width = max(3, len(str(n)))
    municipalities, number = [], 0
    for (slug, oblast, _, profile, districts), count in zip(OBLASTS, counts):
        for j in range(count):
            number += 1
            d_slug, d_ru, d_ky, d_en = districts[j % len(districts)]
            rng = random.Random(f"okmo-synthetic:{seed}:{number}:size")
            # aiyl okmotu range from ~1 500 to ~40 000 residents, most of them 4 000-12 000
            population = int(round(min(45_000, max(1_500, rng.lognormvariate(math.log(7_500), 0.55))), -1))
            household = round(profile["household"] * rng.uniform(0.93, 1.07), 2)
            municipalities.append({
                "number": number, "folder": f"{slug}/{d_slug}/ao-{number:0{width}d}",
                "oblast": slug, "district": d_slug, "population": population,
                "household_size": household, "households": round(population / household),
                "region": {"ru": f"{d_ru} район, {oblast['ru']} область",
                           "ky": f"{oblast['ky']} облусу, {d_ky} району",
                           "en": f"{d_en} district, {oblast['en']} region"},
                "profile": profile, "outliers": [], "budget": False})
    if n >= 5:  # with fewer there is no median to stand out from
        k = max(1, round(n * OUTLIER_SHARE))
        for service in services:
            for i in sorted(country.sample(range(n), k)):
                municipalities[i]["outliers"].append(service)
    for i in country.sample(range(n), round(n * budget_share)):
        municipalities[i]["budget"] = True
    return {"generator": "okmo_models.examples.synthetic", "seed": seed, "n": n, "services": list(services),
            "outlier_reason": f"costs x{OUTLIER_FACTOR:g} against the municipality's size",
            "municipalities": municipalities}


def _allocate(n: int, weights: list) -> list[int]:
    """``n`` split by ``weights`` (largest remainder), each oblast at least one when n >= 7."""
    total = sum(weights)
    floor = 1 if n >= len(weights) else 0
    rest = n - floor * len(weights)
    raw = [rest * w / total for w in weights]
    counts = [floor + int(r) for r in raw]
    order = sorted(range(len(weights)), key=lambda i: (-(raw[i] - int(raw[i])), i))
    for i in order[:n - sum(counts)]:
        counts[i] += 1
    return counts


# --- the services ------------------------------------------------------------------------

def _common(data: dict, m: dict, seed: int, example: str) -> dict:
    """The municipality's names, region and sources, the same in every file of the folder."""
    i = m["number"]
    data["municipality"] = {
        "name": {"ru": f"Условный айыл окмоту № {i}", "ky": f"№ {i} шарттуу айыл өкмөтү",
                 "en": f"Synthetic aiyl okmotu No. {i}"},
        "region": m["region"],
        "kenesh": {"ru": f"Условный айылный кенеш № {i}", "ky": f"№ {i} шарттуу айылдык кеңеш",
                   "en": f"Synthetic aiyl kenesh No. {i}"}}
    if "description" in data:
        data["description"] = {
            "ru": "Сгенерированный условный пример для сравнения муниципалитетов. " + data["description"]["ru"],
            "ky": "Муниципалитеттерди салыштыруу үчүн түзүлгөн шарттуу мисал. " + data["description"]["ky"],
            "en": "Generated synthetic example for comparing municipalities. " + data["description"]["en"]}
    sources = {k: v for k, v in (data.get("sources") or {}).items() if k not in LOCAL_SOURCES}
    sources["synthetic"] = {
        "ru": f"Сгенерировано okmo_models.examples.synthetic (seed {seed}) из примера {example} со "
              "случайными правдоподобными отклонениями; это не данные реального айыл окмоту.",
        "ky": f"okmo_models.examples.synthetic (seed {seed}) {example} мисалынан кокустук, бирок "
              "чындыкка жакын четтөөлөр менен түзүлгөн; бул чыныгы айыл өкмөтүнүн маалыматтары эмес.",
        "en": f"Generated by okmo_models.examples.synthetic (seed {seed}) from the example {example} "
              "with random plausible variation; not data of any real aiyl okmotu."}
    data["sources"] = sources
    _resource(data, sources)
    return data


def _resource(node, sources: dict) -> None:
    """Every ``source:`` that names a source dropped above names the generator's instead."""
    if isinstance(node, dict):
        for key, value in node.items():
            if key in ("source", "cpi_source") and isinstance(value, str) and value not in sources:
                node[key] = "synthetic"
            else:
                _resource(value, sources)
    elif isinstance(node, list):
        for item in node:
            _resource(item, sources)


def _lines(data: dict, rng: random.Random, m: dict, service: str, scale: float, quantities: dict,
           wage: float, seasonal: bool = False) -> None:
    """Vary the cost lines: staff with the size (fewer than in proportion: economies of
    scale), other quantities and amounts with ``quantities[line]``'s power of ``scale``,
    wages and fuel prices with the region (``seasonal`` pay also with the days the work
    takes); an outlier's quantities and amounts are multiplied by :func:`_outlier`'s factor
    (over-staffed, an old fleet burning fuel)."""
    outlier = _outlier(m, service, scale)
    fuel_price = 80 * m["profile"]["fuel"] * rng.uniform(0.95, 1.05)
    days = min(2.0, max(0.4, scale)) ** 0.5 if seasonal else 1.0
    for p in data.get("staffing", {}).get("positions", []):  # as the labour lines below
        count, cunit = _q(p["count"])
        if count > 1 or outlier > 1:
            p["count"] = _fmt(max(1, round(count * max(scale, 0.3) ** 0.6 * outlier)), cunit)
        salary, sunit = _q(p["salary"])
        p["salary"] = _fmt(salary * wage * days * rng.uniform(0.92, 1.08), sunit, step=500)
    _programme(data.get("production_programme") or {}, rng, scale, outlier, fuel_price)
    for ln in data["cost_lines"]:
        if "amount" in ln:
            value, unit = _q(ln["amount"])
            power = quantities.get(ln["line"], 0.7)
            ln["amount"] = _fmt(value * scale ** power * rng.uniform(0.85, 1.15) * outlier, unit, step=1000)
            continue
        qty, qunit = _q(ln["quantity"])
        price, punit = _q(ln["price"])
        if ln["line"] == "labour":
            if qty > 1 or outlier > 1:  # one director, one accountant whatever the size
                qty = max(1, round(qty * max(scale, 0.3) ** 0.6 * outlier))
            ln["quantity"] = _fmt(qty, qunit)
            ln["price"] = _fmt(price * wage * days * rng.uniform(0.92, 1.08), punit, step=500)
            continue
        power = quantities.get(ln["line"], 0.8)
        if ln.get("quantity_fixed"):
            continue
        ln["quantity"] = _fmt(qty * scale ** power * rng.uniform(0.85, 1.2) * outlier, qunit,
                              step=10 if qty * scale ** power >= 100 else 1)
        if punit == "som/l":  # petrol a little cheaper than diesel, as in the example
            ln["price"] = _fmt(fuel_price * price / 80, punit, step=0.5)


def _programme(prog: dict, rng: random.Random, scale: float, outlier: float, fuel_price: float) -> None:
    """Vary the production programme with the size: kilometres a trip and machine hours less
    than in proportion, an outlier's fleet burning more; fuel prices with the region (trips
    follow the volume to carry: :func:`_trips_for`)."""
    for fuel in prog.get("fuels", {}).values():
        price, unit = _q(fuel["price"])
        fuel["price"] = _fmt(fuel_price * price / 80, unit, step=0.5)
    for v in prog.get("vehicles", []):
        for r in v.get("routes", []):
            km, unit = _q(r["km_per_trip"])
            r["km_per_trip"] = _fmt(km * scale ** 0.2 * rng.uniform(0.85, 1.2) * outlier, unit)
        if "hours" in v:
            hours, unit = _q(v["hours"])
            v["hours"] = _fmt(hours * scale ** 0.8 * rng.uniform(0.85, 1.2) * outlier, unit, step=5)


def _trips_for(data: dict, rng: random.Random) -> None:
    """Trips a day such that the fleet carries the year's volume with 5-25 % to spare (the
    programme's capacity is checked against it)."""
    households = next(c for c in data["categories"] if c["id"] == "households")
    volume = _q(households["households"])[0] * _q(households["household_size"])[0] * _q(households["norm"])[0]
    volume += sum(_q(c["volume"])[0] for c in data["categories"] if "volume" in c)
    routes = [r for v in data["production_programme"]["vehicles"] for r in v.get("routes", []) if "load_per_trip" in r]
    capacity = sum(r["trips_per_day"] * r["days_per_week"] * r["weeks"] * _q(r["load_per_trip"])[0] for r in routes)
    factor = volume * rng.uniform(1.05, 1.25) / capacity
    for r in routes:
        r["trips_per_day"] = _num(math.ceil(r["trips_per_day"] * factor * 10) / 10, 1)


def _outlier(m: dict, service: str, scale: float) -> float:
    """How much more an outlier spends than its size explains: a large municipality's costs
    per unit are lower to start with, so its factor is larger."""
    return OUTLIER_FACTOR * max(1.0, scale) ** 0.3 if service in m["outliers"] else 1.0


def _assets(objects: list, rng: random.Random, scale: float, outlier: float, year_from: int) -> list:
    assets = []
    for o in objects:
        year = min(TARIFF_YEAR - 1, max(year_from, (o.get("acquired") or o["built"]) + rng.randint(-4, 2)))
        assets.append({"name": o["name"],
                       "value": _fmt(o["balance_value"] * scale ** 0.7 * rng.uniform(0.8, 1.25) * outlier, "som",
                                     step=10_000),
                       "year": year, "useful_life": f"{o['useful_life']} year",
                       "owner": o["owner"], "source": "synthetic"})
    return assets


def _waste(data: dict, m: dict, rng: random.Random, passport: dict, seed: int) -> dict:
    _common(data, m, seed, TEMPLATES["waste"])
    data["operator"]["name"] = {"ru": "Условное МП «Тазалык»", "ky": "Шарттуу «Тазалык» МИ",
                                "en": 'Synthetic municipal enterprise "Tazalyk"'}
    households = m["households"]
    scale = households / 3450
    wage = m["profile"]["wage"] * rng.uniform(0.9, 1.1)
    _lines(data, rng, m, "waste", scale, {"fuel": 0.8, "electricity": 0.6}, wage)
    outlier = _outlier(m, "waste", scale)
    objects = [dict(o, owner="operator") for o in passport["objects"] if o.get("service") == "waste"]
    del data["assets_from"]
    data["assets"] = _assets(objects, rng, scale, outlier, 2005)
    data["collection_rate"] = _pct(rng.uniform(45, 95))
    tariff = rng.uniform(25, 90)
    for c in data["categories"]:
        if c["id"] == "households":
            c["households"] = _fmt(households, "household")
            c["household_size"] = _fmt(m["household_size"], "person/household", step=0.01)
            c["current_tariff"] = _fmt(tariff, "som/household/month", step=5)
        elif c["id"] == "budget":
            c["volume"] = _fmt(1100 * scale * rng.uniform(0.7, 1.3), "m3/year", step=10)
            c["current_tariff"] = _fmt(tariff * 2.4 * rng.uniform(0.8, 1.2), "som/m3", step=5)
        elif c["id"] == "business":
            c["volume"] = _fmt(1600 * scale * rng.uniform(0.5, 1.5), "m3/year", step=10)
            c["current_tariff"] = _fmt(tariff * 4 * rng.uniform(0.8, 1.2), "som/m3", step=5)
    _trips_for(data, rng)
    for g in data["vulnerable"]["groups"]:
        value, unit = _q(g["households"])
        g["households"] = _fmt(max(1, value * scale * rng.uniform(0.7, 1.3)), unit)
    inv = data["investments"]
    value, unit = _q(inv["depreciation_fund_opening"])
    inv["depreciation_fund_opening"] = _fmt(value * scale ** 0.7 * rng.uniform(0.5, 1.5), unit, step=10_000)
    for item in inv["items"]:
        value, unit = _q(item["value"])
        item["value"] = _fmt(value * scale ** 0.7 * rng.uniform(0.9, 1.1), unit, step=10_000)
    data["profitability"] = _pct(rng.choice((0, 3, 5, 5, 8)))
    return data


def _water(data: dict, m: dict, rng: random.Random, passport: dict, seed: int) -> dict:
    _common(data, m, seed, TEMPLATES["water"])
    data["operator"]["name"] = {"ru": "Условное МП «Таза суу»", "ky": "Шарттуу «Таза суу» МИ",
                                "en": 'Synthetic municipal enterprise "Taza suu"'}
    data["operator"]["source"] = "synthetic"
    hh_size = m["household_size"]
    metered_households = max(10, round(m["population"] * rng.uniform(0.02, 0.35) / hh_size))
    persons = max(500, round(m["population"] - metered_households * hh_size))
    scale = m["population"] / 6200
    norm = 5 * round(rng.uniform(45, 75) / 5)
    metered = metered_households * rng.uniform(80, 110)
    budget = 9000 * scale * rng.uniform(0.7, 1.3)
    business = 6000 * scale * rng.uniform(0.5, 1.5)
    metered, budget, business = (round(v, -1) for v in (metered, budget, business))
    billed = persons * norm * 365 / 1000 + metered + budget + business
    losses = round(rng.uniform(15, 45))
    produced = round(billed / (1 - losses / 100), -2)
    wage = m["profile"]["wage"] * rng.uniform(0.9, 1.1)
    outlier = _outlier(m, "water", scale)
    prog = data["production_programme"]  # pumping and chlorine follow what is produced
    prog["pumping"]["energy"] = _fmt(rng.uniform(0.4, 0.9) * outlier, "kWh/m3", step=0.01)
    for c in prog["chemicals"]:  # chlorine, about 2 g a m³
        dose, unit = _q(c["dose"])
        c["dose"] = _fmt(dose * rng.uniform(0.8, 1.2) * outlier, unit, step=0.01)
    for ln in data["cost_lines"]:
        if ln["line"] == "other" and "quantity" in ln:  # a water test a month whatever the size
            ln["quantity_fixed"] = True
    _lines(data, rng, m, "water", scale, {"fuel": 0.5, "materials": 0.7, "repairs": 0.7}, wage)
    for ln in data["cost_lines"]:
        ln.pop("quantity_fixed", None)
    for a in data["assets"]:
        value, unit = _q(a["value"])
        a["value"] = _fmt(value * scale ** 0.8 * rng.uniform(0.7, 1.3) * outlier, unit, step=10_000)
        a["year"] = min(TARIFF_YEAR - 1, a["year"] + rng.randint(-8, 4))
        a["source"] = "synthetic"
    if rng.random() < 0.5:
        value, unit = _q(data["debt_service"][0]["amount"])
        data["debt_service"][0]["amount"] = _fmt(value * scale * rng.uniform(0.5, 1.5), unit, step=1000)
    else:
        del data["debt_service"]
    data["collection_rate"] = _pct(rng.uniform(55, 95))
    data["water"]["produced"] = _fmt(produced, "m3/year")
    data["water"]["losses"] = _pct(losses)
    person = rng.uniform(15, 40)
    per_m3 = rng.uniform(8, 18)
    for c in data["categories"]:
        if c["id"] == "unmetered":
            c["persons"] = _fmt(persons, "person")
            c["household_size"] = _fmt(hh_size, "person/household", step=0.01)
            c["norm"] = _fmt(norm, "l/person/day")
            c["current_tariff"] = _fmt(person, "som/person/month")
        elif c["id"] == "metered":
            c["households"] = _fmt(metered_households, "household")
            c["household_size"] = _fmt(hh_size, "person/household", step=0.01)
            c["volume"] = _fmt(metered, "m3/year")
            c["current_tariff"] = _fmt(per_m3, "som/m3", step=0.5)
        elif c["id"] == "budget":
            c["volume"] = _fmt(budget, "m3/year")
            c["current_tariff"] = _fmt(per_m3 * c["multiplier"], "som/m3", step=0.5)
        elif c["id"] == "business":
            c["volume"] = _fmt(business, "m3/year")
            c["current_tariff"] = _fmt(per_m3 * c["multiplier"], "som/m3", step=0.5)
    for g in data["vulnerable"]["groups"]:
        g["households"] = _fmt(max(1, persons / hh_size * rng.uniform(0.03, 0.12)), "household")
    return data


def _dipping_bath(data: dict, m: dict, rng: random.Random, passport: dict, seed: int) -> dict:
    _common(data, m, seed, TEMPLATES["dipping_bath"])
    # a bath serves the herds of a valley: never fewer than a few thousand heads
    sheep = int(round(max(4000, m["population"] * m["profile"]["sheep"] * rng.uniform(0.5, 1.5)), -1))
    goats = int(round(sheep * rng.uniform(0.08, 0.25), -1))
    neighbour = rng.random() < 0.5
    n_sheep, n_goats = (int(round(rng.uniform(500, 5000), -1)), int(round(rng.uniform(100, 1500), -1)))
    dipped = sheep + 0.9 * goats + (n_sheep + 0.9 * n_goats if neighbour else 0)
    scale = dipped / 22835
    wage = m["profile"]["wage"] * rng.uniform(0.9, 1.1)
    outlier = _outlier(m, "dipping_bath", scale)
    for ln in data["cost_lines"]:
        if ln["line"] == "materials":  # the acaricide: every head dipped, at its price
            ln["quantity_fixed"] = True
            ln["quantity"] = _fmt(dipped, "head/year")
            ln["price"] = _fmt(3.5 * rng.uniform(0.9, 1.2) * outlier, "som/head", step=0.1)
        elif ln["line"] == "rent":
            ln["quantity_fixed"] = True
            # a small bath rents for less: the tender prices what the lessee can earn
            ln["price"] = _fmt(2000 * min(1.0, scale) ** 0.6 * rng.uniform(0.6, 1.4) * outlier, "som/month",
                               step=100)
    _lines(data, rng, m, "dipping_bath", scale, {"fuel": 0.6, "other": 0.8, "repairs": 0.8, "overhead": 0.8}, wage,
           seasonal=True)
    for ln in data["cost_lines"]:
        ln.pop("quantity_fixed", None)
    objects = [dict(o, owner="municipality") for o in passport["objects"] if o.get("service") == "dipping_bath"]
    del data["assets_from"]
    data["assets"] = _assets(objects, rng, scale, outlier, 2000)
    tariff = _fmt(rng.uniform(8, 20), "som/head", step=1)
    local = data["categories"][0]
    local.pop("heads_from")
    local["name"] = {"ru": "Владельцы скота айыл окмоту", "ky": "Айыл өкмөтүнүн мал ээлери",
                     "en": "Livestock owners of the aiyl okmotu"}
    local["heads"] = {"sheep": _fmt(sheep, "head"), "goats": _fmt(goats, "head")}
    local["current_tariff"] = tariff
    if neighbour:
        other = data["categories"][1]
        other["name"] = {"ru": "Чабаны соседнего айыл окмоту", "ky": "Коңшу айыл өкмөтүнүн малчылары",
                         "en": "Herders from the neighbouring aiyl okmotu"}
        other["heads"] = {"sheep": _fmt(n_sheep, "head"), "goats": _fmt(n_goats, "head")}
        other["current_tariff"] = tariff
    else:
        del data["categories"][1]
    data["collection_rate"] = _pct(rng.choice((100, 100, 100, 95, 90)))
    return data


def _budget(data: dict, history: str, m: dict, rng: random.Random, seed: int,
            services: tuple = ()) -> tuple[dict, str]:
    """Kok-Jar's budget scaled to the municipality's residents, with its own revenue
    weighing more or less against the equalisation grant (richer Chui, poorer Batken), and
    a line of subsidies to enterprises that pays what the folder's tariffs ask of the
    budget from the tariff year on (``plans:``), as Teploklyuchenka's budget does."""
    _common(data, m, seed, BUDGET_TEMPLATE)
    rows = list(csv.reader(io.StringIO(history), delimiter=";"))
    header, body = rows[0], rows[1:]
    years = header[3:]
    residents = next(r for r in body if r[1] == "residents")
    scale = m["population"] / _n(residents[-1])
    own = m["profile"]["own"] * rng.lognormvariate(0, 0.3)
    grant = rng.uniform(0.8, 1.15)
    growth = rng.uniform(0.995, 1.02)

    def revenue(r, k):
        return _n(r[3 + k]) * scale * (grant if r[1] == "equalisation_grant" else own)

    revenues = [r for r in body if r[0] == "revenue"]
    out = [header]
    for r in body:
        values = []
        for k in range(len(years)):
            if r[0] == "revenue":
                v = revenue(r, k)
            elif r[0] == "expenditure":  # spending follows what came in that year
                before = sum(_n(x[3 + k]) for x in revenues) * scale
                v = _n(r[3 + k]) * scale * sum(revenue(x, k) for x in revenues) / before
            else:
                v = m["population"] / growth ** (len(years) - 1 - k)
                values.append(_num(v, 0).replace("\u00a0", " "))
                continue
            values.append(_num(v, 1).replace("\u00a0", " "))
        out.append(r[:3] + values)
        if r[1] == "capital_works" and services:  # what the budget paid the enterprises so far
            share = rng.uniform(0.01, 0.02)
            subsidy = [sum(revenue(x, k) for x in revenues) * share for k in range(len(years))]
            out.append(["expenditure", "subsidies_to_enterprises", "synthetic"]
                       + [_num(v, 1) for v in subsidy])
    buffer = io.StringIO()
    csv.writer(buffer, delimiter=";", lineterminator="\n").writerows(out)
    fixed = data["fixed"]["equalisation_grant"]["values"]
    for year in fixed:
        fixed[year] = round(fixed[year] * scale * grant, 1)
    data["population"]["growth"] = _pct((growth - 1) * 100, 1)
    if services:
        data["plans"] = {"subsidies_to_enterprises": {"tariffs": [f"{s}.yaml" for s in services],
                                                      "source": "synthetic"}}
    return data, buffer.getvalue()


# --- reading and writing ---------------------------------------------------------------

def _read(relative: str) -> dict:
    return yaml.load((EXAMPLES / relative).read_text("utf-8"), Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))


def _header(example: str, seed: int) -> str:
    return (f"# СГЕНЕРИРОВАННЫЙ УСЛОВНЫЙ ПРИМЕР (из {example}, seed {seed}): не данные реального айыл окмоту.\n"
            f"# ТҮЗҮЛГӨН ШАРТТУУ МИСАЛ ({example} мисалынан, seed {seed}): чыныгы айыл өкмөтүнүн маалыматтары эмес.\n"
            f"# GENERATED SYNTHETIC EXAMPLE (from {example}, seed {seed}): not data of any real aiyl okmotu.\n"
            "# Written by okmo_models.examples.synthetic.generate_country.\n")


def _write(path: Path, header: str, data: dict) -> None:
    # libyaml's dumper when present: ten times faster for a country of files
    text = yaml.dump(data, Dumper=getattr(yaml, "CSafeDumper", yaml.SafeDumper), allow_unicode=True,
                     sort_keys=False, width=100, default_flow_style=False)
    path.write_bytes((header + text).encode("utf-8"))


def _q(text) -> tuple[float, str]:
    """A quantity as the examples write it ("20 000 som/staff/month", "2,87 som/kWh")."""
    text = str(text).strip()
    i = 0
    while i < len(text) and (text[i].isdigit() or text[i] in " \u00a0,.-"):
        i += 1
    return _n(text[:i]), text[i:].strip()


def _n(text: str) -> float:
    return float(text.replace(" ", "").replace("\u00a0", "").replace(",", "."))


def _num(x: float, decimals: int) -> str:
    """``x`` with spaces between thousands and a decimal comma; at most two decimals, so that
    no number reads both as a decimal and as thousands ("1,570")."""
    text = f"{x:,.{decimals}f}".replace(",", "\u00a0").replace(".", ",")
    if decimals:
        text = text.rstrip("0").rstrip(",")
    return text.replace("\u00a0", " ")


def _fmt(x: float, unit: str, step: float = 1) -> str:
    value = round(x / step) * step
    if step >= 1:
        value = max(value, step)
    decimals = 0 if step >= 1 else min(2, len(f"{step:g}".split(".")[1]))
    return f"{_num(value, decimals)} {unit}"


def _pct(x: float, decimals: int = 0) -> str:
    return f"{_num(round(x, decimals), decimals)} %"


def main(argv=None) -> int:
    """``python -m okmo_models.examples.synthetic OUT_DIR [--n 450] [--seed 0]``."""
    import argparse

    parser = argparse.ArgumentParser(prog="python -m okmo_models.examples.synthetic",
                                     description="Generate a synthetic country of aiyl okmotu folders.")
    parser.add_argument("out_dir", type=Path)
    parser.add_argument("--n", type=int, default=450)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--services", default=",".join(SERVICES))
    parser.add_argument("--budget-share", type=float, default=0.4)
    args = parser.parse_args(argv)
    try:
        folders = generate_country(args.out_dir, n=args.n, seed=args.seed,
                                   services=tuple(s for s in args.services.split(",") if s),
                                   budget_share=args.budget_share)
    except (FileExistsError, ValueError) as exc:
        parser.exit(2, f"{parser.prog}: {exc}\n")
    print(f"{len(folders)} municipality folders written under {args.out_dir} ({MANIFEST} lists them)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

"""One file computed into one small row of figures for the comparison.

:func:`compute_row` runs in a worker (a process pool or a Dask worker), so it is a top-level
function of a path and returns plain data (a dict of numbers, ids and texts in the three
languages): the result objects stay in the worker. Every figure is read from the plan's own
result (the tariff's :class:`~okmo_models.tariff.result.TariffResult`, its proposal, its
budget flows and policy analysis; the budget forecast; the programme's draft portfolio);
nothing is recomputed another way. A figure the file cannot give is None, and ``missing``
says why with a message key (``cmp_missing_*``), never 0.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from okmo_models.i18n import LANGUAGES

TARIFF_TABLE, BUDGET_TABLE, PROGRAMME_TABLE = "tariffs", "budgets", "programmes"
# the kinds compared, and the table each fills
TABLES = {"tariff": TARIFF_TABLE, "budget": BUDGET_TABLE, "programme": PROGRAMME_TABLE}

# the figures of each table that get peer statistics, with their unit ("base" = som per
# the tariff's base unit, filled in per row)
TARIFF_FIGURES = {
    "household_bill_som": "som/household/month",
    "tariff_per_base_unit_som": "som/{base}",
    "cost_per_base_unit_som": "som/{base}",
    "requirement_per_base_unit_som": "som/{base}",
    "collection_rate": "share",
    "cost_recovery_current": "share",
    "cost_recovery_proposed": "share",
    "affordability_share_above": "share",
    "subsidy_per_resident_som": "som/person/year",
}
BUDGET_FIGURES = {
    "revenue_per_resident_som": "som/person/year",
    "own_revenue_share": "share",
    "expenditure_per_resident_som": "som/person/year",
}
PROGRAMME_FIGURES = {"cost_per_beneficiary_som": "som/person"}
FIGURES = {TARIFF_TABLE: TARIFF_FIGURES, BUDGET_TABLE: BUDGET_FIGURES, PROGRAMME_TABLE: PROGRAMME_FIGURES}
# the other figures of each table (no statistics), with their unit ("{billing}": som per the
# reference category's billing unit)
OTHER_FIGURES = {
    TARIFF_TABLE: {"proposed_tariff_som": "som/{billing}", "current_tariff_som": "som/{billing}",
                   "requirement_som": "som/year", "affordability_threshold": "share", "subsidy_som": "som/year",
                   "budget_discounts_som": "som/year", "residents": "person"},
    BUDGET_TABLE: {"revenue_som": "som/year", "own_revenue_som": "som/year", "expenditure_som": "som/year",
                   "residents": "person"},
    PROGRAMME_TABLE: {"cost_som": "som", "beneficiaries": "person", "measures": "count"},
}

# budget revenue lines that are transfers from the republican budget, not own revenue
TRANSFER_LINES = ("equalisation_grant", "targeted_transfers")
# the file's unit of a budget or programme in som
UNIT_FACTORS = {"som": 1.0, "thousand_som": 1e3, "million_som": 1e6}


def texts(local) -> dict | None:
    """A LocalText as plain data in every language (None stays None)."""
    return None if local is None else {lang: local.get(lang) for lang in LANGUAGES}


def _is_variant(inputs) -> bool:
    """Whether a result's input files name a baseline (the file is a what-if variant)."""
    return any(f.role == "baseline" for f in inputs)


def compute_row(path: str | Path, kind: str | None = None) -> dict:
    """The row of the plan file at ``path`` (tariff, budget or programme; ``kind`` when the
    caller has read it already). A file's own problem propagates (the executor records it as
    the file's failure)."""
    path = Path(path)
    if kind is None:
        from okmo_models.kinds import kind_of

        kind = kind_of(path).name
    return {"tariff": tariff_row, "budget": budget_row, "programme": programme_row}[kind](path)


@dataclass(frozen=True)
class Item:
    """What a worker is sent: a file, its kind (read once, by the caller) and the folder the
    user named it in, where its files may name one another (a tariff's passport, a budget's
    history table), as ``okmo batch`` allows. Shown as the file, as the executor's progress
    names an item."""

    path: str
    kind: str
    root: str

    def __str__(self) -> str:
        return self.path


def compute_item(item: Item) -> dict:
    """:func:`compute_row` of an :class:`Item`, with the files under its folder readable."""
    from okmo_models.references import wider_root

    with wider_root(item.root):
        return compute_row(item.path, item.kind)


def _base(path: Path, table: str, municipality, sha256: str, variant: bool) -> dict:
    return {"table": table, "file": str(path), "folder": str(path.parent), "sha256": sha256,
            "municipality": texts(municipality.name), "region": texts(municipality.region),
            "variant": variant, "missing": {}}


# figures that are shares (0.65 = 65 %); the others are amounts or counts
SHARES = ("collection_rate", "cost_recovery_current", "cost_recovery_proposed", "affordability_share_above",
          "affordability_threshold", "own_revenue_share")


def published(name: str, value: float) -> float:
    """A figure as the plan's own JSON publishes it: money to the tyiyn half-up, a share to six
    decimals. The comparison's statistics, outlier tests, text, workbook and PDF all start from
    these, so a figure reads the same in ``okmo tariff`` and ``okmo compare``, and no outlier
    depends on a decimal nobody sees."""
    if name.endswith("_som"):
        from okmo_models.tariff.formulas import round_tariff

        return round_tariff(float(value), 0.01) + 0.0
    if name in SHARES:
        return round(float(value), 6) + 0.0
    return float(value) + 0.0


def _set(row: dict, name: str, value, reason: str | None = None) -> None:
    """A figure as published, or None with the message key saying why it is missing."""
    row[name] = None if value is None else published(name, value)
    if value is None:
        row["missing"][name] = reason or "cmp_missing_not_given"


def _reference_category(result):
    """The category a tariff is compared by: the first population category with a household
    bill (the one ``typical_household_bill_som`` is of), else the first population category,
    else the first category."""
    population = [c for c in result.tariffs if c.kind == "population"]
    with_bill = [c for c in population if c.household_bill_som is not None]
    return (with_bill or population or list(result.tariffs))[0]


def tariff_row(path: Path) -> dict:
    from okmo_models.tariff import calculate_tariff
    from okmo_models.tariff.budget_flows import budget_flows
    from okmo_models.tariff.model import TariffModel
    from okmo_models.tariff.proposal import proposal

    r = calculate_tariff(path)
    s = r.scenario
    row = _base(path, TARIFF_TABLE, s.municipality, r.origin.sha256 if r.origin else "",
                _is_variant(r.origin.baselines if r.origin else ()))
    p = proposal(r)
    ref = _reference_category(r)
    proposed = next(t for t in p.tariffs if t.id == ref.id)
    unit = r.unit_costs[0]  # per base unit: the first unit cost is always of the base unit
    row.update(service=s.service, year=s.tariff_year, base_unit=r.base_unit, category=ref.id,
               category_label=texts(ref.name), proposed_unit="som/" + proposed.billing_unit,
               billing_unit=ref.billing_unit)
    _set(row, "household_bill_som", r.typical_household_bill_som, "cmp_missing_no_household_bill")
    _set(row, "tariff_per_base_unit_som", ref.tariff_per_base_unit_som)
    _set(row, "proposed_tariff_som", proposed.tariff_som)
    _set(row, "current_tariff_som", ref.current_tariff_som, "cmp_missing_no_current_tariff")
    _set(row, "cost_per_base_unit_som", unit.cost_som)
    _set(row, "requirement_per_base_unit_som", unit.requirement_som)
    _set(row, "requirement_som", r.revenue_requirement_som)
    _set(row, "collection_rate", p.collection_rate if p.revenue_som else None, "cmp_missing_no_accruals")
    _set(row, "cost_recovery_current", r.cost_recovery_current, "cmp_missing_no_current_tariff")
    _set(row, "cost_recovery_proposed", p.cost_recovery)
    affordability = r.policy.affordability if r.policy is not None else None
    _set(row, "affordability_share_above", affordability.share_above if affordability else None,
         "cmp_missing_no_affordability")
    _set(row, "affordability_threshold", affordability.threshold if affordability else None,
         "cmp_missing_no_affordability")
    subsidy, discounts = budget_flows(r).at(s.tariff_year)
    _set(row, "subsidy_som", subsidy)
    _set(row, "budget_discounts_som", discounts)
    population = [c for c in TariffModel(s).categories if c.category.kind == "population"]
    residents = (sum(c.persons for c in population)
                 if population and all(c.persons for c in population) else None)
    _set(row, "residents", residents, "cmp_missing_no_residents")
    _set(row, "subsidy_per_resident_som",
         (subsidy + discounts) / residents if residents else None, "cmp_missing_no_residents")
    return row


def _passport_residents(folder: Path) -> float | None:
    """Residents of the passport in ``folder`` (the latest one), None when there is none or it
    cannot be read (its own problem is the passport's, reported when it is compared)."""
    from okmo_models.errors import OkmoError
    from okmo_models.kinds import KINDS
    from okmo_models.municipality.model import read_folder

    try:
        passport = read_folder(folder).passport
        if passport is None:
            return None
        return float(sum(s.population for s in KINDS["passport"].load(passport).passport.settlements))
    except OkmoError:
        return None


def budget_row(path: Path) -> dict:
    from okmo_models.plan_links import baseline_linked_budget

    b = baseline_linked_budget(path)  # the baseline's figures, as okmo budget shows them first
    s = b.scenario
    sha = next((f.sha256 for f in b.inputs if f.role == "scenario"), "")
    row = _base(path, BUDGET_TABLE, s.municipality, sha, _is_variant(b.inputs))
    factor = UNIT_FACTORS[s.unit]
    year = b.forecast_years[0]
    point = b.point[:, 0] * factor
    revenue = {ln: float(v) for (sec, ln), v in zip(b.lines, point) if sec == "revenue"}
    spending = {ln: float(v) for (sec, ln), v in zip(b.lines, point) if sec == "expenditure"}
    total_revenue, total_spending = sum(revenue.values()), sum(spending.values())
    own = total_revenue - sum(revenue.get(ln, 0.0) for ln in TRANSFER_LINES)
    row.update(year=year, unit=s.unit)
    _set(row, "revenue_som", total_revenue)
    _set(row, "expenditure_som", total_spending)
    _set(row, "own_revenue_som", own)
    _set(row, "own_revenue_share", own / total_revenue if total_revenue else None, "cmp_missing_no_revenue")
    residents, source = None, None
    if b.population is not None:
        residents, source = float(b.population[len(b.years)]), "budget"
    else:
        residents = _passport_residents(path.parent)
        source = "passport" if residents else None
    row["residents_from"] = source
    _set(row, "residents", residents or None, "cmp_missing_no_residents")
    per = (lambda v: v / residents) if residents else (lambda v: None)  # noqa: E731
    _set(row, "revenue_per_resident_som", per(total_revenue), "cmp_missing_no_residents")
    _set(row, "expenditure_per_resident_som", per(total_spending), "cmp_missing_no_residents")
    row["spending_per_resident_som"] = {ln: (None if per(v) is None else published("spending_som", per(v)))
                                        for ln, v in spending.items()}
    return row


def programme_row(path: Path) -> dict:
    from okmo_models.kinds import KINDS
    from okmo_models.programme.model import money

    r = KINDS["programme"].compute(path)
    pr = r.programme
    plan = r.plan
    row = _base(path, PROGRAMME_TABLE, pr.municipality, r.sha256, _is_variant(r.baselines))
    measures = {m.id: m for m in pr.measures}
    cost = sum(float(money(measures[mid], start, plan.years)["cost"].sum()) for mid, start in plan.starts.items())
    cost *= UNIT_FACTORS[pr.unit]
    beneficiaries = plan.beneficiaries()[0]
    row.update(first_year=pr.first_year, last_year=pr.last_year, unit=pr.unit, measures=len(plan.starts))
    _set(row, "cost_som", cost)
    _set(row, "beneficiaries", beneficiaries or None, "cmp_missing_no_beneficiaries")
    _set(row, "cost_per_beneficiary_som", cost / beneficiaries if beneficiaries else None,
         "cmp_missing_no_beneficiaries")
    return row

"""Money of a development programme year by year, and how it fits the budget.

For a measure started in a given year, :func:`money` spreads its cost over the works
years and splits it by funding source; the local budget pays what the other sources do
not, plus the running cost after completion and the repayment of budget loans. A
:class:`Portfolio` (measures with start years) adds these up against the fiscal space: the
forecast budget balance, or the limits the file gives.
"""

from __future__ import annotations

import dataclasses
import os
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from okmo_models.errors import OkmoError, Problem, ScenarioError
from okmo_models.i18n import t
from okmo_models.programme.checks import check
from okmo_models.programme.schema import FUNDING_KINDS, Measure, Programme, fraction
from okmo_models.scenario.loader import read_data, validate_with
from okmo_models.scenario.schema import LocalText
from okmo_models.units import MONEY_UNITS

KINDS = ("local_budget", *FUNDING_KINDS)


@dataclass(frozen=True)
class ProgrammeFile:
    """A validated programme file and where it came from, as
    :class:`~okmo_models.scenario.loader.ScenarioFile` is for a tariff."""

    path: Path
    sha256: str
    programme: Programme
    baselines: tuple = ()  # a variant's baseline files as read (okmo_models.provenance.InputFile)

    @property
    def model(self):
        """The validated file, whatever its kind (see :mod:`okmo_models.kinds`)."""
        return self.programme


def load_programme(path: str | Path) -> ProgrammeFile:
    """Read and validate a programme file (or a variant of one)."""
    path = Path(path)
    data, sha, lines, baselines = read_data(path)
    return ProgrammeFile(path, sha, validate_with(Programme, check, data, path, lines), baselines)


class FiscalSpaceError(OkmoError):
    def __init__(self, key: str, **context):
        super().__init__(key)
        self.key, self.context = key, context

    def render(self, lang=None) -> str:
        return t(self.key, lang, **self.context)


@dataclass(frozen=True)
class FiscalSpace:
    """Money the local budget can give the programme each year, and where it comes from."""

    years: tuple
    amounts: np.ndarray
    origin: str  # "<file>" or "<file> (<scenario id>)" of the budget, or "limits"
    inputs: tuple = ()  # the budget file and its history table as read (okmo_models.provenance)
    file: str | None = None  # the budget file as the programme names it
    scenario_name: LocalText | None = None  # the budget scenario's name, when one is used

    def describe(self, lang: str = "ru") -> str:
        """Where the money comes from, in the reader's words: the budget file as the
        programme names it (and its scenario by name), or the file's own limits."""
        if self.origin == "limits":
            return t("pt_space_limits", lang)
        if self.scenario_name is None:
            return t("pt_space_budget", lang, file=self.file)
        return t("pt_space_budget_scenario", lang, file=self.file, scenario=self.scenario_name.get(lang))


def fiscal_space(programme: Programme, programme_path: Path | None = None,
                 budget_path: str | Path | None = None) -> FiscalSpace:
    """The forecast balance of the budget file (given or named in the programme), plus the
    capital-works line when the programme may use it; otherwise the file's ``limits``."""
    years = tuple(range(programme.first_year, programme.last_year + 1))
    if budget_path is None and programme.budget is not None and programme_path is not None:
        from okmo_models.references import SCENARIO_SUFFIXES, resolve_reference

        # named in the file: it must stay in the programme's folder tree (a --budget given
        # on the command line is the user's own choice)
        resolve_reference(programme_path, programme.budget, ("budget",), SCENARIO_SUFFIXES)
        budget_path = os.path.normpath(Path(programme_path).parent / programme.budget)  # as the file names it
    if budget_path is None:
        missing = [y for y in years if y not in programme.limits]
        if missing:
            raise ScenarioError(programme_path or "<programme>", [
                Problem(path=("limits",), key="limits_missing_years", value=", ".join(map(str, missing)))])
        return FiscalSpace(years, np.array([programme.limits[y] for y in years], dtype=float), "limits")
    from okmo_models.budget.forecast import BudgetModel
    from okmo_models.plan_links import linked_budget

    loaded = linked_budget(budget_path)[0]  # with the tariffs its lines pay for
    budget = loaded.scenario
    result = BudgetModel(budget).fit(programme.budget_scenario)
    outside = [y for y in years if y not in result.forecast_years]
    if outside:
        raise FiscalSpaceError("programme_outside_forecast", years=", ".join(map(str, outside)),
                               first=result.forecast_years[0], last=result.forecast_years[-1])
    # the balance as BudgetResult.totals() sums it, on the arrays: no pandas in a hearing kernel
    columns = [list(result.forecast_years).index(y) for y in years]
    point = np.asarray(result.point, dtype=float)[:, columns]
    revenue = np.array([section == "revenue" for section, _ in result.lines])
    space = point[revenue].sum(axis=0) - point[~revenue].sum(axis=0)
    if programme.capital_works_available and ("expenditure", "capital_works") in result.lines:
        space = space + point[list(result.lines).index(("expenditure", "capital_works"))]
    space = space * (MONEY_UNITS[budget.unit] / MONEY_UNITS[programme.unit])
    name = Path(budget_path).name + (f" ({programme.budget_scenario})" if programme.budget_scenario else "")
    inputs = tuple(dataclasses.replace(f, role="budget" if f.role == "scenario" else f.role) for f in loaded.inputs)
    variant = budget.scenarios.get(programme.budget_scenario) if programme.budget_scenario else None
    return FiscalSpace(years, space, name, inputs, Path(budget_path).name,
                       variant.name if variant is not None else None)


def allowed_starts(m: Measure, programme: Programme) -> list[int]:
    """Start years from which the measure is finished within the programme period."""
    if m.committed:
        return [m.start]
    first = max(programme.first_year, m.earliest_start or programme.first_year)
    last = min(m.latest_start or programme.last_year, programme.last_year - len(m.cost) + 1)
    return list(range(first, last + 1))


def money(m: Measure, start: int, years) -> dict[str, np.ndarray]:
    """Yearly money of a measure started in ``start``, by funding kind, over ``years``;
    ``local_budget`` includes running costs after completion and loan repayments, also
    given apart as ``running`` and ``repayment``; ``after`` is the yearly local burden
    that continues after the period (running cost and loan repayments still due)."""
    years = list(years)
    n = len(years)
    cost = np.zeros(n)
    for j, c in enumerate(m.cost):
        if start + j in years:
            cost[years.index(start + j)] = c
    total = float(sum(m.cost)) or 1.0
    out = {k: np.zeros(n) for k in KINDS}
    for f in m.funding:
        part = cost * (fraction(f.share) if f.share is not None else (f.amount or 0.0) / total)
        out[f.kind] = out[f.kind] + part
    external = sum(out[k] for k in FUNDING_KINDS)
    works = np.maximum(cost - external, 0.0)
    done = start + len(m.cost) - 1
    running = np.array([m.running_cost if y > done else 0.0 for y in years])
    repayment = np.zeros(n)
    after = m.running_cost
    for f in m.funding:
        if f.kind != "budget_loan":
            continue
        principal = (fraction(f.share) * total if f.share is not None else f.amount or 0.0)
        rate = fraction(f.interest) if f.interest is not None else 0.0
        for k in range(f.repay_years):
            year = done + 1 + k
            outstanding = principal * (1 - k / f.repay_years)
            due = principal / f.repay_years + rate * outstanding
            if year in years:
                repayment[years.index(year)] += due
            elif year == years[-1] + 1:
                after += due
    out["local_budget"] = works + running + repayment
    out["works"], out["running"], out["repayment"], out["cost"] = works, running, repayment, cost
    out["after"] = np.array([after])
    return out


def priority(m: Measure, programme: Programme) -> float:
    """Weighted hearing score scaled to 0..1 (the lowest score 0, the highest 1)."""
    lo, hi = programme.scale
    weights = sum(c.weight for c in programme.criteria.values())
    return sum(c.weight * (m.scores.get(k, lo) - lo) / (hi - lo) for k, c in programme.criteria.items()) / weights


@dataclass(frozen=True)
class Portfolio:
    """Measures with their start years, and what they cost each year against the space."""

    programme: Programme
    space: FiscalSpace
    starts: dict  # measure id -> start year
    reasons: dict = field(default_factory=dict)  # measure id -> (message key, context) when left out
    method: str = "plan"  # plan | optimal | ranking
    gap: float = 0.0  # optimal only: how far (relative) the highest priority may be above this one's
    bound: float | None = None  # optimal only: the highest total priority possible (proven bound)
    ties_proven: bool = True  # optimal only: none of the same priority has more measures or earlier starts

    @property
    def years(self) -> tuple:
        return self.space.years

    def _money(self):
        by_id = {m.id: m for m in self.programme.measures}
        return {mid: money(by_id[mid], s, self.years) for mid, s in self.starts.items()}

    def by_source(self) -> dict[str, np.ndarray]:
        """Yearly money of the chosen measures by funding kind."""
        flows = self._money()
        return {k: sum((f[k] for f in flows.values()), np.zeros(len(self.years))) for k in KINDS}

    def local_need(self) -> np.ndarray:
        return self.by_source()["local_budget"]

    def left(self) -> np.ndarray:
        """Money left each year (cumulative when the rules let money carry over)."""
        left = self.space.amounts - self.local_need()
        return np.cumsum(left) if self.programme.rules.carry_over else left

    def gaps(self) -> list[tuple[int, float, list[tuple[str, float]]]]:
        """Years short of money: (year, shortfall, measures paying from the local budget
        that year, largest first) — the measures that cause the gap."""
        flows = self._money()
        out = []
        for k, (year, left) in enumerate(zip(self.years, self.left())):
            if left < -1e-6:
                causes = sorted(((mid, float(f["local_budget"][k])) for mid, f in flows.items()
                                 if f["local_budget"][k] > 0), key=lambda c: -c[1])
                out.append((year, float(-left), causes))
        return out

    def later_obligations(self) -> float:
        """Yearly local burden that continues after the period: running costs and loans."""
        return float(sum(f["after"][0] for f in self._money().values()))

    def indicators(self) -> dict[str, tuple]:
        """Per indicator id: (name, unit, baseline, reached) over the chosen measures."""
        out: dict[str, list] = {}
        for m in self.programme.measures:
            for ind in m.indicators:
                row = out.setdefault(ind.id, [ind.name, ind.unit, ind.baseline, ind.baseline])
                if m.id in self.starts:
                    row[3] += ind.target - ind.baseline
        return {k: tuple(v) for k, v in out.items()}

    def beneficiaries(self) -> tuple[float, float, float]:
        chosen = [m.beneficiaries for m in self.programme.measures if m.id in self.starts]
        return (sum(b.total for b in chosen), sum(b.women for b in chosen), sum(b.vulnerable for b in chosen))

    def priority_total(self) -> float:
        return sum(priority(m, self.programme) for m in self.programme.measures if m.id in self.starts)

    def fits(self) -> bool:
        return not self.gaps()

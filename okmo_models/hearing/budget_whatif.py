"""Budget what-ifs for a public hearing: slider values -> a budget scenario -> the forecast.

:class:`BudgetWhatIf` fits the baseline forecast of a budget file once (the backtest and
the baseline are cached by :class:`~okmo_models.budget.forecast.BudgetModel`); every slider
change is stated as a :class:`~okmo_models.budget.schema.BudgetVariant`, exactly the
scenario a budget file's ``scenarios:`` section would hold, and fitted with the file's own
Monte Carlo (same draws, same seed), so the numbers on the screen are the numbers
``okmo budget FILE --scenario ID`` prints once the variant is saved. The draws are made
once and kept (common random numbers, :meth:`BudgetModel.keep_draws`): a slider moved and
moved back shows the same bands, and a change costs milliseconds, not a new Monte Carlo.

Controls are kept in the units the sliders show: per cent for rates, percentage points for
the inflation shift, the file's money unit (e.g. thousand som) for the new taxpayer. A
preset (one of the file's scenarios) sets the sliders; changes of the preset that no slider
stands for are kept as they are, in their order, so an untouched preset reproduces the
file's scenario exactly.
"""

from __future__ import annotations

import datetime as dt
import json
import math
from dataclasses import dataclass, field, replace

import numpy as np

from okmo_models.budget.forecast import BudgetModel, BudgetResult
from okmo_models.budget.checks import check
from okmo_models.budget.schema import TAX_LINES, BudgetScenario, BudgetVariant
from okmo_models.errors import ScenarioError
from okmo_models.i18n import LANGUAGES, t
from okmo_models.units import declared_decimal_mark, number_text

HEARING_SOURCE = "hearing"
RATE_LINES = ("land_tax", "property_tax", "equalisation_grant")  # lines with a rate slider
TAXPAYER_LINES = ("property_tax", "land_tax", *TAX_LINES)  # where a new taxpayer's taxes go, first present
TAXPAYER = "taxpayer"  # the slot of the new large taxpayer
_CACHE_SIZE = 64


@dataclass(frozen=True)
class BudgetControls:
    """What a kenesh debates about the budget, as the sliders show it.

    ``cpi_shift`` (percentage points) is added to every forecast year's CPI of the price
    path of the preset (``cpi_path``, the preset's CPI overrides as written in the file) or
    of the file; at 0 that path is kept as it is. ``population_growth`` is % a year
    (``None`` without population data). ``rates`` maps a line of :data:`RATE_LINES` to its rate change in % from
    ``rates_from``; ``taxpayer`` is the yearly amount of a new large taxpayer in the file's
    unit (indexed with prices) from ``taxpayer_from``. ``kept`` holds the preset's changes
    as plain data, in order, each with the slot a slider controls (or ``None``).
    """

    rates_from: int
    taxpayer_from: int
    preset: str | None = None
    cpi_shift: float = 0.0
    cpi_path: tuple = ()  # ((year, "12 %"), ...)
    population_growth: float | None = None
    rates: dict = field(default_factory=dict)
    taxpayer: float = 0.0
    kept: tuple = ()  # ((slot or None, change data), ...)


@dataclass(frozen=True)
class Verdict:
    """The plain-language answer for the budget years: a gap, or fiscal space."""

    kind: str  # "gap" or "space"
    year: int  # first year short of money, or the tightest year
    amount: float  # shortfall (positive) or the smallest surplus, in the file's unit
    years: tuple  # years with a deficit ("gap") or the budget years ("space")
    total: float  # shortfall over those years ("gap"), else the smallest surplus


@dataclass(frozen=True)
class BudgetOutputs:
    result: BudgetResult
    baseline: BudgetResult
    verdict: Verdict
    variant: dict | None  # the scenario as file data; None for the baseline


def percent_text(pct: float, mark: str | None = None) -> str:
    return f"{number_text(round(pct, 2), mark)} %"


def _quantity_text(q, mark: str | None = None) -> str:
    return f"{number_text(q.value, mark)} {q.unit}"


def _pct(q) -> float:
    """A SignedShare in per cent."""
    return float(q.value) if q.unit.strip() == "%" else round(q.value * q.parsed_unit.factor * 100, 9)


def _change_data(change, mark: str | None = None) -> dict:
    """A LineChange as it is written in a budget file."""
    out = {"line": change.line, "from": change.from_year}
    if change.change is not None:
        out["change"] = _quantity_text(change.change, mark)
    if change.add is not None:
        out["add"] = change.add
    if not change.indexed:
        out["indexed"] = False
    if change.set is not None:
        out["set"] = dict(change.set)
    out["source"] = change.source
    if change.name is not None:
        out["name"] = change.name.model_dump(exclude_none=True)
    return out


class BudgetWhatIf:
    """A budget file's baseline fitted once, answering the hearing's what-ifs."""

    def __init__(self, scenario: BudgetScenario, sha256: str | None = None, source_text: str = "",
                 inputs: tuple = ()):
        """``inputs``: the files the budget was read from (:attr:`BudgetFile.inputs`), named in
        every result's provenance as ``okmo budget`` names them."""
        self.original = scenario
        self.sha256 = sha256
        self.mark = scenario.decimal_mark  # how the saved variant's numbers will be read
        # Changes made at the hearing cite a source the file must know; add it in memory,
        # as "save this variant" adds it to the saved file.
        self.source = self._source_key(scenario)
        self.source_text = source_text or t("bh_source", "ru", date=dt.date.today().strftime("%d.%m.%Y"))
        self.scenario = s = scenario.model_copy(
            update={"sources": {**scenario.sources, self.source: self.source_text}})
        # the Monte Carlo's draws do not depend on the sliders: drawn once for the baseline
        # and reused for every what-if (the same bands to the bit, a fraction of the time)
        self.model = BudgetModel(s, inputs).keep_draws()
        self.baseline_result = self.model.fit()
        self.forecast_years = self.model.forecast_years
        self.budget_years = self.forecast_years[: s.horizon]
        self.rate_lines = tuple(ln for ln in RATE_LINES if ln in s.revenue)
        self.taxpayer_line = next((ln for ln in TAXPAYER_LINES if ln in s.revenue), None)
        self.default_from = self.forecast_years[1] if len(self.forecast_years) > 1 else self.forecast_years[0]
        self.population_growth = _pct(s.population.growth) if s.population is not None else None
        revenue = np.array([section == "revenue" for section, _ in self.baseline_result.lines])
        last_revenue = float(self.baseline_result.history[revenue, -1].sum())  # history_totals()'s, no pandas
        self.taxpayer_max = _nice_ceiling(max(last_revenue * 0.25, 1.0))
        self.baseline = self.preset(None)
        self._cache: dict = {}

    @staticmethod
    def _source_key(scenario: BudgetScenario) -> str:
        if HEARING_SOURCE not in scenario.sources:
            return HEARING_SOURCE
        stamp = dt.date.today().strftime("%Y%m%d")
        key, n = f"{HEARING_SOURCE}_{stamp}", 2
        while key in scenario.sources:
            key, n = f"{HEARING_SOURCE}_{stamp}_{n}", n + 1
        return key

    # --- presets ----------------------------------------------------------------------------

    def presets(self) -> list[str]:
        return list(self.original.scenarios)

    def preset(self, scenario_id: str | None) -> BudgetControls:
        """The sliders set to the baseline (``None``) or to one of the file's scenarios."""
        growth = self.population_growth
        base = BudgetControls(rates_from=self.default_from, taxpayer_from=self.default_from,
                              population_growth=growth, rates={ln: 0.0 for ln in self.rate_lines})
        if scenario_id is None:
            return base
        v = self.original.scenarios[scenario_id]
        rates, kept = dict(base.rates), []
        rates_from = taxpayer_from = None
        taxpayer = 0.0
        for ch in v.changes:
            slot = None
            if (ch.change is not None and ch.line in self.rate_lines and ch.line not in [k for k, _ in kept]
                    and rates_from in (None, ch.from_year)):
                slot, rates_from, rates[ch.line] = ch.line, ch.from_year, _pct(ch.change)
            elif (ch.add is not None and ch.indexed and ch.line == self.taxpayer_line
                  and TAXPAYER not in [k for k, _ in kept]):
                slot, taxpayer_from, taxpayer = TAXPAYER, ch.from_year, float(ch.add)
            kept.append((slot, _change_data(ch, self.mark)))
        if v.population_growth is not None and growth is not None:
            growth = _pct(v.population_growth)
        return replace(base, preset=scenario_id, rates=rates, taxpayer=taxpayer, kept=tuple(kept),
                       rates_from=rates_from or self.default_from,
                       taxpayer_from=taxpayer_from or self.default_from,
                       cpi_path=tuple((y, _quantity_text(q, self.mark)) for y, q in sorted(v.cpi.items())),
                       population_growth=growth)

    # --- controls -> scenario -----------------------------------------------------------------

    def cpi_rates(self, c: BudgetControls) -> list[tuple[int, float]]:
        """The CPI (% a year) each forecast year gets under these controls: the preset's or
        the file's rate of that year plus the shift."""
        path = {y: _pct(self.quantity(text)) for y, text in c.cpi_path}
        return [(y, round((path[y] if y in path else _pct(self.scenario.cpi[y])) + c.cpi_shift, 9))
                for y in self.forecast_years]

    def quantity(self, text: str):
        """A quantity as written in the file or in a saved variant (``"12 %"``), read with the
        file's decimal mark."""
        from okmo_models.scenario.schema import Quantity

        with declared_decimal_mark(self.mark):
            return Quantity.model_validate(text)

    def _variant_model(self, data: dict) -> BudgetVariant:
        """``data`` read as the saved file will be: numbers with the file's decimal mark."""
        with declared_decimal_mark(self.mark):
            return BudgetVariant.model_validate(data)

    def variant_data(self, c: BudgetControls, name: dict | None = None) -> dict | None:
        """The controls as one scenario of a budget file (plain data); None when nothing
        differs from the baseline."""
        out: dict = {}
        if abs(c.cpi_shift) > 1e-9:
            out["cpi"] = {y: f"{number_text(pct, self.mark)} %" for y, pct in self.cpi_rates(c)}
        elif c.cpi_path:
            out["cpi"] = dict(c.cpi_path)
        if (c.population_growth is not None and self.population_growth is not None
                and abs(c.population_growth - self.population_growth) > 1e-9):
            out["population_growth"] = percent_text(c.population_growth, self.mark)
        changes, used = [], set()
        for slot, data in c.kept:
            if slot is None:
                changes.append(dict(data))
                continue
            used.add(slot)
            made = self._slot_change(c, slot, data)
            if made is not None:
                changes.append(made)
        for slot in (*self.rate_lines, TAXPAYER):
            if slot not in used:
                made = self._slot_change(c, slot, None)
                if made is not None:
                    changes.append(made)
        if changes:
            out["changes"] = changes
        if not out:
            return None
        return {"name": name or _local("bh_variant_default"), **out}

    def _slot_change(self, c: BudgetControls, slot: str, data: dict | None) -> dict | None:
        if slot == TAXPAYER:
            amount = round(float(c.taxpayer), 1)
            if self.taxpayer_line is None or amount <= 0:
                return None
            if data is not None and abs(float(data["add"]) - c.taxpayer) < 1e-9 and data["from"] == c.taxpayer_from:
                return dict(data)
            base = dict(data) if data is not None else {"line": self.taxpayer_line}
            made = {**base, "from": c.taxpayer_from, "add": amount, "source": self.source}
            if data is None:
                made["name"] = _local("bh_taxpayer_name")
            return made
        pct = c.rates.get(slot, 0.0)
        if abs(pct) < 1e-9:
            return None
        if data is not None and abs(_pct(self.quantity(data["change"])) - pct) < 1e-9 and data["from"] == c.rates_from:
            return dict(data)
        base = dict(data) if data is not None else {"line": slot}
        return {**base, "from": c.rates_from, "change": percent_text(pct, self.mark), "source": self.source}

    def variant(self, c: BudgetControls) -> BudgetVariant | None:
        data = self.variant_data(c)
        return None if data is None else self._variant_model(data)

    # --- the forecast ---------------------------------------------------------------------------

    def outputs(self, c: BudgetControls) -> BudgetOutputs:
        """The forecast under these controls (cached by the scenario they amount to)."""
        data = self.variant_data(c)
        key = json.dumps(data, sort_keys=True, ensure_ascii=False, default=str)
        result = self._cache.get(key)
        if result is None:
            result = self.baseline_result if data is None else self.model.fit(self._variant_model(data))
            if len(self._cache) >= _CACHE_SIZE:
                self._cache.pop(next(iter(self._cache)))
            self._cache[key] = result
        return BudgetOutputs(result, self.baseline_result, verdict(result), data)

    # --- saving -------------------------------------------------------------------------------------

    def scenario_id(self, when: dt.datetime) -> str:
        base = f"hearing_{when:%Y%m%d_%H%M}"
        sid, n = base, 2
        while sid in self.original.scenarios:
            sid, n = f"{base}_{n}", n + 1
        return sid

    def variant_file(self, c: BudgetControls, baseline_name: str, name: dict, when: dt.datetime,
                     description: dict | None = None, source_text: str | None = None) -> tuple[str, dict] | None:
        """``(scenario id, document)`` of a variant file that adds these controls as a
        scenario of the baseline file; None when nothing differs from the baseline.

        The document is checked as the loader will check it (sources known, years inside
        the forecast) before anyone writes it.
        """
        data = self.variant_data(c, name)
        if data is None:
            return None
        if description:
            data = {"name": data.pop("name"), "description": description, **data}
        sid = self.scenario_id(when)
        # the source is new to the file (see _source_key): the saved file must define it
        changes = {"sources": {self.source: source_text or self.source_text}, "scenarios": {sid: data}}
        # checked as the file will read: a line that pays for tariffs is not fixed in it (the
        # forecast fixes it to the tariffs' figures, okmo_models.plan_links)
        merged = self.scenario.model_copy(
            update={"scenarios": {**self.original.scenarios, sid: self._variant_model(data)},
                    "fixed": {ln: f for ln, f in self.scenario.fixed.items() if ln not in self.scenario.plans}})
        problems = list(check(merged))
        if problems:  # said in the hall's language, as okmo check would say it of the saved file
            raise ScenarioError(baseline_name, problems)
        doc = {"variant_of": baseline_name, "baseline_sha256": self.sha256,
               "saved": when.isoformat(timespec="minutes"), "changes": changes}
        return sid, doc


def verdict(result: BudgetResult) -> Verdict:
    """Short of money in the budget years, or how much is left at the tightest year."""
    years = list(result.forecast_years[: result.horizon])
    # result.totals()'s balance, the same sums without building a DataFrame on every slider change
    rows = np.array([sec == "revenue" for sec, _ in result.lines])
    balance = (result.point[rows].sum(axis=0) - result.point[~rows].sum(axis=0))[: len(years)]
    short = [(y, -b) for y, b in zip(years, balance) if b < -0.05]
    if short:
        return Verdict("gap", short[0][0], float(short[0][1]), tuple(y for y, _ in short),
                       float(sum(a for _, a in short)))
    k = int(np.argmin(balance))
    return Verdict("space", years[k], float(max(balance[k], 0.0)), tuple(years), float(max(balance[k], 0.0)))


def _local(key: str, **context) -> dict:
    """A message in every language, as a budget file writes a name."""
    return {lang: t(key, lang, **context) for lang in LANGUAGES}


def _nice_ceiling(x: float) -> float:
    """1, 2, 2.5 or 5 times a power of ten, at least ``x``."""
    power = 10 ** math.floor(math.log10(x))
    for m in (1, 2, 2.5, 5, 10):
        if m * power >= x:
            return m * power
    return 10 * power  # pragma: no cover

"""Development-programme what-ifs for a public hearing: a choice of measures -> a portfolio.

A *choice* is what the switches on the screen say: ``{measure id: start year}`` for the
measures switched on (the others are out). :class:`ProgrammeWhatIf` evaluates a programme
file once (:func:`~okmo_models.programme.evaluate_programme`: the fiscal space, the draft, the
optimum and the ranking) and then answers each change of the switches with a
:class:`~okmo_models.programme.model.Portfolio` over the same fiscal space, so the numbers
on the screen are the numbers ``okmo programme FILE`` prints once the variant is saved.

A choice is saved as a variant file of the programme whose ``changes`` set the ``start`` of
every measure that differs from the draft (``start: null`` for a measure switched off); the
saved file's draft (``evaluate(file).plan``) is exactly the choice.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from okmo_models.programme.model import Portfolio, allowed_starts, money, priority
from okmo_models.programme.optimize import broken_rules
from okmo_models.programme.result import ProgrammeResult
from okmo_models.programme.schema import Programme

PRESETS = ("plan", "optimal", "ranking")


@dataclass(frozen=True)
class Verdict:
    """The plain-language answer: every year has money left, or the years short of it."""

    kind: str  # "fits" or "short"
    year: int  # first year short of money, or the tightest year
    amount: float  # shortfall of that year (positive), or the smallest money left
    years: tuple  # years short of money ("short") or every year ("fits")
    total: float  # shortfall over those years ("short"), else the smallest money left
    causes: tuple  # ((measure id, local money that year), ...) of the first short year, largest first


@dataclass(frozen=True)
class ProgrammeOutputs:
    """Everything the dashboard shows for one choice."""

    portfolio: Portfolio
    left: np.ndarray  # money left each year
    local_need: np.ndarray  # local money the chosen measures need each year
    gaps: list  # Portfolio.gaps()
    verdict: Verdict
    broken: list  # rules broken besides money: [(message key, context)], see broken_rules
    indicators: dict  # Portfolio.indicators()
    beneficiaries: tuple  # (total, women, vulnerable)
    after: float  # yearly local burden continuing after the period
    priority: float  # total priority of the chosen measures (0..1 per measure)


def verdict(portfolio: Portfolio, left: np.ndarray | None = None, gaps: list | None = None) -> Verdict:
    left = portfolio.left() if left is None else left
    gaps = portfolio.gaps() if gaps is None else gaps
    years = tuple(portfolio.years)
    if gaps:
        year, short, causes = gaps[0]
        return Verdict("short", year, short, tuple(g[0] for g in gaps), float(sum(g[1] for g in gaps)),
                       tuple(causes))
    k = int(np.argmin(left))
    return Verdict("fits", years[k], float(left[k]), years, float(left[k]), ())


class ProgrammeWhatIf:
    """A programme evaluated once, answering the hearing's what-ifs."""

    def __init__(self, result: ProgrammeResult):
        self.result = result
        self.programme = p = result.programme
        self.space = result.space
        self.years = tuple(result.space.years)
        self.draft = dict(result.plan.starts)
        self.by_id = {m.id: m for m in p.measures}
        self.priority = {m.id: priority(m, p) for m in p.measures}
        # highest priority first; committed measures lead among equals, then the file's order
        order = {m.id: i for i, m in enumerate(p.measures)}
        self.order = sorted(self.by_id, key=lambda mid: (-round(self.priority[mid], 9),
                                                        not self.by_id[mid].committed, order[mid]))
        self.committed = {m.id: m.start for m in p.measures if m.committed}
        self._options = {}
        for m in p.measures:
            opts = set(allowed_starts(m, p))
            if m.start is not None and not m.committed:
                opts.add(m.start)  # the draft's start stays selectable even outside the rules
            self._options[m.id] = sorted(opts)

    # --- presets and choices --------------------------------------------------------------------

    def options(self, mid: str) -> list[int]:
        """Start years a measure may be given (empty: it cannot finish within the period)."""
        return list(self._options[mid])

    def _default_start(self, mid: str) -> int | None:
        """The start a measure gets when switched on: its draft start, else its earliest."""
        if mid in self.draft:
            return self.draft[mid]
        return self._options[mid][0] if self._options[mid] else None

    def default_start(self, mid: str) -> int | None:
        return self._default_start(mid)

    def local_money(self, mid: str, start: int | None) -> float:
        """Local money a measure needs over the period when started in ``start``."""
        start = self._default_start(mid) if start is None else start
        if start is None:
            return 0.0
        return float(money(self.by_id[mid], start, self.years)["local_budget"].sum())

    def preset(self, which: str) -> dict:
        """The choice of the draft as written (``plan``), the optimal one or the ranking."""
        return dict(self.result.portfolios()[which].starts)

    def normalise(self, starts: dict) -> dict:
        """The choice in the programme's order, checked: known measures, allowed starts,
        committed measures in at their start. Raises ValueError otherwise."""
        unknown = [mid for mid in starts if mid not in self.by_id]
        if unknown:
            raise ValueError(f"unknown measures: {', '.join(unknown)}")
        for mid, year in self.committed.items():
            if starts.get(mid) != year:
                raise ValueError(f"{mid} is committed: it stays in from {year}")
        for mid, year in starts.items():
            if year not in self._options[mid]:
                raise ValueError(f"{mid} cannot start in {year}")
        return {m.id: int(starts[m.id]) for m in self.programme.measures if m.id in starts}

    # --- the readouts -----------------------------------------------------------------------------

    def portfolio(self, starts: dict) -> Portfolio:
        return Portfolio(self.programme, self.space, self.normalise(starts), {}, "plan")

    def outputs(self, starts: dict) -> ProgrammeOutputs:
        p = self.portfolio(starts)
        left, gaps = p.left(), p.gaps()
        broken = [r for r in broken_rules(self.programme, self.space, p.starts) if r[0] != "why_budget"]
        return ProgrammeOutputs(p, left, p.local_need(), gaps, verdict(p, left, gaps), broken, p.indicators(),
                                p.beneficiaries(), p.later_obligations(), p.priority_total())

    # --- saving ---------------------------------------------------------------------------------

    def changes(self, starts: dict) -> dict:
        """The choice as a variant's ``changes``: ``{"measures": {id: {"start": year or None}}}``
        for every measure that differs from the draft; ``{}`` when nothing differs."""
        starts = self.normalise(starts)
        changed = {}
        for m in self.programme.measures:
            now, before = starts.get(m.id), self.draft.get(m.id)
            if now != before:
                changed[m.id] = {"start": now}
        return {"measures": changed} if changed else {}

    def variant_document(self, starts: dict, baseline_name: str, when: dt.datetime,
                         description: dict | None = None) -> dict | None:
        """The variant file (plain data) that makes ``starts`` the draft of the programme;
        None when nothing differs. Checked in memory: the merged file validates and its
        draft is exactly ``starts``."""
        changes = self.changes(starts)
        if not changes:
            return None
        self.check_variant(changes, starts)
        doc = {"variant_of": baseline_name, "baseline_sha256": self.result.sha256,
               "saved": when.isoformat(timespec="minutes")}
        if description:
            doc["description"] = description
        doc["changes"] = changes
        return doc

    def check_variant(self, changes: dict, starts: dict):
        from okmo_models.programme.checks import check
        from okmo_models.scenario.loader import read_data, validate_with
        from okmo_models.scenario.variants import apply_changes

        path = Path(self.result.path)
        merged = apply_changes(read_data(path)[0], changes)
        programme = validate_with(Programme, check, merged, path)
        draft = {m.id: m.start for m in programme.measures if m.start is not None}
        if draft != self.normalise(starts):
            raise ValueError(f"the variant's draft {draft} is not the choice {starts}")

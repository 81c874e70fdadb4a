"""Outlier rules, read from ``rules.yaml`` beside this module: each threshold is data, with
its value, unit and why (see the file), never a constant in a function."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

import yaml

from okmo_models.compare.rows import FIGURES
from okmo_models.compare.stats import Stat, group_key, peer_groups, value

TESTS = ("above_median_times", "below_median_times", "above", "below")
_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


@dataclass(frozen=True)
class Rule:
    id: str
    table: str
    figure: str
    test: str
    value: float
    unit: str
    peers: str
    min_peers: int
    source: dict  # {ru, ky, en}

    @property
    def relative(self) -> bool:
        return self.test.endswith("median_times")


@dataclass(frozen=True)
class Outlier:
    """A figure of one row that a rule flags."""

    row: object  # the row (a mapping) flagged
    rule: Rule
    value: float
    unit: str
    median: float | None  # of the rule's peers (None for a fixed level)
    threshold: float  # in the figure's unit: median x factor, or the fixed level

    @property
    def ratio(self) -> float | None:
        return self.value / self.median if self.median else None


def parse_rules(data: dict) -> tuple[Rule, ...]:
    """Rules from the YAML's data; a rule that names an unknown table, figure, test or peer
    group is refused here (a mistake in the data file is a bug, found by the tests)."""
    out = []
    for r in data["rules"]:
        rule = Rule(id=r["id"], table=r["table"], figure=r["figure"], test=r["test"], value=float(r["value"]),
                    unit=r["unit"], peers=r["peers"], min_peers=int(r["min_peers"]), source=dict(r["source"]))
        if (rule.table not in FIGURES or rule.figure not in FIGURES[rule.table] or rule.test not in TESTS
                or rule.peers not in peer_groups(rule.table) or set(rule.source) != {"ru", "ky", "en"}):
            raise ValueError(f"compare/rules.yaml: rule {rule.id!r} is not valid")
        out.append(rule)
    if len({r.id for r in out}) != len(out):
        raise ValueError("compare/rules.yaml: two rules have the same id")
    return tuple(out)


@lru_cache(maxsize=1)
def default_rules() -> tuple[Rule, ...]:
    text = resources.files("okmo_models.compare").joinpath("rules.yaml").read_text("utf-8")
    return parse_rules(yaml.load(text, Loader=_LOADER))


def outliers(rows, stats: tuple[Stat, ...], rules: tuple[Rule, ...]) -> tuple[Outlier, ...]:
    """Every (row, rule) where the rule flags the row's figure; variants are not judged."""
    index = {(s.table, s.figure, s.peers, s.key): s for s in stats}
    out = []
    for rule in rules:
        for r in rows:
            x = value(r, rule.figure)
            if r["table"] != rule.table or r["variant"] or x is None:
                continue
            stat = index.get((rule.table, rule.figure, rule.peers, group_key(r, rule.peers)))
            if stat is None or stat.n < rule.min_peers:
                continue
            threshold = rule.value * stat.median if rule.relative else rule.value
            flagged = x > threshold if rule.test.startswith("above") else x < threshold
            if flagged:
                out.append(Outlier(r, rule, x, stat.unit, stat.median if rule.relative else None, threshold))
    return tuple(out)

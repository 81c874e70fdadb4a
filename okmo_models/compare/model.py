"""Many municipalities compared: every plan file of some folders computed into a row, the
peers' statistics, each municipality's position and the outliers (see docs/compare.md)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from types import MappingProxyType

from okmo_models.compare.rows import BUDGET_TABLE, PROGRAMME_TABLE, TABLES, TARIFF_TABLE, Item, compute_item
from okmo_models.compare.rules import Outlier, Rule, default_rules, outliers
from okmo_models.compare.stats import (QUANTILE_METHOD, Position, Stat, figures, group_key, peer_groups, peer_stats,
                                       position)
from okmo_models.compare.stats import value as figure_value
from okmo_models.i18n import default_language, t
from okmo_models.provenance import InputFile, Provenance, shown

JSON_SCHEMA = "okmo-compare/1"


@dataclass(frozen=True)
class FailedFile:
    """A file that could not be computed, with its problem (an error that renders itself)."""

    file: Path
    kind: str | None  # None: not even its kind could be read
    error: object

    def message(self, lang: str | None = None) -> str:
        render = getattr(self.error, "render", None)
        return render(lang) if render is not None else str(self.error)


@dataclass(frozen=True)
class Skipped:
    """A plan file of a kind that is not compared (passport, economic base, monitoring)."""

    file: Path
    kind: str

    def message(self, lang: str | None = None) -> str:
        return t("cmp_skipped_kind", lang, kind=t("mu_kind_" + self.kind, lang))


def find_files(paths: Iterable[str | Path]) -> list[Path]:
    """The plan files of ``paths`` (:func:`okmo_models.kinds.plan_files_in`)."""
    from okmo_models.kinds import plan_files_in

    return [f for f, _ in plan_files_in(paths)]


def _kind(path: Path):
    """(kind name, None) or (None, the error that says why the kind cannot be read)."""
    from okmo_models.errors import OkmoError
    from okmo_models.kinds import kind_of

    try:
        return kind_of(path).name, None
    except OkmoError as exc:
        return None, exc


def compare(paths: Iterable[str | Path], *, executor: str = "serial", scheduler: str | None = None,
            workers: int | None = None, progress=None, rules: tuple[Rule, ...] | None = None,
            chunk_size: int | None = None) -> Comparison:
    """Compare the tariff, budget and programme files under ``paths`` (folders searched
    recursively, or files). Each file is computed by :func:`~okmo_models.compare.rows.compute_row`
    (sent as ``compute_item(Item(path, kind, root))``) through
    :func:`okmo_models.executors.run` (``executor``: serial, process, dask, or auto: serial
    for two files or fewer, else process; ``scheduler``: a Dask address or "local", which
    means Dask). Remote Dask workers read the files by the same absolute paths. A file that
    fails is kept in ``failures`` with its message, in the order found; nothing found is
    dropped."""
    from okmo_models.executors import resolve, run
    from okmo_models.kinds import plan_files_in

    files = plan_files_in(paths)
    to_compute, failures, skipped = [], [], []
    for f, root in files:
        kind, error = _kind(f)
        if error is not None:
            failures.append(FailedFile(f, None, error))
        elif kind in TABLES:
            to_compute.append((f, kind, root))
        else:
            skipped.append(Skipped(f, kind))
    executor = resolve(executor, scheduler, len(to_compute))
    items = [Item(str(f), kind, str(root.resolve())) for f, kind, root in to_compute]
    outcomes = run(compute_item, items, executor=executor, scheduler=scheduler, workers=workers,
                   progress=progress, chunk_size=chunk_size)
    rows = []
    for (f, kind, _), outcome in zip(to_compute, outcomes):
        if outcome.error is not None:
            failures.append(FailedFile(f, kind, outcome.error))
        else:
            rows.append(_frozen_row(outcome.value))
    order = {f: i for i, (f, _) in enumerate(files)}
    failures.sort(key=lambda x: order[x.file])
    return build(rows, failures, skipped, len(files), rules)


def _frozen_row(row: dict):
    return MappingProxyType({k: (MappingProxyType(v) if isinstance(v, dict) else v) for k, v in row.items()})


def build(rows, failures=(), skipped=(), found: int | None = None,
          rules: tuple[Rule, ...] | None = None) -> Comparison:
    """A :class:`Comparison` of rows already computed (``compute_row``'s dicts)."""
    rows = tuple(r if isinstance(r, MappingProxyType) else _frozen_row(r) for r in rows)
    rules = default_rules() if rules is None else tuple(rules)
    stats = tuple(s for table in (TARIFF_TABLE, BUDGET_TABLE, PROGRAMME_TABLE) for s in peer_stats(table, rows))
    inputs = tuple(InputFile("plan", Path(r["file"]), r["sha256"]) for r in rows)
    failures, skipped = tuple(failures), tuple(skipped)
    return Comparison(rows=rows, stats=stats, outliers=outliers(rows, stats, rules), failures=failures,
                      skipped=skipped, provenance=Provenance(JSON_SCHEMA, inputs), rules=rules,
                      found=len(rows) + len(failures) + len(skipped) if found is None else found)


@dataclass(frozen=True)
class Comparison:
    """Rows (read-only mappings, the fields of docs/compare.md), the peers' statistics, the
    outliers, the files that failed or are of a kind not compared, and the provenance."""

    rows: tuple
    stats: tuple[Stat, ...]
    outliers: tuple[Outlier, ...]
    failures: tuple[FailedFile, ...]
    skipped: tuple[Skipped, ...]
    provenance: Provenance
    rules: tuple[Rule, ...]
    found: int  # files found: rows + failures + skipped

    def table_rows(self, table: str) -> tuple:
        return tuple(r for r in self.rows if r["table"] == table)

    @property
    def tariff_rows(self) -> tuple:
        return self.table_rows(TARIFF_TABLE)

    @property
    def budget_rows(self) -> tuple:
        return self.table_rows(BUDGET_TABLE)

    @property
    def programme_rows(self) -> tuple:
        return self.table_rows(PROGRAMME_TABLE)

    @cached_property
    def _stat_index(self) -> dict:
        return {(s.table, s.figure, s.peers, s.key): s for s in self.stats}

    @cached_property
    def _peer_index(self) -> dict:
        """(table, figure, peers, group key) -> the peers' known values, sorted."""
        index: dict = {}
        for r in self.rows:
            if r["variant"]:
                continue
            for figure in figures(r["table"], [r]):
                x = figure_value(r, figure)
                if x is None:
                    continue
                for peers in peer_groups(r["table"]):
                    index.setdefault((r["table"], figure, peers, group_key(r, peers)), []).append(x)
        return {k: sorted(v) for k, v in index.items()}

    @cached_property
    def _outliers_by_row(self) -> dict:
        out: dict = {}
        for o in self.outliers:
            out.setdefault(id(o.row), []).append(o)
        return out

    def stat(self, row, figure: str, peers: str | None = None) -> Stat | None:
        """The statistics of ``figure`` among ``row``'s peers (default: the widest group:
        the service's, or all)."""
        peers = peers or peer_groups(row["table"])[0]
        return self._stat_index.get((row["table"], figure, peers, group_key(row, peers)))

    def peer_values(self, row, figure: str, peers: str | None = None) -> list[float]:
        """The figure of every peer of ``row`` in the group (variants left out), sorted."""
        peers = peers or peer_groups(row["table"])[0]
        return list(self._peer_index.get((row["table"], figure, peers, group_key(row, peers)), ()))

    def position(self, row, figure: str, peers: str | None = None) -> Position | None:
        """``row``'s place among its peers for ``figure``; None when the figure is unknown or
        the row is a variant (not among the peers)."""
        x = figure_value(row, figure)
        stat = self.stat(row, figure, peers)
        if x is None or row["variant"] or stat is None:
            return None
        peers = peers or peer_groups(row["table"])[0]
        values = self._peer_index[(row["table"], figure, peers, group_key(row, peers))]
        return position(x, values, stat)

    def row_outliers(self, row) -> tuple[Outlier, ...]:
        return tuple(self._outliers_by_row.get(id(row), ()))

    def tables(self, lang: str | None = None):
        """The comparison as DataFrames, columns named by id (docs/compare.md; headings in
        words: :func:`okmo_models.compare.labels.heading`): tariffs, budgets, programmes,
        stats, positions, outliers, failures."""
        from okmo_models.compare.frames import tables

        return tables(self, lang or default_language())

    def to_dict(self, lang: str | None = None) -> dict:
        """The JSON contract ``okmo-compare/1`` (docs/compare.md)."""
        from okmo_models.compare.frames import row_dict, rule_dict, stat_dict

        lang = lang or default_language()
        return {
            **self.provenance.to_dict(lang),
            "language": lang,
            "quantile_method": QUANTILE_METHOD,
            "rules": [rule_dict(r, lang) for r in self.rules],
            **{table: [row_dict(self, r, lang) for r in self.table_rows(table)]
               for table in (TARIFF_TABLE, BUDGET_TABLE, PROGRAMME_TABLE)},
            "stats": [stat_dict(s, lang) for s in self.stats],
            "outliers": [outlier_dict(o, lang) for o in self.outliers],
            "failures": [{"file": shown(f.file), "kind": f.kind, "message": f.message(lang)} for f in self.failures],
            "skipped": [{"file": shown(s.file), "kind": s.kind, "message": s.message(lang)} for s in self.skipped],
            "counts": {"found": self.found, "rows": len(self.rows), "failures": len(self.failures),
                       "skipped": len(self.skipped)},
        }


def outlier_dict(o: Outlier, lang: str) -> dict:
    from okmo_models.compare.labels import outlier_text, text_in

    return {"table": o.rule.table, "file": shown(Path(o.row["file"])),
            "municipality": text_in(o.row["municipality"], lang),
            "figure": o.rule.figure, "value": o.value, "unit": o.unit, "rule": o.rule.id, "median": o.median,
            "ratio": o.ratio, "threshold": o.threshold, "text": outlier_text(o, lang)}

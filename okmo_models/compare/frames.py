"""The comparison as plain data and DataFrames in the reader's language: the JSON's rows,
statistics and rules, and the tables every output (text, CSV, workbook, PDF) draws on."""

from __future__ import annotations

from pathlib import Path

from okmo_models.compare.labels import (figure_label, kind_text, missing_text, outlier_text, peers_label, region_text,
                                        service_label, text_in)
from okmo_models.compare.rows import BUDGET_TABLE, PROGRAMME_TABLE, TARIFF_TABLE
from okmo_models.compare.stats import figures, peer_groups, region_key
from okmo_models.compare.stats import value as figure_value
from okmo_models.i18n import t
from okmo_models.provenance import shown, source_text

# the columns of each table of rows, after the common ones (file, municipality, region)
TARIFF_COLUMNS = ("service", "service_label", "year", "category", "category_label", "base_unit",
                  "household_bill_som", "tariff_per_base_unit_som", "proposed_tariff_som", "proposed_unit",
                  "current_tariff_som", "cost_per_base_unit_som", "requirement_per_base_unit_som",
                  "requirement_som", "collection_rate", "cost_recovery_current", "cost_recovery_proposed",
                  "affordability_share_above", "affordability_threshold", "subsidy_som", "budget_discounts_som",
                  "residents", "subsidy_per_resident_som")
BUDGET_COLUMNS = ("year", "revenue_som", "own_revenue_som", "own_revenue_share", "expenditure_som", "residents",
                  "residents_from", "revenue_per_resident_som", "expenditure_per_resident_som")
PROGRAMME_COLUMNS = ("first_year", "last_year", "measures", "cost_som", "beneficiaries", "cost_per_beneficiary_som")
COLUMNS = {TARIFF_TABLE: TARIFF_COLUMNS, BUDGET_TABLE: BUDGET_COLUMNS, PROGRAMME_TABLE: PROGRAMME_COLUMNS}
COMMON = ("file", "municipality", "region")
TAIL = ("variant", "outliers", "missing")


def rule_dict(rule, lang: str) -> dict:
    return {"id": rule.id, "table": rule.table, "figure": rule.figure, "test": rule.test, "value": rule.value,
            "unit": rule.unit, "peers": rule.peers, "min_peers": rule.min_peers,
            "source": source_text(rule.source, lang)}


def stat_dict(s, lang: str) -> dict:
    return {"table": s.table, "figure": s.figure, "unit": s.unit, "peers": s.peers, "service": s.service,
            "base_unit": s.base_unit, "region_key": s.region_key,
            "region": (text_in(s.region, lang) or (t_region_not_stated(lang) if s.peers.endswith("region") else None)),
            "n": s.n, "median": s.median, "q1": s.q1, "q3": s.q3, "min": s.min, "max": s.max}


def t_region_not_stated(lang: str) -> str:
    return t("cmp_region_not_stated", lang)


def _plain(v):
    return dict(v) if hasattr(v, "keys") else v


def row_dict(c, row, lang: str) -> dict:
    """A row of the JSON (docs/compare.md): its figures as computed, texts in ``lang``, the
    reasons of missing figures, its positions among peers and the rules that flag it."""
    out = {k: _plain(v) for k, v in row.items()}
    out.update(file=shown(Path(row["file"])), folder=shown(Path(row["folder"])),
               municipality=text_in(row["municipality"], lang),
               region=region_text(row, lang), region_key=region_key(row),
               missing={k: {"reason": key, "text": missing_text(key, lang)} for k, key in row["missing"].items()})
    if row["table"] == TARIFF_TABLE:
        out.update(service_label=service_label(row["service"], lang),
                   category_label=text_in(row["category_label"], lang))
    positions = {}
    if not row["variant"]:
        for figure in figures(row["table"], [row]):
            by_group = {}
            for peers in peer_groups(row["table"]):
                p = c.position(row, figure, peers)
                if p is not None:
                    by_group[peers] = {"rank": p.rank, "n": p.n, "quartile": p.quartile}
            if by_group:
                positions[figure] = by_group
    out["positions"] = positions
    out["outliers"] = [o.rule.id for o in c.row_outliers(row)]
    return out


def _cells(c, row, table: str, lang: str) -> dict:
    d = {"file": shown(Path(row["file"])), "municipality": text_in(row["municipality"], lang),
         "region": region_text(row, lang)}
    for col in COLUMNS[table]:
        if col == "service_label":
            d[col] = service_label(row["service"], lang)
        elif col == "category_label":
            d[col] = text_in(row["category_label"], lang)
        elif col == "residents_from":  # where the count came from, in words
            d[col] = t("cmp_residents_from_" + row[col], lang) if row.get(col) else None
        else:
            d[col] = row.get(col)
    if table == BUDGET_TABLE:
        for figure in figures(BUDGET_TABLE, c.budget_rows):
            if figure.startswith("spending_per_resident_som."):
                d[figure] = figure_value(row, figure)
    d["variant"] = bool(row["variant"])
    d["outliers"] = "; ".join(outlier_text(o, lang) for o in c.row_outliers(row))
    d["missing"] = "; ".join(f"{figure_label(k, lang)}: {missing_text(key, lang)}" for k, key in row["missing"].items())
    return d


def tables(c, lang: str) -> dict:
    """DataFrames (columns named by id; :func:`okmo_models.compare.labels.heading` gives the
    words): ``tariffs``, ``budgets``, ``programmes`` (a row per file), ``stats`` (a row per
    figure and peer group), ``positions`` (a row per file, figure and peer group),
    ``outliers``, ``failures`` (files that could not be computed) and ``skipped`` (files of a
    kind not compared)."""
    import pandas as pd

    out = {}
    for table in (TARIFF_TABLE, BUDGET_TABLE, PROGRAMME_TABLE):
        rows = c.table_rows(table)
        extra = [f for f in figures(table, rows) if f.startswith("spending_per_resident_som.")] if rows else []
        columns = [*COMMON, *COLUMNS[table], *extra, *TAIL]
        out[table] = pd.DataFrame([_cells(c, r, table, lang) for r in rows], columns=columns)
    out["stats"] = pd.DataFrame([{
        "table": s.table, "figure_id": s.figure, "figure": figure_label(s.figure, lang), "unit": s.unit,
        "peers_id": s.peers, "peers": peers_label(s.peers, lang),
        "service_label": service_label(s.service, lang) if s.service else None, "base_unit": s.base_unit,
        "region": stat_dict(s, lang)["region"], "n": s.n, "q1": s.q1, "median": s.median, "q3": s.q3,
        "min": s.min, "max": s.max} for s in c.stats],
        columns=["table", "figure_id", "figure", "unit", "peers_id", "peers", "service_label", "base_unit", "region",
                 "n", "q1", "median", "q3", "min", "max"])
    positions = []
    words = {}  # a figure's and a peer group's words, looked up once (a national table has 20 000 rows)
    for row in c.rows:
        if row["variant"]:
            continue
        common = {"table": row["table"], "file": shown(Path(row["file"])),
                  "municipality": text_in(row["municipality"], lang), "region": region_text(row, lang),
                  "service_label": service_label(row["service"], lang) if row["table"] == TARIFF_TABLE else None}
        for figure in figures(row["table"], [row]):
            for peers in peer_groups(row["table"]):
                p = c.position(row, figure, peers)
                if p is None:
                    continue
                s = c.stat(row, figure, peers)
                if (figure, peers) not in words:
                    words[figure, peers] = (figure_label(figure, lang), peers_label(peers, lang))
                positions.append({
                    **common, "figure_id": figure, "figure": words[figure, peers][0], "peers_id": peers,
                    "peers": words[figure, peers][1], "value": figure_value(row, figure), "unit": s.unit,
                    "rank": p.rank, "n": p.n, "quartile": p.quartile, "q1": s.q1, "median": s.median, "q3": s.q3})
    out["positions"] = pd.DataFrame(positions, columns=[
        "table", "file", "municipality", "region", "service_label", "figure_id", "figure", "peers_id", "peers", "value",
        "unit", "rank", "n", "quartile", "q1", "median", "q3"])
    out["outliers"] = pd.DataFrame([{
        "table": o.rule.table, "file": shown(Path(o.row["file"])), "municipality": text_in(o.row["municipality"], lang),
        "region": region_text(o.row, lang), "figure_id": o.rule.figure, "figure": figure_label(o.rule.figure, lang),
        "value": o.value, "unit": o.unit, "median": o.median, "ratio": o.ratio, "threshold": o.threshold,
        "rule": o.rule.id, "reason": outlier_text(o, lang), "source": source_text(o.rule.source, lang)}
        for o in c.outliers],
        columns=["table", "file", "municipality", "region", "figure_id", "figure", "value", "unit", "median", "ratio",
                 "threshold", "rule", "reason", "source"])
    out["failures"] = pd.DataFrame([{"file": shown(f.file), "kind": kind_text(f.kind, lang), "message": f.message(lang)}
                                    for f in c.failures], columns=["file", "kind", "message"])
    out["skipped"] = pd.DataFrame([{"file": shown(s.file), "kind": kind_text(s.kind, lang), "message": s.message(lang)}
                                   for s in c.skipped], columns=["file", "kind", "message"])
    return out

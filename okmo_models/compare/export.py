"""The comparison as text (the terminal), JSON (the contract ``okmo-compare/1``) and CSV (one
tidy table, a figure a line), each in the reader's language."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

from okmo_models.compare.labels import (figure_label, heading, missing_text, outlier_text, region_text, service_label,
                                        shown_value, text_in)
from okmo_models.compare.rows import (BUDGET_FIGURES, BUDGET_TABLE, OTHER_FIGURES, PROGRAMME_FIGURES, PROGRAMME_TABLE,
                                      TARIFF_FIGURES, TARIFF_TABLE)
from okmo_models.compare.stats import figures, group_key, peer_groups, unit
from okmo_models.compare.stats import value as figure_value
from okmo_models.formatting import format_unit
from okmo_models.i18n import has, t
from okmo_models.provenance import shown
from okmo_models.tables import text_table

# the figures of the text tables, in their order (a budget's lines are in the JSON, CSV, workbook)
TEXT_FIGURES = {TARIFF_TABLE: tuple(TARIFF_FIGURES), BUDGET_TABLE: tuple(BUDGET_FIGURES),
                PROGRAMME_TABLE: tuple(PROGRAMME_FIGURES)}


def to_json(comparison, lang: str) -> str:
    return json.dumps(comparison.to_dict(lang), ensure_ascii=False, indent=2) + "\n"


def to_csv(comparison, lang: str) -> str:
    """One tidy table: a line per row and figure, with the peers' statistics (the widest
    group: the service's, or all), the row's rank and quartile, and the rules that flag it;
    then a line per file that failed or is not compared (dot decimals, for scripts)."""
    from okmo_models import csv_cells

    c = comparison
    out = io.StringIO()
    w = csv_cells.safe_writer(csv.writer(out, lineterminator="\n"))
    w.writerow(["table", "file", "municipality", "region", "service", "base_unit", "year", "figure", "unit", "value",
                "missing", "peers_n", "median", "q1", "q3", "rank", "quartile", "outlier"])
    for row in c.rows:
        table = row["table"]
        flagged = {}
        for o in c.row_outliers(row):
            flagged.setdefault(o.rule.figure, []).append(outlier_text(o, lang))
        names = [*figures(table, [row]), *OTHER_FIGURES[table]]
        for figure in names:
            x = figure_value(row, figure)
            stat = c.stat(row, figure) if not row["variant"] else None
            p = c.position(row, figure)
            reason = row["missing"].get(figure)
            w.writerow([table, shown(Path(row["file"])), text_in(row["municipality"], lang), region_text(row, lang),
                        row.get("service", ""), row.get("base_unit", ""),
                        row.get("year", row.get("first_year", "")), figure, unit(table, figure, row),
                        "" if x is None else x, missing_text(reason, lang) if reason else "",
                        *(("", "", "", "") if stat is None else (stat.n, stat.median, stat.q1, stat.q3)),
                        *(("", "") if p is None else (p.rank, p.quartile)), "; ".join(flagged.get(figure, []))])
    for f in c.failures:
        w.writerow(["failure", shown(f.file), "", "", "", "", "", "", "", "", f.message(lang), *[""] * 7])
    for s in c.skipped:
        w.writerow(["skipped", shown(s.file), "", "", "", "", "", "", "", "", s.message(lang), *[""] * 7])
    return out.getvalue()


def _position_text(c, row, figure: str, lang: str) -> str:
    p = c.position(row, figure)
    if p is None:
        return t("cmp_variant_mark", lang) if row["variant"] else "—"
    return t("cmp_position", lang, rank=p.rank, n=p.n, quartile=p.quartile)


def _rows_table(c, rows, table: str, lang: str, per: str | None = None) -> list[str]:
    """A text table of ``rows``: municipality, region, year, the figures, the position by the
    first figure of interest, a mark for a row that stands out."""
    shown_figures = TEXT_FIGURES[table]
    key_figure = {TARIFF_TABLE: "cost_per_base_unit_som", BUDGET_TABLE: "revenue_per_resident_som",
                  PROGRAMME_TABLE: "cost_per_beneficiary_som"}[table]
    headers = [heading("municipality", lang), heading("region", lang), heading("year" if table != PROGRAMME_TABLE
                                                                                 else "first_year", lang),
               *(t("cmp_short_" + f, lang) if has("cmp_short_" + f) else figure_label(f, lang) for f in shown_figures),
               t("cmp_short_position", lang),
               heading("outliers", lang)]
    body = []
    for row in rows:
        marks = len(c.row_outliers(row))
        body.append([text_in(row["municipality"], lang), region_text(row, lang),
                     str(row.get("year", row.get("first_year", ""))),
                     *(shown_value(f, figure_value(row, f), lang) for f in shown_figures),
                     _position_text(c, row, key_figure, lang), "*" * marks])
    right = range(2, 3 + len(shown_figures) + 1)
    return text_table(headers, body, right=right)


def _stats_table(c, table: str, key: tuple | None, lang: str) -> list[str]:
    peers = peer_groups(table)[0]
    stats = [s for s in c.stats if s.table == table and s.peers == peers and (key is None or s.key == key)]
    body = [[figure_label(s.figure, lang), str(s.n), shown_value(s.figure, s.q1, lang),
             shown_value(s.figure, s.median, lang), shown_value(s.figure, s.q3, lang)] for s in stats]
    return text_table([heading("figure", lang), heading("n", lang), heading("q1", lang), heading("median", lang),
                       heading("q3", lang)], body, right=(1, 2, 3, 4))


def to_text(comparison, lang: str) -> str:
    """The comparison for the terminal: per service (and unit) the tariffs with the peers'
    quartiles, then budgets and programmes, what stands out and why, figures not available,
    and the files that could not be computed."""
    c = comparison
    out = [t("cmp_title", lang), t("cmp_counts", lang, found=c.found, rows=len(c.rows), failures=len(c.failures),
                                     skipped=len(c.skipped)), ""]
    tariffs = c.tariff_rows
    groups: dict[tuple, list] = {}
    for row in tariffs:
        groups.setdefault(group_key(row, "service"), []).append(row)
    for key in sorted(groups):
        service, base = key
        out += [t("cmp_tariffs_title", lang, service=service_label(service, lang), unit=format_unit(base, lang)), ""]
        out += _rows_table(c, groups[key], TARIFF_TABLE, lang) + [""]
        out += [t("cmp_stats_title", lang)] + _stats_table(c, TARIFF_TABLE, key, lang) + [""]
    for table, title in ((BUDGET_TABLE, "cmp_budgets_title"), (PROGRAMME_TABLE, "cmp_programmes_title")):
        rows = c.table_rows(table)
        if rows:
            out += [t(title, lang), ""] + _rows_table(c, rows, table, lang) + [""]
            out += [t("cmp_stats_title", lang)] + _stats_table(c, table, (), lang) + [""]
    out += [t("cmp_outliers_title", lang)]
    out += [f"* {text_in(o.row['municipality'], lang)} ({shown(Path(o.row['file']))}): {outlier_text(o, lang)}"
            for o in c.outliers] or [t("cmp_none", lang)]
    out += ["", heading("missing", lang)]
    missing = []
    for row in c.rows:
        reasons = [f"{figure_label(k, lang)} — {missing_text(v, lang)}" for k, v in row["missing"].items()
                   if k in TEXT_FIGURES[row["table"]]]
        if reasons:
            missing.append(f"{shown(Path(row['file']))}: " + "; ".join(reasons))
    out += missing or [t("cmp_none", lang)]
    if c.failures:
        out += ["", t("cmp_failures_title", lang)] + [f"{shown(f.file)}: {f.message(lang)}" for f in c.failures]
    if c.skipped:
        out += ["", t("cmp_skipped_title", lang)] + [f"{shown(s.file)}: {s.message(lang)}" for s in c.skipped]
    out += ["", t("cmp_text_legend", lang), t("cmp_quantile_note", lang)]
    return "\n".join(out) + "\n"


FORMATS = ("text", "json", "csv", "xlsx")
# the workbook is an output above this layer: named here, imported when asked for (as kinds.py does)
WORKBOOK = "okmo_models.excel.comparison:comparison_workbook"


def export(comparison, fmt: str, lang: str) -> str | bytes:
    """The comparison in ``fmt`` (one of :data:`FORMATS`; "table" is taken as "text", as the
    other commands name it), in the reader's language; a workbook as bytes."""
    if fmt == "xlsx":
        import importlib

        module, _, name = WORKBOOK.partition(":")
        return getattr(importlib.import_module(module), name)(comparison, lang)
    return {"text": to_text, "table": to_text, "json": to_json, "csv": to_csv}[fmt](comparison, lang)

"""The comparison of many municipalities as a PDF (``okmo compare FOLDER... --format pdf``),
and the section "tariffs of comparable municipalities" of a tariff justification.

A comparison is not a kind of plan file, but its report is built as one: :func:`comparison_kind`
gives the build what it asks of a :class:`~okmo_models.kinds.PlanKind` (the notebook's name,
this module, the title, the checks), and :func:`read` gives the notebook its
:class:`~okmo_models.report.blocks.Document`.

Every figure comes from :meth:`okmo_models.compare.Comparison.to_dict` (the JSON contract
``okmo-compare/1``, docs/compare.md): the same numbers as ``okmo compare --format json``,
formatted with :mod:`okmo_models.formatting` (no-break spaces between thousands). The report
computes no figure of its own: medians, quartiles, ranks and outliers are the comparison's.
The notebook (compare_report) only displays what these functions return.
"""

from __future__ import annotations

import datetime as dt
import re
import sys
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import NamedTuple

from okmo_models.formatting import format_number, format_percent, format_unit
from okmo_models.i18n import t
from okmo_models.report import blocks
from okmo_models.report.blocks import e, figure, table
from okmo_models.report.budget_sections import grid
from okmo_models.scenario.schema import LocalText
from okmo_models.version import __version__

TARIFFS, BUDGETS, PROGRAMMES = "tariffs", "budgets", "programmes"
# the tariff figures in the order the tables give them; "base" is the tariff's base unit
MONEY_FIGURES = ("household_bill_som", "tariff_per_base_unit_som", "cost_per_base_unit_som",
                 "requirement_per_base_unit_som", "subsidy_per_resident_som")
SHARE_FIGURES = ("collection_rate", "cost_recovery_current", "cost_recovery_proposed", "affordability_share_above")
POSITION_FIGURES = ("household_bill_som", "tariff_per_base_unit_som", "cost_per_base_unit_som",
                    "cost_recovery_proposed", "collection_rate")
BAND_FIGURES = ("household_bill_som", "tariff_per_base_unit_som", "cost_per_base_unit_som")
UNITS = {"household_bill_som": "som/month", "tariff_per_base_unit_som": "som/{base}",
         "cost_per_base_unit_som": "som/{base}", "requirement_per_base_unit_som": "som/{base}",
         "subsidy_per_resident_som": "som/person/year", "revenue_per_resident_som": "som/person/year",
         "expenditure_per_resident_som": "som/person/year", "cost_per_beneficiary_som": "som/person"}
CHARTS_UP_TO = 12  # a chart for each municipality only while the document stays readable


# --- what the build and the notebook are given ---------------------------------------------------


class Compared:
    """A comparison and its ``to_dict`` in each language asked (computed once per language)."""

    def __init__(self, comparison):
        self.comparison = comparison
        self._data: dict[str, dict] = {}

    def data(self, lang: str) -> dict:
        if lang not in self._data:
            self._data[lang] = self.comparison.to_dict(lang)
        return self._data[lang]

    @property
    def provenance(self):
        return self.comparison.provenance


@dataclass(frozen=True)
class Plan:
    """The comparison as the build reads a file: the title names how many municipalities."""

    compared: Compared

    @property
    def municipality(self):
        return _Counted("cmr_many", len(municipalities(self.compared.data("ru"))))

    def has_budgets(self) -> bool:
        """Whether budget or programme files were found (computed or not): as
        :meth:`Found.has_budgets` says from the files alone."""
        d = self.compared.data("ru")
        return bool(d[BUDGETS] or d[PROGRAMMES] or any(f["kind"] in ("budget", "programme") for f in d["failures"]))


@dataclass(frozen=True)
class Found:
    """What the build reads of a comparison before the notebook computes it: the plan files
    found and their kinds (cheap: no file is computed twice). The outline depends on no
    more than this, so the contents the build fills in match the notebook's sections."""

    kinds: tuple[str | None, ...]

    @property
    def municipality(self):
        return _Counted("cmr_files", len(self.kinds))

    def has_budgets(self) -> bool:
        return any(k in ("budget", "programme") for k in self.kinds)


@dataclass(frozen=True)
class _Counted:
    """What the comparison's stamp names in place of one municipality: ``count`` of them
    (``cmr_many``) or of files (``cmr_files``)."""

    key: str
    count: int
    region = None

    @property
    def name(self) -> LocalText:
        return LocalText(**{lang: t(self.key, lang, count=self.count) for lang in ("ru", "ky", "en")})


class Loaded(NamedTuple):
    model: Plan | Found


@dataclass(frozen=True)
class ComparisonReport:
    """What the report build asks of a kind (:class:`okmo_models.kinds.PlanKind`), for a
    comparison of ``paths`` (folders or files): its notebook is ``compare_report.ipynb``,
    given the same paths as its ``folders`` parameter (:meth:`parameters`)."""

    paths: tuple[str, ...] = ()
    name: str = "compare"
    report: str = __name__
    report_title: str = "cmr_title"

    def check(self, path) -> None:
        """Nothing more than :meth:`load` does: a file that cannot be computed is shown in the
        report (section "files that could not be computed"), as the comparison lists it."""

    def load(self, path) -> Loaded:
        """The files found and their kinds; the notebook computes them (once)."""
        from okmo_models.compare import find_files
        from okmo_models.errors import OkmoError
        from okmo_models.kinds import kind_of

        def kind(f):
            try:
                return kind_of(f).name
            except OkmoError:  # shown in the report as a file not computed
                return None

        return Loaded(Found(tuple(kind(f) for f in find_files(self.paths or (str(path),)))))

    def plan_year(self, plan) -> None:
        """A comparison spans many plans' years: its report is named without one."""

    def parameters(self) -> dict:
        """The notebook's parameters (besides ``scenario`` and ``lang``)."""
        return {"folders": list(self.paths)}


def comparison_kind(paths: Sequence[str | Path]) -> ComparisonReport:
    """The kind-like object of a comparison report of ``paths`` (for ``render_report(...,
    kind=..., parameters=kind.parameters())``)."""
    return ComparisonReport(tuple(str(Path(p).resolve()) for p in paths))


def render_comparison(paths: Sequence[str | Path], lang: str = "ru", output_dir: str | Path = "reports",
                      overwrite: bool = False, name: str = "comparison") -> Path:
    """The comparison of ``paths`` (folders or files) as a PDF, ``<output_dir>/<name>_<lang>.pdf``
    (what ``okmo compare PATHS --format pdf`` writes)."""
    from okmo_models.report.build import render_report

    kind = comparison_kind(paths)
    return render_report(Path(paths[0]), lang, output_dir, overwrite, name, kind=kind, parameters=kind.parameters())


def render_with_peers(path: str | Path, peers: Sequence[str | Path], lang: str = "ru",
                      output_dir: str | Path = "reports", overwrite: bool = False, name: str | None = None) -> Path:
    """A tariff justification with the section "tariffs of comparable municipalities" of
    ``peers`` (what ``okmo report TARIFF --peers FOLDER...`` writes)."""
    from okmo_models.kinds import kind_of
    from okmo_models.report.build import render_report

    plan = kind_of(path)
    if plan.name != "tariff":  # only a tariff has peers to be placed among
        from okmo_models.errors import Refusal

        raise Refusal("cmr_peers_tariff_only", file=Path(path).name, kind=t("mu_kind_" + plan.name, lang))
    kind = peers_kind(plan, peers)
    return render_report(path, lang, output_dir, overwrite, name, kind=kind, parameters=kind.parameters())


def _compare(paths):
    from okmo_models.compare import compare

    return compare([str(p) for p in paths])


def read(paths: str | Path | Sequence[str | Path]) -> blocks.Document:
    """The comparison report of ``paths`` (folders searched for plan files, or files)."""
    if isinstance(paths, (str, Path)):
        paths = [paths]
    compared = Compared(_compare(paths))
    return blocks.Document(sys.modules[__name__], compared, Plan(compared))


def outline(scenario) -> list[str]:
    """Message keys of the numbered sections: budgets and programmes only when compared."""
    keys = ["cmr_method", "cmr_tariffs", "cmr_position", "cmr_outliers", "cmr_failed"]
    return keys + (["cmr_budgets"] if scenario.has_budgets() else [])


def contents(scenario, lang: str, pages: dict | None = None) -> str:
    return blocks.contents(outline(scenario), lang, pages)


# --- small helpers -------------------------------------------------------------------------------


def municipalities(data: dict) -> set:
    """The municipalities compared (a name in a region), whatever plans they have."""
    return {(r["municipality"], r["region_key"]) for table_ in (TARIFFS, BUDGETS, PROGRAMMES) for r in data[table_]}


def unit_of(figure_: str, base_unit: str | None, lang: str) -> str:
    """A figure's unit in the reader's words (``сом/м³``); a share has none."""
    unit = UNITS.get(figure_)
    if unit is None:
        return "%"
    return format_unit(unit.replace("{base}", base_unit or ""), lang)


def value_text(figure_: str, value, lang: str) -> str:
    """A figure as printed: a share in per cent, money to the tyiyn."""
    if value is None:
        return "—"
    return format_percent(value, 1, lang) if _is_share(figure_) else format_number(value, 2, lang)


def _is_share(figure_: str) -> bool:
    return figure_ in SHARE_FIGURES or figure_.endswith("_share")


def figure_label(figure_: str, lang: str) -> str:
    """A figure's name (a budget's spending line by its line's own name)."""
    if figure_.startswith("spending_per_resident_som."):
        return t("cmr_fig_spending", lang, line=t("line_b_" + figure_.split(".", 1)[1], lang))
    return t("cmr_fig_" + figure_, lang)


def heading(figure_: str, base_unit: str | None, lang: str) -> str:
    """A column heading: the figure and its unit (``Себестоимость, сом/м³``)."""
    return f"{figure_label(figure_, lang)}, {unit_of(figure_, base_unit, lang)}"


def stats_index(data: dict) -> dict:
    """The comparison's statistics by (table, figure, peers, service, base unit, region key)."""
    return {(s["table"], s["figure"], s["peers"], s["service"], s["base_unit"], s["region_key"]): s
            for s in data["stats"]}


def tariff_groups(data: dict) -> list[tuple[str, str]]:
    """The (service, base unit) peer groups of the tariffs, in the order first met."""
    seen = []
    for r in data[TARIFFS]:
        if (r["service"], r["base_unit"]) not in seen:
            seen.append((r["service"], r["base_unit"]))
    return seen


def group_title(rows: list[dict], base_unit: str, lang: str) -> str:
    return f"{rows[0]['service_label']} ({t('cmr_per_unit', lang, unit=format_unit(base_unit, lang))})"


def row_name(r: dict, lang: str, group: Sequence[dict] = ()) -> str:
    """A row's municipality; with its tariff's category when the municipality has another
    tariff in ``group`` (a shared landfill beside the village's own collection); a what-if
    variant says so (it is shown, not counted)."""
    twice = sum(g["municipality"] == r["municipality"] for g in group) > 1
    return (r["municipality"] + (f" — {r['category_label']}" if twice and r.get("category_label") else "")
            + (f" ({t('cmr_variant', lang)})" if r["variant"] else ""))


def rank_text(p: dict | None, lang: str) -> str:
    """``2 из 5 (2-й кв.)``: the place (1 = the lowest value) and the quartile."""
    if not p:
        return "—"
    return t("cmr_rank", lang, rank=p["rank"], n=p["n"], quartile=p["quartile"])


def natural(text: str) -> tuple:
    """A name as a reader sorts it: "№ 2" before "№ 10".

    >>> sorted(["№ 10", "№ 2", "Ак-Суу"], key=natural)
    ['Ак-Суу', '№ 2', '№ 10']
    """
    return tuple((0, int(p), "") if p.isdigit() else (1, 0, p.casefold()) for p in re.split(r"(\d+)", text) if p)


def by_name(r: dict) -> tuple:
    return natural(r["municipality"]), r["variant"]


def file_label(file: str) -> str:
    """A file by its folder and name (``teploklyuchenka/waste.yaml``): enough to find it."""
    p = Path(file)
    return f"{p.parent.name}/{p.name}" if p.parent.name else p.name


# --- title page ----------------------------------------------------------------------------------


def title_page(result: Compared, lang: str) -> str:
    d = result.data(lang)
    regions = sorted({r["region"] for table_ in (TARIFFS, BUDGETS, PROGRAMMES) for r in d[table_]}, key=natural)
    return f"""<div class="title-page">
<p class="title-org">{e(t('cmr_many', lang, count=len(municipalities(d))))}</p>
<p class="title-region">{e('; '.join(regions) if len(regions) <= 6 else t('cmr_regions_count', lang, count=len(regions)))}</p>
<h1>{e(t('cmr_title', lang))}</h1>
<p class="title-service">{e(t('cmr_subtitle', lang))}</p>
<p class="title-period">{e(t('cmr_scope', lang, tariffs=len(d[TARIFFS]), budgets=len(d[BUDGETS]), programmes=len(d[PROGRAMMES])))}</p>
<p class="title-date">{e(dt.date.today().strftime('%d.%m.%Y'))}</p>
</div>"""


# --- 1. what is compared and how -----------------------------------------------------------------


def method(result: Compared, lang: str) -> str:
    d = result.data(lang)
    c = d["counts"]
    out = [f"<p>{e(t('cmr_method_files', lang, found=c['found'], tariffs=len(d[TARIFFS]), budgets=len(d[BUDGETS]), programmes=len(d[PROGRAMMES]), failures=c['failures'], skipped=c['skipped']))}</p>",
           f"<p>{e(t('cmr_method_figures', lang))}</p>",
           f"<p>{e(t('cmr_method_peers', lang))}</p>",
           f"<p>{e(t('cmr_method_quantiles', lang))}</p>",
           f"<p>{e(t('cmr_method_position', lang))}</p>"]
    if any(r["variant"] for table_ in (TARIFFS, BUDGETS, PROGRAMMES) for r in d[table_]):
        out.append(f"<p>{e(t('cmr_method_variants', lang))}</p>")
    rules = d["rules"]
    if rules:
        out.append(f"<h3>{e(t('cmr_rules_title', lang))}</h3>")
        rows = [[n, rule_text(r, lang), (t("cmr_min_peers", lang, n=r["min_peers"]) if r["min_peers"] > 1
                                      else t("cmr_always", lang)), r["source"] or "—"]
                for n, r in enumerate(rules, 1)]
        out.append(table(["№", t("cmr_col_rule", lang), t("cmr_col_applied", lang), t("cmr_col_source", lang)],
                         rows, numeric=(0,), css="small"))
    out.append(f"<p class=note>{e(t('cmr_method_sources', lang))}</p>")
    return "".join(out)


def rule_text(rule: dict, lang: str) -> str:
    """An outlier rule in words: the figure, the test and its threshold, the peers."""
    value, f = rule["value"], rule["figure"]
    if rule["test"].endswith("_times"):  # a factor of the median: "2", "0,5"
        shown = format_number(value, 0 if float(value).is_integer() else 1 if float(value * 10).is_integer() else 2, lang)
    else:  # a level in the figure's own unit
        shown = value_text(f, value, lang) + ("" if _is_share(f) else " " + unit_of(f, None, lang))
    return t("cmr_test_" + rule["test"], lang, figure=figure_label(rule["figure"], lang).lower(), value=shown,
             peers=t("cmr_peers_" + rule["peers"], lang))


# --- 2. tariffs by service -----------------------------------------------------------------------


def tariffs(result: Compared, lang: str) -> str:
    d = result.data(lang)
    if not d[TARIFFS]:
        return f"<p>{e(t('cmr_no_tariffs', lang))}</p>"
    index = stats_index(d)
    out = f"<p>{e(t('cmr_tariffs_intro', lang))}</p>"
    for service, base in tariff_groups(d):
        rows = sorted((r for r in d[TARIFFS] if (r["service"], r["base_unit"]) == (service, base)),
                      key=by_name)
        stats = {f: index.get((TARIFFS, f, "service", service, base, None)) for f in (*MONEY_FIGURES, *SHARE_FIGURES)}
        out += f"<h3>{e(group_title(rows, base, lang))}</h3>"
        out += _figure_table(rows, MONEY_FIGURES, stats, base, lang, year=True)
        out += _figure_table(rows, SHARE_FIGURES, stats, base, lang)
        out += _regions(index, service, base, lang)
        tariff_stat = stats["tariff_per_base_unit_som"]
        known = [(row_name(r, lang, rows), r["tariff_per_base_unit_som"]) for r in rows
                 if r["tariff_per_base_unit_som"] is not None]
        if len(known) > 1:
            out += figure(_svg(_ranked, known, tariff_stat, base, lang, rows[0]["service_label"]))
    return out


def _figure_table(rows, figures, stats, base, lang, year=False) -> str:
    """The rows' figures, then the median and quartiles of their peers (in bold)."""
    headers = [t("cmr_col_municipality", lang), *([t("cmr_col_year", lang)] if year else []),
               *(heading(f, base, lang) for f in figures)]
    body = [[row_name(r, lang, rows), *([str(r["year"])] if year else []),
             *(value_text(f, r[f], lang) for f in figures)] for r in rows]
    for key, stat_key in (("cmr_median", "median"), ("cmr_q1", "q1"), ("cmr_q3", "q3")):
        body.append([t(key, lang), *([""] if year else []),
                     *(value_text(f, stats[f][stat_key], lang) if stats[f] else "—" for f in figures)])
    return grid(headers, body, numeric=tuple(range(1, len(headers))), strong=tuple(range(len(rows), len(body))),
                widths={0: "22%"})


def _regions(index: dict, service: str, base: str, lang: str) -> str:
    """The medians of each region's tariffs of this service (when more than one region)."""
    stats = [s for s in index.values() if s["table"] == TARIFFS and s["peers"] == "service_region"
             and s["service"] == service and s["base_unit"] == base and s["figure"] == "tariff_per_base_unit_som"]
    if len(stats) < 2 or all(s["n"] < 2 for s in stats):  # one tariff a region: the table above says it all
        return ""
    rows = []
    for s in sorted(stats, key=lambda s: s["region"]):
        cost = index.get((TARIFFS, "cost_per_base_unit_som", "service_region", service, base, s["region_key"]))
        rows.append([s["region"], str(s["n"]), value_text(s["figure"], s["median"], lang),
                     value_text(s["figure"], s["q1"], lang), value_text(s["figure"], s["q3"], lang),
                     value_text("cost_per_base_unit_som", cost["median"], lang) if cost else "—"])
    unit = unit_of("tariff_per_base_unit_som", base, lang)
    return (f"<p>{e(t('cmr_regions_intro', lang, unit=unit))}</p>"
            + table([t("cmr_col_region", lang), t("cmr_col_n", lang), t("cmr_median", lang), t("cmr_q1", lang),
                     t("cmr_q3", lang), t("cmr_col_cost_median", lang)], rows, numeric=(1, 2, 3, 4, 5), css="small"))


def _svg(draw, *args, **kwargs) -> str:
    """A chart function's figure as inline SVG, drawn in the report's fonts."""
    with blocks.report_fonts():
        return blocks.svg(draw(*args, **kwargs))


def _ranked(known, stat, base, lang, service_label, own=None):
    from okmo_models.report.compare_charts import ranked_chart

    return ranked_chart(known, stat["median"] if stat else None, unit_of("tariff_per_base_unit_som", base, lang),
                        lang, own=own, title=f"{service_label}: {figure_label('tariff_per_base_unit_som', lang).lower()}")


# --- 3. each municipality's position -------------------------------------------------------------


def position(result: Compared, lang: str) -> str:
    d = result.data(lang)
    counted = [r for r in d[TARIFFS] if not r["variant"]]
    if not counted:
        return f"<p>{e(t('cmr_no_tariffs', lang))}</p>"
    index = stats_index(d)
    out = f"<p>{e(t('cmr_position_intro', lang))}</p>"
    charts = len(counted) <= CHARTS_UP_TO
    for service, base in tariff_groups(d):
        rows = sorted((r for r in counted if (r["service"], r["base_unit"]) == (service, base)),
                      key=by_name)
        if not rows:
            continue
        out += f"<h3>{e(group_title(rows, base, lang))}</h3>"
        body = [[row_name(r, lang, rows), *(rank_text(r["positions"].get(f, {}).get("service"), lang) for f in POSITION_FIGURES)]
                for r in rows]
        out += table([t("cmr_col_municipality", lang), *(figure_label(f, lang) for f in POSITION_FIGURES)], body,
                     numeric=tuple(range(1, len(POSITION_FIGURES) + 1)), css="small")
        if charts and len(rows) > 1:
            for r in rows:
                chart = band_chart(r, rows, index, lang, row_name(r, lang, rows))
                if chart:  # the name stays with its chart on one page
                    out += (f'<div style="break-inside: avoid; page-break-inside: avoid">'
                            f"<h4>{e(row_name(r, lang, rows))}</h4>{figure(chart)}</div>")
    if not charts:
        out += f"<p class=note>{e(t('cmr_no_charts', lang, count=CHARTS_UP_TO))}</p>"
    return out


def bands(row: dict, peers: list[dict], index: dict, lang: str):
    """The bands of :func:`~okmo_models.report.compare_charts.peer_bands_chart` for one tariff
    row among ``peers`` (the rows of its group): the comparison's median and quartiles."""
    from okmo_models.report.compare_charts import Band

    out = []
    for f in BAND_FIGURES:
        s = index.get((TARIFFS, f, "service", row["service"], row["base_unit"], None))
        values = tuple(p[f] for p in peers if p[f] is not None and not p["variant"])
        if len(values) < 2 or row[f] is None:  # a figure only it has, or it lacks: nothing to place
            continue
        out.append(Band(figure_label(f, lang), unit_of(f, row["base_unit"], lang), values,
                        s["median"] if s else None, s["q1"] if s else None, s["q3"] if s else None, row[f]))
    return out


def band_chart(row: dict, peers: list[dict], index: dict, lang: str, name: str | None = None) -> str:
    from okmo_models.report.compare_charts import peer_bands_chart

    found = bands(row, peers, index, lang)
    return _svg(peer_bands_chart, found, name or row["municipality"], lang) if found else ""


# --- 4. outliers ---------------------------------------------------------------------------------


def outliers(result: Compared, lang: str) -> str:
    d = result.data(lang)
    if not d["outliers"]:
        return f"<p>{e(t('cmr_no_outliers', lang))}</p>"
    rows_by_file = {(r["table"], r["file"]): r for table_ in (TARIFFS, BUDGETS, PROGRAMMES) for r in d[table_]}
    body = []
    for o in d["outliers"]:
        r = rows_by_file.get((o["table"], o["file"]), {})
        what = r.get("service_label") or t("cmr_table_" + o["table"], lang)
        same = [g for g in d[TARIFFS] if (g["service"], g["base_unit"]) == (r.get("service"), r.get("base_unit"))]
        unit = "" if _is_share(o["figure"]) else " " + unit_of(o["figure"], r.get("base_unit"), lang)
        body.append([row_name(r, lang, same) if r else o["municipality"], what, figure_label(o["figure"], lang),
                     value_text(o["figure"], o["value"], lang) + unit,
                     value_text(o["figure"], o["median"], lang) + (unit if o["median"] is not None else ""),
                     o["text"]])
    return (f"<p>{e(t('cmr_outliers_intro', lang))}</p>"
            + grid([t("cmr_col_municipality", lang), t("cmr_col_what", lang), t("cmr_col_figure", lang),
                    t("cmr_col_value", lang), t("cmr_median", lang), t("cmr_col_reason", lang)], body,
                   numeric=(3, 4), widths={0: "17%", 1: "14%", 2: "13%", 3: "11%", 4: "11%", 5: "34%"}))


# --- 5. files not computed -----------------------------------------------------------------------


def failed(result: Compared, lang: str) -> str:
    d = result.data(lang)
    out = ""
    if d["failures"]:
        # the file and its kind only: its problems, with their fields and lines, are for
        # «okmo check» (codes and paths the report's reader does not meet), as the overview does
        out += f"<p>{e(t('cmr_failed_intro', lang))}</p><ol>" + "".join(
            f"<li>«{e(file_label(f['file']))}»" + (f" ({e(t('mu_kind_' + f['kind'], lang).lower())})" if f["kind"] else "")
            + "</li>" for f in d["failures"]) + "</ol>"
    else:
        out += f"<p>{e(t('cmr_all_computed', lang))}</p>"
    if d["skipped"]:
        out += f"<p class=note>{e(t('cmr_skipped', lang, count=len(d['skipped'])))}</p>"
    return out


# --- 6. budgets and programmes -------------------------------------------------------------------

BUDGET_COLUMNS = ("revenue_per_resident_som", "own_revenue_share", "expenditure_per_resident_som")


def budgets(result: Compared, lang: str) -> str:
    d = result.data(lang)
    if not d[BUDGETS] and not d[PROGRAMMES]:  # found, but none could be computed
        return f"<p>{e(t('cmr_budgets_failed', lang, section=outline(Plan(result)).index('cmr_failed') + 1))}</p>"
    index = stats_index(d)
    out = ""
    if d[BUDGETS]:
        rows = sorted(d[BUDGETS], key=by_name)
        stats = {f: index.get((BUDGETS, f, "all", None, None, None)) for f in BUDGET_COLUMNS}
        out += f"<h3>{e(t('cmr_budgets_title', lang))}</h3><p>{e(t('cmr_budgets_intro', lang))}</p>"
        out += _figure_table(rows, BUDGET_COLUMNS, stats, None, lang, year=True)
        lines = sorted({line for r in rows for line in (r.get("spending_per_resident_som") or {})},
                       key=lambda line: t("line_b_" + line, lang))
        if lines:
            out += f"<h3>{e(t('cmr_spending_title', lang, unit=unit_of('revenue_per_resident_som', None, lang)))}</h3>"
            shown = rows if len(rows) <= 4 else []
            body = []
            for line in lines:
                s = index.get((BUDGETS, f"spending_per_resident_som.{line}", "all", None, None, None))
                body.append([t("line_b_" + line, lang),
                             *(format_number((r.get("spending_per_resident_som") or {}).get(line), 2, lang) for r in shown),
                             *(format_number(s[k], 2, lang) if s else "—" for k in ("median", "q1", "q3"))])
            out += table([t("cmr_col_line", lang), *(row_name(r, lang) for r in shown), t("cmr_median", lang),
                          t("cmr_q1", lang), t("cmr_q3", lang)], body,
                         numeric=tuple(range(1, len(shown) + 4)), css="small")
    if d[PROGRAMMES]:
        rows = sorted(d[PROGRAMMES], key=by_name)
        s = index.get((PROGRAMMES, "cost_per_beneficiary_som", "all", None, None, None))
        body = [[row_name(r, lang), f"{r['first_year']}–{r['last_year']}", str(r["measures"]),
                 format_number(r["cost_som"], 2, lang), format_number(r["beneficiaries"], 0, lang),
                 format_number(r["cost_per_beneficiary_som"], 2, lang)] for r in rows]
        for key, k in (("cmr_median", "median"), ("cmr_q1", "q1"), ("cmr_q3", "q3")):
            body.append([t(key, lang), "", "", "", "", format_number(s[k], 2, lang) if s else "—"])
        out += (f"<h3>{e(t('cmr_programmes_title', lang))}</h3>"
                + table([t("cmr_col_municipality", lang), t("cmr_col_period", lang), t("cmr_col_measures", lang),
                         t("cmr_col_cost", lang, unit=format_unit("som", lang)), t("cmr_col_beneficiaries", lang),
                         heading("cost_per_beneficiary_som", None, lang)], body, numeric=(2, 3, 4, 5), css="small"))
    return out


BUILDERS = {"cmr_method": method, "cmr_tariffs": tariffs, "cmr_position": position, "cmr_outliers": outliers,
            "cmr_failed": failed, "cmr_budgets": budgets}


def body(result: Compared, lang: str, charts: dict | None = None) -> str:
    return blocks.numbered(outline(Plan(result)), BUILDERS, result, lang, charts)


def charts(result: Compared, lang: str) -> dict[str, str]:
    """The charts are drawn in their sections (one per service and municipality)."""
    return {}


def stamp_and_signatures(result: Compared, lang: str) -> str:
    """Every file compared, with its SHA-256 (as the JSON's ``inputs``), the program's
    version; the signature lines as every report closes."""
    d = result.data(lang)
    listed = [f"«{e(file_label(f['file']))}»; SHA-256 <span class=\"hash\">{e(f['sha256'])}</span>"
              for f in d["inputs"]]
    return f"""<div class="closing"><div class="stamp">
<p>{e(t('cmr_stamp', lang))}:<br>{';<br>'.join(listed) or '—'};<br>{e(t('rb_program', lang, version=__version__))}; {e(dt.date.today().strftime('%d.%m.%Y'))}</p></div>
<div class="signatures">
<p>{e(t('r_prepared_by', lang))}: ______________________ / ______________________ /</p>
<p>{e(t('r_date_line', lang))}: «____» ______________ 20____</p>
</div></div>"""


# --- the tariff justification's section "tariffs of comparable municipalities" -------------------


@dataclass(frozen=True)
class WithPeers:
    """A tariff scenario as the build reads it, with the peers it is compared with: the
    justification's outline then has the section ``cmr_peers``
    (:func:`okmo_models.report.sections.outline` looks for ``peers``)."""

    scenario: object
    peers: tuple[str, ...]

    def __getattr__(self, name):
        if name in ("scenario", "peers"):  # not set yet (a copy being built): no recursion
            raise AttributeError(name)
        return getattr(self.scenario, name)


@dataclass(frozen=True)
class TariffWithPeers:
    """The tariff kind (:data:`okmo_models.kinds.KINDS` ``["tariff"]``) for a justification
    with its peers: the same notebook, sections and checks; its notebook is given ``peers``."""

    kind: object
    peers: tuple[str, ...]
    name: str = field(init=False)
    report: str = field(init=False)
    report_title: str = field(init=False)

    def __post_init__(self):
        for name in ("name", "report", "report_title"):
            object.__setattr__(self, name, getattr(self.kind, name))

    def check(self, path) -> None:
        self.kind.check(path)

    def load(self, path):
        loaded = self.kind.load(path)
        return Loaded(WithPeers(loaded.model, self.peers))

    def plan_year(self, plan):
        return self.kind.plan_year(plan.scenario if isinstance(plan, WithPeers) else plan)

    def parameters(self) -> dict:
        return {"peers": list(self.peers)}


def peers_kind(kind, peers: Sequence[str | Path]) -> TariffWithPeers:
    """The kind-like object of a tariff justification with the section on its ``peers``
    (folders or files), for ``render_report(..., kind=..., parameters=kind.parameters())``."""
    return TariffWithPeers(kind, tuple(str(Path(p).resolve()) for p in peers))


class PeerComparison:
    """One tariff compared with the plans in ``peers`` (folders or files): the comparison of
    them with this tariff added when it is not among them, and this tariff's row of it."""

    def __init__(self, result, peers: Sequence[str | Path]):
        self.peers = tuple(str(Path(p).resolve()) for p in peers)
        self.own = Path(result.provenance.inputs[0].path).resolve()
        inside = any(self.own == Path(p) or Path(p) in self.own.parents for p in self.peers)
        self.compared = Compared(_compare([*self.peers, *(() if inside else (str(self.own),))]))

    def own_row(self, lang: str) -> dict | None:
        """This tariff's row of the comparison (found by its file)."""
        for r in self.compared.data(lang)[TARIFFS]:
            if Path(r["file"]).resolve() == self.own:
                return r
        return None

    def stat(self, figure_: str, lang: str, region: bool = False) -> dict | None:
        """The statistics of this tariff's peers (its service and unit; or those of its region)
        for one figure."""
        own = self.own_row(lang)
        if own is None:
            return None
        key = (TARIFFS, figure_, "service_region" if region else "service", own["service"], own["base_unit"],
               own["region_key"] if region else None)
        return stats_index(self.compared.data(lang)).get(key)

    def section(self, lang: str) -> str:
        return peers_section(self.compared, self.own_row(lang), lang)


class AmongPeers(PeerComparison):
    """The sections of a tariff justification (the module :mod:`okmo_models.report.sections`,
    given, not imported: it imports this one) with the section on its peers added before the
    assumptions; every other section is the module's own."""

    def __init__(self, sections, result, peers: Sequence[str | Path]):
        super().__init__(result, peers)
        self.sections, self.result = sections, result

    def __getattr__(self, name):  # read, title_page, stamp_and_signatures: the module's
        return getattr(self.sections, name)

    def outline(self, scenario) -> list[str]:
        return self.sections.outline(scenario)

    def contents(self, scenario, lang: str, pages: dict | None = None) -> str:
        return blocks.contents(self.outline(scenario), lang, pages)

    def body(self, result, lang: str, charts: dict | None = None) -> str:
        keys = self.outline(WithPeers(result.scenario, self.peers))
        builders = {**self.sections.BUILDERS, "cmr_peers": lambda r, lang_: self.section(lang_)}
        return blocks.numbered(keys, builders, result, lang, charts)


PEER_FIGURES = ("household_bill_som", "tariff_per_base_unit_som", "cost_per_base_unit_som",
                "requirement_per_base_unit_som", "collection_rate", "cost_recovery_proposed",
                "affordability_share_above", "subsidy_per_resident_som")


def peers_section(compared: Compared, own: dict | None, lang: str) -> str:
    """This tariff among the tariffs of the same service and unit in the peers' folders: each
    figure beside the median of all of them and of its region, its place; the chart; its
    outliers in words."""
    d = compared.data(lang)
    if own is None:
        return f"<p>{e(t('cmr_peers_none', lang))}</p>"
    group = [r for r in d[TARIFFS] if (r["service"], r["base_unit"]) == (own["service"], own["base_unit"])]
    counted = [r for r in group if not r["variant"]]
    index = stats_index(d)
    out = f"<p>{e(t('cmr_peers_intro', lang, n=len(counted), service=own['service_label'].lower(), unit=format_unit(own['base_unit'], lang), region=own['region']))}</p>"
    if len(counted) < 2:
        return out + f"<p>{e(t('cmr_peers_alone', lang))}</p>"
    rows = []
    for f in PEER_FIGURES:
        everyone = index.get((TARIFFS, f, "service", own["service"], own["base_unit"], None))
        region = index.get((TARIFFS, f, "service_region", own["service"], own["base_unit"], own["region_key"]))
        if own[f] is None and everyone is None:
            continue
        pos = own["positions"].get(f, {})
        rows.append([heading(f, own["base_unit"], lang), value_text(f, own[f], lang),
                     value_text(f, everyone["median"], lang) if everyone else "—",
                     f"{value_text(f, everyone['q1'], lang)} – {value_text(f, everyone['q3'], lang)}" if everyone else "—",
                     value_text(f, region["median"], lang) if region else "—",
                     rank_text(pos.get("service"), lang)])
    out += table([t("cmr_col_figure", lang), t("cmr_col_ours", lang), t("cmr_median", lang), t("cmr_col_middle", lang),
                  t("cmr_col_region_median", lang), t("cmr_col_place", lang)], rows, numeric=(1, 2, 3, 4, 5),
                 css="small")
    out += f"<p class=note>{e(t('cmr_peers_note', lang))}</p>"
    # the introduction, the table and its note on one page, under the section's heading
    out = f'<div style="break-inside: avoid; page-break-inside: avoid">{out}</div>'
    out += figure(band_chart(own, group, index, lang))
    mine = [o for o in d["outliers"] if o["file"] == own["file"] and o["table"] == TARIFFS]
    if mine:
        out += f"<p>{e(t('cmr_peers_outliers', lang))}</p><ul>" + "".join(f"<li>{e(o['text'])}</li>" for o in mine) + "</ul>"
    return out

"""The sections of a municipality's overview report (``okmo report FOLDER --overview``) as HTML.

A folder is not a kind of plan file, but its report is built as one: :data:`FOLDER` gives the
build what it asks of a :class:`~okmo_models.kinds.PlanKind` (the notebook's name, this
module, the title, the checks), and :func:`read` gives the notebook its :class:`Document`.

Every figure comes from :func:`okmo_models.municipality.overview.overview`, through its
``to_dict(lang)``: the same numbers as ``okmo overview FOLDER --format json``, formatted with
:mod:`okmo_models.formatting` (no-break spaces between thousands). Only words come from the
computed files themselves (a provider's name, a settlement's name), never a figure. The
notebook (municipality_report) only displays what these functions return.
"""

from __future__ import annotations

import datetime as dt
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import NamedTuple

from okmo_models.formatting import format_number, format_percent
from okmo_models.i18n import t
from okmo_models.report import blocks
from okmo_models.report.blocks import e
from okmo_models.report.budget_sections import Raw, by_year, grid, num
from okmo_models.scenario.schema import LocalText
from okmo_models.version import __version__

OUTLINE = ["mor_plans", "mor_services", "mor_budget", "mor_needs", "mor_consistency"]
BUDGET_ROWS = ("revenue", "expenditure", "tariffs", "balance", "space", "programme_local", "left")


@dataclass(frozen=True)
class Plan:
    """The folder's overview as the build reads a file: the title names its municipality."""

    overview: object  # okmo_models.municipality.overview.Overview

    @property
    def municipality(self):
        return municipality_of(self.overview)


class Loaded(NamedTuple):
    model: Plan


@dataclass(frozen=True)
class FolderReport:
    """What the report build asks of a kind (:class:`okmo_models.kinds.PlanKind`), for a
    municipality folder: its notebook is ``municipality_report.ipynb``."""

    name: str = "municipality"
    report: str = __name__
    report_title: str = "mor_title"

    def check(self, folder) -> None:
        """Nothing more than :meth:`load` does: reading the folder refuses one that is not a
        municipality's (no plan file, two budgets); a file's own problem is shown in the
        report, as the overview shows it."""

    def load(self, folder) -> Loaded:
        from okmo_models.municipality.overview import overview

        return Loaded(Plan(overview(folder)))

    def plan_year(self, plan) -> None:
        """The overview spans every plan's years: its report is named without one."""


FOLDER = FolderReport()


def read(path: str | Path) -> blocks.Document:
    """The overview report of a municipality folder: every file computed and checked together."""
    from okmo_models.municipality.overview import overview

    result = overview(path)
    return blocks.Document(sys.modules[__name__], result, Plan(result))


def outline(scenario) -> list[str]:
    """Message keys of the numbered sections, in document order: always the same five (a
    part the folder lacks says so), so that every municipality's overview reads alike."""
    return list(OUTLINE)


def contents(scenario, lang: str, pages: dict | None = None) -> str:
    """The table of contents; ``pages`` maps section numbers to page numbers when known."""
    return blocks.contents(outline(scenario), lang, pages)


# --- small helpers -----------------------------------------------------------------------------


def municipality_of(ov):
    """The municipality as its files name it, else a plain word."""
    return ov.model.municipality or _Unnamed()


@dataclass(frozen=True)
class _Unnamed:
    """A folder whose every file failed still has a title."""

    @property
    def name(self) -> LocalText:
        return LocalText(ru=t("mor_unnamed", "ru"), ky=t("mor_unnamed", "ky"), en=t("mor_unnamed", "en"))

    region = None


def section_number(key: str) -> int:
    return OUTLINE.index(key) + 1


def unit_name(unit: str, lang: str) -> str:
    return t("b_unit_" + unit, lang)


def money(x, lang: str) -> str:
    """Som to the tyiyn, as the tariffs give them."""
    return format_number(x, 2, lang)


def needs_money(x, unit: str, lang: str) -> str:
    """A cost in the passport's unit: whole som, or one decimal of thousands or millions (as
    the passport report)."""
    return format_number(x, 0 if unit == "som" else 1, lang)


def points(x, lang: str) -> str:
    return format_number(x, 1, lang)


def asks(s: dict) -> float:
    """What one tariff asks of the budget in its year: subsidy and discounts."""
    return s["subsidy_som"] + s["discounts_som"]


def providers(ov, lang: str) -> list[str]:
    """Each tariff's provider, in the order of ``Overview.services()`` (the folder's tariffs)."""
    return [r.scenario.operator.name.get(lang) for r in ov.model.tariffs.values()]


def years_text(years) -> str:
    years = list(years)
    return f"{years[0]}–{years[-1]}" if len(years) > 1 else str(years[0]) if years else "—"


def kind_of_file(ov, path) -> str:
    """The kind of one of the folder's files, as the folder sorted them."""
    f = ov.model.folder
    return ("passport" if path == f.passport else "economic_base" if path == f.economic_base
            else "budget" if path == f.budget else "programme" if path == f.programme else "tariff")


# --- title page ------------------------------------------------------------------------------


def title_page(result, lang: str) -> str:
    m = municipality_of(result)
    region = m.region.get(lang) if m.region else ""
    budget = result.budget_years()
    period = (f'<p class="title-period">{e(t("mor_period", lang, first=budget["years"][0], last=budget["years"][-1]))}</p>'
              if budget and budget["years"] else "")
    return f"""<div class="title-page">
<p class="title-org">{e(m.name.get(lang))}</p>
<p class="title-region">{e(region)}</p>
<h1>{e(t('mor_title', lang))}</h1>
<p class="title-service">{e(t('mor_subtitle', lang))}</p>
{period}
<p class="title-date">{e(dt.date.today().strftime('%d.%m.%Y'))}</p>
</div>"""


# --- 1. the municipality and its plans ---------------------------------------------------------


def plans(result, lang: str) -> str:
    m, f = result.model, result.model.folder
    data = result.to_dict(lang)
    failed = t("mor_not_computed", lang, section=section_number("mor_consistency"))
    rows = []
    if f.passport is not None:
        p = m.passport
        rows.append([t("mor_kind_passport", lang),
                     t("mor_passport_content", lang,
                       settlements=", ".join(s.name.get(lang) for s in p.passport.settlements),
                       objects=len(p.passport.objects), needs=len(p.needs)) if p else failed,
                     str(p.passport.year) if p else "—"])
    if f.economic_base is not None:
        b = m.economic_base
        rows.append([t("mor_kind_economic_base", lang), t("mor_economic_base_content", lang) if b else failed,
                     str(b.base.year) if b else "—"])
    for path in f.tariffs:
        r = m.tariffs.get(path)
        rows.append([t("mor_kind_tariff", lang),
                     f"{t('service_' + r.scenario.service, lang)}, {r.scenario.operator.name.get(lang)}" if r else failed,
                     str(r.scenario.tariff_year) if r else "—"])
    if f.budget is not None:
        rows.append([t("mor_kind_budget", lang), t("mor_budget_content", lang) if m.budget else failed,
                     years_text(data["budget"]["years"]) if data["budget"] else "—"])
    if f.programme is not None:
        pr = m.programme
        rows.append([t("mor_kind_programme", lang),
                     t("mor_programme_content", lang, count=len(pr.programme.measures)) if pr else failed,
                     years_text(pr.plan.years) if pr else "—"])
    out = (f"<p>{blocks.linked(t('mor_plans_intro', lang))}</p>"
           + grid([t("mor_col_plan", lang), t("mor_col_content", lang), t("mor_col_period", lang)], rows,
                  widths={0: "28%", 2: "16%"}))
    return out + f"<h3>{e(t('mor_brief', lang))}</h3><ul>" + "".join(f"<li>{e(x)}</li>" for x in brief(data, lang)) + "</ul>"


def brief(data: dict, lang: str) -> list[str]:
    """The overview in a few sentences, every figure one of ``data`` (``to_dict``) or a sum of them."""
    out = []
    services = data["services"]
    if services:
        out.append(t("mor_brief_services", lang, count=len(services),
                     below=sum(s["tariff_som"] < s["justified_som"] for s in services),
                     amount=money(sum(asks(s) for s in services), lang)))
    b = data["budget"]
    if b and b["left"] is not None:
        short = [(y, v) for y, v in zip(b["years"], b["left"]) if v is not None and v < 0]
        if short:
            year, worst = min(short, key=lambda x: x[1])
            out.append(t("mor_brief_short", lang, count=len(short), total=len(b["years"]),
                         years=", ".join(str(y) for y, _ in short), year=year, short=num(-worst, lang),
                         unit=unit_name(b["unit"], lang)))
        else:
            out.append(t("mor_brief_fits", lang, first=b["years"][0], last=b["years"][-1]))
    if data["needs"]:
        out.append(needs_in_brief(data, lang))
    count = len(data["inconsistencies"]) + len(data["failed"])
    out.append(t("mor_brief_disagree", lang, count=count, section=section_number("mor_consistency")) if count
               else t("mu_consistent", lang))
    return out


def needs_in_brief(data: dict, lang: str) -> str:
    """How many needs the draft programme answers, and what the others would cost."""
    needs = data["needs"]
    unfunded = [n for n in needs if not n["funded"]]
    return t("mor_brief_needs", lang, count=len(needs), funded=len(needs) - len(unfunded), unfunded=len(unfunded),
             cost=needs_money(sum(n["cost"] or 0 for n in unfunded), data["needs_unit"], lang),
             unit=unit_name(data["needs_unit"], lang))


# --- 2. services -----------------------------------------------------------------------------


def services(result, lang: str) -> str:
    data = result.to_dict(lang)["services"]
    if not data:
        return f"<p>{e(t('mor_no_services', lang))}</p>"
    names = [f"{s['service_name']}, {who}" for s, who in zip(data, providers(result, lang))]
    rows = [[name, s["category"], s["unit_name"], str(s["year"]), money(s["current_som"], lang),
             Raw(f"<b>{e(money(s['tariff_som'], lang))}</b>"), money(s["justified_som"], lang),
             format_percent(s["cost_recovery"], 1, lang), str(s["reached_year"]) if s["reached_year"] else "—"]
            for name, s in zip(names, data)]
    out = (f"<p>{e(t('mor_services_intro', lang))}</p>"
           + grid([t("mor_col_service", lang), t("mor_col_payers", lang), t("mor_col_unit", lang),
                   t("mu_col_year", lang), t("mor_col_current", lang), t("mor_col_proposed", lang),
                   t("mor_col_justified", lang), t("mu_col_recovery", lang), t("mor_col_reached", lang)],
                  rows, numeric=(3, 4, 5, 6, 7, 8), widths={0: "22%", 1: "17%"})
           + f"<p class=note>{e(t('mor_reached_note', lang))}</p>")
    rows = [[name, money(s["subsidy_som"], lang), money(s["discounts_som"], lang), money(asks(s), lang)]
            for name, s in zip(names, data)]
    rows.append([t("mor_total", lang), money(sum(s["subsidy_som"] for s in data), lang),
                 money(sum(s["discounts_som"] for s in data), lang), money(sum(asks(s) for s in data), lang)])
    return (out + f"<h3>{e(t('mor_asks_title', lang))}</h3>"
            + grid([t("mor_col_service", lang), t("mor_col_subsidy", lang), t("mor_col_discounts", lang),
                    t("mor_col_asks_total", lang)], rows, numeric=(1, 2, 3), strong=(len(rows) - 1,),
                   widths={0: "46%"})
            + f"<p class=note>{e(t('mor_asks_note', lang))}</p>")


# --- 3. budget -------------------------------------------------------------------------------


def budget(result, lang: str) -> str:
    b = result.to_dict(lang)["budget"]
    if b is None:
        return f"<p>{e(t('mor_no_budget', lang))}</p>"
    unit = unit_name(b["unit"], lang)
    rows = [[t("mu_row_" + k, lang), *(num(v, lang) if v is not None else "—" for v in b[k])]
            for k in BUDGET_ROWS if b[k] is not None]
    strong = tuple(i for i, k in enumerate(k for k in BUDGET_ROWS if b[k] is not None) if k in ("balance", "left"))
    out = (f"<p>{e(t('mor_budget_intro', lang, unit=unit))}</p>"
           + by_year(t("mor_col_indicator", lang), b["years"], rows, strong=strong))
    if b["left"] is None and result.model.folder.programme is not None:
        out += f"<p class=note>{e(t('mor_programme_failed', lang, section=section_number('mor_consistency')))}</p>"
    elif b["left"] is None:
        out += f"<p class=note>{e(t('mor_no_programme', lang))}</p>"
    elif any(v is not None and v < 0 for v in b["left"]):
        out += f"<p class=note>{e(t('mor_left_negative', lang))}</p>"
    return out


# --- 4. needs --------------------------------------------------------------------------------


def needs(result, lang: str) -> str:
    data = result.to_dict(lang)
    if result.model.passport is None:
        return f"<p>{e(t('mor_no_passport', lang))}</p>"
    if not data["needs"]:
        return f"<p>{e(t('mor_no_needs', lang))}</p>"
    unit = data["needs_unit"]
    passport = result.model.passport
    # one settlement (named in section 1): its name in every row would only narrow the others
    many = len({n["settlement"] for n in data["needs"]}) > 1
    rows = []
    for n in data["needs"]:
        first = [str(n["rank"]), n["name"], *([passport.settlement_name(n["settlement"], lang)] if many else []),
                 t("pp_condition_" + n["condition"], lang) if n["condition"] else t("pp_not_built", lang),
                 points(n["points"], lang), needs_money(n["cost"], unit, lang)]
        if not n["measures"]:
            rows.append([*first, Raw(f"<b>{e(t('mu_unfunded', lang))}</b>"), "—", "—"])
        for k, a in enumerate(n["measures"]):
            rows.append([*(first if k == 0 else [""] * len(first)), a["name"],
                         str(a["plan"]) if a["plan"] is not None else t("mor_not_in_draft", lang),
                         str(a["optimal"]) if a["optimal"] is not None else t("mor_not_chosen", lang)])
    headers = ["№", t("pp_col_object", lang), *([t("pp_col_settlement", lang)] if many else []),
               t("pp_col_condition", lang), t("pp_col_points", lang),
               t("mor_col_cost", lang, unit=unit_name(unit, lang)), t("mor_col_measure", lang),
               t("mor_col_draft", lang), t("mor_col_optimal", lang)]
    shift = 1 if many else 0  # the columns after the settlement's
    # every column's share given: the measure's name gets what the short columns leave
    widths = dict(enumerate(["4%", "16%", "11%", "12%", "6%", "9%", "22%", "10%", "10%"] if many
                            else ["4%", "20%", "14%", "6%", "10%", "26%", "10%", "10%"]))
    out = (f"<p>{e(t('mor_needs_intro', lang))}</p>"
           + grid(headers, rows, numeric=(0, 3 + shift, 4 + shift, 6 + shift, 7 + shift),
                  group=(6 + shift, 2, t("mor_col_start", lang)), widths=widths))
    out += f"<p><b>{e(needs_in_brief(data, lang))}</b></p>"
    if any(n["cost"] is None for n in data["needs"]):
        out += f"<p class=note>{e(t('mor_needs_cost_none', lang))}</p>"
    return out


# --- 5. consistency --------------------------------------------------------------------------


def consistency(result, lang: str) -> str:
    """Each inconsistency in words only (``describe``), then each file that could not be
    computed, by its name (the reader's own) and kind: its problems, with their fields and
    lines, are for ``okmo check``, as the other places are."""
    # «okmo check» kept on one line: a command broken in two is not one to type
    out = f"<p>{blocks.linked(t('mor_consistency_intro', lang))}</p>"
    items = [i.describe(lang) for i in result.inconsistencies]
    for path in result.model.failed:
        items.append(t("mor_file_failed", lang, kind=t("mor_kind_" + kind_of_file(result, path), lang).lower(),
                       file=Path(path).name))
    if not items:
        return out + f"<p><b>{e(t('mu_consistent', lang))}</b></p>"
    # the introduction stays with the list (the closing stamp keeps to the list's end)
    return (f'<div style="break-inside: avoid">{out}<ol>'
            + "".join(f"<li>{e(x)}</li>" for x in items) + "</ol></div>")


BUILDERS = {"mor_plans": plans, "mor_services": services, "mor_budget": budget, "mor_needs": needs,
            "mor_consistency": consistency}


def body(result, lang: str, charts: dict | None = None) -> str:
    """Every numbered section, in the order of :func:`outline`."""
    return blocks.numbered(outline(Plan(result)), BUILDERS, result, lang, charts)


def charts(result, lang: str) -> dict[str, str]:
    """The overview has its figures in tables only."""
    return {}


def stamp_and_signatures(result, lang: str) -> str:
    """The name and SHA-256 of every file of the folder the figures come from (each once),
    the program's version, and the signature lines, as every report closes."""
    seen, listed = set(), []
    for f in result.provenance.inputs:
        key = (Path(f.path).resolve(), f.sha256)
        if key not in seen:  # the passport is read by the folder and again by the tariffs
            seen.add(key)
            listed.append(f"«{e(Path(f.path).name)}»; SHA-256 <span class=\"hash\">{e(f.sha256)}</span>")
    # a file a line: its checksum is never broken across two
    return f"""<div class="closing"><div class="stamp">
<p>{e(t('mor_stamp', lang))}:<br>{';<br>'.join(listed) or '—'};<br>{e(t('rb_program', lang, version=__version__))}; {e(dt.date.today().strftime('%d.%m.%Y'))}</p></div>
<div class="signatures">
<p>{e(t('r_prepared_by', lang))}: ______________________ / ______________________ /</p>
<p>{e(t('r_head_of_ao', lang))}: ______________________ / ______________________ /</p>
<p>{e(t('r_date_line', lang))}: «____» ______________ 20____</p>
</div></div>"""

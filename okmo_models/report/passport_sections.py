"""The sections of the settlement passport report (паспорт населённого пункта) as HTML.

Every figure comes from :func:`okmo_models.passport.evaluate_passport`, the same result as
``okmo passport`` (its tables, its ``to_dict``): the objects by condition, the needs ranked by
the points the file gives (their make-up shown), the works proposed and their cost, every
object by settlement, the repairs done. Amounts are in the file's unit, formatted with
:mod:`okmo_models.formatting`; every source is the file's own, cited as ``[n]`` and listed in
the last section. The notebook (passport_report) only displays what these functions return.
"""

from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path

from okmo_models.formatting import format_number, format_percent
from okmo_models.i18n import t
from okmo_models.passport.result import capacity_text
from okmo_models.passport.schema import CONDITIONS
from okmo_models.provenance import source_text
from okmo_models.report import blocks
from okmo_models.report.blocks import e
from okmo_models.report.budget_sections import Raw, grid


def read(path: str | Path) -> blocks.Document:
    """The report of a passport file: its evaluation (needs ranked) and the file."""
    from okmo_models.passport import evaluate_passport

    result = evaluate_passport(path)
    return blocks.Document(sys.modules[__name__], result, result.passport)


def outline(scenario) -> list[str]:
    """Message keys of the numbered sections, in document order (a passport without any
    repair recorded has no repairs section)."""
    keys = ["ppr_summary", "ppr_needs", "ppr_objects"]
    if any(o.repairs for o in scenario.objects):
        keys.append("ppr_repairs")
    return keys + ["ppr_sources"]


def contents(scenario, lang: str, pages: dict | None = None) -> str:
    """The table of contents; ``pages`` maps section numbers to page numbers when known."""
    return blocks.contents(outline(scenario), lang, pages)


# --- small helpers -----------------------------------------------------------------------------


def money(x, passport, lang: str) -> str:
    """An amount in the file's unit: whole som, or one decimal of thousands or millions."""
    return format_number(None if x is None else float(x), 0 if passport.unit == "som" else 1, lang)


def points(x, lang: str) -> str:
    return format_number(x, 1, lang)


def refs(passport) -> dict[str, str]:
    """``[n]`` for every source of the file, numbered in the file's order (last section)."""
    return {key: f"[{n}]" for n, key in enumerate(passport.sources, 1)}


def cite(passport, key: str) -> str:
    return refs(passport).get(key, "—")


def condition(o, lang: str) -> str:
    return t("pp_condition_" + o.condition, lang) if o.condition else t("pp_not_built", lang)


def built(o, lang: str) -> str:
    """The year built, with the year put on the balance when it was bought later."""
    if o.built is None:
        return t("pp_not_built", lang)
    if o.acquired is not None and o.acquired != o.built:
        return t("ppr_built_acquired", lang, built=o.built, acquired=o.acquired)
    return str(o.built)


def age(o, passport) -> str:
    return str(passport.year - o.built) if o.built is not None else "—"


def last_capital_repair(o) -> str:
    years = [r.year for r in o.repairs if r.kind == "capital"]
    return str(max(years)) if years else "—"


def label(text: str) -> str:
    """A small heading over a table, kept on the page of the table's first rows."""
    return f'<p class=note style="break-after: avoid; page-break-after: avoid">{e(text)}</p>'


def _by_settlement(result):
    """Each settlement with its objects, in the file's order."""
    p = result.passport
    return [(s, [o for o in p.objects if o.settlement == s.id]) for s in p.settlements]


# --- title page ------------------------------------------------------------------------------


def title_page(result, lang: str) -> str:
    p = result.passport
    region = p.municipality.region.get(lang) if p.municipality.region else ""
    settlements = ", ".join(s.name.get(lang) for s in p.settlements)
    return f"""<div class="title-page">
<p class="title-org">{e(p.municipality.name.get(lang))}</p>
<p class="title-region">{e(region)}</p>
<h1>{e(t('ppr_title', lang))}</h1>
<p class="title-service">{e(t('pp_as_of', lang, year=p.year))}</p>
<p class="title-region">{e(settlements)}</p>
<p class="title-operator">{e(t('ppr_unit_note', lang, unit=result.unit(lang)))}</p>
<p class="title-date">{e(dt.date.today().strftime('%d.%m.%Y'))}</p>
</div>"""


# --- 1. summary ------------------------------------------------------------------------------


def summary(result, lang: str) -> str:
    p = result.passport
    people = sum(s.population for s in p.settlements)
    out = f"<p>{e(t('ppr_summary_intro', lang, objects=len(p.objects), settlements=len(p.settlements), people=format_number(people, 0, lang), year=p.year))}</p>"
    counts = result.condition_counts()
    rows = []
    for c in CONDITIONS:
        value = sum(o.balance_value or 0 for o in p.objects if o.condition == c)
        rows.append([t("pp_condition_" + c, lang), str(counts[c]), money(value, p, lang)])
    missing = [o for o in p.objects if o.built is None]
    if missing:
        rows.append([t("pp_not_built", lang), str(len(missing)), "—"])
    rows.append([t("ppr_total", lang), str(len(p.objects)),
                 money(sum(o.balance_value or 0 for o in p.objects), p, lang)])
    out += (f"<h3>{e(t('ppr_by_condition', lang))}</h3>"
            + grid([t("pp_col_condition", lang), t("ppr_col_objects", lang),
                    t("pp_col_value", lang, unit=result.unit(lang))],
                   rows, numeric=(1, 2), strong=(len(rows) - 1,), widths={0: "50%"}))
    cost = result.needs_cost()
    out += (f"<p><b>{e(t('pp_needs_cost', lang, count=len(result.needs), cost=money(cost, p, lang), unit=result.unit(lang)))}</b></p>")
    without = [n for n in result.needs if n.option is None]
    if without:
        out += f"<p>{e(t('ppr_needs_without_works', lang, count=len(without), names=', '.join(n.object.name.get(lang) for n in without)))}</p>"
    urgent = [n for n in result.needs if n.object.condition == "emergency" or n.object.built is None]
    if urgent:
        out += f"<p>{e(t('ppr_urgent', lang, names='; '.join(n.object.name.get(lang) for n in urgent)))}</p>"
    rows = []
    for s, objects in _by_settlement(result):
        ids = {o.id for o in objects}
        found = [n for n in result.needs if n.object.id in ids]
        rows.append([s.name.get(lang), format_number(s.population, 0, lang), str(len(objects)), str(len(found)),
                     money(sum(n.option.cost for n in found if n.option), p, lang)])
    if len(rows) > 1:
        rows.append([t("ppr_total", lang), format_number(people, 0, lang), str(len(p.objects)),
                     str(len(result.needs)), money(cost, p, lang)])
    out += (f"<h3>{e(t('ppr_by_settlement', lang))}</h3>"
            + grid([t("pp_col_settlement", lang), t("ppr_col_population", lang), t("ppr_col_objects", lang),
                    t("ppr_col_needs", lang), t("ppr_col_needs_cost", lang, unit=result.unit(lang))],
                   rows, numeric=(1, 2, 3, 4), strong=(len(rows) - 1,) if len(rows) > 2 else (),
                   widths={0: "34%"}))
    return out


# --- 2. needs --------------------------------------------------------------------------------


def needs(result, lang: str) -> str:
    out = f"<p>{e(t('ppr_needs_intro', lang))}</p>"
    rows = []
    for rank, n in enumerate(result.needs, 1):
        o = n.object
        short = (f"{capacity_text(o, n.shortfall, lang)} ({format_percent(n.shortfall_share, 0, lang)})"
                 if n.shortfall else "—")
        rows.append([str(rank), o.name.get(lang), result.settlement_name(o.settlement, lang), condition(o, lang),
                     short, t("pp_yes" if o.meets_requirements else "pp_no", lang),
                     points(n.condition_points, lang), points(n.shortfall_points, lang),
                     points(n.requirements_points, lang), Raw(f"<b>{e(points(n.points, lang))}</b>")])
    out += (f"<h3>{e(t('ppr_ranking_title', lang))}</h3>"
            + grid(["№", t("pp_col_object", lang), t("pp_col_settlement", lang), t("pp_col_condition", lang),
                    t("pp_col_shortfall", lang), t("pp_col_requirements", lang),
                    t("ppr_col_points_condition", lang), t("ppr_col_points_shortfall", lang),
                    t("ppr_col_points_requirements", lang), t("ppr_col_points_total", lang)],
                   rows, numeric=(0, 6, 7, 8, 9), group=(6, 4, t("pp_col_points", lang)),
                   widths={0: "4%", 1: "19%", 2: "14%", 4: "15%"}))
    notes = [(o.name.get(lang), o.requirements_note.get(lang)) for o in (n.object for n in result.needs)
             if not o.meets_requirements and o.requirements_note]
    if notes:
        out += (f"<p class=note>{e(t('ppr_requirements_notes', lang))}</p><ul class=small>"
                + "".join(f"<li>{e(name)}: {e(note)}</li>" for name, note in notes) + "</ul>")
    out += works(result, lang) + priority_method(result, lang)
    return out


def works(result, lang: str) -> str:
    """The works proposed for each need (the first option, what the needs' cost adds up),
    with the other options listed by the file."""
    p = result.passport
    rows, strong = [], []
    for rank, n in enumerate(result.needs, 1):
        o = n.object
        if not o.options:
            rows.append([str(rank), o.name.get(lang), t("ppr_no_works", lang), "—", "—", "—", "—", "—"])
            continue
        for k, x in enumerate(o.options):
            label = x.name.get(lang) if k == 0 else t("ppr_alternative", lang, name=x.name.get(lang))
            rows.append([str(rank) if k == 0 else "", o.name.get(lang) if k == 0 else "", label, str(x.years),
                         capacity_text(o, x.capacity_after, lang), money(x.cost, p, lang),
                         money(x.running_cost, p, lang) if x.running_cost else "—", cite(p, x.source)])
    rows.append(["", t("ppr_total_first", lang), "", "", "", money(result.needs_cost(), p, lang), "", ""])
    strong.append(len(rows) - 1)
    unit = result.unit(lang)
    return (f"<h3>{e(t('ppr_works_title', lang))}, {e(unit)}</h3>"
            + grid(["№", t("pp_col_object", lang), t("pp_col_option", lang), t("ppr_col_years", lang),
                    t("ppr_col_capacity_after", lang), t("pp_col_cost", lang, unit=unit),
                    t("ppr_col_running", lang, unit=unit), t("ppr_col_source", lang)],
                   rows, numeric=(0, 3, 5, 6), strong=strong,
                   widths={0: "4%", 1: "19%", 2: "25%", 3: "7%", 7: "7%"})
            + f"<p class=note>{e(t('ppr_works_note', lang))}</p>")


def priority_method(result, lang: str) -> str:
    """How the points are given: the file's own scale, cited, and the formula."""
    p = result.passport
    pr = p.priority
    rows = [[t("ppr_points_for_condition", lang, condition=t("pp_condition_" + c, lang)),
             points(pr.condition.get(c, 0.0), lang)] for c in CONDITIONS]
    not_built = getattr(pr, "not_built", None)  # points for an object still to build, when the file gives them
    if not_built is not None:
        rows.append([t("ppr_points_for_not_built", lang), points(not_built, lang)])
    rows.append([t("ppr_points_for_shortfall", lang), points(pr.shortfall, lang)])
    rows.append([t("ppr_points_for_requirements", lang), points(pr.requirements, lang)])
    return (f"<h3>{e(t('ppr_method_title', lang))}</h3>"
            + f"<p>{e(t('ppr_method_intro', lang, ref=cite(p, pr.source)))}</p>"
            + grid([t("ppr_col_criterion", lang), t("pp_col_points", lang)], rows, numeric=(1,), widths={0: "75%"})
            + "<p class=formula>P = C + S · (N − K) / N + R</p>"
            + f"<p>{e(t('ppr_method_formula', lang))}</p>"
            + f"<p>{e(t('ppr_method_order', lang))}</p>")


# --- 3. objects by settlement ------------------------------------------------------------------


def objects(result, lang: str) -> str:
    p = result.passport
    unit = result.unit(lang)
    out = f"<p>{e(t('ppr_objects_intro', lang, year=p.year))}</p>"
    for s, listed in _by_settlement(result):
        if not listed:
            continue
        state = [[o.name.get(lang), t("pp_type_" + o.type, lang), built(o, lang), age(o, p),
                  t("pp_condition_" + o.condition, lang) if o.condition else "—",
                  capacity_text(o, o.capacity if o.built is not None else None, lang),
                  capacity_text(o, o.need, lang), t("pp_yes" if o.meets_requirements else "pp_no", lang)]
                 for o in listed]
        out += (f"<h3>{e(t('ppr_settlement_title', lang, name=s.name.get(lang), people=format_number(s.population, 0, lang)))} "
                f"{e(cite(p, s.source))}</h3>"
                + label(t('ppr_state_title', lang))
                + grid([t("pp_col_object", lang), t("pp_col_type", lang), t("pp_col_built", lang),
                        t("ppr_col_age", lang), t("pp_col_condition", lang), t("pp_col_capacity", lang),
                        t("pp_col_need", lang), t("pp_col_requirements", lang)],
                       state, numeric=(3,), widths={0: "22%", 1: "14%"}))
        value_total = sum(o.balance_value or 0 for o in listed)
        property_rows = [[o.name.get(lang), t("pp_owner_" + o.owner, lang), money(o.balance_value, p, lang),
                          str(o.useful_life) if o.useful_life else "—",
                          t("service_" + o.service, lang) if o.service else "—",
                          last_capital_repair(o), cite(p, o.source)] for o in listed]
        property_rows.append([t("ppr_total", lang), "", money(value_total, p, lang), "", "", "", ""])
        out += (label(t('ppr_property_title', lang))
                + grid([t("pp_col_object", lang), t("ppr_col_owner", lang), t("pp_col_value", lang, unit=unit),
                        t("ppr_col_useful_life", lang), t("ppr_col_service", lang),
                        t("ppr_col_last_capital", lang), t("ppr_col_source", lang)],
                       property_rows, numeric=(2, 3, 5), strong=(len(property_rows) - 1,),
                       widths={0: "24%", 1: "15%", 4: "18%", 6: "7%"}))
    return out


# --- 4. repairs ------------------------------------------------------------------------------


def repairs(result, lang: str) -> str:
    p = result.passport
    unit = result.unit(lang)
    done = sorted(((r, o) for o in p.objects for r in o.repairs), key=lambda x: (-x[0].year, x[1].name.get(lang)))
    rows = [[str(r.year), o.name.get(lang), result.settlement_name(o.settlement, lang),
             t("pp_repair_" + r.kind, lang), money(r.cost, p, lang), cite(p, r.source)] for r, o in done]
    rows.append(["", t("ppr_total", lang), "", "", money(sum(r.cost for r, _ in done), p, lang), ""])
    out = (f"<p>{e(t('ppr_repairs_intro', lang))}</p>"
           + grid([t("ppr_col_year", lang), t("pp_col_object", lang), t("pp_col_settlement", lang),
                   t("ppr_col_repair_kind", lang), t("pp_col_cost", lang, unit=unit), t("ppr_col_source", lang)],
                  rows, numeric=(0, 4), strong=(len(rows) - 1,), widths={0: "8%", 1: "34%", 5: "8%"}))
    by_kind = [[t("pp_repair_" + k, lang), str(sum(r.kind == k for r, _ in done)),
                money(sum(r.cost for r, _ in done if r.kind == k), p, lang)]
               for k in ("capital", "medium", "current")]
    out += (f"<h3>{e(t('ppr_repairs_by_kind', lang))}</h3>"
            + grid([t("ppr_col_repair_kind", lang), t("ppr_col_count", lang), t("pp_col_cost", lang, unit=unit)],
                   by_kind, numeric=(1, 2), widths={0: "50%"}))
    never = [o.name.get(lang) for o in p.objects if o.built is not None and not o.repairs
             and p.year - (o.acquired or o.built) >= 20]
    if never:
        out += f"<p>{e(t('ppr_never_repaired', lang, names='; '.join(never)))}</p>"
    return out


# --- 5. sources ------------------------------------------------------------------------------


def sources(result, lang: str) -> str:
    p = result.passport
    numbers = refs(p)
    # the key is an id for the file: the reader sees the number and the text
    items = "".join(f"<li>{e(numbers[k])} {blocks.linked(source_text(v, lang))}</li>" for k, v in p.sources.items())
    return (f"<p>{e(t('ppr_sources_intro', lang))}</p><ol class=sources>{items}</ol>"
            + f"<p class=note>{e(t('ppr_same_as_command', lang))}</p>")


BUILDERS = {"ppr_summary": summary, "ppr_needs": needs, "ppr_objects": objects, "ppr_repairs": repairs,
            "ppr_sources": sources}


def body(result, lang: str, charts: dict | None = None) -> str:
    """Every numbered section, in the order of :func:`outline`."""
    return blocks.numbered(outline(result.passport), BUILDERS, result, lang, charts)


def charts(result, lang: str) -> dict[str, str]:
    """The passport report has its figures in tables only."""
    return {}


def stamp_and_signatures(result, lang: str) -> str:
    """File name and SHA-256 of the passport (and of last year's, for a difference file)."""
    return blocks.stamp_and_signatures(result.provenance.inputs, lang, "ppr_stamp")

"""What a register import shows: how the file was read, the volumes, and every row not used.

The same content as aligned text (``table``), as JSON (numbers as numbers, messages in the
reader's language beside their keys) and as one tidy CSV table (``section, key, name,
unit, value``, like ``okmo tariff --format csv``).
"""

from __future__ import annotations

import csv
import io
import json

from okmo_models.errors import shorten
from okmo_models.tables import text_table
from okmo_models.formatting import format_number
from okmo_models.i18n import has, t
from okmo_models.registers.households import HouseholdRegister, household_volumes
from okmo_models.registers.livestock import livestock_volumes
from okmo_models.registers.table import CellProblem, Msg, UnusableRow, resolve

JSON_SCHEMA = "okmo-register/1"


def species_name(sp: str, lang: str) -> str:
    return t("species_" + sp, lang) if has("species_" + sp) else t("rg_species_" + sp, lang)


def problem_text(p: CellProblem, lang: str) -> str:
    """``ячейка C17 («Кол-во членов»): '4,5' — дробное число членов семьи ...``"""
    where = t("error_cell", lang, path=p.cell) if p.cell else ""
    if p.heading:
        where += f" («{p.heading}»)"
    value = "" if p.value is None else f"'{_value(p.value)}' — " if isinstance(p.value, str) else f"{p.value!r} — "
    message = Msg(p.key, p.context).render(lang)
    return f"{where}: {value}{message}" if where else f"{value}{message}"


def _value(value):
    """A cell's value as a report shows it: control characters written out, 80 characters
    at most (a 30 000-character cell is not echoed)."""
    return shorten(value) if isinstance(value, str) else value


def row_lines(u: UnusableRow, lang: str) -> list[str]:
    head = t("rg_row", lang, row=u.row)
    return [f"{head}, {problem_text(p, lang)}" for p in u.problems]


def to_dict(register, lang: str) -> dict:
    """The JSON contract of an import (``schema: okmo-register/1``)."""
    f = register.file
    out = {
        "schema": JSON_SCHEMA,
        "register": "households" if isinstance(register, HouseholdRegister) else "livestock",
        "file": str(f.path), "sheet": f.sheet, "encoding": f.encoding, "delimiter": f.delimiter,
        "sha256": f.sha256, "heading_row": f.heading_row, "columns": dict(f.columns),
        "ignored_columns": list(f.ignored_columns),
        "rows": {"read": f.rows_read, "other_settlements": f.rows_left_out, "used": f.rows_used,
                 "unusable": f.rows_unusable, "empty_skipped": f.empty_rows},
        # rows by settlement (as first written): counted, and left out as other settlements
        "settlements": None if f.settlements is None else {
            "counted": dict(f.settlements.counted), "left_out": dict(f.settlements.left_out)},
        # CSV cells holding a line break typed in Excel, each read as one cell
        "cells_with_line_breaks": [{"cell": cell, "lines": [first, last]} for cell, first, last in f.line_breaks],
    }
    if isinstance(register, HouseholdRegister):
        v = household_volumes(register)
        out["volumes"] = {
            "persons": v.persons, "households": v.households, "household_size": v.household_size,
            "households_by_category": {k: {"households": h, "persons": p, "name": t("rg_cat_" + k, lang)}
                                       for k, (h, p) in v.by_category.items()},
            "without_category": {"households": v.without_category[0], "persons": v.without_category[1]},
            "households_in_several_categories": v.in_several_categories,
            "by_settlement": {k: {"households": h, "persons": p} for k, (h, p) in v.by_settlement.items()},
        }
    else:
        v = livestock_volumes(register)
        out["layout"] = register.layout
        out["volumes"] = {
            "heads": dict(v.heads), "owners_by_species": dict(v.owners_by_species), "owners": v.owners,
            "species_names": {sp: species_name(sp, lang) for sp in v.heads},
            "by_settlement": {k: dict(sp) for k, sp in v.by_settlement.items()},
        }
    out["unusable"] = [
        {"row": u.row, "cell": p.cell, "heading": p.heading,
         "value": _value(p.value) if isinstance(p.value, (int, float, str, type(None))) else _value(str(p.value)),
         "problem": p.key, "message": Msg(p.key, p.context).render(lang)}
        for u in register.unusable for p in u.problems]
    return out


def to_json(register, lang: str, variant: dict | None = None) -> str:
    d = to_dict(register, lang)
    if variant is not None:
        d["variant"] = variant
    return json.dumps(d, ensure_ascii=False, indent=2) + "\n"


def to_csv(register, lang: str, variant: dict | None = None) -> str:
    """One tidy table: section, key, name, unit, value (dot decimals, for scripts)."""
    from okmo_models import csv_cells

    d = to_dict(register, lang)
    out = io.StringIO()
    w = csv_cells.safe_writer(csv.writer(out, lineterminator="\n"))  # register text is never a formula
    w.writerow(["section", "key", "name", "unit", "value"])
    for k in ("read", "other_settlements", "used", "unusable", "empty_skipped"):
        w.writerow(["rows", k, t("rg_rows_" + k, lang), "row", d["rows"][k]])
    for part in ("counted", "left_out"):
        for k, n in ((d["settlements"] or {}).get(part) or {}).items():
            w.writerow([f"settlement_{part}", k, k, "row", n])
    for c in d["cells_with_line_breaks"]:
        w.writerow(["cell_line_break", c["cell"], _line_break(c["cell"], *c["lines"], lang), "line",
                    f"{c['lines'][0]}-{c['lines'][1]}"])
    v = d["volumes"]
    if d["register"] == "households":
        w.writerow(["volume", "persons", t("rg_persons", lang), "person", v["persons"]])
        w.writerow(["volume", "households", t("rg_households", lang), "household", v["households"]])
        w.writerow(["volume", "household_size", t("rg_household_size", lang), "person/household",
                    v["household_size"]])
        for k, c in v["households_by_category"].items():
            w.writerow(["category_households", k, c["name"], "household", c["households"]])
            w.writerow(["category_persons", k, c["name"], "person", c["persons"]])
        w.writerow(["category_households", "none", t("rg_no_category", lang), "household",
                    v["without_category"]["households"]])
        w.writerow(["category_persons", "none", t("rg_no_category", lang), "person",
                    v["without_category"]["persons"]])
        for k, s in v["by_settlement"].items():
            w.writerow(["settlement_households", k, k, "household", s["households"]])
            w.writerow(["settlement_persons", k, k, "person", s["persons"]])
    else:
        for sp, n in v["heads"].items():
            w.writerow(["heads", sp, v["species_names"][sp], "head", n])
            w.writerow(["owners", sp, v["species_names"][sp], "owner", v["owners_by_species"][sp]])
        w.writerow(["owners", "all", t("rg_owners", lang), "owner", v["owners"]])
        for k, s in v["by_settlement"].items():
            for sp, n in s.items():
                w.writerow(["settlement_heads", f"{k}:{sp}", k, "head", n])
    for u in d["unusable"]:
        w.writerow(["unusable", u["cell"] or u["row"], u["message"], "", u["value"]])
    for c in (variant or {}).get("changes", []):
        w.writerow(["variant_change", c["field"], c["what"], "", c["after"]])
    for c in (variant or {}).get("tariffs", []):
        w.writerow(["variant_tariff", c["category"], c["name"], c["unit"], c["after"]])
    return out.getvalue()


def to_text(register, lang: str) -> str:
    """The import as aligned text for the terminal."""
    f = register.file
    lines: list[str] = []
    add = lines.append
    households = isinstance(register, HouseholdRegister)
    add(t("rg_title_households" if households else "rg_title_livestock", lang, file=f.path))
    how = [f"{t('rg_sheet', lang)} «{f.sheet}»"] if f.sheet else [f"{f.encoding}, «{_sep(f.delimiter)}»"]
    if not households:
        how.append(t("rg_layout_" + register.layout, lang))
    add("  " + "; ".join(how))
    add("  " + t("rg_heading_row", lang, row=f.heading_row) + ": " + ", ".join(f.columns.values()))
    if f.ignored_columns:
        add("  " + t("rg_ignored_columns", lang, columns=", ".join(f.ignored_columns)))
    if f.settlements:
        add("  " + t("rg_settlements_counted", lang, list=_counts(f.settlements.counted, lang)))
        add("  " + t("rg_settlements_left_out", lang, count=format_number(f.rows_left_out, 0, lang),
                     list=_counts(f.settlements.left_out, lang) or "—"))
    if f.line_breaks:
        add("  " + t("rg_line_breaks_title", lang, list="; ".join(_line_break(*b, lang) for b in f.line_breaks)))
    add("")
    rows = [(t("rg_rows_read", lang), f.rows_read)]
    if f.settlements:
        rows.append((t("rg_rows_other_settlements", lang), f.rows_left_out))
    rows += [(t("rg_rows_used", lang), f.rows_used), (t("rg_rows_unusable", lang), f.rows_unusable),
             (t("rg_rows_empty_skipped", lang), f.empty_rows)]
    lines += _table(rows, lang)
    add("")
    if households:
        v = household_volumes(register)
        add(t("rg_volumes", lang))
        lines += _table([(t("rg_persons", lang), v.persons), (t("rg_households", lang), v.households),
                         (t("rg_household_size", lang), v.household_size)], lang, indent=2)
        add("")
        add(t("rg_by_category", lang))
        body = [(t("rg_cat_" + k, lang), h, p) for k, (h, p) in v.by_category.items()]
        body.append((t("rg_no_category", lang), *v.without_category))
        lines += _table(body, lang, indent=2, head=("", t("rg_households", lang), t("rg_persons", lang)))
        if v.in_several_categories:
            add("  " + t("rg_in_several", lang, count=format_number(v.in_several_categories, 0, lang)))
        if v.by_settlement:
            add("")
            add(t("rg_by_settlement", lang))
            lines += _table([(k or "—", h, p) for k, (h, p) in v.by_settlement.items()], lang, indent=2,
                            head=("", t("rg_households", lang), t("rg_persons", lang)))
    else:
        v = livestock_volumes(register)
        add(t("rg_heads_by_species", lang))
        body = [(species_name(sp, lang), n, v.owners_by_species[sp]) for sp, n in v.heads.items()]
        lines += _table(body, lang, indent=2, head=("", t("rg_heads", lang), t("rg_owners", lang)))
        add("  " + t("rg_owners_total", lang, count=format_number(v.owners, 0, lang)))
        if v.by_settlement:
            add("")
            add(t("rg_by_settlement", lang))
            species = list(v.heads)
            lines += _table([(k or "—", *(s.get(sp, 0) for sp in species)) for k, s in v.by_settlement.items()],
                            lang, indent=2, head=("", *(species_name(sp, lang) for sp in species)))
    add("")
    if register.unusable:
        add(t("rg_unusable_title", lang, count=f.rows_unusable))
        for u in register.unusable:
            lines += ["  " + x for x in row_lines(u, lang)]
    else:
        add(t("rg_all_used", lang))
    return "\n".join(lines) + "\n"


def variant_summary(plan, effect: list[tuple] | None, lang: str) -> dict:
    """The planned variant in plain data, for JSON, CSV and the text below."""
    return {
        "file": str(plan.target) if plan.target else None,
        "variant_of": plan.document["variant_of"],
        "changes": [{"field": _field(c), "what": c.what.render(lang), "before": c.before, "after": c.after}
                    for c in plan.changes],
        "notes": [n.render(lang) for n in plan.notes],
        "tariffs": [{"category": cid, "name": name.get(lang), "unit": unit, "before": b, "after": a,
                     "before_unrounded": bu, "after_unrounded": au}
                    for cid, name, unit, b, a, bu, au in (effect or [])],
    }


def variant_text(summary: dict, lang: str) -> str:
    lines = ["", t("rg_variant_title", lang, file=summary["file"] or "—", baseline=summary["variant_of"])]
    for c in summary["changes"]:
        lines.append(f"  {c['what']}: {c['before'] or '—'} → {c['after']}")
    if summary["tariffs"]:
        lines.append(t("rg_variant_tariffs", lang))
        from okmo_models.formatting import unit_label

        for c in summary["tariffs"]:
            before = format_number(c["before"], 2, lang)
            line = f"  {c['name']}: {before} → {format_number(c['after'], 2, lang)} {unit_label(c['unit'], lang)}"
            if c["before"] == c["after"] and c["before_unrounded"] != c["after_unrounded"]:
                line += " (" + t("rg_unrounded", lang, before=format_number(c["before_unrounded"], 2, lang),
                                 after=format_number(c["after_unrounded"], 2, lang)) + ")"
            lines.append(line)
    for n in summary["notes"]:
        lines.append("  * " + n)
    return "\n".join(lines) + "\n"


def _field(change) -> str:
    ctx = change.what.context
    if "group" in ctx:
        return f"vulnerable.groups[{ctx['group']}].households"
    return f"categories.{ctx['category']}.{ctx['field']}"


def _counts(counts: dict, lang: str) -> str:
    """``{"Ак-Булун": 497}`` -> ``"Ак-Булун: 497"`` (items joined with "; ")."""
    return "; ".join(t("rg_count_of", lang, name=k, count=format_number(n, 0, lang)) for k, n in counts.items())


def _line_break(cell: str, first: int, last: int, lang: str) -> str:
    return t("rg_line_break_item", lang, cell=cell, first=first, last=last)


def _sep(delimiter: str | None) -> str:
    return {"\t": "TAB", None: "—"}.get(delimiter, delimiter)


def _table(rows, lang: str, indent: int = 0, head=None) -> list[str]:
    """Rows (a name, then counts) as the one text-table layout, indented."""
    def cell(x):
        if isinstance(x, float):
            return format_number(x, 2, lang)
        if isinstance(x, int):
            return format_number(x, 0, lang)
        return str(resolve(x, lang))

    body = [[cell(x) for x in r] for r in rows]
    if not body and not head:
        return []
    columns = len(head) if head else max(len(r) for r in body)
    lines = text_table(head or [""] * columns, body, right=range(1, columns), header=head is not None)
    return [" " * indent + line for line in lines]

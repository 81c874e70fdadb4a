"""Hearing baseline = the file (issue 13).

For every bundled example (and for files made to reproduce known bugs) a dashboard at rest
shows exactly the figures of `okmo tariff` / `okmo budget` / `okmo programme FILE --format
json`; every control moved one step and back shows them again; and a variant saved with one
control moved, read back by the same CLI, gives exactly what the dashboard showed.

Figures are never written here: both sides are computed in the same run (the tariff
engine's rounding rule may change; these tests must not).
"""

from __future__ import annotations

import contextlib
import io
import json
import re
import shutil
from pathlib import Path

import ipywidgets as w
import pytest
import yaml

from conftest import SCENARIOS, waste_scenario, write_yaml
from okmo_models.cli import main
from okmo_models.kinds import plan_files
from okmo_models.scenario.loader import file_kind
from okmo_models.tariff.formulas import round_tariff

EXAMPLES = {kind: [p for p in plan_files(SCENARIOS) if file_kind(p) == kind]
            for kind in ("tariff", "budget", "programme")}


def example_id(path: Path) -> str:
    return str(path.relative_to(SCENARIOS))


def test_every_kind_has_bundled_examples():
    assert all(EXAMPLES.values()), EXAMPLES


def cli(*args) -> dict:
    """`okmo ARGS --format json` through the CLI entry point, as parsed JSON."""
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        code = main([*map(str, args), "--format", "json"])
    assert code == 0
    return json.loads(out.getvalue())


def copy_example(path: Path, tmp_path: Path) -> Path:
    """The example's folder copied (a budget file's history table, a programme's budget file
    come with it), so that saved variants land in tmp_path."""
    folder = tmp_path / path.parent.name
    shutil.copytree(path.parent, folder)
    return folder / path.name


# --- moving the controls -------------------------------------------------------------------------


def one_step(widget):
    """Move a slider one step (down at its maximum), a drop-down to the next option (the
    previous at the last), a checkbox to the other state. Returns the value to move back to."""
    before = widget.value
    if isinstance(widget, w.Checkbox):
        widget.value = not before
    elif isinstance(widget, w.Dropdown):
        i = widget.index
        widget.index = i + 1 if i + 1 < len(widget.options) else i - 1
    else:
        up = before + widget.step
        widget.value = up if up <= widget.max + 1e-9 else before - widget.step
    assert widget.value != before
    return before


def movable(widgets):
    return [x for x in widgets if not x.disabled and (not hasattr(x, "options") or len(x.options) > 1)]


# === tariff ==========================================================================================


def money(x):
    """To the tyiyn, half-up, as the JSON and every printed figure."""
    return None if x is None else round_tariff(float(x), 0.01)


def tariff_cli(j: dict, main_category: str) -> dict:
    vulnerable = j["vulnerable"]
    path = j["path"]
    row = None
    if path:
        row = next((r for r in path["categories"] if r["category"] == main_category), path["categories"][0])
    return {
        "tariffs": {c["category"]: c["tariff_som"] for c in j["tariffs"]},
        "bill": j["typical_household_bill_som"],
        "requirement": j["revenue_requirement_som"],
        "revenue": j["revenue_at_tariffs_som"],
        "collected": j["cash_collected_som"],
        "discounts": vulnerable["budget_cost_som"] if vulnerable else 0.0,
        "tariff_gap": j["subsidy_need_som"],
        "share_above": j["affordability"]["share_above"] if j["affordability"] else None,
        "path_years": path["years"] if path else [],
        "path_cost_recovery": row["cost_recovery_tariff_som"] if row else [],
        "path_tariff": row["path_tariff_som"] if row else [],
        "path_subsidy": path["subsidy_som"] if path else [],
    }


def tariff_screen(d) -> dict:
    """What the tariff dashboard shows: the tariffs beside their sliders (each handle stands
    on its slider's step) and the what-if outputs."""
    o = d.outputs
    return {
        "tariffs": {cid: money(o.tariffs[cid]) for cid in d.tariffs},
        "bill": money(o.household_bill_som),
        "requirement": money(o.requirement_som),
        "revenue": money(o.revenue_som),
        "collected": money(o.collected_som),
        "discounts": money(o.discounts_som),
        "tariff_gap": money(o.budget_subsidy_som - o.discounts_som),
        "share_above": None if o.share_above_threshold is None else round(o.share_above_threshold, 6),
        "path_years": list(o.path_years),
        "path_cost_recovery": [money(x) for x in o.path_cost_recovery_som],
        "path_tariff": [money(x) for x in o.path_tariff_som],
        "path_subsidy": [money(x) for x in o.path_subsidy_som],
    }


def main_category(d) -> str:
    return d.whatif.categories[d.whatif.main].category.id


def passport_scenario(discounts) -> dict:
    """The hand-worked waste scenario with Social Passport groups paid by the budget."""
    data = waste_scenario()
    data["vulnerable"] = {"financing": "budget", "groups": [
        {"name": f"Группа {i}", "households": f"{n} household", "discount": discount, "category": "households",
         "source": "hand"} for i, (n, discount) in enumerate(discounts, 1)]}
    return data


PASSPORT = {"50-30-50": [(60, "50 %"), (180, "30 %"), (70, "50 %")],
            "with-som": [(100, "50 %"), (200, "15 som/household/month"), (50, "30 %")]}


# Files that declare their decimal mark: a saved variant must be read back with it (a
# point written into a file that declares "," made 73.225 som/l read as 73 225).
MARKED = {"comma-mark": ",", "point-mark": "."}


def tariff_files():
    return [pytest.param(p, id=example_id(p)) for p in EXAMPLES["tariff"]] + [
        pytest.param(name, id=f"passport-{name}") for name in [*PASSPORT, *MARKED]]


def tariff_file(which, tmp_path) -> Path:
    if which in MARKED:
        data = passport_scenario(PASSPORT["with-som"])
        data["cost_lines"][1]["price"] = "72,5 som/l"  # the fuel line: +1 % is 73,225
        if MARKED[which] == ".":
            data = json.loads(json.dumps(data, ensure_ascii=False).replace("1,5 m3", "1.5 m3")
                              .replace("72,5 som", "72.5 som"))
        return write_yaml(tmp_path, {"decimal_mark": MARKED[which], **data}, f"passport_{which}.yaml")
    if which in PASSPORT:
        return write_yaml(tmp_path, passport_scenario(PASSPORT[which]), f"passport_{which}.yaml")
    return copy_example(which, tmp_path)


def tariff_dashboard(path):
    from okmo_models.hearing.dashboard import HearingDashboard

    return HearingDashboard(path, "ru")


@pytest.mark.parametrize("which", list(PASSPORT))
def test_each_social_passport_group_keeps_its_own_discount(which, tmp_path):
    # one discount for every group (the first group's) made 50/30/50 % into 50/50/50 %
    path = tariff_file(which, tmp_path)
    d = tariff_dashboard(path)
    j = cli("tariff", path)
    assert money(d.outputs.discounts_som) == j["vulnerable"]["budget_cost_som"]
    assert money(d.outputs.budget_subsidy_som - d.outputs.discounts_som) == j["subsidy_need_som"]


@pytest.mark.parametrize("which", tariff_files())
def test_tariff_dashboard_at_rest_is_the_calculation(which, tmp_path):
    path = tariff_file(which, tmp_path)
    d = tariff_dashboard(path)
    assert tariff_screen(d) == tariff_cli(cli("tariff", path), main_category(d))


@pytest.mark.parametrize("which", tariff_files())
def test_tariff_controls_moved_and_back_restore_the_calculation(which, tmp_path):
    path = tariff_file(which, tmp_path)
    d = tariff_dashboard(path)
    at_rest = tariff_cli(cli("tariff", path), main_category(d))
    for control in movable(d.controls):
        before = one_step(control)
        assert d.message.value == "", d.message.value
        control.value = before
        assert tariff_screen(d) == at_rest, control.description


@pytest.mark.parametrize("which", tariff_files())
def test_tariff_saved_variant_gives_what_the_dashboard_showed(which, tmp_path):
    path = tariff_file(which, tmp_path)
    d = tariff_dashboard(path)
    for k, control in enumerate(movable(d.controls)):
        before = one_step(control)
        assert d.message.value == "", d.message.value
        shown = tariff_screen(d)
        d.file_name.value = f"variant_{k}.yaml"
        saved = d.save_variant()
        assert saved is not None, (control.description, d.message.value)
        assert tariff_cli(cli("tariff", saved), main_category(d)) == shown, control.description
        d.back_to_baseline()
        assert control.value == before


def test_the_discount_control_scales_every_group_s_own_discount(tmp_path):
    path = tariff_file("with-som", tmp_path)
    d = tariff_dashboard(path)
    d.discount.value = 110  # per cent of the file's discounts
    d.file_name.value = "more.yaml"
    doc = yaml.safe_load(d.save_variant().read_text(encoding="utf-8"))
    groups = doc["changes"]["vulnerable"]["groups"]
    assert [groups[i]["discount"] for i in (1, 2, 3)] == ["55 %", "16.5 som/household/month", "33 %"]


# === budget ==========================================================================================

CPI_PATH = {2026: "9 %", 2027: "7.5 %", 2028: "6.5 %", 2029: "6 %", 2030: "5.5 %", 2031: "5 %",
            2032: "5 %", 2033: "4.5 %"}


def budget_files():
    return [pytest.param(p, id=example_id(p)) for p in EXAMPLES["budget"]] + [
        pytest.param(which, id=which) for which in ("cpi-path", "comma-mark")]


def budget_file(which, tmp_path) -> Path:
    if which == "comma-mark":
        # Kok-Jar declaring a decimal comma (its history table already writes one)
        path = copy_example(SCENARIOS / "kok-jar/budget.yaml", tmp_path)
        text = re.sub(r"(\d)\.(\d+ ?%)", r"\1,\2", path.read_text(encoding="utf-8"))
        path.write_text('decimal_mark: ","\n' + text, encoding="utf-8")
        return path
    if which == "cpi-path":
        # Kok-Jar with a CPI path that differs year by year in the forecast years
        path = copy_example(SCENARIOS / "kok-jar/budget.yaml", tmp_path)
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        data["cpi"].update(CPI_PATH)
        path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
        return path
    return copy_example(which, tmp_path)


def budget_numbers(d: dict) -> dict:
    # the files read differ by design (the screen computed the baseline with the sliders
    # moved), and the screen shows one forecast, not the file's scenarios beside it
    return {k: v for k, v in d.items() if k not in ("scenario", "scenario_name", "inputs", "scenarios")}


def budget_screen(d) -> dict:
    return budget_numbers(d.outputs.result.to_dict("ru"))


def budget_dashboard(path):
    from okmo_models.hearing.budget_dashboard import BudgetHearingDashboard

    return BudgetHearingDashboard(path, "ru")


@pytest.mark.parametrize("which", budget_files())
def test_budget_dashboard_at_rest_and_its_presets_are_the_forecast(which, tmp_path):
    path = budget_file(which, tmp_path)
    d = budget_dashboard(path)
    at_rest = budget_numbers(cli("budget", path))
    assert budget_screen(d) == at_rest
    for vid in d.whatif.presets():
        d.preset.value = vid
        assert budget_screen(d) == budget_numbers(cli("budget", path, "--scenario", vid)), vid
        d.preset.value = ""
        assert budget_screen(d) == at_rest


@pytest.mark.parametrize("which", budget_files())
def test_budget_controls_moved_and_back_restore_the_forecast(which, tmp_path):
    path = budget_file(which, tmp_path)
    d = budget_dashboard(path)
    at_rest = budget_numbers(cli("budget", path))
    for control in movable(d.controls):
        before = one_step(control)
        assert d.message.value == "", d.message.value
        control.value = before
        assert budget_screen(d) == at_rest, control


@pytest.mark.parametrize("which", budget_files())
def test_budget_saved_variant_gives_what_the_dashboard_showed(which, tmp_path):
    path = budget_file(which, tmp_path)
    d = budget_dashboard(path)
    at_rest = budget_screen(d)
    for k, control in enumerate(movable(d.controls)):
        one_step(control)
        assert d.message.value == "", d.message.value
        shown = budget_screen(d)
        d.file_name.value = f"variant_{k}.yaml"
        saved = d.save_variant()
        if saved is None:  # e.g. the year rates change from, with every rate unchanged
            assert shown == at_rest and "сохранять нечего" in d.message.value
        else:
            assert budget_numbers(cli("budget", saved, "--scenario", d.saved_scenario)) == shown, control
        d.apply_preset("")


def test_the_inflation_control_shifts_the_file_s_own_cpi_path(tmp_path):
    path = budget_file("cpi-path", tmp_path)
    d = budget_dashboard(path)
    step = d.inflation.step
    d.inflation.value += step
    shifted = {y: f"{float(text.split()[0]) + step:g} %" for y, text in CPI_PATH.items()}
    assert d.outputs.variant["cpi"] == shifted


# === programme =======================================================================================


def programme_files():
    return [pytest.param(p, id=example_id(p)) for p in EXAMPLES["programme"]]


def programme_screen(d) -> dict:
    o = d.outputs
    return {
        "starts": dict(o.portfolio.starts),
        "fits": o.verdict.kind == "fits",
        "fiscal_space": [round(float(v), 3) for v in d.whatif.space.amounts],
        "local_need": [round(float(v), 3) for v in o.local_need],
        "left": [round(float(v), 3) for v in o.left],
        "gaps": [{"year": y, "short": round(s, 3), "measures": [c[0] for c in causes]} for y, s, causes in o.gaps],
        "indicators": {k: {"unit": v[1], "baseline": v[2], "reached": v[3]} for k, v in o.indicators.items()},
        "beneficiaries": dict(zip(("total", "women", "vulnerable"), o.beneficiaries)),
        "after": round(o.after, 3),
        "priority": round(o.priority, 6),
    }


def programme_cli(j: dict, which: str = "plan") -> dict:
    p = j[which]
    # the figures and ids (the JSON adds the reader's labels beside them: *_label, label)
    gaps = [{k: v for k, v in g.items() if not k.endswith("_label")} for g in p["gaps"]]
    return {"starts": p["starts"], "fits": p["fits"], "fiscal_space": j["fiscal_space"],
            "local_need": p["by_source"]["local_budget"], "left": p["left"], "gaps": gaps,
            "indicators": {k: {f: v[f] for f in ("unit", "baseline", "reached")} for k, v in p["indicators"].items()},
            "beneficiaries": p["beneficiaries"],
            "after": p["after_period_per_year"], "priority": p["priority"]}


def programme_dashboard(path):
    from okmo_models.hearing.programme_dashboard import ProgrammeHearingDashboard

    return ProgrammeHearingDashboard(path, "ru")


def programme_controls(d):
    return movable([*d.switches.values(), *d.starts.values()])


@pytest.mark.parametrize("which", programme_files())
def test_programme_dashboard_at_rest_and_its_presets_are_the_programme(which, tmp_path):
    path = copy_example(which, tmp_path)
    d = programme_dashboard(path)
    j = cli("programme", path)
    assert programme_screen(d) == programme_cli(j)
    for preset in ("optimal", "ranking", "plan"):
        d.preset.value = preset
        assert programme_screen(d) == programme_cli(j, preset), preset


@pytest.mark.parametrize("which", programme_files())
def test_programme_controls_moved_and_back_restore_the_programme(which, tmp_path):
    path = copy_example(which, tmp_path)
    d = programme_dashboard(path)
    at_rest = programme_cli(cli("programme", path))
    for control in programme_controls(d):
        before = one_step(control)
        control.value = before
        assert programme_screen(d) == at_rest, control


@pytest.mark.parametrize("which", programme_files())
def test_programme_saved_variant_gives_what_the_dashboard_showed(which, tmp_path):
    path = copy_example(which, tmp_path)
    d = programme_dashboard(path)
    for k, control in enumerate(programme_controls(d)):
        before = one_step(control)
        if d.message.value:  # a choice the rules refuse (e.g. a start before a prerequisite) is not saved
            control.value = before
            continue
        shown = programme_screen(d)
        d.file_name.value = f"variant_{k}.yaml"
        saved = d.save_variant()
        assert saved is not None, d.message.value
        assert programme_cli(cli("programme", saved, "--time-limit", 2)) == shown, control
        d.apply_preset("plan")

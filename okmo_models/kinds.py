"""The kinds of plan file, each declared once.

A file says what it describes in its ``kind:`` line (``budget``, ``programme``; a tariff
scenario needs none), or through the baseline a variant names. For each kind this registry
holds how a file is loaded, checked and computed, and where its exports, workbook, PDF
report, Excel template and hearing dashboard live. The CLI, the Excel, report and hearing
code look a kind up here instead of branching on it; a new kind of plan (the settlement
passport, monitoring) plugs in with one more :class:`PlanKind`.

Layers only point down: this module is above the product packages (tariff, budget,
programme) and below the outputs (cli, report, hearing, excel). The outputs it names are
therefore written as dotted paths and imported only when asked for, as entry points are.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

# Formats every kind exports, as ``okmo tariff|budget|programme --format``.
FORMATS = ("table", "json", "csv", "xlsx")


@dataclass(frozen=True)
class PlanKind:
    """One kind of plan file and everything that serves it.

    ``load(path)`` returns the validated file (with ``.path``, ``.sha256`` and the
    validated model), raising :class:`~okmo_models.errors.ScenarioError`;
    ``compute(path, **options)`` returns the kind's result, whose ``provenance`` is the
    same metadata block for every kind; ``check(path)`` does all that ``okmo check`` does.
    The other fields name, as ``"module:attribute"``, what shows a result: ``exports`` a
    function ``(result, lang) -> str | bytes`` per format, ``report`` the module of the PDF
    sections, ``dashboard`` the hearing dashboard class, ``papers`` the module of the papers a
    kenesh adopts.
    """

    name: str
    schema: str  # "module:Model" of the file's schema
    rules: str  # "module:function" of the rules checked across fields
    load: Callable
    compute: Callable
    check: Callable
    exports: dict
    report: str  # module of the PDF's sections; its notebook is report/<name>_report.ipynb
    report_title: str  # message key of the PDF's title
    plan_year: Callable  # validated file -> the year a report is named by
    dashboard: str | None  # none: the kind is not shown at a hearing by itself (a passport)
    papers: str | None  # module of the kenesh papers (okmo package); none: the kenesh adopts no paper of it
    examples: tuple[str, ...]  # bundled example files, relative to the examples folder

    def output(self, name: str):
        """The object a ``"module:attribute"`` field names, imported now."""
        module, _, attribute = name.partition(":")
        return getattr(importlib.import_module(module), attribute)

    def export(self, result, fmt: str, lang: str) -> str | bytes:
        """``result`` in ``fmt`` (one of :data:`FORMATS`), in the reader's language."""
        return self.output(self.exports[fmt])(result, lang)

    def validate(self, data: dict, path: str | Path):
        """Validate already-read ``data`` as a file of this kind (e.g. read from a workbook)."""
        from okmo_models.scenario.loader import validate_with

        return validate_with(self.output(self.schema), self.output(self.rules), data, Path(path))


def _load_tariff(path):
    from okmo_models.scenario.loader import load_scenario

    return load_scenario(path)


def _compute_tariff(path, **_):
    from okmo_models.tariff import calculate_tariff

    return calculate_tariff(path)


def _check_tariff(path) -> None:
    # compiling the model resolves the parameters in force for the tariff year
    from okmo_models.tariff import TariffModel

    TariffModel(_load_tariff(path))


def _load_budget(path):
    from okmo_models.budget.forecast import load_budget

    return load_budget(path)


def _compute_budget(path, scenario: str | None = None, **_):
    from okmo_models.plan_links import forecast_linked_budget

    return forecast_linked_budget(path, scenario)


def _check_budget(path) -> None:
    # a change that takes a line below zero only shows when every scenario is computed
    _compute_budget(path)


def _load_programme(path):
    from okmo_models.programme.model import load_programme

    return load_programme(path)


def _compute_programme(path, budget=None, time_limit: float | None = None, **_):
    from okmo_models.programme import evaluate_programme

    return evaluate_programme(path, budget, time_limit)


def _check_programme(path) -> None:
    # rules no portfolio can meet only show when the programme is evaluated against its budget
    _compute_programme(path)


def _load_passport(path):
    from okmo_models.passport.model import load_passport

    return load_passport(path)


def _compute_passport(path, **_):
    from okmo_models.passport import evaluate_passport

    return evaluate_passport(path)


def _load_economic_base(path):
    from okmo_models.economic_base.model import load_economic_base

    return load_economic_base(path)


def _compute_economic_base(path, **_):
    from okmo_models.economic_base import evaluate_economic_base

    return evaluate_economic_base(path)


def _load_monitoring(path):
    from okmo_models.monitoring.model import load_monitoring

    return load_monitoring(path)


def _compute_monitoring(path, month: str | None = None, **_):
    from okmo_models.monitoring import evaluate_monitoring

    return evaluate_monitoring(path, month)


def _exports(product: str) -> dict:
    """Text, JSON and CSV from the product's ``export`` module, the workbook from Excel."""
    module = f"okmo_models.{product}.export"
    return {"table": f"{module}:to_text", "json": f"{module}:to_json", "csv": f"{module}:to_csv",
            "xlsx": f"okmo_models.excel.results:{product}_workbook"}


KINDS: dict[str, PlanKind] = {k.name: k for k in (
    PlanKind(name="tariff", schema="okmo_models.scenario.schema:Scenario",
             rules="okmo_models.scenario.checks:cross_check",
             load=_load_tariff, compute=_compute_tariff, check=_check_tariff, exports=_exports("tariff"),
             report="okmo_models.report.sections", report_title="r_title",
             plan_year=lambda s: s.tariff_year,
             dashboard="okmo_models.hearing.dashboard:HearingDashboard",
             papers="okmo_models.papers.tariff",
             examples=("teploklyuchenka/waste.yaml", "ak-bulak/water.yaml", "teploklyuchenka/dipping_bath.yaml",
                       "teploklyuchenka/shared_landfill.yaml")),
    PlanKind(name="budget", schema="okmo_models.budget.schema:BudgetScenario",
             rules="okmo_models.budget.checks:check",
             load=_load_budget, compute=_compute_budget, check=_check_budget, exports=_exports("budget"),
             report="okmo_models.report.budget_sections", report_title="br_title",
             plan_year=lambda s: s.years[-1] + 1,  # the first forecast year
             dashboard="okmo_models.hearing.budget_dashboard:BudgetHearingDashboard",
             papers="okmo_models.papers.budget",
             examples=("alamudun/budget.yaml", "kok-jar/budget.yaml", "teploklyuchenka/budget.yaml")),
    PlanKind(name="programme", schema="okmo_models.programme.schema:Programme",
             rules="okmo_models.programme.checks:check",
             load=_load_programme, compute=_compute_programme, check=_check_programme, exports=_exports("programme"),
             report="okmo_models.report.programme_sections", report_title="prr_title",
             plan_year=lambda p: p.first_year,
             dashboard="okmo_models.hearing.programme_dashboard:ProgrammeHearingDashboard",
             papers="okmo_models.papers.programme",
             examples=("alamudun/programme.yaml", "teploklyuchenka/programme.yaml")),
    PlanKind(name="passport", schema="okmo_models.passport.schema:Passport",
             rules="okmo_models.passport.checks:check",
             load=_load_passport, compute=_compute_passport, check=_compute_passport,
             exports=_exports("passport"),
             report="okmo_models.report.passport_sections", report_title="ppr_title",
             plan_year=lambda p: p.year, dashboard=None, papers=None,
             examples=("teploklyuchenka/passport.yaml", "alamudun/passport.yaml")),
    PlanKind(name="economic_base", schema="okmo_models.economic_base.schema:EconomicBase",
             rules="okmo_models.economic_base.checks:check",
             load=_load_economic_base, compute=_compute_economic_base, check=_compute_economic_base,
             exports=_exports("economic_base"),
             report="okmo_models.report.economic_base_sections", report_title="ebr_title",
             plan_year=lambda b: b.year, dashboard=None, papers=None,
             examples=("teploklyuchenka/economic_base.yaml", "alamudun/economic_base.yaml")),
    PlanKind(name="monitoring", schema="okmo_models.monitoring.schema:Monitoring",
             rules="okmo_models.monitoring.checks:check",
             load=_load_monitoring, compute=_compute_monitoring, check=_compute_monitoring,
             exports=_exports("monitoring"),
             report="okmo_models.report.monitoring_sections", report_title="mon_report_title",
             plan_year=lambda m: m.year,
             dashboard="okmo_models.hearing.monitoring_dashboard:MonitoringDashboard", papers=None,
             examples=("teploklyuchenka/monitoring.yaml", "alamudun/monitoring.yaml")),
)}


def kind_of(path: str | Path) -> PlanKind:
    """The kind of the file at ``path`` (a variant has its baseline's), read from its text
    only, so that even a broken file reaches the kind that can explain its problems. A kind
    not declared here is refused with the known ones, never read as another kind."""
    from okmo_models.errors import Problem, ScenarioError
    from okmo_models.scenario.loader import file_kind

    name = file_kind(path)
    if name not in KINDS:
        raise ScenarioError(path, [Problem(path=("kind",), key="kind_unknown", value=name,
                                           context={"known": ", ".join(k for k in KINDS if k != "tariff")})])
    return KINDS[name]


def check_file(path: str | Path) -> None:
    """Read, validate and compute a file of any kind (or a variant of one), as ``okmo
    check`` does; raise the first :class:`~okmo_models.errors.OkmoError` found. Computing
    matters: a budget change that takes a line below zero, or programme rules no portfolio
    can meet, only show then."""
    kind_of(path).check(path)


def plan_files(folder: str | Path) -> list[Path]:
    """The plan files of a known kind under ``folder``, and variants of them (see
    :func:`~okmo_models.scenario.loader.declares_plan`), outside hidden folders (.git,
    .ipynb_checkpoints...). Only regular files are opened (a pipe would block), and a link
    leading out of the folder is not followed. Files of a kind not declared here (a
    register's mapping) are left out rather than failing as tariff scenarios."""
    from okmo_models.errors import ScenarioError
    from okmo_models.references import data_roots, inside, read_input
    from okmo_models.scenario.loader import declares_plan, file_kind

    folder = Path(folder)
    roots = [folder.resolve(), *data_roots()]
    found = []
    for p in sorted(folder.rglob("*")):
        rel = p.relative_to(folder)
        if p.suffix not in (".yaml", ".yml", ".toml") or any(part.startswith(".") for part in rel.parts):
            continue
        if not p.is_file() or not inside(p.resolve(), roots):
            continue
        try:
            head = read_input(p).decode("utf-8", errors="replace")
        except ScenarioError:
            continue
        if declares_plan(head) and file_kind(p) in KINDS:  # a variant has its baseline's kind
            found.append(p)
    return found


def plan_files_in(paths) -> list[tuple[Path, Path]]:
    """The plan files of ``paths`` with the folder each was found in: a folder's searched
    recursively (:func:`plan_files`), a file named taken as it is (its folder: its own);
    each file once, in the order found. A file may name others anywhere in that folder."""
    from okmo_models.references import wider_root

    found, seen = [], set()
    for p in map(Path, paths):
        if p.is_dir():
            with wider_root(p):  # a variant's baseline, read for its kind, may be anywhere in it
                files = plan_files(p)
        else:
            files = [p]
        for f in files:
            if f.resolve() not in seen:
                seen.add(f.resolve())
                found.append((f, p if p.is_dir() else f.parent))
    return found

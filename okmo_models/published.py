"""Published calculations as data: a case file states a decision's figures, the engine
reproduces them.

A case (``tests/published/*.yaml``, format in docs/published-cases.md) holds the citation
of a municipal or regulator's decision, a tariff scenario written from what the decision
publishes, and the figures it prints, each as printed (``"48,50"``). Each figure names
where the engine's result has it, a path into ``okmo tariff --format json``:
``tariffs.population.tariff_net_som``, ``unit_costs.som/m3.revenue_requirement_som``
(a list element is chosen by its ``category``, ``unit`` or ``line``). A figure matches
when the engine's figure (as it prints it) lies within the printed figure's rounding:
printed 103,5 takes [103,45; 103,55), printed 48,50 takes [48,495; 48,505). The tolerance
is the source's rounding, never a fudge, and nothing is rounded twice.

Where the source's own arithmetic departs from its rule (408,25 x 1,18 = 481,735 printed
481,73), the case says so under ``deviations``, with the figure the engine gives and why;
the check then holds the engine to that figure, so the explanation cannot go stale.
The layout follows OpenFisca's YAML tests: an economist adds a case without Python.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

import yaml

from okmo_models.scenario.loader import validate_scenario
from okmo_models.scenario.variants import apply_changes
from okmo_models.tariff import calculate_tariff
from okmo_models.units import parse_number

# Keys that name an element of a list in the result's JSON, tried in this order.
_ELEMENT_KEYS = ("category", "component", "unit", "line", "species", "name")


class CaseError(ValueError):
    """A case file that cannot be read: names the file and the entry."""


@dataclass(frozen=True)
class Figure:
    """One printed figure of a case and what the engine gives for it."""

    case: str
    figure: str  # path into the JSON result
    variant: str | None  # the case's variant it is computed for (None: the scenario as written)
    label: str
    printed: str  # as the source prints it
    engine: Decimal | None  # the engine's figure as it prints it (JSON), times ``scale``
    stated: Decimal | None  # for a deviation: the figure the case says the engine gives
    deviation: str | None  # why the source's figure differs from the rule, if it does

    @property
    def passed(self) -> bool:
        """The engine's figure lies within the printed figure's rounding (printed 103,5: in
        [103,45; 103,55)), never rounded a second time; a deviation's figure is exact."""
        if self.engine is None:
            return False
        if self.stated is not None:
            return abs(self.engine - self.stated) < Decimal("1e-9")
        value, decimals = _printed_number(self.printed)
        half = Decimal(5).scaleb(-decimals - 1)
        return value - half <= self.engine < value + half

@dataclass(frozen=True)
class Case:
    path: Path
    data: dict

    @property
    def id(self) -> str:
        return self.path.stem

    @property
    def blocked(self) -> str | None:
        """Why the case cannot pass (engine feature missing, source unreadable), or None."""
        return self.data.get("blocked")


def load_case(path: str | Path) -> Case:
    path = Path(path)
    data = yaml.safe_load(path.read_text("utf-8"))
    for key in ("title", "citation", "checks", "figures"):
        if not data.get(key):
            raise CaseError(f"{path}: the case needs '{key}'")
    if "scenario" not in data and not data.get("blocked"):
        raise CaseError(f"{path}: the case needs 'scenario' (or 'blocked' with the reason)")
    return Case(path, data)


def cases(folder: str | Path) -> list[Case]:
    return [load_case(p) for p in sorted(Path(folder).glob("*.yaml"))]


def evaluate(case: Case, variant: str | None = None) -> dict:
    """The engine's JSON result for the case's scenario (inline, or a file beside the case),
    or for one of its ``variants`` (changes merged as a variant file's are)."""
    scenario = case.data["scenario"]
    if isinstance(scenario, str):
        scenario = yaml.safe_load((case.path.parent / scenario).read_text("utf-8"))
    if variant is not None:
        changes = case.data.get("variants", {}).get(variant)
        if changes is None:
            raise CaseError(f"{case.path}: no variant '{variant}'")
        scenario = apply_changes(scenario, changes)
    return calculate_tariff(validate_scenario(scenario, case.path)).to_dict("ru")


def lookup(result: dict, figure: str):
    """The value at ``figure`` (``tariffs.population.tariff_som``) in the JSON result."""
    node = result
    for part in figure.split("."):
        if isinstance(node, list):
            node = next((e for e in node if any(str(e.get(k)) == part for k in _ELEMENT_KEYS)), None)
            if node is None:
                raise CaseError(f"{figure}: no element '{part}'")
        elif isinstance(node, dict) and part in node:
            node = node[part]
        else:
            raise CaseError(f"{figure}: no field '{part}'")
    return node


def check(case: Case) -> list[Figure]:
    """Every printed figure of ``case`` against the engine."""
    results = {}
    deviations = {(d["figure"], d.get("variant")): d for d in case.data.get("deviations", [])}
    out = []
    for f in case.data["figures"]:
        variant = f.get("variant")
        if variant not in results:
            results[variant] = evaluate(case, variant)
        result = results[variant]
        printed = str(f["printed"])
        _printed_number(printed)  # a printed figure that cannot be read is the case's error
        value = lookup(result, f["figure"])
        scale = Decimal(str(f.get("scale", 1)))  # e.g. 100 for a share printed in per cent
        engine = None if value is None else Decimal(repr(float(value))) * scale
        d = deviations.get((f["figure"], variant))
        out.append(Figure(case.id, f["figure"], variant, f.get("label", ""), printed, engine,
                          Decimal(str(d["engine"])) if d else None, d["why"] if d else None))
    return out


def _printed_number(text: str) -> tuple[Decimal, int]:
    """``"1 234,50"`` -> (Decimal('1234.50'), 2): the value and the printed decimals."""
    plain = text.replace("%", "").strip()
    value = parse_number(plain, decimal_mark=",")  # sources print a decimal comma
    decimals = len(plain.replace(".", ",").split(",")[1]) if ("," in plain or "." in plain) else 0
    return Decimal(repr(value)), decimals


def cases_page(folder: str | Path) -> str:
    """docs/published-cases.md: the format, then every case with what it checks and whether
    it passes, computed now (``scripts/published_cases.py`` writes it; a test compares)."""
    rows, details = [], []
    counts = {"pass": 0, "fail": 0, "blocked": 0}
    for case in cases(folder):
        d = case.data
        title = d["title"].get("en") or d["title"].get("ru")
        if case.blocked:
            status, n, dev = "blocked", "—", "—"
            counts["blocked"] += 1
        else:
            figures = check(case)
            ok = all(f.passed for f in figures)
            status = "passes" if ok else "FAILS"
            counts["pass" if ok else "fail"] += 1
            n, dev = str(len(figures)), str(sum(f.deviation is not None for f in figures))
        rows.append(f"| [{case.id}](#{case.id}) | {d.get('jurisdiction', '')} | "
                    f"{d.get('service', '')} | {n} | {dev} | {status} |")
        cite = d["citation"]
        details.append(f"### {case.id}\n\n**{title}**. {cite.get('act', '')}"
                       + (f", No. {cite['number']}" if cite.get("number") else "")
                       + (f", {cite['date']}" if cite.get("date") else "")
                       + (f"; {cite['published']}" if cite.get("published") else "")
                       + f".\n\nChecks: {' '.join(str(d['checks']).split())}\n"
                       + (f"\nBlocked: {' '.join(str(case.blocked).split())}\n" if case.blocked else "")
                       + "".join(f"\nDeviation ({x['figure']}{', ' + x['variant'] if x.get('variant') else ''}): "
                                 f"{' '.join(str(x['why']).split())}\n" for x in d.get("deviations", [])))
    head = (f"{counts['pass']} cases pass, {counts['fail']} fail, {counts['blocked']} are blocked "
            f"(each says why).")
    return "\n".join([_PAGE_HEAD, head, "", "| case | country | service | figures | deviations | status |",
                      "|---|---|---|---|---|---|", *rows, "", "## The cases", "", *details])


_PAGE_HEAD = """# Published calculations the engine reproduces

Generated by `scripts/published_cases.py` from `tests/published/*.yaml`; `tests/test_published_page.py`
fails when this page and the cases disagree. `pytest tests/published` runs one test per printed
figure.

A case is a decision's calculation written as data (the format follows OpenFisca's YAML tests):

- `title` {ru, en}, `citation` {act, number, date, published}, `jurisdiction`, `service`, `checks`;
- `scenario`: a tariff scenario (the format of `docs/scenario-format.md`) written from what the
  decision publishes; where it gives only a unit rate, one cost line is that rate times an
  invented volume, said so in its source, since the printed figures do not depend on it;
  a Russian or Kazakh case states its own tax rates under `parameters`;
- `variants` (optional): named changes merged into the scenario as a variant file's are;
- `figures`: each printed figure as the source prints it (`printed: "48,50"`), where the engine's
  result has it (`figure:`, a path into `okmo tariff --format json` such as
  `tariffs.population.tariff_net_som`; a list element is named by its category, component, unit
  or line), optionally `variant:` and `scale:` (100 for a percentage);
- `deviations`: where the source departs from its own rule or errs, the figure, the value the
  engine gives (`engine:`) and why, with the arithmetic; the check then holds the engine to that
  value;
- `blocked`: why a case cannot run yet (it is skipped and counted).

A figure passes when the engine's figure, as the engine prints it, lies within the printed
figure's rounding (printed 103,5 takes [103,45; 103,55)): the tolerance is the source's own
rounding, and nothing is rounded twice. A deviation's figure must be the engine's exactly.
"""

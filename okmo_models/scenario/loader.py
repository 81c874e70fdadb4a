"""Reading scenario files (YAML or TOML) into a validated :class:`Scenario`.

Every problem found is reported at once, each with the file, the field path, the line
(for YAML) and the offending value, in the user's language.  Duplicate keys, which
YAML parsers silently resolve by keeping the last one, are refused: a number must never
disappear without the economist knowing.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from pathlib import Path

import yaml
from pydantic import ValidationError

from okmo_models.errors import Problem, ScenarioError
from okmo_models.scenario.checks import cross_check
from okmo_models.scenario.schema import Scenario
from okmo_models.units import DECIMAL_MARKS, declared_decimal_mark

try:  # Python 3.11+
    import tomllib
except ModuleNotFoundError:  # pragma: no cover - Python 3.10
    import tomli as tomllib

# pydantic's error types -> our message keys (see locales/messages.yaml)
_PYDANTIC_KEYS = {
    "missing": "field_missing",
    "extra_forbidden": "field_unknown",
    "float_parsing": "not_a_number",
    "float_type": "not_a_number",
    "int_parsing": "not_an_integer",
    "int_type": "not_an_integer",
    "int_from_float": "not_an_integer",
    "literal_error": "value_not_allowed",
    "greater_than": "number_too_small",
    "greater_than_equal": "number_too_small",
    "less_than_equal": "number_too_large",
    "less_than": "number_too_large",
    "too_short": "list_empty",
    "string_type": "text_expected",
    "dict_type": "mapping_expected",
    "model_type": "mapping_expected",
    "model_attributes_type": "mapping_expected",
    "list_type": "list_expected",
    "bool_type": "bool_expected",
    "bool_parsing": "bool_expected",
    "finite_number": "not_a_number",
}


# libyaml's parser when present (several times faster), the pure-Python one otherwise.
_Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

# Fields holding names in three languages, where an unquoted comma splits the text.
_TEXT_FIELDS = {"name", "region", "description"}


@dataclass(frozen=True)
class ScenarioFile:
    """A validated scenario and where it came from (for the reproducibility stamp)."""

    path: Path
    sha256: str
    scenario: Scenario


def load_scenario(path: str | Path) -> ScenarioFile:
    """Read and validate a scenario file; raise :class:`ScenarioError` on any problem."""
    path = Path(path)
    data, sha256, lines = read_file(path)
    if isinstance(data, dict) and "variant_of" in data:
        data, lines = _variant_data(path, data), _LineMap()
    return ScenarioFile(path=path, sha256=sha256, scenario=validate_scenario(data, path, lines))


def _variant_data(path: Path, data: dict) -> dict:
    """A variant's full data: its baseline (itself possibly a variant) with the changes."""
    from okmo_models.scenario.variants import VariantError, apply_changes

    unknown = set(data) - {"variant_of", "baseline_sha256", "saved", "description", "changes"}
    if unknown:
        raise ScenarioError(path, [Problem(path=(k,), key="field_unknown", value=k) for k in sorted(unknown)])
    baseline_path = (path.parent / str(data["variant_of"])).resolve()
    if not baseline_path.is_file():
        raise ScenarioError(path, [Problem(path=("variant_of",), key="variant_baseline_missing",
                                           value=str(data["variant_of"]))])
    baseline, _, _ = read_file(baseline_path)  # its own problems name the baseline file
    if isinstance(baseline, dict) and "variant_of" in baseline:
        baseline = _variant_data(baseline_path, baseline)
    changes = data.get("changes") or {}
    if not isinstance(changes, dict):
        raise ScenarioError(path, [Problem(path=("changes",), key="mapping_expected")])
    try:
        return apply_changes(baseline, changes)
    except VariantError as exc:
        raise ScenarioError(path, [Problem(path=("changes",) + exc.path, key=exc.key,
                                           value=exc.value)]) from None


_KIND = re.compile(r"""(?m)^kind\s*[:=]\s*["']?(\w+)""")
_VARIANT_OF = re.compile(r"""(?m)^variant_of\s*[:=]\s*["']?([^"'#\r\n]+?)["']?\s*(#.*)?$""")


def file_kind(path: str | Path) -> str:
    """``tariff``, ``budget`` or ``programme``: what a file describes, following a variant's
    ``variant_of`` to its baseline. Read from the text only, so that even a broken file is
    sent to the command that can explain its problems."""
    path = Path(path)
    for _ in range(20):  # a variant names its baseline, which may itself be a variant
        try:
            text = path.read_text(encoding="utf-8", errors="replace")
        except OSError:
            break
        kind = _KIND.search(text)
        if kind is not None:
            return kind.group(1)
        found = _VARIANT_OF.search(text)
        if found is None:
            break
        path = path.parent / found.group(1).strip()
    return "tariff"


def validate_scenario(data, name: str | Path = "<data>", lines: "_LineMap | None" = None) -> Scenario:
    """Validate already-parsed scenario data (a dict), e.g. built by a tool or a test."""
    return validate_with(Scenario, cross_check, data, name, lines)


def validate_with(schema, checks, data, name: str | Path = "<data>", lines: "_LineMap | None" = None):
    """Validate ``data`` against a declared ``schema`` and its whole-file ``checks``."""
    lines = lines or _LineMap()
    if not isinstance(data, dict):
        raise ScenarioError(name, [Problem(key="file_not_mapping", value=type(data).__name__)])
    mark = data.get("decimal_mark")
    try:
        with declared_decimal_mark(mark if mark in DECIMAL_MARKS else None):
            model = schema.model_validate(data)
    except ValidationError as exc:
        raise ScenarioError(name, [_problem(e, data, lines) for e in exc.errors()]) from None
    problems = [
        Problem(path=p.path, key=p.key, value=p.value, context=p.context, line=lines.line_of(p.path))
        for p in checks(model)
    ]
    if problems:
        raise ScenarioError(name, problems)
    return model


def read_file(path: str | Path):
    """Parse a YAML or TOML file into ``(data, sha256, line map)`` with clear errors."""
    path = Path(path)
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise ScenarioError(path, [Problem(key="file_not_found", value=str(path))]) from None
    except IsADirectoryError:
        raise ScenarioError(path, [Problem(key="file_is_directory", value=str(path))]) from None
    except OSError as exc:
        raise ScenarioError(path, [Problem(key="file_unreadable", context={"detail": exc.strerror or exc})]) from None
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ScenarioError(path, [Problem(key="file_not_utf8", context={"position": exc.start})]) from None
    data, lines = _parse(path, text)
    return data, hashlib.sha256(raw).hexdigest(), lines


# --- parsing -------------------------------------------------------------------------


class _LineMap:
    """Finds the line of a field path in a composed YAML document (none for TOML)."""

    def __init__(self, root=None):
        self.root = root

    def line_of(self, path: tuple) -> int | None:
        node, line = self.root, None
        if node is None:
            return None
        for part in path:
            if isinstance(node, yaml.MappingNode):
                for key_node, value_node in node.value:
                    if key_node.value == part:
                        line, node = key_node.start_mark.line + 1, value_node
                        break
                else:
                    return line or node.start_mark.line + 1
            elif isinstance(node, yaml.SequenceNode) and isinstance(part, int) and part < len(node.value):
                node = node.value[part]
                line = node.start_mark.line + 1
            else:
                break
        return line


def _parse(path: Path, text: str):
    if path.suffix.lower() == ".toml":
        try:
            return tomllib.loads(text), _LineMap()
        except tomllib.TOMLDecodeError as exc:
            raise ScenarioError(path, [Problem(key="file_not_toml", context={"detail": str(exc)})]) from None
    try:
        # Parse once: compose the node tree (it keeps line numbers), then build the data.
        loader = _Loader(text)
        try:
            root = loader.get_single_node()
            duplicates = list(_duplicate_keys(root, ()))
            if duplicates:
                raise ScenarioError(path, duplicates)
            data = loader.construct_document(root) if root is not None else None
        finally:
            loader.dispose()
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        problem = Problem(
            key="file_not_yaml",
            line=mark.line + 1 if mark else None,
            context={"detail": getattr(exc, "problem", None) or str(exc),
                     "column": mark.column + 1 if mark else "?"},
        )
        raise ScenarioError(path, [problem]) from None
    if data is None:
        raise ScenarioError(path, [Problem(key="file_empty")])
    return data, _LineMap(root)


def _duplicate_keys(node, path):
    if isinstance(node, yaml.MappingNode):
        seen = {}
        for key_node, value_node in node.value:
            key = key_node.value
            if key in seen:
                yield Problem(path=path + (key,), key="duplicate_key", value=key,
                              line=key_node.start_mark.line + 1,
                              context={"first_line": seen[key]})
            else:
                seen[key] = key_node.start_mark.line + 1
            yield from _duplicate_keys(value_node, path + (key,))
    elif isinstance(node, yaml.SequenceNode):
        for i, item in enumerate(node.value):
            yield from _duplicate_keys(item, path + (i,))


def _problem(error: dict, data, lines: _LineMap) -> Problem:
    loc = tuple(error["loc"])
    kind = error["type"]
    key = _PYDANTIC_KEYS.get(kind, kind)
    context = dict(error.get("ctx") or {})
    for bound in ("gt", "ge", "lt", "le"):
        if bound in context:
            context["limit"] = context[bound]
    from okmo_models.i18n import has

    if not has(key):
        key, context = "invalid_value", {"detail": error.get("msg", kind)}
    value = None if kind == "missing" else _value_at(data, loc)
    if kind == "extra_forbidden":
        value = loc[-1] if loc else None
        if len(loc) >= 2 and loc[-2] in _TEXT_FIELDS:
            # {ru: Связь, банк} reads as two keys: the comma, not a typo, is the usual cause
            key = "comma_in_flow_text"
        elif str(value)[:1].isdigit():
            # {value: 1,5 %} splits at the decimal comma into "1" and a key "5 %"
            key = "comma_in_flow_number"
    return Problem(path=loc, key=key, value=value, context=context, line=lines.line_of(loc))


def _value_at(data, loc):
    """The scalar at ``loc``, or the last scalar on the way (a "17 000 som/month" string
    whose unit part failed is shown whole)."""
    node = data
    for part in loc:
        if isinstance(node, dict) and part in node:
            node = node[part]
        elif isinstance(node, list) and isinstance(part, int) and part < len(node):
            node = node[part]
        else:
            break
    if isinstance(node, (dict, list)):
        return None
    return node

"""Reading scenario files (YAML or TOML) into a validated :class:`Scenario`.

Every problem found is reported at once, each with the file, the field path, the line
(for YAML) and the offending value, in the user's language.  Duplicate keys, which
YAML parsers silently resolve by keeping the last one, are refused: a number must never
disappear without the economist knowing.
"""

from __future__ import annotations

import dataclasses
import contextlib
import contextvars
import hashlib
import os
import pickle
import re
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import NamedTuple

import yaml
from pydantic import ValidationError

from okmo_models.provenance import InputFile
from okmo_models.strict_schema import problem_of
from okmo_models.errors import Problem, ScenarioError
from okmo_models.references import SCENARIO_SUFFIXES, read_input, resolve_reference
from okmo_models.scenario.checks import cross_check
from okmo_models.scenario.schema import Scenario
from okmo_models.units import DECIMAL_MARKS, declared_decimal_mark

try:  # Python 3.11+
    import tomllib
except ModuleNotFoundError:  # pragma: no cover - Python 3.10
    import tomli as tomllib



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
    baselines: tuple[InputFile, ...] = ()  # a variant's baseline files as read

    @property
    def model(self):
        """The validated file, whatever its kind (see :mod:`okmo_models.kinds`)."""
        return self.scenario


def load_scenario(path: str | Path) -> ScenarioFile:
    """Read and validate a scenario file; raise :class:`ScenarioError` on any problem."""
    path = Path(path)
    data, sha256, lines, baselines = read_data(path)
    return ScenarioFile(path=path, sha256=sha256, scenario=validate_scenario(data, path, lines), baselines=baselines)


class FileData(NamedTuple):
    """What :func:`read_data` read: the data, the file's SHA-256, where each field stands,
    and a variant's baselines as read (nearest first), for the result's provenance."""

    data: object
    sha256: str
    lines: "_LineMap"
    baselines: tuple[InputFile, ...] = ()


def read_data(path: str | Path) -> FileData:
    """The data of a tariff, budget or programme file; a variant comes back as its baseline
    with the changes applied (every link of the chain checked)."""
    path = Path(path)
    data, sha256, lines = read_file(path)
    baselines: list[InputFile] = []
    if isinstance(data, dict) and "variant_of" in data:
        data, lines = _variant_data(path, data, chain=(path.resolve(),), lines=lines, read=baselines), _LineMap()
    if isinstance(data, dict) and "assets_from" in data and "kind" not in data:  # a tariff's assets in the passport
        from okmo_models.scenario.passport_assets import merge_passport_assets

        data = merge_passport_assets(path, data, read_data, baselines)
    if isinstance(data, dict) and "kind" not in data:  # a category's heads in the economic base
        from okmo_models.scenario.base_heads import merge_base_heads

        data = merge_base_heads(path, data, read_data, baselines)
    return FileData(data, sha256, lines, tuple(baselines))


_VARIANT_FIELDS = {"variant_of", "baseline_sha256", "saved", "description", "changes"}
_SHA256 = re.compile(r"[0-9a-fA-F]{64}")
# Files a baseline names relative to itself, by the kind of the file.
_REFERENCE_FIELDS = {"budget": ("history", "bases", "plans"), "programme": ("budget",), None: ("assets_from",)}
# Variants whose recorded baseline hash `okmo rebase` is about to replace (resolved paths).
_NEW_BASELINE: contextvars.ContextVar[frozenset] = contextvars.ContextVar("okmo_new_baseline", default=frozenset())


@contextlib.contextmanager
def accepting_new_baseline(variant: str | Path):
    """Within the block, ``variant`` is checked against its baseline as it is now (what
    ``okmo rebase`` does before it records the new baseline's hash)."""
    token = _NEW_BASELINE.set(_NEW_BASELINE.get() | {Path(variant).resolve()})
    try:
        yield
    finally:
        _NEW_BASELINE.reset(token)


def _variant_data(path: Path, data: dict, root: Path | None = None, chain: tuple = (),
                  lines: _LineMap | None = None, read: list | None = None) -> dict:
    """A variant's full data: its baseline (itself possibly a variant) with the changes.

    ``root`` is the folder of the file the user opened (by default this variant's): every
    baseline in the chain must lie in its tree (see :mod:`okmo_models.references`).
    ``chain`` holds the files already followed; pass ``(path.resolve(),)`` when ``data`` was
    read from ``path``, so that a variant of itself is named at once (without it, ``data``
    may stand for ``path``'s own content: ``{"variant_of": path.name}`` gives that file's
    full data, and the circle is found one step later). ``read``, if given, receives each
    baseline file read, as an :class:`~okmo_models.provenance.InputFile`.
    """
    from okmo_models.scenario.variants import VariantError, apply_changes

    path = Path(path)
    baseline_path, baseline = variant_baseline(path, data, root, chain, lines, read)
    changes = data.get("changes") or {}
    if not isinstance(changes, dict):
        raise ScenarioError(path, [Problem(path=("changes",), key="mapping_expected",
                                           line=(lines or _LineMap()).line_of(("changes",)))])
    try:
        return apply_changes(_relative_to(baseline, baseline_path, path), changes)
    except VariantError as exc:
        raise ScenarioError(path, [Problem(path=("changes",) + exc.path, key=exc.key,
                                           value=exc.value)]) from None


def variant_baseline(path: Path, data: dict, root: Path | None = None, chain: tuple = (),
                     lines: _LineMap | None = None, read: list | None = None) -> tuple[Path, dict]:
    """``(baseline path, baseline data)`` of the variant ``data`` read from ``path``: the
    baseline checked to lie in the opened folder tree, to be the one the variant was saved
    for (``baseline_sha256``) and not to lead back to a variant of the chain."""
    path = Path(path)
    lines = lines or _LineMap()
    root = Path(root).resolve() if root is not None else path.parent.resolve()
    unknown = set(data) - _VARIANT_FIELDS
    if unknown:
        raise ScenarioError(path, [Problem(path=(k,), key="field_unknown", value=k, line=lines.line_of((k,)))
                                   for k in sorted(unknown)])
    expected = data.get("baseline_sha256")
    if path.resolve() in _NEW_BASELINE.get():  # being re-based: the recorded hash is replaced
        expected = None
    if expected is not None and not (isinstance(expected, str) and _SHA256.fullmatch(expected)):
        raise ScenarioError(path, [Problem(path=("baseline_sha256",), key="variant_hash_invalid", value=expected,
                                           line=lines.line_of(("baseline_sha256",)), context={"variant": path})])
    baseline_path = resolve_reference(path, data["variant_of"], ("variant_of",), SCENARIO_SUFFIXES, root,
                                      line=lines.line_of(("variant_of",)), missing_key="variant_baseline_missing")
    if baseline_path in chain:
        circle = " → ".join(os.path.relpath(p, root) for p in (*chain, baseline_path))
        raise ScenarioError(path, [Problem(path=("variant_of",), key="variant_cycle", value=data["variant_of"],
                                           line=lines.line_of(("variant_of",)), context={"chain": circle})])
    baseline, sha256, baseline_lines = read_file(baseline_path)  # its own problems name the baseline file
    if read is not None:
        # named as the variant names it (the path checked and read is the resolved one)
        read.append(InputFile("baseline", Path(os.path.normpath(path.parent / str(data["variant_of"]).strip())), sha256))
    if expected is not None and expected.lower() != sha256:
        raise ScenarioError(path, [Problem(path=("baseline_sha256",), key="variant_baseline_changed",
                                           line=lines.line_of(("baseline_sha256",)),
                                           context={"baseline": baseline_path, "variant": path})])
    if isinstance(baseline, dict) and "variant_of" in baseline:
        baseline = _variant_data(baseline_path, baseline, root, (*chain, baseline_path), baseline_lines, read)
    return baseline_path, baseline


def _relative_to(baseline: dict, baseline_path: Path, variant_path: Path) -> dict:
    """The baseline's own file references (a budget's ``history``, ``bases`` and the tariffs
    its ``plans`` pay for, a programme's ``budget``, a tariff's ``assets_from``) made relative
    to the variant, which may stand in another folder."""
    fields = _REFERENCE_FIELDS.get(baseline.get("kind"), ()) if isinstance(baseline, dict) else ()
    here, there = Path(variant_path).parent.resolve(), baseline_path.parent
    if here == there:
        return baseline

    def moved(name):
        if not isinstance(name, str) or Path(name).is_absolute():
            return name
        return Path(os.path.relpath(there / name, here)).as_posix()

    out = dict(baseline)
    for field in fields:
        value = out.get(field)
        if field == "plans" and isinstance(value, dict):  # line -> {tariffs: [files], source}
            out[field] = {line: ({**link, "tariffs": [moved(n) for n in link["tariffs"]]}
                                 if isinstance(link, dict) and isinstance(link.get("tariffs"), list) else link)
                          for line, link in value.items()}
        elif isinstance(value, dict) and "passport" in value:  # assets_from: {passport, objects}
            out[field] = {**value, "passport": moved(value["passport"])}
        elif value is not None:
            out[field] = moved(value)
    if baseline.get("kind") is None and isinstance(out.get("categories"), list):  # a category's heads_from
        out["categories"] = [
            {**c, "heads_from": {**c["heads_from"], "economic_base": moved(c["heads_from"].get("economic_base"))}}
            if isinstance(c, dict) and isinstance(c.get("heads_from"), dict) else c for c in out["categories"]]
    return out


_KIND = re.compile(r"""(?m)^kind\s*[:=]\s*["']?([\w-]+)""")
_SCHEMA_VERSION = re.compile(r"(?m)^schema_version\s*[:=]")


def declares_plan(text: str) -> bool:
    """Whether a file's text is a plan file of some kind (it declares ``schema_version``)
    or a variant of one (it names its baseline in ``variant_of``)."""
    return bool(_SCHEMA_VERSION.search(text) or _VARIANT_OF.search(text))
_VARIANT_OF = re.compile(r"""(?m)^variant_of\s*[:=]\s*["']?([^"'#\r\n]+?)["']?\s*(#.*)?$""")


def file_kind(path: str | Path) -> str:
    """``tariff``, ``budget`` or ``programme``: what a file describes, following a variant's
    ``variant_of`` to its baseline. Read from the text only, so that even a broken file is
    sent to the command that can explain its problems; a baseline the loader would refuse
    (outside the folder, a device, a circle) is not followed, and the loader says why."""
    path = Path(path)
    root = path.parent.resolve()
    seen = set()
    for _ in range(100):  # a variant names its baseline, which may itself be a variant
        try:
            text = read_input(path).decode("utf-8", errors="replace")
        except ScenarioError:
            break
        kind = _KIND.search(text)
        if kind is not None:
            return kind.group(1)
        found = _VARIANT_OF.search(text)
        if found is None:
            break
        try:
            path = resolve_reference(path, found.group(1).strip(), ("variant_of",), SCENARIO_SUFFIXES, root)
        except ScenarioError:
            break
        if path in seen:
            break
        seen.add(path)
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
    """Parse a YAML or TOML file into ``(data, sha256, line map)`` with clear errors.

    Only a regular file of at most :data:`~okmo_models.references.MAX_INPUT_BYTES` is read
    (not a device such as ``/dev/zero``, nor a pipe, which would never end).
    """
    path = Path(path)
    raw = read_input(path)
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ScenarioError(path, [Problem(key="file_not_utf8", context={"position": exc.start})]) from None
    sha256 = hashlib.sha256(raw).hexdigest()
    key = (path.suffix.lower() == ".toml", sha256)
    parsed = _PARSED.get(key)
    if parsed is None:
        data, lines = parse_text(path, text)
        with _PARSED_LOCK:  # a Dask worker reads files in several threads
            _PARSED[key] = (pickle.dumps(data, pickle.HIGHEST_PROTOCOL), lines)
            while len(_PARSED) > _PARSED_LIMIT:
                del _PARSED[next(iter(_PARSED))]  # the oldest
        return data, sha256, lines
    # the same bytes parse to the same data: each caller gets its own copy to change
    return pickle.loads(parsed[0]), sha256, parsed[1]


# Files already parsed in this process (a batch reads the same passport for every tariff
# that depreciates its assets), keyed by their bytes' hash, never by name or time: a file
# changed on disk is parsed again. Only files that parsed without a problem are kept.
_PARSED: dict[tuple[bool, str], tuple[bytes, "_LineMap"]] = {}
_PARSED_LIMIT = 256
_PARSED_LOCK = threading.Lock()


# --- parsing -------------------------------------------------------------------------


class _LineMap:
    """Finds the line of a field path in a YAML document (none for TOML). The document is
    composed when a line is first asked for (only to name a problem's line, so a file read
    without a problem costs nothing more); callers get line numbers, never its nodes."""

    def __init__(self, text: str | None = None):
        self.text = text
        self._root = None

    def line_of(self, path: tuple) -> int | None:
        if self._root is None and self.text is not None:
            self._root = yaml.compose(self.text, Loader=_Loader)
        node, line = self._root, None
        if node is None:
            return None
        for part in path:
            if isinstance(node, yaml.MappingNode):
                for key_node, value_node in node.value:
                    if key_node.value == str(part):  # a year key is an int in the data
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


# PyYAML's problem texts -> our message keys (locales/messages.yaml)
_YAML_PROBLEMS = (
    ("could not determine a constructor for the tag", "yaml_tag_unknown"),
    ("found character '\\t'", "yaml_tab"),
    ("found undefined alias", "yaml_alias_unknown"),
    ("found unexpected end of stream", "yaml_unclosed_quote"),
    ("mapping values are not allowed here", "yaml_colon"),
)


def parse_text(path: Path, text: str):
    """``(data, line map)`` of YAML or TOML ``text`` read from ``path`` (its suffix decides)."""
    if path.suffix.lower() == ".toml":
        try:
            return tomllib.loads(text), _LineMap()
        except tomllib.TOMLDecodeError as exc:
            where = re.search(r"at line (\d+), column (\d+)", str(exc))
            raise ScenarioError(path, [Problem(key="file_not_toml", line=int(where.group(1)) if where else None,
                                               context={"detail": str(exc),
                                                        "column": where.group(2) if where else "?"})]) from None
    try:
        _check_aliases(path, text)
        # Parse once: compose the node tree (it keeps line numbers), then build the data.
        loader = _Loader(text)
        try:
            root = loader.get_single_node()
            duplicates = list(_duplicate_keys(root, ()))
            if duplicates:
                raise ScenarioError(path, duplicates)
            data = _constructed(loader, root, text) if root is not None else None
        finally:
            loader.dispose()
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        detail = getattr(exc, "problem", None) or str(exc)
        # the parser's own words are English: the commonest problems get ours, the rest
        # the line and column (the English detail only in the English message)
        key = next((k for pattern, k in _YAML_PROBLEMS if pattern in detail), "file_not_yaml")
        tag = re.search(r"tag '([^']*)'", detail)
        problem = Problem(
            key=key,
            line=mark.line + 1 if mark else None,
            context={"detail": detail, "column": mark.column + 1 if mark else "?",
                     "tag": tag.group(1) if tag else ""},
        )
        raise ScenarioError(path, [problem]) from None
    if data is None:
        raise ScenarioError(path, [Problem(key="file_empty")])
    return data, _LineMap(text)


_STR, _MAP, _SEQ = "tag:yaml.org,2002:str", "tag:yaml.org,2002:map", "tag:yaml.org,2002:seq"


class _NotPlain(Exception):
    """A document holds what only PyYAML's constructor builds right (an alias, a merge key)."""


def _constructed(loader, root, text: str):
    """``loader.construct_document(root)``, built straight from the node tree when the
    document is plain mappings, lists and scalars (every plan file): a text scalar is its
    text, any other scalar is made by the loader's own constructor, so the data is the same
    at a third of the cost. Anything else, or any problem, is left to the constructor of a
    fresh loader, which then says what it says (the same first problem) as before."""
    try:
        return _plain(loader, root, set())
    except Exception:  # noqa: BLE001 - whatever it is, the constructor raises it in its own order
        fresh = _Loader(text)
        try:
            return fresh.construct_document(fresh.get_single_node())
        finally:
            fresh.dispose()


def _plain(loader, node, seen: set):
    if isinstance(node, yaml.ScalarNode):
        return node.value if node.tag == _STR else loader.construct_object(node)
    if id(node) in seen:  # an alias of a list or mapping: the constructor shares the object
        raise _NotPlain
    seen.add(id(node))
    if isinstance(node, yaml.SequenceNode) and node.tag == _SEQ:
        return [_plain(loader, item, seen) for item in node.value]
    if not (isinstance(node, yaml.MappingNode) and node.tag == _MAP):
        raise _NotPlain  # !!set, !!omap, an unknown tag...
    out = {}
    for key_node, value_node in node.value:
        if not isinstance(key_node, yaml.ScalarNode) or key_node.tag in ("tag:yaml.org,2002:merge",
                                                                         "tag:yaml.org,2002:value"):
            raise _NotPlain
        key = key_node.value if key_node.tag == _STR else loader.construct_object(key_node)
        out[key] = _plain(loader, value_node, seen)
    return out


# Values that YAML aliases (*name) may repeat in all: far more than any scenario needs,
# far less than a "billion laughs" file of a few hundred bytes would expand to.
ALIAS_LIMIT = 100_000


def _check_aliases(path: Path, text: str) -> None:
    """Refuse an alias that refers to the block it stands in (an endless document) or that
    makes aliases repeat more than :data:`ALIAS_LIMIT` values, before anything is expanded:
    one pass over the parser's events, counting each anchored block's size once."""
    if "&" not in text:  # no anchor, nothing an alias could repeat
        return
    sizes: dict[str, int] = {}  # anchor -> values in its block, aliases expanded
    open_blocks: list[list] = []  # [anchor, size so far] of each mapping or list being read
    repeated = 0
    for event in yaml.parse(text, Loader=_Loader):
        if isinstance(event, (yaml.MappingStartEvent, yaml.SequenceStartEvent)):
            open_blocks.append([event.anchor, 1])
            continue
        if isinstance(event, (yaml.MappingEndEvent, yaml.SequenceEndEvent)):
            anchor, size = open_blocks.pop()
            if anchor is not None:
                sizes[anchor] = size
        elif isinstance(event, yaml.ScalarEvent):
            size = 1
            if event.anchor is not None:
                sizes[event.anchor] = 1
        elif isinstance(event, yaml.AliasEvent):
            line = event.start_mark.line + 1
            if any(anchor == event.anchor for anchor, _ in open_blocks):
                raise ScenarioError(path, [Problem(key="yaml_alias_recursive", value=f"*{event.anchor}", line=line,
                                                   context={"anchor": event.anchor})])
            size = sizes.get(event.anchor, 1)
            repeated += size
            if repeated > ALIAS_LIMIT:
                raise ScenarioError(path, [Problem(key="yaml_alias_too_large", value=f"*{event.anchor}", line=line,
                                                   context={"anchor": event.anchor,
                                                            "limit": f"{ALIAS_LIMIT:,}".replace(",", " ")})])
        else:
            continue
        if open_blocks:
            open_blocks[-1][1] += size


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
    p = problem_of(error, data)
    if error["type"] == "extra_forbidden" and len(p.path) >= 2 and p.path[-2] in _TEXT_FIELDS:
        # {ru: Связь, банк} reads as two keys: the comma, not a typo, is the usual cause
        p = dataclasses.replace(p, key="comma_in_flow_text")
    elif error["type"] == "extra_forbidden" and str(p.value)[:1].isdigit():
        # {value: 1,5 %} splits at the decimal comma into "1" and a key "5 %"
        p = dataclasses.replace(p, key="comma_in_flow_number")
    return dataclasses.replace(p, line=lines.line_of(p.path))

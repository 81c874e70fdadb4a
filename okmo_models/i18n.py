"""User-facing words in Russian, Kyrgyz and English.

All text a user reads (error messages, table headings, labels of cost lines and
categories) lives in ``locales/*.yaml`` (``messages.yaml`` for the core, one file per
larger area), the three languages side by side so a translator sees what is missing.
Code refers to messages by key only; a key defined in two files is an error.
"""

from __future__ import annotations

import hashlib
import os
from functools import lru_cache
from importlib import resources

import yaml

_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
LANGUAGES = ("ru", "ky", "en")
DEFAULT_LANGUAGE = "ru"


@lru_cache(maxsize=1)
def _messages() -> dict[str, dict[str, str]]:
    folder = resources.files("okmo_models").joinpath("locales")
    files = [(e.name, e.read_bytes()) for e in sorted(folder.iterdir(), key=lambda e: e.name)
             if e.name.endswith(".yaml")]
    digest = hashlib.sha256(b"".join(name.encode() + b"\0" + data for name, data in files)).hexdigest()
    cached = _read_cache(digest)
    if cached is not None:
        return cached
    merged: dict[str, dict[str, str]] = {}
    for name, data in files:
        # libyaml when present: the pure-Python parser took ~2 s of every command's start
        messages = _load(data.decode("utf-8")) or {}
        twice = set(messages) & set(merged)
        if twice:
            raise RuntimeError(f"locales/{name} repeats message keys: {', '.join(sorted(twice))}")
        merged.update(messages)
    _write_cache(digest, merged)
    return merged


# The messages parsed from YAML are kept as JSON in the user's cache folder, named by the
# SHA-256 of the locale files: reading them back takes a tenth of parsing the YAML, which was
# a quarter of every command's own start-up (benchmarks/bench_startup.py). A cache that
# cannot be read or written is simply not used.
def _cache_file(digest: str):
    from pathlib import Path

    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "okmo-models" / f"messages-{digest}.json"


def _read_cache(digest: str):
    import json

    try:
        data = json.loads(_cache_file(digest).read_bytes())
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) else None


def _write_cache(digest: str, messages: dict) -> None:
    import json
    import tempfile

    target = _cache_file(digest)
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile("w", encoding="utf-8", dir=target.parent, delete=False,
                                         prefix=".messages-", suffix=".tmp") as tmp:
            json.dump(messages, tmp, ensure_ascii=False)
        os.replace(tmp.name, target)  # whole or not at all: a reader never sees half a file
        for old in target.parent.glob("messages-*.json"):  # an earlier version's messages
            if old != target:
                old.unlink(missing_ok=True)
    except OSError:
        try:
            os.unlink(tmp.name)
        except (OSError, UnboundLocalError):
            pass


_STR, _MAP = "tag:yaml.org,2002:str", "tag:yaml.org,2002:map"


class _NotPlain(Exception):
    """A locale file holds more than mappings of plain text."""


def _load(text: str):
    """``yaml.load(text, Loader=_LOADER)``. A file that is mappings of text only (every
    locale file) is built straight from libyaml's node tree, which takes half the time of
    PyYAML's constructor on every command's start; anything else (a number, a list, an
    alias, a merge key) goes to the constructor, so the result is the same either way."""
    root = yaml.compose(text, Loader=_LOADER)
    if root is None:
        return None
    try:
        return _plain(root, set())
    except _NotPlain:
        return yaml.load(text, Loader=_LOADER)


def _plain(node, seen: set):
    if id(node) in seen:  # an alias: the constructor shares the object, leave it to it
        raise _NotPlain
    seen.add(id(node))
    if node.tag == _STR and isinstance(node, yaml.ScalarNode):
        return node.value
    if node.tag != _MAP or not isinstance(node, yaml.MappingNode):
        raise _NotPlain
    out = {}
    for key, value in node.value:
        if key.tag != _STR or not isinstance(key, yaml.ScalarNode) or id(key) in seen:
            raise _NotPlain
        seen.add(id(key))
        out[key.value] = _plain(value, seen)  # a key given twice: the last one, as yaml.load
    return out


def default_language() -> str:
    """The language from ``OKMO_LANG`` if it names one we have, else Russian."""
    lang = os.environ.get("OKMO_LANG", DEFAULT_LANGUAGE).strip().lower()
    return lang if lang in LANGUAGES else DEFAULT_LANGUAGE


def t(key: str, lang: str | None = None, /, **context) -> str:
    """The message ``key`` in ``lang`` with ``{placeholders}`` filled from ``context``.

    Falls back to Russian, then to the key itself, so a missing translation shows
    something readable instead of failing.
    """
    lang = lang or default_language()
    entry = _messages().get(key)
    if entry is None:
        return key
    template = entry.get(lang) or entry.get(DEFAULT_LANGUAGE) or key
    try:
        return template.format(**context)
    except (KeyError, IndexError, ValueError):
        return template


def has(key: str) -> bool:
    return key in _messages()

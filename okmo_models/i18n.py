"""User-facing words in Russian, Kyrgyz and English.

All text a user reads (error messages, table headings, labels of cost lines and
categories) lives in ``locales/*.yaml`` (``messages.yaml`` for the core, one file per
larger area), the three languages side by side so a translator sees what is missing.
Code refers to messages by key only; a key defined in two files is an error.
"""

from __future__ import annotations

import os
from functools import lru_cache
from importlib import resources

import yaml

_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
LANGUAGES = ("ru", "ky", "en")
DEFAULT_LANGUAGE = "ru"


@lru_cache(maxsize=1)
def _messages() -> dict[str, dict[str, str]]:
    merged: dict[str, dict[str, str]] = {}
    folder = resources.files("okmo_models").joinpath("locales")
    for entry in sorted(folder.iterdir(), key=lambda e: e.name):
        if not entry.name.endswith(".yaml"):
            continue
        # libyaml when present: the pure-Python parser took ~2 s of every command's start
        messages = _load(entry.read_text("utf-8")) or {}
        twice = set(messages) & set(merged)
        if twice:
            raise RuntimeError(f"locales/{entry.name} repeats message keys: {', '.join(sorted(twice))}")
        merged.update(messages)
    return merged


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

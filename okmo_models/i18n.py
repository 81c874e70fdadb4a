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
        messages = yaml.load(entry.read_text("utf-8"), Loader=_LOADER) or {}
        twice = set(messages) & set(merged)
        if twice:
            raise RuntimeError(f"locales/{entry.name} repeats message keys: {', '.join(sorted(twice))}")
        merged.update(messages)
    return merged


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

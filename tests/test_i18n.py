"""Every message a user may read exists in Russian, Kyrgyz and English, with the same
placeholders in each language (a placeholder missing in one language would print wrong)."""

import re

import pytest

from okmo_models.i18n import LANGUAGES, _messages


def test_every_message_has_three_languages_with_the_same_placeholders():
    missing, mismatched = [], []
    for key, entry in _messages().items():
        if not isinstance(entry, dict) or set(LANGUAGES) - set(entry):
            missing.append(key)
            continue
        fields = {lang: set(re.findall(r"\{(\w+)\}", str(entry[lang]))) for lang in LANGUAGES}
        if len({frozenset(f) for f in fields.values()}) > 1:
            mismatched.append((key, fields))
    assert not missing, missing
    assert not mismatched, mismatched


def test_every_problem_key_in_the_code_has_its_message():
    """A problem raised with a key that no locale defines shows the raw key to the reader
    (issue 19: plan_link_not_tariff reached the terminal as it is). Keys built at run time
    (``prefix_`` + a code) are checked by the tests of their rule."""
    import re
    from pathlib import Path

    from okmo_models.i18n import has

    package = Path(__file__).resolve().parents[1] / "okmo_models"
    used = {(m.group(1), p.name) for p in package.rglob("*.py")
            for m in re.finditer(r'key="([a-z][a-z0-9_]*[a-z0-9])"', p.read_text("utf-8"))}
    assert sorted((k, f) for k, f in used if not has(k)) == []


def test_messages_read_back_from_the_cache_are_the_parsed_ones(tmp_path, monkeypatch):
    """Start-up reads the messages from a JSON cache named by the locale files' SHA-256
    (issue 21); the cache must hold exactly what parsing the YAML gives, and a damaged or
    unwritable cache is not used."""
    from okmo_models import i18n

    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    i18n._messages.cache_clear()
    parsed = i18n._messages()  # parsed and written
    files = list((tmp_path / "okmo-models").glob("messages-*.json"))
    assert len(files) == 1
    i18n._messages.cache_clear()
    monkeypatch.setattr(i18n, "_load", lambda text: pytest.fail("parsed again instead of read"))
    assert i18n._messages() == parsed  # read back, identical
    files[0].write_text('{"half', "utf-8")  # damaged: parsed again
    monkeypatch.undo()
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    i18n._messages.cache_clear()
    assert i18n._messages() == parsed
    blocker = tmp_path / "a-file"  # the cache folder cannot be made under a file: still works
    blocker.write_text("", "utf-8")
    monkeypatch.setenv("XDG_CACHE_HOME", str(blocker))
    i18n._messages.cache_clear()
    try:
        assert i18n._messages() == parsed
    finally:
        i18n._messages.cache_clear()

"""Every message a user may read exists in Russian, Kyrgyz and English, with the same
placeholders in each language (a placeholder missing in one language would print wrong)."""

import re

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

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

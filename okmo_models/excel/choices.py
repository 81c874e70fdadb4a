"""The reader's words for the codes a workbook offers: choices, mapping keys and units.

A scenario file keeps codes (``labour``, ``municipal_enterprise``, ``som/household/month``);
a workbook shows them in the reader's language (``Оплата труда``, ``Муниципальное
предприятие``, ``сом/домохоз./мес.``) in its cells and drop-downs, and the import reads the
words of any of the three languages, or the code itself, back to the same code. So a
template filled in Russian and one filled in Kyrgyz import to the same scenario.
"""

from __future__ import annotations

import re
from functools import lru_cache

from okmo_models.formatting import format_unit
from okmo_models.i18n import LANGUAGES, has, t

# The message key prefix of each choice, by (sheet, input key); "@key" is a mapping's key,
# "@value" the value of a mapping of plain values. A code without a message is shown as is.
_PREFIXES = {
    ("general", "service"): "service_",
    ("general", "unit"): "b_unit_",
    ("general", "kind"): "wt_kind_",
    ("operator", "type"): "operator_",
    ("rounding", "mode"): "tariff_rounding_mode_",
    ("cost_lines", "line"): "line_",
    ("cost_lines", "uncertainty.distribution"): "wt_distribution_",
    ("assets", "owner"): "wt_owner_",
    ("categories", "kind"): "kind_",
    ("categories", "policy"): "policy_",
    ("categories", "fixed_tariff_taxes"): "wt_taxes_",
    ("waste", "basis"): "wt_basis_",
    ("vulnerable", "financing"): "wt_financing_",
    ("investments.items.financing", "type"): "wt_investment_",
    ("sharing", "key"): "key_",
    ("revenue", "@key"): "line_b_",
    ("expenditure", "@key"): "line_b_",
    ("rules.source_limits", "@key"): "funding_",
    ("measures.funding", "kind"): "funding_",
    ("methods", "@value"): "b_method_",
}


# Budget sheets keyed by a budget line without a fixed list of their own (a method, an
# elasticity, a set amount per line): the line is shown by its name and read back to its code.
_LINE_KEYED = ("methods", "fixed", "plans", "population.elasticity", "cpi_elasticity")
for _section in _LINE_KEYED:
    _PREFIXES[(_section, "@key")] = "line_b_"

# Text inputs that hold a unit code, by (sheet, input key): shown and read as units. An
# indicator counts things, so its unit reads back to the plural where a word is shared
# ("орун" is "places", not "place").
UNIT_TEXTS = {("categories", "billing_unit"): (),
              ("measures.indicators", "unit"): ("persons", "households", "heads", "pieces", "places", "sites",
                                                "trips", "dippings")}


def unit_codes(section: str, key: str) -> tuple | None:
    """The units a unit text of (sheet, input) reads first, or None if it is no unit."""
    return UNIT_TEXTS.get((section, key))


# Text inputs naming a budget line (a scenario's change to one line) or a programme's sector.
_PREFIXES[("scenarios.changes", "line")] = "line_b_"
_PREFIXES[("measures", "sector")] = "prr_sector_"
# Animals named by their species (a category's herd, the dipping bath's coefficients).
_PREFIXES[("categories.heads", "@key")] = "species_"
_PREFIXES[("dipping_bath.species_coefficients", "@key")] = "species_"

# The settlement passport and the economic base (issue 19), in the words of their reports
# (locales/passport.yaml, economic_base.yaml). What a revenue term is reckoned "of" depends
# on its base (a land category, a species, a kind of business): read back from the words of
# every list (a code has one meaning in all), shown in the words of its base's list.
_PREFIXES.update({
    ("objects", "type"): "pp_type_",
    ("objects", "condition"): "pp_condition_",
    ("objects", "owner"): "pp_owner_",
    ("objects", "service"): "service_",
    ("objects.repairs", "kind"): "pp_repair_",
    ("priority.condition", "@key"): "pp_condition_",
    ("land", "category"): "eb_land_",
    ("land", "user"): "eb_user_",
    ("livestock", "species"): "species_",
    ("businesses", "kind"): "eb_business_",
    ("revenue_bases", "@key"): "line_b_",
    ("revenue_bases", "base"): "eb_base_",
    ("revenue_bases", "of"): ("eb_land_", "species_", "eb_business_", "eb_"),  # eb_conventional
})
# Inputs whose words depend on another input of the same row: (sheet, input) -> (that input,
# its value -> the prefixes of the words).
_BY_ROW = {("revenue_bases", "of"): ("base", {"land": ("eb_land_",), "livestock": ("species_", "eb_"),
                                             "businesses": ("eb_business_",)})}


def _budget_lines() -> tuple:
    from okmo_models.budget.schema import EXPENDITURE_LINES, REVENUE_LINES

    return tuple(dict.fromkeys((*REVENUE_LINES, *EXPENDITURE_LINES)))


def _sectors() -> tuple:
    from okmo_models.programme.schema import SECTORS

    return SECTORS


def _species() -> tuple:
    from okmo_models.scenario.schema import SPECIES

    return SPECIES


def _revenue_lines() -> tuple:
    from okmo_models.budget.schema import REVENUE_LINES

    return REVENUE_LINES


def _revenue_bases() -> tuple:
    """What a revenue term may be reckoned of: a land category, a species (or all livestock
    in conventional heads), a kind of business."""
    from okmo_models.economic_base.schema import BUSINESS_KINDS, LAND_CATEGORIES

    return tuple(dict.fromkeys((*LAND_CATEGORIES, *_species(), "conventional", *BUSINESS_KINDS)))


_TEXT_CODES = {("budget", "scenarios.changes", "line"): _budget_lines,
               ("programme", "measures", "sector"): _sectors,
               ("economic_base", "revenue_bases", "of"): _revenue_bases}
_KEY_CODES = {("tariff", "categories.heads"): _species, ("tariff", "dipping_bath.species_coefficients"): _species,
              ("economic_base", "revenue_bases"): _revenue_lines}


def key_codes(kind: str, section) -> tuple:
    """The codes a mapping's key column takes: its own list, the budget's lines, the
    species of animals."""
    if section.key_choices:
        return tuple(section.key_choices)
    if kind == "budget" and section.id in _LINE_KEYED:
        return _budget_lines()
    codes = _KEY_CODES.get((kind, section.id))
    return codes() if codes else ()


def text_codes(kind: str, section: str, key: str) -> tuple:
    """The codes a text input names (a budget line, a sector), else none."""
    codes = _TEXT_CODES.get((kind, section, key))
    return codes() if codes else ()


def choice_label(section: str, key: str, code, lang: str):
    """The reader's word for ``code``, a choice of input ``key`` on sheet ``section``."""
    prefixes = _PREFIXES.get((section, key))
    if prefixes is None or not isinstance(code, str):
        return code
    for prefix in (prefixes,) if isinstance(prefixes, str) else prefixes:
        if has(prefix + code):
            return t(prefix + code, lang)
    return code


def row_choice_label(section: str, key: str, code, item, lang: str):
    """The reader's word for ``code`` in a row ``item`` (a term's "of" in its base's words)."""
    depends = _BY_ROW.get((section, key))
    if depends is None or not isinstance(item, dict) or not isinstance(code, str):
        return choice_label(section, key, code, lang)
    on, prefixes = depends
    for prefix in prefixes.get(item.get(on), ()):
        if has(prefix + code):
            return t(prefix + code, lang)
    return choice_label(section, key, code, lang)


def choice_labels(section: str, key: str, codes: tuple, lang: str) -> tuple:
    """The drop-down of a choice: its codes as the reader's words."""
    return tuple(choice_label(section, key, c, lang) for c in codes)


def _plain(text: str) -> str:
    return " ".join(str(text).split()).casefold()


@lru_cache(maxsize=None)
def _codes_by_word(section: str, key: str, codes: tuple) -> dict:
    words = {}
    for code in codes:
        for lang in LANGUAGES:
            words.setdefault(_plain(choice_label(section, key, code, lang)), code)
    for code in codes:  # the code itself is read too (files written before, or typed)
        words[_plain(code)] = code
    return words


def choice_code(section: str, key: str, value, codes: tuple):
    """The code a cell names: a word of any language or the code; else ``value`` unchanged
    (the schema then names the choices)."""
    if not isinstance(value, str):
        return value
    return _codes_by_word(section, key, tuple(codes)).get(_plain(value), value)


# --- units ---------------------------------------------------------------------------------


def unit_text(unit, lang: str):
    """A unit code as the reader writes it (``som/household/month`` -> ``сом/домохоз./мес.``)."""
    return format_unit(unit, lang) if isinstance(unit, str) else unit


@lru_cache(maxsize=None)
def _units_by_word(codes: tuple) -> dict:
    words = {}
    for code in codes:
        for lang in LANGUAGES:
            words.setdefault(_plain(unit_text(code, lang)), code)
    return words


def unit_code(text, codes: tuple):
    """The unit code of a unit cell: the reader's words of one of ``codes`` (or of the
    workbook's usual units), else the text as typed, for the unit parser to read."""
    if not isinstance(text, str):
        return text
    from okmo_models.excel.layout import UNIT_SUGGESTIONS

    plain = _plain(text)
    for pool in (tuple(codes), UNIT_SUGGESTIONS):
        if plain in _units_by_word(pool):
            return _units_by_word(pool)[plain]
    # a unit the lists do not hold ("домохоз./мес."): word by word
    tokens = _units_by_word(_tokens(tuple(codes)))
    parts = [tokens.get(part.strip()) for part in plain.split("/")]
    return "/".join(parts) if all(parts) else text


@lru_cache(maxsize=None)
def _tokens(codes: tuple) -> tuple:
    from okmo_models.excel.layout import UNIT_SUGGESTIONS

    from okmo_models.formatting import UNIT_WORDS

    words = {part for unit in (*codes, *UNIT_SUGGESTIONS) for part in unit.split("/")}
    return tuple(sorted(words | set(UNIT_WORDS)))


# --- codes shown as examples -----------------------------------------------------------------

_CODE = re.compile(r"^[A-Za-z][A-Za-z0-9_.-]*$")


def quoted_code(value):
    """An example that is a code (a source's key, a category's id) in «quotes»: what the
    reader would type, not a word of the text around it."""
    if isinstance(value, str) and _CODE.match(value) and not value.isdigit():
        return f"«{value}»"
    return value

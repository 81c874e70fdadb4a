"""The words registers are written in: column headings, Social Passport categories, species.

Exports from Sanarip Aimak, the Social Passport system or a veterinary register differ from
one aiyl okmotu to the next, in Russian or Kyrgyz. Each field is declared once here with the
headings and values accepted for it; the reader, the error messages and docs/registers.md
use these lists. Comparison ignores case, ``ё``/``е``, punctuation, hyphens and repeated
spaces, and reads ``ү ө ң`` like ``у о н`` (exports made without Kyrgyz fonts).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

FOLDED_LETTERS = str.maketrans({"ё": "е", "ү": "у", "ө": "о", "ң": "н", "һ": "х"})
SEPARATORS = re.compile(r"[\s.,:;()\[\]{}\"'«»“”„`_/\\*\-‐‑‒–—]+")


def fold(text: object) -> str:
    """``"Кол-во  членов (семьи)"`` -> ``"кол во членов семьи"``: the form headings and values
    are compared in.

    >>> fold("Үй-бүлө мүчөлөрүнүн саны")
    'уй було мучолорунун саны'
    """
    return " ".join(SEPARATORS.sub(" ", str(text).casefold().translate(FOLDED_LETTERS)).split())


# --- column headings ----------------------------------------------------------------------

HOUSEHOLD_ID = (
    "№ хозяйства", "Номер хозяйства", "Код хозяйства", "ID хозяйства", "№ домохозяйства",
    "Номер домохозяйства", "Код домохозяйства", "Үй чарбасынын коду", "Үй чарбанын коду",
    "Үй чарбасынын номери", "Үй чарбасынын №", "Үй чарба №", "Household ID", "Household code",
    "Household",
)
SETTLEMENT = (
    "Населённый пункт", "Нас. пункт", "Село", "Айыл", "Айылы", "Калктуу конуш", "Кыштак",
    "Settlement", "Village",
)

HOUSEHOLD_COLUMNS: dict[str, tuple[str, ...]] = {
    "household_id": HOUSEHOLD_ID,
    "settlement": SETTLEMENT,
    "members": (
        "Кол-во членов", "Кол-во членов семьи", "Количество членов", "Количество членов семьи",
        "Число членов семьи", "Число членов", "Членов семьи", "Члены семьи", "Состав семьи",
        "Кол-во человек", "Количество человек", "Кол-во проживающих", "Количество проживающих",
        "Үй-бүлө мүчөлөрүнүн саны", "Үй-бүлө мүчөлөрү", "Мүчөлөрүнүн саны", "Мүчөлөрдүн саны",
        "Адам саны", "Members", "Household members", "Household size", "Persons",
    ),
    "category": (
        "Категория соц. паспорта", "Категория социального паспорта", "Соц. категория",
        "Социальная категория", "Льготная категория", "Категория льготы", "Льгота", "Категория",
        "Социалдык паспорттун категориясы", "Соц. паспорттун категориясы", "Социалдык категория",
        "Категориясы", "Жеңилдик категориясы", "Social Passport category", "Social category",
        "Category",
    ),
}
HOUSEHOLD_REQUIRED = ("household_id", "members", "category")

LIVESTOCK_COLUMNS: dict[str, tuple[str, ...]] = {
    # the owner is named by the household code when the register has one, else by name
    "owner_id": HOUSEHOLD_ID,
    "owner_name": (
        "Владелец", "Владелец скота", "ФИО владельца", "ФИО", "Хозяин", "Ээси", "Мал ээси",
        "Малдын ээси", "Ээсинин аты-жөнү", "Аты-жөнү", "Owner", "Owner name",
    ),
    "settlement": SETTLEMENT,
    "species": (
        "Вид", "Вид животных", "Вид животного", "Вид скота", "Вид с/х животных", "Мал түрү",
        "Малдын түрү", "Жаныбардын түрү", "Түрү", "Species", "Animal", "Animals",
    ),
    "heads": (
        "Количество голов", "Кол-во голов", "Поголовье", "Голов", "Количество", "Кол-во",
        "Баш саны", "Мал башы", "Саны", "Heads", "Head", "Number of heads", "Count",
    ),
}

# Unit words that may follow a heading: "Кол-во членов (чел.)", "Овцы, гол.", "Кой (баш)".
# They are dropped only when the heading is not recognised with them.
HEADING_UNIT_WORDS = {"гол", "голов", "голова", "баш", "башы", "head", "heads", "чел", "человек",
                      "адам", "persons"}

# A register export often has a title above the heading row; it is looked for this far down.
MAX_TITLE_ROWS = 10


# --- Social Passport categories -----------------------------------------------------------


@dataclass(frozen=True)
class Category:
    """A Social Passport category: ``names`` are matched whole, ``stems`` anywhere inside."""

    key: str
    names: tuple[str, ...]
    stems: tuple[str, ...] = ()


# Categories named in the Social Passport description of seed 000 (Alamudun AO: persons with
# disabilities, lone pensioners, "Үй-бүлөгө көмөк", Chernobyl liquidators, veterans of the war
# in Afghanistan, "and other social categories"); large families and "other" added as
# common in municipal lists.
SOCIAL_PASSPORT = (
    Category("lone_pensioner",
             ("Одинокий пенсионер", "Одинокие пенсионеры", "Одинокая пенсионерка",
              "Жалгыз бой пенсионер", "Жалгыз бой пенсионерлер", "Жалгыз пенсионер",
              "Lone pensioner", "Pensioner living alone"),
             # not "одинок" alone: "одинокая мать" (a single mother) is another category
             ("одинок пенсион", "одинокий пенсион", "одинокие пенсион", "одинокая пенсион",
              "жалгыз бой пенсион", "жалгыз пенсион", "living alone", "lone pension")),
    Category("uy_bulogo_komok",
             ("Үй-бүлөгө көмөк", "УБК", "ҮБК", "Пособие «Үй-бүлөгө көмөк»", "Малообеспеченная семья",
              "Малообеспеченные", "Аз камсыз болгон үй-бүлө", "Low-income family", "Uy-bulogo komok"),
             # not "көмөк" alone (help): "материалдык көмөк" is any material aid
             ("булого комок", "bulogo komok", "малообеспеч", "аз камсыз", "low income")),
    Category("disability",
             ("Лицо с инвалидностью", "Лица с инвалидностью", "Инвалид", "ЛОВЗ", "Лицо с ОВЗ",
              "Ден соолугунун мүмкүнчүлүгү чектелген адам", "ДМЧА", "Майып",
              "Person with disabilities", "Disabled"),
             ("инвалид", "овз", "мумкунчулугу чектелген", "майып", "disab")),
    Category("chernobyl",
             ("Ликвидатор ЧАЭС", "Участник ликвидации последствий аварии на ЧАЭС", "Чернобылец",
              "Чернобыль АЭСинин кыйроосунун кесепеттерин жоюунун катышуучусу", "Chernobyl liquidator"),
             ("чаэс", "чернобыл", "chernobyl")),
    Category("afghan_veteran",
             ("Ветеран войны в Афганистане", "Воин-интернационалист", "Ооган согушунун ардагери",
              "Afghan war veteran"),
             ("афган", "ооган", "afghan", "интернационалист")),
    Category("large_family",
             ("Многодетная семья", "Многодетные", "Көп балалуу үй-бүлө", "Large family"),
             ("многодет", "коп балалуу", "large famil")),
    Category("other", ("Прочие", "Другие", "Иные", "Башка", "Other")),
)
CATEGORY_KEYS = tuple(c.key for c in SOCIAL_PASSPORT)

# A cell meaning "no category".
NO_CATEGORY = ("", "-", "нет", "не относится", "не состоит", "жок", "none", "no", "0")
# Several categories in one cell: "Одинокий пенсионер; Инвалид".
CATEGORY_SEPARATORS = re.compile(r"[;,+]")

_CATEGORY_NAMES = {fold(n): c.key for c in SOCIAL_PASSPORT for n in (c.key, *c.names)}
_NO_CATEGORY = {fold(n) for n in NO_CATEGORY}


@lru_cache(maxsize=4096)  # a register repeats a handful of category texts in every row
def categories_in(text: str) -> tuple[frozenset[str], tuple[str, ...]]:
    """``({category keys}, (parts not recognised))`` for a category cell."""
    found: set[str] = set()
    unknown: list[str] = []
    for part in CATEGORY_SEPARATORS.split(str(text)):
        folded = fold(part)
        if folded in _NO_CATEGORY:
            continue
        keys = category_keys(folded)
        if len(keys) == 1:
            found |= keys
        else:
            unknown.append(part.strip())
    return frozenset(found), tuple(unknown)


def category_keys(text: str) -> set[str]:
    """The categories a name (a cell, a vulnerable group's name) speaks of: a whole name, or
    else every category one of whose stems occurs in it."""
    folded = fold(text)
    if folded in _CATEGORY_NAMES:
        return {_CATEGORY_NAMES[folded]}
    return {c.key for c in SOCIAL_PASSPORT if any(fold(s) in folded for s in c.stems)}


# --- species ------------------------------------------------------------------------------

# Keys as in the dipping-bath scenarios' ``species_coefficients`` and ``heads``.
SPECIES: dict[str, tuple[str, ...]] = {
    "sheep": ("Овцы", "Овца", "Овец", "Овцематки", "Бараны", "Кой", "Койлор", "Sheep"),
    "goats": ("Козы", "Коза", "Коз", "Эчки", "Эчкилер", "Goat", "Goats"),
    "cattle": ("КРС", "Крупный рогатый скот", "Коровы", "Корова", "Бодо мал", "Уй", "Уйлар",
               "Cattle", "Cow", "Cows"),
    "horses": ("Лошади", "Лошадь", "Лошадей", "Кони", "Жылкы", "Жылкылар", "Horse", "Horses"),
    "yaks": ("Яки", "Як", "Топоз", "Топоздор", "Yak", "Yaks"),
    "camels": ("Верблюды", "Верблюд", "Төө", "Camel", "Camels"),
    "pigs": ("Свиньи", "Свинья", "Чочко", "Pig", "Pigs"),
}
# Sheep and goats counted together cannot be split by the tool: the dipping-bath tariff
# weighs them differently.
MIXED_SPECIES = ("МРС", "Мелкий рогатый скот", "Овцы и козы", "Овцы, козы", "Кой-эчки",
                 "Майда мал", "Sheep and goats")

_SPECIES_NAMES = {fold(n): key for key, names in SPECIES.items() for n in (key, *names)}
_MIXED = {fold(n) for n in MIXED_SPECIES}


def species_key(text: object) -> str | None:
    """``"sheep"`` for "Овцы", "кой", "Овцы, гол."; ``"mixed"`` for "МРС"; None if unknown."""
    words = fold(text).split()
    while len(words) > 1 and words[-1] in HEADING_UNIT_WORDS:
        words.pop()
    folded = " ".join(words)
    if folded in _MIXED:
        return "mixed"
    return _SPECIES_NAMES.get(folded)


# --- plausibility -------------------------------------------------------------------------

# Bounds that catch a typo or a wrong column, not statistics: a rural household of more than
# 30 persons, or one owner's row of more than 20 000 heads, is not plausible in an aiyl aimak.
MAX_MEMBERS = 30
MAX_HEADS = 20_000

# First cell of a totals row at the bottom of an export.
TOTALS_WORDS = ("итого", "всего", "жыйынтыгы", "жыйынтык", "бардыгы", "баары", "total")

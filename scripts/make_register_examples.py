"""Write the invented example registers of Teploklyuchenka (deterministic; re-running gives the
same bytes).

    .venv/bin/python scripts/make_register_examples.py

- ``scenarios/teploklyuchenka/registers/households.csv``: a household register export as
  Excel saves "CSV UTF-8" in a Russian office (``;``, UTF-8 with BOM), 3 480 households,
  about 15 300 persons (the waste scenario has 3 450 households of 4.4 persons), with Social
  Passport categories close to the scenario's vulnerable groups (60 lone pensioners, 180
  families on "Үй-бүлөгө көмөк", 70 with a person with disabilities) and a few in categories
  the scenario does not use (Chernobyl liquidators, Afghan war veterans).
- ``scenarios/teploklyuchenka/registers/livestock.xlsx``: a veterinary register, one row per
  owner and species, Kyrgyz headings below a title row; about 16 000 sheep, 2 000 goats
  (the dipping-bath scenario's local category), 6 000 cattle and 2 500 horses (seed 001).

The benchmark imports the generator functions to make its 10 000-row registers.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import random
import re
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "scenarios" / "teploklyuchenka" / "registers"

HOUSEHOLD_HEADING = ["№ п/п", "Код хозяйства", "Населённый пункт", "Адрес", "Кол-во членов",
                     "Категория соц. паспорта"]
SETTLEMENTS = [("Теплоключенка", "ТК", 0.75), ("Ак-Булун", "АБ", 0.15), ("Кереге-Таш", "КТ", 0.10)]
STREETS = ["ул. Ленина", "ул. Манаса", "ул. Токтогула", "ул. Садовая", "ул. Озёрная", "ул. Мира",
           "ул. Школьная", "ул. Набережная", "ул. Арашан", "пер. Горный"]
MEMBERS = {1: 0.06, 2: 0.12, 3: 0.15, 4: 0.20, 5: 0.20, 6: 0.13, 7: 0.08, 8: 0.04, 9: 0.015, 10: 0.005}
# (cell text, households, members range): written as one export spells them
CATEGORIES = [
    ("Одинокий пенсионер", 61, (1, 1)),
    ("Үй-бүлөгө көмөк", 178, (4, 9)),
    ("Лицо с инвалидностью", 66, (2, 7)),
    ("Лицо с инвалидностью; Үй-бүлөгө көмөк", 6, (4, 8)),
    ("Ликвидатор ЧАЭС", 3, (2, 4)),
    ("Ветеран войны в Афганистане", 4, (2, 5)),
]

LIVESTOCK_TITLE = "Теплоключенка айыл аймагы: малдын реестри 01.01.2026 (ойлоп чыгарылган мисал / вымышленный пример)"
LIVESTOCK_HEADING = ["Үй чарбасынын коду", "Айыл", "Малдын түрү", "Баш саны"]
# species as written, share of owners keeping it, mean heads per owner keeping it
SPECIES = [("Бодо мал", 0.75, 3.8), ("Кой", 0.55, 12.8), ("Эчки", 0.30, 3.2), ("Жылкы", 0.35, 3.4)]

FIXED_TIME = dt.datetime(2026, 1, 1)


def household_rows(n: int = 3480, seed: int = 2026) -> list[list]:
    """Heading plus ``n`` invented households (the categories fill the first ones drawn)."""
    rng = random.Random(seed)
    sizes, weights = list(MEMBERS), list(MEMBERS.values())
    categories = [(text, span) for text, count, span in CATEGORIES for _ in range(count)]
    categories = categories[: n // 10] if n < 10 * len(categories) else categories
    chosen = set(rng.sample(range(n), len(categories)))
    queue = iter(categories)
    counters = {code: 0 for _, code, _ in SETTLEMENTS}
    rows = [list(HOUSEHOLD_HEADING)]
    for i in range(n):
        name, code, _ = rng.choices(SETTLEMENTS, [w for *_, w in SETTLEMENTS])[0]
        counters[code] += 1
        members = rng.choices(sizes, weights)[0]
        category = ""
        if i in chosen:
            category, (low, high) = next(queue)
            members = rng.randint(low, high)
        address = f"{rng.choice(STREETS)}, {rng.randint(1, 180)}"
        rows.append([i + 1, f"{code}-{counters[code]:05d}", name, address, members, category])
    return rows


def livestock_rows(households: list[list], seed: int = 2027) -> list[list]:
    """Heading plus one row per owner and species, owners drawn from the households."""
    rng = random.Random(seed)
    rows = [list(LIVESTOCK_HEADING)]
    for _, code, settlement, _, _, _ in households[1:]:
        if rng.random() > 0.60:
            continue
        for species, share, mean in SPECIES:
            if rng.random() < share:
                heads = max(1, round(rng.expovariate(1 / (mean - 0.5)) + 0.5))
                rows.append([code, settlement, species, heads])
    return rows


def csv_bytes(rows: list[list], encoding: str = "utf-8-sig", delimiter: str = ";") -> bytes:
    out = io.StringIO()
    csv.writer(out, delimiter=delimiter, lineterminator="\r\n").writerows(rows)
    return out.getvalue().encode(encoding)


def xlsx_bytes(rows: list[list], sheet: str = "Реестр", title: str | None = None) -> bytes:
    """A workbook with fixed timestamps, so that the same rows give the same bytes."""
    import openpyxl

    # the normal (not write-only) workbook writes shared strings and the sheet's <dimension>,
    # as Excel does; without it, openpyxl's read-only reader parses the sheet twice
    wb = openpyxl.Workbook()
    wb.properties.creator = "okmo-models scripts/make_register_examples.py"
    wb.properties.created = wb.properties.modified = FIXED_TIME
    ws = wb.active
    ws.title = sheet
    if title:
        ws.append([title])
    for row in rows:
        ws.append(row)
    buffer = io.BytesIO()
    wb.save(buffer)
    return _fixed_zip_times(buffer.getvalue())


def _fixed_zip_times(data: bytes) -> bytes:
    src = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            fixed = zipfile.ZipInfo(info.filename, date_time=FIXED_TIME.timetuple()[:6])
            fixed.compress_type = zipfile.ZIP_DEFLATED
            fixed.external_attr = 0o600 << 16
            content = src.read(info.filename)
            if info.filename == "docProps/core.xml":  # openpyxl stamps the saving time here
                content = re.sub(rb"(<dcterms:modified[^>]*>)[^<]*", rb"\g<1>2026-01-01T00:00:00Z", content)
            dst.writestr(fixed, content)
    return out.getvalue()


def main() -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    households = household_rows()
    (OUT / "households.csv").write_bytes(csv_bytes(households))
    (OUT / "livestock.xlsx").write_bytes(xlsx_bytes(livestock_rows(households), "Мал", LIVESTOCK_TITLE))
    print(f"{OUT / 'households.csv'}: {len(households) - 1} households")


if __name__ == "__main__":
    main()

"""Months, quarters and dates in the reader's words, for every output of the review."""

from __future__ import annotations

import datetime as dt

from okmo_models.i18n import t


def month_end(month: str) -> dt.date:
    """The last day of ``YYYY-MM``.

    >>> month_end("2027-02"), month_end("2027-12")
    (datetime.date(2027, 2, 28), datetime.date(2027, 12, 31))
    """
    year, m = map(int, month.split("-"))
    return dt.date(year + m // 12, m % 12 + 1, 1) - dt.timedelta(days=1)


def period_label(period: str, lang: str) -> str:
    """``2027-09`` -> «сентябрь 2027»; ``2027-Q3`` -> «3 квартал 2027».

    >>> period_label("2027-09", "ky"), period_label("2027-Q3", "en")
    ('2027-ж. сентябрь', 'Q3 2027')
    """
    year, rest = period.split("-")
    if rest.startswith("Q"):
        return t("mo_period_quarter", lang, quarter=rest[1], year=year)
    return t("mo_period_month", lang, month=t(f"mo_month_{int(rest)}", lang), year=year)


def format_date(day: dt.date, lang: str) -> str:
    """A date as the reader's documents write it.

    >>> format_date(dt.date(2027, 10, 8), "ru"), format_date(dt.date(2027, 10, 8), "en")
    ('08.10.2027', '8 October 2027')
    """
    if lang == "en":
        return f"{day.day} {t(f'mo_month_{day.month}', 'en')} {day.year}"
    return day.strftime("%d.%m.%Y")

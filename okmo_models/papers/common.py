"""What the papers of every kind share: the hearing's date and place, the variants saved at
the hearing, the legal basis, dates, money and signed changes as a kenesh paper writes them,
and the summary's chart."""

from __future__ import annotations

import datetime as dt
import io
import threading
from dataclasses import dataclass
from pathlib import Path

from okmo_models.formatting import signed_number, tick_number
from okmo_models.i18n import t
from okmo_models.parameters import resolve
from okmo_models.papers.paper import NBSP, Chart

_PYPLOT = threading.Lock()  # pyplot and its rc settings are global: one chart at a time


@dataclass(frozen=True)
class Hearing:
    """The public hearing as the notice announces it; what is not given is left blank to fill in."""

    date: dt.date | None = None
    time: str | None = None  # "15:00"
    place: str | None = None
    reading_place: str | None = None  # where the justification can be read

    def when(self, lang: str) -> str:
        if self.date is None:  # a blank to fill in, the time kept when it is known
            blank = t("pp_when_blank", lang)
            return blank if self.time is None else blank.rsplit(",", 1)[0] + f", {self.time}"
        return self.date.strftime("%d.%m.%Y") + (f", {self.time}" if self.time else "")


@dataclass(frozen=True)
class Variant:
    """A variant file saved at the hearing: its path and the name shown (the file's stem)."""

    path: Path
    name: str


class PapersOfAKind:
    """What each kind's ``Papers`` shares: the file, the reader's language and its words.
    A kind defines ``report_key`` (what its PDF report is in the package), ``subject()`` and
    ``papers(hearing, variants)``."""

    report_key: str

    def __init__(self, path: Path, lang: str):
        self.path, self.lang = path, lang

    def _t(self, key: str, **context) -> str:
        return t(key, self.lang, **context)


def headers(municipality, lang: str) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """The header lines of a paper the aiyl okmotu issues (region, municipality) and of a
    decision the kenesh adopts (region, the kenesh by its name, else the municipality and
    "Local kenesh")."""
    region = (municipality.region.get(lang),) if municipality.region else ()
    own = (*region, municipality.name.get(lang))
    kenesh = (*region, municipality.kenesh.get(lang)) if municipality.kenesh else (*own, t("pp_kenesh", lang))
    return own, kenesh


def variants_of(path: Path) -> list[Variant]:
    """The variant files beside ``path`` (in its folder and below) whose baseline is ``path``,
    in the order they were saved (by name: the dashboard names them with the date and time)."""
    from okmo_models.kinds import plan_files
    from okmo_models.scenario.loader import read_file

    path = path.resolve()
    found = []
    for candidate in plan_files(path.parent):
        if candidate.resolve() == path:
            continue
        data, _, _ = read_file(candidate)
        of = data.get("variant_of") if isinstance(data, dict) else None
        if of and (candidate.parent / str(of)).resolve() == path:
            found.append(Variant(candidate, candidate.stem))
    return sorted(found, key=lambda v: v.name)


def legal_basis(year: int, country: str, plan: str, services: tuple[str, ...], lang: str) -> list[str]:
    """The adopted acts (those with a date) of the ``legal_basis`` parameter in force in
    ``year`` that apply to a ``plan`` of this kind and to ``services``."""
    acts = resolve("legal_basis", year, country=country).value
    return [act[lang] if act.get(lang) else act["ru"] for act in acts
            if act.get("date") and plan in act.get("plans", (plan,))
            and (not act.get("services") or set(act["services"]) & set(services))]


# Kyrgyz months in the ablative ("from the 1st of January": 1-январынан).
_KY_FROM = ("январынан", "февралынан", "мартынан", "апрелинен", "майынан", "июнунан", "июлунан",
            "августунан", "сентябрынан", "октябрынан", "ноябрынан", "декабрынан")
_RU_OF = ("января", "февраля", "марта", "апреля", "мая", "июня", "июля", "августа", "сентября",
          "октября", "ноября", "декабря")


def effective_from(day: dt.date, lang: str) -> str:
    """The date a tariff applies from, as the decision's sentence needs it.

    >>> effective_from(dt.date(2027, 1, 1), "ru"), effective_from(dt.date(2027, 1, 1), "ky")
    ('1\\xa0января 2027\\xa0г.', '2027-жылдын 1-январынан')
    """
    if lang == "ru":
        return f"{day.day}{NBSP}{_RU_OF[day.month - 1]} {day.year}{NBSP}г."
    if lang == "ky":
        return f"{day.year}-жылдын {day.day}-{_KY_FROM[day.month - 1]}"
    return day.strftime("%-d %B %Y")


def signed_percent(change: float | None, lang: str) -> str:
    """A change in per cent with a real plus or minus: ``+25,0 %``, ``−3,2 %``; ``—`` without one.

    >>> signed_percent(25, "ru"), signed_percent(-3.21, "ky"), signed_percent(None, "ru")
    ('+25,0\\xa0%', '−3,2\\xa0%', '—')
    """
    return "—" if change is None else f"{signed_number(change, 1, lang)}{NBSP}%"


def bar_chart(bars: list[tuple[str, float]], caption: str, lang: str, decimals: int = 2,
              colours: list[str] | None = None) -> Chart:
    """One clear bar chart (a PNG for the PDF and the DOCX alike), values written on the bars."""
    import matplotlib

    matplotlib.use("Agg", force=False)
    import matplotlib.pyplot as plt

    # a list of families: glyph by glyph fallback (Debian's Noto Sans has no minus sign U+2212)
    with _PYPLOT, matplotlib.rc_context({"font.family": ["Noto Sans", "DejaVu Sans"]}):
        fig, ax = plt.subplots(figsize=(6.3, 1.8))
        names = [name for name, _ in bars]
        values = [value for _, value in bars]
        colours = colours or ["#9aa5b1", "#1f5f99", "#c9d3dd"][:len(bars)]
        ax.barh(names[::-1], values[::-1], color=colours[::-1])
        for y, value in enumerate(values[::-1]):
            ax.text(value, y, " " + tick_number(value, decimals, lang), va="center", fontsize=10)
        ax.set_xlim(0, max(values) * 1.25)
        ax.spines[["top", "right"]].set_visible(False)
        ax.xaxis.set_major_formatter(matplotlib.ticker.FuncFormatter(lambda v, _: tick_number(v, 0, lang)))
        ax.tick_params(labelsize=10)
        fig.tight_layout()
        png = io.BytesIO()
        fig.savefig(png, format="png", dpi=200)
        plt.close(fig)
    return Chart(png.getvalue(), caption, width_cm=13.0)

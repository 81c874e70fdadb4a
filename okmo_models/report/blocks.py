"""Building blocks shared by the three reports (tariff justification, budget forecast,
programme annex): escaped HTML pieces, numbered sections, the table of contents, charts as
inline SVG in the report's fonts, and the stamp with the input files' SHA-256 and the
signature lines.

Every kind's sections module (:mod:`~okmo_models.report.sections`,
:mod:`~okmo_models.report.budget_sections`, :mod:`~okmo_models.report.programme_sections`)
has the same interface, :class:`Sections`; its ``read(path)`` gives a :class:`Document`, the
whole report of one file, which the kind's notebook displays.
"""

from __future__ import annotations

import datetime as dt
import html
import inspect
import io
import re
from collections.abc import Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
from typing import Protocol

from okmo_models.i18n import t
from okmo_models.provenance import InputFile
from okmo_models.version import __version__

# Fonts are named explicitly so that every Cyrillic and Kyrgyz letter (ө, ү, ң) has a glyph:
# Noto Sans from Debian's fonts-noto-core, DejaVu Sans (also shipped with matplotlib) after it.
FONTS = ("Noto Sans", "DejaVu Sans")


def e(text) -> str:
    """Text escaped for HTML, a number kept on one line with its digits and its unit
    (:func:`nobreak`).

    >>> e('<b> & "x"')
    '&lt;b&gt; &amp; &quot;x&quot;'
    """
    return html.escape(nobreak(str(text)))


# a space inside a number ("46 261"), between a number and its unit or word ("80 сом/л",
# "5 %", "2027 г.") and after "№": a printed document never breaks a line there
_GLUED = re.compile(r"(?<=\d) (?=\d{3}(?!\d))|(?<=\d) (?=[%‰°]|[^\W\d_])|(?<=№) ")


def nobreak(text: str) -> str:
    """``text`` with no-break spaces where a line must not break: inside a number, between a
    number and its unit, after №.

    >>> nobreak("46 261 сом, № 9, 5 %") == "46\u00a0261\u00a0сом, №\u00a09, 5\u00a0%"
    True
    """
    return _GLUED.sub("\u00a0", text)


# a space between two abbreviations of one unit ("шт. ед.", "штат. бирд.")
_ABBREVIATED = re.compile(r"(?<=[^\W\d_]\.) (?=[^\W\d_]+\.)")


def nobreak_units(text: str) -> str:
    """``text`` with no-break spaces inside a unit written in abbreviations, so that a long
    formula wraps between its factors and never inside "сом/шт. ед./мес.".

    >>> nobreak_units("2 шт. ед. × 20 000 сом/шт. ед./мес.") == "2 шт.\u00a0ед. × 20 000 сом/шт.\u00a0ед./мес."
    True
    """
    return _ABBREVIATED.sub("\u00a0", text)


_URL = re.compile(r"https?://[^\s<>\"]+[^\s<>\".,;:)»]")
# a title quoted in its original language, short enough for one line of a source list
_TITLE = re.compile(r"«[^«»]{1,110}»")


def linked(text: str) -> str:
    """Text escaped for HTML with each web address, and any short «quoted title», kept on one
    line (a printed address or title broken in two reads as two pieces). Addresses stay
    text, not links: the document refers to nothing outside itself.

    >>> linked("см. https://jae.kg/ky/; или нет")
    'см. <span class="url">https://jae.kg/ky/</span>; или нет'
    >>> linked("(«Rural Water Supply»)")
    '(<span class="nowrap">«Rural Water Supply»</span>)'
    """
    out, at = [], 0
    for m in re.finditer(f"{_URL.pattern}|{_TITLE.pattern}", text):
        piece = html.escape(m.group())
        out += [e(text[at:m.start()]), f'<span class="url">{piece}</span>' if m.group().startswith("http")
                else f'<span class="nowrap">{e(m.group())}</span>']
        at = m.end()
    return "".join(out + [e(text[at:])])


def table(headers, rows, numeric=(), css="", keep=()) -> str:
    """A plain table; every cell is escaped, columns in ``numeric`` are aligned right, the
    cells of columns in ``keep`` (units such as "сом/баш") never wrap.

    >>> table(["a", "b"], [[1, "<2>"]], numeric=(1,))
    '<table class=""><thead><tr><th>a</th><th class=num>b</th></tr></thead><tbody><tr><td>1</td><td class=num>&lt;2&gt;</td></tr></tbody></table>'
    """
    def cls(i):
        return " class=num" if i in numeric else " class=nowrap" if i in keep else ""

    head = "".join(f"<th{' class=num' if i in numeric else ''}>{e(h)}</th>" for i, h in enumerate(headers))
    body = "".join(
        "<tr>" + "".join(f"<td{cls(i)}>{e(v)}</td>" for i, v in enumerate(r)) + "</tr>"
        for r in rows)
    return f'<table class="{css}"><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>'


def section(number: int, key: str, lang: str, body: str) -> str:
    """A numbered section; its heading is the message ``key`` (the same as in the contents)."""
    return f'<section id="s{number}"><h2>{number}. {e(t(key, lang))}</h2>{body}</section>'


def numbered(keys: Sequence[str], builders: dict, result, lang: str, charts: dict | None = None) -> str:
    """Every section of ``keys`` (an outline) in order, its body ``builders[key](result, lang)``;
    a builder with a ``charts`` parameter is also given the report's charts (inline SVG by name)."""
    def build(function):
        if "charts" in inspect.signature(function).parameters:
            return function(result, lang, charts=charts or {})
        return function(result, lang)

    return "".join(section(n, key, lang, build(builders[key])) for n, key in enumerate(keys, 1))


def methodology(intro_key: str, formulas, lang: str) -> str:
    """The methodology section: an introduction, then each ``(formula, words)`` in turn."""
    items = "".join(f"<li><p class=formula>{e(formula)}</p><p>{e(words)}</p></li>" for formula, words in formulas)
    return f"<p>{e(t(intro_key, lang))}</p><ol class=method>{items}</ol>"


def contents(keys: Sequence[str], lang: str, pages: dict | None = None) -> str:
    """The table of contents of an outline; ``pages`` maps section numbers to page numbers
    when known (the build fills them in after a first print)."""
    items = []
    for n, key in enumerate(keys, 1):
        page = f'<span class="toc-page">{pages[n]}</span>' if pages and n in pages else ""
        items.append(f'<li><a href="#s{n}">{n}. {e(t(key, lang))}</a>{page}</li>')
    return f'<div class="toc"><h2 class="toc-title">{e(t("r_contents", lang))}</h2><ol>{"".join(items)}</ol></div>'


def figure(chart_svg: str) -> str:
    """An inline chart in its figure; nothing when there is no chart."""
    return f'<figure class="chart">{chart_svg}</figure>' if chart_svg else ""


# --- charts -------------------------------------------------------------------------------------


@contextmanager
def report_fonts():
    """Matplotlib set up for the report: the SVG backend, the report's fonts, real text."""
    import matplotlib

    matplotlib.use("svg", force=False)
    # a list of families, not "sans-serif": matplotlib then falls back glyph by glyph (Debian's
    # Noto Sans has no minus sign U+2212; DejaVu Sans has)
    with matplotlib.rc_context({"font.family": list(FONTS),
                                "svg.fonttype": "none", "figure.dpi": 72}):
        yield


def svg(fig) -> str:
    """A matplotlib figure as inline SVG with real text (searchable, any Cyrillic letter)."""
    import matplotlib.pyplot as plt

    buffer = io.StringIO()
    fig.savefig(buffer, format="svg", bbox_inches="tight")
    plt.close(fig)
    text = buffer.getvalue()
    return text[text.index("<svg"):]


# --- stamp and signatures -----------------------------------------------------------------------

# What each input file is called after the first one (the stamp's own title names that one).
ROLE_KEYS = {"history": "br_history_file", "budget": "prr_budget_file", "baseline": "rb_file_baseline",
             "passport": "ppr_passport_file", "economic_base": "ebr_economic_base_file",
             # the files a monthly review reads (named as its workbook names them)
             "actuals": "xmo_role_actuals", "instructions": "xmo_role_instructions", "survey": "xmo_role_survey",
             "programme": "xmo_role_programme", "plan": "xmo_role_plan"}
# any other role (a linked plan): named as an input file rather than failing the report
OTHER_ROLE_KEY = "ppr_input_file"


def stamp_and_signatures(files: Sequence[InputFile], lang: str, title_key: str = "r_stamp",
                         year: int | None = None) -> str:
    """The reproducibility stamp and the signature lines that close every report.

    ``files`` are the input files the figures were computed from, the report's own file
    first (its name and SHA-256 follow ``title_key``, e.g. "Reproducibility: budget file"),
    then the others by their role (the history table, the budget file); ``year`` is printed
    on the date line (the year before a tariff year), else it is left blank to fill in.

    >>> from pathlib import Path
    >>> html = stamp_and_signatures([InputFile("budget", Path("b.yaml"), "ab12"),
    ...                              InputFile("history", Path("h.csv"), "cd34")], "en", "br_stamp")
    >>> "Reproducibility: budget file: «b.yaml»; SHA-256 <span class=\\"hash\\">ab12</span>; history table «h.csv»" in html
    True
    """
    if files:
        first, *others = files
        # a file by the name its user gave it, quoted as a value is
        listed = f"«{e(Path(first.path).name)}»; SHA-256 <span class=\"hash\">{e(first.sha256)}</span>"
        for f in others:
            listed += (f"; {e(t(ROLE_KEYS.get(f.role, OTHER_ROLE_KEY), lang))} «{e(Path(f.path).name)}»; "
                       f"SHA-256 <span class=\"hash\">{e(f.sha256)}</span>")
    else:  # a result computed from no file (built in Python)
        listed = "—; SHA-256 <span class=\"hash\">—</span>"
    # kept together and with the text before it: the signatures never stand alone on a page
    return f"""<div class="closing"><div class="stamp">
<p>{e(t(title_key, lang))}: {listed}; {e(t('rb_program', lang, version=__version__))}; {e(dt.date.today().strftime('%d.%m.%Y'))}</p></div>
<div class="signatures">
<p>{e(t('r_prepared_by', lang))}: ______________________ / ______________________ /</p>
<p>{e(t('r_head_of_ao', lang))}: ______________________ / ______________________ /</p>
<p>{e(t('r_date_line', lang))}: «____» ______________ {year if year is not None else '20____'}</p>
</div></div>"""


# --- one interface for every kind of report -----------------------------------------------------


class Sections(Protocol):
    """What each kind's sections module provides, with these parameters.

    ``scenario`` is the validated file (what the build's first load gives, the outline
    depends on it); ``result`` is what was computed from it, with the input files it was read
    from (its ``provenance``); ``read`` returns both.
    """

    def read(self, path: str | Path) -> Document: ...

    def outline(self, scenario) -> list[str]: ...

    def contents(self, scenario, lang: str, pages: dict | None = None) -> str: ...

    def title_page(self, result, lang: str) -> str: ...

    def body(self, result, lang: str, charts: dict | None = None) -> str: ...

    def charts(self, result, lang: str) -> dict[str, str]: ...

    def stamp_and_signatures(self, result, lang: str) -> str: ...


@dataclass(frozen=True)
class Document:
    """One file's report: the kind's sections and what they show."""

    sections: Sections | ModuleType
    result: object
    scenario: object

    def parts(self, lang: str) -> list[str]:
        """Title page, contents, the numbered sections with their charts, stamp."""
        s = self.sections
        return [s.title_page(self.result, lang), s.contents(self.scenario, lang),
                s.body(self.result, lang, s.charts(self.result, lang)),
                s.stamp_and_signatures(self.result, lang)]

    def html(self, lang: str) -> str:
        """The whole report as the notebook shows it (the build's template lays it out on A4)."""
        return "\n".join(self.parts(lang))

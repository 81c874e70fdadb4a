"""Results as Excel workbooks an economist can forward as they are.

``okmo tariff|budget|programme --format xlsx -o FILE.xlsx``: the калькуляция with each
line's share, the tariffs, the policy analysis, a budget forecast with its intervals and
scenarios, a programme's financing plan and choice of measures. The numbers come from the
same result objects and table builders as the text, CSV and JSON exports; each cell holds a
number with an Excel number format (not text), every sheet starts with a title block (who,
what, which file, computed by which version on which day) and cites its sources by number,
listed in full on the sources sheet.

The tariff workbook carries the калькуляция as live formulas over a sheet of its inputs
(:mod:`okmo_models.excel.tariff_formulas`), each formula stored with the package's figure as
its cached value, so that a viewer that does not compute shows the numbers the PDF prints;
the other workbooks hold values. Text from the data is written by
:func:`okmo_models.excel.cells.put`, so a name such as ``=HYPERLINK(...)`` is text too.
"""

from __future__ import annotations

import datetime as dt
import io
import re
from pathlib import Path

import numpy as np
from openpyxl import Workbook
from openpyxl.comments import Comment
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.hyperlink import Hyperlink

from okmo_models.version import __version__
from okmo_models.errors import OkmoError
from okmo_models.excel.cells import excel_text, put
from okmo_models.excel.tariff_formulas import (Formula, ProgramValue, Rounding, derivation_nodes, products, resolve,
                                                straight_line, sum_of, with_cached_values)
from okmo_models.formatting import basis, format_number, format_percent, format_unit, unit_label
from okmo_models.i18n import has, t

# Excel number formats. The codes are locale-neutral: Excel shows "1 234 567,89" in a
# Russian or Kyrgyz locale and "1,234,567.89" in an English one.
MONEY = "#,##0.00"  # som to the tyiyn
AMOUNT1 = "#,##0.0"  # budget and programme amounts in the file's unit, as in the text export
WHOLE = "#,##0"
NUMBER3 = "#,##0.000"
INDEX = "0.0000"
PERCENT1 = "0.0%"
PERCENT2 = "0.00%"
YEAR = "0"

_MAX_WIDTH = 60  # characters; longer text wraps
_HEADER_WIDTH = 22  # a heading longer than its numbers wraps rather than widening the column
_BOLD = Font(bold=True)
_TITLE = Font(bold=True, size=13)
_NOTE = Font(italic=True, color="555555")
_HEAD_FILL = PatternFill("solid", fgColor="DDE4EE")
_FORECAST_FILL = PatternFill("solid", fgColor="FFF2CC")
_INPUT_FILL = PatternFill("solid", fgColor="FFF2CC")  # a cell the formulas read: change it, they follow
_PROGRAM_FONT = Font(italic=True, color="7F3F00")  # a value the program computed, not a formula
_THIN = Side(style="thin", color="7F7F7F")
_BAD_SHEET_CHARS = re.compile(r"[\[\]:*?/\\]")


class OutputFileRequired(OkmoError):
    """``--format xlsx`` without ``-o``: a workbook is never written to the terminal."""

    def __init__(self, example: str = "result.xlsx"):
        super().__init__(example)
        self.example = example

    def render(self, lang=None) -> str:
        return t("xr_needs_output", lang, example=self.example)


# --- public functions ----------------------------------------------------------------------------


def tariff_workbook(result, lang: str) -> bytes:
    """The tariff calculation as a workbook: калькуляция, tariffs, the policy sheets the
    scenario asks for (affordability, discounts, path, sharing, sensitivity), parameters
    and assets, sources."""
    s = result.scenario
    book = _Book(lang, _Sources(s.sources, lang), [
        (f"{s.municipality.name.get(lang)} — {t('service_' + s.service, lang)}, "
         f"{t('s_tariff_year', lang)} {s.tariff_year}"),
        f"{t('s_operator', lang)}: {s.operator.name.get(lang)} ({t('operator_' + s.operator.type, lang)})",
        *_file_line(result.provenance, lang)])
    model = _tariff_model(result)
    kept = _kept_lines(model, result)
    _calculation(book, result, model, kept)
    _tariffs(book, result, model)
    _inputs(book, result, model, kept)
    p = result.policy
    if p is not None:
        if p.affordability is not None:
            _affordability(book, result)
        if p.vulnerable is not None:
            _vulnerable(book, result)
        if p.path is not None:
            _path(book, result)
        if p.sharing is not None:
            _sharing(book, result, model)
        if p.sensitivity is not None:
            _sensitivity(book, result)
    _parameters(book, result)
    return book.save()


def budget_workbook(result, lang: str) -> bytes:
    """A budget forecast as a workbook: lines by year (executed and forecast), the 3-year
    budget layout, Monte Carlo intervals, the file's scenarios beside the baseline
    (``result.others``), methods with their backtest errors, sources."""
    s = result.scenario
    unit = t("b_unit_" + s.unit, lang)
    book = _Book(lang, _Sources(s.sources, lang), [
        f"{s.municipality.name.get(lang)} — {t('b_title', lang)}: {result.name(lang)} ({unit})",
        *_file_line(result.provenance, lang),
        t("br_unit_note", lang, unit=unit)])
    _forecast(book, result)
    _budget_layout(book, result)
    _intervals(book, result)
    if result.others:
        _scenarios(book, [result, *result.others])
    _methods(book, result)
    return book.save()


def programme_workbook(result, lang: str) -> bytes:
    """A development programme as a workbook: financing by year and source for the draft,
    the optimal choice and the ranking; every measure in or out and why; the three
    compared; money left by year; sources."""
    p = result.programme
    unit = t("b_unit_" + p.unit, lang)
    book = _Book(lang, _Sources(p.sources, lang), [
        f"{p.municipality.name.get(lang)} — {t('pr_title', lang)} {p.first_year}–{p.last_year} ({unit})",
        t("pr_space_from", lang, origin=_space_origin(result, lang)),
        *_file_line(result.provenance, lang),
        t("br_unit_note", lang, unit=unit)])
    _financing(book, result)
    _measures(book, result)
    _compare(book, result)
    _left(book, result)
    return book.save()


def passport_workbook(result, lang: str) -> bytes:
    """A settlement passport as a workbook: every object (where, what, built, condition,
    capacity against need, repairs, value) and the needs ranked by their points with the
    works proposed first and their cost; sources. The figures are those of the JSON export
    (``result.to_dict``)."""
    p = result.passport
    unit = t("b_unit_" + p.unit, lang)
    book = _Book(lang, _Sources(p.sources, lang), [
        f"{p.municipality.name.get(lang)} — {t('pp_title', lang)} ({t('pp_as_of', lang, year=p.year)})",
        *_file_line(result.provenance, lang),
        t("br_unit_note", lang, unit=unit)])
    data = result.to_dict(lang)
    _passport_objects(book, result, data)
    _passport_needs(book, result, data)
    return book.save()


def economic_base_workbook(result, lang: str) -> bytes:
    """An economic base as a workbook: land, livestock, pastures and businesses by year
    (counted, then forecast), and each budget line's revenue accrued on them, term by term;
    sources. The figures are those of the JSON export (``result.values``)."""
    b = result.base
    unit = t("b_unit_" + b.unit, lang)
    years = result.all_years
    book = _Book(lang, _Sources(b.sources, lang), [
        f"{b.municipality.name.get(lang)} — {t('eb_title', lang)} {years[0]}–{years[-1]} ({unit})",
        t("eb_forecast_note", lang, year=b.year),
        *_file_line(result.provenance, lang),
        t("br_unit_note", lang, unit=unit)])
    _bases_by_year(book, result)
    if b.revenue_bases:
        _accrued(book, result)
    return book.save()


# --- the writer ------------------------------------------------------------------------------------


def _file_line(provenance, lang) -> list[str]:
    """The file the result was computed from, as its provenance records it (none for a
    scenario built in code)."""
    main = next((f for f in provenance.inputs if f.role == "scenario"), None)
    return [] if main is None else [t("xr_file", lang, file=str(main.path), sha=main.sha256[:12])]


def sheet_name(text: str, taken=()) -> str:
    """A valid sheet name: no ``[]:*?/\\``, at most 31 characters, unique in the book."""
    base = _BAD_SHEET_CHARS.sub("-", text).strip("' ") or "Sheet"
    name, n = base[:31], 2
    while name.lower() in {x.lower() for x in taken}:
        suffix = f" ({n})"
        name, n = base[: 31 - len(suffix)] + suffix, n + 1
    return name


def _in_lang(text, lang: str) -> str:
    """A source's text in ``lang``: a text in languages (``LocalText`` or a mapping such as
    ``{ru: …, ky: …}``, Russian if ``lang`` is missing) or a plain one."""
    if isinstance(text, dict):
        return text.get(lang) or text.get("ru") or next(iter(text.values()), "")
    return text.get(lang) if hasattr(text, "get") else str(text)


class _Sources:
    """The file's sources numbered in the file's order, as ``[n]`` in the reports; texts that
    are not among them (package parameters, the asset register) get the next numbers."""

    def __init__(self, sources: dict, lang: str):
        self.lang = lang
        self.items = [(key, _in_lang(text, lang)) for key, text in sources.items()]
        self._by_key = {key: n for n, (key, _) in enumerate(self.items, 1)}
        self._by_text = {" ".join(text.split()): n for n, (_, text) in enumerate(self.items, 1)}

    def number(self, key_or_text, key: str = "") -> int | None:
        if not key_or_text:
            return None
        if isinstance(key_or_text, str) and key_or_text in self._by_key:
            return self._by_key[key_or_text]
        shown = _in_lang(key_or_text, self.lang)
        text = " ".join(shown.split())
        if text not in self._by_text:
            self.items.append((key, shown))
            self._by_text[text] = len(self.items)
        return self._by_text[text]

    def ref(self, key_or_text: str | None, key: str = "") -> str:
        n = self.number(key_or_text, key)
        return "" if n is None else f"[{n}]"


class _Book:
    """A workbook in one language with the same title block on every sheet."""

    def __init__(self, lang: str, sources: _Sources, title_lines: list[str]):
        self.lang = lang
        self.sources = sources
        self.title_lines = title_lines
        self.wb = Workbook()
        self.wb.remove(self.wb.active)
        self.sheets: list[_Sheet] = []
        today = dt.date.today()
        self.date = today.isoformat() if lang == "en" else today.strftime("%d.%m.%Y")
        self.sources_sheet = sheet_name(t("xr_sheet_sources", lang))
        self.names: dict[str, tuple[str, str]] = {}  # formula name -> (sheet title, cell)
        self.formulas: list = []  # (worksheet, cell, Formula), resolved when saved

    def sheet(self, name_key: str, heading: str) -> _Sheet:
        name = sheet_name(t(name_key, self.lang), [s.ws.title for s in self.sheets])
        sheet = _Sheet(self, self.wb.create_sheet(name))
        sheet.title_block(heading)
        self.sheets.append(sheet)
        return sheet

    def save(self) -> bytes:
        self._sources()
        for sheet in self.sheets:
            sheet.finish()
        props = self.wb.properties
        props.creator = f"okmo-models {__version__}"
        props.title = excel_text(self.title_lines[0])
        cached = {}
        for ws, cell, formula in self.formulas:  # every name is written by now, wherever it stands
            cell.value = "=" + resolve(formula.text, self.names, ws.title)
            cached[(ws.title, cell.coordinate)] = formula.value
        out = io.BytesIO()
        self.wb.save(out)
        return with_cached_values(out.getvalue(), cached) if cached else out.getvalue()

    def _sources(self):
        lang = self.lang
        sh = self.sheet("xr_sheet_sources", t("r_sources", lang))
        # a source's key is an id for the files that cite it: the reader sees its number
        sh.header([t("c_no", lang), t("c_source", lang)])
        sh.anchor = sh.row
        for n, (_, text) in enumerate(self.sources.items, 1):
            sh.line([f"[{n}]", " ".join(text.split())], wrap=(1,))


class _Sheet:
    def __init__(self, book: _Book, ws):
        self.book = book
        self.ws = ws
        self.row = 1
        self.widths: dict[int, float] = {}
        self.frozen = False
        self.anchor = None  # first data row, for links from other sheets
        self.ref_columns: set[int] = set()

    # layout
    def title_block(self, heading: str):
        lang = self.book.lang
        self.text(heading, font=_TITLE)
        for line in self.book.title_lines:
            self.text(line)
        self.text(t("xr_computed", lang, version=__version__, date=self.book.date), font=_NOTE)
        self.row += 1

    def text(self, value: str, font=None):
        """A line of text in column A that runs over the empty cells to its right."""
        cell = put(self.ws.cell(self.row, 1), value)
        if font is not None:
            cell.font = font
        self.row += 1

    def note(self, value: str):
        self.text(value, font=_NOTE)

    def subheading(self, value: str):
        if self.ws.cell(self.row - 1, 1).value is not None:  # a blank row after the table above
            self.row += 1
        self.text(value, font=_BOLD)

    def header(self, labels, freeze_columns: int = 1, fills=None):
        """A bold heading row; the first one of the sheet freezes the panes below it."""
        for col, label in enumerate(labels, 1):
            cell = put(self.ws.cell(self.row, col), label)
            cell.font = _BOLD
            cell.fill = (fills or {}).get(col, _HEAD_FILL)
            cell.alignment = Alignment(wrap_text=True, vertical="top")
            cell.border = Border(bottom=_THIN)
            self._fit(col, min(len(str(label)), _HEADER_WIDTH))
        if not self.frozen:
            self.ws.freeze_panes = self.ws.cell(self.row + 1, freeze_columns + 1)
            self.ws.print_title_rows = f"{self.row}:{self.row}"
            self.frozen = True
        self.row += 1

    def line(self, values, formats=(), bold=False, wrap=(), refs=(), names=None, inputs=()):
        """One table row: numbers stay numbers with ``formats[i]``; ``bold`` marks a total.
        ``refs`` are the columns holding a source number ``[n]``, linked to the sources.
        A :class:`Formula` is written as a formula (its names resolved when the book is saved),
        a :class:`ProgramValue` as a value marked as the program's; ``names`` gives cells of
        the row a name formulas refer to (``{column index: name}``), ``inputs`` the columns
        of input cells. Returns the row written."""
        formats = list(formats) + [None] * (len(values) - len(formats))
        for col, (value, fmt) in enumerate(zip(values, formats), 1):
            formula = program = None
            if isinstance(value, Formula):
                formula, value = value, value.value
            elif isinstance(value, ProgramValue):
                program, value = value, value.value
            if isinstance(value, (np.floating, np.integer)):
                value = value.item()
            if isinstance(value, float) and not np.isfinite(value):
                value = None
            cell = put(self.ws.cell(self.row, col), value)
            if formula is not None:
                self.book.formulas.append((self.ws, cell, formula))
            if program is not None:
                cell.comment = Comment(t("xr_program_value", self.book.lang), "okmo-models")
                cell.font = _PROGRAM_FONT
            if col - 1 in inputs:
                cell.fill = _INPUT_FILL
            if names and col - 1 in names:
                self.book.names[names[col - 1]] = (self.ws.title, cell.coordinate)
            if fmt is not None and (formula is not None or isinstance(value, (int, float))):
                cell.number_format = fmt
            if bold:
                cell.font = _BOLD
                cell.border = Border(top=_THIN)
            if col - 1 in wrap:
                cell.alignment = Alignment(wrap_text=True, vertical="top")
            elif isinstance(value, str):
                cell.alignment = Alignment(vertical="top")
            if col - 1 in refs and isinstance(value, str) and value.startswith("["):
                self.ref_columns.add(col)
            self._fit(col, _shown_width(value, fmt, self.book.lang))
        self.row += 1
        return self.row - 1

    def _fit(self, col, width):
        self.widths[col] = max(self.widths.get(col, 0), width)

    def finish(self):
        for col, width in self.widths.items():
            self.ws.column_dimensions[get_column_letter(col)].width = min(max(width, 3), _MAX_WIDTH) + 2
        # printed, a sheet fits the width of a landscape page and repeats its heading row
        self.ws.page_setup.orientation = "landscape"
        self.ws.page_setup.paperSize = self.ws.PAPERSIZE_A4
        self.ws.page_setup.fitToWidth, self.ws.page_setup.fitToHeight = 1, 0
        self.ws.sheet_properties.pageSetUpPr.fitToPage = True
        sources = next((s for s in self.book.sheets if s.ws.title == self.book.sources_sheet), None)
        if sources is None or sources is self or sources.anchor is None:
            return
        for col in self.ref_columns:  # [n] opens source n on the sources sheet
            for (cell,) in self.ws.iter_rows(min_col=col, max_col=col):
                m = re.fullmatch(r"\[(\d+)\]", str(cell.value or ""))
                if m:
                    target = sources.anchor + int(m.group(1)) - 1
                    cell.hyperlink = Hyperlink(ref=cell.coordinate, location=f"'{sources.ws.title}'!A{target}")


def _shown_width(value, fmt, lang) -> int:
    """About how many characters Excel needs for ``value`` shown with ``fmt``."""
    if value is None:
        return 0
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return max(len(part) for part in str(value).split("\n"))
    if fmt in (PERCENT1, PERCENT2):
        return len(format_percent(value, 1 if fmt == PERCENT1 else 2, lang))
    decimals = {MONEY: 2, AMOUNT1: 1, NUMBER3: 3, INDEX: 4}.get(fmt, 0)
    if fmt == YEAR:
        return len(str(int(value)))
    return len(format_number(value, decimals, lang))


def _note_sources(sheet: _Sheet):
    sheet.note(t("xr_sources_note", sheet.book.lang, sheet=sheet.book.sources_sheet))


# --- tariff sheets ---------------------------------------------------------------------------------
#
# The калькуляция is written as formulas over the inputs sheet; every formula names its cells
# (``{line:3:qty}``, see okmo_models.excel.tariff_formulas) and carries the package's figure.

QUANTITY = "#,##0.00####"  # a quantity that is not whole: to the hundredth and up to six decimals


def _quantity_format(value) -> str:
    return WHOLE if value is None or float(value).is_integer() else QUANTITY


def _tariff_model(result):
    """The compiled model of the result's scenario: its inputs and the shape of its formulas."""
    from okmo_models.tariff.model import TariffModel

    return TariffModel(result.scenario)


def _kept_lines(model, result) -> list[tuple[int, object]]:
    """``(index among the model's lines, line spec)`` of each printed cost line, in print order:
    the input lines then the derived ones (a derived line of 0 som is not printed), general
    overhead last, as :func:`okmo_models.tariff.result.build_result` orders them."""
    from okmo_models.tariff.result import OVERHEAD_LINES

    specs = list(model.input_lines) + list(model.derived_lines())
    kept = [(i, sp) for i, sp in enumerate(specs) if not (sp.derived and sp.amount_som == 0)]
    kept.sort(key=lambda item: item[1].line in OVERHEAD_LINES)
    if [sp.line for _, sp in kept] != [c.line for c in result.cost_lines]:
        raise AssertionError("the model's cost lines are not the result's")
    return kept


def _parameter_name(p, lang: str) -> str:
    from okmo_models.parameters import known_parameters

    spec = known_parameters().get(p.name)
    return (spec.description.get(lang) or spec.description.get("ru")) if spec else p.name


def _line_factors(spec):
    """``(quantity, its unit, price or None, its unit, factor to som/year)`` as the file writes
    the line (an amount is a quantity without a price)."""
    from okmo_models.units import parse_unit

    factors = spec.basis.factors
    year = parse_unit("som/year").factor
    if len(factors) == 1:
        (q, qu), = factors
        return q, qu, None, None, parse_unit(qu).factor / year
    (q, qu), (p, pu) = factors
    return q, qu, p, pu, (parse_unit(qu) * parse_unit(pu)).factor / year


def _inputs(book: _Book, result, model, kept):
    """The inputs of the калькуляция, each in its cell (yellow) with its unit and source."""
    lang, src = book.lang, book.sources
    s = result.scenario
    sh = book.sheet("xr_sheet_inputs", t("xr_inputs_title", lang))
    sh.note(t("xr_inputs_note", lang, calculation=sheet_name(t("xr_sheet_calculation", lang)),
              tariffs=sheet_name(t("xr_sheet_tariffs", lang))))
    params = {p.name: p for p in model.parameters}

    def row(label, value, fmt, unit, name, ref=""):
        sh.line([label, value, unit, ref], (None, fmt), wrap=(0,), refs=(3,), names={1: name},
                inputs=() if isinstance(value, Formula) else (1,))

    sh.subheading(t("xr_in_rates", lang))
    sh.header([t("c_indicator", lang), t("c_value", lang), t("c_unit", lang), t("br_ref", lang)])
    row(t("xr_in_tariff_year", lang), s.tariff_year, YEAR, "", "p:year")
    if "social_fund_employer_rate" in params:
        p = params["social_fund_employer_rate"]
        row(_parameter_name(p, lang), model.social_fund_rate, PERCENT2, "%", "p:social_fund",
            src.ref(p.source, p.name))
    vat = params.get("vat_rate")
    row(t("vat", lang), model.vat_rate, PERCENT2, "%", "p:vat",
        src.ref(vat.source, vat.name) if vat is not None and model.vat_rate else "")
    sales = next((params[n] for n in ("sales_tax_rate", "sales_tax_rate_not_vat_taxable") if n in params), None)
    row(t("sales_tax", lang), model.sales_tax_rate, PERCENT2, "%", "p:sales_tax",
        src.ref(sales.source, sales.name) if sales is not None else "")
    row(t("xr_in_tax_factor", lang), Formula("1+{p:vat}+{p:sales_tax}", model.tax_factor), INDEX, "", "p:tax")
    row(t("xr_in_profitability", lang), model.profitability, PERCENT2, "%", "p:profitability")
    step = params["tariff_rounding_step"]
    row(t("xr_in_rounding_step", lang), model.rounding_step, MONEY, unit_label("som", lang), "p:step",
        src.ref(step.source, step.name))
    row(t("xr_in_per_som", lang), Formula("1/{p:step}", 1.0 / model.rounding_step), None, "", "p:per_som")
    sh.line([t("xr_in_rounding_mode", lang), t("xr_rounding_" + model.rounding_mode, lang), "",
             src.ref(params["tariff_rounding_mode"].source, "tariff_rounding_mode")], wrap=(0, 1), refs=(3,))
    if s.dipping_bath is not None:
        row(t("xr_in_dippings", lang), s.dipping_bath.dippings_per_year, _quantity_format(
            s.dipping_bath.dippings_per_year), "", "p:dippings", src.ref(s.dipping_bath.source))
        for sp, k in s.dipping_bath.species_coefficients.items():
            row(t("xr_in_coefficient", lang, species=_species(sp, lang)), k, QUANTITY, "", f"p:coef:{sp}",
                src.ref(s.dipping_bath.source))
    if s.waste is not None and s.waste.density is not None:
        row(t("xr_in_density", lang), s.waste.density.to("t/m3"), QUANTITY, unit_label("t/m3", lang), "p:density")
    if s.water is not None:
        row(t("xr_in_produced", lang), s.water.produced.to("m3/year"), WHOLE, unit_label("m3/year", lang),
            "p:produced", src.ref(s.water.source))

    if s.debt_service:
        sh.subheading(t("debt_service", lang))
        sh.header([t("c_line", lang), t("c_value", lang), t("c_unit", lang), t("br_ref", lang)])
        for j, d in enumerate(s.debt_service):
            sh.line([d.name.get(lang), d.amount.to("som/year"), unit_label("som/year", lang), src.ref(d.source)],
                    (None, MONEY), wrap=(0,), refs=(3,), names={1: f"debt:{j}"}, inputs=(1,))
        sh.line([t("xr_total", lang), Formula(sum_of(f"debt:{j}" for j in range(len(s.debt_service))),
                                              model.debt_service_som), unit_label("som/year", lang)],
                (None, MONEY), bold=True, names={1: "debt:total"})

    number_of = {i: k + 1 for k, (i, _) in enumerate(kept)}
    derived = [(i, spec) for i, spec in enumerate(model.input_lines) if getattr(spec, "derivation", None)]
    cells: dict[int, dict] = {}  # line -> {"qty": Formula or value, "price": ...}
    if derived:
        sh.subheading(t("xr_in_derivations", lang))
        sh.header([t("c_indicator", lang), t("c_value", lang), t("c_unit", lang), t("br_ref", lang)])
        # a figure the inputs above already hold is that cell (the water produced: one input
        # for the pumping, the reagents and the cost per m3 delivered)
        seen: dict = {("path", ("water", "produced")): "p:produced"} if s.water is not None else {}
        for i, spec in derived:
            sh.line([f"{number_of.get(i, '')}. {spec.name.get(lang)}"], bold=True, wrap=(0,))
            d = spec.derivation
            for part, expr in (("qty", d.quantity), ("price", d.price)):
                for node in derivation_nodes(expr, "d", seen):
                    e = node.expr
                    value = e.value if node.formula is None else Formula(node.formula, e.value)
                    sh.line([_expr_label(s, e, lang), value, unit_label(e.unit, lang) if e.unit else "",
                             # an input cites its own source (the allowances' act, the vehicle's norms)
                             src.ref(s.sources[e.source] if getattr(e, "source", None) else spec.source)
                             if node.formula is None else ""],
                            (None, _quantity_format(e.value)), wrap=(0,), refs=(3,), names={1: node.name},
                            inputs=() if node.formula is not None else (1,))
                top = seen.get(("path", tuple(expr.path)) if getattr(expr, "op", None) is None and expr.path
                               else ("id", id(expr)))
                cells.setdefault(i, {})[part] = Formula("{" + top + "}", expr.value) if top else expr.value

    sh.subheading(t("xr_in_cost_lines", lang))
    sh.header([t("c_no", lang), t("c_line", lang), t("xr_col_quantity", lang), t("c_unit", lang),
               t("xr_col_price", lang), t("c_unit", lang), t("xr_col_factor", lang), t("br_ref", lang)],
              freeze_columns=2)
    for i, spec in sorted(enumerate(model.input_lines), key=lambda item: number_of[item[0]]):  # as printed
        q, qu, p, pu, factor = _line_factors(spec)
        d = getattr(spec, "derivation", None)
        if d is not None:
            factor = d.factor
        qty, price = cells.get(i, {}).get("qty", q), cells.get(i, {}).get("price", p)
        sh.line([number_of.get(i), spec.name.get(lang), qty, unit_label(qu, lang), price,
                 unit_label(pu, lang) if pu else "", factor, src.ref(spec.source)],
                (None, None, _quantity_format(q), None, MONEY), wrap=(1,), refs=(7,),
                names={2: f"line:{i}:qty", 4: f"line:{i}:price", 6: f"line:{i}:factor"},
                inputs=tuple(c for c, v in ((2, qty), (4, price), (6, factor))
                             if v is not None and not isinstance(v, Formula)))

    if model.asset_rows:
        sh.subheading(t("r_assets", lang))
        sh.header([t("r_asset", lang), t("r_value", lang), t("c_year", lang), t("xr_col_life", lang),
                   t("xr_col_in_tariff", lang), t("r_depreciation", lang), t("br_ref", lang)])
        for j, a in enumerate(model.asset_rows):
            charge = straight_line(f"{{asset:{j}:value}}", f"{{asset:{j}:year}}", f"{{asset:{j}:life}}", "{p:year}")
            sh.line([a["name"].get(lang), a["value_som"], a["year"], a["useful_life_years"], int(a["in_tariff"]),
                     Formula(charge, a["charge_som"]), src.ref(a["source"])],
                    (None, MONEY, YEAR, AMOUNT1, WHOLE, MONEY), wrap=(0,), refs=(6,), inputs=(1, 2, 3, 4),
                    names={1: f"asset:{j}:value", 2: f"asset:{j}:year", 3: f"asset:{j}:life", 4: f"asset:{j}:in",
                           5: f"asset:{j}:charge"})

    if model.landfill_fee_som:
        (volume, volume_unit), (fee, fee_unit) = model.derived_lines()[2].basis.factors
        unit = volume_unit.split("/")[0]
        w = s.waste
        sh.subheading(t("line_landfill_fee_auto", lang))
        sh.header([t("c_indicator", lang), t("c_value", lang), t("c_unit", lang), t("br_ref", lang)])
        row(t("xr_in_landfill_fee", lang), fee, MONEY, unit_label(f"som/{unit}", lang), "landfill:fee",
            src.ref(w.landfill_fee_source))
        over = "{vol:total}" if unit == model.base_unit else \
            "{vol:total}*{p:density}" if unit == "t" else "{vol:total}/{p:density}"
        row(t("xr_in_landfill_volume", lang), Formula(over, volume), AMOUNT1, unit_label(f"{unit}/year", lang),
            "landfill:volume")

    base = model.base_unit
    sh.subheading(t("xr_in_categories", lang))
    sh.header([t("c_category", lang), t("xr_col_policy", lang),
               t("xr_col_volume", lang, unit=unit_label(base + "/year", lang)), t("c_unit", lang),
               t("xr_col_per_billing_unit", lang, unit=unit_label(base, lang)), t("r_billed_units", lang),
               t("xr_col_multiplier", lang), t("xr_col_fixed", lang), t("xr_col_collection", lang),
               t("xr_col_current", lang), t("c_households", lang), t("xr_col_persons", lang), t("br_ref", lang)])
    for i, c in enumerate(model.categories):
        cat = c.category
        if c.species_coefficients:
            volume = Formula("(" + products((f"heads:{i}:{sp}", f"p:coef:{sp}") for sp in c.species_coefficients)
                             + ")*{p:dippings}", c.volume)
        else:
            volume = c.volume
        if "/" in cat.billing_unit:  # per person, household or m2 a month: the count is the input
            k, billed = Formula(f"{{cat:{i}:volume}}/{{cat:{i}:billed}}", c.base_per_billing_unit), \
                c.billing_units_per_year
        else:
            k, billed = c.base_per_billing_unit, Formula(f"{{cat:{i}:volume}}/{{cat:{i}:k}}",
                                                          c.billing_units_per_year)
        policy = t("policy_" + cat.effective_policy, lang)
        if c.fixed_tariff_som is not None:
            unit = "som/" + (base if c.fixed_per_base else cat.billing_unit)
            policy += ", " + t("xr_fixed_taxes_included" if c.fixed_taxes_included else "xr_fixed_taxes_excluded",
                               lang, unit=unit_label(unit, lang))
        values = [cat.name.get(lang), policy, volume, unit_label(cat.billing_unit, lang), k, billed,
                  cat.multiplier, c.fixed_tariff_som, c.collection_rate, c.current_tariff_som, c.households,
                  c.persons, src.ref(cat.source)]
        sh.line(values, (None, None, AMOUNT1, None, QUANTITY, AMOUNT1, QUANTITY, MONEY, PERCENT1, MONEY, WHOLE,
                         WHOLE), wrap=(0, 1), refs=(12,),
                names={2: f"cat:{i}:volume", 4: f"cat:{i}:k", 5: f"cat:{i}:billed", 6: f"cat:{i}:mult",
                       7: f"cat:{i}:fixed", 8: f"cat:{i}:collection", 9: f"cat:{i}:current",
                       10: f"cat:{i}:households", 11: f"cat:{i}:persons"},
                inputs=tuple(col for col in (2, 4, 5, 6, 7, 8, 9, 10, 11)
                             if values[col] is not None and not isinstance(values[col], Formula)))
    sh.line([t("xr_total", lang), "", Formula(sum_of(f"cat:{i}:volume" for i in range(len(model.categories))),
                                              model.total_volume)],
            (None, None, AMOUNT1), bold=True, names={2: "vol:total"})
    if s.sharing is not None:
        _sharing_inputs(sh, result, model)
    if any(c.species_coefficients for c in model.categories):
        sh.subheading(t("xr_in_heads", lang))
        sh.header([t("c_category", lang), t("xr_col_species", lang), t("xr_col_heads", lang), t("br_ref", lang)])
        for i, c in enumerate(model.categories):
            for sp in c.species_coefficients or ():
                sh.line([c.category.name.get(lang), _species(sp, lang), c.category.heads[sp].to("head"),
                         src.ref(c.category.source)], (None, None, WHOLE), wrap=(0,), refs=(3,),
                        names={2: f"heads:{i}:{sp}"}, inputs=(2,))
    _note_sources(sh)


def _member_figures(result, model) -> list[tuple]:
    """``(volume in the base unit a year, heads, km, share, households)`` of each member of a
    shared service, as :func:`okmo_models.tariff.policy.analysis.shared_service` reads them."""
    s = result.scenario
    density = s.waste.density.to("t/m3") if (s.waste and s.waste.density) else None
    out = []
    for m in s.sharing.members:
        volume = heads = None
        if m.volume is not None:
            volume = model.to_base_unit(m.volume.value * m.volume.parsed_unit.factor,
                                        "mass" in m.volume.parsed_unit.dims, density)
        if m.heads is not None:
            heads = m.heads.to("head")
            volume = heads * s.dipping_bath.dippings_per_year
        out.append((volume, heads, m.distance.to("km") if m.distance else None,
                    m.share.value * m.share.parsed_unit.factor if m.share else None,
                    m.households.to("household") if m.households else None))
    return out


def _sharing_inputs(sh: _Sheet, result, model):
    """Each member of a shared service with the figures its key is made of."""
    lang, src = sh.book.lang, sh.book.sources
    s = result.scenario
    base = model.base_unit
    sh.subheading(t("xr_in_sharing", lang))
    sh.header([t("c_member", lang), t("xr_col_volume", lang, unit=unit_label(base + "/year", lang)),
               t("xr_col_heads", lang), t("xr_col_distance", lang), t("xr_col_share", lang), t("c_households", lang),
               t("br_ref", lang)])
    for j, (m, (volume, heads, distance, share, households)) in enumerate(zip(s.sharing.members,
                                                                            _member_figures(result, model))):
        if heads is not None:
            volume = Formula(f"{{share:{j}:heads}}*{{p:dippings}}", volume)
        values = [m.name.get(lang), volume, heads, distance, share, households, src.ref(m.source)]
        sh.line(values, (None, AMOUNT1, WHOLE, AMOUNT1, PERCENT1, WHOLE), wrap=(0,), refs=(6,),
                names={1: f"share:{j}:volume", 2: f"share:{j}:heads", 3: f"share:{j}:distance",
                       4: f"share:{j}:share", 5: f"share:{j}:households"},
                inputs=tuple(k for k in range(1, 6) if values[k] is not None and not isinstance(values[k], Formula)))


def _species(sp: str, lang: str) -> str:
    return t("species_" + sp, lang) if has("species_" + sp) else sp


def _expr_label(s, e, lang: str) -> str:
    """The words of a derivation's cell: a step's label, an input figure's name."""
    from okmo_models.tariff.derivations import Figure, figure_label

    if isinstance(e, Figure) and e.path is not None:  # an input: whose and what ("Водители: оклад в месяц")
        return figure_label(s, e, lang)
    return e.label.get(lang) if e.label is not None else ""


def _calculation(book: _Book, result, model, kept):
    lang, src = book.lang, book.sources
    sh = book.sheet("xr_sheet_calculation", t("r_calculation", lang))
    sh.header([t("c_no", lang), t("c_line", lang), t("xr_col_amount", lang), t("xr_col_share_costs", lang),
               t("xr_col_share_requirement", lang), t("c_basis", lang), t("br_ref", lang)], freeze_columns=2)
    costs = result.costs_som
    formats = (None, None, MONEY, PERCENT1, PERCENT1)
    n = len(model.input_lines)
    labour = [f"calc:{k}" for k, (i, sp) in enumerate(kept) if i < n and sp.line == "labour"]

    def amount(i, sp) -> str:
        if i < n:
            return f"{{line:{i}:qty}}*{{line:{i}:factor}}" if len(sp.basis.factors) == 1 and \
                getattr(sp, "derivation", None) is None else f"{{line:{i}:qty}}*{{line:{i}:price}}*{{line:{i}:factor}}"
        derived = ("social_fund", "depreciation", "landfill")[i - n]
        if derived == "social_fund":
            return f"{sum_of(labour)}*{{p:social_fund}}"
        if derived == "depreciation":
            return products((f"asset:{j}:charge", f"asset:{j}:in") for j in range(len(model.asset_rows)))
        return "{landfill:fee}*{landfill:volume}"

    debt = "{debt:total}" if result.scenario.debt_service else "0"
    net = "({calc:total_costs}+{calc:total_costs}*{p:profitability}" + \
        ("+{debt:total})" if result.scenario.debt_service else ")")
    from okmo_models.tariff.result import OVERHEAD_LINES

    subtotal = {
        "production_cost": sum_of(f"calc:{k}" for k, (_, sp) in enumerate(kept) if sp.line not in OVERHEAD_LINES),
        "total_costs": sum_of(f"calc:{k}" for k in range(len(kept))),
        "profit": "{calc:total_costs}*{p:profitability}",
        "costs_with_profit": "{calc:total_costs}+{calc:profit}",
        "debt_service": debt,
        "vat": f"{net}*{{p:vat}}", "sales_tax": f"{net}*{{p:sales_tax}}",
        "revenue_requirement": f"{net}*{{p:tax}}"}
    for row in result.cost_table(lang).itertuples():  # the калькуляция as printed, with subtotals
        if row.no == "":
            name = "calc:" + ("requirement" if row.line == "revenue_requirement" else row.line)
            share_of_costs = Formula("{calc:total_costs}/{calc:total_costs}", 1.0) \
                if row.line == "total_costs" else None
            sh.line(["", row.name, Formula(subtotal[row.line], row.amount_som), share_of_costs,
                     Formula(f"{{{name}}}/{{calc:requirement}}", row.share)], formats, bold=True, names={2: name})
            continue
        k = row.no - 1
        i, sp = kept[k]
        c = result.cost_lines[k]
        sh.line([row.no, row.name, Formula(amount(i, sp), row.amount_som),
                 Formula(f"{{calc:{k}}}/{{calc:total_costs}}", row.amount_som / costs if costs else None),
                 Formula(f"{{calc:{k}}}/{{calc:requirement}}", row.share),
                 basis(c.basis, lang), src.ref(c.source, c.line if c.derived else "")],
                formats, wrap=(1, 5), refs=(6,), names={2: f"calc:{k}"})
    sh.note(t("xr_formulas_note", lang, inputs=sheet_name(t("xr_sheet_inputs", lang))))
    _note_sources(sh)


def _allocation_figures(model, result) -> dict:
    """The steps of the allocation for the result's requirement, as the package computes them
    (:func:`okmo_models.tariff.formulas.allocation_parts`): the cached values of its formulas."""
    from okmo_models.tariff.formulas import allocate_requirement, allocation_parts

    inputs = model.allocation_inputs
    requirement = result.revenue_requirement_som
    per_base, _ = allocate_requirement(requirement, *inputs)
    parts = {k: float(v[0, 0]) for k, v in allocation_parts(requirement, *inputs).items()}
    return {"per_base": per_base[0], **parts}


def _tariff_cells(model, result, rnd, figures) -> list[dict]:
    """Each category's printed figures as formulas (or, with components, as the program's
    values): ``{column: Formula | ProgramValue}`` keyed as the derivation table's columns."""
    out = []
    tax = "{p:tax}"
    for i, (c, r) in enumerate(zip(model.categories, result.tariffs)):
        def ref(col, i=i):
            return f"{{t:{i}:{col}}}"

        policy = c.category.effective_policy
        if policy == "fixed":
            alloc = f"{{cat:{i}:fixed}}" + ("" if c.fixed_taxes_included else f"*{tax}") + \
                ("" if c.fixed_per_base else f"/{{cat:{i}:k}}")
        elif policy == "cost":
            alloc = f"{{cat:{i}:mult}}*{{alloc:unit_cost}}"
        else:
            alloc = f"{{cat:{i}:mult}}*{{alloc:base}}"
        gross_per_base = float(figures["per_base"][i])
        net_base_u = gross_per_base / model.tax_factor  # a fixed one's too: its per_base is as given
        cells = {"alloc": Formula(alloc, gross_per_base), "net_base_u": Formula(f"{ref('alloc')}/{tax}", net_base_u),
                 "net_billing_u": Formula(f"{ref('net_base_u')}*{{cat:{i}:k}}", net_base_u * c.base_per_billing_unit)}
        printed = {"net_base": rnd(ref("net_base_u")), "net_billing": rnd(ref("net_billing_u")),
                   "gross_base": rnd(f"{ref('net_base')}*{tax}"), "gross_billing": rnd(f"{ref('net_billing')}*{tax}")}
        unrounded = f"{ref('net_billing_u')}*{tax}"
        if c.fixed_tariff_som is not None:  # TariffModel.printed_tariffs: as given, the rest from it
            printed["gross_base"] = rnd(f"{rnd(ref('net_base_u'))}*{tax}")
            printed["gross_billing"] = rnd(f"{rnd(ref('net_billing_u'))}*{tax}")
            given = ("gross_" if c.fixed_taxes_included or model.tax_factor == 1.0 else "net_") + \
                ("base" if c.fixed_per_base else "billing")  # as TariffModel.printed_tariffs
            printed[given] = f"{{cat:{i}:fixed}}"
            if model.tax_factor == 1.0:
                printed["net" + given[5:]] = f"{{cat:{i}:fixed}}"
            if c.base_per_billing_unit == 1.0:
                printed["net_base"], printed["gross_base"] = ref("net_billing"), ref("gross_billing")
            if given == "gross_billing":
                unrounded = f"{{cat:{i}:fixed}}"
        values = {"net_base": r.tariff_net_per_base_unit_som, "net_billing": r.tariff_net_som,
                  "gross_base": r.tariff_per_base_unit_som, "gross_billing": r.tariff_som}
        if model.components:  # the sum of each component printed by the rule: the program's
            cells.update({key: ProgramValue(v) for key, v in values.items()})
            cells["gross_unrounded"] = ProgramValue(r.tariff_unrounded_som)
        else:
            cells.update({key: Formula(printed[key], values[key]) for key in values})
            cells["gross_unrounded"] = Formula(unrounded, r.tariff_unrounded_som)
        out.append(cells)
    return out


def _tariffs(book: _Book, result, model):
    from okmo_models.tariff.export import tariff_rules

    lang, src = book.lang, book.sources
    s = result.scenario
    rnd = Rounding(model.rounding_mode, model.rounding_step)
    figures = _allocation_figures(model, result)
    cells = _tariff_cells(model, result, rnd, figures)
    sh = book.sheet("xr_sheet_tariffs", t("r_tariffs", lang))
    sh.header([t("c_category", lang), t("c_unit", lang), t("r_billed_units", lang), t("xr_col_tariff", lang),
               t("xr_col_cash_tariff", lang), t("xr_col_collection", lang), t("xr_col_current", lang),
               t("xr_col_change", lang), t("xr_col_revenue", lang), t("xr_col_bill", lang), t("br_ref", lang)])
    formats = (None, None, AMOUNT1, MONEY, MONEY, PERCENT1, MONEY, PERCENT1, MONEY, MONEY)
    category_source = {k.id: k.source for k in s.categories}
    program_values = bool(model.components)
    unrounded_revenue = []
    for i, (c, spec) in enumerate(zip(result.tariffs, model.categories)):
        tariff = f"{{tar:{i}}}"
        coefficients = spec.species_coefficients or {}
        if coefficients:
            revenue = "+".join(f"{{sp:{i}:{sp}}}*{{spn:{i}:{sp}}}" for sp in coefficients)
            unrounded_revenue.append(Formula("+".join(f"{{t:{i}:gross_unrounded}}*{{p:coef:{sp}}}*{{spn:{i}:{sp}}}"
                                                      for sp in coefficients),
                                             sum(c.tariff_unrounded_som * k * spec.category.heads[sp].to("head")
                                                 * s.dipping_bath.dippings_per_year
                                                 for sp, k in coefficients.items())))
        else:
            revenue = f"{tariff}*{{cat:{i}:billed}}"
            unrounded_revenue.append(Formula(f"{{t:{i}:gross_unrounded}}*{{cat:{i}:billed}}",
                                             c.tariff_unrounded_som * c.billing_units_per_year))
        sh.line([c.name.get(lang), unit_label(c.unit, lang), Formula(f"{{cat:{i}:billed}}", c.billing_units_per_year),
                 Formula(f"{{t:{i}:gross_billing}}", c.tariff_som),
                 Formula(rnd(f"{tariff}/{{cat:{i}:collection}}"), c.cash_tariff_som),
                 Formula(f"{{cat:{i}:collection}}", c.collection_rate),
                 None if c.current_tariff_som is None else Formula(f"{{cat:{i}:current}}", c.current_tariff_som),
                 None if not c.current_tariff_som else Formula(f"{tariff}/{{cat:{i}:current}}-1", c.change_pct / 100),
                 Formula(revenue, c.revenue_som),
                 None if c.household_bill_som is None else
                 Formula(f"{tariff}*{{cat:{i}:billed}}/{{cat:{i}:households}}/12", c.household_bill_som),
                 src.ref(category_source.get(c.id))], formats, wrap=(0,), refs=(10,),
                names={3: f"tar:{i}", 8: f"rev:{i}", 9: f"bill:{i}"})
        for sp, k, v in c.species_tariffs_som:
            unrounded = f"{{t:{i}:gross_unrounded}}*{{p:coef:{sp}}}"
            count = spec.category.heads[sp].to("head") * s.dipping_bath.dippings_per_year
            sh.line([f"  {_species(sp, lang)} (×{format_number(k, 2, lang)})", unit_label("som/head", lang),
                     Formula(f"{{heads:{i}:{sp}}}*{{p:dippings}}", count),
                     Formula(f"IF({{p:coef:{sp}}}=1,{tariff},{rnd.publish(unrounded, '{p:tax}')})", v)],
                    formats, names={2: f"spn:{i}:{sp}", 3: f"sp:{i}:{sp}"})
        for k in c.components:  # the tariff is the sum of its components, each as printed
            sh.line([f"  {k.name.get(lang)}", unit_label(c.unit, lang), None, ProgramValue(k.tariff_som)], formats)
    sh.line([t("xr_total", lang), "", None, None, None, None, None, None,
             Formula(sum_of(f"rev:{i}" for i in range(len(result.tariffs))), result.revenue_at_tariffs_som)],
            formats, bold=True, names={8: "rev:total"})
    sh.note(t("r_money_unit", lang))
    sh.note(tariff_rules(result, lang))
    if program_values:
        sh.note(t("xr_program_values_note", lang))
    if result.taxes_included:  # the approved tariffs without VAT and sales tax, as in the PDF
        sh.subheading(t("c_tariff_net", lang))
        sh.header([t("c_category", lang), t("c_unit", lang), t("c_tariff_net", lang), t("c_tariff_gross", lang)])
        for i, c in enumerate(result.tariffs):
            sh.line([c.name.get(lang), unit_label(c.unit, lang), Formula(f"{{t:{i}:net_billing}}", c.tariff_net_som),
                     Formula(f"{{tar:{i}}}", c.tariff_som)], (None, None, MONEY, MONEY))
            for k in c.components:
                sh.line([f"  {k.name.get(lang)}", unit_label(c.unit, lang), ProgramValue(k.tariff_net_som),
                         ProgramValue(k.tariff_som)], (None, None, MONEY, MONEY))

    _allocation(sh, result, model, cells, unrounded_revenue, figures)
    _unit_costs(sh, result, model)
    _summary(sh, result, model)
    notes = result.notes_text(lang)
    if notes:
        sh.subheading(t("h_notes", lang))
        for note in notes:
            sh.note(f"– {note}")


def _allocation(sh: _Sheet, result, model, cells, unrounded_revenue, figures):
    """How the requirement is split between the categories and each tariff printed:
    :func:`okmo_models.tariff.formulas.allocate_requirement`, then
    :meth:`okmo_models.tariff.model.TariffModel.printed_tariffs`."""
    lang = sh.book.lang
    base = model.base_unit
    per_base = unit_label("som/" + base, lang)
    som_year = unit_label("som/year", lang)
    policies = [c.category.effective_policy for c in model.categories]
    unit_cost, fixed_revenue, cost_revenue, balancing_weight, base_tariff = (
        figures[k] for k in ("unit_cost", "fixed_revenue", "cost_revenue", "balancing_weight", "base"))
    sh.subheading(t("xr_allocation", lang))
    sh.header([t("c_indicator", lang), t("c_value", lang), t("c_unit", lang)])
    sh.line([t("xr_unit_cost", lang), Formula("{calc:requirement}/{vol:total}", unit_cost), per_base],
            (None, MONEY), wrap=(0,), names={1: "alloc:unit_cost"})
    fixed = [i for i, p in enumerate(policies) if p == "fixed"]
    cost = [i for i, p in enumerate(policies) if p == "cost"]
    bal = [i for i, p in enumerate(policies) if p == "balancing"]
    if fixed:
        sh.line([t("xr_fixed_revenue", lang), Formula(products((f"t:{i}:alloc", f"cat:{i}:volume") for i in fixed),
                                                      fixed_revenue), som_year],
                (None, MONEY), wrap=(0,), names={1: "alloc:fixed_revenue"})
    if cost:
        sh.line([t("xr_cost_revenue", lang),
                 Formula("{alloc:unit_cost}*(" + products((f"cat:{i}:mult", f"cat:{i}:volume") for i in cost) + ")",
                         cost_revenue), som_year], (None, MONEY), wrap=(0,), names={1: "alloc:cost_revenue"})
    if bal:
        sh.line([t("xr_balancing_weight", lang),
                 Formula(products((f"cat:{i}:mult", f"cat:{i}:volume") for i in bal), balancing_weight),
                 unit_label(base + "/year", lang)], (None, AMOUNT1), wrap=(0,), names={1: "alloc:weight"})
        rest = "{calc:requirement}" + ("-{alloc:fixed_revenue}" if fixed else "") + \
            ("-{alloc:cost_revenue}" if cost else "")
        sh.line([t("xr_base_tariff", lang),
                 Formula(f"IF({{alloc:weight}}>0,MAX({rest},0)/{{alloc:weight}},0)", base_tariff), per_base],
                (None, MONEY), wrap=(0,), names={1: "alloc:base"})

    sh.subheading(t("xr_printed_tariffs", lang))
    columns = ("alloc", "net_base_u", "net_billing_u", "net_base", "net_billing", "gross_base", "gross_billing",
               "gross_unrounded")
    sh.header([t("c_category", lang), t("xr_col_policy", lang), t("c_unit", lang),
               *(t("xr_col_t_" + col, lang, base=unit_label(base, lang)) for col in columns),
               t("xr_col_revenue_unrounded", lang)])
    formats = (None, None, None) + (MONEY,) * len(columns) + (MONEY,)
    for i, (c, row) in enumerate(zip(model.categories, cells)):
        sh.line([c.category.name.get(lang), t("policy_" + policies[i], lang), unit_label(c.category.billing_unit, lang),
                 *(row[col] for col in columns), unrounded_revenue[i]], formats, wrap=(0,),
                names={**{3 + k: f"t:{i}:{col}" for k, col in enumerate(columns)},
                       3 + len(columns): f"ru:{i}"})
    sh.line([t("xr_total", lang), "", "", *([None] * len(columns)),
             Formula(sum_of(f"ru:{i}" for i in range(len(cells))),
                     result.revenue_at_tariffs_som - result.rounding_difference_som)],
            formats, bold=True, names={3 + len(columns): "ru:total"})
    sh.note(t("xr_allocation_note", lang))


def _unit_costs(sh: _Sheet, result, model):
    lang = sh.book.lang
    population = [i for i, c in enumerate(model.categories) if c.category.kind == "population" and c.persons]
    households = [i for i in population if model.categories[i].households]

    def per(names, what):
        return "(" + "+".join(f"{{cat:{i}:{what}}}" for i in names) + ")"

    other = {"m3": ("unit_cost_t", "{vol:total}*{p:density}"), "t": ("unit_cost_m3", "{vol:total}/{p:density}")}
    volumes = {**dict([other[model.base_unit]] if model.base_unit in other else []),
               "unit_cost_" + model.base_unit: "{vol:total}",  # as _unit_costs: per base unit first
               "unit_cost_produced_m3": "{p:produced}",
               "unit_cost_person_month": f"{{vol:total}}*{per(population, 'persons')}*12/{per(population, 'volume')}",
               "unit_cost_household_month":
                   f"{{vol:total}}*{per(households, 'households')}*12/{per(households, 'volume')}"}
    sh.subheading(t("h_unit_costs", lang))
    sh.header([t("c_per_unit", lang), t("c_unit_cost", lang), t("c_unit_requirement", lang), t("c_unit", lang)])
    for u in result.unit_costs:
        v = volumes[u.key]
        sh.line([t(u.key, lang), Formula(f"{{calc:total_costs}}/({v})", u.cost_som),
                 Formula(f"{{calc:requirement}}/({v})", u.requirement_som), unit_label(u.unit, lang)],
                (None, MONEY, MONEY))


def _summary(sh: _Sheet, result, model):
    lang = sh.book.lang
    n = len(result.tariffs)
    sh.subheading(t("h_summary", lang))
    sh.header([t("c_indicator", lang), t("c_value", lang), t("c_unit", lang)])
    som_year = unit_label("som/year", lang)
    collected = "+".join(f"{{rev:{i}}}*{{cat:{i}:collection}}" for i in range(n))
    gap = "({calc:requirement}-{ru:total})"
    gap = f"IF(ABS({gap})<=1E-09*ABS({{calc:requirement}}),0,{gap})"  # float noise, not som (evaluate)
    rows = [(t("s_requirement", lang), Formula("{calc:requirement}", result.revenue_requirement_som), MONEY,
             som_year),
            (t("s_volume", lang), Formula("{vol:total}", result.total_volume), AMOUNT1,
             unit_label(result.base_unit + "/year", lang))]
    if result.typical_household_bill_som is not None:
        i = next(i for i, c in enumerate(result.tariffs)
                 if c.kind == "population" and c.household_bill_som is not None)
        rows.append((t("s_household_bill", lang), Formula(f"{{bill:{i}}}", result.typical_household_bill_som),
                     MONEY, unit_label("som/household/month", lang)))
    rows += [(t("s_revenue", lang), Formula("{rev:total}", result.revenue_at_tariffs_som), MONEY, som_year),
             (t("s_collected", lang), Formula(collected, result.cash_collected_som), MONEY, som_year),
             (t("s_cash_gap", lang), Formula(f"MAX({{calc:requirement}}-({collected}),0)", result.cash_shortfall_som),
              MONEY, som_year),
             (t("s_subsidy", lang), Formula(f"MAX({gap},0)", result.subsidy_need_som), MONEY, som_year),
             (t("s_rounding_difference", lang), Formula("{rev:total}-{ru:total}", result.rounding_difference_som),
              MONEY, som_year)]
    if result.cost_recovery_current is not None:
        current = "+".join(f"{{cat:{i}:current}}*{{cat:{i}:billed}}" for i in range(n))
        cash = "+".join(f"{{cat:{i}:current}}*{{cat:{i}:billed}}*{{cat:{i}:collection}}" for i in range(n))
        rows += [(t("xr_recovery_billed", lang), Formula(f"({current})/{{calc:requirement}}",
                                                         result.cost_recovery_current), PERCENT1, "%"),
                 (t("xr_recovery_cash", lang), Formula(f"({cash})/{{calc:requirement}}",
                                                       result.cash_recovery_current), PERCENT1, "%")]
    for label, value, fmt, unit in rows:
        sh.line([label, value, unit], (None, fmt))


def _program_values(sh: _Sheet):
    """A policy sheet's figures are the program's (the path, sharing to the tyiyn, Monte Carlo):
    values that do not follow the inputs sheet."""
    sh.note(t("xr_program_values_sheet", sh.book.lang))


def _affordability(book: _Book, result):
    lang, src = book.lang, book.sources
    a = result.policy.affordability
    unit = unit_label(result.tariff(a.category).unit, lang)
    sh = book.sheet("xr_sheet_affordability", t("r_affordability", lang))
    _program_values(sh)
    sh.header([t("c_group", lang), t("c_income", lang), t("xr_col_household_size", lang),
               t("xr_col_group_share", lang), t("c_bill", lang), t("xr_col_burden", lang), t("r_above", lang)])
    for g in a.groups:
        sh.line([g["name"].get(lang), g["income_per_capita_som"], g["household_size"], g["share"], g["bill_som"],
                 g["burden"], t("r_yes" if g["above"] else "r_no", lang)],
                (None, WHOLE, AMOUNT1, PERCENT1, MONEY, PERCENT2), wrap=(0,))
    sh.row += 1
    sh.header([t("c_indicator", lang), t("c_value", lang), t("br_ref", lang)])
    sh.line([t("xr_threshold", lang), a.threshold, src.ref(a.threshold_source)], (None, PERCENT2), refs=(2,))
    sh.line([t("xr_share_above", lang), a.share_above], (None, PERCENT1))
    sh.line([t("xr_tariff_at_target", lang, target=format_percent(a.target_share, 0, lang), unit=unit),
             a.tariff_at_target_som], (None, MONEY), wrap=(0,))
    _note_sources(sh)


def _vulnerable(book: _Book, result):
    lang = book.lang
    v = result.policy.vulnerable
    names = {c.id: c.name.get(lang) for c in result.tariffs}
    sh = book.sheet("xr_sheet_vulnerable", t("r_vulnerable", lang))
    _program_values(sh)
    sh.header([t("c_group", lang), t("c_category", lang), t("c_households", lang), t("c_discount", lang),
               t("c_per_year", lang)])
    formats = (None, None, WHOLE, MONEY, MONEY)
    for g in v.groups:
        sh.line([g["name"].get(lang), names.get(g["category"], g["category"]), g["households"],
                 g["discount_som_month"], g["yearly_som"]], formats, wrap=(0, 1))
    total = v.budget_cost_som if v.financing == "budget" else sum(g["yearly_som"] for g in v.groups)
    sh.line([t("xr_total", lang), "", sum(g["households"] for g in v.groups), None, total], formats, bold=True)
    if v.financing == "budget":
        sh.note(t("v_budget", lang, amount=f"{format_number(v.budget_cost_som, 2, lang)} {unit_label('som', lang)}"))
    else:
        sh.note(t("v_cross", lang))
        sh.header([t("c_category", lang), t("c_unit", lang), t("xr_col_cross_tariff", lang), t("xr_col_change", lang)])
        for c in v.cross_subsidy_tariffs:
            if c["increase_pct"] is None:
                continue
            sh.line([names[c["category"]], unit_label(result.tariff(c["category"]).unit, lang), c["tariff_som"],
                     c["increase_pct"] / 100], (None, None, MONEY, PERCENT2))


def _path(book: _Book, result):
    lang, src = book.lang, book.sources
    pa = result.policy.path
    names = {c.id: c.name.get(lang) for c in result.tariffs}
    sh = book.sheet("xr_sheet_path", t("r_path", lang))
    _program_values(sh)
    headers = [t("c_year", lang), t("xr_col_cpi_index", lang)]
    for c in pa.categories:
        unit = unit_label(c["unit"], lang)
        headers += [t("xr_col_cost_recovery", lang, category=names[c["category"]], unit=unit),
                    t("xr_col_path", lang, category=names[c["category"]], unit=unit)]
    headers += [t("xr_col_requirement", lang), t("c_subsidy", lang)]
    investments = result.scenario.investments is not None
    if investments:
        headers += [t("c_investment_effect", lang), t("c_fund", lang)]
    sh.header(headers)
    for k, year in enumerate(pa.years):
        values = [year, pa.cpi_index[k]]
        for c in pa.categories:
            values += [c["cost_recovery_tariff_som"][k], c["path_tariff_som"][k]]
        values += [pa.requirement_som[k], pa.subsidy_som[k]]
        if investments:
            values += [pa.investment_effect_som[k], pa.depreciation_fund_som[k]]
        sh.line(values, (YEAR, INDEX) + (MONEY,) * (len(values) - 2))
    sh.line([t("xr_total", lang), None] + [None] * (2 * len(pa.categories)) + [None, sum(pa.subsidy_som)],
            (None, None) + (MONEY,) * (2 * len(pa.categories) + 2), bold=True)
    for c in pa.categories:
        increase = format_percent(c["increase_needed"], 1, lang)
        reached = (c["reached_year"] is not None
                   and c["path_tariff_som"][-1] >= c["cost_recovery_tariff_som"][-1])
        text = (t("p_reached", lang, year=c["reached_year"], increase=increase) if reached
                else t("p_not_reached", lang, increase=increase))
        sh.note(f"{names[c['category']]}: {text}")
    sh.note(f"{t('r_cpi_source', lang)}: {src.ref(pa.cpi_source)}")
    _note_sources(sh)


def _sharing(book: _Book, result, model):
    """The requirement split between the members by the key, to the tyiyn by the largest
    remainder (:func:`okmo_models.tariff.policy.formulas.split_to_tyiyn`), as formulas over the
    members' figures on the inputs sheet and the калькуляция's requirement."""
    lang, src = book.lang, book.sources
    sh_ = result.policy.sharing
    sh = book.sheet("xr_sheet_sharing", t("r_sharing", lang))
    sh.header([t("c_member", lang), t("c_key", lang), t("xr_col_share", lang), t("c_payment", lang),
               t("xr_col_tariff", lang), t("c_unit", lang), t("xr_col_bill", lang), t("br_ref", lang),
               t("xr_col_tyiyn_raw", lang), t("xr_col_tyiyn_whole", lang), t("xr_col_tyiyn_rest", lang),
               t("xr_col_tyiyn_rank", lang)])
    formats = (None, AMOUNT1, PERCENT1, MONEY, MONEY, None, MONEY, None, NUMBER3, WHOLE, INDEX, WHOLE)
    members = sh_.members
    n = len(members)
    key = {"volume": "{share:%d:volume}", "heads": "{share:%d:volume}",
           "distance": "{share:%d:volume}*{share:%d:distance}", "fixed_share": "{share:%d:share}"}[sh_.key]
    cents = "ROUND({calc:requirement}*100,0)"  # the requirement in tyiyn
    whole_cents = int(round(result.revenue_requirement_som * 100))
    figures = _member_figures(result, model)
    weights = np.array([{"volume": v, "heads": v, "distance": (v or 0) * (d or 0), "fixed_share": q}[sh_.key]
                        for v, _, d, q, _ in figures], dtype=float)
    raw = list(weights / weights.sum() * whole_cents)
    rests = [r - np.floor(r) for r in raw]
    order = list(np.argsort(-np.array(rests), kind="stable"))
    keys = sum_of(f"shk:{j}" for j in range(n))
    leftover = f"({cents}-{sum_of(f'shw:{j}' for j in range(n))})"
    specs = result.scenario.sharing.members
    for j, m in enumerate(members):
        rest = f"{{shr:{j}}}"
        # the place of this member's remainder among all, largest first, earlier members first on a tie
        rank = "+".join([f"IF({{shr:{i}}}>{rest},1,0)" for i in range(n) if i != j] +
                        [f"IF({{shr:{i}}}={rest},1,0)" for i in range(j)]) or "0"
        payment = f"({{shw:{j}}}+IF({{shq:{j}}}<{leftover},1,0))/100"
        volume = specs[j].volume is not None or specs[j].heads is not None
        sh.line([m["name"].get(lang), Formula(key.replace("%d", str(j)), float(weights[j])),
                 Formula(f"{{shk:{j}}}/{keys}", float(weights[j] / weights.sum())), Formula(payment, m["payment_som"]),
                 None if m["tariff_per_unit_som"] is None or not volume else
                 Formula(f"ROUND(ROUND(({{shp:{j}}}/{{share:{j}:volume}})*100,6),0)/100", m["tariff_per_unit_som"]),
                 unit_label(m["unit"], lang),
                 None if m["per_household_month_som"] is None else
                 Formula(f"ROUND(ROUND(({{shp:{j}}}/{{share:{j}:households}}/12)*100,6),0)/100",
                         m["per_household_month_som"]),
                 src.ref(m.get("source")),
                 Formula(f"{{shs:{j}}}*{cents}", raw[j]), Formula(f"INT({{shx:{j}}})", float(np.floor(raw[j]))),
                 Formula(f"{{shx:{j}}}-{{shw:{j}}}", rests[j]), Formula(rank, float(order.index(j)))],
                formats, refs=(7,), names={1: f"shk:{j}", 2: f"shs:{j}", 3: f"shp:{j}", 8: f"shx:{j}",
                                           9: f"shw:{j}", 10: f"shr:{j}", 11: f"shq:{j}"})
    sh.line([t("xr_total", lang), Formula(keys, float(weights.sum())),
             Formula(sum_of(f"shs:{j}" for j in range(n)), 1.0),
             Formula(sum_of(f"shp:{j}" for j in range(n)), sum(m["payment_som"] for m in members))],
            formats, bold=True)
    sh.note(f"{t('sh_key', lang, key=t('key_' + sh_.key, lang))} {t('c_source', lang)}: {src.ref(sh_.key_source)}")
    sh.note(t("xr_sharing_note", lang))
    _note_sources(sh)


def _sensitivity(book: _Book, result):
    lang = book.lang
    se = result.policy.sensitivity
    category = result.tariff(se.category)
    unit = unit_label(category.unit, lang)
    swing = format_percent(se.swing, 0, lang)
    sh = book.sheet("xr_sheet_sensitivity", t("h_sensitivity", lang).capitalize())
    _program_values(sh)
    sh.note(t("s_tornado", lang, category=category.name.get(lang), swing=swing,
              base=format_number(se.base_tariff_som, 2, lang)))
    sh.header([t("c_line", lang), t("xr_col_low", lang, swing=swing, unit=unit),
               t("xr_col_high", lang, swing=swing, unit=unit), t("xr_col_range", lang, unit=unit)])
    for r in se.tornado:
        sh.line([r["name"].get(lang), r["low_som"], r["high_som"], r["range_som"]], (None, MONEY, MONEY, MONEY),
                wrap=(0,))
    if se.percentiles is None:
        sh.note(t("s_no_ranges", lang))
        return
    sh.row += 1
    sh.note(t("tt_monte_carlo", lang, draws=format_number(se.draws, 0, lang), seed=se.seed,
              **{k: format_number(v, 2, lang) for k, v in se.percentiles.items()}))
    sh.header([t("br_percentile", lang), t("xr_col_mc_tariff", lang, unit=unit), t("xr_col_requirement", lang)])
    requirement = se.requirement_percentiles or {}
    for key, value in se.percentiles.items():
        label = t("xr_mean", lang) if key == "mean" else key.upper()
        sh.line([label, value, requirement.get(key)], (None, MONEY, MONEY))


def _parameters(book: _Book, result):
    from okmo_models.parameters import known_parameters

    lang, src = book.lang, book.sources
    specs = known_parameters()
    sh = book.sheet("xr_sheet_parameters", t("h_parameters", lang).capitalize())
    sh.header([t("r_parameter", lang), t("c_value", lang), t("c_unit", lang), t("c_effective", lang),
               t("br_ref", lang)])
    for p in result.parameters:
        spec = specs.get(p.name)
        name = (spec.description.get(lang) or spec.description.get("ru")) if spec else p.name
        numeric = isinstance(p.value, (int, float)) and not isinstance(p.value, bool)
        value = p.value if numeric else p.text(lang)  # a percentage is a fraction in ``value``
        unit = "%" if p.unit == "%" else "" if p.unit in ("list", "text") else unit_label(p.unit, lang)
        fmt = PERCENT2 if p.unit == "%" else MONEY if p.unit.startswith("som") else NUMBER3
        effective = p.effective.strftime("%d.%m.%Y") if p.effective else t("r_scenario_value", lang)
        sh.line([name, value, unit, effective, src.ref(p.source, p.name)], (None, fmt), wrap=(0,), refs=(4,))
    if result.assets:
        sh.subheading(t("r_assets", lang))
        sh.header([t("r_asset", lang), t("r_value", lang), t("c_year", lang), t("xr_col_life", lang),
                   t("r_depreciation", lang), t("r_in_tariff", lang), t("br_ref", lang)])
        formats = (None, MONEY, YEAR, AMOUNT1, MONEY)
        for j, a in enumerate(result.assets):  # the charge as the inputs sheet computes it
            sh.line([a["name"].get(lang), a["value_som"], a["year"], a["useful_life_years"],
                     Formula(f"{{asset:{j}:charge}}", a["charge_som"]),
                     t("r_yes" if a["in_tariff"] else "r_no", lang), src.ref(a["source"])], formats, wrap=(0,),
                    refs=(6,))
        sh.line([t("xr_total", lang), sum(a["value_som"] for a in result.assets), None, None,
                 Formula(products((f"asset:{j}:charge", f"asset:{j}:in") for j in range(len(result.assets))),
                         sum(a["charge_som"] for a in result.assets if a["in_tariff"]))], formats, bold=True)
    _note_sources(sh)


# --- budget sheets ---------------------------------------------------------------------------------


def _year_labels(result, years, lang):
    history = set(result.years)
    return [t("br_executed_year" if y in history else "br_forecast_year", lang, year=y) for y in years]


def _forecast(book: _Book, result):
    from okmo_models.report.budget_sections import line_name

    lang, src = book.lang, book.sources
    s = result.scenario
    years = [*result.years, *result.forecast_years]
    first = 3  # columns: line, source, years..., method
    fills = {first + len(result.years) + k: _FORECAST_FILL for k in range(len(result.forecast_years))}
    sh = book.sheet("xr_sheet_forecast", t("br_by_line", lang))
    put(sh.ws.cell(sh.row, first), t("b_history", lang)).font = _BOLD
    put(sh.ws.cell(sh.row, first + len(result.years)), t("b_point", lang)).font = _BOLD
    sh.row += 1
    sh.header([t("br_line", lang), t("br_ref", lang), *_year_labels(result, years, lang), t("b_col_method", lang)],
              freeze_columns=2, fills=fills)
    formats = (None, None) + (AMOUNT1,) * len(years)
    history, forecast = result.history_totals(), result.totals()
    totals = {"revenue": "b_revenue_total", "expenditure": "b_expenditure_total"}
    for section in ("revenue", "expenditure"):
        lines = getattr(s, section)
        for i, (sec, line) in enumerate(result.lines):
            if sec == section:
                sh.line([line_name(s, line, lang), src.ref(lines[line].source), *result.history[i],
                         *result.point[i], t("b_method_" + result.chosen[i], lang)], formats, wrap=(0,), refs=(1,))
        reported = s.totals.source if s.totals is not None and getattr(s.totals, section) else None
        sh.line([t(totals[section], lang), src.ref(reported), *history.loc[section], *forecast.loc[section]],
                formats, bold=True, refs=(1,))
    sh.line([t("b_balance", lang), "", *history.loc["balance"], *forecast.loc["balance"]], formats, bold=True)
    if result.population is not None:
        sh.line([t("br_residents", lang), src.ref(s.population.source), *result.population], (None, None) +
                (WHOLE,) * len(years), refs=(1,))
    sh.row += 1
    cpi = [None, *(_rate(s.cpi[y]) for y in years[1:])]
    sh.line([t("br_cpi_row", lang), src.ref(s.cpi_source), *cpi], (None, None) + (PERCENT1,) * len(years), refs=(1,))
    _note_sources(sh)


def _rate(q) -> float:
    return q.value * q.parsed_unit.factor


def _budget_layout(book: _Book, result):
    lang = book.lang
    table = result.summary(lang)  # the 3-year budget layout of `okmo budget`
    years = list(table.columns[1:])
    sh = book.sheet("xr_sheet_budget", t("b_budget_period", lang))
    sh.header([t("b_col_line", lang), *_year_labels(result, years, lang)],
              fills={2 + k: _FORECAST_FILL for k in range(1, len(years))})
    strong = {t(k, lang) for k in ("b_revenue_total", "b_expenditure_total", "b_balance")}
    per_resident = t("b_per_resident", lang)
    for row in table.itertuples(index=False):
        label, *values = row
        fmt = MONEY if label == per_resident else AMOUNT1
        sh.line([label, *values], (None,) + (fmt,) * len(values), bold=label in strong)


def _intervals(book: _Book, result):
    lang, s = book.lang, result.scenario
    years = list(result.forecast_years)
    sh = book.sheet("xr_sheet_intervals", t("b_intervals", lang))
    sh.header([t("c_indicator", lang), t("br_percentile", lang), *_year_labels(result, years, lang)])
    keys = {"revenue": "b_revenue_total", "expenditure": "b_expenditure_total", "balance": "b_balance"}
    formats = (None, None) + (AMOUNT1,) * len(years)
    for (total, p), values in result.intervals().iterrows():
        sh.line([t(keys[total], lang), f"P{p}", *values], formats, bold=p == 50)
    sh.line([t("b_deficit_probability", lang), "", *result.deficit_probability()],
            (None, None) + (PERCENT1,) * len(years), bold=True)
    sh.note(t("br_percentile_note", lang))
    sh.note(t("br_mc_draws", lang, draws=format_number(s.draws, 0, lang), seed=s.seed))


def _scenarios(book: _Book, results):
    from okmo_models.budget.forecast import compare
    from okmo_models.report.budget_sections import describe_change

    lang, src = book.lang, book.sources
    first, s = results[0], results[0].scenario
    years = list(first.forecast_years)
    sh = book.sheet("xr_sheet_scenarios", t("b_compare", lang))
    sh.header([t("b_col_scenario", lang), t("c_indicator", lang), *_year_labels(first, years, lang)], freeze_columns=2)
    formats = (None, None) + (AMOUNT1,) * len(years)
    for row in compare(results, lang).itertuples(index=False):
        name, label, *values = row
        sh.line([name, label, *values], formats, bold=label.startswith("Δ"), wrap=(0,))
    sh.subheading(t("br_scenario_deficit", lang))
    sh.header([t("b_col_scenario", lang), "", *_year_labels(first, years, lang)])
    for r in results:
        sh.line([r.name(lang), "", *r.deficit_probability()], (None, None) + (PERCENT1,) * len(years), wrap=(0,))
    sh.subheading(t("br_changes", lang))
    sh.header([t("b_col_scenario", lang), t("xr_col_change_text", lang), t("br_ref", lang)])
    for r in results:
        variant = s.scenarios.get(r.variant) if r.variant else None
        if variant is None:
            continue
        if variant.description:
            sh.line([r.name(lang), variant.description.get(lang)], wrap=(0, 1))
        if variant.cpi:
            values = "; ".join(f"{y} — {format_percent(_rate(q), 1, lang)}" for y, q in sorted(variant.cpi.items()))
            sh.line([r.name(lang), t("br_change_cpi", lang, values=values)], wrap=(0, 1))
        if variant.population_growth is not None and s.population is not None:
            sh.line([r.name(lang), t("br_change_population", lang,
                                     growth=format_percent(_rate(variant.population_growth), 1, lang),
                                     baseline=format_percent(_rate(s.population.growth), 1, lang))], wrap=(0, 1))
        for change in variant.changes:
            sh.line([r.name(lang), describe_change(s, change, lang), src.ref(change.source)], wrap=(0, 1), refs=(2,))
    _note_sources(sh)


def _methods(book: _Book, result):
    from okmo_models.budget import methods as bm
    from okmo_models.report.budget_sections import line_name

    lang, s = book.lang, result.scenario
    table = result.methods_table(lang)  # chosen method and backtest MAPE per line
    sh = book.sheet("xr_sheet_methods", t("wt_methods", lang))
    sh.header([t("br_line", lang), t("b_col_method", lang),
               *(t("wt_col_error", lang, method=t("b_method_" + m, lang)) for m in bm.METHODS),
               t("xr_col_sigma", lang)])
    formats = (None, None) + (PERCENT1,) * (len(bm.METHODS) + 1)
    for i, ((_, line), row) in enumerate(zip(result.lines, table.itertuples(index=False))):
        chosen, *mape = row
        mape = [None if v != v else v for v in mape]  # NaN: no year to measure (an empty cell)
        sh.line([line_name(s, line, lang), chosen, *mape, result.sigma[i]], formats, wrap=(0,))


# --- programme sheets ------------------------------------------------------------------------------

_VARIANTS = ("plan", "optimal", "ranking")


def _financing(book: _Book, result):
    from okmo_models.programme.result import optimality_note

    lang = book.lang
    p = result.programme
    years = list(result.space.years)
    sh = book.sheet("xr_sheet_financing", t("prr_financing_title", lang))
    names = {m.id: m.name.get(lang) for m in p.measures}
    special = {t(k, lang) for k in ("pr_total_cost", "pr_left")}
    left_label = t("pr_left", lang)
    formats = (None,) + (AMOUNT1,) * (len(years) + 1)
    for which in _VARIANTS:
        portfolio = result.portfolios()[which]
        sh.subheading(t("pr_" + which, lang))
        sh.header([t("prr_col_row", lang), *years, t("xr_col_period_total", lang, first=years[0], last=years[-1])])
        for row in result.financing_table(which, lang).itertuples(index=False):
            label, *values = row
            # money left carries over when the rules say so: then its sum means nothing
            total = None if label == left_label and p.rules.carry_over else float(np.sum(values))
            sh.line([label, *values, total], formats, bold=label in special, wrap=(0,))
        note = optimality_note(result, lang) if which == "optimal" else None
        if note:
            sh.note(note)
        for year, short, causes in portfolio.gaps():
            sh.note(t("pr_gap", lang, year=year, short=format_number(short, 1, lang),
                      measures="; ".join(f"{names[c]} ({format_number(v, 1, lang)})" for c, v in causes[:4])))


def _measures(book: _Book, result):
    from okmo_models.programme.model import priority
    from okmo_models.report.programme_sections import by_priority, funding, sector

    lang, src = book.lang, book.sources
    p = result.programme
    unit = t("b_unit_" + p.unit, lang)
    sh = book.sheet("xr_sheet_measures", t("prr_measures", lang))
    headers = [t("c_no", lang), t("pr_col_measure", lang), t("prr_col_sector", lang), t("pr_col_priority", lang),
               t("xr_col_cost_total", lang, unit=unit), t("xr_col_running", lang, unit=unit),
               t("pr_col_planned", lang)]
    why_column = t("pr_col_why", lang)
    reasons = {}
    for which in _VARIANTS:
        variant = t("pr_" + which, lang)
        headers += [t("xr_col_start_of", lang, variant=variant), t("xr_col_why_of", lang, variant=variant)]
        # the same words as `okmo programme` prints: the measures in the same order (by priority)
        reasons[which] = list(result.measures_table(which, lang)[why_column])
    headers += [t("prr_col_funding", lang), t("br_ref", lang)]
    sh.header(headers, freeze_columns=2)
    measures = by_priority(p)
    formats = (None, None, None, WHOLE, AMOUNT1, AMOUNT1, YEAR) + (YEAR, None) * len(_VARIANTS)
    wrap = (1, 2, 8, 10, 12, 13)
    ref_col = len(headers) - 1
    for n, m in enumerate(measures):
        place = sector(m.sector, lang) + (f", {m.settlement.get(lang)}" if m.settlement else "")
        row = [n + 1, m.name.get(lang), place, priority(m, p) * 100, float(sum(m.cost)), m.running_cost,
               m.start if m.start is not None else "—"]
        for which in _VARIANTS:
            row += [result.portfolios()[which].starts.get(m.id, "—"), reasons[which][n]]
        row += [funding(m, p, lang), src.ref(m.source)]
        sh.line(row, formats, wrap=wrap, refs=(ref_col,))
    sh.line(["", t("xr_total", lang), "", None, float(sum(sum(m.cost) for m in measures)),
             float(sum(m.running_cost for m in measures))], formats, bold=True)
    _note_sources(sh)


def _compare(book: _Book, result):
    from okmo_models.programme.model import KINDS

    lang = book.lang
    portfolios = [result.portfolios()[w] for w in _VARIANTS]
    names = {m.id: m.name.get(lang) for m in result.programme.measures}
    sh = book.sheet("xr_sheet_compare", t("pr_compare", lang))
    sh.header([t("c_indicator", lang), *(t("pr_" + w, lang) for w in _VARIANTS)])

    def row(label, values, fmt=None, bold=False):
        sh.line([label, *values], (None,) + (fmt,) * len(values), bold=bold, wrap=(0,))

    row(t("pr_row_measures", lang), [len(p.starts) for p in portfolios], WHOLE)
    row(t("pr_row_fits", lang), [t("pr_yes" if p.fits() else "pr_no", lang) for p in portfolios])
    row(t("xr_row_priority", lang), [p.priority_total() * 100 for p in portfolios], AMOUNT1)
    flows = [p.by_source() for p in portfolios]
    for k in KINDS:
        row(t("funding_" + k, lang), [float(f[k].sum()) for f in flows], AMOUNT1)
    row(t("pr_total_cost", lang), [float(sum(f.values()).sum()) for f in flows], AMOUNT1, bold=True)
    row(t("pr_row_min_left", lang), [float(np.min(p.left())) for p in portfolios], AMOUNT1)
    row(t("pr_row_after", lang), [p.later_obligations() for p in portfolios], AMOUNT1)
    people = [p.beneficiaries() for p in portfolios]
    row(t("pr_row_beneficiaries", lang), [b[0] for b in people], WHOLE)
    row(t("pr_row_women", lang), [b[1] for b in people], WHOLE)
    row(t("pr_row_vulnerable", lang), [b[2] for b in people], WHOLE)
    row(t("xr_row_vulnerable_share", lang), [b[2] / b[0] if b[0] else 0.0 for b in people], PERCENT1)
    indicators = [p.indicators() for p in portfolios]
    for ind_id, (name, unit, baseline, _) in indicators[0].items():
        unit = format_unit(unit, lang)
        row(t("xr_indicator_baseline", lang, name=name.get(lang), unit=unit), [baseline] * len(portfolios), AMOUNT1)
        row(t("xr_indicator_reached", lang, name=name.get(lang), unit=unit),
            [ind[ind_id][3] for ind in indicators], AMOUNT1)
    row(t("pr_row_timeline", lang), [", ".join(f"{names[mid]} ({s})" for mid, s in sorted(p.starts.items(),
                                                                               key=lambda i: (i[1], i[0])))
                                     for p in portfolios])
    for col in range(2, 2 + len(portfolios)):  # the timeline is long: wrap it within the column
        sh.widths[col] = min(sh.widths[col], 40)
        sh.ws.cell(sh.row - 1, col).alignment = Alignment(wrap_text=True, vertical="top")


def _left(book: _Book, result):
    lang = book.lang
    years = list(result.space.years)
    sh = book.sheet("xr_sheet_left", t("pr_left", lang))
    sh.header([t("c_indicator", lang), *years])
    formats = (None,) + (AMOUNT1,) * len(years)
    sh.line([t("pr_fiscal_space", lang), *result.space.amounts], formats, bold=True, wrap=(0,))
    for which in _VARIANTS:
        portfolio = result.portfolios()[which]
        variant = t("pr_" + which, lang)
        sh.line([t("xr_row_local_of", lang, variant=variant), *portfolio.local_need()], formats, wrap=(0,))
        sh.line([t("xr_row_left_of", lang, variant=variant), *portfolio.left()], formats, bold=True, wrap=(0,))
    sh.note(t("pr_space_from", lang, origin=_space_origin(result, lang)))


def _space_origin(result, lang) -> str:
    """Where a programme's fiscal space comes from: the budget file, or the programme's own
    amounts by year (``limits``, a key of the file, not a word for the reader)."""
    origin = result.space.origin
    return t("wt_space_limits", lang) if origin == "limits" else t("wt_space_file", lang, file=origin)


# --- passport sheets -------------------------------------------------------------------------------


def _measure(x) -> str:
    """The format of a capacity or a need: whole, or with up to two decimals."""
    return WHOLE if x is None or float(x).is_integer() else "#,##0.0#"


def _passport_objects(book: _Book, result, data: dict):
    lang, src, p = book.lang, book.sources, result.passport
    money = WHOLE if p.unit == "som" else AMOUNT1
    sh = book.sheet("pp_objects", t("pp_objects", lang))
    sh.header([t("c_no", lang), t("pp_col_settlement", lang), t("pp_col_object", lang), t("pp_col_type", lang),
               t("pp_col_built", lang), t("xf_acquired", lang), t("pp_col_condition", lang),
               t("pp_col_capacity", lang), t("pp_col_need", lang), t("xr_col_capacity_unit", lang),
               t("pp_col_served", lang), t("pp_col_requirements", lang), t("pp_col_capital_repair", lang),
               t("pp_col_value", lang, unit=t("b_unit_" + p.unit, lang)), t("xr_col_life", lang),
               t("xf_owner", lang), t("xf_service", lang), t("pp_col_shortfall", lang), t("pp_col_points", lang),
               t("xr_col_need_rank", lang), t("br_ref", lang)], freeze_columns=3)
    for n, (o, d) in enumerate(zip(p.objects, data["objects"]), 1):
        capital = [r.year for r in o.repairs if r.kind == "capital"]
        formats = (None, None, None, None, YEAR, YEAR, None, _measure(d["capacity"]), _measure(d["need"]), None, WHOLE,
                   None, YEAR, money, WHOLE, None, None, _measure(d["shortfall"]), "0.0", WHOLE)
        sh.line([n, result.settlement_name(o.settlement, lang), d["name"], d["type_name"],
                 d["built"] if d["built"] is not None else t("pp_not_built", lang), d["acquired"],
                 d["condition_name"] or "—", d["capacity"] if d["built"] is not None else None, d["need"],
                 d["capacity_unit"], d["served"], t("pp_yes" if d["meets_requirements"] else "pp_no", lang),
                 max(capital) if capital else None, d["balance_value"], d["useful_life"], d["owner_name"],
                 t("service_" + d["service"], lang) if d["service"] else None, d["shortfall"] or None,
                 d["points"], d["need_rank"], src.ref(o.source)], formats, wrap=(2,), refs=(20,))
    sh.note(t("pp_counts", lang, objects=len(p.objects), conditions="; ".join(
        f"{t('pp_condition_' + c, lang) if has('pp_condition_' + c) else t('pp_' + c, lang)}: {k}"
        for c, k in result.condition_counts().items())))  # not_built: pp_not_built
    _note_sources(sh)


def _passport_needs(book: _Book, result, data: dict):
    lang, src, p = book.lang, book.sources, result.passport
    money = WHOLE if p.unit == "som" else AMOUNT1
    unit = t("b_unit_" + p.unit, lang)
    objects = {o.id: (o, d) for o, d in zip(p.objects, data["objects"])}
    sh = book.sheet("pp_needs", t("pp_needs", lang))
    sh.header([t("c_no", lang), t("pp_col_object", lang), t("pp_col_settlement", lang), t("pp_col_type", lang),
               t("pp_col_condition", lang), t("pp_col_shortfall", lang), t("xr_col_capacity_unit", lang),
               t("xr_col_shortfall_share", lang), t("pp_col_requirements", lang), t("pp_col_points", lang),
               t("pp_col_served", lang), t("pp_col_option", lang), t("pp_col_cost", lang, unit=unit),
               t("xfs_objects_options_years", lang), t("xr_col_running", lang, unit=unit), t("br_ref", lang)],
              freeze_columns=2)
    for need in data["needs"]:
        o, d = objects[need["object"]]
        formats = (WHOLE, None, None, None, None, _measure(d["shortfall"]), None, PERCENT1, None, "0.0", WHOLE, None,
                   money, WHOLE, money)
        option = next((x for x in o.options if x.id == need["option"]), None)
        sh.line([need["rank"], d["name"], result.settlement_name(o.settlement, lang), d["type_name"],
                 d["condition_name"] or t("pp_not_built", lang), d["shortfall"] or None, d["capacity_unit"],
                 d["shortfall_share"] if d["shortfall"] else None,
                 t("pp_yes" if d["meets_requirements"] else "pp_no", lang), need["points"], d["served"],
                 option.name.get(lang) if option else "—", need["cost"], option.years if option else None,
                 option.running_cost if option else None, src.ref(option.source if option else o.source)],
                formats, wrap=(1, 11), refs=(15,))
    sh.line(["", t("xr_total", lang), *[""] * 10, data["needs_cost"]], (None,) * 12 + (money,), bold=True)
    sh.note(t("pp_needs_cost", lang, count=len(data["needs"]), cost=format_number(data["needs_cost"], 0, lang),
              unit=unit))
    _note_sources(sh)


# --- economic-base sheets --------------------------------------------------------------------------


def _bases_by_year(book: _Book, result):
    lang, src, b, v = book.lang, book.sources, result.base, result.values
    years = list(result.all_years)
    first = 4  # columns: item, what, source, years...
    fills = {first + len(result.years) + k: _FORECAST_FILL for k in range(len(result.forecast_years))}
    title = t("eb_title", lang)
    sh = book.sheet("xr_sheet_bases", title[:1].upper() + title[1:])
    head = [t("c_indicator", lang), "", t("br_ref", lang), *years]
    n = len(years)

    def digits(values) -> str:
        counted = [x for x in values[: len(result.years)] if np.isfinite(x)]
        return WHOLE if all(float(x).is_integer() for x in counted) else AMOUNT1

    if b.land:
        sh.subheading(t("eb_land_title", lang))
        sh.header(head, freeze_columns=2, fills=fills)
        for category, total in v.land_by_category.items():
            entries = [e for e in b.land if e.category == category]
            for e in entries:
                area = v.land[(e.category, e.user)]
                sh.line([t("eb_land_" + category, lang), t("eb_user_" + e.user, lang), src.ref(e.source), *area],
                        (None, None, None) + (digits(area),) * n, refs=(2,))
            if len(entries) > 1:
                sh.line([t("eb_land_" + category, lang), t("eb_total", lang), "", *total],
                        (None, None, None) + (digits(total),) * n, bold=True)
    if b.livestock:
        sh.subheading(t("eb_livestock_title", lang))
        sh.header(head, freeze_columns=2, fills=fills)
        for h in b.livestock:
            name = t("species_" + h.species, lang)
            sh.line([name, t("eb_heads", lang), src.ref(h.source), *v.heads[h.species]],
                    (None, None, None) + (WHOLE,) * n, refs=(2,))
            sh.line([name, f"{t('eb_conventional_heads', lang)} (× {format_number(h.conventional, 2, lang)})", "",
                     *v.conventional[h.species]], (None, None, None) + (WHOLE,) * n)
        sh.line([t("eb_total_conventional", lang), "", "", *v.conventional_total], (None, None, None) + (WHOLE,) * n,
                bold=True)
        if b.pastures is not None:
            sh.subheading(t("eb_pastures_title", lang))
            sh.header(head, freeze_columns=2, fills=fills)
            over = v.overloaded()
            sh.line([t("eb_pasture_area", lang), "", "", *v.pasture_area], (None, None, None) + (WHOLE,) * n)
            sh.line([t("eb_total_conventional", lang), "", "", *v.conventional_total], (None, None, None) + (WHOLE,) * n)
            sh.line([t("eb_pasture_load", lang), "", "", *v.pasture_load], (None, None, None) + ("0.00",) * n, bold=True)
            sh.line([t("eb_capacity", lang), "", src.ref(b.pastures.source), *[v.capacity] * n],
                    (None, None, None) + ("0.00",) * n, refs=(2,))
            sh.line([t("eb_overload_row", lang), "", "", *(t("eb_overloaded" if o else "eb_within", lang)
                                                           if np.isfinite(x) else "—"
                                                           for o, x in zip(over, v.pasture_load))])
    if b.businesses:
        sh.subheading(t("eb_businesses_title", lang))
        sh.header(head, freeze_columns=2, fills=fills)
        for c in b.businesses:
            sh.line([t("eb_business_" + c.kind, lang), "", src.ref(c.source), *v.businesses[c.kind]],
                    (None, None, None) + (WHOLE,) * n, refs=(2,))
    sh.note(t("eb_forecast_note", lang, year=b.year))
    _note_sources(sh)


def _accrued(book: _Book, result):
    from okmo_models.economic_base.result import term_label

    lang, src, b, v = book.lang, book.sources, result.base, result.values
    years = list(result.all_years)
    n = len(years)
    first = 5  # columns: line, term, rate, source, years...
    fills = {first + len(result.years) + k: _FORECAST_FILL for k in range(len(result.forecast_years))}
    sh = book.sheet("xr_sheet_accrued", t("eb_revenue_title", lang))
    sh.header([t("eb_col_line", lang), t("eb_col_term", lang), t("eb_col_rate", lang), t("br_ref", lang), *years],
              freeze_columns=2, fills=fills)
    formats = (None, None, None, None) + (AMOUNT1,) * n
    for line, terms in b.revenue_bases.items():
        label = t("line_b_" + line, lang)
        for term, part in zip(terms, v.accrued_terms[line]):
            sh.line([label, term_label(term, lang), result.rate_text(term, lang), src.ref(term.source), *part],
                    formats, wrap=(1, 2), refs=(3,))
        sh.line([label, t("eb_total_accrued", lang), "", "", *v.accrued[line]], formats, bold=True)
    sh.note(t("eb_forecast_note", lang, year=b.year))
    _note_sources(sh)


# --- monitoring: the monthly review ----------------------------------------------------------------

# The reviewed figures as the text review shows them: a share as "96,3 %", dates as the
# reader's documents write them.
_MO_PERCENT = "0.0 %"
_MO_DECIMAL2 = "#,##0.00"
_MO_DATE = {"en": "d mmm yyyy"}  # ru, ky: 08.10.2027
_MO_LIGHT_FILLS = {"green": PatternFill("solid", fgColor="C6EFCE"), "amber": PatternFill("solid", fgColor="FFEB9C"),
                   "red": PatternFill("solid", fgColor="FFC7CE")}
_MO_SECTIONS = ("programme", "tariff", "budget")


def monitoring_workbook(result, lang: str) -> bytes:
    """The monthly review as a workbook: the review (counts, what is behind and why, the
    rule, what was not assessed), every indicator against its plan, the monthly actuals,
    the instructions, the satisfaction surveys, the input files and the sources. Every figure
    is the result's (as in ``okmo monitoring --format json``), a number in a cell with the
    number format that shows it as the text review does."""
    m = result.monitoring
    book = _Book(lang, _Sources(m.sources, lang), [
        f"{m.municipality.name.get(lang)} — {result.title(lang)}",
        *_file_line(result.provenance, lang)])
    _mo_review(book, result)
    _mo_indicators(book, result)
    _mo_monthly(book, result)
    _mo_instructions(book, result)
    if result.surveys is not None:
        _mo_surveys(book, result)
    _mo_inputs(book, result)
    return book.save()


def _mo_value_format(a, x) -> str | None:
    """The number format of a value of indicator ``a``, as ``MonitoringResult.value_text``
    writes it: a share to 0.1 %, som whole, thousands and millions to 0.1, other units whole
    or to two decimals."""
    unit = a.plan.unit
    if unit == "share":
        return _MO_PERCENT
    if unit == "som":
        return WHOLE
    if unit in ("thousand_som", "million_som"):
        return AMOUNT1
    return WHOLE if x is None or float(x).is_integer() else _MO_DECIMAL2


def _mo_literal(text: str) -> str:
    """Text as a literal of an Excel number format (a quote cannot be inside one)."""
    text = text.replace('"', "")
    return f'"{text}"' if text else ""


def _mo_percent_format(before: str, sign: str, after: str) -> str:
    """A section of a number format: words, a sign, the percentage to 0.1, words."""
    return f"{_mo_literal(before + sign)}{_MO_PERCENT}{_mo_literal(after)}"


def _mo_score(result, a, lang: str):
    """What the light compares, as a number when there is one, with a number format that
    shows it in the words of ``MonitoringResult.score_text`` ("96,3 % плана", "62,0 %
    запланированного изменения"): ``a.score``; for costs and spending the deviation from the
    plan with its sign ("+4,1 % от плана"), computed as ``score_text`` computes it. Without
    a number (no actuals, a zero plan, a target already reached), the words themselves."""
    from okmo_models.monitoring.plans import NEAR

    text = result.score_text(a, lang)
    if a.score is None or not np.isfinite(a.score):
        return text, None
    near = a.plan.direction == NEAR
    value = result.deviation(a) if near else a.score  # a zero plan has no score
    before, found, after = text.partition(format_percent(abs(value) if near else value, 1, lang))
    if not found:  # words built in a way this function does not know: shown as the words
        return text, None
    if near:  # the sign written as score_text writes it: + above the plan, − below
        before = before.rstrip("+−")
        return value, ";".join(_mo_percent_format(before, sign, after) for sign in ("+", "−", ""))
    # an explicit negative section keeps the minus beside the number, after any words before it
    return value, f"{_mo_percent_format(before, '', after)};{_mo_percent_format(before, '-', after)}"


def _mo_indicator_table(sh: _Sheet, result, assessments, profiles: dict):
    lang, src = sh.book.lang, sh.book.sources
    year = result.monitoring.year
    sh.header([t("mo_col_indicator", lang), t("mo_col_unit", lang), t("mo_col_plan_year", lang, year=year),
               t("mo_col_plan_so_far", lang), t("mo_col_actual_so_far", lang), t("mo_col_forecast", lang),
               t("mo_col_score", lang), t("mo_col_light", lang), t("mo_col_reason", lang), t("br_ref", lang)])
    for a in assessments:
        score, score_format = _mo_score(result, a, lang)
        values = [a.plan.plan, a.plan_so_far, a.so_far, a.forecast]
        sh.line([a.plan.label.render(lang), result.unit_text(a, lang), *values, score, result.light_text(a, lang),
                 result.reason_text(a, lang), src.ref(profiles.get(a.plan.id))],
                (None, None, *(_mo_value_format(a, x) for x in values), score_format),
                wrap=(0, 8), refs=(9,))
        light = sh.ws.cell(sh.row - 1, 8)
        if a.light in _MO_LIGHT_FILLS:
            light.fill = _MO_LIGHT_FILLS[a.light]
    sh.widths[1] = min(sh.widths.get(1, 0), 45)
    sh.widths[9] = min(sh.widths.get(9, 0), 50)


def _mo_profiles(result) -> dict:
    """Indicator id -> the source of its monthly profile (the plan to date depends on it)."""
    return {s.id: s.source for s in result.monitoring.indicators}


def _mo_review(book: _Book, result):
    from okmo_models.monitoring.export import notes
    from okmo_models.monitoring.periods import format_date, period_label

    lang, src, m = book.lang, book.sources, result.monitoring
    sh = book.sheet("xmo_sheet_review", result.title(lang))
    sh.frozen = True  # several small tables: nothing to freeze
    periods = result.indicators.periods
    last = period_label(periods[-1], lang) if periods else period_label(result.month, lang)
    sh.text(t("mo_meeting", lang, date=format_date(result.meeting, lang), period=last), font=_BOLD)

    sh.subheading(t("xmo_counts_title", lang))
    sh.header([t("xmo_col_light", lang), t("xmo_col_count", lang)])
    for light, n in result.counts().items():
        sh.line([t(f"mo_light_{light}" if light != "none" else "xmo_light_none", lang), n], (None, WHOLE))
        if light in _MO_LIGHT_FILLS:
            sh.ws.cell(sh.row - 1, 1).fill = _MO_LIGHT_FILLS[light]

    sh.subheading(t("mo_section_behind", lang))
    behind = result.behind()
    if behind:
        _mo_indicator_table(sh, result, behind, _mo_profiles(result))
    else:
        sh.note(t("mo_none", lang))

    if result.instructions is not None:
        sh.subheading(t("xmo_instruction_counts_title", lang))
        sh.header([t("xmo_col_status", lang), t("xmo_col_count", lang)])
        for status, n in result.instructions.counts.items():
            sh.line([t(f"xmo_status_{status}", lang), n], (None, WHOLE))

    sh.subheading(t("xmo_rule_title", lang))
    sh.text(f"{result.rule_text(lang)} {src.ref(m.traffic_light.source)}")
    sh.subheading(t("xmo_notes_title", lang))
    for line in notes(result, lang) or [t("xmo_no_notes", lang)]:
        sh.text(line)
    _note_sources(sh)


def _mo_indicators(book: _Book, result):
    lang = book.lang
    sh = book.sheet("xmo_sheet_indicators", t("xmo_indicators_title", lang))
    profiles = _mo_profiles(result)
    for source in _MO_SECTIONS:
        if result.section(source):
            sh.subheading(t(f"mo_section_{source}", lang))
            _mo_indicator_table(sh, result, result.section(source), profiles)
    sh.row += 1
    sh.note(result.rule_text(lang))
    _note_sources(sh)


def _mo_monthly(book: _Book, result):
    from okmo_models.monitoring.periods import period_label

    lang = book.lang
    periods = list(result.indicators.periods)
    sh = book.sheet("xmo_sheet_monthly", t("xmo_monthly_title", lang))
    for source in _MO_SECTIONS:
        if not result.section(source):
            continue
        sh.subheading(t(f"mo_section_{source}", lang))
        sh.header([t("mo_col_indicator", lang), t("mo_col_unit", lang), *(period_label(p, lang) for p in periods)],
                  freeze_columns=2)
        for a in result.section(source):
            shown = dict(zip(a.periods, a.values))
            values = [shown.get(p) for p in periods]
            sh.line([a.plan.label.render(lang), result.unit_text(a, lang), *values],
                    (None, None, *(_mo_value_format(a, x) for x in values)), wrap=(0,))
    sh.widths[1] = min(sh.widths.get(1, 0), 45)
    sh.note(t("xmo_monthly_note", lang))


def _mo_date_cells(sh: _Sheet, columns, lang: str):
    """The dates of the row just written shown as the reader's documents write them."""
    for col in columns:
        cell = sh.ws.cell(sh.row - 1, col)
        if isinstance(cell.value, dt.date):
            cell.number_format = _MO_DATE.get(lang, "dd.mm.yyyy")
            sh._fit(col, 11)


def _mo_instructions(book: _Book, result):
    from okmo_models.monitoring.periods import format_date

    lang = book.lang
    sh = book.sheet("xmo_sheet_instructions", t("mo_section_instructions", lang))
    r = result.instructions
    if r is None:
        sh.note(t("xmo_no_instructions", lang))
        return
    sh.text(t("mo_instruction_counts", lang, **r.counts))
    common = [t("mo_col_id", lang), t("mo_col_task", lang), t("mo_col_responsible", lang), t("mo_col_due", lang)]
    sections = (("overdue", t("mo_overdue", lang),
                 [t("mo_col_days_overdue", lang), t("mo_col_reason", lang), t("mo_col_decision", lang)]),
                ("done_late", t("mo_done_late", lang), [t("mo_col_done_on", lang), t("mo_col_days_late", lang)]),
                ("due_soon", t("mo_due_soon", lang, date=format_date(r.due_soon_until, lang)),
                 [t("mo_col_days_left", lang)]))
    for which, title, columns in sections:
        sh.subheading(title)
        rows = getattr(r, which)
        if not rows:
            sh.note(t("mo_none", lang))
            continue
        sh.header(common + columns, freeze_columns=2)
        for i in rows:
            start = [i.id, i.task, i.responsible, i.due]
            if which == "overdue":
                sh.line([*start, r.days_overdue(i), i.reason or t("mo_reason_missing", lang), i.decision or ""],
                        (None, None, None, None, WHOLE), wrap=(1, 2, 5, 6))
            elif which == "done_late":
                sh.line([*start, i.done_on, (i.done_on - i.due).days], (None,) * 5 + (WHOLE,), wrap=(1, 2))
            else:
                sh.line([*start, (i.due - r.meeting).days], (None, None, None, None, WHOLE), wrap=(1, 2))
            _mo_date_cells(sh, (4, 5), lang)
    for col in (2, 6, 7):
        if col in sh.widths:
            sh.widths[col] = min(sh.widths[col], 50)


def _mo_surveys(book: _Book, result):
    """Each survey's share satisfied by service and group with its margin of error, the
    change between surveys with the test's verdict, and the reference figures."""
    from okmo_models.monitoring.periods import period_label
    from okmo_models.monitoring.surveys import change_text, verdict

    lang, src, r = book.lang, book.sources, result.surveys
    sh = book.sheet("xmo_sheet_surveys", t("mo_section_surveys", lang))
    survey_source = {s.spec.id: s.spec.source for s in r.surveys}
    survey_date = {s.spec.id: period_label(s.spec.date, lang) for s in r.surveys}
    share = "0 %"  # as the review writes a share satisfied: whole percent
    points = '"±"0.0'  # the margin in percentage points, as "±4,9 п.п."

    sh.subheading(t("xmo_surveys_estimates", lang))
    sh.header([t("xmo_col_service", lang), t("xmo_col_survey", lang), t("xmo_col_group", lang),
               t("xmo_col_answers", lang), t("xmo_col_satisfied_answers", lang), t("xmo_col_share_satisfied", lang),
               t("xmo_col_margin", lang), t("xmo_col_low", lang), t("xmo_col_high", lang),
               t("xmo_col_n_eff", lang), t("xmo_col_weighting", lang), t("xmo_col_note", lang), t("br_ref", lang)],
              freeze_columns=1)
    for e in r.estimates:
        margin = None if e.margin is None else e.margin * 100
        note = "" if e.estimated else t("sv_estimate_not_estimated", lang, n=e.n, min=e.min_answers)
        sh.line([r.name(e.question, lang), survey_date[e.survey], t(f"sv_group_{e.group}", lang), e.n, e.satisfied,
                 e.share, margin, e.low, e.high, e.n_eff, t(f"sv_weighting_{e.weighting}", lang), note,
                 src.ref(survey_source.get(e.survey))],
                (None, None, None, WHOLE, WHOLE, share, points, share, share, WHOLE), wrap=(0, 11), refs=(12,))

    if r.changes:
        sh.subheading(t("xmo_surveys_changes", lang))
        sh.header([t("xmo_col_service", lang), t("xmo_col_group", lang), t("xmo_col_survey_before", lang),
                   t("xmo_col_survey_after", lang), t("xmo_col_share_before", lang), t("xmo_col_share_after", lang),
                   t("xmo_col_difference", lang), t("xmo_col_p_value", lang), t("xmo_col_verdict", lang),
                   t("xmo_col_in_words", lang)])
        for c in r.changes:
            sh.line([r.name(c.question, lang), t(f"sv_group_{c.group}", lang), survey_date[c.survey_a],
                     survey_date[c.survey_b], c.share_a, c.share_b, c.difference_pp, c.p_value,
                     t(f"xmo_verdict_{verdict(c)}", lang), change_text(c, lang, headed=False)],
                    (None, None, None, None, share, share, '"+"0.0;"−"0.0;"±"0.0', "0.000"), wrap=(0, 9))
        sh.note(t("xmo_surveys_test_note", lang))

    if r.reference:
        sh.subheading(t("xmo_surveys_reference", lang))
        sh.header([t("c_year", lang), t("xmo_col_who", lang), t("xmo_col_share_satisfied", lang), t("br_ref", lang)])
        labels = [x["label"] for x in r.to_dict(lang)["reference"]]  # "nationally" unless labelled
        for p, label in zip(r.reference, labels):
            sh.line([p.year, label, p.fraction, src.ref(p.source)], (YEAR, None, share), refs=(3,))
    for col in (1, 10, 12):
        if col in sh.widths:
            sh.widths[col] = min(sh.widths[col], 45)
    _note_sources(sh)


def _mo_inputs(book: _Book, result):
    from okmo_models.provenance import shown

    lang = book.lang
    sh = book.sheet("xmo_sheet_inputs", t("xmo_inputs_title", lang))
    sh.header([t("c_no", lang), t("xmo_col_role", lang), t("xmo_col_file", lang), t("xmo_col_sha", lang)])
    folder = result.path.parent.resolve()
    for n, f in enumerate(result.provenance.inputs, 1):
        role = "monitoring" if n == 1 else f.role
        key = f"xmo_role_{role}" if has(f"xmo_role_{role}") else "xmo_role_other"
        # a file of the municipality's folder by its name there, as the monitoring file names it
        path = Path(f.path).resolve()
        name = path.relative_to(folder).as_posix() if path.is_relative_to(folder) else shown(f.path)
        sh.line([n, t(key, lang), name, f.sha256], (WHOLE,))
    sh.note(t("xmo_inputs_note", lang))

"""Shared presentation: one interface for the three reports' sections and stamp, one chart
specification drawn by matplotlib (notebooks, PDF) and by SVG (hearing dashboard) with the
same figures and words."""

import inspect
import xml.etree.ElementTree as ET
from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np
import pytest

from okmo_models import charts, display
from okmo_models.budget.forecast import BudgetModel, load_budget
from okmo_models.hearing import svg
from okmo_models.provenance import InputFile
from okmo_models.report import blocks, budget_sections, programme_sections, sections

EXAMPLES = Path(__file__).resolve().parent.parent / "okmo_models" / "examples"
KOK_JAR = EXAMPLES / "kok-jar/budget.yaml"
SVG = "{http://www.w3.org/2000/svg}"


@pytest.fixture(scope="module")
def results():
    loaded = load_budget(KOK_JAR)
    return BudgetModel(loaded.scenario, loaded.inputs).fit_all()


@pytest.fixture(scope="module")
def spec(results):
    """The dashboard's kind of fan: the last six executed years, a scenario against the baseline."""
    variant = next(r for k, r in results.items() if k is not None)
    return charts.budget_fan(variant, "ky", "balance", history_shown=6, baseline=results[None])


def test_the_three_kinds_of_report_have_one_interface():
    names = ("read", "outline", "contents", "title_page", "body", "charts", "stamp_and_signatures")
    for name in names:
        # the parameters every caller gives; a kind may take more, with defaults (a tariff's peers)
        signatures = {module.__name__: [p.name for p in inspect.signature(getattr(module, name)).parameters.values()
                                        if p.default is inspect.Parameter.empty]
                      for module in (sections, budget_sections, programme_sections)}
        assert len({tuple(p) for p in signatures.values()}) == 1, (name, signatures)


def test_a_document_is_title_contents_sections_and_stamp(results):
    document = budget_sections.read(KOK_JAR)
    html = document.html("en")
    order = [html.index(marker) for marker in ('class="title-page"', 'class="toc"', 'id="s1"', 'class="stamp"')]
    assert order == sorted(order)
    assert html.count('<figure class="chart"><svg') == 3  # revenue, balance, the scenarios' balances


def test_the_stamp_lists_every_input_file_with_its_hash(results):
    stamp = budget_sections.stamp_and_signatures(results, "ru")
    for f in results[None].provenance.inputs:
        assert f"«{Path(f.path).name}»; SHA-256 <span class=\"hash\">{f.sha256}</span>" in stamp
    assert "таблица истории «history.csv»" in stamp and "«____» ______________ 20____" in stamp
    # names from the file system are text, never markup
    odd = blocks.stamp_and_signatures([InputFile("scenario", Path("<b>.yaml"), "ab")], "en", year=2025)
    assert "&lt;b&gt;.yaml" in odd and "<b>" not in odd and "______________ 2025" in odd


def _points(text):
    return [tuple(map(float, p.split(","))) for p in text.split()]


def _affine(pairs, tolerance=0.1):
    """True when every (value, pixel) pair lies on one straight line, to the SVG's rounding
    (0.1 px on every point, so a little more on the line fitted through them)."""
    values, pixels = np.array(pairs, dtype=float).T
    slope, intercept = np.polyfit(values, pixels, 1)
    return float(np.max(np.abs(intercept + slope * values - pixels))) <= tolerance


def test_svg_and_matplotlib_draw_the_same_numbers_and_words(spec):
    anchor = spec.anchor_years
    series = {"history": (spec.history_years, spec.history), "point": (anchor, spec.anchored(spec.point)),
              "baseline": (anchor, spec.anchored(spec.baseline))}
    bands = {"outer": spec.outer, "inner": spec.inner}
    words = {spec.labels[k] for k in ("history", "point", "baseline", "outer", "inner")}

    # matplotlib: the lines and bands carry the specification's figures, the legend its words
    ax = display.fan_chart(spec)
    lines = {line.get_label(): line for line in ax.get_lines()}
    for key, (xs, ys) in series.items():
        line = lines[spec.labels[key]]
        assert list(line.get_xdata()) == list(xs) and np.allclose(line.get_ydata(), ys), key
    for key, (low, high) in bands.items():
        band = next(c for c in ax.collections if c.get_label() == spec.labels[key])
        vertices = {(round(x, 6), round(y, 6)) for x, y in band.get_paths()[0].vertices}
        for row in (low, high):
            assert {(x, round(y, 6)) for x, y in zip(anchor, spec.anchored(row))} <= vertices, key
    assert ax.get_title() == spec.title
    assert words | {spec.labels["shade"]} == {text.get_text() for text in ax.get_legend().get_texts()}
    plt.close(ax.figure)

    # SVG: the same figures on one scale, the same words
    root = ET.fromstring(svg.fan_chart(spec))
    texts = {el.text for el in root.iter(SVG + "text")}
    assert spec.title in texts and words | {spec.labels["shade"]} <= texts
    strokes = {"history": "#222", "point": "#2f6f9f", "baseline": "#888"}
    by_stroke = {el.get("stroke"): _points(el.get("points")) for el in root.iter(SVG + "polyline")}
    xs, ys = [], []
    for key, (years, values) in series.items():
        drawn = by_stroke[strokes[key]]
        assert len(drawn) == len(values), key
        xs += [(year, x) for year, (x, _) in zip(years, drawn)]
        ys += [(value, y) for value, (_, y) in zip(values, drawn)]
    for polygon, (low, high) in zip(root.iter(SVG + "polygon"), bands.values()):
        drawn = _points(polygon.get("points"))
        values = [*spec.anchored(high), *spec.anchored(low)[::-1]]
        years = [*anchor, *anchor[::-1]]
        xs += [(year, x) for year, (x, _) in zip(years, drawn)]
        ys += [(value, y) for value, (_, y) in zip(values, drawn)]
    assert _affine(xs) and _affine(ys)


def test_the_report_fan_chart_is_the_specification_of_the_result(results):
    r = results[None]
    spec = charts.budget_fan(r, "ru", "revenue")
    assert spec.history_years == tuple(r.years) and spec.years == tuple(r.forecast_years)
    assert np.allclose(spec.point, r.totals().loc["revenue"])
    assert spec.shade == (r.forecast_years[0], r.forecast_years[r.horizon - 1]) and not spec.zero_line
    assert spec.title.startswith("ВСЕГО ДОХОДОВ, тыс. сом") and spec.labels["outer"] == "5–95 %"


def test_chart_axes_and_labels_speak_the_readers_language():
    # a negative tick is typeset with a real minus (it had the hyphen of "-1 000"); the
    # Monte Carlo chart names its percentiles by share, not by the codes "p5"/"p95"
    import matplotlib.pyplot as plt

    from okmo_models import calculate_tariff
    from okmo_models.examples import example_path

    result = calculate_tariff(example_path("teploklyuchenka/waste.yaml"))
    ax = display.monte_carlo_chart(result, "ky")
    texts = [x.get_text() for x in ax.texts] + [ax.get_title()]
    assert not any("p5" in x or "p95" in x or "Monte" in x for x in texts), texts
    assert ax.xaxis.get_major_formatter()(-1500, 0) == "\u22121\u00a0500,0"
    plt.close(ax.figure)


def test_the_report_fonts_print_a_real_minus():
    # Debian's Noto Sans has no U+2212: with "sans-serif" matplotlib warned "Glyph 8722 missing"
    # and would draw a box; a list of families falls back to DejaVu Sans glyph by glyph
    import warnings

    from okmo_models.report.blocks import report_fonts, svg

    with report_fonts(), warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        fig, ax = plt.subplots()
        ax.set_title("\u22121\u00a0500 сом")
        svg(fig)
    assert not [w for w in caught if "missing from font" in str(w.message)]

"""Small charts drawn directly as SVG: redrawn on every slider move in a few
microseconds and shown by any browser without plotting libraries or network."""

from __future__ import annotations

import math
from html import escape

from okmo_models.charts import FanChart
from okmo_models.formatting import tick_number

WIDTH, HEIGHT, LEFT, BOTTOM, TOP = 500, 290, 64, 40, 62
FONT = 1.3  # type of the budget and programme charts, against the 12-15 units they were drawn with


def bars(labels, values, colors, lang: str, title: str, keys=None) -> str:
    """Vertical bars with their values written above them; ``keys`` name each value's text
    (``data-okmo``)."""
    top = max(max(values), 1.0) * 1.15
    inner_w, inner_h = WIDTH - LEFT - 20, HEIGHT - BOTTOM - 44
    slot = inner_w / len(values)
    parts = [_frame(title)]
    for i, (label, value, color) in enumerate(zip(labels, values, colors)):
        h = inner_h * max(value, 0.0) / top
        x = LEFT + i * slot + slot * 0.2
        y = 44 + inner_h - h
        okmo = f' data-okmo="{keys[i]}"' if keys else ""
        parts.append(f'<rect x="{x:.1f}" y="{y:.1f}" width="{slot * 0.6:.1f}" height="{h:.1f}" fill="{color}"/>')
        parts.append(f'<text x="{x + slot * 0.3:.1f}" y="{y - 7:.1f}" text-anchor="middle" font-size="16" '
                     f'font-weight="bold"{okmo}>{escape(tick_number(value, 0, lang))}</text>')
        parts.append(f'<text x="{x + slot * 0.3:.1f}" y="{HEIGHT - BOTTOM + 22:.1f}" text-anchor="middle" '
                     f'font-size="16">{escape(label)}</text>')
    parts.append(f'<line x1="{LEFT}" y1="{HEIGHT - BOTTOM}" x2="{WIDTH - 20}" y2="{HEIGHT - BOTTOM}" stroke="#555"/>')
    return _close(parts)


def lines(years, series, lang: str, title: str, keys=None, decimals: int = 2) -> str:
    """Lines by year: ``series`` is [(label, values, colour, dashed)], with a y axis of
    round ticks, the years under it and every point's value (the first series above its
    points, the others below); ``keys`` name each series' values (``data-okmo`` =
    ``{key}-{year}``). The legend stands between the title and the plot."""
    values = [v for _, vs, _, _ in series for v in vs]
    ticks = _ticks(min(0.0, min(values)), max(values) * 1.12)
    low, high = ticks[0], ticks[-1]
    inner_w, inner_h = WIDTH - LEFT - 44, HEIGHT - BOTTOM - TOP
    n = max(len(years) - 1, 1)
    tick_decimals = 0 if all(float(v).is_integer() for v in ticks) else 1

    def xy(i, v):
        return LEFT + 16 + inner_w * i / n, TOP + inner_h * (1 - (v - low) / (high - low))

    parts = [_frame(title)]
    for v in ticks:
        _, y = xy(0, v)
        parts.append(f'<line x1="{LEFT}" y1="{y:.1f}" x2="{WIDTH - 20}" y2="{y:.1f}" stroke="#ddd" stroke-width="0.8"/>')
        parts.append(f'<text x="{LEFT - 6}" y="{y + 5:.1f}" text-anchor="end" font-size="15">'
                     f'{escape(tick_number(v, tick_decimals, lang))}</text>')
    parts.append(f'<line x1="{LEFT}" y1="{TOP}" x2="{LEFT}" y2="{HEIGHT - BOTTOM}" stroke="#555"/>')
    parts.append(f'<line x1="{LEFT}" y1="{HEIGHT - BOTTOM}" x2="{WIDTH - 20}" y2="{HEIGHT - BOTTOM}" stroke="#555"/>')
    lx = LEFT
    for k, (label, vs, color, dashed) in enumerate(series):
        dash = ' stroke-dasharray="6 4"' if dashed else ""
        points = [xy(i, v) for i, v in enumerate(vs)]
        parts.append(f'<polyline points="{" ".join(f"{x:.1f},{y:.1f}" for x, y in points)}" fill="none" '
                     f'stroke="{color}" stroke-width="3"{dash}/>')
        for i, ((x, y), v) in enumerate(zip(points, vs)):
            okmo = f' data-okmo="{keys[k]}-{years[i]}"' if keys else ""
            parts.append(f'<circle cx="{x:.1f}" cy="{y:.1f}" r="3.5" fill="{color}"/>')
            ty = y - 10 if k == 0 else y + 21
            parts.append(f'<text x="{x:.1f}" y="{ty:.1f}" text-anchor="middle" font-size="15" fill="{color}" '
                         f'font-weight="bold"{okmo}>{escape(tick_number(v, decimals, lang))}</text>')
        parts.append(f'<line x1="{lx}" y1="38" x2="{lx + 22}" y2="38" stroke="{color}" stroke-width="3"{dash}/>'
                     f'<text x="{lx + 27}" y="43" font-size="15">{escape(label)}</text>')
        lx += 44 + 8.3 * len(label)
    for i, year in enumerate(years):
        x, _ = xy(i, 0)
        parts.append(f'<text x="{x:.1f}" y="{HEIGHT - BOTTOM + 22}" text-anchor="middle" font-size="16">{year}</text>')
    return _close(parts)


def _title_lines(title: str, width: float, size: float) -> list[str]:
    """``title`` in one line, or in two when it would not fit ``width`` at ``size`` (broken
    after the last comma, else the last space, that lets the first line fit)."""
    fits = lambda text: len(text) * size * 0.6 <= width - 12
    if fits(title):
        return [title]
    for mark in (",", " "):
        cuts = [i for i, c in enumerate(title) if c == mark and fits(title[: i + 1].rstrip())]
        if cuts:
            return [title[: cuts[-1] + 1].rstrip(), title[cuts[-1] + 1:].strip()]
    return [title]


def _frame(title: str) -> str:
    """The chart's opening and its title (in two lines when long: what is under it moves
    down by the second line); :func:`_close` ends it."""
    lines = _title_lines(title, WIDTH, 17)
    extra = 21 * (len(lines) - 1)
    texts = "".join(f'<text x="{WIDTH / 2}" y="{18 + 21 * i}" text-anchor="middle" font-size="17" '
                    f'font-weight="bold">{escape(line)}</text>' for i, line in enumerate(lines))
    return (f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {HEIGHT + extra}" width="100%" '
            f'style="max-width:{WIDTH * 1.6:.0f}px;font-family:\'Noto Sans\',\'DejaVu Sans\',sans-serif">'
            f'{texts}<g transform="translate(0 {extra})">')


def _legend(entries, left: float, right_edge: float, y: float, gap: float, k: float):
    """A legend's entries, ``(marker, text)`` with ``marker(x, y)`` drawing the key, laid out
    left to right from (``left``, ``y``), a new row where the next would pass ``right_edge``;
    ``gap`` is the room of a marker and its spacing. Returns the SVG parts and the y of the last
    row, below which the plot starts."""
    parts, x = [], left
    for marker, text in entries:
        item = gap + 7.4 * k * len(text)
        if x > left and x + item > right_edge:
            x, y = left, y + 17 * k
        parts.append(marker(x, y))
        parts.append(f'<text x="{x + 27:.1f}" y="{y + 4 * k:.1f}" font-size="{12 * k:.1f}">{escape(text)}</text>')
        x += item
    return parts, y


def _close(parts, group: bool = True) -> str:
    """The chart's end (``group``: of one opened by :func:`_frame`)."""
    return "".join(parts) + ("</g></svg>" if group else "</svg>")


def fan_chart(spec: FanChart, max_width: int = 880, k: float = FONT) -> str:
    """A :class:`~okmo_models.charts.FanChart` as SVG: the executed history, then the forecast
    with its Monte Carlo bands and the baseline dashed for comparison; a balance is drawn
    about a zero line. The same specification drawn with matplotlib is
    :func:`okmo_models.display.fan_chart`. ``k`` scales the type (and the room it takes)."""
    width, left, right, bottom = 640, round(24 + 54 * k), round(4 + 14 * k), round(16 + 18 * k)
    lang, labels, baseline = spec.lang, spec.labels, spec.baseline
    history_years, history, years = list(spec.history_years), list(spec.history), list(spec.years)
    all_years = [*history_years, *years]
    anchor_years = spec.anchor_years
    rows = {"point": spec.anchored(spec.point),
            "outer_low": spec.anchored(spec.outer[0]), "outer_high": spec.anchored(spec.outer[1]),
            "inner_low": spec.anchored(spec.inner[0]), "inner_high": spec.anchored(spec.inner[1])}
    if baseline is not None:
        rows["baseline"] = spec.anchored(baseline)
    # the legend under the title, in as many rows as it takes; the plot starts below it
    legend = [("history", "#222", "line"), ("point", "#2f6f9f", "line"), ("baseline", "#888", "dash"),
              ("outer", "#2f6f9f", 0.16), ("inner", "#2f6f9f", 0.4)]
    def marker(color, kind):
        def draw(lx, ly):
            if kind == "line" or kind == "dash":
                dash = ' stroke-dasharray="6 4"' if kind == "dash" else ""
                return (f'<line x1="{lx:.1f}" y1="{ly:.1f}" x2="{lx + 22:.1f}" y2="{ly:.1f}" stroke="{color}" '
                        f'stroke-width="3"{dash}/>')
            return (f'<rect x="{lx:.1f}" y="{ly - 6 * k:.1f}" width="22" height="{12 * k:.1f}" '
                    f'fill="{color}" fill-opacity="{kind}"/>')
        return draw

    legend_parts, ly = _legend([(marker(color, kind), labels[key]) for key, color, kind in legend
                                if not (key == "baseline" and baseline is None) and labels.get(key)],
                               left, width - right, 32 * k, 36, k)
    top = round(ly + 14 * k)
    height = top + round(190 + 30 * k) + bottom
    values = [*history, *(v for row in rows.values() for v in row), *([0.0] if spec.zero_line else [])]
    ticks = _ticks(min(values), max(values))
    low, high = ticks[0], ticks[-1]
    inner_w, inner_h = width - left - right, height - top - bottom
    first, span = all_years[0], max(all_years[-1] - all_years[0], 1)

    def x(year):
        return left + inner_w * (year - first) / span

    def y(v):
        return top + inner_h * (1 - (v - low) / (high - low))

    def points(xs, vs):
        return " ".join(f"{x(a):.1f},{y(b):.1f}" for a, b in zip(xs, vs))

    parts = [(f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" width="100%" '
              f'style="max-width:{max_width}px;font-family:\'Noto Sans\',\'DejaVu Sans\',sans-serif">'),
             (f'<text x="{width / 2}" y="{16 * k:.1f}" text-anchor="middle" font-size="{15 * k:.1f}" '
              f'font-weight="bold">{escape(spec.title)}</text>')]
    if spec.shade is not None:
        x0, x1 = x(spec.shade[0] - 0.5), x(min(spec.shade[1] + 0.5, all_years[-1]))
        parts.append(f'<rect x="{x0:.1f}" y="{top}" width="{x1 - x0:.1f}" height="{inner_h}" fill="#f2c14e" '
                     f'fill-opacity="0.15"/>')
        parts.append(f'<text x="{(x0 + x1) / 2:.1f}" y="{top + 12 * k:.1f}" text-anchor="middle" font-size="{11 * k:.1f}" '
                     f'fill="#8a6d1c">{escape(labels.get("shade", ""))}</text>')
    for v in ticks:
        parts.append(f'<line x1="{left}" y1="{y(v):.1f}" x2="{width - right}" y2="{y(v):.1f}" '
                     f'stroke="{"#c0392b" if v == 0 else "#ddd"}" stroke-width="{1.2 if v == 0 else 0.8}"/>')
        parts.append(f'<text x="{left - 6}" y="{y(v) + 4 * k:.1f}" text-anchor="end" font-size="{12 * k:.1f}">'
                     f'{escape(tick_number(v, 0, lang))}</text>')
    for lo, hi, opacity in (("outer_low", "outer_high", 0.16), ("inner_low", "inner_high", 0.32)):
        poly = points(anchor_years, rows[hi]) + " " + points(anchor_years[::-1], rows[lo][::-1])
        parts.append(f'<polygon points="{poly}" fill="#2f6f9f" fill-opacity="{opacity}" stroke="none"/>')
    parts.append(f'<polyline points="{points(history_years, history)}" fill="none" stroke="#222" stroke-width="2.5"/>')
    if baseline is not None:
        parts.append(f'<polyline points="{points(anchor_years, rows["baseline"])}" fill="none" stroke="#888" '
                     f'stroke-width="2" stroke-dasharray="6 4"/>')
    parts.append(f'<polyline points="{points(anchor_years, rows["point"])}" fill="none" stroke="#2f6f9f" '
                 f'stroke-width="3"/>')
    for a, b in zip(years, spec.point):
        parts.append(f'<circle cx="{x(a):.1f}" cy="{y(b):.1f}" r="3" fill="#2f6f9f"/>')
    step = 1 if len(all_years) <= 14 / k else 2
    for year in all_years[::-1][::step]:
        parts.append(f'<text x="{x(year):.1f}" y="{height - bottom + 18 * k:.1f}" text-anchor="middle" '
                     f'font-size="{12 * k:.1f}">'
                     f'{year}</text>')
    parts += legend_parts
    return _close(parts, group=False)


def _ticks(low: float, high: float, count: int = 5) -> list[float]:
    """Round axis values covering [low, high], 0 among them when the range crosses it."""
    if high - low < 1e-9:
        high = low + 1.0
    raw = (high - low) / count
    power = 10 ** math.floor(math.log10(raw))
    step = next(m * power for m in (1, 2, 2.5, 5, 10) if m * power >= raw)
    start = math.floor(low / step) * step
    out, v = [], start
    while v < high + step * 0.999:
        out.append(round(v, 10) + 0.0)
        v += step
    return out


def money_left(years, values, lang: str, title: str, reference=None, labels: dict | None = None,
               max_width: int = 760, k: float = FONT) -> str:
    """Money left by year as bars above (green) or below (red) a zero line, each with its
    value; ``reference`` (e.g. the draft's money left) is marked by a grey dashed tick per
    year. ``labels`` names "this" and "reference" for the legend. Each bar's value text
    carries ``data-okmo="left-YEAR"``. ``k`` scales the type (and the room it takes); a long
    title takes two lines, a long legend two rows."""
    labels = labels or {}
    width, left, right, bottom = 640, round(24 + 54 * k), 16, round(16 + 18 * k)
    heading = _title_lines(title, width, 15 * k)
    parts = [f'<text x="{width / 2}" y="{16 * k + 19 * k * i:.1f}" text-anchor="middle" font-size="{15 * k:.1f}" '
             f'font-weight="bold">{escape(line)}</text>' for i, line in enumerate(heading)]
    def bars(lx, ly):  # a green and a red bar: money left or short
        return (f'<rect x="{lx:.1f}" y="{ly - 6 * k:.1f}" width="10" height="{12 * k:.1f}" fill="#3a8d4a"/>'
                f'<rect x="{lx + 11:.1f}" y="{ly - 6 * k:.1f}" width="10" height="{12 * k:.1f}" fill="#c0392b"/>')

    def dash(lx, ly):
        return (f'<line x1="{lx:.1f}" y1="{ly:.1f}" x2="{lx + 22:.1f}" y2="{ly:.1f}" stroke="#777" '
                f'stroke-width="2" stroke-dasharray="5 3"/>')

    legend = [(bars, labels.get("this")), *([(dash, labels.get("reference"))] if reference is not None else [])]
    drawn, ly = _legend([(m, text) for m, text in legend if text], left, width - right,
                        34 * k + 19 * k * (len(heading) - 1), 40, k)
    parts += drawn
    top = round(ly + 16 * k)
    height = top + round(170 + 30 * k) + bottom
    values = [float(v) for v in values]
    everything = [*values, *(float(v) for v in (reference if reference is not None else [])), 0.0]
    if min(values, default=0.0) < 0:  # room under the lowest bar for its figure, above the years
        everything.append(min(values) - 0.15 * (max(everything) - min(everything)))
    ticks = _ticks(min(everything), max(everything))
    low, high = ticks[0], ticks[-1]
    inner_w, inner_h = width - left - right, height - top - bottom
    slot = inner_w / max(len(values), 1)

    def y(v):
        return top + inner_h * (1 - (v - low) / (high - low))

    parts.insert(0, f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" width="100%" '
                    f'style="max-width:{max_width}px;font-family:\'Noto Sans\',\'DejaVu Sans\',sans-serif">')
    for v in ticks:
        parts.append(f'<line x1="{left}" y1="{y(v):.1f}" x2="{width - right}" y2="{y(v):.1f}" '
                     f'stroke="{"#555" if v == 0 else "#ddd"}" stroke-width="{1.2 if v == 0 else 0.8}"/>')
        parts.append(f'<text x="{left - 6}" y="{y(v) + 4 * k:.1f}" text-anchor="end" font-size="{12 * k:.1f}">'
                     f'{escape(tick_number(v, 0, lang))}</text>')
    zero = y(0.0)
    for i, (year, v) in enumerate(zip(years, values)):
        x = left + i * slot + slot * 0.2
        negative = v < -1e-6
        color = "#c0392b" if negative else "#3a8d4a"
        y0, y1 = sorted((zero, y(v)))
        parts.append(f'<rect x="{x:.1f}" y="{y0:.1f}" width="{slot * 0.6:.1f}" height="{max(y1 - y0, 0.5):.1f}" '
                     f'fill="{color}" data-okmo="bar-{year}" class="{"okmo-negative" if negative else "okmo-positive"}"/>')
        ty = y1 + 15 * k if negative else y0 - 5
        parts.append(f'<text x="{x + slot * 0.3:.1f}" y="{ty:.1f}" text-anchor="middle" font-size="{13 * k:.1f}" '
                     f'font-weight="bold" fill="{color}" data-okmo="left-{year}">'
                     f'{escape(tick_number(v, 1, lang))}</text>')
        if reference is not None:
            ry = y(float(reference[i]))
            parts.append(f'<line x1="{x - slot * 0.08:.1f}" y1="{ry:.1f}" x2="{x + slot * 0.68:.1f}" y2="{ry:.1f}" '
                         f'stroke="#777" stroke-width="2" stroke-dasharray="5 3"/>')
        parts.append(f'<text x="{x + slot * 0.3:.1f}" y="{height - bottom + 18 * k:.1f}" text-anchor="middle" '
                     f'font-size="{13 * k:.1f}">{year}</text>')
    return _close(parts, group=False)

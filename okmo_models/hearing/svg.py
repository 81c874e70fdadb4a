"""Small charts drawn directly as SVG: redrawn on every slider move in a few
microseconds and shown by any browser without plotting libraries or network."""

from __future__ import annotations

import math
from html import escape

from okmo_models.charts import FanChart
from okmo_models.formatting import format_number

WIDTH, HEIGHT, LEFT, BOTTOM, TOP = 560, 260, 60, 40, 20


def bars(labels, values, colors, lang: str, title: str) -> str:
    """Vertical bars with their values written above them."""
    top = max(max(values), 1.0) * 1.15
    inner_w, inner_h = WIDTH - LEFT - 20, HEIGHT - BOTTOM - TOP
    slot = inner_w / len(values)
    parts = [_frame(title)]
    for i, (label, value, color) in enumerate(zip(labels, values, colors)):
        h = inner_h * max(value, 0.0) / top
        x = LEFT + i * slot + slot * 0.2
        y = TOP + inner_h - h
        parts.append(f'<rect x="{x:.1f}" y="{y:.1f}" width="{slot * 0.6:.1f}" height="{h:.1f}" fill="{color}"/>')
        parts.append(f'<text x="{x + slot * 0.3:.1f}" y="{y - 5:.1f}" text-anchor="middle" font-size="14">'
                     f'{escape(format_number(value, 0, lang))}</text>')
        parts.append(f'<text x="{x + slot * 0.3:.1f}" y="{HEIGHT - BOTTOM + 18:.1f}" text-anchor="middle" '
                     f'font-size="13">{escape(label)}</text>')
    return _close(parts)


def lines(years, series, lang: str, title: str) -> str:
    """Lines by year: ``series`` is [(label, values, colour, dashed)]."""
    values = [v for _, vs, _, _ in series for v in vs]
    low, high = 0.0, max(max(values), 1.0) * 1.1
    inner_w, inner_h = WIDTH - LEFT - 20, HEIGHT - BOTTOM - TOP
    n = max(len(years) - 1, 1)

    def xy(i, v):
        return LEFT + inner_w * i / n, TOP + inner_h * (1 - (v - low) / (high - low))

    parts = [_frame(title)]
    for k, (label, vs, color, dashed) in enumerate(series):
        points = " ".join(f"{x:.1f},{y:.1f}" for x, y in (xy(i, v) for i, v in enumerate(vs)))
        dash = ' stroke-dasharray="6 4"' if dashed else ""
        parts.append(f'<polyline points="{points}" fill="none" stroke="{color}" stroke-width="3"{dash}/>')
        parts.append(f'<text x="{LEFT + 10}" y="{TOP + 16 + 18 * k}" font-size="13" fill="{color}">'
                     f'{escape(label)}</text>')
    for i, year in enumerate(years):
        x, _ = xy(i, 0)
        parts.append(f'<text x="{x:.1f}" y="{HEIGHT - BOTTOM + 18}" text-anchor="middle" font-size="13">{year}</text>')
    parts.append(f'<text x="{LEFT - 6}" y="{TOP + 4}" text-anchor="end" font-size="12">'
                 f'{escape(format_number(high, 0, lang))}</text>')
    return _close(parts)


def _frame(title: str) -> str:
    return (f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {HEIGHT}" '
            f'width="100%" style="max-width:{WIDTH}px;font-family:\'Noto Sans\',\'DejaVu Sans\',sans-serif">'
            f'<text x="{WIDTH / 2}" y="14" text-anchor="middle" font-size="15" font-weight="bold">{escape(title)}</text>'
            f'<line x1="{LEFT}" y1="{HEIGHT - BOTTOM}" x2="{WIDTH - 20}" y2="{HEIGHT - BOTTOM}" stroke="#555"/>')


def _close(parts) -> str:
    return "".join(parts) + "</svg>"


def fan_chart(spec: FanChart, max_width: int = 880) -> str:
    """A :class:`~okmo_models.charts.FanChart` as SVG: the executed history, then the forecast
    with its Monte Carlo bands and the baseline dashed for comparison; a balance is drawn
    about a zero line. The same specification drawn with matplotlib is
    :func:`okmo_models.display.fan_chart`."""
    width, height, left, right, top, bottom = 640, 300, 78, 16, 62, 34
    lang, labels, baseline = spec.lang, spec.labels, spec.baseline
    history_years, history, years = list(spec.history_years), list(spec.history), list(spec.years)
    all_years = [*history_years, *years]
    anchor_years = spec.anchor_years
    rows = {"point": spec.anchored(spec.point),
            "outer_low": spec.anchored(spec.outer[0]), "outer_high": spec.anchored(spec.outer[1]),
            "inner_low": spec.anchored(spec.inner[0]), "inner_high": spec.anchored(spec.inner[1])}
    if baseline is not None:
        rows["baseline"] = spec.anchored(baseline)
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
             (f'<text x="{width / 2}" y="16" text-anchor="middle" font-size="15" font-weight="bold">'
              f'{escape(spec.title)}</text>')]
    if spec.shade is not None:
        x0, x1 = x(spec.shade[0] - 0.5), x(min(spec.shade[1] + 0.5, all_years[-1]))
        parts.append(f'<rect x="{x0:.1f}" y="{top}" width="{x1 - x0:.1f}" height="{inner_h}" fill="#f2c14e" '
                     f'fill-opacity="0.15"/>')
        parts.append(f'<text x="{(x0 + x1) / 2:.1f}" y="{top + 12}" text-anchor="middle" font-size="11" '
                     f'fill="#8a6d1c">{escape(labels.get("shade", ""))}</text>')
    for v in ticks:
        parts.append(f'<line x1="{left}" y1="{y(v):.1f}" x2="{width - right}" y2="{y(v):.1f}" '
                     f'stroke="{"#c0392b" if v == 0 else "#ddd"}" stroke-width="{1.2 if v == 0 else 0.8}"/>')
        parts.append(f'<text x="{left - 6}" y="{y(v) + 4:.1f}" text-anchor="end" font-size="12">'
                     f'{escape(format_number(v, 0, lang))}</text>')
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
    step = 1 if len(all_years) <= 14 else 2
    for year in all_years[::-1][::step]:
        parts.append(f'<text x="{x(year):.1f}" y="{height - bottom + 18}" text-anchor="middle" font-size="12">'
                     f'{year}</text>')
    legend = [("history", "#222", "line"), ("point", "#2f6f9f", "line"), ("baseline", "#888", "dash"),
              ("outer", "#2f6f9f", 0.16), ("inner", "#2f6f9f", 0.4)]
    lx, ly = left, 32
    for key, color, kind in legend:
        if key == "baseline" and baseline is None or not labels.get(key):
            continue
        text = labels[key]
        item = 36 + 7.4 * len(text)
        if lx > left and lx + item > width - right:
            lx, ly = left, ly + 17
        if kind == "line" or kind == "dash":
            dash = ' stroke-dasharray="6 4"' if kind == "dash" else ""
            parts.append(f'<line x1="{lx}" y1="{ly}" x2="{lx + 22}" y2="{ly}" stroke="{color}" stroke-width="3"{dash}/>')
        else:
            parts.append(f'<rect x="{lx}" y="{ly - 6}" width="22" height="12" fill="{color}" fill-opacity="{kind}"/>')
        parts.append(f'<text x="{lx + 27}" y="{ly + 4}" font-size="12">{escape(text)}</text>')
        lx += item
    return _close(parts)


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
               max_width: int = 760) -> str:
    """Money left by year as bars above (green) or below (red) a zero line, each with its
    value; ``reference`` (e.g. the draft's money left) is marked by a grey dashed tick per
    year. ``labels`` names "this" and "reference" for the legend. Each bar's value text
    carries ``data-okmo="left-YEAR"``."""
    labels = labels or {}
    width, height, left, right, top, bottom = 640, 300, 78, 16, 50, 34
    values = [float(v) for v in values]
    everything = [*values, *(float(v) for v in (reference if reference is not None else [])), 0.0]
    ticks = _ticks(min(everything), max(everything))
    low, high = ticks[0], ticks[-1]
    inner_w, inner_h = width - left - right, height - top - bottom
    slot = inner_w / max(len(values), 1)

    def y(v):
        return top + inner_h * (1 - (v - low) / (high - low))

    parts = [(f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" width="100%" '
              f'style="max-width:{max_width}px;font-family:\'Noto Sans\',\'DejaVu Sans\',sans-serif">'),
             f'<text x="{width / 2}" y="16" text-anchor="middle" font-size="15" font-weight="bold">{escape(title)}</text>']
    for v in ticks:
        parts.append(f'<line x1="{left}" y1="{y(v):.1f}" x2="{width - right}" y2="{y(v):.1f}" '
                     f'stroke="{"#555" if v == 0 else "#ddd"}" stroke-width="{1.2 if v == 0 else 0.8}"/>')
        parts.append(f'<text x="{left - 6}" y="{y(v) + 4:.1f}" text-anchor="end" font-size="12">'
                     f'{escape(format_number(v, 0, lang))}</text>')
    zero = y(0.0)
    for i, (year, v) in enumerate(zip(years, values)):
        x = left + i * slot + slot * 0.2
        negative = v < -1e-6
        color = "#c0392b" if negative else "#3a8d4a"
        y0, y1 = sorted((zero, y(v)))
        parts.append(f'<rect x="{x:.1f}" y="{y0:.1f}" width="{slot * 0.6:.1f}" height="{max(y1 - y0, 0.5):.1f}" '
                     f'fill="{color}" data-okmo="bar-{year}" class="{"okmo-negative" if negative else "okmo-positive"}"/>')
        ty = y1 + 15 if negative else y0 - 5
        parts.append(f'<text x="{x + slot * 0.3:.1f}" y="{ty:.1f}" text-anchor="middle" font-size="13" '
                     f'font-weight="bold" fill="{color}" data-okmo="left-{year}">'
                     f'{escape(format_number(v, 1, lang))}</text>')
        if reference is not None:
            ry = y(float(reference[i]))
            parts.append(f'<line x1="{x - slot * 0.08:.1f}" y1="{ry:.1f}" x2="{x + slot * 0.68:.1f}" y2="{ry:.1f}" '
                         f'stroke="#777" stroke-width="2" stroke-dasharray="5 3"/>')
        parts.append(f'<text x="{x + slot * 0.3:.1f}" y="{height - bottom + 18}" text-anchor="middle" '
                     f'font-size="13">{year}</text>')
    lx, ly = left, 34
    legend = [("this", "bar"), *([("reference", "dash")] if reference is not None else [])]
    for key, kind in legend:
        text = labels.get(key)
        if not text:
            continue
        if kind == "bar":
            parts.append(f'<rect x="{lx}" y="{ly - 6}" width="10" height="12" fill="#3a8d4a"/>'
                         f'<rect x="{lx + 11}" y="{ly - 6}" width="10" height="12" fill="#c0392b"/>')
        else:
            parts.append(f'<line x1="{lx}" y1="{ly}" x2="{lx + 22}" y2="{ly}" stroke="#777" stroke-width="2" '
                         f'stroke-dasharray="5 3"/>')
        parts.append(f'<text x="{lx + 27}" y="{ly + 4}" font-size="12">{escape(text)}</text>')
        lx += 40 + 7.4 * len(text)
    return _close(parts)

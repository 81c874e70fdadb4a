"""Two small charts drawn directly as SVG: redrawn on every slider move in a few
microseconds and shown by any browser without plotting libraries or network."""

from __future__ import annotations

from html import escape

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

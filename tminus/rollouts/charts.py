"""A check's readings over time drawn on the server as SVG: the values, the threshold line, and
the minutes where the value was unknown (no data, too small a sample, Prometheus down).
"""

import math
from datetime import timedelta

from django.utils.html import escape

WIDTH, HEIGHT, LEFT, RIGHT, TOP, BOTTOM = 560, 180, 56, 12, 12, 30


def _nice_step(span: float) -> float:
    raw = span / 4 or 1.0
    power = 10 ** math.floor(math.log10(raw))
    return next(f * power for f in (1, 2, 2.5, 5, 10) if f * power >= raw)


def _range(values: list[float]) -> tuple[float, float, float]:
    low, high = min([*values, 0.0]), max(values)
    step = _nice_step((high - low) * 1.15 or abs(high) or 1.0)
    return math.floor(low / step) * step, math.ceil(high * 1.1 / step) * step or step, step


def _fmt(value: float) -> str:
    return f"{value:,.0f}" if abs(value) >= 100 else f"{value:.3g}"


def check_chart_svg(readings, *, threshold: float, label: str, unit: str = "",
                    bad_when_met: bool = False) -> str:
    """An SVG line of readings (oldest first) against a threshold; a note when there are none."""
    if not readings:
        return (f'<svg class="check-chart empty" viewBox="0 0 {WIDTH} 40" role="img" '
                f'aria-label="{escape(label)}: no readings yet" '
                f'xmlns="http://www.w3.org/2000/svg"><text x="8" y="24">No readings yet: the '
                f'worker checks every few seconds.</text></svg>')
    start = readings[0].minute
    end = max(readings[-1].minute, start + timedelta(minutes=10))
    known = [r.value for r in readings if r.value is not None]
    low, high, step = _range([*known, threshold])
    span = (end - start).total_seconds()

    def x(moment) -> float:
        return LEFT + (WIDTH - LEFT - RIGHT) * (moment - start).total_seconds() / span

    def y(value: float) -> float:
        return HEIGHT - BOTTOM - (HEIGHT - TOP - BOTTOM) * (value - low) / (high - low)

    parts = [f'<svg class="check-chart" viewBox="0 0 {WIDTH} {HEIGHT}" role="img" '
             f'aria-label="{escape(label)}: readings against the threshold" '
             f'xmlns="http://www.w3.org/2000/svg">']
    tick = low
    while tick <= high + step / 2:
        parts.append(f'<line class="grid" x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{y(tick):.1f}" '
                     f'y2="{y(tick):.1f}"/><text class="tick-label" x="{LEFT - 6}" '
                     f'y="{y(tick) + 4:.1f}" text-anchor="end">{_fmt(tick)}{unit}</text>')
        tick += step
    parts.append(f'<line class="threshold" x1="{LEFT}" x2="{WIDTH - RIGHT}" '
                 f'y1="{y(threshold):.1f}" y2="{y(threshold):.1f}"><title>threshold '
                 f'{_fmt(threshold)}{unit}</title></line>')
    parts += _line(readings, x, y)
    parts += _points(readings, x, y, unit, bad_when_met)
    parts.append(f'<text class="tick-label" x="{LEFT}" y="{HEIGHT - 8}">'
                 f'{start:%H:%M}</text><text class="tick-label" x="{WIDTH - RIGHT}" '
                 f'y="{HEIGHT - 8}" text-anchor="end">{end:%H:%M} UTC</text>')
    parts.append("</svg>")
    return "".join(parts)


def _line(readings, x, y) -> list[str]:
    """Polylines through the known values; an unknown minute breaks the line."""
    lines, current = [], []
    for reading in readings:
        if reading.value is None:
            if len(current) > 1:
                lines.append(current)
            current = []
            continue
        current.append(f"{x(reading.minute):.1f},{y(reading.value):.1f}")
    if len(current) > 1:
        lines.append(current)
    return [f'<polyline class="values" points="{" ".join(points)}"/>' for points in lines]


def _points(readings, x, y, unit: str, bad_when_met: bool) -> list[str]:
    marks = []
    for reading in readings:
        moment = f"{reading.minute:%H:%M}"
        if reading.value is None:
            marks.append(f'<circle class="unknown" cx="{x(reading.minute):.1f}" '
                         f'cy="{HEIGHT - BOTTOM:.1f}" r="3"><title>{moment}: unknown '
                         f'({escape(reading.error)})</title></circle>')
            continue
        good = reading.met is not None and reading.met != bad_when_met
        state = "unknown" if reading.met is None else ("good" if good else "bad")
        marks.append(f'<circle class="{state}" cx="{x(reading.minute):.1f}" '
                     f'cy="{y(reading.value):.1f}" r="2.5"><title>{moment}: '
                     f'{_fmt(reading.value)}{unit}</title></circle>')
    return marks

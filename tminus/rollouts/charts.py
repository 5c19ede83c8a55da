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
    parts += _grid(low, high, step, y, lambda tick: f"{_fmt(tick)}{unit}")
    parts.append(f'<line class="threshold" x1="{LEFT}" x2="{WIDTH - RIGHT}" '
                 f'y1="{y(threshold):.1f}" y2="{y(threshold):.1f}"><title>threshold '
                 f'{_fmt(threshold)}{unit}</title></line>')
    parts += _line(readings, x, y)
    parts += _points(readings, x, y, unit, bad_when_met)
    parts.append(_time_axis(start, end))
    parts.append("</svg>")
    return "".join(parts)


def _grid(low: float, high: float, step: float, y, label) -> list[str]:
    """Horizontal grid lines with their labels, from low to high."""
    lines, tick = [], low
    while tick <= high + step / 2:
        lines.append(f'<line class="grid" x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{y(tick):.1f}" '
                     f'y2="{y(tick):.1f}"/><text class="tick-label" x="{LEFT - 6}" '
                     f'y="{y(tick) + 4:.1f}" text-anchor="end">{label(tick)}</text>')
        tick += step
    return lines


def _time_axis(start, end) -> str:
    return (f'<text class="tick-label" x="{LEFT}" y="{HEIGHT - 8}">{start:%H:%M}</text>'
            f'<text class="tick-label" x="{WIDTH - RIGHT}" y="{HEIGHT - 8}" '
            f'text-anchor="end">{end:%H:%M} UTC</text>')


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


def comparison_chart_svg(readings, *, margin: float, label: str, unit: str = "") -> str:
    """Treatment minus control over time (oldest first): the difference, its confidence band,
    the line of no difference and the allowed margin (drawn on the worse side)."""
    known = [r for r in readings if r.value is not None and r.low is not None]
    if not known:
        return (f'<svg class="check-chart empty" viewBox="0 0 {WIDTH} 40" role="img" '
                f'aria-label="{escape(label)}: no comparison yet" '
                f'xmlns="http://www.w3.org/2000/svg"><text x="8" y="24">No comparison yet: each '
                f'arm needs its sample first.</text></svg>')
    start = readings[0].minute
    end = max(readings[-1].minute, start + timedelta(minutes=10))
    bounds = [v for r in known for v in (r.low, r.high)]
    low, high, step = _range([*bounds, margin, -abs(margin) * 0.2])
    span = (end - start).total_seconds()

    def x(moment) -> float:
        return LEFT + (WIDTH - LEFT - RIGHT) * (moment - start).total_seconds() / span

    def y(value: float) -> float:
        value = min(max(value, low), high)
        return HEIGHT - BOTTOM - (HEIGHT - TOP - BOTTOM) * (value - low) / (high - low)

    parts = [f'<svg class="check-chart comparison-chart" viewBox="0 0 {WIDTH} {HEIGHT}" '
             f'role="img" aria-label="{escape(label)}: treatment minus control with its '
             f'confidence band, against the margin" xmlns="http://www.w3.org/2000/svg">']
    parts += _grid(low, high, step, y, lambda tick: f"{tick:+.3g}{unit}")
    upper = " ".join(f"{x(r.minute):.1f},{y(r.high):.1f}" for r in known)
    lower = " ".join(f"{x(r.minute):.1f},{y(r.low):.1f}" for r in reversed(known))
    parts.append(f'<polygon class="band" points="{upper} {lower}"><title>confidence band'
                 f'</title></polygon>')
    parts.append(f'<line class="zero" x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{y(0):.1f}" '
                 f'y2="{y(0):.1f}"><title>no difference</title></line>')
    parts.append(f'<line class="threshold" x1="{LEFT}" x2="{WIDTH - RIGHT}" '
                 f'y1="{y(margin):.1f}" y2="{y(margin):.1f}"><title>allowed margin '
                 f'{margin:+.3g}{unit}</title></line>')
    parts += _line(readings, x, y)
    for reading in known:
        state = {"regression": "bad", "non_inferior": "good"}.get(reading.verdict, "unknown")
        parts.append(f'<circle class="{state}" cx="{x(reading.minute):.1f}" '
                     f'cy="{y(reading.value):.1f}" r="2.5"><title>{reading.minute:%H:%M}: '
                     f'{reading.value:+.3g}{unit} ({reading.low:+.3g} to {reading.high:+.3g})'
                     f'</title></circle>')
    parts.append(_time_axis(start, end))
    parts.append("</svg>")
    return "".join(parts)

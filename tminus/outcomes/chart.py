"""A KPI's readings over time drawn on the server as SVG: values, the target line, misses."""

import math
from datetime import datetime, timedelta

from django.utils.html import escape

from tminus.outcomes.measure import MISSING, VERDICT_LABELS
from tminus.outcomes.targets import SYMBOLS, format_quantity

WIDTH, HEIGHT, LEFT, RIGHT, TOP, BOTTOM = 640, 220, 64, 16, 16, 40


class _Scale:
    def __init__(self, start: datetime, end: datetime, low: float, high: float, step: float):
        self.start, self.span = start, max((end - start).total_seconds(), 1.0)
        self.low, self.high, self.step = low, high, step

    def x(self, moment: datetime) -> float:
        share = (moment - self.start).total_seconds() / self.span
        return LEFT + (WIDTH - LEFT - RIGHT) * share

    def y(self, value: float) -> float:
        share = (value - self.low) / (self.high - self.low)
        return HEIGHT - BOTTOM - (HEIGHT - TOP - BOTTOM) * share


def _nice_step(span: float) -> float:
    """A round step (1, 2, 2.5 or 5 times a power of ten) giving about four grid lines."""
    raw = span / 4 or 1.0
    power = 10 ** math.floor(math.log10(raw))
    return next(f * power for f in (1, 2, 2.5, 5, 10) if f * power >= raw)


def _value_range(values: list[float]) -> tuple[float, float, float]:
    low, high = min(values), max(values)
    pad = (high - low) * 0.1 or abs(high) * 0.1 or 1.0
    low = 0.0 if 0 <= low - pad < 2 * pad else low - pad
    step = _nice_step(high + pad - low)
    return math.floor(low / step) * step, math.ceil((high + pad) / step) * step, step


def kpi_chart_svg(view, anchor: datetime | None = None) -> str:
    """An SVG chart of a KPI's readings against its target; empty when it has none."""
    checkins = view.checkins
    if not checkins:
        return ""
    kpi, unit = view.kpi, view.kpi.unit
    moments = [c.moment for c in checkins] + ([anchor] if anchor else [])
    start, end = min(moments), max(moments)
    if end - start < timedelta(days=1):
        end = start + timedelta(days=1)
    values = [c.value for c in checkins if c.value is not None] + [kpi.target_value]
    scale = _Scale(start, end, *_value_range(values))
    label = escape(f"{kpi.name}: readings against the target {view.target.describe()}")
    parts = [f'<svg class="kpi-chart" viewBox="0 0 {WIDTH} {HEIGHT}" role="img" '
             f'aria-label="{label}" xmlns="http://www.w3.org/2000/svg">']
    parts += _axes(scale, unit, start, end)
    parts += _target_line(scale, kpi)
    parts += _readings(scale, checkins, unit)
    parts.append("</svg>")
    return "".join(parts)


def _axes(scale: _Scale, unit: str, start: datetime, end: datetime) -> list[str]:
    bottom = HEIGHT - BOTTOM
    parts = [f'<line class="axis" x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{bottom}" y2="{bottom}"/>',
             f'<line class="axis" x1="{LEFT}" x2="{LEFT}" y1="{TOP}" y2="{bottom}"/>']
    ticks = round((scale.high - scale.low) / scale.step)
    for index in range(ticks + 1):
        value = scale.low + scale.step * index
        y = scale.y(value)
        parts.append(f'<line class="grid" x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{y:.1f}" '
                     f'y2="{y:.1f}"/><text class="tick-label" x="{LEFT - 6}" y="{y + 4:.1f}" '
                     f'text-anchor="end">{escape(format_quantity(round(value, 6), unit))}</text>')
    for moment, anchor_side in ((start, "start"), (end, "end")):
        parts.append(f'<text class="tick-label" x="{scale.x(moment):.1f}" y="{bottom + 16}" '
                     f'text-anchor="{anchor_side}">{moment:%Y-%m-%d}</text>')
    return parts


def _target_line(scale: _Scale, kpi) -> list[str]:
    y = scale.y(kpi.target_value)
    text = f"target {SYMBOLS[kpi.comparator]} {format_quantity(kpi.target_value, kpi.unit)}"
    return [f'<line class="target" x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{y:.1f}" y2="{y:.1f}"/>',
            f'<text class="target-label" x="{WIDTH - RIGHT}" y="{y - 4:.1f}" '
            f'text-anchor="end">{escape(text)}</text>']


def _readings(scale: _Scale, checkins, unit: str) -> list[str]:
    measured = [c for c in checkins if c.value is not None]
    parts = []
    if len(measured) > 1:
        points = " ".join(f"{scale.x(c.moment):.1f},{scale.y(c.value):.1f}" for c in measured)
        parts.append(f'<polyline class="line" points="{points}"/>')
    for checkin in checkins:
        x = scale.x(checkin.moment)
        when = checkin.slot or f"{checkin.moment:%Y-%m-%d %H:%M}"
        if checkin.verdict == MISSING:
            y = HEIGHT - BOTTOM - 8
            title = escape(f"{when}: missing. {checkin.error}")
            parts.append(f'<g class="reading missing"><title>{title}</title>'
                         f'<path d="M{x - 5:.1f},{y - 5} l10,10 m0,-10 l-10,10"/></g>')
            continue
        verdict = VERDICT_LABELS.get(checkin.verdict, checkin.verdict)
        title = escape(f"{when}: {format_quantity(checkin.value, unit)} ({verdict.lower()})")
        parts.append(f'<circle class="reading {checkin.verdict}" cx="{x:.1f}" '
                     f'cy="{scale.y(checkin.value):.1f}" r="4.5"><title>{title}</title></circle>')
    return parts

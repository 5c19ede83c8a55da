"""The pass-rate trend drawn on the server as SVG: one line per environment, a point per run.

Its styles live in app.css (.pass-rate-chart): the Content-Security-Policy allows no inline
<style>.
"""

from datetime import datetime

from django.utils.html import escape

WIDTH, HEIGHT, LEFT, RIGHT, TOP, BOTTOM = 960, 260, 48, 150, 16, 30
COLOURS = ["#2354d6", "#1f7a4d", "#b26b00", "#b42318", "#6b3fa0", "#0f7c8c"]


def _x(moment: datetime, start: datetime, end: datetime) -> float:
    span = max((end - start).total_seconds(), 1)
    return LEFT + (WIDTH - LEFT - RIGHT) * (moment - start).total_seconds() / span


def _y(rate: float) -> float:
    return TOP + (HEIGHT - TOP - BOTTOM) * (100 - rate) / 100


def pass_rate_chart_svg(series: dict) -> str:
    """An SVG of pass rate (0-100 %) over time per environment; empty when there is no run."""
    moments = [point.at for points in series.values() for point in points]
    if not moments:
        return ""
    start, end = min(moments), max(moments)
    parts = [f'<svg class="pass-rate-chart" viewBox="0 0 {WIDTH} {HEIGHT}" role="img" '
             f'aria-label="Pass rate over time" xmlns="http://www.w3.org/2000/svg">']
    parts += _grid(start, end)
    for index, (environment, points) in enumerate(series.items()):
        parts += _line(environment.name, points, COLOURS[index % len(COLOURS)], index, start, end)
    parts.append("</svg>")
    return "".join(parts)


def _grid(start: datetime, end: datetime) -> list[str]:
    parts = []
    for rate in (0, 25, 50, 75, 100):
        y = _y(rate)
        parts.append(f'<line class="grid" x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{y:.1f}" '
                     f'y2="{y:.1f}"/><text class="axis" x="{LEFT - 6}" y="{y + 4:.1f}" '
                     f'text-anchor="end">{rate}%</text>')
    for moment, anchor in ((start, "start"), (end, "end")):
        parts.append(f'<text class="axis" x="{_x(moment, start, end):.1f}" y="{HEIGHT - 8}" '
                     f'text-anchor="{anchor}">{moment:%Y-%m-%d}</text>')
    return parts


def _line(name: str, points: list, colour: str, index: int, start, end) -> list[str]:
    coordinates = [(_x(p.at, start, end), _y(p.tally.rate or 0), p) for p in points]
    path = " ".join(f"{x:.1f},{y:.1f}" for x, y, _ in coordinates)
    parts = [f'<polyline class="series" fill="none" stroke="{colour}" stroke-width="2" '
             f'points="{path}"/>']
    for x, y, point in coordinates:
        title = escape(f"{name} · {point.run.name} · {point.at:%Y-%m-%d %H:%M} · "
                       f"{point.tally.rate}% ({point.tally.passed}/{point.tally.executed})")
        parts.append(f'<circle cx="{x:.1f}" cy="{y:.1f}" r="4" fill="{colour}">'
                     f"<title>{title}</title></circle>")
    legend_y = TOP + 14 + index * 18
    parts.append(f'<rect x="{WIDTH - RIGHT + 12}" y="{legend_y - 9}" width="10" height="10" '
                 f'fill="{colour}"/><text class="legend" x="{WIDTH - RIGHT + 28}" '
                 f'y="{legend_y}">{escape(name)}</text>')
    return parts

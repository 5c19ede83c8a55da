"""The roadmap timeline drawn on the server as SVG.

A date axis with a pin per release, and under it a column per release (in date order): version,
go-live, theme, and each feature with its status mark (seed 001: ✅ done, 🔄 in progress,
📋 planned). Proposed releases from the cadence are drawn dashed.
"""

from datetime import date, timedelta

from django.utils.html import escape

COL, GAP, LEFT, RIGHT, AXIS_Y, BOX_Y, LINE = 210, 14, 12, 12, 34, 70, 16
MARKS = {"done": "✅", "in_progress": "🔄", "planned": "📋"}


def _clip(text: str, length: int) -> str:
    return text if len(text) <= length else text[:length - 1] + "…"


class _Axis:
    def __init__(self, start: date, end: date, width: int):
        self.start, self.span, self.width = start, max((end - start).days, 1), width

    def x(self, day: date) -> float:
        return LEFT + (self.width - LEFT - RIGHT) * (day - self.start).days / self.span


def roadmap_svg(columns, proposals, today: date) -> str:
    """The timeline, or an empty string when no release has a date."""
    boxes = [("release", c) for c in columns if c.release.go_live] + [
        ("proposed", p) for p in proposals]
    if not boxes:
        return ""
    boxes.sort(key=lambda box: _date_of(box))
    days = [_date_of(box) for box in boxes] + [today]
    width = max(960, LEFT + RIGHT + len(boxes) * (COL + GAP))
    axis = _Axis(min(days) - timedelta(days=7), max(days) + timedelta(days=7), width)
    rows = max([len(b.features) for kind, b in boxes if kind == "release"] + [0])
    height = BOX_Y + 62 + LINE * max(rows, 1) + 12
    parts = [f'<svg class="roadmap" viewBox="0 0 {width} {height}" role="img" '
             f'aria-label="Roadmap timeline" xmlns="http://www.w3.org/2000/svg">']
    parts += _axis(axis, width, today)
    for index, box in enumerate(boxes):
        parts += _box(axis, box, LEFT + index * (COL + GAP), height)
    parts.append("</svg>")
    return "".join(parts)


def _date_of(box) -> date:
    kind, item = box
    return item.release.go_live if kind == "release" else item.go_live


def _axis(axis: _Axis, width: int, today: date) -> list[str]:
    parts = [f'<line class="axis" x1="{LEFT}" x2="{width - RIGHT}" y1="{AXIS_Y}" '
             f'y2="{AXIS_Y}"/>']
    month = date(axis.start.year, axis.start.month, 1)
    end = axis.start + timedelta(days=axis.span)
    while month <= end:
        if month >= axis.start:
            x = axis.x(month)
            parts.append(f'<line class="tick" x1="{x:.1f}" x2="{x:.1f}" y1="{AXIS_Y - 6}" '
                         f'y2="{AXIS_Y + 6}"/><text class="tick-label" x="{x + 2:.1f}" '
                         f'y="{AXIS_Y - 10}">{month:%b %Y}</text>')
        month = date(month.year + month.month // 12, month.month % 12 + 1, 1)
    x = axis.x(today)
    parts.append(f'<line class="today" x1="{x:.1f}" x2="{x:.1f}" y1="{AXIS_Y - 14}" '
                 f'y2="{AXIS_Y + 14}"/><text class="today-label" x="{x + 3:.1f}" '
                 f'y="{AXIS_Y + 24}">today</text>')
    return parts


def _box(axis: _Axis, box, x: int, height: int) -> list[str]:
    kind, item = box
    day = _date_of(box)
    pin = axis.x(day)
    center = x + COL / 2
    parts = [f'<g class="release {kind}">',
             f'<line class="connector" x1="{pin:.1f}" y1="{AXIS_Y}" x2="{center:.1f}" '
             f'y2="{BOX_Y}"/>',
             f'<circle class="pin" cx="{pin:.1f}" cy="{AXIS_Y}" r="4"/>',
             f'<rect x="{x}" y="{BOX_Y}" width="{COL}" height="{height - BOX_Y - 8}" rx="6"/>']
    if kind == "release":
        parts += _release_text(item, x, day)
    else:
        parts += _proposal_text(item, x, day)
    parts.append("</g>")
    return parts


def _release_text(column, x: int, day: date) -> list[str]:
    release = column.release
    title = f"{release.version or release.key} · {day:%b %d, %Y}"
    parts = [f'<text class="title" x="{x + 8}" y="{BOX_Y + 18}">{escape(_clip(title, 30))}'
             f'<title>{escape(release.name)}</title></text>',
             f'<text class="theme" x="{x + 8}" y="{BOX_Y + 34}">'
             f'{escape(_clip(column.theme or release.name, 32))}</text>',
             f'<text class="status" x="{x + 8}" y="{BOX_Y + 50}">'
             f'{escape(release.get_status_display())}</text>']
    for index, feature in enumerate(column.features):
        y = BOX_Y + 70 + index * LINE
        parts.append(f'<text class="feature {feature.status}" x="{x + 8}" y="{y}">'
                     f'{MARKS.get(feature.status, "")} {escape(_clip(feature.title, 28))}'
                     f'<title>{escape(feature.title)}: {escape(feature.get_status_display())}'
                     f'</title></text>')
    return parts


def _proposal_text(proposal, x: int, day: date) -> list[str]:
    title = f"{proposal.version or 'Next'} · {day:%b %d, %Y}"
    return [f'<text class="title" x="{x + 8}" y="{BOX_Y + 18}">{escape(title)}</text>',
            f'<text class="theme" x="{x + 8}" y="{BOX_Y + 34}">Proposed by the cadence</text>']

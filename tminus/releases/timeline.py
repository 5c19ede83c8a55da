"""The release timeline drawn on the server as SVG: phase bars, milestones, a line for today."""

from dataclasses import dataclass
from datetime import date, timedelta

from django.utils.html import escape

WIDTH, LABEL_WIDTH, ROW, TOP = 960, 170, 26, 28


@dataclass
class _Scale:
    start: date
    end: date

    def x(self, day: date) -> float:
        span = max((self.end - self.start).days, 1)
        return LABEL_WIDTH + (WIDTH - LABEL_WIDTH - 10) * (day - self.start).days / span


def timeline_svg(phases, milestones, today: date) -> str:
    """An SVG timeline, or an empty string when nothing is dated."""
    days = [d for p in phases for d in (p.start_date, p.end_date) if d]
    days += [m.date for m in milestones if m.date]
    if not days:
        return ""
    scale = _Scale(min([*days, today]) - timedelta(days=2), max([*days, today]) + timedelta(days=2))
    height = TOP + ROW * (len(phases) + 1) + 20
    parts = [f'<svg class="timeline" viewBox="0 0 {WIDTH} {height}" role="img" '
             f'aria-label="Release timeline" xmlns="http://www.w3.org/2000/svg">']
    parts += _month_ticks(scale, height)
    for row, phase in enumerate(phases):
        parts += _phase_bar(scale, phase, TOP + row * ROW)
    parts += _milestone_marks(scale, milestones, TOP + len(phases) * ROW)
    x = scale.x(today)
    parts.append(f'<line class="today" x1="{x:.1f}" x2="{x:.1f}" y1="14" y2="{height - 4}"/>'
                 f'<text class="today-label" x="{x + 3:.1f}" y="12">today</text>')
    parts.append("</svg>")
    return "".join(parts)


def _month_ticks(scale: _Scale, height: int) -> list[str]:
    ticks, day = [], date(scale.start.year, scale.start.month, 1)
    while day <= scale.end:
        if day >= scale.start:
            x = scale.x(day)
            ticks.append(f'<line class="tick" x1="{x:.1f}" x2="{x:.1f}" y1="16" y2="{height}"/>'
                         f'<text class="tick-label" x="{x + 2:.1f}" y="24">{day:%b %Y}</text>')
        day = date(day.year + day.month // 12, day.month % 12 + 1, 1)
    return ticks


def _phase_bar(scale: _Scale, phase, y: int) -> list[str]:
    label = f'<text class="label" x="4" y="{y + 16}">{escape(phase.name)}</text>'
    if not (phase.start_date and phase.end_date):
        return [label]
    x1, x2 = scale.x(phase.start_date), scale.x(phase.end_date + timedelta(days=1))
    title = f"{phase.name}: {phase.start_date} to {phase.end_date}"
    return [label, f'<rect class="phase" x="{x1:.1f}" y="{y + 4}" width="{max(x2 - x1, 3):.1f}" '
                   f'height="{ROW - 8}" rx="3"><title>{escape(title)}</title></rect>']


def _milestone_marks(scale: _Scale, milestones, y: int) -> list[str]:
    marks = [f'<text class="label" x="4" y="{y + 16}">Milestones</text>']
    for milestone in milestones:
        if not milestone.date:
            continue
        x, cy = scale.x(milestone.date), y + ROW / 2
        points = f"{x:.1f},{cy - 7} {x + 7:.1f},{cy} {x:.1f},{cy + 7} {x - 7:.1f},{cy}"
        title = escape(f"{milestone.name}: {milestone.date}")
        marks.append(f'<polygon class="milestone milestone-{milestone.kind}" points="{points}">'
                     f"<title>{title}</title></polygon>")
    return marks

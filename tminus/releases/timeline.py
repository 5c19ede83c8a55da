"""The release timeline drawn on the server as SVG: phase bars, milestones, a line for today."""

from dataclasses import dataclass
from datetime import date, timedelta

from django.utils.html import escape

WIDTH, LABEL_WIDTH, ROW, TOP = 960, 170, 26, 28


@dataclass(frozen=True)
class Mark:
    """A dated event another area puts on the timeline's milestone row (a scheduled flag
    change); drawn like a milestone of `kind`."""

    date: date
    name: str
    kind: str


_mark_sources = []


def register_timeline_marks(source) -> None:
    """source(release) -> list[Mark] to draw on that release's timeline."""
    if source not in _mark_sources:
        _mark_sources.append(source)


def timeline_marks(release) -> list[Mark]:
    return [mark for source in _mark_sources for mark in source(release)]


@dataclass
class _GoLiveMark:
    date: date
    name: str = "Go-live"
    kind: str = "go_live"


@dataclass
class _Scale:
    start: date
    end: date

    def x(self, day: date) -> float:
        span = max((self.end - self.start).days, 1)
        return LABEL_WIDTH + (WIDTH - LABEL_WIDTH - 10) * (day - self.start).days / span


def timeline_svg(phases, milestones, today: date, go_live: date | None = None) -> str:
    """An SVG timeline, or an empty string when nothing is dated.

    Go-live is always on it: a plan without phases or a go-live milestone still has one.
    """
    milestones = list(milestones)
    if go_live and not any(m.kind == "go_live" and m.date == go_live for m in milestones):
        milestones.append(_GoLiveMark(go_live))
    days = [d for p in phases for d in (p.start_date, p.end_date) if d]
    days += [m.date for m in milestones if m.date]
    if not days:
        return ""
    start, end = min(days), max(days)
    # Today joins the scale only when it is near the plan; far away it is marked at the edge.
    if start - timedelta(days=60) <= today <= end + timedelta(days=60):
        start, end = min(start, today), max(end, today)
    scale = _Scale(start - timedelta(days=2), end + timedelta(days=2))
    height = TOP + ROW * (len(phases) + 1) + 20
    parts = [f'<svg class="timeline" viewBox="0 0 {WIDTH} {height}" role="img" '
             f'aria-label="Release timeline" xmlns="http://www.w3.org/2000/svg">']
    parts += _month_ticks(scale, height)
    for row, phase in enumerate(phases):
        parts += _phase_bar(scale, phase, TOP + row * ROW)
    parts += _milestone_marks(scale, milestones, TOP + len(phases) * ROW)
    parts.append(_today_mark(scale, today, height))
    parts.append("</svg>")
    return "".join(parts)


def _today_mark(scale: _Scale, today: date, height: int) -> str:
    if today < scale.start:
        label = f"← today is {(scale.start - today).days} days before"
        return f'<text class="today-label" x="{LABEL_WIDTH}" y="12">{label}</text>'
    if today > scale.end:
        label = f"today is {(today - scale.end).days} days after →"
        return f'<text class="today-label" x="{WIDTH - 10}" y="12" text-anchor="end">{label}</text>'
    x = scale.x(today)
    return (f'<line class="today" x1="{x:.1f}" x2="{x:.1f}" y1="14" y2="{height - 4}"/>'
            f'<text class="today-label" x="{x + 3:.1f}" y="12">today</text>')


def _tick_days(scale: _Scale) -> list[date]:
    """Weekly ticks for a short plan, monthly for a longer one, quarterly beyond a year."""
    span = (scale.end - scale.start).days
    if span <= 70:
        first = scale.start + timedelta(days=(7 - scale.start.weekday()) % 7)
        return [first + timedelta(weeks=n) for n in range(span // 7 + 1)]
    step = 1 if span <= 400 else 3 if span <= 1200 else 12
    day, days = date(scale.start.year, scale.start.month, 1), []
    while day <= scale.end:
        if day >= scale.start and (day.month - 1) % step == 0:
            days.append(day)
        day = date(day.year + day.month // 12, day.month % 12 + 1, 1)
    return days


def _month_ticks(scale: _Scale, height: int) -> list[str]:
    ticks = []
    for day in _tick_days(scale):
        x = scale.x(day)
        label = f"{day:%d %b}" if (scale.end - scale.start).days <= 70 else f"{day:%b %Y}"
        ticks.append(f'<line class="tick" x1="{x:.1f}" x2="{x:.1f}" y1="16" y2="{height}"/>'
                     f'<text class="tick-label" x="{x + 2:.1f}" y="24">{label}</text>')
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

"""Views across releases: a month calendar of go-lives, milestones, freeze windows and meetings,
and a timeline of every active release drawn on the server as SVG."""

import calendar as month_grid
from dataclasses import dataclass
from datetime import date, timedelta

from django.urls import reverse
from django.utils.html import escape

from tminus.meetings.models import Meeting
from tminus.readiness.freeze import day_bounds, occurrences
from tminus.readiness.models import FreezeWindow
from tminus.releases.models import Milestone, Release
from tminus.releases.selectors import ACTIVE_STATUSES, today


@dataclass
class CalendarEvent:
    kind: str  # go_live, milestone, freeze, meeting
    label: str
    url: str
    product: str = ""


def month_of(text: str | None) -> date:
    """The first day of '2026-12', or of this month."""
    if not text:
        return today().replace(day=1)
    try:
        year, month = (int(part) for part in text.split("-"))
        return date(year, month, 1)
    except ValueError:
        raise ValueError(f"{text!r} is not a month; write it as 2026-12.") from None


def month_calendar(first: date, product: str = "") -> dict:
    """Weeks of the month (Monday first), each day with its events across products."""
    weeks = month_grid.Calendar().monthdatescalendar(first.year, first.month)
    start, end = weeks[0][0], weeks[-1][-1]
    events: dict[date, list[CalendarEvent]] = {}
    for day, event in _events(start, end, product):
        events.setdefault(day, []).append(event)
    following = (first + timedelta(days=32)).replace(day=1)
    return {
        "month": first, "previous": (first - timedelta(days=1)).replace(day=1),
        "next": following, "today": today(),
        "weeks": [[(day, day.month == first.month, events.get(day, [])) for day in week]
                  for week in weeks],
    }


def _events(start: date, end: date, product: str):
    releases = Release.objects.select_related("product").exclude(status="cancelled")
    if product:
        releases = releases.filter(product__key=product)
    for release in releases.filter(go_live__range=(start, end)):
        yield release.go_live, CalendarEvent("go_live", f"Go-live: {release.name}",
                                             _release_url(release), release.product.name)
    milestones = Milestone.objects.filter(release__in=releases, date__range=(start, end)).exclude(
        kind="go_live").select_related("release__product")
    for milestone in milestones:
        yield milestone.date, CalendarEvent(
            "milestone", f"{milestone.name} ({milestone.release.name})",
            _release_url(milestone.release), milestone.release.product.name)
    meetings = Meeting.objects.filter(release__in=releases, date__range=(start, end)
                                      ).select_related("release__product")
    for meeting in meetings:
        yield meeting.date, CalendarEvent(
            "meeting", f"{meeting.title} ({meeting.release.name})",
            reverse("meetings-detail", args=[meeting.release.key, meeting.pk]),
            meeting.release.product.name)
    yield from _freeze_days(start, end, product)


def _freeze_days(start: date, end: date, product: str):
    windows = FreezeWindow.objects.select_related("product")
    if product:
        windows = windows.filter(product__key=product) | windows.filter(product__isnull=True)
    window_start, window_end = day_bounds(start)[0], day_bounds(end)[1]
    for window in windows:
        for occurrence in occurrences(window, window_start, window_end):
            day = max(occurrence.start.date(), start)
            while day <= min(occurrence.end.date(), end):
                yield day, CalendarEvent("freeze", f"Freeze: {window.name}",
                                         reverse("readiness-freeze-list"),
                                         window.product.name if window.product else "")
                day += timedelta(days=1)


def _release_url(release) -> str:
    return reverse("release-detail", args=[release.key])


# ---- The timeline of all active releases -------------------------------------------------------
WIDTH, LABEL_WIDTH, ROW, TOP = 960, 230, 24, 30


def active_releases_timeline(product: str = "") -> str:
    """One bar per active release from its planning start to its go-live, a diamond at go-live,
    and a line for today; an empty string when no active release has a go-live."""
    releases = list(Release.objects.select_related("product").filter(
        status__in=ACTIVE_STATUSES, go_live__isnull=False).order_by("go_live", "key"))
    if product:
        releases = [r for r in releases if r.product.key == product]
    if not releases:
        return ""
    now = today()
    first = min([now, *(r.planning_start or r.go_live for r in releases)]) - timedelta(days=3)
    last = max([now, *(r.go_live for r in releases)]) + timedelta(days=7)
    span = max((last - first).days, 1)

    def x(day: date) -> float:
        return LABEL_WIDTH + (WIDTH - LABEL_WIDTH - 10) * (day - first).days / span

    height = TOP + ROW * len(releases) + 10
    parts = [f'<svg class="timeline portfolio-timeline" viewBox="0 0 {WIDTH} {height}" '
             f'role="group" aria-label="Timeline of the active releases" '
             f'xmlns="http://www.w3.org/2000/svg">']
    parts += _month_lines(first, last, x, height)
    for row, release in enumerate(releases):
        parts.append(_release_row(release, TOP + row * ROW, x))
    today_x = x(now)
    parts.append(f'<line class="today" x1="{today_x:.1f}" x2="{today_x:.1f}" y1="16" '
                 f'y2="{height - 4}"/><text class="today-label" x="{today_x + 3:.1f}" '
                 f'y="12">today</text></svg>')
    return "".join(parts)


def _month_lines(first: date, last: date, x, height: int) -> list[str]:
    lines, day = [], first.replace(day=1)
    while day <= last:
        if day >= first:
            lines.append(f'<line class="tick" x1="{x(day):.1f}" x2="{x(day):.1f}" y1="16" '
                         f'y2="{height}"/><text class="tick-label" x="{x(day) + 2:.1f}" '
                         f'y="26">{day:%b %Y}</text>')
        day = (day + timedelta(days=32)).replace(day=1)
    return lines


def _release_row(release, y: int, x) -> str:
    url = escape(_release_url(release))
    label = escape(f"{release.product.name}: {release.name}")
    start = release.planning_start or release.go_live
    x1, x2 = x(start), x(release.go_live)
    cy = y + ROW / 2
    points = f"{x2:.1f},{cy - 6} {x2 + 6:.1f},{cy} {x2:.1f},{cy + 6} {x2 - 6:.1f},{cy}"
    title = escape(f"{release.name} ({release.get_status_display()}): "
                   f"{start} to go-live {release.go_live}")
    return (f'<a href="{url}"><text class="label" x="4" y="{y + 16}">{label[:40]}</text>'
            f'<rect class="phase status-bar-{release.status}" x="{x1:.1f}" y="{y + 5}" '
            f'width="{max(x2 - x1, 3):.1f}" height="{ROW - 10}" rx="3"><title>{title}</title>'
            f'</rect><polygon class="milestone milestone-go_live" points="{points}">'
            f"<title>{title}</title></polygon></a>")

"""Calendars (ICS) of release plans: phases, milestones, go-live, freeze windows, checklist dues.

One release's calendar is an export; a product's or a person's is a feed that calendar apps
(Google Calendar, Outlook) subscribe to by URL. Event UIDs are stable, so a re-fetched feed
updates events in place instead of duplicating them.
"""

from datetime import date, datetime, time, timedelta

from django.db.models import Count, Q
from django.utils import timezone
from icalendar import Calendar, Event

from tminus.releases.choices import FINISHED_ITEM_STATUSES
from tminus.releases.models import ChecklistItem, ChecklistSection, Release

UID_DOMAIN = "tminus"
FEED_PAST_DAYS = 180


def _calendar(name: str) -> Calendar:
    calendar = Calendar()
    calendar.add("prodid", "-//T-Minus//Release plans//EN")
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("x-wr-calname", name)
    return calendar


def _all_day(uid: str, summary: str, start: date, end: date | None = None,
             description: str = "") -> Event:
    event = Event()
    event.add("uid", f"{uid}@{UID_DOMAIN}")
    event.add("dtstamp", timezone.now())
    event.add("summary", summary)
    event.add("dtstart", start)
    event.add("dtend", (end or start) + timedelta(days=1))  # DTEND of an all-day event is exclusive
    if description:
        event.add("description", description)
    return event


def release_events(release: Release, sections=None, items=None) -> list[Event]:
    """Every dated part of one release as calendar events."""
    label = f"{release.name} ({release.key})"
    events = []
    if release.go_live:
        events.append(_all_day(f"release-{release.pk}-go-live", f"Go-live: {label}",
                               release.go_live, description=release.goal))
    for phase in release.phases.all():
        if phase.start_date or phase.end_date:
            events.append(_all_day(f"phase-{phase.pk}", f"{phase.name} · {label}",
                                   phase.start_date or phase.end_date,
                                   phase.end_date or phase.start_date, phase.description))
    for milestone in release.milestones.all():
        if milestone.date and milestone.kind != "go_live":
            events.append(_all_day(f"milestone-{milestone.pk}", f"{milestone.name} · {label}",
                                   milestone.date))
    events += checklist_events(release, sections, items)
    return events


def checklist_events(release, sections=None, items=None) -> list[Event]:
    """A due event per checklist section (with its open items), and one per item whose own due
    date differs from its section's."""
    if sections is None:
        open_items = Count("items", filter=~Q(items__status__in=FINISHED_ITEM_STATUSES))
        sections = ChecklistSection.objects.filter(release=release, due_date__isnull=False) \
            .annotate(open_items=open_items)
    if items is None:
        items = ChecklistItem.objects.filter(release=release, due_date__isnull=False) \
            .select_related("section")
    events = [
        _all_day(f"section-{section.pk}", f"Due: {section.title} · {release.key}",
                 section.due_date, description=f"{section.open_items} open item(s)"
                 + (f" · {section.group}" if section.group else ""))
        for section in sections
    ]
    events += [
        _all_day(f"item-{item.pk}", f"Due: {item.text} · {release.key}", item.due_date)
        for item in items if item.due_date != item.section.due_date
    ]
    return events


def freeze_events(product, start: date, end: date) -> list[Event]:
    """The freeze windows that cover the period, when the readiness area provides them."""
    try:
        from tminus.readiness.selectors import freeze_windows_covering
    except ImportError:
        return []
    zone = timezone.get_current_timezone()
    occurrences = freeze_windows_covering(product, datetime.combine(start, time.min, zone),
                                          datetime.combine(end, time.max, zone))
    events = []
    for occurrence in occurrences:
        window = occurrence.window
        event = Event()
        event.add("uid", f"freeze-{window.pk}-{occurrence.start:%Y%m%dT%H%M}@{UID_DOMAIN}")
        event.add("dtstamp", timezone.now())
        event.add("summary", f"Freeze: {window.name}")
        event.add("dtstart", occurrence.start)
        event.add("dtend", occurrence.end)
        if window.reason:
            event.add("description", window.reason)
        events.append(event)
    return events


def _dated_checklists(releases) -> tuple[dict, dict]:
    """Dated sections and items of many releases in two queries, by release id."""
    ids = [release.pk for release in releases]
    open_items = Count("items", filter=~Q(items__status__in=FINISHED_ITEM_STATUSES))
    sections: dict[int, list] = {}
    for section in (ChecklistSection.objects.filter(release_id__in=ids, due_date__isnull=False)
                    .annotate(open_items=open_items)):
        sections.setdefault(section.release_id, []).append(section)
    items: dict[int, list] = {}
    for item in (ChecklistItem.objects.filter(release_id__in=ids, due_date__isnull=False)
                 .select_related("section")):
        items.setdefault(item.release_id, []).append(item)
    return sections, items


def _span(releases) -> tuple[date, date]:
    days = [d for r in releases for d in (r.planning_start, r.go_live) if d]
    today = timezone.localdate()
    if not days:
        return today, today + timedelta(days=90)
    return min(days) - timedelta(days=7), max(days) + timedelta(days=60)


def release_calendar(release: Release) -> str:
    """One release's calendar as ICS text."""
    calendar = _calendar(f"{release.name} · T-Minus")
    for event in release_events(release):
        calendar.add_component(event)
    start, end = _span([release])
    for event in freeze_events(release.product, start, end):
        calendar.add_component(event)
    return calendar.to_ical().decode("utf-8")


def product_calendar(product) -> str:
    """The calendar of a product's releases that are not closed or cancelled, with freezes."""
    calendar = _calendar(f"{product.name} releases · T-Minus")
    since = timezone.localdate() - timedelta(days=FEED_PAST_DAYS)
    releases = list(Release.objects.filter(product=product)
                    .exclude(status__in=["closed", "cancelled"])
                    .filter(Q(go_live__isnull=True) | Q(go_live__gte=since))
                    .prefetch_related("phases", "milestones"))
    sections, items = _dated_checklists(releases)
    for release in releases:
        for event in release_events(release, sections.get(release.pk, []),
                                    items.get(release.pk, [])):
            calendar.add_component(event)
    start, end = _span(releases)
    for event in freeze_events(product, start, end):
        calendar.add_component(event)
    return calendar.to_ical().decode("utf-8")


def person_calendar(user) -> str:
    """A person's calendar: go-live of releases they own, and checklist work due that they own."""
    calendar = _calendar(f"{user} · T-Minus")
    since = timezone.localdate() - timedelta(days=FEED_PAST_DAYS)
    for release in Release.objects.filter(owner=user, go_live__gte=since):
        calendar.add_component(_all_day(f"release-{release.pk}-go-live",
                                        f"Go-live: {release.name} ({release.key})",
                                        release.go_live))
    sections = (ChecklistSection.objects.filter(owner=user, due_date__gte=since)
                .select_related("release"))
    for section in sections:
        calendar.add_component(_all_day(f"section-{section.pk}",
                                        f"Due: {section.title} · {section.release.key}",
                                        section.due_date))
    items = (ChecklistItem.objects.filter(owner=user, due_date__gte=since)
             .exclude(status__in=FINISHED_ITEM_STATUSES).select_related("release"))
    for item in items:
        calendar.add_component(_all_day(f"item-{item.pk}", f"Due: {item.text} · "
                                        f"{item.release.key}", item.due_date))
    return calendar.to_ical().decode("utf-8")

"""How meetings plug into the release page and into releases made from templates."""

import uuid
from datetime import time

from django.conf import settings

from tminus.core.offsets import date_at, parse_offset
from tminus.meetings import selectors
from tminus.meetings.choices import MeetingKind
from tminus.meetings.defaults import default_meetings
from tminus.meetings.models import AgendaItem, Meeting, MeetingAttendee

PANEL_LIMIT = 12


def panel_context(request, release) -> dict:
    return {"meetings": list(selectors.meetings_of(release)[:PANEL_LIMIT])}


def meetings_for_new_release(release, definition: dict) -> None:
    """Lay out the template's meetings (part of creating the release, audited with it)."""
    for order, spec in enumerate(default_meetings(definition)):
        offset = parse_offset(spec["at"]) if spec.get("at") else None
        meeting = Meeting.objects.create(
            release=release, order=order, title=spec["title"][:300],
            kind=spec.get("kind") if spec.get("kind") in MeetingKind.values else "other",
            date_offset=offset, date=date_at(release.go_live, offset),
            start_time=time.fromisoformat(spec["time"]) if spec.get("time") else None,
            time_zone=settings.TIME_ZONE, duration_minutes=spec.get("duration_minutes", 60),
            audience=spec.get("audience", ""), topics="\n".join(spec.get("topics", [])),
            uid=f"{uuid.uuid4()}@tminus",
        )
        AgendaItem.objects.bulk_create(AgendaItem(meeting=meeting, text=text, order=index)
                                       for index, text in enumerate(spec.get("agenda", [])))
        MeetingAttendee.objects.bulk_create(MeetingAttendee(meeting=meeting, role=role,
                                                            name=role)
                                            for role in spec.get("roles", []))

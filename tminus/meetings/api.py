"""JSON endpoints for meetings: planning, attendees, agendas, invitations, attendance, feedback."""

from datetime import date

from django.shortcuts import get_object_or_404
from ninja import Router, Status

from tminus.accounts.roles import CONTRIBUTE, VIEW
from tminus.core.api import api_actor, edit_revision
from tminus.core.errors import ValidationFailed
from tminus.meetings import presenters, selectors, services
from tminus.meetings.models import AgendaItem, MeetingAttendee
from tminus.meetings.schemas import (
    AgendaIn,
    AgendaOut,
    AgendaPatch,
    AttendeeIn,
    AttendeeOut,
    AttendeePatch,
    CancelIn,
    InvitationOut,
    MeetingDetailOut,
    MeetingIn,
    MeetingOut,
    MeetingPatch,
    RetryOut,
)
from tminus.people.models import Person
from tminus.releases.selectors import release_get

router = Router(tags=["meetings"])


def _person(person_id: int | None, field: str) -> Person | None:
    if person_id is None:
        return None
    person = Person.objects.filter(pk=person_id).first()
    if person is None:
        raise ValidationFailed({field: f"No person with id {person_id}."})
    return person


def _attendee_specs(attendees: list[AttendeeIn]) -> list[dict]:
    return [{"person": _person(a.person_id, "attendees"), "role": a.role, "required": a.required}
            for a in attendees]


def _detail(meeting_id: int) -> dict:
    meeting = selectors.meeting_get(meeting_id)
    return presenters.meeting_detail(meeting, selectors.attendees(meeting),
                                     selectors.agenda(meeting))


@router.get("/releases/{key}/meetings", response=list[MeetingOut])
def meeting_list(request, key: str, kind: str = ""):
    api_actor(request, VIEW)
    return [presenters.meeting_summary(m)
            for m in selectors.meetings_of(release_get(key), kind=kind)]


@router.post("/releases/{key}/meetings", response={201: MeetingDetailOut})
def meeting_create(request, key: str, data: MeetingIn):
    """Plan a meeting; `end_time` (same day) or `duration_minutes` says how long it lasts."""
    actor = api_actor(request, CONTRIBUTE)
    values = data.dict(exclude={"organiser_id", "trainer_id", "attendees"})
    meeting = services.meeting_create(
        release=release_get(key), organiser=_person(data.organiser_id, "organiser_id"),
        trainer=_person(data.trainer_id, "trainer_id"),
        attendees=_attendee_specs(data.attendees), actor=actor, **values)
    return Status(201, _detail(meeting.pk))


@router.get("/meetings", response=list[MeetingOut])
def meeting_upcoming(request, start: date | None = None):
    """Scheduled meetings of every release from a day on (default today)."""
    api_actor(request, VIEW)
    return [presenters.meeting_summary(m) for m in selectors.upcoming(start=start)]


@router.get("/meetings/{meeting_id}", response=MeetingDetailOut)
def meeting_detail(request, meeting_id: int):
    api_actor(request, VIEW)
    return _detail(meeting_id)


@router.patch("/meetings/{meeting_id}", response=MeetingDetailOut)
def meeting_update(request, meeting_id: int, data: MeetingPatch):
    """Change a meeting; once invited, attendees get an update (SEQUENCE goes up)."""
    actor = api_actor(request, CONTRIBUTE)
    changes = data.dict(exclude_unset=True)
    revision = edit_revision(request, changes.pop("revision", None))
    for field in ("organiser", "trainer"):
        if f"{field}_id" in changes:
            changes[field] = _person(changes.pop(f"{field}_id"), f"{field}_id")
    services.meeting_update(meeting=selectors.meeting_get(meeting_id), revision=revision,
                            changes=changes, actor=actor)
    return _detail(meeting_id)


@router.post("/meetings/{meeting_id}/cancel", response=MeetingDetailOut)
def meeting_cancel(request, meeting_id: int, data: CancelIn):
    actor = api_actor(request, CONTRIBUTE)
    services.meeting_cancel(meeting=selectors.meeting_get(meeting_id), reason=data.reason,
                            actor=actor)
    return _detail(meeting_id)


@router.get("/meetings/{meeting_id}/invitations", response=list[InvitationOut])
def invitation_list(request, meeting_id: int):
    api_actor(request, VIEW)
    meeting = selectors.meeting_get(meeting_id)
    return [presenters.invitation_dict(i) for i in selectors.invitations(meeting)]


@router.post("/meetings/{meeting_id}/invitations", response={202: list[InvitationOut]})
def invitation_send(request, meeting_id: int):
    """Invite every attendee by email; the worker sends them (202: queued)."""
    actor = api_actor(request, CONTRIBUTE)
    invitations = services.meeting_invitations_send(meeting=selectors.meeting_get(meeting_id),
                                                    actor=actor)
    return Status(202, [presenters.invitation_dict(i) for i in invitations])


@router.post("/meetings/{meeting_id}/invitations/retry", response=RetryOut)
def invitation_retry(request, meeting_id: int):
    actor = api_actor(request, CONTRIBUTE)
    retried = services.meeting_invitations_retry(meeting=selectors.meeting_get(meeting_id),
                                                 actor=actor)
    return {"retried": retried}


@router.post("/meetings/{meeting_id}/attendees", response={201: AttendeeOut})
def attendee_add(request, meeting_id: int, data: AttendeeIn):
    actor = api_actor(request, CONTRIBUTE)
    attendee = services.meeting_attendee_add(
        meeting=selectors.meeting_get(meeting_id), person=_person(data.person_id, "person_id"),
        role=data.role, required=data.required, actor=actor)
    return Status(201, presenters.attendee_dict(attendee))


def _attendee(attendee_id: int) -> MeetingAttendee:
    return get_object_or_404(MeetingAttendee.objects.select_related("meeting", "person"),
                             pk=attendee_id)


@router.patch("/meeting-attendees/{attendee_id}", response=AttendeeOut)
def attendee_update(request, attendee_id: int, data: AttendeePatch):
    """Record attendance and/or feedback (rating 1-5 with a comment)."""
    actor = api_actor(request, CONTRIBUTE)
    attendee = _attendee(attendee_id)
    if data.attendance is not None:
        attendee = services.meeting_attendance_set(attendee=attendee,
                                                   attendance=data.attendance, actor=actor)
    if data.feedback_rating is not None:
        attendee = services.meeting_feedback_record(attendee=attendee,
                                                    rating=data.feedback_rating,
                                                    comment=data.feedback_comment, actor=actor)
    return presenters.attendee_dict(attendee)


@router.delete("/meeting-attendees/{attendee_id}", response={204: None})
def attendee_remove(request, attendee_id: int):
    actor = api_actor(request, CONTRIBUTE)
    services.meeting_attendee_remove(attendee=_attendee(attendee_id), actor=actor)
    return Status(204, None)


@router.post("/meetings/{meeting_id}/agenda", response={201: AgendaOut})
def agenda_add(request, meeting_id: int, data: AgendaIn):
    actor = api_actor(request, CONTRIBUTE)
    item = services.agenda_item_add(meeting=selectors.meeting_get(meeting_id), text=data.text,
                                    actor=actor)
    return Status(201, presenters.agenda_dict(item))


@router.patch("/agenda-items/{item_id}", response=AgendaOut)
def agenda_set(request, item_id: int, data: AgendaPatch):
    actor = api_actor(request, CONTRIBUTE)
    item = get_object_or_404(AgendaItem.objects.select_related("meeting"), pk=item_id)
    return presenters.agenda_dict(services.agenda_item_set(item=item, done=data.done,
                                                           actor=actor))

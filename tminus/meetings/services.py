"""Every write to meetings, attendees, agendas, feedback and invitations.

Each runs in a transaction and is audited. Invitations are rows first and mail second: a
service records one Invitation per address and queues a worker job for it, so a failed send
keeps the invitation (with its error) and the worker retries it.
"""

import uuid
from datetime import date, time

from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from tminus.accounts.permissions import require
from tminus.accounts.roles import CONTRIBUTE
from tminus.audit.services import audit_record, snapshot
from tminus.core import editing
from tminus.core.actors import Actor
from tminus.core.concurrency import save_versioned
from tminus.core.errors import TransitionNotAllowed, ValidationFailed
from tminus.core.offsets import date_at
from tminus.meetings import ics, mail, schedule
from tminus.meetings.addresses import RoleDirectory, addresses, attendee_addresses
from tminus.meetings.choices import (
    Attendance,
    InvitationStatus,
    InviteMethod,
    MeetingKind,
    MeetingStatus,
)
from tminus.meetings.models import AgendaItem, Invitation, Meeting, MeetingAttendee
from tminus.releases.models import Release
from tminus.worker.services import job_enqueue

MEETING_FIELDS = ["kind", "title", "date", "start_time", "time_zone", "duration_minutes",
                  "location", "link", "organiser", "trainer", "audience", "topics",
                  "description", "notes", "decisions", "status"]
# A change to one of these is news for the attendees: once invited, they get an update.
INVITE_FIELDS = {"title", "date", "start_time", "time_zone", "duration_minutes", "location",
                 "link", "description", "organiser"}
ATTENDEE_FIELDS = ["person", "role", "name", "required", "attendance", "feedback_rating",
                   "feedback_comment"]
INVITATION_JOB = "meetings.invitation_send"


def _user(actor: Actor):
    return actor.user if getattr(actor.user, "pk", None) else None


def _state(meeting: Meeting) -> dict:
    return {**snapshot(meeting, MEETING_FIELDS), "revision": meeting.revision,
            "sequence": meeting.sequence}


def _meeting_errors(meeting: Meeting) -> dict:
    """Refusals for a meeting's title, kind, status, time zone, duration and link, and for
    dropping the date or time of a meeting whose attendees were invited."""
    errors = {}
    if not (meeting.title or "").strip():
        errors["title"] = "A meeting needs a title."
    if meeting.kind not in MeetingKind.values:
        errors["kind"] = f"Unknown kind {meeting.kind!r}; use one of " \
                         f"{', '.join(MeetingKind.values)}."
    if meeting.status not in MeetingStatus.values:
        errors["status"] = f"Unknown status {meeting.status!r}."
    try:
        schedule.zone(meeting.time_zone)
    except ValueError as error:
        errors["time_zone"] = str(error)
    if not 0 < meeting.duration_minutes <= schedule.MAX_DURATION_MINUTES:
        errors["duration_minutes"] = "A meeting lasts at least one minute and at most a week."
    if meeting.link and not meeting.link.startswith(("http://", "https://")):
        errors["link"] = "A link must start with http:// or https://."
    if _invited(meeting):
        for field in ("date", "start_time"):
            if getattr(meeting, field) is None:
                errors[field] = ("Invitations went out, so the meeting keeps a date and time; "
                                 "cancel it instead.")
    return errors


def _meeting_derive(meeting: Meeting, changes: dict) -> list[str]:
    """A date set by hand stays put when go-live moves; a change to when or where of an invited
    meeting is news: its SEQUENCE goes up (the service then sends the update)."""
    meeting.title, meeting.time_zone = meeting.title.strip(), meeting.time_zone.strip()
    fields = ["title", "time_zone"]
    if "date" in changes:
        meeting.date_offset = None
        fields.append("date_offset")
    told = Meeting.objects.filter(pk=meeting.pk).values(*INVITE_FIELDS).get()
    if _invited(meeting) and any(told[f] != getattr(meeting, f if f != "organiser"
                                                    else "organiser_id")
                                 for f in INVITE_FIELDS & set(changes)):
        meeting.sequence += 1
        meeting.invited_date = meeting.date
        fields += ["sequence", "invited_date"]
    return fields


def _apply_end_time(values: dict, start_time: time | None) -> dict:
    """Turn an end time into a duration; a meeting that ends before it starts is refused."""
    end_time = values.pop("end_time", None)
    if end_time is None:
        return values
    if start_time is None:
        raise ValidationFailed({"end_time": "Give the start time as well as the end time."})
    minutes = schedule.duration_between(start_time, end_time)
    if minutes <= 0:
        raise ValidationFailed({"end_time": f"The meeting ends ({end_time:%H:%M}) before it "
                                            f"starts ({start_time:%H:%M})."})
    return {**values, "duration_minutes": minutes}


@transaction.atomic
def meeting_create(*, release: Release, title: str, kind: str = MeetingKind.OTHER,
                   date: date | None = None, date_offset: int | None = None,
                   start_time: time | None = None, time_zone: str = "",
                   duration_minutes: int | None = None, end_time: time | None = None,
                   location: str = "", link: str = "", organiser=None, trainer=None,
                   audience: str = "", topics: str = "", description: str = "",
                   agenda: list[str] | tuple = (), attendees: list[dict] | tuple = (),
                   actor: Actor) -> Meeting:
    """Plan a meeting: kind, date, time and time zone, duration or end, place, agenda, who.

    `attendees` are {"person": Person} or {"role": "Support Lead"}, optionally "required".
    """
    require(actor, CONTRIBUTE)
    values = _apply_end_time({"duration_minutes": 60 if duration_minutes is None
                              else duration_minutes, "end_time": end_time}, start_time)
    if date_offset is not None:
        date = date_at(release.go_live, date_offset)
    meeting = Meeting(
        release=release, kind=kind, title=(title or "").strip()[:300], date=date,
        date_offset=date_offset, start_time=start_time,
        time_zone=(time_zone or settings.TIME_ZONE).strip(),
        duration_minutes=values["duration_minutes"], location=location or "", link=link or "",
        organiser=organiser, trainer=trainer, audience=audience or "", topics=topics or "",
        description=description or "", uid=f"{uuid.uuid4()}@tminus",
        order=release.meetings.count(),
    )
    editing.create(MEETING, meeting, actor=actor)
    AgendaItem.objects.bulk_create(AgendaItem(meeting=meeting, text=text.strip()[:500], order=i)
                                   for i, text in enumerate(agenda) if text and text.strip())
    for spec in attendees:
        _attendee_create(meeting, spec.get("person"), spec.get("role") or "",
                         spec.get("required", True))
    return meeting


@transaction.atomic
def meeting_update(*, meeting: Meeting, revision: int | None, changes: dict,
                   actor: Actor) -> Meeting:
    """Change a meeting; once invited, attendees get an update."""
    require(actor, CONTRIBUTE)
    meeting = _locked(meeting)
    if meeting.status == MeetingStatus.CANCELLED:
        raise ValidationFailed({"status": "A cancelled meeting stays cancelled; plan a new one."})
    if changes.get("status") == MeetingStatus.CANCELLED:
        raise ValidationFailed({"status": "Cancel a meeting with its cancel action, which "
                                          "tells the attendees."})
    changes = _apply_end_time(dict(changes), changes.get("start_time", meeting.start_time))
    sequence = meeting.sequence
    editing.update(MEETING, meeting, revision=revision, changes=changes, actor=actor)
    if meeting.sequence != sequence:
        _invite_everyone(meeting, InviteMethod.REQUEST)
    return meeting


MEETING = editing.Kind(model=Meeting, action="meeting", fields=MEETING_FIELDS,
                       capability=CONTRIBUTE, validate=_meeting_errors, derive=_meeting_derive,
                       add_verb="create")


def _locked(meeting: Meeting) -> Meeting:
    """The meeting's current row, locked: invitations may have gone out since it was read."""
    return Meeting.objects.select_for_update().select_related("release").get(pk=meeting.pk)


def _invited(meeting: Meeting) -> bool:
    return meeting.invitations_sent_at is not None and meeting.status == MeetingStatus.SCHEDULED


@transaction.atomic
def meeting_cancel(*, meeting: Meeting, reason: str = "", actor: Actor) -> Meeting:
    """Cancel a meeting; everyone who was invited gets a cancellation."""
    require(actor, CONTRIBUTE)
    meeting = _locked(meeting)
    if meeting.status != MeetingStatus.SCHEDULED:
        raise TransitionNotAllowed(f"The meeting is {meeting.get_status_display().lower()}; "
                                   "only a scheduled meeting can be cancelled.")
    was_invited = _invited(meeting)
    before = _state(meeting)
    meeting.status = MeetingStatus.CANCELLED
    fields = ["status"]
    if was_invited:
        meeting.sequence += 1
        fields.append("sequence")
    save_versioned(meeting, None, fields, snapshot=_state)
    if was_invited:
        _invite_everyone(meeting, InviteMethod.CANCEL)
    audit_record(actor=actor, action="meeting.cancel", obj=meeting,
                 release_id=meeting.release_id, before=before, after=_state(meeting),
                 reason=reason)
    return meeting


def _invitation_errors(meeting: Meeting, found: dict[int, list]) -> dict:
    errors = {}
    if meeting.status != MeetingStatus.SCHEDULED:
        errors["status"] = f"The meeting is {meeting.get_status_display().lower()}."
    if meeting.date is None or meeting.start_time is None:
        errors["date"] = "Set the meeting's date and start time before inviting anyone."
    attendees = list(meeting.attendees.all())
    if not attendees:
        errors["attendees"] = "Add attendees before sending invitations."
    without = [a.name for a in attendees if not found.get(a.pk)]
    if without:
        errors["attendees"] = ("No email address for " + ", ".join(without) +
                               "; give them an address (or name people for the role) first.")
    return errors


@transaction.atomic
def meeting_invitations_send(*, meeting: Meeting, actor: Actor) -> list[Invitation]:
    """Invite every attendee by email (an ICS REQUEST); later changes then send updates."""
    require(actor, CONTRIBUTE)
    meeting = _locked(meeting)
    found = attendee_addresses(meeting)
    errors = _invitation_errors(meeting, found)
    if errors:
        raise ValidationFailed(errors)
    first = meeting.invitations_sent_at is None
    meeting.invitations_sent_at = meeting.invitations_sent_at or timezone.now()
    meeting.invited_date = meeting.date
    meeting.save(update_fields=["invitations_sent_at", "invited_date"])
    invitations = _invite_everyone(meeting, InviteMethod.REQUEST, found=found)
    audit_record(actor=actor, action="meeting.invitations_send", obj=meeting,
                 release_id=meeting.release_id,
                 after={"sequence": meeting.sequence, "first": first,
                        "to": [invitation.email for invitation in invitations]})
    return invitations


def _recipients(meeting: Meeting, found: dict[int, list]) -> list[tuple]:
    """(attendee, name, email, required) for every address, each address once."""
    seen, recipients = set(), []
    for attendee in meeting.attendees.all():
        for name, email in found.get(attendee.pk, []):
            if email.lower() not in seen:
                seen.add(email.lower())
                recipients.append((attendee, name, email, attendee.required))
    return recipients


def _organiser(meeting: Meeting) -> tuple[str, str]:
    person = meeting.organiser
    if person is not None and person.email:
        return person.name, person.email
    return mail.system_address()


def _invite_everyone(meeting: Meeting, method: str, found: dict | None = None) -> list:
    found = found if found is not None else attendee_addresses(meeting)
    recipients = _recipients(meeting, found)
    everyone = [(name, email, required) for _a, name, email, required in recipients]
    return _queue(meeting, method, recipients, everyone)


def _queue(meeting: Meeting, method: str, recipients: list[tuple], listed: list[tuple]) -> list:
    """Record one invitation per recipient and queue a job to send each."""
    content = ics.invitation_ics(meeting, method=method, sequence=meeting.sequence,
                                 organiser=_organiser(meeting), attendees=listed)
    subject = mail.subject_for(meeting, method, meeting.sequence)
    body = mail.body_for(meeting, method, ics.description(meeting))
    emails = [email for _a, _n, email, _r in recipients]
    # An older message still waiting would only confuse: the newer one replaces it.
    Invitation.objects.filter(meeting=meeting, email__in=emails,
                              status=InvitationStatus.PENDING).update(
        status=InvitationStatus.SUPERSEDED)
    invitations = Invitation.objects.bulk_create(
        Invitation(meeting=meeting, attendee=attendee, name=name, email=email, method=method,
                   sequence=meeting.sequence, subject=subject, body=body, ics=content)
        for attendee, name, email, _required in recipients
    )
    for invitation in Invitation.objects.filter(meeting=meeting, sequence=meeting.sequence,
                                                method=method, email__in=emails,
                                                status=InvitationStatus.PENDING):
        _enqueue(invitation)
    return invitations


def _enqueue(invitation: Invitation) -> None:
    job_enqueue(kind=INVITATION_JOB, payload={"invitation_id": invitation.pk},
                dedupe_key=f"{INVITATION_JOB}:{invitation.pk}:{invitation.attempts}")


def invitation_deliver(*, invitation_id: int, connection=None) -> Invitation | None:
    """Send one invitation (the worker calls this); a failure is recorded and raised to retry."""
    invitation = Invitation.objects.filter(pk=invitation_id).first()
    if invitation is None or invitation.status in (InvitationStatus.SENT,
                                                   InvitationStatus.SUPERSEDED):
        return invitation
    try:
        mail.invitation_message(invitation, connection=connection).send()
    except Exception as error:
        Invitation.objects.filter(pk=invitation.pk).update(
            status=InvitationStatus.FAILED, attempts=invitation.attempts + 1,
            last_error=f"{type(error).__name__}: {error}"[:2000])
        raise
    Invitation.objects.filter(pk=invitation.pk).update(
        status=InvitationStatus.SENT, attempts=invitation.attempts + 1, last_error="",
        sent_at=timezone.now())
    invitation.refresh_from_db()
    return invitation


@transaction.atomic
def meeting_invitations_retry(*, meeting: Meeting, actor: Actor) -> int:
    """Queue every failed invitation of a meeting again; returns how many."""
    require(actor, CONTRIBUTE)
    failed = list(meeting.invitations.filter(status=InvitationStatus.FAILED))
    for invitation in failed:
        Invitation.objects.filter(pk=invitation.pk).update(status=InvitationStatus.PENDING)
        _enqueue(invitation)
    if failed:
        audit_record(actor=actor, action="meeting.invitations_retry", obj=meeting,
                     release_id=meeting.release_id, after={"retried": len(failed)})
    return len(failed)


def meetings_follow_go_live(*, actor: Actor) -> int:
    """Send updates for invited meetings whose date moved with go-live; returns how many."""
    moved = 0
    pending = (Meeting.objects.filter(invitations_sent_at__isnull=False,
                                      status=MeetingStatus.SCHEDULED, date__isnull=False)
               .exclude(invited_date=F("date")))
    for meeting in pending:
        _meeting_date_announce(meeting=meeting, actor=actor)
        moved += 1
    return moved


@transaction.atomic
def _meeting_date_announce(*, meeting: Meeting, actor: Actor) -> None:
    meeting = _locked(meeting)
    if meeting.invited_date == meeting.date:
        return
    before = {"date": meeting.invited_date, "sequence": meeting.sequence}
    meeting.sequence += 1
    meeting.invited_date = meeting.date
    meeting.save(update_fields=["sequence", "invited_date"])
    _invite_everyone(meeting, InviteMethod.REQUEST)
    audit_record(actor=actor, action="meeting.date_followed_go_live", obj=meeting,
                 release_id=meeting.release_id, before=before,
                 after={"date": meeting.date, "sequence": meeting.sequence})


def _attendee_build(meeting: Meeting, person, role: str, required: bool) -> MeetingAttendee:
    """An attendee for a person or a role, refused when neither or already on the list."""
    role = (role or "").strip()
    if (person is None) == (not role):
        raise ValidationFailed({"attendees": "Name either a person or a role for an attendee."})
    if person is not None and meeting.attendees.filter(person=person).exists():
        raise ValidationFailed({"attendees": f"{person.name} is already on the list."})
    if role and meeting.attendees.filter(person__isnull=True, role__iexact=role).exists():
        raise ValidationFailed({"attendees": f"{role} is already on the list."})
    name = person.name if person is not None else role
    return MeetingAttendee(meeting=meeting, person=person, role=role[:100], name=name[:200],
                           required=bool(required))


def _attendee_create(meeting: Meeting, person, role: str, required: bool) -> MeetingAttendee:
    attendee = _attendee_build(meeting, person, role, required)
    attendee.save()
    return attendee


@transaction.atomic
def meeting_attendee_add(*, meeting: Meeting, person=None, role: str = "",
                         required: bool = True, actor: Actor) -> MeetingAttendee:
    """Add a person or a role to a meeting; once invitations went out, the newcomer gets one."""
    require(actor, CONTRIBUTE)
    meeting = _locked(meeting)
    attendee = _attendee_build(meeting, person, role, required)
    found = addresses(attendee, RoleDirectory(meeting.release)) if _invited(meeting) else []
    if _invited(meeting) and not found:
        raise ValidationFailed({"person": f"No email address for {attendee.name}; invitations "
                                          "have gone out, so a new attendee needs one."})
    attendee.save()
    if found:
        listed = [(name, email, attendee.required) for name, email in found]
        _queue(meeting, InviteMethod.REQUEST, [(attendee, n, e, r) for n, e, r in listed], listed)
    audit_record(actor=actor, action="meeting.attendee_add", obj=attendee,
                 release_id=meeting.release_id, after=snapshot(attendee, ATTENDEE_FIELDS))
    return attendee


@transaction.atomic
def meeting_attendee_remove(*, attendee: MeetingAttendee, actor: Actor) -> None:
    """Take someone off a meeting; if they were invited, they get a cancellation."""
    require(actor, CONTRIBUTE)
    meeting = _locked(attendee.meeting)
    before = snapshot(attendee, ATTENDEE_FIELDS)
    if _invited(meeting):
        found = addresses(attendee, RoleDirectory(meeting.release))
        if found:
            meeting.sequence += 1
            meeting.save(update_fields=["sequence"])
            listed = [(name, email, attendee.required) for name, email in found]
            _queue(meeting, InviteMethod.CANCEL,
                   [(None, n, e, r) for n, e, r in listed], listed)
    audit_record(actor=actor, action="meeting.attendee_remove", obj=attendee,
                 release_id=meeting.release_id, before=before)
    attendee.delete()


@transaction.atomic
def meeting_attendance_set(*, attendee: MeetingAttendee, attendance: str,
                           actor: Actor) -> MeetingAttendee:
    """Record whether someone attended."""
    require(actor, CONTRIBUTE)
    if attendance not in Attendance.values:
        raise ValidationFailed({"attendance": f"Unknown attendance {attendance!r}; use one of "
                                              f"{', '.join(Attendance.values)}."})
    before = snapshot(attendee, ["attendance"])
    attendee.attendance = attendance
    save_versioned(attendee, None, ["attendance"], snapshot=lambda a: snapshot(a, ["attendance"]))
    audit_record(actor=actor, action="meeting.attendance_set", obj=attendee,
                 release_id=attendee.meeting.release_id, before=before,
                 after=snapshot(attendee, ["attendance"]))
    return attendee


@transaction.atomic
def meeting_feedback_record(*, attendee: MeetingAttendee, rating: int, comment: str = "",
                            actor: Actor) -> MeetingAttendee:
    """Record an attendee's feedback after a session: a rating from 1 to 5 and a comment."""
    require(actor, CONTRIBUTE)
    if not isinstance(rating, int) or isinstance(rating, bool) or not 1 <= rating <= 5:
        raise ValidationFailed({"rating": "A rating is a whole number from 1 to 5."})
    fields = ["feedback_rating", "feedback_comment", "feedback_at"]
    before = snapshot(attendee, fields)
    attendee.feedback_rating, attendee.feedback_comment = rating, (comment or "").strip()
    attendee.feedback_at = timezone.now()
    save_versioned(attendee, None, fields, snapshot=lambda a: snapshot(a, fields))
    audit_record(actor=actor, action="meeting.feedback_record", obj=attendee,
                 release_id=attendee.meeting.release_id, before=before,
                 after=snapshot(attendee, fields))
    return attendee


@transaction.atomic
def agenda_item_add(*, meeting: Meeting, text: str, actor: Actor) -> AgendaItem:
    """Add a point to a meeting's agenda."""
    require(actor, CONTRIBUTE)
    if not (text or "").strip():
        raise ValidationFailed({"text": "An agenda item needs text."})
    item = AgendaItem.objects.create(meeting=meeting, text=text.strip()[:500],
                                     order=meeting.agenda.count())
    audit_record(actor=actor, action="meeting.agenda_add", obj=item,
                 release_id=meeting.release_id, after={"text": item.text})
    return item


@transaction.atomic
def agenda_item_set(*, item: AgendaItem, done: bool, actor: Actor) -> AgendaItem:
    """Tick an agenda point off (or open it again), recording who and when."""
    require(actor, CONTRIBUTE)
    before = {"done": item.done}
    item.done = bool(done)
    item.done_by = _user(actor) if item.done else None
    item.done_at = timezone.now() if item.done else None
    item.save(update_fields=["done", "done_by", "done_at"])
    audit_record(actor=actor, action="meeting.agenda_set", obj=item,
                 release_id=item.meeting.release_id, before=before, after={"done": item.done})
    return item


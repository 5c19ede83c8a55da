"""API shapes for meetings, attendees, agendas and invitations."""

from datetime import date as Date
from datetime import datetime

from ninja import Schema

from tminus.core.schemas import LocalTime


class MeetingPersonRef(Schema):
    id: int
    name: str
    email: str


class AttendeeIn(Schema):
    person_id: int | None = None
    role: str = ""
    required: bool = True


class MeetingIn(Schema):
    title: str
    kind: str = "other"
    date: Date | None = None
    start_time: LocalTime | None = None
    end_time: LocalTime | None = None
    duration_minutes: int | None = None
    time_zone: str = ""
    location: str = ""
    link: str = ""
    organiser_id: int | None = None
    trainer_id: int | None = None
    audience: str = ""
    topics: str = ""
    description: str = ""
    agenda: list[str] = []
    attendees: list[AttendeeIn] = []


class MeetingPatch(Schema):
    revision: int | None = None
    title: str | None = None
    kind: str | None = None
    date: Date | None = None
    start_time: LocalTime | None = None
    end_time: LocalTime | None = None
    duration_minutes: int | None = None
    time_zone: str | None = None
    location: str | None = None
    link: str | None = None
    organiser_id: int | None = None
    trainer_id: int | None = None
    audience: str | None = None
    topics: str | None = None
    description: str | None = None
    notes: str | None = None
    decisions: str | None = None
    status: str | None = None


class MeetingOut(Schema):
    id: int
    release: str
    kind: str
    title: str
    status: str
    date: Date | None
    date_offset: int | None
    start_time: LocalTime | None
    time_zone: str
    duration_minutes: int
    starts_at: datetime | None
    ends_at: datetime | None
    location: str
    link: str
    organiser: MeetingPersonRef | None
    trainer: MeetingPersonRef | None
    audience: str
    uid: str
    sequence: int
    invitations_sent_at: datetime | None
    attendee_count: int | None
    attended_count: int | None
    rating_average: float | None
    revision: int


class AttendeeOut(Schema):
    id: int
    name: str
    person: MeetingPersonRef | None
    role: str
    required: bool
    attendance: str
    feedback_rating: int | None
    feedback_comment: str
    feedback_at: datetime | None


class AttendeePatch(Schema):
    attendance: str | None = None
    feedback_rating: int | None = None
    feedback_comment: str = ""


class AgendaIn(Schema):
    text: str


class AgendaPatch(Schema):
    done: bool


class AgendaOut(Schema):
    id: int
    text: str
    done: bool
    done_by: str | None
    done_at: datetime | None


class MeetingDetailOut(MeetingOut):
    topics: list[str]
    description: str
    notes: str
    decisions: str
    attendees: list[AttendeeOut]
    agenda: list[AgendaOut]


class CancelIn(Schema):
    reason: str = ""


class InvitationOut(Schema):
    id: int
    email: str
    name: str
    method: str
    sequence: int
    status: str
    attempts: int
    last_error: str
    created_at: datetime
    sent_at: datetime | None


class RetryOut(Schema):
    retried: int

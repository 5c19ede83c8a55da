from datetime import date, time, timedelta

import pytest

from tests.factories import make_release
from tminus.audit.models import AuditEvent
from tminus.core.actors import Actor
from tminus.core.errors import NotAllowed, TransitionNotAllowed, ValidationFailed
from tminus.meetings import services
from tminus.meetings.models import Meeting
from tminus.people.models import Person
from tminus.releases.services import release_schedule_shift

pytestmark = pytest.mark.django_db
SYSTEM = Actor.cli()
GO_LIVE = date(2026, 5, 4)


def _create(release=None, **values):
    release = release or make_release(template="patch")
    defaults = {"title": "Go/no-go", "kind": "go_no_go", "date": date(2026, 4, 30),
                "start_time": time(9, 0), "time_zone": "America/New_York"}
    return services.meeting_create(release=release, actor=SYSTEM, **{**defaults, **values})


def test_meeting_create_keeps_time_zone_duration_place_agenda_and_is_audited():
    meeting = _create(end_time=time(10, 30), link="https://meet.example.com/abc",
                      agenda=["Review test results", "", "Decide"])

    assert meeting.duration_minutes == 90
    assert meeting.time_zone == "America/New_York"
    assert [item.text for item in meeting.agenda.all()] == ["Review test results", "Decide"]
    assert meeting.uid.endswith("@tminus") and meeting.sequence == 0
    event = AuditEvent.objects.get(action="meeting.create")
    assert event.release_id == meeting.release_id
    assert event.after["start_time"] == "09:00:00"


def test_meeting_that_ends_before_it_starts_is_refused_with_the_times():
    release = make_release(template="patch")

    with pytest.raises(ValidationFailed, match=r"ends \(08:00\) before it starts \(09:00\)"):
        _create(release, end_time=time(8, 0))
    assert not release.meetings.exists()


def test_meeting_in_a_time_zone_that_does_not_exist_is_refused():
    release = make_release(template="patch")

    with pytest.raises(ValidationFailed, match="'Mars/Olympus_Mons' is not a time zone"):
        _create(release, time_zone="Mars/Olympus_Mons")
    with pytest.raises(ValidationFailed, match="not a time zone"):
        _create(release, time_zone="../../etc/passwd")
    assert not release.meetings.exists()


def test_meeting_update_to_end_before_start_is_refused_and_changes_nothing():
    meeting = _create(duration_minutes=45)

    with pytest.raises(ValidationFailed, match="before it starts"):
        services.meeting_update(meeting=meeting, revision=meeting.revision,
                                changes={"end_time": time(8, 59)}, actor=SYSTEM)

    meeting.refresh_from_db()
    assert meeting.duration_minutes == 45


def test_meeting_with_zero_duration_is_refused():
    with pytest.raises(ValidationFailed, match="at least one minute"):
        _create(duration_minutes=0)


def test_meeting_by_viewer_is_not_allowed(viewer):
    with pytest.raises(NotAllowed):
        services.meeting_create(release=make_release(template="patch"), title="x",
                                actor=Actor(viewer, "web"))


def test_major_release_gets_seed_003_training_plan_and_reviews_at_offsets_from_go_live():
    release = make_release(template="major", go_live=GO_LIVE)

    meetings = {m.title: m for m in release.meetings.all()}

    admin = meetings["Admin training"]
    assert (admin.kind, admin.duration_minutes, admin.date) == (
        "training", 120, GO_LIVE - timedelta(days=14))
    assert admin.audience == "System administrators, managers"
    assert "User permission setup" in admin.topics
    assert meetings["User training - session 1"].duration_minutes == 90
    assert meetings["Support training"].duration_minutes == 60
    week_one = meetings["Week 1 review meeting"]
    assert week_one.date == GO_LIVE + timedelta(days=7)
    assert [a.role for a in week_one.attendees.all()] == [
        "Project Manager", "Technical Lead", "Product Owner", "Support Lead"]
    assert week_one.agenda.count() == 7
    assert meetings["Monthly review meeting"].date == GO_LIVE + timedelta(days=30)


def test_template_meeting_dates_follow_go_live_and_a_date_set_by_hand_stays():
    release = make_release(template="major", go_live=GO_LIVE)
    pinned = release.meetings.get(title="Support training")
    services.meeting_update(meeting=pinned, revision=pinned.revision,
                            changes={"date": date(2026, 4, 1)}, actor=SYSTEM)

    release_schedule_shift(release=release, go_live=GO_LIVE + timedelta(days=7), actor=SYSTEM)

    pinned.refresh_from_db()
    admin = release.meetings.get(title="Admin training")
    assert admin.date == GO_LIVE + timedelta(days=7 - 14)
    assert pinned.date == date(2026, 4, 1)


def test_minor_release_gets_no_default_meetings():
    assert not make_release(template="minor").meetings.exists()


def test_feedback_records_a_rating_from_1_to_5_and_refuses_others():
    person = Person.objects.create(name="Pat", email="pat@example.com")
    meeting = _create(kind="training", attendees=[{"person": person}])
    attendee = meeting.attendees.get()

    services.meeting_feedback_record(attendee=attendee, rating=4, comment="Useful",
                                     actor=SYSTEM)
    for bad in (0, 6, "5"):
        with pytest.raises(ValidationFailed, match="from 1 to 5"):
            services.meeting_feedback_record(attendee=attendee, rating=bad, actor=SYSTEM)

    attendee.refresh_from_db()
    assert (attendee.feedback_rating, attendee.feedback_comment) == (4, "Useful")
    assert attendee.feedback_at is not None


def test_attendance_and_agenda_ticks_are_recorded():
    person = Person.objects.create(name="Pat", email="pat@example.com")
    meeting = _create(attendees=[{"person": person}], agenda=["Decide"])
    attendee, item = meeting.attendees.get(), meeting.agenda.get()

    services.meeting_attendance_set(attendee=attendee, attendance="attended", actor=SYSTEM)
    services.agenda_item_set(item=item, done=True, actor=SYSTEM)

    attendee.refresh_from_db()
    item.refresh_from_db()
    assert attendee.attendance == "attended"
    assert item.done and item.done_at is not None
    with pytest.raises(ValidationFailed, match="Unknown attendance"):
        services.meeting_attendance_set(attendee=attendee, attendance="late", actor=SYSTEM)


def test_attendee_needs_a_person_or_a_role_and_is_listed_once():
    person = Person.objects.create(name="Pat", email="pat@example.com")
    meeting = _create(attendees=[{"person": person}])

    with pytest.raises(ValidationFailed, match="either a person or a role"):
        services.meeting_attendee_add(meeting=meeting, actor=SYSTEM)
    with pytest.raises(ValidationFailed, match="already on the list"):
        services.meeting_attendee_add(meeting=meeting, person=person, actor=SYSTEM)


def test_notes_and_decisions_are_kept_and_a_held_meeting_is_not_cancelled_again():
    meeting = _create()

    services.meeting_update(meeting=meeting, revision=meeting.revision, actor=SYSTEM,
                            changes={"notes": "All green", "decisions": "Go",
                                     "status": "held"})
    meeting = Meeting.objects.get(pk=meeting.pk)

    assert (meeting.notes, meeting.decisions, meeting.status) == ("All green", "Go", "held")
    with pytest.raises(TransitionNotAllowed, match="only a scheduled meeting"):
        services.meeting_cancel(meeting=meeting, actor=SYSTEM)


def test_notes_change_after_invitations_sends_no_update():
    person = Person.objects.create(name="Pat", email="pat@example.com")
    meeting = _create(attendees=[{"person": person}])
    services.meeting_invitations_send(meeting=meeting, actor=SYSTEM)

    services.meeting_update(meeting=meeting, revision=None, changes={"notes": "minutes"},
                            actor=SYSTEM)

    meeting.refresh_from_db()
    assert meeting.sequence == 0
    assert meeting.invitations.count() == 1

"""Invitations as calendar clients see them: sent over real SMTP, parsed from the mail."""

from datetime import date, time, timedelta

import pytest
from django.utils import timezone

from tests.factories import make_release
from tminus.core.actors import Actor
from tminus.core.errors import ValidationFailed
from tminus.meetings import services
from tminus.meetings.choices import InvitationStatus
from tminus.meetings.models import Invitation
from tminus.people.models import Person
from tminus.releases.services import release_schedule_shift
from tminus.worker.models import Job, Schedule

pytestmark = pytest.mark.django_db
SYSTEM = Actor.cli()


@pytest.fixture
def people():
    return {
        "ann": Person.objects.create(name="Ann Organiser", email="ann@example.com"),
        "bo": Person.objects.create(name="Bo Tester", email="bo@example.com"),
        "cy": Person.objects.create(name="Cy Trainee", email="cy@example.com"),
        "dee": Person.objects.create(name="Dee Without Mail"),
    }


def _meeting(people, **changes):
    release = make_release(template="patch")
    values = {"title": "UAT session 1", "kind": "uat", "date": date(2026, 3, 2),
              "start_time": time(10, 0), "end_time": time(12, 0), "time_zone": "Europe/Berlin",
              "location": "Room 4", "organiser": people["ann"],
              "agenda": ["Walk through the checklist", "Log issues"],
              "attendees": [{"person": people["bo"]}, {"person": people["cy"]}], **changes}
    return services.meeting_create(release=release, actor=SYSTEM, **values)


def test_invitation_create_update_cancel_reach_attendees_with_one_uid_and_rising_sequence(
        smtp_server, work, people):
    meeting = _meeting(people)

    services.meeting_invitations_send(meeting=meeting, actor=SYSTEM)
    work()
    services.meeting_update(meeting=meeting, revision=None,
                            changes={"start_time": time(14, 0), "end_time": time(15, 30)},
                            actor=SYSTEM)
    work()
    services.meeting_cancel(meeting=meeting, reason="vendor slipped", actor=SYSTEM)
    work()

    invites = smtp_server.invites_to("bo@example.com")
    assert [(i.method, i.part_method, i.sequence) for i in invites] == [
        ("REQUEST", "REQUEST", 0), ("REQUEST", "REQUEST", 1), ("CANCEL", "CANCEL", 2)]
    assert {i.uid for i in invites} == {meeting.uid}
    assert len(smtp_server.invites_to("cy@example.com")) == 3
    assert invites[0].mail["Subject"].startswith("Invitation: UAT session 1")
    assert invites[2].mail["Subject"].startswith("Cancelled: UAT session 1")
    assert str(invites[2].event["STATUS"]) == "CANCELLED"


def test_invitation_carries_dtstart_with_tzid_organizer_and_attendees(smtp_server, work,
                                                                     people):
    meeting = _meeting(people)

    services.meeting_invitations_send(meeting=meeting, actor=SYSTEM)
    work()

    invite = smtp_server.invites_to("bo@example.com")[0]
    assert "DTSTART;TZID=Europe/Berlin:20260302T100000" in invite.raw
    assert "DTEND;TZID=Europe/Berlin:20260302T120000" in invite.raw
    assert "BEGIN:VTIMEZONE" in invite.raw
    assert str(invite.event["ORGANIZER"]) == "mailto:ann@example.com"
    assert sorted(invite.attendees) == ["bo@example.com", "cy@example.com"]
    assert invite.event.decoded("DTSTART").utcoffset() == timedelta(hours=1)
    assert "Walk through the checklist" in str(invite.event["DESCRIPTION"])
    filenames = [part.get_filename() for part in invite.mail.walk()]
    assert "invite.ics" in filenames


def test_invitations_send_with_an_attendee_without_address_is_refused_and_sends_nothing(
        smtp_server, work, people):
    meeting = _meeting(people, attendees=[{"person": people["bo"]}, {"person": people["dee"]}])

    with pytest.raises(ValidationFailed, match="No email address for Dee Without Mail"):
        services.meeting_invitations_send(meeting=meeting, actor=SYSTEM)
    work()

    assert not Invitation.objects.exists()
    assert not smtp_server.mails
    meeting.refresh_from_db()
    assert meeting.invitations_sent_at is None


def test_attendee_added_after_invitations_gets_one_and_one_without_address_is_refused(
        smtp_server, work, people):
    meeting = _meeting(people, attendees=[{"person": people["bo"]}])
    services.meeting_invitations_send(meeting=meeting, actor=SYSTEM)

    services.meeting_attendee_add(meeting=meeting, person=people["cy"], actor=SYSTEM)
    with pytest.raises(ValidationFailed, match="No email address for Dee"):
        services.meeting_attendee_add(meeting=meeting, person=people["dee"], actor=SYSTEM)
    work()

    assert [i.sequence for i in smtp_server.invites_to("cy@example.com")] == [0]
    assert meeting.attendees.count() == 2


def test_attendee_removed_after_invitations_gets_a_cancellation(smtp_server, work, people):
    meeting = _meeting(people)
    services.meeting_invitations_send(meeting=meeting, actor=SYSTEM)
    work()

    services.meeting_attendee_remove(attendee=meeting.attendees.get(person=people["cy"]),
                                     actor=SYSTEM)
    work()

    last = smtp_server.invites_to("cy@example.com")[-1]
    assert (last.method, last.sequence, last.uid) == ("CANCEL", 1, meeting.uid)
    assert len(smtp_server.invites_to("bo@example.com")) == 1


def test_role_attendee_is_invited_through_the_people_named_for_the_role(smtp_server, work,
                                                                        people):
    from tminus.people.models import Stakeholder

    meeting = _meeting(people, attendees=[{"role": "Support Lead"}])
    Stakeholder.objects.create(release=meeting.release, person=people["bo"],
                               role="customer_support")

    services.meeting_invitations_send(meeting=meeting, actor=SYSTEM)
    work()

    assert smtp_server.invites_to("bo@example.com")[0].method == "REQUEST"


def test_role_attendee_nobody_is_named_for_is_refused_for_an_invite(smtp_server, people):
    meeting = _meeting(people, attendees=[{"role": "Product Owner"}])

    with pytest.raises(ValidationFailed, match="No email address for Product Owner"):
        services.meeting_invitations_send(meeting=meeting, actor=SYSTEM)


def test_failed_send_keeps_the_invitation_and_the_worker_retries_it(settings, smtp_server,
                                                                    work, people):
    meeting = _meeting(people, attendees=[{"person": people["bo"]}])
    working_port = settings.EMAIL_PORT
    settings.EMAIL_PORT = 1  # nothing listens there: the send fails

    services.meeting_invitations_send(meeting=meeting, actor=SYSTEM)
    work()

    invitation = Invitation.objects.get()
    assert invitation.status == InvitationStatus.FAILED
    assert invitation.attempts == 1 and invitation.last_error
    job = Job.objects.get(kind="meetings.invitation_send")
    assert job.status == Job.PENDING and job.attempts == 1

    settings.EMAIL_PORT = working_port
    Job.objects.filter(pk=job.pk).update(run_at=job.created_at)  # the back-off has passed
    work()

    invitation.refresh_from_db()
    assert invitation.status == InvitationStatus.SENT and invitation.last_error == ""
    assert len(smtp_server.invites_to("bo@example.com")) == 1


def test_sending_invitations_twice_queues_each_job_once_and_sends_the_latest(smtp_server,
                                                                           work, people):
    meeting = _meeting(people, attendees=[{"person": people["bo"]}])

    services.meeting_invitations_send(meeting=meeting, actor=SYSTEM)
    services.meeting_invitations_send(meeting=meeting, actor=SYSTEM)
    work()

    statuses = sorted(Invitation.objects.values_list("status", flat=True))
    assert statuses == [InvitationStatus.SENT, InvitationStatus.SUPERSEDED]
    assert len(smtp_server.invites_to("bo@example.com")) == 1


def test_go_live_move_sends_an_update_for_an_invited_meeting_that_follows_it(smtp_server, work,
                                                                            people):
    release = make_release(template="major", go_live=date(2026, 6, 1))
    review = release.meetings.get(title="Week 1 review meeting")
    services.meeting_attendee_add(meeting=review, person=people["bo"], actor=SYSTEM)
    review.attendees.filter(person__isnull=True).delete()  # roles nobody is named for
    services.meeting_invitations_send(meeting=review, actor=SYSTEM)
    work()

    release_schedule_shift(release=release, go_live=date(2026, 6, 8), actor=SYSTEM)
    Schedule.objects.filter(name="meetings.follow_go_live").update(next_run_at=timezone.now())
    work()

    invites = smtp_server.invites_to("bo@example.com")
    assert [i.sequence for i in invites] == [0, 1]
    assert invites[1].event.decoded("DTSTART").date() == date(2026, 6, 15)


def test_date_changed_by_hand_after_invitations_sends_one_update_only(smtp_server, work,
                                                                     people):
    meeting = _meeting(people, attendees=[{"person": people["bo"]}])
    services.meeting_invitations_send(meeting=meeting, actor=SYSTEM)
    work()

    services.meeting_update(meeting=meeting, revision=None, changes={"date": date(2026, 3, 4)},
                            actor=SYSTEM)
    Schedule.objects.filter(name="meetings.follow_go_live").update(next_run_at=timezone.now())
    work()

    assert [i.sequence for i in smtp_server.invites_to("bo@example.com")] == [0, 1]
    with pytest.raises(ValidationFailed, match="keeps a date and time"):
        services.meeting_update(meeting=meeting, revision=None, changes={"date": None},
                                actor=SYSTEM)

from datetime import date, time

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from tests.factories import make_release
from tminus.core.actors import Actor
from tminus.meetings import services
from tminus.meetings.models import Invitation
from tminus.people.models import Person

pytestmark = pytest.mark.django_db


def _meeting(person):
    return services.meeting_create(
        release=make_release(template="patch"), title="Support training", kind="training",
        date=date(2026, 3, 9), start_time=time(13, 30), time_zone="Australia/Sydney",
        attendees=[{"person": person}], actor=Actor.cli())


def test_meetings_list_command_prints_when_in_the_meeting_time_zone(capsys):
    meeting = _meeting(Person.objects.create(name="Bo", email="bo@example.com"))

    call_command("meetings", "list", meeting.release.key)

    assert "2026-03-09 13:30 Australia/Sydney\tSupport training" in capsys.readouterr().out


def test_meetings_invite_command_queues_an_invitation_per_attendee(capsys):
    meeting = _meeting(Person.objects.create(name="Bo", email="bo@example.com"))

    call_command("meetings", "invite", str(meeting.pk))

    assert "1 invitation(s) queued: bo@example.com" in capsys.readouterr().out
    assert Invitation.objects.get().method == "REQUEST"


def test_meetings_invite_command_with_attendee_without_address_fails_cleanly():
    meeting = _meeting(Person.objects.create(name="No Mail"))

    with pytest.raises(CommandError, match="No email address for No Mail"):
        call_command("meetings", "invite", str(meeting.pk))
    assert not Invitation.objects.exists()


def test_meetings_cancel_command_cancels_and_a_second_cancel_is_refused(capsys):
    meeting = _meeting(Person.objects.create(name="Bo", email="bo@example.com"))

    call_command("meetings", "cancel", str(meeting.pk), "--reason", "trainer ill")

    meeting.refresh_from_db()
    assert meeting.status == "cancelled"
    with pytest.raises(CommandError, match="only a scheduled meeting"):
        call_command("meetings", "cancel", str(meeting.pk))

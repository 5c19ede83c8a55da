"""Demo meetings on layby-1.0: seed 003's training sessions with trainers, attendees and
feedback, and a UAT session."""

from datetime import time, timedelta

from django.utils import timezone

from tminus.core.actors import Actor
from tminus.meetings import services
from tminus.meetings.choices import Attendance
from tminus.people.models import Person
from tminus.releases.models import Release

_PEOPLE = [("Priya Shah", "priya.shah@example.com", "Trainer"),
           ("Tom Berg", "tom.berg@example.com", "Store manager"),
           ("Ana Costa", "ana.costa@example.com", "Sales associate"),
           ("Liam Wong", "liam.wong@example.com", "Support agent")]


def _person(name: str, email: str, title: str) -> Person:
    from tminus.people.services import person_create

    person = Person.objects.filter(email=email).first()
    return person or person_create(name=name, email=email, title=title, actor=Actor.cli())


def load() -> None:
    release = Release.objects.filter(key="layby-1.0").first()
    if release is None:
        return
    actor = Actor.cli()
    trainer, *learners = [_person(*spec) for spec in _PEOPLE]
    for meeting in release.meetings.filter(kind="training"):
        services.meeting_update(meeting=meeting, revision=meeting.revision,
                                changes={"trainer": trainer, "organiser": trainer,
                                         "location": "Training room 2"}, actor=actor)
        for person in learners:
            services.meeting_attendee_add(meeting=meeting, person=person, actor=actor)
    _uat_session(release, trainer, learners, actor)


def _uat_session(release, organiser, testers, actor) -> None:
    day = timezone.localdate() - timedelta(days=1)
    meeting = services.meeting_create(
        release=release, kind="uat", title="UAT session 1", date=day, start_time=time(9, 30),
        duration_minutes=120, location="Pilot store, back office", organiser=organiser,
        agenda=["Walk through the UAT checklist", "Log issues found",
                "Agree on re-test dates"],
        attendees=[{"person": person} for person in testers], actor=actor)
    for index, attendee in enumerate(meeting.attendees.all()):
        services.meeting_attendance_set(attendee=attendee, attendance=Attendance.ATTENDED,
                                        actor=actor)
        services.meeting_feedback_record(attendee=attendee, rating=4 + index % 2,
                                         comment="Clear session.", actor=actor)
    for item in meeting.agenda.all()[:2]:
        services.agenda_item_set(item=item, done=True, actor=actor)
    services.meeting_update(meeting=meeting, revision=None, changes={
        "status": "held", "notes": "Automation page failed to schedule reminders.",
        "decisions": "Fix reminders before UAT session 2; re-test cancellation refunds."},
        actor=actor)

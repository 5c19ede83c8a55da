from datetime import date, time, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from tests.conftest import signed_in
from tests.factories import make_release
from tests.support.edit_rules import assert_edit_rules_hold
from tminus.core.actors import Actor
from tminus.meetings import services
from tminus.meetings.models import Meeting
from tminus.people.models import Person

pytestmark = pytest.mark.django_db
SYSTEM = Actor.cli()


def _payload(**changes):
    return {"title": "UAT session 2", "kind": "uat", "date": "2026-03-03",
            "start_time": "09:00", "end_time": "11:00", "time_zone": "Europe/London",
            "agenda": ["Retest fixes"], **changes}


def test_meeting_api_creates_with_attendees_and_lists_them(api_as, contributor, viewer):
    release = make_release(template="patch")
    person = Person.objects.create(name="Bo", email="bo@example.com")

    created = api_as(contributor).post(f"/api/v1/releases/{release.key}/meetings", _payload(
        attendees=[{"person_id": person.pk}, {"role": "QA Lead", "required": False}]))
    listed = api_as(viewer).get(f"/api/v1/releases/{release.key}/meetings").json()

    assert created.status_code == 201, created.content
    body = created.json()
    assert body["duration_minutes"] == 120
    assert body["starts_at"].startswith("2026-03-03T09:00:00Z") or \
        body["starts_at"].startswith("2026-03-03T09:00:00+00:00")
    assert [a["name"] for a in body["attendees"]] == ["Bo", "QA Lead"]
    assert [m["title"] for m in listed] == ["UAT session 2"]
    assert listed[0]["attendee_count"] == 2


@pytest.mark.parametrize(("changes", "field", "message"), [
    ({"end_time": "08:30"}, "end_time", "before it starts"),
    ({"time_zone": "Atlantis/Capital"}, "time_zone", "not a time zone"),
    ({"link": "meet.example.com"}, "link", "http"),
])
def test_meeting_api_refuses_bad_input_with_422_and_creates_nothing(api_as, contributor,
                                                                   changes, field, message):
    release = make_release(template="patch")

    response = api_as(contributor).post(f"/api/v1/releases/{release.key}/meetings",
                                        _payload(**changes))

    assert response.status_code == 422
    assert message in " ".join(response.json()["errors"][field])
    assert not Meeting.objects.filter(release=release).exists()


def test_meeting_api_invitations_for_attendee_without_address_answers_422(api_as, contributor):
    release = make_release(template="patch")
    person = Person.objects.create(name="No Mail")
    meeting = api_as(contributor).post(f"/api/v1/releases/{release.key}/meetings",
                                       _payload(attendees=[{"person_id": person.pk}])).json()

    response = api_as(contributor).post(f"/api/v1/meetings/{meeting['id']}/invitations")

    assert response.status_code == 422
    assert "No email address for No Mail" in response.json()["detail"]


def test_meeting_api_feedback_and_attendance_on_an_attendee(api_as, contributor):
    release = make_release(template="patch")
    person = Person.objects.create(name="Bo", email="bo@example.com")
    meeting = services.meeting_create(release=release, title="Training", kind="training",
                                      attendees=[{"person": person}], actor=SYSTEM)
    attendee = meeting.attendees.get()
    api = api_as(contributor)

    ok = api.patch(f"/api/v1/meeting-attendees/{attendee.pk}",
                   {"attendance": "attended", "feedback_rating": 5, "feedback_comment": "Great"})
    bad = api.patch(f"/api/v1/meeting-attendees/{attendee.pk}", {"feedback_rating": 9})

    assert ok.status_code == 200
    assert (ok.json()["attendance"], ok.json()["feedback_rating"]) == ("attended", 5)
    assert bad.status_code == 422


def test_meeting_api_cancel_by_viewer_is_forbidden(api_as, viewer):
    release = make_release(template="patch")
    meeting = services.meeting_create(release=release, title="Retro", actor=SYSTEM)

    response = api_as(viewer).post(f"/api/v1/meetings/{meeting.pk}/cancel", {})

    assert response.status_code == 403
    meeting.refresh_from_db()
    assert meeting.status == "scheduled"


def _queries(client, url) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


def _add_meetings(release, count, first=0):
    for number in range(first, first + count):
        meeting = services.meeting_create(release=release, title=f"Session {number}",
                                          date=timezone.localdate() + timedelta(days=number),
                                          start_time=time(10), actor=SYSTEM)
        services.meeting_attendee_add(meeting=meeting, role="QA", actor=SYSTEM)


@pytest.mark.parametrize("path", ["/releases/{key}/meetings/", "/meetings/",
                                  "/api/v1/releases/{key}/meetings"])
def test_meeting_lists_run_the_same_queries_for_2_or_20_meetings(viewer, path):
    release = make_release(template="patch")
    client, url = signed_in(viewer), path.format(key=release.key)
    _add_meetings(release, 2)
    few = _queries(client, url)

    _add_meetings(release, 18, first=2)

    assert _queries(client, url) == few
    assert "Session 19" in client.get(url).content.decode()


def test_meeting_page_shows_agenda_attendees_without_address_and_ics_download(contributor):
    release = make_release(template="patch")
    person = Person.objects.create(name="No Mail")
    meeting = services.meeting_create(release=release, title="Go/no-go", kind="go_no_go",
                                      date=date(2026, 3, 5), start_time=time(16),
                                      time_zone="Asia/Tokyo", agenda=["Read the report"],
                                      attendees=[{"person": person}], actor=SYSTEM)
    client = signed_in(contributor)

    page = client.get(f"/releases/{release.key}/meetings/{meeting.pk}/").content.decode()
    ics = client.get(f"/releases/{release.key}/meetings/{meeting.pk}/invite.ics")

    assert "Read the report" in page and "no address" in page
    assert ics["Content-Type"].startswith("text/calendar")
    assert b"DTSTART;TZID=Asia/Tokyo:20260305T160000" in ics.content


def test_meeting_form_with_unknown_time_zone_shows_the_reason(contributor):
    release = make_release(template="patch")

    response = signed_in(contributor).post(f"/releases/{release.key}/meetings/new", {
        "kind": "training", "title": "Admin training", "date": "2026-03-01",
        "start_time": "10:00", "time_zone": "Europe/Atlantis"})

    assert response.status_code == 422
    assert "is not a time zone" in response.content.decode()
    assert not Meeting.objects.filter(release=release).exists()


def test_invite_button_with_attendee_without_address_flashes_the_refusal(contributor):
    release = make_release(template="patch")
    person = Person.objects.create(name="No Mail")
    meeting = services.meeting_create(release=release, title="Review", date=date(2026, 3, 5),
                                      start_time=time(9), attendees=[{"person": person}],
                                      actor=SYSTEM)
    client = signed_in(contributor)

    response = client.post(f"/releases/{release.key}/meetings/{meeting.pk}/invitations",
                           follow=True)

    assert "No email address for No Mail" in response.content.decode()
    assert not meeting.invitations.exists()


def test_edit_page_change_of_time_after_invitations_queues_an_update(contributor):
    release = make_release(template="patch")
    person = Person.objects.create(name="Bo", email="bo@example.com")
    meeting = services.meeting_create(release=release, title="Review", date=date(2026, 3, 5),
                                      start_time=time(9), time_zone="Europe/Paris",
                                      attendees=[{"person": person}], actor=SYSTEM)
    services.meeting_invitations_send(meeting=meeting, actor=SYSTEM)
    url = f"/releases/{release.key}/meetings/{meeting.pk}/edit"
    client = signed_in(contributor)
    form = client.get(url).context["form"]
    data = {name: value for name, value in form.initial.items() if value is not None}
    data.update({"start_time": "11:00", "organiser": "", "trainer": ""})

    response = client.post(url, data)

    assert response.status_code == 302, response.content.decode()[-2000:]
    meeting.refresh_from_db()
    assert (meeting.start_time, meeting.sequence) == (time(11), 1)
    assert list(meeting.invitations.values_list("sequence", flat=True).order_by("id")) == [0, 1]


def test_meeting_api_patch_keeps_the_edit_rules_and_changes_nothing(api_as, contributor):
    release = make_release(template="patch")
    api = api_as(contributor)
    created = api.post(f"/api/v1/releases/{release.key}/meetings",
                       _payload(location="Room 4")).json()

    assert_edit_rules_hold(api, f"/api/v1/meetings/{created['id']}",
                           revision=created["revision"], null_field="location",
                           change={"title": "Moved"})

    meeting = Meeting.objects.get(pk=created["id"])
    assert (meeting.location, meeting.title, meeting.revision) == (
        "Room 4", "UAT session 2", created["revision"])

"""Meetings mapper: the training schedule and sessions and the review meetings of seed 003
become meetings with agendas and attendees; the export writes their live state back."""

from datetime import date, time

import pytest

from tests.plans.helpers import import_plan, missing_lines, seed, seed_part
from tminus.core.actors import Actor
from tminus.plans.exporting import export_markdown, plan_as_code
from tminus.releases.models import Release

pytestmark = pytest.mark.django_db
CLI = Actor.cli()


def _imported(text: str, **kwargs) -> Release:
    return Release.objects.get(key=import_plan(text.encode(), **kwargs).release_key)


def test_seed_003_training_schedule_and_sessions_become_training_meetings():
    release = _imported(seed("003").read_text())

    training = {m.title: (m.duration_minutes, m.audience) for m in
                release.meetings.filter(kind="training")}
    assert set(training) == {"Admin Training", "User Training - Session 1",
                             "User Training - Session 2", "Support Training"}
    assert training["Admin Training"] == (120, "System administrators, managers")
    assert training["User Training - Session 2"][0] == 90
    admin = release.meetings.get(title="Admin Training")
    assert admin.topics.splitlines()[0] == "Overview of layby management"


def test_seed_003_review_meeting_has_its_agenda_attendees_and_a_date_after_go_live():
    release = _imported(seed("003").read_text())

    meeting = release.meetings.get(title="Week 1 Review Meeting")
    assert (meeting.kind, meeting.date_offset) == ("review", 7)
    assert meeting.agenda.count() == 7
    assert [a.role for a in meeting.attendees.all()] == [
        "Project Manager", "Technical Lead", "Product Owner", "Support Lead"]
    assert not release.checklist_sections.filter(title="Week 1 Review Meeting").exists()


def test_review_meeting_held_in_t_minus_shows_date_ticked_agenda_and_notes():
    from tminus.meetings import services

    text = seed_part("003", "#### Week 1 Review Meeting")
    release = _imported(text)
    meeting = release.meetings.get()
    services.meeting_update(meeting=meeting, revision=None, actor=CLI, changes={
        "date": date(2027, 3, 8), "start_time": time(10, 0), "notes": "Adoption on track."})
    services.agenda_item_set(item=meeting.agenda.get(text="Gather user feedback"), done=True,
                             actor=CLI)

    exported = export_markdown(release)

    assert "**Date**: 2027-03-08 **Time**: 10:00" in exported
    assert "- [x] Gather user feedback" in exported
    assert "- [ ] Plan next steps" in exported
    assert "**Meeting Notes**: Adoption on track." in exported
    week = plan_as_code(release)["meetings"][0]
    assert {"text": "Gather user feedback", "done": True, "status": "done"} in week["agenda"]


def test_training_row_filled_in_t_minus_is_rewritten_and_reimport_changes_nothing():
    from tminus.meetings import services

    text = seed_part("003", "#### Training Execution")
    release = _imported(text, key="training")
    meeting = release.meetings.get(title="Support Training")
    services.meeting_update(meeting=meeting, revision=None, actor=CLI,
                            changes={"date": date(2027, 2, 15), "start_time": time(14, 30)})

    exported = export_markdown(release)

    assert "| Support Training | 2027-02-15 | 14:30 |  |  |" in exported
    assert missing_lines(text, export_markdown(_imported(text))) == []
    assert import_plan(text.encode(), key="training").report["changes"] == []

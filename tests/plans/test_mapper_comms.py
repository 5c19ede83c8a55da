"""Comms mapper: seed 003's stakeholder communication schedule and email templates become
planned messages; the export ticks a message once it went out."""

import pytest

from tests.plans.helpers import import_plan, missing_lines, seed_part
from tminus.core.actors import Actor
from tminus.plans.exporting import export_markdown, plan_as_code
from tminus.releases.models import Release

pytestmark = pytest.mark.django_db
CLI = Actor.cli()
PLAN = seed_part("003", "## Communication Plan")


def _imported(text: str = PLAN, **kwargs) -> Release:
    return Release.objects.get(key=import_plan(text.encode(), **kwargs).release_key)


def test_seed_003_schedule_becomes_messages_at_their_offsets_and_events():
    release = _imported()

    timing = {m.subject: (m.send_offset, m.event) for m in release.messages.all()}
    assert timing["Go-live date confirmed"] == (-14, "")
    assert timing["First week going well"] == (3, "")
    assert timing["Success story"] == (90, "")
    starting = release.messages.get(subject="Deployment starting")
    assert (starting.send_offset, starting.send_time.hour) == (0, 9)
    assert "stakeholders:operations" in starting.audience
    assert release.messages.count() == 11
    assert missing_lines(PLAN, export_markdown(release)) == []


def test_seed_003_email_templates_give_their_stage_message_its_subject_and_body():
    release = _imported()

    pre = release.messages.get(name__startswith='"Feature coming soon"')
    assert pre.subject == "New Feature: Layby Management - Coming [Date]"
    assert pre.body.startswith("Dear [User],\n\nWe're excited to announce")
    live = release.messages.get(subject="Layby Management is Now Live! 🎉")
    assert (live.trigger, live.event) == ("event", "deployment.finished")


def test_message_sent_in_t_minus_is_ticked_and_an_edited_template_is_rewritten():
    from tminus.comms import services
    from tminus.people.services import person_create, stakeholder_add

    release = _imported()
    stakeholder_add(release=release, role="qa", actor=CLI,
                    person=person_create(name="Ana Ruiz", email="ana@example.com", actor=CLI))
    services.message_send_now(message=release.messages.get(subject="Go-live date confirmed"),
                              actor=CLI)
    pre = release.messages.get(name__startswith='"Feature coming soon"')
    services.message_update(message=pre, revision=None, actor=CLI,
                            changes={"body": "Dear [User],\n\nIt is coming."})

    exported = export_markdown(release)

    assert '- [x] 2 weeks before: "Go-live date confirmed" notification' in exported
    assert '- [ ] 1 week before: "Final preparation" update' in exported
    assert ("```\nSubject: New Feature: Layby Management - Coming [Date]\n\nDear [User],\n\n"
            "It is coming.\n```") in exported
    assert any(entry["event"] == "deployment.finished"
               for entry in plan_as_code(release)["messages"])


def test_reimporting_the_communication_plan_changes_nothing():
    _imported(key="comms-plan")

    assert import_plan(PLAN.encode(), key="comms-plan").report["changes"] == []

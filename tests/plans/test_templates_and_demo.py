"""Built-in Markdown templates shaped after the seeds."""

from datetime import date, timedelta

import pytest

from tests.factories import make_release
from tminus.plans.exporting import export_markdown
from tminus.plans.markdown_templates import TEMPLATES
from tminus.plans.models import PlanDocument
from tminus.releases.models import Release
from tminus.releases.template_catalog import template_catalog
from tminus.releases.templating import template_definition

pytestmark = pytest.mark.django_db
GO_LIVE = date(2027, 3, 1)


def test_template_definition_finds_every_markdown_template_by_key():
    for template in TEMPLATES:
        assert template_definition(template.key)["plans"] == {"markdown": template.filename}
    assert {t.key for t in TEMPLATES} <= {entry["key"] for entry in template_catalog()}


@pytest.mark.parametrize("key", [t.key for t in TEMPLATES])
def test_release_create_from_markdown_template_lays_out_parts_and_document(key):
    release = make_release(template=key, go_live=GO_LIVE)

    document = PlanDocument.objects.get(release=release)
    assert document.origin == "template"
    assert release.checklist_sections.exists() or release.phases.exists()
    exported = export_markdown(release)
    assert "T-0" not in exported.split("## ")[1]  # the overview shows the real go-live
    assert exported.startswith("#")


def test_feature_release_template_phases_follow_go_live_when_it_moves():
    from tminus.core.actors import Actor
    from tminus.releases import services

    release = make_release(template="feature-release-plan", go_live=GO_LIVE)
    development = release.phases.get(name="Development")
    assert (development.start_date, development.end_date) == (
        GO_LIVE - timedelta(days=56), GO_LIVE - timedelta(days=22))

    services.release_schedule_shift(release=release, go_live=GO_LIVE + timedelta(days=7),
                                    actor=Actor.cli())

    development.refresh_from_db()
    assert development.start_date == GO_LIVE - timedelta(days=49)
    assert "Release Date: 2027-03-08" in export_markdown(Release.objects.get(pk=release.pk))


def test_go_live_template_sections_are_due_weeks_before_go_live():
    release = make_release(template="go-live-plan", go_live=GO_LIVE)

    section = release.checklist_sections.get(title="Development Completion")
    assert section.group == "4 Weeks Before Go-Live"
    assert section.due_offset == -28
    assert section.due_date == GO_LIVE - timedelta(days=28)


def test_go_live_template_lays_out_its_own_meetings_messages_and_runbook_only_once():
    release = make_release(template="go-live-plan", go_live=GO_LIVE)

    titles = [title.lower() for title in release.meetings.values_list("title", flat=True)]
    assert len(titles) == len(set(titles)) == 6
    assert release.messages.count() == 11
    assert release.runbook.phases.first().name == "Phase 1: Database Migration"
    assert release.runbook.phases.count() == 4
    sections = list(release.checklist_sections.values_list("title", "group"))
    assert len(sections) == len(set(sections))
    assert "Phase 1: Database Migration" in export_markdown(release)


def test_template_without_an_areas_part_keeps_that_areas_defaults():
    release = make_release(template="release-train", go_live=GO_LIVE)

    assert release.runbook.phases.count() == 6  # the release train says nothing of deployment
    assert release.contingencies.exists()

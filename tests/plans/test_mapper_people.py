"""People mappers: support tiers and stakeholders/contacts become people records, and the
export shows them in the document's shape with live data."""

import pytest

from tests.plans.helpers import import_plan, missing_lines, seed_part
from tminus.core.actors import Actor
from tminus.plans.exporting import export_markdown, plan_as_code
from tminus.releases.models import Release

pytestmark = pytest.mark.django_db
CLI = Actor.cli()


def _imported(number: str, heading: str) -> tuple[Release, str]:
    text = seed_part(number, heading)
    return Release.objects.get(key=import_plan(text.encode()).release_key), text


def test_seed_003_support_procedures_become_three_tiers_with_targets():
    release, text = _imported("003", "#### Support Procedures")

    tiers = {t.level: (t.name, t.response_minutes, t.resolution_minutes, t.handles_list)
             for t in release.support_tiers.all()}
    assert tiers[1] == ("First Line", 240, 1440, ["Basic usage questions", "Navigation help",
                                                  "Permission issues", "Password resets"])
    assert tiers[2][1:3] == (120, 2880)
    third = release.support_tiers.get(level=3)
    assert (third.resolution_minutes, third.resolution_note) == (
        10080, "Immediate (critical), < 1 week (non-critical)")
    assert missing_lines(text, export_markdown(release)) == []


def test_support_tier_changed_in_t_minus_is_rewritten_in_place():
    from tminus.people.services import support_tier_update

    release, _text = _imported("003", "#### Support Procedures")
    tier = release.support_tiers.get(level=2)
    support_tier_update(tier=tier, revision=None, actor=CLI, changes={
        "response_minutes": 60, "handles": "Payment recording issues\nRefunds"})

    exported = export_markdown(release)

    block = exported[exported.index("**Tier 2 Support** (Technical):"):]
    assert block.splitlines()[1:6] == ["- Payment recording issues", "- Refunds", "",
                                       "**Response Time**: < 1 hour",
                                       "**Resolution Time**: < 48 hours"]
    assert "- Calculation errors" not in exported
    assert {"level": 2, "name": "Technical", "handles": ["Payment recording issues", "Refunds"],
            "response": "1h", "resolution": "2d", "resolution_note": ""} in plan_as_code(
        release)["support_tiers"]


def test_seed_002_stakeholder_roles_become_stakeholders_with_their_responsibility():
    release, text = _imported("002", "#### 4. **Coordinate with Stakeholders**")

    found = {(s.person.name, s.role): s.responsible_for
             for s in release.stakeholders.select_related("person")}
    assert found[("QA Team", "qa")] == ("Conducts functional, performance, and regression "
                                        "testing.")
    assert ("Operations Team", "operations") in found and len(found) == 5
    assert missing_lines(text, export_markdown(release)) == []


def test_stakeholder_named_in_t_minus_fills_the_blank_contact_row_and_role_line():
    from tminus.people.services import person_create, stakeholder_add

    release, _text = _imported("003", "## Appendix")
    ana = person_create(name="Ana Ruiz", title="QA Lead", email="ana@example.com",
                        phone="555-0100", actor=CLI)
    stakeholder_add(release=release, person=ana, role="qa", actor=CLI)

    exported = export_markdown(release)

    assert "| QA Lead | Ana Ruiz | ana@example.com | 555-0100 |" in exported
    assert "| DevOps Lead | | | |" in exported
    assert "## Added in T-Minus" not in exported


def test_contact_table_row_with_a_name_becomes_a_stakeholder_and_person():
    text = ("# Launch plan\n\n## Key Contacts\n\n| Role | Name | Email | Phone |\n"
            "|---|---|---|---|\n| Product Owner | Li Wei | li@example.com | 555-0101 |\n"
            "| QA Lead | | | |\n\nDeployment Lead: Sam Okoro\n")
    release = Release.objects.get(key=import_plan(text.encode()).release_key)

    found = {(s.person.name, s.person.email, s.role) for s in
             release.stakeholders.select_related("person")}
    assert found == {("Li Wei", "li@example.com", "product"), ("Sam Okoro", "", "operations")}
    assert missing_lines(text, export_markdown(release)) == []
    again = import_plan(text.encode(), key=release.key)
    assert again.report["changes"] == []


def test_seed_003_items_stated_as_done_name_no_owner_and_no_people():
    # "Training materials prepared", "UAT testers identified", "Critical and high-priority
    # issues resolved": a noun phrase and its past participle, not a party doing something.
    release, _text = _imported("003", "### 4 Weeks Before Go-Live")

    owners = {i.text: (i.owner, i.responsible) for i in release.checklist_items.all()}
    assert owners["Training materials prepared"] == (None, "")
    assert owners["Video tutorials created (optional)"] == (None, "")
    assert owners["UAT testers identified and scheduled"] == (None, "")
    assert not release.stakeholders.exists()

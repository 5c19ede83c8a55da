"""Importing plans: what each seed becomes, warnings, and bad input that creates nothing."""
# ruff: noqa: RUF001 (the en dash is what plans are written with)

from datetime import date

import pytest

from tests.plans.helpers import import_plan, seed
from tminus.audit.models import AuditEvent
from tminus.core.actors import Actor
from tminus.core.errors import NotAllowed, ValidationFailed
from tminus.plans import services
from tminus.plans.decoding import MAX_BYTES
from tminus.plans.models import PendingImport, PlanDocument
from tminus.releases.models import ChecklistItem, Product, Release

pytestmark = pytest.mark.django_db


def _release(outcome) -> Release:
    return Release.objects.get(key=outcome.release_key)


def test_seed_000_overview_fields_scope_and_dated_phases_become_release_data():
    release = _release(import_plan(seed("000").read_bytes(), product="shop"))

    assert (release.name, release.version, release.release_type) == (
        "Create Order Feature v1.0", "v1.0", "major")
    assert release.go_live == date(2024, 12, 5)
    assert release.goal.startswith("To implement and deploy the Create Order feature")
    phases = {p.name: (p.start_date, p.end_date) for p in release.phases.all()}
    # Written without a year: the year the document states (its release date's).
    assert phases["Planning"] == (date(2024, 1, 2), date(2024, 1, 12))
    assert phases["Staging/Pre-Release"] == (date(2024, 3, 12), date(2024, 3, 19))
    assert phases["Production/Deployment"] == (date(2024, 3, 28), date(2024, 3, 28))
    assert phases["Post-Release"] == (date(2024, 3, 28), date(2024, 4, 10))
    development = release.phases.get(name="Development")
    assert development.description.splitlines()[0] == (
        "Design the user interface for the Create Order process.")
    scope = {(s.kind, s.title) for s in release.scope_items.all()}
    assert ("feature", "Create Order Flow") in scope
    assert any(kind == "known_issue" for kind, _title in scope)
    assert release.product.key == "shop"


def test_seed_001_is_repaired_and_emoji_statuses_become_scope_statuses():
    outcome = import_plan(seed("001").read_bytes())
    release = _release(outcome)

    statuses = {s.title: s.status for s in release.scope_items.all()}
    assert statuses["User authentication (Buyers, Sellers, Delivery Agents)"] == "done"
    assert set(statuses.values()) == {"done"}  # later releases of the train have the rest
    assert release.go_live == date(2026, 1, 15)
    assert any("Repaired broken encoding" in w["message"] for w in outcome.report["warnings"])
    source = PlanDocument.objects.get(release=release).source_text
    assert "â" not in source and "Dev → Staging → Production" in source


def test_seed_002_calendar_becomes_milestones_planning_start_and_go_live():
    release = _release(import_plan(seed("002").read_bytes()))

    milestones = {m.kind: m.date for m in release.milestones.all()}
    assert milestones["feature_freeze"] == date(2026, 11, 15)
    assert milestones["testing_complete"] == date(2026, 11, 22)
    assert release.planning_start == date(2026, 11, 1)
    assert release.go_live == date(2026, 11, 24)


def test_seed_003_checklists_keep_groups_state_and_due_offsets_with_a_warning_for_go_live():
    outcome = import_plan(seed("003").read_bytes())
    release = _release(outcome)

    section = release.checklist_sections.get(title="Development Completion")
    assert (section.group, section.due_offset) == ("4 Weeks Before Go-Live", -28)
    assert set(section.items.values_list("status", flat=True)) == {"done"}
    assert release.checklist_sections.get(title="Team Readiness").due_offset == 0
    assert release.checklist_sections.get(title="Daily Monitoring").due_offset == 7
    assert release.go_live is None
    messages = [w["message"] for w in outcome.report["warnings"]]
    assert any("'[To be determined]' cannot be read as a date" in m for m in messages)


def test_seed_004_nested_capital_x_items_keep_their_parent():
    release = _release(import_plan(seed("004").read_bytes()))

    child = ChecklistItem.objects.get(release=release,
                                      text="review the plan with your DEPO/OCTO representative.")
    assert child.status == "done"
    assert child.parent.text.startswith("Have a go/no go meeting with the team")


def test_unreadable_date_in_a_phase_heading_is_kept_as_text_with_a_warning():
    text = "# Plan\nRelease Date: 2026-05-01\n## Phases\n### Build (Jan 2M-12):\nwork\n"
    outcome = import_plan(text.encode())

    assert not _release(outcome).phases.exists()
    assert any("Could not read the dates 'Jan 2M-12'" in w["message"]
               for w in outcome.report["warnings"])


def test_missing_year_in_phase_is_the_year_of_the_release_date_of_the_document():
    text = "# Plan\nRelease Date: 2027-01-20\n### Hardening (Dec 28–Jan 10)\n"

    phase = _release(import_plan(text.encode())).phases.get()

    assert (phase.start_date, phase.end_date) == (date(2027, 12, 28), date(2028, 1, 10))


def test_missing_year_is_the_year_stated_nearest_before_the_date():
    text = ("# Plan\n## Summer 2023\n### Hardening (Jun 2–Jun 9)\n"
            "## Later: Jan 2025\n### Freeze (Jan 5–Jan 9)\n")

    phases = {p.name: p.start_date for p in _release(import_plan(text.encode())).phases.all()}

    assert phases == {"Hardening": date(2023, 6, 2), "Freeze": date(2025, 1, 5)}


@pytest.mark.parametrize(("data", "message"), [
    (b"", "empty"),
    (b"  \n\n\t\n", "empty"),
    (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "binary"),
    (b"\x81\x8d\x8f\x90 not utf-8 and not windows-1252", "not UTF-8"),
    (b"x" * (MAX_BYTES + 1), "at most 5 MB"),
    (b"just some words, nothing like a plan", "looks like a release plan"),
    (b"release:\n  name: [unclosed\n", "not valid YAML"),
])
def test_bad_input_is_refused_clearly_and_creates_nothing(data, message):
    name = "plan.yaml" if b"release:" in data else "plan.md"
    with pytest.raises(ValidationFailed) as refused:
        import_plan(data, name=name, product="new-product")

    assert message in refused.value.message
    assert not Product.objects.exists()
    assert not Release.objects.exists()
    assert not AuditEvent.objects.exists()


def test_windows_1252_file_is_read_with_a_warning():
    outcome = import_plan("# Release plan\nRelease Date: 2026-05-01\nCafé opening\n"
                          .encode("cp1252"))

    assert any("Windows-1252" in w["message"] for w in outcome.report["warnings"])
    assert "Café opening" in PlanDocument.objects.get().source_text


def test_import_is_one_transaction_a_failure_half_way_leaves_nothing(monkeypatch):
    from tminus.plans.mapping import release_apply

    def broken(ctx):
        raise ValidationFailed({"scope": "broken on purpose"})

    monkeypatch.setattr(release_apply, "apply_scope", broken)
    with pytest.raises(ValidationFailed):
        import_plan(seed("000").read_bytes(), product="shop")

    assert not Release.objects.exists() and not Product.objects.exists()


def test_import_by_a_viewer_is_refused(viewer):
    with pytest.raises(NotAllowed):
        import_plan(seed("000").read_bytes(), actor=Actor(viewer, "web"))
    assert not Release.objects.exists()


def test_import_with_existing_key_updates_the_release_instead_of_creating_one():
    first = import_plan(seed("000").read_bytes(), key="order-plan")
    changed = seed("000").read_text().replace("Release Date: 2024-12-05",
                                              "Release Date: 2024-12-12")

    second = import_plan(changed.encode(), key="order-plan")

    assert first.created and not second.created
    assert Release.objects.count() == 1
    assert Release.objects.get().go_live == date(2024, 12, 12)
    assert "moved go-live to 2024-12-12" in second.report["changes"]


def test_reimporting_the_same_document_changes_nothing():
    import_plan(seed("003").read_bytes(), key="layby-plan")
    events = AuditEvent.objects.count()

    again = import_plan(seed("003").read_bytes(), key="layby-plan")

    assert again.report["changes"] == []
    assert AuditEvent.objects.count() == events + 1  # only the import itself is recorded


def test_preview_reports_without_creating_and_commit_creates_once(manager):
    actor = Actor(manager, "web")
    pending = services.plan_import_preview(data=seed("000").read_bytes(), source_name="p.md",
                                           product_key="shop", actor=actor)

    assert not Release.objects.exists() and not Product.objects.exists()
    assert pending.report["summary"]["phases"] == 6
    assert any(line["kind"] == "phase" for line in pending.report["lines"])

    outcome = services.plan_import_commit(pending=pending, actor=actor)

    assert Release.objects.filter(key=outcome.release_key).exists()
    pending.refresh_from_db()
    assert pending.state == PendingImport.State.COMMITTED and pending.release is not None
    with pytest.raises(ValidationFailed):
        services.plan_import_commit(pending=pending, actor=actor)


def test_reimporting_a_document_without_a_key_updates_the_release_it_created():
    first = import_plan(seed("000").read_bytes(), product="shop")
    changed = seed("000").read_text().replace("Release Date: 2024-12-05",
                                              "Release Date: 2024-12-12")

    second = import_plan(changed.encode(), product="shop")
    elsewhere = import_plan(changed.encode(), product="food")

    assert second.release_key == first.release_key and not second.created
    assert second.report["changes"] == ["moved go-live to 2024-12-12"]
    assert elsewhere.created and elsewhere.release_key != first.release_key
    assert Release.objects.count() == 2


def test_document_naming_another_release_creates_a_new_one_even_after_a_rename():
    from tminus.releases import services as release_services

    first = _release(import_plan(seed("000").read_bytes(), product="shop"))
    release_services.release_update(release=first, revision=None, actor=Actor.cli(),
                                    changes={"name": "Create Order (renamed)"})
    again = import_plan(seed("000").read_bytes(), product="shop")
    other = seed("000").read_text().replace("Release Name/ID: Create Order Feature v1.0",
                                            "Release Name/ID: Cancel Order Feature v1.0")

    assert again.release_key == first.key
    assert import_plan(other.encode(), product="shop").created

"""Exports with live data: Markdown in the document's shape, plan as code, ICS, printable HTML."""
# ruff: noqa: RUF001 (the en dash is what plans are written with)

import json
from datetime import date

import pytest
import yaml

from tests.factories import make_release
from tests.plans.helpers import import_plan, missing_lines, seed, seed_part
from tminus.core.actors import Actor
from tminus.plans import exporting
from tminus.plans.printable import printable_html
from tminus.releases import services
from tminus.releases.models import ChecklistItem, Release
from tminus.roadmap.models import Cadence

pytestmark = pytest.mark.django_db
CLI = Actor.cli()


def _imported(number: str, **kwargs) -> Release:
    return Release.objects.get(key=import_plan(seed(number).read_bytes(), **kwargs).release_key)


def _tick(release, text, status="done", **changes):
    item = ChecklistItem.objects.get(release=release, text=text)
    return services.checklist_item_update(item=item, revision=None,
                                          changes={"status": status, **changes}, actor=CLI)


def test_ticking_an_item_shows_a_ticked_box_and_moves_the_section_status(manager):
    release = _imported("003")
    for text in ("User guide finalized", "Admin documentation complete"):
        _tick(release, text)
    _tick(release, "API documentation published", status="todo", owner=manager)

    exported = exporting.export_markdown(release)

    assert "- [x] User guide finalized" in exported
    assert "- [ ] API documentation published — @rita-manager" in exported
    assert ("**Responsible**: _____________ **Due Date**: _____________ **Status**: ☐"
            in exported)
    untick = ChecklistItem.objects.get(release=release, text="Code merged to main branch")
    services.checklist_item_update(item=untick, revision=None, changes={"status": "todo"},
                                   actor=CLI)
    assert "**Status**: Complete ☐ In Progress ☒ Not Started ☐" in exporting.export_markdown(
        release)


def test_section_owner_and_due_date_set_in_t_minus_fill_the_responsible_line(manager):
    release = Release.objects.get(key=import_plan(
        seed_part("003", "### 4 Weeks Before Go-Live").encode()).release_key)
    section = release.checklist_sections.get(title="Documentation")
    services.checklist_section_update(section=section, revision=None,
                                      changes={"owner": manager, "due_date": date(2027, 1, 4)},
                                      actor=CLI)

    exported = exporting.export_markdown(release)

    assert "**Responsible**: rita-manager **Due Date**: 2027-01-04 **Status**: ☐" in exported


def test_changed_release_fields_and_phase_dates_are_rewritten_in_the_documents_style():
    release = _imported("000")
    services.release_schedule_shift(release=release, go_live=date(2025, 4, 1), actor=CLI)
    phase = release.phases.get(name="Testing")
    services.phase_dates_set(phase=phase, start_date=date(2025, 3, 3),
                             end_date=date(2025, 3, 14), revision=None, actor=CLI)

    exported = exporting.export_markdown(Release.objects.get(pk=release.pk))

    assert "Release Date: 2025-04-01" in exported
    assert "### Testing (March 3–March 14):" in exported
    assert "### Development (Jan 12–Feb 28):" in exported  # unchanged lines stay as written


def test_parts_added_after_the_import_follow_under_added_in_t_minus():
    release = _imported("000")
    section = services.checklist_section_add(release=release, title="Launch party", actor=CLI)
    services.checklist_item_add(section=section, text="Cake ordered", actor=CLI)

    exported = exporting.export_markdown(release)

    assert exported.index("## Added in T-Minus") < exported.index("- [ ] Cake ordered")
    assert missing_lines(seed("000").read_text(), exported) == []


def test_items_added_to_an_imported_section_follow_its_last_items():
    release = _imported("004")
    section = release.checklist_sections.get()
    services.checklist_item_add(section=section, text="Toggle removed after launch", actor=CLI)

    exported = exporting.export_markdown(release)

    assert "  - [X] review the release plan with your team.\n- [ ] Toggle removed after launch" \
        in exported


def test_release_not_imported_exports_in_the_feature_plan_shape_and_imports_back():
    release = make_release(template="major", go_live=date(2026, 9, 1), version="2.0")
    exported = exporting.export_markdown(release)

    assert "Release Date: 2026-09-01" in exported and "## Checklists" in exported
    again = Release.objects.get(key=import_plan(exported.encode(), name="x.md").release_key)

    def shape(r):
        return ({(p.name, p.start_date, p.end_date) for p in r.phases.all()},
                {(m.name, m.date) for m in r.milestones.all()},
                {(s.title, s.group, s.due_date) for s in r.checklist_sections.all()},
                sorted(r.checklist_items.values_list("text", "status")))

    assert shape(again) == shape(release)
    assert again.go_live == release.go_live and again.version == "2.0"


def test_plan_as_code_yaml_reimports_idempotently_and_applies_edits():
    release = _imported("003", key="layby-plan")
    text = exporting.export_yaml(release)

    unchanged = import_plan(text.encode(), name="plan.yaml")
    assert unchanged.release_key == "layby-plan" and unchanged.report["changes"] == []

    plan = yaml.safe_load(text)
    plan["release"]["go_live"] = "2027-02-01"
    plan["checklists"][0]["items"][0]["status"] = "todo"
    plan["checklists"] = plan["checklists"][:-1]
    plan["phases"] = [{"name": "Hypercare", "start": "T+1d", "end": "T+14d"}]
    updated = import_plan(yaml.safe_dump(plan).encode(), name="plan.yaml")

    release.refresh_from_db()
    assert release.go_live == date(2027, 2, 1)
    assert release.checklist_sections.count() == len(plan["checklists"])
    hypercare = release.phases.get()
    assert (hypercare.start_offset, hypercare.start_date) == (1, date(2027, 2, 2))
    assert any(change.startswith("removed checklist section") for change in
               updated.report["changes"])
    assert ChecklistItem.objects.get(
        release=release, text="All code complete and peer-reviewed").status == "todo"


def test_plan_as_code_json_creates_a_release_in_a_fresh_product():
    plan = {"release": {"key": "api-2.0", "product": "api", "name": "API 2.0",
                        "go_live": "2027-05-01", "release_type": "major"},
            "phases": [{"name": "Build", "start": "2027-03-01", "end": "2027-04-15"}],
            "checklists": [{"title": "Go-live", "due": "T-0",
                            "items": [{"text": "Deploy", "children": [{"text": "Smoke test"}]}]}],
            "scope": [{"kind": "bug_fix", "title": "Fix login", "status": "done"}]}
    import json

    outcome = import_plan(json.dumps(plan).encode(), name="plan.json")

    release = Release.objects.get(key="api-2.0")
    assert outcome.created and release.product.key == "api"
    child = release.checklist_items.get(text="Smoke test")
    assert child.parent.text == "Deploy" and child.due_date == date(2027, 5, 1)
    assert exporting.plan_as_code(release)["scope"][0]["status"] == "done"


def test_ics_export_has_go_live_phases_milestones_and_checklist_dues():
    release = make_release(template="major", go_live=date(2026, 9, 1))

    ics = exporting.export(release, "ics")

    assert "BEGIN:VCALENDAR" in ics
    assert "SUMMARY:Go-live: " in ics
    assert "DTSTART;VALUE=DATE:20260901" in ics
    assert ics.count("BEGIN:VEVENT") >= (release.phases.count() + release.checklist_sections
                                         .count())
    assert "SUMMARY:Feature freeze" in ics
    assert "Due: Development completion" in ics


def test_printable_html_escapes_html_from_the_document():
    text = "# Plan\nRelease Date: 2026-05-01\n<script>alert(1)</script>\n\n- [x] **Done** item\n"
    release = Release.objects.get(key=import_plan(text.encode()).release_key)

    html = printable_html(release)

    assert "<script>alert" not in html and "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert '<span class="box">☑</span> <strong>Done</strong> item' in html


def _many(count: int) -> str:
    rows = "\n".join(f"| Session {n} | | | | |" for n in range(count))
    plans = "\n\n".join(f"**Plan {n}: Fallback {n}**\n- If step {n} fails\n- Undo step {n}"
                        for n in range(count))
    dependencies = "\n".join(f"- Service {n} ready" for n in range(count))
    return (f"# Plan\nRelease Date: 2027-05-01\n\n## Training\n\n| Session | Date | Time | "
            f"Attendees | Trainer |\n|---|---|---|---|---|\n{rows}\n\n## Contingency Plans\n\n"
            f"{plans}\n\n## Dependencies\n\n{dependencies}\n")


def test_markdown_export_runs_the_same_queries_for_2_or_20_records_per_area(
        django_assert_num_queries):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    small = Release.objects.get(key=import_plan(_many(2).encode()).release_key)
    large = Release.objects.get(key=import_plan(_many(20).encode(), product="p2").release_key)
    with CaptureQueriesContext(connection) as counted:
        exporting.export_markdown(small)

    with django_assert_num_queries(len(counted)):
        exported = exporting.export_markdown(large)

    assert large.meetings.count() == 20 and large.contingencies.count() == 20
    assert "**Plan 19: Fallback 19**" in exported


def test_seed_003_export_reimports_with_the_same_runbook_steps_each_once():
    release = _imported("003")
    steps = {p.name: [s.title for s in p.steps.all()] for p in release.runbook.phases.all()}

    exported = exporting.export_markdown(release)
    import_plan(exported.encode(), key=release.key)
    import_plan(exporting.export_markdown(release).encode(), key=release.key)

    assert exported.count("- [ ] Application responds (HTTP 200)") == 1
    assert {p.name: [s.title for s in p.steps.all()]
            for p in release.runbook.phases.all()} == steps
    assert len(steps["Phase 3: Verification"]) == 20


def test_item_owner_set_in_t_minus_exports_as_at_name_and_reimports_onto_the_same_item(manager):
    release = Release.objects.get(key=import_plan(
        seed_part("003", "#### Development Completion").encode()).release_key)
    item = release.checklist_items.get(text="All code complete and peer-reviewed")
    services.checklist_item_update(item=item, revision=None, changes={"owner": manager},
                                   actor=Actor.cli())

    exported = exporting.export_markdown(release)
    outcome = import_plan(exported.encode(), key=release.key)

    assert f"- [x] All code complete and peer-reviewed — @{manager.username}" in exported
    item.refresh_from_db()
    assert (item.text, item.owner) == ("All code complete and peer-reviewed", manager)
    assert release.checklist_items.count() == 5
    assert not any("removed" in change for change in outcome.report["changes"])


def test_product_cadence_stays_out_of_other_releases_plans_and_their_imports():
    train = Release.objects.get(key=import_plan(seed("001").read_bytes(),
                                                product="shop").release_key)
    other = make_release(product=train.product)

    code = exporting.plan_as_code(other)
    assert not any("cadence" in entry for entry in code.get("roadmap", []))
    assert {"cadence": "monthly on the 15th"} in exporting.plan_as_code(train)["roadmap"]
    code["release"].update(key="moved", product="elsewhere")
    import_plan(json.dumps(code).encode(), name="plan.json")

    assert not Cadence.objects.filter(product__key="elsewhere").exists()

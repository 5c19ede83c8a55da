"""What a plan's parts mean: one small document per rule, each becoming the records a release
manager would expect (and still given back line for line)."""


from datetime import date

import pytest

from tests.plans.helpers import import_plan, missing_lines
from tminus.plans.exporting import export_markdown, plan_as_code
from tminus.releases.models import Release

pytestmark = pytest.mark.django_db


def _imported(text: str, **kwargs) -> Release:
    release = Release.objects.get(key=import_plan(text.encode(), **kwargs).release_key)
    assert missing_lines(text, export_markdown(release)) == []
    return release


def _milestones(release) -> dict:
    return {m.name: (m.date, m.responsible) for m in release.milestones.all()}


def test_timeline_table_gives_milestones_with_owners_and_the_released_row_the_go_live():
    release = _imported(
        "# Widget 2.0\n\n| What | Who | When |\n|---|---|---|\n"
        "| Code freeze | Branch Manager | Tuesday 10th September 2024 |\n"
        "| 2.0.0-rc.1 released | Branch Manager | Sept 17, 2024 |\n"
        "| **v2.0.0 released** | Release Lead | 2024-09-24 |\n"
        "| Retrospective | Release Lead | TBD |\n")

    assert _milestones(release) == {
        "Code freeze": (date(2024, 9, 10), "Branch Manager"),
        "2.0.0-rc.1 released": (date(2024, 9, 17), "Branch Manager"),
        "v2.0.0 released": (date(2024, 9, 24), "Release Lead"),
        "Retrospective": (None, "Release Lead")}
    assert release.go_live == date(2024, 9, 24)
    assert release.milestones.get(name="Code freeze").kind == "feature_freeze"


def test_timeline_row_with_a_range_is_a_phase_and_a_changed_date_is_rewritten_in_its_cell():
    from tminus.releases.services import milestone_date_set

    release = _imported("# Plan\n\n| Milestone | Date |\n|---|---|\n"
                        "| Beta window | April 17-21 2023 |\n| Launch | April 24, 2023 |\n")
    phase = release.phases.get()
    assert (phase.name, phase.start_date, phase.end_date) == (
        "Beta window", date(2023, 4, 17), date(2023, 4, 21))
    milestone_date_set(milestone=release.milestones.get(), on=date(2023, 4, 26), revision=None,
                       actor=_cli())

    assert "| Launch | April 26, 2023 |" in export_markdown(release)


def test_release_train_table_puts_one_release_per_version_on_the_roadmap_with_its_dates():
    release = _imported(
        "# Releases\n\n## Schedule\n\n| Version | Expected | Actual | End of Life |\n"
        "|---|---|---|---|\n| 1.12.0 | 2019/09/30 | 2019/10/31 | 2020/10/31 |\n"
        "| 1.13.0 | 2019/12/31 | | |\n")

    train = {r.version: r for r in release.product.releases.exclude(pk=release.pk)}
    assert train["1.12.0"].go_live == date(2019, 10, 31)
    assert train["1.13.0"].go_live == date(2019, 12, 31)
    assert {m.name: m.date for m in train["1.12.0"].milestones.all()} == {
        "1.12.0 expected": date(2019, 9, 30), "1.12.0 actual": date(2019, 10, 31),
        "1.12.0 end of life": date(2020, 10, 31)}
    code = plan_as_code(release)["roadmap"]
    assert {m["date"] for entry in code for m in entry["milestones"]} >= {"2020-10-31"}


def test_release_train_who_column_owns_each_rows_milestones_and_names_its_people():
    release = _imported(
        "# Releases\n\n| release series | date of first pre-release | release shepherd |\n"
        "|---|---|---|\n| v2.4 | 2018-09-06 | Goutham Veeramachaneni (GitHub: @gouthamve) |\n"
        "| v2.5 | 2018-10-24 | **searching for volunteer** |\n")

    v24 = release.product.releases.get(version="v2.4").milestones.get()
    assert (v24.name, v24.date, v24.responsible) == (
        "v2.4 date of first pre-release", date(2018, 9, 6),
        "Goutham Veeramachaneni (GitHub: @gouthamve)")
    assert release.product.releases.get(version="v2.5").milestones.get().responsible == ""
    assert release.stakeholders.filter(person__name="Goutham Veeramachaneni").exists()


def test_task_table_without_dates_is_a_checklist_with_status_and_owner():
    release = _imported("# Launch Checklist\n\n## Must-have\n| Task | Status |\n|---|---|\n"
                        "| Staging review | Completed |\n"
                        "| Make PDF 508 compliant | Owned by VSP |\n"
                        "| Add alerts | In progress - Sprint 29 |\n")

    items = {i.text: (i.status, i.responsible) for i in release.checklist_items.all()}
    assert items == {"Staging review": ("done", ""), "Make PDF 508 compliant": ("todo", "VSP"),
                     "Add alerts": ("in_progress", "")}


def test_roster_table_makes_people_of_the_release_with_their_roles():
    release = _imported(
        "# Team\n\n| Role | Lead | Team member(s) |\n|---|---|---|\n"
        "| Release Lead | Chris Privitere ([@cp](https://x.y/cp)) | Chirayu Kapoor<br>"
        "Swastik gour |\n| Maintainer | TBD | TBD |\n")

    people = {s.person.name: s.person.title for s in release.stakeholders.all()}
    assert people == {"Chris Privitere": "Release Lead",
                      "Chirayu Kapoor": "Release Lead (team member)",
                      "Swastik gour": "Release Lead (team member)"}


def test_dated_list_items_and_lines_are_milestones_and_a_summary_repeat_is_dropped():
    release = _imported(
        "# Rollout\n\n- **2025/03/10** - BMT1 began the Canary phase as planned\n"
        "- Aubrey sent out email to HRC and VBA folks on March 19 2018\n\n"
        "**1.21** enters maintenance mode on **2022-04-28**\n\n"
        "| What | When |\n|---|---|\n| Canary phase begins | 2025-03-10 |\n")

    assert _milestones(release) == {
        "Canary phase begins": (date(2025, 3, 10), ""),
        "Aubrey sent out email to HRC and VBA folks": (date(2018, 3, 19), "Aubrey"),
        "1.21 enters maintenance mode": (date(2022, 4, 28), "")}


def test_heading_with_a_date_range_first_is_a_phase_and_one_under_the_title_a_milestone():
    release = _imported("# Launch Go / No Go\n## Nov 7, 2018\n\n## Plan\n"
                        "### Oct 18 - Nov 4: Final Stretch\nwork\n")

    assert _milestones(release) == {"Launch Go / No Go": (date(2018, 11, 7), "")}
    phase = release.phases.get()
    assert (phase.name, phase.start_date, phase.end_date) == (
        "Final Stretch", date(2018, 10, 18), date(2018, 11, 4))


def test_front_matter_gives_the_title_and_its_dates():
    release = _imported("---\ntitle: Deploy an application\nlast_reviewed_on: 2018-07-31\n"
                        "release_date: 2018-09-01\n---\n\n## Deployment\n\nSome text.\n")

    assert (release.name, release.go_live) == ("Deploy an application", date(2018, 9, 1))
    assert _milestones(release) == {"Last reviewed on": (date(2018, 7, 31), "")}


def test_go_live_section_date_is_the_go_live_and_setext_title_is_the_name():
    release = _imported("Pension Deactivation\n====================\n\n"
                        "## Go Live!\n\n### Planning:\n- Desired date: September 27, 2023\n"
                        "- Actual date: \n")

    assert (release.name, release.go_live) == ("Pension Deactivation", date(2023, 9, 27))


def test_a_year_is_taken_from_the_row_above_and_a_document_without_one_warns():
    release = _imported("# Plan\n- Kick-off: March 3, 2025\n- Feature freeze: June 1\n")
    assert release.milestones.get(name="Feature freeze").date == date(2025, 6, 1)

    outcome = import_plan(b"# Other plan\n- Feature freeze: June 1\n", product="other")
    assert any("states no year" in w["message"] for w in outcome.report["warnings"])


def test_owners_and_due_dates_on_boxes():
    release = _imported(
        "# Plan\n## Tasks\n- [ ] Write release notes (PM)\n- [ ] Fix login @maria\n"
        "- [ ] Oct 2, 2025: Rachael adds the banner\n- [ ] Send the survey by Nov 1, 2025\n"
        "- [ ] Confirm analytics update (Planned for release on 1/13/26)\n")

    items = {i.text: (i.responsible, i.due_date) for i in release.checklist_items.all()}
    assert items["Write release notes (PM)"] == ("PM", None)
    assert items["Fix login @maria"][0] == "maria"
    assert items["Oct 2, 2025: Rachael adds the banner"] == ("Rachael", date(2025, 10, 2))
    assert items["Send the survey by Nov 1, 2025"] == ("", date(2025, 11, 1))
    assert items["Confirm analytics update (Planned for release on 1/13/26)"][1] == \
        date(2026, 1, 13)
    assert release.stakeholders.filter(person__name="Rachael").exists()


def test_numbered_steps_under_a_deploy_heading_are_a_runbook_with_commands_and_owners():
    release = _imported(
        "# Deploying\n\n### Deployment\n\n1. Check the release app\n"
        "1. Deploy to staging\n   ```shell\n   cf push -f manifest.yml\n   ```\n"
        "1. QA verifies the smoke tests\n\n## Tools\n\n- [cf-cli](https://x.y) the CLI\n")

    phase = release.runbook.phases.get()
    steps = [(s.title, s.command, s.owner_label) for s in phase.steps.all()]
    assert (phase.name, steps) == ("Deployment", [
        ("Check the release app", "", ""),
        ("Deploy to staging", "cf push -f manifest.yml", ""),
        ("QA verifies the smoke tests", "", "QA")])


def test_bulleted_instructions_under_a_release_heading_are_steps_but_descriptions_are_not():
    release = _imported(
        "# Releases\n\n## Stable releases\n\n* Major releases come from main.\n"
        "* Minor releases are backports.\n\n### Cutting a major release\n\n"
        "* Take a look at open issues.\n* Create a pull request.\n"
        "* Announce in the channel.\n")

    phase = release.runbook.phases.get()
    assert phase.name == "Cutting a major release"
    assert phase.steps.count() == 3


def test_boxes_under_a_release_checklist_are_runbook_steps_when_they_instruct():
    release = _imported("# Release\n\n## Release Checklist\n\n* [ ] create release candidate\n"
                        "    * [ ] wait for the build\n* [ ] publish release\n")

    steps = [(s.title, s.group) for s in release.runbook.phases.get().steps.all()]
    assert steps == [("create release candidate", ""),
                     ("wait for the build", "create release candidate"), ("publish release", "")]
    code = plan_as_code(release)["runbook"][0]["steps"]
    assert code[0]["checkbox"] == {"text": "create release candidate", "status": "todo"}


def test_rollback_plan_steps_have_owners_and_conditions_are_rollback_criteria():
    release = _imported(
        "# Runbook\n\n## Rollback 1: System Rollback\n\n### Conditions\n\n"
        "* Maintenance page online for 2hrs.\n\n### Plan\n"
        "1. On call party escalates issue to incident commander\n"
        "1. Chris makes decision to roll back\n1. Dial into the incident room\n")

    plan = release.rollback_plan
    assert plan.immediate_criteria == ["Maintenance page online for 2hrs."]
    assert [(s.title[:20], s.owner_label) for s in plan.steps.all()] == [
        ("On call party escala", "On call party"), ("Chris makes decision", "Chris"),
        ("Dial into the incide", "")]


def test_go_no_go_poll_questions_are_gate_criteria_with_their_answers():
    from tminus.readiness.criteria import evaluate

    release = _imported(
        "# Launch Go / No Go\n\n## Engineering\n- James Kassemi`*`\n- Nick Sullivan\n\n"
        "Are the launch PRs ready to merge?\n\n**ready**\n\nIs monitoring in place?\n\n")

    criteria = {c.label: c.params for c in release.readiness_criteria.all()}
    assert criteria == {
        "Are the launch PRs ready to merge?": {"answer": "ready", "owner": "James Kassemi"},
        "Is monitoring in place?": {"answer": "", "owner": "James Kassemi"}}
    assert [evaluate(release, c.kind, c.params)[0]
            for c in release.readiness_criteria.all()] == [True, False]


def test_checklist_before_the_go_no_go_line_is_what_the_gate_checks():
    from tminus.readiness.criteria import evaluate
    from tminus.releases.services import checklist_item_update

    release = _imported("# Plan\n## Verification\n- [ ] UAT issues resolved\n"
                        "- [x] Staging stable\n\n**Go/No-Go Meeting**: ____\n")

    criteria = list(release.readiness_criteria.all())
    assert [c.label for c in criteria] == ["UAT issues resolved", "Staging stable"]
    assert [evaluate(release, c.kind, c.params)[0] for c in criteria] == [False, True]
    item = release.checklist_items.get(text="UAT issues resolved")
    checklist_item_update(item=item, revision=None, changes={"status": "done"}, actor=_cli())
    assert evaluate(release, criteria[0].kind, criteria[0].params)[0]


def test_flags_named_in_a_toggle_table_or_the_text_are_created_off_and_linked():
    from tminus.flags.models import Flag

    outcome = import_plan(
        b"# Plan\n\n| Toggle name | Description |\n|---|---|\n"
        b"| [va_push](https://x.y/va_push) | sends pushes |\n\n"
        b"Add the feature gate `ExpandedDNSConfig` to the kubelet.\n")
    release = Release.objects.get(key=outcome.release_key)

    flags = {f.key: f for f in Flag.objects.filter(release=release)}
    assert set(flags) == {"va_push", "ExpandedDNSConfig"}
    assert not flags["va_push"].states.filter(enabled=True).exists()
    assert flags["va_push"].description == "sends pushes"
    assert any("did not exist" in w["message"] for w in outcome.report["warnings"])


def test_rollout_stages_from_bold_stages_list_items_and_dated_boxes():
    release = _imported(
        "# Rollout\n\nControlled rollout using `va_v2`.\n\n## Phased Rollout Strategy\n\n"
        "**Stage 1**\n- **Audience**: 1% of live traffic\n\n**Stage 2**\n"
        "- **Audience**: 25% of live traffic\n\n### Timeline\n"
        "- [ ] **2025/05/12** - BMT2 to increase to 75%; monitor\n"
        "- [ ] **2025/05/13** - BMT2 to increase to 100%\n")

    plan = release.rollout_plans.get()
    assert plan.flag.key == "va_v2"
    assert [(s.percentage, s.not_before.date() if s.not_before else None)
            for s in plan.stages.all()] == [
        (1, None), (25, None), (75, date(2025, 5, 12)), (100, date(2025, 5, 13))]


def test_kpis_only_with_a_real_target():
    release = _imported(
        "# Plan\n\n## Success Criteria\n\n### Post-launch\n\n"
        "* Manual routing does not exceed 35 percent\n* Silent failures: 0\n"
        "* VBMS EP creation behaves as expected\n* See [issue 422](https://x.y/422) for errors\n"
        "\n## Post Launch metrics\n\n### 1-week results\n\n- Post-launch KPI 1 actual: "
        "[FILL_IN]\n\n## Measuring\n\n**KPI**: We see at least a 95% success rate.\n")

    kpis = {k.name: (k.comparator, k.target_value) for k in release.kpis.all()}
    assert kpis == {"Manual routing": ("<=", 35.0), "Silent failures": ("=", 0.0),
                    "We see success rate": (">=", 95.0)}


def test_people_lists_and_team_lines_become_people_of_the_release():
    release = _imported(
        "# Runbook\n\n## Go / No Go Attendees\n\n- Chris Johnston\n- David Bao\n\n"
        "## Responsibilities\n\n- **Engineering (Evan, Robin):** Maintain alert logic\n\n"
        "## Planning\n\n- Who is monitoring the dashboard(s)?: Product Manager (Matt Reilly)\n")

    people = {s.person.name: s.responsible_for for s in release.stakeholders.all()}
    assert people == {"Chris Johnston": "Go / No Go Attendees",
                      "David Bao": "Go / No Go Attendees",
                      "Evan": "Maintain alert logic", "Robin": "Maintain alert logic",
                      "Matt Reilly": "monitoring the dashboard(s)"}


def test_a_launch_checklist_without_dates_imports_with_its_checklists():
    release = _imported("# Launch checklist\n\n- [ ] Legal review\n- [x] Docs written\n")

    assert release.go_live is None
    assert release.checklist_items.count() == 2


def _cli():
    from tminus.core.actors import Actor

    return Actor.cli()


def test_steps_placed_in_time_under_a_rollout_are_steps_and_a_dated_schedule_is_not():
    release = _imported(
        "# Deactivation\n\n## Phase II: Rollout\n\n### The Plan\n\n"
        "- Day 1: Launch review pages to 100% of users. (1 day)\n"
        "- Day 1 or 2: CAIA releases updates to the page (1 day)\n\n"
        "### Cutover schedule\n\n* June 13, 2022 - White City\n* June 25, 2022 - Boise\n")

    steps = [(s.title[:20], s.owner_label) for s in release.runbook.phases.get().steps.all()]
    assert steps == [("Day 1: Launch review", ""), ("Day 1 or 2: CAIA rel", "CAIA")]
    assert _milestones(release) == {"White City": (date(2022, 6, 13), ""),
                                    "Boise": (date(2022, 6, 25), "")}

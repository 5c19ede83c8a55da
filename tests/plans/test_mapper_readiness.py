"""Readiness mappers: contingency plans and dependencies written as prose become records, and
the export shows them in the document's shape with live data."""

import pytest

from tests.plans.helpers import import_plan, missing_lines, seed, seed_part
from tminus.core.actors import Actor
from tminus.plans.exporting import export_markdown, plan_as_code
from tminus.releases.models import Release

pytestmark = pytest.mark.django_db
CLI = Actor.cli()


def _imported(text: str) -> Release:
    return Release.objects.get(key=import_plan(text.encode()).release_key)


def test_seed_003_contingency_plans_become_plans_a_b_and_c():
    text = seed_part("003", "### Contingency Plans")
    release = _imported(text)

    plans = {p.label: (p.name, p.trigger, p.steps) for p in release.contingencies.all()}
    assert plans["A"] == ("Delayed Go-Live", "If critical issues found in final testing",
                          ["Reschedule go-live date", "Communicate new date to stakeholders",
                           "Address issues before rescheduling"])
    assert plans["B"][2][0] == "Deploy to subset of businesses first"
    assert set(plans) == {"A", "B", "C"}
    assert missing_lines(text, export_markdown(release)) == []


def test_contingency_plan_edited_in_t_minus_is_rewritten_under_its_heading():
    from tminus.readiness.services import contingency_update

    release = _imported(seed_part("003", "### Contingency Plans"))
    plan = release.contingencies.get(label="C")
    contingency_update(plan=plan, revision=None, actor=CLI,
                       changes={"steps": ["Execute rollback procedure immediately",
                                          "Page the on-call engineer"]})

    exported = export_markdown(release)

    assert ("**Plan C: Rollback**\n- If critical issues in production\n"
            "- Execute rollback procedure immediately\n- Page the on-call engineer\n") in exported
    assert "- Restore previous version" not in exported


@pytest.mark.parametrize("number, heading, count", [
    ("000", "### Dependencies:", 2),
    ("002", "#### 3. **Identify Dependencies and Risks**", 2),
])
def test_dependencies_written_as_prose_become_dependencies(number, heading, count):
    text = seed_part(number, heading)
    release = _imported(text)

    assert release.dependencies.count() == count
    assert missing_lines(text, export_markdown(release)) == []


def test_dependency_met_in_t_minus_shows_its_status_and_reimports_to_the_same_status():
    from tminus.readiness.services import dependency_update

    release = _imported(seed("002").read_text())
    dependency = release.dependencies.get(kind="third_party")
    assert dependency.name.startswith("Integrations with third-party APIs")
    dependency_update(dependency=dependency, revision=None, changes={"status": "met"},
                      actor=CLI)

    exported = export_markdown(release)

    assert ("     - Integrations with third-party APIs (e.g., payment gateway updates). — Met"
            in exported)
    again = _imported(exported)
    assert again.dependencies.get(kind="third_party").status == "met"
    assert {"name": dependency.name, "kind": "third_party", "status": "met"} in plan_as_code(
        release)["dependencies"]


GATE_PLAN = """# Payments launch

Launch date: 2027-05-04

## Launch readiness

Go/No-Go criteria:

- All P1 bugs closed
- Load test passed at 2x peak

- **Launch criteria**:
  - Runbook reviewed

GATE: Security review signed off

> Conditional Go
> - Support rota staffed for the first week
> - Rollback rehearsed in staging

## Notes

- Go/No-Go criteria: see the wiki
"""


def _gate(release) -> list[str]:
    return [c.label for c in release.readiness_criteria.all()]


def test_go_no_go_criteria_listed_as_such_become_criteria_of_the_gate():
    release = _imported(GATE_PLAN)

    assert _gate(release)[:4] == ["All P1 bugs closed", "Load test passed at 2x peak",
                                  "Runbook reviewed", "Security review signed off"]
    assert {c.kind for c in release.readiness_criteria.all()} == {"plan_confirmation"}
    assert missing_lines(GATE_PLAN, export_markdown(release)) == []


def test_conditional_go_is_a_go_with_conditions_whose_conditions_are_open_criteria():
    from tminus.readiness.selectors import readiness_report

    outcome = import_plan(GATE_PLAN.encode())
    release = Release.objects.get(key=outcome.release_key)

    assert _gate(release)[4:] == ["Support rota staffed for the first week",
                                  "Rollback rehearsed in staging"]
    report = {c["label"]: c["met"] for c in readiness_report(release)}
    assert report["Rollback rehearsed in staging"] is False
    decision = [r["became"] for r in outcome.report["lines"] if r["source"] == "> Conditional Go"]
    assert decision == ["go/no-go decision: go with conditions (2 conditions, criteria of the "
                        "gate)"]


def test_decision_field_conditional_go_takes_the_list_after_it_as_its_conditions():
    text = ("# Billing cutover\n\n## Go/No-Go meeting\n\nDecision: **Conditional Go**\n\n"
            "- Finance confirms the export totals\n")
    release = _imported(text)

    assert _gate(release) == ["Finance confirms the export totals"]
    assert "see the wiki" not in " ".join(_gate(_imported(GATE_PLAN)))

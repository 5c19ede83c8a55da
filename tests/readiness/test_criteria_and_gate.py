"""Criteria, the criterion-kind registry, the go/no-go meeting, the workflow guard, overrides."""

from datetime import date, timedelta

import pytest

from tests.factories import make_release
from tests.readiness.helpers import bare_release, move_to_ready
from tminus.audit.models import AuditEvent
from tminus.core.actors import Actor
from tminus.core.errors import NotAllowed, TransitionNotAllowed, ValidationFailed
from tminus.core.events import _listeners, on
from tminus.people import services as people_services
from tminus.readiness import criteria, selectors, services
from tminus.readiness.models import Criterion, GoNoGoDecision, GoNoGoVote
from tminus.releases import services as release_services
from tminus.releases.models import ReleaseTemplate

pytestmark = pytest.mark.django_db
CLI = Actor.cli()


@pytest.fixture
def events():
    """Every go / no-go event emitted during the test."""
    seen = []

    def listener(*, event, release, payload, actor):
        seen.append((event, release.key, payload))

    for name in ("release.go_decision", "release.no_go_decision"):
        on(name)(listener)
    yield seen
    for name in ("release.go_decision", "release.no_go_decision"):
        _listeners[name].remove(listener)


@pytest.fixture
def custom_kind():
    """A kind another area might register, whose answer the test controls."""
    answer = {"met": False}
    criteria.register_criterion_kind(
        "test_answer", "Test answer",
        lambda release, params: (answer["met"], f"answer is {answer['met']} for {release.key}"))
    yield answer
    criteria._kinds.pop("test_answer")


def test_builtin_kinds_are_in_the_same_registry_other_areas_use():
    kinds = {entry.kind for entry in criteria.criterion_kinds()}
    assert {"checklist_complete", "no_open_risk", "dependencies_met", "signoff_discipline",
            "signoff_approver", "go_live_outside_freeze"} <= kinds


def test_registered_kind_is_evaluated_in_the_readiness_report(custom_kind):
    release = bare_release()
    services.criterion_add(release=release, kind="test_answer", label="Tests pass", actor=CLI)
    assert selectors.readiness_report(release)[0] == {
        "id": release.readiness_criteria.get().pk, "kind": "test_answer", "label": "Tests pass",
        "params": {}, "met": False, "why": f"answer is False for {release.key}", "revision": 1}
    custom_kind["met"] = True
    assert selectors.readiness_report(release)[0]["met"]


def test_kind_that_raises_counts_as_not_met_instead_of_failing_the_report():
    criteria.register_criterion_kind("broken", "Broken", lambda release, params: 1 / 0)
    try:
        release = bare_release()
        services.criterion_add(release=release, kind="broken", label="Broken", actor=CLI)
        row = selectors.readiness_report(release)[0]
    finally:
        criteria._kinds.pop("broken")
    assert not row["met"] and "Could not be evaluated" in row["why"]


def test_criterion_of_unknown_kind_or_bad_params_is_refused_and_saves_nothing():
    release = bare_release()
    with pytest.raises(ValidationFailed) as unknown:
        services.criterion_add(release=release, kind="vibes", actor=CLI)
    assert "no_open_risk" in unknown.value.errors["kind"][0]
    with pytest.raises(ValidationFailed) as bad_level:
        services.criterion_add(release=release, kind="no_open_risk",
                               params={"level": "scary"}, actor=CLI)
    assert "low, medium, high, critical" in bad_level.value.errors["params"][0]
    assert not Criterion.objects.filter(release=release).exists()


def test_criterion_label_defaults_from_its_kind():
    release = bare_release()
    criterion = services.criterion_add(release=release, kind="signoff_discipline",
                                       params={"discipline": "qa"}, actor=CLI)
    assert criterion.label == "Sign-off from QA"


def test_templates_give_defaults_per_release_type():
    major = {(c.kind, tuple(c.params.values())) for c in
             make_release(template="major").readiness_criteria.all()}
    hotfix = {(c.kind, tuple(c.params.values())) for c in
              make_release(template="hotfix").readiness_criteria.all()}
    assert ("signoff_discipline", ("operations",)) in major
    assert ("no_open_risk", ("high",)) in major
    assert ("no_open_risk", ("critical",)) in hotfix
    assert ("signoff_discipline", ("operations",)) not in hotfix


def test_saved_template_readiness_part_with_unknown_kind_refuses_the_release():
    ReleaseTemplate.objects.create(key="odd", name="Odd", release_type="minor",
                                   definition={"readiness": {"criteria": [{"kind": "vibes"}]}})
    with pytest.raises(ValidationFailed, match="vibes"):
        make_release(template="odd")


def test_checklist_criterion_can_look_only_at_sections_due_before_go_live():
    release = bare_release(template="minor", go_live=date.today() + timedelta(days=30))
    before = services.criterion_add(release=release, kind="checklist_complete", actor=CLI)
    every = services.criterion_add(release=release, kind="checklist_complete",
                                   params={"scope": "all"}, actor=CLI)
    for item in release.checklist_items.filter(section__due_date__lt=release.go_live):
        release_services.checklist_item_update(item=item, revision=None,
                                               changes={"status": "done"}, actor=CLI)
    report = {row["id"]: row for row in selectors.readiness_report(release)}
    assert report[before.pk]["met"]
    assert not report[every.pk]["met"]
    assert "Go-live day: deployment" in report[every.pk]["why"]


def test_no_open_risk_criterion_ignores_mitigated_and_lower_risks():
    release = bare_release()
    services.criterion_add(release=release, kind="no_open_risk", params={"level": "high"},
                           actor=CLI)
    services.risk_add(release=release, description="Small", probability="low",
                      impact="medium", actor=CLI)
    services.risk_add(release=release, description="Handled", probability="high",
                      impact="critical", status="mitigated", actor=CLI)
    assert selectors.readiness_report(release)[0]["met"]
    services.risk_add(release=release, description="Big one", probability="medium",
                      impact="high", actor=CLI)
    row = selectors.readiness_report(release)[0]
    assert not row["met"] and "Big one" in row["why"] and "Handled" not in row["why"]


def test_discipline_signoff_uses_the_approvers_stakeholder_role(release, approver):
    release.readiness_criteria.all().delete()
    services.criterion_add(release=release, kind="signoff_discipline",
                           params={"discipline": "qa"}, actor=CLI)
    people_services.stakeholder_add(release=release, person=approver, role="qa",
                                    is_approver=True, actor=CLI)
    assert not selectors.readiness_report(release)[0]["met"]

    vote = services.vote_record(release=release, approver=approver, vote="go", actor=CLI)

    assert vote.discipline == "qa"
    row = selectors.readiness_report(release)[0]
    assert row["met"] and row["why"] == "Quinn QA voted Go."


def test_named_approver_no_go_fails_the_signoff(release, other_person):
    release.readiness_criteria.all().delete()
    services.criterion_add(release=release, kind="signoff_approver",
                           params={"person_id": other_person.pk}, actor=CLI)
    services.vote_record(release=release, approver=other_person, vote="no_go",
                         comment="Load test failed", actor=CLI)
    row = selectors.readiness_report(release)[0]
    assert row["label"] == "Sign-off from Oscar Ops"
    assert not row["met"] and "Load test failed" in row["why"]


def test_new_vote_replaces_the_approvers_last_one(release, other_person):
    services.vote_record(release=release, approver=other_person, vote="no_go", actor=CLI)
    services.vote_record(release=release, approver=other_person, vote="go", actor=CLI)
    assert [v.vote for v in selectors.current_votes(release)] == ["go"]
    assert AuditEvent.objects.filter(action="go_no_go.vote").count() == 2


def test_go_with_conditions_needs_the_conditions(release, other_person):
    with pytest.raises(ValidationFailed) as refused:
        services.vote_record(release=release, approver=other_person,
                             vote="go_with_conditions", actor=CLI)
    assert "conditions" in refused.value.errors["comment"][0]
    assert not GoNoGoVote.objects.exists()


def test_contributor_votes_for_themself_but_not_for_others(contributor, other_person):
    release = make_release()
    own = people_services.person_create(name="Carl", user=contributor, actor=CLI)
    services.vote_record(release=release, approver=own, vote="go",
                         actor=Actor(contributor, "web"))
    with pytest.raises(NotAllowed, match="another person's vote"):
        services.vote_record(release=release, approver=other_person, vote="go",
                             actor=Actor(contributor, "web"))


def test_go_decision_is_refused_while_criteria_are_unmet(release, other_person):
    services.vote_record(release=release, approver=other_person, vote="go", actor=CLI)
    with pytest.raises(ValidationFailed) as refused:
        services.go_decision_record(release=release, outcome="go", actor=CLI)
    messages = " ".join(refused.value.errors["outcome"])
    assert "Sign-off from Operations" in messages
    assert not GoNoGoDecision.objects.exists()


def test_go_decision_keeps_a_snapshot_and_emits_the_event(custom_kind, other_person, events):
    release = bare_release()
    services.criterion_add(release=release, kind="test_answer", label="Tests pass", actor=CLI)
    custom_kind["met"] = True
    services.vote_record(release=release, approver=other_person, vote="go", comment="Fine",
                         actor=CLI)

    decision = services.go_decision_record(release=release, outcome="go", comment="Ship it",
                                           actor=CLI)
    custom_kind["met"] = False

    assert decision.criteria[0]["met"] is True
    assert decision.criteria[0]["why"] == f"answer is True for {release.key}"
    assert decision.votes[0]["approver"] == "Oscar Ops"
    assert selectors.has_go_decision(release)
    assert events == [("release.go_decision", release.key, events[0][2])]
    assert events[0][2]["comment"] == "Ship it"
    assert AuditEvent.objects.get(action="go_no_go.decision").reason == "Ship it"
    assert not selectors.gate_status(release)["go"]  # the criterion no longer holds


def test_no_go_decision_is_always_recorded_and_emitted(release, events):
    decision = services.go_decision_record(release=release, outcome="no_go",
                                           comment="UAT not signed off", actor=CLI)
    assert decision.outcome == "no_go"
    assert len(decision.criteria) == release.readiness_criteria.count()
    assert [e[0] for e in events] == ["release.no_go_decision"]
    assert not selectors.has_go_decision(release)


def test_unknown_outcome_is_refused(release):
    with pytest.raises(ValidationFailed, match="Unknown outcome 'maybe'"):
        services.go_decision_record(release=release, outcome="maybe", actor=CLI)


def test_deploying_without_a_go_is_refused_by_the_guard(release):
    move_to_ready(release)
    with pytest.raises(TransitionNotAllowed, match="only after a Go"):
        release_services.release_transition(release=release, to_status="deploying", actor=CLI)
    release.refresh_from_db()
    assert release.status == "ready"


def test_deploying_after_a_go_decision_is_allowed(custom_kind, other_person):
    release = move_to_ready(bare_release())
    services.criterion_add(release=release, kind="test_answer", actor=CLI)
    custom_kind["met"] = True
    services.vote_record(release=release, approver=other_person, vote="go", actor=CLI)
    services.go_decision_record(release=release, outcome="go", actor=CLI)
    release_services.release_transition(release=release, to_status="deploying", actor=CLI)
    release.refresh_from_db()
    assert release.status == "deploying"


def test_admin_override_lets_the_release_deploy_and_is_audited_with_its_reason(release,
                                                                              admin_user):
    move_to_ready(release)
    services.gate_override(release=release, reason="Security fix cannot wait",
                           actor=Actor(admin_user, "web"))
    release_services.release_transition(release=release, to_status="deploying", actor=CLI)

    event = AuditEvent.objects.get(action="gate.override")
    assert event.reason == "Security fix cannot wait"
    assert event.actor == admin_user and event.release_id == release.pk
    assert any("No go/no-go decision" in line for line in event.after["not_met"])
    assert selectors.gate_status(release)["go"]


def test_override_needs_an_admin_and_a_reason(release, manager, admin_user):
    with pytest.raises(NotAllowed):
        services.gate_override(release=release, reason="Because", actor=Actor(manager, "web"))
    with pytest.raises(ValidationFailed, match="needs a reason"):
        services.gate_override(release=release, reason="  ", actor=Actor(admin_user, "web"))
    assert selectors.active_override(release) is None


def test_rollback_withdraws_the_go_so_the_next_attempt_needs_a_new_one(release, other_person):
    move_to_ready(release)
    services.vote_record(release=release, approver=other_person, vote="go", actor=CLI)
    services.gate_override(release=release, reason="Ship", actor=CLI)
    for status in ("deploying", "rolled_back", "testing"):
        release_services.release_transition(release=release, to_status=status, actor=CLI)
    assert selectors.active_override(release) is None
    assert not selectors.current_votes(release).exists()
    for status in ("staging", "ready"):
        release_services.release_transition(release=release, to_status=status, actor=CLI)
    with pytest.raises(TransitionNotAllowed):
        release_services.release_transition(release=release, to_status="deploying", actor=CLI)


def test_voting_is_closed_once_the_release_is_deploying(release, other_person):
    move_to_ready(release)
    services.gate_override(release=release, reason="Ship", actor=CLI)
    release_services.release_transition(release=release, to_status="deploying", actor=CLI)
    with pytest.raises(ValidationFailed, match="go/no-go is over"):
        services.vote_record(release=release, approver=other_person, vote="go", actor=CLI)

"""Risks, dependencies and contingency plans: services, the heat map and their rules."""

from datetime import date, timedelta

import pytest

from tests.factories import make_release
from tests.readiness.helpers import bare_release, move_to_ready
from tminus.audit.models import AuditEvent
from tminus.core.actors import Actor
from tminus.core.errors import NotAllowed, ValidationFailed
from tminus.readiness import selectors, services
from tminus.readiness.heatmap import heat_map_cells, heat_map_svg
from tminus.readiness.models import Contingency, Dependency, Risk
from tminus.releases import services as release_services

pytestmark = pytest.mark.django_db
CLI = Actor.cli()
GO_LIVE = date(2026, 5, 4)


def _risk(release, probability="low", impact="high", status="open", **kwargs):
    return services.risk_add(release=release, description=kwargs.pop("description", "Outage"),
                             probability=probability, impact=impact, status=status, actor=CLI,
                             **kwargs)


def test_risk_score_is_probability_times_impact_and_audited(release):
    risk = _risk(release, probability="medium", impact="critical")
    assert risk.score == 8 and risk.level == "high"
    event = AuditEvent.objects.get(action="risk.add")
    assert event.release_id == release.pk and event.after["score"] == 8


def test_risk_update_recomputes_the_score(release):
    risk = _risk(release, probability="low", impact="low")
    services.risk_update(risk=risk, revision=risk.revision, changes={"probability": "high"},
                         actor=CLI)
    risk.refresh_from_db()
    assert risk.score == 3


def test_risk_with_unknown_probability_is_refused_naming_the_choices(release):
    with pytest.raises(ValidationFailed) as refused:
        _risk(release, probability="likely", impact="enormous")
    assert "low, medium, high" in refused.value.errors["probability"][0]
    assert "critical" in refused.value.errors["impact"][0]
    assert not Risk.objects.exists()


def test_risk_review_offset_follows_go_live():
    release = make_release(go_live=GO_LIVE)
    risk = _risk(release, review_offset=-7)
    assert risk.review_date == GO_LIVE - timedelta(days=7)
    release_services.release_schedule_shift(release=release, go_live=GO_LIVE + timedelta(days=3),
                                            actor=CLI)
    risk.refresh_from_db()
    assert risk.review_date == GO_LIVE - timedelta(days=4)


def test_risk_review_date_set_by_hand_drops_its_offset():
    release = make_release(go_live=GO_LIVE)
    risk = _risk(release, review_offset=-7)
    risk = Risk.objects.select_related("release").get(pk=risk.pk)
    services.risk_update(risk=risk, revision=risk.revision,
                         changes={"review_date": date(2026, 4, 1)}, actor=CLI)
    risk.refresh_from_db()
    assert (risk.review_date, risk.review_offset) == (date(2026, 4, 1), None)


def test_risk_offset_beyond_ten_years_makes_no_sense(release):
    with pytest.raises(ValidationFailed, match="ten years"):
        _risk(release, review_offset=-5000)


def test_viewer_cannot_add_a_risk(release, viewer):
    with pytest.raises(NotAllowed):
        services.risk_add(release=release, description="x", probability="low", impact="low",
                          actor=Actor(viewer, "web"))


def test_heat_map_counts_risks_in_play_per_cell_and_leaves_closed_out(release):
    _risk(release, "low", "high", description="Deploy trouble")
    _risk(release, "low", "high", status="mitigated", description="Integration failures")
    _risk(release, "low", "high", status="closed", description="Old")
    _risk(release, "low", "critical", description="Security vulnerability")
    risks = list(selectors.risks(release))

    cells = heat_map_cells(risks)
    svg = heat_map_svg(risks)

    assert len(cells[("low", "high")]) == 2
    assert len(cells[("low", "critical")]) == 1
    assert 'data-probability="low" data-impact="high" data-count="2"' in svg
    assert "1 open" in svg and "Security vulnerability" in svg and "Old" not in svg


def test_dependency_on_another_release_is_met_once_that_release_is_live(release):
    other = make_release(name="Enhanced Experience")
    dependency = services.dependency_add(release=release, name="Needs 1.1 live",
                                         kind="release", required_release=other, actor=CLI)
    assert not selectors.dependency_state(dependency)["met"]
    assert "must be live" in selectors.dependency_state(dependency)["why"]

    move_to_ready(other)
    services.gate_override(release=other, reason="test", actor=CLI)
    for status in ("deploying", "live"):
        release_services.release_transition(release=other, to_status=status, actor=CLI)

    dependency = Dependency.objects.select_related("required_release").get(pk=dependency.pk)
    assert selectors.dependency_state(dependency) == {
        "met": True, "why": "Enhanced Experience is live.", "overdue": False}


def test_dependency_on_itself_or_in_a_cycle_is_refused(release):
    with pytest.raises(ValidationFailed, match="cannot depend on itself"):
        services.dependency_add(release=release, name="Me", kind="release",
                                required_release=release, actor=CLI)
    other = make_release()
    services.dependency_add(release=other, name="Needs first", kind="release",
                            required_release=release, actor=CLI)
    with pytest.raises(ValidationFailed, match="neither could ever go live"):
        services.dependency_add(release=release, name="Needs other", kind="release",
                                required_release=other, actor=CLI)


def test_dependency_of_kind_release_without_a_release_is_refused(release):
    with pytest.raises(ValidationFailed) as refused:
        services.dependency_add(release=release, name="Something", kind="release", actor=CLI)
    assert "required_release" in refused.value.errors


def test_dependency_needed_by_offset_follows_go_live():
    release = make_release(go_live=GO_LIVE)
    dependency = services.dependency_add(release=release, name="SMS provider",
                                         kind="third_party", needed_by_offset=-14, actor=CLI)
    assert dependency.needed_by == GO_LIVE - timedelta(days=14)
    release_services.release_schedule_shift(release=release, go_live=GO_LIVE + timedelta(days=7),
                                            actor=CLI)
    dependency.refresh_from_db()
    assert dependency.needed_by == GO_LIVE - timedelta(days=7)


def test_unmet_dependency_past_its_date_blocks_readiness():
    release = bare_release(go_live=date.today() + timedelta(days=10))
    services.criterion_add(release=release, kind="dependencies_met", actor=CLI)
    services.dependency_add(release=release, name="Later", kind="internal",
                            needed_by=date.today() + timedelta(days=3), actor=CLI)
    assert selectors.readiness_report(release)[0]["met"]

    services.dependency_add(release=release, name="Payment gateway", kind="third_party",
                            needed_by=date.today() - timedelta(days=1), status="in_progress",
                            actor=CLI)

    row = selectors.readiness_report(release)[0]
    assert not row["met"]
    assert "Payment gateway" in row["why"] and "has passed" in row["why"]
    assert "Later" not in row["why"]


def test_dependencies_needed_by_go_live_scope_counts_ones_not_yet_due():
    release = bare_release(go_live=date.today() + timedelta(days=10))
    services.criterion_add(release=release, kind="dependencies_met",
                           params={"scope": "by_go_live"}, actor=CLI)
    services.dependency_add(release=release, name="Due before go-live", kind="internal",
                            needed_by=date.today() + timedelta(days=3), actor=CLI)
    services.dependency_add(release=release, name="Due after go-live", kind="internal",
                            needed_by=date.today() + timedelta(days=30), actor=CLI)
    row = selectors.readiness_report(release)[0]
    assert not row["met"]
    assert "Due before go-live" in row["why"] and "Due after" not in row["why"]


def test_contingency_plan_keeps_trigger_and_steps_and_refuses_missing_trigger(release):
    plan = services.contingency_add(release=release, label="D", name="Feature flag off",
                                    trigger="Error rate above 5%",
                                    steps=["Turn the flag off", " ", "Tell support"], actor=CLI)
    assert plan.steps == ["Turn the flag off", "Tell support"]
    with pytest.raises(ValidationFailed) as refused:
        services.contingency_add(release=release, name="No trigger", trigger=" ", actor=CLI)
    assert "trigger" in refused.value.errors
    assert not Contingency.objects.filter(name="No trigger").exists()


def test_major_template_brings_seed_contingency_plans_a_b_c():
    release = make_release(template="major")
    plans = list(release.contingencies.all())
    assert [(p.label, p.name) for p in plans] == [
        ("A", "Delayed go-live"), ("B", "Phased rollout"), ("C", "Rollback")]
    assert plans[2].trigger == "Critical issues in production."

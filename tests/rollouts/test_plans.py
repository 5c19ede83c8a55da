import pytest

from tests.rollouts.conftest import ERROR_RATE, SYSTEM, UAT_USERS, seed_definition
from tminus.audit.models import AuditEvent
from tminus.core.actors import Actor
from tminus.core.errors import Conflict, NotAllowed, TransitionNotAllowed, ValidationFailed
from tminus.flags import services as flags
from tminus.rollouts import services
from tminus.rollouts.definition import parse_definition
from tminus.rollouts.models import Criterion, RolloutPlan, Stage, Trigger

pytestmark = pytest.mark.django_db


def create(release, flag, definition):
    return services.rollout_plan_create(release=release, flag=flag, environment="production",
                                        definition_data=definition, actor=SYSTEM)


def test_plan_create_from_seed_definition_keeps_stages_criteria_and_triggers(release, flag):
    plan = create(release, flag, seed_definition())

    stages = list(plan.stages.all())
    assert [s.name for s in stages] == ["UAT", "Stage A: Canary", "Stage B: 50% of users",
                                        "Stage C: 100% of users"]
    assert stages[0].user_ids == UAT_USERS and stages[0].approval_required
    assert [s.percentage for s in stages] == [None, 10, 50, 100]
    assert stages[1].min_duration_minutes == 60
    assert Criterion.objects.filter(stage__plan=plan).count() == 6
    trigger = plan.triggers.get()
    assert (trigger.metric, trigger.aggregation, trigger.denominator, trigger.threshold,
            trigger.window_minutes, trigger.min_sample, trigger.sample_metric) == (
        "download_error", "ratio", "download_click", 2.0, 5, 200, "exposures")
    assert plan.status == "draft" and plan.key == "1095-b-download-production"
    assert AuditEvent.objects.filter(action="rollout.create", release_id=release.pk).exists()


def test_plan_definition_reads_back_what_was_written(plan):
    data = services.plan_definition(plan)

    assert data["stages"][0] == {"name": "UAT", "users": UAT_USERS, "min_duration": 0,
                                 "approval": True, "criteria": []}
    assert data["stages"][1]["min_duration"] == "1h"
    assert data["stages"][1]["criteria"][1] == {**ERROR_RATE, "threshold": 2.0}
    again, problems = parse_definition(data, segments_by_name={})
    assert problems == {} and len(again.stages) == 4


@pytest.mark.parametrize("change, field, message", [
    (lambda d: d["stages"][1]["criteria"][0].update(metric="download_clicks"),
     "stages.1.criteria.0.metric", "no metric 'download_clicks'"),
    (lambda d: d["stages"][1]["criteria"][1].update(threshold="2%"),
     "stages.1.criteria.1.threshold", "not a number"),
    (lambda d: d["stages"][2].update(percentage=5),
     "stages.2.percentage", "out of order"),
    (lambda d: d["stages"][3].update(percentage=120),
     "stages.3.percentage", "outside 0-100"),
    (lambda d: d["stages"][1].update(percentage=-1),
     "stages.1.percentage", "outside 0-100"),
    (lambda d: d["triggers"][0].update(of="download_clickz"),
     "triggers.0.of", "no metric 'download_clickz'"),
    (lambda d: d["triggers"][0].update(action="panic"), "triggers.0.action", "not an action"),
    (lambda d: d["stages"][1].update(min_duration="soon"),
     "stages.1.min_duration", "not a duration"),
    (lambda d: d["stages"][0].pop("users"), "stages.0", "one audience"),
    (lambda d: d["stages"][1].update(segments=["nobody"]), "stages.1.segments",
     "No segment named 'nobody'"),
    (lambda d: d["stages"][1]["criteria"][0].update(comparator="=="),
     "stages.1.criteria.0.comparator", "not a comparator"),
    (lambda d: d.update(stages=[]), "stages", "at least one stage"),
])
def test_plan_create_with_bad_definition_is_refused_and_saves_nothing(release, flag, change,
                                                                     field, message):
    definition = seed_definition()
    change(definition)

    with pytest.raises(ValidationFailed) as refused:
        create(release, flag, definition)

    assert field in refused.value.errors, refused.value.errors
    assert message in " ".join(refused.value.errors[field])
    assert not RolloutPlan.objects.exists() and not Stage.objects.exists()
    assert not Trigger.objects.exists()


def test_plan_create_reports_every_problem_at_once(release, flag):
    definition = seed_definition()
    definition["stages"][1]["criteria"][1]["threshold"] = "two"
    definition["stages"][3]["percentage"] = 101

    with pytest.raises(ValidationFailed) as refused:
        create(release, flag, definition)

    assert set(refused.value.errors) == {"stages.1.criteria.1.threshold", "stages.3.percentage"}


@pytest.mark.parametrize("template, options, percentages", [
    ("uat-10-50-100", {"users": UAT_USERS}, [None, 10, 50, 100]),
    ("1-5-25-50-100", {}, [1, 5, 25, 50, 100]),
])
def test_plan_create_from_template_has_the_template_shape(release, flag, template, options,
                                                          percentages):
    plan = services.rollout_plan_create(
        release=release, flag=flag, environment="production", template=template,
        template_options={**options, "criteria": [ERROR_RATE]}, actor=SYSTEM)

    stages = list(plan.stages.all())
    assert [s.percentage for s in stages] == percentages
    assert all(s.criteria.count() == 1 for s in stages if s.percentage is not None)
    assert plan.template_key == template


def test_plan_create_from_ring_template_has_a_stage_per_segment(release, flag):
    staff = flags.segment_create(name="Staff", constraints=[{
        "contextName": "email", "operator": "STR_ENDS_WITH", "values": ["@va.gov"]}],
        actor=SYSTEM)
    beta = flags.segment_create(name="Beta", constraints=[{
        "contextName": "beta", "operator": "IN", "values": ["yes"]}], actor=SYSTEM)

    plan = services.rollout_plan_create(
        release=release, flag=flag, environment="production", template="ring-by-segment",
        template_options={"segments": ["Staff", "Beta"]}, actor=SYSTEM)

    assert [(s.segment_ids, s.percentage) for s in plan.stages.all()] == [
        ([staff.pk], None), ([beta.pk], None), ([], 100)]


def test_plan_create_with_unknown_template_is_refused(release, flag):
    with pytest.raises(ValidationFailed, match="Unknown rollout template"):
        services.rollout_plan_create(release=release, flag=flag, environment="production",
                                     template="big-bang", actor=SYSTEM)


def test_second_unfinished_plan_for_the_same_flag_and_environment_is_refused(plan, release,
                                                                             flag):
    with pytest.raises(ValidationFailed, match="already has an unfinished rollout plan"):
        create(release, flag, seed_definition())
    staging = services.rollout_plan_create(release=release, flag=flag, environment="staging",
                                           definition_data=seed_definition(), actor=SYSTEM)
    assert staging.key == "1095-b-download-staging"


def test_plan_create_for_unknown_environment_is_refused(release, flag):
    from tminus.core.errors import NotFound

    with pytest.raises(NotFound, match="no environment 'moon'"):
        services.rollout_plan_create(release=release, flag=flag, environment="moon",
                                     definition_data=seed_definition(), actor=SYSTEM)


def test_plan_create_needs_a_release_manager(release, flag, contributor):
    with pytest.raises(NotAllowed):
        services.rollout_plan_create(release=release, flag=flag, environment="production",
                                     definition_data=seed_definition(),
                                     actor=Actor.cli(contributor))


def test_plan_update_in_draft_replaces_the_definition(plan):
    definition = seed_definition(name="Faster")
    definition["stages"] = definition["stages"][1:]

    services.rollout_plan_update(plan=plan, definition_data=definition, revision=plan.revision,
                                 actor=SYSTEM)

    plan.refresh_from_db()
    assert plan.name == "Faster" and plan.revision == 2
    assert [s.percentage for s in plan.stages.all()] == [10, 50, 100]


def test_plan_update_from_a_stale_revision_is_a_conflict(plan):
    with pytest.raises(Conflict):
        services.rollout_plan_update(plan=plan, definition_data=seed_definition(), revision=7,
                                     actor=SYSTEM)
    assert plan.stages.count() == 4


def test_plan_update_after_start_is_refused(plan):
    services.rollout_start(plan=plan, actor=SYSTEM, reason="go")

    with pytest.raises(TransitionNotAllowed, match="only a draft"):
        services.rollout_plan_update(plan=plan, definition_data=seed_definition(),
                                     actor=SYSTEM)

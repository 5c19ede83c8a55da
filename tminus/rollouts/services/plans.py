"""Defining a plan: create it from a definition or a template, change it while a draft."""

from django.db import transaction
from django.utils import timezone

from tminus.accounts.models import User
from tminus.accounts.permissions import require
from tminus.accounts.roles import MANAGE
from tminus.audit.services import audit_record
from tminus.core.actors import Actor
from tminus.core.concurrency import save_versioned
from tminus.core.errors import TransitionNotAllowed, ValidationFailed
from tminus.core.keys import make_key
from tminus.flags.models import Environment, Flag, Segment
from tminus.flags.services import environment_of
from tminus.rollouts import definition
from tminus.rollouts.choices import Moment, RolloutStatus
from tminus.rollouts.models import Criterion, RolloutPlan, Stage, Trigger
from tminus.rollouts.services.common import note, plan_state, refuse_second_plan
from tminus.rollouts.templates_catalog import template_definition


def _segments_by_name() -> dict[str, int]:
    return dict(Segment.objects.values_list("name", "pk"))


def _parsed(data) -> definition.PlanSpec:
    spec, problems = definition.parse_definition(data, segments_by_name=_segments_by_name())
    if problems:
        raise ValidationFailed(problems)
    return spec


def _owner(username: str | None):
    if not username:
        return None
    user = User.objects.filter(username=username, is_active=True).first()
    if user is None:
        raise ValidationFailed({"owner": f"No user named {username!r}."})
    return user


def _flag_and_environment(flag, environment) -> tuple[Flag, Environment]:
    if not isinstance(flag, Flag):
        found = Flag.objects.filter(key=flag).select_related("project").first()
        if found is None:
            raise ValidationFailed({"flag": f"No flag named {flag!r}."})
        flag = found
    if flag.archived_at is not None:
        raise ValidationFailed({"flag": f"{flag.key} is archived; revive it first."})
    return flag, environment_of(flag, environment)


def _unique_key(wanted: str) -> str:
    base = make_key(wanted)[:100] or "rollout"
    key, counter = base, 2
    while RolloutPlan.objects.filter(key=key).exists():
        key, counter = f"{base}-{counter}", counter + 1
    return key


def _write_definition(plan: RolloutPlan, spec: definition.PlanSpec) -> None:
    for order, stage_spec in enumerate(spec.stages):
        stage = Stage.objects.create(
            plan=plan, order=order, name=stage_spec.name, user_ids=stage_spec.users,
            segment_ids=stage_spec.segments, percentage=stage_spec.percentage,
            min_duration_minutes=stage_spec.min_duration_minutes,
            not_before=stage_spec.not_before, approval_required=stage_spec.approval)
        Criterion.objects.bulk_create(
            Criterion(stage=stage, order=i, compare=c.compare, confidence=c.confidence,
                      on_regression=c.on_regression, per_user=c.measure.per_user,
                      **_check_fields(c))
            for i, c in enumerate(stage_spec.criteria))
    Trigger.objects.bulk_create(
        Trigger(plan=plan, order=i, window_minutes=t.window_minutes, action=t.action,
                **_check_fields(t))
        for i, t in enumerate(spec.triggers))


def _check_fields(check: definition.CheckSpec) -> dict:
    m = check.measure
    return {"metric": m.metric, "aggregation": m.aggregation, "denominator": m.denominator,
            "sample_metric": m.sample_metric, "source": m.source, "query": m.query,
            "of_query": m.of_query, "squares_query": m.squares_query,
            "url": m.url, "all_flags": check.all_flags, "comparator": check.comparator,
            "threshold": check.threshold, "min_sample": check.min_sample}


def plan_definition(plan: RolloutPlan) -> dict:
    """The plan's definition as data (what the editor shows and the API returns)."""
    stages = plan.stages.prefetch_related("criteria")
    names = dict(Segment.objects.values_list("pk", "name"))
    return definition.plan_data(plan, stages, plan.triggers.all(), names)


@transaction.atomic
def rollout_plan_create(*, release, flag, environment, actor: Actor, definition_data=None,
                        template: str = "", template_options: dict | None = None,
                        key: str = "") -> RolloutPlan:
    """Create a draft rollout plan for a flag in an environment, from a definition or template."""
    require(actor, MANAGE)
    flag, environment = _flag_and_environment(flag, environment)
    if definition_data is None:
        try:
            definition_data = template_definition(template, **(template_options or {}))
        except ValueError as error:
            raise ValidationFailed({"template": str(error)}) from None
        except TypeError as error:  # an option the templates do not take
            raise ValidationFailed({"template_options": str(error)}) from None
    spec = _parsed(definition_data)
    refuse_second_plan(flag, environment)
    plan = RolloutPlan.objects.create(
        key=_unique_key(key or f"{flag.key}-{environment.key}"),
        name=spec.name or f"Rollout of {flag.key} in {environment.key}", release=release,
        flag=flag, environment=environment, owner=_owner(spec.owner), template_key=template)
    _write_definition(plan, spec)
    note(plan, Moment.CREATED, actor, "", timezone.now())
    audit_record(actor=actor, action="rollout.create", obj=plan, release_id=release.pk,
                 after={"key": plan.key, "flag": flag.key, "environment": environment.key,
                        "definition": plan_definition(plan)})
    return plan


@transaction.atomic
def rollout_plan_update(*, plan: RolloutPlan, definition_data, actor: Actor,
                        revision: int | None = None) -> RolloutPlan:
    """Replace a draft plan's stages, criteria and triggers (and its name and owner)."""
    require(actor, MANAGE)
    plan = RolloutPlan.objects.select_related("release").get(pk=plan.pk)
    if plan.status != RolloutStatus.DRAFT:
        raise TransitionNotAllowed(f"{plan.key} has started; only a draft can be changed. "
                                   "Roll it back and create a new plan to change its shape.")
    spec = _parsed(definition_data)
    before = plan_definition(plan)
    plan.name = spec.name or plan.name
    plan.owner = _owner(spec.owner)
    save_versioned(plan, revision, ["name", "owner", "updated_at"], snapshot=plan_state)
    plan.stages.all().delete()
    plan.triggers.all().delete()
    _write_definition(plan, spec)
    note(plan, Moment.UPDATED, actor, "", timezone.now())
    audit_record(actor=actor, action="rollout.update", obj=plan, release_id=plan.release_id,
                 before={"definition": before}, after={"definition": plan_definition(plan)})
    return plan

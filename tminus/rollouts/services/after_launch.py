"""After launch: check-ins that snapshot the metrics, and the flag's clean-up task."""

from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from tminus.audit.services import audit_record
from tminus.core.actors import Actor
from tminus.rollouts import checks
from tminus.rollouts.choices import Moment
from tminus.rollouts.choices import RolloutStatus as S
from tminus.rollouts.models import CheckIn, RolloutPlan
from tminus.rollouts.results import window_results
from tminus.rollouts.services.common import note, stages_of


def checkin_days() -> list[int]:
    """The post-launch check-ins, in days after completion (TMINUS_ROLLOUT_CHECKIN_DAYS)."""
    return sorted({int(day) for day in settings.ROLLOUT_CHECKIN_DAYS})


def checkin_label(days: int) -> str:
    """'1-week results', '1-month results', '10-day results'."""
    if days % 30 == 0:
        return f"{days // 30}-month results"
    if days % 7 == 0:
        return f"{days // 7}-week results"
    return f"{days}-day results"


def rollout_checkins_take(*, now: datetime | None = None) -> int:
    """Take every check-in that is due: the plan's numbers since it completed."""
    now = now or timezone.now()
    taken = 0
    for checkin in CheckIn.objects.filter(taken_at__isnull=True, due_at__lte=now):
        with transaction.atomic():
            if not CheckIn.objects.filter(pk=checkin.pk, taken_at__isnull=True).update(
                    taken_at=now):
                continue  # another worker took it
            _checkin_fill(checkin, now)
            taken += 1
    return taken


def _checkin_fill(checkin: CheckIn, now: datetime) -> None:
    plan = (RolloutPlan.objects.select_related("flag", "environment", "release")
            .get(pk=checkin.plan_id))
    start, end = plan.completed_at or plan.started_at or checkin.due_at, checkin.due_at
    triggers = list(plan.triggers.all())
    watched = _distinct_checks([c for s in stages_of(plan) for c in s.criteria.all()] + triggers)
    results = [checks.evaluate(plan, check, start, end) for check in watched]
    checkin.results = window_results(plan, start, end, results, triggers)
    checkin.save(update_fields=["results"])
    actor = Actor.worker()
    note(plan, Moment.CHECKIN, actor, checkin.label, now, days=checkin.days)
    audit_record(actor=actor, action="rollout.checkin", obj=plan, release_id=plan.release_id,
                 after={"checkin": checkin.label, "results": checkin.results})


def _distinct_checks(all_checks) -> list:
    seen, distinct = set(), []
    for check in all_checks:
        key = checks.measure_of(check).describe()
        if key not in seen:
            seen.add(key)
            distinct.append(check)
    return distinct


def rollout_cleanups_create(*, now: datetime | None = None) -> int:
    """Give every flag at 100% for long enough a clean-up task on its release's checklist."""
    now = now or timezone.now()
    due = now - timedelta(days=settings.ROLLOUT_CLEANUP_AFTER_DAYS)
    created = 0
    for plan in RolloutPlan.objects.filter(status=S.COMPLETED, cleanup_requested_at__isnull=True,
                                           full_at__lte=due).select_related(
            "flag__owner", "environment", "release__owner", "owner"):
        with transaction.atomic():
            if not RolloutPlan.objects.filter(pk=plan.pk, cleanup_requested_at__isnull=True
                                              ).update(cleanup_requested_at=now):
                continue
            _cleanup_task(plan, now)
            created += 1
    return created


def _cleanup_task(plan: RolloutPlan, now: datetime) -> None:
    from tminus.releases import services as releases

    actor = Actor.worker()
    owner = plan.flag.owner or plan.owner or plan.release.owner
    due = timezone.localdate(now) + timedelta(days=settings.ROLLOUT_CLEANUP_DUE_DAYS)
    section = releases.checklist_section_add(
        release=plan.release, title=f"Feature flag clean-up: {plan.flag.key}",
        group="After launch", due_date=due, owner=owner, actor=actor)
    for text in (f"Remove the toggle {plan.flag.key} from the code",
                 f"Archive the flag {plan.flag.key} in T-Minus"):
        releases.checklist_item_add(section=section, text=text, owner=owner, due_date=due,
                                    actor=actor)
    RolloutPlan.objects.filter(pk=plan.pk).update(cleanup_section_id=section.pk)
    reason = (f"{plan.flag.key} has served 100% of users since {plan.full_at:%Y-%m-%d}; "
              f"clean-up due {due:%Y-%m-%d}.")
    note(plan, Moment.CLEANUP, actor, reason, now, section=section.pk,
          owner=owner.username if owner else None)
    audit_record(actor=actor, action="rollout.cleanup", obj=plan, release_id=plan.release_id,
                 after={"section": section.title, "due_date": due,
                        "owner": owner.username if owner else None}, reason=reason)

"""The release page: a panel with the release's rollout plans, and alerts for those that need
someone (held by a trigger, rolled back, waiting for approval)."""

from tminus.rollouts import selectors
from tminus.rollouts.choices import RolloutStatus
from tminus.rollouts.models import RolloutPlan

NEEDS_SOMEONE = [RolloutStatus.HELD, RolloutStatus.ROLLED_BACK, RolloutStatus.AWAITING_APPROVAL]


def release_rollouts(request, release) -> dict:
    plans = selectors.plans_for_release(release)
    return {"rows": [(plan, selectors.current_stage(plan)) for plan in plans],
            "release_key": release.key}


def release_alerts(release) -> list[str]:
    """One line per plan of the release that waits for a person."""
    plans = (RolloutPlan.objects.filter(release=release, status__in=NEEDS_SOMEONE)
             .select_related("flag", "environment").order_by("created_at"))
    alerts = []
    for plan in plans:
        where = f"The rollout of {plan.flag.key} in {plan.environment.key}"
        if plan.status == RolloutStatus.AWAITING_APPROVAL:
            alerts.append(f"{where} waits for approval to advance.")
        else:
            alerts.append(f"{where} is {plan.get_status_display().lower()}: "
                          f"{plan.status_reason}")
    return alerts

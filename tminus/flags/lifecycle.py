"""A flag's life: its stage, whether SDKs still ask for it, and the end of it (hard delete);
and the environment-wide kill switch.

Stages: define (created, on nowhere), develop (on somewhere, not in production), production (on
in a production environment), cleanup (someone marked its work done: remove it from the code),
archived. Only `cleanup` is set by a person; the others follow from the flag's state.
"""

from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from tminus.accounts.permissions import require
from tminus.accounts.roles import MANAGE
from tminus.audit.services import audit_record
from tminus.core.actors import Actor
from tminus.core.errors import ValidationFailed
from tminus.flags import revisions
from tminus.flags.choices import ChangeKind
from tminus.flags.models import Environment, Flag, FlagEnvironment, MetricsBucket
from tminus.flags.permissions import require_change, require_may_request
from tminus.flags.services import audit_flag

STAGES = ["define", "develop", "production", "cleanup", "archived"]


def is_production(environment: Environment) -> bool:
    """Environments whose key starts with `prod` (production, prod-eu …) count as production."""
    return environment.key.startswith("prod")


def flag_stage(flag: Flag, states=None) -> str:
    if flag.archived_at is not None:
        return "archived"
    if flag.cleanup_since is not None:
        return "cleanup"
    states = states if states is not None else flag.states.select_related("environment")
    enabled = [state.environment for state in states if state.enabled]
    if any(is_production(environment) for environment in enabled):
        return "production"
    return "develop" if enabled else "define"


def last_evaluated(flag_ids) -> dict[int, datetime]:
    """The start of the newest metrics minute with an evaluation, per flag id."""
    rows = (MetricsBucket.objects.filter(flag_id__in=list(flag_ids)).exclude(yes=0, no=0)
            .values("flag_id").annotate(newest=Max("start")))
    return {row["flag_id"]: row["newest"] for row in rows}


def unused_since(flag: Flag, last: datetime | None, now: datetime | None = None
                 ) -> datetime | None:
    """When a live flag became unused (no evaluation for TMINUS_FLAGS_UNUSED_DAYS), else None.

    A flag younger than that is not unused yet: SDKs may not have shipped with it.
    """
    if flag.archived_at is not None:
        return None
    now = now or timezone.now()
    window = timedelta(days=settings.FLAGS_UNUSED_DAYS)
    since = last or flag.created_at
    return since if now - since >= window else None


def lifecycle_rows(flags, now: datetime | None = None) -> list[dict]:
    """Stage, last evaluation and unused mark for each flag (a bounded number of queries)."""
    from tminus.flags.selectors import potentially_stale

    flags = list(flags)
    now = now or timezone.now()
    newest = last_evaluated(f.pk for f in flags)
    states = {}
    for state in FlagEnvironment.objects.filter(flag__in=flags).select_related("environment"):
        states.setdefault(state.flag_id, []).append(state)
    rows = []
    for flag in flags:
        unused = unused_since(flag, newest.get(flag.pk), now)
        rows.append({"flag": flag.key, "project": flag.project.key,
                     "stage": flag_stage(flag, states.get(flag.pk, [])),
                     "owner": flag.owner.username if flag.owner_id else None,
                     "last_evaluated": newest.get(flag.pk),
                     "unused": unused is not None, "unused_since": unused,
                     "potentially_stale": potentially_stale(flag, now),
                     "cleanup_since": flag.cleanup_since})
    return rows


@transaction.atomic
def flag_cleanup_mark(*, flag: Flag, cleanup: bool, actor: Actor) -> Flag:
    """Say a flag's work is done and it is to be removed from the code (or take that back)."""
    require_change(actor, flag.project)
    if flag.archived_at is not None:
        raise ValidationFailed({"flag": f"{flag.key} is archived."})
    before = {"cleanup_since": flag.cleanup_since}
    flag.cleanup_since = (flag.cleanup_since or timezone.now()) if cleanup else None
    flag.save(update_fields=["cleanup_since", "updated_at"])
    audit_flag(actor, "flag.stage", flag, before=before,
               after={"cleanup_since": flag.cleanup_since, "stage": flag_stage(flag)})
    return flag


@transaction.atomic
def flag_delete(*, flag: Flag, actor: Actor, reason: str = "") -> None:
    """Delete an archived flag for good, with its states, strategies, metrics and requests."""
    require(actor, MANAGE)
    require_change(actor, flag.project)
    if flag.archived_at is None:
        raise ValidationFailed({"flag": f"{flag.key} is not archived; archive it first."})
    audit_flag(actor, "flag.delete", flag, before={"key": flag.key,
                                                   "archived_at": flag.archived_at},
               reason=reason)
    flag.delete()


@transaction.atomic
def environment_kill_switch(*, environment: Environment, killed: bool, actor: Actor,
                            reason: str = "") -> Environment:
    """Turn every flag of an environment off for SDKs at once (or back to their states).

    Whoever may change flags there may pull it; it is not held up by approvals (it is for
    emergencies), and it is audited and announced like every flag change.
    """
    require_may_request(actor, environment.project, environment)
    if not isinstance(killed, bool):
        raise ValidationFailed({"killed": "Must be true or false."})
    environment = Environment.objects.select_for_update().select_related("project").get(
        pk=environment.pk)
    before = {"killed_at": environment.killed_at}
    if (environment.killed_at is not None) != killed:
        environment.killed_at = timezone.now() if killed else None
        environment.save(update_fields=["killed_at"])
        keys = environment.flag_states.filter(flag__archived_at__isnull=True).values_list(
            "flag__key", flat=True)
        revisions.record_changes([environment.pk],
                                 [(ChangeKind.FEATURE_UPDATED, key) for key in keys])
    audit_record(actor=actor, action="flag_environment.kill_switch", obj=environment,
                 project=environment.project.key, environment=environment.key, before=before,
                 after={"killed_at": environment.killed_at}, reason=reason)
    return environment

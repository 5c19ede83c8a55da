"""Change requests: flag changes that wait for approval (protected environments) or for their
time (scheduled changes), then are applied once through the same service function.

A change request holds an operation (the name of a service function in `OPERATIONS`) and its
arguments as JSON (a flag by name, a strategy or segment by id, an environment by key). When it
is submitted, the change is tried on the real service inside a savepoint that is rolled back,
so a request that could never apply is refused at once with the service's own messages.
Applying it is a conditional update (approved -> applied) in the transaction that calls the
service: of two workers, or a worker and a person, exactly one applies it.
"""

import inspect
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from dateutil.parser import ParserError
from dateutil.parser import parse as parse_datetime
from django.db import transaction
from django.utils import timezone

from tminus.accounts.permissions import require, role_of
from tminus.accounts.roles import ADMIN, MANAGE, ROLE_CHOICES
from tminus.audit.services import audit_record
from tminus.core.actors import WORKER, Actor
from tminus.core.errors import (
    NotAllowed,
    NotFound,
    ServiceError,
    TransitionNotAllowed,
    ValidationFailed,
)
from tminus.flags import services
from tminus.flags.choices import PENDING_CHANGE_STATUSES
from tminus.flags.choices import ChangeRequestStatus as Status
from tminus.flags.models import ChangeRequest, Environment, Flag, Project, Segment, Strategy
from tminus.flags.permissions import applying_approved_change, require_may_request
from tminus.worker.services import job_enqueue

JOB_KIND = "flags.change_request_apply"
# Roles from least to most, to compare with an environment's approver role.
ROLE_RANK = {role: rank for rank, (role, _label) in enumerate(reversed(ROLE_CHOICES))}


@dataclass(frozen=True)
class Operation:
    name: str
    function: Callable
    describe: Callable[[dict], str]


OPERATIONS: dict[str, Operation] = {}


def register_operation(name: str, function: Callable,
                       describe: Callable[[dict], str] | None = None) -> None:
    """Let a flag service be requested and scheduled (`describe(arguments)` names the change)."""
    OPERATIONS[name] = Operation(name, function, describe or (
        lambda a: f"{name.replace('_', ' ')} of {_subject_of(a)}"))


def _where(arguments: dict) -> str:
    environment = arguments.get("environment")
    if isinstance(environment, Environment):
        return str(environment)
    flag = arguments.get("flag")
    return f"{flag.project.key}/{environment}" if flag is not None else str(environment)


def _strategy_where(arguments: dict) -> str:
    state = arguments["strategy"].state
    return f"{state.flag.key} in {state.environment}"


register_operation("flag_environment_toggle", services.flag_environment_toggle, lambda a: (
    f"Switch {a['flag'].key} {'on' if a.get('enabled') else 'off'} in {_where(a)}"))
register_operation("flag_rollout_percentage_set", services.flag_rollout_percentage_set,
                   lambda a: f"Roll {a['flag'].key} out to {a.get('percentage')}% in "
                             f"{_where(a)}")
register_operation("flag_variants_set", services.flag_variants_set,
                   lambda a: f"Set the variants of {a['flag'].key} in {_where(a)}")
register_operation("strategy_create", services.strategy_create,
                   lambda a: f"Add a {a.get('name')} strategy to {a['flag'].key} in "
                             f"{_where(a)}")
register_operation("strategy_update", services.strategy_update,
                   lambda a: f"Change a strategy of {_strategy_where(a)}")
register_operation("strategy_delete", services.strategy_delete,
                   lambda a: f"Remove a strategy of {_strategy_where(a)}")
register_operation("segment_update", services.segment_update,
                   lambda a: f"Change the segment {a['segment'].name}")
register_operation("flag_archive", services.flag_archive,
                   lambda a: f"Archive {a['flag'].key}")


# -- arguments as JSON -----------------------------------------------------------------------


def encode(arguments: dict) -> dict:
    """Model arguments by name (flag), id (strategy, segment) or key (environment)."""
    encoded = {}
    for name, value in arguments.items():
        if isinstance(value, Flag):
            value = value.key
        elif isinstance(value, Strategy | Segment):
            value = value.pk
        elif isinstance(value, Environment):
            value = value.key
        encoded[name] = value
    return encoded


def decode(payload: dict) -> dict:
    """The arguments again, with the flag, strategy and segment loaded; NotFound when gone."""
    arguments = dict(payload)
    if "flag" in arguments:
        flag = Flag.objects.select_related("project").filter(key=arguments["flag"]).first()
        if flag is None:
            raise NotFound(f"No flag named {arguments['flag']!r}.")
        arguments["flag"] = flag
    if "strategy" in arguments:
        strategy = Strategy.objects.select_related(
            "state__flag__project", "state__environment").filter(
            pk=_integer(arguments["strategy"], "strategy")).first()
        if strategy is None:
            raise NotFound(f"No strategy {arguments['strategy']}.")
        arguments["strategy"] = strategy
    if "segment" in arguments:
        segment = Segment.objects.select_related("project").filter(
            pk=_integer(arguments["segment"], "segment")).first()
        if segment is None:
            raise NotFound(f"No segment {arguments['segment']}.")
        arguments["segment"] = segment
    if "flag" in arguments and "environment" in arguments:
        arguments["environment"] = services.environment_of(arguments["flag"],
                                                           arguments["environment"])
    return arguments


def _integer(value, field: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int | str) or not str(value).isdigit():
        raise ValidationFailed({field: f"{value!r} is not an id."})
    return int(value)


def _subject_of(arguments: dict) -> str:
    for name in ("flag", "segment"):
        if name in arguments:
            return getattr(arguments[name], "key", None) or arguments[name].name
    if "strategy" in arguments:
        return arguments["strategy"].state.flag.key
    return "?"


@dataclass
class Scope:
    project: Project
    environments: list[Environment]
    flag: Flag | None
    subject: str


def scope_of(arguments: dict) -> Scope:
    """Which project, environments and flag a change touches."""
    if "strategy" in arguments:
        state = arguments["strategy"].state
        return Scope(state.flag.project, [state.environment], state.flag, state.flag.key)
    if "flag" in arguments:
        flag = arguments["flag"]
        environment = arguments.get("environment")
        if environment is not None:
            environment = services.environment_of(flag, environment)
        return Scope(flag.project, [environment] if environment is not None else [], flag,
                     flag.key)
    if "segment" in arguments:
        segment = arguments["segment"]
        users = services.segment_users(segment)
        environments = list({s.state.environment_id: s.state.environment for s in users}
                            .values())
        project = segment.project or (users[0].state.flag.project if users else None)
        if project is None:
            raise ValidationFailed({"segment": "An unused shared segment needs no request; "
                                               "change it directly."})
        return Scope(project, environments, None, segment.name)
    raise ValidationFailed({"arguments": "Name the flag, strategy or segment to change."})


# -- submitting ----------------------------------------------------------------------------


@dataclass
class Submitted:
    """What became of a change: applied now (`result`) or waiting (`change_request`)."""

    result: object = None
    change_request: ChangeRequest | None = None


class _DryRun(Exception):
    pass


def parse_when(text: str, time_zone: str = "") -> datetime:
    """`2027-03-12 09:00` in the time zone (default: the server's); ISO with an offset too."""
    try:
        zone = ZoneInfo(time_zone) if time_zone else timezone.get_default_timezone()
    except (ZoneInfoNotFoundError, ValueError):
        raise ValidationFailed({"time_zone": f"Unknown time zone {time_zone!r} (use a name "
                                             "such as Europe/Oslo)."}) from None
    try:
        moment = parse_datetime(text) if isinstance(text, str) else text
    except (ParserError, ValueError, OverflowError):
        raise ValidationFailed({"at": f"{text!r} is not a date and time "
                                      "(2027-03-12 09:00)."}) from None
    if not isinstance(moment, datetime):
        raise ValidationFailed({"at": "Give a date and time."})
    return moment if timezone.is_aware(moment) else moment.replace(tzinfo=zone)


def submit(operation: str, *, actor: Actor, at=None, time_zone: str = "", **arguments
           ) -> Submitted:
    """Make a change now, or as a change request when its environment is protected (for a
    person) or when it is scheduled (`at`, with `time_zone`)."""
    entry = OPERATIONS.get(operation)
    if entry is None:
        raise ValidationFailed({"operation": f"Unknown operation {operation!r}; use one of "
                                             f"{', '.join(sorted(OPERATIONS))}."})
    scope = scope_of(arguments)
    for environment in scope.environments or [None]:
        require_may_request(actor, scope.project, environment)
    protected = [env for env in scope.environments if env.requires_approval]
    needs_approval = bool(protected) and actor.user is not None
    when = parse_when(at, time_zone) if at else None
    if not needs_approval and when is None:
        return Submitted(result=entry.function(actor=actor, **arguments))
    if when is not None and when <= timezone.now():
        raise ValidationFailed({"at": "A scheduled change needs a moment in the future."})
    _try(entry, actor, arguments)
    return Submitted(change_request=_create(entry, scope, arguments, actor, when, time_zone,
                                            needs_approval, protected))


def _try(entry: Operation, actor: Actor, arguments: dict) -> None:
    """Run the change and roll it back: its own checks refuse a request that cannot apply."""
    try:
        with transaction.atomic(), applying_approved_change():
            entry.function(actor=actor, **arguments)
            raise _DryRun
    except _DryRun:
        pass


@transaction.atomic
def _create(entry, scope, arguments, actor, when, time_zone, needs_approval, protected
            ) -> ChangeRequest:
    user = actor.user if getattr(actor.user, "pk", None) else None
    environment = protected[0] if protected else (scope.environments[0]
                                                  if scope.environments else None)
    change = ChangeRequest.objects.create(
        project=scope.project, environment=environment, flag=scope.flag,
        subject=scope.subject[:255], summary=entry.describe(arguments)[:300],
        operation=entry.name, payload=encode(arguments), reason=arguments.get("reason", ""),
        needs_approval=needs_approval,
        status=Status.OPEN if needs_approval else Status.APPROVED,
        requested_by=user, requested_label=actor.label, requested_via=actor.interface,
        scheduled_for=when, time_zone=time_zone if when else "")
    _audit(change, actor, "create", after={"summary": change.summary,
                                           "status": change.status,
                                           "scheduled_for": change.scheduled_for})
    if not needs_approval:
        _schedule(change)
    return change


def _audit(change: ChangeRequest, actor: Actor, verb: str, **values) -> None:
    audit_record(actor=actor, action=f"flag_change_request.{verb}", obj=change,
                 project=change.project.key,
                 environment=change.environment.key if change.environment_id else "",
                 release_id=change.flag.release_id if change.flag_id else None,
                 reason=change.reason if verb == "create" else change.comment, **values)


def _schedule(change: ChangeRequest) -> None:
    job_enqueue(kind=JOB_KIND, payload={"change_request_id": change.pk},
                run_at=change.scheduled_for, dedupe_key=f"{JOB_KIND}:{change.pk}",
                max_attempts=3)


# -- deciding ------------------------------------------------------------------------------


def _require_approver(change: ChangeRequest, actor: Actor) -> None:
    if actor.user is None:
        raise NotAllowed("Approving needs a person (the command takes --as USER).")
    if change.requested_by_id == actor.user.pk:
        raise NotAllowed("Someone else must approve or reject your own change request.")
    needed = change.environment.approver_role if change.environment_id else ADMIN
    role = role_of(actor.user)
    if role is None or ROLE_RANK.get(role, -1) < ROLE_RANK.get(needed, 99):
        raise NotAllowed(f"Approving changes to {change.environment} needs the role "
                         f"{needed} or higher.")
    require_may_request(actor, change.project, change.environment)


def _decide(change: ChangeRequest, actor: Actor, status: str, comment: str) -> None:
    won = ChangeRequest.objects.filter(pk=change.pk, status=Status.OPEN).update(
        status=status, decided_by=actor.user, decided_label=actor.label,
        decided_at=timezone.now(), comment=comment)
    if not won:
        change.refresh_from_db()
        raise TransitionNotAllowed(f"Change request #{change.pk} is already "
                                   f"{change.get_status_display().lower()}.")
    change.refresh_from_db()


@transaction.atomic
def change_request_approve(*, change: ChangeRequest, actor: Actor, comment: str = ""
                           ) -> ChangeRequest:
    """Approve a change request: applied now, or at its scheduled time."""
    _require_approver(change, actor)
    _decide(change, actor, Status.APPROVED, comment)
    _audit(change, actor, "approve", after={"status": Status.APPROVED})
    if change.scheduled_for and change.scheduled_for > timezone.now():
        _schedule(change)
    else:
        change_request_apply(change_id=change.pk, interface=actor.interface)
    change.refresh_from_db()
    return change


@transaction.atomic
def change_request_reject(*, change: ChangeRequest, actor: Actor, comment: str = ""
                          ) -> ChangeRequest:
    """Reject a change request; nothing is changed."""
    _require_approver(change, actor)
    _decide(change, actor, Status.REJECTED, comment)
    _audit(change, actor, "reject", after={"status": Status.REJECTED})
    return change


@transaction.atomic
def change_request_cancel(*, change: ChangeRequest, actor: Actor) -> ChangeRequest:
    """Withdraw a change that has not been applied: its requester, or a release manager."""
    own = actor.user is not None and change.requested_by_id == actor.user.pk
    if not own:
        require(actor, MANAGE)
    won = ChangeRequest.objects.filter(pk=change.pk, status__in=PENDING_CHANGE_STATUSES).update(
        status=Status.CANCELLED, decided_by=actor.user, decided_label=actor.label,
        decided_at=timezone.now())
    if not won:
        raise TransitionNotAllowed(f"Change request #{change.pk} can no longer be cancelled.")
    change.refresh_from_db()
    _audit(change, actor, "cancel", after={"status": Status.CANCELLED})
    return change


# -- applying ------------------------------------------------------------------------------


@transaction.atomic
def change_request_apply(*, change_id: int, interface: str = WORKER,
                         now: datetime | None = None) -> bool:
    """Apply an approved change whose time has come, exactly once; False when it was not due,
    already applied, or the change failed (then it is marked failed with the reason)."""
    now = now or timezone.now()
    change = (ChangeRequest.objects.select_for_update(of=("self",)).select_related(
        "project", "environment", "flag", "requested_by").filter(pk=change_id).first())
    if change is None or change.status != Status.APPROVED or (
            change.scheduled_for is not None and change.scheduled_for > now):
        return False
    ChangeRequest.objects.filter(pk=change.pk).update(status=Status.APPLIED, applied_at=now)
    actor = Actor(change.requested_by, interface)
    try:
        with transaction.atomic(), applying_approved_change():
            entry = OPERATIONS[change.operation]
            arguments = decode(change.payload)
            if "reason" in inspect.signature(entry.function).parameters:
                arguments["reason"] = _applied_reason(change)
            entry.function(actor=actor, **arguments)
    except (ServiceError, KeyError) as error:
        problem = getattr(error, "message", f"Unknown operation {change.operation!r}.")
        ChangeRequest.objects.filter(pk=change.pk).update(status=Status.FAILED, applied_at=None,
                                                          problem=problem)
        change.refresh_from_db()
        _audit(change, Actor(None, interface), "fail", after={"status": Status.FAILED,
                                                             "problem": problem})
        return False
    change.refresh_from_db()
    _audit(change, Actor(None, interface), "apply", after={"status": Status.APPLIED})
    return True


def local_moment(change: ChangeRequest) -> datetime | None:
    """When a change is scheduled, in the time zone it was given in (else the server's)."""
    if change.scheduled_for is None:
        return None
    try:
        zone = ZoneInfo(change.time_zone) if change.time_zone else None
    except (ZoneInfoNotFoundError, ValueError):
        zone = None
    return timezone.localtime(change.scheduled_for, zone)


def _applied_reason(change: ChangeRequest) -> str:
    how = (f"approved by {change.decided_label}" if change.needs_approval
           else f"scheduled for {local_moment(change):%Y-%m-%d %H:%M %Z}")
    return " ".join(part for part in (change.reason, f"(change request #{change.pk}, {how})")
                    if part)


def change_requests_apply_due(now: datetime | None = None) -> int:
    """Apply every approved change whose time has come (the worker's safety net)."""
    now = now or timezone.now()
    due = ChangeRequest.objects.filter(status=Status.APPROVED, scheduled_for__lte=now)
    return sum(change_request_apply(change_id=pk, now=now)
               for pk in due.values_list("pk", flat=True))


# -- reading -------------------------------------------------------------------------------


def environment_get(project_key: str, environment_key: str) -> Environment:
    environment = Environment.objects.select_related("project").filter(
        project__key=project_key, key=environment_key).first()
    if environment is None:
        raise NotFound(f"No environment {environment_key!r} in project {project_key!r}.")
    return environment


def change_request_get(change_id: int) -> ChangeRequest:
    change = change_requests().filter(pk=change_id).first()
    if change is None:
        raise NotFound(f"No change request {change_id}.")
    return change


def change_requests(*, status: str = "", project: str = "", flag: str = "", release=None):
    rows = ChangeRequest.objects.select_related("project", "environment", "flag",
                                                "requested_by", "decided_by")
    if status == "pending":
        rows = rows.filter(status__in=PENDING_CHANGE_STATUSES)
    elif status:
        rows = rows.filter(status=status)
    if project:
        rows = rows.filter(project__key=project)
    if flag:
        rows = rows.filter(flag__key=flag)
    if release is not None:
        rows = rows.filter(flag__release=release)
    return rows


def change_request_dict(change: ChangeRequest) -> dict:
    return {
        "id": change.pk, "summary": change.summary, "status": change.status,
        "operation": change.operation, "arguments": change.payload,
        "project": change.project.key,
        "environment": change.environment.key if change.environment_id else None,
        "flag": change.flag.key if change.flag_id else None, "subject": change.subject,
        "needs_approval": change.needs_approval, "reason": change.reason,
        "requested_by": change.requested_label, "requested_via": change.requested_via,
        "created_at": change.created_at, "scheduled_for": change.scheduled_for,
        "time_zone": change.time_zone, "decided_by": change.decided_label or None,
        "decided_at": change.decided_at, "comment": change.comment,
        "applied_at": change.applied_at, "problem": change.problem,
    }


@transaction.atomic
def environment_protection_set(*, environment: Environment, requires_approval: bool,
                               actor: Actor, approver_role: str = "") -> Environment:
    """Make changes to an environment need approval (by `approver_role` or higher), or not."""
    require(actor, MANAGE)
    approver_role = approver_role or environment.approver_role
    roles = [role for role, _ in ROLE_CHOICES if role != "viewer"]
    if approver_role not in roles:
        raise ValidationFailed({"approver_role": f"Use one of {', '.join(roles)}."})
    if not isinstance(requires_approval, bool):
        raise ValidationFailed({"requires_approval": "Must be true or false."})
    before = {"requires_approval": environment.requires_approval,
              "approver_role": environment.approver_role}
    environment.requires_approval, environment.approver_role = requires_approval, approver_role
    environment.save(update_fields=["requires_approval", "approver_role"])
    audit_record(actor=actor, action="flag_environment.protection", obj=environment,
                 project=environment.project.key, environment=environment.key, before=before,
                 after={"requires_approval": requires_approval, "approver_role": approver_role})
    return environment

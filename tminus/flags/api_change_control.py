"""JSON endpoints of change control: change requests (approve, reject, cancel, schedule) and
environment protection. Added to the flags router before its `/{key}` routes."""

from datetime import datetime

from ninja import Query, Router, Schema, Status

from tminus.accounts.roles import MANAGE, VIEW
from tminus.core.api import api_actor
from tminus.flags import change_requests, lifecycle, selectors
from tminus.flags.change_requests import change_request_dict
from tminus.flags.models import Flag


class ChangeRequestIn(Schema):
    operation: str
    arguments: dict
    at: str = ""
    time_zone: str = ""


class ChangeRequestDecisionIn(Schema):
    comment: str = ""


class ChangeRequestFilter(Schema):
    status: str = ""
    project: str = ""
    flag: str = ""


class ChangeRequestOut(Schema):
    id: int
    summary: str
    status: str
    operation: str
    arguments: dict
    project: str
    environment: str | None
    flag: str | None
    subject: str
    needs_approval: bool
    reason: str
    requested_by: str
    requested_via: str
    created_at: datetime
    scheduled_for: datetime | None
    time_zone: str
    decided_by: str | None
    decided_at: datetime | None
    comment: str
    applied_at: datetime | None
    problem: str


class CleanupIn(Schema):
    cleanup: bool


class KillSwitchIn(Schema):
    killed: bool
    reason: str = ""


class ProtectionIn(Schema):
    requires_approval: bool
    approver_role: str = ""


def submitted_answer(submitted, current):
    """202 with the change request when the change waits, else the current state."""
    if submitted.change_request is not None:
        return Status(202, change_request_dict(submitted.change_request))
    return current()


def add_routes(router: Router) -> None:
    @router.get("/change-requests", response=list[ChangeRequestOut], tags=["flags"])
    def change_request_list(request, filters: Query[ChangeRequestFilter]):
        """Change requests, newest first; `status=pending` for those not yet applied."""
        api_actor(request, VIEW)
        return [change_request_dict(c) for c in
                change_requests.change_requests(**filters.dict())[:500]]

    @router.post("/change-requests", response={201: ChangeRequestOut, 200: dict})
    def change_request_create(request, data: ChangeRequestIn):
        """Request or schedule a change: `operation` (flag_environment_toggle,
        flag_rollout_percentage_set, flag_variants_set, strategy_create, strategy_update,
        strategy_delete, segment_update, flag_archive) with its `arguments` (flag by name,
        environment by key, strategy and segment by id), optional `at` (`2027-03-12 09:00`)
        and `time_zone` (`Europe/Oslo`). Applied at once (200) when nothing holds it."""
        actor = api_actor(request, VIEW)  # the services check the project's rules
        arguments = change_requests.decode(data.arguments)
        submitted = change_requests.submit(data.operation, actor=actor, at=data.at or None,
                                           time_zone=data.time_zone, **arguments)
        if submitted.change_request is not None:
            return Status(201, change_request_dict(submitted.change_request))
        return {"applied": True}

    @router.get("/change-requests/{change_id}", response=ChangeRequestOut)
    def change_request_detail(request, change_id: int):
        api_actor(request, VIEW)
        return change_request_dict(change_requests.change_request_get(change_id))

    @router.post("/change-requests/{change_id}/approve", response=ChangeRequestOut)
    def change_request_approve(request, change_id: int, data: ChangeRequestDecisionIn):
        actor = api_actor(request, VIEW)  # the service checks the environment's approver role
        change = change_requests.change_request_approve(
            change=change_requests.change_request_get(change_id), actor=actor,
            comment=data.comment)
        return change_request_dict(change)

    @router.post("/change-requests/{change_id}/reject", response=ChangeRequestOut)
    def change_request_reject(request, change_id: int, data: ChangeRequestDecisionIn):
        actor = api_actor(request, VIEW)
        change = change_requests.change_request_reject(
            change=change_requests.change_request_get(change_id), actor=actor,
            comment=data.comment)
        return change_request_dict(change)

    @router.post("/change-requests/{change_id}/cancel", response=ChangeRequestOut)
    def change_request_cancel(request, change_id: int):
        actor = api_actor(request, VIEW)
        change = change_requests.change_request_cancel(
            change=change_requests.change_request_get(change_id), actor=actor)
        return change_request_dict(change)

    @router.put("/projects/{key}/environments/{environment}/protection")
    def environment_protection(request, key: str, environment: str, data: ProtectionIn):
        """Make changes to an environment need approval by `approver_role` or higher."""
        actor = api_actor(request, MANAGE)
        env = change_requests.environment_get(key, environment)
        env = change_requests.environment_protection_set(
            environment=env, requires_approval=data.requires_approval,
            approver_role=data.approver_role, actor=actor)
        return {"project": key, "environment": env.key,
                "requires_approval": env.requires_approval, "approver_role": env.approver_role}

    @router.get("/lifecycle")
    def lifecycle_list(request, project: str = "", archived: bool = False):
        """Each flag's stage (define, develop, production, cleanup, archived), its last
        evaluation, whether it is unused (TMINUS_FLAGS_UNUSED_DAYS) or potentially stale."""
        api_actor(request, VIEW)
        flags = Flag.objects.select_related("project", "owner").filter(
            archived_at__isnull=not archived).order_by("key")
        if project:
            flags = flags.filter(project=selectors.project_get(project))
        return lifecycle.lifecycle_rows(flags)

    @router.post("/{key}/cleanup")
    def flag_cleanup(request, key: str, data: CleanupIn):
        """Mark a flag for cleanup (its work is done) or take the mark back."""
        actor = api_actor(request, VIEW)  # the service checks the project's rules
        flag = lifecycle.flag_cleanup_mark(flag=selectors.flag_get(key), cleanup=data.cleanup,
                                           actor=actor)
        return lifecycle.lifecycle_rows([flag])[0]

    @router.put("/projects/{key}/environments/{environment}/kill-switch")
    def kill_switch(request, key: str, environment: str, data: KillSwitchIn):
        """`killed: true`: SDKs see every flag of the environment off until it is released."""
        actor = api_actor(request, VIEW)  # the service checks the project's rules
        env = lifecycle.environment_kill_switch(
            environment=change_requests.environment_get(key, environment), killed=data.killed,
            reason=data.reason, actor=actor)
        return {"project": key, "environment": env.key, "killed": env.killed_at is not None,
                "killed_at": env.killed_at}


def add_flag_routes(router: Router) -> None:
    """Routes on `/{key}` itself: added after every fixed path (`/segments` …), which the
    `/{key}` pattern would otherwise take for a flag's name."""

    @router.delete("/{key}", response={204: None})
    def flag_delete(request, key: str):
        """Delete an archived flag for good (release manager and up)."""
        actor = api_actor(request, MANAGE)
        lifecycle.flag_delete(flag=selectors.flag_get(key), actor=actor)
        return Status(204, None)

"""JSON endpoints to read flags and change their state (for scripts and pipelines).

SDKs do not use these: they use the Unleash-compatible client API (client_api.py).
"""

from ninja import Field, Router, Schema, Status

from tminus.accounts.roles import MANAGE, VIEW
from tminus.core.api import api_actor
from tminus.flags import (
    api_change_control,
    change_requests,
    control,
    permissions,
    presenters,
    selectors,
)

router = Router(tags=["flags"])
PREFIX = "/flags"
# Before the `/{key}` routes, which would otherwise take `/change-requests` for a flag's name.
api_change_control.add_routes(router)


class ToggleIn(Schema):
    enabled: bool
    reason: str = ""
    at: str = Field("", description="Switch at this moment instead (2027-03-12 09:00).")
    time_zone: str = Field("", description="The zone of `at` (Europe/Oslo).")


class RolloutIn(Schema):
    percentage: int
    reason: str = ""


class StrategyIn(Schema):
    name: str
    title: str = ""
    parameters: dict = {}
    constraints: list = []
    segments: list[int] = []
    variants: list = []
    reason: str = ""


@router.get("/projects")
def project_list(request):
    api_actor(request, VIEW)
    return [{"key": p.key, "name": p.name, "flags": p.flag_count,
             "environments": [e.key for e in p.environments.all()]}
            for p in selectors.projects()]


@router.get("/projects/{key}/flags")
def flag_list(request, key: str):
    api_actor(request, VIEW)
    rows = selectors.flag_rows(selectors.project_get(key))
    return [presenters.flag_row(row) for row in rows]


def _detail(flag):
    return presenters.flag_detail(flag, selectors.flag_states(flag))


@router.get("/{key}")
def flag_detail(request, key: str):
    api_actor(request, VIEW)
    flag = selectors.flag_get(key)
    return presenters.flag_detail(flag, selectors.flag_states(flag))


@router.post("/{key}/environments/{environment}/toggle", response={200: dict, 202: dict})
def flag_toggle(request, key: str, environment: str, data: ToggleIn):
    actor = api_actor(request, VIEW)  # the service checks the project's rules
    flag = selectors.flag_get(key)
    submitted = change_requests.submit("flag_environment_toggle", flag=flag,
                                       environment=environment, enabled=data.enabled,
                                       reason=data.reason, at=data.at or None,
                                       time_zone=data.time_zone, actor=actor)
    return api_change_control.submitted_answer(submitted, lambda: _detail(flag))


@router.post("/{key}/environments/{environment}/rollout", response={200: dict, 202: dict})
def flag_rollout(request, key: str, environment: str, data: RolloutIn):
    actor = api_actor(request, VIEW)  # the service checks the project's rules
    flag = selectors.flag_get(key)
    submitted = change_requests.submit("flag_rollout_percentage_set", flag=flag,
                                       environment=environment, percentage=data.percentage,
                                       reason=data.reason, actor=actor)
    return api_change_control.submitted_answer(submitted, lambda: _detail(flag))


@router.post("/{key}/environments/{environment}/strategies", response={201: dict, 202: dict})
def strategy_add(request, key: str, environment: str, data: StrategyIn):
    actor = api_actor(request, VIEW)  # the service checks the project's rules
    flag = selectors.flag_get(key)
    values = data.dict()
    reason = values.pop("reason")
    submitted = change_requests.submit("strategy_create", flag=flag, environment=environment,
                                       actor=actor, reason=reason, **values)
    return api_change_control.submitted_answer(
        submitted, lambda: Status(201, presenters.strategy(submitted.result)))


class RoleRuleIn(Schema):
    role: str
    environment: str = ""
    may_change: bool | None


def _role_rules(project) -> dict:
    return {"effective": permissions.effective(project),
            "rules": [{"role": rule.role,
                       "environment": rule.environment.key if rule.environment_id else "",
                       "may_change": rule.may_change} for rule in permissions.rules(project)]}


@router.get("/projects/{key}/roles")
def role_rule_list(request, key: str):
    """Who may change flags: `effective` (role -> environment -> true/false) and the project's
    own `rules` (the rest follow the roles' defaults)."""
    api_actor(request, VIEW)
    return _role_rules(selectors.project_get(key))


@router.put("/projects/{key}/roles")
def role_rule_set(request, key: str, data: RoleRuleIn):
    """Allow (`may_change: true`) or forbid (`false`) a role to change flags of the project,
    or of one `environment`; `null` returns to the role's default."""
    actor = api_actor(request, MANAGE)
    project = selectors.project_get(key)
    control.role_rule_set(project=project, role=data.role, environment=data.environment,
                          may_change=data.may_change, actor=actor)
    return _role_rules(project)

"""Who may change flags in a project and environment.

Roles are the global default: contributors and up may change flags, viewers may not. A project
can grant or restrict that per role, for the whole project or for one environment (contributors
may change staging but not production). A rule for the environment wins over the project-wide
one, which wins over the role's default. Admins may always; the CLI and the worker without a
user act as the system, as everywhere else.
"""

import contextvars
from contextlib import contextmanager

from tminus.accounts.permissions import actor_can, role_of
from tminus.accounts.roles import ADMIN, CAPABILITIES, CONTRIBUTE, ROLE_CHOICES
from tminus.core.actors import Actor
from tminus.core.errors import NotAllowed, TransitionNotAllowed
from tminus.flags.models import Environment, Project, RoleRule

ROLES = [role for role, _label in ROLE_CHOICES if role != ADMIN]


def role_may_change(role: str | None, project: Project | int,
                    environment: Environment | int | None = None) -> bool:
    """Whether a role may change flags of the project (in the environment, when given)."""
    if role is None:
        return False
    if role == ADMIN:
        return True
    project_id = getattr(project, "pk", project)
    environment_id = getattr(environment, "pk", environment)
    rules = {rule.environment_id: rule.may_change for rule in
             RoleRule.objects.filter(project_id=project_id, role=role)}
    if environment_id is not None and environment_id in rules:
        return rules[environment_id]
    if None in rules:
        return rules[None]
    return CONTRIBUTE in CAPABILITIES.get(role, set())


def actor_may_change(actor: Actor, project, environment=None) -> bool:
    if actor.user is None:
        return actor_can(actor, CONTRIBUTE)
    return role_may_change(role_of(actor.user), project, environment)


class ApprovalRequired(TransitionNotAllowed):
    """A person's direct change to a protected environment (409): it needs a change request."""


# Set while an approved change request is applied, so the service it calls may change a
# protected environment.
_applying_approved = contextvars.ContextVar("flags_applying_approved", default=False)


@contextmanager
def applying_approved_change():
    token = _applying_approved.set(True)
    try:
        yield
    finally:
        _applying_approved.reset(token)


def require_may_request(actor: Actor, project, environment=None) -> None:
    """Raise NotAllowed unless the actor may change (or ask to change) flags there."""
    if not actor_may_change(actor, project, environment):
        where = f" in {environment.key}" if isinstance(environment, Environment) else ""
        name = getattr(project, "key", "this project")
        raise NotAllowed(f"Your role may not change flags of {name}{where}.")


def require_change(actor: Actor, project, environment=None) -> None:
    """Raise unless the actor may change flags there now: NotAllowed for their role, and
    ApprovalRequired for a person changing a protected environment outside an approved change
    request. The worker and the CLI without a user (the system: guarded rollouts, kill
    switches) are not held up by approvals."""
    require_may_request(actor, project, environment)
    if (isinstance(environment, Environment) and environment.requires_approval
            and actor.user is not None and not _applying_approved.get()):
        raise ApprovalRequired(f"Changes to {environment} need approval: submit this change "
                               "as a change request.")


def effective(project: Project) -> dict[str, dict[str, bool]]:
    """role -> environment key -> may change, for the project's page and the API."""
    environments = list(project.environments.all())
    rules = {(rule.role, rule.environment_id): rule.may_change
             for rule in RoleRule.objects.filter(project=project)}
    table = {}
    for role in ROLES:
        default = rules.get((role, None), CONTRIBUTE in CAPABILITIES[role])
        table[role] = {env.key: rules.get((role, env.pk), default) for env in environments}
    return table


def environments_changeable(user, project: Project) -> set[str]:
    """The keys of the project's environments the user may change flags in."""
    role = role_of(user)
    if role is None:
        return set()
    if role == ADMIN:
        return {env.key for env in project.environments.all()}
    return {key for key, allowed in effective(project).get(role, {}).items() if allowed}


def rules(project: Project) -> list[RoleRule]:
    return list(RoleRule.objects.filter(project=project).select_related("environment"))

"""Change control of flags: who may change what where (role rules per project and
environment). Each function is the one service the pages, the API and the CLI call."""

from django.db import transaction

from tminus.accounts.permissions import require
from tminus.accounts.roles import MANAGE
from tminus.audit.services import audit_record
from tminus.core.actors import Actor
from tminus.core.errors import ValidationFailed
from tminus.flags.models import Project, RoleRule
from tminus.flags.permissions import ROLES


@transaction.atomic
def role_rule_set(*, project: Project, role: str, may_change: bool | None, actor: Actor,
                  environment: str = "") -> RoleRule | None:
    """Let a role change flags of the project (or one environment of it), forbid it, or
    (`may_change=None`) fall back to the role's default."""
    require(actor, MANAGE)
    errors = {}
    if role not in ROLES:
        errors["role"] = (f"Unknown role {role!r}; use one of {', '.join(ROLES)} "
                          "(admins may always).")
    env = None
    if environment:
        env = project.environments.filter(key=environment).first()
        if env is None:
            errors["environment"] = f"{project.key} has no environment {environment!r}."
    if may_change is not None and not isinstance(may_change, bool):
        errors["may_change"] = "Must be true, false or null (the role's default)."
    if errors:
        raise ValidationFailed(errors)
    existing = RoleRule.objects.filter(project=project, environment=env, role=role).first()
    before = {"may_change": existing.may_change if existing else None}
    rule = None
    if may_change is None:
        if existing is not None:
            existing.delete()
    else:
        rule, _ = RoleRule.objects.update_or_create(project=project, environment=env, role=role,
                                                    defaults={"may_change": may_change})
    audit_record(actor=actor, action="flag_project.role_rule", obj=project,
                 project=project.key, environment=environment,
                 before={"role": role, **before}, after={"role": role, "may_change": may_change})
    return rule

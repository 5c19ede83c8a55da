"""Permission checks shared by services, views and API endpoints."""

from tminus.accounts.roles import ADMIN, CAPABILITIES
from tminus.core.actors import CLI, WORKER, Actor
from tminus.core.errors import NotAllowed


def role_of(user) -> str | None:
    if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
        return None
    return ADMIN if user.is_superuser else user.role


def can(user, capability: str) -> bool:
    """Whether a signed-in user's role grants the capability."""
    role = role_of(user)
    return role is not None and capability in CAPABILITIES.get(role, set())


def actor_can(actor: Actor, capability: str) -> bool:
    # The CLI and the worker run on the server itself with no user: whoever can run them there
    # already holds the database, so they act as the system.
    if actor.user is None:
        return actor.interface in (CLI, WORKER)
    return can(actor.user, capability)


def require(actor: Actor, capability: str) -> None:
    """Raise NotAllowed unless the actor may use the capability."""
    if not actor_can(actor, capability):
        raise NotAllowed(f"Your role does not allow this ({capability} is needed).")

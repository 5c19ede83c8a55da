"""Small helpers the outcomes services share."""

from tminus.core.actors import Actor


def user_of(actor: Actor):
    """The actor's user when it is a saved person, else None (the system)."""
    return actor.user if getattr(actor.user, "pk", None) else None

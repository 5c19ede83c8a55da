"""The workflow guard (no deploying without a Go) and the reset after a rollback."""

from tminus.core.actors import Actor
from tminus.readiness import selectors
from tminus.readiness.services import gate_reset
from tminus.releases.choices import ReleaseStatus


def deploying_requires_go(release, to_status: str) -> str | None:
    """Refuse a move to deploying unless the standing decision is Go or an admin overrode."""
    if to_status != ReleaseStatus.DEPLOYING:
        return None
    if selectors.has_go_decision(release) or selectors.active_override(release) is not None:
        return None
    return ("A release moves to deploying only after a Go at the go/no-go meeting, or with an "
            "admin's override and its reason.")


def reset_after_rollback(*, event: str, release, payload: dict, actor: Actor) -> None:
    """After a rollback the next attempt needs a new Go: withdraw the old decision and votes."""
    if payload.get("to") != ReleaseStatus.ROLLED_BACK:
        return
    gate_reset(release=release, reason="The release was rolled back.", actor=actor)

"""Background work of meetings: send each invitation, follow go-live moves."""

from tminus.core.actors import Actor
from tminus.meetings import services
from tminus.worker.registry import job_handler, periodic


@job_handler(services.INVITATION_JOB)
def invitation_send(payload: dict) -> None:
    services.invitation_deliver(invitation_id=payload["invitation_id"])


@periodic("meetings.follow_go_live", every_seconds=120)
def follow_go_live() -> None:
    services.meetings_follow_go_live(actor=Actor.worker())

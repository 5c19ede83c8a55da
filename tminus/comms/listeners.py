"""Event listeners: a release event sends the messages of its plan that wait for it."""

from tminus.comms.delivery import event_messages_release
from tminus.core.events import on


@on("*")
def release_event_messages(*, event, release, payload, actor) -> None:
    # Runs inside the transaction of the service that emitted the event, so the messages are
    # released (and their jobs queued) only if that change is committed.
    event_messages_release(event=event, release=release, payload=payload, actor=actor)

"""Event listeners: a release event sends the messages of its plan that wait for it, and a flag
change goes to the channels subscribed to flag changes."""

from django.dispatch import receiver

from tminus.audit.signals import change_recorded
from tminus.comms.delivery import event_messages_release
from tminus.comms.flag_changes import flag_change_deliver
from tminus.core.events import on


@on("*")
def release_event_messages(*, event, release, payload, actor) -> None:
    # Runs inside the transaction of the service that emitted the event, so the messages are
    # released (and their jobs queued) only if that change is committed.
    event_messages_release(event=event, release=release, payload=payload, actor=actor)


@receiver(change_recorded, dispatch_uid="comms-flag-change-deliveries")
def flag_change_deliveries(sender, event, **kwargs) -> None:
    # Also inside the writing transaction: a change that is rolled back sends nothing.
    flag_change_deliver(event)

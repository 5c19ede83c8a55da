"""Background work of the communication plan: thin wrappers around the sending services."""

from tminus.comms.delivery import (
    JOB_KIND,
    deliveries_enqueue_due,
    deliveries_sweep_stale,
    delivery_send,
    messages_release_due,
)
from tminus.comms.flag_changes import stale_flag_reminders_send
from tminus.comms.reminders import reminders_send
from tminus.worker.registry import job_handler, periodic


@job_handler(JOB_KIND)
def deliver(payload: dict) -> None:
    delivery_send(payload["delivery_id"])


@periodic("comms.send_due", every_seconds=60)
def send_due() -> None:
    messages_release_due()
    deliveries_sweep_stale()
    deliveries_enqueue_due()


@periodic("comms.reminders", every_seconds=3600)
def send_reminders() -> None:
    reminders_send()


@periodic("comms.stale_flag_reminders", every_seconds=3600)
def send_stale_flag_reminders() -> None:
    # Hourly, but each owner's reminder is keyed by the week: one a week at most.
    stale_flag_reminders_send()

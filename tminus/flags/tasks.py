"""Background work for flags: applying scheduled changes, dropping old change events."""

from tminus.flags import change_requests, services
from tminus.worker.registry import job_handler, periodic


@job_handler(change_requests.JOB_KIND)
def apply_change_request(payload: dict) -> None:
    change_requests.change_request_apply(change_id=payload["change_request_id"])


@periodic("flags.apply_due_changes", every_seconds=60)
def apply_due_changes() -> None:
    # A safety net: each scheduled change also has its own job at its moment.
    change_requests.change_requests_apply_due()


@periodic("flags.prune_change_events", every_seconds=3600)
def prune_change_events() -> None:
    services.change_events_prune()

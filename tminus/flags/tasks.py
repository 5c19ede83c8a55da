"""Background work for flags: dropping change events that no SDK can still need."""

from tminus.flags import services
from tminus.worker.registry import periodic


@periodic("flags.prune_change_events", every_seconds=3600)
def prune_change_events() -> None:
    services.change_events_prune()

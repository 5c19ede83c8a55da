"""Release events (go decision, deployment started, rolled back ...) that other areas react to.

A service that makes something happen calls `emit` inside its transaction; listeners (the
communication plan sends the messages planned for that event) do their own writes in the same
transaction, so an event and what it causes are committed together or not at all.
"""

from collections import defaultdict
from collections.abc import Callable

from tminus.core.actors import Actor

# The events a plan can react to. Areas that emit new ones add them here.
EVENTS = {
    "release.status_changed": "Release status changed",
    "release.go_decision": "Go decision recorded",
    "release.no_go_decision": "No-go decision recorded",
    "deployment.started": "Deployment started",
    "deployment.finished": "Deployment finished",
    "deployment.failed": "Deployment failed",
    "release.rolled_back": "Release rolled back",
    "rollout.advanced": "Rollout advanced to the next stage",
    "rollout.rolled_back": "Rollout rolled back",
    "rollout.completed": "Rollout reached 100%",
    "rollout.held": "Rollout held by a trigger",
    "rollout.approval_requested": "Rollout waits for approval to advance",
}

Listener = Callable[..., None]
_listeners: dict[str, list[Listener]] = defaultdict(list)


def on(event: str):
    """Register a listener: fn(*, event, release, payload, actor)."""
    if event != "*" and event not in EVENTS:
        raise ValueError(f"Unknown event {event!r}.")

    def register(function: Listener) -> Listener:
        if function not in _listeners[event]:
            _listeners[event].append(function)
        return function

    return register


def emit(event: str, *, release, actor: Actor, payload: dict | None = None) -> None:
    """Tell every listener that an event happened to a release."""
    if event not in EVENTS:
        raise ValueError(f"Unknown event {event!r}.")
    for listener in [*_listeners[event], *_listeners["*"]]:
        listener(event=event, release=release, payload=payload or {}, actor=actor)

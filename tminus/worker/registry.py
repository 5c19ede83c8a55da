"""Where areas declare their background work: job handlers by kind and periodic tasks.

Each app's tasks.py registers here; the worker imports every tasks.py at start.
"""

from collections.abc import Callable
from dataclasses import dataclass

_handlers: dict[str, Callable[[dict], None]] = {}


@dataclass(frozen=True)
class Periodic:
    name: str
    every_seconds: int
    run: Callable[[], None]


_periodic: dict[str, Periodic] = {}


def job_handler(kind: str):
    """Register the function that runs jobs of a kind; it receives the job's payload."""

    def register(function):
        _handlers[kind] = function
        return function

    return register


def periodic(name: str, every_seconds: int):
    """Register a task that one worker runs every so many seconds; it must be idempotent."""

    def register(function):
        _periodic[name] = Periodic(name, every_seconds, function)
        return function

    return register


def handler_for(kind: str) -> Callable[[dict], None] | None:
    return _handlers.get(kind)


def periodic_tasks() -> list[Periodic]:
    return list(_periodic.values())

"""Parsing Server-Sent Events (the ``text/event-stream`` format) from a line source."""

from collections.abc import Callable, Iterator
from dataclasses import dataclass


@dataclass(frozen=True)
class ServerSentEvent:
    """One dispatched event: its type (``message`` when unnamed), data and id."""

    event: str
    data: str
    id: str | None = None


def read_events(readline: Callable[[], bytes]) -> Iterator[ServerSentEvent]:
    """Yield events until the stream ends; comments (heartbeats) are skipped."""
    event, data, last_id = "", [], None
    while True:
        raw = readline()
        if not raw:
            return
        line = raw.decode("utf-8", errors="replace").rstrip("\r\n")
        if not line:
            if data:
                yield ServerSentEvent(event or "message", "\n".join(data), last_id)
            event, data = "", []
            continue
        if line.startswith(":"):
            continue
        name, _, value = line.partition(":")
        value = value.removeprefix(" ")
        if name == "event":
            event = value
        elif name == "data":
            data.append(value)
        elif name == "id":
            last_id = value

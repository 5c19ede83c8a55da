"""Metric events sent to T-Minus (``POST /api/v1/events``) in batches, with the arm served.

Events go out with an ingest token (made for sending events, bound to projects and one
environment), never with the flags token: reading flags and writing metrics are different
rights. Sending happens on a background thread; ``track`` only appends to a buffer.
"""

import logging
import threading
import uuid
from collections.abc import Mapping
from typing import Any

from .http import HttpClient
from .metrics import iso_now

logger = logging.getLogger("tminus_client")

EVENTS_PATH = "/api/v1/events"
MAX_BATCH = 5000  # what the server takes in one post
MAX_BUFFERED = 50_000  # beyond this, the oldest events are dropped (and counted)


class EventSender:
    """A buffer of events and the thread that posts them every ``interval`` seconds."""

    def __init__(self, http: HttpClient, *, interval: float, thread_name: str) -> None:
        self._http = http
        self._interval = interval
        self._lock = threading.Lock()
        self._buffer: list[dict[str, Any]] = []
        self.dropped = 0
        self._stopped = threading.Event()
        self._thread = threading.Thread(target=self._run, name=thread_name, daemon=True)
        self._thread_started = False

    def add(self, event: dict[str, Any]) -> None:
        with self._lock:
            self._buffer.append(event)
            if len(self._buffer) > MAX_BUFFERED:
                excess = len(self._buffer) - MAX_BUFFERED
                del self._buffer[:excess]
                self.dropped += excess
            if not self._thread_started and not self._stopped.is_set():
                self._thread_started = True
                self._thread.start()

    def flush(self) -> bool:
        """Send what is buffered; what the server did not take stays for the next try."""
        while True:
            with self._lock:
                batch = self._buffer[:MAX_BATCH]
            if not batch:
                return True
            if not self._post(batch):
                return False
            with self._lock:
                del self._buffer[: len(batch)]

    def stop(self, timeout: float = 5.0) -> None:
        self._stopped.set()
        if self._thread_started and self._thread.is_alive():
            self._thread.join(timeout)
        self.flush()

    def _run(self) -> None:
        while not self._stopped.wait(self._interval):
            self.flush()

    def _post(self, batch: list[dict[str, Any]]) -> bool:
        try:
            response = self._http.post_json(EVENTS_PATH, {"events": batch})
        except Exception as exc:
            logger.debug("POST %s failed: %r", EVENTS_PATH, exc)
            return False
        if response.status >= 500 or response.status in (401, 403, 429):
            logger.warning("POST %s answered HTTP %s", EVENTS_PATH, response.status)
            return False
        # Accepted, or refused for good (a 4xx for a bad batch): never resent as it is.
        rejected = _rejected(response)
        if rejected:
            logger.warning("T-Minus rejected %d events, e.g. %s", len(rejected), rejected[0])
        return True


def _rejected(response) -> list:
    try:
        return response.json().get("rejected") or []
    except (ValueError, AttributeError):
        return []


def event_body(
    name: str,
    context: Mapping[str, Any] | None,
    *,
    flag: str | None,
    arm: str | None,
    value: float | None,
) -> dict[str, Any]:
    """One event as the server reads it: an id (a retry counts once), name, time, context."""
    event: dict[str, Any] = {"id": uuid.uuid4().hex, "name": name, "time": iso_now()}
    if value is not None:
        event["value"] = value
    if flag is not None:
        event["flag"] = flag
    if arm is not None:
        event["arm"] = arm
    if context:
        event["context"] = {k: v for k, v in context.items() if _plain(v)}
    return event


def _plain(value: Any) -> bool:
    return isinstance(value, str | int | float | bool) or (
        isinstance(value, Mapping) and all(isinstance(v, str | int | float) for v in value.values())
    )

"""Telling every process about a flag change the moment it commits (PostgreSQL LISTEN/NOTIFY).

Each change to what SDKs receive sends `NOTIFY tminus_flags, 'revision:N'` inside its own
transaction, and a token revocation sends `'tokens'`; PostgreSQL delivers a notification only
when (and if) that transaction commits, to every listening connection, whichever process (web,
worker, CLI) made the change. Each web process keeps one listening connection on a thread of its
own, started by its first client API request or stream: on a notification it forgets its cached
revisions (so the next poll reads the new one) and wakes its streams.

SQLite has no such channel: there, and while the listener is reconnecting, processes fall back
to reading revisions (the streams' 250 ms poll, the caches' TMINUS_FLAGS_CACHE_SECONDS).
"""

import logging
import threading
import time

from django.db import connection, connections
from django.dispatch import Signal

CHANNEL = "tminus_flags"
TOKENS = "tokens"
APPLICATION_NAME = "tminus-flags-listener"  # how the connection shows in pg_stat_activity
# Even with notifications, the streams' watcher reads the revisions (and its streams' tokens)
# this often, to catch anything sent while the listener was reconnecting, or a token deleted
# without going through the services.
SAFETY_POLL_SECONDS = 1.0
_DJANGO_ONLY_OPTIONS = {"pool", "isolation_level", "assume_role", "server_side_binding"}
logger = logging.getLogger(__name__)

# Sent (in the listening thread) for each notification: payload ('revision:N' or 'tokens').
change_notified = Signal()


def announce(payload: str) -> None:
    """Queue a notification in the current transaction (delivered at its commit); no-op on
    SQLite."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_notify(%s, %s)", [CHANNEL, payload])


class Listener:
    """One LISTEN connection per process, reconnecting after errors."""

    def __init__(self):
        self.connected = threading.Event()
        self._thread: threading.Thread | None = None
        self._lock = threading.Lock()
        self._stop = threading.Event()

    def ensure_started(self) -> None:
        """Start listening, once per process, when the database is PostgreSQL."""
        if self._thread is not None and self._thread.is_alive():
            return
        # From the settings, not connections["default"]: on the event loop every request is a
        # context of its own, and that would build a new connection object for each of them.
        if "postgresql" not in connections.settings["default"]["ENGINE"]:
            return
        with self._lock:
            if self._thread is None or not self._thread.is_alive():
                self._stop.clear()
                self._thread = threading.Thread(target=self._run, name="tminus-flags-listen",
                                                daemon=True)
                self._thread.start()

    def stop(self, timeout: float = 5.0) -> None:
        """Stop listening and close the connection (tests, before dropping their database)."""
        self._stop.set()
        thread = self._thread
        if thread is not None:
            thread.join(timeout)

    @property
    def listening(self) -> bool:
        """Whether changes made elsewhere arrive by notification right now."""
        return self.connected.is_set()

    def _run(self) -> None:
        backoff = 0.5
        while not self._stop.is_set():
            try:
                self._listen()
                backoff = 0.5
            except Exception:
                logger.warning("Flag change listener lost its connection; reconnecting",
                               exc_info=True)
            self.connected.clear()
            change_notified.send(sender=Listener, payload="reconnected")  # may have missed some
            self._stop.wait(backoff)
            backoff = min(backoff * 2, 10.0)

    def _listen(self) -> None:
        import psycopg

        with psycopg.connect(**_connection_kwargs(), autocommit=True,
                             application_name=APPLICATION_NAME) as listening:
            listening.execute(f"LISTEN {CHANNEL}")
            self.connected.set()
            # Whatever committed before LISTEN took effect was not notified: look once now.
            change_notified.send(sender=Listener, payload="reconnected")
            while not self._stop.is_set():
                for notify in listening.notifies(timeout=1.0):
                    change_notified.send(sender=Listener, payload=notify.payload)
                listening.execute("SELECT 1")  # a dead server shows here, not in a silent wait


def _connection_kwargs() -> dict:
    settings = connections["default"].settings_dict
    options = {key: value for key, value in (settings.get("OPTIONS") or {}).items()
               if key not in _DJANGO_ONLY_OPTIONS}
    given = {"dbname": settings["NAME"], "user": settings["USER"],
             "password": settings["PASSWORD"], "host": settings["HOST"],
             "port": settings["PORT"]}
    return {**{key: value for key, value in given.items() if value}, **options}


listener = Listener()


def wait_until_listening(timeout: float = 5.0) -> bool:
    """For tests and benchmarks: start the listener and wait for its connection."""
    listener.ensure_started()
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if listener.listening:
            return True
        time.sleep(0.01)
    return False

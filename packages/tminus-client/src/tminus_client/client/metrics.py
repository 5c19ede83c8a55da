"""Counting evaluations per flag, and the Unleash metrics payload built from the counts.

Counting sits on the path of every ``is_enabled`` call, so it must cost less than the evaluation
itself and takes no lock: each flag has an ``itertools.count`` per answer (yes, no, each
variant), and counting is ``next()`` on it, one C call that no other Python thread can interleave
with. Counters are created once per flag with ``dict.setdefault`` (also one C call, so two
threads counting a new flag at once share one counter) and are never replaced. ``take_bucket``
reads each counter and sends what grew since its last reading, so a count made while it reads
goes out with the next bucket: none is lost or sent twice.

With ``report_users`` the recorder also keeps, per flag and answer, the distinct users it
answered (hashed), so a guarded rollout can count exposed users per arm and not only
exposures. That costs a lock per evaluation, which is why it is off unless asked for.
"""

import hashlib
import itertools
import threading
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

# Distinct users kept per flag and answer between two sends; past it the count is a floor.
MAX_USERS_PER_ANSWER = 10_000


def user_hash(user: str) -> str:
    """The hashed id the server counts: the user's id never leaves the application."""
    return hashlib.sha256(user.encode()).hexdigest()[:16]


def iso_now() -> str:
    """The current time as an ISO 8601 UTC timestamp, the way Unleash writes them."""
    return datetime.now(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


@dataclass
class _FlagCounts:
    yes: int = 0
    no: int = 0
    variants: Counter[str] = field(default_factory=Counter)


def _value(counter: itertools.count) -> int:
    """How many times ``next`` was called on a counter started at 0, without counting."""
    return int(repr(counter)[6:-1])  # "count(42)": the only reading itertools offers


class MetricsRecorder:
    """Counts yes/no answers and variants per flag, between two sends."""

    def __init__(self) -> None:
        # flag -> counter of "on" answers / "off" answers; (flag, variant) -> counter
        self.yes: dict[str, itertools.count] = {}
        self.no: dict[str, itertools.count] = {}
        self.variants: dict[tuple[str, str], itertools.count] = {}
        self._taken: tuple[dict, dict, dict] = ({}, {}, {})  # the readings of the last take
        # One taker at a time, and the users; counting evaluations never takes it.
        self._lock = threading.Lock()
        self._carried: dict[str, _FlagCounts] = {}
        self._start = iso_now()
        self._users: dict[tuple[str, bool], set[str]] = {}  # (flag, answer) -> hashed users

    def count_user(self, flag: str, enabled: bool, context: Any) -> None:
        """Remember the user (userId, else sessionId) answered ``enabled`` for ``flag``."""
        if not isinstance(context, Mapping):
            return
        user = context.get("userId") or context.get("sessionId")
        if not user:
            return
        hashed = user_hash(str(user))
        with self._lock:
            users = self._users.setdefault((flag, enabled), set())
            if len(users) < MAX_USERS_PER_ANSWER:
                users.add(hashed)

    def tally(self, flag: str) -> tuple[itertools.count, itertools.count]:
        """The (yes, no) counters of ``flag``: each ``next()`` on one counts one answer."""
        yes = self.yes.setdefault(flag, itertools.count())
        return yes, self.no.setdefault(flag, itertools.count())

    def count(self, flag: str, enabled: bool, variant: str | None = None) -> None:
        """Count one evaluation of ``flag`` (and the variant it resolved to, if asked for one)."""
        counters = self.yes if enabled else self.no
        try:
            next(counters[flag])
        except KeyError:
            next(counters.setdefault(flag, itertools.count()))
        if variant is not None:
            key = (flag, variant)
            try:
                next(self.variants[key])
            except KeyError:
                next(self.variants.setdefault(key, itertools.count()))

    def _take(self) -> tuple[dict, dict, dict]:
        """What was counted since the last take (the caller holds the lock)."""
        # dict.copy is one step for other threads: a counter added meanwhile waits for the next
        # take, it is not missed.
        now = tuple({key: _value(counter) for key, counter in counters.copy().items()}
                    for counters in (self.yes, self.no, self.variants))
        grown = tuple({key: value - before.get(key, 0) for key, value in current.items()
                       if value != before.get(key, 0)}
                      for current, before in zip(now, self._taken, strict=True))
        self._taken = now
        return grown

    def take_bucket(self) -> dict[str, Any] | None:
        """Return the counts since the last call as an Unleash bucket (None if nothing counted)."""
        with self._lock:
            flags, self._carried = self._carried, {}
            start, self._start = self._start, iso_now()
            users, self._users = self._users, {}
            _add(flags, *self._take())
        if not flags:
            return None
        toggles = {
            name: {"yes": c.yes, "no": c.no, "variants": dict(c.variants)}
            for name, c in flags.items()
        }
        for (name, enabled), ids in users.items():
            if name in toggles:
                answers = toggles[name].setdefault("users", {"yes": [], "no": []})
                answers["yes" if enabled else "no"] = sorted(ids)
        return {"start": start, "stop": iso_now(), "toggles": toggles}

    def restore(self, bucket: dict[str, Any]) -> None:
        """Put back a bucket that could not be sent, so its counts go out with the next one."""
        with self._lock:
            self._start = min(self._start, bucket["start"])
            for name, toggle in bucket["toggles"].items():
                counts = self._carried.setdefault(name, _FlagCounts())
                counts.yes += toggle["yes"]
                counts.no += toggle["no"]
                counts.variants.update(toggle["variants"])
                self._restore_users(name, toggle.get("users") or {})

    def _restore_users(self, flag: str, users: dict) -> None:
        for answer, enabled in (("yes", True), ("no", False)):
            if users.get(answer):
                self._users.setdefault((flag, enabled), set()).update(users[answer])


def _add(flags: dict[str, _FlagCounts], yes: dict, no: dict, variants: dict) -> None:
    for name, count in yes.items():
        flags.setdefault(name, _FlagCounts()).yes += count
    for name, count in no.items():
        flags.setdefault(name, _FlagCounts()).no += count
    for (name, variant), count in variants.items():
        flags.setdefault(name, _FlagCounts()).variants[variant] += count

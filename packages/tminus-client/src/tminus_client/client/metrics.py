"""Counting evaluations per flag, and the Unleash metrics payload built from the counts.

Counting sits on the path of every ``is_enabled`` call, so it must cost less than the evaluation
itself and takes no lock: each thread counts into dicts of its own, which only that thread
writes. ``take_bucket`` (the metrics thread) copies each thread's dicts (a dict copy is one
atomic step for other Python threads) and sends what grew since its last copy, so no count is
lost or sent twice. A thread that has ended is read one last time and then forgotten.

With ``report_users`` the recorder also keeps, per flag and answer, the distinct users it
answered (hashed), so a guarded rollout can count exposed users per arm and not only
exposures. That costs a lock per evaluation, which is why it is off unless asked for.
"""

import hashlib
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


class _Tally:
    """One thread's counts (written only by it) and what of them was already taken."""

    def __init__(self) -> None:
        self.thread = threading.current_thread()
        self.yes: dict[str, int] = {}
        self.no: dict[str, int] = {}
        self.variants: dict[tuple[str, str], int] = {}
        self.taken: tuple[dict, dict, dict] = ({}, {}, {})

    def take(self) -> tuple[dict, dict, dict]:
        """What was counted since the last take."""
        now = (self.yes.copy(), self.no.copy(), self.variants.copy())
        grown = tuple({key: count - before.get(key, 0) for key, count in current.items()
                       if count != before.get(key, 0)}
                      for current, before in zip(now, self.taken, strict=True))
        self.taken = now
        return grown


class MetricsRecorder:
    """Counts yes/no answers and variants per flag, between two sends."""

    def __init__(self) -> None:
        self.local = threading.local()  # .tally: this thread's _Tally, once it counted
        self._lock = threading.Lock()  # guards the list of tallies and the carried counts
        self._tallies: list[_Tally] = []
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

    def count(self, flag: str, enabled: bool, variant: str | None = None) -> None:
        """Count one evaluation of ``flag`` (and the variant it resolved to, if asked for one)."""
        try:
            tally = self.local.tally
        except AttributeError:
            tally = self.tally()
        counts = tally.yes if enabled else tally.no
        counts[flag] = counts.get(flag, 0) + 1
        if variant is not None:
            key = (flag, variant)
            tally.variants[key] = tally.variants.get(key, 0) + 1

    def tally(self) -> "_Tally":
        """This thread's counts, to add to (only this thread may write them)."""
        tally = getattr(self.local, "tally", None)
        if tally is None:
            tally = self.local.tally = _Tally()
            with self._lock:
                self._tallies.append(tally)
        return tally

    def take_bucket(self) -> dict[str, Any] | None:
        """Return the counts since the last call as an Unleash bucket (None if nothing counted)."""
        with self._lock:
            flags, self._carried = self._carried, {}
            start, self._start = self._start, iso_now()
            users, self._users = self._users, {}
            for tally in list(self._tallies):
                alive = tally.thread.is_alive()
                _add(flags, *tally.take())
                if not alive:  # it cannot count any more, and all it counted is taken
                    self._tallies.remove(tally)
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

"""Counting evaluations per flag, and the Unleash metrics payload built from the counts."""

import threading
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any


def iso_now() -> str:
    """The current time as an ISO 8601 UTC timestamp, the way Unleash writes them."""
    return datetime.now(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


@dataclass
class _FlagCounts:
    yes: int = 0
    no: int = 0
    variants: Counter[str] = field(default_factory=Counter)


class MetricsRecorder:
    """Counts yes/no answers and variants per flag, between two sends."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._flags: dict[str, _FlagCounts] = {}
        self._start = iso_now()

    def count(self, flag: str, enabled: bool, variant: str | None = None) -> None:
        """Count one evaluation of ``flag`` (and the variant it resolved to, if asked for one)."""
        with self._lock:
            counts = self._flags.get(flag)
            if counts is None:
                counts = self._flags[flag] = _FlagCounts()
            if enabled:
                counts.yes += 1
            else:
                counts.no += 1
            if variant is not None:
                counts.variants[variant] += 1

    def take_bucket(self) -> dict[str, Any] | None:
        """Return the counts since the last call as an Unleash bucket (None if nothing counted)."""
        with self._lock:
            flags, self._flags = self._flags, {}
            start, self._start = self._start, iso_now()
        if not flags:
            return None
        toggles = {
            name: {"yes": c.yes, "no": c.no, "variants": dict(c.variants)}
            for name, c in flags.items()
        }
        return {"start": start, "stop": iso_now(), "toggles": toggles}

    def restore(self, bucket: dict[str, Any]) -> None:
        """Put back a bucket that could not be sent, so its counts go out with the next one."""
        with self._lock:
            self._start = min(self._start, bucket["start"])
            for name, toggle in bucket["toggles"].items():
                counts = self._flags.setdefault(name, _FlagCounts())
                counts.yes += toggle["yes"]
                counts.no += toggle["no"]
                counts.variants.update(toggle["variants"])

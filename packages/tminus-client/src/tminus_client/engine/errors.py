"""Errors raised while reading definitions, and the counter of failed evaluations."""

import threading
from collections import Counter


class DefinitionError(ValueError):
    """A strategy, constraint or variant that cannot be evaluated.

    ``path`` locates the offending field inside the definition, e.g. ``parameters.rollout``.
    """

    def __init__(self, message: str, path: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.path = path

    def __str__(self) -> str:
        return f"{self.path}: {self.message}" if self.path else self.message

    def within(self, prefix: str) -> "DefinitionError":
        """Return the same error with its path nested under ``prefix``."""
        path = f"{prefix}.{self.path}" if self.path else prefix
        return DefinitionError(self.message, path)


class StateError(ValueError):
    """A features state or delta whose overall shape is wrong, so nothing of it was applied."""


class EvaluationErrors:
    """Counts evaluations that were answered with "off" because something could not be evaluated.

    Evaluation never raises; a broken definition or a malformed context is recorded here instead.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.count = 0
        self.reasons: Counter[str] = Counter()
        self.last: str | None = None

    def record(self, reason: str) -> None:
        """Count one failed evaluation and remember why it failed."""
        with self._lock:
            self.count += 1
            self.reasons[reason] += 1
            self.last = reason

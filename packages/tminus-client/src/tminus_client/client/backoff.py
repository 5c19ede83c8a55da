"""Exponential back-off with jitter, for reconnecting without stampeding the server."""

import random


class Backoff:
    """Delays that double after each failure, from ``initial`` up to ``maximum`` seconds."""

    def __init__(self, initial: float, maximum: float) -> None:
        self.initial = initial
        self.maximum = maximum
        self.failures = 0

    def failed(self) -> float:
        """Record a failure and return how long to wait before trying again."""
        delay = min(self.maximum, self.initial * 2 ** min(self.failures, 32))
        self.failures += 1
        # Up to 25% less, so many clients that lost the server together do not return together.
        return delay * random.uniform(0.75, 1.0)

    def reset(self) -> None:
        """Record a success: the next failure starts again from ``initial``."""
        self.failures = 0

"""Pausing Python's cyclic garbage collector while a batch of events is parsed and stored.

A batch of 5,000 events is some 60,000 short-lived dicts and strings without reference cycles:
reference counting frees them all. Left alone, the cyclic collector would still scan the whole
process (every loaded module, model and template) several times per batch, which costs more than
storing the batch. Nested and concurrent pauses are counted; the collector runs again when the
last one ends, if it was running before the first one began.
"""

import gc
import threading
from collections.abc import Iterator
from contextlib import contextmanager

_lock = threading.Lock()
_holders = 0
_was_enabled = True


@contextmanager
def cyclic_gc_paused() -> Iterator[None]:
    """Run the block with the cyclic garbage collector off."""
    global _holders, _was_enabled
    with _lock:
        if _holders == 0:
            _was_enabled = gc.isenabled()
            gc.disable()
        _holders += 1
    try:
        yield
    finally:
        with _lock:
            _holders -= 1
            if _holders == 0 and _was_enabled:
                gc.enable()

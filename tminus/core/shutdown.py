"""Let long-lived responses end when the server is asked to stop.

uvicorn stops on SIGTERM or SIGINT by closing its listeners and then waiting for every open
response; a Server-Sent Events stream never ends by itself, so the server would wait until its
graceful timeout (TMINUS_SERVE_GRACEFUL_SECONDS) runs out and then cut the streams. To close them
cleanly at once, the first stream of a process chains a callback onto the signal handlers the
server installed: the callbacks run, then the server's own handler does.
"""

import signal
import threading

_SIGNALS = (signal.SIGTERM, signal.SIGINT)
_callbacks: list = []
_lock = threading.Lock()


def on_stop(callback) -> None:
    """Call `callback()` (in a thread of its own) when the server is asked to stop.

    Only the main thread can set signal handlers; elsewhere (a server run in a thread, as in
    tests) the callback is registered but no handler is chained.
    """
    with _lock:
        if callback not in _callbacks:
            _callbacks.append(callback)
        if threading.current_thread() is not threading.main_thread():
            return
        for sig in _SIGNALS:
            previous = signal.getsignal(sig)
            if not getattr(previous, "chained_by_tminus", False):
                signal.signal(sig, _chain(previous))


def _chain(previous):
    def handler(sig, frame):
        # A signal handler may interrupt the code that holds the streams' locks: wake them from
        # another thread.
        threading.Thread(target=stopping, name="tminus-stop", daemon=True).start()
        if callable(previous):
            previous(sig, frame)
        elif previous == signal.SIG_DFL:
            signal.signal(sig, signal.SIG_DFL)
            signal.raise_signal(sig)

    handler.chained_by_tminus = True
    return handler


def stopping() -> None:
    """Run every registered callback (the server is stopping)."""
    for callback in list(_callbacks):
        callback()

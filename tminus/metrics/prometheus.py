"""Prometheus as an external source: one instant query over its HTTP API (`/api/v1/query`).

The query must give one number (aggregate it: `sum(...)`, `100 * sum(...) / sum(...)`). A server
that is down, a refused query or an answer that is not one number gives no value and says why:
a criterion read from it is then "unknown", never zero and never met.
"""

import json
import math
import threading
import time
from datetime import datetime
from urllib.parse import urlencode

from tminus.core.outbound import OutboundRefused, fetch, url_origin


def instant_query(base_url: str, query: str, at: datetime,
                  timeout: float = 5) -> tuple[float | None, str]:
    """The query's value at `at`: (value, "") or (None, why there is none)."""
    params = urlencode({"query": query, "time": f"{at.timestamp():.3f}"})
    url = f"{base_url.rstrip('/')}/api/v1/query?{params}"
    where = url_origin(base_url)
    try:
        response = fetch("GET", url, headers={"Accept": "application/json"}, timeout=timeout,
                         redirects=3)
    except OutboundRefused as refused:
        return None, f"Prometheus at {where} was not asked: {refused.message}"
    except OSError as error:
        return None, f"Prometheus at {where} did not answer: {error}."
    try:
        body = json.loads(response.body)
    except ValueError:
        body = None
    if response.status >= 300 and not isinstance(body, dict):
        # A bad query is answered 400 with a JSON body that says what is wrong with it.
        return None, f"Prometheus at {where} answered HTTP {response.status}."
    if body is None:
        return None, f"Prometheus at {where} did not answer with JSON."
    return _one_number(body)


def _one_number(body) -> tuple[float | None, str]:
    if not isinstance(body, dict) or body.get("status") != "success":
        reason = body.get("error", "no reason given") if isinstance(body, dict) else "not JSON"
        return None, f"Prometheus refused the query: {reason}."
    data = body.get("data") or {}
    kind, result = data.get("resultType"), data.get("result")
    if kind == "scalar" and isinstance(result, list) and len(result) == 2:
        return _number(result[1])
    if kind != "vector" or not isinstance(result, list):
        return None, f"The query gives a {kind}; it must give one number."
    if not result:
        return None, "The query returned no samples."
    if len(result) > 1:
        return None, f"The query returned {len(result)} series; aggregate them to one (sum)."
    return _number((result[0].get("value") or [None, None])[1])


def _number(text) -> tuple[float | None, str]:
    try:
        value = float(text)
    except (TypeError, ValueError):
        return None, f"The query returned {text!r}, which is not a number."
    if not math.isfinite(value):
        return None, f"The query returned {text}, which is not a measurement."
    return value, ""


class PendingQuery:
    """An instant query running in its own thread, answered within a time box.

    The socket timeout alone does not bound a query (a server that trickles bytes resets it
    at every read); the deadline does. A query past it is left to finish on its daemon thread
    and its answer ignored.
    """

    def __init__(self, base_url: str, query: str, at: datetime, timeout: float):
        self._url, self._timeout = base_url, timeout
        self._deadline = time.monotonic() + timeout
        self._done = threading.Event()
        self._finished_at = float("inf")
        self._answer: tuple[float | None, str] = (None, "")
        threading.Thread(target=self._run, args=(query, at), daemon=True,
                         name="prometheus-query").start()

    def _run(self, query: str, at: datetime) -> None:
        try:
            # The deadline decides; the socket's own timeout (longer) only lets the thread end.
            self._answer = instant_query(self._url, query, at, timeout=2 * self._timeout)
        except Exception as error:  # the answer is "unknown", never a failed round
            self._answer = (None, f"Prometheus at {self._url} failed: {error}.")
        finally:
            self._finished_at = time.monotonic()
            self._done.set()

    def result(self) -> tuple[float | None, str]:
        answered = self._done.wait(max(0.0, self._deadline - time.monotonic()))
        # On a busy machine the round may ask after the socket's own timeout ended the thread:
        # an answer that came after the deadline is still "did not answer in time".
        if not answered or self._finished_at > self._deadline:
            return None, (f"Prometheus at {self._url} did not answer within "
                          f"{self._timeout:g} s.")
        return self._answer

"""KPI values from Prometheus: an instant query over its HTTP API (`GET /api/v1/query`).

The query must give one number in the KPI's unit (multiply a ratio by 100 for a percentage).
A server that is down or a query that gives no single number is an error, never a zero.
"""

import json
import math
from datetime import datetime
from urllib.error import HTTPError, URLError
from urllib.parse import urlencode
from urllib.request import Request, urlopen

from django.conf import settings


def prometheus_value(kpi, at: datetime) -> tuple[float | None, str]:
    """The KPI's query evaluated at `at` on its Prometheus server (its own or the default)."""
    base_url = (kpi.source_url or settings.PROMETHEUS_URL or "").rstrip("/")
    if not base_url:
        return None, "No Prometheus server: set TMINUS_PROMETHEUS_URL or the KPI's own URL."
    if not kpi.query.strip():
        return None, "The KPI has no Prometheus query."
    return prometheus_query(base_url, kpi.query, at, timeout=settings.PROMETHEUS_TIMEOUT_SECONDS)


def prometheus_query(base_url: str, query: str, at: datetime,
                     timeout: float = 5) -> tuple[float | None, str]:
    """Run an instant query; (value, "") or (None, error)."""
    params = urlencode({"query": query, "time": f"{at.timestamp():.3f}"})
    request = Request(f"{base_url}/api/v1/query?{params}", headers={"Accept": "application/json"})
    try:
        with urlopen(request, timeout=timeout) as response:
            body = json.load(response)
    except HTTPError as error:
        # Prometheus answers a bad query with 400 and a JSON body that says what is wrong.
        body = _json_body(error)
        if body is None:
            return None, f"Prometheus at {base_url} answered HTTP {error.code}."
    except (URLError, OSError) as error:
        reason = getattr(error, "reason", error)
        return None, f"Prometheus at {base_url} did not answer: {reason}."
    except ValueError:
        return None, f"Prometheus at {base_url} did not answer with JSON."
    return _single_number(body)


def _json_body(error: HTTPError) -> dict | None:
    try:
        return json.load(error)
    except (ValueError, OSError):
        return None


def _single_number(body) -> tuple[float | None, str]:
    if not isinstance(body, dict) or body.get("status") != "success":
        detail = body.get("error", "no reason given") if isinstance(body, dict) else "no JSON"
        return None, f"Prometheus refused the query: {detail}."
    data = body.get("data") or {}
    kind, result = data.get("resultType"), data.get("result")
    if kind == "scalar":
        return _number(result[1])
    if kind != "vector":
        return None, f"The query gives a {kind}; it must give one number (an instant vector)."
    if not result:
        return None, "The query returned no samples."
    if len(result) > 1:
        return None, (f"The query returned {len(result)} series; aggregate it to one "
                      f"(sum, avg or max).")
    return _number(result[0]["value"][1])


def _number(text) -> tuple[float | None, str]:
    try:
        value = float(text)
    except (TypeError, ValueError):
        return None, f"The query returned {text!r}, which is not a number."
    if math.isnan(value) or math.isinf(value):
        return None, f"The query returned {text}, which is not a measurement."
    return value, ""

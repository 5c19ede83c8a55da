"""KPI values from Prometheus: the KPI's query on its own server or the default one.

The query itself goes through the one Prometheus client (tminus.metrics.prometheus): a server
that is down or a query that gives no single number is an error, never a zero.
"""

from datetime import datetime

from django.conf import settings

from tminus.metrics.prometheus import instant_query


def prometheus_value(kpi, at: datetime) -> tuple[float | None, str]:
    """The KPI's query evaluated at `at` on its Prometheus server (its own or the default)."""
    base_url = (kpi.source_url or settings.PROMETHEUS_URL or "").rstrip("/")
    if not base_url:
        return None, "No Prometheus server: set TMINUS_PROMETHEUS_URL or the KPI's own URL."
    if not kpi.query.strip():
        return None, "The KPI has no Prometheus query."
    return instant_query(base_url, kpi.query, at, timeout=settings.PROMETHEUS_TIMEOUT_SECONDS)

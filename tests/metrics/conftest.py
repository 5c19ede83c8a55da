"""The fake and the real Prometheus server, for the metric tests."""

from tests.support.prometheus import prometheus, real_prometheus  # noqa: F401

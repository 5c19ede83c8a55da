"""The fake Prometheus server, for the metric tests."""

from tests.support.prometheus import prometheus  # noqa: F401

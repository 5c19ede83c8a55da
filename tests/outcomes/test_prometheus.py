from datetime import timedelta

import pytest
from django.utils import timezone

from tests.support.network import free_port
from tminus.metrics.prometheus import instant_query as prometheus_query


def test_prometheus_query_reads_one_sample_and_asks_at_the_given_time(prometheus):
    prometheus.set_value("up", "0.995")
    at = timezone.now() - timedelta(hours=3)

    value, error = prometheus_query(prometheus.url, "up", at)

    assert (value, error) == (0.995, "")
    assert float(prometheus.requests[0]["time"]) == pytest.approx(at.timestamp(), abs=0.01)


def test_prometheus_query_with_no_samples_is_an_error_not_zero(prometheus):
    value, error = prometheus_query(prometheus.url, "nothing_here", timezone.now())

    assert value is None
    assert "no samples" in error


def test_prometheus_query_with_several_series_asks_for_an_aggregate(prometheus):
    prometheus.answers["by_instance"] = (200, {"status": "success", "data": {
        "resultType": "vector", "result": [{"metric": {"i": "a"}, "value": [0, "1"]},
                                           {"metric": {"i": "b"}, "value": [0, "2"]}]}})

    value, error = prometheus_query(prometheus.url, "by_instance", timezone.now())

    assert value is None
    assert "2 series" in error


def test_prometheus_query_that_prometheus_refuses_gives_its_reason(prometheus):
    prometheus.answers["rate("] = (400, {"status": "error", "errorType": "bad_data",
                                         "error": "parse error: unclosed left parenthesis"})

    value, error = prometheus_query(prometheus.url, "rate(", timezone.now())

    assert value is None
    assert "unclosed left parenthesis" in error


def test_prometheus_query_nan_is_an_error(prometheus):
    prometheus.set_value("ratio", "NaN")
    value, error = prometheus_query(prometheus.url, "ratio", timezone.now())
    assert value is None
    assert "NaN" in error


def test_prometheus_down_is_an_error_that_names_the_server():
    url = f"http://127.0.0.1:{free_port()}"

    value, error = prometheus_query(url, "up", timezone.now(), timeout=2)

    assert value is None
    assert f"Prometheus at {url} did not answer" in error


def test_real_prometheus_answers_an_instant_query(real_prometheus):
    value, error = prometheus_query(real_prometheus, "vector(99.5)", timezone.now())
    assert (value, error) == (99.5, "")

    value, error = prometheus_query(real_prometheus, "scalar(vector(0.25))", timezone.now())
    assert (value, error) == (0.25, "")

    value, error = prometheus_query(real_prometheus, "sum(rate(", timezone.now())
    assert value is None
    assert "parse error" in error

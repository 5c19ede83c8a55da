"""A KPI's Prometheus server URL: internal addresses refused when saved and when the worker
reads it."""

import pytest

import tminus.outcomes.tasks  # noqa: F401  (registers the periodic task and the job handler)
from tests.outcomes.conftest import live_release
from tminus.core.actors import Actor
from tminus.outcomes import services
from tminus.outcomes.models import Kpi, KpiCheckin
from tminus.worker.loop import run_once

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("url", ["http://169.254.169.254/latest/meta-data",
                                 "http://127.0.0.1:6379", "http://[::1]:5432",
                                 "http://metadata.google.internal"])
def test_api_kpi_with_an_internal_source_url_answers_422_and_saves_nothing(
        api_as, manager, settings, url):
    settings.OUTBOUND_ALLOW = []
    response = api_as(manager).post(f"/api/v1/releases/{live_release().key}/kpis", {
        "name": "Uptime", "target": "95%", "source": "prometheus", "query": "up",
        "source_url": url})
    assert response.status_code == 422
    assert "internal" in response.json()["errors"]["source_url"][0]
    assert not Kpi.objects.exists()


def test_worker_does_not_read_a_kpi_whose_server_became_internal(prometheus, settings):
    prometheus.set_value("up", "99")
    kpi = services.kpi_create(release=live_release(days_ago=1), target="95% uptime",
                              source="prometheus", query="up", source_url=prometheus.url,
                              actor=Actor.cli())
    settings.OUTBOUND_ALLOW = []

    run_once("worker-a")

    reading = kpi.checkins.get()
    assert reading.status == KpiCheckin.MISSING and reading.value is None
    assert "internal address" in reading.error
    assert prometheus.requests == []

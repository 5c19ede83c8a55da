import pytest
from django.utils import timezone

import tminus.outcomes.tasks  # noqa: F401  (registers the periodic task and the job handler)
from tests.factories import make_release
from tests.outcomes.conftest import live_release
from tests.support.network import free_port
from tminus.audit.models import AuditEvent
from tminus.core.actors import Actor
from tminus.outcomes import selectors, services
from tminus.outcomes.models import KpiCheckin
from tminus.worker.loop import run_once
from tminus.worker.models import Job

pytestmark = pytest.mark.django_db
CLI = Actor.cli()


def _prometheus_kpi(release, url, query="avg_over_time(up[1d]) * 100"):
    return services.kpi_create(release=release, target="95% uptime", source="prometheus",
                               query=query, source_url=url, actor=CLI)


def test_worker_takes_every_due_slot_once_from_prometheus(prometheus):
    prometheus.set_value("avg_over_time(up[1d]) * 100", "99.5")
    kpi = _prometheus_kpi(live_release(days_ago=10), prometheus.url)

    run_once("worker-a")
    run_once("worker-b")

    readings = list(kpi.checkins.order_by("due_at"))
    # Ten days after go-live: Day 1 … Day 7 and Week 1 are due, Week 2 is not.
    assert sorted(c.slot for c in readings) == sorted(
        ["day-1", "day-2", "day-3", "day-4", "day-5", "day-6", "day-7", "week-1"])
    assert {c.value for c in readings} == {99.5}
    assert {c.status for c in readings} == {KpiCheckin.RECORDED}
    assert {c.source for c in readings} == {"prometheus"}
    # Each reading asked Prometheus for the value at its own due time.
    asked = sorted(float(r["time"]) for r in prometheus.requests)
    assert asked == sorted(c.due_at.timestamp() for c in readings)
    assert Job.objects.filter(kind="outcomes.kpi_checkin").count() == 8
    assert AuditEvent.objects.filter(action="kpi_checkin.take", interface="worker").count() == 8


def test_worker_with_prometheus_down_records_missing_with_the_error_never_zero():
    kpi = _prometheus_kpi(live_release(days_ago=2), f"http://127.0.0.1:{free_port()}")

    run_once("worker-a")

    readings = list(kpi.checkins.order_by("slot"))
    assert [c.slot for c in readings] == ["day-1", "day-2"]
    for reading in readings:
        assert reading.status == KpiCheckin.MISSING
        assert reading.value is None
        assert "did not answer" in reading.error
    view = selectors.kpi_view(kpi, readings)
    assert view.status == "no_data"


def test_worker_with_prometheus_down_does_not_retake_the_slot_later(prometheus):
    kpi = _prometheus_kpi(live_release(days_ago=1), f"http://127.0.0.1:{free_port()}")
    run_once("worker-a")
    assert kpi.checkins.get().status == KpiCheckin.MISSING

    kpi.source_url = prometheus.url
    kpi.save(update_fields=["source_url"])
    prometheus.set_value("avg_over_time(up[1d]) * 100", "99.9")
    services.kpi_checkin_take(kpi=kpi, slot="day-1", actor=Actor.worker())

    assert kpi.checkins.get().status == KpiCheckin.MISSING
    assert prometheus.requests == []


def test_missing_reading_can_be_filled_in_by_a_person(manager):
    kpi = _prometheus_kpi(live_release(days_ago=1), f"http://127.0.0.1:{free_port()}")
    run_once("worker-a")

    services.kpi_checkin_record(kpi=kpi, value="99.2%", slot="day-1", actor=Actor(manager, "web"))

    reading = kpi.checkins.get()
    assert (reading.status, reading.value, reading.error) == (KpiCheckin.RECORDED, 99.2, "")
    assert AuditEvent.objects.filter(action="kpi_checkin.fill").exists()


def test_worker_leaves_manual_kpis_and_releases_not_yet_live_alone(prometheus):
    services.kpi_create(release=live_release(), target="95% uptime", actor=CLI)
    future = make_release(go_live=timezone.localdate().replace(year=2099))
    _prometheus_kpi(future, prometheus.url)

    run_once("worker-a")

    assert not KpiCheckin.objects.exists()
    assert prometheus.requests == []


def test_due_automatic_slots_query_count_does_not_grow_with_kpis(
        prometheus, django_assert_num_queries):
    release = live_release(days_ago=3)
    _prometheus_kpi(release, prometheus.url)
    _prometheus_kpi(release, prometheus.url)
    with django_assert_num_queries(2):
        assert len(selectors.due_automatic_slots()) == 6
    for _ in range(18):
        _prometheus_kpi(release, prometheus.url)
    with django_assert_num_queries(2):
        assert len(selectors.due_automatic_slots()) == 60

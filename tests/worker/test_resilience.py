"""The worker survives failed rounds, records a heartbeat, and a stale one is reported."""

import logging
import threading
from datetime import timedelta

import pytest
from django.db.utils import OperationalError
from django.utils import timezone

from tests.conftest import signed_in
from tminus.worker import loop, services
from tminus.worker.models import Heartbeat


class CountedRounds(threading.Event):
    """A stop event that remembers each wait (without sleeping) and stops after some waits."""

    def __init__(self, waits: int):
        super().__init__()
        self.waits: list[float] = []
        self.limit = waits

    def wait(self, timeout=None):
        self.waits.append(timeout)
        if len(self.waits) >= self.limit:
            self.set()
        return self.is_set()


def fail_first_claims(monkeypatch, times: int, error: Exception) -> list[int]:
    real_claim = services.jobs_claim
    calls = []

    def claim(**kwargs):
        calls.append(1)
        if len(calls) <= times:
            raise error
        return real_claim(**kwargs)

    monkeypatch.setattr(services, "jobs_claim", claim)
    return calls


@pytest.mark.django_db(transaction=True)
def test_database_error_inside_a_round_does_not_end_the_loop(monkeypatch, settings):
    settings.WORKER_BACKOFF_MAX_SECONDS = 4
    calls = fail_first_claims(monkeypatch, 4, OperationalError("database is locked"))
    stop = CountedRounds(waits=6)

    loop.run_forever("w1", stop=stop)

    assert len(calls) == 6  # four failed rounds, then two that went through
    assert stop.waits[:4] == [1, 2, 4, 4]  # growing back-off, capped
    assert not Heartbeat.objects.exists()  # a worker stopping on purpose removes its heartbeat


@pytest.mark.django_db(transaction=True)
def test_failed_round_keeps_its_error_and_the_last_good_round_on_the_heartbeat(monkeypatch):
    fail_first_claims(monkeypatch, 100, RuntimeError("a task module is broken"))
    seen = []
    stop = CountedRounds(waits=3)
    real_wait = stop.wait

    def wait_and_look(timeout=None):
        seen.append(Heartbeat.objects.get(name="w1"))
        return real_wait(timeout)

    stop.wait = wait_and_look
    loop.run_forever("w1", stop=stop)

    beat = seen[-1]
    assert beat.last_error == "RuntimeError: a task module is broken"
    assert beat.round_at == beat.started_at  # no round went through since the start
    assert beat.last_error_at > beat.round_at


@pytest.mark.django_db(transaction=True)
def test_each_good_round_moves_the_heartbeat(monkeypatch):
    rounds = []
    stop = CountedRounds(waits=2)
    real_wait = stop.wait

    def wait_and_look(timeout=None):
        rounds.append(Heartbeat.objects.get(name="w1").round_at)
        return real_wait(timeout)

    stop.wait = wait_and_look
    loop.run_forever("w1", stop=stop)

    assert len(rounds) == 2 and rounds[1] > rounds[0]


def beat(name: str, seconds_ago: float, error: str = "") -> Heartbeat:
    at = timezone.now() - timedelta(seconds=seconds_ago)
    return Heartbeat.objects.create(name=name, host="web-1", pid=42, started_at=at, round_at=at,
                                    last_error=error, last_error_at=at if error else None)


@pytest.mark.django_db
def test_healthz_with_a_live_worker_is_200_and_lists_it(client):
    beat("web-1:42", seconds_ago=2)
    response = client.get("/healthz")
    body = response.json()
    assert response.status_code == 200
    assert (body["status"], body["worker"]["status"], body["worker"]["alive"]) == ("ok", "ok", 1)
    assert body["worker"]["workers"][0]["name"] == "web-1:42"
    assert body["worker"]["workers"][0]["stale"] is False


@pytest.mark.django_db
def test_healthz_with_only_a_stale_worker_is_503_and_says_how_old(client, settings):
    settings.WORKER_STALE_SECONDS = 60
    beat("web-1:42", seconds_ago=61, error="OperationalError: connection refused")
    response = client.get("/healthz")
    body = response.json()
    assert response.status_code == 503
    assert (body["status"], body["database"], body["worker"]["status"]) == (
        "error", "ok", "stale")
    worker = body["worker"]["workers"][0]
    assert worker["stale"] is True and worker["seconds_since_round"] >= 61
    assert worker["last_error"] is True  # the text itself is for admins only


@pytest.mark.django_db
def test_healthz_shows_an_admin_the_last_error_itself(admin_user):
    beat("web-1:42", seconds_ago=600, error="OperationalError: connection refused")
    body = signed_in(admin_user).get("/healthz").json()
    assert body["worker"]["workers"][0]["last_error"] == "OperationalError: connection refused"


@pytest.mark.django_db
def test_healthz_with_one_of_two_workers_stale_is_200_and_reports_the_stale_one(client):
    beat("web-1:42", seconds_ago=3600)
    beat("web-2:7", seconds_ago=1)
    response = client.get("/healthz")
    stale = {w["name"]: w["stale"] for w in response.json()["worker"]["workers"]}
    assert response.status_code == 200
    assert stale == {"web-1:42": True, "web-2:7": False}


@pytest.mark.django_db
def test_healthz_without_any_worker_is_503(client):
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["worker"]["status"] == "missing"


@pytest.mark.django_db
def test_healthz_503_logs_one_warning_and_no_django_request_error(client, caplog):
    beat("web-1:42", seconds_ago=3600)
    with caplog.at_level(logging.INFO):
        response = client.get("/healthz")
    assert response.status_code == 503
    assert [r for r in caplog.records if r.name == "django.request"] == []
    lines = [(r.name, r.levelname, r.getMessage()) for r in caplog.records
             if r.name.startswith("tminus")]
    assert lines == [("tminus.health", "WARNING", "/healthz answers 503 (worker: stale)")]


@pytest.mark.django_db
def test_healthz_503_for_a_database_error_logs_one_warning(client, caplog, monkeypatch):
    from tminus.core import views

    def down():
        raise OperationalError("connection refused")

    monkeypatch.setattr(views, "worker_health", down)
    with caplog.at_level(logging.INFO):
        response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["database"] == "connection refused"
    assert [r for r in caplog.records if r.name == "django.request"] == []
    assert [(r.levelname, r.getMessage()) for r in caplog.records
            if r.name == "tminus.health"] == [
        ("WARNING", "/healthz answers 503 (database: connection refused)")]


@pytest.mark.django_db
def test_healthz_without_worker_is_200_when_no_worker_is_required(client, settings):
    settings.HEALTH_REQUIRES_WORKER = False
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json()["worker"]["status"] == "missing"


@pytest.mark.django_db
def test_stale_worker_shows_a_banner_to_admins_with_its_last_error(admin_user):
    beat("web-1:42", seconds_ago=600, error="OperationalError: connection refused")
    page = signed_in(admin_user).get("/").content.decode()
    assert "data-worker-banner" in page
    assert "The background worker is not running" in page
    assert "OperationalError: connection refused" in page


@pytest.mark.django_db
def test_stale_worker_shows_no_banner_to_viewers(viewer):
    beat("web-1:42", seconds_ago=600, error="OperationalError: connection refused")
    page = signed_in(viewer).get("/", follow=True).content.decode()
    assert "data-worker-banner" not in page and "connection refused" not in page


@pytest.mark.django_db
def test_live_worker_shows_no_banner_to_admins(admin_user):
    beat("web-1:42", seconds_ago=1)
    page = signed_in(admin_user).get("/", follow=True).content.decode()
    assert "data-worker-banner" not in page


@pytest.mark.django_db(transaction=True)
def test_first_good_round_after_an_outage_records_what_failed(monkeypatch):
    fail_first_claims(monkeypatch, 2, OperationalError("server closed the connection"))
    seen = []
    stop = CountedRounds(waits=3)
    real_wait = stop.wait

    def wait_and_look(timeout=None):
        seen.append(Heartbeat.objects.get(name="w1"))
        return real_wait(timeout)

    stop.wait = wait_and_look
    loop.run_forever("w1", stop=stop)

    after = seen[-1]
    assert after.last_error == "OperationalError: server closed the connection"
    assert after.round_at > after.last_error_at

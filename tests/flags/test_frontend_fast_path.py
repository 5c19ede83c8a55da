"""GET /api/frontend answered before Django, from the engine this process compiled: the same
body, ETag, 304, gzip and CORS headers as the Django view, and never a stale answer."""

import gzip

import pytest
import requests
from django.core.signals import request_started

from tests.flags.conftest import SYSTEM
from tminus.flags import services

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def django_requests():
    """How many requests went through Django (the fast path sends no request_started)."""
    seen = []

    def count(**_kwargs):
        seen.append(1)

    request_started.connect(count, dispatch_uid="count-django-requests")
    yield seen
    request_started.disconnect(dispatch_uid="count-django-requests")


@pytest.fixture
def frontend(checkout):
    flag, _secret = checkout
    services.flag_environment_toggle(flag=flag, environment="production", enabled=True,
                                     actor=SYSTEM)
    _token, secret = services.client_token_create(name="web", environment="production",
                                                  projects=["shop"], kind="frontend",
                                                  actor=SYSTEM)
    return flag, secret


def get(server, secret, **headers):
    return requests.get(server + "/api/frontend?userId=7&properties[plan]=pro",
                        headers={"Authorization": secret, **headers}, timeout=10)


def test_the_second_frontend_request_is_answered_without_django_and_identically(
        asgi_server, frontend, django_requests):
    _flag, secret = frontend
    first = get(asgi_server, secret, Origin="https://shop.example")
    through_django = len(django_requests)

    second = get(asgi_server, secret, Origin="https://shop.example")

    assert len(django_requests) == through_django  # the fast path answered
    assert second.status_code == 200 and second.content == first.content
    assert second.json()["toggles"][0]["name"] == "checkout-v2"
    for header in ("ETag", "Access-Control-Allow-Origin", "Access-Control-Expose-Headers",
                   "Content-Type"):
        assert second.headers[header] == first.headers[header]


def test_fast_path_answers_304_to_the_etag_and_a_new_body_after_a_change(asgi_server,
                                                                         frontend,
                                                                         django_requests):
    flag, secret = frontend
    etag = get(asgi_server, secret).headers["ETag"]
    get(asgi_server, secret)
    before = len(django_requests)

    assert get(asgi_server, secret, **{"If-None-Match": etag}).status_code == 304
    assert len(django_requests) == before

    services.flag_environment_toggle(flag=flag, environment="production", enabled=False,
                                     actor=SYSTEM)
    changed = get(asgi_server, secret, **{"If-None-Match": etag})
    assert changed.status_code == 200 and changed.json() == {"toggles": []}


def test_fast_path_gzips_large_answers_like_the_view(asgi_server, frontend):
    flag, secret = frontend
    for number in range(30):
        bulk = services.flag_create(project=flag.project, key=f"bulk-{number:03}", actor=SYSTEM)
        services.flag_environment_toggle(flag=bulk, environment="production", enabled=True,
                                         actor=SYSTEM)
    first = get(asgi_server, secret)
    second = requests.get(asgi_server + "/api/frontend?userId=7&properties[plan]=pro",
                          headers={"Authorization": secret}, timeout=10, stream=True)
    raw = second.raw.read()

    assert second.headers["Content-Encoding"] == "gzip"
    assert gzip.decompress(raw) == first.content
    assert len(first.json()["toggles"]) == 31


def test_fast_path_refuses_nothing_itself_a_backend_token_still_gets_403(asgi_server,
                                                                         checkout):
    _flag, client_secret = checkout
    assert get(asgi_server, client_secret).status_code == 403
    assert get(asgi_server, client_secret).status_code == 403


def _feature(strategy: dict, variants=()) -> dict:
    return {"features": [{"name": "f", "strategies": [strategy], "variants": list(variants)}],
            "segments": [{"id": 1, "constraints": [
                {"contextName": "currentTime", "operator": "DATE_AFTER", "value": "2030-01-01"}]}]}


@pytest.mark.parametrize("strategy, variants, stable", [
    ({"name": "flexibleRollout", "parameters": {"rollout": "50", "stickiness": "default"}},
     [], True),
    ({"name": "flexibleRollout", "parameters": {"rollout": "50", "stickiness": "random"}},
     [], False),
    ({"name": "gradualRolloutRandom", "parameters": {"percentage": "50"}}, [], False),
    ({"name": "default", "constraints": [
        {"contextName": "signup", "operator": "DATE_BEFORE", "value": "2030-01-01"}]}, [], False),
    ({"name": "default", "segments": [1]}, [], False),
    ({"name": "default"}, [{"name": "blue", "weight": 1000, "stickiness": "random"}], False),
    ({"name": "default", "variants": [{"name": "a", "weight": 1000, "stickiness": "plan"}]},
     [], False),
])
def test_answers_are_kept_per_context_only_for_states_that_answer_the_same_way_every_time(
        strategy, variants, stable):
    from tminus.flags.evaluation import stable_answers

    assert stable_answers(_feature(strategy, variants)) is stable


def test_a_repeated_context_is_answered_from_memory_without_evaluating(asgi_server, frontend,
                                                                       monkeypatch):
    from tminus.flags import evaluation

    _flag, secret = frontend
    first = get(asgi_server, secret)  # through Django: compiles the engine
    get(asgi_server, secret)  # the fast path evaluates and keeps the answer
    evaluations = []
    real = evaluation.toggles_json
    monkeypatch.setattr(evaluation, "toggles_json",
                        lambda *args, **kwargs: evaluations.append(1) or real(*args, **kwargs))

    again = get(asgi_server, secret)
    other_user = requests.get(asgi_server + "/api/frontend?userId=8",
                              headers={"Authorization": secret}, timeout=10)
    no_identity = requests.get(asgi_server + "/api/frontend",
                               headers={"Authorization": secret}, timeout=10)

    assert again.content == first.content and again.headers["ETag"] == first.headers["ETag"]
    assert other_user.status_code == no_identity.status_code == 200
    assert len(evaluations) == 2  # the other user, and the context without userId/sessionId


def _client_get(server, secret):
    return requests.get(server + "/api/client/features",
                        headers={"Authorization": secret}, timeout=10)


def test_a_repeated_request_is_answered_from_memory_without_parsing_it_again(
        asgi_server, frontend, checkout, monkeypatch):
    from tminus.flags import fast_path

    _flag, secret = frontend
    _flag, client_secret = checkout
    first = [get(asgi_server, secret), _client_get(asgi_server, client_secret)]
    second = [get(asgi_server, secret), _client_get(asgi_server, client_secret)]  # remembered
    parses = []
    real = fast_path.parse_qs
    monkeypatch.setattr(fast_path, "parse_qs",
                        lambda *args, **kwargs: parses.append(1) or real(*args, **kwargs))

    again = [get(asgi_server, secret), _client_get(asgi_server, client_secret)]

    assert parses == []
    for before, later in zip(first, again, strict=True):
        assert later.status_code == 200 and later.content == before.content
        assert later.headers["ETag"] == before.headers["ETag"]
    assert second[0].content == first[0].content


def test_a_remembered_answer_is_refused_once_its_token_is_revoked(asgi_server, frontend,
                                                                  checkout):
    from tminus.flags.models import ClientToken

    _flag, secret = frontend
    _flag, client_secret = checkout
    for _ in range(3):
        assert get(asgi_server, secret).status_code == 200
        assert _client_get(asgi_server, client_secret).status_code == 200

    for token in ClientToken.objects.all():
        services.client_token_revoke(token=token, actor=SYSTEM)

    assert get(asgi_server, secret).status_code == 401
    assert _client_get(asgi_server, client_secret).status_code == 401


def test_a_remembered_answer_gives_way_to_the_next_revision(asgi_server, frontend, checkout):
    flag, secret = frontend
    _flag, client_secret = checkout
    for _ in range(3):
        assert get(asgi_server, secret).json()["toggles"][0]["name"] == "checkout-v2"
        assert _client_get(asgi_server, client_secret).json()["features"][0]["enabled"]

    services.flag_environment_toggle(flag=flag, environment="production", enabled=False,
                                     actor=SYSTEM)

    assert get(asgi_server, secret).json() == {"toggles": []}
    assert not _client_get(asgi_server, client_secret).json()["features"][0]["enabled"]


def test_the_fast_path_builds_no_database_connection_object_per_request(asgi_server, frontend,
                                                                       monkeypatch, settings):
    # On the event loop every request is a context of its own: asking for connections["default"]
    # there built a connection object per request just to learn the database's vendor.
    from django.db import connections

    settings.FLAGS_CACHE_SECONDS = 60  # no refresh in the background during the test
    _flag, secret = frontend
    get(asgi_server, secret)
    get(asgi_server, secret)
    built = []
    real = connections.create_connection
    monkeypatch.setattr(connections, "create_connection",
                        lambda alias: built.append(alias) or real(alias))

    for _ in range(3):
        assert get(asgi_server, secret).status_code == 200

    assert built == []

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

"""Webhook channels: internal addresses refused when saved and when sent; webhook URLs and what
servers answered are shown whole to admins only."""

import pytest
from django.utils import timezone

from tests.conftest import signed_in
from tests.factories import make_release
from tminus.comms import services
from tminus.comms.choices import DeliveryStatus
from tminus.comms.models import Channel, Delivery
from tminus.core.actors import Actor
from tminus.worker.loop import run_once

pytestmark = pytest.mark.django_db
CLI = Actor.cli()
SSRF_URLS = ["http://127.0.0.1/hook", "http://169.254.169.254/latest/meta-data/",
             "http://localhost/hook", "http://[::1]/hook", "http://0.0.0.0/hook",
             "http://2130706433/hook", "http://metadata.google.internal/computeMetadata/v1/"]
SLACK_URL = "https://hooks.slack.com/services/T000/B000/XXXXsecretXXXX"


@pytest.fixture
def release():
    return make_release(template="hotfix", go_live=timezone.localdate())


@pytest.fixture
def no_allowance(settings):
    settings.OUTBOUND_ALLOW = []
    return settings


def _send_now_to(channel, release):
    message = services.message_schedule(release=release, subject="Hello", body="Body",
                                        channel=channel.key, audience=[], actor=CLI)
    services.message_send_now(message=message, actor=CLI)
    run_once("worker-a")
    return Delivery.objects.get(message=message)


@pytest.mark.parametrize("url", SSRF_URLS)
def test_api_channel_for_an_internal_address_is_refused_with_a_field_message(
        api_as, admin_user, no_allowance, url):
    response = api_as(admin_user).post("/api/v1/channels",
                                       {"name": "Hook", "kind": "webhook", "url": url})
    assert response.status_code == 422, response.json()
    assert "internal" in response.json()["errors"]["url"][0]
    assert not Channel.objects.exists()


def test_api_channel_update_to_an_internal_address_is_refused_and_changes_nothing(
        api_as, admin_user, no_allowance):
    channel, _ = services.channel_create(name="Hook", kind="slack", url=SLACK_URL, actor=CLI)
    response = api_as(admin_user).patch(f"/api/v1/channels/{channel.pk}", {
        "revision": channel.revision, "url": "http://169.254.169.254/latest/"})
    assert response.status_code == 422
    channel.refresh_from_db()
    assert channel.url == SLACK_URL


def test_channel_form_for_an_internal_address_shows_the_field_error(admin_user, no_allowance):
    response = signed_in(admin_user).post("/comms/channels/new", {
        "name": "Hook", "kind": "webhook", "url": "http://2130706433/"})
    assert response.status_code == 422
    assert b"internal address" in response.content
    assert not Channel.objects.exists()


def test_channel_saved_while_allowed_is_refused_at_send_time(http_receiver, release,
                                                             settings):
    channel, _ = services.channel_create(name="Hook", kind="webhook", url=http_receiver.url,
                                         actor=CLI)
    settings.OUTBOUND_ALLOW = []

    delivery = _send_now_to(channel, release)

    assert http_receiver.requests == []
    assert delivery.status == DeliveryStatus.FAILED and delivery.attempts == 1
    assert "internal address" in delivery.last_error


def test_delivery_reply_is_shown_to_admins_only(api_as, http_receiver, release, users):
    channel, _ = services.channel_create(name="Hook", kind="webhook", url=http_receiver.url,
                                         actor=CLI)
    delivery = _send_now_to(channel, release)
    assert delivery.status == DeliveryStatus.SENT and "ok" in delivery.response

    for role, user in users.items():
        listed = api_as(user).get("/api/v1/deliveries").json()
        page = signed_in(user).get("/comms/outbox/").content.decode()
        plan = api_as(user).get(f"/api/v1/releases/{release.key}/messages").json()
        shown = role == "admin"
        assert (listed[0]["response"] == delivery.response) is shown, role
        assert (plan[0]["deliveries"][0]["response"] == delivery.response) is shown, role
        assert ("HTTP 200 ok" in page) is shown, role


def test_failed_delivery_error_names_no_url_path_and_keeps_the_reply_for_admins(
        api_as, http_receiver, release, viewer, admin_user):
    http_receiver.statuses = [404]
    channel, _ = services.channel_create(name="Hook", kind="webhook",
                                         url=f"{http_receiver.url}/secret-path", actor=CLI)
    delivery = _send_now_to(channel, release)

    assert delivery.status == DeliveryStatus.FAILED
    assert "HTTP 404" in delivery.last_error and "secret-path" not in delivery.last_error
    assert "receiver broke" not in delivery.last_error
    seen_by_viewer = api_as(viewer).get("/api/v1/deliveries").json()[0]
    seen_by_admin = api_as(admin_user).get("/api/v1/deliveries").json()[0]
    assert "receiver broke" not in str(seen_by_viewer)
    assert "receiver broke" in seen_by_admin["response"]


def test_webhook_url_is_masked_for_everyone_but_admins(api_as, users, no_allowance):
    services.channel_create(name="Ops Slack", kind="slack", url=SLACK_URL, actor=CLI)

    for role, user in users.items():
        listed = api_as(user).get("/api/v1/channels").json()
        page = signed_in(user).get("/comms/channels/").content.decode()
        if role == "admin":
            assert listed[0]["url"] == SLACK_URL and SLACK_URL in page
        else:
            assert listed[0]["url"] == "https://hooks.slack.com/…", role
            assert "XXXXsecretXXXX" not in page and "https://hooks.slack.com/…" in page, role

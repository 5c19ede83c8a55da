from datetime import timedelta

import pytest
from django.utils import timezone

from tests.conftest import signed_in
from tests.factories import make_release
from tminus.comms import services
from tminus.comms.models import Channel, Message
from tminus.core.actors import Actor

pytestmark = pytest.mark.django_db


@pytest.fixture
def release():
    return make_release(template="major", go_live=timezone.localdate() + timedelta(days=40),
                        name="Layby Module v1.0")


def test_plan_page_lists_the_messages_with_their_dates_and_values(viewer, release):
    page = signed_in(viewer).get(f"/releases/{release.key}/comms/")

    assert page.status_code == 200
    html = page.content.decode()
    assert "Pre-launch announcement (coming soon)" in html
    assert "T-28d · " + (release.go_live - timedelta(days=28)).strftime("%a %Y-%m-%d") in html
    assert "Waiting for: Deployment started" in html
    assert "support_email" in html and "no value yet" in html
    assert "Add a message" not in html  # a viewer cannot plan


def test_release_page_shows_the_communication_plan_panel(viewer, release):
    html = signed_in(viewer).get(f"/releases/{release.key}/?tab=people").content.decode()
    assert "Communication plan" in html
    assert f"/releases/{release.key}/comms/" in html


def test_message_form_preview_renders_the_message_for_its_first_recipient(manager, release):
    page = signed_in(manager).post(f"/releases/{release.key}/comms/new", {
        "action": "preview", "subject": "{release_name} soon", "body": "On {go_live}",
        "channel": "email", "audience": "pat@example.com", "trigger": "time", "at": "T-7d",
        "send_time": "09:00"})

    assert page.status_code == 200
    html = page.content.decode()
    assert "Layby Module v1.0 soon" in html
    assert (release.go_live).strftime("%A %-d %B %Y") in html
    assert "pat@example.com" in html
    assert not Message.objects.filter(subject="{release_name} soon").exists()


def test_message_form_preview_with_unknown_placeholder_is_refused(manager, release):
    page = signed_in(manager).post(f"/releases/{release.key}/comms/new", {
        "action": "preview", "subject": "Hi", "body": "Ring {hotline}", "channel": "email",
        "audience": "owner", "trigger": "time", "at": "T-7d"})

    assert page.status_code == 422
    assert "Unknown placeholder {hotline}." in page.content.decode()


def test_message_form_save_adds_message_and_bad_offset_is_shown(manager, release):
    client = signed_in(manager)
    bad = client.post(f"/releases/{release.key}/comms/new", {
        "action": "save", "subject": "S", "body": "B", "channel": "email",
        "audience": "owner", "trigger": "time", "at": "T minus three"})
    assert bad.status_code == 422
    assert "not a T-offset" in bad.content.decode()

    saved = client.post(f"/releases/{release.key}/comms/new", {
        "action": "save", "subject": "Status", "body": "B", "channel": "email",
        "audience": "owner\nqa", "trigger": "time", "at": "T-3d", "send_time": "14:30"})
    assert saved.status_code == 302
    message = Message.objects.get(release=release, subject="Status")
    assert message.send_offset == -3 and message.audience == ["owner", "stakeholders:qa"]


def test_message_edit_and_send_now_and_cancel_pages(manager, release):
    client = signed_in(manager)
    message = release.messages.get(template_key="launches-soon")
    page = client.get(f"/releases/{release.key}/comms/{message.pk}/edit")
    assert page.status_code == 200 and "T-2d" in page.content.decode()

    response = client.post(f"/releases/{release.key}/comms/{message.pk}/cancel")
    assert response.status_code == 302
    message.refresh_from_db()
    assert message.status == "cancelled"


def test_viewer_cannot_open_the_message_form(viewer, release):
    assert signed_in(viewer).get(f"/releases/{release.key}/comms/new").status_code == 403


def test_message_detail_page_previews_a_saved_message(viewer, release):
    message = release.messages.get(template_key="pre-launch")
    html = signed_in(viewer).get(f"/releases/{release.key}/comms/{message.pk}/").content.decode()
    assert "New Feature: Layby Module v1.0 - Coming" in html
    assert "Placeholder {support_email} has no value yet" in html


def test_channel_form_refuses_ftp_url(admin_user):
    page = signed_in(admin_user).post("/comms/channels/new", {
        "name": "Drop", "kind": "webhook", "url": "ftp://example.com/drop", "enabled": "on"})
    assert page.status_code == 422
    assert "must start with http:// or https://" in page.content.decode()
    assert not Channel.objects.exists()


def test_channel_form_generates_secret_shown_once(admin_user):
    client = signed_in(admin_user)
    page = client.post("/comms/channels/new", {
        "name": "Ops", "kind": "webhook", "url": "https://hooks.example.com/ops",
        "enabled": "on", "generate_secret": "on"})
    assert page.status_code == 200
    secret = page.context["secret"]
    assert secret and secret in page.content.decode()
    assert secret not in client.get("/comms/channels/").content.decode()


def test_channel_edit_form_with_an_empty_secret_keeps_the_secret_and_saves_the_rest(admin_user):
    channel, _ = services.channel_create(name="Ops", kind="webhook",
                                         url="https://hooks.example.com/ops",
                                         secret="s3cret-value-0123456789", actor=Actor.cli())

    page = signed_in(admin_user).post(f"/comms/channels/{channel.pk}/edit", {
        "revision": channel.revision, "name": "Ops room", "kind": "webhook",
        "url": "https://hooks.example.com/ops", "enabled": "on", "secret": ""})

    assert page.status_code == 302
    hint = channel.secret_hint
    channel.refresh_from_db()
    assert (channel.name, channel.secret_hint, channel.revision) == ("Ops room", hint, 2)
    assert channel.has_secret


def test_outbox_page_shows_failed_delivery_with_its_error(viewer, release, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.COMMS_MAX_ATTEMPTS = "127.0.0.1", 9, 1
    from tminus.comms.delivery import delivery_send, messages_release_due

    services.message_schedule(release=release, subject="Now", body="b",
                              audience=["gone@example.com"], actor=Actor.cli())
    messages_release_due()
    delivery_send(release.messages.get(subject="Now").deliveries.get().pk)

    html = signed_in(viewer).get("/comms/outbox/?status=failed").content.decode()
    assert "gone@example.com" in html and "unreachable" in html


@pytest.mark.parametrize("count", [2, 20])
def test_plan_page_runs_a_fixed_number_of_queries(viewer, release, count,
                                                  django_assert_max_num_queries):
    for index in range(count):
        message = services.message_schedule(release=release, subject=f"M{index}", body="b",
                                            audience=["x@example.com"], actor=Actor.cli())
        services.message_send_now(message=message, actor=Actor.cli())
    client = signed_in(viewer)
    with django_assert_max_num_queries(12):
        page = client.get(f"/releases/{release.key}/comms/")
    assert page.status_code == 200


@pytest.mark.parametrize("count", [2, 20])
def test_outbox_page_runs_a_fixed_number_of_queries(viewer, release, count,
                                                    django_assert_max_num_queries):
    for index in range(count):
        message = services.message_schedule(release=release, subject=f"M{index}", body="b",
                                            audience=["x@example.com"], actor=Actor.cli())
        services.message_send_now(message=message, actor=Actor.cli())
    client = signed_in(viewer)
    with django_assert_max_num_queries(8):
        page = client.get("/comms/outbox/")
    assert page.content.decode().count('class="delivery-pending"') == count


def test_demo_load_fills_layby_values_and_adds_a_briefing_to_the_planned_release(manager):
    from tminus.comms import demo

    layby = make_release(template="major", key="layby-1.0", go_live=timezone.localdate()
                         + timedelta(days=26))
    shop = make_release(template="minor", key="food-release-process",
                        go_live=timezone.localdate() + timedelta(days=42))

    demo.load()

    values = dict(layby.placeholder_values.values_list("key", "value"))
    assert values["support_email"] == "support@layby.example"
    assert shop.messages.filter(name="Support team briefing").exists()
    pre_launch = layby.messages.get(template_key="pre-launch")
    page = signed_in(manager).get(f"/releases/{layby.key}/comms/{pre_launch.pk}/")
    html = page.content.decode()
    assert "support@layby.example" in html and "has no value yet" not in html

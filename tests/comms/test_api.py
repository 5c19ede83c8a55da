from datetime import timedelta

import pytest
from django.utils import timezone

from tests.factories import make_release
from tests.support.edit_rules import assert_edit_rules_hold
from tminus.audit.models import AuditEvent
from tminus.comms import services
from tminus.comms.models import Channel, Delivery, Message
from tminus.comms.signing import secret_hint
from tminus.core.actors import Actor
from tminus.core.errors import ValidationFailed
from tminus.worker.loop import run_once

pytestmark = pytest.mark.django_db


@pytest.fixture
def release():
    return make_release(template="patch", go_live=timezone.localdate() + timedelta(days=30))


def _new_message(**overrides):
    data = {"subject": "Soon: {release_name}", "body": "On {go_live}", "at": "T-7d",
            "audience": ["ops@example.com", "release_manager"]}
    data.update(overrides)
    return data


def test_api_message_create_lists_it_with_its_date_and_audit(api_as, manager, release):
    api = api_as(manager)

    created = api.post(f"/api/v1/releases/{release.key}/messages", _new_message())

    assert created.status_code == 201, created.json()
    body = created.json()
    assert body["offset"] == -7
    assert body["send_date"] == (release.go_live - timedelta(days=7)).isoformat()
    assert body["audience"] == ["ops@example.com", "role:release_manager"]
    assert body["state"] == "scheduled"
    listed = api.get(f"/api/v1/releases/{release.key}/messages").json()
    assert body["id"] in [m["id"] for m in listed]
    event = AuditEvent.objects.get(action="message.create")
    assert event.release_id == release.pk and event.interface == "api"


def test_api_message_create_from_a_builtin_template(api_as, manager, release):
    services.placeholder_values_set(release=release, values={
        "team_name": "Team", "support_email": "s@x.test", "support_phone": "1",
        "user_guide_url": "u", "video_url": "v", "faq_url": "f", "getting_started": "g"},
        actor=Actor.cli())
    response = api_as(manager).post(f"/api/v1/releases/{release.key}/messages",
                                    {"template": "launch-day", "event": "deployment.finished",
                                     "audience": ["stakeholders"]})
    assert response.status_code == 201, response.json()
    assert response.json()["subject"] == "{release_name} is Now Live! 🎉"
    assert response.json()["event"] == "deployment.finished"


def test_api_preview_with_unknown_placeholder_is_refused_naming_it(api_as, viewer, release):
    response = api_as(viewer).post(f"/api/v1/releases/{release.key}/messages/preview",
                                   _new_message(body="Call {hotline} on {go_live}"))

    assert response.status_code == 422
    assert response.json()["errors"] == ["Body: Unknown placeholder {hotline}."]


def test_api_preview_renders_values_and_recipients(api_as, viewer, release):
    response = api_as(viewer).post(f"/api/v1/releases/{release.key}/messages/preview",
                                   _new_message(audience=["a@example.com"]))

    assert response.status_code == 200
    body = response.json()
    assert body["subject"] == f"Soon: {release.name}"
    assert body["recipients"] == [{"address": "a@example.com", "name": ""}]


def test_api_create_with_unknown_placeholder_is_422_and_saves_nothing(api_as, manager, release):
    before = Message.objects.count()
    response = api_as(manager).post(f"/api/v1/releases/{release.key}/messages",
                                    _new_message(subject="Hi {nobody}"))
    assert response.status_code == 422
    assert "Unknown placeholder {nobody}." in response.json()["errors"]["subject"]
    assert Message.objects.count() == before


def test_api_bad_t_offset_is_422(api_as, manager, release):
    response = api_as(manager).post(f"/api/v1/releases/{release.key}/messages",
                                    _new_message(at="next tuesday"))
    assert response.status_code == 422
    assert "not a T-offset" in response.json()["errors"]["at"][0]


def test_api_viewer_cannot_create_messages(api_as, viewer, release):
    response = api_as(viewer).post(f"/api/v1/releases/{release.key}/messages", _new_message())
    assert response.status_code == 403


def test_api_patch_with_stale_revision_is_409_with_current_state(api_as, manager, release):
    api = api_as(manager)
    created = api.post(f"/api/v1/releases/{release.key}/messages", _new_message()).json()
    path = f"/api/v1/messages/{created['id']}"
    assert api.patch(path, {"revision": created["revision"], "at": "T-5d"}).status_code == 200

    stale = api.patch(path, {"revision": created["revision"], "subject": "Other"})

    assert stale.status_code == 409
    assert stale.json()["current"]["send_offset"] == -5


def test_api_channel_with_ftp_url_is_refused_and_nothing_is_created(api_as, admin_user):
    response = api_as(admin_user).post("/api/v1/channels", {
        "name": "Files", "kind": "webhook", "url": "ftp://files.example.com/in"})
    assert response.status_code == 422
    assert "http:// or https://" in response.json()["errors"]["url"][0]
    assert not Channel.objects.exists()


def test_api_channel_generated_secret_is_shown_once_then_only_its_hint(api_as, admin_user):
    api = api_as(admin_user)
    created = api.post("/api/v1/channels", {"name": "Ops hook", "kind": "webhook",
                                            "url": "https://hooks.example.com/x",
                                            "generate_secret": True})
    assert created.status_code == 201
    secret = created.json()["secret"]
    assert len(secret) > 30

    listed = api.get("/api/v1/channels").json()
    assert listed[0]["signed"] is True
    assert secret not in str(listed) and listed[0]["secret_hint"] == "…" + secret[-4:]


def test_api_channels_need_an_admin(api_as, manager):
    response = api_as(manager).post("/api/v1/channels", {
        "name": "Hook", "kind": "slack", "url": "https://hooks.example.com/x"})
    assert response.status_code == 403


def test_api_send_now_then_retry_of_failed_delivery(api_as, manager, release, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.COMMS_MAX_ATTEMPTS = "127.0.0.1", 9, 1
    api = api_as(manager)
    created = api.post(f"/api/v1/releases/{release.key}/messages",
                       _new_message(audience=["x@example.com"])).json()

    sent = api.post(f"/api/v1/messages/{created['id']}/send-now")
    run_once("worker-a")

    assert sent.status_code == 200 and sent.json()["deliveries"] == 1
    failed = api.get("/api/v1/deliveries?status=failed").json()
    assert [d["recipient"] for d in failed] == ["x@example.com"]
    assert "unreachable" in failed[0]["last_error"]
    retried = api.post(f"/api/v1/deliveries/{failed[0]['id']}/retry")
    assert retried.status_code == 200 and retried.json()["status"] == "pending"
    again = api.post(f"/api/v1/deliveries/{failed[0]['id']}/retry")
    assert again.status_code == 409
    assert api.post(f"/api/v1/messages/{created['id']}/send-now").status_code == 409


def test_api_placeholders_put_replaces_values_and_refuses_bad_names(api_as, manager, release):
    api = api_as(manager)
    path = f"/api/v1/releases/{release.key}/placeholders"
    ok = api._send("put", path, {"values": {"team_name": "Ops", "support_email": "s@x"}})
    assert ok.status_code == 200 and ok.json()["values"]["support_email"] == "s@x"
    bad = api._send("put", path, {"values": {"team_name": "Ops", "Bad Name": "x"}})
    assert bad.status_code == 422
    assert "Bad Name" in bad.json()["errors"]["values"][0]


@pytest.mark.parametrize("count", [2, 20])
def test_api_message_list_runs_a_fixed_number_of_queries(api_as, viewer, release, count,
                                                         django_assert_max_num_queries):
    for index in range(count):
        message = services.message_schedule(release=release, subject=f"M{index}", body="b",
                                            audience=["x@example.com", "y@example.com"],
                                            actor=Actor.cli())
        services.message_send_now(message=message, actor=Actor.cli())
    api = api_as(viewer)
    with django_assert_max_num_queries(10):
        response = api.get(f"/api/v1/releases/{release.key}/messages")
    assert len(response.json()) >= count
    assert Delivery.objects.count() == 2 * count


def test_api_preview_with_unknown_audience_role_reports_it(api_as, viewer, release):
    response = api_as(viewer).post(f"/api/v1/releases/{release.key}/messages/preview",
                                   _new_message(audience=["wizards", "qa"]))
    assert response.status_code == 422
    assert any("'wizards' is not a known role" in e for e in response.json()["errors"])


def test_api_message_and_channel_patches_keep_the_edit_rules_and_change_nothing(
        api_as, manager, admin_user, release):
    api = api_as(manager)
    created = api.post(f"/api/v1/releases/{release.key}/messages",
                       _new_message(name="Heads-up")).json()
    channel, _ = services.channel_create(name="Hook", kind="slack",
                                         url="https://hooks.example.com/x", actor=Actor.cli())

    assert_edit_rules_hold(api, f"/api/v1/messages/{created['id']}",
                           revision=created["revision"], null_field="name",
                           change={"subject": "Other"})
    assert_edit_rules_hold(api_as(admin_user), f"/api/v1/channels/{channel.pk}",
                           revision=channel.revision, null_field="url",
                           change={"name": "Renamed"})

    message = Message.objects.get(pk=created["id"])
    assert (message.name, message.subject, message.revision) == (
        "Heads-up", "Soon: {release_name}", created["revision"])
    channel.refresh_from_db()
    assert (channel.name, channel.url, channel.revision) == (
        "Hook", "https://hooks.example.com/x", 1)


def test_channel_update_cannot_set_the_stored_secret_directly():
    channel, _ = services.channel_create(name="Hook", kind="webhook",
                                         url="https://hooks.example.com/x", actor=Actor.cli())
    with pytest.raises(ValidationFailed) as refused:
        services.channel_update(channel=channel, revision=None, actor=Actor.cli(),
                                changes={"secret_encrypted": "x", "secret_hint": "…abcd"})
    assert set(refused.value.errors) == {"secret_encrypted", "secret_hint"}
    channel.refresh_from_db()
    assert not channel.has_secret


def test_channel_update_with_new_secret_audits_its_hint_never_the_secret():
    channel, _ = services.channel_create(name="Hook", kind="webhook",
                                         url="https://hooks.example.com/x", actor=Actor.cli())
    secret = "s3cret-value-0123456789"
    services.channel_update(channel=channel, revision=channel.revision, actor=Actor.cli(),
                            changes={"secret": secret})
    event = AuditEvent.objects.get(action="channel.update")
    assert event.after["secret_hint"] == secret_hint(secret) != event.before["secret_hint"]
    assert secret not in str(event.after) and "secret_encrypted" not in event.after

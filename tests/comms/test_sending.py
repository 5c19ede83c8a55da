import hashlib
import hmac
from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import timezone

from tests.comms.helpers import seconds_until, time_passes
from tests.factories import UserFactory, make_release
from tminus.comms import delivery, services
from tminus.comms.choices import DeliveryStatus, MessageStatus
from tminus.comms.models import Delivery, Message
from tminus.core.actors import Actor
from tminus.core.errors import TransitionNotAllowed
from tminus.worker.loop import run_once

pytestmark = pytest.mark.django_db
CLI = Actor.cli()


@pytest.fixture
def release():
    owner = UserFactory(username="olga", email="olga@example.com", display_name="Olga Owner")
    return make_release(template="hotfix", go_live=timezone.localdate() + timedelta(days=20),
                        owner=owner, name="Layby Module", version="1.0")


def _due_now(release, **kwargs):
    values = {"subject": "Coming {go_live_iso}: {release_name}",
              "body": "Dear {recipient_name},\n{release_name} {version} goes live {go_live}.",
              "audience": ["owner", "list@example.com"]}
    values.update(kwargs)
    return services.message_schedule(release=release, actor=CLI, **values)


def _channel(url, kind="webhook", **kwargs):
    channel, _ = services.channel_create(name=f"{kind} hook", kind=kind, url=url, actor=CLI,
                                         **kwargs)
    return channel


def test_due_message_reaches_each_recipient_over_smtp_once(smtp_server, release):
    message = _due_now(release)

    run_once("worker-a")
    run_once("worker-a")

    assert sorted(smtp_server.recipients) == ["list@example.com", "olga@example.com"]
    mail = smtp_server.to("olga@example.com")[0]
    assert mail["Subject"] == f"Coming {release.go_live.isoformat()}: Layby Module"
    assert mail["To"] == "olga@example.com"
    body = mail.get_content()
    assert "Dear Olga Owner," in body and "Layby Module 1.0 goes live" in body
    assert "{" not in body
    sent = Delivery.objects.get(message=message, recipient="olga@example.com")
    assert mail["X-TMinus-Delivery"] == str(sent.pk)
    assert sent.status == DeliveryStatus.SENT and sent.sent_at is not None
    assert sent.response == "250 2.0.0 Ok: queued as TEST123"
    assert sent.subject == mail["Subject"]


def test_message_in_the_future_is_not_sent_yet(smtp_server, release):
    services.message_create(release=release, subject="Later", body="b", audience=["x@ex.com"],
                            offset=-2, actor=CLI)
    run_once("worker-a")
    assert smtp_server.mails == []


def test_message_missed_long_ago_is_not_sent_by_itself(smtp_server, release):
    message = _due_now(release)
    Message.objects.filter(pk=message.pk).update(
        send_date=timezone.localdate() - timedelta(days=3))

    delivery.messages_release_due()

    message.refresh_from_db()
    assert message.status == MessageStatus.SCHEDULED
    assert smtp_server.mails == []


def test_slack_channel_gets_text_with_subject_and_rendered_body(http_receiver, release):
    channel = _channel(http_receiver.url + "/slack", kind="slack")
    _due_now(release, channel=channel.key, audience=[])

    run_once("worker-a")

    assert len(http_receiver.requests) == 1
    assert http_receiver.requests[0]["path"] == "/slack"
    text = http_receiver.json()["text"]
    assert text.startswith("*Coming ") and "Dear all," in text
    assert Delivery.objects.get().response == "HTTP 200 ok"


def test_json_webhook_gets_message_and_release_signed_with_the_channel_secret(
        http_receiver, release):
    secret = "s3cret-for-signing-posts"
    channel = _channel(http_receiver.url + "/hook", secret=secret)
    _due_now(release, channel=channel.key, audience=[])

    run_once("worker-a")

    request = http_receiver.requests[0]
    payload = http_receiver.json()
    assert payload["release"]["key"] == release.key
    assert payload["release"]["go_live"] == release.go_live.isoformat()
    assert payload["message"]["subject"].startswith("Coming ")
    timestamp = request["headers"]["x-tminus-timestamp"]
    expected = hmac.new(secret.encode(), timestamp.encode() + b"." + request["body"],
                        hashlib.sha256).hexdigest()
    assert request["headers"]["x-tminus-signature"] == f"sha256={expected}"
    channel.refresh_from_db()
    assert secret not in channel.secret_encrypted and channel.secret_hint == "osts"


def test_webhook_failing_then_recovering_is_retried_with_doubling_back_off(
        http_receiver, release, settings):
    settings.COMMS_RETRY_SECONDS = 60
    http_receiver.statuses = [500, 503]
    _due_now(release, channel=_channel(http_receiver.url).key, audience=[])

    run_once("worker-a")
    first = Delivery.objects.get()
    assert first.status == DeliveryStatus.PENDING and first.attempts == 1
    assert "HTTP 500" in first.last_error
    assert 55 < seconds_until(first.next_attempt_at) <= 60

    run_once("worker-a")  # not due yet: nothing is posted
    assert len(http_receiver.requests) == 1

    time_passes(60)
    run_once("worker-a")
    second = Delivery.objects.get()
    assert second.attempts == 2 and "HTTP 503" in second.last_error
    assert 115 < seconds_until(second.next_attempt_at) <= 120

    time_passes(120)
    run_once("worker-a")
    done = Delivery.objects.get()
    assert done.status == DeliveryStatus.SENT and done.attempts == 3
    assert len(http_receiver.requests) == 3


def test_delivery_failing_every_time_fails_for_good_keeps_error_and_can_be_retried(
        http_receiver, release, settings):
    settings.COMMS_MAX_ATTEMPTS = 2
    http_receiver.statuses = [500, 500]
    message = _due_now(release, channel=_channel(http_receiver.url).key, audience=[])

    run_once("worker-a")
    time_passes(3600)
    run_once("worker-a")

    failed = Delivery.objects.get()
    assert failed.status == DeliveryStatus.FAILED and failed.attempts == 2
    assert "HTTP 500" in failed.last_error
    message.refresh_from_db()
    assert message.subject.startswith("Coming")  # the message itself is never lost

    delivery.delivery_retry(delivery=failed, actor=CLI)
    run_once("worker-a")
    retried = Delivery.objects.get()
    assert retried.status == DeliveryStatus.SENT and retried.round == 1
    assert len(http_receiver.requests) == 3


def test_webhook_answering_404_fails_at_once_without_retrying(http_receiver, release):
    http_receiver.statuses = [404]
    _due_now(release, channel=_channel(http_receiver.url).key, audience=[])

    run_once("worker-a")

    failed = Delivery.objects.get()
    assert failed.status == DeliveryStatus.FAILED and failed.attempts == 1
    assert "HTTP 404" in failed.last_error


def test_smtp_server_down_leaves_delivery_pending_with_the_error(release, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", 9  # nothing listens on discard
    _due_now(release, audience=["x@example.com"])

    run_once("worker-a")

    pending = Delivery.objects.get()
    assert pending.status == DeliveryStatus.PENDING
    assert "unreachable" in pending.last_error


def test_placeholder_emptied_after_saving_fails_the_delivery_instead_of_sending_braces(
        smtp_server, release):
    services.placeholder_values_set(release=release, values={"support_email": "help@x.test",
                                                             "team_name": "Team"}, actor=CLI)
    _due_now(release, body="Mail {support_email}", audience=["x@example.com"])
    services.placeholder_values_set(release=release, values={"support_email": "",
                                                             "team_name": "Team"}, actor=CLI)

    run_once("worker-a")

    failed = Delivery.objects.get()
    assert failed.status == DeliveryStatus.FAILED
    assert "{support_email} has no value" in failed.last_error
    assert smtp_server.mails == []


def test_worker_that_died_mid_send_is_marked_failed_not_sent_twice(smtp_server, release):
    _due_now(release, audience=["x@example.com"])
    delivery.messages_release_due()
    Delivery.objects.update(status=DeliveryStatus.SENDING,
                            lease_until=timezone.now() - timedelta(seconds=1))

    run_once("worker-b")

    stale = Delivery.objects.get()
    assert stale.status == DeliveryStatus.FAILED
    assert "may or may not have arrived" in stale.last_error
    assert smtp_server.mails == []


def test_delivery_send_for_an_already_claimed_delivery_does_nothing(smtp_server, release):
    _due_now(release, audience=["x@example.com"])
    delivery.messages_release_due()
    row = Delivery.objects.get()
    assert delivery.delivery_send(row.pk) == "sent"
    assert delivery.delivery_send(row.pk) == "not claimed"
    assert len(smtp_server.mails) == 1


def test_retry_of_a_delivery_that_was_sent_is_refused(smtp_server, release):
    _due_now(release, audience=["x@example.com"])
    run_once("worker-a")
    with pytest.raises(TransitionNotAllowed):
        delivery.delivery_retry(delivery=Delivery.objects.get(), actor=CLI)


def test_disabled_channel_fails_its_delivery_with_the_reason(http_receiver, release):
    channel = _channel(http_receiver.url)
    _due_now(release, channel=channel.key, audience=[])
    services.channel_update(channel=channel, revision=None, changes={"enabled": False},
                            actor=CLI)

    run_once("worker-a")

    assert "disabled" in Delivery.objects.get().last_error
    assert http_receiver.requests == []



def test_send_due_command_sends_what_is_due_now_and_plan_shows_it(smtp_server, release):
    message = _due_now(release, audience=["cli@example.com"])
    out = StringIO()

    call_command("comms", "send-due", stdout=out)
    call_command("comms", "plan", release.key, stdout=out)

    assert "released 1 message(s); sent 1" in out.getvalue()
    assert smtp_server.recipients == ["cli@example.com"]
    line = next(line for line in out.getvalue().splitlines()
                if line.startswith(f"{message.pk}\t"))
    assert "\tsent\t" in line


def test_deployment_started_sends_its_message_to_technical_stakeholders_by_mail(
        smtp_server, release):
    from tminus.core.events import emit
    from tminus.people.models import Person, Stakeholder

    ops = Person.objects.create(name="Opal Ops", email="opal@example.com")
    Stakeholder.objects.create(release=release, person=ops, role="operations")

    emit("deployment.started", release=release, actor=CLI, payload={"environment": "prod"})
    run_once("worker-a")

    assert sorted(smtp_server.recipients) == ["olga@example.com", "opal@example.com"]
    mail = smtp_server.to("opal@example.com")[0]
    assert mail["Subject"] == "Deployment starting: Layby Module"
    assert "Hello Opal Ops," in mail.get_content()

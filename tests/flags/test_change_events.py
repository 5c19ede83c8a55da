"""Flag changes as events delivered by the communication channels (real HTTP, real SMTP)."""

from io import StringIO

import pytest
from django.core.management import call_command

from tests.conftest import signed_in
from tests.flags.conftest import SYSTEM
from tminus.comms import flag_changes
from tminus.comms import services as comms_services
from tminus.comms.choices import DeliveryPurpose
from tminus.comms.models import Delivery, FlagSubscription
from tminus.core.actors import Actor
from tminus.core.errors import NotAllowed, ValidationFailed
from tminus.flags import services
from tminus.worker.loop import run_once

pytestmark = pytest.mark.django_db


def _hook(url, kind="webhook"):
    channel, _ = comms_services.channel_create(name=f"{kind} hook", kind=kind, url=url,
                                               actor=SYSTEM)
    return channel


def test_it_posts_a_toggle_in_production_to_a_subscribed_webhook_as_json(
        http_receiver, make_flag, admin_user):
    channel = _hook(http_receiver.url + "/flags")
    flag_changes.flag_subscription_create(channel=channel.key, actor=SYSTEM)
    flag = make_flag("new-checkout")

    services.flag_environment_toggle(flag=flag, environment="production", enabled=True,
                                     reason="launch", actor=Actor(admin_user, "web"))
    run_once("worker-a")

    toggles = [r for r in (http_receiver.json(i) for i in range(len(http_receiver.requests)))
               if r["change"]["action"] == "flag.toggle"]
    assert len(toggles) == 1
    change = toggles[0]["change"]
    assert toggles[0]["type"] == "tminus.flag_change"
    assert (change["object"], change["project"], change["environment"]) == (
        "new-checkout", "shop", "production")
    assert (change["actor"], change["interface"], change["reason"]) == (
        admin_user.username, "web", "launch")
    assert (change["before"]["enabled"], change["after"]["enabled"]) == (False, True)


def test_it_sends_only_changes_of_the_subscribed_environment(http_receiver, make_flag):
    channel = _hook(http_receiver.url + "/prod")
    flag_changes.flag_subscription_create(channel=channel.key, project="shop",
                                          environment="production", actor=SYSTEM)
    flag = make_flag()
    Delivery.objects.all().delete()  # the flag's creation concerns every environment

    services.flag_environment_toggle(flag=flag, environment="staging", enabled=True,
                                     actor=SYSTEM)
    services.flag_rollout_percentage_set(flag=flag, environment="production", percentage=10,
                                         actor=SYSTEM)
    run_once("worker-a")

    actions = [http_receiver.json(i)["change"] for i in range(len(http_receiver.requests))]
    assert [(a["action"], a["environment"]) for a in actions] == [
        ("flag.strategy_create", "production")]


def test_it_posts_text_to_a_slack_compatible_channel(http_receiver, make_flag):
    channel = _hook(http_receiver.url + "/slack", kind="slack")
    flag = make_flag("dark-mode")
    flag_changes.flag_subscription_create(channel=channel.key, actor=SYSTEM)

    services.flag_environment_toggle(flag=flag, environment="production", enabled=True,
                                     actor=SYSTEM)
    run_once("worker-a")

    text = http_receiver.json()["text"]
    assert "switched dark-mode on in shop/production" in text
    assert "enabled: False -> True" in text


def test_it_mails_a_segment_change_to_a_subscribed_address(smtp_server, project):
    flag_changes.flag_subscription_create(email="flags@example.com", actor=SYSTEM)
    segment = services.segment_create(name="beta users", constraints=[], actor=SYSTEM)

    services.segment_update(segment=segment, changes={"description": "Opted in"},
                            actor=SYSTEM)
    run_once("worker-a")

    subjects = [mail["Subject"] for mail in smtp_server.to("flags@example.com")]
    assert any("update: beta users" in subject for subject in subjects)


def test_a_change_that_is_refused_sends_nothing(http_receiver, make_flag, viewer):
    channel = _hook(http_receiver.url + "/hook")
    flag = make_flag()
    flag_changes.flag_subscription_create(channel=channel.key, actor=SYSTEM)

    with pytest.raises(NotAllowed):
        services.flag_environment_toggle(flag=flag, environment="production", enabled=True,
                                         actor=Actor(viewer, "api"))

    assert not Delivery.objects.filter(purpose=DeliveryPurpose.FLAG_CHANGE).exists()


def test_a_token_created_is_not_a_flag_change(http_receiver, project, client_token):
    channel = _hook(http_receiver.url + "/hook")
    flag_changes.flag_subscription_create(channel=channel.key, actor=SYSTEM)

    client_token()

    assert not Delivery.objects.exists()


def test_subscription_without_channel_or_email_is_refused_per_field(project):
    with pytest.raises(ValidationFailed) as refused:
        flag_changes.flag_subscription_create(project="nope", actor=SYSTEM)
    assert set(refused.value.errors) == {"email", "project"}
    assert not FlagSubscription.objects.exists()


def test_subscription_api_creates_lists_and_deletes_and_needs_manage(
        api_as, manager, contributor, project, http_receiver):
    channel = _hook(http_receiver.url + "/hook")

    refused = api_as(contributor).post("/api/v1/flag-subscriptions", {"channel": channel.key})
    created = api_as(manager).post("/api/v1/flag-subscriptions",
                                   {"channel": channel.key, "project": "shop"})
    listed = api_as(contributor).get("/api/v1/flag-subscriptions").json()
    bad = api_as(manager).post("/api/v1/flag-subscriptions", {"email": "not-an-address"})
    deleted = api_as(manager).delete(f"/api/v1/flag-subscriptions/{created.json()['id']}")

    assert refused.status_code == 403
    assert created.status_code == 201 and listed[0]["project"] == "shop"
    assert bad.status_code == 422 and "email" in bad.json()["errors"]
    assert deleted.status_code == 204 and not FlagSubscription.objects.exists()


def test_subscription_page_adds_and_removes_a_subscriber(manager, project):
    client = signed_in(manager)

    added = client.post("/comms/flag-subscriptions/new",
                        {"email": "ops@example.com", "environment": "production"})
    page = client.get("/comms/channels/").content.decode()
    subscription = FlagSubscription.objects.get()
    removed = client.post(f"/comms/flag-subscriptions/{subscription.pk}/delete")

    assert added.status_code == 302
    assert "ops@example.com" in page and "production" in page
    assert removed.status_code == 302 and not FlagSubscription.objects.exists()


def test_subscription_page_shows_the_field_error_for_an_unknown_environment(manager, project):
    answer = signed_in(manager).post("/comms/flag-subscriptions/new",
                                     {"email": "ops@example.com", "environment": "moon"})
    assert answer.status_code == 422
    assert "No environment &#x27;moon&#x27;" in answer.content.decode()


def test_comms_subscribe_command_adds_a_subscription_and_lists_it(project):
    out = StringIO()
    call_command("comms", "subscribe", "--email", "cli@example.com", "--project", "shop",
                 stdout=out)
    call_command("comms", "subscriptions", stdout=out)
    assert out.getvalue().count("flag changes in shop/* to cli@example.com") == 2

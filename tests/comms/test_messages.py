from datetime import date, datetime, time, timedelta

import pytest
from django.utils import timezone

from tests.factories import UserFactory, make_release
from tminus.audit.models import AuditEvent
from tminus.comms import delivery, services
from tminus.comms.builtin_messages import DEFAULT_PLANS
from tminus.comms.choices import MessageStatus, Trigger
from tminus.comms.models import Delivery, Message, PlaceholderValue
from tminus.core.actors import Actor
from tminus.core.errors import Conflict, NotAllowed, TransitionNotAllowed, ValidationFailed
from tminus.core.events import emit
from tminus.people.models import Person, Stakeholder
from tminus.releases import services as release_services
from tminus.worker.models import Job

pytestmark = pytest.mark.django_db
CLI = Actor.cli()


def _go_live(days: int = 40) -> date:
    return timezone.localdate() + timedelta(days=days)


def _release(**kwargs):
    kwargs.setdefault("go_live", _go_live())
    kwargs.setdefault("template", "patch")
    return make_release(**kwargs)


def _set_values(release, **values):
    current = dict(release.placeholder_values.values_list("key", "value"))
    services.placeholder_values_set(release=release, values={**current, **values}, actor=CLI)


def _message(release, **kwargs):
    values = {"subject": "About {release_name}", "body": "Go-live is {go_live}.",
              "audience": ["team@example.com"], "offset": -7}
    values.update(kwargs)
    return services.message_create(release=release, actor=CLI, **values)


def test_message_create_with_unknown_placeholder_is_refused_and_saves_nothing():
    release = _release()
    before = Message.objects.count()

    with pytest.raises(ValidationFailed) as refused:
        _message(release, body="Call {support_hotline} now")

    assert "Unknown placeholder {support_hotline}." in refused.value.errors["body"]
    assert Message.objects.count() == before


def test_message_create_with_release_placeholder_is_accepted():
    release = _release()
    _set_values(release, support_email="help@shop.test")

    message = _message(release, body="Mail {support_email}")

    assert message.pk and message.audience == ["team@example.com"]


def test_message_create_with_nonsense_offset_audience_or_event_names_each_problem():
    release = _release()
    with pytest.raises(ValidationFailed) as refused:
        services.message_create(release=release, subject="s", body="b",
                                audience=["not-an-address@", "wizards"], trigger=Trigger.EVENT,
                                event="moon.landed", actor=CLI)
    errors = refused.value.errors
    assert any("not a valid email address" in e for e in errors["audience"])
    assert any("'wizards' is not a known role" in e for e in errors["audience"])
    assert "Choose the event" in errors["event"][0]


def test_message_create_at_a_moment_long_past_is_refused():
    release = _release(go_live=_go_live(3))
    with pytest.raises(ValidationFailed) as refused:
        _message(release, offset=-28)
    assert "which has passed" in refused.value.errors["at"][0]


def test_message_create_by_viewer_is_not_allowed():
    viewer = UserFactory(username="v", role="viewer")
    with pytest.raises(NotAllowed):
        services.message_create(release=_release(), subject="s", body="b", audience=["owner"],
                                offset=-2, actor=Actor(viewer, "web"))


def test_message_schedule_moves_with_go_live_when_at_an_offset():
    release = _release(go_live=_go_live(30))
    message = _message(release, offset=-14, send_time=time(10, 30))
    assert message.send_date == release.go_live - timedelta(days=14)

    release_services.release_schedule_shift(release=release, go_live=_go_live(44), actor=CLI)

    message.refresh_from_db()
    assert message.send_date == _go_live(30)
    assert message.send_time == time(10, 30)


def test_message_on_fixed_date_stays_put_when_go_live_moves():
    release = _release(go_live=_go_live(30))
    message = _message(release, offset=None, send_date=_go_live(5))

    release_services.release_schedule_shift(release=release, go_live=_go_live(44), actor=CLI)

    message.refresh_from_db()
    assert message.send_date == _go_live(5)


def test_message_schedule_entry_point_plans_a_fixed_moment_with_roles_and_addresses():
    owner = UserFactory(username="olga", email="olga@example.com")
    release = _release(owner=owner)
    moment = timezone.now() + timedelta(hours=5)

    message = services.message_schedule(release=release, subject="Release notes",
                                        body="{release_name} notes", channel="email",
                                        audience=["owner", "list@example.com", "marketing"],
                                        send_at=moment, actor=CLI)

    assert message.audience == ["owner", "list@example.com", "stakeholders:marketing"]
    assert message.send_offset is None
    assert message.send_date == timezone.localtime(moment).date()


def test_message_update_with_stale_revision_is_a_conflict():
    message = _message(_release())
    services.message_update(message=message, revision=message.revision,
                            changes={"subject": "New {release_name}"}, actor=CLI)
    stale = Message.objects.get(pk=message.pk)
    stale.revision = 1
    with pytest.raises(Conflict):
        services.message_update(message=stale, revision=1, changes={"subject": "Other"},
                                actor=CLI)
    assert Message.objects.get(pk=message.pk).subject == "New {release_name}"


def test_message_update_after_it_went_out_is_refused():
    message = _message(_release())
    services.message_send_now(message=message, actor=CLI)
    message.refresh_from_db()
    with pytest.raises(TransitionNotAllowed):
        services.message_update(message=message, revision=None, changes={"subject": "x"},
                                actor=CLI)


def test_message_cancel_is_audited_and_never_sends():
    message = _message(_release())
    services.message_cancel(message=message, actor=CLI, reason="not needed")
    message.refresh_from_db()
    assert message.status == MessageStatus.CANCELLED
    assert AuditEvent.objects.get(action="message.cancel").release_id == message.release_id
    with pytest.raises(TransitionNotAllowed):
        services.message_send_now(message=message, actor=CLI)


def test_placeholder_values_used_by_a_message_cannot_be_removed():
    release = _release()
    _set_values(release, faq="https://faq")
    _message(release, body="See {faq}")
    with pytest.raises(ValidationFailed, match="used by a message"):
        services.placeholder_values_set(release=release, values={}, actor=CLI)
    with pytest.raises(ValidationFailed, match="built in"):
        _set_values(release, go_live="x", faq="y")
    assert PlaceholderValue.objects.get(release=release, key="faq").value == "https://faq"


@pytest.mark.parametrize("template", sorted(DEFAULT_PLANS))
def test_new_release_gets_the_default_plan_of_its_type(template):
    release = make_release(template=template, go_live=_go_live(60))

    messages = list(release.messages.all())
    assert len(messages) == len(DEFAULT_PLANS[template])
    assert {m.event for m in messages if m.trigger == "event"} >= {"release.rolled_back"}
    timed = [m for m in messages if m.trigger == "time"]
    assert all(m.send_date == release.go_live + timedelta(days=m.send_offset) for m in timed)


def test_major_plan_follows_the_seed_schedule_and_seeds_placeholder_values():
    release = make_release(template="major", go_live=_go_live(60))

    timed = {m.template_key: m.send_offset for m in release.messages.filter(trigger="time")}
    assert timed["pre-launch"] == -28
    assert timed["date-confirmed"] == -14 and timed["final-preparation"] == -7
    assert timed["launches-soon"] == -2 and timed["first-week"] == 3
    values = dict(release.placeholder_values.values_list("key", "value"))
    assert values["team_name"] == f"The {release.product.name} team"
    assert "support_email" in values and values["support_email"] == ""
    pre_launch = release.messages.get(template_key="pre-launch")
    assert "{support_email}" in pre_launch.body and "[link]" not in pre_launch.body


def test_deployment_started_event_releases_its_message_to_the_technical_stakeholders():
    release = _release(template="hotfix")
    dev = Person.objects.create(name="Dev One", email="dev1@example.com")
    Stakeholder.objects.create(release=release, person=dev, role="development")
    sales = Person.objects.create(name="Sal", email="sal@example.com")
    Stakeholder.objects.create(release=release, person=sales, role="marketing")

    emit("deployment.started", release=release, actor=CLI, payload={"environment": "prod"})

    message = release.messages.get(event="deployment.started")
    assert message.status == MessageStatus.RELEASED
    assert message.event_payload == {"environment": "prod"}
    assert list(message.deliveries.values_list("recipient", flat=True)) == ["dev1@example.com"]
    assert Job.objects.filter(kind="comms.deliver").count() == 1
    assert not release.messages.get(event="deployment.finished").deliveries.exists()


def test_event_that_happens_twice_sends_its_message_once():
    release = _release(template="hotfix")
    dev = Person.objects.create(name="Dev One", email="dev1@example.com")
    Stakeholder.objects.create(release=release, person=dev, role="operations")

    emit("deployment.started", release=release, actor=CLI)
    emit("deployment.started", release=release, actor=CLI)

    assert Delivery.objects.filter(message__release=release).count() == 1


def test_event_message_whose_audience_is_empty_is_marked_failed_with_the_reason():
    release = _release(template="hotfix")

    emit("deployment.started", release=release, actor=CLI)

    message = release.messages.get(event="deployment.started")
    assert message.status == MessageStatus.FAILED
    assert "Nobody to send to" in message.problem


def test_message_send_now_of_a_failed_message_after_fixing_its_audience_sends_it():
    release = _release(template="hotfix")
    emit("deployment.started", release=release, actor=CLI)
    message = release.messages.get(event="deployment.started")
    services.message_update(message=message, revision=None,
                            changes={"audience": ["ops@example.com"]}, actor=CLI)

    count = services.message_send_now(message=message, actor=CLI)

    assert count == 1
    assert message.deliveries.get().recipient == "ops@example.com"


def test_send_at_none_means_now():
    release = _release()
    message = services.message_schedule(release=release, subject="Now", body="b",
                                        audience=["x@example.com"], actor=CLI)
    moment = datetime.combine(message.send_date, message.send_time)
    assert abs((timezone.make_aware(moment) - timezone.now()).total_seconds()) < 5


def test_message_edit_from_a_copy_read_before_the_worker_released_it_is_refused():
    message = _message(_release(), offset=None, send_date=timezone.localdate(),
                       send_time=(timezone.localtime() - timedelta(minutes=1)).time())
    stale_copy = Message.objects.get(pk=message.pk)
    assert delivery.messages_release_due() == 1

    with pytest.raises(TransitionNotAllowed, match="released"):
        services.message_update(message=stale_copy, revision=None,
                                changes={"subject": "Changed"}, actor=CLI)

    message.refresh_from_db()
    assert message.status == MessageStatus.RELEASED and message.subject == "About {release_name}"

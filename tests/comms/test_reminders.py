from datetime import timedelta

import pytest
from django.utils import timezone

from tests.factories import UserFactory, make_release
from tminus.comms.models import Delivery
from tminus.comms.reminders import reminders_send
from tminus.core.actors import Actor
from tminus.releases import services as release_services
from tminus.worker.loop import run_once

pytestmark = pytest.mark.django_db
CLI = Actor.cli()


@pytest.fixture
def today():
    return timezone.localdate()


def _assign(release, owner, due, text=None, status=None):
    item = release.checklist_items.filter(owner__isnull=True).first()
    changes = {"owner": owner, "due_date": due}
    if text:
        changes["text"] = text
    if status:
        changes["status"] = status
    return release_services.checklist_item_update(item=item, revision=item.revision,
                                                  changes=changes, actor=CLI)


def test_owner_gets_one_digest_of_overdue_and_soon_due_items_per_day(smtp_server, today,
                                                                     settings):
    settings.REMINDER_DAYS_BEFORE = 2
    ann = UserFactory(username="ann", email="ann@example.com", display_name="Ann")
    release = make_release(template="major", go_live=today + timedelta(days=30),
                           name="Shop 1.1")
    _assign(release, ann, today - timedelta(days=3), "Write the FAQ")
    _assign(release, ann, today + timedelta(days=2), "Brief support")
    _assign(release, ann, today + timedelta(days=9), "Far away item")
    _assign(release, ann, today - timedelta(days=1), "Already done", status="done")

    run_once("worker-a")
    assert reminders_send(today=today) == 0  # a second look the same day sends nothing new
    run_once("worker-a")

    mails = smtp_server.to("ann@example.com")
    assert len(mails) == 1
    assert mails[0]["Subject"] == "T-Minus: 1 overdue and 1 due soon checklist items"
    body = mails[0].get_content()
    assert "OVERDUE by 3 days" in body and "Write the FAQ" in body
    assert "due in 2 days" in body and "Brief support" in body
    assert "Far away item" not in body and "Already done" not in body
    assert f"/releases/{release.key}/" in body


def test_next_day_brings_a_new_digest(smtp_server, today):
    bob = UserFactory(username="bob", email="bob@example.com")
    release = make_release(template="patch", go_live=today + timedelta(days=10))
    _assign(release, bob, today - timedelta(days=1))

    assert reminders_send(today=today) == 1
    assert reminders_send(today=today + timedelta(days=1)) == 1
    keys = sorted(Delivery.objects.values_list("dedupe_key", flat=True))
    assert keys == [f"reminder:{bob.pk}:{today}", f"reminder:{bob.pk}:{today + timedelta(1)}"]


def test_owner_without_email_or_of_a_cancelled_release_gets_no_reminder(today):
    quiet = UserFactory(username="quiet", email="")
    release = make_release(template="patch", go_live=today + timedelta(days=10))
    _assign(release, quiet, today - timedelta(days=1))
    other = make_release(template="patch", go_live=today + timedelta(days=10))
    _assign(other, UserFactory(username="cat", email="cat@example.com"), today)
    release_services.release_transition(release=other, to_status="cancelled", actor=CLI)

    assert reminders_send(today=today) == 0

"""Two workers at once on PostgreSQL: every recipient gets exactly one mail."""

import threading
from datetime import timedelta

import pytest
from django.db import connection, connections
from django.utils import timezone

from tests.factories import make_release
from tminus.comms import delivery, services
from tminus.comms.choices import DeliveryStatus
from tminus.comms.models import Delivery
from tminus.core.actors import Actor
from tminus.worker.loop import run_once

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]
RECIPIENTS = [f"person{n}@example.com" for n in range(12)]


@pytest.fixture(autouse=True)
def _postgres_only():
    if connection.vendor != "postgresql":
        pytest.skip("Needs real concurrent writers: set TMINUS_TEST_DATABASE_URL to PostgreSQL.")


def _in_threads(count: int, work) -> list[BaseException]:
    errors: list[BaseException] = []
    start = threading.Barrier(count)

    def run(index: int) -> None:
        try:
            start.wait()
            work(index)
        except BaseException as error:
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return errors


def _plan_due_message():
    release = make_release(template="hotfix", go_live=timezone.localdate() + timedelta(days=9))
    return services.message_schedule(release=release, subject="Heads-up for {release_name}",
                                     body="Hello {recipient_name}", audience=RECIPIENTS,
                                     actor=Actor.cli())


def test_two_workers_running_at_once_send_each_recipient_exactly_one_mail(smtp_server):
    message = _plan_due_message()

    def work(index: int) -> None:
        for _ in range(30):
            run_once(f"worker-{index}")
            if not Delivery.objects.exclude(status=DeliveryStatus.SENT).exists() and \
                    Delivery.objects.filter(message=message).count() == len(RECIPIENTS):
                return

    assert _in_threads(2, work) == []
    assert sorted(smtp_server.recipients) == sorted(RECIPIENTS)
    assert Delivery.objects.filter(message=message, status=DeliveryStatus.SENT).count() == 12


def test_racing_workers_release_a_message_once_and_send_a_delivery_once(smtp_server):
    message = _plan_due_message()

    assert _in_threads(4, lambda _i: delivery.messages_release_due()) == []
    assert Delivery.objects.filter(message=message).count() == len(RECIPIENTS)

    target = Delivery.objects.order_by("id").first()
    outcomes: list[str] = []
    assert _in_threads(6, lambda _i: outcomes.append(delivery.delivery_send(target.pk))) == []

    assert sorted(outcomes) == ["not claimed"] * 5 + ["sent"]
    assert smtp_server.recipients == [target.recipient]

"""Periodic tasks run on their interval: the worker sleeps until work is due, at most the poll."""

from datetime import timedelta

import pytest
from django.utils import timezone
from django.utils.module_loading import autodiscover_modules

from tests.worker.test_resilience import CountedRounds
from tminus.worker import loop, services
from tminus.worker.models import Schedule
from tminus.worker.registry import Periodic, periodic_tasks


def schedule_everything_later(**soon: float) -> None:
    """Every registered task due in an hour, except the named ones, due in so many seconds."""
    autodiscover_modules("tasks")
    now = timezone.now()
    for task in periodic_tasks():
        seconds = soon.get(task.name.replace(".", "_"), 3600)
        Schedule.objects.update_or_create(name=task.name, defaults={
            "next_run_at": now + timedelta(seconds=seconds)})


@pytest.mark.django_db(transaction=True)
def test_idle_worker_sleeps_until_the_next_task_is_due_not_a_whole_poll(settings):
    settings.WORKER_POLL_SECONDS = 60
    schedule_everything_later(rollouts_check=30)
    stop = CountedRounds(waits=1)

    loop.run_forever("w1", stop=stop)

    assert 20 < stop.waits[0] <= 30  # less only by however long the round itself took


@pytest.mark.django_db(transaction=True)
def test_idle_worker_with_nothing_due_soon_sleeps_one_poll(settings):
    settings.WORKER_POLL_SECONDS = 2
    schedule_everything_later()
    stop = CountedRounds(waits=1)

    loop.run_forever("w1", stop=stop)

    assert stop.waits == [2.0]


@pytest.mark.django_db
def test_job_queued_for_later_is_waited_for_like_a_task(settings):
    settings.WORKER_POLL_SECONDS = 60
    schedule_everything_later()
    services.job_enqueue(kind="test.record", run_at=timezone.now() + timedelta(seconds=30))

    assert 20 < loop.idle_seconds() <= 30


@pytest.mark.django_db
def test_task_never_run_is_due_at_once():
    schedule_everything_later()
    never = Periodic("test.never-ran", 60, lambda: None)
    assert services.seconds_until_due([*periodic_tasks(), never]) == 0


@pytest.mark.django_db
def test_task_claimed_late_in_its_slot_keeps_its_cadence():
    task = Periodic("test.cadence", 3, lambda: None)
    due = timezone.now() - timedelta(seconds=0.9)  # the worker woke 0.9 s into the slot
    Schedule.objects.create(name=task.name, next_run_at=due)

    assert services.periodic_claim(task, worker_name="w1")

    assert Schedule.objects.get(name=task.name).next_run_at == due + timedelta(seconds=3)


@pytest.mark.django_db
def test_task_claimed_after_a_long_pause_is_next_due_one_interval_from_now():
    task = Periodic("test.cadence", 3, lambda: None)
    Schedule.objects.create(name=task.name, next_run_at=timezone.now() - timedelta(minutes=5))
    before = timezone.now()

    assert services.periodic_claim(task, worker_name="w1")

    next_run = Schedule.objects.get(name=task.name).next_run_at
    assert next_run >= before + timedelta(seconds=3)


@pytest.mark.django_db
def test_task_not_yet_due_is_not_claimed():
    task = Periodic("test.cadence", 3, lambda: None)
    Schedule.objects.create(name=task.name, next_run_at=timezone.now() + timedelta(seconds=1))
    assert not services.periodic_claim(task, worker_name="w1")

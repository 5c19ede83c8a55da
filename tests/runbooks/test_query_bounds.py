"""Deployment-day pages and lists run the same number of queries for 2 or 20 rows."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.conftest import signed_in
from tminus.core.actors import Actor
from tminus.people.models import Person
from tminus.runbooks import services
from tminus.runbooks.models import RollbackStep, RunbookPhase, RunbookStep

pytestmark = pytest.mark.django_db
CLI = Actor.cli()


def _queries(client, path: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(path)
    assert response.status_code == 200, path
    return len(captured.captured_queries)


def _add_steps(release, count: int) -> None:
    """count more steps in a new phase, each with an owner (a person or a user)."""
    runbook = release.runbook
    phase = RunbookPhase.objects.create(runbook=runbook, name=f"Extra {count}",
                                        order=runbook.phases.count())
    person = Person.objects.create(name=f"Owner {count}")
    user = release.owner
    RunbookStep.objects.bulk_create(
        RunbookStep(phase=phase, order=n, title=f"Step {n}",
                    owner_person=person if n % 2 else None, owner_user=None if n % 2 else user)
        for n in range(count))


def _fresh_runbook(release) -> None:
    release.runbook.phases.all().delete()


@pytest.fixture
def release(ready_release, manager):
    ready_release.owner = manager
    ready_release.save()
    _fresh_runbook(ready_release)
    return ready_release


def test_runbook_page_and_api_run_the_same_queries_for_2_and_20_steps(contributor, release):
    client = signed_in(contributor)
    _add_steps(release, 2)
    page, api = (_queries(client, f"/releases/{release.key}/runbook/"),
                 _queries(client, f"/api/v1/releases/{release.key}/runbook"))

    _add_steps(release, 18)

    assert _queries(client, f"/releases/{release.key}/runbook/") == page
    assert _queries(client, f"/api/v1/releases/{release.key}/runbook") == api


def test_run_page_panel_and_api_run_the_same_queries_for_2_and_20_steps(viewer, release):
    client = signed_in(viewer)
    _add_steps(release, 2)
    few_run = services.deployment_start(release=release, actor=CLI)
    services.deployment_fail(release=release, reason="x", actor=CLI)
    paths = [f"/releases/{release.key}/runbook/runs/1/", f"/api/v1/releases/{release.key}/runs/1",
             f"/releases/{release.key}/"]
    few = [_queries(client, path) for path in paths]

    _add_steps(release, 18)
    many_run = services.deployment_start(release=release, actor=CLI)
    services.deployment_fail(release=release, reason="x", actor=CLI)

    assert many_run.steps.count() == few_run.steps.count() + 18
    assert [_queries(client, path.replace("/1", "/2")) for path in paths[:2]] == few[:2]
    assert _queries(client, paths[2]) == few[2]


def test_run_list_runs_the_same_queries_for_2_and_20_runs(viewer, release):
    client = signed_in(viewer)
    _add_steps(release, 3)

    def runs(count):
        for _ in range(count):
            services.deployment_start(release=release, actor=CLI)
            services.deployment_fail(release=release, reason="x", actor=CLI)

    runs(2)
    few = (_queries(client, f"/api/v1/releases/{release.key}/runs"),
           _queries(client, f"/releases/{release.key}/runbook/"))
    runs(18)

    assert _queries(client, f"/api/v1/releases/{release.key}/runs") == few[0]
    assert _queries(client, f"/releases/{release.key}/runbook/") == few[1]


def test_rollback_page_and_api_run_the_same_queries_for_2_and_20_steps_and_members(
        manager, release):
    client = signed_in(manager)
    plan = release.rollback_plan
    plan.steps.all().delete()

    def add(count, start):
        RollbackStep.objects.bulk_create(
            RollbackStep(plan=plan, order=start + n, title=f"Rollback {start + n}",
                         owner_user=manager) for n in range(count))
        for n in range(count):
            person = Person.objects.create(name=f"Team {start + n}")
            services.rollback_team_member_add(plan=plan, person=person, role="DevOps",
                                              actor=CLI)

    add(2, 0)
    few = (_queries(client, f"/releases/{release.key}/rollback/"),
           _queries(client, f"/api/v1/releases/{release.key}/rollback-plan"))
    add(18, 2)

    assert _queries(client, f"/releases/{release.key}/rollback/") == few[0]
    assert _queries(client, f"/api/v1/releases/{release.key}/rollback-plan") == few[1]

"""Who may send metric events: an ingest token bound to projects and one environment, or a
person whose role may write metrics. A viewer must never be able to roll a flag back."""

import json

import pytest
from django.test import Client

from tests.metrics.test_events import NOW, event
from tminus.core.actors import Actor
from tminus.flags import services as flag_services
from tminus.metrics import services
from tminus.metrics.models import Event

pytestmark = pytest.mark.django_db


@pytest.fixture
def projects(db):
    for project_key, flag_key in (("va", "1095-b-download"), ("shop", "checkout")):
        project = flag_services.project_create(key=project_key, actor=Actor.cli())
        flag_services.flag_create(project=project, key=flag_key, actor=Actor.cli())
    for key in ("download_click", "download_error"):
        services.metric_declare(key=key, actor=Actor.cli())


def token(kind: str, environment="production", projects=("va",)) -> str:
    _token, secret = flag_services.client_token_create(
        name=f"{kind} token", environment=environment, projects=list(projects), kind=kind,
        actor=Actor.cli())
    return secret


def post(client: Client, events: list[dict]):
    return client.post("/api/v1/events", json.dumps({"events": events}),
                       content_type="application/json")


def test_viewer_posting_error_events_is_refused_and_nothing_is_stored(projects, api_as, viewer):
    response = api_as(viewer).post("/api/v1/events", {"events": [
        event(n, name="download_error") for n in range(6)]})
    assert response.status_code == 403
    assert not Event.objects.exists()


def test_contributor_may_not_write_metrics_but_a_release_manager_may(projects, api_as,
                                                                       contributor, manager):
    assert api_as(contributor).post("/api/v1/events", {"events": [event(1)]}).status_code == 403
    response = api_as(manager).post("/api/v1/events", {"events": [event(2)]})
    assert response.status_code == 200, response.content
    assert response.json()["accepted"] == 1


def test_ingest_token_records_events_of_its_projects_in_its_environment(projects):
    client = Client(HTTP_AUTHORIZATION=token("ingest"))
    response = post(client, [event(1), event(2, flag="checkout"),
                             event(3, environment="staging")])
    assert response.status_code == 200, response.content
    assert response.json()["accepted"] == 1
    errors = [r["error"] for r in response.json()["rejected"]]
    assert "flag 'checkout' is not in this token's projects" in errors[0]
    assert "only send events for 'production'" in errors[1]
    assert list(Event.objects.values_list("flag_key", flat=True)) == ["1095-b-download"]


@pytest.mark.parametrize("kind", ["client", "frontend"])
def test_flag_tokens_may_not_send_events(projects, kind):
    response = post(Client(HTTP_AUTHORIZATION=token(kind)), [event(1)])
    assert response.status_code in (401, 403)
    assert not Event.objects.exists()


def test_ingest_token_cannot_read_flags(projects):
    response = Client(HTTP_AUTHORIZATION=token("ingest")).get("/api/client/features")
    assert response.status_code == 403


def test_revoked_ingest_token_is_refused(projects):
    secret = token("ingest")
    from tminus.flags.models import ClientToken

    flag_services.client_token_revoke(token=ClientToken.objects.get(kind="ingest"),
                                      actor=Actor.cli())
    assert post(Client(HTTP_AUTHORIZATION=secret), [event(1)]).status_code == 401


def test_ingest_token_created_through_the_api_and_the_cli(projects, api_as, manager, viewer,
                                                         capsys):
    assert api_as(viewer).post("/api/v1/ingest-tokens", {
        "name": "svc", "projects": ["va"], "environment": "production"}).status_code == 403
    response = api_as(manager).post("/api/v1/ingest-tokens", {
        "name": "svc", "projects": ["va"], "environment": "production"})
    assert response.status_code == 201, response.content
    secret = response.json()["secret"]
    assert post(Client(HTTP_AUTHORIZATION=secret), [event(1)]).json()["accepted"] == 1
    listed = api_as(viewer).get("/api/v1/ingest-tokens").json()
    assert [t["name"] for t in listed] == ["svc"] and "secret" not in listed[0]

    from django.core.management import call_command

    call_command("flags", "token", "create", "--kind", "ingest", "--project", "va",
                 "--environment", "production", "--name", "cli")
    secret = capsys.readouterr().out.strip()
    assert post(Client(HTTP_AUTHORIZATION=secret), [event(2)]).json()["accepted"] == 1


def test_events_api_refusal_names_the_ingest_token(projects):
    response = post(Client(), [event(1)])
    assert response.status_code == 401
    assert Event.objects.count() == 0
    assert NOW  # the shared fixture's clock


def test_ingest_token_created_on_the_tokens_page_sends_events(projects, manager):
    from tests.conftest import signed_in

    browser = signed_in(manager)
    response = browser.post("/flags/tokens/", {"name": "svc", "kind": "ingest",
                                               "projects": "va", "environment": "production"})
    assert response.status_code == 302
    page = browser.get("/flags/tokens/").content.decode()
    assert "Metrics ingestion token" in page
    secret = page.split('id="new-token">')[1].split("<")[0]
    assert post(Client(HTTP_AUTHORIZATION=secret), [event(1)]).json()["accepted"] == 1

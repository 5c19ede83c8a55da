import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.conftest import signed_in
from tests.factories import make_release
from tminus.core.actors import Actor
from tminus.environments import services
from tminus.environments.models import Deployment, Environment

pytestmark = pytest.mark.django_db


def test_deployment_post_with_token_records_the_version(api_as, manager):
    release = make_release(version="1.2")
    url = f"/api/v1/products/{release.product.key}/environments/staging/deployments"

    response = api_as(manager).post(url, {"version": "1.2", "release": release.key,
                                          "note": "build 451"})

    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["version"], body["release"], body["environment"]) == ("1.2", release.key,
                                                                      "staging")
    assert Environment.objects.get(product=release.product, key="staging").current_version == \
        "1.2"


def test_deployment_post_by_viewer_is_forbidden_and_changes_nothing(api_as, viewer):
    release = make_release()
    url = f"/api/v1/products/{release.product.key}/environments/qa/deployments"

    response = api_as(viewer).post(url, {"version": "1.0"})

    assert response.status_code == 403
    assert not Deployment.objects.exists()


def test_deployment_post_without_token_is_unauthorised():
    from django.test import Client

    release = make_release()
    response = Client().post(f"/api/v1/products/{release.product.key}/environments/qa/"
                             "deployments", data={"version": "1"},
                             content_type="application/json")

    assert response.status_code == 401


def test_deployment_post_to_unknown_environment_answers_404(api_as, manager):
    release = make_release()
    url = f"/api/v1/products/{release.product.key}/environments/moon/deployments"

    response = api_as(manager).post(url, {"version": "1.0"})

    assert response.status_code == 404
    assert "moon" in response.json()["detail"]


def test_environment_list_and_history_and_release_standing_endpoints(api_as, manager, viewer):
    release = make_release(version="5.0")
    services.environment_version_set(product=release.product, environment="qa", version="5.0",
                                     actor=Actor(manager, "web"))
    api = api_as(viewer)
    key = release.product.key

    listing = api.get(f"/api/v1/products/{key}/environments").json()
    history = api.get(f"/api/v1/products/{key}/environments/qa/deployments").json()
    standing = api.get(f"/api/v1/releases/{release.key}/environments").json()

    assert [(e["key"], e["current_version"]) for e in listing] == [
        ("qa", "5.0"), ("staging", ""), ("production", "")]
    assert [d["version"] for d in history] == ["5.0"]
    assert standing[0]["state"] == "current" and standing[2]["state"] == "not_deployed"


def test_environment_create_endpoint_adds_an_environment(api_as, manager):
    release = make_release()

    response = api_as(manager).post(f"/api/v1/products/{release.product.key}/environments",
                                    {"key": "performance", "name": "Performance"})

    assert response.status_code == 201
    assert release.product.environments.filter(key="performance").exists()


def test_environment_create_endpoint_with_a_too_long_url_is_422_and_adds_nothing(api_as,
                                                                                 manager):
    release = make_release()
    before = Environment.objects.count()

    response = api_as(manager).post(
        f"/api/v1/products/{release.product.key}/environments",
        {"key": "perf", "url": "https://perf.example.com/" + "x" * 500})

    assert response.status_code == 422
    assert response.json()["errors"] == {"url": ["At most 500 characters."]}
    assert Environment.objects.count() == before


def test_environments_set_command_records_version_for_release(capsys):
    release = make_release(version="4.1")

    call_command("environments", "set", release.product.key, "production", "4.1",
                 "--release", release.key)

    production = Environment.objects.get(product=release.product, key="production")
    assert (production.current_version, production.current_release) == ("4.1", release)
    assert "production: 4.1 since" in capsys.readouterr().out


def test_environments_set_command_with_unknown_environment_fails_cleanly():
    release = make_release()

    with pytest.raises(CommandError, match="no environment 'nowhere'"):
        call_command("environments", "set", release.product.key, "nowhere", "1.0")


def test_environments_list_command_prints_each_environment(capsys):
    release = make_release()
    call_command("environments", "set", release.product.key, "qa", "0.3")

    call_command("environments", "list", release.product.key)

    lines = capsys.readouterr().out.strip().splitlines()
    assert lines[-3].startswith("qa\t0.3\t")


def _page_queries(client, url) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


def test_product_environments_page_runs_the_same_queries_for_2_or_20_deployments(viewer):
    release = make_release()
    product, client = release.product, signed_in(viewer)
    url = f"/products/{product.key}/environments/"
    for version in ("0.1", "0.2"):
        services.environment_version_set(product=product, environment="qa", version=version,
                                         actor=Actor.cli())
    few = _page_queries(client, url)
    for number in range(18):
        services.environment_version_set(product=product, environment="staging",
                                         version=f"1.{number}", actor=Actor.cli())

    assert _page_queries(client, url) == few


def test_release_page_shows_where_its_version_stands(viewer):
    release = make_release(version="7.0")
    services.environment_version_set(product=release.product, environment="staging",
                                     version="7.0", actor=Actor.cli())

    page = signed_in(viewer).get(f"/releases/{release.key}/?tab=deployment").content.decode()

    assert "panel-environments" in page
    assert "Deployed since" in page
    assert "Not deployed yet" in page


def test_version_form_posted_by_viewer_is_forbidden(viewer):
    release = make_release()

    response = signed_in(viewer).post(f"/products/{release.product.key}/environments/version",
                                      {"environment": "qa", "version": "1.0"})

    assert response.status_code == 403
    assert not Deployment.objects.exists()


def test_version_form_posted_by_manager_records_the_deployment(manager):
    release = make_release()

    response = signed_in(manager).post(
        f"/products/{release.product.key}/environments/version",
        {"environment": "qa", "version": "1.0", "release": "", "note": ""})

    assert response.status_code == 302
    assert Deployment.objects.get().version == "1.0"


def test_environments_add_defaults_and_history_commands(capsys):
    release = make_release()
    key = release.product.key

    call_command("environments", "add", key, "performance", "--name", "Performance")
    call_command("environments", "defaults", key)
    call_command("environments", "set", key, "performance", "2.0")
    call_command("environments", "set", key, "performance", "2.1")
    capsys.readouterr()
    call_command("environments", "history", key, "performance")

    out = capsys.readouterr().out.strip().splitlines()
    assert [line.split("\t")[1] for line in out] == ["2.1", "2.0"]
    assert release.product.environments.count() == 4

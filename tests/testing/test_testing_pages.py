import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.conftest import signed_in
from tests.factories import make_release
from tminus.core.actors import Actor
from tminus.testing import services
from tminus.testing.models import TestCase, TestRun

pytestmark = pytest.mark.django_db
SYSTEM = Actor.cli()


def _add_runs(release, count):
    case = TestCase.objects.filter(release=release).first()
    for number in range(count):
        run = services.test_run_start(release=release, environment="staging",
                                      name=f"run {number}", actor=SYSTEM)
        services.test_result_record(run=run, case=case, result="passed", actor=SYSTEM)
        services.test_case_add(release=release, title=f"case {number}", kind="regression",
                               environment="qa", actor=SYSTEM)


def _queries(client, url) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200
    return len(captured)


@pytest.mark.parametrize("path", ["/releases/{key}/tests/", "/releases/{key}/"])
def test_test_plan_and_release_pages_run_the_same_queries_for_2_or_20_runs(viewer, path):
    release = make_release(template="patch")
    client, url = signed_in(viewer), path.format(key=release.key)
    _add_runs(release, 2)
    few = _queries(client, url)

    _add_runs(release, 18)

    assert _queries(client, url) == few


def test_test_plan_page_shows_pass_rates_chart_cases_and_runs(viewer):
    release = make_release(template="patch")
    _add_runs(release, 2)

    page = signed_in(viewer).get(f"/releases/{release.key}/tests/").content.decode()

    assert 'class="pass-rate-chart"' in page
    assert "Smoke test after deployment" in page
    assert "run 1" in page
    assert "Upload JUnit XML" not in page  # a viewer cannot upload


def test_run_page_lists_results_and_lets_a_contributor_record_one(contributor):
    release = make_release(template="patch")
    run = services.test_run_start(release=release, environment="staging", name="UAT 2",
                                  actor=SYSTEM)
    case = TestCase.objects.filter(release=release).first()
    client = signed_in(contributor)

    response = client.post(f"/releases/{release.key}/tests/runs/{run.pk}/results",
                           {"case_id": case.pk, "result": "blocked", "notes": "no data"})

    assert response.status_code == 302
    run.refresh_from_db()
    assert run.blocked == 1
    page = client.get(f"/releases/{release.key}/tests/runs/{run.pk}/").content.decode()
    assert "no data" in page


def test_upload_form_with_a_file_pytest_wrote_records_the_run(contributor, junit_file):
    release = make_release(template="patch")

    with junit_file.open("rb") as handle:
        response = signed_in(contributor).post(
            f"/releases/{release.key}/tests/junit",
            {"file": handle, "environment": "qa", "kind": "unit"})

    assert response.status_code == 302
    run = TestRun.objects.get(release=release)
    assert response.url == f"/releases/{release.key}/tests/runs/{run.pk}/"


def test_upload_form_with_a_file_that_is_not_xml_shows_the_reason(contributor, tmp_path):
    release = make_release(template="patch")
    bad = tmp_path / "out.xml"
    bad.write_text("{not: xml}")

    with bad.open("rb") as handle:
        response = signed_in(contributor).post(f"/releases/{release.key}/tests/junit",
                                               {"file": handle, "environment": "qa"})

    assert response.status_code == 422
    assert "is not XML" in response.content.decode()
    assert not TestRun.objects.exists()


def test_case_form_posted_by_viewer_is_forbidden(viewer):
    release = make_release(template="patch")
    before = TestCase.objects.count()

    response = signed_in(viewer).post(f"/releases/{release.key}/tests/cases",
                                      {"title": "x", "kind": "uat"})

    assert response.status_code == 403
    assert TestCase.objects.count() == before


def test_testing_api_lists_cases_runs_and_pass_rates(api_as, viewer, contributor):
    release = make_release(template="patch")
    contributor_api = api_as(contributor)
    created = contributor_api.post(f"/api/v1/releases/{release.key}/test-cases",
                                   {"title": "Login works", "kind": "smoke",
                                    "environment": "production"})
    run = contributor_api.post(f"/api/v1/releases/{release.key}/test-runs",
                               {"environment": "production", "name": "post-deploy"}).json()
    recorded = contributor_api.post(f"/api/v1/test-runs/{run['id']}/results",
                                    {"case_id": created.json()["id"], "result": "passed"})
    api = api_as(viewer)

    rates = api.get(f"/api/v1/releases/{release.key}/pass-rates").json()
    detail = api.get(f"/api/v1/test-runs/{run['id']}").json()

    assert (created.status_code, recorded.status_code) == (201, 201)
    assert rates["by_environment"]["production"]["passed"] == 1
    assert rates["trend"][0]["rate"] == 100.0
    assert detail["results"][0]["result"] == "passed"
    bad = contributor_api.post(f"/api/v1/releases/{release.key}/test-cases",
                               {"title": "x", "kind": "exploratory"})
    assert bad.status_code == 422

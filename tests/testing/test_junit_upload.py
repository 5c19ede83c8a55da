"""Uploading JUnit XML through the service, the CLI and the API, with files pytest wrote."""

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import Client

from tests.factories import make_release
from tests.testing.junit_files import junit_written_by_pytest
from tminus.accounts.services import token_create
from tminus.audit.models import AuditEvent
from tminus.core.actors import Actor
from tminus.core.errors import ValidationFailed
from tminus.testing import selectors, services
from tminus.testing.models import TestCase, TestResult, TestRun

pytestmark = pytest.mark.django_db


def _token_client(user) -> Client:
    _token, secret = token_create(user=user, name="ci", actor=Actor.cli())
    return Client(HTTP_AUTHORIZATION=f"Bearer {secret}")


def _nothing_recorded(release) -> bool:
    return not (TestRun.objects.filter(release=release).exists()
                or TestCase.objects.filter(release=release).exclude(automated_key="").exists())


def test_junit_upload_records_a_run_and_creates_cases_by_classname_and_name(junit_file):
    release = make_release(template="patch")

    run, created = services.test_run_junit_upload(
        release=release, environment="staging", content=junit_file.read_bytes(),
        filename="report.xml", kind="integration", actor=Actor.cli())

    assert created
    assert (run.passed, run.failed, run.skipped, run.blocked) == (1, 2, 1, 0)
    assert run.environment.key == "staging"
    cases = TestCase.objects.filter(release=release).exclude(automated_key="")
    assert sorted(c.automated_key for c in cases) == [
        "test_sample::test_adds_up", "test_sample::test_later",
        "test_sample::test_needs_database", "test_sample::test_takes_away"]
    assert {c.kind for c in cases} == {"integration"}
    failure = TestResult.objects.get(run=run, case__title="test_takes_away")
    assert "assert (3 - 1) == 1" in failure.message
    assert AuditEvent.objects.get(action="test_run.junit_upload").release_id == release.pk


def test_junit_upload_of_the_same_file_again_returns_the_first_run_and_counts_once(junit_file):
    release = make_release(template="patch")
    content = junit_file.read_bytes()

    first, _ = services.test_run_junit_upload(release=release, environment="qa",
                                              content=content, actor=Actor.cli())
    again, created = services.test_run_junit_upload(release=release, environment="qa",
                                                    content=content, actor=Actor.cli())

    assert not created
    assert again.pk == first.pk
    assert TestRun.objects.filter(release=release).count() == 1
    assert TestResult.objects.filter(run__release=release).count() == 4


def test_junit_upload_of_the_same_file_to_another_environment_is_a_new_run(junit_file):
    release = make_release(template="patch")
    content = junit_file.read_bytes()

    services.test_run_junit_upload(release=release, environment="qa", content=content,
                                   actor=Actor.cli())
    _run, created = services.test_run_junit_upload(release=release, environment="staging",
                                                   content=content, actor=Actor.cli())

    assert created
    assert TestCase.objects.filter(release=release).exclude(automated_key="").count() == 4


def test_junit_upload_of_a_later_run_reuses_cases_and_the_latest_result_counts(tmp_path,
                                                                              junit_file):
    release = make_release(template="patch")
    services.test_run_junit_upload(release=release, environment="qa",
                                   content=junit_file.read_bytes(), actor=Actor.cli())
    fixed = junit_written_by_pytest(tmp_path, "def test_adds_up():\n    assert True\n\n"
                                   "def test_takes_away():\n    assert 3 - 1 == 2\n")

    services.test_run_junit_upload(release=release, environment="qa", content=fixed,
                                   actor=Actor.cli())

    assert TestCase.objects.filter(release=release).exclude(automated_key="").count() == 4
    rates = selectors.pass_rates(release)
    qa = release.product.environments.get(key="qa")
    cell = rates.cell("unit", qa.pk)
    assert (cell.passed, cell.failed, cell.skipped) == (2, 1, 1)


@pytest.mark.parametrize(("content", "message"), [
    (b"Traceback (most recent call last): not a report", "not XML"),
    (b"<?xml version='1.0'?><project><name>shop</name></project>", "not JUnit"),
    (b'<!DOCTYPE t [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;">]>'
     b"<testsuite><testcase name='&b;'/></testsuite>", "DTD or entities"),
])
def test_junit_upload_of_a_bad_file_is_refused_and_records_nothing(content, message):
    release = make_release(template="patch")

    with pytest.raises(ValidationFailed, match=message):
        services.test_run_junit_upload(release=release, environment="staging",
                                       content=content, actor=Actor.cli())
    assert _nothing_recorded(release)


def test_junit_upload_to_unknown_environment_or_kind_is_refused(junit_file):
    release = make_release(template="patch")

    with pytest.raises(ValidationFailed, match="no environment 'preprod'"):
        services.test_run_junit_upload(release=release, environment="preprod",
                                       content=junit_file.read_bytes(), actor=Actor.cli())
    with pytest.raises(ValidationFailed, match="Unknown test kind 'fuzzy'"):
        services.test_run_junit_upload(release=release, environment="qa", kind="fuzzy",
                                       content=junit_file.read_bytes(), actor=Actor.cli())
    assert _nothing_recorded(release)


def test_junit_upload_larger_than_the_limit_is_refused(settings, junit_file):
    settings.JUNIT_MAX_BYTES = 100
    release = make_release(template="patch")

    with pytest.raises(ValidationFailed, match="the limit is 100"):
        services.test_run_junit_upload(release=release, environment="qa",
                                       content=junit_file.read_bytes(), actor=Actor.cli())


def test_tests_upload_command_records_the_run_then_says_a_repeat_was_not_counted(capsys,
                                                                                junit_file):
    release = make_release(template="patch")

    call_command("tests", "upload", release.key, str(junit_file), "--environment", "staging",
                 "--kind", "regression")
    call_command("tests", "upload", release.key, str(junit_file), "--environment", "staging")

    out = capsys.readouterr().out
    assert "1 passed, 2 failed, 1 skipped" in out
    assert "not counted again" in out
    assert TestRun.objects.filter(release=release).count() == 1


def test_tests_upload_command_with_a_file_that_is_not_xml_fails_cleanly(tmp_path):
    release = make_release(template="patch")
    bad = tmp_path / "results.xml"
    bad.write_text("PASSED 12 FAILED 0")

    with pytest.raises(CommandError, match="not XML"):
        call_command("tests", "upload", release.key, str(bad), "--environment", "qa")
    assert _nothing_recorded(release)


def test_junit_endpoint_takes_a_multipart_file_with_a_token(contributor, junit_file):
    release = make_release(template="patch")
    client = _token_client(contributor)

    with junit_file.open("rb") as handle:
        response = client.post(
            f"/api/v1/releases/{release.key}/test-runs/junit?environment=staging&kind=smoke",
            data={"file": handle})

    assert response.status_code == 201, response.content
    body = response.json()
    assert body["created"] is True
    assert (body["run"]["passed"], body["run"]["failed"]) == (1, 2)
    assert body["run"]["filename"] == "report.xml"


def test_junit_endpoint_takes_raw_xml_and_a_repeat_answers_200_with_the_same_run(
        contributor, junit_file):
    release = make_release(template="patch")
    client = _token_client(contributor)
    url = f"/api/v1/releases/{release.key}/test-runs/junit?environment=qa"

    first = client.post(url, data=junit_file.read_bytes(), content_type="application/xml")
    again = client.post(url, data=junit_file.read_bytes(), content_type="application/xml")

    assert first.status_code == 201
    assert again.status_code == 200
    assert again.json()["created"] is False
    assert again.json()["run"]["id"] == first.json()["run"]["id"]
    assert "not counted again" in again.json()["detail"]


def test_junit_endpoint_with_xml_that_is_not_junit_answers_422_and_records_nothing(contributor):
    release = make_release(template="patch")

    response = _token_client(contributor).post(
        f"/api/v1/releases/{release.key}/test-runs/junit?environment=qa",
        data=b"<rss><channel/></rss>", content_type="application/xml")

    assert response.status_code == 422
    assert "not JUnit" in response.json()["errors"]["file"][0]
    assert _nothing_recorded(release)


def test_junit_endpoint_for_viewer_is_forbidden(viewer, junit_file):
    release = make_release(template="patch")

    response = _token_client(viewer).post(
        f"/api/v1/releases/{release.key}/test-runs/junit?environment=qa",
        data=junit_file.read_bytes(), content_type="application/xml")

    assert response.status_code == 403
    assert _nothing_recorded(release)


def test_tests_summary_command_prints_pass_rates_as_json(capsys, junit_file):
    import json

    release = make_release(template="patch")
    call_command("tests", "upload", release.key, str(junit_file), "--environment", "qa")
    capsys.readouterr()

    call_command("tests", "summary", release.key)

    summary = json.loads(capsys.readouterr().out)
    assert summary["by_environment"]["qa"]["passed"] == 1
    assert summary["by_environment"]["qa"]["failed"] == 2

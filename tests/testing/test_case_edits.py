"""Test cases are added and edited through the one edit path (tminus.core.editing)."""

import pytest

from tests.factories import make_release
from tests.support.edit_rules import assert_edit_rules_hold
from tminus.audit.models import AuditEvent
from tminus.core.actors import Actor
from tminus.core.errors import ValidationFailed
from tminus.testing import services
from tminus.testing.models import TestCase

pytestmark = pytest.mark.django_db
CLI = Actor.cli()


def _case():
    release = make_release(template="patch")
    return services.test_case_add(release=release, title="Login works", kind="smoke",
                                  actor=CLI)


def test_api_test_case_patch_keeps_the_edit_rules(api_as, contributor):
    case = _case()
    path = f"/api/v1/test-cases/{case.pk}"

    assert_edit_rules_hold(api_as(contributor), path, revision=case.revision,
                           null_field="steps", change={"expected": "A dashboard"})

    case.refresh_from_db()
    assert (case.expected, case.revision) == ("", 1)


def test_api_test_case_patch_with_a_too_long_title_is_422_and_changes_nothing(
        api_as, contributor):
    case = _case()

    response = api_as(contributor).patch(f"/api/v1/test-cases/{case.pk}",
                                         {"revision": case.revision, "title": "t" * 501})

    assert response.status_code == 422, response.content
    assert response.json()["errors"] == {"title": ["At most 500 characters."]}
    case.refresh_from_db()
    assert (case.title, case.revision) == ("Login works", 1)


def test_api_test_case_patch_with_a_null_kind_is_422_naming_kind(api_as, contributor):
    case = _case()

    response = api_as(contributor).patch(f"/api/v1/test-cases/{case.pk}",
                                         {"revision": case.revision, "kind": None})

    assert response.status_code == 422, response.content
    assert set(response.json()["errors"]) == {"kind"}


def test_api_test_case_add_with_a_too_long_title_is_422_and_adds_nothing(api_as, contributor):
    release = make_release(template="patch")
    before = TestCase.objects.count()

    response = api_as(contributor).post(f"/api/v1/releases/{release.key}/test-cases",
                                        {"title": "t" * 501, "kind": "smoke"})

    assert response.status_code == 422, response.content
    assert response.json()["errors"] == {"title": ["At most 500 characters."]}
    assert TestCase.objects.count() == before


def test_test_case_update_with_a_number_for_steps_is_refused_naming_steps():
    case = _case()

    with pytest.raises(ValidationFailed) as refused:
        services.test_case_update(case=case, revision=1, changes={"steps": 5}, actor=CLI)

    assert refused.value.errors == {"steps": ["Send text here."]}


def test_api_test_case_add_and_patch_are_audited_with_the_api_interface(api_as, contributor):
    release = make_release(template="patch")
    api = api_as(contributor)

    created = api.post(f"/api/v1/releases/{release.key}/test-cases",
                       {"title": "  Checkout works ", "kind": "e2e", "environment": "qa"})
    edited = api.patch(f"/api/v1/test-cases/{created.json()['id']}",
                       {"revision": created.json()["revision"], "title": "Checkout pays",
                        "kind": "Regression"})

    assert (created.status_code, edited.status_code) == (201, 200), edited.content
    assert (created.json()["title"], created.json()["kind"]) == ("Checkout works", "end_to_end")
    assert (edited.json()["title"], edited.json()["kind"]) == ("Checkout pays", "regression")
    added = AuditEvent.objects.get(action="test_case.add")
    updated = AuditEvent.objects.get(action="test_case.update")
    assert (added.interface, updated.interface) == ("api", "api")
    assert (updated.before["title"], updated.after["title"]) == ("Checkout works",
                                                                 "Checkout pays")


def test_api_test_case_patch_to_an_unknown_environment_names_the_field(api_as, contributor):
    case = _case()

    response = api_as(contributor).patch(f"/api/v1/test-cases/{case.pk}",
                                         {"revision": case.revision, "environment": "mars"})

    assert response.status_code == 422
    assert set(response.json()["errors"]) == {"environment"}


def test_api_test_case_add_with_no_title_and_an_unknown_environment_names_both(
        api_as, contributor):
    release = make_release(template="patch")

    response = api_as(contributor).post(f"/api/v1/releases/{release.key}/test-cases",
                                        {"title": " ", "environment": "mars"})

    assert response.status_code == 422
    assert set(response.json()["errors"]) == {"title", "environment"}
    assert not TestCase.objects.filter(release=release, title="").exists()

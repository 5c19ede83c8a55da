"""Testing mappers: test cases, test data and test environments become records of the testing
and environments areas; the export shows the latest result and what each environment runs."""

from datetime import date

import pytest

from tests.plans.helpers import import_plan, missing_lines, seed, seed_part
from tminus.core.actors import Actor
from tminus.plans.exporting import export_markdown, plan_as_code
from tminus.releases.models import Release

pytestmark = pytest.mark.django_db
CLI = Actor.cli()


def _imported(text: str, **kwargs) -> Release:
    return Release.objects.get(key=import_plan(text.encode(), **kwargs).release_key)


def test_seed_000_testing_plan_becomes_cases_test_data_and_environments():
    release = _imported(seed("000").read_text(), product="shop")

    kinds = {c.title[:30]: c.kind for c in release.test_cases.all()}
    assert kinds == {"Verify that the \"Create Order\"": "end_to_end",
                     "Test error handling (e.g., ins": "uat",
                     "Test edge cases (e.g., extreme": "uat"}
    assert release.test_plan.test_data == ("Sample product catalog data.\n"
                                           "User account data for placing orders.")
    assert {"qa", "staging"} <= set(release.product.environments.values_list("key", flat=True))


def test_seed_002_testing_steps_become_cases_with_their_kind_and_steps():
    text = seed_part("002", "#### 5. **Release Testing and Approval Process**")
    release = _imported(text)

    cases = {c.title: (c.kind, c.steps[:20]) for c in release.test_cases.all()}
    assert cases["Load Testing"] == ("load", "Ensure that the plat")
    assert cases["User Acceptance Testing (UAT)"][0] == "uat"
    assert len(cases) == 4
    assert missing_lines(text, export_markdown(release)) == []


def test_case_result_and_environment_version_show_next_to_their_lines():
    from tminus.environments.services import environment_version_set
    from tminus.testing import services

    release = _imported(seed_part("000", "## 5. Testing Plan"), product="shop")
    run = services.test_run_start(release=release, environment="qa", actor=CLI,
                                  executed_at=None)
    case = release.test_cases.get(title__startswith="Test error handling")
    result = services.test_result_record(run=run, case=case, result="failed", actor=CLI)
    environment_version_set(product=release.product, environment="staging", version="v1.0",
                            actor=CLI)

    exported = export_markdown(release)

    assert (f"Test error handling (e.g., insufficient stock, invalid payment methods). — failed "
            f"on {result.recorded_at:%Y-%m-%d}") in exported
    assert f"Staging environment: for final validation before production. — runs v1.0 since " \
           f"{date.today():%Y-%m}" in exported
    assert {"test_data": "Sample product catalog data.\nUser account data for placing orders."} \
        in plan_as_code(release)["tests"]


def test_test_case_renamed_in_t_minus_is_rewritten_and_reimport_adds_no_duplicate():
    from tminus.testing.services import test_case_update

    text = seed_part("002", "#### 5. **Release Testing and Approval Process**")
    release = _imported(text, key="food-tests")
    case = release.test_cases.get(title="Load Testing")
    test_case_update(case=case, revision=None, changes={"steps": "10k orders per minute."},
                     actor=CLI)

    assert "     - **Load Testing**: 10k orders per minute." in export_markdown(release)
    import_plan(text.encode(), key="food-tests")
    assert release.test_cases.count() == 4
    assert release.test_cases.get(title="Load Testing").steps.startswith("Ensure that")

import pytest

from tests.factories import make_release
from tminus.core.actors import Actor
from tminus.testing import criteria, services

pytestmark = pytest.mark.django_db
SYSTEM = Actor.cli()


def _uat_results(release, outcomes, environment="staging", kind="uat"):
    run = services.test_run_start(release=release, environment=environment, actor=SYSTEM)
    for number, outcome in enumerate(outcomes):
        case = services.test_case_add(release=release, title=f"{kind} {number}", kind=kind,
                                      environment=environment, actor=SYSTEM)
        services.test_result_record(run=run, case=case, result=outcome, actor=SYSTEM)


def test_pass_rate_criterion_uat_100_on_staging_is_met_when_every_uat_case_passed():
    release = make_release(template="patch")
    _uat_results(release, ["passed", "passed", "skipped"])

    met, why = criteria.pass_rate_evaluate(release, {"kind": "uat", "environment": "staging",
                                                     "min_rate": 100})

    assert met
    assert "2 of 2 passed (100.0%)" in why


def test_pass_rate_criterion_is_not_met_below_the_rate_and_says_what_failed():
    release = make_release(template="patch")
    _uat_results(release, ["passed", "passed", "passed", "failed"])

    met, why = criteria.pass_rate_evaluate(release, {"kind": "UAT", "environment": "Staging",
                                                     "min_rate": "100%"})

    assert not met
    assert "3 of 4 passed (75.0%), 1 failed; needs 100%" in why


def test_pass_rate_criterion_without_any_results_is_not_met():
    release = make_release(template="patch")

    met, why = criteria.pass_rate_evaluate(release, {"kind": "uat", "environment": "staging",
                                                     "min_rate": 90})

    assert not met and "No results" in why


def test_no_failed_tests_criterion_for_smoke_on_production():
    release = make_release(template="patch")
    _uat_results(release, ["passed", "passed"], environment="production", kind="smoke")
    params = {"kind": "smoke", "environment": "production"}

    assert criteria.no_failed_evaluate(release, params)[0]
    _uat_results(release, ["failed"], environment="production", kind="smoke")
    met, why = criteria.no_failed_evaluate(release, params)
    assert not met and "1 Smoke tests on Production failed" in why


def test_criterion_params_are_checked_with_a_message():
    with pytest.raises(ValueError, match="Unknown test kind 'vibes'"):
        criteria.pass_rate_clean({"kind": "vibes", "environment": "qa", "min_rate": 90})
    with pytest.raises(ValueError, match="from 0 to 100"):
        criteria.pass_rate_clean({"kind": "uat", "environment": "qa", "min_rate": 120})
    with pytest.raises(ValueError, match="Name the environment"):
        criteria.no_failed_clean({"kind": "smoke"})
    assert criteria.pass_rate_clean({"kind": "End-to-end", "environment": "Staging",
                                     "min_rate": "95%"}) == {
        "kind": "end_to_end", "environment": "staging", "min_rate": 95.0}


def test_criteria_are_registered_with_readiness():
    registry = pytest.importorskip("tminus.readiness.criteria")

    kinds = {entry.kind for entry in registry.criterion_kinds()}

    assert {"test_pass_rate", "no_failed_tests", "documents_ready"} <= kinds
    assert registry.default_label("test_pass_rate", {"kind": "uat", "environment": "staging",
                                                     "min_rate": 100}) == \
        "UAT tests 100% passed on staging"

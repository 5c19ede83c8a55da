from datetime import timedelta

import pytest
from django.utils import timezone

from tests.factories import make_release
from tminus.core.actors import Actor
from tminus.core.errors import NotAllowed, ValidationFailed
from tminus.testing import selectors, services
from tminus.testing.chart import pass_rate_chart_svg
from tminus.testing.models import TestCase, TestResult

pytestmark = pytest.mark.django_db
SYSTEM = Actor.cli()


def _cases(release, kind, environment, count):
    return [services.test_case_add(release=release, title=f"{kind} case {n}", kind=kind,
                                   environment=environment, actor=SYSTEM)
            for n in range(count)]


def _run(release, environment, results, *, days_ago=0, name=""):
    run = services.test_run_start(release=release, environment=environment, name=name,
                                  executed_at=timezone.now() - timedelta(days=days_ago),
                                  actor=SYSTEM)
    for case, outcome in results:
        services.test_result_record(run=run, case=case, result=outcome, actor=SYSTEM)
    return run


def test_release_create_from_major_template_plans_seed_002_test_kinds():
    release = make_release(template="major")

    planned = {(c.kind, c.environment.key) for c in TestCase.objects.filter(release=release)}

    assert planned == {("regression", "staging"), ("uat", "staging"), ("load", "staging"),
                       ("security", "staging"), ("smoke", "production")}


def test_test_result_record_keeps_who_when_evidence_and_recounts_the_run(contributor):
    release = make_release(template="patch")
    case = services.test_case_add(release=release, title="Checkout works", kind="uat",
                                  environment="staging", steps="1. Add to cart\n2. Pay",
                                  expected="Order confirmed", actor=SYSTEM)
    run = services.test_run_start(release=release, environment="staging", name="UAT 1",
                                  actor=SYSTEM)

    services.test_result_record(run=run, case=case, result="failed", actor=SYSTEM)
    result = services.test_result_record(run=run, case=case, result="passed",
                                         evidence_link="https://ci.example.com/1",
                                         notes="fixed", actor=Actor(contributor, "web"))

    run.refresh_from_db()
    assert (run.passed, run.failed) == (1, 0)
    assert TestResult.objects.filter(run=run).count() == 1
    assert (result.recorded_by, result.evidence_link) == (contributor,
                                                          "https://ci.example.com/1")


def test_test_result_record_with_unknown_result_or_bad_link_is_refused():
    release = make_release(template="patch")
    case = _cases(release, "uat", "staging", 1)[0]
    run = services.test_run_start(release=release, environment="staging", actor=SYSTEM)

    with pytest.raises(ValidationFailed, match="Unknown result 'green'"):
        services.test_result_record(run=run, case=case, result="green", actor=SYSTEM)
    with pytest.raises(ValidationFailed, match="http"):
        services.test_result_record(run=run, case=case, result="passed",
                                    evidence_link="ftp://x", actor=SYSTEM)
    assert not TestResult.objects.exists()


def test_test_result_record_by_viewer_is_not_allowed(viewer):
    release = make_release(template="patch")
    case = _cases(release, "uat", "staging", 1)[0]
    run = services.test_run_start(release=release, environment="staging", actor=SYSTEM)

    with pytest.raises(NotAllowed):
        services.test_result_record(run=run, case=case, result="passed",
                                    actor=Actor(viewer, "web"))


def test_pass_rates_count_each_case_by_its_latest_result_per_kind_and_environment():
    release = make_release(template="patch")
    uat = _cases(release, "uat", "staging", 4)
    _run(release, "staging", [(c, "failed") for c in uat], days_ago=2)
    _run(release, "staging", [(uat[0], "passed"), (uat[1], "passed"), (uat[2], "blocked"),
                              (uat[3], "skipped")], days_ago=1)

    rates = selectors.pass_rates(release)

    staging = release.product.environments.get(key="staging")
    cell = rates.cell("uat", staging.pk)
    assert (cell.passed, cell.blocked, cell.skipped, cell.failed) == (2, 1, 1, 0)
    assert cell.rate == pytest.approx(66.7)
    assert rates.by_kind["uat"].rate == pytest.approx(66.7)


def test_pass_rates_count_planned_cases_that_never_ran_there_as_not_passed():
    release = make_release(template="patch")
    uat = _cases(release, "uat", "staging", 2)
    _run(release, "staging", [(uat[0], "passed")])

    staging = release.product.environments.get(key="staging")
    cell = selectors.pass_rates(release).cell("uat", staging.pk)

    assert (cell.passed, cell.not_run, cell.rate) == (1, 1, 50.0)


def test_pass_rate_trend_has_a_point_per_run_per_environment_oldest_first():
    release = make_release(template="patch")
    cases = _cases(release, "regression", "qa", 4)
    for days_ago, passing in ((3, 1), (2, 3), (1, 4)):
        _run(release, "qa", [(c, "passed" if i < passing else "failed")
                             for i, c in enumerate(cases)], days_ago=days_ago)
    _run(release, "staging", [(cases[0], "passed")])

    series = selectors.pass_rate_trend(release)

    rates = {env.key: [p.tally.rate for p in points] for env, points in series.items()}
    assert rates == {"qa": [25.0, 75.0, 100.0], "staging": [100.0]}
    assert selectors.pass_rate_trend(release, kind="uat") == {}


def test_pass_rate_chart_draws_a_line_per_environment_with_a_point_per_run():
    release = make_release(template="patch")
    cases = _cases(release, "regression", "qa", 2)
    _run(release, "qa", [(cases[0], "passed"), (cases[1], "failed")], days_ago=1, name="r1")
    _run(release, "qa", [(cases[0], "passed"), (cases[1], "passed")], name="r2")

    svg = pass_rate_chart_svg(selectors.pass_rate_trend(release))

    assert svg.startswith("<svg") and svg.count("<polyline") == 1
    assert svg.count("<circle") == 2
    assert "r1" in svg and "50.0%" in svg and "100.0%" in svg
    assert pass_rate_chart_svg({}) == ""


def test_test_plan_update_keeps_approach_and_test_data_and_refuses_a_stale_edit():
    from tminus.core.errors import Conflict

    release = make_release(template="patch")
    plan = services.test_plan_update(release=release, revision=None, actor=SYSTEM, changes={
        "approach": "QA for manual testing; staging for final validation.",
        "test_data": "Sample product catalog data.\nUser account data for placing orders."})

    with pytest.raises(Conflict):
        services.test_plan_update(release=release, revision=plan.revision - 1, actor=SYSTEM,
                                  changes={"test_data": "stale"})
    assert selectors.test_plan(release).test_data.startswith("Sample product catalog")


def test_load_test_record_judges_each_figure_against_its_target():
    release = make_release(template="patch")

    result = services.load_test_record(
        release=release, environment="staging", scenario="Checkout peak",
        requests_per_second=250, p95_latency_ms=620, error_rate_percent=0.5,
        target_requests_per_second=200, target_p95_latency_ms=500,
        target_error_rate_percent=1, actor=SYSTEM)

    assert [check["met"] for check in result.checks()] == [True, False, True]
    assert result.met is False


def test_load_test_record_with_an_error_rate_over_100_is_refused():
    release = make_release(template="patch")

    with pytest.raises(ValidationFailed, match="between 0 and 100"):
        services.load_test_record(release=release, environment="staging", scenario="x",
                                  requests_per_second=1, p95_latency_ms=1,
                                  error_rate_percent=140, actor=SYSTEM)

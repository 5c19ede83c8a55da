"""Rollout stages mapper: seed 004's stages become a staged rollout plan of the flag its toggle
table names; the export writes the live stage percentages and dates into the stage lines."""

import pytest

from tests.plans.helpers import import_plan, missing_lines, seed_text
from tminus.core.actors import Actor
from tminus.plans.exporting import export_markdown, plan_as_code
from tminus.releases.models import Release

pytestmark = pytest.mark.django_db
CLI = Actor.cli()
PLAN = seed_text("004").replace("| TBD | TBD |", "| form-1095b | Download the 1095-B form |")


@pytest.fixture
def flag():
    from tminus.flags import services

    project = services.project_create(key="va", name="VA.gov", actor=CLI)
    return services.flag_create(project=project, key="form-1095b", actor=CLI)


def _imported(text: str = PLAN, **kwargs) -> Release:
    return Release.objects.get(key=import_plan(text.encode(), **kwargs).release_key)


def test_seed_004_stages_become_a_rollout_plan_of_the_named_flag(flag):
    release = _imported()

    plan = release.rollout_plans.get()
    stages = [(s.name, s.percentage, f"{s.not_before:%m-%d}") for s in plan.stages.all()]
    assert stages == [("Canary", 10, "03-12"), ("50% of users", 50, "03-13"),
                      ("100% of users", 100, "03-14")]
    assert (plan.flag, plan.environment.key, plan.status) == (flag, "production", "draft")
    assert missing_lines(PLAN, export_markdown(release)) == []


def test_stage_changed_in_t_minus_is_written_into_its_planning_lines(flag):
    from tminus.rollouts import services

    release = _imported(key="va-rollout")
    plan = release.rollout_plans.get()
    definition = services.plan_definition(plan)
    definition["stages"][0]["percentage"] = 5
    services.rollout_plan_update(plan=plan, definition_data=definition, actor=CLI)

    exported = export_markdown(release)

    assert "- Percentage of Users: 5% of users" in exported
    assert "- Percentage of Users (and roughly how many users do you expect this to be): 50%" \
        in exported
    assert plan_as_code(release)["rollout_stages"][0]["stages"][0]["percentage"] == 5
    assert import_plan(PLAN.encode(), key="va-rollout").report["changes"] == [
        "updated the rollout plan of form-1095b"]


def test_stages_without_a_flag_plan_the_rollout_of_a_new_off_flag_with_a_warning():
    outcome = import_plan(seed_text("004").encode())

    plan = Release.objects.get(key=outcome.release_key).rollout_plans.get()
    assert plan.flag.key == outcome.release_key
    assert not plan.flag.states.filter(enabled=True).exists()
    assert [s.percentage for s in plan.stages.all()] == [10, 50, 100]
    assert any("name no feature flag" in w["message"] for w in outcome.report["warnings"])


def test_stage_results_measured_by_the_rollout_fill_the_unique_users_line(flag):
    from django.utils import timezone

    from tminus.rollouts.models import StageRun

    release = _imported()
    stage = release.rollout_plans.get().stages.get(name="Canary")
    StageRun.objects.create(plan=stage.plan, stage=stage, started_at=timezone.now(),
                            results={"unique_users": 1234, "exposures": 5000})

    exported = export_markdown(release)

    canary = exported[exported.index("### Stage A: Canary"):exported.index("### Stage B")]
    assert "- Number of unique users: 1,234" in canary
    assert "- Number of unique users: [FILL_IN]" in exported[exported.index("### Stage B"):]


CRITERIA_PLAN = """# Search rollout

Feature flag `new-search`.

## Rollout planning

- What criteria will you look at before advancing to the next stage?:
  - Percentage of download errors < 1%
  - [ ] error rate below 2%
  - Number of download clicks:
  - Click through rate above xx%
- Links to the dashboard(s) showing "success criteria" metrics:
  - [Dashboard 7](https://example.com/d/42)

### Stage A: Canary

#### Planning

- Percentage of Users: 10%
- Success criteria:
  - p95 latency under 300 ms

### Stage B: Everyone

#### Planning

- Percentage of Users: 100%

#### Results

- Metrics at this stage:
  - error rate below 9%
"""


def _criteria(plan) -> list[list[tuple]]:
    return [[(c.metric, c.aggregation, c.comparator, c.threshold) for c in s.criteria.all()]
            for s in plan.stages.all()]


def test_success_criteria_next_to_stages_become_criteria_of_those_stages():
    from tminus.metrics.models import Metric

    release = _imported(CRITERIA_PLAN)

    canary, everyone = _criteria(release.rollout_plans.get())
    shared = [("percentage_of_download_errors", "avg", "<", 1.0),
              ("error_rate", "avg", "<", 2.0)]
    assert canary == [*shared, ("p95_latency", "avg", "<", 300.0)]
    assert everyone == shared
    assert Metric.objects.get(key="p95_latency").unit == "ms"
    assert Metric.objects.get(key="percentage_of_download_errors").name == \
        "Percentage of download errors"


def test_criteria_without_a_threshold_stay_metrics_to_watch_with_nothing_invented():
    outcome = import_plan(CRITERIA_PLAN.encode())
    release = Release.objects.get(key=outcome.release_key)

    metrics = {c.metric for s in release.rollout_plans.get().stages.all()
               for c in s.criteria.all()}
    assert not any("click" in m or "dashboard" in m or "42" in m for m in metrics)
    watched = [r["became"] for r in outcome.report["lines"] if "metric to watch" in r["became"]]
    assert watched == ["metric to watch 'Number of download clicks' (no threshold)",
                       "metric to watch 'Click through rate above xx%' (no threshold)"]
    assert missing_lines(CRITERIA_PLAN, export_markdown(release)) == []


def test_stage_criteria_are_exported_and_a_reimport_changes_nothing():
    release = _imported(CRITERIA_PLAN, key="search")

    stages = plan_as_code(release)["rollout_stages"][0]["stages"]
    outcome = import_plan(CRITERIA_PLAN.encode(), key="search")

    assert stages[0]["criteria"][2] == {"metric": "p95_latency", "comparator": "<",
                                        "threshold": 300.0}
    assert "criteria" in stages[1]
    assert outcome.report["changes"] == []

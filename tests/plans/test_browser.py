"""The import preview in a real headless Chromium shows what a plan becomes before it is kept:
milestones with owners, rollout stages with their share, runbook steps, go/no-go criteria,
flags and people."""

import pytest

from tests.factories import PASSWORD
from tests.plans.helpers import CORPUS_DIR
from tminus.releases.models import Release

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def _allow_sync_orm_under_playwright(monkeypatch):
    # Playwright's sync API runs an event loop in this thread; the test's own ORM calls are
    # still synchronous, so Django's async guard must be told it is safe here.
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


def _preview(browser, live_server, manager, path):
    page = browser.new_page()
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("input[name=username]", manager.username)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.goto(f"{live_server.url}/plans/import")
    page.set_input_files("input[name=file]", str(path))
    page.click("form[enctype] button[type=submit]")
    page.wait_for_selector("#import-records")
    return page


def _kind(page, kind: str) -> str:
    return page.locator(f'#import-records [data-kind="{kind}"]').inner_text()


def test_preview_of_a_release_schedule_shows_milestones_with_owners_and_the_go_live(
        browser, live_server, manager):
    page = _preview(browser, live_server, manager, CORPUS_DIR / "09_k8s-1.27-release-schedule.md")

    milestones = _kind(page, "milestones")
    assert "Start of Release Cycle (2023-01-09, Lead)" in milestones
    assert "and 28 more" in milestones
    assert not Release.objects.exists()  # a preview keeps nothing

    page.click("#commit-import")
    page.wait_for_url("**/releases/**")
    assert Release.objects.get().go_live.isoformat() == "2023-04-11"
    page.close()


def test_preview_of_a_staged_rollout_shows_stages_flags_criteria_steps_and_people(
        browser, live_server, manager):
    page = _preview(browser, live_server, manager,
                    CORPUS_DIR / "01_va-686c-674-v2-release-plan.md")

    assert "25% of users" in _kind(page, "rollout_stages")
    assert "va_dependents_v2" in _kind(page, "flags")
    assert "Maximal payload PDF validated field by field" in _kind(page, "readiness_criteria")
    assert "Evan (Engineering" in _kind(page, "stakeholders")
    assert "Manual routing" in _kind(page, "kpis")
    page.close()

    page = _preview(browser, live_server, manager, CORPUS_DIR / "15_vagov-launch-runbook-2018.md")
    assert "Chris makes decision to roll back based on the data in the launch report (Chris)" \
        in _kind(page, "rollback")
    page.close()


STAGED_PLAN = """# Search rollout

Feature flag `new-search`.

## Rollout planning

- What criteria will you look at before advancing to the next stage?:
  - error rate below 2%

### Stage A: Canary

#### Planning

- Percentage of Users: 10%

## Success metrics

| Metric | Target | Baseline | Week 1 |
|---|---|---|---|
| Checkout error rate | < 1% | 2.5% | 1.4% |

## Go/No-Go

Decision: Conditional Go

- Support rota staffed
"""


def test_preview_shows_stage_criteria_kpi_baseline_and_readings_and_conditions_of_the_go(
        browser, live_server, manager, tmp_path):
    path = tmp_path / "search-rollout.md"
    path.write_text(STAGED_PLAN)
    page = _preview(browser, live_server, manager, path)

    assert "criteria: error_rate < 2" in _kind(page, "rollout_stages")
    assert "Checkout error rate: < 1% (baseline 2.5%, Week 1 1.4%)" in _kind(page, "kpis")
    assert "Support rota staffed" in _kind(page, "readiness_criteria")
    assert not Release.objects.exists()
    page.close()

"""The run page in a real headless Chromium follows the deployment as it happens."""

import pytest

from tests.factories import PASSWORD
from tminus.core.actors import Actor
from tminus.runbooks import services

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def _allow_sync_orm_under_playwright(monkeypatch):
    # Playwright's sync API runs an event loop in this thread; the test's own ORM calls are
    # still synchronous, so Django's async guard must be told it is safe here.
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


def test_run_page_shows_steps_recorded_elsewhere_without_a_reload(browser, live_server, settings,
                                                                  manager, open_gate):
    from tests.runbooks.conftest import release_at

    settings.RUN_POLL_SECONDS = 1
    release = release_at("ready")
    run = services.deployment_start(release=release, actor=Actor.cli())
    page = browser.new_page()
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("input[name=username]", manager.username)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.goto(f"{live_server.url}/releases/{release.key}/runbook/runs/{run.number}/")
    step = run.steps.order_by("phase_run__order", "order").first()
    row = page.locator(f"#step-{step.pk}")
    assert row.locator('[data-field="status"]').inner_text() == "Not started"

    # Someone else (a pipeline) records the step; the page must pick it up by polling.
    services.step_start(step=step, actor=Actor.cli())
    page.wait_for_function(
        # A function, not an expression: evaluating a string is eval, which the CSP forbids.
        f"() => document.querySelector('#step-{step.pk}').classList.contains('status-running')")
    assert row.locator('[data-field="status"]').inner_text() == "Running"
    assert row.locator(".when-running").is_visible()
    assert not row.locator(".when-pending").first.is_visible()

    # The person on the page finishes it with a failure; the phase turns Failed.
    row.locator(".when-running input[name=notes]").fill("Half the team missing")
    row.locator("button[value=failed]").click()
    page.wait_for_selector(f"#phase-{step.phase_run_id} .phase-failed")
    assert "Half the team missing" in page.locator(f"#step-{step.pk} .notes").inner_text()

    services.deployment_fail(release=release, reason="Team not ready", actor=Actor.cli())
    page.wait_for_function(
        "() => document.querySelector('[data-run=\"status\"]').textContent === 'Failed'")
    assert page.locator('[data-run="failure_reason"]').inner_text() == "Team not ready"
    page.close()

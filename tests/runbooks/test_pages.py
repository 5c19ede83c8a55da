import pytest
from django.urls import reverse

from tests.conftest import signed_in
from tests.runbooks.conftest import release_at
from tminus.core.actors import Actor
from tminus.people.models import Person
from tminus.releases import workflow
from tminus.runbooks import services
from tminus.runbooks.models import Rollback, RunbookRun, RunbookStep

pytestmark = pytest.mark.django_db
CLI = Actor.cli()


def _url(name, release, *args):
    return reverse(name, args=[release.key, *args])


def test_runbook_page_shows_phases_steps_and_the_start_form_to_a_manager(manager, ready_release):
    response = signed_in(manager).get(_url("runbooks-runbook", ready_release))

    html = response.content.decode()
    assert response.status_code == 200
    assert "Phase 1: Database migration" in html and "15-30 min" in html
    assert "Immediate checks (5 minutes)" in html
    assert "Start the deployment" in html


def test_runbook_page_as_viewer_shows_no_edit_or_start_controls(viewer, ready_release):
    html = signed_in(viewer).get(_url("runbooks-runbook", ready_release)).content.decode()

    assert "Phase 2: Application deployment" in html
    assert "Start the deployment" not in html and "Add a step" not in html


def test_runbook_page_of_an_unknown_release_is_404(viewer):
    assert signed_in(viewer).get("/releases/nope/runbook/").status_code == 404


def test_runbook_page_needs_sign_in(client, ready_release):
    response = client.get(_url("runbooks-runbook", ready_release))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_start_button_starts_a_run_and_lands_on_the_live_page(manager, ready_release):
    client = signed_in(manager)

    response = client.post(_url("runbooks-deployment-start", ready_release),
                           {"environment": "production"})

    assert response.status_code == 302
    assert response["Location"] == _url("runbooks-run", ready_release, 1)
    page = client.get(response["Location"]).content.decode()
    assert 'data-poll-url="/api/v1/releases/shop-1.1/runs/1"' in page
    assert "runbooks/run.js" in page
    assert RunbookRun.objects.get().environment == "production"


def test_start_refused_by_the_gate_shows_the_reason_and_starts_nothing(manager, ready_release,
                                                                       monkeypatch):
    monkeypatch.setattr(workflow, "_guards", [lambda r, to: "No Go decision yet."])
    client = signed_in(manager)

    response = client.post(_url("runbooks-deployment-start", ready_release), {}, follow=True)

    assert "No Go decision yet." in response.content.decode()
    assert not RunbookRun.objects.exists()


def test_start_as_contributor_is_forbidden(contributor, ready_release):
    response = signed_in(contributor).post(_url("runbooks-deployment-start", ready_release), {})
    assert response.status_code == 403
    assert not RunbookRun.objects.exists()


def test_step_buttons_record_start_and_failure_with_notes(manager, contributor, ready_release):
    run = services.deployment_start(release=ready_release, actor=CLI)
    step = run.steps.order_by("phase_run__order", "order").first()
    client = signed_in(contributor)
    base = ["runbooks-step-action", ready_release, run.number, step.pk]

    client.post(reverse(base[0], args=[ready_release.key, run.number, step.pk, "start"]), {})
    response = client.post(reverse(base[0], args=[ready_release.key, run.number, step.pk,
                                                  "finish"]),
                           {"outcome": "failed", "notes": "Bridge down"})

    step.refresh_from_db()
    assert response.status_code == 302 and response["Location"].endswith(f"#step-{step.pk}")
    assert (step.status, step.notes) == ("failed", "Bridge down")
    page = client.get(_url("runbooks-run", ready_release, run.number)).content.decode()
    assert 'class="phase-status phase-failed"' in page


def test_step_finish_before_start_on_the_page_shows_the_refusal(contributor, ready_release):
    run = services.deployment_start(release=ready_release, actor=CLI)
    step = run.steps.first()
    url = reverse("runbooks-step-action", args=[ready_release.key, run.number, step.pk, "finish"])

    response = signed_in(contributor).post(url, {"outcome": "succeeded"}, follow=True)

    assert "has not been started" in response.content.decode()
    step.refresh_from_db()
    assert step.status == "pending"


def test_step_action_as_viewer_is_forbidden(viewer, ready_release):
    run = services.deployment_start(release=ready_release, actor=CLI)
    url = reverse("runbooks-step-action",
                  args=[ready_release.key, run.number, run.steps.first().pk, "start"])
    assert signed_in(viewer).post(url, {}).status_code == 403


def test_finish_and_fail_buttons(manager, ready_release):
    client = signed_in(manager)
    services.deployment_start(release=ready_release, actor=CLI)
    client.post(_url("runbooks-deployment-fail", ready_release), {"reason": "Build broke"})
    services.deployment_start(release=ready_release, actor=CLI)

    response = client.post(_url("runbooks-deployment-finish", ready_release), {"notes": "ok"})

    assert response["Location"] == _url("runbooks-run", ready_release, 2)
    ready_release.refresh_from_db()
    assert ready_release.status == "live"
    assert list(RunbookRun.objects.order_by("number").values_list("status", flat=True)) == [
        "failed", "succeeded"]


def test_finish_without_a_run_on_the_page_shows_why(manager, ready_release):
    response = signed_in(manager).post(_url("runbooks-deployment-finish", ready_release), {},
                                       follow=True)
    assert "has started" in response.content.decode()


def test_step_add_edit_move_and_remove_through_the_pages(contributor, ready_release):
    client = signed_in(contributor)
    phase = ready_release.runbook.phases.get(name="Phase 4: Monitoring setup")
    person = Person.objects.create(name="Mo Monitor")

    client.post(_url("runbooks-step-add", ready_release),
                {"phase": phase.pk, "title": "Pager rota checked", "owner": f"person:{person.pk}",
                 "expected_minutes": "2"})
    step = RunbookStep.objects.get(title="Pager rota checked")
    edit = client.post(_url("runbooks-step-edit", ready_release, step.pk),
                       {"revision": step.revision, "title": "Pager rota confirmed",
                        "owner": "", "command": "pd oncall"})
    client.post(_url("runbooks-step-move", ready_release, step.pk), {"position": 0})

    step.refresh_from_db()
    assert edit.status_code == 302
    assert (step.title, step.owner_person, step.command, step.order) == (
        "Pager rota confirmed", None, "pd oncall", 0)
    client.post(_url("runbooks-step-remove", ready_release, step.pk))
    assert not RunbookStep.objects.filter(pk=step.pk).exists()


def test_step_edit_from_a_stale_copy_shows_the_conflict_on_the_form(contributor, ready_release):
    step = ready_release.runbook.phases.first().steps.first()
    services.runbook_step_update(step=step, revision=1, changes={"title": "Changed"}, actor=CLI)

    response = signed_in(contributor).post(_url("runbooks-step-edit", ready_release, step.pk),
                                           {"revision": 1, "title": "Mine"})

    assert response.status_code == 422
    assert "changed by someone else" in response.content.decode()
    step.refresh_from_db()
    assert step.title == "Changed"


def test_step_add_without_a_title_shows_the_error_and_adds_nothing(contributor, ready_release):
    phase = ready_release.runbook.phases.first()
    count = phase.steps.count()

    response = signed_in(contributor).post(_url("runbooks-step-add", ready_release),
                                           {"phase": phase.pk, "title": ""}, follow=True)

    assert "Title: This field is required." in response.content.decode()
    assert phase.steps.count() == count


def test_phase_add_and_edit_through_the_pages(contributor, ready_release):
    client = signed_in(contributor)
    client.post(_url("runbooks-phase-add", ready_release),
                {"name": "Phase 5: Feature flags on", "stage": "execution",
                 "expected_minutes_min": "5", "expected_minutes_max": "10"})
    phase = ready_release.runbook.phases.get(name="Phase 5: Feature flags on")

    response = client.post(_url("runbooks-phase-edit", ready_release, phase.pk),
                           {"revision": phase.revision, "name": phase.name, "stage": "post",
                            "expected_minutes_min": "20", "expected_minutes_max": "10"})

    assert response.status_code == 422
    assert "cannot be below the low one" in response.content.decode()
    phase.refresh_from_db()
    assert (phase.stage, phase.expected_minutes_min) == ("execution", 5)


def test_rollback_page_shows_criteria_procedure_and_the_execute_form(manager, db, open_gate):
    release = release_at("live")

    html = signed_in(manager).get(_url("runbooks-rollback", release)).content.decode()

    assert "Roll back now" in html and "Data corruption detected" in html
    assert "Consider rolling back" in html and "Performance degradation over 50%" in html
    assert "30 minutes" in html
    assert "Roll back: set the release to rolled back" in html


def test_rollback_button_sets_rolled_back_and_records_steps(manager, db, open_gate, events):
    release = release_at("live")
    steps = list(release.rollback_plan.steps.all())

    response = signed_in(manager).post(_url("runbooks-rollback-execute", release), {
        "reason": "Checkout failing", "criterion": "More than 50% of operations failing",
        "steps_done": [steps[0].pk, steps[2].pk]})

    assert response["Location"] == reverse("release-detail", args=[release.key])
    release.refresh_from_db()
    assert release.status == "rolled_back"
    rollback = Rollback.objects.get()
    assert [s["done"] for s in rollback.steps][:3] == [True, False, True]
    assert events.named("release.rolled_back")[0]["interface"] == "web"


def test_rollback_button_on_a_ready_release_is_refused_with_the_reason(manager, ready_release):
    response = signed_in(manager).post(_url("runbooks-rollback-execute", ready_release),
                                       {"reason": "x"}, follow=True)

    assert "cannot move to rolled back" in response.content.decode()
    assert not Rollback.objects.exists()


def test_rollback_plan_edit_and_team_through_the_pages(contributor, ready_release):
    client = signed_in(contributor)
    plan = ready_release.rollback_plan
    lead = Person.objects.create(name="Lena Lead")

    client.post(_url("runbooks-rollback-edit", ready_release),
                {"revision": plan.revision, "immediate_criteria": "Payments fail\n\nLogin fails",
                 "consider_criteria": "", "communication": "Tell support",
                 "estimated_minutes": "25"})
    client.post(_url("runbooks-rollback-team-add", ready_release),
                {"person": lead.pk, "role": "Lead"})
    client.post(_url("runbooks-rollback-step-add", ready_release), {"title": "Flag off"})

    plan.refresh_from_db()
    assert plan.immediate_criteria == ["Payments fail", "Login fails"]
    assert plan.consider_criteria == [] and plan.estimated_minutes == 25
    assert plan.team.get().role == "Lead"
    assert plan.steps.last().title == "Flag off"


def test_rollback_execute_as_contributor_is_forbidden(contributor, db, open_gate):
    release = release_at("live")
    response = signed_in(contributor).post(_url("runbooks-rollback-execute", release),
                                           {"reason": "x"})
    assert response.status_code == 403


def test_release_page_panel_shows_the_current_run(manager, ready_release):
    run = services.deployment_start(release=ready_release, environment="production", actor=CLI)
    services.deployment_fail(release=ready_release, reason="Smoke tests red", actor=CLI)

    html = signed_in(manager).get(reverse("release-detail", args=[ready_release.key]),
                                  {"tab": "deployment"}).content.decode()

    assert "Deployment day" in html
    assert f"#{run.number}</a> on production" in html
    assert "Smoke tests red" in html
    assert "Phase 1: Database migration" in html

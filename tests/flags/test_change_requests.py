"""Change requests on protected environments: requested, approved by someone else, applied
once through the same service; pages, API and CLI; the release's go/no-go lists them."""

from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from tests.conftest import signed_in
from tests.factories import make_release
from tests.flags.conftest import SYSTEM
from tminus.audit.models import AuditEvent
from tminus.core.actors import Actor
from tminus.core.errors import NotAllowed, TransitionNotAllowed, ValidationFailed
from tminus.flags import change_requests, services
from tminus.flags.models import ChangeRequest
from tminus.flags.permissions import ApprovalRequired
from tminus.readiness.selectors import gate_status

pytestmark = pytest.mark.django_db


@pytest.fixture
def protected(project):
    production = project.environments.get(key="production")
    return change_requests.environment_protection_set(
        environment=production, requires_approval=True, actor=SYSTEM)


def _production(flag):
    return flag.states.get(environment__key="production")


def _request_toggle(flag, user, enabled=True):
    return change_requests.submit("flag_environment_toggle", flag=flag,
                                  environment="production", enabled=enabled, reason="launch",
                                  actor=Actor(user, "web")).change_request


def test_a_toggle_in_a_protected_environment_becomes_an_open_request_and_changes_nothing(
        make_flag, contributor, protected):
    flag = make_flag("checkout")

    change = _request_toggle(flag, contributor)

    assert change.status == "open" and change.needs_approval
    assert change.summary == "Switch checkout on in shop/production"
    assert change.payload == {"flag": "checkout", "environment": "production",
                              "enabled": True, "reason": "launch"}
    assert not _production(flag).enabled
    assert not AuditEvent.objects.filter(action="flag.toggle").exists()


def test_a_toggle_in_an_unprotected_environment_applies_at_once(make_flag, contributor,
                                                                protected):
    flag = make_flag()
    submitted = change_requests.submit("flag_environment_toggle", flag=flag,
                                       environment="staging", enabled=True,
                                       actor=Actor(contributor, "web"))
    assert submitted.change_request is None
    assert flag.states.get(environment__key="staging").enabled


def test_calling_the_service_directly_on_a_protected_environment_is_refused(
        make_flag, contributor, protected):
    flag = make_flag()
    with pytest.raises(ApprovalRequired, match="need approval"):
        services.flag_environment_toggle(flag=flag, environment="production", enabled=True,
                                         actor=Actor(contributor, "api"))
    assert not _production(flag).enabled


def test_the_worker_is_not_held_up_by_approvals(make_flag, protected):
    flag = make_flag()
    services.flag_environment_toggle(flag=flag, environment="production", enabled=True,
                                     actor=Actor.worker())
    assert _production(flag).enabled


def test_approval_by_another_release_manager_applies_it_once_and_audits_both(
        make_flag, contributor, manager, protected):
    flag = make_flag("checkout")
    change = _request_toggle(flag, contributor)

    change_requests.change_request_approve(change=change, actor=Actor(manager, "web"),
                                           comment="go")

    change.refresh_from_db()
    assert change.status == "applied" and change.applied_at is not None
    assert _production(flag).enabled
    toggle = AuditEvent.objects.get(action="flag.toggle")
    assert toggle.actor_label == contributor.username
    assert f"change request #{change.pk}, approved by {manager.username}" in toggle.reason
    assert list(AuditEvent.objects.filter(object_type="flags.changerequest")
                .order_by("id").values_list("action", flat=True)) == [
        "flag_change_request.create", "flag_change_request.approve",
        "flag_change_request.apply"]
    with pytest.raises(TransitionNotAllowed, match="already applied"):
        change_requests.change_request_approve(change=change, actor=Actor(manager, "web"))
    assert AuditEvent.objects.filter(action="flag.toggle").count() == 1


def test_the_requester_cannot_approve_their_own_request(make_flag, manager, protected):
    change = _request_toggle(make_flag(), manager)
    with pytest.raises(NotAllowed, match="Someone else"):
        change_requests.change_request_approve(change=change, actor=Actor(manager, "web"))


def test_a_contributor_cannot_approve_when_the_approver_role_is_release_manager(
        make_flag, contributor, manager, protected):
    change = _request_toggle(make_flag(), manager)
    with pytest.raises(NotAllowed, match="release_manager or higher"):
        change_requests.change_request_approve(change=change, actor=Actor(contributor, "web"))


def test_rejection_changes_nothing_and_cannot_be_approved_after(
        make_flag, contributor, manager, admin_user, protected):
    flag = make_flag()
    change = _request_toggle(flag, contributor)

    change_requests.change_request_reject(change=change, actor=Actor(manager, "web"),
                                          comment="not today")

    assert ChangeRequest.objects.get().status == "rejected"
    with pytest.raises(TransitionNotAllowed):
        change_requests.change_request_approve(change=change, actor=Actor(admin_user, "web"))
    assert not _production(flag).enabled


def test_a_request_that_could_never_apply_is_refused_with_the_services_message(
        make_flag, contributor, protected):
    flag = make_flag()
    with pytest.raises(ValidationFailed) as refused:
        change_requests.submit("flag_variants_set", flag=flag, environment="production",
                               variants=[{"name": ""}], actor=Actor(contributor, "web"))
    assert "variants" in refused.value.errors
    assert not ChangeRequest.objects.exists()


def test_a_change_that_fails_when_approved_is_marked_failed_with_the_reason(
        make_flag, contributor, manager, protected):
    flag = make_flag()
    change = _request_toggle(flag, contributor)
    services.flag_archive(flag=flag, actor=SYSTEM)

    change_requests.change_request_approve(change=change, actor=Actor(manager, "web"))

    change.refresh_from_db()
    assert change.status == "failed" and "archived" in change.problem
    assert not _production(flag).enabled


def test_a_strategy_and_a_segment_used_in_production_also_need_approval(
        make_flag, contributor, manager, protected):
    flag = make_flag()
    segment = services.segment_create(name="beta", constraints=[], actor=SYSTEM)
    strategy = services.strategy_create(flag=flag, environment="production", name="default",
                                        segments=[segment.pk], actor=SYSTEM)
    actor = Actor(contributor, "web")

    edit = change_requests.submit("strategy_update", strategy=strategy,
                                  changes={"title": "everyone"}, actor=actor).change_request
    segment_change = change_requests.submit("segment_update", segment=segment,
                                            changes={"description": "opted in"},
                                            actor=actor).change_request

    assert edit.summary == "Change a strategy of new-checkout in shop/production"
    assert segment_change.summary == "Change the segment beta"
    change_requests.change_request_approve(change=segment_change, actor=Actor(manager, "api"))
    segment.refresh_from_db()
    assert segment.description == "opted in"


def test_go_no_go_lists_open_change_requests_of_the_releases_flags(
        make_flag, contributor, protected):
    release = make_release()
    flag = make_flag("checkout", release=release)
    change = _request_toggle(flag, contributor)

    gate = gate_status(release)

    assert gate["notes"] == [f"Flag change request #{change.pk}: Switch checkout on in "
                             f"shop/production, waits for approval (asked by "
                             f"{contributor.username})."]


def test_api_toggle_in_a_protected_environment_answers_202_and_approve_applies_it(
        api_as, make_flag, contributor, manager, protected):
    flag = make_flag("checkout")
    asked = api_as(contributor).post("/api/v1/flags/checkout/environments/production/toggle",
                                     {"enabled": True, "reason": "launch"})
    listed = api_as(manager).get("/api/v1/flags/change-requests?status=open").json()
    approved = api_as(manager).post(f"/api/v1/flags/change-requests/{asked.json()['id']}"
                                    "/approve", {"comment": "ok"})
    again = api_as(manager).post(f"/api/v1/flags/change-requests/{asked.json()['id']}"
                                 "/approve", {})

    assert asked.status_code == 202 and asked.json()["status"] == "open"
    assert [c["id"] for c in listed] == [asked.json()["id"]]
    assert approved.status_code == 200 and approved.json()["status"] == "applied"
    assert again.status_code == 409
    assert _production(flag).enabled


def test_api_change_request_with_unknown_operation_or_flag_is_refused(api_as, contributor,
                                                                      project):
    unknown = api_as(contributor).post("/api/v1/flags/change-requests",
                                       {"operation": "drop_table", "arguments": {"flag": "x"}})
    assert unknown.status_code == 404 and "No flag named 'x'" in unknown.json()["detail"]
    make = api_as(contributor).post("/api/v1/flags/change-requests",
                                    {"operation": "nope", "arguments": {}})
    assert make.status_code == 422 and "operation" in make.json()["errors"]


def test_api_protection_needs_manage_and_checks_the_role(api_as, contributor, manager,
                                                         project):
    path = "/api/v1/flags/projects/shop/environments/production/protection"
    refused = api_as(contributor).put(path, {"requires_approval": True})
    bad = api_as(manager).put(path, {"requires_approval": True, "approver_role": "viewer"})
    done = api_as(manager).put(path, {"requires_approval": True, "approver_role": "admin"})
    assert refused.status_code == 403
    assert bad.status_code == 422 and "approver_role" in bad.json()["errors"]
    assert done.json() == {"project": "shop", "environment": "production",
                           "requires_approval": True, "approver_role": "admin"}


def test_page_toggle_creates_a_request_that_the_change_page_approves(
        make_flag, contributor, manager, protected):
    flag = make_flag("checkout")
    asked = signed_in(contributor).post("/flags/f/checkout/production/toggle",
                                        {"enabled": "true",
                                         "revision": _production(flag).revision}, follow=True)
    change = ChangeRequest.objects.get()
    listing = signed_in(manager).get("/flags/changes/").content.decode()
    approved = signed_in(manager).post(f"/flags/changes/{change.pk}/decide",
                                       {"action": "approve"}, follow=True)

    assert f"Change request #{change.pk}" in asked.content.decode()
    assert "Switch checkout on in shop/production" in listing
    assert f"Change request #{change.pk} is applied." in approved.content.decode()
    assert _production(flag).enabled


def test_page_approval_of_ones_own_request_is_403(make_flag, manager, protected):
    change = _request_toggle(make_flag(), manager)
    answer = signed_in(manager).post(f"/flags/changes/{change.pk}/decide",
                                     {"action": "approve"})
    assert answer.status_code == 403


def test_project_page_protects_an_environment(manager, project):
    answer = signed_in(manager).post("/flags/projects/shop/environments/staging/protection",
                                     {"requires_approval": "on", "approver_role": "admin"})
    staging = project.environments.get(key="staging")
    assert answer.status_code == 302
    assert staging.requires_approval and staging.approver_role == "admin"


def test_commands_protect_request_and_approve(make_flag, contributor, manager):
    flag = make_flag("checkout")
    out = StringIO()
    call_command("flags", "protect", "--project", "shop", "--environment", "production",
                 stdout=out)
    call_command("flags", "--as", contributor.username, "change", "request",
                 "flag_environment_toggle",
                 '{"flag": "checkout", "environment": "production", "enabled": true}',
                 stdout=out)
    change = ChangeRequest.objects.get()
    with pytest.raises(CommandError, match="needs a person"):
        call_command("flags", "change", "approve", str(change.pk))
    call_command("flags", "--as", manager.username, "change", "approve", str(change.pk),
                 stdout=out)

    assert "shop/production: needs approval by release_manager or higher." in out.getvalue()
    assert f"{change.pk}\tapplied\tSwitch checkout on" in out.getvalue()
    assert _production(flag).enabled


def test_segment_page_change_to_a_segment_used_in_production_becomes_a_request(
        make_flag, contributor, protected):
    segment = services.segment_create(name="beta", constraints=[], actor=SYSTEM)
    services.strategy_create(flag=make_flag(), environment="production", name="default",
                             segments=[segment.pk], actor=SYSTEM)
    answer = signed_in(contributor).post(f"/flags/segments/{segment.pk}/", {
        "name": "beta", "description": "opted in",
        "constraints": '[{"contextName": "plan", "operator": "IN", "values": ["beta"]}]',
        "revision": segment.revision}, follow=True)
    segment.refresh_from_db()
    assert "waits for approval" in answer.content.decode()
    assert segment.description == "" and ChangeRequest.objects.get().operation == "segment_update"

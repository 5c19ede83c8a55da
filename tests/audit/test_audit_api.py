"""GET /api/v1/audit, the audit page and `tminus audit`: filters, pages, permissions."""

from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import timezone

from tests.conftest import signed_in
from tminus.accounts.services import token_create
from tminus.audit.models import AuditEvent
from tminus.core.actors import Actor
from tminus.flags import services

pytestmark = pytest.mark.django_db
SYSTEM = Actor.cli()


@pytest.fixture
def flags(admin_user):
    project = services.project_create(key="shop", actor=SYSTEM)
    flag = services.flag_create(project=project, key="checkout", actor=SYSTEM)
    services.flag_environment_toggle(flag=flag, environment="production", enabled=True,
                                     actor=Actor(admin_user, "web"))
    services.flag_environment_toggle(flag=flag, environment="staging", enabled=True,
                                     actor=SYSTEM)
    return flag


def test_it_filters_flag_toggles_by_project_environment_actor_and_interface(
        api_as, viewer, admin_user, flags):
    answer = api_as(viewer).get("/api/v1/audit?kind=flag.toggle&project=shop"
                                f"&environment=production&actor={admin_user.username}"
                                "&interface=web")

    assert answer.status_code == 200
    body = answer.json()
    assert body["count"] == 1
    item = body["items"][0]
    assert (item["action"], item["object"], item["environment"], item["after"]["enabled"]) == (
        "flag.toggle", "checkout", "production", True)


def test_it_matches_a_kind_by_its_first_part_and_an_object_by_name(api_as, viewer, flags):
    body = api_as(viewer).get("/api/v1/audit?kind=flag&object=checkout").json()
    assert sorted(i["action"] for i in body["items"]) == ["flag.create", "flag.toggle",
                                                         "flag.toggle"]


def test_it_pages_newest_first(api_as, viewer, flags):
    first = api_as(viewer).get("/api/v1/audit?object_type=flags.flag&limit=2").json()
    second = api_as(viewer).get("/api/v1/audit?object_type=flags.flag&limit=2&offset=2").json()
    assert first["count"] == 3 and len(first["items"]) == 2 and len(second["items"]) == 1
    assert second["items"][0]["action"] == "flag.create"


def test_it_limits_entries_to_a_time_window(api_as, viewer, flags):
    AuditEvent.objects.filter(action="flag.create").update(
        created_at=timezone.now() - timedelta(days=3))
    since = (timezone.now() - timedelta(days=1)).isoformat().replace("+", "%2B")
    body = api_as(viewer).get(f"/api/v1/audit?object_type=flags.flag&since={since}").json()
    assert body["count"] == 2


def test_it_answers_422_per_field_for_a_bad_date_and_a_reversed_window(api_as, viewer):
    bad = api_as(viewer).get("/api/v1/audit?since=yesterdayish&interface=fax")
    reversed_window = api_as(viewer).get(
        "/api/v1/audit?since=2026-02-01T00:00:00Z&until=2026-01-01T00:00:00Z")
    assert bad.status_code == 422 and {"since", "interface"} <= set(bad.json()["errors"])
    assert reversed_window.status_code == 422 and "until" in reversed_window.json()["errors"]


def test_it_shows_changes_to_people_and_tokens_only_to_administrators(
        api_as, viewer, admin_user):
    token_create(user=viewer, name="script", actor=Actor.cli())

    as_viewer = api_as(viewer).get("/api/v1/audit?object_type=accounts.apitoken").json()
    as_admin = api_as(admin_user).get("/api/v1/audit?object_type=accounts.apitoken").json()

    assert as_viewer["count"] == 0 and as_admin["count"] >= 1


def test_it_refuses_callers_without_a_token(client):
    assert client.get("/api/v1/audit").status_code == 401


def test_audit_page_lists_filtered_changes(viewer, flags):
    page = signed_in(viewer).get("/audit/?kind=flag.toggle&environment=staging")
    text = page.content.decode()
    assert page.status_code == 200
    assert "1 change." in text and "shop/staging" in text and "shop/production" not in text


def test_audit_page_with_a_bad_date_answers_422_with_the_field_error(viewer):
    page = signed_in(viewer).get("/audit/?since=not-a-date")
    assert page.status_code == 422 and "Enter a valid date/time" in page.content.decode()


def test_audit_command_prints_the_filtered_changes(flags):
    out = StringIO()
    call_command("audit", "--kind", "flag.toggle", "--environment", "production", stdout=out)
    lines = out.getvalue().splitlines()
    assert len(lines) == 1 and "flag.toggle\tcheckout\tshop/production" in lines[0]


def test_audit_command_refuses_an_unreadable_date():
    with pytest.raises(Exception, match="not a date and time"):
        call_command("audit", "--since", "the day after")

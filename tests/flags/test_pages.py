from datetime import timedelta

import pytest
from django.utils import timezone
from django.utils.html import escape

from tests.conftest import signed_in
from tests.factories import make_release
from tests.flags.conftest import SYSTEM
from tminus.core.web import WITHOUT_REVISION
from tminus.flags import services
from tminus.flags.models import ClientToken, Flag, Strategy

pytestmark = pytest.mark.django_db


def test_flags_home_lists_projects_and_is_in_the_nav(project, viewer):
    page = signed_in(viewer).get("/flags/")

    assert page.status_code == 200
    assert b'href="/flags/projects/shop/"' in page.content
    assert b'<a href="/flags/">Flags</a>' in page.content


def test_flags_pages_need_sign_in(project):
    from django.test import Client

    assert Client().get("/flags/projects/shop/").status_code == 302


def test_project_page_shows_each_flag_state_per_environment(project, make_flag, viewer):
    flag = make_flag("checkout-v2")
    services.flag_environment_toggle(flag=flag, environment="staging", enabled=True,
                                     actor=SYSTEM)

    page = signed_in(viewer).get("/flags/projects/shop/").content.decode()

    row = page[page.index('id="flag-checkout-v2"'):]
    row = row[:row.index("</tr>")]
    assert row.count('class="toggle on"') == 1
    assert row.count('class="toggle off"') == 2
    assert "<form" not in row  # a viewer sees the state but cannot switch it


def test_project_page_runs_a_fixed_number_of_queries(project, viewer,
                                                     django_assert_max_num_queries):
    client = signed_in(viewer)
    for index in range(2):
        services.flag_create(project=project, key=f"a-{index}", actor=SYSTEM)
    with django_assert_max_num_queries(12) as few:
        client.get("/flags/projects/shop/")
    for index in range(18):
        services.flag_create(project=project, key=f"b-{index}", actor=SYSTEM)
    with django_assert_max_num_queries(len(few.captured_queries)):
        page = client.get("/flags/projects/shop/")
    assert page.content.count(b'class="toggle off"') == 60


def test_toggle_from_the_project_page_switches_the_flag_on(project, make_flag, contributor):
    flag = make_flag("checkout-v2")

    response = signed_in(contributor).post(
        "/flags/f/checkout-v2/production/toggle",
        {"enabled": "true", "revision": _revision(flag), "next": "/flags/projects/shop/"})

    assert response.status_code == 302
    assert response["Location"] == "/flags/projects/shop/"
    assert flag.states.get(environment__key="production").enabled


def _revision(flag, environment="production") -> int:
    return flag.states.get(environment__key=environment).revision


def _hidden_revisions(page: str, action: str) -> list[str]:
    """The revision each form posting to `action` carries."""
    forms = page.split(f'action="{action}"')[1:]
    return [form[:form.index("</form>")].split('name="revision" value="')[1].split('"')[0]
            for form in forms]


def test_project_and_flag_pages_toggle_forms_carry_the_state_revision(
        project, make_flag, contributor):
    flag = make_flag("checkout-v2")
    services.flag_environment_toggle(flag=flag, environment="production", enabled=True,
                                     actor=SYSTEM)
    services.flag_environment_toggle(flag=flag, environment="production", enabled=False,
                                     actor=SYSTEM)
    client = signed_in(contributor)
    action = "/flags/f/checkout-v2/production/toggle"

    listed = _hidden_revisions(client.get("/flags/projects/shop/").content.decode(), action)
    detail = client.get("/flags/f/checkout-v2/").content.decode()

    assert listed == [str(_revision(flag))]
    assert _hidden_revisions(detail, action) == [str(_revision(flag))]
    assert _hidden_revisions(detail, "/flags/f/checkout-v2/production/variants") == [
        str(_revision(flag))]


def test_toggle_without_a_revision_is_refused_and_changes_nothing(project, make_flag,
                                                                   contributor):
    flag = make_flag("checkout-v2")

    page = signed_in(contributor).post("/flags/f/checkout-v2/production/toggle",
                                       {"enabled": "true"}, follow=True).content.decode()

    assert escape(WITHOUT_REVISION) in page
    assert not flag.states.get(environment__key="production").enabled


def test_toggle_from_a_stale_page_is_refused_and_changes_nothing(project, make_flag,
                                                                 contributor):
    flag = make_flag("checkout-v2")
    shown = _revision(flag)
    services.flag_variants_set(flag=flag, environment="production", actor=SYSTEM,
                               variants=[{"name": "blue", "weight": 1000}])

    page = signed_in(contributor).post("/flags/f/checkout-v2/production/toggle",
                                       {"enabled": "true", "revision": shown},
                                       follow=True).content.decode()

    assert (f"you edited revision {shown}, it is now at revision {shown + 1}") in page
    assert "Reload the page to see the current state." in page
    assert not flag.states.get(environment__key="production").enabled


def test_toggle_with_a_revision_that_is_not_a_number_is_refused_as_without_one(
        project, make_flag, contributor):
    flag = make_flag("checkout-v2")

    page = signed_in(contributor).post("/flags/f/checkout-v2/production/toggle",
                                       {"enabled": "true", "revision": "latest"},
                                       follow=True)

    assert page.status_code == 200
    assert escape(WITHOUT_REVISION) in page.content.decode()
    assert not flag.states.get(environment__key="production").enabled


@pytest.mark.parametrize("revision", [None, "stale"])
def test_variants_form_without_or_with_a_stale_revision_changes_nothing(
        project, make_flag, contributor, revision):
    flag = make_flag("checkout-v2")
    shown = _revision(flag)
    services.flag_environment_toggle(flag=flag, environment="production", enabled=True,
                                     actor=SYSTEM)
    form = {"variants": '[{"name": "blue", "weight": 1000}]'}
    if revision == "stale":
        form["revision"] = shown

    page = signed_in(contributor).post("/flags/f/checkout-v2/production/variants", form,
                                       follow=True).content.decode()

    expected = (escape(WITHOUT_REVISION) if revision is None
                else f"you edited revision {shown}, it is now at revision {shown + 1}")
    assert expected in page
    assert flag.states.get(environment__key="production").variants == []


def test_toggle_by_a_viewer_is_forbidden(project, make_flag, viewer):
    flag = make_flag("checkout-v2")

    response = signed_in(viewer).post("/flags/f/checkout-v2/production/toggle",
                                      {"enabled": "true"})

    assert response.status_code == 403
    assert not flag.states.filter(enabled=True).exists()


def test_flag_page_shows_strategies_history_and_potentially_stale_badge(make_flag, viewer):
    flag = make_flag("checkout-v2", flag_type="operational")
    services.flag_rollout_percentage_set(flag=flag, environment="production", percentage=10,
                                         actor=SYSTEM, reason="canary")
    Flag.objects.filter(pk=flag.pk).update(created_at=timezone.now() - timedelta(days=8))

    page = signed_in(viewer).get("/flags/f/checkout-v2/").content.decode()

    assert 'id="stale-badge"' in page
    assert "rollout=10" in page
    assert "flag.strategy_create" in page
    assert "Reason: canary" in page


def test_flag_page_of_a_young_release_flag_has_no_stale_badge(make_flag, viewer):
    make_flag("checkout-v2")

    assert b'id="stale-badge"' not in signed_in(viewer).get("/flags/f/checkout-v2/").content


def test_strategy_editor_adds_a_rollout_with_a_constraint(make_flag, contributor):
    flag = make_flag("checkout-v2")

    response = signed_in(contributor).post("/flags/f/checkout-v2/production/strategies/new", {
        "name": "flexibleRollout", "rollout": "25", "stickiness": "userId", "group_id": "",
        "c-TOTAL_FORMS": "2", "c-INITIAL_FORMS": "0",
        "c-0-context_name": "country", "c-0-operator": "IN", "c-0-values": "NO, SE",
        "c-1-context_name": "", "c-1-operator": "IN"})

    assert response.status_code == 302
    strategy = Strategy.objects.get(state__flag=flag)
    assert strategy.parameters == {"rollout": "25", "stickiness": "userId",
                                   "groupId": "checkout-v2"}
    assert strategy.constraints == [{"contextName": "country", "operator": "IN",
                                     "values": ["NO", "SE"], "inverted": False,
                                     "caseInsensitive": False}]


@pytest.mark.parametrize(("fields", "message"), [
    ({"rollout": "abc"}, b"rollout"),
    ({"c-0-context_name": "email", "c-0-operator": "REGEX", "c-0-values": "(oops"}, b"regex"),
])
def test_strategy_editor_refuses_a_bad_definition_with_the_message(make_flag, contributor,
                                                                   fields, message):
    make_flag("checkout-v2")
    data = {"name": "flexibleRollout", "rollout": "50", "stickiness": "default",
            "c-TOTAL_FORMS": "1", "c-INITIAL_FORMS": "0", "c-0-operator": "IN", **fields}

    response = signed_in(contributor).post("/flags/f/checkout-v2/production/strategies/new",
                                           data)

    assert response.status_code == 422
    assert message in response.content
    assert not Strategy.objects.exists()


def test_strategy_editor_edits_an_existing_strategy(make_flag, contributor):
    flag = make_flag("checkout-v2")
    strategy = services.strategy_create(flag=flag, environment="production", name="userWithId",
                                        parameters={"userIds": "1,2"}, actor=SYSTEM)
    client = signed_in(contributor)
    url = f"/flags/f/checkout-v2/production/strategies/{strategy.pk}/"

    form = client.get(url)
    response = client.post(url, {"name": "userWithId", "user_ids": "1, 2\n3",
                                 "revision": strategy.revision,
                                 "c-TOTAL_FORMS": "0", "c-INITIAL_FORMS": "0"})

    assert b"1,2</textarea>" in form.content
    assert response.status_code == 302
    strategy.refresh_from_db()
    assert strategy.parameters == {"userIds": "1,2,3"}


def test_who_gets_what_shows_the_answer_and_matching_strategy_per_environment(make_flag,
                                                                              viewer):
    flag = make_flag("checkout-v2")
    services.flag_environment_toggle(flag=flag, environment="production", enabled=True,
                                     actor=SYSTEM)
    services.strategy_create(flag=flag, environment="production", name="default",
                             constraints=[{"contextName": "country", "operator": "IN",
                                           "values": ["NO"]}], actor=SYSTEM)
    services.strategy_create(flag=flag, environment="production", name="userWithId",
                             parameters={"userIds": "42"}, actor=SYSTEM)

    page = signed_in(viewer).get("/flags/f/checkout-v2/", {
        "userId": "42", "properties": "country=SE"}).content.decode()

    production = page[page.index('class="verdict-production"'):]
    production = production[:production.index("</tr>")]
    assert "On" in production
    assert "strategy 2 (userWithId) matched" in production
    development = page[page.index('class="verdict-development"'):]
    assert "switched off in this environment" in development[:development.index("</tr>")]


def test_archive_then_revive_from_the_flag_page(make_flag, contributor):
    flag = make_flag("checkout-v2")
    client = signed_in(contributor)

    client.post("/flags/f/checkout-v2/archive", {"reason": "done"})
    flag.refresh_from_db()
    assert flag.archived_at is not None
    client.post("/flags/f/checkout-v2/archive", {"revive": "1"})
    flag.refresh_from_db()
    assert flag.archived_at is None


def test_release_page_panel_lists_the_flags_linked_to_the_release(make_flag, viewer):
    release = make_release()
    make_flag("checkout-v2", release=release)
    make_flag("unrelated")

    page = signed_in(viewer).get(f"/releases/{release.key}/?tab=deployment").content.decode()

    panel = page[page.index("panel-flags"):]
    assert "checkout-v2" in panel
    assert "unrelated" not in panel


def test_token_page_shows_a_new_token_once(project, manager):
    client = signed_in(manager)

    client.post("/flags/tokens/", {"name": "checkout", "kind": "client", "projects": "shop",
                                   "environment": "production"})
    first = client.get("/flags/tokens/").content.decode()
    second = client.get("/flags/tokens/").content.decode()

    assert 'id="new-token"' in first
    assert 'id="new-token"' not in second
    assert ClientToken.objects.get().name == "checkout"


def test_token_page_is_forbidden_for_contributors(project, contributor):
    assert signed_in(contributor).get("/flags/tokens/").status_code == 403


def test_segment_page_refuses_constraints_that_are_not_json(contributor, db):
    response = signed_in(contributor).post("/flags/segments/new", {
        "name": "beta", "constraints": "[{oops"})

    assert response.status_code == 422
    assert b"not JSON" in response.content

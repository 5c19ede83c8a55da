import pytest

from tests.factories import ProductFactory
from tests.outcomes.conftest import live_release
from tests.support.edit_rules import assert_edit_rules_hold
from tminus.core.actors import Actor
from tminus.outcomes import services
from tminus.outcomes.models import Kpi, KpiCheckin, SignOff

pytestmark = pytest.mark.django_db


def test_api_kpi_create_and_checkin_then_read_back_with_verdicts(api_as, manager):
    release = live_release()
    api = api_as(manager)

    created = api.post(f"/api/v1/releases/{release.key}/kpis",
                       {"target": "page load under 2 s", "owner": manager.username})
    assert created.status_code == 201, created.content
    kpi = created.json()
    assert (kpi["comparator"], kpi["target_value"], kpi["unit"]) == ("<", 2, "s")
    assert kpi["schedule"] == "daily:7,weekly:4"

    reading = api.post(f"/api/v1/kpis/{kpi['id']}/checkins", {"value": "1400ms", "slot": "day-1"})
    assert reading.status_code == 201, reading.content
    assert (reading.json()["value"], reading.json()["verdict"]) == (1.4, "met")

    detail = api.get(f"/api/v1/kpis/{kpi['id']}").json()
    assert detail["status"] == "met"
    assert [c["slot"] for c in detail["checkins"]] == ["day-1"]
    tables = api.get(f"/api/v1/releases/{release.key}/kpi-tables").json()
    assert tables[0]["rows"][0]["cells"][0] == {"kpi": "page-load", "state": "met",
                                                "value": 1.4, "error": ""}


def test_api_kpi_with_a_target_that_does_not_parse_answers_422_and_saves_nothing(
        api_as, manager):
    response = api_as(manager).post(f"/api/v1/releases/{live_release().key}/kpis",
                                    {"target": "fast", "name": "Speed"})
    assert response.status_code == 422
    assert "no number" in response.json()["errors"]["target"][0]
    assert not Kpi.objects.exists()


def test_api_checkin_with_a_value_of_the_wrong_unit_answers_422_and_saves_nothing(
        api_as, manager):
    kpi = services.kpi_create(release=live_release(), target="95% uptime", actor=Actor.cli())
    response = api_as(manager).post(f"/api/v1/kpis/{kpi.pk}/checkins", {"value": "3 s"})
    assert response.status_code == 422
    assert "measured in %" in response.json()["errors"]["value"][0]
    assert not KpiCheckin.objects.exists()


def test_api_kpi_create_by_a_viewer_is_forbidden(api_as, viewer):
    response = api_as(viewer).post(f"/api/v1/releases/{live_release().key}/kpis",
                                   {"target": "95% uptime"})
    assert response.status_code == 403


def test_api_product_kpi_for_the_roadmap(api_as, manager):
    product = ProductFactory(key="shop")
    response = api_as(manager).post("/api/v1/products/shop/kpis",
                                    {"target": "500+ registered users in the first month",
                                     "starts_on": "2026-01-15"})
    assert response.status_code == 201, response.content
    assert response.json()["product"] == "shop"
    assert [k["key"] for k in api_as(manager).get("/api/v1/products/shop/kpis").json()] == [
        "registered-users"]
    assert product.kpis.count() == 1


def test_api_review_answer_lesson_and_sign(api_as, manager, viewer):
    release = live_release()
    api = api_as(manager)
    question = api.get(f"/api/v1/releases/{release.key}/review").json()["questions"][0]

    answered = api.patch(f"/api/v1/review-questions/{question['id']}",
                         {"answer": "Met", "revision": question["revision"]})
    lesson = api.post(f"/api/v1/releases/{release.key}/lessons",
                      {"kind": "went_well", "text": "Calm deployment"})
    sponsor = SignOff.objects.get(release=release, role="Business Sponsor")
    api.patch(f"/api/v1/signoffs/{sponsor.pk}",
              {"assignee": viewer.username, "revision": sponsor.revision})
    signed = api_as(viewer).post(f"/api/v1/signoffs/{sponsor.pk}/sign", {"comment": "ok"})

    assert answered.json()["answered_by"] == manager.username
    assert lesson.status_code == 201
    assert signed.status_code == 200, signed.content
    assert signed.json()["signed_by"] == viewer.username
    review = api.get(f"/api/v1/releases/{release.key}/review").json()
    assert next(h["text"] for h in review["handoff"]) == (
        "Code ownership transferred to maintenance team")


def test_api_sign_by_someone_not_named_is_forbidden(api_as, viewer, contributor):
    sponsor = SignOff.objects.get(release=live_release(), role="Business Sponsor")
    services.signoff_assign(signoff=sponsor, assignee=viewer, revision=None, actor=Actor.cli())
    response = api_as(contributor).post(f"/api/v1/signoffs/{sponsor.pk}/sign", {})
    assert response.status_code == 403


def test_api_save_as_template(api_as, manager):
    release = live_release()
    response = api_as(manager).post(f"/api/v1/releases/{release.key}/save-as-template",
                                    {"name": "Shop go-live"})
    assert response.status_code == 201, response.content
    assert response.json()["key"] == "shop-go-live"
    assert response.json()["definition"]["outcomes"]["signoff_roles"][0] == "Project Manager"


def test_api_kpi_patch_keeps_the_edit_rules_and_refuses_a_too_long_name(api_as, manager):
    kpi = services.kpi_create(release=live_release(), target="95% uptime", actor=Actor.cli())
    api = api_as(manager)
    path = f"/api/v1/kpis/{kpi.pk}"

    assert_edit_rules_hold(api, path, revision=kpi.revision, null_field="query",
                           change={"schedule": "daily:3"})
    too_long = api.patch(path, {"revision": kpi.revision, "name": "n" * 201})

    assert too_long.status_code == 422
    assert too_long.json()["errors"] == {"name": ["At most 200 characters."]}
    kpi.refresh_from_db()
    assert (kpi.name, kpi.schedule, kpi.revision) == ("Uptime", "", 1)

import pytest

from tests.flags.conftest import SYSTEM
from tminus.flags import services

pytestmark = pytest.mark.django_db


def test_api_toggle_and_rollout_change_the_flag_and_answer_its_state(make_flag, api_as,
                                                                     contributor):
    make_flag("checkout-v2")
    api = api_as(contributor)

    api.post("/api/v1/flags/checkout-v2/environments/production/toggle", {"enabled": True})
    response = api.post("/api/v1/flags/checkout-v2/environments/production/rollout",
                        {"percentage": 10, "reason": "canary"})

    assert response.status_code == 200
    production = next(e for e in response.json()["environments"] if e["key"] == "production")
    assert production["enabled"] is True
    assert production["strategies"][0]["parameters"]["rollout"] == "10"


def test_api_rollout_outside_0_to_100_is_refused_with_422(make_flag, api_as, contributor):
    make_flag("checkout-v2")

    response = api_as(contributor).post(
        "/api/v1/flags/checkout-v2/environments/production/rollout", {"percentage": 150})

    assert response.status_code == 422
    assert "percentage" in response.json()["errors"]


def test_api_strategy_with_a_bad_regex_is_refused_with_the_message(make_flag, api_as,
                                                                    contributor):
    make_flag("checkout-v2")

    response = api_as(contributor).post(
        "/api/v1/flags/checkout-v2/environments/production/strategies",
        {"name": "default", "constraints": [
            {"contextName": "email", "operator": "REGEX", "value": "[a-"}]})

    assert response.status_code == 422
    assert "regex" in response.json()["detail"]


def test_api_toggle_by_a_viewer_is_forbidden(make_flag, api_as, viewer):
    flag = make_flag("checkout-v2")

    response = api_as(viewer).post("/api/v1/flags/checkout-v2/environments/production/toggle",
                                   {"enabled": True})

    assert response.status_code == 403
    assert not flag.states.filter(enabled=True).exists()


def test_api_flag_list_shows_each_environment_state(make_flag, api_as, viewer):
    flag = make_flag("checkout-v2")
    services.flag_environment_toggle(flag=flag, environment="staging", enabled=True,
                                     actor=SYSTEM)

    rows = api_as(viewer).get("/api/v1/flags/projects/shop/flags").json()

    assert rows == [{"key": "checkout-v2", "type": "release", "description": "",
                     "potentially_stale": False, "archived": False, "release": None,
                     "environments": {"development": False, "staging": True,
                                      "production": False}}]


def test_api_unknown_flag_is_404(api_as, viewer):
    assert api_as(viewer).get("/api/v1/flags/nope").status_code == 404

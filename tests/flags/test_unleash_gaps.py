"""Unleash compatibility: tag and namePrefix filters, gzip, and the frontend API's ETag, /all and
/features/{name}, through plain HTTP and the stock Python SDK."""

import gzip
import json

import pytest
import requests
from django.test import Client, override_settings
from UnleashClient import UnleashClient
from UnleashClient.utils import InstanceAllowType

from tests.flags.conftest import SYSTEM, wait_for
from tminus.flags import services


@pytest.fixture
def tagged_flags(project, make_flag):
    """checkout-a (tag team:checkout, on), checkout-b (no tag), search-x (tag team:checkout)."""
    flags = {key: make_flag(key) for key in ("checkout-a", "checkout-b", "search-x")}
    services.flag_tags_set(flag=flags["checkout-a"], tags=["team:checkout"], actor=SYSTEM)
    services.flag_tags_set(flag=flags["search-x"], tags=["team:checkout", "simple:x"],
                           actor=SYSTEM)
    services.flag_environment_toggle(flag=flags["checkout-a"], environment="production",
                                     enabled=True, actor=SYSTEM)
    return flags


def names(response) -> list[str]:
    return [feature["name"] for feature in json.loads(response.content)["features"]]


def test_client_features_tag_filter_keeps_flags_with_any_of_the_tags(client_token, tagged_flags):
    sdk = Client(HTTP_AUTHORIZATION=client_token())

    assert names(sdk.get("/api/client/features?tag=team:checkout")) == ["checkout-a", "search-x"]
    assert names(sdk.get("/api/client/features?tag=simple:x&tag=team:none")) == ["search-x"]
    assert names(sdk.get("/api/client/features?tag=team:checkout&namePrefix=check")) == [
        "checkout-a"]
    assert names(sdk.get("/api/client/features?namePrefix=checkout-")) == [
        "checkout-a", "checkout-b"]


def test_client_features_tag_filter_without_a_type_is_refused_with_a_message(client_token,
                                                                             tagged_flags):
    response = Client(HTTP_AUTHORIZATION=client_token()).get("/api/client/features?tag=oops")

    assert response.status_code == 400
    assert "type:value" in response.json()["details"]["tag"]


def test_a_tag_change_makes_filtered_pollers_see_the_flag_at_their_next_poll(client_token,
                                                                             tagged_flags):
    sdk = Client(HTTP_AUTHORIZATION=client_token())
    first = sdk.get("/api/client/features?tag=simple:new")
    assert names(first) == []

    services.flag_tags_set(flag=tagged_flags["checkout-b"], tags=["simple:new"], actor=SYSTEM)

    again = sdk.get("/api/client/features?tag=simple:new", HTTP_IF_NONE_MATCH=first["ETag"])
    assert again.status_code == 200 and names(again) == ["checkout-b"]


def test_large_features_answer_is_gzipped_when_accepted_and_plain_otherwise(client_token,
                                                                            make_flag):
    for number in range(40):
        make_flag(f"flag-{number:03}")
    sdk = Client(HTTP_AUTHORIZATION=client_token())

    zipped = sdk.get("/api/client/features", HTTP_ACCEPT_ENCODING="gzip, deflate")
    plain = sdk.get("/api/client/features", HTTP_ACCEPT_ENCODING="gzip;q=0, identity")

    assert zipped["Content-Encoding"] == "gzip" and "Accept-Encoding" in zipped["Vary"]
    assert gzip.decompress(zipped.content) == plain.content
    assert len(zipped.content) * 4 < len(plain.content)
    assert not plain.has_header("Content-Encoding")
    assert zipped["ETag"] == plain["ETag"]


def test_small_answers_are_not_gzipped(client_token, make_flag):
    make_flag("only-one")
    response = Client(HTTP_AUTHORIZATION=client_token()).get("/api/client/features",
                                                             HTTP_ACCEPT_ENCODING="gzip")
    assert not response.has_header("Content-Encoding")


@pytest.mark.django_db(transaction=True)
def test_stock_python_sdk_reads_a_gzipped_state_of_many_flags(asgi_server, checkout, tmp_path):
    flag, secret = checkout
    for number in range(60):
        services.flag_create(project=flag.project, key=f"bulk-{number:03}", actor=SYSTEM)
    raw = requests.get(asgi_server + "/api/client/features", headers={"Authorization": secret},
                       timeout=10)
    assert raw.headers["Content-Encoding"] == "gzip"  # as requests asks by default
    client = UnleashClient(url=asgi_server + "/api", app_name="gzip-check",
                           custom_headers={"Authorization": secret}, disable_metrics=True,
                           disable_registration=True, cache_directory=str(tmp_path),
                           multiple_instance_mode=InstanceAllowType.SILENTLY_ALLOW)
    client.initialize_client()
    try:
        assert wait_for(lambda: len(client.feature_definitions()) == 61) is not None
    finally:
        client.destroy()


# -- frontend API -----------------------------------------------------------------------------


def test_frontend_answers_304_to_its_own_etag_and_200_when_the_answer_changes(client_token,
                                                                             tagged_flags):
    browser = Client(HTTP_AUTHORIZATION=client_token(kind="frontend"))
    first = browser.get("/api/frontend?userId=7")
    assert [t["name"] for t in first.json()["toggles"]] == ["checkout-a"]

    same = browser.get("/api/frontend?userId=7", HTTP_IF_NONE_MATCH=first["ETag"])
    assert same.status_code == 304 and same["ETag"] == first["ETag"]

    services.flag_environment_toggle(flag=tagged_flags["search-x"], environment="production",
                                     enabled=True, actor=SYSTEM)
    changed = browser.get("/api/frontend?userId=7", HTTP_IF_NONE_MATCH=first["ETag"])
    assert changed.status_code == 200 and changed["ETag"] != first["ETag"]
    assert sorted(t["name"] for t in changed.json()["toggles"]) == ["checkout-a", "search-x"]


def test_frontend_etag_differs_between_contexts_that_get_different_answers(client_token,
                                                                          make_flag):
    flag = make_flag("vip-only")
    services.strategy_create(flag=flag, environment="production", name="userWithId",
                             parameters={"userIds": "7"}, actor=SYSTEM)
    services.flag_environment_toggle(flag=flag, environment="production", enabled=True,
                                     actor=SYSTEM)
    browser = Client(HTTP_AUTHORIZATION=client_token(kind="frontend"))
    vip = browser.get("/api/frontend?userId=7")

    other = browser.get("/api/frontend?userId=8", HTTP_IF_NONE_MATCH=vip["ETag"])

    assert other.status_code == 200 and other.json() == {"toggles": []}


def test_frontend_feature_by_name_is_200_when_on_and_404_when_off_or_unknown(client_token,
                                                                            tagged_flags):
    browser = Client(HTTP_AUTHORIZATION=client_token(kind="frontend"))

    on = browser.get("/api/frontend/features/checkout-a")
    off = browser.get("/api/frontend/features/checkout-b")
    unknown = browser.get("/api/frontend/features/no-such-flag")

    assert on.status_code == 200 and on.json()["name"] == "checkout-a"
    assert on.json()["enabled"] is True and on.json()["variant"]["name"] == "disabled"
    assert off.status_code == 404 and "checkout-b" in off.json()["message"]
    assert unknown.status_code == 404


def test_frontend_all_is_404_unless_switched_on(client_token, tagged_flags):
    browser = Client(HTTP_AUTHORIZATION=client_token(kind="frontend"))
    response = browser.get("/api/frontend/all")
    assert response.status_code == 404
    assert "TMINUS_FLAGS_FRONTEND_ALL" in response.json()["message"]


@override_settings(FLAGS_FRONTEND_ALL=True)
def test_frontend_all_lists_off_flags_too_when_switched_on(client_token, tagged_flags):
    browser = Client(HTTP_AUTHORIZATION=client_token(kind="frontend"))
    toggles = browser.get("/api/frontend/all?userId=1").json()["toggles"]
    assert {t["name"]: t["enabled"] for t in toggles} == {
        "checkout-a": True, "checkout-b": False, "search-x": False}


def test_frontend_endpoints_refuse_backend_tokens_and_missing_tokens(client_token, tagged_flags):
    backend = Client(HTTP_AUTHORIZATION=client_token())
    assert backend.get("/api/frontend/features/checkout-a").status_code == 403
    assert Client().get("/api/frontend/features/checkout-a").status_code == 401

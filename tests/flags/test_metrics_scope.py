"""SDK metrics count only for the flags a token may see, and one bad entry never spoils a post
(nor, through an SDK's retries, every post after it)."""

from datetime import UTC, datetime, timedelta

import pytest

from tests.flags.conftest import SYSTEM
from tests.flags.test_client_api import _metrics, post
from tminus.flags import services
from tminus.flags.models import MetricsBucket
from tminus.metrics.builtin import builtin_count


@pytest.fixture
def two_projects(make_flag):
    services.flag_create(project=services.project_create(key="va", actor=SYSTEM),
                         key="1095-b-download", actor=SYSTEM)
    return make_flag("checkout-v2")


def exposures(flag: str) -> int:
    now = datetime.now(UTC)
    return builtin_count(metric="exposures", environment="production", flag=flag,
                         start=now - timedelta(hours=1), end=now + timedelta(minutes=1))


@pytest.mark.parametrize("kind", ["client", "frontend"])
def test_token_of_one_project_cannot_raise_another_projects_exposures(
        two_projects, client_token, kind):
    path = "/api/client/metrics" if kind == "client" else "/api/frontend/client/metrics"
    response = post(path, client_token(kind=kind), _metrics({
        "1095-b-download": {"yes": 782_777, "no": 0}, "checkout-v2": {"yes": 3, "no": 1}}))

    assert response.status_code == 202
    assert exposures("1095-b-download") == 0
    assert exposures("checkout-v2") == 3
    skipped = response.json()["skipped"]
    assert skipped == [{"name": "1095-b-download",
                        "reason": "not a flag of this token's projects"}]


def test_unknown_flag_names_are_kept_but_never_count_for_a_flag_created_later(
        two_projects, client_token, project):
    post("/api/client/metrics", client_token(), _metrics({"later-flag": {"yes": 50, "no": 0}}))
    services.flag_create(project=project, key="later-flag", actor=SYSTEM)

    assert MetricsBucket.objects.get(flag_name="later-flag").yes == 50
    assert exposures("later-flag") == 0


def test_too_long_flag_names_are_skipped_and_the_rest_counted(two_projects, client_token):
    token = client_token()
    long_a, long_b = "a" * 255 + "-one", "a" * 255 + "-two"
    response = post("/api/client/metrics", token, _metrics({
        long_a: {"yes": 1, "no": 0}, long_b: {"yes": 2, "no": 0},
        "checkout-v2": {"yes": 5, "no": 0}}))

    assert response.status_code == 202, response.content
    assert [s["name"][-4:] for s in response.json()["skipped"]] == ["-one", "-two"]
    assert "longer than 255" in response.json()["skipped"][0]["reason"]
    assert exposures("checkout-v2") == 5
    # The SDK's next post (which resends nothing it was told was taken) is counted too.
    assert post("/api/client/metrics", token, _metrics({
        "checkout-v2": {"yes": 1, "no": 0}})).status_code == 202
    assert exposures("checkout-v2") == 6


@pytest.mark.parametrize(("counts", "reason"), [
    ({"yes": -1, "no": 0}, "whole numbers"),
    ({"yes": "many"}, "whole numbers"),
    ("yes", "an object"),
])
def test_entry_with_bad_counts_is_skipped_and_the_rest_counted(
        two_projects, client_token, counts, reason):
    response = post("/api/client/metrics", client_token(), _metrics({
        "checkout-v2": {"yes": 1, "no": 0}, "search-v1": counts}))

    assert response.status_code == 202, response.content
    assert response.json()["skipped"][0]["name"] == "search-v1"
    assert reason in response.json()["skipped"][0]["reason"]
    assert exposures("checkout-v2") == 1

"""Acceptance: the stock Unleash Python SDK, pointed at T-Minus over HTTP, passes the Unleash
client specification exactly as it does against Unleash itself.

Each specification file is imported into one environment (replacing the previous file's flags),
then a fresh UnleashClient fetches /api/client/features from a live server and answers every
case of the file. The reference is the same SDK given the file's state directly (bootstrapped,
offline): its answers through T-Minus must be the same, case by case.
"""

import pytest
from UnleashClient import UnleashClient
from UnleashClient.cache import FileCache
from UnleashClient.utils import InstanceAllowType

from tests.flags.conftest import SYSTEM, spec_files
from tminus.flags import services, transfer

# Cases the stock SDK answers against the specification whatever server it talks to. Older
# UnleashClient releases failed four cases (275 of 279 against Unleash); the release this
# project tests with (UnleashClient 6.9, yggdrasil-engine 2.0) answers all 279 as specified,
# offline and through T-Minus alike, so none is expected to fail. Should a future SDK release
# fail some, name them here: the test then holds T-Minus to exactly that set.
KNOWN_STOCK_SDK_FAILURES: set[str] = set()


def _case_id(file_name: str, case: dict) -> str:
    return f"{file_name.removesuffix('.json')}: {case['description']}"


def _answers(client: UnleashClient, file_name: str, spec: dict) -> dict[str, object]:
    answers = {}
    for case in spec.get("tests", []):
        answers[_case_id(file_name, case)] = client.is_enabled(case["toggleName"],
                                                               case["context"])
    for case in spec.get("variantTests", []):
        answers[_case_id(file_name, case)] = client.get_variant(case["toggleName"],
                                                                case["context"])
    return answers


def _expected(file_name: str, spec: dict) -> dict[str, object]:
    return {_case_id(file_name, case): case["expectedResult"]
            for kind in ("tests", "variantTests") for case in spec.get(kind, [])}


def _offline_answers(file_name: str, spec: dict, directory) -> dict[str, object]:
    """The stock SDK's own answers with the file's state handed to it directly."""
    cache = FileCache("reference", directory=str(directory))
    cache.bootstrap_from_dict(spec["state"])
    client = UnleashClient(url="http://127.0.0.1:9/api", app_name="reference", cache=cache,
                           disable_metrics=True, disable_registration=True,
                           multiple_instance_mode=InstanceAllowType.SILENTLY_ALLOW)
    client.initialize_client(fetch_toggles=False)
    try:
        return _answers(client, file_name, spec)
    finally:
        client.destroy()


@pytest.mark.django_db(transaction=True)
def test_stock_unleash_sdk_against_tminus_passes_the_specification_as_against_unleash(
        live_server, tmp_path):
    services.project_create(key="conformance", actor=SYSTEM)
    _token, secret = services.client_token_create(
        name="conformance", environment="development", projects=["conformance"], actor=SYSTEM)
    live, offline, expected = {}, {}, {}
    for file_name, spec in spec_files():
        transfer.flags_import(project_key="conformance", environment_key="development",
                              state=spec["state"], actor=SYSTEM)
        client = UnleashClient(
            url=live_server.url + "/api", app_name="conformance", refresh_interval=3600,
            custom_headers={"Authorization": secret}, disable_metrics=True,
            disable_registration=True, cache_directory=str(tmp_path / file_name),
            multiple_instance_mode=InstanceAllowType.SILENTLY_ALLOW)
        client.initialize_client()
        try:
            live.update(_answers(client, file_name, spec))
        finally:
            client.destroy()
        offline.update(_offline_answers(file_name, spec, tmp_path / f"offline-{file_name}"))
        expected.update(_expected(file_name, spec))

    failed = {case for case, answer in live.items() if answer != expected[case]}
    differing = {case for case in live if live[case] != offline[case]}
    assert len(live) == 279
    assert differing == set()
    assert failed == KNOWN_STOCK_SDK_FAILURES
    assert 279 - len(failed) >= 275

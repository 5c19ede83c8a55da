"""The Unleash client specification: every case of every file, run against the engine."""

import pytest

from tminus_client.engine import FlagEngine

from support.spec import load_spec_files

CASES = [
    pytest.param(
        spec["state"], kind, case, id=f"{name.removesuffix('.json')}: {case['description']}"
    )
    for name, spec in load_spec_files()
    for kind in ("tests", "variantTests")
    for case in spec.get(kind, [])
]


@pytest.mark.parametrize(("state", "kind", "case"), CASES)
def test_engine_answers_specification_case_as_expected(state, kind, case):
    engine = FlagEngine(state)

    if kind == "tests":
        result = engine.is_enabled(case["toggleName"], case["context"])
    else:
        result = engine.get_variant(case["toggleName"], case["context"])

    assert result == case["expectedResult"]


def test_specification_suite_when_loaded_holds_all_279_cases_in_22_files():
    assert len(load_spec_files()) == 22
    assert len(CASES) == 279


def test_delta_specification_files_when_loaded_are_event_payloads():
    delta_files = [name for name, spec in load_spec_files() if "events" in spec["state"]]

    assert delta_files == ["19-delta-api-hydration.json", "20-delta-api-events.json"]

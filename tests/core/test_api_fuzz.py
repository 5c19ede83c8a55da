"""Schemathesis over the whole OpenAPI document: no server errors, no answer that breaks its schema.

Every operation gets a bounded number of generated requests (valid and invalid data), once as an
admin and once as a viewer, against the Django app in-process with the demo data loaded so that
many generated ids name real rows. Failures are collected per operation and reported together.
"""

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck, Phase, given, settings
from schemathesis.checks import not_a_server_error
from schemathesis.generation import GenerationMode
from schemathesis.specs.openapi.checks import response_schema_conformance

from tminus.accounts.roles import ADMIN, VIEWER
from tminus.accounts.services import token_create
from tminus.core.actors import Actor
from tminus.core.demo_loader import demo_load

# Per operation, role and generation mode: 220 operations x 2 roles x 2 modes x this many requests.
EXAMPLES_PER_OPERATION = 5
CHECKS = (not_a_server_error, response_schema_conformance)


def _bearer(user) -> dict:
    _token, secret = token_create(user=user, name="fuzz", actor=Actor.cli())
    return {"Authorization": f"Bearer {secret}"}


def _failures_of(operation, mode: GenerationMode, headers: dict) -> list[str]:
    found: list[str] = []

    @given(case=operation.as_strategy(generation_mode=mode))
    @settings(max_examples=EXAMPLES_PER_OPERATION, deadline=None, database=None,
              phases=[Phase.explicit, Phase.generate], derandomize=True,
              suppress_health_check=list(HealthCheck))
    def run(case):
        if found:
            return
        response = case.call(headers=headers)
        try:
            case.validate_response(response, checks=CHECKS)
        except (Exception, BaseExceptionGroup) as failure:  # a group holds every finding
            found.append(_describe(operation, mode, failure))

    run()
    return found


def _describe(operation, mode: GenerationMode, failure: Exception) -> str:
    findings = getattr(failure, "exceptions", None) or [failure]
    lines = [f"{operation.label} [{mode.value}]"]
    for finding in findings:
        lines.append("  " + " ".join(str(finding).split())[:600])
    return "\n".join(lines)


@pytest.fixture
def fuzz_schema(db, settings):
    settings.ALLOWED_HOSTS = ["*"]
    demo_load()
    # The app is called as a plain WSGI app, whose request signals would close the test's
    # connection between requests (CONN_MAX_AGE 0 on PostgreSQL) and with it the transaction
    # the test runs in; Django's own test client holds them back the same way.
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        yield schemathesis.openapi.from_wsgi("/api/v1/openapi.json", get_wsgi_application())
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


@pytest.mark.parametrize("role", [ADMIN, VIEWER])
def test_it_answers_every_generated_request_without_server_error_or_schema_violation(
        fuzz_schema, users, role):
    headers = _bearer(users[role])
    failures: list[str] = []
    for result in fuzz_schema.get_all_operations():
        operation = result.ok()
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):
            failures.extend(_failures_of(operation, mode, headers))
    assert not failures, f"{len(failures)} operations failed:\n\n" + "\n\n".join(failures)

"""The test cases a new release starts with, by release type (seed 002's testing steps).

A saved template carries its own under definition["testing"]["cases"]: a list of
{"title", "kind", "environment", "steps", "expected"}.
"""

_REGRESSION = {
    "title": "Regression suite passes",
    "kind": "regression", "environment": "staging",
    "expected": "New code does not break existing functionality.",
}
_UAT = {
    "title": "User acceptance: key users confirm the new features meet requirements",
    "kind": "uat", "environment": "staging",
    "steps": "Key users work through the UAT checklist with the seeded test data.",
    "expected": "Every UAT case passes; issues are logged and prioritised.",
}
_LOAD = {
    "title": "Load test under expected peak traffic",
    "kind": "load", "environment": "staging",
    "expected": "Throughput, p95 latency and error rate meet their targets.",
}
_SECURITY = {
    "title": "Security test of new features and integrations",
    "kind": "security", "environment": "staging",
    "expected": "No open vulnerabilities of high or critical severity.",
}
_SMOKE = {
    "title": "Smoke test after deployment",
    "kind": "smoke", "environment": "production",
    "steps": "Application responds, login works, the main flow completes, no errors in logs.",
    "expected": "Everything works in production right after the deployment.",
}

DEFAULT_CASES = {
    "major": [_REGRESSION, _UAT, _LOAD, _SECURITY, _SMOKE],
    "minor": [_REGRESSION, _UAT, _SMOKE],
    "patch": [_REGRESSION, _SMOKE],
    "hotfix": [_REGRESSION, _SMOKE],
}


def default_cases(definition: dict) -> list[dict]:
    """The cases for a template: its own when it has them, else those of its release type."""
    own = (definition.get("testing") or {}).get("cases")
    if own is not None:
        return own
    return DEFAULT_CASES.get(definition.get("release_type", ""), [])

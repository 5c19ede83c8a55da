"""How testing plugs into the release page and into releases made from templates."""

from tminus.environments.models import Environment
from tminus.environments.services import defaults_create
from tminus.testing import selectors
from tminus.testing.choices import TestKind, kind_from_text
from tminus.testing.defaults import default_cases
from tminus.testing.models import LoadTestResult, TestCase, TestRun


def panel_context(request, release) -> dict:
    rates = selectors.pass_rates(release)
    load_tests = LoadTestResult.objects.filter(release=release)
    return {
        "environments": rates.environments,
        "matrix": [
            {"kind": label, "overall": rates.by_kind[kind],
             "cells": [rates.cell(kind, env.pk) for env in rates.environments]}
            for kind, label in TestKind.choices if kind in rates.by_kind
        ],
        "case_count": sum(t.total for t in rates.by_kind.values()),
        "run_count": TestRun.objects.filter(release=release).count(),
        "latest_run": selectors.test_runs(release).first(),
        "load_missed": sum(result.met is False for result in load_tests),
    }


def cases_for_new_release(release, definition: dict) -> None:
    """Lay out the template's test cases (part of creating the release, audited with it)."""
    specs = default_cases(definition)
    if not specs:
        return
    defaults_create(release.product, actor=None)
    environments = {e.key: e for e in Environment.objects.filter(product=release.product)}
    TestCase.objects.bulk_create(
        TestCase(release=release, order=index, title=spec["title"][:500],
                 kind=kind_from_text(spec.get("kind", "")) or TestKind.UAT,
                 environment=environments.get(spec.get("environment") or ""),
                 steps=spec.get("steps", ""), expected=spec.get("expected", ""))
        for index, spec in enumerate(specs)
    )

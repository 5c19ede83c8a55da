"""The fixed vocabularies of test plans and results."""

from django.db import models


class TestKind(models.TextChoices):
    __test__ = False  # not a pytest test class

    UNIT = "unit", "Unit"
    INTEGRATION = "integration", "Integration"
    END_TO_END = "end_to_end", "End-to-end"
    REGRESSION = "regression", "Regression"
    UAT = "uat", "UAT"
    LOAD = "load", "Load"
    SECURITY = "security", "Security"
    SMOKE = "smoke", "Smoke"


class Outcome(models.TextChoices):
    PASSED = "passed", "Passed"
    FAILED = "failed", "Failed"
    BLOCKED = "blocked", "Blocked"
    SKIPPED = "skipped", "Skipped"


class RunSource(models.TextChoices):
    MANUAL = "manual", "Recorded by hand"
    JUNIT = "junit", "JUnit upload"


def kind_from_text(text: str) -> str | None:
    """A kind from what people type: 'UAT', 'e2e', 'End-to-end' or 'end_to_end'."""
    wanted = (text or "").strip().lower().replace("-", "_").replace(" ", "_")
    aliases = {"e2e": TestKind.END_TO_END, "endtoend": TestKind.END_TO_END,
               "performance": TestKind.LOAD, "acceptance": TestKind.UAT}
    if wanted in TestKind.values:
        return wanted
    if wanted in aliases:
        return aliases[wanted]
    for value, label in TestKind.choices:
        if wanted == label.lower().replace("-", "_"):
            return value
    return None

"""The fixed vocabularies of readiness: risk scales, dependency kinds, votes and outcomes."""

from django.db import models


class Probability(models.TextChoices):
    LOW = "low", "Low"
    MEDIUM = "medium", "Medium"
    HIGH = "high", "High"


class Impact(models.TextChoices):
    LOW = "low", "Low"
    MEDIUM = "medium", "Medium"
    HIGH = "high", "High"
    CRITICAL = "critical", "Critical"


# A risk's score is probability weight x impact weight: 1 (low/low) to 12 (high/critical).
PROBABILITY_WEIGHT = {Probability.LOW: 1, Probability.MEDIUM: 2, Probability.HIGH: 3}
IMPACT_WEIGHT = {Impact.LOW: 1, Impact.MEDIUM: 2, Impact.HIGH: 3, Impact.CRITICAL: 4}


class RiskLevel(models.TextChoices):
    """Bands of the score, used by the heat map and by 'no open risk at or above' criteria."""

    LOW = "low", "Low"
    MEDIUM = "medium", "Medium"
    HIGH = "high", "High"
    CRITICAL = "critical", "Critical"


# The lowest score of each band.
LEVEL_MIN_SCORE = {RiskLevel.LOW: 1, RiskLevel.MEDIUM: 3, RiskLevel.HIGH: 6,
                   RiskLevel.CRITICAL: 9}


def risk_level(score: int) -> str:
    """The band a score falls in."""
    level = RiskLevel.LOW
    for name, minimum in LEVEL_MIN_SCORE.items():
        if score >= minimum:
            level = name
    return str(level)


class RiskStatus(models.TextChoices):
    OPEN = "open", "Open"
    MITIGATED = "mitigated", "Mitigated"
    ACCEPTED = "accepted", "Accepted"
    CLOSED = "closed", "Closed"


class DependencyKind(models.TextChoices):
    INTERNAL = "internal", "Internal"
    THIRD_PARTY = "third_party", "Third party"
    RELEASE = "release", "Another release"


class DependencyStatus(models.TextChoices):
    OPEN = "open", "Not met yet"
    IN_PROGRESS = "in_progress", "In progress"
    AT_RISK = "at_risk", "At risk"
    MET = "met", "Met"


class Vote(models.TextChoices):
    GO = "go", "Go"
    GO_WITH_CONDITIONS = "go_with_conditions", "Go with conditions"
    NO_GO = "no_go", "No-Go"


class Outcome(models.TextChoices):
    GO = "go", "Go"
    NO_GO = "no_go", "No-Go"

"""The support model a new release starts with: from its saved template, or defaults per type.

A saved template may carry a "support" part:
    {"tiers": [{"level": 1, "name": "First line", "handles": ["..."], "response": "4h",
                "resolution": "24h", "resolution_note": ""}],
     "escalation": [{"from": "User", "to": "Support team", "condition": ""}],
     "rota_weeks": 4}
"""

from tminus.core.errors import ValidationFailed
from tminus.core.offsets import date_at
from tminus.people.durations import parse_duration
from tminus.people.models import EscalationStep, OnCallShift, SupportTier

_TIERS = [
    {"level": 1, "name": "First line", "response": "4h", "resolution": "24h",
     "handles": ["Basic usage questions", "Navigation help", "Permission issues",
                 "Password resets"]},
    {"level": 2, "name": "Technical", "response": "2h", "resolution": "48h",
     "handles": ["Payment recording issues", "Calculation errors", "Integration problems",
                 "Automation issues"]},
    {"level": 3, "name": "Development", "response": "1h", "resolution": "1w",
     "resolution_note": "Immediate for critical issues; within a week otherwise.",
     "handles": ["Critical bugs", "Data corruption", "System failures", "Security issues"]},
]
_ESCALATION = [
    {"from": "User", "to": "Support team"},
    {"from": "Support team", "to": "Technical lead", "condition": "if support cannot resolve it"},
    {"from": "Technical lead", "to": "Development team", "condition": "if it is a bug"},
    {"from": "Development team", "to": "Project manager", "condition": "if it is a major issue"},
]
DEFAULTS = {
    "major": {"tiers": _TIERS, "escalation": _ESCALATION, "rota_weeks": 4},
    "minor": {"tiers": _TIERS, "escalation": _ESCALATION, "rota_weeks": 2},
    "patch": {"escalation": _ESCALATION, "rota_weeks": 1},
    "hotfix": {"escalation": _ESCALATION, "rota_weeks": 1},
}


def support_template_apply(release, definition: dict) -> None:
    """Lay out the tiers, escalation path and empty rota weeks a template asks for."""
    spec = definition.get("support")
    if spec is None:
        spec = DEFAULTS.get(release.release_type, {})
    tiers = [_tier(release, tier) for tier in spec.get("tiers", [])]
    SupportTier.objects.bulk_create(tiers)
    EscalationStep.objects.bulk_create(
        EscalationStep(release=release, order=index, from_party=step["from"], to_party=step["to"],
                       condition=step.get("condition", ""))
        for index, step in enumerate(spec.get("escalation", []), start=1)
    )
    OnCallShift.objects.bulk_create(
        _week(release, week) for week in range(1, int(spec.get("rota_weeks", 0)) + 1)
    )


def _tier(release, spec: dict) -> SupportTier:
    try:
        response = parse_duration(spec["response"])
        resolution = parse_duration(spec["resolution"]) if spec.get("resolution") else None
    except (KeyError, ValueError) as error:
        raise ValidationFailed({"support": f"Support tier {spec.get('name', '?')!r}: {error}"}) \
            from None
    return SupportTier(release=release, level=spec["level"], name=spec["name"],
                       handles="\n".join(spec.get("handles", [])), response_minutes=response,
                       resolution_minutes=resolution,
                       resolution_note=spec.get("resolution_note", ""))


def _week(release, week: int) -> OnCallShift:
    start = (week - 1) * 7
    return OnCallShift(release=release, week=week, start_offset=start, end_offset=start + 6,
                       start_date=date_at(release.go_live, start),
                       end_date=date_at(release.go_live, start + 6))

"""Reads of the plans area. Lists run a fixed number of queries whatever their length."""

from tminus.plans.models import CalendarFeed, PendingImport

REPORT_KINDS = [("release", "Release overview"), ("phase", "Phases"),
                ("milestone", "Milestones"), ("checklist", "Checklists"), ("scope", "Scope"),
                ("rollout", "Rollout stages"), ("kpi", "KPIs"), ("readiness", "Go/no-go"),
                ("runbook", "Runbook"), ("rollback", "Rollback plan"), ("people", "People"),
                ("roadmap", "Roadmap"), ("note", "Kept as notes")]


def recent_imports(limit: int = 10):
    return PendingImport.objects.select_related("created_by", "release")[:limit]


def report_groups(report: dict) -> list[dict]:
    """The report's lines grouped by what they became, known kinds first."""
    lines = report.get("lines", [])
    known = dict(REPORT_KINDS)
    kinds = [kind for kind, _label in REPORT_KINDS]
    kinds += sorted({line["kind"] for line in lines} - set(kinds))
    groups = []
    for kind in kinds:
        found = [line for line in lines if line["kind"] == kind]
        if found:
            groups.append({"kind": kind, "label": known.get(kind, kind.replace("_", " ").title()),
                           "lines": found})
    return groups


def feeds_for(user):
    """The feeds a person made (admins and release managers see all)."""
    from tminus.accounts.permissions import can
    from tminus.accounts.roles import MANAGE

    feeds = CalendarFeed.objects.select_related("product", "user", "created_by")
    return feeds if can(user, MANAGE) else feeds.filter(created_by=user)

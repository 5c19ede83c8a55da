"""Reads of readiness: registers, the live readiness report, the gate and freeze windows.

Lists run a fixed number of queries whatever their length; the readiness report runs a few
queries per criterion, never per row.
"""

from datetime import date, datetime, timedelta

from django.db.models import Q, QuerySet
from django.utils import timezone

from tminus.readiness import criteria as registry
from tminus.readiness.choices import DependencyKind, DependencyStatus, Outcome
from tminus.readiness.freeze import FreezeOccurrence, day_bounds, occurrences
from tminus.readiness.models import (
    Contingency,
    Criterion,
    Dependency,
    FreezeWindow,
    GateOverride,
    GoNoGoDecision,
    GoNoGoVote,
    Risk,
)
from tminus.readiness.notes import gate_notes
from tminus.releases.choices import ReleaseStatus

# A release that another depends on counts as delivered once it is live (or live and closed).
DELIVERED_STATUSES = (ReleaseStatus.LIVE, ReleaseStatus.CLOSED)


def today() -> date:
    return timezone.localdate()


def risks(release) -> QuerySet[Risk]:
    return Risk.objects.filter(release=release).select_related("owner")


def dependencies(release) -> QuerySet[Dependency]:
    return Dependency.objects.filter(release=release).select_related("owner", "required_release")


def contingencies(release) -> QuerySet[Contingency]:
    return Contingency.objects.filter(release=release).select_related("owner")


def criteria(release) -> QuerySet[Criterion]:
    return Criterion.objects.filter(release=release)


def dependency_state(dependency: Dependency, now: date | None = None) -> dict:
    """Whether a dependency is met, why, and whether it is past its needed-by date unmet."""
    other = dependency.required_release
    if dependency.kind == DependencyKind.RELEASE and other is not None:
        met = other.status in DELIVERED_STATUSES
        why = f"{other.name} is {ReleaseStatus(other.status).label.lower()}"
        why += "." if met else "; it must be live."
    else:
        met = dependency.status == DependencyStatus.MET
        why = DependencyStatus(dependency.status).label + "."
    now = now or today()
    overdue = bool(not met and dependency.needed_by and dependency.needed_by < now)
    if overdue:
        why += f" Needed by {dependency.needed_by}, which has passed."
    return {"met": met, "why": why, "overdue": overdue}


def current_votes(release) -> QuerySet[GoNoGoVote]:
    """Each approver's standing Go / No-Go for this release."""
    return GoNoGoVote.objects.filter(release=release, withdrawn_at__isnull=True) \
        .select_related("approver", "recorded_by")


def latest_decision(release) -> GoNoGoDecision | None:
    """The go/no-go decision that stands (the newest one not withdrawn by a rollback)."""
    return GoNoGoDecision.objects.filter(release=release, withdrawn_at__isnull=True) \
        .select_related("decided_by").first()


def decisions(release) -> QuerySet[GoNoGoDecision]:
    return GoNoGoDecision.objects.filter(release=release).select_related("decided_by")


def has_go_decision(release) -> bool:
    """Whether the standing go/no-go decision of a release is Go."""
    decision = latest_decision(release)
    return decision is not None and decision.outcome == Outcome.GO


def active_override(release) -> GateOverride | None:
    """The admin override that lets the release deploy without a Go, if one stands."""
    return GateOverride.objects.filter(release=release, withdrawn_at__isnull=True).first()


def readiness_report(release) -> list[dict]:
    """Every criterion of a release, evaluated now: label, met, why (and id, kind, params)."""
    report = []
    for criterion in criteria(release):
        met, why = registry.evaluate(release, criterion.kind, criterion.params)
        report.append({"id": criterion.pk, "kind": criterion.kind, "label": criterion.label,
                       "params": criterion.params, "met": met, "why": why,
                       "revision": criterion.revision})
    return report


def gate_status(release) -> dict:
    """Go when every criterion is met and the standing decision is Go, or an admin overrode."""
    report = readiness_report(release)
    decision = latest_decision(release)
    override = active_override(release)
    not_met = [f"{c['label']}: {c['why']}" for c in report if not c["met"]]
    if decision is None:
        not_met.append("No go/no-go decision has been recorded.")
    elif decision.outcome != Outcome.GO:
        when = timezone.localtime(decision.decided_at).strftime("%Y-%m-%d %H:%M")
        not_met.append(f"The go/no-go decision of {when} was No-Go.")
    return {
        "release": release.key,
        "go": not not_met or override is not None,
        "ready": all(c["met"] for c in report),
        "not_met": not_met,
        "criteria": report,
        "decision": decision,
        "override": override,
        "freeze_warnings": go_live_freeze_warnings(release),
        "notes": gate_notes(release),
    }


def freeze_windows(product=None) -> QuerySet[FreezeWindow]:
    """Windows that apply to a product (its own and the global ones); all when product is None."""
    windows = FreezeWindow.objects.select_related("product")
    if product is not None:
        windows = windows.filter(Q(product__isnull=True) | Q(product=product))
    return windows


def freeze_windows_covering(product, start: datetime, end: datetime) -> list[FreezeOccurrence]:
    """The freeze windows (global or the product's own) that overlap [start, end).

    Each result has .window (the FreezeWindow), .start and .end (that occurrence); str() of
    one names the window and its times. An empty list means no freeze.
    """
    if end <= start:  # a single moment: the instant a deployment starts
        end = start + timedelta(seconds=1)
    windows = FreezeWindow.objects.filter(Q(product__isnull=True) | Q(product=product)) \
        if product is not None else FreezeWindow.objects.filter(product__isnull=True)
    windows = windows.filter(starts_at__lt=end).filter(Q(rrule="") & Q(ends_at__gt=start)
                                                      | ~Q(rrule=""))
    found = []
    for window in windows.select_related("product"):
        found += occurrences(window, start, end)
    return sorted(found, key=lambda occurrence: occurrence.start)


def go_live_freeze_warnings(release) -> list[str]:
    """A warning for each freeze window that the release's go-live day falls in."""
    if release.go_live is None:
        return []
    start, end = day_bounds(release.go_live)
    return [f"Go-live ({release.go_live:%a %Y-%m-%d}) falls in the freeze window {occurrence}."
            for occurrence in freeze_windows_covering(release.product, start, end)]

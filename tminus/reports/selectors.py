"""Reads for reports and dashboards. Lists run a bounded number of queries."""

from collections import Counter
from dataclasses import dataclass, field
from datetime import date, timedelta

from django.db.models import Count, Q
from django.utils import timezone

from tminus.outcomes.models import Kpi, SignOff
from tminus.outcomes.selectors import kpi_views, release_kpis
from tminus.releases.choices import (
    FINISHED_ITEM_STATUSES,
    ReleaseStatus,
    ScopeKind,
    ScopeStatus,
)
from tminus.releases.models import ChecklistItem, Milestone, Release
from tminus.releases.selectors import (
    ACTIVE_STATUSES,
    checklists,
    portfolio,
    t_minus_days,
    today,
    with_progress,
)
from tminus.reports.models import ReleaseNotes
from tminus.reports.risk import HEALTH_LABELS, Reason, health, risk_reasons

OVERDUE_SHOWN = 10
# A release whose go-live date falls in the week went live only if it reached one of these.
WENT_LIVE_STATUSES = (ReleaseStatus.LIVE, ReleaseStatus.CLOSED)


@dataclass
class ReleaseRisk:
    release: Release
    reasons: list[Reason]
    health: str

    @property
    def health_label(self) -> str:
        return HEALTH_LABELS[self.health]


def releases_at_risk() -> list[ReleaseRisk]:
    """Active releases that have at least one reason to worry, soonest go-live first."""
    releases = list(portfolio(status="active"))
    reasons = risk_reasons(releases)
    return [ReleaseRisk(r, reasons[r.pk], health(r, reasons[r.pk]))
            for r in releases if reasons.get(r.pk)]


def notes_of(release) -> ReleaseNotes | None:
    return ReleaseNotes.objects.filter(release=release).select_related("updated_by").first()


def status_report(release) -> dict:
    """Everything a one-page stakeholder status report shows about a release."""
    sections = checklists(release)
    items = [item for view in sections for item, _ in view.items]
    overdue = sorted((i for i in items if i.is_overdue), key=lambda i: i.due_date)
    reasons = risk_reasons([release])[release.pk]
    now = today()
    milestones = list(release.milestones.all())
    scope = list(release.scope_items.all())
    signoffs = list(release.signoffs.all())
    return {
        "release": release,
        "t_minus": t_minus_days(release),
        "health": health(release, reasons),
        "health_label": HEALTH_LABELS[health(release, reasons)],
        "reasons": reasons,
        "items_total": len(items),
        "items_done": sum(1 for i in items if i.status in FINISHED_ITEM_STATUSES),
        "overdue": overdue[:OVERDUE_SHOWN],
        "overdue_count": len(overdue),
        "sections": sections,
        "next_milestones": [m for m in milestones if m.date and m.date >= now][:4],
        "past_milestones": [m for m in milestones if m.date and m.date < now][-3:],
        "scope": scope,
        "scope_counts": _scope_counts(scope),
        "kpis": release_kpis(release),
        "signoffs": signoffs,
        "signed": sum(1 for s in signoffs if s.signed_at),
        "generated_at": timezone.localtime(),
    }


def _scope_counts(scope) -> list[dict]:
    counts = Counter((item.kind, item.status) for item in scope)
    return [{"kind": label, "total": sum(counts[(kind, s)] for s in ScopeStatus.values),
             "done": counts[(kind, ScopeStatus.DONE)]}
            for kind, label in ScopeKind.choices
            if any(counts[(kind, s)] for s in ScopeStatus.values)]


def week_of(text: str | None) -> date:
    """The Monday of '2026-W47', of a date '2026-11-18', or of the current week."""
    text = (text or "").strip()
    if not text:
        day = today()
    elif "W" in text.upper():
        year, _, week = text.upper().partition("-W")
        try:
            day = date.fromisocalendar(int(year), int(week), 1)
        except ValueError:
            raise ValueError(f"{text!r} is not a week; write it as 2026-W47.") from None
    else:
        try:
            day = date.fromisoformat(text)
        except ValueError:
            raise ValueError(f"{text!r} is not a week or a date; write 2026-W47 or "
                             f"2026-11-16.") from None
    return day - timedelta(days=day.weekday())


@dataclass
class WeeklyRow:
    release: Release
    done_this_week: int
    reasons: list
    health: str
    milestones: list = field(default_factory=list)
    kpis: list = field(default_factory=list)

    @property
    def health_label(self) -> str:
        return HEALTH_LABELS[self.health]

    @property
    def t_minus(self) -> int | None:
        return t_minus_days(self.release)


def weekly_report(monday: date) -> dict:
    """The week across releases: what moved, what went live, what comes next, what is at risk."""
    sunday = monday + timedelta(days=6)
    in_week = Q(checklist_items__done_at__date__gte=monday,
                checklist_items__done_at__date__lte=sunday)
    releases = with_progress(
        portfolio().filter(Q(status__in=ACTIVE_STATUSES) | Q(go_live__gte=monday,
                                                             go_live__lte=sunday))
        .annotate(done_this_week=Count("checklist_items", filter=in_week)))
    reasons = risk_reasons(releases)
    upcoming = _milestones_between(releases, sunday + timedelta(days=1),
                                   sunday + timedelta(days=14))
    views = kpi_views(Kpi.objects.filter(release__in=releases))
    rows = [WeeklyRow(release=r, done_this_week=r.done_this_week, reasons=reasons[r.pk],
                      health=health(r, reasons[r.pk]), milestones=upcoming.get(r.pk, []),
                      kpis=[v for v in views if v.kpi.release_id == r.pk])
            for r in releases]
    return {
        "monday": monday, "sunday": sunday,
        "iso_week": f"{monday.isocalendar().year}-W{monday.isocalendar().week:02d}",
        "rows": rows,
        "went_live": [r for r in releases if r.go_live and monday <= r.go_live <= sunday
                      and r.status in WENT_LIVE_STATUSES],
        "at_risk": [row for row in rows if row.reasons],
        "generated_at": timezone.localtime(),
    }


def _milestones_between(releases, start: date, end: date) -> dict[int, list]:
    found: dict[int, list] = {}
    for milestone in Milestone.objects.filter(release__in=releases, date__gte=start,
                                              date__lte=end).order_by("date"):
        found.setdefault(milestone.release_id, []).append(milestone)
    return found


def my_items(user) -> dict:
    """What waits on a person: open checklist items they own, KPIs they own, sign-offs."""
    open_releases = ~Q(release__status__in=["closed", "cancelled"])
    items = (ChecklistItem.objects.filter(open_releases, owner=user)
             .exclude(status__in=FINISHED_ITEM_STATUSES)
             .select_related("release", "section").order_by("due_date", "id"))
    now = today()
    items = list(items)
    for item in items:
        item.is_overdue = bool(item.due_date and item.due_date < now)
    signoffs = (SignOff.objects.filter(open_releases, assignee=user, signed_at__isnull=True)
                .select_related("release").order_by("release__go_live", "order"))
    return {
        "items": items,
        "kpis": kpi_views(Kpi.objects.filter(owner=user)),
        "signoffs": list(signoffs),
    }

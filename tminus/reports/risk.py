"""Why a release is at risk. Each signal looks at many releases at once (a bounded number of
queries) and gives reasons per release id.

Built in: overdue checklist items, go-live passed before deploying, missed KPIs, and, when the
readiness area is installed, open high risks and unmet readiness criteria. Another area adds its
own with `register_risk_signal("name", fn)` where `fn(releases) -> {release_id: [reason, ...]}`.
"""

import logging
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta

from django.db.models import Count

from tminus.outcomes.measure import MISSED, VERDICT_LABELS
from tminus.outcomes.models import Kpi
from tminus.outcomes.selectors import kpi_views
from tminus.outcomes.targets import format_quantity
from tminus.releases.choices import FINISHED_ITEM_STATUSES
from tminus.releases.models import ChecklistItem
from tminus.releases.selectors import today

log = logging.getLogger(__name__)
BEFORE_DEPLOYING = ("planning", "development", "testing", "staging", "ready")
# Readiness criteria are evaluated one release at a time, so only releases close to go-live
# (where an unmet gate matters) are asked.
GATE_HORIZON_DAYS = 14


@dataclass(frozen=True)
class Reason:
    kind: str
    text: str


Signal = Callable[[list], dict[int, list[str]]]
_signals: dict[str, Signal] = {}


def register_risk_signal(kind: str, signal: Signal) -> None:
    """Add a reason a release can be at risk."""
    _signals[kind] = signal


def risk_reasons(releases: list) -> dict[int, list[Reason]]:
    """Every signal's reasons, per release id."""
    reasons: dict[int, list[Reason]] = defaultdict(list)
    if not releases:
        return reasons
    for kind, signal in _signals.items():
        for release_id, texts in signal(releases).items():
            reasons[release_id] += [Reason(kind, text) for text in texts]
    return reasons


def health(release, reasons: list[Reason]) -> str:
    """on_track, at_risk, or off_track (a missed KPI or a go-live that passed undeployed)."""
    if any(reason.kind in ("kpis", "late") for reason in reasons):
        return "off_track"
    return "at_risk" if reasons else "on_track"


HEALTH_LABELS = {"on_track": "On track", "at_risk": "At risk", "off_track": "Off track"}


def overdue_items(releases) -> dict[int, list[str]]:
    counts = (ChecklistItem.objects.filter(release__in=releases, due_date__lt=today())
              .exclude(status__in=FINISHED_ITEM_STATUSES)
              .values("release_id").annotate(count=Count("id")))
    return {row["release_id"]: [f"{row['count']} checklist item"
                                f"{'s' if row['count'] != 1 else ''} overdue"]
            for row in counts}


def late_go_live(releases) -> dict[int, list[str]]:
    now = today()
    return {r.pk: [f"Go-live was {r.go_live:%Y-%m-%d} but the release is still "
                   f"{r.get_status_display().lower()}"]
            for r in releases if r.go_live and r.go_live < now and r.status in BEFORE_DEPLOYING}


def missed_kpis(releases) -> dict[int, list[str]]:
    reasons: dict[int, list[str]] = defaultdict(list)
    for view in kpi_views(Kpi.objects.filter(release__in=releases)):
        if view.status != MISSED:
            continue
        latest = view.latest
        value = format_quantity(latest.value, view.kpi.unit) if latest else "no value"
        reasons[view.kpi.release_id].append(
            f"KPI {view.kpi.name} {VERDICT_LABELS[MISSED].lower()}: {value} against the "
            f"target {view.kpi.target_text}")
    return reasons


def open_high_risks(releases) -> dict[int, list[str]]:
    try:
        from tminus.readiness.choices import LEVEL_MIN_SCORE, RiskLevel, RiskStatus
        from tminus.readiness.models import Risk
    except ImportError:
        return {}
    risks = (Risk.objects.filter(release__in=releases, status=RiskStatus.OPEN,
                                 score__gte=LEVEL_MIN_SCORE[RiskLevel.HIGH])
             .values("release_id").annotate(count=Count("id")))
    return {row["release_id"]: [f"{row['count']} open high risk"
                                f"{'s' if row['count'] != 1 else ''}"] for row in risks}


def unmet_gates(releases) -> dict[int, list[str]]:
    try:
        from tminus.readiness.selectors import readiness_report
    except ImportError:
        return {}
    horizon = today() + timedelta(days=GATE_HORIZON_DAYS)
    reasons: dict[int, list[str]] = {}
    for release in releases:
        if not (release.go_live and release.go_live <= horizon
                and release.status in BEFORE_DEPLOYING):
            continue
        try:
            unmet = [c for c in readiness_report(release) if not c["met"]]
        except Exception as error:  # another area's failure must not hide the dashboard
            log.warning("readiness of %s could not be evaluated: %s", release.key, error)
            reasons[release.pk] = ["Readiness could not be evaluated"]
            continue
        if unmet:
            reasons[release.pk] = [f"Gate not met: {c['label']} ({c['why']})" for c in unmet]
    return reasons


def register_builtin_signals() -> None:
    register_risk_signal("overdue", overdue_items)
    register_risk_signal("late", late_go_live)
    register_risk_signal("kpis", missed_kpis)
    register_risk_signal("risks", open_high_risks)
    register_risk_signal("gates", unmet_gates)

"""Reads of metrics: totals over a window come from the per-minute rows, never raw events."""

from dataclasses import dataclass
from datetime import datetime

from django.db.models import Count, F, Max, Min, Sum

from tminus.metrics.builtin import BUILTIN_METRICS, is_builtin
from tminus.metrics.models import Event, Metric, MinuteTotal


@dataclass(frozen=True)
class WindowTotals:
    count: int
    total: float
    minimum: float | None
    maximum: float | None
    total_squares: float = 0.0

    def __add__(self, other: "WindowTotals") -> "WindowTotals":
        return WindowTotals(self.count + other.count, self.total + other.total,
                            _least(min, self.minimum, other.minimum),
                            _least(max, self.maximum, other.maximum),
                            self.total_squares + other.total_squares)

    @property
    def average(self) -> float | None:
        return self.total / self.count if self.count else None


def _least(pick, a, b):
    return b if a is None else a if b is None else pick(a, b)


def _narrowed(rows, *, environment, flag, variant=None, arm=None):
    if environment is not None:
        rows = rows.filter(environment=environment)
    if flag is not None:
        rows = rows.filter(flag_key=flag)
    if variant is not None:
        rows = rows.filter(variant=variant)
    if arm is not None:
        rows = rows.filter(arm=arm)
    return rows


def metric_totals(*, metric: str, environment: str | None, start: datetime, end: datetime,
                  flag: str | None = None, variant: str | None = None,
                  arm: str | None = None) -> WindowTotals:
    """Count, sum, sum of squares, min and max of a metric's events in [start, end) by whole
    minutes.

    `environment=None` adds up every environment; `flag=None` every flag and none;
    `arm=None` both arms and events in none.
    """
    rows = _narrowed(MinuteTotal.objects.filter(metric_key=metric, minute__gte=start,
                                                minute__lt=end),
                     environment=environment, flag=flag, variant=variant, arm=arm)
    totals = rows.aggregate(count=Sum("count"), total=Sum("total"), minimum=Min("minimum"),
                            maximum=Max("maximum"), squares=Sum("total_squares"))
    return WindowTotals(count=totals["count"] or 0, total=totals["total"] or 0.0,
                        minimum=totals["minimum"], maximum=totals["maximum"],
                        total_squares=totals["squares"] or 0.0)


def event_totals(*, metric: str, environment: str | None, start: datetime, end: datetime,
                 flag: str | None = None, arm: str | None = None) -> WindowTotals:
    """The same totals from the raw events of [start, end), for the part of a minute that a
    window begins with (a stage that started at 10:00:40 must not count 10:00:00-10:00:40)."""
    rows = _narrowed(Event.objects.filter(metric_key=metric, occurred_at__gte=start,
                                          occurred_at__lt=end),
                     environment=environment, flag=flag, arm=arm)
    totals = rows.aggregate(count=Count("id"), total=Sum("value"), minimum=Min("value"),
                            maximum=Max("value"), squares=Sum(F("value") * F("value")))
    return WindowTotals(count=totals["count"] or 0, total=totals["total"] or 0.0,
                        minimum=totals["minimum"], maximum=totals["maximum"],
                        total_squares=totals["squares"] or 0.0)


def _per_key(rows, columns: list[str], aggregates: dict) -> dict[tuple, WindowTotals]:
    found = {}
    for row in rows.values(*columns).annotate(**aggregates).order_by():
        found[tuple(row[c] for c in columns)] = WindowTotals(
            count=row["n"] or 0, total=row["t"] or 0.0, minimum=row["lo"], maximum=row["hi"],
            total_squares=row["sq"] or 0.0)
    return found


def totals_by_arm(*, metrics: list[str], environment: str | None, start: datetime,
                  whole_from: datetime, end: datetime, flag: str | None
                  ) -> dict[tuple[str, str], WindowTotals]:
    """(metric, arm) -> totals over [start, end) in two queries whatever the metrics: raw
    events before `whole_from`, per-minute totals from it."""
    minutes = _narrowed(MinuteTotal.objects.filter(metric_key__in=metrics, minute__gte=whole_from,
                                                   minute__lt=end),
                        environment=environment, flag=flag)
    found = _per_key(minutes, ["metric_key", "arm"], {
        "n": Sum("count"), "t": Sum("total"), "lo": Min("minimum"), "hi": Max("maximum"),
        "sq": Sum("total_squares")})
    if whole_from > start:
        raw = _narrowed(Event.objects.filter(metric_key__in=metrics, occurred_at__gte=start,
                                             occurred_at__lt=min(whole_from, end)),
                        environment=environment, flag=flag)
        for key, totals in _per_key(raw, ["metric_key", "arm"], {
                "n": Count("id"), "t": Sum("value"), "lo": Min("value"), "hi": Max("value"),
                "sq": Sum(F("value") * F("value"))}).items():
            found[key] = found[key] + totals if key in found else totals
    return found


def users_by_arm(*, metrics: list[str], environment: str | None, start: datetime,
                 end: datetime, flag: str | None) -> dict[tuple[str, str], int]:
    """(metric, arm) -> distinct users with an event of the metric in [start, end), from the
    raw events (users cannot be added up per minute); events without a user or arm left out."""
    rows = _narrowed(Event.objects.filter(metric_key__in=metrics, occurred_at__gte=start,
                                          occurred_at__lt=end),
                     environment=environment, flag=flag).exclude(user_key="").exclude(arm="")
    grouped = rows.values("metric_key", "arm").annotate(
        n=Count("user_key", distinct=True)).order_by()
    return {(row["metric_key"], row["arm"]): row["n"] for row in grouped}


def metric_series(*, metric: str, environment: str, start: datetime, end: datetime,
                  flag: str | None = None) -> list[tuple[datetime, int, float]]:
    """(minute, count, total) per minute in [start, end), for charts."""
    rows = MinuteTotal.objects.filter(metric_key=metric, environment=environment,
                                      minute__gte=start, minute__lt=end)
    if flag is not None:
        rows = rows.filter(flag_key=flag)
    grouped = rows.values("minute").annotate(c=Sum("count"), t=Sum("total")).order_by("minute")
    return [(row["minute"], row["c"], row["t"]) for row in grouped]


def unique_users(*, flag: str, environment: str, start: datetime, end: datetime) -> int:
    """Distinct users that sent any event for a flag in a window (read once, at a stage's end)."""
    return (Event.objects.filter(flag_key=flag, environment=environment, occurred_at__gte=start,
                                 occurred_at__lt=end)
            .exclude(user_key="").aggregate(n=Count("user_key", distinct=True))["n"])


def metric_exists(key: str) -> bool:
    return Metric.objects.filter(key=key).exists()


def metric_known(key: str) -> bool:
    """Whether criteria may read this metric: declared, or built in (exposures, evaluations)."""
    return is_builtin(key) or metric_exists(key)


def metric_choices() -> list[tuple[str, str]]:
    """(key, label) of every metric a criterion may read, built-in ones first."""
    declared = [(m.key, f"{m.key} ({m.name})" if m.name != m.key else m.key)
                for m in Metric.objects.all()]
    return [(key, f"{key} (built in)") for key in BUILTIN_METRICS] + declared


def metric_list():
    return Metric.objects.all()


def known_flags(events: list, projects: frozenset[str] | None = None
                ) -> tuple[frozenset[str], frozenset[str]]:
    """(allowed, foreign): the flag keys named in a batch that exist in `projects` (None:
    any project), and those that exist elsewhere."""
    from tminus.flags.models import Flag

    names = {e.get("flag") for e in events
             if isinstance(e, dict) and isinstance(e.get("flag"), str)}
    rows = Flag.objects.filter(key__in=names).values_list("key", "project__key")
    allowed = {key for key, project in rows if projects is None or project in projects}
    return frozenset(allowed), frozenset(key for key, _ in rows) - allowed


def ingest_tokens():
    from tminus.flags.models import ClientToken

    return ClientToken.objects.filter(kind="ingest").prefetch_related("projects")


def known_environments() -> frozenset[str]:
    from tminus.flags.models import Environment

    return frozenset(Environment.objects.values_list("key", flat=True).distinct())

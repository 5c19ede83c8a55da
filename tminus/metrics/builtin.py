"""Metrics every flag has without declaring them, from what SDKs report on /api/client/metrics.

- `exposures`: evaluations that answered "on", that is, times the feature was shown;
- `evaluations`: every evaluation of the flag, on or off.

SDKs already send these counts per flag and per minute; the flags area keeps them in its
MetricsBucket rows (one per flag, environment, application and minute), which are read in place:
copying them would only add a second place where the same numbers could disagree.
"""

from datetime import datetime

from django.db.models import Count, F, Sum

BUILTIN_METRICS = {
    "exposures": "Exposures: evaluations that answered on",
    "evaluations": "Evaluations: every answer, on or off",
}


def is_builtin(key: str) -> bool:
    return key in BUILTIN_METRICS


def _counted(metric: str, arm: str | None = None):
    # Per arm, an evaluation that answered on is the treatment's, one that answered off the
    # control's: for one arm, exposures and evaluations are the same number.
    if arm == "treatment":
        return F("yes")
    if arm == "control":
        return F("no")
    return F("yes") if metric == "exposures" else F("yes") + F("no")


def _buckets(*, environment: str | None, start: datetime, end: datetime, flag: str | None):
    from tminus.flags.models import MetricsBucket

    rows = MetricsBucket.objects.filter(start__gte=start, start__lt=end)
    if environment is not None:
        rows = rows.filter(environment_key=environment)
    if flag is not None:
        # By the flag itself, not by name: counts an SDK sent for a name before that flag
        # existed, or with a token of another project, are not this flag's.
        rows = rows.filter(flag__key=flag)
    return rows


def builtin_count(*, metric: str, environment: str | None, start: datetime, end: datetime,
                  flag: str | None = None, arm: str | None = None) -> int:
    """How many exposures or evaluations SDKs reported in [start, end) by whole minutes
    (of one arm: treatment, the answers on; control, the answers off)."""
    rows = _buckets(environment=environment, start=start, end=end, flag=flag)
    return rows.aggregate(n=Sum(_counted(metric, arm)))["n"] or 0


def arm_counts(*, environment: str | None, start: datetime, end: datetime,
               flag: str) -> tuple[int, int]:
    """(treatment, control): the answers on and off SDKs reported for a flag, in one query."""
    rows = _buckets(environment=environment, start=start, end=end, flag=flag)
    found = rows.aggregate(on=Sum("yes"), off=Sum("no"))
    return found["on"] or 0, found["off"] or 0


def exposed_users(*, environment: str | None, start: datetime, end: datetime,
                  flag: str) -> tuple[int, int]:
    """(treatment, control): distinct users SDKs reported answering on and off for a flag,
    last seen from `start` (a whole minute) and first seen before `end`.

    Exact for a window that ends now (a stage so far), which is what criteria read: a user
    counts when an SDK answered it in the window, wherever else it was answered before.
    """
    from tminus.flags.models import ExposedUser

    rows = ExposedUser.objects.filter(flag__key=flag, last_seen__gte=start, first_seen__lt=end)
    if environment is not None:
        rows = rows.filter(environment_key=environment)
    found = dict(rows.values("arm").annotate(n=Count("id")).values_list("arm", "n"))
    return found.get("treatment", 0), found.get("control", 0)


def builtin_series(*, metric: str, environment: str | None, start: datetime, end: datetime,
                   flag: str | None = None) -> list[tuple[datetime, int]]:
    """(minute, count) per minute in [start, end)."""
    rows = _buckets(environment=environment, start=start, end=end, flag=flag)
    grouped = rows.values("start").annotate(n=Sum(_counted(metric))).order_by("start")
    return [(row["start"], row["n"] or 0) for row in grouped]

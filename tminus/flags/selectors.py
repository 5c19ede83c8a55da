"""Reads of feature flags. Lists run a fixed number of queries whatever their length."""

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.db.models import Count, Prefetch, Q, QuerySet, Sum
from django.utils import timezone

from tminus.audit.models import AuditEvent
from tminus.core.errors import NotFound, ValidationFailed
from tminus.flags.choices import EXPECTED_LIFETIME_DAYS
from tminus.flags.models import (
    ClientApplication,
    ClientToken,
    Environment,
    Flag,
    FlagEnvironment,
    MetricsBucket,
    Project,
    Segment,
    Strategy,
)


def potentially_stale(flag: Flag, now: datetime | None = None) -> bool:
    """Whether a live flag has outlived its type's expected lifetime (Unleash's rule)."""
    days = EXPECTED_LIFETIME_DAYS.get(flag.flag_type)
    if days is None or flag.archived_at is not None:
        return False
    return (now or timezone.now()) - flag.created_at > timedelta(days=days)


def projects() -> QuerySet[Project]:
    """Projects with their environments and how many live flags each has."""
    return Project.objects.prefetch_related("environments").annotate(
        flag_count=Count("flags", filter=Q(flags__archived_at__isnull=True)))


def project_get(key: str) -> Project:
    project = Project.objects.filter(key=key).prefetch_related("environments").first()
    if project is None:
        raise NotFound(f"No flag project {key!r}.")
    return project


@dataclass
class FlagRow:
    flag: Flag
    states: dict = field(default_factory=dict)  # environment key -> FlagEnvironment
    stale: bool = False


def flag_rows(project: Project, *, search: str = "", archived: bool = False) -> list[FlagRow]:
    """The project's flags with their state in every environment."""
    flags = (Flag.objects.filter(project=project, archived_at__isnull=not archived)
             .select_related("owner", "release")
             .prefetch_related(Prefetch(
                 "states", queryset=FlagEnvironment.objects.select_related("environment")
                 .annotate(strategy_count=Count("strategies"))))
             .order_by("key"))
    if search:
        flags = flags.filter(Q(key__icontains=search) | Q(description__icontains=search))
    now = timezone.now()
    return [FlagRow(flag=flag, states={s.environment.key: s for s in flag.states.all()},
                    stale=potentially_stale(flag, now)) for flag in flags]


def flag_get(key: str) -> Flag:
    """A flag by name with its project, owner and release, or NotFound."""
    flag = (Flag.objects.select_related("project", "owner", "release")
            .filter(key=key).first())
    if flag is None:
        raise NotFound(f"No flag named {key!r}.")
    return flag


@dataclass
class StateView:
    environment: Environment
    state: FlagEnvironment | None
    strategies: list = field(default_factory=list)


def flag_states(flag: Flag) -> list[StateView]:
    """Each environment of the flag's project with the flag's state and strategies there."""
    states = {s.environment_id: s for s in FlagEnvironment.objects.filter(flag=flag)
              .prefetch_related(Prefetch("strategies",
                                         queryset=Strategy.objects.order_by("sort_order", "id")))}
    views = []
    for environment in flag.project.environments.all():
        state = states.get(environment.pk)
        views.append(StateView(environment, state,
                               list(state.strategies.all()) if state else []))
    return views


def flag_history(flag: Flag, limit: int = 200) -> QuerySet[AuditEvent]:
    """Every recorded change to a flag, newest first."""
    return (AuditEvent.objects.filter(object_type=Flag._meta.label_lower,
                                      object_id=str(flag.pk))
            .select_related("actor")[:limit])


def flags_for_release(release) -> list[FlagRow]:
    """Flags linked to a release with their state per environment."""
    flags = (Flag.objects.filter(release=release).select_related("project")
             .prefetch_related(Prefetch(
                 "states", queryset=FlagEnvironment.objects.select_related("environment")))
             .order_by("key"))
    now = timezone.now()
    return [FlagRow(flag=flag, states={s.environment.key: s for s in flag.states.all()},
                    stale=potentially_stale(flag, now)) for flag in flags]


def flag_usage(flag: Flag, hours: int = 24) -> list[dict]:
    """Yes/no counts reported by SDKs for a flag over the last hours, per environment."""
    since = timezone.now() - timedelta(hours=hours)
    return list(MetricsBucket.objects.filter(flag=flag, start__gte=since)
                .values("environment_key").annotate(yes=Sum("yes"), no=Sum("no"))
                .order_by("environment_key"))


def segment_list() -> QuerySet[Segment]:
    return Segment.objects.select_related("project").order_by("name")


def token_list() -> QuerySet[ClientToken]:
    return ClientToken.objects.prefetch_related("projects").select_related("created_by")


def application_list(limit: int = 200) -> QuerySet[ClientApplication]:
    return ClientApplication.objects.order_by("-last_seen_at")[:limit]


def parent_choices(flag: Flag) -> list[str]:
    """Flags of the same project that can be this flag's parent."""
    return list(Flag.objects.filter(project_id=flag.project_id, archived_at__isnull=True)
                .exclude(pk=flag.pk).exclude(dependencies__isnull=False)
                .values_list("key", flat=True).order_by("key"))


def release_or_error(key: str | None):
    """The release a flag is linked to, None for none, or ValidationFailed on `release`."""
    from tminus.releases.models import Release

    if not key:
        return None
    release = Release.objects.filter(key=key).first()
    if release is None:
        raise ValidationFailed({"release": f"No release with key {key!r}."})
    return release


def segment_get(segment_id: int) -> Segment:
    segment = Segment.objects.select_related("project").filter(pk=segment_id).first()
    if segment is None:
        raise NotFound(f"No segment {segment_id}.")
    return segment


def strategy_get(flag: Flag, environment: str, strategy_id: int) -> Strategy:
    """One of the flag's strategies in an environment (by key), or NotFound."""
    strategy = (Strategy.objects.select_related("state__flag", "state__environment")
                .filter(pk=strategy_id, state__flag=flag, state__environment__key=environment)
                .first())
    if strategy is None:
        raise NotFound(f"{flag.key} has no strategy {strategy_id} in {environment!r}.")
    return strategy


def strategies_in(flag: Flag, environment: str) -> list[Strategy]:
    """The flag's strategies in an environment (by key), in order, or NotFound."""
    found = Environment.objects.filter(project_id=flag.project_id, key=environment).first()
    if found is None:
        raise NotFound(f"Project {flag.project.key} has no environment {environment!r}.")
    return list(Strategy.objects.filter(state__flag=flag, state__environment=found)
                .order_by("sort_order", "id"))

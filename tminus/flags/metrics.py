"""What SDKs report: registrations and yes/no/variant counts, checked before anything is stored.

SDKs are not people: these services take the token's scope instead of an actor, and are not
audited (they change no definition). A malformed body is refused whole; a bad entry in a good
body (a name too long to store, counts that are not counts, a flag of a project the token does
not cover) is skipped and reported, and the rest counted: an SDK resends a refused post, so one
bad name would otherwise fail every later post of that SDK.
"""

from datetime import UTC, datetime, timedelta

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from tminus.core.errors import ValidationFailed
from tminus.flags.models import (
    ClientApplication,
    Environment,
    ExposedUser,
    Flag,
    MetricsBucket,
)
from tminus.flags.tokens import TokenScope

MAX_TOGGLES = 10_000
MAX_NAME = 255  # as stored; a longer name is no flag (flag keys are at most 255 characters)
MAX_COUNT = 10**12
MAX_USERS = 10_000  # hashed users per flag and answer in one bucket
MAX_USER_HASH = 64
ARM_OF_ANSWER = {"yes": "treatment", "no": "control"}


def client_register(*, scope: TokenScope, body) -> ClientApplication:
    """Record (or refresh) an SDK instance's registration."""
    errors = {}
    if not isinstance(body, dict):
        raise ValidationFailed({"body": "The body must be a JSON object."})
    app_name = body.get("appName")
    if not isinstance(app_name, str) or not app_name.strip():
        errors["appName"] = "appName is required."
    instance_id = body.get("instanceId", "default")
    if not isinstance(instance_id, str):
        errors["instanceId"] = "instanceId must be a string."
    strategies = body.get("strategies", [])
    if not isinstance(strategies, list) or not all(isinstance(s, str) for s in strategies):
        errors["strategies"] = "strategies must be a list of strategy names."
    interval = body.get("interval", 0)
    if isinstance(interval, bool) or not isinstance(interval, int) or interval < 0:
        errors["interval"] = "interval must be a whole number of milliseconds."
    started = _datetime(body.get("started"), "started", errors, required=False)
    if errors:
        raise ValidationFailed(errors)
    application, _ = ClientApplication.objects.update_or_create(
        app_name=app_name.strip()[:255], instance_id=(instance_id or "default")[:255],
        environment=scope.environment,
        defaults={"sdk_version": str(body.get("sdkVersion") or "")[:100],
                  "strategies": strategies, "interval": min(interval, 2**31 - 1),
                  "started_at": started, "last_seen_at": timezone.now()})
    return application


def metrics_record(*, scope: TokenScope, body) -> dict:
    """Add an SDK's yes/no/variant counts to the per-minute buckets.

    Returns {"counted": flags counted, "skipped": [{"name", "reason"}]}.
    """
    app_name, start, toggles = _metrics_body(body)
    minute = start.replace(second=0, microsecond=0)
    skipped = [{"name": name, "reason": reason} for name, reason in _entry_problems(toggles)]
    toggles = {name: counts for name, counts in toggles.items()
               if name not in {s["name"] for s in skipped}}
    known, foreign = _known_flags(scope, list(toggles))
    skipped += [{"name": name, "reason": "not a flag of this token's projects"}
                for name in toggles if name in foreign]
    toggles = {name: counts for name, counts in toggles.items() if name not in foreign}
    for attempt in range(2):
        try:
            with transaction.atomic():
                _add_counts(scope, app_name, minute, toggles, known)
            break
        except IntegrityError:
            # Another process created one of the same buckets at the same moment; the second
            # attempt finds it and adds to it.
            if attempt:
                raise
    return {"counted": len(toggles), "skipped": skipped}


def _metrics_body(body) -> tuple[str, datetime, dict]:
    if not isinstance(body, dict):
        raise ValidationFailed({"body": "The body must be a JSON object."})
    errors: dict = {}
    app_name = body.get("appName")
    if not isinstance(app_name, str) or not app_name.strip():
        errors["appName"] = "appName is required."
    bucket = body.get("bucket")
    if not isinstance(bucket, dict):
        raise ValidationFailed({**errors, "bucket": "bucket must be an object with start, "
                                                    "stop and toggles."})
    start = _datetime(bucket.get("start"), "bucket.start", errors)
    _datetime(bucket.get("stop"), "bucket.stop", errors)
    toggles = bucket.get("toggles")
    if not isinstance(toggles, dict):
        errors["bucket.toggles"] = "toggles must be an object of flag name to counts."
    elif len(toggles) > MAX_TOGGLES:
        errors["bucket.toggles"] = f"At most {MAX_TOGGLES} flags per bucket."
    if errors:
        raise ValidationFailed(errors)
    return app_name.strip()[:255], start, toggles


def _entry_problems(toggles: dict):
    """(name, reason) of each entry that cannot be counted."""
    for name, counts in toggles.items():
        if not name:
            yield name, "a flag name cannot be empty"
            continue
        if len(name) > MAX_NAME:
            yield name, f"a flag name is at most {MAX_NAME} characters; this one is longer than " \
                        f"{MAX_NAME}"
            continue
        problem = _counts_problem(counts)
        if problem:
            yield name, problem


def _counts_problem(counts) -> str:
    if not isinstance(counts, dict):
        return "must be an object with yes and no counts."
    numbers = [counts.get("yes", 0), counts.get("no", 0)]
    variants = counts.get("variants") or {}
    if not isinstance(variants, dict):
        return "variants must be an object of variant name to count."
    numbers += list(variants.values())
    if not all(_is_count(n) for n in numbers):
        return "yes, no and variant counts must be whole numbers from 0."
    return _users_problem(counts.get("users"))


def _users_problem(users) -> str:
    """What is wrong with a toggle's users ({"yes": [hashes], "no": [hashes]}), if anything."""
    if users is None:
        return ""
    if not isinstance(users, dict) or set(users) - set(ARM_OF_ANSWER):
        return "users must be an object with yes and no lists of hashed user ids."
    for answer, hashes in users.items():
        if not isinstance(hashes, list) or len(hashes) > MAX_USERS:
            return f"users.{answer} must be a list of at most {MAX_USERS:,} hashed user ids."
        if not all(isinstance(h, str) and 0 < len(h) <= MAX_USER_HASH for h in hashes):
            return f"users.{answer} holds ids that are not text of 1 to {MAX_USER_HASH} " \
                   f"characters."
    return ""


def _is_count(value) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and 0 <= value < MAX_COUNT


def _datetime(value, field: str, errors: dict, required: bool = True) -> datetime | None:
    if value is None and not required:
        return None
    parsed = parse_datetime(value) if isinstance(value, str) else None
    if parsed is None:
        errors[field] = f"{field} must be a date and time (ISO 8601)."
        return None
    if timezone.is_naive(parsed):
        parsed = timezone.make_aware(parsed, UTC)
    now = timezone.now()
    if not now - timedelta(days=365) < parsed < now + timedelta(days=1):
        errors[field] = f"{field} is more than a year ago or in the future."
    return parsed


def _known_flags(scope: TokenScope, names: list[str]
                 ) -> tuple[dict[str, tuple[int, int]], set[str]]:
    """(flag name -> (flag id, environment id) for the flags this token may see, names of
    flags of other projects). Names of no flag at all are neither: SDKs report flags they were
    asked about that do not exist, which are kept but never count as a flag's exposures."""
    rows = list(Flag.objects.filter(key__in=names).values_list("key", "pk", "project_id",
                                                               "project__key"))
    foreign = {key for key, _, _, project in rows if not scope.allows_project(project)}
    rows = [row for row in rows if row[0] not in foreign]
    environments = dict(Environment.objects.filter(
        key=scope.environment, project_id__in={p for _, _, p, _ in rows})
        .values_list("project_id", "pk"))
    return {key: (pk, environments.get(project_id)) for key, pk, project_id, _ in rows}, foreign


def _add_counts(scope, app_name, minute, toggles, known) -> int:
    existing = {
        bucket.flag_name: bucket
        for bucket in MetricsBucket.objects.select_for_update().filter(
            flag_name__in=list(toggles), environment_key=scope.environment,
            app_name=app_name, start=minute)
    }
    new, changed = [], []
    for name, counts in toggles.items():
        bucket = existing.get(name)
        if bucket is None:
            flag_id, environment_id = known.get(name, (None, None))
            bucket = MetricsBucket(flag_id=flag_id, environment_id=environment_id,
                                   flag_name=name, environment_key=scope.environment,
                                   app_name=app_name, start=minute, variants={})
            new.append(bucket)
        else:
            changed.append(bucket)
        bucket.yes += counts.get("yes", 0)
        bucket.no += counts.get("no", 0)
        for variant, count in (counts.get("variants") or {}).items():
            bucket.variants[variant] = bucket.variants.get(variant, 0) + count
    MetricsBucket.objects.bulk_update(changed, ["yes", "no", "variants"])
    MetricsBucket.objects.bulk_create(new)
    _add_users(scope, minute, toggles, known)
    return len(new) + len(changed)


def _add_users(scope, minute, toggles, known) -> None:
    """Record the users each known flag answered on and off in this minute."""
    for name, counts in toggles.items():
        flag_id = known.get(name, (None, None))[0]
        for answer, hashes in (counts.get("users") or {}).items():
            if flag_id is not None and hashes:
                _seen(flag_id, scope.environment, ARM_OF_ANSWER[answer], set(hashes), minute)


def _seen(flag_id: int, environment: str, arm: str, hashes: set[str], minute) -> None:
    # Insert the new users, then widen the first and last minute of those already known:
    # buckets may arrive out of order (an SDK resends one that failed).
    ExposedUser.objects.bulk_create(
        [ExposedUser(flag_id=flag_id, environment_key=environment, arm=arm, user_hash=h,
                     first_seen=minute, last_seen=minute) for h in hashes],
        ignore_conflicts=True, batch_size=1000)
    ordered = sorted(hashes)
    for index in range(0, len(ordered), 1000):
        rows = ExposedUser.objects.filter(flag_id=flag_id, environment_key=environment, arm=arm,
                                          user_hash__in=ordered[index:index + 1000])
        rows.filter(last_seen__lt=minute).update(last_seen=minute)
        rows.filter(first_seen__gt=minute).update(first_seen=minute)

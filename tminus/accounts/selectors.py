from dataclasses import dataclass
from datetime import datetime

from axes.models import AccessAttempt
from django.conf import settings
from django.utils import timezone

from tminus.accounts.models import ApiToken, User
from tminus.core.errors import NotFound


def token_list(*, user: User | None = None):
    tokens = ApiToken.objects.select_related("user")
    return tokens.filter(user=user) if user is not None else tokens.all()


def user_list():
    return User.objects.filter(is_active=True).order_by("username")


def accounts():
    """Every account, those who may sign in first, with the plan person each one is."""
    return User.objects.select_related("person").order_by("-is_active", "username")


def account_get(user_id: int) -> User:
    user = User.objects.filter(pk=user_id).first()
    if user is None:
        raise NotFound(f"No account with id {user_id}.")
    return user


@dataclass(frozen=True)
class Lockout:
    username: str
    ip_address: str
    failures: int
    last_attempt: datetime
    locked: bool


def lockouts() -> list[Lockout]:
    """Failed sign-ins still counting (inside the cool-off), newest first; `locked` when the
    username at that address, or the address as a whole, has reached the limit."""
    since = timezone.now() - settings.AXES_COOLOFF_TIME
    rows = list(AccessAttempt.objects.filter(attempt_time__gte=since).order_by("-attempt_time"))
    by_address: dict[str, int] = {}
    for row in rows:
        by_address[row.ip_address] = by_address.get(row.ip_address, 0) + row.failures_since_start
    limit = settings.AXES_FAILURE_LIMIT
    return [Lockout(row.username or "", row.ip_address or "", row.failures_since_start,
                    row.attempt_time,
                    row.failures_since_start >= limit or by_address[row.ip_address] >= limit)
            for row in rows]

"""Writes for people and API tokens."""

import hashlib
import logging
import secrets
from datetime import timedelta

from axes.models import AccessAttempt
from axes.utils import reset
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import DatabaseError, transaction
from django.db.models import Q
from django.utils import timezone

from tminus.accounts import roles
from tminus.accounts.models import ApiToken, User
from tminus.accounts.permissions import require
from tminus.audit.services import audit_record, snapshot
from tminus.core.actors import Actor
from tminus.core.dbwait import brief_lock_wait
from tminus.core.errors import NotFound, ValidationFailed

log = logging.getLogger(__name__)
TOKEN_PREFIX = "tmn_"
TOKEN_USE_INTERVAL = timedelta(seconds=60)
_USER_FIELDS = ["username", "email", "role", "display_name", "is_active"]


def hash_token(secret: str) -> str:
    """Tokens are long random strings, so one fast hash is enough to keep them unreadable."""
    return hashlib.sha256(secret.encode()).hexdigest()


@transaction.atomic
def user_create(
    *, username: str, password: str | None, role: str, email: str = "", display_name: str = "",
    actor: Actor,
) -> User:
    """Create a person with a role."""
    require(actor, roles.ADMINISTER)
    errors = {}
    username = (username or "").strip()
    if not username:
        errors["username"] = "A username is required."
    elif User.objects.filter(username=username).exists():
        errors["username"] = f"A user named {username!r} already exists."
    if role not in dict(roles.ROLE_CHOICES):
        errors["role"] = f"Unknown role {role!r}; use one of {', '.join(dict(roles.ROLE_CHOICES))}."
    if password:
        try:
            validate_password(password)
        except ValidationError as error:
            errors["password"] = list(error.messages)
    if errors:
        raise ValidationFailed(errors)
    user = User(username=username, email=email, role=role, display_name=display_name)
    user.is_superuser = user.is_staff = role == roles.ADMIN
    user.set_password(password) if password else user.set_unusable_password()
    user.save()
    audit_record(actor=actor, action="user.create", obj=user, after=snapshot(user, _USER_FIELDS))
    return user


@transaction.atomic
def token_create(*, user: User, name: str, actor: Actor) -> tuple[ApiToken, str]:
    """Create a personal API token; the secret is returned once and only its hash is kept."""
    if actor.user != user:
        require(actor, roles.ADMINISTER)
    name = (name or "").strip() or "API token"
    secret = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken.objects.create(
        user=user, name=name[:100], prefix=secret[:12], token_hash=hash_token(secret)
    )
    audit_record(actor=actor, action="token.create", obj=token, after={"user": user.username,
                                                                       "name": token.name})
    return token, secret


@transaction.atomic
def token_revoke(*, token_id: int, actor: Actor) -> ApiToken:
    """Revoke a token so it no longer authenticates."""
    token = ApiToken.objects.select_related("user").filter(pk=token_id).first()
    if token is None:
        raise NotFound(f"No API token with id {token_id}.")
    if actor.user != token.user:
        require(actor, roles.ADMINISTER)
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
        audit_record(actor=actor, action="token.revoke", obj=token,
                     after={"revoked_at": token.revoked_at})
    return token


def token_authenticate(secret: str) -> User | None:
    """The active user a presented token belongs to, or None."""
    if not secret or not secret.startswith(TOKEN_PREFIX):
        return None
    token = (
        ApiToken.objects.select_related("user")
        .filter(token_hash=hash_token(secret), revoked_at__isnull=True)
        .first()
    )
    if token is None or not token.user.is_active:
        return None
    _token_use_record(token)
    return token.user


def _token_use_record(token: ApiToken) -> None:
    """Note the token's use, at most once a minute, never holding up or failing the request.

    A busy pipeline should not write on every call, and a request that only reads must still be
    answered while a long import holds the database's write lock: the write waits a moment for
    the lock, then is skipped (the next request a minute on records the use).
    """
    now = timezone.now()
    stale = now - TOKEN_USE_INTERVAL
    if token.last_used_at is not None and token.last_used_at > stale:
        return
    try:
        with brief_lock_wait():
            # Conditional, so of two requests at once that both saw an old time, one writes.
            ApiToken.objects.filter(Q(last_used_at__isnull=True) | Q(last_used_at__lte=stale),
                                    pk=token.pk).update(last_used_at=now)
    except DatabaseError as error:
        log.info("token %s…: last use not recorded this time (%s)", token.prefix, error)


@transaction.atomic
def admin_ensure(*, password: str | None) -> tuple[User, str | None]:
    """Create the `admin` account on first start; return the generated password once."""
    existing = User.objects.filter(username="admin").first()
    if existing is not None:
        return existing, None
    generated = None
    if not password:
        generated = password = secrets.token_urlsafe(12)
    user = User(username="admin", role=roles.ADMIN, is_superuser=True, is_staff=True)
    user.set_password(password)
    user.save()
    audit_record(actor=Actor.cli(), action="user.create", obj=user,
                 after=snapshot(user, _USER_FIELDS))
    return user, generated


def user_by_username(username: str) -> User:
    user = User.objects.filter(username=username).first()
    if user is None:
        raise NotFound(f"No user named {username!r}.")
    return user


@transaction.atomic
def login_lockout_clear(*, username: str = "", ip_address: str = "", actor: Actor) -> int:
    """Let a locked-out person sign in again: clear the failures of the username (at every
    address) and of the address (for every username); returns how many records went."""
    require(actor, roles.ADMINISTER)
    username, ip_address = (username or "").strip(), (ip_address or "").strip()
    if not username and not ip_address:
        raise ValidationFailed({"username": "Name a username or an address to unlock."})
    matching = AccessAttempt.objects.filter(
        (Q(username=username) if username else Q(pk__in=[]))
        | (Q(ip_address=ip_address) if ip_address else Q(pk__in=[])))
    attempts = list(matching.order_by("-attempt_time"))
    if not attempts:
        raise NotFound("No failed sign-ins recorded for "
                       + " or ".join(filter(None, [username, ip_address])) + ".")
    before = [{"username": a.username, "ip_address": a.ip_address,
               "failures": a.failures_since_start} for a in attempts]
    # Recorded against the person when there is one, else against the attempt itself.
    subject = User.objects.filter(username=username).first() if username else None
    cleared = reset(username=username or None, ip=ip_address or None,
                    ip_or_username=bool(username and ip_address))
    audit_record(actor=actor, action="login.unlock", obj=subject or attempts[0],
                 before={"attempts": before},
                 after={"username": username, "ip_address": ip_address, "cleared": cleared})
    return cleared

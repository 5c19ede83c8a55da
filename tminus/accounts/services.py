"""Writes for people and API tokens."""

import hashlib
import logging
import secrets
from datetime import timedelta

from axes.models import AccessAttempt
from axes.utils import reset
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import DatabaseError, connection, transaction
from django.db.models import Q
from django.utils import timezone

from tminus.accounts import roles
from tminus.accounts.models import ApiToken, User
from tminus.accounts.permissions import require
from tminus.audit.services import audit_record, snapshot
from tminus.core import editing
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


def temporary_password() -> str:
    """A password for a new or reset account, shown once to the admin who hands it over."""
    return secrets.token_urlsafe(12)


def _other_active_admins(user: User):
    return User.objects.filter(role=roles.ADMIN, is_active=True).exclude(pk=user.pk)


def _user_errors(user: User) -> dict:
    errors = {}
    if user.role not in dict(roles.ROLE_CHOICES):
        errors["role"] = (f"Unknown role {user.role!r}; use one of "
                          f"{', '.join(dict(roles.ROLE_CHOICES))}.")
    stays_admin = user.role == roles.ADMIN and user.is_active
    was_admin = user.pk and User.objects.filter(pk=user.pk, role=roles.ADMIN,
                                                is_active=True).exists()
    if was_admin and not stays_admin and not _other_active_admins(user).exists():
        # Without an active admin nobody could manage accounts or unlock sign-ins any more.
        errors["role" if user.is_active else "is_active"] = (
            f"{user.username} is the last active admin; make someone else admin first.")
    return errors


def _admin_flags(user: User, changes: dict) -> list[str]:
    """Admins may also use Django's admin site; everyone else may not."""
    user.is_superuser = user.is_staff = user.role == roles.ADMIN
    return ["is_superuser", "is_staff"]


USER = editing.Kind(model=User, action="user", fields=_USER_FIELDS,
                    capability=roles.ADMINISTER, validate=_user_errors, derive=_admin_flags,
                    fixed={"username"}, add_verb="create")


@transaction.atomic
def user_create(
    *, username: str, password: str | None, role: str, email: str = "", display_name: str = "",
    person=None, actor: Actor,
) -> User:
    """Create an account with a role; link it to `person` (a plan's person) when given."""
    require(actor, roles.ADMINISTER)
    errors = {}
    username = (username or "").strip()
    if not username:
        errors["username"] = "A username is required."
    elif User.objects.filter(username=username).exists():
        errors["username"] = f"A user named {username!r} already exists."
    if person is not None and person.user_id:
        errors["person"] = f"{person.name} already signs in as {person.user.username}."
    if password:
        try:
            validate_password(password)
        except ValidationError as error:
            errors["password"] = list(error.messages)
    user = User(username=username, email=email or "", role=role, display_name=display_name or "")
    user.set_password(password) if password else user.set_unusable_password()
    _admin_flags(user, {})
    editing.create(USER, user, actor=actor, errors=errors)
    if person is not None:
        from tminus.people.services import person_update

        person_update(person=person, revision=person.revision, changes={"user": user},
                      actor=actor)
    return user


def account_create(*, username: str, password: str | None, role: str, email: str = "",
                   display_name: str = "", person=None, actor: Actor) -> tuple[User, str | None]:
    """An account someone will sign in with: without a password it gets a temporary one,
    returned (once) for the admin to hand over."""
    generated = None if password else temporary_password()
    user = user_create(username=username, password=password or generated, role=role,
                       email=email, display_name=display_name, person=person, actor=actor)
    return user, generated


def user_update(*, user: User, revision: int | None, changes: dict, actor: Actor) -> User:
    """Change an account's role, name, email or whether it may sign in."""
    if changes.get("is_active") is False and actor.user is not None and actor.user.pk == user.pk:
        raise ValidationFailed({"is_active": "You cannot deactivate the account you are using."})
    return editing.update(USER, user, revision=revision, changes=changes, actor=actor)


@transaction.atomic
def user_password_reset(*, user: User, actor: Actor) -> str:
    """Give an account a new temporary password (returned once) and lift its sign-in lockout."""
    require(actor, roles.ADMINISTER)
    password = temporary_password()
    user.set_password(password)
    user.save(update_fields=["password"])
    reset(username=user.username)
    audit_record(actor=actor, action="user.password_reset", obj=user)
    return password


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
        _token_mark_used(token, now, stale)
    except DatabaseError as error:
        log.info("token %s…: last use not recorded this time (%s)", token.prefix, error)


def _token_mark_used(token: ApiToken, now, stale) -> None:
    # Conditional, so of two requests at once that both saw an old time, one writes.
    if connection.vendor == "postgresql":
        # One statement that skips the row when another transaction holds it, never waiting
        # (and never failing, which inside a transaction would spoil the rest of it).
        table = connection.ops.quote_name(ApiToken._meta.db_table)
        with connection.cursor() as cursor:
            cursor.execute(
                f"UPDATE {table} SET last_used_at = %s WHERE id = (SELECT id FROM {table} "
                "WHERE id = %s AND (last_used_at IS NULL OR last_used_at <= %s) "
                "FOR UPDATE SKIP LOCKED)", [now, token.pk, stale])
        return
    with brief_lock_wait():
        ApiToken.objects.filter(Q(last_used_at__isnull=True) | Q(last_used_at__lte=stale),
                                pk=token.pk).update(last_used_at=now)


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

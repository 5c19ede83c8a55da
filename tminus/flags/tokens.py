"""Client and frontend tokens: their format, their hash, and a short-lived in-process cache.

Tokens look like Unleash's (`project:environment.secret`, `*:environment.secret` for every
project, `[]:environment.secret` for several), so tools that read the scope from a token keep
working. The hot path of the client API (a 304 answer) must not touch the database, so a token's
scope and the revision of its environments are remembered for TMINUS_FLAGS_CACHE_SECONDS;
a change or a revocation made in this process clears them at once.
"""

import hashlib
import secrets
import time
from dataclasses import dataclass
from threading import Lock

from django.conf import settings
from django.dispatch import Signal

from tminus.flags import propagation
from tminus.flags.client_state import Query, revision_of
from tminus.flags.models import ClientToken, Environment


@dataclass(frozen=True)
class TokenScope:
    """What a presented token may see."""

    token_id: int
    kind: str
    environment: str
    all_projects: bool
    projects: frozenset[str]

    def allows_project(self, key: str) -> bool:
        return self.all_projects or key in self.projects


def hash_token(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def new_secret(projects: list[str], environment: str, all_projects: bool) -> str:
    """A new token in Unleash's format."""
    if all_projects:
        scope = "*"
    elif len(projects) == 1:
        scope = projects[0]
    else:
        scope = "[]"
    return f"{scope}:{environment}.{secrets.token_hex(28)}"


def display_prefix(secret: str) -> str:
    """What lists show of a token: its scope and the first characters of its secret."""
    scope, _, rest = secret.partition(".")
    return f"{scope}.{rest[:6]}"


class _TtlCache:
    def __init__(self):
        self._items: dict = {}
        self._lock = Lock()
        # Bumped by clear(): a value read from the database before a clear is not put back
        # after it (it may predate the change that caused the clear).
        self.generation = 0

    def get(self, key):
        item = self._items.get(key)
        if item is None or item[0] < time.monotonic():
            return None
        return item[1]

    def peek(self, key) -> tuple[object, bool]:
        """(value, fresh): a value up to three lifetimes old, which the caller may refresh."""
        item = self._items.get(key)
        if item is None:
            return None, False
        now = time.monotonic()
        grace = 2 * getattr(settings, "FLAGS_CACHE_SECONDS", 1.0)
        if item[0] + grace < now:
            return None, False
        return item[1], item[0] >= now

    def put(self, key, value, generation: int | None = None, ttl: float | None = None):
        ttl = getattr(settings, "FLAGS_CACHE_SECONDS", 1.0) if ttl is None else ttl
        with self._lock:
            if generation is not None and generation != self.generation:
                return value
            if len(self._items) > 10_000:
                self._items.clear()
            self._items[key] = (time.monotonic() + ttl, value)
        return value

    def clear(self):
        with self._lock:
            self.generation += 1
            self._items.clear()


_scopes = _TtlCache()
_environments = _TtlCache()
_revisions = _TtlCache()
_MISSING = TokenScope(0, "", "", False, frozenset())


def _secret_of(header: str) -> str:
    return (header[7:] if header[:7].lower() == "bearer " else header).strip()


def token_scope(header: str | None) -> TokenScope | None:
    """The scope of the token in an Authorization header, or None if it is not a live token."""
    if not header:
        return None
    secret = _secret_of(header)
    scope = _scopes.get(secret)
    if scope is None:
        scope = _scopes.put(secret, _load_scope(secret) or _MISSING)
    return None if scope is _MISSING else scope


def _load_scope(secret: str) -> TokenScope | None:
    token = ClientToken.objects.filter(token_hash=hash_token(secret),
                                       revoked_at__isnull=True).first()
    if token is None:
        return None
    projects = frozenset(token.projects.values_list("key", flat=True))
    return TokenScope(token.pk, token.kind, token.environment, token.all_projects, projects)


def query_for(scope: TokenScope, projects: list[str], name_prefix: str = "",
              inline_segments: bool = False, *, cached_only: bool = False,
              tags: tuple[tuple[str, str], ...] = ()) -> Query | None:
    """The environments a token sees, narrowed to `projects` when the SDK names some.

    With `cached_only`, None unless the answer is in memory (the fast path never queries).
    """
    wanted = tuple(sorted(set(projects))) if projects else ()
    key = (scope, wanted)
    found = _environments.peek(key)[0] if cached_only else _environments.get(key)
    if found is None and cached_only:
        return None
    if found is None:
        environments = Environment.objects.filter(key=scope.environment)
        if not scope.all_projects:
            environments = environments.filter(project__key__in=scope.projects)
        if wanted:
            environments = environments.filter(project__key__in=wanted)
        rows = list(environments.order_by("pk").values_list("pk", "project__key"))
        found = _environments.put(key, (tuple(pk for pk, _ in rows),
                                        tuple(sorted({p for _, p in rows}))))
    environment_ids, project_keys = found
    return Query(environment_ids=environment_ids, environment=scope.environment,
                 projects=wanted or project_keys, name_prefix=name_prefix,
                 inline_segments=inline_segments, tags=tags)


# While this process hears of every change by notification (PostgreSQL), a revision it read stays
# true until the next notification clears it; this only bounds how long a lost one could last.
NOTIFIED_REVISION_SECONDS = 30.0


def current_revision(environment_ids: tuple[int, ...]) -> int:
    """The revision of a set of environments, remembered for a moment (or, while changes
    arrive by notification, until the next change)."""
    found = _revisions.get(environment_ids)
    if found is None:
        generation = _revisions.generation
        ttl = NOTIFIED_REVISION_SECONDS if propagation.listener.listening else None
        found = _revisions.put(environment_ids, revision_of(environment_ids), generation, ttl)
    return found


def peek_scope(header: str) -> tuple[TokenScope | None, bool]:
    """A live token's scope if it is in memory (and whether it is fresh); never queries."""
    scope, fresh = _scopes.peek(_secret_of(header))
    return (None, False) if scope is None or scope is _MISSING else (scope, fresh)


def peek_environments(scope: TokenScope, projects: list[str]):
    """The (environment ids, project keys) of a scope if in memory, and whether fresh."""
    return _environments.peek((scope, tuple(sorted(set(projects))) if projects else ()))


def peek_revision(environment_ids: tuple[int, ...]) -> tuple[int | None, bool]:
    return _revisions.peek(environment_ids)


def refresh(header: str, projects: list[str]) -> None:
    """Reload what a request needs into the caches (run off the event loop)."""
    scope = token_scope(header)
    if scope is not None:
        current_revision(query_for(scope, projects).environment_ids)


def forget_revisions(**_kwargs) -> None:
    """A change was committed in this process: the next request reads the new revision."""
    _revisions.clear()


# Sent when tokens were created or revoked in this process (open streams check theirs).
tokens_changed = Signal()


def forget_tokens() -> None:
    """A token was created or revoked in this process."""
    _scopes.clear()
    _environments.clear()
    tokens_changed.send(sender=ClientToken)

"""Strict readers for settings that come from environment variables.

Every setting T-Minus reads goes through one of these helpers, so that a bad value stops start-up
with a message that names the variable, and so that `DECLARED` lists every setting for the test
that keeps docs/settings.md complete.
"""

import ipaddress
import os
import re
from pathlib import Path
from urllib.parse import parse_qsl, unquote, urlsplit

from django.core.exceptions import ImproperlyConfigured

DECLARED: dict[str, str] = {}

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


def _raw(name: str, default: str | None) -> str | None:
    DECLARED[name] = default if default is not None else ""
    return os.environ.get(name, default)


def env_str(name: str, default: str | None = None) -> str | None:
    """Read a string setting."""
    return _raw(name, default)


def env_bool(name: str, default: bool) -> bool:
    """Read a yes/no setting; anything but a clear yes or no is an error."""
    value = _raw(name, "true" if default else "false").strip().lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise ImproperlyConfigured(f"{name} must be true or false, not {value!r}.")


def env_int(name: str, default: int, *, minimum: int | None = None) -> int:
    """Read a whole-number setting."""
    value = _raw(name, str(default)).strip()
    try:
        number = int(value)
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be a whole number, not {value!r}.") from None
    if minimum is not None and number < minimum:
        raise ImproperlyConfigured(f"{name} must be at least {minimum}, not {number}.")
    return number


def env_list(name: str, default: str) -> list[str]:
    """Read a comma-separated list setting."""
    return [part.strip() for part in _raw(name, default).split(",") if part.strip()]


def env_hosts_and_ranges(name: str, default: str) -> list[str]:
    """Read a comma-separated list of host names (`*.example.com` too) and CIDR ranges."""
    entries = [entry.lower() for entry in env_list(name, default)]
    for entry in entries:
        if "/" in entry or ":" in entry:
            try:
                ipaddress.ip_network(entry.strip("[]"), strict=False)
            except ValueError:
                raise ImproperlyConfigured(
                    f"{name}: {entry!r} is not an address range such as 10.0.0.0/8 or fd00::/8."
                ) from None
        elif not re.fullmatch(r"(\*\.)?[a-z0-9_]([a-z0-9_.-]*[a-z0-9_])?", entry):
            raise ImproperlyConfigured(f"{name}: {entry!r} is not a host name or address range.")
    return entries


def env_path(name: str, default: str) -> Path:
    """Read a filesystem path setting, resolved against the working directory."""
    return Path(_raw(name, default)).expanduser().resolve()


def database_pool(*, min_size: int, max_size: int, timeout: int) -> dict:
    """Options of the connection pool each process keeps (psycopg_pool, through Django)."""
    if min_size > max_size:
        raise ImproperlyConfigured(
            f"TMINUS_DB_POOL_MIN ({min_size}) must not be above TMINUS_DB_POOL_MAX ({max_size})."
        )
    return {"min_size": min_size, "max_size": max_size, "timeout": timeout}


def database_from_url(url: str, *, variable: str = "DATABASE_URL",
                      pool: dict | None = None) -> dict:
    """Turn postgres://user:password@host:port/name?options into a Django DATABASES entry.

    With `pool`, each process borrows connections from a bounded pool for the length of a request
    and gives them back, so one process never holds more than the pool's max_size, however many
    request threads it runs. Django's pooling requires CONN_MAX_AGE 0: a connection is "closed"
    into the pool at the end of every request.
    """
    parts = urlsplit(url)
    if parts.scheme not in {"postgres", "postgresql"}:
        raise ImproperlyConfigured(
            f"{variable} must start with postgres:// or postgresql://, not {parts.scheme!r}://."
        )
    name = unquote(parts.path.lstrip("/"))
    if not name:
        raise ImproperlyConfigured(f"{variable} must name a database: postgres://host/NAME.")
    options = dict(parse_qsl(parts.query))
    if pool:
        options["pool"] = dict(pool)
    return {
        "ENGINE": "django.db.backends.postgresql",
        "NAME": name,
        "USER": unquote(parts.username or ""),
        "PASSWORD": unquote(parts.password or ""),
        "HOST": parts.hostname or "",
        "PORT": str(parts.port or ""),
        "OPTIONS": options,
        "CONN_MAX_AGE": 0,
        # Checked when borrowed, so a connection cut by a database restart is replaced.
        "CONN_HEALTH_CHECKS": True,
    }


def _narrow(path: Path, mode: int) -> None:
    # Only what this user owns can be narrowed; anything else is left for the operator.
    try:
        if path.stat().st_uid == os.getuid() and path.stat().st_mode & 0o777 != mode:
            path.chmod(mode)
    except (FileNotFoundError, PermissionError):
        pass


def private_dir(path: Path) -> Path:
    """The folder, created (or narrowed) so that only this user can enter it: 0700."""
    path.mkdir(mode=0o700, parents=True, exist_ok=True)
    _narrow(path, 0o700)
    return path


def private_file(path: Path) -> Path:
    """The file, created empty if missing (or narrowed) so that only this user can read it."""
    private_dir(path.parent)
    try:
        os.close(os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600))
    except FileExistsError:
        _narrow(path, 0o600)
    return path


def sqlite_database(path: Path) -> dict:
    """A SQLite database tuned for a web process and workers sharing one file.

    The file is created 0600 before SQLite opens it: SQLite gives its -wal and -shm files the
    database file's permissions, so they are private too.
    """
    private_file(path)
    for companion in ("-wal", "-shm", "-journal"):
        _narrow(path.with_name(path.name + companion), 0o600)
    return {
        "ENGINE": "django.db.backends.sqlite3",
        "NAME": str(path),
        "OPTIONS": {
            # WAL lets readers go on while a writer writes; IMMEDIATE takes the write lock at the
            # start of a transaction so two writers queue instead of failing half-way.
            "transaction_mode": "IMMEDIATE",
            "timeout": 20,
            "init_command": (
                "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;"
            ),
        },
    }


def secret_key_for(data_dir: Path) -> str:
    """The secret key: TMINUS_SECRET_KEY, or one generated once and kept in the data directory."""
    configured = _raw("TMINUS_SECRET_KEY", None)
    if configured:
        if len(configured) < 32:
            raise ImproperlyConfigured("TMINUS_SECRET_KEY must be at least 32 characters long.")
        return configured
    # No built-in default: each installation generates its own random key on first start.
    key_file = data_dir / "secret_key"
    private_dir(data_dir)
    if key_file.exists():
        _narrow(key_file, 0o600)
        return key_file.read_text().strip()
    import secrets

    key = secrets.token_urlsafe(50)
    private_file(key_file)
    key_file.write_text(key)
    return key

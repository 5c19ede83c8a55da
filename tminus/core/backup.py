"""Backups: one archive with the database, the secret key file and a manifest; and restoring it.

The archive is a gzipped tar:

    manifest.json      what the archive holds: format, T-Minus version, time, database kind, the
                       migrations the database had, row counts, a SHA-256 of every other member
    database.sqlite3   SQLite: a copy made with SQLite's online backup API (the server may run)
    database.pgdump    PostgreSQL: pg_dump's custom format, restored with pg_restore
    secret_key         the generated key from the data directory, when there is one; webhook
                       signing secrets are encrypted with it

`tminus backup FILE` and `tminus restore FILE [--force]` call the two services below.
"""

import hashlib
import io
import json
import os
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
import zlib
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from django.apps import apps
from django.conf import settings
from django.core.management import call_command
from django.db import connection, connections
from django.db.migrations.executor import MigrationExecutor
from django.db.migrations.recorder import MigrationRecorder

import tminus
from tminus.accounts.permissions import require
from tminus.accounts.roles import ADMINISTER
from tminus.audit.services import audit_operation
from tminus.conf import private_file
from tminus.core.actors import Actor
from tminus.core.errors import ServiceError

FORMAT, FORMAT_VERSION = "tminus-backup", 1
MANIFEST = "manifest.json"
DUMP_MEMBER = {"sqlite": "database.sqlite3", "postgresql": "database.pgdump"}
KEY_MEMBER = "secret_key"
# Rows that `migrate` itself writes: a database holding only these is as good as empty.
STRUCTURE_ONLY = {"contenttypes.contenttype", "auth.permission", "sessions.session",
                  "flags.revisionsequence"}
# The counts a person recognises, printed after a backup or a restore.
HEADLINE = {"accounts.user": ("user", "users"), "accounts.apitoken": ("API token", "API tokens"),
            "releases.release": ("release", "releases"), "flags.flag": ("flag", "flags"),
            "comms.channel": ("channel", "channels"),
            "audit.auditevent": ("audit event", "audit events")}
# Keys of Django's OPTIONS that are not libpq connection parameters.
NOT_LIBPQ = {"pool", "isolation_level", "assume_role", "server_side_binding", "cursor_factory",
             "prepare_threshold", "context", "options"}


class BackupRefused(ServiceError):
    """An archive that cannot be restored here, or a database that must not be overwritten."""


@dataclass
class BackupResult:
    path: Path
    manifest: dict
    size: int


@dataclass
class RestoreResult:
    path: Path
    manifest: dict
    contents: dict[str, int]
    migrations_applied: int
    key_restored: bool
    notes: list[str] = field(default_factory=list)


# -- what the database holds -------------------------------------------------------------------


def database_kind() -> str:
    return "sqlite" if connection.vendor == "sqlite" else "postgresql"


def data_contents() -> dict[str, int]:
    """Rows per model (app_label.model) that has any, leaving out what `migrate` writes itself."""
    tables = set(connection.introspection.table_names())
    counts = {}
    for model in apps.get_models():
        label = model._meta.label_lower
        if model._meta.db_table in tables and label not in STRUCTURE_ONLY:
            rows = model._base_manager.count()
            if rows:
                counts[label] = rows
    return counts


def describe(contents: dict[str, int]) -> str:
    """`3 users, 12 releases, … (1,234 rows in 40 tables)`."""
    named = [f"{contents[label]:,} {names[contents[label] != 1]}"
             for label, names in HEADLINE.items() if label in contents]
    total = sum(contents.values())
    return ", ".join([*named, f"{total:,} rows in {len(contents)} tables"])


def _applied_migrations() -> list[str]:
    applied = MigrationRecorder(connection).applied_migrations()
    return sorted(f"{app}.{name}" for app, name in applied)


# -- backup ------------------------------------------------------------------------------------


def backup_create(*, path: Path, actor: Actor) -> BackupResult:
    """Write an archive of the database and the secret key file to `path` (replacing it)."""
    require(actor, ADMINISTER)
    kind = database_kind()
    key_file = settings.DATA_DIR / KEY_MEMBER
    with tempfile.TemporaryDirectory(prefix="tminus-backup-") as work:
        members = {DUMP_MEMBER[kind]: Path(work) / DUMP_MEMBER[kind]}
        manifest = _manifest_start(kind)
        (_dump_sqlite if kind == "sqlite" else _dump_postgresql)(members[DUMP_MEMBER[kind]])
        if _key_is_from_file(key_file):
            members[KEY_MEMBER] = key_file
        manifest["files"] = {name: _sha256(file) for name, file in members.items()}
        _write_archive(path, manifest, members)
    size = path.stat().st_size
    audit_operation(actor=actor, action="backup.create", object_type="backup",
                    object_id=path.name[:64], object_label=str(path),
                    after={"file": str(path), "bytes": size, "database": kind,
                           "secret_key_included": KEY_MEMBER in members,
                           "contents": manifest["contents"]})
    return BackupResult(path=path, manifest=manifest, size=size)


def _manifest_start(kind: str) -> dict:
    return {
        "format": FORMAT,
        "format_version": FORMAT_VERSION,
        "tminus_version": tminus.__version__,
        "created_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "database": kind,
        "migrations": _applied_migrations(),
        "contents": data_contents(),
        # A fingerprint, not the key: restore warns when the key in use will not be this one.
        "secret_key_sha256": _fingerprint(settings.SECRET_KEY),
    }


def _key_is_from_file(key_file: Path) -> bool:
    # With TMINUS_SECRET_KEY set the file (if any) is not the key in use, and the archive has
    # no business carrying a key that lives in the operator's configuration.
    return not settings.SECRET_KEY_FROM_ENVIRONMENT and key_file.is_file()


def _dump_sqlite(target: Path) -> None:
    # SQLite's online backup API copies a consistent snapshot while the server keeps writing
    # (WAL: readers and the one writer do not block each other).
    connection.ensure_connection()
    copy = sqlite3.connect(target)
    try:
        connection.connection.backup(copy)
        # A self-contained file: no -wal beside it once closed.
        copy.execute("PRAGMA journal_mode=DELETE")
        verdict = copy.execute("PRAGMA integrity_check").fetchone()[0]
    finally:
        copy.close()
    if verdict != "ok":
        raise BackupRefused(f"The copy of the SQLite database failed its integrity check: "
                            f"{verdict}")


def _dump_postgresql(target: Path) -> None:
    _run_client("pg_dump", "--format=custom", "--file", str(target))


def _write_archive(path: Path, manifest: dict, members: dict[str, Path]) -> None:
    """Write to a .partial file beside `path`, readable by this user only, then move it."""
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(path.name + ".partial")
    partial.unlink(missing_ok=True)
    private_file(partial)
    try:
        with tarfile.open(partial, "w:gz") as archive:
            body = json.dumps(manifest, indent=2).encode()
            info = tarfile.TarInfo(MANIFEST)
            info.size, info.mtime, info.mode = len(body), int(datetime.now(UTC).timestamp()), 0o600
            archive.addfile(info, io.BytesIO(body))
            for name, file in members.items():
                archive.add(file, arcname=name, recursive=False)
        os.replace(partial, path)
    except BaseException:
        partial.unlink(missing_ok=True)
        raise


# -- restore -----------------------------------------------------------------------------------


def backup_restore(*, path: Path, force: bool, actor_after_restore) -> RestoreResult:
    """Replace the database (and the secret key file) with the archive's.

    Refuses an archive that does not check out, one of the other database kind, one made by a
    newer T-Minus, and (unless `force`) a database that holds data. `actor_after_restore` is
    called once the restored data is in place: the person named with --as exists only then.
    """
    kind = database_kind()
    with tempfile.TemporaryDirectory(prefix="tminus-restore-") as work:
        manifest, files = _unpack(path, Path(work))
        _check_restorable(manifest, kind)
        present = data_contents()
        if present and not force:
            raise BackupRefused(
                f"The database already holds data ({describe(present)}). Restoring replaces all "
                "of it; run again with --force to do so.")
        connections.close_all()
        (_load_sqlite if kind == "sqlite" else _load_postgresql)(files[DUMP_MEMBER[kind]])
        key_restored, notes = _restore_key(manifest, files.get(KEY_MEMBER),
                                           replacing_data=bool(present))
    applied = _migrate()
    result = RestoreResult(path=path, manifest=manifest, contents=data_contents(),
                           migrations_applied=applied, key_restored=key_restored, notes=notes)
    audit_operation(actor=actor_after_restore(), action="backup.restore", object_type="backup",
                    object_id=path.name[:64], object_label=str(path),
                    after={"file": str(path), "made_at": manifest["created_at"],
                           "made_by_version": manifest["tminus_version"], "database": kind,
                           "replaced_data": bool(present), "secret_key_restored": key_restored,
                           "migrations_applied": applied})
    return result


def _unpack(path: Path, work: Path) -> tuple[dict, dict[str, Path]]:
    """The manifest and the archive's files, copied out and checked against their SHA-256."""
    try:
        with tarfile.open(path, "r:*") as archive:
            manifest = _read_manifest(archive, path)
            files = {name: _copy_member(archive, name, work / name, path)
                     for name in manifest["files"]}
    except FileNotFoundError:
        raise BackupRefused(f"{path}: no such file.") from None
    except (tarfile.TarError, EOFError, zlib.error, OSError) as error:
        raise BackupRefused(f"{path} is not a T-Minus backup, or is damaged ({error}).") from None
    for name, file in files.items():
        if _sha256(file) != manifest["files"][name]:
            raise BackupRefused(f"{path}: {name} does not match its checksum in the manifest; "
                                "the archive is damaged.")
    return manifest, files


def _read_manifest(archive: tarfile.TarFile, path: Path) -> dict:
    try:
        manifest = json.load(archive.extractfile(MANIFEST))
    except (KeyError, AttributeError, ValueError, tarfile.TarError):
        raise BackupRefused(f"{path} is not a T-Minus backup (no readable {MANIFEST}).") from None
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        raise BackupRefused(f"{path} is not a T-Minus backup ({MANIFEST} is of another kind).")
    expected = {"format_version": int, "tminus_version": str, "created_at": str,
                "database": str, "migrations": list, "files": dict}
    wrong = [key for key, kind in expected.items() if not isinstance(manifest.get(key), kind)]
    if wrong:
        raise BackupRefused(f"{path}: the manifest lacks or garbles {', '.join(wrong)}.")
    if manifest["format_version"] > FORMAT_VERSION:
        raise BackupRefused(f"{path} has backup format {manifest['format_version']}; this "
                            f"T-Minus reads up to {FORMAT_VERSION}. Upgrade T-Minus first.")
    unsafe = [name for name in manifest["files"] if name not in {*DUMP_MEMBER.values(),
                                                                    KEY_MEMBER}]
    if unsafe:
        raise BackupRefused(f"{path}: unexpected files in the manifest: {', '.join(unsafe)}.")
    return manifest


def _copy_member(archive: tarfile.TarFile, name: str, target: Path, path: Path) -> Path:
    try:
        source = archive.extractfile(name)
    except KeyError:
        source = None
    if source is None:
        raise BackupRefused(f"{path}: {name} is listed in the manifest but missing.")
    with source, open(private_file(target), "wb") as out:
        shutil.copyfileobj(source, out)
    return target


def _check_restorable(manifest: dict, kind: str) -> None:
    if manifest["database"] != kind:
        raise BackupRefused(
            f"This backup is of a {kind_name(manifest['database'])} database and T-Minus is set "
            f"up for {kind_name(kind)} (DATABASE_URL); restore it into the same kind.")
    if DUMP_MEMBER[kind] not in manifest["files"]:
        raise BackupRefused(f"The backup holds no {DUMP_MEMBER[kind]}.")
    known = {f"{app}.{name}" for app, name in MigrationExecutor(connection).loader.disk_migrations}
    unknown = sorted(set(manifest["migrations"]) - known)
    if unknown:
        raise BackupRefused(
            f"This backup was made by a newer T-Minus ({manifest['tminus_version']}, with "
            f"migrations this one does not have: {', '.join(unknown[:5])}). Upgrade first.")


def kind_name(kind: str) -> str:
    return {"sqlite": "SQLite", "postgresql": "PostgreSQL"}.get(kind, repr(kind))


def _load_sqlite(dump: Path) -> None:
    # The backup API in the other direction: page by page into the configured database file,
    # under its write lock, whatever it held before.
    source = sqlite3.connect(f"file:{dump}?mode=ro", uri=True)
    connection.ensure_connection()
    try:
        source.backup(connection.connection)
    finally:
        source.close()
        connection.close()


def _load_postgresql(dump: Path) -> None:
    # The pool would hand out sessions opened before the restore; start from fresh ones.
    connection.close_pool()
    # One transaction: a restore that fails half-way leaves the database as it was.
    _run_client("pg_restore", "--clean", "--if-exists", "--no-owner", "--no-privileges",
                "--single-transaction", "--exit-on-error", str(dump))


def _restore_key(manifest: dict, archived_key: Path | None, *,
                 replacing_data: bool) -> tuple[bool, list[str]]:
    key_file = settings.DATA_DIR / KEY_MEMBER
    # Whether this installation reads its key from the file (rather than TMINUS_SECRET_KEY):
    # then the restored file is the key in use from the next start on.
    key_from_file = not settings.SECRET_KEY_FROM_ENVIRONMENT
    notes = []
    if archived_key is not None:
        key = archived_key.read_text().strip()
        if replacing_data:
            _keep_replaced_key(key_file, key)
        private_file(key_file).write_text(key)
        in_use = key if key_from_file else settings.SECRET_KEY
    else:
        notes.append("The backup holds no secret key file: its key came from "
                     "TMINUS_SECRET_KEY, which must stay as it was.")
        in_use = settings.SECRET_KEY
    if _fingerprint(in_use) != manifest.get("secret_key_sha256"):
        notes.append("Warning: the secret key T-Minus will use is not the one the backup was "
                     "made with, so stored webhook signing secrets cannot be read (set "
                     "TMINUS_SECRET_KEY to the old key, or set the secrets again).")
    return archived_key is not None, notes


def _keep_replaced_key(key_file: Path, new_key: str) -> None:
    """The key of the data a forced restore replaced is kept beside it, never thrown away (a
    fresh installation's key, generated a moment ago, protects nothing yet)."""
    if key_file.is_file() and key_file.read_text().strip() not in ("", new_key):
        stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S")
        os.replace(key_file, key_file.with_name(f"{KEY_MEMBER}.replaced-{stamp}"))


def _migrate() -> int:
    """Bring a backup made by an older T-Minus up to this one's schema; how many were applied."""
    executor = MigrationExecutor(connection)
    plan = executor.migration_plan(executor.loader.graph.leaf_nodes())
    call_command("migrate", interactive=False, verbosity=0)
    return len(plan)


# -- shared ------------------------------------------------------------------------------------


def _run_client(program: str, *args: str) -> None:
    """Run pg_dump or pg_restore against the configured database; refuse with its message."""
    binary = shutil.which(program)
    if binary is None:
        raise BackupRefused(f"{program} is not installed: install PostgreSQL's client programs "
                            "(Debian: postgresql-client) of the server's version or newer.")
    database = connection.settings_dict
    env = {**os.environ, "PGPASSWORD": database["PASSWORD"]} if database["PASSWORD"] else None
    result = subprocess.run([binary, "--dbname", _conninfo(database), *args], env=env,
                            capture_output=True, text=True)
    if result.returncode != 0:
        raise BackupRefused(f"{program} failed: {result.stderr.strip() or result.stdout.strip()}")


def _conninfo(database: dict) -> str:
    from psycopg.conninfo import make_conninfo

    # The password goes through PGPASSWORD, never on a command line others can list.
    params = {key: value for key, value in database["OPTIONS"].items() if key not in NOT_LIBPQ}
    params |= {"dbname": database["NAME"], "user": database["USER"], "host": database["HOST"],
               "port": database["PORT"]}
    return make_conninfo(**{key: value for key, value in params.items() if value})


def _sha256(file: Path) -> str:
    digest = hashlib.sha256()
    with open(file, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _fingerprint(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()

"""`tminus backup` and `tminus restore`: one archive with the database, the key and a manifest."""

import io
import json
import subprocess
import sys
import tarfile
from contextlib import ExitStack
from io import StringIO
from pathlib import Path

import httpx
import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection

from tests.factories import UserFactory
from tests.support import serve
from tminus.accounts.models import User
from tminus.audit.models import AuditEvent

PASSWORD = "rita-password-0123456"
SETUP = f"""
import json
from datetime import date
import django
django.setup()
from tminus.accounts.services import token_create, user_create
from tminus.comms.services import channel_create
from tminus.core.actors import Actor
from tminus.flags import services as flags
from tminus.releases import services as releases

actor = Actor.cli()
rita = user_create(username="rita", password="{PASSWORD}", role="release_manager", actor=actor)
product = releases.product_create(key="shop", name="Shop", actor=actor)
release = releases.release_create(product=product, name="Checkout revamp", template_key="minor",
                                  go_live=date(2027, 3, 1), version="2.4.0", actor=actor)
project = flags.project_create(key="shop", actor=actor)
for key, enabled in (("new-checkout", True), ("old-banner", False)):
    flag = flags.flag_create(project=project, key=key, actor=actor)
    flags.flag_environment_toggle(flag=flag, environment="production", enabled=enabled,
                                  actor=actor)
_channel, _shown = channel_create(name="Ops hook", kind="webhook", url="http://127.0.0.1:9/hook",
                                  secret="webhook-signing-secret-42", actor=actor)
_token, api_token = token_create(user=rita, name="script", actor=actor)
_token, client_token = flags.client_token_create(name="sdk", environment="production",
                                                 projects=["shop"], actor=actor)
print(json.dumps({{"api": api_token, "client": client_token, "release": release.key}}))
"""
READ_BACK = """
import django
django.setup()
from tminus.audit.models import AuditEvent
from tminus.comms.models import Channel
from tminus.comms.signing import secret_decrypt
print(secret_decrypt(Channel.objects.get(key="ops-hook").secret_encrypted))
print(AuditEvent.objects.filter(action="backup.restore").count())
"""
BACKENDS = [
    "sqlite",
    pytest.param("postgresql", marks=[
        pytest.mark.postgres,
        pytest.mark.skipif(not serve.postgres_url(),
                           reason="needs PostgreSQL (TMINUS_TEST_DATABASE_URL)")]),
]


def python(code: str, env: dict) -> list[str]:
    env = {**env, "DJANGO_SETTINGS_MODULE": "tminus.settings"}
    result = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True,
                            text=True, timeout=180)
    assert result.returncode == 0, result.stderr
    return result.stdout.strip().splitlines()


class Installation:
    """A T-Minus installation of its own: a data directory and, on PostgreSQL, a database."""

    def __init__(self, backend: str, data_dir: Path, stack, name: str):
        extra = {"TMINUS_OUTBOUND_ALLOW": "127.0.0.0/8"}
        if backend == "postgresql":
            extra["DATABASE_URL"] = stack.enter_context(serve.own_postgres_database(name))
        self.env = serve.production_env(data_dir, **extra)

    def tminus(self, *args: str) -> str:
        return serve.tminus(*args, env=self.env)


def _sign_in(client: httpx.Client) -> None:
    client.get("/accounts/login/")
    client.post("/accounts/login/", data={"username": "rita", "password": PASSWORD,
                                          "csrfmiddlewaretoken": client.cookies["csrftoken"]},
                headers={"Referer": str(client.base_url)})
    assert "sessionid" in client.cookies


@pytest.mark.parametrize("backend", BACKENDS)
def test_restore_into_fresh_installation_brings_back_pages_tokens_flags_and_key(
        backend, tmp_path):
    archive = tmp_path / "tminus-backup.tar.gz"
    with ExitStack() as stack:
        old = Installation(backend, tmp_path / "old", stack, "backup_old")
        old.tminus("migrate", "-v", "0")
        made = json.loads(python(SETUP, old.env)[-1])
        # SQLite's online backup copies the database while the server keeps serving it.
        with serve.serving(old.env, "--no-worker") as base:
            said = old.tminus("backup", str(archive))
            assert httpx.get(f"{base}/api/v1/me",
                             headers={"Authorization": f"Bearer {made['api']}"}).status_code == 200
        # Two people: rita and the admin account `serve` creates.
        assert "2 users, 1 API token, 1 release, 2 flags, 1 channel" in said
        assert archive.stat().st_mode & 0o077 == 0

        new = Installation(backend, tmp_path / "new", stack, "backup_new")
        said = new.tminus("restore", str(archive))
        assert f"Restored the {'SQLite' if backend == 'sqlite' else 'PostgreSQL'} database" in said
        assert "2 users, 1 API token, 1 release, 2 flags" in said
        assert "Restored the secret key file" in said and "Warning" not in said

        with serve.serving(new.env, "--no-worker") as base:
            me = httpx.get(f"{base}/api/v1/me",
                           headers={"Authorization": f"Bearer {made['api']}"})
            features = httpx.get(f"{base}/api/client/features",
                                 headers={"Authorization": made["client"]})
            with httpx.Client(base_url=base) as browser:
                _sign_in(browser)
                page = browser.get(f"/releases/{made['release']}/")
        decrypted_secret, restores_audited = python(READ_BACK, new.env)

    assert me.status_code == 200 and me.json()["username"] == "rita"
    assert features.status_code == 200
    assert {flag["name"]: flag["enabled"] for flag in features.json()["features"]} == {
        "new-checkout": True, "old-banner": False}
    assert page.status_code == 200 and "Checkout revamp" in page.text
    # Webhook signing secrets are encrypted with the key: the restored key reads them.
    assert decrypted_secret == "webhook-signing-secret-42"
    assert restores_audited == "1"


# -- refusals and audit, on the test database (nothing is restored) ----------------------------
# Committed data, as `tminus backup` sees it: SQLite's backup API waits for the lock an open
# transaction of its own connection would hold.
db_committed = pytest.mark.django_db(transaction=True)

def run(*args) -> str:
    out = StringIO()
    call_command(*args, stdout=out)
    return out.getvalue()


@pytest.fixture
def archive(tmp_path, admin_user):
    path = tmp_path / "backup.tar.gz"
    run("backup", str(path))
    return path


def rewrite(path: Path, change) -> Path:
    """A copy of the archive whose members went through change(name, bytes) -> bytes."""
    copy = path.with_name("changed-" + path.name)
    with tarfile.open(path) as source, tarfile.open(copy, "w:gz") as target:
        for member in source.getmembers():
            data = change(member.name, source.extractfile(member).read())
            member.size = len(data)
            target.addfile(member, io.BytesIO(data))
    return copy


def manifest_changed(**values):
    def change(name, data):
        if name != "manifest.json":
            return data
        return json.dumps({**json.loads(data), **values}).encode()

    return change


@db_committed
def test_backup_writes_private_archive_and_audits_it(archive):
    event = AuditEvent.objects.get(action="backup.create")
    assert event.interface == "cli" and event.object_label == str(archive)
    assert event.after["database"] == ("sqlite" if connection.vendor == "sqlite" else "postgresql")
    assert event.after["contents"]["accounts.user"] == 1
    assert archive.stat().st_mode & 0o777 == 0o600
    with tarfile.open(archive) as opened:
        assert opened.getnames()[0] == "manifest.json"


@db_committed
def test_backup_as_viewer_is_refused(tmp_path, viewer):
    with pytest.raises(CommandError, match="administer"):
        run("backup", str(tmp_path / "backup.tar.gz"), "--as", viewer.username)
    assert not (tmp_path / "backup.tar.gz").exists()


@db_committed
def test_restore_over_database_holding_data_is_refused_without_force(archive):
    UserFactory(username="written-after-the-backup")

    with pytest.raises(CommandError, match=r"already holds data \(2 users.*--force"):
        run("restore", str(archive))
    assert User.objects.filter(username="written-after-the-backup").exists()


@db_committed
def test_restore_of_damaged_archive_is_refused(archive):
    def damage(name, data):
        return data[:-10] + b"x" * 10 if name.startswith("database.") else data

    with pytest.raises(CommandError, match="does not match its checksum"):
        run("restore", str(rewrite(archive, damage)), "--force")


@db_committed
def test_restore_of_file_that_is_no_archive_is_refused(tmp_path, admin_user):
    notes = tmp_path / "notes.txt"
    notes.write_text("not a backup")
    with pytest.raises(CommandError, match="is not a T-Minus backup"):
        run("restore", str(notes), "--force")


@db_committed
def test_restore_of_archive_from_newer_version_is_refused(archive):
    newer = rewrite(archive, manifest_changed(
        tminus_version="9.0.0", migrations=["releases.9999_from_the_future"]))
    with pytest.raises(CommandError, match=r"newer T-Minus \(9.0.0.*9999_from_the_future"):
        run("restore", str(newer), "--force")


@db_committed
def test_restore_of_other_database_kind_is_refused(archive):
    other = "sqlite" if connection.vendor == "postgresql" else "postgresql"
    with pytest.raises(CommandError, match="restore it into the same kind"):
        run("restore", str(rewrite(archive, manifest_changed(database=other))), "--force")


@db_committed
def test_restore_of_archive_with_unknown_format_is_refused(archive):
    with pytest.raises(CommandError, match="backup format 2"):
        run("restore", str(rewrite(archive, manifest_changed(format_version=2))), "--force")

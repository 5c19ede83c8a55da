"""The data directory, the SQLite files and the secret key are private to T-Minus' user."""

import json
import os
import stat
import subprocess
import sys

from tminus import conf

# Starts T-Minus' settings on a fresh data directory under a permissive umask, writes through
# Django's connection (so SQLite makes its -wal and -shm files) and reports every mode.
SCRIPT = """
import json, os, stat, sys
os.umask(0o022)
import django
django.setup()
from django.conf import settings
from django.db import connection
with connection.cursor() as cursor:
    cursor.execute("CREATE TABLE probe (x integer)")
    cursor.execute("INSERT INTO probe VALUES (1)")
    data = settings.DATA_DIR
    names = ["", "tminus.sqlite3", "tminus.sqlite3-wal", "tminus.sqlite3-shm", "secret_key"]
    print(json.dumps({name or ".": oct(stat.S_IMODE(os.stat(data / name).st_mode))
                      for name in names}))
"""


def test_fresh_data_dir_sqlite_files_and_secret_key_are_private(tmp_path):
    data_dir = tmp_path / "fresh" / "tminus-data"
    env = {k: v for k, v in os.environ.items()
           if k not in ("DATABASE_URL", "TMINUS_SECRET_KEY")}
    env.update(DJANGO_SETTINGS_MODULE="tminus.settings", TMINUS_DATA_DIR=str(data_dir))

    result = subprocess.run([sys.executable, "-c", SCRIPT], env=env, capture_output=True,
                            text=True, timeout=60, check=False)

    assert result.returncode == 0, result.stderr
    modes = json.loads(result.stdout.strip().splitlines()[-1])
    assert modes == {".": "0o700", "tminus.sqlite3": "0o600", "tminus.sqlite3-wal": "0o600",
                     "tminus.sqlite3-shm": "0o600", "secret_key": "0o600"}


def test_existing_data_dir_and_database_with_wide_permissions_are_narrowed(tmp_path):
    data_dir = tmp_path / "data"
    data_dir.mkdir(mode=0o755)
    database = data_dir / "tminus.sqlite3"
    database.write_bytes(b"")
    database.chmod(0o644)

    conf.sqlite_database(database)

    assert stat.S_IMODE(data_dir.stat().st_mode) == 0o700
    assert stat.S_IMODE(database.stat().st_mode) == 0o600

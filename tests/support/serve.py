"""Real `tminus` processes for tests: the production server on a free port, and its own
PostgreSQL database next to the test database."""

import os
import subprocess
import sys
import threading
import time
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import pytest

from tests.support.network import free_port

TMINUS = [sys.executable, "-m", "tminus.cli"]
TEST_SETTINGS = ("DATABASE_URL", "TMINUS_ADMIN_PASSWORD", "TMINUS_SECRET_KEY",
                 "DJANGO_SETTINGS_MODULE")


def production_env(data_dir: Path, **extra: str) -> dict:
    """The environment of an operator running tminus: none of the test run's settings."""
    env = {key: value for key, value in os.environ.items() if key not in TEST_SETTINGS}
    return {**env, "TMINUS_DATA_DIR": str(data_dir), "TMINUS_LOG_LEVEL": "WARNING", **extra}


def tminus(*args: str, env: dict) -> str:
    """Run a tminus command to the end; its output, or the test fails with it."""
    result = subprocess.run([*TMINUS, *args], env=env, capture_output=True, text=True,
                            timeout=180)
    if result.returncode != 0:
        pytest.fail(f"tminus {' '.join(args)} failed:\n{result.stdout}\n{result.stderr}")
    return result.stdout


@contextmanager
def serving(env: dict, *args: str):
    """`tminus serve ARGS` on a free port until the block ends; yields its base URL."""
    if "--no-worker" in args:
        # A server meant to run without a worker: /healthz then says whether it answers.
        env = {**env, "TMINUS_HEALTH_REQUIRES_WORKER": "false"}
    port = free_port()
    process = start_serve(["--port", str(port), *args], env)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def start_serve(args: list[str], env: dict, timeout: float = 240) -> subprocess.Popen:
    """`tminus serve ARGS`, returned once it announces it is ready (it has answered its own
    health check by then); its later output is read and dropped so it never blocks on a full
    pipe. The test fails with the output if the server does not come up."""
    process = subprocess.Popen([*TMINUS, "serve", *args], env=env, stdout=subprocess.PIPE,
                               stderr=subprocess.STDOUT, text=True)
    lines = []
    deadline = time.monotonic() + timeout  # migrating a new database is slow on a busy machine
    while time.monotonic() < deadline:
        line = process.stdout.readline()
        if not line and process.poll() is not None:
            break
        lines.append(line)
        if "T-Minus is ready on" in line:
            threading.Thread(target=process.stdout.read, daemon=True).start()
            return process
    process.kill()
    pytest.fail("server did not start:\n" + "".join(lines))


def postgres_url() -> str:
    return os.environ.get("TMINUS_TEST_DATABASE_URL", "")


def with_database(url: str, name: str) -> str:
    parts = urlsplit(url)
    return urlunsplit(parts._replace(path=f"/{name}"))


@contextmanager
def own_postgres_database(suffix: str):
    """A fresh PostgreSQL database beside the test database, dropped afterwards; yields its URL."""
    import psycopg

    base_url = postgres_url()
    name = f"{urlsplit(base_url).path.lstrip('/')}_{suffix}"[:63]
    admin_url = with_database(base_url, "postgres")
    with psycopg.connect(admin_url, autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.execute(f'CREATE DATABASE "{name}"')
    try:
        yield with_database(base_url, name)
    finally:
        with psycopg.connect(admin_url, autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def connections_to(url: str) -> int:
    """How many server connections (sessions) the database of `url` has right now."""
    import psycopg

    name = urlsplit(url).path.lstrip("/")
    with psycopg.connect(with_database(url, "postgres"), autocommit=True) as admin:
        return admin.execute("SELECT count(*) FROM pg_stat_activity WHERE datname = %s",
                             [name]).fetchone()[0]

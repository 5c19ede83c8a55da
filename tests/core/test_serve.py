"""`tminus serve --demo` as a newcomer runs it: a real server process on a free port."""

import json
import os
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from tests.support.network import free_port

TMINUS = [sys.executable, "-m", "tminus.cli"]


def _newcomer_env(data_dir: Path) -> dict:
    """The environment of someone running tminus by hand: none of the test run's settings."""
    env = {key: value for key, value in os.environ.items()
           if key not in ("DATABASE_URL", "TMINUS_ADMIN_PASSWORD", "TMINUS_SECRET_KEY",
                          "DJANGO_SETTINGS_MODULE")}
    return {**env, "TMINUS_DATA_DIR": str(data_dir)}


def _serve(data_dir: Path, port: int, extra_env=None) -> tuple[subprocess.Popen, str]:
    """The server's output up to its announcement that it is ready, which ends with how to sign
    in (the admin password last)."""
    env = {**_newcomer_env(data_dir), **(extra_env or {}), "PYTHONUNBUFFERED": "1"}
    process = subprocess.Popen([*TMINUS, "serve", "--demo", "--port", str(port)], env=env,
                               stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    lines = []
    deadline = time.monotonic() + 240  # migrations and the demo on a busy machine
    while time.monotonic() < deadline:
        line = process.stdout.readline()
        if not line and process.poll() is not None:
            break
        lines.append(line)
        if "admin password:" in line or "password set before" in line:
            return process, "".join(lines)
    process.kill()
    pytest.fail("server did not start:\n" + "".join(lines))


def _stop(process: subprocess.Popen) -> None:
    process.terminate()
    try:
        process.wait(timeout=15)
    except subprocess.TimeoutExpired:
        process.kill()


def _get(url: str) -> tuple[int, str]:
    with urllib.request.urlopen(url, timeout=10) as response:
        return response.status, response.read().decode()


def _last_line(output: str) -> str:
    return [line for line in output.splitlines() if line.strip()][-1]


def test_serve_prints_the_admin_password_last_once_ready_with_the_url_it_serves_on(tmp_path):
    process, output = _serve(tmp_path, 0)
    try:
        ready = next(line for line in output.splitlines() if "T-Minus is ready on" in line)
        url = ready.split("ready on ")[1].split(" ")[0]
        port = int(url.rstrip("/").rsplit(":", 1)[1])
        assert port != 0 and url == f"http://127.0.0.1:{port}/"
        assert output.index("Uvicorn running") < output.index("T-Minus is ready on")
        assert _last_line(output).startswith("  admin password: ")
        assert _get(f"{url}healthz")[0] == 200
    finally:
        _stop(process)


def test_serve_demo_prints_admin_password_once_and_keeps_data_on_restart(tmp_path):
    port = free_port()
    process, output = _serve(tmp_path, port)
    try:
        assert "password:" in output
        assert "Demo data added." in output
        status, health = _get(f"http://127.0.0.1:{port}/healthz")
        assert status == 200
        assert json.loads(health)["worker"]["alive"] == 1  # the worker inside serve
        status, page = _get(f"http://127.0.0.1:{port}/accounts/login/")
        assert status == 200 and "Sign in" in page
    finally:
        _stop(process)
    assert (tmp_path / "tminus.sqlite3").exists()

    process, output = _serve(tmp_path, port)
    try:
        assert "password:" not in output
        assert "Demo data already present." in output
    finally:
        _stop(process)


def test_serve_takes_admin_password_from_environment(tmp_path):
    port = free_port()
    process, output = _serve(tmp_path, port, {"TMINUS_ADMIN_PASSWORD": "from-the-env-123"})
    try:
        assert "password:" not in output
        login = urllib.request.Request(f"http://127.0.0.1:{port}/api/v1/me")
        with pytest.raises(urllib.error.HTTPError) as refused:
            urllib.request.urlopen(login, timeout=10)
        assert refused.value.code == 401
    finally:
        _stop(process)
    check = subprocess.run(
        [*TMINUS, "shell", "-c",
         "from tminus.accounts.models import User;"
         "print(User.objects.get(username='admin').check_password('from-the-env-123'))"],
        env=_newcomer_env(tmp_path),
        capture_output=True, text=True, check=True,
    )
    assert check.stdout.strip().splitlines()[-1] == "True"


@pytest.mark.parametrize("level, logged", [("DEBUG", True), ("INFO", True), ("WARNING", False),
                                           ("ERROR", False), ("SOMETHING", True)])
def test_request_lines_are_written_only_at_levels_that_show_them(level, logged):
    from tminus.core.management.commands.serve import _logs_requests

    assert _logs_requests(level) is logged

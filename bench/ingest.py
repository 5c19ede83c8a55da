"""Event ingestion throughput: prints events per second, asserts nothing.

    python bench/ingest.py [--events 100000] [--batch 5000] [--database-url postgres://...]

Builds a fresh database (SQLite in a temporary data directory; with --database-url, a scratch
PostgreSQL database that it empties first) with one flag and two metrics, then records
`--events` new events (unique ids, times in the last hour, 5,000 users) twice:

- through the service (`tminus.metrics.services.events_record`), in-process;
- through the real HTTP endpoint (`POST /api/v1/events` with an ingest token) on the
  production ASGI server (uvicorn) started in a subprocess, from one client thread that keeps
  its connection open (bodies are serialized before the clock starts).

Then it sends the first HTTP batch again: a retry must count nothing twice.
Target: at least 20,000 events/s on a 2-core machine. On a machine busy with other work the
wall clock also counts their turns; the events per CPU second it prints do not.
"""

import argparse
import http.client
import json
import os
import socket
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
TARGET = 20_000


def setup_django(database_url: str) -> None:
    os.environ["TMINUS_DATA_DIR"] = tempfile.mkdtemp(prefix="tminus-bench-")
    os.environ.pop("DATABASE_URL", None)
    if database_url:
        os.environ["DATABASE_URL"] = database_url
    os.environ["DJANGO_SETTINGS_MODULE"] = "tminus.settings"
    os.environ["TMINUS_LOG_LEVEL"] = "WARNING"
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    if database_url:
        call_command("flush", interactive=False, verbosity=0)


def build_data() -> str:
    """A project, a flag, two metrics and an ingest token; returns the token's secret."""
    from tminus.core.actors import Actor
    from tminus.flags import services as flags
    from tminus.metrics import services as metrics

    actor = Actor.cli()
    project = flags.project_create(key="bench", actor=actor)
    flags.flag_create(project=project, key="bench-download", actor=actor)
    for key in ("download_click", "download_error"):
        metrics.metric_declare(key=key, actor=actor)
    _token, secret = flags.client_token_create(name="bench", environment="production",
                                               projects=["bench"], kind="ingest", actor=actor)
    return secret


def make_events(prefix: str, count: int) -> list[dict]:
    now = datetime.now(UTC)
    return [
        {"id": f"{prefix}-{n}", "name": "download_error" if n % 50 == 0 else "download_click",
         "time": (now - timedelta(seconds=n % 3600)).isoformat(), "value": 1,
         "flag": "bench-download", "variant": "on", "context": {"userId": f"u{n % 5000}"}}
        for n in range(count)
    ]


def batches(events: list[dict], size: int) -> list[list[dict]]:
    return [events[start:start + size] for start in range(0, len(events), size)]


def through_service(events: list[dict], size: int) -> tuple[float, int, float]:
    from tminus.metrics.services import events_record

    accepted = 0
    started, cpu = time.perf_counter(), cpu_seconds()
    for batch in batches(events, size):
        accepted += events_record(events=batch, environment="production").accepted
    return time.perf_counter() - started, accepted, cpu_seconds() - cpu


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def start_server(port: int) -> subprocess.Popen:
    server = subprocess.Popen(
        [sys.executable, "-m", "uvicorn", "tminus.asgi:application", "--host", "127.0.0.1",
         "--port", str(port), "--log-level", "warning", "--lifespan", "off"],
        cwd=ROOT, env=os.environ.copy())
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return server
        except OSError:
            time.sleep(0.1)
    server.kill()
    raise SystemExit("the server did not start within 30 s")


def post(connection: http.client.HTTPConnection, body: bytes, secret: str) -> dict:
    connection.request("POST", "/api/v1/events", body=body,
                       headers={"Authorization": secret, "Content-Type": "application/json"})
    response = connection.getresponse()
    answer = json.loads(response.read())
    if response.status != 200:
        raise SystemExit(f"HTTP {response.status}: {answer}")
    return answer


def through_http(server: subprocess.Popen, port: int, secret: str, events: list[dict],
                 size: int) -> tuple[float, int, float]:
    bodies = [json.dumps({"events": batch}).encode() for batch in batches(events, size)]
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
    post(connection, json.dumps({"events": []}).encode(), secret)  # warm up
    accepted = 0
    started, cpu = time.perf_counter(), cpu_seconds(server.pid)
    for body in bodies:
        accepted += post(connection, body, secret)["accepted"]
    elapsed, cpu = time.perf_counter() - started, cpu_seconds(server.pid) - cpu
    retry = post(connection, bodies[0], secret)
    connection.close()
    if retry["accepted"]:
        raise SystemExit(f"a retried batch was counted again: {retry}")
    return elapsed, accepted, cpu


def cpu_seconds(pid: int | None = None) -> float:
    """CPU time (user + system) used so far by this process, or by another one."""
    if pid is None:
        return time.process_time()
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def report(name: str, count: int, elapsed: float, accepted: int, cpu: float) -> None:
    rate = count / elapsed
    verdict = "ok" if rate >= TARGET else "under target"
    print(f"{name:<28} {rate:9,.0f} events/s   ({accepted:,} accepted in {elapsed:5.2f} s; "
          f"{rate / TARGET:.2f}x the {TARGET:,}/s target: {verdict})")
    # On a busy machine the wall clock counts other programs' turns too; CPU time does not.
    print(f"{'':<28} {count / cpu:9,.0f} events per CPU second of the "
          f"{'server' if 'HTTP' in name else 'process'}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=100_000)
    parser.add_argument("--batch", type=int, default=5000)
    parser.add_argument("--database-url", default="")
    args = parser.parse_args()
    setup_django(args.database_url)
    from django.db import connection

    secret = build_data()
    print(f"database: {connection.vendor}; {args.events:,} events in batches of {args.batch:,}")
    report("service (events_record)", args.events,
           *through_service(make_events("svc", args.events), args.batch))
    port = free_port()
    server = start_server(port)
    try:
        report("HTTP (POST /api/v1/events)", args.events,
               *through_http(server, port, secret, make_events("http", args.events), args.batch))
    finally:
        server.terminate()
        server.wait(timeout=10)


if __name__ == "__main__":
    main()

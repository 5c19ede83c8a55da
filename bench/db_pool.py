"""One web process under 50 concurrent requests on PostgreSQL: errors, speed, connections held.

Creates its own PostgreSQL database, starts the production server on it (`tminus serve --demo`,
one uvicorn process with its in-process worker, production settings and connection pool), then
sends 2,000 requests, 50 at a time, spread over API endpoints and pages (signed in with an API
token and with a session). While the load runs it samples pg_stat_activity for the server's
connections to that database. Prints errors, requests per second, p50/p95/p99 and the peak number
of connections against the pool's bound; asserts nothing. The database is dropped afterwards.

    python bench/db_pool.py [--database-url postgres://postgres@127.0.0.1:5432/tminus_bench_pool]
                            [--requests 2000] [--concurrency 50] [--pool-max 10] [--workers 1]

Before the pool (CONN_MAX_AGE=60, a connection per request thread) one process held 80 of 100
connections at this load and 20-49 % of requests failed with "too many clients".
"""

import argparse
import asyncio
import os
import re
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from collections import Counter
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import httpx
import psycopg

ROOT = Path(__file__).resolve().parent.parent
ADMIN_PASSWORD = "bench-admin-password-0123"


def tminus(*args: str) -> list[str]:
    return [sys.executable, "-c", "from tminus.cli import main; main()", *args]


def free_port() -> int:
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def server_url(url: str, database: str) -> str:
    return urlunsplit(urlsplit(url)._replace(path=f"/{database}"))


def recreate_database(url: str) -> None:
    name = urlsplit(url).path.lstrip("/")
    with psycopg.connect(server_url(url, "postgres"), autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.execute(f'CREATE DATABASE "{name}"')


def drop_database(url: str) -> None:
    name = urlsplit(url).path.lstrip("/")
    with psycopg.connect(server_url(url, "postgres"), autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


class ConnectionSampler(threading.Thread):
    """Counts the sessions connected to one database every 20 ms; keeps the highest count."""

    def __init__(self, url: str):
        super().__init__(daemon=True)
        self.name_ = urlsplit(url).path.lstrip("/")
        self.admin = psycopg.connect(server_url(url, "postgres"), autocommit=True)
        self.peak = 0
        self.stopped = threading.Event()

    def now(self) -> int:
        query = "SELECT count(*) FROM pg_stat_activity WHERE datname = %s"
        return self.admin.execute(query, [self.name_]).fetchone()[0]

    def run(self) -> None:
        while not self.stopped.is_set():
            self.peak = max(self.peak, self.now())
            time.sleep(0.02)

    def stop(self) -> int:
        self.stopped.set()
        self.join()
        self.admin.close()
        return self.peak


def start_server(env: dict, port: int, workers: int, log) -> subprocess.Popen:
    server = subprocess.Popen(
        tminus("serve", "--demo", "--host", "127.0.0.1", "--port", str(port),
               "--workers", str(workers)),
        env=env, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT, text=True)
    deadline = time.monotonic() + 180
    while time.monotonic() < deadline:
        if server.poll() is not None:
            log.seek(0)
            raise SystemExit(f"The server exited:\n{log.read()}")
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=1)
            return server
        except OSError:
            time.sleep(0.3)
    server.kill()
    raise SystemExit("The server did not start within 180 seconds.")


def sign_in(base: str) -> dict:
    """A session's cookies, got through the sign-in form as a person would."""
    with httpx.Client(base_url=base) as client:
        client.get("/accounts/login/")
        response = client.post("/accounts/login/", data={
            "username": "admin", "password": ADMIN_PASSWORD,
            "csrfmiddlewaretoken": client.cookies["csrftoken"]}, headers={"Referer": base})
        if "sessionid" not in client.cookies:
            raise SystemExit(f"Signing in failed ({response.status_code}).")
        return dict(client.cookies)


def targets(base: str, token: str, cookies: dict) -> list[tuple[str, dict, dict]]:
    """(path, headers, cookies) of the endpoints the load spreads over."""
    api = {"Authorization": f"Bearer {token}"}
    with httpx.Client(base_url=base, headers=api) as client:
        key = client.get("/api/v1/releases?limit=1").json()["items"][0]["key"]
    return [
        ("/api/v1/me", api, {}),
        ("/api/v1/releases", api, {}),
        (f"/api/v1/releases/{key}/checklists", api, {}),
        ("/", {}, cookies),
        (f"/releases/{key}/", {}, cookies),
        ("/healthz", {}, {}),
    ]


async def drive(base: str, plan: list, requests: int, concurrency: int):
    latencies: list[float] = []
    errors: Counter = Counter()
    queue: asyncio.Queue = asyncio.Queue()
    for index in range(requests):
        queue.put_nowait(plan[index % len(plan)])
    # Idle connections are dropped before uvicorn's 5 s keep-alive timeout would close them under
    # a request being sent (a client-side race, not a server error).
    limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency,
                          keepalive_expiry=2)

    async def one_client(client: httpx.AsyncClient) -> None:
        while not queue.empty():
            path, headers, cookies = queue.get_nowait()
            client.cookies = cookies
            started = time.perf_counter()
            try:
                response = await client.get(path, headers=headers)
                if response.status_code != 200:
                    errors[f"{response.status_code} {path}"] += 1
            except httpx.HTTPError as error:
                errors[f"{type(error).__name__} {path}"] += 1
            latencies.append(time.perf_counter() - started)

    started = time.perf_counter()
    async with httpx.AsyncClient(base_url=base, limits=limits, timeout=120) as client:
        await asyncio.gather(*(one_client(client) for _ in range(concurrency)))
    return latencies, errors, time.perf_counter() - started


def percentile(ordered: list[float], share: float) -> float:
    return 1000 * ordered[min(len(ordered) - 1, int(len(ordered) * share))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url",
                        default="postgres://postgres@127.0.0.1:5432/tminus_bench_pool",
                        help="a database of its own: it is dropped and created again")
    parser.add_argument("--requests", type=int, default=2000)
    parser.add_argument("--concurrency", type=int, default=50)
    parser.add_argument("--pool-max", type=int, default=10)
    parser.add_argument("--workers", type=int, default=1, help="web processes")
    options = parser.parse_args()

    recreate_database(options.database_url)
    data_dir = tempfile.mkdtemp(prefix="tminus-bench-")
    env = {**os.environ, "DATABASE_URL": options.database_url, "TMINUS_DATA_DIR": data_dir,
           "TMINUS_ADMIN_PASSWORD": ADMIN_PASSWORD, "TMINUS_LOG_LEVEL": "WARNING",
           "TMINUS_DB_POOL_MAX": str(options.pool_max),
           "DJANGO_SETTINGS_MODULE": "tminus.settings"}
    env.pop("TMINUS_SECRET_KEY", None)
    port = free_port()
    with tempfile.TemporaryFile(mode="w+") as log:
        measure(options, env, port, log)


def measure(options, env: dict, port: int, log) -> None:
    base = f"http://127.0.0.1:{port}"
    server = start_server(env, port, options.workers, log)
    try:
        token = subprocess.run(tminus("token", "create", "--user", "admin"), env=env, cwd=ROOT,
                               capture_output=True, text=True, check=True).stdout.strip()
        plan = targets(base, token, sign_in(base))
        asyncio.run(drive(base, plan, len(plan) * 5, 5))  # warm templates and caches
        sampler = ConnectionSampler(options.database_url)
        idle = sampler.now()
        sampler.start()
        latencies, errors, elapsed = asyncio.run(
            drive(base, plan, options.requests, options.concurrency))
        peak = sampler.stop()
    finally:
        server.terminate()
        server.wait(timeout=30)
        drop_database(options.database_url)
    report(options, plan, latencies, errors, elapsed, idle, peak)
    server_errors(log)


def server_errors(log) -> None:
    """What the server logged at ERROR or above (tracebacks of failed requests)."""
    log.seek(0)
    lines = [line.rstrip() for line in log if re.search(r"ERROR|CRITICAL|Traceback", line)]
    print(f"  server log    {len(lines)} error line(s)" + "".join(f"\n    {line[:160]}"
                                                             for line in lines[:10]))


def report(options, plan, latencies, errors, elapsed, idle, peak) -> None:
    ordered = sorted(latencies)
    bound = options.pool_max * options.workers
    paths = ", ".join(re.sub(r"/releases/[^/]+", "/releases/KEY", path) for path, *_ in plan)
    print(f"PostgreSQL; {options.workers} web process(es) with the in-process worker; pool "
          f"max {options.pool_max} per process; {options.requests} requests, "
          f"{options.concurrency} at a time, over {paths}")
    print(f"  errors        {sum(errors.values())}"
          + "".join(f"\n    {count:5} {what}" for what, count in errors.most_common()))
    print(f"  throughput    {len(ordered) / elapsed:.0f} requests/s ({elapsed:.1f} s)")
    print(f"  latency       p50 {percentile(ordered, 0.50):.0f} ms   "
          f"p95 {percentile(ordered, 0.95):.0f} ms   p99 {percentile(ordered, 0.99):.0f} ms   "
          f"(mean {1000 * statistics.mean(ordered):.0f} ms)")
    print(f"  connections   peak {peak} of the pool bound {bound} "
          f"({peak / bound:.2f} of the bound; {idle} before the load)")


if __name__ == "__main__":
    main()

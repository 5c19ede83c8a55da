"""Requests per second and latency of the client API (GET /api/client/features, as SDKs poll
it) and of the frontend API (GET /api/frontend, as browsers call it), optionally side by side
with an unleash-server.

Starts the production server (`tminus serve --no-worker`, uvicorn, production settings) on a
fresh SQLite database, or on PostgreSQL when DATABASE_URL is set, with 50 flags, then drives it
with 50 concurrent keep-alive connections: once with no ETag (200 answers with the whole state),
once with the current ETag (304 answers, what polling SDKs get almost always), then on the
frontend API twice: one user's context asked again and again (a browser polling), and a new
user in every request (nothing earlier can be reused). Prints figures; asserts nothing.

    python bench/client_api.py [--seconds 10] [--connections 50] [--workers 1]
        [--peer URL CLIENT_TOKEN [--peer-frontend-token TOKEN]]

With `--peer`, the same three loads run against that Unleash server (seeded with the same 50
flags by bench/seed_unleash_peer.py; see bench/README.md) in the same run, and the ratios
T-Minus / peer are printed. Compare with `--workers 1`: unleash-server is one process.

The load generator is `wrk` when it is on PATH (`apt-get install wrk`), otherwise the asyncio
generator below, run in its own process. Both share the machine with the server, so on a
2-core machine the server gets what the generator leaves: wrk leaves more.
"""

import argparse
import asyncio
import itertools
import multiprocessing
import os
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SETUP = """
import django
django.setup()
from tminus.core.actors import Actor
from tminus.flags import services
from tminus.flags.models import Project
actor = Actor.cli()
if not Project.objects.filter(key="bench").exists():  # a PostgreSQL database may be reused
    project = services.project_create(key="bench", actor=actor)
    segment = services.segment_create(name="bench-beta", actor=actor, constraints=[
        {"contextName": "plan", "operator": "IN", "values": ["beta", "pro"]}])
    for index in range(50):
        flag = services.flag_create(project=project, key=f"bench-flag-{index:02d}",
                                    actor=actor, description="A flag of the benchmark")
        services.flag_rollout_percentage_set(flag=flag, environment="production",
                                             percentage=index * 2, actor=actor)
        services.strategy_create(flag=flag, environment="production", name="userWithId",
                                 parameters={"userIds": "1,2,3,4,5"}, segments=[segment.pk],
                                 constraints=[{"contextName": "country", "operator": "IN",
                                               "values": ["NO", "SE", "DK"]}], actor=actor)
        services.flag_environment_toggle(flag=flag, environment="production", enabled=True,
                                         actor=actor)
_token, secret = services.client_token_create(name="bench", environment="production",
                                              projects=["bench"], actor=actor)
_token, frontend = services.client_token_create(name="bench-web", environment="production",
                                                projects=["bench"], kind="frontend", actor=actor)
print(secret, frontend)
"""
CLIENT_PATH = "/api/client/features"
FRONTEND_PATH = "/api/frontend?userId=7&properties[plan]=pro&properties[country]=NO"
# Each request from another user: nothing of an earlier answer fits, as on a busy site.
FRONTEND_USERS_PATH = "/api/frontend?userId={user}&properties[plan]=pro&properties[country]=NO"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def tminus(*args: str) -> list[str]:
    return [sys.executable, "-c", "from tminus.cli import main; main()", *args]


def prepare(env: dict) -> tuple[str, str]:
    """Migrate and add the flags; the (client, frontend) tokens."""
    subprocess.run(tminus("migrate", "-v", "0"), env=env, check=True, cwd=ROOT)
    result = subprocess.run([sys.executable, "-c", SETUP], env=env, check=True, cwd=ROOT,
                            capture_output=True, text=True)
    client, frontend = result.stdout.strip().splitlines()[-1].split()
    return client, frontend


def start_server(env: dict, port: int, workers: int) -> subprocess.Popen:
    server = subprocess.Popen(
        tminus("serve", "--no-worker", "--host", "127.0.0.1", "--port", str(port),
               "--workers", str(workers)),
        env=env, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=1)
            return server
        except OSError:
            time.sleep(0.2)
    server.kill()
    raise SystemExit("The server did not start within 60 seconds.")


# -- asyncio load generator ------------------------------------------------------------------


_users = itertools.count()


async def _connection(port: int, request: bytes, until: float, latencies: list, errors: list):
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    try:
        while time.monotonic() < until:
            started = time.perf_counter()
            writer.write(request.replace(b"{user}", str(next(_users)).encode()))
            head = await reader.readuntil(b"\r\n\r\n")
            status = int(head[9:12])
            match = re.search(rb"(?i)\r\ncontent-length:\s*(\d+)", head)
            if match:
                await reader.readexactly(int(match.group(1)))
            latencies.append(time.perf_counter() - started)
            if status not in (200, 304):
                errors.append(status)
    finally:
        writer.close()


async def _drive(port: int, request: bytes, connections: int, seconds: float):
    latencies: list[float] = []
    errors: list[int] = []
    until = time.monotonic() + seconds
    started = time.monotonic()
    await asyncio.gather(*(_connection(port, request, until, latencies, errors)
                           for _ in range(connections)))
    return latencies, errors, time.monotonic() - started


def _python_load(port, request, connections, seconds, queue):
    try:
        import uvloop

        uvloop.install()
    except ImportError:
        pass
    latencies, errors, elapsed = asyncio.run(_drive(port, request, connections, seconds))
    queue.put((latencies, errors, elapsed))


def python_load(port: int, path: str, headers: dict, connections: int, seconds: float) -> dict:
    lines = [f"GET {path} HTTP/1.1", "Host: 127.0.0.1",
             *(f"{k}: {v}" for k, v in headers.items()), "", ""]
    request = "\r\n".join(lines).encode()
    queue = multiprocessing.Queue()
    process = multiprocessing.Process(target=_python_load,
                                      args=(port, request, connections, seconds, queue))
    process.start()
    latencies, errors, elapsed = queue.get()
    process.join()
    latencies.sort()
    return {"requests": len(latencies), "rps": len(latencies) / elapsed,
            "p50_ms": 1000 * statistics.median(latencies) if latencies else 0,
            "p95_ms": 1000 * latencies[int(len(latencies) * 0.95) - 1] if latencies else 0,
            "p99_ms": 1000 * latencies[int(len(latencies) * 0.99) - 1] if latencies else 0,
            "errors": len(errors)}


# -- wrk ---------------------------------------------------------------------------------------


# A new user in each request's path, for paths that name one as {user}.
WRK_USERS = """
local user = 0
request = function()
  user = user + 1
  return wrk.format(nil, (string.gsub(wrk.path, "{user}", tostring(user))))
end
"""


def wrk_load(port: int, path: str, headers: dict, connections: int, seconds: float) -> dict:
    args = ["wrk", "-t", "1", "-c", str(connections), "-d", f"{int(seconds)}s", "--latency"]
    for key, value in headers.items():
        args += ["-H", f"{key}: {value}"]
    with tempfile.NamedTemporaryFile("w", suffix=".lua") as script:
        if "{user}" in path:
            script.write(WRK_USERS)
            script.flush()
            args += ["-s", script.name]
        output = subprocess.run([*args, f"http://127.0.0.1:{port}{path}"],
                                capture_output=True, text=True, check=True).stdout

    def millis(label):
        match = re.search(rf"{label}%\s+([\d.]+)(us|ms|s)", output)
        value, unit = float(match.group(1)), match.group(2)
        return value / 1000 if unit == "us" else value * 1000 if unit == "s" else value

    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    return {"requests": int(re.search(r"(\d+) requests in", output).group(1)),
            "rps": float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1)),
            "p50_ms": millis("50"), "p95_ms": None, "p99_ms": millis("99"),
            "errors": int(errors.group(1)) if errors else 0}


def measure(load, port: int, client_token: str, frontend_token: str | None,
            connections: int, seconds: float) -> dict[str, dict]:
    """The three loads against one server: 200, 304 and frontend answers."""
    headers = {"Authorization": client_token, "Unleash-Client-Spec": "5.1.0"}
    with urllib.request.urlopen(urllib.request.Request(
            f"http://127.0.0.1:{port}{CLIENT_PATH}", headers=headers)) as response:
        etag = response.headers["ETag"]
    loads = {"200 (full state)": (CLIENT_PATH, headers),
             "304 (ETag matches)": (CLIENT_PATH, {**headers, "If-None-Match": etag})}
    if frontend_token:
        loads["frontend (a user)"] = (FRONTEND_PATH, {"Authorization": frontend_token})
        loads["frontend (new users)"] = (FRONTEND_USERS_PATH, {"Authorization": frontend_token})
    for path, extra in loads.values():
        load(port, path, extra, connections, 2)  # warm up every worker and cache
    return {label: load(port, path, extra, connections, seconds)
            for label, (path, extra) in loads.items()}


def show(name: str, results: dict[str, dict]) -> None:
    print(name)
    for label, figures in results.items():
        p95 = "  (wrk)" if figures["p95_ms"] is None else f"{figures['p95_ms']:7.2f}"
        print(f"  {label:20} {figures['rps']:8.0f} req/s   p50 {figures['p50_ms']:6.2f} ms"
              f"   p95 {p95} ms   p99 {figures['p99_ms']:7.2f} ms   ({figures['requests']} "
              f"requests, {figures['errors']} errors)")


def load_average() -> str:
    """The machine's 1-minute load average: figures mean little without it on a shared one."""
    try:
        return f"{os.getloadavg()[0]:.2f} on {os.cpu_count()} cores"
    except OSError:
        return "unknown"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=10)
    parser.add_argument("--connections", type=int, default=50)
    parser.add_argument("--workers", type=int, default=1,
                        help="uvicorn worker processes (default 1)")
    parser.add_argument("--repeat", type=int, default=1,
                        help="measure this many times against the same server (default 1)")
    parser.add_argument("--generator", choices=["auto", "wrk", "python"], default="auto")
    parser.add_argument("--peer", nargs=2, metavar=("URL", "CLIENT_TOKEN"),
                        help="an unleash-server to measure in the same run")
    parser.add_argument("--peer-frontend-token", help="a frontend token of the peer")
    options = parser.parse_args()
    use_wrk = options.generator == "wrk" or (options.generator == "auto"
                                             and shutil.which("wrk"))
    load = wrk_load if use_wrk else python_load

    data_dir = tempfile.mkdtemp(prefix="tminus-bench-")
    env = {**os.environ, "TMINUS_DATA_DIR": data_dir, "TMINUS_LOG_LEVEL": "WARNING",
           "TMINUS_ADMIN_PASSWORD": "bench-admin-password-0123",
           # The server runs without a worker; /healthz then only says whether it answers.
           "TMINUS_HEALTH_REQUIRES_WORKER": "false",
           "DJANGO_SETTINGS_MODULE": "tminus.settings"}
    database = "PostgreSQL" if env.get("DATABASE_URL") else "SQLite"
    client_token, frontend_token = prepare(env)
    port = free_port()
    server = start_server(env, port, options.workers)
    try:
        print(f"50 flags; {database}; {options.workers} uvicorn worker(s); "
              f"{options.connections} connections; {'wrk' if use_wrk else 'asyncio'} load for "
              f"{options.seconds:g} s each")
        for run in range(1, options.repeat + 1):
            before = load_average()
            ours = measure(load, port, client_token, frontend_token, options.connections,
                           options.seconds)
            show(f"T-Minus, run {run} of {options.repeat} (load average {before} before, "
                 f"{load_average()} after)", ours)
    finally:
        server.terminate()
        server.wait(timeout=30)
        shutil.rmtree(data_dir, ignore_errors=True)
    if options.peer:
        url, peer_token = options.peer
        peer_port = urllib.parse.urlsplit(url).port
        theirs = measure(load, peer_port, peer_token, options.peer_frontend_token,
                         options.connections, options.seconds)
        show(f"unleash-server at {url}", theirs)
        print("T-Minus / unleash-server")
        for label, figures in theirs.items():
            ratio = ours[label]["rps"] / figures["rps"] if figures["rps"] else float("inf")
            print(f"  {label:20} {ratio:6.1f}x requests/s   p99 {ours[label]['p99_ms']:.2f} ms "
                  f"against {figures['p99_ms']:.2f} ms")


if __name__ == "__main__":
    main()

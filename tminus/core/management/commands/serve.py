import http.client
import logging
import os
import threading
import time

from django.conf import settings
from django.core.management import call_command

from tminus.accounts.services import admin_ensure
from tminus.core.demo_loader import demo_load
from tminus.core.management.base import TMinusCommand

READY_TIMEOUT_SECONDS = 120
WILDCARD_HOSTS = ("0.0.0.0", "::", "")


class Command(TMinusCommand):
    help = "Migrate, make sure the admin account exists, and run the production ASGI server."

    def add_arguments(self, parser):
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=8000,
                            help="TCP port (default 8000; 0 picks a free one).")
        parser.add_argument("--workers", type=int, default=1,
                            help="Web server processes (default 1).")
        parser.add_argument("--demo", action="store_true",
                            help="Add demo products and releases (once; later starts keep data).")
        parser.add_argument("--no-worker", action="store_true",
                            help="Do not run a background worker inside this process.")

    def handle(self, *args, host, port, workers, demo, no_worker, **options):
        call_command("migrate", interactive=False, verbosity=0)
        password = self._ensure_admin()
        if demo:
            created = demo_load()
            self.stdout.write("Demo data added." if created else "Demo data already present.")
        worker = None if no_worker else self._start_worker()
        import uvicorn
        from uvicorn.supervisors import Multiprocess

        config = uvicorn.Config("tminus.asgi:application", host=host, port=port, workers=workers,
                                log_level=settings.LOG_LEVEL.lower(), proxy_headers=True,
                                access_log=_logs_requests(settings.LOG_LEVEL),
                                lifespan="off",
                                timeout_graceful_shutdown=settings.SERVE_GRACEFUL_SECONDS)
        # The socket is bound here, before the server starts, so that the address announced is
        # the one really served on (with --port 0 the kernel picks the port).
        sock = config.bind_socket()
        threading.Thread(target=self._announce_when_ready, args=(sock.getsockname(), password),
                         name="tminus-ready", daemon=True).start()
        if workers > 1:
            Multiprocess(config, sockets=[sock]).run()
        else:
            uvicorn.Server(config).run(sockets=[sock])
        if worker is not None:
            self._stop_worker(*worker)

    def _ensure_admin(self) -> str | None:
        _admin, generated = admin_ensure(password=os.environ.get("TMINUS_ADMIN_PASSWORD"))
        return generated

    def _announce_when_ready(self, address, password: str | None) -> None:
        """Once the server answers its health check: where it serves and how to sign in, the
        admin password last so that it is the line a newcomer sees."""
        host, port = address[0], address[1]
        probe_host = "127.0.0.1" if host in WILDCARD_HOSTS else host
        shown = f"[{host}]" if ":" in host else host
        url = f"http://{'127.0.0.1' if host in WILDCARD_HOSTS else shown}:{port}/"
        if not _wait_until_healthy(probe_host, port):
            self.stderr.write(f"T-Minus did not answer on {url} within "
                              f"{READY_TIMEOUT_SECONDS} seconds.")
            return
        lines = [f"T-Minus is ready on {url} (data in {settings.DATA_DIR})"]
        if host in WILDCARD_HOSTS:
            lines.append(f"  (listening on every address of this machine, port {port})")
        if password:
            lines += ["Sign in as admin. This password is shown once; change it after signing in.",
                      f"  admin password: {password}"]
        else:
            lines.append("Sign in as admin with the password set before.")
        self.stdout.write("\n".join(lines))
        self.stdout.flush()

    @staticmethod
    def _start_worker() -> tuple[threading.Event, threading.Thread]:
        from tminus.worker.health import heartbeat_start
        from tminus.worker.loop import default_worker_name, run_forever

        name = f"{default_worker_name()}:serve"
        # Registered before the server answers, so /healthz never sees a server without it.
        heartbeat_start(name)
        stop = threading.Event()
        thread = threading.Thread(target=run_forever, args=(name,), kwargs={"stop": stop},
                                  name="tminus-worker", daemon=True)
        thread.start()
        return stop, thread

    @staticmethod
    def _stop_worker(stop: threading.Event, thread: threading.Thread) -> None:
        # An idle worker stops at once and removes its heartbeat, so a restart leaves no stale
        # worker behind; one in the middle of a round is not waited for (the lease covers it).
        stop.set()
        thread.join(timeout=1)


def _logs_requests(level: str) -> bool:
    """Whether the server writes a line per request: it logs them at INFO, and above that
    uvicorn would still format each line only to drop it (a few percent of a busy API)."""
    return logging.getLevelNamesMapping().get(level, logging.INFO) <= logging.INFO


def _wait_until_healthy(host: str, port: int) -> bool:
    """True once GET /healthz gives any HTTP answer on this machine's own server.

    Any status counts: /healthz answers 503 while no worker runs (with --no-worker, or before
    a separate worker starts), and the server is up all the same.
    """
    deadline = time.monotonic() + READY_TIMEOUT_SECONDS
    while time.monotonic() < deadline:
        connection = http.client.HTTPConnection(host, port, timeout=2)
        try:
            connection.request("GET", "/healthz")
            connection.getresponse().read()
            return True
        except (OSError, http.client.HTTPException):
            pass
        finally:
            connection.close()
        time.sleep(0.1)
    return False

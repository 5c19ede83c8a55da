import os
import threading

from django.conf import settings
from django.core.management import call_command

from tminus.accounts.services import admin_ensure
from tminus.core.demo_loader import demo_load
from tminus.core.management.base import TMinusCommand


class Command(TMinusCommand):
    help = "Migrate, make sure the admin account exists, and run the production ASGI server."

    def add_arguments(self, parser):
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=8000)
        parser.add_argument("--workers", type=int, default=1,
                            help="Web server processes (default 1).")
        parser.add_argument("--demo", action="store_true",
                            help="Add demo products and releases (once; later starts keep data).")
        parser.add_argument("--no-worker", action="store_true",
                            help="Do not run a background worker inside this process.")

    def handle(self, *args, host, port, workers, demo, no_worker, **options):
        call_command("migrate", interactive=False, verbosity=0)
        self._ensure_admin()
        if demo:
            created = demo_load()
            self.stdout.write("Demo data added." if created else "Demo data already present.")
        worker = None if no_worker else self._start_worker()
        self.stdout.write(f"T-Minus on http://{host}:{port}/ (data in {settings.DATA_DIR})")
        self.stdout.flush()
        import uvicorn

        uvicorn.run("tminus.asgi:application", host=host, port=port, workers=workers,
                    log_level=settings.LOG_LEVEL.lower(), proxy_headers=True, lifespan="off",
                    timeout_graceful_shutdown=settings.SERVE_GRACEFUL_SECONDS)
        if worker is not None:
            self._stop_worker(*worker)

    def _ensure_admin(self):
        _admin, generated = admin_ensure(password=os.environ.get("TMINUS_ADMIN_PASSWORD"))
        if generated:
            self.stdout.write(self.style.WARNING(
                f"Created the admin account.\n  username: admin\n  password: {generated}\n"
                "This password is shown once; change it after signing in."
            ))

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

from django.core.management.base import BaseCommand
from django.utils.module_loading import autodiscover_modules

from tminus.worker.loop import default_worker_name, run_forever, run_once


class Command(BaseCommand):
    help = "Run the background worker: claims due jobs and periodic tasks until stopped."

    def add_arguments(self, parser):
        parser.add_argument("--name", default="", help="Worker name shown in job locks.")
        parser.add_argument("--once", action="store_true", help="Run one round and exit.")

    def handle(self, *args, name="", once=False, **options):
        worker_name = name or default_worker_name()
        if once:
            autodiscover_modules("tasks")
            ran = run_once(worker_name)
            self.stdout.write(f"ran {ran} task(s)")
            return
        run_forever(worker_name)

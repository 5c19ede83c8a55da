"""How often the rollout check really runs: prints the measured interval, asserts nothing.

    python bench/worker_interval.py [--seconds 30] [--poll 2] [--check 3]

Runs the real worker loop (`tminus.worker.loop.run_forever`) in this process on a fresh SQLite
database with TMINUS_WORKER_POLL_SECONDS=--poll and TMINUS_ROLLOUT_CHECK_SECONDS=--check, and
notes each moment the rollout check starts. Then it runs the same loop for the same time the way
the worker used to idle (a whole poll after every idle look) as the peer. Target: every interval,
the longest too, within 5% of the configured one. Sleeping a whole poll pushes a check to the
next multiple of the poll (a 3 s check with a 2 s poll waits 4 s); since a late check no longer
shifts the schedule, the peer's mean stays near 3 s but its longest interval shows the delay.
"""

import argparse
import itertools
import os
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def setup_django(poll: int, check: int) -> None:
    os.environ["TMINUS_DATA_DIR"] = tempfile.mkdtemp(prefix="tminus-bench-")
    os.environ.pop("DATABASE_URL", None)
    os.environ["DJANGO_SETTINGS_MODULE"] = "tminus.settings"
    os.environ["TMINUS_LOG_LEVEL"] = "WARNING"
    os.environ["TMINUS_WORKER_POLL_SECONDS"] = str(poll)
    os.environ["TMINUS_ROLLOUT_CHECK_SECONDS"] = str(check)
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def measure(seconds: float, worker_name: str) -> list[float]:
    """Intervals between the starts of the rollout check while the loop runs for `seconds`."""
    from django.utils.module_loading import autodiscover_modules

    from tminus.rollouts import services as rollouts
    from tminus.worker.loop import run_forever

    autodiscover_modules("tasks")
    starts: list[float] = []
    real_check = rollouts.rollouts_check

    def timed_check(*args, **kwargs):
        starts.append(time.monotonic())
        return real_check(*args, **kwargs)

    rollouts.rollouts_check = timed_check
    stop = threading.Event()
    threading.Timer(seconds, stop.set).start()
    try:
        run_forever(worker_name, stop=stop)
    finally:
        rollouts.rollouts_check = real_check
    return [later - earlier for earlier, later in itertools.pairwise(starts)]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=30)
    parser.add_argument("--poll", type=int, default=2)
    parser.add_argument("--check", type=int, default=3)
    options = parser.parse_args()
    setup_django(options.poll, options.check)
    from django.conf import settings

    from tminus.worker import loop
    from tminus.worker.models import Schedule

    now_way = measure(options.seconds, "bench-now")
    Schedule.objects.all().delete()
    real_idle = loop.idle_seconds
    loop.idle_seconds = lambda: float(settings.WORKER_POLL_SECONDS)  # the old way: a whole poll
    try:
        old_way = measure(options.seconds, "bench-old")
    finally:
        loop.idle_seconds = real_idle

    print(f"rollout check every {options.check} s, worker poll {options.poll} s, "
          f"{options.seconds:.0f} s each")
    for label, intervals in (("sleep until due", now_way), ("sleep a whole poll", old_way)):
        mean = statistics.mean(intervals)
        print(f"  {label:<20} {len(intervals) + 1:3d} checks, mean interval {mean:5.2f} s "
              f"(max {max(intervals):5.2f} s), {mean / options.check:4.2f}x the configured one")


if __name__ == "__main__":
    main()

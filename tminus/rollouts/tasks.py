"""The worker's part: check live rollouts every few seconds, and the after-launch work."""

from django.conf import settings

from tminus.rollouts import services
from tminus.worker.registry import periodic

AFTER_LAUNCH_SECONDS = 300


@periodic("rollouts.check", settings.ROLLOUT_CHECK_SECONDS)
def rollouts_check() -> None:
    services.rollouts_check()


@periodic("rollouts.after_launch", AFTER_LAUNCH_SECONDS)
def rollouts_after_launch() -> None:
    services.rollout_checkins_take()
    services.rollout_cleanups_create()

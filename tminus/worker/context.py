from tminus.accounts.permissions import can
from tminus.accounts.roles import ADMINISTER
from tminus.worker.health import worker_health


def worker_banner(request):
    """For admins, the workers' state when none is alive: the base template shows a banner.

    Only admins can act on it (start or restart a worker), so only their pages pay the query.
    """
    if not can(getattr(request, "user", None), ADMINISTER):
        return {}
    health = worker_health()
    return {"worker_down": None if health.ok else health}

import logging
import sys

from django.db import connection
from django.http import HttpResponsePermanentRedirect, JsonResponse
from django.templatetags.static import static

from tminus.accounts.permissions import can
from tminus.accounts.roles import ADMINISTER
from tminus.core.failures import failure_page, failure_response
from tminus.worker.health import worker_health

log = logging.getLogger("tminus.health")


def healthz(request):
    """200 when the database answers and a worker is alive, else 503; no sign-in needed.

    The body says which part failed: `database` (its error), and `worker` with every known
    worker's last good round and whether its last round failed (the error itself for admins).
    Without a live worker the answer is 503 unless TMINUS_HEALTH_REQUIRES_WORKER is off (a web
    tier that is meant to run with no worker).
    """
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
        workers = worker_health()
    except Exception as error:
        return _unhealthy({"status": "error", "database": str(error), "worker": None},
                          f"database: {error}")
    body = {"status": "ok" if workers.ok else "error", "database": "ok",
            "worker": workers.as_json(errors=can(request.user, ADMINISTER))}
    if not workers.ok:
        return _unhealthy(body, f"worker: {body['worker']['status']}")
    return JsonResponse(body)


def _unhealthy(body: dict, reason: str) -> JsonResponse:
    """A 503 is the probe's expected answer while a part is down, not a server error: one
    warning line here, and Django's request logger is told it was logged already."""
    log.warning("/healthz answers 503 (%s)", reason)
    response = JsonResponse(body, status=503)
    response._has_been_logged = True
    return response


def favicon(request):
    """Browsers ask for /favicon.ico on every page whatever the page links; send them the icon."""
    return HttpResponsePermanentRedirect(static("tminus/favicon.svg"))


def server_error(request):
    """Django's last resort (handler500): JSON under /api/, a page with the error id elsewhere.

    The API's own routers answer their errors through tminus.core.api; this catches what fails
    outside them: the flag client APIs and anything a middleware raises.
    """
    if request.path.startswith("/api/"):
        return failure_response(request, sys.exc_info()[1])
    return failure_page(request, sys.exc_info()[1])

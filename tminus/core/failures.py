"""Answers for requests that failed on the server: JSON for the API, a page for people.

A database that cannot be reached (or is locked past its timeout) is a passing condition: 503
with `Retry-After`, so clients and SDKs retry and a page reloads by itself. Anything else
unexpected is a 500 that carries an error id; the same id is logged with the traceback, so a
report can be matched up.
"""

import logging
import uuid

from django.db.utils import InterfaceError, OperationalError
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.template.loader import render_to_string

log = logging.getLogger("tminus.errors")

# How long clients are asked to wait before retrying while the database is unavailable.
RETRY_AFTER_SECONDS = 5
UNAVAILABLE = (OperationalError, InterfaceError)


def failure_response(request: HttpRequest, error: BaseException | None) -> JsonResponse:
    """The JSON answer for an exception nothing else handled, logged under a fresh error id."""
    error_id, unavailable = _log_failure(request, error)
    if unavailable:
        response = JsonResponse({
            "detail": "The database is unavailable at the moment; try again shortly.",
            "error_id": error_id}, status=503)
        response["Retry-After"] = str(RETRY_AFTER_SECONDS)
        return response
    return JsonResponse({
        "detail": f"Something went wrong on the server (error {error_id}); it has been logged.",
        "error_id": error_id}, status=500)


def failure_page(request: HttpRequest, error: BaseException | None) -> HttpResponse:
    """The page a person sees instead: while the database is away, one that says so and
    reloads itself; otherwise the error id to quote. Rendered without the request's context,
    whose processors would query the database."""
    error_id, unavailable = _log_failure(request, error)
    if unavailable:
        context = {"title": "T-Minus cannot reach its database",
                   "message": "The database is unavailable at the moment, for example during a "
                              "restart or a failover. Nothing is wrong with what you asked for.",
                   "retry_after": RETRY_AFTER_SECONDS}
    else:
        context = {"title": "Something went wrong on the server",
                   "message": "The error has been logged."}
    response = HttpResponse(render_to_string("core/errors/failure.html",
                                             {**context, "error_id": error_id}),
                            status=503 if unavailable else 500)
    if unavailable:
        response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    return response


def _log_failure(request: HttpRequest, error: BaseException | None) -> tuple[str, bool]:
    """Log the failure under a fresh error id; the id, and whether the database was away."""
    error_id = uuid.uuid4().hex[:12]
    where = f"{request.method} {request.path}"
    unavailable = isinstance(error, UNAVAILABLE)
    if unavailable:
        log.error("database unavailable (error %s) on %s: %s", error_id, where, error)
    else:
        log.error("unhandled error %s on %s", error_id, where,
                  exc_info=(type(error), error, error.__traceback__) if error else None)
    return error_id, unavailable

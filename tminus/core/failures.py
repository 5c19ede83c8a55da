"""JSON answers for requests that failed on the server, so an API client never gets HTML.

A database that cannot be reached (or is locked past its timeout) is a passing condition: 503
with `Retry-After`, so clients and SDKs retry. Anything else unexpected is a 500 whose body
carries an error id; the same id is logged with the traceback, so a report can be matched up.
"""

import logging
import uuid

from django.db.utils import InterfaceError, OperationalError
from django.http import HttpRequest, JsonResponse

log = logging.getLogger("tminus.errors")

# How long clients are asked to wait before retrying while the database is unavailable.
RETRY_AFTER_SECONDS = 5
UNAVAILABLE = (OperationalError, InterfaceError)


def failure_response(request: HttpRequest, error: BaseException | None) -> JsonResponse:
    """The JSON answer for an exception nothing else handled, logged under a fresh error id."""
    error_id = uuid.uuid4().hex[:12]
    where = f"{request.method} {request.path}"
    if isinstance(error, UNAVAILABLE):
        log.error("database unavailable (error %s) on %s: %s", error_id, where, error)
        response = JsonResponse({
            "detail": "The database is unavailable at the moment; try again shortly.",
            "error_id": error_id}, status=503)
        response["Retry-After"] = str(RETRY_AFTER_SECONDS)
        return response
    log.error("unhandled error %s on %s", error_id, where,
              exc_info=(type(error), error, error.__traceback__) if error else None)
    return JsonResponse({
        "detail": f"Something went wrong on the server (error {error_id}); it has been logged.",
        "error_id": error_id}, status=500)

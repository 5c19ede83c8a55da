"""The JSON API under /api/v1: authentication, error answers, and each area's router."""

import importlib

from django.apps import apps
from django.conf import settings
from django.core.exceptions import (
    BadRequest,
    PermissionDenied,
    RequestDataTooBig,
    SuspiciousOperation,
)
from django.http import HttpRequest
from ninja import NinjaAPI
from ninja.errors import AuthenticationError
from ninja.errors import ValidationError as NinjaValidationError
from ninja.security import HttpBearer, SessionAuth

from tminus.accounts.permissions import require
from tminus.accounts.services import token_authenticate
from tminus.core.actors import WEB, Actor
from tminus.core.concurrency import REVISION_MISSING
from tminus.core.errors import ServiceError, StaleWrite, ValidationFailed
from tminus.core.failures import failure_response


class TokenAuth(HttpBearer):
    """Scripts send `Authorization: Bearer <personal API token>`."""

    def authenticate(self, request, token):
        return token_authenticate(token)


class BrowserSessionAuth(SessionAuth):
    """The browser uses its session; unsafe methods need the CSRF token (SessionAuth checks it).

    A call made with the session comes from T-Minus' own pages (a tick on the release page), so
    the audit log records it as made through the web, not through the API.
    """

    def authenticate(self, request, key):
        user = super().authenticate(request, key)
        if user is not None:
            request.tminus_interface = WEB
        return user


class TMinusAPI(NinjaAPI):
    """Answers a GET of one object that has a revision with its ETag, for If-Match on edits."""

    def create_response(self, request, data, *, status=None, temporal_response=None):
        response = super().create_response(request, data, status=status,
                                           temporal_response=temporal_response)
        revision = data.get("revision") if isinstance(data, dict) else None
        if request.method == "GET" and type(revision) is int:
            response["ETag"] = f'"{revision}"'
        return response


def build_api() -> NinjaAPI:
    api = TMinusAPI(
        title="T-Minus API",
        version="1",
        description="Release plans, readiness, flags and rollouts. Authenticate with a personal "
        "API token (`Authorization: Bearer tmn_…`) or, from the browser, the session.",
        auth=[TokenAuth(), BrowserSessionAuth()],
        urls_namespace="api",
        docs_url="/docs",
    )
    _add_error_handlers(api)
    for config in apps.get_app_configs():
        if config.name.startswith("tminus."):
            _add_router(api, config.name)
    return api


def _add_router(api: NinjaAPI, app_name: str) -> None:
    try:
        module = importlib.import_module(f"{app_name}.api")
    except ModuleNotFoundError as error:
        if error.name != f"{app_name}.api":
            raise
        return
    router = getattr(module, "router", None)
    if router is not None:
        api.add_router(getattr(module, "PREFIX", ""), router)


def _add_error_handlers(api: NinjaAPI) -> None:
    @api.exception_handler(StaleWrite)
    def conflict(request, error: StaleWrite):
        return api.create_response(request, {"detail": error.message, "current": error.current},
                                   status=error.status)

    @api.exception_handler(ValidationFailed)
    def invalid(request, error: ValidationFailed):
        return api.create_response(request, {"detail": error.message, "errors": error.errors},
                                   status=422)

    @api.exception_handler(ServiceError)
    def refused(request, error: ServiceError):
        return api.create_response(request, {"detail": error.message}, status=error.status)

    @api.exception_handler(NinjaValidationError)
    def schema_invalid(request, error: NinjaValidationError):
        errors: dict[str, list[str]] = {}
        for item in error.errors:
            # A body's loc is (where, parameter, field...): ("body", "data", "go_live") names
            # go_live; a query's is (where, field): ("query", "since") names since.
            loc = [str(part) for part in item.get("loc", [])]
            location = loc[2:] if loc[:1] == ["body"] else loc[1:]
            errors.setdefault(".".join(location) or "body", []).append(item.get("msg", "invalid"))
        detail = "; ".join(f"{f}: {' '.join(m)}" for f, m in errors.items())
        return api.create_response(request, {"detail": detail, "errors": errors}, status=422)

    @api.exception_handler(RequestDataTooBig)
    def too_big(request, error):
        limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE / 1024 / 1024
        return api.create_response(
            request, {"detail": f"The request body is larger than the {limit:.1f} MB the API "
                                "accepts."}, status=413)

    @api.exception_handler(AuthenticationError)
    def unauthenticated(request, error):
        return api.create_response(
            request, {"detail": "Sign in, or send a valid API token as 'Authorization: Bearer …'."},
            status=401,
        )

    @api.exception_handler(PermissionDenied)
    def forbidden(request, error):
        return api.create_response(request, {"detail": str(error) or "Not allowed."}, status=403)

    @api.exception_handler(BadRequest)
    @api.exception_handler(SuspiciousOperation)
    def bad_request(request, error):
        return api.create_response(request, {"detail": str(error) or "Bad request."}, status=400)

    @api.exception_handler(Exception)
    def unhandled(request, error):
        # Also the database being down (503 with Retry-After): never Django's HTML error page.
        return failure_response(request, error)


def edit_revision(request: HttpRequest, revision: int | None) -> int:
    """The revision an edit was made from: the body's `revision`, else the If-Match ETag.

    With neither, REVISION_MISSING, which the save refuses with 428 and the current state.
    """
    if revision is not None:
        return revision
    header = request.headers.get("If-Match", "").strip()
    if not header:
        return REVISION_MISSING
    tag = header.removeprefix("W/").strip('"')
    if not tag.isdigit():
        raise ValidationFailed({"If-Match": "Send the ETag a GET returned, such as \"3\"."})
    return int(tag)


def api_actor(request: HttpRequest, capability: str) -> Actor:
    """The caller as an actor, after checking that their role grants the capability."""
    actor = Actor.api(request)
    require(actor, capability)
    return actor

"""Helpers shared by the HTML views: permission checks and turning service errors into pages."""

from functools import wraps

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.http import HttpResponseForbidden
from django.shortcuts import render

from tminus.accounts.permissions import can
from tminus.core.errors import Conflict, ServiceError, ValidationFailed


def role_required(capability: str):
    """Sign-in and a role with the capability; 403 for a role without it."""

    def decorate(view):
        @wraps(view)
        def wrapper(request, *args, **kwargs):
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            if not can(request.user, capability):
                return HttpResponseForbidden(
                    render(request, "core/forbidden.html", {"capability": capability}).content
                )
            return view(request, *args, **kwargs)

        wrapper.required_capability = capability  # read by the test that walks every URL
        return wrapper

    return decorate


def add_service_errors(form, error: ServiceError) -> None:
    """Put a service's refusal on the form, per field where it names one."""
    if isinstance(error, ValidationFailed):
        for field, field_messages in error.errors.items():
            target = field if field in form.fields else None
            for message in field_messages:
                form.add_error(target, message)
    else:
        form.add_error(None, error.message)


def flash_service_error(request, error: ServiceError) -> int:
    """Show a refusal as a message; return the HTTP status the page should answer with."""
    text = error.message
    if isinstance(error, Conflict):
        text += " Reload the page to see the current state."
    messages.error(request, text)
    return error.status


def rebind_after_conflict(form, current: dict, saved: dict, who: str = ""):
    """The form again, as typed but made from the current revision, with `form.conflict` listing
    (label, saved now, typed) for every field where they differ: saving it once more applies
    what the person typed on top of what the other person saved."""
    data = form.data.copy()
    data["revision"] = current.get("revision")
    fresh = type(form)(data, initial=form.initial)
    fresh.is_valid()
    fresh.conflict = [
        (field.label or name.replace("_", " ").capitalize(), saved.get(name) or "",
         form.data.get(name, ""))
        for name, field in form.fields.items()
        if not field.widget.is_hidden and str(saved.get(name) or "") != form.data.get(name, "")
    ]
    fresh.conflict_who = who
    return fresh

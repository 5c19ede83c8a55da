"""Helpers shared by the HTML views: permission checks and turning service errors into pages."""

from functools import wraps

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.http import HttpResponseForbidden
from django.shortcuts import render

from tminus.accounts.permissions import can
from tminus.core.concurrency import REVISION_MISSING
from tminus.core.errors import Conflict, PreconditionRequired, ServiceError, ValidationFailed

# What a page says when a form came back without the revision it was opened at (an old tab, a
# page cached from before an upgrade, a hand-made post): saving it could undo a later change.
WITHOUT_REVISION = ("Nothing was saved: this form did not say which version it was opened "
                    "at, so saving it could undo someone else's change. Reload the page and "
                    "make your change again.")


def role_required(capability: str):
    """Sign-in and a role with the capability; 403 for a role without it."""

    def decorate(view):
        @wraps(view)
        def wrapper(request, *args, **kwargs):
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            if not can(request.user, capability):
                return forbidden(request, capability=capability)
            return view(request, *args, **kwargs)

        wrapper.required_capability = capability  # read by the test that walks every URL
        return wrapper

    return decorate


def posted_revision(request) -> int:
    """The revision a posted edit was made from, read as every edit form reads it: a post
    without one (or with one that is not a number) gives REVISION_MISSING, which the save
    refuses. For the small forms of a page that are not Django forms (a status button, an
    in-place editor)."""
    from django.core.exceptions import ValidationError

    from tminus.core.forms import RevisionField

    try:
        return RevisionField().clean(request.POST.get("revision"))
    except ValidationError:
        return REVISION_MISSING


def refusal_text(error: ServiceError) -> str:
    """A service's refusal as a page says it."""
    if isinstance(error, PreconditionRequired):
        return WITHOUT_REVISION
    return error.message


def add_service_errors(form, error: ServiceError) -> None:
    """Put a service's refusal on the form, per field where it names one."""
    if isinstance(error, ValidationFailed):
        for field, field_messages in error.errors.items():
            # Hidden fields show no errors of their own: their messages go to the top.
            shown = field in form.fields and not form.fields[field].widget.is_hidden
            for message in field_messages:
                form.add_error(field if shown else None, message)
    else:
        form.add_error(None, refusal_text(error))


def flash_service_error(request, error: ServiceError) -> int:
    """Show a refusal as a message; return the HTTP status the page should answer with."""
    text = refusal_text(error)
    if isinstance(error, Conflict):
        text += " Reload the page to see the current state."
    messages.error(request, text)
    return error.status


def forbidden(request, message: str = "", *, capability: str = "") -> HttpResponseForbidden:
    """The 403 page: the service's reason, or the capability the role lacks."""
    return HttpResponseForbidden(render(request, "core/forbidden.html",
                                        {"capability": capability, "message": message}).content)


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

"""The add / edit / remove page flow shared by the release's rows (people and readiness).

Thin on purpose: parse the form, call the service, show its refusal on the form.
"""

from collections.abc import Callable

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render

from tminus.core.errors import Conflict, ServiceError
from tminus.core.web import add_service_errors, flash_service_error


def row_or_404(model, release, pk: int):
    return get_object_or_404(model, pk=pk, release=release)


def form_page(request, form, *, title: str, save: Callable[[dict], object], back: str,
              release=None, done: str = "Saved.", intro: str = "") -> HttpResponse:
    """Show the form; on a valid POST call save(cleaned_data) and go back, else show errors."""
    status = 200
    if request.method == "POST":
        status = 422
        if form.is_valid():
            try:
                save(form.cleaned_data)
            except ServiceError as error:
                add_service_errors(form, error)
                status = 409 if isinstance(error, Conflict) else error.status
            else:
                messages.success(request, done)
                return redirect(back)
    return render(request, "people/row_form.html",
                  {"form": form, "title": title, "back": back, "release": release,
                   "intro": intro}, status=status)


def remove_action(request, remove: Callable[[], None], *, back: str,
                  done: str = "Removed.") -> HttpResponse:
    """Run a remove service from a POST and go back, showing a refusal as a message."""
    try:
        remove()
    except ServiceError as error:
        flash_service_error(request, error)
    else:
        messages.success(request, done)
    return redirect(back)


def changes_from(cleaned: dict) -> tuple[int | None, dict]:
    """A form's values as (revision, changes) for an update service."""
    changes = dict(cleaned)
    return changes.pop("revision", None), changes

"""Add, edit and remove pages for the rows of a release, written once for every area.

An area declares a `RowPages` per kind of row (its model, form, capability, services and what
differs) and adds `rows.urls(...)` to its URL patterns. The flow itself is thin on purpose:
check the capability, find the row within the release, show the form, call the service, show
its refusal on the form (`form_page`) or as a message (`remove_action`), go back to the list.
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.contrib import messages
from django.db.models import Model
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path, reverse
from django.views.decorators.http import require_POST

from tminus.core.actors import Actor
from tminus.core.errors import Conflict, ServiceError
from tminus.core.web import add_service_errors, flash_service_error, role_required
from tminus.releases.lookups import release_or_404

RELEASE_PATH = "releases/<str:key>/"


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


def without_revision(data: dict) -> dict:
    """A form's values for an add service, or as the changes of an update service."""
    return {key: value for key, value in data.items() if key != "revision"}


def no_values(_obj) -> dict:
    return {}


@dataclass(frozen=True)
class RowPages:
    """The add, edit and remove pages of one kind of row that belongs to a release.

    The services are called as `add(release=, actor=, **values)`,
    `update(<row>=, revision=, changes=values, actor=)` and `remove(<row>=, actor=)`, where
    `row` is the services' name for the row and `values(cleaned_data)` the form's values.
    """

    model: type[Model]
    row: str  # the services' keyword for the row, e.g. "risk"
    noun: str  # for titles: "a risk" -> "Add a risk"
    form: type
    capability: str
    back: str  # the URL name of the page that lists the rows (it takes the release's key)
    add: Callable[..., Any]
    update: Callable[..., Any]
    remove: Callable[..., Any]
    fields: tuple[str, ...]  # the row's values the edit form starts from
    edit_form: type | None = None  # when editing asks less (or other) than adding
    values: Callable[[dict], dict] = without_revision
    initial: Callable[[Any], dict] = no_values  # more of the edit form's start, from the row
    add_initial: Callable[[Any], dict] = no_values  # the add form's start, from the release
    edit_title: Callable[[Any], str] = "Edit {}".format
    intro: Callable[[Any], str] = lambda row: ""
    related: tuple[str, ...] = field(default=())  # loaded with the row (its title uses them)

    def urls(self, prefix: str, name: str) -> list:
        """The three URL patterns under `releases/KEY/PREFIX`, named NAME-add/-edit/-remove."""
        base = RELEASE_PATH + prefix
        guard = role_required(self.capability)
        return [
            path(base + "new", guard(self.add_view), name=f"{name}-add"),
            path(base + "<int:row_id>/edit", guard(self.edit_view), name=f"{name}-edit"),
            path(base + "<int:row_id>/remove", require_POST(guard(self.remove_view)),
                 name=f"{name}-remove"),
        ]

    def add_view(self, request, key):
        release = release_or_404(key)
        form = self.form(request.POST or None, initial=self.add_initial(release))
        return form_page(request, form, title=f"Add {self.noun}", release=release,
                         back=reverse(self.back, args=[key]),
                         save=lambda data: self.add(release=release, actor=Actor.web(request),
                                                    **self.values(data)))

    def edit_view(self, request, key, row_id):
        release = release_or_404(key)
        # select_related() without names would follow every foreign key.
        rows = self.model.objects.select_related(*self.related) if self.related else self.model
        obj = row_or_404(rows, release, row_id)
        form = self.edit_form_for(obj, request.POST or None)

        def save(data):
            self.update(**{self.row: obj}, revision=data.get("revision"),
                        changes=self.values(data), actor=Actor.web(request))

        return form_page(request, form, title=self.edit_title(obj), release=release,
                         back=reverse(self.back, args=[key]), save=save, intro=self.intro(obj))

    def edit_form_for(self, obj, data=None):
        """The edit form of a row: starting from its values and revision, bound to `data`."""
        initial = {"revision": obj.revision, **{name: getattr(obj, name) for name in self.fields},
                   **self.initial(obj)}
        return (self.edit_form or self.form)(data, initial=initial)

    def remove_view(self, request, key, row_id):
        release = release_or_404(key)
        obj = row_or_404(self.model, release, row_id)
        return remove_action(request, lambda: self.remove(**{self.row: obj},
                                                           actor=Actor.web(request)),
                             back=reverse(self.back, args=[key]))

"""Add, update and remove endpoints for the rows of a release, written once for every area.

The JSON counterpart of `tminus.core.row_pages`: an area declares a `RowApi` per kind of row
(model, capability, schemas, services, how a body's values become the service's) and calls
`register(router, ...)`. Each endpoint checks the capability, turns person ids into people,
reads the revision from the body or `If-Match`, calls the service and answers with the row as
the area presents it; refusals become JSON errors in the API's one error handler.
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Model
from django.shortcuts import get_object_or_404
from ninja import Router, Schema, Status

from tminus.core.api import api_actor, edit_revision
from tminus.people.selectors import resolve_person_ids
from tminus.releases.selectors import release_get


def unchanged(values: dict) -> dict:
    return values


@dataclass(frozen=True)
class RowApi:
    """The endpoints of one kind of row that belongs to a release.

    The services are called as `add(release=, actor=, **values)`,
    `update(<row>=, revision=, changes=values, actor=)` and `remove(<row>=, actor=)`; `values`
    turns a body's fields (person ids already resolved) into the service's.
    """

    model: type[Model]
    row: str  # the services' keyword for the row, e.g. "risk"
    capability: str
    add: Callable[..., Any]
    update: Callable[..., Any]
    remove: Callable[..., Any]
    schema_in: type[Schema]
    schema_patch: type[Schema]
    schema_out: type[Schema]
    present: Callable[[Any], dict]
    values: Callable[[dict], dict] = unchanged
    related: tuple[str, ...] = field(default=())  # loaded with the row for `present`

    def register(self, router: Router, *, collection: str, item: str, name: str) -> None:
        """POST /releases/{key}/COLLECTION, PATCH and DELETE /ITEM/{row_id}; the operations
        are NAME_add, NAME_update and NAME_remove."""
        schema_in, schema_patch = self.schema_in, self.schema_patch

        @router.post(f"/releases/{{key}}/{collection}", response={201: self.schema_out},
                     operation_id=f"{name}_add", summary=f"Add a {name.replace('_', ' ')}")
        def add(request, key: str, data: schema_in):
            actor = api_actor(request, self.capability)
            values = self.values(resolve_person_ids(data.dict()))
            obj = self.add(release=release_get(key), actor=actor, **values)
            return Status(201, self.present(obj))

        @router.patch(f"/{item}/{{row_id}}", response=self.schema_out,
                      operation_id=f"{name}_update",
                      summary=f"Change a {name.replace('_', ' ')} (needs its revision)")
        def update(request, row_id: int, data: schema_patch):
            actor = api_actor(request, self.capability)
            changes = data.dict(exclude_unset=True)
            revision = edit_revision(request, changes.pop("revision", None))
            # select_related() without names would follow every foreign key.
            rows = self.model.objects.select_related(*self.related) if self.related else self.model
            obj = get_object_or_404(rows, pk=row_id)
            obj = self.update(**{self.row: obj}, revision=revision,
                              changes=self.values(resolve_person_ids(changes)), actor=actor)
            return self.present(obj)

        @router.delete(f"/{item}/{{row_id}}", response={204: None},
                       operation_id=f"{name}_remove", summary=f"Remove a {name.replace('_', ' ')}")
        def remove(request, row_id: int):
            actor = api_actor(request, self.capability)
            self.remove(**{self.row: get_object_or_404(self.model, pk=row_id)}, actor=actor)
            return Status(204, None)

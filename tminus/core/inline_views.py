"""The in-place editor's views, the same for every kind of row (see tminus.core.inline).

GET opens a field's editor, GET ?show closes it again, POST saves through the row's service and
answers with the field as shown (200), the editor with the message (422), or the editor beside
what someone else saved meanwhile (409), from which "Apply mine on top" saves again.
"""

from django.http import Http404, HttpResponseForbidden
from django.shortcuts import render
from django.utils.safestring import mark_safe
from django.views.decorators.http import require_http_methods

from tminus.accounts.permissions import can
from tminus.accounts.roles import VIEW
from tminus.audit.models import AuditEvent
from tminus.core import inline
from tminus.core.actors import Actor
from tminus.core.errors import Conflict, ServiceError, ValidationFailed
from tminus.core.web import posted_revision, refusal_text, role_required


def _target(kind: str, pk: int, name: str):
    editable = inline.editable(kind)
    if editable is None or name not in editable.fields:
        raise Http404("Nothing editable here.")
    row = editable.get(pk)
    if row is None:
        raise Http404("That row no longer exists.")
    return editable, editable.fields[name], row


@require_http_methods(["GET", "POST"])
@role_required(VIEW)
def inline_field(request, kind, pk, name):
    editable, spec, row = _target(kind, pk, name)
    may_edit = can(request.user, editable.capability)
    if request.method == "GET" and "show" in request.GET:
        return _shown(kind, row, name, may_edit)
    if not may_edit:
        return HttpResponseForbidden("Your role cannot change this.")
    if request.method == "GET":
        return _editor(request, kind, spec, row, typed=inline.current_text(spec, row))
    return _save(request, editable, spec, row)


def _shown(kind, row, name, may_edit, status=200):
    from django.http import HttpResponse

    return HttpResponse(inline.field_html(kind, row, name, editable_by_user=may_edit),
                        status=status)


def _save(request, editable, spec, row):
    typed = request.POST.get("value", "")
    revision = posted_revision(request)
    try:
        value = inline.parse(spec, typed)
        editable.update(row, revision, inline.changes_for(spec, row, value), Actor.web(request))
    except Conflict:
        current = editable.get(row.pk)
        return _editor(request, editable.kind, spec, current, typed=typed,
                       conflict=_conflict(editable, spec, current), status=409)
    except ServiceError as error:
        fresh = editable.get(row.pk) or row
        return _editor(request, editable.kind, spec, fresh, typed=typed,
                       revision=revision, error=_message(error), status=error.status)
    saved = editable.get(row.pk)
    response = _shown(editable.kind, saved, spec.name, True)
    response["HX-Trigger"] = "tminus:changed"  # the recent-changes feed refreshes itself
    # The row's new revision: the page moves its row on to it (app.js), so that moving the row
    # next is not refused as made from a stale copy.
    response["ETag"] = f'"{saved.revision}"'
    return response


def _message(error: ServiceError) -> str:
    if isinstance(error, ValidationFailed):
        return " ".join(m for messages in error.errors.values() for m in messages)
    return refusal_text(error)


def _conflict(editable, spec, current) -> dict:
    """What the other person saved: the value now, who and when (the row's latest change)."""
    event = (AuditEvent.objects.filter(object_type=editable.model._meta.label_lower,
                                       object_id=str(current.pk))
             .order_by("-created_at", "-id").first())
    return {"theirs": mark_safe(inline.shown(spec, current)),
            "who": event.actor_label if event else "someone else",
            "when": event.created_at if event else None}


def _names() -> list[tuple[str, str]]:
    """(username, name) of everyone who can sign in, for picking an owner by typing a name."""
    from tminus.releases.selectors import people_names

    return people_names()


def _editor(request, kind, spec, row, *, typed, conflict=None, error="", revision=None,
            status=200):
    context = {
        "kind": kind, "spec": spec, "row": row, "typed": typed, "conflict": conflict,
        "error": error, "url": inline.field_url(kind, row.pk, spec.name),
        "revision": row.revision if revision is None else revision,
        "input_id": f"edit-{kind}-{row.pk}-{spec.name}",
        "names": _names() if spec.kind == inline.USER else [],
    }
    return render(request, "core/inline_editor.html", context, status=status)

"""Every write of release notes: draft from scope, edit, send through the communication plan."""

import importlib

from django.db import transaction
from django.utils import timezone

from tminus.accounts.permissions import require
from tminus.accounts.roles import CONTRIBUTE, MANAGE
from tminus.audit.services import audit_record, snapshot
from tminus.core import editing
from tminus.core.actors import Actor
from tminus.core.concurrency import save_versioned
from tminus.core.errors import ServiceError, ValidationFailed
from tminus.reports.models import ReleaseNotes
from tminus.reports.notes import notes_draft

NOTES_FIELDS = ["body", "edited", "updated_by", "updated_at", "sent_at", "sent_by", "sent_to"]


class CommsUnavailable(ServiceError):
    """The communication plan is not installed on this server."""

    status = 503


def _user(actor: Actor):
    return actor.user if getattr(actor.user, "pk", None) else None


def _state(notes: ReleaseNotes) -> dict:
    return {**snapshot(notes, NOTES_FIELDS), "revision": notes.revision}


@transaction.atomic
def release_notes_generate(*, release, revision: int | None = None,
                           actor: Actor) -> ReleaseNotes:
    """Draft the notes from the release's scope; redrafting edited notes needs their revision,
    so that nobody's edits are replaced by accident."""
    require(actor, CONTRIBUTE)
    body = notes_draft(release, list(release.scope_items.all()))
    now = timezone.now()
    notes = ReleaseNotes.objects.filter(release=release).first()
    if notes is None:
        notes = ReleaseNotes.objects.create(release=release, body=body, generated_at=now,
                                            updated_at=now, updated_by=_user(actor))
        audit_record(actor=actor, action="release_notes.generate", obj=notes,
                     release_id=release.pk, after=snapshot(notes, NOTES_FIELDS))
        return notes
    if notes.edited and revision is None:
        raise ValidationFailed({"revision": (
            "These notes were edited by hand; redrafting replaces the edits. Send the current "
            f"revision ({notes.revision}) to confirm.")})
    before = snapshot(notes, NOTES_FIELDS)
    notes.body, notes.edited, notes.generated_at = body, False, now
    notes.updated_at, notes.updated_by = now, _user(actor)
    save_versioned(notes, revision, ["body", "edited", "generated_at", "updated_at",
                                     "updated_by"], snapshot=_state)
    audit_record(actor=actor, action="release_notes.generate", obj=notes, release_id=release.pk,
                 before=before, after=snapshot(notes, NOTES_FIELDS))
    return notes


def _notes_errors(notes: ReleaseNotes) -> dict:
    return {} if notes.body.strip() else {"body": "Release notes cannot be empty."}


def _edited_by(actor: Actor):
    """The derive hook of a person's edit: the notes are now edited, by them, now."""
    def derive(notes: ReleaseNotes, changes: dict) -> list[str]:
        notes.edited, notes.updated_at, notes.updated_by = True, timezone.now(), _user(actor)
        return ["edited", "updated_at", "updated_by"]
    return derive


RELEASE_NOTES = editing.Kind(model=ReleaseNotes, action="release_notes", fields=NOTES_FIELDS,
                             capability=CONTRIBUTE, validate=_notes_errors,
                             fixed=set(NOTES_FIELDS) - {"body"})


@transaction.atomic
def release_notes_update(*, notes: ReleaseNotes, body: str, revision: int | None,
                         actor: Actor) -> ReleaseNotes:
    """Save a person's edit of the notes; a stale edit gets a conflict."""
    if isinstance(body, str):
        body = body.replace("\r\n", "\n")
    return editing.update(RELEASE_NOTES, notes, revision=revision, changes={"body": body},
                          actor=actor, derive=_edited_by(actor))


def _comms():
    try:
        module = importlib.import_module("tminus.comms.services")
    except ImportError:
        module = None
    schedule = getattr(module, "message_schedule", None)
    if schedule is None:
        raise CommsUnavailable("The communication plan is not available on this server, so "
                               "the notes cannot be sent through it; export them instead.")
    return module


def _literal(text: str) -> str:
    # The communication plan fills {placeholders}; the notes' own braces must stay as typed.
    try:
        from tminus.comms.placeholders import escape
    except ImportError:
        return text
    return escape(text)


@transaction.atomic
def release_notes_send(*, notes: ReleaseNotes, audience: list[str], subject: str = "",
                       channel: str = "email", actor: Actor):
    """Send the notes through the release's communication plan now; returns the message."""
    require(actor, MANAGE)
    audience = [entry.strip() for entry in audience or [] if entry and entry.strip()]
    if not audience:
        raise ValidationFailed({"audience": "Say who gets the notes: addresses or roles."})
    comms = _comms()
    release = notes.release
    subject = (subject or "").strip() or f"Release notes: {release.name}"
    message = comms.message_schedule(release=release, subject=_literal(subject),
                                     body=_literal(notes.body), channel=channel,
                                     audience=audience, send_at=None, actor=actor)
    before = snapshot(notes, NOTES_FIELDS)
    notes.sent_at, notes.sent_by, notes.sent_to = timezone.now(), _user(actor), audience
    save_versioned(notes, None, ["sent_at", "sent_by", "sent_to"], snapshot=_state)
    audit_record(actor=actor, action="release_notes.send", obj=notes, release_id=release.pk,
                 before=before, after={**snapshot(notes, NOTES_FIELDS),
                                       "message": getattr(message, "pk", None)})
    return message

"""JSON endpoints for release notes (with Markdown and HTML exports), reports and dashboards."""

from django.http import HttpResponse
from ninja import Router, Status

from tminus.accounts.roles import CONTRIBUTE, MANAGE, VIEW
from tminus.core.api import api_actor, edit_revision
from tminus.core.csp import allow_style
from tminus.core.errors import NotFound, ValidationFailed
from tminus.releases.selectors import release_get
from tminus.reports import exports, presenters, selectors, services
from tminus.reports.notes import NOTES_CSS, notes_html_document
from tminus.reports.schemas import (
    MyItemsOut,
    NotesGenerateIn,
    NotesOut,
    NotesSendIn,
    NotesSentOut,
    ReleaseNotesIn,
    ReleaseRowOut,
    StatusReportOut,
    WeeklyOut,
)

router = Router(tags=["reports"])


def _notes(key: str):
    release = release_get(key)
    notes = selectors.notes_of(release)
    if notes is None:
        raise NotFound(f"{release.key} has no release notes yet; POST …/notes/generate first.")
    return notes


@router.get("/releases/{key}/notes", response=NotesOut)
def notes_get(request, key: str):
    api_actor(request, VIEW)
    return presenters.notes_dict(_notes(key))


@router.post("/releases/{key}/notes/generate", response={201: NotesOut})
def notes_generate(request, key: str, data: NotesGenerateIn):
    actor = api_actor(request, CONTRIBUTE)
    notes = services.release_notes_generate(release=release_get(key), revision=data.revision,
                                            actor=actor)
    return Status(201, presenters.notes_dict(notes))


@router.put("/releases/{key}/notes", response=NotesOut)
def notes_update(request, key: str, data: ReleaseNotesIn):
    actor = api_actor(request, CONTRIBUTE)
    notes = services.release_notes_update(notes=_notes(key), body=data.body,
                                          revision=edit_revision(request, data.revision),
                                          actor=actor)
    return presenters.notes_dict(notes)


@router.get("/releases/{key}/notes.md")
def notes_markdown(request, key: str):
    api_actor(request, VIEW)
    return HttpResponse(_notes(key).body, content_type="text/markdown; charset=utf-8")


@router.get("/releases/{key}/notes.html")
@allow_style(NOTES_CSS)
def notes_html(request, key: str):
    api_actor(request, VIEW)
    notes = _notes(key)
    return HttpResponse(notes_html_document(notes.release, notes.body),
                        content_type="text/html; charset=utf-8")


@router.post("/releases/{key}/notes/send", response=NotesSentOut)
def notes_send(request, key: str, data: NotesSendIn):
    actor = api_actor(request, MANAGE)
    notes = _notes(key)
    message = services.release_notes_send(notes=notes, audience=data.audience,
                                          subject=data.subject, channel=data.channel,
                                          actor=actor)
    return {"notes": presenters.notes_dict(notes), "message_id": getattr(message, "pk", None)}


@router.get("/releases/{key}/status-report", response=StatusReportOut)
def status_report(request, key: str):
    api_actor(request, VIEW)
    return presenters.status_report_dict(selectors.status_report(release_get(key)))


@router.get("/releases/{key}/status-report.md")
def status_report_markdown(request, key: str):
    api_actor(request, VIEW)
    report = selectors.status_report(release_get(key))
    return HttpResponse(exports.status_report_markdown(report),
                        content_type="text/markdown; charset=utf-8")


def _monday(week: str):
    try:
        return selectors.week_of(week)
    except ValueError as error:
        raise ValidationFailed({"week": str(error)}) from None


@router.get("/reports/weekly", response=WeeklyOut)
def weekly(request, week: str = ""):
    api_actor(request, VIEW)
    return presenters.weekly_dict(selectors.weekly_report(_monday(week)))


@router.get("/reports/weekly.md")
def weekly_markdown(request, week: str = ""):
    api_actor(request, VIEW)
    report = selectors.weekly_report(_monday(week))
    return HttpResponse(exports.weekly_report_markdown(report),
                        content_type="text/markdown; charset=utf-8")


@router.get("/dashboards/at-risk", response=list[ReleaseRowOut])
def at_risk(request):
    api_actor(request, VIEW)
    return [presenters.at_risk_dict(row) for row in selectors.releases_at_risk()]


@router.get("/dashboards/my-items", response=MyItemsOut)
def my_items(request):
    actor = api_actor(request, VIEW)
    return presenters.my_items_dict(selectors.my_items(actor.user))

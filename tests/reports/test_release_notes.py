import sys

import pytest
from django.core.management import call_command

from tests.conftest import signed_in
from tests.factories import make_release
from tminus.audit.models import AuditEvent
from tminus.core.actors import Actor
from tminus.core.errors import Conflict, ValidationFailed
from tminus.releases import services as release_services
from tminus.reports import services
from tminus.reports.models import ReleaseNotes
from tminus.reports.notes import notes_html
from tminus.reports.services import CommsUnavailable

pytestmark = pytest.mark.django_db
CLI = Actor.cli()


def _release_with_scope():
    release = make_release(name="Create Order v1.0", version="1.0",
                           goal="Let users place orders.")
    for title, kind in (("Create Order flow", "feature"), ("Order emails", "enhancement"),
                        ("Cart totals off by one cent", "bug_fix"),
                        ("Payment gateway comes in v1.1", "known_issue")):
        release_services.scope_item_add(release=release, title=title, kind=kind, actor=CLI)
    return release


def test_release_notes_generate_groups_scope_into_features_fixes_and_known_issues():
    release = _release_with_scope()

    notes = services.release_notes_generate(release=release, actor=CLI)

    body = notes.body
    assert body.startswith("# Release notes: Create Order v1.0\n")
    assert "**Version** 1.0" in body
    sections = [line for line in body.splitlines() if line.startswith("## ")]
    assert sections == ["## New features", "## Improvements", "## Bug fixes", "## Known issues"]
    assert "- **Cart totals off by one cent**" in body.split("## Bug fixes")[1]
    assert AuditEvent.objects.filter(action="release_notes.generate",
                                     release_id=release.pk).exists()


def test_release_notes_update_keeps_revisions_and_refuses_a_stale_edit(contributor):
    notes = services.release_notes_generate(release=_release_with_scope(), actor=CLI)

    services.release_notes_update(notes=notes, body="# Notes\n\nEdited by hand.\n", revision=1,
                                  actor=Actor(contributor, "web"))
    stale = ReleaseNotes.objects.get(pk=notes.pk)
    stale.revision = 1
    with pytest.raises(Conflict):
        services.release_notes_update(notes=stale, body="# Other", revision=1, actor=CLI)

    notes.refresh_from_db()
    assert (notes.body, notes.revision, notes.edited) == ("# Notes\n\nEdited by hand.\n", 2, True)
    assert notes.updated_by == contributor
    event = AuditEvent.objects.get(action="release_notes.update")
    assert event.before["body"].startswith("# Release notes")


def test_redraft_of_edited_notes_needs_their_revision():
    release = _release_with_scope()
    notes = services.release_notes_generate(release=release, actor=CLI)
    services.release_notes_update(notes=notes, body="Mine", revision=1, actor=CLI)

    with pytest.raises(ValidationFailed, match="edited by hand"):
        services.release_notes_generate(release=release, actor=CLI)
    assert ReleaseNotes.objects.get(pk=notes.pk).body == "Mine"

    services.release_notes_generate(release=release, revision=2, actor=CLI)
    assert ReleaseNotes.objects.get(pk=notes.pk).body.startswith("# Release notes")


def test_release_notes_update_with_an_empty_body_is_refused():
    notes = services.release_notes_generate(release=_release_with_scope(), actor=CLI)
    with pytest.raises(ValidationFailed):
        services.release_notes_update(notes=notes, body="  ", revision=1, actor=CLI)


def test_notes_html_renders_markdown_without_raw_html_or_script_links():
    html = notes_html("# Title\n\n- **bold** <script>alert(1)</script>\n"
                      "- [x](javascript:alert(1))\n")
    assert "<h1>Title</h1>" in html and "<strong>bold</strong>" in html
    assert "<script>" not in html and "&lt;script&gt;" in html
    assert 'href="javascript:' not in html


def test_notes_exports_download_markdown_and_html(viewer):
    release = _release_with_scope()
    services.release_notes_generate(release=release, actor=CLI)
    client = signed_in(viewer)

    markdown = client.get(f"/releases/{release.key}/notes.md")
    html = client.get(f"/releases/{release.key}/notes.html")

    assert markdown["Content-Type"].startswith("text/markdown")
    assert "attachment" in markdown["Content-Disposition"]
    assert markdown.content.decode().startswith("# Release notes: Create Order v1.0")
    assert "<h2>Bug fixes</h2>" in html.content.decode()


def test_api_notes_generate_edit_and_export(api_as, contributor):
    release = _release_with_scope()
    api = api_as(contributor)

    created = api.post(f"/api/v1/releases/{release.key}/notes/generate", {})
    edited = api._send("put", f"/api/v1/releases/{release.key}/notes",
                       {"body": "# Edited {braces}\n", "revision": created.json()["revision"]})
    stale = api._send("put", f"/api/v1/releases/{release.key}/notes",
                      {"body": "# Late", "revision": created.json()["revision"]})

    assert created.status_code == 201
    assert edited.json()["edited"] is True
    assert stale.status_code == 409
    assert api.get(f"/api/v1/releases/{release.key}/notes.md").content == b"# Edited {braces}\n"
    assert b"<h1>Edited {braces}</h1>" in api.get(f"/api/v1/releases/{release.key}/notes.html"
                                                  ).content


def test_release_notes_send_goes_through_the_communication_plan(manager):
    comms = pytest.importorskip("tminus.comms.services")
    release = _release_with_scope()
    notes = services.release_notes_generate(release=release, actor=CLI)
    services.release_notes_update(notes=notes, body="# Notes with {braces}", revision=1,
                                  actor=CLI)

    message = services.release_notes_send(notes=notes, audience=["users@example.com"],
                                          actor=Actor(manager, "web"))

    assert message.release == release
    assert message.subject == "Release notes: Create Order v1.0"
    assert message.audience == ["users@example.com"]
    # Braces are doubled so the plan sends them literally instead of as placeholders.
    assert message.body == "# Notes with {{braces}}"
    notes.refresh_from_db()
    assert notes.sent_to == ["users@example.com"] and notes.sent_at is not None
    assert comms.message_schedule  # the agreed entry point


def test_release_notes_send_without_comms_is_refused_with_a_message(monkeypatch):
    notes = services.release_notes_generate(release=_release_with_scope(), actor=CLI)
    monkeypatch.setitem(sys.modules, "tminus.comms.services", None)

    with pytest.raises(CommsUnavailable, match="communication plan is not available"):
        services.release_notes_send(notes=notes, audience=["users@example.com"], actor=CLI)
    notes.refresh_from_db()
    assert notes.sent_at is None


def test_release_notes_send_without_an_audience_is_refused():
    notes = services.release_notes_generate(release=_release_with_scope(), actor=CLI)
    with pytest.raises(ValidationFailed, match="Say who gets the notes"):
        services.release_notes_send(notes=notes, audience=[" "], actor=CLI)


def test_cli_notes_generate_and_export_html(capsys):
    release = _release_with_scope()
    call_command("notes", "generate", release.key)
    capsys.readouterr()
    call_command("notes", "export", release.key, "--format", "html")
    assert "<li><strong>Create Order flow</strong></li>" in capsys.readouterr().out


def test_release_notes_update_with_a_number_for_the_body_is_refused_naming_body():
    notes = services.release_notes_generate(release=_release_with_scope(), actor=CLI)

    with pytest.raises(ValidationFailed) as refused:
        services.release_notes_update(notes=notes, body=5, revision=1, actor=CLI)

    assert refused.value.errors == {"body": ["Send text here."]}
    assert ReleaseNotes.objects.get(pk=notes.pk).revision == 1


def test_api_notes_put_without_a_revision_is_428_and_an_edit_is_audited_as_api(
        api_as, contributor):
    release = _release_with_scope()
    api = api_as(contributor)
    created = api.post(f"/api/v1/releases/{release.key}/notes/generate", {}).json()
    path = f"/api/v1/releases/{release.key}/notes"

    missing = api.put(path, {"body": "# Mine"})
    edited = api.put(path, {"body": "# Mine\r\n", "revision": created["revision"]})

    assert missing.status_code == 428
    assert missing.json()["current"]["revision"] == created["revision"]
    assert edited.status_code == 200, edited.content
    assert (edited.json()["body"], edited.json()["revision"]) == ("# Mine\n", 2)
    event = AuditEvent.objects.get(action="release_notes.update")
    assert (event.interface, event.actor, event.after["edited"]) == ("api", contributor, True)

"""Pages (upload, preview, commit, downloads, feeds) and the import/export commands."""

from io import StringIO

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command

from tests.conftest import signed_in
from tests.factories import make_release
from tests.plans.helpers import seed
from tminus.plans.models import CalendarFeed, PendingImport
from tminus.releases.models import Release

pytestmark = pytest.mark.django_db


def test_upload_shows_a_preview_report_and_commit_creates_the_release(manager):
    client = signed_in(manager)
    upload = SimpleUploadedFile("003.md", seed("003").read_bytes(), content_type="text/markdown")

    response = client.post("/plans/import", {"file": upload, "product": "layby"})

    pending = PendingImport.objects.get()
    assert response.status_code == 302 and response.url == f"/plans/imports/{pending.pk}/"
    page = client.get(response.url).content.decode()
    assert "Commit the import" in page and "checklist section &#x27;Documentation&#x27;" in page
    assert "[To be determined]" in page  # the warning is shown before committing
    assert not Release.objects.exists()

    committed = client.post(f"/plans/imports/{pending.pk}/commit")

    release = Release.objects.get()
    assert committed.url == f"/releases/{release.key}/"
    assert "Plan document" in client.get(committed.url).content.decode()


def test_upload_of_an_empty_file_shows_the_error_and_keeps_nothing(manager):
    upload = SimpleUploadedFile("empty.md", b"", content_type="text/markdown")

    response = signed_in(manager).post("/plans/import", {"file": upload})

    assert response.status_code == 422
    assert not PendingImport.objects.exists()


def test_import_pages_need_a_release_manager(contributor):
    client = signed_in(contributor)

    assert client.get("/plans/import").status_code == 403
    assert client.post("/plans/import", {}).status_code == 403


def test_export_download_serves_markdown_as_attachment_to_a_viewer(viewer):
    release = make_release(template="major")

    response = signed_in(viewer).get(f"/releases/{release.key}/export.md")

    assert response.status_code == 200
    assert response["Content-Disposition"] == f'attachment; filename="{release.key}.md"'
    assert response.content.decode().startswith(f"# {release.name}")


def test_printable_view_opens_inline(viewer):
    release = make_release()

    response = signed_in(viewer).get(f"/releases/{release.key}/export.html")

    assert response.status_code == 200 and "Content-Disposition" not in response
    assert b"<!doctype html>" in response.content


def test_feed_page_shows_the_new_url_once_and_revoke_stops_it(viewer):
    client = signed_in(viewer)

    client.post("/plans/calendars/new", {"name": "Outlook"})
    page = client.get("/plans/calendars/").content.decode()
    feed = CalendarFeed.objects.get()
    assert feed.user == viewer and "/calendar/tmcal_" in page
    assert "/calendar/tmcal_" not in client.get("/plans/calendars/").content.decode()

    client.post(f"/plans/calendars/{feed.pk}/revoke")

    feed.refresh_from_db()
    assert feed.revoked_at is not None


def test_feed_page_lists_feeds_in_a_fixed_number_of_queries(manager,
                                                           django_assert_max_num_queries):
    from tminus.core.actors import Actor
    from tminus.plans.services import calendar_feed_create

    client = signed_in(manager)
    for count in (2, 20):
        while CalendarFeed.objects.count() < count:
            calendar_feed_create(user=manager, actor=Actor(manager, "web"))
        with django_assert_max_num_queries(12):
            assert client.get("/plans/calendars/").status_code == 200


def test_import_command_prints_the_release_key_alone_on_the_last_line(tmp_path):
    out, err = StringIO(), StringIO()

    call_command("import", str(seed("000")), "--product", "shop", stdout=out, stderr=err)

    key = out.getvalue().rstrip("\n").splitlines()[-1]
    assert key == Release.objects.get().key


def test_import_command_preview_changes_nothing():
    out = StringIO()

    call_command("import", str(seed("000")), "--preview", stdout=out)

    assert "would be created" in out.getvalue()
    assert not Release.objects.exists()


def test_import_command_refuses_a_binary_file_with_a_clear_message(tmp_path):
    path = tmp_path / "image.png"
    path.write_bytes(b"\x89PNG\x00\x00")

    with pytest.raises(CommandError, match="binary"):
        call_command("import", str(path))
    assert not Release.objects.exists()


def test_export_command_writes_stdout_or_the_output_file(tmp_path):
    release = make_release(template="patch")
    out = StringIO()

    call_command("export", release.key, "--format", "yaml", stdout=out)
    assert f"key: {release.key}" in out.getvalue()

    target = tmp_path / "plan.ics"
    call_command("export", release.key, "--format", "ics", "--output", str(target),
                 stdout=StringIO(), stderr=StringIO())
    assert target.read_text().startswith("BEGIN:VCALENDAR")


def test_yaml_export_imported_by_the_command_is_idempotent(tmp_path):
    release = make_release(template="major")
    target = tmp_path / "plan.yaml"
    call_command("export", release.key, "--format", "yaml", "--output", str(target),
                 stdout=StringIO(), stderr=StringIO())
    out = StringIO()

    call_command("import", str(target), stdout=out)

    assert out.getvalue().splitlines()[-1] == release.key
    assert "updated" in out.getvalue()
    assert Release.objects.count() == 1

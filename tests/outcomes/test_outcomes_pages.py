import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from tests.conftest import signed_in
from tests.outcomes.conftest import live_release
from tminus.core.actors import Actor
from tminus.outcomes import services
from tminus.outcomes.models import Kpi, KpiCheckin

pytestmark = pytest.mark.django_db


def test_release_page_shows_the_kpi_and_closeout_panels(viewer):
    release = live_release()
    services.kpi_create(release=release, target="95% uptime", actor=Actor.cli())

    page = signed_in(viewer).get(f"/releases/{release.key}/?tab=outcomes")

    assert page.status_code == 200
    html = page.content.decode()
    assert "Success metrics" in html and "95% uptime" in html
    assert "Post-launch review and close-out" in html and "0/4" in html


def test_kpi_page_shows_tables_chart_and_no_add_form_for_a_viewer(viewer):
    release = live_release()
    kpi = services.kpi_create(release=release, target="95% uptime", actor=Actor.cli())
    services.kpi_checkin_record(kpi=kpi, value="99", slot="day-1", actor=Actor.cli())

    html = signed_in(viewer).get(f"/releases/{release.key}/kpis/").content.decode()

    assert "Daily metrics" in html and "Weekly metrics" in html
    assert '<svg class="kpi-chart"' in html
    assert "Add a KPI" not in html


def test_kpi_add_page_with_a_bad_target_shows_the_message_and_saves_nothing(manager):
    release = live_release()
    response = signed_in(manager).post(f"/releases/{release.key}/kpis/add",
                                       {"target": "fast", "source": "manual"})
    assert response.status_code == 422
    assert "has no number to measure against" in response.content.decode()
    assert not Kpi.objects.exists()


def test_kpi_add_by_a_contributor_is_forbidden(contributor):
    response = signed_in(contributor).post(f"/releases/{live_release().key}/kpis/add",
                                           {"target": "95% uptime", "source": "manual"})
    assert response.status_code == 403


def test_checkin_form_with_the_wrong_unit_shows_the_message_and_saves_nothing(contributor):
    kpi = services.kpi_create(release=live_release(), target="95% uptime", actor=Actor.cli())
    response = signed_in(contributor).post(f"/kpis/{kpi.pk}/checkin",
                                           {"value": "3 s", "slot": "day-1"})
    assert response.status_code == 422
    assert "measured in %" in response.content.decode()
    assert not KpiCheckin.objects.exists()


def test_review_page_signs_for_the_named_person(viewer):
    release = live_release()
    sponsor = release.signoffs.get(role="Business Sponsor")
    services.signoff_assign(signoff=sponsor, assignee=viewer, revision=None, actor=Actor.cli())
    client = signed_in(viewer)

    response = client.post(f"/releases/{release.key}/review/signoffs/{sponsor.pk}/sign",
                           {"comment": "Looks good"})

    assert response.status_code == 302
    sponsor.refresh_from_db()
    assert sponsor.signed_by == viewer
    assert "✔ vera-viewer" in client.get(f"/releases/{release.key}/review/").content.decode()


def test_cli_kpi_checkin_fills_the_latest_due_slot(capsys):
    release = live_release(days_ago=3)
    services.kpi_create(release=release, target="95% uptime", actor=Actor.cli())

    call_command("kpi", "checkin", release.key, "uptime", "99.9%")

    assert capsys.readouterr().out.split("\t")[:3] == ["uptime", "day-3", "99.9%"]


def test_cli_kpi_checkin_with_the_wrong_unit_fails_with_the_message():
    release = live_release()
    services.kpi_create(release=release, target="95% uptime", actor=Actor.cli())
    with pytest.raises(CommandError, match="measured in %"):
        call_command("kpi", "checkin", release.key, "uptime", "3 s")
    assert not KpiCheckin.objects.exists()


def test_cli_kpi_add_with_a_target_that_does_not_parse_fails():
    with pytest.raises(CommandError, match="no number"):
        call_command("kpi", "add", live_release().key, "fast")

from datetime import date, timedelta

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from tests.conftest import signed_in
from tests.factories import ProductFactory, make_release
from tests.outcomes.conftest import live_release
from tminus.core.actors import Actor
from tminus.outcomes import services as outcome_services
from tminus.releases import services as release_services
from tminus.releases.models import ChecklistItem
from tminus.reports import selectors
from tminus.reports.risk import register_risk_signal, risk_reasons

pytestmark = pytest.mark.django_db
CLI = Actor.cli()


def _overdue_release(**kwargs):
    release = make_release(go_live=timezone.localdate() + timedelta(days=60), **kwargs)
    item = release.checklist_items.first()
    release_services.checklist_item_update(
        item=item, revision=item.revision, actor=CLI,
        changes={"due_date": timezone.localdate() - timedelta(days=2)})
    return release


def _missed_kpi_release():
    release = live_release(days_ago=5)
    kpi = outcome_services.kpi_create(release=release, target="95% uptime", actor=CLI)
    outcome_services.kpi_checkin_record(kpi=kpi, value="90", slot="day-1", actor=CLI)
    return release


def test_releases_at_risk_name_overdue_items_missed_kpis_and_late_go_lives():
    overdue = _overdue_release()
    missed = _missed_kpi_release()
    late = make_release(go_live=timezone.localdate() - timedelta(days=3))
    calm = make_release(go_live=timezone.localdate() + timedelta(days=90))

    rows = {row.release.key: row for row in selectors.releases_at_risk()}

    assert [r.text for r in rows[overdue.key].reasons] == ["1 checklist item overdue"]
    assert rows[overdue.key].health == "at_risk"
    assert any(r.text == "KPI Uptime missed: 90% against the target 95% uptime"
               for r in rows[missed.key].reasons)
    assert rows[missed.key].health == "off_track"
    assert any("but the release is still planning" in r.text for r in rows[late.key].reasons)
    assert calm.key not in rows


def test_risk_signal_from_another_area_adds_its_reasons():
    release = make_release()
    register_risk_signal("test-signal", lambda releases: {r.pk: ["Vendor is late"]
                                                          for r in releases})
    try:
        assert [r.text for r in risk_reasons([release])[release.pk]] == ["Vendor is late"]
    finally:
        from tminus.reports import risk
        risk._signals.pop("test-signal")


def test_open_high_risks_from_readiness_are_a_reason():
    models = pytest.importorskip("tminus.readiness.models")
    release = make_release()
    models.Risk.objects.create(release=release, description="Vendor API unstable",
                               probability="high", impact="high", score=9, status="open")
    models.Risk.objects.create(release=release, description="Small thing",
                               probability="low", impact="low", score=1, status="open")
    assert "1 open high risk" in [r.text for r in risk_reasons([release])[release.pk]]


def test_at_risk_page_query_count_does_not_grow_with_releases(viewer):
    client = signed_in(viewer)
    for _ in range(2):
        _overdue_release(product=ProductFactory())
    with CaptureQueriesContext(connection) as small:
        client.get("/dashboards/at-risk/")
    for _ in range(18):
        _overdue_release(product=ProductFactory())
    with CaptureQueriesContext(connection) as large:
        page = client.get("/dashboards/at-risk/")
    assert page.content.decode().count("1 checklist item overdue") == 20
    assert len(large.captured_queries) == len(small.captured_queries)


def test_status_report_page_is_printable_and_exports_markdown(viewer):
    release = _missed_kpi_release()
    client = signed_in(viewer)

    page = client.get(f"/releases/{release.key}/status-report/").content.decode()
    markdown = client.get(f"/releases/{release.key}/status-report.md")

    assert "Off track" in page and "outcomes/outcomes.css" in page
    text = markdown.content.decode()
    assert text.startswith(f"# Status report: {release.name}")
    assert "## Health: Off track" in text
    assert "| Uptime | 95% uptime | 90% | Missed |" in text


def test_print_css_hides_navigation_and_forms():
    from django.contrib.staticfiles import finders

    with open(finders.find("outcomes/outcomes.css")) as handle:
        css = handle.read()
    assert "@media print" in css and ".no-print" in css


def test_weekly_report_counts_work_done_this_week_and_what_went_live():
    release = live_release(days_ago=1)
    item = release.checklist_items.exclude(status="done").first()
    release_services.checklist_item_update(item=item, revision=item.revision,
                                           changes={"status": "done"}, actor=CLI)
    monday = selectors.week_of(None)

    report = selectors.weekly_report(monday)

    row = next(r for r in report["rows"] if r.release == release)
    assert row.done_this_week == 1
    if release.go_live >= monday:
        assert release in report["went_live"]


def test_weekly_report_shows_each_releases_checklist_and_overdue_counts_in_html_and_markdown(
        viewer):
    release = _overdue_release()
    total = release.checklist_items.count()
    week = selectors.week_of(None).strftime("%G-W%V")

    html = signed_in(viewer).get(f"/reports/weekly/?week={week}").content.decode()
    markdown = signed_in(viewer).get(f"/reports/weekly.md?week={week}").content.decode()

    assert f'<td class="num">0/{total}</td>' in html
    assert '<td class="num overdue">1</td>' in html
    row = next(line for line in markdown.splitlines() if f"({release.key})" in line)
    assert f"| 0/{total} | 0 | 1 |" in row


def test_weekly_report_lists_under_went_live_only_releases_that_went_live(viewer):
    today = timezone.localdate()
    planned = make_release(go_live=today, name="Still planning")
    live = live_release(days_ago=0)
    week = selectors.week_of(None).strftime("%G-W%V")

    report = selectors.weekly_report(selectors.week_of(None))
    markdown = signed_in(viewer).get(f"/reports/weekly.md?week={week}").content.decode()

    assert live in report["went_live"] and planned not in report["went_live"]
    went_live = markdown.split("## Went live this week")[1].split("##")[0]
    assert live.key in went_live and planned.key not in went_live


def test_week_of_reads_iso_weeks_and_dates_and_refuses_nonsense():
    assert selectors.week_of("2026-W03") == date(2026, 1, 12)
    assert selectors.week_of("2026-01-15") == date(2026, 1, 12)
    with pytest.raises(ValueError, match="2026-W47"):
        selectors.week_of("last week")


def test_weekly_report_markdown_and_api(api_as, viewer):
    _overdue_release()
    api = api_as(viewer)

    markdown = signed_in(viewer).get("/reports/weekly.md?week=2026-W47").content.decode()
    data = api.get("/api/v1/reports/weekly?week=2026-W47").json()
    bad = api.get("/api/v1/reports/weekly?week=soon")

    assert markdown.startswith("# Weekly report 2026-W47")
    assert "## At risk" in markdown
    assert data["week"] == "2026-W47" and data["monday"] == "2026-11-16"
    assert bad.status_code == 422


def test_my_items_lists_owned_items_kpis_and_signoffs_waiting(contributor):
    release = live_release()
    item = release.checklist_items.first()
    release_services.checklist_item_update(item=item, revision=item.revision,
                                           changes={"owner": contributor}, actor=CLI)
    outcome_services.kpi_create(release=release, target="95% uptime", owner=contributor,
                                actor=CLI)
    signoff = release.signoffs.get(role="Technical Lead")
    outcome_services.signoff_assign(signoff=signoff, assignee=contributor, revision=None, actor=CLI)

    items = selectors.my_items(contributor)
    page = signed_in(contributor).get("/dashboards/my-items/").content.decode()

    assert [i.pk for i in items["items"]] == [item.pk]
    assert [v.kpi.key for v in items["kpis"]] == ["uptime"]
    assert [s.role for s in items["signoffs"]] == ["Technical Lead"]
    assert "Sign-offs waiting on me" in page and item.text in page


def test_my_items_leaves_out_finished_items_and_signed_signoffs(contributor):
    release = live_release()
    item = release.checklist_items.first()
    release_services.checklist_item_update(item=item, revision=item.revision, actor=CLI,
                                           changes={"owner": contributor, "status": "done"})
    signoff = release.signoffs.first()
    outcome_services.signoff_assign(signoff=signoff, assignee=contributor, revision=None, actor=CLI)
    outcome_services.signoff_sign(signoff=signoff, actor=Actor(contributor, "web"))

    items = selectors.my_items(contributor)
    assert items["items"] == [] and items["signoffs"] == []


def test_navigation_has_the_roadmap_reports_and_dashboards(viewer):
    html = signed_in(viewer).get("/dashboards/at-risk/").content.decode()
    for label in ("Roadmap", "My items", "Releases at risk", "Weekly report"):
        assert f">{label}</a>" in html


def test_dashboards_need_sign_in(client):
    assert client.get("/dashboards/my-items/").status_code == 302
    assert client.get("/api/v1/dashboards/at-risk").status_code == 401


def test_cli_report_status_prints_markdown(capsys):
    release = _missed_kpi_release()
    call_command("report", "status", release.key)
    assert "## Success metrics" in capsys.readouterr().out


def test_overdue_items_of_closed_releases_are_not_at_risk():
    release = _overdue_release()
    release.__class__.objects.filter(pk=release.pk).update(status="closed")
    assert release.key not in {row.release.key for row in selectors.releases_at_risk()}
    assert ChecklistItem.objects.filter(release=release).exists()

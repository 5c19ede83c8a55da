import pytest

from tests.outcomes.conftest import live_release
from tminus.core.actors import Actor
from tminus.outcomes import selectors, services
from tminus.outcomes.chart import kpi_chart_svg
from tminus.outcomes.measure import kpi_anchor
from tminus.outcomes.models import KpiCheckin

pytestmark = pytest.mark.django_db
CLI = Actor.cli()


def _seed_003_release():
    release = live_release(days_ago=10)
    created = services.kpi_create(release=release, target="50+ laybys created in first month",
                                  actor=CLI)
    tickets = services.kpi_create(release=release, target="Support tickets: < 20 in first week",
                                  actor=CLI)
    for day, value in enumerate([3, 8, 12], start=1):
        services.kpi_checkin_record(kpi=created, value=str(value), slot=f"day-{day}", actor=CLI)
    services.kpi_checkin_record(kpi=tickets, value="25", slot="day-2", actor=CLI)
    return release, created, tickets


def test_checkin_tables_fill_seed_003_daily_and_weekly_metrics():
    release, _created, _tickets = _seed_003_release()

    tables = selectors.checkin_tables(selectors.release_kpis(release))

    assert [t.title for t in tables] == ["Daily metrics", "Weekly metrics"]
    daily, weekly = tables
    assert [row.slot.label for row in daily.rows] == [f"Day {n}" for n in range(1, 8)]
    assert [row.slot.label for row in weekly.rows] == ["Week 1", "Week 2", "Week 3", "Week 4"]
    day_1, day_2, day_4 = daily.rows[0], daily.rows[1], daily.rows[3]
    assert [c["checkin"].value for c in day_1.cells if c["checkin"]] == [3]
    assert [c["state"] for c in day_1.cells] == ["pending", "due"]
    assert day_2.status == "Issues"  # 25 tickets against < 20
    assert [c["state"] for c in day_4.cells] == ["due", "due"]
    assert [c["state"] for c in weekly.rows[0].cells] == ["due", "due"]
    assert [c["state"] for c in weekly.rows[3].cells] == ["later", "later"]


def test_missing_reading_shows_as_missing_with_its_error():
    release, created, _ = _seed_003_release()
    KpiCheckin.objects.create(kpi=created, slot="day-4", taken_at=release.created_at,
                              status=KpiCheckin.MISSING, error="Prometheus did not answer",
                              source="prometheus")
    daily = selectors.checkin_tables(selectors.release_kpis(release))[0]
    cell = daily.rows[3].cells[0]
    assert cell["state"] == "missing"
    assert cell["checkin"].error == "Prometheus did not answer"
    assert daily.rows[3].status == "Incomplete"


def test_kpi_chart_draws_target_line_readings_and_misses():
    release, _created, tickets = _seed_003_release()
    KpiCheckin.objects.create(kpi=tickets, slot="day-3", taken_at=release.created_at,
                              status=KpiCheckin.MISSING, error="down <script>", source="x")
    view = selectors.kpi_view(tickets, tickets.checkins.all())

    svg = kpi_chart_svg(view, kpi_anchor(tickets))

    assert svg.startswith('<svg class="kpi-chart"')
    assert "target &lt; 20" in svg
    assert svg.count('<circle class="reading missed"') == 1
    assert '<g class="reading missing">' in svg
    assert "<script>" not in svg and "down &lt;script&gt;" in svg


def test_kpi_chart_without_readings_is_empty():
    release = live_release()
    kpi = services.kpi_create(release=release, target="95% uptime", actor=CLI)
    assert kpi_chart_svg(selectors.kpi_view(kpi, []), kpi_anchor(kpi)) == ""


def test_release_kpis_query_count_does_not_grow_with_kpis(django_assert_num_queries):
    release = live_release()
    for index in range(2):
        kpi = services.kpi_create(release=release, target=f"{90 + index}% uptime", actor=CLI)
        services.kpi_checkin_record(kpi=kpi, value="99", slot="day-1", actor=CLI)
    with django_assert_num_queries(2):
        assert len(selectors.release_kpis(release)) == 2
    for index in range(18):
        kpi = services.kpi_create(release=release, target=f"{70 + index}% uptime", actor=CLI)
        services.kpi_checkin_record(kpi=kpi, value="99", slot="day-1", actor=CLI)
    with django_assert_num_queries(2):
        views = selectors.release_kpis(release)
        assert len(views) == 20
        selectors.checkin_tables(views)

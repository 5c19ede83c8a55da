from datetime import date
from types import SimpleNamespace as Row

from tminus.releases.timeline import timeline_svg

PHASES = [Row(name="Testing", start_date=date(2026, 3, 1), end_date=date(2026, 3, 12)),
          Row(name="Release & <Go>", start_date=date(2026, 3, 28), end_date=date(2026, 3, 28))]
MILESTONES = [Row(name="Go-live", kind="go_live", date=date(2026, 3, 28))]


def test_timeline_draws_a_bar_per_phase_a_mark_per_milestone_and_todays_line():
    svg = timeline_svg(PHASES, MILESTONES, today=date(2026, 3, 10))
    assert svg.count('class="phase"') == 2
    assert 'class="milestone milestone-go_live"' in svg
    assert 'class="today"' in svg
    assert "Release &amp; &lt;Go&gt;" in svg


def test_timeline_with_today_far_away_marks_it_at_the_edge_instead_of_stretching():
    svg = timeline_svg(PHASES, MILESTONES, today=date(2024, 1, 1))
    assert 'class="today"' not in svg
    assert "today is" in svg and "days before" in svg
    assert svg.count('class="tick"') <= 10


def test_timeline_without_dates_is_empty():
    assert timeline_svg([Row(name="X", start_date=None, end_date=None)], [], date.today()) == ""


def test_timeline_of_a_plan_without_phases_or_milestones_shows_its_go_live():
    svg = timeline_svg([], [], date(2026, 3, 1), go_live=date(2026, 3, 20))

    assert 'class="milestone milestone-go_live"' in svg
    assert "Go-live: 2026-03-20" in svg


def test_timeline_draws_go_live_once_when_the_plan_has_a_go_live_milestone():
    go_live = Row(name="Launch", kind="go_live", date=date(2026, 3, 28))

    svg = timeline_svg(PHASES, [go_live], date(2026, 3, 1), go_live=date(2026, 3, 28))

    assert svg.count("milestone-go_live") == 1

from datetime import UTC, datetime, timedelta
from types import SimpleNamespace

from tminus.rollouts.charts import check_chart_svg

T0 = datetime(2026, 3, 12, 9, 0, tzinfo=UTC)


def reading(minute: int, value, met=True, error=""):
    return SimpleNamespace(minute=T0 + timedelta(minutes=minute), value=value, met=met,
                           error=error)


def test_chart_draws_values_a_threshold_line_and_breaks_at_unknown_minutes():
    svg = check_chart_svg([reading(0, 0.5), reading(1, 0.8), reading(2, None, None, "no data"),
                           reading(3, 2.5, False), reading(4, 1.0)],
                          threshold=2, label="% errors <b>", unit="%")

    assert svg.startswith('<svg class="check-chart"') and svg.endswith("</svg>")
    assert svg.count('class="threshold"') == 1
    assert svg.count("<polyline") == 2  # 0-1, then 3-4: the unknown minute breaks the line
    assert 'class="unknown"' in svg and "unknown (no data)" in svg
    assert 'class="bad"' in svg and "09:03: 2.5%" in svg
    assert "&lt;b&gt;" in svg and "<b>" not in svg


def test_trigger_chart_marks_a_fired_reading_as_bad():
    svg = check_chart_svg([reading(0, 5.0, True)], threshold=2, label="t", bad_when_met=True)
    assert 'class="bad"' in svg and 'class="good"' not in svg


def test_chart_without_readings_says_so():
    assert "No readings yet" in check_chart_svg([], threshold=1, label="x")

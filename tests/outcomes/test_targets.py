import pytest

from tminus.outcomes.targets import COUNT, parse_target, parse_value


@pytest.mark.parametrize(("text", "comparator", "value", "unit", "subject", "window_hours"), [
    ("500+ registered users in the first month", ">=", 500, COUNT, "registered users", 720),
    ("500+ registered users in first month", ">=", 500, COUNT, "registered users", 720),
    ("100+ products listed", ">=", 100, COUNT, "products listed", None),
    ("50+ successful orders", ">=", 50, COUNT, "successful orders", None),
    ("95% uptime", ">=", 95, "%", "uptime", None),
    ("page load under 2 s", "<", 2, "s", "page load", None),
    ("<2 second page load time", "<", 2, "s", "page load time", None),
    ("error rate under 1%", "<", 1, "%", "error rate", None),
    ("> 99.9%", ">", 99.9, "%", "", None),
    ("< 500ms", "<", 500, "ms", "", None),
    ("Application uptime: > 99.9%", ">", 99.9, "%", "Application uptime", None),
    ("Support tickets: < 20 in first week", "<", 20, COUNT, "Support tickets", 168),
    ("50+ successful orders within the first 24 hours", ">=", 50, COUNT, "successful orders",
     24),
    ("User satisfaction: > 4/5", ">", 4, "/5", "User satisfaction", None),
    ("Zero data loss incidents", "=", 0, COUNT, "data loss incidents", None),
    ("at least 1,000 orders", ">=", 1000, COUNT, "orders", None),
    ("no more than 3 incidents", "<=", 3, COUNT, "incidents", None),
    ("checkout 2 s or less", "<=", 2, "s", "checkout", None),
    ("Week 1: 10% of businesses create first layby", ">=", 10, "%",
     "businesses create first layby", 168),
    ("exactly 3 releases", "=", 3, COUNT, "releases", None),
    ("p95 latency under 300 ms", "<", 300, "ms", "p95 latency", None),
    ("HTTP 5xx errors below 2%", "<", 2, "%", "HTTP 5xx errors", None),
])
def test_parse_target_reads_comparator_number_unit_and_window(text, comparator, value, unit,
                                                              subject, window_hours):
    target = parse_target(text)

    assert (target.comparator, target.value, target.unit) == (comparator, value, unit)
    assert target.subject == subject
    assert target.window_hours == window_hours


@pytest.mark.parametrize("text", ["fast", "", "   ", "very quick page loads"])
def test_parse_target_without_a_number_is_refused_with_how_to_write_one(text):
    with pytest.raises(ValueError, match="Write a target with a number"):
        parse_target(text)


def test_target_describe_gives_a_normal_form():
    assert parse_target("500+ registered users in first month").describe() == (
        "registered users ≥ 500 in the first month")
    assert parse_target("< 500ms").describe() == "< 500 ms"


@pytest.mark.parametrize(("text", "value", "met"), [
    ("95% uptime", 95, True), ("95% uptime", 94.99, False),
    ("page load under 2 s", 2, False), ("page load under 2 s", 1.9, True),
    ("> 99.9%", 99.9, False), ("Zero data loss incidents", 0, True),
    ("no more than 3 incidents", 3, True),
])
def test_target_met_by_compares_with_its_comparator(text, value, met):
    assert parse_target(text).met_by(value) is met


@pytest.mark.parametrize(("text", "unit", "value"), [
    ("1.4", "s", 1.4), ("1400ms", "s", 1.4), ("1.4 s", "ms", 1400), ("2 min", "s", 120),
    ("97 %", "%", 97), ("99.95%", "%", 99.95), ("520 users", COUNT, 520), ("1,200", COUNT, 1200),
    ("4.2/5", "/5", 4.2),
])
def test_parse_value_reads_and_converts_into_the_kpi_unit(text, unit, value):
    assert parse_value(text, unit) == pytest.approx(value)


@pytest.mark.parametrize(("text", "unit", "message"), [
    ("3 s", "%", "is in s, but this KPI is measured in %"),
    ("5%", COUNT, "measured in a count"),
    ("12 ms", "%", "measured in %"),
    ("fast", "s", "is not a number"),
    ("", "s", "is not a number"),
])
def test_parse_value_in_the_wrong_unit_is_refused(text, unit, message):
    with pytest.raises(ValueError, match=message):
        parse_value(text, unit)

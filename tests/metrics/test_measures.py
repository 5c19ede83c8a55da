import socket
from datetime import UTC, datetime, timedelta
from types import SimpleNamespace

import pytest

from tminus.core.actors import Actor
from tminus.core.errors import ValidationFailed
from tminus.flags import services as flags
from tminus.flags.metrics import metrics_record
from tminus.flags.tokens import TokenScope
from tminus.metrics import services
from tminus.metrics.kpi import kpi_value, parse_kpi_query
from tminus.metrics.measures import Measure, Scope, measure, measure_problems
from tminus.metrics.prometheus import instant_query

pytestmark = pytest.mark.django_db
SYSTEM = Actor.cli()
T0 = datetime.now(UTC).replace(second=0, microsecond=0) - timedelta(hours=3)
SDK = TokenScope(token_id=0, kind="client", environment="production", all_projects=True,
                 projects=frozenset())


@pytest.fixture
def data(db):
    project = flags.project_create(key="va", actor=SYSTEM)
    for key in ("1095-b-download", "other"):
        flags.flag_create(project=project, key=key, actor=SYSTEM)
    for key in ("download_click", "download_error", "latency_ms"):
        services.metric_declare(key=key, actor=SYSTEM)
    events = []
    for n in range(40):  # 40 clicks over 4 minutes, 2 errors, latencies 100..490
        at = (T0 + timedelta(seconds=6 * n)).isoformat()
        events.append({"id": f"c{n}", "name": "download_click", "time": at,
                       "flag": "1095-b-download", "environment": "production"})
        events.append({"id": f"l{n}", "name": "latency_ms", "time": at, "value": 100 + 10 * n,
                       "flag": "1095-b-download", "environment": "production"})
    events += [{"id": f"e{n}", "name": "download_error", "time": T0.isoformat(),
                "flag": "1095-b-download", "environment": "production"} for n in range(2)]
    events.append({"id": "other", "name": "download_error", "time": T0.isoformat(),
                   "flag": "other", "environment": "production"})
    assert services.events_record(events=events).accepted == len(events)
    for minute, (yes, no) in enumerate([(30, 270), (10, 90)]):
        metrics_record(scope=SDK, body={"appName": "web", "bucket": {
            "start": (T0 + timedelta(minutes=minute)).isoformat(),
            "stop": (T0 + timedelta(minutes=minute + 1)).isoformat(),
            "toggles": {"1095-b-download": {"yes": yes, "no": no}}}})


def scope(flag="1095-b-download", minutes=4, start=T0):
    return Scope(environment="production", flag=flag, start=start,
                 end=start + timedelta(minutes=minutes))


@pytest.mark.parametrize("spec, value, sample", [
    (Measure("download_click"), 40, 40),
    (Measure("latency_ms", aggregation="sum"), sum(100 + 10 * n for n in range(40)), 40),
    (Measure("latency_ms", aggregation="avg"), 295, 40),
    (Measure("download_click", aggregation="rate"), 10, 40),
    (Measure("download_error", aggregation="ratio", denominator="download_click"), 5, 40),
    (Measure("exposures"), 40, 40),
    (Measure("evaluations"), 400, 400),
    (Measure("download_error", aggregation="ratio", denominator="download_click",
             sample_metric="exposures"), 5, 40),
])
def test_measure_aggregates_the_minute_totals(data, spec, value, sample):
    reading = measure(spec, scope())
    assert (reading.value, reading.sample, reading.error) == (pytest.approx(value), sample, "")


def test_measure_counts_from_the_exact_start_not_from_the_whole_minute(data):
    reading = measure(Measure("download_click"), scope(start=T0 + timedelta(seconds=50),
                                                       minutes=1))
    # Clicks every 6 s: 54 s in the first minute, then 60..114 s of the minute after (whole);
    # the 9 clicks of 0..48 s came before the window started.
    assert reading.value == 11


def test_measure_for_one_flag_or_all_flags(data):
    spec = Measure("download_error")
    assert measure(spec, scope()).value == 2
    assert measure(spec, scope(flag=None)).value == 3


def test_ratio_without_a_denominator_is_unknown_not_zero(data):
    reading = measure(Measure("download_error", aggregation="ratio",
                              denominator="download_click"), scope(start=T0 - timedelta(hours=1)))
    assert reading.value is None and "no download_click yet" in reading.error


@pytest.mark.parametrize("spec, field, message", [
    (Measure("download_clicks"), "metric", "no metric 'download_clicks'"),
    (Measure("download_error", aggregation="ratio"), "of", "needs the metric"),
    (Measure("download_error", aggregation="median"), "aggregation", "Unknown aggregation"),
    (Measure(source="prometheus"), "query", "needs a query"),
    (Measure(source="prometheus", query="up", url="ftp://x"), "url", "http://"),
    (Measure(source="prometheus", query="up", url="http://169.254.169.254"), "url", "internal"),
    (Measure("exposures", sample_metric="visits"), "sample_metric", "no metric 'visits'"),
])
def test_measure_problems_name_the_field(data, spec, field, message):
    assert message in measure_problems(spec)[field]


def test_declaring_a_built_in_metric_is_refused(db):
    with pytest.raises(ValidationFailed, match="already exists"):
        services.metric_declare(key="exposures", actor=SYSTEM)


def test_prometheus_measure_reads_the_query_at_the_window_end(data, prometheus):
    prometheus.values["sum(rate(pdf_errors[5m]))"] = "0.75"
    spec = Measure(source="prometheus", query="sum(rate(pdf_errors[5m]))", url=prometheus.url,
                   sample_metric="exposures")

    reading = measure(spec, scope())

    assert (reading.value, reading.sample) == (0.75, 40)
    assert float(prometheus.asked[0]["time"]) == pytest.approx(
        (T0 + timedelta(minutes=4)).timestamp())


def test_prometheus_that_is_down_gives_an_unknown_reading(data):
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        url = f"http://127.0.0.1:{probe.getsockname()[1]}"
    reading = measure(Measure(source="prometheus", query="up", url=url), scope())
    assert reading.value is None and f"Prometheus at {url} did not answer" in reading.error


def test_prometheus_on_an_internal_address_is_not_asked(data, prometheus, settings):
    settings.OUTBOUND_ALLOW = []
    reading = measure(Measure(source="prometheus", query="up", url=prometheus.url), scope())
    assert reading.value is None and "internal address" in reading.error
    assert prometheus.asked == []


def test_prometheus_refusal_and_empty_answers_are_errors(prometheus):
    assert instant_query(prometheus.url, "sum(rate(x[5m])", T0)[1].endswith(
        "unclosed left parenthesis.")
    assert instant_query(prometheus.url, "nothing", T0) == (None,
                                                             "The query returned no samples.")


def test_prometheus_without_a_server_configured_is_unknown(data, settings):
    settings.PROMETHEUS_URL = ""
    reading = measure(Measure(source="prometheus", query="up"), scope())
    assert reading.value is None and "No Prometheus server" in reading.error


def test_real_prometheus_answers_a_criterion_query(data, real_prometheus):
    at = datetime.now(UTC)
    spec = Measure(source="prometheus", query="100 * scalar(vector(0.0125))",
                   url=real_prometheus)
    reading = measure(spec, Scope(environment="production", flag=None, start=at, end=at))
    assert (reading.value, reading.error) == (1.25, "")
    assert "parse error" in instant_query(real_prometheus, "sum(rate(", at)[1]


@pytest.mark.parametrize("query, expected", [
    ("download_click", ("download_click", "count", "", None)),
    ("ratio(download_error/download_click)@production",
     ("download_error", "ratio", "download_click", "production")),
    ("rate( download_click )", ("download_click", "rate", "", None)),
])
def test_kpi_queries_are_read(data, query, expected):
    spec, environment, error = parse_kpi_query(query)
    assert (spec.metric, spec.aggregation, spec.denominator, environment) == expected
    assert error == ""


@pytest.mark.parametrize("query, message", [
    ("ratio(download_error)", "two metrics"),
    ("count(download_click/download_error)", "two metrics"),
    ("sum(nope)", "no metric 'nope'"),
    ("select * from events", "not a metrics query"),
])
def test_bad_kpi_queries_say_why(data, query, message):
    assert message in parse_kpi_query(query)[2]


def test_kpi_value_is_the_measure_over_the_kpi_window(data):
    kpi = SimpleNamespace(query="ratio(download_error/download_click)@production",
                          window_hours=1)
    # Every flag's events: 3 errors (one on another flag) of 40 clicks.
    assert kpi_value(kpi, T0 + timedelta(minutes=30)) == (7.5, "")


def test_outcomes_can_read_kpis_from_metrics(data):
    from tminus.outcomes.sources import kpi_source_value

    kpi = SimpleNamespace(source="metrics", query="download_click", window_hours=None)
    assert kpi_source_value(kpi, T0 + timedelta(hours=1)) == (40.0, "")


def test_measure_api_reads_like_a_criterion(data, api_as, viewer):
    response = api_as(viewer).get(
        "/api/v1/metrics/measure?metric=download_error&aggregation=ratio&of=download_click"
        "&environment=production&flag=1095-b-download&minutes=600")
    body = response.json()
    assert (body["value"], body["sample"], body["measure"]) == (
        5.0, 40, "% download_error of download_click")
    bad = api_as(viewer).get("/api/v1/metrics/measure?metric=nope")
    assert bad.status_code == 422 and "no metric 'nope'" in bad.json()["errors"]["metric"][0]


def test_series_api_gives_per_minute_counts_of_events_and_exposures(data, api_as, viewer):
    api = api_as(viewer)
    clicks = api.get("/api/v1/metrics/download_click/series?environment=production"
                     "&flag=1095-b-download&minutes=600").json()
    exposures = api.get("/api/v1/metrics/exposures/series?environment=production"
                        "&minutes=600").json()
    assert [p["count"] for p in clicks] == [10, 10, 10, 10]
    assert [p["count"] for p in exposures] == [30, 10]
    assert api.get("/api/v1/metrics/nope/series?environment=production").status_code == 404

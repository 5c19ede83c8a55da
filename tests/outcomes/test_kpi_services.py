from datetime import timedelta

import pytest
from django.utils import timezone

from tests.factories import ProductFactory, make_release
from tests.outcomes.conftest import live_release
from tminus.audit.models import AuditEvent
from tminus.core.actors import Actor
from tminus.core.errors import Conflict, NotAllowed, ValidationFailed
from tminus.outcomes import selectors, services
from tminus.outcomes.models import Kpi, KpiCheckin

pytestmark = pytest.mark.django_db
CLI = Actor.cli()


def test_kpi_create_parses_the_target_and_names_the_kpi_after_it():
    release = make_release()

    kpi = services.kpi_create(release=release, target="500+ registered users in the first month",
                              actor=CLI)

    assert (kpi.comparator, kpi.target_value, kpi.unit) == (">=", 500, "count")
    assert (kpi.name, kpi.key, kpi.window_hours) == ("Registered users", "registered-users", 720)
    event = AuditEvent.objects.get(action="kpi.create")
    assert event.release_id == release.pk
    assert event.after["target_text"] == "500+ registered users in the first month"


def test_kpi_create_with_a_target_that_does_not_parse_is_refused_and_saves_nothing():
    release = make_release()

    with pytest.raises(ValidationFailed) as refused:
        services.kpi_create(release=release, target="fast", name="Speed", actor=CLI)

    assert "no number" in refused.value.errors["target"][0]
    assert not Kpi.objects.exists()
    assert not AuditEvent.objects.filter(action="kpi.create").exists()


def test_kpi_create_without_a_subject_needs_a_name():
    with pytest.raises(ValidationFailed) as refused:
        services.kpi_create(release=make_release(), target="> 99.9%", actor=CLI)
    assert "Name the KPI" in refused.value.errors["name"][0]


def test_kpi_create_from_prometheus_needs_a_query_and_a_known_source():
    release = make_release()
    with pytest.raises(ValidationFailed) as refused:
        services.kpi_create(release=release, target="95% uptime", source="prometheus", actor=CLI)
    assert "query" in refused.value.errors

    with pytest.raises(ValidationFailed) as refused:
        services.kpi_create(release=release, target="95% uptime", source="crystal-ball",
                            actor=CLI)
    assert "manual" in refused.value.errors["source"][0]


def test_kpi_create_with_a_schedule_that_does_not_parse_is_refused():
    with pytest.raises(ValidationFailed) as refused:
        services.kpi_create(release=make_release(), target="95% uptime", schedule="now and then",
                            actor=CLI)
    assert "not a check-in schedule" in refused.value.errors["schedule"][0]


def test_kpi_create_for_a_product_roadmap_counts_from_its_start(manager):
    product = ProductFactory()
    kpi = services.kpi_create(product=product, target="95% uptime",
                              starts_on=timezone.localdate(), actor=Actor(manager, "web"))
    assert kpi.release is None
    assert kpi.product == product


def test_kpi_create_by_a_contributor_is_not_allowed(contributor):
    with pytest.raises(NotAllowed):
        services.kpi_create(release=make_release(), target="95% uptime",
                            actor=Actor(contributor, "web"))


def test_kpi_keys_stay_unique_within_a_release():
    release = make_release()
    first = services.kpi_create(release=release, target="95% uptime", actor=CLI)
    second = services.kpi_create(release=release, target="99% uptime", actor=CLI)
    assert (first.key, second.key) == ("uptime", "uptime-2")


def test_kpi_update_with_a_stale_revision_is_a_conflict():
    kpi = services.kpi_create(release=make_release(), target="95% uptime", actor=CLI)
    services.kpi_update(kpi=kpi, revision=1, changes={"target": "97% uptime"}, actor=CLI)

    stale = Kpi.objects.get(pk=kpi.pk)
    with pytest.raises(Conflict):
        services.kpi_update(kpi=stale, revision=1, changes={"target": "90% uptime"}, actor=CLI)
    assert Kpi.objects.get(pk=kpi.pk).target_value == 97


def test_kpi_update_that_changes_the_unit_of_existing_readings_is_refused():
    kpi = services.kpi_create(release=live_release(), target="page load under 2 s", actor=CLI)
    services.kpi_checkin_record(kpi=kpi, value="1.2", actor=CLI)

    with pytest.raises(ValidationFailed, match="same unit"):
        services.kpi_update(kpi=kpi, revision=kpi.revision, changes={"target": "under 5%"},
                            actor=CLI)
    kpi.refresh_from_db()
    assert (kpi.unit, kpi.target_value) == ("s", 2)


def test_checkin_record_for_a_slot_converts_the_unit_and_judges_it(manager):
    kpi = services.kpi_create(release=live_release(days_ago=10), target="page load under 2 s",
                              actor=CLI)

    checkin = services.kpi_checkin_record(kpi=kpi, value="1400ms", slot="day-3",
                                          actor=Actor(manager, "web"))

    assert (checkin.value, checkin.slot, checkin.recorded_by) == (1.4, "day-3", manager)
    view = selectors.kpi_view(kpi, kpi.checkins.all())
    assert view.checkins[0].verdict == "met"
    assert view.status == "met"
    assert checkin.due_at.date() == kpi.release.go_live + timedelta(days=3)


def test_checkin_record_with_a_value_of_the_wrong_unit_is_refused_and_saves_nothing():
    kpi = services.kpi_create(release=live_release(), target="95% uptime", actor=CLI)

    with pytest.raises(ValidationFailed) as refused:
        services.kpi_checkin_record(kpi=kpi, value="3 s", slot="day-1", actor=CLI)

    assert "measured in %" in refused.value.errors["value"][0]
    assert not KpiCheckin.objects.exists()


def test_checkin_record_for_a_slot_not_yet_due_is_refused():
    kpi = services.kpi_create(release=live_release(days_ago=2), target="95% uptime", actor=CLI)
    with pytest.raises(ValidationFailed, match="not due until"):
        services.kpi_checkin_record(kpi=kpi, value="99", slot="week-1", actor=CLI)


def test_checkin_record_twice_for_one_slot_is_refused():
    kpi = services.kpi_create(release=live_release(), target="95% uptime", actor=CLI)
    services.kpi_checkin_record(kpi=kpi, value="99", slot="day-1", actor=CLI)
    with pytest.raises(ValidationFailed, match="already has a reading"):
        services.kpi_checkin_record(kpi=kpi, value="98", slot="day-1", actor=CLI)
    assert KpiCheckin.objects.get().value == 99


def test_checkin_record_by_the_kpi_owner_with_a_viewer_role_is_allowed(viewer):
    kpi = services.kpi_create(release=live_release(), target="95% uptime", owner=viewer,
                              actor=CLI)
    services.kpi_checkin_record(kpi=kpi, value="99", actor=Actor(viewer, "web"))
    assert kpi.checkins.count() == 1


def test_checkin_record_by_another_viewer_is_not_allowed(viewer):
    kpi = services.kpi_create(release=live_release(), target="95% uptime", actor=CLI)
    with pytest.raises(NotAllowed):
        services.kpi_checkin_record(kpi=kpi, value="99", actor=Actor(viewer, "web"))


def test_checkin_correct_keeps_the_old_value_in_the_audit_log():
    kpi = services.kpi_create(release=live_release(), target="95% uptime", actor=CLI)
    checkin = services.kpi_checkin_record(kpi=kpi, value="90", slot="day-1", actor=CLI)

    services.kpi_checkin_correct(checkin=checkin, value="96%", revision=checkin.revision,
                                 actor=CLI)

    checkin.refresh_from_db()
    assert checkin.value == 96
    event = AuditEvent.objects.get(action="kpi_checkin.correct")
    assert (event.before["value"], event.after["value"]) == (90, 96)


def test_accumulating_target_below_target_is_on_the_way_inside_its_window_then_missed():
    release = live_release(days_ago=40)
    kpi = services.kpi_create(release=release, target="500+ registered users in the first month",
                              actor=CLI)
    early = services.kpi_checkin_record(kpi=kpi, value="120", slot="week-1", actor=CLI)

    view = selectors.kpi_view(kpi, [early], now=timezone.now())

    assert view.checkins[0].verdict == "pending"
    # The month has passed with no better reading: the target was missed.
    assert view.status == "missed"


def test_upper_bound_target_is_missed_at_once():
    kpi = services.kpi_create(release=live_release(), target="error rate under 1% in first month",
                              actor=CLI)
    checkin = services.kpi_checkin_record(kpi=kpi, value="2.5", slot="day-1", actor=CLI)
    assert selectors.kpi_view(kpi, [checkin]).checkins[0].verdict == "missed"


def test_kpi_baseline_is_read_in_the_kpi_unit_and_audited():
    release = make_release()

    kpi = services.kpi_create(release=release, target="page load under 2 s", baseline="3100 ms",
                              actor=CLI)
    kpi = services.kpi_update(kpi=kpi, revision=None, changes={"baseline": "2.9"}, actor=CLI)

    assert kpi.baseline == 2.9
    assert AuditEvent.objects.get(action="kpi.create").after["baseline"] == 3.1
    assert AuditEvent.objects.get(action="kpi.update").after["baseline"] == 2.9


def test_kpi_baseline_in_another_unit_is_refused_per_field_and_saves_nothing():
    release = make_release()

    with pytest.raises(ValidationFailed) as refused:
        services.kpi_create(release=release, target="error rate under 1%", baseline="3 s",
                            actor=CLI)

    assert "measured in %" in refused.value.errors["baseline"][0]
    assert not Kpi.objects.exists()

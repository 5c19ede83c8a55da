from datetime import date, timedelta

import pytest

from tests.factories import ProductFactory, make_release
from tminus.audit.models import AuditEvent
from tminus.core.actors import Actor
from tminus.core.errors import Conflict, NotAllowed, ValidationFailed
from tminus.people import services
from tminus.people.durations import format_duration, parse_duration
from tminus.people.models import EscalationStep, OnCallShift, Person, Stakeholder, SupportTier
from tminus.releases import services as release_services
from tminus.releases.models import Release, ReleaseTemplate

pytestmark = pytest.mark.django_db
GO_LIVE = date(2026, 3, 2)
CLI = Actor.cli()


@pytest.fixture
def person():
    return services.person_create(name="Sam Okafor", email="sam@example.com", actor=CLI)


@pytest.mark.parametrize(("text", "minutes"), [
    ("30m", 30), ("4h", 240), ("< 4 hours", 240), ("1d 12h", 2160), ("1w", 10080),
    ("90 min", 90),
])
def test_parse_duration_reads_what_people_write(text, minutes):
    assert parse_duration(text) == minutes


@pytest.mark.parametrize("text", ["", "soon", "4 parsecs", "0h", "4h banana", "400w"])
def test_parse_duration_with_nonsense_says_how_to_write_it(text):
    with pytest.raises(ValueError, match=r"duration|unit|zero|required|year"):
        parse_duration(text)


def test_format_duration_gives_shortest_exact_spelling():
    assert [format_duration(m) for m in (30, 240, 2160, 10080, None)] == [
        "30m", "4h", "1d 12h", "1w", ""]


def test_person_create_without_name_or_with_bad_email_is_refused_and_saves_nothing():
    with pytest.raises(ValidationFailed) as refused:
        services.person_create(name=" ", email="not-an-address", actor=CLI)
    assert set(refused.value.errors) == {"name", "email"}
    assert not Person.objects.exists()


def test_person_linked_to_an_account_already_linked_is_refused(manager, person):
    services.person_update(person=person, revision=person.revision, changes={"user": manager},
                           actor=CLI)
    with pytest.raises(ValidationFailed, match="already belongs to Sam Okafor"):
        services.person_create(name="Someone else", user=manager, actor=CLI)


def test_person_update_from_stale_revision_conflicts(person):
    stale = person.revision
    services.person_update(person=person, revision=stale, changes={"title": "QA Lead"},
                           actor=CLI)
    copy = Person.objects.get(pk=person.pk)
    with pytest.raises(Conflict) as conflict:
        services.person_update(person=copy, revision=stale, changes={"title": "Tester"},
                               actor=CLI)
    assert conflict.value.current["title"] == "QA Lead"


def test_stakeholder_add_is_audited_with_release_id(person):
    release = make_release()
    stakeholder = services.stakeholder_add(release=release, person=person, role="qa",
                                           responsible_for="Regression testing",
                                           is_approver=True, actor=CLI)
    event = AuditEvent.objects.get(action="stakeholder.add")
    assert event.release_id == release.pk
    assert event.after["role"] == "qa"
    assert stakeholder.is_approver


def test_stakeholder_with_unknown_role_names_the_known_ones(person):
    with pytest.raises(ValidationFailed) as refused:
        services.stakeholder_add(release=make_release(), person=person, role="wizard",
                                 actor=CLI)
    assert "development" in refused.value.errors["role"][0]
    assert not Stakeholder.objects.exists()


def test_stakeholder_same_role_twice_is_refused(person):
    release = make_release()
    services.stakeholder_add(release=release, person=person, role="qa", actor=CLI)
    with pytest.raises(ValidationFailed, match="already has that role"):
        services.stakeholder_add(release=release, person=person, role="qa", actor=CLI)


def test_contributor_cannot_add_a_stakeholder(contributor, person):
    with pytest.raises(NotAllowed):
        services.stakeholder_add(release=make_release(), person=person, role="qa",
                                 actor=Actor(contributor, "web"))


def test_support_tier_resolution_shorter_than_response_is_refused():
    release = make_release(template="patch")
    with pytest.raises(ValidationFailed) as refused:
        services.support_tier_add(release=release, level=1, name="First line",
                                  response_minutes=240, resolution_minutes=60, actor=CLI)
    assert "resolution_minutes" in refused.value.errors
    assert not release.support_tiers.exists()


def test_support_tier_level_twice_on_one_release_is_refused():
    release = make_release(template="major")
    with pytest.raises(ValidationFailed, match="already has a tier 1"):
        services.support_tier_add(release=release, level=1, name="Again", response_minutes=60,
                                  actor=CLI)


def test_escalation_steps_are_added_in_order():
    release = make_release(template="patch")
    release.escalation_steps.all().delete()
    services.escalation_step_add(release=release, from_party="User", to_party="Support",
                                 actor=CLI)
    services.escalation_step_add(release=release, from_party="Support", to_party="Tech lead",
                                 condition="if support cannot resolve it", actor=CLI)
    assert [(s.order, s.to_party) for s in release.escalation_steps.all()] == [
        (1, "Support"), (2, "Tech lead")]


def test_on_call_week_zero_makes_no_sense_and_saves_nothing():
    release = make_release(template="patch")
    before = OnCallShift.objects.count()
    with pytest.raises(ValidationFailed) as refused:
        services.on_call_shift_add(release=release, week=0, actor=CLI)
    assert "weeks count from go-live" in refused.value.errors["week"][0]
    assert OnCallShift.objects.count() == before


def test_on_call_primary_and_secondary_must_differ(person):
    release = make_release(template="patch")
    with pytest.raises(ValidationFailed, match="someone other than the primary"):
        services.on_call_shift_add(release=release, week=5, primary=person, secondary=person,
                                   actor=CLI)


def test_on_call_week_dates_count_from_go_live_and_move_with_it(person):
    release = make_release(template="patch", go_live=GO_LIVE)
    shift = services.on_call_shift_add(release=release, week=3, primary=person, actor=CLI)
    assert (shift.start_date, shift.end_date) == (GO_LIVE + timedelta(days=14),
                                                  GO_LIVE + timedelta(days=20))

    release_services.release_schedule_shift(release=release, go_live=GO_LIVE + timedelta(days=7),
                                            actor=CLI)

    shift.refresh_from_db()
    assert shift.start_date == GO_LIVE + timedelta(days=21)


def test_on_call_shift_moved_to_another_week_gets_that_weeks_dates(person):
    release = make_release(template="patch", go_live=GO_LIVE)
    shift = services.on_call_shift_add(release=release, week=4, actor=CLI)
    shift = OnCallShift.objects.select_related("release").get(pk=shift.pk)
    services.on_call_shift_update(shift=shift, revision=shift.revision, changes={"week": 6},
                                  actor=CLI)
    shift.refresh_from_db()
    assert shift.start_date == GO_LIVE + timedelta(days=35)


def test_major_template_lays_out_support_tiers_escalation_and_four_rota_weeks():
    release = make_release(template="major", go_live=GO_LIVE)
    tiers = list(release.support_tiers.all())
    assert [(t.level, t.response_minutes) for t in tiers] == [(1, 240), (2, 120), (3, 60)]
    assert "Password resets" in tiers[0].handles_list
    assert release.escalation_steps.count() == 4
    rota = list(release.on_call_shifts.all())
    assert [s.week for s in rota] == [1, 2, 3, 4]
    assert rota[0].start_date == GO_LIVE and rota[3].end_date == GO_LIVE + timedelta(days=27)


def test_saved_template_with_a_bad_support_target_refuses_the_release_and_saves_nothing():
    ReleaseTemplate.objects.create(key="custom", name="Custom", release_type="minor",
                                   definition={"support": {"tiers": [
                                       {"level": 1, "name": "Desk", "response": "soonish"}]}})
    with pytest.raises(ValidationFailed) as refused:
        make_release(ProductFactory(), template="custom")
    assert "soonish" in refused.value.errors["support"][0]
    assert not Release.objects.exists()
    assert not SupportTier.objects.exists() and not EscalationStep.objects.exists()


def test_saved_template_support_part_replaces_the_defaults():
    ReleaseTemplate.objects.create(
        key="lean", name="Lean", release_type="major",
        definition={"support": {"tiers": [{"level": 1, "name": "Desk", "response": "8h"}],
                                "rota_weeks": 1}})
    release = make_release(template="lean")
    assert [t.name for t in release.support_tiers.all()] == ["Desk"]
    assert release.on_call_shifts.count() == 1
    assert not release.escalation_steps.exists()

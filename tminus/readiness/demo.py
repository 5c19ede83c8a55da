"""Demo risks, dependencies, votes and freeze windows for the demo releases."""

from datetime import datetime, time, timedelta

from django.utils import timezone

from tminus.core.actors import Actor
from tminus.people.models import Person
from tminus.readiness import services
from tminus.releases.models import Product, Release

# Seed 003's risk matrix: description, probability, impact, mitigation, owner.
LAYBY_RISKS = [
    ("User adoption slower than expected", "medium", "medium",
     "Enhanced training, simplified UI", "ana@example.com"),
    ("Technical issues during deployment", "low", "high",
     "Thorough testing, rollback plan ready", "priya@example.com"),
    ("Performance issues under load", "low", "medium", "Load testing, optimization plan",
     "dev@example.com"),
    ("Integration failures", "low", "high", "Comprehensive testing, fallback procedures",
     "dev@example.com"),
    ("Security vulnerability", "low", "critical", "Security audit, penetration testing",
     "jon@example.com"),
]
# Seed 000's risks for the Create Order release.
SHOP_RISKS = [
    ("Scalability during high-traffic periods", "medium", "high", "Load testing before launch",
     "priya@example.com", "mitigated"),
    ("Delays in email/SMS notifications from third-party services", "medium", "medium",
     "Queue and retry notifications; monitor provider status", "dev@example.com", "accepted"),
]


def load() -> None:
    actor = Actor.cli()
    people = {person.email: person for person in Person.objects.all()}
    releases = {release.key: release for release in Release.objects.all()}
    if "layby-1.0" in releases:
        _layby(releases["layby-1.0"], people, actor)
        _layby_votes(releases["layby-1.0"], people, actor)
    if "shop-1.0" in releases:
        _shop_1_0(releases["shop-1.0"], people, actor)
    if "va-1095b-rollout" in releases:
        _rollout(releases["va-1095b-rollout"], people, actor)
    _freeze_windows(actor)


def _layby(release, people, actor) -> None:
    known = set(release.risks.values_list("description", flat=True))  # the seed's own matrix
    for description, probability, impact, mitigation, owner in LAYBY_RISKS:
        if description in known:
            continue
        services.risk_add(release=release, description=description, probability=probability,
                          impact=impact, mitigation=mitigation, owner=people.get(owner),
                          review_offset=-7, actor=actor)
    services.dependency_add(release=release, name="SMS provider: payment reminder templates",
                            kind="third_party", owner=people.get("priya@example.com"),
                            needed_by_offset=-14, status="in_progress", actor=actor)
    services.dependency_add(release=release, name="Payment recording API", kind="internal",
                            owner=people.get("dev@example.com"), needed_by_offset=-21,
                            status="met", actor=actor)


def _shop_1_0(release, people, actor) -> None:
    for description, probability, impact, mitigation, owner, status in SHOP_RISKS:
        services.risk_add(release=release, description=description, probability=probability,
                          impact=impact, mitigation=mitigation, owner=people.get(owner),
                          status=status, actor=actor)
    services.dependency_add(release=release, name="Product inventory data available",
                            kind="internal", owner=people.get("dev@example.com"),
                            needed_by_offset=-14, status="met", actor=actor)


def _rollout(release, people, actor) -> None:
    services.risk_add(release=release, description="Download errors rise with traffic",
                      probability="medium", impact="high", owner=people.get("dev@example.com"),
                      mitigation="Stage the rollout; roll back above 2% download errors",
                      actor=actor)
    services.dependency_add(release=release, name="Enrollment data service", kind="internal",
                            owner=people.get("dev@example.com"), needed_by_offset=-7,
                            status="met", actor=actor)


def _layby_votes(release, people, actor) -> None:
    # Votes cast ahead of the go/no-go meeting: the page shows who still has to vote.
    sam = people.get("sam@example.com")
    if sam is not None:
        services.vote_record(release=release, approver=sam, vote="go_with_conditions",
                             comment="Only once the reminder fix passes UAT session 2.",
                             actor=actor)


def _freeze_windows(actor) -> None:
    today = timezone.localdate()
    friday = today - timedelta(days=(today.weekday() - 4) % 7)  # the latest Friday
    start = timezone.make_aware(datetime.combine(friday, time(12, 0)))
    services.freeze_window_add(name="Weekend change freeze", starts_at=start,
                               ends_at=start + timedelta(hours=66), rrule="FREQ=WEEKLY;BYDAY=FR",
                               reason="No deployments from Friday noon to Monday 06:00.",
                               actor=actor)
    year = today.year
    holidays = timezone.make_aware(datetime(year, 12, 24))
    services.freeze_window_add(name="Year-end holidays", starts_at=holidays,
                               ends_at=timezone.make_aware(datetime(year + 1, 1, 2)),
                               reason="Reduced staff over the holidays.", actor=actor)
    shop = Product.objects.filter(key="shop").first()
    if shop is not None:
        black_friday = _black_friday(year)
        begin = timezone.make_aware(datetime.combine(black_friday - timedelta(days=3), time()))
        services.freeze_window_add(name="Black Friday peak", product=shop, starts_at=begin,
                                   ends_at=begin + timedelta(days=7),
                                   reason="Peak trading week for the shop.", actor=actor)


def _black_friday(year: int):
    november = datetime(year, 11, 1).date()
    first_thursday = november + timedelta(days=(3 - november.weekday()) % 7)
    return first_thursday + timedelta(days=22)

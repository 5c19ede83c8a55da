"""Demo people, the stakeholders of the demo releases and their on-call rotas."""

from tminus.accounts.models import User
from tminus.core.actors import Actor
from tminus.people import services
from tminus.people.models import Person
from tminus.releases.models import Release

PEOPLE = [
    # name, title, email, phone, username
    ("Maria Lopez", "Project Manager", "maria@example.com", "+1 555 0100", "maria"),
    ("Dev Patel", "Technical Lead", "dev@example.com", "+1 555 0101", "dev"),
    ("Sam Okafor", "QA Lead", "sam@example.com", "+1 555 0102", None),
    ("Priya Nair", "DevOps Lead", "priya@example.com", "+1 555 0103", None),
    ("Tom Becker", "Support Lead", "tom@example.com", "+1 555 0104", None),
    ("Lena Fischer", "Marketing Manager", "lena@example.com", "+1 555 0105", None),
    ("Ana Silva", "Product Owner", "ana@example.com", "+1 555 0106", None),
    ("Jon Park", "Security Engineer", "jon@example.com", "+1 555 0107", None),
    ("Grace Kim", "Business Sponsor", "grace@example.com", "+1 555 0108", None),
]

STAKEHOLDERS = [
    # email, role, accountability, responsible for, approver
    ("maria@example.com", "project_management", "accountable",
     "The release plan, the go/no-go meeting and communication.", False),
    ("dev@example.com", "development", "responsible",
     "Completes features and fixes and hands them over for testing.", True),
    ("sam@example.com", "qa", "responsible",
     "Functional, performance and regression testing; UAT sign-off.", True),
    ("priya@example.com", "operations", "responsible",
     "Deployment, monitoring set-up and rollback capability.", True),
    ("tom@example.com", "customer_support", "responsible",
     "Prepares support for user questions about the release.", False),
    ("lena@example.com", "marketing", "consulted",
     "Release communications and user education.", False),
    ("ana@example.com", "product", "accountable", "Scope and success metrics.", False),
    ("grace@example.com", "sponsor", "informed", "Business sign-off.", False),
]

ROTA = [("dev@example.com", "priya@example.com"), ("priya@example.com", "dev@example.com"),
        ("dev@example.com", "sam@example.com"), ("priya@example.com", "tom@example.com")]


def load() -> None:
    actor = Actor.cli()
    people = {email: _person(name, title, email, phone, username, actor)
              for name, title, email, phone, username in PEOPLE}
    for release in Release.objects.filter(key__in=["shop-1.0", "va-1095b-rollout", "layby-1.0"]):
        for email, role, accountability, what, approver in STAKEHOLDERS:
            services.stakeholder_add(release=release, person=people[email], role=role,
                                     accountability=accountability, responsible_for=what,
                                     is_approver=approver, actor=actor)
        for shift, (primary, secondary) in zip(release.on_call_shifts.all(), ROTA,
                                               strict=False):
            services.on_call_shift_update(
                shift=shift, revision=shift.revision, actor=actor,
                changes={"primary": people[primary], "secondary": people[secondary]})


def _person(name, title, email, phone, username, actor) -> Person:
    user = User.objects.filter(username=username).first() if username else None
    return services.person_create(name=name, title=title, email=email, phone=phone,
                                  organisation="Example Co", user=user, actor=actor)

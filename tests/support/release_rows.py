"""One row of each kind that belongs to a release, made through its service, for the tests
that hold every kind's pages and endpoints to the same rules."""

from tminus.core.actors import Actor
from tminus.people import services as people
from tminus.people.models import Person
from tminus.readiness import services as readiness

CLI = Actor.cli()


def _person():
    return Person.objects.get_or_create(name="Rita Owner")[0]


MAKERS = {
    "risk": lambda release: readiness.risk_add(
        release=release, description="Payments time out", probability="high", impact="high",
        review_offset=-3, actor=CLI),
    "dependency": lambda release: readiness.dependency_add(
        release=release, name="Identity API", needed_by_offset=-10, actor=CLI),
    "contingency": lambda release: readiness.contingency_add(
        release=release, name="Roll back", trigger="Errors over 2%",
        steps=["Turn the flag off"], actor=CLI),
    "criterion": lambda release: readiness.criterion_add(
        release=release, kind="no_open_risk", label="No open risk", actor=CLI),
    "stakeholder": lambda release: people.stakeholder_add(
        release=release, person=_person(), role="qa", actor=CLI),
    "tier": lambda release: people.support_tier_add(
        release=release, level=9, name="Service desk", response_minutes=15, actor=CLI),
    "step": lambda release: people.escalation_step_add(
        release=release, from_party="Service desk", to_party="On-call engineer", actor=CLI),
    "shift": lambda release: people.on_call_shift_add(
        release=release, week=9, primary=_person(), actor=CLI),
}

"""Reads of people, stakeholders and support models. Lists run a fixed number of queries."""

from django.db.models import QuerySet

from tminus.core.errors import NotFound, ValidationFailed
from tminus.people.models import EscalationStep, OnCallShift, Person, Stakeholder, SupportTier


def people() -> QuerySet[Person]:
    return Person.objects.select_related("user").order_by("name", "id")


def person_get(person_id: int) -> Person:
    """A person by id, or NotFound."""
    person = Person.objects.select_related("user").filter(pk=person_id).first()
    if person is None:
        raise NotFound(f"No person with id {person_id}.")
    return person


def person_for_user(user) -> Person | None:
    """The person record linked to a sign-in account, if there is one."""
    if user is None or not getattr(user, "pk", None):
        return None
    return Person.objects.filter(user=user).first()


def stakeholders(release) -> QuerySet[Stakeholder]:
    return Stakeholder.objects.filter(release=release).select_related("person", "person__user")


def support_tiers(release) -> QuerySet[SupportTier]:
    return SupportTier.objects.filter(release=release).select_related("contact")


def escalation_path(release) -> QuerySet[EscalationStep]:
    return EscalationStep.objects.filter(release=release).select_related("contact")


def on_call_rota(release) -> QuerySet[OnCallShift]:
    return OnCallShift.objects.filter(release=release).select_related("primary", "secondary")


def support_model(release) -> dict:
    """Tiers, escalation path and on-call rota of a release (three queries)."""
    return {"tiers": list(support_tiers(release)), "escalation": list(escalation_path(release)),
            "rota": list(on_call_rota(release))}


def person_ref(person_id: int | None, field: str) -> Person | None:
    """The person an input names by id; a missing one is a validation error on that field."""
    if person_id is None:
        return None
    person = Person.objects.filter(pk=person_id).first()
    if person is None:
        raise ValidationFailed({field: f"No person with id {person_id}."})
    return person


def resolve_person_ids(values: dict) -> dict:
    """Input with `<name>_id` person ids, as service arguments with Person objects."""
    resolved = {}
    for key, value in values.items():
        if key.endswith("_id"):
            name = key[:-3]
            resolved[name] = person_ref(value, name)
        else:
            resolved[key] = value
    return resolved

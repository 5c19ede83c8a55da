"""Every write to people, stakeholders and a release's support model. Audited, in a transaction."""

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction

from tminus.accounts.permissions import require
from tminus.accounts.roles import MANAGE
from tminus.core import editing
from tminus.core.actors import Actor
from tminus.core.editing import choice_error
from tminus.core.offsets import date_at
from tminus.people.choices import Accountability, StakeholderRole
from tminus.people.models import EscalationStep, OnCallShift, Person, Stakeholder, SupportTier

PERSON_FIELDS = ["name", "title", "email", "phone", "organisation", "user"]
STAKEHOLDER_FIELDS = ["person", "role", "accountability", "responsible_for", "is_approver"]
TIER_FIELDS = ["level", "name", "handles", "response_minutes", "resolution_minutes",
               "resolution_note", "contact"]
STEP_FIELDS = ["order", "from_party", "to_party", "condition", "contact"]
SHIFT_FIELDS = ["week", "primary", "secondary", "start_date", "end_date"]
MAX_ROTA_WEEKS = 52


def _person_errors(person: Person) -> dict:
    errors = {}
    if not (person.name or "").strip():
        errors["name"] = "A person needs a name."
    if person.email:
        try:
            validate_email(person.email)
        except ValidationError:
            errors["email"] = f"{person.email!r} is not an email address."
    if person.user_id:
        other = Person.objects.filter(user_id=person.user_id).exclude(pk=person.pk).first()
        if other is not None:
            errors["user"] = f"That account already belongs to {other.name}."
    return errors


@transaction.atomic
def person_create(*, name: str, title: str = "", email: str = "", phone: str = "",
                  organisation: str = "", user=None, actor: Actor) -> Person:
    """Add a person whom plans can name (they need not be able to sign in)."""
    require(actor, MANAGE)
    person = Person(name=(name or "").strip(), title=title.strip(), email=email.strip(),
                    phone=phone.strip(), organisation=organisation.strip(), user=user)
    return editing.create(PERSON, person, actor=actor)


@transaction.atomic
def person_update(*, person: Person, revision: int | None, changes: dict,
                  actor: Actor) -> Person:
    """Edit a person's name, title and contact details."""
    return editing.update(PERSON, person, revision=revision, changes=changes,
                          actor=actor)


def _stakeholder_errors(stakeholder: Stakeholder) -> dict:
    errors = {}
    if stakeholder.person_id is None:
        errors["person"] = "Choose the person."
    for field, choices in (("role", StakeholderRole), ("accountability", Accountability)):
        message = choice_error(getattr(stakeholder, field), choices, field)
        if message:
            errors[field] = message
    duplicate = Stakeholder.objects.filter(
        release_id=stakeholder.release_id, person_id=stakeholder.person_id,
        role=stakeholder.role).exclude(pk=stakeholder.pk)
    if not errors and duplicate.exists():
        errors["role"] = "This person already has that role on this release."
    return errors


@transaction.atomic
def stakeholder_add(*, release, person: Person | None, role: str,
                    accountability: str = Accountability.RESPONSIBLE, responsible_for: str = "",
                    is_approver: bool = False, actor: Actor) -> Stakeholder:
    """Name a person as a stakeholder of a release, with their discipline."""
    require(actor, MANAGE)
    stakeholder = Stakeholder(release=release, person=person, role=role,
                              accountability=accountability,
                              responsible_for=(responsible_for or "").strip(),
                              is_approver=is_approver, order=release.stakeholders.count())
    return editing.create(STAKEHOLDER, stakeholder, actor=actor)


@transaction.atomic
def stakeholder_update(*, stakeholder: Stakeholder, revision: int | None, changes: dict,
                       actor: Actor) -> Stakeholder:
    """Change a stakeholder's role, accountability or approver flag."""
    return editing.update(STAKEHOLDER, stakeholder, revision=revision, changes=changes,
                          actor=actor)


@transaction.atomic
def stakeholder_remove(*, stakeholder: Stakeholder, actor: Actor) -> None:
    """Take a stakeholder off a release."""
    editing.remove(STAKEHOLDER, stakeholder, actor=actor)


def _tier_errors(tier: SupportTier) -> dict:
    errors = {}
    if not isinstance(tier.level, int) or not 1 <= tier.level <= 9:
        errors["level"] = "A tier's level is a number from 1 to 9."
    elif SupportTier.objects.filter(release_id=tier.release_id, level=tier.level) \
            .exclude(pk=tier.pk).exists():
        errors["level"] = f"This release already has a tier {tier.level}."
    if not (tier.name or "").strip():
        errors["name"] = "A support tier needs a name."
    if not tier.response_minutes or tier.response_minutes <= 0:
        errors["response_minutes"] = "A support tier needs a response target."
    elif tier.resolution_minutes is not None and tier.resolution_minutes < tier.response_minutes:
        errors["resolution_minutes"] = "The resolution target cannot be shorter than the response."
    return errors


@transaction.atomic
def support_tier_add(*, release, level: int, name: str, response_minutes: int,
                     resolution_minutes: int | None = None, resolution_note: str = "",
                     handles: str = "", contact: Person | None = None,
                     actor: Actor) -> SupportTier:
    """Add a hypercare support tier with its response and resolution targets."""
    require(actor, MANAGE)
    tier = SupportTier(release=release, level=level, name=(name or "").strip(), handles=handles,
                       response_minutes=response_minutes, resolution_minutes=resolution_minutes,
                       resolution_note=resolution_note.strip(), contact=contact)
    return editing.create(TIER, tier, actor=actor)


@transaction.atomic
def support_tier_update(*, tier: SupportTier, revision: int | None, changes: dict,
                        actor: Actor) -> SupportTier:
    """Edit a support tier."""
    return editing.update(TIER, tier, revision=revision, changes=changes,
                          actor=actor)


@transaction.atomic
def support_tier_remove(*, tier: SupportTier, actor: Actor) -> None:
    """Remove a support tier."""
    editing.remove(TIER, tier, actor=actor)


def _step_errors(step: EscalationStep) -> dict:
    errors = {}
    if not (step.from_party or "").strip():
        errors["from_party"] = "Say who escalates."
    if not (step.to_party or "").strip():
        errors["to_party"] = "Say whom they escalate to."
    return errors


@transaction.atomic
def escalation_step_add(*, release, from_party: str, to_party: str, condition: str = "",
                        contact: Person | None = None, actor: Actor) -> EscalationStep:
    """Add the next step to the end of a release's escalation path."""
    require(actor, MANAGE)
    step = EscalationStep(release=release, from_party=(from_party or "").strip(),
                          to_party=(to_party or "").strip(), condition=condition.strip(),
                          contact=contact, order=release.escalation_steps.count() + 1)
    return editing.create(STEP, step, actor=actor)


@transaction.atomic
def escalation_step_update(*, step: EscalationStep, revision: int | None, changes: dict,
                           actor: Actor) -> EscalationStep:
    """Edit an escalation step."""
    return editing.update(STEP, step, revision=revision, changes=changes,
                          actor=actor)


@transaction.atomic
def escalation_step_remove(*, step: EscalationStep, actor: Actor) -> None:
    """Remove an escalation step."""
    editing.remove(STEP, step, actor=actor)


def _shift_errors(shift: OnCallShift) -> dict:
    errors = {}
    if not isinstance(shift.week, int) or not 1 <= shift.week <= MAX_ROTA_WEEKS:
        errors["week"] = (f"Week {shift.week!r} makes no sense: weeks count from go-live, "
                          f"from 1 to {MAX_ROTA_WEEKS}.")
    elif OnCallShift.objects.filter(release_id=shift.release_id, week=shift.week) \
            .exclude(pk=shift.pk).exists():
        errors["week"] = f"Week {shift.week} is already on the rota."
    if shift.primary_id and shift.primary_id == shift.secondary_id:
        errors["secondary"] = "The secondary must be someone other than the primary."
    return errors


def _place_shift(shift: OnCallShift, changes: dict | None = None) -> list[str]:
    """Week N runs from go-live + 7(N-1) days for seven days, and follows go-live."""
    if changes is not None and "week" not in changes:
        return []
    shift.start_offset = (shift.week - 1) * 7
    shift.end_offset = shift.start_offset + 6
    go_live = shift.release.go_live
    shift.start_date = date_at(go_live, shift.start_offset)
    shift.end_date = date_at(go_live, shift.end_offset)
    return ["start_offset", "end_offset", "start_date", "end_date"]


@transaction.atomic
def on_call_shift_add(*, release, week: int, primary: Person | None = None,
                      secondary: Person | None = None, actor: Actor) -> OnCallShift:
    """Put week N after go-live on the on-call rota with its primary and secondary."""
    require(actor, MANAGE)
    shift = OnCallShift(release=release, week=week, primary=primary, secondary=secondary)
    if not _shift_errors(shift):
        _place_shift(shift)
    return editing.create(SHIFT, shift, actor=actor)


@transaction.atomic
def on_call_shift_update(*, shift: OnCallShift, revision: int | None, changes: dict,
                         actor: Actor) -> OnCallShift:
    """Change who is on call in a week (or which week it is)."""
    return editing.update(SHIFT, shift, revision=revision, changes=changes,
                          actor=actor)


@transaction.atomic
def on_call_shift_remove(*, shift: OnCallShift, actor: Actor) -> None:
    """Take a week off the rota."""
    editing.remove(SHIFT, shift, actor=actor)


PERSON = editing.Kind(model=Person, action="person", fields=PERSON_FIELDS, capability=MANAGE,
                      validate=_person_errors, add_verb="create")
STAKEHOLDER = editing.Kind(model=Stakeholder, action="stakeholder", fields=STAKEHOLDER_FIELDS,
                           capability=MANAGE, validate=_stakeholder_errors)
TIER = editing.Kind(model=SupportTier, action="support_tier", fields=TIER_FIELDS,
                    capability=MANAGE, validate=_tier_errors)
STEP = editing.Kind(model=EscalationStep, action="escalation_step", fields=STEP_FIELDS,
                    capability=MANAGE, validate=_step_errors)
SHIFT = editing.Kind(model=OnCallShift, action="on_call_shift", fields=SHIFT_FIELDS,
                     capability=MANAGE, validate=_shift_errors, derive=_place_shift,
                     fixed={"start_date", "end_date"})

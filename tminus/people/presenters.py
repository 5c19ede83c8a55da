"""Plain dicts of people and support models for the API."""

from tminus.people.durations import format_duration


def person_ref(person) -> dict | None:
    if person is None:
        return None
    return {"id": person.pk, "name": person.name, "email": person.email, "phone": person.phone}


def person_dict(person) -> dict:
    return {
        "id": person.pk, "name": person.name, "title": person.title, "email": person.email,
        "phone": person.phone, "organisation": person.organisation,
        "username": person.user.username if person.user else None, "revision": person.revision,
    }


def stakeholder_dict(stakeholder) -> dict:
    person = stakeholder.person
    return {
        "id": stakeholder.pk, "person": person_dict(person), "role": stakeholder.role,
        "accountability": stakeholder.accountability,
        "responsible_for": stakeholder.responsible_for, "is_approver": stakeholder.is_approver,
        "revision": stakeholder.revision,
    }


def tier_dict(tier) -> dict:
    return {
        "id": tier.pk, "level": tier.level, "name": tier.name, "handles": tier.handles_list,
        "response_minutes": tier.response_minutes, "response": format_duration(
            tier.response_minutes),
        "resolution_minutes": tier.resolution_minutes,
        "resolution": format_duration(tier.resolution_minutes),
        "resolution_note": tier.resolution_note, "contact": person_ref(tier.contact),
        "revision": tier.revision,
    }


def step_dict(step) -> dict:
    return {"id": step.pk, "order": step.order, "from_party": step.from_party,
            "to_party": step.to_party, "condition": step.condition,
            "contact": person_ref(step.contact), "revision": step.revision}


def shift_dict(shift) -> dict:
    return {"id": shift.pk, "week": shift.week, "start_date": shift.start_date,
            "end_date": shift.end_date, "primary": person_ref(shift.primary),
            "secondary": person_ref(shift.secondary), "revision": shift.revision}


def support_model_dict(model: dict) -> dict:
    return {"tiers": [tier_dict(t) for t in model["tiers"]],
            "escalation": [step_dict(s) for s in model["escalation"]],
            "rota": [shift_dict(s) for s in model["rota"]]}

"""API shapes for people, stakeholders and support models."""

from datetime import date

from ninja import Schema


class PersonIn(Schema):
    name: str
    title: str = ""
    email: str = ""
    phone: str = ""
    organisation: str = ""
    username: str | None = None


class PersonPatch(Schema):
    revision: int | None = None
    name: str | None = None
    title: str | None = None
    email: str | None = None
    phone: str | None = None
    organisation: str | None = None
    username: str | None = None


class PersonOut(Schema):
    id: int
    name: str
    title: str
    email: str
    phone: str
    organisation: str
    username: str | None
    revision: int


class PersonRef(Schema):
    id: int
    name: str
    email: str
    phone: str


class StakeholderIn(Schema):
    person_id: int
    role: str
    accountability: str = "responsible"
    responsible_for: str = ""
    is_approver: bool = False


class StakeholderPatch(Schema):
    revision: int | None = None
    person_id: int | None = None
    role: str | None = None
    accountability: str | None = None
    responsible_for: str | None = None
    is_approver: bool | None = None


class StakeholderOut(Schema):
    id: int
    person: PersonOut
    role: str
    accountability: str
    responsible_for: str
    is_approver: bool
    revision: int


class TierIn(Schema):
    level: int
    name: str
    response: str
    resolution: str = ""
    resolution_note: str = ""
    handles: list[str] = []
    contact_id: int | None = None


class TierPatch(Schema):
    revision: int | None = None
    level: int | None = None
    name: str | None = None
    response: str | None = None
    resolution: str | None = None
    resolution_note: str | None = None
    handles: list[str] | None = None
    contact_id: int | None = None


class TierOut(Schema):
    id: int
    level: int
    name: str
    handles: list[str]
    response_minutes: int
    response: str
    resolution_minutes: int | None
    resolution: str
    resolution_note: str
    contact: PersonRef | None
    revision: int


class EscalationStepIn(Schema):
    from_party: str
    to_party: str
    condition: str = ""
    contact_id: int | None = None


class EscalationStepPatch(Schema):
    revision: int | None = None
    order: int | None = None
    from_party: str | None = None
    to_party: str | None = None
    condition: str | None = None
    contact_id: int | None = None


class EscalationStepOut(Schema):
    id: int
    order: int
    from_party: str
    to_party: str
    condition: str
    contact: PersonRef | None
    revision: int


class ShiftIn(Schema):
    week: int
    primary_id: int | None = None
    secondary_id: int | None = None


class ShiftPatch(Schema):
    revision: int | None = None
    week: int | None = None
    primary_id: int | None = None
    secondary_id: int | None = None


class ShiftOut(Schema):
    id: int
    week: int
    start_date: date | None
    end_date: date | None
    primary: PersonRef | None
    secondary: PersonRef | None
    revision: int


class SupportModelOut(Schema):
    tiers: list[TierOut]
    escalation: list[EscalationStepOut]
    rota: list[ShiftOut]

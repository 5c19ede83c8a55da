"""API shapes for readiness."""

from datetime import date, datetime

from ninja import Schema

from tminus.people.schemas import PersonRef


class RiskIn(Schema):
    description: str
    probability: str
    impact: str
    status: str = "open"
    owner_id: int | None = None
    mitigation: str = ""
    review: str = ""  # a date (YYYY-MM-DD) or a T-offset (T-7d)


class RiskPatch(Schema):
    revision: int | None = None
    description: str | None = None
    probability: str | None = None
    impact: str | None = None
    status: str | None = None
    owner_id: int | None = None
    mitigation: str | None = None
    review: str | None = None


class RiskOut(Schema):
    id: int
    description: str
    probability: str
    impact: str
    score: int
    level: str
    owner: PersonRef | None
    mitigation: str
    status: str
    review_date: date | None
    review_offset: int | None
    revision: int


class DependencyIn(Schema):
    name: str
    kind: str = "internal"
    description: str = ""
    owner_id: int | None = None
    needed_by: str = ""  # a date (YYYY-MM-DD) or a T-offset (T-7d)
    status: str = "open"
    required_release: str | None = None  # key of the release needed live (kind "release")


class DependencyPatch(Schema):
    revision: int | None = None
    name: str | None = None
    kind: str | None = None
    description: str | None = None
    owner_id: int | None = None
    needed_by: str | None = None
    status: str | None = None
    required_release: str | None = None


class DependencyOut(Schema):
    id: int
    name: str
    kind: str
    description: str
    owner: PersonRef | None
    needed_by: date | None
    needed_by_offset: int | None
    status: str
    required_release: str | None
    met: bool
    why: str
    overdue: bool
    revision: int


class ContingencyIn(Schema):
    name: str
    trigger: str
    label: str = ""
    steps: list[str] = []
    owner_id: int | None = None


class ContingencyPatch(Schema):
    revision: int | None = None
    name: str | None = None
    trigger: str | None = None
    label: str | None = None
    steps: list[str] | None = None
    owner_id: int | None = None


class ContingencyOut(Schema):
    id: int
    label: str
    name: str
    trigger: str
    steps: list[str]
    owner: PersonRef | None
    revision: int


class CriterionKindOut(Schema):
    kind: str
    label: str


class CriterionIn(Schema):
    kind: str
    params: dict = {}
    label: str = ""


class CriterionPatch(Schema):
    revision: int | None = None
    label: str | None = None
    params: dict | None = None
    order: int | None = None


class CriterionOut(Schema):
    id: int
    kind: str
    label: str
    params: dict
    met: bool
    why: str
    revision: int


class VoteIn(Schema):
    vote: str
    comment: str = ""
    approver_id: int | None = None  # default: the caller's own person record
    discipline: str | None = None  # default: the approver's stakeholder role


class VoteOut(Schema):
    id: int
    approver: PersonRef
    discipline: str
    vote: str
    comment: str
    recorded_at: datetime
    recorded_by: str | None


class DecisionIn(Schema):
    outcome: str
    comment: str = ""


class DecisionOut(Schema):
    id: int
    outcome: str
    comment: str
    decided_by: str
    decided_at: datetime
    withdrawn_at: datetime | None
    criteria: list[dict]
    votes: list[dict]


class OverrideIn(Schema):
    reason: str


class OverrideOut(Schema):
    id: int
    reason: str
    created_by: str
    created_at: datetime


class GateOut(Schema):
    release: str
    go: bool
    ready: bool
    not_met: list[str]
    criteria: list[CriterionOut]
    decision: DecisionOut | None
    override: OverrideOut | None
    freeze_warnings: list[str]
    notes: list[str] = []


class ReadinessOut(GateOut):
    votes: list[VoteOut]


class FreezeIn(Schema):
    name: str
    starts_at: datetime
    ends_at: datetime
    rrule: str = ""
    product: str | None = None  # a product key; none for a global window
    reason: str = ""


class FreezePatch(Schema):
    revision: int | None = None
    name: str | None = None
    starts_at: datetime | None = None
    ends_at: datetime | None = None
    rrule: str | None = None
    product: str | None = None
    reason: str | None = None


class FreezeOut(Schema):
    id: int
    name: str
    product: str | None
    starts_at: datetime
    ends_at: datetime
    rrule: str
    reason: str
    revision: int


class FreezeOccurrenceOut(Schema):
    window_id: int
    name: str
    product: str | None
    start: datetime
    end: datetime

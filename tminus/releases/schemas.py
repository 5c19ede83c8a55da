"""API shapes for release plans."""

from datetime import date, datetime

from ninja import Schema


class ProductIn(Schema):
    key: str = ""
    name: str
    description: str = ""


class ProductOut(Schema):
    key: str
    name: str
    description: str


class TemplateOut(Schema):
    key: str
    name: str
    release_type: str
    description: str = ""


class ReleaseIn(Schema):
    product: str
    name: str
    template: str
    go_live: date | None = None
    version: str = ""
    goal: str = ""
    owner: str | None = None
    key: str = ""
    planning_start: date | None = None


class ReleasePatch(Schema):
    revision: int | None = None
    name: str | None = None
    version: str | None = None
    release_type: str | None = None
    goal: str | None = None
    owner: str | None = None
    planning_start: date | None = None


class ReleaseSummary(Schema):
    key: str
    name: str
    product: str
    version: str
    release_type: str
    status: str
    go_live: date | None
    t_minus_days: int | None
    owner: str | None
    items_total: int
    items_done: int
    items_overdue: int
    revision: int


class PhaseOut(Schema):
    id: int
    name: str
    start_date: date | None
    end_date: date | None
    start_offset: int | None
    end_offset: int | None


class MilestoneOut(Schema):
    id: int
    name: str
    kind: str
    date: date | None
    date_offset: int | None
    responsible: str = ""


class ScopeItemOut(Schema):
    id: int
    kind: str
    title: str
    description: str
    status: str
    link: str
    revision: int


class ReleaseDetail(ReleaseSummary):
    goal: str
    planning_start: date | None
    template: str
    allowed_transitions: list[str]
    phases: list[PhaseOut]
    milestones: list[MilestoneOut]
    scope: list[ScopeItemOut]


class ScheduleIn(Schema):
    go_live: date
    revision: int | None = None
    reason: str = ""


class TransitionIn(Schema):
    status: str
    reason: str = ""


class ItemOut(Schema):
    id: int
    section_id: int
    parent_id: int | None
    text: str
    status: str
    owner: str | None
    responsible: str = ""
    due_date: date | None
    due_offset: int | None
    done_by: str | None
    done_at: datetime | None
    overdue: bool
    revision: int


class SectionOut(Schema):
    id: int
    title: str
    group: str
    due_date: date | None
    owner: str | None
    total: int
    done: int
    overdue: int
    percent: int
    items: list[ItemOut]


class SectionIn(Schema):
    title: str
    group: str = ""
    due_date: date | None = None
    due: str = ""


class ItemIn(Schema):
    text: str
    parent_id: int | None = None
    owner: str | None = None
    due_date: date | None = None


class ItemPatch(Schema):
    revision: int | None = None
    text: str | None = None
    status: str | None = None
    owner: str | None = None
    responsible: str | None = None
    due_date: date | None = None
    due_offset: int | None = None
    notes: str | None = None


class ScopeIn(Schema):
    title: str
    kind: str = "feature"
    status: str = "planned"
    description: str = ""
    link: str = ""


class ScopePatch(Schema):
    revision: int | None = None
    title: str | None = None
    kind: str | None = None
    status: str | None = None
    description: str | None = None
    link: str | None = None


class AuditOut(Schema):
    created_at: datetime
    actor: str
    interface: str
    action: str
    object_type: str
    object_label: str
    before: dict | None
    after: dict | None
    reason: str

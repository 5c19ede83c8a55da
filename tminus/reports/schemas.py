"""API shapes for release notes, reports and dashboards."""

from datetime import date, datetime

from ninja import Schema

from tminus.outcomes.schemas import KpiOut


class NotesOut(Schema):
    release: str
    body: str
    edited: bool
    generated_at: datetime
    updated_at: datetime
    updated_by: str | None
    sent_at: datetime | None
    sent_to: list[str]
    revision: int


class NotesGenerateIn(Schema):
    revision: int | None = None


class ReleaseNotesIn(Schema):
    body: str
    revision: int | None = None


class NotesSendIn(Schema):
    audience: list[str]
    subject: str = ""
    channel: str = "email"


class NotesSentOut(Schema):
    notes: NotesOut
    message_id: int | None


class ReasonOut(Schema):
    kind: str
    text: str


class ReportMilestoneOut(Schema):
    name: str
    kind: str
    date: date | None


class OverdueOut(Schema):
    id: int
    text: str
    due_date: date | None
    owner: str | None


class ScopeCountOut(Schema):
    kind: str
    total: int
    done: int


class StatusReportOut(Schema):
    release: str
    name: str
    product: str
    status: str
    version: str
    go_live: date | None
    t_minus_days: int | None
    owner: str | None
    goal: str
    health: str
    reasons: list[ReasonOut]
    items_total: int
    items_done: int
    items_overdue: int
    overdue: list[OverdueOut]
    next_milestones: list[ReportMilestoneOut]
    scope: list[ScopeCountOut]
    kpis: list[KpiOut]
    signoffs_signed: int
    signoffs_total: int
    generated_at: datetime


class ReleaseRowOut(Schema):
    key: str
    name: str
    product: str
    version: str
    status: str
    go_live: date | None
    t_minus_days: int | None
    owner: str | None
    items_total: int
    items_done: int
    items_overdue: int
    health: str
    reasons: list[ReasonOut]


class WeeklyRowOut(ReleaseRowOut):
    done_this_week: int
    upcoming_milestones: list[ReportMilestoneOut]
    kpis: list[KpiOut]


class WeeklyOut(Schema):
    week: str
    monday: date
    sunday: date
    releases: list[WeeklyRowOut]
    went_live: list[str]
    generated_at: datetime


class MyItemOut(Schema):
    id: int
    text: str
    release: str
    section: str
    status: str
    due_date: date | None
    overdue: bool
    revision: int


class MySignoffOut(Schema):
    id: int
    release: str
    role: str


class MyItemsOut(Schema):
    checklist_items: list[MyItemOut]
    kpis: list[KpiOut]
    signoffs: list[MySignoffOut]

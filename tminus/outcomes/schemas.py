"""API shapes for KPIs, readings and the post-launch review."""

from datetime import date, datetime

from ninja import Schema


class KpiIn(Schema):
    target: str
    name: str = ""
    source: str = "manual"
    query: str = ""
    source_url: str = ""
    schedule: str = ""
    owner: str | None = None
    starts_on: date | None = None
    baseline: str | None = None


class KpiPatch(Schema):
    revision: int | None = None
    target: str | None = None
    name: str | None = None
    source: str | None = None
    query: str | None = None
    source_url: str | None = None
    schedule: str | None = None
    owner: str | None = None
    starts_on: date | None = None
    baseline: str | None = None


class CheckinOut(Schema):
    id: int
    slot: str
    due_at: datetime | None
    taken_at: datetime
    value: float | None
    status: str
    verdict: str | None
    error: str
    source: str
    recorded_by: str | None
    note: str
    revision: int


class KpiOut(Schema):
    id: int
    key: str
    release: str | None
    product: str | None
    name: str
    target: str
    target_normalized: str
    comparator: str
    target_value: float
    unit: str
    window: str
    window_hours: int | None
    baseline: float | None
    source: str
    query: str
    source_url: str
    schedule: str
    starts_on: date | None
    owner: str | None
    status: str
    latest_value: float | None
    latest_at: datetime | None
    revision: int


class KpiDetailOut(KpiOut):
    checkins: list[CheckinOut]


class CheckinIn(Schema):
    value: str
    slot: str = ""
    note: str = ""


class CheckinPatch(Schema):
    value: str
    revision: int | None = None
    note: str = ""


class SourceOut(Schema):
    key: str
    label: str
    automatic: bool
    query_label: str


class KpiCellOut(Schema):
    kpi: str
    state: str
    value: float | None
    error: str


class RowOut(Schema):
    slot: str
    label: str
    due_on: date | None
    status: str
    cells: list[KpiCellOut]


class TableOut(Schema):
    kind: str
    title: str
    kpis: list[str]
    rows: list[RowOut]


class QuestionOut(Schema):
    id: int
    question: str
    answer: str
    answered_by: str | None
    answered_at: datetime | None
    revision: int


class LessonOut(Schema):
    id: int
    kind: str
    text: str
    added_by: str | None
    created_at: datetime


class SignoffOut(Schema):
    id: int
    role: str
    assignee: str | None
    signed: bool
    signed_by: str | None
    signed_at: datetime | None
    comment: str
    revision: int


class HandoffItemOut(Schema):
    id: int
    text: str
    status: str
    done_by: str | None
    done_at: datetime | None


class ReviewOut(Schema):
    release: str
    questions: list[QuestionOut]
    lessons: list[LessonOut]
    signoffs: list[SignoffOut]
    handoff: list[HandoffItemOut]
    saved_template: str


class QuestionIn(Schema):
    question: str


class AnswerIn(Schema):
    answer: str
    revision: int | None = None


class LessonIn(Schema):
    kind: str
    text: str


class SignoffIn(Schema):
    role: str
    assignee: str | None = None


class SignoffPatch(Schema):
    assignee: str | None = None
    revision: int | None = None


class SignIn(Schema):
    comment: str = ""


class RevokeIn(Schema):
    reason: str = ""


class TemplateIn(Schema):
    name: str = ""
    key: str = ""
    description: str = ""


class OutcomeTemplateOut(Schema):
    key: str
    name: str
    release_type: str
    description: str
    definition: dict

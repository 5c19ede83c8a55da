"""API shapes for roadmaps."""

from datetime import date, datetime

from ninja import Schema

from tminus.outcomes.schemas import KpiOut


class FeatureOut(Schema):
    id: int
    title: str
    kind: str
    status: str
    release: str
    revision: int


class MoveOut(Schema):
    feature_id: int
    feature: str
    from_release: str
    to_release: str
    reason: str
    moved_by: str
    moved_at: datetime


class ProposalOut(Schema):
    go_live: date
    version: str
    name: str


class RoadmapReleaseOut(Schema):
    key: str
    name: str
    version: str
    go_live: date | None
    status: str
    theme: str
    features: list[FeatureOut]
    kpis: list[KpiOut]


class RoadmapOut(Schema):
    product: str
    cadence: str | None
    cadence_meaning: str
    template: str | None
    releases: list[RoadmapReleaseOut]
    proposals: list[ProposalOut]
    moves: list[MoveOut]
    kpis: list[KpiOut]


class CadenceIn(Schema):
    cadence: str
    template: str = "minor"
    revision: int | None = None


class CadenceOut(Schema):
    product: str
    cadence: str
    meaning: str
    template: str
    revision: int


class ProposedReleaseIn(Schema):
    go_live: date
    version: str = ""
    theme: str = ""
    template: str = ""


class CreatedReleaseOut(Schema):
    key: str
    name: str
    version: str
    go_live: date | None
    theme: str
    template: str


class RoadmapMoveIn(Schema):
    release: str
    reason: str = ""

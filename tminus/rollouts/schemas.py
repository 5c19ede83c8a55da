"""Shapes of the rollouts API. Definitions are free-form JSON checked by the service, which
answers every problem with the path of its field (`stages.1.percentage`)."""

from ninja import Field, Schema


class TemplateOptions(Schema):
    users: list[str] = Field(default_factory=list, description="Named users of the UAT stage.")
    segments: list[str] = Field(default_factory=list, description="Segment names, ring order.")
    criteria: list[dict] = Field(default_factory=list,
                                 description="Success criteria of every stage after UAT.")
    triggers: list[dict] = Field(default_factory=list, description="Rollback triggers.")
    stage_duration: str | int = Field("1d", description="Minimum duration: 30m, 12h, 1d, 2w.")
    approval: bool = Field(False, description="A person approves every step after UAT.")
    name: str = ""
    owner: str | None = None


class PlanIn(Schema):
    release: str
    flag: str
    environment: str = "production"
    template: str = Field("", description="uat-10-50-100, 1-5-25-50-100 or ring-by-segment.")
    template_options: TemplateOptions = Field(default_factory=TemplateOptions)
    definition: dict | None = Field(None, description="A whole definition instead of a "
                                                      "template (see docs/rollouts.md).")
    key: str = ""


class DefinitionIn(Schema):
    definition: dict
    revision: int | None = None


class ControlIn(Schema):
    reason: str = Field(..., description="Why; kept in the timeline and the audit log.")
    step: int | None = Field(None, description="Act only if the plan is still at this step.")


class PlanSummaryOut(Schema):
    key: str
    name: str
    release: str
    flag: str
    environment: str
    status: str
    status_label: str
    status_reason: str
    stage_index: int
    stage: str | None
    percentage: int | None
    step: int
    revision: int
    owner: str | None
    started_at: str | None
    completed_at: str | None


class PlanPage(Schema):
    count: int
    items: list[PlanSummaryOut]


class PlanOut(PlanSummaryOut):
    definition: dict
    stages: list[dict]
    criteria: list[dict]
    triggers: list[dict]
    checkins: list[dict]
    timeline: list[dict]


class RolloutTemplateOut(Schema):
    key: str
    name: str
    description: str

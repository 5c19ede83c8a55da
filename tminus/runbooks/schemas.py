"""API shapes for deployment day."""

from datetime import datetime

from ninja import Schema


class RunbookStepOut(Schema):
    id: int
    phase_id: int
    order: int
    title: str
    group: str
    command: str
    expected_minutes: int | None
    notes: str
    owner: str | None
    owner_person_id: int | None
    owner_user: str | None
    revision: int


class RunbookPhaseOut(Schema):
    id: int
    order: int
    name: str
    stage: str
    description: str
    expected_minutes_min: int | None
    expected_minutes_max: int | None
    owner: str | None
    owner_person_id: int | None
    owner_user: str | None
    revision: int
    steps: list[RunbookStepOut]


class RunbookOut(Schema):
    release: str
    notes: str
    phases: list[RunbookPhaseOut]


class OwnerIn(Schema):
    owner_person_id: int | None = None
    owner_user: str | None = None


class PhaseIn(OwnerIn):
    name: str
    stage: str = "execution"
    description: str = ""
    expected_minutes_min: int | None = None
    expected_minutes_max: int | None = None
    position: int | None = None


class PhasePatch(OwnerIn):
    revision: int | None = None
    name: str | None = None
    stage: str | None = None
    description: str | None = None
    expected_minutes_min: int | None = None
    expected_minutes_max: int | None = None


class RunbookStepIn(OwnerIn):
    title: str
    group: str = ""
    command: str = ""
    expected_minutes: int | None = None
    notes: str = ""
    position: int | None = None


class RunbookStepPatch(OwnerIn):
    revision: int | None = None
    title: str | None = None
    group: str | None = None
    command: str | None = None
    expected_minutes: int | None = None
    notes: str | None = None


class MoveIn(Schema):
    position: int


class StepRunOut(Schema):
    id: int
    order: int
    title: str
    group: str
    command: str
    expected_minutes: int | None
    owner: str | None
    status: str
    status_label: str
    started_at: datetime | None
    finished_at: datetime | None
    duration_seconds: int | None
    started_by: str | None
    finished_by: str | None
    notes: str


class PhaseRunOut(Schema):
    id: int
    name: str
    stage: str
    owner: str | None
    expected: str
    status: str
    status_label: str
    started_at: datetime | None
    finished_at: datetime | None
    duration_seconds: int | None
    steps: list[StepRunOut]


class RunSummaryOut(Schema):
    release: str
    number: int
    environment: str
    status: str
    status_label: str
    started_at: datetime
    finished_at: datetime | None
    duration_seconds: int | None
    started_by: str
    finished_by: str | None
    interface: str
    failure_reason: str
    freeze_override_reason: str
    notes: str
    steps_total: int
    steps_ended: int
    steps_failed: int


class RunOut(RunSummaryOut):
    percent: int
    is_latest: bool
    phases: list[PhaseRunOut]


class DeploymentStartIn(Schema):
    environment: str = ""
    reason: str = ""
    override_freeze: bool = False


class DeploymentFinishIn(Schema):
    environment: str = ""
    notes: str = ""


class DeploymentFailIn(Schema):
    reason: str = ""


class StepStartIn(Schema):
    at: datetime | None = None
    notes: str = ""


class StepFinishIn(Schema):
    outcome: str
    at: datetime | None = None
    notes: str = ""


class NotesIn(Schema):
    notes: str = ""


class RollbackStepOut(Schema):
    id: int
    order: int
    title: str
    command: str
    expected_minutes: int | None
    owner: str | None
    owner_person_id: int | None
    owner_user: str | None
    revision: int


class TeamMemberOut(Schema):
    id: int
    person_id: int
    name: str
    role: str
    email: str
    phone: str


class RollbackPlanOut(Schema):
    release: str
    immediate_criteria: list[str]
    consider_criteria: list[str]
    communication: list[str]
    estimated_minutes: int | None
    revision: int
    steps: list[RollbackStepOut]
    team: list[TeamMemberOut]


class RollbackPlanPatch(Schema):
    revision: int | None = None
    immediate_criteria: list[str] | None = None
    consider_criteria: list[str] | None = None
    communication: list[str] | None = None
    estimated_minutes: int | None = None


class RollbackStepIn(OwnerIn):
    title: str
    command: str = ""
    expected_minutes: int | None = None
    position: int | None = None


class RollbackStepPatch(OwnerIn):
    revision: int | None = None
    title: str | None = None
    command: str | None = None
    expected_minutes: int | None = None


class TeamMemberIn(Schema):
    person_id: int
    role: str = ""


class RollbackIn(Schema):
    reason: str
    criterion: str = ""
    steps_done: list[int] | None = None
    notes: str = ""


class RollbackOut(Schema):
    id: int
    release: str
    run: int | None
    from_status: str
    reason: str
    criterion: str
    steps: list[dict]
    notes: str
    executed_at: datetime
    executed_by: str
    interface: str

"""JSON endpoints of deployment day: runbooks, runs, deployments for pipelines, rollbacks."""

from ninja import Router, Status

from tminus.accounts.models import User
from tminus.accounts.roles import CONTRIBUTE, MANAGE, VIEW
from tminus.core.api import api_actor, edit_revision
from tminus.core.errors import NotFound, ValidationFailed
from tminus.people.models import Person
from tminus.releases.selectors import release_get
from tminus.runbooks import presenters, selectors, services
from tminus.runbooks.models import (
    RollbackStep,
    RollbackTeamMember,
    RunbookPhase,
    RunbookStep,
)
from tminus.runbooks.schemas import (
    DeploymentFailIn,
    DeploymentFinishIn,
    DeploymentStartIn,
    MoveIn,
    NotesIn,
    PhaseIn,
    PhasePatch,
    RollbackIn,
    RollbackOut,
    RollbackPlanOut,
    RollbackPlanPatch,
    RollbackStepIn,
    RollbackStepOut,
    RollbackStepPatch,
    RunbookOut,
    RunbookPhaseOut,
    RunbookStepIn,
    RunbookStepOut,
    RunbookStepPatch,
    RunOut,
    RunSummaryOut,
    StepFinishIn,
    StepRunOut,
    StepStartIn,
    TeamMemberIn,
    TeamMemberOut,
)

router = Router(tags=["deployment day"])


def _row(model, pk: int, label: str):
    row = model.objects.filter(pk=pk).first()
    if row is None:
        raise NotFound(f"No {label} {pk}.")
    return row


def _person(person_id: int | None, field: str = "owner_person_id") -> Person | None:
    if person_id is None:
        return None
    person = Person.objects.filter(pk=person_id).first()
    if person is None:
        raise ValidationFailed({field: f"No person {person_id}."})
    return person


def _user(username: str | None) -> User | None:
    if not username:
        return None
    user = User.objects.filter(username=username, is_active=True).first()
    if user is None:
        raise ValidationFailed({"owner_user": f"No user named {username!r}."})
    return user


def _owners(values: dict) -> dict:
    """owner_person_id / owner_user (a username) as the rows the services take."""
    values = dict(values)
    if "owner_person_id" in values:
        values["owner_person"] = _person(values.pop("owner_person_id"))
    if "owner_user" in values:
        values["owner_user"] = _user(values["owner_user"])
    return values


def _runbook_out(release):
    runbook = selectors.runbook_for(release)
    if runbook is None:
        raise NotFound(f"Release {release.key} has no runbook yet.")
    return presenters.runbook_dict(runbook)


def _run_out(run):
    return presenters.run_detail(selectors.run_view(run))


# The runbook --------------------------------------------------------------------------------

@router.get("/releases/{key}/runbook", response=RunbookOut)
def runbook_detail(request, key: str):
    api_actor(request, VIEW)
    return _runbook_out(release_get(key))


@router.post("/releases/{key}/runbook/phases", response={201: RunbookPhaseOut})
def runbook_phase_add(request, key: str, data: PhaseIn):
    actor = api_actor(request, CONTRIBUTE)
    runbook = services.runbook_ensure(release=release_get(key), actor=actor)
    phase = services.runbook_phase_add(runbook=runbook, actor=actor, **_owners(data.dict()))
    return Status(201, presenters.phase_dict(phase))


@router.patch("/runbook-phases/{phase_id}", response=RunbookPhaseOut)
def runbook_phase_update(request, phase_id: int, data: PhasePatch):
    actor = api_actor(request, CONTRIBUTE)
    changes = _owners(data.dict(exclude_unset=True))
    revision = edit_revision(request, changes.pop("revision", None))
    phase = services.runbook_phase_update(phase=_row(RunbookPhase, phase_id, "runbook phase"),
                                          revision=revision, changes=changes, actor=actor)
    return presenters.phase_dict(phase)


@router.post("/runbook-phases/{phase_id}/move", response=RunbookPhaseOut)
def runbook_phase_move(request, phase_id: int, data: MoveIn):
    actor = api_actor(request, CONTRIBUTE)
    phase = services.runbook_phase_move(phase=_row(RunbookPhase, phase_id, "runbook phase"),
                                        position=data.position, actor=actor)
    return presenters.phase_dict(phase)


@router.delete("/runbook-phases/{phase_id}", response={204: None})
def runbook_phase_remove(request, phase_id: int):
    actor = api_actor(request, CONTRIBUTE)
    services.runbook_phase_remove(phase=_row(RunbookPhase, phase_id, "runbook phase"),
                                  actor=actor)
    return Status(204, None)


@router.post("/runbook-phases/{phase_id}/steps", response={201: RunbookStepOut})
def runbook_step_add(request, phase_id: int, data: RunbookStepIn):
    actor = api_actor(request, CONTRIBUTE)
    step = services.runbook_step_add(phase=_row(RunbookPhase, phase_id, "runbook phase"),
                                     actor=actor, **_owners(data.dict()))
    return Status(201, presenters.step_dict(step))


@router.patch("/runbook-steps/{step_id}", response=RunbookStepOut)
def runbook_step_update(request, step_id: int, data: RunbookStepPatch):
    actor = api_actor(request, CONTRIBUTE)
    changes = _owners(data.dict(exclude_unset=True))
    revision = edit_revision(request, changes.pop("revision", None))
    step = services.runbook_step_update(step=_row(RunbookStep, step_id, "runbook step"),
                                        revision=revision, changes=changes, actor=actor)
    return presenters.step_dict(step)


@router.post("/runbook-steps/{step_id}/move", response=RunbookStepOut)
def runbook_step_move(request, step_id: int, data: MoveIn):
    actor = api_actor(request, CONTRIBUTE)
    step = services.runbook_step_move(step=_row(RunbookStep, step_id, "runbook step"),
                                      position=data.position, actor=actor)
    return presenters.step_dict(step)


@router.delete("/runbook-steps/{step_id}", response={204: None})
def runbook_step_remove(request, step_id: int):
    actor = api_actor(request, CONTRIBUTE)
    services.runbook_step_remove(step=_row(RunbookStep, step_id, "runbook step"), actor=actor)
    return Status(204, None)


# Runs and their steps ----------------------------------------------------------------------

@router.get("/releases/{key}/runs", response=list[RunSummaryOut])
def run_list(request, key: str):
    api_actor(request, VIEW)
    return [presenters.run_list_dict(run) for run in selectors.runs_for(release_get(key))]


@router.get("/releases/{key}/runs/current", response=RunOut)
def run_current(request, key: str):
    api_actor(request, VIEW)
    release = release_get(key)
    run = selectors.current_run(release)
    if run is None:
        raise NotFound(f"Release {release.key} has not been deployed yet.")
    return _run_out(run)


@router.get("/releases/{key}/runs/{number}", response=RunOut)
def run_detail(request, key: str, number: int):
    api_actor(request, VIEW)
    return _run_out(selectors.run_get(release_get(key), number))


@router.post("/step-runs/{step_id}/start", response=StepRunOut)
def step_start(request, step_id: int, data: StepStartIn):
    actor = api_actor(request, CONTRIBUTE)
    step = services.step_start(step=selectors.step_run_get(step_id), at=data.at,
                               notes=data.notes, actor=actor)
    return presenters.step_run_dict(step)


@router.post("/step-runs/{step_id}/finish", response=StepRunOut)
def step_finish(request, step_id: int, data: StepFinishIn):
    actor = api_actor(request, CONTRIBUTE)
    step = services.step_finish(step=selectors.step_run_get(step_id), outcome=data.outcome,
                                at=data.at, notes=data.notes, actor=actor)
    return presenters.step_run_dict(step)


@router.post("/step-runs/{step_id}/skip", response=StepRunOut)
def step_skip(request, step_id: int, data: NotesIn):
    actor = api_actor(request, CONTRIBUTE)
    step = services.step_skip(step=selectors.step_run_get(step_id), notes=data.notes,
                              actor=actor)
    return presenters.step_run_dict(step)


@router.post("/step-runs/{step_id}/notes", response=StepRunOut)
def step_note_add(request, step_id: int, data: NotesIn):
    actor = api_actor(request, CONTRIBUTE)
    step = services.step_note_add(step=selectors.step_run_get(step_id), notes=data.notes,
                                  actor=actor)
    return presenters.step_run_dict(step)


# Deployments, for pipelines ----------------------------------------------------------------

@router.post("/releases/{key}/deployments/start", response={201: RunOut})
def deployment_start(request, key: str, data: DeploymentStartIn):
    actor = api_actor(request, MANAGE)
    run = services.deployment_start(release=release_get(key), environment=data.environment,
                                    reason=data.reason, override_freeze=data.override_freeze,
                                    actor=actor)
    return Status(201, _run_out(run))


@router.post("/releases/{key}/deployments/finish", response=RunOut)
def deployment_finish(request, key: str, data: DeploymentFinishIn):
    actor = api_actor(request, MANAGE)
    run = services.deployment_finish(release=release_get(key), environment=data.environment,
                                     notes=data.notes, actor=actor)
    return _run_out(run)


@router.post("/releases/{key}/deployments/fail", response=RunOut)
def deployment_fail(request, key: str, data: DeploymentFailIn):
    actor = api_actor(request, MANAGE)
    run = services.deployment_fail(release=release_get(key), reason=data.reason, actor=actor)
    return _run_out(run)


# The rollback plan and rollbacks -----------------------------------------------------------

def _plan_out(release):
    plan = selectors.rollback_plan_for(release)
    if plan is None:
        raise NotFound(f"Release {release.key} has no rollback plan yet.")
    return presenters.rollback_plan_dict(plan)


@router.get("/releases/{key}/rollback-plan", response=RollbackPlanOut)
def rollback_plan_detail(request, key: str):
    api_actor(request, VIEW)
    return _plan_out(release_get(key))


@router.patch("/releases/{key}/rollback-plan", response=RollbackPlanOut)
def rollback_plan_update(request, key: str, data: RollbackPlanPatch):
    actor = api_actor(request, CONTRIBUTE)
    release = release_get(key)
    changes = data.dict(exclude_unset=True)
    revision = edit_revision(request, changes.pop("revision", None))
    plan = services.rollback_plan_ensure(release=release, actor=actor)
    services.rollback_plan_update(plan=plan, revision=revision, changes=changes, actor=actor)
    return _plan_out(release)


@router.post("/releases/{key}/rollback-plan/steps", response={201: RollbackStepOut})
def rollback_step_add(request, key: str, data: RollbackStepIn):
    actor = api_actor(request, CONTRIBUTE)
    plan = services.rollback_plan_ensure(release=release_get(key), actor=actor)
    step = services.rollback_step_add(plan=plan, actor=actor, **_owners(data.dict()))
    return Status(201, presenters.rollback_step_dict(step))


@router.patch("/rollback-steps/{step_id}", response=RollbackStepOut)
def rollback_step_update(request, step_id: int, data: RollbackStepPatch):
    actor = api_actor(request, CONTRIBUTE)
    changes = _owners(data.dict(exclude_unset=True))
    revision = edit_revision(request, changes.pop("revision", None))
    step = services.rollback_step_update(step=_row(RollbackStep, step_id, "rollback step"),
                                         revision=revision, changes=changes, actor=actor)
    return presenters.rollback_step_dict(step)


@router.post("/rollback-steps/{step_id}/move", response=RollbackStepOut)
def rollback_step_move(request, step_id: int, data: MoveIn):
    actor = api_actor(request, CONTRIBUTE)
    step = services.rollback_step_move(step=_row(RollbackStep, step_id, "rollback step"),
                                       position=data.position, actor=actor)
    return presenters.rollback_step_dict(step)


@router.delete("/rollback-steps/{step_id}", response={204: None})
def rollback_step_remove(request, step_id: int):
    actor = api_actor(request, CONTRIBUTE)
    services.rollback_step_remove(step=_row(RollbackStep, step_id, "rollback step"),
                                  actor=actor)
    return Status(204, None)


@router.post("/releases/{key}/rollback-plan/team", response={201: TeamMemberOut})
def rollback_team_member_add(request, key: str, data: TeamMemberIn):
    actor = api_actor(request, CONTRIBUTE)
    plan = services.rollback_plan_ensure(release=release_get(key), actor=actor)
    member = services.rollback_team_member_add(
        plan=plan, person=_person(data.person_id, "person_id"), role=data.role, actor=actor)
    return Status(201, presenters.team_member_dict(member))


@router.delete("/rollback-team/{member_id}", response={204: None})
def rollback_team_member_remove(request, member_id: int):
    actor = api_actor(request, CONTRIBUTE)
    services.rollback_team_member_remove(
        member=_row(RollbackTeamMember, member_id, "rollback team member"), actor=actor)
    return Status(204, None)


@router.post("/releases/{key}/rollback", response={201: RollbackOut})
def rollback_execute(request, key: str, data: RollbackIn):
    actor = api_actor(request, MANAGE)
    rollback = services.rollback_execute(release=release_get(key), reason=data.reason,
                                         criterion=data.criterion, steps_done=data.steps_done,
                                         notes=data.notes, actor=actor)
    return Status(201, presenters.rollback_dict(rollback))


@router.get("/releases/{key}/rollbacks", response=list[RollbackOut])
def rollback_list(request, key: str):
    api_actor(request, VIEW)
    return [presenters.rollback_dict(r) for r in selectors.rollbacks_for(release_get(key))]

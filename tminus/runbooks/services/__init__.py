"""Every write of deployment day. Each function runs in a transaction and is audited."""

from tminus.runbooks.services.deployment import (
    deployment_fail,
    deployment_finish,
    deployment_start,
)
from tminus.runbooks.services.rollback import (
    rollback_execute,
    rollback_plan_ensure,
    rollback_plan_update,
    rollback_step_add,
    rollback_step_move,
    rollback_step_remove,
    rollback_step_update,
    rollback_team_member_add,
    rollback_team_member_remove,
)
from tminus.runbooks.services.runbook import (
    runbook_ensure,
    runbook_phase_add,
    runbook_phase_move,
    runbook_phase_remove,
    runbook_phase_update,
    runbook_step_add,
    runbook_step_move,
    runbook_step_remove,
    runbook_step_update,
)
from tminus.runbooks.services.steps import step_finish, step_note_add, step_skip, step_start

__all__ = [
    "deployment_fail",
    "deployment_finish",
    "deployment_start",
    "rollback_execute",
    "rollback_plan_ensure",
    "rollback_plan_update",
    "rollback_step_add",
    "rollback_step_move",
    "rollback_step_remove",
    "rollback_step_update",
    "rollback_team_member_add",
    "rollback_team_member_remove",
    "runbook_ensure",
    "runbook_phase_add",
    "runbook_phase_move",
    "runbook_phase_remove",
    "runbook_phase_update",
    "runbook_step_add",
    "runbook_step_move",
    "runbook_step_remove",
    "runbook_step_update",
    "step_finish",
    "step_note_add",
    "step_skip",
    "step_start",
]

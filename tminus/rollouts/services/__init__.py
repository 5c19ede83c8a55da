"""Every write to rollout plans: defining them, the controls people use, and the worker's steps.

A state change (start, advance, hold, pause, resume, roll back, complete) runs in one
transaction that first claims the plan's next `step` with a conditional UPDATE, then changes the
flag through the flags services, closes and opens stage runs, writes the timeline and the audit
log and emits the release event. Of two workers (or a worker and a person) acting on the same
state, the second finds the step taken and does nothing; a process killed half-way commits
nothing, so the next worker finds the state as it was and carries on.

- plans.py: create and change plans;
- controls.py: start, advance, roll back, pause, resume (and the worker's hold and approval);
- worker.py: the periodic check of every live plan;
- after_launch.py: check-ins and the flag's clean-up task;
- common.py: what every state change does.
"""

from tminus.rollouts.services.after_launch import (
    checkin_days,
    checkin_label,
    rollout_checkins_take,
    rollout_cleanups_create,
)
from tminus.rollouts.services.common import plan_state
from tminus.rollouts.services.controls import (
    rollout_advance,
    rollout_pause,
    rollout_resume,
    rollout_rollback,
    rollout_start,
)
from tminus.rollouts.services.plans import plan_definition, rollout_plan_create, rollout_plan_update
from tminus.rollouts.services.worker import rollout_evaluate, rollouts_check

__all__ = [
    "checkin_days", "checkin_label", "plan_definition", "plan_state", "rollout_advance",
    "rollout_checkins_take", "rollout_cleanups_create", "rollout_evaluate", "rollout_pause",
    "rollout_plan_create", "rollout_plan_update", "rollout_resume", "rollout_rollback",
    "rollout_start", "rollouts_check",
]

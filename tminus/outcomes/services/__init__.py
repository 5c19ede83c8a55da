"""Every write of the outcomes area. Each service runs in a transaction and is audited."""

from tminus.outcomes.services.checkins import (
    kpi_checkin_correct,
    kpi_checkin_record,
    kpi_checkin_take,
)
from tminus.outcomes.services.kpis import kpi_create, kpi_delete, kpi_update
from tminus.outcomes.services.review import (
    closeout_defaults_add,
    lesson_add,
    lesson_remove,
    review_question_add,
    review_question_answer,
    signoff_assign,
    signoff_revoke,
    signoff_role_add,
    signoff_sign,
)
from tminus.outcomes.services.templates import release_save_as_template

__all__ = [
    "closeout_defaults_add",
    "kpi_checkin_correct",
    "kpi_checkin_record",
    "kpi_checkin_take",
    "kpi_create",
    "kpi_delete",
    "kpi_update",
    "lesson_add",
    "lesson_remove",
    "release_save_as_template",
    "review_question_add",
    "review_question_answer",
    "signoff_assign",
    "signoff_revoke",
    "signoff_role_add",
    "signoff_sign",
]

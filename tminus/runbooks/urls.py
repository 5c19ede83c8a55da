from django.urls import path

from tminus.runbooks import views

_R = "releases/<str:key>/runbook"
_B = "releases/<str:key>/rollback"

urlpatterns = [
    path(f"{_R}/", views.runbook_page, name="runbooks-runbook"),
    path(f"{_R}/create", views.runbook_create, name="runbooks-create"),
    path(f"{_R}/phases/add", views.phase_add, name="runbooks-phase-add"),
    path(f"{_R}/phases/<int:phase_id>/edit", views.phase_edit, name="runbooks-phase-edit"),
    path(f"{_R}/phases/<int:phase_id>/move", views.phase_move, name="runbooks-phase-move"),
    path(f"{_R}/phases/<int:phase_id>/remove", views.phase_remove,
         name="runbooks-phase-remove"),
    path(f"{_R}/steps/add", views.step_add, name="runbooks-step-add"),
    path(f"{_R}/steps/<int:step_id>/edit", views.step_edit, name="runbooks-step-edit"),
    path(f"{_R}/steps/<int:step_id>/move", views.step_move, name="runbooks-step-move"),
    path(f"{_R}/steps/<int:step_id>/remove", views.step_remove, name="runbooks-step-remove"),
    path(f"{_R}/runs/<int:number>/", views.run_page, name="runbooks-run"),
    path(f"{_R}/runs/<int:number>/steps/<int:step_id>/<str:action>", views.step_action,
         name="runbooks-step-action"),
    path("releases/<str:key>/deployments/start", views.deployment_start,
         name="runbooks-deployment-start"),
    path("releases/<str:key>/deployments/finish", views.deployment_finish,
         name="runbooks-deployment-finish"),
    path("releases/<str:key>/deployments/fail", views.deployment_fail,
         name="runbooks-deployment-fail"),
    path(f"{_B}/", views.rollback_page, name="runbooks-rollback"),
    path(f"{_B}/create", views.rollback_plan_create, name="runbooks-rollback-create"),
    path(f"{_B}/edit", views.rollback_plan_edit, name="runbooks-rollback-edit"),
    path(f"{_B}/steps/add", views.rollback_step_add, name="runbooks-rollback-step-add"),
    path(f"{_B}/steps/<int:step_id>/edit", views.rollback_step_edit,
         name="runbooks-rollback-step-edit"),
    path(f"{_B}/steps/<int:step_id>/move", views.rollback_step_move,
         name="runbooks-rollback-step-move"),
    path(f"{_B}/steps/<int:step_id>/remove", views.rollback_step_remove,
         name="runbooks-rollback-step-remove"),
    path(f"{_B}/team/add", views.rollback_team_add, name="runbooks-rollback-team-add"),
    path(f"{_B}/team/<int:member_id>/remove", views.rollback_team_remove,
         name="runbooks-rollback-team-remove"),
    path(f"{_B}/execute", views.rollback_execute, name="runbooks-rollback-execute"),
]

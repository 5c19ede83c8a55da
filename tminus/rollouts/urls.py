from django.urls import path

from tminus.rollouts import views

urlpatterns = [
    path("rollouts/", views.rollout_list, name="rollouts-list"),
    path("rollouts/new", views.rollout_create, name="rollouts-create"),
    path("rollouts/<str:key>/", views.rollout_detail, name="rollouts-detail"),
    path("rollouts/<str:key>/live", views.rollout_live, name="rollouts-live"),
    path("rollouts/<str:key>/edit", views.rollout_edit, name="rollouts-edit"),
    path("rollouts/<str:key>/report.md", views.rollout_report, name="rollouts-report"),
    path("rollouts/<str:key>/<str:action>", views.rollout_control, name="rollouts-control"),
]

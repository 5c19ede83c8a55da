from django.urls import path

from tminus.people import views

R = "releases/<str:key>/"

urlpatterns = [
    path("people/", views.people_list, name="people-list"),
    path("people/new", views.person_create, name="people-create"),
    path("people/<int:person_id>/edit", views.person_edit, name="people-edit"),
    path(R + "stakeholders/", views.stakeholder_list, name="people-stakeholders"),
    path(R + "stakeholders/new", views.stakeholder_add, name="people-stakeholder-add"),
    path(R + "stakeholders/<int:stakeholder_id>/edit", views.stakeholder_edit,
         name="people-stakeholder-edit"),
    path(R + "stakeholders/<int:stakeholder_id>/remove", views.stakeholder_remove,
         name="people-stakeholder-remove"),
    path(R + "support/", views.support_page, name="people-support"),
    path(R + "support/tiers/new", views.tier_add, name="people-tier-add"),
    path(R + "support/tiers/<int:tier_id>/edit", views.tier_edit, name="people-tier-edit"),
    path(R + "support/tiers/<int:tier_id>/remove", views.tier_remove, name="people-tier-remove"),
    path(R + "support/escalation/new", views.step_add, name="people-step-add"),
    path(R + "support/escalation/<int:step_id>/edit", views.step_edit, name="people-step-edit"),
    path(R + "support/escalation/<int:step_id>/remove", views.step_remove,
         name="people-step-remove"),
    path(R + "support/rota/new", views.shift_add, name="people-shift-add"),
    path(R + "support/rota/<int:shift_id>/edit", views.shift_edit, name="people-shift-edit"),
    path(R + "support/rota/<int:shift_id>/remove", views.shift_remove,
         name="people-shift-remove"),
]

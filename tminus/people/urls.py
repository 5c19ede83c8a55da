from django.urls import path

from tminus.people import views

R = "releases/<str:key>/"

urlpatterns = [
    path("people/", views.people_list, name="people-list"),
    path("people/new", views.person_create, name="people-create"),
    path("people/<int:person_id>/edit", views.person_edit, name="people-edit"),
    path(R + "stakeholders/", views.stakeholder_list, name="people-stakeholders"),
    *views.STAKEHOLDERS.urls("stakeholders/", "people-stakeholder"),
    path(R + "support/", views.support_page, name="people-support"),
    *views.TIERS.urls("support/tiers/", "people-tier"),
    *views.ESCALATION_STEPS.urls("support/escalation/", "people-step"),
    *views.ON_CALL_SHIFTS.urls("support/rota/", "people-shift"),
]

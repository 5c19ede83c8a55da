from django.urls import path

from tminus.readiness import views

R = "releases/<str:key>/"

urlpatterns = [
    path(R + "risks/", views.risk_list, name="readiness-risks"),
    path(R + "risks/new", views.risk_add, name="readiness-risk-add"),
    path(R + "risks/<int:risk_id>/edit", views.risk_edit, name="readiness-risk-edit"),
    path(R + "risks/<int:risk_id>/remove", views.risk_remove, name="readiness-risk-remove"),
    path(R + "dependencies/", views.dependency_list, name="readiness-dependencies"),
    path(R + "dependencies/new", views.dependency_add, name="readiness-dependency-add"),
    path(R + "dependencies/<int:dependency_id>/edit", views.dependency_edit,
         name="readiness-dependency-edit"),
    path(R + "dependencies/<int:dependency_id>/remove", views.dependency_remove,
         name="readiness-dependency-remove"),
    path(R + "contingencies/", views.contingency_list, name="readiness-contingencies"),
    path(R + "contingencies/new", views.contingency_add, name="readiness-contingency-add"),
    path(R + "contingencies/<int:plan_id>/edit", views.contingency_edit,
         name="readiness-contingency-edit"),
    path(R + "contingencies/<int:plan_id>/remove", views.contingency_remove,
         name="readiness-contingency-remove"),
    path(R + "readiness/", views.readiness_page, name="readiness-page"),
    path(R + "readiness/vote", views.vote, name="readiness-vote"),
    path(R + "readiness/decision", views.decide, name="readiness-decide"),
    path(R + "readiness/override", views.override, name="readiness-override"),
    path(R + "readiness/criteria/new", views.criterion_add, name="readiness-criterion-add"),
    path(R + "readiness/criteria/<int:criterion_id>/edit", views.criterion_edit,
         name="readiness-criterion-edit"),
    path(R + "readiness/criteria/<int:criterion_id>/remove", views.criterion_remove,
         name="readiness-criterion-remove"),
    path("freeze-windows/", views.freeze_list, name="readiness-freeze-list"),
    path("freeze-windows/new", views.freeze_add, name="readiness-freeze-add"),
    path("freeze-windows/<int:window_id>/edit", views.freeze_edit,
         name="readiness-freeze-edit"),
    path("freeze-windows/<int:window_id>/remove", views.freeze_remove,
         name="readiness-freeze-remove"),
]

from django.urls import path

from tminus.readiness import views

R = "releases/<str:key>/"

urlpatterns = [
    path(R + "risks/", views.risk_list, name="readiness-risks"),
    *views.RISKS.urls("risks/", "readiness-risk"),
    path(R + "dependencies/", views.dependency_list, name="readiness-dependencies"),
    *views.DEPENDENCIES.urls("dependencies/", "readiness-dependency"),
    path(R + "contingencies/", views.contingency_list, name="readiness-contingencies"),
    *views.CONTINGENCIES.urls("contingencies/", "readiness-contingency"),
    path(R + "readiness/", views.readiness_page, name="readiness-page"),
    path(R + "readiness/vote", views.vote, name="readiness-vote"),
    path(R + "readiness/decision", views.decide, name="readiness-decide"),
    path(R + "readiness/override", views.override, name="readiness-override"),
    *views.CRITERIA.urls("readiness/criteria/", "readiness-criterion"),
    path("freeze-windows/", views.freeze_list, name="readiness-freeze-list"),
    path("freeze-windows/new", views.freeze_add, name="readiness-freeze-add"),
    path("freeze-windows/<int:window_id>/edit", views.freeze_edit,
         name="readiness-freeze-edit"),
    path("freeze-windows/<int:window_id>/remove", views.freeze_remove,
         name="readiness-freeze-remove"),
]

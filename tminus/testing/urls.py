from django.urls import path

from tminus.testing import views

urlpatterns = [
    path("releases/<str:key>/tests/", views.test_plan, name="testing-plan"),
    path("releases/<str:key>/tests/plan", views.plan_update, name="testing-plan-update"),
    path("releases/<str:key>/tests/cases", views.case_add, name="testing-case-add"),
    path("releases/<str:key>/tests/runs", views.run_start, name="testing-run-start"),
    path("releases/<str:key>/tests/junit", views.junit_upload, name="testing-junit-upload"),
    path("releases/<str:key>/tests/load", views.load_test_record, name="testing-load-record"),
    path("releases/<str:key>/tests/runs/<int:run_id>/", views.run_detail, name="testing-run"),
    path("releases/<str:key>/tests/runs/<int:run_id>/results", views.result_record,
         name="testing-result-record"),
]

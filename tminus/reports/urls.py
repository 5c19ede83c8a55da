from django.urls import path

from tminus.reports import views

urlpatterns = [
    path("releases/<str:key>/notes/", views.release_notes, name="reports-release-notes"),
    path("releases/<str:key>/notes/generate", views.notes_generate,
         name="reports-notes-generate"),
    path("releases/<str:key>/notes/save", views.notes_save, name="reports-notes-save"),
    path("releases/<str:key>/notes/send", views.notes_send, name="reports-notes-send"),
    path("releases/<str:key>/notes.md", views.notes_markdown, name="reports-notes-markdown"),
    path("releases/<str:key>/notes.html", views.notes_html_file, name="reports-notes-html"),
    path("releases/<str:key>/status-report/", views.status_report,
         name="reports-status-report"),
    path("releases/<str:key>/status-report.md", views.status_report_markdown,
         name="reports-status-report-markdown"),
    path("reports/weekly/", views.weekly_report, name="reports-weekly"),
    path("reports/weekly.md", views.weekly_report_markdown, name="reports-weekly-markdown"),
    path("dashboards/at-risk/", views.at_risk, name="reports-at-risk"),
    path("dashboards/my-items/", views.my_items, name="reports-my-items"),
    path("calendar/", views.release_calendar, name="reports-calendar"),
    path("timeline/", views.releases_timeline, name="reports-timeline"),
]

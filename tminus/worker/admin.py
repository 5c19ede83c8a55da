from django.contrib import admin

from tminus.worker.models import Job, Schedule


@admin.register(Job)
class JobAdmin(admin.ModelAdmin):
    list_display = ["id", "kind", "status", "run_at", "attempts", "locked_by", "last_error"]
    list_filter = ["status", "kind"]


@admin.register(Schedule)
class ScheduleAdmin(admin.ModelAdmin):
    list_display = ["name", "next_run_at", "last_run_at", "last_run_by", "last_error"]

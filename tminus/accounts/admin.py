from django.contrib import admin
from django.contrib.auth.admin import UserAdmin

from tminus.accounts.models import ApiToken, User


@admin.register(User)
class TMinusUserAdmin(UserAdmin):
    fieldsets = (*UserAdmin.fieldsets, ("T-Minus", {"fields": ("role", "display_name")}))
    list_display = ["username", "email", "role", "is_active"]


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    list_display = ["name", "user", "prefix", "created_at", "last_used_at", "revoked_at"]
    readonly_fields = ["prefix", "token_hash", "created_at", "last_used_at"]

from django.contrib import admin
from django.http import HttpRequest

from fangkong.core.models import AuditEntry, EmergencyPeriod


@admin.register(AuditEntry)
class AuditEntryAdmin(admin.ModelAdmin):
    list_display = ("created_at", "actor_username", "verb", "target_repr", "division_code")
    list_filter = ("verb",)
    search_fields = ("actor_username", "target_repr", "target_id")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


@admin.register(EmergencyPeriod)
class EmergencyPeriodAdmin(admin.ModelAdmin):
    list_display = ("name", "level", "starts_at", "ends_at", "observation_days")

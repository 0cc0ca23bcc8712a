from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin

from fangkong.accounts.models import DeviceToken, Membership, User


class MembershipInline(admin.TabularInline):
    model = Membership
    # Memberships change through the user pages (services write the audit trail).
    extra = 0
    max_num = 0
    can_delete = False
    readonly_fields = ("role", "division", "division_code")


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    inlines = [MembershipInline]
    list_display = ("username", "display_name", "is_active", "locked_until", "last_login")
    fieldsets = (
        *BaseUserAdmin.fieldsets,  # type: ignore[misc]
        ("Fangkong", {"fields": ("display_name", "phone", "must_change_password", "locked_until")}),
    )


@admin.register(DeviceToken)
class DeviceTokenAdmin(admin.ModelAdmin):
    list_display = ("name", "user", "prefix", "created_at", "last_used_at", "revoked_at")
    readonly_fields = ("token_hash", "prefix")

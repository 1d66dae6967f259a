"""Admin for users (with roles), agencies, organisations and API tokens."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from attkit.accounts.models import Agency, ApiToken, Organisation, RoleGrant, User


class RoleGrantInline(admin.TabularInline[RoleGrant, User]):
    model = RoleGrant
    extra = 1


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    inlines = [RoleGrantInline]
    list_display = ("username", "display_name", "authority", "agency", "organisation", "is_active")
    list_filter = ("authority", "is_active", "is_staff")
    fieldsets = (
        *(BaseUserAdmin.fieldsets or ()),
        (_("attkit"), {"fields": ("authority", "agency", "organisation", "job_title", "language", "is_system")}),
    )


@admin.register(Agency)
class AgencyAdmin(admin.ModelAdmin[Agency]):
    list_display = ("name_en", "name_es", "kind", "authority", "is_active")
    list_filter = ("authority", "kind")


@admin.register(Organisation)
class OrganisationAdmin(admin.ModelAdmin[Organisation]):
    list_display = ("name", "kind", "country", "authority", "is_active")
    list_filter = ("authority", "kind")
    search_fields = ("name", "registration_number")


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin[ApiToken]):
    list_display = ("name", "user", "authority", "role", "expires_at", "revoked_at")
    readonly_fields = ("key_id", "digest", "created_at", "last_used_at")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # tokens are created through the tokens page, which shows the secret once

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

"""Admin for authorities and a read-only view of the audit log."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from attkit.core.models import AuditEvent, Authority


@admin.register(Authority)
class AuthorityAdmin(admin.ModelAdmin[Authority]):
    list_display = ("code", "name_en", "name_es", "country", "is_sandbox")
    search_fields = ("code", "name_en", "name_es")


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin[AuditEvent]):
    list_display = ("chain", "seq", "created_at", "actor_label", "kind", "target_label")
    list_filter = ("chain", "kind")
    search_fields = ("kind", "actor_label", "target_label", "target_id")
    readonly_fields = [f.name for f in AuditEvent._meta.fields]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

"""Admin views of list versions (read-only: lists change only by loading a file)."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from attkit.screening.models import ListVersion, ScreeningHit


@admin.register(ListVersion)
class ListVersionAdmin(admin.ModelAdmin[ListVersion]):
    list_display = ("kind", "name", "version", "authority", "is_current", "loaded_at")
    list_filter = ("kind", "is_current")
    exclude = ("added", "removed", "changed")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(ScreeningHit)
class ScreeningHitAdmin(admin.ModelAdmin[ScreeningHit]):
    list_display = ("entry_ref", "entry_name", "score", "status", "authority")
    list_filter = ("status", "list_kind")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False  # decisions go through the review page, which audits them

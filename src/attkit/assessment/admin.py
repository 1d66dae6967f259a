"""Admin for assessments: read-only (answers are recorded, with their author, through the assessment page)."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from attkit.assessment.models import Assessment


@admin.register(Assessment)
class AssessmentAdmin(admin.ModelAdmin[Assessment]):
    list_display = ("case", "bank_version", "status", "overriding_risk", "completed_at")
    list_filter = ("status", "bank_version")
    readonly_fields = [f.name for f in Assessment._meta.fields]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

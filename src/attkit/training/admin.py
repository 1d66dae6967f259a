"""Admin views of the course's records (read-only: changes go through the pages, which audit them)."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.db.models import Model
from django.http import HttpRequest

from attkit.training.models import Certificate, Cohort, Enrolment, QuizAttempt, SimulationRun


class _ReadOnly(admin.ModelAdmin):
    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Cohort)
class CohortAdmin(_ReadOnly):
    list_display = ("name", "country", "starts_on", "ends_on", "authority")
    list_filter = ("authority", "country")


@admin.register(Enrolment)
class EnrolmentAdmin(_ReadOnly):
    list_display = ("cohort", "trainee", "created_at")


@admin.register(QuizAttempt)
class QuizAttemptAdmin(_ReadOnly):
    list_display = ("module_id", "user", "score", "passed", "submitted_at", "authority")
    list_filter = ("module_id", "passed")


@admin.register(SimulationRun)
class SimulationRunAdmin(_ReadOnly):
    list_display = ("case_id", "trainee", "status", "decision", "score", "passed", "authority")
    list_filter = ("case_id", "status", "passed")


@admin.register(Certificate)
class CertificateAdmin(_ReadOnly):
    list_display = ("number", "trainee_name", "cohort_name", "issued_on", "status")
    list_filter = ("status",)
    exclude = ("seal_text",)

"""Admin of records: read-only (records change only by being superseded), deletion through the retention rule."""

from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import HttpRequest

from attkit.core.errors import one_line
from attkit.core.permissions import Permission, has_permission
from attkit.reporting import services
from attkit.reporting.models import (
    CustomsDeclaration,
    NationalDefinitions,
    RecordImport,
    ReportSubmission,
    TransferRecord,
)


class AuthorityScopedAdmin(admin.ModelAdmin):
    """Staff of an authority see its rows only; a platform superuser without an authority sees all."""

    view_permission = Permission.RECORDS_VIEW

    def _allowed(self, request: HttpRequest) -> bool:
        user = request.user
        return bool(getattr(user, "is_superuser", False) or has_permission(user, self.view_permission))

    def has_module_permission(self, request: HttpRequest) -> bool:
        return self._allowed(request)

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self._allowed(request)

    def get_queryset(self, request: HttpRequest) -> QuerySet[Any]:
        qs = super().get_queryset(request)
        authority_id = getattr(request.user, "authority_id", None)
        if authority_id is not None:
            return qs.filter(authority_id=authority_id)
        return qs if getattr(request.user, "is_superuser", False) else qs.none()


@admin.register(TransferRecord)
class TransferRecordAdmin(AuthorityScopedAdmin):
    list_display = (
        "reference",
        "authority",
        "year",
        "direction",
        "basis",
        "category",
        "partner_state",
        "quantity",
        "is_current",
        "retain_until",
    )
    list_filter = ("authority", "year", "direction", "basis", "is_current")
    search_fields = ("reference", "licence_reference", "end_user", "model_type")
    ordering = ("-year", "reference")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # records come from licensing, customs, the records pages and CSV imports (services)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False  # immutable: a correction supersedes the record on the records pages

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        if not (request.user.is_superuser or has_permission(request.user, Permission.RECORDS_MANAGE)):
            return False
        return obj is None or services.can_delete(obj)

    def delete_model(self, request: HttpRequest, obj: TransferRecord) -> None:
        services.delete_record(
            obj.pk,
            by=self._actor(request),
            authority=obj.authority,
            reason="admin",
            actor_label=request.user.get_username(),
        )

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[TransferRecord]) -> None:
        refused = []
        for record in queryset.filter(is_current=True):
            try:
                services.delete_record(
                    record.pk,
                    by=self._actor(request),
                    authority=record.authority,
                    reason="admin",
                    actor_label=request.user.get_username(),
                )
            except ValidationError as exc:
                refused.append(f"{record.reference}: {one_line(exc)}")
        if refused:
            self.message_user(request, "; ".join(refused[:20]), messages.ERROR)

    @staticmethod
    def _actor(request: HttpRequest) -> Any:
        # A platform superuser has no authority: the deletion is recorded as the system's, with the name in the log.
        user = request.user
        return user if getattr(user, "authority_id", None) is not None else None


@admin.register(ReportSubmission)
class ReportSubmissionAdmin(AuthorityScopedAdmin):
    view_permission = Permission.REPORTS_VIEW

    list_display = ("authority", "kind", "year", "basis", "submitted_on", "withheld")
    list_filter = ("authority", "kind", "year")

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False


@admin.register(NationalDefinitions)
class NationalDefinitionsAdmin(AuthorityScopedAdmin):
    view_permission = Permission.REPORTS_VIEW

    list_display = ("authority", "updated_at", "updated_by_label")
    readonly_fields = ("authority", "text", "updated_at", "updated_by_label")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False


@admin.register(RecordImport)
class RecordImportAdmin(AuthorityScopedAdmin):
    list_display = ("authority", "kind", "filename", "rows", "imported_by_label", "created_at")
    list_filter = ("authority", "kind")
    readonly_fields = ("authority", "kind", "filename", "sha256", "rows", "mapping", "imported_by_label")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(CustomsDeclaration)
class CustomsDeclarationAdmin(AuthorityScopedAdmin):
    list_display = ("number", "authority", "date", "hs_code", "quantity", "licence_reference", "direction")
    list_filter = ("authority", "direction")
    search_fields = ("number", "licence_reference")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

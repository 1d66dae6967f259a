"""Admin of treaty status: editable by treaty managers; every save and delete is audited."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.db.models import QuerySet
from django.forms import BaseInlineFormSet, ModelForm
from django.http import HttpRequest

from attkit.core.permissions import Permission, has_permission
from attkit.treaty import services
from attkit.treaty.models import AnnualReport, StateStatus


def _allowed(request: HttpRequest) -> bool:
    user = request.user
    return bool(getattr(user, "is_superuser", False) or has_permission(user, Permission.TREATY_MANAGE))


class AnnualReportInline(admin.TabularInline[AnnualReport, StateStatus]):
    model = AnnualReport
    extra = 1
    fields = ("year", "submitted_on", "source")

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return _allowed(request)

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return _allowed(request)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return _allowed(request)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return _allowed(request)


@admin.register(StateStatus)
class StateStatusAdmin(admin.ModelAdmin[StateStatus]):
    list_display = (
        "iso2",
        "name_en",
        "region",
        "signed",
        "consented",
        "consent_kind",
        "entry_into_force",
        "initial_report_recorded",
        "reports_tracked_from",
        "edited_in_admin",
    )
    list_filter = ("region", "consent_kind", "edited_in_admin")
    search_fields = ("iso2", "name_en", "source")
    inlines = [AnnualReportInline]
    readonly_fields = ("updated_at",)

    def has_module_permission(self, request: HttpRequest) -> bool:
        return _allowed(request)

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return _allowed(request)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return _allowed(request)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return _allowed(request)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return _allowed(request)

    def save_model(self, request: HttpRequest, obj: StateStatus, form: ModelForm[StateStatus], change: bool) -> None:
        services.record_change(request.user, obj, created=not change, changed=form.changed_data)  # type: ignore[arg-type]

    def save_formset(
        self, request: HttpRequest, form: Any, formset: BaseInlineFormSet[Any, Any, Any], change: bool
    ) -> None:
        instances = formset.save(commit=False)
        for obj in formset.deleted_objects:
            services.delete_row(request.user, obj)  # type: ignore[arg-type]
        for obj in instances:
            services.record_change(request.user, obj, created=obj.pk is None, changed=["annual report"])  # type: ignore[arg-type]

    def delete_model(self, request: HttpRequest, obj: StateStatus) -> None:
        services.delete_row(request.user, obj)  # type: ignore[arg-type]

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[StateStatus]) -> None:
        for obj in queryset:
            services.delete_row(request.user, obj)  # type: ignore[arg-type]

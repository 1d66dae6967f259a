"""Admin for reference data: staff with REFERENCE_MANAGE edit the sets; every change is audited."""

from __future__ import annotations

from typing import Any, TypeVar

from django.contrib import admin
from django.db import models
from django.db.models import QuerySet
from django.forms import ModelForm
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from attkit.reference import services
from attkit.reference.models import Category, Country, CrosswalkLink, DataSet, Embargo, HsCode

M = TypeVar("M", bound=models.Model)


class ReferenceAdmin(admin.ModelAdmin[M]):
    """Only reference managers see and change these; saves and deletes go through the audited services."""

    def _allowed(self, request: HttpRequest) -> bool:
        return services.can_manage(request.user)

    def has_module_permission(self, request: HttpRequest) -> bool:
        return self._allowed(request)

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self._allowed(request)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return self._allowed(request)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self._allowed(request)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self._allowed(request)

    def save_model(self, request: HttpRequest, obj: M, form: ModelForm[M], change: bool) -> None:
        services.save_change(request.user, obj, created=not change, changed_fields=form.changed_data)  # type: ignore[arg-type]

    def delete_model(self, request: HttpRequest, obj: M) -> None:
        services.delete_row(request.user, obj)  # type: ignore[arg-type]

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[M]) -> None:
        for obj in queryset:
            services.delete_row(request.user, obj)  # type: ignore[arg-type]


@admin.register(DataSet)
class DataSetAdmin(ReferenceAdmin[DataSet]):
    list_display = ("key", "as_of", "row_count", "loaded_at", "edited_in_admin")
    readonly_fields = ("files", "sha256", "row_count", "loaded_at")
    fields = ("key", "source", "licence", "as_of", "verify_at", "edited_in_admin", *readonly_fields)

    def get_readonly_fields(self, request: HttpRequest, obj: DataSet | None = None) -> tuple[str, ...]:
        # The key ties the set to its loader; a set is renamed by changing the code, not here.
        return (*self.readonly_fields, "key") if obj is not None else tuple(self.readonly_fields)


@admin.register(Country)
class CountryAdmin(ReferenceAdmin[Country]):
    list_display = ("alpha2", "alpha3", "numeric", "name_en", "name_es", "in_lac", "edited_in_admin")
    list_filter = ("in_lac", "edited_in_admin")
    search_fields = ("alpha2", "alpha3", "numeric", "name_en", "name_es")


@admin.register(Category)
class CategoryAdmin(ReferenceAdmin[Category]):
    list_display = ("code", "name_en", "name_es", "kind", "group", "att_article", "edited_in_admin")
    list_filter = ("kind", "group")
    search_fields = ("code", "name_en", "name_es")


class CrosswalkLinkInline(admin.TabularInline[CrosswalkLink, HsCode]):
    model = CrosswalkLink
    extra = 0
    fields = ("category", "scope", "note_en", "note_es", "source")
    readonly_fields = fields
    can_delete = False
    show_change_link = True
    verbose_name_plural = _("crosswalk links (edit each link on its own page)")

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(HsCode)
class HsCodeAdmin(ReferenceAdmin[HsCode]):
    list_display = ("code", "level", "description_en", "edited_in_admin")
    list_filter = ("level", "section")
    search_fields = ("code", "description_en", "description_es")
    inlines = [CrosswalkLinkInline]


@admin.register(CrosswalkLink)
class CrosswalkLinkAdmin(ReferenceAdmin[CrosswalkLink]):
    list_display = ("hs_code", "category", "scope", "note_en", "edited_in_admin")
    list_filter = ("scope", "category")
    search_fields = ("hs_code__code", "category__code", "note_en", "note_es")
    list_select_related = ("hs_code", "category")


@admin.register(Embargo)
class EmbargoAdmin(ReferenceAdmin[Embargo]):
    list_display = (
        "key",
        "imposed_by",
        "target_iso2",
        "scope",
        "exports_banned",
        "verified",
        "active",
        "edited_in_admin",
    )
    list_filter = ("imposed_by", "scope", "verified", "active")
    search_fields = ("key", "target", "target_iso2", "reference", "notes")

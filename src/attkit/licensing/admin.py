"""Admin for licensing: cases are inspected there, never moved: the status is read-only (only the workflow
service changes it), and routing rules are data an administrator may edit."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest
from simple_history.admin import SimpleHistoryAdmin

from attkit.licensing.models import (
    Advice,
    Case,
    CaseEvent,
    CaseFlag,
    Decision,
    DenialNotice,
    GoodsLine,
    Party,
    RoutingRule,
    Shipment,
)


class _ReadOnlyInline(admin.TabularInline[Any, Case]):
    extra = 0
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class PartyInline(_ReadOnlyInline):
    model = Party
    fields = ("role", "name", "country", "is_state_body")


class GoodsInline(_ReadOnlyInline):
    model = GoodsLine
    fields = ("line_no", "description", "un_category", "salw_line", "hs_code", "quantity", "quantity_shipped")
    readonly_fields = ("quantity_shipped",)


class EventInline(_ReadOnlyInline):
    model = CaseEvent
    fields = ("created_at", "event", "old_state", "new_state", "actor_label", "reason")
    readonly_fields = ("created_at",)


@admin.register(Case)
class CaseAdmin(SimpleHistoryAdmin):
    list_display = ("reference", "kind", "state", "applicant", "destination_country", "authority", "created_at")
    list_filter = ("authority", "state", "kind")
    search_fields = ("reference", "applicant__name")
    # The status and every workflow fact are read-only: a case moves only through services (workflow.transition).
    readonly_fields = (
        "reference",
        "authority",
        "applicant",
        "created_by",
        "kind",
        "state",
        "state_entered_at",
        "submitted_at",
        "decided_at",
        "euc_serial",
        "euc_verdict",
        "licence_valid_until",
        "licence_issued_at",
        "licence_issued_by",
    )
    fields = (*readonly_fields, "end_use")
    inlines = [PartyInline, GoodsInline, EventInline]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # applications are made through the pages, the API or `attkit licence issue --from`

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(CaseFlag)
class CaseFlagAdmin(admin.ModelAdmin[CaseFlag]):
    list_display = ("case", "code", "severity", "status", "resolution")
    list_filter = ("severity", "status", "code")
    readonly_fields = [f.name for f in CaseFlag._meta.fields]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False  # a supervisor resolves flags, with a reason, on the case page


@admin.register(Advice)
class AdviceAdmin(admin.ModelAdmin[Advice]):
    list_display = ("case", "agency", "outcome", "given_at")
    readonly_fields = [f.name for f in Advice._meta.fields]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Decision)
class DecisionAdmin(admin.ModelAdmin[Decision]):
    list_display = ("case", "outcome", "status", "proposed_by", "countersigned_by")
    readonly_fields = [f.name for f in Decision._meta.fields]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Shipment)
class ShipmentAdmin(admin.ModelAdmin[Shipment]):
    list_display = ("declaration_number", "case", "shipment_date", "recorded_by")
    readonly_fields = [f.name for f in Shipment._meta.fields]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(DenialNotice)
class DenialNoticeAdmin(admin.ModelAdmin[DenialNotice]):
    list_display = ("number", "authority", "end_user_name", "destination_country", "issued_at", "withdrawn_at")
    readonly_fields = [f.name for f in DenialNotice._meta.fields]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(RoutingRule)
class RoutingRuleAdmin(admin.ModelAdmin[RoutingRule]):
    list_display = ("agency", "kind", "category", "destination", "is_active", "authority")
    list_filter = ("authority", "kind", "is_active")

"""Admin for seal certificates, revoked serials and imported trust lists: read-only, since each change is a use case."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from attkit.seals.models import ImportedTrustList, RevokedSerial, SignerCertificate, SigningKey


class ReadOnlyAdmin(admin.ModelAdmin[Any]):
    """Keys, revocations and trust lists change only through services (audited); the admin shows them."""

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(SignerCertificate)
class SignerCertificateAdmin(ReadOnlyAdmin):
    list_display = ("kid", "authority", "role", "status", "algorithm", "not_before", "not_after", "usage_until")
    list_filter = ("authority", "role", "status")
    search_fields = ("kid", "fingerprint", "subject")
    exclude = ("certificate_der",)


@admin.register(SigningKey)
class SigningKeyAdmin(ReadOnlyAdmin):
    list_display = ("id", "authority", "algorithm", "storage", "kek_id", "path")
    list_filter = ("authority", "storage")
    exclude = ("ciphertext",)  # never shown, even encrypted


@admin.register(RevokedSerial)
class RevokedSerialAdmin(ReadOnlyAdmin):
    list_display = ("serial", "authority", "revoked_at", "revoked_by")
    list_filter = ("authority",)
    search_fields = ("serial",)


@admin.register(ImportedTrustList)
class ImportedTrustListAdmin(ReadOnlyAdmin):
    list_display = ("issuer_code", "authority", "pinned", "is_current", "issued_at", "imported_at")
    list_filter = ("authority", "pinned", "is_current")
    exclude = ("root_der",)

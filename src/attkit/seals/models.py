"""Each authority's root and signer certificates, their private keys at rest, revocations and imported trust lists."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from attkit.core.models import AuthorityOwned


class KeyStorage(models.TextChoices):
    ENCRYPTED = "encrypted", _("Encrypted in the database")
    FILE = "file", _("File on the server")


class CertificateRole(models.TextChoices):
    ROOT = "root", _("Root")
    SIGNER = "signer", _("Document signer")


class CertificateStatus(models.TextChoices):
    ACTIVE = "active", _("Active")
    RETIRED = "retired", _("Retired")
    REVOKED = "revoked", _("Revoked")


class SignerAlgorithm(models.TextChoices):
    ES256 = "ES256", "ES256"
    EDDSA = "EdDSA", "EdDSA"
    PS256 = "PS256", "PS256"


class SigningKey(AuthorityOwned):
    """A private key at rest: AES-GCM ciphertext under the key-encryption key, or a 0600 file under KEYS_DIR.

    The database never holds a private key in clear: without ATTKIT_KEY_ENCRYPTION_KEY the row holds only
    the file's path (relative to KEYS_DIR).
    """

    storage = models.CharField(_("storage"), max_length=16, choices=KeyStorage.choices)
    algorithm = models.CharField(_("algorithm"), max_length=8, choices=SignerAlgorithm.choices)
    ciphertext = models.BinaryField(_("ciphertext"), null=True, blank=True, editable=False)
    kek_id = models.CharField(
        _("key-encryption key id"), max_length=16, blank=True, help_text=_("Identifies the key that encrypts it.")
    )
    path = models.CharField(_("file"), max_length=300, blank=True, help_text=_("Relative to the keys directory."))

    class Meta:
        verbose_name = _("signing key")
        verbose_name_plural = _("signing keys")
        constraints = [
            models.CheckConstraint(
                condition=(Q(storage="encrypted") & Q(ciphertext__isnull=False) & Q(path=""))
                | (Q(storage="file") & Q(ciphertext__isnull=True) & ~Q(path="")),
                name="seals_signingkey_storage_consistent",
            )
        ]

    def __str__(self) -> str:
        return f"{self.algorithm} key {str(self.pk)[:8]}"


class SignerCertificate(AuthorityOwned):
    """An authority's root certificate or one of its document-signer certificates, with its key."""

    role = models.CharField(_("role"), max_length=8, choices=CertificateRole.choices)
    status = models.CharField(
        _("status"), max_length=8, choices=CertificateStatus.choices, default=CertificateStatus.ACTIVE
    )
    certificate_der = models.BinaryField(_("certificate (DER)"), editable=False)
    kid = models.CharField(_("key id"), max_length=16, db_index=True, help_text=_("Hexadecimal."))
    fingerprint = models.CharField(_("SHA-256 fingerprint"), max_length=64, unique=True)
    algorithm = models.CharField(_("algorithm"), max_length=8, choices=SignerAlgorithm.choices)
    subject = models.CharField(_("subject"), max_length=300)
    not_before = models.DateTimeField(_("valid from"))
    not_after = models.DateTimeField(_("valid until"))
    usage_from = models.DateTimeField(_("signs from"), null=True, blank=True)
    usage_until = models.DateTimeField(_("signs until"), null=True, blank=True)
    issuer = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="issued", verbose_name=_("issued by")
    )
    key = models.OneToOneField(
        SigningKey, on_delete=models.PROTECT, related_name="certificate", verbose_name=_("private key")
    )
    retired_at = models.DateTimeField(_("retired"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)
    revocation_reason = models.TextField(_("reason for revocation"), blank=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("seal certificate")
        verbose_name_plural = _("seal certificates")
        ordering = ["authority__code", "role", "-not_before"]
        constraints = [
            # One active root and one active signer per authority: documents are sealed by exactly one key.
            models.UniqueConstraint(
                fields=["authority", "role"], condition=Q(status="active"), name="seals_one_active_per_role"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_role_display()} {self.kid}"

    @property
    def is_signer(self) -> bool:
        return self.role == CertificateRole.SIGNER

    def der(self) -> bytes:
        return bytes(self.certificate_der)


class RevokedSerial(AuthorityOwned):
    """A document serial its issuing authority revoked; published with the authority's trust list."""

    serial = models.CharField(_("serial"), max_length=64)
    reason = models.TextField(_("reason"))
    revoked_at = models.DateTimeField(_("revoked"), default=timezone.now)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("revoked by"),
    )

    class Meta:
        verbose_name = _("revoked serial")
        verbose_name_plural = _("revoked serials")
        ordering = ["-revoked_at"]
        constraints = [models.UniqueConstraint(fields=["authority", "serial"], name="seals_revoked_serial_unique")]

    def __str__(self) -> str:
        return self.serial


class ImportedTrustList(AuthorityOwned):
    """A foreign authority's signed trust list, as the importing authority (``authority``) received it.

    Only the current, pinned list of each issuer is used to verify seals; an unpinned list is kept for
    the record until an operator pins its root by fingerprint.
    """

    issuer_code = models.CharField(_("issuing authority"), max_length=8, db_index=True)
    issuer_name = models.CharField(_("issuing authority name"), max_length=300, blank=True)
    root_fingerprint = models.CharField(_("root fingerprint (SHA-256)"), max_length=64)
    root_der = models.BinaryField(_("root certificate (DER)"), editable=False)
    pinned = models.BooleanField(
        _("root pinned"),
        default=False,
        help_text=_("An operator confirmed the root's fingerprint; only pinned lists are used to verify seals."),
    )
    is_current = models.BooleanField(_("current"), default=True)
    issued_at = models.DateTimeField(_("issued"))
    imported_at = models.DateTimeField(_("imported"), default=timezone.now)
    imported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("imported by"),
    )
    document = models.JSONField(_("trust list"), help_text=_("The verified list, as received."))
    signers = models.JSONField(_("signers"), default=list, help_text=_("kid, fingerprint and status of each signer."))
    revoked_serials = models.JSONField(_("revoked serials"), default=list)
    revoked_kids = models.JSONField(_("revoked signers"), default=list)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("imported trust list")
        verbose_name_plural = _("imported trust lists")
        ordering = ["issuer_code", "-imported_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["authority", "issuer_code"], condition=Q(is_current=True), name="seals_one_current_list"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.issuer_code} → {self.authority_id}"

    def signer_summary(self) -> list[dict[str, Any]]:
        return list(self.signers or [])

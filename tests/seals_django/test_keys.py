"""Each authority's keys: never in clear in the database, 0600 files, rotation with overlap, revocation."""

from __future__ import annotations

import stat
from datetime import timedelta
from pathlib import Path

import pytest
from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import serialization
from django.core.exceptions import ImproperlyConfigured, PermissionDenied, ValidationError
from django.db import connection
from django.utils import timezone

from attkit.core.models import AuditEvent
from attkit.seals import services, verification
from attkit.seals.models import CertificateRole, CertificateStatus, KeyStorage, SignerCertificate, SigningKey
from attkit.seals.verification import Verdict

pytestmark = pytest.mark.django_db


def _raw_key_rows() -> list[tuple[object, ...]]:
    """The signing key rows as the database holds them, bypassing the ORM."""
    table = SigningKey._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT * FROM {table}")
        return list(cursor.fetchall())


def _private_der(row: SignerCertificate) -> bytes:
    return services.load_private_key(row.key).private_bytes(
        serialization.Encoding.DER, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )


def test_first_use_creates_a_root_and_a_signer_once(authority):
    mx = authority("MX")
    signer = services.ensure_authority_keys(mx)
    again = services.ensure_authority_keys(mx)
    assert signer.pk == again.pk
    rows = SignerCertificate.objects.for_authority(mx)
    assert sorted(rows.values_list("role", flat=True)) == [CertificateRole.ROOT, CertificateRole.SIGNER]
    assert signer.issuer is not None and signer.issuer.role == CertificateRole.ROOT
    assert signer.algorithm == "ES256" and len(signer.kid) == 16
    assert signer.usage_until is not None and signer.usage_until < signer.not_after
    assert AuditEvent.objects.filter(kind="seals:keys_create", authority=mx).count() == 1


def test_without_a_kek_keys_are_0600_files_and_the_row_holds_only_the_path(authority, settings):
    mx = authority("MX")
    signer = services.ensure_authority_keys(mx)
    for row in SigningKey.objects.for_authority(mx):
        assert row.storage == KeyStorage.FILE
        assert row.ciphertext is None
        path = Path(settings.KEYS_DIR) / row.path
        assert stat.S_IMODE(path.stat().st_mode) == 0o600
        assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700
        assert stat.S_IMODE(Path(settings.KEYS_DIR).stat().st_mode) == 0o700
    der = _private_der(signer)
    for raw in _raw_key_rows():
        blob = b"".join(bytes(v) if isinstance(v, bytes | memoryview) else str(v).encode() for v in raw)
        assert der not in blob
        assert b"PRIVATE KEY" not in blob


def test_with_a_kek_keys_are_encrypted_in_the_row_and_no_file_is_written(authority, kek, settings):
    mx = authority("MX")
    signer = services.ensure_authority_keys(mx)
    assert not Path(settings.KEYS_DIR).exists() or not any(Path(settings.KEYS_DIR).rglob("*.pem"))
    row = signer.key
    assert row.storage == KeyStorage.ENCRYPTED and row.path == "" and row.kek_id
    der = _private_der(signer)
    ciphertext = bytes(row.ciphertext or b"")
    assert der not in ciphertext and len(ciphertext) >= len(der)
    for raw in _raw_key_rows():
        blob = b"".join(bytes(v) if isinstance(v, bytes | memoryview) else str(v).encode() for v in raw)
        assert der not in blob


def test_a_wrong_or_missing_kek_is_named_not_mistaken_for_corruption(authority, kek, settings):
    signer = services.ensure_authority_keys(authority("MX"))
    settings.KEY_ENCRYPTION_KEY = services.new_kek()
    with pytest.raises(ImproperlyConfigured, match="not the key"):
        services.load_private_key(signer.key)
    settings.KEY_ENCRYPTION_KEY = ""
    with pytest.raises(ImproperlyConfigured, match="not set"):
        services.load_private_key(signer.key)
    settings.KEY_ENCRYPTION_KEY = "short"
    with pytest.raises(ImproperlyConfigured, match="at least"):
        services.load_private_key(signer.key)


def test_a_ciphertext_copied_to_another_row_does_not_decrypt(authority, kek):
    a = services.ensure_authority_keys(authority("MX"))
    b = services.ensure_authority_keys(authority("DE"))
    b.key.ciphertext = a.key.ciphertext
    with pytest.raises(InvalidTag):  # authenticated encryption: the row's identity is part of the tag
        services.load_private_key(b.key)


def test_rotation_keeps_the_old_seals_valid_and_seals_with_the_new_signer(authority, verifier):
    mx = authority("MX")
    old = services.ensure_authority_keys(mx)
    before = services.seal(mx, "EUC1:", {"serial": "MX-1"}, expires_at=timezone.now() + timedelta(days=30))
    new = services.rotate_signer(mx, by=None)
    old.refresh_from_db()
    assert old.status == CertificateStatus.RETIRED and old.retired_at is not None
    assert new.status == CertificateStatus.ACTIVE and new.kid != old.kid
    after = services.seal(mx, "EUC1:", {"serial": "MX-2"}, expires_at=timezone.now() + timedelta(days=30))
    official = verifier("DE")
    first = verification.verify_text(before, user=official)
    second = verification.verify_text(after, user=official)
    assert first.verdict is Verdict.VALID and first.kid == old.kid
    assert second.verdict is Verdict.VALID and second.kid == new.kid


def test_a_revoked_signer_no_longer_verifies_and_is_replaced(authority, verifier, admin_of):
    mx = authority("MX")
    old = services.ensure_authority_keys(mx)
    text = services.seal(mx, "EUC1:", {"serial": "MX-1"}, expires_at=timezone.now() + timedelta(days=30))
    services.revoke_signer(mx, old.kid, reason="key copied", by=admin_of("MX"))
    old.refresh_from_db()
    assert old.status == CertificateStatus.REVOKED and old.revocation_reason == "key copied"
    result = verification.verify_text(text, user=verifier("DE"))
    assert result.verdict is Verdict.SIGNER_REVOKED
    replacement = services.active_signer(mx)
    assert replacement is not None and replacement.kid != old.kid
    fresh = services.seal(mx, "EUC1:", {"serial": "MX-2"}, expires_at=timezone.now() + timedelta(days=30))
    assert verification.verify_text(fresh, user=verifier("DE")).valid


def test_revocation_needs_a_reason_and_a_known_kid(authority):
    mx = authority("MX")
    signer = services.ensure_authority_keys(mx)
    with pytest.raises(ValidationError):
        services.revoke_signer(mx, signer.kid, reason=" ", by=None)
    with pytest.raises(ValidationError):
        services.revoke_signer(mx, "00" * 8, reason="x", by=None)


def test_only_an_administrator_of_the_same_authority_manages_keys(authority, admin_of, verifier):
    mx = authority("MX")
    services.ensure_authority_keys(mx)
    with pytest.raises(PermissionDenied):
        services.rotate_signer(mx, by=admin_of("DE"))
    with pytest.raises(PermissionDenied):
        services.rotate_signer(mx, by=verifier("MX"))
    assert services.rotate_signer(mx, by=admin_of("MX")).status == CertificateStatus.ACTIVE
    event = AuditEvent.objects.filter(kind="seals:signer_rotate", authority=mx).last()
    assert event is not None and event.actor is not None


def test_a_signer_past_its_usage_period_is_replaced_automatically(authority):
    mx = authority("MX")
    old = services.ensure_authority_keys(mx)
    SignerCertificate.objects.filter(pk=old.pk).update(usage_until=timezone.now() - timedelta(seconds=1))
    new = services.ensure_authority_keys(mx)
    assert new.pk != old.pk
    old.refresh_from_db()
    assert old.status == CertificateStatus.RETIRED


def test_a_seal_cannot_outlive_its_signer_certificate(authority):
    mx = authority("MX")
    signer = services.ensure_authority_keys(mx)
    with pytest.raises(ValidationError):
        services.seal(mx, "EUC1:", {"a": 1}, expires_at=signer.not_after + timedelta(days=1))


def test_seal_defaults_and_bad_prefix(authority):
    mx = authority("MX")
    text = services.seal(mx, "DVC1:", {"a": 1}, expires_at=None)
    assert text.startswith("DVC1:")
    with pytest.raises(ValueError):
        services.seal(mx, "euc", {"a": 1}, expires_at=None)


def test_new_kek_is_256_random_bits():
    one, two = services.new_kek(), services.new_kek()
    assert one != two and len(one) == 43


def test_a_document_dated_just_before_the_first_signer_was_made_verifies(authority, verifier):
    mx = authority("MX")
    issued = timezone.now() - timedelta(seconds=2)  # the EUC is dated, then the authority's first keys are made
    text = services.seal(mx, "EUC1:", {"serial": "MX-1"}, expires_at=None, issued_at=issued)
    assert verification.verify_text(text, user=verifier("DE")).valid


def test_a_seal_dated_outside_the_signing_period_is_refused(authority):
    mx = authority("MX")
    services.ensure_authority_keys(mx)
    with pytest.raises(ValidationError):
        services.seal(mx, "EUC1:", {"a": 1}, expires_at=None, issued_at=timezone.now() - timedelta(days=3))

"""Use cases of seals: each authority's keys and certificates, sealing, revocation, trust list export and import.

Other apps call these functions (names and signatures are a contract):
``ensure_authority_keys``, ``rotate_signer``, ``revoke_signer``, ``seal``, ``revoke_serial``,
``export_trust_list`` and ``import_trust_list``. Verification lives in ``attkit.seals.verification``.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import logging
import os
import re
import secrets
import uuid
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Any

from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.hashes import SHA256
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured, PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from attkit.core import audit
from attkit.core.models import Authority
from attkit.core.permissions import Permission, has_permission, require
from attkit.seals import codec, pki, trustlist
from attkit.seals.models import (
    CertificateRole,
    CertificateStatus,
    ImportedTrustList,
    KeyStorage,
    RevokedSerial,
    SignerCertificate,
    SigningKey,
)
from attkit.seals.truststore import SignerStatus

if TYPE_CHECKING:
    from attkit.accounts.models import User

# CWT ID claim (RFC 8392): attkit puts the document's serial there, so revocation needs no document schema.
CLAIM_CTI = 7
MAX_SERIAL_LENGTH = 64
MIN_KEK_LENGTH = 32
# Certificates start a little in the past, so that clocks that differ slightly and documents dated just
# before their signer was made (the first seal of an authority) still fall in the validity period.
ROOT_BACKDATE = timedelta(days=1)
SIGNER_BACKDATE = timedelta(minutes=10)
_KEK_INFO = b"attkit seals: private-key encryption v1"
_KEK_SALT = b"attkit-seals"
_CIPHER_VERSION = b"\x01"
logger = logging.getLogger(__name__)


class SealsAuditKind(StrEnum):
    KEYS_CREATE = "seals:keys_create"
    SIGNER_ROTATE = "seals:signer_rotate"
    SIGNER_REVOKE = "seals:signer_revoke"
    SERIAL_REVOKE = "seals:serial_revoke"
    TRUST_EXPORT = "trust:export"
    TRUST_IMPORT = "trust:import"


# --- private keys at rest ------------------------------------------------------------------------------------


def new_kek() -> str:
    """A fresh key-encryption key for ATTKIT_KEY_ENCRYPTION_KEY: 256 random bits, URL-safe base64."""
    return base64.urlsafe_b64encode(secrets.token_bytes(32)).decode("ascii").rstrip("=")


def _kek() -> bytes | None:
    """The AES-256 key derived (HKDF-SHA256) from settings.KEY_ENCRYPTION_KEY, or None when it is unset."""
    text = str(getattr(settings, "KEY_ENCRYPTION_KEY", "") or "")
    if not text:
        return None
    if len(text) < MIN_KEK_LENGTH:
        raise ImproperlyConfigured(
            f"ATTKIT_KEY_ENCRYPTION_KEY: needs at least {MIN_KEK_LENGTH} characters "
            "(generate one with `attkit keys new-kek`)."
        )
    return HKDF(algorithm=SHA256(), length=32, salt=_KEK_SALT, info=_KEK_INFO).derive(text.encode("utf-8"))


def _kek_id(kek: bytes) -> str:
    """A public identifier of the key-encryption key, so that a wrong key is named, not mistaken for corruption."""
    return hmac.new(kek, b"attkit kek id", hashlib.sha256).hexdigest()[:16]


def _aad(key_id: uuid.UUID, authority_id: uuid.UUID) -> bytes:
    # Binding the row's identity means a ciphertext copied to another row (or authority) does not decrypt.
    return f"attkit-seals-key:{key_id}:{authority_id}".encode("ascii")


def keys_dir() -> Path:
    return Path(settings.KEYS_DIR)


def _private_dir(path: Path) -> None:
    path.mkdir(mode=0o700, parents=True, exist_ok=True)
    os.chmod(path, 0o700)


def _write_key_file(relative: str, content: bytes) -> None:
    root = keys_dir()
    target = root / relative
    _private_dir(root)
    _private_dir(target.parent)
    # O_EXCL: an existing key is never replaced; 0600 from the moment the file exists.
    fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as handle:
        os.fchmod(handle.fileno(), 0o600)
        handle.write(content)


def _store_key(authority: Authority, key: pki.PrivateKey, created: list[Path]) -> SigningKey:
    """Save a private key: AES-GCM in the row under the KEK if set, else a 0600 file (the row holds its path)."""
    alg = pki.algorithm_for_key(key)
    row = SigningKey(authority=authority, algorithm=alg.value)
    der = key.private_bytes(serialization.Encoding.DER, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    kek = _kek()
    if kek is not None:
        nonce = secrets.token_bytes(12)
        row.storage = KeyStorage.ENCRYPTED
        row.ciphertext = _CIPHER_VERSION + nonce + AESGCM(kek).encrypt(nonce, der, _aad(row.id, authority.id))
        row.kek_id = _kek_id(kek)
        row.path = ""
    else:
        relative = f"{authority.code}/{row.id}.pem"
        pem = key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )
        _write_key_file(relative, pem)
        created.append(keys_dir() / relative)
        row.storage = KeyStorage.FILE
        row.ciphertext = None
        row.path = relative
    row.save(force_insert=True)
    return row


def load_private_key(row: SigningKey) -> pki.PrivateKey:
    """The private key of a row; ImproperlyConfigured when the KEK is missing or wrong, or the file is gone."""
    if row.storage == KeyStorage.ENCRYPTED:
        kek = _kek()
        if kek is None:
            raise ImproperlyConfigured(
                "ATTKIT_KEY_ENCRYPTION_KEY is not set, but the signing keys are encrypted with one."
            )
        if row.kek_id and row.kek_id != _kek_id(kek):
            raise ImproperlyConfigured("ATTKIT_KEY_ENCRYPTION_KEY is not the key the signing keys were encrypted with.")
        blob = bytes(row.ciphertext or b"")
        if blob[:1] != _CIPHER_VERSION or len(blob) < 1 + 12 + 16:
            raise ImproperlyConfigured(f"Signing key {row.pk}: the stored ciphertext is damaged.")
        der = AESGCM(kek).decrypt(blob[1:13], blob[13:], _aad(row.id, row.authority_id))
        key = serialization.load_der_private_key(der, password=None)
    else:
        path = (keys_dir() / row.path).resolve()
        if keys_dir().resolve() not in path.parents:
            raise ImproperlyConfigured(f"Signing key {row.pk}: its file lies outside the keys directory.")
        try:
            data = path.read_bytes()
        except OSError as exc:
            raise ImproperlyConfigured(f"Signing key {row.pk}: cannot read {path} ({exc.strerror}).") from exc
        key = serialization.load_pem_private_key(data, password=None)
    if not isinstance(key, pki.PrivateKey):
        raise ImproperlyConfigured(f"Signing key {row.pk}: unsupported key type.")
    return key


def orphan_key_files(min_age: timedelta = timedelta(hours=1)) -> list[Path]:
    """Key files no row refers to: left by transactions that rolled back after the file was written.

    Only files older than min_age are listed, so a key of a transaction still running is never touched.
    """
    root = keys_dir()
    if not root.is_dir():
        return []
    known = {(root / p).resolve() for p in SigningKey.objects.exclude(path="").values_list("path", flat=True)}
    cutoff = timezone.now().timestamp() - min_age.total_seconds()
    return sorted(
        path for path in root.glob("*/*.pem") if path.resolve() not in known and path.stat().st_mtime < cutoff
    )


@contextmanager
def _cleanup_on_failure(created: list[Path]) -> Iterator[None]:
    """Key files written in a transaction that then fails are removed, so no key exists without its row."""
    try:
        yield
    except BaseException:
        for path in created:
            path.unlink(missing_ok=True)
        raise


# --- certificates --------------------------------------------------------------------------------------------


def _save_certificate(
    authority: Authority,
    pair: pki.KeyPair,
    *,
    role: CertificateRole,
    issuer: SignerCertificate | None,
    created: list[Path],
) -> SignerCertificate:
    cert = pair.certificate
    usage_from, usage_until = pki.key_usage_period(cert)
    row = SignerCertificate(
        authority=authority,
        role=role,
        status=CertificateStatus.ACTIVE,
        certificate_der=cert.public_bytes(serialization.Encoding.DER),
        kid=pki.compute_kid(cert).hex(),
        fingerprint=pki.fingerprint(cert),
        algorithm=pki.algorithm_for_key(pair.key).value,
        subject=cert.subject.rfc4514_string()[:300],
        not_before=cert.not_valid_before_utc,
        not_after=cert.not_valid_after_utc,
        usage_from=usage_from,
        usage_until=usage_until,
        issuer=issuer,
        key=_store_key(authority, pair.key, created),
    )
    row.save(force_insert=True)
    return row


def certificate_of(row: SignerCertificate) -> x509.Certificate:
    return x509.load_der_x509_certificate(row.der())


def key_pair(row: SignerCertificate) -> pki.KeyPair:
    return pki.KeyPair(load_private_key(row.key), certificate_of(row))


def active_root(authority: Authority) -> SignerCertificate | None:
    return (
        SignerCertificate.objects.for_authority(authority)
        .filter(role=CertificateRole.ROOT, status=CertificateStatus.ACTIVE)
        .first()
    )


def active_signer(authority: Authority) -> SignerCertificate | None:
    return (
        SignerCertificate.objects.for_authority(authority)
        .filter(role=CertificateRole.SIGNER, status=CertificateStatus.ACTIVE)
        .select_related("key")
        .first()
    )


def _organization(authority: Authority) -> str:
    return (authority.name_en or authority.code)[:64]


def _new_root(authority: Authority, now: datetime, created: list[Path]) -> SignerCertificate:
    pair = pki.create_root(
        country=(authority.country or authority.code)[:2].upper(),
        organization=_organization(authority),
        common_name=f"{authority.code} attkit seal root",
        not_before=now - ROOT_BACKDATE,
    )
    return _save_certificate(authority, pair, role=CertificateRole.ROOT, issuer=None, created=created)


def _new_signer(authority: Authority, root: SignerCertificate, now: datetime, created: list[Path]) -> SignerCertificate:
    number = SignerCertificate.objects.for_authority(authority).filter(role=CertificateRole.SIGNER).count() + 1
    # Backdated a little (never before its root): a document dated a moment before its signer was made,
    # as the first seal of an authority is, must fall inside the signer's period.
    start = max(now - SIGNER_BACKDATE, root.not_before)
    pair = pki.issue_signer(
        key_pair(root), common_name=f"{authority.code} attkit document signer {number}", not_before=start
    )
    return _save_certificate(authority, pair, role=CertificateRole.SIGNER, issuer=root, created=created)


def _lock(authority: Authority) -> Authority:
    # Serialises key changes of one authority (SQLite writers are serialised already by BEGIN IMMEDIATE).
    return Authority.objects.select_for_update().get(pk=authority.pk)


def _signer_usable(row: SignerCertificate, now: datetime) -> bool:
    until = row.usage_until or row.not_after
    return row.not_before <= now < until


def ensure_authority_keys(authority: Authority) -> SignerCertificate:
    """The authority's active document signer, creating its root and first signer on first use (idempotent).

    A signer whose key usage period has ended is retired and replaced here, so sealing never stops.
    """
    signer = active_signer(authority)
    now = timezone.now()
    if signer is not None and _signer_usable(signer, now):
        return signer
    created: list[Path] = []
    with _cleanup_on_failure(created), transaction.atomic():
        authority = _lock(authority)
        signer = active_signer(authority)
        if signer is not None and _signer_usable(signer, now):
            return signer
        root = active_root(authority)
        made_root = root is None
        if root is None:
            root = _new_root(authority, now, created)
        if signer is not None:
            signer.status = CertificateStatus.RETIRED
            signer.retired_at = now
            signer.save(update_fields=["status", "retired_at", "updated_at"])
        new = _new_signer(authority, root, now, created)
        audit.record(
            None,
            SealsAuditKind.KEYS_CREATE if made_root else SealsAuditKind.SIGNER_ROTATE,
            new,
            {
                "root_kid": root.kid,
                "root_fingerprint": root.fingerprint,
                "signer_kid": new.kid,
                "retired_kid": signer.kid if signer else None,
                "automatic": True,
                "storage": new.key.storage,
            },
            authority=authority,
            actor_label="system",
        )
    return new


def _check_manager(by: User | None, authority: Authority, permission: Permission = Permission.SEALS_MANAGE) -> None:
    """A user must hold the permission in this very authority; None is the operator at the command line."""
    if by is None:
        return
    require(by, permission)
    if by.authority_id != authority.pk:
        raise PermissionDenied(_("You can only manage the keys of your own authority."))


def rotate_signer(authority: Authority, *, by: User | None) -> SignerCertificate:
    """A new active document signer; the previous one is retired and keeps verifying the seals it made."""
    _check_manager(by, authority)
    ensure_authority_keys(authority)
    created: list[Path] = []
    now = timezone.now()
    with _cleanup_on_failure(created), transaction.atomic():
        authority = _lock(authority)
        old = active_signer(authority)
        root = active_root(authority)
        if root is None:  # ensure_authority_keys made one; only a concurrent revocation could remove it
            raise ValidationError(_("This authority has no active root certificate."))
        if old is not None:
            old.status = CertificateStatus.RETIRED
            old.retired_at = now
            old.save(update_fields=["status", "retired_at", "updated_at"])
        new = _new_signer(authority, root, now, created)
        audit.record(
            by,
            SealsAuditKind.SIGNER_ROTATE,
            new,
            {"signer_kid": new.kid, "retired_kid": old.kid if old else None},
            authority=authority,
            actor_label=None if by else "cli",
        )
    return new


def revoke_signer(authority: Authority, kid: str, *, reason: str, by: User | None) -> SignerCertificate:
    """Revoke a document signer (its seals stop verifying at once); an active one is replaced by a new signer."""
    _check_manager(by, authority)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Say why the signer is revoked; the record must show it.")})
    kid = kid.strip().lower()
    created: list[Path] = []
    now = timezone.now()
    with _cleanup_on_failure(created), transaction.atomic():
        authority = _lock(authority)
        row = (
            SignerCertificate.objects.for_authority(authority)
            .filter(role=CertificateRole.SIGNER, kid=kid)
            .exclude(status=CertificateStatus.REVOKED)
            .first()
        )
        if row is None:
            raise ValidationError({"kid": _("This authority has no signer with that key id that is not revoked.")})
        was_active = row.status == CertificateStatus.ACTIVE
        row.status = CertificateStatus.REVOKED
        row.revoked_at = now
        row.revocation_reason = reason[:2000]
        row.save(update_fields=["status", "revoked_at", "revocation_reason", "updated_at"])
        replacement = None
        if was_active:
            root = active_root(authority)
            if root is not None:
                replacement = _new_signer(authority, root, now, created)
        audit.record(
            by,
            SealsAuditKind.SIGNER_REVOKE,
            row,
            {"kid": row.kid, "reason": reason, "replacement_kid": replacement.kid if replacement else None},
            authority=authority,
            actor_label=None if by else "cli",
        )
    return row


# --- sealing -------------------------------------------------------------------------------------------------


def profile_for(prefix: str) -> codec.SealProfile:
    """The codec profile of a prefix; an unknown prefix gets attkit's defaults (document in the private claim)."""
    if not prefix or not prefix.endswith(":") or len(prefix) > 8 or not prefix[:-1].isalnum() or not prefix.isupper():
        raise ValueError(f"a seal prefix looks like 'EUC1:', not {prefix!r}")
    return codec.PROFILES.get(prefix) or codec.SealProfile(prefix, prefix[:-1])


def seal(
    authority: Authority,
    prefix: str,
    payload: dict[Any, Any],
    *,
    expires_at: datetime | None,
    issued_at: datetime | None = None,
    serial: str | None = None,
) -> str:
    """Seal text (for a QR code) of a document payload, signed by the authority's active document signer.

    ``serial`` goes in the CWT ``cti`` claim: verification checks it against the revoked serials the
    authority publishes. Without ``expires_at`` the seal lives as long as the signer policy allows.
    ValidationError when the seal would outlive its signer certificate or not fit in a QR code.
    """
    profile = profile_for(prefix)
    signer_row = ensure_authority_keys(authority)
    issued = issued_at or timezone.now()
    expires = expires_at or issued + pki.DEFAULT_SIGNER_POLICY.max_document_lifetime
    if expires > signer_row.not_after:
        raise ValidationError(
            {
                "expires_at": _("A sealed document cannot outlive its signer certificate (valid until %(date)s).")
                % {"date": signer_row.not_after.date().isoformat()}
            }
        )
    start = signer_row.usage_from or signer_row.not_before
    end = signer_row.usage_until or signer_row.not_after
    if not start <= issued <= end:
        raise ValidationError(
            {"issued_at": _("The date of the seal lies outside the signing period of the active signer.")}
        )
    extra: dict[int, Any] = {}
    if serial:
        if len(serial) > MAX_SERIAL_LENGTH:
            raise ValidationError({"serial": _("A serial has at most 64 characters.")})
        extra[CLAIM_CTI] = serial.encode("utf-8")
    signer = codec.Signer.from_pair(key_pair(signer_row))
    try:
        return codec.encode(
            payload,
            signer=signer,
            issuer=authority.code,
            issued_at=issued,
            expires_at=expires,
            profile=profile,
            extra_claims=extra,
        )
    except ValueError as exc:
        raise ValidationError(str(exc)) from exc


# --- revocation of documents ---------------------------------------------------------------------------------


def revoke_serial(authority: Authority, serial: str, reason: str, *, by: User | None = None) -> RevokedSerial:
    """Record a document serial as revoked (idempotent); seals carrying it verify as revoked from now on.

    The calling app (euc, licensing) checks its own permission; this records the fact, audited,
    in the caller's transaction when there is one.
    """
    serial = (serial or "").strip()
    if not serial or len(serial) > MAX_SERIAL_LENGTH:
        raise ValidationError({"serial": _("Give the serial of the document, at most 64 characters.")})
    if not (reason or "").strip():
        raise ValidationError({"reason": _("Say why the document is revoked; the record must show it.")})
    with transaction.atomic():
        row, made = RevokedSerial.objects.get_or_create(
            authority=authority, serial=serial, defaults={"reason": reason.strip()[:2000], "revoked_by": by}
        )
        if made:
            audit.record(
                by,
                SealsAuditKind.SERIAL_REVOKE,
                row,
                {"serial": serial, "reason": row.reason},
                authority=authority,
                actor_label=None if by else "system",
            )
    return row


def is_serial_revoked(issuer_code: str, serial: str) -> RevokedSerial | None:
    return RevokedSerial.objects.filter(authority__code=issuer_code, serial=serial).first()


# --- trust lists ---------------------------------------------------------------------------------------------

TRUST_LIST_VALIDITY = timedelta(days=30)
_FINGERPRINT_RE = re.compile(r"[0-9a-f]{64}")


def _signer_entries(authority: Authority, now: datetime) -> tuple[list[trustlist.SignerEntry], list[bytes]]:
    rows = SignerCertificate.objects.for_authority(authority).filter(role=CertificateRole.SIGNER, not_after__gt=now)
    entries: list[trustlist.SignerEntry] = []
    revoked: list[bytes] = []
    for row in rows.order_by("not_before"):
        status = SignerStatus(row.status)
        entries.append(trustlist.SignerEntry(certificate_of(row), status))
        if status is SignerStatus.REVOKED:
            revoked.append(bytes.fromhex(row.kid))
    return entries, revoked


def export_trust_list(authority: Authority, *, by: User | None = None) -> bytes:
    """The authority's signed trust list (JSON): its signers with their status, revoked kids and serials."""
    if by is not None:
        if not (has_permission(by, Permission.SEALS_MANAGE) or has_permission(by, Permission.TRUST_MANAGE)):
            raise PermissionDenied(_("You do not have permission to do this."))
        if by.authority_id != authority.pk:
            raise PermissionDenied(_("You can only manage the keys of your own authority."))
    ensure_authority_keys(authority)
    root_row = active_root(authority)
    if root_row is None:
        raise ValidationError(_("This authority has no active root certificate."))
    now = timezone.now()
    entries, revoked_kids = _signer_entries(authority, now)
    serials = list(RevokedSerial.objects.for_authority(authority).values_list("serial", flat=True))
    data = trustlist.build_trust_list(
        authority=authority.code,
        root=key_pair(root_row),
        signers=entries,
        issued_at=now,
        next_update=now + TRUST_LIST_VALIDITY,
        revoked_kids=revoked_kids,
        revoked_serials=serials,
    )
    with transaction.atomic():
        audit.record(
            by,
            SealsAuditKind.TRUST_EXPORT,
            root_row,
            {
                "signers": [e.kid.hex() for e in entries],
                "revoked_serials": len(serials),
                "sha256": hashlib.sha256(data).hexdigest(),
            },
            authority=authority,
            actor_label=None if by else "system",
        )
    return data


def normalise_fingerprint(text: str | None) -> str | None:
    """A SHA-256 fingerprint as lower-case hex, whatever the separators; None for none; ValidationError otherwise."""
    if text is None or not text.strip():
        return None
    value = re.sub(r"[\s:]", "", text.strip().lower()).removeprefix("sha256").lstrip("=")
    if not _FINGERPRINT_RE.fullmatch(value):
        raise ValidationError({"fingerprint": _("Enter the SHA-256 fingerprint as 64 hexadecimal characters.")})
    return value


_TRUST_LIST_PROBLEMS = {
    trustlist.TrustListProblem.TOO_LARGE: gettext_lazy("The trust list is larger than 2 MB."),
    trustlist.TrustListProblem.NOT_JSON: gettext_lazy("The file is not a trust list: it is not valid JSON."),
    trustlist.TrustListProblem.BAD_SIGNATURE: gettext_lazy(
        "The signature of the trust list does not verify: it was altered, or not signed by the root it names. "
        "It was not imported."
    ),
    trustlist.TrustListProblem.WRONG_ROOT: gettext_lazy(
        "The trust list names a root other than the one that signed it. It was not imported."
    ),
    trustlist.TrustListProblem.INVALID: gettext_lazy("The trust list is not valid. It was not imported."),
    trustlist.TrustListProblem.ROLLBACK: gettext_lazy(
        "This trust list is older than the one you hold, so it was not imported: an old list could hide revocations."
    ),
}


def _embedded_root(data: bytes) -> x509.Certificate:
    """The root a list names; only a candidate until the list's signature and the pin have been checked."""
    if len(data) > trustlist.MAX_TRUST_LIST_BYTES:
        raise ValidationError(str(_TRUST_LIST_PROBLEMS[trustlist.TrustListProblem.TOO_LARGE]))
    try:
        document = json.loads(data.decode("utf-8"))
        root_text = document["root"] if isinstance(document, dict) else None
        if not isinstance(root_text, str):
            raise TypeError
        return pki.load_certificate(root_text)
    except (ValueError, TypeError, KeyError, RecursionError, pki.CertificateFormatError) as exc:
        raise ValidationError(_("The file is not an attkit trust list.")) from exc


def import_trust_list(
    data: bytes, *, into: Authority, by: User | None, fingerprint: str | None = None
) -> ImportedTrustList:
    """Import another authority's signed trust list into ``into``.

    The list must verify against the root it carries. It is used to verify seals only once its root
    is pinned: by the fingerprint the operator gives (learnt out of band), or because it is the root
    already pinned for that authority. Otherwise it is kept, unpinned, and not used. An older list
    than the one held is refused (it could hide revocations); a pinned root is never replaced silently.
    """
    _check_manager(by, into, Permission.TRUST_MANAGE)
    given = normalise_fingerprint(fingerprint)
    root = _embedded_root(bytes(data))
    root_fp = pki.fingerprint(root)
    try:
        parsed = trustlist.parse_trust_list(bytes(data), root)
    except trustlist.TrustListError as exc:
        logger.info("Trust list refused (%s): %s", exc.problem, exc)
        raise ValidationError(str(_TRUST_LIST_PROBLEMS[exc.problem])) from exc
    issuer = parsed.authority
    if issuer == into.code:
        raise ValidationError(_("This is your own authority's trust list; import the lists of other authorities."))
    if given is not None and given != root_fp:
        raise ValidationError(
            {
                "fingerprint": _(
                    "The fingerprint you entered does not match the root of this trust list. Do not import it; "
                    "confirm the fingerprint with %(issuer)s through another channel."
                )
                % {"issuer": issuer}
            }
        )
    document = json.loads(bytes(data).decode("utf-8"))
    with transaction.atomic():
        into = _lock(into)
        current = (
            ImportedTrustList.objects.for_authority(into)
            .select_for_update()
            .filter(issuer_code=issuer, is_current=True)
            .first()
        )
        pinned = given is not None
        if not pinned and current is not None and current.pinned:
            if current.root_fingerprint != root_fp:
                raise ValidationError(
                    {
                        "fingerprint": _(
                            "This list is signed by a different root from the one pinned for %(issuer)s. "
                            "If %(issuer)s really changed its root, enter the new root's fingerprint."
                        )
                        % {"issuer": issuer}
                    }
                )
            pinned = True
        if current is not None and current.root_fingerprint == root_fp:
            if parsed.issued_at < current.issued_at:
                raise ValidationError(str(_TRUST_LIST_PROBLEMS[trustlist.TrustListProblem.ROLLBACK]))
            if parsed.issued_at == current.issued_at and current.document == document and current.pinned == pinned:
                return current
        if current is not None:
            current.is_current = False
            current.save(update_fields=["is_current", "updated_at"])
        row = ImportedTrustList.objects.create(
            authority=into,
            issuer_code=issuer,
            issuer_name=_subject_organisation(root),
            root_fingerprint=root_fp,
            root_der=root.public_bytes(serialization.Encoding.DER),
            pinned=pinned,
            is_current=True,
            issued_at=parsed.issued_at,
            imported_by=by,
            document=document,
            signers=[
                {
                    "kid": entry.kid.hex(),
                    "fingerprint": pki.fingerprint(entry.certificate),
                    "status": SignerStatus.REVOKED.value if entry.kid in parsed.revoked_kids else entry.status.value,
                    "not_before": entry.certificate.not_valid_before_utc.isoformat(),
                    "not_after": entry.certificate.not_valid_after_utc.isoformat(),
                }
                for entry in parsed.signers
            ],
            revoked_serials=sorted(parsed.revoked_serials),
            revoked_kids=sorted(kid.hex() for kid in parsed.revoked_kids),
        )
        audit.record(
            by,
            SealsAuditKind.TRUST_IMPORT,
            row,
            {
                "issuer": issuer,
                "root_fingerprint": root_fp,
                "pinned": pinned,
                "pinned_by_operator": given is not None,
                "issued_at": parsed.issued_at.isoformat(),
                "signers": len(parsed.signers),
                "revoked_serials": len(parsed.revoked_serials),
            },
            authority=into,
            actor_label=None if by else "cli",
        )
    return row


def _subject_organisation(certificate: x509.Certificate) -> str:
    names = certificate.subject.get_attributes_for_oid(x509.NameOID.ORGANIZATION_NAME)
    return str(names[0].value)[:300] if names else ""


@dataclass(frozen=True)
class KeyOverview:
    """What the key management page shows of one authority."""

    roots: list[SignerCertificate]
    signers: list[SignerCertificate]
    trust_lists: list[ImportedTrustList]
    revoked_serials: int


def overview(authority: Authority) -> KeyOverview:
    rows = list(SignerCertificate.objects.for_authority(authority).select_related("key").order_by("-not_before"))
    lists = list(ImportedTrustList.objects.for_authority(authority).filter(is_current=True).order_by("issuer_code"))
    return KeyOverview(
        roots=[r for r in rows if r.role == CertificateRole.ROOT],
        signers=[r for r in rows if r.role == CertificateRole.SIGNER],
        trust_lists=lists,
        revoked_serials=RevokedSerial.objects.for_authority(authority).count(),
    )


def jsonable(value: Any) -> Any:
    """A decoded CBOR value as JSON: keys as text, bytes as hex, dates as ISO text."""
    if value is None or isinstance(value, str | int | float):  # the common case first: this runs per verification
        return value
    if isinstance(value, dict | Mapping):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [jsonable(v) for v in value]
    if isinstance(value, bytes | bytearray):
        return bytes(value).hex()
    if isinstance(value, datetime):
        return value.isoformat()
    return str(value)

"""The named verification service: any official checks any seal against the trust this deployment holds.

Trust for a verifying authority is (1) the signers of every authority hosted on this deployment
(sandbox authorities only for sandbox users) and (2) the current, *pinned* trust lists that this
authority imported. Document apps register a handler per prefix to add registry status (revoked,
superseded, already used, quantities left) when verifying online.
"""

from __future__ import annotations

import functools
import json
import logging
import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any

from cryptography import x509
from django.core.exceptions import PermissionDenied
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from attkit.core import rows
from attkit.core.models import Authority
from attkit.core.permissions import Permission, has_permission
from attkit.seals import codec, trustlist
from attkit.seals.models import CertificateRole, CertificateStatus, ImportedTrustList, RevokedSerial, SignerCertificate
from attkit.seals.truststore import SignerStatus, TrustedSigner, TrustStore

logger = logging.getLogger(__name__)

# An upload bigger than this is no scan of a certificate; PDFs are read up to MAX_PDF_PAGES pages.
MAX_FILE_BYTES = 15 * 1024 * 1024
MAX_PDF_PAGES = 10
MAX_SEALS_PER_FILE = 8


class Verdict(StrEnum):
    """The codec's verdicts, plus what the registry of the issuing authority knows."""

    VALID = "valid"
    NO_SEAL_FOUND = "no_seal_found"
    WRONG_PREFIX = "wrong_prefix"
    MALFORMED = "malformed"
    UNKNOWN_SIGNER = "unknown_signer"
    INVALID_SIGNATURE = "invalid_signature"
    EXPIRED = "expired"
    NOT_YET_VALID = "not_yet_valid"
    SIGNER_NOT_VALID = "signer_not_valid"
    SIGNER_REVOKED = "signer_revoked"
    REVOKED = "revoked"
    SUPERSEDED = "superseded"
    ALREADY_USED = "already_used"


# The verdicts the API and the command line promise (issue 3): the finer ones map onto them, and the
# fine verdict is given beside it as "verdict_detail".
CONTRACT_VERDICT = {
    Verdict.WRONG_PREFIX: Verdict.NO_SEAL_FOUND,  # a QR of some other kind of document: no seal of ours
    Verdict.NOT_YET_VALID: Verdict.EXPIRED,  # outside its validity period, the reasons say which side
    Verdict.SIGNER_NOT_VALID: Verdict.UNKNOWN_SIGNER,  # not a valid document signer of a trusted authority
    Verdict.SIGNER_REVOKED: Verdict.REVOKED,
}

VERDICT_TITLES = {
    Verdict.VALID: gettext_lazy("Valid"),
    Verdict.NO_SEAL_FOUND: gettext_lazy("No seal found"),
    Verdict.WRONG_PREFIX: gettext_lazy("Not a seal accepted here"),
    Verdict.MALFORMED: gettext_lazy("Damaged or not a seal"),
    Verdict.UNKNOWN_SIGNER: gettext_lazy("Unknown signer"),
    Verdict.INVALID_SIGNATURE: gettext_lazy("Invalid signature"),
    Verdict.EXPIRED: gettext_lazy("Expired"),
    Verdict.NOT_YET_VALID: gettext_lazy("Not yet valid"),
    Verdict.SIGNER_NOT_VALID: gettext_lazy("Signer certificate not valid"),
    Verdict.SIGNER_REVOKED: gettext_lazy("Signing key revoked"),
    Verdict.REVOKED: gettext_lazy("Revoked"),
    Verdict.SUPERSEDED: gettext_lazy("Superseded"),
    Verdict.ALREADY_USED: gettext_lazy("Already used"),
}

_DO_NOT_ACCEPT = gettext_lazy("Do not accept this certificate; contact the issuing authority.")
VERDICT_ADVICE = {
    Verdict.VALID: gettext_lazy(
        "The seal is authentic and in force. Check that the goods, parties and quantities below match the "
        "transfer in front of you."
    ),
    Verdict.NO_SEAL_FOUND: gettext_lazy(
        "Try a sharper photo or scan of the whole QR code, or paste the text the QR code holds. A certificate "
        "without a seal cannot be verified here: contact the issuing authority."
    ),
    Verdict.WRONG_PREFIX: gettext_lazy(
        "This QR code is not the seal of a document that attkit verifies. Look for the seal on the certificate, "
        "or contact the issuing authority."
    ),
    Verdict.MALFORMED: gettext_lazy(
        "The seal is damaged or was altered. Try reading it again; if the verdict stays, do not accept this "
        "certificate and contact the issuing authority."
    ),
    Verdict.UNKNOWN_SIGNER: gettext_lazy(
        "The key that signed this seal is not among the signers you trust. If the issuing state is new to you, "
        "import its trust list (with its root fingerprint, confirmed through a diplomatic channel) and verify "
        "again. Until then, do not accept this certificate; contact the issuing authority."
    ),
    Verdict.INVALID_SIGNATURE: _DO_NOT_ACCEPT,
    Verdict.EXPIRED: gettext_lazy(
        "The certificate is no longer in force. Do not accept it; ask the end user for a new certificate from "
        "the issuing authority."
    ),
    Verdict.NOT_YET_VALID: gettext_lazy(
        "The seal is dated in the future. Check this device's clock; if it is right, do not accept this "
        "certificate and contact the issuing authority."
    ),
    Verdict.SIGNER_NOT_VALID: _DO_NOT_ACCEPT,
    Verdict.SIGNER_REVOKED: gettext_lazy(
        "The issuing authority has withdrawn the key that signed this seal. Do not accept this certificate; "
        "contact the issuing authority."
    ),
    Verdict.REVOKED: gettext_lazy(
        "The issuing authority has revoked this certificate. Do not accept it; contact the issuing authority."
    ),
    Verdict.SUPERSEDED: gettext_lazy(
        "An amended certificate replaced this one. Do not accept it; ask for the current certificate."
    ),
    Verdict.ALREADY_USED: gettext_lazy(
        "The quantities of this certificate have already been used. Do not accept it for a new transfer; "
        "contact the issuing authority."
    ),
}


# --- document kinds ------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class VerificationContext:
    """What a registry handler knows of the verification it is asked about."""

    user: Any | None
    authority: Authority | None  # the verifying authority
    at: datetime
    online: bool
    prefix: str
    issuer: str | None
    serial: str | None
    kid: str | None


@dataclass(frozen=True)
class RegistryStatus:
    """A document app's answer: a verdict when the document is not in good standing, reasons, data to show."""

    verdict: Verdict | None = None  # REVOKED, SUPERSEDED or ALREADY_USED; None when in good standing
    reasons: tuple[str, ...] = ()
    data: dict[str, Any] = field(default_factory=dict)  # quantities left, DVC, superseded by... (JSON-able)


RegistryHandler = Callable[[codec.VerifyResult, VerificationContext], RegistryStatus | None]
_HANDLERS: dict[str, RegistryHandler] = {}
_ISSUED_IN_SANDBOX: set[str] = set()  # prefixes whose documents sandbox authorities issue for real
_TEMPLATES: dict[str, str] = {}
_ATTKIT_PREFIXES = tuple(p for p in codec.PROFILES if p != codec.HCERT.prefix)


def register_document_kind(
    prefix: str, handler: RegistryHandler, *, template: str | None = None, issued_in_sandbox: bool = False
) -> None:
    """Register the registry handler of a document kind (call it from the app's ready()).

    The handler runs for online verifications whose signature verified; it returns a RegistryStatus
    (or None when the registry does not know the document). ``template`` optionally names a template
    that shows the decoded document on the verification page (context: ``verification``).
    ``issued_in_sandbox``: real documents of this kind are issued by sandbox authorities (the course's
    certificates of completion), so every verifier trusts the sandbox signers for this prefix, and for this
    prefix only: a practice end-user certificate sealed in a sandbox stays "unknown signer" outside it.
    """
    from attkit.seals.services import profile_for

    profile_for(prefix)  # refuses a prefix that is no prefix
    _HANDLERS[prefix] = handler
    if template:
        _TEMPLATES[prefix] = template
    else:
        _TEMPLATES.pop(prefix, None)
    if issued_in_sandbox:
        _ISSUED_IN_SANDBOX.add(prefix)
    else:
        _ISSUED_IN_SANDBOX.discard(prefix)


def unregister_document_kind(prefix: str) -> None:
    _HANDLERS.pop(prefix, None)
    _TEMPLATES.pop(prefix, None)


def accepted_prefixes() -> tuple[str, ...]:
    return tuple(dict.fromkeys((*_ATTKIT_PREFIXES, *_HANDLERS)))


# --- the result ----------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Verification:
    """A verdict with its reasons in the user's language, the decoded document and the registry status."""

    verdict: Verdict
    reasons: list[str]
    certificate: dict[str, Any] | None
    seal: str | None
    issuer: str | None
    kid: str | None
    registry: dict[str, Any] | None
    reason_codes: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    prefix: str | None = None
    kind: str | None = None
    serial: str | None = None
    issued_at: datetime | None = None
    expires_at: datetime | None = None
    signer: str | None = None
    checked_at: datetime | None = None
    online: bool = True
    signature_ok: bool = False  # a trusted signer's signature verified (the document content is authentic)
    template: str | None = None  # the template that shows this kind of document, if its app registered one

    @property
    def valid(self) -> bool:
        return self.verdict is Verdict.VALID

    @property
    def title(self) -> str:
        return str(VERDICT_TITLES[self.verdict])

    @property
    def advice(self) -> str:
        return str(VERDICT_ADVICE[self.verdict])

    def as_dict(self) -> dict[str, Any]:
        """The API and CLI answer."""
        return {
            "verdict": CONTRACT_VERDICT.get(self.verdict, self.verdict).value,
            "verdict_detail": self.verdict.value,
            "valid": self.valid,
            "title": self.title,
            "reasons": list(self.reasons),
            "reason_codes": list(self.reason_codes),
            "advice": self.advice,
            "warnings": list(self.warnings),
            "certificate": self.certificate,
            "seal": self.seal,
            "issuer": self.issuer,
            "kid": self.kid,
            "serial": self.serial,
            "prefix": self.prefix,
            "issued_at": self.issued_at.isoformat() if self.issued_at else None,
            "expires_at": self.expires_at.isoformat() if self.expires_at else None,
            "signer": self.signer,
            "registry": self.registry,
            "checked_at": self.checked_at.isoformat() if self.checked_at else None,
            "online": self.online,
            "signature_ok": self.signature_ok,
        }


# --- trust ---------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Trust:
    """What a verifying authority trusts: signers, and what foreign lists say of revoked serials."""

    store: TrustStore
    revoked_serials: dict[str, frozenset[str]]  # issuer code -> revoked serials (hosted, or from its imported list)
    next_update: dict[str, datetime]  # issuer code -> when its imported list promised an update


_trust_cache: dict[str, tuple[tuple[Any, ...], Trust]] = {}
_trust_lock = threading.Lock()


@functools.cache
def _stamp_sql() -> str:
    certs = SignerCertificate._meta.db_table
    lists = ImportedTrustList._meta.db_table
    serials = RevokedSerial._meta.db_table
    authorities = Authority._meta.db_table
    return (
        f"SELECT (SELECT COUNT(*) FROM {certs}), (SELECT MAX(updated_at) FROM {certs}), "  # noqa: S608
        f"(SELECT COUNT(*) FROM {lists}), (SELECT MAX(updated_at) FROM {lists}), "
        f"(SELECT COUNT(*) FROM {serials}), (SELECT MAX(revoked_at) FROM {serials}), "
        f"(SELECT COUNT(*) FROM {authorities}), (SELECT COUNT(*) FROM {authorities} WHERE is_sandbox = %s)"
    )


def _stamp() -> tuple[Any, ...]:
    """What the trust depends on, in one cheap query: a change to any of it rebuilds the cached trust.

    One round trip of SQL (prepared on PostgreSQL, attkit.core.rows.fetch), because it runs on every
    verification and the ORM would cost more than the signature check itself.
    """
    found = rows.fetch(_stamp_sql(), [True])
    return found[0] if found else ()


_STATUS = {
    CertificateStatus.ACTIVE: SignerStatus.ACTIVE,
    CertificateStatus.RETIRED: SignerStatus.RETIRED,
    CertificateStatus.REVOKED: SignerStatus.REVOKED,
}


def _hosted_signers(*, sandbox: bool) -> list[TrustedSigner]:
    rows = (
        SignerCertificate.objects.filter(role=CertificateRole.SIGNER, authority__is_sandbox=sandbox)
        .select_related("authority")
        .only("certificate_der", "status", "authority__code")
    )
    return [
        TrustedSigner.from_certificate(
            x509.load_der_x509_certificate(row.der()),
            status=_STATUS[CertificateStatus(row.status)],
            authority=row.authority.code,
        )
        for row in rows
    ]


def parse_imported(row: ImportedTrustList) -> trustlist.TrustList:
    """The verified list of a row (its signature is checked again: the database is not trusted blindly)."""
    root = x509.load_der_x509_certificate(bytes(row.root_der))
    return trustlist.parse_trust_list(json.dumps(row.document), root)


def _build_trust(authority: Authority | None, *, with_sandbox_signers: bool = False) -> Trust:
    sandbox = bool(authority is not None and authority.is_sandbox)
    signers = _hosted_signers(sandbox=sandbox)
    if with_sandbox_signers and not sandbox:
        signers += _hosted_signers(sandbox=True)
    hosted_codes = {s.authority for s in signers}
    lists = ImportedTrustList.objects.filter(is_current=True, pinned=True, authority__is_sandbox=sandbox)
    if authority is not None:
        lists = lists.filter(authority=authority)
    revoked: dict[str, set[str]] = {}
    updates: dict[str, datetime] = {}
    for row in lists.order_by("issuer_code", "-issued_at"):
        try:
            parsed = parse_imported(row)
        except trustlist.TrustListError:
            logger.warning("Imported trust list %s of %s no longer verifies; it is ignored.", row.pk, row.issuer_code)
            continue
        if parsed.authority in hosted_codes:
            # This deployment's own record of a hosted authority is fresher than any exported list.
            continue
        signers.extend(parsed.trust_store().signers())
        revoked.setdefault(parsed.authority, set()).update(parsed.revoked_serials)
        previous = updates.get(parsed.authority)
        updates[parsed.authority] = max(parsed.next_update, previous) if previous else parsed.next_update
    for code, serial in RevokedSerial.objects.values_list("authority__code", "serial"):
        revoked.setdefault(code, set()).add(serial)
    return Trust(TrustStore(signers), {k: frozenset(v) for k, v in revoked.items()}, updates)


def trust_for(authority: Authority | None, *, with_sandbox_signers: bool = False) -> Trust:
    """The trust of a verifying authority (None: the deployment operator, trusting every pinned list), cached.

    ``with_sandbox_signers`` adds the signers of the sandbox authorities hosted here: only for verifying a
    document kind registered with ``issued_in_sandbox``.
    """
    key = (str(authority.pk) if authority is not None else "*") + ("+sandbox" if with_sandbox_signers else "")
    stamp = _stamp()
    cached = _trust_cache.get(key)
    if cached is not None and cached[0] == stamp:
        return cached[1]
    trust = _build_trust(authority, with_sandbox_signers=with_sandbox_signers)
    with _trust_lock:
        _trust_cache[key] = (stamp, trust)
    return trust


def clear_trust_cache() -> None:
    with _trust_lock:
        _trust_cache.clear()


# --- reasons in the user's language --------------------------------------------------------------------------


def _when(moment: datetime | None) -> str:
    if moment is None:
        return "—"
    return str(formats.date_format(timezone.localtime(moment), "DATETIME_FORMAT"))


def _kid_hex(result: codec.VerifyResult) -> str:
    return result.kid.hex() if result.kid else "—"


def _reason(code: codec.ReasonCode, result: codec.VerifyResult, at: datetime, expected: str) -> str:
    """One problem in words, in the active language (the codec's English sentences are for logs and tests)."""
    c = codec.ReasonCode
    signer = result.signer
    profile = result.profile
    if code is c.NOT_TEXT:
        return _("The seal must be given as text.")
    if code is c.EMPTY:
        return _("No seal text was given.")
    if code is c.TEXT_TOO_LONG:
        limit = profile.max_text_length if profile else codec.MAX_TEXT_LENGTH
        return _("The text is longer than %(limit)s characters, more than any seal holds.") % {"limit": limit}
    if code is c.WRONG_PREFIX:
        return _("This is the seal of another kind of document, not one accepted here (%(expected)s).") % {
            "expected": expected
        }
    if code is c.UNKNOWN_PREFIX:
        return _("The text does not start with a seal prefix accepted here (%(expected)s).") % {"expected": expected}
    if code in (c.BASE45_INVALID, c.ZLIB_INVALID, c.CBOR_INVALID, c.COSE_INVALID):
        return _("The seal is damaged or incomplete: its content cannot be read.")
    if code is c.DECOMPRESSED_TOO_LARGE:
        return _("The seal expands to far more data than any seal holds and was refused.")
    if code is c.ALGORITHM_MISSING:
        return _("The seal does not name its signature algorithm.")
    if code is c.ALGORITHM_NOT_ALLOWED:
        return _("The seal uses a signature algorithm that is not allowed.")
    if code is c.KID_MISSING:
        return _("The seal does not name the key that signed it.")
    if code is c.KID_UNKNOWN:
        return _("The key %(kid)s that signed this seal is not among the signers you trust.") % {
            "kid": _kid_hex(result)
        }
    if code is c.KEY_ALGORITHM_MISMATCH:
        return _("The key %(kid)s cannot make signatures of the kind this seal claims.") % {"kid": _kid_hex(result)}
    if code is c.SIGNATURE_INVALID:
        return _("The signature does not match: the seal was altered, or was not made with the key %(kid)s.") % {
            "kid": _kid_hex(result)
        }
    if code is c.CLAIMS_INVALID:
        return _("The signed content of the seal is not valid.")
    if code is c.ISSUER_MISMATCH:
        return _("The seal says it was issued by %(issuer)s, but its key belongs to %(authority)s.") % {
            "issuer": result.issuer or "—",
            "authority": (signer.authority if signer else None) or "—",
        }
    if code is c.EXPIRED:
        return _("The seal expired on %(date)s.") % {"date": _when(result.expires_at)}
    if code is c.NOT_YET_VALID:
        return _("The seal is dated %(date)s, later than the time of verification (%(now)s).") % {
            "date": _when(result.issued_at),
            "now": _when(at),
        }
    if code is c.SIGNER_NOT_AUTHORISED:
        return _("The signer certificate is not authorised to sign documents of this kind.")
    if code is c.SIGNER_EXPIRED:
        return _("The signer certificate expired on %(date)s.") % {"date": _when(signer.not_after if signer else None)}
    if code is c.SIGNER_NOT_YET_VALID:
        return _("The signer certificate is valid only from %(date)s.") % {
            "date": _when(signer.not_before if signer else None)
        }
    if code is c.SIGNED_OUTSIDE_KEY_PERIOD:
        start = (signer.usage_from or signer.not_before) if signer else None
        end = (signer.usage_until or signer.not_after) if signer else None
        return _(
            "The seal is dated %(date)s, outside the period in which its key could sign (%(start)s to %(end)s)."
        ) % {
            "date": _when(result.issued_at),
            "start": _when(start),
            "end": _when(end),
        }
    if code is c.SIGNER_REVOKED:
        return _("The issuing authority has revoked the signing key %(kid)s.") % {"kid": _kid_hex(result)}
    return _("The seal could not be read.")


# --- verification --------------------------------------------------------------------------------------------


def _verifying_authority(user: Any | None, authority: Authority | None) -> Authority | None:
    if authority is not None:
        return authority
    return getattr(user, "authority", None) if user is not None else None


def _check_user(user: Any | None) -> None:
    if user is None:
        return
    if not (has_permission(user, Permission.EUC_VERIFY) or has_permission(user, Permission.LICENCE_VERIFY)):
        raise PermissionDenied(_("You do not have permission to verify seals."))


def _serial(result: codec.VerifyResult) -> str | None:
    from attkit.seals.services import CLAIM_CTI

    claims = result.claims or {}
    raw = claims.get(CLAIM_CTI)
    if isinstance(raw, bytes):
        try:
            return raw.decode("utf-8")[:64]
        except UnicodeDecodeError:
            return raw.hex()[:64]
    payload = result.payload if isinstance(result.payload, dict) else {}
    for key in ("serial", "sn"):
        value = payload.get(key)
        if isinstance(value, str) and value:
            return value[:64]
    return None


def _empty(verdict: Verdict, reason: str, *, seal: str | None, at: datetime, online: bool, code: str) -> Verification:
    return Verification(
        verdict=verdict,
        reasons=[reason],
        certificate=None,
        seal=seal,
        issuer=None,
        kid=None,
        registry=None,
        reason_codes=[code],
        checked_at=at,
        online=online,
    )


def verify_text(
    text: str,
    *,
    user: Any | None = None,
    at: datetime | None = None,
    online: bool = True,
    authority: Authority | None = None,
    prefixes: Iterable[str] | None = None,
) -> Verification:
    """Verify seal text as the user's authority (or ``authority``; neither: the deployment operator).

    Never raises for bad input: every problem is a verdict. PermissionDenied if the user may not verify.
    Offline (online=False) uses only signers and trust lists, never a registry.
    """
    from attkit.seals.services import jsonable, profile_for

    _check_user(user)
    moment = at or timezone.now()
    verifier = _verifying_authority(user, authority)
    wanted = tuple(prefixes) if prefixes is not None else accepted_prefixes()
    profiles = [profile_for(p) for p in wanted]
    expected = ", ".join(wanted)
    if not isinstance(text, str):
        return _empty(
            Verdict.MALFORMED,
            _("The seal must be given as text."),
            seal=None,
            at=moment,
            online=online,
            code=codec.ReasonCode.NOT_TEXT.value,
        )
    sandbox_kind = next((p for p in wanted if p in _ISSUED_IN_SANDBOX and text.lstrip().startswith(p)), None)
    if sandbox_kind is not None:
        # Only this kind is accepted with the sandbox signers in the store.
        profiles = [profile_for(sandbox_kind)]
    trust = trust_for(verifier, with_sandbox_signers=sandbox_kind is not None)
    result = codec.verify(text, trust.store, now=moment, profiles=profiles)
    verdict = Verdict(result.verdict.value)
    reasons = [_reason(code, result, moment, expected) for code in result.codes]
    codes = [code.value for code in result.codes]
    warnings: list[str] = []
    serial = _serial(result) if result.claims is not None else None
    issuer = result.issuer
    registry: dict[str, Any] | None = None

    if result.claims is not None:  # the signature verified: what the issuer says about the document counts
        if issuer and issuer in trust.next_update and moment > trust.next_update[issuer]:
            warnings.append(
                _(
                    "The trust list of %(issuer)s you hold is out of date (an update was due on %(date)s); "
                    "revocations since then are not known here."
                )
                % {"issuer": issuer, "date": _when(trust.next_update[issuer])}
            )
        if serial and issuer and serial in trust.revoked_serials.get(issuer, frozenset()):
            verdict = Verdict.REVOKED
            codes.insert(0, "document_revoked")
            reasons.insert(0, _("The issuing authority revoked document %(serial)s.") % {"serial": serial})
        if online and result.profile is not None and result.profile.prefix in _HANDLERS:
            context = VerificationContext(
                user=user,
                authority=verifier,
                at=moment,
                online=online,
                prefix=result.profile.prefix,
                issuer=issuer,
                serial=serial,
                kid=result.kid.hex() if result.kid else None,
            )
            try:
                status = _HANDLERS[result.profile.prefix](result, context)
            except Exception:  # a registry fault must not hide the cryptographic verdict
                logger.exception("Registry handler for %s failed", result.profile.prefix)
                status = None
                warnings.append(_("The registry status could not be read; the verdict rests on the seal alone."))
            if status is not None:
                registry = jsonable(status.data) if status.data else {}
                reasons.extend(str(r) for r in status.reasons)
                if status.verdict is not None:
                    codes.append(f"registry_{Verdict(status.verdict).value}")
                    if verdict is Verdict.VALID:
                        verdict = Verdict(status.verdict)
    elif verdict is Verdict.UNKNOWN_SIGNER and verifier is not None:
        warnings.append(
            _("Only the trust lists imported by %(authority)s and the authorities hosted here are trusted.")
            % {"authority": verifier.code}
        )

    return Verification(
        verdict=verdict,
        reasons=reasons,
        certificate=jsonable(result.payload) if result.payload is not None else None,
        seal=result.seal_text or None,
        issuer=issuer,
        kid=result.kid.hex() if result.kid else None,
        registry=registry,
        reason_codes=codes,
        warnings=warnings,
        prefix=result.profile.prefix if result.profile else None,
        kind=result.profile.name if result.profile else None,
        serial=serial,
        issued_at=result.issued_at,
        expires_at=result.expires_at,
        signer=result.signer.subject if result.signer else None,
        checked_at=moment,
        online=online,
        signature_ok=result.claims is not None,
        template=_TEMPLATES.get(result.profile.prefix) if result.profile and result.claims is not None else None,
    )


_scan_lock = threading.Lock()


def _scan_problem(problem: Any) -> str:
    from attkit.seals.qr import MAX_IMAGE_PIXELS, ScanProblem

    if problem is ScanProblem.TOO_LARGE:
        return _("The file is larger than %(mb)s MB; upload a smaller scan or photo.") % {
            "mb": MAX_FILE_BYTES // (1024 * 1024)
        }
    if problem is ScanProblem.TOO_MANY_PIXELS:
        return _("The image has more than %(mp)s million pixels; upload a smaller photo.") % {
            "mp": MAX_IMAGE_PIXELS // 1_000_000
        }
    if problem is ScanProblem.TOO_MANY_PAGES:
        return _("The PDF has more than %(n)s pages; upload the page that carries the seal.") % {"n": MAX_PDF_PAGES}
    if problem is ScanProblem.UNSUPPORTED:
        return _("The file is not a PDF, PNG or JPEG image.")
    if problem is ScanProblem.TOO_COMPLEX:
        return _(
            "The PDF needs more memory or time to read than is allowed; upload a scan or photo of the page "
            "that carries the seal."
        )
    return _("The file is damaged or cannot be read.")


def sniff(data: bytes) -> str | None:
    """The type of an upload from its first bytes (not from its name, which anyone can choose)."""
    if data.startswith(b"%PDF-"):
        return "pdf"
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png"
    if data.startswith(b"\xff\xd8\xff"):
        return "jpeg"
    return None


def verify_file(
    data: bytes,
    filename: str = "",
    content_type: str = "",
    *,
    user: Any | None = None,
    at: datetime | None = None,
    online: bool = True,
    authority: Authority | None = None,
    prefixes: Iterable[str] | None = None,
) -> Verification:
    """Find seals in a PDF, PNG or JPEG and verify them; the first valid one wins, else the first one read.

    The type is read from the content; filename and content_type serve only the messages.
    """
    from attkit.seals import qr

    _check_user(user)
    moment = at or timezone.now()
    if len(data) > MAX_FILE_BYTES:
        return _empty(
            Verdict.NO_SEAL_FOUND,
            _("The file is larger than %(mb)s MB; upload a smaller scan or photo.")
            % {"mb": MAX_FILE_BYTES // (1024 * 1024)},
            seal=None,
            at=moment,
            online=online,
            code="file_too_large",
        )
    kind = sniff(data)
    if kind is None:
        return _empty(
            Verdict.NO_SEAL_FOUND,
            _("The file is not a PDF, PNG or JPEG image."),
            seal=None,
            at=moment,
            online=online,
            code="file_type",
        )
    with _scan_lock:  # pdfium is not thread-safe
        scanned = qr.scan(data, max_bytes=MAX_FILE_BYTES, max_pages=MAX_PDF_PAGES)
    if scanned.problem is not None:
        return _empty(
            Verdict.NO_SEAL_FOUND,
            _scan_problem(scanned.problem),
            seal=None,
            at=moment,
            online=online,
            code=f"file_{scanned.problem.value}",
        )
    texts = [t for t in scanned.texts if t.strip()][:MAX_SEALS_PER_FILE]
    if not texts:
        return _empty(
            Verdict.NO_SEAL_FOUND,
            _("No seal was found in the file. Use a sharp, straight image of the whole QR code."),
            seal=None,
            at=moment,
            online=online,
            code="no_qr_code",
        )
    results = [
        verify_text(t, user=user, at=moment, online=online, authority=authority, prefixes=prefixes) for t in texts
    ]
    for result in results:
        if result.valid:
            return result
    ours = [r for r in results if r.verdict is not Verdict.WRONG_PREFIX]
    return (ours or results)[0]

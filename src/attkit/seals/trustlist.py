"""Signed trust lists: an authority publishes its signer certificates, signed with its root, for offline verifiers.

The signature is a JWS with detached content (RFC 7515 appendix F) over the RFC 8785 (JCS)
serialisation of every member but "signature". attkit trust lists hold no floating-point
numbers and only ASCII member names, so JCS is json.dumps with sorted keys and no whitespace.
"""

from __future__ import annotations

import base64
import binascii
import json
import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any, NoReturn

from cryptography import x509

from attkit.seals import pki
from attkit.seals.truststore import SignerStatus, TrustedSigner, TrustStore

FORMAT = "attkit-trustlist/1"
JWS_TYPE = "attkit-trustlist+json"
MAX_TRUST_LIST_BYTES = 2 * 1024 * 1024
MAX_SIGNERS = 1000
MAX_REVOKED = 100_000
_AUTHORITY_RE = re.compile(r"[A-Z0-9][A-Z0-9-]{1,15}")


class TrustListProblem(StrEnum):
    """Why a trust list was refused; stable codes for translation."""

    TOO_LARGE = "too_large"
    NOT_JSON = "not_json"
    BAD_SIGNATURE = "bad_signature"
    WRONG_ROOT = "wrong_root"
    INVALID = "invalid"
    ROLLBACK = "rollback"


class TrustListError(ValueError):
    """A trust list that is refused, with a code and an English sentence."""

    def __init__(self, problem: TrustListProblem, message: str) -> None:
        self.problem = problem
        super().__init__(message)


def _refuse(problem: TrustListProblem, message: str) -> NoReturn:
    raise TrustListError(problem, message)


@dataclass(frozen=True)
class SignerEntry:
    """A signer certificate in a trust list, with the status its authority gives it."""

    certificate: x509.Certificate
    status: SignerStatus = SignerStatus.ACTIVE

    @property
    def kid(self) -> bytes:
        """Key identifier of the certificate."""
        return pki.compute_kid(self.certificate)


@dataclass(frozen=True)
class TrustList:
    """A verified trust list.

    revoked_serials are serial numbers of documents (EUCs, licences) the authority has revoked, so
    that a verifier offline learns of them; revoked signer keys are in revoked_kids and statuses.
    """

    authority: str
    issued_at: datetime
    next_update: datetime
    root: x509.Certificate
    signers: tuple[SignerEntry, ...]
    revoked_kids: frozenset[bytes]
    revoked_serials: frozenset[str]

    def is_stale(self, now: datetime) -> bool:
        """Whether the authority promised a newer list by now."""
        return now > self.next_update

    def trust_store(self) -> TrustStore:
        """The signers as a trust store for the codec, revoked kids marked revoked, all bound to the authority."""
        return TrustStore(
            TrustedSigner.from_certificate(
                entry.certificate,
                status=SignerStatus.REVOKED if entry.kid in self.revoked_kids else entry.status,
                authority=self.authority,
            )
            for entry in self.signers
        )


def trust_store_from_lists(lists: Iterable[TrustList]) -> TrustStore:
    """One trust store for every authority whose list a verifier holds."""
    return TrustStore(signer for trust_list in lists for signer in trust_list.trust_store().signers())


# --- serialisation helpers ---------------------------------------------------------------------------------


def _b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _b64url_decode(text: str) -> bytes:
    if not re.fullmatch(r"[A-Za-z0-9_-]*", text):
        raise ValueError("not base64url")
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _canonical(content: dict[str, Any]) -> bytes:
    return json.dumps(content, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False).encode(
        "utf-8"
    )


def _timestamp(moment: datetime) -> str:
    if moment.tzinfo is None:
        raise ValueError("datetimes must be timezone-aware")
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _signing_input(header_b64: str, content: dict[str, Any]) -> bytes:
    return f"{header_b64}.{_b64url(_canonical(content))}".encode("ascii")


def build_trust_list(
    *,
    authority: str,
    root: pki.KeyPair,
    signers: Iterable[SignerEntry],
    issued_at: datetime,
    next_update: datetime,
    revoked_kids: Iterable[bytes] = (),
    revoked_serials: Iterable[str] = (),
) -> bytes:
    """The signed trust list as UTF-8 JSON, indented for people; the signature ignores whitespace."""
    if not _AUTHORITY_RE.fullmatch(authority):
        raise ValueError("an authority code is 2-16 upper-case letters, digits or hyphens")
    if next_update <= issued_at:
        raise ValueError("next_update must follow issued_at")
    entries = list(signers)
    for entry in entries:
        problems = pki.chain_problems(entry.certificate, root.certificate, at=None)
        if problems:
            raise ValueError(" ".join(problems))
    content: dict[str, Any] = {
        "format": FORMAT,
        "authority": authority,
        "issued_at": _timestamp(issued_at),
        "next_update": _timestamp(next_update),
        "root": pki.certificate_b64(root.certificate),
        "signers": [
            {
                "kid": base64.b64encode(entry.kid).decode("ascii"),
                "certificate": pki.certificate_b64(entry.certificate),
                "not_before": _timestamp(entry.certificate.not_valid_before_utc),
                "not_after": _timestamp(entry.certificate.not_valid_after_utc),
                "status": entry.status.value,
            }
            for entry in entries
        ],
        "revoked_kids": sorted(base64.b64encode(kid).decode("ascii") for kid in set(revoked_kids)),
        "revoked_serials": sorted(set(revoked_serials)),
    }
    alg = pki.algorithm_for_key(root.key)
    header = {"alg": alg.value, "kid": _b64url(root.kid), "typ": JWS_TYPE}
    header_b64 = _b64url(json.dumps(header, sort_keys=True, separators=(",", ":")).encode("ascii"))
    _, signature = pki.sign(root.key, _signing_input(header_b64, content))
    signed = {**content, "signature": f"{header_b64}..{_b64url(signature)}"}
    return (json.dumps(signed, indent=2, ensure_ascii=False) + "\n").encode("utf-8")


# --- parsing and verification ------------------------------------------------------------------------------


def _no_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    result: dict[str, Any] = {}
    for key, value in pairs:
        if key in result:
            raise ValueError(f"duplicate member {key!r}")
        result[key] = value
    return result


def _no_floats(text: str) -> NoReturn:
    raise ValueError(f"numbers with fractions or exponents ({text[:20]}) are not allowed")


def _load_json(data: bytes | str) -> Any:
    raw = data.encode("utf-8", "surrogatepass") if isinstance(data, str) else bytes(data)
    if len(raw) > MAX_TRUST_LIST_BYTES:
        _refuse(TrustListProblem.TOO_LARGE, f"The trust list is larger than {MAX_TRUST_LIST_BYTES} bytes.")
    try:
        return json.loads(
            raw.decode("utf-8"),
            object_pairs_hook=_no_duplicates,
            parse_float=_no_floats,
            parse_constant=_no_floats,
        )
    except (ValueError, RecursionError) as exc:
        _refuse(TrustListProblem.NOT_JSON, f"The trust list is not valid JSON: {str(exc)[:120]}.")


def _check_signature(content: dict[str, Any], signature: object, root: x509.Certificate) -> None:
    if not isinstance(signature, str) or signature.count(".") != 2:
        _refuse(TrustListProblem.BAD_SIGNATURE, "The trust list has no detached JWS signature.")
    header_b64, payload_b64, signature_b64 = signature.split(".")
    if payload_b64:
        _refuse(TrustListProblem.BAD_SIGNATURE, "The signature must be detached (an empty middle part).")
    try:
        header = json.loads(_b64url_decode(header_b64), object_pairs_hook=_no_duplicates)
        raw_signature = _b64url_decode(signature_b64)
    except (ValueError, UnicodeDecodeError, binascii.Error, RecursionError):
        _refuse(TrustListProblem.BAD_SIGNATURE, "The signature is not a valid JWS.")
    if not isinstance(header, dict) or "crit" in header or header.get("typ") != JWS_TYPE:
        _refuse(TrustListProblem.BAD_SIGNATURE, "The signature header is not that of an attkit trust list.")
    try:
        alg = pki.Algorithm(str(header.get("alg")))
    except (ValueError, TypeError):
        _refuse(TrustListProblem.BAD_SIGNATURE, "The signature uses an algorithm that is not allowed.")
    public_key = root.public_key()
    if not pki.key_supports(public_key, alg):
        _refuse(TrustListProblem.BAD_SIGNATURE, "The signature algorithm does not fit the root key.")
    try:
        signing_input = _signing_input(header_b64, content)
    except (ValueError, UnicodeEncodeError):
        _refuse(TrustListProblem.INVALID, "The trust list holds values that cannot be serialised canonically.")
    if not pki.verify_signature(public_key, alg, signing_input, raw_signature):
        _refuse(
            TrustListProblem.BAD_SIGNATURE,
            "The signature does not match: the list was altered, or not signed by this root.",
        )


def _text(content: dict[str, Any], name: str) -> str:
    value = content.get(name)
    if not isinstance(value, str):
        _refuse(TrustListProblem.INVALID, f"The member {name!r} is missing or not text.")
    return value


def _time(value: object, name: str) -> datetime:
    if not isinstance(value, str) or not re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", value):
        _refuse(TrustListProblem.INVALID, f"The member {name!r} is not a UTC time such as 2026-01-31T00:00:00Z.")
    try:
        return datetime.strptime(value, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC)
    except ValueError:
        _refuse(TrustListProblem.INVALID, f"The member {name!r} is not a valid time.")


def _list(content: dict[str, Any], name: str, limit: int) -> list[Any]:
    value = content.get(name, [])
    if not isinstance(value, list) or len(value) > limit:
        _refuse(TrustListProblem.INVALID, f"The member {name!r} is not a list of at most {limit} items.")
    return value


def _kid(value: object) -> bytes:
    try:
        if not isinstance(value, str):
            raise ValueError
        kid = base64.b64decode(value, validate=True)
    except (ValueError, binascii.Error):
        _refuse(TrustListProblem.INVALID, "A kid is not base64.")
    if len(kid) != pki.KID_LENGTH:
        _refuse(TrustListProblem.INVALID, "A kid is not 8 bytes long.")
    return kid


def _signer(item: object, root: x509.Certificate) -> SignerEntry:
    if not isinstance(item, dict):
        _refuse(TrustListProblem.INVALID, "A signer entry is not an object.")
    try:
        certificate = pki.load_certificate(_text(item, "certificate"))
    except pki.CertificateFormatError:
        _refuse(TrustListProblem.INVALID, "A signer certificate is not base64 DER.")
    if _kid(item.get("kid")) != pki.compute_kid(certificate):
        _refuse(TrustListProblem.INVALID, "A signer's kid is not the kid of its certificate.")
    if (
        _time(item.get("not_before"), "not_before") != certificate.not_valid_before_utc
        or _time(item.get("not_after"), "not_after") != certificate.not_valid_after_utc
    ):
        _refuse(TrustListProblem.INVALID, "A signer's dates differ from those of its certificate.")
    try:
        status = SignerStatus(str(item.get("status")))
    except ValueError:
        _refuse(TrustListProblem.INVALID, "A signer's status is not active, retired or revoked.")
    problems = pki.chain_problems(certificate, root, at=None)
    if problems:
        _refuse(TrustListProblem.INVALID, f"Signer {pki.compute_kid(certificate).hex()}: {' '.join(problems)}")
    return SignerEntry(certificate, status)


def parse_trust_list(
    data: bytes | str,
    root: x509.Certificate,
    *,
    previous_issued_at: datetime | None = None,
) -> TrustList:
    """Verify a trust list against the root the verifier already trusts, then parse it.

    previous_issued_at is the issue time of the list the verifier holds: an older list is refused,
    so nobody can roll revocations back by replaying an old list. TrustListError on any problem.
    """
    document = _load_json(data)
    if not isinstance(document, dict):
        _refuse(TrustListProblem.INVALID, "The trust list is not a JSON object.")
    content = {key: value for key, value in document.items() if key != "signature"}
    # The signature is checked before anything inside is believed or parsed further.
    _check_signature(content, document.get("signature"), root)
    if content.get("format") != FORMAT:
        _refuse(TrustListProblem.INVALID, f"The format is not {FORMAT}.")
    authority = _text(content, "authority")
    if not _AUTHORITY_RE.fullmatch(authority):
        _refuse(TrustListProblem.INVALID, "The authority code is not valid.")
    try:
        listed_root = pki.load_certificate(_text(content, "root"))
    except pki.CertificateFormatError:
        _refuse(TrustListProblem.INVALID, "The root is not a certificate.")
    if pki.fingerprint(listed_root) != pki.fingerprint(root):
        _refuse(TrustListProblem.WRONG_ROOT, "The list names a root other than the one it is verified against.")
    issued_at = _time(content.get("issued_at"), "issued_at")
    next_update = _time(content.get("next_update"), "next_update")
    if next_update <= issued_at:
        _refuse(TrustListProblem.INVALID, "next_update does not follow issued_at.")
    if previous_issued_at is not None and issued_at < previous_issued_at:
        _refuse(TrustListProblem.ROLLBACK, "This list is older than the one already held.")
    signers = tuple(_signer(item, root) for item in _list(content, "signers", MAX_SIGNERS))
    revoked_kids = frozenset(_kid(item) for item in _list(content, "revoked_kids", MAX_REVOKED))
    serials = _list(content, "revoked_serials", MAX_REVOKED)
    if not all(isinstance(serial, str) for serial in serials):
        _refuse(TrustListProblem.INVALID, "A revoked serial is not text.")
    return TrustList(
        authority=authority,
        issued_at=issued_at,
        next_update=next_update,
        root=root,
        signers=signers,
        revoked_kids=revoked_kids,
        revoked_serials=frozenset(serials),
    )

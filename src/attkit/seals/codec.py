"""Seal codec: CWT claims in a COSE_Sign1, zlib, base45 and a prefix, for QR codes (as the EU DCC); no Django."""

from __future__ import annotations

import io
import zlib
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from enum import StrEnum
from typing import Any, NoReturn

import cbor2
from cryptography import x509
from cryptography.hazmat.primitives import serialization

from attkit.seals import pki
from attkit.seals.truststore import SignerStatus, TrustedSigner, TrustStore

# CWT claim keys (RFC 8392) and COSE header labels (RFC 9052).
CLAIM_ISS = 1
CLAIM_EXP = 4
CLAIM_IAT = 6
HEADER_ALG = 1
HEADER_CRIT = 2
HEADER_KID = 4
COSE_SIGN1_TAG = 18
CWT_TAG = 61
# The IANA CWT registry leaves keys below -65536 to private use; attkit puts its document there.
ATTKIT_PAYLOAD_CLAIM = -65537
HCERT_PAYLOAD_CLAIM = -260

COSE_ALGORITHMS: dict[int, pki.Algorithm] = {-7: pki.Algorithm.ES256, -8: pki.Algorithm.EDDSA, -37: pki.Algorithm.PS256}
COSE_ALGORITHM_IDS: dict[pki.Algorithm, int] = {alg: ident for ident, alg in COSE_ALGORITHMS.items()}

# The largest QR code (version 40, level L) holds 4,296 alphanumeric characters: longer text is no seal.
MAX_TEXT_LENGTH = 4296
# A compact seal payload is a few hundred bytes; 64 KiB is far above any real one and far below harm.
MAX_DECOMPRESSED = 64 * 1024
MAX_CBOR_DEPTH = 32
# Latest NumericDate accepted (9999-12-31T23:59:59Z), so that every date converts to a datetime.
MAX_NUMERIC_DATE = 253_402_300_799
DEFAULT_CLOCK_SKEW = timedelta(minutes=5)


@dataclass(frozen=True)
class SealProfile:
    """One kind of seal: its prefix, where its document sits in the claims, and what the verifier allows."""

    prefix: str
    name: str
    payload_path: tuple[int, ...] = (ATTKIT_PAYLOAD_CLAIM,)  # claim key, then keys of nested maps
    algorithms: frozenset[pki.Algorithm] = frozenset(pki.Algorithm)
    required_eku: x509.ObjectIdentifier | None = pki.DOCUMENT_SIGNING_EKU
    max_text_length: int = MAX_TEXT_LENGTH
    max_decompressed: int = MAX_DECOMPRESSED


EUC = SealProfile("EUC1:", "end-user certificate")
DVC = SealProfile("DVC1:", "delivery verification certificate")
LICENCE = SealProfile("LIC1:", "licence")
COURSE_CERTIFICATE = SealProfile("CRT1:", "course certificate")
# The EU Digital COVID Certificate, kept so that the codec is tested against its conformance vectors.
HCERT = SealProfile("HC1:", "EU Digital COVID Certificate", payload_path=(HCERT_PAYLOAD_CLAIM, 1), required_eku=None)
PROFILES: dict[str, SealProfile] = {p.prefix: p for p in (EUC, DVC, LICENCE, COURSE_CERTIFICATE, HCERT)}


class Verdict(StrEnum):
    """The answer of a verification. The EUC layer adds its own (revoked, superseded, already used)."""

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


class Stage(StrEnum):
    """The verification steps, in the order they run (DOMAIN.md section 6)."""

    INPUT = "input"
    PREFIX = "prefix"
    BASE45 = "base45"
    DECOMPRESS = "decompress"
    CBOR = "cbor"
    COSE = "cose"
    ALGORITHM = "algorithm"
    SIGNER = "signer"
    SIGNATURE = "signature"
    CLAIMS = "claims"
    VALIDITY = "validity"
    SIGNER_CERTIFICATE = "signer_certificate"
    SIGNER_STATUS = "signer_status"
    COMPLETE = "complete"

    @property
    def order(self) -> int:
        """Position of the step in the pipeline."""
        return list(Stage).index(self)


class ReasonCode(StrEnum):
    """Stable codes of verification problems, for translation and for the API."""

    NOT_TEXT = "not_text"
    EMPTY = "empty"
    TEXT_TOO_LONG = "text_too_long"
    WRONG_PREFIX = "wrong_prefix"
    UNKNOWN_PREFIX = "unknown_prefix"
    BASE45_INVALID = "base45_invalid"
    ZLIB_INVALID = "zlib_invalid"
    DECOMPRESSED_TOO_LARGE = "decompressed_too_large"
    CBOR_INVALID = "cbor_invalid"
    COSE_INVALID = "cose_invalid"
    ALGORITHM_MISSING = "algorithm_missing"
    ALGORITHM_NOT_ALLOWED = "algorithm_not_allowed"
    KID_MISSING = "kid_missing"
    KID_UNKNOWN = "kid_unknown"
    KEY_ALGORITHM_MISMATCH = "key_algorithm_mismatch"
    SIGNATURE_INVALID = "signature_invalid"
    CLAIMS_INVALID = "claims_invalid"
    ISSUER_MISMATCH = "issuer_mismatch"
    EXPIRED = "expired"
    NOT_YET_VALID = "not_yet_valid"
    SIGNER_NOT_AUTHORISED = "signer_not_authorised"
    SIGNER_EXPIRED = "signer_expired"
    SIGNER_NOT_YET_VALID = "signer_not_yet_valid"
    SIGNED_OUTSIDE_KEY_PERIOD = "signed_outside_key_period"
    SIGNER_REVOKED = "signer_revoked"
    INTERNAL_ERROR = "internal_error"


@dataclass(frozen=True)
class _Rule:
    stage: Stage
    verdict: Verdict
    template: str


_RULES: dict[ReasonCode, _Rule] = {
    ReasonCode.NOT_TEXT: _Rule(Stage.INPUT, Verdict.MALFORMED, "The seal must be given as text."),
    ReasonCode.EMPTY: _Rule(Stage.INPUT, Verdict.NO_SEAL_FOUND, "No seal text was given."),
    ReasonCode.TEXT_TOO_LONG: _Rule(
        Stage.INPUT, Verdict.MALFORMED, "The text is longer than {limit} characters, more than any seal holds."
    ),
    ReasonCode.WRONG_PREFIX: _Rule(
        Stage.PREFIX,
        Verdict.WRONG_PREFIX,
        "This is the seal of a {found} ({prefix}), not of a kind accepted here: {expected}.",
    ),
    ReasonCode.UNKNOWN_PREFIX: _Rule(
        Stage.PREFIX, Verdict.WRONG_PREFIX, "The text does not start with a seal prefix accepted here: {expected}."
    ),
    ReasonCode.BASE45_INVALID: _Rule(Stage.BASE45, Verdict.MALFORMED, "The seal text is not valid base45: {detail}."),
    ReasonCode.ZLIB_INVALID: _Rule(
        Stage.DECOMPRESS, Verdict.MALFORMED, "The seal data is not a valid zlib stream: {detail}."
    ),
    ReasonCode.DECOMPRESSED_TOO_LARGE: _Rule(
        Stage.DECOMPRESS,
        Verdict.MALFORMED,
        "The seal data expands to more than {limit} bytes and was refused as a possible decompression bomb.",
    ),
    ReasonCode.CBOR_INVALID: _Rule(Stage.CBOR, Verdict.MALFORMED, "The seal content is not valid CBOR: {detail}."),
    ReasonCode.COSE_INVALID: _Rule(Stage.COSE, Verdict.MALFORMED, "The seal is not a COSE_Sign1 structure: {detail}."),
    ReasonCode.ALGORITHM_MISSING: _Rule(
        Stage.ALGORITHM, Verdict.MALFORMED, "The seal does not name its signature algorithm."
    ),
    ReasonCode.ALGORITHM_NOT_ALLOWED: _Rule(
        Stage.ALGORITHM, Verdict.MALFORMED, "The seal uses signature algorithm {alg}, which is not allowed here."
    ),
    ReasonCode.KID_MISSING: _Rule(Stage.SIGNER, Verdict.MALFORMED, "The seal does not name its signing key (kid)."),
    ReasonCode.KID_UNKNOWN: _Rule(
        Stage.SIGNER, Verdict.UNKNOWN_SIGNER, "The signing key {kid} is not among the trusted signers."
    ),
    ReasonCode.KEY_ALGORITHM_MISMATCH: _Rule(
        Stage.SIGNATURE, Verdict.INVALID_SIGNATURE, "The signing key {kid} cannot make {alg} signatures."
    ),
    ReasonCode.SIGNATURE_INVALID: _Rule(
        Stage.SIGNATURE,
        Verdict.INVALID_SIGNATURE,
        "The signature does not match: the seal was altered, or not made with the key {kid}.",
    ),
    ReasonCode.CLAIMS_INVALID: _Rule(Stage.CLAIMS, Verdict.MALFORMED, "The signed claims are not valid: {detail}."),
    ReasonCode.ISSUER_MISMATCH: _Rule(
        Stage.CLAIMS,
        Verdict.UNKNOWN_SIGNER,
        "The seal says it was issued by {issuer}, but its key belongs to {authority}.",
    ),
    ReasonCode.EXPIRED: _Rule(Stage.VALIDITY, Verdict.EXPIRED, "The seal expired on {expires_at}."),
    ReasonCode.NOT_YET_VALID: _Rule(
        Stage.VALIDITY, Verdict.NOT_YET_VALID, "The seal is dated {issued_at}, later than the verification time {now}."
    ),
    ReasonCode.SIGNER_NOT_AUTHORISED: _Rule(
        Stage.SIGNER_CERTIFICATE,
        Verdict.SIGNER_NOT_VALID,
        "The signer certificate is not authorised to sign documents of this kind.",
    ),
    ReasonCode.SIGNER_EXPIRED: _Rule(
        Stage.SIGNER_CERTIFICATE, Verdict.SIGNER_NOT_VALID, "The signer certificate expired on {date}."
    ),
    ReasonCode.SIGNER_NOT_YET_VALID: _Rule(
        Stage.SIGNER_CERTIFICATE, Verdict.SIGNER_NOT_VALID, "The signer certificate is valid only from {date}."
    ),
    ReasonCode.SIGNED_OUTSIDE_KEY_PERIOD: _Rule(
        Stage.SIGNER_CERTIFICATE,
        Verdict.SIGNER_NOT_VALID,
        "The seal is dated {issued_at}, outside the period in which its key could sign ({start} to {end}).",
    ),
    ReasonCode.SIGNER_REVOKED: _Rule(
        Stage.SIGNER_STATUS, Verdict.SIGNER_REVOKED, "The authority has revoked the signing key {kid}."
    ),
    ReasonCode.INTERNAL_ERROR: _Rule(Stage.INPUT, Verdict.MALFORMED, "The seal could not be read."),
}


def reason_stage(code: ReasonCode) -> Stage:
    """The verification step a reason belongs to."""
    return _RULES[code].stage


def reason_verdict(code: ReasonCode) -> Verdict:
    """The verdict a reason leads to."""
    return _RULES[code].verdict


class SealError(ValueError):
    """A seal that fails one step; verify() turns it into a result, the step functions raise it."""

    def __init__(self, code: ReasonCode, **params: object) -> None:
        self.code = code
        self.params = params
        super().__init__(_RULES[code].template.format(**params))


def _fail(code: ReasonCode, **params: object) -> NoReturn:
    raise SealError(code, **params)


@dataclass(frozen=True)
class VerifyResult:
    """What verify() found. claims and payload are set only once the signature has verified."""

    verdict: Verdict
    stage: Stage  # the step that decided the verdict; COMPLETE when valid
    reasons: list[str]  # English sentences, one a problem, in pipeline order
    codes: list[ReasonCode]  # the stable code of each reason, same order
    seal_text: str
    profile: SealProfile | None = None
    kid: bytes | None = None
    alg: pki.Algorithm | None = None
    signer: TrustedSigner | None = None
    claims: dict[int, Any] | None = None
    payload: Any = None
    issuer: str | None = None
    issued_at: datetime | None = None
    expires_at: datetime | None = None

    @property
    def valid(self) -> bool:
        """Whether the seal is authentic and in force."""
        return self.verdict is Verdict.VALID


# --- base45 (RFC 9285); strict: no lower case, no padding, no values out of range -------------------------

_B45_ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:"
_B45_ALPHABET_BYTES = _B45_ALPHABET.encode("ascii")
_B45_DIGIT_TABLE = bytes(_B45_ALPHABET.find(chr(byte)) % 256 for byte in range(256))  # only alphabet bytes matter


def b45encode(data: bytes) -> str:
    """Base45 text of bytes."""
    out: list[str] = []
    alphabet = _B45_ALPHABET
    for i in range(0, len(data) - 1, 2):
        n = (data[i] << 8) | data[i + 1]
        e, rest = divmod(n, 45 * 45)
        d, c = divmod(rest, 45)
        out.append(alphabet[c] + alphabet[d] + alphabet[e])
    if len(data) % 2:
        d, c = divmod(data[-1], 45)
        out.append(alphabet[c] + alphabet[d])
    return "".join(out)


def b45decode(text: str) -> bytes:
    """Bytes of base45 text; SealError (BASE45_INVALID) if it is not base45."""
    try:
        raw = text.encode("ascii")
    except UnicodeEncodeError:
        _fail(ReasonCode.BASE45_INVALID, detail="it holds characters outside the base45 alphabet")
    if raw.translate(None, _B45_ALPHABET_BYTES):  # what is left after deleting the alphabet is foreign
        _fail(ReasonCode.BASE45_INVALID, detail="it holds characters outside the base45 alphabet")
    if len(raw) % 3 == 1:
        _fail(ReasonCode.BASE45_INVALID, detail="its length is not possible in base45")
    digits = raw.translate(_B45_DIGIT_TABLE)
    groups = len(digits) // 3
    # Base45 was most of a verification's cost besides the signature when decoded group by group in
    # Python. Here every group c + 45d + 2025e is computed at once: each digit column is spread into
    # 32-bit lanes of one big integer (wide enough that no lane carries into the next), the three
    # integers are combined in C, and the low 16 bits of each lane are the output bytes.
    lanes = []
    for column in range(3):
        lane = bytearray(4 * groups)
        lane[3::4] = digits[column : 3 * groups : 3]
        lanes.append(int.from_bytes(lane, "big"))
    packed = (lanes[0] + 45 * lanes[1] + 2025 * lanes[2]).to_bytes(4 * groups, "big")
    if packed[1::4].count(0) != groups:  # lane values reach 91,124 at most, so only byte 1 can overflow 16 bits
        _fail(ReasonCode.BASE45_INVALID, detail="a group of three characters is out of range")
    out = bytearray(2 * groups + len(digits) % 3 // 2)
    out[0 : 2 * groups : 2] = packed[2::4]
    out[1 : 2 * groups : 2] = packed[3::4]
    if len(digits) % 3:
        last = digits[-2] + digits[-1] * 45
        if last > 0xFF:
            _fail(ReasonCode.BASE45_INVALID, detail="the last group is out of range")
        out[-1] = last
    return bytes(out)


# --- zlib with a cap ---------------------------------------------------------------------------------------


def compress(data: bytes) -> bytes:
    """zlib stream of data at the best compression (seals are written once and read many times)."""
    return zlib.compress(data, 9)


def decompress(data: bytes, max_length: int = MAX_DECOMPRESSED) -> bytes:
    """Inflate one complete zlib stream, refusing output beyond max_length bytes and trailing bytes."""
    inflater = zlib.decompressobj()
    try:
        out = inflater.decompress(data, max_length + 1)
    except zlib.error as exc:
        _fail(ReasonCode.ZLIB_INVALID, detail=str(exc) or "corrupt data")
    if len(out) > max_length:
        _fail(ReasonCode.DECOMPRESSED_TOO_LARGE, limit=max_length)
    if not inflater.eof:
        _fail(ReasonCode.ZLIB_INVALID, detail="the stream is truncated")
    if inflater.unused_data:
        _fail(ReasonCode.ZLIB_INVALID, detail="bytes follow the end of the stream")
    return out


# --- strict CBOR -------------------------------------------------------------------------------------------


def _refuse_tag(tag: int) -> Callable[[Any, bool], Any]:
    def refuse(_value: Any, _immutable: bool) -> NoReturn:
        raise ValueError(f"tag {tag} is not allowed")

    return refuse


def _keep_tag(tag: int) -> Callable[[Any, bool], Any]:
    def keep(value: Any, _immutable: bool) -> cbor2.CBORTag:
        return cbor2.CBORTag(tag, value)

    return keep


class _TagPolicy(Mapping[int, Callable[[Any, bool], Any]]):
    """Every tag is refused except those kept as CBORTag.

    cbor2 otherwise builds objects from tags (regular expressions, sets, self-referencing shared
    values, MIME messages), none of which belongs in a seal.
    """

    def __init__(self, kept: frozenset[int]) -> None:
        self._kept = kept

    def __getitem__(self, tag: int) -> Callable[[Any, bool], Any]:
        return _keep_tag(tag) if tag in self._kept else _refuse_tag(tag)

    def __contains__(self, tag: object) -> bool:
        return True

    def __iter__(self) -> Iterator[int]:
        return iter(())

    def __len__(self) -> int:
        return 0


_NO_TAGS = _TagPolicy(frozenset())
_COSE_TAGS = _TagPolicy(frozenset({COSE_SIGN1_TAG, CWT_TAG}))


def _cbor_loads(data: bytes, tags: _TagPolicy) -> Any:
    stream = io.BytesIO(data)
    try:
        decoder = cbor2.CBORDecoder(
            stream,
            semantic_decoders=tags,
            max_depth=MAX_CBOR_DEPTH,
            allow_duplicate_keys=False,
            read_size=max(1, len(data)),  # one read; tell() still reports where the item ended
        )
        value = decoder.decode()
    except Exception as exc:  # a third-party parser fed hostile bytes may raise anything; all of it is "invalid"
        _fail(ReasonCode.CBOR_INVALID, detail=_cbor_detail(exc))
    if stream.tell() != len(data):
        _fail(ReasonCode.CBOR_INVALID, detail="bytes follow the end of the data item")
    return value


def _cbor_detail(exc: Exception) -> str:
    text = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
    return text[:120]


# --- COSE_Sign1 --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class CoseSign1:
    """A parsed COSE_Sign1: the protected header bytes are kept as received, since the signature covers them."""

    protected_bytes: bytes
    protected: dict[Any, Any]
    unprotected: dict[Any, Any]
    payload: bytes
    signature: bytes

    def to_be_signed(self) -> bytes:
        """The Sig_structure of RFC 9052 section 4.4, with empty external AAD."""
        return sig_structure(self.protected_bytes, self.payload)

    def header(self, label: int) -> Any:
        """A header parameter, from the protected header if there, else from the unprotected one."""
        if label in self.protected:
            return self.protected[label]
        return self.unprotected.get(label)


def sig_structure(protected_bytes: bytes, payload: bytes) -> bytes:
    """CBOR of ["Signature1", protected, external_aad, payload]."""
    return cbor2.dumps(["Signature1", protected_bytes, b"", payload])


def parse_cose(data: bytes) -> CoseSign1:
    """Parse CBOR bytes as a tagged COSE_Sign1 (optionally inside the CWT tag 61); SealError otherwise."""
    item = _cbor_loads(data, _COSE_TAGS)
    if isinstance(item, cbor2.CBORTag) and item.tag == CWT_TAG:
        item = item.value
    if not (isinstance(item, cbor2.CBORTag) and item.tag == COSE_SIGN1_TAG):
        _fail(ReasonCode.COSE_INVALID, detail="it does not carry the COSE_Sign1 tag 18")
    body = item.value
    if not isinstance(body, list | tuple) or len(body) != 4:
        _fail(ReasonCode.COSE_INVALID, detail="it is not an array of four elements")
    protected_bytes, unprotected, payload, signature = body
    if not isinstance(protected_bytes, bytes):
        _fail(ReasonCode.COSE_INVALID, detail="the protected header is not a byte string")
    if not isinstance(unprotected, dict):
        _fail(ReasonCode.COSE_INVALID, detail="the unprotected header is not a map")
    if not isinstance(payload, bytes):
        _fail(ReasonCode.COSE_INVALID, detail="the payload is missing or not a byte string")
    if not isinstance(signature, bytes):
        _fail(ReasonCode.COSE_INVALID, detail="the signature is not a byte string")
    protected: Any = {}
    if protected_bytes:
        try:
            protected = _cbor_loads(protected_bytes, _NO_TAGS)
        except SealError:
            _fail(ReasonCode.COSE_INVALID, detail="the protected header is not valid CBOR")
        if not isinstance(protected, dict):
            _fail(ReasonCode.COSE_INVALID, detail="the protected header is not a map")
    if HEADER_CRIT in protected or HEADER_CRIT in unprotected:
        # RFC 9052: a recipient must refuse critical headers it does not understand, and attkit understands none.
        _fail(ReasonCode.COSE_INVALID, detail="it names critical header parameters")
    return CoseSign1(protected_bytes, protected, unprotected, payload, signature)


# --- signing -----------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Signer:
    """A document-signer key with its certificate."""

    key: pki.PrivateKey
    certificate: x509.Certificate
    kid: bytes = field(init=False)
    alg: pki.Algorithm = field(init=False)

    def __post_init__(self) -> None:
        fmt = serialization.PublicFormat.SubjectPublicKeyInfo
        ours = self.key.public_key().public_bytes(serialization.Encoding.DER, fmt)
        theirs = self.certificate.public_key().public_bytes(serialization.Encoding.DER, fmt)
        if ours != theirs:
            raise ValueError("the private key does not belong to the certificate")
        object.__setattr__(self, "kid", pki.compute_kid(self.certificate))
        object.__setattr__(self, "alg", pki.algorithm_for_key(self.key))

    @classmethod
    def from_pair(cls, pair: pki.KeyPair) -> Signer:
        """The signer of a key pair made by pki."""
        return cls(pair.key, pair.certificate)


def _numeric_date(moment: datetime) -> int:
    if moment.tzinfo is None:
        raise ValueError("datetimes must be timezone-aware")
    return int(moment.timestamp())


def sign_cose(claims: Mapping[int, Any], signer: Signer) -> bytes:
    """A tagged COSE_Sign1 over the CBOR of the claims, alg and kid in the protected header."""
    protected = cbor2.dumps({HEADER_ALG: COSE_ALGORITHM_IDS[signer.alg], HEADER_KID: signer.kid}, canonical=True)
    payload = cbor2.dumps(dict(claims), canonical=True)
    _, signature = pki.sign(signer.key, sig_structure(protected, payload))
    return cbor2.dumps(cbor2.CBORTag(COSE_SIGN1_TAG, [protected, {}, payload, signature]))


def pack(cose: bytes, profile: SealProfile) -> str:
    """Seal text of COSE bytes: zlib, base45, prefix."""
    return profile.prefix + b45encode(compress(cose))


def unpack(text: str, profile: SealProfile) -> bytes:
    """COSE bytes of seal text of this profile: prefix, base45, zlib; SealError at the first failing step."""
    if not text.startswith(profile.prefix):
        _fail(ReasonCode.UNKNOWN_PREFIX, expected=profile.prefix)
    return decompress(b45decode(text[len(profile.prefix) :]), profile.max_decompressed)


def encode(
    payload: Any,
    *,
    signer: Signer,
    issuer: str,
    issued_at: datetime,
    expires_at: datetime,
    profile: SealProfile = EUC,
    extra_claims: Mapping[int, Any] | None = None,
) -> str:
    """Seal text for a document payload: a map of CBOR-encodable values (compact codes, not prose).

    ValueError if the dates are naive or out of order, or if the text would not fit the profile.
    """
    iat, exp = _numeric_date(issued_at), _numeric_date(expires_at)
    if exp <= iat:
        raise ValueError("a seal must expire after it is issued")
    if signer.alg not in profile.algorithms:
        raise ValueError(f"{signer.alg} is not allowed for {profile.name} seals")
    if not isinstance(payload, Mapping):
        raise ValueError("a seal payload is a map")
    document: Any = dict(payload)
    for key in reversed(profile.payload_path[1:]):
        document = {key: document}
    claims: dict[int, Any] = dict(extra_claims or {})
    claims.update({CLAIM_ISS: issuer, CLAIM_IAT: iat, CLAIM_EXP: exp, profile.payload_path[0]: document})
    text = pack(sign_cose(claims, signer), profile)
    if len(text) > profile.max_text_length:
        raise ValueError(f"the seal has {len(text)} characters; a {profile.name} seal holds {profile.max_text_length}")
    return text


# --- verification ------------------------------------------------------------------------------------------


def _format_time(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%d %H:%M:%S UTC")


def _kid_text(kid: bytes) -> str:
    # A forged seal may carry a kid of any length; messages show at most the 8 bytes a real one has.
    return kid[:8].hex() + ("..." if len(kid) > 8 else "")


@dataclass
class _Progress:
    """What verification has learnt so far, so that a failing result still says what it could."""

    seal_text: str
    profile: SealProfile | None = None
    kid: bytes | None = None
    alg: pki.Algorithm | None = None
    signer: TrustedSigner | None = None
    claims: dict[int, Any] | None = None
    payload: Any = None
    issuer: str | None = None
    issued_at: datetime | None = None
    expires_at: datetime | None = None

    def result(self, problems: list[SealError]) -> VerifyResult:
        if problems:
            first = _RULES[problems[0].code]
            verdict, stage = first.verdict, first.stage
        else:
            verdict, stage = Verdict.VALID, Stage.COMPLETE
        return VerifyResult(
            verdict=verdict,
            stage=stage,
            reasons=[str(problem) for problem in problems],
            codes=[problem.code for problem in problems],
            seal_text=self.seal_text,
            profile=self.profile,
            kid=self.kid,
            alg=self.alg,
            signer=self.signer,
            claims=self.claims,
            payload=self.payload,
            issuer=self.issuer,
            issued_at=self.issued_at,
            expires_at=self.expires_at,
        )


def verify(
    text: object,
    trust: TrustStore,
    *,
    now: datetime,
    profiles: Iterable[SealProfile] = (EUC,),
    clock_skew: timedelta = DEFAULT_CLOCK_SKEW,
) -> VerifyResult:
    """Verify seal text against trusted signers at a moment; never raises, whatever the text.

    clock_skew tolerates an issuer clock slightly ahead of the verifier's (iat only; exp is exact).
    """
    if now.tzinfo is None:
        raise ValueError("now must be timezone-aware")
    progress = _Progress(seal_text=text if isinstance(text, str) else "")
    try:
        problems = _verify(
            text, trust, now=now.astimezone(UTC), profiles=tuple(profiles), clock_skew=clock_skew, progress=progress
        )
    except SealError as error:
        problems = [error]
    except Exception:  # the last guard of "never raises": a bug must cost a verdict, not a 500
        problems = [SealError(ReasonCode.INTERNAL_ERROR)]
        progress.claims = progress.payload = None
    return progress.result(problems)


def _verify(
    text: object,
    trust: TrustStore,
    *,
    now: datetime,
    profiles: tuple[SealProfile, ...],
    clock_skew: timedelta,
    progress: _Progress,
) -> list[SealError]:
    if not isinstance(text, str):
        _fail(ReasonCode.NOT_TEXT)
    limit = max((p.max_text_length for p in profiles), default=MAX_TEXT_LENGTH)
    if len(text) > limit + 64:  # a little room for whitespace a scanner adds around the text
        _fail(ReasonCode.TEXT_TOO_LONG, limit=limit)
    text = text.strip()
    progress.seal_text = text
    if not text:
        _fail(ReasonCode.EMPTY)
    profile = _select_profile(text, profiles)
    progress.profile = profile
    if len(text) > profile.max_text_length:
        _fail(ReasonCode.TEXT_TOO_LONG, limit=profile.max_text_length)

    cose = parse_cose(unpack(text, profile))
    alg = _algorithm(cose, profile)
    progress.alg = alg
    kid = cose.header(HEADER_KID)
    if not isinstance(kid, bytes) or not kid:
        _fail(ReasonCode.KID_MISSING)
    progress.kid = kid
    candidates = trust.get(kid, ())
    if not candidates:
        _fail(ReasonCode.KID_UNKNOWN, kid=_kid_text(kid))
    progress.signer = _check_signature(cose, alg, kid, candidates)

    claims = _claims(cose.payload, profile)
    progress.claims = claims
    progress.payload = _document(claims, profile)
    progress.issuer = claims.get(CLAIM_ISS)
    iat = datetime.fromtimestamp(claims[CLAIM_IAT], UTC)
    exp = datetime.fromtimestamp(claims[CLAIM_EXP], UTC)
    progress.issued_at, progress.expires_at = iat, exp
    signer = progress.signer
    if signer.authority is not None and progress.issuer != signer.authority:
        _fail(ReasonCode.ISSUER_MISMATCH, issuer=progress.issuer or "nobody", authority=signer.authority)

    # After the signature, every remaining problem is reported, the first deciding the verdict.
    problems: list[SealError] = []
    if now > exp:
        problems.append(SealError(ReasonCode.EXPIRED, expires_at=_format_time(exp)))
    if iat > now + clock_skew:
        problems.append(SealError(ReasonCode.NOT_YET_VALID, issued_at=_format_time(iat), now=_format_time(now)))
    problems.extend(_signer_problems(signer, profile, iat, now))
    if signer.status is SignerStatus.REVOKED:
        problems.append(SealError(ReasonCode.SIGNER_REVOKED, kid=_kid_text(kid)))
    problems.sort(key=lambda problem: _RULES[problem.code].stage.order)
    return problems


def _select_profile(text: str, profiles: tuple[SealProfile, ...]) -> SealProfile:
    for profile in profiles:
        if text.startswith(profile.prefix):
            return profile
    expected = ", ".join(p.prefix for p in profiles) or "none"
    for known in PROFILES.values():
        if text.startswith(known.prefix):
            _fail(ReasonCode.WRONG_PREFIX, found=known.name, prefix=known.prefix, expected=expected)
    _fail(ReasonCode.UNKNOWN_PREFIX, expected=expected)


def _algorithm(cose: CoseSign1, profile: SealProfile) -> pki.Algorithm:
    # The EU DCC vectors accept alg in the unprotected header; that is safe here because the
    # algorithm must also match the trusted key's type before any signature is believed.
    ident = cose.header(HEADER_ALG)
    if ident is None:
        _fail(ReasonCode.ALGORITHM_MISSING)
    alg = COSE_ALGORITHMS.get(ident) if isinstance(ident, int) and not isinstance(ident, bool) else None
    if alg is None or alg not in profile.algorithms:
        _fail(ReasonCode.ALGORITHM_NOT_ALLOWED, alg=str(ident)[:20])
    return alg


def _check_signature(
    cose: CoseSign1, alg: pki.Algorithm, kid: bytes, candidates: tuple[TrustedSigner, ...]
) -> TrustedSigner:
    usable = [candidate for candidate in candidates if candidate.alg is alg]
    if not usable:
        _fail(ReasonCode.KEY_ALGORITHM_MISMATCH, kid=_kid_text(kid), alg=alg.value)
    to_be_signed = cose.to_be_signed()
    for candidate in usable:
        assert candidate.public_key is not None  # a signer has an alg only with a usable key; this tells mypy
        if pki.verify_signature(candidate.public_key, alg, to_be_signed, cose.signature):
            return candidate
    _fail(ReasonCode.SIGNATURE_INVALID, kid=_kid_text(kid))


def _numeric_claim(claims: dict[Any, Any], key: int, name: str) -> int:
    value = claims.get(key)
    if not isinstance(value, int) or isinstance(value, bool):
        _fail(ReasonCode.CLAIMS_INVALID, detail=f"{name} is missing or not an integer date")
    if not 0 <= value <= MAX_NUMERIC_DATE:
        _fail(ReasonCode.CLAIMS_INVALID, detail=f"{name} is out of range")
    return value


def _claims(payload: bytes, profile: SealProfile) -> dict[int, Any]:
    try:
        claims = _cbor_loads(payload, _NO_TAGS)
    except SealError as error:
        _fail(ReasonCode.CLAIMS_INVALID, detail=error.params.get("detail", "not CBOR"))
    if not isinstance(claims, dict):
        _fail(ReasonCode.CLAIMS_INVALID, detail="they are not a CBOR map")
    iat = _numeric_claim(claims, CLAIM_IAT, "iat")
    exp = _numeric_claim(claims, CLAIM_EXP, "exp")
    if exp < iat:
        _fail(ReasonCode.CLAIMS_INVALID, detail="the seal expires before it is issued")
    issuer = claims.get(CLAIM_ISS)
    if issuer is not None and not isinstance(issuer, str):
        _fail(ReasonCode.CLAIMS_INVALID, detail="iss is not text")
    return claims


def _document(claims: dict[Any, Any], profile: SealProfile) -> dict[Any, Any]:
    node: Any = claims
    for key in profile.payload_path:
        if not isinstance(node, dict) or key not in node:
            _fail(ReasonCode.CLAIMS_INVALID, detail="the document claim is missing")
        node = node[key]
    if not isinstance(node, dict):
        _fail(ReasonCode.CLAIMS_INVALID, detail="the document is not a map")
    return node


def _signer_problems(signer: TrustedSigner, profile: SealProfile, iat: datetime, now: datetime) -> list[SealError]:
    problems: list[SealError] = []
    if not signer.signs_documents or not signer.allows_eku(profile.required_eku):
        problems.append(SealError(ReasonCode.SIGNER_NOT_AUTHORISED))
    if now > signer.not_after:
        problems.append(SealError(ReasonCode.SIGNER_EXPIRED, date=_format_time(signer.not_after)))
    elif now < signer.not_before:
        problems.append(SealError(ReasonCode.SIGNER_NOT_YET_VALID, date=_format_time(signer.not_before)))
    start = signer.usage_from or signer.not_before
    end = signer.usage_until or signer.not_after
    if not start <= iat <= end:
        problems.append(
            SealError(
                ReasonCode.SIGNED_OUTSIDE_KEY_PERIOD,
                issued_at=_format_time(iat),
                start=_format_time(start),
                end=_format_time(end),
            )
        )
    return problems

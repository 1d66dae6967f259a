"""Property tests: no altered seal verifies, and no input makes the verifier raise."""

from __future__ import annotations

import base64
import json
import zlib
from functools import cache
from typing import Any

import cbor2
import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from attkit.seals import codec, pki, trustlist
from attkit.seals.codec import ReasonCode, Verdict
from tests.seals.seal_helpers import DAY, T0, authority

NOW = T0 + 10 * DAY
ALGORITHMS = list(pki.Algorithm)
B45 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:"
# Characters a damaged scan or a hostile user could put in: base45, lower case, control, non-ASCII.
TEXT_NOISE = B45 + "abcxyz\x00\t\n\u00e9\u0130\u212a\ufeff"
FUZZ = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@cache
def original(alg: pki.Algorithm) -> str:
    return authority("MX", alg).seal()


def check(text: object, alg: pki.Algorithm = pki.Algorithm.ES256) -> codec.VerifyResult:
    result = codec.verify(text, authority("MX", alg).store, now=NOW)
    assert ReasonCode.INTERNAL_ERROR not in result.codes, result.reasons
    assert len(result.codes) == len(result.reasons)
    if result.verdict in {Verdict.MALFORMED, Verdict.UNKNOWN_SIGNER, Verdict.INVALID_SIGNATURE}:
        assert result.claims is None and result.payload is None
    return result


def test_the_originals_are_valid() -> None:
    for alg in ALGORITHMS:
        assert check(original(alg), alg).valid


@st.composite
def altered_texts(draw: st.DrawFn) -> tuple[pki.Algorithm, str]:
    alg = draw(st.sampled_from(ALGORITHMS))
    text = original(alg)
    where = draw(st.integers(0, len(text) - 1))
    how = draw(st.sampled_from(["replace", "truncate", "extend", "insert", "delete"]))
    if how == "replace":
        char = draw(st.sampled_from(TEXT_NOISE).filter(lambda c: c != text[where]))
        altered = text[:where] + char + text[where + 1 :]
    elif how == "truncate":
        altered = text[:where]
    elif how == "extend":
        altered = text + draw(st.text(alphabet=TEXT_NOISE, min_size=1, max_size=40))
    elif how == "insert":
        altered = text[:where] + draw(st.text(alphabet=TEXT_NOISE, min_size=1, max_size=8)) + text[where:]
    else:
        altered = text[:where] + text[where + draw(st.integers(1, 8)) :]
    # Whitespace around a seal is what scanners add; the seal inside is then the same seal.
    assume(altered.strip() != text)
    return alg, altered


@FUZZ
@given(altered_texts())
def test_no_altered_text_verifies(case: tuple[pki.Algorithm, str]) -> None:
    alg, text = case
    assert check(text, alg).verdict is not Verdict.VALID


@st.composite
def altered_cose(draw: st.DrawFn) -> tuple[pki.Algorithm, bytes]:
    alg = draw(st.sampled_from(ALGORITHMS))
    data = codec.unpack(original(alg), codec.EUC)
    where = draw(st.integers(0, len(data) - 1))
    how = draw(st.sampled_from(["flip", "truncate", "extend", "insert", "delete"]))
    if how == "flip":
        altered = data[:where] + bytes((data[where] ^ draw(st.integers(1, 255)),)) + data[where + 1 :]
    elif how == "truncate":
        altered = data[:where]
    elif how == "extend":
        altered = data + draw(st.binary(min_size=1, max_size=40))
    elif how == "insert":
        altered = data[:where] + draw(st.binary(min_size=1, max_size=8)) + data[where:]
    else:
        altered = data[:where] + data[where + draw(st.integers(1, 8)) :]
    assume(altered != data)
    return alg, altered


@FUZZ
@given(altered_cose())
def test_no_altered_cose_verifies(case: tuple[pki.Algorithm, bytes]) -> None:
    alg, data = case
    assert check(codec.pack(data, codec.EUC), alg).verdict is not Verdict.VALID


@FUZZ
@given(st.one_of(st.text(max_size=200), st.text(alphabet=TEXT_NOISE, max_size=200).map(lambda t: "EUC1:" + t)))
def test_any_text_gets_a_verdict(text: str) -> None:
    assert check(text).verdict is not Verdict.VALID


@FUZZ
@given(st.binary(max_size=400))
def test_any_bytes_behind_the_prefix_get_a_verdict(data: bytes) -> None:
    assert check(codec.pack(data, codec.EUC)).verdict is not Verdict.VALID
    assert check("EUC1:" + codec.b45encode(data)).verdict is not Verdict.VALID


# --- layer by layer: base45, zlib, CBOR, COSE (issue 8) -------------------------------------------------------

LAYER = settings(max_examples=150, deadline=None, derandomize=True, suppress_health_check=list(HealthCheck))
SLOW = settings(max_examples=1000, deadline=None, derandomize=True, suppress_health_check=list(HealthCheck))


@LAYER
@given(st.text(max_size=300))
def test_base45_decodes_or_says_why(text: str) -> None:
    data, refusal = None, None
    try:
        data = codec.b45decode(text)
    except codec.SealError as exc:
        refusal = exc
    if refusal is not None:
        assert refusal.code is ReasonCode.BASE45_INVALID
    else:
        assert data is not None and codec.b45encode(data) == text  # base45 has one spelling per byte string


@LAYER
@given(st.binary(max_size=400))
def test_zlib_inflates_or_says_why(data: bytes) -> None:
    refusal = None
    try:
        codec.decompress(data)
    except codec.SealError as exc:
        refusal = exc
    assert refusal is None or refusal.code in {ReasonCode.ZLIB_INVALID, ReasonCode.DECOMPRESSED_TOO_LARGE}


def test_a_zlib_bomb_behind_the_prefix_is_refused_by_size() -> None:
    bomb = zlib.compress(bytes(50 * 1024 * 1024), 9)  # 50 MB of zeros in about 50 KB
    result = codec.verify("EUC1:" + codec.b45encode(bomb), authority("MX").store, now=NOW)
    assert result.codes == [ReasonCode.TEXT_TOO_LONG] or ReasonCode.DECOMPRESSED_TOO_LARGE in result.codes
    small_bomb = zlib.compress(bytes(codec.MAX_DECOMPRESSED * 16), 9)  # fits in a QR code, inflates past the cap
    result = check(codec.pack(b"", codec.EUC)[:5] + codec.b45encode(small_bomb))
    assert result.codes == [ReasonCode.DECOMPRESSED_TOO_LARGE]


@pytest.mark.parametrize(
    "cbor",
    [
        b"\x81" * 100_000 + b"\x00",  # arrays nested 100,000 deep
        b"\xa1\x00" * 100_000 + b"\x00",  # maps nested as deep
        b"\xd8\x1c\x81\xd8\x1d\x00",  # shared-value reference tags
        b"\xd8\x18\x45\x81\x81\x81\x81\x00",  # encoded CBOR inside CBOR
        b"\x9f" * 1000,  # indefinite arrays never closed
        b"\x5b\xff\xff\xff\xff\xff\xff\xff\xff",  # a byte string claiming 2**64 bytes
        b"\xbb\x00\x00\x00\x01\x00\x00\x00\x00",  # a map claiming 4 billion pairs
        b"\xd2\x84\x40\xa0\x40\x40" + b"\x00",  # a COSE_Sign1 followed by a stray byte
        b"\xc1\xfb\x7f\xf0\x00\x00\x00\x00\x00\x00",  # a timestamp tag of infinity
        b"\xa2\x00\x00\x00\x00",  # duplicate keys
    ],
)
def test_hostile_cbor_is_malformed_not_an_error(cbor: bytes) -> None:
    result = check(codec.pack(zlib.compress(cbor), codec.EUC))
    assert result.verdict is Verdict.MALFORMED


cbor_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(-(2**64), 2**64 - 1)
    | st.floats()
    | st.text(max_size=12)
    | st.binary(max_size=12),
    lambda children: (
        st.lists(children, max_size=4)
        | st.dictionaries(st.integers(-70000, 70000) | st.text(max_size=4), children, max_size=4)
    ),
    max_leaves=16,
)
ALG_VALUES = st.sampled_from([-7, -35, -36, -37, -257, -8, 0, 1, 2**63, -(2**63), "ES256", b"\xf9"]) | cbor_values


@st.composite
def structured_cose(draw: st.DrawFn) -> bytes:
    """A COSE_Sign1 whose every part may be of the wrong type or out of range: headers, claims, signature."""
    mx = authority("MX")
    protected = draw(st.dictionaries(st.sampled_from([1, 2, 3, 4, 5, 33]), ALG_VALUES, max_size=3))
    if draw(st.booleans()):
        protected[codec.HEADER_ALG] = -7
        protected[codec.HEADER_KID] = draw(
            st.sampled_from([next(iter(mx.store.signers())).kid, b"", b"\x00" * 8]) | st.binary(max_size=16)
        )
    unprotected = draw(st.dictionaries(st.sampled_from([1, 4, 33]), cbor_values, max_size=2))
    claims = draw(
        st.dictionaries(
            st.sampled_from([codec.CLAIM_ISS, codec.CLAIM_EXP, codec.CLAIM_IAT, codec.ATTKIT_PAYLOAD_CLAIM, 7]),
            st.sampled_from(["MX", 0, -1, 2**64 - 1, codec.MAX_NUMERIC_DATE + 1, 1.5e300, float("nan")]) | cbor_values,
            max_size=5,
        )
    )
    payload = cbor2.dumps(claims) if draw(st.booleans()) else draw(st.binary(max_size=40))
    protected_bytes = cbor2.dumps(protected) if protected or draw(st.booleans()) else b""
    signature = draw(st.sampled_from([b"", bytes(64), bytes(63)]) | st.binary(max_size=80))
    body: list[Any] = [protected_bytes, unprotected, payload, signature]
    if draw(st.integers(0, 9)) == 0:
        body[draw(st.integers(0, 3))] = draw(cbor_values)
    tag = cbor2.CBORTag(codec.COSE_SIGN1_TAG, body)
    if draw(st.booleans()):
        tag = cbor2.CBORTag(codec.CWT_TAG, tag)
    return cbor2.dumps(tag)


@LAYER
@given(structured_cose())
def test_structured_cose_gets_a_verdict(data: bytes) -> None:
    assert check(codec.pack(data, codec.EUC)).verdict is not Verdict.VALID


@pytest.mark.slow
@SLOW
@given(structured_cose())
def test_many_structured_cose_get_a_verdict(data: bytes) -> None:
    assert check(codec.pack(data, codec.EUC)).verdict is not Verdict.VALID


# --- trust lists: a signed JSON document with a detached JWS ---------------------------------------------------


@cache
def trust_list_text() -> str:
    mx = authority("MX")
    return trustlist.build_trust_list(
        authority="MX",
        root=mx.root,
        signers=[trustlist.SignerEntry(mx.signer.certificate)],
        issued_at=T0,
        next_update=T0 + 7 * DAY,
        revoked_serials=["MX-EUC-2026-000007"],
    ).decode()


def parses_or_refuses(data: str | bytes) -> None:
    refusal = None
    try:
        trustlist.parse_trust_list(data, authority("MX").root.certificate)
    except trustlist.TrustListError as exc:
        refusal = exc
    assert refusal is None or (str(refusal) and refusal.problem in set(trustlist.TrustListProblem))


def test_the_trust_list_parses() -> None:
    assert trustlist.parse_trust_list(trust_list_text(), authority("MX").root.certificate).authority == "MX"


@LAYER
@given(st.data())
def test_mutated_trust_lists_parse_or_are_refused(data: st.DataObject) -> None:
    text = trust_list_text()
    for _ in range(data.draw(st.integers(1, 4))):
        where = data.draw(st.integers(0, len(text)))
        noise = data.draw(st.text(alphabet='{}[]":,0123456789.eE-+\\u\x00 abcZ', max_size=8))
        text = text[:where] + noise + text[where + data.draw(st.integers(0, 8)) :]
    parses_or_refuses(text)


def _b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


@pytest.mark.parametrize(
    "header",
    [
        b"[" * 100_000 + b"]" * 100_000,  # nested past the recursion limit
        b'{"alg": "ES256", "alg": "none", "typ": "attkit-trustlist+json"}',
        b'{"alg": "none", "typ": "attkit-trustlist+json"}',
        b'{"alg": ["ES256"], "typ": "attkit-trustlist+json"}',
        b'{"alg": "ES256", "typ": "attkit-trustlist+json", "crit": ["b64"]}',
        b"\xff\xfe",
        b"1e999999",
    ],
)
def test_hostile_jws_headers_are_refused(header: bytes) -> None:
    document = json.loads(trust_list_text())
    signature = document["signature"].split(".")[2]
    document["signature"] = _b64(header) + ".." + signature
    with pytest.raises(trustlist.TrustListError):
        trustlist.parse_trust_list(json.dumps(document), authority("MX").root.certificate)


@pytest.mark.parametrize(
    "text",
    [
        "[" * 100_000 + "]" * 100_000,
        '{"format": 1e999999}',
        '{"format": NaN}',
        '{"a": 1, "a": 2}',
        "\ud800",
        "",
        "null",
    ],
)
def test_hostile_trust_list_documents_are_refused(text: str) -> None:
    with pytest.raises(trustlist.TrustListError):
        trustlist.parse_trust_list(text, authority("MX").root.certificate)

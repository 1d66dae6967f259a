"""Property tests: no altered seal verifies, and no input makes the verifier raise."""

from __future__ import annotations

from functools import cache

from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from attkit.seals import codec, pki
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

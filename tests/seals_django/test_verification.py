"""verify_text and verify_file: one test per verdict, registry handlers, files, and bad input that never crashes."""

from __future__ import annotations

import io
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone
from django.utils.translation import override
from PIL import Image, ImageFilter

from attkit.core.permissions import Role
from attkit.seals import codec, services, verification
from attkit.seals.verification import RegistryStatus, Verdict, VerificationContext

from .helpers import foreign_state, qr_jpeg, qr_pdf, qr_png, tamper

pytestmark = pytest.mark.django_db

TEST_PREFIX = "TST1:"


@pytest.fixture
def mx_seal(authority: Any) -> str:
    mx = authority("MX")
    return services.seal(
        mx,
        "EUC1:",
        {"serial": "MX-EUC-2026-000123-4", "q": [[1, 250]]},
        expires_at=timezone.now() + timedelta(days=60),
        serial="MX-EUC-2026-000123-4",
    )


@pytest.fixture
def handler_calls() -> Iterator[list[tuple[Any, VerificationContext]]]:
    calls: list[tuple[Any, VerificationContext]] = []
    state: dict[str, RegistryStatus | None] = {"status": None}

    def handler(result: Any, context: VerificationContext) -> RegistryStatus | None:
        calls.append((result, context))
        if context.serial == "boom":
            raise RuntimeError("registry down")
        return {
            "USED": RegistryStatus(Verdict.ALREADY_USED, ("All quantities were used by DE-L-1.",), {"left": [[1, 0]]}),
            "OLD": RegistryStatus(Verdict.SUPERSEDED, ("Replaced by TST-2.",), {"superseded_by": "TST-2"}),
            "GONE": RegistryStatus(Verdict.REVOKED, ("Revoked in the registry.",)),
        }.get(context.serial or "", RegistryStatus(None, (), {"left": [[1, 250]], "dvc": None}))

    verification.register_document_kind(TEST_PREFIX, handler)
    yield calls
    verification.unregister_document_kind(TEST_PREFIX)
    del state


def _test_seal(authority: Any, serial: str) -> str:
    return services.seal(authority("MX"), TEST_PREFIX, {"n": serial}, expires_at=None, serial=serial)


def test_valid(mx_seal, verifier):
    result = verification.verify_text(mx_seal, user=verifier("DE"))
    assert result.verdict is Verdict.VALID and result.valid and result.signature_ok
    assert result.reasons == []
    assert result.certificate == {"serial": "MX-EUC-2026-000123-4", "q": [[1, 250]]}
    assert result.issuer == "MX" and result.serial == "MX-EUC-2026-000123-4"
    assert result.seal == mx_seal and result.kid and len(result.kid) == 16
    data = result.as_dict()
    assert {"verdict", "reasons", "certificate", "seal", "issuer", "kid", "registry"} <= set(data)


def test_invalid_signature(mx_seal, verifier):
    result = verification.verify_text(tamper(mx_seal), user=verifier("DE"))
    assert result.verdict is Verdict.INVALID_SIGNATURE
    assert result.certificate is None and not result.signature_ok
    assert "altered" in result.reasons[0]


def test_unknown_signer(verifier):
    result = verification.verify_text(foreign_state("CO").seal(), user=verifier("DE"))
    assert result.verdict is Verdict.UNKNOWN_SIGNER
    assert result.certificate is None
    assert any("DE" in w for w in result.warnings)


def test_expired(mx_seal, verifier):
    result = verification.verify_text(mx_seal, user=verifier("DE"), at=timezone.now() + timedelta(days=61))
    assert result.verdict is Verdict.EXPIRED
    assert result.certificate is not None  # authentic, but no longer in force: shown for the record


def test_not_yet_valid(mx_seal, verifier):
    result = verification.verify_text(mx_seal, user=verifier("DE"), at=timezone.now() - timedelta(days=2))
    assert result.verdict in (Verdict.NOT_YET_VALID, Verdict.SIGNER_NOT_VALID)


@pytest.mark.parametrize(
    "text",
    ["EUC1:", "EUC1:ABC", "EUC1:" + "A" * 5000, "EUC1:%%%%", "EUC1:0000000000", "EUC1:\x00\x01"],
    ids=["empty-body", "short", "too-long", "bad-base45", "not-zlib", "control"],
)
def test_malformed(text, verifier):
    result = verification.verify_text(text, user=verifier("DE"))
    assert result.verdict is Verdict.MALFORMED
    assert result.reasons


def test_truncated_seal_is_malformed(mx_seal, verifier):
    assert verification.verify_text(mx_seal[:-10], user=verifier("DE")).verdict is Verdict.MALFORMED


@pytest.mark.parametrize(
    "text", ["", "   ", "https://example.org/", "HC1:NCFOXN%TS3DH"], ids=["empty", "blank", "url", "dcc"]
)
def test_text_that_is_not_our_seal(text, verifier):
    result = verification.verify_text(text, user=verifier("DE"))
    assert result.verdict in (Verdict.NO_SEAL_FOUND, Verdict.WRONG_PREFIX)
    assert result.reasons


def test_non_text_input_is_malformed(verifier):
    assert verification.verify_text(b"EUC1:", user=verifier("DE")).verdict is Verdict.MALFORMED  # type: ignore[arg-type]


def test_revoked_serial(mx_seal, authority, verifier):
    services.revoke_serial(authority("MX"), "MX-EUC-2026-000123-4", "reported stolen")
    result = verification.verify_text(mx_seal, user=verifier("DE"))
    assert result.verdict is Verdict.REVOKED
    assert "MX-EUC-2026-000123-4" in result.reasons[0]
    assert result.certificate is not None


def test_revoke_serial_is_idempotent_and_needs_a_reason(authority):
    mx = authority("MX")
    first = services.revoke_serial(mx, "S-1", "why")
    assert services.revoke_serial(mx, "S-1", "again").pk == first.pk
    with pytest.raises(ValidationError):
        services.revoke_serial(mx, "S-2", "")


@pytest.mark.parametrize(
    ("serial", "verdict"),
    [("OK", Verdict.VALID), ("USED", Verdict.ALREADY_USED), ("OLD", Verdict.SUPERSEDED), ("GONE", Verdict.REVOKED)],
)
def test_registry_handler_adds_status(serial, verdict, authority, verifier, handler_calls):
    official = verifier("DE")
    result = verification.verify_text(_test_seal(authority, serial), user=official)
    assert result.verdict is verdict
    assert result.registry is not None
    context = handler_calls[-1][1]
    assert context.serial == serial and context.issuer == "MX" and context.user == official
    assert context.authority is not None and context.authority.code == "DE" and context.online


def test_offline_verification_skips_the_registry(authority, verifier, handler_calls):
    result = verification.verify_text(_test_seal(authority, "USED"), user=verifier("DE"), online=False)
    assert result.verdict is Verdict.VALID and result.registry is None and not result.online
    assert handler_calls == []


def test_a_failing_registry_keeps_the_seal_verdict(authority, verifier, handler_calls):
    result = verification.verify_text(_test_seal(authority, "boom"), user=verifier("DE"))
    assert result.verdict is Verdict.VALID
    assert result.warnings


def test_registry_handler_is_not_asked_about_forgeries(authority, verifier, handler_calls):
    verification.verify_text(
        tamper(_test_seal(authority, "OK"), codec.SealProfile(TEST_PREFIX, "test")), user=verifier("DE")
    )
    assert handler_calls == []


def test_only_officials_who_may_verify_can(mx_seal, make_user):
    applicant = make_user("DE", Role.APPLICANT)
    with pytest.raises(PermissionDenied):
        verification.verify_text(mx_seal, user=applicant)
    with pytest.raises(PermissionDenied):
        verification.verify_file(b"%PDF-", user=applicant)


def test_sandbox_seals_are_not_trusted_by_real_authorities(authority, verifier, make_user):
    xt = authority("XT", is_sandbox=True)
    text = services.seal(xt, "EUC1:", {"serial": "XT-1"}, expires_at=None)
    assert verification.verify_text(text, user=verifier("DE")).verdict is Verdict.UNKNOWN_SIGNER
    trainee = make_user(xt, Role.EUC_VERIFIER)
    assert verification.verify_text(text, user=trainee).valid


def test_reasons_are_in_the_users_language(mx_seal, verifier):
    with override("es"):
        result = verification.verify_text(tamper(mx_seal), user=verifier("DE"))
        assert "firma" in result.reasons[0].lower()
        assert result.title == "Firma no válida"


def test_a_deployment_wide_verification_without_a_user(mx_seal):
    assert verification.verify_text(mx_seal).valid


# --- files ---------------------------------------------------------------------------------------------------


def test_verify_png(mx_seal, verifier):
    result = verification.verify_file(qr_png(mx_seal), "seal.png", "image/png", user=verifier("DE"))
    assert result.valid and result.seal == mx_seal


def test_verify_jpeg(mx_seal, verifier):
    assert verification.verify_file(qr_jpeg(mx_seal), "seal.jpg", user=verifier("DE")).valid


def test_verify_pdf(mx_seal, verifier):
    result = verification.verify_file(qr_pdf(mx_seal), "certificate.pdf", "application/pdf", user=verifier("DE"))
    assert result.valid, result.reasons
    assert result.serial == "MX-EUC-2026-000123-4"


def test_a_forged_pdf_is_reported_as_such(mx_seal, verifier):
    result = verification.verify_file(qr_pdf(tamper(mx_seal)), "certificate.pdf", user=verifier("DE"))
    assert result.verdict is Verdict.INVALID_SIGNATURE


def test_pdf_without_a_seal(verifier):
    result = verification.verify_file(qr_pdf(None), "blank.pdf", user=verifier("DE"))
    assert result.verdict is Verdict.NO_SEAL_FOUND
    assert result.reasons and result.reason_codes == ["no_qr_code"]


def test_a_qr_code_that_is_not_a_seal(verifier):
    result = verification.verify_file(qr_png("HELLO WORLD"), "other.png", user=verifier("DE"))
    assert result.verdict in (Verdict.WRONG_PREFIX, Verdict.NO_SEAL_FOUND)


def test_blurred_photo_does_not_crash(mx_seal, verifier):
    image = Image.open(io.BytesIO(qr_png(mx_seal))).convert("RGB").filter(ImageFilter.GaussianBlur(12))
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", quality=30)
    result = verification.verify_file(buffer.getvalue(), "blurred.jpg", user=verifier("DE"))
    assert result.verdict in (Verdict.NO_SEAL_FOUND, Verdict.VALID)


@pytest.mark.parametrize(
    "data",
    [
        b"",
        b"\x89PNG\r\n\x1a\n" + b"\x00" * 100,
        b"\xff\xd8\xff" + b"garbage" * 50,
        b"%PDF-1.7\n" + b"garbage" * 50,
        b"GIF89a....",
        b"just some text",
    ],
    ids=["empty", "broken-png", "broken-jpeg", "broken-pdf", "gif", "text"],
)
def test_garbage_files_give_a_verdict_not_an_error(data, verifier):
    result = verification.verify_file(data, "x", user=verifier("DE"))
    assert result.verdict is Verdict.NO_SEAL_FOUND
    assert result.reasons


def test_an_oversized_file_is_refused_before_reading(verifier):
    data = b"%PDF-" + b"0" * verification.MAX_FILE_BYTES
    result = verification.verify_file(data, "big.pdf", user=verifier("DE"))
    assert result.verdict is Verdict.NO_SEAL_FOUND and "15" in result.reasons[0]


def test_a_decompression_bomb_image_is_refused(verifier):
    buffer = io.BytesIO()
    Image.new("1", (12_000, 12_000), 1).save(buffer, "PNG")
    result = verification.verify_file(buffer.getvalue(), "bomb.png", user=verifier("DE"))
    assert result.verdict is Verdict.NO_SEAL_FOUND

"""Hostile uploads: decompression bombs, huge pages, deep nesting, truncated and polyglot files.

PDFs are read in a forked child under a memory and CPU ceiling (attkit.seals.qr), and a page that draws an
image of more than qr.MAX_IMAGE_PIXELS is refused before pdfium decodes it. Every upload handler that reads
such a file answers with a clear message, never a 500.
"""

from __future__ import annotations

import io
import json
import os
import resource
import signal
import zlib
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from PIL import Image

from attkit.core.permissions import Role
from attkit.licensing import uploads
from attkit.seals import qr, verification
from attkit.seals.qr import ScanProblem, ScanResult
from tests.hardening import _fuzz_files as files

FAST = settings(max_examples=25, deadline=None, derandomize=True, suppress_health_check=list(HealthCheck))
SLOW = settings(max_examples=400, deadline=None, derandomize=True, suppress_health_check=list(HealthCheck))
REFUSALS = set(ScanProblem)


def seal_pdf() -> bytes:
    """A one-page PDF (as Pillow writes it) carrying a QR code."""
    code = Image.open(io.BytesIO(qr.make_qr("EUC1:FUZZ", kind="png", scale=6).data)).convert("RGB")
    page = Image.new("RGB", (620, 877), "white")
    page.paste(code, (100, 100))
    buffer = io.BytesIO()
    page.save(buffer, "PDF", resolution=75)
    return buffer.getvalue()


SEAL_PDF = seal_pdf()


def test_the_seal_pdf_reads() -> None:
    assert qr.scan_pdf(SEAL_PDF).texts == ["EUC1:FUZZ"]


# --- the bomb that motivated the child process ---------------------------------------------------------------


@pytest.mark.parametrize("isolate", [True, False])
def test_a_page_drawing_a_huge_image_is_refused_before_rendering(isolate: bool) -> None:
    # 20,000 x 20,000 grey pixels: 400 MB decoded from a 0.5 MB file. Rendered, it took 560 MB and 6 s.
    bomb = files.pdf_with_image(20_000, 20_000)
    assert len(bomb) < 1_000_000
    result = qr.scan_pdf(bomb, isolate=isolate)
    assert result.problem is ScanProblem.TOO_MANY_PIXELS and result.texts == []


def test_a_huge_image_inside_nested_forms_is_refused_too() -> None:
    bomb = files.pdf_with_image(20_000, 20_000)
    wrapped = bomb.replace(b"q 595 0 0 842 0 0 cm /Im0 Do Q", b"/Fm0 Do").replace(
        b"<< /XObject << /Im0 5 0 R >> >>", b"<< /XObject << /Fm0 6 0 R >> >>"
    )
    form = files.stream(
        b"/Type /XObject /Subtype /Form /BBox [0 0 595 842] /Resources << /XObject << /Im0 5 0 R >> >>",
        b"q 595 0 0 842 0 0 cm /Im0 Do Q",
    )
    objects = [*_objects(wrapped), form]
    assert qr.scan_pdf(files.pdf(objects), isolate=False).problem is ScanProblem.TOO_MANY_PIXELS


def _objects(document: bytes) -> list[bytes]:
    """The bodies of a PDF made by files.pdf, in order."""
    bodies = []
    number = 1
    while (start := document.find(b"%d 0 obj\n" % number)) >= 0:
        start += len(b"%d 0 obj\n" % number)
        bodies.append(document[start : document.index(b"\nendobj\n", start)])
        number += 1
    return bodies


def test_pdfs_are_read_in_a_child_process(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(qr, "_scan_pdf_here", lambda *a: ScanResult([f"pid {os.getpid()}"]))
    texts = qr.scan_pdf(SEAL_PDF).texts
    assert texts and texts != [f"pid {os.getpid()}"]


def test_the_child_has_a_memory_ceiling(monkeypatch: pytest.MonkeyPatch) -> None:
    def greedy(*args: Any) -> ScanResult:
        hoard = bytearray(qr.PDF_MEMORY_BYTES * 2)  # what a decoded image bomb asks for
        return ScanResult([str(len(hoard))])

    monkeypatch.setattr(qr, "PDF_MEMORY_BYTES", 64 * 1024 * 1024)
    monkeypatch.setattr(qr, "_scan_pdf_here", greedy)
    result = qr.scan_pdf(SEAL_PDF)
    assert result.problem is ScanProblem.TOO_COMPLEX and result.texts == []


def test_the_child_has_a_cpu_ceiling(monkeypatch: pytest.MonkeyPatch) -> None:
    def spin(*args: Any) -> ScanResult:
        while True:
            pass

    monkeypatch.setattr(qr, "PDF_CPU_SECONDS", 1)
    monkeypatch.setattr(qr, "_scan_pdf_here", spin)
    assert qr.scan_pdf(SEAL_PDF).problem is ScanProblem.TOO_COMPLEX


def test_a_crash_in_the_child_is_a_refusal(monkeypatch: pytest.MonkeyPatch) -> None:
    # A segfault in pdfium looks the same to the parent: a child gone without an answer.
    monkeypatch.setattr(qr, "_scan_pdf_here", lambda *a: os.kill(os.getpid(), signal.SIGKILL))
    assert qr.scan_pdf(SEAL_PDF).problem is ScanProblem.TOO_COMPLEX


@pytest.mark.parametrize(
    "hostile",
    [
        pytest.param(lambda: files.pdf_with_media_box(1e9, 1e9), id="huge-mediabox"),
        pytest.param(lambda: files.pdf_with_media_box(-1e9, 1e-9), id="negative-mediabox"),
        pytest.param(lambda: files.pdf_with_media_box(0, 0), id="empty-mediabox"),
        pytest.param(lambda: files.pdf_nested_forms(2000), id="forms-2000-deep"),
        pytest.param(lambda: files.pdf_nested_arrays(100_000), id="arrays-100000-deep"),
        pytest.param(lambda: SEAL_PDF[: len(SEAL_PDF) // 2], id="truncated"),
        pytest.param(lambda: b"%PDF-1.7\n" + b"\x00" * 5000, id="header-only"),
        pytest.param(files.polyglot_pdf_png, id="png-pdf-polyglot"),
        pytest.param(lambda: b"%PDF-1.7\n" + SEAL_PDF, id="two-headers"),
    ],
)
def test_hostile_pdfs_get_an_answer(hostile: Any) -> None:
    result = qr.scan(hostile())
    assert isinstance(result, ScanResult)
    assert result.problem in REFUSALS or result.problem is None
    assert all(isinstance(t, str) for t in result.texts)


def test_png_bombs_are_refused_before_decoding() -> None:
    assert qr.scan(files.png(50_000, 50_000)).problem is ScanProblem.TOO_MANY_PIXELS
    assert qr.scan(files.png(2**31 - 1, 1)).problem in {ScanProblem.TOO_MANY_PIXELS, ScanProblem.UNREADABLE}
    assert qr.scan(files.png(0, 0)).problem in REFUSALS


@st.composite
def mutated(draw: st.DrawFn, original: bytes) -> bytes:
    data = bytearray(original)
    for _ in range(draw(st.integers(1, 6))):
        where = draw(st.integers(0, max(len(data) - 1, 0)))
        how = draw(st.sampled_from(["flip", "cut", "insert", "truncate", "number"]))
        if how == "flip" and data:
            data[where] ^= draw(st.integers(1, 255))
        elif how == "cut":
            del data[where : where + draw(st.integers(1, 64))]
        elif how == "insert":
            data[where:where] = draw(st.binary(min_size=1, max_size=32))
        elif how == "truncate":
            del data[where:]
        else:  # a number in the syntax becomes huge or negative: sizes, lengths, offsets, object numbers
            data[where:where] = draw(st.sampled_from([b"99999999999", b"-1", b"2147483648", b"1e308", b"0"]))
    return bytes(data)


def _scans_cleanly(data: bytes) -> None:
    result = qr.scan(data)
    assert result.problem in REFUSALS or result.problem is None
    assert all(isinstance(t, str) for t in result.texts)


@FAST
@given(mutated(SEAL_PDF))
def test_mutated_pdfs_never_raise(data: bytes) -> None:
    _scans_cleanly(data)


PNG = qr.make_qr("EUC1:FUZZ", kind="png", scale=3).data


@FAST
@given(mutated(PNG))
def test_mutated_pngs_never_raise(data: bytes) -> None:
    _scans_cleanly(data)


def _jpeg() -> bytes:
    buffer = io.BytesIO()
    Image.open(io.BytesIO(PNG)).convert("L").save(buffer, "JPEG", quality=80)
    return buffer.getvalue()


JPEG = _jpeg()


@FAST
@given(mutated(JPEG))
def test_mutated_jpegs_never_raise(data: bytes) -> None:
    _scans_cleanly(data)


@pytest.mark.slow
@SLOW
@given(st.sampled_from([SEAL_PDF, PNG, JPEG]).flatmap(mutated))
def test_many_mutated_files_never_raise(data: bytes) -> None:
    _scans_cleanly(data)


@pytest.mark.slow
def test_a_soft_mask_bomb_stays_in_the_child() -> None:
    # The page draws a 1 x 1 image whose soft mask is 20,000 x 20,000: the header check does not see it, and
    # read in this process it took 800 MB. In the child it meets the memory ceiling; this process does not grow.
    bomb = files.pdf_with_image(20_000, 20_000, smask=True)
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    result = qr.scan_pdf(bomb)
    grown_mb = (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before) // 1024
    assert result.texts == [] and grown_mb < 200


@pytest.mark.slow
def test_a_fifty_thousand_pixel_square_image_is_refused() -> None:
    bomb = files.pdf_with_image(50_000, 50_000)
    assert len(bomb) < verification.MAX_FILE_BYTES
    assert qr.scan_pdf(bomb).problem is ScanProblem.TOO_MANY_PIXELS


# --- the licensing document check ----------------------------------------------------------------------------


@FAST
@given(
    st.one_of(
        st.binary(max_size=64),
        st.sampled_from([b"%PDF-", b"\x89PNG\r\n\x1a\n", b"\xff\xd8\xff", b"MZ", b"PK\x03\x04"]).flatmap(
            lambda head: st.binary(max_size=64).map(lambda tail: head + tail)
        ),
    ),
    st.text(max_size=300),
)
def test_the_document_check_accepts_or_names_the_field(data: bytes, name: str) -> None:
    try:
        checked = uploads.check(data, name)
    except ValidationError as exc:
        refused = exc
    else:
        refused = None
    if refused is not None:
        assert list(refused.message_dict) == ["file"]
        return
    assert checked.kind in uploads.TYPES and checked.data == data
    assert "/" not in checked.display_name and "\\" not in checked.display_name and checked.display_name
    assert len(checked.display_name) <= uploads.MAX_NAME_LENGTH


# --- through the web client and the API ----------------------------------------------------------------------

HOSTILE_UPLOADS = {
    "image-bomb.pdf": lambda: files.pdf_with_image(20_000, 20_000),
    "huge-page.pdf": lambda: files.pdf_with_media_box(1e9, 1e9),
    "nested.pdf": lambda: files.pdf_nested_arrays(100_000),
    "truncated.pdf": lambda: SEAL_PDF[:300],
    "bomb.png": lambda: files.png(50_000, 50_000),
    "truncated.png": lambda: PNG[: len(PNG) // 2],
    "truncated.jpg": lambda: JPEG[: len(JPEG) // 2],
    "polyglot.png": files.polyglot_pdf_png,
    "empty.pdf": lambda: b"",
    "text.pdf": lambda: b"EUC1:" + b"A" * 5000,
}


@pytest.fixture
def verifier_client(make_user: Any) -> Client:
    client = Client()
    client.force_login(make_user("DE", Role.EUC_VERIFIER, Role.CUSTOMS_OFFICER))
    return client


@pytest.mark.django_db
@pytest.mark.parametrize("name", sorted(HOSTILE_UPLOADS))
def test_the_verify_api_answers_hostile_files(verifier_client: Client, name: str) -> None:
    data = HOSTILE_UPLOADS[name]()
    for url in ("/api/v1/seals/verify", "/api/v1/euc/verify", "/api/v1/licensing/licence/verify"):
        response = verifier_client.post(url, {"file": SimpleUploadedFile(name, data)})
        assert response.status_code in (200, 413, 422), (url, response.status_code, response.content[:300])
        body = response.json()
        if response.status_code == 200:
            assert body["valid"] is False
            assert body["reasons"] and all(isinstance(r, str) and r for r in body["reasons"])


@pytest.mark.django_db
def test_the_verify_api_says_why_a_bomb_was_refused(verifier_client: Client) -> None:
    bomb = files.pdf_with_image(20_000, 20_000)
    body = verifier_client.post("/api/v1/seals/verify", {"file": SimpleUploadedFile("a.pdf", bomb)}).json()
    assert body["verdict"] == "no_seal_found" and body["reason_codes"] == ["file_too_many_pixels"]
    assert "million pixels" in body["reasons"][0]


@pytest.mark.django_db
@pytest.mark.parametrize("name", sorted(HOSTILE_UPLOADS))
def test_the_verify_page_answers_hostile_files(verifier_client: Client, name: str) -> None:
    data = HOSTILE_UPLOADS[name]()
    response = verifier_client.post("/seals/verify/", {"way": "upload", "upload-file": SimpleUploadedFile(name, data)})
    assert response.status_code in (200, 400), response.status_code  # 400: the form refused it (empty file)
    page = response.content.decode()
    # A verdict that is not "valid", or the form's own error (an empty file): never a silent page.
    assert ('data-testid="verdict"' in page and 'data-verdict="valid"' not in page) or "usa-error-message" in page


def test_a_deflate_bomb_helper_is_what_it_claims() -> None:
    assert zlib.decompress(files.zeros_deflated(1_000_003)) == bytes(1_000_003)


@pytest.mark.django_db
@pytest.mark.parametrize("name", sorted(HOSTILE_UPLOADS))
def test_the_other_upload_pages_answer_hostile_files(verifier_client: Client, name: str) -> None:
    data = HOSTILE_UPLOADS[name]()
    licence = verifier_client.post("/cases/licence/verify/", {"file": SimpleUploadedFile(name, data)})
    assert licence.status_code in (200, 400), licence.status_code
    use = verifier_client.post("/euc/use/", {"serial": "MX-EUC-2026-000001", "file": SimpleUploadedFile(name, data)})
    assert use.status_code in (200, 400), use.status_code


# --- trust list imports: a signed JSON file from another state ---------------------------------------------------

HOSTILE_TRUST_LISTS = {
    "deep-json": b"[" * 100_000 + b"]" * 100_000,
    "deep-jws-header": json.dumps({"signature": "W1tb" * 30_000 + "..AAAA"}).encode(),
    "not-utf8": b"\xff\xfe{}",
    "pdf": b"%PDF-1.7\n%%EOF\n",
    "huge-number": b'{"format": 1' + b"0" * 100_000 + b"}",
    "empty": b"",
}


@pytest.mark.django_db
@pytest.mark.parametrize("name", sorted(HOSTILE_TRUST_LISTS))
def test_trust_list_imports_refuse_hostile_files(make_user: Any, name: str) -> None:
    client = Client()
    client.force_login(make_user("DE", Role.ADMINISTRATOR))
    data = HOSTILE_TRUST_LISTS[name]
    api = client.post("/api/v1/seals/trust-lists", {"file": SimpleUploadedFile("list.json", data), "fingerprint": ""})
    assert api.status_code in (400, 413, 422), (api.status_code, api.content[:300])
    page = client.post("/seals/trust-lists/import/", {"file": SimpleUploadedFile("list.json", data)})
    assert page.status_code in (200, 400), page.status_code

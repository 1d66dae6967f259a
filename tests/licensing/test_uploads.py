"""Attached documents: type read from the content, size capped, stored under random names; never a 500."""

from __future__ import annotations

import io

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from attkit.licensing import services, uploads
from tests.licensing import world as w

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff" + b"\x00" * 200


def png() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (4, 4), "white").save(buffer, format="PNG")
    return buffer.getvalue()


@pytest.fixture
def draft(bare_world):
    return services.create_application(by=bare_world["de.applicant"], data=w.export_application(bare_world))


def test_an_exe_renamed_pdf_is_refused(bare_world, draft):
    with pytest.raises(ValidationError) as info:
        services.attach_document(
            draft.pk, by=bare_world["de.applicant"], kind="contract", data=EXE, name="contract.pdf"
        )
    assert info.value.message_dict["file"] == ["The selected file must be a PDF, PNG or JPEG."]
    assert not draft.documents.exists()


def test_an_oversize_file_is_refused(bare_world, draft):
    big = PDF[:-6] + b"0" * (uploads.MAX_UPLOAD_BYTES + 1) + b"%%EOF\n"
    with pytest.raises(ValidationError) as info:
        services.attach_document(draft.pk, by=bare_world["de.applicant"], kind="contract", data=big, name="big.pdf")
    assert "smaller than 10 MB" in info.value.message_dict["file"][0]


def test_a_truncated_pdf_is_refused():
    with pytest.raises(ValidationError):
        uploads.check(b"%PDF-1.4 truncated", "a.pdf")


def test_path_traversal_names_are_neutralised(bare_world, draft, settings):
    document = services.attach_document(
        draft.pk, by=bare_world["de.applicant"], kind="contract", data=PDF, name="../../etc/passwd\x00.pdf"
    )
    assert document.original_name == "passwd_.pdf" or "/" not in document.original_name
    assert ".." not in document.file.name and "passwd" not in document.file.name
    assert document.file.name.startswith(f"licensing/{draft.authority_id}/") and document.file.name.endswith(".pdf")
    image = services.attach_document(
        draft.pk, by=bare_world["de.applicant"], kind="technical", data=png(), name="..\\..\\x.exe"
    )
    assert image.media_type == "image/png" and image.file.name.endswith(".png")
    assert "\\" not in image.original_name and "/" not in image.original_name


@pytest.mark.parametrize(
    ("given", "shown"),
    [
        ("../../etc/passwd", "passwd"),
        ("C:\\Users\\x\\évidence.pdf", "évidence.pdf"),
        ("", "document"),
        ("..", "document"),
    ],
)
def test_display_names(given, shown):
    assert uploads.display_name(given) == shown


def test_the_upload_page_refuses_an_exe_with_a_message(bare_world, draft, client):
    client.force_login(bare_world["de.applicant"])
    response = client.post(
        f"/cases/{draft.pk}/apply/documents/",
        {"kind": "contract", "file": SimpleUploadedFile("contract.pdf", EXE, content_type="application/pdf")},
    )
    assert response.status_code == 200
    assert "must be a PDF, PNG or JPEG" in response.content.decode()
    ok = client.post(
        f"/cases/{draft.pk}/apply/documents/",
        {"kind": "contract", "file": SimpleUploadedFile("contract.pdf", PDF, content_type="application/pdf")},
    )
    assert ok.status_code == 302
    download = client.get(f"/cases/{draft.pk}/documents/{draft.documents.get().pk}/")
    assert download.status_code == 200 and download["X-Content-Type-Options"] == "nosniff"


def test_the_api_names_the_file_field(bare_world, draft):
    from tests.licensing.api_client import api_for

    api = api_for(bare_world["de.applicant"])
    response = api.upload(
        f"/licensing/cases/{draft.pk}/documents?kind=contract", {"file": SimpleUploadedFile("x.pdf", EXE)}
    )
    assert response.status_code == 422
    assert "file" in response.json()["detail"]

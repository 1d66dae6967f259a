"""Hostile list files loaded into the database, through the service and the upload page: a clear form error
(ValidationError), never a database error or a 500, and nothing half-loaded."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from attkit.core.permissions import Role
from attkit.screening import services
from attkit.screening.models import ListedEntry, ListVersion

pytestmark = pytest.mark.django_db

HEADER = "ref,name,schema,aliases,dob,country,program,remarks\n"


def _ftm(entity: dict[str, Any]) -> bytes:
    return json.dumps(entity).encode()


HOSTILE = {
    "csv-long-ref": ("csv", (HEADER + "R" * 300 + ",Some Name,person,,,,,\n").encode()),
    "ftm-long-id": ("ftm", _ftm({"id": "i" * 300, "schema": "Person", "properties": {"name": ["Some Name"]}})),
    "ofac-long-ent-num": ("ofac", ("1" * 300 + ",ACME,-0-,SDGT,-0-,-0-,-0-,-0-,-0-,-0-,-0-,-0-\n").encode()),
    "un-long-ref": (
        "un",
        (
            "<CONSOLIDATED_LIST><ENTITIES><ENTITY><FIRST_NAME>ACME</FIRST_NAME>"
            f"<REFERENCE_NUMBER>{'Q' * 300}</REFERENCE_NUMBER></ENTITY></ENTITIES></CONSOLIDATED_LIST>"
        ).encode(),
    ),
    "un-encoding": ("un", b'<?xml version="1.0" encoding="UTF-7"?><CONSOLIDATED_LIST/>'),
    "ftm-deep": ("ftm", b"[" * 100_000 + b"]" * 100_000),
}


@pytest.mark.parametrize("name", sorted(HOSTILE))
def test_the_service_refuses_with_a_validation_error(name: str, make_user: Any, tmp_path: Path) -> None:
    kind, data = HOSTILE[name]
    path = tmp_path / "list-upload"
    path.write_bytes(data)
    loader = make_user("MX", Role.ADMINISTRATOR)
    with pytest.raises(ValidationError) as info:
        services.load_list(kind, path, by=loader, name="Fuzz list")
    assert "file" in info.value.message_dict
    assert not ListVersion.objects.exists() and not ListedEntry.objects.exists()


@pytest.mark.parametrize("name", sorted(HOSTILE))
def test_the_upload_page_shows_the_refusal(name: str, make_user: Any) -> None:
    kind, data = HOSTILE[name]
    client = Client()
    client.force_login(make_user("MX", Role.ADMINISTRATOR))
    response = client.post(
        "/screening/lists/load/", {"kind": kind, "name": "Fuzz list", "file": SimpleUploadedFile("list", data)}
    )
    assert response.status_code in (200, 400)
    assert "usa-error-message" in response.content.decode()
    assert not ListVersion.objects.exists()


NUL_FILES = {
    "ftm-nul-name": ("ftm", _ftm({"id": "x1", "schema": "Person", "properties": {"name": ["Some\u0000Name"]}})),
    "ftm-nul-notes": (
        "ftm",
        _ftm({"id": "x2", "schema": "Person", "properties": {"name": ["Some Name"], "notes": ["a\u0000b"]}}),
    ),
    "ftm-nul-id": ("ftm", _ftm({"id": "x\u00003", "schema": "Person", "properties": {"name": ["Some Name"]}})),
    "ofac-nul-name": ("ofac", b"1,AC\x00ME,-0-,SDGT,-0-,-0-,-0-,-0-,-0-,-0-,-0-,-0-\n"),
    "ofac-nul-remarks": ("ofac", b"1,ACME,-0-,SDGT,-0-,-0-,-0-,-0-,-0-,-0-,-0-,a\x00b\n"),
    "un-nul-reference": (
        "un",
        b"<CONSOLIDATED_LIST><ENTITIES><ENTITY><FIRST_NAME>ACME</FIRST_NAME>"
        b"<REFERENCE_NUMBER>Q&#0;1</REFERENCE_NUMBER></ENTITY></ENTITIES></CONSOLIDATED_LIST>",
    ),
}


@pytest.mark.parametrize("name", sorted(NUL_FILES))
def test_nul_characters_are_refused_or_dropped(name: str, make_user: Any, tmp_path: Path) -> None:
    """PostgreSQL stores no NUL character in text or JSON: a list that carries one is refused, or loads without it."""
    kind, data = NUL_FILES[name]
    path = tmp_path / "list-upload"
    path.write_bytes(data)
    loader = make_user("MX", Role.ADMINISTRATOR)
    refusal: ValidationError | None = None
    try:
        version = services.load_list(kind, path, by=loader, name="Fuzz list")
    except ValidationError as exc:
        refusal = exc
    if refusal is not None:
        assert "file" in refusal.message_dict
        assert not ListVersion.objects.exists()
        return
    for entry in ListedEntry.objects.filter(version=version):
        assert "\x00" not in entry.ref + entry.primary_name and "\\u0000" not in json.dumps(entry.data)

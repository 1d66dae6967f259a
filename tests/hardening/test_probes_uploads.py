"""Path traversal: hostile file names on every upload that is stored, and hostile path segments on every route.

The only uploads kept on disk are the documents attached to licensing cases (the page form, the EUC section
and the API); the other uploads (sanctions lists, trust lists, record imports, QR scans) are read in memory
and never written under a name the user gave. A stored file must land under MEDIA_ROOT with a generated name,
the name shown to people must be a harmless label, and no download can be pointed at another file.
`attkit restore`'s archive members are checked in tests/core/test_backup.py (`..`) and below (absolute
paths, links).
"""

from __future__ import annotations

import io
import re
import tarfile
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.test import Client

from attkit.licensing import services
from attkit.licensing.models import CaseDocument
from tests.hardening._probes_common import PARAM, routes
from tests.licensing import world as w

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
HOSTILE_NAMES = (
    "../../etc/passwd",
    "../../../../../../tmp/attkit-probe.pdf",
    "..\\..\\windows\\system32\\drivers\\etc\\hosts.pdf",
    "/etc/passwd",
    "C:\\boot.ini",
    "\\\\server\\share\\x.pdf",
    "a\x00.pdf",
    "x" * 1000 + ".pdf",
    "．．／．．／etc／passwd.pdf",  # full-width dots and slash
    "‥/‥/etc/passwd.pdf",  # two-dot leader
    "\u202egpj.exe.pdf",  # right-to-left override
    "..",
    ".",
    ".htaccess",
    'a"; filename="evil.html',
    "a\r\nX-Injected: 1.pdf",
    "%2e%2e%2f%2e%2e%2fpasswd.pdf",
    "~/.ssh/id_rsa",
    "<script>alert(1)</script>.pdf",
)
STORED = re.compile(r"^licensing/[0-9a-f-]{36}/[0-9a-f]{32}\.(pdf|png|jpg)$")


@pytest.fixture
def draft(make_user: Any, make_authority: Any) -> tuple[Any, Any]:
    world = w.build(make_user, make_authority, with_euc=False)
    applicant = world["de.applicant"]
    return applicant, services.create_application(by=applicant, data=w.export_application(world))


def _client(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


BOUNDARY = "----attkitprobeboundary"


def _multipart(fields: dict[str, str], filename: str) -> bytes:
    """A form body written by hand: the test client would strip the directories from the name before sending."""
    parts = []
    for key, value in fields.items():
        parts.append(f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="{key}"\r\n\r\n{value}\r\n'.encode())
    head = f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="file"; filename="{filename}"\r\n'
    parts.append(head.encode("utf-8", "surrogatepass") + b"Content-Type: text/html\r\n\r\n" + PDF + b"\r\n")
    return b"".join(parts) + f"--{BOUNDARY}--\r\n".encode()


def _post_file(client: Client, url: str, fields: dict[str, str], filename: str) -> Any:
    return client.generic(
        "POST", url, _multipart(fields, filename), content_type=f"multipart/form-data; boundary={BOUNDARY}"
    )


def _assert_safe(document: CaseDocument) -> None:
    media = Path(settings.MEDIA_ROOT).resolve()
    assert STORED.match(document.file.name), document.file.name
    stored = (media / document.file.name).resolve()
    assert stored.is_relative_to(media) and stored.is_file()
    label = document.original_name
    assert label and len(label) <= 120
    assert not set(label) & {"/", "\\", "\x00", "\r", "\n", '"'}, label
    assert not label.startswith("."), label


def _assert_only_generated_files() -> None:
    media = Path(settings.MEDIA_ROOT)
    files = [p.relative_to(media).as_posix() for p in media.rglob("*") if p.is_file()]
    assert files and all(STORED.match(f) for f in files), files


def _assert_download(client: Client, url: str) -> None:
    response = client.get(url)
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == PDF
    disposition = response["Content-Disposition"]
    assert "\r" not in disposition and "\n" not in disposition
    assert disposition.startswith("attachment;")
    # One filename parameter only: a quote in the name cannot open a second one.
    assert len(re.findall(r"filename\*?=", disposition)) <= 2
    # The name offered ends with the type read from the content: a PDF sent as "evil.html" is not saved as HTML.
    assert re.search(r"\.pdf\"?$", disposition), disposition


def test_hostile_names_through_the_page_form(draft: tuple[Any, Any]) -> None:
    applicant, case = draft
    client = _client(applicant)
    url = f"/cases/{case.pk}/apply/documents/"
    for name in HOSTILE_NAMES:
        response = _post_file(client, url, {"kind": "contract"}, name)
        # 400: Django's multipart parser refuses a header it cannot read (the 1,000-character name)
        assert response.status_code in (200, 302, 400), (name, response.status_code)
    documents = list(case.documents.all())
    # Django's parser drops a file whose name it cannot read (".." or ".", a name cut by CR LF): "no file".
    assert len(documents) >= len(HOSTILE_NAMES) - 5
    for document in documents:
        _assert_safe(document)
        assert document.media_type == "application/pdf"  # sniffed, never the browser's text/html
        _assert_download(client, f"/cases/{case.pk}/documents/{document.pk}/")
    _assert_only_generated_files()


def test_hostile_names_through_the_api(draft: tuple[Any, Any]) -> None:
    applicant, case = draft
    client = _client(applicant)
    for name in HOSTILE_NAMES:
        response = _post_file(client, f"/api/v1/licensing/cases/{case.pk}/documents?kind=other", {}, name)
        assert response.status_code in (201, 400, 422), (name, response.status_code, response.content[:200])
    documents = list(case.documents.all())
    assert documents
    for document in documents:
        _assert_safe(document)
        _assert_download(client, f"/api/v1/licensing/cases/{case.pk}/documents/{document.pk}")
    _assert_only_generated_files()


def test_hostile_names_through_the_service(draft: tuple[Any, Any]) -> None:
    """The CLI and any future entry point call the service with the name as given."""
    applicant, case = draft
    for name in HOSTILE_NAMES:
        _assert_safe(services.attach_document(case.pk, by=applicant, kind="other", data=PDF, name=name))
    _assert_only_generated_files()


TRAVERSALS = ("..", "...", "..%2F..%2Fetc%2Fpasswd", "%2e%2e", "..\\..\\etc\\passwd", "~root", ".%00.", "%c0%ae%c0%ae")


def test_no_route_parameter_reaches_a_file_outside(make_user: Any) -> None:
    """Every str, slug or path parameter (module ids, export formats, chart keys...) given a traversal."""
    from attkit.core.permissions import Role

    client = _client(make_user("MX", *list(Role), username="mx.paths"))
    problems = []
    probed = 0
    for route, _callback in routes():
        convs = [m.group("conv") for m in PARAM.finditer(route)]
        if not any(c in (None, "str", "slug", "path") for c in convs):
            continue
        for value in TRAVERSALS:

            def sub(match: re.Match[str], value: str = value) -> str:
                conv = match.group("conv")
                if conv == "uuid":
                    return "00000000-0000-4000-8000-000000000000"
                return "1" if conv == "int" else value

            url = "/" + PARAM.sub(sub, route)
            response = client.get(url)
            probed += 1
            body = b"".join(response.streaming_content) if response.streaming else response.content
            if response.status_code >= 500 or b"root:x:0:0" in body or b"SECRET_KEY" in body:
                problems.append(f"GET {url} -> {response.status_code}")
    assert probed > 20
    assert problems == [], "\n".join(problems)


@pytest.mark.parametrize(
    "member",
    [
        pytest.param(("/etc/attkit-probe", tarfile.REGTYPE, ""), id="absolute"),
        pytest.param(("keys/../../escape", tarfile.REGTYPE, ""), id="dotdot-inside"),
        pytest.param(("keys/link", tarfile.SYMTYPE, "/etc/passwd"), id="symlink"),
        pytest.param(("keys/hard", tarfile.LNKTYPE, "/etc/passwd"), id="hardlink"),
        pytest.param(("keys/dev", tarfile.CHRTYPE, ""), id="device"),
    ],
)
def test_restore_refuses_members_that_leave_the_archive(member: tuple[str, bytes, str]) -> None:
    from attkit.core import backup

    name, kind, target = member
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz") as tar:
        info = tarfile.TarInfo(name)
        info.type = kind
        info.linkname = target
        info.size = 0
        tar.addfile(info, io.BytesIO(b""))
    buffer.seek(0)
    with tarfile.open(fileobj=buffer, mode="r:gz") as tar, pytest.raises(backup.BackupError, match="refusing"):
        backup._safe_members(tar)

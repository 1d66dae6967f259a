"""Checks on files attached to cases: type read from the content (PDF, PNG, JPEG only), size capped, and a
display name that can never become a path."""

from __future__ import annotations

import hashlib
import re
import unicodedata
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

MAX_UPLOAD_BYTES = 10 * 1024 * 1024
MAX_NAME_LENGTH = 120

TYPES: dict[str, tuple[str, str]] = {  # sniffed kind -> (media type, extension on disk)
    "pdf": ("application/pdf", "pdf"),
    "png": ("image/png", "png"),
    "jpeg": ("image/jpeg", "jpg"),
}

SUFFIXES = {"pdf": (".pdf",), "png": (".png",), "jpeg": (".jpg", ".jpeg")}

_UNSAFE = re.compile(r"[^\w .()\-]+", re.UNICODE)


@dataclass(frozen=True)
class CheckedFile:
    """An upload that passed the checks."""

    data: bytes
    kind: str
    media_type: str
    extension: str
    display_name: str
    sha256: str


def sniff(data: bytes) -> str | None:
    """The type of a file from its first bytes; None for anything but PDF, PNG and JPEG."""
    if data.startswith(b"%PDF-"):
        return "pdf"
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png"
    if data.startswith(b"\xff\xd8\xff"):
        return "jpeg"
    return None


def display_name(name: str) -> str:
    """The file name as given, reduced to a harmless label: no directories, no control characters.

    It is shown to people only; files are stored under random names.
    """
    text = unicodedata.normalize("NFC", name or "").replace("\\", "/").split("/")[-1]
    text = "".join(ch for ch in text if unicodedata.category(ch)[0] != "C")
    text = _UNSAFE.sub("_", text).strip(" .")
    return text[:MAX_NAME_LENGTH] or "document"


def check(data: bytes, name: str, *, field: str = "file", max_bytes: int = MAX_UPLOAD_BYTES) -> CheckedFile:
    """Accept a PDF, PNG or JPEG up to `max_bytes`, whatever its name says; ValidationError naming `field`."""
    if not data:
        raise ValidationError({field: _("The selected file is empty.")})
    if len(data) > max_bytes:
        raise ValidationError(
            {field: _("The selected file must be smaller than %(mb)s MB.") % {"mb": max_bytes // (1024 * 1024)}}
        )
    kind = sniff(data)
    if kind is None:
        raise ValidationError({field: _("The selected file must be a PDF, PNG or JPEG.")})
    if kind == "pdf" and b"%%EOF" not in data[-2048:]:
        raise ValidationError({field: _("The selected PDF is damaged or incomplete.")})
    media_type, extension = TYPES[kind]
    label = display_name(name)
    # The name offered on download ends with the sniffed type, so a PDF named "x.html" is not opened as HTML.
    if not label.lower().endswith(SUFFIXES[kind]):
        label = f"{label[: MAX_NAME_LENGTH - len(extension) - 1]}.{extension}"
    return CheckedFile(
        data=data,
        kind=kind,
        media_type=media_type,
        extension=extension,
        display_name=label,
        sha256=hashlib.sha256(data).hexdigest(),
    )

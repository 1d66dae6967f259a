"""EUC verification entry points for the CLI and the API: one input reader, one output shape."""

from __future__ import annotations

from typing import Any

from attkit.euc import payload, registry

MAX_TEXT = 64 * 1024
PREFIXES = (payload.EUC_PREFIX, payload.DVC_PREFIX)
FILE_MAGIC = (b"%PDF-", b"\x89PNG\r\n\x1a\n", b"\xff\xd8\xff")


def is_file_content(data: bytes) -> bool:
    return data.startswith(FILE_MAGIC)


def verify_bytes(data: bytes, *, filename: str = "", user: Any = None, online: bool = True) -> Any:
    """Verify a PDF, a PNG or JPEG image, or seal text given as bytes; never raises on bad input."""
    from attkit.seals import verification

    if is_file_content(data):
        return verification.verify_file(data, filename, user=user, online=online, prefixes=PREFIXES)
    text = data[:MAX_TEXT].decode("utf-8", errors="replace").strip()
    return verification.verify_text(text, user=user, online=online, prefixes=PREFIXES)


def verify_text(text: str, *, user: Any = None, online: bool = True) -> Any:
    from attkit.seals import verification

    return verification.verify_text(text.strip(), user=user, online=online, prefixes=PREFIXES)


def output(result: Any) -> dict[str, Any]:
    """The JSON answer: the seals verifier's fields, the certificate with readable keys, and the raw payload."""
    data: dict[str, Any] = result.as_dict()
    data["payload"] = data.get("certificate")
    data["certificate"] = registry.describe(result)
    return data

"""Licence verification for customs and licensing officers: the seal verifier restricted to "LIC1:", plus
what the licence register says (registered in verification.licence_registry)."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _

from attkit.core.models import Authority
from attkit.licensing import documents, uploads
from attkit.licensing.integrations import LICENCE_PREFIX

MAX_TEXT = 4096


def verify_text(text: str, *, user: Any | None = None, authority: Authority | None = None, online: bool = True) -> Any:
    from attkit.seals import verification

    return verification.verify_text(
        text.strip()[:MAX_TEXT], user=user, authority=authority, prefixes=[LICENCE_PREFIX], online=online
    )


def verify_bytes(
    data: bytes, *, user: Any | None = None, authority: Authority | None = None, online: bool = True
) -> Any:
    """A PDF or photo of a licence, or a file holding the seal text."""
    from attkit.seals import verification

    if uploads.sniff(data) is None:
        try:
            text = data[: MAX_TEXT + 1].decode("utf-8")
        except UnicodeDecodeError:
            text = ""
        if ":" in text.strip()[:8]:
            return verify_text(text, user=user, authority=authority, online=online)
    return verification.verify_file(data, user=user, authority=authority, prefixes=[LICENCE_PREFIX], online=online)


def document_kind(result: Any) -> str | None:
    payload = result.certificate if isinstance(result.certificate, dict) else None
    if not payload:
        return None
    return "refusal" if payload.get("t") == "R" else "licence"


def as_dict(result: Any) -> dict[str, Any]:
    """The verification's answer (as `attkit euc verify` gives it) with the licence's reading added.

    `valid` is true only for a licence in good standing: a genuine refusal letter has a valid seal
    but authorises nothing.
    """
    data = dict(result.as_dict())
    kind = document_kind(result)
    data["document"] = kind
    data["payload"] = data.get("certificate")
    data["certificate"] = documents.describe(result.certificate) if isinstance(result.certificate, dict) else None
    if kind == "refusal":
        data["valid"] = False
        data["reasons"] = [*data.get("reasons", []), _("This is a refusal letter: it authorises no transfer.")]
    return data


def is_valid_licence(result: Any) -> bool:
    return bool(result.valid) and document_kind(result) == "licence"

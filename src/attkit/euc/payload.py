"""What goes into an EUC or DVC seal: a compact payload of codes and numbers bound to the full document by its hash.

A QR code at error correction Q holds about 700 bytes up to version 25 (DOMAIN.md section 6), so the seal
carries codes and numbers only; the SHA-256 of the canonical full document (every element, as JSON with
sorted keys) binds the printed text to the seal: change a word of the certificate and the hash no longer
matches the one the issuing authority signed.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping, Sequence
from datetime import date
from decimal import Decimal
from typing import Any

EUC_PREFIX = "EUC1:"
DVC_PREFIX = "DVC1:"
SHORT_NAME_LENGTH = 40
PAYLOAD_VERSION = 1


def _default(value: Any) -> Any:
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return format(value, "f")
    if isinstance(value, bytes):
        return value.hex()
    raise TypeError(f"cannot put {type(value).__name__} in a canonical document")


def canonical_json(document: Mapping[str, Any]) -> bytes:
    """The canonical form of a document: JSON, sorted keys, no spaces, UTF-8."""
    return json.dumps(document, default=_default, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode(
        "utf-8"
    )


def document_hash(document: Mapping[str, Any]) -> str:
    """SHA-256 (hex) of the canonical document."""
    return hashlib.sha256(canonical_json(document)).hexdigest()


def short_name(name: str, length: int = SHORT_NAME_LENGTH) -> str:
    """A name cut to fit the seal, on a word boundary where possible."""
    clean = " ".join(name.split())
    if len(clean) <= length:
        return clean
    cut = clean[:length]
    return cut.rsplit(" ", 1)[0] if " " in cut[length // 2 :] else cut


def euc_payload(
    *,
    serial: str,
    authority: str,
    issue_date: date,
    expiry_date: date,
    end_user_country: str,
    end_user_name: str,
    goods: Sequence[tuple[str, str, int, str]],
    doc_hash: str,
    supersedes: str = "",
) -> dict[str, Any]:
    """The compact EUC payload: goods as [category code, HS code, quantity, unit] in line order."""
    payload: dict[str, Any] = {
        "v": PAYLOAD_VERSION,
        "s": serial,
        "a": authority,
        "i": issue_date.isoformat(),
        "e": expiry_date.isoformat(),
        "c": end_user_country,
        "n": short_name(end_user_name),
        "g": [[cat, hs, int(qty), unit] for cat, hs, qty, unit in goods],
        "h": bytes.fromhex(doc_hash),
    }
    if supersedes:
        payload["p"] = supersedes
    return payload


def dvc_payload(
    *,
    serial: str,
    euc_serial: str,
    authority: str,
    delivery_date: date,
    received: Sequence[tuple[int, int]],
    discrepancies: bool,
    doc_hash: str,
) -> dict[str, Any]:
    """The compact DVC payload: quantities received as [line number, quantity]."""
    return {
        "v": PAYLOAD_VERSION,
        "s": serial,
        "r": euc_serial,
        "a": authority,
        "d": delivery_date.isoformat(),
        "g": [[int(line), int(qty)] for line, qty in received],
        "x": bool(discrepancies),
        "h": bytes.fromhex(doc_hash),
    }


def _hex(value: Any) -> str:
    return value.hex() if isinstance(value, bytes | bytearray) else str(value or "")


def describe_euc(payload: Mapping[str, Any]) -> dict[str, Any]:
    """The payload with readable keys (for verification output); unknown shapes give what can be read."""
    goods = []
    for row in payload.get("g") or []:
        if isinstance(row, list | tuple) and len(row) >= 4:
            goods.append({"category": row[0], "hs_code": row[1], "quantity": row[2], "unit": row[3]})
    result: dict[str, Any] = {
        "kind": "EUC",
        "serial": payload.get("s"),
        "authority": payload.get("a"),
        "issue_date": payload.get("i"),
        "expiry_date": payload.get("e"),
        "end_user_country": payload.get("c"),
        "end_user": payload.get("n"),
        "goods": goods,
        "document_hash": _hex(payload.get("h")),
    }
    if payload.get("p"):
        result["supersedes"] = payload.get("p")
    return result


def describe_dvc(payload: Mapping[str, Any]) -> dict[str, Any]:
    received = []
    for row in payload.get("g") or []:
        if isinstance(row, list | tuple) and len(row) >= 2:
            received.append({"line": row[0], "quantity": row[1]})
    return {
        "kind": "DVC",
        "serial": payload.get("s"),
        "certificate": payload.get("r"),
        "authority": payload.get("a"),
        "delivery_date": payload.get("d"),
        "received": received,
        "discrepancies": bool(payload.get("x")),
        "document_hash": _hex(payload.get("h")),
    }

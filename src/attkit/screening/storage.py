"""List entries to JSON and back, for keeping them in the database (pure: no Django)."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from typing import Any

from attkit.screening.loaders.model import (
    Address,
    BirthDate,
    Document,
    ListEntry,
    Name,
    NameQuality,
    Schema,
)


def entry_to_dict(entry: ListEntry) -> dict[str, Any]:
    return {
        "ref": entry.ref,
        "schema": entry.schema.value,
        "names": [[n.value, n.quality.value] for n in entry.names],
        "dobs": [[d.year_from, d.year_to, d.month, d.day, d.approximate] for d in entry.dobs],
        "nationalities": list(entry.nationalities),
        "countries": list(entry.countries),
        "documents": [[d.type, d.number, d.country] for d in entry.documents],
        "addresses": [[a.text, a.country] for a in entry.addresses],
        "programs": list(entry.programs),
        "listed_on": entry.listed_on.isoformat() if entry.listed_on else None,
        "remarks": entry.remarks,
    }


def entry_from_dict(data: dict[str, Any]) -> ListEntry:
    return ListEntry(
        ref=data["ref"],
        schema=Schema(data["schema"]),
        names=tuple(Name(v, NameQuality(q)) for v, q in data["names"]),
        dobs=tuple(BirthDate(a, b, m, d, bool(x)) for a, b, m, d, x in data["dobs"]),
        nationalities=tuple(data["nationalities"]),
        countries=tuple(data["countries"]),
        documents=tuple(Document(t, n, c) for t, n, c in data["documents"]),
        addresses=tuple(Address(t, c) for t, c in data["addresses"]),
        programs=tuple(data["programs"]),
        listed_on=dt.date.fromisoformat(data["listed_on"]) if data["listed_on"] else None,
        remarks=data["remarks"],
    )


def content_hash(data: dict[str, Any]) -> str:
    """A stable hash of an entry's content: a changed listing gets a new hash (and a fresh review)."""
    text = json.dumps(data, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def party_fingerprint(name: str, dob: str, country: str, schema: str) -> str:
    """Identifies a screened party for remembered decisions: a changed name, date or country is a new party."""
    text = "|".join((" ".join(name.casefold().split()), dob.strip(), country.strip().upper(), schema.strip()))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()

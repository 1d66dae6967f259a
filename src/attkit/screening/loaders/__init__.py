"""Pure parsers for sanctions and denial lists: UN XML, OFAC SDN CSV, FollowTheMoney JSON, national CSV."""

from __future__ import annotations

from pathlib import Path

from attkit.screening.loaders.ftm import load_ftm
from attkit.screening.loaders.model import (
    MAX_FILE_BYTES,
    MAX_NAME_LENGTH,
    Address,
    BirthDate,
    Document,
    ListDiff,
    ListEntry,
    ListFormatError,
    ListKind,
    ListSnapshot,
    Name,
    NameQuality,
    Schema,
    diff,
)
from attkit.screening.loaders.national import load_national_csv
from attkit.screening.loaders.ofac import load_ofac
from attkit.screening.loaders.un import load_un

LOADERS = {
    ListKind.UN: load_un,
    ListKind.OFAC: load_ofac,
    ListKind.FTM: load_ftm,
    ListKind.CSV: load_national_csv,
}

#: The list files shipped with attkit for the demo and the tests.
DATA_DIR = Path(__file__).resolve().parent.parent / "data"
UN_SAMPLE = DATA_DIR / "un" / "UN_consolidated.xml"
OFAC_SAMPLE = DATA_DIR / "ofac"


def load(
    kind: str | ListKind, path: str | Path, *, max_bytes: int = MAX_FILE_BYTES, version: str | None = None
) -> ListSnapshot:
    """Load a list file of the given kind ('un', 'ofac', 'ftm' or 'csv'); `version` overrides the file's own."""
    try:
        list_kind = ListKind(str(kind).casefold())
    except ValueError:
        known = ", ".join(k.value for k in ListKind)
        raise ListFormatError(f"unknown list kind {kind!r}; expected one of {known}") from None
    return LOADERS[list_kind](path, max_bytes=max_bytes, version=version)


__all__ = [
    "DATA_DIR",
    "MAX_FILE_BYTES",
    "MAX_NAME_LENGTH",
    "OFAC_SAMPLE",
    "UN_SAMPLE",
    "Address",
    "BirthDate",
    "Document",
    "ListDiff",
    "ListEntry",
    "ListFormatError",
    "ListKind",
    "ListSnapshot",
    "Name",
    "NameQuality",
    "Schema",
    "diff",
    "load",
    "load_ftm",
    "load_national_csv",
    "load_ofac",
    "load_un",
]

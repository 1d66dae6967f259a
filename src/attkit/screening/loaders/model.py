"""The list entry and snapshot shapes every loader returns, their errors and input caps."""

from __future__ import annotations

import datetime as dt
import gc
import hashlib
import os
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path

from attkit.screening.normalize import MAX_NAME_LENGTH as _MAX_NAME_LENGTH

#: A list file larger than this is refused before it is read (the real UN list is 2 MB,
#: the full OFAC SDN set about 10 MB, OpenSanctions' default collection about 1 GB and
#: so needs the cap raised on purpose).
MAX_FILE_BYTES = 200 * 1024 * 1024

#: A single name longer than this is refused, in a list file as in a query.
MAX_NAME_LENGTH = _MAX_NAME_LENGTH

#: A single remarks or address text longer than this is refused.
MAX_TEXT_LENGTH = 100_000


class ListFormatError(ValueError):
    """A list file that cannot be loaded; the message names the file part at fault."""


class ListKind(StrEnum):
    UN = "un"
    OFAC = "ofac"
    FTM = "ftm"
    CSV = "csv"


class Schema(StrEnum):
    PERSON = "person"
    ORGANIZATION = "organization"
    VESSEL = "vessel"
    AIRCRAFT = "aircraft"


class NameQuality(StrEnum):
    STRONG = "strong"  # the listed name or a good-quality alias
    WEAK = "weak"  # a low-quality alias (UN "Low", OFAC remarks a.k.a., FtM weakAlias)
    ORIGINAL_SCRIPT = "original_script"  # the name as written in its own script


@dataclass(frozen=True, slots=True)
class Name:
    value: str
    quality: NameQuality = NameQuality.STRONG


@dataclass(frozen=True, slots=True)
class BirthDate:
    """A date of birth as precise as the list gives it: a day, a month, a year or a range of years."""

    year_from: int
    year_to: int
    month: int | None = None
    day: int | None = None
    approximate: bool = False

    @classmethod
    def exact(cls, date: dt.date) -> BirthDate:
        return cls(date.year, date.year, date.month, date.day)

    @classmethod
    def year(cls, year: int, *, approximate: bool = False) -> BirthDate:
        return cls(year, year, approximate=approximate)

    @classmethod
    def between(cls, year_from: int, year_to: int) -> BirthDate:
        low, high = sorted((year_from, year_to))
        return cls(low, high)

    @property
    def kind(self) -> str:
        if self.day is not None:
            return "exact"
        if self.month is not None:
            return "month"
        if self.year_from == self.year_to:
            return "year"
        return "range"

    def __str__(self) -> str:
        if self.day is not None and self.month is not None:
            return f"{self.year_from:04d}-{self.month:02d}-{self.day:02d}"
        if self.month is not None:
            return f"{self.year_from:04d}-{self.month:02d}"
        text = f"{self.year_from:04d}" if self.year_from == self.year_to else f"{self.year_from}..{self.year_to}"
        return f"circa {text}" if self.approximate else text


@dataclass(frozen=True, slots=True)
class Document:
    type: str
    number: str
    country: str | None = None  # ISO 3166-1 alpha-2


@dataclass(frozen=True, slots=True)
class Address:
    text: str
    country: str | None = None  # ISO 3166-1 alpha-2


@dataclass(frozen=True, slots=True)
class ListEntry:
    """One listed person, organisation, vessel or aircraft."""

    ref: str
    schema: Schema
    names: tuple[Name, ...]
    dobs: tuple[BirthDate, ...] = ()
    nationalities: tuple[str, ...] = ()  # ISO 3166-1 alpha-2
    countries: tuple[str, ...] = ()  # ISO 3166-1 alpha-2: addresses, flags, places of birth
    documents: tuple[Document, ...] = ()
    addresses: tuple[Address, ...] = ()
    programs: tuple[str, ...] = ()
    listed_on: dt.date | None = None
    remarks: str = ""

    @property
    def primary_name(self) -> str:
        return self.names[0].value if self.names else ""


@dataclass(frozen=True, slots=True)
class ListSnapshot:
    """A list as loaded from one file, with its provenance."""

    kind: ListKind
    source: str  # the file or directory read
    version: str  # dateGenerated, or the file date when the list carries none
    generated_at: dt.datetime | None
    sha256: str  # of the bytes read, to tell a re-published list from an unchanged one
    entries: tuple[ListEntry, ...] = field(repr=False)

    @property
    def counts(self) -> dict[str, int]:
        counts = {schema.value: 0 for schema in Schema}
        for entry in self.entries:
            counts[entry.schema.value] += 1
        counts["total"] = len(self.entries)
        return counts


@dataclass(frozen=True, slots=True)
class ListDiff:
    added: tuple[str, ...]
    removed: tuple[str, ...]
    changed: tuple[str, ...]

    @property
    def is_empty(self) -> bool:
        return not (self.added or self.removed or self.changed)


def diff(old: Iterable[ListEntry], new: Iterable[ListEntry]) -> ListDiff:
    """The refs added, removed and changed between two versions of the same list."""
    before = {entry.ref: entry for entry in old}
    after = {entry.ref: entry for entry in new}
    added = sorted(after.keys() - before.keys())
    removed = sorted(before.keys() - after.keys())
    changed = sorted(ref for ref in before.keys() & after.keys() if before[ref] != after[ref])
    return ListDiff(tuple(added), tuple(removed), tuple(changed))


@contextmanager
def paused_gc() -> Iterator[None]:
    """Pause the cyclic garbage collector while a list is parsed or indexed.

    Bulk loading creates hundreds of thousands of objects that all stay alive; with the collector
    running, its full passes over the growing heap take half of the time.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def read_capped(path: Path, *, max_bytes: int = MAX_FILE_BYTES) -> bytes:
    """The bytes of a list file, refusing a missing, special or oversized file before reading it."""
    try:
        info = path.stat()
    except FileNotFoundError:
        raise ListFormatError(f"{path}: file not found") from None
    except OSError as exc:
        raise ListFormatError(f"{path}: cannot be read ({exc.strerror})") from None
    if not path.is_file():
        raise ListFormatError(f"{path}: not a regular file")
    if info.st_size > max_bytes:
        raise ListFormatError(f"{path}: {info.st_size:,} bytes is over the {max_bytes:,}-byte limit for a list file")
    with path.open("rb") as handle:
        data = handle.read(max_bytes + 1)
    if len(data) > max_bytes:  # the file grew while we looked at it
        raise ListFormatError(f"{path}: over the {max_bytes:,}-byte limit for a list file")
    return data


def sha256_of(*chunks: bytes) -> str:
    digest = hashlib.sha256()
    for chunk in chunks:
        digest.update(chunk)
    return digest.hexdigest()


def file_date(path: Path) -> str:
    """The modification date of a file, as the version of a list that carries none."""
    stamp = dt.datetime.fromtimestamp(os.stat(path).st_mtime, tz=dt.UTC)
    return stamp.date().isoformat()


def check_name(value: str, where: str) -> str:
    """A list name, stripped; refuses an empty or oversized one naming where it was found."""
    text = " ".join(value.split())
    if not text:
        raise ListFormatError(f"{where}: empty name")
    if len(text) > MAX_NAME_LENGTH:
        raise ListFormatError(f"{where}: name of {len(text):,} characters is over the {MAX_NAME_LENGTH:,} limit")
    return text


def check_text(value: str, where: str) -> str:
    if len(value) > MAX_TEXT_LENGTH:
        raise ListFormatError(f"{where}: text of {len(value):,} characters is over the {MAX_TEXT_LENGTH:,} limit")
    return value.strip()


def unique(values: Iterable[str | None]) -> tuple[str, ...]:
    """Values without blanks or repeats, in first-seen order."""
    seen: dict[str, None] = {}
    for value in values:
        if value:
            seen.setdefault(value, None)
    return tuple(seen)


def unique_names(names: Iterable[Name]) -> tuple[Name, ...]:
    """Names without repeats (case-insensitive), keeping the first and strongest quality of each."""
    order = {NameQuality.STRONG: 0, NameQuality.ORIGINAL_SCRIPT: 1, NameQuality.WEAK: 2}
    kept: dict[str, Name] = {}
    for name in names:
        key = name.value.casefold()
        current = kept.get(key)
        if current is None or order[name.quality] < order[current.quality]:
            kept[key] = name if current is None else Name(current.value, name.quality)
    return tuple(kept.values())

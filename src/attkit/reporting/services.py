"""Use cases of records and reports: record, supersede, delete after retention, import, export, report.

`record_transfer` is the interface licensing and customs call: the record is the contract, not their
models. Each use case checks its permission, owns its transaction and writes one audit event.
"""

from __future__ import annotations

import csv
import datetime as dt
import gc
import hashlib
import io
import json
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from enum import StrEnum
from typing import TYPE_CHECKING, Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Count, Max, Min, Q, Sum
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from attkit.core import audit
from attkit.core.models import Authority
from attkit.core.permissions import Permission, has_permission
from attkit.reporting import adapters, categories, importer, reconcile, xlsx
from attkit.reporting import report as rpt
from attkit.reporting.models import (
    Basis,
    CustomsDeclaration,
    Direction,
    EndUserType,
    ImportKind,
    ImportMapping,
    NationalDefinitions,
    PendingImport,
    RecordCounter,
    RecordImport,
    RecordSource,
    ReportKind,
    ReportSubmission,
    TransferRecord,
    retention_end,
)

if TYPE_CHECKING:
    from attkit.accounts.models import User


class ReportingAuditKind(StrEnum):
    RECORD_CREATE = "records:create"
    RECORD_SUPERSEDE = "records:supersede"
    RECORD_DELETE = "records:delete"
    RECORDS_IMPORT = "records:import"
    CUSTOMS_IMPORT = "records:customs_import"
    DEFINITIONS_UPDATE = "reports:definitions"
    REPORT_SUBMIT = "reports:submit"


# Who may write a record depends on where it comes from: licensing and customs call with their own officers.
SOURCE_PERMISSIONS: dict[str, tuple[Permission, ...]] = {
    RecordSource.MANUAL: (Permission.RECORDS_MANAGE,),
    RecordSource.IMPORT_CSV: (Permission.RECORDS_MANAGE,),
    RecordSource.LICENCE: (Permission.RECORDS_MANAGE, Permission.CASE_PROCESS, Permission.CASE_DECIDE),
    RecordSource.SHIPMENT: (Permission.RECORDS_MANAGE, Permission.SHIPMENT_RECORD),
}

REMINDER_DAYS = 60  # the dashboard reminds this many days before 31 May, and after it until marked submitted
GRACE_DAYS = 7  # practice of the ATT Secretariat after the 31 May deadline

RECORD_FIELDS = (
    "direction",
    "basis",
    "year",
    "date",
    "category",
    "quantity",
    "value",
    "currency",
    "model_type",
    "description",
    "hs_code",
    "exporting_state",
    "importing_state",
    "transit_states",
    "state_of_origin",
    "intermediate_location",
    "end_user",
    "end_user_type",
    "licence_reference",
    "euc_serial",
    "comments",
)
TEXT_LIMITS = {
    "model_type": 200,
    "description": 500,
    "intermediate_location": 200,
    "end_user": 300,
    "licence_reference": 100,
    "euc_serial": 40,
    "comments": 500,
}


def _label(by: User | None) -> str:
    return by.get_username() if by is not None else "system"


def _require_any(by: User | None, authority: Authority, permissions: Iterable[Permission]) -> None:
    """`by` None is the system (CLI, demo, migrations); a user must belong to the authority and hold one permission."""
    if by is None:
        return
    if by.authority_id != authority.pk:
        raise PermissionDenied(_("You can only act on your own authority's records."))
    if not any(has_permission(by, p) for p in permissions):
        raise PermissionDenied(_("You do not have permission to do this."))


def _authority_of(by: User) -> Authority:
    if by.authority is None:
        raise PermissionDenied(_("Your account belongs to no authority."))
    return by.authority


# Validation of one record's fields (pages, API, licensing); the CSV importer applies the same rules per row.


def clean_record(authority: Authority, data: Mapping[str, Any]) -> dict[str, Any]:
    """The record's fields, normalised; ValidationError naming each field at fault."""
    errors: dict[str, list[str]] = {}
    out: dict[str, Any] = {}

    def err(name: str, message: str) -> None:
        errors.setdefault(name, []).append(message)

    unknown = set(data) - set(RECORD_FIELDS)
    if unknown:
        raise ValidationError(_("Unknown record fields: %(names)s.") % {"names": ", ".join(sorted(unknown))})
    direction = str(data.get("direction") or "")
    if direction not in Direction.values:
        err("direction", _("Choose export, import, transit, trans-shipment or brokering."))
    basis = str(data.get("basis") or "")
    if basis not in Basis.values:
        err("basis", _("Choose authorised or actual."))
    out["direction"], out["basis"] = direction, basis

    when = data.get("date")
    if isinstance(when, str) and when:
        try:
            when = dt.date.fromisoformat(when)
        except ValueError:
            err("date", _("Enter the date as YYYY-MM-DD, such as 2024-03-15."))
            when = None
    if when is not None and not isinstance(when, dt.date):
        err("date", _("Enter the date as YYYY-MM-DD, such as 2024-03-15."))
        when = None
    year = data.get("year")
    try:
        year = int(year) if year not in (None, "") else None
    except (TypeError, ValueError):
        err("year", _("Enter the year as four digits."))
        year = None
    if year is None and when is not None:
        year = when.year
    if year is None:
        if "year" not in errors:
            err("year", _("Give the year or the date of the transfer."))
    elif not 1990 <= year <= timezone.localdate().year + 1:
        err("year", _("Enter a year between 1990 and next year."))
    elif when is not None and when.year != year:
        err("date", _("The date is not in the year given."))
    out["year"], out["date"] = year, when

    code = categories.normalize(str(data.get("category") or ""))
    if code is None or code not in adapters.valid_categories():
        err("category", _("Choose a category (I to VII, VII(b), a small-arms or light-weapons line, ART3, ART4)."))
    out["category"] = code or ""

    quantity = data.get("quantity")
    if quantity in ("", None):
        quantity = None
    else:
        try:
            quantity = int(quantity)
            if quantity < 0:
                raise ValueError
        except (TypeError, ValueError):
            err("quantity", _("Enter the number of items as a whole number."))
            quantity = None
    value = data.get("value")
    if value in ("", None):
        value = None
    else:
        try:
            value = Decimal(str(value)).quantize(Decimal("0.01"))
            if value < 0 or value >= Decimal("1e16"):
                raise InvalidOperation
        except (InvalidOperation, ValueError):
            err("value", _("Enter the value as a number, such as 1250.50."))
            value = None
    if quantity is None and value is None and "quantity" not in errors and "value" not in errors:
        err("quantity", _("Give the number of items, the value, or both."))
    currency = str(data.get("currency") or "").strip().upper()
    if currency and currency not in adapters.currency_codes():
        err("currency", _("Enter an ISO 4217 currency code, such as USD."))
    if value is not None and not currency:
        err("currency", _("Give the currency of the value."))
    out["quantity"], out["value"], out["currency"] = quantity, value, currency

    countries = adapters.country_codes()
    for name in ("exporting_state", "importing_state", "state_of_origin"):
        state = str(data.get(name) or "").strip().upper()
        if state and state not in countries:
            err(name, _("Enter an ISO 3166 two-letter country code, such as MX."))
        out[name] = state
    transit = data.get("transit_states") or []
    if isinstance(transit, str):
        transit = [t for t in transit.replace(";", ",").split(",") if t.strip()]
    transit = [str(t).strip().upper() for t in transit]
    if any(t not in countries for t in transit):
        err("transit_states", _("Enter ISO 3166 two-letter country codes, such as PA, CO."))
    out["transit_states"] = transit

    if direction == Direction.EXPORT:
        out["exporting_state"] = out["exporting_state"] or authority.country
        if not out["importing_state"]:
            err("importing_state", _("An export needs the importing state."))
    elif direction == Direction.IMPORT:
        out["importing_state"] = out["importing_state"] or authority.country
        if not out["exporting_state"]:
            err("exporting_state", _("An import needs the exporting state."))

    end_user_type = str(data.get("end_user_type") or "")
    if end_user_type and end_user_type not in EndUserType.values:
        err("end_user_type", _("Choose an end-user type from the list."))
    out["end_user_type"] = end_user_type
    hs = "".join(ch for ch in str(data.get("hs_code") or "") if ch.isdigit())
    if data.get("hs_code") and not 2 <= len(hs) <= 10:
        err("hs_code", _("Enter an HS code of 2 to 10 digits, such as 9301.90."))
    out["hs_code"] = hs
    for name, limit in TEXT_LIMITS.items():
        value_text = str(data.get(name) or "").strip()
        if len(value_text) > limit:
            err(name, _("Enter at most %(n)s characters.") % {"n": limit})
        out[name] = value_text
    if errors:
        raise ValidationError(errors)
    return out


def partner_of(direction: str, exporting_state: str, importing_state: str) -> str:
    """The other state in the report: the importer of an export, the exporter of anything else."""
    return importing_state if direction == Direction.EXPORT else exporting_state


def _references(authority: Authority, year: int, count: int) -> list[str]:
    counter, _created = RecordCounter.objects.select_for_update().get_or_create(authority=authority, year=year)
    first = counter.last + 1
    counter.last += count
    counter.save(update_fields=["last"])
    return [f"{authority.code}-TR-{year}-{n:06d}" for n in range(first, first + count)]


def _build(
    authority: Authority,
    clean: Mapping[str, Any],
    *,
    reference: str,
    by: User | None,
    source: str,
    source_id: str,
    supersedes: TransferRecord | None = None,
    reason: str = "",
) -> TransferRecord:
    return TransferRecord(
        authority=authority,
        reference=reference,
        partner_state=partner_of(clean["direction"], clean["exporting_state"], clean["importing_state"]),
        retain_until=retention_end(clean["year"], clean["date"]),
        source=source,
        source_id=source_id,
        supersedes=supersedes,
        correction_reason=reason,
        recorded_by=by,
        recorded_by_label=_label(by),
        **clean,
    )


def record_transfer(
    *,
    authority: Authority,
    by: User | None,
    direction: str,
    basis: str,
    category: str,
    year: int | None = None,
    date: dt.date | None = None,
    quantity: int | None = None,
    value: Decimal | None = None,
    currency: str = "",
    model_type: str = "",
    description: str = "",
    hs_code: str = "",
    exporting_state: str = "",
    importing_state: str = "",
    transit_states: Sequence[str] = (),
    state_of_origin: str = "",
    intermediate_location: str = "",
    end_user: str = "",
    end_user_type: str = "",
    licence_reference: str = "",
    euc_serial: str = "",
    comments: str = "",
    source: str = RecordSource.MANUAL,
    source_id: str = "",
) -> TransferRecord:
    """Keep one authorisation or actual transfer as an Art. 12 record (see the module docstring).

    Idempotent per (authority, source, source_id): a second call with the same non-empty source_id returns the
    record already kept. Raises ValidationError (by field) or PermissionDenied.
    """
    if source not in RecordSource.values:
        raise ValidationError({"source": [_("Unknown source.")]})
    _require_any(by, authority, SOURCE_PERMISSIONS[source])
    clean = clean_record(
        authority,
        {
            "direction": direction,
            "basis": basis,
            "category": category,
            "year": year,
            "date": date,
            "quantity": quantity,
            "value": value,
            "currency": currency,
            "model_type": model_type,
            "description": description,
            "hs_code": hs_code,
            "exporting_state": exporting_state,
            "importing_state": importing_state,
            "transit_states": list(transit_states),
            "state_of_origin": state_of_origin,
            "intermediate_location": intermediate_location,
            "end_user": end_user,
            "end_user_type": end_user_type,
            "licence_reference": licence_reference,
            "euc_serial": euc_serial,
            "comments": comments,
        },
    )
    source_id = source_id.strip()[:100]
    with transaction.atomic():
        if source_id:
            existing = (
                TransferRecord.objects.for_authority(authority)
                .current()
                .filter(source=source, source_id=source_id)
                .first()
            )
            if existing is not None:
                return existing
        (reference,) = _references(authority, clean["year"], 1)
        record = _build(authority, clean, reference=reference, by=by, source=source, source_id=source_id)
        record.save(force_insert=True)
        audit.record(
            by,
            ReportingAuditKind.RECORD_CREATE,
            record,
            {"reference": reference, "source": source, "source_id": source_id},
            authority=authority,
        )
    return record


def record_values(record: TransferRecord) -> dict[str, Any]:
    return {name: getattr(record, name) for name in RECORD_FIELDS}


def supersede_record(
    record_id: Any, *, by: User | None, reason: str, changes: Mapping[str, Any], authority: Authority | None = None
) -> TransferRecord:
    """Correct a record: a new version with the changes, linked to the old one, which stays as history."""
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": [_("Say why the record is corrected.")]})
    if len(reason) > 500:
        raise ValidationError({"reason": [_("Enter at most %(n)s characters.") % {"n": 500}]})
    with transaction.atomic():
        scope = (
            TransferRecord.objects.for_user(by) if by is not None else TransferRecord.objects.for_authority(authority)
        )
        old = scope.select_for_update().get(pk=record_id)
        _require_any(by, old.authority, (Permission.RECORDS_MANAGE,))
        if not old.is_current:
            raise ValidationError(_("This version was already corrected: correct the current version."))
        data = record_values(old)
        data.update(changes)
        clean = clean_record(old.authority, data)
        if all(clean[k] == getattr(old, k) for k in clean):
            raise ValidationError(_("Nothing was changed."))
        TransferRecord.objects.get_queryset().filter(pk=old.pk)._mark_superseded()
        (reference,) = _references(old.authority, clean["year"], 1)
        new = _build(
            old.authority,
            clean,
            reference=reference,
            by=by,
            source=old.source,
            source_id=old.source_id,
            supersedes=old,
            reason=reason,
        )
        new.save(force_insert=True)
        changed = sorted(k for k in clean if clean[k] != getattr(old, k))
        audit.record(
            by,
            ReportingAuditKind.RECORD_SUPERSEDE,
            new,
            {"reference": reference, "supersedes": old.reference, "changed": changed, "reason": reason},
            authority=old.authority,
        )
    return new


def history(record: TransferRecord) -> list[TransferRecord]:
    """Every version of the record, oldest first."""
    chain = [record]
    current = record
    while current.supersedes_id is not None:
        current = TransferRecord.objects.get(pk=current.supersedes_id)
        chain.insert(0, current)
    current = record
    while True:
        newer = TransferRecord.objects.filter(supersedes_id=current.pk).first()
        if newer is None:
            break
        chain.append(newer)
        current = newer
    return chain


def can_delete(record: TransferRecord, today: dt.date | None = None) -> bool:
    today = today or timezone.localdate()
    return record.is_current and all(v.retain_until <= today for v in history(record))


def delete_record(
    record_id: Any,
    *,
    by: User | None,
    reason: str = "",
    authority: Authority | None = None,
    actor_label: str | None = None,
) -> list[str]:
    """Delete a record and its earlier versions once every version is past its ten-year retention."""
    today = timezone.localdate()
    with transaction.atomic():
        scope = (
            TransferRecord.objects.for_user(by) if by is not None else TransferRecord.objects.for_authority(authority)
        )
        record = scope.select_for_update().get(pk=record_id)
        _require_any(by, record.authority, (Permission.RECORDS_MANAGE,))
        if not record.is_current:
            raise ValidationError(_("Delete the current version: its earlier versions go with it."))
        chain = history(record)
        kept = [v for v in chain if v.retain_until > today]
        if kept:
            until = max(v.retain_until for v in kept)
            raise ValidationError(
                _("This record must be kept until %(date)s: the treaty asks for ten years (Art. 12(4)).")
                % {"date": until.isoformat()}
            )
        references = [v.reference for v in chain]
        audit.record(
            by,
            ReportingAuditKind.RECORD_DELETE,
            record,
            {"references": references, "reason": reason.strip()[:500], "retain_until": str(record.retain_until)},
            authority=record.authority,
            actor_label=actor_label,
        )
        for version in reversed(chain):
            version.delete()
    return references


# Retention report.


@dataclass(frozen=True)
class RetentionYear:
    year: int
    records: int
    current: int
    retain_until_first: dt.date | None
    retain_until_last: dt.date | None
    deletable: int


def retention_report(authority: Authority, today: dt.date | None = None) -> list[RetentionYear]:
    today = today or timezone.localdate()
    rows = (
        TransferRecord.objects.for_authority(authority)
        .values("year")
        .annotate(
            n=Count("id"),
            cur=Count("id", filter=Q(is_current=True)),
            first=Min("retain_until"),
            last=Max("retain_until"),
            deletable=Count("id", filter=Q(retain_until__lte=today)),
        )
        .order_by("year")
    )
    return [RetentionYear(r["year"], r["n"], r["cur"], r["first"], r["last"], r["deletable"]) for r in rows]


# Export of records.

EXPORT_COLUMNS = (
    "reference",
    *RECORD_FIELDS,
    "partner_state",
    "source",
    "source_id",
    "is_current",
    "supersedes",
    "correction_reason",
    "retain_until",
    "recorded_by",
    "created_at",
)


def _export_row(record: TransferRecord, supersedes: str) -> dict[str, Any]:
    row: dict[str, Any] = {}
    for name in EXPORT_COLUMNS:
        if name == "supersedes":
            row[name] = supersedes
        elif name == "recorded_by":
            row[name] = record.recorded_by_label
        elif name == "transit_states":
            row[name] = list(record.transit_states or [])
        else:
            row[name] = getattr(record, name)
    return row


def _plain(value: Any) -> Any:
    if isinstance(value, Decimal):
        return f"{value:.2f}"
    if isinstance(value, dt.datetime):
        return value.isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


def export_records(records: Iterable[TransferRecord], fmt: str) -> bytes:
    """The records as CSV (UTF-8 with BOM, one row each) or JSON (a list of objects)."""
    records = list(records)
    refs = dict(
        TransferRecord.objects.filter(pk__in=[r.supersedes_id for r in records if r.supersedes_id]).values_list(
            "pk", "reference"
        )
    )
    rows = [_export_row(r, refs.get(r.supersedes_id, "") if r.supersedes_id else "") for r in records]
    if fmt == "json":
        return json.dumps(
            [{k: _plain(v) for k, v in row.items()} for row in rows], ensure_ascii=False, indent=2
        ).encode("utf-8")
    if fmt != "csv":
        raise ValidationError({"format": [_("Choose csv or json.")]})
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(EXPORT_COLUMNS)
    for row in rows:
        values = []
        for name in EXPORT_COLUMNS:
            value = row[name]
            if name == "transit_states":
                value = ";".join(value)
            elif isinstance(value, bool):
                value = "yes" if value else "no"
            elif value is None:
                value = ""
            values.append(rpt.spreadsheet_text(_plain(value)))
        writer.writerow(values)
    return ("\ufeff" + out.getvalue()).encode("utf-8")


# CSV import: records and customs declarations.


@dataclass
class ImportOutcome:
    parsed: importer.Parsed | None
    refused: importer.FileRefused | None = None
    created: int = 0
    batch: RecordImport | None = None
    dry_run: bool = False
    problems_text: list[tuple[int, str, str]] = field(default_factory=list)  # (row, column, reason)

    @property
    def ok(self) -> bool:
        return self.refused is None and self.parsed is not None and self.parsed.ok

    @property
    def rows(self) -> int:
        return len(self.parsed.rows) if self.parsed is not None else 0


def fields_for(kind: str) -> tuple[importer.FieldSpec, ...]:
    return importer.RECORD_FIELDS if kind == ImportKind.RECORDS else importer.CUSTOMS_FIELDS


def remembered_mapping(authority: Authority, kind: str) -> dict[str, str]:
    row = ImportMapping.objects.for_authority(authority).filter(kind=kind).first()
    return dict(row.mapping) if row is not None else {}


def read_headers(data: bytes, encoding: str) -> list[str]:
    headers, _rows = importer.read_table(importer.decode(data, encoding))
    return headers


def parse_upload(
    authority: Authority, kind: str, data: bytes, encoding: str, mapping: Mapping[str, str] | None
) -> ImportOutcome:
    """Decode, map and validate a CSV without writing anything."""
    from attkit.reporting import messages

    try:
        text = importer.decode(data, encoding)
        headers, rows = importer.read_table(text)
    except importer.FileRefused as exc:
        return ImportOutcome(None, refused=exc, problems_text=[(0, "", messages.refused(exc))])
    fields = fields_for(kind)
    if mapping is None:
        mapping = importer.default_mapping(headers, fields, remembered_mapping(authority, kind))
    vocab = importer.Vocabulary(
        countries=adapters.country_codes(),
        currencies=adapters.currency_codes(),
        categories=adapters.valid_categories(),
        max_year=timezone.localdate().year + 1,
    )
    check = importer.record_row_check(authority.country) if kind == ImportKind.RECORDS else importer.customs_row_check
    parsed = importer.validate(headers, rows, mapping, fields, vocab, row_check=check)
    if kind == ImportKind.CUSTOMS and not parsed.problems:
        importer.duplicates(parsed, "number", _column(parsed, "number"))
        numbers = [row["number"] for _line, row in parsed.rows]
        known = set(
            CustomsDeclaration.objects.for_authority(authority)
            .filter(number__in=numbers)
            .values_list("number", flat=True)
        )
        for line, row in parsed.rows:
            if row["number"] in known:
                parsed.problems.append(
                    importer.Problem(line, _column(parsed, "number"), "already_imported", {"value": row["number"]})
                )
    outcome = ImportOutcome(parsed)
    outcome.problems_text = [(p.row, p.column, messages.describe(p)) for p in parsed.problems]
    return outcome


def infer_authority(data: bytes, encoding: str, mapping: Mapping[str, str] | None) -> Authority | None:
    """The authority a records file belongs to, when its rows say so unambiguously: the exporting state of its
    exports and the importing state of its imports are all one state with exactly one (non-sandbox) authority."""
    try:
        headers, rows = importer.read_table(importer.decode(data, encoding))
    except importer.FileRefused:
        return None
    mapping = mapping or importer.default_mapping(headers, importer.RECORD_FIELDS)
    column = {f: headers.index(h) for h, f in mapping.items() if f and h in headers}
    if "direction" not in column:
        return None
    homes: set[str] = set()
    for _line, cells in rows:

        def cell(name: str, cells: Sequence[str] = cells) -> str:
            i = column.get(name)
            return cells[i].strip().upper() if i is not None and i < len(cells) else ""

        direction = importer.DIRECTIONS.get(cell("direction").lower())
        if direction == Direction.EXPORT and cell("exporting_state"):
            homes.add(cell("exporting_state"))
        elif direction == Direction.IMPORT and cell("importing_state"):
            homes.add(cell("importing_state"))
    if len(homes) != 1:
        return None
    candidates = list(Authority.objects.filter(country=homes.pop(), is_sandbox=False)[:2])
    return candidates[0] if len(candidates) == 1 else None


def _column(parsed: importer.Parsed, field_name: str) -> str:
    return next((h for h, f in parsed.mapping.items() if f == field_name), field_name)


def import_csv(
    *,
    authority: Authority,
    by: User | None,
    kind: str,
    data: bytes,
    filename: str,
    encoding: str = "utf-8",
    mapping: Mapping[str, str] | None = None,
    dry_run: bool = False,
) -> ImportOutcome:
    """All or nothing: every row valid, then every row written in one transaction; else nothing, with reasons."""
    permission = Permission.RECORDS_MANAGE if kind == ImportKind.RECORDS else Permission.SHIPMENT_RECORD
    _require_any(by, authority, (permission, Permission.RECORDS_MANAGE))
    outcome = parse_upload(authority, kind, data, encoding, mapping)
    outcome.dry_run = dry_run
    if not outcome.ok or dry_run:
        return outcome
    assert outcome.parsed is not None
    parsed = outcome.parsed
    sha = hashlib.sha256(data).hexdigest()
    with transaction.atomic():
        batch = RecordImport.objects.create(
            authority=authority,
            kind=kind,
            filename=filename[:255],
            sha256=sha,
            rows=len(parsed.rows),
            mapping=parsed.mapping,
            imported_by_label=_label(by),
        )
        if kind == ImportKind.RECORDS:
            _write_records(authority, by, batch, parsed)
        else:
            CustomsDeclaration.objects.bulk_create(
                [CustomsDeclaration(authority=authority, batch=batch, **row) for _line, row in parsed.rows],
                batch_size=2000,
            )
        ImportMapping.objects.update_or_create(authority=authority, kind=kind, defaults={"mapping": parsed.mapping})
        audit.record(
            by,
            ReportingAuditKind.RECORDS_IMPORT if kind == ImportKind.RECORDS else ReportingAuditKind.CUSTOMS_IMPORT,
            batch,
            {"file": filename[:255], "sha256": sha, "rows": len(parsed.rows)},
            authority=authority,
        )
    outcome.created = len(parsed.rows)
    outcome.batch = batch
    return outcome


def _write_records(authority: Authority, by: User | None, batch: RecordImport, parsed: importer.Parsed) -> None:
    by_year: dict[int, int] = {}
    for _line, row in parsed.rows:
        by_year[row["year"]] = by_year.get(row["year"], 0) + 1
    refs = {year: iter(_references(authority, year, n)) for year, n in sorted(by_year.items())}
    objects = []
    for line, row in parsed.rows:
        clean = {name: row.get(name, "") for name in RECORD_FIELDS}
        clean["date"] = row.get("date")
        clean["quantity"] = row.get("quantity")
        clean["value"] = row.get("value")
        clean["transit_states"] = row.get("transit_states") or []
        objects.append(
            _build(
                authority,
                clean,
                reference=next(refs[row["year"]]),
                by=by,
                source=RecordSource.IMPORT_CSV,
                source_id=f"{batch.pk}:{line}",
            )
        )
    TransferRecord.objects.bulk_create(objects, batch_size=2000)


def stash_upload(*, by: User, kind: str, filename: str, data: bytes, encoding: str) -> PendingImport:
    """Keep an upload between the mapping and dry-run pages; older stale uploads of the user go away."""
    authority = _authority_of(by)
    permission = Permission.RECORDS_MANAGE if kind == ImportKind.RECORDS else Permission.SHIPMENT_RECORD
    _require_any(by, authority, (permission, Permission.RECORDS_MANAGE))
    if len(data) > importer.MAX_BYTES:
        raise ValidationError({"file": [_("The file is larger than %(n)s MB.") % {"n": importer.MAX_BYTES // 2**20}]})
    stale = timezone.now() - dt.timedelta(days=1)
    with transaction.atomic():
        PendingImport.objects.for_authority(authority).filter(created_at__lt=stale).delete()
        return PendingImport.objects.create(
            authority=authority, kind=kind, filename=filename[:255], content=data, encoding=encoding, created_by=by
        )


def commit_pending(pending: PendingImport, *, by: User, mapping: Mapping[str, str], dry_run: bool) -> ImportOutcome:
    outcome = import_csv(
        authority=pending.authority,
        by=by,
        kind=pending.kind,
        data=bytes(pending.content),
        filename=pending.filename,
        encoding=pending.encoding,
        mapping=mapping,
        dry_run=dry_run,
    )
    if outcome.created:
        pending.delete()
    return outcome


# Customs reconciliation.


def reconciliation(authority: Authority) -> reconcile.Reconciliation:
    declarations = [
        reconcile.Declaration(
            number=d.number,
            date=d.date,
            hs_code=d.hs_code,
            quantity=d.quantity,
            licence_reference=d.licence_reference,
            direction=d.direction,
            value=d.value,
            currency=d.currency,
        )
        for d in CustomsDeclaration.objects.for_authority(authority).order_by("date", "number")
    ]
    return reconcile.reconcile(declarations, adapters.licences_for(authority))


# Reports.

REPORT_FORMATS = {
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "csv": "text/csv; charset=utf-8",
    "json": "application/json",
}


def aggregate(authority: Authority, year: int, basis: str, kind: str = ReportKind.ATT) -> list[rpt.Aggregate]:
    """The report's one aggregated query (served by the index on authority, year, basis, is_current, direction)."""
    keys = ["direction", "category", "partner_state", "currency", "model_type", "description", "comments"]
    unroca = kind == ReportKind.UNROCA
    if unroca:
        keys += ["state_of_origin", "intermediate_location"]
    rows = (
        TransferRecord.objects.filter(
            authority=authority,
            year=year,
            basis=basis,
            is_current=True,
            direction__in=(Direction.EXPORT, Direction.IMPORT),
        )
        .values(*keys)
        .annotate(q=Sum("quantity"), v=Sum("value"), n=Count("id"))
        .order_by()
        .values_list(*keys, "q", "v", "n")
    )
    if unroca:  # (7 keys, origin, intermediate, q, v, n) -> the Aggregate's order
        return [rpt.Aggregate._make((*r[:7], *r[9:12], r[7], r[8])) for r in rows]
    return [rpt.Aggregate(*r) for r in rows]


@contextmanager
def _collector_paused() -> Iterator[None]:
    """Pause the cyclic garbage collector while tens of thousands of aggregate rows are built and folded: they
    hold no cycles, and the collector's passes over them cost a third of the report's time (bench/report_scale)."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def _check_report_args(kind: str, year: int, basis: str) -> None:
    errors: dict[str, list[str]] = {}
    if kind not in ReportKind.values:
        errors["kind"] = [_("Choose the ATT report or the UN Register report.")]
    if not isinstance(year, int) or not 1990 <= year <= timezone.localdate().year:
        errors["year"] = [_("Enter a year between 1990 and this year.")]
    if basis not in Basis.values:
        errors["basis"] = [_("Choose authorised or actual.")]
    if errors:
        raise ValidationError(errors)


def build_report(
    kind: str,
    authority: Authority,
    year: int,
    basis: str,
    *,
    withheld: bool = False,
    lang: str | None = None,
    by: User | None = None,
) -> rpt.Report:
    """The ATT annual report or the UN Register report of one authority for one year."""
    _check_report_args(kind, year, basis)
    if by is not None:
        _require_any(by, authority, (Permission.REPORTS_VIEW,))
    lang = lang or get_language() or "en"
    layout = rpt.load_layout(kind)
    with _collector_paused():
        panels, excluded = rpt.fold(kind, aggregate(authority, year, basis, kind), layout)
    partners = {ln.partner for p in panels for ln in p.lines} | {ln.origin for p in panels for ln in p.lines}
    names = adapters.country_names(partners | {authority.country}, lang)
    definitions = NationalDefinitions.objects.for_authority(authority).values_list("text", flat=True).first() or ""
    return rpt.Report(
        kind=kind,
        layout=layout,
        state=authority.country,
        state_name=names.get(authority.country, authority.country),
        authority_name=authority.name_es if lang.startswith("es") else authority.name_en,
        year=year,
        basis=basis,
        withheld=withheld,
        generated=timezone.localdate().isoformat(),
        panels=panels,
        definitions=definitions,
        excluded=excluded,
        partner_names=names,
    )


def render_report(report: rpt.Report, fmt: str, lang: str = "en") -> tuple[bytes, str, str]:
    """(content, content type, file name) of a report in xlsx, csv or json."""
    if fmt not in REPORT_FORMATS:
        raise ValidationError({"format": [_("Choose xlsx, csv or json.")]})
    if fmt == "xlsx":
        content = xlsx.render(report, lang)
    elif fmt == "csv":
        content = rpt.to_csv(report, lang)
    else:
        content = rpt.to_json(report, lang)
    name = f"{report.kind}-{report.state}-{report.year}-{report.basis}.{fmt}"
    return content, REPORT_FORMATS[fmt], name


# National definitions annex and submissions.


def definitions_text(authority: Authority) -> str:
    return NationalDefinitions.objects.for_authority(authority).values_list("text", flat=True).first() or ""


def save_definitions(*, by: User | None, authority: Authority, text: str) -> NationalDefinitions:
    _require_any(by, authority, (Permission.REPORTS_MANAGE,))
    text = (text or "").strip()
    if len(text) > 50_000:
        raise ValidationError({"text": [_("Enter at most %(n)s characters.") % {"n": 50_000}]})
    with transaction.atomic():
        row, _created = NationalDefinitions.objects.select_for_update().get_or_create(authority=authority)
        row.text = text
        row.updated_by_label = _label(by)
        row.save()
        audit.record(by, ReportingAuditKind.DEFINITIONS_UPDATE, row, {"length": len(text)}, authority=authority)
    return row


def mark_submitted(
    *,
    by: User | None,
    authority: Authority,
    kind: str,
    year: int,
    basis: str,
    submitted_on: dt.date,
    withheld: bool = False,
    note: str = "",
) -> ReportSubmission:
    _require_any(by, authority, (Permission.REPORTS_MANAGE,))
    _check_report_args(kind, year, basis)
    if submitted_on > timezone.localdate():
        raise ValidationError({"submitted_on": [_("The date cannot be in the future.")]})
    if submitted_on.year <= year:
        raise ValidationError({"submitted_on": [_("A report is submitted after the year it covers.")]})
    with transaction.atomic():
        if ReportSubmission.objects.for_authority(authority).filter(kind=kind, year=year).exists():
            raise ValidationError(_("The %(year)s report is already marked submitted.") % {"year": year})
        row = ReportSubmission.objects.create(
            authority=authority,
            kind=kind,
            year=year,
            basis=basis,
            submitted_on=submitted_on,
            withheld=withheld,
            note=note.strip()[:500],
            recorded_by_label=_label(by),
        )
        audit.record(
            by,
            ReportingAuditKind.REPORT_SUBMIT,
            row,
            {"kind": kind, "year": year, "submitted_on": submitted_on.isoformat()},
            authority=authority,
        )
    return row


@dataclass(frozen=True)
class Reminder:
    year: int
    deadline: dt.date
    days_left: int  # negative once the deadline has passed

    @property
    def late(self) -> bool:
        return self.days_left < -GRACE_DAYS

    @property
    def in_grace(self) -> bool:
        return -GRACE_DAYS <= self.days_left < 0


def reminder_for(
    authority: Authority, today: dt.date | None = None, window_days: int = REMINDER_DAYS
) -> Reminder | None:
    """A reminder when last year's ATT report is not marked submitted and 31 May is near or past."""
    today = today or timezone.localdate()
    year = today.year - 1
    deadline = dt.date(today.year, 5, 31)
    if (deadline - today).days > window_days:
        return None
    if ReportSubmission.objects.for_authority(authority).filter(kind=ReportKind.ATT, year=year).exists():
        return None
    return Reminder(year, deadline, (deadline - today).days)

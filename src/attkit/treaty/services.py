"""Use cases of treaty status: import a CSV (all or nothing), save an admin change, the hub's regional view."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Any

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from attkit.core import audit
from attkit.core.permissions import Permission, has_permission
from attkit.reporting import adapters
from attkit.reporting.importer import FileRefused
from attkit.reporting.messages import describe, refused
from attkit.treaty import csvdata, obligations
from attkit.treaty.models import AnnualReport, Region, StateStatus

if TYPE_CHECKING:
    from attkit.accounts.models import User

DATA_FILE = Path(__file__).resolve().parent / "data" / "att_status.csv"


class TreatyAuditKind(StrEnum):
    IMPORT = "treaty:import"
    CHANGE = "treaty:change"


def _require_manage(by: User | None) -> None:
    if by is not None and not has_permission(by, Permission.TREATY_MANAGE):
        raise PermissionDenied(_("You do not have permission to do this."))


@dataclass
class ImportOutcome:
    kind: str = ""
    problems: list[tuple[int, str, str]] = field(default_factory=list)
    created: int = 0
    updated: int = 0
    skipped: list[str] = field(default_factory=list)  # rows edited in the admin, left alone
    dry_run: bool = False

    @property
    def ok(self) -> bool:
        return not self.problems


def import_csv(
    data: bytes, *, by: User | None, filename: str = "", dry_run: bool = False, force: bool = False
) -> ImportOutcome:
    """Load a state table or an annual-report table: every row valid, or nothing written."""
    _require_manage(by)
    outcome = ImportOutcome(dry_run=dry_run)
    try:
        table = csvdata.parse(data, adapters.country_codes())
    except FileRefused as exc:
        outcome.problems = [(0, "", refused(exc))]
        return outcome
    outcome.kind = table.kind
    if table.kind == "reports" and table.ok:
        known = set(StateStatus.objects.values_list("iso2", flat=True))
        from attkit.reporting.importer import Problem

        for row in table.rows:
            if row["iso2"] not in known:
                table.problems.append(Problem(row["_line"], "iso2", "unknown_state", {"value": row["iso2"]}))
    outcome.problems = [(p.row, p.column, describe(p)) for p in table.problems]
    if not table.ok or dry_run:
        return outcome
    with transaction.atomic():
        if table.kind == "states":
            for row in table.rows:
                row.pop("_line")
                iso2 = row.pop("iso2")
                existing = StateStatus.objects.filter(iso2=iso2).first()
                if existing is not None and existing.edited_in_admin and not force:
                    outcome.skipped.append(iso2)
                    continue
                _obj, created = StateStatus.objects.update_or_create(
                    iso2=iso2, defaults={**row, "edited_in_admin": False}
                )
                outcome.created += int(created)
                outcome.updated += int(not created)
        else:
            states = {s.iso2: s for s in StateStatus.objects.all()}
            for row in table.rows:
                _report, created = AnnualReport.objects.update_or_create(
                    state=states[row["iso2"]],
                    year=row["year"],
                    defaults={"submitted_on": row["submitted_on"], "source": row["source"]},
                )
                outcome.created += int(created)
                outcome.updated += int(not created)
        audit.record(
            by,
            TreatyAuditKind.IMPORT,
            None,
            {
                "file": filename[:200],
                "kind": table.kind,
                "created": outcome.created,
                "updated": outcome.updated,
                "skipped": outcome.skipped,
            },
            actor_label=None if by is not None else "system",
        )
    return outcome


def load_bundled(by: User | None = None) -> ImportOutcome:
    return import_csv(DATA_FILE.read_bytes(), by=by, filename="treaty/data/att_status.csv")


def record_change(by: User, obj: StateStatus | AnnualReport, *, created: bool, changed: Sequence[str]) -> None:
    """Save an admin change with its audit event (the admin's own save goes through here)."""
    _require_manage(by)
    with transaction.atomic():
        if isinstance(obj, StateStatus):
            obj.edited_in_admin = True
        obj.save()
        audit.record(by, TreatyAuditKind.CHANGE, obj, {"created": created, "changed": list(changed)})


def delete_row(by: User, obj: StateStatus | AnnualReport) -> None:
    _require_manage(by)
    with transaction.atomic():
        audit.record(by, TreatyAuditKind.CHANGE, obj, {"deleted": str(obj)})
        obj.delete()


@dataclass(frozen=True)
class StateRow:
    state: StateStatus
    name: str
    summary: obligations.Summary


def regional_view(region: str | None, today: dt.date | None = None, lang: str = "en") -> list[StateRow]:
    """Every state of the region with what it owes: late and due first."""
    today = today or timezone.localdate()
    states = StateStatus.objects.prefetch_related("annual_reports").order_by("name_en")
    if region in Region.values:
        states = states.filter(region=region)
    names = adapters.country_names([s.iso2 for s in states], lang)
    rows = [StateRow(s, names.get(s.iso2) or s.name_en, obligations.summarise(s.facts(), today)) for s in states]
    order = {"late": 0, "due": 1, "unknown": 2, "ok": 3, "none": 4}
    return sorted(rows, key=lambda r: (order[r.summary.attention], r.name))


def state_detail(iso2: str, today: dt.date | None = None) -> tuple[StateStatus, list[obligations.Obligation]]:
    state = StateStatus.objects.prefetch_related("annual_reports").get(iso2=iso2.upper()[:2])
    return state, obligations.obligations(state.facts(), today or timezone.localdate())


def counts(rows: Sequence[StateRow]) -> dict[str, Any]:
    return {
        "states": len(rows),
        "parties": sum(1 for r in rows if r.state.entry_into_force is not None),
        "late": sum(1 for r in rows if r.summary.attention == "late"),
        "due": sum(1 for r in rows if r.summary.attention == "due"),
    }

"""JSON API of treaty status, mounted at /api/v1/treaty/."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.http import Http404
from django.utils import timezone
from ninja import Router, Schema

from attkit.core.http import AuthedRequest
from attkit.core.permissions import Permission, require
from attkit.treaty import services
from attkit.treaty.models import StateStatus

router = Router(tags=["treaty"])


class ObligationOut(Schema):
    kind: str
    year: int | None
    due: dt.date
    status: str
    submitted_on: dt.date | None


class StateOut(Schema):
    iso2: str
    name: str
    region: str
    signed: dt.date | None
    consented: dt.date | None
    consent_kind: str
    entry_into_force: dt.date | None
    source: str
    as_of: str
    attention: str
    late: int
    obligations: list[ObligationOut]


def _state(row: StateStatus, name: str, today: dt.date | None = None) -> dict[str, Any]:
    from attkit.treaty import obligations

    today = today or timezone.localdate()
    items = obligations.obligations(row.facts(), today)
    summary = obligations.summarise(row.facts(), today)
    return {
        "iso2": row.iso2,
        "name": name,
        "region": row.region,
        "signed": row.signed,
        "consented": row.consented,
        "consent_kind": row.consent_kind,
        "entry_into_force": row.entry_into_force,
        "source": row.source,
        "as_of": row.as_of,
        "attention": summary.attention,
        "late": summary.late,
        "obligations": [
            {"kind": o.kind, "year": o.year, "due": o.due, "status": str(o.status), "submitted_on": o.submitted_on}
            for o in items
        ],
    }


@router.get("/states", response=list[StateOut], summary="Treaty status and reporting obligations of states")
def states(request: AuthedRequest, region: str = "") -> Any:
    require(request.user, Permission.TREATY_VIEW)
    rows = services.regional_view(region or None)
    return [_state(r.state, r.name) for r in rows]


@router.get("/states/{iso2}", response=StateOut, summary="One state's treaty status")
def state(request: AuthedRequest, iso2: str) -> Any:
    require(request.user, Permission.TREATY_VIEW)
    try:
        row, _items = services.state_detail(iso2)
    except StateStatus.DoesNotExist:
        raise Http404 from None
    return _state(row, row.name_en)

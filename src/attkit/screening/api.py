"""Screening API: search one party, screen a batch, list versions, review hits."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from uuid import UUID

from ninja import Field, Router, Schema

from attkit.core.http import AuthedRequest
from attkit.core.permissions import Permission, require
from attkit.screening import services
from attkit.screening.models import ListVersion, ScreeningHit

router = Router(tags=["screening"])

MAX_BATCH_ROWS = 10_000


class SubjectIn(Schema):
    name: str = Field(..., min_length=1, max_length=1000)
    dob: str | None = Field(None, max_length=32, description="YYYY-MM-DD, YYYY-MM or YYYY")
    country: str | None = Field(None, max_length=60, description="ISO 3166-1 alpha-2")
    schema_: str | None = Field(None, alias="schema", pattern="^(person|organization|vessel|aircraft)$")
    threshold: float | None = Field(None, ge=0.0, le=1.0)
    limit: int = Field(10, ge=1, le=100)


class MatchSchema(Schema):
    list: str
    ref: str
    name: str
    score: float
    explanation: str


class SearchOut(Schema):
    query: str
    threshold: float
    matches: list[MatchSchema]


class BatchRowIn(Schema):
    id: str = Field(..., max_length=200)
    name: str = Field(..., max_length=1000)
    dob: str | None = Field(None, max_length=32)
    country: str | None = Field(None, max_length=60)


class BatchIn(Schema):
    rows: list[BatchRowIn] = Field(..., max_length=MAX_BATCH_ROWS)
    threshold: float | None = Field(None, ge=0.0, le=1.0)


class BatchLineOut(Schema):
    id: str
    matches: list[MatchSchema]
    error: str | None = None


class ListVersionOut(Schema):
    id: UUID
    kind: str
    name: str
    version: str
    source: str
    generated_at: datetime | None
    loaded_at: datetime
    counts: dict[str, int]
    added: int
    removed: int
    changed: int


class ScreeningHitOut(Schema):
    id: UUID
    subject: str
    subject_type: str
    subject_id: str
    list: str
    ref: str
    name: str
    score: float
    explanation: str
    status: str
    outcome: str
    reason: str


class DecisionIn(Schema):
    status: str = Field(..., pattern="^(true_match|false_positive)$")
    reason: str = Field(..., min_length=1, max_length=5000)
    outcome: str = Field("", pattern="^(|refuse|escalate)$")


def _threshold(value: float | None) -> float:
    from django.conf import settings

    return float(settings.SCREENING_THRESHOLD if value is None else value)


@router.post("/search", response=SearchOut, summary="Screen one party")
def search(request: AuthedRequest, body: SubjectIn) -> dict[str, Any]:
    require(request.user, Permission.SCREENING_SEARCH)
    matches = services.search(
        body.name,
        authority=request.user.authority,
        dob=body.dob,
        country=body.country,
        schema=body.schema_,
        threshold=body.threshold,
        limit=body.limit,
    )
    return {"query": body.name, "threshold": _threshold(body.threshold), "matches": [m.as_json() for m in matches]}


@router.post("/batch", response=list[BatchLineOut], summary="Screen many parties (one output line per row)")
def batch(request: AuthedRequest, body: BatchIn) -> list[dict[str, Any]]:
    require(request.user, Permission.SCREENING_SEARCH)
    indexed = services.index_for(services.current_versions(request.user.authority))
    return [services.batch_line(indexed, row.dict(), body.threshold) for row in body.rows]


def _version_out(v: ListVersion) -> dict[str, Any]:
    return {
        "id": v.pk,
        "kind": v.kind,
        "name": v.name,
        "version": v.version,
        "source": v.source,
        "generated_at": v.generated_at,
        "loaded_at": v.loaded_at,
        "counts": v.counts,
        "added": len(v.added),
        "removed": len(v.removed),
        "changed": len(v.changed),
    }


@router.get("/lists", response=list[ListVersionOut], summary="The lists in force and their versions")
def lists(request: AuthedRequest) -> list[dict[str, Any]]:
    require(request.user, Permission.SCREENING_SEARCH)
    return [_version_out(v) for v in services.current_versions(request.user.authority)]


def _hit_out(h: ScreeningHit) -> dict[str, Any]:
    return {
        "id": h.pk,
        "subject": h.run.subject_label,
        "subject_type": h.run.subject_type,
        "subject_id": h.run.subject_id,
        "list": h.list_kind,
        "ref": h.entry_ref,
        "name": h.entry_name,
        "score": h.score,
        "explanation": h.explanation,
        "status": h.status,
        "outcome": h.outcome,
        "reason": h.reason,
    }


@router.get("/hits", response=list[ScreeningHitOut], summary="Hits of the latest screenings, pending first")
def hits(request: AuthedRequest, status: str = "pending", limit: int = 100) -> list[dict[str, Any]]:
    require(request.user, Permission.SCREENING_REVIEW)
    qs = ScreeningHit.objects.for_user(request.user).filter(run__is_latest=True).select_related("run")
    if status in ("pending", "true_match", "false_positive"):
        qs = qs.filter(status=status)
    return [_hit_out(h) for h in qs.order_by("-score")[: max(1, min(limit, 500))]]


@router.post("/hits/{hit_id}/decision", response=ScreeningHitOut, summary="Record a true match or a false positive")
def decide(request: AuthedRequest, hit_id: UUID, body: DecisionIn) -> dict[str, Any]:
    hit = services.decide_hit(hit_id, by=request.user, status=body.status, reason=body.reason, outcome=body.outcome)
    return _hit_out(hit)

"""GET-only API of the reference data, mounted at /api/v1/reference/ (auth: the API default)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, Literal

from django.db.models import Prefetch, Q
from django.http import Http404, HttpRequest
from ninja import Router, Schema

from attkit.core.permissions import Permission, require
from attkit.reference import datafiles, services
from attkit.reference.models import Category, Country, CrosswalkLink, DataSet, Embargo, HsCode

router = Router(tags=["reference"])


class ErrorOut(Schema):
    detail: Any


class DataSetOut(Schema):
    key: str
    source: str
    licence: str
    as_of: date | None
    verify_at: str
    row_count: int
    loaded_at: datetime | None
    edited_in_admin: bool


class CountryOut(Schema):
    alpha2: str
    alpha3: str
    numeric: str
    name_en: str
    name_es: str
    official_name_en: str
    in_lac: bool


class CategoryOut(Schema):
    code: str
    kind: str
    parent: str | None
    group: str
    line: int | None
    att_article: str
    name_en: str
    name_es: str
    description_en: str
    description_es: str
    note_en: str
    note_es: str
    source: str


class LinkOut(Schema):
    category: str | None
    scope: str
    note_en: str
    note_es: str
    source: str


class HsCodeOut(Schema):
    code: str
    dotted: str
    level: int
    parent: str | None
    section: str
    description_en: str
    description_es: str
    links: list[LinkOut]


class CrosswalkOut(Schema):
    query: str
    matched: str
    links: list[LinkOut]


class EmbargoOut(Schema):
    key: str
    imposed_by: str
    target: str
    target_iso2: str
    scope: str
    exports_banned: bool
    reference: str
    establishing_resolution: str
    latest_resolutions: str
    committee: str
    expires: str
    status_as_of: str
    notes: str
    sources: list[str]
    verified: bool
    unverified_fields: list[str]
    active: bool


def _link(link: CrosswalkLink) -> LinkOut:
    return LinkOut(
        category=link.category.code if link.category else None,
        scope=link.scope,
        note_en=link.note_en,
        note_es=link.note_es,
        source=link.source,
    )


@router.get("/sets", response=list[DataSetOut], summary="Reference sets with their source and as-of date")
def list_sets(request: HttpRequest) -> list[DataSet]:
    require(request.user, Permission.REFERENCE_VIEW)
    return list(DataSet.objects.all())


@router.get("/countries", response=list[CountryOut], summary="ISO 3166-1 countries")
def list_countries(request: HttpRequest, region: Literal["all", "lac", "other"] = "all", q: str = "") -> list[Country]:
    require(request.user, Permission.REFERENCE_VIEW)
    queryset = Country.objects.all()
    if region != "all":
        queryset = queryset.filter(in_lac=region == "lac")
    q = q.strip()[:100]
    if q:
        queryset = queryset.filter(
            Q(alpha2__iexact=q) | Q(alpha3__iexact=q) | Q(name_en__icontains=q) | Q(name_es__icontains=q)
        )
    return list(queryset.order_by("alpha2"))


@router.get("/categories", response=list[CategoryOut], summary="UN Register categories, SALW lines, Art. 3 and 4")
def list_categories(request: HttpRequest) -> list[CategoryOut]:
    require(request.user, Permission.REFERENCE_VIEW)
    return [
        CategoryOut(
            code=c.code,
            kind=c.kind,
            parent=c.parent.code if c.parent else None,
            group=c.group,
            line=c.line,
            att_article=c.att_article,
            name_en=c.name_en,
            name_es=c.name_es,
            description_en=c.description_en,
            description_es=c.description_es,
            note_en=c.note_en,
            note_es=c.note_es,
            source=c.source,
        )
        for c in Category.objects.select_related("parent")
    ]


@router.get("/hs-codes", response=list[HsCodeOut], summary="HS 2022 codes with their crosswalk links")
def list_hs_codes(request: HttpRequest) -> list[HsCodeOut]:
    require(request.user, Permission.REFERENCE_VIEW)
    links = Prefetch(
        "links", queryset=CrosswalkLink.objects.select_related("category").order_by("category__sort_order")
    )
    return [
        HsCodeOut(
            code=h.code,
            dotted=h.dotted,
            level=h.level,
            parent=h.parent.code if h.parent else None,
            section=h.section,
            description_en=h.description_en,
            description_es=h.description_es,
            links=[_link(link) for link in h.links.all()],
        )
        for h in HsCode.objects.select_related("parent").prefetch_related(links).order_by("code")
    ]


@router.get(
    "/crosswalk",
    response={200: CrosswalkOut, 404: ErrorOut},
    summary="Crosswalk links for an HS or national tariff code (falls back to its heading)",
)
def crosswalk(request: HttpRequest, hs: str) -> CrosswalkOut:
    require(request.user, Permission.REFERENCE_VIEW)
    links = services.crosswalk_for(hs[:20])
    if not links:
        raise Http404
    return CrosswalkOut(
        query=datafiles.normalise_hs(hs[:20]), matched=links[0].hs_code.code, links=[_link(x) for x in links]
    )


@router.get("/embargoes", response=list[EmbargoOut], summary="Arms embargoes (UN Security Council and EU)")
def list_embargoes(request: HttpRequest, country: str = "", active_only: bool = False) -> list[EmbargoOut]:
    require(request.user, Permission.REFERENCE_VIEW)
    if country:
        items = services.embargoes_for(country)
    else:
        queryset = Embargo.objects.all()
        if active_only:
            queryset = queryset.filter(active=True)
        items = list(queryset)
    return [
        EmbargoOut(
            key=e.key,
            imposed_by=e.imposed_by,
            target=e.target,
            target_iso2=e.target_iso2,
            scope=e.scope,
            exports_banned=e.exports_banned,
            reference=e.reference,
            establishing_resolution=e.establishing_resolution,
            latest_resolutions=e.latest_resolutions,
            committee=e.committee,
            expires=e.expires,
            status_as_of=e.status_as_of,
            notes=e.notes,
            sources=e.sources,
            verified=e.verified,
            unverified_fields=[f for f in e.unverified_fields.split(",") if f],
            active=e.active,
        )
        for e in items
    ]

"""Reference pages: the sets with their sources, countries, categories, the HS crosswalk, embargoes."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from attkit.core.permissions import Permission, require
from attkit.reference import services
from attkit.reference.forms import CategoryFilter, CountryFilter, EmbargoFilter, HsFilter
from attkit.reference.models import (
    Category,
    CategoryKind,
    Country,
    CrosswalkLink,
    DataSetKey,
    Embargo,
    HsCode,
    ImposedBy,
    SalwGroup,
)

PAGE_SIZE = 50


@require_GET
@login_required
def index(request: HttpRequest) -> HttpResponse:
    require(request.user, Permission.REFERENCE_VIEW)
    sets = services.data_sets()
    rows = [(key, sets.get(key.value)) for key in services.ORDER]
    return render(
        request,
        "reference/index.html",
        {"sets": rows, "loaded": bool(sets), "page_title": _("Reference data")},
    )


@require_GET
@login_required
def countries(request: HttpRequest) -> HttpResponse:
    require(request.user, Permission.REFERENCE_VIEW)
    form = CountryFilter(request.GET)
    values = form.values()
    queryset = Country.objects.all()
    if values.get("region") == "lac":
        queryset = queryset.filter(in_lac=True)
    elif values.get("region") == "other":
        queryset = queryset.filter(in_lac=False)
    q = (values.get("q") or "").strip()
    if q:
        queryset = queryset.filter(
            Q(alpha2__iexact=q) | Q(alpha3__iexact=q) | Q(numeric=q) | Q(name_en__icontains=q) | Q(name_es__icontains=q)
        )
    order = "name_es" if request.LANGUAGE_CODE.startswith("es") else "name_en"
    page = Paginator(queryset.order_by(order), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "reference/countries.html",
        {
            "form": form,
            "page": page,
            "data_set": services.data_sets().get(DataSetKey.COUNTRIES.value),
            "page_title": _("Countries"),
        },
    )


@require_GET
@login_required
def categories(request: HttpRequest) -> HttpResponse:
    require(request.user, Permission.REFERENCE_VIEW)
    form = CategoryFilter(request.GET)
    kind = form.values().get("kind") or ""
    queryset = Category.objects.prefetch_related("hs_links__hs_code")
    if kind:
        queryset = queryset.filter(kind=kind)
    rows = list(queryset)
    sections = [
        (_("UN Register categories I to VII"), [c for c in rows if c.kind == CategoryKind.REGISTER]),
        (_("Category VIII: small arms and light weapons"), [c for c in rows if c.kind == CategoryKind.SALW]),
        (_("Small arms"), [c for c in rows if c.group == SalwGroup.SMALL_ARMS]),
        (_("Light weapons"), [c for c in rows if c.group == SalwGroup.LIGHT_WEAPONS]),
        (_("National-record classes"), [c for c in rows if c.kind == CategoryKind.NATIONAL]),
    ]
    return render(
        request,
        "reference/categories.html",
        {
            "form": form,
            "sections": [(title, items) for title, items in sections if items],
            "data_set": services.data_sets().get(DataSetKey.CATEGORIES.value),
            "page_title": _("Categories"),
        },
    )


@dataclass
class HsRow:
    """An HS code with the crosswalk links that apply to it (its own, or its heading's)."""

    code: HsCode
    links: list[CrosswalkLink] = field(default_factory=list)
    inherited_from: str = ""


@require_GET
@login_required
def hs_codes(request: HttpRequest) -> HttpResponse:
    require(request.user, Permission.REFERENCE_VIEW)
    form = HsFilter(request.GET)
    values = form.values()
    codes = list(HsCode.objects.all().order_by("code"))
    links: dict[str, list[CrosswalkLink]] = {}
    for link in CrosswalkLink.objects.select_related("hs_code", "category").order_by("category__sort_order"):
        links.setdefault(link.hs_code.code, []).append(link)
    rows = [_hs_row(code, links) for code in codes]
    q = (values.get("q") or "").strip()
    if q:
        digits = "".join(ch for ch in q if ch.isdigit())
        needle = q.lower()
        rows = [
            r
            for r in rows
            if (digits and r.code.code.startswith(digits))
            or needle in r.code.description_en.lower()
            or needle in r.code.description_es.lower()
        ]
    category = values.get("category") or ""
    if category:
        wanted = {category, *Category.objects.filter(parent__code=category).values_list("code", flat=True)}
        rows = [r for r in rows if any(link.category and link.category.code in wanted for link in r.links)]
    scope = values.get("scope") or ""
    if scope == "none":
        rows = [r for r in rows if not r.links]
    elif scope:
        rows = [r for r in rows if any(link.scope == scope for link in r.links)]
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "reference/hs.html",
        {
            "form": form,
            "page": page,
            "data_set": services.data_sets().get(DataSetKey.HS.value),
            "crosswalk_set": services.data_sets().get(DataSetKey.CROSSWALK.value),
            "page_title": _("HS crosswalk"),
        },
    )


def _hs_row(code: HsCode, links: dict[str, list[CrosswalkLink]]) -> HsRow:
    if code.code in links:
        return HsRow(code, links[code.code])
    for length in (4, 2):
        ancestor = code.code[:length]
        if length < len(code.code) and ancestor in links:
            return HsRow(code, links[ancestor], inherited_from=ancestor)
    return HsRow(code)


@require_GET
@login_required
def embargoes(request: HttpRequest) -> HttpResponse:
    require(request.user, Permission.REFERENCE_VIEW)
    form = EmbargoFilter(request.GET)
    values = form.values()
    queryset = Embargo.objects.all()
    if values.get("imposed_by"):
        queryset = queryset.filter(imposed_by=values["imposed_by"])
    if values.get("scope"):
        queryset = queryset.filter(scope=values["scope"])
    if values.get("verified") == "yes":
        queryset = queryset.filter(verified=True)
    elif values.get("verified") == "no":
        queryset = queryset.filter(verified=False)
    q = (values.get("q") or "").strip()
    if q:
        named = Country.objects.filter(Q(name_en__icontains=q) | Q(name_es__icontains=q)).values_list(
            "alpha2", flat=True
        )
        queryset = queryset.filter(
            Q(target_iso2__iexact=q)
            | Q(target__icontains=q)
            | Q(target_iso2__in=list(named))
            | Q(reference__icontains=q)
        )
    items = sorted(queryset, key=lambda e: (e.imposed_by != ImposedBy.UN, not e.target_iso2, e.target_iso2, e.key))
    page = Paginator(items, PAGE_SIZE).get_page(request.GET.get("page"))
    sets = services.data_sets()
    return render(
        request,
        "reference/embargoes.html",
        {
            "form": form,
            "page": page,
            "rows": _with_names(page),
            "un_set": sets.get(DataSetKey.EMBARGOES_UN.value),
            "other_set": sets.get(DataSetKey.EMBARGOES_OTHER.value),
            "as_of": services.embargoes_as_of(),
            "unverified_count": sum(1 for e in items if not e.verified),
            "page_title": _("Arms embargoes"),
        },
    )


def _with_names(embargoes: Iterable[Embargo]) -> list[tuple[Embargo, str]]:
    items = list(embargoes)
    names = services.country_names(e.target_iso2 for e in items)
    return [(e, names.get(e.target_iso2, "")) for e in items]


@require_GET
@login_required
def embargo_detail(request: HttpRequest, key: str) -> HttpResponse:
    require(request.user, Permission.REFERENCE_VIEW)
    embargo = Embargo.objects.filter(key=key).first()
    if embargo is None:
        raise Http404
    sets = services.data_sets()
    data_set = sets.get(DataSetKey.EMBARGOES_UN.value if embargo.is_un else DataSetKey.EMBARGOES_OTHER.value)
    return render(
        request,
        "reference/embargo_detail.html",
        {
            "embargo": embargo,
            "country_name": services.country_names([embargo.target_iso2]).get(embargo.target_iso2, ""),
            "data_set": data_set,
            "page_title": embargo.reference or embargo.key,
        },
    )

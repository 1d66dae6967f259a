"""Home dashboard per role, the audit log, and liveness/readiness probes."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db import DatabaseError, connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from attkit.core import nav
from attkit.core.http import AuthedRequest
from attkit.core.models import AuditEvent
from attkit.core.permissions import Permission, require


@login_required
def home(request: AuthedRequest) -> HttpResponse:
    require(request.user, Permission.DASHBOARD_VIEW)
    items = [i for i in nav.items_for(request.user) if i.key != "home"]
    roles = sorted(r.label for r in request.user.roles())
    # Notices are HTML rendered from the apps' templates (SafeString), so they are not escaped twice.
    context = {"tiles": items, "role_labels": roles, "notices": nav.notices_for(request.user), "page_title": _("Home")}
    return render(request, "core/home.html", context)


@login_required
def audit_log(request: AuthedRequest) -> HttpResponse:
    require(request.user, Permission.AUDIT_VIEW)
    events = AuditEvent.objects.for_user(request.user).select_related("actor").order_by("-seq")
    kind = request.GET.get("kind", "").strip()[:64]
    if kind:
        events = events.filter(kind__startswith=kind)
    page = Paginator(events, 50).get_page(request.GET.get("page"))
    return render(request, "core/audit.html", {"page": page, "kind": kind, "page_title": _("Audit log")})


@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    return JsonResponse({"status": "ok"})


@require_GET
def readyz(request: HttpRequest) -> JsonResponse:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
    except DatabaseError:
        return JsonResponse({"status": "unavailable", "database": "unavailable"}, status=503)
    return JsonResponse({"status": "ready", "database": "ok"})

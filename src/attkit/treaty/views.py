"""Treaty status pages: the hub's regional view (who is due or late) and one state's record with its sources."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from attkit.core.http import AuthedRequest
from attkit.core.permissions import Permission, has_permission, require
from attkit.reporting import adapters
from attkit.treaty import services
from attkit.treaty.models import Region, StateStatus
from attkit.treaty.obligations import GRACE_DAYS, Status

STATUS_LABELS = {
    Status.SUBMITTED: gettext_lazy("Submitted"),
    Status.NOT_YET_DUE: gettext_lazy("Not yet due"),
    Status.DUE: gettext_lazy("Due"),
    Status.GRACE: gettext_lazy("Due, in the grace period"),
    Status.LATE: gettext_lazy("Late: no submission recorded"),
    Status.UNKNOWN: gettext_lazy("Unknown"),
}
ATTENTION_LABELS = {
    "late": gettext_lazy("Late"),
    "due": gettext_lazy("Due"),
    "unknown": gettext_lazy("Reports not tracked"),
    "ok": gettext_lazy("Up to date"),
    "none": gettext_lazy("Not computed"),
}


def _lang() -> str:
    return (get_language() or "en")[:2]


@login_required
@require_GET
def index(request: AuthedRequest) -> HttpResponse:
    require(request.user, Permission.TREATY_VIEW)
    region = request.GET.get("region", Region.LAC)
    if region not in (*Region.values, "all"):
        region = Region.LAC
    rows = services.regional_view(None if region == "all" else region, lang=_lang())
    return render(
        request,
        "treaty/index.html",
        {
            "page_title": _("Treaty status"),
            "rows": rows,
            "region": region,
            "regions": [(Region.LAC, Region.LAC.label), (Region.OTHER, Region.OTHER.label), ("all", _("All states"))],
            "counts": services.counts(rows),
            "attention_labels": {k: str(v) for k, v in ATTENTION_LABELS.items()},
            "status_labels": {str(k): str(v) for k, v in STATUS_LABELS.items()},
            "today": timezone.localdate(),
            "grace_days": GRACE_DAYS,
            "can_manage": has_permission(request.user, Permission.TREATY_MANAGE),
        },
    )


@login_required
@require_GET
def state(request: AuthedRequest, iso2: str) -> HttpResponse:
    require(request.user, Permission.TREATY_VIEW)
    try:
        status, items = services.state_detail(iso2)
    except StateStatus.DoesNotExist:
        raise Http404 from None
    name = adapters.country_names([status.iso2], _lang()).get(status.iso2) or status.name_en
    return render(
        request,
        "treaty/state.html",
        {
            "page_title": name,
            "state": status,
            "name": name,
            "obligations": items,
            "reports": status.annual_reports.all(),
            "status_labels": {str(k): str(v) for k, v in STATUS_LABELS.items()},
            "grace_days": GRACE_DAYS,
        },
    )

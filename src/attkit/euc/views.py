"""EUC pages: the register (list), the draft task list, check your answers, the certificate, confirmations,
delivery verification, PDFs, and the exporting state's 'record a use' through a seal lookup."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from uuid import UUID

from django import forms as dj_forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Q, QuerySet
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy
from django.views.decorators.http import require_http_methods, require_POST

from attkit.core.http import AuthedRequest
from attkit.core.models import AuditEvent
from attkit.core.permissions import Permission, has_permission, require
from attkit.euc import lifecycle, model_v1, printing, services
from attkit.euc.categories import SALW_LINES, UN_CATEGORIES, UNITS
from attkit.euc.countries import country_name
from attkit.euc.forms import (
    DeliveryForm,
    DetailsForm,
    EndUseForm,
    GoodsLineForm,
    IssueForm,
    PartyForm,
    ReasonForm,
    UseForm,
    UseLookupForm,
)
from attkit.euc.model_v1 import PARTY_ROLE_LABELS, SECTION_LABELS, PartyRole, Section
from attkit.euc.models import (
    STATUS_LABELS,
    EndUserCertificate,
    EucStatus,
    EucUse,
    remaining_quantities,
    used_quantities,
)

PAGE_SIZE = 25
SESSION_VERIFIED = "euc_verified"  # certificates this session found through a verified seal
SORTS = {
    "serial": "serial",
    "-serial": "-serial",
    "issued": "issue_date",
    "-issued": "-issue_date",
    "expiry": "expiry_date",
    "-expiry": "-expiry_date",
    "status": "status",
    "-status": "-status",
    "created": "created_at",
    "-created": "-created_at",
}

SECTION_STATE_LABELS = {
    "not_started": gettext_lazy("Not started"),
    "in_progress": gettext_lazy("In progress"),
    "completed": gettext_lazy("Completed"),
}

AUDIT_LABELS = {
    services.EucAuditKind.DRAFT.value: gettext_lazy("Draft started"),
    services.EucAuditKind.UPDATE.value: gettext_lazy("Draft changed"),
    services.EucAuditKind.ISSUE.value: pgettext_lazy("euc status", "Issued"),
    services.EucAuditKind.REVOKE.value: pgettext_lazy("euc status", "Revoked"),
    services.EucAuditKind.AMEND.value: gettext_lazy("Amendment started"),
    services.EucAuditKind.SUPERSEDE.value: gettext_lazy("Superseded by an amendment"),
    services.EucAuditKind.USE.value: gettext_lazy("Use recorded by an exporting state"),
    services.EucAuditKind.DELIVER.value: gettext_lazy("Delivery verified; closed"),
    services.EucAuditKind.EXPIRE.value: pgettext_lazy("euc status", "Expired"),
}

NEXT_ACTIONS = {
    "complete_and_issue": (
        gettext_lazy("Complete every section, then another end-user certificate issuer issues it."),
        gettext_lazy("The importing authority: the drafter, then a second issuer (four eyes)"),
    ),
    "await_use": (
        gettext_lazy("Waiting for the exporting state to rely on it and record a use."),
        gettext_lazy("The exporting state's licensing authority"),
    ),
    "await_use_or_delivery": (
        gettext_lazy("Waiting for further use, or for the delivery verification on arrival."),
        gettext_lazy("The exporting state, then the importing authority"),
    ),
    "record_delivery": (
        gettext_lazy("Record the delivery verification certificate when the goods arrive."),
        gettext_lazy("The importing authority: an end-user certificate issuer"),
    ),
    "none": (gettext_lazy("Nothing more: the certificate is no longer in force."), ""),
}


# --- helpers -------------------------------------------------------------------------------------------------


def _own(request: AuthedRequest, pk: UUID) -> EndUserCertificate:
    """A certificate of the user's authority; another authority's is simply not found."""
    require(request.user, Permission.EUC_VIEW)
    return get_object_or_404(
        EndUserCertificate.objects.for_user(request.user).select_related("authority", "supersedes"), pk=pk
    )


def _own_draft(request: AuthedRequest, pk: UUID) -> EndUserCertificate:
    require(request.user, Permission.EUC_DRAFT)
    euc = _own(request, pk)
    if not euc.is_draft:
        raise Http404
    return euc


def apply_errors(form: dj_forms.Form, exc: ValidationError) -> None:
    """Put a service's ValidationError on the form: on the named field when the form has it, else on top."""
    if hasattr(exc, "error_dict"):
        for field, errors in exc.error_dict.items():
            target = field if field in form.fields else None
            for error in errors:
                for message in error.messages:
                    form.add_error(target, message)
    else:
        for message in exc.messages:
            form.add_error(None, message)


def _status_context(euc: EndUserCertificate) -> dict[str, Any]:
    status = euc.effective_status()
    return {"status": status.value, "status_label": STATUS_LABELS.get(status.value, status.value)}


def summary(euc: EndUserCertificate) -> dict[str, Any]:
    """The certificate's answers, ready for a summary list (check your answers, detail page)."""
    used = used_quantities(euc) if not euc.is_draft else {}
    return {
        "details": [
            (gettext_lazy("Expiry date"), euc.expiry_date),
            (gettext_lazy("Name of the issuing official"), euc.official_name),
            (gettext_lazy("Title of the issuing official"), euc.official_title),
            (gettext_lazy("Certification by the government"), euc.certification_text),
            (gettext_lazy("Contract or order number"), euc.contract_number),
            (gettext_lazy("Contract or order date"), euc.contract_date),
            (
                gettext_lazy("Country of final destination"),
                f"{country_name(euc.final_destination_country)} ({euc.final_destination_country})"
                if euc.final_destination_country
                else "",
            ),
        ],
        "parties": [
            {
                "party": p,
                "role_label": PARTY_ROLE_LABELS[PartyRole(p.role)] if p.role in model_v1.PARTY_ROLES else p.role,
                "country_label": country_name(p.country),
            }
            for p in euc.parties.all()
        ],
        "goods": [
            {
                "line": g,
                "category_label": UN_CATEGORIES.get(g.un_category, g.un_category),
                "salw_label": SALW_LINES.get(g.salw_line, ""),
                "unit_label": UNITS.get(g.unit, g.unit),
                "used": used.get(g.line_no, 0),
                "left": g.quantity - used.get(g.line_no, 0),
            }
            for g in euc.goods.all()
        ],
        "undertakings": [
            (e.label, bool(getattr(euc, e.name)), e.mandatory)
            for e in model_v1.END_USE
            if e.kind is not model_v1.Kind.LONG_TEXT
        ],
    }


def _may_issue(user: Any, euc: EndUserCertificate) -> bool:
    return has_permission(user, Permission.EUC_ISSUE) and euc.drafted_by_id != user.pk


def _certificate_qs(request: AuthedRequest) -> tuple[QuerySet[EndUserCertificate], dict[str, str]]:
    qs = EndUserCertificate.objects.for_user(request.user).select_related("authority")
    filters: dict[str, str] = {}
    status = request.GET.get("status", "")
    if status in EucStatus.values:
        today = timezone.localdate()
        if status == EucStatus.EXPIRED:
            qs = qs.filter(
                Q(status=status) | Q(status__in=[s.value for s in lifecycle.IN_FORCE], expiry_date__lt=today)
            )
        elif status in {s.value for s in lifecycle.IN_FORCE}:
            qs = qs.filter(status=status).exclude(expiry_date__lt=today)
        else:
            qs = qs.filter(status=status)
        filters["status"] = status
    query = request.GET.get("q", "").strip()[:100]
    if query:
        qs = qs.filter(
            Q(serial__icontains=query)
            | Q(contract_number__icontains=query)
            | Q(parties__name__icontains=query, parties__role=PartyRole.END_USER)
        ).distinct()
        filters["q"] = query
    sort = request.GET.get("sort", "-created")
    if sort not in SORTS:
        sort = "-created"
    if sort != "-created":
        filters["sort"] = sort
    return qs.order_by(SORTS[sort], "-created_at"), filters


# --- register ------------------------------------------------------------------------------------------------


@login_required
def certificate_list(request: AuthedRequest) -> HttpResponse:
    require(request.user, Permission.EUC_VIEW)
    qs, filters = _certificate_qs(request)
    page = Paginator(qs.prefetch_related("parties"), PAGE_SIZE).get_page(request.GET.get("page"))
    current_sort = filters.get("sort", "-created")
    columns = []
    for key, label in (
        ("serial", gettext_lazy("Serial number")),
        ("issued", gettext_lazy("Date of issue")),
        ("expiry", gettext_lazy("Expiry date")),
        ("status", gettext_lazy("Status")),
    ):
        descending = current_sort == key
        target = f"-{key}" if descending else key
        params = {k: v for k, v in filters.items() if k != "sort"}
        params["sort"] = target
        aria = "none"
        if current_sort == key:
            aria = "ascending"
        elif current_sort == f"-{key}":
            aria = "descending"
        columns.append({"label": label, "url": f"?{urlencode(params)}", "aria": aria})
    rows = []
    for euc in page:
        end_user = euc.end_user
        rows.append({"euc": euc, "end_user": end_user.name if end_user else "", **_status_context(euc)})
    return render(
        request,
        "euc/list.html",
        {
            "page": page,
            "rows": rows,
            "columns": columns,
            "filters": filters,
            "statuses": EucStatus.choices,
            "can_draft": has_permission(request.user, Permission.EUC_DRAFT),
            "page_title": _("End-user certificates"),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def start(request: AuthedRequest) -> HttpResponse:
    require(request.user, Permission.EUC_DRAFT)
    if request.method == "POST":
        euc = services.start_draft(by=request.user)
        return redirect("euc:draft", pk=euc.pk)
    return render(request, "euc/start.html", {"page_title": _("Start a new end-user certificate")})


# --- the draft: task list, sections, check your answers ------------------------------------------------------


@login_required
def draft(request: AuthedRequest, pk: UUID) -> HttpResponse:
    euc = _own_draft(request, pk)
    result = services.check_draft(euc)
    states = services.section_states(euc, result)
    urls = {
        Section.DETAILS: reverse("euc:draft_details", args=[euc.pk]),
        Section.PARTIES: reverse("euc:draft_parties", args=[euc.pk]),
        Section.GOODS: reverse("euc:draft_goods", args=[euc.pk]),
        Section.END_USE: reverse("euc:draft_end_use", args=[euc.pk]),
    }
    tasks = [
        {
            "key": section.value,
            "label": SECTION_LABELS[section],
            "url": urls[section],
            "state": states[section],
            "state_label": SECTION_STATE_LABELS[states[section]],
        }
        for section in Section
    ]
    done = sum(1 for t in tasks if t["state"] == "completed")
    return render(
        request,
        "euc/draft.html",
        {
            "euc": euc,
            "tasks": tasks,
            "done": done,
            "total": len(tasks),
            "complete": result.ok,
            "page_title": _("Draft end-user certificate"),
        },
    )


def _section_page(
    request: AuthedRequest,
    euc: EndUserCertificate,
    form: dj_forms.Form,
    template: str,
    *,
    title: str,
    extra: dict[str, Any] | None = None,
) -> HttpResponse:
    context = {"euc": euc, "form": form, "page_title": title, **(extra or {})}
    return render(request, template, context, status=400 if form.errors else 200)


def _answers_view(
    section: str,
    form_class: type[dj_forms.Form],
    save: Callable[..., Any],
    initial: Callable[[EndUserCertificate], dict[str, Any]],
    title: Promise,
) -> Callable[..., HttpResponse]:
    """A section of answers (euc/draft_<section>.html): shown filled in, saved, then back to the task list."""

    @login_required
    @require_http_methods(["GET", "POST"])
    def view(request: AuthedRequest, pk: UUID) -> HttpResponse:
        euc = _own_draft(request, pk)
        if request.method == "POST":
            form = form_class(request.POST)
            if form.is_valid():
                try:
                    save(euc.pk, by=request.user, data=form.cleaned_data)
                except ValidationError as exc:
                    apply_errors(form, exc)
                else:
                    return redirect("euc:draft", pk=euc.pk)
        else:
            form = form_class(initial=initial(euc))
        return _section_page(request, euc, form, f"euc/draft_{section}.html", title=str(title))

    return view


def _lines_view(
    section: str, form_class: type[dj_forms.Form], add: Callable[..., Any], added: Promise, title: Promise
) -> Callable[..., HttpResponse]:
    """A section that lists its lines and adds one at a time (euc/draft_<section>.html, back to itself)."""

    @login_required
    @require_http_methods(["GET", "POST"])
    def view(request: AuthedRequest, pk: UUID) -> HttpResponse:
        euc = _own_draft(request, pk)
        form = form_class(request.POST if request.method == "POST" else None)
        if request.method == "POST" and form.is_valid():
            try:
                add(euc.pk, by=request.user, data=form.cleaned_data)
            except ValidationError as exc:
                apply_errors(form, exc)
            else:
                messages.success(request, str(added))
                return redirect(f"euc:draft_{section}", pk=euc.pk)
        result = services.check_draft(euc)
        extra = {"summary": summary(euc), "section_errors": result.errors.get(section, [])}
        return _section_page(request, euc, form, f"euc/draft_{section}.html", title=str(title), extra=extra)

    return view


def _details_initial(euc: EndUserCertificate) -> dict[str, Any]:
    return {
        "expiry_date": euc.expiry_date.isoformat() if euc.expiry_date else "",
        "official_name": euc.official_name,
        "official_title": euc.official_title,
        "certification_text": euc.certification_text,
        "contract_number": euc.contract_number,
        "contract_date": euc.contract_date.isoformat() if euc.contract_date else "",
        "final_destination_country": euc.final_destination_country or euc.authority.country,
    }


def _end_use_initial(euc: EndUserCertificate) -> dict[str, Any]:
    return {
        "description": euc.end_use,
        "no_other_use": euc.no_other_use,
        "no_reexport_without_consent": euc.no_reexport_without_consent,
        "no_wmd": euc.no_wmd,
        "delivery_verification": euc.delivery_verification,
        "post_shipment_verification": euc.post_shipment_verification,
    }


draft_details = _answers_view(
    "details", DetailsForm, services.save_details, _details_initial, gettext_lazy("Certificate details")
)
draft_end_use = _answers_view(
    "end_use", EndUseForm, services.save_end_use, _end_use_initial, gettext_lazy("End use and undertakings")
)
draft_parties = _lines_view(
    "parties", PartyForm, services.add_party, gettext_lazy("Party added."), gettext_lazy("Parties")
)
draft_goods = _lines_view(
    "goods", GoodsLineForm, services.add_goods_line, gettext_lazy("Goods line added."), gettext_lazy("Goods")
)


@login_required
@require_POST
def remove_party(request: AuthedRequest, pk: UUID, party_pk: UUID) -> HttpResponse:
    euc = _own_draft(request, pk)
    services.remove_party(euc.pk, party_pk, by=request.user)
    messages.success(request, _("Party removed."))
    return redirect("euc:draft_parties", pk=euc.pk)


@login_required
@require_POST
def remove_goods_line(request: AuthedRequest, pk: UUID, line_pk: UUID) -> HttpResponse:
    euc = _own_draft(request, pk)
    services.remove_goods_line(euc.pk, line_pk, by=request.user)
    messages.success(request, _("Goods line removed."))
    return redirect("euc:draft_goods", pk=euc.pk)


@login_required
def draft_check(request: AuthedRequest, pk: UUID) -> HttpResponse:
    euc = _own_draft(request, pk)
    result = services.check_draft(euc)
    problems: list[dict[str, Any]] = []
    for section in Section:
        for key, msgs in result.section_errors(section).items():
            problems.extend({"section": SECTION_LABELS[section], "message": m, "key": key} for m in msgs)
    return render(
        request,
        "euc/draft_check.html",
        {
            "euc": euc,
            "summary": summary(euc),
            "problems": problems,
            "may_issue": _may_issue(request.user, euc),
            "is_drafter": euc.drafted_by_id == request.user.pk,
            "page_title": _("Check your answers"),
        },
    )


# --- the certificate -----------------------------------------------------------------------------------------


@login_required
def detail(request: AuthedRequest, pk: UUID) -> HttpResponse:
    euc = _own(request, pk)
    status = euc.effective_status()
    action_text, action_holder = NEXT_ACTIONS[lifecycle.next_action(status)]
    uses = [
        {"use": u, "flags": _flag_labels(u)} for u in euc.uses.prefetch_related("lines__line").order_by("recorded_at")
    ]
    events = AuditEvent.objects.for_user(request.user).filter(target_id=str(euc.pk)).order_by("seq")
    history = [{"event": e, "label": AUDIT_LABELS.get(e.kind, e.kind)} for e in events]
    user = request.user
    in_force = status in lifecycle.IN_FORCE
    context = {
        "euc": euc,
        "summary": summary(euc),
        "uses": uses,
        "delivery": getattr(euc, "delivery", None) if status is lifecycle.Status.CLOSED else None,
        "history": history,
        "next_action": action_text,
        "next_holder": action_holder,
        "qr": printing.qr_svg_data_uri(euc.seal_text) if euc.seal_text else "",
        "can_issue": euc.is_draft and _may_issue(user, euc),
        "can_edit": euc.is_draft and has_permission(user, Permission.EUC_DRAFT),
        "can_revoke": status in {lifecycle.Status.ISSUED, lifecycle.Status.PARTIALLY_USED, lifecycle.Status.USED}
        and has_permission(user, Permission.EUC_REVOKE),
        "can_amend": in_force and has_permission(user, Permission.EUC_DRAFT),
        "can_deliver": status in {lifecycle.Status.ISSUED, lifecycle.Status.PARTIALLY_USED, lifecycle.Status.USED}
        and has_permission(user, Permission.EUC_DELIVERY),
        "amendments": list(euc.amendments.all()),
        "page_title": str(euc),
        **_status_context(euc),
    }
    return render(request, "euc/detail.html", context)


def _confirm(
    request: AuthedRequest,
    euc: EndUserCertificate,
    form: dj_forms.Form,
    *,
    action: str,
    title: str,
    consequences: list[str],
    button: str,
    danger: bool,
) -> HttpResponse:
    return render(
        request,
        "euc/confirm.html",
        {
            "euc": euc,
            "form": form,
            "action": action,
            "title": title,
            "consequences": consequences,
            "button": button,
            "danger": danger,
            "page_title": title,
            **_status_context(euc),
        },
        status=400 if form.errors else 200,
    )


@login_required
@require_http_methods(["GET", "POST"])
def issue(request: AuthedRequest, pk: UUID) -> HttpResponse:
    require(request.user, Permission.EUC_ISSUE)
    euc = _own(request, pk)
    if not euc.is_draft:
        return redirect("euc:detail", pk=euc.pk)
    form = IssueForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            services.issue(euc.pk, by=request.user)
        except ValidationError as exc:
            form.add_error(None, _("The certificate is not complete. Check your answers and correct the problems."))
            for messages_ in exc.message_dict.values() if hasattr(exc, "error_dict") else [exc.messages]:
                for message in messages_:
                    form.add_error(None, message)
        else:
            euc.refresh_from_db()
            messages.success(request, _("Certificate %(serial)s issued.") % {"serial": euc.serial})
            return redirect("euc:detail", pk=euc.pk)
    consequences = [
        _("A serial number is given and the certificate is sealed with your authority's key."),
        _("Exporting states can rely on it at once; it can no longer be changed, only amended or revoked."),
    ]
    if euc.supersedes_id:
        consequences.append(
            _("Certificate %(serial)s, which this amendment replaces, will be marked superseded.")
            % {"serial": euc.supersedes.serial if euc.supersedes else ""}
        )
    return _confirm(
        request,
        euc,
        form,
        action=reverse("euc:issue", args=[euc.pk]),
        title=_("Issue this end-user certificate?"),
        consequences=consequences,
        button=_("Issue the certificate"),
        danger=False,
    )


@login_required
@require_http_methods(["GET", "POST"])
def revoke(request: AuthedRequest, pk: UUID) -> HttpResponse:
    require(request.user, Permission.EUC_REVOKE)
    euc = _own(request, pk)
    form = ReasonForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            services.revoke(euc.pk, by=request.user, reason=form.cleaned_data["reason"])
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("Certificate %(serial)s revoked.") % {"serial": euc.serial})
            return redirect("euc:detail", pk=euc.pk)
    return _confirm(
        request,
        euc,
        form,
        action=reverse("euc:revoke", args=[euc.pk]),
        title=_("Revoke this end-user certificate?"),
        consequences=[
            _("Every verification of its seal answers 'revoked' from now on, here and in your revocation list."),
            _("No exporting state can record a new use of it. This cannot be undone."),
        ],
        button=_("Revoke the certificate"),
        danger=True,
    )


@login_required
@require_http_methods(["GET", "POST"])
def amend(request: AuthedRequest, pk: UUID) -> HttpResponse:
    require(request.user, Permission.EUC_DRAFT)
    euc = _own(request, pk)
    form = ReasonForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            new = services.start_amendment(euc.pk, by=request.user, reason=form.cleaned_data["reason"])
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("Amendment started. Change what is needed, then have it issued."))
            return redirect("euc:draft", pk=new.pk)
    return _confirm(
        request,
        euc,
        form,
        action=reverse("euc:amend", args=[euc.pk]),
        title=_("Amend this end-user certificate?"),
        consequences=[
            _("A new draft copies this certificate, with the quantities that are left."),
            _("When the amendment is issued, with a new serial number, this certificate is marked superseded."),
        ],
        button=_("Start the amendment"),
        danger=False,
    )


@login_required
@require_http_methods(["GET", "POST"])
def delivery(request: AuthedRequest, pk: UUID) -> HttpResponse:
    require(request.user, Permission.EUC_DELIVERY)
    euc = _own(request, pk)
    lines = list(euc.goods.all())
    used = used_quantities(euc)
    expected = {line.line_no: used.get(line.line_no, 0) if used else line.quantity for line in lines}
    form = DeliveryForm(request.POST if request.method == "POST" else None, lines=lines, initial_quantities=expected)
    if request.method == "POST" and form.is_valid():
        try:
            services.record_delivery(
                euc.pk,
                by=request.user,
                delivery_date=form.cleaned_data["delivery_date"],
                checked_by=form.cleaned_data["checked_by"],
                quantities=form.quantities(),
                discrepancies=form.cleaned_data["discrepancies"],
            )
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("Delivery verified. The certificate is closed."))
            return redirect("euc:detail", pk=euc.pk)
    quantity_rows = [{"line": line, "field": form[f"line_{line.line_no}"]} for line in lines]
    return render(
        request,
        "euc/delivery.html",
        {
            "euc": euc,
            "form": form,
            "quantity_rows": quantity_rows,
            "page_title": _("Record the delivery verification"),
            **_status_context(euc),
        },
        status=400 if form.errors else 200,
    )


def _pdf(data: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(data, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@login_required
def certificate_pdf(request: AuthedRequest, pk: UUID) -> HttpResponse:
    euc = _own(request, pk)
    if euc.is_draft or not euc.seal_text:
        raise Http404
    return _pdf(printing.certificate_pdf(euc), f"{euc.serial}.pdf")


@login_required
def delivery_pdf(request: AuthedRequest, pk: UUID) -> HttpResponse:
    euc = _own(request, pk)
    dvc = getattr(euc, "delivery", None)
    if dvc is None:
        raise Http404
    return _pdf(printing.delivery_pdf(dvc), f"{dvc.serial}.pdf")


# --- the exporting state: find a certificate by its seal and record a use ------------------------------------


def _verified_ids(request: AuthedRequest) -> list[str]:
    value = request.session.get(SESSION_VERIFIED, [])
    return [str(v) for v in value] if isinstance(value, list) else []


@login_required
@require_http_methods(["GET", "POST"])
def use_lookup(request: AuthedRequest) -> HttpResponse:
    require(request.user, Permission.EUC_DRAWDOWN)
    form = UseLookupForm(request.POST if request.method == "POST" else None, request.FILES or None)
    result = None
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data.get("file")
        data = upload.read(16 * 1024 * 1024) if upload is not None else None
        located = services.locate_by_seal(
            by=request.user,
            serial=form.cleaned_data["serial"],
            seal_text=form.cleaned_data.get("seal") or "",
            file_data=data,
            filename=upload.name if upload is not None else "",
        )
        result = located.verification
        if located.certificate is not None:
            if located.certificate.authority_id == request.user.authority_id:
                form.add_error(None, _("This is your own authority's certificate: open it from the register."))
            else:
                ids = [*_verified_ids(request)[-19:], str(located.certificate.pk)]
                request.session[SESSION_VERIFIED] = ids
                return redirect("euc:use_record", pk=located.certificate.pk)
        elif result.signature_ok:
            form.add_error(
                "serial",
                _(
                    "The serial you entered is not the one in the seal, or the issuing authority's register is not "
                    "on this system."
                ),
            )
    context: dict[str, Any] = {"form": form, "result": result, "page_title": _("Record a use of a certificate")}
    if result is not None:
        from attkit.seals.views import panel_class

        context["panel"] = panel_class(result)
    return render(request, "euc/use_lookup.html", context, status=400 if form.errors else 200)


@login_required
@require_http_methods(["GET", "POST"])
def use_record(request: AuthedRequest, pk: UUID) -> HttpResponse:
    """Only a certificate this session found through its verified seal is reachable here."""
    require(request.user, Permission.EUC_DRAWDOWN)
    if str(pk) not in _verified_ids(request):
        raise Http404
    euc = get_object_or_404(EndUserCertificate.objects.select_related("authority"), pk=pk)
    if euc.authority_id == request.user.authority_id:
        raise Http404
    lines = list(euc.goods.all())
    left = remaining_quantities(euc)
    exporter = euc.exporter
    authority = request.user.authority
    form = UseForm(
        request.POST if request.method == "POST" else None,
        lines=lines,
        initial={
            "exporting_state": authority.country if authority else "",
            "exporter": exporter.name if exporter else "",
        },
    )
    status = euc.effective_status()
    if request.method == "POST" and form.is_valid():
        try:
            use = services.record_use(
                euc,
                exporting_state=form.cleaned_data["exporting_state"],
                exporter=form.cleaned_data["exporter"],
                licence_reference=form.cleaned_data["licence_reference"],
                quantities=form.quantities(),
                by=request.user,
            )
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            return redirect("euc:use_done", pk=use.pk)
    rows = [
        {
            "line": line,
            "left": left.get(line.line_no, 0),
            "field": form[f"line_{line.line_no}"],
            "unit_label": UNITS.get(line.unit, line.unit),
            "category_label": UN_CATEGORIES.get(line.un_category, ""),
        }
        for line in lines
    ]
    return render(
        request,
        "euc/use_record.html",
        {
            "euc": euc,
            "form": form,
            "rows": rows,
            "in_force": status in lifecycle.IN_FORCE,
            "status_label": STATUS_LABELS.get(status.value, status.value),
            "status": status.value,
            "earlier": euc.uses.count(),
            "page_title": _("Record a use of %(serial)s") % {"serial": euc.serial},
        },
        status=400 if form.errors else 200,
    )


@login_required
def use_done(request: AuthedRequest, pk: UUID) -> HttpResponse:
    require(request.user, Permission.EUC_DRAWDOWN)
    use = get_object_or_404(services.uses_recorded_by(request.user).prefetch_related("lines__line"), pk=pk)
    return render(
        request,
        "euc/use_done.html",
        {"use": use, "flag_labels": _flag_labels(use), "page_title": _("Use recorded")},
    )


def _flag_labels(use: EucUse) -> list[str]:
    labels = []
    for flag in use.flags or []:
        if flag.get("flag") == services.UseFlag.SECOND_STATE:
            labels.append(
                _("This certificate was already used by another exporting state (%(state)s).")
                % {"state": flag.get("earlier", "")}
            )
        elif flag.get("flag") == services.UseFlag.OTHER_EXPORTER:
            labels.append(
                _("This certificate was already used by another exporter (%(exporter)s).")
                % {"exporter": flag.get("earlier", "")}
            )
    return labels


@login_required
def uses(request: AuthedRequest) -> HttpResponse:
    require(request.user, Permission.EUC_DRAWDOWN)
    qs = services.uses_recorded_by(request.user).order_by("-recorded_at")
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "euc/uses.html", {"page": page, "page_title": _("Uses recorded by your authority")})

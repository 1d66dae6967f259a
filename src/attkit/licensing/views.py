"""Pages of transfer licensing: case lists, the application's task list, the case page, the officials' forms
and confirmation pages, customs shipments, denial notices and licence verification."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from uuid import UUID

from django import forms as django_forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, Q, QuerySet
from django.http import FileResponse, Http404, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST

from attkit.core.http import AuthedRequest
from attkit.core.permissions import Permission, has_permission, require
from attkit.licensing import documents, forms, services, texts, workflow
from attkit.licensing.models import (
    Case,
    CaseDocument,
    CaseFlag,
    CaseKind,
    CaseState,
    CountersignStatus,
    DenialNotice,
    DocumentKind,
    FlagStatus,
    RoutingRule,
    ScreeningHit,
)

PAGE_SIZE = 25
SORTS = {
    "reference": "reference",
    "-reference": "-reference",
    "created": "created_at",
    "-created": "-created_at",
    "state": "state",
    "kind": "kind",
    "destination": "destination_country",
}


def _case(request: AuthedRequest, pk: UUID) -> Case:
    try:
        return services.get_case(pk, by=request.user)
    except Case.DoesNotExist:
        raise Http404 from None


def _to_case(case: Case | UUID, anchor: str = "") -> HttpResponseRedirect:
    pk = case.pk if isinstance(case, Case) else case
    return HttpResponseRedirect(reverse("licensing:case_detail", args=[pk]) + (f"#{anchor}" if anchor else ""))


def _page(request: AuthedRequest, template: str, context: dict[str, Any], status: int = 200) -> HttpResponse:
    return render(request, template, context, status=status)


# --- lists ----------------------------------------------------------------------------------------------------


def _filtered(request: AuthedRequest, cases: QuerySet[Case]) -> tuple[QuerySet[Case], dict[str, str]]:
    chosen = {
        "state": request.GET.get("state", "")[:32],
        "kind": request.GET.get("kind", "")[:20],
        "flag": request.GET.get("flag", "")[:40],
        "q": request.GET.get("q", "").strip()[:40],
        "sort": request.GET.get("sort", "-created")[:20],
    }
    if chosen["state"] in CaseState.values:
        cases = cases.filter(state=chosen["state"])
    if chosen["kind"] in CaseKind.values:
        cases = cases.filter(kind=chosen["kind"])
    if chosen["flag"] == "blocking":
        cases = cases.filter(flags__severity="blocking", flags__status=FlagStatus.OPEN).distinct()
    elif chosen["flag"]:
        cases = cases.filter(flags__code=chosen["flag"], flags__status=FlagStatus.OPEN).distinct()
    if chosen["q"]:
        cases = cases.filter(Q(reference__icontains=chosen["q"]) | Q(applicant__name__icontains=chosen["q"]))
    cases = cases.order_by(SORTS.get(chosen["sort"], "-created_at"), "-created_at")
    return cases, chosen


def _sort_links(request: AuthedRequest, chosen: dict[str, str]) -> dict[str, str]:
    links = {}
    for key in ("reference", "created", "state", "kind", "destination"):
        params = request.GET.copy()
        params["sort"] = f"-{key}" if chosen["sort"] == key else key
        params.pop("page", None)
        links[key] = "?" + params.urlencode()
    return links


@login_required
def case_list(request: AuthedRequest) -> HttpResponse:
    """Officials' list of the authority's cases: sortable, filtered in the URL, paginated."""
    require(request.user, Permission.CASE_VIEW)
    cases, chosen = _filtered(request, services.cases_for(request.user).select_related("applicant"))
    page = Paginator(cases, PAGE_SIZE).get_page(request.GET.get("page"))
    # Open blocking flags are counted for the cases on the page only: counted by an annotation of the
    # list, they made the database join and group every case of the authority, for the page and again
    # for the paginator's count, to show 25 rows.
    page.object_list = rows = list(page.object_list)
    blocking = dict(
        CaseFlag.objects.filter(case__in=rows, severity="blocking", status=FlagStatus.OPEN)
        .values("case")
        .annotate(n=Count("pk"))
        .values_list("case", "n")
    )
    for case in rows:
        setattr(case, "open_blocking", blocking.get(case.pk, 0))  # noqa: B010 (read by the template)
    flag_codes = sorted(texts.FLAG_TITLES.items(), key=lambda item: str(item[1]))
    return _page(
        request,
        "licensing/case_list.html",
        {
            "page_title": _("Cases"),
            "page": page,
            "chosen": chosen,
            "states": CaseState.choices,
            "kinds": CaseKind.choices,
            "flag_codes": flag_codes,
            "sort_links": _sort_links(request, chosen),
            "filtered": any(chosen[k] for k in ("state", "kind", "flag", "q")),
        },
    )


@login_required
def my_applications(request: AuthedRequest) -> HttpResponse:
    """An applicant's view: their organisation's applications and a way to start one."""
    require(request.user, Permission.CASE_APPLY)
    cases = services.cases_for(request.user).select_related("applicant")
    if request.user.organisation_id is not None:
        cases = cases.filter(applicant_id=request.user.organisation_id)
    else:
        cases = cases.none()
    cases, chosen = _filtered(request, cases)
    page = Paginator(cases, PAGE_SIZE).get_page(request.GET.get("page"))
    return _page(
        request,
        "licensing/my_applications.html",
        {
            "page_title": _("My applications"),
            "page": page,
            "chosen": chosen,
            "organisation": request.user.organisation,
            "sort_links": _sort_links(request, chosen),
        },
    )


# --- the application (task list) ------------------------------------------------------------------------------


def _draft(request: AuthedRequest, pk: UUID) -> Case:
    require(request.user, Permission.CASE_APPLY)
    case = _case(request, pk)
    if not services._own_application(case, request.user):
        raise PermissionDenied(_("Only the applicant organisation can change its application."))
    return case


def _editable_or_redirect(case: Case) -> HttpResponseRedirect | None:
    if case.state != CaseState.DRAFT:
        return _to_case(case)
    return None


@login_required
@require_http_methods(["GET", "POST"])
def new_application(request: AuthedRequest) -> HttpResponse:
    require(request.user, Permission.CASE_APPLY)
    if request.user.organisation is None:
        raise PermissionDenied(_("Your account is not linked to an applicant organisation of this authority."))
    form = forms.DetailsForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            case = services.create_application(by=request.user, data=form.cleaned_data)
        except ValidationError as exc:
            forms.apply_errors(form, exc)
        else:
            messages.success(request, _("Draft application %(ref)s started.") % {"ref": case.reference})
            return HttpResponseRedirect(reverse("licensing:task_list", args=[case.pk]))
    return _page(
        request,
        "licensing/form_page.html",
        {
            "page_title": _("Apply for a licence"),
            "intro": _("Start with the kind of transfer. You can save and come back to each section later."),
            "form": form,
            "submit": _("Save and continue"),
            "back": reverse("licensing:my_applications"),
        },
    )


@login_required
def task_list(request: AuthedRequest, pk: UUID) -> HttpResponse:
    case = _draft(request, pk)
    if (redirect := _editable_or_redirect(case)) is not None:
        return redirect
    sections = services.sections(case)
    done = sum(1 for s in sections if s.status == "completed")
    return _page(
        request,
        "licensing/task_list.html",
        {
            "page_title": _("Your application"),
            "case": case,
            "sections": sections,
            "done": done,
            "total": len(sections),
            "complete": done == len(sections),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def section_about(request: AuthedRequest, pk: UUID) -> HttpResponse:
    case = _draft(request, pk)
    if (redirect := _editable_or_redirect(case)) is not None:
        return redirect
    initial = {
        "kind": case.kind,
        "permanence": case.permanence,
        "temporary_until": case.temporary_until.isoformat() if case.temporary_until else "",
        "origin_country": case.origin_country,
        "destination_country": case.destination_country,
        "end_use": case.end_use,
    }
    form = forms.DetailsForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.update_details(case.pk, by=request.user, data=form.cleaned_data)
        except ValidationError as exc:
            forms.apply_errors(form, exc)
        else:
            return HttpResponseRedirect(reverse("licensing:task_list", args=[case.pk]))
    return _page(
        request,
        "licensing/form_page.html",
        {
            "page_title": _("About the transfer"),
            "case": case,
            "form": form,
            "submit": _("Save and continue"),
            "back": reverse("licensing:task_list", args=[case.pk]),
        },
    )


def _lines_view(
    section: str, form_class: type[django_forms.Form], add: Callable[..., Any], added: Promise, title: Promise
) -> Callable[..., HttpResponse]:
    """A section that lists the case's lines (`case.<section>`) and adds one at a time, back to itself."""

    @login_required
    @require_http_methods(["GET", "POST"])
    def view(request: AuthedRequest, pk: UUID) -> HttpResponse:
        case = _draft(request, pk)
        if (redirect := _editable_or_redirect(case)) is not None:
            return redirect
        form = form_class(request.POST or None)
        if request.method == "POST" and form.is_valid():
            try:
                add(case.pk, by=request.user, data=form.cleaned_data)
            except ValidationError as exc:
                forms.apply_errors(form, exc)
            else:
                messages.success(request, str(added))
                return HttpResponseRedirect(reverse(f"licensing:section_{section}", args=[case.pk]))
        return _page(
            request,
            f"licensing/section_{section}.html",
            {"page_title": str(title), "case": case, section: getattr(case, section).all(), "form": form},
        )

    return view


def _remove_line(
    request: AuthedRequest, pk: UUID, line_id: UUID, remove: Callable[..., Any], section: str
) -> HttpResponse:
    """Remove a line of a draft (a party, goods line or document); a refusal is shown on the section's page."""
    case = _draft(request, pk)
    try:
        remove(case.pk, line_id, by=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    return HttpResponseRedirect(reverse(f"licensing:section_{section}", args=[case.pk]))


section_parties = _lines_view(
    "parties", forms.PartyForm, services.add_party, gettext_lazy("Party added."), gettext_lazy("Parties")
)
section_goods = _lines_view(
    "goods", forms.GoodsForm, services.add_goods_line, gettext_lazy("Goods line added."), gettext_lazy("Goods")
)


@login_required
@require_POST
def remove_party(request: AuthedRequest, pk: UUID, party_id: UUID) -> HttpResponse:
    return _remove_line(request, pk, party_id, services.remove_party, "parties")


@login_required
@require_POST
def remove_goods(request: AuthedRequest, pk: UUID, line_id: UUID) -> HttpResponse:
    return _remove_line(request, pk, line_id, services.remove_goods_line, "goods")


@login_required
@require_http_methods(["GET", "POST"])
def section_euc(request: AuthedRequest, pk: UUID) -> HttpResponse:
    case = _draft(request, pk)
    if (redirect := _editable_or_redirect(case)) is not None:
        return redirect
    form = forms.EucForm(
        request.POST or None,
        request.FILES or None,
        initial={"euc_serial": case.euc_serial, "euc_seal_text": case.euc_seal_text},
    )
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data.get("euc_file")
        try:
            services.set_euc(
                case.pk,
                by=request.user,
                serial=form.cleaned_data["euc_serial"],
                seal_text=form.cleaned_data["euc_seal_text"],
                file_data=upload.read(services.uploads.MAX_UPLOAD_BYTES + 1) if upload else None,
                file_name=upload.name if upload else "",
            )
        except ValidationError as exc:
            forms.apply_errors(form, exc)
        else:
            return HttpResponseRedirect(reverse("licensing:section_euc", args=[case.pk]))
    return _page(
        request,
        "licensing/section_euc.html",
        {"page_title": _("End-user certificate"), "case": case, "form": form, "check": case.euc_check},
    )


@login_required
@require_http_methods(["GET", "POST"])
def section_transit(request: AuthedRequest, pk: UUID) -> HttpResponse:
    case = _draft(request, pk)
    if (redirect := _editable_or_redirect(case)) is not None:
        return redirect
    current = ", ".join(case.transit.values_list("country", flat=True))
    form = forms.TransitForm(request.POST or None, initial={"countries": current})
    if request.method == "POST" and form.is_valid():
        try:
            services.set_transit_route(case.pk, by=request.user, countries=form.country_list())
        except ValidationError as exc:
            forms.apply_errors(form, exc, {"transit": "countries"})
        else:
            return HttpResponseRedirect(reverse("licensing:task_list", args=[case.pk]))
    return _page(
        request,
        "licensing/form_page.html",
        {
            "page_title": _("Transit route"),
            "intro": _("The countries the goods cross or are trans-shipped in, from the first to the last."),
            "case": case,
            "form": form,
            "submit": _("Save and continue"),
            "back": reverse("licensing:task_list", args=[case.pk]),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def section_documents(request: AuthedRequest, pk: UUID) -> HttpResponse:
    case = _draft(request, pk)
    if case.state not in (CaseState.DRAFT, CaseState.AWAITING_INFORMATION):
        return _to_case(case)
    form = forms.DocumentForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            services.attach_document(
                case.pk,
                by=request.user,
                kind=form.cleaned_data["kind"],
                data=upload.read(services.uploads.MAX_UPLOAD_BYTES + 1),
                name=upload.name or "",
            )
        except ValidationError as exc:
            forms.apply_errors(form, exc)
        else:
            messages.success(request, _("Document attached."))
            return HttpResponseRedirect(reverse("licensing:section_documents", args=[case.pk]))
    attached = case.documents.exclude(kind__in=[DocumentKind.LICENCE, DocumentKind.REFUSAL])
    return _page(
        request,
        "licensing/section_documents.html",
        {"page_title": _("Supporting documents"), "case": case, "documents": attached, "form": form},
    )


@login_required
@require_POST
def remove_document(request: AuthedRequest, pk: UUID, document_id: UUID) -> HttpResponse:
    return _remove_line(request, pk, document_id, services.remove_document, "documents")


@login_required
@require_http_methods(["GET", "POST"])
def check_answers(request: AuthedRequest, pk: UUID) -> HttpResponse:
    """Check your answers, then submit: the application goes to the authority."""
    case = _draft(request, pk)
    if (redirect := _editable_or_redirect(case)) is not None:
        return redirect
    errors: list[str] = []
    if request.method == "POST":
        try:
            services.submit(case.pk, by=request.user)
        except ValidationError as exc:
            errors = list(exc.messages)
        else:
            messages.success(request, _("Application %(ref)s submitted.") % {"ref": case.reference})
            return _to_case(case)
    return _page(
        request,
        "licensing/check_answers.html",
        {
            "page_title": _("Check your answers before submitting"),
            "case": case,
            "sections": services.sections(case),
            "errors": errors,
            **_case_parts(case),
        },
        status=422 if errors else 200,
    )


# --- the case page ------------------------------------------------------------------------------------------


def _case_parts(case: Case) -> dict[str, Any]:
    return {
        "parties": case.parties.all(),
        "goods": case.goods.all(),
        "transit": list(case.transit.values_list("country", flat=True)),
        "documents": case.documents.all(),
    }


def _actions(case: Case, user: Any) -> list[dict[str, str]]:
    """The buttons the user may press on this case now (the services decide again)."""
    state = case.state
    own = services._own_application(case, user)
    actions: list[dict[str, str]] = []

    def add(label: str, name: str, style: str = "") -> None:
        actions.append({"label": label, "url": reverse(f"licensing:{name}", args=[case.pk]), "style": style})

    if own and has_permission(user, Permission.CASE_APPLY):
        if state == CaseState.DRAFT:
            add(_("Continue the application"), "task_list")
        if state == CaseState.AWAITING_INFORMATION:
            add(_("Provide the requested information"), "respond")
        if state in (
            CaseState.DRAFT,
            CaseState.SUBMITTED,
            CaseState.SCREENING,
            CaseState.UNDER_ASSESSMENT,
            CaseState.AWAITING_INFORMATION,
            CaseState.AWAITING_COUNTERSIGNATURE,
        ):
            add(_("Withdraw the application"), "withdraw", "secondary")
    if own:
        return actions
    if has_permission(user, Permission.CASE_PROCESS):
        if state == CaseState.SUBMITTED:
            add(_("Start screening"), "start_screening")
        if state == CaseState.SCREENING:
            add(_("Clear screening"), "screening_clear")
        if state in (CaseState.SCREENING, CaseState.UNDER_ASSESSMENT):
            add(_("Request information from the applicant"), "request_information", "outline")
    if state == CaseState.UNDER_ASSESSMENT:
        if has_permission(user, Permission.CASE_ASSESS):
            actions.append(
                {"label": _("Risk assessment"), "url": reverse("assessment:assessment", args=[case.pk]), "style": ""}
            )
        if (
            has_permission(user, Permission.CASE_ADVISE)
            and case.advice.filter(agency_id=user.agency_id, outcome="").exists()
        ):
            add(_("Give your agency's advice"), "advice")
        if has_permission(user, Permission.CASE_DECIDE):
            add(_("Propose a decision"), "propose")
    if state == CaseState.AWAITING_COUNTERSIGNATURE and has_permission(user, Permission.CASE_COUNTERSIGN):
        add(_("Countersign or return the decision"), "countersign")
    if state == CaseState.APPROVED and has_permission(user, Permission.CASE_PROCESS):
        add(_("Issue the licence"), "issue")
    if state in (CaseState.LICENCE_ISSUED, CaseState.IN_USE) and has_permission(user, Permission.SHIPMENT_RECORD):
        add(_("Record a shipment"), "shipment_new")
    if has_permission(user, Permission.CASE_COUNTERSIGN):
        if state in (CaseState.LICENCE_ISSUED, CaseState.IN_USE):
            add(_("Suspend the licence"), "suspend", "secondary")
        if state == CaseState.SUSPENDED:
            add(_("Reinstate the licence"), "reinstate")
        if state in (CaseState.LICENCE_ISSUED, CaseState.IN_USE, CaseState.SUSPENDED):
            add(_("Revoke the licence"), "revoke", "secondary")
    if (
        state == CaseState.REFUSED
        and (has_permission(user, Permission.CASE_DECIDE) or has_permission(user, Permission.CASE_COUNTERSIGN))
        and not DenialNotice.objects.filter(case=case).exists()
    ):
        add(_("Share a denial notice"), "share_denial")
    return actions


@login_required
def case_detail(request: AuthedRequest, pk: UUID) -> HttpResponse:
    """The case: reference, status, next action and who holds it, then everything on record."""
    case = _case(request, pk)
    user = request.user
    official = has_permission(user, Permission.CASE_VIEW)
    flags = [
        {"flag": f, "title": texts.flag_title(f.code), "message": texts.flag_message(f.code, f.params)}
        for f in case.flags.select_related("resolved_by")
    ]
    from attkit.assessment.models import Assessment

    assessment = Assessment.objects.filter(case=case).first()
    assessment_view = None
    if assessment is not None and official:
        from attkit.assessment import rules
        from attkit.assessment import services as assessment_services

        found = assessment_services.findings(assessment)
        required = rules.required_outcome(found)
        assessment_view = {
            "assessment": assessment,
            "required": required,
            "codes": rules.refusal_codes(rules.criteria_relied_on(found)),
            "rows": assessment_services.criterion_rows(assessment),
        }
    clock = services.clock(case)
    context = {
        "page_title": case.reference,
        "case": case,
        "next": services.next_action(case),
        "actions": _actions(case, user),
        "official": official,
        "flags": flags if official else [],
        "hits": case.hits.select_related("party", "reviewed_by") if official else [],
        "advice": case.advice.select_related("agency", "given_by") if official else [],
        "decisions": case.decisions.select_related("proposed_by", "countersigned_by") if official else [],
        "shipments": case.shipments.prefetch_related("lines__goods_line"),
        "events": case.events.select_related("actor"),
        "event_labels": texts.EVENT_DONE,
        "assessment_view": assessment_view,
        "working_days": round(clock.working.total_seconds() / 86400, 1),
        "paused_days": round(clock.paused.total_seconds() / 86400, 1),
        "can_review": has_permission(user, Permission.SCREENING_REVIEW) and case.state == CaseState.SCREENING,
        "can_resolve": has_permission(user, Permission.FLAG_CLEAR) and not case.is_closed,
        "licence_doc": documents.latest(case, DocumentKind.LICENCE),
        "refusal_doc": documents.latest(case, DocumentKind.REFUSAL),
        "notice": DenialNotice.objects.filter(case=case).first(),
        "criterion_labels": texts.CRITERION_LABELS,
        **_case_parts(case),
    }
    return _page(request, "licensing/case_detail.html", context)


@login_required
def download(request: AuthedRequest, pk: UUID, document_id: UUID) -> FileResponse:
    case = _case(request, pk)
    try:
        document: CaseDocument = case.documents.get(pk=document_id)
    except CaseDocument.DoesNotExist:
        raise Http404 from None
    response = FileResponse(
        document.file.open("rb"), content_type=document.media_type, as_attachment=True, filename=document.original_name
    )
    response["X-Content-Type-Options"] = "nosniff"
    return response


# --- officials' actions -------------------------------------------------------------------------------------


def _confirm(
    request: AuthedRequest,
    case: Case,
    *,
    title: str,
    consequence: str,
    button: str,
    form: Any,
    danger: bool = True,
    status: int = 200,
    extra: dict[str, Any] | None = None,
) -> HttpResponse:
    return _page(
        request,
        "licensing/confirm.html",
        {
            "page_title": title,
            "case": case,
            "consequence": consequence,
            "button": button,
            "form": form,
            "danger": danger,
            **(extra or {}),
        },
        status=status,
    )


@dataclass(frozen=True)
class _Confirmation:
    """A confirmation page that makes one service call: `act(case.pk, by=user, **form.cleaned_data)`."""

    act: Callable[..., Any]
    title: str | Promise
    consequence: str | Promise
    button: str | Promise
    done: str | Promise | Callable[[Any], str] | None = None  # the message, or one built from what act returned
    form_class: type[django_forms.Form] = forms.ReasonForm
    anchor: str = ""
    danger: bool = True


def _confirm_action(request: AuthedRequest, case: Case, page: _Confirmation) -> HttpResponse:
    posted = request.method == "POST"
    # A form with fields is bound only to a POST that carries some (as everywhere here: `request.POST or None`);
    # a confirmation with nothing to fill in acts on any POST.
    bound = posted and (bool(request.POST) or not page.form_class.base_fields)
    form = page.form_class(request.POST if bound else None)
    if bound and form.is_valid():
        try:
            result = page.act(case.pk, by=request.user, **form.cleaned_data)
        except ValidationError as exc:
            forms.apply_errors(form, exc)
        else:
            done = page.done(result) if callable(page.done) else page.done
            if done:
                messages.success(request, str(done))
            return _to_case(case, page.anchor)
    return _confirm(
        request,
        case,
        title=str(page.title),
        consequence=str(page.consequence),
        button=str(page.button),
        form=form,
        danger=page.danger,
    )


def _confirmation_view(permission: Permission, page: _Confirmation) -> Callable[..., HttpResponse]:
    """The view of a confirmation page that needs one permission (checked before the case is looked up)."""

    @login_required
    @require_http_methods(["GET", "POST"])
    def view(request: AuthedRequest, pk: UUID) -> HttpResponse:
        require(request.user, permission)
        return _confirm_action(request, _case(request, pk), page)

    return view


withdraw = _confirmation_view(
    Permission.CASE_APPLY,
    _Confirmation(
        services.withdraw,
        title=gettext_lazy("Withdraw the application"),
        consequence=gettext_lazy(
            "The authority stops working on it. You cannot take this back; you would apply again."
        ),
        button=gettext_lazy("Withdraw the application"),
        done=gettext_lazy("Application withdrawn."),
    ),
)

request_information = _confirmation_view(
    Permission.CASE_PROCESS,
    _Confirmation(
        services.request_information,
        title=gettext_lazy("Request information from the applicant"),
        consequence=gettext_lazy("The case clock stops until the applicant answers. Say exactly what is needed."),
        button=gettext_lazy("Send the request"),
        done=gettext_lazy("Request sent; the clock is stopped."),
    ),
)

suspend = _confirmation_view(
    Permission.CASE_COUNTERSIGN,
    _Confirmation(
        services.suspend,
        title=gettext_lazy("Suspend the licence"),
        consequence=gettext_lazy(
            "Customs will refuse shipments under this licence, and its verification will say so, until it is "
            "reinstated (Art. 7(7))."
        ),
        button=gettext_lazy("Suspend the licence"),
        done=gettext_lazy("Licence suspended."),
    ),
)

reinstate = _confirmation_view(
    Permission.CASE_COUNTERSIGN,
    _Confirmation(
        services.reinstate,
        title=gettext_lazy("Reinstate the licence"),
        consequence=gettext_lazy("Shipments can be recorded against the licence again."),
        button=gettext_lazy("Reinstate the licence"),
        done=gettext_lazy("Licence reinstated."),
    ),
)

revoke = _confirmation_view(
    Permission.CASE_COUNTERSIGN,
    _Confirmation(
        services.revoke,
        title=gettext_lazy("Revoke the licence"),
        consequence=gettext_lazy(
            "The licence ends for good (Art. 7(7)); its seal is published as revoked to every verifier. "
            "This cannot be undone."
        ),
        button=gettext_lazy("Revoke the licence"),
        done=gettext_lazy("Licence revoked."),
    ),
)


@login_required
@require_http_methods(["GET", "POST"])
def respond(request: AuthedRequest, pk: UUID) -> HttpResponse:
    case = _draft(request, pk)
    form = forms.ResponseForm(request.POST or None)
    question = case.events.filter(event=workflow.Event.REQUEST_INFORMATION).order_by("-created_at").first()
    if request.method == "POST" and form.is_valid():
        try:
            services.provide_information(case.pk, by=request.user, response=form.cleaned_data["response"])
        except ValidationError as exc:
            forms.apply_errors(form, exc)
        else:
            messages.success(request, _("Your answer was sent; the authority resumes its work."))
            return _to_case(case)
    return _page(
        request,
        "licensing/respond.html",
        {"page_title": _("Provide the requested information"), "case": case, "form": form, "question": question},
    )


screening_clear = _confirmation_view(
    Permission.CASE_PROCESS,
    _Confirmation(
        services.screening_clear,
        title=gettext_lazy("Clear screening"),
        consequence=gettext_lazy(
            "The case goes to assessment, and the agencies named by the routing rules are consulted."
        ),
        button=gettext_lazy("Clear screening"),
        done=gettext_lazy("Screening cleared: the case is under assessment."),
        form_class=forms.EmptyForm,
        danger=False,
    ),
)

start_screening = _confirmation_view(
    Permission.CASE_PROCESS,
    _Confirmation(
        services.start_screening,
        title=gettext_lazy("Start screening"),
        consequence=gettext_lazy("You take the case: review its screening hits and flags, then clear screening."),
        button=gettext_lazy("Start screening"),
        form_class=forms.EmptyForm,
        anchor="screening",
        danger=False,
    ),
)


@login_required
@require_http_methods(["GET", "POST"])
def review_hit(request: AuthedRequest, pk: UUID, hit_id: UUID) -> HttpResponse:
    require(request.user, Permission.SCREENING_REVIEW)
    case = _case(request, pk)
    try:
        hit = case.hits.select_related("party").get(pk=hit_id)
    except ScreeningHit.DoesNotExist:
        raise Http404 from None
    form = forms.ReviewForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.review_hit(
                hit.pk, by=request.user, decision=form.cleaned_data["decision"], reason=form.cleaned_data["reason"]
            )
        except ValidationError as exc:
            forms.apply_errors(form, exc)
        else:
            messages.success(request, _("Hit reviewed."))
            return _to_case(case, "screening")
    return _page(
        request,
        "licensing/review_hit.html",
        {"page_title": _("Review a screening hit"), "case": case, "hit": hit, "form": form},
    )


@login_required
@require_http_methods(["GET", "POST"])
def resolve_flag(request: AuthedRequest, pk: UUID, flag_id: UUID) -> HttpResponse:
    require(request.user, Permission.FLAG_CLEAR)
    case = _case(request, pk)
    try:
        flag: CaseFlag = case.flags.get(pk=flag_id)
    except CaseFlag.DoesNotExist:
        raise Http404 from None
    form = forms.ResolveForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.resolve_flag(
                flag.pk,
                by=request.user,
                resolution=form.cleaned_data["resolution"],
                reason=form.cleaned_data["reason"],
            )
        except ValidationError as exc:
            forms.apply_errors(form, exc)
        else:
            messages.success(request, _("Flag resolved."))
            return _to_case(case, "flags")
    consequence = _(
        "A blocking flag holds the case. Resolving it lets the case move on; a flag confirmed as applying still "
        "prevents an approval. The reason is recorded."
    )
    return _confirm(
        request,
        case,
        title=_("Resolve a flag"),
        consequence=consequence,
        button=_("Resolve the flag"),
        form=form,
        extra={
            "flag": flag,
            "flag_title": texts.flag_title(flag.code),
            "flag_message": texts.flag_message(flag.code, flag.params),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def advice(request: AuthedRequest, pk: UUID) -> HttpResponse:
    """An agency adviser gives their agency's advice on a case."""
    require(request.user, Permission.CASE_ADVISE)
    case = _case(request, pk)
    agency_id = request.user.agency_id
    own = case.advice.select_related("agency").filter(agency_id=agency_id).first() if agency_id else None
    form = forms.AdviceForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.give_advice(
                case.pk,
                by=request.user,
                outcome=form.cleaned_data["outcome"],
                reasons=form.cleaned_data["reasons"],
                conditions=form.cleaned_data["conditions"],
            )
        except ValidationError as exc:
            forms.apply_errors(form, exc)
        else:
            messages.success(request, _("Advice recorded."))
            return _to_case(case, "advice")
    return _page(
        request,
        "licensing/advice.html",
        {"page_title": _("Give your agency's advice"), "case": case, "form": form, "own": own, **_case_parts(case)},
    )


@login_required
@require_http_methods(["GET", "POST"])
def propose(request: AuthedRequest, pk: UUID) -> HttpResponse:
    """The officer's decision page: consolidated advice, the assessment's findings, outcome and criteria."""
    require(request.user, Permission.CASE_DECIDE)
    case = _case(request, pk)
    form = forms.ProposeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.propose_decision(
                case.pk,
                by=request.user,
                outcome=form.cleaned_data["outcome"],
                criteria=form.cleaned_data["criteria"],
                reasons=form.cleaned_data["reasons"],
                conditions=form.cleaned_data["conditions"],
            )
        except ValidationError as exc:
            forms.apply_errors(form, exc)
        else:
            messages.success(request, _("Decision proposed; it awaits a supervisor's countersignature."))
            return _to_case(case)
    from attkit.assessment import rules
    from attkit.assessment import services as assessment_services

    findings = assessment_services.findings_for_case(case)
    required = rules.required_outcome(findings) if findings else None
    codes = rules.refusal_codes(rules.criteria_relied_on(findings)) if findings else ()
    return _page(
        request,
        "licensing/propose.html",
        {
            "page_title": _("Propose a decision"),
            "case": case,
            "form": form,
            "advice": case.advice.select_related("agency"),
            "findings": findings,
            "required": required,
            "codes": codes,
            "criterion_labels": texts.CRITERION_LABELS,
            "awaited": services.advice_awaited(case),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def countersign(request: AuthedRequest, pk: UUID) -> HttpResponse:
    """The supervisor's confirmation page: the proposal, then agree (it takes effect) or disagree (with reason)."""
    require(request.user, Permission.CASE_COUNTERSIGN)
    case = _case(request, pk)
    decision = services.current_decision(case)
    form = forms.CountersignForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        agree = form.cleaned_data["agree"] == "yes"
        try:
            services.countersign(case.pk, by=request.user, agree=agree, reason=form.cleaned_data["reason"])
        except ValidationError as exc:
            forms.apply_errors(form, exc)
        else:
            messages.success(
                request, _("Decision countersigned.") if agree else _("Decision returned for reassessment.")
            )
            return _to_case(case)
    pending = decision is not None and decision.status == CountersignStatus.PENDING
    return _page(
        request,
        "licensing/countersign.html",
        {
            "page_title": _("Countersign the decision"),
            "case": case,
            "decision": decision if pending else None,
            "form": form,
            "own": decision is not None and decision.proposed_by_id == request.user.pk,
            "criterion_labels": texts.CRITERION_LABELS,
            "advice": case.advice.select_related("agency"),
        },
    )


issue = _confirmation_view(
    Permission.CASE_PROCESS,
    _Confirmation(
        services.issue_licence,
        title=gettext_lazy("Issue the licence"),
        consequence=gettext_lazy(
            "A sealed licence is printed: customs anywhere can verify it and draw shipments against it "
            "until it is exhausted, expires, or is suspended or revoked."
        ),
        button=gettext_lazy("Issue the licence"),
        done=gettext_lazy("Licence issued and sealed."),
        form_class=forms.IssueForm,
    ),
)

_SHARE_DENIAL = _Confirmation(
    services.share_denial_notice,
    title=gettext_lazy("Share a denial notice"),
    consequence=gettext_lazy(
        "Every authority on the hub will see the end user, the destination, the categories and the criteria "
        "of this refusal (never the rest of the case); their later applications for the same end user are "
        "flagged."
    ),
    button=gettext_lazy("Share the denial notice"),
    done=lambda notice: _("Denial notice %(n)s shared.") % {"n": notice.number},
    form_class=forms.EmptyForm,
)


@login_required
@require_http_methods(["GET", "POST"])
def share_denial(request: AuthedRequest, pk: UUID) -> HttpResponse:
    case = _case(request, pk)
    if not (
        has_permission(request.user, Permission.CASE_DECIDE)
        or has_permission(request.user, Permission.CASE_COUNTERSIGN)
    ):
        raise PermissionDenied(_("You do not have permission to do this."))
    return _confirm_action(request, case, _SHARE_DENIAL)


# --- customs ------------------------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def shipment_lookup(request: AuthedRequest) -> HttpResponse:
    require(request.user, Permission.SHIPMENT_RECORD)
    form = forms.LookupForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        reference = form.cleaned_data["reference"].strip().upper()
        case = services.cases_for(request.user).filter(reference=reference).first()
        if case is None:
            form.add_error("reference", _("No licence of your authority has this number"))
        else:
            return HttpResponseRedirect(reverse("licensing:shipment_new", args=[case.pk]))
    live = (
        services.cases_for(request.user)
        .filter(state__in=[CaseState.LICENCE_ISSUED, CaseState.IN_USE])
        .order_by("-licence_issued_at")[:50]
    )
    return _page(
        request,
        "licensing/shipment_lookup.html",
        {"page_title": _("Record a shipment"), "form": form, "live": live},
    )


@login_required
@require_http_methods(["GET", "POST"])
def shipment_new(request: AuthedRequest, pk: UUID) -> HttpResponse:
    require(request.user, Permission.SHIPMENT_RECORD)
    case = _case(request, pk)
    lines = list(case.goods.all())
    form = forms.ShipmentForm(request.POST or None, lines=lines)
    if request.method == "POST" and form.is_valid():
        try:
            services.record_shipment(
                case.pk,
                by=request.user,
                declaration_number=form.cleaned_data["declaration_number"],
                shipment_date=form.cleaned_data["shipment_date"],
                lines=form.line_rows(),
                notes=form.cleaned_data["notes"],
            )
        except ValidationError as exc:
            forms.apply_errors(form, exc)
        else:
            messages.success(request, _("Shipment recorded."))
            return _to_case(case, "shipments")
    return _page(
        request,
        "licensing/shipment_form.html",
        {"page_title": _("Record a shipment"), "case": case, "form": form, "goods": lines},
    )


# --- hub-wide pages -----------------------------------------------------------------------------------------


@login_required
def denial_notices(request: AuthedRequest) -> HttpResponse:
    """Denial notices of every authority on the hub (the named cross-authority read model)."""
    require(request.user, Permission.CASE_VIEW)
    notices = services.hub_denial_notices()
    page = Paginator(notices, PAGE_SIZE).get_page(request.GET.get("page"))
    return _page(
        request,
        "licensing/denial_notices.html",
        {"page_title": _("Denial notices"), "page": page, "criterion_labels": texts.CRITERION_LABELS},
    )


@login_required
@require_http_methods(["GET", "POST"])
def licence_verify(request: AuthedRequest) -> HttpResponse:
    """Verify a licence's seal: paste its text or upload the PDF or a photo."""
    from attkit.licensing import verifying

    require(request.user, Permission.LICENCE_VERIFY)
    form = forms.VerifyForm(request.POST or None, request.FILES or None)
    result = None
    data: dict[str, Any] | None = None
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data.get("file")
        text = form.cleaned_data.get("text") or ""
        if upload is not None:
            result = verifying.verify_bytes(upload.read(services.uploads.MAX_UPLOAD_BYTES + 1), user=request.user)
        elif text.strip():
            result = verifying.verify_text(text, user=request.user)
        else:
            form.add_error("text", _("Paste the seal text or upload the licence"))
        if result is not None:
            data = verifying.as_dict(result)
    return _page(
        request,
        "licensing/verify.html",
        {
            "page_title": _("Verify a licence"),
            "form": form,
            "result": result,
            "data": data,
            "valid_licence": bool(data and data.get("valid")),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def routing(request: AuthedRequest) -> HttpResponse:
    """Routing rules: which agencies advise on which cases."""
    from attkit.accounts.models import Agency

    require(request.user, Permission.CASE_VIEW)
    can_manage = has_permission(request.user, Permission.CASE_COUNTERSIGN) or has_permission(
        request.user, Permission.REFERENCE_MANAGE
    )
    agencies = [(str(a.pk), a.name) for a in Agency.objects.for_user(request.user).filter(is_active=True)]
    form = forms.RoutingRuleForm(request.POST or None, agencies=agencies)
    if request.method == "POST":
        if not can_manage:
            raise PermissionDenied(_("You do not have permission to do this."))
        if form.is_valid():
            try:
                services.save_routing_rule(
                    by=request.user,
                    agency_id=form.cleaned_data["agency"],
                    kind=form.cleaned_data["kind"],
                    category=form.cleaned_data["category"],
                    destination=form.cleaned_data["destination"],
                    note=form.cleaned_data["note"],
                )
            except ValidationError as exc:
                forms.apply_errors(form, exc)
            else:
                messages.success(request, _("Routing rule added."))
                return HttpResponseRedirect(reverse("licensing:routing"))
    rules = RoutingRule.objects.for_user(request.user).select_related("agency")
    return _page(
        request,
        "licensing/routing.html",
        {"page_title": _("Routing rules"), "rules": rules, "form": form, "can_manage": can_manage},
    )


@login_required
@require_POST
def routing_delete(request: AuthedRequest, rule_id: UUID) -> HttpResponse:
    try:
        services.delete_routing_rule(rule_id, by=request.user)
    except RoutingRule.DoesNotExist:
        raise Http404 from None
    messages.success(request, _("Routing rule removed."))
    return HttpResponseRedirect(reverse("licensing:routing"))

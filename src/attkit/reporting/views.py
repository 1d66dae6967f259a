"""Pages of records and reports: thin views that parse input, check permission, call a service, render."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from attkit.core.errors import bad_request_with
from attkit.core.http import AuthedRequest
from attkit.core.models import Authority
from attkit.core.permissions import Permission, has_permission, require
from attkit.reporting import adapters, dashboard, forms, importer, services
from attkit.reporting import report as rpt
from attkit.reporting.models import (
    RETENTION_YEARS,
    Basis,
    CustomsDeclaration,
    ImportKind,
    PendingImport,
    RecordImport,
    ReportKind,
    ReportSubmission,
    TransferRecord,
)
from attkit.reporting.reconcile import Finding


def _lang() -> str:
    return (get_language() or "en")[:2]


def _authority(request: AuthedRequest) -> Authority:
    if request.user.authority is None:
        raise PermissionDenied(_("Your account belongs to no authority."))
    return request.user.authority


def _require_any(request: AuthedRequest, *permissions: Permission) -> None:
    if not any(has_permission(request.user, p) for p in permissions):
        raise PermissionDenied(_("You do not have permission to see this page."))


def _year_basis(request: AuthedRequest) -> tuple[int, str]:
    this = timezone.localdate().year
    try:
        year = int(request.GET.get("year", this - 1))
    except ValueError:
        year = this - 1
    year = min(max(year, 1990), this)
    basis = request.GET.get("basis", Basis.ACTUAL)
    return year, basis if basis in Basis.values else Basis.ACTUAL


# Dashboard and charts.


@login_required
@require_GET
def index(request: AuthedRequest) -> HttpResponse:
    _require_any(request, Permission.REPORTS_VIEW, Permission.RECORDS_VIEW)
    authority = _authority(request)
    year, basis = _year_basis(request)
    lang = _lang()
    chart_list = [dashboard.chart(key, authority, year, basis, lang) for key in dashboard.CHART_KEYS]
    context = {
        "page_title": _("Records and reports"),
        "reminder": services.reminder_for(authority),
        "grace_days": services.GRACE_DAYS,
        "charts": chart_list,
        "year": year,
        "basis": basis,
        "years": [y for y, _label in forms.year_choices()],
        "bases": Basis.choices,
        "total_records": TransferRecord.objects.for_user(request.user).current().count(),
        "can_manage": has_permission(request.user, Permission.RECORDS_MANAGE),
    }
    return render(request, "reporting/index.html", context)


@login_required
@require_GET
def chart_svg(request: AuthedRequest, key: str) -> HttpResponse:
    _require_any(request, Permission.REPORTS_VIEW, Permission.RECORDS_VIEW)
    if key not in dashboard.CHART_KEYS:
        raise Http404
    year, basis = _year_basis(request)
    chart = dashboard.chart(key, _authority(request), year, basis, _lang())
    if not chart.available:
        raise Http404
    response = HttpResponse(chart.svg(), content_type="image/svg+xml")
    response["Cache-Control"] = "private, max-age=60"
    return response


# Records.


def _filtered(request: AuthedRequest, form: forms.RecordFilterForm) -> Any:
    records = TransferRecord.objects.for_user(request.user)
    if not form.is_valid():
        return records.current()
    data = form.cleaned_data
    if not data.get("history"):
        records = records.current()
    if data.get("year"):
        records = records.filter(year=data["year"])
    for name in ("direction", "basis", "category"):
        if data.get(name):
            records = records.filter(**{name: data[name]})
    if data.get("q"):
        q = data["q"].strip()
        records = records.filter(
            Q(reference__icontains=q) | Q(licence_reference__icontains=q) | Q(end_user__icontains=q)
        )
    return records


@login_required
@require_GET
def records_list(request: AuthedRequest) -> HttpResponse:
    require(request.user, Permission.RECORDS_VIEW)
    form = forms.RecordFilterForm(request.GET or None)
    records = _filtered(request, form)
    page = Paginator(records.order_by("-year", "-created_at"), 50).get_page(request.GET.get("page"))
    names = adapters.country_names({r.partner_state for r in page}, _lang())
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "reporting/records_list.html",
        {
            "page_title": _("Transfer records"),
            "form": form,
            "page": page,
            "names": names,
            "query": query.urlencode(),
            "can_manage": has_permission(request.user, Permission.RECORDS_MANAGE),
        },
    )


@login_required
@require_GET
def records_export(request: AuthedRequest, fmt: str) -> HttpResponse:
    require(request.user, Permission.RECORDS_VIEW)
    if fmt not in ("csv", "json"):
        raise Http404
    form = forms.RecordFilterForm(request.GET or None)
    records = _filtered(request, form).order_by("year", "reference")
    content = services.export_records(records.iterator(chunk_size=2000), fmt)
    authority = _authority(request)
    response = HttpResponse(content, content_type="text/csv; charset=utf-8" if fmt == "csv" else "application/json")
    response["Content-Disposition"] = f'attachment; filename="records-{authority.code}.{fmt}"'
    return response


@login_required
@require_GET
def record_detail(request: AuthedRequest, pk: UUID) -> HttpResponse:
    require(request.user, Permission.RECORDS_VIEW)
    record = get_object_or_404(TransferRecord.objects.for_user(request.user), pk=pk)
    versions = services.history(record)
    codes = {record.exporting_state, record.importing_state, record.state_of_origin, *record.transit_states}
    return render(
        request,
        "reporting/record_detail.html",
        {
            "page_title": record.reference,
            "record": record,
            "versions": versions,
            "names": adapters.country_names(codes, _lang()),
            "category_label": adapters.category_choices(_lang(), [record.category])[0][1],
            "can_manage": has_permission(request.user, Permission.RECORDS_MANAGE),
            "can_delete": services.can_delete(record),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def record_new(request: AuthedRequest) -> HttpResponse:
    require(request.user, Permission.RECORDS_MANAGE)
    form = forms.RecordForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            record = services.record_transfer(authority=_authority(request), by=request.user, **form.service_data())
        except ValidationError as exc:
            form.add_service_errors(exc)
        else:
            messages.success(request, _("Record %(ref)s kept.") % {"ref": record.reference})
            return redirect("reporting:record", pk=record.pk)
    return render(
        request,
        "reporting/record_form.html",
        {"page_title": _("New transfer record"), "form": form, "record": None},
    )


@login_required
@require_http_methods(["GET", "POST"])
def record_correct(request: AuthedRequest, pk: UUID) -> HttpResponse:
    require(request.user, Permission.RECORDS_MANAGE)
    record = get_object_or_404(TransferRecord.objects.for_user(request.user), pk=pk)
    if not record.is_current:
        messages.warning(request, _("This version was already corrected: correct the current version."))
        return redirect("reporting:record", pk=record.pk)
    initial = services.record_values(record)
    initial["transit_states"] = ", ".join(record.transit_states or [])
    form = forms.CorrectionForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            new = services.supersede_record(
                record.pk, by=request.user, reason=form.cleaned_data["reason"], changes=form.service_data()
            )
        except ValidationError as exc:
            form.add_service_errors(exc)
        else:
            messages.success(
                request,
                _("Record corrected: %(new)s supersedes %(old)s.") % {"new": new.reference, "old": record.reference},
            )
            return redirect("reporting:record", pk=new.pk)
    return render(
        request,
        "reporting/record_form.html",
        {"page_title": _("Correct %(ref)s") % {"ref": record.reference}, "form": form, "record": record},
    )


@login_required
@require_http_methods(["GET", "POST"])
def record_delete(request: AuthedRequest, pk: UUID) -> HttpResponse:
    require(request.user, Permission.RECORDS_MANAGE)
    record = get_object_or_404(TransferRecord.objects.for_user(request.user), pk=pk)
    form = forms.DeleteForm(request.POST or None)
    allowed = services.can_delete(record)
    if request.method == "POST" and form.is_valid():
        try:
            refs = services.delete_record(record.pk, by=request.user, reason=form.cleaned_data["reason"])
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("Deleted: %(refs)s.") % {"refs": ", ".join(refs)})
            return redirect("reporting:records")
    return render(
        request,
        "reporting/record_delete.html",
        {
            "page_title": _("Delete %(ref)s") % {"ref": record.reference},
            "record": record,
            "form": form,
            "allowed": allowed,
        },
    )


@login_required
@require_GET
def retention(request: AuthedRequest) -> HttpResponse:
    require(request.user, Permission.RECORDS_VIEW)
    rows = services.retention_report(_authority(request))
    return render(
        request,
        "reporting/retention.html",
        {"page_title": _("Retention of records"), "rows": rows, "years": RETENTION_YEARS},
    )


# CSV import (records and customs declarations share the steps).


def _import_permission(kind: str) -> tuple[Permission, ...]:
    if kind == ImportKind.RECORDS:
        return (Permission.RECORDS_MANAGE,)
    return (Permission.SHIPMENT_RECORD, Permission.RECORDS_MANAGE)


@login_required
@require_http_methods(["GET", "POST"])
def import_upload(request: AuthedRequest, kind: str = ImportKind.RECORDS) -> HttpResponse:
    _require_any(request, *_import_permission(kind))
    form = forms.UploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        data = upload.read(importer.MAX_BYTES + 1)
        try:
            pending = services.stash_upload(
                by=request.user, kind=kind, filename=upload.name, data=data, encoding=form.cleaned_data["encoding"]
            )
        except ValidationError as exc:
            form.add_error("file", exc)
        else:
            return redirect("reporting:import_map", pk=pending.pk)
    template = "reporting/import_upload.html" if kind == ImportKind.RECORDS else "reporting/customs_upload.html"
    title = _("Import records from CSV") if kind == ImportKind.RECORDS else _("Import customs declarations")
    return render(
        request,
        template,
        {
            "page_title": title,
            "form": form,
            "kind": kind,
            "fields": services.fields_for(kind),
            "recent": RecordImport.objects.for_user(request.user).filter(kind=kind)[:10],
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def import_map(request: AuthedRequest, pk: UUID) -> HttpResponse:
    pending = get_object_or_404(PendingImport.objects.for_user(request.user), pk=pk)
    _require_any(request, *_import_permission(pending.kind))
    authority = _authority(request)
    fields = services.fields_for(pending.kind)
    outcome: services.ImportOutcome | None = None
    try:
        headers = services.read_headers(bytes(pending.content), pending.encoding)
    except importer.FileRefused as exc:
        from attkit.reporting.messages import refused

        pending.delete()
        messages.error(request, refused(exc))
        return redirect("reporting:import" if pending.kind == ImportKind.RECORDS else "reporting:customs_import")
    initial = importer.default_mapping(headers, fields, services.remembered_mapping(authority, pending.kind))
    form = forms.MappingForm(request.POST or None, headers=headers, fields=fields, initial_map=initial)
    if request.method == "POST" and form.is_valid():
        commit = request.POST.get("action") == "import"
        outcome = services.commit_pending(pending, by=request.user, mapping=form.mapping(), dry_run=not commit)
        if outcome.created:
            messages.success(
                request, _("%(n)s rows imported from %(file)s.") % {"n": outcome.created, "file": pending.filename}
            )
            target = "reporting:records" if pending.kind == ImportKind.RECORDS else "reporting:customs"
            return redirect(target)
    return render(
        request,
        "reporting/import_map.html",
        {
            "page_title": _("Map the columns and check the file"),
            "pending": pending,
            "form": form,
            "fields": fields,
            "outcome": outcome,
            "problems": outcome.problems_text[:500] if outcome else [],
            "more_problems": max(0, len(outcome.problems_text) - 500) if outcome else 0,
        },
    )


# Reports.


def _report_kind(kind: str) -> str:
    if kind not in ReportKind.values:
        raise Http404
    return kind


@login_required
@require_GET
def report_page(request: AuthedRequest, kind: str) -> HttpResponse:
    require(request.user, Permission.REPORTS_VIEW)
    kind = _report_kind(kind)
    authority = _authority(request)
    form = forms.ReportForm(request.GET if "year" in request.GET else None)
    report = None
    if form.is_bound and form.is_valid():
        data = form.cleaned_data
        report = services.build_report(
            kind, authority, data["year"], data["basis"], withheld=data["withheld"], lang=_lang(), by=request.user
        )
    context: dict[str, Any] = {
        "page_title": _("ATT annual report") if kind == ReportKind.ATT else _("UN Register report"),
        "kind": kind,
        "form": form,
        "report": report,
        "query": request.GET.urlencode(),
        "submitted": ReportSubmission.objects.for_user(request.user).filter(kind=kind),
    }
    if report is not None:
        context["labels"] = rpt.category_labels(report.layout, _lang())
        context["sections"] = [
            {
                "panel": panel,
                "layout": panel_layout,
                "rows": rpt.rows_for_panel(panel_layout, panel),
                "heading": rpt.text(panel_layout["heading"]["text"], _lang()),
                "columns": [rpt.text(c["label"], _lang()) for c in panel_layout["columns"]],
                "keys": [c["key"] for c in panel_layout["columns"]],
                "nil_text": rpt.text(panel_layout["nil"].get("text", ""), _lang()),
            }
            for panel_layout, panel in zip(report.layout["panels"], report.panels, strict=True)
        ]
        context["unverified"] = rpt.unverified_items(report.layout, _lang())
        context["verification"] = rpt.text(report.layout["verification"], _lang())
    return render(request, "reporting/report.html", context)


@login_required
@require_GET
def report_download(request: AuthedRequest, kind: str) -> HttpResponse:
    require(request.user, Permission.REPORTS_VIEW)
    kind = _report_kind(kind)
    form = forms.ReportForm(request.GET)
    fmt = request.GET.get("format", "xlsx")
    if not form.is_valid() or fmt not in services.REPORT_FORMATS:
        return bad_request_with(request, ValidationError(_("Choose a year, authorised or actual, and a format.")))
    data = form.cleaned_data
    lang = data.get("lang") or _lang()
    report = services.build_report(
        kind, _authority(request), data["year"], data["basis"], withheld=data["withheld"], lang=lang, by=request.user
    )
    content, content_type, name = services.render_report(report, fmt, lang)
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


@login_required
@require_http_methods(["GET", "POST"])
def definitions(request: AuthedRequest) -> HttpResponse:
    require(request.user, Permission.REPORTS_VIEW)
    authority = _authority(request)
    can_edit = has_permission(request.user, Permission.REPORTS_MANAGE)
    form = forms.DefinitionsForm(request.POST or None, initial={"text": services.definitions_text(authority)})
    if request.method == "POST":
        require(request.user, Permission.REPORTS_MANAGE)
        if form.is_valid():
            try:
                services.save_definitions(by=request.user, authority=authority, text=form.cleaned_data["text"])
            except ValidationError as exc:
                form.add_error("text", exc)
            else:
                messages.success(request, _("National definitions saved."))
                return redirect("reporting:definitions")
    return render(
        request,
        "reporting/definitions.html",
        {"page_title": _("National definitions (Annex 2)"), "form": form, "can_edit": can_edit},
    )


@login_required
@require_http_methods(["GET", "POST"])
def submissions(request: AuthedRequest) -> HttpResponse:
    require(request.user, Permission.REPORTS_VIEW)
    authority = _authority(request)
    can_edit = has_permission(request.user, Permission.REPORTS_MANAGE)
    form = forms.SubmissionForm(request.POST or None)
    if request.method == "POST":
        require(request.user, Permission.REPORTS_MANAGE)
        if form.is_valid():
            try:
                services.mark_submitted(by=request.user, authority=authority, **form.cleaned_data)
            except ValidationError as exc:
                if hasattr(exc, "error_dict"):
                    for name, errs in exc.error_dict.items():
                        form.add_error(name if name in form.fields else None, errs)
                else:
                    form.add_error(None, exc)
            else:
                messages.success(request, _("Report marked as submitted."))
                return redirect("reporting:submissions")
    return render(
        request,
        "reporting/submissions.html",
        {
            "page_title": _("Report submissions"),
            "form": form,
            "can_edit": can_edit,
            "rows": ReportSubmission.objects.for_user(request.user),
            "reminder": services.reminder_for(authority),
        },
    )


# Customs reconciliation.


@login_required
@require_GET
def customs(request: AuthedRequest) -> HttpResponse:
    _require_any(request, Permission.RECORDS_VIEW, Permission.SHIPMENT_RECORD)
    authority = _authority(request)
    result = services.reconciliation(authority)
    show = request.GET.get("show", "problems")
    rows = result.problems if show != "all" else result.checked
    page = Paginator(rows, 50).get_page(request.GET.get("page"))
    from attkit.reporting.messages import FINDING_SHORT, FINDINGS

    return render(
        request,
        "reporting/customs.html",
        {
            "page_title": _("Customs reconciliation"),
            "result": result,
            "page": page,
            "show": show,
            "counts": [(str(FINDING_SHORT[f]), str(FINDINGS[f]), len(result.with_finding(f))) for f in Finding],
            "finding_labels": {str(f): str(FINDING_SHORT[f]) for f in Finding},
            "declarations": CustomsDeclaration.objects.for_user(request.user).count(),
            "licences_from_licensing": adapters.licensing_provides_licences(),
            "can_import": has_permission(request.user, Permission.SHIPMENT_RECORD)
            or has_permission(request.user, Permission.RECORDS_MANAGE),
        },
    )

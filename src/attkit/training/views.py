"""Course pages: modules, lessons, quizzes, simulation cases, certificates, and the instructors' cohorts."""

from __future__ import annotations

import csv
import io
from typing import Any
from uuid import UUID

from django import forms as dj_forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST

from attkit.core.http import AuthedRequest
from attkit.core.permissions import Permission, has_permission, require
from attkit.training import certificates, course, markup, progress, sandbox, services
from attkit.training import content_loader as loader
from attkit.training.forms import (
    CRITERION_LABELS,
    DECISION_LABELS,
    CohortForm,
    CommentForm,
    DecisionForm,
    EnrolForm,
    QuizForm,
    RevokeForm,
)
from attkit.training.models import Certificate, Cohort, Enrolment, QuizAttempt, SimulationRun

ROLE_LABELS = {
    loader.TraineeRole.LICENSING_OFFICER.value: gettext_lazy("Licensing officer"),
    loader.TraineeRole.ASSESSOR.value: gettext_lazy("Assessor"),
    loader.TraineeRole.EUC_VERIFIER.value: gettext_lazy("End-user certificate verifier"),
}
KIND_LABELS = {
    loader.TransferKind.EXPORT.value: gettext_lazy("Export"),
    loader.TransferKind.IMPORT.value: gettext_lazy("Import"),
    loader.TransferKind.TRANSIT.value: gettext_lazy("Transit"),
    loader.TransferKind.TRANS_SHIPMENT.value: gettext_lazy("Trans-shipment"),
    loader.TransferKind.BROKERING.value: gettext_lazy("Brokering"),
}
PARTY_LABELS = {
    "exporter": gettext_lazy("Exporter"),
    "importer": gettext_lazy("Importer"),
    "end_user": gettext_lazy("End user"),
    "consignee": gettext_lazy("Consignee"),
    "broker": gettext_lazy("Broker"),
    "freight_forwarder": gettext_lazy("Freight forwarder"),
}
CATEGORY_LABELS = {
    "I": gettext_lazy("I. Battle tanks"),
    "II": gettext_lazy("II. Armoured combat vehicles"),
    "III": gettext_lazy("III. Large-calibre artillery systems"),
    "IV": gettext_lazy("IV. Combat aircraft and unmanned combat aerial vehicles"),
    "V": gettext_lazy("V. Attack helicopters"),
    "VI": gettext_lazy("VI. Warships"),
    "VII": gettext_lazy("VII. Missiles and missile launchers"),
    "VII(b)": gettext_lazy("VII(b). Man-portable air defence systems"),
    "ART3": gettext_lazy("Ammunition/munitions (Art. 3)"),
    "ART4": gettext_lazy("Parts and components (Art. 4)"),
}


# --- helpers -------------------------------------------------------------------------------------------------


def _module(module_id: str) -> loader.Module:
    try:
        return course.active_course().module(module_id)
    except KeyError:
        raise Http404 from None


def _lesson(module: loader.Module, lesson_id: str) -> loader.Lesson:
    for lesson in module.lessons:
        if lesson.id == lesson_id:
            return lesson
    raise Http404


def _case(case_id: str) -> loader.Case:
    try:
        return course.case(case_id)
    except KeyError:
        raise Http404 from None


def article_label(ref: str) -> str:
    if ref == "preamble":
        return _("Preamble")
    return _("Art. %(ref)s") % {"ref": ref}


def category_label(code: str) -> str:
    if code.startswith("VIII-"):
        _viii, kind, number = code.split("-")
        if kind == "SA":
            return _("VIII. Small arms, line %(n)s") % {"n": number}
        return _("VIII. Light weapons, line %(n)s") % {"n": number}
    return str(CATEGORY_LABELS.get(code, code))


def country_label(code: str, own_state: str = "") -> str:
    from attkit.euc.countries import country_name

    if code == loader.OWN_STATE:
        if own_state:
            return _("%(country)s (your state)") % {"country": country_name(own_state)}
        return _("Your state")
    return country_name(code)


def apply_errors(form: dj_forms.Form, exc: ValidationError, prefix: str = "") -> None:
    """A service's ValidationError on the form: on the named field when the form has it, else on top."""
    if hasattr(exc, "error_dict"):
        for name, errors in exc.error_dict.items():
            target = f"{prefix}{name}" if f"{prefix}{name}" in form.fields else None
            for error in errors:
                for message in error.messages:
                    form.add_error(target, message)
    else:
        for message in exc.messages:
            form.add_error(None, message)


def _url(name: str, *args: Any) -> str | None:
    try:
        return reverse(name, args=args)
    except NoReverseMatch:
        return None


def _take(request: AuthedRequest) -> None:
    require(request.user, Permission.COURSE_TAKE)
    if request.user.authority is None:
        raise PermissionDenied(_("You must belong to an authority to take the course."))


def _posted(request: AuthedRequest) -> Any:
    """The POST data for a bound form (even when empty), or None on GET."""
    return request.POST if request.method == "POST" else None


def _is_sandbox(request: AuthedRequest) -> bool:
    return bool(request.user.authority and request.user.authority.is_sandbox)


# --- the course ----------------------------------------------------------------------------------------------


@login_required
def index(request: AuthedRequest) -> HttpResponse:
    _take(request)
    active = course.active_course()
    standing = progress.progress_of(request.user)
    rows = [{"module": m, "progress": standing.module(m.id)} for m in active.modules]
    return render(
        request,
        "training/index.html",
        {
            "rows": rows,
            "standing": standing,
            "sandbox": _is_sandbox(request),
            "can_teach": has_permission(request.user, Permission.COURSE_TEACH),
            "page_title": _("The Arms Trade Treaty implementation course"),
        },
    )


@login_required
def module(request: AuthedRequest, module_id: str) -> HttpResponse:
    _take(request)
    mod = _module(module_id)
    standing = progress.progress_of(request.user).module(mod.id)
    open_attempt = (
        QuizAttempt.objects.for_user(request.user)
        .filter(user=request.user, module_id=mod.id, submitted_at__isnull=True)
        .first()
    )
    attempts = QuizAttempt.objects.for_user(request.user).filter(
        user=request.user, module_id=mod.id, submitted_at__isnull=False
    )
    return render(
        request,
        "training/module.html",
        {
            "module": mod,
            "body": markup.render(mod.body),
            "progress": standing,
            "open_attempt": open_attempt,
            "attempts": attempts[:10],
            "passing_percent": round(mod.passing_score * 100),
            "page_title": mod.title,
        },
    )


@login_required
def lesson(request: AuthedRequest, module_id: str, lesson_id: str) -> HttpResponse:
    _take(request)
    mod = _module(module_id)
    current = _lesson(mod, lesson_id)
    index_of = mod.lessons.index(current)
    standing = progress.progress_of(request.user).module(mod.id)
    return render(
        request,
        "training/lesson.html",
        {
            "module": mod,
            "lesson": current,
            "body": markup.render(current.body),
            "articles": [article_label(a) for a in current.articles],
            "is_read": current.id in standing.lessons_read,
            "previous": mod.lessons[index_of - 1] if index_of > 0 else None,
            "next": mod.lessons[index_of + 1] if index_of + 1 < len(mod.lessons) else None,
            "page_title": current.title,
        },
    )


@login_required
@require_POST
def mark_read(request: AuthedRequest, module_id: str, lesson_id: str) -> HttpResponse:
    _take(request)
    mod = _module(module_id)
    current = _lesson(mod, lesson_id)
    services.mark_lesson_read(current.id, by=request.user)
    index_of = mod.lessons.index(current)
    if index_of + 1 < len(mod.lessons):
        return redirect("training:lesson", mod.id, mod.lessons[index_of + 1].id)
    return redirect("training:module", mod.id)


# --- quizzes -------------------------------------------------------------------------------------------------


@login_required
@require_POST
def start_quiz(request: AuthedRequest, module_id: str) -> HttpResponse:
    _take(request)
    mod = _module(module_id)
    attempt = services.start_attempt(mod.id, by=request.user)
    return redirect("training:attempt", attempt.pk)


def _own_attempt(request: AuthedRequest, pk: UUID) -> QuizAttempt:
    return get_object_or_404(QuizAttempt.objects.for_user(request.user), pk=pk, user=request.user)


@login_required
@require_http_methods(["GET", "POST"])
def attempt(request: AuthedRequest, pk: UUID) -> HttpResponse:
    _take(request)
    row = _own_attempt(request, pk)
    mod = _module(row.module_id)
    if row.is_submitted:
        return _attempt_result(request, row, mod)
    questions = services.questions_of(row)
    form = QuizForm(questions, _posted(request))
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                services.submit_attempt(row.pk, by=request.user, answers=form.answers())
            except ValidationError as exc:
                apply_errors(form, exc, prefix="q_")
            else:
                return redirect("training:attempt", row.pk)
        status = 400
    return render(
        request,
        "training/attempt.html",
        {
            "module": mod,
            "attempt": row,
            "form": form,
            "rows": form.rows(),
            "passing_percent": round(row.passing_score * 100),
            "page_title": _("Quiz: %(module)s") % {"module": mod.title},
        },
        status=status,
    )


def _answer_text(question: loader.Question, answer: Any) -> list[str]:
    """An answer in words (a list of lines for matching questions)."""
    if answer is None:
        return [_("No answer")]
    if question.type is loader.QuestionType.MULTIPLE_CHOICE:
        return [next((o.text for o in question.options if o.id == answer), str(answer))]
    if question.type is loader.QuestionType.TRUE_FALSE:
        return [_("True") if answer in (True, "true") else _("False")]
    rights = {p.id: p.right for p in question.pairs}
    chosen = answer if isinstance(answer, dict) else {}
    return [f"{p.left} → {rights.get(str(chosen.get(p.id)), '—')}" for p in question.pairs]


def _attempt_result(request: AuthedRequest, row: QuizAttempt, mod: loader.Module) -> HttpResponse:
    questions = {q.id: q for q in services.questions_of(row)}
    items = []
    for number, item in enumerate(services.feedback_of(row), start=1):
        question = questions[item.question_id]
        items.append(
            {
                "number": number,
                "question": question,
                "feedback": item,
                "given": _answer_text(question, item.given),
                "expected": _answer_text(question, item.expected),
                "articles": [article_label(a) for a in item.articles],
                "percent": round(item.score * 100),
            }
        )
    return render(
        request,
        "training/attempt_result.html",
        {
            "module": mod,
            "attempt": row,
            "items": items,
            "percent": round((row.score or 0) * 100),
            "passing_percent": round(row.passing_score * 100),
            "page_title": _("Quiz result: %(module)s") % {"module": mod.title},
        },
    )


# --- simulation ----------------------------------------------------------------------------------------------


@login_required
def simulation(request: AuthedRequest) -> HttpResponse:
    _take(request)
    sandbox = _is_sandbox(request)
    runs: dict[str, list[SimulationRun]] = {}
    if sandbox:
        for run in SimulationRun.objects.for_user(request.user).filter(trainee=request.user).order_by("-created_at"):
            runs.setdefault(run.case_id, []).append(run)
    lang = course.current_lang()
    rows = [
        {
            "case": case,
            "title": case.title.get(lang),
            "summary": case.summary.get(lang),
            "role": ROLE_LABELS[case.role.value],
            "runs": runs.get(case.id, []),
            "open": next((r for r in runs.get(case.id, []) if not r.is_submitted), None),
        }
        for case in course.cases()
    ]
    return render(
        request,
        "training/simulation.html",
        {"rows": rows, "sandbox": sandbox, "page_title": _("Simulation cases")},
    )


@login_required
@require_POST
def start_case(request: AuthedRequest, case_id: str) -> HttpResponse:
    _take(request)
    case = _case(case_id)
    run = services.start_simulation(case.id, by=request.user)
    return redirect("training:run", run.pk)


def _own_run(request: AuthedRequest, pk: UUID) -> SimulationRun:
    return get_object_or_404(SimulationRun.objects.for_user(request.user), pk=pk, trainee=request.user)


def _case_file(request: AuthedRequest, run: SimulationRun, case: loader.Case) -> dict[str, Any]:
    """The case's data and the sandbox records staged for it, with links to the real screens the user may open."""
    from attkit.screening.models import ScreeningHit

    lang = course.current_lang()
    user = request.user
    staged = run.staged or {}
    screening_rows = []
    run_ids = [row.get("run") for row in staged.get("screening", []) if row.get("run")]
    hits = ScreeningHit.objects.for_user(user).filter(run_id__in=run_ids).order_by("-score")
    hits_by_run: dict[str, list[Any]] = {}
    for hit in hits:
        hits_by_run.setdefault(str(hit.run_id), []).append(hit)
    for row in staged.get("screening", []):
        screening_rows.append(
            {
                "party": row.get("party", ""),
                "role": PARTY_LABELS.get(row.get("role", ""), row.get("role", "")),
                "hits": [
                    {"name": h.entry_name, "list": h.list_kind, "ref": h.entry_ref, "score": h.score}
                    for h in hits_by_run.get(str(row.get("run")), [])
                ],
            }
        )
    real_case = sandbox.licensing_case(run)
    if real_case is not None:
        # The application's own screening (its parties were screened when it was submitted).
        for party in real_case.parties.all():
            screening_rows.append(
                {
                    "party": party.name,
                    "role": party.role_label,
                    "hits": [
                        {"name": h.listed_name, "list": h.list_name, "ref": h.entry_ref, "score": h.score}
                        for h in real_case.hits.filter(party=party)
                    ],
                }
            )
    euc = staged.get("euc") or {}
    links = {
        "verify": _url("seals:verify") if has_permission(user, Permission.EUC_VERIFY) else None,
        "euc": _url("euc:detail", euc["id"]) if euc.get("id") and has_permission(user, Permission.EUC_VIEW) else None,
        "hits": _url("screening:hits") if has_permission(user, Permission.SCREENING_REVIEW) else None,
        "search": _url("screening:search") if has_permission(user, Permission.SCREENING_SEARCH) else None,
        "case": _url("licensing:case_detail", real_case.pk)
        if real_case is not None and has_permission(user, Permission.CASE_VIEW)
        else None,
    }
    return {
        "run": run,
        "case": case,
        "title": case.title.get(lang),
        "summary": case.summary.get(lang),
        "role": ROLE_LABELS[case.role.value],
        "kind": KIND_LABELS[case.kind.value],
        "destination": country_label(case.destination),
        "end_use": case.stated_end_use.get(lang),
        "parties": [
            {
                "role": PARTY_LABELS.get(p.role, p.role),
                "name": p.name,
                "country": country_label(p.country, staged.get("own_state", "")),
                "address": p.address,
            }
            for p in case.parties
        ],
        "goods": [
            {
                "description": g.description.get(lang),
                "category": category_label(g.category),
                "hs_code": g.hs_code,
                "quantity": g.quantity,
            }
            for g in case.goods
        ],
        "euc": euc,
        "euc_issuer": case.euc.issuer.get(lang),
        "screening": screening_rows,
        "links": links,
        "real_case": real_case,
        "proposed": real_case.decisions.filter(proposed_by=run.trainee_id).order_by("-created_at").first()
        if real_case is not None
        else None,
    }


@login_required
def run_view(request: AuthedRequest, pk: UUID) -> HttpResponse:
    _take(request)
    run = _own_run(request, pk)
    case = _case(run.case_id)
    context = _case_file(request, run, case)
    if run.is_submitted:
        context.update(_result_context(run, case))
    elif request.GET.get("verify") == "seal" and context["euc"].get("seal"):
        context["verification"] = _verify_staged_seal(run, context["euc"]["seal"])
    context["page_title"] = context["title"]
    return render(request, "training/run.html", context)


def _verify_staged_seal(run: SimulationRun, text: str) -> Any:
    """The real verification service on this case's seal, as the sandbox verifies (for trainees whose account
    cannot open the verification page; the answer is the same)."""
    from attkit.seals import verification

    return verification.verify_text(text, authority=run.authority)


def _result_context(run: SimulationRun, case: loader.Case) -> dict[str, Any]:
    lang = course.current_lang()
    result = loader.score_case(case, run.decision, run.criteria)
    model = case.model_answer
    return {
        "result": result,
        "percent": round((run.score or 0) * 100),
        "decision_label": DECISION_LABELS.get(run.decision, run.decision),
        "chosen": [CRITERION_LABELS.get(c, c) for c in run.criteria],
        "credited": [CRITERION_LABELS.get(c, c) for c in result.criteria_credited],
        "missed": [CRITERION_LABELS.get(c, c) for c in result.criteria_missed],
        "unsupported": [CRITERION_LABELS.get(c, c) for c in result.criteria_unsupported],
        "model_decision": DECISION_LABELS[model.decision.value],
        "model_criteria": [CRITERION_LABELS.get(c, c) for c in model.criteria],
        "model_conditions": [c.get(lang) for c in model.conditions],
        "model_rationale": model.rationale.get(lang),
        "euc_details": case.euc.details.get(lang),
        "indicators": [i.get(lang) for i in case.diversion_indicators],
        "comments": run.comments.select_related("author"),
    }


@login_required
@require_http_methods(["GET", "POST"])
def decide(request: AuthedRequest, pk: UUID) -> HttpResponse:
    _take(request)
    run = _own_run(request, pk)
    if run.is_submitted or sandbox.licensing_case(run) is not None:
        return redirect("training:run", run.pk)
    case = _case(run.case_id)
    form = DecisionForm(_posted(request))
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                services.submit_simulation(
                    run.pk,
                    by=request.user,
                    decision=form.cleaned_data["decision"],
                    criteria=form.cleaned_data["criteria"],
                    reasons=form.cleaned_data["reasons"],
                )
            except ValidationError as exc:
                apply_errors(form, exc)
            else:
                messages.success(request, _("Your decision was recorded and scored."))
                return redirect("training:run", run.pk)
        status = 400
    lang = course.current_lang()
    return render(
        request,
        "training/decide.html",
        {
            "run": run,
            "case": case,
            "title": case.title.get(lang),
            "form": form,
            "page_title": _("Submit your decision: %(case)s") % {"case": case.title.get(lang)},
        },
        status=status,
    )


@login_required
@require_POST
def score(request: AuthedRequest, pk: UUID) -> HttpResponse:
    """Score what the trainee did on the run's real case (the decision proposed there)."""
    _take(request)
    run = _own_run(request, pk)
    try:
        services.submit_case_work(run.pk, by=request.user)
    except ValidationError as exc:
        case = _case(run.case_id)
        context = _case_file(request, run, case)
        context["page_title"] = context["title"]
        context["score_errors"] = exc.messages
        return render(request, "training/run.html", context, status=400)
    messages.success(request, _("Your decision on the case was recorded and scored."))
    return redirect("training:run", run.pk)


# --- certificate ---------------------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def certificate(request: AuthedRequest) -> HttpResponse:
    _take(request)
    sandbox = _is_sandbox(request)
    standing = progress.progress_of(request.user)
    error = ""
    if request.method == "POST":
        try:
            issued = services.issue_certificate(by=request.user)
        except ValidationError as exc:
            error = " ".join(exc.messages)
        else:
            messages.success(request, _("Your certificate of completion was issued."))
            return redirect("training:certificate_detail", issued.pk)
    if standing.certificate is not None and request.method == "GET":
        return redirect("training:certificate_detail", standing.certificate.pk)
    titles = {m.id: m.title for m in course.active_course().modules}
    return render(
        request,
        "training/certificate.html",
        {
            "standing": standing,
            "sandbox": sandbox,
            "titles": titles,
            "modules": [(titles[m.module_id], m) for m in standing.modules],
            "error": error,
            "page_title": _("Certificate of completion"),
        },
        status=400 if error else 200,
    )


def _visible_certificate(request: AuthedRequest, pk: UUID) -> Certificate:
    """The trainee's own certificate, or any of the authority's for an instructor."""
    rows = Certificate.objects.for_user(request.user).select_related("authority", "trainee")
    if not has_permission(request.user, Permission.COURSE_TEACH):
        rows = rows.filter(trainee=request.user)
    return get_object_or_404(rows, pk=pk)


@login_required
def certificate_detail(request: AuthedRequest, pk: UUID) -> HttpResponse:
    _take(request)
    cert = _visible_certificate(request, pk)
    return render(
        request,
        "training/certificate_detail.html",
        {
            "certificate": cert,
            "qr": certificates.qr_data_uri(cert.seal_text),
            "verify_url": _url("seals:verify"),
            "can_revoke": has_permission(request.user, Permission.COURSE_TEACH) and not cert.is_revoked,
            "page_title": _("Certificate %(number)s") % {"number": cert.number},
        },
    )


@login_required
def certificate_pdf(request: AuthedRequest, pk: UUID) -> HttpResponse:
    _take(request)
    cert = _visible_certificate(request, pk)
    response = HttpResponse(certificates.render_pdf(cert), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{cert.number}.pdf"'
    return response


@login_required
@require_http_methods(["GET", "POST"])
def certificate_revoke(request: AuthedRequest, pk: UUID) -> HttpResponse:
    require(request.user, Permission.COURSE_TEACH)
    cert = get_object_or_404(Certificate.objects.for_user(request.user), pk=pk)
    form = RevokeForm(_posted(request))
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                services.revoke_certificate(cert.pk, by=request.user, reason=form.cleaned_data["reason"])
            except ValidationError as exc:
                apply_errors(form, exc)
            else:
                messages.success(request, _("The certificate was revoked."))
                return redirect("training:certificate_detail", cert.pk)
        status = 400
    return render(
        request,
        "training/certificate_revoke.html",
        {"certificate": cert, "form": form, "page_title": _("Revoke certificate %(n)s") % {"n": cert.number}},
        status=status,
    )


# --- cohorts (instructors) -----------------------------------------------------------------------------------


@login_required
def cohorts(request: AuthedRequest) -> HttpResponse:
    require(request.user, Permission.COURSE_TEACH)
    rows = Cohort.objects.for_user(request.user).prefetch_related("enrolments")
    return render(
        request,
        "training/cohorts.html",
        {"cohorts": rows, "sandbox": _is_sandbox(request), "page_title": _("Cohorts")},
    )


@login_required
@require_http_methods(["GET", "POST"])
def cohort_new(request: AuthedRequest) -> HttpResponse:
    require(request.user, Permission.COURSE_TEACH)
    form = CohortForm(_posted(request))
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                made = services.create_cohort(by=request.user, **form.cleaned_data)
            except ValidationError as exc:
                apply_errors(form, exc)
            else:
                messages.success(request, _("The cohort was created. Enrol its trainees."))
                return redirect("training:cohort", made.pk)
        status = 400
    return render(request, "training/cohort_new.html", {"form": form, "page_title": _("New cohort")}, status=status)


def _progress_rows(request: AuthedRequest, cohort: Cohort) -> list[dict[str, Any]]:
    enrolments = list(cohort.enrolments.select_related("trainee"))
    standing = progress.progress_of_many(request.user, [e.trainee_id for e in enrolments])
    return [{"enrolment": e, "trainee": e.trainee, "progress": standing[e.trainee_id]} for e in enrolments]


@login_required
@require_http_methods(["GET", "POST"])
def cohort(request: AuthedRequest, pk: UUID) -> HttpResponse:
    require(request.user, Permission.COURSE_TEACH)
    row = get_object_or_404(Cohort.objects.for_user(request.user), pk=pk)
    trainees = services.trainees_for(request.user)
    enrolled = set(row.enrolments.values_list("trainee_id", flat=True))
    form = EnrolForm([t for t in trainees if t.pk not in enrolled], _posted(request))
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                services.enrol(row.pk, by=request.user, trainee_id=form.cleaned_data["trainee"])
            except ValidationError as exc:
                apply_errors(form, exc)
            else:
                messages.success(request, _("The trainee was enrolled."))
                return redirect("training:cohort", row.pk)
        status = 400
    rows = _progress_rows(request, row)
    trainee_ids = [r["trainee"].pk for r in rows]
    submissions = (
        SimulationRun.objects.for_user(request.user)
        .filter(trainee_id__in=trainee_ids, submitted_at__isnull=False)
        .select_related("trainee")
        .order_by("-submitted_at")
    )
    lang = course.current_lang()
    titles = {c.id: c.title.get(lang) for c in course.cases()}
    active = course.active_course()
    return render(
        request,
        "training/cohort.html",
        {
            "cohort": row,
            "country": country_label(row.country),
            "rows": rows,
            "modules": active.modules,
            "form": form,
            "submissions": [{"run": s, "title": titles.get(s.case_id, s.case_id)} for s in submissions],
            "page_title": row.name,
        },
        status=status,
    )


@login_required
@require_POST
def unenrol(request: AuthedRequest, pk: UUID) -> HttpResponse:
    require(request.user, Permission.COURSE_TEACH)
    enrolment = get_object_or_404(Enrolment.objects.for_user(request.user), pk=pk)
    cohort_pk = enrolment.cohort_id
    services.unenrol(enrolment.pk, by=request.user)
    messages.success(request, _("The trainee was removed from the cohort."))
    return redirect("training:cohort", cohort_pk)


def _as_text(value: str) -> str:
    return "'" + value if value[:1] in ("=", "+", "-", "@", "\t", "\r") else value


@login_required
def cohort_csv(request: AuthedRequest, pk: UUID) -> HttpResponse:
    """The cohort's results: one row per trainee and module, then one per simulation case submitted."""
    require(request.user, Permission.COURSE_TEACH)
    row = get_object_or_404(Cohort.objects.for_user(request.user), pk=pk)
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(
        [
            "cohort",
            "country",
            "username",
            "name",
            "item",
            "lessons_read",
            "lessons_total",
            "best_score",
            "passed",
            "attempts",
            "certificate",
        ]
    )
    for item in _progress_rows(request, row):
        trainee, standing = item["trainee"], item["progress"]
        cert = standing.certificate.number if standing.certificate else ""
        # Names are typed by people: one starting with =, +, - or @ would run as a formula in a spreadsheet.
        base = [_as_text(row.name), row.country, _as_text(trainee.username), _as_text(trainee.display_name)]
        for mod in standing.modules:
            best = "" if mod.best_score is None else f"{mod.best_score:.2f}"
            writer.writerow(
                [*base, mod.module_id, mod.read_count, mod.lessons_total, best, mod.passed, mod.attempts, cert]
            )
        for case_id, sim in sorted(standing.best_simulation.items()):
            score = "" if sim.score is None else f"{sim.score:.2f}"
            writer.writerow([*base, case_id, "", "", score, sim.passed, "", cert])
    response = HttpResponse(out.getvalue(), content_type="text/csv; charset=utf-8")
    stamp = timezone.localdate().isoformat()
    response["Content-Disposition"] = f'attachment; filename="cohort-{row.pk}-{stamp}.csv"'
    return response


@login_required
@require_http_methods(["GET", "POST"])
def review(request: AuthedRequest, pk: UUID) -> HttpResponse:
    """An instructor's view of a trainee's simulation case, with the model answer and a comment form."""
    require(request.user, Permission.COURSE_TEACH)
    run = get_object_or_404(SimulationRun.objects.for_user(request.user).select_related("trainee"), pk=pk)
    case = _case(run.case_id)
    form = CommentForm(_posted(request))
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                services.comment_simulation(run.pk, by=request.user, text=form.cleaned_data["text"])
            except ValidationError as exc:
                apply_errors(form, exc)
            else:
                messages.success(request, _("Your comment was saved; the trainee sees it with the result."))
                return redirect("training:review", run.pk)
        status = 400
    context = _case_file(request, run, case)
    if run.is_submitted:
        context.update(_result_context(run, case))
    cohort_row = Enrolment.objects.for_user(request.user).filter(trainee=run.trainee).select_related("cohort").first()
    context.update(
        {
            "form": form,
            "trainee": run.trainee,
            "cohort": cohort_row.cohort if cohort_row else None,
            "page_title": _("Review: %(case)s") % {"case": context["title"]},
        }
    )
    return render(request, "training/review.html", context, status=status)

"""Use cases of transfer licensing: applications, screening and flags, consultation, decisions with four eyes,
sealed licences, shipments and denial notices.

Every state change goes through `_apply` (workflow.transition, then the case row and a CaseEvent) inside
the use case's transaction; each use case writes one audit event. A refused action (a permission the user
lacks, a rule of the workflow or of the treaty) raises PermissionDenied or Refused and is itself audited.
"""

from __future__ import annotations

import datetime as dt
import functools
import logging
import re
import uuid
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from decimal import Decimal, InvalidOperation
from enum import StrEnum
from typing import TYPE_CHECKING, Any, ParamSpec, TypeVar

import pycountry
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from attkit.assessment.rules import Criterion, Findings, Outcome, criterion_for_code, decision_problems
from attkit.core import audit
from attkit.core.audit import CoreAuditKind
from attkit.core.permissions import Permission, Role, has_permission, require
from attkit.licensing import categories, documents, flags, integrations, screening_link, texts, uploads, workflow
from attkit.licensing.models import (
    Advice,
    AdviceOutcome,
    Case,
    CaseDocument,
    CaseEvent,
    CaseFlag,
    CaseKind,
    CaseState,
    CountersignStatus,
    Decision,
    DecisionOutcome,
    DenialNotice,
    DocumentKind,
    FlagResolution,
    FlagStatus,
    GoodsLine,
    HitStatus,
    Party,
    PartyRole,
    Permanence,
    ReferenceCounter,
    RoutingRule,
    ScreeningHit,
    Shipment,
    ShipmentLine,
    TransitStop,
)

if TYPE_CHECKING:
    from attkit.accounts.models import Agency, User
    from attkit.core.models import Authority

logger = logging.getLogger(__name__)

P = ParamSpec("P")
T = TypeVar("T")

W = workflow.Event
DEFAULT_VALIDITY_DAYS = 365
MAX_VALIDITY_DAYS = 730  # a seal cannot outlive its signer certificate's document lifetime
MAX_TEXT = 5000
MAX_PARTIES = 30
MAX_GOODS_LINES = 50
MAX_TRANSIT = 12


class LicensingAuditKind(StrEnum):
    CASE_CREATE = "case:create"
    CASE_UPDATE = "case:update"
    CASE_SUBMIT = "case:submit"
    CASE_WITHDRAW = "case:withdraw"
    CASE_START_SCREENING = "case:start_screening"
    CASE_RESCREEN = "case:rescreen"
    CASE_SCREENING_CLEAR = "case:screening_clear"
    CASE_REQUEST_INFORMATION = "case:request_information"
    CASE_INFORMATION_PROVIDED = "case:information_provided"
    CASE_REFUSED_ACTION = "case:refused_action"
    DOCUMENT_ATTACH = "case:document_attach"
    DOCUMENT_REMOVE = "case:document_remove"
    EUC_CHECK = "case:euc_check"
    HIT_REVIEW = "case:hit_review"
    FLAG_RESOLVE = "flag:resolve"
    ADVICE_REQUEST = "advice:request"
    ADVICE_GIVE = "advice:give"
    ROUTING_CHANGE = "routing:change"
    DECIDE = "licence:decide"
    COUNTERSIGN = "licence:countersign"
    ISSUE = "licence:issue"
    SUSPEND = "licence:suspend"
    REINSTATE = "licence:reinstate"
    REVOKE = "licence:revoke"
    EXPIRE = "licence:expire"
    SHIPMENT_RECORD = "shipment:record"
    DENIAL_SHARE = "denial:share"
    DENIAL_WITHDRAW = "denial:withdraw"


class Refused(ValidationError):
    """An action the rules forbid now (a 422 in the API): audited like a permission refusal."""


# --- refusals are audited --------------------------------------------------------------------------------------


def use_case(action: str) -> Callable[[Callable[P, T]], Callable[P, T]]:
    """Audit every refusal of the wrapped use case (PermissionDenied or Refused) after its rollback."""

    def wrap(function: Callable[P, T]) -> Callable[P, T]:
        @functools.wraps(function)
        def inner(*args: P.args, **kwargs: P.kwargs) -> T:
            try:
                with documents.removed_on_failure():
                    return function(*args, **kwargs)
            except (PermissionDenied, Refused) as exc:
                by = kwargs.get("by")
                target = str(args[0]) if args else ""
                _record_refusal(by, action, target, exc)
                raise

        return inner

    return wrap


def _record_refusal(by: Any, action: str, target: str, exc: Exception) -> None:
    authority = getattr(by, "authority", None)
    if by is None or authority is None:
        return
    message = "; ".join(exc.messages) if isinstance(exc, ValidationError) else str(exc)
    kind = CoreAuditKind.ACCESS_DENIED if isinstance(exc, PermissionDenied) else LicensingAuditKind.CASE_REFUSED_ACTION
    code = getattr(exc, "code", None) or ""
    with transaction.atomic():
        audit.record(by, kind, None, {"action": action, "target": target, "message": message[:1000], "code": code})


def _refuse(message: str, code: str = "refused") -> Refused:
    return Refused(message, code=code)


# --- who and what ---------------------------------------------------------------------------------------------

_WORKFLOW_ROLES: Mapping[Role, workflow.Role] = {
    Role.APPLICANT: workflow.Role.APPLICANT,
    Role.LICENSING_OFFICER: workflow.Role.LICENSING_OFFICER,
    Role.SUPERVISOR: workflow.Role.SUPERVISOR,
    Role.CUSTOMS_OFFICER: workflow.Role.CUSTOMS_OFFICER,
}


def workflow_role(user: User, event: workflow.Event) -> workflow.Role:
    """The user's role for an event: one that may fire it if the user holds one, else any workflow role."""
    held = [_WORKFLOW_ROLES[r] for r in sorted(user.roles()) if r in _WORKFLOW_ROLES]
    if not held and _practises_in_sandbox(user):
        held = [workflow.Role.LICENSING_OFFICER]
    for role in held:
        if role in workflow.EVENT_ROLES[event]:
            return role
    if held:
        return held[0]
    raise PermissionDenied(_("You do not have permission to do this."))


def _practises_in_sandbox(user: User) -> bool:
    """A trainee or instructor of a training sandbox: core.permissions.SANDBOX_PRACTICE lets them work the
    sandbox's cases as a licensing officer (never countersign: that stays a supervisor's, four eyes)."""
    authority = getattr(user, "authority", None)
    return bool(authority is not None and authority.is_sandbox and user.roles() & {Role.TRAINEE, Role.INSTRUCTOR})


def cases_for(user: User | Any) -> QuerySet[Case]:
    """The cases a user may see: the authority's for officials, the own organisation's for applicants."""
    cases: QuerySet[Case] = Case.objects.for_user(user)
    if has_permission(user, Permission.CASE_VIEW):
        return cases
    if has_permission(user, Permission.CASE_APPLY) and getattr(user, "organisation_id", None):
        return cases.filter(applicant_id=user.organisation_id)
    return cases.none()


def get_case(case_id: Any, *, by: User) -> Case:
    """A case the user may see; Case.DoesNotExist (a 404) otherwise, also for a malformed id."""
    try:
        key = uuid.UUID(str(case_id))
    except ValueError:
        raise Case.DoesNotExist from None
    return cases_for(by).select_related("applicant", "authority").get(pk=key)


def _lock(case_id: Any, by: User) -> Case:
    try:
        key = uuid.UUID(str(case_id))
    except ValueError:
        raise Case.DoesNotExist from None
    return cases_for(by).select_for_update().select_related("applicant", "authority").get(pk=key)


def _own_application(case: Case, user: User) -> bool:
    """True when the user applied for the case or belongs to the applicant organisation."""
    return case.created_by_id == user.pk or (
        user.organisation_id is not None and user.organisation_id == case.applicant_id
    )


def _not_own_application(case: Case, user: User) -> None:
    if _own_application(case, user):
        raise PermissionDenied(_("You cannot decide on an application made by you or your organisation."))


def history_of(case: Case) -> list[tuple[workflow.State, dt.datetime]]:
    """The (state, entered at) history of a case, oldest first, for the clock and for resuming."""
    entries = [(workflow.State.DRAFT, case.created_at)]
    for event in case.events.order_by("created_at", "id"):
        entries.append((workflow.State(event.new_state), event.created_at))
    previous = entries[0][1]
    fixed = []
    for state, moment in entries:  # clocks of machines can disagree a little: keep the history monotonic
        previous = max(previous, moment)
        fixed.append((state, previous))
    return fixed


def clock(case: Case, now: dt.datetime | None = None) -> workflow.Clock:
    moment = now or timezone.now()
    history = history_of(case)
    return workflow.case_clock(history, max(moment, history[-1][1]))


def _blocking(case: Case, *, include_confirmed: bool) -> tuple[str, ...]:
    """Codes of blocking flags that hold the case: open ones, and for an approval confirmed ones too."""
    statuses = [FlagStatus.OPEN]
    rows = case.flags.filter(severity=flags.Severity.BLOCKING.value)
    codes = [f.code for f in rows if f.status in statuses]
    if include_confirmed:
        codes += [f.code for f in rows if f.resolution == FlagResolution.CONFIRMED]
    return tuple(dict.fromkeys(codes))


def _findings(case: Case) -> Findings | None:
    from attkit.assessment import services as assessment

    return assessment.findings_for_case(case)


def _apply(
    case: Case,
    event: workflow.Event,
    *,
    by: User | None,
    role: workflow.Role | None = None,
    context: workflow.Context | None = None,
) -> workflow.Transition:
    """Fire a workflow event on a locked case: the only place a case's state changes."""
    state = case.workflow_state
    if role is None:
        if by is None:
            raise PermissionDenied(_("You do not have permission to do this."))
        role = workflow_role(by, event)
    try:
        move = workflow.transition(state, event, role=role, context=context)
    except workflow.RoleNotPermitted as exc:
        raise PermissionDenied(texts.transition_message(exc, state, event)) from exc
    except workflow.IllegalTransition as exc:
        raise _refuse(texts.transition_message(exc, state, event), exc.code) from exc
    now = timezone.now()
    case.allow_state(move.new_state)
    case.state_entered_at = now
    case.save()
    CaseEvent.objects.create(
        authority=case.authority,
        case=case,
        event=move.event.value,
        old_state=move.old_state.value,
        new_state=move.new_state.value,
        role=move.role.value,
        actor=by,
        actor_label=by.get_username() if by is not None else "system",
        reason=move.reason[:MAX_TEXT],
        outcome=move.outcome.value if move.outcome else "",
        created_at=now,
    )
    return move


def _moves(*moves: workflow.Transition) -> list[dict[str, str]]:
    return [{"event": m.event.value, "from": m.old_state.value, "to": m.new_state.value} for m in moves]


# --- input checks ---------------------------------------------------------------------------------------------


def _country(value: Any, field: str, errors: dict[str, str], *, required: bool = True) -> str:
    code = str(value or "").strip().upper()
    if not code:
        if required:
            errors[field] = _("Enter the country as a two-letter ISO code, for example MX")
        return ""
    if len(code) != 2 or pycountry.countries.get(alpha_2=code) is None:
        errors[field] = _("Enter the country as a two-letter ISO code, for example MX")
    return code


def _text(value: Any, field: str, errors: dict[str, str], *, required: bool, limit: int, message: str) -> str:
    text = str(value or "").strip()
    if required and not text:
        errors[field] = message
    elif len(text) > limit:
        errors[field] = _("Use %(n)s characters or fewer") % {"n": limit}
    return text


def _choice(value: Any, field: str, errors: dict[str, str], choices: Iterable[str], message: str) -> str:
    text = str(value or "").strip()
    if text not in set(choices):
        errors[field] = message
    return text


def _positive_int(value: Any, field: str, errors: dict[str, str], *, maximum: int = 10_000_000) -> int:
    try:
        if isinstance(value, bool) or (isinstance(value, float) and not value.is_integer()):
            raise ValueError
        number = int(str(value).strip()) if isinstance(value, str) else int(value)
    except (TypeError, ValueError):
        errors[field] = _("Enter the quantity as a whole number greater than zero")
        return 0
    if not 0 < number <= maximum:
        errors[field] = _("Enter the quantity as a whole number greater than zero")
        return 0
    return number


def _money(value: Any, field: str, errors: dict[str, str]) -> Decimal:
    if value in (None, ""):
        return Decimal("0")
    try:
        amount = Decimal(str(value).strip().replace(",", ""))
    except InvalidOperation:
        errors[field] = _("Enter the value as a number, for example 12500.00")
        return Decimal("0")
    exponent = amount.as_tuple().exponent
    if not amount.is_finite() or not isinstance(exponent, int) or exponent < -2 or not 0 <= amount < Decimal("1e14"):
        errors[field] = _("Enter the value as a number, for example 12500.00")
        return Decimal("0")
    return amount


def _date(value: Any, field: str, errors: dict[str, str], *, required: bool, message: str) -> dt.date | None:
    if value in (None, ""):
        if required:
            errors[field] = message
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value).strip())
    except ValueError:
        errors[field] = message
        return None


def _raise(errors: Mapping[str, str]) -> None:
    if errors:
        raise ValidationError(dict(errors))


def clean_details(data: Mapping[str, Any], *, authority: Authority) -> dict[str, Any]:
    """The application's details, checked; ValidationError naming each field at fault."""
    errors: dict[str, str] = {}
    kind = _choice(data.get("kind"), "kind", errors, CaseKind.values, _("Select the kind of transfer"))
    permanence = str(data.get("permanence") or Permanence.PERMANENT)
    if permanence not in Permanence.values:
        errors["permanence"] = _("Select whether the transfer is permanent or temporary")
    until = _date(
        data.get("temporary_until"),
        "temporary_until",
        errors,
        required=permanence == Permanence.TEMPORARY,
        message=_("Enter the date the goods return, as YYYY-MM-DD"),
    )
    if permanence != Permanence.TEMPORARY:
        until = None
    elif until is not None and until <= timezone.localdate():
        errors["temporary_until"] = _("The date the goods return must be in the future")
    own = (authority.country or authority.code)[:2].upper()
    origin = _country(data.get("origin_country"), "origin_country", errors, required=kind == CaseKind.IMPORT)
    destination = _country(
        data.get("destination_country"), "destination_country", errors, required=kind != CaseKind.IMPORT
    )
    if kind == CaseKind.EXPORT:
        origin = origin or own
    if kind == CaseKind.IMPORT:
        destination = destination or own
    end_use = _text(
        data.get("end_use"), "end_use", errors, required=True, limit=MAX_TEXT, message=_("Describe the end use")
    )
    _raise(errors)
    return {
        "kind": kind,
        "permanence": permanence,
        "temporary_until": until,
        "origin_country": origin,
        "destination_country": destination,
        "end_use": end_use,
    }


def clean_party(data: Mapping[str, Any], prefix: str = "") -> dict[str, Any]:
    errors: dict[str, str] = {}
    role = _choice(data.get("role"), f"{prefix}role", errors, PartyRole.values, _("Select the party's role"))
    name = _text(
        data.get("name"), f"{prefix}name", errors, required=True, limit=300, message=_("Enter the party's name")
    )
    address = _text(data.get("address"), f"{prefix}address", errors, required=False, limit=1000, message="")
    country = _country(data.get("country"), f"{prefix}country", errors)
    is_state = data.get("is_state_body") in (True, "true", "on", "1", 1, "yes")
    _raise(errors)
    return {"role": role, "name": name, "address": address, "country": country, "is_state_body": is_state}


_HS = re.compile(r"^\d{4}(\.?\d{2}){0,3}$")


def clean_goods(data: Mapping[str, Any], prefix: str = "") -> dict[str, Any]:
    errors: dict[str, str] = {}
    description = _text(
        data.get("description"),
        f"{prefix}description",
        errors,
        required=True,
        limit=500,
        message=_("Describe the goods: type, model and characteristics"),
    )
    raw_category = categories.normalise_code(str(data.get("un_category") or data.get("category") or ""))
    un_category, _sep, salw_from_code = raw_category.partition("-")
    salw_from_code = categories.normalise_line(salw_from_code) if salw_from_code else ""
    un_category = _choice(
        un_category, f"{prefix}un_category", errors, categories.UN_CATEGORIES, _("Select the UN Register category")
    )
    salw = categories.normalise_line(str(data.get("salw_line") or salw_from_code or ""))
    if salw and salw not in categories.SALW_LINES:
        errors[f"{prefix}salw_line"] = _("Select the small arms or light weapons line")
    if un_category == "VIII" and not salw:
        errors[f"{prefix}salw_line"] = _("Select the small arms or light weapons line")
    if un_category != "VIII":
        salw = ""
    hs_code = str(data.get("hs_code") or "").strip()
    if hs_code and not _HS.match(hs_code):
        errors[f"{prefix}hs_code"] = _("Enter the HS code as 4 to 10 digits, for example 9301.90")
    national_code = _text(
        data.get("national_code"), f"{prefix}national_code", errors, required=False, limit=40, message=""
    )
    quantity = _positive_int(data.get("quantity"), f"{prefix}quantity", errors)
    unit = str(data.get("unit") or "unit").strip()
    if unit not in categories.UNITS:
        errors[f"{prefix}unit"] = _("Select the unit")
    value = _money(data.get("value"), f"{prefix}value", errors)
    currency = str(data.get("currency") or "USD").strip().upper()
    if not re.fullmatch(r"[A-Z]{3}", currency):
        errors[f"{prefix}currency"] = _("Enter the currency as a three-letter code, for example USD")
    _raise(errors)
    return {
        "description": description,
        "un_category": un_category,
        "salw_line": salw,
        "hs_code": hs_code,
        "national_code": national_code,
        "quantity": quantity,
        "unit": unit,
        "value": value,
        "currency": currency,
    }


def _clean_transit(countries: Sequence[Any], field: str = "transit") -> list[str]:
    errors: dict[str, str] = {}
    if len(countries) > MAX_TRANSIT:
        errors[field] = _("List at most %(n)s transit countries") % {"n": MAX_TRANSIT}
    codes = [_country(c, field, errors) for c in countries if str(c or "").strip()]
    _raise(errors)
    return codes


# --- applications ---------------------------------------------------------------------------------------------


def _new_reference(authority: Authority, kind: str = "LIC") -> str:
    year = timezone.localdate().year
    counter, _made = ReferenceCounter.objects.select_for_update().get_or_create(
        authority=authority, kind=kind, year=year
    )
    counter.last += 1
    counter.save(update_fields=["last"])
    return f"{authority.code}-{kind}-{year}-{counter.last:06d}"


def _applicant_organisation(by: User) -> Any:
    require(by, Permission.CASE_APPLY)
    organisation = by.organisation
    if organisation is None or not organisation.is_active or organisation.authority_id != by.authority_id:
        raise PermissionDenied(_("Your account is not linked to an applicant organisation of this authority."))
    return organisation


def _lock_draft(case_id: Any, by: User, *, states: Sequence[str] = (CaseState.DRAFT,)) -> Case:
    require(by, Permission.CASE_APPLY)
    case = _lock(case_id, by)
    if not _own_application(case, by):
        raise PermissionDenied(_("Only the applicant organisation can change its application."))
    if case.state not in states:
        raise _refuse(
            _("This application can no longer be changed: it is %(state)s.") % {"state": texts.state_label(case.state)},
            "not_editable",
        )
    return case


@use_case("create_application")
def create_application(*, by: User, data: Mapping[str, Any]) -> Case:
    """A new draft application of the user's organisation, with whatever parts `data` already holds."""
    organisation = _applicant_organisation(by)
    authority = organisation.authority
    details = clean_details(data, authority=authority)
    parties = data.get("parties") or []
    goods = data.get("goods") or []
    transit = data.get("transit") or []
    if not isinstance(parties, list) or not isinstance(goods, list) or not isinstance(transit, list):
        raise ValidationError({"parties": _("Give parties, goods and the transit route as lists")})
    if len(parties) > MAX_PARTIES or len(goods) > MAX_GOODS_LINES:
        raise ValidationError({"goods": _("Too many parties or goods lines for one application")})
    errors: dict[str, list[str]] = {}
    clean_parties, clean_lines = [], []
    for index, raw in enumerate(parties):
        try:
            clean_parties.append(clean_party(raw if isinstance(raw, Mapping) else {}, f"parties[{index}]."))
        except ValidationError as exc:
            errors.update(exc.message_dict)
    for index, raw in enumerate(goods):
        try:
            clean_lines.append(clean_goods(raw if isinstance(raw, Mapping) else {}, f"goods[{index}]."))
        except ValidationError as exc:
            errors.update(exc.message_dict)
    try:
        route = _clean_transit(transit)
    except ValidationError as exc:
        errors.update(exc.message_dict)
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        case = Case(
            authority=authority,
            reference=_new_reference(authority),
            applicant=organisation,
            created_by=by,
            euc_serial=str(data.get("euc_serial") or "").strip()[:40],
            euc_seal_text=str(data.get("euc_seal_text") or "").strip()[:4000],
            **details,
        )
        case.save()
        for position, party in enumerate(clean_parties, start=1):
            Party.objects.create(authority=case.authority, case=case, position=position, **party)
        for line_no, line in enumerate(clean_lines, start=1):
            GoodsLine.objects.create(authority=case.authority, case=case, line_no=line_no, **line)
        for position, country in enumerate(route, start=1):
            TransitStop.objects.create(authority=case.authority, case=case, position=position, country=country)
        audit.record(by, LicensingAuditKind.CASE_CREATE, case, {"reference": case.reference, "kind": case.kind})
    return case


@use_case("update_application")
def update_details(case_id: Any, *, by: User, data: Mapping[str, Any]) -> Case:
    with transaction.atomic():
        case = _lock_draft(case_id, by)
        details = clean_details(data, authority=case.authority)
        for name, value in details.items():
            setattr(case, name, value)
        case.save()
        audit.record(by, LicensingAuditKind.CASE_UPDATE, case, {"part": "details"})
    return case


@use_case("add_party")
def add_party(case_id: Any, *, by: User, data: Mapping[str, Any]) -> Party:
    with transaction.atomic():
        case = _lock_draft(case_id, by)
        clean = clean_party(data)
        if case.parties.count() >= MAX_PARTIES:
            raise ValidationError({"name": _("An application names at most %(n)s parties") % {"n": MAX_PARTIES}})
        if clean["role"] == PartyRole.END_USER and case.parties.filter(role=PartyRole.END_USER).exists():
            raise ValidationError({"role": _("The application already names an end user; remove it first")})
        position = (case.parties.order_by("-position").values_list("position", flat=True).first() or 0) + 1
        party = Party.objects.create(authority=case.authority, case=case, position=position, **clean)
        audit.record(by, LicensingAuditKind.CASE_UPDATE, case, {"part": "parties", "added": party.role})
    return party


@use_case("remove_party")
def remove_party(case_id: Any, party_id: Any, *, by: User) -> None:
    with transaction.atomic():
        case = _lock_draft(case_id, by)
        party = case.parties.get(pk=party_id)
        party.delete()
        audit.record(by, LicensingAuditKind.CASE_UPDATE, case, {"part": "parties", "removed": str(party_id)})


@use_case("add_goods_line")
def add_goods_line(case_id: Any, *, by: User, data: Mapping[str, Any]) -> GoodsLine:
    with transaction.atomic():
        case = _lock_draft(case_id, by)
        clean = clean_goods(data)
        if case.goods.count() >= MAX_GOODS_LINES:
            raise ValidationError(
                {"description": _("An application has at most %(n)s goods lines") % {"n": MAX_GOODS_LINES}}
            )
        line_no = (case.goods.order_by("-line_no").values_list("line_no", flat=True).first() or 0) + 1
        line = GoodsLine.objects.create(authority=case.authority, case=case, line_no=line_no, **clean)
        audit.record(by, LicensingAuditKind.CASE_UPDATE, case, {"part": "goods", "added": line_no})
    return line


@use_case("remove_goods_line")
def remove_goods_line(case_id: Any, line_id: Any, *, by: User) -> None:
    with transaction.atomic():
        case = _lock_draft(case_id, by)
        line = case.goods.get(pk=line_id)
        line.delete()
        for number, row in enumerate(case.goods.order_by("line_no"), start=1):
            if row.line_no != number:
                row.line_no = number
                row.save(update_fields=["line_no"])
        audit.record(by, LicensingAuditKind.CASE_UPDATE, case, {"part": "goods", "removed": line.line_no})


@use_case("set_transit_route")
def set_transit_route(case_id: Any, *, by: User, countries: Sequence[Any]) -> Case:
    with transaction.atomic():
        case = _lock_draft(case_id, by)
        route = _clean_transit(countries)
        case.transit.all().delete()
        for position, country in enumerate(route, start=1):
            TransitStop.objects.create(authority=case.authority, case=case, position=position, country=country)
        audit.record(by, LicensingAuditKind.CASE_UPDATE, case, {"part": "transit", "route": route})
    return case


def _store_document(case: Case, checked: uploads.CheckedFile, kind: str, by: User | None) -> CaseDocument:
    document = CaseDocument(
        authority=case.authority,
        case=case,
        kind=kind,
        original_name=checked.display_name,
        media_type=checked.media_type,
        size=len(checked.data),
        sha256=checked.sha256,
        uploaded_by=by,
    )
    document.file.save(f"upload.{checked.extension}", ContentFile(checked.data), save=False)
    documents.stored(document.file)
    try:
        document.save()
    except Exception:
        document.file.delete(save=False)
        raise
    return document


@use_case("attach_document")
def attach_document(case_id: Any, *, by: User, kind: str, data: bytes, name: str) -> CaseDocument:
    """Attach a supporting document (PDF, PNG or JPEG by content, at most 10 MB)."""
    errors: dict[str, str] = {}
    choices = [DocumentKind.EUC, DocumentKind.CONTRACT, DocumentKind.TECHNICAL, DocumentKind.OTHER]
    _choice(kind, "kind", errors, [c.value for c in choices], _("Select what the document is"))
    _raise(errors)
    checked = uploads.check(data, name)
    with transaction.atomic():
        case = _lock_draft(case_id, by, states=(CaseState.DRAFT, CaseState.AWAITING_INFORMATION))
        if case.documents.filter(kind__in=[c.value for c in choices]).count() >= 20:
            raise ValidationError({"file": _("An application has at most 20 documents")})
        document = _store_document(case, checked, kind, by)
        audit.record(
            by,
            LicensingAuditKind.DOCUMENT_ATTACH,
            case,
            {"document": str(document.pk), "kind": kind, "sha256": checked.sha256, "size": document.size},
        )
    return document


@use_case("remove_document")
def remove_document(case_id: Any, document_id: Any, *, by: User) -> None:
    with transaction.atomic():
        case = _lock_draft(case_id, by)
        document = case.documents.exclude(kind__in=[DocumentKind.LICENCE, DocumentKind.REFUSAL]).get(pk=document_id)
        if case.euc_document_id == document.pk:
            case.euc_document = None
            case.save()
        path = document.file.name or ""
        storage = document.file.storage
        document.delete()
        if path:
            transaction.on_commit(lambda: storage.delete(path))
        audit.record(by, LicensingAuditKind.DOCUMENT_REMOVE, case, {"document": str(document_id)})


def _euc_bytes(case: Case) -> bytes | None:
    if case.euc_document is None:
        return None
    with case.euc_document.file.open("rb") as handle:
        return bytes(handle.read(uploads.MAX_UPLOAD_BYTES + 1))


def _run_euc_check(case: Case) -> integrations.EucResult:
    result = integrations.check_euc(
        authority=case.authority,
        serial=case.euc_serial,
        seal_text=case.euc_seal_text,
        file_data=_euc_bytes(case) if not case.euc_seal_text else None,
    )
    case.euc_verdict = result.check.verdict if result.check else ""
    case.euc_check = result.summary
    case.euc_checked_at = timezone.now()
    case.euc_certificate_id = result.certificate_id
    return result


@use_case("set_euc")
def set_euc(
    case_id: Any, *, by: User, serial: str, seal_text: str = "", file_data: bytes | None = None, file_name: str = ""
) -> Case:
    """Say which end-user certificate the application relies on (serial, and its seal or a scan), and check it."""
    errors: dict[str, str] = {}
    serial = _text(serial, "euc_serial", errors, required=True, limit=40, message=_("Enter the EUC serial number"))
    seal_text = _text(seal_text, "euc_seal_text", errors, required=False, limit=4000, message="")
    _raise(errors)
    checked = uploads.check(file_data, file_name, field="euc_file") if file_data else None
    with transaction.atomic():
        case = _lock_draft(case_id, by)
        case.euc_serial = serial
        case.euc_seal_text = seal_text
        if checked is not None:
            case.euc_document = _store_document(case, checked, DocumentKind.EUC, by)
        result = _run_euc_check(case)
        case.save()
        audit.record(
            by,
            LicensingAuditKind.EUC_CHECK,
            case,
            {"serial": serial, "verdict": case.euc_verdict, "reasons": result.summary.get("reasons", [])},
        )
    return case


@dataclass(frozen=True)
class Section:
    """A section of the application's task list and whether it is done."""

    key: str
    title: str
    status: str  # not_started, in_progress, completed
    problems: tuple[str, ...] = ()


def sections(case: Case) -> list[Section]:
    """The task list: about, parties, goods, EUC, transit, documents; what is missing in each."""
    parties = list(case.parties.all())
    goods = list(case.goods.all())
    about: list[str] = []
    if not case.end_use:
        about.append(_("Describe the end use"))
    if not case.destination_country:
        about.append(_("Enter the country of final destination"))
    party_problems = [] if any(p.role == PartyRole.END_USER for p in parties) else [_("Name the end user")]
    if case.kind in (CaseKind.EXPORT, CaseKind.IMPORT) and not any(p.role == PartyRole.CONSIGNEE for p in parties):
        party_problems.append(_("Name the consignee"))
    goods_problems = [] if goods else [_("Add at least one goods line")]
    euc_problems = []
    if case.euc_required and not case.euc_serial:
        euc_problems.append(_("Give the end-user certificate"))
    transit_problems: list[str] = []
    if case.kind in (CaseKind.TRANSIT, CaseKind.TRANS_SHIPMENT) and not case.transit.exists():
        transit_problems.append(_("Give the transit route"))

    def status(problems: list[str], started: bool) -> str:
        if not problems:
            return "completed"
        return "in_progress" if started else "not_started"

    return [
        Section("about", _("About the transfer"), status(about, bool(case.end_use)), tuple(about)),
        Section("parties", _("Parties"), status(party_problems, bool(parties)), tuple(party_problems)),
        Section("goods", _("Goods"), status(goods_problems, bool(goods)), tuple(goods_problems)),
        Section("euc", _("End-user certificate"), status(euc_problems, bool(case.euc_serial)), tuple(euc_problems)),
        Section(
            "transit", _("Transit route"), status(transit_problems, case.transit.exists()), tuple(transit_problems)
        ),
        Section("documents", _("Supporting documents"), "completed"),
    ]


def _completeness(case: Case) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    for section in sections(case):
        if section.problems:
            errors[section.key] = list(section.problems)
    return errors


# --- submission, screening and flags -------------------------------------------------------------------------


def _short(name: str, length: int = 40) -> str:
    clean = " ".join(name.split())
    if len(clean) <= length:
        return clean
    cut = clean[:length]
    return cut.rsplit(" ", 1)[0] if " " in cut[length // 2 :] else cut


def _flag_parties(case: Case) -> tuple[flags.Party, ...]:
    return tuple(flags.Party(flags.PartyRole(p.role), p.name, p.country, p.is_state_body) for p in case.parties.all())


def _denials(case: Case) -> tuple[flags.Denial, ...]:
    found: list[flags.Denial] = []
    refused = (
        Case.objects.for_authority(case.authority_id)
        .filter(state=CaseState.REFUSED)
        .exclude(pk=case.pk)
        .prefetch_related("parties", "goods")
    )
    for other in refused:
        end_user = other.end_user()
        found.append(
            flags.Denial(
                other.reference,
                end_user.name if end_user else "",
                other.destination_country,
                case.authority.code,
                frozenset(line.category for line in other.goods.all()),
            )
        )
    for notice in hub_denial_notices(exclude_authority=case.authority):
        found.append(
            flags.Denial(
                notice["number"],
                notice["end_user_name"],
                notice["destination_country"],
                notice["authority"],
                frozenset(notice["categories"]),
            )
        )
    return tuple(found)


def _past_imports(case: Case) -> tuple[flags.PastImport, ...]:
    end_user = case.end_user()
    if end_user is None:
        return ()
    wanted = flags.normalise_name(end_user.name)
    lines = (
        ShipmentLine.objects.filter(authority=case.authority)
        .exclude(shipment__case=case)
        .filter(shipment__case__parties__role=PartyRole.END_USER)
        .select_related("goods_line")
        .values_list("shipment__case__parties__name", "goods_line__un_category", "goods_line__salw_line", "quantity")
    )
    return tuple(
        flags.PastImport(categories.category_code(cat, salw), qty)
        for name, cat, salw, qty in lines
        if flags.normalise_name(name) == wanted
    )


def _screen(case: Case, by: User | None) -> int:
    """Screen every party; keep the case's mirror of the hits; the number not yet reviewed."""
    case.hits.all().delete()
    for party in case.parties.all():
        query = screening_link.PartyQuery(
            party.name,
            party.country,
            authority=case.authority,
            subject_id=str(party.pk),
            label=f"{case.reference} · {party.role_label}",
            by=by,
        )
        for hit in screening_link.screen_party(query):
            decided = hit.status in (HitStatus.FALSE_POSITIVE, HitStatus.TRUE_MATCH)
            ScreeningHit.objects.create(
                authority=case.authority,
                case=case,
                party=party,
                list_name=hit.list_name[:40],
                entry_ref=hit.entry_ref[:80],
                listed_name=hit.listed_name[:500],
                matched_name=hit.matched_name[:500],
                score=hit.score,
                programs=list(hit.programs),
                external_id=hit.external_id[:64],
                status=hit.status if decided else HitStatus.PENDING,
                review_reason=hit.reason if decided else "",
                reviewed_at=timezone.now() if decided else None,
            )
    return case.hits.filter(status=HitStatus.PENDING).count()


# Cases between submission and the decision: a list change re-screens them (Art. 6(1), Art. 11).
RESCREEN_STATES = (
    CaseState.SUBMITTED,
    CaseState.SCREENING,
    CaseState.UNDER_ASSESSMENT,
    CaseState.AWAITING_INFORMATION,
    CaseState.AWAITING_COUNTERSIGNATURE,
)


def rescreen_open_cases() -> int:
    """After a sanctions list changed: screen the parties of every open case again and re-raise its automatic
    flags, so that a new hit holds the case (earlier reviews of the same party and entry still apply)."""
    count = 0
    for case_id in Case.objects.filter(state__in=RESCREEN_STATES).values_list("pk", flat=True):
        with transaction.atomic():
            case = Case.objects.select_for_update().get(pk=case_id)
            pending = _screen(case, None)
            raised = _raise_flags(case, _run_euc_check(case), pending)
            audit.record(
                None,
                LicensingAuditKind.CASE_RESCREEN,
                case,
                {"hits": pending, "flags": [f.code for f in raised]},
                actor_label="screening (list changed)",
            )
        count += 1
    return count


def _raise_flags(case: Case, euc: integrations.EucResult, pending_hits: int) -> list[CaseFlag]:
    parties = _flag_parties(case)
    goods = tuple(flags.GoodsLine(line.category, line.quantity) for line in case.goods.all())
    transit = tuple(case.transit.values_list("country", flat=True))
    sub = flags.Submission(
        destination_iso2=case.destination_country,
        parties=parties,
        goods=goods,
        transit_iso2=transit,
        screening_hits_pending=pending_hits,
        euc_required=case.euc_required,
        euc=euc.check,
        denials=_denials(case),
        past_imports=_past_imports(case),
    )
    # The EUC's seal holds the end user's name cut to 40 characters: compare like with like.
    euc_sub = replace(
        sub,
        parties=tuple(replace(p, name=_short(p.name)) if p.role is flags.PartyRole.END_USER else p for p in parties),
    )
    countries = [case.destination_country, *(p.country_iso2 for p in parties), *transit]
    euc_raised = flags.euc_flags(euc_sub)
    if euc.check is not None and not euc.check.end_user_name:
        # Nothing could be read from the certificate: comparing quantities and end users with it would be noise.
        euc_raised = [f for f in euc_raised if f.code in (flags.FlagCode.EUC_INVALID, flags.FlagCode.EUC_REVOKED)]
    raised = [
        *flags.embargo_flags(sub, integrations.embargoes_for(countries)),
        *flags.screening_flags(sub),
        *euc_raised,
        *flags.denial_flags(sub),
        *flags.proportionality_flags(sub),
    ]
    raised.sort(key=lambda f: not f.blocking)
    case.flags.filter(status=FlagStatus.OPEN).delete()
    return [
        CaseFlag.objects.create(
            authority=case.authority,
            case=case,
            code=flag.code.value,
            severity=flag.severity.value,
            articles=list(flag.articles),
            params=dict(flag.params),
        )
        for flag in raised
    ]


def _map_euc_lines(case: Case, euc: integrations.EucResult) -> None:
    """Tie each goods line to the EUC line of the same category that it will draw on."""
    left = {number: qty for number, _cat, qty in euc.lines}
    for line in case.goods.all():
        match = next(
            (n for n, cat, _q in euc.lines if cat in (line.category, line.un_category) and left.get(n, 0) > 0), None
        )
        line.euc_line_no = match
        if match is not None:
            left[match] -= line.quantity
        line.save(update_fields=["euc_line_no"])


@use_case("submit")
def submit(case_id: Any, *, by: User, start_screening: bool = True) -> Case:
    """Submit a complete application: the clock starts, parties are screened and automatic flags raised.

    The system then starts screening at once (`start_screening=False` leaves that to an officer).
    """
    with transaction.atomic():
        case = _lock_draft(case_id, by)
        missing = _completeness(case)
        if missing:
            raise ValidationError(missing)
        moves = [_apply(case, W.SUBMIT, by=by)]
        case.submitted_at = timezone.now()
        euc = _run_euc_check(case)
        _map_euc_lines(case, euc)
        pending = _screen(case, by)
        raised = _raise_flags(case, euc, pending)
        if start_screening:
            moves.append(_apply(case, W.START_SCREENING, by=None, role=workflow.Role.SYSTEM))
        case.save()
        audit.record(
            by,
            LicensingAuditKind.CASE_SUBMIT,
            case,
            {
                "moves": _moves(*moves),
                "flags": [f.code for f in raised],
                "hits": pending,
                "screener": screening_link.source_name(case.authority),
                "euc": case.euc_verdict,
            },
        )
    return case


@use_case("start_screening")
def start_screening(case_id: Any, *, by: User) -> Case:
    """An officer takes a submitted case into screening (the system does it at submission by default)."""
    with transaction.atomic():
        require(by, Permission.CASE_PROCESS)
        case = _lock(case_id, by)
        _not_own_application(case, by)
        move = _apply(case, W.START_SCREENING, by=by)
        audit.record(by, LicensingAuditKind.CASE_START_SCREENING, case, {"moves": _moves(move)})
    return case


@use_case("withdraw")
def withdraw(case_id: Any, *, by: User, reason: str = "") -> Case:
    with transaction.atomic():
        require(by, Permission.CASE_APPLY)
        case = _lock(case_id, by)
        if not _own_application(case, by):
            raise PermissionDenied(_("Only the applicant organisation can withdraw its application."))
        move = _apply(case, W.WITHDRAW, by=by, context=workflow.Context(actor_id=str(by.pk), reason=reason))
        audit.record(by, LicensingAuditKind.CASE_WITHDRAW, case, {"moves": _moves(move), "reason": reason})
    return case


@use_case("request_information")
def request_information(case_id: Any, *, by: User, reason: str) -> Case:
    """Ask the applicant for information: the clock stops until they answer."""
    with transaction.atomic():
        require(by, Permission.CASE_PROCESS)
        case = _lock(case_id, by)
        _not_own_application(case, by)
        move = _apply(case, W.REQUEST_INFORMATION, by=by, context=workflow.Context(actor_id=str(by.pk), reason=reason))
        audit.record(by, LicensingAuditKind.CASE_REQUEST_INFORMATION, case, {"moves": _moves(move), "reason": reason})
    return case


@use_case("provide_information")
def provide_information(case_id: Any, *, by: User, response: str) -> Case:
    """The applicant answers; the case returns where it was and the clock runs again."""
    errors: dict[str, str] = {}
    response = _text(response, "response", errors, required=True, limit=MAX_TEXT, message=_("Enter your answer"))
    _raise(errors)
    with transaction.atomic():
        case = _lock_draft(case_id, by, states=(CaseState.AWAITING_INFORMATION,))
        resume = workflow.state_before(history_of(case), workflow.State.AWAITING_INFORMATION)
        move = _apply(
            case,
            W.INFORMATION_PROVIDED,
            by=by,
            context=workflow.Context(actor_id=str(by.pk), resume_state=resume, reason=response),
        )
        audit.record(by, LicensingAuditKind.CASE_INFORMATION_PROVIDED, case, {"moves": _moves(move)})
    return case


@use_case("review_hit")
def review_hit(hit_id: Any, *, by: User, decision: str, reason: str) -> ScreeningHit:
    """Settle a screening hit as a false positive or a true match, with the reason on record.

    When no hit is left to review and all were false positives, a supervisor's review also resolves the
    screening flag; otherwise the flag waits for a supervisor.
    """
    require(by, Permission.SCREENING_REVIEW)
    errors: dict[str, str] = {}
    _choice(decision, "decision", errors, [HitStatus.FALSE_POSITIVE, HitStatus.TRUE_MATCH], _("Select the outcome"))
    reason = _text(reason, "reason", errors, required=True, limit=MAX_TEXT, message=_("Say why"))
    _raise(errors)
    with transaction.atomic():
        hit = ScreeningHit.objects.for_user(by).select_related("case").get(pk=hit_id)
        case = _lock(hit.case_id, by)
        _not_own_application(case, by)
        if case.state not in (CaseState.SCREENING, CaseState.AWAITING_INFORMATION):
            raise _refuse(_("Screening hits are reviewed while the case is in screening."), "not_in_screening")
        if hit.status != HitStatus.PENDING:
            raise _refuse(_("This hit has already been reviewed."), "already_reviewed")
        hit.status = decision
        hit.reviewed_by = by
        hit.reviewed_at = timezone.now()
        hit.review_reason = reason
        hit.save()
        screening_link.record_review(hit.external_id, by=by, decision=decision, reason=reason)
        pending = case.hits.filter(status=HitStatus.PENDING).count()
        true_matches = case.hits.filter(status=HitStatus.TRUE_MATCH).count()
        resolved = False
        for flag in case.flags.filter(code=flags.FlagCode.SCREENING_HITS_PENDING, status=FlagStatus.OPEN):
            flag.params = {**flag.params, "count": str(pending)}
            if pending == 0 and true_matches == 0 and has_permission(by, Permission.FLAG_CLEAR):
                flag.status = FlagStatus.RESOLVED
                flag.resolution = FlagResolution.FALSE_POSITIVE
                flag.resolved_by = by
                flag.resolved_at = timezone.now()
                flag.resolution_reason = reason
                resolved = True
            flag.save()
        audit.record(
            by,
            LicensingAuditKind.HIT_REVIEW,
            hit,
            {"case": case.reference, "decision": decision, "reason": reason, "flag_resolved": resolved},
            authority=case.authority,
        )
    return hit


def mirror_screening_decision(external_hit: Any) -> None:
    """The screening app's hook: a hit decided on the screening pages is decided on the case too."""
    decided = str(getattr(external_hit, "status", ""))
    if decided not in (HitStatus.FALSE_POSITIVE, HitStatus.TRUE_MATCH):
        return
    for hit in ScreeningHit.objects.filter(external_id=str(external_hit.pk), status=HitStatus.PENDING):
        hit.status = decided
        hit.reviewed_by_id = getattr(external_hit, "decided_by_id", None)
        hit.reviewed_at = timezone.now()
        hit.review_reason = str(getattr(external_hit, "reason", ""))[:MAX_TEXT]
        hit.save()
        pending = hit.case.hits.filter(status=HitStatus.PENDING).count()
        for flag in hit.case.flags.filter(code=flags.FlagCode.SCREENING_HITS_PENDING, status=FlagStatus.OPEN):
            flag.params = {**flag.params, "count": str(pending)}
            flag.save()


@use_case("resolve_flag")
def resolve_flag(flag_id: Any, *, by: User, resolution: str, reason: str) -> CaseFlag:
    """A supervisor resolves a flag, with a reason: a false positive, confirmed, or an exemption recorded."""
    require(by, Permission.FLAG_CLEAR)
    errors: dict[str, str] = {}
    _choice(resolution, "resolution", errors, FlagResolution.values, _("Select how the flag is resolved"))
    reason = _text(
        reason, "reason", errors, required=True, limit=MAX_TEXT, message=_("Say why: the record must show it")
    )
    _raise(errors)
    with transaction.atomic():
        flag = CaseFlag.objects.for_user(by).get(pk=flag_id)
        case = _lock(flag.case_id, by)
        _not_own_application(case, by)
        if case.is_closed:
            raise _refuse(_("The case is closed."), "closed")
        if not flag.is_open:
            raise _refuse(_("This flag has already been resolved."), "already_resolved")
        if flag.code == flags.FlagCode.SCREENING_HITS_PENDING:
            if case.hits.filter(status=HitStatus.PENDING).exists():
                raise _refuse(_("Review every screening hit before resolving this flag."), "hits_pending")
            has_match = case.hits.filter(status=HitStatus.TRUE_MATCH).exists()
            if has_match and resolution != FlagResolution.CONFIRMED:
                raise _refuse(_("A hit was confirmed as a true match: the flag can only be confirmed."), "true_match")
        if resolution == FlagResolution.EXEMPTION and flag.code != flags.FlagCode.UN_EMBARGO_PARTIAL:
            raise _refuse(_("An exemption can be recorded only for a partial embargo."), "no_exemption")
        flag.status = FlagStatus.RESOLVED
        flag.resolution = resolution
        flag.resolved_by = by
        flag.resolved_at = timezone.now()
        flag.resolution_reason = reason
        flag.save()
        audit.record(
            by,
            LicensingAuditKind.FLAG_RESOLVE,
            flag,
            {"case": case.reference, "code": flag.code, "resolution": resolution, "reason": reason},
            authority=case.authority,
        )
    return flag


def _route(case: Case) -> list[Advice]:
    case_categories = {line.un_category for line in case.goods.all()}
    made = []
    for rule in RoutingRule.objects.for_authority(case.authority_id).select_related("agency"):
        if rule.matches(case, case_categories) and rule.agency.is_active:
            advice, created = Advice.objects.get_or_create(
                authority=case.authority, case=case, agency=rule.agency, defaults={"rule": rule}
            )
            if created:
                made.append(advice)
    return made


@use_case("screening_clear")
def screening_clear(case_id: Any, *, by: User) -> Case:
    """Screening is done: the case goes to assessment and to the agencies the routing rules name."""
    with transaction.atomic():
        require(by, Permission.CASE_PROCESS)
        case = _lock(case_id, by)
        _not_own_application(case, by)
        if case.state == CaseState.SCREENING and case.hits.filter(status=HitStatus.PENDING).exists():
            raise _refuse(_("Review every screening hit before clearing screening."), "hits_pending")
        move = _apply(
            case,
            W.SCREENING_CLEAR,
            by=by,
            context=workflow.Context(
                actor_id=str(by.pk), unresolved_blocking_flags=_blocking(case, include_confirmed=False)
            ),
        )
        routed = _route(case)
        audit.record(
            by,
            LicensingAuditKind.CASE_SCREENING_CLEAR,
            case,
            {"moves": _moves(move), "consulted": [a.agency.name_en for a in routed]},
        )
    return case


# --- consultation ---------------------------------------------------------------------------------------------


@use_case("request_advice")
def request_advice(case_id: Any, *, by: User, agency_id: Any) -> Advice:
    """Consult one more agency on a case under assessment."""
    from attkit.accounts.models import Agency

    with transaction.atomic():
        require(by, Permission.CASE_PROCESS)
        case = _lock(case_id, by)
        _not_own_application(case, by)
        if case.state != CaseState.UNDER_ASSESSMENT:
            raise _refuse(_("Agencies are consulted while the case is under assessment."), "not_under_assessment")
        try:
            agency = Agency.objects.for_user(by).get(pk=agency_id, is_active=True)
        except (Agency.DoesNotExist, ValidationError, ValueError):
            raise ValidationError({"agency": _("Select an agency of your authority")}) from None
        advice, _made = Advice.objects.get_or_create(authority=case.authority, case=case, agency=agency)
        audit.record(by, LicensingAuditKind.ADVICE_REQUEST, case, {"agency": agency.name_en})
    return advice


@use_case("give_advice")
def give_advice(case_id: Any, *, by: User, outcome: str, reasons: str, conditions: str = "") -> Advice:
    """An adviser gives the advice of their own agency, with reasons (and conditions where they approve so)."""
    require(by, Permission.CASE_ADVISE)
    errors: dict[str, str] = {}
    _choice(outcome, "outcome", errors, AdviceOutcome.values, _("Select your agency's advice"))
    reasons = _text(reasons, "reasons", errors, required=True, limit=MAX_TEXT, message=_("Give the reasons"))
    conditions = _text(
        conditions,
        "conditions",
        errors,
        required=outcome == AdviceOutcome.APPROVE_WITH_CONDITIONS,
        limit=MAX_TEXT,
        message=_("List the conditions"),
    )
    _raise(errors)
    with transaction.atomic():
        case = _lock(case_id, by)
        if by.agency_id is None:
            raise PermissionDenied(_("Your account is not linked to an agency."))
        _not_own_application(case, by)
        if case.state != CaseState.UNDER_ASSESSMENT:
            raise _refuse(_("Advice is given while the case is under assessment."), "not_under_assessment")
        advice = case.advice.filter(agency_id=by.agency_id).first()
        if advice is None:
            raise PermissionDenied(_("Your agency has not been consulted on this case."))
        if advice.given:
            raise _refuse(_("Your agency has already given its advice on this case."), "already_given")
        advice.outcome = outcome
        advice.reasons = reasons
        advice.conditions = conditions
        advice.given_by = by
        advice.given_at = timezone.now()
        advice.save()
        audit.record(
            by,
            LicensingAuditKind.ADVICE_GIVE,
            advice,
            {"case": case.reference, "agency": advice.agency.name_en, "outcome": outcome},
            authority=case.authority,
        )
    return advice


def advice_awaited(case: Case) -> list[Agency]:
    return [a.agency for a in case.advice.select_related("agency") if not a.given]


# --- decision and countersignature ---------------------------------------------------------------------------


def _criteria(codes: Iterable[Any], field: str = "criteria") -> list[Criterion]:
    chosen = []
    for code in codes:
        try:
            chosen.append(criterion_for_code(str(code).strip()))
        except ValueError:
            raise ValidationError({field: _("%(code)s is not a refusal criterion") % {"code": code}}) from None
    return chosen


def _decision_problem_messages(outcome: Outcome, relied_on: list[Criterion], findings: Findings) -> list[str]:
    """rules.decision_problems, in the user's language."""
    from attkit.assessment.rules import can_countersign, criteria_relied_on, refusal_codes

    messages = []
    if outcome is Outcome.APPROVE:
        if relied_on:
            messages.append(_("An approval does not cite refusal criteria."))
        if not can_countersign(Outcome.APPROVE, findings):
            grounds = ", ".join(refusal_codes(criteria_relied_on(findings))) or _("overriding risk under Art. 7(3)")
            messages.append(
                _("The assessment requires this case to be refused (%(grounds)s); it cannot be approved.")
                % {"grounds": grounds}
            )
    else:
        if not relied_on:
            messages.append(_("A refusal must cite at least one criterion."))
        missing = refusal_codes(criteria_relied_on(findings) - set(relied_on))
        if missing:
            messages.append(
                _("The refusal must also cite %(codes)s, which the assessment found.") % {"codes": ", ".join(missing)}
            )
    if decision_problems(outcome, relied_on, findings) and not messages:
        messages.append(_("The decision does not fit the assessment."))
    return messages


def current_decision(case: Case) -> Decision | None:
    return case.decisions.order_by("-created_at").first()


@use_case("propose_decision")
def propose_decision(
    case_id: Any, *, by: User, outcome: str, criteria: Sequence[Any] = (), reasons: str, conditions: str = ""
) -> Decision:
    """The officer consolidates advice and assessment into a proposed decision, awaiting countersignature."""
    require(by, Permission.CASE_DECIDE)
    errors: dict[str, str] = {}
    _choice(outcome, "outcome", errors, DecisionOutcome.values, _("Select the decision: approve or refuse"))
    reasons = _text(reasons, "reasons", errors, required=True, limit=MAX_TEXT, message=_("Give the reasons"))
    conditions = _text(conditions, "conditions", errors, required=False, limit=MAX_TEXT, message="")
    _raise(errors)
    relied_on = _criteria(criteria)
    with transaction.atomic():
        case = _lock(case_id, by)
        _not_own_application(case, by)
        findings = _findings(case)
        decided = Outcome(outcome)
        if case.state == CaseState.UNDER_ASSESSMENT:
            if findings is None:
                raise _refuse(
                    _("Complete the risk assessment (Arts 6, 7 and 11) before proposing a decision."),
                    "assessment_missing",
                )
            problems = _decision_problem_messages(decided, relied_on, findings)
            if problems:
                raise Refused({"criteria": problems}, code="decision_contrary")
            awaited = advice_awaited(case)
            if decided is Outcome.APPROVE and awaited:
                raise _refuse(
                    _("Advice is still awaited from: %(agencies)s.") % {"agencies": ", ".join(a.name for a in awaited)},
                    "advice_awaited",
                )
        move = _apply(
            case,
            W.PROPOSE_DECISION,
            by=by,
            context=workflow.Context(
                actor_id=str(by.pk),
                proposed_outcome=decided,
                findings=findings,
                unresolved_blocking_flags=_blocking(case, include_confirmed=True),
                reason=reasons,
            ),
        )
        decision = Decision.objects.create(
            authority=case.authority,
            case=case,
            outcome=outcome,
            criteria=[c.refusal_code for c in sorted(relied_on, key=list(Criterion).index)],
            reasons=reasons,
            conditions=conditions,
            proposed_by=by,
        )
        audit.record(
            by,
            LicensingAuditKind.DECIDE,
            case,
            {"moves": _moves(move), "outcome": outcome, "criteria": decision.criteria, "reasons": reasons},
        )
    return decision


@use_case("countersign")
def countersign(case_id: Any, *, by: User, agree: bool, reason: str = "") -> Case:
    """A supervisor who did not propose the decision agrees (it takes effect) or disagrees (it goes back)."""
    require(by, Permission.CASE_COUNTERSIGN)
    with transaction.atomic():
        case = _lock(case_id, by)
        _not_own_application(case, by)
        decision = current_decision(case)
        pending = decision is not None and decision.status == CountersignStatus.PENDING
        findings = _findings(case)
        proposed = Outcome(decision.outcome) if decision is not None else None
        if agree and pending and decision is not None and findings is not None and proposed is not None:
            problems = _decision_problem_messages(proposed, _criteria(decision.criteria), findings)
            if problems:
                raise Refused({"criteria": problems}, code="decision_contrary")
        event = W.COUNTERSIGN_AGREE if agree else W.COUNTERSIGN_DISAGREE
        move = _apply(
            case,
            event,
            by=by,
            context=workflow.Context(
                actor_id=str(by.pk),
                proposer_id=str(decision.proposed_by_id) if pending and decision is not None else None,
                proposed_outcome=proposed,
                findings=findings,
                unresolved_blocking_flags=_blocking(case, include_confirmed=True),
                reason=reason,
            ),
        )
        assert decision is not None  # the workflow refused a countersignature without a pending decision
        decision.status = CountersignStatus.AGREED if agree else CountersignStatus.DISAGREED
        decision.countersigned_by = by
        decision.countersigned_at = timezone.now()
        decision.countersign_reason = reason.strip()[:MAX_TEXT]
        decision.save()
        if move.new_state in (workflow.State.APPROVED, workflow.State.REFUSED):
            case.decided_at = decision.countersigned_at
            case.save()
        if move.new_state is workflow.State.REFUSED:
            from attkit.licensing import documents

            documents.issue_refusal_letter(case, decision)
        audit.record(
            by,
            LicensingAuditKind.COUNTERSIGN,
            case,
            {"moves": _moves(move), "agree": agree, "outcome": decision.outcome, "reason": reason},
        )
    return case


# --- the licence ---------------------------------------------------------------------------------------------


@use_case("issue_licence")
def issue_licence(case_id: Any, *, by: User, valid_until: dt.date | None = None) -> Case:
    """Issue the sealed licence of an approved case (Art. 7(5): before the export)."""
    require(by, Permission.CASE_PROCESS)
    today = timezone.localdate()
    if valid_until is None:
        valid_until = today + dt.timedelta(days=DEFAULT_VALIDITY_DAYS)
    if not today < valid_until <= today + dt.timedelta(days=MAX_VALIDITY_DAYS):
        raise ValidationError(
            {
                "valid_until": _("The licence must be valid after today and for at most %(n)s days")
                % {"n": MAX_VALIDITY_DAYS}
            }
        )
    with transaction.atomic():
        case = _lock(case_id, by)
        _not_own_application(case, by)
        if case.temporary_until and case.state == CaseState.APPROVED:
            valid_until = min(valid_until, case.temporary_until)
        move = _apply(
            case,
            W.ISSUE_LICENCE,
            by=by,
            context=workflow.Context(
                actor_id=str(by.pk), unresolved_blocking_flags=_blocking(case, include_confirmed=True)
            ),
        )
        case.licence_valid_until = valid_until
        case.licence_issued_at = timezone.now()
        case.licence_issued_by = by
        from attkit.licensing import documents

        documents.issue_licence_document(case)
        case.save()
        recorded = integrations.record_transfers(
            case,
            {line: line.quantity for line in case.goods.all()},
            basis="authorised",
            by=by,
            date=timezone.localdate(),
            source="licence",
            source_key=str(case.pk),
        )
        audit.record(
            by,
            LicensingAuditKind.ISSUE,
            case,
            {"moves": _moves(move), "valid_until": valid_until, "art12_recorded": recorded},
        )
    return case


def _supervisor_move(case_id: Any, by: User, event: workflow.Event, reason: str, kind: LicensingAuditKind) -> Case:
    require(by, Permission.CASE_COUNTERSIGN)
    with transaction.atomic():
        case = _lock(case_id, by)
        _not_own_application(case, by)
        resume = None
        if event is W.REINSTATE:
            resume = workflow.state_before(history_of(case), workflow.State.SUSPENDED)
        move = _apply(
            case, event, by=by, context=workflow.Context(actor_id=str(by.pk), reason=reason, resume_state=resume)
        )
        if event is W.REVOKE:
            integrations.revoke_seal(case.authority, case.reference, reason, by=by)
        audit.record(by, kind, case, {"moves": _moves(move), "reason": reason})
    return case


@use_case("suspend")
def suspend(case_id: Any, *, by: User, reason: str) -> Case:
    """Art. 7(7): suspend a licence on new information; customs are refused until it is reinstated."""
    return _supervisor_move(case_id, by, W.SUSPEND, reason, LicensingAuditKind.SUSPEND)


@use_case("reinstate")
def reinstate(case_id: Any, *, by: User, reason: str) -> Case:
    return _supervisor_move(case_id, by, W.REINSTATE, reason, LicensingAuditKind.REINSTATE)


@use_case("revoke")
def revoke(case_id: Any, *, by: User, reason: str) -> Case:
    """Art. 7(7): revoke a licence; its seal is published as revoked."""
    return _supervisor_move(case_id, by, W.REVOKE, reason, LicensingAuditKind.REVOKE)


def expire_licences(*, today: dt.date | None = None) -> list[str]:
    """The scheduler's sweep: licences past their validity expire (references of those that did)."""
    day = today or timezone.localdate()
    done = []
    live = [CaseState.LICENCE_ISSUED, CaseState.IN_USE, CaseState.SUSPENDED]
    for pk in list(Case.objects.filter(state__in=live, licence_valid_until__lt=day).values_list("pk", flat=True)):
        with transaction.atomic():
            case = Case.objects.select_for_update().get(pk=pk)
            if case.state not in live or case.licence_valid_until is None or case.licence_valid_until >= day:
                continue
            move = _apply(case, W.EXPIRE, by=None, role=workflow.Role.SYSTEM)
            audit.record(None, LicensingAuditKind.EXPIRE, case, {"moves": _moves(move)}, actor_label="system")
            done.append(case.reference)
    return done


# --- customs ------------------------------------------------------------------------------------------------


@use_case("record_shipment")
def record_shipment(
    case_id: Any,
    *,
    by: User,
    declaration_number: str,
    shipment_date: Any,
    lines: Sequence[Mapping[str, Any]],
    notes: str = "",
) -> Shipment:
    """Customs record a shipment against a licence; quantities are drawn down atomically, never beyond it.

    The goods lines are locked (select_for_update) so that two declarations at once cannot together
    exceed the licence; an export relying on an EUC draws on it in the same transaction.
    """
    require(by, Permission.SHIPMENT_RECORD)
    errors: dict[str, str] = {}
    number = _text(
        declaration_number,
        "declaration_number",
        errors,
        required=True,
        limit=60,
        message=_("Enter the customs declaration number"),
    )
    day = _date(
        shipment_date, "shipment_date", errors, required=True, message=_("Enter the date of shipment as YYYY-MM-DD")
    )
    if day is not None and day > timezone.localdate():
        errors["shipment_date"] = _("The date of shipment cannot be in the future")
    if not lines:
        errors["lines"] = _("Enter the quantity shipped of at least one goods line")
    _raise(errors)
    with transaction.atomic():
        case = _lock(case_id, by)
        goods = {line.line_no: line for line in GoodsLine.objects.select_for_update().filter(case=case)}
        by_id = {str(line.pk): line for line in goods.values()}
        drawn: dict[GoodsLine, int] = {}
        details: dict[GoodsLine, dict[str, Any]] = {}
        for index, raw in enumerate(lines):
            key = str(raw.get("line") or raw.get("line_no") or raw.get("goods_line") or "")
            line = goods.get(int(key)) if key.isdigit() else by_id.get(key)
            if line is None:
                errors[f"lines[{index}].line"] = _("This licence has no goods line %(line)s") % {"line": key}
                continue
            quantity = _positive_int(raw.get("quantity"), f"lines[{index}].quantity", errors)
            value = _money(raw.get("value"), f"lines[{index}].value", errors)
            hs_code = str(raw.get("hs_code") or line.hs_code).strip()
            if hs_code and not _HS.match(hs_code):
                errors[f"lines[{index}].hs_code"] = _("Enter the HS code as 4 to 10 digits, for example 9301.90")
            drawn[line] = drawn.get(line, 0) + quantity
            details[line] = {"value": value, "hs_code": hs_code, "currency": raw.get("currency") or line.currency}
        _raise(errors)
        if case.licence_valid_until and day is not None and day > case.licence_valid_until:
            raise _refuse(
                _("The licence was valid until %(date)s; this shipment is later.")
                % {"date": case.licence_valid_until.isoformat()},
                "licence_expired",
            )
        move = _apply(case, W.RECORD_SHIPMENT, by=by)
        if Shipment.objects.filter(authority=case.authority, declaration_number=number).exists():
            raise ValidationError({"declaration_number": _("This declaration number is already recorded")})
        over = [
            _("line %(line)s: %(asked)s asked, %(left)s left")
            % {"line": line.line_no, "asked": qty, "left": line.remaining}
            for line, qty in drawn.items()
            if qty > line.remaining
        ]
        if over:
            raise Refused(
                {
                    "lines": [
                        _("Over-shipment refused: the licence does not cover these quantities (%(lines)s).")
                        % {"lines": "; ".join(over)}
                    ]
                },
                code="over_shipment",
            )
        shipment = Shipment.objects.create(
            authority=case.authority,
            case=case,
            declaration_number=number,
            shipment_date=day,
            recorded_by=by,
            notes=notes.strip()[:MAX_TEXT],
        )
        for line, qty in drawn.items():
            ShipmentLine.objects.create(
                authority=case.authority,
                shipment=shipment,
                goods_line=line,
                quantity=qty,
                hs_code=details[line]["hs_code"],
                value=details[line]["value"],
                currency=str(details[line]["currency"])[:3].upper(),
            )
            line.quantity_shipped += qty
            line.save(update_fields=["quantity_shipped"])
        use_id = integrations.draw_on_euc(case, shipment, drawn, by=by)
        if use_id is not None:
            shipment.euc_use_id = use_id
            shipment.save(update_fields=["euc_use_id"])
        moves = [move]
        if all(line.remaining == 0 for line in goods.values()):
            moves.append(_apply(case, W.EXHAUST, by=None, role=workflow.Role.SYSTEM))
        recorded = integrations.record_transfers(
            case, drawn, basis="actual", by=by, date=day, source="shipment", source_key=str(shipment.pk)
        )
        audit.record(
            by,
            LicensingAuditKind.SHIPMENT_RECORD,
            shipment,
            {
                "case": case.reference,
                "declaration": number,
                "quantities": {str(line.line_no): qty for line, qty in drawn.items()},
                "moves": _moves(*moves),
                "euc_use": str(use_id) if use_id else None,
                "art12_recorded": recorded,
            },
            authority=case.authority,
        )
    return shipment


# --- denial notices -----------------------------------------------------------------------------------------


@use_case("share_denial_notice")
def share_denial_notice(case_id: Any, *, by: User) -> DenialNotice:
    """Share a refusal with the other authorities on the hub: the notice's fields only, never the case."""
    if not (has_permission(by, Permission.CASE_DECIDE) or has_permission(by, Permission.CASE_COUNTERSIGN)):
        raise PermissionDenied(_("You do not have permission to do this."))
    with transaction.atomic():
        case = _lock(case_id, by)
        if case.state != CaseState.REFUSED:
            raise _refuse(_("Only a refused case can be shared as a denial notice."), "not_refused")
        if DenialNotice.objects.filter(case=case).exists():
            raise _refuse(_("This refusal has already been shared."), "already_shared")
        end_user = case.end_user()
        decision = case.decisions.filter(status=CountersignStatus.AGREED).order_by("-created_at").first()
        goods = list(case.goods.all())
        notice = DenialNotice.objects.create(
            authority=case.authority,
            number=_new_reference(case.authority, "DN"),
            case=case,
            end_user_name=end_user.name if end_user else "",
            end_user_country=end_user.country if end_user else case.destination_country,
            destination_country=case.destination_country,
            categories=sorted({line.category for line in goods}),
            criteria=list(decision.criteria) if decision else [],
            goods_summary="; ".join(f"{line.category} {line.description}" for line in goods)[:500],
            issued_by=by,
        )
        audit.record(by, LicensingAuditKind.DENIAL_SHARE, notice, {"case": case.reference, "number": notice.number})
    return notice


@use_case("withdraw_denial_notice")
def withdraw_denial_notice(notice_id: Any, *, by: User, reason: str) -> DenialNotice:
    require(by, Permission.CASE_COUNTERSIGN)
    errors: dict[str, str] = {}
    reason = _text(reason, "reason", errors, required=True, limit=MAX_TEXT, message=_("Say why"))
    _raise(errors)
    with transaction.atomic():
        notice = DenialNotice.objects.for_user(by).select_for_update().get(pk=notice_id)
        if notice.withdrawn_at is not None:
            raise _refuse(_("This notice has already been withdrawn."), "already_withdrawn")
        notice.withdrawn_at = timezone.now()
        notice.save(update_fields=["withdrawn_at"])
        audit.record(by, LicensingAuditKind.DENIAL_WITHDRAW, notice, {"number": notice.number, "reason": reason})
    return notice


def hub_denial_notices(*, exclude_authority: Authority | None = None) -> list[dict[str, Any]]:
    """The named cross-authority read model: every authority's notices in force, their own fields only."""
    rows = DenialNotice.objects.filter(withdrawn_at__isnull=True)
    if exclude_authority is not None:
        rows = rows.exclude(authority=exclude_authority)
    result = []
    for row in rows.order_by("-issued_at").values(*DenialNotice.HUB_FIELDS):
        row["authority"] = row.pop("authority__code")
        result.append(row)
    return result


# --- routing rules -----------------------------------------------------------------------------------------


def _require_routing(by: User) -> None:
    if not (has_permission(by, Permission.CASE_COUNTERSIGN) or has_permission(by, Permission.REFERENCE_MANAGE)):
        raise PermissionDenied(_("You do not have permission to do this."))


@use_case("save_routing_rule")
def save_routing_rule(
    *, by: User, agency_id: Any, kind: str = "", category: str = "", destination: str = "", note: str = ""
) -> RoutingRule:
    """Add a routing rule: cases of this kind, category and destination (blank: any) go to the agency."""
    from attkit.accounts.models import Agency

    _require_routing(by)
    errors: dict[str, str] = {}
    if kind and kind not in CaseKind.values:
        errors["kind"] = _("Select the kind of transfer")
    if category and category not in categories.UN_CATEGORIES:
        errors["category"] = _("Select the UN Register category")
    destination = _country(destination, "destination", errors, required=False)
    agency = Agency.objects.for_user(by).filter(pk=agency_id).first() if agency_id else None
    if agency is None:
        errors["agency"] = _("Select an agency of your authority")
    _raise(errors)
    with transaction.atomic():
        rule = RoutingRule.objects.create(
            authority=by.authority,
            agency=agency,
            kind=kind,
            category=category,
            destination=destination,
            note=note.strip()[:300],
        )
        audit.record(by, LicensingAuditKind.ROUTING_CHANGE, rule, {"action": "add", "rule": str(rule)})
    return rule


@use_case("delete_routing_rule")
def delete_routing_rule(rule_id: Any, *, by: User) -> None:
    _require_routing(by)
    with transaction.atomic():
        rule = RoutingRule.objects.for_user(by).get(pk=rule_id)
        label = str(rule)
        rule.delete()
        audit.record(by, LicensingAuditKind.ROUTING_CHANGE, None, {"action": "delete", "rule": label})


# --- what a case page shows ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class NextAction:
    """What happens next on a case and who holds it."""

    text: str
    holder: str


def next_action(case: Case) -> NextAction:
    state = case.state
    officer, supervisor = _("Licensing officer"), _("Supervisor")
    if state == CaseState.DRAFT:
        return NextAction(_("Complete and submit the application"), _("Applicant"))
    if state == CaseState.SUBMITTED:
        return NextAction(_("Start screening"), officer)
    if state == CaseState.SCREENING:
        if case.hits.filter(status=HitStatus.PENDING).exists():
            return NextAction(_("Review the screening hits"), officer)
        if _blocking(case, include_confirmed=False):
            return NextAction(_("Resolve the blocking flags"), supervisor)
        return NextAction(_("Clear screening and send the case for assessment"), officer)
    if state == CaseState.UNDER_ASSESSMENT:
        awaited = advice_awaited(case)
        if awaited:
            return NextAction(_("Give advice"), ", ".join(a.name for a in awaited))
        if _findings(case) is None:
            return NextAction(_("Complete the risk assessment"), _("Assessor or licensing officer"))
        return NextAction(_("Propose a decision"), officer)
    if state == CaseState.AWAITING_INFORMATION:
        return NextAction(_("Provide the requested information"), _("Applicant"))
    if state == CaseState.AWAITING_COUNTERSIGNATURE:
        return NextAction(_("Countersign or return the decision"), _("A supervisor other than the proposer"))
    if state == CaseState.APPROVED:
        return NextAction(_("Issue the licence"), officer)
    if state in (CaseState.LICENCE_ISSUED, CaseState.IN_USE):
        return NextAction(_("Record shipments against the licence"), _("Customs"))
    if state == CaseState.SUSPENDED:
        return NextAction(_("Reinstate or revoke the licence"), supervisor)
    if state == CaseState.REFUSED and not DenialNotice.objects.filter(case=case).exists():
        return NextAction(_("Share a denial notice with the other authorities, if appropriate"), officer)
    return NextAction(_("Nothing: the case is closed"), "—")

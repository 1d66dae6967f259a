"""The declared access matrix: for every page and API operation, the permission a user must hold.

A value is a Permission, `AnyOf(...)` (one of them is enough), `AllOf(...)` (each is needed), `LOGIN` (any
signed-in user), `PUBLIC` (no sign-in), or a dict by method when GET and POST differ. Which roles hold a
permission comes from attkit.core.permissions (ROLE_PERMISSIONS, and SANDBOX_PRACTICE in a sandbox), so the
matrix states what each route needs, never which roles: a role that gains or loses a permission moves with it.

tests/hardening/test_access_roles.py fails on a route missing here, so a new route must be declared.
"""

from __future__ import annotations

from dataclasses import dataclass

from attkit.core.permissions import Permission as P  # noqa: N817  (short, the matrix names it 200 times)


@dataclass(frozen=True)
class AnyOf:
    permissions: tuple[P, ...]

    def __init__(self, *permissions: P) -> None:
        object.__setattr__(self, "permissions", permissions)


@dataclass(frozen=True)
class AllOf:
    permissions: tuple[P, ...]

    def __init__(self, *permissions: P) -> None:
        object.__setattr__(self, "permissions", permissions)


LOGIN = "login"
PUBLIC = "public"
Need = P | AnyOf | AllOf | str
Entry = Need | dict[str, Need]

CASE_READ = AnyOf(P.CASE_VIEW, P.CASE_APPLY)  # officials see every case; applicants their organisation's
ROUTING = AnyOf(P.CASE_COUNTERSIGN, P.REFERENCE_MANAGE)
TRUST_EXPORT = AnyOf(P.SEALS_MANAGE, P.TRUST_MANAGE)
VERIFY = AnyOf(P.EUC_VERIFY, P.LICENCE_VERIFY)

PAGES: dict[str, Entry] = {
    # sign-in steps are open to the signed-in user too (they redirect onwards)
    "accounts:login": LOGIN,
    "accounts:logout": LOGIN,
    "accounts:2fa_verify": LOGIN,
    "accounts:2fa_setup": LOGIN,
    "accounts:tokens": LOGIN,  # the user's own tokens
    "accounts:token_revoke": P.TOKENS_MANAGE,  # the walk revokes another user's token
    "accounts:users": P.USERS_MANAGE,
    "accounts:user_new": P.USERS_MANAGE,
    "accounts:user_edit": P.USERS_MANAGE,
    "accounts:user_reset_2fa": P.USERS_MANAGE,
    "assessment:assessment": {"GET": P.CASE_VIEW, "POST": P.CASE_ASSESS},
    "assessment:add_mitigation": P.CASE_ASSESS,
    "assessment:remove_mitigation": P.CASE_ASSESS,
    "assessment:complete": P.CASE_ASSESS,
    "assessment:reopen": P.CASE_ASSESS,
    "core:home": P.DASHBOARD_VIEW,
    "core:audit": P.AUDIT_VIEW,
    "euc:list": P.EUC_VIEW,
    "euc:detail": P.EUC_VIEW,
    "euc:pdf": P.EUC_VIEW,
    "euc:delivery_pdf": P.EUC_VIEW,
    "euc:start": P.EUC_DRAFT,
    "euc:draft": P.EUC_DRAFT,
    "euc:draft_details": P.EUC_DRAFT,
    "euc:draft_parties": P.EUC_DRAFT,
    "euc:remove_party": P.EUC_DRAFT,
    "euc:draft_goods": P.EUC_DRAFT,
    "euc:remove_goods_line": P.EUC_DRAFT,
    "euc:draft_end_use": P.EUC_DRAFT,
    "euc:draft_check": P.EUC_DRAFT,
    "euc:amend": P.EUC_DRAFT,
    "euc:issue": P.EUC_ISSUE,
    "euc:revoke": P.EUC_REVOKE,
    "euc:delivery": P.EUC_DELIVERY,
    "euc:use_lookup": P.EUC_DRAWDOWN,
    "euc:use_record": P.EUC_DRAWDOWN,
    "euc:uses": P.EUC_DRAWDOWN,
    "euc:use_done": P.EUC_DRAWDOWN,
    "licensing:case_list": P.CASE_VIEW,
    "licensing:case_detail": CASE_READ,
    "licensing:download": CASE_READ,
    "licensing:my_applications": P.CASE_APPLY,
    "licensing:new_application": P.CASE_APPLY,
    "licensing:task_list": P.CASE_APPLY,
    "licensing:section_about": P.CASE_APPLY,
    "licensing:section_parties": P.CASE_APPLY,
    "licensing:remove_party": P.CASE_APPLY,
    "licensing:section_goods": P.CASE_APPLY,
    "licensing:remove_goods": P.CASE_APPLY,
    "licensing:section_euc": P.CASE_APPLY,
    "licensing:section_transit": P.CASE_APPLY,
    "licensing:section_documents": P.CASE_APPLY,
    "licensing:remove_document": P.CASE_APPLY,
    "licensing:check_answers": P.CASE_APPLY,
    "licensing:withdraw": P.CASE_APPLY,
    "licensing:respond": P.CASE_APPLY,
    "licensing:request_information": P.CASE_PROCESS,
    "licensing:start_screening": P.CASE_PROCESS,
    "licensing:screening_clear": P.CASE_PROCESS,
    "licensing:review_hit": P.SCREENING_REVIEW,
    "licensing:resolve_flag": P.FLAG_CLEAR,
    "licensing:advice": P.CASE_ADVISE,
    "licensing:propose": P.CASE_DECIDE,
    "licensing:countersign": P.CASE_COUNTERSIGN,
    "licensing:issue": P.CASE_PROCESS,
    "licensing:suspend": P.CASE_COUNTERSIGN,
    "licensing:reinstate": P.CASE_COUNTERSIGN,
    "licensing:revoke": P.CASE_COUNTERSIGN,
    "licensing:share_denial": AnyOf(P.CASE_DECIDE, P.CASE_COUNTERSIGN),
    "licensing:shipment_lookup": P.SHIPMENT_RECORD,
    "licensing:shipment_new": P.SHIPMENT_RECORD,
    "licensing:denial_notices": P.CASE_VIEW,
    # the page lists the rules to every case viewer; adding one needs routing rights as well
    "licensing:routing": {"GET": P.CASE_VIEW, "POST": AllOf(P.CASE_VIEW, P.CASE_COUNTERSIGN)},
    "licensing:routing_delete": ROUTING,
    "licensing:licence_verify": P.LICENCE_VERIFY,
    "reference:index": P.REFERENCE_VIEW,
    "reference:countries": P.REFERENCE_VIEW,
    "reference:categories": P.REFERENCE_VIEW,
    "reference:hs": P.REFERENCE_VIEW,
    "reference:embargoes": P.REFERENCE_VIEW,
    "reference:embargo": P.REFERENCE_VIEW,
    "reporting:index": AnyOf(P.REPORTS_VIEW, P.RECORDS_VIEW),
    "reporting:chart": AnyOf(P.REPORTS_VIEW, P.RECORDS_VIEW),
    "reporting:records": P.RECORDS_VIEW,
    "reporting:record": P.RECORDS_VIEW,
    "reporting:records_export": P.RECORDS_VIEW,
    "reporting:retention": P.RECORDS_VIEW,
    "reporting:customs": P.RECORDS_VIEW,
    "reporting:record_new": P.RECORDS_MANAGE,
    "reporting:record_correct": P.RECORDS_MANAGE,
    "reporting:record_delete": P.RECORDS_MANAGE,
    "reporting:import": P.RECORDS_MANAGE,
    "reporting:customs_import": AnyOf(P.SHIPMENT_RECORD, P.RECORDS_MANAGE),
    "reporting:import_map": AnyOf(P.SHIPMENT_RECORD, P.RECORDS_MANAGE),
    "reporting:report": P.REPORTS_VIEW,
    "reporting:report_download": P.REPORTS_VIEW,
    "reporting:definitions": {"GET": P.REPORTS_VIEW, "POST": P.REPORTS_MANAGE},
    "reporting:submissions": {"GET": P.REPORTS_VIEW, "POST": P.REPORTS_MANAGE},
    "screening:search": P.SCREENING_SEARCH,
    "screening:lists": P.SCREENING_SEARCH,
    "screening:list_version": P.SCREENING_SEARCH,
    "screening:load": P.SCREENING_LOAD,
    "screening:hits": P.SCREENING_REVIEW,
    "screening:hit": P.SCREENING_REVIEW,
    "seals:verify": VERIFY,
    "verify": VERIFY,
    "seals:keys": P.SEALS_MANAGE,
    "seals:rotate": P.SEALS_MANAGE,
    "seals:revoke_signer": P.SEALS_MANAGE,
    "seals:export": TRUST_EXPORT,
    "seals:import": P.TRUST_MANAGE,
    "training:index": P.COURSE_TAKE,
    "training:module": P.COURSE_TAKE,
    "training:start_quiz": P.COURSE_TAKE,
    "training:lesson": P.COURSE_TAKE,
    "training:mark_read": P.COURSE_TAKE,
    "training:attempt": P.COURSE_TAKE,
    "training:simulation": P.COURSE_TAKE,
    "training:start_case": P.COURSE_TAKE,
    "training:run": P.COURSE_TAKE,
    "training:decide": P.COURSE_TAKE,
    "training:score": P.COURSE_TAKE,
    "training:certificate": P.COURSE_TAKE,
    "training:certificate_detail": P.COURSE_TAKE,
    "training:certificate_pdf": P.COURSE_TAKE,
    "training:certificate_revoke": P.COURSE_TEACH,
    "training:cohorts": P.COURSE_TEACH,
    "training:cohort_new": P.COURSE_TEACH,
    "training:cohort": P.COURSE_TEACH,
    "training:cohort_csv": P.COURSE_TEACH,
    "training:unenrol": P.COURSE_TEACH,
    "training:review": P.COURSE_TEACH,
    "treaty:index": P.TREATY_VIEW,
    "treaty:state": P.TREATY_VIEW,
    "healthz": PUBLIC,
    "readyz": PUBLIC,
}

_L = "/api/v1/licensing"
_A = "/api/v1/assessment"
_R = "/api/v1/reporting"
API: dict[str, Entry] = {
    "GET /api/v1/health": PUBLIC,
    "GET /api/v1/accounts/me": LOGIN,
    "GET /api/v1/accounts/tokens": LOGIN,
    "POST /api/v1/accounts/tokens": LOGIN,
    "POST /api/v1/accounts/tokens/{token_id}/revoke": P.TOKENS_MANAGE,  # another user's token in the walk
    "GET /api/v1/audit/events": P.AUDIT_VIEW,
    "GET /api/v1/reference/sets": P.REFERENCE_VIEW,
    "GET /api/v1/reference/countries": P.REFERENCE_VIEW,
    "GET /api/v1/reference/categories": P.REFERENCE_VIEW,
    "GET /api/v1/reference/hs-codes": P.REFERENCE_VIEW,
    "GET /api/v1/reference/crosswalk": P.REFERENCE_VIEW,
    "GET /api/v1/reference/embargoes": P.REFERENCE_VIEW,
    "POST /api/v1/seals/verify": VERIFY,
    "GET /api/v1/seals/trust-list": TRUST_EXPORT,
    "GET /api/v1/seals/trust-lists": P.TRUST_MANAGE,
    "POST /api/v1/seals/trust-lists": P.TRUST_MANAGE,
    "POST /api/v1/euc/verify": P.EUC_VERIFY,
    "POST /api/v1/euc/certificates": P.EUC_DRAFT,
    "POST /api/v1/euc/certificates/{euc_id}/issue": P.EUC_ISSUE,
    "GET /api/v1/euc/certificates/{serial}": P.EUC_VIEW,
    "POST /api/v1/euc/uses": P.EUC_DRAWDOWN,
    "POST /api/v1/screening/search": P.SCREENING_SEARCH,
    "POST /api/v1/screening/batch": P.SCREENING_SEARCH,
    "GET /api/v1/screening/lists": P.SCREENING_SEARCH,
    "GET /api/v1/screening/hits": P.SCREENING_REVIEW,
    "POST /api/v1/screening/hits/{hit_id}/decision": P.SCREENING_REVIEW,
    f"GET {_L}/cases": CASE_READ,
    f"POST {_L}/cases": P.CASE_APPLY,
    f"GET {_L}/cases/{{case_id}}": CASE_READ,
    f"PUT {_L}/cases/{{case_id}}": P.CASE_APPLY,
    f"POST {_L}/cases/{{case_id}}/parties": P.CASE_APPLY,
    f"DELETE {_L}/cases/{{case_id}}/parties/{{party_id}}": P.CASE_APPLY,
    f"POST {_L}/cases/{{case_id}}/goods": P.CASE_APPLY,
    f"DELETE {_L}/cases/{{case_id}}/goods/{{line_id}}": P.CASE_APPLY,
    f"PUT {_L}/cases/{{case_id}}/transit": P.CASE_APPLY,
    f"PUT {_L}/cases/{{case_id}}/euc": P.CASE_APPLY,
    f"POST {_L}/cases/{{case_id}}/documents": P.CASE_APPLY,
    f"GET {_L}/cases/{{case_id}}/documents": CASE_READ,
    f"GET {_L}/cases/{{case_id}}/documents/{{document_id}}": CASE_READ,
    f"GET {_L}/cases/{{case_id}}/licence.pdf": CASE_READ,
    f"GET {_L}/cases/{{case_id}}/refusal.pdf": CASE_READ,
    f"POST {_L}/cases/{{case_id}}/submit": P.CASE_APPLY,
    f"POST {_L}/cases/{{case_id}}/withdraw": P.CASE_APPLY,
    f"POST {_L}/cases/{{case_id}}/provide-information": P.CASE_APPLY,
    f"POST {_L}/cases/{{case_id}}/start-screening": P.CASE_PROCESS,
    f"POST {_L}/cases/{{case_id}}/request-information": P.CASE_PROCESS,
    f"POST {_L}/cases/{{case_id}}/screening-clear": P.CASE_PROCESS,
    f"POST {_L}/cases/{{case_id}}/consult": P.CASE_PROCESS,
    f"POST {_L}/cases/{{case_id}}/issue": P.CASE_PROCESS,
    f"GET {_L}/cases/{{case_id}}/hits": P.CASE_VIEW,
    f"GET {_L}/cases/{{case_id}}/flags": P.CASE_VIEW,
    f"GET {_L}/cases/{{case_id}}/advice": P.CASE_VIEW,
    f"GET {_L}/cases/{{case_id}}/decisions": P.CASE_VIEW,
    f"GET {_L}/cases/{{case_id}}/shipments": P.CASE_VIEW,
    f"POST {_L}/hits/{{hit_id}}/review": P.SCREENING_REVIEW,
    f"POST {_L}/flags/{{flag_id}}/resolve": P.FLAG_CLEAR,
    f"POST {_L}/cases/{{case_id}}/advice": P.CASE_ADVISE,
    f"POST {_L}/cases/{{case_id}}/decision": P.CASE_DECIDE,
    f"POST {_L}/cases/{{case_id}}/countersign": P.CASE_COUNTERSIGN,
    f"POST {_L}/cases/{{case_id}}/suspend": P.CASE_COUNTERSIGN,
    f"POST {_L}/cases/{{case_id}}/reinstate": P.CASE_COUNTERSIGN,
    f"POST {_L}/cases/{{case_id}}/revoke": P.CASE_COUNTERSIGN,
    f"POST {_L}/cases/{{case_id}}/shipments": P.SHIPMENT_RECORD,
    f"GET {_L}/denial-notices": P.CASE_VIEW,
    f"POST {_L}/cases/{{case_id}}/denial-notice": AnyOf(P.CASE_DECIDE, P.CASE_COUNTERSIGN),
    f"GET {_L}/routing-rules": P.CASE_VIEW,
    f"POST {_L}/routing-rules": ROUTING,
    f"DELETE {_L}/routing-rules/{{rule_id}}": ROUTING,
    f"POST {_L}/licence/verify": P.LICENCE_VERIFY,
    f"GET {_A}/question-bank": P.CASE_VIEW,
    f"GET {_A}/cases/{{case_id}}": P.CASE_VIEW,
    f"PUT {_A}/cases/{{case_id}}/answers": P.CASE_ASSESS,
    f"POST {_A}/cases/{{case_id}}/mitigations": P.CASE_ASSESS,
    f"DELETE {_A}/cases/{{case_id}}/mitigations/{{mitigation_id}}": P.CASE_ASSESS,
    f"POST {_A}/cases/{{case_id}}/complete": P.CASE_ASSESS,
    f"POST {_A}/cases/{{case_id}}/reopen": P.CASE_ASSESS,
    f"GET {_R}/records": P.RECORDS_VIEW,
    f"POST {_R}/records": P.RECORDS_MANAGE,
    f"GET {_R}/records/export": P.RECORDS_VIEW,
    f"POST {_R}/records/import": P.RECORDS_MANAGE,
    f"GET {_R}/records/{{record_id}}": P.RECORDS_VIEW,
    f"GET {_R}/records/{{record_id}}/history": P.RECORDS_VIEW,
    f"POST {_R}/records/{{record_id}}/supersede": P.RECORDS_MANAGE,
    f"POST {_R}/records/{{record_id}}/delete": P.RECORDS_MANAGE,
    f"GET {_R}/retention": P.RECORDS_VIEW,
    f"GET {_R}/reports/{{kind}}": P.REPORTS_VIEW,
    f"GET {_R}/reconciliation": P.RECORDS_VIEW,
    "GET /api/v1/training/modules": P.COURSE_TAKE,
    "GET /api/v1/training/progress": P.COURSE_TAKE,
    "GET /api/v1/training/cohorts/{cohort_id}/progress": P.COURSE_TEACH,
    "GET /api/v1/treaty/states": P.TREATY_VIEW,
    "GET /api/v1/treaty/states/{iso2}": P.TREATY_VIEW,
}

MATRIX: dict[str, Entry] = {**PAGES, **API}


def need(key: str, method: str) -> Need:
    entry = MATRIX[key]
    if isinstance(entry, dict):
        return entry.get(method, entry.get("POST" if method != "GET" else "GET", LOGIN))
    return entry


def holds(permissions: frozenset[P], required: Need) -> bool:
    if required in (LOGIN, PUBLIC):
        return True
    if isinstance(required, AnyOf):
        return any(p in permissions for p in required.permissions)
    if isinstance(required, AllOf):
        return all(p in permissions for p in required.permissions)
    return required in permissions

"""Roles and permissions as enums, and the one `require` check every entry point calls."""

from __future__ import annotations

from enum import StrEnum
from typing import Any

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext_lazy as _


class Role(StrEnum):
    APPLICANT = "applicant"
    LICENSING_OFFICER = "licensing_officer"
    ASSESSOR = "assessor"
    AGENCY_ADVISER = "agency_adviser"
    SUPERVISOR = "supervisor"
    CUSTOMS_OFFICER = "customs_officer"
    EUC_ISSUER = "euc_issuer"
    EUC_VERIFIER = "euc_verifier"
    INSTRUCTOR = "instructor"
    TRAINEE = "trainee"
    ADMINISTRATOR = "administrator"

    @property
    def label(self) -> str:
        return str(ROLE_LABELS[self])

    @property
    def is_official(self) -> bool:
        return self not in (Role.APPLICANT, Role.TRAINEE)


ROLE_LABELS = {
    Role.APPLICANT: _("Applicant (exporter or importer)"),
    Role.LICENSING_OFFICER: _("Licensing officer"),
    Role.ASSESSOR: _("Assessor"),
    Role.AGENCY_ADVISER: _("Agency adviser"),
    Role.SUPERVISOR: _("Supervisor (countersigns)"),
    Role.CUSTOMS_OFFICER: _("Customs officer"),
    Role.EUC_ISSUER: _("End-user certificate issuer"),
    Role.EUC_VERIFIER: _("End-user certificate verifier"),
    Role.INSTRUCTOR: _("Instructor"),
    Role.TRAINEE: _("Trainee"),
    Role.ADMINISTRATOR: _("Administrator"),
}


class Permission(StrEnum):
    # Core and accounts
    DASHBOARD_VIEW = "dashboard:view"
    AUDIT_VIEW = "audit:view"
    USERS_MANAGE = "users:manage"
    TOKENS_MANAGE = "tokens:manage"
    REFERENCE_VIEW = "reference:view"
    REFERENCE_MANAGE = "reference:manage"
    # End-user certificates
    EUC_VIEW = "euc:view"
    EUC_DRAFT = "euc:draft"
    EUC_ISSUE = "euc:issue"
    EUC_REVOKE = "euc:revoke"
    EUC_VERIFY = "euc:verify"
    EUC_DRAWDOWN = "euc:drawdown"
    EUC_DELIVERY = "euc:delivery"
    SEALS_MANAGE = "seals:manage"
    TRUST_MANAGE = "trust:manage"
    # Screening
    SCREENING_SEARCH = "screening:search"
    SCREENING_REVIEW = "screening:review"
    SCREENING_LOAD = "screening:load"
    # Licensing and assessment
    CASE_APPLY = "case:apply"
    CASE_VIEW = "case:view"
    CASE_PROCESS = "case:process"
    CASE_ADVISE = "case:advise"
    CASE_ASSESS = "case:assess"
    CASE_DECIDE = "case:decide"
    CASE_COUNTERSIGN = "case:countersign"
    FLAG_CLEAR = "flag:clear"
    LICENCE_VERIFY = "licence:verify"
    SHIPMENT_RECORD = "shipment:record"
    # Records and reports
    RECORDS_VIEW = "records:view"
    RECORDS_MANAGE = "records:manage"
    REPORTS_VIEW = "reports:view"
    REPORTS_MANAGE = "reports:manage"
    TREATY_VIEW = "treaty:view"
    TREATY_MANAGE = "treaty:manage"
    # Training
    COURSE_TAKE = "course:take"
    COURSE_TEACH = "course:teach"


_OFFICIAL_BASE = {
    Permission.DASHBOARD_VIEW,
    Permission.REFERENCE_VIEW,
    Permission.TREATY_VIEW,
    Permission.EUC_VERIFY,
    Permission.LICENCE_VERIFY,
    Permission.COURSE_TAKE,
}

ROLE_PERMISSIONS: dict[Role, frozenset[Permission]] = {
    Role.APPLICANT: frozenset({Permission.DASHBOARD_VIEW, Permission.CASE_APPLY, Permission.REFERENCE_VIEW}),
    Role.LICENSING_OFFICER: frozenset(
        _OFFICIAL_BASE
        | {
            Permission.CASE_VIEW,
            Permission.CASE_PROCESS,
            Permission.CASE_DECIDE,
            Permission.CASE_ASSESS,
            Permission.SCREENING_SEARCH,
            Permission.SCREENING_REVIEW,
            Permission.EUC_VIEW,
            Permission.EUC_DRAFT,
            Permission.EUC_DRAWDOWN,
            Permission.RECORDS_VIEW,
            Permission.REPORTS_VIEW,
        }
    ),
    Role.ASSESSOR: frozenset(
        _OFFICIAL_BASE
        | {Permission.CASE_VIEW, Permission.CASE_ASSESS, Permission.SCREENING_SEARCH, Permission.EUC_VIEW}
    ),
    Role.AGENCY_ADVISER: frozenset(_OFFICIAL_BASE | {Permission.CASE_VIEW, Permission.CASE_ADVISE}),
    Role.SUPERVISOR: frozenset(
        _OFFICIAL_BASE
        | {
            Permission.CASE_VIEW,
            Permission.CASE_COUNTERSIGN,
            Permission.FLAG_CLEAR,
            Permission.SCREENING_SEARCH,
            Permission.SCREENING_REVIEW,
            Permission.EUC_VIEW,
            Permission.EUC_REVOKE,
            Permission.AUDIT_VIEW,
            Permission.RECORDS_VIEW,
            Permission.REPORTS_VIEW,
            Permission.REPORTS_MANAGE,
        }
    ),
    Role.CUSTOMS_OFFICER: frozenset(
        _OFFICIAL_BASE
        | {Permission.SHIPMENT_RECORD, Permission.CASE_VIEW, Permission.RECORDS_VIEW, Permission.EUC_DRAWDOWN}
    ),
    Role.EUC_ISSUER: frozenset(
        _OFFICIAL_BASE
        | {
            Permission.EUC_VIEW,
            Permission.EUC_DRAFT,
            Permission.EUC_ISSUE,
            Permission.EUC_REVOKE,
            Permission.EUC_DELIVERY,
            Permission.SCREENING_SEARCH,
        }
    ),
    Role.EUC_VERIFIER: frozenset(
        _OFFICIAL_BASE | {Permission.EUC_VIEW, Permission.EUC_DRAWDOWN, Permission.SCREENING_SEARCH}
    ),
    Role.INSTRUCTOR: frozenset({Permission.DASHBOARD_VIEW, Permission.COURSE_TAKE, Permission.COURSE_TEACH}),
    Role.TRAINEE: frozenset({Permission.DASHBOARD_VIEW, Permission.COURSE_TAKE}),
    Role.ADMINISTRATOR: frozenset(
        _OFFICIAL_BASE
        | {
            Permission.USERS_MANAGE,
            Permission.TOKENS_MANAGE,
            Permission.REFERENCE_MANAGE,
            Permission.AUDIT_VIEW,
            Permission.SEALS_MANAGE,
            Permission.TRUST_MANAGE,
            Permission.SCREENING_LOAD,
            Permission.SCREENING_SEARCH,
            Permission.RECORDS_MANAGE,
            Permission.RECORDS_VIEW,
            Permission.REPORTS_VIEW,
            Permission.REPORTS_MANAGE,
            Permission.TREATY_MANAGE,
        }
    ),
}


# In a training sandbox (fictional records only), trainees and instructors work the simulation's cases on
# the real screens: verification, screening review, certificates and cases, but never outside the sandbox.
# A lone trainee also resolves the case's flags (a supervisor's task), or an embargo or a screening hit would
# hold the case in screening for good; countersigning stays out (four eyes: see docs/training.md).
SANDBOX_PRACTICE: frozenset[Permission] = frozenset(
    {
        Permission.EUC_VIEW,
        Permission.EUC_VERIFY,
        Permission.LICENCE_VERIFY,
        Permission.SCREENING_SEARCH,
        Permission.SCREENING_REVIEW,
        Permission.CASE_VIEW,
        Permission.CASE_PROCESS,
        Permission.CASE_ASSESS,
        Permission.CASE_DECIDE,
        Permission.FLAG_CLEAR,
        Permission.REFERENCE_VIEW,
    }
)


def permissions_for(roles: frozenset[Role] | set[Role], *, sandbox: bool = False) -> frozenset[Permission]:
    result: set[Permission] = set()
    for role in roles:
        result |= ROLE_PERMISSIONS.get(role, frozenset())
    if sandbox and roles & {Role.TRAINEE, Role.INSTRUCTOR}:
        result |= SANDBOX_PRACTICE
    return frozenset(result)


def has_permission(user: Any, permission: Permission) -> bool:
    if user is None or not getattr(user, "is_authenticated", False) or not getattr(user, "is_active", False):
        return False
    return permission in user.effective_permissions()


def require(user: Any, permission: Permission) -> None:
    """Raise PermissionDenied unless the user (or the API token acting for them) holds the permission."""
    if not has_permission(user, permission):
        raise PermissionDenied(_("You do not have permission to do this."))

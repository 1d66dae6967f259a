"""Demo data: four states, their agencies and one login per role; each app adds its own part."""

from __future__ import annotations

import importlib
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction

from attkit.core import audit
from attkit.core.audit import CoreAuditKind
from attkit.core.models import Authority
from attkit.core.permissions import Role

DEMO_PASSWORD = "attkit-demo-2026"  # noqa: S105  (the demo's published password, never used in production)

AUTHORITIES = [
    # code, name_en, name_es, sandbox
    ("MX", "Mexico — competent national authority", "México — autoridad nacional competente", False),
    ("DE", "Germany — export control authority", "Alemania — autoridad de control de exportaciones", False),
    ("CR", "Costa Rica — competent national authority", "Costa Rica — autoridad nacional competente", False),
    (
        "TT",
        "Trinidad and Tobago — competent national authority",
        "Trinidad y Tobago — autoridad nacional competente",
        False,
    ),
    ("XT", "Training sandbox (fictional state)", "Entorno de práctica (Estado ficticio)", True),
]

AGENCIES = [
    ("foreign_affairs", "Ministry of Foreign Affairs", "Secretaría/Ministerio de Relaciones Exteriores"),
    ("defence", "Ministry of Defence", "Secretaría/Ministerio de Defensa"),
    ("navy", "Navy", "Marina"),
    ("interior", "Ministry of the Interior", "Secretaría/Ministerio del Interior"),
    ("economy", "Ministry of Economy", "Secretaría/Ministerio de Economía"),
    ("attorney_general", "Attorney General's Office", "Fiscalía General"),
    ("police", "Police", "Policía"),
    ("customs", "Customs", "Aduanas"),
    ("licensing", "Licensing unit", "Unidad de autorizaciones"),
]

ROLE_AGENCY = {
    Role.LICENSING_OFFICER: "licensing",
    Role.ASSESSOR: "foreign_affairs",
    Role.AGENCY_ADVISER: "defence",
    Role.SUPERVISOR: "licensing",
    Role.CUSTOMS_OFFICER: "customs",
    Role.EUC_ISSUER: "foreign_affairs",
    Role.EUC_VERIFIER: "foreign_affairs",
    Role.ADMINISTRATOR: "licensing",
    Role.INSTRUCTOR: "foreign_affairs",
}

ORGANISATIONS = {
    "MX": ("Importadora Demo S.A. de C.V. (fictional)", "importer"),
    "DE": ("Demo Wehrtechnik GmbH (fictional)", "exporter"),
    "CR": ("Comercializadora Demo S.A. (fictional)", "importer"),
    "TT": ("Demo Trading Ltd (fictional)", "importer"),
    "XT": ("Sandbox Arms Trading Co. (fictional)", "exporter_importer"),
}

# Apps whose demo.py adds data, in dependency order.
DEMO_APPS = ("reference", "seals", "screening", "euc", "licensing", "assessment", "reporting", "treaty", "training")


@dataclass
class DemoContext:
    authorities: dict[str, Authority] = field(default_factory=dict)
    users: dict[str, Any] = field(default_factory=dict)
    logins: list[tuple[str, str, str]] = field(default_factory=list)  # (username, authority, role)
    notes: list[str] = field(default_factory=list)


def load(*, quick: bool = False) -> DemoContext:
    """Load the demo data; running it again changes nothing that is already there."""
    ctx = DemoContext()
    with transaction.atomic():
        _load_accounts(ctx)
    for app in DEMO_APPS:
        try:
            module = importlib.import_module(f"attkit.{app}.demo")
        except ModuleNotFoundError as exc:
            if exc.name == f"attkit.{app}.demo":
                continue
            raise
        module.load(ctx, quick=quick)
    return ctx


def _load_accounts(ctx: DemoContext) -> None:
    from attkit.accounts.models import Agency, Organisation, User
    from attkit.accounts.services import create_user

    for code, name_en, name_es, sandbox in AUTHORITIES:
        authority, created = Authority.objects.get_or_create(
            code=code,
            defaults={"country": code, "name_en": name_en, "name_es": name_es, "is_sandbox": sandbox},
        )
        if created:
            audit.record(None, CoreAuditKind.AUTHORITY_CREATE, authority, {"demo": True}, actor_label="demo")
        ctx.authorities[code] = authority
        agencies = {}
        for kind, a_en, a_es in AGENCIES:
            agencies[kind], _ = Agency.objects.get_or_create(
                authority=authority, name_en=a_en, defaults={"kind": kind, "name_es": a_es}
            )
        org_name, org_kind = ORGANISATIONS[code]
        org, _ = Organisation.objects.get_or_create(
            authority=authority, name=org_name, defaults={"kind": org_kind, "country": code, "address": "—"}
        )
        for role in Role:
            if role == Role.TRAINEE and not sandbox:
                continue
            if sandbox and role not in (Role.TRAINEE, Role.INSTRUCTOR):
                continue
            username = f"{code.lower()}.{role.value}"
            user = User.objects.filter(username=username).first()
            if user is None:
                user = create_user(
                    username=username,
                    authority=authority,
                    roles=[role],
                    password=DEMO_PASSWORD,
                    agency=agencies.get(ROLE_AGENCY.get(role, "")),
                    organisation=org if role == Role.APPLICANT else None,
                    first_name=role.label.split(" (")[0],
                    last_name=f"({code})",
                    language="en" if code == "DE" else "es",
                )
            ctx.users[username] = user
            ctx.logins.append((username, code, role.label))
        system_name = f"{code.lower()}.system"
        if not User.objects.filter(username=system_name).exists():
            create_user(
                username=system_name,
                authority=authority,
                roles=[Role.EUC_ISSUER, Role.LICENSING_OFFICER],
                is_system=True,
                first_name="System",
                last_name=f"({code})",
            )
    # Trainees of real states practise in the sandbox; one trainee per sandbox is enough for the demo.
    if not User.objects.filter(username="admin").exists():
        admin = User.objects.create_superuser("admin", "", DEMO_PASSWORD)
        ctx.users["admin"] = admin
    ctx.logins.append(("admin", "—", "Platform superuser (Django admin)"))

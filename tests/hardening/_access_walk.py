"""Shared machinery of the access walks: every page and API operation, and records to fill their parameters.

Pages are keyed by URL name ("licensing:countersign"); API operations by method and path
("POST /api/v1/licensing/cases/{case_id}/countersign"), since one API path serves several methods.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from http.cookies import SimpleCookie
from typing import Any

from django.apps import apps
from django.db import transaction
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver

from attkit.core.models import AuditEvent, Authority

# Not routes of attkit's own: the Django admin (staff only, its own permission model), static files, the
# language switch, the JavaScript catalogue, and the API's schema and documentation pages.
SKIP_PREFIXES = ("admin/", "static/", "i18n/", "jsi18n/", "api/", "^")
PAGE_PARAM = re.compile(r"<(?:(?P<conv>[^>:]+):)?(?P<name>[^>]+)>")
API_PARAM = re.compile(r"\{(?P<name>[^}:]+)\}")


@dataclass(frozen=True)
class Route:
    key: str  # "licensing:countersign" or "POST /api/v1/licensing/cases/{case_id}/countersign"
    pattern: str  # "cases/<uuid:pk>/countersign/" or "/api/v1/licensing/cases/{case_id}/countersign"
    methods: tuple[str, ...]  # the methods to try: GET and POST for a page, the operation's own for the API
    app: str  # the app the route belongs to ("licensing"), for the pages' bare <pk>

    @property
    def is_api(self) -> bool:
        return self.pattern.startswith("/api/")

    def params(self) -> list[str]:
        regex = API_PARAM if self.is_api else PAGE_PARAM
        return [m.group("name") for m in regex.finditer(self.pattern)]

    def fill(self, values: dict[str, str]) -> str:
        if self.is_api:
            return API_PARAM.sub(lambda m: values[m.group("name")], self.pattern)
        return "/" + PAGE_PARAM.sub(lambda m: values[m.group("name")], self.pattern)


def _walk(patterns: list[Any], prefix: str = "", namespace: str = "") -> Iterator[tuple[str, str, Any]]:
    for p in patterns:
        route = prefix + str(p.pattern)
        if isinstance(p, URLResolver):
            yield from _walk(p.url_patterns, route, namespace + (f"{p.namespace}:" if p.namespace else ""))
        elif isinstance(p, URLPattern):
            yield route, namespace + (p.name or ""), p.callback


def page_routes() -> list[Route]:
    from attkit.urls import PAGE_APPS

    out = {}
    for pattern, name, _callback in _walk(get_resolver().url_patterns):
        if pattern.startswith(SKIP_PREFIXES):
            continue
        assert name, f"the page route {pattern!r} has no name: name it so the access matrix can list it"
        prefix = pattern.split("/", 1)[0]
        app = next((a for a, mounted in PAGE_APPS.items() if mounted == prefix), name.split(":")[0])
        out[name] = Route(key=name, pattern=pattern, methods=("GET", "POST"), app=app)
    return sorted(out.values(), key=lambda r: r.key)


def api_routes() -> list[Route]:
    from attkit.core.api import api

    out = []
    for prefix, router in api._routers:
        for path, path_view in router.path_operations.items():
            full = "/api/v1" + ("/" + prefix.strip("/") if prefix.strip("/") else "") + "/" + path.lstrip("/")
            full = full.rstrip("/")
            for operation in path_view.operations:
                for method in operation.methods:
                    app = full.split("/")[3]
                    out.append(Route(key=f"{method} {full}", pattern=full, methods=(method,), app=app))
    return sorted(out, key=lambda r: r.key)


def all_routes() -> list[Route]:
    return page_routes() + api_routes()


# Which model a parameter names, by (app, parameter); "pk" is the page's own record.
PARAM_MODELS: dict[tuple[str, str], str] = {
    ("accounts", "user_id"): "accounts.user",
    ("accounts", "token_id"): "accounts.apitoken",
    ("assessment", "case_id"): "licensing.case",
    ("assessment", "mitigation_id"): "assessment.mitigation",
    ("euc", "pk"): "euc.endusercertificate",
    ("euc", "euc_id"): "euc.endusercertificate",
    ("euc", "party_pk"): "euc.eucparty",
    ("euc", "line_pk"): "euc.eucgoodsline",
    ("licensing", "pk"): "licensing.case",
    ("licensing", "case_id"): "licensing.case",
    ("licensing", "party_id"): "licensing.party",
    ("licensing", "line_id"): "licensing.goodsline",
    ("licensing", "document_id"): "licensing.casedocument",
    ("licensing", "hit_id"): "licensing.screeninghit",
    ("licensing", "flag_id"): "licensing.caseflag",
    ("licensing", "rule_id"): "licensing.routingrule",
    ("reporting", "pk"): "reporting.transferrecord",
    ("reporting", "record_id"): "reporting.transferrecord",
    ("screening", "version_id"): "screening.listversion",
    ("screening", "hit_id"): "screening.screeninghit",
    ("seals", "pk"): "seals.signercertificate",
    ("training", "cohort_id"): "training.cohort",
}
# Page routes whose <pk> is another model than the app's main one.
PK_MODELS: dict[str, str] = {
    "euc:use_done": "euc.eucuse",
    "reporting:import_map": "reporting.pendingimport",
    "training:attempt": "training.quizattempt",
    "training:run": "training.simulationrun",
    "training:decide": "training.simulationrun",
    "training:score": "training.simulationrun",
    "training:review": "training.simulationrun",
    "training:certificate_detail": "training.certificate",
    "training:certificate_pdf": "training.certificate",
    "training:certificate_revoke": "training.certificate",
    "training:cohort": "training.cohort",
    "training:cohort_csv": "training.cohort",
    "training:unenrol": "training.enrolment",
}


def model_of(route: Route, param: str) -> str | None:
    if param == "pk" and route.key in PK_MODELS:
        return PK_MODELS[route.key]
    return PARAM_MODELS.get((route.app, param))


def record_id(label: str, authority: Authority) -> str | None:
    """The id of one record of the authority of this kind (the first by creation), or None."""
    model = apps.get_model(label)
    rows = model.objects.filter(authority=authority)
    if any(f.name == "created_at" for f in model._meta.fields):
        rows = rows.order_by("created_at")
    row = rows.values_list("pk", flat=True).first()
    return None if row is None else str(row)


# Values for parameters that are not record ids: a known-good value in any authority.
def plain_values() -> dict[str, str]:
    from attkit.training import content_loader

    values = {"fmt": "csv", "iso2": "MX", "kind": "att", "key": "by-category"}
    course = content_loader.load_course("en")
    values["module_id"] = course.modules[0].id
    values["lesson_id"] = course.modules[0].lessons[0].id
    values["case_id_sim"] = content_loader.load_cases()[0].id
    return values


def fill_values(route: Route, authority: Authority, plain: dict[str, str], overrides: dict[str, str]) -> dict[str, str]:
    """A value for each parameter of the route: a record of the authority where it names one."""
    values = {}
    for param in route.params():
        if f"{route.key}:{param}" in overrides:
            values[param] = overrides[f"{route.key}:{param}"]
            continue
        label = model_of(route, param)
        if label == "accounts.user":
            from attkit.accounts.models import User

            values[param] = str(
                User.objects.filter(authority=authority).order_by("username").values_list("pk", flat=True)[0]
            )
        elif label == "accounts.apitoken":
            from attkit.accounts.models import ApiToken

            token = ApiToken.objects.filter(authority=authority).values_list("pk", flat=True).first()
            values[param] = str(token or "00000000-0000-0000-0000-000000000000")
        elif label == "screening.listversion":
            from attkit.screening.models import ListVersion

            values[param] = str(ListVersion.objects.values_list("pk", flat=True).first())
        elif label:
            values[param] = record_id(label, authority) or "00000000-0000-0000-0000-000000000000"
        elif route.key == "reference:embargo":
            from attkit.reference.models import Embargo

            values[param] = Embargo.objects.order_by("key").values_list("key", flat=True).first() or "none"
        elif route.app == "training" and param == "case_id":
            values[param] = plain["case_id_sim"]
        elif param == "serial":
            from attkit.euc.models import EndUserCertificate

            serial = (
                EndUserCertificate.objects.filter(authority=authority)
                .exclude(serial="")
                .values_list("serial", flat=True)
            )
            values[param] = serial.first() or "NONE"
        elif param in plain:
            values[param] = plain[param]
        else:  # a new route's record: the walk still checks that it refuses the roles lacking its permission
            values[param] = "00000000-0000-0000-0000-000000000000"
    return values


# Refusals are audited on purpose (licensing's use cases record who was refused what): not a state change.
REFUSAL_KINDS = ("access:denied", "case:refused_action")
# A page's POST carries a reason, so that a use case that wants one reaches its permission check.
PAGE_POST = {"reason": "access walk", "comment": "access walk"}


def audit_count() -> int:
    """Audit events that record a change (every state change writes one in the same transaction)."""
    return AuditEvent.objects.exclude(kind__in=REFUSAL_KINDS).count()


def call(client: Client, method: str, url: str, headers: dict[str, str] | None = None) -> tuple[int, int]:
    """Call the route inside a savepoint that is rolled back; return (status, audit events it wrote)."""
    before = audit_count()
    extra = headers or {}
    cookies = client.cookies  # signing in or out replaces the session cookie; the rollback restores the session
    client.cookies = SimpleCookie(cookies.output(header="", sep="\n"))
    with transaction.atomic():
        if method == "GET":
            response = client.get(url, **extra)
        elif method in ("POST", "PUT", "PATCH", "DELETE") and url.startswith("/api/"):
            response = getattr(client, method.lower())(url, data="{}", content_type="application/json", **extra)
        else:
            response = client.post(url, PAGE_POST, **extra)
        written = audit_count() - before
        transaction.set_rollback(True)
    client.cookies = cookies
    return response.status_code, written

"""Schemathesis over /api/v1: the world it runs in (demo data, MX tokens, record ids) and the run itself.

Used by tests/hardening/test_api_schemathesis.py. The API is called in-process through Django's WSGI handler,
inside the test's database transaction (the request signals that would close the connection are detached, as
Django's own test client does).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import schemathesis
from django.apps import apps
from django.core import signals
from django.core.handlers.wsgi import WSGIHandler
from django.db import close_old_connections
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode
from schemathesis.core.failures import FailureGroup
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from attkit.core.models import Authority, AuthorityOwned
from attkit.core.permissions import Role

not_a_server_error = schemathesis.checks.not_a_server_error

HOME = "MX"
# Records of these kinds are shared with every authority on purpose (Art. 7 and 11 information sharing), so
# their strings are no sign of a leak; the treaty app's state facts are public and owned by no authority.
SHARED_ON_PURPOSE = {"licensing.denialnotice"}
# Operations that answer about another state's documents by design: verification from a seal.
CROSS_STATE_BY_DESIGN = {
    "POST /api/v1/seals/verify",
    "POST /api/v1/euc/verify",
    "POST /api/v1/licensing/licence/verify",
    "POST /api/v1/euc/uses",
}
MARKER_FIELDS = ("serial", "reference", "name", "registration_number", "title")
# A path parameter whose stem names no model: the values worth trying.
FIXED_VALUES = {"kind": ["att", "unroca"], "iso2": ["MX", "DE", "CR"]}
PARAM = re.compile(r"{([^}]+)}")


def owned_models() -> list[type[AuthorityOwned]]:
    return [m for m in apps.get_models() if issubclass(m, AuthorityOwned) and not m._meta.abstract]


def distinctive_strings(home: Authority) -> dict[str, str]:
    """Strings of other authorities' records (serials, references, names) that the home authority lacks.

    Maps each string to the record kind and authority it came from, for the failure message.
    """

    def strings(authorities: Any) -> dict[str, str]:
        found: dict[str, str] = {}
        for model in owned_models():
            label = model._meta.label_lower
            names = [f.name for f in model._meta.fields if f.name in MARKER_FIELDS]
            if not names or label in SHARED_ON_PURPOSE:
                continue
            for row in model.objects.filter(authority__in=authorities).values_list("authority__code", *names):
                code, *values = row
                found.update({v: f"{code} {label}" for v in values if isinstance(v, str) and len(v) >= 8})
        return found

    mine = strings(Authority.objects.filter(pk=home.pk))
    theirs = strings(Authority.objects.exclude(pk=home.pk))
    # What a shared notice says (its number, the refused end user's name) is every authority's to read.
    shared: set[str] = set()
    for label in SHARED_ON_PURPOSE:
        model = apps.get_model(label)
        texts = [f.name for f in model._meta.fields if f.get_internal_type() in ("CharField", "TextField")]
        for values in model.objects.values_list(*texts):
            shared.update(v for v in values if isinstance(v, str))
    return {s: where for s, where in theirs.items() if s not in mine and s not in shared}


@dataclass
class World:
    """MX's tokens (one per role) and the ids of records to put in path parameters."""

    home: Authority
    tokens: dict[Role, str]
    markers: dict[str, str]
    own: dict[str, list[Any]] = field(default_factory=dict)  # model label -> MX record pks (a few)
    foreign: dict[str, list[Any]] = field(default_factory=dict)  # model label -> other authorities' pks


def build_world(home_code: str = HOME, per_kind: int = 4) -> World:
    from datetime import timedelta

    from django.utils import timezone

    from attkit.accounts.services import create_token, create_user

    home = Authority.objects.get(code=home_code)
    roles = [r for r in Role if r is not Role.TRAINEE] if not home.is_sandbox else list(Role)
    user = create_user(
        username=f"{home_code.lower()}.schemathesis", authority=home, roles=roles, password="s" * 24, is_system=False
    )
    expiry = timezone.now() + timedelta(days=30)
    tokens = {
        role: create_token(user=user, role=role, name=f"schemathesis {role.value}", by=user, expires_at=expiry)[1]
        for role in roles
    }
    # A spare token for the revoke operation to work on (never the one the run authenticates with).
    create_token(user=user, role=Role.APPLICANT, name="schemathesis spare", by=user, expires_at=expiry)
    world = World(home=home, tokens=tokens, markers=distinctive_strings(home))
    for model in owned_models():
        label = model._meta.label_lower
        mine = list(model.objects.filter(authority=home).order_by("pk").values_list("pk", flat=True)[:per_kind])
        theirs = list(model.objects.exclude(authority=home).order_by("pk").values_list("pk", flat=True)[:per_kind])
        world.own[label], world.foreign[label] = mine, theirs
    from attkit.accounts.models import ApiToken

    world.own["accounts.apitoken"] = list(
        ApiToken.objects.filter(user=user, name="schemathesis spare").values_list("pk", flat=True)
    )
    world.foreign["accounts.apitoken"] = list(
        ApiToken.objects.exclude(authority=home).values_list("pk", flat=True)[:per_kind]
    )
    return world


def _model_for(param: str, path: str, labels: list[str]) -> str | None:
    """The model a path parameter names: "case_id" in /licensing/ is licensing.case, "line_id" licensing.goodsline."""
    stem = param.removesuffix("_id").replace("_", "")
    app = path.split("/")[3]
    for pick in (
        lambda label: label.split(".")[1] == stem,
        lambda label: label.split(".")[1].endswith(stem),
        lambda label: stem in label.split(".")[1],
    ):
        in_app = [label for label in labels if label.startswith(app + ".") and pick(label)]
        anywhere = [label for label in labels if pick(label)]
        if in_app or anywhere:
            return (in_app or anywhere)[0]
    return None


def path_parameter_sets(path: str, ids: dict[str, list[Any]], *, foreign: bool) -> list[dict[str, Any]]:
    """Path parameters filled with real records (MX's own or another authority's), one set per record.

    A nested route (/cases/{case_id}/parties/{party_id}) gets the child record and the parent it points to.
    """
    params = PARAM.findall(path)
    if not params:
        return []
    labels = sorted(ids)
    *parents, last = params
    sets: list[dict[str, Any]] = []
    if last in FIXED_VALUES:  # public values (a report kind, a state's code), nobody's records
        values: list[Any] = [] if foreign else FIXED_VALUES[last]
        label = None
    elif last == "serial":
        label = "euc.endusercertificate"
        model = apps.get_model(label)
        values = list(model.objects.filter(pk__in=ids.get(label, [])).values_list("serial", flat=True))
    else:
        label = _model_for(last, path, labels)
        values = ids.get(label, []) if label else []
    for value in values:
        chosen: dict[str, Any] = {last: str(value)}
        if parents and label:
            record = apps.get_model(label).objects.get(pk=value)
            for parent in parents:
                parent_label = _model_for(parent, path, labels)
                fk = next(
                    (
                        f
                        for f in record._meta.fields
                        if f.is_relation and f.related_model and f.related_model._meta.label_lower == parent_label
                    ),
                    None,
                )
                if fk is None:
                    break
                chosen[parent] = str(getattr(record, fk.attname))
        if len(chosen) == len(params):
            sets.append(chosen)
    return sets


@contextmanager
def in_process_api() -> Iterator[WSGIHandler]:
    """Django's WSGI handler that keeps the test's database connection (and so its transaction)."""
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    try:
        yield WSGIHandler()
    finally:
        signals.request_started.connect(close_old_connections)
        signals.request_finished.connect(close_old_connections)


def load_schema(app: WSGIHandler) -> Any:
    return schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)


def schema_operations(raw: dict[str, Any]) -> set[str]:
    """Every operation the OpenAPI document declares, as "METHOD /path"."""
    methods = {"get", "put", "post", "delete", "patch", "head", "options", "trace"}
    return {f"{m.upper()} {p}" for p, item in raw["paths"].items() for m in item if m in methods}


@dataclass
class Run:
    """What a run reached and what it found."""

    called: dict[str, set[int]] = field(default_factory=dict)  # operation -> statuses seen
    failures: dict[tuple[str, str], str] = field(default_factory=dict)  # (operation, what) -> first report

    def fail(self, label: str, what: str, report: str) -> None:
        self.failures.setdefault((label, what), report)


def _leak_check(world: World, *, foreign_ids: bool) -> Any:
    def no_other_authority_data(ctx: Any, response: Any, case: Any) -> None:
        label = case.operation.label
        if label in CROSS_STATE_BY_DESIGN:
            return
        body = response.content.decode("utf-8", "replace")
        seen = [f"{m!r} ({where})" for m, where in world.markers.items() if m in body]
        if seen:
            raise AssertionError(f"the response shows another authority's data: {', '.join(seen[:5])}")
        if foreign_ids and 200 <= response.status_code < 300:
            raise AssertionError(f"another authority's record in the path answered {response.status_code}, not 404")

    return no_other_authority_data


CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]


def exercise(
    operation: Any,
    app: WSGIHandler,
    world: World,
    role: Role,
    run: Run,
    examples: int,
    *,
    negative: bool = True,
) -> None:
    """Call one operation with generated requests (valid, and invalid if `negative`) and with real records in
    its path (MX's own, and another authority's, which must not be found)."""
    path = operation.path
    headers = {"Authorization": f"Bearer {world.tokens[role]}"}
    variants: list[tuple[str, Any, bool]] = [
        ("positive", operation.as_strategy(generation_mode=GenerationMode.POSITIVE), False),
    ]
    if negative:
        variants.append(("negative", operation.as_strategy(generation_mode=GenerationMode.NEGATIVE), False))
    for kind, ids, foreign in (("own records", world.own, False), ("other authority's records", world.foreign, True)):
        sets = path_parameter_sets(path, ids, foreign=foreign)
        if sets:
            strategy = st.one_of(
                [operation.as_strategy(generation_mode=GenerationMode.POSITIVE, path_parameters=p) for p in sets]
            )
            variants.append((kind, strategy, foreign))
    for kind, strategy, foreign in variants:
        _run_variant(operation, app, strategy, headers, run, examples, f"{kind}, {role.value}", foreign, world)


def _run_variant(
    operation: Any,
    app: WSGIHandler,
    strategy: Any,
    headers: dict[str, str],
    run: Run,
    examples: int,
    where: str,
    foreign: bool,
    world: World,
) -> None:
    label = operation.label
    leak = _leak_check(world, foreign_ids=foreign)

    @settings(
        max_examples=examples,
        derandomize=True,
        database=None,
        deadline=None,
        phases=[Phase.explicit, Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    @given(case=strategy)
    def call(case: Any) -> None:
        try:
            response = case.call(app=app, headers=headers)
        except Exception as exc:  # the transport raising is a finding too (an exception escaped Django)
            run.fail(label, f"{type(exc).__name__} ({where})", f"{exc!r}\n{case.as_curl_command()}")
            return
        run.called.setdefault(label, set()).add(response.status_code)
        try:
            case.validate_response(response, checks=[*CHECKS, leak])
        except FailureGroup as exc:
            failures = getattr(exc, "exceptions", [exc])
            what = ", ".join(sorted({type(f).__name__ for f in failures}))
            run.fail(label, f"{what} ({where})", str(exc)[:3000])

    try:
        call()
    except Unsatisfiable:
        # Nothing to generate: an operation without parameters has no invalid request (its valid one runs).
        if not where.startswith("negative"):
            raise

"""Schemathesis over /api/v1/openapi.json as MX's officials (issue 8, item 4).

Every operation of the schema is called with each of MX's role-scoped API tokens, with generated requests (valid
and invalid) and with real records in its path (MX's own, and another authority's), against demo data of several
authorities. Each response must not be a server error, must have a documented status, content type and body, and
must show nothing of another authority (its serials, case references, names). An operation the run did not reach
fails the test, so a silently skipped operation cannot hide.
"""

from __future__ import annotations

import importlib
import json
from collections import defaultdict
from typing import Any

import pytest
from ninja import Schema

from attkit.core import demo
from attkit.core.permissions import Role
from tests.hardening import _schema_world as world_

pytestmark = pytest.mark.django_db


def _report(run: world_.Run, expected: set[str]) -> list[str]:
    problems = [f"{label}: {what}\n{report}" for (label, what), report in sorted(run.failures.items())]
    missed = sorted(expected - set(run.called))
    if missed:
        problems.append(f"operations never called ({len(missed)} of {len(expected)}): {', '.join(missed)}")
    return problems


def _fuzz(*, quick: bool, roles: list[Role], examples: int, negative_roles: int) -> None:
    demo.load(quick=quick)
    world = world_.build_world()
    assert len(world.markers) > 20, "the demo data should give other authorities distinctive strings to look for"
    assert world.foreign["reporting.transferrecord"], "the demo data should give other authorities records"
    with world_.in_process_api() as app:
        schema = world_.load_schema(app)
        expected = world_.schema_operations(schema.raw_schema)
        operations = []
        for result in schema.get_all_operations():
            operations.append(result.ok())  # an operation schemathesis cannot read raises here
        assert {op.label for op in operations} == expected
        assert len(expected) > 80, "the API has more operations than that: is a router missing?"
        run = world_.Run()
        for index, operation in enumerate(operations):
            for n, role in enumerate(roles):
                # Invalid requests are refused before the role matters; a few roles are enough for them.
                negative = (n - index) % len(roles) < negative_roles
                world_.exercise(operation, app, world, role, run, examples, negative=negative)
    problems = _report(run, expected)
    assert not problems, f"{len(problems)} problems:\n\n" + "\n\n".join(problems[:40])


def test_every_operation_conforms_and_keeps_to_its_authority():
    _fuzz(quick=True, roles=[r for r in Role if r is not Role.TRAINEE], examples=1, negative_roles=1)


@pytest.mark.slow
def test_every_operation_conforms_and_keeps_to_its_authority_long():
    # The full demo (DE's cases too, so another authority's case records sit in the paths), more examples.
    _fuzz(quick=False, roles=[r for r in Role if r is not Role.TRAINEE], examples=6, negative_roles=3)


def test_schema_component_names_are_unique():
    """Two schema classes of one name share one OpenAPI component: the later silently replaces the other, so an
    operation documents (and schemathesis generates) the other app's body. The screening and licensing HitOut and
    PartyIn, and the seal and EUC VerifyOut, did so."""
    from attkit.core.api import API_APPS

    shapes: dict[str, dict[str, list[str]]] = defaultdict(dict)
    for app in (*API_APPS, "core"):
        module = importlib.import_module(f"attkit.{app}.api")
        for obj in vars(module).values():
            if isinstance(obj, type) and issubclass(obj, Schema) and obj.__module__ == module.__name__:
                shape = json.dumps(obj.model_json_schema(), sort_keys=True)
                shapes[obj.__name__].setdefault(shape, []).append(module.__name__)
    clashes = {name: sorted(m for ms in by_shape.values() for m in ms) for name, by_shape in shapes.items()}
    clashes = {name: modules for name, modules in clashes.items() if len(shapes[name]) > 1}
    assert not clashes, f"schema classes of one name and different shapes: {clashes}"


def test_schema_documents_the_shared_error_statuses(client: Any):
    """The token check, the lookup through the caller's authority and ninja's validation answer 401, 404 and 422
    for every operation that has them, so the schema says so."""
    schema = client.get("/api/v1/openapi.json").json()
    case = schema["paths"]["/api/v1/licensing/cases/{case_id}/parties"]["post"]["responses"]
    assert {"201", "400", "401", "403", "404", "413", "422"} <= set(case)
    assert set(schema["paths"]["/api/v1/health"]["get"]["responses"]) == {"200"}
    response = client.get("/api/v1/licensing/cases/00000000-0000-0000-0000-000000000000")
    assert response.status_code == 401
    assert "401" in schema["paths"]["/api/v1/licensing/cases/{case_id}"]["get"]["responses"]

"""Role walk within one authority: every page and API operation, for every role, against the declared matrix.

The matrix (tests/hardening/_access_matrix.py) names the permission each route needs. A user lacking it must
get 403 or 404 (405 for a method the route does not serve; an API operation may refuse an empty body with
422 before its handler runs) and must never change anything: no audit event other than a recorded refusal
(every state change writes one in its transaction). A user holding it must not be refused (403) a page.
"""

from __future__ import annotations

import pytest
from django.test import Client

from attkit.core.permissions import Role
from tests.hardening import _access_matrix as matrix
from tests.hardening import _access_walk as walk

REFUSED = (403, 404, 405)
REFUSED_API = (*REFUSED, 400, 422)


def test_every_route_is_declared_in_the_matrix():
    keys = {route.key for route in walk.all_routes()}
    missing = sorted(keys - set(matrix.MATRIX))
    stale = sorted(set(matrix.MATRIX) - keys)
    assert not missing, f"routes with no entry in tests/hardening/_access_matrix.py: {missing}"
    assert not stale, f"entries of tests/hardening/_access_matrix.py for routes that no longer exist: {stale}"
    # the walk covers both kinds of route
    assert any(r.is_api for r in walk.all_routes()) and any(not r.is_api for r in walk.all_routes())


def test_matrix_is_not_trivial():
    """Most routes need a real permission: a matrix that says LOGIN everywhere would prove nothing."""
    open_routes = [k for k, v in matrix.MATRIX.items() if v in (matrix.LOGIN, matrix.PUBLIC)]
    assert len(open_routes) < 15, open_routes


def walk_roles(users: dict[Role, object], authority: object, *, check_holders: bool = True) -> list[str]:
    """Walk every route as each user; return the violations of the matrix."""
    from attkit.accounts.models import User

    plain = walk.plain_values()
    failures: list[str] = []
    clients = {}
    for role, user in users.items():
        client = Client(raise_request_exception=False)
        client.force_login(user)
        clients[role] = client
    for route in walk.all_routes():
        url = route.fill(walk.fill_values(route, authority, plain, {}))
        for role, client in clients.items():
            user = users[role]
            assert isinstance(user, User)
            permissions = user.effective_permissions()
            for method in route.methods:
                status, written = walk.call(client, method, url)
                required = matrix.need(route.key, method)
                where = f"{role.value} {method} {url} ({route.key}, needs {required})"
                if status >= 500:
                    failures.append(f"{where}: {status}")
                elif matrix.holds(permissions, required):
                    if check_holders and method == "GET" and status == 403:
                        failures.append(f"{where}: the role holds the permission but got 403")
                else:
                    allowed = REFUSED_API if route.is_api else REFUSED
                    if status not in allowed:
                        failures.append(f"{where}: answered {status} to a role without the permission")
                    if written:
                        failures.append(f"{where}: a role without the permission changed state ({written} events)")
    return failures


@pytest.mark.slow
@pytest.mark.django_db
def test_role_walk_within_one_authority(settings):
    """Every route, GET and POST, as a Mexican user of each single role, against Mexico's own records."""
    from attkit.accounts.models import User
    from attkit.accounts.services import create_user
    from attkit.core import demo
    from attkit.core.models import Authority

    settings.REQUIRE_2FA = False
    demo.load(quick=True)
    mx = Authority.objects.get(code="MX")
    users = {}
    for role in Role:
        user = User.objects.filter(username=f"mx.{role.value}").first()
        # the demo has trainees in the sandbox only; a real state's trainee is the case to check here
        users[role] = user or create_user(username=f"mx.walk.{role.value}", authority=mx, roles=[role], password=None)
    admin = users[Role.ADMINISTRATOR]
    from attkit.accounts.services import create_token

    create_token(user=admin, role=Role.ADMINISTRATOR, name="walk", by=admin)  # a token to try to revoke
    failures = walk_roles(users, mx)
    assert not failures, f"{len(failures)} violations:\n" + "\n".join(failures[:80])

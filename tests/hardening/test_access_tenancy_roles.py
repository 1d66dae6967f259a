"""The cross-authority walk of tests/core/test_tenancy_walk.py, once for each single role.

The foundation's walk signs in as a German user holding every role. A view that reaches another state's
record only on the path taken when the user lacks some permission (a fallback queryset, an applicant's
branch, a trainee's sandbox branch) would pass that walk and leak here.
"""

from __future__ import annotations

import pytest
from django.test import Client

from attkit.core.permissions import Role
from tests.core.test_tenancy_walk import walk_as

pytestmark = [pytest.mark.django_db, pytest.mark.slow]


def test_walk_every_route_as_another_state_for_each_single_role(settings):
    from attkit.accounts.models import Organisation
    from attkit.accounts.services import create_user
    from attkit.core import demo
    from attkit.core.models import Authority

    settings.REQUIRE_2FA = False
    demo.load(quick=True)
    mx = Authority.objects.get(code="MX")
    de = Authority.objects.get(code="DE")
    organisation = Organisation.objects.filter(authority=de).first()
    leaks: list[str] = []
    for role in Role:
        walker = create_user(
            username=f"de.walker.{role.value}",
            authority=de,
            roles=[role],
            password=None,
            organisation=organisation if role == Role.APPLICANT else None,
        )
        client = Client(raise_request_exception=False)
        client.force_login(walker)
        leaks += [f"{role.value}: {leak}" for leak in walk_as(client, mx, de)]
    assert not leaks, "\n".join(leaks[:80])

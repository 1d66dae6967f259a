"""What the load benchmark (bench/load.py) found, kept as tests (issue 8): the endpoints it drives cost a
fixed number of queries, whatever the size of the register, and still show the right figures.

- EUC verification over the API (token auth): one query for the token, its user, authority and role
  grant; one for the trust stamp; one for the certificate with its goods lines and quantities used (and
  one more for the uses of a certificate that has any).
- The case list: open blocking flags are counted for the cases on the page only.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from attkit.accounts import services as accounts
from attkit.core.permissions import Role
from attkit.licensing.models import Case, CaseFlag, FlagStatus
from tests.licensing import world as w

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _keys(settings: Any) -> None:
    settings.KEY_ENCRYPTION_KEY = "test-key-encryption-key-for-load-query-tests-0123456789"


@pytest.fixture
def world(make_user: Callable[..., Any], make_authority: Callable[..., Any]) -> w.World:
    return w.build(make_user, make_authority)


def _verify(client: Any, token: str, seal: str) -> tuple[dict[str, Any], int]:
    with CaptureQueriesContext(connection) as queries:
        answer = client.post(
            "/api/v1/euc/verify",
            data={"text": seal},
            content_type="application/json",
            HTTP_AUTHORIZATION=f"Bearer {token}",
        )
    assert answer.status_code == 200, answer.content[:500]
    return answer.json(), len(queries)


def test_euc_verification_by_token_costs_three_queries_and_reports_the_register(world, make_user, client):
    verifier = make_user("DE", Role.EUC_VERIFIER)
    _, token = accounts.create_token(user=verifier, role=Role.EUC_VERIFIER, name="load", by=verifier)
    euc = world.euc
    _verify(client, token, euc.seal_text)  # the first call fills the trust cache and stamps the token's use

    out, queries = _verify(client, token, euc.seal_text)
    assert out["valid"] is True
    assert out["registry"]["uses"] == 0
    assert out["registry"]["quantities"][0]["left"] == out["registry"]["quantities"][0]["ordered"]
    # the token with its user, authority and role grant; the trust stamp; the certificate with its goods lines
    assert queries == 3

    from attkit.euc import services as euc_services

    line = euc.goods.order_by("line_no").first()
    euc_services.record_use(
        euc,
        exporting_state="DE",
        exporter="X",
        licence_reference="DE-1",
        quantities={line.line_no: 1},
        by=verifier,
    )
    out, queries = _verify(client, token, euc.seal_text)
    assert out["registry"]["uses"] == 1
    assert out["registry"]["exporting_states"] == ["DE"]
    first = out["registry"]["quantities"][0]
    assert (first["used"], first["left"]) == (1, first["ordered"] - 1)
    assert queries == 4  # and the uses, now that there is one


def test_case_list_counts_blocking_flags_of_its_page_in_a_fixed_number_of_queries(world, client):
    officer = world["de.officer"]
    case = w.submitted(world)
    blocking = CaseFlag.objects.filter(case=case, severity="blocking", status=FlagStatus.OPEN).count()
    assert blocking >= 1
    client.force_login(officer)

    def listing() -> tuple[str, int]:
        with CaptureQueriesContext(connection) as queries:
            answer = client.get("/cases/?sort=created")
        assert answer.status_code == 200
        return answer.content.decode(), len(queries)

    html, few = listing()
    assert f'licensing-flag--blocking">{blocking}</span>' in html

    Case.objects.bulk_create(
        Case(
            authority=case.authority,
            reference=f"DE-LOAD-{i:04d}",
            kind=case.kind,
            applicant=case.applicant,
            created_by=case.created_by,
            destination_country="MX",
        )
        for i in range(40)
    )
    html, many = listing()
    assert "41 cases" in html and "DE-LOAD-0000" in html
    assert f'licensing-flag--blocking">{blocking}</span>' in html  # the flagged case is the oldest: first
    assert many == few

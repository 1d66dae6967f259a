"""On PostgreSQL, concurrent drawdowns and issues on real connections: never more than the certificate, no
serial twice. (SQLite serialises every writer, so these run on PostgreSQL only.)"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.db import connection, connections

from attkit.euc import services
from attkit.euc.models import EucStatus, remaining_quantities

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def _postgres_only() -> None:
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL (set ATTKIT_TEST_DATABASE_URL)")


def in_threads(jobs: list[Callable[[], Any]]) -> list[Any]:
    """Run the jobs at the same moment, each on its own database connection; their results or exceptions."""
    barrier = threading.Barrier(len(jobs))
    results: list[Any] = [None] * len(jobs)

    def run(index: int, job: Callable[[], Any]) -> None:
        try:
            barrier.wait(timeout=30)
            results[index] = job()
        except Exception as exc:
            results[index] = exc
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(i, job)) for i, job in enumerate(jobs)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return results


def test_two_concurrent_drawdowns_never_exceed_the_certificate(issued, de_verifier, fr_verifier):
    def draw(by: Any, reference: str) -> Callable[[], Any]:
        return lambda: services.record_use(
            issued,
            exporting_state=by.authority.code,
            exporter="Exporter " + reference,
            licence_reference=reference,
            quantities={1: 150},
            by=by,
        )

    results = in_threads([draw(de_verifier, "DE-A"), draw(fr_verifier, "FR-B")])
    errors = [r for r in results if isinstance(r, Exception)]
    assert len([r for r in results if not isinstance(r, Exception)]) == 1
    assert len(errors) == 1 and isinstance(errors[0], ValidationError)
    assert remaining_quantities(issued)[1] == 100
    issued.refresh_from_db()
    assert issued.status == EucStatus.PARTIALLY_USED


def test_many_concurrent_drawdowns_add_up_exactly(issued, de_verifier):
    def draw(n: int) -> Callable[[], Any]:
        return lambda: services.record_use(
            issued,
            exporting_state="DE",
            exporter="Demo GmbH",
            licence_reference=f"DE-{n}",
            quantities={4: 4},
            by=de_verifier,
        )

    results = in_threads([draw(n) for n in range(8)])  # 8 x 4 = 32 sets asked, 25 on the certificate
    succeeded = [r for r in results if not isinstance(r, Exception)]
    assert len(succeeded) == 6
    assert all(isinstance(r, ValidationError) for r in results if isinstance(r, Exception))
    assert remaining_quantities(issued)[4] == 1


def test_concurrent_issues_never_share_a_serial(drafter, issuer, request_data):
    drafts = [services.draft_from_request(by=drafter, request=request_data) for _ in range(6)]
    results = in_threads([lambda d=d: services.issue(d.pk, by=issuer) for d in drafts])
    serials = [r.serial for r in results if not isinstance(r, Exception)]
    assert len(serials) == 6, results
    numbers = sorted(int(s.split("-")[3]) for s in serials)
    assert numbers == list(range(1, 7))

"""The demo data: cases in every state of the workflow, loaded twice without change."""

from __future__ import annotations

import pytest

from attkit.core import demo
from attkit.licensing.demo import STATES_IN_ORDER
from attkit.licensing.models import Case
from attkit.licensing.workflow import State

pytestmark = pytest.mark.django_db


def test_the_demo_has_every_state_for_mx_and_de_and_is_idempotent():
    demo.load(quick=False)
    assert {s.value for s in STATES_IN_ORDER} == {s.value for s in State}
    for code in ("MX", "DE"):
        states = set(Case.objects.filter(authority__code=code).values_list("state", flat=True))
        assert states == {s.value for s in State}, code
    assert Case.objects.filter(authority__code="MX", kind="import").count() == len(State)
    assert Case.objects.filter(authority__code="DE", kind="export").count() == len(State)
    refused = Case.objects.get(authority__code="DE", state="refused")
    assert refused.flags.filter(code="un_embargo").exists() and hasattr(refused, "denial_notice")
    assert Case.objects.filter(shipments__isnull=False).distinct().count() >= 4
    assert Case.objects.filter(decisions__status="disagreed").exists()
    count = Case.objects.count()
    demo.load(quick=False)
    assert Case.objects.count() == count

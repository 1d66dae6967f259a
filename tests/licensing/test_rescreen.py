"""A changed sanctions list re-screens open cases: a new hit is mirrored on the case and holds it with a flag."""

from __future__ import annotations

import pytest

from attkit.core import demo
from attkit.core.models import AuditEvent
from attkit.licensing.models import Case, CaseFlag, CaseState, FlagStatus
from attkit.screening import services as screening

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_list_change_holds_an_open_case_with_a_new_hit(tmp_path):
    demo.load(quick=True)
    case = Case.objects.filter(state=CaseState.UNDER_ASSESSMENT).exclude(parties=None).first()
    assert case is not None, "the demo has a case under assessment"
    party = case.parties.first()
    national = tmp_path / "national.csv"
    national.write_text("ref,name,schema\nN-1,Someone Unrelated Entirely,person\n", encoding="utf-8")
    screening.load_list("csv", national, authority=case.authority)
    assert not case.hits.filter(entry_ref="N-2").exists()
    national.write_text(
        f"ref,name,schema\nN-1,Someone Unrelated Entirely,person\nN-2,{party.name},\n", encoding="utf-8"
    )
    screening.load_list("csv", national, authority=case.authority)
    case.refresh_from_db()
    assert case.state == CaseState.UNDER_ASSESSMENT
    assert case.hits.filter(entry_ref="N-2", status="pending").exists()
    flag = CaseFlag.objects.get(case=case, code="screening_hits_pending", status=FlagStatus.OPEN)
    assert flag.severity == "blocking"
    assert AuditEvent.objects.filter(kind="case:rescreen", target_id=str(case.pk)).exists()
    closed = Case.objects.filter(state=CaseState.REFUSED).first()
    if closed is not None:
        assert not AuditEvent.objects.filter(kind="case:rescreen", target_id=str(closed.pk)).exists()

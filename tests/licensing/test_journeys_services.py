"""The two journeys of issue 5 through the services: an export from application to exhausted licence, and a
refusal under Art. 6(1) for an embargoed destination."""

from __future__ import annotations

import datetime as dt

import pytest

from attkit.assessment import services as assessment
from attkit.licensing import services, verifying
from attkit.licensing.models import CaseState, DocumentKind
from tests.licensing import world as w

pytestmark = pytest.mark.django_db


def test_export_journey(world):
    case = services.create_application(by=world["de.applicant"], data=w.export_application(world))
    case = services.submit(case.pk, by=world["de.applicant"])
    assert case.state == CaseState.SCREENING
    assert case.euc_verdict == "valid"
    hit = case.hits.get()
    assert hit.listed_name.upper().startswith("FRANK")
    services.review_hit(
        hit.pk, by=world["de.supervisor"], decision="false_positive", reason="A French company, not the listed person."
    )
    assert not case.flags.filter(status="open", severity="blocking").exists()
    case = services.screening_clear(case.pk, by=world["de.officer"])
    assert case.state == CaseState.UNDER_ASSESSMENT
    assert sorted(a.agency.kind for a in case.advice.all()) == ["defence", "foreign_affairs"]
    services.give_advice(case.pk, by=world["de.defence"], outcome="approve", reasons="Standard police equipment.")
    services.give_advice(
        case.pk,
        by=world["de.foreign"],
        outcome="approve_with_conditions",
        reasons="No concern.",
        conditions="DVC within 60 days.",
    )
    bank = assessment.bank()
    assessment.save_answers(case.pk, by=world["de.assessor"], answers=w.answer_everything(bank), summary="Low risk.")
    assessment.complete(case.pk, by=world["de.assessor"])
    services.propose_decision(
        case.pk,
        by=world["de.officer"],
        outcome="approve",
        reasons="Advice and assessment agree.",
        conditions="DVC within 60 days.",
    )
    case = services.countersign(case.pk, by=world["de.supervisor"], agree=True, reason="Agreed.")
    assert case.state == CaseState.APPROVED
    case = services.issue_licence(case.pk, by=world["de.officer"])
    assert case.state == CaseState.LICENCE_ISSUED
    pdf = case.documents.get(kind=DocumentKind.LICENCE)
    result = verifying.verify_bytes(pdf.file.read(), user=world["de.customs"])
    assert verifying.is_valid_licence(result), result.reasons
    assert [row["remaining"] for row in result.registry["lines"]] == [100, 50]
    today = dt.date.today()
    services.record_shipment(
        case.pk,
        by=world["de.customs"],
        declaration_number="DE-ATL-1",
        shipment_date=today,
        lines=[{"line": 1, "quantity": 60}, {"line": 2, "quantity": 50}],
    )
    case.refresh_from_db()
    assert case.state == CaseState.IN_USE
    services.record_shipment(
        case.pk,
        by=world["de.customs"],
        declaration_number="DE-ATL-2",
        shipment_date=today,
        lines=[{"line": 1, "quantity": 40}],
    )
    case.refresh_from_db()
    assert case.state == CaseState.EXHAUSTED
    world.euc.refresh_from_db()
    assert world.euc.uses.count() == 2
    after = verifying.verify_bytes(pdf.file.open("rb").read(), user=world["de.customs"])
    assert after.verdict.value == "already_used"


def test_refusal_journey_under_article_6_1(bare_world):
    world = bare_world
    case = services.create_application(by=world["de.applicant"], data=w.embargoed_application())
    case = services.submit(case.pk, by=world["de.applicant"])
    codes = set(case.flags.values_list("code", flat=True))
    assert "un_embargo" in codes
    for flag in case.flags.filter(severity="blocking", status="open"):
        services.resolve_flag(flag.pk, by=world["de.supervisor"], resolution="confirmed", reason="Confirmed.")
    services.screening_clear(case.pk, by=world["de.officer"])
    bank = assessment.bank()
    assessment.save_answers(
        case.pk, by=world["de.assessor"], answers=w.answer_everything(bank, gates_yes=("art6.1.destination",))
    )
    assessment.complete(case.pk, by=world["de.assessor"])
    services.propose_decision(
        case.pk,
        by=world["de.officer"],
        outcome="refuse",
        criteria=["ATT-6.1"],
        reasons="UN arms embargo on South Sudan.",
    )
    case = services.countersign(case.pk, by=world["de.supervisor"], agree=True)
    assert case.state == CaseState.REFUSED
    letter = case.documents.get(kind=DocumentKind.REFUSAL)
    result = verifying.verify_bytes(letter.file.read(), user=world["de.officer"])
    assert result.valid and verifying.document_kind(result) == "refusal"
    assert not verifying.as_dict(result)["valid"]
    services.share_denial_notice(case.pk, by=world["de.officer"])
    later = services.create_application(by=world["de.other_applicant"], data=w.embargoed_application())
    later = services.submit(later.pk, by=world["de.other_applicant"])
    assert later.flags.filter(code="denial_same_end_user").exists()

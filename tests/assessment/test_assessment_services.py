"""The assessment services: answers checked against the bank, facts that force a gate, mitigation, completion,
the findings the decision must respect, and the assessment page in the user's language."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from attkit.assessment import rules, services
from attkit.assessment.models import Assessment
from attkit.licensing import services as licensing
from attkit.licensing.services import Refused
from tests.licensing import world as w

pytestmark = pytest.mark.django_db


@pytest.fixture
def case(world):
    return w.under_assessment(world)


def test_answers_are_checked_against_the_bank(world, case):
    with pytest.raises(ValidationError) as info:
        services.save_answers(
            case.pk,
            by=world["de.assessor"],
            answers={
                "art6.1.destination": {"value": "maybe"},
                "art7.1a.peace_security": {"value": "extreme"},
                "art11.transit_route": {"value": "low", "sources": ["wikipedia"]},
                "no.such.question": {"value": "low"},
            },
        )
    errors = info.value.message_dict
    assert errors["art6.1.destination.value"] == ["Answer yes or no"]
    assert errors["art7.1a.peace_security.value"] == ["Select a rating"]
    assert "art11.transit_route.sources" in errors and "no.such.question" in errors
    assert not Assessment.objects.filter(case=case).exists()  # nothing half-written


def test_only_assessors_and_officers_assess_and_never_their_own_application(world, case):
    with pytest.raises(PermissionDenied):
        services.save_answers(case.pk, by=world["de.customs"], answers={})
    with pytest.raises(PermissionDenied):
        services.save_answers(case.pk, by=world["de.applicant"], answers={})
    services.save_answers(
        case.pk, by=world["de.officer"], answers={"art6.2.international_obligations": {"value": "no"}}
    )


def test_completion_needs_every_answer_and_evidence_for_every_risk(world, case):
    bank = services.bank()
    answers = w.answer_everything(bank)
    answers["art11.stockpile_security"]["evidence"] = ""
    del answers["art7.4.gender_based_violence"]
    services.save_answers(case.pk, by=world["de.assessor"], answers=answers)
    with pytest.raises(ValidationError) as info:
        services.complete(case.pk, by=world["de.assessor"])
    assert set(info.value.message_dict) == {"art11.stockpile_security", "art7.4.gender_based_violence"}
    assert services.findings_for_case(case) is None
    services.save_answers(case.pk, by=world["de.assessor"], answers=w.answer_everything(bank))
    done = services.complete(case.pk, by=world["de.assessor"])
    assert done.completed
    with pytest.raises(Refused, match="reopen"):
        services.save_answers(case.pk, by=world["de.assessor"], answers={})
    with pytest.raises(ValidationError):
        services.reopen(case.pk, by=world["de.assessor"], reason="")
    assert not services.reopen(case.pk, by=world["de.assessor"], reason="New information.").completed


def test_a_confirmed_embargo_forces_the_article_6_1_gate(bare_world):
    world = bare_world
    case = w.submitted(world, w.embargoed_application())
    for flag in case.flags.filter(severity="blocking"):
        licensing.resolve_flag(flag.pk, by=world["de.supervisor"], resolution="confirmed", reason="Confirmed.")
    licensing.screening_clear(case.pk, by=world["de.officer"])
    assert "art6.1.destination" in services.forced_gates(case)
    with pytest.raises(ValidationError) as info:
        services.save_answers(case.pk, by=world["de.assessor"], answers={"art6.1.destination": {"value": "no"}})
    assert "confirmed the UN arms embargo" in info.value.message_dict["art6.1.destination.value"][0]
    found = services.findings(services.start(case.pk, by=world["de.assessor"]))
    assert rules.Criterion.UNSC_MEASURES in found.article6_gates
    assert rules.required_outcome(found) is rules.Outcome.REFUSE


def test_mitigation_lowers_by_its_effect_and_never_an_article_6_gate(world, case):
    bank = services.bank()
    answers = w.answer_everything(bank)
    answers["art11.earlier_diversion"]["value"] = "very_high"
    services.save_answers(case.pk, by=world["de.assessor"], answers=answers)
    assessment = Assessment.objects.get(case=case)
    assert rules.has_overriding_risk(services.findings(assessment))
    with pytest.raises(ValidationError) as info:
        services.add_mitigation(case.pk, by=world["de.assessor"], measure="marking", criteria=["6.1"])
    assert "criteria" in info.value.message_dict
    with pytest.raises(ValidationError):
        services.add_mitigation(case.pk, by=world["de.assessor"], measure="marking", effect=5)
    with pytest.raises(ValidationError):
        services.add_mitigation(case.pk, by=world["de.assessor"], measure="prayer")
    row = services.add_mitigation(case.pk, by=world["de.assessor"], measure="post_shipment_verification", effect=2)
    rows = {r.criterion: r for r in services.criterion_rows(assessment)}
    assert rows[rules.Criterion.DIVERSION].inherent is rules.Rating.VERY_HIGH
    assert rows[rules.Criterion.DIVERSION].residual is rules.Rating.MEDIUM
    assert not rules.has_overriding_risk(services.findings(assessment))
    services.remove_mitigation(case.pk, row.pk, by=world["de.assessor"])
    assert rules.has_overriding_risk(services.findings(assessment))


def test_the_assessors_own_overriding_risk_finding_counts(world, case):
    services.save_answers(
        case.pk, by=world["de.assessor"], answers=w.answer_everything(services.bank()), overriding_risk=True
    )
    found = services.findings(Assessment.objects.get(case=case))
    assert rules.required_outcome(found) is rules.Outcome.REFUSE


def test_the_assessment_page_in_spanish_and_english(world, case, client):
    client.force_login(world["de.assessor"])
    english = client.get(f"/assessment/cases/{case.pk}/")
    assert english.status_code == 200
    bank = services.bank()
    first = bank.questions[0]
    assert first.text.en in english.content.decode()
    spanish = client.get(f"/assessment/cases/{case.pk}/", HTTP_ACCEPT_LANGUAGE="es")
    assert first.text.es in spanish.content.decode()
    posted = client.post(f"/assessment/cases/{case.pk}/", {f"{first.code}:value": "perhaps"})
    assert posted.status_code == 422 and "Answer yes or no" in posted.content.decode()
    data = {}
    for code, answer in w.answer_everything(bank).items():
        data[f"{code}:value"] = answer["value"]
        data[f"{code}:evidence"] = answer["evidence"]
    assert client.post(f"/assessment/cases/{case.pk}/", data).status_code == 302
    assert (
        client.post(f"/assessment/cases/{case.pk}/mitigations/", {"measure": "marking", "effect": "1"}).status_code
        == 302
    )
    assert client.post(f"/assessment/cases/{case.pk}/complete/").status_code == 302
    assert Assessment.objects.get(case=case).completed
    client.force_login(world["mx.officer"])
    assert client.get(f"/assessment/cases/{case.pk}/").status_code == 404


def test_the_question_bank_api_speaks_the_users_language(world):
    from tests.licensing.api_client import api_for

    api = api_for(world["de.officer"])
    english = api.get("/assessment/question-bank").json()
    spanish = api.client.get(
        "/api/v1/assessment/question-bank", HTTP_AUTHORIZATION=f"Bearer {api.token}", HTTP_ACCEPT_LANGUAGE="es"
    ).json()
    assert english["version"] == spanish["version"] == services.bank().version
    assert english["title"] != spanish["title"]

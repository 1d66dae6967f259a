"""Every rule the licensing services enforce: each refusal is a message and an audit event, never a crash."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import translation

from attkit.assessment import services as assessment
from attkit.assessment.models import Answer
from attkit.core.models import AuditEvent
from attkit.core.permissions import Role
from attkit.licensing import services, verifying
from attkit.licensing.models import Case, CaseState, IllegalStateChange
from attkit.licensing.services import Refused
from tests.licensing import world as w

pytestmark = pytest.mark.django_db


def audited(kind: str, action: str) -> bool:
    return AuditEvent.objects.filter(kind=kind, payload__action=action).exists()


# --- who may do what ---------------------------------------------------------------------------------------


def test_an_applicant_cannot_decide(world):
    case = w.under_assessment(world)
    with pytest.raises(PermissionDenied):
        services.propose_decision(case.pk, by=world["de.applicant"], outcome="approve", reasons="Mine.")
    assert audited("access:denied", "propose_decision")


def test_nobody_decides_on_their_own_application(world, make_user):
    both = make_user(
        "DE",
        Role.APPLICANT,
        Role.LICENSING_OFFICER,
        username="de.both",
        organisation=world["de.applicant"].organisation,
    )
    case = w.under_assessment(world, w.export_application(world))
    w.advised(world, case)
    w.assessed(world, case)
    with pytest.raises(PermissionDenied, match="your organisation"):
        services.propose_decision(case.pk, by=both, outcome="approve", reasons="Mine.")
    assert audited("access:denied", "propose_decision")


def test_the_proposing_officer_cannot_countersign(world, make_user):
    officer_supervisor = make_user("DE", Role.LICENSING_OFFICER, Role.SUPERVISOR, username="de.both_hats")
    world.users["de.both_hats"] = officer_supervisor
    case = w.proposed(world, officer="de.both_hats")
    with pytest.raises(Refused, match="your own decision"):
        services.countersign(case.pk, by=officer_supervisor, agree=True)
    assert audited("case:refused_action", "countersign")
    case = services.countersign(case.pk, by=world["de.supervisor2"], agree=True)
    assert case.state == CaseState.APPROVED


def test_a_disagreement_is_recorded_and_the_case_goes_back(world):
    case = w.proposed(world)
    with pytest.raises(Refused, match="reason"):
        services.countersign(case.pk, by=world["de.supervisor"], agree=False, reason="")
    case = services.countersign(case.pk, by=world["de.supervisor"], agree=False, reason="Ask for the contract.")
    assert case.state == CaseState.UNDER_ASSESSMENT
    decision = case.decisions.get()
    assert (decision.status, decision.countersign_reason) == ("disagreed", "Ask for the contract.")
    assert case.events.filter(event="countersign_disagree", reason="Ask for the contract.").exists()


def test_customs_cannot_approve_and_officers_cannot_countersign(world):
    case = w.proposed(world)
    with pytest.raises(PermissionDenied):
        services.countersign(case.pk, by=world["de.customs"], agree=True)
    with pytest.raises(PermissionDenied):
        services.countersign(case.pk, by=world["de.officer2"], agree=True)


def test_another_organisation_never_sees_the_application(world):
    case = services.create_application(by=world["de.applicant"], data=w.export_application(world))
    with pytest.raises(Case.DoesNotExist):
        services.submit(case.pk, by=world["de.other_applicant"])
    assert not services.cases_for(world["de.other_applicant"]).exists()
    assert services.cases_for(world["de.officer"]).filter(pk=case.pk).exists()
    with pytest.raises(Case.DoesNotExist):
        services.get_case(case.pk, by=world["mx.officer"])


def test_only_a_consulted_agency_advises(world, make_user):
    case = w.under_assessment(world)
    customs_adviser = make_user(
        "DE", Role.AGENCY_ADVISER, username="de.customs_adviser", agency=world.agencies["de.customs"]
    )
    with pytest.raises(PermissionDenied, match="not been consulted"):
        services.give_advice(case.pk, by=customs_adviser, outcome="approve", reasons="x")
    services.give_advice(case.pk, by=world["de.defence"], outcome="approve", reasons="Fine.")
    with pytest.raises(Refused, match="already given"):
        services.give_advice(case.pk, by=world["de.defence"], outcome="refuse", reasons="Changed my mind.")
    with pytest.raises(ValidationError) as info:
        services.give_advice(case.pk, by=world["de.foreign"], outcome="approve_with_conditions", reasons="x")
    assert "conditions" in info.value.message_dict


# --- the workflow and the treaty ------------------------------------------------------------------------------


def test_a_blocking_flag_cannot_be_skipped(world):
    case = w.submitted(world)
    assert case.flags.filter(code="screening_hits_pending", status="open").exists()
    with pytest.raises(Refused):
        services.screening_clear(case.pk, by=world["de.officer"])
    assert audited("case:refused_action", "screening_clear")
    hit = case.hits.get()
    services.review_hit(hit.pk, by=world["de.officer"], decision="false_positive", reason="Different entity.")
    with pytest.raises(Refused, match="blocking flags"):
        services.screening_clear(case.pk, by=world["de.officer"])
    flag = case.flags.get(code="screening_hits_pending")
    with pytest.raises(PermissionDenied):
        services.resolve_flag(flag.pk, by=world["de.officer"], resolution="false_positive", reason="x")
    with pytest.raises(ValidationError) as info:
        services.resolve_flag(flag.pk, by=world["de.supervisor"], resolution="false_positive", reason=" ")
    assert "reason" in info.value.message_dict
    services.resolve_flag(flag.pk, by=world["de.supervisor"], resolution="false_positive", reason="Reviewed.")
    assert services.screening_clear(case.pk, by=world["de.officer"]).state == CaseState.UNDER_ASSESSMENT


def test_a_confirmed_blocking_flag_stops_an_approval_but_not_a_refusal(world):
    case = w.submitted(world, w.export_application(world, euc_serial="MX-EUC-2026-000999-00", euc_seal_text=""))
    assert case.flags.filter(code="euc_invalid", status="open").exists()
    for hit in case.hits.all():
        services.review_hit(hit.pk, by=world["de.supervisor"], decision="false_positive", reason="Other entity.")
    flag = case.flags.get(code="euc_invalid")
    services.resolve_flag(flag.pk, by=world["de.supervisor"], resolution="confirmed", reason="The EUC is unknown.")
    services.screening_clear(case.pk, by=world["de.officer"])
    w.advised(world, case)
    w.assessed(world, case)
    with pytest.raises(Refused, match="blocking flags"):
        services.propose_decision(case.pk, by=world["de.officer"], outcome="approve", reasons="x")
    services.propose_decision(case.pk, by=world["de.officer"], outcome="refuse", criteria=["ATT-11"], reasons="No EUC.")


def test_an_article_6_gate_answered_yes_requires_refusal(world):
    case = w.under_assessment(world)
    w.advised(world, case)
    w.assessed(world, case, gates_yes=("art6.3.attacks_on_civilians",))
    with pytest.raises(Refused, match=r"ATT-6\.3"):
        services.propose_decision(case.pk, by=world["de.officer"], outcome="approve", reasons="x")
    with pytest.raises(Refused, match=r"must also cite ATT-6\.3"):
        services.propose_decision(case.pk, by=world["de.officer"], outcome="refuse", criteria=["ATT-11"], reasons="x")
    decision = services.propose_decision(
        case.pk, by=world["de.officer"], outcome="refuse", criteria=["ATT-6.3"], reasons="Atrocity risk known."
    )
    assert decision.criteria == ["ATT-6.3"]


def test_an_overriding_risk_requires_refusal(world):
    case = w.under_assessment(world)
    w.advised(world, case)
    w.assessed(world, case, rating="high")
    with pytest.raises(Refused, match="refused"):
        services.propose_decision(case.pk, by=world["de.officer"], outcome="approve", reasons="x")
    assert audited("case:refused_action", "propose_decision")


def test_mitigation_can_bring_the_risk_below_overriding(world):
    case = w.under_assessment(world)
    w.advised(world, case)
    bank = assessment.bank()
    answers = w.answer_everything(bank)
    answers["art7.1biv.organised_crime"]["value"] = "high"
    assessment.save_answers(case.pk, by=world["de.assessor"], answers=answers)
    found = assessment.findings(case.assessment)
    assert found.residual["7.1.b.iv"].value == "high"
    assessment.add_mitigation(case.pk, by=world["de.assessor"], measure="post_shipment_verification", effect=1)
    found = assessment.findings(case.assessment)
    assert found.residual["7.1.b.iv"].value == "medium"
    assessment.complete(case.pk, by=world["de.assessor"])
    services.propose_decision(case.pk, by=world["de.officer"], outcome="approve", reasons="Mitigated.")


def test_a_decision_contrary_to_the_assessment_cannot_be_countersigned(world):
    case = w.proposed(world)
    # The assessment changes under the proposal (new information recorded straight in the register).
    Answer.objects.filter(assessment__case=case, question="art6.1.end_user").update(value="yes", evidence="Listed.")
    with pytest.raises(Refused, match=r"ATT-6\.1"):
        services.countersign(case.pk, by=world["de.supervisor"], agree=True)
    assert audited("case:refused_action", "countersign")
    assert services.countersign(case.pk, by=world["de.supervisor"], agree=False, reason="Reassess.").state == (
        CaseState.UNDER_ASSESSMENT
    )


def test_approval_waits_for_every_agency_and_a_completed_assessment(world):
    case = w.under_assessment(world)
    with pytest.raises(Refused, match="risk assessment"):
        services.propose_decision(case.pk, by=world["de.officer"], outcome="approve", reasons="x")
    w.assessed(world, case)
    with pytest.raises(Refused, match="Advice is still awaited"):
        services.propose_decision(case.pk, by=world["de.officer"], outcome="approve", reasons="x")


def test_the_assessment_is_locked_outside_assessment(world):
    case = w.proposed(world)
    with pytest.raises(Refused, match="under assessment"):
        assessment.save_answers(case.pk, by=world["de.assessor"], answers={})


def test_an_illegal_transition_is_refused_with_the_possible_actions(world):
    case = services.create_application(by=world["de.applicant"], data=w.export_application(world))
    with pytest.raises(Refused, match="Possible now"):
        services.issue_licence(case.pk, by=world["de.officer"])
    assert audited("case:refused_action", "issue_licence")


def test_refusals_speak_the_users_language(world):
    case = services.create_application(by=world["de.applicant"], data=w.export_application(world))
    with translation.override("es"), pytest.raises(Refused) as info:
        services.issue_licence(case.pk, by=world["de.officer"])
    assert "No puede" in info.value.messages[0]


def test_an_incomplete_application_names_what_is_missing(world):
    case = services.create_application(
        by=world["de.applicant"], data={"kind": "export", "destination_country": "MX", "end_use": "x"}
    )
    with pytest.raises(ValidationError) as info:
        services.submit(case.pk, by=world["de.applicant"])
    assert set(info.value.message_dict) == {"parties", "goods", "euc"}


def test_the_application_fields_are_named_in_errors(world):
    bad = w.export_application(world)
    bad["goods"][1]["quantity"] = 0
    bad["parties"][0]["country"] = "Mexico"
    bad["destination_country"] = "ZZ"
    with pytest.raises(ValidationError) as info:
        services.create_application(by=world["de.applicant"], data=bad)
    assert "destination_country" in info.value.message_dict
    with pytest.raises(ValidationError) as info:
        services.create_application(by=world["de.applicant"], data={**bad, "destination_country": "MX"})
    assert {"goods[1].quantity", "parties[0].country"} <= set(info.value.message_dict)


# --- customs ------------------------------------------------------------------------------------------------


def test_an_over_shipment_is_refused_and_nothing_is_drawn(world):
    case = w.issued(world)
    today = dt.date.today()
    with pytest.raises(Refused, match="Over-shipment") as info:
        services.record_shipment(
            case.pk,
            by=world["de.customs"],
            declaration_number="D-1",
            shipment_date=today,
            lines=[{"line": 1, "quantity": 101}],
        )
    assert "lines" in info.value.message_dict
    assert audited("case:refused_action", "record_shipment")
    case.refresh_from_db()
    assert case.state == CaseState.LICENCE_ISSUED
    assert [g.quantity_shipped for g in case.goods.all()] == [0, 0]
    assert not case.shipments.exists()
    world.euc.refresh_from_db()
    assert not world.euc.uses.exists()


def test_a_shipment_draws_on_the_euc_in_the_same_transaction(world):
    case = w.issued(world)
    services.record_shipment(
        case.pk,
        by=world["de.customs"],
        declaration_number="D-2",
        shipment_date=dt.date.today(),
        lines=[{"line": 1, "quantity": 10}],
    )
    use = world.euc.uses.get()
    assert use.licence_reference == case.reference
    assert [(line.line.line_no, line.quantity) for line in use.lines.all()] == [(1, 10)]


def test_only_customs_record_shipments_and_not_twice_the_same_declaration(world):
    case = w.issued(world)
    today = dt.date.today()
    with pytest.raises(PermissionDenied):
        services.record_shipment(
            case.pk,
            by=world["de.officer"],
            declaration_number="D-3",
            shipment_date=today,
            lines=[{"line": 1, "quantity": 1}],
        )
    services.record_shipment(
        case.pk,
        by=world["de.customs"],
        declaration_number="D-3",
        shipment_date=today,
        lines=[{"line": 1, "quantity": 1}],
    )
    with pytest.raises(ValidationError) as info:
        services.record_shipment(
            case.pk,
            by=world["de.customs"],
            declaration_number="D-3",
            shipment_date=today,
            lines=[{"line": 1, "quantity": 1}],
        )
    assert "declaration_number" in info.value.message_dict


def test_a_suspended_licence_refuses_shipments_and_verifies_as_not_valid(world):
    case = w.issued(world)
    with pytest.raises(Refused, match="reason"):
        services.suspend(case.pk, by=world["de.supervisor"], reason="")
    services.suspend(case.pk, by=world["de.supervisor"], reason="New information (Art. 7(7)).")
    with pytest.raises(Refused):
        services.record_shipment(
            case.pk,
            by=world["de.customs"],
            declaration_number="D-4",
            shipment_date=dt.date.today(),
            lines=[{"line": 1, "quantity": 1}],
        )
    result = verifying.verify_text(case.licence_seal, user=world["de.customs"])
    assert result.verdict.value == "revoked" and result.registry["status"] == "suspended"
    case = services.reinstate(case.pk, by=world["de.supervisor"], reason="Cleared.")
    assert case.state == CaseState.LICENCE_ISSUED
    assert verifying.verify_text(case.licence_seal, user=world["de.customs"]).valid


def test_a_revoked_licence_is_published_as_revoked(world):
    case = w.issued(world)
    services.revoke(case.pk, by=world["de.supervisor"], reason="Diversion found.")
    result = verifying.verify_text(case.licence_seal, user=world["mx.customs"])
    assert result.verdict.value == "revoked"
    offline = verifying.verify_text(case.licence_seal, authority=case.authority, online=False)
    assert offline.verdict.value == "revoked"


def test_licences_past_their_validity_expire(world):
    case = w.issued(world)
    assert services.expire_licences(today=case.licence_valid_until + dt.timedelta(days=1)) == [case.reference]
    case.refresh_from_db()
    assert case.state == CaseState.EXPIRED


# --- the record -----------------------------------------------------------------------------------------------


def test_the_status_cannot_be_saved_outside_the_workflow(world):
    case = services.create_application(by=world["de.applicant"], data=w.export_application(world))
    case.state = CaseState.APPROVED
    with pytest.raises(IllegalStateChange):
        case.save()
    assert Case.objects.get(pk=case.pk).state == CaseState.DRAFT


def test_the_clock_stops_while_the_applicant_is_asked(world):
    case = w.under_assessment(world)
    with pytest.raises(Refused, match="reason"):
        services.request_information(case.pk, by=world["de.officer"], reason="")
    services.request_information(case.pk, by=world["de.officer"], reason="Send the contract.")
    case.refresh_from_db()
    assert services.clock(case).running is False
    case = services.provide_information(case.pk, by=world["de.applicant"], response="Attached.")
    assert case.state == CaseState.UNDER_ASSESSMENT
    assert services.clock(case).running is True


def test_every_state_change_is_in_history_and_the_audit_chain(world):
    case = w.issued(world)
    events = list(case.events.values_list("event", flat=True))
    assert events == [
        "submit",
        "start_screening",
        "screening_clear",
        "propose_decision",
        "countersign_agree",
        "issue_licence",
    ]
    kinds = set(AuditEvent.objects.filter(target_id=str(case.pk)).values_list("kind", flat=True))
    assert {
        "case:create",
        "case:submit",
        "case:screening_clear",
        "licence:decide",
        "licence:countersign",
        "licence:issue",
    } <= kinds
    assert case.history.count() >= 6


def test_flags_are_raised_from_embargoes_euc_denials_and_quantities(world):
    data = w.export_application(world)
    data["transit"] = ["LY"]
    data["goods"][0]["quantity"] = 300  # beyond the EUC's 250 rifles
    data["parties"][0]["name"] = "Another Police (fictional)"
    case = w.submitted(world, data)
    codes = set(case.flags.values_list("code", flat=True))
    assert {"embargo_transit", "euc_quantity_exceeded", "euc_end_user_mismatch", "quantity_first_import"} <= codes


def test_the_hub_read_model_shows_notices_never_cases(bare_world):
    world = bare_world
    case = w.submitted(world, w.embargoed_application())
    for flag in case.flags.filter(severity="blocking"):
        services.resolve_flag(flag.pk, by=world["de.supervisor"], resolution="confirmed", reason="Confirmed.")
    services.screening_clear(case.pk, by=world["de.officer"])
    w.assessed(world, case, gates_yes=("art6.1.destination",))
    services.propose_decision(
        case.pk, by=world["de.officer"], outcome="refuse", criteria=["ATT-6.1"], reasons="Embargo."
    )
    with pytest.raises(Refused, match="refused case"):
        services.share_denial_notice(case.pk, by=world["de.officer"])
    services.countersign(case.pk, by=world["de.supervisor"], agree=True)
    notice = services.share_denial_notice(case.pk, by=world["de.officer"])
    with pytest.raises(Refused, match="already"):
        services.share_denial_notice(case.pk, by=world["de.officer"])
    rows = services.hub_denial_notices()
    assert rows[0]["number"] == notice.number and "case" not in rows[0] and case.reference not in str(rows)
    mx_case = w.submitted(
        world,
        {**w.embargoed_application(), "kind": "import", "origin_country": "DE", "destination_country": "MX"},
        applicant="mx.applicant",
    )
    assert mx_case.flags.filter(code="denial_same_end_user").exists()

"""The pure assessment rules: Art. 6 gates, overriding risk, residual risk, countersigning and refusal codes."""

from __future__ import annotations

import pytest

from attkit.assessment import rules
from attkit.assessment.rules import (
    GATES,
    REFUSAL_REASONS,
    Criterion,
    Findings,
    Mitigation,
    Outcome,
    Rating,
    can_countersign,
    criteria_relied_on,
    criterion_for_code,
    criterion_rating,
    decision_problems,
    has_overriding_risk,
    refusal_codes,
    required_outcome,
    residual_rating,
    residual_ratings,
)

C = Criterion


def test_an_assessment_with_nothing_found_leaves_the_decision_to_the_authority() -> None:
    assert required_outcome(Findings()) is None


@pytest.mark.parametrize("gate", sorted(GATES))
def test_any_article6_gate_answered_yes_requires_refusal(gate: Criterion) -> None:
    assert required_outcome(Findings(article6_gates=frozenset({gate}))) is Outcome.REFUSE


def test_gates_given_as_strings_work_like_the_enum() -> None:
    findings = Findings(article6_gates=frozenset({"6.1"}))  # type: ignore[arg-type]
    assert findings.article6_gates == {C.UNSC_MEASURES}
    assert required_outcome(findings) is Outcome.REFUSE


def test_only_article6_criteria_are_gates() -> None:
    with pytest.raises(ValueError, match=r"not an Art\. 6 gate"):
        Findings(article6_gates=frozenset({C.IHL}))
    with pytest.raises(ValueError, match="answered yes or no"):
        Findings(residual={C.UNSC_MEASURES: Rating.LOW})


def test_a_declared_overriding_risk_requires_refusal() -> None:
    assert required_outcome(Findings(overriding_risk=True)) is Outcome.REFUSE


@pytest.mark.parametrize("criterion", rules.RISK_CRITERIA)
@pytest.mark.parametrize(
    ("rating", "refuse"),
    [(Rating.NONE, False), (Rating.LOW, False), (Rating.MEDIUM, False), (Rating.HIGH, True), (Rating.VERY_HIGH, True)],
)
def test_a_residual_rating_of_high_or_above_is_an_overriding_risk(
    criterion: Criterion, rating: Rating, refuse: bool
) -> None:
    findings = Findings(residual={criterion: rating})
    assert has_overriding_risk(findings) is refuse
    assert (required_outcome(findings) is Outcome.REFUSE) is refuse


def test_the_threshold_and_forcing_criteria_are_parameters() -> None:
    findings = Findings(residual={C.DIVERSION: Rating.HIGH, C.IHRL: Rating.MEDIUM})
    assert required_outcome(findings, forcing=frozenset({C.IHRL})) is None
    assert required_outcome(findings, forcing=frozenset({C.IHRL}), threshold=Rating.MEDIUM) is Outcome.REFUSE


def test_the_assessor_cannot_deny_an_overriding_risk_the_ratings_impose() -> None:
    assert has_overriding_risk(Findings(residual={C.IHL: Rating.VERY_HIGH}, overriding_risk=False))


# Countersigning ---------------------------------------------------------------------------------


def test_a_decision_contrary_to_the_assessment_cannot_be_countersigned() -> None:
    refused = Findings(article6_gates=frozenset({C.ATROCITY_CRIMES}))
    assert can_countersign(Outcome.APPROVE, refused) is False
    assert can_countersign(Outcome.REFUSE, refused) is True


def test_either_decision_can_be_countersigned_when_the_treaty_imposes_none() -> None:
    open_case = Findings(residual={C.PEACE_AND_SECURITY: Rating.MEDIUM})
    assert can_countersign(Outcome.APPROVE, open_case)
    assert can_countersign(Outcome.REFUSE, open_case)
    assert can_countersign("approve", open_case)  # type: ignore[arg-type]


# Ratings and mitigation -------------------------------------------------------------------------


def test_ratings_are_ordered() -> None:
    assert [r.level for r in Rating] == [0, 1, 2, 3, 4]
    assert Rating.from_level(-3) is Rating.NONE
    assert Rating.from_level(9) is Rating.VERY_HIGH


def test_a_criterion_is_as_risky_as_its_riskiest_question() -> None:
    assert criterion_rating([Rating.LOW, Rating.HIGH, Rating.MEDIUM]) is Rating.HIGH
    assert criterion_rating([]) is Rating.NONE


def test_a_mitigation_lowers_the_criteria_it_addresses_by_its_effect() -> None:
    training = Mitigation("ihl_ihrl_training", frozenset({C.IHL, C.IHRL}), effect=1)
    assert residual_rating(C.IHRL, Rating.HIGH, [training]) is Rating.MEDIUM
    assert residual_rating(C.TERRORISM, Rating.HIGH, [training]) is Rating.HIGH


def test_mitigations_add_up_to_at_most_two_steps() -> None:
    measures = [Mitigation(k, frozenset({C.PEACE_AND_SECURITY}), effect=1) for k in ("a", "b", "c")]
    assert residual_rating(C.PEACE_AND_SECURITY, Rating.VERY_HIGH, measures) is Rating.MEDIUM
    assert residual_rating(C.PEACE_AND_SECURITY, Rating.MEDIUM, measures) is Rating.NONE


def test_diversion_risk_never_falls_below_low_once_it_exists() -> None:
    measures = [Mitigation("dvc", frozenset({C.DIVERSION}), 2), Mitigation("marking", frozenset({C.DIVERSION}), 1)]
    assert residual_rating(C.DIVERSION, Rating.MEDIUM, measures) is Rating.LOW
    assert residual_rating(C.DIVERSION, Rating.LOW, measures) is Rating.LOW
    assert residual_rating(C.DIVERSION, Rating.NONE, measures) is Rating.NONE


def test_no_mitigation_leaves_the_rating_as_it_was() -> None:
    assert residual_rating(C.GENDER_BASED_VIOLENCE, Rating.HIGH) is Rating.HIGH


def test_residual_ratings_for_a_whole_assessment() -> None:
    inherent = {C.IHRL: Rating.HIGH, C.DIVERSION: Rating.MEDIUM, C.TERRORISM: Rating.NONE}
    measures = (
        Mitigation("end_use_restriction", frozenset({C.IHRL}), 1),
        Mitigation("dvc", frozenset({C.DIVERSION}), 2),
    )
    assert residual_ratings(inherent, measures) == {
        C.IHRL: Rating.MEDIUM,
        C.DIVERSION: Rating.LOW,
        C.TERRORISM: Rating.NONE,
    }
    assert required_outcome(Findings(residual=residual_ratings(inherent, measures))) is None
    assert required_outcome(Findings(residual=inherent)) is Outcome.REFUSE


def test_article6_prohibitions_cannot_be_mitigated_or_rated() -> None:
    with pytest.raises(ValueError, match="cannot be mitigated"):
        Mitigation("confidence_building", frozenset({C.UNSC_MEASURES}), 1)
    with pytest.raises(ValueError, match="not rated"):
        residual_rating(C.OTHER_OBLIGATIONS, Rating.HIGH)


@pytest.mark.parametrize("effect", [-1, 3])
def test_a_mitigation_effect_is_zero_to_two_steps(effect: int) -> None:
    with pytest.raises(ValueError, match="effect must be 0 to 2"):
        Mitigation("x", frozenset({C.IHL}), effect)


# Refusal codes ----------------------------------------------------------------------------------


def test_every_criterion_has_a_coded_refusal_reason() -> None:
    assert [c.refusal_code for c in Criterion] == list(REFUSAL_REASONS)
    assert list(REFUSAL_REASONS) == [
        "ATT-6.1",
        "ATT-6.2",
        "ATT-6.3",
        "ATT-7.1.a",
        "ATT-7.1.b.i",
        "ATT-7.1.b.ii",
        "ATT-7.1.b.iii",
        "ATT-7.1.b.iv",
        "ATT-7.4",
        "ATT-11",
    ]


def test_refusal_codes_come_in_treaty_order_without_duplicates() -> None:
    assert refusal_codes([C.DIVERSION, C.UNSC_MEASURES, C.IHRL, C.DIVERSION]) == ("ATT-6.1", "ATT-7.1.b.ii", "ATT-11")
    assert refusal_codes(["7.4"]) == ("ATT-7.4",)  # type: ignore[list-item]


def test_a_refusal_code_maps_back_to_its_criterion() -> None:
    for criterion in Criterion:
        assert criterion_for_code(criterion.refusal_code) is criterion
    with pytest.raises(ValueError, match="unknown refusal code 'ATT-9'"):
        criterion_for_code("ATT-9")


def test_the_criteria_relied_on_are_the_gates_and_the_overriding_criteria() -> None:
    findings = Findings(
        article6_gates=frozenset({C.UNSC_MEASURES}),
        residual={C.IHL: Rating.VERY_HIGH, C.DIVERSION: Rating.MEDIUM},
    )
    assert criteria_relied_on(findings) == {C.UNSC_MEASURES, C.IHL}


def test_a_refusal_must_cite_the_criteria_that_forced_it() -> None:
    findings = Findings(article6_gates=frozenset({C.UNSC_MEASURES}), residual={C.DIVERSION: Rating.HIGH})
    assert decision_problems(Outcome.REFUSE, [C.UNSC_MEASURES, C.DIVERSION], findings) == ()
    assert decision_problems(Outcome.REFUSE, [C.UNSC_MEASURES], findings) == (
        "The refusal must also cite ATT-11, which the assessment found.",
    )
    assert decision_problems(Outcome.REFUSE, [], Findings()) == ("A refusal must cite at least one criterion.",)


def test_a_discretionary_refusal_cites_what_the_authority_chose() -> None:
    findings = Findings(residual={C.PEACE_AND_SECURITY: Rating.MEDIUM})
    assert decision_problems(Outcome.REFUSE, [C.PEACE_AND_SECURITY], findings) == ()


def test_an_approval_cites_nothing_and_respects_the_assessment() -> None:
    assert decision_problems(Outcome.APPROVE, [], Findings()) == ()
    assert decision_problems(Outcome.APPROVE, [C.IHL], Findings(overriding_risk=True)) == (
        "An approval does not cite refusal criteria.",
        "The assessment requires this case to be refused.",
    )

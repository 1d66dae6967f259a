"""Automatic flags on submission: embargoes, screening, EUC problems, earlier denials, proportionality."""

from __future__ import annotations

from dataclasses import replace

import pytest

from attkit.licensing.flags import (
    FLAG_RULES,
    Denial,
    Embargo,
    EmbargoScope,
    EucCheck,
    Flag,
    FlagCode,
    GoodsLine,
    Party,
    PartyRole,
    PastImport,
    Severity,
    Submission,
    denial_flags,
    embargo_flags,
    euc_flags,
    normalise_name,
    proportionality_flags,
    screening_flags,
    submission_flags,
)

END_USER = Party(PartyRole.END_USER, "Ministerio de Defensa Nacional", "CO", is_state=True)
CONSIGNEE = Party(PartyRole.CONSIGNEE, "Logística Andina S.A.", "CO")
GOODS = (GoodsLine("SALW-2", 100), GoodsLine("SALW-2", 50), GoodsLine("III", 2))
VALID_EUC = EucCheck("CO-EUC-2026-000042", "valid", "MINISTERIO DE DEFENSA NACIONAL", "co", {"SALW-2": 200, "III": 2})
PAST = (PastImport("SALW-2", 120), PastImport("SALW-2", 80), PastImport("III", 4))
CLEAN = Submission(
    destination_iso2="CO",
    parties=(END_USER, CONSIGNEE),
    goods=GOODS,
    euc=VALID_EUC,
    past_imports=PAST,
)


def codes(flags: list[Flag]) -> list[FlagCode]:
    return [f.code for f in flags]


def test_a_clean_submission_raises_no_flag() -> None:
    assert submission_flags(CLEAN, [Embargo("LY", EmbargoScope.FULL, "UNSCR 1970 (2011)")]) == []


def test_every_flag_code_has_a_rule_with_articles_and_a_message() -> None:
    assert set(FLAG_RULES) == set(FlagCode)
    for rule in FLAG_RULES.values():
        assert rule.articles
        assert rule.template.endswith(".")


# Embargoes --------------------------------------------------------------------------------------


def test_a_full_un_embargo_on_the_destination_blocks() -> None:
    sub = replace(CLEAN, destination_iso2="LY", parties=(replace(END_USER, country_iso2="LY"),))
    [flag] = embargo_flags(sub, [Embargo("ly", EmbargoScope.FULL, "UNSCR 1970 (2011)")])
    assert flag.code is FlagCode.UN_EMBARGO
    assert flag.severity is Severity.BLOCKING
    assert flag.articles == ("6(1)",)
    assert flag.params["roles"] == "destination, end user"
    assert flag.message == (
        "A UN arms embargo (UNSCR 1970 (2011)) applies to LY, the country of the destination, end user: "
        "the transfer is prohibited."
    )


def test_a_full_un_embargo_on_a_party_country_blocks() -> None:
    broker = Party(PartyRole.BROKER, "Northern Star Trading", "KP")
    [flag] = embargo_flags(replace(CLEAN, parties=(END_USER, broker)), [Embargo("KP", EmbargoScope.FULL, "UNSCR 1718")])
    assert flag.code is FlagCode.UN_EMBARGO
    assert flag.params["roles"] == "broker"
    assert flag.blocking


def test_a_partial_un_embargo_blocks_until_an_exemption_is_recorded() -> None:
    sub = replace(CLEAN, destination_iso2="HT", parties=(replace(END_USER, country_iso2="HT"),))
    [flag] = embargo_flags(sub, [Embargo("HT", EmbargoScope.PARTIAL, "UNSCR 2653")])
    assert flag.code is FlagCode.UN_EMBARGO_PARTIAL
    assert flag.blocking
    assert "exemptions" in flag.message


def test_an_embargo_on_non_state_actors_blocks_a_non_state_end_user() -> None:
    militia = Party(PartyRole.END_USER, "Private Security Ltd", "CF", is_state=False)
    [flag] = embargo_flags(
        replace(CLEAN, destination_iso2="CF", parties=(militia,)),
        [Embargo("CF", EmbargoScope.NON_STATE_ACTORS, "2745")],
    )
    assert flag.code is FlagCode.UN_EMBARGO_NON_STATE_ACTOR
    assert flag.blocking
    assert flag.params["roles"] == "end user"


def test_an_embargo_on_non_state_actors_advises_for_a_government_end_user() -> None:
    ministry = Party(PartyRole.END_USER, "Ministère de la Défense", "CF", is_state=True)
    [flag] = embargo_flags(
        replace(CLEAN, destination_iso2="CF", parties=(ministry,)),
        [Embargo("CF", EmbargoScope.NON_STATE_ACTORS, "2745")],
    )
    assert flag.code is FlagCode.UN_EMBARGO_STATE_RECIPIENT
    assert flag.severity is Severity.ADVISORY


def test_a_non_state_consignee_in_the_country_still_blocks() -> None:
    ministry = Party(PartyRole.END_USER, "Ministère de la Défense", "CF", is_state=True)
    forwarder = Party(PartyRole.CONSIGNEE, "Bangui Freight", "CF", is_state=False)
    [flag] = embargo_flags(
        replace(CLEAN, destination_iso2="CF", parties=(ministry, forwarder)),
        [Embargo("CF", EmbargoScope.NON_STATE_ACTORS, "2745")],
    )
    assert flag.code is FlagCode.UN_EMBARGO_NON_STATE_ACTOR
    assert flag.params["roles"] == "consignee"


def test_a_listed_only_embargo_advises_screening() -> None:
    sub = replace(CLEAN, destination_iso2="YE", parties=(replace(END_USER, country_iso2="YE"),))
    [flag] = embargo_flags(sub, [Embargo("YE", EmbargoScope.LISTED_ONLY, "UNSCR 2216")])
    assert flag.code is FlagCode.UN_EMBARGO_LISTED_ONLY
    assert flag.severity is Severity.ADVISORY


def test_a_regime_with_no_territory_raises_no_country_flag() -> None:
    assert embargo_flags(CLEAN, [Embargo("", EmbargoScope.LISTED_ONLY, "1267")]) == []


def test_a_transit_country_under_embargo_advises() -> None:
    sub = replace(CLEAN, transit_iso2=("ly",))
    [flag] = embargo_flags(sub, [Embargo("LY", EmbargoScope.FULL, "")])
    assert flag.code is FlagCode.EMBARGO_TRANSIT
    assert flag.severity is Severity.ADVISORY
    assert flag.params["reference"] == "no reference recorded"
    assert embargo_flags(sub, [Embargo("LY", EmbargoScope.LISTED_ONLY, "x")]) == []


def test_a_non_un_embargo_advises_unless_it_binds_the_state() -> None:
    sub = replace(CLEAN, destination_iso2="VE", parties=(replace(END_USER, country_iso2="VE"),))
    eu = Embargo("VE", EmbargoScope.FULL, "Decision (CFSP) 2017/2074", imposed_by="EU")
    [advisory] = embargo_flags(sub, [eu])
    assert advisory.code is FlagCode.OTHER_EMBARGO
    assert advisory.severity is Severity.ADVISORY
    assert advisory.articles == ("6(2)", "7")
    [binding] = embargo_flags(sub, [eu], binding=frozenset({"EU"}))
    assert binding.severity is Severity.BLOCKING


# Screening --------------------------------------------------------------------------------------


def test_pending_screening_hits_block() -> None:
    assert screening_flags(CLEAN) == []
    [flag] = screening_flags(replace(CLEAN, screening_hits_pending=3))
    assert (flag.code, flag.blocking, flag.params["count"]) == (FlagCode.SCREENING_HITS_PENDING, True, "3")


# EUC --------------------------------------------------------------------------------------------


def test_a_valid_matching_euc_raises_nothing() -> None:
    assert euc_flags(CLEAN) == []


def test_a_missing_euc_blocks_only_when_one_is_required() -> None:
    assert codes(euc_flags(replace(CLEAN, euc=None))) == [FlagCode.EUC_MISSING]
    assert euc_flags(replace(CLEAN, euc=None, euc_required=False)) == []


@pytest.mark.parametrize("verdict", ["expired", "bad_signature", "unknown_issuer"])
def test_an_euc_that_does_not_verify_blocks(verdict: str) -> None:
    [flag] = euc_flags(replace(CLEAN, euc=replace(VALID_EUC, verdict=verdict)))
    assert flag.code is FlagCode.EUC_INVALID
    assert flag.blocking
    assert flag.params["verdict"] == verdict.replace("_", " ")


def test_a_revoked_euc_blocks() -> None:
    assert codes(euc_flags(replace(CLEAN, euc=replace(VALID_EUC, verdict="REVOKED")))) == [FlagCode.EUC_REVOKED]


def test_quantities_beyond_the_euc_block_per_category() -> None:
    euc = replace(VALID_EUC, remaining={"SALW-2": 149})
    flags = euc_flags(replace(CLEAN, euc=euc))
    assert codes(flags) == [FlagCode.EUC_QUANTITY_EXCEEDED, FlagCode.EUC_QUANTITY_EXCEEDED]
    assert [(f.params["category"], f.params["requested"], f.params["remaining"]) for f in flags] == [
        ("SALW-2", "150", "149"),
        ("III", "2", "0"),
    ]


def test_an_euc_for_another_end_user_blocks() -> None:
    other = replace(VALID_EUC, end_user_name="Policía Nacional")
    [flag] = euc_flags(replace(CLEAN, euc=other))
    assert flag.code is FlagCode.EUC_END_USER_MISMATCH
    assert flag.params["euc_end_user"] == "Policía Nacional"
    [country] = euc_flags(replace(CLEAN, euc=replace(VALID_EUC, end_user_country_iso2="PE")))
    assert country.code is FlagCode.EUC_END_USER_MISMATCH


# Denials ----------------------------------------------------------------------------------------


def test_an_earlier_refusal_to_the_same_end_user_blocks() -> None:
    denial = Denial("MX-DN-2025-000007", "ministerio de defensa  nacional.", "CO", authority="MX")
    [flag] = denial_flags(replace(CLEAN, denials=(denial,)))
    assert flag.code is FlagCode.DENIAL_SAME_END_USER
    assert flag.blocking
    assert flag.params["references"] == "MX-DN-2025-000007 (MX)"


def test_an_earlier_refusal_for_the_destination_advises_when_categories_overlap() -> None:
    rifles = Denial("CR-DN-2024-000001", "Someone Else", "co", categories=frozenset({"SALW-2"}))
    ships = Denial("CR-DN-2024-000002", "Someone Else", "CO", categories=frozenset({"VI"}))
    anything = Denial("CR-DN-2024-000003", "Another", "CO")
    [flag] = denial_flags(replace(CLEAN, denials=(rifles, ships, anything)))
    assert flag.code is FlagCode.DENIAL_SAME_DESTINATION
    assert flag.severity is Severity.ADVISORY
    assert flag.params["references"] == "CR-DN-2024-000001; CR-DN-2024-000003"


def test_denials_elsewhere_raise_nothing() -> None:
    assert denial_flags(replace(CLEAN, denials=(Denial("X", "Other", "PE"),))) == []


def test_names_are_normalised_before_comparison() -> None:
    assert (
        normalise_name("  Logística  Andina, S.A. ") == normalise_name("LOGISTICA ANDINA SA") == "logistica andina sa"
    )
    assert normalise_name("Fábrica-d'Armas") == "fabrica darmas"
    assert normalise_name("Ministère de la Défense") == "ministere de la defense"


def test_a_custom_normaliser_can_be_passed() -> None:
    denial = Denial("R-1", "MDN", "PE")
    flags = denial_flags(replace(CLEAN, denials=(denial,)), normalise=lambda n: "same")
    assert codes(flags) == [FlagCode.DENIAL_SAME_END_USER]


# Proportionality --------------------------------------------------------------------------------


def test_a_quantity_within_ratio_of_past_imports_is_fine() -> None:
    assert proportionality_flags(CLEAN) == []  # 150 <= 3 x 120 and 2 <= 3 x 4


def test_more_than_three_times_the_largest_past_import_advises() -> None:
    sub = replace(CLEAN, goods=(GoodsLine("SALW-2", 361),))
    [flag] = proportionality_flags(sub)
    assert flag.code is FlagCode.QUANTITY_DISPROPORTIONATE
    assert (flag.params["largest"], flag.params["ratio"], flag.severity) == ("120", "3", Severity.ADVISORY)
    assert proportionality_flags(replace(sub, goods=(GoodsLine("SALW-2", 360),))) == []
    assert proportionality_flags(sub, ratio=4) == []


def test_a_large_first_import_advises() -> None:
    sub = replace(CLEAN, goods=(GoodsLine("SALW-4", 51), GoodsLine("I", 3)))
    flags = proportionality_flags(sub)
    assert codes(flags) == [FlagCode.QUANTITY_FIRST_IMPORT]
    assert flags[0].params["threshold"] == "50"
    tanks = proportionality_flags(sub, first_import_thresholds={"I": 2})
    assert codes(tanks) == [FlagCode.QUANTITY_FIRST_IMPORT, FlagCode.QUANTITY_FIRST_IMPORT]
    assert proportionality_flags(sub, first_import_threshold=100) == []


# All together -----------------------------------------------------------------------------------


def test_submission_flags_puts_blocking_flags_first() -> None:
    sub = replace(
        CLEAN,
        goods=(GoodsLine("SALW-4", 500),),
        screening_hits_pending=1,
        denials=(Denial("D-1", "Other", "CO"),),
    )
    flags = submission_flags(sub)
    assert codes(flags) == [
        FlagCode.SCREENING_HITS_PENDING,
        FlagCode.EUC_QUANTITY_EXCEEDED,
        FlagCode.DENIAL_SAME_DESTINATION,
        FlagCode.QUANTITY_FIRST_IMPORT,
    ]
    assert [f.blocking for f in flags] == [True, True, False, False]

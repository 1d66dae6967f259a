"""The role-play simulation cases load, cover the required situations, score against their rubric, and stay fictional."""

from __future__ import annotations

import csv
import json
import shutil
from pathlib import Path
from typing import Any

import pytest

from attkit.training.content_loader import (
    CONTENT_DIR,
    CRITERIA,
    OWN_STATE,
    Case,
    ContentError,
    Decision,
    EucStatus,
    LocalizedText,
    ScreeningResult,
    TraineeRole,
    load_cases,
    score_case,
)

SHARED = Path("/work/shared/data")
EMBARGO_CSV = SHARED / "embargoes" / "unsc_arms_embargoes.csv"
UN_LIST = SHARED / "lists" / "un" / "UN_consolidated.xml"


@pytest.fixture(scope="module")
def cases() -> tuple[Case, ...]:
    return load_cases()


def texts(case: Case) -> list[LocalizedText]:
    items = [case.title, case.summary, case.stated_end_use, case.euc.issuer, case.euc.details]
    items += [line.description for line in case.goods]
    items += [check.notes for check in case.screening]
    items += list(case.diversion_indicators) + list(case.model_answer.conditions) + [case.model_answer.rationale]
    return items


def test_six_cases_with_unique_ids(cases: tuple[Case, ...]) -> None:
    assert len(cases) == 6
    assert len({case.id for case in cases}) == 6


def test_every_text_exists_in_english_and_spanish(cases: tuple[Case, ...]) -> None:
    for case in cases:
        for text in texts(case):
            assert text.en.strip()
            assert text.es.strip()
            assert text.en != text.es or len(text.en) < 12
            assert text.get("es") == text.es
            assert text.get("en") == text.en


def test_every_case_says_it_is_fictional(cases: tuple[Case, ...]) -> None:
    for case in cases:
        assert case.summary.en.startswith("Illustrative, fictional case.")
        assert case.summary.es.startswith("Caso ilustrativo ficticio.")
        assert case.party("exporter").country == OWN_STATE
        assert case.destination != OWN_STATE


def test_the_required_situations_are_covered(cases: tuple[Case, ...]) -> None:
    embargo = [c for c in cases if c.embargo is not None]
    assert embargo
    assert all(c.model_answer.decision is Decision.REFUSE and "6.1" in c.model_answer.criteria for c in embargo)
    assert any(c.euc.status is EucStatus.FORGED_SEAL for c in cases)
    assert any(c.euc.status is EucStatus.ALREADY_USED for c in cases)
    results = {check.result for c in cases for check in c.screening}
    assert {ScreeningResult.TRUE_MATCH, ScreeningResult.FALSE_POSITIVE} <= results
    approved = [c for c in cases if c.model_answer.decision is Decision.APPROVE]
    assert any(c.model_answer.conditions for c in approved)
    assert {c.role for c in cases} == set(TraineeRole)
    assert any(c.diversion_indicators for c in cases)


def test_forged_and_reused_certificates_are_refused_for_diversion(cases: tuple[Case, ...]) -> None:
    for case in cases:
        if case.euc.status in {EucStatus.FORGED_SEAL, EucStatus.ALREADY_USED}:
            assert case.model_answer.decision is Decision.REFUSE
            assert "11" in case.model_answer.criteria


def test_a_true_match_refuses_and_a_false_positive_does_not_block(cases: tuple[Case, ...]) -> None:
    for case in cases:
        results = {check.result for check in case.screening}
        if ScreeningResult.TRUE_MATCH in results:
            assert case.model_answer.decision is Decision.REFUSE
            assert "6.1" in case.model_answer.criteria
        elif ScreeningResult.FALSE_POSITIVE in results:
            assert case.model_answer.decision is Decision.APPROVE


def test_criteria_codes_are_the_assessment_codes(cases: tuple[Case, ...]) -> None:
    for case in cases:
        assert set(case.model_answer.criteria) <= set(CRITERIA)
        assert set(case.rubric.criteria_points) == set(case.model_answer.criteria)


def test_the_model_answer_scores_full_marks(cases: tuple[Case, ...]) -> None:
    for case in cases:
        result = score_case(case, case.model_answer.decision, list(case.model_answer.criteria))
        assert result.score == 1.0
        assert result.decision_correct
        assert result.criteria_missed == ()


def test_the_wrong_decision_loses_the_decision_points(cases: tuple[Case, ...]) -> None:
    case = cases[0]
    wrong = Decision.APPROVE if case.model_answer.decision is Decision.REFUSE else Decision.REFUSE
    result = score_case(case, wrong, list(case.model_answer.criteria))
    assert not result.decision_correct
    assert result.points == case.rubric.max_points - case.rubric.decision_points


def test_missing_and_unsupported_criteria_cost_points_but_never_below_zero(cases: tuple[Case, ...]) -> None:
    case = next(c for c in cases if len(c.model_answer.criteria) >= 2)
    kept, dropped = case.model_answer.criteria[0], case.model_answer.criteria[1]
    result = score_case(case, case.model_answer.decision.value, [kept, "7.1.b.i"])
    expected = (
        case.rubric.decision_points + case.rubric.criteria_points[kept] - case.rubric.penalty_per_unsupported_criterion
    )
    assert result.points == expected
    assert dropped in result.criteria_missed
    assert result.criteria_unsupported == ("7.1.b.i",)
    floor = score_case(case, "approve" if case.model_answer.decision is Decision.REFUSE else "refuse", list(CRITERIA))
    assert floor.points >= 0


@pytest.mark.skipif(not EMBARGO_CSV.is_file(), reason="shared embargo reference data not present")
def test_the_embargoed_destination_is_a_real_un_embargo_target(cases: tuple[Case, ...]) -> None:
    with EMBARGO_CSV.open(encoding="utf-8") as handle:
        targets = {row["target_iso2"]: row for row in csv.DictReader(handle) if row["target_iso2"]}
    for case in cases:
        if case.embargo is not None:
            assert case.destination in targets
            row = targets[case.destination]
            assert row["target"] == case.embargo.target
            for resolution in case.embargo.resolutions.split("; "):
                assert resolution.split(" ")[0] in row["establishing_resolution"] + row["latest_resolutions"]


@pytest.mark.skipif(not UN_LIST.is_file(), reason="shared UN Consolidated List not present")
def test_screening_hits_cite_real_un_list_entries(cases: tuple[Case, ...]) -> None:
    from defusedxml import ElementTree

    root = ElementTree.parse(UN_LIST).getroot()
    names: dict[str, set[str]] = {}
    for node in [*root.iter("INDIVIDUAL"), *root.iter("ENTITY")]:
        ref = (node.findtext("REFERENCE_NUMBER") or "").strip()
        parts = [node.findtext(tag) or "" for tag in ("FIRST_NAME", "SECOND_NAME", "THIRD_NAME", "FOURTH_NAME")]
        aliases = [a.findtext("ALIAS_NAME") or "" for a in [*node.iter("ENTITY_ALIAS"), *node.iter("INDIVIDUAL_ALIAS")]]
        names[ref] = {" ".join(p.strip() for p in parts if p.strip()).upper(), *(a.strip().upper() for a in aliases)}
    for case in cases:
        for check in case.screening:
            if check.listed_entry is None:
                continue
            entry = check.listed_entry
            assert entry.name.upper() in names[entry.reference]
            # A true match uses a listed name or alias; a false positive shares the name but not the identity.
            assert check.party_name.upper() in names[entry.reference]


# --- validation errors name the file -------------------------------------------------------------


@pytest.fixture
def cases_file(tmp_path: Path) -> Path:
    path = tmp_path / "cases.json"
    shutil.copyfile(CONTENT_DIR / "cases.json", path)
    return path


def edit(path: Path, change: Any) -> None:
    data = json.loads(path.read_text(encoding="utf-8"))
    change(data["cases"])
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")


def test_an_unknown_criterion_is_named(cases_file: Path) -> None:
    edit(cases_file, lambda c: c[0]["model_answer"].update(criteria=["6.9"]))
    with pytest.raises(ContentError, match=r"cases\.json: case case-01-embargo-haiti\.model_answer: unknown criteria"):
        load_cases(cases_file)


def test_a_rubric_that_does_not_match_the_model_answer_is_refused(cases_file: Path) -> None:
    edit(cases_file, lambda c: c[1]["rubric"]["criteria"].pop("proportionality"))
    with pytest.raises(ContentError, match="criteria points must cover exactly"):
        load_cases(cases_file)


def test_a_case_not_marked_fictional_is_refused(cases_file: Path) -> None:
    edit(cases_file, lambda c: c[2].pop("fictional"))
    with pytest.raises(ContentError, match="must be marked"):
        load_cases(cases_file)


def test_a_missing_spanish_text_is_named(cases_file: Path) -> None:
    edit(cases_file, lambda c: c[3]["title"].pop("es"))
    with pytest.raises(ContentError, match=r"case case-04-screening-true-match\.title: 'es'"):
        load_cases(cases_file)


def test_a_bad_goods_category_is_named(cases_file: Path) -> None:
    edit(cases_file, lambda c: c[4]["goods"][0].update(category="VIII-SA-9"))
    with pytest.raises(ContentError, match="'VIII-SA-9' is not a Register/SALW line code"):
        load_cases(cases_file)


def test_a_screening_hit_without_a_listed_entry_is_refused(cases_file: Path) -> None:
    edit(cases_file, lambda c: c[3]["screening"][1].update(listed_entry=None))
    with pytest.raises(ContentError, match="a hit needs a listed_entry"):
        load_cases(cases_file)


def test_a_refusal_with_licence_conditions_is_refused(cases_file: Path) -> None:
    edit(cases_file, lambda c: c[0]["model_answer"].update(conditions=[{"en": "DVC", "es": "CVE"}]))
    with pytest.raises(ContentError, match="a refusal carries no licence conditions"):
        load_cases(cases_file)


def test_an_embargo_on_another_country_than_the_destination_is_refused(cases_file: Path) -> None:
    edit(cases_file, lambda c: c[0]["embargo"].update(target_iso2="LY"))
    with pytest.raises(ContentError, match="the embargo target must be the destination"):
        load_cases(cases_file)

"""Searching the in-memory index built from the real UN and OFAC lists."""

from __future__ import annotations

import pytest

from attkit.screening.index import Index, Match
from attkit.screening.loaders import OFAC_SAMPLE, UN_SAMPLE, load_ofac, load_un
from attkit.screening.matcher import DEFAULT_THRESHOLD
from attkit.screening.normalize import InvalidName


@pytest.fixture(scope="module")
def index() -> Index:
    return Index.from_snapshots([load_un(UN_SAMPLE), load_ofac(OFAC_SAMPLE)])


def refs(matches: list[Match]) -> list[tuple[str, str]]:
    return [(m.list_kind, m.entry_ref) for m in matches]


def test_index_holds_both_lists(index: Index) -> None:
    assert len(index) == 1003 + 8976
    assert index.name_count > 25_000


def test_gaddafi_muammar_finds_muammar_qadhafi(index: Index) -> None:
    matches = index.search("Gaddafi Muammar")
    assert matches[0].list_kind == "ofac"
    assert matches[0].entry_ref == "12606"
    assert matches[0].score >= 0.95
    assert "muammar" in matches[0].explanation.summary


def test_results_are_sorted_thresholded_and_limited(index: Index) -> None:
    matches = index.search("Mohammed Ali", limit=5)
    assert len(matches) == 5
    assert [m.score for m in matches] == sorted((m.score for m in matches), reverse=True)
    assert all(m.score >= DEFAULT_THRESHOLD for m in matches)
    assert all(m.score >= 0.95 for m in index.search("Mohammed Ali", threshold=0.95))


def test_unknown_name_finds_nothing(index: Index) -> None:
    assert index.search("Xylophone Quibbleworth") == []


def test_original_script_names_are_indexed_beside_latin_forms(index: Index) -> None:
    arabic = index.search("صدام حسين التكريتي")
    latin = index.search("Saddam Hussein al-Tikriti")
    assert arabic
    assert arabic[0].entry_ref == "IQi.001"
    assert ("un", "IQi.001") in refs(latin)


def test_a_disguised_name_finds_what_the_plain_name_finds(index: Index) -> None:
    plain = index.search("Ayman al-Zawahiri")
    disguised = index.search("Аyman аl-Zаwаhiri\u200b")  # Cyrillic а and a zero-width space
    assert refs(plain) == refs(disguised)
    assert [m.score for m in plain] == [m.score for m in disguised]
    assert ("un", "QDi.006") in refs(plain)


def test_a_typo_is_found(index: Index) -> None:
    assert ("ofac", "6365") in refs(index.search("Osama bin Ladn"))


def test_schema_filter(index: Index) -> None:
    assert all(m.schema == "organization" for m in index.search("Banco Nacional de Cuba", schema="organization"))
    assert index.search("Banco Nacional de Cuba", schema="person") == []
    with pytest.raises(ValueError, match="unknown schema 'wizard'"):
        index.search("Banco Nacional de Cuba", schema="wizard")


def test_a_conflicting_date_of_birth_ranks_the_entry_lower(index: Index) -> None:
    plain = {m.entry_ref: m.score for m in index.search("Ayman al-Zawahiri")}
    conflict = {m.entry_ref: m.score for m in index.search("Ayman al-Zawahiri", dob="1985-01-01", threshold=0.0)}
    assert conflict["2676"] < plain["2676"]
    agree = {m.entry_ref: m.score for m in index.search("Ayman Zawahiry", dob="1951-06-19", threshold=0.0)}
    assert agree["2676"] > {m.entry_ref: m.score for m in index.search("Ayman Zawahiry", threshold=0.0)}["2676"]


def test_a_document_number_finds_the_entry(index: Index) -> None:
    matches = index.search("A. Z.", documents=["1084010"])
    assert ("ofac", "2676") in refs(matches)
    assert next(m for m in matches if m.entry_ref == "2676").explanation.document is not None


def test_bad_input_is_refused_with_a_clear_error(index: Index) -> None:
    with pytest.raises(InvalidName, match="empty name"):
        index.search("  ")
    with pytest.raises(InvalidName, match="over the 1,000-character limit"):
        index.search("x" * 10_000_000)
    with pytest.raises(ValueError, match="not YYYY-MM-DD"):
        index.search("Ayman al-Zawahiri", dob="19/06/1951")
    with pytest.raises(ValueError, match="limit 0 must be at least 1"):
        index.search("Ayman al-Zawahiri", limit=0)
    with pytest.raises(ValueError, match=r"threshold 1\.5 must be between 0 and 1"):
        index.search("Ayman al-Zawahiri", threshold=1.5)


def test_an_entry_is_indexed_once(index: Index) -> None:
    snapshot = load_un(UN_SAMPLE)
    with pytest.raises(ValueError, match=r"un CDi\.001 is already in the index"):
        index.add("un", snapshot.entries[:1])


def test_match_as_dict_for_the_cli_and_api(index: Index) -> None:
    match = index.search("Eric Badege")[0]
    assert set(match.to_dict()) == {"list", "ref", "name", "schema", "score", "explanation"}

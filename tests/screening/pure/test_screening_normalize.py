"""Name normalisation: disguised names read as the plain name, scripts transliterated, order ignored."""

from __future__ import annotations

import pytest

from attkit.screening.matcher import score
from attkit.screening.normalize import (
    MAX_NAME_LENGTH,
    InvalidName,
    Role,
    analyse,
    clean,
    name_key,
    name_variants,
    normalise,
)

PLAIN = "Muammar Qadhafi"

# The "Bad input" paragraph of issue 4: a party trying to slip past screening.
DISGUISES = {
    "cyrillic look-alikes": "Muаmmar Qаdhаfi",  # Cyrillic а (U+0430)
    "cyrillic o and c": "Mоhammed Сhоudhry",  # compared with its own plain form below
    "greek look-alikes": "Μuammar Qadhafi",  # Greek capital Mu (U+039C)
    "zero-width space": "Mu\u200bammar Qad\u200bhafi",
    "zero-width joiners": "Mu\u200dam\u200cmar Qadha\u2060fi",
    "soft hyphen and BOM": "Muam\u00admar \ufeffQadhafi",
    "stacked accents": "M\u0308\u0308u\u0301\u0301ammar Qa\u0338\u0321dhafi",
    "full-width letters": "Ｍｕａｍｍａｒ　Ｑａｄｈａｆｉ",
    "full-width punctuation inside a word": "Muam．mar Qadha＇fi",
    "everything at once": "Ｍu\u200bа\u0308m\u00adm\u0301ar Ｑаdha\u200dfi",
}
PLAIN_FOR = {"cyrillic o and c": "Mohammed Choudhry"}


@pytest.mark.parametrize("label", list(DISGUISES))
def test_disguised_name_has_the_plain_normal_form(label: str) -> None:
    plain = PLAIN_FOR.get(label, PLAIN)
    assert normalise(DISGUISES[label]) == normalise(plain)
    assert name_key(DISGUISES[label]) == name_key(plain)


@pytest.mark.parametrize("label", list(DISGUISES))
def test_disguised_name_scores_exactly_as_the_plain_name(label: str) -> None:
    plain = PLAIN_FOR.get(label, PLAIN)
    for listed in ("Muammar Gaddafi", "Mohamed Chowdhury", "Moammar Kadhafi"):
        assert score(DISGUISES[label], listed).score == score(plain, listed).score


def test_disguises_in_a_company_name() -> None:
    assert normalise("Асme Тrading S.A. de C.V.") == normalise("Acme Trading SA de CV") == "acme trading sacv"


def test_a_wholly_cyrillic_name_is_transliterated_not_folded() -> None:
    assert normalise("Владимир Путин") == "vladimir putin"
    assert normalise("Шевченко") == "shevchenko"


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("Κυριάκος Μητσοτάκης", "kyriakos mitsotakis"),
        ("Ротенберг Аркадий", "rotenberg arkady"),
        ("नरेन्द्र मोदी", "narendra modi"),
        ("محمد بن سلمان", "mhmd bin slman"),
        ("José Antonio García Márquez", "jose antonio garcia marquez"),
        ("Recep Tayyip Erdoğan", "recep tayyip erdogan"),
        ("Al Qa'ida", "al qaida"),
    ],
)
def test_transliteration_to_latin(name: str, expected: str) -> None:
    assert normalise(name) == expected


def test_cjk_names_keep_their_characters_for_comparison() -> None:
    name = analyse("习近平", "person")
    assert name.tokens[0].native == "习近平"
    assert name.tokens[0].text.isascii()


def test_name_order_does_not_change_the_key() -> None:
    assert name_key("Gaddafi Muammar") == name_key("Muammar Gaddafi") == name_key("GADDAFI, Muammar")


def test_legal_forms_are_canonical_and_marked() -> None:
    assert normalise("Acme S.A. de C.V.", "organization") == normalise("Acme SA de CV", "organization")
    assert normalise("Siemens Aktiengesellschaft", "organization") == "siemens ag"
    tokens = analyse("Acme Company Limited", "organization").tokens
    assert [t.role for t in tokens] == [Role.NAME, Role.LEGAL, Role.LEGAL]


def test_particles_titles_and_initials() -> None:
    roles = {t.text: t.role for t in analyse("Dr. José de la Cruz y Bin Ali J.", "person").tokens}
    assert "dr" not in roles  # a leading title is removed
    assert roles["de"] is roles["la"] is roles["y"] is roles["bin"] is Role.PARTICLE
    assert roles["j"] is Role.INITIAL
    assert analyse("Ben Netanyahu", "person").tokens[0].role is Role.NAME  # "Ben" starting a name is a name


def test_numbers_in_organisation_names() -> None:
    assert normalise("Brigade Forty-Four", "organization") == "brigade 44"
    assert normalise("1st International Bank", "organization") == "1 international bank"
    assert normalise("Citigroup Capital Trust XV", "organization") == "citigroup capital trust 15"


def test_slash_separated_alternatives() -> None:
    assert name_variants("Al-Qa'ida/Islamic Army") == ["Al-Qa'ida/Islamic Army", "Al-Qa'ida", "Islamic Army"]
    assert name_variants("Mendez Denmark A/S") == ["Mendez Denmark A/S"]


@pytest.mark.parametrize("name", ["", "   ", "\u200b\u200b", "...", "\n\t"])
def test_empty_name_is_refused(name: str) -> None:
    with pytest.raises(InvalidName, match="empty name"):
        clean(name)


def test_ten_megabyte_name_is_refused() -> None:
    with pytest.raises(InvalidName, match=r"name of 10,000,000 characters is over the 1,000-character limit"):
        normalise("A" * 10_000_000)


def test_a_name_at_the_limit_is_accepted() -> None:
    assert normalise("a" * MAX_NAME_LENGTH) == "a" * MAX_NAME_LENGTH


def test_a_name_must_be_text() -> None:
    with pytest.raises(InvalidName):
        clean(b"Qadhafi")  # type: ignore[arg-type]

"""The queries other apps call: embargoes on a country and what they bar, the HS crosswalk, countries."""

from __future__ import annotations

import pytest

from attkit.reference import services
from attkit.reference.models import CrosswalkScope, Embargo

pytestmark = pytest.mark.django_db


def test_embargoes_for_a_country(loaded):
    assert [e.key for e in services.embargoes_for("KP")] == ["un-kp"]
    assert [e.key for e in services.embargoes_for(" kp ")] == ["un-kp"]
    assert [e.key for e in services.embargoes_for("HT")] == ["un-ht", "eu-ht"]  # UN first
    assert services.embargoes_for("MX") == []
    assert services.embargoes_for("not a code") == []
    assert [e.key for e in services.embargoes_for("HT", imposed_by=["EU"])] == ["eu-ht"]


def test_an_embargo_no_longer_in_force_is_not_returned(loaded):
    Embargo.objects.filter(key="un-ss").update(active=False)
    assert services.embargoes_for("SS") == []


@pytest.mark.parametrize(
    ("country", "state", "expected"),
    [
        ("KP", True, True),  # full
        ("KP", False, True),
        ("LY", True, True),
        ("SS", True, True),
        ("HT", True, True),  # partial: caught until the exemption is recorded
        ("SO", True, True),
        ("CD", True, False),  # non-state actors: the government is not embargoed
        ("CD", False, True),
        ("IQ", True, False),
        ("LB", False, True),
        ("YE", False, False),  # listed only: a matter for screening
        ("MX", False, False),
        ("DE", True, False),
    ],
)
def test_is_embargoed_per_scope(loaded, country, state, expected):
    assert services.is_embargoed(country, end_user_is_state=state) is expected


def test_a_non_un_embargo_counts_unless_the_caller_asks_for_the_un_only(loaded):
    assert services.is_embargoed("VE", end_user_is_state=True)
    assert not services.is_embargoed("VE", end_user_is_state=True, imposed_by=["UN"])
    assert [e.key for e in services.applicable_embargoes("CD", end_user_is_state=False)] == ["un-cd"]


def test_list_based_regimes_have_no_country(loaded):
    assert {e.key for e in services.list_based_embargoes()} == {"un-res-1988", "un-res-1390"}


def _links(code: str) -> dict[str, str]:
    return {
        (link.category.code if link.category else link.scope): link.note_en for link in services.crosswalk_for(code)
    }


def test_crosswalk_entries_of_domain_section_4(loaded):
    assert set(_links("9302")) == {"VIII-SA-1"}
    assert set(_links("9301.90")) == {"VIII-SA-3", "VIII-SA-4", "VIII-SA-5", "VIII-LW-1"}
    artillery = _links("9301.10")
    assert set(artillery) == {"III", "VIII-LW-6"}
    assert "75 mm or more" in artillery["III"] and "less than 75 mm" in artillery["VIII-LW-6"]
    assert set(_links("930120")) == {"VII", "VIII-LW-2", "VIII-LW-5"}
    assert set(_links("9303")) == {CrosswalkScope.NATIONAL_DEFINITION}
    assert set(_links("9305")) == {"ART4"}
    assert set(_links("9306")) == {"ART3", "VII"}
    assert set(_links("8710")) == {"I", "II"}
    assert set(_links("8802")) == {"IV", "V"}
    assert set(_links("8806")) == {"IV", "V"}
    assert set(_links("8906.10")) == {"VI"}


def test_9304_and_9307_are_outside_the_att(loaded):
    assert services.is_outside_att("9304") and services.is_outside_att("9307.00")
    assert not services.is_outside_att("9302")


def test_a_subheading_or_national_line_falls_back_to_its_heading(loaded):
    assert [c.code for c in services.categories_for_hs("930200")] == ["VIII-SA-1"]
    assert [c.code for c in services.categories_for_hs("9302.00.01")] == ["VIII-SA-1"]
    assert set(_links("880212")) == {"IV", "V"}
    assert services.crosswalk_for("890690") == []  # other vessels: nothing
    assert services.crosswalk_for("0101") == [] and services.crosswalk_for("abc") == []


def test_every_link_has_a_note_in_both_languages_and_a_source(loaded):
    for code in ("9302", "930110", "9306", "9304"):
        for link in services.crosswalk_for(code):
            assert link.note_en and link.note_es and link.source


def test_countries_by_code_and_names_per_language(loaded):
    from django.utils import translation

    assert services.country("mex").alpha2 == "MX"
    assert services.country("MX").alpha3 == "MEX"
    assert services.country("XX") is None and services.country("") is None
    with translation.override("es"):
        assert services.country_names(["MX", "DZ"]) == {"MX": "México", "DZ": "Argelia"}
    with translation.override("en"):
        assert services.country_names(["MX"]) == {"MX": "Mexico"}
